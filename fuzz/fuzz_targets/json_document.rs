//! Arbitrary text as a JSON document: never a panic; whatever maps to a tree maps back to a
//! document that maps to the same tree, and survives v2.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigma_tree::Tree;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Tree::from_tree_json(text);
    let Ok(tree) = Tree::from_json_document(text) else { return };
    let back = tree.to_json_document().expect("a mapped document maps back");
    assert_eq!(Tree::from_json_document(&back).expect("our output parses"), tree);
    let bytes = sigma_codec::v2::encode(&tree).expect("v2 holds every tree");
    assert_eq!(sigma_codec::v2::decode(&bytes).expect("v2 decodes what it encodes"), tree);
});
