//! Hardened XML: XML 1.0 (Fifth Edition) with Namespaces in XML 1.0, minus everything a guard
//! has no use for, parsed into a small tree and rendered canonically.
//!
//! quick-xml's raw event reader cuts the input into markup and text; everything that decides
//! whether the input is acceptable is done here, because quick-xml hands DOCTYPEs, processing
//! instructions and unknown entity references to its caller as events. Rejected, each with its
//! position and the production that failed:
//!
//! - any `<!DOCTYPE` (so every DTD, entity declaration and external entity: XXE and "billion
//!   laughs" never get as far as an entity definition), and processing instructions other than
//!   the XML declaration at byte 0;
//! - entity references other than the five predefined ones, and character references to
//!   characters outside `Char` (§2.2);
//! - characters outside `Char` anywhere, names outside `Name`/`NCName`, duplicate attributes
//!   (by name, and by (namespace, local name) after resolution), undeclared prefixes;
//! - mismatched or unclosed tags, text or elements outside the single root element;
//! - an encoding declaration other than UTF-8, a version other than 1.0, a byte-order mark;
//! - comments and CDATA sections, unless [`Options`] allows them (their content then becomes
//!   ordinary text; comments are discarded).
//!
//! Limits ([`Limits`]): total bytes, element depth, attributes per element (namespace
//! declarations included), bytes of one text node or attribute value, elements in the document.
//!
//! The tree is flat: nodes in one vector in document order, text contents, namespace names,
//! attributes and namespace declarations in four more (see [`Document`]); it borrows names from
//! the input, and text and values where no unescaping was needed, so a parse allocates a handful
//! of vectors (and one string per text node that needed unescaping), not one per element.
//! Rendering is canonical: the declaration `<?xml version="1.0" encoding="UTF-8"?>`, namespace
//! declarations where they were (before the attributes), attributes in source order in double
//! quotes, one escaping style, `<e/>` for an element without content, no comments, and
//! `parse(render(tree)) == tree`.
//!
//! ```
//! use sekisho::{Limits, format::xml};
//! let doc = xml::parse(b"<a xmlns='urn:x' k='1'>x &amp; y<!-- gone --></a>",
//!                      &Limits::default(), &xml::Options { allow_comments: true, ..Default::default() }).unwrap();
//! assert_eq!(doc.root().namespace().map(|n| n.as_ref()), Some("urn:x"));
//! assert_eq!(doc.root().attribute("k"), Some("1"));
//! assert_eq!(xml::render(&doc), b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\" k=\"1\">x &amp; y</a>\n");
//! let e = xml::parse(b"<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
//!                    &Limits::default(), &xml::Options::default()).unwrap_err();
//! assert_eq!(e.rule, "doctypedecl");
//! ```

pub mod label4774;
pub mod names;
mod parse;
mod render;

pub use parse::parse;
pub use render::render;

use parse::is_s;

pub use names::{XML_NS, is_ncname};

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::ParseError;
use crate::limits::Limits;

/// The namespace of `xmlns` attributes, which may never be declared.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// What a policy lets through that a guard would rather not see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Accept comments (they are discarded, never rendered).
    pub allow_comments: bool,
    /// Accept CDATA sections (their content becomes ordinary, escaped text).
    pub allow_cdata: bool,
}

/// A document: every node in one vector in document order (an element is followed by its
/// subtree), and the attributes and namespace declarations of all elements in two more, each
/// element owning a range of them. Names borrow from the input; text and values too, where no
/// unescaping was needed. Built by [`parse`] or a [`Builder`]; read through [`Element`] views.
///
/// A node holds no string of its own: text nodes and the namespaces elements resolved to are
/// indexes into two more vectors, so the node vector is plain data (compact, and dropped without
/// visiting each node).
#[derive(Debug, Clone, Default)]
pub struct Document<'a> {
    nodes: Vec<Slot<'a>>,
    /// The contents of the text nodes, in document order.
    texts: Vec<Cow<'a, str>>,
    /// Namespace names, each stored where it was declared (or first used), not per element.
    namespaces: Vec<Cow<'a, str>>,
    /// Attribute prefixes, each stored where first used, not per attribute.
    prefixes: Vec<&'a str>,
    declarations: Vec<Declaration<'a>>,
    attributes: Vec<AttributeData<'a>>,
}

