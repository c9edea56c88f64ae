//! Crafted inputs that claim huge counts or lengths fail fast without allocating past the limits,
//! and warm encoders and decoders (one tree at a time, or a batch) allocate nothing. Measured with
//! the counting allocator, which is why this is a test binary of its own.

use std::num::NonZeroUsize;

use sigma_codec::batch::{BatchDecoder, BatchEncoder, EncodedBatch};
use sigma_codec::{DecodeLimits, Error, Limit, v2};
use sigma_metrics::alloc::{CountingAllocator, measure};
use sigma_primitives::Primitive;
use sigma_tree::{Tree, TreeBuilder, samples};

/// The counting allocator counts every thread: tests in this file take this lock so that no other
/// test allocates while one measures.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

use sigma_testkit::forge::{v1_stream, with_crc32c as message};

// One test function: the counters are process-wide, so nothing else may run beside it.
#[test]
fn hostile_claims_allocate_nothing_much_and_reuse_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A value that claims 4 GiB in a 13-byte message: refused before any copy.
    let claim = message(&[0xA0, 0x40, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, b'a']);
    let mut tree = Tree::new();
    let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
    let (result, usage) = measure(|| decoder.decode_into(&claim, &mut tree));
    assert!(matches!(result, Err(Error::Glyph(sigma_glyph::Error::UnexpectedEnd { .. }))), "{result:?}");
    assert!(usage.bytes < 1024, "{usage:?}");

    // A v1 header that claims 4,095 glyphs over one.
    let v1 = v1_stream(0x4000_0FFF, &[0x00]);
    let (result, usage) = measure(|| sigma_codec::decode(&v1));
    assert!(matches!(result, Err(Error::Glyph(sigma_glyph::Error::GlyphCountMismatch { .. }))), "{result:?}");
    assert!(usage.bytes < 1024, "{usage:?}");

    // A million nodes against a limit of 1,000: stops at the limit, having allocated for at most
    // about that many nodes.
    let mut b = TreeBuilder::new();
    b.open(Primitive::LIST, None).unwrap();
    for _ in 0..1_000_000 {
        b.leaf(Primitive::NULL, None).unwrap();
    }
    b.close().unwrap();
    let many = v2::encode(&b.finish().unwrap()).unwrap();
    let mut limited = v2::Decoder::new(DecodeLimits { max_nodes: 1_000, ..DecodeLimits::DEFAULT });
    let (result, usage) = measure(|| limited.decode_into(&many, &mut Tree::new()));
    assert!(
        matches!(result, Err(Error::LimitExceeded { limit: Limit::Nodes, found: 1_001, .. })),
        "{result:?}"
    );
    assert!(usage.peak_above_start < 1_000 * 16 * 2 + 4096, "{usage:?}");

    // An input over max_bytes is refused before anything else: no allocation at all.
    let mut small = v2::Decoder::new(DecodeLimits { max_bytes: 1_000, ..DecodeLimits::DEFAULT });
    let (result, usage) = measure(|| small.decode_into(&many, &mut tree));
    assert!(matches!(result, Err(Error::LimitExceeded { limit: Limit::Bytes, .. })), "{result:?}");
    assert_eq!(usage.allocations, 0, "{usage:?}");

    // Decoding into a reused tree with a reused decoder: nothing after the first call.
    let bytes = v2::encode(&samples::balanced(4000)).unwrap();
    let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
    let mut tree = Tree::new();
    decoder.decode_into(&bytes, &mut tree).unwrap();
    let (result, usage) = measure(|| decoder.decode_into(&bytes, &mut tree));
    result.unwrap();
    assert_eq!(usage.allocations, 0, "{usage:?}");
    assert_eq!(tree, samples::balanced(4000));

    // Encoding into a reused buffer with a reused encoder: likewise.
    let mut encoder = v2::Encoder::new();
    let mut buf = Vec::new();
    encoder.encode_into(&tree, &mut buf).unwrap();
    let (result, usage) = measure(|| {
        buf.clear();
        encoder.encode_into(&tree, &mut buf)
    });
    result.unwrap();
    assert_eq!(usage.allocations, 0, "{usage:?}");
    assert_eq!(buf, bytes);

    // The same with a palette (a JSON document) both ways.
    let doc = Tree::from_json_document(r#"[{"a":1,"b":[true,null]},{"a":2,"b":[false,"x"]}]"#).unwrap();
    encoder.encode_into(&doc, &mut buf).unwrap();
    let (result, usage) = measure(|| {
        buf.clear();
        encoder.encode_into(&doc, &mut buf)
    });
    result.unwrap();
    assert_eq!(buf[0], 0xA1, "palette in use");
    assert_eq!(usage.allocations, 0, "{usage:?}");
    decoder.decode_into(&buf, &mut tree).unwrap();
    let (result, usage) = measure(|| decoder.decode_into(&buf, &mut tree));
    result.unwrap();
    assert_eq!(usage.allocations, 0, "{usage:?}");
    assert_eq!(tree, doc);
}

