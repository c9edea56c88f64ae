//! Every case of `fixtures/v1_examples.json` (the reference's own bytes): encode gives exactly
//! those bytes, decode gives exactly that tree.

use sigma_codec::v1;
use sigma_testkit::forge::hex;
use sigma_testkit::{V1Example, v1_examples};

#[test]
fn encode_gives_the_reference_bytes() {
    let cases = v1_examples();
    assert_eq!(cases.len(), 10);
    for V1Example { name, tree, bytes } in &cases {
        assert_eq!(hex(&v1::encode(tree).unwrap()), hex(bytes), "{name}");
    }
}

#[test]
fn decode_gives_the_tree() {
    for V1Example { name, tree, bytes } in v1_examples() {
        assert_eq!(v1::decode(&bytes).unwrap(), tree, "{name}");
        assert_eq!(sigma_codec::decode(&bytes).unwrap(), tree, "{name}");
    }
}

#[test]
fn decode_into_reuses_a_tree() {
    let mut tree = sigma_codec::Tree::new();
    for V1Example { name, tree: expected, bytes } in v1_examples() {
        v1::decode_into(&bytes, &mut tree).unwrap();
        assert_eq!(tree, expected, "{name}");
    }
    assert!(v1::decode_into(b"\x40\x00", &mut tree).is_err());
    assert!(tree.is_empty());
}

#[test]
fn encode_into_appends_and_leaves_the_buffer_alone_on_error() {
    let cases = v1_examples();
    let mut buf = b"prefix".to_vec();
    let V1Example { tree, bytes, .. } = &cases[6];
    let len = v1::encode_into(tree, &mut buf).unwrap();
    assert_eq!(len, bytes.len());
    assert_eq!(&buf[..6], b"prefix");
    assert_eq!(&buf[6..], &bytes[..]);
    let too_long =
        sigma_tree::Tree::from_tree_json(&format!(r#"{{"p":0,"v":"{}"}}"#, "x".repeat(40_000))).unwrap();
    let before = buf.clone();
    assert!(v1::encode_into(&too_long, &mut buf).is_err());
    assert_eq!(buf, before);
}
