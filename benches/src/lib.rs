//! What the benches share: the workloads (the reference benchmark's four trees, balanced trees,
//! the corpus documents), the serde shape the peers encode, each codec's encode and decode behind
//! one interface ([`Runner`]), and the files `cargo xtask bench` reads.
//!
//! The benches (`benches/`) run under criterion; `examples/` holds hot loops for profilers;
//! `tests/sizes.rs` prints every fixture's size in v1, v2 and postcard.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sigma_codec::{DecodeLimits, v1, v2};
use sigma_testkit::{Stream, fixture_text};
use sigma_tree::{Event, Tree};

/// Where bench outputs go: `target/sigma-bench/`.
pub fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("sigma-bench")
}

/// The shape a serde user would give the tree: what postcard, bitcode and serde_json encode.
/// (bitcode through its serde support: its derive does not take recursive types.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerNode {
    /// The primitive id.
    pub p: u8,
    /// The value.
    pub v: Option<String>,
    /// The children.
    pub c: Vec<PeerNode>,
}

impl PeerNode {
    /// Converts without recursion: children are finished before their parent.
    pub fn from_tree(tree: &Tree) -> PeerNode {
        let mut open: Vec<PeerNode> = Vec::new();
        let mut finished: Vec<Vec<PeerNode>> = vec![Vec::new()];
        for event in tree.events() {
            match event {
                Event::Enter(node) => {
                    open.push(PeerNode {
                        p: node.primitive().id(),
                        v: node.value().map(str::to_owned),
                        c: Vec::new(),
                    });
                    finished.push(Vec::new());
                }
                Event::Leave(_) => {
                    let mut node = open.pop().unwrap();
                    node.c = finished.pop().unwrap();
                    finished.last_mut().unwrap().push(node);
                }
            }
        }
        finished.pop().unwrap().pop().unwrap()
    }
}

/// One workload: a tree, the same tree as the peers' shape, and its JSON text.
pub struct Workload {
    /// Its name in reports (`seed/medium`, `twitter.json`).
    pub name: &'static str,
    /// The tree.
    pub tree: Tree,
    /// The same tree in the peers' shape.
    pub peer: PeerNode,
    /// The JSON a JSON user would store: the document for the corpus, the tree JSON form otherwise.
    pub json: serde_json::Value,
    /// The Python reference's figures, measured on these machines: median encode and decode in
    /// ns, where the reference has them.
    pub reference: Option<(f64, f64)>,
}

fn tree_workload(name: &'static str, file: &str, reference: Option<(f64, f64)>) -> Workload {
    let text = fixture_text(file);
    let tree = Tree::from_tree_json(&text).unwrap();
    Workload {
        name,
        peer: PeerNode::from_tree(&tree),
        json: serde_json::from_str(&text).unwrap(),
        tree,
        reference,
    }
}

fn document_workload(name: &'static str, file: &str) -> Workload {
    let text = fixture_text(file);
    let tree = Tree::from_json_document(&text).unwrap();
    Workload {
        name,
        peer: PeerNode::from_tree(&tree),
        json: serde_json::from_str(&text).unwrap(),
        tree,
        reference: None,
    }
}

/// Every workload, smallest first.
pub fn workloads() -> Vec<Workload> {
    vec![
        tree_workload("seed/simple", "trees/simple.json", Some((782_000.0, 60_000.0))),
        tree_workload("seed/medium", "trees/medium.json", Some((749_000.0, 105_000.0))),
        tree_workload("seed/deep", "trees/deep.json", Some((1_161_000.0, 302_000.0))),
        tree_workload("seed/wide", "trees/wide.json", Some((1_053_000.0, 325_000.0))),
        tree_workload("balanced/1000", "trees/balanced_1000.json", Some((20_000_000.0, 15_000_000.0))),
        tree_workload("balanced/4000", "trees/balanced_4000.json", None),
        document_workload("twitter.json", "corpus/twitter.json"),
        document_workload("citm_catalog.json", "corpus/citm_catalog.json"),
        document_workload("canada.json", "corpus/canada.json"),
    ]
}

