//! Compact v2: v2's nodes with values that name earlier ones (docs/FORMAT.md, "Compact v2").
//!
//! ```text
//! message = format [palette] node+ check
//! format  = 0xA2 | palette-flag (bit 0) | short-check (bit 2); bit 3 reserved, 0
//! node    = tag [escaped-id] [value]                 tag and escape exactly as in v2
//! value   = header payload
//! header  = varint (n << 2 | kind), n < 2^32
//!   kind 0  literal:   n bytes follow
//!   kind 1  reference: the value in slot n (nothing follows)
//!   kind 2  number:    n characters of [0-9 . - + e E], two to a byte, ceil(n / 2) bytes follow
//!   kind 3  prefix:    a byte s (1-255), then n bytes: the first s bytes of the previous text
//!                      value, followed by the n bytes
//! check   = CRC-8/AUTOSAR, 1 byte, if the bytes before it number at most 14 (short-check set)
//!         | CRC-32C, u32 big-endian, otherwise
//! ```
//!
//! Values of number characters only are *numbers*: packed (or a literal when one character),
//! never anything else. Every other value is *text*, and has a slot, [`slot`]: a hash of its bytes
//! picks one of 4,096. Reading in node order, a text value equal to the one its slot holds is a
//! reference to that slot; any other text value is written as a literal or, when that is smaller,
//! as a prefix of the *previous text value* (the last one written as a literal or a prefix), and
//! then takes its slot and becomes the previous text value. So each value has exactly one
//! encoding, and decoders check it ([`canonical_kind`]). This module reads and writes the wire
//! form and makes the choices; the slots themselves are the codec's.

use sigma_primitives::Primitive;

use super::{
    CODE_MASK, CodeUsage, ESCAPE, FORMAT_BYTE, HAS_CHILDREN, HAS_VALUE, Header, LAST_SIBLING, PrimitiveCoding,
};
use crate::{Error, varint};

/// Format-byte bit 1: the message is compact.
pub const COMPACT_FLAG: u8 = 0x02;
/// Format-byte bit 2 (compact only): the check is one byte of CRC-8.
pub const SHORT_CHECK_FLAG: u8 = 0x04;
/// A compact message whose bytes before the check number at most this many takes the one-byte
/// check; CRC-8/AUTOSAR (polynomial 0x2F) detects every error of up to three bits in up to 119
/// bits of data, so every one- to three-bit error of such a message is caught.
pub const SHORT_CHECK_MAX: usize = 14;
/// The longest shared prefix a prefix value names.
pub const MAX_SHARED: usize = 255;
/// The largest header: `n` below 2^32, shifted left by two.
const MAX_HEADER: u64 = (u32::MAX as u64) << 2 | 3;

/// CRC-8/AUTOSAR, the short check.
pub fn crc8(bytes: &[u8]) -> u8 {
    CRC8.checksum(bytes)
}

const CRC8: crc::Crc<u8> = crc::Crc::<u8>::new(&crc::CRC_8_AUTOSAR);

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Its bytes.
    Literal = 0,
    /// A slot's value.
    Reference = 1,
    /// Number characters, two to a byte.
    Number = 2,
    /// The start of the previous text value, then bytes.
    Prefix = 3,
}

/// A value as a compact message holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompactValue<'a> {
    /// The value's bytes.
    Literal(&'a [u8]),
    /// The value in slot `n`.
    Reference(u32),
    /// `len` number characters packed in `packed` (checked: every nibble a character, the pad
    /// of an odd count 0xF).
    Number {
        /// The packed characters.
        packed: &'a [u8],
        /// How many characters.
        len: u32,
    },
    /// The first `shared` bytes of the previous text value, then `suffix`.
    Prefix {
        /// Bytes shared with the previous text value (1–255).
        shared: u8,
        /// The bytes after them.
        suffix: &'a [u8],
    },
}

impl CompactValue<'_> {
    /// The value's kind.
    pub fn kind(&self) -> ValueKind {
        match self {
            CompactValue::Literal(_) => ValueKind::Literal,
            CompactValue::Reference(_) => ValueKind::Reference,
            CompactValue::Number { .. } => ValueKind::Number,
            CompactValue::Prefix { .. } => ValueKind::Prefix,
        }
    }
}

/// The nibble of each number character; `NOT_A_DIGIT` for every other byte.
#[allow(clippy::indexing_slicing)] // evaluated at compile time: an index out of range fails the build
const NIBBLES: [u8; 256] = {
    let mut table = [NOT_A_DIGIT; 256];
    let mut nibble = 0;
    while nibble < NUMBER_CHARS.len() {
        if NUMBER_CHARS[nibble] != 0 {
            table[NUMBER_CHARS[nibble] as usize] = nibble as u8;
        }
        nibble += 1;
    }
    table
};
const NOT_A_DIGIT: u8 = 0xFF;
/// The character of each nibble (0 for the pad, 15). Digits and `+ - .` are their ASCII code's
/// low four bits, so eight of them pack with a few word operations; `e` and `E` take the two
/// nibbles left.
pub const NUMBER_CHARS: [u8; 16] = *b"0123456789e+E-.\0";
/// The nibble after an odd count of characters.
pub const PAD: u8 = 0x0F;

