//! `Cursor`: checked reads over a part of a stream, every error naming its offset in the whole
//! stream. The session and codebook readers are written on it.

use crate::{Error, varint};

/// A position in `bytes`, which start at offset `base` of the stream being read.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`, which sit at offset `base` in the stream.
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Cursor<'a> {
        Cursor { bytes, pos: 0, base }
    }

    /// The stream offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes read so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        let rest = self.bytes.get(self.pos..);
        debug_assert!(rest.is_some(), "the cursor never moves past its bytes");
        rest.unwrap_or_default()
    }

    fn cut_short(&self, needed: usize) -> Error {
        Error::UnexpectedEnd { offset: self.offset(), needed, available: self.remaining() }
    }

    pub(crate) fn byte(&mut self) -> Result<u8, Error> {
        let byte = self.bytes.get(self.pos).copied().ok_or_else(|| self.cut_short(1))?;
        self.pos += 1;
        Ok(byte)
    }

    pub(crate) fn varint(&mut self) -> Result<u64, Error> {
        varint::read(self.bytes, &mut self.pos, self.base)
    }

    /// A varint that must be within `min..=max`, or a [`Error::FieldOutOfRange`] naming `field`.
    pub(crate) fn varint_in(&mut self, field: &'static str, min: usize, max: usize) -> Result<usize, Error> {
        let offset = self.offset();
        let found = self.varint()?;
        in_range(offset, field, found, min, max)
    }

    /// The next `len` bytes.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(len).ok_or_else(|| self.cut_short(len))?;
        let slice = self.bytes.get(self.pos..end).ok_or_else(|| self.cut_short(len))?;
        self.pos = end;
        Ok(slice)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let at = self.offset();
        let slice = self.take(N)?;
        // `take` gave exactly N bytes.
        slice.try_into().map_err(|_| Error::UnexpectedEnd { offset: at, needed: N, available: slice.len() })
    }

    /// The next `len` bytes as UTF-8 (an error names the first invalid byte).
    pub(crate) fn text(&mut self, len: usize) -> Result<&'a str, Error> {
        let at = self.offset();
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 { offset: at + e.valid_up_to() })
    }

    /// `Ok` if every byte was read; else [`Error::ExtraBytes`] naming what they follow.
    pub(crate) fn finish(&self, after: &'static str) -> Result<(), Error> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(Error::ExtraBytes { offset: self.offset(), count, after }),
        }
    }
}

/// `found` as a `usize` if it is within `min..=max`, or a [`Error::FieldOutOfRange`] naming
/// `field` at `offset`.
pub(crate) fn in_range(
    offset: usize,
    field: &'static str,
    found: u64,
    min: usize,
    max: usize,
) -> Result<usize, Error> {
    match usize::try_from(found) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Error::FieldOutOfRange { offset, field, found, min: min as u64, max: max as u64 }),
    }
}
