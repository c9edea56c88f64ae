//! `cargo xtask bench [--quick | --report-only]`: runs the criterion benches (`benches/`)
//! (every workload, ΣLANG beside the peers, in one run), then prints one table per workload and
//! writes `target/sigma-bench/report.md`, `report.json` and `chart.svg`.
//! `--report-only` renders the last run's results again without running anything.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sigma_metrics::report::{Cell, Report};

use crate::tidy::workspace_root;

/// Criterion settings: `--quick` keeps the whole run near four minutes on two cores.
const QUICK: &[&str] = &["--warm-up-time", "0.2", "--measurement-time", "0.6", "--sample-size", "10"];
const FULL: &[&str] = &["--warm-up-time", "1", "--measurement-time", "3", "--sample-size", "30"];

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let (quick, run) = match args {
        [] => (false, true),
        ["--quick"] => (true, true),
        ["--report-only"] => (false, false),
        other => return Err(format!("unknown bench arguments {other:?} (--quick, or --report-only)")),
    };
    let root = workspace_root();
    let target = target_dir(&root);
    if run {
        let _ = std::fs::remove_dir_all(target.join("criterion"));
        run_benches(&root, if quick { QUICK } else { FULL })?;
    }
    let report = collect(&target)?;
    let out = target.join("sigma-bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let (text, markdown) = render(&report);
    println!("{text}");
    write(&out.join("report.md"), &markdown)?;
    write(&out.join("report.json"), &serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?)?;
    write(&out.join("chart.svg"), &chart(&report))?;
    println!("wrote {0}/report.md, {0}/report.json, {0}/chart.svg", out.display());
    Ok(())
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) fn run_benches(root: &Path, criterion_args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "bench",
            "-p",
            "sigma-benches",
            "--bench",
            "codecs",
            "--bench",
            "streams",
            "--bench",
            "batch",
            "--bench",
            "text",
            "--bench",
            "analogy",
            "--bench",
            "bank",
            "--",
        ])
        .args(criterion_args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if status.success() { Ok(()) } else { Err("cargo bench failed".to_owned()) }
}

/// Median ns per iteration of every criterion benchmark: (group, function) → ns.
fn criterion_medians(target: &Path) -> Result<BTreeMap<(String, String), f64>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![target.join("criterion")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.ends_with("new/benchmark.json") {
                let id = read_json(&path)?;
                let estimates = read_json(&path.with_file_name("estimates.json"))?;
                let (Some(group), Some(function), Some(median)) = (
                    id["group_id"].as_str(),
                    id["function_id"].as_str(),
                    estimates["median"]["point_estimate"].as_f64(),
                ) else {
                    continue;
                };
                out.insert((group.to_owned(), function.to_owned()), median);
            }
        }
    }
    if out.is_empty() {
        return Err(format!("no criterion results under {}", target.join("criterion").display()));
    }
    Ok(out)
}

