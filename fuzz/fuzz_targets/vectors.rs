//! Arbitrary bytes as a word-vector file (word2vec binary or text, GloVe): never a panic; what
//! reads is well formed and answers or names what is wrong. The check is
//! `sigma_testkit::fuzz::vectors`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sigma_testkit::fuzz::vectors(data));
