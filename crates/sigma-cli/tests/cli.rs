//! Runs the real `sigma` binary: byte-exact encoding, decoding back, the `inspect` listing (an
//! insta snapshot), and how failures look (exit 1, one line on stderr, `-o` untouched).

use std::io::Write;

use std::process::{Command, Output, Stdio};

use sigma_testkit::fixtures;

/// Runs `sigma args…` with `stdin` as standard input.
fn sigma(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigma"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read its input (or fails first) may close the pipe early.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// Asserts a failure the way `sigma` promises one: exit 1, nothing on stdout, one stderr line.
fn assert_fails(output: &Output, needle: &str) -> String {
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("sigma: error: "), "{stderr}");
    assert!(stderr.contains(needle), "{stderr:?} should contain {needle:?}");
    stderr
}

const MEDIUM_V1: &str = "40000006f00963616c63756c617465f701783106726573756c740b3701790ba3f9";

use sigma_testkit::forge::hex;

fn medium_json() -> Vec<u8> {
    std::fs::read(fixtures().join("trees/medium.json")).unwrap()
}

#[test]
fn encode_medium_gives_the_reference_bytes() {
    let path = fixtures().join("trees/medium.json");
    let from_file = sigma(&["encode", "--format", "v1", "--input", "tree", path.to_str().unwrap()], b"");
    assert!(from_file.status.success());
    assert_eq!(hex(&from_file.stdout), MEDIUM_V1);
    let from_stdin = sigma(&["encode", "--format", "v1", "--input", "tree"], &medium_json());
    assert_eq!(hex(&from_stdin.stdout), MEDIUM_V1);
}

#[test]
fn decode_prints_the_tree_back() {
    let bytes = sigma(&["encode", "--format", "v1"], &medium_json()).stdout;
    let decoded = sigma(&["decode", "--output", "tree"], &bytes);
    assert!(decoded.status.success());
    assert_eq!(decoded.stdout, medium_json());
}

#[test]
fn names_in_any_case_are_accepted_on_input() {
    let input = br#"{"p": "function", "v": "f", "c": [{"p": "Variable"}]}"#;
    let bytes = sigma(&["encode"], input).stdout;
    let decoded = sigma(&["decode"], &bytes);
    assert_eq!(
        String::from_utf8(decoded.stdout).unwrap(),
        "{\"p\":16,\"v\":\"f\",\"c\":[{\"p\":17,\"v\":null,\"c\":[]}]}\n"
    );
}

