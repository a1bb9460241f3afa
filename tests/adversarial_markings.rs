//! Issue 14: markings and labels that cannot be fooled. Every forbidden marker of the shipped
//! us-to-jpn policy, in every disguise a generator can make of it, at every place a marking can
//! be, releases nothing it marks, by the guard or by the second verifier. Then one named test per
//! class of the issue and per over-block.

mod common;

use common::*;
use proptest::prelude::*;
use sekisho::fuzzing::{self, FORBIDDEN_MARKINGS, Place, check_disguised, disguise};
use sekisho::label::{Code, Label, Releasability, Tlp};
use serde_json::{Value, json};

fn place() -> impl Strategy<Value = Place> {
    prop::sample::select(fuzzing::PLACES)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// No disguised forbidden marking is released, by the guard or by the verifier.
    #[test]
    fn no_disguised_forbidden_marking_is_released(
        marking in 0..FORBIDDEN_MARKINGS.len(),
        hows in prop::collection::vec(any::<u8>(), 1..48),
        place in place(),
    ) {
        prop_assume!(!matches!(place, Place::Text) || fuzzing::in_text_form(FORBIDDEN_MARKINGS[marking]));
        let text = disguise(FORBIDDEN_MARKINGS[marking], &hows);
        check_disguised(&text, place);
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Each disguise alone, on every character (all full-width, all look-alikes, …).
    #[test]
    fn no_uniform_disguise_is_released(
        marking in 0..FORBIDDEN_MARKINGS.len(),
        how in any::<u8>(),
        place in place(),
    ) {
        prop_assume!(!matches!(place, Place::Text) || fuzzing::in_text_form(FORBIDDEN_MARKINGS[marking]));
        let text = disguise(FORBIDDEN_MARKINGS[marking], &[how]);
        check_disguised(&text, place);
    }

    /// Glued to words of a script written without spaces (Japanese, the partner's language):
    /// `本資料はSECRET//NOFORN指定`.
    #[test]
    fn no_marking_glued_to_japanese_is_released(
        marking in 0..FORBIDDEN_MARKINGS.len(),
        hows in prop::collection::vec(any::<u8>(), 1..8),
        before in prop::sample::select(vec!["", "本資料は", "機密区分", "情報:", "これは"]),
        after in prop::sample::select(vec!["", "扱い", "指定", "情報", "のみ", "です"]),
        place in place(),
    ) {
        prop_assume!(!matches!(place, Place::Text) || fuzzing::in_text_form(FORBIDDEN_MARKINGS[marking]));
        let text = format!("{before}{}{after}", disguise(FORBIDDEN_MARKINGS[marking], &hows));
        check_disguised(&text, place);
    }

    /// Written backwards behind a right-to-left override (and disguised as well), so that it is
    /// shown as the marking: `\u{202E}DER:PLT` is shown `TLP:RED`.
    #[test]
    fn no_marking_shown_right_to_left_is_released(
        marking in 0..FORBIDDEN_MARKINGS.len(),
        hows in proptest::collection::vec(any::<u8>(), 1..4),
        place in place(),
        closed in any::<bool>(),
        nested in proptest::option::of((any::<proptest::sample::Index>(), 0..4usize)),
    ) {
        prop_assume!(!matches!(place, Place::Text) || fuzzing::in_text_form(FORBIDDEN_MARKINGS[marking]));
        let mut backwards: Vec<char> = disguise(FORBIDDEN_MARKINGS[marking], &hows).chars().rev().collect();
        // An empty embedding, override or isolate inside the override does not end it.
        if let Some((at, kind)) = nested {
            let pair = [['\u{202A}', '\u{202C}'], ['\u{202D}', '\u{202C}'], ['\u{2066}', '\u{2069}'], ['\u{2067}', '\u{2069}']][kind];
            let at = at.index(backwards.len() + 1);
            backwards.splice(at..at, pair);
        }
        let backwards: String = backwards.into_iter().collect();
        let text = format!("\u{202E}{backwards}{}", if closed { "\u{202C}" } else { "" });
        check_disguised(&text, place);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Adding a marking to a unit never makes it more releasable: for labels that already carry
    /// a TLP (which the policy requires), decide(a ⊓ b) released implies decide(a) released.
    #[test]
    fn adding_a_marking_never_makes_a_unit_more_releasable(
        a in 0..MARKINGS.len(),
        b in 0..MARKINGS.len(),
        tlp in 0..3usize,
    ) {
        let policy = us_to_jpn();
        let green = [TLP_GREEN, TLP_CLEAR, TLP_AMBER][tlp];
        let one = decision(&policy, &[green, &id("marking-definition", a as u32 + 1)]);
        let both = decision(
            &policy,
            &[green, &id("marking-definition", a as u32 + 1), &id("marking-definition", b as u32 + 1)],
        );
        prop_assert!(!both || one, "{} + {} released, {} alone not", MARKINGS[a], MARKINGS[b], MARKINGS[a]);
    }
}

/// Statements for the monotonicity property.
const MARKINGS: &[&str] = &[
    "SECRET",
    "SECRET//REL TO USA, JPN",
    "UNCLASSIFIED//REL TO USA, JPN",
    "UNCLASSIFIED",
    "CONFIDENTIAL//REL TO USA, JPN, GBR",
    "UNCLASSIFIED//REL TO USA, GBR",
    "SECRET//NOFORN",
    "TLP:AMBER+STRICT",
    "TLP:GREEN",
    "Copyright 2026 Example Corp.",
    "(S//REL TO USA, JPN)",
    "TOP SECRET//REL TO USA, JPN",
];

/// Whether an indicator with these markings (all of [`MARKINGS`] defined) is released.
fn decision(policy: &sekisho::policy::Policy, refs: &[&str]) -> bool {
    let mut objects: Vec<Value> = MARKINGS
        .iter()
        .enumerate()
        .map(|(n, m)| statement(n as u32 + 1, m))
        .collect();
    objects.push(indicator(100, refs, "CANARY"));
    match run(policy, objects) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"),
        Err(_) => false,
    }
}

fn canary_crosses(objects: Vec<Value>) -> bool {
    match run(&us_to_jpn(), objects) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"),
        Err(_) => false,
    }
}

