//! Properties of the arena tree: tree JSON round-trips, walkers agree with each other and with
//! the cursors, equality sees every difference.

use proptest::prelude::*;
use sigma_tree::arbitrary::{TreeConfig, trees};
use sigma_tree::{Event, Tree, TreeBuilder};

fn any_tree() -> impl Strategy<Value = Tree> {
    trees(TreeConfig { max_steps: 200, v1_safe: false })
}

/// Rebuilds `tree` from its enter/leave events, changing node `target`'s value if asked.
fn rebuild(tree: &Tree, target: Option<usize>) -> Tree {
    let mut b = TreeBuilder::new();
    for event in tree.events() {
        match event {
            Event::Enter(node) => {
                let value = if Some(node.index()) == target {
                    Some(format!("{}!", node.value().unwrap_or_default()))
                } else {
                    node.value().map(str::to_owned)
                };
                b.open(node.primitive(), value.as_deref()).unwrap();
            }
            Event::Leave(_) => b.close().unwrap(),
        }
    }
    b.finish().unwrap()
}

proptest! {
    #[test]
    fn tree_json_round_trips(tree in any_tree()) {
        let json = tree.to_tree_json();
        prop_assert_eq!(Tree::from_tree_json(&json).unwrap(), tree.clone());
        // serde_json reads what we write and agrees on the node count.
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut count = 0;
        let mut stack = vec![&value];
        while let Some(node) = stack.pop() {
            count += 1;
            stack.extend(node["c"].as_array().unwrap());
        }
        prop_assert_eq!(count, tree.node_count());
    }

    #[test]
    fn walkers_agree(tree in any_tree()) {
        let dfs: Vec<(usize, usize)> = tree.depth_first().map(|(n, d)| (n.index(), d)).collect();
        prop_assert_eq!(dfs.iter().map(|&(i, _)| i).collect::<Vec<_>>(), (0..tree.node_count()).collect::<Vec<_>>());
        let mut bfs: Vec<(usize, usize)> = tree.breadth_first().map(|(n, d)| (n.index(), d)).collect();
        prop_assert!(bfs.windows(2).all(|w| w[0].1 <= w[1].1), "level order");
        bfs.sort();
        prop_assert_eq!(&bfs, &dfs);
        prop_assert_eq!(tree.depth(), dfs.iter().map(|&(_, d)| d + 1).max().unwrap());
        // Children by cursor are exactly the nodes one level down within the subtree.
        for node in tree.nodes() {
            let depth = dfs[node.index()].1;
            let expected: Vec<usize> = (node.index() + 1..node.index() + node.subtree_size())
                .filter(|&i| dfs[i].1 == depth + 1)
                .collect();
            prop_assert_eq!(node.children().map(|c| c.index()).collect::<Vec<_>>(), expected);
        }
        let primitives: sigma_tree::PrimitiveSet = tree.nodes().map(|n| n.primitive()).collect();
        prop_assert_eq!(tree.primitives_used(), primitives);
    }

    #[test]
    fn equality_sees_every_value_change(tree in any_tree(), pick in any::<prop::sample::Index>()) {
        prop_assert_eq!(rebuild(&tree, None), tree.clone());
        let target = pick.index(tree.node_count());
        prop_assert_ne!(rebuild(&tree, Some(target)), tree);
    }
}

#[test]
fn equality_sees_shape_primitive_and_absent_versus_empty() {
    let parse = |s: &str| Tree::from_tree_json(s).unwrap();
    let base = parse(r#"{"p":1,"c":[{"p":2},{"p":3}]}"#);
    assert_ne!(base, parse(r#"{"p":1,"c":[{"p":2,"c":[{"p":3}]}]}"#));
    assert_ne!(base, parse(r#"{"p":1,"c":[{"p":2},{"p":4}]}"#));
    assert_ne!(base, parse(r#"{"p":1,"v":"","c":[{"p":2},{"p":3}]}"#));
    assert_eq!(base, parse(r#"{"c":[{"p":"relation"},{"p":3,"v":null}],"p":1}"#));
}
