//! `cargo xtask profile`: for every workload, what v2 (and v1, where it holds the tree) encoding
//! and decoding allocate, the first
//! time (fresh encoder, buffer, decoder and tree) and again (all reused), with the peak memory of
//! each, from the counting allocator this binary installs. Prints a table and writes
//! `target/sigma-bench/profile.json`.

use serde_json::json;
use sigma_codec::{DecodeLimits, v1, v2};
use sigma_metrics::alloc::{Usage, measure};
use sigma_metrics::report::{Cell, Report};
use sigma_tree::Tree;

use crate::bench::target_dir;
use crate::regress::fixture_trees;
use crate::tidy::workspace_root;

pub(crate) fn run() -> Result<(), String> {
    let root = workspace_root();
    let mut table = Report::new(
        "allocations per operation (sigma-v2, and sigma-v1 where it holds the tree)",
        &["workload", "operation", "allocations", "bytes", "peak bytes"],
    );
    let mut entries = Vec::new();
    for (name, tree) in fixture_trees(&root)? {
        let fail = |e: sigma_codec::Error| format!("{name}: {e}");
        let mut rows = Vec::new();
        // v2: a fresh encoder, buffer, decoder and tree, then all reused.
        let mut encoder = v2::Encoder::new();
        let mut buf = Vec::new();
        let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
        let mut decoded = Tree::new();
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
        rows.extend([
            ("v2 encode, first", u1),
            ("v2 encode, reused", u2),
            ("v2 decode, first", u3),
            ("v2 decode, reused", u4),
        ]);
        // v1, where it holds the tree.
        let mut v1_buf = Vec::new();
        let (first_encode, u1) = measure(|| v1::encode_into(&tree, &mut v1_buf));
        if first_encode.is_ok() {
            let (again, u2) = measure(|| {
                v1_buf.clear();
                v1::encode_into(&tree, &mut v1_buf)
            });
            again.map_err(fail)?;
            let mut v1_decoder = v1::Decoder::new(DecodeLimits::DEFAULT);
            let mut decoded = Tree::new();
            let (first_decode, u3) = measure(|| v1_decoder.decode_into(&v1_buf, &mut decoded));
            first_decode.map_err(fail)?;
            let (again, u4) = measure(|| v1_decoder.decode_into(&v1_buf, &mut decoded));
            again.map_err(fail)?;
            if decoded != tree {
                return Err(format!("{name}: v1 decoded tree differs"));
            }
            rows.extend([
                ("v1 encode, first", u1),
                ("v1 encode, reused", u2),
                ("v1 decode, first", u3),
                ("v1 decode, reused", u4),
            ]);
        }
        for (operation, usage) in rows {
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
