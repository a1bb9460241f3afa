use super::*;

fn policy() -> Policy {
    Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
}

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

fn bundle(objects: &str) -> Vec<u8> {
    format!(r#"{{"id":"bundle--11111111-1111-4111-8111-111111111111","objects":[{objects}],"type":"bundle"}}"#)
        .into_bytes()
}

fn malware(marking: &str, extra: &str) -> String {
    format!(
        r#"{{"created":"2024-01-01T00:00:00.000Z","id":"malware--22222222-2222-4222-8222-222222222222","is_family":true,"modified":"2024-01-01T00:00:00.000Z","name":"x","object_marking_refs":["{marking}"],"spec_version":"2.1","type":"malware"{extra}}}"#
    )
}

fn rules(r: Result<(), Vec<Finding>>) -> Vec<String> {
    r.err().unwrap_or_default().into_iter().map(|f| f.rule).collect()
}

#[test]
fn passes_a_releasable_bundle() {
    assert_eq!(verify(&bundle(&malware(GREEN, "")), &policy()), Ok(()));
}

#[test]
fn fails_a_tlp_red_object() {
    assert_eq!(rules(verify(&bundle(&malware(RED, "")), &policy())), ["label"]);
}

#[test]
fn fails_duplicate_keys() {
    let b = bundle(&malware(GREEN, r#","name":"y""#));
    assert_eq!(rules(verify(&b, &policy())), ["json"]);
}

#[test]
fn fails_a_dangling_reference() {
    let b = bundle(&malware(
        GREEN,
        r#","created_by_ref":"identity--33333333-3333-4333-8333-333333333333""#,
    ));
    assert_eq!(rules(verify(&b, &policy())), ["dangling-reference"]);
}

#[test]
fn fails_an_unnamed_custom_property() {
    let b = bundle(&malware(GREEN, r#","x_secret":"a""#));
    assert_eq!(rules(verify(&b, &policy())), ["property"]);
}

#[test]
fn fails_a_remaining_email_address() {
    let b = bundle(&malware(GREEN, r#","description":"mail bob@example.com""#));
    assert_eq!(rules(verify(&b, &policy())), ["text-rule"]);
}

#[test]
fn fails_a_banner_with_noforn() {
    let def = r#"{"created":"2024-01-01T00:00:00.000Z","definition":{"statement":"SECRET//NOFORN"},"definition_type":"statement","id":"marking-definition--44444444-4444-4444-8444-444444444444","spec_version":"2.1","type":"marking-definition"}"#;
    let m = malware(GREEN, "").replace(
        &format!(r#"["{GREEN}"]"#),
        &format!(r#"["{GREEN}","marking-definition--44444444-4444-4444-8444-444444444444"]"#),
    );
    let r = rules(verify(&bundle(&format!("{m},{def}")), &policy()));
    assert!(r.contains(&"label".to_string()), "{r:?}");
}

#[test]
fn fails_an_internal_address_in_a_pattern() {
    let ind = format!(
        r#"{{"created":"2024-01-01T00:00:00.000Z","id":"indicator--55555555-5555-4555-8555-555555555555","modified":"2024-01-01T00:00:00.000Z","object_marking_refs":["{GREEN}"],"pattern":"[ipv4-addr:value = '10.2.3.4']","pattern_type":"stix","spec_version":"2.1","type":"indicator","valid_from":"2024-01-01T00:00:00Z"}}"#
    );
    assert_eq!(rules(verify(&bundle(&ind), &policy())), ["internal-address"]);
}

#[test]
fn fails_anything_but_a_bundle() {
    assert_eq!(rules(verify(b"[1]", &policy())), ["shape"]);
    // XML is read by the XML path: a bare element is not a labelled message.
    assert_eq!(rules(verify(b"<x/>", &policy())), ["label-missing"]);
    assert_eq!(rules(verify(b"x", &policy())), ["json"]);
}

fn with_banner(banner: &str) -> Vec<u8> {
    let def = format!(
        r#"{{"created":"2024-01-01T00:00:00.000Z","definition":{{"statement":"{banner}"}},"definition_type":"statement","id":"marking-definition--44444444-4444-4444-8444-444444444444","spec_version":"2.1","type":"marking-definition"}}"#
    );
    let m = malware(GREEN, "").replace(
        &format!(r#"["{GREEN}"]"#),
        &format!(r#"["{GREEN}","marking-definition--44444444-4444-4444-8444-444444444444"]"#),
    );
    bundle(&format!("{m},{def}"))
}

#[test]
fn reads_another_scheme_through_the_policy_equivalence() {
    let jpn_to_us =
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/jpn-to-us.toml")).unwrap();
    // US SECRET is JP GOKUHI, the ceiling; US TOP SECRET is above it.
    assert_eq!(verify(&with_banner("SECRET//REL TO USA, JPN"), &jpn_to_us), Ok(()));
    assert_eq!(
        rules(verify(&with_banner("TOP SECRET//REL TO USA, JPN"), &jpn_to_us)),
        ["label"]
    );
    assert_eq!(
        rules(verify(&with_banner("SECRET//REL TO JPN"), &jpn_to_us)),
        ["label", "label"]
    );
}

#[test]
fn passes_a_classified_unit_releasable_to_the_partner_and_fails_one_that_is_not() {
    assert_eq!(verify(&with_banner("SECRET//REL TO USA, JPN"), &policy()), Ok(()));
    assert!(verify(&with_banner("TOP SECRET//REL TO USA, JPN"), &policy()).is_err());
    assert!(verify(&with_banner("CONFIDENTIAL"), &policy()).is_err());
}
