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
pub(crate) fn fix_crc(bytes: &mut [u8]) {
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

/// The bytes a decoded plain v1 message would encode back to: context id set to 0, CRC fixed.
pub(crate) fn with_context_zero(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[1] = 0;
    out[2] &= 0x0F;
    fix_crc(&mut out);
    out
}

/// Every tree fixture: the four seed trees, the balanced trees, and the corpus documents.
pub(crate) fn fixture_trees() -> Vec<(String, sigma_tree::Tree)> {
    let mut out: Vec<(String, sigma_tree::Tree)> =
        ["simple", "medium", "deep", "wide", "balanced_1000", "balanced_4000"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(fixtures().join(format!("trees/{name}.json"))).unwrap();
                ((*name).to_owned(), sigma_tree::Tree::from_tree_json(&text).unwrap())
            })
            .collect();
    for name in ["twitter", "citm_catalog", "canada"] {
        let text = std::fs::read_to_string(fixtures().join(format!("corpus/{name}.json"))).unwrap();
        out.push((name.to_owned(), sigma_tree::Tree::from_json_document(&text).unwrap()));
    }
    out
}
