//! Arbitrary bytes as three JSON documents: never a panic; the edit learned from the first to
//! the second turns the first into the second, and fits the third or names where it does not.
//! The check is `sigma_testkit::fuzz::tree_analogy`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::tree_analogy(data));
