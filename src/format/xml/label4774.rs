//! NATO STANAG 4774 confidentiality labels, bound to an XML payload by a STANAG 4778 wrapper,
//! read into a format-independent [`Label`] through the policy's `[xml]` mapping.
//!
//! The binding (namespace [`NS_4778`]) this module accepts:
//!
//! ```text
//! <mb:BindingInformation xmlns:mb="urn:nato:stanag:4778:bindinginformation:1:0">
//!   <mb:Metadata>   exactly one 4774 label                     </mb:Metadata>
//!   <mb:Data>       exactly one payload element (CAP, IODEF …)  </mb:Data>
//! </mb:BindingInformation>
//! ```
//!
//! The label (ADatP-4774, namespace [`NS_4774`]), in this order and nothing else:
//!
//! ```text
//! originatorConfidentialityLabel            (published variant: OriginatorConfidentialityLabel)
//!   ConfidentialityInformation
//!     PolicyIdentifier  @URI?               (published variant: @URL)     text: e.g. NATO
//!     Classification                                                      text: e.g. SECRET
//!     Category*  @TagName @Type(PERMISSIVE|RESTRICTIVE|INFORMATIVE) @URI?
//!       GenericValue+                                                     text
//!   CreationDateTime?                                                     text: xs:dateTime
//! ```
//!
//! The two published spellings of the root and of the policy identifier's attribute are the
//! only variations accepted; any other element, attribute, text where elements belong, or
//! element in another namespace is an error. A label is rebuilt from this model
//! ([`ConfidentialityLabel::to_element`]), never passed through as read.

use std::borrow::Cow;

use super::{Attribute, Builder, Document, Element, Node};
use crate::label::{Code, Label, RelTo, Releasability};
use crate::policy::Policy;

/// STANAG 4774 confidentiality metadata label namespace.
pub const NS_4774: &str = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0";
/// STANAG 4778 binding information namespace.
pub const NS_4778: &str = "urn:nato:stanag:4778:bindinginformation:1:0";

/// The two published spellings of the label's root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootName {
    /// `originatorConfidentialityLabel` (the ADatP-4774 schema).
    Lower,
    /// `OriginatorConfidentialityLabel` (in some published samples).
    Upper,
}

impl RootName {
    fn as_str(self) -> &'static str {
        match self {
            RootName::Lower => "originatorConfidentialityLabel",
            RootName::Upper => "OriginatorConfidentialityLabel",
        }
    }
}

/// The two published names of `PolicyIdentifier`'s attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriAttribute {
    Uri,
    Url,
}

impl UriAttribute {
    fn as_str(self) -> &'static str {
        match self {
            UriAttribute::Uri => "URI",
            UriAttribute::Url => "URL",
        }
    }
}

/// A category's type: how its values restrict access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryType {
    /// A reader needs any one of the values (e.g. "Releasable to").
    Permissive,
    /// A reader needs every value (e.g. a special access caveat).
    Restrictive,
    /// Information only.
    Informative,
}

impl CategoryType {
    fn as_str(self) -> &'static str {
        match self {
            CategoryType::Permissive => "PERMISSIVE",
            CategoryType::Restrictive => "RESTRICTIVE",
            CategoryType::Informative => "INFORMATIVE",
        }
    }
}

/// One `Category`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub tag_name: String,
    pub kind: CategoryType,
    pub uri: Option<String>,
    pub values: Vec<String>,
}

/// A label as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidentialityLabel {
    pub root: RootName,
    pub policy_identifier: String,
    pub policy_uri: Option<(UriAttribute, String)>,
    pub classification: String,
    pub categories: Vec<Category>,
    pub creation: Option<String>,
}

/// Why a label or a binding could not be read or mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {rule}: {detail}")]
pub struct LabelError {
    /// `binding`, `label-missing`, `label-syntax`, `label-policy`, `label-classification`,
    /// `label-category`.
    pub rule: &'static str,
    pub detail: String,
    /// The element path.
    pub at: String,
}

