//! One test (or more) per way the reference goes wrong (docs/FORMAT.md, "Where the reference is
//! wrong"), and what we do instead.
//! Byte strings are spelled out field by field.

use sigma_codec::{Error, MessageFault, v1};
use sigma_glyph::Error as GlyphError;
use sigma_primitives::{Primitive, PrimitiveSet};
use sigma_testkit::forge::{fix_v1_crc as fix_crc, hex, v1_stream as stream};
use sigma_tree::{Tree, TreeBuilder, samples};

/// A `CLASS` root with `leaves` VARIABLE leaves: `leaves + 2` glyphs in v1.
fn wide(leaves: usize) -> Tree {
    let mut b = TreeBuilder::new();
    b.open(Primitive::CLASS, None).unwrap();
    for _ in 0..leaves {
        b.leaf(Primitive::VARIABLE, None).unwrap();
    }
    b.close().unwrap();
    b.finish().unwrap()
}

fn leaf(primitive: Primitive, value: &str) -> Tree {
    let mut b = TreeBuilder::new();
    b.leaf(primitive, Some(value)).unwrap();
    b.finish().unwrap()
}

// Row 1: the glyph count wraps at 4,096; larger trees decode silently truncated.

#[test]
fn row1_encode_refuses_more_than_4095_glyphs() {
    let fits = wide(4093);
    let bytes = v1::encode(&fits).unwrap();
    assert_eq!(&bytes[..4], &[0x40, 0x00, 0x0F, 0xFF], "4,095 glyphs");
    assert_eq!(v1::decode(&bytes).unwrap(), fits);

    let err = v1::encode(&wide(4094)).unwrap_err();
    assert_eq!(err, Error::V1TooManyGlyphs { glyphs: 4096, limit: 4095 });
    assert!(err.to_string().contains("at most 4095"), "{err}");
}

#[test]
fn row1_a_wrapped_count_is_an_error_not_a_truncated_tree() {
    // What the reference writes for CLASS with 4,095 leaves: 4,097 glyphs, count 4,097 & 0xFFF = 1.
    let mut glyphs = vec![0xD2]; // COMPOSITE CLASS (0x12), no payload
    glyphs.extend(std::iter::repeat_n(0x11, 4095)); // PRIMITIVE VARIABLE (0x11) x 4,095
    glyphs.push(0x0B); // end marker
    let bytes = stream(0x4000_0001, &glyphs);
    let err = v1::decode(&bytes).unwrap_err();
    // The one declared glyph is an open composite; the rest are undeclared bytes.
    assert_eq!(err, Error::Glyph(GlyphError::TrailingBytes { offset: 5, count: 4096, declared: 1 }));
}

// Row 2: values of 32,768–65,535 bytes corrupt the length prefix.

#[test]
fn row2_encode_refuses_values_over_32767_bytes() {
    let longest = leaf(Primitive::STRING, &"a".repeat(32_767));
    let bytes = v1::encode(&longest).unwrap();
    assert_eq!(&bytes[4..8], &[0x3F, 0x78, 0xFF, 0xFF], "escaped STRING, two-byte length 0x7fff");
    assert_eq!(v1::decode(&bytes).unwrap(), longest);

    for len in [32_768, 65_535, 70_000] {
        let err = v1::encode(&leaf(Primitive::STRING, &"a".repeat(len))).unwrap_err();
        assert_eq!(err, Error::V1ValueTooLong { node: 0, length: len, limit: 32_767 });
    }
}

#[test]
fn row2_the_references_corrupt_prefix_is_rejected() {
    // The reference writes a 32,768-byte value's length as 0x80 | (0x8000 >> 8) = 0x80, 0x00:
    // a two-byte prefix for length 0, which is not canonical.
    let mut glyphs = vec![0x3F, 0x78, 0x80, 0x00];
    glyphs.extend(std::iter::repeat_n(b'a', 32_768));
    let err = v1::decode(&stream(0x4000_0001, &glyphs)).unwrap_err();
    assert_eq!(err, Error::Glyph(GlyphError::NonCanonicalLength { offset: 6, length: 0 }));
}

// Row 3: a leaf with primitive 0x0B inside a composite reads as the end marker.

