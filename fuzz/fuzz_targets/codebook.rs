//! Arbitrary bytes as a codebook file: never a panic; whatever loads writes back the same.
//! The check itself is `sigma_testkit::fuzz::codebook`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::codebook(data));
