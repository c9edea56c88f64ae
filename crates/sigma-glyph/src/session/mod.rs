//! Session streams on the wire: the stream header, frames, and the delta ops a frame's body holds
//! (docs/FORMAT.md, "Session streams"). What the ops mean (the context they point into, the
//! predictions they rely on) is `sigma-codec`'s; this module reads and writes their bytes.
//!
//! ```text
//! stream  = header frame*
//! header  = 0xB2 | window (varint) | values (varint) | min-subtree (varint)
//!           | coding (1 byte: 0 plain, 1 modeled, 2 zstd) | codebook hash (8 bytes BE; 0: none)
//!           | CRC-32C of the header (u32 BE)
//! frame   = seq (varint) | kind (1 byte) | body length (varint) | body | CRC-32C of the frame
//! kind    = 0 full (a v2 message) | 1 repeat (a distance, varint) | 2 delta (ops)
//!         | 3 coded (the plain body's length, varint, then the body through the byte model
//!           or the zstd stream)
//! op      = node:    tag (00 | has-children | last | value kind | primitive code) [id] [value]
//!         | subtree: tag (01 | 0 | last | 0000) | distance (varint) | node index (varint)
//!         | pattern: tag (11 | 0 | last | 0000) | number (1 byte) | hole kinds (2 bits each,
//!                    four to a byte, first hole lowest) | each hole's value
//! value   = literal: length (varint) | UTF-8 | varint: n (varint) | predicted: nothing
//! ```
//!
//! Reading and writing mirror each other: [`read_header`] / [`write_header`], [`read_frame`] /
//! [`write_frame`], [`DeltaReader`] / [`DeltaWriter`]. Every read checks the
//! bytes present first (and a frame's CRC before its body is looked at), and every error carries
//! its offset in the stream.

mod reader;
mod writer;

pub use reader::{CodedBody, DeltaReader, HoleKinds, RawFrame, read_frame, read_header};
pub use writer::{DeltaWriter, HoleKindsAt, write_coded_len, write_frame, write_header};

/// The first byte of a session stream (v1's are 0x40–0x7F, v2's 0xA0–0xAF).
pub const STREAM_BYTE: u8 = 0xB2;
/// The first byte of the session streams of earlier versions of this crate, refused: their value
/// table learned every value of every tree, so their back-references would name other values
/// under today's rule.
pub const RETIRED_STREAM_BYTE: u8 = 0xB1;
/// CRC size after the header and after each frame: a big-endian CRC-32C.
pub const CRC_LEN: usize = 4;
/// The header's codebook hash: a big-endian `u64`, just before the header's CRC.
pub const CODEBOOK_HASH_LEN: usize = 8;
/// The largest window (trees kept) a header may ask for: both ends keep that many trees, so a
/// hostile header must not ask for more.
pub const MAX_WINDOW: usize = 1 << 16;
/// The largest value table a header may ask for (values remembered for back-references).
pub const MAX_VALUES: usize = 1 << 24;

/// How a stream sends the bodies of its frames (the header's coding byte).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BodyCoding {
    /// Coded by a byte model both ends keep (context mixing and arithmetic coding, primed from
    /// the codebook's sample): the fewest bytes, at about 200 ns a byte of plain body each way
    /// and 2 MiB of tables per session end. Every message is a repeat or a coded frame.
    Modeled,
    /// As they are: the smallest of repeat, delta and full, with no state to keep and no coding
    /// time.
    Plain,
    /// Coded by one zstd stream per session end (RFC 8878), flushed at the end of every frame:
    /// the codebook's zstd dictionary (or its sample) is its dictionary and the session's own
    /// earlier bodies its window (64 KiB). Somewhat more bytes than [`BodyCoding::Modeled`] at a
    /// fraction of its time and memory. Messages are repeats or coded frames, or full or delta
    /// frames when their body is too short for zstd to shorten.
    #[default]
    Zstd,
}