fn error(rule: &'static str, at: &str, detail: impl Into<String>) -> LabelError {
    LabelError {
        rule,
        detail: detail.into(),
        at: at.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// The 4778 binding
// ---------------------------------------------------------------------------------------------

/// The parts of a bound message: the ids ([`Element::id`]) of the `Metadata` and `Data` children
/// of the root, and of the label and payload elements inside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub metadata: usize,
    pub label: usize,
    pub data: usize,
    pub payload: usize,
}

/// The one child element of `e`; anything else but white space is an error.
fn only_children<'d, 'a>(e: Element<'d, 'a>, at: &str) -> Result<Vec<Element<'d, 'a>>, LabelError> {
    let mut out = Vec::new();
    for c in e.children() {
        match c {
            Node::Element(x) => out.push(x),
            Node::Text(t) if t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) => {}
            Node::Text(_) => {
                return Err(error(
                    "label-syntax",
                    at,
                    format!("text in `{}`, which holds only elements", e.qname()),
                ));
            }
        }
    }
    Ok(out)
}

fn no_attributes(e: Element<'_, '_>, at: &str, rule: &'static str) -> Result<(), LabelError> {
    match e.attributes().first() {
        Some(a) => Err(error(
            rule,
            at,
            format!("`{}` takes no attribute `{}`", e.qname(), a.local),
        )),
        None => Ok(()),
    }
}

/// Find the label and the payload of a bound message.
pub fn binding(doc: &Document<'_>) -> Result<Binding, LabelError> {
    let root = doc.root();
    let at = format!("/{}", root.qname());
    if !root.is(NS_4778, "BindingInformation") {
        return Err(error(
            "label-missing",
            &at,
            format!(
                "the message is not bound to a STANAG 4774 label: its root is `{}`{}, not 4778 `BindingInformation`; a message without a label is unreleasable",
                root.local(),
                root.namespace()
                    .map(|n| n.as_ref())
                    .map(|n| format!(" in `{n}`"))
                    .unwrap_or_default()
            ),
        ));
    }
    no_attributes(root, &at, "binding")?;
    let kids = only_children(root, &at).map_err(|e| LabelError { rule: "binding", ..e })?;
    let [m, d] = kids.as_slice() else {
        return Err(error(
            "binding",
            &at,
            "`BindingInformation` holds exactly `Metadata` then `Data`",
        ));
    };
    if !m.is(NS_4778, "Metadata") || !d.is(NS_4778, "Data") {
        return Err(error(
            "binding",
            &at,
            "`BindingInformation` holds exactly `Metadata` then `Data`",
        ));
    }
    let mat = format!("{at}/{}", m.qname());
    let dat = format!("{at}/{}", d.qname());
    no_attributes(*m, &mat, "binding")?;
    no_attributes(*d, &dat, "binding")?;
    let labels = only_children(*m, &mat).map_err(|e| LabelError { rule: "binding", ..e })?;
    let label = match labels.as_slice() {
        [] => {
            return Err(error(
                "label-missing",
                &mat,
                "`Metadata` holds no STANAG 4774 label; a message without a label is unreleasable",
            ));
        }
        [l] => l.id(),
        _ => {
            return Err(error(
                "binding",
                &mat,
                "`Metadata` holds more than one element; exactly one label is bound",
            ));
        }
    };
    let payloads = only_children(*d, &dat).map_err(|e| LabelError { rule: "binding", ..e })?;
    let [payload] = payloads.as_slice() else {
        return Err(error("binding", &dat, "`Data` holds exactly one payload element"));
    };
    Ok(Binding {
        metadata: m.id(),
        label,
        data: d.id(),
        payload: payload.id(),
    })
}

// ---------------------------------------------------------------------------------------------
// Reading a label
// ---------------------------------------------------------------------------------------------

