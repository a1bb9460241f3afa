//! JSON exactly as RFC 8259 defines it, with a guard's limits on top, and canonical rendering by
//! RFC 8785 (JSON Canonicalization Scheme).
//!
//! The grammar is written as one nom function per production of RFC 8259, in the RFC's order.
//! It works over `&[u8]` after one up-front UTF-8 check of the whole input (which is what rejects
//! overlong forms, encoded surrogates and truncated sequences anywhere), and yields a zero-copy
//! [`Value`]: strings without escapes and every number borrow from the input.
//!
//! Strictness beyond the RFC, each bounded by a field of [`Limits`]: duplicate member names are
//! rejected (compared after unescaping), nesting depth is checked *before* descending, and the
//! sizes of input, strings, numbers, objects and arrays are capped. Numbers are kept as their source
//! text; a number too large for an IEEE 754 double (RFC 8259 §6's interoperability bound, which
//! RFC 8785 requires) is rejected rather than rounded to infinity.
//!
//! ```
//! use sekisho::{Limits, format::json};
//! let v = json::parse(br#"{"b": [1.50, "\u0041"], "a": null}"#, &Limits::default()).unwrap();
//! assert_eq!(json::render(&v), br#"{"a":null,"b":[1.5,"A"]}"#);
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

use nom::IResult;

use crate::error::{GrammarError, ParseError, finish};
use crate::limits::Limits;

/// A string value or member name: borrowed from the input unless it had escapes.
pub type Str<'a> = Cow<'a, str>;

/// A JSON value. Objects keep their members in source order; rendering sorts them.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(Number<'a>),
    String(Str<'a>),
    Array(Vec<Value<'a>>),
    Object(Object<'a>),
}

/// A number, kept as its RFC 8259 source text so that no rounding ever changes it.
#[derive(Debug, Clone)]
pub struct Number<'a>(Cow<'a, str>);

/// An object: members in source order, names unique (the parser and [`Object::insert`] keep it so).
#[derive(Debug, Clone, Default)]
pub struct Object<'a>(Vec<(Str<'a>, Value<'a>)>);

type PResult<'a, T> = IResult<&'a [u8], T, GrammarError<&'a [u8]>>;

/// Parse one JSON text under `limits`.
pub fn parse<'a>(input: &'a [u8], limits: &Limits) -> Result<Value<'a>, ParseError> {
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
    let cx = Cx { src, limits };
    finish(&input, json_text(input, &cx)).map(|(_, v)| v)
}

/// The whole input as UTF-8 (RFC 8259 §8.1), or an error that says which kind of bad sequence
/// was found and where.
fn utf8_text(input: &[u8]) -> Result<&str, ParseError> {
    if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(ParseError::new(
            0,
            "JSON-text",
            "a byte-order mark is not allowed (RFC 8259 §8.1)",
        ));
    }
    std::str::from_utf8(input).map_err(|e| {
        let at = e.valid_up_to();
        let rest = input.get(at..).unwrap_or_default();
        let what = match (rest.first(), rest.get(1)) {
            _ if e.error_len().is_none() => "truncated UTF-8 sequence",
            (Some(0xC0 | 0xC1), _) => "overlong UTF-8 encoding",
            (Some(0xE0), Some(b)) if *b < 0xA0 => "overlong UTF-8 encoding",
            (Some(0xF0), Some(b)) if *b < 0x90 => "overlong UTF-8 encoding",
            (Some(0xED), Some(b)) if *b >= 0xA0 => "UTF-8 encoded surrogate (U+D800..U+DFFF)",
            (Some(0xF4), Some(b)) if *b > 0x8F => "UTF-8 sequence beyond U+10FFFF",
            (Some(b), _) if *b >= 0xF5 => "byte that never appears in UTF-8",
            (Some(b), _) if (*b & 0xC0) == 0x80 => "UTF-8 continuation byte without a lead byte",
            _ => "invalid UTF-8 sequence",
        };
        ParseError::new(at, "UTF-8", what)
    })
}

