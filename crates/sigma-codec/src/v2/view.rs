//! Lazy trees: a v2 message checked in full but not copied ([`ViewDecoder`], [`View`]).

use sigma_glyph::v2::{CodeUsage, Reader};
use sigma_primitives::Primitive;
use sigma_tree::{Tree, TreeBuilder};

use super::{Decoder, check_coding};
use crate::{DecodeLimits, Error, Limit};

/// One node of a view: 16 bytes, as a tree's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Record {
    /// Where the value starts: in the message, or (for a compact message) in the decoder's tree.
    value_start: u32,
    value_len: u32,
    /// Nodes in the subtree, itself included.
    size: u32,
    primitive: u8,
    flags: u8,
}

const HAS_VALUE: u8 = 1;
const LAST_SIBLING: u8 = 2;
const HAS_CHILDREN: u8 = 4;

/// Decodes v2 messages into [`View`]s, keeping its buffers between calls: decoding a plain
/// message allocates nothing once they have grown.
///
/// Decoding to a [`Tree`] copies every value into the tree's own buffer. A [`View`] instead keeps
/// one 16-byte record per node (its primitive, flags, subtree size and where its value lies) and
/// borrows the values from the message itself: the message must outlive the view, and nothing is
/// copied. Every check a tree decode makes is made first (length, CRC, structure, canonical
/// coding, the limits, each value's UTF-8), so a view only ever shows a message that decodes.
///
/// Compact messages hold some values only by reference, prefix or packed digits; their views show
/// the values of a tree decoded within the [`ViewDecoder`] (so they cost a tree decode).
///
/// ```
/// use sigma_codec::{Tree, v2};
///
/// let tree = Tree::from_json_document(r#"{"name": "Ada", "born": 1815}"#)?;
/// let bytes = v2::encode(&tree)?;
/// let mut decoder = v2::ViewDecoder::default();
/// let view = decoder.decode(&bytes)?;
/// let root = view.root().expect("a message has a root");
/// let keys: Vec<&str> = root.children().filter_map(|member| member.value()).collect();
/// assert_eq!(keys, ["name", "born"]);
/// assert_eq!(view.to_tree(), tree);
/// # Ok::<(), sigma_codec::Error>(())
/// ```
#[derive(Debug)]
pub struct ViewDecoder {
    limits: DecodeLimits,
    records: Vec<Record>,
    /// Open nodes: each one's index.
    open: Vec<u32>,
    /// For compact messages: a tree decoder and the tree it decodes into.
    tree_decoder: Decoder,
    tree: Tree,
}

impl Default for ViewDecoder {
    fn default() -> ViewDecoder {
        ViewDecoder::new(DecodeLimits::DEFAULT)
    }
}

impl ViewDecoder {
    /// A view decoder with these limits.
    pub fn new(limits: DecodeLimits) -> ViewDecoder {
        ViewDecoder {
            limits,
            records: Vec::new(),
            open: Vec::new(),
            tree_decoder: Decoder::new(limits),
            tree: Tree::new(),
        }
    }

    /// Checks `message` as [`Decoder::decode_into`] does and returns a view of its tree whose
    /// values are borrowed from `message` (from this decoder, for a compact message).
    pub fn decode<'v>(&'v mut self, message: &'v [u8]) -> Result<View<'v>, Error> {
        self.records.clear();
        self.open.clear();
        if super::is_compact(message) {
            self.tree_decoder.decode_into(message, &mut self.tree)?;
            self.records.extend(self.tree.nodes().map(|node| {
                let (value_start, value_len) = node.value_span().unwrap_or((0, 0));
                Record {
                    value_start: value_start as u32,
                    value_len: value_len as u32,
                    size: node.subtree_size() as u32,
                    primitive: node.primitive().id(),
                    flags: flags(node.has_value(), node.is_last_sibling(), node.has_children()),
                }
            }));
            return Ok(View { values: self.tree.value_buffer().as_bytes(), records: &self.records });
        }
        if let Err(e) = self.run(message) {
            self.records.clear();
            return Err(e);
        }
        Ok(View { values: message, records: &self.records })
    }

    fn run(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let limits = self.limits;
        limits.check(Limit::Bytes, bytes.len() as u64, 0)?;
        // Records hold value offsets as `u32`, as trees do.
        if bytes.len() as u64 > sigma_tree::MAX_VALUE_BYTES {
            return Err(sigma_tree::Error::ValuesTooLarge { limit: sigma_tree::MAX_VALUE_BYTES }.into());
        }
        let mut reader = Reader::new(bytes)?;
        let len = bytes.len() as u64;
        let check_each = limits.max_nodes < len || limits.max_depth < len || limits.max_value_bytes < len;
        let mut usage = CodeUsage::new();
        let mut bad_utf8 = None;
        loop {
            if reader.at_end() {
                if self.records.is_empty() {
                    return Err(Error::NoGlyphs { offset: reader.offset() });
                }
                return Err(Error::UnclosedComposite { offset: reader.offset(), open: self.open.len() });
            }
            let node = reader.next_raw()?;
            let index = self.records.len();
            if check_each {
                limits.check(Limit::Nodes, index as u64 + 1, node.offset)?;
                limits.check(Limit::Depth, self.open.len() as u64 + 1, node.offset)?;
                if let Some(value) = node.value {
                    limits.check(Limit::ValueBytes, value.len() as u64, node.offset)?;
                }
            }
            if index == 0 && node.last_sibling {
                return Err(Error::NonCanonicalRoot { offset: node.offset });
            }
            let index = u32::try_from(index)
                .map_err(|_| Error::from(sigma_tree::Error::TooManyNodes { limit: sigma_tree::MAX_NODES }))?;
            if let Some(value) = node.value
                && bad_utf8.is_none()
                && !is_utf8(value)
            {
                // Reported once the structure is known good, as a tree decode reports it.
                let valid_up_to = std::str::from_utf8(value).err().map_or(0, |e| e.valid_up_to());
                bad_utf8 = Some(node.value_offset + valid_up_to);
            }
            usage.add(node.code, node.primitive.id());
            self.records.push(Record {
                value_start: node.value_offset as u32,
                value_len: node.value.map_or(0, |v| v.len() as u32),
                size: 1,
                primitive: node.primitive.id(),
                flags: flags(node.value.is_some(), node.last_sibling, node.has_children),
            });
            if node.has_children {
                self.open.push(index);
                continue;
            }
            // A last child closes its parent, and that one its own if it was a last child too.
            let mut closes = node.last_sibling;
            while closes {
                let Some(parent) = self.open.pop() else { break };
                let end = self.records.len() as u32;
                let Some(record) = self.records.get_mut(parent as usize) else { break };
                record.size = end - parent;
                closes = record.flags & LAST_SIBLING != 0;
            }
            if self.open.is_empty() {
                break;
            }
        }
        if !reader.at_end() {
            return Err(Error::ExtraTree { offset: reader.offset() });
        }
        check_coding(&usage, reader.palette())?;
        match bad_utf8 {
            Some(offset) => Err(sigma_glyph::Error::InvalidUtf8 { offset }.into()),
            None => Ok(()),
        }
    }
}

