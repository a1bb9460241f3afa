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
    declarations: Vec<Declaration<'a>>,
    attributes: Vec<Attribute<'a>>,
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
            && self.attributes == other.attributes
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

/// An attribute (never a namespace declaration), its value unescaped and normalised (§3.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub prefix: Option<&'a str>,
    pub local: &'a str,
    /// Unprefixed attributes are in no namespace.
    pub namespace: Option<Cow<'a, str>>,
    pub value: Cow<'a, str>,
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
        if e.namespace == NO_NAMESPACE {
            return None;
        }
        self.namespaces.get(to_usize(e.namespace))
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
    pub fn attributes(&self) -> &'d [Attribute<'a>] {
        self.doc
            .attributes
            .get(self.data.attributes.range())
            .unwrap_or_default()
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
            .iter()
            .find(|a| a.namespace.is_none() && a.local == local)
            .map(|a| a.value.as_ref())
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
                declarations: Vec::new(),
                attributes: Vec::with_capacity(attributes),
            },
            open: Vec::new(),
            pending: None,
            overflow: false,
        }
    }

    /// The namespace stored at `index`.
    fn stored_namespace(&self, index: u32) -> Option<&Cow<'a, str>> {
        self.doc.namespaces.get(usize::try_from(index).ok()?)
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
        self.open_stored(prefix, local, namespace, declarations, attributes)
    }

    /// [`Builder::open`], the namespace already stored.
    fn open_stored(
        &mut self,
        prefix: Option<&'a str>,
        local: &'a str,
        namespace: Option<u32>,
        declarations: impl IntoIterator<Item = Declaration<'a>>,
        attributes: impl IntoIterator<Item = Attribute<'a>>,
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
        self.doc
            .attributes
            .extend(attrs.iter().take(last_a.saturating_sub(a0)).cloned());
    }

    /// The document, when exactly one root element was opened and closed.
    pub fn finish(mut self) -> Option<Document<'a>> {
        self.flush();
        // Every index is stored in 32 bits: none may have reached `u32::MAX`.
        let too_many = [
            self.doc.nodes.len(),
            self.doc.texts.len(),
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
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parse one document under `limits` and `options`.
pub fn parse<'a>(input: &'a [u8], limits: &Limits, options: &Options) -> Result<Document<'a>, ParseError> {
    if input.len() > limits.max_input_bytes {
        return Err(ParseError::new(
            limits.max_input_bytes,
            "max_input_bytes",
            format!(
                "input is {} bytes, the limit is {}",
                input.len(),
                limits.max_input_bytes
            ),
        ));
    }
    let src = utf8_text(input)?;
    let rare = chars(input)?;
    // About one node per 16 bytes of markup and text (a guess; the vector grows if wrong).
    let guess = input.len() / 16;
    Parser {
        src,
        rare,
        limits,
        options,
        open: Vec::new(),
        scope: Vec::new(),
        xml_ns: None,
        elements: 0,
        tree: Builder::with_capacity(guess, guess / 8),
        raw: Vec::new(),
        declarations: Vec::new(),
        attributes: Vec::new(),
    }
    .document()
}

/// The whole input as UTF-8 (§4.3.3: without an encoding declaration an entity is UTF-8 or
/// UTF-16; a guard takes UTF-8 only), without a byte-order mark.
fn utf8_text(input: &[u8]) -> Result<&str, ParseError> {
    if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(ParseError::new(0, "document", "a byte-order mark is not allowed"));
    }
    if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
        return Err(ParseError::new(0, "document", "UTF-16 is not accepted; send UTF-8"));
    }
    std::str::from_utf8(input).map_err(|e| {
        ParseError::new(
            e.valid_up_to(),
            "UTF-8",
            "invalid UTF-8 sequence (only UTF-8 is accepted)",
        )
    })
}

