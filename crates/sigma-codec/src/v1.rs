//! Format v1: trees to the reference's glyph streams and back (docs/FORMAT.md, "Format v1").
//!
//! A tree is written in pre-order: a node with children is a COMPOSITE glyph, then its children,
//! then the end marker `0x0B`; a node without children is a PRIMITIVE glyph. Encoding refuses
//! what v1 cannot hold (more than 4,095 glyphs, a value over 32,767 bytes, a 0x0B leaf inside a
//! composite) instead of writing bytes that decode to something else.
//!
//! Decoding reads the three kinds of message the reference writes:
//! - a plain tree (context id 0 for a standalone tree, anything once the reference's encoder has
//!   context);
//! - a DELTA message: a DELTA glyph of `TRANSFORM` with a 4-byte context id, bare PRIMITIVE
//!   glyphs for the primitives new since the previous tree (ascending), then the whole tree; the
//!   tree is the last top-level tree (the reference decodes the first primitive instead);
//! - a REFERENCE message (a 4-byte hash of a tree stored in the encoding process, or a codebook
//!   pattern id), which no standalone decoder can resolve: [`Error::UnresolvableReference`].

use sigma_glyph::v1::{self as wire, Glyph, GlyphKind, Header, Payload, Reader, Writer};
use sigma_primitives::{Primitive, PrimitiveSet};
use sigma_tree::Tree;
use sigma_tree::raw::{BuilderStack, RawBuilder};

use crate::{DecodeLimits, Error, Limit, MessageFault};

/// Encodes `tree` as a standalone v1 stream (context id 0).
pub fn encode(tree: &Tree) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::with_capacity(wire::MIN_STREAM_LEN + tree.node_count() * 3 + tree.value_bytes());
    encode_into(tree, &mut buf)?;
    Ok(buf)
}

/// Appends `tree` as a standalone v1 stream to `buf`; returns the stream's length. On error,
/// `buf` is left as it was.
pub fn encode_into(tree: &Tree, buf: &mut Vec<u8>) -> Result<usize, Error> {
    let start = buf.len();
    let result = write_tree(tree, buf);
    if result.is_err() {
        buf.truncate(start);
    }
    result
}

fn write_tree(tree: &Tree, buf: &mut Vec<u8>) -> Result<usize, Error> {
    if tree.is_empty() {
        return Err(Error::EmptyTree);
    }
    let too_many =
        |tree: &Tree| glyph_error(sigma_glyph::Error::TooManyGlyphs { limit: wire::MAX_GLYPHS }, tree);
    // v1 holds at most 4,095 glyphs, so a tree it holds is at most 2,047 composites deep: the
    // open composites fit a fixed array, and encoding allocates nothing but output.
    let composites = tree.nodes().filter(|n| n.has_children()).count();
    if tree.node_count() + composites > wire::MAX_GLYPHS {
        return Err(too_many(tree));
    }
    let mut ends = [0usize; MAX_V1_DEPTH];
    let mut open = 0usize;
    let mut writer = Writer::new(buf, 0)?;
    for node in tree.nodes() {
        let index = node.index();
        while let Some(&end) = open.checked_sub(1).and_then(|top| ends.get(top))
            && end <= index
        {
            writer.end_marker().map_err(|e| glyph_error(e, tree))?;
            open -= 1;
        }
        let value = node.value();
        if let Some(value) = value
            && value.len() > wire::MAX_PAYLOAD_LEN
        {
            return Err(Error::V1ValueTooLong {
                node: index,
                length: value.len(),
                limit: wire::MAX_PAYLOAD_LEN,
            });
        }
        let kind = if node.has_children() {
            let slot = ends.get_mut(open).ok_or_else(|| too_many(tree))?;
            *slot = index + node.subtree_size();
            open += 1;
            GlyphKind::Composite
        } else {
            if node.primitive() == Primitive::COMPOSITE && index != 0 {
                return Err(Error::V1EndMarkerLeaf { node: index });
            }
            GlyphKind::Primitive
        };
        writer.glyph(kind, node.primitive(), value.map(str::as_bytes)).map_err(|e| glyph_error(e, tree))?;
    }
    for _ in 0..open {
        writer.end_marker().map_err(|e| glyph_error(e, tree))?;
    }
    Ok(writer.finish())
}

