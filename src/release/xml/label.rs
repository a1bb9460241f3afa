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
