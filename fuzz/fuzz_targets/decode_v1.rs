//! Arbitrary bytes as a v1 stream: never a panic; whatever decodes as a plain tree re-encodes to
//! the same bytes (context id aside), so no wrong tree can slip through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigma_codec::v1;

fuzz_target!(|data: &[u8]| {
    // Give most inputs a valid CRC so the fuzzer gets past the checksum into the glyphs.
    let mut bytes = data.to_vec();
    if bytes.len() >= 6 && bytes[0] & 1 == 0 {
        bytes[0] = 0x40;
        let body = bytes.len() - 2;
        let crc = sigma_glyph::v1::CRC.checksum(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_be_bytes());
    }
    let _ = sigma_codec::inspect::inspect(&bytes);
    if let Ok(message) = v1::decode_message(&bytes)
        && message.kind == v1::MessageKind::Tree
    {
        let mut expected = bytes.clone();
        expected[1] = 0;
        expected[2] &= 0x0F;
        let body = expected.len() - 2;
        let crc = sigma_glyph::v1::CRC.checksum(&expected[..body]);
        expected[body..].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(v1::encode(&message.tree).expect("a decoded v1 tree encodes"), expected);
    }
});
