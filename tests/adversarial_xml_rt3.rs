//! Red team round 3 (helper b), the XML families: each reproducer form, generators over the
//! disguise, and the benign neighbours that must still go, judged by the guard and by the
//! independent verifier (on the guard's output of the plain message, edited the same way).

mod common;

use common::us_to_jpn;
use common::xml_fixture as fixture;
use common::{CAP_FIXTURE as CAP, IODEF_FIXTURE as IODEF};
use proptest::prelude::*;
use sekisho::guard;
use sekisho::policy::Policy;

/// Whether the guard releases `base` edited by `edit` (the edit must change it).
fn guard_goes(base: &str, edit: &dyn Fn(&str) -> String, policy: &Policy) -> bool {
    let plain = fixture(base);
    let m = edit(&plain);
    assert_ne!(m, plain, "the edit changed nothing");
    guard::filter(m.as_bytes(), policy).is_ok()
}

/// Whether the verifier passes the guard's output of the plain `base` edited by `edit`.
fn verifier_goes(base: &str, edit: &dyn Fn(&str) -> String, policy: &Policy) -> bool {
    let out = match guard::filter(fixture(base).as_bytes(), policy) {
        Ok(r) => String::from_utf8(r.output.as_bytes().to_vec()).unwrap(),
        Err(e) => panic!("the plain {base} is held: {:?}", e.reasons),
    };
    let edited = edit(&out);
    assert_ne!(edited, out, "the edit changed nothing in the output");
    sekisho::verifier::verify(edited.as_bytes(), policy).is_ok()
}

/// Both judges agree that `base` edited by `edit` goes (`true`) or is held.
fn both(base: &str, edit: &dyn Fn(&str) -> String, goes: bool, what: &str) {
    let p = us_to_jpn();
    assert_eq!(guard_goes(base, edit, &p), goes, "guard: {what}");
    assert_eq!(verifier_goes(base, edit, &p), goes, "verifier: {what}");
}

/// `s` with `from` replaced by `to`, once (it must be there).
fn swap(s: &str, from: &str, to: &str) -> String {
    assert!(s.contains(from), "`{from}` not in {s}");
    s.replacen(from, to, 1)
}

fn xml_escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

//--- SB03, SB02: IODEF restriction absent (its default, `private`) or in the IODEF namespace

#[test]
fn sb03_an_incident_without_restriction_has_its_default_private_and_is_held() {
    both(
        IODEF,
        &|s| swap(s, " restriction=\"green\"", ""),
        false,
        "no restriction",
    );
    // With one that goes, it goes; one on an inner element does not stand for the incident's.
    both(
        IODEF,
        &|s| swap(s, "restriction=\"green\"", "restriction=\"amber\""),
        true,
        "amber",
    );
    both(
        IODEF,
        &|s| {
            swap(
                &swap(s, " restriction=\"green\"", ""),
                "<IncidentID name",
                "<IncidentID restriction=\"green\" name",
            )
        },
        false,
        "inner restriction only",
    );
}

#[test]
fn sb02_an_iodef_restriction_in_the_iodef_namespace_is_read() {
    let ns = "xmlns:i=\"urn:ietf:params:xml:ns:iodef-2.0\"";
    for (attrs, goes) in [
        (format!("{ns} i:restriction=\"private\""), false),
        (format!("restriction=\"green\" {ns} i:restriction=\"red\""), false),
        (format!("restriction=\"green\" {ns} i:restriction=\"green\""), true),
        (format!("restriction=\"green\" {ns} i:ext-restriction=\"x\""), false),
    ] {
        let p = us_to_jpn();
        let edit = |s: &str| swap(s, "restriction=\"green\"", &attrs);
        assert_eq!(guard_goes(IODEF, &edit, &p), goes, "guard: {attrs}");
    }
    // The verifier reads a prefixed one too (the guard renames prefixes to `nsN`).
    let p = us_to_jpn();
    for (v, goes) in [("private", false), ("red", false), ("green", true)] {
        let edit = |s: &str| {
            swap(
                s,
                "restriction=\"green\"",
                &format!(
                    "restriction=\"green\" xmlns:ns9=\"urn:ietf:params:xml:ns:iodef-2.0\" ns9:restriction=\"{v}\""
                ),
            )
        };
        let out = match guard::filter(fixture(IODEF).as_bytes(), &p) {
            Ok(r) => String::from_utf8(r.output.as_bytes().to_vec()).unwrap(),
            Err(e) => panic!("{:?}", e.reasons),
        };
        let findings = sekisho::verifier::verify(edit(&out).as_bytes(), &p)
            .err()
            .unwrap_or_default();
        assert_eq!(
            findings.iter().any(|f| f.rule == "payload-restriction"),
            !goes,
            "verifier: {v}: {findings:?}"
        );
    }
}

