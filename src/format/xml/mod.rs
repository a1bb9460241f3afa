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
//! The tree borrows names, text and values from the input where no unescaping was needed.
//! Rendering is canonical: the declaration `<?xml version="1.0" encoding="UTF-8"?>`, namespace
//! declarations where they were (before the attributes), attributes in source order in double
//! quotes, one escaping style, `<e/>` for an element without content, no comments, and
//! `parse(render(tree)) == tree`.
//!
//! ```
//! use sekisho::{Limits, format::xml};
//! let doc = xml::parse(b"<a xmlns='urn:x' k='1'>x &amp; y<!-- gone --></a>",
//!                      &Limits::default(), &xml::Options { allow_comments: true, ..Default::default() }).unwrap();
//! assert_eq!(doc.root.namespace.as_deref(), Some("urn:x"));
//! assert_eq!(xml::render(&doc), b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\" k=\"1\">x &amp; y</a>\n");
//! let e = xml::parse(b"<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
//!                    &Limits::default(), &xml::Options::default()).unwrap_err();
//! assert_eq!(e.rule, "doctypedecl");
//! ```

pub mod label4774;
pub mod release;

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::ParseError;
use crate::limits::Limits;

/// The namespace the `xml` prefix is bound to (Namespaces in XML 1.0 §3).
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
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

/// A parsed document: its root element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    pub root: Element<'a>,
}

/// An element: its name as written, its resolved namespace, the namespace declarations written
/// on it, its attributes and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    pub prefix: Option<Cow<'a, str>>,
    pub local: Cow<'a, str>,
    /// The namespace the name resolved to, or none.
    pub namespace: Option<Cow<'a, str>>,
    pub declarations: Vec<Declaration<'a>>,
    pub attributes: Vec<Attribute<'a>>,
    /// Elements and text; no two text nodes are adjacent and none is empty.
    pub children: Vec<Node<'a>>,
}

/// `xmlns="uri"` (no prefix) or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<'a> {
    pub prefix: Option<Cow<'a, str>>,
    pub uri: Cow<'a, str>,
}

