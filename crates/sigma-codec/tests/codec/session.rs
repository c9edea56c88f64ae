//! Session streams: every message comes back exactly, the same input gives the same bytes,
//! repeats and deltas are used where they pay, and damaged, reordered or missing frames are errors
//! naming the frame.

use std::sync::Arc;

use sigma_codec::codebook::Codebook;
use sigma_codec::session::{
    BodyCoding, ContextConfig, FrameKind, MAX_VALUES, MAX_WINDOW, SessionConfig, SessionDecoder,
    SessionEncoder, SessionError, decode_stream, decode_stream_with, encode_stream, encode_stream_with,
};
use sigma_codec::{DecodeLimits, Error};
use sigma_testkit::Stream;
use sigma_testkit::forge::fix_crc32c;
use sigma_tree::Tree;

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
    for stream in [Stream::TwitterStatuses, Stream::CitmPerformances] {
        let (file, trees) = (stream.name(), stream.trees());
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
    let trees = Stream::CitmPerformances.trees();
    let trees = &trees[..20];
    let stream = encode_stream(trees, SessionConfig::default()).unwrap();
    let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
    let header_len = frames[0].offset;
    let start_of = |i: usize| frames.get(i).map_or(stream.len(), |f| f.offset);

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
    let Error::Frame { seq: 5, offset, source } = err else { panic!("{err}") };
    assert_eq!(offset, start_of(5));
    assert_eq!(*source, Error::Session(SessionError::OutOfOrder { offset, expected: 5, found: 6 }));
    // Frames swapped.
    let mut swapped = stream[..start_of(3)].to_vec();
    swapped.extend_from_slice(&stream[start_of(4)..start_of(5)]);
    swapped.extend_from_slice(&stream[start_of(3)..start_of(4)]);
    swapped.extend_from_slice(&stream[start_of(5)..]);
    assert!(matches!(decode_stream(&swapped, DecodeLimits::DEFAULT), Err(Error::Frame { seq: 3, .. })));
}

/// A coded body changed and its frame's CRC forged to match (what only a deliberate attacker
/// can do): the decoder may decode some tree or fail, but never panics; once a frame's body has
/// failed, every later frame is refused (the state is no longer the encoder's), and so is the
/// failed frame given again.
#[test]
fn forged_coded_frames_never_panic_and_end_the_session() {
    let trees = Stream::CitmPerformances.trees();
    for coding in [BodyCoding::Zstd, BodyCoding::Modeled] {
        let config = SessionConfig { coding, ..SessionConfig::default() };
        let stream = encode_stream(&trees[..6], config).unwrap();
        let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
        assert!(frames.iter().all(|f| f.kind == FrameKind::Coded || f.kind == FrameKind::Repeat));
        // Frame 1's body (after seq, kind and body length), up to its CRC.
        let (start, end) = (frames[1].offset, frames[1].offset + frames[1].len);
        let body_at = end - 4 - frames[1].body_len;
        let mut failures = 0;
        for bit in (body_at * 8..(end - 4) * 8).step_by(3) {
            let mut forged = stream.clone();
            forged[bit / 8] ^= 1 << (bit % 8);
            fix_crc32c(&mut forged, start, end);
            let mut decoder = SessionDecoder::new(&forged, DecodeLimits::DEFAULT, None).unwrap();
            decoder.next_frame(&forged).unwrap().unwrap();
            if decoder.next_frame(&forged).unwrap().is_ok() {
                continue;
            }
            failures += 1;
            let again = decoder.next_frame(&forged).unwrap().unwrap_err();
            let Error::Frame { source, .. } = again else { panic!("{again}") };
            assert_eq!(
                *source,
                Error::Session(SessionError::EarlierFrameFailed { offset: start, failed_at: start })
            );
        }
        assert!(failures > 0, "{}: some forged bodies must fail to decode", coding.name());
    }
}

/// A frame refused before its body was applied (here: not all there yet) changes nothing: given
/// again once the rest has arrived, it decodes.
#[test]
fn a_frame_cut_short_can_be_given_again() {
    let trees = Stream::CitmPerformances.trees();
    let stream = encode_stream(&trees[..4], SessionConfig::default()).unwrap();
    let frames = decode_stream(&stream, DecodeLimits::DEFAULT).unwrap();
    let mut decoder = SessionDecoder::new(&stream, DecodeLimits::DEFAULT, None).unwrap();
    let arrived = &stream[..frames[2].offset + 5];
    assert_eq!(decoder.next_frame(arrived).unwrap().unwrap(), frames[0]);
    assert_eq!(decoder.next_frame(arrived).unwrap().unwrap(), frames[1]);
    let cut = decoder.next_frame(arrived).unwrap().unwrap_err();
    assert!(matches!(cut, Error::Frame { seq: 2, .. }), "{cut}");
    assert_eq!(decoder.offset(), frames[2].offset, "the decoder stays where it was");
    let rest: Vec<_> = decoder.frames(&stream).collect::<Result<_, _>>().unwrap();
    assert_eq!(rest, frames[2..]);
}

