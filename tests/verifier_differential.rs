//! The second verifier against the guard, message by message: for every output the guard
//! releases, the independent verifier must pass it too (issue 9: differential test over the
//! public corpora and generated bundles).

use std::path::{Path, PathBuf};

use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::verifier::Verifier;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every message: (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        "policies/us-to-jpn/tests",
        "policies/jpn-to-us/tests",
        "tests/fixtures/stix/oasis",
        "examples/inbox",
    ] {
        let found = json_files(&root().join(dir));
        assert!(!found.is_empty(), "no messages in {dir}");
        for f in found {
            out.push((f.display().to_string(), std::fs::read(&f).unwrap()));
        }
    }
    let shared = root().join("../shared/corpora");
    if shared.is_dir() {
        for f in json_files(&shared) {
            if let Ok(b) = std::fs::read(&f) {
                out.push((f.display().to_string(), b));
            }
        }
    }
    for seed in 0..150u64 {
        let objects = 2 + (seed % 12) as usize;
        let b = sekisho::synth::bundle(seed, objects, |r| match r.below(7) {
            6 => None,
            n => Some(n as usize),
        });
        out.push((format!("synth-{seed}"), b.into_bytes()));
    }
    out
}

#[test]
fn verifier_passes_every_output_the_guard_releases() {
    let mut released = 0;
    let mut disagreements = Vec::new();
    for policy in ["us-to-jpn.toml", "jpn-to-us.toml"] {
        let policy = Policy::load(&root().join("policies").join(policy)).unwrap();
        let verifier = Verifier::new(&policy).unwrap();
        for (name, bytes) in corpus() {
            if let Ok(r) = guard::filter(&bytes, &policy) {
                released += 1;
                if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                    disagreements.push(format!("{} on {name}: {findings:?}", policy.name));
                }
            }
        }
    }
    assert!(released > 100, "only {released} outputs were released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "xml") && !p.to_string_lossy().ends_with(".out.xml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// XML: every message the guard releases from the policy's cases, the examples and the XML
/// fixtures passes the verifier's own XML path.
#[test]
fn verifier_passes_every_xml_output_the_guard_releases() {
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let mut released = Vec::new();
    let mut disagreements = Vec::new();
    for dir in [
        "policies/us-to-jpn/tests",
        "examples/inbox",
        "tests/fixtures/xml/cap",
        "tests/fixtures/xml/iodef",
        "tests/fixtures/xml/label",
        "tests/fixtures/xml/attacks",
    ] {
        let found = xml_files(&root().join(dir));
        assert!(!found.is_empty(), "no messages in {dir}");
        for f in found {
            let bytes = std::fs::read(&f).unwrap();
            if let Ok(r) = guard::filter(&bytes, &policy) {
                released.push(f.display().to_string());
                if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                    disagreements.push(format!("{}: {findings:?}", f.display()));
                }
            }
        }
    }
    assert!(released.len() >= 7, "only {released:?} were released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Issue 14: the classes of marking the guard and the verifier read independently. For each
/// generated message, whatever the guard releases the verifier passes; and a message whose
/// markings the guard may not release, given to the verifier as if it were an output, is
/// refused by it too.
#[test]
fn verifier_agrees_on_every_marking_class() {
    use sekisho::fuzzing::{FORBIDDEN_MARKINGS, Place, disguise, disguised_bundle};
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let places = [
        Place::Statement,
        Place::Name,
        Place::Combined,
        Place::Granular,
        Place::Text,
    ];
    let harmless = [
        "UNCLASSIFIED//REL TO USA, JPN",
        "SECRET//REL TO USA, JPN",
        "(S//REL TO USA, JPN)",
        "(U)",
        "CONFIDENTIAL//REL TO USA, GBR, JPN",
        "Copyright (c) Stark Industries 2017.",
    ];
    let mut disagreements = Vec::new();
    let mut released = 0;
    let mut messages: Vec<(String, String, bool)> = Vec::new();
    for text in harmless {
        for place in places {
            messages.push((format!("{text:?} {place:?}"), disguised_bundle(text, place), true));
        }
    }
    for (n, m) in FORBIDDEN_MARKINGS.iter().enumerate() {
        for (k, place) in places.into_iter().enumerate() {
            if matches!(place, Place::Text) && !sekisho::fuzzing::in_text_form(m) {
                continue;
            }
            for how in [0u8, 1, 2, 3, 4, 5, 6, 7, 13, 29] {
                let hows = [how, (n + k) as u8, how.wrapping_mul(7)];
                let text = disguise(m, &hows);
                messages.push((format!("{text:?} {place:?}"), disguised_bundle(&text, place), false));
            }
        }
    }
    for (name, bundle, may_go) in &messages {
        match guard::filter(bundle.as_bytes(), &policy) {
            Ok(r) => {
                released += 1;
                if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                    disagreements.push(format!("{name}: guard released, verifier refuses: {findings:?}"));
                }
                let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                if !may_go && out.contains(sekisho::fuzzing::DISGUISE_CANARY) {
                    disagreements.push(format!("{name}: the guard released a forbidden marking"));
                }
            }
            Err(_) if *may_go => disagreements.push(format!("{name}: the guard refused a harmless marking")),
            Err(_) => {}
        }
        if !may_go && verifier.verify(bundle.as_bytes()).is_ok() {
            disagreements.push(format!("{name}: the verifier accepts a forbidden marking"));
        }
    }
    assert!(released >= 28, "only {released} released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Issue 14, the classes other than disguised text: reserved TLP bodies, names, ACS, versions,
/// duplicate definitions, granular markings on markings. Whatever the guard releases, the
/// verifier passes; nothing the classes forbid reaches the output.
#[test]
fn verifier_agrees_on_definitions_versions_and_granular_markings() {
    use serde_json::{Value, json};
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
    const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
    const MD: &str = "marking-definition--00000000-0000-4000-8000-000000000001";
    let indicator = |n: u32, refs: &[&str], text: &str| {
        json!({"type": "indicator", "spec_version": "2.1", "id": format!("indicator--00000000-0000-4000-8000-{n:012x}"),
               "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
               "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
               "valid_from": "2020-01-01T00:00:00Z", "description": text, "object_marking_refs": refs})
    };
    let statement = |text: &str| {
        json!({"type": "marking-definition", "spec_version": "2.1", "id": MD, "created": "2020-01-01T00:00:00.000Z",
               "definition_type": "statement", "definition": {"statement": text}})
    };
    let acs = |cs: Value| {
        json!({"type": "marking-definition", "spec_version": "2.1", "id": MD, "created": "2020-01-01T00:00:00Z",
               "extensions": {"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce": {
                   "extension_type": "property-extension", "identifier": "isa:x", "create_date_time": "2020-01-01T00:00:00Z",
                   "responsible_entity_custodian": "USA.DHS", "control_set": cs}}})
    };
    let mut named = statement("Copyright 2026 Example Corp.");
    named["name"] = json!("TLP:AMBER+STRICT");
    let mut both = acs(json!({"classification": "U", "formal_determination": ["NF"]}));
    both["definition_type"] = json!("statement");
    both["definition"] = json!({"statement": "UNCLASSIFIED//REL TO USA, JPN"});
    let mut newer = indicator(2, &[RED], "CANARY newer");
    newer["modified"] = json!("2021-01-01T00:00:00.000Z");
    let mut on_marking = indicator(2, &[GREEN], "CANARY on marking");
    on_marking["granular_markings"] = json!([{"selectors": ["object_marking_refs.[0]"], "marking_ref": RED}]);
    let contradicting = json!({"type": "marking-definition", "spec_version": "2.1", "id": GREEN,
        "created": "2022-10-01T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:GREEN", "definition": {"tlp": "red"}});
    let cases: Vec<(&str, Vec<Value>)> = vec![
        (
            "name claims TLP",
            vec![named, indicator(2, &[GREEN, MD], "CANARY name")],
        ),
        (
            "statement and ACS",
            vec![both, indicator(2, &[GREEN, MD], "CANARY both")],
        ),
        (
            "ACS string for list",
            vec![
                acs(json!({"classification": "U", "formal_determination": "NF"})),
                indicator(2, &[GREEN, MD], "CANARY acs"),
            ],
        ),
        ("versions", vec![indicator(2, &[GREEN], "CANARY older"), newer]),
        (
            "granular on markings",
            vec![on_marking, indicator(3, &[GREEN], "other")],
        ),
        (
            "reserved id contradicted",
            vec![contradicting, indicator(2, &[GREEN], "CANARY reserved")],
        ),
        (
            "combined REL TO",
            vec![statement("SECRET"), indicator(2, &[GREEN, MD], "CANARY secret")],
        ),
    ];
    let mut problems = Vec::new();
    for (name, mut objects) in cases {
        // Something harmless beside, so that the message itself can go.
        objects.push(indicator(9, &[GREEN], "harmless"));
        let bundle = serde_json::to_vec(
            &json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001",
                                                "objects": objects}),
        )
        .unwrap();
        if let Ok(r) = guard::filter(&bundle, &policy) {
            if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                problems.push(format!("{name}: guard released, verifier refuses: {findings:?}"));
            }
            if String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY") {
                problems.push(format!("{name}: the guard released what it must not"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 15's classes, differentially: for every canary encoding (dirty words, internal
/// addresses and domains, e-mail addresses, telephone numbers) at every other place, the guard
/// and the verifier agree: the verifier refuses the input as it stands, and passes whatever the
/// guard releases from it. Look-alikes pass both unchanged.
#[test]
fn guard_and_verifier_agree_on_every_content_canary() {
    use sekisho::fuzzing::content::{self, BENIGN, KINDS, PLACES};
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let mut disagreements = Vec::new();
    let mut released = 0;
    for kind in KINDS {
        for (n, e) in content::encodings(kind).iter().enumerate() {
            for p in (n % 2..PLACES.len()).step_by(2) {
                if content::crosses_by_policy(kind, p) {
                    continue;
                }
                let input = content::bundle(content::place(p, e, 16));
                if verifier.verify(input.as_bytes()).is_ok() {
                    disagreements.push(format!("verifier passed {e:?} at {}", PLACES[p]));
                }
                if let Ok(r) = guard::filter(input.as_bytes(), &policy) {
                    released += 1;
                    if let Err(f) = verifier.verify(r.output.as_bytes()) {
                        disagreements.push(format!("{e:?} at {}: {f:?}", PLACES[p]));
                    }
                }
            }
        }
    }
    for b in BENIGN {
        let input = content::bundle(content::place(0, b, 16));
        let out = guard::filter(input.as_bytes(), &policy).map(|r| r.output.into_bytes());
        match out {
            Ok(out) => {
                if let Err(f) = verifier.verify(&out) {
                    disagreements.push(format!("look-alike {b:?}: {f:?}"));
                }
            }
            Err(e) => disagreements.push(format!("look-alike {b:?} refused by the guard: {e:?}")),
        }
    }
    assert!(released > 300, "only {released} released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Red-team F02, F03: the XML places a marking can be in (a 4774 `PrivacyMark`, an INFORMATIVE
/// category's name and value, a CAP `restriction`), with harmless texts and forbidden markings in
/// disguise. The guard releases exactly when the verifier passes what it released of the plain
/// alert with the same text in the same place; no forbidden marking goes.
#[test]
fn verifier_agrees_on_the_xml_marking_places() {
    use sekisho::fuzzing::{DISGUISE_CANARY, FORBIDDEN_MARKINGS, Place, disguise, disguised_xml};
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let alert =
        std::fs::read_to_string(root().join("policies/us-to-jpn/tests/xml-cap-nato-unclassified-rel-jpn.xml")).unwrap();
    let plain = guard::filter(alert.as_bytes(), &policy).unwrap();
    let plain = String::from_utf8(plain.output.as_bytes().to_vec()).unwrap();
    let places = [
        Place::PrivacyMark,
        Place::InformativeName,
        Place::InformativeValue,
        Place::CapRestriction,
    ];
    let harmless = [
        "EXERCISE ONLY",
        "Exercise data",
        "Partner CERTs",
        "STAFF",
        "IN CONFIDENCE",
    ];
    let mut texts: Vec<(String, bool)> = harmless.iter().map(|t| (t.to_string(), true)).collect();
    for (n, m) in FORBIDDEN_MARKINGS.iter().enumerate() {
        for how in [0u8, 1, 2, 3, 5, 13] {
            texts.push((disguise(m, &[how, n as u8]), false));
        }
    }
    let mut disagreements = Vec::new();
    let mut released = 0;
    for (text, harmless_text) in &texts {
        for place in places {
            // Free text goes only when the policy lists it: in a CAP restriction
            // (`xml.free_restrictions`) `Partner CERTs`, in the label (`xml.free_label_texts`,
            // red team SB05) `EXERCISE ONLY`, `Exercise data` and `STAFF`.
            let listed = match place {
                Place::CapRestriction => text == "Partner CERTs",
                _ => matches!(text.as_str(), "EXERCISE ONLY" | "Exercise data" | "STAFF"),
            };
            let may_go = &(*harmless_text && listed);
            let input = disguised_xml(&alert, text, place);
            let guard_goes = match guard::filter(input.as_bytes(), &policy) {
                Ok(r) => {
                    released += 1;
                    let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                    if !may_go && out.contains(DISGUISE_CANARY) {
                        disagreements.push(format!("{text:?} {place:?}: the guard released a forbidden marking"));
                    }
                    if let Err(f) = verifier.verify(r.output.as_bytes()) {
                        disagreements.push(format!("{text:?} {place:?}: guard released, verifier refuses: {f:?}"));
                    }
                    true
                }
                Err(_) => false,
            };
            let verifier_goes = verifier.verify(disguised_xml(&plain, text, place).as_bytes()).is_ok();
            if guard_goes != verifier_goes {
                disagreements.push(format!(
                    "{text:?} {place:?}: guard {guard_goes}, verifier {verifier_goes}"
                ));
            }
            if *may_go && !guard_goes {
                disagreements.push(format!("{text:?} {place:?}: the guard refused a harmless text"));
            }
        }
    }
    // The three listed label texts at the three label places, and `Partner CERTs`.
    assert!(released > 3 * (places.len() - 1), "only {released} released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