impl BodyCoding {
    /// Every coding, in header-byte order.
    pub const ALL: [BodyCoding; 3] = [BodyCoding::Plain, BodyCoding::Modeled, BodyCoding::Zstd];

    /// The header byte.
    pub const fn byte(self) -> u8 {
        match self {
            BodyCoding::Plain => 0,
            BodyCoding::Modeled => 1,
            BodyCoding::Zstd => 2,
        }
    }

    /// The coding a header byte names.
    pub const fn from_byte(byte: u8) -> Option<BodyCoding> {
        match byte {
            0 => Some(BodyCoding::Plain),
            1 => Some(BodyCoding::Modeled),
            2 => Some(BodyCoding::Zstd),
            _ => None,
        }
    }

    /// The coding's name on the command line (`plain`, `modeled`, `zstd`).
    pub const fn name(self) -> &'static str {
        match self {
            BodyCoding::Plain => "plain",
            BodyCoding::Modeled => "modeled",
            BodyCoding::Zstd => "zstd",
        }
    }

    /// Whether frames other than repeats are coded frames (a plain body coded by the session's
    /// byte model or zstd stream).
    pub const fn is_coded(self) -> bool {
        !matches!(self, BodyCoding::Plain)
    }
}

/// Frame kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The tree as a v2 message.
    Full = 0,
    /// A repeat of a message still in the window.
    Repeat = 1,
    /// The tree described against the context.
    Delta = 2,
    /// A delta or a full v2 message (whichever is smaller), its bytes coded by the session's
    /// byte model or zstd stream (streams with [`BodyCoding::Modeled`] or [`BodyCoding::Zstd`]).
    Coded = 3,
}

impl FrameKind {
    /// Every kind, in byte order.
    pub const ALL: [FrameKind; 4] = [FrameKind::Full, FrameKind::Repeat, FrameKind::Delta, FrameKind::Coded];

    /// The kind a frame's kind byte names.
    pub const fn from_byte(byte: u8) -> Option<FrameKind> {
        match byte {
            0 => Some(FrameKind::Full),
            1 => Some(FrameKind::Repeat),
            2 => Some(FrameKind::Delta),
            3 => Some(FrameKind::Coded),
            _ => None,
        }
    }

    /// The kind's name, as listings report it.
    pub const fn name(self) -> &'static str {
        match self {
            FrameKind::Full => "full",
            FrameKind::Repeat => "repeat",
            FrameKind::Delta => "delta",
            FrameKind::Coded => "coded",
        }
    }

    /// Whether streams with `coding` use this kind: plain streams full, repeat and delta frames,
    /// modeled streams repeat and coded ones, zstd streams all four (a body too short for zstd
    /// to shorten goes as a full or delta frame, outside the zstd stream).
    pub const fn is_used_with(self, coding: BodyCoding) -> bool {
        matches!(
            (self, coding),
            (FrameKind::Repeat, _)
                | (FrameKind::Full | FrameKind::Delta, BodyCoding::Plain | BodyCoding::Zstd)
                | (FrameKind::Coded, BodyCoding::Modeled | BodyCoding::Zstd)
        )
    }
}

/// The stream header: what both ends must agree on before the first frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Trees kept as context (at most [`MAX_WINDOW`]).
    pub window: usize,
    /// Distinct values remembered for back-references (at most [`MAX_VALUES`]).
    pub values: usize,
    /// Smallest subtree, in nodes, that a subtree reference may point at.
    pub min_subtree: usize,
    /// How frame bodies are sent.
    pub coding: BodyCoding,
    /// The content hash of the codebook the stream was encoded with; 0 for none.
    pub codebook: u64,
}

/// Whether a plain body (a coded frame's body after decoding) is a v2 message rather than delta
/// ops: its first byte is a v2 format byte, whose top bits (10) are no op's kind.
pub fn plain_body_is_v2(body: &[u8]) -> bool {
    body.first().is_some_and(|&b| b & 0xF0 == crate::v2::FORMAT_BYTE)
}

