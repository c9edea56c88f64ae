//! Compact v2: every fixture round-trips and is smaller than plain v2; damaged bytes are errors;
//! arbitrary trees round-trip; every value is in its one canonical form; references cannot make
//! a decoder do more than its limits allow.

use proptest::prelude::*;
use sigma_codec::{DecodeLimits, Error, Limit, v2};
use sigma_glyph::v2::compact::slot;
use sigma_glyph::v2::compact::{SHORT_CHECK_FLAG, crc8};
use sigma_testkit::fixture_trees;
use sigma_tree::arbitrary::{TreeConfig, related_trees, trees};
use sigma_tree::{Tree, samples};

/// Sets the check of a compact message to match its bytes, with the width its format byte says
/// (messages too short for it are left alone).
fn fix_check(bytes: &mut [u8]) {
    let len = bytes.len();
    if bytes[0] & SHORT_CHECK_FLAG != 0 && len >= 2 {
        bytes[len - 1] = crc8(&bytes[..len - 1]);
    } else if len >= 5 {
        sigma_testkit::forge::fix_crc32c(bytes, 0, len);
    }
}

use sigma_testkit::forge::compact_message as message;

fn round_trip(tree: &Tree) -> Vec<u8> {
    let bytes = v2::encode_compact(tree).unwrap();
    assert_eq!(v2::decode(&bytes).unwrap(), *tree);
    assert_eq!(sigma_codec::decode(&bytes).unwrap(), *tree);
    bytes
}

#[test]
fn every_fixture_round_trips_and_is_no_larger_than_plain() {
    for (name, tree) in fixture_trees() {
        let compact = round_trip(&tree);
        let plain = v2::encode(&tree).unwrap();
        println!("{name}: compact {} bytes, plain {}", compact.len(), plain.len());
        assert!(compact.len() <= plain.len(), "{name}: {} > {}", compact.len(), plain.len());
    }
}

/// Fresh encoders and decoders, and ones reused after other trees, give the same bytes and trees.
#[test]
fn reused_encoders_and_decoders_give_the_same_bytes_and_trees() {
    let fixtures = fixture_trees();
    let mut encoder = v2::Encoder::compact();
    let mut decoder = v2::Decoder::default();
    let mut buf = Vec::new();
    let mut tree = Tree::new();
    for _ in 0..2 {
        for (name, expected) in &fixtures {
            buf.clear();
            encoder.encode_into(expected, &mut buf).unwrap();
            assert_eq!(buf, v2::encode_compact(expected).unwrap(), "{name}");
            decoder.decode_into(&buf, &mut tree).unwrap();
            assert_eq!(&tree, expected, "{name}");
        }
    }
}

