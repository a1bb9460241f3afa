//! STIX unit tests: one per rule, each asserting the rule, the JSON pointer and the offset.

use super::*;
use serde_json::json;

const IDENTITY: &str = "identity--311b2d2d-f010-4473-83ec-1edf84858f4c";
const INDICATOR: &str = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
const MALWARE: &str = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

fn identity() -> serde_json::Value {
    json!({"type": "identity", "spec_version": "2.1", "id": IDENTITY,
           "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z", "name": "ACME"})
}

fn indicator() -> serde_json::Value {
    json!({"type": "indicator", "spec_version": "2.1", "id": INDICATOR, "created_by_ref": IDENTITY,
           "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
           "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
           "valid_from": "2016-01-01T00:00:00Z", "object_marking_refs": [TLP_GREEN]})
}

fn bundle_of(objects: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                               "objects": objects}),
    )
    .unwrap()
}

fn ok(objects: Vec<serde_json::Value>) -> Vec<String> {
    let input = bundle_of(objects);
    match parse_bundle(&input, &Limits::default()) {
        Ok(b) => b.objects.iter().map(|o| o.id.clone()).collect(),
        Err(e) => panic!("rejected: {e} at {:?}", e.pointer),
    }
}

/// The error for `object` (alone in a bundle with an identity), checking that its offset points
/// at the value of its pointer.
fn err_with(object: serde_json::Value) -> ParseError {
    err(vec![identity(), object])
}

fn err(objects: Vec<serde_json::Value>) -> ParseError {
    let input = bundle_of(objects);
    let e = match parse_bundle(&input, &Limits::default()) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    };
    let pointer = e.pointer.clone().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&input).unwrap();
    let at = v
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("pointer {pointer} does not resolve"));
    let from_offset: serde_json::Value = serde_json::Deserializer::from_slice(&input[e.offset..])
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(&from_offset, at, "offset {} does not point at {pointer}", e.offset);
    e
}

fn with(mut o: serde_json::Value, k: &str, v: serde_json::Value) -> serde_json::Value {
    o[k] = v;
    o
}

fn without(mut o: serde_json::Value, k: &str) -> serde_json::Value {
    o.as_object_mut().unwrap().remove(k);
    o
}

//--- bundle
#[test]
fn accepts_minimal_bundle() {
    assert_eq!(ok(vec![identity(), indicator()]), [IDENTITY, INDICATOR]);
}

#[test]
fn rejects_bundle_with_wrong_type() {
    let e = parse_bundle(
        br#"{"type":"bundel","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.pointer.as_deref(), e.offset), ("bundle", Some("/type"), 8));
}

#[test]
fn rejects_bundle_with_unknown_property() {
    let e = parse_bundle(
        br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[],"extra":1}"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.pointer.as_deref()), ("bundle", Some("/extra")));
}

#[test]
fn rejects_duplicate_object_versions() {
    let e = err(vec![identity(), identity()]);
    assert_eq!((e.rule, e.pointer.as_deref()), ("bundle", Some("/objects/1")));
}

#[test]
fn accepts_two_versions_of_one_object() {
    let newer = with(identity(), "modified", json!("2017-01-01T00:00:00.000Z"));
    ok(vec![identity(), newer]);
}

//--- common properties
#[test]
fn rejects_invalid_type_name() {
    let e = err_with(with(indicator(), "type", json!("Indicator")));
    assert_eq!((e.rule, e.pointer.as_deref()), ("type-name", Some("/objects/1/type")));
}

#[test]
fn rejects_id_of_another_type() {
    let e = err_with(with(indicator(), "id", json!(MALWARE)));
    assert_eq!((e.rule, e.pointer.as_deref()), ("identifier", Some("/objects/1/id")));
}

#[test]
fn rejects_id_with_malformed_uuid() {
    let e = err_with(with(indicator(), "id", json!("indicator--8e2e2d2b-17d4-4cbf-938f")));
    assert_eq!(e.rule, "identifier");
}

#[test]
fn rejects_wrong_spec_version() {
    let e = err_with(with(indicator(), "spec_version", json!("2.0")));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("vocabulary", Some("/objects/1/spec_version"))
    );
}

