//! `TreeBuilder`: the one way to fill a `Tree`, node by node in pre-order.

use sigma_primitives::Primitive;

use crate::Error;
use crate::tree::{Node, Tree};

/// Builds a [`Tree`] in pre-order: [`open`](TreeBuilder::open) a node, add its children,
/// [`close`](TreeBuilder::close) it; [`leaf`](TreeBuilder::leaf) is open-and-close.
///
/// The builder keeps a stack of open nodes (a `Vec`, never the call stack), so any depth is fine.
/// Decoders fill trees through [`RawBuilder`](crate::raw::RawBuilder), which reuses an old
/// tree's allocations and takes values as unchecked bytes.
///
/// ```
/// use sigma_primitives::Primitive;
/// use sigma_tree::TreeBuilder;
///
/// let mut b = TreeBuilder::new();
/// b.open(Primitive::FUNCTION, Some("calculate"))?;
/// b.open(Primitive::PARAMETER, Some("x"))?;
/// b.leaf(Primitive::VARIABLE, Some("result"))?;
/// b.close()?;
/// b.leaf(Primitive::PARAMETER, Some("y"))?;
/// b.close()?;
/// let tree = b.finish()?;
/// assert_eq!(tree.to_string(), r#"FUNCTION "calculate" [PARAMETER "x" [VARIABLE "result"], PARAMETER "y"]"#);
/// # Ok::<(), sigma_tree::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct TreeBuilder {
    /// The nodes so far.
    nodes: Vec<Node>,
    /// Every value's bytes so far. Valid UTF-8 at every value span once [`TreeBuilder::finish`]
    /// has checked it: values given as `&str` are valid already, values given as bytes
    /// ([`RawBuilder::preorder_node`](crate::raw::RawBuilder::preorder_node)) are checked all at
    /// once there.
    values: Vec<u8>,
    /// The open nodes, outermost first.
    open: BuilderStack,
    /// Whether any value was given as bytes (so `finish` must check them).
    unchecked: bool,
    /// Whether a value given as bytes starts with a UTF-8 continuation byte (so it cannot be
    /// UTF-8 on its own, even if all the bytes together are).
    split_char: bool,
}

/// A value given as bytes that should be UTF-8
/// ([`RawBuilder::preorder_node`](crate::raw::RawBuilder::preorder_node)): `bytes[..len]`.
/// `bytes` may run on past the value (to the end of the message it was read from, say): the
/// builder then copies short values as one fixed-size chunk, much cheaper than a `memcpy` call.
#[derive(Clone, Copy, Debug)]
pub struct ValueBytes<'a> {
    /// The value's bytes, and perhaps bytes after them.
    pub bytes: &'a [u8],
    /// The value's length.
    pub len: usize,
}

impl<'a> ValueBytes<'a> {
    /// Exactly `value`, nothing after it.
    pub fn exact(value: &'a [u8]) -> ValueBytes<'a> {
        ValueBytes { bytes: value, len: value.len() }
    }
}

/// Values of at most this many bytes are copied as one chunk of this size.
const CHUNK: usize = 32;

/// The open-node stack of a [`TreeBuilder`], kept apart so a decoder can reuse its allocation
/// from one tree to the next ([`RawBuilder::reuse`](crate::raw::RawBuilder::reuse),
/// [`RawBuilder::into_parts`](crate::raw::RawBuilder::into_parts)).
#[derive(Clone, Debug, Default)]
pub struct BuilderStack(Vec<Open>);

/// An open node: its index and its latest child so far.
#[derive(Clone, Copy, Debug)]
struct Open {
    index: u32,
    /// `NO_CHILD` until the first child is added.
    latest_child: u32,
    /// The index past its subtree, for a node added with its size (`sized`); `NO_END` otherwise.
    end: u32,
    /// Whether it is its parent's last child (`preorder_node` only).
    last_sibling: bool,
}

const NO_CHILD: u32 = u32::MAX;
const NO_END: u32 = u32::MAX;

/// Node indices are `u32`; this many nodes is the most a tree holds.
pub const MAX_NODES: u64 = u32::MAX as u64;
/// Value offsets are `u32`; this many value bytes in all is the most a tree holds.
pub const MAX_VALUE_BYTES: u64 = u32::MAX as u64;

impl TreeBuilder {
    /// A builder for a new tree.
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// A builder with room for `nodes` nodes and `value_bytes` bytes of values.
    pub fn with_capacity(nodes: usize, value_bytes: usize) -> TreeBuilder {
        TreeBuilder {
            nodes: Vec::with_capacity(nodes),
            values: Vec::with_capacity(value_bytes),
            ..TreeBuilder::default()
        }
    }

