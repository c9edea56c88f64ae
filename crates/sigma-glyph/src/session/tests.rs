//! Session stream bytes, field by field, both ways; and each read error with its offset.

use super::*;
use crate::Error;
use crate::v2::crc32c;

fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32c(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    bytes
}

const HEADER: Header = Header {
    window: 16,
    values: 65_536,
    min_subtree: 2,
    coding: BodyCoding::Modeled,
    codebook: 0x0102_0304_0506_0708,
};

fn header_bytes() -> Vec<u8> {
    with_crc(vec![
        0xB2, // stream byte
        0x10, // window 16
        0x80, 0x80, 0x04, // values 65,536
        0x02, // min subtree 2
        0x01, // coding: modeled
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // codebook hash
    ])
}

#[test]
fn the_header_is_written_and_read_field_by_field() {
    let mut out = vec![0xEE];
    write_header(&HEADER, &mut out);
    assert_eq!(&out[1..], &header_bytes()[..]);
    let bytes = header_bytes();
    assert_eq!(read_header(&bytes), Ok((HEADER, bytes.len())));
}

#[test]
fn header_errors_name_their_offsets() {
    assert_eq!(
        read_header(&[0xA0]),
        Err(Error::BadFormatByte { offset: 0, byte: 0xA0, expected: "a session stream byte (0xb2)" })
    );
    let bytes = header_bytes();
    for len in 0..bytes.len() {
        assert!(read_header(&bytes[..len]).is_err(), "cut to {len}");
    }
    let mut damaged = bytes.clone();
    damaged[3] ^= 0x01;
    assert!(matches!(read_header(&damaged), Err(Error::ChecksumMismatch { offset: 15, .. })));
    // Fields are range-checked once the CRC holds.
    // The session streams of earlier versions: refused by name, not as an unknown byte.
    assert_eq!(
        read_header(&with_crc(vec![0xB1, 0x10, 0x80, 0x80, 0x04, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])),
        Err(Error::RetiredSessionFormat { offset: 0, byte: 0xB1 })
    );
    let big_window = with_crc(vec![0xB2, 0x81, 0x80, 0x04, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        read_header(&big_window),
        Err(Error::FieldOutOfRange { offset: 1, field: "window", found: 65_537, min: 0, max: 65_536 })
    );
    let bad_coding = with_crc(vec![0xB2, 0x10, 0x00, 0x02, 0x07, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(matches!(
        read_header(&bad_coding),
        Err(Error::UnknownKind { offset: 4, field: "body coding", found: 7, .. })
    ));
    let overlong = with_crc(vec![0xB2, 0x90, 0x00, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(read_header(&overlong), Err(Error::NonCanonicalVarint { offset: 1 }));
}

#[test]
fn frames_are_written_and_read_field_by_field() {
    let mut stream = header_bytes();
    let at = stream.len();
    write_frame(300, FrameKind::Delta, b"abc", &mut stream);
    let expected = with_crc(vec![0xAC, 0x02, 0x02, 0x03, b'a', b'b', b'c']);
    assert_eq!(&stream[at..], &expected[..]);
    let frame = read_frame(&stream, at).unwrap();
    assert_eq!(
        frame,
        RawFrame {
            offset: at,
            seq: 300,
            kind: FrameKind::Delta,
            kind_offset: at + 2,
            body: b"abc",
            body_offset: at + 4,
            len: 11
        }
    );

    let mut repeat = Vec::new();
    write_frame(1, FrameKind::Repeat, &[0x05], &mut repeat);
    assert_eq!(read_frame(&repeat, 0).unwrap().repeat_distance(), Ok(5));

    let mut body = Vec::new();
    write_coded_len(200, &mut body);
    body.extend_from_slice(&[0x11, 0x22]);
    let mut coded = Vec::new();
    write_frame(2, FrameKind::Coded, &body, &mut coded);
    let frame = read_frame(&coded, 0).unwrap();
    assert_eq!(frame.coded(), Ok(CodedBody { plain_len: 200, coded: &[0x11, 0x22], offset: 5 }));
}

#[test]
fn frame_errors_name_their_offsets() {
    let mut stream = vec![0; 7];
    write_frame(4, FrameKind::Full, &[0xA0, 1, 2], &mut stream);
    for len in 7..stream.len() {
        assert!(matches!(read_frame(&stream[..len], 7), Err(Error::UnexpectedEnd { .. })), "cut to {len}");
    }
    let mut damaged = stream.clone();
    damaged[10] ^= 0x40;
    assert!(matches!(read_frame(&damaged, 7), Err(Error::ChecksumMismatch { offset: 13, .. })));
    let bad_kind = [&[0u8; 7][..], &with_crc(vec![0x04, 0x09, 0x00])].concat();
    assert!(matches!(
        read_frame(&bad_kind, 7),
        Err(Error::UnknownKind { offset: 8, field: "frame kind", found: 9, .. })
    ));
    let mut long_repeat = Vec::new();
    write_frame(1, FrameKind::Repeat, &[0x05, 0x00], &mut long_repeat);
    assert_eq!(
        read_frame(&long_repeat, 0).unwrap().repeat_distance(),
        Err(Error::ExtraBytes { offset: 4, count: 1, after: "repeat's distance" })
    );
}

#[test]
fn delta_ops_are_written_and_read_field_by_field() {
    let ops: [(Op, Value<'_>); 5] = [
        (
            Op::Node {
                has_children: true,
                last: false,
                value: ValueKind::None,
                primitive: PrimitiveCode::Literal(0x71),
            },
            Value::None,
        ),
        (
            Op::Node {
                has_children: false,
                last: false,
                value: ValueKind::Literal,
                primitive: PrimitiveCode::Recent(1),
            },
            Value::Literal("hé"),
        ),
        (
            Op::Node {
                has_children: false,
                last: false,
                value: ValueKind::Varint,
                primitive: PrimitiveCode::Recent(0),
            },
            Value::Varint(129),
        ),
        (Op::Subtree { last: false, distance: 2, node: 7 }, Value::None),
        (
            Op::Node {
                has_children: false,
                last: true,
                value: ValueKind::Predicted,
                primitive: PrimitiveCode::Recent(2),
            },
            Value::Predicted,
        ),
    ];
    let mut body = Vec::new();
    let mut writer = DeltaWriter::new(&mut body);
    for (op, value) in &ops {
        writer.op(op);
        writer.value(value);
    }
    writer.op(&Op::Pattern { last: true, number: 5 });
    let kinds = writer.pattern_holes(5);
    for (hole, kind) in
        [ValueKind::Literal, ValueKind::Varint, ValueKind::Predicted, ValueKind::Literal, ValueKind::Varint]
            .into_iter()
            .enumerate()
    {
        writer.set_hole_kind(kinds, hole, kind);
    }
    assert_eq!(
        body,
        [
            0x23,
            0x71, // node: has children, no value, literal primitive 0x71
            0x05,
            0x03,
            b'h',
            0xC3,
            0xA9, // node: literal value of 3 bytes, list slot 1
            0x08,
            0x81,
            0x01, // node: varint value 129, list slot 0
            0x40,
            0x02,
            0x07, // subtree: distance 2, node 7
            0x1E, // node: last, predicted value, list slot 2
            0xD0,
            0x05, // pattern 5, last
            0b0111_1001,
            0b0000_0010, // hole kinds: 1 2 3 1 | 2
        ]
    );
    let mut reader = DeltaReader::new(&body, 100);
    for (op, value) in &ops {
        let read = reader.next_op().unwrap();
        assert_eq!(&read, op);
        let kind = match read {
            Op::Node { value, .. } => value,
            _ => ValueKind::None,
        };
        assert_eq!(&reader.value(kind).unwrap(), value);
    }
    assert_eq!(reader.next_op(), Ok(Op::Pattern { last: true, number: 5 }));
    let kinds = reader.hole_kinds(5).unwrap();
    assert_eq!(kinds.get(2), ValueKind::Predicted);
    assert_eq!(kinds.get(4), ValueKind::Varint);
    assert_eq!(reader.finish(), Ok(()));
}

#[test]
fn delta_op_errors_name_their_offsets() {
    let read_one = |bytes: &[u8]| {
        let mut reader = DeltaReader::new(bytes, 50);
        reader.next_op().and_then(|op| match op {
            Op::Node { value, .. } => reader.value(value).map(drop),
            _ => Ok(()),
        })
    };
    assert!(matches!(read_one(&[0x80]), Err(Error::UnknownKind { offset: 50, field: "delta op", .. })));
    assert_eq!(
        read_one(&[0x41, 0x00, 0x00]),
        Err(Error::ReservedBits { offset: 50, field: "subtree reference tag", bits: 0x01 })
    );
    assert_eq!(
        read_one(&[0xE0, 0x00]),
        Err(Error::ReservedBits { offset: 50, field: "pattern op tag", bits: 0x20 })
    );
    assert_eq!(read_one(&[0x04, 0x02, 0xFF, 0xFE]), Err(Error::InvalidUtf8 { offset: 52 }));
    assert_eq!(
        read_one(&[0x04, 0x05, b'a']),
        Err(Error::UnexpectedEnd { offset: 52, needed: 5, available: 1 })
    );
    let mut reader = DeltaReader::new(&[0x10, 0x00], 50);
    reader.next_op().unwrap();
    assert_eq!(reader.finish(), Err(Error::ExtraBytes { offset: 51, count: 1, after: "delta's tree" }));
}

#[test]
fn plain_bodies_tell_v2_from_delta_ops() {
    assert!(plain_body_is_v2(&[0xA0, 0x10]));
    assert!(plain_body_is_v2(&[0xA1]));
    assert!(!plain_body_is_v2(&[0x23, 0x71]));
    assert!(!plain_body_is_v2(&[]));
    for kind in FrameKind::ALL {
        assert_eq!(FrameKind::from_byte(kind as u8), Some(kind));
    }
}
