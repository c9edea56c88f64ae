//! Format v2: ours, without v1's limits or ambiguities (docs/FORMAT.md, "Format v2").
//!
//! ```text
//! message = format-byte [palette] node+ crc32c
//! format  = 0xA0 | palette-flag (bit 0); bits 1-3 reserved, 0
//! palette = k (1 byte, 1..=31) | k distinct primitive ids, ascending
//! node    = tag [escaped-id] [length value]
//! tag     = has-children (bit 7) | has-value (bit 6) | last-sibling (bit 5) | code (bits 4-0)
//! code    = 0..=30: the primitive id (no palette) or palette entry `code`; 31: escape, the id
//!           follows in one byte (never with a palette; without one, only for ids >= 31)
//! length  = L (L < 128) | 0x80 | L >> 8, L & 0xFF (L < 32,768) | 0x80 0x00 + u32 BE (L >= 32,768)
//! crc32c  = CRC-32C of everything before it, u32 big-endian
//! ```
//!
//! Nodes come in pre-order. A node with children is followed by them; its last child (and only
//! that one) has the last-sibling bit, so no counts and no end markers are needed, and no node can
//! be mistaken for structure. Per node, v2 spends exactly what v1 spends (same escape rule, same
//! length prefixes up to 32,767), minus v1's end markers, and its envelope is one byte shorter:
//! v2 is smaller than v1 for every tree v1 can hold. The palette, used only when it makes the
//! message smaller, turns escaped primitives (the JSON mapping's 0x70–0x7F) into one-byte tags.

pub mod compact;
mod reader;
mod writer;

use sigma_primitives::PrimitiveSet;

pub use compact::{
    CompactNode, CompactReader, CompactSpec, CompactValue, CompactWriter, ValueKind, ValueSpec,
};
pub(crate) use reader::Header;
pub use reader::{Node, RawNode, Reader};
pub use writer::{NodeSpec, SizedWriter, ValueRef, Writer};

/// The high nibble of every v2 format byte. v1's first byte is 0x40–0x7F, so the two never meet.
pub const FORMAT_BYTE: u8 = 0xA0;
/// Format-byte bit 0: a palette follows.
pub const PALETTE_FLAG: u8 = 0x01;
/// Format-byte bits that no version defines yet (bit 1 marks a compact message, and bit 2 a
/// compact message's short check: [`compact`]).
pub const RESERVED_FLAGS: u8 = 0x08;
/// CRC size: a big-endian CRC-32C.
pub const CRC_LEN: usize = 4;
/// The shortest message: format byte, a one-byte node, the CRC.
pub const MIN_MESSAGE_LEN: usize = 1 + 1 + CRC_LEN;
/// Tag bit 7: the node has children, which follow it.
pub const HAS_CHILDREN: u8 = 0x80;
/// Tag bit 6: a length and a UTF-8 value follow (after any escaped id).
pub const HAS_VALUE: u8 = 0x40;
/// Tag bit 5: the node is its parent's last child.
pub const LAST_SIBLING: u8 = 0x20;
/// Tag bits 4–0: the primitive code.
pub const CODE_MASK: u8 = 0x1F;
/// The code that says "the full primitive id follows".
pub const ESCAPE: u8 = 31;
/// The most entries a palette holds: codes 0–30.
pub const MAX_PALETTE: usize = 31;
/// Lengths below this take one byte.
pub const SHORT_LENGTH_LIMIT: usize = 0x80;
/// Lengths below this take two bytes (v1's form); longer ones take the six-byte form.
pub const MEDIUM_LENGTH_LIMIT: usize = 0x8000;
/// The two bytes that introduce a six-byte length (a two-byte form of 0, otherwise unused).
pub const LONG_LENGTH_PREFIX: [u8; 2] = [0x80, 0x00];
/// The longest value: its length is a `u32`.
pub const MAX_VALUE_LEN: u64 = u32::MAX as u64;

