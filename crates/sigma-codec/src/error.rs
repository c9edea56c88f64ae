//! `sigma_codec::Error`: the one error type of the public API.

use thiserror::Error;

use crate::session::codebook::CodebookError;
use crate::{Limit, SessionError};

/// Everything encoding or decoding can report.
///
/// Decoding errors name the byte offset where the problem was found ([`Error::offset`]);
/// encoding refusals name the node (its pre-order index) and the limit it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A glyph-level problem: length, checksum, header, escape, length prefix, UTF-8, count.
    #[error(transparent)]
    Glyph(#[from] sigma_glyph::Error),
    /// A tree-level problem (a tree too large for the arena, or bad tree JSON).
    #[error(transparent)]
    Tree(#[from] sigma_tree::Error),
    /// The first byte is neither a v1 header (0x40–0x7F), a v2 format byte (0xA0–0xAF) nor a
    /// session stream's (0xB2).
    #[error(
        "unknown format at byte 0: first byte {byte:#04x} is neither v1 (0x40-0x7f), v2 (0xa0-0xaf) nor a session stream (0xb2)"
    )]
    UnknownFormat {
        /// The first byte.
        byte: u8,
    },
    /// A session stream (first byte 0xB2) where one tree's message was expected, or asked for:
    /// a session stream holds many trees, and `sigma_codec::session` reads and writes it.
    #[error(
        "a session stream (first byte 0xb2) holds many trees: use the session decoder and encoder (`sigma stream decode`, `sigma stream encode`)"
    )]
    SessionStream,
    /// Empty input.
    #[error("empty input at byte 0: no ΣLANG stream")]
    EmptyInput,
    /// There is nothing to encode.
    #[error("cannot encode an empty tree (it has no root)")]
    EmptyTree,
    /// A tree needs more glyphs than format v1 can count.
    #[error("tree needs {glyphs} glyphs but format v1 holds at most {limit} (12-bit count); use format v2")]
    V1TooManyGlyphs {
        /// Glyphs the tree needs: one per node and one end marker per node with children.
        glyphs: usize,
        /// The most glyphs a v1 stream holds.
        limit: usize,
    },
    /// A value longer than format v1's length prefix holds.
    #[error("node {node} has a value of {length} bytes but format v1 holds at most {limit}; use format v2")]
    V1ValueTooLong {
        /// Pre-order index of the node.
        node: usize,
        /// The value's length in bytes.
        length: usize,
        /// The longest value v1 holds.
        limit: usize,
    },
    /// A leaf with primitive 0x0B inside a composite: v1 would read it as an end marker.
    #[error(
        "node {node} is a COMPOSITE (0x0B) leaf inside a composite, which format v1 cannot tell \
         from its end marker; use format v2"
    )]
    V1EndMarkerLeaf {
        /// Pre-order index of the node.
        node: usize,
    },
    /// A stream with no glyphs (v1) or no nodes (v2).
    #[error("stream holds no glyphs (byte {offset})")]
    NoGlyphs {
        /// Offset where the first glyph should start.
        offset: usize,
    },
    /// A glyph whose type cannot stand where it stands.
    #[error("unexpected {kind} glyph at byte {offset} inside a tree")]
    UnexpectedGlyph {
        /// Offset of the glyph.
        offset: usize,
        /// Its type, by name.
        kind: &'static str,
    },
    /// A COMPOSITE glyph followed at once by its end marker: the reference never writes one, and
    /// it would decode to a leaf that encodes differently.
    #[error("composite without children at byte {offset}")]
    EmptyComposite {
        /// Offset of the end marker.
        offset: usize,
    },
    /// A PRIMITIVE glyph of 0x0B with a payload inside a composite: the reference reads it as an
    /// end marker and drops the payload; we refuse to guess.
    #[error(
        "ambiguous end marker at byte {offset}: a COMPOSITE (0x0B) glyph with a value inside a composite"
    )]
    AmbiguousEndMarker {
        /// Offset of the glyph.
        offset: usize,
    },
    /// The glyphs end with composites still open.
    #[error("stream ends at byte {offset} with {open} composites still open")]
    UnclosedComposite {
        /// Offset where the glyphs end.
        offset: usize,
        /// How many composites lack their end marker.
        open: usize,
    },
    /// More glyphs after the root's tree is complete.
    #[error("extra glyph at byte {offset} after the complete tree")]
    ExtraTree {
        /// Offset of the first extra glyph.
        offset: usize,
    },
    /// A decode limit was exceeded (see [`DecodeLimits`](crate::DecodeLimits)).
    #[error("decode limit {limit} exceeded at byte {offset}: found {found}, at most {max} (raise it with {})", limit.option())]
    LimitExceeded {
        /// Where the decoder was when it stopped.
        offset: usize,
        /// Which limit.
        limit: Limit,
        /// The value found (or the first value past the limit).
        found: u64,
        /// The limit.
        max: u64,
    },
    /// A v2 root with the last-sibling bit set: a root has no siblings.
    #[error("non-canonical root at byte {offset}: the root's last-sibling bit is set")]
    NonCanonicalRoot {
        /// Offset of the root's tag.
        offset: usize,
    },
    /// A v2 message whose primitive coding (palette or none) is not the one its tree calls for.
    #[error("non-canonical primitive coding at byte {offset}: {reason}")]
    NonCanonicalCoding {
        /// Offset of the format byte or palette.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A problem in one frame of a session stream.
    #[error("frame {seq} at byte {offset}: {source}")]
    Frame {
        /// The sequence number the frame should have had (its position in the stream).
        seq: u64,
        /// Offset of the frame in the stream.
        offset: usize,
        /// What is wrong with it.
        source: Box<Error>,
    },
    /// A problem with one tree or message of a batch ([`crate::batch`]).
    #[error("batch item {index}: {source}")]
    InBatch {
        /// The item's index in the batch.
        index: usize,
        /// What is wrong with it (offsets are within the item).
        source: Box<Error>,
    },
    /// A problem with a session stream (beyond its bytes, which are [`Error::Glyph`]'s).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A codebook file whose patterns are not subtrees (its bytes are [`Error::Glyph`]'s).
    #[error(transparent)]
    Codebook(#[from] CodebookError),
    /// A batch worker thread panicked: a bug, reported instead of passed on.
    #[error("a batch worker thread panicked (a bug in sigma-codec; please report it)")]
    WorkerPanicked,
    /// A v1 DELTA or REFERENCE message that does not have the reference's shape.
    #[error("malformed message at byte {offset}: {fault}")]
    MalformedMessage {
        /// Offset of the offending glyph.
        offset: usize,
        /// What is wrong.
        fault: MessageFault,
    },
    /// A REFERENCE message: it names a tree stored in another process (by a hash that can
    /// collide) or a codebook pattern, neither of which a standalone stream can resolve.
    #[error(
        "unresolvable reference at byte {offset}: {target}; a standalone v1 stream cannot name a tree stored elsewhere"
    )]
    UnresolvableReference {
        /// Offset of the REFERENCE glyph.
        offset: usize,
        /// What it refers to, e.g. `sigma bank hash 0x12345678`.
        target: String,
    },
}

