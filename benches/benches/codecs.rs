//! Single-tree benches: every workload, encoded and decoded by ΣLANG (v2, and v1
//! where it holds the tree) and by the peers a Rust user would pick, side by side in one run, plus
//! the `limit` floor. Writes the sizes to `target/sigma-bench/sizes.json` for `cargo xtask bench`.
#![allow(missing_docs)] // criterion's macros generate undocumented public items

use criterion::{Criterion, criterion_group, criterion_main};
use sigma_benches::{CODECS, Runner, smallest_encoding, workloads, write_json};

fn bench(c: &mut Criterion) {
    let mut sizes = Vec::new();
    for workload in workloads() {
        let smallest = smallest_encoding(&workload);
        let mut group = c.benchmark_group(workload.name);
        let mut codecs = Vec::new();
        for &codec in CODECS {
            let Some(mut runner) = Runner::new(codec, &workload, &smallest) else { continue };
            codecs.push(serde_json::json!({ "codec": codec, "bytes": runner.encoded.len() }));
            group.bench_function(format!("{codec}/encode"), |b| b.iter(|| runner.encode()));
            group.bench_function(format!("{codec}/decode"), |b| b.iter(|| runner.decode()));
        }
        group.finish();
        sizes.push(serde_json::json!({
            "name": workload.name,
            "nodes": workload.tree.node_count(),
            "reference_ns": workload.reference.map(|(e, d)| serde_json::json!({ "encode": e, "decode": d })),
            "codecs": codecs,
        }));
    }
    write_json("sizes.json", &serde_json::json!({ "workloads": sizes }));
}

criterion_group!(benches, bench);
criterion_main!(benches);
