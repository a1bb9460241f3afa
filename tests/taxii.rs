//! TAXII 2.1 in and out against a real server: the OASIS reference implementation, medallion
//! (memory backend), started by these tests on a loopback port from `target/taxii-venv`, where
//! `.ci/run` installs it. A machine without it fails these tests, naming the install step.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

const COLLECTION: &str = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

fn medallion() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/taxii-venv/bin/medallion");
    assert!(
        bin.exists(),
        "{} is missing: `.ci/run` installs the TAXII reference server there \
         (python3 -m venv target/taxii-venv && target/taxii-venv/bin/pip install medallion)",
        bin.display()
    );
    bin
}

/// A medallion server on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(max_page_size: usize) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let data = serde_json::json!({
            "/discovery": {
                "title": "sekisho test server",
                "default": format!("{base}/api1/"),
                "api_roots": [format!("{base}/api1/")]
            },
            "api1": {
                "information": {
                    "title": "partner",
                    "versions": ["application/taxii+json;version=2.1"],
                    "max_content_length": 10485760
                },
                "status": [],
                "collections": [{
                    "id": COLLECTION,
                    "title": "shared indicators",
                    "can_read": true,
                    "can_write": true,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": []
                }]
            }
        });
        let data_path = dir.path().join("data.json");
        std::fs::write(&data_path, data.to_string()).unwrap();
        let config = serde_json::json!({
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": data_path
            },
            "users": {"guard": "s3cret"},
            "taxii": {"max_page_size": max_page_size}
        });
        let config_path = dir.path().join("config.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let child = Command::new(medallion())
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--log-level",
                "WARN",
            ])
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("medallion starts");
        let server = Server { child, port, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "medallion did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn collection(&self) -> String {
        format!("taxii+http://127.0.0.1:{}/api1/collections/{COLLECTION}/", self.port)
    }
}

fn secret(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("secret");
    std::fs::write(&p, text).unwrap();
    p
}

fn indicator(n: usize) -> serde_json::Value {
    serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012x}"),
        "created": "2024-05-01T09:00:00.000Z", "modified": "2024-05-01T09:00:00.000Z",
        "name": format!("Indicator {n}"), "pattern": "[ipv4-addr:value = '203.0.113.7']",
        "pattern_type": "stix", "valid_from": "2024-05-01T00:00:00Z"
    })
}

fn bundle_file(dir: &Path, name: &str, ids: std::ops::Range<usize>) {
    let objects: Vec<_> = ids.map(indicator).collect();
    let b =
        serde_json::json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": objects});
    std::fs::write(dir.join(name), b.to_string()).unwrap();
}

fn sekisho() -> Command {
    let mut c = Command::cargo_bin("sekisho").unwrap();
    c.env("SEKISHO_LOG", "warn");
    c
}

/// Publish `count` indicators into the server's collection, in files of `per_file`.
fn publish(server: &Server, work: &Path, count: usize, per_file: usize) -> std::process::Output {
    let spool = work.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let mut n = 0;
    while n < count {
        let end = (n + per_file).min(count);
        bundle_file(&spool, &format!("m{n:04}.json"), n..end);
        n = end;
    }
    sekisho()
        .args(["publish", "--once", "--from"])
        .arg(&spool)
        .args(["--to", &server.collection(), "--basic-auth-file"])
        .arg(secret(work, "guard:s3cret"))
        .output()
        .unwrap()
}

/// The ids of every object in the bundles of `inbox`.
fn ids_in(inbox: &Path) -> (usize, BTreeSet<String>) {
    let mut files = 0;
    let mut ids = BTreeSet::new();
    for e in std::fs::read_dir(inbox).unwrap().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        files += 1;
        let b: serde_json::Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
        assert_eq!(b["type"], "bundle", "{name}");
        for o in b["objects"].as_array().unwrap() {
            ids.insert(o["id"].as_str().unwrap().to_string());
        }
    }
    (files, ids)
}

fn pull(server: &Server, work: &Path, limit: usize) -> Command {
    pull_from(&server.collection(), work, limit)
}

fn pull_from(collection: &str, work: &Path, limit: usize) -> Command {
    let mut c = sekisho();
    c.args(["taxii-pull", "--once", "--collection", collection, "--into"])
        .arg(work.join("inbox"))
        .arg("--state")
        .arg(work.join("cursor.json"))
        .args(["--limit", &limit.to_string(), "--basic-auth-file"])
        .arg(secret(work, "guard:s3cret"));
    c
}