pub(crate) fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The report (`report.json`, its shape in README.md), from the bench outputs. Reference figures ride along in an extra
/// `reference_ns` field on the workloads that have them.
pub(crate) fn collect(target: &Path) -> Result<Value, String> {
    let medians = criterion_medians(target)?;
    let median = |group: &str, function: String| medians.get(&(group.to_owned(), function)).copied();
    let sizes = read_json(&target.join("sigma-bench/sizes.json"))?;
    let streams = read_json(&target.join("sigma-bench/streams.json"))?;
    let mut workloads = Vec::new();
    for w in sizes["workloads"].as_array().into_iter().flatten() {
        let name = w["name"].as_str().unwrap_or_default();
        let codecs: Vec<Value> = w["codecs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let codec = c["codec"].as_str().unwrap_or_default();
                json!({
                    "codec": codec,
                    "bytes": c["bytes"],
                    "encode_ns": median(name, format!("{codec}/encode")),
                    "decode_ns": median(name, format!("{codec}/decode")),
                })
            })
            .collect();
        let mut entry = json!({ "name": name, "nodes": w["nodes"], "codecs": codecs });
        if !w["reference_ns"].is_null() {
            entry["reference_ns"] = w["reference_ns"].clone();
        }
        workloads.push(entry);
    }
    let mut stream_entries = Vec::new();
    for s in streams["streams"].as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or_default();
        let messages = s["messages"].as_f64().unwrap_or(1.0).max(1.0);
        let codecs: Vec<Value> = s["codecs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let codec = c["codec"].as_str()?;
                let encode = median(name, format!("{codec}/encode"))?;
                let decode = median(name, format!("{codec}/decode"))?;
                Some(json!({
                    "codec": codec,
                    "bytes_per_message": c["bytes_per_message"],
                    "encode_ns_per_message": encode / messages,
                    "decode_ns_per_message": decode / messages,
                    "encode_messages_per_s": messages / encode * 1e9,
                    "decode_messages_per_s": messages / decode * 1e9,
                }))
            })
            .collect();
        let json_bytes = s["codecs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["codec"] == "json")
            .map(|c| c["bytes_per_message"].clone());
        stream_entries.push(json!({
            "name": name, "messages": s["messages"], "json_bytes_per_message": json_bytes, "codecs": codecs,
        }));
    }
    let batch = read_json(&target.join("sigma-bench/batch.json")).ok().map(|b| {
        let trees = b["trees"].as_f64().unwrap_or(1.0).max(1.0);
        let bytes = b["bytes"].as_f64().unwrap_or(0.0);
        let runs: Vec<Value> = [1, 2]
            .iter()
            .filter_map(|threads| {
                let encode = median("batch", format!("encode/{threads}"))?;
                let decode = median("batch", format!("decode/{threads}"))?;
                Some(json!({
                    "threads": threads,
                    "encode_ns": encode,
                    "decode_ns": decode,
                    "encode_trees_per_s": trees / encode * 1e9,
                    "decode_trees_per_s": trees / decode * 1e9,
                    "encode_mb_per_s": bytes / encode * 1e3,
                    "decode_mb_per_s": bytes / decode * 1e3,
                }))
            })
            .collect();
        json!({ "trees": b["trees"], "nodes": b["nodes"], "bytes": b["bytes"], "runs": runs })
    });
    let text = read_json(&target.join("sigma-bench/text.json")).ok().map(|t| {
        let bytes = t["bytes"].as_f64().unwrap_or(0.0);
        let sentences = t["sentences"].as_f64().unwrap_or(1.0).max(1.0);
        let runs: Vec<Value> = TEXT_OPERATIONS
            .iter()
            .filter_map(|&operation| {
                let ns = median("text", operation.to_owned())?;
                Some(json!({ "operation": operation, "ns": ns, "mb_per_s": bytes / ns * 1e3, "ns_per_sentence": ns / sentences }))
            })
            .collect();
        // The reference's extractor, measured at 0.02 to 0.6 ms per sentence, on sentences of this length.
        let per_sentence = bytes / sentences;
        json!({
            "documents": t["documents"], "sentences": t["sentences"], "bytes": t["bytes"], "v2_bytes": t["v2_bytes"],
            "runs": runs,
            "reference_mb_per_s": [per_sentence / 0.6e-3 / 1e6, per_sentence / 0.02e-3 / 1e6],
        })
    });
    let analogy = read_json(&target.join("sigma-bench/analogy.json")).ok().map(|a| {
        let runs: Vec<Value> = ANALOGY_OPERATIONS
            .iter()
            .filter_map(|&operation| {
                let ns = median("analogy", operation.to_owned())?;
                Some(json!({ "operation": operation, "us_per_query": ns / 1e3 }))
            })
            .collect();
        json!({ "entities": a["entities"], "relations": a["relations"], "structural_nodes": a["structural_nodes"], "runs": runs })
    });
    let bank = read_json(&target.join("sigma-bench/bank.json")).ok();
    Ok(json!({
        "workloads": workloads, "streams": stream_entries, "batch": batch, "text": text, "analogy": analogy, "bank": bank,
    }))
}

/// The analogy benches' functions, in the order the report lists them.
const ANALOGY_OPERATIONS: [&str; 4] =
    ["relational 1 step", "relational 2 steps", "relational from a hub", "structural"];

/// The text benches' functions, in the order the report lists them.
const TEXT_OPERATIONS: [&str; 5] = ["segment", "extract", "parse", "parse+v2", "v2+to_text"];

fn find<'a>(codecs: &'a [Value], codec: &str) -> Option<&'a Value> {
    codecs.iter().find(|c| c["codec"] == codec)
}