#[test]
fn rejects_missing_required_property() {
    let e = err_with(without(indicator(), "valid_from"));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("required-property", Some("/objects/1"))
    );
    assert!(e.detail.contains("valid_from"));
}

#[test]
fn rejects_timestamp_without_z() {
    let e = err_with(with(indicator(), "valid_from", json!("2016-01-01T00:00:00+00:00")));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("timestamp", Some("/objects/1/valid_from"))
    );
}

#[test]
fn rejects_created_without_millisecond_precision() {
    let o = with(
        with(indicator(), "created", json!("2016-04-06T20:03:48Z")),
        "modified",
        json!("2016-04-06T20:03:48Z"),
    );
    let e = err_with(o);
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("timestamp-precision", Some("/objects/1/created"))
    );
}

#[test]
fn rejects_modified_before_created() {
    let e = err_with(with(indicator(), "modified", json!("2016-04-06T20:03:47.999Z")));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("timestamp-order", Some("/objects/1/modified"))
    );
}

#[test]
fn rejects_created_by_ref_to_non_identity() {
    let e = err_with(with(indicator(), "created_by_ref", json!(MALWARE)));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("identifier", Some("/objects/1/created_by_ref"))
    );
}

#[test]
fn rejects_confidence_out_of_range() {
    let e = err_with(with(indicator(), "confidence", json!(101)));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("property-range", Some("/objects/1/confidence"))
    );
    assert_eq!(
        err_with(with(indicator(), "confidence", json!(5.5))).rule,
        "property-type"
    );
}

#[test]
fn rejects_bad_lang() {
    let e = err_with(with(indicator(), "lang", json!("en_US")));
    assert_eq!((e.rule, e.pointer.as_deref()), ("lang", Some("/objects/1/lang")));
}

#[test]
fn rejects_revoked_that_is_not_boolean() {
    assert_eq!(
        err_with(with(indicator(), "revoked", json!("yes"))).rule,
        "property-type"
    );
}

#[test]
fn rejects_empty_labels() {
    let e = err_with(with(indicator(), "labels", json!([])));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("empty-list", Some("/objects/1/labels"))
    );
}

#[test]
fn rejects_external_reference_without_source_name() {
    let e = err_with(with(
        indicator(),
        "external_references",
        json!([{"url": "https://example.com"}]),
    ));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("external-reference", Some("/objects/1/external_references/0"))
    );
}

#[test]
fn rejects_external_reference_with_only_source_name() {
    let e = err_with(with(indicator(), "external_references", json!([{"source_name": "x"}])));
    assert_eq!(e.rule, "external-reference");
}

#[test]
fn rejects_malformed_cve_reference() {
    let e = err_with(with(
        indicator(),
        "external_references",
        json!([{"source_name": "cve", "external_id": "2016-1234"}]),
    ));
    assert_eq!(
        e.pointer.as_deref(),
        Some("/objects/1/external_references/0/external_id")
    );
}

#[test]
fn rejects_malformed_hash() {
    let refs = json!([{"source_name": "x", "url": "https://e.x", "hashes": {"SHA-256": "abc"}}]);
    let e = err_with(with(indicator(), "external_references", refs));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("hashes", Some("/objects/1/external_references/0/hashes/SHA-256"))
    );
}

#[test]
fn rejects_ref_that_is_not_an_identifier() {
    let e = err_with(with(indicator(), "created_by_ref", json!("somewhere")));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("identifier", Some("/objects/1/created_by_ref"))
    );
}

/// A custom property is opaque: `_ref` in its name is a MUST only for the spec's own properties
/// (ATT&CK ICS 18.1 has `"x_mitre_data_source_ref": ""`).
#[test]
fn accepts_custom_ref_that_holds_no_identifier() {
    let bundle = bundle_of(vec![identity(), with(indicator(), "x_acme_source_ref", json!(""))]);
    parse_bundle(&bundle, &Limits::default()).unwrap();
}

