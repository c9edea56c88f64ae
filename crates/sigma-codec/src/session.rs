//! Sessions: context-aware streams of trees (docs/FORMAT.md, "Session streams").
//!
//! A [`SessionEncoder`] and a [`SessionDecoder`] each hold the same bounded state, a
//! [`Context`] of the last trees, and update it identically after every message. Each message
//! becomes one frame, the smallest of:
//!
//! - **repeat**: the message equals one still in the window (sent as its distance);
//! - **delta**: the tree's nodes in pre-order, where every subtree found in context is one
//!   reference and every value seen before is a back-reference;
//! - **full**: the tree as a v2 message.
//!
//! With [`BodyCoding::Modeled`] (the default) a delta or full body is then coded by a byte model
//! both ends keep (context mixing and arithmetic coding, primed from the codebook's sample), a
//! **coded** frame: a third to a half of the bytes, for far more time (see [`BodyCoding`]).
//!
//! Frames carry their sequence number and a CRC-32C, so a frame out of order, a lost frame or a
//! damaged one is an error naming the frame, never a wrong tree. The decoder rebuilds trees from
//! the bytes alone; encoding is deterministic.
//!
//! With a [`Codebook`], a subtree that fits one of its patterns is sent as the pattern's number
//! and its hole values; the stream header records the codebook's hash, and decoding with another
//! codebook, or none, is an error.

use std::sync::Arc;

pub use sigma_delta::ContextConfig;
use sigma_delta::hash::shape_hashes;
use sigma_delta::{Context, Op, describe_subtrees};
use sigma_glyph::v2::crc32c;
use sigma_primitives::Primitive;
use sigma_tree::{Tree, TreeBuilder};

use crate::codebook::{Codebook, PatternValue};
use crate::entropy::Model;
use crate::{DecodeLimits, Error, Limit, v2};

/// The first byte of a session stream (v1 is 0x40–0x7F, v2 0xA0–0xAF).
pub const STREAM_BYTE: u8 = 0xB1;

/// Frame kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The tree as a v2 message.
    Full = 0,
    /// A repeat of a message still in the window.
    Repeat = 1,
    /// The tree described against the context.
    Delta = 2,
    /// A delta or a full v2 message (whichever is smaller), its bytes coded by the session's
    /// byte model (streams with [`BodyCoding::Modeled`]).
    Coded = 3,
}

impl FrameKind {
    fn from_byte(byte: u8) -> Option<FrameKind> {
        match byte {
            0 => Some(FrameKind::Full),
            1 => Some(FrameKind::Repeat),
            2 => Some(FrameKind::Delta),
            3 => Some(FrameKind::Coded),
            _ => None,
        }
    }

    /// The kind's name, as `sigma stats` reports it.
    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Full => "full",
            FrameKind::Repeat => "repeat",
            FrameKind::Delta => "delta",
            FrameKind::Coded => "coded",
        }
    }
}

/// Appends `n` as LEB128.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A cursor over one frame's bytes, reporting offsets within the whole stream.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Offset of `bytes[0]` in the stream.
    base: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, reason: &'static str) -> Error {
        Error::MalformedMessage { offset: self.base + self.pos, reason }
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = self.bytes.get(self.pos).copied().ok_or(self.error("frame cut short"))?;
        self.pos += 1;
        Ok(b)
    }

    /// LEB128, at most 10 bytes, no overlong forms.
    fn varint(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(self.error("varint overflows 64 bits"));
            }
            value |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(self.error("non-canonical varint"));
                }
                return Ok(value);
            }
        }
        Err(self.error("varint too long"))
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], Error> {
        let len = usize::try_from(len).map_err(|_| self.error("length past the frame"))?;
        let end = self.pos.checked_add(len).ok_or(self.error("length past the frame"))?;
        let slice = self.bytes.get(self.pos..end).ok_or(self.error("length past the frame"))?;
        self.pos = end;
        Ok(slice)
    }
}

/// Delta op tags (docs/FORMAT.md): bits 7–6 kind, then flags.
const OP_NODE: u8 = 0x00;
const OP_SUBTREE: u8 = 0x40;
const OP_PATTERN: u8 = 0xC0;
const OP_KIND_MASK: u8 = 0xC0;
const OP_HAS_CHILDREN: u8 = 0x20;
const OP_LAST: u8 = 0x10;
const OP_VALUE_MASK: u8 = 0x0C;
const OP_VALUE_NONE: u8 = 0x00;
const OP_VALUE_LITERAL: u8 = 0x04;
const OP_VALUE_REF: u8 = 0x08;
const OP_PRIMITIVE_MASK: u8 = 0x03;
/// Primitive code 3: the primitive id follows in full.
const OP_PRIMITIVE_LITERAL: u8 = 0x03;

/// Predicts a node's primitive from its parent's: for each parent primitive (and one list for
/// roots), the three child primitives seen most recently, moved to the front when used. A node
/// whose primitive is in its parent's list costs no primitive byte. Both ends update it the same
/// way, for node ops of delta frames only, so it stays in step.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PrimitiveModel {
    lists: Vec<[u8; 3]>,
}

impl PrimitiveModel {
    /// The list index for roots.
    const ROOT: usize = 256;

    fn new() -> PrimitiveModel {
        // JSON's most common children first: RECORD, STRING, NUMBER.
        PrimitiveModel { lists: vec![[0x7F, 0x78, 0x79]; 257] }
    }

    fn list(&mut self, parent: Option<u8>) -> Option<&mut [u8; 3]> {
        self.lists.get_mut(parent.map_or(Self::ROOT, usize::from))
    }

    /// The code for `id` under `parent` (0–2: a list slot, 3: literal), moving `id` to the front.
    fn encode(&mut self, parent: Option<u8>, id: u8) -> u8 {
        let Some(list) = self.list(parent) else { return OP_PRIMITIVE_LITERAL };
        let code = list.iter().position(|&p| p == id).map_or(OP_PRIMITIVE_LITERAL, |i| i as u8);
        move_to_front(list, id);
        code
    }