#[test]
fn inspect_medium() {
    let bytes = sigma(&["encode", "--format", "v1"], &medium_json()).stdout;
    let output = sigma(&["inspect"], &bytes);
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn inspect_a_delta_message() {
    // DELTA glyph (TRANSFORM, context id 0x01020304), new primitive VARIABLE, then ENTITY "u".
    let body = [0xAC, 0x04, 1, 2, 3, 4, 0x11, 0xD1, 0x20, 0x01, b'u', 0x0B];
    let mut bytes = vec![0x40, 0x00, 0x00, 0x05]; // v1, context 0, 5 glyphs
    bytes.extend_from_slice(&body);
    let crc = sigma_glyph_crc(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    let output = sigma(&["inspect"], &bytes);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

/// CRC-16/IBM-3740, bit by bit, so this test does not share the codec's implementation.
fn sigma_glyph_crc(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

#[test]
fn decode_errors_name_the_offset() {
    let mut bytes = sigma(&["encode", "--format", "v1"], &medium_json()).stdout;
    bytes[10] ^= 0x01;
    let output = sigma(&["decode"], &bytes);
    assert!(output.stdout.is_empty());
    assert_fails(&output, "checksum mismatch at byte 31");
    assert_fails(&sigma(&["decode"], b""), "at byte 0");
    assert_fails(&sigma(&["decode"], b"\x40\x00\x00"), "too short");
    let inspected = sigma(&["inspect"], &bytes);
    assert_fails(&inspected, "at byte 31");
}

#[test]
fn encode_errors_name_the_problem() {
    assert_fails(&sigma(&["encode"], b"{\"p\": 1,}"), "at byte 8");
    assert_fails(&sigma(&["encode"], b"{\"p\": \"NOPE\"}"), "unknown primitive name");
    assert_fails(&sigma(&["encode"], b"\xff"), "not UTF-8 at byte 0");
    let long = format!(r#"{{"p": 0, "v": "{}"}}"#, "x".repeat(40_000));
    assert_fails(&sigma(&["encode", "--format", "v1"], long.as_bytes()), "at most 32767");
    assert!(sigma(&["encode"], long.as_bytes()).status.success(), "v2 holds it");
}

#[test]
fn failed_runs_leave_the_output_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.bin");
    let out_arg = out.to_str().unwrap();
    assert_fails(&sigma(&["decode", "-o", out_arg], b"\x00junk"), "unknown format");
    assert!(!out.exists(), "no file on failure");

    std::fs::write(&out, b"before").unwrap();
    assert_fails(&sigma(&["encode", "-o", out_arg], b"{"), "invalid JSON");
    assert_eq!(std::fs::read(&out).unwrap(), b"before");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");

    let ok = sigma(&["encode", "--format", "v1", "-o", out_arg], &medium_json());
    assert!(ok.status.success() && ok.stdout.is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let fresh = dir.path().join("fresh.bin");
        assert!(sigma(&["encode", "-o", fresh.to_str().unwrap()], &medium_json()).status.success());
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "a new file is readable by others, not private like a temporary file");
    }
    assert_eq!(hex(&std::fs::read(&out).unwrap()), MEDIUM_V1);
}

#[test]
fn usage_errors_are_one_line_too() {
    assert_fails(&sigma(&["encode", "--format", "v9"], b""), "invalid value 'v9'");
    assert_fails(&sigma(&["frobnicate"], b""), "unrecognized subcommand");
    assert_fails(&sigma(&["decode", "/no/such/file"], b""), "cannot read /no/such/file");
    let help = sigma(&["--help"], b"");
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout).unwrap().contains("inspect"));
}

#[test]
fn encode_writes_v2_by_default() {
    let bytes = sigma(&["encode"], &medium_json()).stdout;
    assert_eq!(bytes.len(), 30);
    assert_eq!(bytes[0], 0xA0);
    assert_eq!(sigma(&["decode"], &bytes).stdout, medium_json());
    let output = sigma(&["inspect"], &bytes);
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn inspect_a_json_document_with_a_palette() {
    let bytes = sigma(&["encode", "--input", "json"], br#"[{"id":1,"ok":true},{"id":2,"ok":null}]"#).stdout;
    let output = sigma(&["inspect"], &bytes);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

/// A compact message lists each value with how it is written: a repeat names its slot, a
/// prefix the bytes it shares, a number its packed size.
#[test]
fn inspect_a_compact_message() {
    let json = br#"[{"id":1,"name":"node_1"},{"id":22,"name":"node_2","n":505874924095815681}]"#;
    let bytes = sigma(&["encode", "--input", "json", "--compact"], json).stdout;
    assert_eq!(bytes[0] & 0xF2, 0xA2, "a compact format byte");
    let decoded = sigma(&["decode", "--output", "json"], &bytes);
    assert_eq!(
        json_events(&String::from_utf8(decoded.stdout).unwrap()),
        json_events(std::str::from_utf8(json).unwrap())
    );
    let output = sigma(&["inspect"], &bytes);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
    assert_fails(
        &sigma(&["encode", "--input", "json", "--format", "v1", "--compact"], json),
        "--compact is a variant of v2",
    );
}

/// The document as events: two texts with the same events are the same document.
fn json_events(text: &str) -> Vec<String> {
    let mut reader = sigma_tree::json::JsonReader::new(text);
    let mut out = Vec::new();
    while let Some(event) = reader.next_event().unwrap() {
        out.push(format!("{event:?}"));
    }
    out
}

#[test]
fn corpus_documents_round_trip_through_the_binary() {
    for name in ["twitter.json", "citm_catalog.json", "canada.json"] {
        let path = fixtures().join("corpus").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        for format in ["v2", "v1"] {
            let encoded =
                sigma(&["encode", "--input", "json", "--format", format, path.to_str().unwrap()], b"");
            if format == "v1" {
                // Every corpus document needs more than v1's 4,095 glyphs.
                assert_fails(&encoded, "at most 4095");
                continue;
            }
            assert!(encoded.status.success(), "{name}");
            let decoded = sigma(&["decode", "--output", "json"], &encoded.stdout);
            assert!(decoded.status.success(), "{name}");
            let back = String::from_utf8(decoded.stdout).unwrap();
            assert_eq!(json_events(&back), json_events(&text), "{name}");
        }
    }
}

#[test]
fn output_json_of_a_tree_that_is_no_document_fails() {
    let bytes = sigma(&["encode"], &medium_json()).stdout;
    assert_fails(&sigma(&["decode", "--output", "json"], &bytes), "node 0 (FUNCTION) is not JSON");
}

#[test]
fn limits_can_be_raised_and_lowered() {
    let deep = std::fs::read(fixtures().join("trees/deep.json")).unwrap();
    let bytes = sigma(&["encode"], &deep).stdout;
    let err = assert_fails(&sigma(&["decode", "--max-depth", "5"], &bytes), "--max-depth");
    assert!(err.contains("found 6, at most 5"), "{err}");
    assert!(sigma(&["decode", "--max-depth", "11"], &bytes).status.success());
    assert_fails(&sigma(&["inspect", "--max-nodes", "3"], &bytes), "max_nodes");
    assert_fails(&sigma(&["decode", "--max-bytes", "10"], &bytes), "max_bytes");
}

#[test]
fn random_and_damaged_bytes_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let good = sigma(&["encode"], &medium_json()).stdout;
    for round in 0..40 {
        let mut bytes = good.clone();
        match round % 3 {
            0 => bytes.truncate((next() as usize) % bytes.len()),
            1 => {
                let at = (next() as usize) % bytes.len();
                bytes[at] ^= 1 << (next() % 8);
            }
            _ => bytes = (0..(next() % 64)).map(|_| next() as u8).collect(),
        }
        for command in ["decode", "inspect"] {
            let output = sigma(&[command], &bytes);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{command} {bytes:02x?}: {stderr}");
            assert_eq!(output.status.code(), Some(1), "{command} {bytes:02x?}");
        }
    }
}

#[test]
fn deeply_nested_json_round_trips_through_the_binary() {
    let depth = 100_000;
    let text = format!("{}1{}", "{\"k\":[".repeat(depth), "]}".repeat(depth));
    let encoded = sigma(&["encode", "--input", "json"], text.as_bytes());
    assert!(encoded.status.success(), "{}", String::from_utf8_lossy(&encoded.stderr));
    let decoded = sigma(&["decode", "--output", "json"], &encoded.stdout);
    assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
    assert_eq!(String::from_utf8(decoded.stdout).unwrap(), format!("{text}\n"));
    // 300,001 levels (DICT, RECORD, LIST per level, then the number): past a depth limit of 300,000.
    assert_fails(&sigma(&["decode", "--max-depth", "300000"], &encoded.stdout), "found 300001");
}

#[test]
fn stream_round_trips_json_lines() {
    let lines = "{\"a\":1,\"b\":[true,null]}\n{\"a\":2,\"b\":[true,null]}\n\n{\"a\":1,\"b\":[true,null]}\n";
    let encoded = sigma(&["stream", "encode"], lines.as_bytes());
    assert!(encoded.status.success(), "{}", String::from_utf8_lossy(&encoded.stderr));
    assert_eq!(encoded.stdout[0], 0xB2);
    assert_eq!(
        sigma(&["stream", "encode"], lines.as_bytes()).stdout,
        encoded.stdout,
        "same input, same bytes"
    );
    let decoded = sigma(&["stream", "decode"], &encoded.stdout);
    assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
    assert_eq!(String::from_utf8(decoded.stdout).unwrap(), lines.replace("\n\n", "\n"));
    let mut damaged = encoded.stdout.clone();
    let last = damaged.len() - 6;
    damaged[last] ^= 0x40;
    assert_fails(&sigma(&["stream", "decode"], &damaged), "frame 2");
    assert_fails(&sigma(&["stream", "encode"], b"{\"a\":1}\n{oops}\n"), "line 2");
    assert_fails(&sigma(&["decode"], &encoded.stdout), "sigma stream decode");
}

#[test]
fn stream_context_options() {
    let lines: String = (0..30).map(|i| format!("{{\"id\":{},\"tag\":\"t{}\"}}\n", i, i % 4)).collect();
    let small = sigma(
        &["stream", "encode", "--window", "2", "--values", "8", "--min-subtree", "3"],
        lines.as_bytes(),
    );
    assert!(small.status.success(), "{}", String::from_utf8_lossy(&small.stderr));
    let back = sigma(&["stream", "decode"], &small.stdout);
    assert_eq!(String::from_utf8(back.stdout).unwrap(), lines, "the header carries the options");
    assert_fails(&sigma(&["stream", "encode", "--window", "70000"], lines.as_bytes()), "at most 65536");
}

#[test]
fn inspect_a_session_stream() {
    let lines = "{\"a\":1,\"b\":[true,null]}\n{\"a\":2,\"b\":[true,null]}\n{\"a\":1,\"b\":[true,null]}\n";
    for coding in ["zstd", "modeled", "plain"] {
        let encoded = sigma(&["stream", "encode", "--coding", coding], lines.as_bytes());
        assert!(encoded.status.success(), "{}", String::from_utf8_lossy(&encoded.stderr));
        let output = sigma(&["inspect"], &encoded.stdout);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        insta::assert_snapshot!(
            format!("inspect_a_session_stream_{coding}"),
            String::from_utf8(output.stdout).unwrap()
        );
    }
    let encoded = sigma(&["stream", "encode"], lines.as_bytes());
    let mut damaged = encoded.stdout.clone();
    let last = damaged.len() - 6;
    damaged[last] ^= 0x40;
    let output = sigma(&["inspect"], &damaged);
    assert_fails(&output, "frame 2");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("frame 1:"),
        "lists the frames before the damage"
    );
}

#[test]
fn stats_reports_sizes_and_frame_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("m.jsonl");
    std::fs::write(&lines, "{\"a\":1}\n{\"a\":2}\n{\"a\":1}\n").unwrap();
    let stream = dir.path().join("m.sigma");
    assert!(
        sigma(&["stream", "encode", lines.to_str().unwrap(), "-o", stream.to_str().unwrap()], b"")
            .status
            .success()
    );
    let medium = fixtures().join("trees/medium.json");
    let single = dir.path().join("medium.v2");
    assert!(
        sigma(&["encode", medium.to_str().unwrap(), "-o", single.to_str().unwrap()], b"").status.success()
    );
    let output =
        sigma(&["stats", lines.to_str().unwrap(), stream.to_str().unwrap(), single.to_str().unwrap()], b"");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("JSON lines"), "{text}");
    assert!(text.contains("session stream"), "{text}");
    assert!(text.contains("repeat 1"), "{text}");
    assert!(text.contains("v2 message"), "{text}");
    assert!(text.contains("4 nodes"), "{text}");
    assert_fails(&sigma(&["stats"], b"\x00\x01"), "line 1");
}

