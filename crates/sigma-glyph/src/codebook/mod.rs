//! Codebook files on the wire (docs/FORMAT.md, "Codebook"): the patterns a session codebook
//! holds, the sample that primes the byte model and the zstd dictionary of zstd-coded sessions. What a pattern means (a subtree with holes)
//! is `sigma-codec`'s; this module reads and writes the bytes, checking everything a file can
//! get wrong short of the patterns' tree structure.
//!
//! ```text
//! file    = CE A3 'C' 'B' ("ΣCB") | version (1 byte: 3) | pattern count (1 byte, <= 128)
//!           | pattern* | sample length (varint, <= 32,768) | sample
//!           | dictionary length (varint, <= 32,768) | dictionary (version 3 only)
//!           | CRC-32C of everything before it (u32 BE)
//! pattern = node count (varint, 1..=4096) | node*          (pre-order)
//! node    = kind (1 byte: bit 0 has children; bits 2-1 value: 0 none, 1 fixed, 2 hole)
//!           | primitive id (1 byte) | subtree size (varint) | [fixed: length (varint) | UTF-8]
//! ```
//!
//! [`read`] checks the magic, the version and the CRC before anything else, and every count and
//! length against its bound and the bytes present before it allocates; [`Writer`] mirrors it.

mod reader;
mod writer;

pub use reader::{File, read};
pub use writer::Writer;

/// The first four bytes: "ΣCB" (Σ is two bytes in UTF-8).
pub const MAGIC: [u8; 4] = [0xCE, 0xA3, b'C', b'B'];
/// The version this module writes (version 1 had no sample; version 2, which it reads too, no
/// dictionary).
pub const VERSION: u8 = 3;
/// The version before the dictionary, still read (as a codebook without one).
pub const VERSION_WITHOUT_DICTIONARY: u8 = 2;
/// The most patterns: one per learned primitive Σ128–Σ255.
pub const MAX_PATTERNS: usize = 128;
/// The most nodes a pattern has.
pub const MAX_PATTERN_NODES: usize = 4096;
/// The most bytes of sample a codebook keeps (priming a session's model costs about 0.1 µs a
/// byte, once per codebook).
pub const MAX_SAMPLE: usize = 32 * 1024;
/// The most bytes of zstd dictionary a codebook holds.
pub const MAX_DICTIONARY: usize = 32 * 1024;
/// CRC size at the end of the file: a big-endian CRC-32C.
pub const CRC_LEN: usize = 4;

/// Node kind bit 0: the node has children.
const KIND_HAS_CHILDREN: u8 = 0x01;
/// Node kind bits 2–1: how the node's value is given.
const KIND_VALUE_SHIFT: u32 = 1;
const KIND_VALUE_NONE: u8 = 0;
const KIND_VALUE_FIXED: u8 = 1;
const KIND_VALUE_HOLE: u8 = 2;
/// Node kind bits that no version defines.
const KIND_RESERVED: u8 = !0x07;

/// A pattern node's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeValue<'a> {
    /// No value.
    None,
    /// Always this value.
    Fixed(&'a str),
    /// A value sent with each use.
    Hole,
}

/// One node of a pattern, in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PatternNode<'a> {
    /// Offset of the node's kind byte in the file (zero for nodes being written).
    pub offset: usize,
    /// Whether its kind byte says it has children.
    pub has_children: bool,
    /// Its primitive id.
    pub primitive: u8,
    /// Nodes in its subtree, itself included.
    pub size: usize,
    /// Its value.
    pub value: NodeValue<'a>,
}

#[cfg(test)]
mod tests;