/// The two characters of each packed byte (`0` where a nibble is the pad).
#[allow(clippy::indexing_slicing)] // evaluated at compile time
const PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte][0] = NUMBER_CHARS[byte >> 4];
        table[byte][1] = NUMBER_CHARS[byte & 0x0F];
        byte += 1;
    }
    table
};

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether every byte of `word` is a digit or one of `+ - .` (0x2B–0x39 but for `,` and `/`).
#[inline(always)]
fn plain_number_word(word: u64) -> bool {
    let has_zero = |x: u64| x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS != 0;
    // Bytes below 0x80 plus at most 0x55 carry into no other byte.
    let in_range = word.wrapping_add((0x80 - 0x2B) * LOW_BITS) & !word.wrapping_add((0x80 - 0x3A) * LOW_BITS);
    word & HIGH_BITS == 0
        && in_range & HIGH_BITS == HIGH_BITS
        && !has_zero(word ^ (b',' as u64 * LOW_BITS))
        && !has_zero(word ^ (b'/' as u64 * LOW_BITS))
}

#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes)
}

/// Whether `byte` is a number character: a value that does not start with one is text.
#[inline(always)]
pub fn is_number_char(byte: u8) -> bool {
    NIBBLES.get(usize::from(byte)).is_some_and(|&n| n != NOT_A_DIGIT)
}

/// Whether every byte of `value` is a number character, `0-9 . - + e E` (an empty value is not a
/// number). Eight bytes at a time while they hold no exponent letter.
#[inline]
pub fn is_number(value: &[u8]) -> bool {
    let n = value.len();
    if n < 8 {
        return n > 0
            && value.iter().all(|&b| NIBBLES.get(usize::from(b)).is_some_and(|&n| n != NOT_A_DIGIT));
    }
    // Whole words, the last one overlapping the one before: exponent letters (rare) send the
    // word they are in to the byte-by-byte check.
    let mut at = 0;
    loop {
        let word_start = if at + 8 <= n { at } else { n - 8 };
        let word = word_at(value, word_start).unwrap_or(0);
        if !plain_number_word(word) {
            let bytes = value.get(word_start..word_start + 8).unwrap_or_default();
            if !bytes.iter().all(|&b| NIBBLES.get(usize::from(b)).is_some_and(|&n| n != NOT_A_DIGIT)) {
                return false;
            }
        }
        if word_start + 8 >= n {
            return true;
        }
        at += 8;
    }
}

/// Slots that text values are kept in: a reference names one.
pub const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_BITS: u32 = 12;

/// The slot of a text value `v` of `n` bytes: the top 12 bits of `h` after folding words `w` into
/// `h = n` as `h = (rotl(h, 5) ^ w) * 0x9E3779B97F4A7C15`. The words, little-endian: for
/// `n >= 8`, the 8 bytes at 0, 8, 16, … while more than 8 bytes follow, then the last 8 bytes
/// (which may overlap the word before); for `4 <= n < 8`, one word of `v[0..4]` then
/// `v[n-4..n]`; for `1 <= n < 4`, one word of the bytes `v[0]`, `v[n/2]`, `v[n-1]`; for `n = 0`,
/// none. Part of the format: the encoder and every decoder must pick the same slots.
#[inline]
pub fn slot(value: &[u8]) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let fold = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let n = value.len();
    let mut h = n as u64;
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            h = fold(h, word_at(value, at).unwrap_or(0));
            at += 8;
        }
        h = fold(h, word_at(value, n - 8).unwrap_or(0));
    } else if n >= 4 {
        let half = |at: usize| {
            value.get(at..at + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map_or(0, u32::from_le_bytes)
        };
        h = fold(h, u64::from(half(0)) | u64::from(half(n - 4)) << 32);
    } else if n >= 1 {
        let byte = |at: usize| u64::from(value.get(at).copied().unwrap_or(0));
        h = fold(h, byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16);
    }
    (h >> (64 - SLOT_BITS)) as usize
}

/// A text value that shares at least this many bytes with the previous text value is written as
/// a prefix of it.
pub const MIN_SHARED: usize = 4;

/// The one canonical kind of a value of `len` bytes: a number (`number`: every byte a number
/// character) is packed, or a literal when it is one character; a text value that shares at
/// least [`MIN_SHARED`] bytes with the previous text value (`shared`, capped at [`MAX_SHARED`])
/// is a prefix; any other text value is a reference when its slot holds it (`in_slot`), else a
/// literal. Decoders check every value against it; the encoder makes the same choices, in this
/// order, computing only what each step needs.
#[inline]
pub fn canonical_kind(len: usize, number: bool, shared: usize, in_slot: bool) -> ValueKind {
    if number {
        if len >= 2 { ValueKind::Number } else { ValueKind::Literal }
    } else if shared >= MIN_SHARED {
        ValueKind::Prefix
    } else if in_slot {
        ValueKind::Reference
    } else {
        ValueKind::Literal
    }
}

