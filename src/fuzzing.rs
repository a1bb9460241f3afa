//! The properties the fuzz targets in `fuzz/` check, one function per target.
//!
//! Each target in `fuzz/fuzz_targets/` is one line that calls a function here, so the property
//! lives in the library, is replayed over the committed corpora by `tests/fuzz_replay.rs`, and is
//! unit-tested below. A function returns quietly when the input is rejected (rejecting is always
//! allowed) and panics when an accepted input breaks a property: a panic is a finding.
//!
//! Every property runs under [`Limits::default`] and under [`Limits::tiny`] (which reaches the
//! limit paths), and checks that the limits are monotone: what the tiny limits accept, the default
//! ones accept with the same meaning.
//!
//! To add a target: write `pub fn NAME(data: &[u8])` here, add it to [`TARGETS`], then follow
//! `fuzz/README.md` (a target file, a `[[bin]]`, a seed corpus and a dictionary).

pub mod content;

use crate::format::json::{self, Value};
use crate::format::stix;
use crate::limits::Limits;

/// A property: returns on every input, panics on an accepted input that breaks it.
pub type Property = fn(&[u8]);

/// Every fuzz target: its name (the file `fuzz/fuzz_targets/NAME.rs`, the corpus directory
/// `fuzz/corpus/NAME/`, the dictionary `fuzz/dict/NAME.dict`) and its property.
pub const TARGETS: &[(&str, Property)] = &[
    ("json", json),
    ("audit_chain", audit_chain),
    ("verifier_answer", verifier_answer),
    ("stix", stix),
    ("stix_pattern", stix_pattern),
    ("banner", banner),
    ("policy", policy),
    ("diode_frame", diode_frame),
    ("guard_fixpoint", guard_fixpoint),
    ("guard_canaries", guard_canaries),
    ("xml", xml),
    ("label4774", label4774),
    ("marking_disguises", marking_disguises),
];

/// The limits every property runs under.
fn limit_sets() -> [Limits; 2] {
    [Limits::default(), Limits::tiny()]
}

/// The limits to parse a rendering with: the same, except the whole-input size, which rendering
/// may legitimately grow (a canonical number such as `1e20` → `100000000000000000000`, a control
/// character → `\u001f`). Every other limit must still hold for the rendering.
fn for_rendering(limits: &Limits) -> Limits {
    Limits {
        max_input_bytes: usize::MAX,
        ..limits.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// json
// ---------------------------------------------------------------------------------------------

/// `fuzz/fuzz_targets/json.rs`: for every input [`json::parse`] accepts,
///
/// - serde_json accepts it too, with the same value (numbers compared by value, objects as maps);
/// - its canonical rendering parses (under the same limits but the input size) to the same value,
///   and renders to the same bytes: rendering is a fixpoint;
/// - what [`Limits::tiny`] accepts, [`Limits::default`] accepts with the same value;
///
/// and for every input serde_json accepts but we reject under [`Limits::default`], the reason is
/// one of the strictnesses the grammar declares (see [`declared_strictness`]).
///
/// serde_json must be built with its `float_roundtrip` feature (the fuzz crate and the tests turn
/// it on), or its float parsing may be one ulp off and this would report serde's rounding.
pub fn json(data: &[u8]) {
    let shown = String::from_utf8_lossy(data);
    let [default, tiny] = limit_sets();
    let by_default = json_under(data, &default);
    if let Some(small) = json_under(data, &tiny) {
        match &by_default {
            Some(v) => assert!(*v == small, "default and tiny limits parse {shown:?} differently"),
            None => panic!("tiny limits accept {shown:?} but default limits reject it"),
        }
    }
    if by_default.is_none()
        && serde_json::from_slice::<serde_json::Value>(data).is_ok()
        && let Err(e) = json::parse(data, &default)
    {
        assert!(
            declared_strictness(&e),
            "serde_json accepts {shown:?}, we reject it: {e} at byte {}",
            e.offset
        );
    }
}

/// Whether a rejection is one of the ways sekisho's JSON is stricter than RFC 8259 on purpose
/// (the module doc of [`json`]): a limit, a duplicate member name, or an exponent too long to
/// canonicalise. serde_json accepting such an input is not a finding.
fn declared_strictness(e: &crate::ParseError) -> bool {
    e.rule.starts_with("max_")
        || (e.rule == "member" && e.detail.starts_with("duplicate member name"))
        || (e.rule == "number" && e.detail == "exponent out of range")
}

/// The json property under one set of limits; the accepted value, if any.
fn json_under<'a>(data: &'a [u8], limits: &Limits) -> Option<Value<'a>> {
    let shown = String::from_utf8_lossy(data);
    let v = json::parse(data, limits).ok()?;
    match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(theirs) => assert!(
            same_as_serde(&v, &theirs),
            "serde_json reads {shown:?} as {theirs} but we read {}",
            String::from_utf8_lossy(&json::render(&v))
        ),
        Err(e) => panic!("we accept {shown:?}, serde_json rejects it: {e}"),
    }
    let rendered = json::render(&v);
    let again = match json::parse(&rendered, &for_rendering(limits)) {
        Ok(again) => again,
        Err(e) => panic!(
            "rendering {:?} of {shown:?} does not parse: {e} at byte {}",
            String::from_utf8_lossy(&rendered),
            e.offset
        ),
    };
    assert!(again == v, "render then parse changed the value of {shown:?}");
    assert_eq!(json::render(&again), rendered, "render is not a fixpoint for {shown:?}");
    Some(v)
}

