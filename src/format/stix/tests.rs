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
fn rejects_bundle_property_with_an_invalid_name() {
    let e = parse_bundle(
        br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","Extra":1}"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.pointer.as_deref()), ("property-name", Some("/Extra")));
}

#[test]
fn accepts_a_custom_bundle_property() {
    parse_bundle(
        br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","extra":1}"#,
        &Limits::default(),
    )
    .unwrap();
}

#[test]
fn rejects_an_empty_objects_list() {
    let e = parse_bundle(
        br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.pointer.as_deref()), ("empty-list", Some("/objects")));
}

#[test]
fn rejects_two_different_objects_under_one_version() {
    let e = err(vec![identity(), with(identity(), "name", json!("Other"))]);
    assert_eq!((e.rule, e.pointer.as_deref()), ("bundle", Some("/objects/1")));
}

#[test]
fn keeps_an_object_repeated_verbatim_once() {
    assert_eq!(ok(vec![identity(), identity()]), vec![IDENTITY.to_string()]);
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
fn rejects_extension_key_not_ending_in_ext() {
    let e = err_with(with(identity(), "extensions", json!({"x-acme-foo": {"abc": 1}})));
    assert_eq!(
        (e.rule, e.pointer.as_deref()),
        ("extensions", Some("/objects/1/extensions/x-acme-foo"))
    );
}

#[test]
fn accepts_custom_extension_named_ext() {
    ok(vec![with(identity(), "extensions", json!({"acme-ext": {"abc": 1}}))]);
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

//--- issue 25: every MUST of STIX 2.1

const FILE: &str = "file--5a27d487-c542-5f97-a131-a8866b477b46";

fn sco(t: &str, id_uuid: &str, props: serde_json::Value) -> serde_json::Value {
    let mut o = json!({"type": t, "spec_version": "2.1", "id": format!("{t}--{id_uuid}")});
    for (k, v) in props.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

fn rule_at(object: serde_json::Value) -> (&'static str, String) {
    let e = err_with(object);
    (e.rule, e.pointer.unwrap_or_default())
}

#[test]
fn rejects_null_anywhere() {
    assert_eq!(
        rule_at(with(identity(), "description", json!(null))),
        ("null-value", "/objects/1/description".into())
    );
    assert_eq!(
        rule_at(with(identity(), "x_acme", json!({"a": [1, null]}))),
        ("null-value", "/objects/1/x_acme/a/1".into())
    );
}

#[test]
fn rejects_empty_lists_anywhere() {
    assert_eq!(
        rule_at(with(identity(), "x_acme", json!([]))),
        ("empty-list", "/objects/1/x_acme".into())
    );
    let f = sco(
        "file",
        "5a27d487-c542-5f97-a131-a8866b477b46",
        json!({"name": "a", "extensions": {"acme-ext": {"x_list": []}}}),
    );
    assert_eq!(
        rule_at(f),
        ("empty-list", "/objects/1/extensions/acme-ext/x_list".into())
    );
    let p = sco(
        "process",
        "f52a906a-0dfc-40bd-92f1-e7778ead38a9",
        json!({"environment_variables": {"A": []}}),
    );
    assert_eq!(rule_at(p), ("empty-list", "/objects/1/environment_variables/A".into()));
    // Inside custom content, a list's emptiness is that content's own business.
    ok(vec![with(identity(), "x_acme", json!({"deep": {"list": []}}))]);
}

#[test]
fn rejects_reserved_property_names() {
    for name in ["severity", "action", "username", "phone_numbers"] {
        assert_eq!(rule_at(with(identity(), name, json!("x"))).0, "reserved-name", "{name}");
    }
}

#[test]
fn rejects_property_names_that_break_the_name_rule() {
    for name in ["_abc", "1abc", "ab", "aBc"] {
        assert_eq!(rule_at(with(identity(), name, json!("x"))).0, "property-name", "{name}");
    }
}

#[test]
fn rejects_custom_bin_and_hex_properties_of_the_wrong_form() {
    assert_eq!(
        rule_at(with(identity(), "x_acme_bin", json!("not base64!"))).0,
        "binary"
    );
    assert_eq!(rule_at(with(identity(), "x_acme_hex", json!("xyz"))).0, "hex");
}

#[test]
fn rejects_integers_beyond_two_to_the_53() {
    let f = sco(
        "file",
        "5a27d487-c542-5f97-a131-a8866b477b46",
        json!({"name": "a", "size": 9007199254740993_i64}),
    );
    assert_eq!(rule_at(f), ("property-range", "/objects/1/size".into()));
}

fn relationship(source: &str, target: &str) -> serde_json::Value {
    json!({"type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
           "created": "2016-04-06T20:06:37.000Z", "modified": "2016-04-06T20:06:37.000Z",
           "relationship_type": "indicates", "source_ref": source, "target_ref": target})
}

#[test]
fn rejects_relationships_to_sros_and_meta_objects() {
    for target in [
        "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fae",
        "sighting--44298a74-ba52-4f0c-87a3-1824e67d7fae",
        "bundle--44298a74-ba52-4f0c-87a3-1824e67d7fae",
        TLP_GREEN,
        "language-content--44298a74-ba52-4f0c-87a3-1824e67d7fae",
        "extension-definition--44298a74-ba52-4f0c-87a3-1824e67d7fae",
    ] {
        let (rule, at) = rule_at(relationship(INDICATOR, target));
        assert_eq!(
            (rule, at.as_str()),
            ("relationship-endpoint", "/objects/1/target_ref"),
            "{target}"
        );
    }
    let (rule, _) = rule_at(relationship(TLP_GREEN, MALWARE));
    assert_eq!(rule, "relationship-endpoint");
    ok(vec![identity(), relationship(INDICATOR, FILE)]);
}

#[test]
fn rejects_relationship_type_with_other_characters() {
    let r = with(
        relationship(INDICATOR, MALWARE),
        "relationship_type",
        json!("Indicates"),
    );
    assert_eq!(rule_at(r).0, "relationship-type");
    let r = with(
        relationship(INDICATOR, MALWARE),
        "relationship_type",
        json!("in dicates"),
    );
    assert_eq!(rule_at(r).0, "relationship-type");
}

#[test]
fn rejects_sighting_of_an_sco_or_sro() {
    let s = json!({"type": "sighting", "spec_version": "2.1", "id": "sighting--ee20065d-2555-424f-ad9e-0f8428623c75",
                   "created": "2016-04-06T20:06:37.000Z", "modified": "2016-04-06T20:06:37.000Z",
                   "sighting_of_ref": FILE});
    assert_eq!(rule_at(s.clone()), ("sighting-of", "/objects/1/sighting_of_ref".into()));
    let s = with(
        s,
        "sighting_of_ref",
        json!("relationship--44298a74-ba52-4f0c-87a3-1824e67d7fae"),
    );
    assert_eq!(rule_at(s).0, "sighting-of");
}

#[test]
fn rejects_hashes_with_bad_names_or_forms() {
    let f = |h: serde_json::Value| sco("file", "5a27d487-c542-5f97-a131-a8866b477b46", json!({"hashes": h}));
    assert_eq!(rule_at(f(json!({"ab": "00"}))).0, "hashes");
    assert_eq!(rule_at(f(json!({"SSDEEP": "3:a b:c"}))).0, "hashes");
    assert_eq!(rule_at(f(json!({"TLSH": "abc"}))).0, "hashes");
    ok(vec![f(
        json!({"SSDEEP": "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C", "x_custom": "anything"}),
    )]);
}

#[test]
fn checks_predefined_extensions_and_their_structures() {
    let file = |ext: serde_json::Value| {
        sco(
            "file",
            "5a27d487-c542-5f97-a131-a8866b477b46",
            json!({"name": "a.zip", "extensions": ext}),
        )
    };
    assert_eq!(rule_at(file(json!({"archive-ext": {"comment": "x"}}))).0, "archive-ext");
    assert_eq!(rule_at(file(json!({"ntfs-ext": {"x_other": "x"}}))).0, "ntfs-ext");
    assert_eq!(
        rule_at(file(json!({"ntfs-ext": {"alternate_data_streams": [{"size": 3}]}}))),
        (
            "alternate-data-stream-type",
            "/objects/1/extensions/ntfs-ext/alternate_data_streams/0".into()
        )
    );
    assert_eq!(
        rule_at(file(
            json!({"windows-pebinary-ext": {"pe_type": "exe", "number_of_sections": "4"}})
        ))
        .0,
        "property-type"
    );
    assert_eq!(
        rule_at(file(json!({"pdf-ext": {"is_optimized": "yes"}}))).0,
        "property-type"
    );
    let traffic = |ext: serde_json::Value| {
        sco(
            "network-traffic",
            "f8ae967a-3dc3-5cdf-8f94-8505abff00c2",
            json!({"dst_ref": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "protocols": ["tcp"], "extensions": ext}),
        )
    };
    assert_eq!(
        rule_at(traffic(json!({"icmp-ext": {"icmp_type_hex": "08"}}))).0,
        "icmp-ext"
    );
    assert_eq!(
        rule_at(traffic(json!({"socket-ext": {"address_family": "AF_NOPE"}}))).0,
        "vocabulary"
    );
    assert_eq!(rule_at(traffic(json!({"tcp-ext": {"x_acme": 1}}))).0, "tcp-ext");
    assert_eq!(
        rule_at(traffic(json!({"http-request-ext": {"request_method": "get"}}))).0,
        "http-request-ext"
    );
}

#[test]
fn checks_email_mime_parts_registry_values_and_x509_extensions() {
    let mail = sco(
        "email-message",
        "72b7698f-10c2-565a-a2a6-b4996a2f2265",
        json!({"is_multipart": true, "body_multipart": [{"content_type": "text/plain"}]}),
    );
    assert_eq!(rule_at(mail).0, "mime-part-type");
    let key = sco(
        "windows-registry-key",
        "2ba37ae7-2745-5082-9dfd-9486dad41016",
        json!({"key": "HKEY_LOCAL_MACHINE\\System", "values": [{"data_type": "REG_NOPE"}]}),
    );
    assert_eq!(rule_at(key).0, "vocabulary");
    let cert = sco(
        "x509-certificate",
        "463d7b2a-8516-5a50-a3d7-6f801465d5de",
        json!({"serial_number": "1", "x509_v3_extensions": {"x_other": "a"}}),
    );
    assert_eq!(rule_at(cert).0, "x509-v3-extensions-type");
}

#[test]
fn checks_sco_value_formats() {
    let v = |t: &str, value: &str| sco(t, "ff26c055-6336-5bc5-b98d-13d6226742dd", json!({"value": value}));
    for (t, bad) in [
        ("ipv4-addr", "256.1.1.1"),
        ("ipv4-addr", "10.0.0.0/33"),
        ("ipv4-addr", "010.0.0.1"),
        ("ipv6-addr", "2001:db8::/129"),
        ("ipv6-addr", "2001:db8:::1"),
        ("mac-addr", "D2:FB:49:24:37:18"),
        ("mac-addr", "d2:fb:49:24:37"),
        ("domain-name", "-bad.example.com"),
        ("domain-name", "a..example.com"),
        ("email-addr", "no-at-sign"),
        ("email-addr", "a b@example.com"),
        ("url", "not a url"),
        ("url", "http://exa mple.com/"),
    ] {
        assert_eq!(
            rule_at(v(t, bad)),
            ("sco-value", "/objects/1/value".into()),
            "{t} {bad}"
        );
    }
    for (t, good) in [
        ("ipv4-addr", "198.51.100.0/24"),
        ("ipv6-addr", "2001:db8::/32"),
        ("mac-addr", "d2:fb:49:24:37:18"),
        ("domain-name", "例え.jp"),
        ("url", "https://example.com/a?b=c#d"),
    ] {
        ok(vec![v(t, good)]);
    }
}

// Where the OASIS validator is wrong (issue 25, docs/stix-conformance.md): valid STIX 2.1 that
// the validator rejects, and the guard accepts.

#[test]
fn accepts_rfc5646_tags_outside_the_validators_list() {
    for tag in ["zh-Hant-TW", "es-419"] {
        ok(vec![with(identity(), "lang", json!(tag))]);
    }
}

#[test]
fn accepts_leap_seconds_and_year_0000() {
    let t = with(indicator(), "valid_from", json!("2016-12-31T23:59:60Z"));
    ok(vec![identity(), t]);
    let t = with(indicator(), "valid_from", json!("0000-01-01T00:00:00Z"));
    ok(vec![identity(), t]);
}

#[test]
fn accepts_granular_markings_with_lang() {
    ok(vec![with(
        identity(),
        "granular_markings",
        json!([{"lang": "en", "selectors": ["name"]}]),
    )]);
}

#[test]
fn accepts_ipv4_mapped_ipv6_addresses() {
    ok(vec![sco(
        "ipv6-addr",
        "ff26c055-6336-5bc5-b98d-13d6226742dd",
        json!({"value": "::ffff:192.0.2.128"}),
    )]);
}

#[test]
fn accepts_a_quoted_email_local_part() {
    ok(vec![sco(
        "email-addr",
        "ff26c055-6336-5bc5-b98d-13d6226742dd",
        json!({"value": "\"john doe\"@example.com"}),
    )]);
}

#[test]
fn accepts_more_than_nine_fraction_digits() {
    ok(vec![with(
        identity(),
        "modified",
        json!("2016-04-06T20:03:00.0000000001Z"),
    )]);
}

#[test]
fn rejects_scos_with_none_of_their_properties() {
    let p = sco("process", "f52a906a-0dfc-40bd-92f1-e7778ead38a9", json!({}));
    assert_eq!(rule_at(p).0, "required-property");
    let u = sco("user-account", "0d5b424b-93b8-5cd8-ac36-306e1789d63c", json!({}));
    assert_eq!(rule_at(u).0, "required-property");
}

#[test]
fn rejects_non_v4_ids_without_id_contributing_properties() {
    let p = sco("process", "f52a906a-0dfc-50bd-92f1-e7778ead38a9", json!({"pid": 1}));
    assert_eq!(rule_at(p), ("identifier", "/objects/1/id".into()));
}

#[test]
fn rejects_character_set_names_of_the_wrong_form() {
    let f = sco(
        "file",
        "5a27d487-c542-5f97-a131-a8866b477b46",
        json!({"name": "a", "name_enc": "utf 8"}),
    );
    assert_eq!(rule_at(f), ("character-set", "/objects/1/name_enc".into()));
}

#[test]
fn checks_objects_inside_observed_data_objects() {
    let od = |objects: serde_json::Value| {
        json!({"type": "observed-data", "spec_version": "2.1", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
               "created": "2016-04-06T19:58:16.000Z", "modified": "2016-04-06T19:58:16.000Z",
               "first_observed": "2015-12-21T19:00:00Z", "last_observed": "2015-12-21T19:00:00Z",
               "number_observed": 1, "objects": objects})
    };
    ok(vec![od(json!({"0": {"type": "ipv4-addr", "value": "198.51.100.3"},
                      "1": {"type": "network-traffic", "dst_ref": "0", "protocols": ["tcp"]}}))]);
    assert_eq!(
        rule_at(od(json!({"0": {"type": "ipv4-addr", "value": "300.1.1.1"}}))),
        ("sco-value", "/objects/1/objects/0/value".into())
    );
    assert_eq!(
        rule_at(od(
            json!({"0": {"type": "network-traffic", "dst_ref": "9", "protocols": ["tcp"]}})
        ))
        .0,
        "identifier"
    );
}

#[test]
fn rejects_marking_definitions_that_mark_themselves_or_copy_tlp() {
    let id = "marking-definition--4a0f8dfc-4d11-4f2a-9a3e-3a0a1b7e2d31";
    let m = json!({"type": "marking-definition", "spec_version": "2.1", "id": id,
                   "created": "2016-08-01T00:00:00.000Z", "definition_type": "statement",
                   "definition": {"statement": "Copyright 2016, Example Corp"}, "object_marking_refs": [id]});
    assert_eq!(rule_at(m).0, "marking-definition");
    let copy = json!({"type": "marking-definition", "spec_version": "2.1", "id": id,
                      "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "definition": {"tlp": "green"}});
    assert_eq!(rule_at(copy), ("marking-definition", "/objects/1/id".into()));
}

#[test]
fn checks_pattern_semantics() {
    let p = |text: &str| with(indicator(), "pattern", json!(text));
    for bad in [
        "[file:name = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
        "[File:name = 'a']",
        "[file:Name = 'a']",
        "[file:name = 'a' AND url:value = 'b']",
        "[file:name = 'a'] REPEATS 0 TIMES",
        "[file:name = 'a'] WITHIN 0 SECONDS",
        "[file:name ISSUBSET 'not an address']",
        "[file:name MATCHES '(unclosed']",
        "[file:name MATCHES '*a']",
        "[file:name = 'a'] START t'2016-01-01T00:00:00Z' STOP t'2015-01-01T00:00:00Z'",
    ] {
        let e = err(vec![identity(), p(bad)]);
        assert_eq!(
            (e.rule, e.pointer.as_deref()),
            ("pattern", Some("/objects/1/pattern")),
            "{bad}"
        );
    }
    for good in [
        "[NOT EXISTS file:name]",
        "[file:name = 'a' OR url:value = 'b']",
        "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
        "[file:name MATCHES '^(?:a|b){1,3}\\\\.exe$']",
        "[file:hashes.'SHA-256' = 'a'] WITHIN 5 SECONDS REPEATS 2 TIMES",
    ] {
        ok(vec![identity(), p(good)]);
    }
}

#[test]
fn checks_language_content_keys() {
    let lc = |contents: serde_json::Value| {
        json!({"type": "language-content", "spec_version": "2.1", "id": "language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d",
               "created": "2017-02-08T21:31:22.007Z", "modified": "2017-02-08T21:31:22.007Z",
               "object_ref": "campaign--12a111f0-b824-4baf-a224-83b80237a094", "contents": contents})
    };
    ok(vec![lc(json!({"de": {"name": "Bank Angriff 1"}}))]);
    assert_eq!(rule_at(lc(json!({"english": {"name": "x"}}))).0, "language-content");
    assert_eq!(rule_at(lc(json!({"de": ["x"]}))).0, "language-content");
}

#[test]
fn rejects_a_tlp1_definition_that_is_not_the_specifications_object() {
    let green = json!({"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                       "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:GREEN",
                       "definition": {"tlp": "green"}});
    ok(vec![green.clone()]);
    assert_eq!(
        rule_at(with(green.clone(), "x_acme", json!("a"))).0,
        "marking-definition"
    );
    assert_eq!(
        rule_at(with(green, "created", json!("2018-01-20T00:00:00.000Z"))).0,
        "marking-definition"
    );
}

#[test]
fn checks_software_cpe_and_languages_and_ipfix_values() {
    let sw = |props: serde_json::Value| sco("software", "a1827f6d-ca53-5605-9e93-4316cd22a00a", props);
    ok(vec![sw(
        json!({"name": "Word", "cpe": "cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*", "languages": ["en"]}),
    )]);
    assert_eq!(
        rule_at(sw(json!({"name": "Word", "cpe": "cpe:/a:microsoft:word:2000"}))).0,
        "software"
    );
    assert_eq!(
        rule_at(sw(json!({"name": "Word", "cpe": "cpe:2.3:a:microsoft:word"}))).0,
        "software"
    );
    assert_eq!(
        rule_at(sw(json!({"name": "Word", "languages": ["english"]}))),
        ("lang", "/objects/1/languages/0".into())
    );
    let nt = sco(
        "network-traffic",
        "f8ae967a-3dc3-5cdf-8f94-8505abff00c2",
        json!({"dst_ref": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "protocols": ["tcp"], "ipfix": {"minimumIpTotalLength": true}}),
    );
    assert_eq!(
        rule_at(nt),
        ("property-type", "/objects/1/ipfix/minimumIpTotalLength".into())
    );
}

#[test]
fn checks_media_types_and_character_sets_against_the_iana_registries() {
    let a = |mime: &str| {
        sco(
            "artifact",
            "6f437177-6e48-5cf8-9d9e-872a2bddd641",
            json!({"mime_type": mime, "payload_bin": "aGVsbG8gd29ybGQ="}),
        )
    };
    ok(vec![a("application/zip")]);
    ok(vec![a("text/plain; charset=utf-8")]);
    assert_eq!(
        rule_at(a("application/x-acme")),
        ("artifact", "/objects/1/mime_type".into())
    );
    let f = |enc: &str| {
        sco(
            "file",
            "5a27d487-c542-5f97-a131-a8866b477b46",
            json!({"name": "a", "name_enc": enc}),
        )
    };
    ok(vec![f("ISO_8859-1:1987")]);
    ok(vec![f("windows-1252")]);
    assert_eq!(rule_at(f("x-acme-charset")).0, "character-set");
}

/// Issue 16: a selector step is 16 bytes (a granular marking may carry a million selectors of
/// many steps each).
#[test]
fn stores_a_selector_step_in_16_bytes() {
    assert!(std::mem::size_of::<SelectorStep>() <= 16);
}
