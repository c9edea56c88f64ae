//! Views: the same tree as a decode, the same errors, its values borrowed from the message.

use proptest::prelude::*;
use sigma_codec::{DecodeLimits, Tree, v2};
use sigma_testkit::fixture_trees;
use sigma_tree::arbitrary::{TreeConfig, related_trees, trees};
use sigma_tree::samples;

/// `view` shows `tree`: node by node, and through `children`.
fn assert_shows(view: &v2::View<'_>, tree: &Tree) {
    assert_eq!(view.node_count(), tree.node_count());
    for (seen, expected) in view.nodes().zip(tree.nodes()) {
        assert_eq!(seen.primitive(), expected.primitive());
        assert_eq!(seen.value(), expected.value());
        assert_eq!(seen.subtree_size(), expected.subtree_size());
        assert_eq!(seen.has_children(), expected.has_children());
        assert_eq!(seen.is_last_sibling(), expected.is_last_sibling());
        let children: Vec<usize> = seen.children().map(|c| c.index()).collect();
        let expected_children: Vec<usize> = expected.children().map(|c| c.index()).collect();
        assert_eq!(children, expected_children);
    }
    assert_eq!(view.to_tree(), *tree);
}

#[test]
fn views_show_every_fixture_in_both_variants() {
    let mut decoder = v2::ViewDecoder::default();
    for (name, tree) in fixture_trees() {
        for bytes in [v2::encode(&tree).unwrap(), v2::encode_compact(&tree).unwrap()] {
            let view = decoder.decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_shows(&view, &tree);
        }
    }
}

#[test]
fn plain_views_borrow_their_values_from_the_message() {
    let tree = samples::medium();
    let bytes = v2::encode(&tree).unwrap();
    let mut decoder = v2::ViewDecoder::default();
    let view = decoder.decode(&bytes).unwrap();
    let range = bytes.as_ptr_range();
    for node in view.nodes() {
        let value = node.value_bytes().unwrap();
        assert!(range.contains(&value.as_ptr()), "{:?} is not in the message", node.value());
    }
}

/// The view decoder's result, as the tree decoder's: the same tree, or the same error.
fn agrees_with_decode(bytes: &[u8], limits: DecodeLimits) -> Result<(), TestCaseError> {
    let mut tree = Tree::new();
    let decoded = v2::Decoder::new(limits).decode_into(bytes, &mut tree);
    let mut decoder = v2::ViewDecoder::new(limits);
    match (decoder.decode(bytes), decoded) {
        (Ok(view), Ok(())) => prop_assert_eq!(view.to_tree(), tree),
        (Err(seen), Err(expected)) => prop_assert_eq!(seen, expected),
        (seen, expected) => {
            prop_assert!(false, "view {:?}, decode {:?}", seen.map(|v| v.to_tree()), expected)
        }
    }
    Ok(())
}

#[test]
fn hostile_messages_get_the_decoders_errors() {
    let cases: [&[u8]; 8] = [
        &[0xA0, 0x20],
        &[0xA1, 0x01, 0x70],
        &[0xA0, 0x80, 0x00],
        &[0xA0, 0x00, 0x00],
        &[0xA0, 0x1F, 0x05],
        &[0xA0, 0x40, 0x03, b'a', b'b', 0xFF],
        &[0xA0, 0xC0, 0x01, b'x', 0x40, 0x01, 0xC3, 0x60, 0x01, 0xA9],
        &[0xA1, 0x01, 0x70, 0x00],
    ];
    for body in cases {
        agrees_with_decode(&sigma_testkit::forge::with_crc32c(body), DecodeLimits::DEFAULT).unwrap();
    }
    let chain = v2::encode(&samples::chain(100)).unwrap();
    for limits in [
        DecodeLimits { max_depth: 10, ..DecodeLimits::DEFAULT },
        DecodeLimits { max_nodes: 50, ..DecodeLimits::DEFAULT },
        DecodeLimits { max_value_bytes: 5, ..DecodeLimits::DEFAULT },
        DecodeLimits { max_bytes: 100, ..DecodeLimits::DEFAULT },
    ] {
        agrees_with_decode(&chain, limits).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_trees_view_as_they_decode(tree in trees(TreeConfig { max_steps: 200, v1_safe: false })) {
        agrees_with_decode(&v2::encode(&tree).unwrap(), DecodeLimits::DEFAULT)?;
    }

    #[test]
    fn damaged_messages_view_as_they_decode(
        tree in related_trees(40),
        compact in any::<bool>(),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = if compact { v2::encode_compact(&tree).unwrap() } else { v2::encode(&tree).unwrap() };
        let check = if bytes[0] & 0x04 != 0 { 1 } else { 4 };
        for (at, byte) in damage {
            let i = at.index(bytes.len() - check);
            bytes[i] = byte;
        }
        let len = bytes.len();
        if check == 4 {
            sigma_testkit::forge::fix_crc32c(&mut bytes, 0, len);
        }
        agrees_with_decode(&bytes, DecodeLimits::DEFAULT)?;
    }

    #[test]
    fn arbitrary_bodies_view_as_they_decode(
        body in proptest::collection::vec(prop_oneof![Just(0x00u8), Just(0x20), Just(0x40), Just(0x60), Just(0x80), Just(0xC1), Just(0x1F), Just(0xE9), any::<u8>()], 0..40),
    ) {
        let mut raw = vec![0xA0];
        raw.extend_from_slice(&body);
        agrees_with_decode(&sigma_testkit::forge::with_crc32c(&raw), DecodeLimits::DEFAULT)?;
    }
}
