//! Decoder plumbing: how `sigma-codec`'s decoders fill a [`Tree`] fast. Users building trees
//! want [`TreeBuilder`]; nothing here is needed for that.
//!
//! A [`RawBuilder`] refills an old tree, keeping its allocations and an open-node stack
//! ([`BuilderStack`]) from one decode to the next, and takes values as bytes not yet checked to
//! be UTF-8 ([`ValueBytes`]), which [`RawBuilder::finish_into`] checks all at once (far faster than
//! value by value). It keeps every invariant [`TreeBuilder`] keeps: what it finishes is a tree.

pub use crate::builder::{BuilderStack, ValueBytes};
use crate::{Error, Primitive, Tree, TreeBuilder};

/// A [`TreeBuilder`] for decoders (see the [module docs](self)).
#[derive(Debug, Default)]
pub struct RawBuilder {
    builder: TreeBuilder,
}

impl RawBuilder {
    /// A builder that clears `tree` and fills it again, with `stack` for its open nodes: no
    /// allocation once both have grown large enough.
    #[inline]
    pub fn reuse(tree: Tree, stack: BuilderStack) -> RawBuilder {
        RawBuilder { builder: TreeBuilder::reuse_parts(tree, stack) }
    }

    /// The tree so far and the open-node stack, for reuse after an error. The tree may be
    /// incomplete, and loses its values if any given as bytes are not UTF-8.
    pub fn into_parts(self) -> (Tree, BuilderStack) {
        self.builder.into_parts()
    }

    /// Nodes added so far.
    #[inline]
    pub fn node_count(&self) -> usize {
        self.builder.node_count()
    }

    /// Nodes open now: the depth at which the next node would go.
    #[inline]
    pub fn open_count(&self) -> usize {
        self.builder.open_count()
    }

    /// Index of the innermost open node, if any.
    pub fn innermost_open(&self) -> Option<usize> {
        self.builder.innermost_open()
    }

    /// As [`TreeBuilder::open`].
    #[inline]
    pub fn open(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        self.builder.open(primitive, value)
    }

    /// As [`TreeBuilder::leaf`].
    #[inline]
    pub fn leaf(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        self.builder.leaf(primitive, value)
    }

    /// As [`TreeBuilder::close`].
    #[inline]
    pub fn close(&mut self) -> Result<(), Error> {
        self.builder.close()
    }

    /// Adds a node as a pre-order format lists it: with whether it has children (which follow)
    /// and whether it is its parent's last child (after a last leaf, its parent closes, and so on
    /// up while each closed node was itself a last child). Returns whether the tree is complete.
    /// The value's bytes are checked to be UTF-8 when the tree is finished.
    #[inline]
    pub fn preorder_node(
        &mut self,
        primitive: Primitive,
        value: Option<ValueBytes<'_>>,
        has_children: bool,
        last_sibling: bool,
    ) -> Result<bool, Error> {
        self.builder.preorder_node(primitive, value, has_children, last_sibling)
    }

    /// As [`RawBuilder::preorder_node`], for a value the caller writes: `write` is given the
    /// buffer of every value so far and must append exactly `len` bytes (which it may copy from
    /// earlier values: a repeated value, a shared prefix). `len` is checked against the arena's
    /// capacity before `write` runs; appending more or fewer bytes is
    /// [`Error::ValueShorterThanLength`], with nothing added. The bytes are checked to be UTF-8
    /// when the tree is finished.
    #[inline]
    pub fn preorder_node_written(
        &mut self,
        primitive: Primitive,
        len: usize,
        write: impl FnOnce(&mut Vec<u8>),
        has_children: bool,
        last_sibling: bool,
    ) -> Result<bool, Error> {
        self.builder.preorder_node_written(primitive, len, write, has_children, last_sibling)
    }

    /// Every value byte added so far, in order, not yet checked to be UTF-8: where a decoder
    /// finds the values its format lets later nodes repeat.
    #[inline]
    pub fn value_bytes(&self) -> &[u8] {
        self.builder.value_bytes()
    }

    /// As [`TreeBuilder::finish`].
    pub fn finish(self) -> Result<Tree, Error> {
        self.builder.finish()
    }

    /// As [`TreeBuilder::finish`], into `tree` (its old contents dropped) and giving the open-node
    /// stack back for reuse. On error `tree` is left empty, keeping its allocations.
    #[inline]
    pub fn finish_into(self, tree: &mut Tree, stack: &mut BuilderStack) -> Result<(), Error> {
        self.builder.finish_into(tree, stack)
    }
}
