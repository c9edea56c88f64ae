//! Batch benches: many independent trees (every twitter status and citm performance, repeated to
//! 4,000 trees) encoded and decoded by `BatchEncoder` / `BatchDecoder` at 1 and 2 threads, and the
//! buffer pool's case: 2 threads each encoding one message at a time into a buffer it hands on,
//! either a new `Vec` per message or one from a shared `BufferPool`.
//! Writes `target/sigma-bench/batch.json` (tree count and bytes) for `cargo xtask bench`.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

mod support;

use std::num::NonZeroUsize;

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_codec::batch::{BatchDecoder, BatchEncoder, EncodedBatch};
use sigma_codec::{DecodeLimits, Tree, v2};
use sigma_glyph::pool::BufferPool;
use support::{streams, workloads, write_json};

/// Trees per batch.
const TREES: usize = 4000;

fn bench(c: &mut Criterion) {
    let messages: Vec<Tree> = streams()
        .into_iter()
        .flat_map(|(_, messages)| messages)
        .map(|m| Tree::from_json_document(&m).unwrap())
        .collect();
    let trees: Vec<Tree> = messages.iter().cycle().take(TREES).cloned().collect();
    // The big trees too, for the pool: a fresh buffer for a 2 MB message costs page faults.
    let big: Vec<Tree> =
        workloads().into_iter().filter(|w| w.tree.node_count() >= 20_000).map(|w| w.tree).collect();
    let mut encoded = EncodedBatch::default();
    BatchEncoder::new(NonZeroUsize::MIN).encode(&trees, &mut encoded).unwrap();
    write_json(
        "batch.json",
        &serde_json::json!({ "trees": trees.len(), "bytes": encoded.bytes().len(), "big_trees": big.len() }),
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
    // The pool's case: 2 threads, each encoding its half one message at a time into a buffer it
    // hands on (here: reads its length) before the next.
    for (set, items) in [("messages", &trees), ("big", &big)] {
        let pool = BufferPool::new(16, 64 << 20);
        let halves = items.split_at(items.len() / 2);
        group.bench_function(format!("per-message-vec/{set}"), |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    for half in [halves.0, halves.1] {
                        s.spawn(move || {
                            let mut encoder = v2::Encoder::new();
                            for tree in half {
                                let mut buf = Vec::new();
                                encoder.encode_into(tree, &mut buf).unwrap();
                                std::hint::black_box(buf.len());
                            }
                        });
                    }
                })
            })
        });
        group.bench_function(format!("per-message-pool/{set}"), |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    for half in [halves.0, halves.1] {
                        let pool = &pool;
                        s.spawn(move || {
                            let mut encoder = v2::Encoder::new();
                            for tree in half {
                                let mut buf = pool.get();
                                encoder.encode_into(tree, &mut buf).unwrap();
                                std::hint::black_box(buf.len());
                            }
                        });
                    }
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
