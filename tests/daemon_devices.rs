//! A device node in the inbox is quarantined by name and never opened (opening /dev/zero's twin
//! and reading it would never end). Needs root to make the node; skipped with a message otherwise.

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