impl Error {
    /// The byte offset a decoding error points at; `None` for encoding refusals.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Glyph(e) => e.offset(),
            Error::Tree(e) => e.offset(),
            Error::UnknownFormat { .. } | Error::EmptyInput | Error::SessionStream => Some(0),
            Error::Session(e) => e.offset(),
            Error::Codebook(e) => Some(e.offset()),
            Error::NoGlyphs { offset }
            | Error::UnexpectedGlyph { offset, .. }
            | Error::EmptyComposite { offset }
            | Error::AmbiguousEndMarker { offset }
            | Error::UnclosedComposite { offset, .. }
            | Error::ExtraTree { offset }
            | Error::MalformedMessage { offset, .. }
            | Error::LimitExceeded { offset, .. }
            | Error::NonCanonicalRoot { offset }
            | Error::NonCanonicalCoding { offset, .. }
            | Error::Frame { offset, .. }
            | Error::UnresolvableReference { offset, .. } => Some(*offset),
            Error::InBatch { source, .. } => source.offset(),
            Error::EmptyTree
            | Error::WorkerPanicked
            | Error::V1TooManyGlyphs { .. }
            | Error::V1ValueTooLong { .. }
            | Error::V1EndMarkerLeaf { .. } => None,
        }
    }
}

/// How a v1 DELTA or REFERENCE message departs from the shape the reference writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageFault {
    /// A DELTA glyph with no tree after it.
    NoTreeAfterDelta,
    /// A DELTA message listing a new primitive its tree does not use.
    UnusedNewPrimitive,
    /// A DELTA glyph whose primitive is not TRANSFORM (0x0C).
    DeltaNotTransform,
    /// A DELTA glyph whose payload is not a 4-byte context id.
    DeltaPayloadNotContextId,
    /// Something other than a bare PRIMITIVE glyph between the DELTA glyph and the tree.
    NotABarePrimitive,
    /// New primitives listed out of ascending order.
    NewPrimitivesNotAscending,
    /// A REFERENCE glyph of neither of the reference's shapes (a bank hash, a codebook pattern).
    UnknownReference,
}

impl std::fmt::Display for MessageFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MessageFault::NoTreeAfterDelta => "no tree after the DELTA glyph",
            MessageFault::UnusedNewPrimitive => "lists a new primitive the tree does not use",
            MessageFault::DeltaNotTransform => "the DELTA glyph's primitive is not TRANSFORM (0x0C)",
            MessageFault::DeltaPayloadNotContextId => "the DELTA glyph's payload is not a 4-byte context id",
            MessageFault::NotABarePrimitive => {
                "only bare PRIMITIVE glyphs may come between the DELTA glyph and the tree"
            }
            MessageFault::NewPrimitivesNotAscending => "new primitives are not in ascending order",
            MessageFault::UnknownReference => "REFERENCE glyph of no known shape",
        })
    }
}
