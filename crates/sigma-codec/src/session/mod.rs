//! Sessions: context-aware streams of trees (docs/FORMAT.md, "Session streams").
//!
//! A [`SessionEncoder`] and a [`SessionDecoder`] each hold the same bounded state (one type,
//! `SessionState`, with one end-of-frame update both call): a context of the last trees, the
//! predictors, the byte model and the codebook. Each message becomes one frame, the smallest of:
//!
//! - **repeat**: the message equals one still in the window (sent as its distance);
//! - **delta**: the tree's nodes in pre-order, where every subtree found in context is one
//!   reference, every subtree fitting a codebook pattern is the pattern's number and its hole
//!   values, and every value is predicted, a back-reference, an integer difference or its bytes;
//! - **full**: the tree as a v2 message.
//!
//! With [`BodyCoding::Zstd`] (the default) a delta or full body is then coded by a zstd stream
//! each end keeps (the codebook's trained dictionary its dictionary, earlier bodies its window),
//! a **coded** frame: 40–70% of the plain bytes for 1.5–15 µs a message of zstd's own time on
//! the corpus streams. With [`BodyCoding::Modeled`] a byte model both ends keep codes it instead
//! (context mixing and arithmetic coding, primed from the codebook's sample): 14–35% fewer bytes
//! again, for 1.5 to 19 times the time (see [`BodyCoding`]). A warm session allocates nothing per message (decode with
//! [`SessionDecoder::next_frame_ref`] to have the tree lent rather than copied).
//!
//! Frames carry their sequence number and a CRC-32C, so a frame out of order, a lost frame or a
//! damaged one is an error naming the frame, never a wrong tree. The decoder rebuilds trees from
//! the bytes alone; encoding is deterministic. The bytes are read and written by
//! `sigma_glyph::session`; this module gives them their meaning.
//!
//! | file | holds |
//! |---|---|
//! | `state.rs` | `SessionState`, what both ends keep, and its end-of-frame update |
//! | `encoder.rs`, `decoder.rs` | the two ends; the decoder's [`Frames`] is the one frame loop |
//! | `predict.rs` | the primitive and value predictors |
//! | `zstd.rs` | each end's zstd stream, the default coder of frame bodies |
//! | `model.rs` | the byte model and arithmetic coder (the `modeled` coding) |
//! | `codebook.rs`, `train.rs` | the [`codebook::Codebook`] and its training |
//! | `error.rs` | [`SessionError`] |
//!
//! ```
//! use sigma_codec::session::{SessionConfig, decode_stream, encode_stream};
//! use sigma_tree::Tree;
//!
//! let messages: Vec<Tree> = [r#"{"id":1,"user":"ann"}"#, r#"{"id":2,"user":"ann"}"#]
//!     .iter()
//!     .map(|json| Tree::from_json_document(json))
//!     .collect::<Result<_, _>>()?;
//! let stream = encode_stream(&messages, SessionConfig::default())?;
//! let frames = decode_stream(&stream, sigma_codec::DecodeLimits::DEFAULT)?;
//! assert_eq!(frames[1].tree, messages[1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod codebook;
mod decoder;
mod encoder;
mod error;
mod model;
mod predict;
mod state;
mod train;
mod zstd;

use std::sync::Arc;

pub use decoder::{Frame, FrameRef, Frames, SessionDecoder};
pub use encoder::SessionEncoder;
pub use error::SessionError;
pub use sigma_delta::ContextConfig;
pub use sigma_glyph::session::{BodyCoding, FrameKind, MAX_VALUES, MAX_WINDOW, STREAM_BYTE};
use sigma_tree::Tree;

use crate::{DecodeLimits, Error};
use codebook::Codebook;

/// Session parameters both ends must share; the stream header records them. The context's
/// `window` may be at most [`MAX_WINDOW`] and `values` at most [`MAX_VALUES`]; encoding with
/// more is [`SessionError::InvalidConfig`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionConfig {
    /// The context's bounds.
    pub context: ContextConfig,
    /// How frame bodies are sent.
    pub coding: BodyCoding,
}

impl SessionConfig {
    /// Whether decoders accept this configuration.
    pub fn check(&self) -> Result<(), Error> {
        let ContextConfig { window, values, .. } = self.context;
        if window > MAX_WINDOW {
            return Err(
                SessionError::InvalidConfig { field: "window", value: window, max: MAX_WINDOW }.into()
            );
        }
        if values > MAX_VALUES {
            return Err(
                SessionError::InvalidConfig { field: "values", value: values, max: MAX_VALUES }.into()
            );
        }
        Ok(())
    }
}

/// Encodes `trees` as one session stream.
pub fn encode_stream<'t>(
    trees: impl IntoIterator<Item = &'t Tree>,
    config: SessionConfig,
) -> Result<Vec<u8>, Error> {
    encode_stream_with(trees, config, None)
}

/// Encodes `trees` as one session stream using `codebook`.
pub fn encode_stream_with<'t>(
    trees: impl IntoIterator<Item = &'t Tree>,
    config: SessionConfig,
    codebook: Option<Arc<Codebook>>,
) -> Result<Vec<u8>, Error> {
    let mut encoder = SessionEncoder::with_codebook(config, codebook);
    let mut out = Vec::new();
    encoder.write_header(&mut out)?;
    for tree in trees {
        encoder.encode_into(tree, &mut out)?;
    }
    Ok(out)
}

/// Decodes a whole session stream into its frames.
pub fn decode_stream(stream: &[u8], limits: DecodeLimits) -> Result<Vec<Frame>, Error> {
    decode_stream_with(stream, limits, None)
}

/// Decodes a whole session stream that was encoded with `codebook`.
pub fn decode_stream_with(
    stream: &[u8],
    limits: DecodeLimits,
    codebook: Option<Arc<Codebook>>,
) -> Result<Vec<Frame>, Error> {
    let mut decoder = SessionDecoder::new(stream, limits, codebook)?;
    decoder.frames(stream).collect()
}
