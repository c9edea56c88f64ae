//! Writing v1 glyph streams into a caller's buffer.

use sigma_primitives::Primitive;

use super::{
    CRC, END_MARKER, GlyphKind, HAS_PAYLOAD_BIT, HEADER_LEN, Header, MAX_CONTEXT_ID, MAX_GLYPHS,
    MAX_INLINE_PRIMITIVE, MAX_PAYLOAD_LEN, PRIMITIVE_ESCAPE, SHORT_LENGTH_LIMIT, VERSION,
};
use crate::Error;

/// Appends one v1 stream to a `Vec<u8>` the caller owns and may reuse.
///
/// [`Writer::new`] reserves the header, each [`Writer::glyph`] appends a glyph, and
/// [`Writer::finish`] fills in the glyph count and appends the checksum. Bytes already in the
/// buffer before `new` are left alone. If a call fails, the buffer holds a partial stream; the
/// caller truncates it (see [`Writer::start`]).
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    context_id: u16,
    glyph_count: usize,
}

impl<'b> Writer<'b> {
    /// Starts a stream with this context id (0 for a standalone tree).
    pub fn new(buf: &'b mut Vec<u8>, context_id: u16) -> Result<Writer<'b>, Error> {
        if context_id > MAX_CONTEXT_ID {
            return Err(Error::ContextIdTooLarge { context_id, limit: MAX_CONTEXT_ID });
        }
        let start = buf.len();
        buf.extend_from_slice(&[0; HEADER_LEN]);
        Ok(Writer { buf, start, context_id, glyph_count: 0 })
    }

    /// Where in the buffer this stream starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Glyphs written so far.
    pub fn glyph_count(&self) -> usize {
        self.glyph_count
    }

    fn count_one(&mut self) -> Result<(), Error> {
        if self.glyph_count == MAX_GLYPHS {
            return Err(Error::TooManyGlyphs { limit: MAX_GLYPHS });
        }
        self.glyph_count += 1;
        Ok(())
    }

    /// Appends a glyph: the first byte, the escaped id if above 30, and the payload with its
    /// length prefix if there is one (an empty payload is written, as `0x00`; `None` is not).
    pub fn glyph(
        &mut self,
        kind: GlyphKind,
        primitive: Primitive,
        payload: Option<&[u8]>,
    ) -> Result<(), Error> {
        if let Some(payload) = payload
            && payload.len() > MAX_PAYLOAD_LEN
        {
            return Err(Error::PayloadTooLong { length: payload.len(), limit: MAX_PAYLOAD_LEN });
        }
        self.count_one()?;
        let id = primitive.id();
        let mut first = (kind as u8) << 6;
        if payload.is_some() {
            first |= HAS_PAYLOAD_BIT;
        }
        if id <= MAX_INLINE_PRIMITIVE {
            self.buf.push(first | id);
        } else {
            self.buf.extend_from_slice(&[first | PRIMITIVE_ESCAPE, id]);
        }
        if let Some(payload) = payload {
            let len = payload.len();
            if len < SHORT_LENGTH_LIMIT {
                self.buf.push(len as u8);
            } else {
                self.buf.extend_from_slice(&[0x80 | (len >> 8) as u8, len as u8]);
            }
            self.buf.extend_from_slice(payload);
        }
        Ok(())
    }

    /// Appends the end-of-children marker, the byte `0x0B`.
    pub fn end_marker(&mut self) -> Result<(), Error> {
        self.count_one()?;
        self.buf.push(END_MARKER);
        Ok(())
    }

    /// Fills in the header and appends the checksum; returns the stream's length in bytes.
    pub fn finish(self) -> usize {
        let header = Header {
            version: VERSION,
            flags: 0,
            context_id: self.context_id,
            glyph_count: self.glyph_count as u16,
        };
        let stream = self.buf.get_mut(self.start..);
        debug_assert!(stream.is_some(), "the stream starts inside the buffer");
        let stream = stream.unwrap_or_default();
        if let Some(slot) = stream.get_mut(..HEADER_LEN) {
            slot.copy_from_slice(&header.to_u32().to_be_bytes());
        }
        let crc = CRC.checksum(stream);
        self.buf.extend_from_slice(&crc.to_be_bytes());
        self.buf.len() - self.start
    }
}
