//! Arbitrary trees (steps read from the input) round-trip through v2 (plain, compact, views), and v1
//! where it holds them.
//! The check itself is `sigma_testkit::fuzz::round_trip`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::round_trip(data));
