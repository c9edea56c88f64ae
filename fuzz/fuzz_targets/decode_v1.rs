//! Arbitrary bytes as a v1 stream: never a panic; whatever decodes re-encodes to the same bytes.
//! The check itself is `sigma_testkit::fuzz::decode_v1`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::decode_v1(data));
