//! Properties of v1: arbitrary trees it can hold round-trip; arbitrary or damaged bytes never
//! panic, and whatever decodes is exactly what we would encode (so no wrong tree slips through).

use proptest::prelude::*;
use sigma_codec::v1;
use sigma_testkit::forge::{fix_v1_crc as fix_crc, v1_stream as stream, with_context_zero};
use sigma_testkit::{V1Example, v1_examples};
use sigma_tree::arbitrary::{TreeConfig, trees};

/// If `bytes` decode as a plain tree, encoding that tree gives `bytes` back (context id aside).
fn decodes_canonically(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = v1::decode_message(bytes)
        && message.kind == v1::MessageKind::Tree
    {
        prop_assert_eq!(v1::encode(&message.tree).unwrap(), with_context_zero(bytes));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn trees_v1_holds_round_trip(tree in trees(TreeConfig { max_steps: 300, v1_safe: true })) {
        let bytes = v1::encode(&tree).unwrap();
        prop_assert_eq!(v1::decode(&bytes).unwrap(), tree);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = sigma_codec::decode(&bytes);
        let _ = sigma_codec::inspect::inspect(&bytes);
    }

    #[test]
    fn arbitrary_glyphs_with_a_valid_crc_decode_canonically_or_not_at_all(
        count in 0u32..12,
        context in 0u32..4096,
        glyphs in proptest::collection::vec(prop_oneof![Just(0x0Bu8), Just(0xD0), Just(0x11), Just(0x20), Just(0x1F), any::<u8>()], 0..24),
    ) {
        let bytes = stream(0x4000_0000 | context << 12 | count, &glyphs);
        let _ = sigma_codec::inspect::inspect(&bytes);
        decodes_canonically(&bytes)?;
    }

    #[test]
    fn damaged_streams_with_a_fixed_crc_decode_canonically_or_not_at_all(
        tree in trees(TreeConfig { max_steps: 40, v1_safe: true }),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = v1::encode(&tree).unwrap();
        for (at, byte) in damage {
            let i = at.index(bytes.len() - 2);
            bytes[i] = byte;
        }
        fix_crc(&mut bytes);
        decodes_canonically(&bytes)?;
    }
}

#[test]
fn every_truncation_and_every_bit_flip_of_the_examples_is_an_error() {
    for V1Example { name, bytes, .. } in v1_examples() {
        for len in 0..bytes.len() {
            assert!(sigma_codec::decode(&bytes[..len]).is_err(), "{name} cut to {len} bytes");
            assert!(sigma_codec::inspect::inspect(&bytes[..len]).error.is_some());
        }
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(sigma_codec::decode(&flipped).is_err(), "{name} with bit {bit} flipped");
            // And with the CRC made to match, the flip decodes canonically or not at all.
            fix_crc(&mut flipped);
            decodes_canonically(&flipped).unwrap();
        }
    }
}
