//! Object-level release of STIX bundles under the shipped policies: one named test per rule and
//! per closure case, through the public API.

mod common;

use common::*;
use serde_json::json;

const CANARY: &str = "CANARY-7f3a";

fn obj(t: &str, n: u32) -> String {
    id(t, n)
}

//--- TLP
#[test]
fn releases_objects_with_allowed_tlp() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_CLEAR], "a"),
            indicator(2, &[TLP_GREEN], "b"),
            indicator(3, &[TLP_AMBER], "c"),
        ],
    );
    assert_eq!(ids(&out).len(), 3);
}

#[test]
fn drops_tlp_red_and_amber_strict() {
    let (out, r) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            indicator(2, &[TLP_RED], CANARY),
            indicator(3, &[TLP_AMBER_STRICT], CANARY),
        ],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("indicator", 2), "drop").as_deref(),
        Some("tlp")
    );
    assert!(!String::from_utf8_lossy(r.output.as_bytes()).contains(CANARY));
}

#[test]
fn treats_tlp1_white_as_clear_and_tlp1_red_as_red() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![indicator(1, &[TLP1_WHITE], "a"), indicator(2, &[TLP1_RED], CANARY)],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
}

#[test]
fn drops_unmarked_objects() {
    let (out, r) = released(
        &us_to_jpn(),
        vec![indicator(1, &[TLP_GREEN], "a"), indicator(2, &[], CANARY)],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("indicator", 2), "drop").as_deref(),
        Some("tlp-missing")
    );
}

//--- classification, REL TO, controls (statement banners)
#[test]
fn releases_secret_rel_to_jpn() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//REL TO USA, JPN"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], "a"),
        ],
    );
    assert_eq!(ids(&out), [obj("marking-definition", 1), obj("indicator", 1)]);
}

#[test]
fn drops_classified_without_rel_to_partner() {
    let r = run(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//REL TO USA, GBR"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    );
    let e = r.unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("rel-to-partner")
    );
}

#[test]
fn drops_classified_without_any_rel_to() {
    let e = run(
        &us_to_jpn(),
        vec![
            statement(1, "CONFIDENTIAL"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("rel-to-partner")
    );
}

#[test]
fn drops_above_the_ceiling() {
    let e = run(
        &us_to_jpn(),
        vec![
            statement(1, "TOP SECRET//REL TO USA, JPN"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("classification-ceiling")
    );
}

#[test]
fn drops_noforn_orcon_and_propin() {
    for (n, banner) in [
        (1, "SECRET//NOFORN"),
        (2, "SECRET//ORCON/REL TO USA, JPN"),
        (3, "UNCLASSIFIED//PROPIN"),
    ] {
        let e = run(
            &us_to_jpn(),
            vec![
                statement(n, banner),
                indicator(1, &[TLP_GREEN, &obj("marking-definition", n)], CANARY),
            ],
        )
        .unwrap_err();
        assert_eq!(
            rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
            Some("forbidden-control"),
            "{banner}"
        );
    }
}

#[test]
fn drops_controls_the_policy_does_not_allow() {
    let e = run(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//REL TO USA, JPN/RELIDO"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("unknown-control")
    );
}

#[test]
fn drops_when_a_statement_looks_like_a_banner_but_does_not_parse() {
    let e = run(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//REL TO JPN, USA"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("marking-unreadable")
    );
}

#[test]
fn reads_free_text_statements_as_no_fact() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            statement(1, "Copyright 2020, Example Corp."),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], "a"),
        ],
    );
    assert_eq!(ids(&out).len(), 2);
}

#[test]
fn drops_objects_whose_marking_resolves_to_nothing() {
    let e = run(
        &us_to_jpn(),
        vec![indicator(1, &[TLP_GREEN, &obj("marking-definition", 9)], CANARY)],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("unresolved-marking")
    );
}