    /// The primitive for `code` under `parent` (`literal` when the code is 3), moving it to the
    /// front.
    fn decode(
        &mut self,
        parent: Option<u8>,
        code: u8,
        literal: impl FnOnce() -> Result<u8, Error>,
    ) -> Result<u8, Error> {
        let id = match self.list(parent) {
            Some(list) if code < OP_PRIMITIVE_LITERAL => {
                list.get(usize::from(code)).copied().unwrap_or_default()
            }
            _ => literal()?,
        };
        if let Some(list) = self.list(parent) {
            move_to_front(list, id);
        }
        Ok(id)
    }
}

/// A canonical decimal integer (`0`, `-12`, `345`; no sign on zero, no leading zeros) as an
/// `i64`, so that printing it gives the same text back.
fn canonical_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(text.starts_with('-') && digits == "0");
    if canonical { text.parse().ok() } else { None }
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn varint_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Value kind 3: the value is the one [`ValueModel`] predicts.
const OP_VALUE_PREDICTED: u8 = 0x0C;

/// How many contexts the value model remembers before it starts again (at a frame boundary).
const VALUE_MODEL_CAPACITY: usize = 1 << 16;

/// What stands around a node: its parent's key and its previous sibling's key (a node's key is
/// the hash of its value, or of its primitive when it has none).
fn value_context(parent: u64, previous: u64) -> u64 {
    parent.rotate_left(23) ^ previous.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn node_key(primitive: u8, value: Option<&str>) -> u64 {
    match value {
        Some(v) => sigma_delta::hash::hash_bytes(v.as_bytes()),
        None => u64::from(primitive).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0x5A5A,
    }
}

/// The key of the virtual parent of a root, and of "no previous sibling".
const ROOT_KEY: u64 = 0x0123_4567_89AB_CDEF;
const FIRST_KEY: u64 = 0xFEDC_BA98_7654_3210;

/// Predicts a node's value from its context (parent and previous sibling): the value last seen
/// in the same context. Keys of JSON objects follow their previous key; values follow their key.
/// Both ends learn from every valued node op of a delta frame, in order.
#[derive(Debug, Default)]
struct ValueModel {
    last: hashbrown::HashMap<u64, String>,
    /// While the encoder tries a delta: what each `learn` replaced, to undo it.
    undo: Option<Vec<(u64, Option<String>)>>,
}

impl ValueModel {
    fn predict(&self, context: u64) -> Option<&str> {
        self.last.get(&context).map(String::as_str)
    }

    fn learn(&mut self, context: u64, value: &str) {
        match self.last.get_mut(&context) {
            Some(last) if last == value => {}
            Some(last) => match &mut self.undo {
                Some(undo) => undo.push((context, Some(std::mem::replace(last, value.to_owned())))),
                None => {
                    // Reuse the old value's allocation.
                    last.clear();
                    last.push_str(value);
                }
            },
            None => {
                self.last.insert(context, value.to_owned());
                if let Some(undo) = &mut self.undo {
                    undo.push((context, None));
                }
            }
        }
    }

    fn begin_trial(&mut self) {
        self.undo = Some(Vec::new());
    }

    fn end_trial(&mut self, keep: bool) {
        if let Some(undo) = self.undo.take()
            && !keep
        {
            for (context, old) in undo.into_iter().rev() {
                match old {
                    Some(v) => self.last.insert(context, v),
                    None => self.last.remove(&context),
                };
            }
        }
    }

    /// At a frame boundary: start again once full, so memory stays bounded (both ends agree).
    fn end_frame(&mut self) {
        if self.last.len() > VALUE_MODEL_CAPACITY {
            self.last.clear();
        }
    }
}

fn move_to_front(list: &mut [u8; 3], id: u8) {
    let at = list.iter().position(|&p| p == id).unwrap_or(list.len() - 1);
    if let Some(window) = list.get_mut(..=at) {
        window.rotate_right(1);
    }
    list[0] = id;
}

/// The largest window (trees kept) a session may have: decoders refuse larger ones.
pub const MAX_WINDOW: usize = 1 << 16;
/// The largest value table a session may have: decoders refuse larger ones.
pub const MAX_VALUES: usize = 1 << 24;

/// Session parameters both ends must share; the stream header records them. The context's
/// `window` may be at most [`MAX_WINDOW`] and `values` at most [`MAX_VALUES`]; encoding with
/// more is [`Error::InvalidSessionConfig`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionConfig {
    /// The context's bounds.
    pub context: ContextConfig,
    /// How delta frames' bytes are sent.
    pub coding: BodyCoding,
}

/// How a session sends the bytes of its delta frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BodyCoding {
    /// Coded by a byte model both ends keep (context mixing and arithmetic coding, primed from
    /// the codebook's sample): a third to a half of the bytes of [`BodyCoding::Plain`] on the
    /// corpus streams, at about 200 ns a byte of delta each way (seven times Plain's time on the
    /// twitter stream) and 2 MiB of tables per session end. Every message is a repeat or a
    /// coded frame.
    #[default]
    Modeled,
    /// As they are: the smallest of repeat, delta and full, with no model to keep and no coding
    /// time.
    Plain,
}

impl SessionConfig {
    /// Whether decoders accept this configuration.
    pub fn check(&self) -> Result<(), Error> {
        let ContextConfig { window, values, .. } = self.context;
        if window > MAX_WINDOW {
            return Err(Error::InvalidSessionConfig { field: "window", value: window, max: MAX_WINDOW });
        }
        if values > MAX_VALUES {
            return Err(Error::InvalidSessionConfig { field: "values", value: values, max: MAX_VALUES });
        }
        Ok(())
    }
}