/// Whether our value and serde_json's are the same JSON value.
fn same_as_serde(ours: &Value<'_>, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as S;
    match (ours, theirs) {
        (Value::Null, S::Null) => true,
        (Value::Bool(a), S::Bool(b)) => a == b,
        (Value::Number(a), S::Number(b)) => {
            // serde_json keeps integers without fraction or exponent exactly; everything else is
            // its nearest double.
            if let Some(i) = b.as_i64() {
                a.canonical() == i.to_string()
            } else if let Some(u) = b.as_u64() {
                a.canonical() == u.to_string()
            } else {
                b.as_f64() == Some(a.as_f64())
            }
        }
        (Value::String(a), S::String(b)) => a == b,
        (Value::Array(a), S::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_as_serde(x, y)),
        (Value::Object(a), S::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| same_as_serde(x, y)))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// stix
// ---------------------------------------------------------------------------------------------

/// `fuzz/fuzz_targets/stix.rs`: for every bundle [`stix::parse_bundle`] accepts,
///
/// - its rendering is accepted (under the same limits but the input size), with the same objects
///   in the same order, and renders to the same bytes: rendering is a fixpoint;
/// - what [`Limits::tiny`] accepts, [`Limits::default`] accepts with the same rendering.
pub fn stix(data: &[u8]) {
    let shown = String::from_utf8_lossy(data);
    let [default, tiny] = limit_sets();
    let by_default = stix_under(data, &default);
    if let Some(small) = stix_under(data, &tiny) {
        match by_default {
            Some(r) => assert_eq!(r, small, "default and tiny limits render {shown:?} differently"),
            None => panic!("tiny limits accept {shown:?} but default limits reject it"),
        }
    }
}

/// The stix property under one set of limits; the rendering of the accepted bundle, if any.
fn stix_under(data: &[u8], limits: &Limits) -> Option<Vec<u8>> {
    let shown = String::from_utf8_lossy(data);
    let bundle = stix::parse_bundle(data, limits).ok()?;
    let rendered = bundle.render();
    let again = match stix::parse_bundle(&rendered, &for_rendering(limits)) {
        Ok(again) => again,
        Err(e) => panic!(
            "rendering {:?} of {shown:?} is rejected: {e} at {}",
            String::from_utf8_lossy(&rendered),
            e.pointer.as_deref().unwrap_or("")
        ),
    };
    assert_eq!(
        again.id, bundle.id,
        "render then parse changed the bundle id of {shown:?}"
    );
    let ids = |b: &stix::Bundle<'_>| b.objects.iter().map(|o| o.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&again),
        ids(&bundle),
        "render then parse changed the objects of {shown:?}"
    );
    assert_eq!(again.render(), rendered, "render is not a fixpoint for {shown:?}");
    Some(rendered)
}

// ---------------------------------------------------------------------------------------------
// stix_pattern
// ---------------------------------------------------------------------------------------------

/// `fuzz/fuzz_targets/stix_pattern.rs`: the STIX Patterning round trip, under both limit sets
/// (see [`stix::pattern::fuzz_pattern`]).
pub fn stix_pattern(data: &[u8]) {
    stix::pattern::fuzz_pattern(data);
}

// ---------------------------------------------------------------------------------------------
// labels, policies, diode frames
// ---------------------------------------------------------------------------------------------

/// `fuzz/fuzz_targets/banner.rs`: banner and portion markings (see [`crate::label::fuzz_banner`]):
/// an accepted marking renders back to a marking that parses to the same label.
pub fn banner(data: &[u8]) {
    crate::label::fuzz_banner(data);
}

/// `fuzz/fuzz_targets/policy.rs`: the rule-file loader. Any text either loads or is refused with
/// located errors (never empty, every location inside the text); loading is deterministic.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match crate::policy::Policy::from_str(text, "fuzz.toml") {
        Ok(p) => {
            let again = crate::policy::Policy::from_str(text, "fuzz.toml");
            assert!(
                again.is_ok_and(|q| q.sha256 == p.sha256 && q.name == p.name),
                "loading is not deterministic"
            );
        }
        Err(crate::policy::PolicyErrors(errors)) => {
            assert!(!errors.is_empty(), "a refused policy must say why");
            let lines = text.lines().count().max(1);
            for e in &errors {
                assert!(e.line <= lines + 1, "error located past the end of the text: {e}");
            }
        }
    }
}

/// `fuzz/fuzz_targets/diode_frame.rs`: one datagram through the frame grammar and a reassembler
/// with tiny caps (see [`crate::diode::fuzz_frame`]): decoding never allocates past the caps.
pub fn diode_frame(data: &[u8]) {
    crate::diode::fuzz_frame(data);
}

/// `fuzz/fuzz_targets/xml.rs`: the hardened XML parser (see [`crate::format::xml::fuzz_xml`]):
/// an accepted document renders to one that parses to the same tree, and rendering is a fixpoint.
pub fn xml(data: &[u8]) {
    crate::format::xml::fuzz_xml(data);
}

/// `fuzz/fuzz_targets/label4774.rs`: STANAG 4774/4778 labels (see
/// [`crate::format::xml::label4774::fuzz_label4774`]): an accepted label rebuilds to itself.
pub fn label4774(data: &[u8]) {
    crate::format::xml::label4774::fuzz_label4774(data);
}

// ---------------------------------------------------------------------------------------------
// the whole pipeline
// ---------------------------------------------------------------------------------------------

/// The shipped us-to-jpn policy, with its dirty-word file inlined (so it loads from any directory).
fn shipped_policy() -> &'static crate::policy::Policy {
    use std::sync::OnceLock;
    static POLICY: OnceLock<crate::policy::Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let words: Vec<String> = include_str!("../policies/us-to-jpn.dirty-words.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| format!("{l:?}"))
            .collect();
        let text = include_str!("../policies/us-to-jpn.toml").replace(
            "file = \"us-to-jpn.dirty-words.txt\"",
            &format!("words = [{}]", words.join(", ")),
        );
        #[expect(
            clippy::expect_used,
            reason = "the shipped policy is tested to load; this is a fuzz harness"
        )]
        crate::policy::Policy::from_str(&text, "us-to-jpn.toml").expect("the shipped policy loads")
    })
}

/// `fuzz/fuzz_targets/audit_chain.rs`: any bytes checked as an audit log never panic, and the
/// chain is tamper-evident: in a log that verifies, changing any one byte of its first 4 KiB
/// (but a final newline) breaks it.
pub fn audit_chain(data: &[u8]) {
    if crate::audit::verify_reader(data).is_err() {
        return;
    }
    let mut copy = data.to_vec();
    let last = data.len().saturating_sub(1);
    for i in 0..data.len().min(4096) {
        if i == last && data.get(i) == Some(&b'\n') {
            continue;
        }
        let Some(b) = copy.get_mut(i) else { break };
        *b ^= 0x01;
        assert!(
            crate::audit::verify_reader(copy.as_slice()).is_err(),
            "a change at byte {i} of a verified log goes unnoticed"
        );
        if let Some(b) = copy.get_mut(i) {
            *b ^= 0x01;
        }
    }
}

