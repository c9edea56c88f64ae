//! The text notation: `FUNCTION "calculate" [PARAMETER "x" [VARIABLE "result"], PARAMETER "y"]`.
//!
//! A node is its primitive's name, then its value as a JSON string if it has one, then its
//! children in brackets if it has any. It is how trees print (`Display`, `Debug`) and how test
//! failures show them.

use std::fmt::{self, Write};

use crate::Tree;
use crate::json::write_json_string;
use crate::walk::Event;

impl fmt::Display for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut need_separator = false;
        let mut quoted = String::new();
        for event in self.events() {
            match event {
                Event::Enter(node) => {
                    if need_separator {
                        f.write_str(", ")?;
                    }
                    f.write_str(node.primitive().name())?;
                    if let Some(value) = node.value() {
                        quoted.clear();
                        write_json_string(&mut quoted, value);
                        f.write_char(' ')?;
                        f.write_str(&quoted)?;
                    }
                    if node.has_children() {
                        f.write_str(" [")?;
                    }
                    need_separator = false;
                }
                Event::Leave(node) => {
                    if node.has_children() {
                        f.write_char(']')?;
                    }
                    need_separator = true;
                }
            }
        }
        Ok(())
    }
}
