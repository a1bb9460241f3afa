//! `sekisho send` and `sekisho receive` through the binary, on loopback.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("sekisho")
}

#[test]
fn sends_a_directory_to_a_receiver_that_writes_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let (src, into) = (dir.path().join("src"), dir.path().join("into"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(&into).unwrap();
    for n in 0..5 {
        std::fs::write(
            src.join(format!("m{n}.json")),
            format!("{{\"n\":{n}}}").repeat(200 * (n + 1)),
        )
        .unwrap();
    }
    // A free port: bind, read it, release it.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut rx = Command::new(bin())
        .args(["receive", "--listen", &listen, "--into"])
        .arg(&into)
        .arg("--key")
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_bound(&listen);
    let sent = Command::new(bin())
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let deadline = Instant::now() + Duration::from_secs(10);
    while spool_files(&into).len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGTERM: the receiver stops cleanly and reports.
    let _ = Command::new("kill").arg(rx.id().to_string()).status();
    let status = rx.wait().unwrap();
    assert!(status.success());
    let mut got: Vec<Vec<u8>> = spool_files(&into)
        .iter()
        .map(|n| std::fs::read(into.join(n)).unwrap())
        .collect();
    got.sort();
    let mut want: Vec<Vec<u8>> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn refuses_a_short_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, b"short").unwrap();
    let out = Command::new(bin())
        .args(["send", "--to", "127.0.0.1:9", "--key"])
        .arg(&key)
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The messages in a spool: every file whose name does not start with a dot.
fn spool_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_receiver(listen: &str, into: &Path, key: &Path) -> Child {
    Command::new(bin())
        .args(["receive", "--listen", listen, "--into"])
        .arg(into)
        .arg("--key")
        .arg(key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SIGTERM, then the receiver's JSON summary from stdout.
fn stop_receiver(rx: Child) -> serde_json::Value {
    let _ = Command::new("kill").arg(rx.id().to_string()).status();
    let out = rx.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Wait until something listens on `listen`'s UDP port (the receiver is up), at most 30 s.
/// Reads /proc/net/udp rather than probing with a bind, which could take the port from it.
fn wait_bound(listen: &str) {
    let port = listen.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).unwrap();
    let needle = format!(":{port:04X} ");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
        if table.lines().skip(1).any(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|a| format!("{a} ").ends_with(&needle))
        }) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_for(what: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !what() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn replay(capture: &[Vec<u8>], to: &str) {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for chunk in capture.chunks(64) {
        for d in chunk {
            s.send_to(d, to).unwrap();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn restarted_receiver_writes_nothing_twice_from_a_replayed_capture() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [9u8; 32]).unwrap();
    let (src, into) = (dir.path().join("src"), dir.path().join("into"));
    std::fs::create_dir_all(&src).unwrap();
    for n in 0..3 {
        std::fs::write(src.join(format!("m{n}")), format!("message {n} ").repeat(500 * (n + 1))).unwrap();
    }
    // Record what `sekisho send` puts on the wire, as a tap on the diode's link would.
    let tap = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    tap.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let tap_addr = tap.local_addr().unwrap().to_string();
    let sent = Command::new(bin())
        .args(["send", "--to", &tap_addr, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let mut capture = Vec::new();
    let mut buf = [0u8; 2048];
    while let Ok(n) = tap.recv(&mut buf) {
        capture.push(buf[..n].to_vec());
    }
    assert!(capture.len() > 10);

    let listen = format!("127.0.0.1:{}", free_port());
    let rx = start_receiver(&listen, &into, &key);
    wait_bound(&listen);
    replay(&capture, &listen);
    wait_for(|| spool_files(&into).len() == 3);
    let first = stop_receiver(rx);
    assert_eq!(first["written"], 3, "{first}");
    let delivered = spool_files(&into);
    for n in &delivered {
        std::fs::remove_file(into.join(n)).unwrap(); // taken by the next stage
    }

    // Restart, replay the same capture, then send a new file in a new session.
    let rx = start_receiver(&listen, &into, &key);
    wait_bound(&listen);
    replay(&capture, &listen);
    let fresh = src.join("fresh");
    std::fs::write(&fresh, b"a message from a new sender session").unwrap();
    let sent = Command::new(bin())
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    wait_for(|| !spool_files(&into).is_empty());
    let second = stop_receiver(rx);
    assert_eq!(second["written"], 1, "{second}");
    assert!(second["reassembly"]["dropped_surplus"].as_u64().unwrap() >= capture.len() as u64 - 2);
    let got = spool_files(&into);
    assert_eq!(got.len(), 1);
    assert_eq!(
        std::fs::read(into.join(&got[0])).unwrap(),
        b"a message from a new sender session"
    );
    let audit = std::fs::read_to_string(dir.path().join("into.diode-audit.jsonl")).unwrap();
    assert_eq!(audit.matches("\"received\"").count(), 4, "{audit}");
}

#[test]
fn receiver_refuses_a_corrupt_state_file_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [9u8; 32]).unwrap();
    let into = dir.path().join("into");
    std::fs::create_dir_all(&into).unwrap();
    std::fs::write(into.join(".sekisho-diode-state"), b"garbage").unwrap();
    let out = Command::new(bin())
        .args(["receive", "--listen", "127.0.0.1:0", "--into"])
        .arg(&into)
        .arg("--key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".sekisho-diode-state") && err.contains("remove"), "{err}");
}

fn start_receiver_with(listen: &str, into: &Path, key: &Path, extra: &[&str]) -> Child {
    Command::new(bin())
        .args(["receive", "--listen", listen, "--into"])
        .arg(into)
        .arg("--key")
        .arg(key)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn audit_records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn both_ends_refuse_a_message_over_max_message_bytes_and_the_receiver_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [5u8; 32]).unwrap();
    let (src, into) = (dir.path().join("src"), dir.path().join("into"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a-big"), vec![b'x'; 5000]).unwrap();
    std::fs::write(src.join("b-small"), b"small").unwrap();

    // The sender refuses, naming the file and the limit, and sends nothing at all.
    let tap = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    tap.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let out = Command::new(bin())
        .args(["send", "--max-message-bytes", "1000", "--to"])
        .arg(tap.local_addr().unwrap().to_string())
        .arg("--key")
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a-big") && err.contains("5000") && err.contains("1000") && err.contains("too-large"),
        "{err}"
    );
    assert!(tap.recv(&mut [0u8; 2048]).is_err(), "nothing may be sent");

    // A sender with a larger limit: the receiver names the message lost, too-large, with its
    // sequence number, and counts it.
    let listen = format!("127.0.0.1:{}", free_port());
    let rx = start_receiver_with(&listen, &into, &key, &["--max-message-bytes", "1000"]);
    wait_bound(&listen);
    let sent = Command::new(bin())
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    wait_for(|| spool_files(&into).len() == 1);
    let audit = dir.path().join("into.diode-audit.jsonl");
    wait_for(|| audit_records(&audit).iter().any(|r| r["event"] == "lost"));
    let stats = stop_receiver(rx);
    assert_eq!(stats["written"], 1, "{stats}");
    assert_eq!(stats["reassembly"]["lost_by_reason"]["too-large"], 1, "{stats}");
    let lost: Vec<_> = audit_records(&audit)
        .into_iter()
        .filter(|r| r["event"] == "lost")
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0]["reason"], "too-large");
    assert_eq!(lost[0]["message_seq"], 1);
}

/// Megabytes of the large-file test: 300 by default (`SEKISHO_DIODE_BIG_MIB` to change; the
/// 1 GiB figure comes from `scripts/bench-diode-big.sh` with the release binary).
fn big_mib() -> u64 {
    std::env::var("SEKISHO_DIODE_BIG_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Peak resident memory of a process, in KiB (`VmHWM`).
fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

#[test]
fn streams_a_300_mib_file_end_to_end_with_receiver_memory_bounded() {
    use sha2::Digest;
    use std::io::Write;
    let mib = big_mib();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [3u8; 32]).unwrap();
    let into = dir.path().join("into");
    let file = dir.path().join("big.bin");
    let mut sha = sha2::Sha256::new();
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..mib {
            for w in chunk.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.copy_from_slice(&x.to_le_bytes());
            }
            sha.update(&chunk);
            f.write_all(&chunk).unwrap();
        }
    }
    let want = hex::encode(sha.finalize());
    let listen = format!("127.0.0.1:{}", free_port());
    let rx = start_receiver_with(&listen, &into, &key, &[]);
    let pid = rx.id();
    wait_bound(&listen);
    let started = Instant::now();
    // Paced, so that a debug-build receiver keeps up (the release figures come from the script).
    let sent = Command::new(bin())
        .args([
            "send",
            "--rate",
            "120000000",
            "--overhead",
            "5",
            "--to",
            &listen,
            "--key",
        ])
        .arg(&key)
        .arg(&file)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let deadline = Instant::now() + Duration::from_secs(600);
    while spool_files(&into).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = started.elapsed();
    let hwm = vm_hwm_kib(pid);
    let stats = stop_receiver(rx);
    println!(
        "{mib} MiB in {:.1} s ({:.0} Mbit/s), receiver peak RSS {} MiB, {stats}",
        took.as_secs_f64(),
        (mib as f64 * 8.388_608) / took.as_secs_f64(),
        hwm / 1024
    );
    assert_eq!(spool_files(&into), std::slice::from_ref(&want), "{stats}");
    assert_eq!(stats["reassembly"]["spilled"], 1, "{stats}");
    assert!(hwm > 0 && hwm < 256 * 1024, "receiver peak RSS {hwm} KiB");
    // The spooled file is the file.
    let mut got = sha2::Sha256::new();
    let mut f = std::fs::File::open(into.join(&want)).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.update(&buf[..n]);
    }
    assert_eq!(hex::encode(got.finalize()), want);
}

#[test]
fn send_paces_by_default_and_says_why_and_refuses_a_zero_rate() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let file = dir.path().join("m.json");
    std::fs::write(&file, b"{\"a\":1}").unwrap();
    // Nobody listens: UDP sends anyway (a diode never hears back).
    let to = format!("127.0.0.1:{}", free_port());
    let send = |rate: Option<&str>| {
        let mut c = Command::new(bin());
        c.args(["send", "--to", &to, "--key"]).arg(&key);
        if let Some(r) = rate {
            c.args(["--rate", r]);
        }
        c.arg(&file).output().unwrap()
    };
    let pacing = |out: &std::process::Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["pacing"].clone()
    };
    let auto = pacing(&send(None));
    assert_eq!(auto["rate"], sekisho::diode::DEFAULT_RATE, "{auto}");
    assert_eq!(auto["source"], "default (loopback)", "{auto}");
    assert_eq!(pacing(&send(Some("auto"))), auto);
    let fixed = pacing(&send(Some("125M")));
    assert_eq!(
        (fixed["rate"].as_u64(), fixed["source"].as_str()),
        (Some(125_000_000), Some("--rate"))
    );
    let unpaced = pacing(&send(Some("unpaced")));
    assert!(unpaced["rate"].is_null(), "{unpaced}");
    for bad in ["0", "fast", "1.5G"] {
        let out = send(Some(bad));
        assert_eq!(out.status.code(), Some(2), "--rate {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("rate"), "--rate {bad}");
    }
}

