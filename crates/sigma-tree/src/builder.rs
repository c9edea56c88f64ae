//! `TreeBuilder`: the one way to fill a `Tree`, node by node in pre-order.

use sigma_primitives::Primitive;

use crate::Error;
use crate::tree::{Node, Tree};

/// Builds a [`Tree`] in pre-order: [`open`](TreeBuilder::open) a node, add its children,
/// [`close`](TreeBuilder::close) it; [`leaf`](TreeBuilder::leaf) is open-and-close.
///
/// The builder keeps a stack of open nodes (a `Vec`, never the call stack), so any depth is fine.
/// It can start from an old tree to reuse its allocations ([`TreeBuilder::reuse`]).
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
    tree: Tree,
    /// Indices of the open nodes, outermost first.
    open: Vec<u32>,
}

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
            tree: Tree { nodes: Vec::with_capacity(nodes), values: String::with_capacity(value_bytes) },
            open: Vec::new(),
        }
    }

    /// A builder that clears `tree` and fills it again, keeping its allocations.
    pub fn reuse(mut tree: Tree) -> TreeBuilder {
        tree.clear();
        TreeBuilder { tree, open: Vec::new() }
    }

    /// A builder that refills `tree` and reuses `stack` for its open nodes (see
    /// [`TreeBuilder::into_parts`]): no allocation once both have grown large enough.
    pub fn reuse_parts(mut tree: Tree, mut stack: Vec<u32>) -> TreeBuilder {
        tree.clear();
        stack.clear();
        TreeBuilder { tree, open: stack }
    }

    /// The tree so far and the open-node stack, for reuse after an error.
    pub fn into_parts(self) -> (Tree, Vec<u32>) {
        (self.tree, self.open)
    }

    /// Nodes added so far.
    pub fn node_count(&self) -> usize {
        self.tree.nodes.len()
    }

    /// Nodes open now: the depth at which the next node would go.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// Index of the innermost open node, if any.
    pub fn innermost_open(&self) -> Option<usize> {
        self.open.last().map(|&index| index as usize)
    }

    /// Value bytes added so far.
    pub fn value_bytes(&self) -> usize {
        self.tree.values.len()
    }

    fn push(&mut self, primitive: Primitive, value: Option<&str>) -> Result<u32, Error> {
        let index = self.tree.nodes.len();
        if self.open.is_empty() && index > 0 {
            return Err(Error::SecondRoot);
        }
        let index = u32::try_from(index).map_err(|_| Error::TooManyNodes { limit: MAX_NODES })?;
        if index == u32::MAX {
            return Err(Error::TooManyNodes { limit: MAX_NODES });
        }
        let (value_start, value_len) = self.append_value(value)?;
        self.tree.nodes.push(Node {
            value_start,
            value_len,
            size: 1,
            primitive: primitive.id(),
            has_value: value.is_some(),
        });
        Ok(index)
    }

    fn append_value(&mut self, value: Option<&str>) -> Result<(u32, u32), Error> {
        let Some(value) = value else {
            return Ok((0, 0));
        };
        let start = self.tree.values.len();
        let too_large = Error::ValuesTooLarge { limit: MAX_VALUE_BYTES };
        let end = start.checked_add(value.len()).ok_or(too_large.clone())?;
        if end as u64 > MAX_VALUE_BYTES {
            return Err(too_large);
        }
        self.tree.values.push_str(value);
        Ok((start as u32, value.len() as u32))
    }

    /// Adds a node and makes it the parent of what follows, until [`TreeBuilder::close`].
    /// Returns its index.
    pub fn open(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        let index = self.push(primitive, value)?;
        self.open.push(index);
        Ok(index as usize)
    }

    /// Adds a node without children. Returns its index.
    pub fn leaf(&mut self, primitive: Primitive, value: Option<&str>) -> Result<usize, Error> {
        self.push(primitive, value).map(|index| index as usize)
    }

    /// Closes the innermost open node: its subtree is complete.
    pub fn close(&mut self) -> Result<(), Error> {
        let index = self.open.pop().ok_or(Error::NothingToClose)?;
        let size = self.tree.nodes.len() - index as usize;
        if let Some(node) = self.tree.nodes.get_mut(index as usize) {
            node.size = size as u32;
        }
        Ok(())
    }

    /// Sets the primitive of node `index` (for readers that learn it after the children, as
    /// tree JSON allows). Returns `false` if there is no such node.
    pub fn set_primitive(&mut self, index: usize, primitive: Primitive) -> bool {
        match self.tree.nodes.get_mut(index) {
            Some(node) => {
                node.primitive = primitive.id();
                true
            }
            None => false,
        }
    }

    /// Sets the value of node `index`, replacing any value it had (the old bytes stay unused in
    /// the buffer). Returns `Ok(false)` if there is no such node.
    pub fn set_value(&mut self, index: usize, value: Option<&str>) -> Result<bool, Error> {
        if index >= self.tree.nodes.len() {
            return Ok(false);
        }
        let (value_start, value_len) = self.append_value(value)?;
        if let Some(node) = self.tree.nodes.get_mut(index) {
            node.value_start = value_start;
            node.value_len = value_len;
            node.has_value = value.is_some();
        }
        Ok(true)
    }

    /// The finished tree: exactly one root, every node closed.
    pub fn finish(self) -> Result<Tree, Error> {
        if !self.open.is_empty() {
            return Err(Error::Unclosed { open: self.open.len() });
        }
        if self.tree.nodes.is_empty() {
            return Err(Error::Empty);
        }
        Ok(self.tree)
    }
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
}
