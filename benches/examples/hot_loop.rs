//! A hot loop for profilers: encodes or decodes one fixture many times, nothing else.
//!
//! `cargo run --release -p sigma-benches --example hot_loop -- encode fixtures/corpus/canada.json 2000`
//! (or `balanced/4000` for the balanced tree of 4,000 nodes, or a seed: `simple`, `medium`,
//! `deep`, `wide`; modes `encode`, `decode`, `view` (decode to a view), and `encode-compact`, `decode-compact` for compact
//! v2)
//! then `perf record` the binary (target/release/examples/hot_loop) with the same arguments.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use sigma_codec::v2;
use sigma_tree::Tree;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, path, count] = args.as_slice() else {
        eprintln!("usage: hot_loop encode|decode FILE.json COUNT");
        std::process::exit(2);
    };
    let tree = match (path.strip_prefix("balanced/"), path.as_str()) {
        (Some(n), _) => sigma_tree::samples::balanced(n.parse().unwrap()),
        (None, "simple") => sigma_tree::samples::simple(),
        (None, "medium") => sigma_tree::samples::medium(),
        (None, "deep") => sigma_tree::samples::deep(),
        (None, "wide") => sigma_tree::samples::wide(),
        (None, _) => Tree::from_json_document(&std::fs::read_to_string(path).unwrap()).unwrap(),
    };
    let count: usize = count.parse().unwrap();
    let compact = mode.ends_with("-compact");
    let bytes = if compact { v2::encode_compact(&tree).unwrap() } else { v2::encode(&tree).unwrap() };
    let start = std::time::Instant::now();
    match mode.trim_end_matches("-compact") {
        "encode" => {
            let mut encoder = if compact { v2::Encoder::compact() } else { v2::Encoder::new() };
            let mut buf = Vec::new();
            for _ in 0..count {
                buf.clear();
                encoder.encode_into(std::hint::black_box(&tree), &mut buf).unwrap();
            }
        }
        "decode" => {
            let mut decoder = v2::Decoder::default();
            let mut out = Tree::new();
            for _ in 0..count {
                decoder.decode_into(std::hint::black_box(&bytes), &mut out).unwrap();
            }
        }
        "view" => {
            let mut decoder = v2::ViewDecoder::default();
            for _ in 0..count {
                std::hint::black_box(decoder.decode(std::hint::black_box(&bytes)).unwrap().node_count());
            }
        }
        other => panic!("unknown mode {other}"),
    }
    let per = start.elapsed().as_nanos() as f64 / count as f64;
    println!(
        "{mode} {path}: {:.1} µs per call, {:.2} ns per node",
        per / 1000.0,
        per / tree.node_count() as f64
    );
}
