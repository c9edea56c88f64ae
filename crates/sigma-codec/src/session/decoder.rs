//! `SessionDecoder`: reads a stream's header, then its frames in order, each into its tree,
//! keeping the same state the encoder kept. [`Frames`] walks a whole stream; it is the one frame
//! loop (decoding, listings and the `sigma` command all use it).

use std::sync::Arc;

use sigma_delta::hash::hash_bytes;
use sigma_glyph::session::{
    CODEBOOK_HASH_LEN, CRC_LEN, DeltaReader, FrameKind, HoleKinds, Op, RawFrame, Value, ValueKind,
    plain_body_is_v2, read_frame, read_header,
};
use sigma_primitives::Primitive;
use sigma_tree::{BuilderStack, Tree, TreeBuilder};

use super::codebook::{Codebook, PatternValue};
use super::predict::{Parent, PatternStack, canonical_int, node_key, unzigzag, walk_pattern};
use super::state::{Coder, Sent, SessionState, decoder_memory};
use super::zstd;
use super::{ContextConfig, SessionConfig, SessionError};
use crate::{DecodeLimits, Error, Format, Limit, detect, v2};

/// One decoded frame: where it was, how it was sent, and its tree (`T`: the tree itself, or, in
/// a [`FrameRef`], the decoder's, lent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<T = Tree> {
    /// The message's sequence number.
    pub seq: u64,
    /// How it was sent.
    pub kind: FrameKind,
    /// Offset of the frame in the stream.
    pub offset: usize,
    /// Bytes the frame took, its fields and CRC included.
    pub len: usize,
    /// Bytes of its body.
    pub body_len: usize,
    /// For a coded frame, the length of the plain body it decoded to.
    pub plain_len: Option<usize>,
    /// The tree.
    pub tree: T,
}

/// The decoding end of a session. It owns its position in the stream: [`SessionDecoder::next_frame`]
/// decodes the frame there, and [`SessionDecoder::frames`] iterates over the rest.
#[derive(Debug)]
pub struct SessionDecoder {
    state: SessionState<zstd::Decoder>,
    limits: DecodeLimits,
    v2: v2::Decoder,
    /// Offset in the stream of the next frame.
    offset: usize,
    /// Bytes the header took.
    header_len: usize,
    /// The offset of a frame whose body failed after it had changed the session's state (the
    /// predictors, the byte model): from there on the state is not the encoder's, so no frame
    /// can be decoded.
    failed_at: Option<usize>,
    /// A coded frame's decoded body (scratch, kept between frames).
    plain: Vec<u8>,
    /// The value being read (scratch).
    value: String,
    /// Each node whose children are being read: whether it is its parent's last child, and it
    /// as a parent; the root's virtual parent at the bottom (scratch).
    parents: Vec<(bool, Parent)>,
    /// A pattern's open nodes (scratch).
    pattern_stack: PatternStack,
    /// The tree builder's open nodes (scratch).
    stack: BuilderStack,
    /// The buffers of the tree the context let go last, refilled by the next frame; with a
    /// window of 0, the last frame's tree itself.
    spare: Tree,
}

/// One decoded frame, its tree lent by the decoder until the next frame
/// ([`SessionDecoder::next_frame_ref`]): a [`Frame`] without a copy of the tree.
pub type FrameRef<'d> = Frame<&'d Tree>;

impl FrameRef<'_> {
    /// The frame with a copy of its tree.
    pub fn to_frame(self) -> Frame {
        Frame {
            seq: self.seq,
            kind: self.kind,
            offset: self.offset,
            len: self.len,
            body_len: self.body_len,
            plain_len: self.plain_len,
            tree: self.tree.clone(),
        }
    }
}

