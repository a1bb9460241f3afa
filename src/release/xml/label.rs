//! A STANAG 4774 label in the policy's terms: its policy identifier mapped to a scheme, its
//! classification to a level there, its "Releasable to" categories to a releasable-to set; and
//! the categories the policy does not clear.

use crate::format::xml::label4774::{Category, CategoryType, ConfidentialityLabel, LabelError, error};
use crate::label::{Code, Label, RelTo, Releasability};
use crate::policy::Policy;

/// The label in the policy's terms: the scheme its policy identifier maps to, the level
/// its classification names there, and the releasable-to set of its "Releasable to"
/// permissive categories (several intersect). Categories the policy does not clear are
/// judged by [`uncleared`], not here.
pub fn to_label(l: &ConfidentialityLabel, policy: &Policy, at: &str) -> Result<Label, LabelError> {
    let Some(xml) = &policy.xml else {
        return Err(error("label-policy", at, "the policy has no `[xml]` rules"));
    };
    let Some(scheme_name) = xml.policy_identifiers.get(&l.policy_identifier) else {
        let known: Vec<&str> = xml.policy_identifiers.keys().map(String::as_str).collect();
        return Err(error(
            "label-policy",
            at,
            format!(
                "policy identifier `{}` is not one this policy maps (it maps {})",
                l.policy_identifier,
                known.join(", ")
            ),
        ));
    };
    // The URI (or URL) names a policy too: it must be the one the text names.
    if let Some((_, uri)) = &l.policy_uri
        && uri_scheme(uri, &xml.policy_identifiers) != Some(scheme_name)
    {
        return Err(error(
            "label-policy",
            at,
            format!(
                "`PolicyIdentifier` says `{}` but its URI `{uri}` names another policy (or none this policy maps)",
                l.policy_identifier
            ),
        ));
    }
    let Some(scheme) = policy.schemes.get(scheme_name) else {
        return Err(error(
            "label-policy",
            at,
            format!("scheme `{scheme_name}` is not defined"),
        ));
    };
    let Some(classification) = scheme
        .level_index(&l.classification)
        .and_then(|i| scheme.classification(i))
    else {
        return Err(error(
            "label-classification",
            at,
            format!(
                "`{}` is not a level of policy `{}` (scheme `{}`)",
                l.classification, l.policy_identifier, scheme.name
            ),
        ));
    };
    // A category named like a releasable-to category (in the one normal form) is one: of any
    // other type, or spelt otherwise, it cannot be read as the policy means it.
    let normal = |s: &str| crate::text::normalize(s).text.trim().to_string();
    let rel_names: Vec<String> = xml.releasable_to.iter().map(|t| normal(t)).collect();
    if let Some(c) = l.categories.iter().find(|c| {
        rel_names.contains(&normal(&c.tag_name))
            && (c.kind != CategoryType::Permissive || !xml.releasable_to.contains(&c.tag_name))
    }) {
        return Err(error(
            "label-category",
            at,
            format!(
                "category `{}` is named like a releasable-to category but is not one as the policy writes it (PERMISSIVE, `{}`)",
                c.tag_name,
                xml.releasable_to.iter().next().map_or("", String::as_str)
            ),
        ));
    }
    let mut releasable_to = Releasability::Unrestricted;
    for c in &l.categories {
        if c.kind != CategoryType::Permissive || !xml.releasable_to.contains(&c.tag_name) {
            continue;
        }
        let mut codes = Vec::with_capacity(c.values.len());
        for v in &c.values {
            let code =
                Code::parse(v).map_err(|e| error("label-category", at, format!("`{}` category: {e}", c.tag_name)))?;
            codes.push(code);
        }
        let set = RelTo::new(codes).map_or(Releasability::Nobody, Releasability::To);
        releasable_to = releasable_to.meet(&set);
    }
    // A classified label without a releasable-to category releases to nobody (as any marking).
    let label = Label {
        classification: Some(classification),
        releasable_to,
        ..Label::default()
    }
    .said_by("4774 label");
    Ok(crate::label::closed(label, &policy.schemes))
}

