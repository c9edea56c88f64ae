//! `cargo xtask profile`: for every workload, what v2 encoding and decoding allocate, the first
//! time (fresh encoder, buffer, decoder and tree) and again (all reused), with the peak memory of
//! each, from the counting allocator this binary installs. Prints a table and writes
//! `target/sigma-bench/profile.json`.

use serde_json::json;
use sigma_codec::{DecodeLimits, v2};
use sigma_metrics::alloc::{Usage, measure};
use sigma_metrics::report::{Cell, Report};
use sigma_tree::Tree;

use crate::bench::target_dir;
use crate::regress::fixture_trees;
use crate::tidy::workspace_root;

pub(crate) fn run() -> Result<(), String> {
    let root = workspace_root();
    let mut table = Report::new(
        "allocations per operation (sigma-v2)",
        &["workload", "operation", "allocations", "bytes", "peak bytes"],
    );
    let mut entries = Vec::new();
    for (name, tree) in fixture_trees(&root)? {
        let mut encoder = v2::Encoder::new();
        let mut buf = Vec::new();
        let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
        let mut decoded = Tree::new();
        let fail = |e: sigma_codec::Error| format!("{name}: {e}");
        let (first_encode, u1) = measure(|| encoder.encode_into(&tree, &mut buf));
        first_encode.map_err(fail)?;
        let (again, u2) = measure(|| {
            buf.clear();
            encoder.encode_into(&tree, &mut buf)
        });
        again.map_err(fail)?;
        let (first_decode, u3) = measure(|| decoder.decode_into(&buf, &mut decoded));
        first_decode.map_err(fail)?;
        let (again, u4) = measure(|| decoder.decode_into(&buf, &mut decoded));
        again.map_err(fail)?;
        if decoded != tree {
            return Err(format!("{name}: decoded tree differs"));
        }
        for (operation, usage) in
            [("encode, first", u1), ("encode, reused", u2), ("decode, first", u3), ("decode, reused", u4)]
        {
            table.row(vec![
                Cell::Text(name.clone()),
                Cell::Text(operation.to_owned()),
                Cell::Int(usage.allocations),
                Cell::Int(usage.bytes),
                Cell::Int(usage.peak_above_start),
            ]);
            entries.push(entry(&name, operation, usage));
        }
    }
    println!("{}", table.to_text());
    let out = target_dir(&root).join("sigma-bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let path = out.join("profile.json");
    let text = serde_json::to_string_pretty(&json!({ "profile": entries })).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn entry(workload: &str, operation: &str, usage: Usage) -> serde_json::Value {
    json!({
        "workload": workload,
        "operation": operation,
        "allocations": usage.allocations,
        "bytes": usage.bytes,
        "peak_bytes": usage.peak_above_start,
    })
}
