//! JSON text: a recursion-free pull reader, string escaping, and the tree JSON form.

mod reader;
mod tree_json;
mod write;

pub use reader::{JsonEvent, JsonReader};
pub use write::write_json_string;
