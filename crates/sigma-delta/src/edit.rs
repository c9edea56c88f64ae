//! `describe`: a new tree against a context, as the parts that can be sent as back-references.

use sigma_tree::Tree;

use crate::context::{Context, SubtreeLocation};
use crate::hash::{subtree_hashes_with, value_hashes};

/// One step of an edit, in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The subtree rooted at `node` equals one in context: send the location, skip the subtree.
    Subtree {
        /// Pre-order index of the subtree's root in the new tree.
        node: usize,
        /// Where an equal subtree is in context.
        location: SubtreeLocation,
    },
    /// `node` is sent itself (its primitive, its value and its place in the structure).
    Node {
        /// Pre-order index in the new tree.
        node: usize,
    },
}

/// A new tree described against a context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edit {
    /// The sequence number of a message in context equal to the whole tree, if any.
    pub repeat_of: Option<u64>,
    /// The steps, in pre-order; nodes inside a `Subtree` step have no step of their own.
    pub ops: Vec<Op>,
    /// The new tree's subtree hashes by pre-order index, for [`Context::push_hashed`].
    pub hashes: Vec<u64>,
}

/// Describes `tree` against `context`: greedily from the root, each subtree that occurs in
/// context (and has at least the context's `min_subtree` nodes) becomes one reference; every
/// other node is sent. How to send each sent node's value is the caller's choice (a session
/// encoder predicts most values and looks up only the rest in its [`crate::ValueTable`]).
pub fn describe(context: &Context, tree: &Tree) -> Edit {
    let mut values = Vec::new();
    value_hashes(tree, &mut values);
    let mut edit = Edit::default();
    describe_into(context, tree, &values, &mut edit, &mut Vec::new());
    edit
}

/// As [`describe`], into `edit` (its buffers reused), given the tree's
/// [`value_hashes`](crate::hash::value_hashes); `stack` is scratch space, kept for reuse.
pub fn describe_into(
    context: &Context,
    tree: &Tree,
    values: &[u64],
    edit: &mut Edit,
    stack: &mut Vec<(usize, u64)>,
) {
    subtree_hashes_with(tree, values, &mut edit.hashes, stack);
    let hashes = &edit.hashes;
    edit.repeat_of = hashes.first().and_then(|&root_hash| context.find_tree(root_hash, tree));
    edit.ops.clear();
    let min = context.config().min_subtree;
    let mut index = 0;
    while let Some(node) = tree.node(index) {
        let size = node.subtree_size();
        let found = (size >= min)
            .then(|| hashes.get(index).and_then(|&h| context.find_subtree(h, tree, index)))
            .flatten();
        match found {
            Some(location) => {
                edit.ops.push(Op::Subtree { node: index, location });
                index += size;
            }
            None => {
                edit.ops.push(Op::Node { node: index });
                index += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextConfig;

    fn doc(json: &str) -> Tree {
        Tree::from_json_document(json).unwrap()
    }

    #[test]
    fn repeated_subtrees_become_references() {
        let mut context = Context::new(ContextConfig::default());
        context.push(doc(r#"{"user":{"id":7,"name":"ann"},"text":"hello"}"#));
        let next = doc(r#"{"user":{"id":7,"name":"ann"},"text":"bye"}"#);
        let edit = describe(&context, &next);
        assert_eq!(edit.repeat_of, None);
        // DICT root sent; RECORD "user" with its DICT is in context whole; then RECORD "text"
        // and "bye" are sent.
        assert_eq!(
            edit.ops,
            [
                Op::Node { node: 0 },
                Op::Subtree { node: 1, location: SubtreeLocation { seq: 0, node: 1 } },
                Op::Node { node: 7 },
                Op::Node { node: 8 },
            ]
        );
        assert_eq!(edit.hashes.len(), next.node_count());

        context.push(next.clone());
        let again = describe(&context, &next);
        assert_eq!(again.repeat_of, Some(1));
    }

    #[test]
    fn an_empty_context_sends_every_node() {
        let context = Context::new(ContextConfig::default());
        let tree = doc(r#"[1,"a",null]"#);
        let edit = describe(&context, &tree);
        assert_eq!(edit.ops, (0..4).map(|node| Op::Node { node }).collect::<Vec<_>>());
        assert_eq!(edit.repeat_of, None);
    }

    #[test]
    fn subtrees_below_the_minimum_are_sent_node_by_node() {
        let config = ContextConfig { min_subtree: 4, ..ContextConfig::default() };
        let mut context = Context::new(config);
        context.push(doc(r#"{"a":[1,2]}"#));
        let edit = describe(&context, &doc(r#"[{"a":[1,2]},[1,2]]"#));
        // The DICT (5 nodes) is referenced; the LIST [1,2] (3 nodes) is below the minimum.
        assert!(matches!(edit.ops[1], Op::Subtree { node: 1, .. }));
        assert!(edit.ops[2..].iter().all(|op| matches!(op, Op::Node { .. })), "{:?}", edit.ops);
    }
}
