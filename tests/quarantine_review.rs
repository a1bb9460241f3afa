//! `sekisho quarantine list | show | retry` through the binary (issue 21): entries are listed by
//! reason and time, shown with their audit records and explain table, and a retry puts the
//! input back through the guard — audited, never released around it.

mod daemon_support;

use std::process::{Command, Output};

use daemon_support::{BIN, Spool, red, releasable};

fn q(spool: &Spool, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--log-format", "json", "quarantine", "--config"])
        .arg(spool.config())
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Ids listed, with their reasons.
fn listed(spool: &Spool, args: &[&str]) -> Vec<(String, String)> {
    let mut a = vec!["list", "--json"];
    a.extend_from_slice(args);
    let o = q(spool, &a);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn id_of(entries: &[(String, String)], reason: &str) -> String {
    entries
        .iter()
        .find(|(_, r)| r == reason)
        .unwrap_or_else(|| panic!("no `{reason}` in {entries:?}"))
        .0
        .clone()
}

#[test]
fn lists_shows_and_retries_through_the_guard() {
    let spool = Spool::new(&["jpn"], "verifier = false\nmax_input_bytes = 200");
    spool.put("inbox", "big.json", &releasable(3));
    spool.put("inbox", "red.json", &red(4));
    spool.put("inbox", "bad.json", b"this is not json");
    let o = spool.run_once();
    assert!(o.status.success(), "{}", text(&o));
    let all = listed(&spool, &[]);
    assert_eq!(all.len(), 3, "{all:?}");
    let reasons: Vec<&str> = all.iter().map(|(_, r)| r.as_str()).collect();
    for r in ["oversized", "parse-error"] {
        assert!(reasons.contains(&r), "{all:?}");
    }
    // The red bundle is over 200 bytes too: all three but the garbage are oversized.
    assert_eq!(listed(&spool, &["--reason", "parse-error"]).len(), 1);
    assert_eq!(listed(&spool, &["--since", "1h"]).len(), 3);
    assert_eq!(listed(&spool, &["--since", "2999-01-01"]).len(), 0);
    let o = q(&spool, &["list", "--reason", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("policy-rejection"), "names the reasons: {}", text(&o));
    let o = q(&spool, &["list", "--since", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a time"), "{}", text(&o));

    // show: reasons, the audit record that names it, the explain table under the policy now.
    let bad = id_of(&listed(&spool, &["--reason", "parse-error"]), "parse-error");
    let o = q(&spool, &["show", &bad]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = String::from_utf8(o.stdout).unwrap();
    assert!(shown.contains("reason    parse-error"), "{shown}");
    assert!(
        shown.contains(&format!("\"quarantine\":\"{bad}\"")),
        "the audit record: {shown}"
    );
    assert!(shown.contains("under route `jpn`'s policy now"), "{shown}");
    assert!(shown.contains(": rejected"), "{shown}");
    let o = q(&spool, &["show", "../../etc/passwd"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a quarantine id"), "{}", text(&o));

    // The limit is raised (the operator's change); the daemon is running: a retry waits for it
    // to stop (the audit log has one writer).
    let cfg = std::fs::read_to_string(spool.config()).unwrap();
    std::fs::write(spool.config(), cfg.replace("max_input_bytes = 200\n", "")).unwrap();
    let big_id = {
        let entries = listed(&spool, &["--reason", "oversized"]);
        let mut big = None;
        for (id, _) in entries {
            let o = q(&spool, &["show", &id, "--json"]);
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            if v["entry"]["input"] == "big.json" {
                big = Some(id);
            }
        }
        big.unwrap()
    };
    let mut daemon = spool.spawn(false);
    // It holds the inbox once it has decided a new input.
    let n = spool.records().len();
    spool.put("inbox", "ping.json", &releasable(5));
    spool.wait_records(n + 1, 30);
    let o = q(&spool, &["retry", &big_id]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("stop it, retry"), "{}", text(&o));
    assert!(spool.path(&format!("quarantine/{big_id}")).exists());
    let _ = Command::new("kill").arg(daemon.id().to_string()).status();
    assert!(daemon.wait().unwrap().success());

    // Retry: back in the inbox, recorded; the next run decides it and releases it.
    let o = q(&spool, &["retry", &big_id]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(spool.path("inbox/big.json").exists());
    assert!(!spool.path(&format!("quarantine/{big_id}")).exists());
    let before = spool.records().len();
    let retried: Vec<serde_json::Value> = spool
        .records()
        .into_iter()
        .filter(|r| r["verdict"] == "retried")
        .collect();
    assert_eq!(retried.len(), 1, "{retried:?}");
    assert_eq!(retried[0]["quarantine"], big_id.as_str());
    assert_eq!(retried[0]["reason"], "oversized");
    assert_eq!(retried[0]["input"], "big.json");
    let o = spool.run_once();
    assert!(o.status.success(), "{}", text(&o));
    let records = spool.records();
    let last = records.last().unwrap();
    assert_eq!(records.len(), before + 1);
    assert_eq!(last["input"], "big.json");
    assert_eq!(last["verdict"], "released", "{last}");
    // ping.json and big.json.
    assert_eq!(spool.names("out-jpn").len(), 2);
    let v = Command::new(BIN)
        .args(["audit", "verify"])
        .arg(spool.path("audit.jsonl"))
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", text(&v));
}

#[test]
fn a_retried_rejection_is_decided_again_not_taken_for_a_duplicate() {
    let spool = Spool::new(&["jpn"], "verifier = false");
    let bytes = red(9);
    spool.put("inbox", "red.json", &bytes);
    assert!(spool.run_once().status.success());
    // The same bytes again, under another name: a duplicate.
    spool.put("inbox", "red-again.json", &bytes);
    assert!(spool.run_once().status.success());
    let entries = listed(&spool, &[]);
    let rejected = id_of(&entries, "policy-rejection");
    let duplicate = id_of(&entries, "duplicate");
    // A duplicate is never retried: deciding the same bytes twice could release them twice.
    let o = q(&spool, &["retry", &duplicate]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("may not be retried"), "{}", text(&o));
    assert!(spool.path(&format!("quarantine/{duplicate}")).exists());
    // The rejection is: it goes through the guard and is rejected again, for its own reason.
    let o = q(&spool, &["retry", &rejected]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(spool.run_once().status.success());
    let records = spool.records();
    let last = records.last().unwrap();
    assert_eq!(last["input"], "red.json");
    assert_eq!(last["verdict"], "quarantined");
    assert_eq!(last["reason"], "policy-rejection", "{last}");
    // Retrying an id that is gone says so.
    let o = q(&spool, &["retry", &rejected]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no quarantine entry"), "{}", text(&o));
}
