//! Audit tamper tests: an edited, deleted, inserted or reordered record is found by
//! `sekisho audit verify`, which names the first broken one.

mod daemon_support;

use daemon_support::*;

/// A log of five records written by the daemon, as lines.
fn log() -> (Spool, Vec<String>) {
    let spool = Spool::new(&["jpn"], "workers = 1");
    for k in 0..5 {
        spool.put(
            "inbox",
            format!("m-{k}.json"),
            &if k % 2 == 0 { releasable(k) } else { red(k) },
        );
    }
    assert_eq!(spool.run_once().status.code(), Some(0));
    let text = std::fs::read_to_string(spool.path("audit.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 5);
    (spool, lines)
}

fn verify(spool: &Spool, lines: &[String]) -> (Option<i32>, String) {
    let path = spool.path("tampered.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["audit", "verify"])
        .arg(&path)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn accepts_the_untouched_log() {
    let (spool, lines) = log();
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("5 records, chain intact"), "{out}");
}

#[test]
fn names_an_edited_record() {
    let (spool, mut lines) = log();
    let before = lines[2].clone();
    lines[2] = lines[2].replace("\"lane\":\"routine\"", "\"lane\":\"urgent\"");
    assert_ne!(lines[2], before, "the edit changed the record");
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 3 (seq 2)") && out.contains("edited"), "{out}");
}

#[test]
fn names_an_edit_that_also_rewrote_the_hash() {
    // Recomputing this record's hash moves the break to the next record.
    let (spool, mut lines) = log();
    let edited = lines[1].replacen("\"dropped\":", "\"dropped\":1", 1);
    let body_end = edited.rfind(",\"hash\":\"").unwrap();
    let body = format!("{}}}", &edited[..body_end]);
    let prev: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hash = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(prev["prev"].as_str().unwrap().as_bytes());
        h.update(b"\n");
        h.update(body.as_bytes());
        hex::encode(h.finalize())
    };
    lines[1] = format!("{},\"hash\":\"{hash}\"}}", &edited[..body_end]);
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 3 (seq 2)") && out.contains("`prev`"), "{out}");
}

#[test]
fn names_a_deleted_record() {
    let (spool, mut lines) = log();
    lines.remove(1);
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 2 (seq 2)") && out.contains("`prev`"), "{out}");
}

#[test]
fn names_an_inserted_record() {
    let (spool, mut lines) = log();
    let copy = lines[0].clone();
    lines.insert(3, copy);
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 4 (seq 0)"), "{out}");
}

#[test]
fn names_reordered_records() {
    let (spool, mut lines) = log();
    lines.swap(2, 3);
    let (code, out) = verify(&spool, &lines);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("line 3 (seq 3)"), "{out}");
}

#[test]
fn a_daemon_refuses_to_append_to_a_broken_chain() {
    let (spool, mut lines) = log();
    lines.swap(2, 3);
    std::fs::write(spool.path("audit.jsonl"), lines.join("\n") + "\n").unwrap();
    spool.put("inbox", "late.json", &releasable(99));
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the audit chain is broken"));
    assert!(
        spool.path("inbox/late.json").exists(),
        "nothing is taken without a record"
    );
}
