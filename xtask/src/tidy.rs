//! `cargo xtask tidy`: dependencies point only down the layers, every source file opens with a
//! `//!` line, nothing points at documents outside the repository, and formatting is clean. The
//! same checks run as tests (`cargo test -p xtask`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The layer of every library and binary crate (ARCHITECTURE.md, "Layers"). A crate may depend
/// only on crates in lower layers.
pub(crate) const LAYERS: &[(&str, u8)] = &[
    ("sigma-primitives", 0),
    ("sigma-metrics", 0),
    ("sigma-glyph", 1),
    ("sigma-tree", 2),
    ("sigma-delta", 3),
    ("sigma-text", 3),
    ("sigma-codec", 4),
    ("sigma-bank", 5),
    ("sigma-cli", 6),
    ("sigma-python", 6),
];

/// Crates outside the layers: they may use any layered crate, and no layered crate may depend on
/// them, except on `sigma-testkit` as a dev-dependency (its integration tests).
pub(crate) const SUPPORT: &[&str] = &["sigma-testkit", "sigma-benches", "xtask"];

/// The one support crate layered crates may use, and only for their tests.
const TEST_SUPPORT: &str = "sigma-testkit";

pub(crate) fn run(fix: bool) -> Result<(), String> {
    let root = workspace_root();
    if fix {
        cargo(&root, &["fmt", "--all"])?;
    }
    let mut problems = Vec::new();
    problems.extend(check_layers(&workspace_dependencies(&root)?));
    problems.extend(check_file_headers(&root));
    problems.extend(check_self_contained(&root));
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

/// A dependency between workspace packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub(crate) name: String,
    /// A dev-dependency (tests, benches, examples only).
    pub(crate) dev: bool,
}

/// Each workspace package with the workspace packages it depends on (any kind: normal, dev,
/// build), from `cargo metadata`.
pub(crate) fn workspace_dependencies(root: &Path) -> Result<Vec<(String, Vec<Dependency>)>, String> {
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
                .filter_map(|dep| Some((dep["name"].as_str()?, dep["kind"].as_str() == Some("dev"))))
                .filter(|(dep, _)| names.contains(dep) && *dep != name)
                .map(|(dep, dev)| Dependency { name: dep.to_owned(), dev })
                .collect();
            Some((name.to_owned(), deps))
        })
        .collect())
}

fn layer_of(name: &str) -> Option<u8> {
    LAYERS.iter().find(|(crate_name, _)| *crate_name == name).map(|&(_, layer)| layer)
}

/// Problems with `packages`' dependencies: one that points up or sideways in the layers, one on
/// a support crate (other than the test kit, as a dev-dependency), or a crate with no layer.
pub(crate) fn check_layers(packages: &[(String, Vec<Dependency>)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, deps) in packages {
        if SUPPORT.contains(&name.as_str()) {
            continue;
        }
        let Some(layer) = layer_of(name) else {
            problems.push(format!(
                "{name} has no layer: add it to LAYERS in xtask/src/tidy.rs and ARCHITECTURE.md"
            ));
            continue;
        };
        for Dependency { name: dep, dev } in deps {
            match layer_of(dep) {
                Some(dep_layer) if dep_layer < layer => {}
                Some(dep_layer) => problems.push(format!(
                    "{name} (layer {layer}) depends on {dep} (layer {dep_layer}): dependencies must point down"
                )),
                None if dep == TEST_SUPPORT && *dev => {}
                None if SUPPORT.contains(&dep.as_str()) => problems.push(format!(
                    "{name} depends on {dep}, a support crate (only {TEST_SUPPORT}, and only as a dev-dependency)"
                )),
                None => problems.push(format!("{name} depends on {dep}, which has no layer")),
            }
        }
    }
    problems
}

/// Every file under `dirs` (relative to `root`) whose name ends in one of `endings`, sorted;
/// build outputs, fuzz corpora and snapshots left out.
fn files(root: &Path, dirs: &[&str], endings: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "snapshots" | "corpus" | "artifacts" | ".git") {
                    stack.push(path);
                }
            } else if endings.iter().any(|e| name.ends_with(e)) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Every `.rs` file must open with a `//!` line saying what it is for.
