//! The crash test: 2,000 messages, the daemon SIGKILLed at random moments (at least 20 times)
//! and restarted. At the end every input is in exactly one place (released or quarantined), no
//! output is doubled or partial, and the audit chain verifies with one record per message.

mod daemon_support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use daemon_support::*;
use sekisho::synth::Rng;

const MESSAGES: u64 = 2_000;
const KILLS: usize = 20;

#[test]
fn survives_sigkill_at_random_moments_without_losing_or_doubling_a_message() {
    let spool = Spool::new(&["jpn"], "workers = 2\nqueue = 32");
    let mut inputs: HashMap<String, Vec<u8>> = HashMap::new();
    for k in 0..MESSAGES {
        // A mix: releasable, partly releasable, nothing releasable, malformed, and duplicates.
        let bytes = match k % 10 {
            0..=5 => sekisho::synth::bundle(k, 3, |r| Some(r.below(5) as usize)).into_bytes(),
            6 | 7 => red(k),
            8 => format!("{{\"type\":\"bundle\",\"id\":{k}").into_bytes(),
            _ => inputs[&format!("m-{:04}.json", k - 9)].clone(), // message k-9 sent again
        };
        let name = format!("m-{k:04}.json");
        spool.put("inbox", &name, &bytes);
        inputs.insert(name, bytes);
    }

    let mut rng = Rng::new(0x5EC1_5110);
    let mut kills = 0;
    let start = Instant::now();
    while kills < KILLS {
        let mut child = spool.spawn(true);
        std::thread::sleep(Duration::from_millis(20 + rng.below(120)));
        match child.try_wait().unwrap() {
            Some(status) => {
                // It finished before the kill: every message is done.
                assert_eq!(status.code(), Some(0));
                break;
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                let claimed = spool.names("inbox/.claimed").len();
                eprintln!("kill {kills}: {} records, {claimed} claimed", spool.records().len());
            }
        }
        assert!(start.elapsed() < Duration::from_secs(120), "too slow");
    }
    assert!(
        kills >= KILLS,
        "the daemon finished after only {kills} kills; make the test bigger"
    );
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // The audit chain verifies, with exactly one record per message.
    let v = std::process::Command::new(BIN)
        .args(["audit", "verify"])
        .arg(spool.path("audit.jsonl"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", String::from_utf8_lossy(&v.stdout));
    let records = spool.records();
    assert_eq!(records.len() as u64, MESSAGES);
    let mut seen = HashSet::new();
    for r in &records {
        assert!(
            seen.insert(r["input"].as_str().unwrap().to_string()),
            "two records for {}",
            r["input"]
        );
    }

    // The inbox is empty; nothing temporary is left.
    assert!(spool.names("inbox").is_empty());
    assert!(spool.names("inbox/.claimed").is_empty());
    for dir in ["out-jpn", "quarantine"] {
        let temps = std::fs::read_dir(spool.path(dir))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tmp-"))
            .count();
        assert_eq!(temps, 0, "temporary files left in {dir}");
    }

    // Every input is in exactly one place; outputs are whole and not doubled.
    let outbox: HashSet<Vec<u8>> = spool.names("out-jpn").into_iter().collect();
    let mut released_shas = HashSet::new();
    let mut quarantined = HashSet::new();
    for r in &records {
        let name = r["input"].as_str().unwrap();
        let bytes = &inputs[name];
        assert_eq!(r["input_sha256"], sha256(bytes), "{name}");
        match r["verdict"].as_str().unwrap() {
            "released" => {
                let out = r["output"].as_str().unwrap();
                assert_eq!(out, format!("{}.json", sha256(bytes)));
                let written = std::fs::read(spool.path(&format!("out-jpn/{out}"))).unwrap();
                assert_eq!(
                    sha256(&written),
                    r["output_sha256"].as_str().unwrap(),
                    "partial output {out}"
                );
                assert!(released_shas.insert(out.to_string()), "{out} released twice");
            }
            "quarantined" => {
                let q = r["quarantine"].as_str().unwrap();
                let kept = std::fs::read(spool.path(&format!("quarantine/{q}"))).unwrap();
                assert_eq!(&kept, bytes, "{name}: the quarantine keeps the original bytes");
                assert!(spool.path(&format!("quarantine/{q}.reason.json")).exists());
                assert!(quarantined.insert(q.to_string()));
            }
            v => panic!("verdict {v}"),
        }
    }
    let released: HashSet<Vec<u8>> = released_shas.iter().map(|s| s.as_bytes().to_vec()).collect();
    assert_eq!(outbox, released, "the outbox holds exactly the released messages");
    assert_eq!(released.len() + quarantined.len(), MESSAGES as usize);
    let dups = records.iter().filter(|r| r["reason"] == "duplicate").count();
    assert_eq!(
        dups,
        (MESSAGES / 10) as usize,
        "each resent message is recorded as a duplicate"
    );
}