#[test]
fn row3_encode_refuses_a_0x0b_leaf_inside_a_composite() {
    for value in [None, Some("kept?")] {
        let mut b = TreeBuilder::new();
        b.open(Primitive::FUNCTION, None).unwrap();
        b.leaf(Primitive::VARIABLE, None).unwrap();
        b.leaf(Primitive::COMPOSITE, value).unwrap();
        b.close().unwrap();
        let err = v1::encode(&b.finish().unwrap()).unwrap_err();
        assert_eq!(err, Error::V1EndMarkerLeaf { node: 2 });
    }
    // As the root it is no end marker: `0B` alone is a whole tree.
    let mut b = TreeBuilder::new();
    b.leaf(Primitive::COMPOSITE, None).unwrap();
    let root = b.finish().unwrap();
    let bytes = v1::encode(&root).unwrap();
    assert_eq!(hex(&bytes[4..bytes.len() - 2]), "0b");
    assert_eq!(v1::decode(&bytes).unwrap(), root);
}

#[test]
fn row3_the_references_ambiguous_bytes_are_rejected() {
    // FUNCTION [COMPOSITE] as the reference writes it: D0 (composite FUNCTION), 0B (the leaf),
    // 0B (end marker). The reference reads a childless FUNCTION and ignores the rest.
    let err = v1::decode(&stream(0x4000_0003, &[0xD0, 0x0B, 0x0B])).unwrap_err();
    assert_eq!(err, Error::EmptyComposite { offset: 5 });
    // FUNCTION [COMPOSITE "a"]: D0, 2B 01 61, 0B. The reference drops "a" and the leaf.
    let err = v1::decode(&stream(0x4000_0003, &[0xD0, 0x2B, 0x01, b'a', 0x0B])).unwrap_err();
    assert_eq!(err, Error::AmbiguousEndMarker { offset: 5 });
}

// Row 4: glyphs parsed before the CRC is checked; junk, short counts, bad versions accepted.

#[test]
fn row4_checksum_is_checked_before_any_glyph() {
    // A glyph byte that would be a non-canonical escape, but the CRC is wrong: CRC error first.
    let mut bytes = stream(0x4000_0001, &[0x1F, 0x05]);
    bytes[5] = 0x06;
    assert!(matches!(v1::decode(&bytes), Err(Error::Glyph(GlyphError::ChecksumMismatch { offset: 6, .. }))));
}

#[test]
fn row4_every_kind_of_bad_stream_is_its_own_error() {
    let medium = v1::encode(&samples::medium()).unwrap();
    let mut trailing = medium.clone();
    trailing.insert(31, 0x00);
    fix_crc(&mut trailing);

    let cases: Vec<(&str, Vec<u8>, GlyphError)> = vec![
        ("empty after header", vec![0x40, 0x00, 0x00], GlyphError::TooShort { len: 3, min: 6 }),
        ("trailing junk", trailing, GlyphError::TrailingBytes { offset: 31, count: 1, declared: 6 }),
        (
            "short count: 7 declared, 6 present",
            stream(0x4000_0007, &medium[4..31]),
            GlyphError::GlyphCountMismatch { offset: 31, declared: 7, found: 6 },
        ),
        (
            "version 0",
            stream(0x0000_0001, &[0x00]),
            GlyphError::UnsupportedVersion { offset: 0, version: 0, expected: 1 },
        ),
        (
            "version 2",
            stream(0x8000_0001, &[0x00]),
            GlyphError::UnsupportedVersion { offset: 0, version: 2, expected: 1 },
        ),
        ("flags", stream(0x4100_0001, &[0x00]), GlyphError::UnknownFlags { offset: 0, flags: 1 }),
        (
            "escape of id 5",
            stream(0x4000_0001, &[0x1F, 0x05]), // PRIMITIVE, escape, id 5
            GlyphError::NonCanonicalEscape { offset: 4, id: 5 },
        ),
        (
            "two-byte length 5",
            stream(0x4000_0001, &[0x20, 0x80, 0x05, 1, 2, 3, 4, 5]), // ENTITY, payload, 0x80 0x05
            GlyphError::NonCanonicalLength { offset: 5, length: 5 },
        ),
        (
            "invalid UTF-8",
            stream(0x4000_0001, &[0x20, 0x03, b'a', 0xFF, b'b']), // ENTITY, 3 bytes "a\xffb"
            GlyphError::InvalidUtf8 { offset: 7 },
        ),
        (
            "payload past the end",
            stream(0x4000_0001, &[0x20, 0x09, b'a']), // ENTITY, 9 bytes, only 1 there
            GlyphError::UnexpectedEnd { offset: 6, needed: 9, available: 1 },
        ),
    ];
    for (name, bytes, expected) in cases {
        let err = v1::decode(&bytes).unwrap_err();
        assert_eq!(err, Error::Glyph(expected.clone()), "{name}");
        assert_eq!(err.offset(), expected.offset(), "{name}");
    }
    // A first byte outside 0x40-0x7f is no v1 stream at all.
    assert_eq!(sigma_codec::decode(&stream(0x8000_0001, &[0])), Err(Error::UnknownFormat { byte: 0x80 }));
    assert_eq!(sigma_codec::decode(&[]), Err(Error::EmptyInput));
}