/// §2.2 `Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`,
/// over the whole (valid UTF-8) input: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF
/// (`EF BF BE`, `EF BF BF`), are what UTF-8 can carry that `Char` excludes.
///
/// The same pass notes whether the input has a `]` or a CR anywhere (see [`Rare`]).
fn chars(input: &[u8]) -> Result<Rare, ParseError> {
    // Fast path, branch-free so that it vectorises: no byte below 0x20 but tab, LF and CR, and
    // no 0xEF (the lead byte of U+F000..U+FFFF). Only input that has one is looked at closely.
    const SUSPECT: u8 = 1;
    const BRACKET: u8 = 2;
    const CR: u8 = 4;
    // (`&` and `|` on bools, not `&&`: no branch per byte.)
    let class = |b: u8| {
        u8::from(((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF))
            | (u8::from(b == b']') << 1)
            | (u8::from(b == b'\r') << 2)
    };
    let mut seen = 0u8;
    for c in input.chunks(256) {
        seen |= c.iter().fold(0, |acc, &b| acc | class(b));
        if seen & SUSPECT != 0 {
            break;
        }
    }
    if seen & SUSPECT == 0 {
        return Ok(Rare {
            bracket: seen & BRACKET != 0,
            cr: seen & CR != 0,
        });
    }
    for (n, &b) in input.iter().enumerate() {
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Err(ParseError::new(
                n,
                "Char",
                format!("U+{b:04X} is not an XML 1.0 character"),
            ));
        }
        if b == 0xEF
            && input.get(n + 1) == Some(&0xBF)
            && let Some(&(0xBE | 0xBF)) = input.get(n + 2)
        {
            return Err(ParseError::new(
                n,
                "Char",
                "U+FFFE and U+FFFF are not XML 1.0 characters",
            ));
        }
    }
    // The scan stopped early: assume both.
    Ok(Rare {
        bracket: true,
        cr: true,
    })
}

/// Bytes text is checked for, absent from most inputs: when the input has none, no text node
/// needs looking at.
#[derive(Debug, Clone, Copy)]
struct Rare {
    /// A `]` somewhere (text may then contain `]]>`).
    bracket: bool,
    /// A CR somewhere (text may then need line-end normalisation).
    cr: bool,
}

/// §2.2: a character a character reference may name.
pub fn is_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// §2.3 `S ::= (#x20 | #x9 | #xD | #xA)+`.
fn is_s(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A reference's replacement (§4.1, §4.6): the five predefined entities and character references
/// to `Char`s, nothing else (there is no DTD to declare any other).
fn reference(name: &str) -> Result<char, Cow<'static, str>> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let Some(num) = name.strip_prefix('#') else {
                return Err(format!(
                    "unknown entity `&{name};`: only `&lt;`, `&gt;`, `&amp;`, `&apos;`, `&quot;` and character references are allowed"
                )
                .into());
            };
            let value = match num.strip_prefix('x') {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()
                }
                None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => num.parse::<u32>().ok(),
                _ => return Err(format!("`&{name};` is not a character reference").into()),
            };
            match value.and_then(char::from_u32) {
                Some(c) if is_char(c) => c,
                _ => {
                    return Err(format!("`&{name};` refers to a character outside XML 1.0's `Char`").into());
                }
            }
        }
    };
    Ok(c)
}

/// §2.11: `\r\n` and lone `\r` become `\n`.
fn line_ends(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// An open element while parsing: where its scope starts, and its tag as written.
struct Open<'a> {
    scope: usize,
    qname: &'a str,
}

/// An attribute as read from a tag: (qname, value, offset of the name).
type RawAttribute<'a> = (&'a str, Cow<'a, str>, usize);

