//! NATO STANAG 4774 confidentiality labels, bound to an XML payload by a STANAG 4778 wrapper,
//! read into a format-independent [`Label`] through the policy's `[xml]` mapping.
//!
//! The binding (namespace [`NS_4778`]) this module accepts, in one of two shapes and nothing else
//! (no attribute on any binding element, exactly one label and one payload):
//!
//! ```text
//! <mb:BindingInformation xmlns:mb="urn:nato:stanag:4778:bindinginformation:1:0">
//!   <mb:Metadata>   exactly one 4774 label                     </mb:Metadata>
//!   <mb:Data>       exactly one payload element (CAP, IODEF …)  </mb:Data>
//! </mb:BindingInformation>
//!
//! <mb:BindingInformation …>                 the ADatP-4778 schema's own nesting (§4.3, XSD
//!   <mb:MetadataBindingContainer>           §4.8): the encapsulating approach, one container
//!     <mb:MetadataBinding>                  holding one binding
//!       <mb:Metadata> … </mb:Metadata>
//!       <mb:Data> … </mb:Data>
//!     </mb:MetadataBinding>
//!   </mb:MetadataBindingContainer>
//! </mb:BindingInformation>
//! ```
//!
//! The schema's nesting is how published bindings are written (ADatP-4778.2 Figure 5-2 as
//! transcribed in public notes; the bindings written by Collabora Office's `StanagLabel`, by
//! the `nmbs` C++ library and by several open labelling services on GitHub), though all of those
//! bind data *outside* the binding with `DataReference`. A `DataReference` or
//! `MetadataReference` is refused: what it points at is not in the message, so the guard cannot
//! inspect it. `Id` attributes (`xs:ID`, for XML Signature references), `ds:Signature`,
//! `xmime:contentType` and the schema's `##other` wildcards are refused too: the guard neither
//! verifies nor releases signatures, so nothing released could use them.
//!
//! The label (ADatP-4774 Ed. A, namespace [`NS_4774`]), in this order and nothing else:
//!
//! ```text
//! originatorConfidentialityLabel            (published variant: OriginatorConfidentialityLabel)
//!   @ReviewDateTime?                                                      xs:dateTime
//!   ConfidentialityInformation
//!     PolicyIdentifier  @URI?               (published variant: @URL)     text: e.g. NATO
//!     Classification                                                      text: e.g. SECRET
//!     PrivacyMark?                                                        text
//!     Category*  @TagName @Type(PERMISSIVE|RESTRICTIVE|INFORMATIVE) @URI?
//!       GenericValue+                                                     text
//!   OriginatorID?  @IDType(rfc822Name|dNSName|directoryName|uniformResourceIdentifier|
//!                          iPAddress|x400Address|userPrincipalName|jID)   text
//!   CreationDateTime?                                                     text: xs:dateTime
//! ```
//!
//! Where each part was seen: the ADatP-4774 schema (App. 1 Annex A, as transcribed in public
//! research notes on GitHub) has all of them. Beyond the schema, `@ReviewDateTime` is written by
//! Collabora Office's `StanagLabel` and by a TypeScript labelling service's
//! `serializeOriginatorLabel`; `PrivacyMark` inside `ConfidentialityInformation` after
//! `Classification` is in xmlspif.org's published example label (2018) and in the `nmbs` C++
//! library's label model; `OriginatorID @IDType` between `ConfidentialityInformation` and
//! `CreationDateTime` is written by `nmbs` and by the same TypeScript service; `Category/@URI`
//! (`urn:oid:…` of the tag set) by that service and in the notes' schema-valid example.
//! `CreationDateTime`, which the schema requires, stays optional: the NATO test labels in
//! surevine/spiffing (`test-data/nato-4774-17-*.nato`) have none.
//!
//! What the guard releases of each part (the label is rebuilt from this model,
//! [`ConfidentialityLabel::write`], never passed through as read):
//! - `ReviewDateTime`, `CreationDateTime`: kept, once read as `xs:dateTime`;
//! - `PrivacyMark`: kept; it is free text, so the policy's text rules and internal-address rules
//!   look at it, and a match keeps the message behind (a label is never rewritten);
//! - `OriginatorID`: removed, with a `remove` decision: it names a person or system on the
//!   sending side, which the partner does not need to read the label and which is ours to keep.
//!
//! Not accepted, each an error with its path: the schema's other roots
//! (`alternativeConfidentialityLabel`, `metadataConfidentialityLabel`, `ConfidentialityLabel`),
//! `SuccessionHandling` (no published sample seen), `@Id` and any other root attribute,
//! `Classification/@URI` (the ADatP-4774 prose forbids it), `IntegerValue` and `BitStringValue`
//! (forbidden by the prose), any other element, attribute, text where elements belong, or
//! element in another namespace, a part out of order or twice. The two published spellings of
//! the root and of the policy identifier's attribute are the only variations of names.

