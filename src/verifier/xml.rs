//! The verifier's XML path: an output that starts with `<` is read by `roxmltree` (DTDs refused,
//! so no entity but the five predefined ones), never by the guard's parser, and its STANAG 4778
//! binding and 4774 label by the small reader below, never by `crate::format::xml`.
//!
//! Conservative: anything the reader does not understand is a [`super::Finding`]. Checks:
//! - limits: element depth and string sizes within the policy's;
//! - syntax: UTF-8, well-formed, no DTD; no processing instruction; comments and CDATA only when
//!   the policy's `[xml]` rules allow them;
//! - binding: the root is 4778 `BindingInformation` holding exactly `Metadata` (one 4774 label)
//!   then `Data` (exactly one payload element), directly or in the schema's one
//!   `MetadataBindingContainer` / `MetadataBinding`, without attributes or text;
//! - label shape: the root's only attribute is `ReviewDateTime`; `PrivacyMark` may follow
//!   `Classification`; `OriginatorID` is a finding (the guard never releases one);
//! - label: `PolicyIdentifier` maps (policy `xml.policy_identifiers`) to a scheme whose levels
//!   include `Classification` (name or alias), at or below the ceiling (compared through the
//!   policy's [`crate::label::Schemes`] value API, `compare` and `rank`); every releasable-to
//!   category holds the partner, and a classified label has one; every restrictive category,
//!   and every permissive one that is not releasable-to, is cleared;
//! - names: every prefix in scope is one the guard writes (`mb` for 4778, `slab` for 4774, `xml`,
//!   `ns1`, `ns2`, … for other namespaces), so no prefix the sender chose crosses (red-team F04);
//! - label texts: a `PrivacyMark` other than the label's own classification, and the name or a
//!   value of an INFORMATIVE category, state no marking (red-team F03);
//! - handling markings of the payload: an IODEF `restriction` is a TLP level the policy allows,
//!   a CAP `scope` is `Public` or `Restricted`, a CAP `restriction` states no marking or one that
//!   goes (red-team F02); an IODEF `restriction` in any namespace is read, an `Incident`
//!   without one is `private`, and a typed `Address` parses as its category; CAP handling
//!   elements are text only, an alert has one scope and a restricted one a restriction,
//!   `audience` is read as `restriction`, `code` and marking-named `parameter`/`eventCode`
//!   pairs as markings (red team round 3, SB01–SB04, SB12, SB15);
//! - label texts are read exactly as written, not trimmed; a releasable-to value is a code by its
//!   form; a label, or a part of one, in the payload (`label-in-payload`), and an XML
//!   declaration of an encoding other than UTF-8, are findings (red team s39);
//! - label free text is default deny: a privacy mark or informative text goes only when
//!   `xml.free_label_texts` lists it, and a category URI is an OID or its own 4774 URN (SB05, SB16);
//! - allowlists: every payload element and attribute, by (namespace, local name), is allowed;
//! - text: no text rule matches a payload text or attribute value it selects (`xml.<name>` or
//!   `*.<name>` paths, or no paths), nor (rules without paths) a label text; no payload text or
//!   attribute value holds an address, network, host, URL or e-mail address inside the
//!   policy's internal ranges and domains (`[[pattern_rules]]`).

use roxmltree::{Document, Node, NodeType, ParsingOptions};

use super::label::Mark;
use super::{Findings, Verifier, text};
use crate::format::Format;
use crate::label::Classification;
use crate::policy::XmlPolicy;

const NS_4778: &str = "urn:nato:stanag:4778:bindinginformation:1:0";
const NS_4774: &str = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A label as the verifier reads it.
struct Label {
    policy_identifier: String,
    /// `PolicyIdentifier`'s `URI` or `URL`.
    policy_uri: Option<String>,
    classification: String,
    privacy_mark: Option<String>,
    categories: Vec<Category>,
}

struct Category {
    tag_name: String,
    kind: String,
    uri: Option<String>,
    values: Vec<String>,
}

/// What [`pair_reading`] reads a value as: a marking, none, or why it cannot be read.
type PairReading = Result<Option<Mark>, String>;

/// A name/value pair whose name names a marking (a CAP `parameter` or `eventCode`, an IODEF
/// element's `meaning` and its text): the name as folded, and the value read as that marking
/// (`None`: the name names none; `Ok(None)`: it does, but the value states none).
fn pair_reading(raw: &str, value: &str, p: &crate::policy::Policy) -> (String, Option<PairReading>) {
    // Folded as written and with its escapes decoded, each also with digits and signs read as
    // letters (`7|P`); the readings joined.
    let name: String = std::iter::once(raw.to_string())
        .chain(text::unescaped(raw))
        .flat_map(|r| {
            let f = super::marking::fold(&r);
            [text::letters(&f), f]
        })
        .map(|f| f.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    let names = |w: &str| name.contains(w) || name.contains(&text::letters(w));
    let reading = if names("tlp") || names("trafficlight") {
        let v = value.strip_prefix("TLP:").unwrap_or(value);
        Some(label_text_reading(&format!("TLP:{v}"), p))
    } else if ["classif", "banner", "portion", "label", "slab"]
        .iter()
        .any(|w| names(w))
        || name.contains("4774")
        || name.contains("4778")
    {
        Some(label_text_reading(value, p))
    } else if [
        "releasab", "relto", "caveat", "dissem", "distrib", "handling", "marking", "restrict", "noforn",
        "sensitiv", "control", "secrecy", "confidential", "protectivemark", "audience", "eyesonly",
        "sharing",
    ]
    .iter()
    .any(|w| names(w))
        // ASCII letters mixed with Greek or Cyrillic ones (`ТLР`): written to be misread.
        || (name.chars().any(|c| c.is_ascii_alphabetic())
            && name.chars().any(|c| matches!(c, '\u{370}'..='\u{52F}' | '\u{1C80}'..='\u{1C8F}')))
    {
        Some(Ok(None))
    } else {
        None
    };
    (name, reading)
}

/// The `encoding` the XML declaration at the start of `s` names, if it names one.
fn declared_encoding(s: &str) -> Option<&str> {
    let decl = s.strip_prefix("<?xml")?;
    let decl = decl.get(..decl.find("?>")?)?;
    let (_, rest) = decl.split_once("encoding")?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| matches!(q, '"' | '\''))?;
    let value = rest.get(1..)?;
    value.get(..value.find(quote)?)
}

