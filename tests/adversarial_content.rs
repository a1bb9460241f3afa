//! Issue 15, attacked: for each canary kind (dirty word, internal address, internal domain,
//! e-mail address, telephone number) every encoding we know of (`sekisho::fuzzing::content`),
//! placed in every string-valued place of every allowed type, nested ones included. No canary
//! crosses the guard; the second verifier refuses every input that holds one and passes every
//! output; look-alikes that are not canaries cross unchanged.

use proptest::prelude::*;
use sekisho::fuzzing::content::{self, BENIGN, KINDS, PLACES};
use sekisho::guard;
use sekisho::policy::Policy;

fn policy() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join("us-to-jpn.toml")).unwrap()
}

/// Run one bundle; the problems found (empty: fine).
fn attack(policy: &Policy, encoded: &str, place: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let input = content::bundle(content::place(place, encoded, 16));
    let at = PLACES[place];
    if sekisho::verifier::verify(input.as_bytes(), policy).is_ok() {
        problems.push(format!("verifier passed {encoded:?} at {at}"));
    }
    if let Ok(r) = guard::filter(input.as_bytes(), policy) {
        let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
        if content::leaked(&out, encoded) {
            problems.push(format!("{encoded:?} crossed at {at}: {out}"));
        }
        if let Err(f) = sekisho::verifier::verify(r.output.as_bytes(), policy) {
            problems.push(format!("verifier refused the output for {encoded:?} at {at}: {f:?}"));
        }
    }
    problems
}

#[test]
fn no_encoding_of_any_canary_crosses_at_any_place() {
    let policy = policy();
    let mut problems = Vec::new();
    let mut cases = 0;
    for kind in KINDS {
        for e in content::encodings(kind) {
            for p in 0..PLACES.len() {
                cases += 1;
                problems.extend(attack(&policy, &e, p));
            }
        }
    }
    assert!(cases > 3000, "{cases}");
    assert!(
        problems.is_empty(),
        "{} of {cases}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn look_alikes_cross_unchanged() {
    let policy = policy();
    let places = [
        "indicator.description",
        "indicator.name",
        "indicator.labels",
        "note.content",
        "location.name",
    ];
    let mut problems = Vec::new();
    for b in BENIGN {
        for name in places {
            let p = PLACES.iter().position(|x| *x == name).unwrap();
            let input = content::bundle(content::place(p, b, 16));
            match guard::filter(input.as_bytes(), &policy) {
                Ok(r) => {
                    let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                    let first = &v["objects"][0];
                    if !first.to_string().contains(&serde_json::to_string(b).unwrap()) {
                        problems.push(format!("{b:?} at {name} changed: {first}"));
                    }
                }
                Err(e) => problems.push(format!("{b:?} at {name} rejected: {e:?}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Several canaries, combined, at random places in one bundle: none crosses (the fuzz
    /// target's property, run here on random inputs).
    #[test]
    fn no_canary_crosses_in_any_combination(data in proptest::collection::vec(any::<u8>(), 3..36)) {
        sekisho::fuzzing::content::content_canaries(&data);
    }
}