fn acs(n: u32, control_set: serde_json::Value) -> serde_json::Value {
    json!({"type": "marking-definition", "spec_version": "2.1", "id": id("marking-definition", n),
           "created": "2020-01-01T00:00:00.000Z",
           "extensions": {"extension-definition--3a65d7ca-2b72-4b49-b9b7-cd6f0ae4c0e3": {
               "extension_type": "property-extension", "identifier": "isa:guide.19001.ACS3-1",
               "control_set": control_set}}})
}

#[test]
fn reads_acs_markings() {
    let ok = acs(
        1,
        json!({"classification": "S", "permitted_nationalities": ["USA", "JPN"]}),
    );
    let nf = acs(2, json!({"classification": "U", "formal_determination": ["NF"]}));
    let (out, r) = released(
        &us_to_jpn(),
        vec![
            ok,
            nf,
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], "a"),
            indicator(2, &[TLP_GREEN, &obj("marking-definition", 2)], CANARY),
        ],
    );
    assert_eq!(ids(&out), [obj("marking-definition", 1), obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("indicator", 2), "drop").as_deref(),
        Some("forbidden-control")
    );
}

//--- types
#[test]
fn drops_types_the_policy_does_not_allow() {
    let mut m = json!({"type": "mutex", "id": "mutex--00000000-0000-4000-8000-000000000001", "name": CANARY,
                       "object_marking_refs": [TLP_GREEN]});
    m["spec_version"] = json!("2.1");
    let (out, r) = released(&us_to_jpn(), vec![indicator(1, &[TLP_GREEN], "a"), m]);
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, "mutex--00000000-0000-4000-8000-000000000001", "drop").as_deref(),
        Some("type-not-allowed")
    );
}

#[test]
fn drops_unknown_types() {
    let mut w = json!({"type": "widget", "spec_version": "2.1", "id": "widget--00000000-0000-4000-8000-000000000001",
                       "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
                       "object_marking_refs": [TLP_GREEN]});
    w["x_secret"] = json!(CANARY);
    let (out, r) = released(&us_to_jpn(), vec![indicator(1, &[TLP_GREEN], "a"), w]);
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, "widget--00000000-0000-4000-8000-000000000001", "drop").as_deref(),
        Some("unknown-type")
    );
}

//--- referential closure
#[test]
fn drops_relationship_to_dropped_object() {
    let (out, r) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            malware(1, &[TLP_RED], CANARY),
            relationship(1, &[TLP_GREEN], &obj("indicator", 1), &obj("malware", 1)),
        ],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("relationship", 1), "drop").as_deref(),
        Some("dangling-required-reference")
    );
}

#[test]
fn drops_sighting_of_dropped_object() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            indicator(2, &[TLP_RED], CANARY),
            sighting(1, &[TLP_GREEN], &obj("indicator", 2), &[]),
        ],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
}

#[test]
fn removes_dropped_ids_from_reference_lists() {
    let refs = vec![obj("indicator", 1), obj("indicator", 2)];
    let (out, r) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            indicator(2, &[TLP_RED], CANARY),
            report(1, &[TLP_GREEN], &refs),
        ],
    );
    let report = out["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "report")
        .unwrap();
    assert_eq!(report["object_refs"], json!([obj("indicator", 1)]));
    assert!(r.report.removed >= 1);
}

#[test]
fn drops_object_whose_required_reference_list_becomes_empty() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            indicator(2, &[TLP_RED], CANARY),
            report(1, &[TLP_GREEN], &[obj("indicator", 2)]),
        ],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
}

#[test]
fn removes_where_sighted_refs_to_dropped_identities_and_keeps_the_sighting() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            identity(1, &[TLP_RED]),
            sighting(1, &[TLP_GREEN], &obj("indicator", 1), &[obj("identity", 1)]),
        ],
    );
    let s = out["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "sighting")
        .unwrap();
    assert!(s.get("where_sighted_refs").is_none());
    assert!(!ids(&out).contains(&obj("identity", 1)));
}

#[test]
fn removes_created_by_ref_to_a_dropped_identity() {
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["created_by_ref"] = json!(obj("identity", 1));
    let (out, _) = released(&us_to_jpn(), vec![identity(1, &[TLP_RED]), i]);
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert!(out["objects"][0].get("created_by_ref").is_none());
}

