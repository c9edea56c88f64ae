//! Reading v2 messages without copying.

use sigma_primitives::Primitive;

use super::compact::{COMPACT_FLAG, SHORT_CHECK_FLAG, SHORT_CHECK_MAX, crc8};
use super::{
    CODE_MASK, CRC_LEN, ESCAPE, FORMAT_BYTE, HAS_CHILDREN, HAS_VALUE, LAST_SIBLING, LONG_LENGTH_PREFIX,
    MAX_PALETTE, MEDIUM_LENGTH_LIMIT, MIN_MESSAGE_LEN, PALETTE_FLAG, RESERVED_FLAGS, SHORT_LENGTH_LIMIT,
    crc32c,
};
use crate::Error;

/// One node as read from a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node<'a> {
    /// Offset of the node's tag.
    pub offset: usize,
    /// The primitive.
    pub primitive: Primitive,
    /// Whether the id was written in full after the tag.
    pub escaped: bool,
    /// The value, if the has-value bit is set.
    pub value: Option<&'a str>,
    /// Whether the node's children follow it.
    pub has_children: bool,
    /// Whether the node is its parent's last child.
    pub last_sibling: bool,
}

/// One node as read by [`Reader::next_raw`]: the value's bytes are not checked to be UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawNode<'a> {
    /// Offset of the node's tag.
    pub offset: usize,
    /// The primitive.
    pub primitive: Primitive,
    /// The tag's primitive code (0–30: an identity or palette code; 31: escaped).
    pub code: u8,
    /// The value's bytes, if the has-value bit is set.
    pub value: Option<&'a [u8]>,
    /// Offset of the value's first byte (after its length; meaningless without a value).
    pub value_offset: usize,
    /// Whether the node's children follow it.
    pub has_children: bool,
    /// Whether the node is its parent's last child.
    pub last_sibling: bool,
}

/// A v2 message's envelope, checked: format byte, check, palette. Shared by [`Reader`] (plain
/// messages) and [`CompactReader`](super::CompactReader).
#[derive(Clone, Debug)]
pub(crate) struct Header<'a> {
    message: &'a [u8],
    /// Offset of the check: nodes end here.
    pub(crate) end: usize,
    /// Offset of the first node.
    pub(crate) nodes_start: usize,
    /// The palette's ids (codes index it), empty without one (codes are ids).
    pub(crate) palette: &'a [u8],
}

