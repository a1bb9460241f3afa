//! The escaped reading of a string: what a reader, or a program further down the line, sees once
//! the escapes in it are decoded. Character references (`&#64;`, `&#x40;`, and every HTML5 name:
//! `&commat;`, `&period;`, `&nbsp;`), percent-encoding (`%40`, UTF-8 sequences: `%C3%A9`, and
//! the non-standard `%u0040`)
//! and backslash escapes (`\x40`, `\u0040`, `\u{40}`, `\U00000040`, `\100`, `\@`, `\.`, `\n`) are
//! decoded, and so is the payload of a `data:` URI ([`super::data_uri`]: base64 or
//! percent-encoded, read as text), up to [`LEVELS`] times (`%2540` and `&amp;#64;` are `@`; a
//! `data:` URI inside a payload is read too). The text as written is
//! read too: escapes are ambiguous (`C:\new` is a path, not a line break), so every rule looks
//! at both readings ([`super::Prepared::decoded`]). So does the markup reading
//! ([`super::markup`]: tags and comments gone), of the text as written and as decoded
//! ([`readings`]).

use std::ops::Range;

/// A reading of a text, and for each of its bytes the byte range of the text it comes from.
pub type Reading = (String, Vec<Range<usize>>);

/// How many times escapes are decoded: each pass is linear, so the reading stays linear.
pub const LEVELS: usize = 3;

/// How many times escapes are decoded while each pass reads a `data:` URI's payload (a URI in a
/// URI in a URI …): a payload is shorter than its URI, and each pass is linear.
pub const DATA_LEVELS: usize = 6;

/// Whether `s` may hold an escape, a `data:` URI or markup at all: whether [`readings`] may
/// find any.
pub fn may_hold(s: &str) -> bool {
    may_decode(s) || super::markup::may_hold(s) || (s.contains('[') && s.contains(']'))
}

/// Whether `s` may hold an escape or a `data:` URI.
fn may_decode(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'&' | b'%' | b'\\')) || super::data_uri::may_hold(s)
}

/// Every other reading of `s`, each with the byte range of `s` that each of its bytes comes
/// from: the text with its escapes decoded ([`decode`]); with its markup removed
/// ([`super::markup::strip`]), then decoded (`NIGHT<b>&#74;</b>AR`); and decoded, then with the
/// markup that decoding shows removed (`NIGHT&lt;b&gt;&lt;/b&gt;JAR`); and the text as it
/// stood after each level of decoding that read a `data:` URI's payload. Each is made only when
/// it changes something: at most five, none longer than `s` but for a payload read as
/// UTF-16 (at most 9/8 of it: three bytes of UTF-8 for what base64 writes in 8/3 characters).
pub fn readings(s: &str) -> Vec<Reading> {
    readings_unread(s).0
}

/// [`readings`], and why a `data:` URI read in any of them is no text any rule reads, when one
/// is not ([`super::data_uri::Uri::unread`]), or is nested deeper than [`DATA_LEVELS`] (its
/// payload left unread): the first such reason.
pub fn readings_unread(s: &str) -> (Vec<Reading>, Option<String>) {
    let mut unread = None;
    let mut out = decode_levels(s, &mut unread);
    let decoded = out.last().cloned();
    let markup_reading = |m: String, mmap: Vec<Range<usize>>, unread: &mut Option<String>| match decode_with(&m, unread)
    {
        Some((d, dmap)) => {
            let map = compose(&mmap, dmap, s.len());
            (d, map)
        }
        None => (m, mmap),
    };
    if let Some((m, mmap)) = super::markup::strip(s) {
        out.push(markup_reading(m, mmap, &mut unread));
    }
    // As a forum or Markdown viewer shows it (`NIGHT[b][/b]JAR`, `[NIGHT](https://x "t")JAR`).
    for bbcode in [true, false] {
        if let Some((m, mmap)) = super::markup::strip_light(s, bbcode) {
            out.push(markup_reading(m, mmap, &mut unread));
        }
    }
    // With the content a screen does not show gone too (`NIGHT<span hidden>x</span>JAR`).
    if let Some((m, mmap)) = super::markup::strip_hidden(s) {
        out.push(markup_reading(m, mmap, &mut unread));
    }
    if let Some((d, dmap)) = &decoded
        && let Some((m, mmap)) = super::markup::strip(d)
        && !out.iter().any(|(t, _)| *t == m)
    {
        let map = compose(dmap, mmap, s.len());
        out.push((m, map));
    }
    (out, unread)
}