//--- case: a directory of many small files with large ones among them (issue 18: the small
// files are read on a thread of their own while the runs before them are sent): every file
// arrives once, and each file's sequence number is its place in the sorted names.
#[test]
fn sends_small_and_large_files_in_name_order_each_once() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [5u8; 32]).unwrap();
    let (src, into) = (dir.path().join("src"), dir.path().join("into"));
    std::fs::create_dir_all(&src).unwrap();
    let mut names = Vec::new();
    for n in 0..3000u32 {
        let name = format!("m{n:05}");
        // Two large files among the small ones: one of several blocks, one just over a pack item.
        let body: Vec<u8> = match n {
            1200 => (0..3_000_000u32).map(|i| (i % 251) as u8).collect(),
            2500 => vec![b'x'; 70_000],
            0 => Vec::new(),
            _ => format!("{{\"n\":{n}}}").repeat(1 + (n as usize % 40)).into_bytes(),
        };
        std::fs::write(src.join(&name), &body).unwrap();
        names.push(hex::encode(sha2::Sha256::digest(&body)));
    }
    let listen = format!("127.0.0.1:{}", free_port());
    let rx = start_receiver_with(&listen, &into, &key, &[]);
    wait_bound(&listen);
    let sent = Command::new(bin())
        .args(["send", "--rate", "100000000", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    wait_for(|| spool_files(&into).len() >= distinct.len());
    let stats = stop_receiver(rx);
    assert_eq!(spool_files(&into).len(), distinct.len(), "{stats}");
    assert_eq!(stats["reassembly"]["lost"], 0, "{stats}");
    let audit = dir.path().join("into.diode-audit.jsonl");
    let mut by_seq: Vec<(u64, String)> = audit_records(&audit)
        .into_iter()
        .filter(|r| r["event"] == "received" || r["event"] == "duplicate")
        .map(|r| {
            (
                r["message_seq"].as_u64().unwrap(),
                r["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    by_seq.sort();
    let seqs: Vec<u64> = by_seq.iter().map(|(q, _)| *q).collect();
    let first = seqs[0];
    assert_eq!(seqs, (first..first + 3000).collect::<Vec<_>>());
    let shas: Vec<String> = by_seq.into_iter().map(|(_, s)| s).collect();
    assert_eq!(shas, names);
}