/// Every workload of the benches, both formats (v1 where it holds the tree): after the first
/// call, encoding into a reused buffer and decoding into a reused tree allocate nothing.
#[test]
fn steady_state_allocates_nothing_on_every_workload() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let workloads: Vec<Tree> = sigma_testkit::fixture_trees().into_iter().map(|(_, tree)| tree).collect();
    let mut encoder = v2::Encoder::new();
    let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
    let mut v1_decoder = sigma_codec::v1::Decoder::new(DecodeLimits::DEFAULT);
    let mut buf = Vec::new();
    let mut decoded = Tree::new();
    for tree in &workloads {
        let mut v1_buf = Vec::new();
        let v1_holds = sigma_codec::v1::encode_into(tree, &mut v1_buf).is_ok();
        buf.clear();
        encoder.encode_into(tree, &mut buf).unwrap();
        decoder.decode_into(&buf, &mut decoded).unwrap();
        if v1_holds {
            v1_decoder.decode_into(&v1_buf, &mut decoded).unwrap();
        }
        for _ in 0..3 {
            let (result, usage) = measure(|| {
                buf.clear();
                encoder.encode_into(tree, &mut buf)
            });
            result.unwrap();
            assert_eq!(usage.allocations, 0, "v2 encode of {} nodes: {usage:?}", tree.node_count());
            let (result, usage) = measure(|| decoder.decode_into(&buf, &mut decoded));
            result.unwrap();
            assert_eq!(usage.allocations, 0, "v2 decode of {} nodes: {usage:?}", tree.node_count());
            assert_eq!(&decoded, tree);
            if v1_holds {
                let (result, usage) = measure(|| {
                    v1_buf.clear();
                    sigma_codec::v1::encode_into(tree, &mut v1_buf)
                });
                result.unwrap();
                assert_eq!(usage.allocations, 0, "v1 encode of {} nodes: {usage:?}", tree.node_count());
                let (result, usage) = measure(|| v1_decoder.decode_into(&v1_buf, &mut decoded));
                result.unwrap();
                assert_eq!(usage.allocations, 0, "v1 decode of {} nodes: {usage:?}", tree.node_count());
                assert_eq!(&decoded, tree);
            }
        }
    }
}

/// Every workload in compact v2, and as views of plain and compact messages: after the first
/// call, encoding, decoding and viewing allocate nothing.
#[test]
fn compact_messages_and_views_allocate_nothing_when_warm() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let workloads: Vec<Tree> = sigma_testkit::fixture_trees().into_iter().map(|(_, tree)| tree).collect();
    let mut encoder = v2::Encoder::compact();
    let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
    let mut viewer = v2::ViewDecoder::new(DecodeLimits::DEFAULT);
    let mut buf = Vec::new();
    let mut decoded = Tree::new();
    for tree in &workloads {
        let plain = v2::encode(tree).unwrap();
        buf.clear();
        encoder.encode_into(tree, &mut buf).unwrap();
        decoder.decode_into(&buf, &mut decoded).unwrap();
        viewer.decode(&plain).unwrap();
        viewer.decode(&buf).unwrap();
        for _ in 0..3 {
            let (result, usage) = measure(|| {
                buf.clear();
                encoder.encode_into(tree, &mut buf)
            });
            result.unwrap();
            assert_eq!(usage.allocations, 0, "compact encode of {} nodes: {usage:?}", tree.node_count());
            let (result, usage) = measure(|| decoder.decode_into(&buf, &mut decoded));
            result.unwrap();
            assert_eq!(usage.allocations, 0, "compact decode of {} nodes: {usage:?}", tree.node_count());
            assert_eq!(&decoded, tree);
            for (variant, bytes) in [("plain", &plain), ("compact", &buf)] {
                let (count, usage) = measure(|| viewer.decode(bytes).map(|view| view.node_count()));
                assert_eq!(count.unwrap(), tree.node_count());
                assert_eq!(usage.allocations, 0, "{variant} view of {} nodes: {usage:?}", tree.node_count());
            }
        }
    }
}

