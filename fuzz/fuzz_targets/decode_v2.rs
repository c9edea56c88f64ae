//! Arbitrary bytes as a v2 message: never a panic; whatever decodes re-encodes to exactly the
//! same bytes, so no wrong tree can slip through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigma_codec::v2;

fuzz_target!(|data: &[u8]| {
    // Give most inputs a v2 format byte and a valid CRC so the fuzzer reaches the nodes.
    let mut bytes = data.to_vec();
    if bytes.len() >= 6 && bytes[0] & 0x10 == 0 {
        bytes[0] = 0xA0 | (bytes[0] & 1);
        let body = bytes.len() - 4;
        let crc = sigma_glyph::v2::crc32c(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_be_bytes());
    }
    let _ = sigma_codec::inspect::inspect(&bytes);
    if let Ok(tree) = v2::decode(&bytes) {
        assert_eq!(v2::encode(&tree).expect("a decoded v2 tree encodes"), bytes);
    }
});
