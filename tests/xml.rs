//! XML messages under STANAG 4774 labels through the public API and the binary (issue 7): what
//! is released, what is not and why, the attack samples, and the shared corpora when present.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{us_to_jpn, us_to_jpn_with};
use proptest::strategy::Strategy;
use sekisho::format::{Format, xml};
use sekisho::guard::{self, Rejection, Released};
use sekisho::policy::Policy;
use sekisho::release::decision::UnitVerdict;
use sekisho::{Limits, guard::detect};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/xml").join(path)).unwrap()
}

fn released(input: &[u8], policy: &Policy) -> (String, Released) {
    match guard::filter(input, policy) {
        Ok(r) => (String::from_utf8(r.output.as_bytes().to_vec()).unwrap(), r),
        Err(e) => panic!("rejected: {:?}", e.reasons),
    }
}

fn rejected(input: &[u8], policy: &Policy) -> Rejection {
    match guard::filter(input, policy) {
        Ok(r) => panic!("released: {}", String::from_utf8_lossy(r.output.as_bytes())),
        Err(e) => e,
    }
}

fn rules(e: &Rejection) -> Vec<&str> {
    e.reasons.iter().map(|r| r.rule.as_str()).collect()
}

//--- detection
#[test]
fn detects_xml_only_when_the_policy_allows_it() {
    let input = b"\n  <?xml version=\"1.0\"?><a/>";
    assert_eq!(detect(input, &us_to_jpn()), Some(Format::Xml));
    let stix_only = us_to_jpn_with(|t| t.replace(r#"formats = ["stix", "xml"]"#, r#"formats = ["stix"]"#));
    assert_eq!(detect(input, &stix_only), None);
}

//--- release
#[test]
fn releases_a_labelled_cap_alert_without_what_the_allowlist_omits() {
    let (out, r) = released(&fixture("cap/nato-unclassified-rel-jpn.xml"), &us_to_jpn());
    assert!(out.contains("<identifier>CAP-2024-0501-01</identifier>"), "{out}");
    assert!(!out.contains("cert-internal-distribution"), "addresses crossed: {out}");
    assert!(!out.contains("Duty officer"), "contact crossed: {out}");
    assert!(out.contains("[EMAIL REDACTED]") && !out.contains("soc.lead@"), "{out}");
    assert!(out.contains("loaders &amp; beacons"), "{out}");
    assert_eq!(r.format, Format::Xml);
    assert_eq!(r.report.dropped, 2);
    // The description's address, and the `sender`'s: e-mail redaction reads every string.
    assert_eq!(r.report.redactions, 2);
    let first = &r.report.decisions[0];
    assert_eq!(first.rule, "releasable");
    assert!(first.label.is_some());
}

#[test]
fn releases_a_labelled_iodef_report_without_contacts_and_with_phones_redacted() {
    let (out, _) = released(&fixture("iodef/nato-unclassified-rel-jpn.xml"), &us_to_jpn());
    assert!(
        out.contains("<Address category=\"ipv4-addr\">203.0.113.7</Address>"),
        "{out}"
    );
    assert!(!out.contains("desk.officer") && !out.contains("<Contact"), "{out}");
    assert!(out.contains("[PHONE REDACTED]"), "{out}");
}

#[test]
fn released_output_is_a_fixpoint() {
    let p = us_to_jpn();
    for f in [
        "cap/nato-unclassified-rel-jpn.xml",
        "iodef/nato-unclassified-rel-jpn.xml",
    ] {
        let (once, _) = released(&fixture(f), &p);
        let (twice, r) = released(once.as_bytes(), &p);
        assert_eq!(once, twice, "{f}");
        assert!(
            r.report
                .decisions
                .iter()
                .all(|d| d.verdict == sekisho::release::decision::UnitVerdict::Keep)
        );
    }
}

#[test]
fn accepts_the_published_label_variant_in_a_binding() {
    let label = String::from_utf8(fixture("label/nato-published-variant.xml")).unwrap();
    let label = label.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let msg = format!(
        "<mb:BindingInformation xmlns:mb=\"urn:nato:stanag:4778:bindinginformation:1:0\"><mb:Metadata>{label}</mb:Metadata><mb:Data><alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>V</identifier><scope>Public</scope></alert></mb:Data></mb:BindingInformation>"
    );
    let (out, _) = released(msg.as_bytes(), &us_to_jpn());
    // Its name as published, in the guard's own prefix (red-team F04: no input prefix, nor the
    // input's choice of a default namespace, is copied).
    assert!(
        out.contains(
            "<slab:OriginatorConfidentialityLabel xmlns:slab=\"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0\">"
        ),
        "{out}"
    );
    assert!(out.contains("URL=\"urn:nato"), "{out}");
}

/// Issue 7: the ADatP-4778 schema's nesting and the 4774 parts published beyond our first reader
/// (`ReviewDateTime`, `PrivacyMark`, `OriginatorID`) go through the guard: the first two cross,
/// the originator is removed with a decision, and the output is a fixpoint the second verifier
/// passes.
#[test]
fn releases_the_schema_binding_and_a_full_label_without_its_originator() {
    let p = us_to_jpn();
    let (out, r) = released(&fixture("cap/schema-binding-rel-jpn.xml"), &p);
    assert!(
        out.contains("<mb:MetadataBindingContainer>\n    <mb:MetadataBinding>"),
        "{out}"
    );
    assert!(out.contains("ReviewDateTime=\"2029-05-01T00:00:00Z\">"), "{out}");
    assert!(
        out.contains("<slab:PrivacyMark>EXERCISE ONLY</slab:PrivacyMark>"),
        "{out}"
    );
    assert!(out.contains("URI=\"urn:oid:1.3.26.1.4.2\""), "{out}");
    assert!(!out.contains("OriginatorID") && !out.contains("duty.officer"), "{out}");
    assert!(!out.contains("cert-internal-distribution"), "{out}");
    let removed: Vec<_> = r
        .report
        .decisions
        .iter()
        .filter(|d| d.rule == "label-originator")
        .collect();
    assert_eq!(removed.len(), 1, "{:?}", r.report.decisions);
    assert_eq!(removed[0].verdict, UnitVerdict::Remove);
    assert_eq!(
        removed[0].unit,
        "/mb:BindingInformation/mb:MetadataBindingContainer/mb:MetadataBinding/mb:Metadata/slab:originatorConfidentialityLabel/slab:OriginatorID"
    );
    assert_eq!(
        r.report.decisions[0].unit,
        "/mb:BindingInformation/mb:MetadataBindingContainer/mb:MetadataBinding/mb:Data/alert"
    );
    let (twice, r2) = released(out.as_bytes(), &p);
    assert_eq!(out, twice);
    assert!(r2.report.decisions.iter().all(|d| d.verdict == UnitVerdict::Keep));
    assert_eq!(sekisho::verifier::verify(out.as_bytes(), &p), Ok(()));
}

/// The second verifier reads the new shapes too, and never passes an `OriginatorID`.
#[test]
fn the_verifier_refuses_an_originator_the_guard_would_have_removed() {
    let p = us_to_jpn();
    let input = fixture("cap/schema-binding-rel-jpn.xml");
    let findings = sekisho::verifier::verify(&input, &p).unwrap_err();
    assert!(findings.iter().any(|f| f.rule == "label"), "{findings:?}");
}

/// A privacy mark is free text: the policy's text rules look at it, and since a label is never
/// rewritten, a match keeps the message behind, even when `xml.free_label_texts` lists it.
#[test]
fn a_privacy_mark_matched_by_a_text_rule_keeps_the_message_behind() {
    let listing = us_to_jpn_with(|t| {
        assert!(t.contains("free_label_texts = ["));
        t.replace(
            "free_label_texts = [",
            "free_label_texts = [\"Operation NIGHTJAR\", \"see wiki\\\\.corp\\\\.example\", ",
        )
    });
    let msg = String::from_utf8(fixture("cap/schema-binding-rel-jpn.xml"))
        .unwrap()
        .replace(">EXERCISE ONLY<", ">Operation NIGHTJAR<");
    let e = rejected(msg.as_bytes(), &listing);
    assert_eq!(rules(&e), ["internal-names"]);
    assert!(
        e.reasons[0]
            .at
            .ends_with("/slab:ConfidentialityInformation/slab:PrivacyMark"),
        "{e}"
    );
    let internal = String::from_utf8(fixture("cap/schema-binding-rel-jpn.xml"))
        .unwrap()
        .replace(">EXERCISE ONLY<", ">see wiki.corp.example<");
    let e = rejected(internal.as_bytes(), &listing);
    assert_eq!(rules(&e), ["internal-networks"]);
    // Unlisted, the same text is free text the label may not carry.
    let e = rejected(internal.as_bytes(), &us_to_jpn());
    assert_eq!(rules(&e), ["label-privacy-mark"]);
}

#[test]
fn filter_explains_the_removed_originator() {
    let out = Command::cargo_bin("sekisho")
        .unwrap()
        .args(["filter", "--explain", "--policy"])
        .arg(root().join("policies/us-to-jpn.toml"))
        .arg(root().join("tests/fixtures/xml/cap/schema-binding-rel-jpn.xml"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("<slab:PrivacyMark>EXERCISE ONLY</slab:PrivacyMark>"),
        "{stdout}"
    );
    assert!(!stdout.contains("OriginatorID"), "{stdout}");
    let explained = format!("{stdout}{stderr}");
    assert!(
        explained
            .lines()
            .any(|l| l.contains("REMOVE") && l.contains("label-originator")),
        "{explained}"
    );
}

//--- not released, and why
#[test]
fn rejects_a_message_without_a_label() {
    let e = rejected(&fixture("cap/unlabelled.xml"), &us_to_jpn());
    assert_eq!(rules(&e), ["label-missing"]);
    assert!(e.reasons[0].detail.contains("unreleasable"), "{e}");
}

#[test]
fn rejects_a_label_not_releasable_to_the_partner() {
    let e = rejected(&fixture("cap/nato-secret-rel-gbr.xml"), &us_to_jpn());
    assert_eq!(rules(&e), ["rel-to-partner"]);
}

#[test]
fn rejects_a_label_above_the_ceiling_through_the_nato_equivalence() {
    let e = rejected(&fixture("cap/cosmic-top-secret.xml"), &us_to_jpn());
    assert_eq!(rules(&e), ["classification-ceiling"]);
}

#[test]
fn rejects_a_restrictive_category_the_policy_does_not_clear() {
    let e = rejected(&fixture("cap/restrictive-atomal.xml"), &us_to_jpn());
    assert_eq!(rules(&e), ["category-not-cleared"]);
    let cleared = us_to_jpn_with(|t| {
        t.replace(
            "cleared_restrictive = []",
            "cleared_restrictive = [\"Special Category Designator\"]",
        )
    });
    released(&fixture("cap/restrictive-atomal.xml"), &cleared);
    // The category's value written in the text is read as a marking of its own, which no level
    // or list of the policy says: held even where the label carries it and it is cleared (s38;
    // prose reads `ATOMAL` in STIX, where no label carries it).
    let named = String::from_utf8(fixture("cap/restrictive-atomal.xml"))
        .unwrap()
        .replace("CANARY-RESTRICTIVE", "CANARY-ATOMAL");
    assert!(rules(&rejected(named.as_bytes(), &cleared)).contains(&"marking-in-text"));
}

#[test]
fn rejects_a_looser_label_variant() {
    let msg = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml"))
        .unwrap()
        .replace("PolicyIdentifier URI=", "PolicyIdentifier Uri=");
    let e = rejected(msg.as_bytes(), &us_to_jpn());
    assert_eq!(rules(&e), ["label-syntax"]);
}

/// Issue 7: the policy's internal ranges and domains (`[[pattern_rules]]`) apply to XML text and
/// attribute values: `drop` keeps the message behind, `redact` replaces what points inside.
#[test]
fn internal_addresses_in_xml_text_follow_the_pattern_rules() {
    let iodef = String::from_utf8(fixture("iodef/nato-unclassified-rel-jpn.xml"))
        .unwrap()
        .replace("203.0.113.7", "10.20.30.40");
    let e = rejected(iodef.as_bytes(), &us_to_jpn());
    // (The phone number redacted in an earlier text is reported too.)
    let hit = e.reasons.iter().find(|r| r.rule == "internal-networks");
    assert!(
        hit.is_some_and(|r| r.at.ends_with("/Description[1]/text()") && r.detail.contains("`10.20.30.40`")),
        "{:?}",
        e.reasons
    );

    let toml_drop = "domains = [\"corp.example\"]\naction = \"drop\"";
    let redact = us_to_jpn_with(|t| {
        assert!(t.contains(toml_drop));
        t.replace(toml_drop, "domains = [\"corp.example\"]\naction = \"redact\"")
    });
    let (out, r) = released(iodef.as_bytes(), &redact);
    assert!(
        out.contains("<Address category=\"ipv4-addr\">[REDACTED]</Address>") && !out.contains("10.20.30.40"),
        "{out}"
    );
    assert!(
        r.report
            .decisions
            .iter()
            .any(|d| d.rule == "internal-networks" && d.unit.ends_with("/Address[1]/text()")),
        "{:?}",
        r.report.decisions
    );

    // In CAP text, a URL under an internal domain; an external address next to it stays.
    let cap = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml")).unwrap();
    let cap = cap.replacen(
        "<headline>",
        "<headline>see https://wiki.Corp.Example/ir and 203.0.113.9: ",
        1,
    );
    assert!(rules(&rejected(cap.as_bytes(), &us_to_jpn())).contains(&"internal-networks"));
    let (out, _) = released(cap.as_bytes(), &redact);
    assert!(out.contains("<headline>see [REDACTED] and 203.0.113.9: "), "{out}");
}

#[test]
fn rejects_unknown_elements_when_the_policy_says_reject() {
    let strict = us_to_jpn_with(|t| t.replace("unknown_elements = \"drop\"", "unknown_elements = \"reject\""));
    let e = rejected(&fixture("cap/nato-unclassified-rel-jpn.xml"), &strict);
    assert_eq!(rules(&e), ["element-allowlist"]);
    assert!(e.reasons[0].at.ends_with("/addresses[1]"), "{e}");
}

#[test]
fn all_or_nothing_mode_treats_allowlists_and_redaction_as_sanitisation() {
    // As for STIX: stripping what no allowlist names, and redacting, do not make a unit one that
    // may not go; the document's label alone decides.
    let all = us_to_jpn_with(|t| t.replace("mode = \"drop\"", "mode = \"all-or-nothing\""));
    let (out, _) = released(&fixture("cap/nato-unclassified-rel-jpn.xml"), &all);
    assert!(!out.contains("cert-internal-distribution"), "{out}");
    let e = rejected(&fixture("cap/nato-secret-rel-gbr.xml"), &all);
    assert_eq!(rules(&e), ["rel-to-partner"]);
}

#[test]
fn rejects_a_payload_outside_the_allowlists() {
    let msg = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml"))
        .unwrap()
        .replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:example:other");
    let e = rejected(msg.as_bytes(), &us_to_jpn());
    assert_eq!(rules(&e), ["element-allowlist"]);
}

#[test]
fn accepts_comments_only_when_the_policy_allows_them() {
    let msg = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml"))
        .unwrap()
        .replace("<status>", "<!-- CANARY-COMMENT --><status>");
    let e = rejected(msg.as_bytes(), &us_to_jpn());
    assert_eq!(rules(&e), ["Comment"]);
    let lax = us_to_jpn_with(|t| t.replace("allow_comments = false", "allow_comments = true"));
    let (out, _) = released(msg.as_bytes(), &lax);
    assert!(!out.contains("CANARY-COMMENT"));
}

#[test]
fn names_the_position_of_a_parse_error() {
    let e = rejected(b"<a>\n  <b></a>", &us_to_jpn());
    assert_eq!(rules(&e), ["ETag"]);
    assert!(e.reasons[0].at.starts_with("2:6 (byte 9) /a/b"), "{}", e.reasons[0].at);
}

//--- attacks
/// The rule each committed attack sample must be rejected by.
fn expected_rule(name: &str) -> &'static str {
    match name {
        n if n.contains("undeclared-entity") => "Reference",
        n if n.contains("encoding") => "EncodingDecl",
        n if n.contains("-pi") => "PI",
        _ => "doctypedecl",
    }
}

#[test]
fn xee_samples_are_rejected_for_the_right_reason() {
    let dir = root().join("tests/fixtures/xml/attacks");
    let mut n = 0;
    for f in files(&dir, "xee.") {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&f).unwrap();
        let e = rejected(&bytes, &us_to_jpn());
        assert_eq!(rules(&e), [expected_rule(&name)], "{name}: {e}");
        let e = xml::parse(&bytes, &Limits::default(), &xml::Options::default()).unwrap_err();
        assert_eq!(e.rule, expected_rule(&name), "{name}");
        n += 1;
    }
    assert!(n >= 6, "attack samples missing in {}", dir.display());
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The shared corpus's CAP attack samples (`../shared/corpora/xml/cap/xee.*`): each must be
/// rejected by the parser, before any label or policy is looked at, by a rule that refuses
/// entity machinery (a DOCTYPE, an entity reference, a processing instruction or an encoding).
#[test]
fn shared_corpus_xee_samples_are_rejected() {
    let dir = root().join("../shared/corpora/xml/cap");
    assert!(
        dir.is_dir(),
        "{} is missing (see ../shared/corpora/README.md)",
        dir.display()
    );
    let found = files(&dir, "xee.");
    assert!(!found.is_empty(), "no xee.* samples in {}", dir.display());
    for f in found {
        let bytes = std::fs::read(&f).unwrap();
        let e = xml::parse(&bytes, &Limits::default(), &xml::Options::default())
            .err()
            .unwrap_or_else(|| panic!("{} was accepted", f.display()));
        assert!(
            ["doctypedecl", "Reference", "PI", "EncodingDecl", "UTF-8", "document"].contains(&e.rule),
            "{}: rejected by `{}`: {e}",
            f.display(),
            e.rule
        );
    }
}

/// The shared corpus's published STANAG 4774 labels (`../shared/corpora/xml/stanag4774/*.nato`,
/// bare labels, not bound to a payload): each is read as a label, and the label rebuilt from
/// what was read reads back the same.
#[test]
fn shared_corpus_stanag4774_labels_are_read_and_rebuilt() {
    use sekisho::format::xml::label4774::ConfidentialityLabel;
    let dir = root().join("../shared/corpora/xml/stanag4774");
    assert!(
        dir.is_dir(),
        "{} is missing (see ../shared/corpora/README.md)",
        dir.display()
    );
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nato"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no *.nato labels in {}", dir.display());
    for f in found {
        let bytes = std::fs::read(&f).unwrap();
        let doc = xml::parse(&bytes, &Limits::default(), &xml::Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let label = ConfidentialityLabel::read(doc.root(), "").unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        let mut b = xml::Builder::new();
        label.write(doc.root(), &mut b);
        let rebuilt = b
            .finish()
            .unwrap_or_else(|| panic!("{}: the rebuilt label is no document", f.display()));
        assert_eq!(
            ConfidentialityLabel::read(rebuilt.root(), "").ok().as_ref(),
            Some(&label),
            "{}: the rebuilt label reads back differently",
            f.display()
        );
        eprintln!("{}: {} {}", f.display(), label.policy_identifier, label.classification);
    }
}

/// Every other sample in the shared XML corpora parses or is rejected with a position; none
/// panics, and whatever parses round-trips.
#[test]
fn shared_corpus_xml_samples_parse_or_are_rejected_cleanly() {
    let dir = root().join("../shared/corpora/xml");
    assert!(
        dir.is_dir(),
        "{} is missing (see ../shared/corpora/README.md)",
        dir.display()
    );
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "xml") {
                let bytes = std::fs::read(&p).unwrap();
                xml::fuzz_xml(&bytes);
            }
        }
    }
}

