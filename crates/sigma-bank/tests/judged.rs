//! The judged query sets (`fixtures/bank/`, written by `make_judged.py`) on a bank of the corpus
//! messages: twitter statuses (ids 0–99), then citm performances (ids 100–342).
//!
//! Words: recall@10 and MRR against the relevant ids judged for each query; fails below MRR 0.7.
//! Like: recall@10 against the 10 most similar items by brute-force Jaccard (an item tied with
//! the tenth counts as relevant); fails below recall@10 0.9. Prints both tables:
//! `cargo test -p sigma-bank --test judged -- --nocapture`.

use sigma_bank::{Bank, Item, Query};
use sigma_delta::similar::{features, jaccard};
use sigma_testkit::{Stream, fixture_text};
use sigma_tree::Tree;

fn corpus_bank(dir: &std::path::Path) -> (Bank, Vec<Tree>) {
    let bank = Bank::create(dir).unwrap();
    let mut messages = Stream::TwitterStatuses.messages();
    messages.extend(Stream::CitmPerformances.messages());
    let items: Vec<Item> = messages.iter().map(|m| Item::json(m).unwrap()).collect();
    assert_eq!(bank.add(&items).unwrap(), 0..343);
    (bank, items.into_iter().map(Item::into_tree).collect())
}

#[test]
fn judged_queries() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, trees) = corpus_bank(dir.path());

    println!("\nword queries (BM25), k = 10");
    println!("| query | relevant | first relevant at | recall@10 |");
    println!("|---|---:|---:|---:|");
    let (mut mrr, mut recall, mut n) = (0.0, 0.0, 0);
    for line in fixture_text("bank/words.tsv").lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (query, ids) = (cols.next().unwrap(), cols.next().unwrap());
        let relevant: Vec<u64> = ids.split(',').map(|id| id.parse().unwrap()).collect();
        let q = Query { text: Some(query), like: None, k: 10 };
        let hits = bank.search(&q).unwrap();
        assert_eq!(bank.search(&q).unwrap(), hits, "the same query gives the same hits: {query}");
        let first = hits.iter().position(|h| relevant.contains(&h.id));
        let found = hits.iter().filter(|h| relevant.contains(&h.id)).count();
        let r = found as f64 / relevant.len().min(10) as f64;
        mrr += first.map_or(0.0, |p| 1.0 / (p + 1) as f64);
        recall += r;
        n += 1;
        let at = first.map_or_else(|| "—".to_owned(), |p| (p + 1).to_string());
        println!("| {query} | {} | {at} | {r:.2} |", relevant.len());
    }
    let (word_mrr, word_recall) = (mrr / n as f64, recall / n as f64);
    println!("words: {n} queries, MRR {word_mrr:.3}, recall@10 {word_recall:.3}");

    println!("\nlike queries (MinHash candidates, exact Jaccard), k = 10");
    println!("| from | edit | best Jaccard | recall@10 | first of brute force at |");
    println!("|---:|---|---:|---:|---:|");
    let all: Vec<Vec<u64>> = trees.iter().map(features).collect();
    let (mut recall, mut mrr, mut n) = (0.0, 0.0, 0);
    for line in fixture_text("bank/like.jsonl").lines() {
        let q: serde_json::Value = serde_json::from_str(line).unwrap();
        let tree = Tree::from_json_document(&q["tree"].to_string()).unwrap();
        let wanted = features(&tree);
        let mut exact: Vec<(f64, u64)> =
            all.iter().zip(0u64..).map(|(f, id)| (jaccard(&wanted, f), id)).collect();
        exact.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let tenth = exact[9].0;
        let relevant: Vec<u64> = exact.iter().take_while(|(j, _)| *j >= tenth).map(|&(_, id)| id).collect();
        let query = Query { text: None, like: Some(&tree), k: 10 };
        let hits = bank.search(&query).unwrap();
        assert_eq!(bank.search(&query).unwrap(), hits, "the same query gives the same hits");
        for hit in &hits {
            let j = hit.shape.unwrap();
            assert_eq!(j, jaccard(&wanted, &all[hit.id as usize]), "the score is the exact Jaccard");
            assert_eq!(hit.score, j);
        }
        let found = hits.iter().filter(|h| relevant.contains(&h.id)).count();
        let r = found as f64 / 10.0;
        let best = exact[0].1;
        let first =
            hits.iter().position(|h| exact.iter().take_while(|e| e.0 >= exact[0].0).any(|e| e.1 == h.id));
        mrr += first.map_or(0.0, |p| 1.0 / (p + 1) as f64);
        recall += r;
        n += 1;
        let at = first.map_or_else(|| "—".to_owned(), |p| (p + 1).to_string());
        println!(
            "| {} | {} | {:.3} (id {best}) | {r:.2} | {at} |",
            q["from"],
            q["edit"].as_str().unwrap(),
            exact[0].0
        );
    }
    let (like_recall, like_mrr) = (recall / n as f64, mrr / n as f64);
    println!("like: {n} queries, recall@10 {like_recall:.3}, MRR {like_mrr:.3}");
    assert!(word_mrr >= 0.7, "word MRR {word_mrr:.3} below 0.7");
    assert!(like_recall >= 0.9, "like recall@10 {like_recall:.3} below 0.9");
}
