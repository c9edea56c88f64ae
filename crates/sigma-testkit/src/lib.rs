//! What the workspace's tests, benches and fuzz targets share, so that none of them copies it:
//! where the fixtures are and how to load them ([`fixtures`]), bytes forged on purpose
//! ([`forge`]), and the checks each fuzz target makes ([`fuzz`]), which the replay of kept fuzz
//! inputs calls too.
//!
//! **Dev-only**, outside the layers: the layered crates use it as a dev-dependency only (their
//! integration tests), and it may use any of them. Everything here panics on failure: it serves
//! tests.
#![allow(clippy::unwrap_used, clippy::panic)]

pub mod forge;
pub mod fuzz;

use std::path::PathBuf;

use sigma_tree::Tree;

/// The workspace's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The text of `fixtures/<path>`.
pub fn fixture_text(path: &str) -> String {
    let path = fixtures().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The corpus documents, by file name under `fixtures/corpus/`.
pub const CORPUS: [&str; 3] = ["twitter.json", "citm_catalog.json", "canada.json"];

/// The seed and balanced trees' names under `fixtures/trees/` (without `.json`).
pub const TREE_FIXTURES: [&str; 6] = ["simple", "medium", "deep", "wide", "balanced_1000", "balanced_4000"];

/// Every tree fixture with its name: the seed and balanced trees (tree JSON form), then the
/// corpus documents (mapped as JSON documents).
pub fn fixture_trees() -> Vec<(String, Tree)> {
    let mut out: Vec<(String, Tree)> = TREE_FIXTURES
        .iter()
        .map(|name| {
            let text = fixture_text(&format!("trees/{name}.json"));
            ((*name).to_owned(), Tree::from_tree_json(&text).unwrap())
        })
        .collect();
    for name in CORPUS {
        out.push((
            name.to_owned(),
            Tree::from_json_document(&fixture_text(&format!("corpus/{name}"))).unwrap(),
        ));
    }
    out
}

/// The text fixtures: real prose, one document a file (`fixtures/text/factbook/`), by file name,
/// in name order.
pub fn text_documents() -> Vec<(String, String)> {
    let dir = fixtures().join("text/factbook");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = fixture_text(&format!("text/factbook/{name}"));
            (name, text)
        })
        .collect()
}

/// The message streams made from the corpus: one JSON document per message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// twitter.json's `statuses` (100 messages).
    TwitterStatuses,
    /// citm_catalog.json's `performances` (243 messages).
    CitmPerformances,
    /// canada.json's polygon rings, each as a one-ring polygon (480 messages): numbers, not text.
    CanadaRings,
}

impl Stream {
    /// Every stream.
    pub const ALL: [Stream; 3] = [Stream::TwitterStatuses, Stream::CitmPerformances, Stream::CanadaRings];

    /// Its name in reports (`twitter/statuses`).
    pub fn name(self) -> &'static str {
        match self {
            Stream::TwitterStatuses => "twitter/statuses",
            Stream::CitmPerformances => "citm/performances",
            Stream::CanadaRings => "canada/rings",
        }
    }

    /// The messages, each as compact JSON text.
    pub fn messages(self) -> Vec<String> {
        let doc = |file: &str| -> serde_json::Value {
            serde_json::from_str(&fixture_text(&format!("corpus/{file}"))).unwrap()
        };
        let values: Vec<serde_json::Value> = match self {
            Stream::TwitterStatuses => doc("twitter.json")["statuses"].as_array().unwrap().clone(),
            Stream::CitmPerformances => doc("citm_catalog.json")["performances"].as_array().unwrap().clone(),
            Stream::CanadaRings => doc("canada.json")["features"][0]["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ring| serde_json::json!({"type": "Polygon", "coordinates": [ring]}))
                .collect(),
        };
        values.iter().map(|m| serde_json::to_string(m).unwrap()).collect()
    }

    /// The messages as trees.
    pub fn trees(self) -> Vec<Tree> {
        self.messages().iter().map(|m| Tree::from_json_document(m).unwrap()).collect()
    }
}

/// One case of `fixtures/v1_examples.json`: the reference's own bytes for a tree.
#[derive(Clone, Debug)]
pub struct V1Example {
    /// The case's name.
    pub name: String,
    /// The tree.
    pub tree: Tree,
    /// The reference's bytes for it.
    pub bytes: Vec<u8>,
}

/// Every case of `fixtures/v1_examples.json`.
pub fn v1_examples() -> Vec<V1Example> {
    let doc: serde_json::Value = serde_json::from_str(&fixture_text("v1_examples.json")).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| V1Example {
            name: case["name"].as_str().unwrap().to_owned(),
            tree: Tree::from_tree_json(&case["tree"].to_string()).unwrap(),
            bytes: forge::unhex(case["hex"].as_str().unwrap()),
        })
        .collect()
}

/// The inputs a fuzz target once failed on, kept under `fixtures/fuzz/<target>/`, by file name.
pub fn fuzz_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fixtures().join("fuzz").join(target);
    let mut out: Vec<(String, Vec<u8>)> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}