//--- the binary
#[test]
fn check_format_xml_accepts_and_rejects_with_a_position() {
    let ok = root().join("tests/fixtures/xml/cap/nato-unclassified-rel-jpn.xml");
    Command::cargo_bin("sekisho")
        .unwrap()
        .args(["check", "--format", "xml"])
        .arg(&ok)
        .assert()
        .code(0);
    let bad = root().join("tests/fixtures/xml/attacks/xee.billion-laughs.xml");
    let out = Command::cargo_bin("sekisho")
        .unwrap()
        .args(["check", "--format", "xml"])
        .arg(&bad)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("2:1 (byte 39): doctypedecl: a DOCTYPE is not allowed"),
        "{out}"
    );
}

#[test]
fn filter_releases_the_xml_examples_that_may_go() {
    let policy = root().join("policies/us-to-jpn.toml");
    for (file, code) in [
        ("cap-releasable.xml", 0),
        ("iodef-releasable.xml", 0),
        ("cap-not-releasable-to-jpn.xml", 1),
        ("iodef-not-releasable-to-jpn.xml", 1),
        ("cap-unlabelled.xml", 1),
    ] {
        Command::cargo_bin("sekisho")
            .unwrap()
            .args(["filter", "--policy"])
            .arg(&policy)
            .arg(root().join("examples/inbox").join(file))
            .assert()
            .code(code);
    }
}

