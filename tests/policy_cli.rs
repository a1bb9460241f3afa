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
        .code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.contains("tlp-allowed-levels.json"), "{stdout}");
    assert!(stdout.contains("-    {"), "{stdout}");
    assert!(
        text(&out.get_output().stderr).contains("of "),
        "{}",
        text(&out.get_output().stderr)
    );
}

#[test]
fn policy_diff_exits_0_when_no_outcome_changes() {
    sekisho()
        .args(["policy", "diff"])
        .arg(policy())
        .arg(policy())
        .arg("--corpus")
        .arg(root().join("policies/us-to-jpn/tests"))
        .assert()
        .code(0);
}

/// A directory holding a copy of us-to-jpn (and its word file), for tests that change files.
fn scratch_policy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(policy(), dir.path().join("p.toml")).unwrap();
    std::fs::copy(
        root().join("policies/us-to-jpn.dirty-words.txt"),
        dir.path().join("us-to-jpn.dirty-words.txt"),
    )
    .unwrap();
    dir
}

#[test]
fn policy_test_fails_a_case_without_expectation_and_lists_every_problem() {
    let dir = scratch_policy();
    let tests = dir.path().join("p/tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(case("tlp-red-stays"), tests.join("orphan.json")).unwrap();
    std::fs::write(tests.join("lonely.expect.toml"), "verdict = \"released\"\n").unwrap();
    let out = sekisho()
        .args(["policy", "test"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("FAIL  us-to-jpn: orphan") && stdout.contains("has no `.expect.toml`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL  us-to-jpn: lonely") && stdout.contains("`lonely.json` or `lonely.xml`"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 2 failed"), "{stdout}");
}

#[test]
fn policy_test_without_a_tests_folder_explains_the_layout() {
    let dir = scratch_policy();
    let out = sekisho()
        .args(["policy", "test"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(2);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("<dir>/<name>/tests/") && stderr.contains("policy new-case"),
        "{stderr}"
    );
}

#[test]
fn policy_new_case_records_an_expectation_that_then_passes() {
    let dir = scratch_policy();
    let out = sekisho()
        .args(["policy", "new-case", "--policy"])
        .arg(dir.path().join("p.toml"))
        .args(["--name", "red"])
        .arg(case("tlp-red-stays"))
        .assert()
        .code(0);
    assert!(text(&out.get_output().stdout).contains("red.expect.toml"));
    let expect = std::fs::read_to_string(dir.path().join("p/tests/red.expect.toml")).unwrap();
    assert!(
        expect.contains("verdict = \"released\"") && expect.contains("output = \"red.out.json\""),
        "{expect}"
    );
    sekisho()
        .args(["policy", "test"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(0);
    // Never overwrites.
    sekisho()
        .args(["policy", "new-case", "--policy"])
        .arg(dir.path().join("p.toml"))
        .args(["--name", "red"])
        .arg(case("tlp-red-stays"))
        .assert()
        .code(2);
}

#[test]
fn policy_coverage_lists_rules_types_and_paths_never_reached() {
    let out = sekisho().args(["policy", "coverage"]).arg(policy()).assert().code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.starts_with("us-to-jpn: "), "{stdout}");
    assert!(stdout.contains("type never seen: "), "{stdout}");
    let json = sekisho()
        .args(["policy", "coverage", "--json"])
        .arg(policy())
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert!(v["coverage"]["cases"].as_u64().unwrap() > 10, "{v}");
}

#[test]
fn a_typo_in_a_rule_path_fails_policy_check_with_a_suggestion() {
    let dir = scratch_policy();
    let text_ = std::fs::read_to_string(dir.path().join("p.toml")).unwrap().replace(
        "except = [\"indicator.pattern\", \"email-addr.value\"]",
        "except = [\"indicator.pattern\", \"email-addr.value\"]\npaths = [\"*.name\", \"*.descripton\"]",
    );
    std::fs::write(dir.path().join("p.toml"), text_).unwrap();
    let out = sekisho()
        .args(["policy", "check"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("redact[0].paths[1]: `*.descripton` can never match"),
        "{stdout}"
    );
    assert!(stdout.contains("did you mean `description`"), "{stdout}");
    // `except` paths are checked too.
    let text_ = std::fs::read_to_string(dir.path().join("p.toml"))
        .unwrap()
        .replace("\"email-addr.value\"]", "\"email-adr.value\"]")
        .replace(", \"*.descripton\"]", "]");
    std::fs::write(dir.path().join("p.toml"), text_).unwrap();
    let out = sekisho()
        .args(["policy", "check"])
        .arg(dir.path().join("p.toml"))
        .assert()
        .code(1);
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("redact[0].except[1]: `email-adr.value` can never match"),
        "{stdout}"
    );
    assert!(stdout.contains("did you mean `email-addr`"), "{stdout}");
}

/// The rendered diagnostics, exactly: `file:line:col: severity[rule]: field: what`, then the help
/// indented; warnings print the same way before `ok`.
#[test]
fn policy_check_renders_each_finding_with_its_rule_location_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let words = "us-to-jpn.dirty-words.txt";
    std::fs::copy(root().join("policies").join(words), dir.path().join(words)).unwrap();
    let good = std::fs::read_to_string(policy()).unwrap();
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let bad = good
        .replace("\"ORCON\"", "\"ORKON\"")
        .replace("domains = [\"corp.example\"]", "domains = [\"bad domain\"]");
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, &bad).unwrap();
    let out = sekisho().args(["policy", "check"]).arg(&p).assert().code(1);
    let file = p.display();
    let control = line_of(&bad, "\"ORKON\"");
    let domain = line_of(&bad, "\"bad domain\"");
    assert_eq!(
        text(&out.get_output().stdout),
        format!(
            "{file}:{control}:24: error[unknown-control]: controls.forbidden[1]: unknown control `ORKON`\n  \
             = help: did you mean `ORCON`?\n\
             {file}:{domain}:12: error[bad-domain]: pattern_rules[0].domains[0]: `bad domain` is not a domain name\n"
        )
    );
    let warned = format!("{good}\n[stix.properties]\nmalware = []\n");
    let p = dir.path().join("warned.toml");
    std::fs::write(&p, &warned).unwrap();
    let out = sekisho().args(["policy", "check"]).arg(&p).assert().code(0);
    let stdout = text(&out.get_output().stdout);
    let malware = line_of(&warned, "malware = []");
    assert!(
        stdout.starts_with(&format!(
            "{}:{malware}:11: warning[no-properties]: stix.properties.malware: type `malware` is allowed no property: \
             every `malware` will be dropped\n{}: ok (policy `us-to-jpn`",
            p.display(),
            p.display()
        )),
        "{stdout}"
    );
}

#[test]
fn policy_show_prints_the_resolved_policy_and_its_version() {
    let dir = scratch_policy();
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"p.toml\"\nname = \"child\"\n[tlp]\nallowed = { remove = [\"AMBER\"] }\n",
    )
    .unwrap();
    let out = sekisho()
        .args(["policy", "show", "--resolved"])
        .arg(dir.path().join("child.toml"))
        .assert()
        .code(0);
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("# sha256: ") && stdout.contains("name = \"child\""),
        "{stdout}"
    );
    assert!(stdout.contains("allowed = [\"CLEAR\", \"GREEN\"]"), "{stdout}");
    let check = sekisho()
        .args(["policy", "check"])
        .arg(dir.path().join("child.toml"))
        .assert()
        .code(0);
    let sha = stdout
        .lines()
        .find_map(|l| l.strip_prefix("# sha256: "))
        .unwrap()
        .to_string();
    assert!(text(&check.get_output().stdout).contains(&sha));
}
