//! `SessionEncoder`: each tree becomes one frame, the smallest of a repeat, a delta against the
//! context and the full v2 message (then, in a coded session, coded by the byte model or zstd).
//!
//! Once warm, encoding allocates nothing: every value is hashed once per message, the scratch
//! buffers are kept, and the tree the context lets go is refilled with the next message.

use std::sync::Arc;

use sigma_delta::hash::{shape_hashes_with, value_hashes};
use sigma_delta::{Edit, Op as EditOp, describe_into};
use sigma_glyph::session::{DeltaWriter, FrameKind, Op, Value, write_coded_len, write_frame, write_header};
use sigma_glyph::varint;
use sigma_tree::Tree;

use super::codebook::{Codebook, MIN_PATTERN_NODES, Pattern, PatternValue};
use super::predict::{Parent, PatternStack, canonical_int, node_key, walk_pattern, zigzag};
use super::state::{Coder, Sent, SessionState};
use super::zstd;
use super::{SessionConfig, SessionError};
use crate::{Error, v2};

/// The encoding end of a session.
#[derive(Debug)]
pub struct SessionEncoder {
    state: SessionState<zstd::Encoder>,
    v2: v2::Encoder,
    header_written: bool,
    /// A frame's plain body (scratch).
    body: Vec<u8>,
    /// A coded frame's body (scratch).
    coded: Vec<u8>,
    /// Each node with children whose ops are being written: the index past its subtree, and it
    /// as a parent; the root's virtual parent at the bottom (scratch).
    parents: Vec<(usize, Parent)>,
    /// The hash of every node's value, of the tree being encoded (scratch).
    value_hashes: Vec<u64>,
    /// The tree described against the context (scratch; its subtree hashes move into the
    /// context with the tree, and the evicted entry's come back).
    edit: Edit,
    /// Shape hash of every node of the tree being encoded, with a codebook (scratch).
    shapes: Vec<u64>,
    stack: Vec<(usize, u64)>,
    /// A pattern's open nodes and hole values (scratch).
    pattern_stack: PatternStack,
    holes: Vec<(usize, Value<'static>)>,
    /// The buffers of the tree the context let go last, refilled with the next message.
    spare: Tree,
}

impl SessionEncoder {
    /// A session with this configuration.
    pub fn new(config: SessionConfig) -> SessionEncoder {
        SessionEncoder::with_codebook(config, None)
    }

    /// A session that sends subtrees fitting `codebook`'s patterns as pattern numbers (and, if
    /// coded, primes its byte model or zstd stream from the codebook).
    pub fn with_codebook(config: SessionConfig, codebook: Option<Arc<Codebook>>) -> SessionEncoder {
        SessionEncoder {
            state: SessionState::new(config, codebook),
            v2: v2::Encoder::new(),
            header_written: false,
            body: Vec::new(),
            coded: Vec::new(),
            parents: Vec::new(),
            value_hashes: Vec::new(),
            edit: Edit::default(),
            shapes: Vec::new(),
            stack: Vec::new(),
            pattern_stack: PatternStack::new(),
            holes: Vec::new(),
            spare: Tree::new(),
        }
    }

    /// Appends the stream header to `out`, if it has not been written yet (the first
    /// [`SessionEncoder::encode_into`] writes it too): a stream of no messages is this header.
    pub fn write_header(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        if let Coder::Broken(reason) = self.state.coder {
            return Err(SessionError::Zstd { offset: 0, reason }.into());
        }
        if !self.header_written {
            // The configuration never changes: checking it with the header checks every frame.
            self.state.config.check()?;
            write_header(&self.state.header(), out);
            self.header_written = true;
        }
        Ok(())
    }

