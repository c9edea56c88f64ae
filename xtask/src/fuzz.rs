//! `cargo xtask fuzz [--seconds N] [TARGET…]`: runs the cargo-fuzz targets in `fuzz/`, each for N
//! seconds (default 60), on the nightly toolchain, seeded with `fixtures/v1_examples.json` and the
//! crash fixtures. A crash stops the run and leaves its input in `fuzz/artifacts/TARGET/`; fix it,
//! then keep the input as `fixtures/fuzz/TARGET/NAME` (the test `crates/sigma-codec/tests/fuzz_fixtures.rs`
//! replays every file there).

use std::path::Path;
use std::process::Command;

use crate::tidy::workspace_root;

/// Every target in `fuzz/Cargo.toml`.
pub(crate) const TARGETS: &[&str] = &["decode_v1", "decode_v2", "round_trip", "json_document", "session"];

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
        seed(&root, target, &corpus)?;
        println!("fuzz: {target} for {seconds} s");
        let status = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-timeout=10")
            .arg("-rss_limit_mb=4096")
            .current_dir(&fuzz_dir)
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!("fuzz target {target} found a problem: see fuzz/artifacts/{target}/"));
        }
    }
    Ok(())
}

/// Copies seed inputs into the target's corpus: the v1 examples and the kept crash fixtures.
fn seed(root: &Path, target: &str, corpus: &Path) -> Result<(), String> {
    if target == "decode_v1" {
        let text =
            std::fs::read_to_string(root.join("fixtures/v1_examples.json")).map_err(|e| e.to_string())?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        for case in doc["cases"].as_array().into_iter().flatten() {
            let (Some(name), Some(hex)) = (case["name"].as_str(), case["hex"].as_str()) else { continue };
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .filter_map(|i| hex.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect();
            std::fs::write(corpus.join(format!("example-{name}")), bytes).map_err(|e| e.to_string())?;
        }
    }
    let kept = root.join("fixtures/fuzz").join(target);
    for entry in std::fs::read_dir(&kept).into_iter().flatten().flatten() {
        let to = corpus.join(entry.file_name());
        std::fs::copy(entry.path(), &to).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    Ok(())
}
