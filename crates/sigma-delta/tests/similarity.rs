//! Similarity search on the corpus messages against brute force: recall@10 and query time. The
//! figures print with `cargo test --release -p sigma-delta --test similarity -- --nocapture`.

use std::time::Instant;

use sigma_delta::SimilarityIndex;
use sigma_testkit::Stream;

#[test]
fn recall_at_10_against_brute_force() {
    let mut trees = Stream::TwitterStatuses.trees();
    trees.extend(Stream::CitmPerformances.trees());
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