/// Names of a 4774 label's and a 4778 binding's elements that hold a label or its
/// classification, folded (lower case, letters and digits): written out here again, not taken
/// from the guard.
const LABEL_PARTS: &[&str] = &[
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

/// Whether a payload element or attribute is a label or a part of one: in the 4774 or 4778
/// namespace, or named like a part that holds a classification, read as a person would.
fn label_part(ns: Option<&str>, local: &str) -> bool {
    if matches!(ns, Some(NS_4774 | NS_4778)) {
        return true;
    }
    // Folding only removes characters from an ASCII name: one shorter than the shortest part is
    // none of them.
    if local.is_ascii() && local.len() < "classification".len() {
        return false;
    }
    let folded: String = super::marking::fold(local)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    LABEL_PARTS.contains(&folded.as_str())
}

/// `/prefix-less/local/names` of `n` and its ancestors, for findings.
fn path(n: Node<'_, '_>) -> String {
    let mut names: Vec<&str> = n
        .ancestors()
        .filter(Node::is_element)
        .map(|a| a.tag_name().name())
        .collect();
    names.reverse();
    format!("/{}", names.join("/"))
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

fn is(n: Node<'_, '_>, ns: &str, local: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == local
}

/// The element children of `n`; a non-blank text child or any attribute is a finding.
fn structure<'a, 'i>(n: Node<'a, 'i>, f: &mut Findings, rule: &str) -> Vec<Node<'a, 'i>> {
    if n.attributes().len() != 0 {
        f.add(rule, format!("`{}` takes no attribute", n.tag_name().name()), &path(n));
    }
    children(n, f, rule)
}

/// The text of a 4774 leaf, exactly as written (white space around it is part of it, as the
/// guard reads it: ` UNCLASSIFIED` is no level, red team s39): no attribute (unless `attrs`
/// names it), no child element, not blank.
fn leaf(n: Node<'_, '_>, local: &str, attrs: &[&str], f: &mut Findings) -> Option<String> {
    let at = path(n);
    if !is(n, NS_4774, local) {
        f.add(
            "label",
            format!("expected 4774 `{local}`, found `{}`", n.tag_name().name()),
            &at,
        );
        return None;
    }
    for a in n.attributes() {
        if a.namespace().is_some() || !attrs.contains(&a.name()) {
            f.add("label", format!("`{local}` takes no attribute `{}`", a.name()), &at);
        }
    }
    let mut t = String::new();
    for c in n.children() {
        match c.node_type() {
            NodeType::Text => t.push_str(c.text().unwrap_or_default()),
            NodeType::Element => {
                f.add("label", format!("`{local}` holds text only"), &at);
                return None;
            }
            _ => {}
        }
    }
    if is_blank(&t) {
        f.add("label", format!("`{local}` is empty"), &at);
        return None;
    }
    Some(t)
}

fn read_label(n: Node<'_, '_>, f: &mut Findings) -> Option<Label> {
    let at = path(n);
    let named = n.tag_name().namespace() == Some(NS_4774)
        && matches!(
            n.tag_name().name(),
            "originatorConfidentialityLabel" | "OriginatorConfidentialityLabel"
        );
    if !named {
        f.add(
            "label-missing",
            format!("`{}` is not a STANAG 4774 label", n.tag_name().name()),
            &at,
        );
        return None;
    }
    // The root's one attribute is `ReviewDateTime`; the guard has read it as an `xs:dateTime`.
    for a in n.attributes() {
        if a.namespace().is_some() || a.name() != "ReviewDateTime" {
            f.add("label", format!("the label takes no attribute `{}`", a.name()), &at);
        }
    }
    let kids = children(n, f, "label");
    let (info, rest) = kids.split_first()?;
    if !is(*info, NS_4774, "ConfidentialityInformation") {
        f.add("label", "the label has no `ConfidentialityInformation` first", &at);
        return None;
    }
    match rest {
        [] => {}
        [c] => {
            leaf(*c, "CreationDateTime", &[], f)?;
        }
        _ => {
            f.add("label", "unexpected elements after the label's content", &at);
            return None;
        }
    }
    // No `OriginatorID` above: the guard never releases one.
    let parts = structure(*info, f, "label");
    let [pid, class, rest @ ..] = parts.as_slice() else {
        f.add("label", "no `PolicyIdentifier` and `Classification`", &path(*info));
        return None;
    };
    let (privacy_mark, cats) = match rest {
        [m, cats @ ..] if is(*m, NS_4774, "PrivacyMark") => (Some(leaf(*m, "PrivacyMark", &[], f)?), cats),
        cats => (None, cats),
    };
    let policy_identifier = leaf(*pid, "PolicyIdentifier", &["URI", "URL"], f)?;
    if pid.attributes().len() > 1 {
        f.add("label", "`PolicyIdentifier` takes one of `URI` and `URL`", &path(*pid));
    }
    let policy_uri = pid
        .attributes()
        .find(|a| a.namespace().is_none() && (a.name() == "URI" || a.name() == "URL"))
        .map(|a| a.value().to_string());
    let classification = leaf(*class, "Classification", &[], f)?;
    let mut categories = Vec::new();
    for c in cats {
        let cat_at = path(*c);
        if !is(*c, NS_4774, "Category") {
            f.add(
                "label",
                format!("expected 4774 `Category`, found `{}`", c.tag_name().name()),
                &cat_at,
            );
            return None;
        }
        let (mut tag_name, mut kind, mut uri) = (None, None, None);
        for a in c.attributes() {
            match (a.namespace(), a.name()) {
                (None, "TagName") => tag_name = Some(a.value().to_string()),
                (None, "Type") => kind = Some(a.value().to_string()),
                (None, "URI") => uri = Some(a.value().to_string()),
                (_, other) => f.add("label", format!("`Category` takes no attribute `{other}`"), &cat_at),
            }
        }
        let (Some(tag_name), Some(kind)) = (tag_name, kind) else {
            f.add("label", "`Category` needs `TagName` and `Type`", &cat_at);
            return None;
        };
        let mut values = Vec::new();
        for v in children(*c, f, "label") {
            values.push(leaf(v, "GenericValue", &[], f)?);
        }
        if values.is_empty() {
            f.add("label", format!("category `{tag_name}` has no `GenericValue`"), &cat_at);
        }
        categories.push(Category {
            tag_name,
            kind,
            uri,
            values,
        });
    }
    Some(Label {
        policy_identifier,
        policy_uri,
        classification,
        privacy_mark,
        categories,
    })
}

/// The element children of `n` (its attributes are checked by the caller); a non-blank text
/// child is a finding.
fn children<'a, 'i>(n: Node<'a, 'i>, f: &mut Findings, rule: &str) -> Vec<Node<'a, 'i>> {
    let mut out = Vec::new();
    for c in n.children() {
        match c.node_type() {
            NodeType::Element => out.push(c),
            NodeType::Text if c.text().is_some_and(is_blank) => {}
            NodeType::Text => f.add(rule, format!("`{}` holds text", n.tag_name().name()), &path(n)),
            // Comments and instructions are judged by the walk over the whole document.
            _ => {}
        }
    }
    out
}

impl Verifier<'_> {
    /// Check an XML output (one that starts with `<`).
    pub(super) fn check_xml(&self, output: &[u8], f: &mut Findings) {
        let p = self.policy;
        let Some(x) = &p.xml else {
            return f.add("format", "an XML output, but the policy has no `[xml]` rules", "output");
        };
        if !p.formats.contains(&Format::Xml) {
            f.add("format", "the policy does not allow XML", "output");
        }
        let Ok(s) = std::str::from_utf8(output) else {
            return f.add("xml", "the output is not UTF-8", "output");
        };
        // The guard writes UTF-8 and declares it so; roxmltree reads the text it is given
        // whatever the declaration says, so a declaration of another encoding is read here (a
        // consumer would decode the same bytes otherwise; red team s39).
        if let Some(enc) = declared_encoding(s)
            && !enc.eq_ignore_ascii_case("UTF-8")
        {
            f.add(
                "xml",
                format!("the XML declaration names the encoding `{enc}`, not UTF-8"),
                "output",
            );
        }
        // roxmltree turns CDATA into text; the marker cannot occur elsewhere outside comments and
        // instructions, which are findings of their own.
        if !x.options.allow_cdata && s.contains("<![CDATA[") {
            f.add("cdata", "a CDATA section, which the policy does not allow", "output");
        }
        let opts = ParsingOptions {
            allow_dtd: false,
            ..ParsingOptions::default()
        };
        let doc = match Document::parse_with_options(s, opts) {
            Ok(d) => d,
            Err(e) => return f.add("xml", e.to_string(), "output"),
        };
        if !self.syntax(&doc, x, f) {
            return;
        }
        prefixes(&doc, f);
        let root = doc.root_element();
        if !is(root, NS_4778, "BindingInformation") {
            return f.add(
                "label-missing",
                format!(
                    "the root is `{}`, not 4778 `BindingInformation`: the output is not labelled",
                    root.tag_name().name()
                ),
                &path(root),
            );
        }
        let mut kids = structure(root, f, "binding");
        // The schema's nesting: one `MetadataBindingContainer` holding one `MetadataBinding`.
        if let [container] = kids.as_slice()
            && is(*container, NS_4778, "MetadataBindingContainer")
        {
            let bindings = structure(*container, f, "binding");
            let [mb] = bindings.as_slice() else {
                return f.add(
                    "binding",
                    "`MetadataBindingContainer` holds exactly one `MetadataBinding`",
                    &path(*container),
                );
            };
            if !is(*mb, NS_4778, "MetadataBinding") {
                return f.add("binding", "expected 4778 `MetadataBinding`", &path(*mb));
            }
            kids = structure(*mb, f, "binding");
        }
        let [metadata, data] = kids.as_slice() else {
            return f.add(
                "binding",
                "`BindingInformation` holds exactly `Metadata` then `Data`",
                "/BindingInformation",
            );
        };
        if !is(*metadata, NS_4778, "Metadata") || !is(*data, NS_4778, "Data") {
            return f.add(
                "binding",
                "`BindingInformation` holds exactly `Metadata` then `Data`",
                "/BindingInformation",
            );
        }
        let labels = structure(*metadata, f, "binding");
        let [label_el] = labels.as_slice() else {
            return f.add(
                "label-missing",
                "`Metadata` holds no single 4774 label",
                &path(*metadata),
            );
        };
        let payloads = structure(*data, f, "binding");
        let [payload] = payloads.as_slice() else {
            return f.add("binding", "`Data` holds exactly one payload element", &path(*data));
        };
        if let Some(label) = read_label(*label_el, f) {
            self.check_xml_label(&label, x, &path(*label_el), f);
        }
        // Rules without paths look at the label's texts too; its `PrivacyMark`, free text, is
        // read like a payload element's (path rules on it, internal addresses).
        for n in label_el.descendants() {
            if n.is_text() {
                let mark = n.parent().is_some_and(|p| is(p, NS_4774, "PrivacyMark"));
                let local = mark.then_some("PrivacyMark");
                self.xml_text(n.text().unwrap_or_default(), local, false, &path(n), f);
            }
            for a in n.attributes() {
                self.xml_text(a.value(), None, true, &path(n), f);
            }
        }
        self.check_payload(*payload, x, f);
    }

    /// Depth, string sizes, comments and instructions over the whole document; false when the
    /// rest cannot be read safely.
    fn syntax(&self, doc: &Document<'_>, x: &XmlPolicy, f: &mut Findings) -> bool {
        let limits = &self.policy.limits;
        for n in doc.descendants() {
            match n.node_type() {
                NodeType::Element => {
                    let depth = n.ancestors().filter(Node::is_element).count();
                    if depth > limits.max_depth {
                        f.add(
                            "limit",
                            format!("elements nested deeper than {}", limits.max_depth),
                            "output",
                        );
                        return false;
                    }
                    for a in n.attributes() {
                        if a.value().len() > limits.max_string_bytes {
                            f.add("limit", "an attribute value over the string limit", &path(n));
                        }
                    }
                }
                NodeType::Text => {
                    if n.text().is_some_and(|t| t.len() > limits.max_string_bytes) {
                        f.add("limit", "a text over the string limit", &path(n));
                    }
                }
                NodeType::Comment if !x.options.allow_comments => {
                    f.add("comment", "a comment, which the policy does not allow", &path(n));
                }
                NodeType::PI => {
                    f.add("instruction", "a processing instruction", &path(n));
                }
                NodeType::Root | NodeType::Comment => {}
            }
        }
        true
    }

    fn check_xml_label(&self, l: &Label, x: &XmlPolicy, at: &str, f: &mut Findings) {
        let p = self.policy;
        // A privacy mark and an informative category state no marking, unless the privacy mark
        // is the label's own classification (with or without the policy identifier before it).
        // Default deny (red team SB05): free text there goes only when the policy lists it.
        let listed = |t: &str| self.free_label_texts.iter().any(|re| re.is_match(t.trim()));
        if let Some(m) = &l.privacy_mark
            && m.trim() != l.classification
            && m.trim() != format!("{} {}", l.policy_identifier, l.classification)
        {
            if label_text_marks(m, p) {
                f.add(
                    "label",
                    format!("the privacy mark `{m}` states a marking the label's classification does not"),
                    at,
                );
            } else if !listed(m) {
                f.add(
                    "label",
                    format!("the privacy mark `{m}` is free text no pattern of `xml.free_label_texts` lets go"),
                    at,
                );
            }
        }
        for cat in l.categories.iter().filter(|c| c.kind == "INFORMATIVE") {
            let texts = || std::iter::once(&cat.tag_name).chain(&cat.values);
            if texts().any(|t| label_text_marks(t, p)) {
                f.add(
                    "label",
                    format!("informative category `{}` states a marking", cat.tag_name),
                    at,
                );
            } else if !texts().all(|t| listed(t)) {
                f.add(
                    "label",
                    format!(
                        "informative category `{}` holds free text the policy does not list",
                        cat.tag_name
                    ),
                    at,
                );
            }
        }
        // A category's URI is an OID or the 4774 URN of that category of the label's own policy
        // (red team SB16).
        for cat in &l.categories {
            let Some(uri) = &cat.uri else { continue };
            let oid = uri.strip_prefix("urn:oid:").is_some_and(|o| {
                !o.is_empty()
                    && o.split('.')
                        .all(|d| (1..=10).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
            });
            let name: String = cat
                .tag_name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            let urn = uri
                .strip_prefix("urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:")
                .and_then(|r| r.split_once(":category:"))
                .is_some_and(|(id, n)| {
                    let own = x.policy_identifiers.get(&l.policy_identifier);
                    own.is_some() && x.policy_identifiers.get(id) == own && n == name
                });
            if !oid && !urn {
                f.add(
                    "label",
                    format!("category `{}` has a URI `{uri}` that does not name it", cat.tag_name),
                    at,
                );
            }
        }
        if x.tlp_required {
            // A 4774 label carries no TLP.
            f.add("label", "no TLP, which the policy's `[xml]` rules require", at);
        }
        let Some(scheme_name) = x.policy_identifiers.get(&l.policy_identifier) else {
            return f.add(
                "label",
                format!("policy identifier `{}` is not one the policy maps", l.policy_identifier),
                at,
            );
        };
        // The URI names a policy as well; it must be the text's. Known forms: the identifier
        // itself, STANAG 4774's `urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:ID`,
        // and NATO's OID.
        if let Some(uri) = &l.policy_uri {
            let id = if let Some(id) = uri.strip_prefix("urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:")
            {
                Some(id)
            } else if uri == "urn:oid:1.3.26.1.3.1" {
                Some("NATO")
            } else {
                None
            };
            let by_uri = x
                .policy_identifiers
                .get(uri)
                .or_else(|| id.and_then(|i| x.policy_identifiers.get(i)));
            if by_uri != Some(scheme_name) {
                f.add(
                    "label",
                    format!(
                        "the URI `{uri}` of `PolicyIdentifier` does not name policy `{}`",
                        l.policy_identifier
                    ),
                    at,
                );
            }
        }
        // A category named like the releasable-to one (read as a person would) must be exactly it.
        for cat in &l.categories {
            let looks = x
                .releasable_to
                .iter()
                .any(|t| super::marking::fold(t) == super::marking::fold(&cat.tag_name));
            if looks && !(cat.kind == "PERMISSIVE" && x.releasable_to.contains(&cat.tag_name)) {
                f.add(
                    "label",
                    format!(
                        "category `{}` ({}) looks like a releasable-to category but is not one",
                        cat.tag_name, cat.kind
                    ),
                    at,
                );
            }
        }
        let level = p.schemes.iter().find(|s| &s.name == scheme_name).and_then(|s| {
            s.levels
                .iter()
                .find(|lv| lv.name == l.classification || lv.aliases.iter().any(|a| a == &l.classification))
        });
        let Some(level) = level else {
            return f.add(
                "label",
                format!("`{}` is not a level of scheme `{scheme_name}`", l.classification),
                at,
            );
        };
        let c = Classification {
            scheme: scheme_name.clone(),
            level: level.name.clone(),
        };
        // The Schemes comparison is a value API over the policy's data (no parsing).
        match p.schemes.compare(&c, &p.ceiling) {
            Ok(std::cmp::Ordering::Greater) => f.add("label", "classified above the ceiling", at),
            Ok(_) => {}
            Err(e) => f.add("label", format!("not comparable with the ceiling: {e}"), at),
        }
        let classified = p.schemes.rank(&c).map_or(true, |r| r > 0);
        let partner = p.partner.as_str();
        let mut rel_to = false;
        for cat in &l.categories {
            match cat.kind.as_str() {
                "PERMISSIVE" if x.releasable_to.contains(&cat.tag_name) => {
                    rel_to = true;
                    // Each value a known country or group code: a value that is none (`RESOLUTE
                    // SUPPORT`, ` JPN`, `XYZ`) is not understood, as the guard does not (red team
                    // s39).
                    if let Some(v) = cat.values.iter().find(|v| !super::label::release_code(v)) {
                        f.add(
                            "label",
                            format!("`{}` holds `{v}`, which is no country or group code", cat.tag_name),
                            at,
                        );
                    }
                    if !cat.values.iter().any(|v| v == partner) {
                        f.add("label", format!("`{}` does not name {partner}", cat.tag_name), at);
                    }
                }
                "PERMISSIVE" | "RESTRICTIVE" if !x.cleared_restrictive.contains(&cat.tag_name) => {
                    f.add(
                        "label",
                        format!("category `{}` is not one the partner is cleared for", cat.tag_name),
                        at,
                    );
                }
                "PERMISSIVE" | "RESTRICTIVE" | "INFORMATIVE" => {}
                other => f.add("label", format!("category type `{other}` is not understood"), at),
            }
        }
        if classified && !rel_to {
            f.add(
                "label",
                format!("classified without a releasable-to category naming {partner}"),
                at,
            );
        }
    }

    /// The payload's own handling markings (red-team F02): an IODEF `restriction` is a TLP
    /// level the policy allows (`white`/`public` CLEAR, `green`, `amber`, `red`), never
    /// `private`, `need-to-know`, `partner`, `default` or another value; a CAP `scope` is
    /// `Public` or `Restricted`, and a CAP `restriction` states no marking, or one that goes.
    fn check_handling(&self, payload: Node<'_, '_>, f: &mut Findings) {
        let p = self.policy;
        for n in payload.descendants().filter(|n| n.is_element()) {
            let ns = n.tag_name().namespace().unwrap_or_default();
            let local = n.tag_name().name();
            // A label in the payload is a second one, which no reader here reads (red team s39).
            if label_part(n.tag_name().namespace(), local)
                || n.attributes().any(|a| label_part(a.namespace(), a.name()))
            {
                f.add(
                    "label-in-payload",
                    format!("the payload's `{local}` is or carries a part of a STANAG 4774 label"),
                    &path(n),
                );
            }
            if IODEF.contains(&ns) {
                // Any attribute whose local name is `restriction`, in any namespace (red team SB02).
                let mut any = false;
                for a in n.attributes() {
                    let tlp = match (a.name(), a.value()) {
                        ("restriction", "white" | "public") => Some(crate::label::Tlp::Clear),
                        ("restriction", "green") => Some(crate::label::Tlp::Green),
                        ("restriction", "amber") => Some(crate::label::Tlp::Amber),
                        ("restriction", "red") => Some(crate::label::Tlp::Red),
                        ("restriction" | "ext-restriction", _) => None,
                        _ => continue,
                    };
                    any = true;
                    if !tlp.is_some_and(|t| p.tlp_allowed.contains(&t)) {
                        f.add(
                            "payload-restriction",
                            format!("IODEF `{}` `{}` may not go", a.name(), a.value()),
                            &path(n),
                        );
                    }
                }
                // An incident's restriction defaults to `private` (RFC 7970, RFC 5070; SB03).
                if !any && local == "Incident" {
                    f.add(
                        "payload-restriction",
                        "IODEF Incident without a restriction is `private`, which may not go",
                        &path(n),
                    );
                }
                // `meaning` names what the element's data is: one naming a marking or a label has
                // its text read as that marking (red team s39).
                if let Some(meaning) = n.attribute("meaning") {
                    let own: String = n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
                    match pair_reading(meaning, own.trim(), p).1 {
                        None => {}
                        Some(Ok(Some(m))) if mark_goes(&m, p) => {}
                        Some(_) => f.add(
                            "payload-restriction",
                            format!("IODEF `{local}` meaning `{meaning}` names a marking that is not one that goes"),
                            &path(n),
                        ),
                    }
                }
                if local == "Address" && !address_parses(n) {
                    f.add(
                        "payload-address-unreadable",
                        "IODEF Address does not parse as its category",
                        &path(n),
                    );
                }
            }
            if !CAP.contains(&ns) {
                continue;
            }
            let t: String = n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
            // Handling in CAP is text only (SB01).
            if matches!(
                local,
                "scope" | "restriction" | "audience" | "code" | "valueName" | "value"
            ) && n.children().any(|c| c.is_element())
            {
                f.add(
                    "payload-restriction",
                    format!("CAP `{local}` holds an element, but is text only"),
                    &path(n),
                );
            }
            let kids = |name: &str| {
                n.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ns))
                    .collect::<Vec<_>>()
            };
            let own_text = |c: &Node<'_, '_>| -> String {
                c.children().filter(|x| x.is_text()).filter_map(|x| x.text()).collect()
            };
            match local {
                // Exactly one scope (CAP 1.2 requires it: none is not Public); a restricted
                // alert names to whom (SB15).
                "alert" => {
                    let scopes = kids("scope");
                    let restricted = scopes.first().is_some_and(|s| own_text(s).trim() == "Restricted");
                    if scopes.len() != 1 || (restricted && kids("restriction").is_empty()) {
                        f.add(
                            "payload-restriction",
                            "a CAP alert has exactly one scope, and a restriction when it is Restricted",
                            &path(n),
                        );
                    }
                }
                "scope" if !matches!(t.trim(), "Public" | "Restricted") => {
                    f.add(
                        "payload-restriction",
                        format!("CAP scope `{}` may not go", t.trim()),
                        &path(n),
                    );
                }
                // A name/value pair naming a marking is that marking (SB12).
                "parameter" | "eventCode" => {
                    let raw: String = kids("valueName").iter().map(&own_text).collect();
                    let value: Vec<String> = kids("value").iter().map(|k| own_text(k).trim().to_string()).collect();
                    let (name, reading) = pair_reading(&raw, &value.join(" "), p);
                    match reading {
                        None => {}
                        Some(Ok(Some(m))) if mark_goes(&m, p) => {}
                        Some(_) => f.add(
                            "payload-restriction",
                            format!("CAP {local} `{name}` names a marking that is not one that goes"),
                            &path(n),
                        ),
                    }
                }
                "code" => match label_text_reading(&t, p) {
                    Ok(None) => {}
                    Ok(Some(m)) if mark_goes(&m, p) => {}
                    Ok(Some(_)) | Err(_) => f.add(
                        "payload-restriction",
                        format!("CAP code `{}` states a marking that may not go", t.trim()),
                        &path(n),
                    ),
                },
                "restriction" | "audience" => match label_text_reading(&t, p) {
                    Ok(None) if self.free_restrictions.iter().any(|re| re.is_match(t.trim())) => {}
                    Ok(None) => f.add(
                        "payload-restriction",
                        format!(
                            "CAP {local} `{}` is free text no pattern of the policy lets go",
                            t.trim()
                        ),
                        &path(n),
                    ),
                    Ok(Some(m)) if mark_goes(&m, p) => {}
                    Ok(Some(_)) => f.add(
                        "payload-restriction",
                        format!("CAP {local} `{}` states a marking that may not go", t.trim()),
                        &path(n),
                    ),
                    Err(e) => f.add(
                        "payload-restriction",
                        format!("CAP {local} states a marking the verifier cannot read: {e}"),
                        &path(n),
                    ),
                },
                _ => {}
            }
        }
    }

    fn check_payload(&self, payload: Node<'_, '_>, x: &XmlPolicy, f: &mut Findings) {
        self.check_handling(payload, f);
        // A namespace declared in the payload must be used by an element or attribute in it.
        let used: std::collections::HashSet<&str> = payload
            .descendants()
            .filter(|n| n.is_element())
            .flat_map(|n| {
                n.tag_name()
                    .namespace()
                    .into_iter()
                    .chain(n.attributes().filter_map(|a| a.namespace()))
            })
            .collect();
        for n in payload.descendants().filter(|n| n.is_element()) {
            let parent_has = |uri: &str| {
                n.parent_element()
                    .is_some_and(|p| p.namespaces().any(|d| d.uri() == uri))
            };
            for d in n.namespaces() {
                if !parent_has(d.uri()) && d.uri() != XML_NS && !used.contains(d.uri()) {
                    f.add(
                        "namespace-declaration",
                        format!("`{}` is declared but nothing uses it", d.uri()),
                        &path(n),
                    );
                }
            }
        }
        for n in payload.descendants() {
            match n.node_type() {
                NodeType::Element => {
                    let at = path(n);
                    let ens = n.tag_name().namespace();
                    let local = n.tag_name().name();
                    let allowed = ens
                        .and_then(|ns| x.namespaces.get(ns))
                        .is_some_and(|ns| ns.elements.contains(local));
                    if !allowed {
                        f.add(
                            "element-allowlist",
                            format!("`{local}` in `{}` is not allowed", ens.unwrap_or("no namespace")),
                            &at,
                        );
                    }
                    for a in n.attributes() {
                        let ns = match a.namespace() {
                            None | Some(XML_NS) => ens,
                            Some(other) => Some(other),
                        };
                        // `xml:lang` and `xml:space` are the `xml:` attributes there are.
                        let invented = a.namespace() == Some(XML_NS) && !matches!(a.name(), "lang" | "space");
                        let ok = !invented
                            && ns
                                .and_then(|ns| x.namespaces.get(ns))
                                .is_some_and(|ns| ns.attributes.contains(a.name()));
                        if !ok {
                            f.add(
                                "attribute-allowlist",
                                format!("attribute `{}` is not allowed", a.name()),
                                &at,
                            );
                        }
                        self.xml_text(a.value(), Some(a.name()), true, &at, f);
                    }
                }
                NodeType::Text => {
                    let local = n.parent_element().map(|e| e.tag_name().name());
                    self.xml_text(
                        n.text().unwrap_or_default(),
                        Some(local.unwrap_or_default()),
                        false,
                        &path(n),
                        f,
                    );
                }
                _ => {}
            }
        }
    }

    /// The text rules over one string of element or attribute `local` (`None`: only rules
    /// without paths). Blank strings are indentation, as the guard treats them.
    fn xml_text(&self, s: &str, local: Option<&str>, attribute: bool, at: &str, f: &mut Findings) {
        if is_blank(s) {
            return;
        }
        // Payload strings must not point inside the internal ranges and domains.
        if local.is_some()
            && let Some(hit) = text::value_reveals(s, local == Some("Address"), &self.nets, &self.domains)
        {
            f.add(
                "internal-address",
                format!("`{hit}` is inside an internal range or domain"),
                at,
            );
        }
        // Text a screen shows that no rule reads (a `data:` URI of compressed bytes, CSS
        // generated content) may not go, however clean the rest reads.
        if local.is_some()
            && let Some(why) = text::unread(s)
        {
            f.add("text-unreadable", why, at);
        }
        // A marking written in a payload string is the document's too: one the verifier cannot
        // read, or that may not go, fails the output (the label's `PrivacyMark` is read with the
        // label).
        if local.is_some_and(|l| l != "PrivacyMark") {
            let found = super::marking::marks_in_each(s, self.policy);
            let prose = self.prose.marks_in(s, &found);
            for m in found.into_keys().chain(prose) {
                match super::marking::read(&m, self.policy) {
                    Ok(Some(mark)) if mark_goes(&mark, self.policy) => {}
                    Ok(None) => {}
                    Ok(Some(_)) => f.add("marking-in-text", format!("the text holds `{m}`, which may not go"), at),
                    Err(e) => f.add("marking-in-text", format!("the text holds `{m}`, a marking: {e}"), at),
                }
            }
        }
        if self.rules.is_empty() {
            return;
        }
        let n = text::normalise(s);
        // And read with its escapes decoded (`&amp;#64;` is text `&#64;`, which is `@`).
        let decoded: Vec<String> = text::unescaped(s).iter().map(|u| text::normalise(u)).collect();
        // The names from the root to the string: its element's, then its attribute's.
        let chain: Vec<&str> = at
            .split('/')
            .filter(|x| !x.is_empty())
            .chain(local.filter(|_| attribute))
            .collect();
        let on = |(t, steps): &(String, Vec<String>)| (t == "*" || t == "xml") && path_selects(steps, &chain);
        for rule in &self.rules {
            let excepted = local.is_some() && rule.except.iter().any(on);
            let selected = !excepted
                && match (&rule.paths, local) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(paths), Some(_)) => paths.iter().any(on),
                };
            if selected && (rule.matches_normalised(&n) || decoded.iter().any(|d| rule.matches_normalised(d))) {
                f.add("text-rule", format!("rule `{}` still matches a text", rule.id), at);
            }
        }
    }
}

