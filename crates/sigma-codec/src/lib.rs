//! ΣLANG encode and decode: the public face of the workspace.
//!
//! - [`v1`]: format v1, the Python reference's wire format, byte for byte where the reference is
//!   right, and refusing (with an error naming the limit) what v1 cannot hold.
//! - [`v2`]: format v2, ours: no limits below 2^32, no ambiguity, smaller than v1 for every tree v1
//!   holds, decoding bounded by [`DecodeLimits`]; a compact variant (repeated values by slot,
//!   shared prefixes, packed numbers) and views that borrow their values from the message.
//! - [`decode`] detects the format from the first byte and decodes; [`encode`] takes the format.
//! - [`batch`]: many independent trees at once, across scoped threads, in input order.
//! - [`inspect`] renders an annotated listing of a stream, for people.
//! - [`session`]: context-aware streams of many trees (repeats, deltas against the context), with
//!   a learned [`codebook`].
//! - [`SimilarityIndex`]: the k most similar trees of a bank, in sub-linear time.
//!
//! Every decoder treats its input as hostile: it checks lengths and the checksum before parsing,
//! never panics, never recurses per tree level, and reports every problem as an [`Error`] with the
//! byte offset where it was found.
//!
//! **Layer 4.** Depends on `sigma-primitives`, `sigma-glyph`, `sigma-tree` and `sigma-delta`. Does no I/O: bytes in, bytes out; the `sigma` command reads and writes
//! files.
//!
//! ```
//! use sigma_tree::samples;
//!
//! let tree = samples::medium();
//! let bytes = sigma_codec::v1::encode(&tree)?;
//! assert_eq!(bytes.len(), 33);
//! assert_eq!(&bytes[..4], &[0x40, 0x00, 0x00, 0x06]); // version 1, context 0, 6 glyphs
//! assert_eq!(sigma_codec::decode(&bytes)?, tree);
//! # Ok::<(), sigma_codec::Error>(())
//! ```

// Input is hostile: no unwrap, panic or indexing that could panic (unit tests are exempt via
// clippy.toml), and a library prints nothing.
#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub mod batch;
mod error;
pub mod inspect;
mod limits;
pub mod session;
pub mod v1;
pub mod v2;

pub use error::{Error, MessageFault};
pub use limits::{DecodeLimits, Limit};
pub use session::SessionError;
pub use session::codebook::{self, CodebookError};
pub use sigma_delta::{Match, SimilarityIndex};
pub use sigma_tree::{Tree, TreeBuilder};

/// A wire format, as told by a stream's first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The reference's format, one tree: the first byte is 0x40–0x7F (version 1 in its top two
    /// bits).
    V1,
    /// Ours, one tree: the first byte is 0xA0–0xAF.
    V2,
    /// A session stream, many trees ([`session`]): the first byte is 0xB2.
    Session,
}

impl Format {
    /// The format's name on the command line (`v1`).
    pub fn name(self) -> &'static str {
        match self {
            Format::V1 => "v1",
            Format::V2 => "v2",
            Format::Session => "session",
        }
    }
}

/// The format of `bytes`, from its first byte alone.
pub fn detect(bytes: &[u8]) -> Result<Format, Error> {
    match bytes.first().copied() {
        None => Err(Error::EmptyInput),
        Some(byte) if byte >> 6 == sigma_glyph::v1::VERSION => Ok(Format::V1),
        Some(byte) if byte & 0xF0 == sigma_glyph::v2::FORMAT_BYTE => Ok(Format::V2),
        Some(session::STREAM_BYTE) => Ok(Format::Session),
        Some(byte @ sigma_glyph::session::RETIRED_STREAM_BYTE) => {
            Err(sigma_glyph::Error::RetiredSessionFormat { offset: 0, byte }.into())
        }
        Some(byte) => Err(Error::UnknownFormat { byte }),
    }
}

/// Decodes one tree, whatever its format, within the default [`DecodeLimits`].
pub fn decode(bytes: &[u8]) -> Result<Tree, Error> {
    decode_with_limits(bytes, &DecodeLimits::DEFAULT)
}

/// Decodes one tree, whatever its format, within `limits`.
pub fn decode_with_limits(bytes: &[u8], limits: &DecodeLimits) -> Result<Tree, Error> {
    let mut tree = Tree::new();
    decode_into(bytes, &mut tree, limits)?;
    Ok(tree)
}

/// Decodes one tree, whatever its format, into `tree` (reusing its allocations), within `limits`.
/// On error `tree` is left empty. A session stream holds many trees: it is an
/// [`Error::SessionStream`] here ([`session::decode_stream`] decodes it).
pub fn decode_into(bytes: &[u8], tree: &mut Tree, limits: &DecodeLimits) -> Result<(), Error> {
    match detect(bytes)? {
        Format::V1 => v1::decode_into_with_limits(bytes, tree, limits),
        Format::V2 => v2::Decoder::new(*limits).decode_into(bytes, tree),
        Format::Session => {
            tree.clear();
            Err(Error::SessionStream)
        }
    }
}

/// Encodes `tree` in `format` (v1 or v2; a session stream is made by [`session`], which
/// [`Format::Session`] is refused with [`Error::SessionStream`] here).
pub fn encode(tree: &Tree, format: Format) -> Result<Vec<u8>, Error> {
    match format {
        Format::V1 => v1::encode(tree),
        Format::V2 => v2::encode(tree),
        Format::Session => Err(Error::SessionStream),
    }
}
