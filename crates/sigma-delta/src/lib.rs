//! Context for ΣLANG sessions: what a new tree can be described against.
//!
//! **Layer 3.** May depend on `sigma-primitives`, `sigma-glyph` and `sigma-tree`; `sigma-codec`
//! builds sessions on top of it.
//!
//! **Status: empty.** The context stack (the last N trees), primitive-set deltas, the indexes of
//! subtrees and values seen in context and the edit description of a new tree arrive with the
//! sessions issue (#5); until then this crate holds only this page.

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]