fn verifier_accepts(objects: Vec<Value>) -> bool {
    sekisho::verifier::verify(&bundle(objects), &us_to_jpn()).is_ok()
}

/// The rule that decided about `unit` (any verdict other than keep), for messages.
fn rule_of(objects: Vec<Value>, unit: &str) -> Option<String> {
    let r = match run(&us_to_jpn(), objects) {
        Ok(r) => r.report,
        Err(e) => e.report,
    };
    r.decisions
        .iter()
        .find(|d| d.unit == unit && serde_json::to_value(d.verdict).unwrap() != "keep")
        .map(|d| d.rule.to_string())
}

const MD1: u32 = 1;

fn md(n: u32) -> String {
    id("marking-definition", n)
}

//--- class 1: disguised banners and TLP names
#[test]
fn class1_full_width_invisible_and_look_alike_banners_are_denied() {
    for text in [
        "ＳＥＣＲＥＴ／／ＮＯＦＯＲＮ",
        "SE\u{200B}CRET//NO\u{2060}FORN",
        "S\u{0415}CRET//N\u{041E}FORN",
        "TLP:\u{0410}MBER+STRICT",
        "TLP\u{FF1A}RED",
        "S E C R E T",
    ] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects.clone()), "{text}");
        assert!(!verifier_accepts(objects.clone()), "{text}");
        assert_eq!(
            rule_of(objects, &id("indicator", 2)).as_deref(),
            Some("marking-unreadable"),
            "{text}"
        );
    }
    // Free text that mentions no marking stays informative.
    let objects = vec![
        statement(MD1, "Copyright (c) Stark Industries 2017."),
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
    ];
    assert!(canary_crosses(objects.clone()));
    assert!(verifier_accepts(objects));
}

