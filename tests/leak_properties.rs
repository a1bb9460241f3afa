//! Property: for generated bundles and markings, the guard's output never contains a unit whose
//! label is not releasable (each carries a unique canary) and never contains a dangling reference;
//! and the output, filtered again, comes back byte-identical.

mod common;

use std::collections::HashSet;

use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Statement banners, and whether us-to-jpn releases what they mark.
const BANNERS: &[(&str, bool)] = &[
    ("SECRET//REL TO USA, JPN", true),
    ("UNCLASSIFIED", true),
    ("CONFIDENTIAL//REL TO USA, JPN, GBR", true),
    ("SECRET//NOFORN", false),
    ("TOP SECRET//REL TO USA, JPN", false),
    ("CONFIDENTIAL//REL TO USA, GBR", false),
    ("SECRET//ORCON/REL TO USA, JPN", false),
    ("SECRET", false),
];

/// TLP ids, and whether us-to-jpn releases them; `None` is unmarked.
const TLPS: &[(Option<&str>, bool)] = &[
    (Some(TLP_CLEAR), true),
    (Some(TLP_GREEN), true),
    (Some(TLP_AMBER), true),
    (Some(TLP_AMBER_STRICT), false),
    (Some(TLP_RED), false),
    (None, false),
];

#[derive(Debug, Clone)]
struct Spec {
    kind: u8,
    tlp: usize,
    banner: Option<usize>,
    /// A granular TLP on `description`.
    granular: Option<usize>,
    /// Indices of other objects this one refers to.
    refs: Vec<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..5,
        0..TLPS.len(),
        prop::option::of(0..BANNERS.len()),
        prop::option::of(0..5usize),
        prop::collection::vec(0usize..12, 0..3),
    )
        .prop_map(|(kind, tlp, banner, granular, refs)| Spec {
            kind,
            tlp,
            banner,
            granular,
            refs,
        })
}

/// Builds the bundle; returns it and the canaries that must not appear in the output.
fn build(specs: &[Spec]) -> (Vec<Value>, Vec<String>) {
    let mut objects: Vec<Value> = BANNERS
        .iter()
        .enumerate()
        .map(|(n, (b, _))| statement(n as u32 + 1, b))
        .collect();
    let mut canaries = Vec::new();
    let ids: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(n, s)| match s.kind {
            0 => id("indicator", n as u32),
            1 => id("malware", n as u32),
            2 => id("identity", n as u32),
            3 => id("relationship", n as u32),
            _ => id("report", n as u32),
        })
        .collect();
    for (n, s) in specs.iter().enumerate() {
        let (tlp, tlp_ok) = TLPS[s.tlp];
        let mut markings: Vec<String> = tlp.iter().map(|t| t.to_string()).collect();
        // Identities pass without a TLP marking when referenced (the policy's `unmarked` rule);
        // their other markings still count.
        let mut ok = tlp_ok || (s.kind == 2 && tlp.is_none());
        if let Some(b) = s.banner {
            markings.push(id("marking-definition", b as u32 + 1));
            ok &= BANNERS[b].1;
        }
        let m: Vec<&str> = markings.iter().map(String::as_str).collect();
        let others: Vec<String> = s
            .refs
            .iter()
            .filter(|&&r| r < specs.len() && r != n)
            .map(|&r| ids[r].clone())
            .collect();
        let canary = format!("CANARY-{n}-X");
        // The text of an object that may not go carries a canary; identities are named by it.
        let text = if ok { format!("text {n}") } else { canary.clone() };
        let mut o = match s.kind {
            0 => indicator(n as u32, &m, &text),
            1 => malware(n as u32, &m, &text),
            2 => identity(n as u32, &m),
            3 if others.len() >= 2 => relationship(n as u32, &m, &others[0], &others[1]),
            3 => indicator(n as u32, &m, &text),
            _ if !others.is_empty() => report(n as u32, &m, &others),
            _ => indicator(n as u32, &m, &text),
        };
        if o["type"] == "indicator" && s.kind != 0 {
            o["id"] = json!(id("indicator", n as u32));
        }
        if s.kind == 2 {
            o["name"] = json!(text.clone());
        }
        if !ok {
            canaries.push(canary.clone());
        }
        if let Some(g) = s.granular
            && o.get("description").is_some()
        {
            let (gt, gok) = TLPS[g];
            if let Some(gt) = gt {
                o["granular_markings"] = json!([{"selectors": ["description"], "marking_ref": gt}]);
                if !gok {
                    let c = format!("CANARY-{n}-G");
                    o["description"] = json!(c.clone());
                    canaries.push(c);
                }
            }
        }
        objects.push(o);
    }
    (objects, canaries)
}

fn references(v: &Value, name: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) if name.ends_with("_ref") => out.push(s.clone()),
        Value::Array(a) if name.ends_with("_refs") => out.extend(a.iter().filter_map(|x| x.as_str()).map(String::from)),
        Value::Object(o) => o.iter().for_each(|(k, v)| references(v, k, out)),
        Value::Array(a) => a.iter().for_each(|v| references(v, "", out)),
        _ => {}
    }
}

const RESERVED: &[&str] = &[
    TLP_CLEAR,
    TLP_GREEN,
    TLP_AMBER,
    TLP_AMBER_STRICT,
    TLP_RED,
    TLP1_WHITE,
    TLP1_RED,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_leaks_and_never_dangles(specs in prop::collection::vec(spec(), 1..12)) {
        let (objects, canaries) = build(&specs);
        let policy = us_to_jpn();
        let Ok(released) = run(&policy, objects) else { return Ok(()) };
        let text = String::from_utf8(released.output.as_bytes().to_vec()).unwrap();
        for c in &canaries {
            prop_assert!(!text.contains(c.as_str()), "{c} leaked: {text}");
        }
        let out: Value = serde_json::from_str(&text).unwrap();
        let present: HashSet<String> = out["objects"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect();
        let mut refs = Vec::new();
        references(&out["objects"], "", &mut refs);
        for r in refs {
            prop_assert!(present.contains(&r) || RESERVED.contains(&r.as_str()), "dangling {r}");
        }
        let again = sekisho::guard::filter(released.output.as_bytes(), &policy).unwrap();
        prop_assert_eq!(again.output.as_bytes(), released.output.as_bytes());
    }
}