/// The prefixes the guard writes (red-team F04): `mb` for the 4778 binding, `slab` for the 4774
/// label, `xml`, and `ns1`, `ns2`, … for the payload's other namespaces; a prefix the sender
/// chose (`intranet.corp.example:`, `Operation-NIGHTJAR:`) never crosses. Every prefix in
/// scope anywhere is one of these, bound to its namespace (so every prefix used is).
fn prefixes(doc: &Document<'_>, f: &mut Findings) {
    let numbered = |p: &str| {
        p.strip_prefix("ns").is_some_and(|d| {
            !d.is_empty() && !d.starts_with('0') && d.len() <= 3 && d.chars().all(|c| c.is_ascii_digit())
        })
    };
    for n in doc.descendants().filter(|n| n.is_element()) {
        for d in n.namespaces() {
            let ok = match (d.name(), d.uri()) {
                (None, _) => true,
                (Some("xml"), XML_NS) | (Some("mb"), NS_4778) | (Some("slab"), NS_4774) => true,
                (Some(p), uri) => numbered(p) && !matches!(uri, XML_NS | NS_4778 | NS_4774),
            };
            if !ok {
                f.add(
                    "prefix",
                    format!(
                        "prefix `{}` bound to `{}` is not one the guard writes",
                        d.name().unwrap_or_default(),
                        d.uri()
                    ),
                    &path(n),
                );
                return;
            }
        }
    }
}

