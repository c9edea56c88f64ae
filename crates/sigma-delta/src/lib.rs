//! Context for ΣLANG sessions: what a new tree can be described against.
//!
//! - [`Context`]: the last N trees of a session (the context stack) and an index of their
//!   subtrees by hash; bounded by [`ContextConfig`] and evicted identically on both ends of a
//!   session. A [`ValueTable`] numbers the values a session has sent.
//! - [`describe`]: a new tree as an [`Edit`]: which of its subtrees can be sent as
//!   back-references to the context.
//! - [`SimilarityIndex`]: the k stored trees most similar to a query, from MinHash bands in
//!   sub-linear time (and the exhaustive answer, to compare).
//! - [`hash`]: subtree hashes (candidates only: every match is confirmed node by node, so a
//!   collision can never produce a wrong reference).
//!
//! **Layer 3.** Depends on `sigma-tree` only; knows nothing of bytes.
//! `sigma-codec` builds session streams on top of it.
//!
//! ```
//! use sigma_delta::{Context, ContextConfig, Op, describe};
//! use sigma_tree::Tree;
//!
//! let mut context = Context::new(ContextConfig::default());
//! context.push(Tree::from_json_document(r#"{"user":{"id":7},"n":1}"#).unwrap());
//! let next = Tree::from_json_document(r#"{"user":{"id":7},"n":2}"#).unwrap();
//! let edit = describe(&context, &next);
//! assert!(edit.ops.iter().any(|op| matches!(op, Op::Subtree { .. })));
//! ```

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]

pub mod analogy;
mod context;
mod edit;
pub mod hash;
pub mod similar;
mod values;

pub use analogy::{Transform, TreeAnalogyError, analogy, learn};
pub use context::{Context, ContextConfig, Entry, SubtreeLocation};
pub use edit::{Edit, Op, describe, describe_into};
pub use similar::{Match, SimilarityIndex};
pub use values::ValueTable;
