//! Codebook training: the patterns that would have saved the most bytes on sample trees, the
//! sample of session bytes that primes the byte model, and the zstd dictionary trained on the
//! same bytes.

use std::collections::HashMap;
use std::sync::Arc;

use sigma_delta::hash::shape_hashes;
use sigma_glyph::session::FrameKind;
use sigma_tree::Tree;

use super::codebook::{
    Codebook, MAX_DICTIONARY, MAX_PATTERN_NODES, MAX_PATTERNS, MAX_SAMPLE, MIN_PATTERN_NODES, Pattern,
    PatternNode, PatternValue,
};
use super::{BodyCoding, SessionConfig, SessionEncoder, zstd};
use crate::Error;

impl Codebook {
    /// Learns up to `max_patterns` patterns from `samples`: every subtree shape that occurs at
    /// least twice, its leaf values fixed where they never varied, ranked by the bytes it would
    /// save (occurrences × (nodes − holes − 2)), best first; ties by shape hash, so training is
    /// deterministic. Then encodes the samples (empty trees left out) in a session with those
    /// patterns and keeps the last [`MAX_SAMPLE`] bytes of its frames' plain bodies as the sample.
    pub fn train(samples: &[Tree], max_patterns: usize) -> Result<Codebook, Error> {
        let patterns = train_patterns(samples, max_patterns.min(MAX_PATTERNS));
        let bodies = plain_bodies(Codebook::new(patterns.clone()), samples)?;
        // The sample: the bodies' last bytes (`with_sample` keeps the last `MAX_SAMPLE`).
        let sample = last_bodies(&bodies, MAX_SAMPLE).concat();
        // The dictionary: trained on the last bodies, in order, up to a bound that keeps
        // training quick.
        let recent: Vec<&[u8]> =
            last_bodies(&bodies, DICTIONARY_TRAINING_BYTES).iter().map(Vec::as_slice).collect();
        let dictionary = zstd::train_dictionary(&recent, MAX_DICTIONARY);
        Ok(Codebook::with_sample(patterns, sample, dictionary))
    }
}

/// The most bytes of bodies a zstd dictionary is trained on (zstd suggests about a hundred
/// times the dictionary's size).
const DICTIONARY_TRAINING_BYTES: usize = 4 << 20;

/// The fewest last `bodies` that hold at least `bytes` between them (all of them if they hold
/// fewer).
fn last_bodies(bodies: &[Vec<u8>], bytes: usize) -> &[Vec<u8>] {
    let mut held = 0;
    let taken = bodies.iter().rev().take_while(|body| {
        let more = held < bytes;
        held += body.len();
        more
    });
    let count = taken.count();
    bodies.split_at(bodies.len() - count).1
}

/// The plain bodies (deltas or v2 messages) a default session with `patterns` writes for
/// `samples`, in order, repeats left out: what a coded session's byte model or zstd stream
/// would code.
fn plain_bodies(patterns: Codebook, samples: &[Tree]) -> Result<Vec<Vec<u8>>, Error> {
    // The bodies do not depend on the coding: a plain stream's frames hold them as they are.
    let config = SessionConfig { coding: BodyCoding::Plain, ..SessionConfig::default() };
    let mut encoder = SessionEncoder::with_codebook(config, Some(Arc::new(patterns)));
    let (mut frames, mut bodies) = (Vec::new(), Vec::new());
    for tree in samples.iter().filter(|t| !t.is_empty()) {
        frames.clear();
        if encoder.encode_into(tree, &mut frames)? != FrameKind::Repeat {
            bodies.push(encoder.last_body().to_vec());
        }
    }
    Ok(bodies)
}

/// The first subtree seen with a shape, how often the shape occurred, and which of its values
/// never varied.
struct Group<'s> {
    tree: &'s Tree,
    root: usize,
    count: usize,
    /// Per node: the value if it never varied so far (`None`: varied, or no value).
    fixed: Vec<Option<Box<str>>>,
}

fn train_patterns(samples: &[Tree], max_patterns: usize) -> Vec<Pattern> {
    let mut groups: HashMap<u64, Group<'_>> = HashMap::new();
    let mut hashes = Vec::new();
    let mut stack = Vec::new();
    for tree in samples {
        shape_hashes(tree, &mut hashes, &mut stack);
        for (node, &shape) in tree.nodes().zip(&hashes) {
            let size = node.subtree_size();
            if !(MIN_PATTERN_NODES..=MAX_PATTERN_NODES).contains(&size) {
                continue;
            }
            let root = node.index();
            match groups.get_mut(&shape) {
                None => {
                    let fixed = tree.subtree(root).map(|n| n.value().map(Box::from)).collect();
                    groups.insert(shape, Group { tree, root, count: 1, fixed });
                }
                // Confirm the shape: a hash collision joins nothing.
                Some(group) if same_shape(group.tree, group.root, tree, root) => {
                    group.count += 1;
                    for (slot, n) in group.fixed.iter_mut().zip(tree.subtree(root)) {
                        if slot.as_deref() != n.value() {
                            *slot = None;
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }
    let mut ranked: Vec<(usize, u64, Pattern)> = groups
        .into_iter()
        .filter(|(_, group)| group.count >= 2)
        .filter_map(|(shape, group)| {
            let nodes: Vec<PatternNode> = group
                .tree
                .subtree(group.root)
                .zip(&group.fixed)
                .map(|(n, fixed)| {
                    let value = match (n.value(), fixed) {
                        (None, _) => PatternValue::None,
                        (Some(_), Some(v)) => PatternValue::Fixed(v.clone()),
                        (Some(_), None) => PatternValue::Hole,
                    };
                    PatternNode { primitive: n.primitive(), size: n.subtree_size(), value }
                })
                .collect();
            // A subtree of a tree is a pattern's shape.
            let pattern = Pattern::new(nodes);
            debug_assert!(pattern.is_ok(), "a subtree's sizes nest: {pattern:?}");
            let pattern = pattern.ok()?;
            let saved = group.count * pattern.nodes().len().saturating_sub(pattern.holes() + 2);
            (saved > 0).then_some((saved, shape, pattern))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().take(max_patterns).map(|(_, _, pattern)| pattern).collect()
}

/// Whether two subtrees have the same shape: primitives, sizes, which nodes have values, and the
/// values of nodes with children.
fn same_shape(a: &Tree, a_root: usize, b: &Tree, b_root: usize) -> bool {
    let (a, b) = (a.subtree(a_root), b.subtree(b_root));
    a.len() == b.len()
        && a.zip(b).all(|(x, y)| {
            x.primitive() == y.primitive()
                && x.subtree_size() == y.subtree_size()
                && x.value().is_some() == y.value().is_some()
                && (!x.has_children() || x.value() == y.value())
        })
}
