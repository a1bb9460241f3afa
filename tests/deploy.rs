//! Day one for a deployer (issue 23), through the binary: losses recorded within seconds, a
//! silent sender, a receiver that outlives a full disk, configurations checked before they run.

mod daemon_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use daemon_support::*;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child killed when dropped (a failing test leaves no process behind).
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Running {
    fn new(child: Child) -> Running {
        Running(Some(child))
    }

    /// SIGTERM, then its output.
    fn stop(mut self) -> Output {
        let child = self.0.take().unwrap();
        terminate(&child);
        child.wait_with_output().unwrap()
    }
}

fn receiver(listen: &str, into: &Path, key: &Path, extra: &[&str]) -> Running {
    Running::new(
        Command::new(BIN)
            .args(["--log-format", "json", "receive", "--listen", listen, "--into"])
            .arg(into)
            .arg("--key")
            .arg(key)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// The receiver's audit records (`<into>.diode-audit.jsonl`).
fn rx_records(into: &Path) -> Vec<serde_json::Value> {
    let name = format!("{}.diode-audit.jsonl", into.file_name().unwrap().to_string_lossy());
    std::fs::read_to_string(into.with_file_name(name))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Wait (at most `secs`, generously) until `what` holds.
fn wait_until(secs: u64, what: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    what()
}

fn wait_bound(port: u16) {
    let needle = format!(":{port:04X} ");
    assert!(
        wait_until(30, || {
            std::fs::read_to_string("/proc/net/udp")
                .unwrap_or_default()
                .lines()
                .skip(1)
                .any(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .is_some_and(|a| format!("{a} ").ends_with(&needle))
                })
        }),
        "nothing listens on port {port}"
    );
}

/// A guard whose one route goes over the diode to `addr`.
fn diode_guard(addr: &str) -> Spool {
    let spool = Spool::new(&[], "");
    std::fs::write(spool.path("diode.key"), [5u8; 32]).unwrap();
    let cfg = std::fs::read_to_string(spool.config()).unwrap()
        + &format!(
            "[[channel.route]]\nname = \"jpn\"\npolicy = \"{}\"\noutput = \"udp://{addr}\"\nkey = \"diode.key\"\n",
            policy().display()
        );
    std::fs::write(spool.config(), cfg).unwrap();
    spool
}

// ---------------------------------------------------------------------------------------------
// 1. Losses nobody records
// ---------------------------------------------------------------------------------------------

/// Two messages released while the receiver was down: once it is up, the idle guard's timed
/// heartbeats make it record them `lost` (missing) within seconds, with no new message needed.
#[test]
fn an_idle_guard_heartbeats_so_messages_sent_while_the_receiver_was_down_are_recorded_lost() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let spool = diode_guard(&addr);
    let guard = Running::new(
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--config"])
            .arg(spool.config())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    spool.put("inbox", "a.json", &releasable(1));
    spool.put("inbox", "b.json", &releasable(2));
    let records = spool.wait_records(2, 60);
    assert!(records.iter().all(|r| r["verdict"] == "released"), "{records:#?}");
    // Now the receiver comes up; nothing more is sent but heartbeats.
    let into = spool.path("partner");
    let rx = receiver(&addr, &into, &spool.path("diode.key"), &[]);
    wait_bound(port);
    let lost = wait_until(60, || {
        rx_records(&into)
            .iter()
            .any(|r| r["event"] == "lost" && r["message_seq"] == 1 && r["message_seq_last"] == 2)
    });
    let out = rx.stop();
    drop(guard);
    assert!(
        lost,
        "no lost record for 1–2: {:#?}\n{}",
        rx_records(&into),
        String::from_utf8_lossy(&out.stderr)
    );
    let lost = rx_records(&into).into_iter().find(|r| r["event"] == "lost").unwrap();
    assert_eq!(lost["reason"], "missing");
}

/// A guard that dies is noticed: `sender-silent` after the configured time, naming its session.
#[test]
fn a_receiver_records_a_sender_that_went_silent() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [3u8; 32]).unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let into = dir.path().join("into");
    let rx = receiver(&listen, &into, &key, &["--silent-after", "2", "--stats-interval", "1"]);
    wait_bound(port);
    let msg = dir.path().join("m.json");
    std::fs::write(&msg, b"{\"n\":1}").unwrap();
    let sent = Command::new(BIN)
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&msg)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let session = serde_json::from_slice::<serde_json::Value>(&sent.stdout).unwrap()["session"].clone();
    let silent = wait_until(60, || {
        rx_records(&into)
            .iter()
            .any(|r| r["event"] == "sender-silent" && r["session"] == session)
    });
    let out = rx.stop();
    assert!(silent, "{:#?}", rx_records(&into));
    // Logged at start: where it listens.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("\"listening\"") && l.contains(&format!("127.0.0.1:{port}"))),
        "{stderr}"
    );
    // Its counters, periodically, only when they changed.
    let counters = stderr.lines().filter(|l| l.contains("\"counters\"")).count();
    assert!(counters >= 1, "{stderr}");
    assert!(counters <= 3, "an idle receiver repeats its counters: {stderr}");
    let verify = Command::new(BIN)
        .args(["audit", "verify"])
        .arg(dir.path().join("into.diode-audit.jsonl"))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

