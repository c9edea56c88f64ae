//! A hot loop for profilers over sessions: the second half of a corpus stream (twitter
//! `statuses` or citm `performances`) encoded or decoded as one session stream, many times, with
//! a codebook trained on the first half (as the streams bench does).
//!
//! `cargo run --release -p sigma-codec --example session_loop -- encode twitter 20`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;

use sigma_codec::DecodeLimits;
use sigma_codec::codebook::Codebook;
use sigma_codec::session::{SessionConfig, decode_stream_with, encode_stream_with};
use sigma_tree::Tree;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, stream, count] = args.as_slice() else {
        eprintln!("usage: session_loop encode|decode twitter|citm COUNT");
        std::process::exit(2);
    };
    let (file, key) = match stream.as_str() {
        "twitter" => ("fixtures/corpus/twitter.json", "statuses"),
        _ => ("fixtures/corpus/citm_catalog.json", "performances"),
    };
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let trees: Vec<Tree> = doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Tree::from_json_document(&serde_json::to_string(m).unwrap()).unwrap())
        .collect();
    let (train, test) = trees.split_at(trees.len() / 2);
    let codebook = Arc::new(Codebook::train(train, 128));
    let count: usize = count.parse().unwrap();
    let config = SessionConfig::default();
    let bytes = encode_stream_with(test, config, Some(codebook.clone())).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..count {
        match mode.as_str() {
            "encode" => {
                std::hint::black_box(encode_stream_with(test, config, Some(codebook.clone())).unwrap());
            }
            _ => {
                std::hint::black_box(
                    decode_stream_with(&bytes, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap(),
                );
            }
        }
    }
    let per = start.elapsed().as_nanos() as f64 / (count * test.len()) as f64;
    println!(
        "{mode} {stream}: {:.1} µs per message, {:.1} bytes per message",
        per / 1000.0,
        bytes.len() as f64 / test.len() as f64
    );
}
