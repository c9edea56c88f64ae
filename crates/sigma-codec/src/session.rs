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
//! Frames carry their sequence number and a CRC-32C, so a frame out of order, a lost frame or a
//! damaged one is an error naming the frame, never a wrong tree. The decoder rebuilds trees from
//! the bytes alone; encoding is deterministic.
//!
//! **Status.** The learned codebook and similarity search (issue #5) are not built yet; streams
//! record "no codebook".

use sigma_delta::{Context, ContextConfig, Op, ValueOp, describe};
use sigma_glyph::v2::crc32c;
use sigma_primitives::Primitive;
use sigma_tree::{Tree, TreeBuilder};

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
}

impl FrameKind {
    fn from_byte(byte: u8) -> Option<FrameKind> {
        match byte {
            0 => Some(FrameKind::Full),
            1 => Some(FrameKind::Repeat),
            2 => Some(FrameKind::Delta),
            _ => None,
        }
    }

    /// The kind's name, as `sigma stats` reports it.
    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Full => "full",
            FrameKind::Repeat => "repeat",
            FrameKind::Delta => "delta",
        }
    }
}

/// Appends `n` as LEB128.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
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
const OP_KIND_MASK: u8 = 0xC0;
const OP_HAS_CHILDREN: u8 = 0x20;
const OP_LAST: u8 = 0x10;
const OP_VALUE_MASK: u8 = 0x0C;
const OP_VALUE_NONE: u8 = 0x00;
const OP_VALUE_LITERAL: u8 = 0x04;
const OP_VALUE_REF: u8 = 0x08;

/// Session parameters both ends must share; the stream header records them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionConfig {
    /// The context's bounds.
    pub context: ContextConfig,
}

fn write_header(config: &SessionConfig, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(STREAM_BYTE);
    put_varint(out, config.context.window as u64);
    put_varint(out, config.context.values as u64);
    put_varint(out, config.context.min_subtree as u64);
    out.extend_from_slice(&[0; 8]); // codebook hash: none
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
    /// End index of each open node with children, outermost first (scratch).
    ends: Vec<usize>,
}

impl SessionEncoder {
    /// A session with this configuration.
    pub fn new(config: SessionConfig) -> SessionEncoder {
        SessionEncoder {
            config,
            context: Context::new(config.context),
            v2: v2::Encoder::new(),
            body: Vec::new(),
            header_written: false,
            ends: Vec::new(),
        }
    }

    /// Appends the next frame for `tree` to `out` (the stream header first, on the first call).
    /// Returns the kind of frame written.
    pub fn encode_into(&mut self, tree: &Tree, out: &mut Vec<u8>) -> Result<FrameKind, Error> {
        if tree.is_empty() {
            return Err(Error::EmptyTree);
        }
        if !self.header_written {
            write_header(&self.config, out);
            self.header_written = true;
        }
        let seq = self.context.next_seq();
        let edit = describe(&self.context, tree);
        let kind = if let Some(earlier) = edit.repeat_of {
            self.body.clear();
            put_varint(&mut self.body, seq - 1 - earlier);
            FrameKind::Repeat
        } else {
            self.body.clear();
            self.write_delta(tree, &edit.ops);
            let delta_len = self.body.len();
            let mut full = Vec::new();
            self.v2.encode_into(tree, &mut full)?;
            if full.len() <= delta_len {
                self.body = full;
                FrameKind::Full
            } else {
                FrameKind::Delta
            }
        };
        let start = out.len();
        put_varint(out, seq);
        out.push(kind as u8);
        put_varint(out, self.body.len() as u64);
        out.extend_from_slice(&self.body);
        let crc = crc32c(out.get(start..).unwrap_or_default());
        out.extend_from_slice(&crc.to_be_bytes());
        self.context.push(tree.clone());
        Ok(kind)
    }

