//! Codebook files: what training writes reads back the same; every damage, and every file whose
//! patterns are not subtrees, is an error naming where; lengths and varints read from a file are
//! never trusted.

use sigma_codec::Error;
use sigma_codec::codebook::{Codebook, CodebookError, MAX_SAMPLE, PatternFault};
use sigma_glyph::Error as GlyphError;
use sigma_testkit::Stream;
use sigma_testkit::forge::with_crc32c;

/// A codebook file with `body` after the magic and version, and a correct CRC.
fn file(body: &[u8]) -> Vec<u8> {
    with_crc32c(&[&[0xCE, 0xA3, b'C', b'B', 0x02][..], body].concat())
}

#[test]
fn trained_codebooks_read_back_the_same() {
    let trees = Stream::CitmPerformances.trees();
    let codebook = Codebook::train(&trees[..40], 16).unwrap();
    assert!(!codebook.patterns().is_empty() && !codebook.sample().is_empty());
    let bytes = codebook.to_bytes();
    assert_eq!(Codebook::from_bytes(&bytes).unwrap(), codebook);
    for len in 0..bytes.len() {
        assert!(Codebook::from_bytes(&bytes[..len]).is_err(), "cut to {len}");
    }
    for bit in (0..bytes.len() * 8).step_by(5) {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(Codebook::from_bytes(&flipped).is_err(), "bit {bit}");
    }
}

#[test]
fn old_and_oversized_files_are_errors() {
    let mut old = file(&[0, 0]);
    old[4] = 1;
    let len = old.len();
    sigma_testkit::forge::fix_crc32c(&mut old, 0, len);
    let err = Codebook::from_bytes(&old).unwrap_err();
    assert_eq!(err, Error::Glyph(GlyphError::RetiredCodebookVersion { offset: 4, version: 1, expected: 2 }));
    assert!(err.to_string().contains("train it again"), "{err}");
    // A sample longer than the format allows, with a valid CRC.
    let mut long = vec![0x00]; // no patterns
    let huge = MAX_SAMPLE + 1;
    sigma_glyph::varint::write(&mut long, huge as u64);
    long.extend(std::iter::repeat_n(b'x', huge));
    assert_eq!(
        Codebook::from_bytes(&file(&long)),
        Err(Error::Glyph(GlyphError::FieldOutOfRange {
            offset: 6,
            field: "sample length",
            found: huge as u64,
            min: 0,
            max: MAX_SAMPLE as u64
        }))
    );
}

/// A fixed value's length is read from the file: `u64::MAX` once overflowed `pos + len` (a
/// panic in debug builds). It is a cut-short file.
#[test]
fn a_length_read_from_the_file_cannot_overflow() {
    let mut body = vec![0x01, 0x01]; // one pattern of one node
    body.extend_from_slice(&[0x02, 0x79, 0x01]); // fixed value, NUMBER, size 1
    body.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]); // length u64::MAX
    body.push(0x00); // empty sample
    let err = Codebook::from_bytes(&file(&body)).unwrap_err();
    assert!(matches!(err, Error::Glyph(GlyphError::UnexpectedEnd { offset: 20, .. })), "{err:?}");
}

/// The codebook's varints are canonical and 64 bits at most, as everywhere else: an overlong
/// form, and bits past the 64th (once silently dropped), are errors.
#[test]
fn codebook_varints_are_canonical() {
    // A node count of 1 written in two bytes.
    let overlong = [0x01, 0x81, 0x00, 0x00, 0x79, 0x01, 0x00];
    assert_eq!(
        Codebook::from_bytes(&file(&overlong)),
        Err(Error::Glyph(GlyphError::NonCanonicalVarint { offset: 6 }))
    );
    // A sample length of 2^64: bit 64 set, the rest zero (read as 0 by the old reader).
    let wide = [0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02];
    assert_eq!(
        Codebook::from_bytes(&file(&wide)),
        Err(Error::Glyph(GlyphError::VarintOverflow { offset: 6 }))
    );
}

#[test]
fn patterns_that_are_not_subtrees_are_errors() {
    // One pattern of two nodes: a root of size 2 whose kind says no children.
    let kind_disagrees = [0x01, 0x02, 0x00, 0x70, 0x02, 0x00, 0x78, 0x01, 0x00];
    assert_eq!(
        Codebook::from_bytes(&file(&kind_disagrees)),
        Err(Error::Codebook(CodebookError::NotASubtree {
            offset: 7,
            pattern: 0,
            node: 0,
            fault: PatternFault::Kind { has_children: false, size: 2 },
        }))
    );
    // A root of size 2 over three nodes.
    let short_root = [0x01, 0x03, 0x01, 0x70, 0x02, 0x00, 0x78, 0x01, 0x00, 0x78, 0x01, 0x00];
    assert_eq!(
        Codebook::from_bytes(&file(&short_root)),
        Err(Error::Codebook(CodebookError::NotASubtree {
            offset: 7,
            pattern: 0,
            node: 0,
            fault: PatternFault::Size { size: 2, room: 3 },
        }))
    );
    // A child whose subtree runs past its parent's.
    let overrun = [0x01, 0x03, 0x01, 0x70, 0x03, 0x01, 0x70, 0x03, 0x00, 0x78, 0x01];
    let err = Codebook::from_bytes(&file(&[&overrun[..], &[0x00]].concat())).unwrap_err();
    assert_eq!(
        err,
        Error::Codebook(CodebookError::NotASubtree {
            offset: 10,
            pattern: 0,
            node: 1,
            fault: PatternFault::Size { size: 3, room: 2 },
        })
    );
    assert_eq!(err.offset(), Some(10));
}
