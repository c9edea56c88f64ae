//! The learned codebook: up to 128 frequent subtree shapes, Σ128–Σ255, learned from sample trees
//! (training is in `train.rs`).
//!
//! A *pattern* is a subtree with holes: its primitives, its structure, the values of its nodes
//! with children (labels such as a JSON member's key) and the leaf values that never varied in
//! training are fixed; the other leaf values are holes. A session stream that uses a codebook
//! sends a matching subtree as the pattern's number and its hole values only. The codebook file
//! (`sigma_glyph::codebook`) is versioned and checksummed, and its content hash is recorded in
//! every stream that uses it, so a stream cannot be decoded against the wrong codebook.
//!
//! It also holds a *sample*: the last bytes a session wrote while training (its frames' plain
//! bodies, before coding), which primes the byte model of every session that uses the codebook,
//! as a zstd dictionary primes zstd.

use std::collections::HashMap;
use std::sync::OnceLock;

use sigma_delta::hash::{hash_bytes, shape_hashes};
use sigma_glyph::codebook as file;
use sigma_primitives::Primitive;
use sigma_tree::{Tree, TreeBuilder};
use thiserror::Error;

use super::model::Model;
use crate::Error;

pub use sigma_glyph::codebook::{MAX_DICTIONARY, MAX_PATTERN_NODES, MAX_PATTERNS, MAX_SAMPLE};

/// Subtrees smaller than this are not worth a pattern (a node op costs about a byte per node).
pub const MIN_PATTERN_NODES: usize = 3;

/// A pattern node's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PatternValue {
    /// The node has no value.
    None,
    /// The node always has this value.
    Fixed(Box<str>),
    /// The node has a value that varies: sent with each use.
    Hole,
}

/// One node of a pattern, in pre-order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PatternNode {
    /// The primitive.
    pub primitive: Primitive,
    /// Nodes in its subtree, itself included.
    pub size: usize,
    /// Its value.
    pub value: PatternValue,
}

/// A subtree shape with holes.
///
/// Invariant: its nodes' sizes describe one subtree (the root's covers every node, each node's
/// lies inside its parent's), with 1 to [`MAX_PATTERN_NODES`] nodes. Training and
/// [`Codebook::from_bytes`] are the only ways to make one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    nodes: Vec<PatternNode>,
    /// Per node, the hash of its fixed value (0 for other nodes): derived from `nodes`, kept so
    /// that a session hashes no fixed value per use.
    fixed_hashes: Vec<u64>,
    /// Holes in the pattern (derived from `nodes`).
    holes: usize,
}

impl Pattern {
    /// A pattern of `nodes` (pre-order), if their sizes describe one subtree; else the index of
    /// the first node that does not fit, with the fault.
    pub(crate) fn new(nodes: Vec<PatternNode>) -> Result<Pattern, (usize, PatternFault)> {
        if nodes.is_empty() || nodes.len() > MAX_PATTERN_NODES {
            return Err((0, PatternFault::NodeCount { nodes: nodes.len() }));
        }
        // The offset past each open node's subtree, outermost first.
        let mut ends: Vec<usize> = Vec::new();
        for (index, node) in nodes.iter().enumerate() {
            while ends.last().is_some_and(|&end| end <= index) {
                ends.pop();
            }
            let room = ends.last().map_or(nodes.len(), |&end| end) - index;
            let fits = if index == 0 { node.size == room } else { (1..=room).contains(&node.size) };
            if !fits {
                return Err((index, PatternFault::Size { size: node.size, room }));
            }
            ends.push(index + node.size);
        }
        let fixed_hashes = nodes
            .iter()
            .map(|node| match &node.value {
                PatternValue::Fixed(v) => hash_bytes(v.as_bytes()),
                PatternValue::None | PatternValue::Hole => 0,
            })
            .collect();
        let holes = nodes.iter().filter(|n| n.value == PatternValue::Hole).count();
        Ok(Pattern { nodes, fixed_hashes, holes })
    }

    /// The hash ([`hash_bytes`]) of node `offset`'s fixed value (0 if it has none).
    pub(crate) fn fixed_hash(&self, offset: usize) -> u64 {
        self.fixed_hashes.get(offset).copied().unwrap_or(0)
    }

    /// The nodes, in pre-order.
    pub fn nodes(&self) -> &[PatternNode] {
        &self.nodes
    }

