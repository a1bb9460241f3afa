//! What operators see (issue 21): the Prometheus metrics checked by `promtool check metrics`, the
//! status page rendered by headless Chromium, and the listener's limits (read-only, confined, no
//! content).
//!
//! promtool (Debian `prometheus`) and chromium (Debian `chromium`) are installed by `.ci/run`;
//! a test that cannot find one FAILS under CI (`CI=true`) and says SKIPPED otherwise.

mod daemon_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daemon_support::{BIN, Log, Running, Spool, red, releasable};

/// The address the metrics listener logged it listens on.
fn listening(log: &mut Log) -> String {
    let line = log.wait_for(&["metrics and status listening"], 30);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    v["fields"]["listen"].as_str().unwrap().to_string()
}

/// A tool the test needs: its path, or `None` (SKIPPED) — a panic under CI.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`{name}` is not installed; `.ci/run` installs it (apt-get install prometheus chromium)"
        );
        eprintln!("SKIPPED: `{name}` is not installed (apt-get install prometheus chromium)");
    }
    found
}

/// One HTTP exchange on a fresh connection: status line and headers, and the body.
fn http(addr: &str, request: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

fn get(addr: &str, path: &str) -> String {
    let (head, body) = http(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body
}

/// The daemon with `[metrics]` on port 0 and one route, messages in its inbox.
fn daemon(spool: &Spool, extra_env: &[(&str, &str)]) -> (Running, Log, String) {
    let cfg = std::fs::read_to_string(spool.config()).unwrap();
    std::fs::write(spool.config(), format!("[metrics]\nlisten = \"127.0.0.1:0\"\n{cfg}")).unwrap();
    let mut c = Command::new(BIN);
    c.args(["--log-format", "json", "run", "--config"])
        .arg(spool.config())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let mut child = Running(c.spawn().unwrap());
    let mut log = Log::of(&mut child.0);
    let addr = listening(&mut log);
    (child, log, addr)
}

/// Scrape until `want` is in the text (the committer posts right after the audit sync).
fn scrape_until(addr: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = get(addr, "/metrics");
        if text.contains(want) {
            return text;
        }
        assert!(Instant::now() < deadline, "no `{want}` in:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn promtool_check(text: &str) {
    let Some(promtool) = tool("promtool") else { return };
    let mut p = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    p.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = p.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n--- on:\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Its lint (naming conventions, `_total` on counters, units) reports findings on stdout:
    // there must be none.
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool findings: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const SECRET_NAME: &str = "advisory-do-not-leak-name.json";

#[test]
fn metrics_count_what_the_audit_log_records_and_pass_promtool() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    spool.put("inbox", "a.json", &releasable(1));
    spool.put("inbox", SECRET_NAME, &red(2));
    spool.put("inbox", "c.json", b"not json at all");
    let (child, _log, addr) = daemon(&spool, &[]);
    let records = spool.wait_records(3, 60);
    let text = scrape_until(&addr, r#"sekisho_audit_head_sequence{channel="c"} 2"#);
    let released = records.iter().filter(|r| r["verdict"] == "released").count();
    assert_eq!(released, 1, "{records:?}");
    for want in [
        r#"sekisho_messages_total{channel="c",route="jpn",verdict="released",reason=""} 1"#,
        r#"sekisho_messages_total{channel="c",route="jpn",verdict="quarantined",reason="policy-rejection"} 1"#,
        r#"sekisho_messages_total{channel="c",route="jpn",verdict="quarantined",reason="parse-error"} 1"#,
        r#"sekisho_messages_total{channel="c",route="jpn",verdict="quarantined",reason="verifier-disagrees"} 0"#,
        r#"sekisho_latency_seconds_count{channel="c",lane="routine"} 3"#,
        r#"sekisho_verifier_disagreements_total{channel="c",route="jpn"} 0"#,
        r#"sekisho_queue_depth{channel="c"} 0"#,
        "# TYPE sekisho_latency_seconds histogram",
        "# TYPE sekisho_rule_hits_total counter",
        "# TYPE sekisho_objects_dropped_total counter",
        "# TYPE sekisho_redactions_total counter",
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
    // The bytes of each verdict are the audit records' input bytes.
    let bytes: u64 = records
        .iter()
        .filter(|r| r["verdict"] == "released")
        .map(|r| r["input_bytes"].as_u64().unwrap())
        .sum();
    assert!(
        text.contains(&format!(
            r#"sekisho_message_bytes_total{{channel="c",route="jpn",verdict="released",reason=""}} {bytes}"#
        )),
        "{text}"
    );
    // Every rule the records name is counted.
    for r in &records {
        for rule in r["rules"].as_array().unwrap() {
            let rule = rule.as_str().unwrap();
            assert!(
                text.contains(&format!(
                    r#"sekisho_rule_hits_total{{channel="c",route="jpn",rule="{rule}"}}"#
                )),
                "rule `{rule}` not counted:\n{text}"
            );
        }
    }
    let policy_sha = records[0]["policy_sha256"].as_str().unwrap();
    assert!(text.contains(policy_sha), "{text}");
    // Never a file name or content.
    assert!(
        !text.contains("do-not-leak") && !text.contains("not json at all"),
        "{text}"
    );
    promtool_check(&text);
    drop(child);
}

#[test]
fn the_listener_is_read_only_and_answers_only_get_and_head() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    let (child, _log, addr) = daemon(&spool, &[]);
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let (head, _) = http(
            &addr,
            &format!("{method} /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
        );
        assert!(head.starts_with("HTTP/1.1 405"), "{method}: {head}");
        assert!(head.contains("Allow: GET, HEAD"), "{head}");
    }
    let (head, body) = http(&addr, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("text/html"), "{head}");
    assert!(body.is_empty(), "a HEAD answer has no body: {body}");
    let (head, _) = http(&addr, "GET /audit.jsonl HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (head, _) = http(&addr, "GET /../quarantine HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (head, _) = http(&addr, "this is not http\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(10_000));
    let (head, _) = http(&addr, &huge);
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
    // The page forbids scripts outright.
    let (head, _) = http(&addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.contains("Content-Security-Policy: default-src 'none'"), "{head}");
    // A client that sends a byte now and then holds the listener for at most the head's
    // deadline (2 s), not for as long as it likes.
    let mut slow = TcpStream::connect(&addr).unwrap();
    let dripping = std::thread::spawn(move || {
        for b in b"GET /metrics HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    assert!(get(&addr, "/metrics").contains("sekisho_messages_total"));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    dripping.join().unwrap();
    // Still serving after all that.
    assert!(get(&addr, "/metrics").contains("sekisho_messages_total"));
    drop(child);
}

#[test]
fn the_listener_thread_is_confined_on_its_own() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    let (child, mut log, addr) = daemon(&spool, &[("SEKISHO_TEST_SANDBOX_PROBE", "1")]);
    let probe = log.wait_for(&["sandbox probe", "the operators' listener"], 30);
    // It cannot make a socket (so no send to anywhere)...
    assert!(probe.contains("\"send\":\"denied"), "{probe}");
    // ...nor open a file, where the kernel has Landlock.
    let confined = log.wait_for(&["confined", "the operators' listener"], 30);
    if confined.contains("fully enforced") {
        assert!(probe.contains("\"open\":\"denied"), "{probe}");
    } else {
        eprintln!("SKIPPED (open): this kernel has no Landlock");
    }
    // The thread named `metrics` runs under a seccomp filter.
    let pid = child.0.id();
    let mut found = false;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let task = task.unwrap().path();
        if std::fs::read_to_string(task.join("comm")).unwrap_or_default().trim() == "metrics" {
            found = true;
            let status = std::fs::read_to_string(task.join("status")).unwrap();
            assert!(status.contains("Seccomp:\t2"), "{status}");
        }
    }
    assert!(found, "no `metrics` thread");
    // And it still answers.
    assert!(get(&addr, "/").contains("sekisho status"));
    drop(child);
}

#[test]
fn the_status_page_renders_in_headless_chromium() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    spool.put("inbox", "a.json", &releasable(7));
    spool.put("inbox", SECRET_NAME, &red(8));
    let (child, _log, addr) = daemon(&spool, &[]);
    let records = spool.wait_records(2, 60);
    scrape_until(&addr, r#"sekisho_audit_head_sequence{channel="c"} 1"#);
    let html = get(&addr, "/");
    assert!(!html.contains("<script"), "{html}");
    let Some(chromium) = tool("chromium") else { return };
    let profile = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/");
    let chrome = |extra: &[&str]| {
        Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let out = chrome(&["--dump-dom"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dom = String::from_utf8(out.stdout).unwrap();
    // The rendered document: the channel, its counts, the last decisions by input id, the
    // quarantine by reason, the audit head, the sandboxes, the policy's SHA-256.
    assert!(dom.contains("<h1>sekisho status</h1>"), "{dom}");
    assert!(dom.contains("Channel <code>c</code>"), "{dom}");
    for r in &records {
        assert!(dom.contains(r["input_id"].as_str().unwrap()), "input id missing: {dom}");
    }
    assert!(dom.contains(records[0]["policy_sha256"].as_str().unwrap()), "{dom}");
    assert!(dom.contains("policy-rejection"), "{dom}");
    assert!(
        dom.contains("Audit head: <span class=\"audit-head\">record 1</span>"),
        "{dom}"
    );
    assert!(dom.contains("operators' listener"), "{dom}");
    assert!(dom.contains("class=\"released\""), "{dom}");
    // Never a file name or content.
    assert!(!dom.contains("do-not-leak"), "{dom}");
    // A screenshot: a real PNG of the rendered page. `SEKISHO_STATUS_SCREENSHOT=path` keeps it
    // (docs/status-page.png was made so).
    let shot = profile.path().join("status.png");
    let out = chrome(&[&format!("--screenshot={}", shot.display()), "--window-size=1200,1500"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    if let Some(keep) = std::env::var_os("SEKISHO_STATUS_SCREENSHOT") {
        std::fs::copy(&shot, Path::new(&keep)).unwrap();
    }
    drop(child);
}

#[test]
fn receive_serves_the_diode_counters_and_they_pass_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let into = dir.path().join("into");
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut rx = Running(
        Command::new(BIN)
            .args([
                "--log-format",
                "json",
                "receive",
                "--metrics-listen",
                "127.0.0.1:0",
                "--listen",
                &listen,
            ])
            .arg("--into")
            .arg(&into)
            .arg("--key")
            .arg(&key)
            .env("SEKISHO_TEST_SANDBOX_PROBE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut log = Log::of(&mut rx.0);
    let addr = listening(&mut log);
    // The receiver is still unable to send, with a listener beside it.
    let probe = log.wait_for(&["sandbox probe", "the diode receiver"], 30);
    assert!(probe.contains("\"send\":\"denied"), "{probe}");
    let src = dir.path().join("m.json");
    std::fs::write(&src, b"{\"a\":1}").unwrap();
    let sent = Command::new(BIN)
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success());
    let text = scrape_until(&addr, "sekisho_diode_messages_received_total 1");
    for want in [
        "sekisho_diode_messages_lost_total 0",
        "sekisho_diode_blocks_repaired_total 0",
        "sekisho_diode_received_bytes_total 7",
        r#"sekisho_diode_datagrams_dropped_total{reason="forged"} 0"#,
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
    promtool_check(&text);
    // No status page on the receiver; still read-only.
    let (head, _) = http(&addr, "GET / HTTP/1.1\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (head, _) = http(&addr, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
    drop(rx);
}
