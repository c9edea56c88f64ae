//! Sizes of every fixture in v1, v2 and postcard (the serde shape `{p: u8, v: Option<String>,
//! c: Vec<Node>}`), with the assertions that hold for all of them. The table prints with
//! `cargo test -p sigma-benches --test sizes -- --nocapture`, with the sizes of the text fixtures'
//! text trees.

use sigma_benches::PeerNode;
use sigma_codec::{v1, v2};
use sigma_testkit::{fixture_trees, text_documents};

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

/// A text tree costs little beside its text: its v2 encoding is at most 1.25 times the text's
/// UTF-8 length, document by document.
#[test]
fn text_trees_are_small() {
    const MOST: f64 = 1.25;
    let (mut text_bytes, mut tree_bytes, mut nodes, mut worst) = (0, 0, 0, (0.0, String::new()));
    for (name, text) in text_documents() {
        let tree = sigma_text::parse(&text).unwrap();
        let encoded = v2::encode(&tree).unwrap().len();
        let ratio = encoded as f64 / text.len() as f64;
        assert!(ratio <= MOST, "{name}: {encoded} bytes of v2 for {} bytes of text ({ratio:.3})", text.len());
        if ratio > worst.0 {
            worst = (ratio, name);
        }
        text_bytes += text.len();
        tree_bytes += encoded;
        nodes += tree.node_count();
    }
    println!(
        "text fixtures: {text_bytes} bytes of text, {nodes} nodes, {tree_bytes} bytes of v2: {:.3}× (worst {:.3}×, {})",
        tree_bytes as f64 / text_bytes as f64,
        worst.0,
        worst.1
    );
}