/// The label's free texts that may not state a marking. A `PrivacyMark` is free text, but one
/// that reads as a marking says something the label's classification and categories do not
/// (`SECRET//NOFORN` on an UNCLASSIFIED label); an INFORMATIVE category is not decided by the
/// policy at all, so one whose name or values read as a marking (`NOFORN`, `ATOMAL`, `REL TO`)
/// would cross unread. Either makes the label unreadable (fail closed), except a privacy mark
/// that is exactly the label's own classification (`UNCLASSIFIED`, or `NATO UNCLASSIFIED`: the
/// policy identifier, a space, the classification). Default deny (red team SB05): one that
/// states no marking goes only when a pattern of `xml.free_label_texts` matches it whole, as
/// `Not for foreign release` would otherwise cross unread. A category's `URI` names a category
/// (red team SB16): it is an OID, or the 4774 URN of this category of the label's own policy.
pub fn unread_markings(l: &ConfidentialityLabel, policy: &Policy, at: &str) -> Result<(), LabelError> {
    use crate::release::free_text::{FreeText, is_free};
    if let Some(mark) = &l.privacy_mark {
        let t = mark.trim();
        let own = t == l.classification || t == format!("{} {}", l.policy_identifier, l.classification);
        if !own && reads_as_marking(mark, policy) {
            return Err(error(
                "label-privacy-mark",
                at,
                format!(
                    "`PrivacyMark` `{}` reads as a marking that is not the label's own classification `{}`: the label cannot be read",
                    shown(mark),
                    l.classification
                ),
            ));
        }
        if !own && !is_free(mark, FreeText::Label, policy) {
            return Err(error(
                "label-privacy-mark",
                at,
                format!(
                    "`PrivacyMark` `{}` is free text no pattern of `xml.free_label_texts` lets go: the label cannot be read",
                    shown(mark)
                ),
            ));
        }
    }
    for c in l.categories.iter().filter(|c| c.kind == CategoryType::Informative) {
        let texts =
            std::iter::once(("name", c.tag_name.as_str())).chain(c.values.iter().map(|v| ("value", v.as_str())));
        for (what, text) in texts {
            let why = if reads_as_marking(text, policy) {
                "reads as a marking, which an informative category may not state"
            } else if !is_free(text, FreeText::Label, policy) {
                "is free text no pattern of `xml.free_label_texts` lets go"
            } else {
                continue;
            };
            return Err(error(
                "label-informative-category",
                at,
                format!(
                    "INFORMATIVE category `{}`: its {what} `{}` {why}: the label cannot be read",
                    shown(&c.tag_name),
                    shown(text)
                ),
            ));
        }
    }
    for c in &l.categories {
        if let Some(uri) = &c.uri
            && !category_uri(uri, c, l, policy)
        {
            return Err(error(
                "label-category",
                at,
                format!(
                    "category `{}` has the URI `{}`, which is neither an OID nor the STANAG 4774 URN of this category of policy `{}`: the label cannot be read",
                    shown(&c.tag_name),
                    shown(uri),
                    shown(&l.policy_identifier)
                ),
            ));
        }
    }
    Ok(())
}

/// Whether a category's `URI` names it: an OID (`urn:oid:` and digits between full stops, which
/// state no words), or `urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:ID:category:NAME`
/// with `ID` mapped to the label's own scheme and `NAME` its tag name in lower-case ASCII letters
/// and digits (`releasableto` for `Releasable to`).
fn category_uri(uri: &str, c: &Category, l: &ConfidentialityLabel, policy: &Policy) -> bool {
    if let Some(oid) = uri.strip_prefix("urn:oid:") {
        return !oid.is_empty()
            && oid
                .split('.')
                .all(|d| !d.is_empty() && d.len() <= 10 && d.bytes().all(|b| b.is_ascii_digit()));
    }
    let Some(xml) = &policy.xml else {
        return false;
    };
    let Some((id, name)) = uri.strip_prefix(POLICY_URN).and_then(|r| r.split_once(":category:")) else {
        return false;
    };
    let own = xml.policy_identifiers.get(&l.policy_identifier);
    let folded: String = c
        .tag_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_lowercase())
        .collect();
    own.is_some() && xml.policy_identifiers.get(id) == own && name == folded
}

