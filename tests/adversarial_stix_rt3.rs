//! Red team round 3, STIX families: a marking-definition's `name` that is free text (SA01), markings
//! written as member names (SA02), and version chains (SA15). Each family: its reproducers, a
//! generator over the disguise, and benign neighbours that must still go; the guard and the
//! second verifier are each held to it.

mod common;

use common::*;
use proptest::prelude::*;
use sekisho::fuzzing::{FORBIDDEN_MARKINGS, disguise};
use serde_json::{Value, json};

const CANARY: &str = "CANARY-RT3";

fn md(n: u32) -> String {
    id("marking-definition", n)
}

/// Whether the guard lets the canary out.
fn canary_crosses(objects: Vec<Value>) -> bool {
    match run(&us_to_jpn(), objects) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).contains(CANARY),
        Err(_) => false,
    }
}

/// Whether the second verifier passes `objects` as an output.
fn verifier_accepts(objects: Vec<Value>) -> bool {
    sekisho::verifier::verify(&bundle(objects), &us_to_jpn()).is_ok()
}

/// The guard releases the canary, and the verifier passes what it released.
fn goes(objects: Vec<Value>) -> Value {
    let (out, _) = released(&us_to_jpn(), objects);
    assert!(out.to_string().contains(CANARY), "{out}");
    let bytes = serde_json::to_vec(&out).unwrap();
    if let Err(f) = sekisho::verifier::verify(&bytes, &us_to_jpn()) {
        panic!("the verifier refuses the guard's output: {f:?}\n{out}");
    }
    out
}

/// Neither the guard nor the verifier lets it go.
fn held(objects: Vec<Value>, what: &str) {
    assert!(!canary_crosses(objects.clone()), "the guard released {what}");
    assert!(!verifier_accepts(objects), "the verifier passed {what}");
}

// ---------------------------------------------------------------------------------------------
// SA01: a marking-definition's name
// ---------------------------------------------------------------------------------------------

/// A statement definition named `name`, and an indicator it marks (beside TLP:GREEN).
fn named_statement(statement_text: &str, name: &str) -> Vec<Value> {
    let mut def = statement(1, statement_text);
    def["name"] = json!(name);
    vec![def, indicator(2, &[TLP_GREEN, &md(1)], CANARY)]
}

/// Restrictive names a reader is shown as the marking (the red team's list).
const RESTRICTIVE_NAMES: &[&str] = &[
    "USA ONLY",
    "Do not share with foreign partners",
    "外国への提供不可",
    "US persons only",
    "FVEY",
    "DISTRIBUTION D",
    "Handle via COMINT channels only",
];

#[test]
fn sa01_a_free_text_name_no_pattern_allows_is_held() {
    for name in RESTRICTIVE_NAMES {
        held(named_statement("Copyright 2024", name), name);
        // SA01c: beside a statement that is a marking which may go.
        let mut objects = named_statement("TLP:GREEN", name);
        objects[1] = indicator(2, &[&md(1)], CANARY);
        held(objects, name);
    }
}

#[test]
fn sa01_names_that_may_go_still_go() {
    // No name; a name the policy lets go as free text; a name that is the marking it defines.
    goes(vec![
        statement(1, "Copyright 2024"),
        indicator(2, &[TLP_GREEN, &md(1)], CANARY),
    ]);
    goes(named_statement("Copyright 2024", "Copyright 2024"));
    goes(named_statement(
        "Copyright 2026 Example Corp.",
        "Copyright (c) 2026 Example Corp.",
    ));
    goes(named_statement(
        "UNCLASSIFIED//REL TO USA, JPN",
        "UNCLASSIFIED//REL TO USA, JPN",
    ));
    let mut objects = named_statement("TLP:GREEN", "TLP:GREEN");
    objects[1] = indicator(2, &[&md(1)], CANARY);
    goes(objects);
}

