//! `SessionState`: what both ends of a session keep, in one type, with the one end-of-frame
//! update both call. The encoder and the decoder differ only in how they get a frame's tree (the
//! encoder is given it, the decoder reads it) and in whether the context indexes subtrees (the
//! encoder looks them up; the decoder is told where they are).

use std::sync::Arc;

use sigma_delta::hash::hash_bytes;
use sigma_delta::{Context, ValueTable};
use sigma_glyph::session::Header;
use sigma_tree::Tree;

use super::codebook::Codebook;
use super::model::Model;
use super::predict::{PrimitiveModel, ValueModel};
use super::{BodyCoding, SessionConfig, zstd};

/// Which end of a session a state belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    Encoder,
    Decoder,
}

/// The state both ends of a session keep, updated identically after every frame; `Z` is the
/// end's half of a zstd stream ([`zstd::Encoder`] or [`zstd::Decoder`]).
#[derive(Debug)]
pub(crate) struct SessionState<Z> {
    pub(crate) config: SessionConfig,
    pub(crate) codebook: Option<Arc<Codebook>>,
    /// The last `window` trees.
    pub(crate) context: Context,
    /// Each parent primitive's recent child primitives.
    pub(crate) primitives: PrimitiveModel,
    /// The value last seen in each place.
    pub(crate) values: ValueModel,
    /// The values sent so far, numbered for back-references.
    pub(crate) table: ValueTable,
    /// The values the current frame teaches the value table: those sent as literals or integer
    /// differences and the fixed values of its patterns (a predicted value or a back-reference
    /// is known already), as their node's index in the tree and their hash, in op order
    /// (scratch).
    pub(crate) learned: Vec<(usize, u64)>,
    /// What codes the bodies of coded frames.
    pub(crate) coder: Coder<Z>,
}

/// One end of a zstd stream.
pub(crate) trait ZstdEnd {
    /// Which end it is.
    const END: End;
    /// A stream that loads `dictionary`, or zstd's error name.
    fn new(dictionary: &[u8]) -> Result<Self, &'static str>
    where
        Self: Sized;
    /// The memory it holds now.
    fn memory(&self) -> usize;
}

impl ZstdEnd for zstd::Encoder {
    const END: End = End::Encoder;
    fn new(dictionary: &[u8]) -> Result<Self, &'static str> {
        zstd::Encoder::new(dictionary)
    }
    fn memory(&self) -> usize {
        zstd::Encoder::memory(self)
    }
}

impl ZstdEnd for zstd::Decoder {
    const END: End = End::Decoder;
    fn new(dictionary: &[u8]) -> Result<Self, &'static str> {
        zstd::Decoder::new(dictionary)
    }
    fn memory(&self) -> usize {
        zstd::Decoder::memory(self)
    }
}

