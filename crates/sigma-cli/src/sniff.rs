//! What an input holds: the one place that tells ΣLANG bytes from JSON text, and one JSON
//! document from JSON lines or a tree in tree JSON form.

use sigma_codec::{Format, Tree, detect};

use crate::io::{Failure, into_text};

/// An input, by what it holds.
pub(crate) enum Input {
    /// ΣLANG bytes: a v1 or v2 message, or a session stream.
    Sigma(Format, Vec<u8>),
    /// Text, which the command reads as JSON.
    Json(JsonText),
}

/// Tells what `bytes` (from the input named `name`) hold. JSON text starts with `{` or `[`,
/// which are v1 header bytes: such bytes are a v1 message only if they decode as one.
pub(crate) fn sniff(name: &str, bytes: Vec<u8>) -> Result<Input, Failure> {
    match detect(&bytes) {
        Ok(Format::V1) if sigma_codec::v1::decode(&bytes).is_err() => {}
        Ok(format) => return Ok(Input::Sigma(format, bytes)),
        Err(_) => {}
    }
    Ok(Input::Json(JsonText::new(name, into_text(name, bytes)?)))
}

/// JSON text from a named input.
pub(crate) struct JsonText {
    name: String,
    text: String,
}

/// How JSON text held its trees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonKind {
    /// One document.
    Document,
    /// One document per line.
    Lines,
}

impl JsonText {
    /// `text` from the input named `name`.
    pub(crate) fn new(name: &str, text: String) -> JsonText {
        JsonText { name: name.to_owned(), text }
    }

    /// The text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Each non-blank line as a JSON document, with its line number (from 1); a line that is no
    /// JSON is a failure naming it.
    pub(crate) fn lines(&self) -> impl Iterator<Item = (usize, Result<Tree, Failure>)> + '_ {
        self.text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()).map(|(i, line)| {
            let number = i + 1;
            (
                number,
                Tree::from_json_document(line)
                    .map_err(|e| Failure(format!("{}: line {number}: {e}", self.name))),
            )
        })
    }

    /// The whole text as one JSON document or, if it is not one, each line as one.
    pub(crate) fn documents(&self) -> Result<(JsonKind, Vec<Tree>), Failure> {
        match Tree::from_json_document(&self.text) {
            Ok(tree) => Ok((JsonKind::Document, vec![tree])),
            Err(whole) => {
                let trees = self
                    .lines()
                    .map(|(_, tree)| tree)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|Failure(line)| Failure(format!("{line} (as one document: {whole})")))?;
                Ok((JsonKind::Lines, trees))
            }
        }
    }

    /// Sample trees: the text as one tree in tree JSON form, else as [`JsonText::documents`].
    pub(crate) fn samples(&self) -> Result<Vec<Tree>, Failure> {
        match Tree::from_tree_json(&self.text) {
            Ok(tree) => Ok(vec![tree]),
            Err(_) => Ok(self.documents()?.1),
        }
    }
}
