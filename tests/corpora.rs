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

/// `../shared/corpora/<sub>`, which every developer machine and CI has: a test that reads it
/// fails, naming the directory, when it is missing, rather than passing without looking.
fn shared(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(sub);
    assert!(
        dir.is_dir(),
        "{} is missing: the public corpora live beside the repository (see ../shared/corpora/README.md)",
        dir.display()
    );
    dir
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

/// Accepted, or rejected by (rule, JSON pointer).
type Expected = Result<(), (&'static str, &'static str)>;

/// What the guard makes of each shared STIX sample: accepted, or rejected by the named rule at
/// the named JSON pointer. Every file is listed, so a new or changed sample fails loudly.
const SHARED_STIX: &[(&str, Expected)] = &[
    ("attack/ics-attack-18.1.json", Ok(())),
    // Upstream's own defect: a relationship modified before it was created.
    (
        "attack/mobile-attack-14.1.json",
        Err(("timestamp-order", "/objects/2147/modified")),
    ),
    ("cti-documentation/examples/example_json/apt1.json", Ok(())),
    (
        "cti-documentation/examples/example_json/defining-campaigns-threat-actors-intrusion-sets.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/identifying-a-threat-actor-profile.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/indicator-for-malicious-url.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/malware-indicator-for-file-hash.json",
        Ok(()),
    ),
    ("cti-documentation/examples/example_json/poisonivy.json", Ok(())),
    (
        "cti-documentation/examples/example_json/sighting-of-an-indicator.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/sighting-of-observed-data.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/threat-actor-leveraging-attack-patterns-and-malware.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/using-granular-markings.json",
        Ok(()),
    ),
    (
        "cti-documentation/examples/example_json/using-marking-definitions.json",
        Ok(()),
    ),
    ("json-schemas/examples/indicator-for-c2-ip-address.json", Ok(())),
    ("json-schemas/examples/indicator-to-campaign-relationship.json", Ok(())),
    ("json-schemas/examples/indicators-for-C2-with-COA.json", Ok(())),
    ("json-schemas/examples/infrastructure.json", Ok(())),
    (
        "json-schemas/examples/malicious-email-indicator-with-attachment.json",
        Ok(()),
    ),
    ("json-schemas/examples/threat-reports/apt1.json", Ok(())),
    ("json-schemas/examples/threat-reports/poisonivy.json", Ok(())),
    // A single object, not a bundle (checked inside one by `accepts_oasis_examples`).
    (
        "json-schemas/examples/interop-objectmarking-test.json",
        Err(("bundle", "/type")),
    ),
    // ACS 3.0 marking-definitions: `created` to the second is valid for a marking-definition.
    ("markings/acs-3.0/acs-spec-use-case-1.json", Ok(())),
    ("markings/acs-3.0/acs-spec-use-case-2.json", Ok(())),
    ("markings/acs-3.0/acs-spec-use-case-3.json", Ok(())),
    ("markings/acs-3.0/acs-spec-use-case-4.json", Ok(())),
    ("markings/acs-3.0/acs-spec-use-case-5.json", Ok(())),
    ("markings/tlp-2.0/tlp-clear.json", Ok(())),
    // Upstream's example has no bundle `type` (and an invalid timestamp, see below).
    ("markings/tlp-2.0/using-tlp2.0-green.json", Err(("bundle", "/type"))),
];

fn stix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("schemas") {
                stix_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_stix_sample_is_accepted_or_rejected_as_listed() {
    let dir = shared("stix");
    let mut found = Vec::new();
    stix_files(&dir, &mut found);
    let mut names: Vec<String> = found
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    names.sort();
    let mut listed: Vec<String> = SHARED_STIX.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed, "the shared STIX samples and this test's list differ");
    for (name, expected) in SHARED_STIX {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let got = stix::parse_bundle(&bytes, &attack_limits());
        match (expected, got) {
            (Ok(()), Ok(b)) => {
                let out = b.render();
                let again = stix::parse_bundle(&out, &attack_limits())
                    .unwrap_or_else(|e| panic!("{name}: the rendering does not parse: {e}"))
                    .render();
                assert_eq!(out, again, "{name}: rendering is not stable");
            }
            (Ok(()), Err(e)) => panic!("{name}: rejected: {e} at {:?}", e.pointer),
            (Err((rule, pointer)), Ok(_)) => panic!("{name}: accepted, expected `{rule}` at {pointer}"),
            (Err((rule, pointer)), Err(e)) => {
                assert_eq!((e.rule, e.pointer.as_deref()), (*rule, Some(*pointer)), "{name}: {e}");
            }
        }
    }
}

/// ATT&CK ICS 18.1 carries `"x_mitre_data_source_ref": ""`: a custom property whose name ends in
/// `_ref` is opaque custom content, not a STIX reference, so the bundle is accepted (as the OASIS
/// validator accepts it), and `check` under the default limits says so too.
#[test]
fn attack_ics_custom_ref_that_holds_no_identifier_is_accepted() {
    let bytes = std::fs::read(shared("stix/attack").join("ics-attack-18.1.json")).unwrap();
    let custom = b"\"x_mitre_data_source_ref\": \"\"";
    assert!(bytes.windows(custom.len()).any(|w| w == custom));
    let report = Format::Stix.check(&bytes, &attack_limits()).unwrap();
    assert_eq!(report.objects, 1826);
}

/// The TLP 2.0 example's second defect, once its bundle `type` is supplied: a month of `101`.
#[test]
fn tlp2_green_example_is_rejected_at_its_invalid_timestamp() {
    let bytes = std::fs::read(shared("stix/markings/tlp-2.0").join("using-tlp2.0-green.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let fixed = text.replacen('{', "{\"type\": \"bundle\",", 1);
    let e = stix::parse_bundle(fixed.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.rule, "timestamp", "{e}");
    assert!(e.pointer.as_deref().is_some_and(|p| p.ends_with("/created")), "{e:?}");
}