impl SessionDecoder {
    /// Reads the stream header at the start of `stream`. `codebook` must be the one the stream
    /// was encoded with (the header names it by hash), or `None` if it was encoded without one.
    pub fn new(
        stream: &[u8],
        limits: DecodeLimits,
        codebook: Option<Arc<Codebook>>,
    ) -> Result<SessionDecoder, Error> {
        match detect(stream)? {
            Format::Session => {}
            format => return Err(SessionError::NotAStream { format }.into()),
        }
        let (header, header_len) = read_header(stream)?;
        let named = header.codebook;
        // The codebook hash ends the header, before its CRC.
        let offset = header_len - CRC_LEN - CODEBOOK_HASH_LEN;
        match (named, codebook.as_deref().map(Codebook::hash)) {
            (0, None) => {}
            (0, Some(given)) => return Err(SessionError::CodebookNotUsed { offset, given }.into()),
            (named, None) => return Err(SessionError::CodebookRequired { offset, named }.into()),
            (named, Some(given)) if named != given => {
                return Err(SessionError::CodebookMismatch { offset, named, given }.into());
            }
            _ => {}
        }
        let context =
            ContextConfig { window: header.window, values: header.values, min_subtree: header.min_subtree };
        let config = SessionConfig { context, coding: header.coding };
        // The coding byte sits just before the codebook hash.
        let coding_offset = offset - 1;
        limits.check(Limit::SessionMemory, decoder_memory(header.coding), coding_offset)?;
        let state = SessionState::new(config, codebook);
        if let Coder::Broken(reason) = state.coder {
            return Err(SessionError::Zstd { offset: coding_offset, reason }.into());
        }
        Ok(SessionDecoder {
            state,
            limits,
            v2: v2::Decoder::new(limits),
            offset: header_len,
            header_len,
            failed_at: None,
            plain: Vec::new(),
            value: String::new(),
            parents: Vec::new(),
            pattern_stack: PatternStack::new(),
            stack: BuilderStack::default(),
            spare: Tree::new(),
        })
    }

    /// The configuration the stream's header gave.
    pub fn config(&self) -> &SessionConfig {
        &self.state.config
    }

    /// The codebook the stream was encoded with (the one given, whose hash the header names).
    pub fn codebook(&self) -> Option<&Codebook> {
        self.state.codebook.as_deref()
    }

    /// Bytes the session's body coder holds now: its zstd stream (at most 448 KiB), its byte
    /// model (2 MiB), or nothing for a plain stream; what
    /// [`DecodeLimits::max_session_memory`] bounds. The context of recent trees comes on top.
    pub fn coder_memory(&self) -> usize {
        self.state.coder.memory()
    }

    /// Bytes the stream header took.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// Offset in the stream of the next frame.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Decodes the frame at the decoder's offset in `stream` (the stream the header was read
    /// from, or that stream grown by more frames), or `None` at the end of `stream`.
    ///
    /// After an error the decoder stays where it was. A frame refused before its body was
    /// applied (cut short, damaged, out of order) changed nothing, and can be given again, say
    /// once more of the stream has arrived; a frame whose body failed has changed the session's
    /// state, so every later call is [`SessionError::EarlierFrameFailed`].
    pub fn next_frame(&mut self, stream: &[u8]) -> Option<Result<Frame, Error>> {
        self.next_frame_ref(stream).map(|frame| frame.map(|frame| frame.to_frame()))
    }

