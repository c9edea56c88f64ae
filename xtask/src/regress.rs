//! `cargo xtask regress [--bytes] [--update]`: guards what the project has achieved.
//!
//! - **Bytes** (what CI runs, also as the test `regress::tests::encodings_match_the_snapshot`):
//!   encodes every fixture in v1, v2 and compact v2, and the corpus streams as session streams (each coding,
//!   with and without a codebook trained on the first half, and the codebook file), and compares
//!   lengths and a hash of the bytes with `fixtures/regress/encodings.json`.
//! - **Timing** (for people): runs the benches quickly and compares each workload's ratio of
//!   sigma-v2 time (plain, compact, and decoding to a view) to postcard time, and each stream's ratio of the default session coding's time
//!   to zstd-3+dict+tree's, measured side by side in the same run, with
//!   `fixtures/regress/timing.json`. A ratio more than [`TIMING_TOLERANCE`] above its baseline is a
//!   regression; absolute times are never compared (this machine is noisy), and workloads below
//!   [`MIN_TIMED_NODES`] nodes are left out (too noisy in a quick run).
//!
//! `--update` rewrites the snapshot (and, without `--bytes`, the timing baseline) instead.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use serde_json::{Value, json};
use sigma_codec::codebook::Codebook;
use sigma_codec::session::{BodyCoding, SessionConfig, encode_stream, encode_stream_with};
use sigma_codec::{v1, v2};
use sigma_testkit::Stream;

use crate::bench::{collect, read_json, run_benches, target_dir};
use crate::tidy::workspace_root;

/// A timing ratio may grow by this fraction over its baseline before it counts as a regression:
/// short runs on a busy two-core machine were seen to move a ratio by up to 62 % between two runs
/// of the same code (citm decode, 0.272 then 0.441, with a fuzzer on the other core), so only a
/// doubling counts.
pub(crate) const TIMING_TOLERANCE: f64 = 1.0;

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let bytes_only = args.contains(&"--bytes");
    let update = args.contains(&"--update");
    if let Some(other) = args.iter().find(|a| !matches!(**a, "--bytes" | "--update")) {
        return Err(format!("unknown regress argument {other:?} (--bytes, --update)"));
    }
    let root = workspace_root();
    let mut problems = check_encodings(&root, update)?;
    if !bytes_only {
        problems.extend(check_timing(&root, update)?);
    }
    if problems.is_empty() {
        println!("regress: no regressions{}", if update { " (snapshots updated)" } else { "" });
        Ok(())
    } else {
        Err(format!("{} regressions:\n  {}", problems.len(), problems.join("\n  ")))
    }
}

fn snapshot_dir(root: &Path) -> PathBuf {
    root.join("fixtures/regress")
}

/// FNV-1a, 64 bits: enough to tell whether bytes changed.
fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The encodings as the snapshot records them.
pub(crate) fn encodings() -> Result<Value, String> {
    let describe = |bytes: Result<Vec<u8>, sigma_codec::Error>| match bytes {
        Ok(b) => json!({ "bytes": b.len(), "fnv1a": fnv1a(&b) }),
        Err(e) => json!({ "refused": e.to_string() }),
    };
    let mut out = serde_json::Map::new();
    for (name, tree) in sigma_testkit::fixture_trees() {
        out.insert(
            name,
            json!({
                "v1": describe(v1::encode(&tree)),
                "v2": describe(v2::encode(&tree)),
                "v2-compact": describe(v2::encode_compact(&tree)),
            }),
        );
    }
    for (name, stream) in [
        ("session/twitter statuses", Stream::TwitterStatuses),
        ("session/citm performances", Stream::CitmPerformances),
    ] {
        let trees = stream.trees();
        let (train, test) = trees.split_at(trees.len() / 2);
        let codebook = Arc::new(Codebook::train(train, 128).map_err(|e| e.to_string())?);
        let mut entry = serde_json::Map::new();
        entry.insert("codebook".to_owned(), describe(Ok(codebook.to_bytes())));
        for coding in BodyCoding::ALL {
            let config = SessionConfig { coding, ..SessionConfig::default() };
            entry.insert(coding.name().to_owned(), describe(encode_stream(&trees, config)));
            let with = encode_stream_with(test, config, Some(codebook.clone()));
            entry.insert(format!("{}+codebook", coding.name()), describe(with));
        }
        out.insert(name.to_owned(), Value::Object(entry));
    }
    Ok(Value::Object(out))
}

fn check_encodings(root: &Path, update: bool) -> Result<Vec<String>, String> {
    let path = snapshot_dir(root).join("encodings.json");
    let now = encodings()?;
    if update {
        std::fs::create_dir_all(snapshot_dir(root)).map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&now).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        return Ok(Vec::new());
    }
    let then = read_json(&path)?;
    Ok(compare_encodings(&then, &now))
}

pub(crate) fn compare_encodings(then: &Value, now: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let (Some(then), Some(now)) = (then.as_object(), now.as_object()) else {
        return vec!["encodings snapshot is not an object".to_owned()];
    };
    for (name, formats) in now {
        let Some(formats) = formats.as_object() else {
            problems.push(format!("{name}: not an object of encodings"));
            continue;
        };
        for (format, new) in formats {
            let old = &then.get(name).map_or(Value::Null, |f| f[format].clone());
            if old != new {
                problems.push(format!("{name} {format}: was {old}, now {new}"));
            }
        }
    }
    problems.extend(then.keys().filter(|k| !now.contains_key(*k)).map(|k| format!("{k}: fixture gone")));
    problems
}

