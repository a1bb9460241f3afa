//! A temporary guard installation for the daemon tests: inbox, outboxes, quarantine, audit log
//! and a configuration file, and helpers to feed it and read what it did.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sekisho");

pub fn policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")
}

/// A small releasable bundle (TLP CLEAR/GREEN), unique by `seed`.
pub fn releasable(seed: u64) -> Vec<u8> {
    sekisho::synth::bundle(seed, 3, |r| Some(r.below(2) as usize)).into_bytes()
}

/// A bundle of TLP RED only: nothing may go.
pub fn red(seed: u64) -> Vec<u8> {
    sekisho::synth::bundle(seed, 3, |_| Some(4)).into_bytes()
}

pub struct Spool {
    pub dir: tempfile::TempDir,
}

impl Spool {
    /// One channel `c` with the given routes (`name = output` lines are built from the names:
    /// each route writes to `out-<name>/`), plus extra channel settings.
    pub fn new(routes: &[&str], extra: &str) -> Spool {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = format!(
            "[[channel]]\nname = \"c\"\ninbox = \"inbox\"\nquarantine = \"quarantine\"\naudit = \"audit.jsonl\"\npoll_interval_ms = 20\n{extra}\ncreate = true\n"
        );
        for r in routes {
            cfg.push_str(&format!(
                "[[channel.route]]\nname = \"{r}\"\npolicy = \"{}\"\noutput = \"out-{r}\"\n",
                policy().display()
            ));
        }
        std::fs::write(dir.path().join("sekisho.toml"), cfg).unwrap();
        std::fs::create_dir_all(dir.path().join("inbox")).unwrap();
        Spool { dir }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    pub fn config(&self) -> PathBuf {
        self.path("sekisho.toml")
    }

    /// Write a message the way a producer must: a dot-name, then rename.
    pub fn put(&self, inbox: &str, name: impl AsRef<OsStr>, bytes: &[u8]) {
        let name = name.as_ref();
        let mut tmp = std::ffi::OsString::from(".");
        tmp.push(name);
        let dir = self.path(inbox);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&tmp), bytes).unwrap();
        std::fs::rename(dir.join(&tmp), dir.join(name)).unwrap();
    }

    pub fn run_once(&self) -> Output {
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--once", "--config"])
            .arg(self.config())
            .output()
            .unwrap()
    }

    pub fn spawn(&self, once: bool) -> Child {
        let mut c = Command::new(BIN);
        c.args(["--log-format", "json", "run", "--config"]).arg(self.config());
        if once {
            c.arg("--once");
        }
        c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    }

    /// The audit records, parsed.
    pub fn records(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.path("audit.jsonl")).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Wait until there are `n` audit records (or panic after `secs`).
    pub fn wait_records(&self, n: usize, secs: u64) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let r = self.records();
            if r.len() >= n {
                return r;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "only {} of {n} records",
                r.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Names in a directory (not starting with `.`).
    pub fn names(&self, dir: &str) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = std::fs::read_dir(self.path(dir))
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().as_bytes().to_vec())
                    .filter(|n| n.first() != Some(&b'.'))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// The record for input `name`.
pub fn record_for<'r>(records: &'r [serde_json::Value], name: &str) -> &'r serde_json::Value {
    records
        .iter()
        .find(|r| r["input"] == name)
        .unwrap_or_else(|| panic!("no record for {name:?} in {records:#?}"))
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Send SIGTERM.
pub fn terminate(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// A child killed when the test ends, so that a failed assertion does not leave it running.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child's stderr, read in the background, line by line.
pub struct Log {
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Log {
    pub fn of(child: &mut std::process::Child) -> Log {
        use std::io::BufRead;
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Log {
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line (so far, or within `secs`) that holds every one of `want`.
    pub fn wait_for(&mut self, want: &[&str], secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(l) = self.seen.iter().find(|l| want.iter().all(|w| l.contains(w))) {
                return l.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {want:?} in:\n{}",
                self.seen.join("\n")
            );
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.push(l);
            }
        }
    }
}