struct Parser<'a, 'l> {
    src: &'a str,
    rare: Rare,
    limits: &'l Limits,
    options: &'l Options,
    open: Vec<Open<'a>>,
    /// In-scope namespace declarations: (prefix, the namespace as stored in the tree, none for
    /// `xmlns=""`), innermost last.
    scope: Vec<(Option<&'a str>, Option<u32>)>,
    /// [`XML_NS`] as stored in the tree, once something used it.
    xml_ns: Option<u32>,
    elements: usize,
    tree: Builder<'a>,
    /// Scratch space for one tag at a time (reused, so that a tag allocates nothing).
    raw: Vec<RawAttribute<'a>>,
    declarations: Vec<Declaration<'a>>,
    attributes: Vec<(Attribute<'a>, usize)>,
}

impl<'a> Parser<'a, '_> {
    #[cold]
    fn err(&self, offset: usize, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> ParseError {
        let mut e = ParseError::new(offset, rule, detail);
        if !self.open.is_empty() {
            e.pointer = Some(self.open.iter().map(|o| format!("/{}", o.qname)).collect());
        }
        e
    }

    /// §2.1 `document ::= prolog element Misc*`, with the restrictions in the module doc.
    fn document(mut self) -> Result<Document<'a>, ParseError> {
        let mut reader = Reader::from_str(self.src);
        {
            let c = reader.config_mut();
            c.check_end_names = false;
            c.allow_unmatched_ends = true;
            c.expand_empty_elements = false;
            c.check_comments = true;
            c.trim_text_start = false;
            c.trim_text_end = false;
        }
        let mut root = false;
        loop {
            let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event();
            let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let src = self.src;
            let raw = || src.get(start..end).unwrap_or_default();
            // Every arm binds its event's payload (`_text`, …), so each drops only its own kind
            // of event inline, never through the drop of the whole `Result<Event, Error>` (an
            // out-of-line call per event). What an event carries is read from the input where it
            // can be: moving the event into a local first cost a store-forwarding stall per event.
            let empty = matches!(event, Ok(Event::Empty(_)));
            match event {
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(start);
                    return Err(self.err(at, "syntax", e.to_string().to_lowercase()));
                }
                Ok(Event::Decl(_decl)) => {
                    if start != 0 {
                        return Err(self.err(start, "XMLDecl", "the XML declaration must be at the very start"));
                    }
                    self.xml_decl(raw(), start)?;
                }
                Ok(Event::PI(pi)) => {
                    let target = String::from_utf8_lossy(pi.target().as_bytes()).to_string();
                    return Err(self.err(
                        start,
                        "PI",
                        format!("processing instruction `<?{target}` is not allowed"),
                    ));
                }
                Ok(Event::DocType(_doctype)) => {
                    return Err(self.err(
                        start,
                        "doctypedecl",
                        "a DOCTYPE is not allowed (no DTD, entity declaration or external entity is ever read)",
                    ));
                }
                Ok(Event::Start(tag) | Event::Empty(tag)) => {
                    if root {
                        return Err(self.err(start, "document", "a second root element (a document has exactly one)"));
                    }
                    // quick-xml has found where the name ends (at the first `S`, as `Name` does).
                    let name_len = tag.name().as_ref().len();
                    self.start_tag(raw(), start, name_len, empty)?;
                    if empty {
                        root |= self.close(start)?;
                    }
                }
                Ok(Event::End(_tag)) => {
                    root |= self.end_tag(raw(), start)?;
                }
                Ok(Event::Text(_text)) => {
                    // The text as written (quick-xml neither trims nor unescapes it here).
                    let text = raw();
                    if self.open.is_empty() {
                        if let Some(at) = text.find(|c: char| !is_s(c)) {
                            let what = if root {
                                "content after the root element"
                            } else {
                                "text before the root element"
                            };
                            return Err(self.err(start + at, "document", what));
                        }
                        continue;
                    }
                    // Only where the input has a `]` or a CR somewhere is text looked at.
                    if self.rare.bracket
                        && let Some(at) = text.contains(']').then(|| text.find("]]>")).flatten()
                    {
                        return Err(self.err(start + at, "CharData", "`]]>` is not allowed in text"));
                    }
                    if self.rare.cr {
                        self.text(line_ends(text), start)?;
                    } else {
                        self.text(Cow::Borrowed(text), start)?;
                    }
                }
                Ok(Event::GeneralRef(r)) => {
                    let name = r.into_inner();
                    if self.open.is_empty() {
                        return Err(self.err(start, "document", "a reference outside the root element"));
                    }
                    let c = reference(&name).map_err(|d| self.err(start, "Reference", d))?;
                    let mut buf = [0u8; 4];
                    self.reference_text(c.encode_utf8(&mut buf), start)?;
                }
                Ok(Event::CData(c)) => {
                    if !self.options.allow_cdata {
                        return Err(self.err(start, "CDSect", "CDATA sections are not allowed by this policy"));
                    }
                    if self.open.is_empty() {
                        return Err(self.err(start, "document", "a CDATA section outside the root element"));
                    }
                    let text = c.into_inner();
                    let text = Cow::Owned(line_ends(&text).into_owned());
                    self.text(text, start)?;
                }
                Ok(Event::Comment(_comment)) => {
                    if !self.options.allow_comments {
                        return Err(self.err(start, "Comment", "comments are not allowed by this policy"));
                    }
                    if raw().ends_with("--->") {
                        return Err(self.err(start, "Comment", "a comment may not end with `-`"));
                    }
                }
                Ok(Event::Eof) => {
                    if let Some(o) = self.open.last() {
                        return Err(self.err(self.src.len(), "element", format!("`<{}>` is not closed", o.qname)));
                    }
                    let at = self.src.len();
                    return match self.tree.finish() {
                        Some(doc) if root => Ok(doc),
                        _ => Err(ParseError::new(at, "document", "no root element")),
                    };
                }
            }
        }
    }

