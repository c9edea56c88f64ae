//! The learned codebook: up to 128 frequent subtree shapes, Σ128–Σ255, learned from sample trees.
//!
//! A *pattern* is a subtree with holes: its primitives, its structure, the values of its nodes
//! with children (labels such as a JSON member's key) and the leaf values that never varied in
//! training are fixed; the other leaf values are holes. A session stream that uses a codebook
//! sends a matching subtree as the pattern's number and its hole values only. The codebook file
//! is versioned and checksummed, and its content hash is recorded in every stream that uses it,
//! so a stream cannot be decoded against the wrong codebook.
//!
//! It also holds a *sample*: the last bytes a session wrote while training (its frames' plain
//! bodies, before coding), which primes the byte model of every session that uses the codebook,
//! as a zstd dictionary primes zstd.
//!
//! ```text
//! file    = "ΣCB" 0x02 | pattern count (1 byte, ≤ 128) | pattern* | sample length (varint)
//!           | sample | CRC-32C of all before (u32 BE)
//! pattern = node count (varint) | node*
//! node    = kind (1 byte: bit 0 has children, bits 2-1 value: 0 none, 1 fixed, 2 hole)
//!           | primitive id | subtree size (varint) | [fixed value: length varint, UTF-8]
//! ```

use std::collections::HashMap;

use sigma_delta::hash::{hash_bytes, shape_hashes};
use sigma_glyph::v2::crc32c;
use sigma_primitives::Primitive;
use sigma_tree::Tree;

use crate::Error;
use crate::entropy::Model;
use crate::session::put_varint;

/// The file's first four bytes: "ΣCB" in UTF-8 is five bytes, so: 0xCE 0xA3 'C' 'B', then the
/// version.
const MAGIC: [u8; 4] = [0xCE, 0xA3, b'C', b'B'];
const VERSION: u8 = 2;
/// The most bytes of sample a codebook keeps (priming a session's model costs about 0.1 µs a
/// byte, once per session).
pub const MAX_SAMPLE: usize = 32 * 1024;
/// The most patterns: one per learned primitive Σ128–Σ255.
pub const MAX_PATTERNS: usize = 128;
/// Subtrees smaller than this are not worth a pattern (a node op costs about a byte per node).
pub const MIN_PATTERN_NODES: usize = 3;
/// Subtrees larger than this are not considered (bounded training cost).
pub const MAX_PATTERN_NODES: usize = 4096;

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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The nodes in pre-order.
    pub nodes: Vec<PatternNode>,
}

impl Pattern {
    /// Whether the subtree of `tree` at `root` fits the pattern.
    pub fn matches(&self, tree: &Tree, root: usize) -> bool {
        self.nodes.iter().enumerate().all(|(offset, p)| {
            tree.node(root + offset).is_some_and(|n| {
                n.primitive() == p.primitive
                    && n.subtree_size() == p.size
                    && match &p.value {
                        PatternValue::None => n.value().is_none(),
                        PatternValue::Fixed(v) => n.value() == Some(&**v),
                        PatternValue::Hole => n.value().is_some(),
                    }
            })
        })
    }

    /// Holes in the pattern.
    pub fn holes(&self) -> usize {
        self.nodes.iter().filter(|n| n.value == PatternValue::Hole).count()
    }
}

/// Up to 128 patterns, found by shape hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Codebook {
    patterns: Vec<Pattern>,
    /// Shape hash → pattern numbers with that shape.
    by_shape: HashMap<u64, Vec<u8>>,
    /// Bytes that prime a session's byte model.
    sample: Vec<u8>,
    hash: u64,
    /// The byte model after the sample, made on first use: sessions start from a copy.
    primed: Primed,
}

/// A cache of the primed byte model: derived from the sample, so it takes no part in equality.
#[derive(Clone, Debug, Default)]
struct Primed(std::sync::OnceLock<Box<Model>>);

impl PartialEq for Primed {
    fn eq(&self, _: &Primed) -> bool {
        true
    }
}

impl Eq for Primed {}

fn bad(offset: usize, reason: &'static str) -> Error {
    Error::MalformedMessage { offset, reason }
}

impl Codebook {
    /// A codebook of these patterns (at most 128; more are dropped).
    pub fn new(patterns: Vec<Pattern>) -> Codebook {
        Codebook::with_sample(patterns, Vec::new())
    }

