//! The lossless mapping between JSON documents and trees (docs/FORMAT.md, "Tree JSON and JSON documents").
//!
//! | JSON | tree |
//! |---|---|
//! | object | `DICT` (0x71), no value; one `RECORD` (0x7F, value = key) child per member, in document order, duplicates kept, holding the member's value as its only child |
//! | array | `LIST` (0x70), no value, the elements as children |
//! | string | `STRING` (0x78), value = the string (escapes decoded) |
//! | number | `NUMBER` (0x79), value = the number's exact source text (`1.0`, `1e5`, `-0` stay) |
//! | `true` / `false` | `BOOLEAN` (0x7A), value `"true"` / `"false"` |
//! | `null` | `NULL` (0x7B), no value |
//!
//! Tree → JSON gives the document back, compact, with the same key order and number text. Both
//! directions are iterative: a document nested 100,000 levels deep is fine.

use sigma_primitives::Primitive;

use super::reader::{JsonEvent, JsonReader};
use super::write::write_json_string;
use crate::walk::Event;
use crate::{Error, NodeRef, Tree, TreeBuilder};

impl Tree {
    /// Maps a JSON document to a tree (see the module docs).
    pub fn from_json_document(text: &str) -> Result<Tree, Error> {
        let mut reader = JsonReader::new(text);
        let mut builder = TreeBuilder::with_capacity(text.len() / 8, text.len() / 2);
        // For each open container: whether it is an object (so each member's value, once
        // complete, closes its RECORD).
        let mut in_object: Vec<bool> = Vec::new();
        while let Some(event) = reader.next_event()? {
            let completes_value = match event {
                JsonEvent::StartObject => {
                    builder.open(Primitive::DICT, None)?;
                    in_object.push(true);
                    false
                }
                JsonEvent::StartArray => {
                    builder.open(Primitive::LIST, None)?;
                    in_object.push(false);
                    false
                }
                JsonEvent::EndObject | JsonEvent::EndArray => {
                    builder.close()?;
                    in_object.pop();
                    true
                }
                JsonEvent::Key(key) => {
                    builder.open(Primitive::RECORD, Some(&key))?;
                    false
                }
                JsonEvent::String(s) => {
                    builder.leaf(Primitive::STRING, Some(&s))?;
                    true
                }
                JsonEvent::Number(n) => {
                    builder.leaf(Primitive::NUMBER, Some(n))?;
                    true
                }
                JsonEvent::Bool(b) => {
                    builder.leaf(Primitive::BOOLEAN, Some(if b { "true" } else { "false" }))?;
                    true
                }
                JsonEvent::Null => {
                    builder.leaf(Primitive::NULL, None)?;
                    true
                }
            };
            if completes_value && in_object.last() == Some(&true) {
                builder.close()?; // the member's RECORD
            }
        }
        builder.finish()
    }

    /// Maps the tree back to its JSON document, compact. Fails on a tree that is not the image
    /// of a document: a primitive with no JSON meaning, a `RECORD` outside a `DICT` or without
    /// exactly one child, a `NUMBER` whose value is not JSON number text, and so on.
    pub fn to_json_document(&self) -> Result<String, Error> {
        let mut out = String::with_capacity(self.value_bytes() + self.node_count() * 4);
        self.write_json_document(&mut out)?;
        Ok(out)
    }

    /// Appends the tree's JSON document to `out` (see [`Tree::to_json_document`]). On error,
    /// `out` holds a partial document.
    pub fn write_json_document(&self, out: &mut String) -> Result<(), Error> {
        let mut need_comma = false;
        // Primitives of the open nodes with children: the top is the parent of the next node.
        let mut parents: Vec<Primitive> = Vec::new();
        for event in self.events() {
            match event {
                Event::Enter(node) => {
                    let parent_is_dict = parents.last() == Some(&Primitive::DICT);
                    if node.has_children() {
                        parents.push(node.primitive());
                    }
                    if need_comma {
                        out.push(',');
                    }
                    need_comma = false;
                    if parent_is_dict != (node.primitive() == Primitive::RECORD) {
                        return Err(not_json(
                            node,
                            "DICT children must be RECORDs, and RECORDs must be in a DICT",
                        ));
                    }
                    enter_json(node, out)?;
                }
                Event::Leave(node) => {
                    if node.has_children() {
                        parents.pop();
                    }
                    match node.primitive() {
                        Primitive::DICT => out.push('}'),
                        Primitive::LIST => out.push(']'),
                        _ => {}
                    }
                    need_comma = true;
                }
            }
        }
        Ok(())
    }
}

fn not_json(node: NodeRef<'_>, reason: &str) -> Error {
    Error::NotJson { node: node.index(), primitive: node.primitive().name(), reason: reason.to_owned() }
}