    /// A builder that refills `tree` and reuses `stack` for its open nodes: no allocation once
    /// both have grown large enough (finish with [`TreeBuilder::finish_into`]).
    #[inline]
    pub fn reuse(tree: Tree, stack: BuilderStack) -> TreeBuilder {
        TreeBuilder::reuse_parts(tree, stack)
    }

    #[inline]
    pub(crate) fn reuse_parts(tree: Tree, mut stack: BuilderStack) -> TreeBuilder {
        let Tree { mut nodes, values } = tree;
        nodes.clear();
        let mut values = values.into_bytes();
        values.clear();
        stack.0.clear();
        TreeBuilder { nodes, values, open: stack, unchecked: false, split_char: false }
    }

    /// The tree so far and the open-node stack, for reuse after an error. The tree may be
    /// incomplete, and loses its values if any given as bytes are not UTF-8.
    pub(crate) fn into_parts(self) -> (Tree, BuilderStack) {
        let TreeBuilder { nodes, values, open, .. } = self;
        let values = String::from_utf8(values).unwrap_or_else(|e| {
            let mut bytes = e.into_bytes();
            bytes.clear();
            String::from_utf8(bytes).unwrap_or_default()
        });
        (Tree { nodes, values }, open)
    }

    /// Nodes added so far.
    #[inline]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes open now: the depth at which the next node would go.
    #[inline]
    pub fn open_count(&self) -> usize {
        self.open.0.len()
    }

    /// Index of the innermost open node, if any.
    pub(crate) fn innermost_open(&self) -> Option<usize> {
        self.open.0.last().map(|o| o.index as usize)
    }

    #[inline(always)]
    fn push(&mut self, primitive: Primitive, value: Option<ValueBytes<'_>>) -> Result<u32, Error> {
        let span = match value {
            Some(value) => Some(self.append_value(value)?),
            None => None,
        };
        self.push_span(primitive, span)
    }

    /// Adds a node whose value (if any) is already in the buffer at `span`.
    #[inline(always)]
    fn push_span(&mut self, primitive: Primitive, span: Option<(u32, u32)>) -> Result<u32, Error> {
        let index = self.nodes.len();
        let index = u32::try_from(index).map_err(|_| Error::TooManyNodes { limit: MAX_NODES })?;
        if index == u32::MAX {
            return Err(Error::TooManyNodes { limit: MAX_NODES });
        }
        match self.open.0.last_mut() {
            Some(parent) => parent.latest_child = index,
            None if index > 0 => return Err(Error::SecondRoot),
            None => {}
        }
        let (value_start, value_len) = span.unwrap_or((0, 0));
        self.nodes.push(Node {
            value_start,
            value_len,
            size: 1,
            primitive: primitive.id(),
            flags: if span.is_some() { Node::HAS_VALUE } else { 0 },
        });
        Ok(index)
    }

