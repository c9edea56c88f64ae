//! `cargo xtask test [ARGS…]`: the test suite as the README gives it. Runs every test under
//! cargo-nextest (installing it with `cargo install --locked cargo-nextest` when it is missing,
//! and saying so), then the doctests, which nextest does not run. `ARGS` go to nextest
//! (`cargo xtask test -p sigma-codec`, `cargo xtask test session`).

use std::process::Command;

use crate::tidy::workspace_root;

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let has_nextest =
        Command::new(&cargo).args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    if !has_nextest {
        println!("test: cargo-nextest is not installed; installing it: cargo install --locked cargo-nextest");
        let status = Command::new(&cargo)
            .args(["install", "--locked", "cargo-nextest"])
            .status()
            .map_err(|e| format!("cannot run cargo install: {e}"))?;
        if !status.success() {
            return Err("cargo install --locked cargo-nextest failed".to_owned());
        }
    }
    let mut nextest = Command::new(&cargo);
    nextest.args(["nextest", "run", "--no-fail-fast"]);
    // `--workspace` would override a package given with `-p`.
    if !args.iter().any(|a| *a == "-p" || a.starts_with("--package")) {
        nextest.arg("--workspace");
    }
    nextest.args(args).current_dir(&root);
    let status = nextest.status().map_err(|e| format!("cannot run cargo nextest: {e}"))?;
    if !status.success() {
        return Err("tests failed (cargo nextest run)".to_owned());
    }
    if args.is_empty() {
        let status = Command::new(&cargo)
            .args(["test", "--workspace", "--doc"])
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo test --doc: {e}"))?;
        if !status.success() {
            return Err("doctests failed (cargo test --workspace --doc)".to_owned());
        }
    }
    Ok(())
}
