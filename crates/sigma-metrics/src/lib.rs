//! Measurement instruments for ΣLANG.
//!
//! - [`alloc::CountingAllocator`]: a global allocator wrapper that counts allocations, bytes,
//!   and live and peak bytes; [`alloc::measure`] reports what one operation allocated.
//! - [`report::Report`]: a table rendered as aligned text or Markdown.
//!
//! **Layer 0.** Depends on nothing in the workspace; benches, `cargo xtask profile` and tests that
//! count allocations sit on top of it.

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]

pub mod alloc;
pub mod report;
