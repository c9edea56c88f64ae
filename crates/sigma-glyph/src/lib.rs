//! ΣLANG glyphs and glyph streams on the wire.
//!
//! A *glyph* is the unit of a ΣLANG byte stream: a type, a primitive and an optional payload. This
//! crate reads and writes glyph streams and knows nothing of what the glyphs mean as a tree; that
//! is `sigma-tree` (the tree) and `sigma-codec` (tree ↔ glyphs).
//!
//! - [`v1`]: format v1, the Python reference's wire format, byte for byte: a [`v1::Writer`] that
//!   appends to a caller's reusable buffer and a zero-copy [`v1::Reader`] whose glyphs borrow
//!   their payloads from the input.
//! - [`v2`]: format v2, ours: the same per-node cost as v1 without its end markers, limits or
//!   ambiguities, a palette for escaped primitives, and a CRC-32C. [`v2::Writer`] and
//!   [`v2::Reader`] mirror v1's; [`v2::SizedWriter`] is the fast path when the size is known;
//!   [`v2::compact`] reads and writes the compact variant.
//! - [`session`]: session streams (many trees, each against the ones before it): the header,
//!   checksummed frames and the delta ops of their bodies, read and written.
//! - [`codebook`]: codebook files (learned patterns and the sample that primes a session's byte
//!   model), read and written.
//! - [`varint`]: the LEB128 varints session streams and codebook files use, canonical only.
//!
//! **Layer 1.** Depends only on `sigma-primitives`. Nothing here does I/O, and nothing here panics
//! on input: every read is checked, and every failure is an [`Error`] that carries the byte offset.
//!
//! ```
//! use sigma_glyph::v1::{GlyphKind, Reader, Writer};
//! use sigma_primitives::Primitive;
//!
//! let mut buf = Vec::new();
//! let mut writer = Writer::new(&mut buf, 0)?;
//! writer.glyph(GlyphKind::Primitive, Primitive::ENTITY, Some(b"user"))?;
//! writer.finish();
//! assert_eq!(buf, [0x40, 0, 0, 1, 0x20, 4, b'u', b's', b'e', b'r', 0x42, 0x2e]);
//!
//! let reader = Reader::new(&buf)?;
//! assert_eq!(reader.header().glyph_count, 1);
//! let glyphs: Vec<_> = reader.collect::<Result<_, _>>()?;
//! assert_eq!(glyphs[0].payload.text(), Some("user"));
//! # Ok::<(), sigma_glyph::Error>(())
//! ```

// Input is hostile: no unwrap, panic or indexing that could panic (unit tests are exempt via
// clippy.toml), and a library prints nothing.
#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod codebook;
mod cursor;
mod error;
pub mod session;
pub mod v1;
pub mod v2;
pub mod varint;

pub use error::Error;