    /// Appends the next frame for `tree` to `out` (the stream header first, on the first call).
    /// Returns the kind of frame written. On error nothing is written.
    pub fn encode_into(&mut self, tree: &Tree, out: &mut Vec<u8>) -> Result<FrameKind, Error> {
        if tree.is_empty() {
            return Err(Error::EmptyTree);
        }
        self.write_header(out)?;
        let seq = self.state.next_seq();
        let value_bytes = value_hashes(tree, &mut self.value_hashes);
        describe_into(&self.state.context, tree, &self.value_hashes, &mut self.edit, &mut self.stack);
        if self.state.codebook.is_some() {
            shape_hashes_with(tree, &self.value_hashes, &mut self.shapes, &mut self.stack);
        }
        self.body.clear();
        self.state.learned.clear();
        let (kind, sent) = if let Some(earlier) = self.edit.repeat_of {
            varint::write(&mut self.body, seq - 1 - earlier);
            (FrameKind::Repeat, Sent::Nothing)
        } else {
            self.state.begin_trial();
            self.write_delta(tree);
            // The full message is written only if it is the smaller. Its length costs a pass
            // over the tree, unless the delta is shorter than the least it could be (a byte per
            // node, the values' bytes, the format byte and the CRC).
            let least_full = tree.node_count() + value_bytes + 5;
            let use_full = self.body.len() >= least_full && v2::encoded_len(tree) <= self.body.len();
            // If the decoder will not see the delta's ops, undo what they taught the predictors.
            self.state.end_trial(!use_full);
            if use_full {
                self.body.clear();
                self.state.learned.clear();
                self.v2.encode_into(tree, &mut self.body)?;
            }
            let sent = if use_full { Sent::Every(Some(&self.value_hashes)) } else { Sent::Learned };
            let kind = match &mut self.state.coder {
                // Coded: the plain body (a delta, or a v2 message, whose first byte no delta op
                // starts with) through the model or zstd stream, which learns it as the
                // decoder's will.
                Coder::Modeled(model) => {
                    self.coded.clear();
                    write_coded_len(self.body.len(), &mut self.coded);
                    model.encode(&self.body, &mut self.coded);
                    std::mem::swap(&mut self.body, &mut self.coded);
                    FrameKind::Coded
                }
                // The zstd stream's bytes alone: they know their length. A body too short for
                // zstd to shorten (its block header alone takes three bytes) goes as it is, and
                // stays out of the zstd stream on both ends.
                Coder::Zstd(zstd) if self.body.len() > zstd::MAX_PLAIN_BODY => {
                    self.coded.clear();
                    if let Err(reason) = zstd.encode(&self.body, &mut self.coded) {
                        // The predictors learned this frame, the decoder never will: the
                        // session cannot go on (and says so on every later call).
                        self.state.coder = Coder::Broken(reason);
                        return Err(SessionError::Zstd { offset: 0, reason }.into());
                    }
                    std::mem::swap(&mut self.body, &mut self.coded);
                    FrameKind::Coded
                }
                Coder::Broken(reason) => return Err(SessionError::Zstd { offset: 0, reason }.into()),
                Coder::Plain | Coder::Zstd(_) if use_full => FrameKind::Full,
                Coder::Plain | Coder::Zstd(_) => FrameKind::Delta,
            };
            (kind, sent)
        };
        write_frame(seq, kind, &self.body, out);
        // The tree joins the context in the buffers of the one it let go last.
        let mut copy = std::mem::take(&mut self.spare);
        copy.clone_from(tree);
        let hashes = std::mem::take(&mut self.edit.hashes);
        if let Some((tree, hashes)) = self.state.end_frame(copy, hashes, sent) {
            self.spare = tree;
            self.edit.hashes = hashes;
        }
        Ok(kind)
    }

    /// Bytes the session's body coder holds now: its zstd stream (0.7–1.0 MB), its byte
    /// model (2 MiB), or nothing for a plain session. The context of recent trees comes on top.
    pub fn coder_memory(&self) -> usize {
        self.state.coder.memory()
    }

    /// The body of the last frame written (for training: a plain session's bodies are what a
    /// coded one codes).
    pub(crate) fn last_body(&self) -> &[u8] {
        &self.body
    }