#[test]
fn passes_unmarked_identity_only_when_referenced() {
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["created_by_ref"] = json!(obj("identity", 1));
    let (out, r) = released(&us_to_jpn(), vec![identity(1, &[]), identity(2, &[]), i]);
    assert_eq!(ids(&out), [obj("identity", 1), obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("identity", 2), "drop").as_deref(),
        Some("not-referenced")
    );
}

#[test]
fn drops_marking_definitions_no_kept_object_references() {
    let (out, _) = released(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//NOFORN"),
            statement(2, "Copyright 2020"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
            indicator(2, &[TLP_GREEN, &obj("marking-definition", 2)], "a"),
        ],
    );
    assert_eq!(ids(&out), [obj("marking-definition", 2), obj("indicator", 2)]);
}

//--- granular markings
#[test]
fn removes_a_property_under_an_unreleasable_granular_marking() {
    let mut i = indicator(1, &[TLP_GREEN], CANARY);
    i["granular_markings"] = json!([{"selectors": ["description"], "marking_ref": TLP_RED}]);
    let (out, r) = released(&us_to_jpn(), vec![i]);
    let o = &out["objects"][0];
    assert!(o.get("description").is_none());
    assert!(
        o.get("granular_markings").is_none(),
        "granular marking of a removed property must go"
    );
    assert_eq!(
        rule_for(&r.report, &format!("{}/description", obj("indicator", 1)), "remove").as_deref(),
        Some("tlp")
    );
}

#[test]
fn keeps_a_property_under_a_releasable_granular_marking() {
    let mut i = indicator(1, &[TLP_GREEN], "fine");
    i["granular_markings"] = json!([{"selectors": ["description"], "marking_ref": TLP_AMBER}]);
    let (out, _) = released(&us_to_jpn(), vec![i]);
    assert_eq!(out["objects"][0]["description"], "fine");
}

#[test]
fn drops_object_when_a_required_property_is_not_releasable() {
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["granular_markings"] = json!([{"selectors": ["pattern"], "marking_ref": TLP_RED}]);
    let e = run(&us_to_jpn(), vec![i]).unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("required-property-removed")
    );
}

#[test]
fn removes_list_elements_and_moves_later_selectors() {
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["labels"] = json!(["zero", CANARY, "two"]);
    i["granular_markings"] = json!([
        {"selectors": ["labels.[1]"], "marking_ref": TLP_RED},
        {"selectors": ["labels.[2]"], "marking_ref": TLP_AMBER},
    ]);
    let (out, r) = released(&us_to_jpn(), vec![i]);
    let o = &out["objects"][0];
    assert_eq!(o["labels"], json!(["zero", "two"]));
    assert_eq!(
        o["granular_markings"],
        json!([{"selectors": ["labels.[1]"], "marking_ref": TLP_AMBER}])
    );
    assert!(!String::from_utf8_lossy(r.output.as_bytes()).contains(CANARY));
}

//--- the whole message
#[test]
fn rejects_when_nothing_is_releasable() {
    let e = run(&us_to_jpn(), vec![indicator(1, &[TLP_RED], CANARY), identity(1, &[])]).unwrap_err();
    assert_eq!(e.reasons[0].rule, "nothing-releasable");
}

#[test]
fn all_or_nothing_rejects_a_partly_releasable_message() {
    let policy = us_to_jpn_with(|t| t.replace("mode = \"drop\"", "mode = \"all-or-nothing\""));
    let e = sekisho::guard::filter(
        &bundle(vec![indicator(1, &[TLP_GREEN], "a"), indicator(2, &[TLP_RED], CANARY)]),
        &policy,
    )
    .unwrap_err();
    assert_eq!(e.reasons[0].rule, "tlp");
    assert_eq!(e.reasons[0].at, obj("indicator", 2));
}

#[test]
fn rejects_malformed_input_with_its_position() {
    let e = sekisho::guard::filter(b"{\"type\": \"bundle\",}", &us_to_jpn()).unwrap_err();
    assert_eq!(e.reasons[0].rule, "object");
    assert!(e.reasons[0].at.starts_with("1:19"), "{}", e.reasons[0].at);
}

