//! Least privilege through the binary: the daemon's `user = "…"`, the daemon's confined main
//! thread and the confined diode receiver. `/proc/PID/status` shows what the kernel enforces;
//! the debug-only `SEKISHO_TEST_SANDBOX_PROBE` makes each confined part try to read a file and send
//! a datagram, and log what happened.

mod daemon_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daemon_support::*;

fn is_root() -> bool {
    effective_uid() == Some(0)
}

/// This process's effective uid, read from /proc.
fn effective_uid() -> Option<u32> {
    status_field(std::process::id(), "Uid")?
        .get(1)
        .and_then(|u| u.parse().ok())
}

/// The values of `field` in /proc/PID/status.
fn status_field(pid: u32, field: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(&format!("{field}:")))?;
    Some(line.split_whitespace().skip(1).map(str::to_string).collect())
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| status_field(p, "PPid").is_some_and(|v| v.first().is_some_and(|x| *x == pid.to_string())))
        .collect()
}

/// Whether this kernel has the whole sandbox: a verifier told to require it runs (and exits at
/// the end of its empty input) or refuses.
fn sandbox_available() -> bool {
    Command::new(BIN)
        .args(["verify", "--sandbox", "required", "--policy"])
        .arg(policy())
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn an_unknown_or_root_user_is_a_located_config_error() {
    for (user, says) in [
        ("no-such-user-sekisho", "there is no user `no-such-user-sekisho`"),
        ("root", "`root` is root"),
    ] {
        let spool = Spool::new(&["jpn"], "");
        let cfg = std::fs::read_to_string(spool.config()).unwrap();
        std::fs::write(spool.config(), format!("user = \"{user}\"\n{cfg}")).unwrap();
        let out = spool.run_once();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("sekisho.toml:1:8: error[bad-user]: user: ") && err.contains(says),
            "{err}"
        );
    }
}