/// `inner` (for each byte of a text, its range in a middle text) through `outer` (for each
/// byte of the middle text, its range in `s`, `whole` bytes long): each byte's range in `s`.
fn compose(outer: &[Range<usize>], inner: Vec<Range<usize>>, whole: usize) -> Vec<Range<usize>> {
    inner
        .into_iter()
        .map(|r| {
            // (Never missing; if it were, the byte would stand for all of `s`.)
            let a = outer.get(r.start).map_or(0, |x| x.start);
            let b = r.end.checked_sub(1).and_then(|e| outer.get(e)).map_or(whole, |x| x.end);
            a..b
        })
        .collect()
}

/// `s` with its escapes decoded ([`LEVELS`] deep), and for each byte of the result the byte
/// range of `s` it comes from; `None` when there is nothing to decode.
pub fn decode(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    decode_with(s, &mut None)
}

/// [`decode`], noting in `unread` (when it holds nothing yet) why a `data:` URI read on the way
/// is no text any rule reads.
fn decode_with(s: &str, unread: &mut Option<String>) -> Option<(String, Vec<Range<usize>>)> {
    decode_levels(s, unread).pop()
}

/// [`decode`], and before it the text as it stood after each level that read a `data:` URI's
/// payload: a payload is a text of its own, read as written too (`fe80::1%10.20.30.40` carried in
/// one is an address with a zone, which decoding its `%10` would spoil). The last is [`decode`]'s.
fn decode_levels(s: &str, unread: &mut Option<String>) -> Vec<(String, Vec<Range<usize>>)> {
    let mut out = Vec::new();
    if !may_decode(s) {
        return out;
    }
    let Some((mut text, mut map, mut payload)) = decode_once(s, unread) else {
        return out;
    };
    for level in 1..DATA_LEVELS {
        // Past `LEVELS`, only while the last pass read a `data:` URI's payload.
        if !may_decode(&text) || (level >= LEVELS && !payload) {
            break;
        }
        let Some((next, inner, next_payload)) = decode_once(&text, unread) else {
            break;
        };
        // Compose: each byte of `next` came from a range of `text`, which came from `s`.
        let composed = compose(&map, inner, s.len());
        if payload {
            out.push((text, map));
        }
        text = next;
        map = composed;
        payload = next_payload;
    }
    // A URI still there was left unread: nested deeper than the levels read (or its escapes
    // were). Only a text that ran out of levels can hold one: a pass reads every URI it finds.
    if unread.is_none() && super::data_uri::may_hold(&text) && holds_uri(&text) {
        *unread = Some(format!(
            "a `data:` URI nested deeper than the {DATA_LEVELS} levels of decoding read: its payload is left unread"
        ));
    }
    out.push((text, map));
    out
}

/// Whether `s` holds a `data:` URI whose payload holds something: each URI looked at once, the
/// search going on past its end (linear).
fn holds_uri(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr::memchr2(b'd', b'D', b.get(i..).unwrap_or_default()) {
        match super::data_uri::at(s, i + k) {
            Some(u) if !u.text.trim().is_empty() => return true,
            Some(u) => i = u.end.max(i + k + 1),
            None => i += k + 1,
        }
    }
    false
}

/// One pass of decoding, and whether it read a `data:` URI's payload; `None` when nothing
/// changed. The first reason a URI read is no text ([`super::data_uri::Uri::unread`]) goes to
/// `unread` when that holds none yet.
fn decode_once(s: &str, unread: &mut Option<String>) -> Option<(String, Vec<Range<usize>>, bool)> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<Range<usize>> = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut payload = false;
    let mut i = 0;
    // Where the last URI left to the next level ends.
    let mut uri_until = 0;
    // Copied through unchanged: the run since the last escape.
    let mut plain = 0;
    while i < b.len() {
        let found = match b.get(i) {
            Some(b'&') => reference(s, i).map(|(d, end)| (d, end, true)),
            Some(b'%') => percent_u(s, i).or_else(|| percent(b, i)),
            Some(b'\\') => backslash(s, i).map(|(d, end)| (d, end, true)),
            // A URI whose payload still holds a character reference or backslash escape is read
            // at the next level, once they are decoded (as a browser decodes an attribute's
            // references, or a program its string's escapes, before it reads the URI).
            // The URIs inside one read at the next level are read with it, not on their own
            // (each byte is read for one URI at most: a run of `data:,&#74;` stays linear).
            Some(b'd' | b'D') if i >= uri_until => match super::data_uri::at(s, i) {
                Some(u) if holds_escape(s.get(i..u.end).unwrap_or_default()) => {
                    uri_until = u.end;
                    None
                }
                Some(u) => {
                    payload = true;
                    if unread.is_none() {
                        *unread = u.unread;
                    }
                    Some((u.text, u.end, true))
                }
                None => None,
            },
            _ => None,
        };
        let Some((decoded, end, decodes)) = found else {
            i += 1;
            continue;
        };
        if !decodes {
            // A run of percent-encoded bytes of no valid UTF-8: passed over whole, so that no
            // byte of it is looked at twice.
            i = end;
            continue;
        }
        let copied = s.get(plain..i).unwrap_or_default();
        out.push_str(copied);
        map.extend((plain..i).map(|k| k..k + 1));
        out.push_str(&decoded);
        map.extend(std::iter::repeat_n(i..end, decoded.len()));
        changed = true;
        i = end;
        plain = end;
    }
    if !changed {
        return None;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map, payload))
}