/// `fuzz/fuzz_targets/verifier_answer.rs`: what a (compromised) verifier child writes back is
/// read as length-prefixed frames, each within its cap, and an answer that parses serialises
/// back to itself.
pub fn verifier_answer(data: &[u8]) {
    use crate::verifier::child::{Answer, read_frame};
    const MAX: usize = 1 << 16;
    let mut r = data;
    while let Ok(Some(frame)) = read_frame(&mut r, MAX) {
        assert!(frame.len() <= MAX, "a frame of {} bytes passed the cap", frame.len());
        if let Ok(answer) = serde_json::from_slice::<Answer>(&frame) {
            let back = serde_json::to_vec(&answer)
                .ok()
                .and_then(|again| serde_json::from_slice::<Answer>(&again).ok());
            assert_eq!(
                back.as_ref(),
                Some(&answer),
                "an answer does not come back from its serialisation"
            );
        }
    }
}

/// `fuzz/fuzz_targets/guard_fixpoint.rs`: raw bytes through `guard::filter` under the shipped
/// policy. A released output, filtered again, is released byte-identical, and its report shows
/// nothing dropped, removed or redacted.
pub fn guard_fixpoint(data: &[u8]) {
    let mut tiny = shipped_policy().clone();
    tiny.limits = Limits::tiny();
    for policy in [shipped_policy(), &tiny] {
        let Ok(released) = crate::guard::filter(data, policy) else {
            continue;
        };
        let again = crate::guard::filter(released.output.as_bytes(), policy);
        let Ok(again) = again else {
            panic!("a released output is rejected when filtered again")
        };
        assert_eq!(
            again.output.as_bytes(),
            released.output.as_bytes(),
            "the output is not a fixpoint"
        );
        assert_eq!(
            (again.report.dropped, again.report.removed, again.report.redactions),
            (0, 0, 0)
        );
    }
}

/// Statement banners, and whether the shipped policy releases what they mark.
const CANARY_BANNERS: &[(&str, bool)] = &[
    ("SECRET//REL TO USA, JPN", true),
    ("UNCLASSIFIED", true),
    ("CONFIDENTIAL//REL TO USA, JPN, GBR", true),
    ("Copyright 2026 Example Corp.", true),
    ("SECRET//NOFORN", false),
    ("TOP SECRET//REL TO USA, JPN", false),
    ("CONFIDENTIAL//REL TO USA, GBR", false),
    ("SECRET//ORCON/REL TO USA, JPN", false),
    ("SECRET", false),
    ("TLP:RED", false),
    ("SECRET//REL TO JPN, USA", false),
];

/// TLP marking ids (2.0 and 1.0), and whether the shipped policy releases them.
const CANARY_TLPS: &[(&str, bool)] = &[
    ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", true),
    ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", true),
    ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", true),
    ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", true),
    ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", false),
    ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", false),
    ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", false),
];

/// One generated object: its kind, markings, references and where its canaries go.
#[derive(Debug, arbitrary::Arbitrary)]
struct CanaryObject {
    kind: u8,
    tlp: Option<u8>,
    banner: Option<u8>,
    /// A granular TLP on the description.
    granular: Option<u8>,
    refs: Vec<u8>,
    /// An e-mail address in the description (redacted) and an internal address in the pattern.
    email: bool,
    internal_ip: bool,
}

/// `fuzz/fuzz_targets/guard_canaries.rs`, structured: the input is read (with `arbitrary`) as a
/// list of objects with markings, references and granular markings. Every unit the shipped policy
/// may not release carries a unique canary; the output (if any) contains none of them, contains no
/// reference to an object it does not hold (reserved TLP ids aside), and is a fixpoint.
pub fn guard_canaries(data: &[u8]) {
    use arbitrary::{Arbitrary, Unstructured};
    // Content canaries (issue 15): encodings of dirty words, addresses, names, e-mail addresses
    // and telephone numbers at every place.
    content::content_canaries(data);
    let Ok(objects) = Vec::<CanaryObject>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let (bundle, canaries) = canary_bundle(&objects);
    let policy = shipped_policy();
    let Ok(released) = crate::guard::filter(bundle.as_bytes(), policy) else {
        return;
    };
    let text = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
    for c in &canaries {
        assert!(!text.contains(c.as_str()), "{c} leaked");
    }
    let out = json::parse(released.output.as_bytes(), &Limits::default());
    let Ok(Value::Object(out)) = out else {
        panic!("the output is not a JSON object")
    };
    let objects = out.get("objects").and_then(Value::as_array).unwrap_or_default();
    let ids: std::collections::HashSet<&str> = objects
        .iter()
        .filter_map(|o| o.as_object()?.get("id")?.as_str())
        .collect();
    let mut refs = Vec::new();
    for o in objects {
        collect_refs("", o, &mut refs);
    }
    for r in refs {
        assert!(
            ids.contains(r) || CANARY_TLPS.iter().any(|(t, _)| *t == r),
            "dangling reference {r}"
        );
    }
    guard_fixpoint(released.output.as_bytes());
}

fn collect_refs<'v>(name: &str, v: &'v Value<'_>, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) if name.ends_with("_ref") => out.push(s),
        Value::Array(a) if name.ends_with("_refs") => out.extend(a.iter().filter_map(Value::as_str)),
        Value::Object(o) => o.iter().for_each(|(k, v)| collect_refs(k, v, out)),
        Value::Array(a) => a.iter().for_each(|v| collect_refs("", v, out)),
        _ => {}
    }
}