/// Errors name the byte where they are, even past the frames whose sequence number takes one
/// byte: the kind byte of frame 200 is the third of its frame.
#[test]
fn a_frame_kind_error_names_the_kind_byte() {
    let tree = Tree::from_json_document(r#"{"n":1}"#).unwrap();
    let mut trees: Vec<Tree> =
        (0..200).map(|i| Tree::from_json_document(&format!(r#"{{"n":{i}}}"#)).unwrap()).collect();
    trees.push(tree);
    let mut bytes = encode_stream(&trees, plain()).unwrap();
    let frames = decode_stream(&bytes, DecodeLimits::DEFAULT).unwrap();
    let last = &frames[200];
    assert_eq!(bytes[last.offset..last.offset + 2], [0xC8, 0x01], "seq 200 takes two bytes");
    let kind_at = last.offset + 2;
    assert_eq!(bytes[kind_at], FrameKind::Delta as u8);
    bytes[kind_at] = FrameKind::Coded as u8;
    fix_crc32c(&mut bytes, last.offset, last.offset + last.len);
    let err = decode_stream(&bytes, DecodeLimits::DEFAULT).unwrap_err();
    let Error::Frame { seq: 200, source, .. } = err else { panic!("{err}") };
    let expected =
        SessionError::KindNotInCoding { offset: kind_at, kind: FrameKind::Coded, coding: BodyCoding::Plain };
    assert_eq!(*source, Error::Session(expected));
}

#[test]
fn a_codebook_trained_on_the_first_half_shrinks_the_second() {
    for stream in [Stream::TwitterStatuses, Stream::CitmPerformances] {
        let (file, trees) = (stream.name(), stream.trees());
        let (train, test) = trees.split_at(trees.len() / 2);
        let codebook = Arc::new(Codebook::train(train, 128).unwrap());
        assert!(!codebook.patterns().is_empty(), "{file}");
        let with = encode_stream_with(test, SessionConfig::default(), Some(codebook.clone())).unwrap();
        let without = encode_stream(test, SessionConfig::default()).unwrap();
        assert!(with.len() < without.len(), "{file}: {} >= {}", with.len(), without.len());
        assert_eq!(encode_stream_with(test, SessionConfig::default(), Some(codebook.clone())).unwrap(), with);
        let frames = decode_stream_with(&with, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap();
        assert!(frames.iter().zip(test).all(|(f, t)| f.tree == *t), "{file}");

        // The wrong codebook, or none, is an error, never a wrong tree.
        let other = Arc::new(Codebook::train(&test[..3], 8).unwrap());
        let (named, given) = (codebook.hash(), other.hash());
        // The hash is the header's last field before its CRC.
        let offset = frames[0].offset - 12;
        let err = decode_stream_with(&with, DecodeLimits::DEFAULT, Some(other)).unwrap_err();
        assert_eq!(err, Error::Session(SessionError::CodebookMismatch { offset, named, given }));
        let err = decode_stream(&with, DecodeLimits::DEFAULT).unwrap_err();
        assert_eq!(err, Error::Session(SessionError::CodebookRequired { offset, named }));
        let err = decode_stream_with(&without, DecodeLimits::DEFAULT, Some(codebook)).unwrap_err();
        assert!(
            matches!(err, Error::Session(SessionError::CodebookNotUsed { given, .. }) if given == named),
            "{err}"
        );
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
    use sigma_codec::codebook::MAX_SAMPLE;
    let trees = Stream::TwitterStatuses.trees();
    let (train, test) = trees.split_at(trees.len() / 2);
    let trained = Codebook::train(train, 128).unwrap();
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
    let trees = Stream::CitmPerformances.trees();
    let plain_stream = encode_stream(&trees[..4], plain()).unwrap();
    let coded_stream = encode_stream(&trees[..4], SessionConfig::default()).unwrap();
    // Swap the header's coding byte (after the three one-byte varints of the default config,
    // which take 1, 3 and 1 bytes) and fix the header's CRC: the frames no longer fit it.
    for (stream, coding) in [(&plain_stream, BodyCoding::Modeled), (&coded_stream, BodyCoding::Plain)] {
        let mut bytes = stream.clone();
        let at = 1 + 1 + 3 + 1;
        assert_ne!(bytes[at], coding.byte(), "the coding byte is where the format says");
        bytes[at] = coding.byte();
        let header_len = at + 1 + 8 + 4;
        fix_crc32c(&mut bytes, 0, header_len);
        let err = decode_stream(&bytes, DecodeLimits::DEFAULT).unwrap_err();
        let Error::Frame { seq: 0, offset, source } = err else { panic!("{err}") };
        assert_eq!(offset, header_len);
        let kind = if coding == BodyCoding::Plain { FrameKind::Coded } else { FrameKind::Delta };
        assert_eq!(
            *source,
            Error::Session(SessionError::KindNotInCoding { offset: offset + 1, kind, coding })
        );
    }
}

/// Bytes per message of a session (codebook trained on the first half, the second half
/// streamed) against zstd-19 with a 16 KiB dictionary trained on the same first half, each
/// message compressed alone: on the bench's streams (twitter statuses, citm performances) and on
/// canada.json's polygon rings as one message each (numbers, not text). The default coding (zstd)
/// must beat it on the first two; the byte model (`modeled`) on all three.
#[test]
fn sessions_take_fewer_bytes_than_zstd_19_with_a_dictionary() {
    for stream in Stream::ALL {
        let (name, messages) = (stream.name(), stream.messages());
        let (train, test) = messages.split_at(messages.len() / 2);
        let parse = |ms: &[String]| -> Vec<Tree> {
            ms.iter().map(|m| Tree::from_json_document(m).unwrap()).collect()
        };
        let codebook = Arc::new(Codebook::train(&parse(train), 128).unwrap());
        let trees = parse(test);
        let samples: Vec<&[u8]> = train.iter().map(|m| m.as_bytes()).collect();
        let dict = zstd::dict::from_samples(&samples, 16 * 1024).unwrap();
        let mut zstd19 = zstd::bulk::Compressor::with_dictionary(19, &dict).unwrap();
        let zstd_bytes: usize = test.iter().map(|m| zstd19.compress(m.as_bytes()).unwrap().len()).sum();
        let theirs = zstd_bytes as f64 / test.len() as f64;
        for coding in [BodyCoding::Zstd, BodyCoding::Modeled] {
            let config = SessionConfig { coding, ..SessionConfig::default() };
            let stream = encode_stream_with(&trees, config, Some(codebook.clone())).unwrap();
            let frames = decode_stream_with(&stream, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap();
            assert!(frames.iter().zip(&trees).all(|(f, t)| f.tree == *t), "{name}");
            let ours = stream.len() as f64 / test.len() as f64;
            let coding = coding.name();
            println!(
                "{name} {coding}: {ours:.1} bytes/message, zstd-19+dict {theirs:.1} ({:.3})",
                ours / theirs
            );
            if coding == "modeled" || name != "canada/rings" {
                assert!(
                    ours < theirs,
                    "{name} {coding}: {ours:.1} bytes/message vs zstd-19+dict {theirs:.1}"
                );
            }
        }
    }
}

#[test]
fn configurations_decoders_refuse_are_refused_when_encoding() {
    let tree = Tree::from_json_document(r#"{"a":1}"#).unwrap();
    let too_wide = SessionConfig {
        context: ContextConfig { window: MAX_WINDOW + 1, ..ContextConfig::default() },
        ..SessionConfig::default()
    };
    let refused = |field, value, max| Error::Session(SessionError::InvalidConfig { field, value, max });
    let err = encode_stream(std::slice::from_ref(&tree), too_wide).unwrap_err();
    assert_eq!(err, refused("window", MAX_WINDOW + 1, MAX_WINDOW));
    let mut out = Vec::new();
    let err = SessionEncoder::new(too_wide).encode_into(&tree, &mut out).unwrap_err();
    assert_eq!(err, refused("window", MAX_WINDOW + 1, MAX_WINDOW));
    assert!(out.is_empty(), "nothing written");
    let too_many = SessionConfig {
        context: ContextConfig { values: MAX_VALUES + 1, ..ContextConfig::default() },
        ..SessionConfig::default()
    };
    assert_eq!(
        encode_stream(std::slice::from_ref(&tree), too_many),
        Err(refused("values", MAX_VALUES + 1, MAX_VALUES))
    );
    // The largest accepted, and small ones, round-trip.
    let edge = SessionConfig {
        context: ContextConfig { window: MAX_WINDOW, values: 3, min_subtree: 1 },
        ..SessionConfig::default()
    };
    let trees = Stream::CitmPerformances.trees();
    round_trip_with(&trees[..10], edge);
}

/// A zstd stream's coded bodies are one zstd frame, begun by the first and never ended, with a
/// window of at most 64 KiB: a first body that is no zstd frame, a whole zstd frame in one body,
/// a frame asking for a larger window, bytes zstd leaves unread, and a body decoding to more than
/// `max_bytes` are each refused with their own error at the body's offset, never a wrong tree.
#[test]
fn zstd_bodies_outside_the_format_are_refused() {
    use sigma_glyph::session::{Header, write_frame, write_header};
    use zstd::zstd_safe::zstd_sys::ZSTD_EndDirective;
    use zstd::zstd_safe::{CCtx, CParameter, InBuffer, OutBuffer};
    let tree =
        Tree::from_json_document(r#"{"id":1,"text":"a body long enough to be coded by zstd"}"#).unwrap();
    let config = SessionConfig { coding: BodyCoding::Plain, ..SessionConfig::default() };
    let plain_stream = encode_stream(std::slice::from_ref(&tree), config).unwrap();
    let frames = decode_stream(&plain_stream, DecodeLimits::DEFAULT).unwrap();
    let body =
        &plain_stream[frames[0].offset + frames[0].len - 4 - frames[0].body_len..][..frames[0].body_len];
    // A stream of one coded frame whose body is `coded`.
    let stream_of = |coded: &[u8]| {
        let mut out = Vec::new();
        let header =
            Header { window: 16, values: 65_536, min_subtree: 2, coding: BodyCoding::Zstd, codebook: 0 };
        write_header(&header, &mut out);
        let body_offset = out.len() + 3;
        write_frame(0, FrameKind::Coded, coded, &mut out);
        (out, body_offset)
    };
    let compress = |window_log: u32, end: ZSTD_EndDirective, input: &[u8]| {
        let mut cctx = CCtx::create();
        cctx.set_parameter(CParameter::WindowLog(window_log)).unwrap();
        let mut out = Vec::with_capacity(1024 + input.len());
        let mut output = OutBuffer::around(&mut out);
        let mut input = InBuffer::around(input);
        while cctx.compress_stream2(&mut output, &mut input, end).unwrap() > 0 {}
        out
    };
    let refusal = |coded: &[u8], limits: DecodeLimits| {
        let (stream, body_offset) = stream_of(coded);
        let err = decode_stream(&stream, limits).unwrap_err();
        let Error::Frame { seq: 0, source, .. } = err else { panic!("{err}") };
        (*source, body_offset)
    };
    // What an encoder writes decodes.
    let good = compress(16, ZSTD_EndDirective::ZSTD_e_flush, body);
    let (stream, _) = stream_of(&good);
    assert_eq!(decode_stream(&stream, DecodeLimits::DEFAULT).unwrap()[0].tree, tree);
    // No zstd frame first.
    let (error, at) = refusal(body, DecodeLimits::DEFAULT);
    assert_eq!(error, Error::Session(SessionError::ZstdNotAFrame { offset: at }));
    // A whole zstd frame, ended.
    let (error, at) = refusal(&compress(16, ZSTD_EndDirective::ZSTD_e_end, body), DecodeLimits::DEFAULT);
    assert_eq!(error, Error::Session(SessionError::ZstdFrameEnded { offset: at }));
    // A 128 KiB window.
    let (error, at) = refusal(&compress(17, ZSTD_EndDirective::ZSTD_e_flush, body), DecodeLimits::DEFAULT);
    assert!(matches!(error, Error::Session(SessionError::Zstd { offset, .. }) if offset == at), "{error}");
    // Cut short inside its last block: zstd reads what it can and leaves the rest.
    let (error, _) = refusal(&good[..good.len() - 1], DecodeLimits::DEFAULT);
    assert!(matches!(error, Error::Session(SessionError::ZstdUnread { .. })), "{error}");
    // A body longer than the limit allows: 10,000 bytes in a few dozen, against a limit of 1,000.
    let long = compress(16, ZSTD_EndDirective::ZSTD_e_flush, &[b'a'; 10_000]);
    let (error, _) = refusal(&long, DecodeLimits { max_bytes: 1_000, ..DecodeLimits::DEFAULT });
    assert!(
        matches!(error, Error::LimitExceeded { limit: sigma_codec::Limit::Bytes, max: 1_000, .. }),
        "{error}"
    );
}