#[test]
fn rejects_content_of_a_format_the_policy_does_not_allow() {
    // jpn-to-us allows STIX only (us-to-jpn also takes XML since issue 7).
    let e = sekisho::guard::filter(b"<alert/>", &jpn_to_us()).unwrap_err();
    assert_eq!(e.reasons[0].rule, "format");
}

#[test]
fn output_filtered_again_is_byte_identical() {
    let (_, r) = released(
        &us_to_jpn(),
        vec![
            statement(1, "SECRET//REL TO USA, JPN"),
            identity(1, &[]),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], "a"),
            indicator(2, &[TLP_RED], CANARY),
            report(1, &[TLP_AMBER], &[obj("indicator", 1), obj("indicator", 2)]),
        ],
    );
    let again = sekisho::guard::filter(r.output.as_bytes(), &us_to_jpn()).unwrap();
    assert_eq!(again.output.as_bytes(), r.output.as_bytes());
}

//--- the other direction: a Japanese scheme compared through its equivalence
#[test]
fn jpn_to_us_releases_gokuhi_rel_to_usa_and_drops_kimitsu() {
    let (out, r) = released(
        &jpn_to_us(),
        vec![
            statement(1, "GOKUHI//REL TO USA, JPN"),
            statement(2, "KIMITSU//REL TO USA, JPN"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], "a"),
            indicator(2, &[TLP_GREEN, &obj("marking-definition", 2)], CANARY),
        ],
    );
    assert_eq!(ids(&out), [obj("marking-definition", 1), obj("indicator", 1)]);
    assert_eq!(
        rule_for(&r.report, &obj("indicator", 2), "drop").as_deref(),
        Some("classification-ceiling")
    );
}

//--- sanitisation
#[test]
fn redact_action_prunes_only_the_internal_comparison() {
    let policy = us_to_jpn_with(|t| {
        t.replace(
            "domains = [\"corp.example\"]\naction = \"drop\"",
            "domains = [\"corp.example\"]\naction = \"redact\"",
        )
    });
    let i = indicator(1, &[TLP_GREEN], "a");
    let mut i2 = i.clone();
    i2["pattern"] = json!("[ipv4-addr:value = '10.1.1.1'] OR [ipv4-addr:value = '203.0.113.5']");
    let (out, r) = released(&policy, vec![i2]);
    assert_eq!(out["objects"][0]["pattern"], "[ipv4-addr:value = '203.0.113.5']");
    assert_eq!(r.report.redactions, 1);
    let mut i3 = i;
    i3["pattern"] = json!("[ipv4-addr:value = '10.1.1.1']");
    let e = run(&policy, vec![i3]).unwrap_err();
    assert_eq!(
        rule_for(&e.report, &format!("{}/pattern", obj("indicator", 1)), "drop").as_deref(),
        Some("internal-networks")
    );
}

#[test]
fn dirty_word_reject_action_rejects_the_message() {
    let policy = us_to_jpn_with(|t| {
        t.replace(
            "file = \"us-to-jpn.dirty-words.txt\"\naction = \"drop\"",
            "file = \"us-to-jpn.dirty-words.txt\"\naction = \"reject\"",
        )
    });
    let e = run(
        &policy,
        vec![
            indicator(1, &[TLP_GREEN], "a"),
            indicator(2, &[TLP_GREEN], "about project bluebird"),
        ],
    )
    .unwrap_err();
    assert_eq!(e.reasons[0].rule, "internal-names");
    assert_eq!(e.reasons[0].at, format!("{}/description", obj("indicator", 2)));
}

#[test]
fn dirty_word_redact_action_replaces_the_phrase() {
    let policy = us_to_jpn_with(|t| {
        t.replace(
            "file = \"us-to-jpn.dirty-words.txt\"\naction = \"drop\"",
            "file = \"us-to-jpn.dirty-words.txt\"\naction = \"redact\"\nreplacement = \"[NAME]\"",
        )
    });
    let (out, _) = released(
        &policy,
        vec![indicator(1, &[TLP_GREEN], "During HALCYON  RIDGE we saw it.")],
    );
    assert_eq!(out["objects"][0]["description"], "During [NAME] we saw it.");
}