#[test]
fn rejects_invalid_custom_property_name() {
    let e = err_with(with(indicator(), "X-Bad", json!(1)));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("property-name", Some("/objects/1/X-Bad"))
    );
}

#[test]
fn rejects_marking_ref_to_non_marking() {
    let e = err_with(with(indicator(), "object_marking_refs", json!([IDENTITY])));
    assert_eq!(e.pointer.as_deref(), Some("/objects/1/object_marking_refs/0"));
}

//--- granular markings
#[test]
fn accepts_granular_marking_on_existing_property() {
    let gm = json!([{"selectors": ["pattern", "object_marking_refs.[0]"], "marking_ref": TLP_GREEN}]);
    let input = bundle_of(vec![identity(), with(indicator(), "granular_markings", gm)]);
    let b = parse_bundle(&input, &Limits::default()).unwrap();
    assert_eq!(b.objects[1].granular_markings[0].selectors.len(), 2);
}

#[test]
fn rejects_selector_pointing_at_nothing() {
    let gm = json!([{"selectors": ["description"], "marking_ref": TLP_GREEN}]);
    let e = err_with(with(indicator(), "granular_markings", gm));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("selector", Some("/objects/1/granular_markings/0/selectors/0"))
    );
    let gm = json!([{"selectors": ["object_marking_refs.[1]"], "marking_ref": TLP_GREEN}]);
    assert_eq!(err_with(with(indicator(), "granular_markings", gm)).rule, "selector");
}

#[test]
fn rejects_malformed_selector() {
    let gm = json!([{"selectors": ["labels.[x]"], "marking_ref": TLP_GREEN}]);
    assert_eq!(err_with(with(indicator(), "granular_markings", gm)).rule, "selector");
}

#[test]
fn rejects_granular_marking_with_both_targets() {
    let gm = json!([{"selectors": ["pattern"], "marking_ref": TLP_GREEN, "lang": "en"}]);
    assert_eq!(
        err_with(with(indicator(), "granular_markings", gm)).rule,
        "granular-marking"
    );
}

//--- marking definitions
#[test]
fn accepts_statement_marking() {
    let m = json!({"type": "marking-definition", "spec_version": "2.1",
                   "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db",
                   "created": "2016-08-01T00:00:00.000Z", "definition_type": "statement",
                   "definition": {"statement": "Copyright 2016, Example Corp"}});
    ok(vec![m]);
}

#[test]
fn rejects_reserved_tlp_id_defining_another_level() {
    let m = json!({"type": "marking-definition", "spec_version": "2.1",
                   "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                   "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE",
                   "definition": {"tlp": "red"}});
    assert_eq!(err(vec![m]).rule, "marking-definition");
}

#[test]
fn accepts_spec_tlp_white_definition() {
    let m = json!({"type": "marking-definition", "spec_version": "2.1",
                   "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                   "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE",
                   "definition": {"tlp": "white"}});
    ok(vec![m]);
}

#[test]
fn accepts_tlp2_definition_by_extension() {
    let m = json!({"type": "marking-definition", "spec_version": "2.1", "id": TLP_GREEN,
                   "created": "2022-10-01T00:00:00.000Z", "name": "TLP:GREEN",
                   "extensions": {markings::TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "green"}}});
    ok(vec![m]);
}

//--- extensions and custom content
#[test]
fn classifies_custom_and_extension_content() {
    let ext = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
    let custom = json!({"type": "x-acme-widget", "spec_version": "2.1", "id": "x-acme-widget--1b2d2d31-f010-4473-83ec-1edf84858f4c",
                        "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z", "x_size": 3});
    let toplevel = with(
        with(
            identity(),
            "extensions",
            json!({ext: {"extension_type": "toplevel-property-extension"}}),
        ),
        "rank",
        json!(5),
    );
    let input = bundle_of(vec![toplevel, custom]);
    let b = parse_bundle(&input, &Limits::default()).unwrap();
    assert_eq!(b.objects[0].property_kind("rank"), PropertyKind::Extension);
    assert_eq!(b.objects[0].property_kind("name"), PropertyKind::Specific);
    assert_eq!(b.objects[0].property_kind("created"), PropertyKind::Common);
    assert_eq!(b.objects[1].class, ObjectClass::Custom);
    assert_eq!(b.objects[1].property_kind("x_size"), PropertyKind::Custom);
}

