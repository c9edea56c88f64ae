//! Helpers shared by the codec's integration tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::PathBuf;

use sigma_glyph::v1::CRC;

/// The workspace's `fixtures/` folder.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A v1 stream with this header word and these glyph bytes, and a correct CRC.
pub(crate) fn stream(header: u32, glyphs: &[u8]) -> Vec<u8> {
    let mut out = header.to_be_bytes().to_vec();
    out.extend_from_slice(glyphs);
    let crc = CRC.checksum(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Recomputes the CRC of a stream whose body was changed on purpose.
pub(crate) fn fix_crc(bytes: &mut Vec<u8>) {
    let body = bytes.len() - 2;
    let crc = CRC.checksum(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_be_bytes());
}

/// The cases of `fixtures/v1_examples.json`: name, tree, exact bytes.
pub(crate) fn v1_examples() -> Vec<(String, sigma_tree::Tree, Vec<u8>)> {
    let text = std::fs::read_to_string(fixtures().join("v1_examples.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let tree = sigma_tree::Tree::from_tree_json(&case["tree"].to_string()).unwrap();
            (case["name"].as_str().unwrap().to_owned(), tree, unhex(case["hex"].as_str().unwrap()))
        })
        .collect()
}

/// Builds a tree from a flat list of steps, so that generating one never recurses: step kind
/// 0 opens a node, 1 adds a leaf, 2 closes the innermost open node (never the root); whatever
/// is open at the end is closed. `v1_safe` maps 0x0B below the root to 0x0C, which v1 needs.
pub(crate) fn tree_from_steps(steps: &[(u8, u8, Option<String>)], v1_safe: bool) -> sigma_tree::Tree {
    use sigma_primitives::Primitive;
    let mut b = sigma_tree::TreeBuilder::new();
    let mut first = true;
    for (kind, id, value) in steps {
        let id = if v1_safe && !first && *id == 0x0B { 0x0C } else { *id };
        let primitive = Primitive::new(id);
        match kind {
            _ if first => {
                b.open(primitive, value.as_deref()).unwrap();
                first = false;
            }
            0 => {
                b.open(primitive, value.as_deref()).unwrap();
            }
            1 => {
                b.leaf(primitive, value.as_deref()).unwrap();
            }
            _ => {
                if b.open_count() > 1 {
                    b.close().unwrap();
                }
            }
        }
    }
    while b.open_count() > 0 {
        b.close().unwrap();
    }
    b.finish().unwrap()
}

/// Steps for [`tree_from_steps`]: up to `max_steps`, values short (any Unicode) or long
/// (beyond the one-byte length prefix).
pub(crate) fn arb_steps(max_steps: usize) -> impl proptest::strategy::Strategy<Value = Vec<(u8, u8, Option<String>)>> {
    use proptest::prelude::*;
    let value = prop_oneof![
        4 => proptest::option::of(".{0,12}"),
        1 => proptest::option::of("[a-z\u{e9}\u{65e5}]{100,200}"),
    ];
    proptest::collection::vec((0u8..3, any::<u8>(), value), 1..max_steps)
}

/// The bytes a decoded plain v1 message would encode back to: context id set to 0, CRC fixed.
pub(crate) fn with_context_zero(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[1] = 0;
    out[2] &= 0x0F;
    fix_crc(&mut out);
    out
}
