//! `Tree`, the flat pre-order arena, and `NodeRef`, a read-only cursor into it.

use std::fmt;

use sigma_primitives::{Primitive, PrimitiveSet};

/// One node's record in the arena: 16 bytes, no pointers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    /// Start of the value in [`Tree::values`].
    pub(crate) value_start: u32,
    /// Length of the value in bytes.
    pub(crate) value_len: u32,
    /// Nodes in this node's subtree, itself included (so a leaf has 1).
    pub(crate) size: u32,
    /// The primitive id.
    pub(crate) primitive: u8,
    /// [`Node::HAS_VALUE`] and [`Node::LAST_SIBLING`].
    pub(crate) flags: u8,
}

impl Node {
    /// The node has a value (absent and empty differ).
    pub(crate) const HAS_VALUE: u8 = 1;
    /// The node is its parent's last child (never set on the root).
    pub(crate) const LAST_SIBLING: u8 = 2;

    #[inline]
    pub(crate) fn has_value(&self) -> bool {
        self.flags & Node::HAS_VALUE != 0
    }
}

/// A semantic tree: nodes with a primitive, an optional UTF-8 value and ordered children.
///
/// Stored flat, in pre-order: one `Vec` of 16-byte node records and one `String` holding every
/// value. A node is an index; its first child is the next index, and its next sibling is found by
/// skipping its subtree size. Building, walking, comparing and dropping never recurse, so a chain a
/// million levels deep is as safe as a wide tree.
///
/// Invariants (kept by [`TreeBuilder`](crate::TreeBuilder), the only way to fill a tree): either
/// the tree is empty (a cleared or failed decode target), or node 0 is the root and its subtree
/// covers every node; each node's subtree lies inside its parent's; every value span lies on
/// `char` boundaries of `values`.
#[derive(Default)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) values: String,
}

impl Clone for Tree {
    fn clone(&self) -> Tree {
        Tree { nodes: self.nodes.clone(), values: self.values.clone() }
    }

    /// Copies `source` into this tree's buffers: no allocation once they are large enough.
    fn clone_from(&mut self, source: &Tree) {
        self.nodes.clone_from(&source.nodes);
        self.values.clone_from(&source.values);
    }
}

impl Tree {
    /// An empty tree, ready to be filled by a [`TreeBuilder`](crate::TreeBuilder).
    pub fn new() -> Tree {
        Tree::default()
    }

    /// The root, or `None` for an empty tree.
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.node(0)
    }

    /// The node with pre-order index `index`, if there is one.
    #[inline]
    pub fn node(&self, index: usize) -> Option<NodeRef<'_>> {
        let node = self.nodes.get(index)?;
        Some(NodeRef { tree: self, index, node: *node })
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Total bytes of all values.
    pub fn value_bytes(&self) -> usize {
        self.values.len()
    }

    /// Removes every node, keeping the allocations for reuse.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.values.clear();
    }

    /// Every node in pre-order.
    #[inline]
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeRef<'_>> + '_ {
        self.nodes.iter().enumerate().map(move |(index, node)| NodeRef { tree: self, index, node: *node })
    }

    /// The nodes of the subtree rooted at node `root`, in pre-order (none if there is no such
    /// node).
    #[inline]
    pub fn subtree(&self, root: usize) -> impl ExactSizeIterator<Item = NodeRef<'_>> + '_ {
        let nodes = match self.nodes.get(root) {
            Some(node) => {
                let nodes = self.nodes.get(root..root + node.size as usize);
                debug_assert!(nodes.is_some(), "a subtree lies inside its tree");
                nodes.unwrap_or_default()
            }
            None => &[],
        };
        nodes.iter().enumerate().map(move |(offset, node)| NodeRef {
            tree: self,
            index: root + offset,
            node: *node,
        })
    }

    /// The number of levels: 1 for a lone root, 0 for an empty tree. One pass, no recursion.
    pub fn depth(&self) -> usize {
        let mut walk = self.depth_first();
        let mut max = 0;
        for (_, depth) in &mut walk {
            max = max.max(depth + 1);
        }
        max
    }

    /// The set of primitives that occur in the tree.
    pub fn primitives_used(&self) -> PrimitiveSet {
        let mut set = PrimitiveSet::new();
        for node in &self.nodes {
            set.insert(Primitive::new(node.primitive));
        }
        set
    }

    #[inline]
    fn value_of(&self, node: &Node) -> Option<&str> {
        if !node.has_value() {
            return None;
        }
        let start = node.value_start as usize;
        self.values.get(start..start + node.value_len as usize)
    }

    #[inline]
    fn value_bytes_of(&self, node: &Node) -> Option<&[u8]> {
        if !node.has_value() {
            return None;
        }
        let start = node.value_start as usize;
        self.values.as_bytes().get(start..start + node.value_len as usize)
    }

    /// Every value's bytes, in the order they were added (pre-order for a tree built by
    /// [`TreeBuilder`](crate::TreeBuilder) without `set_value`). Encoders may read a little past
    /// a value's end to copy it in fixed-size chunks.
    #[inline]
    pub fn value_buffer(&self) -> &str {
        &self.values
    }
}

