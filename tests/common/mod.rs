//! Building STIX bundles for tests, and running them through the guard.
#![allow(dead_code)]

use sekisho::guard::{self, Rejection, Released};
use sekisho::policy::Policy;
use serde_json::{Value, json};

pub mod held;
pub mod spelt;

pub const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
pub const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
pub const TLP_AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
pub const TLP_AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
pub const TLP_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
pub const TLP1_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
pub const TLP1_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

pub fn policies() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// The text of the XML fixture `path` (under `tests/fixtures/xml`).
pub fn xml_fixture(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xml")
        .join(path);
    std::fs::read_to_string(p).unwrap()
}

/// The labelled CAP alert and IODEF document the guard releases under us-to-jpn.
pub const CAP_FIXTURE: &str = "cap/nato-unclassified-rel-jpn.xml";
pub const IODEF_FIXTURE: &str = "iodef/nato-unclassified-rel-jpn.xml";

pub fn us_to_jpn() -> Policy {
    Policy::load(&policies().join("us-to-jpn.toml")).unwrap()
}

pub fn jpn_to_us() -> Policy {
    Policy::load(&policies().join("jpn-to-us.toml")).unwrap()
}

/// The shipped us-to-jpn policy with `edit` applied to its text.
pub fn us_to_jpn_with(edit: impl Fn(String) -> String) -> Policy {
    let text = edit(std::fs::read_to_string(policies().join("us-to-jpn.toml")).unwrap());
    Policy::parse(&text, "us-to-jpn.toml", Some(&policies())).unwrap()
}

/// A deterministic UUIDv4-shaped id for `type` and `n`.
pub fn id(t: &str, n: u32) -> String {
    format!("{t}--00000000-0000-4000-8000-{n:012x}")
}

fn common(t: &str, n: u32, markings: &[&str]) -> Value {
    let mut o = json!({"type": t, "spec_version": "2.1", "id": id(t, n),
        "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z"});
    if !markings.is_empty() {
        o["object_marking_refs"] = json!(markings);
    }
    o
}

pub fn identity(n: u32, markings: &[&str]) -> Value {
    let mut o = common("identity", n, markings);
    o["name"] = json!(format!("Org {n}"));
    o
}

pub fn indicator(n: u32, markings: &[&str], description: &str) -> Value {
    let mut o = common("indicator", n, markings);
    o["pattern"] = json!("[ipv4-addr:value = '198.51.100.1']");
    o["pattern_type"] = json!("stix");
    o["valid_from"] = json!("2020-01-01T00:00:00Z");
    o["description"] = json!(description);
    o
}

pub fn malware(n: u32, markings: &[&str], name: &str) -> Value {
    let mut o = common("malware", n, markings);
    o["name"] = json!(name);
    o["is_family"] = json!(true);
    o
}

pub fn relationship(n: u32, markings: &[&str], source: &str, target: &str) -> Value {
    let mut o = common("relationship", n, markings);
    o["relationship_type"] = json!("indicates");
    o["source_ref"] = json!(source);
    o["target_ref"] = json!(target);
    o
}

pub fn sighting(n: u32, markings: &[&str], of: &str, where_sighted: &[String]) -> Value {
    let mut o = common("sighting", n, markings);
    o["sighting_of_ref"] = json!(of);
    if !where_sighted.is_empty() {
        o["where_sighted_refs"] = json!(where_sighted);
    }
    o
}

pub fn report(n: u32, markings: &[&str], refs: &[String]) -> Value {
    let mut o = common("report", n, markings);
    o["name"] = json!(format!("Report {n}"));
    o["published"] = json!("2020-01-02T00:00:00Z");
    o["object_refs"] = json!(refs);
    o
}

/// A statement marking definition.
pub fn statement(n: u32, text: &str) -> Value {
    json!({"type": "marking-definition", "spec_version": "2.1", "id": id("marking-definition", n),
           "created": "2020-01-01T00:00:00.000Z", "definition_type": "statement",
           "definition": {"statement": text}})
}

pub fn bundle(objects: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec_pretty(
        &json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001",
                                      "objects": objects}),
    )
    .unwrap()
}

pub fn run(policy: &Policy, objects: Vec<Value>) -> Result<Released, Rejection> {
    guard::filter(&bundle(objects), policy)
}

/// The released bundle as serde values, or a panic with the reasons.
pub fn released(policy: &Policy, objects: Vec<Value>) -> (Value, Released) {
    match run(policy, objects) {
        Ok(r) => (serde_json::from_slice(r.output.as_bytes()).unwrap(), r),
        Err(e) => panic!("rejected: {:?}", e.reasons),
    }
}

pub fn ids(out: &Value) -> Vec<String> {
    out["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// The rule of the decision about `unit` with the given verdict, if any.
pub fn rule_for(r: &sekisho::guard::Report, unit: &str, verdict: &str) -> Option<String> {
    r.decisions
        .iter()
        .find(|d| d.unit == unit && serde_json::to_value(d.verdict).unwrap() == verdict)
        .map(|d| d.rule.to_string())
}
