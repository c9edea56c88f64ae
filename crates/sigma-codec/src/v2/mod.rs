//! Format v2: trees to our glyph messages and back (docs/FORMAT.md, "Format v2").
//!
//! No limit below 2^32 on nodes, value length or depth; no ambiguity; smaller than v1 for every
//! tree v1 holds; a CRC-32C over the whole message; decoding bounded by [`DecodeLimits`].
//! [`Encoder`] and [`Decoder`] keep their scratch space between calls, so encoding into a reused
//! buffer and decoding into a reused tree allocate nothing once warm.
//!
//! Two variants, told apart by the format byte, both read by every decoder: **plain** (the
//! default, the fastest) and **compact** ([`Variant::Compact`], [`encode_compact`]), whose values
//! may repeat an earlier value by number, share a prefix with the newest new value, or pack
//! number characters two to a byte: smaller wherever values repeat or run in sequence.
//!
//! ```
//! use sigma_codec::{Tree, v2};
//!
//! let tree = Tree::from_json_document(r#"[{"id": 1, "ok": true}, {"id": 2, "ok": true}]"#)?;
//! let plain = v2::encode(&tree)?;
//! let compact = v2::encode_compact(&tree)?;
//! assert!(compact.len() < plain.len());
//! assert_eq!(v2::decode(&compact)?, tree);
//! # Ok::<(), sigma_codec::Error>(())
//! ```

mod compact;
mod view;

pub use view::{View, ViewDecoder, ViewNode};

use sigma_glyph::v2::{
    self as wire, CodeUsage, NodeSpec, PrimitiveCoding, PrimitiveUsage, Reader, SizedWriter, ValueRef,
};
use sigma_tree::Tree;
use sigma_tree::raw::{BuilderStack, RawBuilder, ValueBytes};

use crate::{DecodeLimits, Error, Limit};

/// Which of v2's two variants an [`Encoder`] writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Every value written out: the fastest to write and read.
    #[default]
    Plain,
    /// Values that repeat, share a prefix or are numbers written in fewer bytes.
    Compact,
}

/// Encodes `tree` as a compact v2 message.
pub fn encode_compact(tree: &Tree) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    Encoder::compact().encode_into(tree, &mut buf)?;
    Ok(buf)
}

/// Encodes `tree` as a v2 message.
pub fn encode(tree: &Tree) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    Encoder::new().encode_into(tree, &mut buf)?;
    Ok(buf)
}

/// Appends `tree` as a v2 message to `buf`; returns the message's length.
pub fn encode_into(tree: &Tree, buf: &mut Vec<u8>) -> Result<usize, Error> {
    Encoder::new().encode_into(tree, buf)
}

/// The length of `tree`'s v2 message, without writing it (one pass over the nodes); 0 for an empty
/// tree, which has none.
pub fn encoded_len(tree: &Tree) -> usize {
    if tree.is_empty() {
        return 0;
    }
    let mut usage = PrimitiveUsage::new();
    let mut body = 0usize;
    for node in tree.nodes() {
        usage.add(node.primitive().id());
        body += 1 + node.value_span().map_or(0, |(_, len)| wire::length_len(len) + len);
    }
    let coding = match usage.coding() {
        PrimitiveCoding::Identity => usage.escaped() as usize,
        PrimitiveCoding::Palette(palette) => 1 + palette.ids().len(),
    };
    1 + coding + body + wire::CRC_LEN
}

/// Decodes a v2 message with the default [`DecodeLimits`].
pub fn decode(bytes: &[u8]) -> Result<Tree, Error> {
    let mut tree = Tree::new();
    Decoder::new(DecodeLimits::DEFAULT).decode_into(bytes, &mut tree)?;
    Ok(tree)
}

/// A v2 encoder, plain ([`Encoder::new`]) or compact ([`Encoder::compact`]). A plain one
/// remembers the primitive coding of the last tree it encoded: related trees (a stream of
/// messages, the same tree again) mostly share it, and then one pass over the nodes writes the
/// message. A compact one keeps its slots of values. Encoding into a reused buffer allocates
/// nothing once warm.
#[derive(Debug)]
pub struct Encoder {
    variant: Variant,
    /// The coding of the last tree encoded (identity before the first): the guess for the next.
    last_coding: PrimitiveCoding,
    /// The compact variant's slots, kept for their allocation.
    slots: compact::Slots,
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder::with_variant(Variant::Plain)
    }
}

/// A bound on `tree`'s v2 length, from its node count and value bytes alone: per node a tag and
/// perhaps an escaped id, per value its bytes and a length of at most `1 + len / 64` bytes (two
/// for 128 or more, six for 32,768 or more); a palette of at most 31 ids.
fn length_bound(tree: &Tree) -> usize {
    let values = tree.value_buffer().len();
    1 + 1 + wire::MAX_PALETTE + 3 * tree.node_count() + values + values / 64 + wire::CRC_LEN
}

impl Encoder {
    /// A new encoder of plain messages.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// A new encoder of compact messages.
    pub fn compact() -> Encoder {
        Encoder::with_variant(Variant::Compact)
    }