/// At most 120 characters of `s`, for a message.
fn shown(s: &str) -> String {
    s.chars().take(120).collect()
}

/// Marking words of STANAG 4774 labels that the mention test of STIX statements does not hold:
/// NATO special category designators and `COSMIC`, in the one normal form.
const LABEL_WORDS: &[&str] = &["atomal", "bohemia", "balk", "crypto", "siop", "cosmic"];

/// What a free text says as a marking.
#[derive(Debug)]
pub enum Reading {
    /// Free text: it mentions no marking.
    Free,
    /// A TLP level, banner line or portion mark, written exactly: its label.
    Marking(Label),
    /// It mentions a marking but is not one written exactly: why.
    Unreadable(String),
}

/// Read `text` as a marking: by the mention test STIX marking texts are read by
/// ([`crate::release::marking_text::marking_text`]), also with a space where ASCII letters and digits
/// meet others (`NOFORN扱い`: a Japanese sentence has no spaces to end a word); and a text with
/// one of [`LABEL_WORDS`], or `ONLY` after a country or organisation code (`US ONLY`, `USA
/// ONLY`, `NATO ONLY`, or any word of two to four letters), is unreadable.
pub fn read_marking(text: &str, policy: &Policy) -> Reading {
    // Spaced as written (`NOFORN扱い`) and in the normal form (`ＮＯＦＯＲＮ扱い`).
    let spaced = spaced_at_scripts(text);
    let spaced_normal = spaced_at_scripts(&crate::text::normalize(text).text);
    // Only the text as written may parse as a marking; the spaced forms are read for mentions.
    let found = match crate::release::marking_text::marking_text(text, policy, "label") {
        Err((_, why)) => return Reading::Unreadable(why),
        Ok(found) => found,
    };
    if found.is_none()
        && [spaced.as_str(), spaced_normal.as_str()]
            .iter()
            .any(|t| !matches!(crate::release::marking_text::marking_text(t, policy, "label"), Ok(None)))
    {
        return Reading::Unreadable(format!(
            "`{}` mentions a marking inside text of another script",
            shown(text)
        ));
    }
    let words: Vec<&str> = spaced_normal
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // A country or organisation code is two to four letters; any such word before `ONLY` is
    // read as one (`TEST ONLY` is held back too: fail closed, and never looser than the
    // verifier, which reads `US`, `UK` and any word of three or four letters so).
    let coded = |w: &str| (2..=4).contains(&w.len()) && w.chars().all(|c| c.is_ascii_alphabetic());
    if let Some(w) = words.iter().find(|w| LABEL_WORDS.contains(w)) {
        return Reading::Unreadable(format!("`{}` holds the marking word `{w}`", shown(text)));
    }
    if words.windows(2).any(|p| matches!(p, [code, "only"] if coded(code))) {
        return Reading::Unreadable(format!(
            "`{}` limits dissemination to a country or organisation",
            shown(text)
        ));
    }
    match found {
        Some(l) => Reading::Marking(l),
        None => Reading::Free,
    }
}

/// Whether `text` reads as a marking at all ([`read_marking`]).
fn reads_as_marking(text: &str, policy: &Policy) -> bool {
    !matches!(read_marking(text, policy), Reading::Free)
}

/// `text` with a space between an ASCII letter or digit and a non-ASCII one next to it.
fn spaced_at_scripts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last: Option<char> = None;
    for c in text.chars() {
        if let Some(p) = last
            && p.is_alphanumeric()
            && c.is_alphanumeric()
            && p.is_ascii() != c.is_ascii()
        {
            out.push(' ');
        }
        out.push(c);
        last = Some(c);
    }
    out
}

/// The 4774 URN of a policy identifier, and the OID STANAG 4774 gives the NATO policy.
const POLICY_URN: &str = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:";
const NATO_OID: &str = "urn:oid:1.3.26.1.3.1";