    /// A codebook of these patterns (at most 128; more are dropped) and this sample (its last
    /// [`MAX_SAMPLE`] bytes).
    pub fn with_sample(mut patterns: Vec<Pattern>, mut sample: Vec<u8>) -> Codebook {
        patterns.truncate(MAX_PATTERNS);
        if sample.len() > MAX_SAMPLE {
            sample.drain(..sample.len() - MAX_SAMPLE);
        }
        let mut codebook =
            Codebook { patterns, by_shape: HashMap::new(), sample, hash: 0, primed: Primed::default() };
        for (number, pattern) in codebook.patterns.iter().enumerate() {
            let shape = shape_of(pattern);
            codebook.by_shape.entry(shape).or_default().push(number as u8);
        }
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

    /// The content hash streams record.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The first pattern (by number) that the subtree of `tree` at `root`, whose shape hash is
    /// `shape`, fits.
    pub fn find(&self, shape: u64, tree: &Tree, root: usize) -> Option<u8> {
        self.by_shape
            .get(&shape)?
            .iter()
            .copied()
            .find(|&k| self.patterns.get(usize::from(k)).is_some_and(|p| p.matches(tree, root)))
    }

    /// Learns up to `max_patterns` patterns from `samples`: every subtree shape that occurs at
    /// least twice, its leaf values fixed where they never varied, ranked by the bytes it would
    /// save (occurrences × (nodes − holes − 2)), best first; ties by shape hash, so training is
    /// deterministic. Then encodes the samples in a session with those patterns and keeps the
    /// last [`MAX_SAMPLE`] bytes of its frames' plain bodies as the sample.
    pub fn train(samples: &[Tree], max_patterns: usize) -> Codebook {
        let patterns = Codebook::train_patterns(samples, max_patterns);
        let with_patterns = std::sync::Arc::new(Codebook::new(patterns.clone()));
        let sample = crate::session::SessionEncoder::sample_bodies(with_patterns, samples, MAX_SAMPLE);
        Codebook::with_sample(patterns, sample)
    }

    fn train_patterns(samples: &[Tree], max_patterns: usize) -> Vec<Pattern> {
        struct Group {
            first: (usize, usize),
            count: usize,
            /// Per node: the leaf value if it never varied so far (None: varied or absent).
            fixed: Vec<Option<Box<str>>>,
        }
        let mut groups: HashMap<u64, Group> = HashMap::new();
        let mut hashes = Vec::new();
        let mut stack = Vec::new();
        for (t, tree) in samples.iter().enumerate() {
            shape_hashes(tree, &mut hashes, &mut stack);
            for node in tree.nodes() {
                let size = node.subtree_size();
                if !(MIN_PATTERN_NODES..=MAX_PATTERN_NODES).contains(&size) {
                    continue;
                }
                let Some(&shape) = hashes.get(node.index()) else { continue };
                let root = node.index();
                match groups.get_mut(&shape) {
                    None => {
                        let fixed = (root..root + size)
                            .map(|i| tree.node(i).and_then(|n| n.value()).map(Box::from))
                            .collect();
                        groups.insert(shape, Group { first: (t, root), count: 1, fixed });
                    }
                    Some(group) => {
                        // Confirm the shape (a hash collision joins nothing).
                        let (ft, fr) = group.first;
                        let Some(first_tree) = samples.get(ft) else { continue };
                        if !same_shape(first_tree, fr, tree, root) {
                            continue;
                        }
                        group.count += 1;
                        for (offset, slot) in group.fixed.iter_mut().enumerate() {
                            let value = tree.node(root + offset).and_then(|n| n.value());
                            if slot.as_deref() != value {
                                *slot = None;
                            }
                        }
                    }
                }
            }
        }
        let mut ranked: Vec<(usize, u64, Pattern)> = groups
            .into_iter()
            .filter(|(_, g)| g.count >= 2)
            .filter_map(|(shape, g)| {
                let (t, root) = g.first;
                let tree = samples.get(t)?;
                let nodes: Vec<PatternNode> = g
                    .fixed
                    .iter()
                    .enumerate()
                    .filter_map(|(offset, fixed)| {
                        let n = tree.node(root + offset)?;
                        let value = match (n.value(), fixed) {
                            (None, _) => PatternValue::None,
                            (Some(_), Some(v)) => PatternValue::Fixed(v.clone()),
                            (Some(_), None) => PatternValue::Hole,
                        };
                        Some(PatternNode { primitive: n.primitive(), size: n.subtree_size(), value })
                    })
                    .collect();
                let pattern = Pattern { nodes };
                let saved = g.count * (pattern.nodes.len().saturating_sub(pattern.holes() + 2));
                (saved > 0).then_some((saved, shape, pattern))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.into_iter().take(max_patterns.min(MAX_PATTERNS)).map(|(_, _, p)| p).collect()
    }

    /// The codebook file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(VERSION);
        out.push(self.patterns.len() as u8);
        for pattern in &self.patterns {
            put_varint(&mut out, pattern.nodes.len() as u64);
            for node in &pattern.nodes {
                let value_bits = match node.value {
                    PatternValue::None => 0,
                    PatternValue::Fixed(_) => 1,
                    PatternValue::Hole => 2,
                };
                out.push(u8::from(node.size > 1) | value_bits << 1);
                out.push(node.primitive.id());
                put_varint(&mut out, node.size as u64);
                if let PatternValue::Fixed(v) = &node.value {
                    put_varint(&mut out, v.len() as u64);
                    out.extend_from_slice(v.as_bytes());
                }
            }
        }
        put_varint(&mut out, self.sample.len() as u64);
        out.extend_from_slice(&self.sample);
        let crc = crc32c(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    /// Reads a codebook file, checking everything: magic, version, CRC, and that every pattern is
    /// a well-formed subtree.
    pub fn from_bytes(bytes: &[u8]) -> Result<Codebook, Error> {
        if bytes.get(..4) != Some(&MAGIC[..]) {
            return Err(bad(0, "not a ΣLANG codebook (bad magic)"));
        }
        match bytes.get(4) {
            Some(&VERSION) => {}
            Some(1) => {
                return Err(bad(4, "codebook version 1 has no sample for the byte model: train it again"));
            }
            _ => return Err(bad(4, "unsupported codebook version")),
        }
        let body_len =
            bytes.len().checked_sub(4).filter(|&n| n >= 6).ok_or(bad(bytes.len(), "codebook cut short"))?;
        let (body, stored) = bytes.split_at(body_len);
        let stored = u32::from_be_bytes(stored.try_into().unwrap_or_default());
        let computed = crc32c(body);
        if stored != computed {
            return Err(Error::Glyph(sigma_glyph::Error::ChecksumMismatch {
                offset: body_len,
                stored,
                computed,
            }));
        }
        let mut pos = 5;
        let byte = |pos: &mut usize| {
            let b = body.get(*pos).copied().ok_or(bad(*pos, "codebook cut short"));
            *pos += 1;
            b
        };
        let varint = |pos: &mut usize| -> Result<u64, Error> {
            let mut value = 0u64;
            for shift in (0..64).step_by(7) {
                let b = body.get(*pos).copied().ok_or(bad(*pos, "codebook cut short"))?;
                *pos += 1;
                value |= u64::from(b & 0x7F) << shift;
                if b & 0x80 == 0 {
                    return Ok(value);
                }
            }
            Err(bad(*pos, "varint too long"))
        };
        let count = usize::from(byte(&mut pos)?);
        if count > MAX_PATTERNS {
            return Err(bad(5, "more than 128 patterns"));
        }
        let mut patterns = Vec::with_capacity(count);
        for _ in 0..count {
            let at = pos;
            let n = usize::try_from(varint(&mut pos)?).map_err(|_| bad(at, "pattern too large"))?;
            if !(1..=MAX_PATTERN_NODES).contains(&n) {
                return Err(bad(at, "pattern size out of range"));
            }
            let mut nodes = Vec::with_capacity(n);
            for _ in 0..n {
                let at = pos;
                let kind = byte(&mut pos)?;
                let primitive = Primitive::new(byte(&mut pos)?);
                let size =
                    usize::try_from(varint(&mut pos)?).map_err(|_| bad(at, "subtree size too large"))?;
                let value = match kind >> 1 {
                    0 => PatternValue::None,
                    1 => {
                        let len =
                            usize::try_from(varint(&mut pos)?).map_err(|_| bad(at, "value too long"))?;
                        let text = body.get(pos..pos + len).ok_or(bad(pos, "codebook cut short"))?;
                        pos += len;
                        PatternValue::Fixed(
                            std::str::from_utf8(text).map_err(|_| bad(at, "value is not UTF-8"))?.into(),
                        )
                    }
                    2 => PatternValue::Hole,
                    _ => return Err(bad(at, "unknown pattern value kind")),
                };
                if kind & !0x07 != 0 || (kind & 1 == 1) != (size > 1) {
                    return Err(bad(at, "pattern node kind disagrees with its subtree size"));
                }
                nodes.push(PatternNode { primitive, size, value });
            }
            if !well_formed(&nodes) {
                return Err(bad(at, "pattern is not a well-formed subtree"));
            }
            patterns.push(Pattern { nodes });
        }
        let at = pos;
        let sample_len = usize::try_from(varint(&mut pos)?).map_err(|_| bad(at, "sample too long"))?;
        if sample_len > MAX_SAMPLE {
            return Err(bad(at, "sample longer than a codebook keeps"));
        }
        let sample = body.get(pos..pos + sample_len).ok_or(bad(pos, "codebook cut short"))?.to_vec();
        pos += sample_len;
        if pos != body.len() {
            return Err(bad(pos, "bytes after the sample"));
        }
        Ok(Codebook::with_sample(patterns, sample))
    }
}

/// Whether subtree sizes describe one tree: the root covers all, every subtree nests in its
/// parent's.
fn well_formed(nodes: &[PatternNode]) -> bool {
    if nodes.first().map(|n| n.size) != Some(nodes.len()) {
        return false;
    }
    let mut ends: Vec<usize> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        while ends.last().is_some_and(|&e| e <= i) {
            ends.pop();
        }
        let end = i + node.size;
        if node.size == 0 || ends.last().is_some_and(|&e| end > e) {
            return false;
        }
        ends.push(end);
    }
    true
}

/// The shape hash of a pattern: that of a tree built from it, leaf values blank.
fn shape_of(pattern: &Pattern) -> u64 {
    let tree = pattern_tree(pattern);
    let mut hashes = Vec::new();
    shape_hashes(&tree, &mut hashes, &mut Vec::new());
    hashes.first().copied().unwrap_or_default()
}

/// The pattern as a tree: fixed values in place, holes as empty values.
pub(crate) fn pattern_tree(pattern: &Pattern) -> Tree {
    let mut builder = sigma_tree::TreeBuilder::new();
    let mut ends: Vec<usize> = Vec::new();
    for (i, node) in pattern.nodes.iter().enumerate() {
        while ends.last().is_some_and(|&e| e <= i) {
            ends.pop();
            let _ = builder.close();
        }
        let value = match &node.value {
            PatternValue::None => None,
            PatternValue::Fixed(v) => Some(&**v),
            PatternValue::Hole => Some(""),
        };
        if node.size > 1 {
            let _ = builder.open(node.primitive, value);
            ends.push(i + node.size);
        } else {
            let _ = builder.leaf(node.primitive, value);
        }
    }
    for _ in ends {
        let _ = builder.close();
    }
    builder.finish().unwrap_or_default()
}

fn same_shape(a: &Tree, a_root: usize, b: &Tree, b_root: usize) -> bool {
    let Some(size) = a.node(a_root).map(|n| n.subtree_size()) else { return false };
    (0..size).all(|offset| match (a.node(a_root + offset), b.node(b_root + offset)) {
        (Some(x), Some(y)) => {
            x.primitive() == y.primitive()
                && x.subtree_size() == y.subtree_size()
                && x.value().is_some() == y.value().is_some()
                && (!x.has_children() || x.value() == y.value())
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Tree> {
        texts.iter().map(|t| Tree::from_json_document(t).unwrap()).collect()
    }

    #[test]
    fn learns_shapes_with_holes_and_reads_back_its_file() {
        let samples = docs(&[
            r#"{"kind":"price","amount":10,"currency":"EUR"}"#,
            r#"{"kind":"price","amount":12,"currency":"EUR"}"#,
            r#"{"kind":"price","amount":15,"currency":"EUR"}"#,
        ]);
        let codebook = Codebook::train(&samples, 128);
        let top = &codebook.patterns()[0];
        assert_eq!(top.nodes.len(), 7, "the whole object");
        assert_eq!(top.holes(), 1, "only the amount varies");
        assert!(top.matches(&samples[1], 0));
        assert!(!top.matches(&docs(&[r#"{"kind":"price","amount":10,"currency":"USD"}"#])[0], 0));
        let bytes = codebook.to_bytes();
        let back = Codebook::from_bytes(&bytes).unwrap();
        assert_eq!(back, codebook);
        assert_eq!(back.hash(), codebook.hash());
        assert_eq!(Codebook::train(&samples, 128).to_bytes(), bytes, "deterministic");
        let mut tree_hashes = Vec::new();
        shape_hashes(&samples[2], &mut tree_hashes, &mut Vec::new());
        assert_eq!(codebook.find(tree_hashes[0], &samples[2], 0), Some(0));
    }

    #[test]
    fn damaged_files_are_errors() {
        let codebook = Codebook::train(&docs(&[r#"[{"a":1,"b":2},{"a":1,"b":3}]"#]), 128);
        let bytes = codebook.to_bytes();
        assert!(!codebook.patterns().is_empty());
        for len in 0..bytes.len() {
            assert!(Codebook::from_bytes(&bytes[..len]).is_err(), "cut to {len}");
        }
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(Codebook::from_bytes(&flipped).is_err(), "bit {bit}");
        }
        assert!(Codebook::from_bytes(b"not a codebook").unwrap_err().to_string().contains("magic"));
    }
}
