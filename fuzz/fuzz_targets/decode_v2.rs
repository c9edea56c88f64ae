//! Arbitrary bytes as a v2 message (plain or compact): never a panic; whatever decodes re-encodes
//! to the same bytes; a view agrees with the decode.
//! The check itself is `sigma_testkit::fuzz::decode_v2`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::decode_v2(data));
