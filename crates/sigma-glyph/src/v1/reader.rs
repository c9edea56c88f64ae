//! Reading v1 glyph streams without copying.

use sigma_primitives::Primitive;

use super::{
    CRC, CRC_LEN, Glyph, GlyphKind, HAS_PAYLOAD_BIT, HEADER_LEN, Header, MAX_INLINE_PRIMITIVE,
    MIN_STREAM_LEN, PRIMITIVE_ESCAPE, Payload, SHORT_LENGTH_LIMIT, VERSION,
};
use crate::Error;

/// A checked v1 stream, read glyph by glyph.
///
/// [`Reader::new`] checks everything that can be checked before parsing (length, checksum,
/// version, flags). Iterating then yields exactly the header's count of glyphs, each borrowing its
/// payload from the input, and finally checks that nothing is left before the checksum. Each
/// problem is an [`Error`] with its byte offset; after the first error the iterator is done.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    /// The whole stream, checksum included.
    stream: &'a [u8],
    header: Header,
    /// Offset of the next glyph.
    pos: usize,
    /// Offset of the checksum: glyphs end here.
    end: usize,
    /// Glyphs yielded so far.
    read: usize,
    done: bool,
}

impl<'a> Reader<'a> {
    /// Checks the stream's length, checksum, version and flags, in that order.
    pub fn new(stream: &'a [u8]) -> Result<Reader<'a>, Error> {
        let header = check(stream)?;
        Ok(Reader { stream, header, pos: HEADER_LEN, end: stream.len() - CRC_LEN, read: 0, done: false })
    }

    /// The stream's header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Offset of the next glyph (or of the checksum, once all glyphs are read).
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn byte(&self, at: usize) -> Result<u8, Error> {
        self.stream.get(at).copied().filter(|_| at < self.end).ok_or(Error::UnexpectedEnd {
            offset: at,
            needed: 1,
            available: 0,
        })
    }

    fn next_glyph(&mut self) -> Result<Glyph<'a>, Error> {
        let offset = self.pos;
        let first = self.byte(offset)?;
        let kind = GlyphKind::from_first_byte(first);
        let mut at = offset + 1;
        let mut id = first & PRIMITIVE_ESCAPE;
        if id == PRIMITIVE_ESCAPE {
            id = self.byte(at)?;
            if id <= MAX_INLINE_PRIMITIVE {
                return Err(Error::NonCanonicalEscape { offset, id });
            }
            at += 1;
        }
        let payload = if first & HAS_PAYLOAD_BIT == 0 {
            Payload::None
        } else {
            let prefix_at = at;
            let lead = self.byte(at)?;
            at += 1;
            let len = if usize::from(lead) < SHORT_LENGTH_LIMIT {
                usize::from(lead)
            } else {
                let low = self.byte(at)?;
                at += 1;
                let len = usize::from(lead & 0x7F) << 8 | usize::from(low);
                if len < SHORT_LENGTH_LIMIT {
                    return Err(Error::NonCanonicalLength { offset: prefix_at, length: len });
                }
                len
            };
            let available = self.end - at;
            if len > available {
                return Err(Error::UnexpectedEnd { offset: at, needed: len, available });
            }
            let bytes = self.stream.get(at..at + len);
            debug_assert!(bytes.is_some(), "checked against the bytes available");
            let bytes = bytes.unwrap_or_default();
            let payload_at = at;
            at += len;
            match kind {
                GlyphKind::Primitive | GlyphKind::Composite => match std::str::from_utf8(bytes) {
                    Ok(text) => Payload::Text(text),
                    Err(e) => return Err(Error::InvalidUtf8 { offset: payload_at + e.valid_up_to() }),
                },
                GlyphKind::Reference | GlyphKind::Delta => Payload::Bytes(bytes),
            }
        };
        self.pos = at;
        Ok(Glyph { offset, kind, primitive: Primitive::new(id), payload })
    }
}

/// Length, checksum, version and flags: everything checked before the first glyph is parsed.
fn check(stream: &[u8]) -> Result<Header, Error> {
    let len = stream.len();
    let (Some(covered), Some(&[hi, lo])) =
        (stream.get(..len.wrapping_sub(CRC_LEN)), stream.get(len.wrapping_sub(CRC_LEN)..))
    else {
        return Err(Error::TooShort { len, min: MIN_STREAM_LEN });
    };
    let Some(&[b0, b1, b2, b3]) = covered.get(..HEADER_LEN) else {
        return Err(Error::TooShort { len, min: MIN_STREAM_LEN });
    };
    let stored = u16::from_be_bytes([hi, lo]);
    let computed = CRC.checksum(covered);
    if stored != computed {
        return Err(Error::ChecksumMismatch {
            offset: covered.len(),
            stored: u32::from(stored),
            computed: u32::from(computed),
        });
    }
    let header = Header::from_u32(u32::from_be_bytes([b0, b1, b2, b3]));
    if header.version != VERSION {
        return Err(Error::UnsupportedVersion { offset: 0, version: header.version, expected: VERSION });
    }
    if header.flags != 0 {
        return Err(Error::UnknownFlags { offset: 0, flags: header.flags });
    }
    Ok(header)
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Glyph<'a>, Error>;

    fn next(&mut self) -> Option<Result<Glyph<'a>, Error>> {
        if self.done {
            return None;
        }
        let declared = usize::from(self.header.glyph_count);
        let result = if self.read == declared {
            self.done = true;
            if self.pos == self.end {
                return None;
            }
            Err(Error::TrailingBytes { offset: self.pos, count: self.end - self.pos, declared })
        } else if self.pos == self.end {
            Err(Error::GlyphCountMismatch { offset: self.pos, declared, found: self.read })
        } else {
            self.next_glyph()
        };
        match result {
            Ok(_) => self.read += 1,
            Err(_) => self.done = true,
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::from(self.header.glyph_count) - self.read;
        (0, Some(left + 1))
    }
}
