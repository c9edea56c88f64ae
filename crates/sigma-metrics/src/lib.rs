//! Measurement instruments for ΣLANG: timing statistics, counters and a counting allocator.
//!
//! **Layer 0.** Depends on nothing in the workspace; benches, `cargo xtask profile` and tests that
//! count allocations sit on top of it.
//!
//! **Status: empty.** The instruments arrive with the measurement issue (#4); until then this crate
//! holds only this page, so nothing here pretends to measure anything.

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]
