//! `describe`: a new tree against a context, as the parts that can be sent as back-references.

use sigma_tree::Tree;

use crate::context::{Context, SubtreeLocation};
use crate::delta::PrimitiveDelta;
use crate::hash::subtree_hashes;

/// How one node's value can be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueOp<'t> {
    /// The node has no value.
    None,
    /// A value in the context's value table, at this distance from the newest.
    Ref(u64),
    /// A value the context has not seen.
    Literal(&'t str),
}

/// One step of an edit, in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op<'t> {
    /// The subtree rooted at `node` equals one in context: send the location, skip the subtree.
    Subtree {
        /// Pre-order index of the subtree's root in the new tree.
        node: usize,
        /// Where an equal subtree is in context.
        location: SubtreeLocation,
    },
    /// `node` is sent itself (its primitive and structure), with its value as `value` says.
    Node {
        /// Pre-order index in the new tree.
        node: usize,
        /// How its value can be sent.
        value: ValueOp<'t>,
    },
}

/// A new tree described against a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit<'t> {
    /// The sequence number of a message in context equal to the whole tree, if any.
    pub repeat_of: Option<u64>,
    /// Primitives added and removed against the latest tree in context.
    pub primitives: PrimitiveDelta,
    /// The steps, in pre-order; nodes inside a `Subtree` step have no step of their own.
    pub ops: Vec<Op<'t>>,
    /// The new tree's subtree hashes by pre-order index, for [`Context::push_hashed`].
    pub hashes: Vec<u64>,
}

impl Edit<'_> {
    /// Nodes covered by back-references to subtrees.
    pub fn nodes_referenced(&self, tree: &Tree) -> usize {
        self.ops
            .iter()
            .filter_map(|op| match op {
                Op::Subtree { node, .. } => tree.node(*node).map(|n| n.subtree_size()),
                Op::Node { .. } => None,
            })
            .sum()
    }
}

/// As [`describe`], without looking the values up in the value table: every value is a
/// [`ValueOp::Literal`]. For callers that choose how to send each value themselves (a session
/// encoder predicts most values and looks up only the rest), so that no value is looked up twice.
pub fn describe_subtrees<'t>(context: &Context, tree: &'t Tree) -> Edit<'t> {
    describe_with(context, tree, false)
}

/// Describes `tree` against `context`: greedily from the root, each subtree that occurs in context
/// becomes one reference; every other node is sent, its value as a back-reference when the
/// context has seen it.
pub fn describe<'t>(context: &Context, tree: &'t Tree) -> Edit<'t> {
    describe_with(context, tree, true)
}

fn describe_with<'t>(context: &Context, tree: &'t Tree, look_up_values: bool) -> Edit<'t> {
    let mut hashes = Vec::new();
    subtree_hashes(tree, &mut hashes, &mut Vec::new());
    let root_hash = hashes.first().copied().unwrap_or_default();
    let latest = context.latest().map(|e| e.primitives).unwrap_or_default();
    let mut edit = Edit {
        repeat_of: context.find_tree(root_hash, tree),
        primitives: PrimitiveDelta::between(&latest, &tree.primitives_used()),
        ops: Vec::new(),
        hashes: Vec::new(),
    };
    let min = context.config().min_subtree;
    let mut index = 0;
    while let Some(node) = tree.node(index) {
        let size = node.subtree_size();
        let found = (size >= min)
            .then(|| hashes.get(index).and_then(|&h| context.find_subtree(h, tree, index)))
            .flatten();
        if let Some(location) = found {
            edit.ops.push(Op::Subtree { node: index, location });
            index += size;
            continue;
        }
        let value = match node.value() {
            None => ValueOp::None,
            Some(v) if look_up_values => {
                context.values().distance(v).map_or(ValueOp::Literal(v), ValueOp::Ref)
            }
            Some(v) => ValueOp::Literal(v),
        };
        edit.ops.push(Op::Node { node: index, value });
        index += 1;
    }
    edit.hashes = hashes;
    edit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextConfig;

    fn doc(json: &str) -> Tree {
        Tree::from_json_document(json).unwrap()
    }

    #[test]
    fn describe_subtrees_leaves_values_to_the_caller() {
        let mut context = Context::new(ContextConfig::default());
        context.push(doc(r#"{"user":{"id":7,"name":"ann"},"text":"hello"}"#));
        let next = doc(r#"{"user":{"id":7,"name":"ann"},"text":"bye"}"#);
        let (full, bare) = (describe(&context, &next), describe_subtrees(&context, &next));
        assert_eq!(full.hashes, bare.hashes);
        assert_eq!(full.ops.len(), bare.ops.len());
        for (a, b) in full.ops.iter().zip(&bare.ops) {
            match (a, b) {
                (Op::Subtree { .. }, Op::Subtree { .. }) => assert_eq!(a, b),
                (
                    Op::Node { node: x, value: ValueOp::Ref(_) },
                    Op::Node { node: y, value: ValueOp::Literal(v) },
                ) => {
                    assert_eq!(x, y);
                    assert_eq!(next.node(*y).and_then(|n| n.value()), Some(*v));
                }
                _ => assert_eq!(a, b),
            }
        }
        assert!(full.ops.iter().any(|op| matches!(op, Op::Node { value: ValueOp::Ref(_), .. })));
        assert!(!bare.ops.iter().any(|op| matches!(op, Op::Node { value: ValueOp::Ref(_), .. })));
    }

    #[test]
    fn repeated_subtrees_and_values_become_references() {
        let mut context = Context::new(ContextConfig::default());
        context.push(doc(r#"{"user":{"id":7,"name":"ann"},"text":"hello"}"#));
        let next = doc(r#"{"user":{"id":7,"name":"ann"},"text":"bye"}"#);
        let edit = describe(&context, &next);
        assert_eq!(edit.repeat_of, None);
        assert!(edit.primitives.is_empty());
        // DICT root sent; RECORD "user" with its DICT is in context whole; then RECORD "text" is
        // sent with its key as a back-reference and "bye" as a literal.
        assert_eq!(edit.ops.len(), 4, "{:?}", edit.ops);
        assert!(matches!(edit.ops[0], Op::Node { node: 0, value: ValueOp::None }));
        assert!(matches!(
            edit.ops[1],
            Op::Subtree { node: 1, location: SubtreeLocation { seq: 0, node: 1 } }
        ));
        assert!(matches!(edit.ops[2], Op::Node { value: ValueOp::Ref(_), .. }));
        assert!(matches!(edit.ops[3], Op::Node { value: ValueOp::Literal("bye"), .. }));
        assert_eq!(edit.nodes_referenced(&next), 6, "RECORD user, DICT, two RECORDs and their values");

        context.push(next.clone());
        let again = describe(&context, &next);
        assert_eq!(again.repeat_of, Some(1));
    }

    #[test]
    fn an_empty_context_sends_everything_literally() {
        let context = Context::new(ContextConfig::default());
        let tree = doc(r#"[1,"a",null]"#);
        let edit = describe(&context, &tree);
        assert_eq!(edit.ops.len(), 4);
        assert_eq!(edit.primitives.added, tree.primitives_used());
        assert!(
            edit.ops
                .iter()
                .all(|op| !matches!(op, Op::Subtree { .. } | Op::Node { value: ValueOp::Ref(_), .. }))
        );
    }
}
