//! Reading session streams: the header, frames, and the delta ops of a frame's body.

use super::{
    BodyCoding, CRC_LEN, FrameKind, Header, MAX_VALUES, MAX_WINDOW, OP_HAS_CHILDREN, OP_KIND_MASK, OP_LAST,
    OP_NODE, OP_PATTERN, OP_PRIMITIVE_LITERAL, OP_PRIMITIVE_MASK, OP_SUBTREE, OP_VALUE_SHIFT, Op,
    PrimitiveCode, RETIRED_STREAM_BYTE, STREAM_BYTE, Value, ValueKind,
};
use crate::Error;
use crate::cursor::{Cursor, in_range};
use crate::v2::crc32c;

/// Reads the stream header at the start of `stream`; returns it and its length. The CRC is
/// checked before any field's value is.
pub fn read_header(stream: &[u8]) -> Result<(Header, usize), Error> {
    let mut cursor = Cursor::new(stream, 0);
    let first = cursor.byte()?;
    if first == RETIRED_STREAM_BYTE {
        return Err(Error::RetiredSessionFormat { offset: 0, byte: first });
    }
    if first != STREAM_BYTE {
        return Err(Error::BadFormatByte {
            offset: 0,
            byte: first,
            expected: "a session stream byte (0xb2)",
        });
    }
    let window_at = cursor.offset();
    let window = cursor.varint()?;
    let values_at = cursor.offset();
    let values = cursor.varint()?;
    let min_subtree_at = cursor.offset();
    let min_subtree = cursor.varint()?;
    let coding_at = cursor.offset();
    let coding = cursor.byte()?;
    let codebook = u64::from_be_bytes(cursor.array()?);
    let covered = cursor.offset();
    let stored = u32::from_be_bytes(cursor.array()?);
    let computed = crc32c(covered_bytes(stream, covered));
    if stored != computed {
        return Err(Error::ChecksumMismatch { offset: covered, stored, computed });
    }
    let header = Header {
        window: in_range(window_at, "window", window, 0, MAX_WINDOW)?,
        values: in_range(values_at, "value table size", values, 0, MAX_VALUES)?,
        min_subtree: in_range(min_subtree_at, "min subtree", min_subtree, 0, usize::MAX)?,
        coding: BodyCoding::from_byte(coding).ok_or(Error::UnknownKind {
            offset: coding_at,
            field: "body coding",
            found: coding,
            expected: "0 (plain) or 1 (modeled)",
        })?,
        codebook,
    };
    Ok((header, cursor.offset()))
}

/// The first `covered` bytes of `bytes`, which a cursor has read (so they are there).
fn covered_bytes(bytes: &[u8], covered: usize) -> &[u8] {
    let read = bytes.get(..covered);
    debug_assert!(read.is_some(), "{covered} bytes were read from {}", bytes.len());
    read.unwrap_or_default()
}

/// One frame as read: its fields, its body unread, its CRC checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFrame<'a> {
    /// Offset of the frame in the stream.
    pub offset: usize,
    /// Its sequence number.
    pub seq: u64,
    /// Its kind.
    pub kind: FrameKind,
    /// Offset of its kind byte (after the sequence number's varint).
    pub kind_offset: usize,
    /// Its body.
    pub body: &'a [u8],
    /// Offset of the body in the stream.
    pub body_offset: usize,
    /// Bytes the frame takes, its fields and CRC included.
    pub len: usize,
}

/// A coded frame's body: the plain body's length, then the plain body through the byte model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodedBody<'a> {
    /// The plain body's length.
    pub plain_len: u64,
    /// The coded bytes.
    pub coded: &'a [u8],
    /// Offset of the coded bytes in the stream.
    pub offset: usize,
}

/// Reads the frame at `offset` in `stream`, checking its CRC before anything looks at its body.
pub fn read_frame(stream: &[u8], offset: usize) -> Result<RawFrame<'_>, Error> {
    let bytes = stream.get(offset..).unwrap_or_default();
    let mut cursor = Cursor::new(bytes, offset);
    let seq = cursor.varint()?;
    let kind_at = cursor.offset();
    let kind_byte = cursor.byte()?;
    let kind = FrameKind::from_byte(kind_byte).ok_or(Error::UnknownKind {
        offset: kind_at,
        field: "frame kind",
        found: kind_byte,
        expected: "0-3",
    })?;
    let body_len = cursor.varint_in("body length", 0, usize::MAX)?;
    let body_offset = cursor.offset();
    let body = cursor.take(body_len)?;
    let covered = cursor.position();
    let stored = u32::from_be_bytes(cursor.array()?);
    let computed = crc32c(covered_bytes(bytes, covered));
    if stored != computed {
        return Err(Error::ChecksumMismatch { offset: offset + covered, stored, computed });
    }
    debug_assert_eq!(cursor.position(), covered + CRC_LEN);
    Ok(RawFrame { offset, seq, kind, kind_offset: kind_at, body, body_offset, len: cursor.position() })
}