/// The bytes `a` and `b` start with in common, at most [`MAX_SHARED`].
#[inline]
pub fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    let limit = a.len().min(b.len()).min(MAX_SHARED);
    let mut at = 0;
    while at + 8 <= limit {
        let diff = word_at(a, at).unwrap_or(0) ^ word_at(b, at).unwrap_or(0);
        if diff != 0 {
            return at + (diff.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < limit && a.get(at) == b.get(at) {
        at += 1;
    }
    at
}

/// The nibble of a number character (the pad for any other byte: callers pass number
/// characters only).
#[inline(always)]
fn nibble(b: u8) -> u8 {
    NIBBLES.get(usize::from(b)).copied().unwrap_or(PAD) & 0x0F
}

/// The four packed bytes (little-endian) of eight characters that are digits or `+ - .`: each
/// one's nibble is its low four bits.
#[inline(always)]
fn pack_plain_word(word: u64) -> u32 {
    let x = word & (0x0F * LOW_BITS);
    let y = (x << 4 | x >> 8) & 0x00FF_00FF_00FF_00FF;
    let y = (y | y >> 8) & 0x0000_FFFF_0000_FFFF;
    (y | y >> 16) as u32
}

/// Packs `text` (number characters) into `out`, which holds exactly `ceil(len / 2)` bytes:
/// eight characters a step when they are digits or `+ - .` (their nibbles are their low bits).
#[inline]
fn pack_number_into(text: &[u8], out: &mut [u8]) {
    let mut at = 0;
    let mut to = 0;
    while let (Some(word), Some(dst)) = (word_at(text, at), out.get_mut(to..to + 4)) {
        if word & (0x40 * LOW_BITS) != 0 {
            break; // an exponent letter: byte by byte from here
        }
        let y = pack_plain_word(word);
        dst.copy_from_slice(&y.to_le_bytes());
        at += 8;
        to += 4;
    }
    let rest = text.get(at..).unwrap_or_default();
    let mut pairs = rest.chunks_exact(2);
    let mut slots = out.get_mut(to..).unwrap_or_default().iter_mut();
    for (pair, slot) in (&mut pairs).zip(&mut slots) {
        if let [a, b] = pair {
            *slot = nibble(*a) << 4 | nibble(*b);
        }
    }
    if let ([last], Some(slot)) = (pairs.remainder(), slots.next()) {
        *slot = nibble(*last) << 4 | PAD;
    }
}

/// The most characters [`pack_if_number`] packs: a chunk's worth.
pub const MAX_PACKED_CHARS: usize = 2 * CHUNK;

/// If `value` (at most [`MAX_PACKED_CHARS`] bytes) is a number, its characters packed into
/// `out` and how many bytes they take; `None` for text (or a longer value). One pass: each
/// word is checked and packed at once.
#[inline]
pub fn pack_if_number(value: &[u8], out: &mut [u8; CHUNK]) -> Option<usize> {
    let n = value.len();
    if n == 0 || n > MAX_PACKED_CHARS {
        return None;
    }
    let mut at = 0;
    let mut to = 0;
    while let Some(word) = word_at(value, at) {
        if !plain_number_word(word) {
            break; // an exponent letter, or text: byte by byte from here
        }
        let y = pack_plain_word(word);
        if let Some(dst) = out.get_mut(to..to + 4) {
            dst.copy_from_slice(&y.to_le_bytes());
        }
        at += 8;
        to += 4;
    }
    let rest = value.get(at..).unwrap_or_default();
    let mut pairs = rest.chunks_exact(2);
    for pair in &mut pairs {
        if let [a, b] = pair {
            let (a, b) = (NIBBLES.get(usize::from(*a)).copied()?, NIBBLES.get(usize::from(*b)).copied()?);
            if (a | b) == NOT_A_DIGIT || a == NOT_A_DIGIT || b == NOT_A_DIGIT {
                return None;
            }
            if let Some(slot) = out.get_mut(to) {
                *slot = a << 4 | b;
            }
            to += 1;
        }
    }
    if let [last] = pairs.remainder() {
        let a = NIBBLES.get(usize::from(*last)).copied()?;
        if a == NOT_A_DIGIT {
            return None;
        }
        if let Some(slot) = out.get_mut(to) {
            *slot = a << 4 | PAD;
        }
        to += 1;
    }
    Some(to)
}

/// Appends `value` (number characters only) packed two to a byte, an odd count padded with 0xF.
#[inline]
pub fn pack_number(value: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + value.len().div_ceil(2), 0);
    pack_number_into(value, out.get_mut(start..).unwrap_or_default());
}

/// Appends the `len` characters packed in `packed` (whose length [`CompactReader`] checked);
/// `Err(i)` if byte `i` of `packed` holds the pad (0xF) anywhere but after an odd count's last
/// character, or lacks it there (nothing is appended then).
#[inline]
pub fn unpack_number(packed: &[u8], len: usize, out: &mut Vec<u8>) -> Result<(), usize> {
    let start = out.len();
    out.reserve(len + 8);
    let whole = len / 2;
    let mut i = 0;
    // Four packed bytes at a time while they hold digits and `+ - .` only.
    while i + 4 <= whole {
        let Some(quad) = packed.get(i..i + 4).and_then(|q| <[u8; 4]>::try_from(q).ok()) else { break };
        let Some(chars) = unpack_plain(u32::from_le_bytes(quad)) else { break };
        out.extend_from_slice(&chars.to_le_bytes());
        i += 4;
    }
    for (at, &byte) in packed.iter().enumerate().take(whole).skip(i) {
        if byte >> 4 == PAD || byte & 0x0F == PAD {
            out.truncate(start);
            return Err(at);
        }
        out.extend_from_slice(PAIRS.get(usize::from(byte)).unwrap_or(&[0, 0]));
    }
    if len % 2 == 1 {
        let last = packed.get(whole).copied().unwrap_or(0xFF);
        if last >> 4 == PAD || last & 0x0F != PAD {
            out.truncate(start);
            return Err(whole);
        }
        out.push(PAIRS.get(usize::from(last)).map_or(0, |p| p[0]));
    }
    Ok(())
}

/// The eight characters packed in `quad` (little-endian), if every nibble is a digit or one of
/// `+ - .` (whose characters are `0x30 | nibble` and `0x20 | nibble`).
#[inline(always)]
fn unpack_plain(quad: u32) -> Option<u64> {
    let has_zero = |x: u64| x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS != 0;
    let v = u64::from(quad);
    let t = (v | v << 16) & 0x0000_FFFF_0000_FFFF;
    let t = (t | t << 8) & 0x00FF_00FF_00FF_00FF;
    // Byte 2k: packed byte k's high nibble; byte 2k + 1: its low nibble.
    let x = (t >> 4) & (0x0F * LOW_BITS) | (t & (0x0F * LOW_BITS)) << 8;
    if has_zero(x ^ (0x0A * LOW_BITS)) || has_zero(x ^ (0x0C * LOW_BITS)) || has_zero(x ^ (0x0F * LOW_BITS)) {
        return None;
    }
    let letters = x.wrapping_add(0x76 * LOW_BITS) & HIGH_BITS;
    Some((x | (0x30 * LOW_BITS)) - (letters >> 3))
}

/// A value to write, in the form the caller's slots chose ([`canonical_kind`]). Byte slices may
/// run on past the bytes written (to the end of the caller's value buffer): short ones are then
/// copied as one fixed-size chunk.
#[derive(Clone, Copy, Debug)]
pub enum ValueSpec<'v> {
    /// `bytes[..len]`, written out.
    Literal {
        /// The value, and perhaps bytes after it.
        bytes: &'v [u8],
        /// The value's length.
        len: usize,
    },
    /// A reference to slot `n`.
    Reference(u32),
    /// Number characters, packed.
    Number(&'v [u8]),
    /// `len` number characters already packed ([`pack_if_number`]) into the first
    /// `ceil(len / 2)` bytes of `packed`.
    Packed {
        /// The packed characters.
        packed: [u8; CHUNK],
        /// How many characters.
        len: u8,
    },
    /// `shared` bytes of the previous text value, then `suffix[..len]`.
    Prefix {
        /// Bytes shared (1–255).
        shared: u8,
        /// The suffix, and perhaps bytes after it.
        suffix: &'v [u8],
        /// The suffix's length.
        len: usize,
    },
}

/// One node for [`CompactWriter::nodes`].
#[derive(Clone, Copy, Debug)]
pub struct CompactSpec<'v> {
    /// The primitive.
    pub primitive: Primitive,
    /// The value, if any.
    pub value: Option<ValueSpec<'v>>,
    /// Whether the node's children follow it.
    pub has_children: bool,
    /// Whether the node is its parent's last child.
    pub last_sibling: bool,
}