impl<'a> Header<'a> {
    /// Checks length, format byte and check (CRC-32C, or CRC-8 for a short compact message),
    /// then reads the palette.
    #[inline(always)]
    pub(crate) fn parse(message: &'a [u8]) -> Result<Header<'a>, Error> {
        let len = message.len();
        let Some(&first) = message.first() else {
            return Err(Error::TooShort { len, min: MIN_MESSAGE_LEN });
        };
        if first & 0xF0 != FORMAT_BYTE {
            return Err(Error::BadFormatByte {
                offset: 0,
                byte: first,
                expected: "a v2 format byte (0xa0-0xa7)",
            });
        }
        let compact = first & COMPACT_FLAG != 0;
        let short = first & SHORT_CHECK_FLAG != 0;
        let reserved = if compact { RESERVED_FLAGS } else { RESERVED_FLAGS | SHORT_CHECK_FLAG };
        if first & reserved != 0 {
            return Err(Error::UnknownFlags { offset: 0, flags: first & reserved });
        }
        let (check_len, min) = if short { (1, 3) } else { (CRC_LEN, MIN_MESSAGE_LEN) };
        if len < min {
            return Err(Error::TooShort { len, min });
        }
        let end = len - check_len;
        let (covered, stored) = message.split_at_checked(end).ok_or(Error::TooShort { len, min })?;
        if compact && short != (end <= SHORT_CHECK_MAX) {
            return Err(Error::NonCanonicalCheck { offset: 0, covered: end, short });
        }
        if short {
            let stored = stored.first().copied().unwrap_or(0);
            let computed = crc8(covered);
            if stored != computed {
                return Err(Error::ChecksumMismatch {
                    offset: end,
                    stored: u32::from(stored),
                    computed: u32::from(computed),
                });
            }
        } else {
            let stored = u32::from_be_bytes(*stored.first_chunk::<4>().ok_or(Error::TooShort { len, min })?);
            let computed = crc32c(covered);
            if stored != computed {
                return Err(Error::ChecksumMismatch { offset: end, stored, computed });
            }
        }
        let mut header = Header { message, end, nodes_start: 1, palette: &[] };
        if first & PALETTE_FLAG != 0 {
            header.read_palette()?;
        }
        Ok(header)
    }

    fn read_palette(&mut self) -> Result<(), Error> {
        let count_at = self.nodes_start;
        let count = usize::from(self.byte(count_at)?);
        if count == 0 || count > MAX_PALETTE {
            return Err(Error::NonCanonicalPalette {
                offset: count_at,
                reason: "a palette has 1 to 31 entries",
            });
        }
        let entries = self.take(count_at + 1, count)?;
        let mut previous: Option<u8> = None;
        for (code, &id) in entries.iter().enumerate() {
            if previous.is_some_and(|p| p >= id) {
                return Err(Error::NonCanonicalPalette {
                    offset: count_at + 1 + code,
                    reason: "palette entries must ascend strictly",
                });
            }
            previous = Some(id);
        }
        self.palette = entries;
        self.nodes_start = count_at + 1 + count;
        Ok(())
    }

    /// Whether the message is compact (read from the format byte: no field to copy around).
    #[inline]
    pub(crate) fn compact(&self) -> bool {
        self.message.first().is_some_and(|&b| b & COMPACT_FLAG != 0)
    }

    /// The bytes before the check.
    #[inline]
    pub(crate) fn node_bytes(&self) -> &'a [u8] {
        self.message.get(..self.end).unwrap_or_default()
    }

    #[inline]
    pub(crate) fn byte(&self, at: usize) -> Result<u8, Error> {
        if at >= self.end {
            return Err(Error::UnexpectedEnd { offset: at, needed: 1, available: 0 });
        }
        self.message.get(at).copied().ok_or(Error::UnexpectedEnd { offset: at, needed: 1, available: 0 })
    }

    #[inline]
    pub(crate) fn take(&self, at: usize, len: usize) -> Result<&'a [u8], Error> {
        let available = self.end.saturating_sub(at);
        if len > available {
            return Err(Error::UnexpectedEnd { offset: at, needed: len, available });
        }
        self.message.get(at..at + len).ok_or(Error::UnexpectedEnd { offset: at, needed: len, available })
    }

    /// Reads the tag (and escaped id) of the node at `offset`: the tag, the primitive, the code
    /// and the offset after them.
    #[inline(always)]
    pub(crate) fn tag(&self, offset: usize) -> Result<(u8, Primitive, u8, usize), Error> {
        let tag = self.byte(offset)?;
        let code = tag & CODE_MASK;
        let id = if self.palette.is_empty() {
            (code < ESCAPE).then_some(code)
        } else {
            self.palette.get(usize::from(code)).copied()
        };
        let (id, escaped) = match id {
            Some(id) => (id, false),
            None => (self.escaped_id(offset, code)?, true),
        };
        Ok((tag, Primitive::new(id), code, offset + 1 + usize::from(escaped)))
    }

    /// The id written in full after an escape tag at `offset` (code has no palette entry).
    #[cold]
    fn escaped_id(&self, offset: usize, code: u8) -> Result<u8, Error> {
        if code == ESCAPE && self.palette.is_empty() {
            let id = self.byte(offset + 1)?;
            if id < ESCAPE {
                return Err(Error::NonCanonicalEscape { offset, id });
            }
            return Ok(id);
        }
        Err(Error::PaletteCode { offset, code, palette_len: self.palette.len() })
    }
}