#[test]
fn bytes_spelled_out() {
    // One leaf: format (compact, short check), tag, header (4 << 2: a literal of 4), "user",
    // CRC-8: eight bytes, as many as bitcode's.
    let simple = v2::encode_compact(&samples::simple()).unwrap();
    assert_eq!(simple[..7], [0xA6, 0x40, 0x10, b'u', b's', b'e', b'r']);
    assert_eq!(simple, message(&simple[..7]));

    // A reference, a packed number and a prefix.
    let tree = Tree::from_json_document(r#"[{"id":1,"name":"node_1"},{"id":22,"name":"node_2"}]"#).unwrap();
    let bytes = v2::encode_compact(&tree).unwrap();
    let reference = |value: &str| (slot(value.as_bytes()) as u32) << 2 | 1;
    let mut expected = vec![0xA3, 5, 0x70, 0x71, 0x78, 0x79, 0x7F]; // compact, palette of 5
    expected.extend([0x80, 0x81]); // LIST, DICT
    expected.extend([0xC4, 2 << 2, b'i', b'd']); // RECORD "id"
    expected.extend([0x63, 1 << 2, b'1']); // NUMBER "1": one character, a literal
    expected.extend([0xE4, 4 << 2]); // RECORD "name", last
    expected.extend(b"name");
    expected.extend([0x62, 6 << 2]); // STRING "node_1", last (shares one byte with "name")
    expected.extend(b"node_1");
    expected.extend([0xA1, 0xC4]); // DICT, last; RECORD "id": a reference to its slot
    let id = reference("id");
    expected.extend(if id < 0x80 { vec![id as u8] } else { vec![id as u8 | 0x80, (id >> 7) as u8] });
    expected.extend([0x63, 2 << 2 | 2, 0x22]); // NUMBER "22": packed
    expected.push(0xE4); // RECORD "name": a reference
    let name = reference("name");
    expected.extend(if name < 0x80 { vec![name as u8] } else { vec![name as u8 | 0x80, (name >> 7) as u8] });
    expected.extend([0x62, 1 << 2 | 3, 5, b'2']); // STRING "node_2": "node_" of "node_1", then "2"
    assert_eq!(bytes, message(&expected));
    assert_eq!(v2::decode(&bytes).unwrap(), tree);
}

#[test]
fn every_truncation_and_bit_flip_is_an_error() {
    let mut cases = fixture_trees();
    cases.push(("json".into(), Tree::from_json_document(r#"[{"id":1,"name":"node_1"},{"id":22}]"#).unwrap()));
    for (name, tree) in cases {
        let bytes = v2::encode_compact(&tree).unwrap();
        sigma_testkit::forge::assert_every_cut_and_flip_fails(&name, &bytes, |b| {
            sigma_codec::decode(b).is_err()
        });
    }
}

/// If `bytes` decode, they are exactly what encoding the tree compactly gives.
fn decodes_canonically(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(tree) = v2::decode(bytes) {
        prop_assert_eq!(v2::encode_compact(&tree).unwrap(), bytes.to_vec());
    }
    Ok(())
}

#[test]
fn bit_flips_with_the_check_fixed_decode_canonically_or_not_at_all() {
    let mut cases = vec![samples::simple(), samples::medium(), samples::deep(), samples::wide()];
    cases.push(Tree::from_json_document(r#"{"a":[1,true,null,"x",{"b":-0.5e3,"a":"ab"}],"c":"a"}"#).unwrap());
    cases.push(Tree::from_json_document(r#"[{"id":1,"name":"node_1"},{"id":22,"name":"node_2"}]"#).unwrap());
    for tree in cases {
        let bytes = v2::encode_compact(&tree).unwrap();
        let check = if bytes[0] & SHORT_CHECK_FLAG != 0 { 1 } else { 4 };
        for bit in 0..(bytes.len() - check) * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            fix_check(&mut flipped);
            decodes_canonically(&flipped).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_trees_round_trip(tree in trees(TreeConfig { max_steps: 300, v1_safe: false })) {
        prop_assert_eq!(v2::decode(&v2::encode_compact(&tree).unwrap()).unwrap(), tree);
    }

    #[test]
    fn related_trees_round_trip_canonically(tree in related_trees(300)) {
        let bytes = v2::encode_compact(&tree).unwrap();
        prop_assert_eq!(&v2::decode(&bytes).unwrap(), &tree);
        // The same bytes from an encoder that last wrote a tree with a palette.
        let mut encoder = v2::Encoder::compact();
        let mut buf = Vec::new();
        encoder.encode_into(&Tree::from_json_document(r#"{"a":[1,"x",null,true]}"#).unwrap(), &mut buf).unwrap();
        buf.clear();
        encoder.encode_into(&tree, &mut buf).unwrap();
        prop_assert_eq!(buf, bytes);
    }

    #[test]
    fn arbitrary_bodies_with_a_valid_check_decode_canonically_or_not_at_all(
        format in prop_oneof![Just(0xA2u8), Just(0xA3)],
        body in proptest::collection::vec(prop_oneof![
            Just(0x00u8), Just(0x01), Just(0x02), Just(0x03), Just(0x04), Just(0x05), Just(0x20),
            Just(0x40), Just(0x60), Just(0x80), Just(0xC1), Just(0x1F), Just(0x7F), Just(b'a'),
            Just(b'1'), Just(0x12), any::<u8>(),
        ], 0..40),
    ) {
        let mut raw = vec![format];
        raw.extend_from_slice(&body);
        let bytes = message(&raw);
        let _ = sigma_codec::inspect::inspect(&bytes);
        decodes_canonically(&bytes)?;
    }

    #[test]
    fn damaged_messages_with_a_fixed_check_decode_canonically_or_not_at_all(
        tree in related_trees(40),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = v2::encode_compact(&tree).unwrap();
        let check = if bytes[0] & SHORT_CHECK_FLAG != 0 { 1 } else { 4 };
        for (at, byte) in damage {
            let i = at.index(bytes.len() - check);
            bytes[i] = byte;
        }
        fix_check(&mut bytes);
        let _ = sigma_codec::inspect::inspect(&bytes);
        decodes_canonically(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = bytes;
        if let Some(first) = bytes.first_mut() {
            *first = 0xA2 | (*first & 0x0D);
        }
        let _ = sigma_codec::decode(&bytes);
        let _ = sigma_codec::inspect::inspect(&bytes);
    }
}

#[test]
fn hostile_bytes_give_the_right_errors() {
    use sigma_glyph::Error as G;
    let non_canonical = |offset, reason| Error::Glyph(G::NonCanonicalValue { offset, reason });
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        (
            "a reference to an empty slot",
            message(&[0xA2, 0x40, 0x05]),
            Error::Glyph(G::BadReference { offset: 2, slot: 1 }),
        ),
        (
            "a repeated value written out again",
            message(&[0xA2, 0x80, 0x40, 2 << 2, b'i', b'd', 0x60, 2 << 2, b'i', b'd']),
            non_canonical(7, "a value its slot holds is a reference to the slot"),
        ),
        (
            "a number written as a literal",
            message(&[0xA2, 0x40, 2 << 2, b'1', b'2']),
            non_canonical(2, "a value of number characters is a packed number"),
        ),
        (
            "a one-character number packed",
            message(&[0xA2, 0x40, 1 << 2 | 2, 0x1F]),
            non_canonical(2, "a one-character number is a literal"),
        ),
        (
            "a pad inside a number",
            message(&[0xA2, 0x40, 4 << 2 | 2, 0x1F, 0x23]),
            non_canonical(
                3,
                "a packed number holds a pad (0xF) where a character belongs, or lacks it after an odd count",
            ),
        ),
        (
            "an odd number without its pad",
            message(&[0xA2, 0x40, 3 << 2 | 2, 0x12, 0x34]),
            non_canonical(
                4,
                "a packed number holds a pad (0xF) where a character belongs, or lacks it after an odd count",
            ),
        ),
        (
            "a prefix of nothing",
            message(&[0xA2, 0x40, 1 << 2 | 3, 4, b'x']),
            non_canonical(2, "a prefix value shares more bytes than the previous text value has"),
        ),
        (
            "a prefix shared byte of 0",
            message(&[0xA2, 0x40, 1 << 2 | 3, 0, b'x']),
            non_canonical(3, "a prefix value shares at least one byte"),
        ),
        (
            "a prefix of three bytes",
            message(&[0xA2, 0x80, 0x40, 4 << 2, b'a', b'b', b'c', b'd', 0x60, 1 << 2 | 3, 3, b'x']),
            non_canonical(9, "a value sharing fewer than 4 bytes with the previous text value is no prefix"),
        ),
        (
            "a literal that shares four bytes",
            message(&[
                0xA2,
                0x80,
                0x40,
                4 << 2,
                b'a',
                b'b',
                b'c',
                b'd',
                0x60,
                5 << 2,
                b'a',
                b'b',
                b'c',
                b'd',
                b'e',
            ]),
            non_canonical(9, "a value sharing 4 bytes or more with the previous text value is a prefix"),
        ),
        (
            "a prefix that could share more",
            message(&[
                0xA2,
                0x80,
                0x40,
                5 << 2,
                b'a',
                b'b',
                b'c',
                b'd',
                b'e',
                0x60,
                2 << 2 | 3,
                4,
                b'e',
                b'x',
            ]),
            non_canonical(
                10,
                "a prefix value shares all it can with the previous text value (up to 255 bytes)",
            ),
        ),
        (
            "a prefix that makes a number",
            message(&[0xA2, 0x80, 0x40, 5 << 2, b'2', b'0', b'1', b'4', b'x', 0x60, 1 << 2 | 3, 4, b'5']),
            non_canonical(10, "a value of number characters is a packed number"),
        ),
        (
            "a value header past 2^32",
            message(&[0xA2, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
            Error::Glyph(G::FieldOutOfRange {
                offset: 2,
                field: "value header",
                found: (1 << 35) - 1,
                min: 0,
                max: (u64::from(u32::MAX) << 2) | 3,
            }),
        ),
        (
            "a four-byte check on a short message",
            sigma_testkit::forge::with_crc32c(&[0xA2, 0x40, 2 << 2, b'i', b'd']),
            Error::Glyph(G::NonCanonicalCheck { offset: 0, covered: 5, short: false }),
        ),
        (
            "a one-byte check on a long message",
            {
                let mut bytes = vec![0xA6, 0x40, 14 << 2];
                bytes.extend_from_slice(b"abcdefghijklmn");
                bytes.push(crc8(&bytes));
                bytes
            },
            Error::Glyph(G::NonCanonicalCheck { offset: 0, covered: 17, short: true }),
        ),
        (
            "a short check on a plain message",
            sigma_testkit::forge::with_crc32c(&[0xA4, 0x00]),
            Error::Glyph(G::UnknownFlags { offset: 0, flags: 0x04 }),
        ),
        (
            // "é" is C3 A9: a prefix can share the first byte of a character, but the character
            // must be whole in the value it makes.
            "a prefix that splits a character",
            message(&[
                0xA2,
                0x80,
                0x40,
                6 << 2,
                b'a',
                b'b',
                b'c',
                b'd',
                0xC3,
                0xA9,
                0x60,
                1 << 2 | 3,
                5,
                b'x',
            ]),
            Error::Glyph(G::InvalidUtf8 { offset: 13 }),
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(v2::decode(&bytes).unwrap_err(), expected, "{name}: {bytes:02x?}");
    }
}

/// References can make values larger than their message; the total is checked before each
/// value is added, so a message built to multiply itself stops at the limit.
#[test]
fn references_cannot_outgrow_the_limits() {
    let bytes = sigma_testkit::forge::compact_reference_bomb();
    let limits = DecodeLimits { max_total_value_bytes: 1 << 20, ..DecodeLimits::DEFAULT };
    let err = v2::Decoder::new(limits).decode_into(&bytes, &mut Tree::new()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded { limit: Limit::TotalValueBytes, found: 1_049_001, max: 1_048_576, .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("--max-total-value-bytes"), "{err}");
    // Within the limit it decodes, every reference its own copy.
    let tree = v2::Decoder::new(DecodeLimits::UNLIMITED).decode_into(&bytes, &mut Tree::new());
    assert!(tree.is_ok(), "{tree:?}");
    // One value over `max_value_bytes` is refused whether written out or referred to.
    let limits = DecodeLimits { max_value_bytes: 999, ..DecodeLimits::DEFAULT };
    let err = v2::Decoder::new(limits).decode_into(&bytes, &mut Tree::new()).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit: Limit::ValueBytes, found: 1000, .. }), "{err}");
}

#[test]
fn the_plain_reader_refuses_compact_messages_and_the_reverse() {
    let compact = v2::encode_compact(&samples::medium()).unwrap();
    let plain = v2::encode(&samples::medium()).unwrap();
    assert!(matches!(sigma_glyph::v2::Reader::new(&compact), Err(sigma_glyph::Error::BadFormatByte { .. })));
    assert!(matches!(
        sigma_glyph::v2::CompactReader::new(&plain),
        Err(sigma_glyph::Error::BadFormatByte { .. })
    ));
    assert_eq!(sigma_codec::detect(&compact).unwrap(), sigma_codec::Format::V2);
}
