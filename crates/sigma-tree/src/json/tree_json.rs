//! The tree JSON form: `{"p": 16, "v": "calculate", "c": [ ... ]}`, both ways.
//!
//! Output is always `{"p":<int>,"v":<string or null>,"c":[...]}`, compact. Input is lenient where
//! the form allows it and strict elsewhere: `p` may be an integer 0–255 or a primitive name (any
//! case); `v` (string or null) and `c` (array of nodes) may be left out; members may come in any
//! order; an unknown or repeated member is an error.

use sigma_primitives::Primitive;

use super::reader::{JsonEvent, JsonReader};
use super::write::write_json_string;
use crate::walk::Event;
use crate::{Error, Tree, TreeBuilder};

impl Tree {
    /// The tree in tree JSON form (compact).
    pub fn to_tree_json(&self) -> String {
        let mut out = String::with_capacity(self.node_count() * 24 + self.value_bytes());
        self.write_tree_json(&mut out);
        out
    }

    /// Appends the tree in tree JSON form to `out`. Nothing for an empty tree.
    pub fn write_tree_json(&self, out: &mut String) {
        let mut need_comma = false;
        for event in self.events() {
            match event {
                Event::Enter(node) => {
                    if need_comma {
                        out.push(',');
                    }
                    out.push_str("{\"p\":");
                    push_u8(out, node.primitive().id());
                    out.push_str(",\"v\":");
                    match node.value() {
                        Some(value) => write_json_string(out, value),
                        None => out.push_str("null"),
                    }
                    out.push_str(",\"c\":[");
                    need_comma = false;
                }
                Event::Leave(_) => {
                    out.push_str("]}");
                    need_comma = true;
                }
            }
        }
    }

    /// Reads a tree in tree JSON form. Iterative: any depth reads without growing the stack.
    pub fn from_tree_json(text: &str) -> Result<Tree, Error> {
        read_tree_json(text)
    }
}

/// Appends `n` in decimal.
fn push_u8(out: &mut String, n: u8) {
    if n >= 100 {
        out.push(char::from(b'0' + n / 100));
    }
    if n >= 10 {
        out.push(char::from(b'0' + n / 10 % 10));
    }
    out.push(char::from(b'0' + n % 10));
}

/// What the reader expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// The root node object.
    Root,
    /// Inside a `c` array: a node object or `]`.
    Child,
    /// Inside a node object: a member or `}`.
    Member,
    /// The root is complete.
    End,
}

/// Which members a node object has had.
#[derive(Clone, Copy, Default)]
struct Seen {
    p: bool,
    v: bool,
    c: bool,
}

fn tree_error(offset: usize, message: impl Into<String>) -> Error {
    Error::TreeJson { offset, message: message.into() }
}

