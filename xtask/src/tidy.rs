//! `cargo xtask tidy`: dependencies point only down the layers, every source file opens with a
//! `//!` line, and formatting is clean. The same checks run as tests (`cargo test -p xtask`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The layer of every workspace crate (DESIGN §2). A crate may depend only on crates in lower
/// layers; `xtask` sits outside the layers and may use any of them.
pub(crate) const LAYERS: &[(&str, u8)] = &[
    ("sigma-primitives", 0),
    ("sigma-metrics", 0),
    ("sigma-glyph", 1),
    ("sigma-tree", 2),
    ("sigma-delta", 3),
    ("sigma-codec", 4),
    ("sigma-cli", 5),
];

pub(crate) fn run(fix: bool) -> Result<(), String> {
    let root = workspace_root();
    if fix {
        cargo(&root, &["fmt", "--all"])?;
    }
    let mut problems = Vec::new();
    problems.extend(check_layers(&workspace_dependencies(&root)?));
    problems.extend(check_file_headers(&root));
    if let Err(e) = cargo(&root, &["fmt", "--all", "--check"]) {
        problems.push(format!("formatting: {e} (run `cargo xtask tidy --fix`)"));
    }
    if problems.is_empty() {
        println!("tidy: layering, file headers and formatting are clean");
        Ok(())
    } else {
        Err(format!("tidy found {} problems:\n  {}", problems.len(), problems.join("\n  ")))
    }
}

pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or(manifest_dir)
}

fn cargo(root: &Path, args: &[&str]) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("`cargo {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// Each workspace package with the workspace packages it depends on (any kind: normal, dev,
/// build), from `cargo metadata`.
pub(crate) fn workspace_dependencies(root: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let text = cargo(root, &["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .or_else(|_| cargo(root, &["metadata", "--format-version", "1", "--no-deps"]))?;
    let metadata: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let packages = metadata["packages"].as_array().ok_or("cargo metadata: no packages")?;
    let names: Vec<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    Ok(packages
        .iter()
        .filter_map(|package| {
            let name = package["name"].as_str()?;
            let deps = package["dependencies"]
                .as_array()?
                .iter()
                .filter_map(|dep| dep["name"].as_str())
                .filter(|dep| names.contains(dep) && *dep != name)
                .map(str::to_owned)
                .collect();
            Some((name.to_owned(), deps))
        })
        .collect())
}

fn layer_of(name: &str) -> Option<u8> {
    LAYERS.iter().find(|(crate_name, _)| *crate_name == name).map(|&(_, layer)| layer)
}

/// Problems with `packages`' dependencies: one that points up or sideways in the layers, or a
/// crate with no layer assigned.
pub(crate) fn check_layers(packages: &[(String, Vec<String>)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, deps) in packages {
        if name == "xtask" || name == "fuzz" || name.starts_with("sigma-fuzz") {
            continue;
        }
        let Some(layer) = layer_of(name) else {
            problems.push(format!(
                "{name} has no layer: add it to LAYERS in xtask/src/tidy.rs and ARCHITECTURE.md"
            ));
            continue;
        };
        for dep in deps {
            match layer_of(dep) {
                Some(dep_layer) if dep_layer < layer => {}
                Some(dep_layer) => problems.push(format!(
                    "{name} (layer {layer}) depends on {dep} (layer {dep_layer}): dependencies must point down"
                )),
                None => problems.push(format!("{name} depends on {dep}, which has no layer")),
            }
        }
    }
    problems
}

/// Every `.rs` file under `crates/` and `xtask/` must open with a `//!` line saying what it is for.
pub(crate) fn check_file_headers(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut stack = vec![root.join("crates"), root.join("xtask"), root.join("fuzz")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target" && n != "snapshots") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !text.starts_with("//!") {
                    let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                    problems.push(format!("{shown} does not open with a `//!` line"));
                }
            }
        }
    }
    problems.sort();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, deps: &[&str]) -> (String, Vec<String>) {
        (name.to_owned(), deps.iter().map(|d| (*d).to_owned()).collect())
    }

    #[test]
    fn the_workspace_is_layered() {
        let packages = workspace_dependencies(&workspace_root()).unwrap();
        assert!(packages.len() > LAYERS.len(), "{packages:?}");
        assert_eq!(check_layers(&packages), Vec::<String>::new());
    }

    #[test]
    fn an_upward_or_sideways_dependency_is_caught() {
        let problems = check_layers(&[
            package("sigma-glyph", &["sigma-primitives", "sigma-codec"]),
            package("sigma-primitives", &["sigma-metrics"]),
            package("sigma-new", &[]),
            package("sigma-tree", &["sigma-glyph"]),
        ]);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("sigma-glyph (layer 1) depends on sigma-codec (layer 4)"));
        assert!(problems[1].contains("sigma-primitives (layer 0) depends on sigma-metrics (layer 0)"));
        assert!(problems[2].contains("sigma-new has no layer"));
    }

    #[test]
    fn every_source_file_opens_with_a_doc_line() {
        assert_eq!(check_file_headers(&workspace_root()), Vec::<String>::new());
    }

    #[test]
    fn formatting_is_clean() {
        if let Err(e) = cargo(&workspace_root(), &["fmt", "--all", "--check"]) {
            panic!("{e}\nrun `cargo xtask tidy --fix`");
        }
    }
}