fn float(value: &Value) -> Cell {
    match value.as_f64() {
        Some(x) if x >= 100.0 => Cell::Float(x, 0),
        Some(x) => Cell::Float(x, 1),
        None => Cell::Empty,
    }
}

/// Workloads of at least this many nodes are the big ones: their goals differ from a seed
/// tree's.
const BIG_WORKLOAD_NODES: f64 = 4000.0;

/// The v2 goals for one workload, each ratio with its goal and a mark: compact v2's bytes and
/// times against bitcode and postcard, plain v2's against postcard (tighter on big workloads,
/// "no slower" on small trees), and a view's decode against a tree decode.
fn goals(nodes: f64, codecs: &[Value]) -> String {
    let get = |codec: &str, field: &str| find(codecs, codec).and_then(|c| c[field].as_f64());
    let big = nodes >= BIG_WORKLOAD_NODES;
    let mut parts = Vec::new();
    let mut goal = |label: &str, a: Option<f64>, b: Option<f64>, at_most: f64| {
        if let (Some(a), Some(b)) = (a, b)
            && b > 0.0
        {
            let r = a / b;
            parts.push(format!("{label} {r:.3} (≤ {at_most:.3} {})", if r <= at_most { "✓" } else { "✗" }));
        }
    };
    let compact_bytes = if big { 0.9 } else { 1.0 };
    goal("compact bytes/bitcode", get("sigma-v2-compact", "bytes"), get("bitcode", "bytes"), compact_bytes);
    goal("compact enc/bitcode", get("sigma-v2-compact", "encode_ns"), get("bitcode", "encode_ns"), 0.5);
    goal("compact enc/postcard", get("sigma-v2-compact", "encode_ns"), get("postcard", "encode_ns"), 1.0);
    goal("compact dec/bitcode", get("sigma-v2-compact", "decode_ns"), get("bitcode", "decode_ns"), 1.0 / 3.0);
    let (encode, decode) = if big { (1.0 / 3.0, 0.2) } else { (1.0, 1.0) };
    goal("v2 enc/postcard", get("sigma-v2", "encode_ns"), get("postcard", "encode_ns"), encode);
    goal("v2 dec/postcard", get("sigma-v2", "decode_ns"), get("postcard", "decode_ns"), decode);
    if big {
        goal("view dec/v2 dec", get("sigma-v2-view", "decode_ns"), get("sigma-v2", "decode_ns"), 0.5);
    }
    if parts.is_empty() { String::new() } else { format!("goals: {}\n", parts.join(", ")) }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Cell {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Cell::Float(a / b, 3),
        _ => Cell::Empty,
    }
}

