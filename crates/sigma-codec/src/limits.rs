//! `DecodeLimits`: how much a decoder may be made to allocate.

use std::fmt;

use crate::Error;

/// Bounds on what one decode may build, applied before the allocation each one guards.
///
/// Decoding never allocates more than the input justifies (every node costs at least one input
/// byte, every value byte one input byte), so these limits are about how big an input you are
/// willing to accept, not about malicious length fields, which fail against the bytes present.
///
/// | limit | default | guards |
/// |---|---|---|
/// | `max_bytes` | 256 MiB | the input itself, checked before the checksum is computed |
/// | `max_nodes` | 16,777,216 | the node records (16 bytes each), checked before each node |
/// | `max_depth` | 1,048,576 | nesting (the decoder's stack of open nodes), checked before each node |
/// | `max_value_bytes` | 64 MiB | one value, checked before it is copied into the tree |
/// | `max_total_value_bytes` | 256 MiB | all values together, checked before each is added: compact v2 values may repeat earlier ones, so only there can they outgrow the input |
/// | `max_session_memory` | 8 MiB | what a session decoder's body coding holds (its byte model or zstd stream), checked against the stream header before it is allocated |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// The longest input accepted, in bytes.
    pub max_bytes: u64,
    /// The most nodes a decoded tree may have.
    pub max_nodes: u64,
    /// The most levels a decoded tree may have (a lone root has 1).
    pub max_depth: u64,
    /// The longest single value, in bytes.
    pub max_value_bytes: u64,
    /// The most value bytes a decoded tree may hold in all. Only compact v2 checks it: its
    /// references and packed numbers make values larger than the bytes that hold them, while
    /// every other format spends an input byte per value byte (so `max_bytes` bounds them).
    pub max_total_value_bytes: u64,
    /// The most memory a session decoder may hold for its body coding: the byte model of a
    /// modeled stream, the zstd stream of a zstd one (docs/FORMAT.md gives each figure).
    pub max_session_memory: u64,
}

impl DecodeLimits {
    /// The defaults in the table above.
    pub const DEFAULT: DecodeLimits = DecodeLimits {
        max_bytes: 256 << 20,
        max_nodes: 1 << 24,
        max_depth: 1 << 20,
        max_value_bytes: 64 << 20,
        max_total_value_bytes: 256 << 20,
        max_session_memory: 8 << 20,
    };

    /// No limits beyond what the format and the arena can hold.
    pub const UNLIMITED: DecodeLimits = DecodeLimits {
        max_bytes: u64::MAX,
        max_nodes: u64::MAX,
        max_depth: u64::MAX,
        max_value_bytes: u64::MAX,
        max_total_value_bytes: u64::MAX,
        max_session_memory: u64::MAX,
    };
}

impl DecodeLimits {
    /// The maximum `limit` allows.
    #[inline]
    pub fn max(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Bytes => self.max_bytes,
            Limit::Nodes => self.max_nodes,
            Limit::Depth => self.max_depth,
            Limit::ValueBytes => self.max_value_bytes,
            Limit::TotalValueBytes => self.max_total_value_bytes,
            Limit::SessionMemory => self.max_session_memory,
        }
    }

    /// `Ok` if `found` is within `limit`, else the error naming it, found at `offset`.
    #[inline]
    pub fn check(&self, limit: Limit, found: u64, offset: usize) -> Result<(), Error> {
        let max = self.max(limit);
        if found > max { Err(Error::LimitExceeded { offset, limit, found, max }) } else { Ok(()) }
    }
}

impl Default for DecodeLimits {
    fn default() -> DecodeLimits {
        DecodeLimits::DEFAULT
    }
}

/// Which limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`DecodeLimits::max_bytes`].
    Bytes,
    /// [`DecodeLimits::max_nodes`].
    Nodes,
    /// [`DecodeLimits::max_depth`].
    Depth,
    /// [`DecodeLimits::max_value_bytes`].
    ValueBytes,
    /// [`DecodeLimits::max_total_value_bytes`].
    TotalValueBytes,
    /// [`DecodeLimits::max_session_memory`].
    SessionMemory,
}

impl Limit {
    /// The field's name.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Bytes => "max_bytes",
            Limit::Nodes => "max_nodes",
            Limit::Depth => "max_depth",
            Limit::ValueBytes => "max_value_bytes",
            Limit::TotalValueBytes => "max_total_value_bytes",
            Limit::SessionMemory => "max_session_memory",
        }
    }

    /// The `sigma` option that raises it.
    pub fn option(self) -> &'static str {
        match self {
            Limit::Bytes => "--max-bytes",
            Limit::Nodes => "--max-nodes",
            Limit::Depth => "--max-depth",
            Limit::ValueBytes => "--max-value-bytes",
            Limit::TotalValueBytes => "--max-total-value-bytes",
            Limit::SessionMemory => "--max-session-memory",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