#[test]
fn publishes_released_bundles_and_reads_them_back_page_by_page() {
    let server = Server::start(3);
    let work = tempfile::tempdir().unwrap();
    let out = publish(&server, work.path(), 7, 4);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(work.path().join("spool")).unwrap().collect();
    assert!(left.is_empty(), "published files leave the spool: {left:?}");

    // Publishing the same objects again is not a failure: the collection holds them already.
    let again = publish(&server, work.path(), 7, 7);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(std::fs::read_dir(work.path().join("spool")).unwrap().count(), 0);

    // The source pages through more objects than one page (the server's page is 3).
    std::fs::create_dir_all(work.path().join("inbox")).unwrap();
    let out = pull(&server, work.path(), 3).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (files, ids) = ids_in(&work.path().join("inbox"));
    assert_eq!(
        ids,
        (0..7)
            .map(|n| indicator(n)["id"].as_str().unwrap().to_string())
            .collect()
    );
    assert!(files >= 3, "one message per page: {files}");
    let cursor: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("cursor.json")).unwrap()).unwrap();
    assert!(
        cursor.get("added_after").is_some() && cursor.get("next").is_none(),
        "{cursor}"
    );

    // Caught up: nothing new arrives, nothing is written again.
    let out = pull(&server, work.path(), 3).output().unwrap();
    assert!(out.status.success());
    assert_eq!(ids_in(&work.path().join("inbox")).0, files);

    // New objects arrive after the cursor, and only they.
    publish(&server, work.path(), 9, 9);
    pull(&server, work.path(), 3).output().unwrap();
    let (_, ids) = ids_in(&work.path().join("inbox"));
    assert_eq!(ids.len(), 9);
}