    /// Whether the subtree of `tree` at `root` fits the pattern.
    pub fn matches(&self, tree: &Tree, root: usize) -> bool {
        let subtree = tree.subtree(root);
        subtree.len() == self.nodes.len()
            && subtree.zip(&self.nodes).all(|(n, p)| {
                n.primitive() == p.primitive
                    && n.subtree_size() == p.size
                    && match &p.value {
                        PatternValue::None => n.value().is_none(),
                        PatternValue::Fixed(v) => n.value() == Some(&**v),
                        PatternValue::Hole => n.value().is_some(),
                    }
            })
    }

    /// Holes in the pattern.
    pub fn holes(&self) -> usize {
        self.holes
    }

    /// The pattern as a tree: fixed values in place, holes as empty values.
    fn to_tree(&self) -> Result<Tree, sigma_tree::Error> {
        let mut builder = TreeBuilder::new();
        for node in &self.nodes {
            let value = match &node.value {
                PatternValue::None => None,
                PatternValue::Fixed(v) => Some(&**v),
                PatternValue::Hole => Some(""),
            };
            builder.sized(node.primitive, value, node.size)?;
        }
        builder.finish()
    }

    /// The shape hash of the pattern: that of a tree built from it, leaf values blank, as
    /// `sigma_delta::hash::shape_hashes` gives it for every subtree that fits.
    fn shape(&self) -> u64 {
        let tree = self.to_tree();
        debug_assert!(tree.is_ok(), "a pattern's sizes describe a subtree: {tree:?}");
        let mut hashes = Vec::new();
        shape_hashes(&tree.unwrap_or_default(), &mut hashes, &mut Vec::new());
        hashes.first().copied().unwrap_or_default()
    }
}

/// Why a pattern read from a file is not a subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternFault {
    /// A pattern of no nodes, or of more than [`MAX_PATTERN_NODES`].
    NodeCount {
        /// Its nodes.
        nodes: usize,
    },
    /// A node whose subtree size does not fit: the root's must be the node count, every other
    /// node's at least 1 and at most the room left in its parent's subtree.
    Size {
        /// The size found.
        size: usize,
        /// Nodes from this one to the end of its parent's subtree.
        room: usize,
    },
    /// A node whose kind says it has children while its size says it has none, or the reverse.
    Kind {
        /// What its kind byte says.
        has_children: bool,
        /// The size found.
        size: usize,
    },
}

impl std::fmt::Display for PatternFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            PatternFault::NodeCount { nodes } => {
                write!(f, "{nodes} nodes, where a pattern has 1 to {MAX_PATTERN_NODES}")
            }
            PatternFault::Size { size, room } => {
                write!(f, "its subtree size {size} does not fit the {room} nodes left in its parent's")
            }
            PatternFault::Kind { has_children, size } => {
                let says = if has_children { "has" } else { "has no" };
                write!(f, "its kind says it {says} children, but its subtree size is {size}")
            }
        }
    }
}

/// What can be wrong with a codebook file beyond its bytes (which `sigma_glyph::codebook`
/// checks): the patterns must be subtrees.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodebookError {
    /// A pattern whose nodes do not describe one subtree.
    #[error("codebook pattern {pattern} is not a subtree: node {node} at byte {offset}: {fault}")]
    NotASubtree {
        /// Offset of the node's kind byte in the file.
        offset: usize,
        /// The pattern's number.
        pattern: usize,
        /// The node's index in the pattern.
        node: usize,
        /// What does not fit.
        fault: PatternFault,
    },
    /// A zstd dictionary that zstd cannot load, or that is not a zstd dictionary.
    #[error("codebook dictionary at byte {offset} is not a zstd dictionary zstd loads: {reason}")]
    Dictionary {
        /// Offset of the dictionary in the file.
        offset: usize,
        /// What is wrong (zstd's name for the error, or that the magic is missing).
        reason: &'static str,
    },
}

impl CodebookError {
    /// The byte offset the error points at.
    pub fn offset(&self) -> usize {
        match *self {
            CodebookError::NotASubtree { offset, .. } | CodebookError::Dictionary { offset, .. } => offset,
        }
    }
}

