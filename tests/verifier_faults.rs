//! Issue 9: the second verifier fails closed. Faults are injected through test-only hooks that
//! exist in debug builds only (`SEKISHO_TEST_VERIFIER_FAULT`, `SEKISHO_TEST_GUARD_FAULT`): in
//! every case the faulted message is quarantined with its reason, nothing of it is released, and
//! the daemon goes on to release the next message through a fresh verifier.

mod daemon_support;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use daemon_support::*;

/// The bundle id of a message, a marker the fault hook can aim at.
fn bundle_id(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn run_once_with(spool: &Spool, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(["--log-format", "json", "run", "--once", "--config"])
        .arg(spool.config());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Two messages; the fault hits the first only. The first must be quarantined with `reason`, the
/// second released: the daemon recovered.
fn faulted_then_recovered(fault: &str, extra: &str, reason: &str) -> serde_json::Value {
    let spool = Spool::new(&["jpn"], extra);
    let (bad, good) = (releasable(901), releasable(902));
    spool.put("inbox", "a-faulted.json", &bad);
    spool.put("inbox", "b-healthy.json", &good);
    let env = format!("{fault}@{}", bundle_id(&bad));
    let out = run_once_with(&spool, &[("SEKISHO_TEST_VERIFIER_FAULT", &env)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    let a = record_for(&records, "a-faulted.json");
    assert_eq!(a["verdict"], "quarantined", "{a}");
    assert_eq!(a["reason"], reason, "{a}");
    assert!(a["output"].is_null(), "{a}");
    let b = record_for(&records, "b-healthy.json");
    assert_eq!(b["verdict"], "released", "{b}");
    // Only the healthy message is in the outbox.
    assert_eq!(
        spool.names("out-jpn"),
        vec![format!("{}.json", sha256(&good)).into_bytes()]
    );
    let q = a["quarantine"].as_str().unwrap();
    let why: serde_json::Value =
        serde_json::from_slice(&std::fs::read(spool.path(&format!("quarantine/{q}.reason.json"))).unwrap()).unwrap();
    assert_eq!(why["reason"], reason);
    assert_eq!(
        why["findings"][0]["rule"], "guard",
        "the guard's opinion is recorded: {why}"
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains(reason), "counted in the summary: {summary}");
    why
}

#[test]
fn quarantines_when_the_verifier_is_killed_mid_message() {
    let why = faulted_then_recovered("kill", "", "verifier-failed");
    assert!(why["findings"][1]["detail"].as_str().unwrap().contains("died"), "{why}");
}

#[test]
fn quarantines_when_the_verifier_hangs_past_its_deadline() {
    let why = faulted_then_recovered("hang", "verifier_deadline_ms = 300", "verifier-failed");
    assert!(
        why["findings"][1]["detail"].as_str().unwrap().contains("no answer"),
        "{why}"
    );
}

#[test]
fn quarantines_when_the_verifier_answers_garbage() {
    let why = faulted_then_recovered("garbage", "", "verifier-failed");
    assert!(
        why["findings"][1]["detail"].as_str().unwrap().contains("not a verdict"),
        "{why}"
    );
}

#[test]
fn quarantines_when_the_verifier_dies_inside_an_answer() {
    faulted_then_recovered("half", "", "verifier-failed");
}

#[test]
fn quarantines_when_the_verifier_exhausts_its_memory_limit() {
    let why = faulted_then_recovered("oom", "verifier_memory_mib = 256", "verifier-failed");
    assert!(why["findings"][1]["detail"].as_str().unwrap().contains("died"), "{why}");
}

/// No fault injected: a real message whose released output the verifier cannot hold within its
/// memory limit is quarantined, the limit named, and the daemon goes on (issue 16).
#[test]
fn quarantines_a_message_too_large_for_the_verifiers_memory_limit_naming_the_limit() {
    // A deadline well past what verifying takes, so the memory limit, not a loaded machine's
    // clock, is what stops the verifier (a CI run once gave up after the default 5 s).
    let spool = Spool::new(&["jpn"], "verifier_memory_mib = 64\nverifier_deadline_ms = 120000");
    // About 16 MiB, every object TLP:GREEN, so nearly all of it is released: parsed, well over
    // the 64 MiB the verifier may hold (12 MiB fitted once the build was optimised).
    let big = sekisho::synth::bundle_of_size(16, 18 << 20, |_| Some(1)).into_bytes();
    let small = releasable(904);
    spool.put("inbox", "a-large.json", &big);
    spool.put("inbox", "b-small.json", &small);
    let out = run_once_with(&spool, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    let a = record_for(&records, "a-large.json");
    assert_eq!(a["verdict"], "quarantined", "{a}");
    assert_eq!(a["reason"], "verifier-failed", "{a}");
    let q = a["quarantine"].as_str().unwrap();
    let why: serde_json::Value =
        serde_json::from_slice(&std::fs::read(spool.path(&format!("quarantine/{q}.reason.json"))).unwrap()).unwrap();
    let detail = why["findings"][1]["detail"].as_str().unwrap();
    assert!(detail.contains("memory limit is 64 MiB"), "{why}");
    let b = record_for(&records, "b-small.json");
    assert_eq!(b["verdict"], "released", "the daemon carried on: {b}");
}

#[test]
fn quarantines_a_wrong_guard_output_that_the_verifier_catches() {
    let spool = Spool::new(&["jpn"], "");
    spool.put("inbox", "m.json", &releasable(903));
    let out = run_once_with(&spool, &[("SEKISHO_TEST_GUARD_FAULT", "red")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    let r = record_for(&records, "m.json");
    assert_eq!(r["reason"], "verifier-disagrees", "{r}");
    assert!(spool.names("out-jpn").is_empty(), "nothing released");
    let q = r["quarantine"].as_str().unwrap();
    let why: serde_json::Value =
        serde_json::from_slice(&std::fs::read(spool.path(&format!("quarantine/{q}.reason.json"))).unwrap()).unwrap();
    let findings = why["findings"].as_array().unwrap();
    assert_eq!(findings[0]["rule"], "guard");
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "verifier:label" && f["detail"].as_str().unwrap().contains("TLP:RED")),
        "{why}"
    );
}

#[test]
fn releases_without_the_verifier_when_it_is_turned_off() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    spool.put("inbox", "m.json", &releasable(904));
    // The guard fault is not caught without the second verifier: that is what it is for.
    let out = run_once_with(&spool, &[("SEKISHO_TEST_GUARD_FAULT", "red")]);
    assert!(out.status.success());
    assert_eq!(record_for(&spool.records(), "m.json")["verdict"], "released");
}

// ---------------------------------------------------------------------------------------------
// The verifier process on its own
// ---------------------------------------------------------------------------------------------

fn ask(sandbox: &str, env: &[(&str, &str)], frame: &[u8]) -> (serde_json::Value, Output) {
    let mut c = Command::new(BIN);
    c.args(["verify", "--sandbox", sandbox, "--policy"])
        .arg(policy())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&(frame.len() as u32).to_be_bytes()).unwrap();
    stdin.write_all(frame).unwrap();
    drop(stdin);
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let output = child.wait_with_output().unwrap();
    let answer = out
        .get(4..)
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(serde_json::Value::Null);
    (answer, output)
}

#[test]
fn verify_subcommand_answers_frames_and_exits_at_end_of_input() {
    let (a, out) = ask("best-effort", &[], &releasable(905));
    assert_eq!(a["verdict"], "pass", "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    let (a, _) = ask("best-effort", &[], &red(906));
    assert_eq!(a["verdict"], "fail");
}

/// Whether this kernel enforces Landlock (the test says so and skips the file check if not).
fn landlock_available() -> bool {
    std::path::Path::new("/sys/kernel/security/landlock").exists()
        || std::fs::read_to_string("/sys/kernel/security/lsm").is_ok_and(|s| s.contains("landlock"))
        || ask("required", &[], b"{}").1.status.success()
}

#[test]
fn sandboxed_verifier_cannot_open_files_or_create_sockets() {
    let probe = [("SEKISHO_TEST_VERIFIER_FAULT", "probe-sandbox")];
    let (free, _) = ask("off", &probe, &releasable(907));
    assert_eq!(
        free["findings"][0]["detail"], "allowed",
        "unconfined, the probe can open: {free}"
    );
    assert_eq!(free["findings"][1]["detail"], "allowed", "{free}");
    let (confined, out) = ask("best-effort", &probe, &releasable(907));
    assert!(
        confined["findings"][1]["detail"]
            .as_str()
            .unwrap()
            .starts_with("denied"),
        "seccomp denies sockets: {confined} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if !landlock_available() {
        eprintln!("SKIPPED: this kernel has no Landlock; file access is not confined");
        return;
    }
    assert!(
        confined["findings"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("denied"),
        "landlock denies files: {confined}"
    );
}

#[test]
fn confines_the_channel_once_started() {
    let spool = Spool::new(&["jpn"], "sandbox = \"required\"");
    spool.put("inbox", "m.json", &releasable(908));
    let out = spool.run_once();
    let log = String::from_utf8_lossy(&out.stderr);
    if !landlock_available() {
        eprintln!("SKIPPED: this kernel has no Landlock");
        return;
    }
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("\"part\":\"channel `c`\"") && log.contains("fully enforced"),
        "{log}"
    );
    assert_eq!(record_for(&spool.records(), "m.json")["verdict"], "released");
}