#[test]
fn a_file_the_server_cannot_take_stays_with_its_reason_and_a_wrong_password_is_named() {
    let server = Server::start(100);
    let work = tempfile::tempdir().unwrap();
    let spool = work.path().join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    std::fs::write(spool.join("broken.json"), b"{\"type\": \"not-a-bundle\"}").unwrap();
    let out = sekisho()
        .args(["publish", "--once", "--from"])
        .arg(&spool)
        .args(["--to", &server.collection(), "--basic-auth-file"])
        .arg(secret(work.path(), "guard:s3cret"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(spool.join("broken.json").exists());
    let reason = std::fs::read_to_string(spool.join("broken.json.reason")).unwrap();
    assert!(reason.contains("not a STIX bundle"), "{reason}");

    bundle_file(&spool, "ok.json", 0..2);
    let out = sekisho()
        .args(["publish", "--once", "--from"])
        .arg(&spool)
        .args(["--to", &server.collection(), "--basic-auth-file"])
        .arg(secret(work.path(), "guard:wrong"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    // The same failure, counted for a metrics collector.
    let metrics = work.path().join("publish.prom");
    let out = sekisho()
        .args(["publish", "--once", "--from"])
        .arg(&spool)
        .args(["--to", &server.collection(), "--basic-auth-file"])
        .arg(secret(work.path(), "guard:wrong"))
        .arg("--metrics-file")
        .arg(&metrics)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        prom.contains("sekisho_taxii_failures_total{connector=\"publish\",kind=\"unauthorized\"} 1"),
        "{prom}"
    );
    assert!(
        prom.contains("sekisho_taxii_polls_total{connector=\"publish\",outcome=\"failed\"} 1"),
        "{prom}"
    );
    assert!(prom.contains("# TYPE sekisho_taxii_failures_total counter"), "{prom}");
    assert!(spool.join("ok.json").exists(), "nothing leaves the spool on an error");

    std::fs::create_dir_all(work.path().join("inbox")).unwrap();
    let nope = format!("http://127.0.0.1:{}/api1/collections/nope/", server.port);
    let out = pull_from(&nope, work.path(), 10).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 404"));
    assert!(
        !work.path().join("cursor.json").exists(),
        "a failed read moves no cursor"
    );
}

/// Kill the source at random moments while it pages through 120 objects three at a time, start
/// it again each time, then let it finish: every object arrives, each page once, none skipped.
/// The kill moments are drawn within the time an uninterrupted read takes on this machine.
#[test]
fn a_source_killed_at_any_moment_skips_no_page() {
    let server = Server::start(3);
    let work = tempfile::tempdir().unwrap();
    let out = publish(&server, work.path(), 120, 120);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // How long one whole read takes here: the quicker of two, each into a scratch inbox.
    let mut whole = u64::MAX;
    for _ in 0..2 {
        let scratch = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(scratch.path().join("inbox")).unwrap();
        let started = Instant::now();
        assert!(pull(&server, scratch.path(), 3).output().unwrap().status.success());
        whole = whole.min(started.elapsed().as_millis().max(20) as u64);
    }

    std::fs::create_dir_all(work.path().join("inbox")).unwrap();
    let mut seed: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut kills = 0;
    for _ in 0..40 {
        if kills >= 8 {
            break;
        }
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        // Early in a read: a restarted read first fetches again the pages it had done, so a kill
        // this early still interrupts it while it makes progress page by page.
        let delay = Duration::from_millis(whole / 20 + (seed >> 33) % (whole / 3).max(1));
        let mut child = pull(&server, work.path(), 3)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(
        kills >= 3,
        "only {kills} runs were interrupted (a whole read takes {whole} ms)"
    );
    eprintln!("{kills} runs killed mid-read (a whole read takes {whole} ms)");
    let out = pull(&server, work.path(), 3).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (files, ids) = ids_in(&work.path().join("inbox"));
    assert_eq!(ids.len(), 120, "every object arrived ({kills} kills)");
    assert_eq!(files, 40, "each page once, under its own name ({kills} kills)");
}

#[test]
fn lists_the_collections_a_server_offers() {
    let server = Server::start(100);
    let work = tempfile::tempdir().unwrap();
    let out = sekisho()
        .args([
            "taxii-collections",
            &format!("http://127.0.0.1:{}/taxii2/", server.port),
            "--basic-auth-file",
        ])
        .arg(secret(work.path(), "guard:s3cret"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!(
        "http://127.0.0.1:{}/api1/collections/{COLLECTION}/\tread, write\tshared indicators",
        server.port
    );
    assert!(stdout.contains(&want), "{stdout}");
}

/// A TLS front for a server on loopback: a test CA, a certificate for 127.0.0.1 signed by it, and a
/// small Python proxy (the standard library's `ssl` and `asyncio`) that terminates TLS.
struct TlsFront {
    child: Child,
    port: u16,
    ca: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PROXY: &str = r#"
import asyncio, ssl, sys
cert, key, listen, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
async def pipe(r, w):
    try:
        while True:
            data = await r.read(65536)
            if not data:
                break
            w.write(data)
            await w.drain()
    finally:
        w.close()
async def handle(r, w):
    tr, tw = await asyncio.open_connection("127.0.0.1", target)
    await asyncio.gather(pipe(r, tw), pipe(tr, w), return_exceptions=True)
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", listen, ssl=ctx)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
"#;

impl TlsFront {
    fn start(target: u16) -> TlsFront {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(d)
                .output()
                .expect("openssl runs");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sekisho test CA",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        std::fs::write(
            d.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ]);
        std::fs::write(d.join("proxy.py"), PROXY).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .arg(d.join("proxy.py"))
            .args([d.join("leaf.pem"), d.join("leaf.key")])
            .args([port.to_string(), target.to_string()])
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the TLS front did not listen within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        TlsFront {
            child,
            port,
            ca: d.join("ca.pem"),
            _dir: dir,
        }
    }
}

#[test]
fn reads_over_tls_trusting_only_the_given_ca() {
    let server = Server::start(100);
    let work = tempfile::tempdir().unwrap();
    assert!(publish(&server, work.path(), 3, 3).status.success());
    let front = TlsFront::start(server.port);
    let collection = format!("https://127.0.0.1:{}/api1/collections/{COLLECTION}/", front.port);
    std::fs::create_dir_all(work.path().join("inbox")).unwrap();
    // Without the CA the server is not trusted (the web PKI does not know the test CA).
    let out = pull_from(&collection, work.path(), 10).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(stderr.contains("certificate") || stderr.contains("issuer"), "{stderr}");
    assert_eq!(ids_in(&work.path().join("inbox")).1.len(), 0);
    // With it, the read goes through TLS.
    let out = pull_from(&collection, work.path(), 10)
        .arg("--ca-file")
        .arg(&front.ca)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ids_in(&work.path().join("inbox")).1.len(), 3);
}
