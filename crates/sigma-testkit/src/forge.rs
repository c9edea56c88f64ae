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

/// A compact v2 message with this body (format byte included): the short-check flag set when
/// the body is at most 14 bytes, and the check (CRC-8 or CRC-32C) that goes with it.
pub fn compact_message(body: &[u8]) -> Vec<u8> {
    use sigma_glyph::v2::compact::{SHORT_CHECK_FLAG, SHORT_CHECK_MAX, crc8};
    let mut bytes = body.to_vec();
    if bytes.len() <= SHORT_CHECK_MAX {
        bytes[0] |= SHORT_CHECK_FLAG;
        bytes.push(crc8(&bytes));
        bytes
    } else {
        with_crc32c(&bytes)
    }
}

/// A compact v2 message of about 200 kB built to multiply itself: a 1,000-byte value, another
/// value (so that the big one is not the previous text value, which a repeat would be a prefix
/// of), then 100,000 references to the big one, 100 MB of values in all.
pub fn compact_reference_bomb() -> Vec<u8> {
    let big = "x".repeat(1000);
    let mut body = vec![0xA2, 0x80, 0x40, (1000u32 << 2) as u8 | 0x80, (1000u32 << 2 >> 7) as u8];
    body.extend_from_slice(big.as_bytes());
    body.extend([0x40, 1 << 2, b'y']);
    let h = (sigma_glyph::v2::compact::slot(big.as_bytes()) as u32) << 2 | 1;
    let reference = if h < 0x80 { vec![h as u8] } else { vec![h as u8 | 0x80, (h >> 7) as u8] };
    for i in 0..100_000 {
        body.push(if i == 99_999 { 0x60 } else { 0x40 });
        body.extend_from_slice(&reference);
    }
    compact_message(&body)
}

/// Offsets to damage in a message of `len` bytes: all of them for small messages; for large
/// ones, the first and last 64 and every 997th (a CRC catches any single-bit error, so the sample
/// exercises the decoder's paths, not the arithmetic).
pub fn damage_positions(len: usize) -> Vec<usize> {
    if len <= 50_000 {
        return (0..len).collect();
    }
    let mut out: Vec<usize> = (0..64).chain(len - 64..len).chain((64..len - 64).step_by(997)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Asserts that `fails` refuses `bytes` cut at every [`damage_positions`] length and with every
/// bit of every such byte flipped (`name` says which message, in the failure).
pub fn assert_every_cut_and_flip_fails(name: &str, bytes: &[u8], fails: impl Fn(&[u8]) -> bool) {
    for len in damage_positions(bytes.len()) {
        assert!(fails(&bytes[..len]), "{name} cut to {len}");
    }
    let mut flipped = bytes.to_vec();
    for at in damage_positions(bytes.len()) {
        for bit in 0..8 {
            flipped[at] ^= 1 << bit;
            assert!(fails(&flipped), "{name}: bit {bit} of byte {at}");
            flipped[at] ^= 1 << bit;
        }
    }
}
