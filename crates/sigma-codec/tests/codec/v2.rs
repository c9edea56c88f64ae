//! Format v2: every fixture round-trips, including trees v1 refuses; damaged bytes are errors;
//! arbitrary trees round-trip; v2 is smaller than v1 wherever v1 can hold the tree.

use proptest::prelude::*;
use sigma_codec::{DecodeLimits, Error, Limit, v1, v2};
use sigma_primitives::Primitive;
use sigma_testkit::{V1Example, fixture_trees, v1_examples};
use sigma_tree::arbitrary::{TreeConfig, trees};
use sigma_tree::{Tree, TreeBuilder, samples};

/// A v2 message with this body (format byte included) and a correct CRC.
use sigma_testkit::forge::with_crc32c as message;

fn fix_crc32(bytes: &mut [u8]) {
    let len = bytes.len();
    sigma_testkit::forge::fix_crc32c(bytes, 0, len);
}

fn round_trip(tree: &Tree) -> Vec<u8> {
    let bytes = v2::encode(tree).unwrap();
    assert_eq!(v2::encoded_len(tree), bytes.len(), "encoded_len");
    assert_eq!(v2::decode(&bytes).unwrap(), *tree);
    assert_eq!(sigma_codec::decode(&bytes).unwrap(), *tree);
    bytes
}

#[test]
fn every_fixture_round_trips() {
    for (name, tree) in fixture_trees() {
        let bytes = round_trip(&tree);
        assert!(!bytes.is_empty(), "{name}");
    }
    for V1Example { name, tree, .. } in v1_examples() {
        round_trip(&tree);
        let _ = name;
    }
}

#[test]
fn trees_v1_refuses_round_trip() {
    // A 70,000-byte value: the six-byte length form.
    let mut b = TreeBuilder::new();
    b.leaf(Primitive::STRING, Some(&"é".repeat(35_000))).unwrap();
    let long = b.finish().unwrap();
    assert!(v1::encode(&long).is_err());
    let bytes = round_trip(&long);
    assert_eq!(
        &bytes[..8],
        &[0xA0, 0x5F, 0x78, 0x80, 0x00, 0x00, 0x01, 0x11],
        "escaped STRING, long length 70,000"
    );

    // 100,000 glyphs.
    let mut b = TreeBuilder::new();
    b.open(Primitive::LIST, None).unwrap();
    for i in 0..99_999 {
        b.leaf(Primitive::NUMBER, Some(&i.to_string())).unwrap();
    }
    b.close().unwrap();
    let wide = b.finish().unwrap();
    assert!(matches!(v1::encode(&wide), Err(Error::V1TooManyGlyphs { .. })));
    round_trip(&wide);

    // A 0x0B leaf inside a composite.
    let mut b = TreeBuilder::new();
    b.open(Primitive::FUNCTION, None).unwrap();
    b.leaf(Primitive::COMPOSITE, None).unwrap();
    b.leaf(Primitive::COMPOSITE, Some("v")).unwrap();
    b.close().unwrap();
    let ambiguous = b.finish().unwrap();
    assert!(v1::encode(&ambiguous).is_err());
    round_trip(&ambiguous);
}

#[test]
fn million_node_chain_round_trips_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let chain = samples::chain(1_000_000);
            round_trip(&chain);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn medium_bytes_spelled_out() {
    let bytes = v2::encode(&samples::medium()).unwrap();
    let expected: Vec<u8> = [
        &[0xA0][..],         // format byte: v2, no palette
        &[0xD0, 0x09],       // has children | has value | FUNCTION, length 9
        b"calculate",        //
        &[0xD7, 0x01, b'x'], // has children | has value | PARAMETER, "x"
        &[0x71, 0x06],       // has value | last sibling | VARIABLE, length 6
        b"result",           //
        &[0x77, 0x01, b'y'], // has value | last sibling | PARAMETER, "y"
    ]
    .concat();
    assert_eq!(&bytes[..bytes.len() - 4], &expected[..]);
    assert_eq!(bytes.len(), 30, "v1 takes 33");
}

