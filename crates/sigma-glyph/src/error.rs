//! The error type of glyph-level reading and writing.

use thiserror::Error;

/// Everything that can go wrong reading or writing a glyph stream.
///
/// Every variant that comes from reading names the byte `offset` (from the start of the stream)
/// where the problem was found, and what was expected and found there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is shorter than the smallest stream the format allows.
    #[error("input of {len} bytes is too short: the smallest the format allows is {min} bytes")]
    TooShort {
        /// Length of the input.
        len: usize,
        /// The smallest possible stream.
        min: usize,
    },
    /// The stored checksum does not match the one computed over the bytes before it.
    #[error("checksum mismatch at byte {offset}: stored {stored:#06x}, computed {computed:#06x}")]
    ChecksumMismatch {
        /// Offset of the stored checksum.
        offset: usize,
        /// The checksum the stream carries.
        stored: u32,
        /// The checksum of the bytes it covers.
        computed: u32,
    },
    /// The header's version field names a version this reader does not know.
    #[error("unsupported format version {version} at byte {offset} (expected {expected})")]
    UnsupportedVersion {
        /// Offset of the version field.
        offset: usize,
        /// The version found.
        version: u8,
        /// The version this reader handles.
        expected: u8,
    },
    /// The header sets flag bits that no version of the format defines.
    #[error("unknown header flags {flags:#04x} at byte {offset} (no flags are defined)")]
    UnknownFlags {
        /// Offset of the flags field.
        offset: usize,
        /// The flag bits found.
        flags: u8,
    },
    /// A primitive id of 30 or less written with the escape byte, which only ids 31–255 use.
    #[error("non-canonical primitive escape at byte {offset}: id {id} fits in the first byte")]
    NonCanonicalEscape {
        /// Offset of the glyph.
        offset: usize,
        /// The escaped id.
        id: u8,
    },
    /// A payload length below 128 written in the two-byte form.
    #[error("non-canonical length prefix at byte {offset}: length {length} fits in one byte")]
    NonCanonicalLength {
        /// Offset of the length prefix.
        offset: usize,
        /// The length it encodes.
        length: usize,
    },
    /// A value payload that is not UTF-8.
    #[error("invalid UTF-8 in value at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
    /// A glyph, field or record that runs past the end of the bytes that hold it.
    #[error("cut short at byte {offset}: {needed} more bytes needed, {available} left")]
    UnexpectedEnd {
        /// Offset where the missing bytes should start.
        offset: usize,
        /// How many bytes the glyph still needs.
        needed: usize,
        /// How many glyph bytes are left.
        available: usize,
    },
    /// The glyph bytes hold fewer glyphs than the header's count says.
    #[error("header declares {declared} glyphs but the stream ends after {found}, at byte {offset}")]
    GlyphCountMismatch {
        /// Offset where the next glyph should have started.
        offset: usize,
        /// The count in the header.
        declared: usize,
        /// The glyphs actually present.
        found: usize,
    },
    /// Bytes after the last glyph the header declares, before the checksum.
    #[error("{count} trailing bytes at byte {offset} after the {declared} glyphs the header declares")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// How many extra bytes there are.
        count: usize,
        /// The count in the header.
        declared: usize,
    },
    /// The first byte is not the format byte this reader expects.
    #[error("format byte {byte:#04x} at byte {offset} is not {expected}")]
    BadFormatByte {
        /// Always 0.
        offset: usize,
        /// The byte found.
        byte: u8,
        /// What was expected, e.g. `"a v2 format byte (0xa0 or 0xa1)"`.
        expected: &'static str,
    },
    /// A v2 palette that is not in its one canonical form.
    #[error("non-canonical palette at byte {offset}: {reason}")]
    NonCanonicalPalette {
        /// Offset of the palette entry (or count) at fault.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A v2 node whose primitive code has no palette entry.
    #[error("primitive code {code} at byte {offset} is beyond the palette's {palette_len} entries")]
    PaletteCode {
        /// Offset of the node's tag.
        offset: usize,
        /// The code in the tag.
        code: u8,
        /// Entries in the palette.
        palette_len: usize,
    },
    /// A write would need more glyphs than the format's count field holds.
    #[error("too many glyphs for format v1: its 12-bit count holds at most {limit} (use format v2)")]
    TooManyGlyphs {
        /// The most glyphs a stream may hold.
        limit: usize,
    },
    /// A write of a payload longer than the format's length prefix holds.
    #[error("payload of {length} bytes is too long for format v1: at most {limit} (use format v2)")]
    PayloadTooLong {
        /// The payload's length.
        length: usize,
        /// The longest payload the format holds.
        limit: usize,
    },
    /// A [`v2::SizedWriter`](crate::v2::SizedWriter) given more (or fewer) bytes than the size it
    /// was created with: a bug in the caller's size computation, reported instead of a panic.
    #[error("the message was planned as {planned} bytes but its nodes need {needed} or more")]
    SizeMismatch {
        /// The planned message length.
        planned: usize,
        /// Bytes the writes reached (a lower bound).
        needed: usize,
    },
    /// A varint with a trailing zero group (a shorter form says the same).
    #[error("non-canonical varint at byte {offset}: a shorter form holds the same number")]
    NonCanonicalVarint {
        /// Offset of the varint's first byte.
        offset: usize,
    },
    /// A varint whose value needs more than 64 bits.
    #[error("varint at byte {offset} overflows 64 bits")]
    VarintOverflow {
        /// Offset of the varint's first byte.
        offset: usize,
    },
    /// A field whose value is outside the range the format allows.
    #[error("{field} at byte {offset} is {found}, but the format allows {min} to {max}")]
    FieldOutOfRange {
        /// Offset of the field.
        offset: usize,
        /// The field, as the format description names it (`window`, `sample length`, …).
        field: &'static str,
        /// The value found.
        found: u64,
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A byte that should name one of a few kinds (a frame kind, a body coding, a pattern node
    /// kind, a delta op) and names none.
    #[error("unknown {field} {found:#04x} at byte {offset} (expected {expected})")]
    UnknownKind {
        /// Offset of the byte.
        offset: usize,
        /// What the byte is (`frame kind`, `body coding`, …).
        field: &'static str,
        /// The byte found.
        found: u8,
        /// The values allowed, e.g. `"0-3"`.
        expected: &'static str,
    },
    /// A tag with bits set that its kind leaves reserved (zero).
    #[error("reserved bits {bits:#04x} set in the {field} at byte {offset}")]
    ReservedBits {
        /// Offset of the tag.
        offset: usize,
        /// The tag (`subtree reference tag`, …).
        field: &'static str,
        /// The reserved bits that are set.
        bits: u8,
    },
    /// Bytes left over after a record that should end its container (a frame's body, a file).
    #[error("{count} unused bytes at byte {offset} after the {after}")]
    ExtraBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// How many there are.
        count: usize,
        /// What they follow (`repeat's distance`, `delta's tree`, `codebook sample`).
        after: &'static str,
    },
    /// A file that does not start with the format's magic bytes.
    #[error("not {expected}: bad magic bytes at byte {offset}")]
    BadMagic {
        /// Always 0.
        offset: usize,
        /// What the file should have been (`a ΣLANG codebook`).
        expected: &'static str,
    },
    /// A codebook of version 1: it has no sample to prime the byte model.
    #[error(
        "codebook version {version} at byte {offset} has no sample for the byte model: train it again \
         (this reader reads version {expected})"
    )]
    RetiredCodebookVersion {
        /// Offset of the version byte.
        offset: usize,
        /// The version found.
        version: u8,
        /// The version this reader handles.
        expected: u8,
    },
    /// A session stream of the format earlier versions wrote (first byte 0xB1).
    #[error(
        "session stream of an earlier format at byte {offset} (first byte {byte:#04x}): its value references mean other values today; encode the messages again"
    )]
    RetiredSessionFormat {
        /// Offset of the format byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A compact v2 message whose check is not the width its length calls for (one byte exactly
    /// when at most 14 bytes precede it).
    #[error(
        "non-canonical check at byte {offset}: {covered} bytes before the check call for a {} check, \
         but the format byte says {}",
        if *covered <= 14 { "one-byte" } else { "four-byte" },
        if *short { "one byte" } else { "four bytes" }
    )]
    NonCanonicalCheck {
        /// Always 0 (the format byte).
        offset: usize,
        /// The bytes before the check.
        covered: usize,
        /// Whether the format byte says the check is one byte.
        short: bool,
    },
    /// A compact v2 value not written in its one canonical form.
    #[error("non-canonical value at byte {offset}: {reason}")]
    NonCanonicalValue {
        /// Offset of the value's header (or of the byte at fault).
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A compact v2 reference to a slot that holds no value at that point (or to no slot).
    #[error("reference at byte {offset} names slot {slot}, which holds no value yet")]
    BadReference {
        /// Offset of the value's header.
        offset: usize,
        /// The slot named.
        slot: u32,
    },
    /// A context id that does not fit the header's field.
    #[error("context id {context_id} does not fit format v1's 12-bit field (at most {limit})")]
    ContextIdTooLarge {
        /// The context id asked for.
        context_id: u16,
        /// The largest context id.
        limit: u16,
    },
}