/// What every production needs: the input as text (to borrow strings) and the limits.
struct Cx<'a, 'l> {
    src: &'a str,
    limits: &'l Limits,
}

impl<'a> Cx<'a, '_> {
    /// The text between two points of the input (both on character boundaries).
    fn slice(&self, from: &'a [u8], to: &'a [u8]) -> Option<&'a str> {
        let start = self.src.len().checked_sub(from.len())?;
        let end = self.src.len().checked_sub(to.len())?;
        self.src.get(start..end)
    }
}

fn fail<'a, T>(i: &'a [u8], rule: &'static str, detail: impl Into<Cow<'static, str>>) -> PResult<'a, T> {
    GrammarError::failure(i, rule, detail)
}

/// The character at the start of `i` as users should see it in a message.
fn shown(i: &[u8]) -> String {
    match i.utf8_chunks().next().and_then(|c| c.valid().chars().next()) {
        Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
        None => match i.first() {
            Some(b) => format!("byte 0x{b:02X}"),
            None => "end of input".to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The grammar (RFC 8259)
// ---------------------------------------------------------------------------------------------

/// RFC 8259 §2: `JSON-text = ws value ws`, and nothing after it.
fn json_text<'a>(i: &'a [u8], cx: &Cx<'a, '_>) -> PResult<'a, Value<'a>> {
    let i = ws(i);
    let (i, v) = value(i, cx, cx.limits.max_depth)?;
    let i = ws(i);
    if !i.is_empty() {
        return fail(i, "JSON-text", format!("{} after the JSON value", shown(i)));
    }
    Ok((i, v))
}

/// RFC 8259 §2: `ws = *( %x20 / %x09 / %x0A / %x0D )`.
fn ws(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|&&b| is_ws(b)).count();
    i.get(n..).unwrap_or_default()
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// RFC 8259 §3: `value = false / null / true / object / array / number / string`.
/// `depth` is how many more levels of nesting are allowed below this value.
fn value<'a>(i: &'a [u8], cx: &Cx<'a, '_>, depth: usize) -> PResult<'a, Value<'a>> {
    match i.first() {
        Some(b'{') => object(i, cx, depth).map(|(i, o)| (i, Value::Object(o))),
        Some(b'[') => array(i, cx, depth).map(|(i, a)| (i, Value::Array(a))),
        Some(b'"') => string(i, cx).map(|(i, s)| (i, Value::String(s))),
        Some(b'-' | b'0'..=b'9') => number(i, cx).map(|(i, n)| (i, Value::Number(n))),
        Some(b't') => literal(i, "true", Value::Bool(true)),
        Some(b'f') => literal(i, "false", Value::Bool(false)),
        Some(b'n') => literal(i, "null", Value::Null),
        Some(b'/') => fail(i, "value", "comments are not allowed in JSON"),
        Some(b'\'') => fail(i, "value", "strings must use double quotes, not `'`"),
        Some(b'+') => fail(i, "number", "a number cannot start with `+`"),
        Some(b'.') => fail(i, "number", "a number needs a digit before `.`"),
        Some(b'N' | b'I') => fail(i, "value", "NaN and Infinity are not JSON values"),
        _ => fail(i, "value", format!("expected a JSON value, found {}", shown(i))),
    }
}

/// RFC 8259 §3: the literal names `false`, `null`, `true` (lowercase only).
fn literal<'a>(i: &'a [u8], name: &'static str, v: Value<'a>) -> PResult<'a, Value<'a>> {
    match i.strip_prefix(name.as_bytes()) {
        Some(rest) => Ok((rest, v)),
        None => fail(i, "value", format!("expected `{name}`")),
    }
}

