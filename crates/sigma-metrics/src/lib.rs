//! Measurement instruments for ΣLANG.
//!
//! - [`stats::Summary`]: count, min, median, mean, p99, max and standard deviation of samples.
//! - [`counters::Counters`]: named counters.
//! - [`alloc::CountingAllocator`]: a global allocator wrapper that counts allocations, frees,
//!   bytes, current and peak bytes; [`alloc::measure`] reports what one operation allocated and
//!   [`alloc::Profile`] collects such reports by label.
//! - [`report::Report`]: a table rendered as aligned text, Markdown or JSON.
//!
//! **Layer 0.** Depends on nothing in the workspace; benches, `cargo xtask profile` and tests that
//! count allocations sit on top of it.

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]

pub mod alloc;
pub mod counters;
pub mod report;
pub mod stats;