impl BodyCoding {
    fn byte(self) -> u8 {
        match self {
            BodyCoding::Plain => 0,
            BodyCoding::Modeled => 1,
        }
    }
}

fn write_header(config: &SessionConfig, codebook: Option<&Codebook>, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(STREAM_BYTE);
    put_varint(out, config.context.window as u64);
    put_varint(out, config.context.values as u64);
    put_varint(out, config.context.min_subtree as u64);
    out.push(config.coding.byte());
    out.extend_from_slice(&codebook.map_or(0, Codebook::hash).to_be_bytes()); // 0: no codebook
    let crc = crc32c(out.get(start..).unwrap_or_default());
    out.extend_from_slice(&crc.to_be_bytes());
}

/// The encoding end of a session.
#[derive(Debug)]
pub struct SessionEncoder {
    config: SessionConfig,
    context: Context,
    v2: v2::Encoder,
    body: Vec<u8>,
    header_written: bool,
    /// Each open node with children, outermost first (scratch).
    levels: Vec<Level>,
    primitives: PrimitiveModel,
    values: ValueModel,
    codebook: Option<Arc<Codebook>>,
    /// Shape hash of every node of the tree being encoded (with a codebook).
    shapes: Vec<u64>,
    shape_stack: Vec<(usize, u64)>,
    /// The byte model, with [`BodyCoding::Modeled`].
    model: Option<Box<Model>>,
    /// A coded frame's body (scratch).
    coded: Vec<u8>,
    /// While training a codebook: every delta body, before coding.
    sample_sink: Option<Vec<u8>>,
}

/// The byte model a session starts with: primed from the codebook's sample, if any.
fn initial_model(coding: BodyCoding, codebook: Option<&Codebook>) -> Option<Box<Model>> {
    match coding {
        BodyCoding::Plain => None,
        BodyCoding::Modeled => Some(codebook.map_or_else(|| Box::new(Model::new()), Codebook::primed_model)),
    }
}

/// An open node while writing or reading a delta.
#[derive(Clone, Copy, Debug)]
struct Level {
    /// Index past its subtree (encoder) or whether it is its parent's last child (decoder: 0/1).
    end_or_last: usize,
    primitive: u8,
    key: u64,
    /// Key of its latest child so far.
    previous: u64,
}

impl SessionEncoder {
    /// A session with this configuration.
    pub fn new(config: SessionConfig) -> SessionEncoder {
        SessionEncoder::with_codebook(config, None)
    }

    /// A session that sends subtrees fitting `codebook`'s patterns as pattern numbers.
    pub fn with_codebook(config: SessionConfig, codebook: Option<Arc<Codebook>>) -> SessionEncoder {
        SessionEncoder {
            model: initial_model(config.coding, codebook.as_deref()),
            coded: Vec::new(),
            sample_sink: None,
            codebook,
            shapes: Vec::new(),
            shape_stack: Vec::new(),
            config,
            context: Context::new(config.context),
            v2: v2::Encoder::new(),
            body: Vec::new(),
            header_written: false,
            levels: Vec::new(),
            primitives: PrimitiveModel::new(),
            values: ValueModel::default(),
        }
    }

    /// Appends the next frame for `tree` to `out` (the stream header first, on the first call).
    /// Returns the kind of frame written.
    pub fn encode_into(&mut self, tree: &Tree, out: &mut Vec<u8>) -> Result<FrameKind, Error> {
        if tree.is_empty() {
            return Err(Error::EmptyTree);
        }
        self.config.check()?;
        if !self.header_written {
            write_header(&self.config, self.codebook.as_deref(), out);
            self.header_written = true;
        }
        let seq = self.context.next_seq();
        let mut edit = describe_subtrees(&self.context, tree);
        let hashes = std::mem::take(&mut edit.hashes);
        if self.codebook.is_some() {
            shape_hashes(tree, &mut self.shapes, &mut self.shape_stack);
        }
        let kind = if let Some(earlier) = edit.repeat_of {
            self.body.clear();
            put_varint(&mut self.body, seq - 1 - earlier);
            FrameKind::Repeat
        } else {
            self.body.clear();
            let before = self.primitives.clone();
            self.values.begin_trial();
            self.write_delta(tree, &edit.ops);
            let delta_len = self.body.len();
            // The full message is written only if it is the smaller (its length costs one
            // pass).
            let use_full = v2::encoded_len(tree) <= delta_len;
            // If the decoder will not see the delta's ops, undo what they taught the models.
            self.values.end_trial(!use_full);
            if use_full {
                self.primitives = before;
                self.body.clear();
                self.v2.encode_into(tree, &mut self.body)?;
            }
            if let Some(sink) = self.sample_sink.as_mut() {
                sink.extend_from_slice(&self.body);
            }
            match self.model.as_deref_mut() {
                // Coded: the body (a delta, or a v2 message, whose first byte no delta op
                // starts with) through the model, which learns it as the decoder's will.
                Some(model) => {
                    self.coded.clear();
                    put_varint(&mut self.coded, self.body.len() as u64);
                    model.encode(&self.body, &mut self.coded);
                    std::mem::swap(&mut self.body, &mut self.coded);
                    FrameKind::Coded
                }
                None if use_full => FrameKind::Full,
                None => FrameKind::Delta,
            }
        };
        self.values.end_frame();
        let start = out.len();
        put_varint(out, seq);
        out.push(kind as u8);
        put_varint(out, self.body.len() as u64);
        out.extend_from_slice(&self.body);
        let crc = crc32c(out.get(start..).unwrap_or_default());
        out.extend_from_slice(&crc.to_be_bytes());
        self.context.push_hashed(tree.clone(), hashes);
        Ok(kind)
    }