/// The CRC v2 uses: CRC-32C (Castagnoli), hardware-accelerated where the CPU has it.
pub fn crc32c(bytes: &[u8]) -> u32 {
    if bytes.len() < SMALL_CRC_INPUT { SMALL_CRC.checksum(bytes) } else { crc32c::crc32c(bytes) }
}

/// Below this many bytes a byte-wise table CRC-32C (the `crc` crate) costs less than the hardware
/// one's setup (the `crc32c` crate aligns and splits its input three ways first).
const SMALL_CRC_INPUT: usize = 16;

/// CRC-32C (Castagnoli, the iSCSI polynomial), a table lookup per byte.
const SMALL_CRC: crc::Crc<u32, crc::Table<1>> = crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISCSI);

/// Appends the CRC-32C of `out[start..]` (a v2 message, a session header or frame, a codebook
/// file), big-endian.
pub(crate) fn append_crc32c(out: &mut Vec<u8>, start: usize) {
    let covered = out.get(start..);
    debug_assert!(covered.is_some(), "the message starts inside the buffer");
    let crc = crc32c(covered.unwrap_or_default());
    out.extend_from_slice(&crc.to_be_bytes());
}

/// The CRC-32C of the bytes `crc` covers followed by `bytes`.
pub fn crc32c_append(crc: u32, bytes: &[u8]) -> u32 {
    crc32c::crc32c_append(crc, bytes)
}

/// How primitives are written in tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrimitiveCoding {
    /// Code = id for ids 0–30; escape and a byte for the rest (as v1).
    Identity,
    /// Code = index in this ascending list of every primitive the tree uses.
    Palette(Palette),
}

/// An ascending list of at most 31 primitive ids, stored inline (no allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    ids: [u8; MAX_PALETTE],
    len: u8,
}

impl Palette {
    /// The ids, ascending.
    pub fn ids(&self) -> &[u8] {
        let ids = self.ids.get(..usize::from(self.len));
        debug_assert!(ids.is_some(), "a palette holds at most {MAX_PALETTE} ids");
        ids.unwrap_or_default()
    }
}

/// Which primitives a tree uses and how many of its nodes need an escape, gathered node by node
/// in registers (four words, no memory round trip per node), for [`choose_coding`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrimitiveUsage {
    words: [u64; 4],
    escaped: u64,
}

impl PrimitiveUsage {
    /// Nothing used yet.
    pub const fn new() -> PrimitiveUsage {
        PrimitiveUsage { words: [0; 4], escaped: 0 }
    }

    /// Counts one node with primitive `id`.
    #[inline(always)]
    pub fn add(&mut self, id: u8) {
        let bit = 1u64 << (id & 63);
        let word = id >> 6;
        // Branch-free and with constant indices, so the words stay in registers.
        self.words[0] |= if word == 0 { bit } else { 0 };
        self.words[1] |= if word == 1 { bit } else { 0 };
        self.words[2] |= if word == 2 { bit } else { 0 };
        self.words[3] |= if word == 3 { bit } else { 0 };
        self.escaped += u64::from(id >= ESCAPE);
    }

    /// The primitives used.
    pub fn used(&self) -> PrimitiveSet {
        PrimitiveSet::from_words(self.words)
    }

    /// Nodes whose id is 31 or more (written with an escape when there is no palette).
    pub fn escaped(&self) -> u64 {
        self.escaped
    }

    /// The canonical coding for these nodes ([`choose_coding`]).
    pub fn coding(&self) -> PrimitiveCoding {
        choose_coding(&self.used(), self.escaped)
    }
}

/// The primitives a message's nodes use, gathered from their codes as they are written or read:
/// one OR per node (a 32-bit mask of the codes used), plus a set insert for escaped ids only.
/// Cheaper than [`PrimitiveUsage`] when the codes are at hand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeUsage {
    /// Bit `c`: code `c` was used (bit 31: some escape).
    codes: u32,
    /// The ids written in full after an escape.
    escaped_ids: PrimitiveSet,
    /// Nodes whose id is 31 or more.
    high_ids: u64,
}

