//! The `sekisho check` command, through the binary: exit codes and what a user sees.

use assert_cmd::Command;
use std::io::Write;

fn sekisho() -> Command {
    Command::cargo_bin("sekisho").unwrap()
}

fn file(content: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content).unwrap();
    f
}

#[test]
fn accepts_valid_json_with_exit_0() {
    let f = file(br#"{"a": [1, 2.5, "x"]}"#);
    sekisho()
        .args(["check", "--format", "json"])
        .arg(f.path())
        .assert()
        .code(0);
}

#[test]
fn rejects_with_exit_1_and_names_line_column_byte_and_rule() {
    let f = file(b"{\n  \"a\": 01\n}");
    let out = sekisho()
        .args(["check", "--format", "json"])
        .arg(f.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains(": 2:8 (byte 9): number: leading zeros are not allowed"),
        "{out}"
    );
}

#[test]
fn reads_stdin_for_dash() {
    sekisho()
        .args(["check", "--format", "json", "-"])
        .write_stdin("[1,]")
        .assert()
        .code(1);
    sekisho()
        .args(["check", "--format", "json", "-"])
        .write_stdin("[1]")
        .assert()
        .code(0);
}

#[test]
fn prints_one_json_object_per_file() {
    let good = file(b"[]");
    let bad = file(b"[1,]");
    let out = sekisho()
        .args(["check", "--format", "json", "--json"])
        .arg(good.path())
        .arg(bad.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["accepted"], true);
    assert_eq!(lines[1]["accepted"], false);
    assert_eq!(lines[1]["error"]["rule"], "array");
    assert_eq!(lines[1]["position"]["offset"], 3);
}

#[test]
fn exits_2_on_missing_file() {
    sekisho()
        .args(["check", "--format", "json", "/nonexistent/file.json"])
        .assert()
        .code(2);
}

#[test]
fn exits_2_on_usage_error() {
    sekisho().args(["check", "--format", "yaml", "x"]).assert().code(2);
}

#[test]
fn stix_errors_name_the_json_pointer() {
    let bundle = br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
{"type":"identity","spec_version":"2.1","id":"identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
 "created":"2016-04-06T20:03:00.000Z","modified":"2015-04-06T20:03:00.000Z","name":"ACME"}]}"#;
    let f = file(bundle);
    let out = sekisho()
        .args(["check", "--format", "stix"])
        .arg(f.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("timestamp-order: `modified` is earlier than `created` (at /objects/0/modified)"),
        "{stdout}"
    );
    assert!(stdout.contains(": 3:50 (byte "), "{stdout}");
}

#[test]
fn survives_deep_nesting() {
    let f = file("[".repeat(100_000).as_bytes());
    let out = sekisho()
        .args(["check", "--format", "json"])
        .arg(f.path())
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("max_depth"));
}

#[test]
fn max_input_bytes_raises_and_lowers_the_size_limit() {
    let big = format!("{{\"a\": \"{}\"}}", "x".repeat(200));
    let f = file(big.as_bytes());
    let out = sekisho()
        .args(["check", "--format", "json", "--max-input-bytes", "100"])
        .arg(f.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("max_input_bytes"), "{stdout}");
    sekisho()
        .args(["check", "--format", "json", "--max-input-bytes", "1000"])
        .arg(f.path())
        .assert()
        .code(0);
}

#[test]
fn a_commented_xml_message_is_checked_under_a_policy_that_allows_comments() {
    let f = file(b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><!-- note --><status>Exercise</status></alert>");
    sekisho()
        .args(["check", "--format", "xml"])
        .arg(f.path())
        .assert()
        .code(1);
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let text = std::fs::read_to_string(root.join("us-to-jpn.toml"))
        .unwrap()
        .replace("allow_comments = false", "allow_comments = true");
    std::fs::write(dir.path().join("p.toml"), text).unwrap();
    std::fs::copy(
        root.join("us-to-jpn.dirty-words.txt"),
        dir.path().join("us-to-jpn.dirty-words.txt"),
    )
    .unwrap();
    sekisho()
        .args(["check", "--format", "xml", "--policy"])
        .arg(dir.path().join("p.toml"))
        .arg(f.path())
        .assert()
        .code(0);
}
