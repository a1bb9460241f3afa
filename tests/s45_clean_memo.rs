//! The guard reads a string written again in one message only once where it was clean
//! (`release::stix::sanitise::Clean`): a string found clean under one label, in one place or as
//! one kind of value must still be read under another. Each object of a bundle is decided as it
//! is when it crosses alone, whatever the objects before it held.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use sekisho::policy::Policy;
use serde_json::{Value, json};

/// Texts that some rule reads differently by place, label or kind, and clean ones.
const TEXTS: &[&str] = &[
    "a plain description",
    "remote-access-trojan",
    "BLUEFIN",
    "seen with BLUEFIN loaders",
    "write to alice.smith@agency.example.gov",
    "alice.smith@agency.example.gov",
    "corp.example",
    "intranet.corp.example",
    "10.1.2.3",
    "part of Operation NIGHTJAR",
    "TLP:RED",
    "TLP:AMBER",
    "TLP:GREEN",
    "SECRET//REL TO USA, JPN",
    "CONFIDENTIAL",
    "(S//NF) the loader",
    "//REL TO USA, JPN",
    "UNCLASSIFIED//FOUO",
    "call (202) 555-0143",
    "example.org",
    "10.1",
    "SECRET",
];

/// The texts that are domain names, for the values of `domain-name` objects (their grammar
/// takes nothing else; `10.1` as a host is 10.0.0.1, in prose a version).
const NAMES: &[&str] = &["corp.example", "intranet.corp.example", "example.org", "10.1"];

/// The shipped policy, and a dirty word read in malware names only.
fn policy() -> Policy {
    us_to_jpn_with(|t| {
        t + r#"
[[dirty_words]]
id = "names-only"
words = ["BLUEFIN"]
action = "redact"
paths = ["malware.name"]
"#
    })
}

/// The statement markings objects may carry, defined once at the bundle's start.
fn statements() -> Vec<Value> {
    vec![
        statement(9001, "SECRET//REL TO USA, JPN"),
        statement(9002, "UNCLASSIFIED"),
        statement(9003, "CONFIDENTIAL//REL TO USA, JPN"),
    ]
}

fn markings(k: u8) -> Vec<String> {
    let s = |n: u32| id("marking-definition", n);
    match k % 6 {
        0 => vec![TLP_GREEN.into()],
        1 => vec![TLP_AMBER.into()],
        2 => vec![TLP_CLEAR.into()],
        3 => vec![TLP_GREEN.into(), s(9001)],
        4 => vec![TLP_GREEN.into(), s(9002)],
        _ => vec![TLP_GREEN.into(), s(9003)],
    }
}

/// Object `n` of kind `kind`, marked so, with `text` in its one free place.
fn object(n: u32, kind: u8, marks: u8, text: &str) -> Value {
    let m = markings(marks);
    let m: Vec<&str> = m.iter().map(String::as_str).collect();
    match kind % 4 {
        0 => indicator(n, &m, text),
        1 => malware(n, &m, text),
        2 => {
            let mut o = malware(n, &m, "Sample");
            o["description"] = json!(text);
            o
        }
        _ => {
            let name = if NAMES.contains(&text) { text } else { "example.org" };
            let mut o = json!({"type": "domain-name", "spec_version": "2.1",
                               "id": id("domain-name", n), "value": name});
            o["object_marking_refs"] = json!(m);
            o
        }
    }
}

