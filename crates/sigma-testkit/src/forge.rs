//! Bytes made on purpose: streams spelled out field by field with a correct checksum, and
//! checksums fixed up after a deliberate change, so that a test reaches the check it is about.

use sigma_glyph::v1::CRC;
use sigma_glyph::v2::crc32c;

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hex `text`.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A v1 stream with this header word and these glyph bytes, and a correct CRC.
pub fn v1_stream(header: u32, glyphs: &[u8]) -> Vec<u8> {
    let mut out = header.to_be_bytes().to_vec();
    out.extend_from_slice(glyphs);
    out.extend_from_slice(&CRC.checksum(&out).to_be_bytes());
    out
}

/// Recomputes the CRC-16 at the end of a v1 stream whose body was changed on purpose.
pub fn fix_v1_crc(bytes: &mut [u8]) {
    let body = bytes.len() - 2;
    let crc = CRC.checksum(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_be_bytes());
}

/// The bytes a decoded plain v1 message would encode back to: context id set to 0, CRC fixed.
pub fn with_context_zero(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[1] = 0;
    out[2] &= 0x0F;
    fix_v1_crc(&mut out);
    out
}

/// `body` followed by its CRC-32C: a v2 message, a session header or frame, a codebook file.
pub fn with_crc32c(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&crc32c(body).to_be_bytes());
    out
}

/// Recomputes the CRC-32C that ends `bytes[start..end]` (a v2 message, a session frame or
/// header, a codebook file) after a deliberate change.
pub fn fix_crc32c(bytes: &mut [u8], start: usize, end: usize) {
    let crc = crc32c(&bytes[start..end - 4]);
    bytes[end - 4..end].copy_from_slice(&crc.to_be_bytes());
}
