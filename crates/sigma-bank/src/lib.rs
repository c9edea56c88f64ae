//! A persistent bank of ΣLANG trees: add them, find them by words and by shape, get them back
//! exactly.
//!
//! The bank is a [tantivy](https://docs.rs/tantivy) index in a directory: tantivy gives BM25,
//! segments, crash-safe commits and concurrent readers; the bank stores each item's tree as v2
//! bytes (checked by v2's checksum and decoded within [`sigma_codec::DecodeLimits`] when read
//! back), indexes the words of its values and the MinHash band keys of its shape, and gives each
//! item an id that never changes and is never given again.
//!
//! - [`Bank`]: create or open, [`Bank::get`], [`Bank::search`], [`Bank::stats`],
//!   [`Bank::verify`]; [`Bank::writer`] for adds and removals made visible together by a commit.
//! - [`Item`]: a JSON document, a tree, or text, and how it comes back ([`Item::render`]).
//! - [`Query`] and [`Hit`]: search by words (BM25), like a tree (exact Jaccard over MinHash
//!   candidates), or both (reciprocal rank fusion); ties are broken by id, so a query on the
//!   same bank always gives the same hits in the same order.
//! - [`words::terms`]: the terms of a text, as both items and queries are cut.
//!
//! **Layer 5.** Depends on `sigma-codec` and the layers below it, `sigma-text` for text items,
//! and tantivy.
//!
//! ```
//! use sigma_bank::{Bank, Item, Query};
//!
//! let dir = tempfile::tempdir()?;
//! let bank = Bank::create(dir.path())?;
//! let ids = bank.add(&[
//!     Item::json(r#"{"user":"ann","text":"Graphs are made of nodes and edges"}"#)?,
//!     Item::json(r#"{"user":"bob","text":"Delete the old files"}"#)?,
//! ])?;
//! assert_eq!(ids, 0..2);
//!
//! let hits = bank.search(&Query { text: Some("what is a graph of nodes"), like: None, k: 10 })?;
//! assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [0]);
//!
//! bank.remove(0)?;
//! assert!(bank.get(0)?.is_none());
//! assert_eq!(bank.get(1)?.unwrap().render()?, r#"{"user":"bob","text":"Delete the old files"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Input is hostile: no unwrap, panic or indexing that could panic (unit tests are exempt via
// clippy.toml), and a library prints nothing.
#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod bank;
mod error;
mod item;
mod search;
pub mod words;

pub use bank::{Bank, BankOptions, BankWriter, FORMAT_VERSION, Stats};
pub use error::{BankError, InputError};
pub use item::{Item, ItemKind, RenderError};
pub use search::{
    BAND_CANDIDATES, FUSION_DEPTH_PER_HIT, FUSION_K, Hit, MIN_FUSION_DEPTH, MIN_SHAPE_CANDIDATES, Query,
    SHAPE_CANDIDATES_PER_HIT,
};
