//! Sizes of every fixture in v1, v2 and postcard (the serde shape `{p: u8, v: Option<String>,
//! c: Vec<Node>}`), with the assertions that hold for all of them. The table prints with
//! `cargo test -p sigma-codec --test sizes -- --nocapture`.

mod common;

use common::fixture_trees;
use serde::Serialize;
use sigma_codec::{v1, v2};
use sigma_tree::{Event, Tree};

/// The shape a serde user would give the tree.
#[derive(Serialize)]
struct PeerNode {
    p: u8,
    v: Option<String>,
    c: Vec<PeerNode>,
}

/// Converts without recursion: children are finished before their parent.
fn peer(tree: &Tree) -> PeerNode {
    let mut stack: Vec<PeerNode> = Vec::new();
    let mut finished: Vec<Vec<PeerNode>> = vec![Vec::new()];
    for event in tree.events() {
        match event {
            Event::Enter(node) => {
                stack.push(PeerNode {
                    p: node.primitive().id(),
                    v: node.value().map(str::to_owned),
                    c: Vec::new(),
                });
                finished.push(Vec::new());
            }
            Event::Leave(_) => {
                let mut node = stack.pop().unwrap();
                node.c = finished.pop().unwrap();
                finished.last_mut().unwrap().push(node);
            }
        }
    }
    finished.pop().unwrap().pop().unwrap()
}

#[test]
fn sizes_of_every_fixture() {
    println!("| fixture | nodes | v1 bytes | v2 bytes | postcard bytes | v2 / postcard |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, tree) in fixture_trees() {
        let v2_len = v2::encode(&tree).unwrap().len();
        let v1_len = v1::encode(&tree).ok().map(|b| b.len());
        let postcard_len = postcard::to_allocvec(&peer(&tree)).unwrap().len();
        if let Some(v1_len) = v1_len {
            assert!(v2_len < v1_len, "{name}");
        }
        let v1_text = v1_len.map_or("refused".to_owned(), |n| n.to_string());
        println!(
            "| {name} | {} | {v1_text} | {v2_len} | {postcard_len} | {:.3} |",
            tree.node_count(),
            v2_len as f64 / postcard_len as f64
        );
    }
}
