//! Analogy benches: relational queries (one step and two) over a knowledge graph of over 100,000
//! relations, and a structural analogy (learning the edit from A to B and making it to C) on
//! twitter statuses. Writes `target/sigma-bench/analogy.json` (the graph's size, the statuses'
//! nodes) for `cargo xtask bench`, which reports µs per query beside the reference's 1.7 to 18 ms.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_benches::{synthetic_graph, write_json};
use sigma_tree::Tree;

/// The first quadruple of one kind of edit from the structural gold set: A, B, C and D.
fn quadruple(kind: &str) -> [Tree; 4] {
    let gold = sigma_testkit::fixture_text("analogy/structural.jsonl");
    let line = gold
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .find(|q| q["kind"] == kind)
        .expect("the kind is in the set");
    ["a", "b", "c", "d"].map(|k| Tree::from_json_document(&line[k].to_string()).expect("a document"))
}

fn bench(c: &mut Criterion) {
    let graph = synthetic_graph();
    let [qa, qb, qc, qd] = quadruple("nested migration");
    assert_eq!(sigma_delta::analogy(&qa, &qb, &qc).expect("an answer"), qd);
    write_json(
        "analogy.json",
        &serde_json::json!({
            "entities": graph.entity_count(),
            "relations": graph.relation_count(),
            "structural_nodes": [qa.node_count(), qb.node_count(), qc.node_count()],
        }),
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
    // Twitter statuses (hundreds of nodes each): learn the edit from A to B, make it to C.
    group.bench_function("structural", |bench| {
        bench.iter(|| sigma_delta::analogy(&qa, &qb, &qc).map(|d| d.node_count()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
