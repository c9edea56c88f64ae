//! Measurement instruments for ΣLANG.
//!
//! - [`alloc::CountingAllocator`]: a global allocator wrapper that counts allocations, frees,
//!   bytes, current and peak bytes; [`alloc::measure`] reports what one operation allocated.
//!
//! Timing statistics, counters and reports arrive with the measurement issue (#4).
//!
//! **Layer 0.** Depends on nothing in the workspace; benches, `cargo xtask profile` and tests that
//! count allocations sit on top of it.

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]

pub mod alloc;