#[test]
fn json_documents_use_a_palette() {
    // Ten nodes with escaped ids (LIST, DICT, NUMBER, RECORD): a 5-byte palette saves 5 bytes.
    let tree = Tree::from_json_document(r#"[{"a":1},{"a":2},{"a":3}]"#).unwrap();
    let bytes = v2::encode(&tree).unwrap();
    assert_eq!(&bytes[..6], &[0xA1, 4, 0x70, 0x71, 0x79, 0x7F], "palette: LIST DICT NUMBER RECORD");
    assert_eq!(&bytes[6..8], &[0x80, 0x81], "LIST (code 0), DICT (code 1), both with children");
    assert_eq!(v2::decode(&bytes).unwrap(), tree);
    // With fewer escaped nodes than the palette would cost, no palette.
    let small = Tree::from_json_document(r#"{"a":[1,true,null,"x"]}"#).unwrap();
    assert_eq!(v2::encode(&small).unwrap()[0], 0xA0);
}

#[test]
fn v2_is_smaller_than_v1_for_every_example_and_seed() {
    for V1Example { name, tree, bytes: v1_bytes } in v1_examples() {
        let v2_bytes = v2::encode(&tree).unwrap();
        assert!(v2_bytes.len() < v1_bytes.len(), "{name}: v2 {} v1 {}", v2_bytes.len(), v1_bytes.len());
    }
    for (name, tree) in fixture_trees() {
        if let Ok(v1_bytes) = v1::encode(&tree) {
            assert!(v2::encode(&tree).unwrap().len() < v1_bytes.len(), "{name}");
        }
    }
}

#[test]
fn every_truncation_and_bit_flip_is_an_error() {
    for (name, tree) in fixture_trees() {
        let bytes = v2::encode(&tree).unwrap();
        sigma_testkit::forge::assert_every_cut_and_flip_fails(&name, &bytes, |b| {
            sigma_codec::decode(b).is_err()
        });
    }
}

/// If `bytes` decode, they are exactly what encoding the tree gives.
fn decodes_canonically(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(tree) = v2::decode(bytes) {
        prop_assert_eq!(v2::encode(&tree).unwrap(), bytes.to_vec());
    }
    Ok(())
}

#[test]
fn bit_flips_with_the_crc_fixed_decode_canonically_or_not_at_all() {
    let mut cases: Vec<Tree> = v1_examples().into_iter().map(|example| example.tree).collect();
    // The seed trees; the large fixtures would take minutes at one full decode per bit.
    cases.extend([samples::simple(), samples::medium(), samples::deep(), samples::wide()]);
    cases.push(Tree::from_json_document(r#"{"a":[1,true,null,"x",{"b":-0.5e3}]}"#).unwrap());
    for tree in cases {
        let bytes = v2::encode(&tree).unwrap();
        for bit in 0..(bytes.len() - 4) * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            fix_crc32(&mut flipped);
            decodes_canonically(&flipped).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_trees_round_trip(tree in trees(TreeConfig { max_steps: 300, v1_safe: false })) {
        let bytes = v2::encode(&tree).unwrap();
        prop_assert_eq!(v2::encoded_len(&tree), bytes.len());
        // A reused encoder starts from the last tree's coding (a palette, or none): same bytes.
        for primer in [Tree::from_json_document(r#"{"a":[1,"x",null,true]}"#).unwrap(), samples::balanced(40)] {
            let mut encoder = v2::Encoder::new();
            let mut buf = Vec::new();
            encoder.encode_into(&primer, &mut buf).unwrap();
            buf.clear();
            encoder.encode_into(&tree, &mut buf).unwrap();
            prop_assert_eq!(&buf, &bytes);
        }
        prop_assert_eq!(v2::decode(&bytes).unwrap(), tree);
    }

    #[test]
    fn v2_is_smaller_than_v1(tree in trees(TreeConfig { max_steps: 300, v1_safe: true })) {
        let v1_len = v1::encode(&tree).unwrap().len();
        prop_assert!(v2::encode(&tree).unwrap().len() < v1_len);
    }

    #[test]
    fn arbitrary_bodies_with_a_valid_crc_decode_canonically_or_not_at_all(
        format in prop_oneof![Just(0xA0u8), Just(0xA1)],
        body in proptest::collection::vec(prop_oneof![Just(0x00u8), Just(0x20), Just(0x80), Just(0xC1), Just(0x1F), Just(0x7F), any::<u8>()], 0..40),
    ) {
        let mut raw = vec![format];
        raw.extend_from_slice(&body);
        let bytes = message(&raw);
        let _ = sigma_codec::inspect::inspect(&bytes);
        decodes_canonically(&bytes)?;
    }

    #[test]
    fn damaged_messages_with_a_fixed_crc_decode_canonically_or_not_at_all(
        tree in trees(TreeConfig { max_steps: 40, v1_safe: false }),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = v2::encode(&tree).unwrap();
        for (at, byte) in damage {
            let i = at.index(bytes.len() - 4);
            bytes[i] = byte;
        }
        fix_crc32(&mut bytes);
        decodes_canonically(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = sigma_codec::decode(&bytes);
        let _ = sigma_codec::inspect::inspect(&bytes);
    }
}

#[test]
fn hostile_bytes_give_the_right_errors() {
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        ("root with last bit", message(&[0xA0, 0x20]), Error::NonCanonicalRoot { offset: 1 }),
        ("palette and no node", message(&[0xA1, 0x01, 0x70]), Error::NoGlyphs { offset: 3 }),
        ("unclosed", message(&[0xA0, 0x80, 0x00]), Error::UnclosedComposite { offset: 3, open: 1 }),
        ("extra tree", message(&[0xA0, 0x00, 0x00]), Error::ExtraTree { offset: 2 }),
        (
            "escape of id 5",
            message(&[0xA0, 0x1F, 0x05]),
            Error::Glyph(sigma_glyph::Error::NonCanonicalEscape { offset: 1, id: 5 }),
        ),
        (
            "long length below 32,768",
            message(&[0xA0, 0x40, 0x80, 0x00, 0x00, 0x00, 0x00, 0x05, b'a']),
            Error::Glyph(sigma_glyph::Error::NonCanonicalLength { offset: 2, length: 5 }),
        ),
        (
            "a 4 GiB value claimed in a 10-byte message",
            message(&[0xA0, 0x40, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, b'a']),
            Error::Glyph(sigma_glyph::Error::UnexpectedEnd { offset: 8, needed: 0xFFFF_FFFF, available: 1 }),
        ),
        (
            "palette code past the palette",
            message(&[0xA1, 0x01, 0x70, 0x01]),
            Error::Glyph(sigma_glyph::Error::PaletteCode { offset: 3, code: 1, palette_len: 1 }),
        ),
        (
            "palette not ascending",
            message(&[0xA1, 0x02, 0x71, 0x70, 0x00]),
            Error::Glyph(sigma_glyph::Error::NonCanonicalPalette {
                offset: 3,
                reason: "palette entries must ascend strictly",
            }),
        ),
        (
            "palette where none pays",
            message(&[0xA1, 0x01, 0x70, 0x00]),
            Error::NonCanonicalCoding { offset: 0, reason: "this tree is smaller without a palette" },
        ),
        (
            // Offsets: format 0, root tag 1, length 2, "ab\xFF" 3..6: the bad byte is at 5.
            "invalid UTF-8 in the root's value",
            message(&[0xA0, 0x40, 0x03, b'a', b'b', 0xFF]),
            Error::Glyph(sigma_glyph::Error::InvalidUtf8 { offset: 5 }),
        ),
        (
            // "é" is C3 A9, split across two values: together the value bytes are UTF-8, but the
            // first value (at offset 6) is not on its own.
            "a character split across two values",
            message(&[0xA0, 0xC0, 0x01, b'x', 0x40, 0x01, 0xC3, 0x60, 0x01, 0xA9]),
            Error::Glyph(sigma_glyph::Error::InvalidUtf8 { offset: 6 }),
        ),
        (
            "invalid UTF-8 in a later leaf",
            message(&[0xA0, 0x80, 0x40, 0x01, b'a', 0x60, 0x02, b'b', 0x80]),
            Error::Glyph(sigma_glyph::Error::InvalidUtf8 { offset: 8 }),
        ),
        (
            "reserved flag",
            message(&[0xA8, 0x00]),
            Error::Glyph(sigma_glyph::Error::UnknownFlags { offset: 0, flags: 0x08 }),
        ),
        (
            "short-check flag without the compact flag",
            message(&[0xA4, 0x00]),
            Error::Glyph(sigma_glyph::Error::UnknownFlags { offset: 0, flags: 0x04 }),
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(v2::decode(&bytes).unwrap_err(), expected, "{name}");
    }
}

#[test]
fn limits_name_the_limit_and_the_value_found() {
    let chain = v2::encode(&samples::chain(100)).unwrap();
    let limited =
        |limits: DecodeLimits| v2::Decoder::new(limits).decode_into(&chain, &mut Tree::new()).unwrap_err();
    let base = DecodeLimits::DEFAULT;
    let err = limited(DecodeLimits { max_depth: 10, ..base });
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::Depth, found: 11, max: 10, .. }), "{err}");
    assert!(err.to_string().contains("--max-depth"), "{err}");
    let err = limited(DecodeLimits { max_nodes: 50, ..base });
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::Nodes, found: 51, max: 50, .. }), "{err}");
    let err = limited(DecodeLimits { max_value_bytes: 5, ..base });
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::ValueBytes, found: 6, max: 5, .. }), "{err}");
    let err = limited(DecodeLimits { max_bytes: 100, ..base });
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::Bytes, offset: 0, max: 100, .. }), "{err}");
    // The same limits hold for v1.
    let v1_bytes = v1::encode(&samples::chain(100)).unwrap();
    let err =
        sigma_codec::decode_with_limits(&v1_bytes, &DecodeLimits { max_depth: 10, ..base }).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::Depth, found: 11, .. }), "{err}");
}

/// A message appended to a buffer that already holds bytes is the same message: the CRC, folded
/// in every 8 KiB, once counted its position from the buffer's start instead of the message's
/// (a subtraction overflow in debug builds, a wrong CRC in release), which a silent fallback hid.
#[test]
fn messages_appended_to_a_non_empty_buffer_are_the_same_bytes() {
    for (name, tree) in fixture_trees() {
        let alone = v2::encode(&tree).unwrap();
        let mut buf = b"earlier bytes".to_vec();
        let len = v2::Encoder::new().encode_into(&tree, &mut buf).unwrap();
        assert_eq!(len, alone.len(), "{name}");
        assert_eq!(&buf[13..], &alone[..], "{name}");
        assert_eq!(v2::decode(&buf[13..]).unwrap(), tree, "{name}");
    }
}