impl<'a> Document<'a> {
    /// Nodes (elements and texts) in the document.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
    /// Attributes in the document.
    pub fn attribute_count(&self) -> usize {
        self.attributes.len()
    }
    /// Namespace declarations in the document, where they were written.
    pub fn declarations(&self) -> &[Declaration<'a>] {
        &self.declarations
    }
}

/// Two documents are equal when their trees are: the same nodes with the same names, resolved
/// namespaces, declarations, attributes and text (however the strings are stored).
impl PartialEq for Document<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.declarations == other.declarations
            && self.attributes.len() == other.attributes.len()
            && self.attributes.iter().zip(&other.attributes).all(|(x, y)| {
                x.local == y.local
                    && x.value == y.value
                    && self.prefix(x.prefix) == other.prefix(y.prefix)
                    && self.namespace_at(x.namespace) == other.namespace_at(y.namespace)
            })
            && self.nodes.len() == other.nodes.len()
            && self.nodes.iter().zip(&other.nodes).all(|pair| match pair {
                (Slot::Text(x), Slot::Text(y)) => self.texts.get(*x) == other.texts.get(*y),
                (Slot::Element(x), Slot::Element(y)) => {
                    x.prefix == y.prefix
                        && x.local == y.local
                        && x.declarations == y.declarations
                        && x.attributes == y.attributes
                        && x.end == y.end
                        && self.namespace(x) == other.namespace(y)
                }
                _ => false,
            })
    }
}

impl Eq for Document<'_> {}

/// One node as stored.
#[derive(Debug, Clone)]
enum Slot<'a> {
    Element(ElementData<'a>),
    /// An index into [`Document::texts`].
    Text(usize),
}

/// An element as stored: its name as written, its resolved namespace, its ranges in the shared
/// vectors, and where its subtree ends. Indexes are 32 bits ([`Builder::finish`] refuses a
/// document with more of anything), so an element is 56 bytes, not 80.
#[derive(Debug, Clone)]
struct ElementData<'a> {
    prefix: Option<&'a str>,
    local: &'a str,
    /// The namespace the name resolved to (an index into [`Document::namespaces`]), or
    /// [`NO_NAMESPACE`].
    namespace: u32,
    declarations: Span,
    attributes: Span,
    /// One past the last node of the subtree.
    end: u32,
}

/// [`ElementData::namespace`] of an element in no namespace.
const NO_NAMESPACE: u32 = u32::MAX;

/// A range of indexes into one of the document's vectors, in 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    const EMPTY: Span = Span { start: 0, end: 0 };

    /// `start..end`, both cut to 32 bits (checked once, by [`Builder::finish`]).
    #[inline(always)]
    fn new(start: usize, end: usize) -> Span {
        Span {
            start: to32(start),
            end: to32(end),
        }
    }

    #[inline(always)]
    fn range(self) -> std::ops::Range<usize> {
        to_usize(self.start)..to_usize(self.end)
    }
}

/// An index as stored: saturated at `u32::MAX`, which [`Builder::finish`] refuses.
#[inline(always)]
fn to32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[inline(always)]
fn to_usize(i: u32) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

/// What [`Document::root`] stands on for a document without nodes, which [`Builder::finish`]
/// never returns.
static NO_ELEMENT: ElementData<'static> = ElementData {
    prefix: None,
    local: "",
    namespace: NO_NAMESPACE,
    declarations: Span::EMPTY,
    attributes: Span::EMPTY,
    end: 0,
};

/// `xmlns="uri"` (no prefix) or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<'a> {
    pub prefix: Option<&'a str>,
    pub uri: Cow<'a, str>,
}

/// An attribute (never a namespace declaration), its value unescaped and normalised (§3.3.3):
/// what a [`Builder`] is given, and what [`Attr::to_attribute`] returns. Stored otherwise
/// ([`AttributeData`]); read through [`Attr`] views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub prefix: Option<&'a str>,
    pub local: &'a str,
    /// Unprefixed attributes are in no namespace.
    pub namespace: Option<Cow<'a, str>>,
    pub value: Cow<'a, str>,
}

