//! The small grammars STIX 2.1 puts inside JSON strings: type names, identifiers, timestamps,
//! granular-marking selectors and language tags. One nom function per production.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while_m_n, take_while1};
use nom::character::complete::char;
use nom::combinator::{all_consuming, opt, recognize};
use nom::multi::many0;

use crate::error::GrammarError;

type PResult<'a, T> = IResult<&'a str, T, GrammarError<&'a str>>;

/// Run a production over the whole of `s`; the error is `(offset in s, detail)`.
pub fn whole<'a, T>(
    s: &'a str,
    p: impl Parser<&'a str, Output = T, Error = GrammarError<&'a str>>,
) -> Result<T, String> {
    match all_consuming(p).parse(s) {
        Ok((_, v)) => Ok(v),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let at = s.len().saturating_sub(e.input.len());
            Err(if e.rule == "syntax" {
                format!("unexpected {} at character {}", shown(e.input), at)
            } else {
                e.detail.into_owned()
            })
        }
        Err(nom::Err::Incomplete(_)) => Err("unexpected end".to_string()),
    }
}

fn shown(s: &str) -> String {
    match s.chars().next() {
        Some(c) => format!("`{c}`"),
        None => "end".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Fast paths: the common well-formed identifier, type name and timestamp checked byte by byte.
// Each answers only when its input is well formed, and then exactly what `whole` with the
// production answers (the property tests at the foot say so); anything else, every error
// included, goes through the production, so the messages stay the production's.
// ---------------------------------------------------------------------------------------------

/// `whole(s, type_name)`.
pub fn whole_type_name(s: &str) -> Result<&str, String> {
    match type_name_fast(s) {
        Some(t) => Ok(t),
        None => whole(s, type_name),
    }
}

/// `whole(s, identifier)`.
pub fn whole_identifier(s: &str) -> Result<(&str, &str), String> {
    match identifier_fast(s) {
        Some(v) => Ok(v),
        None => whole(s, identifier),
    }
}

/// `whole(s, timestamp)`.
pub fn whole_timestamp(s: &str) -> Result<Timestamp, String> {
    match timestamp_fast(s) {
        Some(t) => Ok(t),
        None => whole(s, timestamp),
    }
}

/// A well-formed type name (`[a-z][a-z0-9]*(-[a-z0-9]+)*`, 3 to 250 characters), or `None`.
fn type_name_fast(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if !(3..=250).contains(&b.len()) || !b.first()?.is_ascii_lowercase() || *b.last()? == b'-' {
        return None;
    }
    let mut dash = false;
    for &c in b {
        if c == b'-' {
            if dash {
                return None;
            }
            dash = true;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            dash = false;
        } else {
            return None;
        }
    }
    Some(s)
}

/// A well-formed identifier (a type name, `--`, an RFC 4122 UUID of 36 characters), or `None`.
fn identifier_fast(s: &str) -> Option<(&str, &str)> {
    let at = s.len().checked_sub(36)?;
    let t = s.get(..at.checked_sub(2)?)?;
    if s.get(at.checked_sub(2)?..at)? != "--" {
        return None;
    }
    let u = s.get(at..)?;
    Some((type_name_fast(t)?, uuid_fast(u)?))
}

/// A well-formed RFC 4122 UUID with its version (1 to 8) and variant, or `None`.
fn uuid_fast(u: &str) -> Option<&str> {
    let b = u.as_bytes();
    let laid_out = b.len() == 36
        && b.iter().enumerate().all(|(k, c)| {
            if matches!(k, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let version = matches!(b.get(14), Some(b'1'..=b'8'));
    let variant = matches!(b.get(19), Some(b'8' | b'9' | b'a' | b'b' | b'A' | b'B'));
    (laid_out && version && variant).then_some(u)
}

/// A well-formed timestamp with every field in range, or `None`.
fn timestamp_fast(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u16> {
        let d = b.get(from..from.checked_add(n)?)?;
        d.iter().try_fold(0u16, |acc, c| {
            c.is_ascii_digit()
                .then(|| acc.saturating_mul(10).saturating_add(u16::from(c.saturating_sub(b'0'))))
        })
    };
    let at = |k: usize, c: u8| b.get(k) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let fields = [
        digits(0, 4)?,
        digits(5, 2)?,
        digits(8, 2)?,
        digits(11, 2)?,
        digits(14, 2)?,
        digits(17, 2)?,
    ];
    let [year, month, day, hour, minute, second] = fields;
    let rest = s.get(19..)?;
    let frac = match rest.strip_prefix('.') {
        Some(f) => {
            let f = f.strip_suffix('Z')?;
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            f
        }
        None if rest == "Z" => "",
        None => return None,
    };
    let in_range = (1..=12).contains(&month)
        && day != 0
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    in_range.then(|| Timestamp {
        fields,
        fraction: frac.trim_end_matches('0').to_string(),
        digits: frac.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// §3.1 type names
// ---------------------------------------------------------------------------------------------

/// STIX 2.1 §3.1: a type name is 3–250 characters of `a-z`, `0-9` and `-`, starting with a
/// letter; `-` only between alphanumerics (so never `--`, which separates an identifier's type
/// from its UUID).
pub fn type_name(i: &str) -> PResult<'_, &str> {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let (rest, name) = recognize((
        take_while_m_n(1, 1, |c: char| c.is_ascii_lowercase()),
        take_while_m_n(0, 250, alnum),
        many0((char('-'), take_while_m_n(1, 250, alnum))),
    ))
    .parse(i)?;
    if !(3..=250).contains(&name.len()) {
        return GrammarError::failure(
            i,
            "type-name",
            format!("type name `{name}` is not 3 to 250 characters long"),
        );
    }
    Ok((rest, name))
}

/// STIX 2.1 §3.1: a property name is 3–250 characters of `a-z`, `0-9` and `_`, beginning with a
/// letter (the schemas' `properties.json`: `^[a-z][a-z0-9_]{2,249}$`).
pub fn property_name(i: &str) -> PResult<'_, &str> {
    recognize((
        take_while_m_n(1, 1, |c: char| c.is_ascii_lowercase()),
        take_while_m_n(2, 249, |c: char| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
        }),
    ))
    .parse(i)
}

// ---------------------------------------------------------------------------------------------
// §2.9 identifiers
// ---------------------------------------------------------------------------------------------

/// STIX 2.1 §2.9: `identifier = object-type "--" UUID`.
pub fn identifier(i: &str) -> PResult<'_, (&str, &str)> {
    let (i, t) = type_name(i)?;
    let (i, _) = tag("--").parse(i)?;
    let (i, u) = uuid(i)?;
    Ok((i, (t, u)))
}

/// RFC 4122 §3: `UUID = time-low "-" time-mid "-" time-high-and-version "-" clock-seq "-" node`,
/// with an RFC 4122 variant (`8`, `9`, `a`, `b`) and a version from 1 to 8 (RFC 9562).
pub fn uuid(i: &str) -> PResult<'_, &str> {
    let (rest, u) = recognize((
        hex(8),
        char('-'),
        hex(4),
        char('-'),
        hex(4),
        char('-'),
        hex(4),
        char('-'),
        hex(12),
    ))
    .parse(i)?;
    let version = u.as_bytes().get(14).copied();
    let variant = u.as_bytes().get(19).copied();
    if !matches!(version, Some(b'1'..=b'8')) {
        return GrammarError::failure(i, "identifier", format!("UUID `{u}` has no RFC 4122 version"));
    }
    if !matches!(variant, Some(b'8' | b'9' | b'a' | b'b' | b'A' | b'B')) {
        return GrammarError::failure(i, "identifier", format!("UUID `{u}` is not of the RFC 4122 variant"));
    }
    Ok((rest, u))
}

fn hex<'a>(n: usize) -> impl Parser<&'a str, Output = &'a str, Error = GrammarError<&'a str>> {
    take_while_m_n(n, n, |c: char| c.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------------------------
// §3.2 timestamps
// ---------------------------------------------------------------------------------------------

/// A STIX timestamp, ordered by the instant it names.
#[derive(Debug, Clone)]
pub struct Timestamp {
    fields: [u16; 6],
    fraction: String,
    /// How many fraction digits the source had (precision, for the millisecond rule).
    pub digits: usize,
}

/// STIX 2.1 §3.2: `YYYY-MM-DDTHH:mm:ss[.s+]Z` (RFC 3339 §5.6, UTC with `Z` only).
pub fn timestamp(i: &str) -> PResult<'_, Timestamp> {
    let start = i;
    let (i, (year, _, month, _, day)) = (number(4), char('-'), number(2), char('-'), number(2)).parse(i)?;
    let (i, (_, hour, _, minute, _, second)) =
        (char('T'), number(2), char(':'), number(2), char(':'), number(2)).parse(i)?;
    // §3.2: any number of fraction digits ("The number of digits MAY vary"); the JSON string limit
    // bounds them.
    let (i, frac) = opt((char('.'), take_while1(|c: char| c.is_ascii_digit()))).parse(i)?;
    let (i, _) = char('Z').parse(i)?;
    let bad = |what: &str| GrammarError::failure(start, "timestamp", format!("{what} out of range"));
    if !(1..=12).contains(&month) {
        return bad("month");
    }
    if day == 0 || day > days_in_month(year, month) {
        return bad("day");
    }
    if hour > 23 {
        return bad("hour");
    }
    if minute > 59 {
        return bad("minute");
    }
    // RFC 3339 allows a leap second (60).
    if second > 60 {
        return bad("second");
    }
    let digits = frac.map_or(0, |(_, f)| f.len());
    let fraction = frac.map_or("", |(_, f)| f).trim_end_matches('0').to_string();
    Ok((
        i,
        Timestamp {
            fields: [year, month, day, hour, minute, second],
            fraction,
            digits,
        },
    ))
}

impl Timestamp {
    fn instant(&self) -> ([u16; 6], &str) {
        // The fraction has no trailing zeros, so comparing its digits as text compares decimals.
        (self.fields, &self.fraction)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant() == other.instant()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant().cmp(&other.instant())
    }
}

fn number<'a>(n: usize) -> impl Parser<&'a str, Output = u16, Error = GrammarError<&'a str>> {
    take_while_m_n(n, n, |c: char| c.is_ascii_digit()).map(|d: &str| {
        d.bytes().fold(0u16, |acc, b| {
            acc.saturating_mul(10).saturating_add(u16::from(b - b'0'))
        })
    })
}

fn days_in_month(year: u16, month: u16) -> u16 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------
// §7.2.3.1 granular marking selectors
// ---------------------------------------------------------------------------------------------

/// One step of a selector: 16 bytes (a property name as a boxed `str`, not a 24-byte `String`:
/// a granular marking may carry a million selectors of many steps each).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectorStep {
    Property(Box<str>),
    Index(usize),
}