/// RFC 8259 §4: `object = begin-object [ member *( value-separator member ) ] end-object`.
fn object<'a>(i: &'a [u8], cx: &Cx<'a, '_>, depth: usize) -> PResult<'a, Object<'a>> {
    let Some(depth) = depth.checked_sub(1) else {
        return fail(
            i,
            "max_depth",
            format!("nesting deeper than {} levels", cx.limits.max_depth),
        );
    };
    let mut i = ws(i.get(1..).unwrap_or_default());
    if let Some(rest) = i.strip_prefix(b"}") {
        return Ok((rest, Object(Vec::new())));
    }
    // Room for one, as for arrays (`{"a":{"a":…}}`).
    let mut members: Vec<(Str<'a>, Value<'a>)> = Vec::with_capacity(1);
    let mut seen: Option<HashSet<Str<'a>>> = None;
    loop {
        if members.len() >= cx.limits.max_object_members {
            return fail(
                i,
                "max_object_members",
                format!("more than {} members in an object", cx.limits.max_object_members),
            );
        }
        let at = i;
        let (rest, (name, v)) = member(i, cx, depth)?;
        if is_duplicate(&members, &mut seen, &name) {
            return fail(at, "member", format!("duplicate member name `{}`", name.escape_debug()));
        }
        members.push((name, v));
        i = ws(rest);
        match i.first() {
            Some(b',') => {
                i = ws(i.get(1..).unwrap_or_default());
                if i.first() == Some(&b'}') {
                    return fail(i, "object", "trailing comma before `}`");
                }
            }
            Some(b'}') => {
                return Ok((i.get(1..).unwrap_or_default(), Object(members)));
            }
            _ => return fail(i, "object", format!("expected `,` or `}}`, found {}", shown(i))),
        }
    }
}

/// Whether `name` is already a member. Small objects are scanned; from 16 members on, a set
/// (std's randomly keyed hasher, so crafted names cannot make it quadratic) is kept.
fn is_duplicate<'a>(members: &[(Str<'a>, Value<'a>)], seen: &mut Option<HashSet<Str<'a>>>, name: &Str<'a>) -> bool {
    const SCAN: usize = 16;
    if members.len() < SCAN {
        return members.iter().any(|(k, _)| k == name);
    }
    let set = seen.get_or_insert_with(|| members.iter().map(|(k, _)| k.clone()).collect());
    !set.insert(name.clone())
}

/// RFC 8259 §4: `member = string name-separator value`.
fn member<'a>(i: &'a [u8], cx: &Cx<'a, '_>, depth: usize) -> PResult<'a, (Str<'a>, Value<'a>)> {
    if i.first() != Some(&b'"') {
        let detail = match i.first() {
            Some(b'\'') => "member names must use double quotes, not `'`".to_string(),
            _ => format!("expected a member name in double quotes, found {}", shown(i)),
        };
        return fail(i, "member", detail);
    }
    let (i, name) = string(i, cx)?;
    let i = name_separator(ws(i))?;
    let (i, v) = value(ws(i), cx, depth)?;
    Ok((i, (name, v)))
}

/// RFC 8259 §2: `name-separator = ws %x3A ws` (the caller strips the leading `ws`).
fn name_separator(i: &[u8]) -> Result<&[u8], nom::Err<GrammarError<&[u8]>>> {
    match i.strip_prefix(b":") {
        Some(rest) => Ok(rest),
        None => GrammarError::failure(
            i,
            "member",
            format!("expected `:` after the member name, found {}", shown(i)),
        ),
    }
}