    #[inline(always)]
    fn append_value(&mut self, value: ValueBytes<'_>) -> Result<(u32, u32), Error> {
        let start = self.values.len();
        let len = value.len;
        match start.checked_add(len) {
            Some(end) if end as u64 <= MAX_VALUE_BYTES => {}
            _ => return Err(Error::ValuesTooLarge { limit: MAX_VALUE_BYTES }),
        }
        let chunk: Option<&[u8; CHUNK]> = value.bytes.get(..CHUNK).and_then(|c| c.try_into().ok());
        match chunk {
            Some(chunk) if len <= CHUNK => {
                self.values.extend_from_slice(chunk);
                self.values.truncate(start + len);
            }
            _ => self.values.extend_from_slice(value.bytes.get(..len).unwrap_or_default()),
        }
        if self.values.len() != start + len {
            // `bytes` was shorter than `len`: the caller's mistake, not a wrong tree.
            self.values.truncate(start);
            return Err(Error::ValueShorterThanLength { len, available: value.bytes.len() });
        }
        Ok((start as u32, len as u32))
    }

    /// Adds a node and makes it the parent of what follows, until [`TreeBuilder::close`].
    /// Returns its index.
    #[inline]
    pub fn open(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        let index = self.push(primitive, value.map(|v| ValueBytes::exact(v.as_bytes())))?;
        self.push_open(index, false);
        Ok(index as usize)
    }

    /// Adds a node without children. Returns its index.
    #[inline]
    pub fn leaf(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        self.push(primitive, value.map(|v| ValueBytes::exact(v.as_bytes()))).map(|index| index as usize)
    }

    /// Makes node `index` the innermost open node.
    #[inline]
    fn push_open(&mut self, index: u32, last_sibling: bool) {
        self.open.0.push(Open { index, latest_child: NO_CHILD, end: NO_END, last_sibling });
    }

    /// Completes `open`'s subtree: its size, and the last-sibling flag of its latest child.
    #[inline]
    fn complete(&mut self, open: Open) {
        let size = self.nodes.len() - open.index as usize;
        if let Some(node) = self.nodes.get_mut(open.index as usize) {
            node.size = size as u32;
        }
        if let Some(child) = self.nodes.get_mut(open.latest_child as usize) {
            child.flags |= Node::LAST_SIBLING;
        }
    }

    #[inline]
    fn note_unchecked(&mut self, value: Option<ValueBytes<'_>>) {
        if let Some(value) = value {
            self.unchecked = true;
            let first = if value.len > 0 { value.bytes.first().copied().unwrap_or(0) } else { 0 };
            self.split_char |= first & 0xC0 == 0x80;
        }
    }

    /// [`RawBuilder::preorder_node`](crate::raw::RawBuilder::preorder_node): one call per node
    /// instead of open/leaf/close and a stack of the caller's own, the decoders' fast path.
    #[inline]
    pub(crate) fn preorder_node(
        &mut self,
        primitive: Primitive,
        value: Option<ValueBytes<'_>>,
        has_children: bool,
        last_sibling: bool,
    ) -> Result<bool, Error> {
        self.note_unchecked(value);
        let index = self.push(primitive, value)?;
        Ok(self.after_preorder_node(index, has_children, last_sibling))
    }

    /// Opens node `index` if it has children, else closes what its being a last child closes;
    /// returns whether the tree is complete.
    #[inline(always)]
    fn after_preorder_node(&mut self, index: u32, has_children: bool, last_sibling: bool) -> bool {
        if has_children {
            self.push_open(index, last_sibling);
            return false;
        }
        let mut closes_parent = last_sibling;
        while closes_parent {
            let Some(open) = self.open.0.pop() else { break };
            self.complete(open);
            closes_parent = open.last_sibling;
        }
        self.open.0.is_empty()
    }

    /// [`RawBuilder::preorder_node_written`](crate::raw::RawBuilder::preorder_node_written).
    #[inline]
    pub(crate) fn preorder_node_written(
        &mut self,
        primitive: Primitive,
        len: usize,
        write: impl FnOnce(&mut Vec<u8>),
        has_children: bool,
        last_sibling: bool,
    ) -> Result<bool, Error> {
        let start = self.values.len();
        match start.checked_add(len) {
            Some(end) if end as u64 <= MAX_VALUE_BYTES => {}
            _ => return Err(Error::ValuesTooLarge { limit: MAX_VALUE_BYTES }),
        }
        write(&mut self.values);
        if self.values.len() != start + len {
            let available = self.values.len().saturating_sub(start);
            self.values.truncate(start);
            return Err(Error::ValueShorterThanLength { len, available });
        }
        self.unchecked = true;
        if len > 0 {
            self.split_char |= self.values.get(start).is_some_and(|&b| b & 0xC0 == 0x80);
        }
        let index = self.push_span(primitive, Some((start as u32, len as u32)))?;
        Ok(self.after_preorder_node(index, has_children, last_sibling))
    }