    /// The last `max` bytes of the plain bodies (deltas, or v2 messages) a session with `codebook` writes for `samples`
    /// (a codebook's sample, for priming byte models).
    pub(crate) fn sample_bodies(codebook: Arc<Codebook>, samples: &[Tree], max: usize) -> Vec<u8> {
        let mut encoder = SessionEncoder::with_codebook(SessionConfig::default(), Some(codebook));
        encoder.sample_sink = Some(Vec::new());
        let mut out = Vec::new();
        for tree in samples.iter().filter(|t| !t.is_empty()) {
            out.clear();
            // Encoding into memory fails only on an empty tree, skipped above.
            let _ = encoder.encode_into(tree, &mut out);
        }
        let mut sample = encoder.sample_sink.take().unwrap_or_default();
        if sample.len() > max {
            sample.drain(..sample.len() - max);
        }
        sample
    }

    /// How to send `value` in `context`: value kind bits and what follows them.
    fn value_code<'v>(&self, context: u64, value: &'v str) -> (u8, ValuePayload<'v>) {
        let prediction = self.values.predict(context);
        if prediction == Some(value) {
            return (OP_VALUE_PREDICTED, ValuePayload::Nothing);
        }
        let literal = varint_len(value.len() as u64) + value.len();
        let reference = self.context.values().distance(value).map(|d| d << 1);
        // An integer near the predicted integer: send the difference.
        let numeric = match (prediction.and_then(canonical_int), canonical_int(value)) {
            // The kind bit takes one of the varint's 64 bits: differences of 2^62 or more
            // in size are sent another way.
            (Some(p), Some(v)) => v.checked_sub(p).map(zigzag).filter(|z| z >> 63 == 0).map(|z| z << 1 | 1),
            _ => None,
        };
        let best = [reference, numeric].into_iter().flatten().min_by_key(|&n| varint_len(n));
        match best {
            Some(n) if varint_len(n) < literal => (OP_VALUE_REF, ValuePayload::Varint(n)),
            _ => (OP_VALUE_LITERAL, ValuePayload::Literal(value)),
        }
    }

    fn write_payload(&mut self, payload: ValuePayload<'_>) {
        match payload {
            ValuePayload::Nothing => {}
            ValuePayload::Varint(n) => put_varint(&mut self.body, n),
            ValuePayload::Literal(text) => {
                put_varint(&mut self.body, text.len() as u64);
                self.body.extend_from_slice(text.as_bytes());
            }
        }
    }

    fn write_delta(&mut self, tree: &Tree, ops: &[Op<'_>]) {
        let latest = self.context.next_seq().saturating_sub(1);
        self.levels.clear();
        let mut root_previous = FIRST_KEY;
        let codebook = self.codebook.clone();
        // Nodes before this index are covered by a pattern already sent.
        let mut covered_until = 0;
        for op in ops {
            let index = match op {
                Op::Subtree { node, .. } | Op::Node { node, .. } => *node,
            };
            if index < covered_until {
                continue;
            }
            let Some(node) = tree.node(index) else { continue };
            while self.levels.last().is_some_and(|l| l.end_or_last <= index) {
                self.levels.pop();
            }
            let size = node.subtree_size();
            let end = index + size;
            let parent = self.levels.last().copied();
            let last = if parent.map(|l| l.end_or_last) == Some(end) { OP_LAST } else { 0 };
            let (parent_key, previous) = parent.map_or((ROOT_KEY, root_previous), |l| (l.key, l.previous));
            let id = node.primitive().id();
            let key = node_key(id, node.value());
            let pattern = match (op, &codebook) {
                (Op::Node { .. }, Some(codebook)) if size >= crate::codebook::MIN_PATTERN_NODES => {
                    self.shapes.get(index).and_then(|&shape| codebook.find(shape, tree, index))
                }
                _ => None,
            };
            let opens = match (op, pattern) {
                (Op::Node { .. }, Some(number)) => {
                    self.write_pattern(tree, index, number, last, parent_key, previous, codebook.as_deref());
                    covered_until = end;
                    false
                }
                (Op::Subtree { location, .. }, _) => {
                    self.body.push(OP_SUBTREE | last);
                    put_varint(&mut self.body, latest - location.seq);
                    put_varint(&mut self.body, location.node as u64);
                    false
                }
                (Op::Node { .. }, None) => {
                    let children = if node.has_children() { OP_HAS_CHILDREN } else { 0 };
                    let context = value_context(parent_key, previous);
                    let (value_bits, payload) = node
                        .value()
                        .map_or((OP_VALUE_NONE, ValuePayload::Nothing), |v| self.value_code(context, v));
                    let code = self.primitives.encode(parent.map(|l| l.primitive), id);
                    self.body.push(OP_NODE | children | last | value_bits | code);
                    if code == OP_PRIMITIVE_LITERAL {
                        self.body.push(id);
                    }
                    self.write_payload(payload);
                    if let Some(v) = node.value() {
                        self.values.learn(context, v);
                    }
                    node.has_children()
                }
            };
            // The node is now its parent's latest child.
            match self.levels.last_mut() {
                Some(level) => level.previous = key,
                None => root_previous = key,
            }
            if opens {
                self.levels.push(Level { end_or_last: end, primitive: id, key, previous: FIRST_KEY });
            }
        }
    }

    /// A pattern op: its number, the kinds of its hole values (four to a byte), then their
    /// payloads; the value model learns every valued node of the pattern in pre-order.
    #[allow(clippy::too_many_arguments)]
    fn write_pattern(
        &mut self,
        tree: &Tree,
        root: usize,
        number: u8,
        last: u8,
        parent_key: u64,
        previous: u64,
        codebook: Option<&Codebook>,
    ) {
        let Some(pattern) = codebook.and_then(|c| c.patterns().get(usize::from(number))) else { return };
        self.body.push(OP_PATTERN | last);
        self.body.push(number);
        let kinds_at = self.body.len();
        let holes = pattern.holes();
        self.body.extend(std::iter::repeat_n(0, holes.div_ceil(4)));
        let mut payloads = Vec::new();
        let mut hole = 0;
        walk_pattern(pattern.nodes.len(), parent_key, previous, |offset, context| {
            let value = tree.node(root + offset).and_then(|n| n.value());
            let is_hole = pattern.nodes.get(offset).is_some_and(|p| p.value == PatternValue::Hole);
            if let (true, Some(v)) = (is_hole, value) {
                let (kind, payload) = self.value_code(context, v);
                if let Some(byte) = self.body.get_mut(kinds_at + hole / 4) {
                    *byte |= (kind >> 2) << (2 * (hole % 4));
                }
                hole += 1;
                payloads.push(payload);
            }
            if let Some(v) = value {
                self.values.learn(context, v);
            }
            (
                tree.node(root + offset).map_or(0, |n| n.subtree_size()),
                node_key(pattern.nodes.get(offset).map_or(0, |p| p.primitive.id()), value),
            )
        });
        for payload in payloads {
            self.write_payload(payload);
        }
    }
}

