//! Codebook files: what training writes reads back the same; every damage, and every file whose
//! patterns are not subtrees, is an error naming where; lengths and varints read from a file are
//! never trusted.

use sigma_codec::Error;
use sigma_codec::codebook::{Codebook, CodebookError, MAX_SAMPLE, PatternFault};
use sigma_glyph::Error as GlyphError;
use sigma_testkit::Stream;
use sigma_testkit::forge::with_crc32c;

/// A version 2 codebook file (no dictionary) with `body` after the magic and version, and a
/// correct CRC.
fn file(body: &[u8]) -> Vec<u8> {
    with_crc32c(&[&[0xCE, 0xA3, b'C', b'B', 0x02][..], body].concat())
}

/// A version 3 codebook file of no patterns and no sample, with this dictionary.
fn file_with_dictionary(dictionary: &[u8]) -> Vec<u8> {
    let mut body = vec![0xCE, 0xA3, b'C', b'B', 0x03, 0x00, 0x00];
    sigma_glyph::varint::write(&mut body, dictionary.len() as u64);
    body.extend_from_slice(dictionary);
    with_crc32c(&body)
}

#[test]
fn trained_codebooks_hold_a_zstd_dictionary_checked_when_read() {
    let trees = Stream::TwitterStatuses.trees();
    let (train, test) = trees.split_at(trees.len() / 2);
    let codebook = Codebook::train(train, 128).unwrap();
    let dictionary = codebook.dictionary();
    assert!(
        dictionary.starts_with(&[0x37, 0xA4, 0x30, 0xEC]) && dictionary.len() > 1024,
        "a zstd dictionary"
    );
    assert_eq!(Codebook::train(train, 128).unwrap().to_bytes(), codebook.to_bytes(), "deterministic");
    // It is what a zstd-coded session uses: without it the same stream is larger.
    let without = Codebook::from_bytes(&{
        let mut bytes = codebook.to_bytes();
        // Cut the dictionary's length, the dictionary and the CRC.
        let length_len = sigma_glyph::varint::encoded_len(dictionary.len() as u64);
        bytes.truncate(bytes.len() - 4 - dictionary.len() - length_len);
        bytes.extend_from_slice(&[0x00, 0, 0, 0, 0]); // no dictionary, room for the CRC
        let len = bytes.len();
        sigma_testkit::forge::fix_crc32c(&mut bytes, 0, len);
        bytes
    })
    .unwrap();
    assert!(without.dictionary().is_empty() && without.patterns() == codebook.patterns());
    let size = |c: Codebook| {
        sigma_codec::session::encode_stream_with(test, Default::default(), Some(std::sync::Arc::new(c)))
            .unwrap()
            .len()
    };
    let (with_dictionary, with_sample) = (size(codebook.clone()), size(without));
    assert!(with_dictionary < with_sample, "{with_dictionary} vs {with_sample}");

    // A dictionary that is not zstd's, or that zstd cannot load, is an error at its offset.
    assert_eq!(
        Codebook::from_bytes(&file_with_dictionary(b"hello")),
        Err(Error::Codebook(CodebookError::Dictionary {
            offset: 8,
            reason: "it does not start with zstd's dictionary magic"
        }))
    );
    let mut damaged = dictionary[..64].to_vec();
    damaged[12..].fill(0xFF);
    let err = Codebook::from_bytes(&file_with_dictionary(&damaged)).unwrap_err();
    assert!(matches!(err, Error::Codebook(CodebookError::Dictionary { offset: 8, .. })), "{err}");
    // An empty one is none: the session uses the sample.
    assert!(Codebook::from_bytes(&file_with_dictionary(b"")).unwrap().dictionary().is_empty());
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
    assert_eq!(err, Error::Glyph(GlyphError::RetiredCodebookVersion { offset: 4, version: 1, expected: 3 }));
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
