//! A hot loop for profilers over sessions: the second half of a corpus stream (twitter
//! `statuses` or citm `performances`) encoded or decoded as one session stream, many times, with
//! a codebook trained on the first half (as the streams bench does).
//!
//! `cargo run --release -p sigma-benches --example session_loop -- encode twitter 20`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;

use sigma_codec::DecodeLimits;
use sigma_codec::codebook::Codebook;
use sigma_codec::session::{SessionConfig, decode_stream_with, encode_stream_with};
use sigma_testkit::Stream;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, stream, count] = args.as_slice() else {
        eprintln!("usage: session_loop encode|decode twitter|citm COUNT");
        std::process::exit(2);
    };
    let trees = match stream.as_str() {
        "twitter" => Stream::TwitterStatuses.trees(),
        _ => Stream::CitmPerformances.trees(),
    };
    let (train, test) = trees.split_at(trees.len() / 2);
    let codebook = Arc::new(Codebook::train(train, 128).unwrap());
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
