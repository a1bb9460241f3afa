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

use crate::format::json::{self, Value};
use crate::format::stix;
use crate::limits::Limits;

/// A property: returns on every input, panics on an accepted input that breaks it.
pub type Property = fn(&[u8]);

/// Every fuzz target: its name (the file `fuzz/fuzz_targets/NAME.rs`, the corpus directory
/// `fuzz/corpus/NAME/`, the dictionary `fuzz/dict/NAME.dict`) and its property.
pub const TARGETS: &[(&str, Property)] = &[("json", json), ("stix", stix), ("stix_pattern", stix_pattern)];

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

#[cfg(test)]
mod tests {
    use super::*;

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

    //--- case: the stix_pattern property is the pattern grammar's own
    #[test]
    fn stix_pattern_property_holds_on_a_spec_example() {
        stix_pattern(b"[file:hashes.'SHA-256' = 'aec0'] REPEATS 2 TIMES");
    }
}
