//! Runs the real `sigma` binary: byte-exact encoding, decoding back, the `inspect` listing (an
//! insta snapshot), and how failures look (exit 1, one line on stderr, `-o` untouched).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Runs `sigma args…` with `stdin` as standard input.
fn sigma(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigma"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
    let mut bytes = sigma(&["encode"], &medium_json()).stdout;
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
    assert_fails(&sigma(&["encode"], long.as_bytes()), "at most 32767");
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

    let ok = sigma(&["encode", "-o", out_arg], &medium_json());
    assert!(ok.status.success() && ok.stdout.is_empty());
    assert_eq!(hex(&std::fs::read(&out).unwrap()), MEDIUM_V1);
}

#[test]
fn later_features_say_not_supported_yet() {
    for args in [
        &["encode", "--format", "v2"][..],
        &["encode", "--input", "json"],
        &["decode", "--output", "json"],
        &["stream", "encode", "--codebook", "x"],
        &["train", "-o", "x", "y"],
        &["stats"],
    ] {
        assert_fails(&sigma(args, b"{\"p\":0}"), "not supported yet");
    }
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