#[test]
fn class1_portion_form_is_read() {
    let objects = vec![
        statement(MD1, "(S//REL TO USA, JPN)"),
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
    ];
    assert!(canary_crosses(objects.clone()));
    assert!(verifier_accepts(objects));
    let objects = vec![
        statement(MD1, "(S//NF)"),
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
    ];
    assert!(!canary_crosses(objects.clone()));
    assert!(!verifier_accepts(objects));
}

/// A `REL TO` list naming a code no table knows is not understood by either reader (s40: the
/// verifier read codes by their form only); known codes in the register's order go.
#[test]
fn class1_unknown_rel_to_codes_are_denied() {
    for text in [
        "UNCLASSIFIED//REL TO USA, JPN, XYZ",
        "(S//REL TO USA, JPN, XKX)",
        "SECRET//REL TO USA, JPN, ZZZZ",
    ] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects.clone()), "{text}");
        assert!(!verifier_accepts(objects), "{text}");
    }
    for text in ["(S//REL TO USA, GBR, JPN)", "SECRET//REL TO USA, JPN, NATO"] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(canary_crosses(objects.clone()), "{text}");
        assert!(verifier_accepts(objects), "{text}");
    }
}

//--- class 2: combining markings never borrows REL TO
#[test]
fn class2_secret_and_unclassified_rel_to_do_not_combine_into_secret_rel_to() {
    let objects = vec![
        statement(1, "SECRET"),
        statement(2, "UNCLASSIFIED//REL TO USA, JPN"),
        indicator(3, &[TLP_GREEN, &md(1), &md(2)], "CANARY"),
    ];
    assert!(!canary_crosses(objects.clone()));
    assert!(!verifier_accepts(objects));
}

#[test]
fn combination_is_a_meet() {
    let policy = us_to_jpn();
    let jpn = Code::parse("JPN").unwrap();
    let a = Label {
        releasable_to: Releasability::To(sekisho::label::RelTo::new([jpn, Code::parse("USA").unwrap()]).unwrap()),
        tlp: Some(Tlp::Green),
        ..Label::default()
    };
    let b = Label {
        releasable_to: Releasability::To(sekisho::label::RelTo::new([Code::parse("GBR").unwrap()]).unwrap()),
        tlp: Some(Tlp::Red),
        ..Label::default()
    };
    let m = a.combine(&b, &policy.schemes).unwrap();
    assert_eq!(m.releasable_to, Releasability::Nobody);
    assert_eq!(m.tlp, Some(Tlp::Red));
}

//--- class 3: ACS 3.0 read strictly
fn acs(control_set: Value, extra: Value) -> Value {
    let mut ext = json!({"extension_type": "property-extension", "identifier": "isa:guide.19001.ACS3-x",
        "create_date_time": "2024-01-01T00:00:00Z", "responsible_entity_custodian": "USA.DHS",
        "policy_reference": "urn:isa:policy:acs:ns:v3.0?privdefault=permit&sharedefault=permit",
        "control_set": control_set});
    if let (Some(e), Some(x)) = (ext.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            e.insert(k.clone(), v.clone());
        }
    }
    json!({"type": "marking-definition", "spec_version": "2.1", "id": md(MD1),
           "created": "2024-01-01T00:00:00Z",
           "extensions": {"extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce": ext}})
}

#[test]
fn class3_acs_string_where_a_list_is_due_denies() {
    let def = acs(json!({"classification": "U", "formal_determination": "NF"}), json!({}));
    let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
    assert!(!canary_crosses(objects.clone()));
    assert_eq!(rule_of(objects, &id("indicator", 2)).as_deref(), Some("acs-marking"));
}

