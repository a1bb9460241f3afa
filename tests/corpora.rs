//! Real published messages: the OASIS STIX 2.1 examples committed under tests/fixtures, and the
//! public corpora in ../shared/corpora when that directory is present (it is large and lives
//! outside the repository; CI machines have it).

use std::path::{Path, PathBuf};

use sekisho::Limits;
use sekisho::format::{Format, stix};

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora")
}

/// Limits for whole ATT&CK releases, which are larger than one exchanged message.
fn attack_limits() -> Limits {
    Limits {
        max_input_bytes: 256 * 1024 * 1024,
        ..Limits::default()
    }
}

#[test]
fn accepts_oasis_examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stix/oasis");
    let found = files(&dir, "json");
    assert!(found.len() >= 3, "fixtures missing in {}", dir.display());
    for f in found {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name == "interop-objectmarking-test.json" {
            // A single object, not a bundle: check it inside one.
            let object = String::from_utf8(bytes).unwrap();
            let wrapped = format!(
                r#"{{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{object}]}}"#
            );
            stix::parse_bundle(wrapped.as_bytes(), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
            continue;
        }
        let b =
            stix::parse_bundle(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e} {:?}", e.pointer));
        let out = b.render();
        let again = stix::parse_bundle(&out, &Limits::default()).unwrap().render();
        assert_eq!(out, again, "{name}: rendering is not stable");
    }
}

#[test]
fn checks_shared_stix_corpora_when_present() {
    let dir = shared().join("stix");
    if !dir.exists() {
        eprintln!("SKIPPED: {} is not present on this machine", dir.display());
        return;
    }
    for f in files(&dir, "json") {
        let bytes = std::fs::read(&f).unwrap();
        let result = Format::Stix.check(&bytes, &attack_limits());
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        eprintln!(
            "{name}: {:?}",
            result.as_ref().map(|r| r.objects).map_err(|e| e.to_string())
        );
    }
}

#[test]
fn attack_ics_accepted_and_mobile_14_1_rejected_when_present() {
    let dir = shared().join("stix/attack");
    if !dir.exists() {
        eprintln!("SKIPPED: {} is not present on this machine", dir.display());
        return;
    }
    for f in files(&dir, "json") {
        let name = f.file_name().unwrap().to_string_lossy().to_lowercase();
        let bytes = std::fs::read(&f).unwrap();
        let result = stix::parse_bundle(&bytes, &attack_limits());
        if name.contains("ics") {
            assert!(result.is_ok(), "{name}: {:?}", result.err());
        } else if name.contains("mobile") && name.contains("14.1") {
            let e = result.err().unwrap_or_else(|| panic!("{name} accepted"));
            assert_eq!(e.rule, "timestamp-order", "{name}: {e}");
            assert!(
                e.pointer.as_deref().is_some_and(|p| p.ends_with("/modified")),
                "{name}: {e}"
            );
        }
    }
}