// ---------------------------------------------------------------------------------------------
// 3. The receiver dies on a full disk
// ---------------------------------------------------------------------------------------------

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .unwrap()
            .success();
        assert!(ok, "cannot mount a tmpfs at {}", at.display());
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fill the filesystem of `dir` with one file until it is full.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join(".filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = [0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    path
}

fn send(listen: &str, key: &Path, file: &Path) {
    let out = Command::new(BIN)
        .args(["send", "--to", listen, "--key"])
        .arg(key)
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_full_disk_is_a_recorded_loss_and_the_receiver_goes_on() {
    if !is_root() {
        eprintln!("SKIPPED: mounting a small tmpfs needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [4u8; 32]).unwrap();
    let disk = Tmpfs::mount(&dir.path().join("disk"), "512k");
    let into = disk.0.join("into");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let rx = receiver(&listen, &into, &key, &[]);
    wait_bound(port);
    let first = dir.path().join("first.json");
    std::fs::write(&first, b"{\"n\":\"first\"}").unwrap();
    send(&listen, &key, &first);
    assert!(wait_until(30, || into
        .join(format!("{}.json", sha256(b"{\"n\":\"first\"}")))
        .exists()));
    // The disk fills up: the next message cannot be written.
    let filler = fill(&disk.0);
    let big = dir.path().join("big.json");
    let big_bytes = format!("{{\"pad\":\"{}\"}}", "x".repeat(64 << 10));
    std::fs::write(&big, &big_bytes).unwrap();
    send(&listen, &key, &big);
    std::thread::sleep(Duration::from_secs(1));
    // Space again: the receiver is still there, writes the next message and the records the
    // full disk held back, in one unbroken chain.
    std::fs::remove_file(&filler).unwrap();
    let after = dir.path().join("after.json");
    std::fs::write(&after, b"{\"n\":\"after\"}").unwrap();
    send(&listen, &key, &after);
    let after_name = format!("{}.json", sha256(b"{\"n\":\"after\"}"));
    let written = wait_until(30, || into.join(&after_name).exists());
    let lost = wait_until(30, || {
        rx_records(&into)
            .iter()
            .any(|r| r["event"] == "lost" && r["reason"] == "write-failed")
    });
    let out = rx.stop();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the receiver exited: {stderr}");
    assert!(written, "{:#?}\n{stderr}", rx_records(&into));
    assert!(lost, "{:#?}\n{stderr}", rx_records(&into));
    assert!(!into.join(format!("{}.json", sha256(big_bytes.as_bytes()))).exists());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["written"], 2, "{summary}");
    assert!(summary["write_failures"].as_u64().unwrap() >= 1, "{summary}");
    let audit = disk.0.join("into.diode-audit.jsonl");
    let verify = Command::new(BIN)
        .args(["audit", "verify"])
        .arg(&audit)
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

// ---------------------------------------------------------------------------------------------
// 5. A typo changes where data goes; 6. no way to check a configuration
// ---------------------------------------------------------------------------------------------

fn run_check(config: &Path) -> Output {
    Command::new(BIN)
        .args(["run", "--check", "--config"])
        .arg(config)
        .output()
        .unwrap()
}

#[test]
fn a_mistyped_udp_output_is_an_error_not_a_directory() {
    let spool = Spool::new(&[], "");
    std::fs::write(spool.path("diode.key"), [5u8; 32]).unwrap();
    let cfg = std::fs::read_to_string(spool.config()).unwrap()
        + &format!(
            "[[channel.route]]\nname = \"jpn\"\npolicy = \"{}\"\noutput = \"udp:/127.0.0.1:9000\"\nkey = \"diode.key\"\n",
            policy().display()
        );
    std::fs::write(spool.config(), cfg).unwrap();
    spool.put("inbox", "m.json", &releasable(1));
    for out in [run_check(&spool.config()), spool.run_once()] {
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("channel[0].route[0].output") && err.contains("udp://HOST:PORT"),
            "{err}"
        );
    }
    assert!(!spool.path("udp:").exists());
    assert!(spool.path("inbox/m.json").exists());
}

#[test]
fn a_missing_directory_is_an_error_unless_create_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!(
        "[[channel]]\nname = \"c\"\ninbox = \"inbxo\"\nquarantine = \"quarantine\"\naudit = \"audit.jsonl\"\n\
         [[channel.route]]\nname = \"jpn\"\npolicy = \"{}\"\noutput = \"out\"\n",
        policy().display()
    );
    let config = dir.path().join("guard.toml");
    std::fs::write(&config, &cfg).unwrap();
    let out = run_check(&config);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    for missing in ["inbxo", "quarantine", "out", "audit.jsonl"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("ERROR") && l.contains(missing) && l.contains("create = true")),
            "{missing}: {text}"
        );
    }
    // The daemon refuses the same, and makes nothing.
    let run = Command::new(BIN)
        .args(["run", "--once", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("inbxo"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!dir.path().join("inbxo").exists() && !dir.path().join("out").exists());
    // With `create = true` the check passes, and still makes nothing.
    std::fs::write(
        &config,
        cfg.replace("audit = \"audit.jsonl\"\n", "audit = \"audit.jsonl\"\ncreate = true\n"),
    )
    .unwrap();
    let out = run_check(&config);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!dir.path().join("inbxo").exists() && !dir.path().join("audit.jsonl").exists());
}

