//! Sharding by id, tried on one machine: the corpus messages spread over two banks by id
//! (global id = local id × 2 + shard), each query sent to both and the answers merged by score,
//! then id. `like` scores are exact Jaccard indexes, a property of the item alone, so merging
//! loses nothing: recall against brute force is measured for one bank and for the shards (each
//! shard, holding fewer items, looks at relatively more candidates). BM25 scores use each
//! shard's own statistics, so the merged word answer can differ from one bank's. Prints both:
//! `cargo test -p sigma-bank --test shards -- --nocapture`.

use sigma_bank::{Bank, Hit, Item, Query};
use sigma_delta::similar::{features, jaccard};
use sigma_testkit::{Stream, fixture_text};
use sigma_tree::Tree;

const SHARDS: u64 = 2;

fn merged(shards: &[Bank], query: &Query<'_>) -> Vec<(u64, f64)> {
    let mut all: Vec<(u64, f64)> = Vec::new();
    for (shard, bank) in (0u64..).zip(shards) {
        let hits: Vec<Hit> = bank.search(query).unwrap();
        all.extend(hits.iter().map(|h| (h.id * SHARDS + shard, h.score)));
    }
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(query.k);
    all
}

#[test]
fn queries_fanned_out_to_shards_by_id() {
    let mut messages = Stream::TwitterStatuses.messages();
    messages.extend(Stream::CitmPerformances.messages());
    let items: Vec<Item> = messages.iter().map(|m| Item::json(m).unwrap()).collect();
    let dirs: Vec<_> = (0..=SHARDS).map(|_| tempfile::tempdir().unwrap()).collect();
    let one = Bank::create(dirs[0].path()).unwrap();
    one.add(&items).unwrap();
    let shards: Vec<Bank> = (0..SHARDS)
        .map(|s| {
            let bank = Bank::create(dirs[s as usize + 1].path()).unwrap();
            let part: Vec<Item> = items.iter().skip(s as usize).step_by(SHARDS as usize).cloned().collect();
            bank.add(&part).unwrap();
            bank
        })
        .collect();

    let all: Vec<Vec<u64>> = items.iter().map(|i| features(i.tree())).collect();
    let (mut single_found, mut merged_found, mut n) = (0, 0, 0);
    for line in fixture_text("bank/like.jsonl").lines() {
        let q: serde_json::Value = serde_json::from_str(line).unwrap();
        let tree = Tree::from_json_document(&q["tree"].to_string()).unwrap();
        let wanted = features(&tree);
        let mut exact: Vec<f64> = all.iter().map(|f| jaccard(&wanted, f)).collect();
        let scores = exact.clone();
        exact.sort_by(|a, b| b.total_cmp(a));
        let relevant = |id: u64| scores[id as usize] >= exact[9];
        let query = Query { text: None, like: Some(&tree), k: 10 };
        single_found += one.search(&query).unwrap().iter().filter(|h| relevant(h.id)).count();
        merged_found += merged(&shards, &query).iter().filter(|h| relevant(h.0)).count();
        n += 10;
    }
    let (mut overlap, mut first, mut m) = (0, 0, 0);
    for line in fixture_text("bank/words.tsv").lines().filter(|l| !l.starts_with('#')) {
        let text = line.split('\t').next().unwrap();
        let query = Query { text: Some(text), like: None, k: 10 };
        let single: Vec<u64> = one.search(&query).unwrap().iter().map(|h| h.id).collect();
        let fanned: Vec<u64> = merged(&shards, &query).iter().map(|h| h.0).collect();
        overlap += fanned.iter().filter(|id| single.contains(id)).count();
        first += usize::from(fanned.first() == single.first());
        m += single.len().min(10);
    }
    let (single, fanned) = (single_found as f64 / n as f64, merged_found as f64 / n as f64);
    println!(
        "two shards by id: like recall@10 {fanned:.3} merged from the shards, {single:.3} from one bank; words: {first} of 45 queries with the same first hit, {overlap} of {m} top-10 hits shared"
    );
    assert!(
        fanned >= 0.9 && fanned >= single,
        "like recall@10: {fanned:.3} from shards, {single:.3} from one bank"
    );
    assert!(overlap * 10 >= m * 8, "{overlap} of {m}");
}
