//! Items: what a bank holds, and how each comes back exactly as it was added.

use sigma_primitives::Primitive;
use sigma_tree::Tree;

use crate::error::InputError;

/// What an item was added as, which decides how it is given back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ItemKind {
    /// A JSON document (one file, or one line of JSON lines), given back as compact JSON with
    /// its keys in order and its numbers as written.
    Json,
    /// A tree in tree JSON form, given back in that form.
    Tree,
    /// Text, given back byte for byte (through `sigma_text`'s exact tree mapping).
    Text,
}

impl ItemKind {
    /// Its name on the command line and in JSON output (`json`, `tree`, `text`).
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Json => "json",
            ItemKind::Tree => "tree",
            ItemKind::Text => "text",
        }
    }

    /// The code stored with the item.
    pub(crate) fn code(self) -> u64 {
        match self {
            ItemKind::Json => 0,
            ItemKind::Tree => 1,
            ItemKind::Text => 2,
        }
    }

    /// The kind stored as `code`.
    pub(crate) fn from_code(code: u64) -> Option<ItemKind> {
        match code {
            0 => Some(ItemKind::Json),
            1 => Some(ItemKind::Tree),
            2 => Some(ItemKind::Text),
            _ => None,
        }
    }
}

/// One item: a tree and what it was added as. Made only by the constructors below, so its tree
/// always maps back as its kind ([`Item::render`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub(crate) kind: ItemKind,
    pub(crate) tree: Tree,
}

impl Item {
    /// A JSON document (mapped to a tree losslessly: see `Tree::from_json_document`).
    pub fn json(text: &str) -> Result<Item, InputError> {
        let tree = Tree::from_json_document(text)
            .map_err(|source| InputError::Json { expected: "JSON document", source })?;
        Ok(Item { kind: ItemKind::Json, tree })
    }

    /// A tree in tree JSON form.
    pub fn tree_json(text: &str) -> Result<Item, InputError> {
        let tree = Tree::from_tree_json(text)
            .map_err(|source| InputError::Json { expected: "tree in tree JSON form", source })?;
        Ok(Item { kind: ItemKind::Tree, tree })
    }

    /// Any tree, given back in tree JSON form.
    pub fn from_tree(tree: Tree) -> Item {
        Item { kind: ItemKind::Tree, tree }
    }

    /// A JSON document's tree (as `Tree::from_json_document` makes), given back as JSON; a tree
    /// that is not the image of a JSON document is refused.
    pub fn from_json_tree(tree: Tree) -> Result<Item, InputError> {
        let item = Item { kind: ItemKind::Json, tree };
        item.render().map_err(InputError::Render)?;
        Ok(item)
    }

    /// An item whose tree a read fills (`Bank::read` sets both fields).
    pub(crate) fn scratch() -> Item {
        Item { kind: ItemKind::Json, tree: Tree::default() }
    }

    /// What it was added as.
    pub fn kind(&self) -> ItemKind {
        self.kind
    }

    /// The tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The tree, owned.
    pub fn into_tree(self) -> Tree {
        self.tree
    }

    /// Text, through `sigma_text::parse` (sentences, runs and the entities found in them).
    pub fn text(text: &str) -> Result<Item, InputError> {
        Ok(Item { kind: ItemKind::Text, tree: sigma_text::parse(text)? })
    }

    /// The item as it was added: compact JSON for a JSON document, tree JSON for a tree, the
    /// text for text. A tree stored as one kind that does not map back as that kind (which a
    /// bank's own items never are) is an error.
    pub fn render(&self) -> Result<String, RenderError> {
        match self.kind {
            ItemKind::Json => self.tree.to_json_document().map_err(RenderError::Json),
            ItemKind::Tree => Ok(self.tree.to_tree_json()),
            ItemKind::Text => sigma_text::to_text(&self.tree).map_err(RenderError::Text),
        }
    }

    /// The words of the item that keyword search counts: the text of a text item; the values of
    /// every other item's nodes except object keys (`RECORD` values), one per line.
    pub fn searchable_text(&self, out: &mut String) -> Result<(), RenderError> {
        out.clear();
        if self.kind == ItemKind::Text {
            out.push_str(&sigma_text::to_text(&self.tree).map_err(RenderError::Text)?);
            return Ok(());
        }
        for node in self.tree.nodes() {
            if node.primitive() == Primitive::RECORD {
                continue;
            }
            if let Some(value) = node.value() {
                out.push_str(value);
                out.push('\n');
            }
        }
        Ok(())
    }
}

/// Why an item could not be given back as its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A tree stored as a JSON document that is not the image of one.
    #[error("not a JSON document's tree: {0}")]
    Json(sigma_tree::Error),
    /// A tree stored as text that is not a text tree.
    #[error("not a text tree: {0}")]
    Text(sigma_text::TextError),
}