#[test]
fn run_check_touches_no_spool_and_reports_a_bad_policy() {
    let spool = Spool::new(&["jpn"], "");
    for d in ["quarantine", "out-jpn"] {
        std::fs::create_dir_all(spool.path(d)).unwrap();
    }
    std::fs::write(spool.path("audit.jsonl"), b"").unwrap();
    spool.put("inbox", "m.json", &releasable(1));
    let before = std::fs::read_dir(spool.path("inbox")).unwrap().count();
    let out = run_check(&spool.config());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(spool.path("inbox/m.json").exists());
    assert_eq!(std::fs::read_dir(spool.path("inbox")).unwrap().count(), before);
    assert!(!spool.path("inbox/.claimed").exists() && !spool.path("inbox/.sekisho.lock").exists());
    assert_eq!(std::fs::read(spool.path("audit.jsonl")).unwrap(), b"");
    // A policy with an error: named with its file and place.
    let bad = spool.path("bad.toml");
    std::fs::write(&bad, "this is = not a policy\n").unwrap();
    let cfg = std::fs::read_to_string(spool.config())
        .unwrap()
        .replace(&policy().display().to_string(), &bad.display().to_string());
    std::fs::write(spool.config(), cfg).unwrap();
    let out = run_check(&spool.config());
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("ERROR") && l.contains("bad.toml")),
        "{text}"
    );
}