#[test]
fn row4_structural_errors_name_their_offset() {
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        ("no glyphs", stream(0x4000_0000, &[]), Error::NoGlyphs { offset: 4 }),
        (
            "unclosed composite",
            stream(0x4000_0002, &[0xD0, 0x11]), // FUNCTION [VARIABLE  (no end marker)
            Error::UnclosedComposite { offset: 6, open: 1 },
        ),
        ("two roots", stream(0x4000_0002, &[0x11, 0x11]), Error::ExtraTree { offset: 5 }),
        (
            "DELTA glyph inside a tree",
            stream(0x4000_0003, &[0xD0, 0x8C, 0x0B]),
            Error::UnexpectedGlyph { offset: 5, kind: "DELTA" },
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(v1::decode(&bytes).unwrap_err(), expected, "{name}");
    }
}

#[test]
fn row4_any_context_id_is_accepted() {
    // The reference writes an arbitrary context id once its encoder has context.
    let medium = v1::encode(&samples::medium()).unwrap();
    let bytes = stream(0x40AB_C006, &medium[4..31]);
    let message = v1::decode_message(&bytes).unwrap();
    assert_eq!(message.header.context_id, 0xABC);
    assert_eq!(message.tree, samples::medium());
}

// Row 5: the DELTA message decodes as its first new primitive, losing the tree.

/// DELTA glyph: type DELTA, has payload, TRANSFORM (0x0C) = 0xAC; length 4; context id.
const DELTA_HEAD: [u8; 6] = [0xAC, 0x04, 0xDE, 0xAD, 0xBE, 0xEF];

#[test]
fn row5_delta_message_decodes_to_its_tree() {
    let medium = v1::encode(&samples::medium()).unwrap();
    let mut glyphs = DELTA_HEAD.to_vec();
    glyphs.extend_from_slice(&[0x11, 0x17]); // new since the last tree: VARIABLE, PARAMETER
    glyphs.extend_from_slice(&medium[4..31]); // the whole tree
    let bytes = stream(0x4000_0009, &glyphs);
    let message = v1::decode_message(&bytes).unwrap();
    assert_eq!(message.tree, samples::medium());
    let new: PrimitiveSet = [Primitive::VARIABLE, Primitive::PARAMETER].into_iter().collect();
    assert_eq!(message.kind, v1::MessageKind::Delta { base_context: 0xDEAD_BEEF, new_primitives: new });
    assert_eq!(v1::decode(&bytes).unwrap(), samples::medium());

    // With no new primitives the tree follows the DELTA glyph at once.
    let mut glyphs = DELTA_HEAD.to_vec();
    glyphs.extend_from_slice(&medium[4..31]);
    assert_eq!(v1::decode(&stream(0x4000_0007, &glyphs)).unwrap(), samples::medium());
}