/// The codecs measured on every workload, in report order.
pub const CODECS: &[&str] = &[
    "sigma-v2",
    "sigma-v2-compact",
    "sigma-v2-view",
    "sigma-v1",
    "postcard",
    "bitcode",
    "serde_json",
    "json+zstd-3",
    "json+lz4",
    "limit",
];

/// A codec ready to run on one workload, holding its reusable state.
pub struct Runner<'w> {
    /// The codec's name in reports.
    pub codec: &'static str,
    workload: &'w Workload,
    buf: Vec<u8>,
    /// The encoding, made once, for decode runs.
    pub encoded: Vec<u8>,
    v2_encoder: v2::Encoder,
    v2_compact: v2::Encoder,
    v2_decoder: v2::Decoder,
    view_decoder: v2::ViewDecoder,
    tree: Tree,
    zstd_c: Option<zstd::bulk::Compressor<'static>>,
    zstd_d: Option<zstd::bulk::Decompressor<'static>>,
    /// For `limit`: the smallest encoding of the workload.
    smallest: Vec<u8>,
}

impl<'w> Runner<'w> {
    /// The runner, or `None` where the codec cannot hold the workload (v1 past its limits).
    pub fn new(codec: &'static str, workload: &'w Workload, smallest: &[u8]) -> Option<Runner<'w>> {
        if codec == "sigma-v1" && v1::encode(&workload.tree).is_err() {
            return None;
        }
        let mut runner = Runner {
            codec,
            workload,
            buf: Vec::new(),
            encoded: Vec::new(),
            v2_encoder: v2::Encoder::new(),
            v2_compact: v2::Encoder::compact(),
            v2_decoder: v2::Decoder::new(DecodeLimits::UNLIMITED),
            view_decoder: v2::ViewDecoder::new(DecodeLimits::UNLIMITED),
            tree: Tree::new(),
            zstd_c: (codec == "json+zstd-3").then(|| zstd::bulk::Compressor::new(3).unwrap()),
            zstd_d: (codec == "json+zstd-3").then(|| zstd::bulk::Decompressor::new().unwrap()),
            smallest: smallest.to_vec(),
        };
        runner.encode();
        runner.encoded = runner.buf.clone();
        runner.decode();
        Some(runner)
    }

    /// Encodes the workload into the runner's buffer; returns the encoded length.
    pub fn encode(&mut self) -> usize {
        self.buf.clear();
        let w = self.workload;
        match self.codec {
            // A view is decoded from a plain message: its encoding is sigma-v2's.
            "sigma-v2" | "sigma-v2-view" => {
                self.v2_encoder.encode_into(&w.tree, &mut self.buf).unwrap();
            }
            "sigma-v2-compact" => {
                self.v2_compact.encode_into(&w.tree, &mut self.buf).unwrap();
            }
            "sigma-v1" => {
                v1::encode_into(&w.tree, &mut self.buf).unwrap();
            }
            "postcard" => {
                self.buf = postcard::to_extend(&w.peer, std::mem::take(&mut self.buf)).unwrap();
            }
            "bitcode" => self.buf = bitcode::serialize(&w.peer).unwrap(),
            "serde_json" => serde_json::to_writer(&mut self.buf, &w.peer).unwrap(),
            "json+zstd-3" => {
                let text = serde_json::to_vec(&w.json).unwrap();
                self.buf = self.zstd_c.as_mut().unwrap().compress(&text).unwrap();
            }
            "json+lz4" => {
                let text = serde_json::to_vec(&w.json).unwrap();
                self.buf = lz4_flex::compress_prepend_size(&text);
            }
            "limit" => self.floor(),
            other => panic!("unknown codec {other}"),
        }
        self.buf.len()
    }

    /// Decodes the runner's encoding (as a user would: into the codec's own tree shape; a
    /// sigma-v2 view is checked and indexed, its values left in the message).
    pub fn decode(&mut self) {
        let bytes = &self.encoded;
        match self.codec {
            "sigma-v2" | "sigma-v2-compact" => self.v2_decoder.decode_into(bytes, &mut self.tree).unwrap(),
            "sigma-v2-view" => {
                std::hint::black_box(self.view_decoder.decode(bytes).unwrap().node_count());
            }
            "sigma-v1" => v1::decode_into(bytes, &mut self.tree).unwrap(),
            "postcard" => {
                std::hint::black_box(postcard::from_bytes::<PeerNode>(bytes).unwrap());
            }
            "bitcode" => {
                std::hint::black_box(bitcode::deserialize::<PeerNode>(bytes).unwrap());
            }
            "serde_json" => {
                std::hint::black_box(serde_json::from_slice::<PeerNode>(bytes).unwrap());
            }
            "json+zstd-3" => {
                let capacity = 64 * bytes.len() + 1024;
                let text = self.zstd_d.as_mut().unwrap().decompress(bytes, capacity).unwrap();
                std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&text).unwrap());
            }
            "json+lz4" => {
                let text = lz4_flex::decompress_size_prepended(bytes).unwrap();
                std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&text).unwrap());
            }
            "limit" => self.floor(),
            other => panic!("unknown codec {other}"),
        }
    }

    /// The floor no codec can beat: visit every node once and copy the smallest encoding once.
    fn floor(&mut self) {
        let mut touched = 0usize;
        for node in self.workload.tree.nodes() {
            touched =
                touched.wrapping_add(usize::from(node.primitive().id()) + node.value().map_or(0, str::len));
        }
        std::hint::black_box(touched);
        self.buf.clear();
        self.buf.extend_from_slice(&self.smallest);
    }
}