    /// How to send the value of node `index` (`value`, whose hash is `hash`) in `context`:
    /// predicted, a back-reference or integer difference, or the bytes, whichever is smallest.
    /// A value the table does not hold (and the prediction is not) is noted for it to learn.
    fn value_code<'v>(
        state: &mut SessionState<zstd::Encoder>,
        context: u64,
        index: usize,
        value: &'v str,
        hash: u64,
    ) -> Value<'v> {
        let prediction = state.values.predict(context);
        if prediction == Some(value) {
            return Value::Predicted;
        }
        let reference = state.table.distance_hashed(value, hash).map(|d| d << 1);
        // A value the table holds needs no learning (the decoder's is the same table).
        if reference.is_none() {
            state.learned.push((index, hash));
        }
        // An integer near the predicted integer: send the difference.
        let numeric = match (prediction.and_then(canonical_int), canonical_int(value)) {
            // The kind bit takes one of the varint's 64 bits: differences of 2^62 or more in
            // size are sent another way.
            (Some(p), Some(v)) => v.checked_sub(p).map(zigzag).filter(|z| z >> 63 == 0).map(|z| z << 1 | 1),
            _ => None,
        };
        let literal = Value::Literal(value);
        let best = [reference, numeric].into_iter().flatten().min_by_key(|&n| varint::encoded_len(n));
        match best {
            Some(n) if varint::encoded_len(n) < literal.len() => Value::Varint(n),
            _ => literal,
        }
    }

    fn write_delta(&mut self, tree: &Tree) {
        let state = &mut self.state;
        let latest = state.next_seq().saturating_sub(1);
        let codebook = state.codebook.clone();
        let mut writer = DeltaWriter::new(&mut self.body);
        self.parents.clear();
        self.parents.push((usize::MAX, Parent::ROOT));
        // Nodes before this index are covered by a pattern already sent.
        let mut covered_until = 0;
        for op in &self.edit.ops {
            let index = match *op {
                EditOp::Subtree { node, .. } | EditOp::Node { node } => node,
            };
            if index < covered_until {
                continue;
            }
            let Some(node) = tree.node(index) else {
                debug_assert!(false, "describe's ops name nodes of the tree");
                continue;
            };
            // The root's virtual parent, whose end is past every node, stays.
            while self.parents.last().is_some_and(|&(end, _)| end <= index) {
                self.parents.pop();
            }
            let Some((parent_end, parent)) = self.parents.last_mut() else {
                debug_assert!(false, "the root's virtual parent is never popped");
                continue;
            };
            let size = node.subtree_size();
            let end = index + size;
            let last = *parent_end == end;
            let id = node.primitive().id();
            let hash = value_hash(&self.value_hashes, index);
            let key = node_key(id, node.has_value().then_some(hash));
            let pattern = match (op, &codebook) {
                (EditOp::Node { .. }, Some(codebook)) if size >= MIN_PATTERN_NODES => self
                    .shapes
                    .get(index)
                    .and_then(|&shape| codebook.find(shape, tree, index))
                    .and_then(|number| Some((number, codebook.pattern(number)?))),
                _ => None,
            };
            let opens = match (*op, pattern) {
                (EditOp::Node { .. }, Some((number, pattern))) => {
                    let at = PatternAt { tree, root: index, value_hashes: &self.value_hashes };
                    let scratch = (&mut self.pattern_stack, &mut self.holes);
                    write_pattern(state, &mut writer, at, (number, pattern), last, parent, scratch);
                    covered_until = end;
                    false
                }
                (EditOp::Subtree { location, .. }, _) => {
                    writer.op(&Op::Subtree {
                        last,
                        distance: latest - location.seq,
                        node: location.node as u64,
                    });
                    false
                }
                (EditOp::Node { .. }, None) => {
                    let context = parent.child_context();
                    let value = node
                        .value()
                        .map_or(Value::None, |v| Self::value_code(state, context, index, v, hash));
                    let primitive = state.primitives.encode(parent.primitive, id);
                    writer.op(&Op::Node {
                        has_children: node.has_children(),
                        last,
                        value: value.kind(),
                        primitive,
                    });
                    writer.value(&value);
                    if let Some(v) = node.value() {
                        state.values.learn(context, v);
                    }
                    node.has_children()
                }
            };
            // The node is now its parent's latest child.
            parent.previous = key;
            if opens {
                self.parents.push((end, Parent::new(id, key)));
            }
        }
    }
}

/// The hash of node `index`'s value, from the tree's value hashes (0 for a node without one).
fn value_hash(value_hashes: &[u64], index: usize) -> u64 {
    let hash = value_hashes.get(index).copied();
    debug_assert!(hash.is_some(), "one value hash per node of the tree");
    hash.unwrap_or(0)
}

/// Where a pattern is used: the tree, the root of the subtree that fits it, and the tree's
/// value hashes.
#[derive(Clone, Copy)]
struct PatternAt<'t> {
    tree: &'t Tree,
    root: usize,
    value_hashes: &'t [u64],
}