/// The bundle for [`guard_canaries`], and the canaries that must not cross.
fn canary_bundle(specs: &[CanaryObject]) -> (String, Vec<String>) {
    use serde_json::json;
    let id = |t: &str, n: usize| format!("{t}--00000000-0000-4000-8000-{n:012x}");
    let mut objects: Vec<serde_json::Value> = CANARY_BANNERS
        .iter()
        .enumerate()
        .map(|(n, (b, _))| {
            json!({"type": "marking-definition", "spec_version": "2.1", "id": id("marking-definition", n + 1),
                   "created": "2026-01-01T00:00:00.000Z", "definition_type": "statement", "definition": {"statement": b}})
        })
        .collect();
    let kinds = ["indicator", "malware", "identity", "relationship", "report"];
    let ids: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(n, s)| {
            id(
                kinds
                    .get(usize::from(s.kind) % kinds.len())
                    .copied()
                    .unwrap_or("indicator"),
                n,
            )
        })
        .collect();
    let mut canaries = Vec::new();
    for (n, s) in specs.iter().take(64).enumerate() {
        let kind = kinds
            .get(usize::from(s.kind) % kinds.len())
            .copied()
            .unwrap_or("indicator");
        let tlp = s.tlp.and_then(|t| CANARY_TLPS.get(usize::from(t) % CANARY_TLPS.len()));
        let banner = s.banner.map(|b| usize::from(b) % CANARY_BANNERS.len());
        // Identities pass without TLP when referenced; other markings still count.
        let mut ok = tlp.map_or(kind == "identity", |t| t.1);
        let mut markings: Vec<String> = tlp.iter().map(|t| t.0.to_string()).collect();
        if let Some(b) = banner {
            markings.push(id("marking-definition", b + 1));
            ok &= CANARY_BANNERS.get(b).is_some_and(|x| x.1);
        }
        let others: Vec<&String> = s
            .refs
            .iter()
            .map(|r| usize::from(*r))
            .filter(|&r| r < specs.len() && r != n)
            .filter_map(|r| ids.get(r))
            .collect();
        let canary = format!("CANARY-{n}-X");
        let mut text = if ok { format!("text {n}") } else { canary.clone() };
        if s.email {
            // Redacted on release: the address itself is a canary.
            text.push_str(&format!(" write to analyst{n}@agency.example.gov"));
            canaries.push(format!("analyst{n}@agency"));
        }
        let mut o = json!({"type": kind, "spec_version": "2.1", "id": ids.get(n).cloned().unwrap_or_default(),
                           "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"});
        if !markings.is_empty() {
            o["object_marking_refs"] = json!(markings);
        }
        match kind {
            "identity" => o["name"] = json!(text),
            "malware" => {
                o["name"] = json!(format!("m{n}"));
                o["is_family"] = json!(true);
                o["description"] = json!(text);
            }
            "relationship" if others.len() >= 2 => {
                o["relationship_type"] = json!("related-to");
                o["source_ref"] = json!(others.first());
                o["target_ref"] = json!(others.get(1));
                o["description"] = json!(text);
            }
            "report" if !others.is_empty() => {
                o["name"] = json!(format!("r{n}"));
                o["published"] = json!("2026-01-02T00:00:00Z");
                o["object_refs"] = json!(others);
                o["description"] = json!(text);
            }
            _ => {
                o["type"] = json!("indicator");
                o["id"] = json!(id("indicator", n));
                let ip = if s.internal_ip {
                    format!("10.{n}.0.1")
                } else {
                    format!("203.0.113.{}", n % 250)
                };
                if s.internal_ip {
                    canaries.push(format!("'10.{n}.0.1'"));
                }
                o["pattern"] = json!(format!("[ipv4-addr:value = '{ip}']"));
                o["pattern_type"] = json!("stix");
                o["valid_from"] = json!("2026-01-01T00:00:00Z");
                o["description"] = json!(text);
            }
        }
        if !ok {
            canaries.push(canary);
        }
        if let (Some(g), true) = (s.granular, o.get("description").is_some()) {
            let (gt, gok) = CANARY_TLPS
                .get(usize::from(g) % CANARY_TLPS.len())
                .copied()
                .unwrap_or(CANARY_TLPS[0]);
            o["granular_markings"] = json!([{"selectors": ["description"], "marking_ref": gt}]);
            if !gok {
                let c = format!("CANARY-{n}-G");
                o["description"] = json!(c);
                canaries.push(c);
            }
        }
        objects.push(o);
    }
    let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000b001", "objects": objects});
    (bundle.to_string(), canaries)
}

// ---------------------------------------------------------------------------------------------
// marking_disguises (issue 14)
// ---------------------------------------------------------------------------------------------

/// Markings the shipped policy (us-to-jpn) may never release, in banner and portion form: every
/// control (three forbidden, the rest not allowed), each level above the ceiling, TLP
/// AMBER+STRICT and RED, REL TO without JPN, and classified levels without their own REL TO.
pub const FORBIDDEN_MARKINGS: &[&str] = &[
    "UNCLASSIFIED//RSEN",
    "(U//RS)",
    "UNCLASSIFIED//FOUO",
    "(U//FOUO)",
    "UNCLASSIFIED//ORCON",
    "(U//OC)",
    "UNCLASSIFIED//ORCON-USGOV",
    "(U//OC-USGOV)",
    "UNCLASSIFIED//IMCON",
    "(U//IMC)",
    "SECRET//NOFORN",
    "(S//NF)",
    "UNCLASSIFIED//NOFORN",
    "UNCLASSIFIED//PROPIN",
    "(U//PR)",
    "UNCLASSIFIED//RELIDO",
    "UNCLASSIFIED//DSEN",
    "UNCLASSIFIED//FISA",
    "UNCLASSIFIED//LIMDIS",
    "(U//DS)",
    "UNCLASSIFIED//EXDIS",
    "UNCLASSIFIED//NODIS",
    "UNCLASSIFIED//SBU",
    "UNCLASSIFIED//SBU NOFORN",
    "(U//SBU-NF)",
    "UNCLASSIFIED//LES",
    "UNCLASSIFIED//LES NOFORN",
    "UNCLASSIFIED//SSI",
    "SECRET//ORCON/REL TO USA, JPN",
    "TOP SECRET//REL TO USA, JPN",
    "(TS//REL TO USA, JPN)",
    "COSMIC TOP SECRET//REL TO USA, JPN",
    "TLP:AMBER+STRICT",
    "TLP:RED",
    "AMBER+STRICT",
    "RED",
    "SECRET//REL TO USA, GBR",
    "(S//REL TO USA, GBR)",
    "UNCLASSIFIED//REL TO USA, GBR",
    "(U//REL TO USA, GBR)",
    "SECRET",
    "(S)",
    "CONFIDENTIAL",
    "(C)",
];