    /// §2.8 `XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'`, version 1.0 and
    /// encoding UTF-8 only.
    fn xml_decl(&self, raw: &'a str, start: usize) -> Result<(), ParseError> {
        let inner = raw
            .strip_prefix("<?xml")
            .and_then(|s| s.strip_suffix("?>"))
            .ok_or_else(|| self.err(start, "XMLDecl", "malformed XML declaration"))?;
        let base = start + 5;
        if let Some(n) = inner.find('&') {
            return Err(self.err(base + n, "XMLDecl", "references are not allowed in the XML declaration"));
        }
        let mut attrs = Vec::new();
        self.attributes(inner, base, "XMLDecl", &mut attrs)?;
        let mut names = attrs.iter().map(|(n, _, _)| *n);
        let order: Vec<&str> = names.by_ref().collect();
        let allowed = [
            &["version"][..],
            &["version", "encoding"],
            &["version", "standalone"],
            &["version", "encoding", "standalone"],
        ];
        if !allowed.contains(&order.as_slice()) {
            return Err(self.err(
                start,
                "XMLDecl",
                "the XML declaration takes `version`, then optionally `encoding` and `standalone`, in that order",
            ));
        }
        for (name, value, at) in &attrs {
            match (*name, value.as_ref()) {
                ("version", "1.0") => {}
                ("version", v) => {
                    return Err(self.err(
                        *at,
                        "VersionInfo",
                        format!("XML version `{v}` is not accepted (1.0 only)"),
                    ));
                }
                ("encoding", v) if v.eq_ignore_ascii_case("UTF-8") => {}
                ("encoding", v) => {
                    return Err(self.err(
                        *at,
                        "EncodingDecl",
                        format!("encoding `{v}` is not accepted (UTF-8 only)"),
                    ));
                }
                ("standalone", "yes" | "no") => {}
                (_, v) => return Err(self.err(*at, "SDDecl", format!("standalone must be `yes` or `no`, not `{v}`"))),
            }
        }
        Ok(())
    }