/// A compact message of 200 kB whose references would make 100 MB of values stops at
/// `max_total_value_bytes`, having allocated about that much.
#[test]
fn references_allocate_no_more_than_the_total_value_limit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = sigma_testkit::forge::compact_reference_bomb();
    let limits = DecodeLimits { max_total_value_bytes: 1 << 20, ..DecodeLimits::DEFAULT };
    let mut decoder = v2::Decoder::new(limits);
    let (result, usage) = measure(|| decoder.decode_into(&bytes, &mut Tree::new()));
    assert!(matches!(result, Err(Error::LimitExceeded { limit: Limit::TotalValueBytes, .. })), "{result:?}");
    // The values (grown by doubling to just over 1 MiB) and about a thousand node records.
    assert!(usage.peak_above_start < (2 << 20) + 64 * 1024, "{usage:?}");
    let mut viewer = v2::ViewDecoder::new(limits);
    let (result, usage) = measure(|| viewer.decode(&bytes).map(|view| view.node_count()));
    assert!(matches!(result, Err(Error::LimitExceeded { limit: Limit::TotalValueBytes, .. })), "{result:?}");
    assert!(usage.peak_above_start < (2 << 20) + 64 * 1024, "{usage:?}");
}

#[test]
fn a_warm_single_threaded_batch_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let trees: Vec<Tree> = sigma_testkit::fixture_trees().into_iter().map(|(_, tree)| tree).collect();
    let mut encoder = BatchEncoder::new(NonZeroUsize::MIN);
    let mut decoder = BatchDecoder::new(DecodeLimits::DEFAULT, NonZeroUsize::MIN);
    let mut encoded = EncodedBatch::default();
    let mut decoded = Vec::new();
    encoder.encode(&trees, &mut encoded).unwrap();
    decoder.decode_batch(&encoded, &mut decoded).unwrap();
    for _ in 0..3 {
        let (result, usage) = measure(|| encoder.encode(&trees, &mut encoded));
        result.unwrap();
        assert_eq!(usage.allocations, 0, "encode: {usage:?}");
        let (result, usage) = measure(|| decoder.decode_batch(&encoded, &mut decoded));
        result.unwrap();
        assert_eq!(usage.allocations, 0, "decode: {usage:?}");
    }
    assert_eq!(decoded, trees);
}