/// Special category words of NATO labels and `COSMIC`, folded.
const NATO_WORDS: &[&str] = &["atomal", "bohemia", "balk", "crypto", "siop", "cosmic"];

/// What a text of a label or a payload states as a marking: `Ok(None)` nothing, `Ok(Some)` a
/// marking the verifier reads exactly, `Err` one it cannot read. Read as written and with a
/// space where ASCII meets another script (a Japanese sentence writes `NOFORN扱い` without
/// one); a NATO special category word, or `ONLY` after a country or organisation (`US ONLY`),
/// cannot be read.
fn label_text_reading(t: &str, policy: &crate::policy::Policy) -> Result<Option<Mark>, String> {
    let folded = super::marking::fold(t);
    let mut split = String::new();
    let mut prev: Option<char> = None;
    for c in folded.chars() {
        if prev.is_some_and(|p| p.is_alphanumeric() && c.is_alphanumeric() && p.is_ascii() != c.is_ascii()) {
            split.push(' ');
        }
        split.push(c);
        prev = Some(c);
    }
    let as_written = super::marking::read(t, policy)?;
    if !matches!(super::marking::read(&split, policy), Ok(None)) && as_written.is_none() {
        return Err(format!("`{t}` holds a marking word inside another script's text"));
    }
    let words: Vec<&str> = split
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let place = |w: &str| {
        matches!(w, "us" | "uk")
            || (w.len() >= 3 && w.len() <= 4 && w.chars().all(|c| c.is_ascii_lowercase()) && w != "for" && w != "the")
    };
    if words.iter().any(|w| NATO_WORDS.contains(w)) || words.windows(2).any(|p| matches!(p, [w, "only"] if place(w))) {
        return Err(format!("`{t}` states a special category or a dissemination limit"));
    }
    Ok(as_written)
}