pub(crate) fn check_file_headers(root: &Path) -> Vec<String> {
    files(root, &["crates", "benches", "python", "xtask", "fuzz"], &[".rs"])
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).is_ok_and(|text| text.starts_with("//!")))
        .map(|path| format!("{} does not open with a `//!` line", shown(root, &path)))
        .collect()
}

/// The repository explains itself: no file points at the design brief it was planned from, at
/// a folder outside the repository, or at issue numbers.
pub(crate) fn check_self_contained(root: &Path) -> Vec<String> {
    let endings = [".rs", ".md", ".toml", ".sh", ".py", ".pyi", "run"];
    let mut paths =
        files(root, &["crates", "benches", "xtask", "fuzz", "docs", "fixtures", ".ci", "python"], &endings);
    paths.extend(["README.md", "ARCHITECTURE.md", "Cargo.toml"].map(|f| root.join(f)));
    let mut problems = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        for (number, line) in text.lines().enumerate() {
            if let Some(what) = outside_reference(line) {
                problems.push(format!("{}:{}: points at {what}", shown(root, &path), number + 1));
            }
        }
    }
    problems
}

/// What `line` points at outside the repository, if anything.
fn outside_reference(line: &str) -> Option<&'static str> {
    // Spelled in pieces so that this file does not name what it looks for.
    let design = ["DESIGN", " §"].concat();
    let design_file = ["DESIGN", ".md"].concat();
    let shared = ["../", "shared"].concat();
    let issue = ["issue", " #"].concat();
    if line.contains(&design) || line.contains(&design_file) {
        return Some("the design brief (say what is meant here instead)");
    }
    if line.contains(&shared) {
        return Some("a folder outside the repository");
    }
    let numbered = |word: &str| {
        word.strip_prefix('#')
            .is_some_and(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let words = line.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'));
    if line.to_lowercase().contains(&issue) || words.map(|w| w.trim_end_matches(['.', ':'])).any(numbered) {
        return Some("an issue number (the repository says what it needs itself)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, deps: &[&str]) -> (String, Vec<Dependency>) {
        let dep = |d: &&str| match d.strip_suffix(" (dev)") {
            Some(name) => Dependency { name: name.to_owned(), dev: true },
            None => Dependency { name: (*d).to_owned(), dev: false },
        };
        (name.to_owned(), deps.iter().map(dep).collect())
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
            package("sigma-tree", &["sigma-glyph", "sigma-testkit (dev)"]),
            package("sigma-delta", &["sigma-testkit"]),
            package("sigma-codec", &["sigma-benches (dev)"]),
            package("sigma-benches", &["sigma-cli"]),
        ]);
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].contains("sigma-glyph (layer 1) depends on sigma-codec (layer 4)"));
        assert!(problems[1].contains("sigma-primitives (layer 0) depends on sigma-metrics (layer 0)"));
        assert!(problems[2].contains("sigma-new has no layer"));
        assert!(problems[3].contains("sigma-delta depends on sigma-testkit, a support crate"));
        assert!(problems[4].contains("sigma-codec depends on sigma-benches, a support crate"));
    }

    #[test]
    fn every_source_file_opens_with_a_doc_line() {
        assert_eq!(check_file_headers(&workspace_root()), Vec::<String>::new());
    }

    #[test]
    fn the_repository_points_at_nothing_outside_it() {
        assert_eq!(check_self_contained(&workspace_root()), Vec::<String>::new());
        let design = ["DESIGN", " §4"].concat();
        assert!(outside_reference(&format!("as {design} says")).is_some());
        assert!(outside_reference(&["fixed in #", "12"].concat()).is_some());
        assert!(outside_reference(&["see issue", " #", "5 for why"].concat()).is_some());
        assert!(outside_reference(&["(#", "6)"].concat()).is_some());
        assert!(outside_reference("a #[test] and 0x#12 colour #1f77b4").is_none());
    }

    #[test]
    fn formatting_is_clean() {
        if let Err(e) = cargo(&workspace_root(), &["fmt", "--all", "--check"]) {
            panic!("{e}\nrun `cargo xtask tidy --fix`");
        }
    }
}