/// The element's text, which must be all it holds.
fn text_only(e: Element<'_, '_>, at: &str) -> Result<String, LabelError> {
    if e.elements().next().is_some() {
        return Err(error("label-syntax", at, format!("`{}` holds text only", e.local())));
    }
    let t = e.text();
    if t.is_empty() {
        return Err(error("label-syntax", at, format!("`{}` is empty", e.local())));
    }
    Ok(t.into_owned())
}

fn expect_4774<'d, 'a>(e: Element<'d, 'a>, parent: &str, local: &str) -> Result<(String, Element<'d, 'a>), LabelError> {
    let at = format!("{parent}/{}", e.qname());
    if !e.is(NS_4774, local) {
        return Err(error(
            "label-syntax",
            &at,
            format!(
                "expected 4774 `{local}`, found `{}`{}",
                e.local(),
                e.namespace().map(|n| format!(" in `{n}`")).unwrap_or_default()
            ),
        ));
    }
    Ok((at, e))
}

impl ConfidentialityLabel {
    /// Read a label element (`at` is its path, for errors).
    pub fn read(e: Element<'_, '_>, at: &str) -> Result<ConfidentialityLabel, LabelError> {
        let root = match (e.namespace().map(|n| n.as_ref()), e.local()) {
            (Some(NS_4774), "originatorConfidentialityLabel") => RootName::Lower,
            (Some(NS_4774), "OriginatorConfidentialityLabel") => RootName::Upper,
            (ns, local) => {
                return Err(error(
                    "label-syntax",
                    at,
                    format!(
                        "`{local}`{} is not a STANAG 4774 label (expected `originatorConfidentialityLabel` in `{NS_4774}`)",
                        ns.map(|n| format!(" in `{n}`")).unwrap_or_default()
                    ),
                ));
            }
        };
        no_attributes(e, at, "label-syntax")?;
        let kids = only_children(e, at)?;
        let mut kids = kids.into_iter();
        let Some(info) = kids.next() else {
            return Err(error(
                "label-syntax",
                at,
                "the label has no `ConfidentialityInformation`",
            ));
        };
        let (info_at, info) = expect_4774(info, at, "ConfidentialityInformation")?;
        no_attributes(info, &info_at, "label-syntax")?;
        let creation = match kids.next() {
            None => None,
            Some(c) => {
                let (cat, c) = expect_4774(c, at, "CreationDateTime")?;
                no_attributes(c, &cat, "label-syntax")?;
                let t = text_only(c, &cat)?;
                if !is_date_time(&t) {
                    return Err(error("label-syntax", &cat, format!("`{t}` is not an xs:dateTime")));
                }
                Some(t)
            }
        };
        if let Some(extra) = kids.next() {
            return Err(error(
                "label-syntax",
                at,
                format!("unexpected `{}` after the label's content", extra.local()),
            ));
        }

        let parts = only_children(info, &info_at)?;
        let mut parts = parts.into_iter().peekable();
        let Some(pid) = parts.next() else {
            return Err(error("label-syntax", &info_at, "no `PolicyIdentifier`"));
        };
        let (pid_at, pid) = expect_4774(pid, &info_at, "PolicyIdentifier")?;
        let mut policy_uri = None;
        for a in pid.attributes() {
            let which = match (a.namespace.as_deref(), a.local) {
                (None, "URI") => UriAttribute::Uri,
                (None, "URL") => UriAttribute::Url,
                _ => {
                    return Err(error(
                        "label-syntax",
                        &pid_at,
                        format!("`PolicyIdentifier` takes `URI` or `URL`, not `{}`", a.local),
                    ));
                }
            };
            if policy_uri.is_some() {
                return Err(error(
                    "label-syntax",
                    &pid_at,
                    "`PolicyIdentifier` takes one of `URI` and `URL`",
                ));
            }
            policy_uri = Some((which, a.value.to_string()));
        }
        let policy_identifier = text_only(pid, &pid_at)?;
        let Some(class) = parts.next() else {
            return Err(error("label-syntax", &info_at, "no `Classification`"));
        };
        let (class_at, class) = expect_4774(class, &info_at, "Classification")?;
        no_attributes(class, &class_at, "label-syntax")?;
        let classification = text_only(class, &class_at)?;
        let mut categories = Vec::new();
        for c in parts {
            let (cat_at, c) = expect_4774(c, &info_at, "Category")?;
            categories.push(read_category(c, &cat_at)?);
        }
        Ok(ConfidentialityLabel {
            root,
            policy_identifier,
            policy_uri,
            classification,
            categories,
            creation,
        })
    }