/// Run the daemon as root with `user = "nobody"` in a directory nobody owns; a mode-000 file only
/// root could read shows that the switch happened before any input was opened.
#[test]
fn switches_to_the_configured_user_before_touching_a_message() {
    let Ok(nobody) = sekisho::sandbox::Identity::lookup("nobody") else {
        eprintln!("SKIPPED: this system has no user `nobody`");
        return;
    };
    let spool = Spool::new(&["jpn"], "");
    if !is_root() {
        // Not root: the switch is refused, never skipped silently.
        let cfg = std::fs::read_to_string(spool.config()).unwrap();
        std::fs::write(spool.config(), format!("user = \"nobody\"\n{cfg}")).unwrap();
        let out = spool.run_once();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("may not change users"));
        eprintln!("SKIPPED: the switch itself needs root");
        return;
    }
    let root = spool.dir.path();
    // The policy, readable by nobody, beside the spools; the program, where nobody can run it.
    let policies = root.join("policies");
    std::fs::create_dir(&policies).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for f in ["us-to-jpn.toml", "us-to-jpn.dirty-words.txt"] {
        std::fs::copy(shipped.join(f), policies.join(f)).unwrap();
    }
    let program = root.join("sekisho");
    std::fs::copy(BIN, &program).unwrap();
    std::fs::write(
        spool.config(),
        "user = \"nobody\"\n[[channel]]\nname = \"c\"\ninbox = \"inbox\"\nquarantine = \"quarantine\"\n\
         audit = \"audit.jsonl\"\npoll_interval_ms = 20\ncreate = true\n\
         [[channel.route]]\nname = \"jpn\"\npolicy = \"policies/us-to-jpn.toml\"\noutput = \"out\"\n",
    )
    .unwrap();
    for d in ["", "inbox"] {
        std::os::unix::fs::chown(root.join(d), Some(nobody.uid), Some(nobody.gid)).unwrap();
    }
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    spool.put("inbox", "good.json", &releasable(31));
    let locked = spool.path("inbox/.locked.json");
    std::fs::write(&locked, releasable(32)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::rename(&locked, spool.path("inbox/locked.json")).unwrap();

    let mut child = Running(
        Command::new(&program)
            .args(["--log-format", "json", "run", "--config"])
            .arg(spool.config())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut log = Log::of(&mut child.0);
    let switched = log.wait_for(&["switched user"], 30);
    assert!(switched.contains(&format!("\"uid\":{}", nobody.uid)), "{switched}");
    let records = spool.wait_records(2, 60);
    let pid = child.0.id();
    let id = nobody.uid.to_string();
    assert_eq!(
        status_field(pid, "Uid").unwrap(),
        vec![id.clone(); 4],
        "real, effective, saved, fs"
    );
    assert_eq!(status_field(pid, "Gid").unwrap(), vec![nobody.gid.to_string(); 4]);
    assert_eq!(status_field(pid, "Groups").unwrap(), vec![nobody.gid.to_string()]);
    let verifiers = children(pid);
    assert!(!verifiers.is_empty(), "the verifier child runs");
    for v in verifiers {
        assert_eq!(status_field(v, "Uid").unwrap(), vec![id.clone(); 4], "verifier {v}");
    }
    terminate(&child.0);
    assert_eq!(child.0.wait().unwrap().code(), Some(0));

    assert_eq!(record_for(&records, "good.json")["verdict"], "released");
    let r = record_for(&records, "locked.json");
    assert_eq!(r["verdict"], "quarantined", "{r}");
    assert_eq!(
        r["reason"], "unreadable",
        "root could read it: the switch came too late: {r}"
    );
    for out in std::fs::read_dir(spool.path("out")).unwrap() {
        let meta = out.unwrap().metadata().unwrap();
        assert_eq!(meta.uid(), nobody.uid, "outputs are written as nobody");
    }
    let v = Command::new(BIN)
        .args(["audit", "verify"])
        .arg(spool.path("audit.jsonl"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn the_daemon_confines_its_main_thread_once_the_channels_run() {
    let spool = Spool::new(&["jpn"], "");
    let mut child = Running(
        Command::new(BIN)
            .args(["--log-format", "json", "run", "--config"])
            .arg(spool.config())
            .env("SEKISHO_TEST_SANDBOX_PROBE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut log = Log::of(&mut child.0);
    // A channel's threads cannot make a socket either (its diode output, if any, made its own
    // before); the main thread is confined after the channels have started.
    let channel = log.wait_for(&["sandbox probe", "channel `c`"], 30);
    assert!(channel.contains("\"send\":\"denied"), "{channel}");
    let probe = log.wait_for(&["sandbox probe", "the daemon's main thread"], 30);
    // The main thread is the process's first task: its own status says seccomp is in filter mode.
    assert_eq!(status_field(child.0.id(), "Seccomp").unwrap(), vec!["2"]);
    assert_eq!(status_field(child.0.id(), "NoNewPrivs").unwrap(), vec!["1"]);
    // The channel still works behind it.
    spool.put("inbox", "m.json", &releasable(33));
    let records = spool.wait_records(1, 30);
    terminate(&child.0);
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
    assert_eq!(record_for(&records, "m.json")["verdict"], "released");
    assert!(probe.contains("\"send\":\"denied"), "{probe}");
    if sandbox_available() {
        assert!(probe.contains("\"open\":\"denied"), "{probe}");
    } else {
        eprintln!("SKIPPED: this kernel has no Landlock; file access is not confined");
    }
}

#[test]
fn the_receiver_can_neither_send_nor_reach_other_files() {
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
                "--sandbox",
                "required",
                "--listen",
                &listen,
                "--into",
            ])
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
    if !sandbox_available() {
        assert_eq!(rx.0.wait().unwrap().code(), Some(2), "required, and the kernel cannot");
        eprintln!("SKIPPED: this kernel has no Landlock");
        return;
    }
    let probe = log.wait_for(&["sandbox probe", "the diode receiver"], 30);
    assert!(
        probe.contains("\"open\":\"denied") && probe.contains("\"send\":\"denied"),
        "{probe}"
    );
    // Every thread (the receiving one and the writer) is filtered.
    for task in std::fs::read_dir(format!("/proc/{}/task", rx.0.id())).unwrap() {
        let status = std::fs::read_to_string(task.unwrap().path().join("status")).unwrap();
        assert!(status.contains("Seccomp:\t2"), "{status}");
    }
    // It still receives and writes into its spool.
    let src = dir.path().join("m.json");
    std::fs::write(&src, b"{\"a\":1}").unwrap();
    let sent = Command::new(BIN)
        .args(["send", "--to", &listen, "--key"])
        .arg(&key)
        .arg(&src)
        .output()
        .unwrap();
    assert!(sent.status.success());
    // Messages (the spool's own state and temporaries start with a dot).
    let messages = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&into).map_or_else(
            |_| Vec::new(),
            |d| {
                d.filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| e.path())
                    .collect()
            },
        )
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while messages().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill").arg(rx.0.id().to_string()).status();
    assert!(rx.0.wait().unwrap().success());
    let got = messages();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(std::fs::read(&got[0]).unwrap(), b"{\"a\":1}");
}