/// STIX 2.1 §7.2.3.1: a selector is a property name followed by `.`-separated property names and
/// `[index]` list positions, e.g. `external_references.[0].source_name`.
pub fn selector(i: &str) -> PResult<'_, Vec<SelectorStep>> {
    let (i, first) = selector_property(i)?;
    let (i, rest) = many0((char('.'), selector_step).map(|(_, s)| s)).parse(i)?;
    // Exactly as long as the selector: a granular marking may carry a million of them.
    let mut steps = Vec::with_capacity(rest.len().saturating_add(1));
    steps.push(first);
    steps.extend(rest);
    Ok((i, steps))
}

/// A property step of a selector: `a-z 0-9 _ -` (extension keys contain `-`).
fn selector_property(i: &str) -> PResult<'_, SelectorStep> {
    take_while_m_n(1, 250, |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .map(|p: &str| SelectorStep::Property(p.into()))
        .parse(i)
}

/// `"[" 1*DIGIT "]"` or a property name.
fn selector_step(i: &str) -> PResult<'_, SelectorStep> {
    if let Ok((i, _)) = char::<&str, GrammarError<&str>>('[').parse(i) {
        let (i, d) = take_while_m_n(1, 9, |c: char| c.is_ascii_digit()).parse(i)?;
        let (i, _) = char(']').parse(i)?;
        return Ok((i, SelectorStep::Index(d.parse().unwrap_or(usize::MAX))));
    }
    selector_property(i)
}