#[test]
fn train_then_stream_with_the_codebook() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let train: String = (0..20)
        .map(|i| format!("{{\"kind\":\"price\",\"amount\":{},\"currency\":\"EUR\"}}\n", 100 + i))
        .collect();
    let test: String = (0..10)
        .map(|i| format!("{{\"kind\":\"price\",\"amount\":{},\"currency\":\"EUR\"}}\n", 500 + 3 * i))
        .collect();
    std::fs::write(path("train.jsonl"), &train).unwrap();
    std::fs::write(path("test.jsonl"), &test).unwrap();
    let trained = sigma(&["train", "-o", &path("cb"), &path("train.jsonl")], b"");
    assert!(trained.status.success(), "{}", String::from_utf8_lossy(&trained.stderr));
    assert!(String::from_utf8_lossy(&trained.stderr).contains("learned"));
    let with = sigma(&["stream", "encode", "--codebook", &path("cb"), &path("test.jsonl")], b"");
    assert!(with.status.success(), "{}", String::from_utf8_lossy(&with.stderr));
    let without = sigma(&["stream", "encode", &path("test.jsonl")], b"");
    assert!(with.stdout.len() < without.stdout.len());
    let back = sigma(&["stream", "decode", "--codebook", &path("cb")], &with.stdout);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    assert_eq!(String::from_utf8(back.stdout).unwrap(), test);
    assert_fails(&sigma(&["stream", "decode"], &with.stdout), "give the same codebook");
    let mut damaged = std::fs::read(path("cb")).unwrap();
    damaged[6] ^= 1;
    std::fs::write(path("bad"), &damaged).unwrap();
    assert_fails(&sigma(&["stream", "decode", "--codebook", &path("bad")], &with.stdout), "codebook");

    // `stats` reads a stream made with a codebook when given it, and counts its frames: these
    // bodies are too short for zstd, so they go as deltas.
    std::fs::write(path("with.sigma"), &with.stdout).unwrap();
    assert_fails(&sigma(&["stats", &path("with.sigma")], b""), "give the same codebook");
    let stats = sigma(&["stats", "--codebook", &path("cb"), &path("with.sigma")], b"");
    assert!(stats.status.success(), "{}", String::from_utf8_lossy(&stats.stderr));
    assert!(
        String::from_utf8_lossy(&stats.stdout).contains("delta 10, coded 0"),
        "{}",
        String::from_utf8_lossy(&stats.stdout)
    );

    // Plain coding: no larger here, and the decoder needs no option to read it; the byte model
    // (`max`) codes every frame and is smaller.
    let encode = |coding: &str| {
        let out = sigma(
            &["stream", "encode", "--coding", coding, "--codebook", &path("cb"), &path("test.jsonl")],
            b"",
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let back = sigma(&["stream", "decode", "--codebook", &path("cb")], &out.stdout);
        assert_eq!(String::from_utf8(back.stdout).unwrap(), test);
        out.stdout
    };
    let (plain, max) = (encode("plain"), encode("max"));
    assert!(plain.len() >= with.stdout.len() && max.len() < with.stdout.len());
    std::fs::write(path("max.sigma"), &max).unwrap();
    let stats = sigma(&["stats", "--codebook", &path("cb"), &path("max.sigma")], b"");
    assert!(
        String::from_utf8_lossy(&stats.stdout).contains("coded 10"),
        "{}",
        String::from_utf8_lossy(&stats.stdout)
    );
}