/// Up to 128 patterns, found by shape hash, and the sample that primes the byte model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Codebook {
    patterns: Vec<Pattern>,
    /// Shape hash → pattern numbers with that shape.
    by_shape: HashMap<u64, Vec<u8>>,
    /// Bytes that prime a session's byte model.
    sample: Vec<u8>,
    /// The zstd dictionary of zstd-coded sessions (empty: the sample is their dictionary).
    dictionary: Vec<u8>,
    hash: u64,
    /// The byte model after the sample, made on first use: sessions start from a copy.
    primed: Primed,
}

/// A cache of the primed byte model: derived from the sample, so it takes no part in equality.
#[derive(Clone, Debug, Default)]
struct Primed(OnceLock<Box<Model>>);

impl PartialEq for Primed {
    fn eq(&self, _: &Primed) -> bool {
        true
    }
}

impl Eq for Primed {}

impl Codebook {
    /// A codebook of these patterns (at most 128; more are dropped) and no sample.
    pub fn new(patterns: Vec<Pattern>) -> Codebook {
        Codebook::with_sample(patterns, Vec::new(), Vec::new())
    }

    /// A codebook of these patterns (at most 128; more are dropped), this sample (its last
    /// [`MAX_SAMPLE`] bytes) and this zstd dictionary (checked by the caller: trained by zstd,
    /// or read and checked by [`Codebook::from_bytes`]).
    pub(crate) fn with_sample(
        mut patterns: Vec<Pattern>,
        mut sample: Vec<u8>,
        dictionary: Vec<u8>,
    ) -> Codebook {
        patterns.truncate(MAX_PATTERNS);
        if sample.len() > MAX_SAMPLE {
            sample.drain(..sample.len() - MAX_SAMPLE);
        }
        let mut by_shape: HashMap<u64, Vec<u8>> = HashMap::new();
        for (number, pattern) in (0..=u8::MAX).zip(&patterns) {
            by_shape.entry(pattern.shape()).or_default().push(number);
        }
        debug_assert!(dictionary.len() <= MAX_DICTIONARY, "the trainer and the reader keep it within bounds");
        let mut codebook =
            Codebook { patterns, by_shape, sample, dictionary, hash: 0, primed: Primed::default() };
        codebook.hash = hash_bytes(&codebook.to_bytes());
        codebook
    }

    /// The patterns; pattern `k` is primitive Σ(128 + k).
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The bytes that prime the byte model of sessions using this codebook.
    pub fn sample(&self) -> &[u8] {
        &self.sample
    }

    /// The zstd dictionary zstd-coded sessions use, trained on the same bodies as the sample;
    /// empty if zstd could not train one (too few bodies), in which case they use the sample
    /// as raw content.
    pub fn dictionary(&self) -> &[u8] {
        &self.dictionary
    }

    /// A byte model that has learned the sample (learned once, then copied: 2 MiB, against a
    /// few milliseconds of learning).
    pub(crate) fn primed_model(&self) -> Box<Model> {
        self.primed
            .0
            .get_or_init(|| {
                let mut model = Box::new(Model::new());
                model.learn(&self.sample);
                model
            })
            .clone()
    }

    /// The content hash streams record (a hash of the file's bytes).
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The first pattern (by number) that the subtree of `tree` at `root`, whose shape hash is
    /// `shape`, fits.
    pub fn find(&self, shape: u64, tree: &Tree, root: usize) -> Option<u8> {
        let numbers = self.by_shape.get(&shape)?;
        numbers.iter().copied().find(|&k| self.pattern(k).is_some_and(|p| p.matches(tree, root)))
    }

    /// Pattern number `number`, if the codebook has it.
    pub fn pattern(&self, number: u8) -> Option<&Pattern> {
        self.patterns.get(usize::from(number))
    }