// ---------------------------------------------------------------------------------------------
// RFC 5646 language tags (`lang`)
// ---------------------------------------------------------------------------------------------

/// RFC 5646 §2.1, simplified to its shape: `language *("-" subtag)` where the language is 2–3
/// letters (ISO 639; the 4- and 5–8-letter forms are reserved or unassigned in the IANA
/// registry) and each subtag 1–8 letters or digits.
pub fn language_tag(i: &str) -> PResult<'_, &str> {
    recognize((
        take_while_m_n(2, 3, |c: char| c.is_ascii_alphabetic()),
        many0((char('-'), take_while_m_n(1, 8, |c: char| c.is_ascii_alphanumeric()))),
    ))
    .parse(i)
}

// ---------------------------------------------------------------------------------------------
// Values of SCOs and other string forms (§5.1, §6, §2.7)
// ---------------------------------------------------------------------------------------------

/// STIX 2.1 §5.1 `relationship_type`: "MUST be in ASCII and is limited to characters a–z
/// (lowercase ASCII), 0–9, and hyphen (-)" (no length rule beyond not being empty).
pub fn relationship_type(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// STIX 2.1 §6 extensions: a predefined or custom SCO extension name ends in `-ext`; the
/// schema's `^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext$`.
pub fn extension_name(s: &str) -> bool {
    let Some(stem) = s.strip_suffix("-ext") else {
        return false;
    };
    s.len() <= 250
        && stem.starts_with(|c: char| c.is_ascii_lowercase())
        && stem
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// RFC 791 dotted quad, each octet `0` or `1-9` then up to two digits, at most 255 (the STIX
/// schema's pattern: no leading zeros).
fn dec_octet(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 3
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'))
        && s.parse::<u16>().is_ok_and(|n| n <= 255)
}

/// An optional `/prefix` of at most `max` bits, no leading zeros (RFC 4632 §3.1).
fn cidr_suffix(s: Option<&str>, max: u8) -> bool {
    match s {
        None => true,
        Some(p) => {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u8>().is_ok_and(|n| n <= max)
        }
    }
}

/// STIX 2.1 §6.6 `ipv4-addr.value`: one IPv4 address or a CIDR block (RFC 4632).
pub fn ipv4_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let octets: Vec<&str> = addr.split('.').collect();
    octets.len() == 4 && octets.iter().all(|o| dec_octet(o)) && cidr_suffix(prefix, 32)
}

/// STIX 2.1 §6.7 `ipv6-addr.value`: one IPv6 address (RFC 4291 §2.2, IPv4-mapped and embedded
/// forms included) or a CIDR block (RFC 4291 §2.3).
pub fn ipv6_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    // RFC 4291 §2.2 text forms; the embedded IPv4 part keeps the dotted-quad rule above.
    let embedded_ok = match addr.rsplit_once(':') {
        Some((_, tail)) if tail.contains('.') => ipv4_cidr(tail) && !tail.contains('/'),
        _ => true,
    };
    embedded_ok && addr.parse::<std::net::Ipv6Addr>().is_ok() && cidr_suffix(prefix, 128)
}

