//! JSON text: a recursion-free pull reader, string escaping, the tree JSON form, and the
//! lossless mapping of JSON documents to trees.

mod document;
mod reader;
mod tree_json;
mod write;

pub use document::is_json_number;
pub use reader::{JsonEvent, JsonReader};
pub use write::write_json_string;