/// The tables, as plain text and as Markdown.
pub(crate) fn render(report: &Value) -> (String, String) {
    let mut text = String::new();
    let mut markdown = String::from(
        "# ΣLANG benchmark report\n\nMedians from one run of `cargo xtask bench`; every codec measured side by side on \
         the same tree. Ratios are ΣLANG's figure over the peer's (below 1 is better for ΣLANG).\n\n",
    );
    for w in report["workloads"].as_array().into_iter().flatten() {
        let name = w["name"].as_str().unwrap_or_default();
        let nodes = w["nodes"].as_f64().unwrap_or(1.0).max(1.0);
        let codecs = w["codecs"].as_array().map(Vec::as_slice).unwrap_or_default();
        let postcard = find(codecs, "postcard");
        let bitcode_bytes = find(codecs, "bitcode").and_then(|c| c["bytes"].as_f64());
        let mut table = Report::new(
            &format!("{name} ({} nodes)", sigma_metrics::report::thousands(nodes as u64)),
            &[
                "codec",
                "bytes",
                "encode ns",
                "decode ns",
                "enc ns/node",
                "dec ns/node",
                "enc / postcard",
                "dec / postcard",
                "bytes / bitcode",
            ],
        );
        for c in codecs {
            let encode = c["encode_ns"].as_f64();
            let decode = c["decode_ns"].as_f64();
            table.row(vec![
                Cell::Text(c["codec"].as_str().unwrap_or_default().to_owned()),
                c["bytes"].as_u64().map_or(Cell::Empty, Cell::Int),
                float(&c["encode_ns"]),
                float(&c["decode_ns"]),
                encode.map_or(Cell::Empty, |e| Cell::Float(e / nodes, 2)),
                decode.map_or(Cell::Empty, |d| Cell::Float(d / nodes, 2)),
                ratio(encode, postcard.and_then(|p| p["encode_ns"].as_f64())),
                ratio(decode, postcard.and_then(|p| p["decode_ns"].as_f64())),
                ratio(c["bytes"].as_f64(), bitcode_bytes),
            ]);
        }
        if let Some(reference) = w.get("reference_ns") {
            let (encode, decode) = (reference["encode"].as_f64(), reference["decode"].as_f64());
            let v2 = find(codecs, "sigma-v2");
            table.row(vec![
                Cell::Text("reference (Python, measured here)".to_owned()),
                Cell::Empty,
                float(&reference["encode"]),
                float(&reference["decode"]),
                encode.map_or(Cell::Empty, |e| Cell::Float(e / nodes, 2)),
                decode.map_or(Cell::Empty, |d| Cell::Float(d / nodes, 2)),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]);
            let speedup =
                |field: &str, reference: Option<f64>| match (reference, v2.and_then(|c| c[field].as_f64())) {
                    (Some(r), Some(s)) if s > 0.0 => format!("{:.0}×", r / s),
                    _ => "-".to_owned(),
                };
            let line = format!(
                "sigma-v2 vs the reference: encode {} faster, decode {} faster\n{}",
                speedup("encode_ns", encode),
                speedup("decode_ns", decode),
                goals(nodes, codecs)
            );
            let _ = writeln!(text, "{}{line}", table.to_text());
            let _ = writeln!(markdown, "{}\n{line}", table.to_markdown());
        } else {
            let line = goals(nodes, codecs);
            let _ = writeln!(text, "{}{line}", table.to_text());
            let _ = writeln!(markdown, "{}\n{line}", table.to_markdown());
        }
    }
    for s in report["streams"].as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or_default();
        let mut table = Report::new(
            &format!(
                "stream {name} ({} messages measured; JSON {} bytes per message)",
                s["messages"],
                s["json_bytes_per_message"].as_f64().map_or("-".to_owned(), |b| format!("{b:.1}"))
            ),
            &[
                "codec",
                "bytes/message",
                "encode ns/message",
                "decode ns/message",
                "encode messages/s",
                "decode messages/s",
            ],
        );
        for c in s["codecs"].as_array().into_iter().flatten() {
            table.row(vec![
                Cell::Text(c["codec"].as_str().unwrap_or_default().to_owned()),
                c["bytes_per_message"].as_f64().map_or(Cell::Empty, |b| Cell::Float(b, 1)),
                float(&c["encode_ns_per_message"]),
                float(&c["decode_ns_per_message"]),
                float(&c["encode_messages_per_s"]),
                float(&c["decode_messages_per_s"]),
            ]);
        }
        // The session goals: fewer bytes than zstd-19+dict, no more time than zstd-3+dict+tree.
        let codec = |name: &str| {
            s["codecs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["codec"] == name)
                .cloned()
                .unwrap_or_default()
        };
        let (ours, small, fast) = (codec("sigma-session"), codec("zstd-19+dict"), codec("zstd-3+dict+tree"));
        let ratio = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.3}", a / b),
            _ => "-".to_owned(),
        };
        let line = format!(
            "sigma-session: bytes / zstd-19+dict {} (goal < 1), encode / zstd-3+dict+tree {}, decode / zstd-3+dict+tree {} (goals <= 1)",
            ratio(&ours["bytes_per_message"], &small["bytes_per_message"]),
            ratio(&ours["encode_ns_per_message"], &fast["encode_ns_per_message"]),
            ratio(&ours["decode_ns_per_message"], &fast["decode_ns_per_message"]),
        );
        let _ = writeln!(text, "{}{line}\n", table.to_text());
        let _ = writeln!(markdown, "{}\n{line}\n", table.to_markdown());
    }
    if let Some(runs) = report["batch"]["runs"].as_array() {
        let batch = &report["batch"];
        let mut table = Report::new(
            &format!(
                "batch: {} independent trees ({} nodes, {} bytes of v2), BatchEncoder / BatchDecoder",
                batch["trees"], batch["nodes"], batch["bytes"]
            ),
            &["threads", "encode trees/s", "encode MB/s", "decode trees/s", "decode MB/s"],
        );
        for run in runs {
            table.row(vec![
                run["threads"].as_u64().map_or(Cell::Empty, Cell::Int),
                float(&run["encode_trees_per_s"]),
                float(&run["encode_mb_per_s"]),
                float(&run["decode_trees_per_s"]),
                float(&run["decode_mb_per_s"]),
            ]);
        }
        let _ = writeln!(text, "{}", table.to_text());
        let _ = writeln!(markdown, "{}", table.to_markdown());
    }
    if let Some(runs) = report["text"]["runs"].as_array() {
        let t = &report["text"];
        let mut table = Report::new(
            &format!(
                "text: {} documents, {} sentences, {} bytes of prose ({} bytes as v2 text trees), one core",
                t["documents"], t["sentences"], t["bytes"], t["v2_bytes"]
            ),
            &["operation", "MB/s", "µs/sentence"],
        );
        for run in runs {
            table.row(vec![
                Cell::Text(run["operation"].as_str().unwrap_or_default().to_owned()),
                float(&run["mb_per_s"]),
                run["ns_per_sentence"].as_f64().map_or(Cell::Empty, |ns| Cell::Float(ns / 1e3, 2)),
            ]);
        }
        let reference = |i: usize| t["reference_mb_per_s"][i].as_f64().unwrap_or(0.0);
        table.row(vec![
            Cell::Text("reference extract (Python, 0.6 to 0.02 ms/sentence)".to_owned()),
            Cell::Text(format!("{:.2}–{:.1}", reference(0), reference(1))),
            Cell::Text("600–20".to_owned()),
        ]);
        let _ = writeln!(text, "{}", table.to_text());
        let _ = writeln!(markdown, "{}", table.to_markdown());
    }
    if let Some(runs) = report["analogy"]["runs"].as_array() {
        let a = &report["analogy"];
        let mut table = Report::new(
            &format!(
                "analogy: relational over a knowledge graph of {} entities and {} relations; structural on twitter statuses of {} nodes (A, B, C)",
                a["entities"], a["relations"], a["structural_nodes"]
            ),
            &["query", "µs/query"],
        );
        for run in runs {
            table.row(vec![
                Cell::Text(run["operation"].as_str().unwrap_or_default().to_owned()),
                run["us_per_query"].as_f64().map_or(Cell::Empty, |us| Cell::Float(us, 2)),
            ]);
        }
        table.row(vec![
            Cell::Text("reference (Python, 44 to 1,000 candidates)".to_owned()),
            Cell::Text("1,700–18,000".to_owned()),
        ]);
        let _ = writeln!(text, "{}", table.to_text());
        let _ = writeln!(markdown, "{}", table.to_markdown());
    }
    if let Some(queries) = report["bank"]["queries"].as_array() {
        let b = &report["bank"];
        let mut table = Report::new(
            &format!(
                "bank: {} items (twitter statuses and citm performances, varied) added in one commit at {:.0} items/s; {} queries of each kind, k = 10",
                b["items"],
                b["items_per_s"].as_f64().unwrap_or(0.0),
                b["queries_per_kind"]
            ),
            &["query", "p50 ms", "p99 ms", "hits/query"],
        );
        for q in queries {
            table.row(vec![
                Cell::Text(q["query"].as_str().unwrap_or_default().to_owned()),
                q["p50_ms"].as_f64().map_or(Cell::Empty, |ms| Cell::Float(ms, 3)),
                q["p99_ms"].as_f64().map_or(Cell::Empty, |ms| Cell::Float(ms, 3)),
                q["hits_per_query"].as_f64().map_or(Cell::Empty, |h| Cell::Float(h, 1)),
            ]);
        }
        let _ = writeln!(text, "{}", table.to_text());
        let _ = writeln!(markdown, "{}", table.to_markdown());
        let mut sizes = Report::new("bank: bytes on disk", &["what", "bytes", "÷ bank"]);
        let bank_bytes = b["bank_bytes"].as_f64();
        for (what, key) in [
            ("bank", "bank_bytes"),
            ("JSON lines", "jsonl_bytes"),
            ("zstd -19 of the JSON lines", "zstd19_bytes"),
        ] {
            sizes.row(vec![Cell::Text(what.to_owned()), float(&b[key]), ratio(b[key].as_f64(), bank_bytes)]);
        }
        let _ = writeln!(text, "{}", sizes.to_text());
        let _ = writeln!(markdown, "{}", sizes.to_markdown());
    }
    markdown.push_str("![ns per node by codec and workload](chart.svg)\n");
    (text, markdown)
}