/// Writes one compact message into a caller's reusable buffer, sized once for a bound on its
/// length (as [`super::SizedWriter`] writes plain ones): nodes go into a plain slice in one tight
/// loop, short values are copied as 32-byte chunks. Structure and the values' forms are the
/// caller's to get right; the reader checks them. Nodes that need more room than given are a
/// [`Error::SizeMismatch`], never a panic.
#[derive(Debug)]
pub struct CompactWriter<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    /// Next byte to write, from `start`.
    pos: usize,
    codes: [u8; 256],
    /// How primitives are written.
    coding: PrimitiveCoding,
    /// The primitives written so far.
    usage: CodeUsage,
}

/// The most bytes a node with a short value touches: tag, escaped id, five-byte header, shared
/// byte, chunk.
const WINDOW: usize = 1 + 1 + 5 + 1 + CHUNK;
/// Short values are copied as one chunk of this many bytes.
pub const CHUNK: usize = 32;

impl<'b> CompactWriter<'b> {
    /// Grows `buf` by `max_len` bytes (a bound on the message's length, check included) and
    /// writes the format byte and palette there. [`CompactWriter::finish`] cuts `buf` back to the
    /// message's end.
    pub fn new(buf: &'b mut Vec<u8>, coding: &PrimitiveCoding, max_len: usize) -> CompactWriter<'b> {
        let start = buf.len();
        buf.resize(start + max_len, 0);
        let codes = super::writer::codes(coding);
        let mut writer =
            CompactWriter { buf, start, pos: 0, codes, coding: *coding, usage: CodeUsage::new() };
        match coding {
            PrimitiveCoding::Identity => writer.put(FORMAT_BYTE | COMPACT_FLAG),
            PrimitiveCoding::Palette(palette) => {
                let ids = palette.ids();
                writer.put(FORMAT_BYTE | COMPACT_FLAG | super::PALETTE_FLAG);
                writer.put(ids.len() as u8);
                for &id in ids {
                    writer.put(id);
                }
            }
        }
        writer
    }

    #[inline]
    fn put(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.start + self.pos) {
            *slot = byte;
        }
        self.pos += 1;
    }