#[test]
fn run_check_sees_permissions_as_the_service_user_and_names_the_owner_and_the_fix() {
    if !is_root() {
        eprintln!("SKIPPED: switching to the service user needs root");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let spool = Spool::new(&["jpn"], "");
    let root = spool.dir.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A quarantine root made and left root's: the service user cannot write it.
    std::fs::create_dir_all(spool.path("quarantine")).unwrap();
    std::fs::set_permissions(spool.path("quarantine"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = format!(
        "user = \"nobody\"\n{}",
        std::fs::read_to_string(spool.config()).unwrap()
    );
    std::fs::write(spool.config(), cfg).unwrap();
    let out = run_check(&spool.config());
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("ERROR") && l.contains("quarantine"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("user nobody") && line.contains("owned by root:root"),
        "{line}"
    );
    assert!(line.contains("chown nobody"), "{line}");
}

// ---------------------------------------------------------------------------------------------
// 6. SIGHUP after a policy edit is ignored silently
// ---------------------------------------------------------------------------------------------

fn hangup(child: &Child) {
    assert!(
        Command::new("kill")
            .args(["-HUP", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
}

/// The daemon's stderr so far (it writes to a file).
fn log_lines(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn sighup_reloads_policies_atomically_and_refuses_a_bad_version_loudly() {
    let spool = Spool::new(&[], "");
    let policies = spool.path("policies");
    std::fs::create_dir_all(&policies).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for f in ["us-to-jpn.toml", "us-to-jpn.dirty-words.txt"] {
        std::fs::copy(shipped.join(f), policies.join(f)).unwrap();
    }
    let policy_file = policies.join("us-to-jpn.toml");
    let cfg = std::fs::read_to_string(spool.config()).unwrap()
        + "[[channel.route]]\nname = \"jpn\"\npolicy = \"policies/us-to-jpn.toml\"\noutput = \"out\"\n";
    std::fs::write(spool.config(), &cfg).unwrap();
    let log = spool.path("guard.log");
    let guard = Running::new(
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--config"])
            .arg(spool.config())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let child = guard.0.as_ref().unwrap();
    spool.put("inbox", "one.json", &releasable(1));
    let first = spool.wait_records(1, 60)[0]["policy_sha256"].clone();

    // A valid edit: taken on SIGHUP, and the next record carries its policy_sha256.
    let text = std::fs::read_to_string(&policy_file).unwrap();
    std::fs::write(&policy_file, format!("{text}\n# edited\n")).unwrap();
    hangup(child);
    assert!(
        wait_until(60, || log_lines(&log).contains("reloaded")),
        "{}",
        log_lines(&log)
    );
    spool.put("inbox", "two.json", &releasable(2));
    let second = spool.wait_records(2, 60)[1]["policy_sha256"].clone();
    assert_ne!(first, second, "the audit must record the new policy");

    // An invalid edit: refused loudly, the running version stays.
    std::fs::write(&policy_file, "this is = not a policy\n").unwrap();
    hangup(child);
    assert!(
        wait_until(60, || log_lines(&log).contains("RELOAD REFUSED")),
        "{}",
        log_lines(&log)
    );
    spool.put("inbox", "three.json", &releasable(3));
    let records = spool.wait_records(3, 60);
    assert_eq!(records[2]["policy_sha256"], second);
    assert_eq!(records[2]["verdict"], "released");

    // A change the running guard cannot apply (a directory): refused, naming the field.
    std::fs::write(&policy_file, format!("{text}\n# edited\n")).unwrap();
    std::fs::write(
        spool.config(),
        cfg.replace("quarantine = \"quarantine\"", "quarantine = \"elsewhere\""),
    )
    .unwrap();
    hangup(child);
    assert!(
        wait_until(60, || log_lines(&log).matches("RELOAD REFUSED").count() >= 2),
        "{}",
        log_lines(&log)
    );
    assert!(log_lines(&log).contains("`quarantine` changed"), "{}", log_lines(&log));
    let out = guard.stop();
    assert!(out.status.success());
    // Every line of every process (the verifier children included) is JSON.
    for line in log_lines(&log).lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Reasons that need the source
// ---------------------------------------------------------------------------------------------

fn is_quarantine_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 26
        && b.get(8) == Some(&b'T')
        && b.get(15) == Some(&b'.')
        && b.get(25) == Some(&b'Z')
        && t.chars()
            .enumerate()
            .all(|(i, c)| [8, 15, 25].contains(&i) || c.is_ascii_digit())
}

#[test]
fn a_quarantine_reason_carries_the_decision_table_under_a_readable_name() {
    let spool = Spool::new(&["jpn"], "");
    let bytes = red(7);
    spool.put("inbox", "red.json", &bytes);
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = record_for(&spool.records(), "red.json").clone();
    let q = r["quarantine"].as_str().unwrap();
    // <time>-<input sha-256 prefix>-<tag>-<route>
    let parts: Vec<&str> = q.split('-').collect();
    assert_eq!(parts.len(), 4, "{q}");
    assert!(is_quarantine_time(parts[0]), "{q}");
    assert_eq!(parts[1], &sha256(&bytes)[..16], "{q}");
    assert!(
        parts[2].len() == 8 && parts[2].chars().all(|c| c.is_ascii_hexdigit()),
        "{q}"
    );
    assert_eq!(parts[3], "jpn");
    let why: serde_json::Value =
        serde_json::from_slice(&std::fs::read(spool.path(&format!("quarantine/{q}.reason.json"))).unwrap()).unwrap();
    let decisions = why["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty(), "{why:#}");
    // Each unit with its label, rule and verdict: why nothing may go, without the source.
    assert!(
        decisions
            .iter()
            .all(|d| d["unit"].is_string() && d["rule"].is_string() && d["verdict"].is_string()),
        "{why:#}"
    );
    let explain: Vec<&str> = why["explain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        explain[0].starts_with("verdict") && explain.len() == decisions.len() + 1,
        "{explain:#?}"
    );
    assert!(explain.iter().any(|l| l.contains("tlp")), "{explain:#?}");
}

#[test]
fn a_quarantined_symlink_is_a_copy_of_nothing_that_says_where_it_pointed() {
    let spool = Spool::new(&["jpn"], "");
    let outside = spool.path("secret.json");
    std::fs::write(&outside, releasable(1)).unwrap();
    std::fs::create_dir_all(spool.path("inbox")).unwrap();
    std::os::unix::fs::symlink(&outside, spool.path("inbox/link.json")).unwrap();
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = record_for(&spool.records(), "link.json").clone();
    assert_eq!(r["reason"], "not-a-regular-file");
    let q = r["quarantine"].as_str().unwrap();
    assert!(q.ends_with("-symlink"), "{q}");
    let kept = spool.path(&format!("quarantine/{q}"));
    let meta = std::fs::symlink_metadata(&kept).unwrap();
    assert!(meta.is_file() && meta.len() == 0, "a copy of nothing, not a link");
    for e in std::fs::read_dir(spool.path("quarantine")).unwrap() {
        let e = e.unwrap();
        assert!(
            !e.file_type().unwrap().is_symlink(),
            "a live link in the quarantine: {:?}",
            e.path()
        );
    }
    let why: serde_json::Value =
        serde_json::from_slice(&std::fs::read(spool.path(&format!("quarantine/{q}.reason.json"))).unwrap()).unwrap();
    assert_eq!(why["entry"]["kind"], "symbolic link");
    assert_eq!(why["entry"]["target"], outside.display().to_string());
    assert!(spool.names("inbox").is_empty());
    assert_eq!(
        std::fs::read(&outside).unwrap(),
        releasable(1),
        "the target is untouched"
    );
    // Run again: nothing is left to do, nothing doubles.
    let again = spool.run_once();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(spool.records().len(), 1);
}

#[test]
fn the_guard_and_the_receiver_name_a_diode_output_alike() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [5u8; 32]).unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let spool = diode_guard(&addr);
    let into = dir.path().join("partner");
    let rx = receiver(&addr, &into, &key, &[]);
    wait_bound(port);
    spool.put("inbox", "m.json", &releasable(9));
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = record_for(&spool.records(), "m.json").clone();
    assert_eq!(r["verdict"], "released");
    let name = r["output"].as_str().unwrap().to_string();
    assert_eq!(name, format!("{}.json", r["output_sha256"].as_str().unwrap()));
    let arrived = wait_until(30, || into.join(&name).exists());
    let _ = rx.stop();
    assert!(
        arrived,
        "{name} is not in {:?}",
        std::fs::read_dir(&into).map(|d| d.count())
    );
    let received = rx_records(&into);
    assert!(
        received
            .iter()
            .any(|x| x["event"] == "received" && x["file"] == name.as_str()),
        "{received:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Logs
// ---------------------------------------------------------------------------------------------

#[test]
fn logs_have_no_colour_codes_off_a_terminal_and_fatal_errors_are_json_too() {
    let spool = Spool::new(&["jpn"], "");
    spool.put("inbox", "m.json", &releasable(1));
    let out = Command::new(BIN)
        .args(["run", "--once", "--config"])
        .arg(spool.config())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.is_empty() && !stderr.contains('\u{1b}'), "{stderr}");
    // A fatal error, in JSON when JSON was asked for.
    let out = Command::new(BIN)
        .args(["--log-format", "json", "run", "--config"])
        .arg(spool.path("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert_eq!(v["level"], "ERROR", "{line}");
        assert!(
            v["fields"]["message"].as_str().unwrap().contains("missing.toml"),
            "{line}"
        );
    }
    assert!(!stderr.is_empty());
}

#[test]
fn an_idle_daemon_stays_quiet() {
    let spool = Spool::new(&["jpn"], "");
    let log = spool.path("guard.log");
    let guard = Running::new(
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--config"])
            .arg(spool.config())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    spool.put("inbox", "m.json", &releasable(1));
    spool.wait_records(1, 60);
    // Two progress intervals (10 s each) and a little more: one line at most, for the one
    // message; nothing for the idle one.
    std::thread::sleep(Duration::from_secs(21));
    let out = guard.stop();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    let progress = text.lines().filter(|l| l.contains("\"progress\"")).count();
    assert!(progress <= 1, "{text}");
}

// ---------------------------------------------------------------------------------------------
// 2. No way to send a lost message again
// ---------------------------------------------------------------------------------------------

#[test]
fn resend_sends_lost_messages_again_and_the_receiver_writes_a_repeat_once() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let spool = diode_guard(&addr);
    let cfg = std::fs::read_to_string(spool.config()).unwrap() + "sent = \"sent\"\nkeep_sent_hours = 24\n";
    std::fs::write(spool.config(), cfg).unwrap();
    // Released while nobody listens: lost on the wire.
    spool.put("inbox", "a.json", &releasable(1));
    spool.put("inbox", "b.json", &releasable(2));
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    assert_eq!(records.len(), 2);
    for r in &records {
        assert_eq!(r["verdict"], "released");
        let kept = spool.path(&format!("sent/{}", r["output"].as_str().unwrap()));
        assert_eq!(
            sha256(&std::fs::read(&kept).unwrap()),
            r["output_sha256"].as_str().unwrap()
        );
        assert!(r["diode_session"].is_string() && r["diode_seq"].is_u64(), "{r}");
    }

    let into = spool.path("partner");
    let rx = receiver(&addr, &into, &spool.path("diode.key"), &[]);
    wait_bound(port);
    let resend = |seq: &str| {
        Command::new(BIN)
            .args(["resend", "--config"])
            .arg(spool.config())
            .args(["--channel", "c", "--seq", seq])
            .output()
            .unwrap()
    };
    let out = resend("0..1");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> = records
        .iter()
        .map(|r| r["output"].as_str().unwrap().to_string())
        .collect();
    assert!(
        wait_until(30, || names.iter().all(|n| into.join(n).exists())),
        "{:#?}",
        rx_records(&into)
    );
    // Again: the receiver already has it, records `duplicate` and writes nothing twice.
    let out = resend("0");
    assert_eq!(out.status.code(), Some(0));
    assert!(wait_until(30, || rx_records(&into)
        .iter()
        .any(|r| r["event"] == "duplicate")));
    // A record that was never released, or is not there: named, exit 1.
    let out = resend("5");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seq 5"));
    let out = rx.stop();
    assert!(out.status.success());
    let rx_audit = rx_records(&into);
    for n in &names {
        let received = rx_audit
            .iter()
            .filter(|r| r["event"] == "received" && r["file"] == n.as_str())
            .count();
        assert_eq!(received, 1, "{n}: {rx_audit:#?}");
    }
    // Every resend is audited, in a chain of its own.
    let log = spool.path("audit.jsonl.resend.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().all(|l| l.contains("\"event\":\"resent\"")));
    let verify = Command::new(BIN).args(["audit", "verify"]).arg(&log).output().unwrap();
    assert!(verify.status.success());
}

// ---------------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------------

#[test]
fn the_shipped_units_are_hardened_and_verify() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    let dir = tempfile::tempdir().unwrap();
    for unit in ["sekisho-guard.service", "sekisho-receive.service"] {
        let text = std::fs::read_to_string(deploy.join(unit)).unwrap();
        for key in [
            "User=sekisho",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/sekisho",
            "NoNewPrivileges=yes",
            "Restart=on-failure",
            "LimitNOFILE=",
            "PrivateTmp=yes",
            "ProtectHome=yes",
            "--log-format json",
        ] {
            assert!(text.lines().any(|l| l.contains(key)), "{unit}: no {key}");
        }
        std::fs::write(dir.path().join(unit), text.replace("/usr/local/bin/sekisho", BIN)).unwrap();
    }
    let guard = std::fs::read_to_string(deploy.join("sekisho-guard.service")).unwrap();
    assert!(guard.contains("ExecReload=/bin/kill -HUP $MAINPID"));
    assert!(guard.contains("run --check"));
    // systemd's own reading of them, where systemd is installed.
    match Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("sekisho-guard.service"))
        .arg(dir.path().join("sekisho-receive.service"))
        .output()
    {
        Ok(out) => assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("SKIPPED: systemd-analyze is not installed here ({e})"),
    }
    // The example configuration is a valid one (but for its user, which exists only once installed).
    let cfg = std::fs::read_to_string(deploy.join("guard.toml"))
        .unwrap()
        .replace("user = \"sekisho\"", "");
    if let Err(e) = sekisho::daemon::Config::from_str(&cfg, "guard.toml", Path::new("/")) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. At-least-once over the diode, written down: a repeat is a `duplicate`, never a second file
// ---------------------------------------------------------------------------------------------

/// What a crash between sending and recording does (the guard decides the input again after a
/// restart and sends it again): the receiver writes the message once and records the repeat as
/// `duplicate`, not as a second `received`.
#[test]
fn a_message_sent_again_after_a_guard_crash_is_a_duplicate_at_the_receiver() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let spool = diode_guard(&addr);
    let into = spool.path("partner");
    let rx = receiver(&addr, &into, &spool.path("diode.key"), &[]);
    wait_bound(port);
    let bytes = releasable(4);
    spool.put("inbox", "m.json", &bytes);
    assert_eq!(spool.run_once().status.code(), Some(0));
    let name = record_for(&spool.records(), "m.json")["output"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(wait_until(30, || into.join(&name).exists()));
    // As if the record had never become durable: the input is back, the log without it.
    std::fs::write(spool.path("audit.jsonl"), b"").unwrap();
    spool.put("inbox", "m.json", &bytes);
    assert_eq!(spool.run_once().status.code(), Some(0));
    assert!(wait_until(30, || rx_records(&into)
        .iter()
        .any(|r| r["event"] == "duplicate")));
    let out = rx.stop();
    assert!(out.status.success());
    let records = rx_records(&into);
    let received = records.iter().filter(|r| r["event"] == "received").count();
    assert_eq!(received, 1, "{records:#?}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["duplicates"], 1);
}

/// The same reload by a guard that switched to its service user and confined itself: the
/// configuration and the policies live in a directory of their own, read-only to it.
#[test]
fn sighup_reloads_in_a_switched_and_confined_guard() {
    if !is_root() {
        eprintln!("SKIPPED: switching to the service user needs root");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let spool = Spool::new(&[], "");
    let root = spool.dir.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let nobody = |p: &Path| {
        let ok = Command::new("chown").arg("nobody:").arg(p).status().unwrap().success();
        assert!(ok);
    };
    nobody(root);
    nobody(&spool.path("inbox"));
    let etc = tempfile::tempdir().unwrap();
    std::fs::set_permissions(etc.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for f in ["us-to-jpn.toml", "us-to-jpn.dirty-words.txt"] {
        std::fs::copy(shipped.join(f), etc.path().join(f)).unwrap();
    }
    let config = etc.path().join("guard.toml");
    let text = format!(
        "user = \"nobody\"\n[[channel]]\nname = \"c\"\ninbox = \"{r}/inbox\"\nquarantine = \"{r}/quarantine\"\n\
         audit = \"{r}/audit.jsonl\"\npoll_interval_ms = 20\ncreate = true\n\
         [[channel.route]]\nname = \"jpn\"\npolicy = \"us-to-jpn.toml\"\noutput = \"{r}/out\"\n",
        r = root.display()
    );
    std::fs::write(&config, text).unwrap();
    let log = etc.path().join("guard.log");
    let guard = Running::new(
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--config"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    spool.put("inbox", "one.json", &releasable(1));
    let first = spool.wait_records(1, 60)[0]["policy_sha256"].clone();
    let policy = etc.path().join("us-to-jpn.toml");
    let body = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, format!("{body}\n# reviewed\n")).unwrap();
    Command::new("kill")
        .args(["-HUP", &guard.0.as_ref().unwrap().id().to_string()])
        .status()
        .unwrap();
    assert!(
        wait_until(60, || log_lines(&log).contains("\"reloaded: ")),
        "{}",
        log_lines(&log)
    );
    assert!(log_lines(&log).contains("confined"), "{}", log_lines(&log));
    spool.put("inbox", "two.json", &releasable(2));
    let records = spool.wait_records(2, 60);
    assert_ne!(records[1]["policy_sha256"], first);
    assert_eq!(records[1]["verdict"], "released");
    assert!(guard.stop().status.success());
}

// ---------------------------------------------------------------------------------------------
// Audit rollover (instead of logrotate)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_rolled_over_audit_log_goes_on_as_one_chain() {
    let spool = Spool::new(&["jpn"], "");
    spool.put("inbox", "a.json", &releasable(1));
    assert_eq!(spool.run_once().status.code(), Some(0));
    let archive = spool.path("audit.1.jsonl");
    let out = Command::new(BIN)
        .args(["audit", "roll"])
        .arg(spool.path("audit.jsonl"))
        .arg(&archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    spool.put("inbox", "b.json", &releasable(2));
    assert_eq!(spool.run_once().status.code(), Some(0));
    let old: Vec<serde_json::Value> = std::fs::read_to_string(&archive)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let new = spool.records();
    assert_eq!(new[0]["event"], "rollover");
    assert_eq!(new[0]["prev"], old.last().unwrap()["hash"]);
    assert_eq!(new[0]["previous_file"], "audit.1.jsonl");
    assert_eq!(new[1]["input"], "b.json");
    assert_eq!(new[1]["seq"], 2);
    for f in [archive, spool.path("audit.jsonl")] {
        let v = Command::new(BIN).args(["audit", "verify"]).arg(&f).output().unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    }
    // An archive name that exists is refused: nothing is overwritten.
    let again = Command::new(BIN)
        .args(["audit", "roll"])
        .arg(spool.path("audit.jsonl"))
        .arg(spool.path("audit.1.jsonl"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}
