//! JSON text: a recursion-free pull reader, string escaping, the tree JSON form, and the
//! lossless mapping of JSON documents to trees.

mod document;
mod reader;
mod tree_json;
mod write;

pub use document::is_json_number;
pub use reader::{JsonEvent, JsonReader};
pub use write::write_json_string;

/// `text[start..end]`, where both ends sit before or after an ASCII byte (so on character
/// boundaries) — what the reader and writer cut text at.
pub(crate) fn ascii_cut(text: &str, start: usize, end: usize) -> &str {
    let cut = text.get(start..end);
    debug_assert!(cut.is_some(), "{start}..{end} cuts {} bytes at ASCII bytes", text.len());
    cut.unwrap_or_default()
}
