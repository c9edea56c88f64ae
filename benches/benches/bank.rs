//! The bank bench: 100,000 items (twitter statuses and citm performances, varied:
//! `sigma_benches::bank_items`) added to a new bank as `sigma bank add` adds JSON lines, then
//! queries by words, by shape and by both, each timed alone. Writes
//! `target/sigma-bench/bank.json` for `cargo xtask bench`: items per second, query latency p50
//! and p99 per kind, and the bank's bytes on disk beside the JSON lines and zstd -19 of them.
//!
//! Its own harness (not criterion): an add is one long operation, and percentiles need every
//! query's time. With criterion's `--quick` settings (`--measurement-time` under 1 s) it runs
//! on 10,000 items, since zstd -19 of 100,000 takes five to seven minutes here.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use sigma_bank::{Bank, Item, Query};

const ITEMS: usize = 100_000;
const QUICK_ITEMS: usize = 10_000;
/// Queries of each kind.
const QUERIES: usize = 300;
/// Items parsed and added per batch, as `sigma bank add` does.
const BATCH: usize = 8192;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick =
        args.windows(2).any(|w| w[0] == "--measurement-time" && w[1].parse::<f64>().is_ok_and(|s| s < 1.0));
    let n = if quick { QUICK_ITEMS } else { ITEMS };
    let lines = sigma_benches::bank_items(n + QUERIES);
    let (stored, probes) = lines.split_at(n);
    let jsonl_bytes: usize = stored.iter().map(|l| l.len() + 1).sum();
    println!("bank: {n} items, {jsonl_bytes} bytes of JSON lines");

    let dir = tempfile::tempdir().expect("a temporary directory");
    let bank = Bank::create(dir.path().join("bank")).expect("a bank");
    let started = Instant::now();
    let mut writer = bank.writer().expect("a writer");
    for batch in stored.chunks(BATCH) {
        let items = parse(batch);
        writer.add_batch(&items).expect("added");
    }
    writer.commit().expect("committed");
    let add = started.elapsed();
    let stats = bank.stats().expect("stats");
    assert_eq!(stats.items, n as u64);
    println!(
        "bank: added in {add:?} ({:.0} items/s), {} bytes on disk",
        n as f64 / add.as_secs_f64(),
        stats.bytes_on_disk
    );

    // Queries: words drawn from items not in the bank (so some match many items, some few), and
    // those items' trees as shapes.
    let probes = parse(probes);
    let mut text = String::new();
    let word_queries: Vec<String> = probes
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.searchable_text(&mut text).expect("text");
            let mut terms = Vec::new();
            sigma_bank::words::terms(&text, |t| terms.push(t.to_owned()));
            let pick = |k: usize| terms[(i * 7919 + k * 104_729) % terms.len()].clone();
            (0..1 + i % 3).map(pick).collect::<Vec<_>>().join(" ")
        })
        .collect();
    let mut rows = Vec::new();
    for kind in ["words", "like", "words+like"] {
        let mut times: Vec<Duration> = Vec::with_capacity(QUERIES);
        let mut hits = 0;
        for (words, item) in word_queries.iter().zip(&probes) {
            let query = match kind {
                "words" => Query { text: Some(words), like: None, k: 10 },
                "like" => Query { text: None, like: Some(item.tree()), k: 10 },
                _ => Query { text: Some(words), like: Some(item.tree()), k: 10 },
            };
            let started = Instant::now();
            hits += bank.search(&query).expect("a search").len();
            times.push(started.elapsed());
        }
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
        println!(
            "bank: {kind}: p50 {:.3} ms, p99 {:.3} ms, {:.1} hits per query",
            at(0.5),
            at(0.99),
            hits as f64 / QUERIES as f64
        );
        rows.push(serde_json::json!({
            "query": kind, "p50_ms": at(0.5), "p99_ms": at(0.99), "hits_per_query": hits as f64 / QUERIES as f64,
        }));
    }
    let zstd19 = zstd19_size(stored);
    sigma_benches::write_json(
        "bank.json",
        &serde_json::json!({
            "items": n,
            "queries_per_kind": QUERIES,
            "add_s": add.as_secs_f64(),
            "items_per_s": n as f64 / add.as_secs_f64(),
            "bank_bytes": stats.bytes_on_disk,
            "jsonl_bytes": jsonl_bytes,
            "zstd19_bytes": zstd19,
            "queries": rows,
        }),
    );
}

/// JSON lines to items, across two threads as `sigma bank add` parses them.
fn parse(lines: &[String]) -> Vec<Item> {
    let half = lines.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = lines
            .chunks(half)
            .map(|part| {
                scope.spawn(move || part.iter().map(|l| Item::json(l).expect("JSON")).collect::<Vec<_>>())
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().expect("parsed")).collect()
    })
}

/// Bytes of zstd -19 of the JSON lines. It takes minutes (five for 100,000 items here), so the
/// size is kept in `target/sigma-bench/bank-zstd19.json` under a hash of the lines, and measured
/// again only for lines it does not hold.
fn zstd19_size(lines: &[String]) -> usize {
    let text = lines.join("\n") + "\n";
    let hash = text
        .bytes()
        .fold(0xCBF2_9CE4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3));
    let cache = sigma_benches::out_dir().join("bank-zstd19.json");
    let key = format!("{hash:016x}:{}", text.len());
    let mut kept: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(&cache)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    if let Some(bytes) = kept.get(&key).and_then(serde_json::Value::as_u64) {
        println!(
            "bank: zstd -19 of the JSON lines: {bytes} bytes (kept from an earlier run of the same lines)"
        );
        return bytes as usize;
    }
    let started = Instant::now();
    let bytes = zstd::bulk::compress(text.as_bytes(), 19).expect("zstd").len();
    println!("bank: zstd -19 of the JSON lines: {bytes} bytes ({:?})", started.elapsed());
    kept.insert(key, bytes.into());
    sigma_benches::write_json("bank-zstd19.json", &serde_json::Value::Object(kept));
    bytes
}
