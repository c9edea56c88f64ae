//! The checks of the fuzz targets (`fuzz/fuzz_targets/`), one function per target. The targets
//! call these, and so does the test that replays the inputs kept under `fixtures/fuzz/`, so a
//! fixed bug stays fixed under exactly the checks that found it.

use sigma_codec::codebook::Codebook;
use sigma_codec::session::{BodyCoding, SessionConfig, decode_stream, encode_stream};
use sigma_codec::{DecodeLimits, v1, v2};
use sigma_tree::{Primitive, Tree, TreeBuilder};

use crate::forge::{fix_crc32c, fix_v1_crc, with_context_zero};

/// Runs the check of `target` on `data`.
pub fn check(target: &str, data: &[u8]) {
    match target {
        "decode_v1" => decode_v1(data),
        "decode_v2" => decode_v2(data),
        "round_trip" => round_trip(data),
        "json_document" => json_document(data),
        "session" => session(data),
        "codebook" => codebook(data),
        "text" => text(data),
        "vectors" => vectors(data),
        "tree_analogy" => tree_analogy(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// The fuzz targets, by name.
pub const TARGETS: [&str; 9] = [
    "decode_v1",
    "decode_v2",
    "round_trip",
    "json_document",
    "session",
    "codebook",
    "text",
    "vectors",
    "tree_analogy",
];

/// Arbitrary bytes as a v1 stream: never a panic; whatever decodes as a plain tree re-encodes to
/// the same bytes (context id aside), so no wrong tree can slip through.
pub fn decode_v1(data: &[u8]) {
    // Give most inputs a valid CRC so the fuzzer gets past the checksum into the glyphs.
    let mut bytes = data.to_vec();
    if bytes.len() >= 6 && bytes[0] & 1 == 0 {
        bytes[0] = 0x40;
        fix_v1_crc(&mut bytes);
    }
    let _listing = sigma_codec::inspect::inspect(&bytes);
    if let Ok(message) = v1::decode_message(&bytes)
        && message.kind == v1::MessageKind::Tree
    {
        assert_eq!(v1::encode(&message.tree).expect("a decoded v1 tree encodes"), with_context_zero(&bytes));
    }
}

/// Arbitrary bytes as a v2 message, plain or compact: never a panic; whatever decodes re-encodes
/// to exactly the same bytes in its variant, so no wrong tree can slip through; a view of the
/// bytes shows the same tree, or fails with the same error.
pub fn decode_v2(data: &[u8]) {
    // Give most inputs a v2 format byte and a valid check so the fuzzer reaches the nodes.
    let mut bytes = data.to_vec();
    if bytes.len() >= 6 && bytes[0] & 0x10 == 0 {
        let compact = bytes[0] & 0x02 != 0;
        bytes[0] = 0xA0 | (bytes[0] & 0x03);
        let len = bytes.len();
        if compact && len - 1 <= sigma_glyph::v2::compact::SHORT_CHECK_MAX {
            bytes[0] |= sigma_glyph::v2::compact::SHORT_CHECK_FLAG;
            bytes[len - 1] = sigma_glyph::v2::compact::crc8(&bytes[..len - 1]);
        } else {
            fix_crc32c(&mut bytes, 0, len);
        }
    }
    let _listing = sigma_codec::inspect::inspect(&bytes);
    let decoded = v2::decode(&bytes);
    if let Ok(tree) = &decoded {
        let compact = bytes[0] & 0x02 != 0;
        let again = if compact { v2::encode_compact(tree) } else { v2::encode(tree) };
        assert_eq!(again.expect("a decoded v2 tree encodes"), bytes);
    }
    let mut viewer = v2::ViewDecoder::default();
    match (viewer.decode(&bytes), decoded) {
        (Ok(view), Ok(tree)) => assert_eq!(view.to_tree(), tree),
        (Err(seen), Err(expected)) => assert_eq!(seen, expected),
        (seen, expected) => panic!("view {:?}, decode {expected:?}", seen.map(|v| v.node_count())),
    }
}

/// Arbitrary trees (built from the input as a list of steps) round-trip through v2 (plain and
/// compact, and as views) always, and through v1 whenever v1 accepts them; v2 is smaller than v1
/// whenever both hold the tree; a reused v2 encoder writes the same bytes whatever it encoded
/// before.
pub fn round_trip(data: &[u8]) {
    let mut builder = TreeBuilder::new();
    let mut values = String::new();
    for chunk in data.chunks(3) {
        let [op, id, len] = [chunk.first(), chunk.get(1), chunk.get(2)].map(|b| b.copied().unwrap_or(0));
        // Values that repeat, share starts and are numbers: what compact v2 writes specially.
        values.clear();
        for i in 0..len % 8 {
            let alphabet = if len & 0x40 != 0 { &b"0123456789.-e"[..] } else { &b"abcdefgh"[..] };
            let pick = usize::from(id.wrapping_add(i)) % if i < 4 { 2 } else { alphabet.len() };
            values.push(char::from(alphabet.get(pick).copied().unwrap_or(b'a')));
        }
        let value = (len & 0x80 != 0).then_some(values.as_str());
        let primitive = Primitive::new(id);
        // Steps that do not fit (a second root) are skipped: the builder refuses them.
        let _step = match op % 4 {
            _ if builder.node_count() == 0 => builder.open(primitive, value),
            0 | 1 => builder.leaf(primitive, value),
            2 => builder.open(primitive, value),
            _ if builder.open_count() > 1 => builder.close().map(|()| 0),
            _ => Ok(0),
        };
    }
    while builder.open_count() > 0 {
        builder.close().expect("an open node closes");
    }
    let Ok(tree) = builder.finish() else { return };
    let v2_bytes = v2::encode(&tree).expect("v2 holds every tree");
    assert_eq!(v2::encoded_len(&tree), v2_bytes.len());
    assert_eq!(v2::decode(&v2_bytes).expect("v2 decodes what it encodes"), tree);
    // An encoder that last wrote another kind of tree guesses the wrong coding first: the bytes
    // must be the same.
    let json = Tree::from_json_document(r#"{"a":[1,"x",null,true]}"#).expect("primer");
    let balanced = sigma_tree::samples::balanced(40);
    for primer in [&json, &balanced] {
        let mut encoder = v2::Encoder::new();
        let mut buf = Vec::new();
        encoder.encode_into(primer, &mut buf).expect("primer");
        buf.clear();
        encoder.encode_into(&tree, &mut buf).expect("v2 holds every tree");
        assert_eq!(buf, v2_bytes);
    }
    if let Ok(v1_bytes) = v1::encode(&tree) {
        assert_eq!(v1::decode(&v1_bytes).expect("v1 decodes what it encodes"), tree);
        assert!(v2_bytes.len() < v1_bytes.len());
    }
    // Compact v2, fresh and from an encoder that wrote another tree first; views of both.
    let compact = v2::encode_compact(&tree).expect("compact v2 holds every tree");
    assert_eq!(v2::decode(&compact).expect("compact v2 decodes what it encodes"), tree);
    let mut encoder = v2::Encoder::compact();
    let mut buf = Vec::new();
    encoder.encode_into(&json, &mut buf).expect("primer");
    buf.clear();
    encoder.encode_into(&tree, &mut buf).expect("compact v2 holds every tree");
    assert_eq!(buf, compact);
    let mut viewer = v2::ViewDecoder::default();
    for bytes in [&v2_bytes, &compact] {
        assert_eq!(viewer.decode(bytes).expect("a view of an encoding").to_tree(), tree);
    }
}

/// Arbitrary text as a JSON document: never a panic; whatever maps to a tree maps back to a
/// document that maps to the same tree, and survives v2.
pub fn json_document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _tree_json = Tree::from_tree_json(text);
    let Ok(tree) = Tree::from_json_document(text) else { return };
    let back = tree.to_json_document().expect("a mapped document maps back");
    assert_eq!(Tree::from_json_document(&back).expect("our output parses"), tree);
    let bytes = v2::encode(&tree).expect("v2 holds every tree");
    assert_eq!(v2::decode(&bytes).expect("v2 decodes what it encodes"), tree);
}

/// Arbitrary bytes as a session stream: never a panic, both as they are and as the bodies of
/// frames with a valid header and valid CRCs (so that the fuzzer reaches the delta ops and the
/// byte model). And arbitrary JSON-ish message lists (split from the input) round-trip through a
/// session stream exactly and deterministically, in both body codings.
pub fn session(data: &[u8]) {
    let _frames = decode_stream(data, DecodeLimits::DEFAULT);
    // Small limits keep each run short: a coded body may claim up to `max_bytes` of plain bytes.
    let small = DecodeLimits { max_bytes: 1 << 16, ..DecodeLimits::DEFAULT };
    let _frames = decode_stream(&as_frames(data), small);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let trees: Vec<Tree> = text.split('\n').filter_map(|line| Tree::from_json_document(line).ok()).collect();
    for coding in BodyCoding::ALL {
        let config = SessionConfig { coding, ..SessionConfig::default() };
        let stream = encode_stream(&trees, config).expect("sessions hold every tree");
        assert_eq!(encode_stream(&trees, config).expect("again"), stream);
        let frames =
            decode_stream(&stream, DecodeLimits::UNLIMITED).expect("a session decodes what it encodes");
        assert_eq!(frames.len(), trees.len());
        for (frame, tree) in frames.iter().zip(&trees) {
            assert_eq!(&frame.tree, tree);
        }
    }
}

/// `data` as a session stream with a valid header (plain, modeled or zstd, by the first byte
/// mod 3; default context; no codebook) and up to 8 frames with valid CRCs: the rest split at
/// each 0xFE, each piece a frame whose kind is its first byte (mod 4) and whose body is the
/// rest. In a zstd stream the first coded frame's body starts with a zstd frame header (a 64 KiB
/// window, the most decoders accept), so that the fuzzer reaches zstd's blocks.
fn as_frames(data: &[u8]) -> Vec<u8> {
    use sigma_glyph::session::{BodyCoding as Coding, FrameKind, Header, write_frame, write_header};
    /// Magic, a descriptor with no flags, a 2^16-byte window (exponent 6, mantissa 0).
    const ZSTD_FRAME_HEADER: [u8; 6] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x30];
    let Some((&first, rest)) = data.split_first() else { return Vec::new() };
    let coding = Coding::ALL[usize::from(first % 3)];
    let mut out = Vec::new();
    write_header(&Header { window: 16, values: 65_536, min_subtree: 2, coding, codebook: 0 }, &mut out);
    let mut started = false;
    let mut body = Vec::new();
    for (seq, piece) in rest.split(|&b| b == 0xFE).take(8).enumerate() {
        let Some((&kind, piece)) = piece.split_first() else { continue };
        let kind = FrameKind::ALL[usize::from(kind % 4)];
        body.clear();
        if coding == Coding::Zstd && kind == FrameKind::Coded && !started {
            body.extend_from_slice(&ZSTD_FRAME_HEADER);
            started = true;
        }
        body.extend_from_slice(piece);
        write_frame(seq as u64, kind, &body, &mut out);
    }
    out
}

/// Arbitrary bytes as a codebook file: never a panic; whatever loads writes back to exactly the
/// same bytes.
pub fn codebook(data: &[u8]) {
    // Give most inputs the magic, the version and a valid CRC so the fuzzer reaches the patterns.
    let mut bytes = data.to_vec();
    if bytes.len() >= 10 && bytes[0] & 1 == 0 {
        bytes[..4].copy_from_slice(&sigma_glyph::codebook::MAGIC);
        bytes[4] = sigma_glyph::codebook::VERSION;
        let len = bytes.len();
        fix_crc32c(&mut bytes, 0, len);
    }
    if let Ok(codebook) = Codebook::from_bytes(&bytes) {
        assert_eq!(codebook.to_bytes(), bytes);
    }
}

/// Arbitrary bytes as text (lossily made UTF-8): never a panic; its text tree gives back exactly
/// the text and what extraction finds in it, deterministically, through v2 too; every entity
/// and relation lies inside the text, relations join entities of the types they allow, and
/// entities do not overlap. Arbitrary bytes as v2 decode to a tree that is either refused as a
/// text tree or read without a panic.
pub fn text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let tree = sigma_text::parse(&text).expect("any text small enough is a tree");
    let found = sigma_text::extract(&text);
    let document = sigma_text::read(&tree).expect("a text tree reads back");
    assert_eq!(document.text, text);
    assert_eq!(document.extraction, found);
    assert_eq!(sigma_text::parse(&text).expect("parse"), tree, "deterministic");
    let bytes = v2::encode(&tree).expect("v2 holds every tree");
    assert_eq!(
        sigma_text::to_text(&v2::decode(&bytes).expect("v2 decodes what it encodes")).expect("read"),
        text
    );
    let mut previous_end = 0;
    for entity in &found.entities {
        assert!(previous_end <= entity.start && entity.start < entity.end && entity.end <= text.len());
        assert!(text.is_char_boundary(entity.start) && text.is_char_boundary(entity.end));
        previous_end = entity.end;
    }
    for r in &found.relations {
        let (s, o) = (&found.entities[r.subject], &found.entities[r.object]);
        assert!(r.predicate.allows(s.kind, o.kind));
        assert!(r.start <= s.start.min(o.start) && s.end.max(o.end) <= r.end && r.end <= text.len());
    }
    if let Ok(tree) = v2::decode(data) {
        let _ = sigma_text::read(&tree);
    }
}

/// Arbitrary bytes as a word-vector file, in the format they look like and in each format: never
/// a panic; what reads holds unit (or zero) vectors of one length, and answers an analogy over
/// its first words or names what is wrong.
pub fn vectors(data: &[u8]) {
    use sigma_text::{AnalogyMethod, VectorFault, VectorFormat, WordVectors};
    let formats = [
        None,
        Some(VectorFormat::Word2VecBinary),
        Some(VectorFormat::Word2VecText),
        Some(VectorFormat::Glove),
    ];
    for format in formats {
        let Ok(vectors) = WordVectors::from_bytes(data, format) else { continue };
        assert!(!vectors.is_empty() && vectors.dims() > 0);
        let text = String::from_utf8_lossy(data);
        let words: Vec<&str> =
            text.split_ascii_whitespace().filter(|w| vectors.vector(w).is_some()).take(3).collect();
        for w in &words {
            let v = vectors.vector(w).expect("a word it holds");
            assert_eq!(v.len(), vectors.dims());
            let norm: f64 = v.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt();
            assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-3, "unit or zero, not {norm}");
        }
        if let [a, b, c] = words.as_slice() {
            for method in [AnalogyMethod::CosAdd, AnalogyMethod::CosMul] {
                match vectors.analogy(a, b, c, method, 5) {
                    Ok(found) => assert!(found.answer.score.is_finite() && found.runners_up.len() < 5),
                    Err(e) => assert!(
                        matches!(e.fault, VectorFault::ZeroVector { .. } | VectorFault::NoCandidate),
                        "{e}"
                    ),
                }
            }
        }
    }
}

/// Arbitrary bytes as three JSON documents, one per line: never a panic; the edit learned from
/// the first to the second turns the first into the second, and makes it to the third or names
/// where it does not fit.
pub fn tree_analogy(data: &[u8]) {
    use sigma_delta::analogy::{TreeAnalogyError, learn};
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let mut next = || lines.next().and_then(|line| Tree::from_json_document(line).ok());
    let (Some(a), Some(b), Some(c)) = (next(), next(), next()) else { return };
    let Ok(edit) = learn(&a, &b) else { return };
    assert_eq!(edit.apply(&a).expect("the edit fits the tree it was learned from"), b);
    match edit.apply(&c) {
        Ok(_) | Err(TreeAnalogyError::DoesNotFit { .. } | TreeAnalogyError::TooDeep { .. }) => {}
        Err(e) => panic!("{e}"),
    }
    let _ = edit.explain();
}