/// A pattern op: its number, the kinds of its hole values (four to a byte), then their values;
/// the value model learns every valued node of the pattern in pre-order.
fn write_pattern(
    state: &mut SessionState<zstd::Encoder>,
    writer: &mut DeltaWriter<'_>,
    at: PatternAt<'_>,
    (number, pattern): (u8, &Pattern),
    last: bool,
    parent: &Parent,
    (open, holes): (&mut PatternStack, &mut Vec<(usize, Value<'static>)>),
) {
    writer.op(&Op::Pattern { last, number });
    let kinds = writer.pattern_holes(pattern.holes());
    holes.clear();
    let mut nodes = at.tree.subtree(at.root).zip(pattern.nodes());
    let walked = walk_pattern(pattern.nodes().len(), parent, open, |offset, context| {
        // The subtree fits the pattern (`Codebook::find` checked it), node for node.
        let (node, pattern_node) = nodes.next().ok_or(())?;
        let value = node.value();
        let index = at.root + offset;
        let hash = value_hash(at.value_hashes, index);
        if let (PatternValue::Hole, Some(v)) = (&pattern_node.value, value) {
            let code = SessionEncoder::value_code(state, context, index, v, hash);
            writer.set_hole_kind(kinds, holes.len(), code.kind());
            // Kept without its text (a borrow of the tree), looked up again when written.
            let kept = match code {
                Value::Literal(_) => Value::Literal(""),
                Value::None => Value::None,
                Value::Varint(n) => Value::Varint(n),
                Value::Predicted => Value::Predicted,
            };
            holes.push((index, kept));
        }
        if let Some(v) = value {
            if let PatternValue::Fixed(_) = pattern_node.value {
                state.learned.push((index, hash));
            }
            state.values.learn(context, v);
        }
        Ok::<_, ()>((node.subtree_size(), node_key(pattern_node.primitive.id(), value.map(|_| hash))))
    });
    debug_assert!(walked.is_ok(), "the subtree fits the pattern");
    for &(index, code) in holes.iter() {
        let value = match code {
            Value::Literal(_) => {
                let text = at.tree.node(index).and_then(|n| n.value());
                debug_assert!(text.is_some(), "a literal hole is a valued node of the tree");
                Value::Literal(text.unwrap_or_default())
            }
            other => other,
        };
        writer.value(&value);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SessionError, decode_stream, encode_stream};
    use super::*;
    use crate::DecodeLimits;

    #[test]
    fn differences_too_large_for_the_kind_bit_are_sent_as_text() {
        // Found by the `session` fuzz target: 1 then 8221011666666666660 (difference ≥ 2^62).
        let docs = ["false", "1", "8221011666666666660", "2", "-9223372036854775808", "9223372036854775807"];
        let trees: Vec<Tree> = docs.iter().map(|d| Tree::from_json_document(d).unwrap()).collect();
        let stream = encode_stream(&trees, SessionConfig::default()).unwrap();
        let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
        for (frame, tree) in frames.iter().zip(&trees) {
            assert_eq!(&frame.tree, tree);
        }
    }

    #[test]
    fn numbers_near_their_prediction_cost_a_few_bytes() {
        let doc = |id: u64| Tree::from_json_document(&format!(r#"{{"id":{id},"name":"x"}}"#)).unwrap();
        let trees: Vec<Tree> = (0..10).map(|i| doc(1_372_701_600_000 + i * 7)).collect();
        let config = SessionConfig { coding: super::super::BodyCoding::Plain, ..SessionConfig::default() };
        let stream = encode_stream(&trees, config).unwrap();
        let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
        assert!(frames.iter().zip(&trees).all(|(f, t)| f.tree == *t));
        // After the first, each message is: seq, kind, length, DICT, RECORD "id" (predicted),
        // NUMBER (difference 7), RECORD "name" (predicted), STRING (predicted), CRC.
        assert!(frames[5].len <= 14, "{}", frames[5].len);
    }

    #[test]
    fn an_empty_tree_or_a_bad_config_writes_nothing() {
        let mut out = Vec::new();
        let mut encoder = SessionEncoder::new(SessionConfig::default());
        assert_eq!(encoder.encode_into(&Tree::new(), &mut out), Err(Error::EmptyTree));
        assert!(out.is_empty());
        let mut config = SessionConfig::default();
        config.context.window = usize::MAX;
        let err = SessionEncoder::new(config).encode_into(&sigma_tree::samples::simple(), &mut out);
        assert!(matches!(err, Err(Error::Session(SessionError::InvalidConfig { field: "window", .. }))));
        assert!(out.is_empty());
    }
}
