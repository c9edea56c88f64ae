//! `cargo xtask snapshot`: reruns the snapshot tests and accepts what they now produce: insta
//! snapshots (`INSTA_UPDATE=always`, no cargo-insta needed) and the fixture trees
//! (`SIGMA_BLESS=1`). Review the diff with `git diff` afterwards.

use std::process::Command;

use crate::tidy::workspace_root;

pub(crate) fn run() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["test", "--workspace", "--quiet"])
        .env("INSTA_UPDATE", "always")
        .env("SIGMA_BLESS", "1")
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if status.success() {
        println!("snapshot: accepted; review with `git diff`");
        Ok(())
    } else {
        Err("tests failed even with snapshots accepted: a real failure, not a snapshot change".to_owned())
    }
}
