//! The error type of tree building and of reading tree JSON.

use thiserror::Error;

/// Everything that can go wrong building a tree or reading one from text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The tree would have more nodes than a `u32` index can name.
    #[error("tree too large: more than {limit} nodes")]
    TooManyNodes {
        /// The most nodes a tree holds.
        limit: u64,
    },
    /// The tree's values would take more bytes than a `u32` offset can reach.
    #[error("tree too large: values take more than {limit} bytes in all")]
    ValuesTooLarge {
        /// The most value bytes a tree holds.
        limit: u64,
    },
    /// `close` with no open node.
    #[error("close without an open node")]
    NothingToClose,
    /// A node added with a subtree size ([`TreeBuilder::sized`](crate::TreeBuilder::sized)) of 0,
    /// or larger than the room left in its parent's.
    #[error("node {node}'s subtree of {size} nodes does not fit: {room} nodes are left in its parent's")]
    SubtreeSize {
        /// Pre-order index the node would have had.
        node: usize,
        /// The size given.
        size: usize,
        /// Nodes left in the parent's subtree, from this one on.
        room: usize,
    },
    /// A second root: a tree has exactly one.
    #[error("a tree has exactly one root; a second top-level node was started")]
    SecondRoot,
    /// `finish` with nodes still open.
    #[error("{open} nodes are still open")]
    Unclosed {
        /// How many nodes are still open.
        open: usize,
    },
    /// A value given as bytes ([`RawBuilder::preorder_node`](crate::raw::RawBuilder::preorder_node)) is
    /// not UTF-8.
    #[error("the value of node {node} is not UTF-8 (valid up to byte {valid_up_to} of the value)")]
    InvalidUtf8 {
        /// Pre-order index of the node.
        node: usize,
        /// Bytes of the value that are valid UTF-8.
        valid_up_to: usize,
    },
    /// A [`ValueBytes`](crate::raw::ValueBytes) whose `len` runs past its bytes.
    #[error("a value of {len} bytes was given only {available} bytes")]
    ValueShorterThanLength {
        /// The length claimed.
        len: usize,
        /// The bytes given.
        available: usize,
    },
    /// `finish` before any node was added.
    #[error("empty tree: a tree has at least its root")]
    Empty,
    /// Text that is not well-formed JSON.
    #[error("invalid JSON at byte {offset}: {message}")]
    Json {
        /// Offset of the problem in the input.
        offset: usize,
        /// What is wrong.
        message: &'static str,
    },
    /// Well-formed JSON that is not a tree in the tree JSON form.
    #[error("not a tree at byte {offset}: {message}")]
    TreeJson {
        /// Offset of the problem in the input.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A tree that is not the image of a JSON document.
    #[error("node {node} ({primitive}) is not JSON: {reason}")]
    NotJson {
        /// Pre-order index of the node.
        node: usize,
        /// Its primitive's name.
        primitive: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// The byte offset the error points at, for errors from reading text.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Error::Json { offset, .. } | Error::TreeJson { offset, .. } => Some(offset),
            _ => None,
        }
    }
}