    fn overflow(&self) -> Error {
        Error::SizeMismatch { planned: self.buf.len() - self.start, needed: self.pos }
    }

    /// Appends nodes, in pre-order, in one tight loop (the cursor stays in a register). A value
    /// past the format's ranges (2^32 bytes or more, a shared prefix of 0) is an error.
    #[inline]
    pub fn nodes<'v>(&mut self, nodes: impl Iterator<Item = CompactSpec<'v>>) -> Result<(), Error> {
        let start = self.start;
        let mut pos = self.pos;
        let codes = &self.codes;
        let out = self.buf.get_mut(start..).unwrap_or_default();
        // What the nodes use, in registers, as [`super::SizedWriter::nodes`] gathers it.
        let mut codes_used = 0u32;
        let mut high_ids = 0u64;
        let mut escaped_seen = [false; 257];
        let result: Result<(), Error> = 'write: {
            for node in nodes {
                let id = node.primitive.id();
                let code = codes.get(usize::from(id)).copied().unwrap_or(ESCAPE);
                codes_used |= 1 << (code & CODE_MASK);
                high_ids += u64::from(id >= ESCAPE);
                let mark = if code == ESCAPE { usize::from(id) } else { 256 };
                if let Some(slot) = escaped_seen.get_mut(mark) {
                    *slot = true;
                }
                let tag = code
                    | if node.has_children { HAS_CHILDREN } else { 0 }
                    | if node.value.is_some() { HAS_VALUE } else { 0 }
                    | if node.last_sibling { LAST_SIBLING } else { 0 };
                let escaped = usize::from(code == ESCAPE);
                let Some(window) =
                    out.get_mut(pos..pos + WINDOW).and_then(|w| <&mut [u8; WINDOW]>::try_from(w).ok())
                else {
                    if let Err(e) = node_slow(out, &mut pos, tag, id, node.value) {
                        break 'write Err(e);
                    }
                    continue;
                };
                // The id is always stored and kept only when escaped (no branch on it).
                window[0] = tag;
                window[1] = id;
                let at = 1 + escaped;
                let Some(value) = node.value else {
                    pos += at;
                    continue;
                };
                let (n, kind, payload, payload_len, shared) = match value {
                    ValueSpec::Literal { bytes, len } => (len, ValueKind::Literal, bytes, len, None),
                    ValueSpec::Reference(slot) => (slot as usize, ValueKind::Reference, &[][..], 0, None),
                    ValueSpec::Number(text) => (text.len(), ValueKind::Number, &[][..], 0, None),
                    ValueSpec::Packed { len, .. } => (usize::from(len), ValueKind::Number, &[][..], 0, None),
                    ValueSpec::Prefix { shared, suffix, len } => {
                        (len, ValueKind::Prefix, suffix, len, Some(shared))
                    }
                };
                let header = (n as u64) << 2 | kind as u64;
                if header >= 1 << 14 || shared == Some(0) {
                    if let Err(e) = node_slow(out, &mut pos, tag, id, Some(value)) {
                        break 'write Err(e);
                    }
                    continue;
                }
                // A one- or two-byte header; both bytes stored, the second kept only when needed.
                let wide = usize::from(header >= 0x80);
                if let Some([low, high]) = window.get_mut(at..at + 2) {
                    *low = header as u8 | if wide == 1 { 0x80 } else { 0 };
                    *high = (header >> 7) as u8;
                }
                let mut p = at + 1 + wide;
                if let Some(shared) = shared {
                    if let Some(slot) = window.get_mut(p) {
                        *slot = shared;
                    }
                    p += 1;
                }
                if let ValueSpec::Packed { packed, len } = value {
                    if let Some(dst) = window.get_mut(p..p + CHUNK) {
                        dst.copy_from_slice(&packed);
                    }
                    pos += p + usize::from(len).div_ceil(2);
                    continue;
                }
                if let ValueSpec::Number(text) = value {
                    let packed = text.len().div_ceil(2);
                    match out.get_mut(pos + p..pos + p + packed) {
                        Some(dst) => pack_number_into(text, dst),
                        None => {
                            break 'write Err(Error::SizeMismatch {
                                planned: out.len(),
                                needed: pos + p + packed,
                            });
                        }
                    }
                    pos += p + packed;
                    continue;
                }
                let chunk = payload.get(..CHUNK).and_then(|c| <&[u8; CHUNK]>::try_from(c).ok());
                match chunk {
                    Some(chunk) if payload_len <= CHUNK => {
                        if let Some(dst) = window.get_mut(p..p + CHUNK) {
                            dst.copy_from_slice(chunk);
                        }
                    }
                    _ => {
                        let src = payload.get(..payload_len).unwrap_or_default();
                        match out.get_mut(pos + p..pos + p + payload_len) {
                            Some(dst) if src.len() == payload_len => dst.copy_from_slice(src),
                            _ => {
                                break 'write Err(Error::SizeMismatch {
                                    planned: out.len(),
                                    needed: pos + p + payload_len,
                                });
                            }
                        }
                    }
                }
                pos += p + payload_len;
            }
            Ok(())
        };
        self.pos = pos;
        super::writer::merge_usage(&mut self.usage, codes_used, high_ids, &escaped_seen);
        result
    }

    /// The canonical coding of the nodes written so far: when it is not the one this writer
    /// writes with, the message is not canonical and must be written again with it.
    pub fn canonical_coding(&self) -> PrimitiveCoding {
        super::writer::canonical_coding(&self.usage, &self.coding)
    }

    /// Sets the format byte's check flag, writes the check after the last node and cuts the
    /// buffer there; returns the message's length.
    pub fn finish(&mut self) -> Result<usize, Error> {
        let covered = self.pos;
        let check = if covered <= SHORT_CHECK_MAX { 1 } else { super::CRC_LEN };
        if covered + check > self.buf.len() - self.start {
            return Err(self.overflow());
        }
        self.buf.truncate(self.start + covered);
        self.pos = push_check(self.buf, self.start);
        Ok(self.pos)
    }
}