    /// A new encoder of `variant` messages.
    pub fn with_variant(variant: Variant) -> Encoder {
        Encoder { variant, last_coding: PrimitiveCoding::Identity, slots: compact::Slots::default() }
    }

    /// The variant it writes.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Appends `tree` as a v2 message to `buf`; returns the message's length. On error `buf` is
    /// left as it was.
    pub fn encode_into(&mut self, tree: &Tree, buf: &mut Vec<u8>) -> Result<usize, Error> {
        if self.variant == Variant::Compact {
            return compact::encode_into(tree, buf, &mut self.slots, &mut self.last_coding);
        }
        if tree.is_empty() {
            return Err(Error::EmptyTree);
        }
        if tree.node_count() <= SMALL_TREE_NODES
            && let Some(len) = write_small(tree, buf)
        {
            self.last_coding = PrimitiveCoding::Identity;
            return Ok(len);
        }
        let start = buf.len();
        // Write with the last tree's coding while gathering this one's; if they differ (the
        // first tree that wants a palette, a different kind of tree), write again with the right
        // one. The bytes are the canonical ones either way.
        let guess = self.last_coding;
        let (written, coding) = write(tree, buf, &guess);
        self.last_coding = coding;
        let written = if coding == guess {
            written
        } else {
            buf.truncate(start);
            write(tree, buf, &coding).0
        };
        written.inspect_err(|_| buf.truncate(start)).map_err(Error::from)
    }
}

/// Trees of at most this many nodes try [`write_small`] first.
pub(crate) const SMALL_TREE_NODES: usize = 64;

/// Writes a small tree straight into `buf`, if none of its primitives needs an escape and none of
/// its values is 128 bytes or longer: then no palette can pay, so the coding is identity, and each
/// node is its tag, a one-byte length and its value. `None` (and `buf` as it was) otherwise. The
/// same bytes as [`write`], without its per-message setup (the code table, the sized buffer, the
/// usage sets), which dominates on the trees the reference encodes one at a time.
#[inline]
fn write_small(tree: &Tree, buf: &mut Vec<u8>) -> Option<usize> {
    let start = buf.len();
    buf.reserve(1 + 2 * tree.node_count() + tree.value_buffer().len() + wire::CRC_LEN);
    buf.push(wire::FORMAT_BYTE);
    for node in tree.nodes() {
        let id = node.primitive().id();
        let value = node.value_bytes();
        if id >= wire::ESCAPE || value.is_some_and(|v| v.len() >= wire::SHORT_LENGTH_LIMIT) {
            buf.truncate(start);
            return None;
        }
        let tag = id
            | if node.has_children() { wire::HAS_CHILDREN } else { 0 }
            | if node.is_last_sibling() { wire::LAST_SIBLING } else { 0 };
        match value {
            Some(value) => {
                buf.extend_from_slice(&[tag | wire::HAS_VALUE, value.len() as u8]);
                buf.extend_from_slice(value);
            }
            None => buf.push(tag),
        }
    }
    let crc = wire::crc32c(buf.get(start..).unwrap_or_default());
    buf.extend_from_slice(&crc.to_be_bytes());
    Some(buf.len() - start)
}

/// Writes `tree` with `coding`; returns the length (or the error) and the canonical coding of
/// the tree (which the bytes are in only if it is `coding`).
fn write(
    tree: &Tree,
    buf: &mut Vec<u8>,
    coding: &PrimitiveCoding,
) -> (Result<usize, sigma_glyph::Error>, PrimitiveCoding) {
    let values = tree.value_buffer().as_bytes();
    let mut writer = SizedWriter::new(buf, coding, length_bound(tree));
    let written = writer.nodes(tree.nodes().map(|node| NodeSpec {
        primitive: node.primitive(),
        // The value and whatever follows it in the tree's buffer, for chunked copies.
        value: node.value_span().map(|(at, len)| {
            debug_assert!(at + len <= values.len(), "a value span lies in the tree's buffer");
            ValueRef { bytes: values.get(at..).unwrap_or_default(), len }
        }),
        has_children: node.has_children(),
        last_sibling: node.is_last_sibling(),
    }));
    let canonical = writer.canonical_coding();
    (written.and_then(|()| writer.finish()), canonical)
}

/// A v2 decoder with its limits, keeping its scratch space between calls. It reads both
/// variants.
#[derive(Debug)]
pub struct Decoder {
    limits: DecodeLimits,
    /// The tree builder's open-node stack, kept for reuse.
    builder_stack: BuilderStack,
    /// The compact variant's slots, kept for their allocation.
    slots: compact::Slots,
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new(DecodeLimits::DEFAULT)
    }
}

impl Decoder {
    /// A decoder with these limits.
    pub fn new(limits: DecodeLimits) -> Decoder {
        Decoder { limits, builder_stack: BuilderStack::default(), slots: compact::Slots::default() }
    }