    /// Write the label as an element, with the name, prefix and namespace declarations of
    /// `like` (the element it was read from), children in the same prefix, and nothing else.
    pub fn write<'a>(&self, like: Element<'_, 'a>, b: &mut Builder<'a>) {
        let prefix = like.prefix();
        let ns = || Some(Cow::Borrowed(NS_4774));
        let attr = |local: &'static str, value: &str| Attribute {
            prefix: None,
            local,
            namespace: None,
            value: Cow::Owned(value.to_string()),
        };
        let leaf = |b: &mut Builder<'a>, local: &'static str, attrs: Vec<Attribute<'a>>, t: &str| {
            b.open(prefix, local, ns(), [], attrs);
            b.text(Cow::Owned(t.to_string()));
            b.close();
        };
        b.open(
            prefix,
            self.root.as_str(),
            ns(),
            like.declarations().iter().cloned(),
            [],
        );
        b.open(prefix, "ConfidentialityInformation", ns(), [], []);
        let pid = match &self.policy_uri {
            Some((which, uri)) => vec![attr(which.as_str(), uri)],
            None => Vec::new(),
        };
        leaf(b, "PolicyIdentifier", pid, &self.policy_identifier);
        leaf(b, "Classification", Vec::new(), &self.classification);
        for c in &self.categories {
            let mut attrs = vec![attr("TagName", &c.tag_name), attr("Type", c.kind.as_str())];
            if let Some(u) = &c.uri {
                attrs.push(attr("URI", u));
            }
            b.open(prefix, "Category", ns(), [], attrs);
            for v in &c.values {
                leaf(b, "GenericValue", Vec::new(), v);
            }
            b.close();
        }
        b.close();
        if let Some(t) = &self.creation {
            leaf(b, "CreationDateTime", Vec::new(), t);
        }
        b.close();
    }

    /// The label in the policy's terms: the scheme its policy identifier maps to, the level
    /// its classification names there, and the releasable-to set of its "Releasable to"
    /// permissive categories (several intersect). Categories the policy does not clear are
    /// judged by [`ConfidentialityLabel::uncleared`], not here.
    pub fn to_label(&self, policy: &Policy, at: &str) -> Result<Label, LabelError> {
        let Some(xml) = &policy.xml else {
            return Err(error("label-policy", at, "the policy has no `[xml]` rules"));
        };
        let Some(scheme_name) = xml.policy_identifiers.get(&self.policy_identifier) else {
            let known: Vec<&str> = xml.policy_identifiers.keys().map(String::as_str).collect();
            return Err(error(
                "label-policy",
                at,
                format!(
                    "policy identifier `{}` is not one this policy maps (it maps {})",
                    self.policy_identifier,
                    known.join(", ")
                ),
            ));
        };
        let Some(scheme) = policy.schemes.get(scheme_name) else {
            return Err(error(
                "label-policy",
                at,
                format!("scheme `{scheme_name}` is not defined"),
            ));
        };
        let Some(classification) = scheme
            .level_index(&self.classification)
            .and_then(|i| scheme.classification(i))
        else {
            return Err(error(
                "label-classification",
                at,
                format!(
                    "`{}` is not a level of policy `{}` (scheme `{}`)",
                    self.classification, self.policy_identifier, scheme.name
                ),
            ));
        };
        let mut releasable_to = Releasability::Unrestricted;
        for c in &self.categories {
            if c.kind != CategoryType::Permissive || !xml.releasable_to.contains(&c.tag_name) {
                continue;
            }
            let mut codes = Vec::with_capacity(c.values.len());
            for v in &c.values {
                let code = Code::parse(v)
                    .map_err(|e| error("label-category", at, format!("`{}` category: {e}", c.tag_name)))?;
                codes.push(code);
            }
            let set = RelTo::new(codes).map_or(Releasability::Nobody, Releasability::To);
            releasable_to = releasable_to.meet(&set);
        }
        Ok(Label {
            classification: Some(classification),
            releasable_to,
            ..Label::default()
        }
        .said_by("4774 label"))
    }

    /// The first category that stops release: a restrictive or permissive category the policy
    /// neither clears nor reads as releasability.
    pub fn uncleared(&self, policy: &Policy) -> Option<&Category> {
        let xml = policy.xml.as_ref()?;
        self.categories.iter().find(|c| match c.kind {
            CategoryType::Informative => false,
            CategoryType::Permissive => {
                !xml.releasable_to.contains(&c.tag_name) && !xml.cleared_restrictive.contains(&c.tag_name)
            }
            CategoryType::Restrictive => !xml.cleared_restrictive.contains(&c.tag_name),
        })
    }
}