/// Appends a value's header and payload to `buf` (the simple path, for small messages written
/// with `Vec` pushes; [`CompactWriter`] is the fast one for large ones). A value past the
/// format's ranges is an error, and nothing is written.
#[inline]
pub fn push_value(buf: &mut Vec<u8>, value: ValueSpec<'_>) -> Result<(), Error> {
    let (n, kind) = match value {
        ValueSpec::Literal { len, .. } => (len, ValueKind::Literal),
        ValueSpec::Reference(slot) => (slot as usize, ValueKind::Reference),
        ValueSpec::Number(text) => (text.len(), ValueKind::Number),
        ValueSpec::Packed { len, .. } => (usize::from(len), ValueKind::Number),
        ValueSpec::Prefix { shared: 0, .. } => {
            return Err(Error::NonCanonicalValue {
                offset: buf.len(),
                reason: "a prefix value shares at least one byte",
            });
        }
        ValueSpec::Prefix { len, .. } => (len, ValueKind::Prefix),
    };
    if n > u32::MAX as usize {
        return Err(Error::PayloadTooLong { length: n, limit: u32::MAX as usize });
    }
    varint::write(buf, (n as u64) << 2 | kind as u64);
    match value {
        ValueSpec::Literal { bytes, len } => buf.extend_from_slice(bytes.get(..len).unwrap_or_default()),
        ValueSpec::Reference(_) => {}
        ValueSpec::Number(text) => pack_number(text, buf),
        ValueSpec::Packed { packed, len } => {
            buf.extend_from_slice(packed.get(..usize::from(len).div_ceil(2)).unwrap_or_default());
        }
        ValueSpec::Prefix { shared, suffix, len } => {
            buf.push(shared);
            buf.extend_from_slice(suffix.get(..len).unwrap_or_default());
        }
    }
    Ok(())
}

/// Appends the check to the compact message that starts at `start` of `buf` (setting its format
/// byte's short-check flag when the check is one byte); returns the message's length.
pub fn push_check(buf: &mut Vec<u8>, start: usize) -> usize {
    let covered = buf.len() - start;
    if covered <= SHORT_CHECK_MAX {
        if let Some(format) = buf.get_mut(start) {
            *format |= SHORT_CHECK_FLAG;
        }
        let crc = crc8(buf.get(start..).unwrap_or_default());
        buf.push(crc);
    } else {
        super::append_crc32c(buf, start);
    }
    buf.len() - start
}

/// One node at `*pos` of `out`, every byte written checked: long values, numbers, the message's
/// last bytes.
#[inline(never)]
fn node_slow(
    out: &mut [u8],
    pos: &mut usize,
    tag: u8,
    id: u8,
    value: Option<ValueSpec<'_>>,
) -> Result<(), Error> {
    let (n, kind) = match value {
        None => (0, ValueKind::Literal),
        Some(ValueSpec::Literal { len, .. }) => (len, ValueKind::Literal),
        Some(ValueSpec::Reference(slot)) => (slot as usize, ValueKind::Reference),
        Some(ValueSpec::Number(text)) => (text.len(), ValueKind::Number),
        Some(ValueSpec::Packed { len, .. }) => (usize::from(len), ValueKind::Number),
        Some(ValueSpec::Prefix { shared: 0, .. }) => {
            return Err(Error::NonCanonicalValue {
                offset: *pos,
                reason: "a prefix value shares at least one byte",
            });
        }
        Some(ValueSpec::Prefix { len, .. }) => (len, ValueKind::Prefix),
    };
    if n > u32::MAX as usize {
        return Err(Error::PayloadTooLong { length: n, limit: u32::MAX as usize });
    }
    let planned = out.len();
    let mut header = [0u8; 5];
    let mut header_len = 0;
    let mut h = (n as u64) << 2 | kind as u64;
    loop {
        if let Some(slot) = header.get_mut(header_len) {
            *slot = if h >= 0x80 { h as u8 | 0x80 } else { h as u8 };
        }
        header_len += 1;
        if h < 0x80 {
            break;
        }
        h >>= 7;
    }
    let mut head = [0u8; 2 + 5 + 1];
    let mut len = 0;
    let mut push = |byte: u8| {
        if let Some(slot) = head.get_mut(len) {
            *slot = byte;
        }
        len += 1;
    };
    push(tag);
    if tag & CODE_MASK == ESCAPE {
        push(id);
    }
    if let Some(value) = value {
        for &byte in header.get(..header_len).unwrap_or_default() {
            push(byte);
        }
        if let ValueSpec::Prefix { shared, .. } = value {
            push(shared);
        }
    }
    let payload = match value {
        None | Some(ValueSpec::Reference(_)) => &[][..],
        Some(ValueSpec::Literal { bytes, len }) | Some(ValueSpec::Prefix { suffix: bytes, len, .. }) => {
            bytes.get(..len).unwrap_or_default()
        }
        Some(ValueSpec::Number(text)) => text,
        Some(ValueSpec::Packed { ref packed, len }) => {
            packed.get(..usize::from(len).div_ceil(2)).unwrap_or_default()
        }
    };
    let body =
        if matches!(value, Some(ValueSpec::Number(_))) { payload.len().div_ceil(2) } else { payload.len() };
    let at = *pos;
    let end = at + len + body;
    let Some(dst) = out.get_mut(at..end) else {
        return Err(Error::SizeMismatch { planned, needed: end });
    };
    let (dst_head, dst_body) = dst.split_at_mut(len);
    dst_head.copy_from_slice(head.get(..len).unwrap_or_default());
    if matches!(value, Some(ValueSpec::Number(_))) {
        pack_number_into(payload, dst_body);
    } else {
        dst_body.copy_from_slice(payload);
    }
    *pos = end;
    Ok(())
}

