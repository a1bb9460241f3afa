//! Progress on long CLI work (issue 21): a bar on stderr when it is a terminal, nothing at all
//! otherwise — `policy diff` over a corpus, `send` of a big file, `audit verify` of a long log.
//!
//! The terminal case runs the binary under `script` (util-linux), which gives it a pseudo-terminal;
//! it FAILS under CI (`CI=true`) when `script` is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sekisho");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An audit log of `n` records, written through the library.
fn long_log(dir: &Path, n: u64) -> PathBuf {
    let path = dir.join("audit.jsonl");
    let (mut log, _) = sekisho::audit::AuditLog::open(&path).unwrap();
    for i in 0..n {
        let mut r = sekisho::audit::Record {
            time: "2026-12-05T06:00:00.000Z".into(),
            channel: "c".into(),
            route: "jpn".into(),
            input: format!("m{i}.json"),
            input_id: format!("{i}-0-10"),
            lane: "routine".into(),
            ..Default::default()
        };
        log.append(&mut r).unwrap();
    }
    log.sync().unwrap();
    path
}

/// No carriage return, no escape sequence: nothing drawn.
fn assert_nothing_drawn(what: &str, o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains('\r') && !err.contains('\x1b') && !err.contains("[====") && !err.contains("left)"),
        "{what}: drew on a stderr that is not a terminal: {err:?}"
    );
}

#[test]
fn progress_is_silent_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // audit verify: exactly its one line on stdout, nothing on stderr.
    let log = long_log(dir.path(), 20_000);
    let o = Command::new(BIN).args(["audit", "verify"]).arg(&log).output().unwrap();
    assert!(o.status.success());
    assert!(o.stderr.is_empty(), "{:?}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        format!("{}: 20000 records, chain intact\n", log.display())
    );
    // policy diff over a corpus: only its summary on stderr.
    let policy = root().join("policies/us-to-jpn.toml");
    let o = Command::new(BIN)
        .args(["policy", "diff"])
        .arg(&policy)
        .arg(&policy)
        .arg("--corpus")
        .arg(root().join("policies/us-to-jpn/tests"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert!(
        err.starts_with("0 of ") && err.ends_with(" messages change\n") && err.lines().count() == 1,
        "{err:?}"
    );
    assert_nothing_drawn("policy diff", &o);
    // send of a big file (4 MiB) to a socket nobody reads: logs maybe, a bar never.
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![0x5a; 4 << 20]).unwrap();
    let sink = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = sink.local_addr().unwrap().to_string();
    let o = Command::new(BIN)
        .args(["--log-format", "json", "send", "--to", &to, "--key"])
        .arg(&key)
        .arg(&big)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_nothing_drawn("send", &o);
    // Whatever it logged is JSON lines (nothing else in between).
    for l in String::from_utf8_lossy(&o.stderr).lines() {
        assert!(serde_json::from_str::<serde_json::Value>(l).is_ok(), "{l:?}");
    }
}

#[test]
fn progress_is_drawn_when_stderr_is_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`script` (util-linux) is missing: it gives the binary a terminal"
        );
        eprintln!("SKIPPED: `script` (util-linux) is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = long_log(dir.path(), 20_000);
    // Under `script`, the binary's stdin, stdout and stderr are a pseudo-terminal; what it drew is
    // in `script`'s output.
    let o = Command::new("script")
        .args(["-qec"])
        .arg(format!("{BIN} audit verify {}", log.display()))
        .arg("/dev/null")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.contains("audit verify ["), "no bar: {shown:?}");
    assert!(shown.contains("\x1b[2K"), "the bar is cleared at the end: {shown:?}");
    assert!(shown.contains("20000 records, chain intact"), "{shown:?}");
    // policy diff and send draw theirs too.
    let policy = root().join("policies/us-to-jpn.toml");
    let corpus = root().join("policies/us-to-jpn/tests");
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![0x5a; 1 << 20]).unwrap();
    let sink = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = sink.local_addr().unwrap().to_string();
    for (cmd, bar) in [
        (
            format!(
                "{BIN} policy diff {p} {p} --corpus {}",
                corpus.display(),
                p = policy.display()
            ),
            "policy diff [",
        ),
        (
            format!("{BIN} send --to {to} --key {} {}", key.display(), big.display()),
            "send [",
        ),
    ] {
        let o = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{cmd}: {shown}");
        assert!(shown.contains(bar), "{cmd}: no bar: {shown:?}");
    }
}