use std::borrow::Cow;

use super::{Attribute, Builder, Document, Element, Node};

pub use super::names::{NS_4774, NS_4778};

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

/// The kinds of name an `OriginatorID` holds (`@IDType`, ADatP-4774 App. 1 Table 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    Rfc822Name,
    DnsName,
    DirectoryName,
    UniformResourceIdentifier,
    IpAddress,
    X400Address,
    UserPrincipalName,
    Jid,
}

impl IdType {
    const ALL: [IdType; 8] = [
        IdType::Rfc822Name,
        IdType::DnsName,
        IdType::DirectoryName,
        IdType::UniformResourceIdentifier,
        IdType::IpAddress,
        IdType::X400Address,
        IdType::UserPrincipalName,
        IdType::Jid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdType::Rfc822Name => "rfc822Name",
            IdType::DnsName => "dNSName",
            IdType::DirectoryName => "directoryName",
            IdType::UniformResourceIdentifier => "uniformResourceIdentifier",
            IdType::IpAddress => "iPAddress",
            IdType::X400Address => "x400Address",
            IdType::UserPrincipalName => "userPrincipalName",
            IdType::Jid => "jID",
        }
    }

    fn parse(s: &str) -> Option<IdType> {
        IdType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// `OriginatorID`: who labelled the data (not released: see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginatorId {
    pub id_type: IdType,
    pub value: String,
}

/// A label as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidentialityLabel {
    pub root: RootName,
    /// `@ReviewDateTime`, an `xs:dateTime`.
    pub review: Option<String>,
    pub policy_identifier: String,
    pub policy_uri: Option<(UriAttribute, String)>,
    pub classification: String,
    pub privacy_mark: Option<String>,
    pub categories: Vec<Category>,
    pub originator: Option<OriginatorId>,
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