//--- SB01: CAP restriction (and the other handling elements) are text only

#[test]
fn sb01_a_cap_restriction_with_a_child_element_is_held() {
    for with in [
        "<restriction>Partner CERTs<note>US agencies only</note></restriction>",
        "<restriction><description>Not for foreign release</description>Partner CERTs</restriction>",
        "<restriction>Partner CERTs<note>x</note></restriction>",
        "<restriction>Partner CERTs<restriction>Partner CERTs</restriction></restriction>",
    ] {
        let edit = |s: &str| {
            swap(
                s,
                "<restriction>Partner CERTs under the bilateral sharing agreement</restriction>",
                with,
            )
        };
        both(CAP, &edit, false, with);
    }
    // The plain restriction goes.
    both(
        CAP,
        &|s| {
            swap(
                s,
                "<restriction>Partner CERTs under the bilateral sharing agreement</restriction>",
                "<restriction>Partner CERTs</restriction>",
            )
        },
        true,
        "plain",
    );
}

//--- SB15: a Restricted alert names to whom; one scope

#[test]
fn sb15_a_restricted_alert_without_restriction_or_with_two_scopes_is_held() {
    let r = "<restriction>Partner CERTs under the bilateral sharing agreement</restriction>";
    both(CAP, &|s| swap(s, r, ""), false, "Restricted without restriction");
    both(
        CAP,
        &|s| swap(&swap(s, r, ""), "<scope>Restricted</scope>", "<scope>Public</scope>"),
        true,
        "Public without restriction",
    );
    // CAP 1.2 requires a scope: an alert without one is not read as Public, with or without
    // a restriction.
    both(
        CAP,
        &|s| swap(&swap(s, r, ""), "<scope>Restricted</scope>", ""),
        false,
        "no scope",
    );
    both(
        CAP,
        &|s| {
            swap(
                swap(s, r, "<restriction>US agencies only</restriction>").as_str(),
                "<scope>Restricted</scope>",
                "",
            )
        },
        false,
        "no scope, a restriction",
    );
    both(
        CAP,
        &|s| {
            swap(
                s,
                "<scope>Restricted</scope>",
                "<scope>Public</scope><scope>Restricted</scope>",
            )
        },
        false,
        "two scopes",
    );
}

//--- SB12: markings in code, audience, and name/value pairs

fn in_info(extra: &str) -> impl Fn(&str) -> String + '_ {
    move |s: &str| {
        swap(
            s,
            "<certainty>Observed</certainty>",
            &format!("<certainty>Observed</certainty>{extra}"),
        )
    }
}

