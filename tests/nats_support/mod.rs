//! A real `nats-server` with JetStream on, started by the test on a free loopback port with a
//! temporary store directory, and the guards that read from it (issue 20).
//!
//! Under CI (`CI=true`) a test that cannot start `nats-server` fails; elsewhere it says so and
//! returns early (`.ci/run` installs the Debian package `nats-server`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures_util::StreamExt;

pub const BIN: &str = env!("CARGO_BIN_EXE_sekisho");

pub fn policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

pub struct Nats {
    child: Child,
    pub port: u16,
    _store: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
    pub js: jetstream::Context,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Nats {
    /// Start `nats-server -js` on loopback, or `None` (outside CI) when it is not installed.
    pub fn start() -> Option<Nats> {
        let program = std::env::var("NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        let store = tempfile::tempdir().unwrap();
        for _attempt in 0..5 {
            let port = free_port();
            let child = Command::new(&program)
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                .arg(store.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match child {
                Ok(c) => c,
                Err(e) => {
                    assert!(
                        !ci,
                        "cannot start `{program}` ({e}); .ci/run installs the Debian package nats-server"
                    );
                    eprintln!("SKIPPED: cannot start `{program}` ({e}); install the Debian package nats-server");
                    return None;
                }
            };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    // A server still starting up may reset the first connection (seen in CI):
                    // tried again until the deadline; one that exited left the port to another
                    // process, so another port is taken.
                    let client = match rt.block_on(async_nats::connect(format!("127.0.0.1:{port}"))) {
                        Ok(c) => c,
                        Err(_) => {
                            if child.try_wait().unwrap().is_some() {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                    };
                    if child.try_wait().unwrap().is_some() {
                        break; // what answered is not the server started here
                    }
                    let js = {
                        let _enter = rt.enter();
                        jetstream::new(client)
                    };
                    return Some(Nats {
                        child,
                        port,
                        _store: store,
                        rt,
                        js,
                    });
                }
                if child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: another one
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("`{program}` did not start listening on loopback");
    }

    /// Stop the server (the store stays).
    pub fn stop_server(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The input stream `IN` (`in.routine`, `in.urgent`) and the output stream `OUT` (`out.>`,
    /// a duplicate window of 10 minutes).
    pub fn make_streams(&self) {
        self.rt.block_on(async {
            self.js
                .create_stream(jetstream::stream::Config {
                    name: "IN".into(),
                    subjects: vec!["in.routine".into(), "in.urgent".into()],
                    ..Default::default()
                })
                .await
                .unwrap();
            self.js
                .create_stream(jetstream::stream::Config {
                    name: "OUT".into(),
                    subjects: vec!["out.>".into()],
                    duplicate_window: Duration::from_secs(600),
                    ..Default::default()
                })
                .await
                .unwrap();
        });
    }

    /// Publish every message (acked by the stream), in order; their stream sequences.
    pub fn publish(&self, subject: &str, messages: &[Vec<u8>]) -> Vec<u64> {
        self.rt.block_on(async {
            let mut seqs = Vec::with_capacity(messages.len());
            for chunk in messages.chunks(512) {
                let mut acks = Vec::new();
                for m in chunk {
                    acks.push(self.js.publish(subject.to_string(), m.clone().into()).await.unwrap());
                }
                for a in acks {
                    seqs.push(a.await.unwrap().sequence);
                }
            }
            seqs
        })
    }

    /// Every message of stream `name`: (`Nats-Msg-Id`, payload).
    pub fn read_stream(&self, name: &str) -> Vec<(Option<String>, Vec<u8>)> {
        self.rt.block_on(async {
            let stream = self.js.get_stream(name).await.unwrap();
            let n = stream.get_info().await.unwrap().state.messages;
            let consumer = stream
                .create_consumer(jetstream::consumer::pull::Config {
                    ack_policy: jetstream::consumer::AckPolicy::None,
                    ..Default::default()
                })
                .await
                .unwrap();
            let mut out = Vec::new();
            while (out.len() as u64) < n {
                let mut batch = consumer
                    .batch()
                    .max_messages(1000)
                    .expires(Duration::from_secs(2))
                    .messages()
                    .await
                    .unwrap();
                while let Some(m) = batch.next().await {
                    let m = m.unwrap();
                    let id = m
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("Nats-Msg-Id"))
                        .map(|v| v.as_str().to_string());
                    out.push((id, m.payload.to_vec()));
                }
            }
            out
        })
    }

    /// (pending, ack pending) of a consumer of `IN`.
    pub fn consumer_state(&self, consumer: &str) -> (u64, usize) {
        self.try_consumer_state(consumer)
            .unwrap_or_else(|| panic!("no consumer `{consumer}`"))
    }

    /// As `consumer_state`, `None` while the consumer does not exist (no guard made it yet).
    pub fn try_consumer_state(&self, consumer: &str) -> Option<(u64, usize)> {
        self.rt.block_on(async {
            let stream = self.js.get_stream("IN").await.unwrap();
            let mut c: jetstream::consumer::PullConsumer = stream.get_consumer(consumer).await.ok()?;
            let info = c.info().await.unwrap();
            Some((info.num_pending, info.num_ack_pending))
        })
    }
}

/// One guard's installation: its own inbox, quarantine and audit chain; the shared consumer.
pub struct Guard {
    pub id: String,
    pub dir: PathBuf,
}

impl Guard {
    /// `extra` goes into `[channel.jetstream]`; `channel_extra` into the channel.
    pub fn new(root: &Path, id: &str, nats: &Nats, channel_extra: &str, extra: &str) -> Guard {
        let dir = root.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = format!(
            "guard_id = \"{id}\"\n\n[[channel]]\nname = \"c\"\ninbox = \"inbox\"\nquarantine = \"quarantine\"\n\
             audit = \"audit-{{guard_id}}.jsonl\"\npoll_interval_ms = 50\ncreate = true\n{channel_extra}\n\n\
             [channel.jetstream]\nurl = \"{}\"\nstream = \"IN\"\nsubject = \"in.routine\"\nconsumer = \"guards\"\n{extra}\n\n\
             [[channel.route]]\nname = \"jpn\"\npolicy = \"{}\"\noutput = \"{}/out.jpn\"\n",
            nats.url(),
            policy().display(),
            nats.url(),
        );
        std::fs::write(dir.join("sekisho.toml"), cfg).unwrap();
        Guard {
            id: id.to_string(),
            dir,
        }
    }

    pub fn audit(&self) -> PathBuf {
        self.dir.join(format!("audit-{}.jsonl", self.id))
    }

    pub fn command(&self, once: bool) -> Command {
        let mut c = Command::new(BIN);
        c.args(["--log-format", "json", "run", "--config"])
            .arg(self.dir.join("sekisho.toml"));
        if once {
            c.arg("--once");
        }
        c
    }

    pub fn spawn(&self) -> Child {
        self.command(false)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("stderr.log"))
                    .unwrap(),
            ))
            .spawn()
            .unwrap()
    }

    pub fn records(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.audit()).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Quarantine copies (not the reason files): name → bytes.
    pub fn quarantined(&self) -> Vec<(String, Vec<u8>)> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(self.dir.join("quarantine")).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.ends_with(".reason.json") {
                continue;
            }
            v.push((name, std::fs::read(e.path()).unwrap()));
        }
        v.sort();
        v
    }
}