#[test]
fn property_allowlist_removes_unlisted_properties_and_drops_when_required_goes() {
    let policy = us_to_jpn_with(|t| {
        format!(
            "{t}\n[stix.properties]\nindicator = [\"pattern\", \"pattern_type\", \"valid_from\"]\nmalware = [\"is_family\"]\n"
        )
    });
    let (out, r) = released(
        &policy,
        vec![indicator(1, &[TLP_GREEN], CANARY), malware(1, &[TLP_GREEN], CANARY)],
    );
    assert_eq!(ids(&out), [obj("indicator", 1)]);
    assert!(out["objects"][0].get("description").is_none());
    // The allowlist leaves a malware family without its `name`, which STIX requires: it goes.
    assert_eq!(
        rule_for(&r.report, &obj("malware", 1), "drop").as_deref(),
        Some("invalid-after-sanitisation")
    );
}

#[test]
fn named_custom_properties_cross() {
    let policy = us_to_jpn_with(|t| {
        t.replace(
            "unknown_types = \"drop\"",
            "unknown_types = \"drop\"\ncustom_properties = [\"x_severity\"]",
        )
    });
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["x_severity"] = json!("high");
    i["x_ticket"] = json!(CANARY);
    let (out, _) = released(&policy, vec![i]);
    assert_eq!(out["objects"][0]["x_severity"], "high");
    assert!(out["objects"][0].get("x_ticket").is_none());
}

#[test]
fn all_or_nothing_is_not_triggered_by_stripping_custom_properties() {
    let policy = us_to_jpn_with(|t| t.replace("mode = \"drop\"", "mode = \"all-or-nothing\""));
    let mut i = indicator(1, &[TLP_GREEN], "a");
    i["x_ticket"] = json!(CANARY);
    let (out, _) = released(&policy, vec![i]);
    assert!(out["objects"][0].get("x_ticket").is_none());
}

#[test]
fn redaction_keeps_granular_selectors_consistent() {
    let mut i = indicator(1, &[TLP_GREEN], "mail bob@example.org");
    i["x_ticket"] = json!(CANARY);
    i["granular_markings"] = json!([{"selectors": ["x_ticket"], "marking_ref": TLP_GREEN}, {"selectors": ["description"], "marking_ref": TLP_GREEN}]);
    let (out, _) = released(&us_to_jpn(), vec![i]);
    assert_eq!(
        out["objects"][0]["granular_markings"],
        json!([{"selectors": ["description"], "marking_ref": TLP_GREEN}])
    );
    assert_eq!(out["objects"][0]["description"], "mail [EMAIL REDACTED]");
}