/// A [`LabelError`] for `rule` at the element path `at`.
pub fn error(rule: &'static str, at: &str, detail: impl Into<String>) -> LabelError {
    LabelError {
        rule,
        detail: detail.into(),
        at: at.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// The 4778 binding
// ---------------------------------------------------------------------------------------------

/// The parts of a bound message: the ids ([`Element::id`]) of the `Metadata` and `Data`
/// elements, of the label and payload elements inside them, and, in the schema's nesting, of the
/// `MetadataBindingContainer` and `MetadataBinding` around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub metadata: usize,
    pub label: usize,
    pub data: usize,
    pub payload: usize,
    /// `(MetadataBindingContainer, MetadataBinding)`, when the binding is nested so.
    pub nesting: Option<(usize, usize)>,
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
    match e.attributes().next() {
        Some(a) => Err(error(
            rule,
            at,
            format!("`{}` takes no attribute `{}`", e.qname(), a.local()),
        )),
        None => Ok(()),
    }
}

/// The one child element of a binding element that holds exactly one, with no attribute and no
/// text; `what` names what it must be, for the error.
fn only_child<'d, 'a>(e: Element<'d, 'a>, at: &str, what: &str) -> Result<Element<'d, 'a>, LabelError> {
    no_attributes(e, at, "binding")?;
    let kids = only_children(e, at).map_err(|e| LabelError { rule: "binding", ..e })?;
    match kids.as_slice() {
        [k] => Ok(*k),
        _ => Err(error(
            "binding",
            at,
            format!("`{}` holds exactly one {what}", e.local()),
        )),
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
    // The schema's nesting: one container holding one binding, around `Metadata` and `Data`.
    let (holder, at, nesting) = match root.elements().next() {
        Some(c) if c.is(NS_4778, "MetadataBindingContainer") => {
            let container = only_child(root, &at, "`MetadataBindingContainer`")?;
            let cat = format!("{at}/{}", container.qname());
            let mb = only_child(container, &cat, "`MetadataBinding`")?;
            let bat = format!("{cat}/{}", mb.qname());
            if !mb.is(NS_4778, "MetadataBinding") {
                return Err(error(
                    "binding",
                    &bat,
                    format!("expected 4778 `MetadataBinding`, found `{}`", mb.local()),
                ));
            }
            (mb, bat, Some((container.id(), mb.id())))
        }
        _ => (root, at, None),
    };
    let order = if nesting.is_some() {
        "`MetadataBinding` holds exactly `Metadata` then `Data` (a `DataReference` or `MetadataReference` points outside the message, where the guard cannot look)"
    } else {
        "`BindingInformation` holds exactly `Metadata` then `Data`, or the schema's `MetadataBindingContainer`"
    };
    no_attributes(holder, &at, "binding")?;
    let kids = only_children(holder, &at).map_err(|e| LabelError { rule: "binding", ..e })?;
    let [m, d] = kids.as_slice() else {
        return Err(error("binding", &at, order));
    };
    if !m.is(NS_4778, "Metadata") || !d.is(NS_4778, "Data") {
        return Err(error("binding", &at, order));
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
        nesting,
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
        let mut review = None;
        for a in e.attributes() {
            match (a.namespace().map(|n| n.as_ref()), a.local()) {
                (None, "ReviewDateTime") => {
                    let rat = format!("{at}/@ReviewDateTime");
                    review = Some(date_time(a.value(), &rat)?);
                }
                _ => {
                    return Err(error(
                        "label-syntax",
                        at,
                        format!("the label takes no attribute `{}` (only `ReviewDateTime`)", a.local()),
                    ));
                }
            }
        }
        let kids = only_children(e, at)?;
        let mut kids = kids.into_iter().peekable();
        let Some(info) = kids.next() else {
            return Err(error(
                "label-syntax",
                at,
                "the label has no `ConfidentialityInformation`",
            ));
        };
        let (info_at, info) = expect_4774(info, at, "ConfidentialityInformation")?;
        no_attributes(info, &info_at, "label-syntax")?;
        let originator = match kids.next_if(|k| k.is(NS_4774, "OriginatorID")) {
            None => None,
            Some(o) => Some(read_originator(o, &format!("{at}/{}", o.qname()))?),
        };
        let creation = match kids.next_if(|k| k.is(NS_4774, "CreationDateTime")) {
            None => None,
            Some(c) => {
                let cat = format!("{at}/{}", c.qname());
                no_attributes(c, &cat, "label-syntax")?;
                Some(date_time(&text_only(c, &cat)?, &cat)?)
            }
        };
        if let Some(extra) = kids.next() {
            return Err(error(
                "label-syntax",
                &format!("{at}/{}", extra.qname()),
                format!(
                    "unexpected `{}`: after `ConfidentialityInformation` a label holds `OriginatorID`? then `CreationDateTime`?, in this order, once each",
                    extra.local()
                ),
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
            let which = match (a.namespace().map(|n| n.as_ref()), a.local()) {
                (None, "URI") => UriAttribute::Uri,
                (None, "URL") => UriAttribute::Url,
                _ => {
                    return Err(error(
                        "label-syntax",
                        &pid_at,
                        format!("`PolicyIdentifier` takes `URI` or `URL`, not `{}`", a.local()),
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
            policy_uri = Some((which, a.value().to_string()));
        }
        let policy_identifier = text_only(pid, &pid_at)?;
        let Some(class) = parts.next() else {
            return Err(error("label-syntax", &info_at, "no `Classification`"));
        };
        let (class_at, class) = expect_4774(class, &info_at, "Classification")?;
        no_attributes(class, &class_at, "label-syntax")?;
        let classification = text_only(class, &class_at)?;
        let privacy_mark = match parts.next_if(|p| p.is(NS_4774, "PrivacyMark")) {
            None => None,
            Some(m) => {
                let mat = format!("{info_at}/{}", m.qname());
                no_attributes(m, &mat, "label-syntax")?;
                Some(text_only(m, &mat)?)
            }
        };
        let mut categories = Vec::new();
        for c in parts {
            let (cat_at, c) = expect_4774(c, &info_at, "Category")?;
            categories.push(read_category(c, &cat_at)?);
        }
        Ok(ConfidentialityLabel {
            root,
            review,
            policy_identifier,
            policy_uri,
            classification,
            privacy_mark,
            categories,
            originator,
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
        let root_attrs = match &self.review {
            Some(t) => vec![attr("ReviewDateTime", t)],
            None => Vec::new(),
        };
        b.open(
            prefix,
            self.root.as_str(),
            ns(),
            like.declarations().iter().cloned(),
            root_attrs,
        );
        b.open(prefix, "ConfidentialityInformation", ns(), [], []);
        let pid = match &self.policy_uri {
            Some((which, uri)) => vec![attr(which.as_str(), uri)],
            None => Vec::new(),
        };
        leaf(b, "PolicyIdentifier", pid, &self.policy_identifier);
        leaf(b, "Classification", Vec::new(), &self.classification);
        if let Some(m) = &self.privacy_mark {
            leaf(b, "PrivacyMark", Vec::new(), m);
        }
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
        if let Some(o) = &self.originator {
            leaf(b, "OriginatorID", vec![attr("IDType", o.id_type.as_str())], &o.value);
        }
        if let Some(t) = &self.creation {
            leaf(b, "CreationDateTime", Vec::new(), t);
        }
        b.close();
    }
}

fn read_category(c: Element<'_, '_>, at: &str) -> Result<Category, LabelError> {
    let mut tag_name = None;
    let mut kind = None;
    let mut uri = None;
    for a in c.attributes() {
        match (a.namespace().map(|n| n.as_ref()), a.local()) {
            (None, "TagName") => tag_name = Some(a.value().to_string()),
            (None, "Type") => {
                kind = Some(match a.value().as_ref() {
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
            (None, "URI") => uri = Some(a.value().to_string()),
            _ => {
                return Err(error(
                    "label-syntax",
                    at,
                    format!("`Category` takes no attribute `{}`", a.local()),
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

fn read_originator(o: Element<'_, '_>, at: &str) -> Result<OriginatorId, LabelError> {
    let mut id_type = None;
    for a in o.attributes() {
        match (a.namespace().map(|n| n.as_ref()), a.local()) {
            (None, "IDType") => {
                let Some(t) = IdType::parse(a.value()) else {
                    let known: Vec<&str> = IdType::ALL.iter().map(|t| t.as_str()).collect();
                    return Err(error(
                        "label-syntax",
                        at,
                        format!("`IDType` `{}` is not one of {}", a.value(), known.join(", ")),
                    ));
                };
                id_type = Some(t);
            }
            _ => {
                return Err(error(
                    "label-syntax",
                    at,
                    format!("`OriginatorID` takes no attribute `{}`", a.local()),
                ));
            }
        }
    }
    let Some(id_type) = id_type else {
        return Err(error("label-syntax", at, "`OriginatorID` needs `IDType`"));
    };
    Ok(OriginatorId {
        id_type,
        value: text_only(o, at)?,
    })
}

/// `t` when it is an `xs:dateTime`; an error at `at` otherwise.
fn date_time(t: &str, at: &str) -> Result<String, LabelError> {
    if is_date_time(t) {
        Ok(t.to_string())
    } else {
        Err(error("label-syntax", at, format!("`{t}` is not an xs:dateTime")))
    }
}

/// XML Schema `dateTime`: `YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?`, with months 01–12, days
/// 01–31, hours 00–23, minutes and seconds 00–59, and offsets up to ±14:00 (a four-digit year
/// only; the day is not checked against its month).
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    // The two-digit number at `n`, when it is one and lies in `range`.
    let two = |n: usize, range: std::ops::RangeInclusive<u8>| match b.get(n..n + 2) {
        Some([h @ b'0'..=b'9', l @ b'0'..=b'9']) => range.contains(&((h - b'0') * 10 + (l - b'0'))),
        _ => false,
    };
    let at = |n: usize, c: u8| b.get(n) == Some(&c);
    let year = b.get(0..4).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(year
        && at(4, b'-')
        && two(5, 1..=12)
        && at(7, b'-')
        && two(8, 1..=31)
        && at(10, b'T')
        && two(11, 0..=23)
        && at(13, b':')
        && two(14, 0..=59)
        && at(16, b':')
        && two(17, 0..=59))
    {
        return false;
    }
    let mut rest = b.get(19..).unwrap_or_default();
    let mut offset = 19;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or_default();
        offset += 1 + n;
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            (two(offset + 1, 0..=13) && two(offset + 4, 0..=59)) || (two(offset + 1, 14..=14) && two(offset + 4, 0..=0))
        }
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
