//! Replays every input a fuzz target once failed on (`fixtures/fuzz/TARGET/*`), with the target's
//! own checks, so a fixed bug stays fixed.

mod common;

use common::fixtures;
use sigma_codec::DecodeLimits;
use sigma_codec::session::{SessionConfig, decode_stream, encode_stream};
use sigma_tree::Tree;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fixtures().join("fuzz").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

/// The `session` target's checks: never a panic on bytes; JSON lines round-trip exactly.
#[test]
fn session_inputs() {
    let cases = inputs("session");
    assert!(!cases.is_empty(), "fixtures/fuzz/session holds the inputs found so far");
    for (name, data) in cases {
        let _ = decode_stream(&data, DecodeLimits::DEFAULT);
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        let trees: Vec<Tree> = text.split('\n').filter_map(|l| Tree::from_json_document(l).ok()).collect();
        let stream = encode_stream(&trees, SessionConfig::default()).unwrap();
        let frames = decode_stream(&stream, DecodeLimits::UNLIMITED).unwrap();
        assert_eq!(frames.len(), trees.len(), "{name}");
        for (frame, tree) in frames.iter().zip(&trees) {
            assert_eq!(&frame.tree, tree, "{name}");
        }
    }
}