/// The smallest encoding of `workload` among the serializers, compressed JSON left out (the
/// `limit` row copies it): the floor of an encoder is walking the tree and writing its output
/// once, and a compressor's output is not a tree encoding.
pub fn smallest_encoding(workload: &Workload) -> Vec<u8> {
    CODECS
        .iter()
        .filter(|&&c| !matches!(c, "limit" | "json+zstd-3" | "json+lz4"))
        .filter_map(|&codec| Runner::new(codec, workload, &[]).map(|r| r.encoded))
        .min_by_key(Vec::len)
        .unwrap_or_default()
}

/// Writes `target/sigma-bench/<file>` with `value`.
pub fn write_json(file: &str, value: &serde_json::Value) {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// The message streams: each element of an array in a corpus document, as its own compact JSON
/// text.
pub fn streams() -> Vec<(&'static str, Vec<String>)> {
    [Stream::TwitterStatuses, Stream::CitmPerformances]
        .into_iter()
        .map(|s| (s.name(), s.messages()))
        .collect()
}

/// A knowledge graph of 65,200 entities and 107,000 relations, built directly (no text): 200
/// countries with a capital each, 5,000 cities in them, 20,000 companies each in a city, founded
/// by a person born in a city, with a chief executive (who also works for it), and one company in
/// ten acquiring the next. Deterministic.
pub fn synthetic_graph() -> sigma_text::KnowledgeGraph {
    use sigma_text::{Entity, EntityType, Extraction, Predicate, Relation};
    const COUNTRIES: usize = 200;
    const CITIES: usize = 5_000;
    const COMPANIES: usize = 20_000;
    let mut x = Extraction::default();
    let entity = |x: &mut Extraction, kind: EntityType, name: String| {
        x.entities.push(Entity { start: 0, end: 0, kind, normalized: name });
        x.entities.len() - 1
    };
    let relate = |x: &mut Extraction, subject: usize, predicate: Predicate, object: usize| {
        x.relations.push(Relation { subject, predicate, object, start: 0, end: 0 });
    };
    let countries: Vec<usize> =
        (0..COUNTRIES).map(|k| entity(&mut x, EntityType::Location, format!("Country {k}"))).collect();
    let cities: Vec<usize> =
        (0..CITIES).map(|k| entity(&mut x, EntityType::Location, format!("City {k}"))).collect();
    for (k, &city) in cities.iter().enumerate() {
        let country = countries[k % COUNTRIES];
        relate(
            &mut x,
            city,
            if k < COUNTRIES { Predicate::CapitalOf } else { Predicate::LocatedIn },
            country,
        );
    }
    let mut companies = Vec::with_capacity(COMPANIES);
    for k in 0..COMPANIES {
        let company = entity(&mut x, EntityType::Organization, format!("Company {k}"));
        let founder = entity(&mut x, EntityType::Person, format!("Founder {k}"));
        let chief = entity(&mut x, EntityType::Person, format!("Chief {k}"));
        relate(&mut x, company, Predicate::LocatedIn, cities[k * 7 % CITIES]);
        relate(&mut x, company, Predicate::FoundedBy, founder);
        relate(&mut x, founder, Predicate::BornIn, cities[k * 13 % CITIES]);
        relate(&mut x, chief, Predicate::CeoOf, company);
        relate(&mut x, chief, Predicate::WorksFor, company);
        companies.push(company);
    }
    for k in (0..COMPANIES - 1).step_by(10) {
        relate(&mut x, companies[k], Predicate::Acquired, companies[k + 1]);
    }
    let mut graph = sigma_text::KnowledgeGraph::new();
    graph.add_extraction("synthetic", &x);
    graph
}

/// `n` JSON lines for the bank benches: twitter statuses and citm performances in turn, each a
/// corpus message varied so that no two are alike. Integers keep their digit count but take new
/// digits (ids, counts, times, prices); a string of more than 20 characters keeps a prefix of
/// itself and takes the rest from another long string of the same stream, cut at a character
/// boundary (new texts, descriptions, URLs); shorter strings (codes, languages, names) stay.
/// Deterministic: the same `n` gives the same lines.
pub fn bank_items(n: usize) -> Vec<String> {
    let twitter: Vec<serde_json::Value> =
        Stream::TwitterStatuses.messages().iter().map(|m| serde_json::from_str(m).expect("JSON")).collect();
    let citm: Vec<serde_json::Value> =
        Stream::CitmPerformances.messages().iter().map(|m| serde_json::from_str(m).expect("JSON")).collect();
    let long_strings = |values: &[serde_json::Value]| {
        let mut out = Vec::new();
        let mut stack: Vec<&serde_json::Value> = values.iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::String(s) if s.chars().count() > 20 => out.push(s.clone()),
                serde_json::Value::Array(a) => stack.extend(a),
                serde_json::Value::Object(o) => stack.extend(o.values()),
                _ => {}
            }
        }
        out
    };
    let pools = [long_strings(&twitter), long_strings(&citm)];
    let mut state = 0x5EED_0000_0000_0001_u64;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|i| {
            let (bases, pool) = if i % 2 == 0 { (&twitter, &pools[0]) } else { (&citm, &pools[1]) };
            let mut value = bases[(i / 2) % bases.len()].clone();
            let mut stack = vec![&mut value];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::Number(num) if num.is_u64() => {
                        let digits = num.to_string().len() as u32;
                        let low = if digits > 1 { 10u64.pow(digits - 1) } else { 0 };
                        let span = 10u64.saturating_pow(digits) - low;
                        *num = (low + next() % span.max(1)).into();
                    }
                    serde_json::Value::String(s) if s.chars().count() > 20 => {
                        let keep = (next() % s.chars().count() as u64) as usize;
                        let other = &pool[(next() % pool.len() as u64) as usize];
                        let from = (next() % other.chars().count() as u64) as usize;
                        let mut varied: String = s.chars().take(keep).collect();
                        varied.extend(other.chars().skip(from));
                        *s = varied;
                    }
                    serde_json::Value::Array(a) => stack.extend(a.iter_mut()),
                    serde_json::Value::Object(o) => stack.extend(o.values_mut()),
                    _ => {}
                }
            }
            serde_json::to_string(&value).expect("JSON")
        })
        .collect()
}