impl CodeUsage {
    /// Nothing used yet.
    pub const fn new() -> CodeUsage {
        CodeUsage { codes: 0, escaped_ids: PrimitiveSet::new(), high_ids: 0 }
    }

    /// Counts one node with primitive `id`, written with `code`.
    #[inline(always)]
    pub fn add(&mut self, code: u8, id: u8) {
        self.codes |= 1 << (code & CODE_MASK);
        self.high_ids += u64::from(id >= ESCAPE);
        if code == ESCAPE {
            self.escaped_ids.insert(sigma_primitives::Primitive::new(id));
        }
    }

    /// The primitives used, given the palette the codes index (empty: identity codes).
    pub fn used(&self, palette: &[u8]) -> PrimitiveSet {
        let mut used = self.escaped_ids;
        let mut codes = self.codes & !(1 << ESCAPE);
        while codes != 0 {
            let code = codes.trailing_zeros() as u8;
            codes &= codes - 1;
            let id = if palette.is_empty() { Some(code) } else { palette.get(usize::from(code)).copied() };
            if let Some(id) = id {
                used.insert(sigma_primitives::Primitive::new(id));
            }
        }
        used
    }

    /// Adds what a loop gathered in registers: a mask of codes used and a count of nodes with
    /// ids of 31 or more (escaped ids go in with [`CodeUsage::add_escaped`]).
    #[inline]
    pub fn merge(&mut self, codes: u32, high_ids: u64) {
        self.codes |= codes;
        self.high_ids += high_ids;
    }

    /// Records an id written in full after an escape.
    #[inline]
    pub fn add_escaped(&mut self, id: u8) {
        self.codes |= 1 << ESCAPE;
        self.escaped_ids.insert(sigma_primitives::Primitive::new(id));
    }

    /// Nodes whose id is 31 or more (escaped without a palette).
    pub fn high_ids(&self) -> u64 {
        self.high_ids
    }

    /// The canonical coding for these nodes ([`choose_coding`]), given the palette the codes
    /// index.
    pub fn coding(&self, palette: &[u8]) -> PrimitiveCoding {
        choose_coding(&self.used(palette), self.high_ids)
    }
}

/// The one canonical coding for a tree that uses the primitives `used`, of which `escaped` nodes
/// have ids of 31 or more: a palette of every used primitive, if and only if it makes the message
/// strictly smaller (its `1 + k` bytes cost less than the escape bytes it saves).
pub fn choose_coding(used: &PrimitiveSet, escaped: u64) -> PrimitiveCoding {
    let k = used.len();
    if k <= MAX_PALETTE && (1 + k as u64) < escaped {
        let mut palette = Palette { ids: [0; MAX_PALETTE], len: k as u8 };
        for (slot, primitive) in palette.ids.iter_mut().zip(used.iter()) {
            *slot = primitive.id();
        }
        PrimitiveCoding::Palette(palette)
    } else {
        PrimitiveCoding::Identity
    }
}

/// The bytes a length takes.
pub const fn length_len(len: usize) -> usize {
    if len < SHORT_LENGTH_LIMIT {
        1
    } else if len < MEDIUM_LENGTH_LIMIT {
        2
    } else {
        6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_get_the_same_crc_by_table() {
        // Known answer (RFC 3720 B.4): 32 bytes of zeros.
        assert_eq!(crc32c(&[0; 32]), 0x8A91_36AA);
        let bytes: Vec<u8> = (0..64u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..=bytes.len() {
            let input = &bytes[..len];
            assert_eq!(crc32c(input), crc32c::crc32c(input), "{len} bytes");
            assert_eq!(crc32c_append(0, input), crc32c(input), "{len} bytes");
        }
        assert_eq!(crc32c(b"123456789"), 0xE306_9283, "the check value");
    }
}
