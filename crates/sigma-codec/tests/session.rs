//! Session streams: every message comes back exactly, the same input gives the same bytes,
//! repeats and deltas are used where they pay, and damaged, reordered or missing frames are errors
//! naming the frame.

mod common;

use common::fixtures;
use sigma_codec::session::{BodyCoding, FrameKind, SessionConfig, decode_stream, encode_stream};
use sigma_codec::{DecodeLimits, Error};
use sigma_tree::Tree;

fn messages(file: &str, key: &str) -> Vec<Tree> {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    // The array under `key`, each element as its own document.
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Tree::from_json_document(&serde_json::to_string(m).unwrap()).unwrap())
        .collect()
}

fn round_trip(trees: &[Tree]) -> Vec<u8> {
    round_trip_with(trees, SessionConfig::default())
}

fn round_trip_with(trees: &[Tree], config: SessionConfig) -> Vec<u8> {
    let bytes = encode_stream(trees, config).unwrap();
    let frames = decode_stream(&bytes, DecodeLimits::DEFAULT).unwrap();
    assert_eq!(frames.len(), trees.len());
    for (i, (frame, tree)) in frames.iter().zip(trees).enumerate() {
        assert_eq!(frame.seq, i as u64);
        assert_eq!(&frame.tree, tree, "message {i}");
    }
    assert_eq!(encode_stream(trees, config).unwrap(), bytes, "deterministic");
    bytes
}

fn plain() -> SessionConfig {
    SessionConfig { coding: BodyCoding::Plain, ..SessionConfig::default() }
}

#[test]
fn corpus_streams_round_trip_and_shrink() {
    for (file, key) in [("corpus/twitter.json", "statuses"), ("corpus/citm_catalog.json", "performances")] {
        let trees = messages(file, key);
        let plain = round_trip_with(&trees, plain());
        let standalone: usize = trees.iter().map(|t| sigma_codec::v2::encode(t).unwrap().len()).sum();
        assert!(plain.len() < standalone, "{file}: {} >= {standalone}", plain.len());
        let frames = decode_stream(&plain, DecodeLimits::DEFAULT).unwrap();
        assert!(frames.iter().any(|f| f.kind == FrameKind::Delta), "{file}");
        assert!(frames.iter().all(|f| f.kind != FrameKind::Coded), "{file}");

        // The default codes every delta with the byte model: much smaller again.
        let modeled = round_trip(&trees);
        let frames = decode_stream(&modeled, DecodeLimits::DEFAULT).unwrap();
        assert!(frames.iter().all(|f| matches!(f.kind, FrameKind::Coded | FrameKind::Repeat)), "{file}");
        assert!(
            modeled.len() * 3 < plain.len() * 2,
            "{file}: modeled {} vs plain {}",
            modeled.len(),
            plain.len()
        );
    }
}