    fn write_delta(&mut self, tree: &Tree, ops: &[Op<'_>]) {
        let latest = self.context.next_seq().saturating_sub(1);
        self.ends.clear();
        for op in ops {
            let index = match op {
                Op::Subtree { node, .. } | Op::Node { node, .. } => *node,
            };
            let Some(node) = tree.node(index) else { continue };
            while self.ends.last().is_some_and(|&end| end <= index) {
                self.ends.pop();
            }
            let end = index + node.subtree_size();
            let last = if self.ends.last() == Some(&end) { OP_LAST } else { 0 };
            match op {
                Op::Subtree { location, .. } => {
                    self.body.push(OP_SUBTREE | last);
                    put_varint(&mut self.body, latest - location.seq);
                    put_varint(&mut self.body, location.node as u64);
                }
                Op::Node { value, .. } => {
                    let children = if node.has_children() { OP_HAS_CHILDREN } else { 0 };
                    let value_bits = match value {
                        ValueOp::None => OP_VALUE_NONE,
                        ValueOp::Literal(_) => OP_VALUE_LITERAL,
                        ValueOp::Ref(_) => OP_VALUE_REF,
                    };
                    self.body
                        .extend_from_slice(&[OP_NODE | children | last | value_bits, node.primitive().id()]);
                    match value {
                        ValueOp::None => {}
                        ValueOp::Literal(text) => {
                            put_varint(&mut self.body, text.len() as u64);
                            self.body.extend_from_slice(text.as_bytes());
                        }
                        ValueOp::Ref(distance) => put_varint(&mut self.body, *distance),
                    }
                    if node.has_children() {
                        self.ends.push(end);
                    }
                }
            }
        }
    }
}

/// The decoding end of a session.
#[derive(Debug)]
pub struct SessionDecoder {
    context: Context,
    limits: DecodeLimits,
    v2: v2::Decoder,
    /// Offset in the stream of the next frame.
    offset: usize,
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

impl SessionDecoder {
    /// Reads a stream header from the start of `stream`; returns the decoder and the header's
    /// length.
    pub fn from_header(stream: &[u8], limits: DecodeLimits) -> Result<(SessionDecoder, usize), Error> {
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
        if codebook != [0; 8] {
            return Err(Error::MalformedMessage {
                offset: covered - 8,
                reason: "the stream names a codebook; codebooks are not supported yet",
            });
        }
        if window > 1 << 16 || values > 1 << 24 {
            return Err(Error::MalformedMessage {
                offset: 1,
                reason: "session window or value table too large",
            });
        }
        let context = Context::new(ContextConfig { window, values, min_subtree });
        let decoder = SessionDecoder { context, limits, v2: v2::Decoder::new(limits), offset: cursor.pos };
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
            FrameKind::Full => self.v2.decode_into(body, &mut tree).map_err(frame_error)?,
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
            FrameKind::Delta => {
                tree = self.decode_delta(body, base + body_at).map_err(frame_error)?;
            }
        }
        self.context.push(tree.clone());
        let len = cursor.pos;
        self.offset += len;
        Ok(Frame { seq, kind, len, tree })
    }

    fn decode_delta(&self, body: &[u8], base: usize) -> Result<Tree, Error> {
        let mut c = Cursor { bytes: body, pos: 0, base };
        let mut builder = TreeBuilder::new();
        // For each open node with children: whether it is its parent's last child.
        let mut open_last: Vec<bool> = Vec::new();
        let latest = self.context.next_seq().checked_sub(1);
        let limits = self.limits;
        loop {
            let at = c.pos;
            let tag = c.byte()?;
            let last = tag & OP_LAST != 0;
            if builder.node_count() == 0 && last {
                return Err(Error::NonCanonicalRoot { offset: base + at });
            }
            let opens = match tag & OP_KIND_MASK {
                OP_NODE => {
                    if tag & 0x03 != 0 {
                        return Err(c.error("reserved bits set in a delta op"));
                    }
                    let primitive = Primitive::new(c.byte()?);
                    let value = match tag & OP_VALUE_MASK {
                        OP_VALUE_NONE => None,
                        OP_VALUE_LITERAL => {
                            let len = c.varint()?;
                            if len > limits.max_value_bytes {
                                return Err(Error::LimitExceeded {
                                    offset: base + at,
                                    limit: Limit::ValueBytes,
                                    found: len,
                                    max: limits.max_value_bytes,
                                });
                            }
                            let bytes = c.take(len)?;
                            Some(std::str::from_utf8(bytes).map_err(|e| {
                                Error::Glyph(sigma_glyph::Error::InvalidUtf8 {
                                    offset: base + c.pos - bytes.len() + e.valid_up_to(),
                                })
                            })?)
                        }
                        OP_VALUE_REF => {
                            let distance = c.varint()?;
                            Some(
                                self.context
                                    .values()
                                    .at_distance(distance)
                                    .ok_or(c.error("value reference outside the table"))?,
                            )
                        }
                        _ => return Err(c.error("unknown value kind in a delta op")),
                    };
                    if tag & OP_HAS_CHILDREN != 0 {
                        builder.open(primitive, value)?;
                        true
                    } else {
                        builder.leaf(primitive, value)?;
                        false
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
                    false
                }
                _ => return Err(c.error("unknown delta op kind")),
            };
            let nodes = builder.node_count() as u64;
            if nodes > limits.max_nodes {
                return Err(Error::LimitExceeded {
                    offset: base + at,
                    limit: Limit::Nodes,
                    found: nodes,
                    max: limits.max_nodes,
                });
            }
            let depth = builder.open_count() as u64;
            if depth > limits.max_depth {
                return Err(Error::LimitExceeded {
                    offset: base + at,
                    limit: Limit::Depth,
                    found: depth,
                    max: limits.max_depth,
                });
            }
            if opens {
                open_last.push(last);
                continue;
            }
            let mut closes_parent = last;
            while closes_parent {
                builder.close()?;
                closes_parent = open_last.pop().unwrap_or(false);
            }
            if open_last.is_empty() {
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
    let mut encoder = SessionEncoder::new(config);
    let mut out = Vec::new();
    write_header(&config, &mut out);
    encoder.header_written = true;
    for tree in trees {
        encoder.encode_into(tree, &mut out)?;
    }
    Ok(out)
}

/// Decodes a whole session stream into its frames.
pub fn decode_stream(stream: &[u8], limits: DecodeLimits) -> Result<Vec<Frame>, Error> {
    let (mut decoder, mut at) = SessionDecoder::from_header(stream, limits)?;
    let mut frames = Vec::new();
    while at < stream.len() {
        let frame = decoder.decode_frame(stream.get(at..).unwrap_or_default())?;
        at += frame.len;
        frames.push(frame);
    }
    Ok(frames)
}
