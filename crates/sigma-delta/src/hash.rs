//! Subtree hashes and subtree equality, both without recursion.
//!
//! A subtree's hash covers its primitive, its value (absent and empty differ) and its children's
//! hashes in order. Hashes only find candidates: every match is confirmed with
//! [`subtree_eq`], so a collision can never produce a wrong reference.

use sigma_tree::{NodeRef, Tree};

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xC2B2_AE3D_27D4_EB4F;

fn mix(a: u64, b: u64) -> u64 {
    let m = u128::from(a ^ K0).wrapping_mul(u128::from(b ^ K1));
    (m as u64) ^ ((m >> 64) as u64)
}

/// A fixed (seedless, platform-independent) 64-bit hash of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = K1 ^ bytes.len() as u64;
    let (words, rest) = bytes.as_chunks::<8>();
    for word in words {
        h = mix(h, u64::from_le_bytes(*word));
    }
    let mut tail = [0u8; 8];
    for (dst, &src) in tail.iter_mut().zip(rest) {
        *dst = src;
    }
    mix(h, u64::from_le_bytes(tail))
}

/// The hash of every node's value by pre-order index ([`hash_bytes`]; 0 for a node without one)
/// into `out` (cleared first): computed once per message, then used by every hash below and by a
/// session's value lookups. Returns the values' total length in bytes.
pub fn value_hashes(tree: &Tree, out: &mut Vec<u64>) -> usize {
    out.clear();
    let mut total = 0;
    out.extend(tree.nodes().map(|node| match node.value() {
        Some(v) => {
            total += v.len();
            hash_bytes(v.as_bytes())
        }
        None => 0,
    }));
    total
}

/// A node's own part of its subtree hash, from its value's hash.
fn node_seed(node: &NodeRef<'_>, value_hash: u64) -> u64 {
    let value = if node.has_value() { value_hash | 1 } else { 0 };
    mix(u64::from(node.primitive().id()) << 1 | u64::from(node.has_value()), value)
}

/// The hash of every node's subtree, by pre-order index, into `out` (cleared first). One pass
/// from the last node to the first; `stack` is scratch space, kept for reuse.
pub fn subtree_hashes(tree: &Tree, out: &mut Vec<u64>, stack: &mut Vec<(usize, u64)>) {
    let mut values = Vec::new();
    value_hashes(tree, &mut values);
    subtree_hashes_with(tree, &values, out, stack);
}

/// As [`subtree_hashes`], given the tree's [`value_hashes`].
pub fn subtree_hashes_with(tree: &Tree, values: &[u64], out: &mut Vec<u64>, stack: &mut Vec<(usize, u64)>) {
    debug_assert_eq!(values.len(), tree.node_count(), "one value hash per node");
    hashes_with(tree, out, stack, |node| node_seed(node, values.get(node.index()).copied().unwrap_or(0)));
}

/// Like [`subtree_hashes`], but blind to the values of leaves (only whether they have one): the
/// hash of a subtree's *shape*, the same for subtrees that differ only in leaf values.
pub fn shape_hashes(tree: &Tree, out: &mut Vec<u64>, stack: &mut Vec<(usize, u64)>) {
    let mut values = Vec::new();
    value_hashes(tree, &mut values);
    shape_hashes_with(tree, &values, out, stack);
}

/// As [`shape_hashes`], given the tree's [`value_hashes`].
pub fn shape_hashes_with(tree: &Tree, values: &[u64], out: &mut Vec<u64>, stack: &mut Vec<(usize, u64)>) {
    debug_assert_eq!(values.len(), tree.node_count(), "one value hash per node");
    hashes_with(tree, out, stack, |node| {
        if node.has_children() {
            node_seed(node, values.get(node.index()).copied().unwrap_or(0))
        } else {
            mix(u64::from(node.primitive().id()) << 1 | u64::from(node.has_value()), 0x51A9E)
        }
    });
}

