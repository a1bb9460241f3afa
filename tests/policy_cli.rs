//! `sekisho filter` and `sekisho policy …` through the binary: exit codes and what users see.

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

fn sekisho() -> Command {
    Command::cargo_bin("sekisho").unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn case(name: &str) -> std::path::PathBuf {
    root().join("policies/us-to-jpn/tests").join(format!("{name}.json"))
}

fn policy() -> std::path::PathBuf {
    root().join("policies/us-to-jpn.toml")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn filter_releases_to_stdout_with_exit_0() {
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(policy())
        .arg(case("tlp-red-stays"))
        .assert()
        .code(0);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.starts_with("{\"id\":\"bundle--"));
    assert!(!stdout.contains("CANARY-TLP-RED"));
}

#[test]
fn filter_rejects_with_reasons_on_stderr_and_nothing_on_stdout() {
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(policy())
        .arg(case("nothing-releasable"))
        .assert()
        .code(1);
    assert!(out.get_output().stdout.is_empty());
    assert!(text(&out.get_output().stderr).contains("nothing-releasable"));
}

#[test]
fn filter_reads_stdin_and_explains_every_decision() {
    let input = std::fs::read(case("noforn")).unwrap();
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(policy())
        .arg("--explain")
        .arg("-")
        .write_stdin(input)
        .assert()
        .code(0);
    let stderr = text(&out.get_output().stderr);
    assert!(stderr.contains("DROP"), "{stderr}");
    assert!(stderr.contains("forbidden-control"), "{stderr}");
    assert!(
        stderr.contains("US:SECRET releasable to nobody NOFORN TLP:GREEN"),
        "{stderr}"
    );
}

#[test]
fn filter_prints_json_reasons() {
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(policy())
        .arg("--json")
        .arg(case("malformed-json"))
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(text(&out.get_output().stderr).trim()).unwrap();
    assert_eq!(v["released"], false);
    assert_eq!(v["reasons"][0]["rule"], "object");
}

#[test]
fn filter_exits_2_on_a_bad_policy() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"name = 1\n").unwrap();
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(f.path())
        .arg(case("noforn"))
        .assert()
        .code(2);
    assert!(
        text(&out.get_output().stderr).contains(":1:8: "),
        "{}",
        text(&out.get_output().stderr)
    );
}

#[test]
fn filter_checks_the_format_from_content_not_the_name() {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(b"<cap:alert/>").unwrap();
    let out = sekisho()
        .arg("filter")
        .arg("--policy")
        .arg(policy())
        .arg(f.path())
        .assert()
        .code(1);
    // Read as XML (which this policy allows) despite the `.json` name: rejected by the XML grammar.
    let err = text(&out.get_output().stderr);
    assert!(err.contains("prefix `cap` is not declared"), "{err}");
}

#[test]
fn policy_check_reports_file_line_col_field() {
    let bad = std::fs::read_to_string(policy())
        .unwrap()
        .replace("ceiling = \"SECRET\"", "ceiling = \"SEKRET\"");
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bad.as_bytes()).unwrap();
    let out = sekisho().args(["policy", "check"]).arg(f.path()).assert().code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains(": classification.ceiling: `SEKRET` is not a level of scheme `US`"),
        "{stdout}"
    );
    sekisho().args(["policy", "check"]).arg(policy()).assert().code(0);
}

#[test]
fn policy_test_runs_every_shipped_case() {
    let out = sekisho()
        .args(["policy", "test"])
        .arg(root().join("policies"))
        .assert()
        .code(0);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn policy_test_fails_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(policy(), dir.path().join("p.toml")).unwrap();
    std::fs::copy(
        root().join("policies/us-to-jpn.dirty-words.txt"),
        dir.path().join("us-to-jpn.dirty-words.txt"),
    )
    .unwrap();
    let tests = dir.path().join("p/tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(case("tlp-red-stays"), tests.join("c.json")).unwrap();
    std::fs::write(
        tests.join("c.expect.toml"),
        "verdict = \"rejected\"\nnot_contains = [\"Indicator 1\"]\n",
    )
    .unwrap();
    let out = sekisho()
        .args(["policy", "test"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.contains("FAIL  us-to-jpn: c"), "{stdout}");
    assert!(stdout.contains("expected Rejected, got Released"), "{stdout}");
    assert!(stdout.contains("output contains `Indicator 1`"), "{stdout}");
}

#[test]
fn policy_explain_prints_a_table() {
    let out = sekisho()
        .args(["policy", "explain", "--policy"])
        .arg(policy())
        .arg(case("orcon"))
        .assert()
        .code(0);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.starts_with("verdict  unit"), "{stdout}");
    assert!(stdout.contains("verdict: released (1 of 3 objects go)"), "{stdout}");
}

#[test]
fn policy_diff_lists_messages_that_change() {
    let dir = tempfile::tempdir().unwrap();
    let stricter = std::fs::read_to_string(policy())
        .unwrap()
        .replace("\"CLEAR\", \"GREEN\", \"AMBER\"", "\"CLEAR\", \"GREEN\"");
    std::fs::write(dir.path().join("new.toml"), stricter).unwrap();
    std::fs::copy(
        root().join("policies/us-to-jpn.dirty-words.txt"),
        dir.path().join("us-to-jpn.dirty-words.txt"),
    )
    .unwrap();
    let out = sekisho()
        .args(["policy", "diff"])
        .arg(policy())
        .arg(dir.path().join("new.toml"))
        .arg("--corpus")
        .arg(root().join("policies/us-to-jpn/tests"))
        .assert()
        .code(0);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.contains("tlp-allowed-levels.json"), "{stdout}");
    assert!(stdout.contains("-    {"), "{stdout}");
    assert!(
        text(&out.get_output().stderr).contains("of "),
        "{}",
        text(&out.get_output().stderr)
    );
}