    /// `Attribute*` of a tag: `(S Attribute)* S?` → (qname, value, offset of the name), onto
    /// `out`.
    fn attributes(
        &self,
        mut s: &'a str,
        mut at: usize,
        rule: &'static str,
        out: &mut Vec<RawAttribute<'a>>,
    ) -> Result<(), ParseError> {
        loop {
            let trimmed = s.trim_start_matches(is_s);
            let had_space = trimmed.len() != s.len();
            at += s.len() - trimmed.len();
            s = trimmed;
            if s.is_empty() {
                return Ok(());
            }
            if !had_space {
                return Err(self.err(at, rule, "attributes must be separated by white space"));
            }
            // §3.1 `Attribute ::= Name Eq AttValue`
            let name_len = s.find(|c: char| is_s(c) || c == '=').unwrap_or(s.len());
            let name = s.get(..name_len).unwrap_or_default();
            let name_at = at;
            if name.is_empty() {
                return Err(self.err(at, rule, "expected an attribute name"));
            }
            let rest = s.get(name_len..).unwrap_or_default();
            let eq = rest.trim_start_matches(is_s);
            let Some(after_eq) = eq.strip_prefix('=') else {
                return Err(self.err(at, "Eq", format!("attribute `{name}` needs `=` and a value")));
            };
            let v = after_eq.trim_start_matches(is_s);
            at += s.len() - v.len();
            let quote = v.chars().next();
            let (Some(q @ ('"' | '\'')), Some(body)) = (quote, v.get(1..)) else {
                return Err(self.err(at, "AttValue", format!("the value of `{name}` must be quoted")));
            };
            let Some(close) = body.find(q) else {
                return Err(self.err(at, "AttValue", format!("the value of `{name}` is not closed")));
            };
            let raw = body.get(..close).unwrap_or_default();
            let value = self.att_value(raw, at + 1)?;
            if value.len() > self.limits.max_string_bytes {
                return Err(self.err(
                    at,
                    "max_string_bytes",
                    format!(
                        "attribute value is {} bytes, the limit is {}",
                        value.len(),
                        self.limits.max_string_bytes
                    ),
                ));
            }
            out.push((name, value, name_at));
            s = body.get(close + 1..).unwrap_or_default();
            at += close + 2;
        }
    }