/// An attribute as stored: its local name and value, its prefix and namespace as indexes into
/// the document's tables ([`Document::prefixes`], [`Document::namespaces`]). 48 bytes, not the
/// 80 of an [`Attribute`] (a document may hold 64 attributes on each of a million elements).
#[derive(Debug, Clone)]
struct AttributeData<'a> {
    local: &'a str,
    value: Cow<'a, str>,
    /// An index into [`Document::prefixes`], or [`NO_PREFIX`].
    prefix: u32,
    /// An index into [`Document::namespaces`], or [`NO_NAMESPACE`].
    namespace: u32,
}

/// [`AttributeData::prefix`] of an unprefixed attribute.
const NO_PREFIX: u32 = u32::MAX;

/// A view of one attribute of an element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Attr<'d, 'a> {
    doc: &'d Document<'a>,
    data: &'d AttributeData<'a>,
}

impl std::fmt::Debug for Attr<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attr")
            .field("prefix", &self.prefix())
            .field("local", &self.local())
            .field("namespace", &self.namespace())
            .field("value", self.value())
            .finish()
    }
}

impl<'d, 'a> Attr<'d, 'a> {
    pub fn prefix(&self) -> Option<&'a str> {
        self.doc.prefix(self.data.prefix)
    }

    pub fn local(&self) -> &'a str {
        self.data.local
    }

    /// The namespace the name resolved to; unprefixed attributes are in no namespace.
    pub fn namespace(&self) -> Option<&'d Cow<'a, str>> {
        self.doc.namespace_at(self.data.namespace)
    }

    /// The value, unescaped and normalised.
    pub fn value(&self) -> &'d Cow<'a, str> {
        &self.data.value
    }

    /// The attribute as a self-contained value (to give to a [`Builder`]).
    pub fn to_attribute(&self) -> Attribute<'a> {
        Attribute {
            prefix: self.prefix(),
            local: self.local(),
            namespace: self.namespace().cloned(),
            value: self.value().clone(),
        }
    }
}

/// One child of an element.
#[derive(Debug, Clone, Copy)]
pub enum Node<'d, 'a> {
    Element(Element<'d, 'a>),
    Text(&'d Cow<'a, str>),
}

/// A view of one element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Element<'d, 'a> {
    doc: &'d Document<'a>,
    id: usize,
    data: &'d ElementData<'a>,
}

impl std::fmt::Debug for Element<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}> (node {})", self.qname(), self.id)
    }
}

impl<'a> Document<'a> {
    /// The root element.
    pub fn root(&self) -> Element<'_, 'a> {
        match self.nodes.first() {
            Some(Slot::Element(data)) => Element { doc: self, id: 0, data },
            _ => Element {
                doc: self,
                id: 0,
                data: &NO_ELEMENT,
            },
        }
    }

    /// The element with id `id` ([`Element::id`]).
    pub fn element(&self, id: usize) -> Option<Element<'_, 'a>> {
        match self.nodes.get(id) {
            Some(Slot::Element(data)) => Some(Element { doc: self, id, data }),
            _ => None,
        }
    }

    /// The namespace `e` resolved to.
    fn namespace(&self, e: &ElementData<'a>) -> Option<&Cow<'a, str>> {
        self.namespace_at(e.namespace)
    }

    /// The namespace stored at `index`; none for [`NO_NAMESPACE`].
    fn namespace_at(&self, index: u32) -> Option<&Cow<'a, str>> {
        if index == NO_NAMESPACE {
            return None;
        }
        self.namespaces.get(to_usize(index))
    }