fn flags(has_value: bool, last_sibling: bool, has_children: bool) -> u8 {
    (if has_value { HAS_VALUE } else { 0 })
        | (if last_sibling { LAST_SIBLING } else { 0 })
        | (if has_children { HAS_CHILDREN } else { 0 })
}

/// Whether `bytes` are UTF-8: ASCII eight bytes at a time, anything else by the standard library.
#[inline]
fn is_utf8(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut high = 0u64;
    for word in &mut words {
        high |= u64::from_le_bytes(word.try_into().unwrap_or([0xFF; 8]));
    }
    for &byte in words.remainder() {
        high |= u64::from(byte);
    }
    high & 0x8080_8080_8080_8080 == 0 || std::str::from_utf8(bytes).is_ok()
}

/// A checked v2 message's tree, its values borrowed ([`ViewDecoder`]). Walk it as a [`Tree`]
/// (pre-order indices, [`View::root`], [`ViewNode::children`]) or make it one ([`View::to_tree`]).
#[derive(Clone, Copy, Debug)]
pub struct View<'v> {
    /// Where the value spans point: the message, or the decoder's tree's values.
    values: &'v [u8],
    records: &'v [Record],
}

impl<'v> View<'v> {
    /// The number of nodes (at least 1).
    pub fn node_count(&self) -> usize {
        self.records.len()
    }

    /// The root.
    pub fn root(&self) -> Option<ViewNode<'v>> {
        self.node(0)
    }

    /// The node with pre-order index `index`, if there is one.
    pub fn node(&self, index: usize) -> Option<ViewNode<'v>> {
        let record = *self.records.get(index)?;
        Some(ViewNode { view: *self, index, record })
    }

    /// Every node in pre-order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = ViewNode<'v>> + 'v {
        let view = *self;
        self.records.iter().enumerate().map(move |(index, &record)| ViewNode { view, index, record })
    }

    /// The same tree, its values copied into a [`Tree`].
    pub fn to_tree(&self) -> Tree {
        let mut builder = TreeBuilder::new();
        for node in self.nodes() {
            let added = builder.sized(node.primitive(), node.value(), node.subtree_size());
            debug_assert!(added.is_ok(), "a checked message's sizes nest: {added:?}");
        }
        let tree = builder.finish();
        debug_assert!(tree.is_ok(), "a checked message is one tree: {tree:?}");
        tree.unwrap_or_default()
    }
}

/// One node of a [`View`].
#[derive(Clone, Copy, Debug)]
pub struct ViewNode<'v> {
    view: View<'v>,
    index: usize,
    record: Record,
}

impl<'v> ViewNode<'v> {
    /// The node's pre-order index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The primitive.
    pub fn primitive(&self) -> Primitive {
        Primitive::new(self.record.primitive)
    }

    /// The value's bytes (checked to be UTF-8 when the view was made), if it has one.
    pub fn value_bytes(&self) -> Option<&'v [u8]> {
        if self.record.flags & HAS_VALUE == 0 {
            return None;
        }
        let start = self.record.value_start as usize;
        self.view.values.get(start..start + self.record.value_len as usize)
    }

    /// The value, if it has one.
    pub fn value(&self) -> Option<&'v str> {
        let bytes = self.value_bytes()?;
        let text = std::str::from_utf8(bytes);
        debug_assert!(text.is_ok(), "a view's values were checked");
        text.ok()
    }

    /// Nodes in its subtree, itself included.
    pub fn subtree_size(&self) -> usize {
        self.record.size as usize
    }

    /// Whether children follow it.
    pub fn has_children(&self) -> bool {
        self.record.flags & HAS_CHILDREN != 0
    }

    /// Whether it is its parent's last child (never the root).
    pub fn is_last_sibling(&self) -> bool {
        self.record.flags & LAST_SIBLING != 0
    }

    /// Its children, in order.
    pub fn children(&self) -> impl Iterator<Item = ViewNode<'v>> + 'v {
        let view = self.view;
        let end = self.index + self.subtree_size();
        let mut next = self.index + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let child = view.node(next)?;
            next += child.subtree_size();
            Some(child)
        })
    }
}
