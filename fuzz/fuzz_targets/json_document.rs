//! Arbitrary text as a JSON document: never a panic; what maps to a tree maps back to it.
//! The check itself is `sigma_testkit::fuzz::json_document`, which the replay of kept inputs calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::json_document(data));