const TEXT: &str = "Amazon bought Whole Foods for $13.7 billion in 2017.\r\nTim Cook has been chief executive of Apple since August 2011. Why?\n";

#[test]
fn text_encodes_and_decodes_exactly() {
    let encoded = sigma(&["encode", "--input", "text"], TEXT.as_bytes());
    assert!(encoded.status.success(), "{encoded:?}");
    assert_eq!(encoded.stdout[0] & 0xF0, 0xA0, "v2");
    let decoded = sigma(&["decode", "--output", "text"], &encoded.stdout);
    assert!(decoded.status.success(), "{decoded:?}");
    assert_eq!(decoded.stdout, TEXT.as_bytes());
    // A tree that is not a text tree.
    let medium = sigma(&["encode"], &medium_json());
    assert_fails(
        &sigma(&["decode", "--output", "text"], &medium.stdout),
        "--output text: node 0 does not fit a text tree",
    );
    // Text that is not UTF-8.
    assert_fails(&sigma(&["encode", "--input", "text"], b"caf\xe9"), "not UTF-8 at byte 3");
}

#[test]
fn extract_prints_entities_and_relations() {
    let output = sigma(&["extract"], TEXT.as_bytes());
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entities: Vec<(String, String, u64, u64)> = json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["text"].as_str().unwrap().to_owned(),
                e["type"].as_str().unwrap().to_owned(),
                e["start"].as_u64().unwrap(),
                e["end"].as_u64().unwrap(),
            )
        })
        .collect();
    for (text, _, start, end) in &entities {
        assert_eq!(&TEXT[*start as usize..*end as usize], text);
    }
    let names: Vec<(&str, &str)> = entities.iter().map(|(t, k, _, _)| (t.as_str(), k.as_str())).collect();
    assert_eq!(
        names,
        [
            ("Amazon", "ORGANIZATION"),
            ("Whole Foods", "ORGANIZATION"),
            ("$13.7 billion", "MONEY"),
            ("2017", "DATE"),
            ("Tim Cook", "PERSON"),
            ("Apple", "ORGANIZATION"),
            ("August 2011", "DATE")
        ]
    );
    assert_eq!(json["entities"][2]["normalized"], "USD 13700000000");
    let relations: Vec<(u64, &str, u64)> = json["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["subject"].as_u64().unwrap(), r["predicate"].as_str().unwrap(), r["object"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(relations, [(0, "ACQUIRED", 1), (4, "WORKS_FOR", 5), (4, "CEO_OF", 5)]);
}