    /// §3.1 `AttValue` content, unescaped (§4.6) and normalised (§3.3.3: each white-space
    /// character written literally becomes a space; those written as references stay).
    fn att_value(&self, raw: &'a str, at: usize) -> Result<Cow<'a, str>, ParseError> {
        if let Some(n) = raw.find('<') {
            return Err(self.err(at + n, "AttValue", "`<` is not allowed in an attribute value"));
        }
        if !raw.contains(['&', '\t', '\n', '\r']) {
            return Ok(Cow::Borrowed(raw));
        }
        let raw_norm = raw.replace("\r\n", " ");
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw_norm.as_str();
        while let Some(amp) = rest.find('&') {
            out.extend(
                rest.get(..amp)
                    .unwrap_or_default()
                    .chars()
                    .map(|c| if is_s(c) { ' ' } else { c }),
            );
            let after = rest.get(amp + 1..).unwrap_or_default();
            let Some(semi) = after.find(';') else {
                return Err(self.err(at, "Reference", "`&` without `;` (write `&amp;`)"));
            };
            let name = after.get(..semi).unwrap_or_default();
            out.push(reference(name).map_err(|d| self.err(at, "Reference", d))?);
            rest = after.get(semi + 1..).unwrap_or_default();
        }
        out.extend(rest.chars().map(|c| if is_s(c) { ' ' } else { c }));
        Ok(Cow::Owned(out))
    }

    /// A qualified name (Namespaces §4 `QName ::= PrefixedName | UnprefixedName`).
    #[inline(always)]
    fn qname(&self, name: &'a str, at: usize) -> Result<(Option<&'a str>, &'a str), ParseError> {
        let (prefix, local) = match name.bytes().position(|b| b == b':') {
            Some(colon) => (name.get(..colon), name.get(colon + 1..).unwrap_or_default()),
            None => (None, name),
        };
        if prefix.is_some_and(|p| !is_ncname(p)) || !is_ncname(local) {
            return Err(self.err(at, "QName", format!("`{name}` is not a valid XML name")));
        }
        Ok((prefix, local))
    }

    /// The namespace `prefix` is bound to (the default namespace for no prefix).
    #[inline(always)]
    fn resolve(&mut self, prefix: Option<&str>) -> Option<u32> {
        if prefix == Some("xml") {
            if self.xml_ns.is_none() {
                self.xml_ns = self.tree.namespace(Cow::Borrowed(XML_NS));
            }
            return self.xml_ns;
        }
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .and_then(|(_, ns)| *ns)
    }

    /// §3.1 `STag ::= '<' Name (S Attribute)* S? '>'` and `EmptyElemTag`.
    fn start_tag(&mut self, raw: &'a str, start: usize, name_len: usize, empty: bool) -> Result<(), ParseError> {
        if self.open.len() >= self.limits.max_depth {
            return Err(self.err(
                start,
                "max_depth",
                format!("elements nested deeper than {} levels", self.limits.max_depth),
            ));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.err(
                start,
                "max_elements",
                format!("more than {} elements", self.limits.max_elements),
            ));
        }
        let inner = raw
            .strip_prefix('<')
            .and_then(|s| {
                if empty {
                    s.strip_suffix("/>")
                } else {
                    s.strip_suffix('>')
                }
            })
            .ok_or_else(|| self.err(start, "STag", "malformed start tag"))?;
        let qname = inner.get(..name_len).unwrap_or_default();
        let (prefix, local) = self.qname(qname, start + 1)?;
        let rest = inner.get(name_len..).unwrap_or_default();
        if rest.is_empty() {
            // Most tags: no attributes, no declarations, nothing to collect.
            return self.open_bare(qname, prefix, local, start);
        }
        let mut attrs = std::mem::take(&mut self.raw);
        attrs.clear();
        let result = self.attributes(rest, start + 1 + name_len, "Attribute", &mut attrs);
        let result = result.and_then(|()| self.element(qname, prefix, local, &mut attrs, start));
        self.raw = attrs;
        result
    }

