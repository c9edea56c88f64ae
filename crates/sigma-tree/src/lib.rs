//! The ΣLANG semantic tree.
//!
//! A semantic tree is an ordered tree whose nodes each carry a [`Primitive`], an optional UTF-8
//! value (absent and empty differ) and ordered children. [`Tree`] stores one flat, in pre-order:
//! a `Vec` of 16-byte node records and one `String` of values, so a decoder fills it without an
//! allocation per node and a node is just an index.
//!
//! - [`TreeBuilder`] fills a tree node by node (open, leaf, close); [`raw`] holds what decoders
//!   use to fill one faster (reused allocations, values checked all at once).
//! - [`NodeRef`] is a read-only cursor: primitive, value, children.
//! - [`Tree::depth_first`], [`Tree::breadth_first`] and [`Tree::events`] walk it with depths or
//!   enter/leave events; [`Tree::depth`], [`Tree::node_count`] and [`Tree::primitives_used`]
//!   summarise it; `==` compares structure and values.
//! - [`Tree::to_tree_json`] and [`Tree::from_tree_json`] are the tree JSON form
//!   (`{"p": 16, "v": "calculate", "c": [...]}`), and [`Tree::from_json_document`] and
//!   [`Tree::to_json_document`] map any JSON document to a tree and back;
//!   `Display` is the text notation (`FUNCTION "calculate" [PARAMETER "x", …]`).
//! - [`samples`] builds the reference benchmark's trees, balanced trees and chains.
//!
//! **Nothing recurses per tree level**: building, walking, comparing, printing, reading and
//! dropping a chain of a million nodes uses a constant amount of call stack.
//!
//! **Layer 2.** Depends on `sigma-primitives` only (never on glyphs or formats: bytes are
//! `sigma-codec`'s business).
//!
//! ```
//! use sigma_tree::{samples, Tree};
//!
//! let tree = samples::medium();
//! assert_eq!(tree.node_count(), 4);
//! assert_eq!(tree.depth(), 3);
//! let json = tree.to_tree_json();
//! assert_eq!(Tree::from_tree_json(&json)?, tree);
//! let root = tree.root().unwrap();
//! let names: Vec<_> = root.children().map(|c| c.value().unwrap()).collect();
//! assert_eq!(names, ["x", "y"]);
//! # Ok::<(), sigma_tree::Error>(())
//! ```

// Input is hostile: no unwrap, panic or indexing that could panic (unit tests are exempt via
// clippy.toml), and a library prints nothing.
#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "proptest")]
pub mod arbitrary;
mod builder;
mod error;
pub mod json;
pub mod raw;
pub mod samples;
mod text;
mod tree;
mod walk;

pub use builder::{BuilderStack, MAX_NODES, MAX_VALUE_BYTES, TreeBuilder};
pub use error::Error;
pub use sigma_primitives::{Primitive, PrimitiveSet};
pub use tree::{Children, NodeRef, Tree};
pub use walk::{BreadthFirst, DepthFirst, Event, Events};