#[test]
fn kg_build_then_show() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, kg) = (dir.path().join("a.txt"), dir.path().join("b.txt"), dir.path().join("graph.sg"));
    std::fs::write(
        &a,
        "Microsoft Corp. bought GitHub in 2018. Satya Nadella is chief executive of Microsoft.",
    )
    .unwrap();
    std::fs::write(&b, "Satya Nadella was born in Hyderabad.").unwrap();
    let built =
        sigma(&["kg", "build", "-o", kg.to_str().unwrap(), a.to_str().unwrap(), b.to_str().unwrap()], b"");
    assert!(built.status.success(), "{built:?}");
    assert_eq!(String::from_utf8_lossy(&built.stderr).trim(), "sigma: 2 documents: 4 entities, 4 relations");
    let whole = sigma(&["kg", "show", kg.to_str().unwrap()], b"");
    let json: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(json["entities"].as_array().unwrap().len(), 4);
    assert_eq!(json["relations"].as_array().unwrap().len(), 4);
    let one = sigma(&["kg", "show", kg.to_str().unwrap(), "microsoft"], b"");
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(json["entity"]["name"], "Microsoft Corp.");
    assert_eq!(json["entity"]["aliases"], serde_json::json!(["Microsoft"]));
    let predicates: Vec<&str> =
        json["relations"].as_array().unwrap().iter().map(|r| r["predicate"].as_str().unwrap()).collect();
    assert_eq!(predicates, ["ACQUIRED", "WORKS_FOR", "CEO_OF"]);
    assert_fails(&sigma(&["kg", "show", kg.to_str().unwrap(), "Nobody"], b""), "no entity named \"Nobody\"");
    // Not a graph: a text tree, and damaged bytes.
    let text_tree = dir.path().join("text.sg");
    std::fs::write(&text_tree, sigma(&["encode", "--input", "text"], b"Hello.").stdout).unwrap();
    assert_fails(
        &sigma(&["kg", "show", text_tree.to_str().unwrap()], b""),
        "does not fit a knowledge graph's tree",
    );
    let mut damaged = std::fs::read(&kg).unwrap();
    damaged[10] ^= 0x40;
    std::fs::write(&kg, damaged).unwrap();
    assert_fails(&sigma(&["kg", "show", kg.to_str().unwrap()], b""), "checksum mismatch");
    assert_fails(
        &sigma(&["kg", "build", dir.path().join("missing.txt").to_str().unwrap()], b""),
        "cannot read",
    );
}