/// The objects the guard lets go, by id; `None` when it rejects the message.
fn released(objects: Vec<Value>, policy: &Policy) -> Option<BTreeMap<String, Value>> {
    let r = match run(policy, objects) {
        Ok(r) => r,
        Err(e) if e.reasons.iter().all(|r| r.rule == "nothing-releasable") => return Some(BTreeMap::new()),
        Err(e) => {
            eprintln!("rejected: {:?}", e.reasons);
            return None;
        }
    };
    let out: Value = serde_json::from_slice(r.output.as_bytes()).unwrap();
    Some(
        out["objects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["type"] != "marking-definition")
            .map(|o| (o["id"].as_str().unwrap().to_string(), o.clone()))
            .collect(),
    )
}

fn alone(o: &Value, policy: &Policy) -> Option<Value> {
    let mut objects = statements();
    objects.push(o.clone());
    released(objects, policy)
        .expect("no object here makes the guard reject a message")
        .into_values()
        .next()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn each_object_is_decided_as_it_is_alone(
        pool in proptest::collection::vec(0..TEXTS.len(), 1..4),
        picks in proptest::collection::vec((0u8..4, 0u8..6, 0usize..4), 2..24),
    ) {
        // A few texts a message, each written again in other places and under other labels.
        let policy = policy();
        let objects: Vec<Value> = picks
            .iter()
            .enumerate()
            .map(|(n, &(kind, marks, t))| {
                let text = TEXTS[pool[t % pool.len()]];
                object(u32::try_from(n).unwrap() + 1, kind, marks, text)
            })
            .collect();
        let mut all = statements();
        all.extend(objects.iter().cloned());
        let together = released(all, &policy).expect("no object here makes the guard reject a message");
        for o in &objects {
            let id = o["id"].as_str().unwrap();
            let one = alone(o, &policy);
            prop_assert_eq!(together.get(id), one.as_ref(), "{}", o);
        }
    }
}

/// The cases the property draws, written out: a name clean in a description is redacted in a
/// malware name after it.
#[test]
fn a_string_clean_in_one_place_is_read_in_another() {
    let policy = policy();
    let mut objects = statements();
    objects.push(object(1, 2, 0, "BLUEFIN"));
    objects.push(object(2, 1, 0, "BLUEFIN"));
    let out = released(objects, &policy).unwrap();
    let name = |n: u32| out.get(&id("malware", n)).map(|o| o["name"].clone());
    let description = out.get(&id("malware", 1)).map(|o| o["description"].clone());
    assert_eq!(description, Some(json!("BLUEFIN")));
    assert_ne!(name(2), Some(json!("BLUEFIN")), "{out:?}");
}

/// A short address clean in prose (`10.1`, a version) is an internal host as a domain name's
/// value (10.0.0.1). (The label is in the memo's key too; under the shipped policy no text in
/// [`TEXTS`] reads differently by label, so only the property covers it.)
#[test]
fn a_string_clean_as_prose_is_read_as_a_host() {
    let policy = policy();
    let (first, then) = (object(1, 0, 0, "10.1"), object(2, 3, 0, "10.1"));
    assert!(alone(&first, &policy).is_some(), "{first}");
    assert!(alone(&then, &policy).is_none(), "{then}");
    let mut objects = statements();
    objects.extend([first.clone(), then.clone()]);
    let out = released(objects, &policy).unwrap();
    assert!(out.contains_key(first["id"].as_str().unwrap()), "{out:?}");
    assert!(!out.contains_key(then["id"].as_str().unwrap()), "{out:?}");
}

/// What releasing `objects` decides and renders, as the fixpoint check does it: after a first
/// release (`prior`, if any) whose reading it takes over.
fn release_after(objects: Vec<Value>, policy: &Policy, prior: &Read) -> (String, Option<Vec<u8>>, Read) {
    let input = bundle(objects);
    let parsed = sekisho::format::stix::parse_bundle(&input, &policy.limits).unwrap();
    let (r, read) = sekisho::release::stix::release_after(parsed, policy, prior);
    let decisions = format!("{:?}", r.decisions.into_vec());
    (decisions, r.output.map(|b| b.render()), read)
}

use sekisho::release::stix::Read;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The fixpoint check takes over what the first release read and found clean: whatever the
    /// first message held, a second one is decided and rendered as if nothing had been read
    /// before (the texts of both are drawn from one small pool, so most are met again, under
    /// other labels, in other places, as other kinds of value).
    #[test]
    fn a_release_after_another_decides_as_a_first_one(
        pool in proptest::collection::vec(0..TEXTS.len(), 1..5),
        first in proptest::collection::vec((0u8..4, 0u8..6, 0usize..5), 1..16),
        then in proptest::collection::vec((0u8..4, 0u8..6, 0usize..5), 1..16),
    ) {
        let policy = policy();
        let objects = |picks: &[(u8, u8, usize)]| -> Vec<Value> {
            let mut all = statements();
            all.extend(picks.iter().enumerate().map(|(n, &(kind, marks, t))| {
                object(u32::try_from(n).unwrap() + 1, kind, marks, TEXTS[pool[t % pool.len()]])
            }));
            all
        };
        let (_, _, read) = release_after(objects(&first), &policy, &Read::default());
        let after = release_after(objects(&then), &policy, &read);
        let fresh = release_after(objects(&then), &policy, &Read::default());
        prop_assert_eq!(&after.0, &fresh.0);
        prop_assert_eq!(&after.1, &fresh.1);
    }
}

/// The same over a bundle decided in runs on several threads: each run's reading is taken over.
#[test]
fn a_release_after_one_decided_in_runs_decides_as_a_first_one() {
    let policy = policy();
    let objects = |shift: usize| -> Vec<Value> {
        let mut all = statements();
        all.extend((0..600u32).map(|n| {
            let k = n as usize + shift;
            object(n + 1, (k % 4) as u8, (k / 4 % 6) as u8, TEXTS[k * 7 % TEXTS.len()])
        }));
        all
    };
    let (_, _, read) = release_after(objects(0), &policy, &Read::default());
    for shift in [0, 1, 5] {
        let after = release_after(objects(shift), &policy, &read);
        let fresh = release_after(objects(shift), &policy, &Read::default());
        assert_eq!(after.0, fresh.0, "shift {shift}");
        assert_eq!(after.1, fresh.1, "shift {shift}");
    }
}