/// STIX 2.1 §6.8 `mac-addr.value`: "a single colon-delimited, lowercase MAC-48 address, which
/// MUST include leading zeros for each octet".
pub fn mac_addr(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// STIX 2.1 §6.4 `domain-name.value`: a domain name (RFC 1034 §3.5, internationalised labels
/// RFC 5890): labels of 1–63 bytes of letters, digits, `-` and `_` (service labels), not
/// starting or ending with `-`, 253 bytes at most, an optional final `.`.
pub fn domain_name(s: &str) -> bool {
    let name = s.strip_suffix('.').unwrap_or(s);
    !name.is_empty() && name.len() <= 253 && name.split('.').all(domain_label)
}

/// One label of a domain name (RFC 1034 §3.5 `label`, RFC 5890 U-labels).
fn domain_label(l: &str) -> bool {
    (1..=63).contains(&l.len())
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// STIX 2.1 §6.5 `email-addr.value`: "a single email address ... MUST conform to the addr-spec"
/// of RFC 5322 §3.4.1: `local-part "@" domain`.
pub fn email_addr(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    local_part(local) && (domain_name(domain) || domain_literal(domain))
}

/// RFC 5322 §3.4.1 `local-part = dot-atom / quoted-string` (RFC 6531 allows UTF-8 in atext).
fn local_part(s: &str) -> bool {
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return quoted_content(inner);
    }
    !s.is_empty() && s.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// RFC 5322 §3.2.3 `atext`.
fn atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// RFC 5322 §3.2.4 the inside of a `quoted-string`: `qtext` and `quoted-pair`.
fn quoted_content(s: &str) -> bool {
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if !chars
                    .next()
                    .is_some_and(|q| q == ' ' || q == '\t' || (q.is_ascii_graphic()))
                {
                    return false;
                }
            }
            '"' => return false,
            c if c == ' ' || c == '\t' || c.is_ascii_graphic() || !c.is_ascii() => {}
            _ => return false,
        }
    }
    true
}

/// RFC 5322 §3.4.1 `domain-literal`: `[` an address `]`.
fn domain_literal(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return false;
    };
    match inner.strip_prefix("IPv6:") {
        Some(v6) => ipv6_cidr(v6) && !v6.contains('/'),
        None => ipv4_cidr(inner) && !inner.contains('/'),
    }
}