#[test]
fn class3_acs_further_sharing_deny_wins() {
    let def = acs(
        json!({"classification": "U"}),
        json!({"further_sharing": [
            {"rule_effect": "permit", "sharing_scope": ["USA", "JPN"]},
            {"rule_effect": "deny", "sharing_scope": ["JPN"]}]}),
    );
    let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
    assert!(!canary_crosses(objects));
    // The permit alone goes.
    let def = acs(
        json!({"classification": "U"}),
        json!({"further_sharing": [{"rule_effect": "permit", "sharing_scope": ["USA", "JPN"]}]}),
    );
    assert!(canary_crosses(vec![
        def,
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")
    ]));
}

#[test]
fn class3_acs_unknown_fields_and_values_deny() {
    for (cs, extra) in [
        (json!({"classification": "U", "x_anything": ["A"]}), json!({})),
        (json!({"classification": "U"}), json!({"unknown_field": "x"})),
        (
            json!({"classification": "U", "formal_determination": ["MADE-UP"]}),
            json!({}),
        ),
        (json!({"classification": "U", "sensitivity": ["PII"]}), json!({})),
        (json!({"classification": "U", "caveat": ["SOMETHING"]}), json!({})),
    ] {
        let objects = vec![acs(cs.clone(), extra), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects), "{cs}");
    }
}

#[test]
fn class3_acs_statement_and_extension_are_both_read() {
    let mut def = acs(
        json!({"classification": "U", "formal_determination": ["NF"]}),
        json!({}),
    );
    def["definition_type"] = json!("statement");
    def["definition"] = json!({"statement": "UNCLASSIFIED//REL TO USA, JPN"});
    let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
    assert!(!canary_crosses(objects.clone()));
    assert!(!verifier_accepts(objects));
}

#[test]
fn class3_acs_two_control_sets_deny() {
    let mut def = acs(json!({"classification": "U"}), json!({}));
    def["extensions"]["extension-definition--00000000-0000-4000-8000-0000000000ac"] = json!({"extension_type": "property-extension", "control_set": {"classification": "U", "formal_determination": ["NF"]}});
    let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
    assert!(!canary_crosses(objects.clone()));
    assert_eq!(rule_of(objects, &id("indicator", 2)).as_deref(), Some("acs-marking"));
}

//--- class 4: definitions that claim to be TLP
#[test]
fn class4_a_name_never_grants() {
    for name in ["TLP:AMBER+STRICT", "SECRET//NOFORN", "TLP:RED", "ＴＬＰ：ＲＥＤ"] {
        let mut def = statement(MD1, "Copyright 2026 Example Corp.");
        def["name"] = json!(name);
        let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects.clone()), "{name}");
        assert!(!verifier_accepts(objects), "{name}");
    }
    // A name that says TLP:GREEN does not make an unmarked indicator releasable either.
    let mut def = statement(MD1, "UNCLASSIFIED");
    def["name"] = json!("TLP:GREEN");
    let objects = vec![def, indicator(2, &[&md(MD1)], "CANARY")];
    assert!(!canary_crosses(objects.clone()));
    assert!(!verifier_accepts(objects));
}