/// The scheme a `PolicyIdentifier` URI names: listed in `xml.policy_identifiers` itself, or the
/// 4774 URN of a listed identifier, or the NATO OID when `NATO` is listed.
fn uri_scheme<'p>(uri: &str, ids: &'p std::collections::BTreeMap<String, String>) -> Option<&'p String> {
    ids.get(uri)
        .or_else(|| uri.strip_prefix(POLICY_URN).and_then(|id| ids.get(id)))
        .or_else(|| (uri == NATO_OID).then(|| ids.get("NATO")).flatten())
}

/// The names of a STANAG 4774 label's and a 4778 binding's elements that hold a label or its
/// classification (ADatP-4774 roots, `ConfidentialityInformation`, `Classification`,
/// `PolicyIdentifier`; 4778 `BindingInformation`, `Metadata…`), folded: lower case, letters
/// and digits only.
const LABEL_NAMES: &[&str] = &[
    "originatorconfidentialitylabel",
    "alternativeconfidentialitylabel",
    "metadataconfidentialitylabel",
    "confidentialitylabel",
    "confidentialityinformation",
    "classification",
    "policyidentifier",
    "bindinginformation",
    "metadatabindingcontainer",
    "metadatabinding",
];

/// Whether a local name, in the one normal form, folded to lower-case letters and digits, is
/// one of [`LABEL_NAMES`] (`Classification`, `ｃlassification`, `Confidentiality_Label`).
fn names_label_part(local: &str) -> bool {
    if local.is_ascii() {
        // Folding only removes characters: a name shorter than the shortest is none of them.
        if local.len() < "classification".len() {
            return false;
        }
        let folded = || {
            local
                .bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase())
        };
        return LABEL_NAMES.iter().any(|n| n.bytes().eq(folded()));
    }
    let folded: String = crate::text::normalize(local)
        .text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    LABEL_NAMES.contains(&folded.as_str())
}

/// Why the payload element `e` is (or carries) a label where the label reader does not look:
/// an element or attribute in the 4774 or 4778 namespace, or one named like a label or a part
/// that holds its classification, in any namespace (red team s39: the allowlists would drop it
/// and let the rest go, unread). `None` for any other element.
pub fn label_in_payload(e: crate::format::xml::Element<'_, '_>) -> Option<String> {
    use crate::format::xml::label4774::{NS_4774, NS_4778};
    let labelled_ns = |ns: Option<&std::borrow::Cow<'_, str>>| ns.is_some_and(|n| n == NS_4774 || n == NS_4778);
    if labelled_ns(e.namespace()) {
        return Some(format!(
            "the payload holds `{}` of a STANAG 4774 label or 4778 binding: a second label, which the guard does not read",
            shown(e.local())
        ));
    }
    if names_label_part(e.local()) {
        return Some(format!(
            "the payload holds an element named `{}`, like a part of a STANAG 4774 label: a second label, which the guard does not read",
            shown(e.local())
        ));
    }
    e.attributes()
        .find(|a| labelled_ns(a.namespace()) || names_label_part(a.local()))
        .map(|a| {
            format!(
                "the payload's `{}` carries the attribute `{}`, a part of a STANAG 4774 label: a second label, which the guard does not read",
                shown(e.local()),
                shown(a.local())
            )
        })
}

/// The free texts of a label (identifier, its URI, classification, privacy mark, categories'
/// names, URIs and values, dates), each with the local name of the element or attribute.
pub fn texts(l: &ConfidentialityLabel) -> Vec<(&'static str, &str)> {
    let mut out = vec![
        ("PolicyIdentifier", l.policy_identifier.as_str()),
        ("Classification", l.classification.as_str()),
    ];
    if let Some((_, uri)) = &l.policy_uri {
        out.push(("URI", uri));
    }
    if let Some(m) = &l.privacy_mark {
        out.push(("PrivacyMark", m));
    }
    if let Some(r) = &l.review {
        out.push(("ReviewDateTime", r));
    }
    if let Some(c) = &l.creation {
        out.push(("CreationDateTime", c));
    }
    for c in &l.categories {
        out.push(("TagName", &c.tag_name));
        if let Some(u) = &c.uri {
            out.push(("URI", u));
        }
        out.extend(c.values.iter().map(|v| ("GenericValue", v.as_str())));
    }
    out
}

