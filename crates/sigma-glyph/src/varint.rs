//! LEB128 varints, the one varint code of the workspace (session streams and codebook files use
//! it; v1 and v2 have fixed-width length prefixes instead).
//!
//! ```text
//! varint = (1 | 7 bits)* (0 | 7 bits)     seven bits a byte, least significant group first
//! ```
//!
//! Only the canonical form is read: no trailing zero group (`0x80 0x00` for 0 is refused, since
//! `0x00` says the same), at most [`MAX_LEN`] bytes, and no bits past the 64th. So every number
//! has exactly one encoding, and whatever decodes re-encodes to the same bytes.

use crate::Error;

/// The longest varint: 64 bits in groups of seven.
pub const MAX_LEN: usize = 10;

/// Appends `n`.
#[inline]
pub fn write(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The bytes [`write()`] takes for `n`.
#[inline]
pub const fn encoded_len(n: u64) -> usize {
    let bits = 64 - (n | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Reads the varint at `bytes[*pos..]` and moves `*pos` past it. Errors name the offset
/// `base + position` (so callers reading a part of a stream report offsets in the stream).
#[inline]
pub fn read(bytes: &[u8], pos: &mut usize, base: usize) -> Result<u64, Error> {
    let start = *pos;
    let mut value = 0u64;
    for (i, shift) in (0..MAX_LEN).map(|i| (i, 7 * i as u32)) {
        let at = start + i;
        let Some(&byte) = bytes.get(at) else {
            let available = bytes.len().saturating_sub(at);
            return Err(Error::UnexpectedEnd { offset: base + at, needed: 1, available });
        };
        // The tenth byte holds bit 63 only.
        if i == MAX_LEN - 1 && byte > 1 {
            return Err(Error::VarintOverflow { offset: base + start });
        }
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return Err(Error::NonCanonicalVarint { offset: base + start });
            }
            *pos = at + 1;
            return Ok(value);
        }
    }
    // The tenth byte is at most 1, so it never has the continuation bit.
    Err(Error::VarintOverflow { offset: base + start })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encoded(n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, n);
        out
    }

    #[test]
    fn known_encodings() {
        assert_eq!(encoded(0), [0x00]);
        assert_eq!(encoded(127), [0x7F]);
        assert_eq!(encoded(128), [0x80, 0x01]);
        assert_eq!(encoded(300), [0xAC, 0x02]);
        assert_eq!(encoded(u64::MAX), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
    }

    #[test]
    fn non_canonical_overlong_and_short_forms_are_errors() {
        let read_all = |bytes: &[u8]| read(bytes, &mut 0, 100);
        assert_eq!(read_all(&[0x80, 0x00]), Err(Error::NonCanonicalVarint { offset: 100 }));
        assert_eq!(read_all(&[0xFF, 0x80, 0x00]), Err(Error::NonCanonicalVarint { offset: 100 }));
        let mut eleven = [0x80u8; 11];
        eleven[10] = 0x00;
        assert_eq!(read_all(&eleven), Err(Error::VarintOverflow { offset: 100 }));
        // Bit 64 and above: a tenth byte of 2 (the old codebook reader dropped these bits).
        let over = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        assert_eq!(read_all(&over), Err(Error::VarintOverflow { offset: 100 }));
        assert_eq!(read_all(&[0x80]), Err(Error::UnexpectedEnd { offset: 101, needed: 1, available: 0 }));
        assert_eq!(read_all(&[]), Err(Error::UnexpectedEnd { offset: 100, needed: 1, available: 0 }));
    }

    #[test]
    fn reading_moves_past_the_varint() {
        let bytes = [0x05, 0xAC, 0x02, 0x07];
        let mut pos = 1;
        assert_eq!(read(&bytes, &mut pos, 0), Ok(300));
        assert_eq!(pos, 3);
    }

    proptest! {
        #[test]
        fn every_number_round_trips_in_its_length(n in any::<u64>()) {
            let bytes = encoded(n);
            prop_assert_eq!(bytes.len(), encoded_len(n));
            let mut pos = 0;
            prop_assert_eq!(read(&bytes, &mut pos, 0), Ok(n));
            prop_assert_eq!(pos, bytes.len());
        }

        #[test]
        fn whatever_reads_re_encodes_to_the_same_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            let mut pos = 0;
            if let Ok(n) = read(&bytes, &mut pos, 0) {
                prop_assert_eq!(&encoded(n)[..], &bytes[..pos]);
            }
        }
    }
}
