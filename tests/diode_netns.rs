//! End to end between two network namespaces joined by a veth pair (issue 6), with 5 % loss made
//! by an nftables rule on the receiving side (`numgen random mod 100 < 5 drop`; no netem here).
//!
//! The test runs this same test binary inside each namespace (`ip netns exec NS <exe> --exact
//! helper --ignored`); the helpers do nothing unless `SEKISHO_NETNS_ROLE` is set. It is skipped,
//! with a message, when not root or when namespaces, veth or nft are unavailable.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sekisho::diode;

const PORT: u16 = 47_006;
const FILES: usize = 12;

fn sh(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Deletes the namespaces (and with them the veth pair and the nft table) when dropped.
struct Namespaces {
    tx: String,
    rx: String,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        sh(&["ip", "netns", "del", &self.tx]);
        sh(&["ip", "netns", "del", &self.rx]);
    }
}

fn setup(tx: &str, rx: &str) -> Result<Namespaces, String> {
    if !sh(&["ip", "netns", "add", tx]) {
        return Err("`ip netns add` failed (not root, or no namespace support)".into());
    }
    let ns = Namespaces {
        tx: tx.into(),
        rx: rx.into(),
    };
    let steps: [&[&str]; 9] = [
        &["ip", "netns", "add", rx],
        &[
            "ip", "-n", tx, "link", "add", "sk0", "type", "veth", "peer", "name", "sk1", "netns", rx,
        ],
        // The sender hands the kernel runs of datagrams joined (UDP segmentation offload); a
        // veth pair would carry a run whole, so that the loss rule dropped runs. A real link
        // carries datagrams: the kernel cuts each run before sk0, as for a NIC that cannot.
        &["ip", "-n", tx, "link", "set", "sk0", "gso_max_segs", "1"],
        &["ip", "-n", tx, "addr", "add", "10.231.6.1/24", "dev", "sk0"],
        &["ip", "-n", rx, "addr", "add", "10.231.6.2/24", "dev", "sk1"],
        &["ip", "-n", tx, "link", "set", "sk0", "up"],
        &["ip", "-n", rx, "link", "set", "sk1", "up"],
        &["ip", "-n", tx, "link", "set", "lo", "up"],
        &["ip", "-n", rx, "link", "set", "lo", "up"],
    ];
    for step in steps {
        if !sh(step) {
            return Err(format!("`{}` failed", step.join(" ")));
        }
    }
    let rules = format!(
        "table inet sekisho_loss {{\n chain input {{\n  type filter hook input priority 0;\n  \
         udp dport {PORT} numgen random mod 100 < 5 drop\n }}\n}}\n"
    );
    let nft = Command::new("ip")
        .args(["netns", "exec", rx, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().map(|mut s| s.write_all(rules.as_bytes())).transpose()?;
            c.wait()
        });
    if !nft.is_ok_and(|s| s.success()) {
        return Err("nft is unavailable in the namespace".into());
    }
    Ok(ns)
}

fn helper(ns: &str, role: &str, dir: &Path) -> std::io::Result<std::process::Child> {
    let exe = std::env::current_exe()?;
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(exe)
        .args(["--exact", &format!("helper_{role}"), "--ignored", "--nocapture"])
        .env("SEKISHO_NETNS_ROLE", role)
        .env("SEKISHO_NETNS_DIR", dir)
        .spawn()
}

#[test]
fn delivers_files_across_namespaces_at_5_percent_loss() {
    let pid = std::process::id();
    let (tx, rx) = (format!("sk-tx-{pid}"), format!("sk-rx-{pid}"));
    let _ns = match setup(&tx, &rx) {
        Ok(ns) => ns,
        Err(why) => {
            println!("skipped: cannot build network namespaces: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("diode.key"), [0x42; 32]).unwrap();
    let outbox = dir.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    let mut expected = Vec::new();
    for i in 0..FILES {
        let data: Vec<u8> = (0..(1usize << (i % 12)) * 97).map(|j| (j * 7 + i) as u8).collect();
        std::fs::write(outbox.join(format!("m{i:02}")), &data).unwrap();
        expected.push(sha256_hex(&data));
    }
    let mut receiver = helper(&rx, "receive", dir.path()).unwrap();
    // Send only once the receiver listens: starting a process in a namespace can take seconds
    // on a loaded machine, and datagrams sent before the bind are lost whole (the flake this
    // replaced was a fixed 300 ms sleep here).
    let ready = dir.path().join("receiver.ready");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready.exists() {
        if let Some(status) = receiver.try_wait().unwrap() {
            panic!("the receiver exited before it listened: {status}");
        }
        assert!(Instant::now() < deadline, "the receiver did not listen within 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = helper(&tx, "send", dir.path()).unwrap().wait().unwrap();
    assert!(sent.success());
    let status = receiver.wait().unwrap();
    assert!(status.success());
    let inbox = dir.path().join("inbox");
    for name in &expected {
        assert!(inbox.join(name).exists(), "{name} missing");
    }
    let audit = std::fs::read_to_string(dir.path().join("inbox.diode-audit.jsonl")).unwrap();
    assert_eq!(
        audit.lines().filter(|l| l.contains("\"received\"")).count(),
        FILES,
        "{audit}"
    );
}

#[test]
#[ignore = "runs inside a namespace, started by delivers_files_across_namespaces_at_5_percent_loss"]
fn helper_receive() {
    let Some(dir) = role_dir("receive") else { return };
    let inbox = dir.join("inbox");
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            // Only an upper bound: the receiver stops as soon as every file is in.
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline
                && std::fs::read_dir(&inbox).map_or(0, |d| {
                    d.filter_map(Result::ok)
                        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                        .count()
                }) < FILES
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            stop.store(true, Ordering::Relaxed);
        });
        let key = diode::Key::from_file(&dir.join("diode.key")).unwrap();
        let cfg = diode::ReceiverConfig::new(format!("10.231.6.2:{PORT}").parse().unwrap(), inbox.clone(), key);
        let ready = dir.join("receiver.ready");
        let stats = diode::run_receiver_with(cfg, &stop, |_| std::fs::write(&ready, b"").unwrap()).unwrap();
        println!("receiver: {stats:?}");
    });
}

#[test]
#[ignore = "runs inside a namespace, started by delivers_files_across_namespaces_at_5_percent_loss"]
fn helper_send() {
    let Some(dir) = role_dir("send") else { return };
    // 25 % repair symbols: the kernel's loss is truly random, and at 10 % a 142-symbol block
    // receives too few symbols about once in 500 runs (three standard deviations of a binomial).
    // The exact claim "5 % loss, 10 % overhead, every message" is made by tests/diode.rs, whose
    // loss shim is deterministic.
    let summary = diode::cli_send(
        &format!("10.231.6.2:{PORT}"),
        diode::SendOptions {
            rate: diode::Rate::Fixed(20_000_000),
            overhead_percent: 25,
            mtu: 1472,
            max_message_bytes: diode::DEFAULT_MAX_MESSAGE_BYTES,
        },
        &dir.join("diode.key"),
        &[dir.join("outbox")],
    )
    .unwrap();
    println!("sender: {:?}", summary.stats);
}

fn role_dir(role: &str) -> Option<PathBuf> {
    (std::env::var("SEKISHO_NETNS_ROLE").ok()? == role)
        .then(|| std::env::var_os("SEKISHO_NETNS_DIR").map(PathBuf::from))?
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}