    /// The prefix stored at `index`; none for [`NO_PREFIX`].
    fn prefix(&self, index: u32) -> Option<&'a str> {
        if index == NO_PREFIX {
            return None;
        }
        self.prefixes.get(to_usize(index)).copied()
    }

    /// The contents of the text node stored at `index`.
    fn text(&self, index: usize) -> &Cow<'a, str> {
        const NONE: &Cow<'static, str> = &Cow::Borrowed("");
        self.texts.get(index).unwrap_or(NONE)
    }

    /// Remove the namespace declarations `keep` says no to (given the id of the element that
    /// carries each); the other vectors are untouched.
    pub fn retain_declarations(&mut self, mut keep: impl FnMut(usize, &Declaration<'a>) -> bool) {
        let old = std::mem::take(&mut self.declarations);
        let mut kept = Vec::with_capacity(old.len());
        for (id, slot) in self.nodes.iter_mut().enumerate() {
            if let Slot::Element(e) = slot {
                let start = kept.len();
                kept.extend(
                    old.get(e.declarations.range())
                        .unwrap_or_default()
                        .iter()
                        .filter(|d| keep(id, d))
                        .cloned(),
                );
                e.declarations = Span::new(start, kept.len());
            }
        }
        self.declarations = kept;
    }
}

impl<'d, 'a> Element<'d, 'a> {
    /// This element's id in its document (its place in document order).
    pub fn id(&self) -> usize {
        self.id
    }

    /// The document this element is in.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    pub fn prefix(&self) -> Option<&'a str> {
        self.data.prefix
    }

    pub fn local(&self) -> &'a str {
        self.data.local
    }

    /// The namespace the name resolved to, or none.
    pub fn namespace(&self) -> Option<&'d Cow<'a, str>> {
        self.doc.namespace(self.data)
    }

    /// The namespace declarations written on this element.
    pub fn declarations(&self) -> &'d [Declaration<'a>] {
        self.doc
            .declarations
            .get(self.data.declarations.range())
            .unwrap_or_default()
    }

    /// The attributes (namespace declarations are not attributes).
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attr<'d, 'a>> + Clone + use<'d, 'a> {
        let doc = self.doc;
        doc.attributes
            .get(self.data.attributes.range())
            .unwrap_or_default()
            .iter()
            .map(move |data| Attr { doc, data })
    }

    /// Whether this element is `local` in namespace `ns`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.data.local == local && self.namespace().map(|n| n.as_ref()) == Some(ns)
    }

    /// Elements and text; no two text nodes are adjacent and none is empty.
    pub fn children(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: self.id.saturating_add(1),
            end: to_usize(self.data.end),
        }
    }

    /// Whether the element has no content.
    pub fn is_empty(&self) -> bool {
        to_usize(self.data.end) <= self.id.saturating_add(1)
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = Element<'d, 'a>> + use<'d, 'a> {
        self.children().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text content directly in this element (not in its children), concatenated.
    pub fn text(&self) -> Cow<'d, str> {
        let mut texts = self.children().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_ref()),
            Node::Element(_) => None,
        });
        match (texts.next(), texts.next()) {
            (None, _) => Cow::Borrowed(""),
            (Some(t), None) => Cow::Borrowed(t),
            (Some(a), Some(b)) => {
                let mut s = format!("{a}{b}");
                texts.for_each(|t| s.push_str(t));
                Cow::Owned(s)
            }
        }
    }

    /// The value of the unprefixed attribute `local`.
    pub fn attribute(&self, local: &str) -> Option<&'d str> {
        self.attributes()
            .find(|a| a.data.namespace == NO_NAMESPACE && a.data.local == local)
            .map(|a| a.data.value.as_ref())
    }

    /// The name as written: `prefix:local` or `local`.
    pub fn qname(&self) -> String {
        match self.data.prefix {
            Some(p) => format!("{p}:{}", self.data.local),
            None => self.data.local.to_string(),
        }
    }

    /// Elements in this subtree, this one included.
    pub fn count(&self) -> usize {
        self.doc
            .nodes
            .get(self.id..to_usize(self.data.end))
            .unwrap_or_default()
            .iter()
            .filter(|n| matches!(n, Slot::Element(_)))
            .count()
    }
}

/// The children of an element, in order.
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: usize,
    end: usize,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Node<'d, 'a>;

    fn next(&mut self) -> Option<Node<'d, 'a>> {
        if self.next >= self.end {
            return None;
        }
        let id = self.next;
        match self.doc.nodes.get(id)? {
            Slot::Element(data) => {
                // A subtree ends after its element; anything else would loop.
                self.next = to_usize(data.end).max(id.saturating_add(1));
                Some(Node::Element(Element {
                    doc: self.doc,
                    id,
                    data,
                }))
            }
            Slot::Text(t) => {
                self.next = id.saturating_add(1);
                Some(Node::Text(self.doc.text(*t)))
            }
        }
    }
}

