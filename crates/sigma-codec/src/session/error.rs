//! `SessionError`: what can be wrong with a session stream beyond its bytes (which
//! `sigma_glyph::session` checks): frames out of order, references to what the context does not
//! hold, predictions that do not exist, the wrong codebook, a configuration no decoder accepts.

use sigma_glyph::session::{BodyCoding, FrameKind};
use thiserror::Error;

use crate::Format;

/// Everything a session can report besides byte-level errors, decode limits and the errors of a
/// v2 message inside a frame. Decoding errors name the byte offset in the stream.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Bytes given to a session decoder that are another format.
    #[error("not a session stream at byte 0: it is format {} (decode it with `sigma decode`)", format.name())]
    NotAStream {
        /// The format the first byte names.
        format: Format,
    },
    /// The stream names a codebook and none was given.
    #[error(
        "the stream was encoded with a codebook (hash {named:016x}, at byte {offset}); give the same codebook to decode it"
    )]
    CodebookRequired {
        /// Offset of the header's codebook hash.
        offset: usize,
        /// The hash the header names.
        named: u64,
    },
    /// A codebook was given for a stream encoded without one.
    #[error(
        "the stream was encoded without a codebook (byte {offset}), but one was given (hash {given:016x})"
    )]
    CodebookNotUsed {
        /// Offset of the header's codebook hash.
        offset: usize,
        /// The given codebook's hash.
        given: u64,
    },
    /// The codebook given is not the one the stream was encoded with.
    #[error(
        "the stream was encoded with another codebook: the header at byte {offset} names hash {named:016x}, the codebook given has {given:016x}"
    )]
    CodebookMismatch {
        /// Offset of the header's codebook hash.
        offset: usize,
        /// The hash the header names.
        named: u64,
        /// The given codebook's hash.
        given: u64,
    },
    /// A frame whose sequence number is not the next one: frames reordered, lost or repeated.
    #[error(
        "frame out of order or missing at byte {offset}: expected sequence number {expected}, found {found}"
    )]
    OutOfOrder {
        /// Offset of the frame.
        offset: usize,
        /// The next sequence number.
        expected: u64,
        /// The frame's.
        found: u64,
    },
    /// A frame kind the stream's body coding does not use (plain streams: full, repeat, delta;
    /// modeled streams: repeat, coded).
    #[error("a {} frame at byte {offset}, which the stream's body coding ({}) does not use", kind.name(), coding.name())]
    KindNotInCoding {
        /// Offset of the frame's kind byte.
        offset: usize,
        /// The frame's kind.
        kind: FrameKind,
        /// The stream's coding.
        coding: BodyCoding,
    },
    /// A repeat of a message that is not in the window.
    #[error("repeat at byte {offset} of the message {distance} back, which is outside the window")]
    RepeatOutsideWindow {
        /// Offset of the distance.
        offset: usize,
        /// Messages back from the latest.
        distance: u64,
    },
    /// A subtree reference into a message that is not in the window.
    #[error(
        "subtree reference at byte {offset} into the message {distance} back, which is outside the window"
    )]
    SubtreeOutsideWindow {
        /// Offset of the op.
        offset: usize,
        /// Messages back from the latest.
        distance: u64,
    },
    /// A subtree reference to a node its message does not have.
    #[error("subtree reference at byte {offset} to node {node} of a tree of {nodes} nodes")]
    SubtreePastEnd {
        /// Offset of the op.
        offset: usize,
        /// The node asked for.
        node: u64,
        /// Nodes in the tree referred to.
        nodes: usize,
    },
    /// A node op naming a primitive-list slot past the list's three.
    #[error("node op at byte {offset} names a primitive list slot that does not exist")]
    PrimitiveSlot {
        /// Offset of the op.
        offset: usize,
    },
    /// A value back-reference past the value table.
    #[error(
        "value reference at byte {offset} to the value {distance} back, which the value table does not hold"
    )]
    ValueOutsideTable {
        /// Offset of the op.
        offset: usize,
        /// Values back from the newest.
        distance: u64,
    },
    /// A value sent as "the predicted one" where nothing is predicted.
    #[error("predicted value at byte {offset} where nothing was seen in the same place")]
    NoPrediction {
        /// Offset of the op.
        offset: usize,
    },
    /// An integer difference where the prediction is not an integer.
    #[error("integer difference at byte {offset} where the predicted value is not an integer")]
    NoIntegerPrediction {
        /// Offset of the op.
        offset: usize,
    },
    /// An integer difference that overflows 64 bits.
    #[error("integer difference at byte {offset} overflows 64 bits")]
    IntegerOverflow {
        /// Offset of the op.
        offset: usize,
    },
    /// A pattern op naming a pattern the codebook does not have.
    #[error("pattern op at byte {offset} names pattern {number}, but the codebook has {patterns}")]
    PatternNotInCodebook {
        /// Offset of the op.
        offset: usize,
        /// The pattern asked for.
        number: u8,
        /// Patterns in the codebook.
        patterns: usize,
    },
    /// A pattern hole whose value kind is "none": every hole has a value.
    #[error("pattern op at byte {offset}: hole {hole} has no value")]
    HoleWithoutValue {
        /// Offset of the op.
        offset: usize,
        /// The hole's index.
        hole: usize,
    },
    /// A coded body whose length is not what the byte model read.
    #[error("coded body at byte {offset} of {found} bytes, where the byte model read {expected}")]
    CodedLength {
        /// Offset of the coded bytes.
        offset: usize,
        /// Bytes the model read.
        expected: usize,
        /// Bytes the body has.
        found: usize,
    },
    /// A zstd-coded body that zstd refused.
    #[error("zstd-coded body at byte {offset}: {reason}")]
    Zstd {
        /// Offset of the coded bytes.
        offset: usize,
        /// zstd's name for the error.
        reason: &'static str,
    },
    /// A zstd-coded body that is not whole zstd blocks (a block or the frame header cut short).
    #[error("zstd-coded body: the bytes from byte {offset} on are not a whole zstd block")]
    ZstdUnread {
        /// Offset of the first byte not read.
        offset: usize,
    },
    /// A first zstd-coded body that does not start a zstd frame.
    #[error("zstd-coded body at byte {offset} does not start a zstd frame")]
    ZstdNotAFrame {
        /// Offset of the coded bytes.
        offset: usize,
    },
    /// A zstd-coded body that ended the session's zstd frame (a session's frame never ends).
    #[error("zstd-coded body at byte {offset} ends the session's zstd frame")]
    ZstdFrameEnded {
        /// Offset of the coded bytes.
        offset: usize,
    },
    /// A frame after one whose body failed to decode: that body had already taught the
    /// predictors (and the byte model) part of itself, so the decoder's state is no longer the
    /// encoder's and no later frame can be read.
    #[error(
        "frame at byte {offset}: the frame at byte {failed_at} failed after changing the session's state, so the session cannot go on"
    )]
    EarlierFrameFailed {
        /// Offset of this frame.
        offset: usize,
        /// Offset of the frame that failed.
        failed_at: usize,
    },
    /// A session configuration no decoder would accept (the stream would be unreadable).
    #[error("session {field} is {value}, but decoders accept at most {max}")]
    InvalidConfig {
        /// The field: `window` or `values`.
        field: &'static str,
        /// Its value.
        value: usize,
        /// The most decoders accept.
        max: usize,
    },
}