#[test]
fn analogy_over_a_graph_answers_with_evidence_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let (text, kg) = (dir.path().join("c.txt"), dir.path().join("graph.sg"));
    std::fs::write(
        &text,
        "Ottawa is the capital of Canada. Canberra is the capital of Australia. Toronto is the largest city in Canada.",
    )
    .unwrap();
    let built = sigma(&["kg", "build", "-o", kg.to_str().unwrap(), text.to_str().unwrap()], b"");
    assert!(built.status.success(), "{built:?}");
    let kg = kg.to_str().unwrap();
    let plain = sigma(&["analogy", "--kg", kg, "Ottawa", "Canada", "Canberra"], b"");
    assert!(plain.status.success(), "{plain:?}");
    assert_eq!(String::from_utf8_lossy(&plain.stdout), "Australia\n");
    let json = sigma(&["analogy", "--kg", kg, "--json", "Ottawa", "Canada", "Canberra"], b"");
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"answer": "Australia", "score": 1.0, "path": "CAPITAL_OF", "candidates": [["Australia", 1.0]]})
    );
    let explained = sigma(&["analogy", "--kg", kg, "--explain", "Ottawa", "Canada", "Canberra"], b"");
    let explained = String::from_utf8_lossy(&explained.stdout).into_owned();
    let name = text.to_str().unwrap();
    assert_eq!(
        explained,
        format!(
            "Australia (score 1.00: 1 of the 1 paths from A to B lead there from C)\n\
             path: CAPITAL_OF\n\
             A to B: Ottawa CAPITAL_OF Canada ({name}, bytes 0..31)\n\
             C to D: Canberra CAPITAL_OF Australia ({name}, bytes 33..69)\n\
             paths from A to B: CAPITAL_OF\n"
        )
    );
    assert_fails(
        &sigma(&["analogy", "--kg", kg, "Ottawa", "Canada", "Toronto"], b""),
        "\"Toronto\" has none of the relations that join A and B (CAPITAL_OF)",
    );
    assert_fails(
        &sigma(&["analogy", "--kg", kg, "king", "queen", "man"], b""),
        "A (\"king\") is not an entity",
    );
    assert_fails(
        &sigma(&["analogy", "--kg", kg, "Ottawa", "Australia", "Canberra"], b""),
        "no relation (of one or two steps) joins \"Ottawa\" and \"Australia\"",
    );
}