fn enter_json(node: NodeRef<'_>, out: &mut String) -> Result<(), Error> {
    let value = node.value();
    let children = node.has_children();
    match node.primitive() {
        Primitive::DICT | Primitive::LIST if value.is_some() => {
            return Err(not_json(node, "containers have no value"));
        }
        Primitive::DICT => out.push('{'),
        Primitive::LIST => out.push('['),
        Primitive::RECORD => {
            let (Some(key), 1) = (value, node.child_count()) else {
                return Err(not_json(node, "a RECORD has a key and exactly one child"));
            };
            write_json_string(out, key);
            out.push(':');
        }
        _ if children => return Err(not_json(node, "only DICT, LIST and RECORD have children")),
        Primitive::STRING => match value {
            Some(s) => write_json_string(out, s),
            None => return Err(not_json(node, "a STRING has a value")),
        },
        Primitive::NUMBER => match value {
            Some(n) if is_json_number(n) => out.push_str(n),
            _ => return Err(not_json(node, "a NUMBER's value is JSON number text")),
        },
        Primitive::BOOLEAN => match value {
            Some(b @ ("true" | "false")) => out.push_str(b),
            _ => return Err(not_json(node, "a BOOLEAN's value is \"true\" or \"false\"")),
        },
        Primitive::NULL if value.is_none() => out.push_str("null"),
        Primitive::NULL => return Err(not_json(node, "a NULL has no value")),
        _ => return Err(not_json(node, "no JSON meaning")),
    }
    Ok(())
}

/// Whether `text` is exactly one JSON number (RFC 8259 grammar).
pub fn is_json_number(text: &str) -> bool {
    let mut reader = JsonReader::new(text);
    matches!(reader.next_event(), Ok(Some(JsonEvent::Number(n))) if n.len() == text.len())
        && matches!(reader.next_event(), Ok(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        Tree::from_json_document(text).unwrap().to_json_document().unwrap()
    }

    #[test]
    fn maps_every_kind_of_value_both_ways() {
        let text =
            r#"{"a":[1,-0,1.0,1e5,12345678901234567890123,true,false,null,"s\n\u00e9"],"b":{},"c":[],"a":2}"#;
        let tree = Tree::from_json_document(text).unwrap();
        assert_eq!(
            tree.to_string(),
            r#"DICT [RECORD "a" [LIST [NUMBER "1", NUMBER "-0", NUMBER "1.0", NUMBER "1e5", NUMBER "12345678901234567890123", BOOLEAN "true", BOOLEAN "false", NULL, STRING "s\né"]], RECORD "b" [DICT], RECORD "c" [LIST], RECORD "a" [NUMBER "2"]]"#
        );
        assert_eq!(tree.to_json_document().unwrap(), text.replace("\\u00e9", "é"));
    }

    #[test]
    fn scalars_at_top_level() {
        for text in ["1", "\"x\"", "null", "true", "[]", "{}"] {
            assert_eq!(round_trip(text), text);
        }
        assert_eq!(round_trip(" [ 1 , { \"k\" : [ ] } ] "), "[1,{\"k\":[]}]");
    }

    #[test]
    fn trees_that_are_no_document_are_errors() {
        for (tree, needle) in [
            (r#"{"p":"FUNCTION"}"#, "no JSON meaning"),
            (r#"{"p":"DICT","c":[{"p":"STRING","v":"x"}]}"#, "DICT children must be RECORDs"),
            (r#"{"p":"LIST","c":[{"p":"RECORD","v":"k","c":[{"p":"NULL"}]}]}"#, "RECORDs must be in a DICT"),
            (r#"{"p":"DICT","c":[{"p":"RECORD","v":"k"}]}"#, "exactly one child"),
            (r#"{"p":"NUMBER","v":"01"}"#, "JSON number text"),
            (r#"{"p":"NUMBER","v":"NaN"}"#, "JSON number text"),
            (r#"{"p":"BOOLEAN","v":"yes"}"#, "\"true\" or \"false\""),
            (r#"{"p":"NULL","v":""}"#, "no value"),
            (r#"{"p":"STRING"}"#, "has a value"),
            (r#"{"p":"STRING","v":"x","c":[{"p":"NULL"}]}"#, "only DICT, LIST and RECORD"),
            (r#"{"p":"LIST","v":"x"}"#, "no value"),
        ] {
            let err = Tree::from_tree_json(tree).unwrap().to_json_document().unwrap_err().to_string();
            assert!(err.contains(needle), "{tree}: {err}");
        }
    }

    #[test]
    fn nesting_100_000_deep_both_ways() {
        let depth = 100_000;
        let text = format!("{}{}", "[{\"k\":".repeat(depth), "}]".repeat(depth)).replace(":}", ":null}");
        let tree = Tree::from_json_document(&text).unwrap();
        assert_eq!(tree.depth(), 3 * depth + 1);
        assert_eq!(tree.to_json_document().unwrap(), text);
    }
}
