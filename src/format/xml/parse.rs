//! Parsing: quick-xml's raw events checked production by production into the flat tree.

use super::*;

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
pub(super) fn is_s(c: char) -> bool {
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
    /// The attributes of the tag: (prefix, the attribute as it will be stored, offset).
    attributes: Vec<(Option<&'a str>, AttributeData<'a>, usize)>,
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
                (p, l) => {
                    let prefix = self.tree.prefix(p);
                    self.attributes.push((
                        p,
                        AttributeData {
                            local: l,
                            value,
                            prefix,
                            namespace: NO_NAMESPACE,
                        },
                        at,
                    ));
                }
            }
        }
        if self.declarations.is_empty() && self.attributes.is_empty() {
            return self.open_bare(qname, prefix, local, start);
        }
        let namespace = self.element_namespace(prefix, start)?;
        for n in 0..self.attributes.len() {
            let Some((p, a, at)) = self.attributes.get(n) else {
                break;
            };
            let (at, p, l) = (*at, *p, a.local);
            let ns = match p {
                Some(p) => self
                    .resolve(Some(p))
                    .filter(|ns| self.tree.doc.namespace_at(*ns).is_some())
                    .ok_or_else(|| self.err(at, "QName", format!("prefix `{p}` is not declared")))?,
                None => NO_NAMESPACE,
            };
            // Compared by name: one namespace may be stored twice (declared far apart).
            let uri = self.tree.doc.namespace_at(ns);
            if self
                .attributes
                .iter()
                .take(n)
                .any(|(_, a, _)| a.local == l && self.tree.doc.namespace_at(a.namespace) == uri)
            {
                return Err(self.err(
                    at,
                    "Attribute",
                    format!(
                        "attribute `{l}` in namespace `{}` appears twice (after resolving prefixes)",
                        uri.map_or("", |u| u.as_ref())
                    ),
                ));
            }
            if let Some((_, a, _)) = self.attributes.get_mut(n) {
                a.namespace = ns;
            }
        }
        let _ = self.tree.open_stored(
            prefix,
            local,
            namespace,
            self.declarations.drain(..),
            self.attributes.drain(..).map(|(_, a, _)| a),
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