#[test]
fn class4_reserved_tlp_id_with_another_body_denies_and_is_not_shipped() {
    let bodies = [
        json!({"type": "marking-definition", "spec_version": "2.1", "id": TLP_GREEN,
               "created": "2022-10-01T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:GREEN",
               "definition": {"tlp": "red"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": TLP_GREEN,
               "created": "2022-10-01T00:00:00.000Z", "definition_type": "statement",
               "definition": {"statement": "SECRET//NOFORN"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": TLP1_WHITE,
               "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE",
               "definition": {"tlp": "white"},
               "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                   {"extension_type": "property-extension", "tlp_2_0": "red"}}}),
    ];
    for def in bodies {
        let tlp = def["id"].as_str().unwrap().to_string();
        let objects = vec![def.clone(), indicator(2, &[&tlp], "CANARY")];
        if let Ok(r) = run(&us_to_jpn(), objects.clone()) {
            let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
            assert!(!out.contains("CANARY") && !out.contains(&tlp), "{def}");
        }
        assert!(!verifier_accepts(objects), "{def}");
    }
    // The published body goes.
    let published = json!({"type": "marking-definition", "spec_version": "2.1", "id": TLP_GREEN,
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:GREEN",
        "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
            {"extension_type": "property-extension", "tlp_2_0": "green"}}});
    let objects = vec![published, indicator(2, &[TLP_GREEN], "CANARY")];
    assert!(canary_crosses(objects.clone()));
    assert!(verifier_accepts(objects));
}

#[test]
fn class4_a_definition_with_a_property_it_may_not_have_is_invalid() {
    let mut def = statement(MD1, "UNCLASSIFIED");
    def["labels"] = json!(["x"]);
    let objects = vec![def, indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
    if let Some(rule) = rule_of(objects.clone(), &id("indicator", 2)) {
        assert_ne!(rule, "releasable");
    }
    assert!(!canary_crosses(objects));
}

//--- class 5: two definitions with one id
#[test]
fn class5_two_definitions_with_one_id_reject_the_message() {
    let mut second = statement(MD1, "SECRET//NOFORN");
    second["created"] = json!("2020-01-02T00:00:00.000Z");
    let objects = vec![
        statement(MD1, "UNCLASSIFIED"),
        second,
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
    ];
    assert!(run(&us_to_jpn(), objects).is_err());
    // With a `modified`, the second reads as a newer version to the bundle grammar: still one id.
    let mut newer = statement(MD1, "SECRET//NOFORN");
    newer["modified"] = json!("2020-01-02T00:00:00.000Z");
    let objects = vec![
        statement(MD1, "UNCLASSIFIED"),
        newer,
        indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
    ];
    let e = run(&us_to_jpn(), objects).map(|_| ()).unwrap_err();
    assert_eq!(e.reasons.first().map(|r| r.rule.as_str()), Some("duplicate-definition"));
}

//--- class 6: versions
#[test]
fn class6_the_strictest_version_applies_to_every_version() {
    let old = indicator(2, &[TLP_GREEN], "CANARY old");
    let mut new = indicator(2, &[TLP_RED], "CANARY new");
    new["modified"] = json!("2021-01-01T00:00:00.000Z");
    assert!(!canary_crosses(vec![old.clone(), new.clone()]));
    assert!(!canary_crosses(vec![new, old]));
}

//--- class 7: STANAG 4774 labels (see tests/xml.rs for the XML cases)

//--- over-blocks
#[test]
fn overblock_a_granular_marking_on_object_marking_refs_denies_only_that_object() {
    let mut marked = indicator(2, &[TLP_GREEN], "CANARY");
    marked["granular_markings"] = json!([{"selectors": ["object_marking_refs.[0]"], "marking_ref": TLP_RED}]);
    let other = indicator(3, &[TLP_GREEN], "other text");
    let released = run(&us_to_jpn(), vec![marked, other]).expect("the message still goes");
    let out = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
    assert!(!out.contains("CANARY") && out.contains("other text"), "{out}");
    assert_eq!(
        rule_for(&released.report, &id("indicator", 2), "drop").as_deref(),
        Some("granular-marking-selector")
    );
}

#[test]
fn overblock_a_selector_that_no_longer_resolves_is_dropped_not_fatal() {
    let mut o = report(2, &[TLP_GREEN], &[id("indicator", 3), id("indicator", 4)]);
    o["labels"] = json!(["secret-stuff"]);
    o["granular_markings"] = json!([
        {"selectors": ["labels.[0]"], "marking_ref": TLP_RED},
        {"selectors": ["labels"], "marking_ref": TLP_CLEAR}
    ]);
    let objects = vec![o, indicator(3, &[TLP_GREEN], "a"), indicator(4, &[TLP_GREEN], "b")];
    let (out, _) = released(&us_to_jpn(), objects);
    assert!(ids(&out).contains(&id("report", 2)), "{out}");
    assert!(!out.to_string().contains("secret-stuff"));
}

#[test]
fn overblock_two_acs_control_sets_in_any_key_order_decide_the_same() {
    let sets = [
        json!({"classification": "U", "formal_determination": ["FOUO"]}),
        json!({"formal_determination": ["FOUO"], "classification": "U"}),
    ];
    let mut rules = Vec::new();
    for cs in sets {
        let mut def = acs(cs.clone(), json!({}));
        def["extensions"]["extension-definition--00000000-0000-4000-8000-0000000000ac"] =
            json!({"extension_type": "property-extension", "control_set": cs});
        let objects = vec![
            def,
            indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY"),
            indicator(3, &[TLP_GREEN], "x"),
        ];
        // The message is decided (not rejected as unstable), the same way each time.
        let released = run(&us_to_jpn(), objects).expect("decided, not unstable");
        rules.push(rule_for(&released.report, &id("indicator", 2), "drop"));
    }
    assert_eq!(rules[0], rules[1]);
    assert_eq!(rules[0].as_deref(), Some("acs-marking"));
}

//--- the fuzz target's property holds on its seeds
#[test]
fn fuzz_property_holds_on_plain_forbidden_markings() {
    for m in FORBIDDEN_MARKINGS {
        for &place in fuzzing::PLACES {
            if matches!(place, Place::Text) && !fuzzing::in_text_form(m) {
                continue;
            }
            fuzzing::check_disguised(m, place);
        }
    }
}

//--- class 7: STANAG 4774 labels
fn cap_message(edit: &dyn Fn(String) -> String) -> Vec<u8> {
    let p = policies().join("us-to-jpn/tests/xml-cap-nato-unclassified-rel-jpn.xml");
    edit(std::fs::read_to_string(p).unwrap()).into_bytes()
}

/// Whether the guard releases the edited message, and whether the verifier passes the guard's
/// output of the unedited message with the same edit (the label is kept as written).
fn xml_edited(edit: impl Fn(String) -> String) -> (bool, bool) {
    let policy = us_to_jpn();
    let guard = sekisho::guard::filter(&cap_message(&edit), &policy).is_ok();
    let out = sekisho::guard::filter(&cap_message(&|s| s), &policy).expect("the unedited message goes");
    let edited = edit(String::from_utf8(out.output.into_bytes()).unwrap());
    let verifier = sekisho::verifier::verify(edited.as_bytes(), &policy).is_ok();
    (guard, verifier)
}

#[test]
fn class7_the_unedited_message_goes() {
    assert_eq!(xml_edited(|s| s), (true, true));
}

#[test]
fn class7_policy_identifier_uri_naming_another_policy_denies() {
    for uri in [
        "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:EU",
        "urn:example:other-policy",
    ] {
        let edit = |s: String| s.replace("urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO", uri);
        assert_eq!(xml_edited(edit), (false, false), "{uri}");
    }
    // NATO's OID names NATO.
    let edit = |s: String| {
        s.replace(
            "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO",
            "urn:oid:1.3.26.1.3.1",
        )
    };
    assert_eq!(xml_edited(edit), (true, true));
}

#[test]
fn class7_releasable_to_category_of_another_type_denies() {
    for (name, kind) in [
        ("Releasable to", "INFORMATIVE"),
        ("Releasable to", "RESTRICTIVE"),
        ("Releasable\u{200B} to", "PERMISSIVE"),
        ("RELEASABLE TO", "INFORMATIVE"),
    ] {
        let edit = |s: String| {
            s.replace(
                "<slab:Category TagName=\"Releasable to\" Type=\"PERMISSIVE\"><slab:GenericValue>NATO</slab:GenericValue><slab:GenericValue>JPN</slab:GenericValue></slab:Category>",
                &format!("<slab:Category TagName=\"{name}\" Type=\"{kind}\"><slab:GenericValue>GBR</slab:GenericValue></slab:Category>"),
            )
        };
        assert_eq!(xml_edited(edit), (false, false), "{name} {kind}");
    }
}

#[test]
fn class7_free_text_in_a_label_passes_the_text_rules_in_guard_and_verifier() {
    let edits: [fn(String) -> String; 3] = [
        |s| {
            s.replace(
                "<slab:GenericValue>JPN</slab:GenericValue>",
                "<slab:GenericValue>JPN</slab:GenericValue><slab:GenericValue>Operation NIGHTJAR</slab:GenericValue>",
            )
        },
        |s| {
            s.replace(
                "</slab:Classification>",
                "</slab:Classification><slab:PrivacyMark>Project BLUEBIRD</slab:PrivacyMark>",
            )
        },
        |s| {
            s.replace(
                "TagName=\"Releasable to\" Type=\"PERMISSIVE\">",
                "TagName=\"Releasable to\" Type=\"PERMISSIVE\" URI=\"urn:example:SOURCE CASTELLAN\">",
            )
        },
    ];
    for (n, edit) in edits.into_iter().enumerate() {
        let (guard, verifier) = xml_edited(edit);
        assert!(!guard, "edit {n}: the guard released it");
        assert!(!verifier, "edit {n}: the verifier accepted it");
    }
}

//--- the other direction: the Japanese side's words, in a sentence and in disguise
#[test]
fn jpn_to_us_level_words_in_sentences_and_disguise_are_read() {
    let policy = jpn_to_us();
    for text in ["この情報は極秘です", "ＧＯＫＵＨＩ//NOFORN", "KIMITSU", "機\u{200B}密"] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        let crossed = match run(&policy, objects.clone()) {
            Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"),
            Err(_) => false,
        };
        assert!(!crossed, "{text}");
        assert!(sekisho::verifier::verify(&bundle(objects), &policy).is_err(), "{text}");
    }
}

//--- markings carried by embedded observed-data objects (red team, session 30)
fn observed_with(entry: Value) -> Value {
    json!({"type": "observed-data", "spec_version": "2.1", "id": id("observed-data", 3),
           "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
           "first_observed": "2026-01-01T00:00:00Z", "last_observed": "2026-01-01T00:00:00Z",
           "number_observed": 1, "object_marking_refs": [TLP_GREEN],
           "objects": {"0": entry, "1": {"type": "ipv4-addr", "value": "198.51.100.7"}}})
}

#[test]
fn an_embedded_object_with_markings_of_its_own_does_not_go() {
    let noforn = statement(MD1, "SECRET//NOFORN");
    for entry in [
        json!({"type": "domain-name", "value": "CANARY-noforn.example", "object_marking_refs": [md(MD1)]}),
        json!({"type": "domain-name", "value": "CANARY-red.example", "object_marking_refs": [TLP_RED]}),
        json!({"type": "domain-name", "value": "CANARY-granular.example",
               "granular_markings": [{"selectors": ["value"], "marking_ref": TLP_RED}]}),
    ] {
        let objects = vec![noforn.clone(), observed_with(entry.clone())];
        assert!(!canary_crosses(objects.clone()), "{entry}");
        let unit = format!("{}/objects/0", id("observed-data", 3));
        assert_eq!(rule_of(objects.clone(), &unit).as_deref(), Some("embedded-marking"));
        // The rest of the observed-data goes, and the definition it named does not.
        let (out, _) = released(&us_to_jpn(), objects.clone());
        assert!(out.to_string().contains("198.51.100.7"));
        assert!(!ids(&out).contains(&md(MD1)), "{out}");
        // The second verifier refuses such an output on its own.
        assert!(!verifier_accepts(objects), "{entry}");
    }
}

//--- the ACS marking's own name is what a reader is shown (red team, session 30)
#[test]
fn class3_acs_name_is_read_as_a_marking_and_only_tightens() {
    let sharing = json!({"further_sharing": [{"rule_effect": "permit", "sharing_scope": ["USA", "JPN"]}]});
    let named = |name: &str| {
        let mut extra = sharing.clone();
        extra["name"] = json!(name);
        acs(json!({"classification": "U"}), extra)
    };
    for name in ["TOP SECRET//NOFORN", "UNCLASSIFIED//NOFORN", "TLP:RED", "S3CRET"] {
        let objects = vec![named(name), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects), "{name}");
    }
    // A name that is a marking which may go, or free text a pattern of `stix.free_statements`
    // lets go, changes nothing; other free text is held (red team round 3, SA01d).
    for name in ["Copyright 2024", "UNCLASSIFIED//REL TO USA, JPN"] {
        let objects = vec![named(name), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(canary_crosses(objects), "{name}");
    }
    for name in ["ACS marking of the example feed", "USA ONLY"] {
        let objects = vec![named(name), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects), "{name}");
    }
}

//--- markings written in the text of an object (design principle 9; red team, session 30)
#[test]
fn a_marking_written_in_the_text_is_the_objects_marking() {
    for (text, goes) in [
        ("(S//NF) CANARY source reports", false),
        ("This report is SECRET//NOFORN. CANARY", false),
        ("CANARY, shared TLP:RED", false),
        ("(TS) CANARY", false),
        ("(S)\nCANARY", false),
        ("UNCLASSIFIED//REL TO USA, JPN\nCANARY as reported", true),
        ("(U) CANARY", true),
        ("CANARY, TLP:GREEN", true),
        ("CANARY at https://example.com//x, copyright (c) 2020", true),
    ] {
        let objects = vec![indicator(2, &[TLP_GREEN], text)];
        assert_eq!(canary_crosses(objects.clone()), goes, "{text}");
        if !goes {
            let r = match run(&us_to_jpn(), objects.clone()) {
                Ok(r) => r.report,
                Err(e) => e.report,
            };
            assert!(r.decisions.iter().any(|d| d.rule == "marking-in-text"), "{text}");
        }
        // The second verifier reads the same markings, with its own code.
        assert_eq!(verifier_accepts(objects), goes, "verifier: {text}");
    }
}

//--- found in session 31: a sign after a marking word (read as a letter by the mention test:
//--- `SECRET!` was `secreti`) made the statement free text, and the object crossed as unmarked.
#[test]
fn a_sign_after_a_marking_word_does_not_hide_the_marking() {
    for text in [
        "SECRET!",
        "NOFORN!",
        "SECRET$",
        "NOFORN|",
        "SECRET@",
        "SECRET\u{20AC}",
        "!SECRET!",
    ] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects.clone()), "{text}");
        assert_eq!(
            rule_of(objects, &id("indicator", 2)).as_deref(),
            Some("marking-unreadable"),
            "{text}"
        );
    }
    // A sign inside a word is still read as the letter it stands for.
    for text in ["CONF!DENTIAL", "$ECRET", "SECR\u{20AC}T"] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        assert!(!canary_crosses(objects), "{text}");
    }
}

/// What the second verifier (its own code, not changed here) says of the same statements: shown
/// for the lead, not asserted.
#[test]
fn the_verifier_on_a_sign_after_a_marking_word() {
    for text in [
        "SECRET!",
        "NOFORN!",
        "SECRET$",
        "NOFORN|",
        "SECRET@",
        "SECRET\u{20AC}",
        "!SECRET!",
    ] {
        let objects = vec![statement(MD1, text), indicator(2, &[TLP_GREEN, &md(MD1)], "CANARY")];
        eprintln!("verifier on {text:?}: accepts = {}", verifier_accepts(objects));
    }
}