/// What follows a node's value kind bits.
#[derive(Clone, Copy, Debug)]
enum ValuePayload<'v> {
    Nothing,
    Varint(u64),
    Literal(&'v str),
}

/// Walks a pattern's nodes in pre-order, giving each its value context (from its parent's key and
/// its previous sibling's); `visit` returns the node's subtree size and key.
fn walk_pattern(
    len: usize,
    parent_key: u64,
    previous: u64,
    mut visit: impl FnMut(usize, u64) -> (usize, u64),
) {
    // (end offset, key, previous child's key) of each open pattern node.
    let mut open: Vec<(usize, u64, u64)> = Vec::new();
    for offset in 0..len {
        while open.last().is_some_and(|&(end, _, _)| end <= offset) {
            open.pop();
        }
        let (pk, prev) = open.last().map_or((parent_key, previous), |&(_, k, p)| (k, p));
        let (size, key) = visit(offset, value_context(pk, prev));
        if let Some(top) = open.last_mut() {
            top.2 = key;
        }
        if size > 1 {
            open.push((offset + size, key, FIRST_KEY));
        }
    }
}

/// The decoding end of a session.
#[derive(Debug)]
pub struct SessionDecoder {
    context: Context,
    codebook: Option<Arc<Codebook>>,
    primitives: PrimitiveModel,
    values: ValueModel,
    limits: DecodeLimits,
    v2: v2::Decoder,
    /// Offset in the stream of the next frame.
    offset: usize,
    /// Scratch for `decode_delta`, kept between frames.
    scratch: String,
    levels: Vec<Level>,
    /// How delta frames are sent, from the header, and the byte model if they are coded.
    coding: BodyCoding,
    model: Option<Box<Model>>,
    /// A coded frame's decoded body (scratch).
    plain: Vec<u8>,
}

/// What decoding one frame gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The message's sequence number.
    pub seq: u64,
    /// How it was sent.
    pub kind: FrameKind,
    /// Bytes the frame took, header and CRC included.
    pub len: usize,
    /// The tree.
    pub tree: Tree,
}

/// A frame's body length and, for a coded frame, its plain body's length (for listings of a
/// frame the decoder has accepted; 0 where a field cannot be read).
pub(crate) fn frame_sizes(frame: &[u8]) -> (u64, Option<u64>) {
    let mut c = Cursor { bytes: frame, pos: 0, base: 0 };
    let (_, kind, body_len) = (c.varint(), c.byte(), c.varint().unwrap_or(0));
    let plain = (kind.ok() == Some(FrameKind::Coded as u8)).then(|| c.varint().unwrap_or(0));
    (body_len, plain)
}

impl SessionDecoder {
    /// The configuration the stream's header gave.
    pub fn config(&self) -> SessionConfig {
        SessionConfig { context: *self.context.config(), coding: self.coding }
    }

    /// The codebook the stream was encoded with (the one given, whose hash the header names).
    pub fn codebook(&self) -> Option<&Codebook> {
        self.codebook.as_deref()
    }
    /// Reads a stream header from the start of `stream`; returns the decoder and the header's
    /// length.
    pub fn from_header(stream: &[u8], limits: DecodeLimits) -> Result<(SessionDecoder, usize), Error> {
        SessionDecoder::from_header_with_codebook(stream, limits, None)
    }