    /// As [`SessionDecoder::next_frame`], lending the tree instead of copying it: once the
    /// decoder is warm, decoding a frame this way allocates nothing.
    pub fn next_frame_ref(&mut self, stream: &[u8]) -> Option<Result<FrameRef<'_>, Error>> {
        if self.offset >= stream.len() {
            return None;
        }
        Some(self.decode_frame(stream))
    }

    /// The frames of `stream` from the decoder's offset on; the iteration ends after the first
    /// error.
    pub fn frames<'d, 's>(&'d mut self, stream: &'s [u8]) -> Frames<'d, 's> {
        Frames { decoder: self, stream, failed: false }
    }

    fn decode_frame(&mut self, stream: &[u8]) -> Result<FrameRef<'_>, Error> {
        let expected = self.state.next_seq();
        let offset = self.offset;
        let in_frame = |error: Error| Error::Frame { seq: expected, offset, source: Box::new(error) };
        let frame = read_frame(stream, offset).map_err(|e| in_frame(e.into()))?;
        let mut tree = std::mem::take(&mut self.spare);
        self.state.learned.clear();
        let plain_len = self.decode_body(&frame, expected, &mut tree).map_err(in_frame)?;
        let sent = match frame.kind {
            FrameKind::Repeat => Sent::Nothing,
            FrameKind::Full => Sent::Every(None),
            FrameKind::Delta => Sent::Learned,
            // A coded body is a delta or a full message.
            FrameKind::Coded if plain_body_is_v2(&self.plain) => Sent::Every(None),
            FrameKind::Coded => Sent::Learned,
        };
        if let Some((evicted, _)) = self.state.end_frame(tree, Vec::new(), sent) {
            self.spare = evicted;
        }
        self.offset += frame.len;
        let tree = match self.state.context.newest() {
            Some(entry) if self.state.config.context.window > 0 => &entry.tree,
            _ => &self.spare,
        };
        Ok(FrameRef {
            seq: frame.seq,
            kind: frame.kind,
            offset,
            len: frame.len,
            body_len: frame.body.len(),
            plain_len,
            tree,
        })
    }

    /// Decodes a checked frame's tree into `tree`; returns the plain length of a coded body.
    fn decode_body(
        &mut self,
        frame: &RawFrame<'_>,
        expected: u64,
        tree: &mut Tree,
    ) -> Result<Option<usize>, Error> {
        if frame.seq != expected {
            return Err(SessionError::OutOfOrder { offset: frame.offset, expected, found: frame.seq }.into());
        }
        let coding = self.state.config.coding;
        if !frame.kind.is_used_with(coding) {
            return Err(SessionError::KindNotInCoding {
                offset: frame.kind_offset,
                kind: frame.kind,
                coding,
            }
            .into());
        }
        if let Some(failed_at) = self.failed_at {
            return Err(SessionError::EarlierFrameFailed { offset: frame.offset, failed_at }.into());
        }
        match frame.kind {
            FrameKind::Full => self.v2.decode_into(frame.body, tree)?,
            FrameKind::Repeat => {
                let distance = frame.repeat_distance()?;
                let earlier = expected.checked_sub(1).and_then(|latest| latest.checked_sub(distance));
                let entry = earlier.and_then(|seq| self.state.context.get(seq));
                let entry =
                    entry.ok_or(SessionError::RepeatOutsideWindow { offset: frame.body_offset, distance })?;
                tree.clone_from(&entry.tree);
            }
            FrameKind::Delta => {
                self.decode_delta(frame.body, frame.body_offset, tree).inspect_err(|_| {
                    // The predictors have learned part of the body: they are out of step.
                    self.failed_at = Some(frame.offset);
                })?;
            }
            FrameKind::Coded => {
                let mut plain = std::mem::take(&mut self.plain);
                let decoded = self.decode_coded(frame, &mut plain, tree);
                let plain_len = plain.len();
                self.plain = plain;
                if decoded.is_err() {
                    // The byte model or zstd stream (and the predictors) have learned part of
                    // the body.
                    self.failed_at = Some(frame.offset);
                }
                return decoded.map(|()| Some(plain_len));
            }
        }
        Ok(None)
    }

    /// Decodes a coded body (in a modeled stream the plain body's length, then the plain body
    /// through the byte model; in a zstd stream the zstd stream's bytes) into `plain`, then the
    /// plain body into `tree`. Offsets of errors inside the plain body count decoded bytes from
    /// the body's start.
    fn decode_coded(
        &mut self,
        frame: &RawFrame<'_>,
        plain: &mut Vec<u8>,
        tree: &mut Tree,
    ) -> Result<(), Error> {
        plain.clear();
        match &mut self.state.coder {
            Coder::Modeled(model) => {
                let body = frame.coded()?;
                self.limits.check(Limit::Bytes, body.plain_len, frame.body_offset)?;
                let len = usize::try_from(body.plain_len).map_err(|_| Error::LimitExceeded {
                    offset: frame.body_offset,
                    limit: Limit::Bytes,
                    found: body.plain_len,
                    max: usize::MAX as u64,
                })?;
                model.decode(body.coded, len, plain).map_err(|used| SessionError::CodedLength {
                    offset: body.offset,
                    expected: used,
                    found: body.coded.len(),
                })?;
            }
            Coder::Zstd(zstd) => {
                let offset = frame.body_offset;
                // A limit past the address space is no limit.
                let max = usize::try_from(self.limits.max_bytes).unwrap_or(usize::MAX);
                zstd.decode(frame.body, max, plain).map_err(|fault| -> Error {
                    match fault {
                        zstd::Fault::Zstd(reason) => SessionError::Zstd { offset, reason }.into(),
                        zstd::Fault::TooLong => Error::LimitExceeded {
                            offset,
                            limit: Limit::Bytes,
                            found: self.limits.max_bytes.saturating_add(1),
                            max: self.limits.max_bytes,
                        },
                        zstd::Fault::Unread { at } => SessionError::ZstdUnread { offset: offset + at }.into(),
                        zstd::Fault::FrameEnded => SessionError::ZstdFrameEnded { offset }.into(),
                        zstd::Fault::NotAFrame => SessionError::ZstdNotAFrame { offset }.into(),
                    }
                })?;
            }
            // `new` refused a broken coder.
            Coder::Broken(reason) => {
                debug_assert!(false, "a decoder never keeps a broken coder");
                return Err(SessionError::Zstd { offset: frame.offset, reason }.into());
            }
            // `is_used_with` let no coded frame into a plain stream.
            Coder::Plain => {
                debug_assert!(false, "a plain stream has no coded frames");
                return Err(SessionError::KindNotInCoding {
                    offset: frame.kind_offset,
                    kind: frame.kind,
                    coding: self.state.config.coding,
                }
                .into());
            }
        }
        if plain_body_is_v2(plain) {
            self.v2.decode_into(plain, tree)
        } else {
            self.decode_delta(plain, frame.body_offset, tree)
        }
    }

    /// Decodes a delta body into `tree` (its buffers reused).
    fn decode_delta(&mut self, body: &[u8], base: usize, tree: &mut Tree) -> Result<(), Error> {
        let mut reader = DeltaReader::new(body, base);
        let mut builder = TreeBuilder::reuse(std::mem::take(tree), std::mem::take(&mut self.stack));
        let built = self.read_delta(&mut reader, &mut builder);
        let finished = builder.finish_into(tree, &mut self.stack);
        built?;
        reader.finish()?;
        Ok(finished?)
    }

    fn read_delta(&mut self, reader: &mut DeltaReader<'_>, builder: &mut TreeBuilder) -> Result<(), Error> {
        let latest = self.state.next_seq().checked_sub(1);
        self.parents.clear();
        self.parents.push((false, Parent::ROOT));
        loop {
            let at = reader.offset();
            let op = reader.next_op()?;
            if builder.node_count() == 0 && op.last() {
                return Err(Error::NonCanonicalRoot { offset: at });
            }
            let Some(&(_, parent)) = self.parents.last() else {
                debug_assert!(false, "the root's virtual parent is popped only when the tree is complete");
                break;
            };
            let (opens, key) = match op {
                Op::Node { has_children, value, primitive, .. } => {
                    let id = self
                        .state
                        .primitives
                        .decode(parent.primitive, primitive)
                        .ok_or(SessionError::PrimitiveSlot { offset: at })?;
                    let context = parent.child_context();
                    let index = builder.node_count();
                    let hash = self.read_value(reader, value, context, index, at)?;
                    let value = hash.is_some().then_some(self.value.as_str());
                    if let Some(v) = value {
                        self.state.values.learn(context, v);
                    }
                    let key = node_key(id, hash);
                    if has_children {
                        builder.open(Primitive::new(id), value)?;
                        (Some(Parent::new(id, key)), key)
                    } else {
                        builder.leaf(Primitive::new(id), value)?;
                        (None, key)
                    }
                }
                Op::Subtree { distance, node, .. } => {
                    let entry = latest
                        .and_then(|l| l.checked_sub(distance))
                        .and_then(|seq| self.state.context.get(seq))
                        .ok_or(SessionError::SubtreeOutsideWindow { offset: at, distance })?;
                    let root = usize::try_from(node).ok().and_then(|index| entry.tree.node(index)).ok_or(
                        SessionError::SubtreePastEnd { offset: at, node, nodes: entry.tree.node_count() },
                    )?;
                    self.limits.check(
                        Limit::Nodes,
                        (builder.node_count() + root.subtree_size()) as u64,
                        at,
                    )?;
                    builder.copy_subtree(&entry.tree, root.index())?;
                    let hash = root.value().map(|v| hash_bytes(v.as_bytes()));
                    (None, node_key(root.primitive().id(), hash))
                }
                Op::Pattern { number, .. } => {
                    (None, self.read_pattern(reader, number, &parent, at, builder)?)
                }
            };
            self.limits.check(Limit::Nodes, builder.node_count() as u64, at)?;
            self.limits.check(Limit::Depth, builder.open_count() as u64, at)?;
            // The node is now its parent's latest child.
            if let Some((_, parent)) = self.parents.last_mut() {
                parent.previous = key;
            }
            if let Some(opened) = opens {
                self.parents.push((op.last(), opened));
                continue;
            }
            // A last child closes its parent, which closes its own if it was a last child too.
            let mut closes_parent = op.last();
            while closes_parent && self.parents.len() > 1 {
                builder.close()?;
                closes_parent = self.parents.pop().is_some_and(|(last, _)| last);
            }
            if self.parents.len() == 1 {
                break;
            }
        }
        Ok(())
    }

    /// Reads a pattern op's hole kinds and values and adds its nodes; returns its root's key.
    fn read_pattern(
        &mut self,
        reader: &mut DeltaReader<'_>,
        number: u8,
        parent: &Parent,
        at: usize,
        builder: &mut TreeBuilder,
    ) -> Result<u64, Error> {
        let codebook = self.state.codebook.clone();
        let pattern = codebook.as_deref().and_then(|c| c.pattern(number)).ok_or(
            SessionError::PatternNotInCodebook {
                offset: at,
                number,
                patterns: codebook.as_deref().map_or(0, |c| c.patterns().len()),
            },
        )?;
        self.limits.check(Limit::Nodes, (builder.node_count() + pattern.nodes().len()) as u64, at)?;
        let kinds: HoleKinds<'_> = reader.hole_kinds(pattern.holes())?;
        let mut hole = 0;
        let mut root_key = 0;
        let mut open = std::mem::take(&mut self.pattern_stack);
        let walked = walk_pattern(pattern.nodes().len(), parent, &mut open, |offset, context| {
            let p = pattern.nodes().get(offset);
            debug_assert!(p.is_some(), "walk_pattern visits the pattern's nodes");
            let p = p.ok_or(SessionError::PatternNotInCodebook { offset: at, number, patterns: 0 })?;
            let (value, hash) = match &p.value {
                PatternValue::None => (None, None),
                PatternValue::Fixed(v) => {
                    let hash = pattern.fixed_hash(offset);
                    self.state.learned.push((builder.node_count(), hash));
                    (Some(&**v), Some(hash))
                }
                PatternValue::Hole => {
                    let kind = kinds.get(hole);
                    if kind == ValueKind::None {
                        return Err(SessionError::HoleWithoutValue { offset: at, hole }.into());
                    }
                    hole += 1;
                    let hash = self.read_value(reader, kind, context, builder.node_count(), at)?;
                    (Some(self.value.as_str()), hash)
                }
            };
            if let Some(v) = value {
                self.state.values.learn(context, v);
            }
            builder.sized(p.primitive, value, p.size)?;
            let key = node_key(p.primitive.id(), hash);
            if offset == 0 {
                root_key = key;
            }
            Ok::<_, Error>((p.size, key))
        });
        self.pattern_stack = open;
        walked?;
        Ok(root_key)
    }

    /// Reads a value sent as `kind` in `context` into `self.value` (cleared first; reused, so no
    /// allocation per value), for node `index` of the tree being built. Returns the value's hash,
    /// or `None` if there is no value; a value the value table could not know (a literal, an
    /// integer difference) is noted for it to learn.
    fn read_value(
        &mut self,
        reader: &mut DeltaReader<'_>,
        kind: ValueKind,
        context: u64,
        index: usize,
        op_at: usize,
    ) -> Result<Option<u64>, Error> {
        use std::fmt::Write as _;
        self.value.clear();
        let prediction = self.state.values.predict(context);
        let new_to_the_table = match reader.value(kind)? {
            Value::None => return Ok(None),
            // Seen in this place before, so sent before.
            Value::Predicted => {
                self.value.push_str(prediction.ok_or(SessionError::NoPrediction { offset: op_at })?);
                false
            }
            Value::Literal(text) => {
                self.limits.check(Limit::ValueBytes, text.len() as u64, op_at)?;
                self.value.push_str(text);
                true
            }
            Value::Varint(n) if n & 1 == 1 => {
                let base = prediction
                    .and_then(canonical_int)
                    .ok_or(SessionError::NoIntegerPrediction { offset: op_at })?;
                let value = base
                    .checked_add(unzigzag(n >> 1))
                    .ok_or(SessionError::IntegerOverflow { offset: op_at })?;
                // Writing an integer into a String cannot fail.
                let written = write!(self.value, "{value}");
                debug_assert!(written.is_ok());
                true
            }
            // In the table already.
            Value::Varint(n) => {
                let distance = n >> 1;
                let value = self
                    .state
                    .table
                    .at_distance(distance)
                    .ok_or(SessionError::ValueOutsideTable { offset: op_at, distance })?;
                self.value.push_str(value);
                false
            }
        };
        let hash = hash_bytes(self.value.as_bytes());
        if new_to_the_table {
            self.state.learned.push((index, hash));
        }
        Ok(Some(hash))
    }
}

