//! `sekisho send` and `sekisho receive` through the binary, on loopback.

use std::process::{Command, Stdio};
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
    std::thread::sleep(Duration::from_millis(300));
    let sent = Command::new(bin())
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&into).unwrap().count() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGTERM: the receiver stops cleanly and reports.
    let _ = Command::new("kill").arg(rx.id().to_string()).status();
    let status = rx.wait().unwrap();
    assert!(status.success());
    let mut got: Vec<Vec<u8>> = std::fs::read_dir(&into)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
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
