//! Writing codebook files.

use super::{
    KIND_HAS_CHILDREN, KIND_VALUE_FIXED, KIND_VALUE_HOLE, KIND_VALUE_NONE, KIND_VALUE_SHIFT, MAGIC,
    NodeValue, PatternNode, VERSION,
};
use crate::v2::append_crc32c;
use crate::varint;

/// Appends a codebook file, pattern by pattern: [`Writer::new`] with the pattern count, then for
/// each pattern [`Writer::pattern`] and its nodes, then [`Writer::finish`] with the sample and
/// the dictionary.
/// The caller keeps the counts within the format's bounds (which [`read`](super::read) checks).
#[derive(Debug)]
pub struct Writer<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
}

impl<'o> Writer<'o> {
    /// Starts a file of `patterns` patterns (at most [`MAX_PATTERNS`](super::MAX_PATTERNS)).
    pub fn new(out: &'o mut Vec<u8>, patterns: u8) -> Writer<'o> {
        let start = out.len();
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.push(patterns);
        Writer { out, start }
    }

    /// Starts a pattern of `nodes` nodes.
    pub fn pattern(&mut self, nodes: usize) {
        varint::write(self.out, nodes as u64);
    }

    /// Appends a node of the current pattern (its `offset` is not written).
    pub fn node(&mut self, node: &PatternNode<'_>) {
        let value = match node.value {
            NodeValue::None => KIND_VALUE_NONE,
            NodeValue::Fixed(_) => KIND_VALUE_FIXED,
            NodeValue::Hole => KIND_VALUE_HOLE,
        };
        let children = if node.has_children { KIND_HAS_CHILDREN } else { 0 };
        self.out.push(children | value << KIND_VALUE_SHIFT);
        self.out.push(node.primitive);
        varint::write(self.out, node.size as u64);
        if let NodeValue::Fixed(text) = node.value {
            varint::write(self.out, text.len() as u64);
            self.out.extend_from_slice(text.as_bytes());
        }
    }

    /// Appends the sample, the dictionary and the CRC.
    pub fn finish(self, sample: &[u8], dictionary: &[u8]) {
        varint::write(self.out, sample.len() as u64);
        self.out.extend_from_slice(sample);
        varint::write(self.out, dictionary.len() as u64);
        self.out.extend_from_slice(dictionary);
        append_crc32c(self.out, self.start);
    }
}