/// The frames of a session stream, in order, each decoded ([`SessionDecoder::frames`]). After
/// an error it yields nothing more.
#[derive(Debug)]
pub struct Frames<'d, 's> {
    decoder: &'d mut SessionDecoder,
    stream: &'s [u8],
    failed: bool,
}

impl Iterator for Frames<'_, '_> {
    type Item = Result<Frame, Error>;

    fn next(&mut self) -> Option<Result<Frame, Error>> {
        if self.failed {
            return None;
        }
        let next = self.decoder.next_frame(self.stream);
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_glyph::session::BodyCoding;

    #[test]
    fn the_decoder_owns_its_position() {
        let trees: Vec<Tree> =
            ["[1]", "[1]", r#"{"a":2}"#].iter().map(|j| Tree::from_json_document(j).unwrap()).collect();
        let config = SessionConfig { coding: BodyCoding::Modeled, ..SessionConfig::default() };
        let stream = super::super::encode_stream(&trees, config).unwrap();
        let mut decoder = SessionDecoder::new(&stream, DecodeLimits::DEFAULT, None).unwrap();
        assert_eq!(decoder.offset(), decoder.header_len());
        let frames: Vec<Frame> = decoder.frames(&stream).collect::<Result<_, _>>().unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[1].kind, FrameKind::Repeat);
        assert_eq!(frames[0].offset, decoder.header_len());
        assert_eq!(frames[2].offset + frames[2].len, stream.len());
        assert!(frames[0].plain_len.is_some() && frames[1].plain_len.is_none());
        assert!(decoder.next_frame(&stream).is_none(), "at the end");
    }

    #[test]
    fn a_plain_stream_of_one_message_reports_no_plain_length() {
        let config = SessionConfig { coding: BodyCoding::Plain, ..SessionConfig::default() };
        let stream = super::super::encode_stream(&[sigma_tree::samples::medium()], config).unwrap();
        let mut decoder = SessionDecoder::new(&stream, DecodeLimits::DEFAULT, None).unwrap();
        let frame = decoder.next_frame(&stream).unwrap().unwrap();
        assert_eq!((frame.kind, frame.plain_len), (FrameKind::Delta, None));
    }
}