#[test]
fn keeps_unknown_types_as_unknown() {
    let o = json!({"type": "widget", "spec_version": "2.1", "id": "widget--1b2d2d31-f010-4473-83ec-1edf84858f4c",
                   "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z"});
    let input = bundle_of(vec![o]);
    assert_eq!(
        parse_bundle(&input, &Limits::default()).unwrap().objects[0].class,
        ObjectClass::Unknown
    );
}

#[test]
fn rejects_extension_without_type() {
    let ext = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
    let e = err_with(with(identity(), "extensions", json!({ext: {"rank": 5}})));
    assert_eq!(e.rule, "extensions");
}

#[test]
fn rejects_unknown_extension_key() {
    let e = err_with(with(identity(), "extensions", json!({"acme-ext": {"a": 1}})));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("extensions", Some("/objects/1/extensions/acme-ext"))
    );
}

//--- type-specific rules
#[test]
fn rejects_malware_family_without_name() {
    let m = json!({"type": "malware", "spec_version": "2.1", "id": MALWARE, "created": "2016-04-06T20:03:00.000Z",
                   "modified": "2016-04-06T20:03:00.000Z", "is_family": true});
    assert_eq!(err_with(m).rule, "required-property");
}

#[test]
fn rejects_relationship_stopping_before_it_starts() {
    let r = json!({"type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
                   "created": "2016-04-06T20:06:37.000Z", "modified": "2016-04-06T20:06:37.000Z",
                   "relationship_type": "indicates", "source_ref": INDICATOR, "target_ref": MALWARE,
                   "start_time": "2016-04-06T20:06:37Z", "stop_time": "2016-04-06T20:06:37Z"});
    let e = err_with(r);
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("timestamp-order", Some("/objects/1/stop_time"))
    );
}

#[test]
fn rejects_location_without_place() {
    let l = json!({"type": "location", "spec_version": "2.1", "id": "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
                   "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z", "latitude": 48.8566});
    assert_eq!(err_with(l).rule, "location");
}

#[test]
fn rejects_opinion_outside_its_enumeration() {
    let o = json!({"type": "opinion", "spec_version": "2.1", "id": "opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7",
                   "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z",
                   "opinion": "maybe", "object_refs": [INDICATOR]});
    let e = err_with(o);
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("vocabulary", Some("/objects/1/opinion"))
    );
}

#[test]
fn rejects_file_without_hashes_or_name() {
    let f = json!({"type": "file", "id": "file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d", "size": 3});
    assert_eq!(err_with(f).rule, "required-property");
}

#[test]
fn rejects_network_traffic_port_out_of_range() {
    let n = json!({"type": "network-traffic", "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
                   "dst_ref": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "dst_port": 70000, "protocols": ["tcp"]});
    assert_eq!(err_with(n).rule, "property-range");
}

#[test]
fn accepts_sco_without_spec_version() {
    ok(vec![
        json!({"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"}),
    ]);
}

//--- rendering
#[test]
fn renders_the_bundle_canonically() {
    let input = bundle_of(vec![identity()]);
    let b = parse_bundle(&input, &Limits::default()).unwrap();
    let out = b.render();
    assert!(out.starts_with(br#"{"id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"created":"#));
    let again = parse_bundle(&out, &Limits::default()).unwrap().render();
    assert_eq!(out, again);
    assert_eq!(
        out,
        json::render(&b.to_value()),
        "the direct rendering must equal the general one"
    );
}