#[test]
fn repeats_are_one_small_frame() {
    let a = Tree::from_json_document(r#"{"event":"click","x":1}"#).unwrap();
    let b = Tree::from_json_document(r#"{"event":"click","x":2}"#).unwrap();
    let stream = round_trip(&[a.clone(), b.clone(), a.clone(), a.clone()]);
    let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
    let kinds: Vec<FrameKind> = frames.iter().map(|f| f.kind).collect();
    assert_eq!(kinds[2], FrameKind::Repeat);
    assert_eq!(kinds[3], FrameKind::Repeat);
    assert!(frames[3].len <= 8, "seq, kind, length, distance, CRC: {}", frames[3].len);
}

#[test]
fn deep_and_wide_trees_round_trip() {
    let chain = sigma_tree::samples::chain(50_000);
    let wide = sigma_tree::samples::balanced(4000);
    let trees = [wide.clone(), chain.clone(), wide, chain];
    // A full frame where the plain stream finds v2 smaller than the delta; the modeled stream
    // then codes the v2 message instead of the delta.
    let plain_stream = round_trip_with(&trees, plain());
    let frames = decode_stream(&plain_stream, DecodeLimits::DEFAULT).unwrap();
    assert!(frames.iter().any(|f| f.kind == FrameKind::Full));
    round_trip(&trees);
}

#[test]
fn damage_is_an_error_naming_the_frame() {
    let trees = messages("corpus/citm_catalog.json", "performances");
    let trees = &trees[..20];
    let stream = encode_stream(trees, SessionConfig::default()).unwrap();
    let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
    let header_len = stream.len() - frames.iter().map(|f| f.len).sum::<usize>();
    let start_of = |i: usize| header_len + frames[..i].iter().map(|f| f.len).sum::<usize>();

    // Every truncation is an error (never fewer trees silently, except at frame boundaries,
    // where the stream is a shorter valid stream).
    for len in 0..stream.len() {
        let boundary = len >= header_len && (0..=frames.len()).any(|i| start_of(i) == len);
        assert_eq!(decode_stream(&stream[..len], DecodeLimits::DEFAULT).is_ok(), boundary, "cut to {len}");
    }
    // Every single-bit flip is an error.
    for bit in (0..stream.len() * 8).step_by(7) {
        let mut flipped = stream.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(decode_stream(&flipped, DecodeLimits::DEFAULT).is_err(), "bit {bit}");
    }
    // A missing frame: drop frame 5.
    let mut missing = stream[..start_of(5)].to_vec();
    missing.extend_from_slice(&stream[start_of(6)..]);
    let err = decode_stream(&missing, DecodeLimits::DEFAULT).unwrap_err();
    assert!(matches!(err, Error::Frame { seq: 5, .. }), "{err}");
    assert!(err.to_string().contains("out of order or missing"), "{err}");
    // Frames swapped.
    let mut swapped = stream[..start_of(3)].to_vec();
    swapped.extend_from_slice(&stream[start_of(4)..start_of(5)]);
    swapped.extend_from_slice(&stream[start_of(3)..start_of(4)]);
    swapped.extend_from_slice(&stream[start_of(5)..]);
    assert!(matches!(decode_stream(&swapped, DecodeLimits::DEFAULT), Err(Error::Frame { seq: 3, .. })));
}

/// A coded body changed and its frame's CRC forged to match (what only a deliberate attacker
/// can do): the decoder may decode some tree or fail, but never panics, and after a coded frame
/// fails the session stays failed.
#[test]
fn forged_coded_frames_never_panic() {
    let trees = messages("corpus/citm_catalog.json", "performances");
    let stream = encode_stream(&trees[..6], SessionConfig::default()).unwrap();
    let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
    assert!(frames.iter().all(|f| f.kind == FrameKind::Coded || f.kind == FrameKind::Repeat));
    let header_len = stream.len() - frames.iter().map(|f| f.len).sum::<usize>();
    // Frame 1: seq (1 byte), kind (1 byte), body length (varint), body, CRC.
    let start = header_len + frames[0].len;
    let end = start + frames[1].len;
    let body_at = start + 2 + if stream[start + 2] & 0x80 != 0 { 2 } else { 1 };
    let mut failures = 0;
    for bit in (body_at * 8..(end - 4) * 8).step_by(3) {
        let mut forged = stream.clone();
        forged[bit / 8] ^= 1 << (bit % 8);
        let crc = sigma_glyph::v2::crc32c(&forged[start..end - 4]);
        forged[end - 4..end].copy_from_slice(&crc.to_be_bytes());
        if decode_stream(&forged, DecodeLimits::DEFAULT).is_err() {
            failures += 1;
        }
    }
    assert!(failures > 0, "some forged bodies must fail to decode");
}

#[test]
fn a_codebook_trained_on_the_first_half_shrinks_the_second() {
    use sigma_codec::codebook::Codebook;
    use sigma_codec::session::{decode_stream_with, encode_stream_with};
    use std::sync::Arc;
    for (file, key) in [("corpus/twitter.json", "statuses"), ("corpus/citm_catalog.json", "performances")] {
        let trees = messages(file, key);
        let (train, test) = trees.split_at(trees.len() / 2);
        let codebook = Arc::new(Codebook::train(train, 128));
        assert!(!codebook.patterns().is_empty(), "{file}");
        let with = encode_stream_with(test, SessionConfig::default(), Some(codebook.clone())).unwrap();
        let without = encode_stream(test, SessionConfig::default()).unwrap();
        assert!(with.len() < without.len(), "{file}: {} >= {}", with.len(), without.len());
        assert_eq!(encode_stream_with(test, SessionConfig::default(), Some(codebook.clone())).unwrap(), with);
        let frames = decode_stream_with(&with, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap();
        assert!(frames.iter().zip(test).all(|(f, t)| f.tree == *t), "{file}");

        // The wrong codebook, or none, is an error, never a wrong tree.
        let other = Arc::new(Codebook::train(&test[..3], 8));
        let err = decode_stream_with(&with, DecodeLimits::DEFAULT, Some(other)).unwrap_err();
        assert!(err.to_string().contains("another codebook"), "{err}");
        let err = decode_stream(&with, DecodeLimits::DEFAULT).unwrap_err();
        assert!(err.to_string().contains("give the same codebook"), "{err}");
        let err = decode_stream_with(&without, DecodeLimits::DEFAULT, Some(codebook)).unwrap_err();
        assert!(err.to_string().contains("without a codebook"), "{err}");
        println!(
            "{file}: {} messages, {:.1} bytes/message with the codebook, {:.1} without",
            test.len(),
            with.len() as f64 / test.len() as f64,
            without.len() as f64 / test.len() as f64
        );
    }
}

#[test]
fn the_codebook_sample_primes_the_byte_model() {
    use sigma_codec::codebook::{Codebook, MAX_SAMPLE};
    use sigma_codec::session::{decode_stream_with, encode_stream_with};
    use std::sync::Arc;
    let trees = messages("corpus/twitter.json", "statuses");
    let (train, test) = trees.split_at(trees.len() / 2);
    let trained = Codebook::train(train, 128);
    assert!(!trained.sample().is_empty() && trained.sample().len() <= MAX_SAMPLE);
    // The file keeps the sample; the hash covers it.
    let loaded = Codebook::from_bytes(&trained.to_bytes()).unwrap();
    assert_eq!(loaded.sample(), trained.sample());
    assert_eq!(loaded.hash(), trained.hash());
    let unprimed = Codebook::new(trained.patterns().to_vec());
    assert_ne!(unprimed.hash(), trained.hash());

    let primed_stream = encode_stream_with(test, SessionConfig::default(), Some(Arc::new(loaded))).unwrap();
    let unprimed = Arc::new(unprimed);
    let unprimed_stream = encode_stream_with(test, SessionConfig::default(), Some(unprimed.clone())).unwrap();
    assert!(
        primed_stream.len() < unprimed_stream.len(),
        "primed {} vs unprimed {}",
        primed_stream.len(),
        unprimed_stream.len()
    );
    let frames = decode_stream_with(&unprimed_stream, DecodeLimits::DEFAULT, Some(unprimed)).unwrap();
    assert!(frames.iter().zip(test).all(|(f, t)| f.tree == *t));
}

#[test]
fn a_frame_kind_the_header_does_not_allow_is_an_error() {
    let trees = messages("corpus/citm_catalog.json", "performances");
    let plain_stream = encode_stream(&trees[..4], plain()).unwrap();
    let modeled_stream = encode_stream(&trees[..4], SessionConfig::default()).unwrap();
    // Swap the header's coding byte (after the three one-byte varints of the default config,
    // which take 1, 3 and 1 bytes) and fix the header's CRC: the frames no longer fit it.
    for (stream, coding) in [(&plain_stream, 1u8), (&modeled_stream, 0u8)] {
        let mut bytes = stream.clone();
        let at = 1 + 1 + 3 + 1;
        assert_eq!(bytes[at], 1 - coding, "the coding byte is where the format says");
        bytes[at] = coding;
        let header_len = at + 1 + 8;
        let crc = sigma_glyph::v2::crc32c(&bytes[..header_len]);
        bytes[header_len..header_len + 4].copy_from_slice(&crc.to_be_bytes());
        let err = decode_stream(&bytes, DecodeLimits::DEFAULT).unwrap_err();
        assert!(matches!(err, Error::Frame { seq: 0, .. }), "{err}");
        assert!(err.to_string().contains("body coding"), "{err}");
    }
}

#[test]
fn old_and_damaged_codebook_files_are_errors() {
    use sigma_codec::codebook::Codebook;
    let trees = messages("corpus/citm_catalog.json", "performances");
    let bytes = Codebook::train(&trees[..20], 16).to_bytes();
    let mut old = bytes.clone();
    old[4] = 1;
    let err = Codebook::from_bytes(&old).unwrap_err();
    assert!(err.to_string().contains("train it again"), "{err}");
    // A sample longer than the format allows, with a valid CRC, is refused.
    let mut long = bytes[..bytes.len() - 4].to_vec();
    let sample_len = Codebook::from_bytes(&bytes).unwrap().sample().len();
    long.truncate(long.len() - sample_len - varint_len(sample_len));
    let huge = sigma_codec::codebook::MAX_SAMPLE + 1;
    put_varint(&mut long, huge as u64);
    long.extend(std::iter::repeat_n(b'x', huge));
    let crc = sigma_glyph::v2::crc32c(&long);
    long.extend_from_slice(&crc.to_be_bytes());
    let err = Codebook::from_bytes(&long).unwrap_err();
    assert!(err.to_string().contains("sample longer"), "{err}");
}

fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Issue #5's measure: bytes per message of a modeled session (codebook trained on the first
/// half, the second half streamed) against zstd-19 with a 16 KiB dictionary trained on the same
/// first half, each message compressed alone. Twitter statuses and citm performances (the
/// bench's streams), and canada.json's polygon rings as one message each (numbers, not text).
#[test]
fn modeled_sessions_take_fewer_bytes_than_zstd_19_with_a_dictionary() {
    use sigma_codec::codebook::Codebook;
    use sigma_codec::session::{decode_stream_with, encode_stream_with};
    use std::sync::Arc;
    let json_lines =
        |file: &str, pick: &dyn Fn(&serde_json::Value) -> Vec<serde_json::Value>| -> Vec<String> {
            let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
            pick(&serde_json::from_str(&text).unwrap())
                .iter()
                .map(|m| serde_json::to_string(m).unwrap())
                .collect()
        };
    let streams = [
        (
            "twitter statuses",
            json_lines("corpus/twitter.json", &|j| j["statuses"].as_array().unwrap().clone()),
        ),
        (
            "citm performances",
            json_lines("corpus/citm_catalog.json", &|j| j["performances"].as_array().unwrap().clone()),
        ),
        (
            "canada rings",
            json_lines("corpus/canada.json", &|j| {
                j["features"][0]["geometry"]["coordinates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|ring| serde_json::json!({"type": "Polygon", "coordinates": [ring]}))
                    .collect()
            }),
        ),
    ];
    for (name, messages) in streams {
        let (train, test) = messages.split_at(messages.len() / 2);
        let parse = |ms: &[String]| -> Vec<Tree> {
            ms.iter().map(|m| Tree::from_json_document(m).unwrap()).collect()
        };
        let codebook = Arc::new(Codebook::train(&parse(train), 128));
        let trees = parse(test);
        let stream = encode_stream_with(&trees, SessionConfig::default(), Some(codebook.clone())).unwrap();
        let frames = decode_stream_with(&stream, DecodeLimits::DEFAULT, Some(codebook)).unwrap();
        assert!(frames.iter().zip(&trees).all(|(f, t)| f.tree == *t), "{name}");

        let samples: Vec<&[u8]> = train.iter().map(|m| m.as_bytes()).collect();
        let dict = zstd::dict::from_samples(&samples, 16 * 1024).unwrap();
        let mut zstd19 = zstd::bulk::Compressor::with_dictionary(19, &dict).unwrap();
        let zstd_bytes: usize = test.iter().map(|m| zstd19.compress(m.as_bytes()).unwrap().len()).sum();
        let ours = stream.len() as f64 / test.len() as f64;
        let theirs = zstd_bytes as f64 / test.len() as f64;
        println!("{name}: {ours:.1} bytes/message, zstd-19+dict {theirs:.1} ({:.3})", ours / theirs);
        assert!(ours < theirs, "{name}: {ours:.1} bytes/message vs zstd-19+dict {theirs:.1}");
    }
}

#[test]
fn configurations_decoders_refuse_are_refused_when_encoding() {
    use sigma_codec::session::{ContextConfig, MAX_VALUES, MAX_WINDOW, SessionEncoder};
    let tree = Tree::from_json_document(r#"{"a":1}"#).unwrap();
    let too_wide = SessionConfig {
        context: ContextConfig { window: MAX_WINDOW + 1, ..ContextConfig::default() },
        ..SessionConfig::default()
    };
    let err = encode_stream(std::slice::from_ref(&tree), too_wide).unwrap_err();
    assert!(matches!(err, Error::InvalidSessionConfig { field: "window", .. }), "{err}");
    let mut out = Vec::new();
    let err = SessionEncoder::new(too_wide).encode_into(&tree, &mut out).unwrap_err();
    assert!(err.to_string().contains("at most 65536"), "{err}");
    assert!(out.is_empty(), "nothing written");
    let too_many = SessionConfig {
        context: ContextConfig { values: MAX_VALUES + 1, ..ContextConfig::default() },
        ..SessionConfig::default()
    };
    assert!(matches!(
        encode_stream(std::slice::from_ref(&tree), too_many),
        Err(Error::InvalidSessionConfig { field: "values", .. })
    ));
    // The largest accepted, and small ones, round-trip.
    let edge = SessionConfig {
        context: ContextConfig { window: MAX_WINDOW, values: 3, min_subtree: 1 },
        ..SessionConfig::default()
    };
    let trees = messages("corpus/citm_catalog.json", "performances");
    round_trip_with(&trees[..10], edge);
}