    /// As [`SessionDecoder::from_header`], with the codebook the stream was encoded with (the
    /// header's hash must name it; a stream without a codebook must be given none).
    pub fn from_header_with_codebook(
        stream: &[u8],
        limits: DecodeLimits,
        codebook: Option<Arc<Codebook>>,
    ) -> Result<(SessionDecoder, usize), Error> {
        let codebook_given = codebook;
        let mut cursor = Cursor { bytes: stream, pos: 0, base: 0 };
        let first = cursor.byte().map_err(|_| Error::EmptyInput)?;
        if first != STREAM_BYTE {
            return Err(Error::UnknownFormat { byte: first });
        }
        let read = |c: &mut Cursor<'_>| {
            c.varint().and_then(|v| usize::try_from(v).map_err(|_| c.error("too large")))
        };
        let window = read(&mut cursor)?;
        let values = read(&mut cursor)?;
        let min_subtree = read(&mut cursor)?;
        let coding_at = cursor.pos;
        let coding = match cursor.byte()? {
            0 => BodyCoding::Plain,
            1 => BodyCoding::Modeled,
            _ => return Err(Error::MalformedMessage { offset: coding_at, reason: "unknown body coding" }),
        };
        let codebook = cursor.take(8)?;
        let covered = cursor.pos;
        let stored = cursor.take(4)?;
        let stored = u32::from_be_bytes(stored.try_into().unwrap_or_default());
        let computed = crc32c(stream.get(..covered).unwrap_or_default());
        if stored != computed {
            return Err(Error::Glyph(sigma_glyph::Error::ChecksumMismatch {
                offset: covered,
                stored,
                computed,
            }));
        }
        let named = u64::from_be_bytes(codebook.try_into().unwrap_or_default());
        let given = codebook_given.as_deref().map_or(0, Codebook::hash);
        if named != given {
            let reason = match (named, given) {
                (_, 0) => "the stream was encoded with a codebook; give the same codebook to decode it",
                (0, _) => "the stream was encoded without a codebook, but one was given",
                _ => "the stream was encoded with another codebook (its hash differs)",
            };
            return Err(Error::MalformedMessage { offset: covered - 8, reason });
        }
        if window > MAX_WINDOW || values > MAX_VALUES {
            return Err(Error::MalformedMessage {
                offset: 1,
                reason: "session window or value table too large",
            });
        }
        // The decoder is told where references point: no subtree index to keep.
        let context = Context::without_index(ContextConfig { window, values, min_subtree });
        let decoder = SessionDecoder {
            model: initial_model(coding, codebook_given.as_deref()),
            coding,
            plain: Vec::new(),
            context,
            codebook: codebook_given,
            primitives: PrimitiveModel::new(),
            values: ValueModel::default(),
            limits,
            v2: v2::Decoder::new(limits),
            offset: cursor.pos,
            scratch: String::new(),
            levels: Vec::new(),
        };
        Ok((decoder, cursor.pos))
    }

    /// Decodes the frame at the start of `bytes` (the stream from the decoder's current offset).
    pub fn decode_frame(&mut self, bytes: &[u8]) -> Result<Frame, Error> {
        let expected = self.context.next_seq();
        let base = self.offset;
        let frame_error = |e: Error| Error::Frame { seq: expected, offset: base, source: Box::new(e) };
        let mut cursor = Cursor { bytes, pos: 0, base };
        let seq = cursor.varint().map_err(frame_error)?;
        if seq != expected {
            return Err(Error::Frame {
                seq: expected,
                offset: base,
                source: Box::new(Error::MalformedMessage {
                    offset: base,
                    reason: "frame out of order or missing (its sequence number is not the next one)",
                }),
            });
        }
        let kind_byte = cursor.byte().map_err(frame_error)?;
        let kind =
            FrameKind::from_byte(kind_byte).ok_or_else(|| frame_error(cursor.error("unknown frame kind")))?;
        let body_len = cursor.varint().map_err(frame_error)?;
        let body_at = cursor.pos;
        let body = cursor.take(body_len).map_err(frame_error)?;
        let covered = cursor.pos;
        let stored = cursor.take(4).map_err(frame_error)?;
        let stored = u32::from_be_bytes(stored.try_into().unwrap_or_default());
        let computed = crc32c(bytes.get(..covered).unwrap_or_default());
        if stored != computed {
            return Err(frame_error(Error::Glyph(sigma_glyph::Error::ChecksumMismatch {
                offset: base + covered,
                stored,
                computed,
            })));
        }
        let mut tree = Tree::new();
        match kind {
            FrameKind::Full if self.coding == BodyCoding::Plain => {
                self.v2.decode_into(body, &mut tree).map_err(frame_error)?;
            }
            FrameKind::Repeat => {
                let mut c = Cursor { bytes: body, pos: 0, base: base + body_at };
                let distance = c.varint().map_err(frame_error)?;
                if c.pos != body.len() {
                    return Err(frame_error(c.error("bytes after a repeat's distance")));
                }
                let earlier = expected.checked_sub(1).and_then(|latest| latest.checked_sub(distance));
                tree = earlier
                    .and_then(|s| self.context.get(s))
                    .map(|e| e.tree.clone())
                    .ok_or_else(|| frame_error(c.error("repeat of a message outside the window")))?;
            }
            FrameKind::Delta if self.coding == BodyCoding::Plain => {
                let before = self.primitives.clone();
                let decoded = self.decode_delta(body, base + body_at);
                tree = decoded.map_err(|e| {
                    self.primitives = before;
                    frame_error(e)
                })?;
            }
            FrameKind::Coded if self.coding == BodyCoding::Modeled => {
                // Offsets of errors inside a coded body count decoded bytes from the body's start.
                let mut plain = std::mem::take(&mut self.plain);
                let decoded = self.decode_coded(body, base + body_at, &mut plain);
                self.plain = plain;
                tree = decoded.map_err(frame_error)?;
            }
            FrameKind::Full | FrameKind::Delta | FrameKind::Coded => {
                return Err(frame_error(Error::MalformedMessage {
                    offset: base,
                    reason: "frame kind not used with this stream's body coding",
                }));
            }
        }
        self.values.end_frame();
        self.context.push(tree.clone());
        let len = cursor.pos;
        self.offset += len;
        Ok(Frame { seq, kind, len, tree })
    }

    /// Reads a value sent with kind `bits` (already shifted into place) in `context` into `out`
    /// (cleared first; reused, so no allocation per value). Returns whether there is a value.
    fn read_value(
        &self,
        bits: u8,
        context: u64,
        c: &mut Cursor<'_>,
        op_at: usize,
        out: &mut String,
    ) -> Result<bool, Error> {
        use std::fmt::Write as _;
        out.clear();
        let limits = self.limits;
        match bits {
            OP_VALUE_NONE => return Ok(false),
            OP_VALUE_PREDICTED => {
                out.push_str(
                    self.values.predict(context).ok_or(c.error("predicted value with no prediction"))?,
                );
            }
            OP_VALUE_LITERAL => {
                let len = c.varint()?;
                limits.check(Limit::ValueBytes, len, op_at)?;
                let bytes = c.take(len)?;
                let text = std::str::from_utf8(bytes).map_err(|e| {
                    Error::Glyph(sigma_glyph::Error::InvalidUtf8 {
                        offset: c.base + c.pos - bytes.len() + e.valid_up_to(),
                    })
                })?;
                out.push_str(text);
            }
            _ => {
                let n = c.varint()?;
                if n & 1 == 1 {
                    let base = self
                        .values
                        .predict(context)
                        .and_then(canonical_int)
                        .ok_or(c.error("integer difference without an integer prediction"))?;
                    let value =
                        base.checked_add(unzigzag(n >> 1)).ok_or(c.error("integer difference overflows"))?;
                    let _ = write!(out, "{value}");
                } else {
                    let value = self
                        .context
                        .values()
                        .at_distance(n >> 1)
                        .ok_or(c.error("value reference outside the table"))?;
                    out.push_str(value);
                }
            }
        }
        Ok(true)
    }

    /// Decodes a coded delta: the plain body's length, then the body through the model.
    fn decode_coded(&mut self, body: &[u8], base: usize, plain: &mut Vec<u8>) -> Result<Tree, Error> {
        let mut c = Cursor { bytes: body, pos: 0, base };
        let len = c.varint()?;
        self.limits.check(Limit::Bytes, len, base)?;
        let len = usize::try_from(len).map_err(|_| c.error("body too large"))?;
        let coded = body.get(c.pos..).unwrap_or_default();
        let model = self.model.as_deref_mut().ok_or(c.error("coded frame without a model"))?;
        plain.clear();
        let used = model.decode(coded, len, plain);
        if used != coded.len() {
            // The model has learned bytes the encoder's did not: the session cannot go on.
            self.model = None;
            return Err(c.error("coded body of the wrong length"));
        }
        // A v2 message (format byte 0xA0–0xAF: no delta op has kind bits 10), or a delta.
        let decoded = match plain.first() {
            Some(0xA0..=0xAF) => {
                let mut tree = Tree::new();
                self.v2.decode_into(plain, &mut tree).map(|()| tree)
            }
            _ => self.decode_delta(plain, base),
        };
        if decoded.is_err() {
            // The model has learned this body; without the tree the session cannot go on.
            self.model = None;
        }
        decoded
    }

    fn decode_delta(&mut self, body: &[u8], base: usize) -> Result<Tree, Error> {
        // Scratch kept between frames: the value being read and the open levels.
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut levels = std::mem::take(&mut self.levels);
        levels.clear();
        let result = self.decode_delta_with(body, base, &mut scratch, &mut levels);
        self.scratch = scratch;
        self.levels = levels;
        result
    }

    fn decode_delta_with(
        &mut self,
        body: &[u8],
        base: usize,
        scratch: &mut String,
        levels: &mut Vec<Level>,
    ) -> Result<Tree, Error> {
        let mut c = Cursor { bytes: body, pos: 0, base };
        let mut builder = TreeBuilder::new();
        let mut root_previous = FIRST_KEY;
        let latest = self.context.next_seq().checked_sub(1);
        let limits = self.limits;
        loop {
            let at = c.pos;
            let tag = c.byte()?;
            let last = tag & OP_LAST != 0;
            if builder.node_count() == 0 && last {
                return Err(Error::NonCanonicalRoot { offset: base + at });
            }
            let parent = levels.last().copied();
            let (parent_key, previous) = parent.map_or((ROOT_KEY, root_previous), |l| (l.key, l.previous));
            let context = value_context(parent_key, previous);
            let (opens, key) = match tag & OP_KIND_MASK {
                OP_NODE => {
                    let id = self.primitives.decode(
                        parent.map(|l| l.primitive),
                        tag & OP_PRIMITIVE_MASK,
                        || c.byte(),
                    )?;
                    let primitive = Primitive::new(id);
                    let has_value =
                        self.read_value(tag & OP_VALUE_MASK, context, &mut c, base + at, scratch)?;
                    let value = has_value.then_some(scratch.as_str());
                    let key = node_key(id, value);
                    if let Some(v) = value {
                        self.values.learn(context, v);
                    }
                    if tag & OP_HAS_CHILDREN != 0 {
                        builder.open(primitive, value)?;
                        (Some(id), key)
                    } else {
                        builder.leaf(primitive, value)?;
                        (None, key)
                    }
                }
                OP_SUBTREE => {
                    if tag & !(OP_KIND_MASK | OP_LAST) != 0 {
                        return Err(c.error("reserved bits set in a subtree reference"));
                    }
                    let distance = c.varint()?;
                    let node = usize::try_from(c.varint()?).map_err(|_| c.error("node index too large"))?;
                    let entry = latest
                        .and_then(|l| l.checked_sub(distance))
                        .and_then(|seq| self.context.get(seq))
                        .ok_or(c.error("subtree reference outside the window"))?;
                    if node >= entry.tree.node_count() {
                        return Err(c.error("subtree reference past the end of its tree"));
                    }
                    copy_subtree(&entry.tree, node, &mut builder)?;
                    let root = entry.tree.node(node);
                    (None, root.map_or(0, |r| node_key(r.primitive().id(), r.value())))
                }
                OP_PATTERN => {
                    if tag & !(OP_KIND_MASK | OP_LAST) != 0 {
                        return Err(c.error("reserved bits set in a pattern op"));
                    }
                    let number = c.byte()?;
                    let codebook = self.codebook.clone();
                    let pattern = codebook
                        .as_deref()
                        .and_then(|cb| cb.patterns().get(usize::from(number)))
                        .ok_or(c.error("pattern number beyond the codebook"))?;
                    let kinds = c.take(pattern.holes().div_ceil(4) as u64)?;
                    let mut hole = 0;
                    let mut result: Result<(), Error> = Ok(());
                    let mut ends: Vec<usize> = Vec::new();
                    let mut root_key = 0;
                    walk_pattern(pattern.nodes.len(), parent_key, previous, |offset, context| {
                        let Some(p) = pattern.nodes.get(offset) else { return (1, 0) };
                        while ends.last().is_some_and(|&e| e <= offset) {
                            ends.pop();
                            if result.is_ok() {
                                result = builder.close().map_err(Error::from);
                            }
                        }
                        let value = match &p.value {
                            PatternValue::None => None,
                            PatternValue::Fixed(v) => Some(&**v),
                            PatternValue::Hole => {
                                let bits =
                                    kinds.get(hole / 4).map_or(0, |b| (b >> (2 * (hole % 4))) & 3) << 2;
                                hole += 1;
                                match self.read_value(bits, context, &mut c, base + at, scratch) {
                                    Ok(true) => {}
                                    Ok(false) => {
                                        result =
                                            result.clone().and(Err(c.error("a hole's value kind is none")));
                                    }
                                    Err(e) => result = result.clone().and(Err(e)),
                                }
                                Some(scratch.as_str())
                            }
                        };
                        if let Some(v) = value {
                            self.values.learn(context, v);
                        }
                        let step = if p.size > 1 {
                            ends.push(offset + p.size);
                            builder.open(p.primitive, value)
                        } else {
                            builder.leaf(p.primitive, value)
                        };
                        if let (Ok(()), Err(e)) = (&result, step) {
                            result = Err(e.into());
                        }
                        let key = node_key(p.primitive.id(), value);
                        if offset == 0 {
                            root_key = key;
                        }
                        (p.size, key)
                    });
                    result?;
                    for _ in ends {
                        builder.close()?;
                    }
                    (None, root_key)
                }
                _ => return Err(c.error("unknown delta op kind")),
            };
            let nodes = builder.node_count() as u64;
            limits.check(Limit::Nodes, nodes, base + at)?;
            let depth = builder.open_count() as u64;
            limits.check(Limit::Depth, depth, base + at)?;
            // The node is now its parent's latest child.
            match levels.last_mut() {
                Some(level) => level.previous = key,
                None => root_previous = key,
            }
            if let Some(id) = opens {
                levels.push(Level {
                    end_or_last: usize::from(last),
                    primitive: id,
                    key,
                    previous: FIRST_KEY,
                });
                continue;
            }
            let mut closes_parent = last;
            while closes_parent {
                builder.close()?;
                closes_parent = levels.pop().is_some_and(|l| l.end_or_last == 1);
            }
            if levels.is_empty() {
                break;
            }
        }
        if c.pos != body.len() {
            return Err(c.error("bytes after the tree in a delta frame"));
        }
        Ok(builder.finish()?)
    }
}