/// STIX 2.1 §6.11 `url.value`: "MUST conform to RFC3986": `scheme ":" hier-part`, every
/// character unreserved, reserved, or a `%` with two hexadecimal digits (RFC 3986 §2, §3.1).
pub fn url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
    scheme_ok && !rest.is_empty() && uri_chars(rest)
}

/// RFC 3986 §2: `unreserved / reserved / pct-encoded`.
fn uri_chars(s: &str) -> bool {
    let b = s.as_bytes();
    let mut n = 0;
    while let Some(&c) = b.get(n) {
        if c == b'%' {
            let hex = |k: usize| b.get(k).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(n.saturating_add(1)) && hex(n.saturating_add(2))) {
                return false;
            }
            n = n.saturating_add(3);
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c)) {
            return false;
        }
        n = n.saturating_add(1);
    }
    true
}

/// STIX 2.1 §6.3, §6.7 `path_enc`, `name_enc`: "MUST be specified using the corresponding name
/// in the 2013-12-20 revision of the IANA character set registry": the shape of those names
/// (RFC 2978 §2.3: up to 40 of `A-Za-z0-9 ! # $ % & ' + - ^ _ ` { } ~` plus `.` `:` `(` `)` as the
/// registry's names use them).
pub fn charset_name(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'+-^_`{}~.:()".contains(&b))
}

/// STIX 2.1 §6.14 `software.cpe`: a CPE 2.3 formatted string (NISTIR 7695 §6.2): `cpe:2.3:`
/// then 11 `:`-separated components (part, vendor, product, version, update, edition, language,
/// sw_edition, target_sw, target_hw, other), each `*`, `-` or a value whose `:` are escaped; the
/// part is `a`, `o`, `h`, `*` or `-`.
pub fn cpe23(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("cpe:2.3:") else {
        return false;
    };
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_graphic() => {
                    if let Some(f) = fields.last_mut() {
                        f.push('\\');
                        f.push(e);
                    }
                }
                _ => return false,
            },
            ':' => fields.push(String::new()),
            c if c.is_ascii_graphic() => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
            _ => return false,
        }
    }
    fields.len() == 11
        && fields.iter().all(|f| !f.is_empty())
        && fields
            .first()
            .is_some_and(|p| matches!(p.as_str(), "a" | "o" | "h" | "*" | "-"))
}