/// RFC 8259 §5: `array = begin-array [ value *( value-separator value ) ] end-array`.
fn array<'a>(i: &'a [u8], cx: &Cx<'a, '_>, depth: usize) -> PResult<'a, Vec<Value<'a>>> {
    let Some(depth) = depth.checked_sub(1) else {
        return fail(
            i,
            "max_depth",
            format!("nesting deeper than {} levels", cx.limits.max_depth),
        );
    };
    let mut i = ws(i.get(1..).unwrap_or_default());
    if let Some(rest) = i.strip_prefix(b"]") {
        return Ok((rest, Vec::new()));
    }
    // Room for one: a one-element array (`[[[…]]]` nested to the depth limit, a single marking
    // ref) then takes a quarter of what the default first growth to four reserves.
    let mut elements = Vec::with_capacity(1);
    loop {
        if elements.len() >= cx.limits.max_array_elements {
            return fail(
                i,
                "max_array_elements",
                format!("more than {} elements in an array", cx.limits.max_array_elements),
            );
        }
        let (rest, v) = value(i, cx, depth)?;
        elements.push(v);
        i = ws(rest);
        match i.first() {
            Some(b',') => {
                i = ws(i.get(1..).unwrap_or_default());
                if i.first() == Some(&b']') {
                    return fail(i, "array", "trailing comma before `]`");
                }
            }
            Some(b']') => {
                return Ok((i.get(1..).unwrap_or_default(), elements));
            }
            _ => return fail(i, "array", format!("expected `,` or `]`, found {}", shown(i))),
        }
    }
}

/// RFC 8259 §6: `number = [ minus ] int [ frac ] [ exp ]`.
fn number<'a>(i: &'a [u8], cx: &Cx<'a, '_>) -> PResult<'a, Number<'a>> {
    let start = i;
    let i = i.strip_prefix(b"-").unwrap_or(i);
    let i = int(i)?;
    let (i, _) = frac(i)?;
    let (i, has_exp) = exp(i)?;
    let Some(text) = cx.slice(start, i) else {
        return fail(start, "number", "not on a character boundary");
    };
    if text.len() > cx.limits.max_number_bytes {
        return fail(
            start,
            "max_number_bytes",
            format!("number longer than {} bytes", cx.limits.max_number_bytes),
        );
    }
    // The canonical form is what gets rendered and verified, so it must fit the bound too
    // (`1e20` renders as 21 digits).
    if canonical_number(text).len() > cx.limits.max_number_bytes {
        return fail(
            start,
            "max_number_bytes",
            format!(
                "number longer than {} bytes in canonical form",
                cx.limits.max_number_bytes
            ),
        );
    }
    // Only an exponent or a very long integer part (with or without a fraction) can leave the
    // range of a double.
    if (has_exp || text.len() > 300) && text.parse::<f64>().map_or(true, |f| f.is_infinite()) {
        return fail(
            start,
            "number",
            "number out of the range of an IEEE 754 double (RFC 8259 §6)",
        );
    }
    Ok((i, Number(Cow::Borrowed(text))))
}

/// RFC 8259 §6: `int = zero / ( digit1-9 *DIGIT )`.
fn int(i: &[u8]) -> Result<&[u8], nom::Err<GrammarError<&[u8]>>> {
    match i.first() {
        Some(b'0') => {
            let rest = i.get(1..).unwrap_or_default();
            if rest.first().is_some_and(u8::is_ascii_digit) {
                return GrammarError::failure(i, "number", "leading zeros are not allowed");
            }
            Ok(rest)
        }
        Some(b'1'..=b'9') => Ok(digits(i)),
        _ => GrammarError::failure(i, "number", format!("expected a digit, found {}", shown(i))),
    }
}

/// `*DIGIT`
fn digits(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|b| b.is_ascii_digit()).count();
    i.get(n..).unwrap_or_default()
}

/// RFC 8259 §6: `frac = decimal-point 1*DIGIT`.
fn frac(i: &[u8]) -> PResult<'_, bool> {
    let Some(rest) = i.strip_prefix(b".") else {
        return Ok((i, false));
    };
    let after = digits(rest);
    if after.len() == rest.len() {
        return fail(rest, "number", "expected a digit after the decimal point");
    }
    Ok((after, true))
}