impl PartialEq for Tree {
    /// Structural equality: same shape, primitives and values, in the same order. Value spans may
    /// differ (a value's place in the buffer is not part of the tree). One pass, no recursion.
    fn eq(&self, other: &Tree) -> bool {
        self.nodes.len() == other.nodes.len()
            && self.nodes.iter().zip(&other.nodes).all(|(a, b)| {
                a.primitive == b.primitive
                    && a.size == b.size
                    && a.has_value() == b.has_value()
                    && self.value_of(a) == other.value_of(b)
            })
    }
}

impl Eq for Tree {}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tree({self})")
    }
}

/// A read-only cursor on one node of a [`Tree`].
#[derive(Clone, Copy)]
pub struct NodeRef<'t> {
    tree: &'t Tree,
    index: usize,
    node: Node,
}

impl<'t> NodeRef<'t> {
    /// The node's pre-order index in its tree.
    #[inline]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The node's primitive.
    #[inline]
    pub fn primitive(&self) -> Primitive {
        Primitive::new(self.node.primitive)
    }

    /// The node's value: `None` when absent, `Some("")` when empty.
    #[inline]
    pub fn value(&self) -> Option<&'t str> {
        self.tree.value_of(&self.node)
    }

    /// Nodes in this node's subtree, itself included.
    #[inline]
    pub fn subtree_size(&self) -> usize {
        self.node.size as usize
    }

    /// Whether the node has children.
    #[inline]
    pub fn has_children(&self) -> bool {
        self.node.size > 1
    }

    /// Whether the node has a value.
    #[inline]
    pub fn has_value(&self) -> bool {
        self.node.has_value()
    }

    /// The node's value as bytes (the same bytes as [`NodeRef::value`], without the `str`
    /// boundary checks).
    #[inline]
    pub fn value_bytes(&self) -> Option<&'t [u8]> {
        self.tree.value_bytes_of(&self.node)
    }

    /// Where the node's value lies in [`Tree::value_buffer`] (start, length); `None` without a
    /// value.
    #[inline]
    pub fn value_span(&self) -> Option<(usize, usize)> {
        self.node.has_value().then_some((self.node.value_start as usize, self.node.value_len as usize))
    }

    /// Whether the node is its parent's last child (`false` for the root).
    #[inline]
    pub fn is_last_sibling(&self) -> bool {
        self.node.flags & Node::LAST_SIBLING != 0
    }

    /// The node's children, in order.
    pub fn children(&self) -> Children<'t> {
        Children { tree: self.tree, next: self.index + 1, end: self.index + self.node.size as usize }
    }

    /// The number of children (walks them: time proportional to the count).
    pub fn child_count(&self) -> usize {
        self.children().count()
    }

    /// The tree this node belongs to.
    #[inline]
    pub fn tree(&self) -> &'t Tree {
        self.tree
    }
}

impl fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeRef")
            .field("index", &self.index)
            .field("primitive", &self.primitive())
            .field("value", &self.value())
            .field("subtree_size", &self.subtree_size())
            .finish()
    }
}

/// The children of a node, in order (see [`NodeRef::children`]).
#[derive(Clone, Debug)]
pub struct Children<'t> {
    tree: &'t Tree,
    next: usize,
    end: usize,
}

impl<'t> Iterator for Children<'t> {
    type Item = NodeRef<'t>;

    fn next(&mut self) -> Option<NodeRef<'t>> {
        if self.next >= self.end {
            return None;
        }
        let child = self.tree.node(self.next)?;
        self.next += child.subtree_size().max(1);
        Some(child)
    }
}