fn hashes_with(
    tree: &Tree,
    out: &mut Vec<u64>,
    stack: &mut Vec<(usize, u64)>,
    seed: impl Fn(&NodeRef<'_>) -> u64,
) {
    out.clear();
    out.resize(tree.node_count(), 0);
    stack.clear();
    for index in (0..tree.node_count()).rev() {
        let Some(node) = tree.node(index) else { continue };
        let end = index + node.subtree_size();
        let mut h = seed(&node);
        // The stack holds the hashes of finished subtrees to the right; the ones starting inside
        // this node's range are its children, nearest (first child) on top.
        while let Some(&(child, child_hash)) = stack.last() {
            if child >= end {
                break;
            }
            h = mix(h, child_hash);
            stack.pop();
        }
        h = mix(h, node.subtree_size() as u64);
        if let Some(slot) = out.get_mut(index) {
            *slot = h;
        }
        stack.push((index, h));
    }
}

/// Whether the subtree at `a_index` of `a` equals the subtree at `b_index` of `b`: same shape,
/// primitives and values, node for node.
pub fn subtree_eq(a: &Tree, a_index: usize, b: &Tree, b_index: usize) -> bool {
    let (Some(a_root), Some(b_root)) = (a.node(a_index), b.node(b_index)) else {
        return false;
    };
    let size = a_root.subtree_size();
    if size != b_root.subtree_size() {
        return false;
    }
    (0..size).all(|offset| match (a.node(a_index + offset), b.node(b_index + offset)) {
        (Some(x), Some(y)) => {
            x.primitive() == y.primitive() && x.subtree_size() == y.subtree_size() && x.value() == y.value()
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sigma_tree::arbitrary::{TreeConfig, trees};

    fn hashes(tree: &Tree) -> Vec<u64> {
        let mut out = Vec::new();
        subtree_hashes(tree, &mut out, &mut Vec::new());
        out
    }

    #[test]
    fn shapes_ignore_leaf_values_only() {
        let tree = Tree::from_tree_json(
            r#"{"p":1,"c":[{"p":2,"v":"k","c":[{"p":3,"v":"a"}]},{"p":2,"v":"k","c":[{"p":3,"v":"b"}]},{"p":2,"v":"j","c":[{"p":3,"v":"a"}]},{"p":2,"v":"k","c":[{"p":3}]}]}"#,
        )
        .unwrap();
        let mut h = Vec::new();
        shape_hashes(&tree, &mut h, &mut Vec::new());
        assert_eq!(h[1], h[3], "leaf values differ: same shape");
        assert_ne!(h[1], h[5], "composite values are part of the shape");
        assert_ne!(h[1], h[7], "a leaf without value is another shape");
    }

    #[test]
    fn equal_subtrees_hash_equal_and_different_ones_differ() {
        let tree = Tree::from_tree_json(
            r#"{"p":1,"c":[{"p":2,"v":"a","c":[{"p":3}]},{"p":2,"v":"a","c":[{"p":3}]},{"p":2,"v":"a","c":[{"p":3,"v":""}]},{"p":2,"v":"a"},{"p":3}]}"#,
        )
        .unwrap();
        let h = hashes(&tree);
        assert_eq!(h[1], h[3], "same subtree twice");
        assert!(subtree_eq(&tree, 1, &tree, 3));
        assert_ne!(h[1], h[5], "absent and empty value differ");
        assert!(!subtree_eq(&tree, 1, &tree, 5));
        assert_ne!(h[1], h[7], "a leaf differs from a node with children");
        assert_eq!(h[2], h[8], "leaf 3 at two places");
        assert_eq!(hash_bytes(b"abcdefghij"), hash_bytes(b"abcdefghij"));
        assert_ne!(hash_bytes(b"abcdefghij"), hash_bytes(b"abcdefghik"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
    }

    proptest! {
        #[test]
        fn equal_hashes_match_equality(tree in trees(TreeConfig { max_steps: 60, v1_safe: false })) {
            let h = hashes(&tree);
            for i in 0..tree.node_count() {
                for j in 0..tree.node_count() {
                    if subtree_eq(&tree, i, &tree, j) {
                        prop_assert_eq!(h[i], h[j]);
                    }
                }
            }
        }
    }
}
