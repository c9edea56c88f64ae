//! Arbitrary bytes as a session stream: never a panic. And arbitrary JSON-ish message lists
//! (split from the input) round-trip through a session stream exactly and deterministically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigma_codec::DecodeLimits;
use sigma_codec::session::{BodyCoding, SessionConfig, decode_stream, encode_stream};
use sigma_tree::Tree;

fuzz_target!(|data: &[u8]| {
    let _ = decode_stream(data, DecodeLimits::DEFAULT);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let trees: Vec<Tree> = text.split('\n').filter_map(|line| Tree::from_json_document(line).ok()).collect();
    for coding in [BodyCoding::Modeled, BodyCoding::Plain] {
        let config = SessionConfig { coding, ..SessionConfig::default() };
        let stream = encode_stream(&trees, config).expect("sessions hold every tree");
        assert_eq!(encode_stream(&trees, config).expect("again"), stream);
        let frames =
            decode_stream(&stream, DecodeLimits::UNLIMITED).expect("a session decodes what it encodes");
        assert_eq!(frames.len(), trees.len());
        for (frame, tree) in frames.iter().zip(&trees) {
            assert_eq!(&frame.tree, tree);
        }
    }
});
