//! Arbitrary trees (built from the input as a list of steps) round-trip through v2 always, and
//! through v1 whenever v1 accepts them; v2 is smaller than v1 whenever both hold the tree; a reused
//! v2 encoder writes the same bytes whatever it encoded before.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigma_codec::{v1, v2};
use sigma_tree::{Primitive, TreeBuilder};

fuzz_target!(|data: &[u8]| {
    let mut builder = TreeBuilder::new();
    let mut chunks = data.chunks(3);
    let mut values = String::new();
    while let Some(chunk) = chunks.next() {
        let [op, id, len] = [chunk.first(), chunk.get(1), chunk.get(2)].map(|b| b.copied().unwrap_or(0));
        values.clear();
        for _ in 0..len % 8 {
            values.push(char::from(b'a' + len % 26));
        }
        let value = (len & 0x80 != 0).then_some(values.as_str());
        let primitive = Primitive::new(id);
        let _ = match op % 4 {
            _ if builder.node_count() == 0 => builder.open(primitive, value),
            0 | 1 => builder.leaf(primitive, value),
            2 => builder.open(primitive, value),
            _ if builder.open_count() > 1 => builder.close().map(|()| 0),
            _ => Ok(0),
        };
    }
    while builder.open_count() > 0 {
        let _ = builder.close();
    }
    let Ok(tree) = builder.finish() else { return };
    let v2_bytes = v2::encode(&tree).expect("v2 holds every tree");
    assert_eq!(v2::encoded_len(&tree), v2_bytes.len());
    assert_eq!(v2::decode(&v2_bytes).expect("v2 decodes what it encodes"), tree);
    // An encoder that last wrote another kind of tree guesses the wrong coding first: the bytes
    // must be the same.
    let json = sigma_tree::Tree::from_json_document(r#"{"a":[1,"x",null,true]}"#).expect("primer");
    let balanced = sigma_tree::samples::balanced(40);
    for primer in [&json, &balanced] {
        let mut encoder = v2::Encoder::new();
        let mut buf = Vec::new();
        encoder.encode_into(primer, &mut buf).expect("primer");
        buf.clear();
        encoder.encode_into(&tree, &mut buf).expect("v2 holds every tree");
        assert_eq!(buf, v2_bytes);
    }
    if let Ok(v1_bytes) = v1::encode(&tree) {
        assert_eq!(v1::decode(&v1_bytes).expect("v1 decodes what it encodes"), tree);
        assert!(v2_bytes.len() < v1_bytes.len());
    }
});
