//! Message-stream benches: twitter `statuses` and citm `performances`, one JSON
//! document per message. Dictionaries and the ΣLANG codebook are trained on the first half and
//! measured on the second; the ΣLANG session encodes the second half as one stream, with its
//! bodies coded by zstd (`sigma-session`, the default), by the byte model (`sigma-session-max`)
//! or plain (`sigma-session-plain`). `zstd-3+dict+tree` adds to zstd what it takes to get the same trees:
//! the JSON text from the tree before compressing, the tree from the text after decompressing.
//! Each bench iteration encodes (or decodes) the whole second half; `cargo xtask bench` divides by
//! the message count it finds in `target/sigma-bench/streams.json`.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use std::sync::Arc;

use sigma_codec::DecodeLimits;
use sigma_codec::codebook::Codebook;
use sigma_codec::session::{BodyCoding, SessionConfig, decode_stream_with, encode_stream_with};

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_benches::{streams, write_json};

/// Dictionary size: zstd's figures to beat were measured with 16 KiB.
const DICT_BYTES: usize = 16 * 1024;

fn bench(c: &mut Criterion) {
    let mut report = Vec::new();
    for (name, messages) in streams() {
        let (train, test) = messages.split_at(messages.len() / 2);
        let samples: Vec<&[u8]> = train.iter().map(|m| m.as_bytes()).collect();
        let dict = zstd::dict::from_samples(&samples, DICT_BYTES).unwrap();
        let json_bytes: usize = test.iter().map(String::len).sum();
        let mut codecs = vec![serde_json::json!({
            "codec": "json", "bytes_per_message": json_bytes as f64 / test.len() as f64,
        })];
        let mut group = c.benchmark_group(name);
        // ΣLANG: a codebook learned from the first half; the second half as one session stream.
        let parse = |ms: &[String]| -> Vec<sigma_tree::Tree> {
            ms.iter().map(|m| sigma_tree::Tree::from_json_document(m).unwrap()).collect()
        };
        let codebook = Arc::new(Codebook::train(&parse(train), 128).unwrap());
        let trees = parse(test);
        for (codec, coding) in [
            ("sigma-session", BodyCoding::Zstd),
            ("sigma-session-max", BodyCoding::Modeled),
            ("sigma-session-plain", BodyCoding::Plain),
        ] {
            let config = SessionConfig { coding, ..SessionConfig::default() };
            let encode = || encode_stream_with(&trees, config, Some(codebook.clone())).unwrap();
            let stream = encode();
            let decode =
                || decode_stream_with(&stream, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap();
            assert!(decode().iter().zip(&trees).all(|(frame, tree)| frame.tree == *tree));
            codecs.push(serde_json::json!({
                "codec": codec, "bytes_per_message": stream.len() as f64 / test.len() as f64,
            }));
            group.bench_function(format!("{codec}/encode"), |b| b.iter(encode));
            group.bench_function(format!("{codec}/decode"), |b| b.iter(decode));
        }
        for level in [3, 19] {
            let codec = format!("zstd-{level}+dict");
            let mut compressor = zstd::bulk::Compressor::with_dictionary(level, &dict).unwrap();
            let mut decompressor = zstd::bulk::Decompressor::with_dictionary(&dict).unwrap();
            let compressed: Vec<Vec<u8>> =
                test.iter().map(|m| compressor.compress(m.as_bytes()).unwrap()).collect();
            for (message, bytes) in test.iter().zip(&compressed) {
                assert_eq!(decompressor.decompress(bytes, message.len()).unwrap(), message.as_bytes());
            }
            let total: usize = compressed.iter().map(Vec::len).sum();
            codecs.push(serde_json::json!({
                "codec": codec, "bytes_per_message": total as f64 / test.len() as f64,
            }));
            if level == 3 {
                // What a zstd user pays for the same trees: the JSON text to and from the tree.
                codecs.push(serde_json::json!({
                    "codec": "zstd-3+dict+tree", "bytes_per_message": total as f64 / test.len() as f64,
                }));
                group.bench_function("zstd-3+dict+tree/encode", |b| {
                    b.iter(|| {
                        for tree in &trees {
                            let text = tree.to_json_document().unwrap();
                            std::hint::black_box(compressor.compress(text.as_bytes()).unwrap());
                        }
                    })
                });
                group.bench_function("zstd-3+dict+tree/decode", |b| {
                    b.iter(|| {
                        for (m, bytes) in test.iter().zip(&compressed) {
                            let text = decompressor.decompress(bytes, m.len()).unwrap();
                            let text = std::str::from_utf8(&text).unwrap();
                            std::hint::black_box(sigma_tree::Tree::from_json_document(text).unwrap());
                        }
                    })
                });
            }
            group.bench_function(format!("{codec}/encode"), |b| {
                b.iter(|| {
                    for m in test {
                        std::hint::black_box(compressor.compress(m.as_bytes()).unwrap());
                    }
                })
            });
            group.bench_function(format!("{codec}/decode"), |b| {
                b.iter(|| {
                    for (m, bytes) in test.iter().zip(&compressed) {
                        std::hint::black_box(decompressor.decompress(bytes, m.len()).unwrap());
                    }
                })
            });
        }
        group.finish();
        report.push(serde_json::json!({
            "name": name, "messages": test.len(), "trained_on": train.len(), "codecs": codecs,
        }));
    }
    write_json("streams.json", &serde_json::json!({ "streams": report }));
}

criterion_group!(benches, bench);
criterion_main!(benches);
