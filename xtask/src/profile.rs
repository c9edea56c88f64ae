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
use crate::tidy::workspace_root;

pub(crate) fn run() -> Result<(), String> {
    let root = workspace_root();
    let mut table = Report::new(
        "allocations per operation (sigma-v2, and sigma-v1 where it holds the tree)",
        &["workload", "operation", "allocations", "bytes", "peak bytes"],
    );
    let mut entries = Vec::new();
    for (name, tree) in sigma_testkit::fixture_trees() {
        let mut rows = Vec::new();
        let mut v2_encoder = v2::Encoder::new();
        let mut v2_decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
        profile_format(
            &tree,
            "v2",
            |buf| v2_encoder.encode_into(&tree, buf),
            |bytes, out| v2_decoder.decode_into(bytes, out),
            &mut rows,
        )
        .map_err(|e| format!("{name}: {e}"))?;
        // v1, where it holds the tree.
        if v1::encode(&tree).is_ok() {
            let mut v1_decoder = v1::Decoder::new(DecodeLimits::DEFAULT);
            profile_format(
                &tree,
                "v1",
                |buf| v1::encode_into(&tree, buf),
                |bytes, out| v1_decoder.decode_into(bytes, out),
                &mut rows,
            )
            .map_err(|e| format!("{name}: {e}"))?;
        }
        for (operation, usage) in rows {
            table.row(vec![
                Cell::Text(name.clone()),
                Cell::Text(operation.clone()),
                Cell::Int(usage.allocations),
                Cell::Int(usage.bytes),
                Cell::Int(usage.peak_above_start),
            ]);
            entries.push(entry(&name, &operation, usage));
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

/// One format's rows: encode into a fresh buffer, then into the same buffer again; decode into a
/// fresh tree, then into the same tree again (the encoder and decoder are the caller's, fresh).
fn profile_format(
    tree: &Tree,
    format: &str,
    mut encode: impl FnMut(&mut Vec<u8>) -> Result<usize, sigma_codec::Error>,
    mut decode: impl FnMut(&[u8], &mut Tree) -> Result<(), sigma_codec::Error>,
    rows: &mut Vec<(String, Usage)>,
) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut decoded = Tree::new();
    let (first_encode, u1) = measure(|| encode(&mut buf));
    first_encode.map_err(|e| e.to_string())?;
    let (again, u2) = measure(|| {
        buf.clear();
        encode(&mut buf)
    });
    again.map_err(|e| e.to_string())?;
    let (first_decode, u3) = measure(|| decode(&buf, &mut decoded));
    first_decode.map_err(|e| e.to_string())?;
    let (again, u4) = measure(|| decode(&buf, &mut decoded));
    again.map_err(|e| e.to_string())?;
    if decoded != *tree {
        return Err(format!("{format} decoded tree differs"));
    }
    for (operation, usage) in
        [("encode, first", u1), ("encode, reused", u2), ("decode, first", u3), ("decode, reused", u4)]
    {
        rows.push((format!("{format} {operation}"), usage));
    }
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