/// SA01d: an ACS 3.0 marking's own `name` (the verifier refuses every ACS marking).
#[test]
fn sa01d_an_acs_name_that_is_free_text_is_held() {
    let acs = |name: &str| {
        json!({"type": "marking-definition", "spec_version": "2.1", "id": md(7),
            "created": "2026-01-01T00:00:00.000Z",
            "extensions": {"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce": {
                "extension_type": "property-extension", "identifier": "isa:guide.19001.ACS3-3bda2f6e",
                "create_date_time": "2018-05-27T14:10:26.723Z", "name": name,
                "policy_reference": "urn:isa:policy:acs:ns:v3.0?privdefault=deny&sharedefault=deny",
                "responsible_entity_custodian": "USA.DHS",
                "control_set": {"classification": "U", "permitted_nationalities": ["USA", "JPN"]}}}})
    };
    for name in RESTRICTIVE_NAMES {
        held(vec![acs(name), indicator(2, &[TLP_GREEN, &md(7)], CANARY)], name);
    }
    // A name the policy lets go, or one that is a marking that may go, changes nothing.
    for name in ["Copyright 2024", "UNCLASSIFIED//REL TO USA, JPN"] {
        assert!(
            canary_crosses(vec![acs(name), indicator(2, &[TLP_GREEN, &md(7)], CANARY)]),
            "{name}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any name that states no marking and that no pattern of `stix.free_statements` lets go
    /// is held: the restrictive names in disguise, and words at random.
    #[test]
    fn sa01_any_free_text_name_is_held(
        which in 0..RESTRICTIVE_NAMES.len(),
        hows in prop::collection::vec(any::<u8>(), 1..16),
        words in "[A-Za-z][A-Za-z ]{0,30}",
        random in any::<bool>(),
    ) {
        let name = if random { words } else { disguise(RESTRICTIVE_NAMES[which], &hows) };
        prop_assume!(!name.trim().is_empty() && !name.trim().starts_with("Copyright"));
        held(named_statement("Copyright 2024", &name), &name);
    }
}

// ---------------------------------------------------------------------------------------------
// SA02: markings in member names
// ---------------------------------------------------------------------------------------------

fn observed(key: &str) -> Value {
    json!({"type": "observed-data", "spec_version": "2.1", "id": id("observed-data", 3),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "object_marking_refs": [TLP_GREEN], "first_observed": "2026-01-01T00:00:00.000Z",
        "last_observed": "2026-01-01T00:00:00.000Z", "number_observed": 1,
        "objects": {key: {"type": "domain-name", "value": format!("{}.example.net", CANARY.to_lowercase())}}})
}

const SHA256: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A value of the form `key` calls for.
fn hash_value(key: &str) -> String {
    "0".repeat(if key == "MD5" { 32 } else { 64 })
}

fn file_hashes(key: &str) -> Value {
    json!({"type": "file", "spec_version": "2.1", "id": "file--00000000-0000-4000-8000-000000000003",
        "object_marking_refs": [TLP_GREEN], "name": format!("{CANARY}.exe"),
        "hashes": {key: hash_value(key), "SHA-256": SHA256}})
}

fn extref_hashes(key: &str) -> Value {
    let mut o = indicator(2, &[TLP_GREEN], CANARY);
    o["external_references"] =
        json!([{"source_name": "x", "url": "https://example.net/", "hashes": {key: hash_value(key)}}]);
    o
}

/// Whether the guard lets out the canary (in any case) of `o`.
fn crosses_any_case(o: Value) -> bool {
    match run(&us_to_jpn(), vec![o]) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes())
            .to_uppercase()
            .contains(CANARY),
        Err(_) => false,
    }
}

fn key_held(o: Value, what: &str) {
    assert!(!crosses_any_case(o.clone()), "the guard released {what}");
    assert!(!verifier_accepts(vec![o]), "the verifier passed {what}");
}

#[test]
fn sa02_markings_as_dictionary_keys_are_held() {
    for key in [
        "TOP SECRET//SI//NOFORN",
        "TLP:AMBER+STRICT",
        "S//NF",
        "Classified as SECRET",
        "PROPIN",
        "SECRET",
        "NOFORN",
    ] {
        key_held(observed(key), &format!("observed-data key {key}"));
    }
    for key in ["TOP-SECRET_NOFORN", "NOFORN", "ORCON", "TLP-RED", "SECRET-REL-TO-USA"] {
        key_held(file_hashes(key), &format!("file hash key {key}"));
        key_held(extref_hashes(key), &format!("external reference hash key {key}"));
    }
}

