//! Similarity search on the corpus messages against brute force: recall@10 and query time. The
//! figures print with `cargo test --release -p sigma-delta --test similarity -- --nocapture`.

use std::path::PathBuf;
use std::time::Instant;

use sigma_delta::SimilarityIndex;
use sigma_tree::Tree;

fn messages(file: &str, key: &str) -> Vec<Tree> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus").join(file);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Tree::from_json_document(&serde_json::to_string(m).unwrap()).unwrap())
        .collect()
}

#[test]
fn recall_at_10_against_brute_force() {
    let mut trees = messages("twitter.json", "statuses");
    trees.extend(messages("citm_catalog.json", "performances"));
    let mut index = SimilarityIndex::new();
    for (id, tree) in trees.iter().enumerate() {
        index.add(id as u64, tree);
    }
    let (mut found, mut wanted) = (0usize, 0usize);
    let (mut lsh_time, mut brute_time) = (0u128, 0u128);
    for tree in &trees {
        let start = Instant::now();
        let lsh = index.similar(tree, 10);
        lsh_time += start.elapsed().as_nanos();
        let start = Instant::now();
        let exact = index.similar_exhaustive(tree, 10);
        brute_time += start.elapsed().as_nanos();
        // Recall against the exact top 10 by score (ties at the cut count as found).
        let cut = exact.last().map_or(0.0, |m| m.score);
        wanted += exact.len();
        found += lsh.iter().filter(|m| m.score >= cut).count().min(exact.len());
    }
    let recall = found as f64 / wanted as f64;
    let queries = trees.len() as f64;
    println!(
        "{} trees; recall@10 {recall:.3}; query {:.1} µs (index) vs {:.1} µs (brute force)",
        trees.len(),
        lsh_time as f64 / queries / 1000.0,
        brute_time as f64 / queries / 1000.0
    );
    assert!(recall >= 0.9, "recall@10 {recall}");
}