/// Builds a [`Document`] in document order: open an element (with its declarations and
/// attributes), add its content, close it. Text is merged with the text just before it and
/// empty text is dropped, so a built document keeps the invariants of a parsed one.
#[derive(Debug, Default)]
pub struct Builder<'a> {
    doc: Document<'a>,
    /// Ids of the open elements, innermost last.
    open: Vec<usize>,
    /// Text added since the last tag, not yet a node.
    pending: Option<Cow<'a, str>>,
    /// More namespaces than an index holds: the document cannot be finished.
    overflow: bool,
}

impl<'a> Builder<'a> {
    pub fn new() -> Builder<'a> {
        Builder::default()
    }

    /// A builder with room for about `nodes` nodes and `attributes` attributes.
    pub fn with_capacity(nodes: usize, attributes: usize) -> Builder<'a> {
        Builder {
            doc: Document {
                nodes: Vec::with_capacity(nodes),
                // Text never follows text: at most one before each tag, so about 2 in 3 nodes.
                texts: Vec::with_capacity(nodes / 3 * 2),
                namespaces: Vec::new(),
                prefixes: Vec::new(),
                declarations: Vec::new(),
                attributes: Vec::with_capacity(attributes),
            },
            open: Vec::new(),
            pending: None,
            overflow: false,
        }
    }

    /// Store the namespace `uri` (once: an element is usually in one of the last few stored);
    /// its index.
    fn namespace(&mut self, uri: Cow<'a, str>) -> Option<u32> {
        let stored = &self.doc.namespaces;
        let n = match stored.iter().rev().take(4).position(|u| *u == uri) {
            Some(back) => stored.len().saturating_sub(back).saturating_sub(1),
            None => {
                self.doc.namespaces.push(uri);
                self.doc.namespaces.len().saturating_sub(1)
            }
        };
        let index = u32::try_from(n).ok().filter(|i| *i != NO_NAMESPACE);
        self.overflow |= index.is_none();
        index
    }

    /// Store the attribute prefix `p` (once: an attribute's is usually one of the last few
    /// stored); its index, or [`NO_PREFIX`].
    fn prefix(&mut self, p: Option<&'a str>) -> u32 {
        let Some(p) = p else {
            return NO_PREFIX;
        };
        let stored = &self.doc.prefixes;
        let n = match stored.iter().rev().take(4).position(|s| *s == p) {
            Some(back) => stored.len().saturating_sub(back).saturating_sub(1),
            None => {
                self.doc.prefixes.push(p);
                self.doc.prefixes.len().saturating_sub(1)
            }
        };
        let index = u32::try_from(n).ok().filter(|i| *i != NO_PREFIX);
        self.overflow |= index.is_none();
        index.unwrap_or(NO_PREFIX)
    }

    /// `a` as stored, its prefix and namespace stored in this document's tables.
    fn stored_attribute(&mut self, a: Attribute<'a>) -> AttributeData<'a> {
        AttributeData {
            local: a.local,
            prefix: self.prefix(a.prefix),
            namespace: a.namespace.and_then(|uri| self.namespace(uri)).unwrap_or(NO_NAMESPACE),
            value: a.value,
        }
    }

    /// Open an element inside the innermost open one; its id.
    pub fn open(
        &mut self,
        prefix: Option<&'a str>,
        local: &'a str,
        namespace: Option<Cow<'a, str>>,
        declarations: impl IntoIterator<Item = Declaration<'a>>,
        attributes: impl IntoIterator<Item = Attribute<'a>>,
    ) -> usize {
        let namespace = namespace.and_then(|uri| self.namespace(uri));
        self.flush();
        let d = self.doc.declarations.len();
        self.doc.declarations.extend(declarations);
        let a = self.doc.attributes.len();
        for attribute in attributes {
            let stored = self.stored_attribute(attribute);
            self.doc.attributes.push(stored);
        }
        self.push_element(prefix, local, namespace, d, a)
    }

    /// [`Builder::open`], the namespaces and prefixes already stored.
    fn open_stored(
        &mut self,
        prefix: Option<&'a str>,
        local: &'a str,
        namespace: Option<u32>,
        declarations: impl IntoIterator<Item = Declaration<'a>>,
        attributes: impl IntoIterator<Item = AttributeData<'a>>,
    ) -> usize {
        self.flush();
        let d = self.doc.declarations.len();
        self.doc.declarations.extend(declarations);
        let a = self.doc.attributes.len();
        self.doc.attributes.extend(attributes);
        self.push_element(prefix, local, namespace, d, a)
    }

    /// Open an element whose declarations and attributes are the last ones stored from `d`
    /// and `a` on; its id.
    #[inline(always)]
    fn push_element(
        &mut self,
        prefix: Option<&'a str>,
        local: &'a str,
        namespace: Option<u32>,
        d: usize,
        a: usize,
    ) -> usize {
        let id = self.doc.nodes.len();
        self.doc.nodes.push(Slot::Element(ElementData {
            prefix,
            local,
            namespace: namespace.unwrap_or(NO_NAMESPACE),
            declarations: Span::new(d, self.doc.declarations.len()),
            attributes: Span::new(a, self.doc.attributes.len()),
            end: to32(id.saturating_add(1)),
        }));
        self.open.push(id);
        id
    }

    /// Add text to the innermost open element; the length of the text node it is now part of.
    #[inline(always)]
    pub fn text(&mut self, text: Cow<'a, str>) -> usize {
        if text.is_empty() {
            return self.pending.as_ref().map_or(0, |p| p.len());
        }
        match &mut self.pending {
            Some(prev) => {
                merged(prev).push_str(&text);
                prev.len()
            }
            None => {
                let len = text.len();
                self.pending = Some(text);
                len
            }
        }
    }

    /// Add `text` to the innermost open element, copying it (a reference's replacement: the
    /// text node it joins is owned anyway); the length of the text node it is now part of.
    fn push_text(&mut self, text: &str) -> usize {
        match &mut self.pending {
            Some(prev) => {
                merged(prev).push_str(text);
                prev.len()
            }
            None => {
                let mut s = String::with_capacity(text.len().saturating_add(MERGE_SLACK));
                s.push_str(text);
                let len = s.len();
                self.pending = Some(Cow::Owned(s));
                len
            }
        }
    }

    /// Forget the text added since the last tag if it is all white space (indentation of
    /// something left out).
    pub fn drop_blank_text(&mut self) {
        if self.pending.as_deref().is_some_and(|t| t.chars().all(is_s)) {
            self.pending = None;
        }
    }

    /// Close the innermost open element; false when none is open.
    #[inline(always)]
    pub fn close(&mut self) -> bool {
        self.flush();
        let Some(id) = self.open.pop() else {
            return false;
        };
        let end = self.doc.nodes.len();
        if let Some(Slot::Element(e)) = self.doc.nodes.get_mut(id) {
            e.end = to32(end);
        }
        true
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// Copy `e` and its subtree.
    pub fn copy(&mut self, e: Element<'_, 'a>) {
        self.flush();
        let (Some(nodes), Some(decls), Some(attrs)) = (
            e.doc.nodes.get(e.id..to_usize(e.data.end)),
            e.doc.declarations.get(e.data.declarations.range().start..),
            e.doc.attributes.get(e.data.attributes.range().start..),
        ) else {
            return;
        };
        // Shift every range of the subtree by where it now starts.
        let (node_shift, d0, a0) = (e.id, e.data.declarations.range().start, e.data.attributes.range().start);
        let (n1, d1, a1) = (
            self.doc.nodes.len(),
            self.doc.declarations.len(),
            self.doc.attributes.len(),
        );
        let shift = |r: Span, from: usize, to: usize| {
            let r = r.range();
            Span::new(
                r.start.saturating_sub(from).saturating_add(to),
                r.end.saturating_sub(from).saturating_add(to),
            )
        };
        let mut last_d = d0;
        let mut last_a = a0;
        for slot in nodes {
            let copied = match slot {
                Slot::Text(t) => {
                    self.doc.texts.push(e.doc.text(*t).clone());
                    Slot::Text(self.doc.texts.len().saturating_sub(1))
                }
                Slot::Element(x) => {
                    last_d = last_d.max(x.declarations.range().end);
                    last_a = last_a.max(x.attributes.range().end);
                    Slot::Element(ElementData {
                        prefix: x.prefix,
                        local: x.local,
                        namespace: e
                            .doc
                            .namespace(x)
                            .cloned()
                            .and_then(|uri| self.namespace(uri))
                            .unwrap_or(NO_NAMESPACE),
                        declarations: shift(x.declarations, d0, d1),
                        attributes: shift(x.attributes, a0, a1),
                        end: to32(to_usize(x.end).saturating_sub(node_shift).saturating_add(n1)),
                    })
                }
            };
            self.doc.nodes.push(copied);
        }
        self.doc
            .declarations
            .extend(decls.iter().take(last_d.saturating_sub(d0)).cloned());
        // Prefixes and namespaces are indexes into `e`'s document's tables: stored again here.
        for x in attrs.iter().take(last_a.saturating_sub(a0)) {
            let stored = AttributeData {
                local: x.local,
                value: x.value.clone(),
                prefix: self.prefix(e.doc.prefix(x.prefix)),
                namespace: e
                    .doc
                    .namespace_at(x.namespace)
                    .cloned()
                    .and_then(|uri| self.namespace(uri))
                    .unwrap_or(NO_NAMESPACE),
            };
            self.doc.attributes.push(stored);
        }
    }

    /// The document, when exactly one root element was opened and closed.
    pub fn finish(mut self) -> Option<Document<'a>> {
        self.flush();
        // Every index is stored in 32 bits: none may have reached `u32::MAX`.
        let too_many = [
            self.doc.nodes.len(),
            self.doc.texts.len(),
            self.doc.prefixes.len(),
            self.doc.declarations.len(),
            self.doc.attributes.len(),
        ]
        .iter()
        .any(|n| u32::try_from(*n).is_err());
        if self.overflow || too_many {
            return None;
        }
        match self.doc.nodes.first() {
            Some(Slot::Element(root)) if self.open.is_empty() && to_usize(root.end) == self.doc.nodes.len() => {
                Some(self.doc)
            }
            _ => None,
        }
    }

    #[inline(always)]
    fn flush(&mut self) {
        if let Some(t) = self.pending.take() {
            self.doc.nodes.push(Slot::Text(self.doc.texts.len()));
            self.doc.texts.push(t);
        }
    }
}