/// One node as read by [`CompactReader::next_node`]; values are not resolved (the slots are the
/// caller's) and not checked to be UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactNode<'a> {
    /// Offset of the node's tag.
    pub offset: usize,
    /// The primitive.
    pub primitive: Primitive,
    /// The tag's primitive code (0–30: an identity or palette code; 31: escaped).
    pub code: u8,
    /// The value, if the has-value bit is set.
    pub value: Option<CompactValue<'a>>,
    /// Offset of the value's header (meaningless without a value).
    pub value_offset: usize,
    /// Offset of the value's payload: its bytes, packed characters or suffix (after the shared
    /// byte).
    pub payload_offset: usize,
    /// Whether the node's children follow it.
    pub has_children: bool,
    /// Whether the node is its parent's last child.
    pub last_sibling: bool,
}

/// A checked compact message, read node by node (as [`super::Reader`] reads plain ones).
#[derive(Clone, Debug)]
pub struct CompactReader<'a> {
    header: Header<'a>,
    pos: usize,
}

impl<'a> CompactReader<'a> {
    /// Checks length, format byte and check, then reads the palette. A plain v2 message is
    /// refused ([`super::Reader`] reads those).
    #[inline(always)]
    pub fn new(message: &'a [u8]) -> Result<CompactReader<'a>, Error> {
        let header = Header::parse(message)?;
        if !header.compact() {
            return Err(Error::BadFormatByte {
                offset: 0,
                byte: message.first().copied().unwrap_or(0),
                expected: "a compact v2 format byte (0xa2-0xa7)",
            });
        }
        Ok(CompactReader { pos: header.nodes_start, header })
    }

    /// The palette's primitive ids, empty without one.
    pub fn palette(&self) -> &'a [u8] {
        self.header.palette
    }

    /// Whether a palette is in use.
    pub fn has_palette(&self) -> bool {
        !self.header.palette.is_empty()
    }

    /// Offset of the next node (or of the check once all are read).
    #[inline]
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Whether every node byte has been read.
    #[inline]
    pub fn at_end(&self) -> bool {
        self.pos >= self.header.end
    }