/// A checked plain v2 message, read node by node.
///
/// [`Reader::new`] checks the length, the format byte and the CRC, and reads the palette.
/// [`Reader::next_node`] then reads one node at a time; tree structure is the caller's to check
/// (the reader does not know when the tree ends). [`Reader::at_end`] says whether the nodes are
/// all read. Compact messages are refused: [`CompactReader`](super::CompactReader) reads them.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    header: Header<'a>,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Checks length, format byte and CRC, then reads the palette.
    #[inline(always)]
    pub fn new(message: &'a [u8]) -> Result<Reader<'a>, Error> {
        let header = Header::parse(message)?;
        if header.compact() {
            return Err(Error::BadFormatByte {
                offset: 0,
                byte: message.first().copied().unwrap_or(0),
                expected: "a plain v2 format byte (0xa0 or 0xa1)",
            });
        }
        Ok(Reader { pos: header.nodes_start, header })
    }

    /// The palette's primitive ids, empty without one.
    pub fn palette(&self) -> &'a [u8] {
        self.header.palette
    }

    /// Whether a palette is in use.
    pub fn has_palette(&self) -> bool {
        !self.header.palette.is_empty()
    }

    /// Offset of the next node (or of the CRC once all are read).
    #[inline]
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Whether every node byte has been read.
    #[inline]
    pub fn at_end(&self) -> bool {
        self.pos >= self.header.end
    }

    /// Node bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.header.end.saturating_sub(self.pos)
    }

    /// Reads a length at `at`; returns it and the offset after it.
    #[inline]
    fn length(&self, at: usize) -> Result<(usize, usize), Error> {
        let lead = self.header.byte(at)?;
        if usize::from(lead) < SHORT_LENGTH_LIMIT {
            return Ok((usize::from(lead), at + 1));
        }
        let low = self.header.byte(at + 1)?;
        if [lead, low] == LONG_LENGTH_PREFIX {
            let bytes = self.header.take(at + 2, 4)?;
            let bytes = bytes.first_chunk::<4>().ok_or(Error::UnexpectedEnd {
                offset: at + 2,
                needed: 4,
                available: bytes.len(),
            })?;
            let len = u32::from_be_bytes(*bytes) as usize;
            if len < MEDIUM_LENGTH_LIMIT {
                return Err(Error::NonCanonicalLength { offset: at, length: len });
            }
            return Ok((len, at + 6));
        }
        let len = usize::from(lead & 0x7F) << 8 | usize::from(low);
        if len < SHORT_LENGTH_LIMIT {
            return Err(Error::NonCanonicalLength { offset: at, length: len });
        }
        Ok((len, at + 2))
    }

    /// The next node. Reading past the last node is an `UnexpectedEnd` error; a value that is
    /// not UTF-8 is an `InvalidUtf8` error.
    pub fn next_node(&mut self) -> Result<Node<'a>, Error> {
        let raw = self.next_raw()?;
        let value = match raw.value.map(std::str::from_utf8) {
            None => None,
            Some(Ok(text)) => Some(text),
            Some(Err(e)) => return Err(Error::InvalidUtf8 { offset: raw.value_offset + e.valid_up_to() }),
        };
        Ok(Node {
            offset: raw.offset,
            primitive: raw.primitive,
            escaped: raw.code == ESCAPE,
            value,
            has_children: raw.has_children,
            last_sibling: raw.last_sibling,
        })
    }

    /// The next node, its value unchecked: for decoders that check all values' UTF-8 at once
    /// (far faster than value by value). Otherwise as [`Reader::next_node`].
    #[inline(always)]
    pub fn next_raw(&mut self) -> Result<RawNode<'a>, Error> {
        let offset = self.pos;
        let (tag, primitive, code, mut at) = self.header.tag(offset)?;
        let mut value_offset = at;
        let value = if tag & HAS_VALUE == 0 {
            None
        } else {
            let (len, value_at) = self.length(at)?;
            let bytes = self.header.take(value_at, len)?;
            value_offset = value_at;
            at = value_at + len;
            Some(bytes)
        };
        self.pos = at;
        Ok(RawNode {
            offset,
            primitive,
            code,
            value,
            value_offset,
            has_children: tag & HAS_CHILDREN != 0,
            last_sibling: tag & LAST_SIBLING != 0,
        })
    }
}