/// The deepest nesting of composites a v1 stream can hold (each takes two of its 4,095 glyphs).
const MAX_V1_DEPTH: usize = wire::MAX_GLYPHS / 2 + 1;

fn glyph_error(error: sigma_glyph::Error, tree: &Tree) -> Error {
    match error {
        sigma_glyph::Error::TooManyGlyphs { .. } => Error::V1TooManyGlyphs {
            glyphs: tree.node_count() + tree.nodes().filter(|n| n.has_children()).count(),
            limit: wire::MAX_GLYPHS,
        },
        e => e.into(),
    }
}

/// What a v1 stream holds besides its tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// A plain tree.
    Tree,
    /// A DELTA message.
    Delta {
        /// The context id its DELTA glyph carries.
        base_context: u32,
        /// The primitives it lists as new since the previous tree.
        new_primitives: PrimitiveSet,
    },
}

/// A decoded v1 stream: header, message kind and tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The stream's header.
    pub header: Header,
    /// Plain tree or DELTA message.
    pub kind: MessageKind,
    /// The tree.
    pub tree: Tree,
}

/// Decodes a v1 stream to its tree (see the module docs for the messages accepted).
pub fn decode(bytes: &[u8]) -> Result<Tree, Error> {
    decode_message(bytes).map(|message| message.tree)
}

/// Decodes a v1 stream into `tree`, reusing its allocations. On error `tree` is left empty.
pub fn decode_into(bytes: &[u8], tree: &mut Tree) -> Result<(), Error> {
    Decoder::new(DecodeLimits::DEFAULT).decode_into(bytes, tree)
}

/// As [`decode_into`], within `limits`.
pub fn decode_into_with_limits(bytes: &[u8], tree: &mut Tree, limits: &DecodeLimits) -> Result<(), Error> {
    Decoder::new(*limits).decode_into(bytes, tree)
}

/// A v1 decoder with its limits, keeping its scratch space between calls: decoding into a
/// reused tree allocates nothing once warm.
#[derive(Debug, Default)]
pub struct Decoder {
    limits: DecodeLimits,
    stack: BuilderStack,
}

impl Decoder {
    /// A decoder with these limits.
    pub fn new(limits: DecodeLimits) -> Decoder {
        Decoder { limits, stack: BuilderStack::default() }
    }

    /// Decodes a v1 stream into `tree`, reusing its allocations. On error `tree` is left empty.
    pub fn decode_into(&mut self, bytes: &[u8], tree: &mut Tree) -> Result<(), Error> {
        let builder = RawBuilder::reuse(std::mem::take(tree), std::mem::take(&mut self.stack));
        let (result, builder) = decode_run(bytes, builder, &self.limits);
        let finished = builder.finish_into(tree, &mut self.stack);
        match (result, finished) {
            (Ok(_), Ok(())) => Ok(()),
            (Err(e), _) => {
                tree.clear();
                Err(e)
            }
            (Ok(_), Err(e)) => Err(e.into()),
        }
    }
}

/// Decodes a v1 stream with everything it says: header, message kind and tree.
pub fn decode_message(bytes: &[u8]) -> Result<Message, Error> {
    decode_message_with_limits(bytes, &DecodeLimits::DEFAULT)
}

/// As [`decode_message`], within `limits`.
pub fn decode_message_with_limits(bytes: &[u8], limits: &DecodeLimits) -> Result<Message, Error> {
    decode_with(bytes, RawBuilder::default(), limits)
        .map(|(header, kind, tree)| Message { header, kind, tree })
        .map_err(|(e, _)| e)
}

type Decoded = (Header, MessageKind, Tree);

fn decode_with(bytes: &[u8], builder: RawBuilder, limits: &DecodeLimits) -> Result<Decoded, (Error, Tree)> {
    let (result, builder) = decode_run(bytes, builder, limits);
    match result {
        Ok((header, kind)) => match builder.finish() {
            Ok(tree) => Ok((header, kind, tree)),
            Err(e) => Err((e.into(), Tree::new())),
        },
        Err(e) => Err((e, builder.into_parts().0)),
    }
}

