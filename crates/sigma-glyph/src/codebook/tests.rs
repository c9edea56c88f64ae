//! Codebook file bytes, field by field, both ways; and each read error with its offset.

use super::*;
use crate::Error;
use crate::v2::crc32c;

const NODES: [PatternNode<'static>; 3] = [
    PatternNode { offset: 0, has_children: true, primitive: 0x71, size: 3, value: NodeValue::None },
    PatternNode { offset: 0, has_children: true, primitive: 0x7F, size: 2, value: NodeValue::Fixed("id") },
    PatternNode { offset: 0, has_children: false, primitive: 0x79, size: 1, value: NodeValue::Hole },
];

fn file() -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = Writer::new(&mut out, 1);
    writer.pattern(NODES.len());
    for node in &NODES {
        writer.node(node);
    }
    writer.finish(b"xyz", b"dict");
    out
}

#[test]
fn a_file_is_written_and_read_field_by_field() {
    let bytes = file();
    let mut expected = vec![
        0xCE, 0xA3, b'C', b'B', // magic
        0x03, // version
        0x01, // one pattern
        0x03, // of three nodes
        0x01, 0x71, 0x03, // has children, no value, DICT, size 3
        0x03, 0x7F, 0x02, 0x02, b'i', b'd', // has children, fixed "id", RECORD, size 2
        0x04, 0x79, 0x01, // hole, NUMBER, size 1
        0x03, b'x', b'y', b'z', // sample
        0x04, b'd', b'i', b'c', b't', // dictionary
    ];
    let crc = crc32c(&expected);
    expected.extend_from_slice(&crc.to_be_bytes());
    assert_eq!(bytes, expected);
    let read_back = read(&bytes).unwrap();
    assert_eq!((read_back.sample, read_back.dictionary), (&b"xyz"[..], &b"dict"[..]));
    let offsets: Vec<usize> = read_back.patterns[0].iter().map(|n| n.offset).collect();
    assert_eq!(offsets, [7, 10, 16]);
    let without_offsets: Vec<PatternNode<'_>> =
        read_back.patterns[0].iter().map(|n| PatternNode { offset: 0, ..*n }).collect();
    assert_eq!(without_offsets, NODES);
}

#[test]
fn every_damage_is_an_error() {
    let bytes = file();
    for len in 0..bytes.len() {
        assert!(read(&bytes[..len]).is_err(), "cut to {len}");
    }
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(read(&flipped).is_err(), "bit {bit}");
    }
}

/// A file with `body` after the magic, its CRC fixed up.
fn forged(body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(body);
    let crc = crc32c(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn errors_name_what_and_where() {
    assert_eq!(read(b"not a codebook"), Err(Error::BadMagic { offset: 0, expected: "a ΣLANG codebook" }));
    assert_eq!(
        read(&forged(&[1, 0, 0])),
        Err(Error::RetiredCodebookVersion { offset: 4, version: 1, expected: 3 })
    );
    assert_eq!(
        read(&forged(&[9, 0, 0])),
        Err(Error::UnsupportedVersion { offset: 4, version: 9, expected: 3 })
    );
    assert_eq!(
        read(&forged(&[2, 129, 0])),
        Err(Error::FieldOutOfRange { offset: 5, field: "pattern count", found: 129, min: 0, max: 128 })
    );
    assert_eq!(
        read(&forged(&[2, 1, 0, 0])),
        Err(Error::FieldOutOfRange { offset: 6, field: "pattern node count", found: 0, min: 1, max: 4096 })
    );
    // A node count the bytes cannot hold fails before anything is allocated for it.
    assert!(matches!(read(&forged(&[2, 1, 0x80, 0x20, 0, 0])), Err(Error::UnexpectedEnd { offset: 8, .. })));
    assert!(matches!(
        read(&forged(&[2, 1, 1, 0x06, 0x79, 0x01, 0])),
        Err(Error::UnknownKind { offset: 7, field: "pattern node kind", found: 6, .. })
    ));
    assert!(matches!(
        read(&forged(&[2, 1, 1, 0x08, 0x79, 0x01, 0])),
        Err(Error::UnknownKind { offset: 7, field: "pattern node kind", found: 8, .. })
    ));
    assert_eq!(
        read(&forged(&[2, 0, 0x81, 0x80, 0x02])),
        Err(Error::FieldOutOfRange { offset: 6, field: "sample length", found: 32_769, min: 0, max: 32_768 })
    );
    assert_eq!(
        read(&forged(&[2, 0, 0x00, 0x00])),
        Err(Error::ExtraBytes { offset: 7, count: 1, after: "codebook sample" })
    );
    assert_eq!(
        read(&forged(&[3, 0, 0x00, 0x81, 0x80, 0x02])),
        Err(Error::FieldOutOfRange {
            offset: 7,
            field: "dictionary length",
            found: 32_769,
            min: 0,
            max: 32_768
        })
    );
    assert_eq!(
        read(&forged(&[3, 0, 0x00, 0x00, 0x00])),
        Err(Error::ExtraBytes { offset: 8, count: 1, after: "codebook dictionary" })
    );
    // A version 2 file (no dictionary) is still read.
    let old_file = forged(&[2, 0, 0x01, b's']);
    let old = read(&old_file).unwrap();
    assert_eq!((old.sample, old.dictionary), (&b"s"[..], &b""[..]));
    // A fixed value's length read from the file cannot overflow (it once could: `pos + len`).
    let huge = [2, 1, 1, 0x02, 0x79, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0];
    assert!(matches!(read(&forged(&huge)), Err(Error::UnexpectedEnd { offset: 20, .. })));
}