    /// The element of a start tag, from its name and attributes as read.
    fn element(
        &mut self,
        qname: &'a str,
        prefix: Option<&'a str>,
        local: &'a str,
        attrs: &mut Vec<RawAttribute<'a>>,
        start: usize,
    ) -> Result<(), ParseError> {
        if attrs.len() > self.limits.max_attributes {
            return Err(self.err(
                start,
                "max_attributes",
                format!(
                    "`<{qname}>` has {} attributes, the limit is {}",
                    attrs.len(),
                    self.limits.max_attributes
                ),
            ));
        }
        let scope = self.scope.len();
        self.declarations.clear();
        self.attributes.clear();
        for n in 0..attrs.len() {
            let Some((name, value, at)) = attrs
                .get_mut(n)
                .map(|(name, value, at)| (*name, std::mem::take(value), *at))
            else {
                break;
            };
            if attrs.iter().take(n).any(|(other, _, _)| *other == name) {
                return Err(self.err(at, "Attribute", format!("attribute `{name}` appears twice")));
            }
            let (p, l) = self.qname(name, at)?;
            match (p, l) {
                (None, "xmlns") => {
                    if value == XML_NS || value == XMLNS_NS {
                        return Err(self.err(at, "NSAttName", format!("`{value}` may not be the default namespace")));
                    }
                    let ns = if value.is_empty() {
                        None
                    } else {
                        self.tree.namespace(value.clone())
                    };
                    self.scope.push((None, ns));
                    self.declarations.push(Declaration {
                        prefix: None,
                        uri: value,
                    });
                }
                (Some("xmlns"), p) => {
                    if value.is_empty() {
                        return Err(self.err(at, "NSAttName", format!("prefix `{p}` cannot be undeclared")));
                    }
                    let reserved = p == "xmlns" || value == XMLNS_NS || ((p == "xml") != (value == XML_NS));
                    if reserved {
                        return Err(self.err(
                            at,
                            "NSAttName",
                            format!("`xmlns:{p}=\"{value}\"` misuses a reserved prefix or namespace"),
                        ));
                    }
                    let ns = self.tree.namespace(value.clone());
                    self.scope.push((Some(p), ns));
                    self.declarations.push(Declaration {
                        prefix: Some(p),
                        uri: value,
                    });
                }
                (p, l) => self.attributes.push((
                    Attribute {
                        prefix: p,
                        local: l,
                        namespace: None,
                        value,
                    },
                    at,
                )),
            }
        }
        if self.declarations.is_empty() && self.attributes.is_empty() {
            return self.open_bare(qname, prefix, local, start);
        }
        let namespace = self.element_namespace(prefix, start)?;
        for n in 0..self.attributes.len() {
            let Some((a, at)) = self.attributes.get(n) else {
                break;
            };
            let (at, p, l) = (*at, a.prefix, a.local);
            let ns = match p {
                Some(p) => Some(
                    self.resolve(Some(p))
                        .and_then(|ns| self.tree.stored_namespace(ns).cloned())
                        .ok_or_else(|| self.err(at, "QName", format!("prefix `{p}` is not declared")))?,
                ),
                None => None,
            };
            if self
                .attributes
                .iter()
                .take(n)
                .any(|(a, _)| a.namespace == ns && a.local == l)
            {
                return Err(self.err(
                    at,
                    "Attribute",
                    format!(
                        "attribute `{l}` in namespace `{}` appears twice (after resolving prefixes)",
                        ns.as_deref().unwrap_or("")
                    ),
                ));
            }
            if let Some((a, _)) = self.attributes.get_mut(n) {
                a.namespace = ns;
            }
        }
        let _ = self.tree.open_stored(
            prefix,
            local,
            namespace,
            self.declarations.drain(..),
            self.attributes.drain(..).map(|(a, _)| a),
        );
        self.open.push(Open { scope, qname });
        Ok(())
    }

    /// Open an element that has neither attributes nor namespace declarations.
    #[inline(always)]
    fn open_bare(
        &mut self,
        qname: &'a str,
        prefix: Option<&'a str>,
        local: &'a str,
        start: usize,
    ) -> Result<(), ParseError> {
        let namespace = self.element_namespace(prefix, start)?;
        self.tree.flush();
        let (d, a) = (self.tree.doc.declarations.len(), self.tree.doc.attributes.len());
        let _ = self.tree.push_element(prefix, local, namespace, d, a);
        self.open.push(Open {
            scope: self.scope.len(),
            qname,
        });
        Ok(())
    }

    /// The namespace of an element with `prefix`: an undeclared prefix is an error.
    #[inline(always)]
    fn element_namespace(&mut self, prefix: Option<&str>, start: usize) -> Result<Option<u32>, ParseError> {
        let namespace = self.resolve(prefix);
        match prefix {
            Some(p) if namespace.is_none() => {
                Err(self.err(start + 1, "QName", format!("prefix `{p}` is not declared")))
            }
            _ => Ok(namespace),
        }
    }

    /// §3.1 `ETag ::= '</' Name S? '>'`: it must close the innermost open element.
    #[inline]
    fn end_tag(&mut self, raw: &'a str, start: usize) -> Result<bool, ParseError> {
        let name = raw
            .strip_prefix("</")
            .and_then(|s| s.strip_suffix('>'))
            .and_then(|s| {
                // `S` is ASCII: trimmed bytewise.
                let keep = s.bytes().rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                s.get(..keep.map_or(0, |k| k.saturating_add(1)))
            })
            .unwrap_or_default();
        match self.open.last() {
            None => Err(self.err(start, "ETag", format!("`</{name}>` closes nothing"))),
            Some(o) if o.qname != name => {
                Err(self.err(start, "ETag", format!("`</{name}>` does not close `<{}>`", o.qname)))
            }
            Some(_) => self.close(start),
        }
    }