/// Session streams in every coding, with a codebook: once warm (the corpus streams sent over
/// and over, until the value table and the models hold what the messages bring and each of the
/// context's recycled tree buffers has held the largest message), encoding each further message
/// into a reused buffer and decoding each further frame with `next_frame_ref` allocate nothing.
#[test]
fn warm_sessions_allocate_nothing() {
    use sigma_codec::codebook::Codebook;
    use sigma_codec::session::{BodyCoding, SessionConfig, SessionDecoder, SessionEncoder};
    use std::sync::Arc;
    // The context keeps 16 trees and a spare: with a stream of n messages (n prime to 17), each
    // buffer has held every message after 17 passes.
    const WARM_PASSES: usize = 17;
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for stream in [sigma_testkit::Stream::CitmPerformances, sigma_testkit::Stream::TwitterStatuses] {
        let trees = stream.trees();
        let codebook = Arc::new(Codebook::train(&trees[..trees.len() / 2], 128).unwrap());
        for coding in BodyCoding::ALL {
            let config = SessionConfig { coding, ..SessionConfig::default() };
            let mut encoder = SessionEncoder::with_codebook(config, Some(codebook.clone()));
            let mut stream_bytes = Vec::new();
            let mut frame = Vec::new();
            let mut ends = Vec::new();
            for pass in 0..=WARM_PASSES {
                for tree in &trees {
                    frame.clear();
                    let (result, usage) = measure(|| encoder.encode_into(tree, &mut frame));
                    result.unwrap();
                    if pass == WARM_PASSES {
                        assert_eq!(
                            usage.allocations,
                            0,
                            "{} {} encode: {usage:?}",
                            stream.name(),
                            coding.name()
                        );
                    }
                    stream_bytes.extend_from_slice(&frame);
                    ends.push(stream_bytes.len());
                }
            }
            let mut decoder =
                SessionDecoder::new(&stream_bytes, DecodeLimits::DEFAULT, Some(codebook.clone())).unwrap();
            for (index, tree) in trees.iter().cycle().take((WARM_PASSES + 1) * trees.len()).enumerate() {
                let warm = index >= WARM_PASSES * trees.len();
                let (result, usage) =
                    measure(|| decoder.next_frame_ref(&stream_bytes).map(|f| f.map(|f| f.tree == tree)));
                assert_eq!(result, Some(Ok(true)), "{} {} frame {index}", stream.name(), coding.name());
                if warm {
                    assert_eq!(usage.allocations, 0, "{} {} decode: {usage:?}", stream.name(), coding.name());
                }
            }
            assert_eq!(decoder.offset(), *ends.last().unwrap());
        }
    }
}

/// A stream whose body coding needs more memory than `max_session_memory` allows is refused from
/// its header, before the coder is made; with enough, the coder holds no more than that (with
/// and without a codebook's dictionary), and the encoding end what the docs state.
#[test]
fn session_memory_is_checked_before_it_is_allocated() {
    use sigma_codec::codebook::Codebook;
    use sigma_codec::session::{
        BodyCoding, SessionConfig, SessionDecoder, SessionEncoder, encode_stream_with,
    };
    use std::sync::Arc;
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let trees = sigma_testkit::Stream::TwitterStatuses.trees();
    let (train, test) = trees.split_at(trees.len() / 2);
    let codebook = Arc::new(Codebook::train(train, 128).unwrap());
    // The figures docs/FORMAT.md gives for a decoding end.
    for (coding, needs) in [(BodyCoding::Zstd, 448 << 10), (BodyCoding::Modeled, 2_103_872)] {
        for codebook in [None, Some(codebook.clone())] {
            let config = SessionConfig { coding, ..SessionConfig::default() };
            let stream = encode_stream_with(test, config, codebook.clone()).unwrap();
            let limits = DecodeLimits { max_session_memory: needs - 1, ..DecodeLimits::DEFAULT };
            let (result, usage) =
                measure(|| SessionDecoder::new(&stream, limits, codebook.clone()).map(|_| ()));
            assert!(
                matches!(result, Err(Error::LimitExceeded { limit: Limit::SessionMemory, found, max, .. }) if found > max),
                "{result:?}"
            );
            assert!(usage.peak_above_start < 4096, "{} refused after {usage:?}", coding.name());
            let limits = DecodeLimits { max_session_memory: needs, ..DecodeLimits::DEFAULT };
            let mut decoder = SessionDecoder::new(&stream, limits, codebook.clone()).unwrap();
            assert_eq!(decoder.frames(&stream).count(), test.len());
            let mut encoder = SessionEncoder::with_codebook(config, codebook.clone());
            let mut out = Vec::new();
            for tree in test {
                encoder.encode_into(tree, &mut out).unwrap();
            }
            println!(
                "{} (codebook: {}): encoder holds {} bytes, decoder {}",
                coding.name(),
                codebook.is_some(),
                encoder.coder_memory(),
                decoder.coder_memory()
            );
            assert!(
                decoder.coder_memory() <= needs as usize,
                "{}: {}",
                coding.name(),
                decoder.coder_memory()
            );
        }
    }
}
