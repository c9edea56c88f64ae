//! Format v1: the Python reference's glyph stream, byte for byte (docs/FORMAT.md, "Format v1").
//!
//! ```text
//! stream = header (4 bytes, big-endian u32) | glyphs | CRC-16/IBM-3740 (2 bytes, big-endian)
//! header = version (bits 31–30) | flags (29–24) | context id (23–12) | glyph count (11–0)
//! glyph  = type (bits 7–6) | has-payload (bit 5) | primitive id (bits 4–0, 31 = escape)
//!          [full primitive id, if escaped] [length, if has-payload] [payload]
//! length = L (one byte, L < 128) | 0x80 | L >> 8, L & 0xFF (two bytes, 128 ≤ L ≤ 32,767)
//! ```
//!
//! The [`Writer`] and [`Reader`] mirror each other. The reader is strict where the reference is
//! lax: it checks the length and the checksum before it parses a glyph, and rejects
//! unknown versions and flags, non-canonical escapes and length prefixes, invalid UTF-8 in values,
//! count mismatches and trailing bytes, each as its own [`Error`](crate::Error) variant.

mod reader;
mod writer;

use sigma_primitives::Primitive;

pub use reader::Reader;
pub use writer::Writer;

/// The version number v1 streams carry in header bits 31–30.
pub const VERSION: u8 = 1;
/// Header size: one big-endian `u32`.
pub const HEADER_LEN: usize = 4;
/// Checksum size: one big-endian CRC-16.
pub const CRC_LEN: usize = 2;
/// The shortest possible stream: a header, no glyphs, a checksum.
pub const MIN_STREAM_LEN: usize = HEADER_LEN + CRC_LEN;
/// The most glyphs a stream holds: the header's count field is 12 bits (the reference wraps
/// larger counts silently; we refuse them).
pub const MAX_GLYPHS: usize = 0xFFF;
/// The largest context id: the header's context field is 12 bits.
pub const MAX_CONTEXT_ID: u16 = 0xFFF;
/// The longest payload: the two-byte length prefix keeps 15 bits (the reference corrupts the
/// prefix of longer payloads; we refuse them).
pub const MAX_PAYLOAD_LEN: usize = 0x7FFF;
/// Payload lengths below this take the one-byte prefix.
pub const SHORT_LENGTH_LIMIT: usize = 0x80;
/// Primitive ids up to this one fit in the first byte's low five bits.
pub const MAX_INLINE_PRIMITIVE: u8 = 30;
/// The five-bit value that says "the full primitive id follows in the next byte".
pub const PRIMITIVE_ESCAPE: u8 = 31;
/// Bit 5 of a glyph's first byte: a length and payload follow.
pub const HAS_PAYLOAD_BIT: u8 = 0x20;
/// The end-of-children marker: a PRIMITIVE glyph of `COMPOSITE` (0x0B) without payload.
pub const END_MARKER: u8 = 0x0B;

/// The CRC v1 uses: CRC-16/IBM-3740 (poly 0x1021, init 0xFFFF, no reflection, no final xor),
/// which the reference calls "CRC-16-CCITT".
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);

/// The four glyph types of bits 7–6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GlyphKind {
    /// `0b00`: a leaf node, or (without payload, primitive 0x0B) the end-of-children marker.
    Primitive = 0,
    /// `0b01`: a reference to a stored tree (the reference's REFERENCE message).
    Reference = 1,
    /// `0b10`: the head of the reference's DELTA message.
    Delta = 2,
    /// `0b11`: a node with children; its children and an end marker follow.
    Composite = 3,
}

impl GlyphKind {
    /// The kind encoded in the top two bits of `first_byte`.
    pub const fn from_first_byte(first_byte: u8) -> GlyphKind {
        match first_byte >> 6 {
            0 => GlyphKind::Primitive,
            1 => GlyphKind::Reference,
            2 => GlyphKind::Delta,
            _ => GlyphKind::Composite,
        }
    }

    /// The upper-case name the format description uses.
    pub const fn name(self) -> &'static str {
        match self {
            GlyphKind::Primitive => "PRIMITIVE",
            GlyphKind::Reference => "REFERENCE",
            GlyphKind::Delta => "DELTA",
            GlyphKind::Composite => "COMPOSITE",
        }
    }
}

/// The decoded header of a v1 stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Bits 31–30; always [`VERSION`] once read.
    pub version: u8,
    /// Bits 29–24; always 0 once read (no flags are defined).
    pub flags: u8,
    /// Bits 23–12: 0 for a standalone tree; the reference writes an arbitrary number once its
    /// encoder has context, so any value is accepted.
    pub context_id: u16,
    /// Bits 11–0: the number of glyphs, end markers included.
    pub glyph_count: u16,
}

impl Header {
    /// The header as the big-endian `u32` the stream starts with.
    pub const fn to_u32(self) -> u32 {
        ((self.version as u32 & 0x3) << 30)
            | ((self.flags as u32 & 0x3F) << 24)
            | ((self.context_id as u32 & 0xFFF) << 12)
            | (self.glyph_count as u32 & 0xFFF)
    }

    /// Splits a header word into its fields, without judging them.
    pub const fn from_u32(word: u32) -> Header {
        Header {
            version: (word >> 30) as u8,
            flags: ((word >> 24) & 0x3F) as u8,
            context_id: ((word >> 12) & 0xFFF) as u16,
            glyph_count: (word & 0xFFF) as u16,
        }
    }
}

/// A glyph's payload, borrowed from the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payload<'a> {
    /// The glyph has no payload (has-payload bit clear).
    None,
    /// The UTF-8 value of a PRIMITIVE or COMPOSITE glyph (possibly empty).
    Text(&'a str),
    /// The raw payload of a REFERENCE or DELTA glyph (a hash or a context id).
    Bytes(&'a [u8]),
}

impl<'a> Payload<'a> {
    /// The text, for a value payload.
    pub const fn text(self) -> Option<&'a str> {
        match self {
            Payload::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The raw bytes of any payload.
    pub const fn bytes(self) -> Option<&'a [u8]> {
        match self {
            Payload::None => None,
            Payload::Text(text) => Some(text.as_bytes()),
            Payload::Bytes(bytes) => Some(bytes),
        }
    }
}

/// One glyph as read from a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Glyph<'a> {
    /// Offset of the glyph's first byte from the start of the stream.
    pub offset: usize,
    /// The type from bits 7–6.
    pub kind: GlyphKind,
    /// The primitive, inline or escaped.
    pub primitive: Primitive,
    /// The payload, if the has-payload bit is set.
    pub payload: Payload<'a>,
}

impl Glyph<'_> {
    /// Whether this is the end-of-children marker: exactly the byte `0x0B`.
    pub fn is_end_marker(&self) -> bool {
        self.kind == GlyphKind::Primitive
            && self.primitive == Primitive::COMPOSITE
            && self.payload == Payload::None
    }
}
