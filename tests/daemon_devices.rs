//! Bad inputs the daemon must survive without releasing anything: a device node in the inbox is
//! quarantined by name and never opened (reading /dev/zero's twin would never end; making the
//! node needs root, so that case is skipped with a message otherwise), and a message on which the
//! guard panics (a debug-build-only fault hook) is quarantined while the next one goes through.

mod daemon_support;

use daemon_support::*;

#[test]
fn quarantines_a_device_node_without_opening_it() {
    let spool = Spool::new(&["jpn"], "");
    // A character device with /dev/zero's numbers: reading it would never reach an end.
    let made = std::process::Command::new("mknod")
        .arg(spool.path("inbox/zero.json"))
        .args(["c", "1", "5"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("SKIPPED: cannot make a device node here (not root?)");
        return;
    }
    spool.put("inbox", "good.json", &releasable(11));
    let out = spool.run_once();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    let dev = record_for(&records, "zero.json");
    assert_eq!(dev["verdict"], "quarantined");
    assert_eq!(dev["reason"], "not-a-regular-file");
    assert_eq!(record_for(&records, "good.json")["verdict"], "released");
    assert!(spool.names("inbox").is_empty());
}

#[test]
fn quarantines_a_message_on_which_the_guard_panics_and_carries_on() {
    let spool = Spool::new(&["jpn"], "");
    let mut poisoned = String::from_utf8(releasable(12)).unwrap();
    poisoned = poisoned.replacen("\"name\":\"Example CERT\"", "\"name\":\"PANIC-TRIGGER!\"", 1);
    spool.put("inbox", "a-poisoned.json", poisoned.as_bytes());
    spool.put("inbox", "b-good.json", &releasable(13));
    let out = std::process::Command::new(BIN)
        .args(["--log-format", "json", "run", "--once", "--config"])
        .arg(spool.config())
        .env("SEKISHO_TEST_GUARD_FAULT", "panic")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records = spool.records();
    let bad = record_for(&records, "a-poisoned.json");
    assert_eq!(bad["verdict"], "quarantined");
    assert_eq!(bad["reason"], "panic");
    assert_eq!(record_for(&records, "b-good.json")["verdict"], "released");
    assert_eq!(spool.names("out-jpn").len(), 1);
}