#[test]
fn sb12_markings_in_cap_code_audience_and_name_value_pairs_are_read() {
    let held = [
        "<code>NF</code>",
        "<code>NOFORN</code>",
        "<code>US ONLY</code>",
        "<code>TLP:RED</code>",
        "<audience>US ONLY</audience>",
        "<audience>US federal agencies; not for foreign release</audience>",
        "<parameter><valueName>TLP</valueName><value>RED</value></parameter>",
        "<parameter><valueName>tlp</valueName><value>TLP:RED</value></parameter>",
        "<parameter><valueName>Traffic Light Protocol</valueName><value>AMBER+STRICT</value></parameter>",
        "<parameter><valueName>TLP</valueName><value>PURPLE</value></parameter>",
        "<eventCode><valueName>TLP</valueName><value>RED</value></eventCode>",
        "<parameter><valueName>releasability</valueName><value>USA</value></parameter>",
        "<parameter><valueName>classification</valueName><value>SECRET</value></parameter>",
        "<parameter><valueName>classification</valueName><value>whatever</value></parameter>",
        "<parameter><valueName>Caveats</valueName><value>OC</value></parameter>",
        "<parameter><valueName>TLP</valueName><value>RED<note>x</note></value></parameter>",
        // The name disguised: full width, full stops, an invisible, Cyrillic letters, a reference.
        "<parameter><valueName>ＴＬＰ</valueName><value>RED</value></parameter>",
        "<parameter><valueName>T.L.P.</valueName><value>RED</value></parameter>",
        "<parameter><valueName>T\u{200B}LP</valueName><value>RED</value></parameter>",
        "<parameter><valueName>\u{422}L\u{420}</valueName><value>RED</value></parameter>",
        "<parameter><valueName>&#84;LP</valueName><value>RED</value></parameter>",
        "<parameter><valueName>distribution</valueName><value>US only</value></parameter>",
        "<parameter><valueName>sensitivity</valueName><value>internal</value></parameter>",
        "<parameter><valueName>TLP</valueName><value>赤</value></parameter>",
    ];
    for extra in held {
        // `code` comes before `info`; an `info` child is fine for the readers either way.
        both(CAP, &in_info(extra), false, extra);
    }
    let go = [
        "<code>IPAWSv1.0</code>",
        "<parameter><valueName>TLP</valueName><value>GREEN</value></parameter>",
        "<parameter><valueName>TLP</valueName><value>TLP:AMBER</value></parameter>",
        "<parameter><valueName>classification</valueName><value>UNCLASSIFIED</value></parameter>",
        "<parameter><valueName>indicator</valueName><value>203.0.113.9</value></parameter>",
        "<eventCode><valueName>SAME</valueName><value>CEM</value></eventCode>",
        "<audience>Partner CERTs</audience>",
    ];
    for extra in go {
        both(CAP, &in_info(extra), true, extra);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A TLP level that may not go, disguised (case, full width, separators, invisibles…), as
    /// the value of a `TLP` parameter: held by both; and `US ONLY` disguised in `code` or
    /// `audience` likewise.
    #[test]
    fn sb12_disguised_markings_in_cap_pairs_and_codes_are_held(
        hows in proptest::collection::vec(any::<u8>(), 1..6),
        which in 0usize..4,
    ) {
        let (plain, wrap): (&str, fn(&str) -> String) = match which {
            0 => ("RED", |v| format!("<parameter><valueName>TLP</valueName><value>{v}</value></parameter>")),
            1 => ("TLP:RED", |v| format!("<parameter><valueName>TLP</valueName><value>{v}</value></parameter>")),
            2 => ("US ONLY", |v| format!("<code>{v}</code>")),
            _ => ("US ONLY", |v| format!("<audience>{v}</audience>")),
        };
        let v = xml_escaped(&sekisho::fuzzing::disguise(plain, &hows));
        let extra = wrap(&v);
        let p = us_to_jpn();
        prop_assert!(!guard_goes(CAP, &in_info(&extra), &p), "guard: {}", extra);
        prop_assert!(!verifier_goes(CAP, &in_info(&extra), &p), "verifier: {}", extra);
    }
}

//--- SB04: a typed IODEF address parses as its type

#[test]
fn sb04_a_typed_iodef_address_must_parse_as_its_type() {
    let addr = "<Address category=\"ipv4-addr\">203.0.113.7</Address>";
    let with = |category: &str, value: &str| {
        let a = format!("<Address category=\"{category}\">{value}</Address>");
        move |s: &str| swap(s, addr, &a)
    };
    for (category, value) in [
        ("ipv4-addr", "10 20 30 40"),
        ("ipv4-addr", "10,20,30,40"),
        ("ipv4-addr", "10_20_30_40"),
        ("ipv4-addr", "10:20:30:40"),
        ("ipv4-addr", "0a141e28"),
        ("ipv4-addr", "203 0 113 7"),
        ("ipv4-addr", "010.020.030.040"),
        ("ipv4-net", "172.16-31.*.*"),
        ("ipv4-net", "192.168.0-255.0-255"),
        ("ipv4-net", "203.0.113.0"),
        ("ipv6-addr", "fd00 0 0 0 0 0 0 1"),
        ("ipv6-net", "2001:db8::/129"),
        ("mac", "00 11 22 33 44 55"),
        ("asn", "AS64500"),
        ("nonsense", "203.0.113.7"),
    ] {
        both(IODEF, &with(category, value), false, &format!("{category} {value}"));
    }
    for (category, value) in [
        ("ipv4-addr", "203.0.113.9"),
        ("ipv4-addr", " 203.0.113.9 "),
        ("ipv4-net", "203.0.113.0/24"),
        ("ipv4-net-mask", "203.0.113.0/255.255.255.0"),
        ("ipv6-addr", "2001:db8::7"),
        ("ipv6-net", "2001:db8::/32"),
        ("mac", "00:11:22:33:44:55"),
        ("asn", "64500"),
        ("site-uri", "https://www.example.org/"),
    ] {
        both(IODEF, &with(category, value), true, &format!("{category} {value}"));
    }
    // Parsed, an internal address is still one.
    both(IODEF, &with("ipv4-addr", "10.20.30.40"), false, "internal");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// An internal address whose octets are joined by anything but a full stop, in an
    /// `ipv4-addr` Address, never goes.
    #[test]
    fn sb04_an_ipv4_addr_joined_otherwise_is_held(
        octets in proptest::array::uniform4(0u8..=255),
        sep in "[ ,_:;|/\\\\-]{1,2}|\u{3002}|\u{FF0E}",
        hex in any::<bool>(),
    ) {
        let value = if hex {
            octets.iter().map(|o| format!("{o:02x}")).collect::<String>()
        } else {
            octets.iter().map(u8::to_string).collect::<Vec<_>>().join(&sep)
        };
        prop_assume!(value.parse::<std::net::Ipv4Addr>().is_err());
        let a = format!("<Address category=\"ipv4-addr\">{}</Address>", xml_escaped(&value));
        let edit = |s: &str| swap(s, "<Address category=\"ipv4-addr\">203.0.113.7</Address>", &a);
        let p = us_to_jpn();
        prop_assert!(!guard_goes(IODEF, &edit, &p), "guard: {}", value);
        prop_assert!(!verifier_goes(IODEF, &edit, &p), "verifier: {}", value);
    }
}

//--- SB05, SB16: free text in a 4774 label is default deny; a category URI names its category

fn with_mark(mark: &str) -> impl Fn(&str) -> String + '_ {
    move |s: &str| {
        swap(
            s,
            "</slab:Classification>",
            &format!("</slab:Classification><slab:PrivacyMark>{mark}</slab:PrivacyMark>"),
        )
    }
}