/// Invisible code points a disguise hides inside a word.
const INVISIBLES: &[char] = &[
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}',
    '\u{3164}',
    '\u{FFA0}',
    '\u{2800}',
    '\u{180E}',
    '\u{034F}',
    '\u{2061}',
    '\u{E0041}',
];

/// A look-alike from another script, when there is one.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'A' => '\u{0410}',
        'B' => '\u{0392}',
        'C' => '\u{0421}',
        'E' => '\u{0415}',
        'H' => '\u{041D}',
        'I' => '\u{0406}',
        'J' => '\u{0408}',
        'K' => '\u{039A}',
        'M' => '\u{041C}',
        'N' => '\u{039D}',
        'O' => '\u{041E}',
        'P' => '\u{0420}',
        'S' => '\u{0405}',
        'T' => '\u{0422}',
        'X' => '\u{0425}',
        'Y' => '\u{04AE}',
        'Z' => '\u{0396}',
        'a' => '\u{0430}',
        'c' => '\u{0441}',
        'e' => '\u{0435}',
        'o' => '\u{043E}',
        'p' => '\u{0440}',
        '/' => '\u{2215}',
        ',' => '\u{201A}',
        ':' => '\u{0589}',
        '-' => '\u{2010}',
        _ => return None,
    })
}

/// A separator written another way.
fn separator(c: char, how: u8) -> Option<char> {
    let options: &[char] = match c {
        '/' => &['\u{FF0F}', '\u{2044}', '\u{2215}', '\u{29F8}'],
        ':' => &[
            '\u{FF1A}', '\u{FE55}', '\u{A789}', '\u{0589}', '\u{2236}', '\u{1804}', '\u{2982}', '\u{1365}', '\u{05C3}',
        ],
        ',' => &['\u{FF0C}', '\u{FE50}', '\u{3001}'],
        '.' => &[
            '\u{FF0E}', '\u{2024}', '\u{FE52}', '\u{FF61}', '\u{3002}', '\u{0701}', '\u{06D4}', '\u{A4F8}', '\u{00B7}',
        ],
        ' ' => &['\u{00A0}', '\u{3000}', '\u{2002}', '\u{202F}', '\t'],
        '-' => &['\u{2011}', '\u{2013}', '\u{FF0D}', '\u{2212}'],
        '+' => &['\u{FF0B}', '\u{FE62}'],
        '(' => &['\u{FF08}', '\u{FE59}'],
        ')' => &['\u{FF09}', '\u{FE5A}'],
        _ => return None,
    };
    options.get(usize::from(how) % options.len()).copied()
}

/// `plain` in disguise: each character, by the next byte of `hows`, kept, in the other case,
/// full-width, a look-alike from another script, a separator variant, with an invisible code
/// point before or after it, with a space after it, as a small capital, with a combining mark
/// after it, (a digit) in another script's digits, escaped (`&#84;`, `%54`, `\u0054`, `\x{54}`), or (a
/// letter) as the digit or sign that passes for it (`S3CRET`, `$ECRET`, `CONF!DENTIAL`).
pub fn disguise(plain: &str, hows: &[u8]) -> String {
    let mut out = String::new();
    for (n, c) in plain.chars().enumerate() {
        let how = hows.get(n % hows.len().max(1)).copied().unwrap_or(0);
        let pick = how >> 4;
        match how % 13 {
            1 => out.extend(c.to_lowercase()),
            2 if c.is_ascii_graphic() => out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)),
            3 => out.push(confusable(c).unwrap_or(c)),
            4 => out.push(separator(c, pick).unwrap_or(c)),
            5 => {
                out.push(c);
                out.push(
                    INVISIBLES
                        .get(usize::from(pick) % INVISIBLES.len())
                        .copied()
                        .unwrap_or('\u{200B}'),
                );
            }
            6 => {
                out.push(
                    INVISIBLES
                        .get(usize::from(pick) % INVISIBLES.len())
                        .copied()
                        .unwrap_or('\u{200B}'),
                );
                out.push(c);
            }
            7 if c != ' ' => {
                out.push(c);
                out.push(' ');
            }
            8 => out.push(small_capital(c).unwrap_or(c)),
            9 if c.is_ascii_alphanumeric() => {
                // A mark NFKC composes (acute) or cannot (long stroke overlay: strike-through).
                out.push(c);
                out.push(if pick % 2 == 0 { '\u{301}' } else { '\u{336}' });
            }
            10 if c.is_ascii_digit() => {
                // The digit in Arabic-Indic, Devanagari or Thai.
                let zero = [0x660, 0x966, 0xE50][usize::from(pick) % 3];
                out.push(char::from_u32(zero + c.to_digit(10).unwrap_or(0)).unwrap_or(c));
            }
            11 => {
                // Escaped as a program down the line decodes it: a character reference, a
                // percent-encoding or a backslash escape.
                let v = u32::from(c);
                let mut utf8 = [0u8; 4];
                let percent: String = c.encode_utf8(&mut utf8).bytes().map(|b| format!("%{b:02X}")).collect();
                out.push_str(&match pick % 7 {
                    0 => format!("&#{v};"),
                    1 => format!("&#x{v:x};"),
                    2 => percent,
                    // UTF-16 code units, as JSON and JavaScript write them (`\ud83d\udfe5`).
                    3 => c
                        .encode_utf16(&mut [0u16; 2])
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect(),
                    4 => format!("\\u{{{v:x}}}"),
                    // Perl's braced forms.
                    5 => format!("\\x{{{v:x}}}"),
                    _ => format!("\\N{{U+{v:04X}}}"),
                });
            }
            12 => out.push(leet(c, pick).unwrap_or(c)),
            _ => out.push(c),
        }
    }
    out
}