    /// Close the innermost element; true when it was the root.
    #[inline(always)]
    fn close(&mut self, start: usize) -> Result<bool, ParseError> {
        let Some(o) = self.open.pop() else {
            return Err(self.err(start, "ETag", "nothing to close"));
        };
        self.scope.truncate(o.scope);
        if !self.tree.close() {
            return Err(self.err(start, "ETag", "internal: the open element is missing"));
        }
        Ok(self.open.is_empty())
    }

    /// Append a reference's replacement to the innermost element, merging with text just
    /// before it.
    fn reference_text(&mut self, text: &str, start: usize) -> Result<(), ParseError> {
        let max = self.limits.max_string_bytes;
        if self.tree.push_text(text) > max {
            return Err(self.err(start, "max_string_bytes", format!("text is more than {max} bytes")));
        }
        Ok(())
    }

    /// Append text to the innermost element, merging with text just before it.
    #[inline(always)]
    fn text(&mut self, text: Cow<'a, str>, start: usize) -> Result<(), ParseError> {
        if text.is_empty() {
            return Ok(());
        }
        let max = self.limits.max_string_bytes;
        if self.open.is_empty() {
            return Err(self.err(start, "document", "text outside the root element"));
        }
        if self.tree.text(text) > max {
            return Err(self.err(start, "max_string_bytes", format!("text is more than {max} bytes")));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// Render `doc` canonically (see the module doc).
pub fn render(doc: &Document<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    render_nodes(doc, &mut out);
    out.push('\n');
    out.into_bytes()
}

/// The nodes in document order, closing each element where its subtree ends (never
/// recursing, so rendering needs no more stack than the document is deep).
fn render_nodes(doc: &Document<'_>, out: &mut String) {
    let mut open: Vec<(usize, &ElementData<'_>)> = Vec::new();
    for (id, slot) in doc.nodes.iter().enumerate() {
        while let Some((_, e)) = open.pop_if(|(_, e)| to_usize(e.end) <= id) {
            close_tag(e, out);
        }
        match slot {
            Slot::Text(t) => escape_text(doc.text(*t), out),
            Slot::Element(e) => {
                open_tag(doc, e, id, out);
                if to_usize(e.end) > id.saturating_add(1) {
                    open.push((id, e));
                }
            }
        }
    }
    while let Some((_, e)) = open.pop() {
        close_tag(e, out);
    }
}

fn push_qname(prefix: Option<&str>, local: &str, out: &mut String) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn open_tag(doc: &Document<'_>, e: &ElementData<'_>, id: usize, out: &mut String) {
    out.push('<');
    push_qname(e.prefix, e.local, out);
    for d in doc.declarations.get(e.declarations.range()).unwrap_or_default() {
        out.push_str(" xmlns");
        if let Some(p) = d.prefix {
            out.push(':');
            out.push_str(p);
        }
        out.push_str("=\"");
        escape_attr(&d.uri, out);
        out.push('"');
    }
    for a in doc.attributes.get(e.attributes.range()).unwrap_or_default() {
        out.push(' ');
        push_qname(a.prefix, a.local, out);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push_str(if to_usize(e.end) > id.saturating_add(1) {
        ">"
    } else {
        "/>"
    });
}

fn close_tag(e: &ElementData<'_>, out: &mut String) {
    out.push_str("</");
    push_qname(e.prefix, e.local, out);
    out.push('>');
}

/// Text: `&`, `<`, `>` as entities, CR as a character reference (so line-end handling keeps it).
fn escape_text(s: &str, out: &mut String) {
    if !s.contains(['&', '<', '>', '\r']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Attribute values: `&`, `<`, `"` as entities, tab, LF and CR as character references (so
/// attribute-value normalisation keeps them).
fn escape_attr(s: &str, out: &mut String) {
    if !s.contains(['&', '<', '"', '\t', '\n', '\r']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
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
