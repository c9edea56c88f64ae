//! The trade-off behind session streams' default coding: what the structure leaves (the plain
//! bodies: deltas or v2 messages), coded by zstd at each level with each dictionary, bytes
//! against time; and whole sessions in each coding beside zstd-3 with the JSON text to and from
//! the same trees. Codebooks (and zstd's own dictionary for the JSON) are trained on the first
//! half of each stream, the second half is measured, as in the streams bench. Times are the best
//! of several passes, zstd's setup (loading the dictionary) included.
//!
//! `cargo run --release -p sigma-benches --example session_coders -- [DIR]`: the corpus streams
//! (twitter statuses, citm performances), and, with `DIR`, every `NAME.train` / `NAME.test`
//! pair of JSON lines in it (`fixtures/streams/make_streams.py` writes five).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use sigma_codec::DecodeLimits;
use sigma_codec::codebook::Codebook;
use sigma_codec::session::{BodyCoding, SessionConfig, decode_stream_with, encode_stream_with};
use sigma_glyph::session::{read_frame, read_header};
use sigma_tree::Tree;
use zstd::zstd_safe::zstd_sys::ZSTD_EndDirective;
use zstd::zstd_safe::{CCtx, CParameter, InBuffer, OutBuffer};

/// Best time of `passes` runs of `f`, in seconds.
fn best(passes: usize, mut f: impl FnMut()) -> f64 {
    (0..passes)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// The plain bodies of a plain session's frames (repeats left out), and the frames' other bytes.
fn plain_bodies(trees: &[Tree], codebook: &Arc<Codebook>) -> (Vec<Vec<u8>>, usize) {
    let config = SessionConfig { coding: BodyCoding::Plain, ..SessionConfig::default() };
    let stream = encode_stream_with(trees, config, Some(codebook.clone())).unwrap();
    let (_, mut offset) = read_header(&stream).unwrap();
    let (mut bodies, mut framing) = (Vec::new(), 0);
    while offset < stream.len() {
        let frame = read_frame(&stream, offset).unwrap();
        framing += frame.len - frame.body.len();
        if frame.kind != sigma_glyph::session::FrameKind::Repeat {
            bodies.push(frame.body.to_vec());
        }
        offset += frame.len;
    }
    (bodies, framing)
}

/// zstd at `level` over `bodies` as one stream flushed per body, with `dictionary`: total bytes.
fn zstd_stream(bodies: &[Vec<u8>], dictionary: &[u8], level: i32) -> usize {
    let mut cctx = CCtx::create();
    cctx.set_parameter(CParameter::CompressionLevel(level)).unwrap();
    cctx.set_parameter(CParameter::WindowLog(16)).unwrap();
    cctx.load_dictionary(dictionary).unwrap();
    let mut out = Vec::with_capacity(1 << 20);
    let mut total = 0;
    for body in bodies {
        out.clear();
        let mut output = OutBuffer::around(&mut out);
        let mut input = InBuffer::around(body);
        cctx.compress_stream2(&mut output, &mut input, ZSTD_EndDirective::ZSTD_e_flush).unwrap();
        total += output.pos();
    }
    total
}

fn measure(name: &str, train: &[String], test: &[String]) {
    let parse = |lines: &[String]| -> Vec<Tree> {
        lines.iter().map(|l| Tree::from_json_document(l).unwrap()).collect()
    };
    let (train_trees, trees) = (parse(train), parse(test));
    let codebook = Arc::new(Codebook::train(&train_trees, 128).unwrap());
    let n = test.len() as f64;
    let (bodies, framing) = plain_bodies(&trees, &codebook);
    let plain: usize = bodies.iter().map(Vec::len).sum();
    println!(
        "\n{name}: {} messages, plain bodies {:.1} B/message, frame fields {:.1} B/message",
        test.len(),
        plain as f64 / n,
        framing as f64 / n
    );
    println!(
        "  zstd over the plain bodies (one stream, flushed per body; B/message without frame fields, µs/message to encode):"
    );
    let raw: Vec<u8> = codebook.sample().to_vec();
    for (label, dictionary) in [("none", &[][..]), ("sample", &raw[..]), ("trained", codebook.dictionary())] {
        let mut row = format!("    dictionary {label:<8}");
        for level in [1, 3, 5, 9, 19] {
            let bytes = zstd_stream(&bodies, dictionary, level);
            let time = best(3, || {
                std::hint::black_box(zstd_stream(&bodies, dictionary, level));
            });
            row += &format!("  L{level}: {:.1} B {:.1} µs", bytes as f64 / n, time / n * 1e6);
        }
        println!("{row}");
    }
    println!("  whole sessions (B/message, µs/message encode / decode):");
    for coding in BodyCoding::ALL {
        let config = SessionConfig { coding, ..SessionConfig::default() };
        let stream = encode_stream_with(&trees, config, Some(codebook.clone())).unwrap();
        let encode = best(5, || {
            std::hint::black_box(encode_stream_with(&trees, config, Some(codebook.clone())).unwrap());
        });
        let decode = best(5, || {
            std::hint::black_box(
                decode_stream_with(&stream, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap(),
            );
        });
        println!(
            "    {:<8} {:>8.1} B {:>8.1} / {:>8.1} µs",
            coding.name(),
            stream.len() as f64 / n,
            encode / n * 1e6,
            decode / n * 1e6
        );
    }
    let samples: Vec<&[u8]> = train.iter().map(|m| m.as_bytes()).collect();
    let dictionary = zstd::dict::from_samples(&samples, 16 * 1024).unwrap();
    for level in [3, 19] {
        let mut compressor = zstd::bulk::Compressor::with_dictionary(level, &dictionary).unwrap();
        let mut decompressor = zstd::bulk::Decompressor::with_dictionary(&dictionary).unwrap();
        let compressed: Vec<Vec<u8>> =
            test.iter().map(|m| compressor.compress(m.as_bytes()).unwrap()).collect();
        let bytes: usize = compressed.iter().map(Vec::len).sum();
        let encode = best(3, || {
            for tree in &trees {
                let text = tree.to_json_document().unwrap();
                std::hint::black_box(compressor.compress(text.as_bytes()).unwrap());
            }
        });
        let decode = best(3, || {
            for (message, bytes) in test.iter().zip(&compressed) {
                let text = decompressor.decompress(bytes, message.len()).unwrap();
                std::hint::black_box(Tree::from_json_document(std::str::from_utf8(&text).unwrap()).unwrap());
            }
        });
        println!(
            "    zstd-{level:<2}+dict+tree {:>8.1} B {:>8.1} / {:>8.1} µs",
            bytes as f64 / n,
            encode / n * 1e6,
            decode / n * 1e6
        );
    }
}

fn main() {
    for (name, messages) in sigma_benches::streams() {
        let (train, test) = messages.split_at(messages.len() / 2);
        measure(name, train, test);
    }
    let Some(dir) = std::env::args().nth(1) else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".test").map(str::to_owned))
        .collect();
    names.sort();
    for name in names {
        let read = |part: &str| -> Vec<String> {
            std::fs::read_to_string(format!("{dir}/{name}.{part}"))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        measure(&name, &read("train"), &read("test"));
    }
}