/// Runs the decoder over `bytes`; gives the builder back, complete if the result is `Ok`.
fn decode_run(
    bytes: &[u8],
    builder: RawBuilder,
    limits: &DecodeLimits,
) -> (Result<(Header, MessageKind), Error>, RawBuilder) {
    if let Err(e) = limits.check(Limit::Bytes, bytes.len() as u64, 0) {
        return (Err(e), builder);
    }
    let mut decoder = Run { builder, delta: None, item_primitives: PrimitiveSet::new(), limits: *limits };
    let result = decoder.run(bytes);
    (result, decoder.builder)
}

struct DeltaState {
    base_context: u32,
    new_primitives: PrimitiveSet,
    /// The last primitive listed, to check the list ascends.
    last: Option<Primitive>,
}

struct Run {
    builder: RawBuilder,
    delta: Option<DeltaState>,
    /// Primitives of the current top-level tree.
    item_primitives: PrimitiveSet,
    limits: DecodeLimits,
}

impl Run {
    fn run(&mut self, bytes: &[u8]) -> Result<(Header, MessageKind), Error> {
        let mut reader = Reader::new(bytes)?;
        let header = reader.header();
        let first = match reader.next() {
            Some(glyph) => glyph?,
            None => return Err(Error::NoGlyphs { offset: reader.offset() }),
        };
        match first.kind {
            GlyphKind::Reference => return Err(reference_error(first, reader)),
            GlyphKind::Delta => self.start_delta(first)?,
            GlyphKind::Primitive | GlyphKind::Composite => self.start_tree(first)?,
        }
        let mut item_start = first.offset;
        for glyph in &mut reader {
            let glyph = glyph?;
            if self.builder.open_count() == 0 && self.builder.node_count() > 0 {
                self.next_item(glyph.offset, item_start)?;
                item_start = glyph.offset;
                self.start_tree(glyph)?;
            } else if self.builder.node_count() == 0 {
                // Right after the DELTA glyph.
                item_start = glyph.offset;
                self.start_tree(glyph)?;
            } else {
                self.inside_composite(glyph)?;
            }
        }
        let open = self.builder.open_count();
        if open > 0 {
            return Err(Error::UnclosedComposite { offset: reader.offset(), open });
        }
        let kind = match self.delta.take() {
            None => MessageKind::Tree,
            Some(delta) => {
                if self.builder.node_count() == 0 {
                    return Err(Error::MalformedMessage {
                        offset: reader.offset(),
                        fault: MessageFault::NoTreeAfterDelta,
                    });
                }
                if !delta.new_primitives.is_subset(&self.item_primitives) {
                    return Err(Error::MalformedMessage {
                        offset: item_start,
                        fault: MessageFault::UnusedNewPrimitive,
                    });
                }
                MessageKind::Delta { base_context: delta.base_context, new_primitives: delta.new_primitives }
            }
        };
        Ok((header, kind))
    }

    fn start_delta(&mut self, glyph: Glyph<'_>) -> Result<(), Error> {
        let offset = glyph.offset;
        if glyph.primitive != Primitive::TRANSFORM {
            return Err(Error::MalformedMessage { offset, fault: MessageFault::DeltaNotTransform });
        }
        let Payload::Bytes(&[a, b, c, d]) = glyph.payload else {
            return Err(Error::MalformedMessage { offset, fault: MessageFault::DeltaPayloadNotContextId });
        };
        self.delta = Some(DeltaState {
            base_context: u32::from_be_bytes([a, b, c, d]),
            new_primitives: PrimitiveSet::new(),
            last: None,
        });
        Ok(())
    }