/// RFC 8259 §6: `exp = e [ minus / plus ] 1*DIGIT`.
fn exp(i: &[u8]) -> PResult<'_, bool> {
    let Some(rest) = i.strip_prefix(b"e").or_else(|| i.strip_prefix(b"E")) else {
        return Ok((i, false));
    };
    let rest = rest
        .strip_prefix(b"-")
        .or_else(|| rest.strip_prefix(b"+"))
        .unwrap_or(rest);
    let after = digits(rest);
    if after.len() == rest.len() {
        return fail(rest, "number", "expected a digit in the exponent");
    }
    // Keep exponents in a range where canonicalisation cannot overflow.
    let significant = rest.len() - after.len() - rest.iter().take_while(|&&b| b == b'0').count();
    if significant > 9 {
        return fail(rest, "number", "exponent out of range");
    }
    Ok((after, true))
}

/// RFC 8259 §7: `string = quotation-mark *char quotation-mark`.
fn string<'a>(i: &'a [u8], cx: &Cx<'a, '_>) -> PResult<'a, Str<'a>> {
    let open = i;
    let body = i.get(1..).unwrap_or_default();
    let run = unescaped_run(body);
    let after_run = body.get(run..).unwrap_or_default();
    match after_run.first() {
        Some(b'"') => {
            if run > cx.limits.max_string_bytes {
                return fail(
                    open,
                    "max_string_bytes",
                    format!("string longer than {} bytes", cx.limits.max_string_bytes),
                );
            }
            let Some(text) = cx.slice(body, after_run) else {
                return fail(body, "string", "not on a character boundary");
            };
            Ok((after_run.get(1..).unwrap_or_default(), Cow::Borrowed(text)))
        }
        _ => string_with_escapes(open, body, cx),
    }
}

/// The slow path of [`string`]: the string has escapes (or is malformed), so it is unescaped into
/// an owned buffer.
fn string_with_escapes<'a>(open: &'a [u8], body: &'a [u8], cx: &Cx<'a, '_>) -> PResult<'a, Str<'a>> {
    let mut out = String::new();
    let mut i = body;
    loop {
        let run = unescaped_run(i);
        let after = i.get(run..).unwrap_or_default();
        let Some(text) = cx.slice(i, after) else {
            return fail(i, "string", "not on a character boundary");
        };
        out.push_str(text);
        if out.len() > cx.limits.max_string_bytes {
            return fail(
                open,
                "max_string_bytes",
                format!("string longer than {} bytes", cx.limits.max_string_bytes),
            );
        }
        i = after;
        match i.first() {
            Some(b'"') => return Ok((i.get(1..).unwrap_or_default(), Cow::Owned(out))),
            Some(b'\\') => {
                let (rest, c) = escape(i)?;
                out.push(c);
                i = rest;
            }
            Some(&b) if b < 0x20 => {
                return fail(i, "char", format!("unescaped control character U+{b:04X} in a string"));
            }
            _ => return fail(open, "string", "unterminated string"),
        }
    }
}

/// RFC 8259 §7: the length of a run of `unescaped` characters:
/// `unescaped = %x20-21 / %x23-5B / %x5D-10FFFF` (the input is already known to be UTF-8).
/// The length of the longest prefix of `i` whose bytes a string holds as they are (no `"`, `\\`
/// or control byte below 0x20: [`is_unescaped`]). Eight bytes are looked at together while none
/// of them is such a byte, then byte by byte from the first eight that hold one; the same length
/// as asking each byte ([`unescaped_run_bytewise`], which the tests compare with).
fn unescaped_run(i: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `x` is below `n` (`n` at most 0x80): exact, a word at a time.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES.wrapping_mul(n)) & !x & HIGH;
    let quote = ONES.wrapping_mul(u64::from(b'"'));
    let backslash = ONES.wrapping_mul(u64::from(b'\\'));
    let mut at = 0usize;
    for chunk in i.chunks_exact(8) {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else { break };
        let x = u64::from_le_bytes(eight);
        if below(x, 0x20) | below(x ^ quote, 1) | below(x ^ backslash, 1) != 0 {
            break;
        }
        at = at.saturating_add(8);
    }
    let rest = i.get(at..).unwrap_or_default();
    at.saturating_add(unescaped_run_bytewise(rest))
}