/// An attribute (never a namespace declaration), its value unescaped and normalised (§3.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub prefix: Option<Cow<'a, str>>,
    pub local: Cow<'a, str>,
    /// Unprefixed attributes are in no namespace.
    pub namespace: Option<Cow<'a, str>>,
    pub value: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<'a> {
    Element(Element<'a>),
    Text(Cow<'a, str>),
}

impl<'a> Element<'a> {
    /// A new element with no declarations, attributes or content.
    pub fn new(prefix: Option<Cow<'a, str>>, local: Cow<'a, str>, namespace: Option<Cow<'a, str>>) -> Element<'a> {
        Element {
            prefix,
            local,
            namespace,
            declarations: Vec::new(),
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Whether this element is `local` in namespace `ns`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.namespace.as_deref() == Some(ns) && self.local == local
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element<'a>> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text content directly in this element (not in its children), concatenated.
    pub fn text(&self) -> Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(|n| match n {
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
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.local == local)
            .map(|a| a.value.as_ref())
    }

    /// The name as written: `prefix:local` or `local`.
    pub fn qname(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.to_string(),
        }
    }

    /// Merge adjacent text nodes and remove empty ones (after children were removed).
    pub fn normalize(&mut self) {
        let mut out: Vec<Node<'a>> = Vec::with_capacity(self.children.len());
        for n in std::mem::take(&mut self.children) {
            match (out.last_mut(), n) {
                (_, Node::Text(t)) if t.is_empty() => {}
                (Some(Node::Text(prev)), Node::Text(t)) => prev.to_mut().push_str(&t),
                (_, n) => out.push(n),
            }
        }
        self.children = out;
    }

    /// Elements in this subtree, this one included.
    pub fn count(&self) -> usize {
        1 + self.elements().map(Element::count).sum::<usize>()
    }
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
    chars(input)?;
    Parser {
        src,
        limits,
        options,
        open: Vec::new(),
        scope: Vec::new(),
        elements: 0,
        kids: Vec::new(),
        pending: None,
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
fn chars(input: &[u8]) -> Result<(), ParseError> {
    // Fast path, branch-free so that it vectorises: no byte below 0x20 but tab, LF and CR, and
    // no 0xEF (the lead byte of U+F000..U+FFFF). Only input that has one is looked at closely.
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0xEF);
    if !input
        .chunks(64)
        .any(|c| c.iter().fold(false, |acc, &b| acc | suspect(b)))
    {
        return Ok(());
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
    Ok(())
}

/// §2.2: a character a character reference may name.
pub fn is_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// §2.3 `NameStartChar`, without `:` (Namespaces §3 `NCName`).
fn is_name_start(c: char) -> bool {
    matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// §2.3 `NameChar`, without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Namespaces §3 `NCName ::= Name - (Char* ':' Char*)`.
pub fn is_ncname(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(is_name_start) && cs.all(is_name_char)
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

/// An open element while parsing: where it is on the shared stack (its children follow it
/// there until it closes), where its scope starts, and its tag as written.
struct Open<'a> {
    index: usize,
    scope: usize,
    qname: &'a str,
}

struct Parser<'a, 'l> {
    src: &'a str,
    limits: &'l Limits,
    options: &'l Options,
    open: Vec<Open<'a>>,
    /// In-scope namespace declarations: (prefix, uri), innermost last.
    scope: Vec<(Option<&'a str>, Cow<'a, str>)>,
    elements: usize,
    /// The children of every open element, innermost last: each element's children are moved
    /// into a vector of exactly their number when it closes (one allocation per element).
    kids: Vec<Node<'a>>,
    /// Text read since the last tag, not yet on `kids`.
    pending: Option<Cow<'a, str>>,
}

impl<'a> Parser<'a, '_> {
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
        let mut root: Option<Element<'a>> = None;
        loop {
            let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(start);
                    return Err(self.err(at, "syntax", e.to_string().to_lowercase()));
                }
            };
            let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let raw = self.src.get(start..end).unwrap_or_default();
            match event {
                Event::Decl(_) => {
                    if start != 0 {
                        return Err(self.err(start, "XMLDecl", "the XML declaration must be at the very start"));
                    }
                    self.xml_decl(raw, start)?;
                }
                Event::PI(pi) => {
                    let target = String::from_utf8_lossy(pi.target().as_bytes()).to_string();
                    return Err(self.err(
                        start,
                        "PI",
                        format!("processing instruction `<?{target}` is not allowed"),
                    ));
                }
                Event::DocType(_) => {
                    return Err(self.err(
                        start,
                        "doctypedecl",
                        "a DOCTYPE is not allowed (no DTD, entity declaration or external entity is ever read)",
                    ));
                }
                Event::Start(_) | Event::Empty(_) => {
                    if root.is_some() {
                        return Err(self.err(start, "document", "a second root element (a document has exactly one)"));
                    }
                    let empty = matches!(event, Event::Empty(_));
                    self.start_tag(raw, start, empty)?;
                    if empty {
                        root = self.close(start)?.or(root);
                    }
                }
                Event::End(_) => {
                    root = self.end_tag(raw, start)?.or(root);
                }
                Event::Text(t) => {
                    let text = t.into_inner();
                    if self.open.is_empty() {
                        if let Some(at) = text.find(|c: char| !is_s(c)) {
                            let what = if root.is_some() {
                                "content after the root element"
                            } else {
                                "text before the root element"
                            };
                            return Err(self.err(start + at, "document", what));
                        }
                        continue;
                    }
                    if let Some(at) = text.contains(']').then(|| text.find("]]>")).flatten() {
                        return Err(self.err(start + at, "CharData", "`]]>` is not allowed in text"));
                    }
                    let text = match text {
                        Cow::Borrowed(b) => line_ends(b),
                        Cow::Owned(o) => Cow::Owned(line_ends(&o).into_owned()),
                    };
                    self.text(text, start)?;
                }
                Event::GeneralRef(r) => {
                    let name = r.into_inner();
                    if self.open.is_empty() {
                        return Err(self.err(start, "document", "a reference outside the root element"));
                    }
                    let c = reference(&name).map_err(|d| self.err(start, "Reference", d))?;
                    let mut buf = [0u8; 4];
                    self.text(Cow::Owned(c.encode_utf8(&mut buf).to_string()), start)?;
                }
                Event::CData(c) => {
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
                Event::Comment(_) => {
                    if !self.options.allow_comments {
                        return Err(self.err(start, "Comment", "comments are not allowed by this policy"));
                    }
                    if raw.ends_with("--->") {
                        return Err(self.err(start, "Comment", "a comment may not end with `-`"));
                    }
                }
                Event::Eof => {
                    if let Some(o) = self.open.last() {
                        return Err(self.err(self.src.len(), "element", format!("`<{}>` is not closed", o.qname)));
                    }
                    return match root {
                        Some(root) => Ok(Document { root }),
                        None => Err(self.err(self.src.len(), "document", "no root element")),
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
        let attrs = self.attributes(inner, base, "XMLDecl")?;
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

    /// `Attribute*` of a tag: `(S Attribute)* S?` → (qname, value, offset of the name).
    #[allow(clippy::type_complexity)]
    fn attributes(
        &self,
        mut s: &'a str,
        mut at: usize,
        rule: &'static str,
    ) -> Result<Vec<(&'a str, Cow<'a, str>, usize)>, ParseError> {
        let mut out = Vec::new();
        loop {
            let trimmed = s.trim_start_matches(is_s);
            let had_space = trimmed.len() != s.len();
            at += s.len() - trimmed.len();
            s = trimmed;
            if s.is_empty() {
                return Ok(out);
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
    fn qname(&self, name: &'a str, at: usize) -> Result<(Option<&'a str>, &'a str), ParseError> {
        let (prefix, local) = match name.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, name),
        };
        if prefix.is_some_and(|p| !is_ncname(p)) || !is_ncname(local) {
            return Err(self.err(at, "QName", format!("`{name}` is not a valid XML name")));
        }
        Ok((prefix, local))
    }

    /// The namespace `prefix` is bound to (the default namespace for no prefix).
    fn resolve(&self, prefix: Option<&str>) -> Option<Cow<'a, str>> {
        if prefix == Some("xml") {
            return Some(Cow::Borrowed(XML_NS));
        }
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .and_then(|(_, uri)| (!uri.is_empty()).then(|| uri.clone()))
    }

    /// §3.1 `STag ::= '<' Name (S Attribute)* S? '>'` and `EmptyElemTag`.
    fn start_tag(&mut self, raw: &'a str, start: usize, empty: bool) -> Result<(), ParseError> {
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
        let name_len = inner.find(is_s).unwrap_or(inner.len());
        let qname = inner.get(..name_len).unwrap_or_default();
        let (prefix, local) = self.qname(qname, start + 1)?;
        let rest = inner.get(name_len..).unwrap_or_default();
        let attrs = self.attributes(rest, start + 1 + name_len, "Attribute")?;
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
        self.flush();
        let scope = self.scope.len();
        let mut declarations = Vec::new();
        let mut plain = Vec::new();
        for (n, (name, value, at)) in attrs.iter().enumerate() {
            if attrs.iter().take(n).any(|(other, _, _)| other == name) {
                return Err(self.err(*at, "Attribute", format!("attribute `{name}` appears twice")));
            }
            let (p, l) = self.qname(name, *at)?;
            match (p, l) {
                (None, "xmlns") => {
                    if value == XML_NS || value == XMLNS_NS {
                        return Err(self.err(*at, "NSAttName", format!("`{value}` may not be the default namespace")));
                    }
                    self.scope.push((None, value.clone()));
                    declarations.push(Declaration {
                        prefix: None,
                        uri: value.clone(),
                    });
                }
                (Some("xmlns"), p) => {
                    if value.is_empty() {
                        return Err(self.err(*at, "NSAttName", format!("prefix `{p}` cannot be undeclared")));
                    }
                    let reserved = p == "xmlns" || value == XMLNS_NS || ((p == "xml") != (value == XML_NS));
                    if reserved {
                        return Err(self.err(
                            *at,
                            "NSAttName",
                            format!("`xmlns:{p}=\"{value}\"` misuses a reserved prefix or namespace"),
                        ));
                    }
                    self.scope.push((Some(p), value.clone()));
                    declarations.push(Declaration {
                        prefix: Some(Cow::Borrowed(p)),
                        uri: value.clone(),
                    });
                }
                (p, l) => plain.push((p, l, value.clone(), *at)),
            }
        }
        let namespace = self.resolve(prefix);
        if let Some(p) = prefix
            && namespace.is_none()
        {
            return Err(self.err(start + 1, "QName", format!("prefix `{p}` is not declared")));
        }
        let mut attributes: Vec<Attribute<'a>> = Vec::with_capacity(plain.len());
        for (p, l, value, at) in plain {
            let ns = match p {
                Some(p) => Some(
                    self.resolve(Some(p))
                        .ok_or_else(|| self.err(at, "QName", format!("prefix `{p}` is not declared")))?,
                ),
                None => None,
            };
            if attributes.iter().any(|a| a.namespace == ns && a.local == l) {
                return Err(self.err(
                    at,
                    "Attribute",
                    format!(
                        "attribute `{l}` in namespace `{}` appears twice (after resolving prefixes)",
                        ns.as_deref().unwrap_or("")
                    ),
                ));
            }
            attributes.push(Attribute {
                prefix: p.map(Cow::Borrowed),
                local: Cow::Borrowed(l),
                namespace: ns,
                value,
            });
        }
        let element = Element {
            prefix: prefix.map(Cow::Borrowed),
            local: Cow::Borrowed(local),
            namespace,
            declarations,
            attributes,
            children: Vec::new(),
        };
        let index = self.kids.len();
        self.kids.push(Node::Element(element));
        self.open.push(Open { index, scope, qname });
        Ok(())
    }

    /// §3.1 `ETag ::= '</' Name S? '>'`: it must close the innermost open element.
    fn end_tag(&mut self, raw: &'a str, start: usize) -> Result<Option<Element<'a>>, ParseError> {
        let name = raw
            .strip_prefix("</")
            .and_then(|s| s.strip_suffix('>'))
            .map(|s| s.trim_end_matches(is_s))
            .unwrap_or_default();
        match self.open.last() {
            None => Err(self.err(start, "ETag", format!("`</{name}>` closes nothing"))),
            Some(o) if o.qname != name => {
                Err(self.err(start, "ETag", format!("`</{name}>` does not close `<{}>`", o.qname)))
            }
            Some(_) => self.close(start),
        }
    }

    /// Close the innermost element; the root when it was the last one.
    fn close(&mut self, start: usize) -> Result<Option<Element<'a>>, ParseError> {
        self.flush();
        let Some(o) = self.open.pop() else {
            return Err(self.err(start, "ETag", "nothing to close"));
        };
        self.scope.truncate(o.scope);
        let first_child = o.index.saturating_add(1).min(self.kids.len());
        let children: Vec<Node<'a>> = self.kids.drain(first_child..).collect();
        match self.kids.get_mut(o.index) {
            Some(Node::Element(e)) => e.children = children,
            _ => return Err(self.err(start, "ETag", "internal: the open element is missing")),
        }
        if !self.open.is_empty() {
            return Ok(None);
        }
        match self.kids.pop() {
            Some(Node::Element(root)) => Ok(Some(root)),
            _ => Err(self.err(start, "ETag", "internal: the root element is missing")),
        }
    }

    /// Move the pending text onto the children of the innermost element.
    fn flush(&mut self) {
        if let Some(t) = self.pending.take() {
            self.kids.push(Node::Text(t));
        }
    }

    /// Append text to the innermost element, merging with text just before it.
    fn text(&mut self, text: Cow<'a, str>, start: usize) -> Result<(), ParseError> {
        if text.is_empty() {
            return Ok(());
        }
        let max = self.limits.max_string_bytes;
        if self.open.is_empty() {
            return Err(self.err(start, "document", "text outside the root element"));
        }
        let len = match &mut self.pending {
            Some(prev) => {
                prev.to_mut().push_str(&text);
                prev.len()
            }
            None => {
                let len = text.len();
                self.pending = Some(text);
                len
            }
        };
        if len > max {
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
    render_element(&doc.root, &mut out);
    out.push('\n');
    out.into_bytes()
}

fn render_element(e: &Element<'_>, out: &mut String) {
    // Iterative, so that rendering never recurses deeper than parsing allowed (it does not
    // recurse at all): a stack of (element, next child).
    let mut stack: Vec<(&Element<'_>, usize)> = Vec::new();
    open_tag(e, out);
    if e.children.is_empty() {
        return;
    }
    stack.push((e, 0));
    while let Some((el, next)) = stack.pop() {
        match el.children.get(next) {
            None => close_tag(el, out),
            Some(child) => {
                stack.push((el, next + 1));
                match child {
                    Node::Text(t) => escape_text(t, out),
                    Node::Element(c) => {
                        open_tag(c, out);
                        if !c.children.is_empty() {
                            stack.push((c, 0));
                        }
                    }
                }
            }
        }
    }
}

fn push_qname(prefix: Option<&str>, local: &str, out: &mut String) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn open_tag(e: &Element<'_>, out: &mut String) {
    out.push('<');
    push_qname(e.prefix.as_deref(), &e.local, out);
    for d in &e.declarations {
        out.push_str(" xmlns");
        if let Some(p) = &d.prefix {
            out.push(':');
            out.push_str(p);
        }
        out.push_str("=\"");
        escape_attr(&d.uri, out);
        out.push('"');
    }
    for a in &e.attributes {
        out.push(' ');
        push_qname(a.prefix.as_deref(), &a.local, out);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push_str(if e.children.is_empty() { "/>" } else { ">" });
}

fn close_tag(e: &Element<'_>, out: &mut String) {
    out.push_str("</");
    push_qname(e.prefix.as_deref(), &e.local, out);
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
