//! Format v2: trees to our glyph messages and back (docs/FORMAT.md, "Format v2").
//!
//! No limit below 2^32 on nodes, value length or depth; no ambiguity; smaller than v1 for every
//! tree v1 holds; a CRC-32C over the whole message; decoding bounded by [`DecodeLimits`].
//! [`Encoder`] and [`Decoder`] keep their scratch space between calls, so encoding into a reused
//! buffer and decoding into a reused tree allocate nothing once warm.

use sigma_glyph::v2::{self as wire, PrimitiveCoding, Reader, Writer};
use sigma_primitives::PrimitiveSet;
use sigma_tree::{Tree, TreeBuilder};

use crate::{DecodeLimits, Error, Limit};

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

/// Decodes a v2 message with the default [`DecodeLimits`].
pub fn decode(bytes: &[u8]) -> Result<Tree, Error> {
    let mut tree = Tree::new();
    Decoder::new(DecodeLimits::DEFAULT).decode_into(bytes, &mut tree)?;
    Ok(tree)
}

/// A v2 encoder that keeps its scratch stack between calls.
#[derive(Debug, Default)]
pub struct Encoder {
    /// End index of each open composite, outermost first.
    ends: Vec<usize>,
}

/// What one pass over the nodes tells the encoder: the primitive coding and the exact size.
struct Plan {
    coding: PrimitiveCoding,
    len: usize,
}

fn plan(tree: &Tree) -> Plan {
    let mut used = PrimitiveSet::new();
    let mut escaped = 0u64;
    let mut body = 0usize;
    for node in tree.nodes() {
        let primitive = node.primitive();
        used.insert(primitive);
        escaped += u64::from(primitive.id() >= wire::ESCAPE);
        body += 1 + node.value().map_or(0, |v| wire::length_len(v.len()) + v.len());
    }
    let coding = wire::choose_coding(&used, escaped);
    let coding_len = match &coding {
        PrimitiveCoding::Identity => escaped as usize,
        PrimitiveCoding::Palette(palette) => 1 + palette.ids().len(),
    };
    Plan { coding, len: 1 + coding_len + body + wire::CRC_LEN }
}

impl Encoder {
    /// A new encoder.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// Appends `tree` as a v2 message to `buf`; returns the message's length. On error `buf` is
    /// left as it was.
    pub fn encode_into(&mut self, tree: &Tree, buf: &mut Vec<u8>) -> Result<usize, Error> {
        if tree.is_empty() {
            return Err(Error::EmptyTree);
        }
        let plan = plan(tree);
        buf.reserve(plan.len);
        let start = buf.len();
        let mut writer = Writer::new(buf, &plan.coding);
        self.ends.clear();
        for node in tree.nodes() {
            let index = node.index();
            while self.ends.last().is_some_and(|&end| end <= index) {
                self.ends.pop();
            }
            let end = index + node.subtree_size();
            let last_sibling = self.ends.last() == Some(&end);
            if node.has_children() {
                self.ends.push(end);
            }
            let value = node.value().map(str::as_bytes);
            if let Err(e) = writer.node(node.primitive(), value, node.has_children(), last_sibling) {
                buf.truncate(start);
                return Err(e.into());
            }
        }
        Ok(writer.finish())
    }
}

/// A v2 decoder with its limits, keeping its scratch space between calls.
#[derive(Debug)]
pub struct Decoder {
    limits: DecodeLimits,
    /// For each open composite, whether it is its parent's last child.
    open_last: Vec<bool>,
    /// The tree builder's open-node stack, kept for reuse.
    builder_stack: Vec<u32>,
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new(DecodeLimits::DEFAULT)
    }
}

impl Decoder {
    /// A decoder with these limits.
    pub fn new(limits: DecodeLimits) -> Decoder {
        Decoder { limits, open_last: Vec::new(), builder_stack: Vec::new() }
    }

    /// The limits.
    pub fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Decodes `bytes` into `tree`, reusing its allocations. On error `tree` is left empty.
    pub fn decode_into(&mut self, bytes: &[u8], tree: &mut Tree) -> Result<(), Error> {
        let mut builder =
            TreeBuilder::reuse_parts(std::mem::take(tree), std::mem::take(&mut self.builder_stack));
        let result = self.run(bytes, &mut builder);
        // `run` succeeds only once the root is closed, so the builder holds a complete tree.
        let (mut decoded, stack) = builder.into_parts();
        self.builder_stack = stack;
        if result.is_err() {
            decoded.clear();
        }
        *tree = decoded;
        result
    }

    fn run(&mut self, bytes: &[u8], builder: &mut TreeBuilder) -> Result<(), Error> {
        let limits = self.limits;
        limits.check(Limit::Bytes, bytes.len() as u64, 0)?;
        let mut reader = Reader::new(bytes)?;
        self.open_last.clear();
        let mut used = PrimitiveSet::new();
        let mut escaped = 0u64;
        let mut nodes = 0u64;
        loop {
            if reader.at_end() {
                if nodes == 0 {
                    return Err(Error::NoGlyphs { offset: reader.offset() });
                }
                return Err(Error::UnclosedComposite { offset: reader.offset(), open: self.open_last.len() });
            }
            let node = reader.next_node()?;
            nodes += 1;
            limits.check(Limit::Nodes, nodes, node.offset)?;
            let depth = self.open_last.len() as u64 + 1;
            limits.check(Limit::Depth, depth, node.offset)?;
            if let Some(value) = node.value {
                limits.check(Limit::ValueBytes, value.len() as u64, node.offset)?;
            }
            if nodes == 1 && node.last_sibling {
                return Err(Error::NonCanonicalRoot { offset: node.offset });
            }
            used.insert(node.primitive);
            escaped += u64::from(node.primitive.id() >= wire::ESCAPE);
            if node.has_children {
                builder.open(node.primitive, node.value)?;
                self.open_last.push(node.last_sibling);
                continue;
            }
            builder.leaf(node.primitive, node.value)?;
            let mut closes_parent = node.last_sibling;
            while closes_parent {
                builder.close()?;
                closes_parent = self.open_last.pop().unwrap_or(false);
            }
            if self.open_last.is_empty() {
                break;
            }
        }
        if !reader.at_end() {
            return Err(Error::ExtraTree { offset: reader.offset() });
        }
        let expected = wire::choose_coding(&used, escaped);
        let canonical = match &expected {
            PrimitiveCoding::Identity => !reader.has_palette(),
            PrimitiveCoding::Palette(palette) => reader.palette() == palette.ids(),
        };
        if !canonical {
            let reason = match expected {
                PrimitiveCoding::Identity => "this tree is smaller without a palette",
                PrimitiveCoding::Palette(_) if reader.has_palette() => {
                    "the palette must list exactly the primitives the tree uses"
                }
                PrimitiveCoding::Palette(_) => "this tree is smaller with a palette",
            };
            return Err(Error::NonCanonicalCoding { offset: 0, reason });
        }
        Ok(())
    }
}
