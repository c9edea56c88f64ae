//! Analogy benches: relational queries (one step and two) over a knowledge graph of over 100,000
//! relations. Writes `target/sigma-bench/analogy.json` (the graph's size) for `cargo xtask
//! bench`, which reports µs per query beside the reference's 1.7 to 18 ms.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_benches::{synthetic_graph, write_json};

fn bench(c: &mut Criterion) {
    let graph = synthetic_graph();
    write_json(
        "analogy.json",
        &serde_json::json!({ "entities": graph.entity_count(), "relations": graph.relation_count() }),
    );
    // Company 1 is in City 7 and Company 2 in City 14; Founder 1 founded Company 1.
    let one = graph.analogy("Company 1", "City 7", "Company 2").expect("an answer");
    assert_eq!(one.answer.name, "City 14");
    let two = graph.analogy("Founder 1", "City 7", "Founder 2").expect("an answer");
    assert_eq!(two.answer.name, "City 14");
    let hub = graph.analogy("Country 1", "City 1", "Country 2").expect("an answer");
    assert_eq!(hub.answer.name, "City 2");
    let mut group = c.benchmark_group("analogy");
    group.bench_function("relational 1 step", |b| {
        b.iter(|| graph.analogy("Company 1", "City 7", "Company 2").map(|a| a.answer.entity))
    });
    group.bench_function("relational 2 steps", |b| {
        b.iter(|| graph.analogy("Founder 1", "City 7", "Founder 2").map(|a| a.answer.entity))
    });
    // From a country: 25 cities and their companies and people around each end.
    group.bench_function("relational from a hub", |b| {
        b.iter(|| graph.analogy("Country 1", "City 1", "Country 2").map(|a| a.answer.entity))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