#[test]
fn row5_malformed_delta_messages_are_errors() {
    let medium = v1::encode(&samples::medium()).unwrap();
    let with = |between: &[u8], tree: &[u8], count: u32| {
        let mut glyphs = DELTA_HEAD.to_vec();
        glyphs.extend_from_slice(between);
        glyphs.extend_from_slice(tree);
        v1::decode(&stream(0x4000_0000 | count, &glyphs)).unwrap_err()
    };
    let fault = |offset: usize, fault: MessageFault| Error::MalformedMessage { offset, fault };
    assert_eq!(with(&[], &[], 1), fault(10, MessageFault::NoTreeAfterDelta));
    assert_eq!(with(&[0x17, 0x11], &medium[4..31], 9), fault(11, MessageFault::NewPrimitivesNotAscending));
    assert_eq!(with(&[0x05], &medium[4..31], 8), fault(11, MessageFault::UnusedNewPrimitive));
    assert_eq!(with(&[0x20, 0x00], &medium[4..31], 8), fault(10, MessageFault::NotABarePrimitive));
    // Wrong primitive or payload on the DELTA glyph itself.
    assert_eq!(
        v1::decode(&stream(0x4000_0002, &[0xAD, 0x04, 0, 0, 0, 0, 0x11])),
        Err(fault(4, MessageFault::DeltaNotTransform))
    );
    assert_eq!(
        v1::decode(&stream(0x4000_0002, &[0xAC, 0x02, 0, 0, 0x11])),
        Err(fault(4, MessageFault::DeltaPayloadNotContextId))
    );
}

// Row 6: REFERENCE messages resolve only inside the encoding process, by a colliding hash.

#[test]
fn row6_a_standalone_reference_is_unresolvable() {
    // REFERENCE glyph: type REFERENCE, has payload, REFERENCE (0x0A) = 0x6A; length 4; hash.
    let err = v1::decode(&stream(0x4000_0001, &[0x6A, 0x04, 0x12, 0x34, 0x56, 0x78])).unwrap_err();
    assert_eq!(err, Error::UnresolvableReference { offset: 4, target: "sigma bank hash 0x12345678".into() });
    // A codebook pattern reference: REFERENCE type, escaped id 0x80, no payload.
    let err = v1::decode(&stream(0x4000_0001, &[0x5F, 0x80])).unwrap_err();
    assert_eq!(err, Error::UnresolvableReference { offset: 4, target: "codebook pattern LEARNED_0".into() });
    // Anything else after a REFERENCE glyph is not a reference message.
    let err = v1::decode(&stream(0x4000_0002, &[0x6A, 0x04, 0x12, 0x34, 0x56, 0x78, 0x11])).unwrap_err();
    assert_eq!(err, Error::ExtraTree { offset: 10 });
}

// Row 7: the per-encoder glyph cache can write the wrong glyph type for repeated pairs.

#[test]
fn row7_repeated_primitive_value_pairs_keep_their_own_glyph_types() {
    // LIST "a" [LIST "a" [LIST "a"], LIST "a"]: the same pair as composite and as leaf.
    let tree = Tree::from_tree_json(
        r#"{"p":112,"v":"a","c":[{"p":112,"v":"a","c":[{"p":112,"v":"a"}]},{"p":112,"v":"a"}]}"#,
    )
    .unwrap();
    let bytes = v1::encode(&tree).unwrap();
    let composite = "ff700161"; // COMPOSITE | payload | escape, 0x70, length 1, "a"
    let leaf = "3f700161"; // PRIMITIVE | payload | escape, 0x70, length 1, "a"
    assert_eq!(hex(&bytes[4..bytes.len() - 2]), format!("{composite}{composite}{leaf}0b{leaf}0b"));
    assert_eq!(v1::decode(&bytes).unwrap(), tree);
}

// Row 8: recursion fails past ~200 levels.

#[test]
fn row8_deepest_v1_chain_round_trips_on_a_small_stack() {
    // 2,048 nodes: 2,048 glyphs + 2,047 end markers = 4,095, v1's most.
    let chain = samples::chain(2048);
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let bytes = v1::encode(&chain).unwrap();
            assert_eq!(v1::decode(&bytes).unwrap(), chain);
            assert_eq!(chain.depth(), 2048);
        })
        .unwrap();
    handle.join().unwrap();
}