impl SessionError {
    /// The byte offset a decoding error points at; `None` for encoding refusals.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            SessionError::NotAStream { .. } => Some(0),
            SessionError::CodebookRequired { offset, .. }
            | SessionError::CodebookNotUsed { offset, .. }
            | SessionError::CodebookMismatch { offset, .. }
            | SessionError::OutOfOrder { offset, .. }
            | SessionError::KindNotInCoding { offset, .. }
            | SessionError::RepeatOutsideWindow { offset, .. }
            | SessionError::SubtreeOutsideWindow { offset, .. }
            | SessionError::SubtreePastEnd { offset, .. }
            | SessionError::PrimitiveSlot { offset }
            | SessionError::ValueOutsideTable { offset, .. }
            | SessionError::NoPrediction { offset }
            | SessionError::NoIntegerPrediction { offset }
            | SessionError::IntegerOverflow { offset }
            | SessionError::PatternNotInCodebook { offset, .. }
            | SessionError::HoleWithoutValue { offset, .. }
            | SessionError::CodedLength { offset, .. }
            | SessionError::Zstd { offset, .. }
            | SessionError::ZstdUnread { offset }
            | SessionError::ZstdNotAFrame { offset }
            | SessionError::ZstdFrameEnded { offset }
            | SessionError::EarlierFrameFailed { offset, .. } => Some(offset),
            SessionError::InvalidConfig { .. } => None,
        }
    }
}
