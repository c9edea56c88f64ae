//! Batch benches: many independent trees (every twitter status and citm performance, repeated to
//! 4,000 trees) encoded and decoded by `BatchEncoder` / `BatchDecoder` at 1 and 2 threads.
//! Writes `target/sigma-bench/batch.json` (tree count and bytes) for `cargo xtask bench`.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use std::num::NonZeroUsize;

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_benches::{streams, write_json};
use sigma_codec::batch::{BatchDecoder, BatchEncoder, EncodedBatch};
use sigma_codec::{DecodeLimits, Tree};

/// Trees per batch.
const TREES: usize = 4000;

fn bench(c: &mut Criterion) {
    let messages: Vec<Tree> = streams()
        .into_iter()
        .flat_map(|(_, messages)| messages)
        .map(|m| Tree::from_json_document(&m).unwrap())
        .collect();
    let trees: Vec<Tree> = messages.iter().cycle().take(TREES).cloned().collect();
    let mut encoded = EncodedBatch::default();
    BatchEncoder::new(NonZeroUsize::MIN).encode(&trees, &mut encoded).unwrap();
    write_json(
        "batch.json",
        &serde_json::json!({
            "trees": trees.len(),
            "nodes": trees.iter().map(Tree::node_count).sum::<usize>(),
            "bytes": encoded.bytes().len(),
        }),
    );

    let mut group = c.benchmark_group("batch");
    for threads in [1, 2] {
        let n = NonZeroUsize::new(threads).unwrap();
        let mut encoder = BatchEncoder::new(n);
        let mut out = EncodedBatch::default();
        group.bench_function(format!("encode/{threads}"), |b| {
            b.iter(|| encoder.encode(&trees, &mut out).unwrap())
        });
        let mut decoder = BatchDecoder::new(DecodeLimits::DEFAULT, n);
        let mut decoded = Vec::new();
        group.bench_function(format!("decode/{threads}"), |b| {
            b.iter(|| decoder.decode_batch(&encoded, &mut decoded).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