/// Whether a text of a label states a marking at all ([`label_text_reading`]).
fn label_text_marks(t: &str, policy: &crate::policy::Policy) -> bool {
    !matches!(label_text_reading(t, policy), Ok(None))
}

/// Whether a marking the verifier read lets a message go to the policy's partner: its TLP level
/// allowed, its controls allowed, its level within the ceiling, and a classified one `REL TO`
/// the partner.
fn mark_goes(m: &Mark, p: &crate::policy::Policy) -> bool {
    let partner = p.partner.as_str();
    let allowed = super::label::allowed_control_words(p);
    let rel_ok = m.rel_to.as_ref().is_none_or(|r| r.contains(partner));
    let level_ok = m.level.as_ref().is_none_or(|(scheme, level)| {
        super::within_ceiling(p, scheme, *level)
            && (*level == 0 || m.rel_to.as_ref().is_some_and(|r| r.contains(partner)))
    });
    m.tlp.is_none_or(|t| p.tlp_allowed.contains(&t))
        && m.controls.iter().all(|c| allowed.contains(c))
        && rel_ok
        && level_ok
}

/// Whether an IODEF `Address` parses as its `category` says (RFC 7970 §3.19.1; red team SB04):
/// the typed categories strictly, by `std::net`; `atm`, `e-mail`, `site-uri` and `ext-value`
/// are read as text; an unknown category is not understood.
fn address_parses(n: Node<'_, '_>) -> bool {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let t: String = n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
    let t = t.trim();
    // The replacement the guard writes for a redacted internal address holds none.
    if t == "[REDACTED]" {
        return true;
    }
    let ip4 = |s: &str| s.parse::<Ipv4Addr>().is_ok();
    let ip6 = |s: &str| s.parse::<Ipv6Addr>().is_ok();
    let bits = |s: &str, most: u32| {
        !s.is_empty()
            && s.len() <= 3
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|b| b <= most)
    };
    let pair = |ok: &dyn Fn(&str) -> bool, most: u32| match t.split_once('/') {
        Some((a, b)) => ok(a) && (ok(b) || bits(b, most)),
        None => false,
    };
    match n.attribute("category") {
        None => ip4(t) || ip6(t),
        Some("ipv4-addr") => ip4(t),
        Some("ipv6-addr") => ip6(t),
        Some("ipv4-net") => t.split_once('/').is_some_and(|(a, b)| ip4(a) && bits(b, 32)),
        Some("ipv6-net") => t.split_once('/').is_some_and(|(a, b)| ip6(a) && bits(b, 128)),
        Some("ipv4-net-mask" | "ipv4-net-masked") => pair(&ip4, 32),
        Some("ipv6-net-mask" | "ipv6-net-masked") => pair(&ip6, 128),
        Some("mac") => {
            let groups: Vec<&str> = t.split([':', '-']).collect();
            groups.len() == 6
                && groups
                    .iter()
                    .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_hexdigit()))
        }
        Some("asn") => {
            !t.is_empty() && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit()) && t.parse::<u32>().is_ok()
        }
        Some("atm" | "e-mail" | "site-uri" | "ext-value") => true,
        Some(_) => false,
    }
}

