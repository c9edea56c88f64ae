//! Arbitrary bytes as a session stream never panic; message lists from them round-trip.
//! The check itself is `sigma_testkit::fuzz::session`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::session(data));