/// Whether `s` holds a character reference or a backslash escape.
fn holds_escape(s: &str) -> bool {
    s.bytes().enumerate().any(|(k, c)| match c {
        b'&' => reference(s, k).is_some(),
        b'\\' => backslash(s, k).is_some(),
        _ => false,
    })
}

/// The character references HTML reads without a `;` (the legacy ones of the HTML Living
/// Standard's table of named references).
const LEGACY: &[&str] = &[
    "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute", "Ecirc",
    "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc", "Ograve", "Oslash",
    "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute", "aacute", "acirc",
    "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil", "cent", "copy",
    "curren", "deg", "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14", "frac34", "gt",
    "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro", "middot", "nbsp", "not",
    "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash", "otilde", "ouml", "para", "plusmn", "pound",
    "quot", "raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig", "thorn", "times", "uacute", "ucirc",
    "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
];

/// A character reference at `i` (`&#64;`, `&#x40;`, `&name;`; the `;` of a numeric one may be
/// missing): what it stands for, and where it ends.
fn reference(s: &str, i: usize) -> Option<(String, usize)> {
    let rest = s.get(i + 1..)?;
    if let Some(num) = rest.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(h) => (h, 16),
            None => (num, 10),
        };
        let len = digits.bytes().take_while(|c| char::from(*c).is_digit(radix)).count();
        // Leading zeros are no part of the value (`&#0000008203;` is U+200B, as HTML reads it).
        let zeros = digits.bytes().take(len).take_while(|&c| c == b'0').count();
        let significant = len - zeros;
        if len == 0 || significant > 8 {
            return None;
        }
        let v = match significant {
            0 => 0,
            _ => u32::from_str_radix(digits.get(zeros..len)?, radix).ok()?,
        };
        let c = char::from_u32(v).filter(|&c| c != '\0')?;
        // HTML reads a reference in the C1 range as the Windows-1252 character of that byte
        // (§13.2.5.80: `&#x93;` is `“`, `&#x8A;` is `Š`); the five bytes Windows-1252 leaves
        // undefined stay controls.
        let c = match u8::try_from(v) {
            Ok(byte @ 0x80..=0x9F) => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&[byte])
                .0
                .chars()
                .next()
                .unwrap_or(c),
            _ => c,
        };
        let mut end = i + 1 + (num.len() - digits.len()) + 1 + len;
        if s.as_bytes().get(end) == Some(&b';') {
            end += 1;
        }
        return Some((c.to_string(), end));
    }
    let len = rest.bytes().take(33).take_while(u8::is_ascii_alphanumeric).count();
    if len == 0 || len > 32 || rest.as_bytes().get(len) != Some(&b';') {
        // The legacy names HTML reads without their `;` (`&shyJAR`, `&nbsp`), the longest
        // that starts the text.
        let name = LEGACY
            .iter()
            .filter(|n| rest.as_bytes().starts_with(n.as_bytes()))
            .max_by_key(|n| n.len())?;
        let v = quick_xml::escape::resolve_html5_entity(name)?;
        return Some((v.to_string(), i + name.len() + 1));
    }
    let v = quick_xml::escape::resolve_html5_entity(rest.get(..len)?)?;
    Some((v.to_string(), i + len + 2))
}

/// The whole run of percent-encoded bytes at `i`: the characters they encode in UTF-8 (a byte
/// of no valid sequence stays as written), where the run ends, and whether anything in it was
/// decoded. Linear: the run is read once, however much of it is invalid.
fn percent(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    let mut bytes = Vec::new();
    let mut at = i;
    while b.get(at) == Some(&b'%')
        && let Some(v) = b
            .get(at + 1..at + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    {
        bytes.push(v);
        at += 3;
    }
    if bytes.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(bytes.len());
    let mut decodes = false;
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        decodes |= !chunk.valid().is_empty();
        for x in chunk.invalid() {
            out.push_str(&format!("%{x:02X}"));
        }
    }
    Some((out, at, decodes))
}

/// The non-standard `%uHHHH` at `i` (IIS and old JavaScript `escape()` decode it), and where it
/// ends.
fn percent_u(s: &str, i: usize) -> Option<(String, usize, bool)> {
    let digits = s.get(i + 2..i + 6).filter(|_| s.as_bytes().get(i + 1) == Some(&b'u'))?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, 16).ok()?).filter(|&c| c != '\0')?;
    Some((c.to_string(), i + 6, true))
}

