//! What can go wrong with a bank.

use std::path::PathBuf;

use thiserror::Error;

/// The error of the bank.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BankError {
    /// `open` on a path that holds nothing.
    #[error("{}: no bank here (the directory does not exist or holds no bank)", path.display())]
    NotFound {
        /// The bank's directory.
        path: PathBuf,
    },
    /// `create` on a directory that already holds files.
    #[error("{}: the directory is not empty; a new bank needs an empty or new directory", path.display())]
    NotEmpty {
        /// The bank's directory.
        path: PathBuf,
    },
    /// A store that is not a ΣLANG bank (another tantivy index, or a bank of a newer version).
    #[error("{}: not a ΣLANG bank: {reason}", path.display())]
    Foreign {
        /// The bank's directory.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// A bank whose files are damaged: a checksum that does not match, a file cut short, an item
    /// whose bytes do not decode.
    #[error("{}: the bank is damaged: {reason}", path.display())]
    Damaged {
        /// The bank's directory.
        path: PathBuf,
        /// What is damaged.
        reason: String,
    },
    /// Another writer (in this process or another) holds the bank's write lock.
    #[error("{}: another writer is adding to or removing from the bank", path.display())]
    Busy {
        /// The bank's directory.
        path: PathBuf,
    },
    /// An item's stored bytes failed to decode (checksum, structure or `DecodeLimits`).
    #[error("{}: item {id}: {source}", path.display())]
    Item {
        /// The bank's directory.
        path: PathBuf,
        /// The item's id.
        id: u64,
        /// Why its bytes were refused.
        source: sigma_codec::Error,
    },
    /// An item that cannot be added: input that does not parse or a tree too large to encode.
    #[error("{0}")]
    Input(#[from] InputError),
    /// A query with nothing to search by (no words and no `like` tree), or whose text holds no
    /// word.
    #[error("{0}")]
    Query(&'static str),
    /// The store failed (input/output, a full disk, a thread that died).
    #[error("{}: {source}", path.display())]
    Store {
        /// The bank's directory.
        path: PathBuf,
        /// The store's error.
        source: tantivy::TantivyError,
    },
}

/// Why an item could not be made from its input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// JSON text that is no JSON document, or a tree JSON that is no tree.
    #[error("not a {expected}: {source}")]
    Json {
        /// What was expected (`JSON document`, `tree in tree JSON form`).
        expected: &'static str,
        /// The parser's error, with its offset.
        source: sigma_tree::Error,
    },
    /// Text too large for one tree.
    #[error(transparent)]
    Text(#[from] sigma_text::TextError),
    /// A tree that does not map back as the kind it is added as.
    #[error(transparent)]
    Render(#[from] crate::item::RenderError),
    /// A tree that does not encode (v2 holds any tree a `Tree` can, so this is a size limit).
    #[error(transparent)]
    Encode(#[from] sigma_codec::Error),
}
