//! Text benches on the text fixtures (real prose, one document per file): Unicode segmentation
//! alone (the floor under the rest), extraction
//! (`sigma_text::extract`), parsing to a text tree, parsing plus v2 encoding, and decoding v2
//! back to the text. Writes `target/sigma-bench/text.json` (documents, sentences, bytes) for
//! `cargo xtask bench`, which turns the medians into MB/s.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigma_benches::write_json;
use sigma_codec::{DecodeLimits, v2};
use sigma_testkit::text_documents;
use unicode_segmentation::UnicodeSegmentation;

fn bench(c: &mut Criterion) {
    let documents: Vec<String> = text_documents().into_iter().map(|(_, text)| text).collect();
    let bytes: usize = documents.iter().map(String::len).sum();
    let trees: Vec<_> = documents.iter().map(|d| sigma_text::parse(d).unwrap()).collect();
    let encoded: Vec<Vec<u8>> = trees.iter().map(|t| v2::encode(t).unwrap()).collect();
    let sentences: usize = trees.iter().map(|t| t.root().map_or(0, |r| r.child_count())).sum();
    write_json(
        "text.json",
        &serde_json::json!({
            "documents": documents.len(),
            "sentences": sentences,
            "bytes": bytes,
            "v2_bytes": encoded.iter().map(Vec::len).sum::<usize>(),
        }),
    );
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(bytes as u64));
    // What Unicode segmentation alone costs (sentences, then the words of each): every operation
    // below does at least this.
    group.bench_function("segment", |b| {
        b.iter(|| {
            let mut words = 0;
            for d in &documents {
                for sentence in d.split_sentence_bounds() {
                    words += sentence.split_word_bounds().count();
                }
            }
            words
        })
    });
    group.bench_function("extract", |b| {
        b.iter(|| documents.iter().map(|d| sigma_text::extract(d).entities.len()).sum::<usize>())
    });
    group.bench_function("parse", |b| {
        b.iter(|| documents.iter().map(|d| sigma_text::parse(d).unwrap().node_count()).sum::<usize>())
    });
    let mut out = Vec::new();
    let mut encoder = v2::Encoder::new();
    group.bench_function("parse+v2", |b| {
        b.iter(|| {
            let mut total = 0;
            for d in &documents {
                out.clear();
                encoder.encode_into(&sigma_text::parse(d).unwrap(), &mut out).unwrap();
                total += out.len();
            }
            total
        })
    });
    let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
    let mut tree = sigma_codec::Tree::new();
    group.bench_function("v2+to_text", |b| {
        b.iter(|| {
            let mut total = 0;
            for e in &encoded {
                decoder.decode_into(e, &mut tree).unwrap();
                total += sigma_text::to_text(&tree).unwrap().len();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