    /// Every value byte added so far, not yet checked to be UTF-8.
    #[inline]
    pub(crate) fn value_bytes(&self) -> &[u8] {
        &self.values
    }

    /// Adds a node whose subtree size is known, as pre-order listings with sizes give them (a
    /// codebook pattern, a copy of another tree's subtree): a size of 1 is a leaf; a larger one
    /// opens the node, which closes itself once its subtree has that many nodes. Returns its
    /// index. A size of 0, or one that runs past the subtree of the innermost node added this
    /// way, is [`Error::SubtreeSize`].
    pub fn sized(&mut self, primitive: Primitive, value: Option<&str>, size: usize) -> Result<usize, Error> {
        let index = self.nodes.len();
        let room = match self.open.0.last() {
            Some(open) if open.end != NO_END => open.end as usize - index,
            _ => usize::MAX,
        };
        if size == 0 || size > room {
            return Err(Error::SubtreeSize { node: index, size, room });
        }
        let end = u32::try_from(index + size).map_err(|_| Error::TooManyNodes { limit: MAX_NODES })?;
        let index = self.push(primitive, value.map(|v| ValueBytes::exact(v.as_bytes())))?;
        if size > 1 {
            self.open.0.push(Open { index, latest_child: NO_CHILD, end, last_sibling: false });
        } else {
            // A leaf may complete its parent's subtree, and that its parent's, and so on.
            while let Some(&open) = self.open.0.last()
                && open.end == self.nodes.len() as u32
            {
                self.open.0.pop();
                self.complete(open);
            }
        }
        Ok(index as usize)
    }

    /// Adds a copy of `source`'s subtree at node `root` as the next node, its subtree complete,
    /// as [`TreeBuilder::sized`] would node by node, in one pass. Returns the copy's root index.
    /// A `root` past `source`'s nodes, or a subtree that runs past the subtree of the innermost
    /// node added with its size, is [`Error::SubtreeSize`].
    pub fn copy_subtree(&mut self, source: &Tree, root: usize) -> Result<usize, Error> {
        let index = self.nodes.len();
        let room = match self.open.0.last() {
            Some(open) if open.end != NO_END => open.end as usize - index,
            _ => usize::MAX,
        };
        let size = source.nodes.get(root).map_or(0, |node| node.size as usize);
        let copied = root.checked_add(size).and_then(|end| source.nodes.get(root..end)).unwrap_or_default();
        if size == 0 || size > room || copied.len() != size {
            return Err(Error::SubtreeSize { node: index, size, room });
        }
        let first = u32::try_from(index).map_err(|_| Error::TooManyNodes { limit: MAX_NODES })?;
        if u32::try_from(index + size).is_err() {
            return Err(Error::TooManyNodes { limit: MAX_NODES });
        }
        match self.open.0.last_mut() {
            Some(parent) => parent.latest_child = first,
            None if index > 0 => return Err(Error::SecondRoot),
            None => {}
        }
        let values = source.values.as_bytes();
        self.nodes.reserve(size);
        for (offset, node) in copied.iter().enumerate() {
            let mut copy = *node;
            if node.has_value() {
                let start = node.value_start as usize;
                let bytes = values.get(start..start + node.value_len as usize);
                debug_assert!(bytes.is_some(), "a tree's value spans lie in its values");
                let bytes = bytes.unwrap_or_default();
                let at = self.values.len();
                if at as u64 + bytes.len() as u64 > MAX_VALUE_BYTES {
                    self.nodes.truncate(index);
                    return Err(Error::ValuesTooLarge { limit: MAX_VALUE_BYTES });
                }
                self.values.extend_from_slice(bytes);
                copy.value_start = at as u32;
            } else {
                copy.value_start = 0;
            }
            if offset == 0 {
                // Whether the copy is its parent's last child is the parent's to say.
                copy.flags &= !Node::LAST_SIBLING;
            }
            self.nodes.push(copy);
        }
        // The copy may complete its parent's subtree, and that its parent's, and so on.
        while let Some(&open) = self.open.0.last()
            && open.end == self.nodes.len() as u32
        {
            self.open.0.pop();
            self.complete(open);
        }
        Ok(index)
    }