    /// The next node. Reading past the last node is an `UnexpectedEnd` error.
    #[inline(always)]
    pub fn next_node(&mut self) -> Result<CompactNode<'a>, Error> {
        let offset = self.pos;
        let (tag, primitive, code, mut at) = self.header.tag(offset)?;
        let value_offset = at;
        let mut payload_offset = at;
        let value = if tag & HAS_VALUE == 0 {
            None
        } else {
            let node_bytes = self.header.node_bytes();
            let header = match node_bytes.get(at) {
                Some(&byte) if byte < 0x80 => {
                    at += 1;
                    u64::from(byte)
                }
                _ => varint::read(node_bytes, &mut at, 0)?,
            };
            if header > MAX_HEADER {
                return Err(Error::FieldOutOfRange {
                    offset: value_offset,
                    field: "value header",
                    found: header,
                    min: 0,
                    max: MAX_HEADER,
                });
            }
            let n = (header >> 2) as usize;
            let value = match header & 3 {
                0 => CompactValue::Literal(self.header.take(at, n)?),
                1 => CompactValue::Reference(n as u32),
                2 => {
                    let packed = self.header.take(at, n.div_ceil(2))?;
                    CompactValue::Number { packed, len: n as u32 }
                }
                _ => {
                    let shared = self.header.byte(at)?;
                    if shared == 0 {
                        return Err(Error::NonCanonicalValue {
                            offset: at,
                            reason: "a prefix value shares at least one byte",
                        });
                    }
                    at += 1;
                    CompactValue::Prefix { shared, suffix: self.header.take(at, n)? }
                }
            };
            payload_offset = at;
            at += match value {
                CompactValue::Literal(bytes) | CompactValue::Prefix { suffix: bytes, .. } => bytes.len(),
                CompactValue::Number { packed, .. } => packed.len(),
                CompactValue::Reference(_) => 0,
            };
            Some(value)
        };
        self.pos = at;
        Ok(CompactNode {
            offset,
            primitive,
            code,
            value,
            value_offset,
            payload_offset,
            has_children: tag & HAS_CHILDREN != 0,
            last_sibling: tag & LAST_SIBLING != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn numbers_pack_two_characters_to_a_byte() {
        let mut out = Vec::new();
        pack_number(b"-65.61", &mut out);
        assert_eq!(out, [0xD6, 0x5E, 0x61]);
        pack_number(b"1e+5", &mut out);
        assert_eq!(out[3..], [0x1A, 0xB5]);
        pack_number(b"7", &mut out);
        assert_eq!(out[5..], [0x7F]);
        let mut text = Vec::new();
        unpack_number(&out[..3], 6, &mut text).unwrap();
        unpack_number(&out[5..], 1, &mut text).unwrap();
        assert_eq!(text, b"-65.617");
        // A pad inside, a missing pad, a pad in the high nibble.
        assert_eq!(unpack_number(&[0x1F, 0x11], 4, &mut text), Err(0));
        assert_eq!(unpack_number(&[0x12], 1, &mut text), Err(0));
        assert_eq!(unpack_number(&[0xFF], 1, &mut text), Err(0));
        assert_eq!(text, b"-65.617", "nothing appended on error");
        assert!(is_number(b"-1.5E+10") && !is_number(b"") && !is_number(b"1 ") && !is_number(b"0x1"));
    }

    #[test]
    fn each_value_has_one_kind() {
        use ValueKind::*;
        assert_eq!(canonical_kind(1, true, 0, false), Literal, "one digit: 2 bytes either way");
        assert_eq!(canonical_kind(2, true, 0, false), Number, "two digits: one byte packed");
        assert_eq!(canonical_kind(18, true, 17, true), Number, "numbers are never prefixes or references");
        assert_eq!(canonical_kind(9, false, 8, true), Prefix, "node_1366 after node_1365");
        assert_eq!(canonical_kind(9, false, 3, true), Reference);
        assert_eq!(canonical_kind(9, false, 3, false), Literal);
    }

    /// The claim the format makes for its one-byte check: in a message of 14 bytes and its check,
    /// every error of one, two or three bits is caught.
    #[test]
    fn the_short_check_catches_every_error_of_up_to_three_bits() {
        let mut message: Vec<u8> = (0..14u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
        message.push(crc8(&message));
        let bits = message.len() * 8;
        let caught = |flips: &[usize]| {
            let mut damaged = message.clone();
            for &bit in flips {
                damaged[bit / 8] ^= 1 << (bit % 8);
            }
            crc8(&damaged[..14]) != damaged[14]
        };
        for a in 0..bits {
            assert!(caught(&[a]));
            for b in a + 1..bits {
                assert!(caught(&[a, b]));
                for c in b + 1..bits {
                    assert!(caught(&[a, b, c]), "bits {a} {b} {c}");
                }
            }
        }
    }

    #[test]
    fn slots_are_the_format_hash() {
        // Pinned: the encoder and every decoder must agree.
        assert_eq!([slot(b""), slot(b"a"), slot(b"node_1365"), slot(b"coordinates")], [0, 1287, 1276, 3727]);
        let slots: std::collections::HashSet<usize> =
            (0..1000).map(|i| slot(format!("key_{i}").as_bytes())).collect();
        assert!(slots.len() > 850, "{} distinct slots of 1000 keys", slots.len());
    }

    #[test]
    fn shared_prefixes_stop_at_the_first_difference_or_255() {
        assert_eq!(shared_prefix(b"node_1365", b"node_1366"), 8);
        assert_eq!(shared_prefix(b"abc", b"abcdef"), 3);
        assert_eq!(shared_prefix(b"", b"x"), 0);
        let long = vec![b'a'; 400];
        assert_eq!(shared_prefix(&long, &long), MAX_SHARED);
        for split in 0..20 {
            let mut b = long[..20].to_vec();
            b[split] = b'b';
            assert_eq!(shared_prefix(&long[..20], &b), split);
        }
    }

    proptest! {
        #[test]
        fn number_characters_are_told_from_others(text in "[-0-9.+eE]{0,40}", other in any::<u8>(), at in any::<prop::sample::Index>()) {
            prop_assert_eq!(is_number(text.as_bytes()), !text.is_empty());
            if !NUMBER_CHARS[..15].contains(&other) && !text.is_empty() {
                let mut bytes = text.into_bytes();
                let at = at.index(bytes.len());
                bytes[at] = other;
                prop_assert!(!is_number(&bytes));
            }
        }

        #[test]
        fn numbers_round_trip(text in "[-0-9.+eE]{1,40}") {
            let mut packed = Vec::new();
            pack_number(text.as_bytes(), &mut packed);
            prop_assert_eq!(packed.len(), text.len().div_ceil(2));
            let mut back = Vec::new();
            unpack_number(&packed, text.len(), &mut back).unwrap();
            prop_assert_eq!(back, text.as_bytes());
        }
    }
}