/// Workloads smaller than this are left out of the timing check: a quick run times a
/// few-node tree to within a factor of two at best (call overhead and noise dominate).
pub(crate) const MIN_TIMED_NODES: u64 = 1000;

/// sigma-v2 time (plain, compact, and decoding to a view) over postcard time, per workload (of
/// at least [`MIN_TIMED_NODES`]) and direction, from a report.
fn ratios(report: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for w in report["workloads"].as_array().into_iter().flatten() {
        if w["nodes"].as_u64().unwrap_or(0) < MIN_TIMED_NODES {
            continue;
        }
        let codecs = w["codecs"].as_array().map(Vec::as_slice).unwrap_or_default();
        let get = |codec: &str, field: &str| {
            codecs.iter().find(|c| c["codec"] == codec).and_then(|c| c[field].as_f64())
        };
        let ratio = |codec: &str, field: &str| match (get(codec, field), get("postcard", field)) {
            (Some(s), Some(p)) if p > 0.0 => json!((s / p * 1000.0).round() / 1000.0),
            _ => Value::Null,
        };
        out.insert(
            w["name"].as_str().unwrap_or_default().to_owned(),
            json!({
                "encode_vs_postcard": ratio("sigma-v2", "encode_ns"),
                "decode_vs_postcard": ratio("sigma-v2", "decode_ns"),
                "compact_encode_vs_postcard": ratio("sigma-v2-compact", "encode_ns"),
                "compact_decode_vs_postcard": ratio("sigma-v2-compact", "decode_ns"),
                "view_decode_vs_postcard": ratio("sigma-v2-view", "decode_ns"),
            }),
        );
    }
    // Session streams: the default coding's time over zstd's with the JSON text made from and
    // parsed into the same trees.
    for s in report["streams"].as_array().into_iter().flatten() {
        let codecs = s["codecs"].as_array().map(Vec::as_slice).unwrap_or_default();
        let get = |codec: &str, field: &str| {
            codecs.iter().find(|c| c["codec"] == codec).and_then(|c| c[field].as_f64())
        };
        let ratio = |field: &str| match (get("sigma-session", field), get("zstd-3+dict+tree", field)) {
            (Some(s), Some(z)) if z > 0.0 => json!((s / z * 1000.0).round() / 1000.0),
            _ => Value::Null,
        };
        out.insert(
            format!("stream {}", s["name"].as_str().unwrap_or_default()),
            json!({
                "encode_vs_zstd3_tree": ratio("encode_ns_per_message"),
                "decode_vs_zstd3_tree": ratio("decode_ns_per_message"),
            }),
        );
    }
    Value::Object(out)
}

/// The directions a timing ratio is kept for.
const DIRECTIONS: [&str; 7] = [
    "encode_vs_postcard",
    "decode_vs_postcard",
    "compact_encode_vs_postcard",
    "compact_decode_vs_postcard",
    "view_decode_vs_postcard",
    "encode_vs_zstd3_tree",
    "decode_vs_zstd3_tree",
];

fn check_timing(root: &Path, update: bool) -> Result<Vec<String>, String> {
    run_benches(root, &["--warm-up-time", "0.5", "--measurement-time", "1.5", "--sample-size", "20"])?;
    let now = ratios(&collect(&target_dir(root))?);
    let path = snapshot_dir(root).join("timing.json");
    if update {
        let doc = json!({
            "about": "sigma-v2 time (plain, compact, view) / postcard time per workload of at least 1,000 nodes, and the default session coding's time / zstd-3+dict+tree's per stream, from one `cargo xtask regress --update` run",
            "tolerance": TIMING_TOLERANCE,
            "ratios": now,
        });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        return Ok(Vec::new());
    }
    let baseline = read_json(&path)?;
    let mut problems = Vec::new();
    for (workload, directions) in now.as_object().into_iter().flatten() {
        for direction in DIRECTIONS {
            let (Some(new), Some(old)) =
                (directions[direction].as_f64(), baseline["ratios"][workload][direction].as_f64())
            else {
                continue;
            };
            let allowed = old * (1.0 + TIMING_TOLERANCE);
            let verdict = if new > allowed { "REGRESSED" } else { "ok" };
            println!(
                "{workload:<20} {direction:<20} baseline {old:.3}  now {new:.3}  allowed {allowed:.3}  {verdict}"
            );
            if new > allowed {
                problems.push(format!("{workload} {direction}: {new:.3} > {allowed:.3} (baseline {old:.3})"));
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_snapshot() {
        let root = workspace_root();
        let then = read_json(&snapshot_dir(&root).join("encodings.json")).unwrap();
        let problems = compare_encodings(&then, &encodings().unwrap());
        assert!(
            problems.is_empty(),
            "run `cargo xtask regress --bytes --update` if intended:\n{problems:#?}"
        );
    }

    #[test]
    fn a_changed_encoding_is_reported() {
        let then = json!({ "a": { "v1": { "bytes": 1, "fnv1a": "x" }, "v2": { "bytes": 1, "fnv1a": "x" } }, "gone": {} });
        let now = json!({ "a": { "v1": { "bytes": 1, "fnv1a": "x" }, "v2": { "bytes": 2, "fnv1a": "y" } } });
        let problems = compare_encodings(&then, &now);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("a v2: was"));
        assert_eq!(problems[1], "gone: fixture gone");
    }
}