/// A backslash escape at `i`: `\xHH`, `\uHHHH`, `\u{H…}`, `\UHHHHHHHH`, octal `\NNN`, `\n` `\r`
/// `\t` (a space), or a backslash before ASCII punctuation (that punctuation).
fn backslash(s: &str, i: usize) -> Option<(String, usize)> {
    let rest = s.get(i + 1..)?;
    let hex = |h: &str, n: usize| -> Option<char> {
        let digits = h.get(..n)?;
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        char::from_u32(u32::from_str_radix(digits, 16).ok()?).filter(|&c| c != '\0')
    };
    let first = *rest.as_bytes().first()?;
    let (c, len) = match first {
        b'x' => (hex(rest.get(1..)?, 2)?, 3),
        b'u' if rest.as_bytes().get(1) == Some(&b'{') => {
            let inner = rest.get(2..)?;
            let n = inner.bytes().take_while(u8::is_ascii_hexdigit).count();
            if n == 0 || n > 6 || inner.as_bytes().get(n) != Some(&b'}') {
                return None;
            }
            (hex(inner, n)?, n + 3)
        }
        b'u' => (hex(rest.get(1..)?, 4)?, 5),
        b'U' => (hex(rest.get(1..)?, 8)?, 9),
        b'n' | b'r' | b't' => (' ', 1),
        b'0'..=b'3' => {
            let octal = rest.get(..3)?;
            if !octal.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                return None;
            }
            (
                char::from_u32(u32::from_str_radix(octal, 8).ok()?).filter(|&c| c != '\0')?,
                3,
            )
        }
        c if c.is_ascii_punctuation() => (char::from(c), 1),
        _ => return None,
    };
    Some((c.to_string(), i + 1 + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        decode(s).map_or_else(|| s.to_string(), |(t, _)| t)
    }

    #[test]
    fn decodes_every_kind_of_escape() {
        for (s, want) in [
            ("a&#64;b", "a@b"),
            ("a&#x40;b&#X2E;c", "a@b.c"),
            ("a&#64b", "a@b"),
            ("a&commat;b&period;c", "a@b.c"),
            ("Operation&nbsp;NIGHTJAR", "Operation\u{A0}NIGHTJAR"),
            ("a%40b%2ec", "a@b.c"),
            ("caf%C3%A9", "café"),
            ("a%FF%40b", "a%FF@b"),
            ("%u0031%u0030.20", "10.20"),
            ("a\\x40b\\u002ec\\u{2e}d\\U0000002Ee", "a@b.c.d.e"),
            ("a\\@b\\.c", "a@b.c"),
            ("line\\nbreak", "line break"),
            ("corp\\056example", "corp.example"),
            ("corp\\\\.example", "corp.example"),
            ("a%2540b", "a@b"),
            ("a&amp;#64;b", "a@b"),
            ("a&amp;amp;#64;b", "a@b"),
        ] {
            assert_eq!(d(s), want, "{s}");
        }
        // HTML reads a reference in the C1 range as Windows-1252 (`&#x8A;` is `Š`).
        assert_eq!(d("&#x8A;OURCE &#147;x&#x94;"), "\u{160}OURCE \u{201C}x\u{201D}");
        assert_eq!(d("&#x81;"), "\u{81}");
    }

    #[test]
    fn leaves_what_is_no_escape() {
        for s in [
            "AT&T",
            "100%",
            "50% off",
            "%zz",
            "&unknown;",
            "&#;",
            "&#0;",
            "C:\\Users",
            "a\\",
            "%",
            "&",
        ] {
            assert_eq!(d(s), s, "{s}");
        }
        assert!(decode("plain text").is_none());
    }

    #[test]
    fn maps_each_byte_back_to_what_was_written() {
        let s = "x&#64;y%2540z";
        let (t, map) = decode(s).unwrap();
        assert_eq!(t, "x@y@z");
        let spans: Vec<&str> = map.iter().map(|r| s.get(r.clone()).unwrap()).collect();
        assert_eq!(spans, ["x", "&#64;", "y", "%2540", "z"]);
    }

    proptest::proptest! {
        /// Any input: no panic, the map covers the result byte for byte with ranges inside the
        /// input, in order.
        #[test]
        fn the_map_is_well_formed(s in "[a-z&#%;\\\\x0-9A-F{}u.@]{0,40}") {
            if let Some((t, map)) = decode(&s) {
                proptest::prop_assert_eq!(t.len(), map.len());
                let mut last = 0;
                for r in &map {
                    proptest::prop_assert!(r.start < r.end && r.end <= s.len());
                    proptest::prop_assert!(r.start >= last);
                    last = r.start;
                }
            }
        }
    }
}