#[test]
fn sa02_typed_keys_of_their_grammar_still_go() {
    let mut two = observed("0");
    two["objects"]["1"] = json!({"type": "ipv4-addr", "value": "198.51.100.7"});
    for o in [
        observed("0"),
        two,
        file_hashes("SHA-256"),
        file_hashes("MD5"),
        extref_hashes("SHA-256"),
    ] {
        let (out, _) = released(&us_to_jpn(), vec![o]);
        assert!(out.to_string().to_uppercase().contains(CANARY), "{out}");
        let bytes = serde_json::to_vec(&out).unwrap();
        assert!(sekisho::verifier::verify(&bytes, &us_to_jpn()).is_ok(), "{out}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every forbidden marking, disguised, as an observed-data key or a hash name, is held.
    #[test]
    fn sa02_no_disguised_marking_crosses_as_a_key(
        marking in 0..FORBIDDEN_MARKINGS.len(),
        hows in prop::collection::vec(any::<u8>(), 1..24),
        place in 0..3u8,
    ) {
        let key = disguise(FORBIDDEN_MARKINGS[marking], &hows);
        let o = match place {
            0 => observed(&key),
            1 => file_hashes(&key),
            _ => extref_hashes(&key),
        };
        key_held(o, &format!("{key:?} at {place}"));
    }

    /// Hash names outside the STIX vocabulary, and observed-data keys that are not numbers, are
    /// held whatever they say.
    #[test]
    fn sa02_keys_outside_their_grammar_are_held(key in "[A-Za-z][A-Za-z0-9_-]{2,20}") {
        prop_assume!(!["MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"].contains(&key.as_str()));
        key_held(observed(&key), &format!("observed-data key {key}"));
        key_held(extref_hashes(&key), &format!("hash name {key}"));
    }
}

// ---------------------------------------------------------------------------------------------
// SA15: version chains
// ---------------------------------------------------------------------------------------------

fn version(modified: &str, description: &str) -> Value {
    let mut o = indicator(2, &[TLP_GREEN], description);
    o["created"] = json!("2026-01-01T00:00:00.000Z");
    o["modified"] = json!(modified);
    o
}

#[test]
fn sa15_a_newer_versions_granular_red_keeps_the_older_description_back() {
    let old = version("2026-01-01T00:00:00.000Z", &format!("OLD {CANARY}"));
    let mut new = version("2026-02-01T00:00:00.000Z", "NEW text");
    new["granular_markings"] = json!([{"marking_ref": TLP_RED, "selectors": ["description"]}]);
    for objects in [vec![old.clone(), new.clone()], vec![new, old]] {
        held(objects, "an older version's description under the newer's granular RED");
    }
}

#[test]
fn sa15_a_benign_version_chain_goes_as_its_newest_version() {
    // Timestamps of other precisions compare by time, not as text.
    let chains = [
        ("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"),
        ("2026-01-01T00:00:00.100Z", "2026-01-01T00:00:00.1000001Z"),
    ];
    for (older, newer) in chains {
        for swap in [false, true] {
            let old = version(older, "old text");
            let new = version(newer, &format!("new {CANARY}"));
            let objects = if swap { vec![new, old] } else { vec![old, new] };
            let out = goes(objects);
            let kept = out["objects"].as_array().unwrap();
            assert_eq!(kept.len(), 1, "{out}");
            assert_eq!(kept[0]["modified"], json!(newer), "{out}");
        }
    }
    // What refers to the id still goes, with the newest version.
    let objects = vec![
        version("2026-01-01T00:00:00.000Z", "old text"),
        version("2026-02-01T00:00:00.000Z", CANARY),
        malware(6, &[TLP_GREEN], "Family"),
        relationship(5, &[TLP_GREEN], &id("indicator", 2), &id("malware", 6)),
    ];
    let out = goes(objects);
    assert_eq!(out["objects"].as_array().unwrap().len(), 3, "{out}");
    // The same version twice goes once.
    let v = version("2026-01-01T00:00:00.000Z", CANARY);
    let out = goes(vec![v.clone(), v]);
    assert_eq!(out["objects"].as_array().unwrap().len(), 1, "{out}");
}

#[test]
fn sa15_two_different_objects_of_one_version_are_held() {
    let a = version("2026-01-01T00:00:00.000Z", CANARY);
    let mut b = version("2026-01-01T00:00:00.000Z", "other");
    b["granular_markings"] = json!([{"marking_ref": TLP_RED, "selectors": ["description"]}]);
    held(vec![a, b], "two objects claiming one version");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// However many versions, in whatever order, and whichever of them carries the granular RED,
    /// the description under it (the only one holding the canary) never goes; and the guard's
    /// output always passes the verifier.
    #[test]
    fn sa15_no_version_leaks_what_another_marks(
        months in prop::collection::btree_set(1u8..12, 2..5),
        red in any::<prop::sample::Index>(),
        order in any::<prop::sample::Index>(),
    ) {
        let months: Vec<u8> = months.into_iter().collect();
        let red = red.index(months.len());
        let mut objects: Vec<Value> = months
            .iter()
            .enumerate()
            .map(|(n, m)| {
                let text = if n == red { format!("v{n} {CANARY}") } else { format!("v{n} plain") };
                let mut v = version(&format!("2026-{m:02}-01T00:00:00.000Z"), &text);
                if n == red {
                    v["granular_markings"] = json!([{"marking_ref": TLP_RED, "selectors": ["description"]}]);
                }
                v
            })
            .collect();
        let shift = order.index(objects.len());
        objects.rotate_left(shift);
        prop_assert!(!canary_crosses(objects.clone()));
        if let Ok(r) = run(&us_to_jpn(), objects) {
            prop_assert!(sekisho::verifier::verify(r.output.as_bytes(), &us_to_jpn()).is_ok());
        }
    }
}