//--- statements that look like markings are never free text
#[test]
fn jpn_to_us_reads_a_us_banner_statement_with_the_us_scheme() {
    let e = run(
        &jpn_to_us(),
        vec![
            statement(1, "SECRET//NOFORN"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("forbidden-control")
    );
}

#[test]
fn reads_a_tlp_statement_as_that_tlp() {
    let e = run(
        &us_to_jpn(),
        vec![
            statement(1, "TLP:RED"),
            indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
        ],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("tlp")
    );
}

#[test]
fn drops_units_whose_statement_mentions_a_marking_it_does_not_state() {
    for text in [
        "Company Confidential - internal use",
        "Handle as NOFORN please",
        "U//FOUO-ish",
        "TLP: maybe amber",
    ] {
        let e = run(
            &us_to_jpn(),
            vec![
                statement(1, text),
                indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY),
            ],
        )
        .unwrap_err();
        assert_eq!(
            rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
            Some("marking-unreadable"),
            "{text}"
        );
    }
}

#[test]
fn drops_objects_whose_marking_definition_may_not_go() {
    let mut m = statement(1, "SECRET//REL TO USA, JPN");
    m["object_marking_refs"] = json!([TLP_RED]);
    let e = run(
        &us_to_jpn(),
        vec![m, indicator(1, &[TLP_GREEN, &obj("marking-definition", 1)], CANARY)],
    )
    .unwrap_err();
    assert_eq!(
        rule_for(&e.report, &obj("indicator", 1), "drop").as_deref(),
        Some("marking-not-released")
    );
}

//--- Rejections name their kind (the daemon's quarantine reason is an exhaustive match on it)
#[test]
fn every_rejection_names_its_kind() {
    use sekisho::guard::{RejectionKind, filter};
    let policy = us_to_jpn();
    let kind = |input: &[u8]| filter(input, &policy).map(|_| ()).map_err(|e| e.kind);
    let big = vec![b' '; policy.limits.max_input_bytes + 1];
    assert_eq!(kind(&big), Err(RejectionKind::Oversized));
    assert_eq!(kind(b" \n\t"), Err(RejectionKind::Empty));
    assert_eq!(kind(b"[1, 2]"), Err(RejectionKind::UnknownFormat));
    assert_eq!(kind(b"{\"type\": \"bundle\""), Err(RejectionKind::Parse));
    assert_eq!(
        kind(&bundle(vec![indicator(1, &[TLP_RED], CANARY)])),
        Err(RejectionKind::Policy)
    );
    assert_eq!(kind(&bundle(vec![indicator(1, &[TLP_GREEN], "a")])), Ok(()));
}

//--- internationalised internal domains: the policy may name them in Unicode or punycode
#[test]
fn an_internationalised_internal_domain_is_found_in_both_writings() {
    for listed in ["社内.example", "xn--v6q418g.example", "社内。example"] {
        let policy = us_to_jpn_with(|t| {
            t.replace(
                "domains = [\"corp.example\"]",
                &format!("domains = [\"corp.example\", \"{listed}\"]"),
            )
        });
        let with_pattern = |n: u32, p: &str| {
            let mut i = indicator(n, &[TLP_GREEN], "a");
            i["pattern"] = json!(p);
            i
        };
        let (out, _) = released(
            &policy,
            vec![
                with_pattern(1, "[domain-name:value = 'vpn.社内.example']"),
                with_pattern(2, "[domain-name:value = 'vpn.xn--v6q418g.example']"),
                with_pattern(3, "[url:value = 'https://intranet.ＸＮ--v6q418g.example/']"),
                with_pattern(4, "[domain-name:value = 'vpn.社外.example']"),
                indicator(5, &[TLP_GREEN], "see https://wiki.社内.example/runbook"),
            ],
        );
        assert_eq!(ids(&out), [obj("indicator", 4)], "listed as {listed}");
        let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
        for p in [
            "[domain-name:value = 'vpn.社内.example']",
            "[domain-name:value = 'vpn.xn--v6q418g.example']",
        ] {
            let leaked = bundle(vec![with_pattern(1, p)]);
            let findings = verifier.verify(&leaked).unwrap_err();
            assert!(
                findings.iter().any(|f| f.rule == "internal-address"),
                "the verifier does not find {p} with {listed} listed: {findings:?}"
            );
        }
    }
}

#[test]
fn a_policy_domain_that_is_not_a_name_is_refused_where_it_is_written() {
    for bad in ["corp example", "a..b", "-", "x@corp.example", "[10.0.0.1]"] {
        let text = std::fs::read_to_string(policies().join("us-to-jpn.toml"))
            .unwrap()
            .replace("domains = [\"corp.example\"]", &format!("domains = [\"{bad}\"]"));
        let e = sekisho::policy::Policy::parse(&text, "us-to-jpn.toml", Some(&policies())).unwrap_err();
        assert!(e.to_string().contains("domains[0]"), "{bad}: {e}");
    }
}

//--- numbers compared with an address value are read as the addresses they stand for
#[test]
fn an_internal_address_written_as_a_number_in_a_pattern_is_found() {
    let policy = us_to_jpn();
    let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
    let with_pattern = |n: u32, p: &str| {
        let mut i = indicator(n, &[TLP_GREEN], "a");
        i["pattern"] = json!(p);
        i
    };
    let leaks = [
        "[ipv4-addr:value = h'0a000001']",
        "[ipv4-addr:value = b'wKgBAQ==']",
        "[ipv4-addr:value = h'ac100505'] WITHIN 300 SECONDS",
        "[network-traffic:dst_ref.value = h'0A000001']",
        "[ipv6-addr:value = h'00000000000000000000ffff0a000001']",
        "[ipv4-addr:value IN (h'cb007101', h'0a000001')]",
        "[ipv4-addr:value = 167772161]",
        "[ipv4-addr:value > 167772160 AND ipv4-addr:value < 184549375]",
    ];
    let mut objects: Vec<_> = leaks.iter().zip(1..).map(|(p, n)| with_pattern(n, p)).collect();
    let benign = [
        "[ipv4-addr:value = h'cb007101']",
        "[file:hashes.'SHA-256' = 'aa' AND file:size = 1024]",
        "[ipv4-addr:value = '203.0.113.1'] REPEATS 5 TIMES",
    ];
    objects.extend(benign.iter().zip(100..).map(|(p, n)| with_pattern(n, p)));
    let (out, _) = released(&policy, objects);
    assert_eq!(
        ids(&out),
        (100..103).map(|n| obj("indicator", n)).collect::<Vec<_>>(),
        "only the benign patterns cross"
    );
    // Each is dropped by the address rule itself (a nine-digit number is also a telephone
    // number to the text rules: that must not be what stops it).
    let policy_without_phones = us_to_jpn_with(|t| t.replace("recognizer = \"phone\"", "recognizer = \"email\""));
    for (n, p) in (1..).zip(leaks) {
        let e = run(&policy_without_phones, vec![with_pattern(n, p)]).unwrap_err();
        assert_eq!(
            rule_for(&e.report, &format!("{}/pattern", obj("indicator", n)), "drop").as_deref(),
            Some("internal-networks"),
            "{p}"
        );
    }
    for p in leaks {
        let findings = verifier.verify(&bundle(vec![with_pattern(1, p)])).unwrap_err();
        assert!(
            findings.iter().any(|f| f.rule == "internal-address"),
            "the verifier misses {p}: {findings:?}"
        );
    }
    for p in benign {
        assert!(
            verifier.verify(&bundle(vec![with_pattern(1, p)])).is_ok(),
            "the verifier refuses {p}"
        );
    }
}

//--- MATCHES and LIKE operands that could match an internal IPv6 address
#[test]
fn a_regex_that_could_match_an_internal_ipv6_address_does_not_cross() {
    let policy = us_to_jpn_with(|t| {
        t.replace(
            "cidrs = [\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\"]",
            "cidrs = [\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\", \"fd00::/8\", \"2001:db8:1234::/48\"]",
        )
    });
    let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
    let with_pattern = |n: u32, p: &str| {
        let mut i = indicator(n, &[TLP_GREEN], "a");
        i["pattern"] = json!(p);
        i
    };
    // Both find these (the verifier leaves runs with `::` to the guard).
    let leaks = [
        r"[ipv6-addr:value MATCHES '^fd12:']",
        r"[ipv6-addr:value MATCHES '^2001:db8:1234:']",
        r"[ipv6-addr:value MATCHES '^2001:0db8:12']",
        r"[url:value MATCHES 'db8:1234:5']",
        r"[ipv6-addr:value LIKE 'fd00:%']",
    ];
    let guard_only = [
        r"[ipv6-addr:value MATCHES '^::ffff:a00:']",
        r"[ipv6-addr:value MATCHES 'fd00::1']",
    ];
    let benign = [
        r"[ipv6-addr:value MATCHES '^fc00:']",
        r"[ipv6-addr:value MATCHES '^2001:db8:1235:']",
        r"[file:name MATCHES '^std::string$']",
        r"[file:name MATCHES '\\.elf$']",
    ];
    let mut objects: Vec<_> = leaks
        .iter()
        .chain(&guard_only)
        .zip(1..)
        .map(|(p, n)| with_pattern(n, p))
        .collect();
    objects.extend(benign.iter().zip(100..).map(|(p, n)| with_pattern(n, p)));
    let (out, _) = released(&policy, objects);
    assert_eq!(ids(&out), (100..104).map(|n| obj("indicator", n)).collect::<Vec<_>>());
    for p in leaks {
        assert!(
            verifier.verify(&bundle(vec![with_pattern(1, p)])).is_err(),
            "the verifier passes {p}"
        );
    }
    for p in benign {
        assert!(
            verifier.verify(&bundle(vec![with_pattern(1, p)])).is_ok(),
            "the verifier refuses {p}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Whatever hex-and-colon regex the guard lets cross under IPv6 ranges, the verifier passes
    /// too (it is never stricter: no spurious disagreement), and a full internal address written
    /// inside such a regex never crosses.
    #[test]
    fn ipv6_fragments_guard_and_verifier_agree(
        re in "\\^?(std|x|[0-9a-f]{0,4})(:{1,2}[0-9a-f]{0,4}){0,5}(\\\\\\.[a-z]{1,3})?\\$?",
        internal in proptest::bool::ANY,
    ) {
        let policy = us_to_jpn_with(|t| {
            t.replace(
                "cidrs = [\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\"]",
                "cidrs = [\"10.0.0.0/8\", \"fd00::/8\", \"2001:db8:1234::/48\"]",
            )
        });
        let re = if internal { format!("x fd00:0:0:0:0:0:0:1 {re}") } else { re };
        let mut i = indicator(1, &[TLP_GREEN], "a");
        i["pattern"] = json!(format!("[ipv6-addr:value MATCHES '{re}']"));
        let input = bundle(vec![i]);
        if let Ok(r) = sekisho::guard::filter(&input, &policy) {
            proptest::prop_assert!(!internal, "{re} crossed");
            let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
            proptest::prop_assert!(verifier.verify(r.output.as_bytes()).is_ok(), "the verifier refuses {re}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Any internal IPv4 address written as a number in a pattern — integer, float, exponent,
    /// hex or binary literal, compared or listed — is stopped by the address rule, in the guard
    /// and in the verifier.
    #[test]
    fn an_internal_address_in_any_numeric_notation_does_not_cross(
        net in 0usize..3,
        host in 0u32..(1 << 16),
        how in 0usize..6,
        op in 0usize..3,
    ) {
        let base: u32 = [0x0a00_0000, 0xac10_0000, 0xc0a8_0000][net];
        let a = base | host;
        let b = a.to_be_bytes();
        let lit = match how {
            0 => format!("{a}"),
            1 => format!("{a}.0"),
            2 => format!("{}E1", f64::from(a) / 10.0),
            3 => format!("h'{}'", hex::encode(b)),
            4 => format!("h'{}'", hex::encode(b).to_uppercase()),
            _ => {
                use base64::Engine;
                format!("b'{}'", base64::engine::general_purpose::STANDARD.encode(b))
            }
        };
        let pattern = match op {
            0 => format!("[ipv4-addr:value = {lit}]"),
            1 => format!("[network-traffic:dst_ref.value IN (h'cb007101', {lit})]"),
            _ => format!("[ipv4-addr:value >= {lit}]"),
        };
        let policy = us_to_jpn_with(|t| t.replace("recognizer = \"phone\"", "recognizer = \"email\""));
        let mut i = indicator(1, &[TLP_GREEN], "a");
        i["pattern"] = json!(pattern);
        let input = bundle(vec![i.clone()]);
        if let Ok(r) = sekisho::guard::filter(&input, &policy) {
            return Err(proptest::test_runner::TestCaseError::fail(format!("{pattern} crossed: {}", String::from_utf8_lossy(r.output.as_bytes()))));
        }
        let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
        let findings = verifier.verify(&input).unwrap_err();
        proptest::prop_assert!(findings.iter().any(|f| f.rule == "internal-address"), "the verifier misses {pattern}: {findings:?}");
    }
}