/// STIX 2.1 §2.7 hashes: a key is 3–250 of `a-z A-Z 0-9 - _`.
pub fn hash_key(s: &str) -> bool {
    (3..=250).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The SSDEEP form `blocksize:hash:hash` (the schema: 1–128 of `a-zA-Z0-9/+:.`).
pub fn ssdeep(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/+:.".contains(&b))
}

/// TLSH: 70 letters and digits (the schema's `^[a-zA-Z0-9]{70}$`).
pub fn tlsh(s: &str) -> bool {
    s.len() == 70 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    //--- identifiers (STIX 2.1 §2.9 example)
    #[test]
    fn accepts_spec_identifier() {
        assert_eq!(
            whole("indicator--e2e1a340-4415-4ba8-9671-f7343fbf0836", identifier),
            Ok(("indicator", "e2e1a340-4415-4ba8-9671-f7343fbf0836"))
        );
    }

    #[test]
    fn rejects_malformed_identifiers() {
        assert!(whole("indicator-e2e1a340-4415-4ba8-9671-f7343fbf0836", identifier).is_err());
        assert!(whole("indicator--e2e1a340-4415-4ba8-9671-f7343fbf083", identifier).is_err());
        assert!(whole("indicator--e2e1a340-4415-0ba8-9671-f7343fbf0836", identifier).is_err());
        assert!(whole("indicator--e2e1a340-4415-4ba8-c671-f7343fbf0836", identifier).is_err());
        assert!(whole("In--e2e1a340-4415-4ba8-9671-f7343fbf0836", identifier).is_err());
    }

    #[test]
    fn rejects_bad_type_names() {
        assert!(whole("ab", type_name).is_err());
        assert!(whole("x-a--b", type_name).is_err());
        assert!(whole("Indicator", type_name).is_err());
        assert!(whole("bad-", type_name).is_err());
        assert!(whole("x-acme-widget", type_name).is_ok());
    }

    //--- timestamps (STIX 2.1 §3.2)
    #[test]
    fn accepts_spec_timestamps() {
        for t in [
            "2016-01-20T12:31:12Z",
            "2016-01-20T12:31:12.123Z",
            "2016-01-20T12:31:12.123456Z",
            "2016-12-31T23:59:60Z",
        ] {
            assert!(whole(t, timestamp).is_ok(), "{t}");
        }
    }

    #[test]
    fn rejects_bad_timestamps() {
        for t in [
            "2016-01-20T12:31:12",
            "2016-01-20T12:31:12+00:00",
            "2016-01-20 12:31:12Z",
            "2016-13-20T12:31:12Z",
            "2015-02-29T12:31:12Z",
            "2016-01-20T24:00:00Z",
            "2016-01-20T12:31:12.Z",
            "2016-1-20T12:31:12Z",
        ] {
            assert!(whole(t, timestamp).is_err(), "{t}");
        }
        assert!(whole("2016-02-29T00:00:00Z", timestamp).is_ok());
    }

    #[test]
    fn orders_timestamps_by_instant() {
        let t = |s| whole(s, timestamp).unwrap();
        assert!(t("2016-01-20T12:31:12.1Z") > t("2016-01-20T12:31:12.099Z"));
        assert_eq!(
            t("2016-01-20T12:31:12.100Z").cmp(&t("2016-01-20T12:31:12.1Z")),
            std::cmp::Ordering::Equal
        );
        assert!(t("2017-01-01T00:00:00Z") > t("2016-12-31T23:59:59.999Z"));
    }

    //--- selectors (STIX 2.1 §7.2.3.1 examples)
    #[test]
    fn parses_spec_selectors() {
        use SelectorStep::*;
        assert_eq!(whole("description", selector), Ok(vec![Property("description".into())]));
        assert_eq!(
            whole("external_references.[0].source_name", selector),
            Ok(vec![
                Property("external_references".into()),
                Index(0),
                Property("source_name".into())
            ])
        );
        assert!(whole("labels.[x]", selector).is_err());
        assert!(whole(".labels", selector).is_err());
        assert!(whole("labels.", selector).is_err());
    }

    #[test]
    fn parses_language_tags() {
        assert!(whole("en", language_tag).is_ok());
        assert!(whole("ja-JP", language_tag).is_ok());
        assert!(whole("zh-Hant-TW", language_tag).is_ok());
        assert!(whole("e", language_tag).is_err());
        assert!(whole("en_US", language_tag).is_err());
    }

    //--- fast paths (issue 17): the same answer as the production, for well-formed input and for
    //--- every near miss (one character replaced, inserted or deleted)
    fn near_miss(valid: &'static str) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let edits = [
            "-", "--", "g", "A", "a", "0", "1", "8", "9", "é", "Z", "T", ":", ".", " ",
        ];
        (
            valid,
            proptest::option::of((
                any::<prop::sample::Index>(),
                0u8..3,
                prop::sample::select(edits.to_vec()),
            )),
        )
            .prop_map(|(v, edit)| {
                let Some((at, how, with)) = edit else { return v };
                let chars: Vec<char> = v.chars().collect();
                let k = at.index(chars.len() + 1);
                let mut out: String = chars.iter().take(k).collect();
                if how != 2 {
                    out.push_str(with);
                }
                let keep_from = if how == 1 { k } else { k + 1 };
                out.extend(chars.iter().skip(keep_from));
                out
            })
    }

    proptest::proptest! {
        #[test]
        fn type_name_fast_path_agrees_with_the_production(s in near_miss("[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,3}")) {
            proptest::prop_assert_eq!(type_name_fast(&s), whole(&s, type_name).ok());
        }

        #[test]
        fn identifier_fast_path_agrees_with_the_production(
            s in near_miss("[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}--[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9][0-9a-f]{3}-[7-9a-cA-C][0-9a-f]{3}-[0-9a-fA-F]{12}")
        ) {
            proptest::prop_assert_eq!(identifier_fast(&s), whole(&s, identifier).ok());
        }

        #[test]
        fn timestamp_fast_path_agrees_with_the_production(
            s in near_miss("[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,7})?Z")
        ) {
            let fast = timestamp_fast(&s).map(|t| format!("{t:?}"));
            proptest::prop_assert_eq!(fast, whole(&s, timestamp).ok().map(|t| format!("{t:?}")));
        }
    }

    #[test]
    fn fast_paths_take_the_spec_examples() {
        assert!(identifier_fast("indicator--e2e1a340-4415-4ba8-9671-f7343fbf0836").is_some());
        assert!(type_name_fast("x-acme-widget").is_some());
        assert!(timestamp_fast("2016-05-12T08:17:27.000Z").is_some());
        assert!(timestamp_fast("2016-02-29T00:00:00Z").is_some());
        assert!(timestamp_fast("2015-02-29T00:00:00Z").is_none());
    }
}
