//! Writing v2 messages into a caller's buffer.

use sigma_primitives::Primitive;

use super::{
    ESCAPE, FORMAT_BYTE, HAS_CHILDREN, HAS_VALUE, LAST_SIBLING, LONG_LENGTH_PREFIX, MAX_VALUE_LEN,
    MEDIUM_LENGTH_LIMIT, PALETTE_FLAG, PrimitiveCoding, SHORT_LENGTH_LIMIT, crc32c,
};
use crate::Error;

/// Appends one v2 message to a `Vec<u8>` the caller owns and may reuse.
///
/// [`Writer::new`] writes the format byte and palette, [`Writer::node`] appends nodes in
/// pre-order, [`Writer::finish`] appends the CRC. Structure (which node is last, that the tree is
/// complete) is the caller's to get right; the reader checks it.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    /// Code of each primitive id; `ESCAPE` for ids written in full.
    codes: [u8; 256],
}

impl<'b> Writer<'b> {
    /// Starts a message with this primitive coding.
    pub fn new(buf: &'b mut Vec<u8>, coding: &PrimitiveCoding) -> Writer<'b> {
        let start = buf.len();
        let mut codes = [ESCAPE; 256];
        match coding {
            PrimitiveCoding::Identity => {
                buf.push(FORMAT_BYTE);
                for (id, code) in codes.iter_mut().enumerate().take(usize::from(ESCAPE)) {
                    *code = id as u8;
                }
            }
            PrimitiveCoding::Palette(palette) => {
                let ids = palette.ids();
                buf.push(FORMAT_BYTE | PALETTE_FLAG);
                buf.push(ids.len() as u8);
                buf.extend_from_slice(ids);
                for (code, &id) in ids.iter().enumerate() {
                    if let Some(slot) = codes.get_mut(usize::from(id)) {
                        *slot = code as u8;
                    }
                }
            }
        }
        Writer { buf, start, codes }
    }

    /// Where in the buffer this message starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Appends a node: tag, escaped id if needed, and the value with its length if there is one.
    pub fn node(
        &mut self,
        primitive: Primitive,
        value: Option<&[u8]>,
        has_children: bool,
        last_sibling: bool,
    ) -> Result<(), Error> {
        let id = primitive.id();
        let code = self.codes.get(usize::from(id)).copied().unwrap_or(ESCAPE);
        let mut tag = code;
        if has_children {
            tag |= HAS_CHILDREN;
        }
        if value.is_some() {
            tag |= HAS_VALUE;
        }
        if last_sibling {
            tag |= LAST_SIBLING;
        }
        if code == ESCAPE {
            self.buf.extend_from_slice(&[tag, id]);
        } else {
            self.buf.push(tag);
        }
        if let Some(value) = value {
            write_length(self.buf, value.len())?;
            self.buf.extend_from_slice(value);
        }
        Ok(())
    }

    /// Appends the CRC; returns the message's length in bytes.
    pub fn finish(self) -> usize {
        let crc = crc32c(self.buf.get(self.start..).unwrap_or_default());
        self.buf.extend_from_slice(&crc.to_be_bytes());
        self.buf.len() - self.start
    }
}

/// Appends a length in its canonical form.
pub(crate) fn write_length(buf: &mut Vec<u8>, len: usize) -> Result<(), Error> {
    if len < SHORT_LENGTH_LIMIT {
        buf.push(len as u8);
    } else if len < MEDIUM_LENGTH_LIMIT {
        buf.extend_from_slice(&[0x80 | (len >> 8) as u8, len as u8]);
    } else {
        let len = u32::try_from(len)
            .map_err(|_| Error::PayloadTooLong { length: len, limit: MAX_VALUE_LEN as usize })?;
        buf.extend_from_slice(&LONG_LENGTH_PREFIX);
        buf.extend_from_slice(&len.to_be_bytes());
    }
    Ok(())
}