/// [`unescaped_run`], one byte at a time.
fn unescaped_run_bytewise(i: &[u8]) -> usize {
    i.iter().position(|&b| !is_unescaped(b)).unwrap_or(i.len())
}

fn is_unescaped(b: u8) -> bool {
    b >= 0x20 && b != b'"' && b != b'\\'
}

/// RFC 8259 §7: `escape` followed by one of `" \ / b f n r t` or `uXXXX`; a `\u` escape of a
/// high surrogate must be followed by one of a low surrogate.
fn escape(i: &[u8]) -> PResult<'_, char> {
    let at = i;
    let i = i.get(1..).unwrap_or_default();
    let c = match i.first() {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return unicode_escape(at),
        _ => {
            return fail(
                at,
                "escape",
                format!("invalid escape `\\{}`", shown(i).trim_matches('`')),
            );
        }
    };
    Ok((i.get(1..).unwrap_or_default(), c))
}

/// RFC 8259 §7: `%x75 4HEXDIG`, joining a UTF-16 surrogate pair into one character.
fn unicode_escape(at: &[u8]) -> PResult<'_, char> {
    let (i, hi) = hex4(at)?;
    match hi {
        0xD800..=0xDBFF => {
            if !i.starts_with(b"\\u") {
                return fail(
                    at,
                    "escape",
                    format!("lone high surrogate \\u{hi:04X} (no low surrogate follows)"),
                );
            }
            let (rest, lo) = hex4(i)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return fail(
                    at,
                    "escape",
                    format!("high surrogate \\u{hi:04X} followed by \\u{lo:04X}, not a low surrogate"),
                );
            }
            let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            match char::from_u32(code) {
                Some(c) => Ok((rest, c)),
                None => fail(at, "escape", "invalid surrogate pair"),
            }
        }
        0xDC00..=0xDFFF => fail(at, "escape", format!("lone low surrogate \\u{hi:04X}")),
        _ => match char::from_u32(hi) {
            Some(c) => Ok((i, c)),
            None => fail(at, "escape", "invalid code point"),
        },
    }
}

/// `\u` followed by exactly four hexadecimal digits.
fn hex4(i: &[u8]) -> PResult<'_, u32> {
    let digits = i.get(2..6).filter(|d| d.iter().all(u8::is_ascii_hexdigit));
    let Some(d) = digits else {
        return fail(i, "escape", "`\\u` must be followed by four hexadecimal digits");
    };
    let v = d.iter().fold(0u32, |acc, &b| (acc << 4) | u32::from(hex_value(b)));
    Ok((i.get(6..).unwrap_or_default(), v))
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Locating a place found in the model
// ---------------------------------------------------------------------------------------------

/// One step of a path into a JSON value: a member name or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A JSON pointer (RFC 6901) for `path`, e.g. `/objects/3/modified`.
pub fn pointer(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(n) => out.push_str(&n.to_string()),
        }
    }
    out
}

/// The byte offset of the value at `path` in `input`, which must be a JSON text `parse` accepted
/// under `limits`. Used only to report where a rule of a higher layer (STIX) failed, so it walks
/// the input again rather than slowing every parse with offsets.
pub fn locate(input: &[u8], path: &[Step], limits: &Limits) -> Option<usize> {
    let src = std::str::from_utf8(input).ok()?;
    let cx = Cx { src, limits };
    let mut i = ws(input);
    for step in path {
        i = match step {
            Step::Key(k) => locate_member(i, k, &cx)?,
            Step::Index(n) => locate_element(i, *n, &cx)?,
        };
    }
    input.len().checked_sub(i.len())
}

fn locate_member<'a>(i: &'a [u8], key: &str, cx: &Cx<'a, '_>) -> Option<&'a [u8]> {
    let mut i = ws(i.strip_prefix(b"{")?);
    loop {
        let (rest, name) = string(i, cx).ok()?;
        let rest = ws(name_separator(ws(rest)).ok()?);
        if name == key {
            return Some(rest);
        }
        let (rest, _) = value(rest, cx, cx.limits.max_depth).ok()?;
        i = ws(ws(rest).strip_prefix(b",")?);
    }
}