/// Op kinds (tag bits 7–6).
pub(crate) const OP_KIND_MASK: u8 = 0xC0;
pub(crate) const OP_NODE: u8 = 0x00;
pub(crate) const OP_SUBTREE: u8 = 0x40;
pub(crate) const OP_PATTERN: u8 = 0xC0;
/// Tag bit 5 (node ops): the node has children, whose ops follow.
pub(crate) const OP_HAS_CHILDREN: u8 = 0x20;
/// Tag bit 4: the op's subtree is its parent's last child (never set on the root).
pub(crate) const OP_LAST: u8 = 0x10;
/// Tag bits 3–2 (node ops): the value kind.
pub(crate) const OP_VALUE_SHIFT: u32 = 2;
/// Tag bits 1–0 (node ops): the primitive code; 3 says the id follows.
pub(crate) const OP_PRIMITIVE_MASK: u8 = 0x03;
pub(crate) const OP_PRIMITIVE_LITERAL: u8 = 0x03;

/// How a value is sent (a node op's tag bits 3–2; a pattern hole's two bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// No value.
    None = 0,
    /// Its length and UTF-8 bytes.
    Literal = 1,
    /// A varint `n`: even, a back-reference (distance `n / 2` in the value table); odd, an
    /// integer, the predicted one plus `zigzag(n / 2)`.
    Varint = 2,
    /// The predicted value itself: nothing follows.
    Predicted = 3,
}

impl ValueKind {
    const fn from_bits(bits: u8) -> ValueKind {
        match bits & 3 {
            0 => ValueKind::None,
            1 => ValueKind::Literal,
            2 => ValueKind::Varint,
            _ => ValueKind::Predicted,
        }
    }
}

/// A value as a delta sends it: the kind and what follows the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// No value.
    None,
    /// Sent as its bytes.
    Literal(&'a str),
    /// Sent as a varint (a back-reference or an integer difference).
    Varint(u64),
    /// The predicted value.
    Predicted,
}

impl Value<'_> {
    /// The kind the tag carries.
    pub const fn kind(&self) -> ValueKind {
        match self {
            Value::None => ValueKind::None,
            Value::Literal(_) => ValueKind::Literal,
            Value::Varint(_) => ValueKind::Varint,
            Value::Predicted => ValueKind::Predicted,
        }
    }

    /// The bytes it takes after the tag.
    pub const fn len(&self) -> usize {
        match self {
            Value::None | Value::Predicted => 0,
            Value::Literal(text) => crate::varint::encoded_len(text.len() as u64) + text.len(),
            Value::Varint(n) => crate::varint::encoded_len(*n),
        }
    }

    /// Whether nothing follows the tag.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a node op names its primitive (tag bits 1–0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrimitiveCode {
    /// Entry 0–2 of the parent's list of recent child primitives.
    Recent(u8),
    /// The id, in the byte after the tag.
    Literal(u8),
}

/// One delta op, as read (or to be written), without the values that follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A node sent itself: its children's ops follow if it has any; its value follows the tag.
    Node {
        /// Whether its children's ops follow.
        has_children: bool,
        /// Whether it is its parent's last child.
        last: bool,
        /// How its value is sent.
        value: ValueKind,
        /// How its primitive is named.
        primitive: PrimitiveCode,
    },
    /// A subtree equal to one in context.
    Subtree {
        /// Whether it is its parent's last child.
        last: bool,
        /// Messages back from the latest one to the one holding it.
        distance: u64,
        /// Its root's pre-order index in that message's tree.
        node: u64,
    },
    /// A subtree that fits a codebook pattern: the hole kinds and values follow.
    Pattern {
        /// Whether it is its parent's last child.
        last: bool,
        /// The pattern's number (Σ(128 + number)).
        number: u8,
    },
}

impl Op {
    /// Whether the op's subtree is its parent's last child.
    pub const fn last(&self) -> bool {
        match *self {
            Op::Node { last, .. } | Op::Subtree { last, .. } | Op::Pattern { last, .. } => last,
        }
    }
}

#[cfg(test)]
mod tests;