/// What codes a session's frame bodies: nothing (plain), the byte model, or this end's half
/// of a zstd stream.
#[derive(Debug)]
pub(crate) enum Coder<Z> {
    Plain,
    Modeled(Box<Model>),
    Zstd(Box<Z>),
    /// A zstd stream zstd could not make (out of memory): every frame fails with its error.
    Broken(&'static str),
}

/// The memory a decoding end of a stream with `coding` holds for its body coder, at most: what
/// [`crate::DecodeLimits::max_session_memory`] is checked against before it is allocated.
pub(crate) fn decoder_memory(coding: BodyCoding) -> u64 {
    match coding {
        BodyCoding::Plain => 0,
        BodyCoding::Modeled => Model::MEMORY as u64,
        BodyCoding::Zstd => zstd::DECODER_MEMORY,
    }
}

impl<Z: ZstdEnd> Coder<Z> {
    /// The memory this coder holds now.
    pub(crate) fn memory(&self) -> usize {
        match self {
            Coder::Plain => 0,
            Coder::Modeled(_) => Model::MEMORY,
            Coder::Zstd(zstd) => zstd.memory(),
            Coder::Broken(_) => 0,
        }
    }
}

impl<Z: ZstdEnd> SessionState<Z> {
    /// The state at the start of a session: empty context and value table, fresh predictors,
    /// and the body coder (a byte model primed from the codebook's sample, or a zstd stream
    /// loading the codebook's dictionary).
    pub(crate) fn new(config: SessionConfig, codebook: Option<Arc<Codebook>>) -> SessionState<Z> {
        let context = match Z::END {
            End::Encoder => Context::new(config.context),
            End::Decoder => Context::without_index(config.context),
        };
        let dictionary =
            codebook.as_deref().map_or(&[][..], |c| zstd::stream_dictionary(c.dictionary(), c.sample()));
        let coder = match config.coding {
            BodyCoding::Plain => Coder::Plain,
            BodyCoding::Modeled => Coder::Modeled(
                codebook.as_deref().map_or_else(|| Box::new(Model::new()), Codebook::primed_model),
            ),
            BodyCoding::Zstd => Z::new(dictionary).map_or_else(Coder::Broken, |z| Coder::Zstd(Box::new(z))),
        };
        SessionState {
            config,
            codebook,
            context,
            primitives: PrimitiveModel::new(),
            values: ValueModel::default(),
            table: ValueTable::new(config.context.values),
            learned: Vec::new(),
            coder,
        }
    }

    /// The stream header these parameters make.
    pub(crate) fn header(&self) -> Header {
        let context = self.config.context;
        Header {
            window: context.window,
            values: context.values,
            min_subtree: context.min_subtree,
            coding: self.config.coding,
            codebook: self.codebook.as_deref().map_or(0, Codebook::hash),
        }
    }

    /// The sequence number of the next frame.
    pub(crate) fn next_seq(&self) -> u64 {
        self.context.next_seq()
    }

    /// From here on, remember how to undo what the predictors learn: the encoder tries a delta
    /// before it knows whether the decoder will see it.
    pub(crate) fn begin_trial(&mut self) {
        self.primitives.begin_trial();
        self.values.begin_trial();
    }

    /// Keeps what the predictors learned since [`SessionState::begin_trial`], or undoes it.
    pub(crate) fn end_trial(&mut self, keep: bool) {
        self.primitives.end_trial(keep);
        self.values.end_trial(keep);
    }

    /// The end of a frame, on both ends alike: the value table learns the values the frame
    /// brought (`sent`), the value model starts again if full, and the frame's tree joins the
    /// context (with its subtree hashes, which an encoder has computed already and a decoder
    /// does not need). Returns the buffers of the tree the context let go, for the next frame.
    pub(crate) fn end_frame(
        &mut self,
        tree: Tree,
        hashes: Vec<u64>,
        sent: Sent<'_>,
    ) -> Option<(Tree, Vec<u64>)> {
        match sent {
            Sent::Nothing => {}
            Sent::Learned => {
                for &(index, hash) in &self.learned {
                    let value = tree.node(index).and_then(|node| node.value());
                    debug_assert!(value.is_some(), "a literal is a node's value");
                    if let Some(value) = value {
                        self.table.insert_hashed(value, hash);
                    }
                }
            }
            Sent::Every(hashes) => {
                for node in tree.nodes() {
                    if let Some(value) = node.value() {
                        let hash = match hashes.and_then(|hashes| hashes.get(node.index())) {
                            Some(&hash) => hash,
                            None => {
                                debug_assert!(hashes.is_none(), "the hashes given are the tree's");
                                hash_bytes(value.as_bytes())
                            }
                        };
                        self.table.insert_hashed(value, hash);
                    }
                }
            }
        }
        self.learned.clear();
        self.values.end_frame();
        self.context.push_recycling(tree, hashes).1
    }
}

/// What a frame brought into the value table.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sent<'h> {
    /// A repeat: nothing.
    Nothing,
    /// A delta: the values it taught ([`SessionState::learned`]), in order.
    Learned,
    /// A full message: every value of the tree, in pre-order (with the tree's value hashes, if
    /// known).
    Every(Option<&'h [u64]>),
}