impl<'a> RawFrame<'a> {
    /// A repeat's body: the distance from the latest message to the repeated one.
    pub fn repeat_distance(&self) -> Result<u64, Error> {
        let mut cursor = Cursor::new(self.body, self.body_offset);
        let distance = cursor.varint()?;
        cursor.finish("repeat's distance")?;
        Ok(distance)
    }

    /// A coded frame's body, split into the plain length and the coded bytes.
    pub fn coded(&self) -> Result<CodedBody<'a>, Error> {
        let mut cursor = Cursor::new(self.body, self.body_offset);
        let plain_len = cursor.varint()?;
        Ok(CodedBody { plain_len, offset: cursor.offset(), coded: cursor.rest() })
    }
}

/// The kinds of a pattern op's holes, two bits each, four to a byte, first hole lowest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoleKinds<'a> {
    bytes: &'a [u8],
}

impl HoleKinds<'_> {
    /// The kind of hole `hole`, which must be one of the holes read.
    pub fn get(&self, hole: usize) -> ValueKind {
        debug_assert!(hole / 4 < self.bytes.len(), "hole {hole} of {} bytes of kinds", self.bytes.len());
        let byte = self.bytes.get(hole / 4).copied().unwrap_or(0);
        ValueKind::from_bits(byte >> (2 * (hole % 4)))
    }
}

/// Reads the delta ops of a plain body, in pre-order.
#[derive(Clone, Debug)]
pub struct DeltaReader<'a> {
    cursor: Cursor<'a>,
}

impl<'a> DeltaReader<'a> {
    /// A reader of `body`, which starts at offset `base` of the stream (error offsets count from
    /// there).
    pub fn new(body: &'a [u8], base: usize) -> DeltaReader<'a> {
        DeltaReader { cursor: Cursor::new(body, base) }
    }

    /// Offset of the next byte.
    pub fn offset(&self) -> usize {
        self.cursor.offset()
    }

    /// The next op's tag and fixed fields; its value (node ops) or hole kinds and values
    /// (pattern ops) come next, read with [`DeltaReader::value`] and [`DeltaReader::hole_kinds`].
    pub fn next_op(&mut self) -> Result<Op, Error> {
        let tag_at = self.cursor.offset();
        let tag = self.cursor.byte()?;
        let last = tag & OP_LAST != 0;
        let reserved = |field: &'static str| {
            let bits = tag & !(OP_KIND_MASK | OP_LAST);
            if bits == 0 { Ok(()) } else { Err(Error::ReservedBits { offset: tag_at, field, bits }) }
        };
        match tag & OP_KIND_MASK {
            OP_NODE => {
                let code = tag & OP_PRIMITIVE_MASK;
                let primitive = if code == OP_PRIMITIVE_LITERAL {
                    PrimitiveCode::Literal(self.cursor.byte()?)
                } else {
                    PrimitiveCode::Recent(code)
                };
                Ok(Op::Node {
                    has_children: tag & OP_HAS_CHILDREN != 0,
                    last,
                    value: ValueKind::from_bits(tag >> OP_VALUE_SHIFT),
                    primitive,
                })
            }
            OP_SUBTREE => {
                reserved("subtree reference tag")?;
                let distance = self.cursor.varint()?;
                let node = self.cursor.varint()?;
                Ok(Op::Subtree { last, distance, node })
            }
            OP_PATTERN => {
                reserved("pattern op tag")?;
                Ok(Op::Pattern { last, number: self.cursor.byte()? })
            }
            _ => Err(Error::UnknownKind {
                offset: tag_at,
                field: "delta op",
                found: tag,
                expected: "an op kind of 00 (node), 01 (subtree) or 11 (pattern) in bits 7-6",
            }),
        }
    }

    /// The value that follows an op whose value kind is `kind`.
    pub fn value(&mut self, kind: ValueKind) -> Result<Value<'a>, Error> {
        Ok(match kind {
            ValueKind::None => Value::None,
            ValueKind::Predicted => Value::Predicted,
            ValueKind::Varint => Value::Varint(self.cursor.varint()?),
            ValueKind::Literal => {
                let len = self.cursor.varint_in("value length", 0, usize::MAX)?;
                Value::Literal(self.cursor.text(len)?)
            }
        })
    }

    /// The kinds of a pattern op's `holes` holes.
    pub fn hole_kinds(&mut self, holes: usize) -> Result<HoleKinds<'a>, Error> {
        Ok(HoleKinds { bytes: self.cursor.take(holes.div_ceil(4))? })
    }

    /// `Ok` if the body ends here.
    pub fn finish(&self) -> Result<(), Error> {
        self.cursor.finish("delta's tree")
    }
}