/// A digit or sign written for a letter it looks like (leetspeak), when there is one.
fn leet(c: char, pick: u8) -> Option<char> {
    let options: &[char] = match c.to_ascii_uppercase() {
        'A' => &['4', '@'],
        'B' => &['8'],
        'E' => &['3', '\u{20AC}'],
        'G' => &['6', '9'],
        'I' => &['1', '!', '|'],
        'L' => &['1', '|'],
        'O' => &['0'],
        'S' => &['5', '$'],
        'T' => &['7'],
        _ => return None,
    };
    options.get(usize::from(pick) % options.len()).copied()
}

/// The Latin small capital of a letter, when there is one (`ᴏ` for `O`).
fn small_capital(c: char) -> Option<char> {
    let small = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡ\u{0}ʏᴢ";
    let k = usize::try_from(u32::from(c.to_ascii_uppercase()).checked_sub(u32::from('A'))?).ok()?;
    small.chars().nth(k).filter(|s| *s != '\u{0}')
}

/// Where a disguised marking is put on the object that carries the canary.
#[derive(Debug, Clone, Copy, arbitrary::Arbitrary)]
pub enum Place {
    /// The statement of a definition in its `object_marking_refs` (beside TLP:GREEN).
    Statement,
    /// The `name` of a definition whose statement is free text.
    Name,
    /// A third marking, beside TLP:GREEN and `UNCLASSIFIED//REL TO USA, JPN`.
    Combined,
    /// A granular marking on `description`, which holds the canary.
    Granular,
    /// Written in the `description` itself, which starts with it and holds the canary after it
    /// (only the forms a reader takes for a marking in prose: [`in_text_form`]).
    Text,
    /// The `PrivacyMark` of the STANAG 4774 label of a CAP alert whose `description` holds the
    /// canary (the label is otherwise `NATO UNCLASSIFIED`, releasable to NATO and JPN).
    PrivacyMark,
    /// The `TagName` of an INFORMATIVE category of that label.
    InformativeName,
    /// A `GenericValue` of an INFORMATIVE category of that label.
    InformativeValue,
    /// The `restriction` text of that alert (`scope` Restricted).
    CapRestriction,
}

/// Whether `plain` is a marking in a form a reader takes for one in prose: a banner with `//`, a
/// portion mark, `TLP:` and a colour. A bare level word or colour (`SECRET`, `RED`) is also an
/// ordinary word, and is read as a marking only where a marking is expected.
pub fn in_text_form(plain: &str) -> bool {
    plain.contains("//") || plain.starts_with('(') || plain.starts_with("TLP:")
}

/// Every place a disguised marking is put.
pub const PLACES: &[Place] = &[
    Place::Statement,
    Place::Name,
    Place::Combined,
    Place::Granular,
    Place::Text,
    Place::PrivacyMark,
    Place::InformativeName,
    Place::InformativeValue,
    Place::CapRestriction,
];

/// The labelled CAP alert of the shipped policy's cases, which the guard releases.
const CAP_MESSAGE: &str = include_str!("../policies/us-to-jpn/tests/xml-cap-nato-unclassified-rel-jpn.xml");

/// `text` escaped for an XML attribute value or text.
fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `message` (the CAP alert, or what the guard released of it) with [`DISGUISE_CANARY`] as its
/// `description` and `text` at the XML `place`.
pub fn disguised_xml(message: &str, text: &str, place: Place) -> String {
    let t = xml_escaped(text);
    let m = message.replace(
        "<description>Beacons to 203.0.113.7.</description>",
        &format!("<description>{DISGUISE_CANARY}</description>"),
    );
    let informative = |name: &str, value: &str| {
        m.replacen(
            "</slab:Category>",
            &format!(
                "</slab:Category><slab:Category TagName=\"{name}\" Type=\"INFORMATIVE\"><slab:GenericValue>{value}</slab:GenericValue></slab:Category>"
            ),
            1,
        )
    };
    match place {
        Place::PrivacyMark => m.replacen(
            "</slab:Classification>",
            &format!("</slab:Classification><slab:PrivacyMark>{t}</slab:PrivacyMark>"),
            1,
        ),
        Place::InformativeName => informative(&t, "Exercise"),
        Place::InformativeValue => informative("Administrative", &t),
        Place::CapRestriction => m.replacen(
            "<restriction>Partner CERTs</restriction>",
            &format!("<restriction>{t}</restriction>"),
            1,
        ),
        Place::Statement | Place::Name | Place::Combined | Place::Granular | Place::Text => m,
    }
}

/// The canary the disguised marking guards.
pub const DISGUISE_CANARY: &str = "CANARY-DISGUISED-MARKING";

