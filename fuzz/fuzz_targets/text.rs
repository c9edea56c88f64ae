//! Arbitrary bytes as text: never a panic; its text tree gives the exact text back and records
//! what extraction finds, through v2 too. The check itself is `sigma_testkit::fuzz::text`, which
//! the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::text(data));