/// The IODEF namespaces (RFC 7970, RFC 5070) and the CAP ones (1.2, 1.1, 1.0).
const IODEF: &[&str] = &["urn:ietf:params:xml:ns:iodef-2.0", "urn:ietf:params:xml:ns:iodef-1.0"];
const CAP: &[&str] = &[
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
    "http://www.incident.com/cap/1.0",
];

/// Whether the steps of a path (names, `**` for any number of them) name the end of `chain`.
/// The set of chain lengths still to match, from the last step back: at most 65 of them.
fn path_selects(steps: &[String], chain: &[&str]) -> bool {
    let mut open: Vec<usize> = vec![chain.len()];
    for step in steps.iter().rev() {
        open = if step == "**" {
            (0..=open.iter().copied().max().unwrap_or(0)).collect()
        } else {
            open.iter()
                .filter_map(|&k| k.checked_sub(1).filter(|&j| chain.get(j) == Some(&step.as_str())))
                .collect()
        };
        open.dedup();
    }
    // A path of `**` alone selects every string of some element; an empty one nothing.
    !open.is_empty() && !steps.is_empty() && (steps.iter().any(|s| s != "**") || !chain.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::verify;
    use crate::policy::Policy;

    fn policy() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    fn message(rel_to: &str, payload: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<mb:BindingInformation xmlns:mb="urn:nato:stanag:4778:bindinginformation:1:0">
  <mb:Metadata>
  <slab:originatorConfidentialityLabel xmlns:slab="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"><slab:ConfidentialityInformation><slab:PolicyIdentifier URI="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO">NATO</slab:PolicyIdentifier><slab:Classification>SECRET</slab:Classification><slab:Category TagName="Releasable to" Type="PERMISSIVE"><slab:GenericValue>NATO</slab:GenericValue><slab:GenericValue>{rel_to}</slab:GenericValue></slab:Category></slab:ConfidentialityInformation><slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime></slab:originatorConfidentialityLabel>
  </mb:Metadata>
  <mb:Data>
    <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier>CAP-1</identifier>
      <scope>Public</scope>
      <info>
        <headline>C2 server active</headline>
        {payload}
      </info>
    </alert>
  </mb:Data>
</mb:BindingInformation>
"#
        )
        .into_bytes()
    }

    fn rules(r: Result<(), Vec<super::super::Finding>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn passes_a_releasable_message() {
        assert_eq!(
            verify(&message("JPN", "<description>Beacons</description>"), &policy()),
            Ok(())
        );
    }

    #[test]
    fn passes_the_released_sample() {
        let out = include_bytes!("../../policies/us-to-jpn/tests/xml-cap-nato-unclassified-rel-jpn.out.xml");
        assert_eq!(verify(out, &policy()), Ok(()));
    }

    #[test]
    fn fails_a_wrong_partner() {
        assert_eq!(rules(verify(&message("GBR", ""), &policy())), ["label"]);
    }

    #[test]
    fn fails_an_element_outside_the_allowlist() {
        assert_eq!(
            rules(verify(&message("JPN", "<contact>duty</contact>"), &policy())),
            ["element-allowlist"]
        );
    }

    #[test]
    fn fails_an_attribute_outside_the_allowlist() {
        assert_eq!(
            rules(verify(
                &message("JPN", r#"<description secret="1">x</description>"#),
                &policy()
            )),
            ["attribute-allowlist"]
        );
    }

    #[test]
    fn fails_a_dirty_word() {
        let m = message("JPN", "<description>Seen during Operation Nightjar</description>");
        assert_eq!(rules(verify(&m, &policy())), ["text-rule"]);
    }

    #[test]
    fn fails_a_remaining_email_address() {
        let m = message("JPN", "<description>mail bob@example.com</description>");
        assert_eq!(rules(verify(&m, &policy())), ["text-rule"]);
    }

    #[test]
    fn fails_an_internal_address_or_domain_in_the_payload() {
        let m = message("JPN", "<description>beacon to 10.20.30.40 every hour</description>");
        assert_eq!(rules(verify(&m, &policy())), ["internal-address"]);
        let m = message("JPN", "<web>https://wiki.corp.example/ir</web>");
        assert_eq!(rules(verify(&m, &policy())), ["internal-address"]);
        let m = message("JPN", "<description>beacon to 198.51.100.7 every hour</description>");
        assert!(verify(&m, &policy()).is_ok());
    }

    #[test]
    fn fails_an_internal_address_in_the_labels_privacy_mark() {
        let with_mark = |mark: &str| {
            let m = message("JPN", "<identifier>x</identifier>");
            let m = String::from_utf8(m).unwrap_or_default();
            m.replace(
                "</slab:Classification>",
                &format!("</slab:Classification><slab:PrivacyMark>{mark}</slab:PrivacyMark>"),
            )
            .into_bytes()
        };
        assert!(verify(&with_mark("STAFF"), &policy()).is_ok());
        // (Free text the policy does not list besides: red team SB05.)
        assert_eq!(
            rules(verify(&with_mark("ask 10.20.30.40"), &policy())),
            ["label", "internal-address"]
        );
    }

    //--- case: red-team F03: a privacy mark or an informative category that states a marking
    #[test]
    fn fails_a_privacy_mark_or_informative_category_that_states_a_marking() {
        let m = String::from_utf8(message("JPN", "<identifier>x</identifier>")).unwrap_or_default();
        let m = m.replace(">SECRET<", ">UNCLASSIFIED<");
        let with_mark = |mark: &str| {
            m.replace(
                "</slab:Classification>",
                &format!("</slab:Classification><slab:PrivacyMark>{mark}</slab:PrivacyMark>"),
            )
            .into_bytes()
        };
        let informative = |name: &str, value: &str| {
            m.replace(
                "</slab:Category>",
                &format!("</slab:Category><slab:Category TagName=\"{name}\" Type=\"INFORMATIVE\"><slab:GenericValue>{value}</slab:GenericValue></slab:Category>"),
            )
            .into_bytes()
        };
        for mark in ["EXERCISE ONLY", "UNCLASSIFIED", "NATO UNCLASSIFIED"] {
            assert_eq!(verify(&with_mark(mark), &policy()), Ok(()), "{mark}");
        }
        for mark in [
            "SECRET//NOFORN",
            "ORCON",
            "TLP:RED",
            "US ONLY",
            "NOFORN扱い",
            "ＮＯＦＯＲＮ扱い",
            "ATOMAL",
        ] {
            assert_eq!(rules(verify(&with_mark(mark), &policy())), ["label"], "{mark}");
        }
        assert_eq!(verify(&informative("Administrative", "STAFF"), &policy()), Ok(()));
        for (n, v) in [
            ("Dissemination", "NOFORN"),
            ("Special Category Designator", "ATOMAL"),
            ("Handling", "REL TO USA, JPN"),
            ("NOFORN", "x"),
        ] {
            assert_eq!(rules(verify(&informative(n, v), &policy())), ["label"], "{n} {v}");
        }
    }

    //--- case: red-team F04: a prefix the guard would not write
    #[test]
    fn fails_a_prefix_the_guard_does_not_write() {
        let m = String::from_utf8(message("JPN", "<description>Beacons</description>")).unwrap_or_default();
        // A prefix renamed where it is declared and where it is used.
        let renamed = |from: &str, to: &str| {
            m.replace(&format!("xmlns:{from}="), &format!("xmlns:{to}="))
                .replace(&format!("<{from}:"), &format!("<{to}:"))
                .replace(&format!("</{from}:"), &format!("</{to}:"))
                .into_bytes()
        };
        for (from, to) in [
            ("mb", "intranet.corp.example"),
            ("slab", "Operation-NIGHTJAR"),
            ("mb", "ns1"),
            ("slab", "ns2"),
            ("slab", "SECRET-NOFORN.corp.example"),
        ] {
            let bad = renamed(from, to);
            assert!(
                rules(verify(&bad, &policy())).contains(&"prefix".to_string()),
                "{from} -> {to}"
            );
        }
        let ip = m.replace(
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
            "<ip-10.20.30.40:alert xmlns:ip-10.20.30.40=\"urn:oasis:names:tc:emergency:cap:1.2\">",
        );
        let ip = ip.replace("</alert>", "</ip-10.20.30.40:alert>");
        assert!(rules(verify(ip.as_bytes(), &policy())).contains(&"prefix".to_string()));
        let unused = m.replace("xmlns:slab=", "xmlns:mb2=\"urn:x\" xmlns:slab=");
        assert!(rules(verify(unused.as_bytes(), &policy())).contains(&"prefix".to_string()));
        // The guard's own: `ns1` for another namespace of the payload.
        let ok = m.replace(
            "<description>Beacons</description>",
            "<ns1:description xmlns:ns1=\"urn:oasis:names:tc:emergency:cap:1.2\">Beacons</ns1:description>",
        );
        assert_eq!(verify(ok.as_bytes(), &policy()), Ok(()));
    }

    #[test]
    fn fails_an_unlabelled_message() {
        let m = br#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>"#;
        assert_eq!(rules(verify(m, &policy())), ["label-missing"]);
    }

    #[test]
    fn fails_a_comment_a_cdata_and_an_instruction() {
        let m = message("JPN", "<!-- c --><description><![CDATA[x]]></description><?pi x?>");
        let mut r = rules(verify(&m, &policy()));
        r.sort();
        assert_eq!(r, ["cdata", "comment", "instruction"]);
    }

    #[test]
    fn fails_a_doctype() {
        let m = b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
        assert_eq!(rules(verify(m, &policy())), ["xml"]);
    }
}