/// Appends the subtree of `source` rooted at `root` to `builder`, iteratively.
fn copy_subtree(source: &Tree, root: usize, builder: &mut TreeBuilder) -> Result<(), Error> {
    let Some(top) = source.node(root) else { return Ok(()) };
    let end = root + top.subtree_size();
    let mut ends: Vec<usize> = Vec::new();
    for index in root..end {
        while ends.last().is_some_and(|&e| e <= index) {
            ends.pop();
            builder.close()?;
        }
        let Some(node) = source.node(index) else { break };
        if node.has_children() {
            builder.open(node.primitive(), node.value())?;
            ends.push(index + node.subtree_size());
        } else {
            builder.leaf(node.primitive(), node.value())?;
        }
    }
    for _ in ends {
        builder.close()?;
    }
    Ok(())
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
    config.check()?;
    let mut encoder = SessionEncoder::with_codebook(config, codebook);
    let mut out = Vec::new();
    for tree in trees {
        encoder.encode_into(tree, &mut out)?;
    }
    if !encoder.header_written {
        write_header(&config, encoder.codebook.as_deref(), &mut out);
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
    let (mut decoder, mut at) = SessionDecoder::from_header_with_codebook(stream, limits, codebook)?;
    let mut frames = Vec::new();
    while at < stream.len() {
        let frame = decoder.decode_frame(stream.get(at..).unwrap_or_default())?;
        at += frame.len;
        frames.push(frame);
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_canonical_or_not_integers() {
        for (text, expected) in
            [("0", Some(0)), ("-12", Some(-12)), ("345", Some(345)), ("9223372036854775807", Some(i64::MAX))]
        {
            assert_eq!(canonical_int(text), expected, "{text}");
        }
        for text in ["", "-", "-0", "01", "1.0", "1e3", "+1", " 1", "9223372036854775808"] {
            assert_eq!(canonical_int(text), None, "{text}");
        }
        for n in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
        assert_eq!((zigzag(-1), zigzag(1)), (1, 2));
    }

    #[test]
    fn primitive_lists_move_to_front() {
        let mut model = PrimitiveModel::new();
        assert_eq!(model.encode(None, 0x79), 2, "NUMBER is third at first");
        assert_eq!(model.encode(None, 0x79), 0, "then first");
        assert_eq!(model.encode(None, 0x10), OP_PRIMITIVE_LITERAL);
        assert_eq!(model.lists[PrimitiveModel::ROOT], [0x10, 0x79, 0x7F]);
        let mut decoder = PrimitiveModel::new();
        for id in [0x79, 0x79, 0x10] {
            let mut encoder_side = decoder.clone();
            let code = encoder_side.encode(Some(3), id);
            assert_eq!(decoder.decode(Some(3), code, || Ok(id)).unwrap(), id);
        }
    }

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
        let stream = encode_stream(&trees, SessionConfig::default()).unwrap();
        let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
        assert!(frames.iter().zip(&trees).all(|(f, t)| f.tree == *t));
        // After the first, each message is: seq, kind, length, DICT, RECORD "id" (predicted),
        // NUMBER (difference 7), RECORD "name" (predicted), STRING (predicted), CRC.
        assert!(frames[5].len <= 14, "{}", frames[5].len);
    }
}