/// A bundle with `text` as a marking of the indicator holding [`DISGUISE_CANARY`].
pub fn disguised_bundle(text: &str, place: Place) -> String {
    use serde_json::json;
    const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
    let def = |n: u32, statement: &str| {
        json!({"type": "marking-definition", "spec_version": "2.1",
               "id": format!("marking-definition--00000000-0000-4000-8000-{n:012x}"),
               "created": "2026-01-01T00:00:00.000Z", "definition_type": "statement",
               "definition": {"statement": statement}})
    };
    let (d1, d2) = (
        "marking-definition--00000000-0000-4000-8000-000000000001",
        "marking-definition--00000000-0000-4000-8000-000000000002",
    );
    let mut indicator = json!({"type": "indicator", "spec_version": "2.1",
        "id": "indicator--00000000-0000-4000-8000-000000000010",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z", "description": DISGUISE_CANARY});
    let mut objects = Vec::new();
    match place {
        // The XML places have their own message ([`disguised_xml`]); here, a statement.
        Place::Statement
        | Place::PrivacyMark
        | Place::InformativeName
        | Place::InformativeValue
        | Place::CapRestriction => {
            objects.push(def(1, text));
            indicator["object_marking_refs"] = json!([GREEN, d1]);
        }
        Place::Name => {
            let mut d = def(1, "Copyright 2026 Example Corp.");
            d["name"] = json!(text);
            objects.push(d);
            indicator["object_marking_refs"] = json!([GREEN, d1]);
        }
        Place::Combined => {
            objects.push(def(1, text));
            objects.push(def(2, "UNCLASSIFIED//REL TO USA, JPN"));
            indicator["object_marking_refs"] = json!([GREEN, d2, d1]);
        }
        Place::Granular => {
            objects.push(def(1, text));
            indicator["object_marking_refs"] = json!([GREEN]);
            indicator["granular_markings"] = json!([{"selectors": ["description"], "marking_ref": d1}]);
        }
        Place::Text => {
            indicator["object_marking_refs"] = json!([GREEN]);
            indicator["description"] = json!(format!("{text}\nThe actor used {DISGUISE_CANARY}."));
        }
    }
    objects.push(indicator);
    json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000d001", "objects": objects}).to_string()
}

/// The property: `text` (a forbidden marking in any disguise) at `place` releases nothing it
/// marks, by the guard (its output never holds the canary) or by the second verifier (which
/// refuses the bundle as an output).
pub fn check_disguised(text: &str, place: Place) {
    let policy = shipped_policy();
    if matches!(
        place,
        Place::PrivacyMark | Place::InformativeName | Place::InformativeValue | Place::CapRestriction
    ) {
        return check_disguised_xml(text, place, policy);
    }
    let bundle = disguised_bundle(text, place);
    if let Ok(released) = crate::guard::filter(bundle.as_bytes(), policy) {
        let out = String::from_utf8_lossy(released.output.as_bytes());
        assert!(
            !out.contains(DISGUISE_CANARY),
            "the guard released what {text:?} ({place:?}) marks"
        );
    }
    assert!(
        crate::verifier::verify(bundle.as_bytes(), policy).is_err(),
        "the verifier accepts what {text:?} ({place:?}) marks"
    );
}

/// [`check_disguised`] at an XML place: the guard does not release the canary of the alert
/// carrying `text`, and the verifier refuses what the guard released of the plain alert with
/// `text` put in the same place (the verifier judges outputs).
fn check_disguised_xml(text: &str, place: Place, policy: &crate::policy::Policy) {
    let input = disguised_xml(CAP_MESSAGE, text, place);
    if let Ok(released) = crate::guard::filter(input.as_bytes(), policy) {
        let out = String::from_utf8_lossy(released.output.as_bytes());
        assert!(
            !out.contains(DISGUISE_CANARY),
            "the guard released what {text:?} ({place:?}) marks"
        );
    }
    let Ok(plain) = crate::guard::filter(disguised_xml(CAP_MESSAGE, "", Place::Statement).as_bytes(), policy) else {
        panic!("the plain alert is not released");
    };
    let plain = String::from_utf8_lossy(plain.output.as_bytes()).into_owned();
    let output = disguised_xml(&plain, text, place);
    assert!(
        crate::verifier::verify(output.as_bytes(), policy).is_err(),
        "the verifier accepts what {text:?} ({place:?}) marks"
    );
}

/// The input of [`marking_disguises`].
#[derive(Debug, arbitrary::Arbitrary)]
struct Disguise {
    marking: u8,
    place: Place,
    hows: Vec<u8>,
    /// Extra characters the fuzzer inserts into the marking, and where.
    insert: Option<(u8, char)>,
}

/// `fuzz/fuzz_targets/marking_disguises.rs`: a forbidden marking of [`FORBIDDEN_MARKINGS`],
/// disguised character by character (and with one more character the fuzzer chooses, if it
/// still mentions the marking), is put on a bundle that is otherwise released; nothing it marks
/// may cross ([`check_disguised`]).
pub fn marking_disguises(data: &[u8]) {
    use arbitrary::{Arbitrary, Unstructured};
    let Ok(d) = Disguise::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let Some(plain) = FORBIDDEN_MARKINGS.get(usize::from(d.marking) % FORBIDDEN_MARKINGS.len()) else {
        return;
    };
    if matches!(d.place, Place::Text) && !in_text_form(plain) {
        return;
    }
    let mut text = disguise(plain, &d.hows);
    if let Some((at, c)) = d.insert {
        // An inserted character may change what the text says (`SECRET` → `SECRETE`, `RED` →
        // `RED鱦`): only a text whose normal form is still the plain marking's, spaces aside, is
        // a disguise of it.
        let at = text.char_indices().nth(usize::from(at)).map_or(text.len(), |(i, _)| i);
        let mut t = text.clone();
        t.insert(at, c);
        let normal: String = crate::text::normalize(&t)
            .text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let want: String = plain.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        if normal == want {
            text = t;
        }
    }
    check_disguised(&text, d.place);
}

#[cfg(test)]
mod tests {
    use super::*;

    //--- case: the canary property is not vacuous: generated bundles are released, with canaries
    #[test]
    fn canary_bundles_release_something_and_hide_every_canary() {
        let spec = |kind, tlp, banner, granular, refs: Vec<u8>, email, internal_ip| CanaryObject {
            kind,
            tlp,
            banner,
            granular,
            refs,
            email,
            internal_ip,
        };
        let objects = vec![
            spec(0, Some(1), None, None, vec![], true, false),
            spec(0, Some(5), None, None, vec![], false, false),
            spec(0, Some(1), Some(0), Some(5), vec![], false, true),
            spec(1, Some(2), Some(4), None, vec![], false, false),
            spec(3, Some(1), None, None, vec![0, 3], false, false),
            spec(4, Some(0), None, None, vec![0, 1, 3], false, false),
            spec(2, None, Some(0), None, vec![], false, false),
        ];
        let (bundle, canaries) = canary_bundle(&objects);
        assert!(canaries.len() >= 4, "{canaries:?}");
        let released = crate::guard::filter(bundle.as_bytes(), shipped_policy()).unwrap();
        let text = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
        assert!(text.contains("text 0"), "{text}");
        for c in &canaries {
            assert!(!text.contains(c.as_str()), "{c} leaked");
        }
        assert!(
            released.report.redactions >= 1 && released.report.dropped >= 3,
            "{:?}",
            released.report
        );
    }

    //--- case: the policy property holds on the shipped policies and on broken ones
    #[test]
    fn policy_property_holds() {
        policy(include_bytes!("../policies/jpn-to-us.toml"));
        policy(b"name = 1\n");
        policy(b"[tlp]\nallowed = [\"ORANGE\"]\n");
        policy(&[0xff, 0xfe]);
    }

    //--- case: each property passes quietly on rejected input
    #[test]
    fn rejected_input_is_not_a_finding() {
        for (_, target) in TARGETS {
            for data in [&b""[..], b"{", b"\xff", b"[a:x = ", b"{\"a\":1,\"a\":2}"] {
                target(data);
            }
        }
    }

    //--- case: the json property holds on edge cases of numbers, strings and nesting
    #[test]
    fn json_property_holds_on_edge_cases() {
        let cases: &[&[u8]] = &[
            b"0",
            b"-0",
            b"-0.0e-0",
            b"1E400",
            b"1e-400",
            b"18446744073709551615",
            b"18446744073709551616",
            b"-9223372036854775808",
            b"-9223372036854775809",
            b"0.1",
            b"123456789012345678901234567890",
            b"1.7976931348623157e308",
            b"5e-324",
            b"1e20",
            br#""\ud83d\ude00 \u0000 \/ \"""#,
            br#"{"b":[],"a":{},"\u00e9":"\u00e9","":null}"#,
            b" [[[[]]]] ",
            b"[[[[[]]]]]",
        ];
        for data in cases {
            json(data);
        }
    }

    //--- case: serde_json's reading is compared by value, not by text
    #[test]
    fn compares_numbers_with_serde_by_value() {
        let ours = json::parse(b"[1.0, 1e2, -0, 18446744073709551615, 0.5]", &Limits::default()).unwrap();
        let theirs: serde_json::Value = serde_json::from_str("[1, 100, 0, 18446744073709551615, 5e-1]").unwrap();
        assert!(same_as_serde(&ours, &theirs));
        let theirs: serde_json::Value = serde_json::from_str("[1, 100, 0, 18446744073709551614, 0.5]").unwrap();
        assert!(!same_as_serde(&ours, &theirs));
    }

    //--- case: objects are compared as maps, and a missing member is a difference
    #[test]
    fn compares_objects_with_serde_as_maps() {
        let ours = json::parse(br#"{"a":1,"b":[true,null]}"#, &Limits::default()).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(r#"{"b":[true,null],"a":1}"#).unwrap();
        assert!(same_as_serde(&ours, &theirs));
        let theirs: serde_json::Value = serde_json::from_str(r#"{"b":[true,null],"c":1}"#).unwrap();
        assert!(!same_as_serde(&ours, &theirs));
    }

    //--- case: serde_json accepting what we reject is a finding unless it is declared strictness
    #[test]
    fn declares_only_limits_duplicates_and_long_exponents_as_strictness() {
        let rule = |data: &[u8]| json::parse(data, &Limits::default()).unwrap_err();
        assert!(declared_strictness(&rule(br#"{"a":1,"a":2}"#)));
        assert!(declared_strictness(&rule(b"0e1234567890")));
        assert!(declared_strictness(&rule(&[b'['; 65])));
        assert!(!declared_strictness(&rule(b"[1,]")));
        assert!(!declared_strictness(&rule(b"1e400")));
    }

    //--- case: the stix property holds on generated bundles
    #[test]
    fn stix_property_holds_on_generated_bundles() {
        for seed in 0..4 {
            let b = crate::synth::bundle(seed, 3, |r| Some(r.below(5) as usize));
            stix(b.as_bytes());
        }
    }

    //--- case: the XML places are not vacuous: the alert with free text (or its own
    // classification as its privacy mark) at each of them crosses, through the guard and the
    // verifier
    #[test]
    fn disguised_alerts_release_free_text_at_every_xml_place() {
        let policy = shipped_policy();
        let plain = crate::guard::filter(disguised_xml(CAP_MESSAGE, "", Place::Statement).as_bytes(), policy).unwrap();
        let plain = String::from_utf8_lossy(plain.output.as_bytes()).into_owned();
        for (place, text) in [
            (Place::PrivacyMark, "EXERCISE ONLY"),
            (Place::PrivacyMark, "UNCLASSIFIED"),
            (Place::PrivacyMark, "NATO UNCLASSIFIED"),
            (Place::InformativeName, "Exercise"),
            (Place::InformativeValue, "Exercise data"),
            // Free text the shipped policy lists (`xml.free_restrictions`).
            (
                Place::CapRestriction,
                "Partner CERTs under the bilateral sharing agreement",
            ),
        ] {
            let input = disguised_xml(CAP_MESSAGE, text, place);
            let released =
                crate::guard::filter(input.as_bytes(), policy).unwrap_or_else(|e| panic!("{place:?} {text:?}: {e}"));
            let out = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
            assert!(out.contains(DISGUISE_CANARY), "{place:?}: {out}");
            crate::verifier::verify(disguised_xml(&plain, text, place).as_bytes(), policy)
                .unwrap_or_else(|e| panic!("{place:?} {text:?}: {e:?}"));
        }
    }

    //--- case: the disguise property is not vacuous: the same bundle with a releasable marking
    // crosses, through the guard and the verifier
    #[test]
    fn disguised_bundles_release_a_harmless_marking() {
        for place in [
            Place::Statement,
            Place::Name,
            Place::Combined,
            Place::Granular,
            Place::Text,
        ] {
            let bundle = disguised_bundle("UNCLASSIFIED//REL TO USA, JPN", place);
            let released = crate::guard::filter(bundle.as_bytes(), shipped_policy()).unwrap();
            let out = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
            assert!(out.contains(DISGUISE_CANARY), "{place:?}: {out}");
            crate::verifier::verify(bundle.as_bytes(), shipped_policy()).unwrap();
        }
        for m in FORBIDDEN_MARKINGS {
            check_disguised(m, Place::Statement);
        }
    }

    //--- case: the stix_pattern property is the pattern grammar's own
    #[test]
    fn stix_pattern_property_holds_on_a_spec_example() {
        stix_pattern(b"[file:hashes.'SHA-256' = 'aec0'] REPEATS 2 TIMES");
    }
}
