//! `cargo xtask fuzz [--seconds N] [TARGET…]`: runs the cargo-fuzz targets in `fuzz/`, each for N
//! seconds (default 60), on the nightly toolchain, seeded with the v1 examples, corpus messages, a
//! trained codebook, text fixtures and the kept crash inputs. A crash stops the run and leaves its input in
//! `fuzz/artifacts/TARGET/`; fix it, then keep the input as `fixtures/fuzz/TARGET/NAME` (the test
//! `crates/sigma-codec/tests/codec/fuzz_fixtures.rs` replays every file there through the target's
//! own check, `sigma_testkit::fuzz`).

use std::path::Path;
use std::process::Command;

use crate::tidy::workspace_root;

use sigma_testkit::fuzz::TARGETS;

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut targets: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        match arg {
            "--seconds" => {
                let value = rest.next().ok_or("--seconds needs a number")?;
                seconds = value.parse().map_err(|_| format!("--seconds: not a number: {value}"))?;
            }
            target if TARGETS.contains(&target) => targets.push(target),
            other => return Err(format!("unknown fuzz argument {other:?}; targets: {}", TARGETS.join(", "))),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    let root = workspace_root();
    let fuzz_dir = root.join("fuzz");
    let probe = Command::new("cargo").args(["+nightly", "fuzz", "--version"]).current_dir(&fuzz_dir).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("cargo fuzz on the nightly toolchain is needed: `cargo install cargo-fuzz`".to_owned());
    }
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        seed(target, &corpus)?;
        println!("fuzz: {target} for {seconds} s");
        // The text, vector and analogy targets check safe code only (unsafe is denied
        // workspace-wide), where the address sanitizer finds nothing and costs most of the
        // speed: they run without one.
        let safe_only = matches!(target, "text" | "vectors" | "tree_analogy");
        let sanitizer: &[&str] = if safe_only { &["--sanitizer", "none"] } else { &[] };
        let status = Command::new("cargo")
            .args(["+nightly", "fuzz", "run"])
            .args(sanitizer)
            .args([target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-timeout=10")
            .arg("-rss_limit_mb=4096")
            // Text is checked sentence by sentence: short inputs reach every rule sooner.
            .args((target == "text").then_some("-max_len=4096"))
            .current_dir(&fuzz_dir)
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!("fuzz target {target} found a problem: see fuzz/artifacts/{target}/"));
        }
    }
    Ok(())
}

/// Writes seed inputs into the target's corpus: examples of what it reads, and the kept crash
/// inputs.
fn seed(target: &str, corpus: &Path) -> Result<(), String> {
    let mut seeds = sigma_testkit::fuzz_inputs(target);
    let examples = sigma_testkit::v1_examples();
    let messages = sigma_testkit::Stream::CitmPerformances.messages();
    match target {
        "decode_v1" => seeds.extend(examples.into_iter().map(|e| (format!("example-{}", e.name), e.bytes))),
        "decode_v2" | "round_trip" => {
            for example in examples {
                let bytes = sigma_codec::v2::encode(&example.tree).map_err(|e| e.to_string())?;
                seeds.push((format!("example-{}", example.name), bytes));
                let compact = sigma_codec::v2::encode_compact(&example.tree).map_err(|e| e.to_string())?;
                seeds.push((format!("example-{}-compact", example.name), compact));
            }
            for (i, message) in messages.iter().take(4).enumerate() {
                let tree = sigma_tree::Tree::from_json_document(message).map_err(|e| e.to_string())?;
                let compact = sigma_codec::v2::encode_compact(&tree).map_err(|e| e.to_string())?;
                seeds.push((format!("citm-{i}-compact"), compact));
            }
        }
        "session" | "json_document" => {
            seeds.push(("citm-messages".to_owned(), messages[..6].join("\n").into_bytes()))
        }
        "codebook" => {
            let trees: Vec<sigma_tree::Tree> = sigma_testkit::Stream::CitmPerformances.trees();
            let codebook =
                sigma_codec::codebook::Codebook::train(&trees[..20], 16).map_err(|e| e.to_string())?;
            seeds.push(("citm-codebook".to_owned(), codebook.to_bytes()));
        }
        "text" => {
            // Prose, and the gold set's sentences with their hard cases, a few records a seed.
            for (name, text) in sigma_testkit::text_documents().into_iter().take(8) {
                seeds.push((name, text.into_bytes()));
            }
            let gold = sigma_testkit::fixture_text("text/gold/dev.txt");
            let records: Vec<&str> = gold.split("\n\n").collect();
            for (i, chunk) in records.chunks(8).enumerate() {
                seeds.push((format!("gold-dev-{i}"), chunk.join("\n\n").into_bytes()));
            }
        }
        "vectors" => {
            seeds.push(("glove".to_owned(), b"king 1 1 0\nqueen 1 -1 0\nman 0 1 1\nwoman 0 -1 1\n".to_vec()));
            seeds.push(("word2vec-text".to_owned(), b"3 2\na 1 0\nb 0 1\nc 1 1\n".to_vec()));
            let mut binary = b"2 2\nx ".to_vec();
            for f in [1.0f32, 0.0] {
                binary.extend_from_slice(&f.to_le_bytes());
            }
            binary.extend_from_slice(b"\ny ");
            for f in [0.0f32, 1.0] {
                binary.extend_from_slice(&f.to_le_bytes());
            }
            seeds.push(("word2vec-binary".to_owned(), binary));
        }
        "tree_analogy" => {
            // Quadruples of the structural gold set whose records are small: A, B and C a line each.
            let gold = sigma_testkit::fixture_text("analogy/structural.jsonl");
            for (i, line) in gold.lines().enumerate().filter(|(_, l)| l.len() < 6_000) {
                let q: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
                let seed = format!("{}\n{}\n{}\n", q["a"], q["b"], q["c"]);
                seeds.push((format!("structural-{i}"), seed.into_bytes()));
            }
        }
        _ => {}
    }
    for (name, bytes) in seeds {
        let to = corpus.join(name);
        std::fs::write(&to, bytes).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    Ok(())
}