#[test]
fn analogy_over_word_vectors_answers_or_names_the_unknown_word() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v.txt");
    std::fs::write(&vectors, "king 1 1 0\nqueen 1 -1 0\nman 0 1 1\nwoman 0 -1 1\nboy 0 1 1.2\n").unwrap();
    let vectors = vectors.to_str().unwrap();
    for method in ["3cosadd", "3cosmul"] {
        let found =
            sigma(&["analogy", "--vectors", vectors, "--method", method, "king", "queen", "man"], b"");
        assert!(found.status.success(), "{found:?}");
        assert_eq!(String::from_utf8_lossy(&found.stdout), "woman\n");
    }
    let json = sigma(&["analogy", "--vectors", vectors, "--json", "-k", "1", "king", "queen", "man"], b"");
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"answer": "woman", "score": 1.0, "method": "3cosadd", "candidates": [["woman", 1.0]]})
    );
    assert_fails(
        &sigma(&["analogy", "--vectors", vectors, "king", "queen", "dog"], b""),
        "C (\"dog\") has no vector",
    );
    let bad = dir.path().join("bad.vec");
    std::fs::write(&bad, "2 3\nking 1 1 0\nqueen 1 -1\n").unwrap();
    assert_fails(
        &sigma(&["analogy", "--vectors", bad.to_str().unwrap(), "king", "queen", "man"], b""),
        "line 3: 2 components where 3 are expected",
    );
    // Without --kg or --vectors, A, B and C are files of trees.
    assert_fails(&sigma(&["analogy", "king", "queen", "man"], b""), "cannot read king");
}

#[test]
fn analogy_over_three_trees_makes_the_edit_to_c() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let a = write("a.json", r#"{"user_name":"ada","age":"36"}"#);
    let b = write("b.json", r#"{"username":"ada","age":36,"active":true}"#);
    let c = write("c.json", r#"{"user_name":"alan","age":"41","x":[1]}"#);
    let d = sigma(&["analogy", &a, &b, &c], b"");
    assert!(d.status.success(), "{d:?}");
    assert_eq!(
        String::from_utf8_lossy(&d.stdout),
        "{\"username\":\"alan\",\"age\":41,\"x\":[1],\"active\":true}\n"
    );
    let explained = sigma(&["analogy", "--explain", &a, &b, &c], b"");
    assert_eq!(
        String::from_utf8_lossy(&explained.stdout),
        "renames .user_name to .username\nmakes .age a NUMBER instead of a STRING\nadds .active = true\n\
         {\"username\":\"alan\",\"age\":41,\"x\":[1],\"active\":true}\n"
    );
    // C as ΣLANG bytes, D as a tree.
    let c_bytes = dir.path().join("c.sg");
    std::fs::write(&c_bytes, sigma(&["encode", "--input", "json", &c], b"").stdout).unwrap();
    let tree = sigma(&["analogy", "--output", "tree", &a, &b, c_bytes.to_str().unwrap()], b"");
    assert!(String::from_utf8_lossy(&tree.stdout).starts_with("{\"p\":113,"), "{tree:?}");
    let lacking = write("lacking.json", r#"{"age":"41"}"#);
    assert_fails(
        &sigma(&["analogy", &a, &b, &lacking], b""),
        "the edit does not fit C at .: C has no member \"user_name\"",
    );
    let broken = write("broken.json", "{\"a\":");
    assert_fails(
        &sigma(&["analogy", &a, &b, &broken], b""),
        "neither a tree in tree JSON form nor a JSON document",
    );
}