    /// A complete top-level tree is followed by another glyph: only a DELTA message allows that,
    /// and only when the complete one is a bare PRIMITIVE glyph listing a new primitive.
    fn next_item(&mut self, offset: usize, item_start: usize) -> Result<(), Error> {
        let Some(delta) = self.delta.as_mut() else {
            return Err(Error::ExtraTree { offset });
        };
        let (tree, stack) = std::mem::take(&mut self.builder).into_parts();
        let listed = match tree.root() {
            Some(root) if tree.node_count() == 1 && root.value().is_none() => root.primitive(),
            _ => {
                return Err(Error::MalformedMessage {
                    offset: item_start,
                    fault: MessageFault::NotABarePrimitive,
                });
            }
        };
        if delta.last.is_some_and(|last| last >= listed) {
            return Err(Error::MalformedMessage {
                offset: item_start,
                fault: MessageFault::NewPrimitivesNotAscending,
            });
        }
        delta.last = Some(listed);
        delta.new_primitives.insert(listed);
        self.builder = RawBuilder::reuse(tree, stack);
        Ok(())
    }

    /// Checks the limits before `glyph` becomes a node.
    fn admit(&self, glyph: &Glyph<'_>) -> Result<(), Error> {
        let limits = &self.limits;
        limits.check(Limit::Nodes, self.builder.node_count() as u64 + 1, glyph.offset)?;
        limits.check(Limit::Depth, self.builder.open_count() as u64 + 1, glyph.offset)?;
        if let Some(value) = glyph.payload.text() {
            limits.check(Limit::ValueBytes, value.len() as u64, glyph.offset)?;
        }
        Ok(())
    }

    fn start_tree(&mut self, glyph: Glyph<'_>) -> Result<(), Error> {
        self.admit(&glyph)?;
        self.item_primitives = PrimitiveSet::new();
        self.item_primitives.insert(glyph.primitive);
        match glyph.kind {
            GlyphKind::Primitive => self.builder.leaf(glyph.primitive, glyph.payload.text()).map(drop)?,
            GlyphKind::Composite => self.builder.open(glyph.primitive, glyph.payload.text()).map(drop)?,
            GlyphKind::Reference | GlyphKind::Delta => {
                return Err(Error::UnexpectedGlyph { offset: glyph.offset, kind: glyph.kind.name() });
            }
        }
        Ok(())
    }

    fn inside_composite(&mut self, glyph: Glyph<'_>) -> Result<(), Error> {
        if !glyph.is_end_marker() {
            self.admit(&glyph)?;
            self.item_primitives.insert(glyph.primitive);
        }
        match glyph.kind {
            GlyphKind::Primitive if glyph.primitive == Primitive::COMPOSITE => {
                if glyph.payload != Payload::None {
                    return Err(Error::AmbiguousEndMarker { offset: glyph.offset });
                }
                let has_children =
                    self.builder.innermost_open().is_some_and(|open| self.builder.node_count() > open + 1);
                if !has_children {
                    return Err(Error::EmptyComposite { offset: glyph.offset });
                }
                self.builder.close()?;
            }
            GlyphKind::Primitive => self.builder.leaf(glyph.primitive, glyph.payload.text()).map(drop)?,
            GlyphKind::Composite => self.builder.open(glyph.primitive, glyph.payload.text()).map(drop)?,
            GlyphKind::Reference | GlyphKind::Delta => {
                return Err(Error::UnexpectedGlyph { offset: glyph.offset, kind: glyph.kind.name() });
            }
        }
        Ok(())
    }
}

/// A REFERENCE message is well-formed or not, but never resolvable here: report which.
fn reference_error(first: Glyph<'_>, mut reader: Reader<'_>) -> Error {
    if let Some(next) = reader.next() {
        return match next {
            Ok(glyph) => Error::ExtraTree { offset: glyph.offset },
            Err(e) => e.into(),
        };
    }
    let target = match first.payload {
        Payload::Bytes(&[a, b, c, d]) if first.primitive == Primitive::REFERENCE => {
            format!("sigma bank hash {:#010x}", u32::from_be_bytes([a, b, c, d]))
        }
        Payload::None if first.primitive.id() >= Primitive::FIRST_LEARNED.id() => {
            format!("codebook pattern {}", first.primitive.name())
        }
        _ => {
            return Error::MalformedMessage { offset: first.offset, fault: MessageFault::UnknownReference };
        }
    };
    Error::UnresolvableReference { offset: first.offset, target }
}
