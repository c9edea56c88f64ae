//! A chain of 1,000,000 nodes builds, walks, compares, prints as tree JSON, reads back and drops
//! on a thread with a 256 KiB stack: nothing recurses per level.

use sigma_tree::{Event, Tree, samples};

const NODES: usize = 1_000_000;

fn on_small_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(256 * 1024).spawn(work).unwrap().join().unwrap();
}

#[test]
fn million_node_chain_on_a_small_stack() {
    on_small_stack(|| {
        let chain = samples::chain(NODES);
        assert_eq!(chain.node_count(), NODES);
        assert_eq!(chain.depth(), NODES);

        let (last, depth) = chain.depth_first().last().unwrap();
        assert_eq!((last.value(), depth), (Some("node_999999"), NODES - 1));
        let (last, depth) = chain.breadth_first().last().unwrap();
        assert_eq!((last.value(), depth), (Some("node_999999"), NODES - 1));
        let leaves = chain.events().filter(|e| matches!(e, Event::Leave(_))).count();
        assert_eq!(leaves, NODES);

        let copy = chain.clone();
        assert_eq!(copy, chain);

        let json = chain.to_tree_json();
        let back = Tree::from_tree_json(&json).unwrap();
        assert_eq!(back, chain);
        let text = chain.to_string();
        assert!(text.ends_with(&"]".repeat(10)));
        drop((chain, copy, back, json, text));
    });
}
