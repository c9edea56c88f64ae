//! Writing session streams: the header, frames, and the delta ops of a frame's body.

use super::{
    Header, OP_HAS_CHILDREN, OP_LAST, OP_NODE, OP_PATTERN, OP_PRIMITIVE_LITERAL, OP_SUBTREE, OP_VALUE_SHIFT,
    Op, PrimitiveCode, STREAM_BYTE, Value, ValueKind,
};
use crate::v2::append_crc32c;
use crate::varint;

/// Appends the stream header.
pub fn write_header(header: &Header, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(STREAM_BYTE);
    varint::write(out, header.window as u64);
    varint::write(out, header.values as u64);
    varint::write(out, header.min_subtree as u64);
    out.push(header.coding.byte());
    out.extend_from_slice(&header.codebook.to_be_bytes());
    append_crc32c(out, start);
}

/// Appends a frame: its sequence number, kind, body and CRC.
pub fn write_frame(seq: u64, kind: super::FrameKind, body: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    varint::write(out, seq);
    out.push(kind as u8);
    varint::write(out, body.len() as u64);
    out.extend_from_slice(body);
    append_crc32c(out, start);
}

/// Appends the start of a coded frame's body: the plain body's length (the coded bytes follow).
pub fn write_coded_len(plain_len: usize, out: &mut Vec<u8>) {
    varint::write(out, plain_len as u64);
}

/// Where a pattern op's hole kinds are, for [`DeltaWriter::set_hole_kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoleKindsAt(usize);

/// Appends delta ops to a plain body.
#[derive(Debug)]
pub struct DeltaWriter<'o> {
    out: &'o mut Vec<u8>,
}

impl<'o> DeltaWriter<'o> {
    /// A writer appending to `out`.
    pub fn new(out: &'o mut Vec<u8>) -> DeltaWriter<'o> {
        DeltaWriter { out }
    }

    /// Appends an op's tag and fixed fields. A node op's value, or a pattern op's hole kinds
    /// and values, follow with [`DeltaWriter::value`] and [`DeltaWriter::pattern_holes`].
    pub fn op(&mut self, op: &Op) {
        let last = if op.last() { OP_LAST } else { 0 };
        match *op {
            Op::Node { has_children, value, primitive, .. } => {
                let children = if has_children { OP_HAS_CHILDREN } else { 0 };
                let code = match primitive {
                    PrimitiveCode::Recent(slot) => {
                        debug_assert!(slot < OP_PRIMITIVE_LITERAL, "list slot {slot}");
                        slot & 0x03
                    }
                    PrimitiveCode::Literal(_) => OP_PRIMITIVE_LITERAL,
                };
                self.out.push(OP_NODE | children | last | (value as u8) << OP_VALUE_SHIFT | code);
                if let PrimitiveCode::Literal(id) = primitive {
                    self.out.push(id);
                }
            }
            Op::Subtree { distance, node, .. } => {
                self.out.push(OP_SUBTREE | last);
                varint::write(self.out, distance);
                varint::write(self.out, node);
            }
            Op::Pattern { number, .. } => {
                self.out.push(OP_PATTERN | last);
                self.out.push(number);
            }
        }
    }

    /// Appends a value (what follows its kind).
    pub fn value(&mut self, value: &Value<'_>) {
        match *value {
            Value::None | Value::Predicted => {}
            Value::Varint(n) => varint::write(self.out, n),
            Value::Literal(text) => {
                varint::write(self.out, text.len() as u64);
                self.out.extend_from_slice(text.as_bytes());
            }
        }
    }

    /// Appends room for the kinds of a pattern op's `holes` holes (all none until set).
    pub fn pattern_holes(&mut self, holes: usize) -> HoleKindsAt {
        let at = self.out.len();
        self.out.extend(std::iter::repeat_n(0, holes.div_ceil(4)));
        HoleKindsAt(at)
    }

    /// Sets the kind of hole `hole` of the pattern op whose kinds are at `at`.
    pub fn set_hole_kind(&mut self, at: HoleKindsAt, hole: usize, kind: ValueKind) {
        let byte = self.out.get_mut(at.0 + hole / 4);
        debug_assert!(byte.is_some(), "hole {hole} past the kinds written");
        if let Some(byte) = byte {
            *byte |= (kind as u8) << (2 * (hole % 4));
        }
    }
}