const COLORS: &[(&str, &str)] = &[
    ("sigma-v2", "#d62728"),
    ("sigma-v2-compact", "#e6550d"),
    ("sigma-v2-view", "#fdae6b"),
    ("sigma-v1", "#ff9896"),
    ("postcard", "#1f77b4"),
    ("bitcode", "#2ca02c"),
    ("serde_json", "#9467bd"),
    ("json+zstd-3", "#8c564b"),
    ("json+lz4", "#e377c2"),
    ("limit", "#7f7f7f"),
];

/// Two panels (encode, decode) of horizontal bars: ns per node, log scale, one bar per codec,
/// grouped by workload.
pub(crate) fn chart(report: &Value) -> String {
    let workloads = report["workloads"].as_array().map(Vec::as_slice).unwrap_or_default();
    let bar = 7.0;
    let group_gap = 10.0;
    let label_width = 130.0;
    let panel_width = 420.0;
    let top = 60.0;
    let (lo, hi) = (1f64.log10(), 10_000f64.log10());
    let x = |ns_per_node: f64, panel: f64| {
        let v = ns_per_node.clamp(1.0, 10_000.0).log10();
        label_width + panel * (panel_width + 40.0) + (v - lo) / (hi - lo) * panel_width
    };
    let group_height = |w: &Value| w["codecs"].as_array().map_or(0, Vec::len) as f64 * bar + group_gap;
    let height = top + workloads.iter().map(group_height).sum::<f64>() + 60.0;
    let width = label_width + 2.0 * (panel_width + 40.0) + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"15\">ΣLANG and peers: ns per node (log scale, shorter is faster)</text>\n"
    );
    for (panel, title) in [(0.0, "encode"), (1.0, "decode")] {
        let x0 = x(1.0, panel);
        let _ = writeln!(svg, "<text x=\"{x0}\" y=\"45\" font-size=\"13\">{title}</text>");
        for tick in [1.0, 10.0, 100.0, 1000.0, 10_000.0] {
            let tx = x(tick, panel);
            let _ = writeln!(
                svg,
                "<line x1=\"{tx}\" y1=\"{top}\" x2=\"{tx}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\">{tick}</text>",
                height - 45.0,
                height - 32.0
            );
        }
    }
    let mut y = top;
    for w in workloads {
        let nodes = w["nodes"].as_f64().unwrap_or(1.0).max(1.0);
        let codecs = w["codecs"].as_array().map(Vec::as_slice).unwrap_or_default();
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            y + codecs.len() as f64 * bar / 2.0 + 4.0,
            w["name"].as_str().unwrap_or_default()
        );
        for c in codecs {
            let codec = c["codec"].as_str().unwrap_or_default();
            let color = COLORS.iter().find(|(name, _)| *name == codec).map_or("#000", |(_, color)| color);
            for (panel, field) in [(0.0, "encode_ns"), (1.0, "decode_ns")] {
                if let Some(ns) = c[field].as_f64() {
                    let x0 = x(1.0, panel);
                    let w_px = (x(ns / nodes, panel) - x0).max(1.0);
                    let _ = writeln!(
                        svg,
                        "<rect x=\"{x0}\" y=\"{y}\" width=\"{w_px:.1}\" height=\"{}\" fill=\"{color}\"><title>{codec} {field}: {:.2} ns/node</title></rect>",
                        bar - 1.0,
                        ns / nodes
                    );
                }
            }
            y += bar;
        }
        y += group_gap;
    }
    let mut lx = label_width;
    for (codec, color) in COLORS {
        let _ = writeln!(
            svg,
            "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{codec}</text>",
            height - 18.0,
            lx + 14.0,
            height - 9.0
        );
        lx += 100.0;
    }
    svg.push_str("</svg>\n");
    svg
}