    /// The codebook file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        debug_assert!(self.patterns.len() <= MAX_PATTERNS, "the constructors keep at most 128");
        let mut writer = file::Writer::new(&mut out, self.patterns.len() as u8);
        for pattern in &self.patterns {
            writer.pattern(pattern.nodes.len());
            for node in &pattern.nodes {
                let value = match &node.value {
                    PatternValue::None => file::NodeValue::None,
                    PatternValue::Fixed(v) => file::NodeValue::Fixed(v),
                    PatternValue::Hole => file::NodeValue::Hole,
                };
                writer.node(&file::PatternNode {
                    offset: 0,
                    has_children: node.size > 1,
                    primitive: node.primitive.id(),
                    size: node.size,
                    value,
                });
            }
        }
        writer.finish(&self.sample, &self.dictionary);
        out
    }

    /// Reads a codebook file, checking everything: magic, version, CRC, every count and length,
    /// and that every pattern is a subtree.
    pub fn from_bytes(bytes: &[u8]) -> Result<Codebook, Error> {
        let read = file::read(bytes)?;
        let mut patterns = Vec::with_capacity(read.patterns.len());
        for (number, nodes) in read.patterns.iter().enumerate() {
            let fault = |(node, fault): (usize, PatternFault)| {
                // The file's reader gives every pattern at least one node, and faults name one.
                let at = nodes.get(node).map(|n| n.offset);
                debug_assert!(at.is_some(), "node {node} of a pattern of {}", nodes.len());
                CodebookError::NotASubtree { offset: at.unwrap_or(0), pattern: number, node, fault }
            };
            if let Some((node, n)) = nodes.iter().enumerate().find(|(_, n)| n.has_children != (n.size > 1)) {
                return Err(
                    fault((node, PatternFault::Kind { has_children: n.has_children, size: n.size })).into()
                );
            }
            let owned = nodes
                .iter()
                .map(|n| PatternNode {
                    primitive: Primitive::new(n.primitive),
                    size: n.size,
                    value: match n.value {
                        file::NodeValue::None => PatternValue::None,
                        file::NodeValue::Fixed(v) => PatternValue::Fixed(v.into()),
                        file::NodeValue::Hole => PatternValue::Hole,
                    },
                })
                .collect();
            patterns.push(Pattern::new(owned).map_err(fault)?);
        }
        if let Err(reason) = super::zstd::check_dictionary(read.dictionary) {
            // The dictionary is the file's last field, before the CRC.
            let offset = bytes.len() - file::CRC_LEN - read.dictionary.len();
            return Err(CodebookError::Dictionary { offset, reason }.into());
        }
        Ok(Codebook::with_sample(patterns, read.sample.to_vec(), read.dictionary.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(jsons: &[&str]) -> Vec<Tree> {
        jsons.iter().map(|j| Tree::from_json_document(j).unwrap()).collect()
    }

    #[test]
    fn a_trained_codebook_round_trips_through_its_file() {
        let samples = docs(&[
            r#"{"id":1,"user":{"name":"ann","lang":"en"}}"#,
            r#"{"id":2,"user":{"name":"bob","lang":"en"}}"#,
            r#"{"id":3,"user":{"name":"cy","lang":"en"}}"#,
        ]);
        let codebook = Codebook::train(&samples, 128).unwrap();
        assert!(!codebook.patterns().is_empty());
        // The top pattern is the whole message: "lang" never varied, so it is fixed.
        let top = &codebook.patterns()[0];
        assert_eq!(top.nodes().len(), samples[0].node_count());
        assert!(top.nodes().iter().any(|n| n.value == PatternValue::Fixed("en".into())));
        assert_eq!(top.holes(), 2, "id and name vary");
        let bytes = codebook.to_bytes();
        let back = Codebook::from_bytes(&bytes).unwrap();
        assert_eq!(back, codebook);
        assert_eq!(back.hash(), codebook.hash());
        assert_eq!(Codebook::train(&samples, 128).unwrap().to_bytes(), bytes, "deterministic");
        let mut tree_hashes = Vec::new();
        shape_hashes(&samples[2], &mut tree_hashes, &mut Vec::new());
        assert_eq!(codebook.find(tree_hashes[0], &samples[2], 0), Some(0));
    }

    #[test]
    fn patterns_must_be_subtrees() {
        let node = |size: usize| PatternNode { primitive: Primitive::LIST, size, value: PatternValue::None };
        assert!(Pattern::new(vec![node(3), node(1), node(1)]).is_ok());
        assert!(Pattern::new(vec![node(3), node(2), node(1)]).is_ok());
        assert_eq!(Pattern::new(vec![]), Err((0, PatternFault::NodeCount { nodes: 0 })));
        assert_eq!(
            Pattern::new(vec![node(2), node(1), node(1)]),
            Err((0, PatternFault::Size { size: 2, room: 3 }))
        );
        assert_eq!(
            Pattern::new(vec![node(3), node(3), node(1)]),
            Err((1, PatternFault::Size { size: 3, room: 2 }))
        );
        assert_eq!(
            Pattern::new(vec![node(3), node(0), node(1)]),
            Err((1, PatternFault::Size { size: 0, room: 2 }))
        );
    }
}