/// Room left when text starts being merged, for the pieces that usually follow (the rest of a
/// line after a reference), so that merging does not reallocate at each piece.
const MERGE_SLACK: usize = 64;

/// `text` as an owned string to append to; a borrowed one is copied once, with some room.
fn merged<'t>(text: &'t mut Cow<'_, str>) -> &'t mut String {
    if let Cow::Borrowed(b) = *text {
        let mut s = String::with_capacity(b.len().saturating_add(MERGE_SLACK));
        s.push_str(b);
        *text = Cow::Owned(s);
    }
    text.to_mut()
}

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

/// Fuzz target: parse under the default and the tiny limits (comments and CDATA allowed), and
/// check that `parse(render(tree)) == tree` and that rendering is a byte fixpoint.
#[doc(hidden)]
pub fn fuzz_xml(data: &[u8]) {
    let options = Options {
        allow_comments: true,
        allow_cdata: true,
    };
    for limits in [Limits::default(), Limits::tiny()] {
        if let Ok(doc) = parse(data, &limits, &options) {
            let out = render(&doc);
            let big = Limits {
                max_input_bytes: usize::MAX,
                ..limits.clone()
            };
            match parse(&out, &big, &Options::default()) {
                Ok(again) => {
                    assert_eq!(again, doc, "parse(render(tree)) differs from tree");
                    assert_eq!(render(&again), out, "rendering is not a fixpoint");
                }
                Err(e) => panic!("rendered output does not parse: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests;