fn with_informative<'a>(name: &'a str, values: &'a [&'a str]) -> impl Fn(&str) -> String + 'a {
    move |s: &str| {
        let values: String = values
            .iter()
            .map(|v| format!("<slab:GenericValue>{v}</slab:GenericValue>"))
            .collect();
        swap(
            s,
            "</slab:Category>",
            &format!("</slab:Category><slab:Category TagName=\"{name}\" Type=\"INFORMATIVE\">{values}</slab:Category>"),
        )
    }
}

#[test]
fn sb05_free_text_in_a_label_goes_only_when_the_policy_lists_it() {
    for mark in [
        "Not for foreign release",
        "外国への提供不可",
        "Traffic Light Protocol RED",
        "US agencies only",
        "For official use",
    ] {
        both(CAP, &with_mark(mark), false, mark);
    }
    // Listed in the shipped policy (`xml.free_label_texts`), or the label's own classification.
    for mark in ["EXERCISE ONLY", "UNCLASSIFIED", "NATO UNCLASSIFIED"] {
        both(CAP, &with_mark(mark), true, mark);
    }
    for (name, values) in [
        ("Handling", &["US agencies only"][..]),
        ("Caveats", &["OC", "PR"][..]),
        ("Administrative", &["STAFF", "Not for foreign release"][..]),
        ("Remarks", &["STAFF"][..]),
    ] {
        both(
            CAP,
            &with_informative(name, values),
            false,
            &format!("{name} {values:?}"),
        );
    }
    both(
        CAP,
        &with_informative("Administrative", &["STAFF"]),
        true,
        "Administrative STAFF",
    );
}

