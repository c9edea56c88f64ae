//! Sizes of every fixture in v1, v2 and postcard (the serde shape `{p: u8, v: Option<String>,
//! c: Vec<Node>}`), with the assertions that hold for all of them. The table prints with
//! `cargo test -p sigma-benches --test sizes -- --nocapture`.

use sigma_benches::PeerNode;
use sigma_codec::{v1, v2};
use sigma_testkit::fixture_trees;

#[test]
fn sizes_of_every_fixture() {
    println!("| fixture | nodes | v1 bytes | v2 bytes | postcard bytes | v2 / postcard |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, tree) in fixture_trees() {
        let v2_len = v2::encode(&tree).unwrap().len();
        let v1_len = v1::encode(&tree).ok().map(|b| b.len());
        let postcard_len = postcard::to_allocvec(&PeerNode::from_tree(&tree)).unwrap().len();
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