fn read_tree_json(text: &str) -> Result<Tree, Error> {
    let mut reader = JsonReader::new(text);
    let mut builder = TreeBuilder::new();
    // One entry per open node object: its index and the members seen so far.
    let mut frames: Vec<(usize, Seen)> = Vec::new();
    let mut state = State::Root;
    while let Some(event) = reader.next_event()? {
        let at = reader.offset();
        match (state, event) {
            (State::Root | State::Child, JsonEvent::StartObject) => {
                let index = builder.open(Primitive::ENTITY, None)?;
                frames.push((index, Seen::default()));
                state = State::Member;
            }
            (State::Child, JsonEvent::EndArray) => state = State::Member,
            (State::Root | State::Child, _) => return Err(tree_error(at, "expected a node object")),
            (State::Member, JsonEvent::EndObject) => {
                let Some((_, seen)) = frames.pop() else {
                    return Err(tree_error(at, "unbalanced node object"));
                };
                if !seen.p {
                    return Err(tree_error(at, "node object without \"p\""));
                }
                builder.close()?;
                state = if frames.is_empty() { State::End } else { State::Child };
            }
            (State::Member, JsonEvent::Key(key)) => {
                let Some((index, seen)) = frames.last_mut() else {
                    return Err(tree_error(at, "member outside a node object"));
                };
                let index = *index;
                let slot = match key.as_ref() {
                    "p" => &mut seen.p,
                    "v" => &mut seen.v,
                    "c" => &mut seen.c,
                    other => {
                        return Err(tree_error(at, format!("unknown member {other:?} (expected p, v or c)")));
                    }
                };
                if std::mem::replace(slot, true) {
                    return Err(tree_error(at, format!("member {key:?} given twice")));
                }
                let value = reader.next_event()?;
                let value_at = reader.offset();
                match (key.as_ref(), value) {
                    ("p", Some(JsonEvent::Number(digits))) => {
                        let id = parse_primitive_id(digits).ok_or_else(|| {
                            tree_error(value_at, format!("\"p\" must be an integer 0-255, found {digits}"))
                        })?;
                        builder.set_primitive(index, Primitive::new(id));
                    }
                    ("p", Some(JsonEvent::String(name))) => {
                        let primitive = Primitive::from_name(&name).ok_or_else(|| {
                            tree_error(value_at, format!("unknown primitive name {name:?}"))
                        })?;
                        builder.set_primitive(index, primitive);
                    }
                    ("p", _) => {
                        return Err(tree_error(
                            value_at,
                            "\"p\" must be an integer 0-255 or a primitive name",
                        ));
                    }
                    ("v", Some(JsonEvent::String(value))) => {
                        builder.set_value(index, Some(&value))?;
                    }
                    ("v", Some(JsonEvent::Null)) => {}
                    ("v", _) => return Err(tree_error(value_at, "\"v\" must be a string or null")),
                    (_, Some(JsonEvent::StartArray)) => state = State::Child,
                    _ => return Err(tree_error(value_at, "\"c\" must be an array of node objects")),
                }
            }
            (State::Member, _) => return Err(tree_error(at, "expected a member of a node object")),
            (State::End, _) => return Err(tree_error(at, "extra JSON after the root node")),
        }
    }
    if state != State::End {
        return Err(tree_error(text.len(), "unexpected end of input"));
    }
    builder.finish()
}

/// `"0"`–`"255"` without sign, fraction, exponent or leading zeros.
fn parse_primitive_id(digits: &str) -> Option<u8> {
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_any_order_and_omitted_members() {
        let tree = Tree::from_tree_json(
            r#"{"c": [{"p": "variable", "v": "x"}, {"p": 17}], "v": "", "p": "Function"}"#,
        )
        .unwrap();
        assert_eq!(tree.to_string(), r#"FUNCTION "" [VARIABLE "x", VARIABLE]"#);
        assert_eq!(
            tree.to_tree_json(),
            r#"{"p":16,"v":"","c":[{"p":17,"v":"x","c":[]},{"p":17,"v":null,"c":[]}]}"#
        );
    }

    #[test]
    fn rejects_what_is_not_a_tree() {
        for (text, needle) in [
            (r#"[]"#, "expected a node object"),
            (r#"{"v": "x"}"#, "without \"p\""),
            (r#"{"p": 256}"#, "integer 0-255"),
            (r#"{"p": -1}"#, "integer 0-255"),
            (r#"{"p": 1.0}"#, "integer 0-255"),
            (r#"{"p": 010}"#, "leading zero"),
            (r#"{"p": "NOPE"}"#, "unknown primitive name"),
            (r#"{"p": 1, "p": 2}"#, "given twice"),
            (r#"{"p": 1, "x": 2}"#, "unknown member"),
            (r#"{"p": 1, "v": 2}"#, "string or null"),
            (r#"{"p": 1, "c": {}}"#, "array of node objects"),
            (r#"{"p": 1, "c": [1]}"#, "expected a node object"),
            (r#"{"p": 1} {"p": 2}"#, "trailing characters"),
            (r#"{"p": 1"#, "unexpected end"),
        ] {
            let err = Tree::from_tree_json(text).expect_err(text).to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