fn read_category(c: Element<'_, '_>, at: &str) -> Result<Category, LabelError> {
    let mut tag_name = None;
    let mut kind = None;
    let mut uri = None;
    for a in c.attributes() {
        match (a.namespace.as_deref(), a.local) {
            (None, "TagName") => tag_name = Some(a.value.to_string()),
            (None, "Type") => {
                kind = Some(match a.value.as_ref() {
                    "PERMISSIVE" => CategoryType::Permissive,
                    "RESTRICTIVE" => CategoryType::Restrictive,
                    "INFORMATIVE" => CategoryType::Informative,
                    v => {
                        return Err(error(
                            "label-syntax",
                            at,
                            format!("category type `{v}` is not PERMISSIVE, RESTRICTIVE or INFORMATIVE"),
                        ));
                    }
                })
            }
            (None, "URI") => uri = Some(a.value.to_string()),
            _ => {
                return Err(error(
                    "label-syntax",
                    at,
                    format!("`Category` takes no attribute `{}`", a.local),
                ));
            }
        }
    }
    let (Some(tag_name), Some(kind)) = (tag_name, kind) else {
        return Err(error("label-syntax", at, "`Category` needs `TagName` and `Type`"));
    };
    let mut values = Vec::new();
    for v in only_children(c, at)? {
        let (vat, v) = expect_4774(v, at, "GenericValue")?;
        no_attributes(v, &vat, "label-syntax")?;
        values.push(text_only(v, &vat)?);
    }
    if values.is_empty() {
        return Err(error(
            "label-syntax",
            at,
            format!("category `{tag_name}` has no `GenericValue`"),
        ));
    }
    Ok(Category {
        tag_name,
        kind,
        uri,
        values,
    })
}

/// XML Schema `dateTime`: `YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?`.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let at = |n: usize, c: u8| b.get(n) == Some(&c);
    if !(digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19))
    {
        return false;
    }
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or_default();
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Fuzz target: parse, find the binding and read the label; a label that reads must rebuild to
/// an element that reads back the same.
#[doc(hidden)]
pub fn fuzz_label4774(data: &[u8]) {
    let options = super::Options::default();
    let Ok(doc) = super::parse(data, &crate::Limits::default(), &options) else {
        return;
    };
    let label_el = match binding(&doc) {
        Ok(b) => doc.element(b.label),
        Err(_) => Some(doc.root()),
    };
    let Some(e) = label_el else { return };
    if let Ok(l) = ConfidentialityLabel::read(e, "/") {
        let mut b = Builder::new();
        l.write(e, &mut b);
        let rebuilt = b.finish();
        assert_eq!(
            rebuilt
                .as_ref()
                .and_then(|d| ConfidentialityLabel::read(d.root(), "/").ok()),
            Some(l),
            "a rebuilt label reads back differently"
        );
    }
}