fn locate_element<'a>(i: &'a [u8], n: usize, cx: &Cx<'a, '_>) -> Option<&'a [u8]> {
    let mut i = ws(i.strip_prefix(b"[")?);
    for _ in 0..n {
        let (rest, _) = value(i, cx, cx.limits.max_depth).ok()?;
        i = ws(ws(rest).strip_prefix(b",")?);
    }
    Some(i)
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

impl<'a> Value<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Object<'a>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value<'a>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number<'a>> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    /// The name of this value's JSON type, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
    /// A copy that no longer borrows from the input.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(n) => Value::Number(Number(Cow::Owned(n.0.into_owned()))),
            Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
            Value::Array(a) => Value::Array(a.into_iter().map(Value::into_owned).collect()),
            Value::Object(o) => Value::Object(Object(
                o.0.into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            )),
        }
    }
}

impl PartialEq for Value<'_> {
    /// Equality of JSON values: numbers by value, objects as maps (member order does not count).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::String(Cow::Borrowed(s))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::String(Cow::Owned(s))
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl<'a> Number<'a> {
    /// The source text, exactly as it appeared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The number as an integer, when it is one that fits (`1.0` and `1e2` count).
    pub fn as_i64(&self) -> Option<i64> {
        let c = canonical_number(&self.0);
        if c.contains(['.', 'e']) { None } else { c.parse().ok() }
    }
    /// The nearest double (never infinite: the parser refuses numbers beyond the double range).
    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
    /// The RFC 8785 form of this number (see [`canonical_number`]).
    pub fn canonical(&self) -> Cow<'_, str> {
        canonical_number(&self.0)
    }
}

impl From<i64> for Number<'static> {
    fn from(n: i64) -> Self {
        Number(Cow::Owned(n.to_string()))
    }
}

impl PartialEq for Number<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl<'a> Object<'a> {
    pub fn new() -> Self {
        Object(Vec::new())
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value<'a>> {
        self.0.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    pub fn contains_key(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    /// Members in source order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value<'a>)> {
        self.0.iter_mut().map(|(k, v)| (&**k, v))
    }
    /// Set a member, replacing one of the same name (names stay unique).
    pub fn insert(&mut self, name: impl Into<Str<'a>>, v: Value<'a>) {
        let name = name.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = v,
            None => self.0.push((name, v)),
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<Value<'a>> {
        let at = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.remove(at).1)
    }
    /// Keep the members for which `f` says so.
    pub fn retain(&mut self, mut f: impl FnMut(&str, &mut Value<'a>) -> bool) {
        self.0.retain_mut(|(k, v)| f(k, v));
    }
}

impl PartialEq for Object<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

// ---------------------------------------------------------------------------------------------
// Canonical rendering (RFC 8785)
// ---------------------------------------------------------------------------------------------

/// Render `v` as RFC 8785 canonical JSON.
pub fn render(v: &Value<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    render_into(v, &mut out);
    out
}

/// Render `v` as RFC 8785 canonical JSON, appending to `out`.
pub fn render_into(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.canonical().as_bytes()),
        Value::String(s) => render_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (n, e) in a.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                render_into(e, out);
            }
            out.push(b']');
        }
        Value::Object(o) => render_object_into(o, out),
    }
}

/// Render an object as RFC 8785 canonical JSON, appending to `out`.
pub fn render_object_into(o: &Object<'_>, out: &mut Vec<u8>) {
    out.push(b'{');
    // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names (a model built by
    // this crate mostly is already: then nothing is collected).
    let member = |n: usize, (k, v): &(Str<'_>, Value<'_>), out: &mut Vec<u8>| {
        if n > 0 {
            out.push(b',');
        }
        render_string(k, out);
        out.push(b':');
        render_into(v, out);
    };
    if o.0.is_sorted_by(|a, b| utf16_cmp(&a.0, &b.0) != Ordering::Greater) {
        for (n, m) in o.0.iter().enumerate() {
            member(n, m, out);
        }
    } else {
        let mut members: Vec<&(Str<'_>, Value<'_>)> = o.0.iter().collect();
        members.sort_by(|a, b| utf16_cmp(&a.0, &b.0));
        for (n, m) in members.into_iter().enumerate() {
            member(n, m, out);
        }
    }
    out.push(b'}');
}