#[test]
fn sb16_a_category_uri_is_an_oid_or_the_urn_of_that_category() {
    let urn = "URI=\"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO:category:releasableto\"";
    for (uri, goes) in [
        ("urn:example:marking:SECRET//NOFORN", false),
        (
            "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:USA:category:noforn",
            false,
        ),
        (
            "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO:category:noforn",
            false,
        ),
        ("urn:oid:1.3.26.1.4.NOFORN", false),
        ("urn:oid:1.3.26.1.4.2", true),
    ] {
        let edit = |s: &str| swap(s, urn, &format!("URI=\"{uri}\""));
        both(CAP, &edit, goes, uri);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any free text the policy does not list, as a privacy mark or an informative value, keeps
    /// the message back in both judges; disguising a listed one does too (it no longer matches).
    #[test]
    fn sb05_unlisted_label_free_text_is_held(
        text in "[A-Za-z][A-Za-z ]{0,20}[A-Za-z]",
        hows in proptest::collection::vec(any::<u8>(), 1..6),
        informative in any::<bool>(),
    ) {
        let listed = |t: &str| matches!(t, "EXERCISE ONLY" | "Exercise" | "Exercise data" | "Administrative" | "STAFF" | "UNCLASSIFIED" | "NATO UNCLASSIFIED");
        let disguised = sekisho::fuzzing::disguise("Not for foreign release", &hows);
        for t in [text.clone(), disguised] {
            prop_assume!(!listed(t.trim()));
            let t = xml_escaped(&t);
            let p = us_to_jpn();
            let values = [t.as_str()];
            let (g, v) = if informative {
                let e = with_informative("Administrative", &values);
                (guard_goes(CAP, &e, &p), verifier_goes(CAP, &e, &p))
            } else {
                let e = with_mark(&t);
                (guard_goes(CAP, &e, &p), verifier_goes(CAP, &e, &p))
            };
            prop_assert!(!g, "guard: {}", t);
            prop_assert!(!v, "verifier: {}", t);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The name of a TLP pair disguised (case, full width, look-alikes, separators, invisibles,
    /// small capitals, combining marks…): the pair is still read, by both.
    #[test]
    fn sb12_a_disguised_tlp_name_is_still_read(hows in proptest::collection::vec(any::<u8>(), 1..4)) {
        let name = sekisho::fuzzing::disguise("TLP", &hows);
        let extra = format!("<parameter><valueName>{}</valueName><value>RED</value></parameter>", xml_escaped(&name));
        let p = us_to_jpn();
        prop_assert!(!guard_goes(CAP, &in_info(&extra), &p), "guard: {:?}", name);
        prop_assert!(!verifier_goes(CAP, &in_info(&extra), &p), "verifier: {:?}", name);
    }
}