//--- mutation: the parser's and the label reader's properties on damaged real messages
/// Byte-level mutations of every fixture (flip, delete, duplicate a span, insert markup), each
/// run through the fuzz properties (round trip, label rebuild) and the guard (no panic, and a
/// released output filters again to itself).
#[test]
fn mutated_fixtures_keep_the_parser_properties() {
    let iterations: usize = std::env::var("SEKISHO_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut seeds = Vec::new();
    for sub in ["cap", "iodef", "label", "attacks"] {
        for f in files(&root().join("tests/fixtures/xml").join(sub), "") {
            seeds.push(std::fs::read(f).unwrap());
        }
    }
    let policy = us_to_jpn();
    let snippets: [&[u8]; 10] = [
        b"<",
        b">",
        b"&",
        b"&#x0;",
        b"]]>",
        b"<!--",
        b"<![CDATA[",
        b"xmlns:p='u'",
        b"\r",
        b"\xEF\xBF\xBE",
    ];
    let mut rng = sekisho::synth::Rng::new(7);
    for i in 0..iterations {
        let mut m = seeds[i % seeds.len()].clone();
        for _ in 0..=rng.below(3) {
            let len = m.len().max(1) as u64;
            let at = rng.below(len) as usize;
            match rng.below(4) {
                0 => {
                    if let Some(b) = m.get_mut(at) {
                        *b ^= 1 << rng.below(8);
                    }
                }
                1 => {
                    let end = (at + rng.below(16) as usize).min(m.len());
                    m.drain(at..end);
                }
                2 => {
                    let end = (at + rng.below(64) as usize).min(m.len());
                    let span = m[at..end].to_vec();
                    m.splice(at..at, span);
                }
                _ => {
                    let s = snippets[rng.below(snippets.len() as u64) as usize];
                    m.splice(at.min(m.len())..at.min(m.len()), s.iter().copied());
                }
            }
        }
        xml::fuzz_xml(&m);
        xml::label4774::fuzz_label4774(&m);
        if let Ok(r) = guard::filter(&m, &policy) {
            let again = guard::filter(r.output.as_bytes(), &policy).expect("a released output is released again");
            assert_eq!(again.output.as_bytes(), r.output.as_bytes());
        }
    }
}

//--- text rule paths of several names: `xml.parent.name`, `**`, `except`
#[test]
fn xml_text_rule_paths_select_by_the_element_chain() {
    let input = fixture("cap/nato-unclassified-rel-jpn.xml");
    let with = |paths: &str, except: &str| {
        us_to_jpn_with(|t| {
            format!(
                "{t}\n[[dirty_words]]\nid = \"regions\"\nwords = [\"Pacific\"]\naction = \"drop\"\npaths = {paths}\nexcept = {except}\n"
            )
        })
    };
    for (paths, except, stops) in [
        (r#"["xml.area.areaDesc"]"#, "[]", true),
        (r#"["xml.info.**.areaDesc"]"#, "[]", true),
        (r#"["xml.alert.**"]"#, "[]", true),
        (r#"["xml.info.areaDesc"]"#, "[]", false),
        (r#"["xml.description"]"#, "[]", false),
        (r#"["xml.alert.**"]"#, r#"["xml.area.**"]"#, false),
    ] {
        let policy = with(paths, except);
        let verifier = sekisho::verifier::Verifier::new(&policy).unwrap();
        match guard::filter(&input, &policy) {
            Ok(r) => {
                assert!(!stops, "{paths} except {except}: released");
                assert!(
                    verifier.verify(r.output.as_bytes()).is_ok(),
                    "{paths} except {except}: the verifier refuses"
                );
            }
            Err(e) => {
                assert!(stops, "{paths} except {except}: {:?}", e.reasons);
                assert!(rules(&e).contains(&"regions"), "{paths}: {:?}", rules(&e));
                assert!(
                    verifier.verify(&input).is_err(),
                    "{paths}: the verifier passes the input"
                );
            }
        }
    }
    let e = sekisho::policy::Policy::parse(
        &format!(
            "{}\n[[dirty_words]]\nid = \"regions\"\nwords = [\"x\"]\naction = \"drop\"\npaths = [\"xml.alert.areaDescr\"]\n",
            std::fs::read_to_string(root().join("policies/us-to-jpn.toml")).unwrap()
        ),
        "us-to-jpn.toml",
        Some(&root().join("policies")),
    )
    .unwrap_err();
    assert!(e.to_string().contains("did you mean `areaDesc`"), "{e}");
}

//--- content canaries in XML (the STIX generator's encodings, `sekisho::fuzzing::content`)

/// Every encoding of every canary kind, XML-escaped into the free-text elements of a labelled
/// CAP alert: none crosses the guard, the second verifier refuses every input that holds one and
/// passes every output.
#[test]
fn no_encoding_of_any_canary_crosses_in_a_cap_alert() {
    use sekisho::fuzzing::content::{KINDS, encodings};
    let policy = us_to_jpn();
    let base = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml")).unwrap();
    let places = [
        ("<headline>Command-and-control server active</headline>", "headline"),
        ("<areaDesc>Pacific region networks</areaDesc>", "areaDesc"),
        ("<value>203.0.113.7</value>", "value"),
    ];
    let mut problems = Vec::new();
    let mut judged = 0;
    let mut cases = 0;
    for kind in KINDS {
        for e in encodings(kind) {
            // XML 1.0 has no place for most control characters: such a message is malformed.
            if e.chars().any(|c| c.is_control()) {
                continue;
            }
            let escaped = e.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            for (element, name) in places {
                cases += 1;
                let (open, _) = element.split_once('>').unwrap();
                let close = element.rsplit_once('<').unwrap().1;
                let msg = base.replace(element, &format!("{open}>see {escaped} now<{close}"));
                assert_ne!(msg, base, "{element}");
                if sekisho::verifier::verify(msg.as_bytes(), &policy).is_ok() {
                    problems.push(format!("verifier passed {e:?} in <{name}>"));
                }
                let Ok(r) = guard::filter(msg.as_bytes(), &policy) else {
                    judged += 1;
                    continue;
                };
                judged += 1;
                let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                let text = out
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&");
                let plain = sekisho::text::normalize(&e).text;
                if text.contains(&e) || sekisho::text::normalize(&text).text.contains(&plain) {
                    problems.push(format!("{e:?} crossed in <{name}>"));
                }
                if let Err(f) = sekisho::verifier::verify(r.output.as_bytes(), &policy) {
                    problems.push(format!("verifier refused the output for {e:?} in <{name}>: {f:?}"));
                }
            }
        }
    }
    assert!(cases > 400 && judged == cases, "{judged} of {cases}");
    assert!(
        problems.is_empty(),
        "{} of {cases}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

//--- red-team findings (the reproducers in tests/fixtures/xml/redteam/)

/// Whether the guard holds the reproducer `name`, by which rules.
fn held(name: &str) -> Vec<String> {
    let e = rejected(&fixture(&format!("redteam/{name}")), &us_to_jpn());
    e.reasons.iter().map(|r| r.rule.clone()).collect()
}

/// The verifier's rules on what the guard released of the plain CAP alert (or `base`) edited by
/// `edit`: the verifier judges outputs, so a finding's change is made to a released output.
fn verifier_on_edited_output(base: &str, edit: impl Fn(String) -> String) -> Vec<String> {
    let policy = us_to_jpn();
    let (out, _) = released(&fixture(base), &policy);
    let edited = edit(out);
    match sekisho::verifier::verify(edited.as_bytes(), &policy) {
        Ok(()) => Vec::new(),
        Err(f) => f.into_iter().map(|f| f.rule).collect(),
    }
}

#[test]
fn redteam_f02a_iodef_restriction_red_is_held() {
    assert_eq!(held("F02a-iodef-restriction-red.xml"), ["payload-restriction"]);
    let v = verifier_on_edited_output("iodef/nato-unclassified-rel-jpn.xml", |s| {
        s.replace("restriction=\"green\"", "restriction=\"red\"")
    });
    assert_eq!(v, ["payload-restriction"]);
}

#[test]
fn redteam_f02b_iodef_restriction_private_is_held() {
    assert_eq!(held("F02b-iodef-restriction-private.xml"), ["payload-restriction"]);
    for value in ["private", "need-to-know", "partner", "default", "ext-value", "RED"] {
        let v = verifier_on_edited_output("iodef/nato-unclassified-rel-jpn.xml", |s| {
            s.replace("restriction=\"green\"", &format!("restriction=\"{value}\""))
        });
        assert_eq!(v, ["payload-restriction"], "{value}");
    }
}

#[test]
fn iodef_restrictions_are_read_as_tlp_levels_on_any_element() {
    let iodef = String::from_utf8(fixture("iodef/nato-unclassified-rel-jpn.xml")).unwrap();
    // On the incident: the policy's `[tlp]` list decides; a level it allows goes.
    for (value, goes) in [
        ("white", true),
        ("public", true),
        ("green", true),
        ("amber", true),
        ("red", false),
        ("private", false),
        ("need-to-know", false),
        ("partner", false),
        ("default", false),
        ("ext-value", false),
        ("Green", false),
    ] {
        let m = iodef.replace("restriction=\"green\"", &format!("restriction=\"{value}\""));
        assert_eq!(guard::filter(m.as_bytes(), &us_to_jpn()).is_ok(), goes, "{value}");
    }
    // On an element deep inside: it holds the whole document back.
    let deep = iodef.replace("<Address category=", "<Address restriction=\"private\" category=");
    assert!(deep.contains("restriction=\"private\""));
    let e = rejected(deep.as_bytes(), &us_to_jpn());
    assert_eq!(rules(&e), ["payload-restriction"]);
    assert!(e.reasons[0].at.contains("Address[1]/@restriction"), "{:?}", e.reasons);
}

#[test]
fn redteam_f02c_cap_restriction_naming_noforn_is_held() {
    assert_eq!(
        held("F02c-cap-restriction-noforn.xml"),
        ["payload-restriction-unreadable"]
    );
    let v = verifier_on_edited_output("cap/nato-unclassified-rel-jpn.xml", |s| {
        s.replace(
            "<scope>Restricted</scope>",
            "<scope>Restricted</scope><restriction>SECRET//NOFORN - US eyes only</restriction>",
        )
    });
    // Read as a restriction, and as markings written in the text: the banner, and `eyes only`
    // in its prose.
    assert_eq!(v, ["payload-restriction", "marking-in-text", "marking-in-text"]);
}

#[test]
fn cap_scope_private_and_restrictions_that_state_markings_are_read() {
    let cap = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml")).unwrap();
    assert!(cap.contains("<scope>Restricted</scope>"));
    let with = |scope: &str, restriction: &str| {
        cap.replace(
            "<scope>Restricted</scope>",
            &format!("<scope>{scope}</scope><restriction>{restriction}</restriction>"),
        )
    };
    for (scope, restriction, goes) in [
        (
            "Restricted",
            "Partner CERTs under the bilateral sharing agreement",
            true,
        ),
        ("Restricted", "Partner CERTs", true),
        // Free text the policy does not list (`xml.free_restrictions`) limits in words no rule
        // reads (red team R15): it keeps the alert back, whatever the scope.
        ("Public", "none", false),
        ("Restricted", "US agencies only", false),
        ("Restricted", "Not for foreign release", false),
        ("Restricted", "日本以外", false),
        ("Restricted", "米国のみ", false),
        ("Restricted", "国内限定", false),
        ("Restricted", "Partner CERTs and their US liaison only", false),
        ("Restricted", "TLP:GREEN", true),
        ("Restricted", "UNCLASSIFIED//REL TO USA, JPN", true),
        ("Restricted", "TLP:RED", false),
        ("Restricted", "SECRET//NOFORN", false),
        ("Restricted", "UNCLASSIFIED//FOUO", false),
        ("Restricted", "NOFORN扱い", false),
        ("Restricted", "US ONLY", false),
        ("Private", "none", false),
        ("private", "none", false),
    ] {
        let m = with(scope, restriction);
        assert_eq!(
            guard::filter(m.as_bytes(), &us_to_jpn()).is_ok(),
            goes,
            "{scope} {restriction}"
        );
        let v = verifier_on_edited_output("cap/nato-unclassified-rel-jpn.xml", |s| {
            s.replace(
                "<scope>Restricted</scope>",
                &format!("<scope>{scope}</scope><restriction>{restriction}</restriction>"),
            )
        });
        assert_eq!(v.is_empty(), goes, "verifier: {scope} {restriction}: {v:?}");
    }
}

#[test]
fn redteam_f03a_privacy_mark_secret_noforn_is_held() {
    assert_eq!(held("F03a-4774-privacymark-secret-noforn.xml"), ["label-privacy-mark"]);
    let v = verifier_on_edited_output("cap/nato-unclassified-rel-jpn.xml", |s| {
        s.replace(
            "</slab:Classification>",
            "</slab:Classification><slab:PrivacyMark>SECRET//NOFORN</slab:PrivacyMark>",
        )
    });
    assert_eq!(v, ["label"]);
}

#[test]
fn redteam_f03b_informative_category_noforn_is_held() {
    assert_eq!(
        held("F03b-4774-informative-category-noforn.xml"),
        ["label-informative-category"]
    );
}

#[test]
fn redteam_f03c_informative_special_category_atomal_is_held() {
    assert_eq!(
        held("F03c-4774-informative-special-category-atomal.xml"),
        ["label-informative-category"]
    );
}

#[test]
fn redteam_f03d_privacy_mark_noforn_in_japanese_is_held() {
    assert_eq!(held("F03d-4774-privacymark-NOFORN-jp.xml"), ["label-privacy-mark"]);
    let v = verifier_on_edited_output("cap/nato-unclassified-rel-jpn.xml", |s| {
        s.replace(
            "</slab:Classification>",
            "</slab:Classification><slab:PrivacyMark>NOFORN扱い</slab:PrivacyMark>",
        )
    });
    assert_eq!(v, ["label"]);
}

/// The CAP alert of the red-team reproducers with the binding's prefix `mb`, the label's `slab`
/// and the payload's (none: the default namespace) renamed to `binding`, `label` and `payload`.
fn prefixed_alert(binding: &str, label: &str, payload: Option<&str>) -> String {
    let m = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml")).unwrap();
    let mut m = m
        .replace("xmlns:mb=", &format!("xmlns:{binding}="))
        .replace("<mb:", &format!("<{binding}:"))
        .replace("</mb:", &format!("</{binding}:"))
        .replace("xmlns:slab=", &format!("xmlns:{label}="))
        .replace("<slab:", &format!("<{label}:"))
        .replace("</slab:", &format!("</{label}:"));
    if let Some(p) = payload {
        // Every element of the alert (`<alert` … `</alert>`) in the prefix.
        let (Some(start), Some(end)) = (m.find("<alert "), m.find("</alert>")) else {
            panic!("no alert in {m}");
        };
        let end = end + "</alert>".len();
        let alert = m[start..end].replace("<alert xmlns=", &format!("<alert xmlns:{p}="));
        let mut out = String::new();
        let mut rest = alert.as_str();
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            out.push('<');
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('/') {
                out.push('/');
                rest = r;
            }
            out.push_str(p);
            out.push(':');
        }
        out.push_str(rest);
        m = format!("{}{out}{}", &m[..start], &m[end..]);
    }
    m
}

/// No prefix of the input appears in the output as a prefix.
fn assert_no_input_prefix(out: &str, prefixes: &[&str]) {
    for p in prefixes {
        for shape in [format!("<{p}:"), format!("</{p}:"), format!("xmlns:{p}=")] {
            assert!(!out.contains(&shape), "`{shape}` crossed: {out}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// Red-team F04: a prefix the sender chose (any `NCName`: a domain, an address, a code name)
    /// for the binding, the label or the payload never crosses; the guard writes its own, and
    /// the verifier passes what it wrote.
    #[test]
    fn no_prefix_of_the_input_crosses(
        binding in "[A-Za-z_][A-Za-z0-9._-]{0,24}",
        label in "[A-Za-z_][A-Za-z0-9._-]{0,24}",
        payload in proptest::option::of("[A-Za-z_][A-Za-z0-9._-]{0,24}"),
    ) {
        let reserved = |p: &str| {
            p.to_ascii_lowercase().starts_with("xml")
                || matches!(p, "mb" | "slab")
                || p.strip_prefix("ns").is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
        };
        proptest::prop_assume!(!reserved(&binding) && !reserved(&label) && binding != label);
        proptest::prop_assume!(payload.as_deref().is_none_or(|p| !reserved(p) && p != binding && p != label));
        let input = prefixed_alert(&binding, &label, payload.as_deref());
        let policy = us_to_jpn();
        let (out, _) = released(input.as_bytes(), &policy);
        let mut all = vec![binding.as_str(), label.as_str()];
        all.extend(payload.as_deref());
        assert_no_input_prefix(&out, &all);
        assert_eq!(sekisho::verifier::verify(out.as_bytes(), &policy), Ok(()));
    }
}

#[test]
fn prefixed_alert_renames_what_it_says() {
    let m = prefixed_alert("b", "l", Some("p"));
    assert!(m.contains("<b:BindingInformation xmlns:b="), "{m}");
    assert!(m.contains("<l:originatorConfidentialityLabel xmlns:l="), "{m}");
    assert!(
        m.contains("<p:alert xmlns:p=\"urn:oasis:names:tc:emergency:cap:1.2\">"),
        "{m}"
    );
    assert!(m.contains("<p:description>") && m.contains("</p:alert>"), "{m}");
    xml::parse(m.as_bytes(), &Limits::default(), &xml::Options::default()).unwrap();
}

#[test]
fn redteam_f04a_payload_prefix_naming_an_internal_domain_does_not_cross() {
    let (out, _) = released(&fixture("redteam/F04a-xml-prefix-internal-domain.xml"), &us_to_jpn());
    assert_no_input_prefix(&out, &["intranet.corp.example"]);
    assert!(!out.contains("corp.example"), "{out}");
    assert!(
        out.contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"),
        "{out}"
    );
}

#[test]
fn redteam_f04b_payload_prefix_naming_an_internal_address_does_not_cross() {
    let (out, _) = released(&fixture("redteam/F04b-xml-prefix-internal-ip.xml"), &us_to_jpn());
    assert!(!out.contains("10.20.30.40"), "{out}");
}

#[test]
fn redteam_f04c_label_prefix_naming_a_code_name_does_not_cross() {
    let (out, _) = released(&fixture("redteam/F04c-xml-label-prefix-codename.xml"), &us_to_jpn());
    assert!(!out.to_lowercase().contains("nightjar"), "{out}");
    assert!(
        out.contains("<slab:originatorConfidentialityLabel xmlns:slab="),
        "{out}"
    );
}

#[test]
fn redteam_f04d_binding_prefix_naming_noforn_does_not_cross() {
    let (out, _) = released(
        &fixture("redteam/F04d-xml-binding-prefix-noforn-domain.xml"),
        &us_to_jpn(),
    );
    assert!(!out.contains("NOFORN") && !out.contains("corp.example"), "{out}");
    assert!(out.contains("<mb:BindingInformation xmlns:mb="), "{out}");
    // The verifier refuses the input's prefix where the guard would have copied it.
    let input = String::from_utf8(fixture("redteam/F04d-xml-binding-prefix-noforn-domain.xml")).unwrap();
    let copied = out
        .replace("xmlns:mb=", "xmlns:SECRET-NOFORN.corp.example=")
        .replace("<mb:", "<SECRET-NOFORN.corp.example:")
        .replace("</mb:", "</SECRET-NOFORN.corp.example:");
    assert!(input.contains("SECRET-NOFORN.corp.example:BindingInformation"));
    let findings = sekisho::verifier::verify(copied.as_bytes(), &us_to_jpn()).unwrap_err();
    assert!(findings.iter().any(|f| f.rule == "prefix"), "{findings:?}");
}

#[test]
fn redteam_f14_label_namespace_declared_in_the_payload_is_removed() {
    let policy = us_to_jpn();
    let (out, r) = released(&fixture("redteam/F14-xml-unused-label-ns-decl-in-payload.xml"), &policy);
    assert!(out.contains("<info>"), "{out}");
    assert_eq!(out.matches("xmlns:slab=").count(), 1, "{out}");
    assert_eq!(sekisho::verifier::verify(out.as_bytes(), &policy), Ok(()));
    let removed = r
        .report
        .decisions
        .iter()
        .find(|d| d.rule == "namespace-declaration")
        .expect("a decision names the removed declaration");
    assert_eq!(removed.verdict, UnitVerdict::Remove);
    assert!(removed.unit.contains("info[1]/@xmlns:slab"), "{}", removed.unit);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, ..Default::default() })]

    /// Red-team F02: whatever an IODEF `restriction` says, on the incident or on an element deep
    /// inside, the report goes only when it is a level the policy's `[tlp]` list allows
    /// (`white`/`public` CLEAR, `green`, `amber`), and the verifier passes what goes and refuses
    /// the output with the value put back in.
    #[test]
    fn an_iodef_restriction_lets_a_report_go_only_at_an_allowed_tlp_level(
        value in proptest::prop_oneof![
            proptest::sample::select(vec![
                "white", "public", "green", "amber", "red", "private", "need-to-know", "partner",
                "default", "ext-value", "Green", " green", "AMBER", "",
            ]).prop_map(|s: &str| s.to_string()),
            "[a-zA-Z+-]{0,12}",
        ],
        deep in proptest::prelude::any::<bool>(),
    ) {
        let iodef = String::from_utf8(fixture("iodef/nato-unclassified-rel-jpn.xml")).unwrap();
        let m = if deep {
            iodef.replace("<Address category=", &format!("<Address restriction=\"{value}\" category="))
        } else {
            iodef.replace("restriction=\"green\"", &format!("restriction=\"{value}\""))
        };
        let goes = matches!(value.as_str(), "white" | "public" | "green" | "amber");
        let policy = us_to_jpn();
        let out = guard::filter(m.as_bytes(), &policy);
        proptest::prop_assert_eq!(out.is_ok(), goes, "{}", value);
        if let Ok(out) = out {
            let out = String::from_utf8(out.output.as_bytes().to_vec()).unwrap();
            proptest::prop_assert_eq!(sekisho::verifier::verify(out.as_bytes(), &policy), Ok(()));
        }
        // The verifier reads the value on the guard's output of the plain report.
        let (plain, _) = released(&iodef.into_bytes(), &policy);
        let edited = plain.replace("restriction=\"green\"", &format!("restriction=\"{}\"", value.replace('&', "&amp;")));
        proptest::prop_assert_eq!(sekisho::verifier::verify(edited.as_bytes(), &policy).is_ok(), goes, "verifier: {}", value);
    }
}

/// Red team F12b: a banner and a portion mark written in an alert's text are the document's
/// markings too; one that may not go keeps the message back, in the guard and the verifier.
#[test]
fn redteam_f12b_a_banner_in_the_alerts_text_is_held() {
    assert!(held("F12b-cap-banner-in-text.xml").contains(&"marking-in-text".to_string()));
    let v = verifier_on_edited_output("cap/nato-unclassified-rel-jpn.xml", |s| {
        s.replace("<instruction>", "<instruction>TOP SECRET//NOFORN (TS//NF) ")
    });
    assert_eq!(v, ["marking-in-text", "marking-in-text"]);
    // A banner that may go changes nothing.
    let policy = us_to_jpn();
    let harmless = String::from_utf8(fixture("cap/nato-unclassified-rel-jpn.xml"))
        .unwrap()
        .replace("<instruction>", "<instruction>TLP:GREEN ");
    let (out, _) = released(harmless.as_bytes(), &policy);
    assert!(out.contains("TLP:GREEN"), "{out}");
}