/// Order of strings by their UTF-16 code units (RFC 8785 §3.2.3).
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// RFC 8785 §3.2.2.2: quote, escape `"` `\` and U+0000..U+001F (short forms where JSON has them,
/// else `\u00xx` in lowercase hex), and leave every other character as it is.
pub fn render_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start: usize = 0;
    // Each byte that is escaped, found by [`unescaped_run`] (the bytes it passes over are the
    // ones written as they are).
    loop {
        let n = start.saturating_add(unescaped_run(bytes.get(start..).unwrap_or_default()));
        let Some(&b) = bytes.get(n) else { break };
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0A => b"\\n",
            0x0C => b"\\f",
            0x0D => b"\\r",
            0x00..=0x1F => b"",
            _ => {
                // Not reached: every byte `unescaped_run` stops at is one of the above.
                out.extend_from_slice(bytes.get(start..=n).unwrap_or_default());
                start = n.saturating_add(1);
                continue;
            }
        };
        out.extend_from_slice(bytes.get(start..n).unwrap_or_default());
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(esc);
        }
        start = n.saturating_add(1);
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// The RFC 8785 form of a number given as RFC 8259 source text.
///
/// RFC 8785 prints the IEEE 754 double with ECMAScript's `Number.prototype.toString`, i.e. the
/// shortest digits that round-trip, laid out by ECMA-262 §6.1.6.1.20. We lay out the *exact*
/// decimal digits of the source the same way. For every source whose digits are those shortest
/// digits (all integers below 2^53 and every number a program printed) the result is the RFC 8785
/// one byte for byte; for a source carrying more digits than a double holds, the value is kept
/// instead of being rounded, as a guard must. `-0` renders as `0`, as in RFC 8785.
pub fn canonical_number(src: &str) -> Cow<'_, str> {
    let b = src.as_bytes();
    // Fast path: a plain integer of at most 21 digits without a leading zero is already canonical.
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if !digits.is_empty()
        && digits.len() <= 21
        && digits.iter().all(u8::is_ascii_digit)
        && digits.first() != Some(&b'0')
    {
        return Cow::Borrowed(src);
    }
    Cow::Owned(canonical_number_slow(src))
}

fn canonical_number_slow(src: &str) -> String {
    let (negative, rest) = match src.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, src),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at).unwrap_or(""), rest.get(at + 1..).unwrap_or("0")),
        None => (rest, "0"),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    // INVARIANT: the parser allows at most 9 significant exponent digits and `max_number_bytes`
    // bounds the digit count, so this and the arithmetic below stay far inside an i64.
    let e: i64 = exponent.trim_start_matches('+').parse().unwrap_or(0);
    let all: String = int_part.chars().chain(frac_part.chars()).collect();
    let lead = all.len() - all.trim_start_matches('0').len();
    let s = all.trim_start_matches('0').trim_end_matches('0');
    if s.is_empty() {
        return "0".to_string();
    }
    let trailing = all.len() - lead - s.len();
    let k = s.len() as i64;
    // value = s × 10^(e − |frac| + trailing) = 0.s × 10^n
    let n = e - frac_part.len() as i64 + trailing as i64 + k;
    let mut out = String::with_capacity(s.len() + 8);
    if negative {
        out.push('-');
    }
    let (head, tail) = s.split_at(1);
    if k <= n && n <= 21 {
        out.push_str(s);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (a, b) = s.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(s);
    } else {
        out.push_str(head);
        if !tail.is_empty() {
            out.push('.');
            out.push_str(tail);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}

#[cfg(test)]
mod tests;