impl Error {
    /// The byte offset the error points at, for errors found while reading.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Error::TooShort { len, .. } => Some(len),
            Error::ChecksumMismatch { offset, .. }
            | Error::UnsupportedVersion { offset, .. }
            | Error::UnknownFlags { offset, .. }
            | Error::NonCanonicalEscape { offset, .. }
            | Error::NonCanonicalLength { offset, .. }
            | Error::InvalidUtf8 { offset }
            | Error::UnexpectedEnd { offset, .. }
            | Error::GlyphCountMismatch { offset, .. }
            | Error::TrailingBytes { offset, .. }
            | Error::BadFormatByte { offset, .. }
            | Error::NonCanonicalPalette { offset, .. }
            | Error::PaletteCode { offset, .. }
            | Error::NonCanonicalVarint { offset }
            | Error::VarintOverflow { offset }
            | Error::FieldOutOfRange { offset, .. }
            | Error::UnknownKind { offset, .. }
            | Error::ReservedBits { offset, .. }
            | Error::ExtraBytes { offset, .. }
            | Error::BadMagic { offset, .. }
            | Error::RetiredCodebookVersion { offset, .. }
            | Error::RetiredSessionFormat { offset, .. }
            | Error::NonCanonicalCheck { offset, .. }
            | Error::NonCanonicalValue { offset, .. }
            | Error::BadReference { offset, .. } => Some(offset),
            Error::TooManyGlyphs { .. }
            | Error::PayloadTooLong { .. }
            | Error::SizeMismatch { .. }
            | Error::ContextIdTooLarge { .. } => None,
        }
    }
}