    /// Closes the innermost open node: its subtree is complete.
    #[inline]
    pub fn close(&mut self) -> Result<(), Error> {
        let open = self.open.0.pop().ok_or(Error::NothingToClose)?;
        self.complete(open);
        Ok(())
    }

    /// Sets the primitive of node `index` (for readers that learn it after the children, as
    /// tree JSON allows). Returns `false` if there is no such node.
    pub(crate) fn set_primitive(&mut self, index: usize, primitive: Primitive) -> bool {
        match self.nodes.get_mut(index) {
            Some(node) => {
                node.primitive = primitive.id();
                true
            }
            None => false,
        }
    }

    /// Sets the value of node `index`, replacing any value it had (the old bytes stay unused in
    /// the buffer). Returns `Ok(false)` if there is no such node.
    pub(crate) fn set_value(&mut self, index: usize, value: Option<&str>) -> Result<bool, Error> {
        if index >= self.nodes.len() {
            return Ok(false);
        }
        let (value_start, value_len) = match value {
            Some(v) => self.append_value(ValueBytes::exact(v.as_bytes()))?,
            None => (0, 0),
        };
        if let Some(node) = self.nodes.get_mut(index) {
            node.value_start = value_start;
            node.value_len = value_len;
            node.flags = (node.flags & !Node::HAS_VALUE) | if value.is_some() { Node::HAS_VALUE } else { 0 };
        }
        Ok(true)
    }

    /// The finished tree: exactly one root, every node closed, every value UTF-8.
    pub fn finish(self) -> Result<Tree, Error> {
        let mut stack = BuilderStack::default();
        let mut tree = Tree::default();
        self.finish_into(&mut tree, &mut stack)?;
        Ok(tree)
    }