    /// The limits.
    pub fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Decodes `bytes` into `tree`, reusing its allocations. On error `tree` is left empty.
    pub fn decode_into(&mut self, bytes: &[u8], tree: &mut Tree) -> Result<(), Error> {
        let mut builder = RawBuilder::reuse(std::mem::take(tree), std::mem::take(&mut self.builder_stack));
        let compact = is_compact(bytes);
        let run = if compact {
            self.limits
                .check(Limit::Bytes, bytes.len() as u64, 0)
                .and_then(|()| compact::decode(bytes, &mut builder, &self.limits, &mut self.slots))
        } else {
            self.run(bytes, &mut builder)
        };
        if let Err(e) = run {
            let (mut partial, stack) = builder.into_parts();
            partial.clear();
            *tree = partial;
            self.builder_stack = stack;
            return Err(e);
        }
        // Values were copied unchecked; `finish_into` checks all their UTF-8 at once.
        match builder.finish_into(tree, &mut self.builder_stack) {
            Ok(()) => Ok(()),
            Err(sigma_tree::Error::InvalidUtf8 { node, valid_up_to }) => {
                // The message decoded once up to its values' UTF-8, so node `node` is there.
                let at = if compact {
                    compact::value_offset(bytes, node, valid_up_to)
                } else {
                    value_offset(bytes, node).map(|at| at + valid_up_to)
                };
                debug_assert!(at.is_some(), "node {node} of a message that decoded");
                Err(Error::Glyph(sigma_glyph::Error::InvalidUtf8 { offset: at.unwrap_or(0) }))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn run(&mut self, bytes: &[u8], builder: &mut RawBuilder) -> Result<(), Error> {
        let limits = self.limits;
        limits.check(Limit::Bytes, bytes.len() as u64, 0)?;
        let mut reader = Reader::new(bytes)?;
        // Every node takes a byte of the message, and a value no more than the message: when the
        // limits are at least the message's length, no node can exceed them.
        let len = bytes.len() as u64;
        let check_each = limits.max_nodes < len || limits.max_depth < len || limits.max_value_bytes < len;
        let mut usage = CodeUsage::new();
        let mut nodes = 0u64;
        loop {
            if reader.at_end() {
                if nodes == 0 {
                    return Err(Error::NoGlyphs { offset: reader.offset() });
                }
                return Err(Error::UnclosedComposite { offset: reader.offset(), open: builder.open_count() });
            }
            let node = reader.next_raw()?;
            nodes += 1;
            if check_each {
                limits.check(Limit::Nodes, nodes, node.offset)?;
                let depth = builder.open_count() as u64 + 1;
                limits.check(Limit::Depth, depth, node.offset)?;
                if let Some(value) = node.value {
                    limits.check(Limit::ValueBytes, value.len() as u64, node.offset)?;
                }
            }
            let value = node.value.map(|value| {
                // The value and what follows it, for the builder's chunked copy.
                let bytes = bytes.get(node.value_offset..).unwrap_or(value);
                ValueBytes { bytes, len: value.len() }
            });
            if nodes == 1 && node.last_sibling {
                return Err(Error::NonCanonicalRoot { offset: node.offset });
            }
            usage.add(node.code, node.primitive.id());
            if builder.preorder_node(node.primitive, value, node.has_children, node.last_sibling)? {
                break;
            }
        }
        if !reader.at_end() {
            return Err(Error::ExtraTree { offset: reader.offset() });
        }
        check_coding(&usage, reader.palette())
    }
}

/// Whether `bytes` start with a compact v2 format byte.
#[inline]
pub(crate) fn is_compact(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|&b| b & 0xF0 == wire::FORMAT_BYTE && b & wire::compact::COMPACT_FLAG != 0)
}

/// Checks that a message whose nodes used `usage`, with `palette` (empty: none), has its tree's
/// one canonical primitive coding.
#[inline]
fn check_coding(usage: &CodeUsage, palette: &[u8]) -> Result<(), Error> {
    // Without a palette and without ids of 31 or more, identity is the only coding: the
    // common case for small non-JSON trees, checked without building the set.
    if palette.is_empty() && usage.high_ids() == 0 {
        return Ok(());
    }
    let expected = usage.coding(palette);
    let canonical = match &expected {
        PrimitiveCoding::Identity => palette.is_empty(),
        PrimitiveCoding::Palette(expected) => palette == expected.ids(),
    };
    if !canonical {
        let reason = match expected {
            PrimitiveCoding::Identity => "this tree is smaller without a palette",
            PrimitiveCoding::Palette(_) if !palette.is_empty() => {
                "the palette must list exactly the primitives the tree uses"
            }
            PrimitiveCoding::Palette(_) => "this tree is smaller with a palette",
        };
        return Err(Error::NonCanonicalCoding { offset: 0, reason });
    }
    Ok(())
}

/// Offset in `bytes` (a message that decoded up to its values' UTF-8) of node `index`'s value:
/// found again on the error path only.
#[cold]
fn value_offset(bytes: &[u8], index: usize) -> Option<usize> {
    let mut reader = Reader::new(bytes).ok()?;
    for _ in 0..index {
        reader.next_raw().ok()?;
    }
    reader.next_raw().ok().map(|node| node.value_offset)
}