/// The first category that stops release: a restrictive or permissive category the policy
/// neither clears nor reads as releasability.
pub fn uncleared<'l>(l: &'l ConfidentialityLabel, policy: &Policy) -> Option<&'l Category> {
    let xml = policy.xml.as_ref()?;
    l.categories.iter().find(|c| match c.kind {
        CategoryType::Informative => false,
        CategoryType::Permissive => {
            !xml.releasable_to.contains(&c.tag_name) && !xml.cleared_restrictive.contains(&c.tag_name)
        }
        CategoryType::Restrictive => !xml.cleared_restrictive.contains(&c.tag_name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::xml::label4774::binding;
    use crate::format::xml::{self, Options};
    use crate::limits::Limits;

    fn fixture(path: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/xml")
            .join(path);
        std::fs::read_to_string(p).unwrap()
    }

    fn policy() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    fn strict(text: &str) -> Result<xml::Document<'_>, crate::ParseError> {
        xml::parse(text.as_bytes(), &Limits::default(), &Options::default())
    }

    fn read(text: &str) -> Result<ConfidentialityLabel, LabelError> {
        let doc = strict(text).unwrap();
        ConfidentialityLabel::read(doc.root(), "/")
    }

    #[test]
    fn maps_releasable_to_and_classification_through_the_policy() {
        let l = read(&fixture("label/nato-schema-variant.xml")).unwrap();
        let label = to_label(&l, &policy(), "/").unwrap();
        let c = label.classification.as_ref().unwrap();
        assert_eq!((c.scheme.as_str(), c.level.as_str()), ("NATO", "NATO UNCLASSIFIED"));
        let Releasability::To(set) = &label.releasable_to else {
            panic!("{label:?}")
        };
        assert!(set.contains(Code::parse("JPN").unwrap()) && set.contains(Code::parse("NATO").unwrap()));
        assert!(policy().decide_with(&label, false).released());
    }

    #[test]
    fn intersects_several_releasable_to_categories() {
        let base = fixture("label/nato-schema-variant.xml");
        let two = base.replace(
            "</slab:Category>",
            "</slab:Category><slab:Category TagName=\"Releasable to\" Type=\"PERMISSIVE\"><slab:GenericValue>GBR</slab:GenericValue></slab:Category>",
        );
        let label = to_label(&read(&two).unwrap(), &policy(), "/").unwrap();
        assert_eq!(label.releasable_to, Releasability::Nobody);
    }

    #[test]
    fn rejects_unmapped_policy_identifiers_and_levels() {
        let base = fixture("label/nato-schema-variant.xml");
        let other = base.replace(">NATO</slab:PolicyIdentifier>", ">EU</slab:PolicyIdentifier>");
        assert_eq!(
            to_label(&read(&other).unwrap(), &policy(), "/").unwrap_err().rule,
            "label-policy"
        );
        let level = base.replace(">UNCLASSIFIED<", ">SECRET SQUIRREL<");
        assert_eq!(
            to_label(&read(&level).unwrap(), &policy(), "/").unwrap_err().rule,
            "label-classification"
        );
        let code = base.replace(">JPN<", ">JPX<");
        let e = to_label(&read(&code).unwrap(), &policy(), "/").unwrap_err();
        assert_eq!(e.rule, "label-category");
        assert!(e.detail.contains("JPN"), "{e}");
    }

    //--- case: red-team F03: a privacy mark or an informative category that reads as a marking
    #[test]
    fn privacy_marks_and_informative_categories_that_read_as_markings_make_the_label_unreadable() {
        let base = fixture("label/nato-schema-variant.xml");
        let mark = |m: &str| {
            base.replace(
                "</slab:Classification>",
                &format!("</slab:Classification><slab:PrivacyMark>{m}</slab:PrivacyMark>"),
            )
        };
        let informative = |name: &str, value: &str| {
            base.replacen(
                "</slab:Category>",
                &format!("</slab:Category><slab:Category TagName=\"{name}\" Type=\"INFORMATIVE\"><slab:GenericValue>{value}</slab:GenericValue></slab:Category>"),
                1,
            )
        };
        let p = policy();
        let verdict = |text: &str| {
            let l = read(text).unwrap();
            to_label(&l, &p, "/").unwrap();
            unread_markings(&l, &p, "/").map_err(|e| e.rule)
        };
        for m in [
            "SECRET//NOFORN",
            "ORCON",
            "TLP:RED",
            "US ONLY",
            "NOFORN扱い",
            "ＮＯＦＯＲＮ扱い",
            "NATO SECRET",
            "ATOMAL",
        ] {
            assert_eq!(verdict(&mark(m)), Err("label-privacy-mark"), "{m}");
        }
        // Listed free text (`xml.free_label_texts` of the shipped policy) or the own classification.
        for m in ["EXERCISE ONLY", "UNCLASSIFIED", "NATO UNCLASSIFIED"] {
            assert_eq!(verdict(&mark(m)), Ok(()), "{m}");
        }
        // Free text the policy does not list (red team SB05).
        for m in ["IN CONFIDENCE", "Not for foreign release", "外国への提供不可"] {
            assert_eq!(verdict(&mark(m)), Err("label-privacy-mark"), "{m}");
        }
        for (n, v) in [
            ("Dissemination", "NOFORN"),
            ("Special Category Designator", "ATOMAL"),
            ("Handling", "REL TO USA, JPN"),
            ("NOFORN", "x"),
            ("Handling", "USA ONLY"),
            ("Administrative", "US agencies only"),
            ("Caveats", "OC"),
        ] {
            assert_eq!(
                verdict(&informative(n, v)),
                Err("label-informative-category"),
                "{n} {v}"
            );
        }
        assert_eq!(verdict(&informative("Administrative", "STAFF")), Ok(()));
    }

    #[test]
    fn finds_restrictive_categories_not_cleared() {
        let doc = fixture("cap/restrictive-atomal.xml");
        let d = strict(&doc).unwrap();
        let b = binding(&d).unwrap();
        assert_eq!(d.element(b.metadata).unwrap().local(), "Metadata");
        let e = d.element(b.label).unwrap();
        let l = ConfidentialityLabel::read(e, "/").unwrap();
        assert_eq!(
            uncleared(&l, &policy()).map(|c| c.tag_name.as_str()),
            Some("Special Category Designator")
        );
    }
}

#[cfg(test)]
mod shared_mention_tests {
    use super::*;

    fn policy() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    /// Each of the label reading's own steps holds a text the shared mention test alone lets
    /// through as free text: none of them is a copy of it.
    #[test]
    fn the_label_reading_holds_what_the_shared_mention_test_alone_does_not() {
        let p = policy();
        for (t, step) in [
            // A script change in the text as written that the normal form folds away (Cyrillic
            // `а` is `a`): only the text spaced as written has the word `secret`.
            ("SECRET\u{430}", "spaced as written"),
            ("NOFORN\u{C9}", "spaced as written"),
            // An escape written in full-width characters: only the normal form holds it, and
            // only the spaced normal form is read with its escapes decoded.
            ("\u{FF06}\u{FF03}\u{FF18}\u{FF13}\u{FF1B}ECRET", "spaced normal form"),
            ("BOHEMIA", "label words"),
            ("COSMIC", "label words"),
            ("SIOP", "label words"),
            ("NATO ONLY", "code ONLY"),
            ("TEST ONLY", "code ONLY"),
        ] {
            assert!(
                matches!(crate::release::marking_text::marking_text(t, &p, "t"), Ok(None)),
                "{t}: the shared test reads it ({step})"
            );
            assert!(
                !matches!(read_marking(t, &p), Reading::Free),
                "{t}: the label reading lets it through ({step})"
            );
        }
    }
}