    /// As [`TreeBuilder::finish`], into `tree` (its old contents dropped) and giving the open-node
    /// stack back for reuse. On error `tree` is left empty, keeping its allocations.
    #[inline]
    pub fn finish_into(self, tree: &mut Tree, stack: &mut BuilderStack) -> Result<(), Error> {
        let TreeBuilder { nodes, values, open, unchecked, split_char } = self;
        let open_count = open.0.len();
        *stack = open;
        let mut failure = if open_count > 0 {
            Some(Error::Unclosed { open: open_count })
        } else if nodes.is_empty() {
            Some(Error::Empty)
        } else {
            None
        };
        // All the bytes being UTF-8 and every non-empty value starting on a character (so also
        // ending on one: where the next value starts, or at the end) means every value is.
        let (nodes, values) = match (String::from_utf8(values), split_char) {
            (Ok(text), false) => (nodes, text),
            (Ok(text), true) => {
                // A value given as bytes began inside a character; unless another value replaced
                // it since, that value is not UTF-8 on its own.
                failure = failure.or(first_invalid(&nodes, text.as_bytes()));
                (nodes, text)
            }
            (Err(e), _) if !unchecked => {
                // Unreachable (every value came as `&str`), but never a panic.
                failure = failure
                    .or(Some(Error::InvalidUtf8 { node: 0, valid_up_to: e.utf8_error().valid_up_to() }));
                (nodes, String::new())
            }
            (Err(e), _) => {
                let bytes = e.into_bytes();
                match (failure.is_some(), first_invalid(&nodes, &bytes)) {
                    (false, None) => {
                        // Only bytes no node uses any more (`set_value`) are not UTF-8: keep
                        // the values nodes use.
                        let (nodes, values) = compact(nodes, &bytes);
                        match String::from_utf8(values) {
                            Ok(text) => (nodes, text),
                            Err(e) => {
                                failure = Some(Error::InvalidUtf8 {
                                    node: 0,
                                    valid_up_to: e.utf8_error().valid_up_to(),
                                });
                                (nodes, String::new())
                            }
                        }
                    }
                    (false, Some(error)) => {
                        failure = Some(error);
                        (nodes, reuse_as_string(bytes))
                    }
                    (true, _) => (nodes, reuse_as_string(bytes)),
                }
            }
        };
        *tree = Tree { nodes, values };
        match failure {
            Some(error) => {
                tree.clear();
                Err(error)
            }
            None => Ok(()),
        }
    }
}

/// An empty `String` with `bytes`' allocation.
fn reuse_as_string(mut bytes: Vec<u8>) -> String {
    bytes.clear();
    let empty = String::from_utf8(bytes);
    debug_assert!(empty.is_ok(), "no bytes are UTF-8");
    empty.unwrap_or_default()
}

/// The nodes with their values copied, in node order, into a new buffer of just those bytes.
fn compact(mut nodes: Vec<Node>, bytes: &[u8]) -> (Vec<Node>, Vec<u8>) {
    let mut values = Vec::new();
    for node in nodes.iter_mut().filter(|n| n.has_value()) {
        let start = node.value_start as usize;
        let value = bytes.get(start..start + node.value_len as usize);
        debug_assert!(value.is_some(), "a value span lies in the value bytes");
        let value = value.unwrap_or_default();
        node.value_start = values.len() as u32;
        values.extend_from_slice(value);
    }
    (nodes, values)
}

/// The error for the first node whose value is not UTF-8 on its own, if any.
fn first_invalid(nodes: &[Node], bytes: &[u8]) -> Option<Error> {
    for (node, n) in nodes.iter().enumerate().filter(|(_, n)| n.has_value()) {
        let start = n.value_start as usize;
        let value = bytes.get(start..start + n.value_len as usize);
        debug_assert!(value.is_some(), "a value span lies in the value bytes");
        if let Err(e) = std::str::from_utf8(value.unwrap_or_default()) {
            return Some(Error::InvalidUtf8 { node, valid_up_to: e.valid_up_to() });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let mut b = TreeBuilder::new();
        assert_eq!(b.close(), Err(Error::NothingToClose));
        b.leaf(Primitive::ENTITY, None).unwrap();
        assert_eq!(b.leaf(Primitive::ENTITY, None), Err(Error::SecondRoot));
        assert_eq!(b.open(Primitive::ENTITY, None), Err(Error::SecondRoot));

        let mut b = TreeBuilder::new();
        b.open(Primitive::ENTITY, None).unwrap();
        assert_eq!(b.finish().unwrap_err(), Error::Unclosed { open: 1 });
        assert_eq!(TreeBuilder::new().finish().unwrap_err(), Error::Empty);
    }

    #[test]
    fn set_primitive_and_value_after_children() {
        let mut b = TreeBuilder::new();
        let root = b.open(Primitive::ENTITY, None).unwrap();
        b.leaf(Primitive::STRING, Some("child")).unwrap();
        assert!(b.set_primitive(root, Primitive::LIST));
        assert!(b.set_value(root, Some("late")).unwrap());
        assert!(!b.set_primitive(9, Primitive::LIST));
        b.close().unwrap();
        let tree = b.finish().unwrap();
        assert_eq!(tree.to_string(), r#"LIST "late" [STRING "child"]"#);
    }

    #[test]
    fn copied_subtrees_equal_their_node_by_node_copies() {
        let source = Tree::from_tree_json(
            r#"{"p":1,"c":[{"p":2,"v":"a","c":[{"p":3,"v":"ü"},{"p":4}]},{"p":5,"v":"b"}]}"#,
        )
        .unwrap();
        for root in 0..source.node_count() {
            let mut by_node = TreeBuilder::new();
            let mut at_once = TreeBuilder::new();
            for b in [&mut by_node, &mut at_once] {
                b.open(Primitive::LIST, Some("x")).unwrap();
            }
            for node in source.subtree(root) {
                by_node.sized(node.primitive(), node.value(), node.subtree_size()).unwrap();
            }
            assert_eq!(at_once.copy_subtree(&source, root).unwrap(), 1);
            at_once.leaf(Primitive::NULL, None).unwrap();
            by_node.leaf(Primitive::NULL, None).unwrap();
            for b in [&mut by_node, &mut at_once] {
                b.close().unwrap();
            }
            let (a, b) = (by_node.finish().unwrap(), at_once.finish().unwrap());
            assert_eq!(a, b, "root {root}");
            assert_eq!(a.to_string(), b.to_string());
        }
        // Inside a sized parent with no room left, or past the source's nodes: an error.
        let mut b = TreeBuilder::new();
        b.sized(Primitive::LIST, None, 2).unwrap();
        assert!(matches!(b.copy_subtree(&source, 1), Err(Error::SubtreeSize { size: 3, room: 1, .. })));
        assert!(matches!(b.copy_subtree(&source, 99), Err(Error::SubtreeSize { size: 0, .. })));
        assert_eq!(b.copy_subtree(&source, 2).unwrap(), 1, "a leaf fits and closes the parent");
        assert_eq!(
            b.finish().unwrap().to_string(),
            r#"LIST [Σ3 "ü"]"#.replace("Σ3", &Primitive::new(3).to_string())
        );
    }

    #[test]
    fn sized_nodes_close_themselves() {
        // FUNCTION "f" [PARAMETER "x" [VARIABLE "r"], PARAMETER "y"], inside an open LIST.
        let mut b = TreeBuilder::new();
        b.open(Primitive::LIST, None).unwrap();
        b.sized(Primitive::FUNCTION, Some("f"), 4).unwrap();
        b.sized(Primitive::PARAMETER, Some("x"), 2).unwrap();
        b.sized(Primitive::VARIABLE, Some("r"), 1).unwrap();
        assert_eq!(b.open_count(), 2, "PARAMETER x closed itself");
        b.sized(Primitive::PARAMETER, Some("y"), 1).unwrap();
        assert_eq!(b.open_count(), 1, "FUNCTION closed itself; the LIST is the caller's");
        b.leaf(Primitive::NULL, None).unwrap();
        b.close().unwrap();
        let tree = b.finish().unwrap();
        assert_eq!(
            tree.to_string(),
            r#"LIST [FUNCTION "f" [PARAMETER "x" [VARIABLE "r"], PARAMETER "y"], NULL]"#
        );
        assert_eq!(tree, crate::Tree::from_tree_json(&tree.to_tree_json()).unwrap());

        let mut b = TreeBuilder::new();
        b.sized(Primitive::LIST, None, 3).unwrap();
        assert_eq!(b.sized(Primitive::LIST, None, 3), Err(Error::SubtreeSize { node: 1, size: 3, room: 2 }));
        assert_eq!(b.sized(Primitive::LIST, None, 0), Err(Error::SubtreeSize { node: 1, size: 0, room: 2 }));
    }

    #[test]
    fn last_siblings_are_marked() {
        let tree = crate::samples::deep();
        let mut last = Vec::new();
        for node in tree.nodes() {
            last.push(node.is_last_sibling());
            // The last child is the one whose subtree ends where its parent's does.
            let parent_end = tree
                .nodes()
                .filter(|p| p.index() < node.index() && node.index() < p.index() + p.subtree_size())
                .map(|p| p.index() + p.subtree_size())
                .last();
            assert_eq!(node.is_last_sibling(), parent_end == Some(node.index() + node.subtree_size()));
        }
        assert!(!last[0], "the root is nobody's last child");
        assert!(last.iter().any(|&l| l));
    }

    #[test]
    fn byte_values_are_checked_at_finish() {
        let bytes = |b: &'static [u8]| Some(ValueBytes::exact(b));
        let mut b = TreeBuilder::new();
        b.preorder_node(Primitive::ENTITY, bytes(b"ok"), true, false).unwrap();
        b.preorder_node(Primitive::STRING, bytes(b"fine \xC3\xA9"), false, false).unwrap();
        b.preorder_node(Primitive::STRING, bytes(b"ab\xFF"), false, true).unwrap();
        assert_eq!(b.finish().unwrap_err(), Error::InvalidUtf8 { node: 2, valid_up_to: 2 });

        // Each value must be UTF-8 on its own, not only all of them together.
        let mut b = TreeBuilder::new();
        b.preorder_node(Primitive::ENTITY, bytes(b"\xC3"), true, false).unwrap();
        b.preorder_node(Primitive::STRING, bytes(b"\xA9"), false, true).unwrap();
        assert_eq!(b.finish().unwrap_err(), Error::InvalidUtf8 { node: 0, valid_up_to: 0 });

        // Bytes that no node uses any more need not be UTF-8.
        let mut b = TreeBuilder::new();
        b.preorder_node(Primitive::ENTITY, bytes(b"\xFF"), true, false).unwrap();
        b.preorder_node(Primitive::STRING, Some(ValueBytes { bytes: b"abc-and-more", len: 3 }), false, true)
            .unwrap();
        assert!(b.set_value(0, Some("fixed")).unwrap());
        assert_eq!(b.finish().unwrap().to_string(), r#"ENTITY "fixed" [STRING "abc"]"#);

        let mut b = TreeBuilder::new();
        assert_eq!(
            b.preorder_node(Primitive::STRING, Some(ValueBytes { bytes: b"ab", len: 3 }), false, false),
            Err(Error::ValueShorterThanLength { len: 3, available: 2 })
        );

        let mut b = TreeBuilder::new();
        b.preorder_node(Primitive::ENTITY, bytes("é".as_bytes()), true, false).unwrap();
        b.preorder_node(Primitive::STRING, None, false, true).unwrap();
        assert_eq!(b.finish().unwrap().to_string(), r#"ENTITY "é" [STRING]"#);
    }

    #[test]
    fn preorder_nodes_build_the_same_tree_and_say_when_it_is_complete() {
        // FUNCTION "f" [PARAMETER "x" [VARIABLE "r"], PARAMETER "y"], as a pre-order format lists it.
        let steps: [(Primitive, &[u8], bool, bool); 4] = [
            (Primitive::FUNCTION, b"f", true, false),
            (Primitive::PARAMETER, b"x", true, false),
            (Primitive::VARIABLE, b"r", false, true),
            (Primitive::PARAMETER, b"y", false, true),
        ];
        let mut b = TreeBuilder::new();
        let complete: Vec<bool> = steps
            .iter()
            .map(|&(p, v, children, last)| {
                b.preorder_node(p, Some(ValueBytes::exact(v)), children, last).unwrap()
            })
            .collect();
        assert_eq!(complete, [false, false, false, true]);
        let tree = b.finish().unwrap();
        assert_eq!(tree.to_string(), r#"FUNCTION "f" [PARAMETER "x" [VARIABLE "r"], PARAMETER "y"]"#);
        let last: Vec<bool> = tree.nodes().map(|n| n.is_last_sibling()).collect();
        assert_eq!(last, [false, false, true, true]);

        // A lone leaf is complete at once; a last-sibling bit with nothing open closes nothing.
        let mut b = TreeBuilder::new();
        assert_eq!(b.preorder_node(Primitive::ENTITY, None, false, true), Ok(true));
        assert_eq!(b.preorder_node(Primitive::ENTITY, None, false, false), Err(Error::SecondRoot));
        // A composite never closed is left open for `finish` to refuse.
        let mut b = TreeBuilder::new();
        assert_eq!(b.preorder_node(Primitive::LIST, None, true, false), Ok(false));
        assert_eq!(b.preorder_node(Primitive::ENTITY, None, false, false), Ok(false));
        assert_eq!(b.finish().unwrap_err(), Error::Unclosed { open: 1 });
    }
}
