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

/// How many readings of runs of base64 or hex one text may have, at all levels together: a
/// text has one for each kind and phase of the runs it holds ([`super::encoded::readings`]),
/// and so do those readings. Benign text has one, or none.
pub const RUN_READINGS: usize = 32;

/// The bytes all readings of runs of one text may take together, past one: each reading is as
/// long as the text and maps each byte back (about 34 bytes a byte once normalised), so a text
/// of a megabyte has two readings at most, one of 64 KiB or less all [`RUN_READINGS`].
const RUN_BYTES: usize = 2 << 20;

/// How many readings of runs `s` may have ([`RUN_READINGS`], fewer for a long text: [`RUN_BYTES`]).
fn run_readings_of(s: &str) -> usize {
    RUN_READINGS.min((RUN_BYTES / s.len().max(1)).max(1))
}

/// Whether `s` may hold an escape, a `data:` URI, markup, a break a script joins or a run of
/// base64 or hex that decodes to text at all: whether [`readings`] may find any.
pub fn may_hold(s: &str) -> bool {
    may_decode(s)
        || super::markup::may_hold(s)
        || (s.contains('[') && s.contains(']'))
        || shell_breaks(s, true).next().is_some()
        || super::encoded::may_hold(s)
}

/// Whether `s` may hold an escape or a `data:` URI.
/// The bytes are looked for with `memchr`, three at a time (the same answer as asking each byte:
/// [`may_decode_bytewise`], which the tests compare with).
fn may_decode(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr3(b'&', b'%', b'\\', b).is_some()
        || memchr::memchr3(b'=', b'+', b'|', b).is_some()
        || memchr::memchr(b'{', b).is_some()
        || super::data_uri::may_hold(s)
}

/// [`may_decode`], asking each byte.
#[cfg(test)]
fn may_decode_bytewise(s: &str) -> bool {
    s.bytes()
        .any(|b| matches!(b, b'&' | b'%' | b'\\' | b'=' | b'+' | b'|' | b'{'))
        || super::data_uri::may_hold(s)
}

/// Every other reading of `s`, each with the byte range of `s` that each of its bytes comes
/// from: the text with its escapes decoded ([`decode`]); with its markup removed
/// ([`super::markup::strip`]), then decoded (`NIGHT<b>&#74;</b>AR`); and decoded, then with the
/// markup that decoding shows removed (`NIGHT&lt;b&gt;&lt;/b&gt;JAR`); as a forum or Markdown
/// viewer shows it, and without hidden content (each then decoded); as a UTF-7 decoder reads the
/// whole text ([`utf7_throughout`]), then decoded; snort groups as addresses; and the text as it
/// stood after each level of decoding that read a `data:` URI's payload. Each is made only when
/// it changes something, a fixed number at most, none longer than `s` but for a payload read as
/// UTF-16 (at most 9/8 of it: three bytes of UTF-8 for what base64 writes in 8/3 characters).
pub fn readings(s: &str) -> Vec<Reading> {
    readings_unread(s).0
}

/// [`readings`], and why a `data:` URI read in any of them is no text any rule reads, when one
/// is not ([`super::data_uri::Uri::unread`]), or is nested deeper than [`DATA_LEVELS`] (its
/// payload left unread): the first such reason.
pub fn readings_unread(s: &str) -> (Vec<Reading>, Option<String>) {
    let mut unread = None;
    let mut addresses = Vec::new();
    let mut out = decode_levels(s, &mut unread, Some(&mut addresses), true);
    let decoded = out.last().cloned();
    // And with a `+` left as written: after a character that is no ASCII letter a `+` starts a
    // UTF-7 run to the reading above, which would hide what the other escapes write around it
    // (`\u0054LＰ+Aag` is `TLＰ+Aag`, not `TLＰƨ`; the verifier's suite found it).
    if s.contains('+')
        && let Some(plain) = decode_levels(s, &mut unread, None, false).pop()
        && !out.iter().any(|(t, _)| *t == plain.0)
    {
        out.push(plain);
    }
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
    // As a script joins a word broken for it (`N^I^G^H^T`, `'NIGHT'+'JAR'`), and as sh does
    // where the two differ (`intranet"."corp.example`: a script reads `"."` as a join).
    if let Some((m, mmap)) = joined(s, true) {
        let sh = joined(s, false).filter(|(t, _)| *t != m);
        out.push(markup_reading(m, mmap, &mut unread));
        if let Some((t, tmap)) = sh {
            out.push(markup_reading(t, tmap, &mut unread));
        }
    }
    // As a UTF-7 decoder reads the whole text, a run glued to a word too (`SE+AEMAUgBFAFQ-`).
    if let Some((m, mmap)) = utf7_throughout(s) {
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
    // Four bytes of a snort hex group as the IPv4 address they write (`|0a 14 1e 28|`), as
    // written and at each level of decoding.
    out.extend(snort_addresses(s));
    out.extend(addresses);
    if let Some((d, dmap)) = &decoded
        && let Some((m, mmap)) = super::markup::strip(d)
        && !out.iter().any(|(t, _)| *t == m)
    {
        let map = compose(dmap, mmap, s.len());
        out.push((m, map));
    }
    // With its runs of base64 and hex that write text decoded (`U0VDUkVU`), as written and in
    // every reading, then in what they write, [`LEVELS`] deep (base64 of hex, `%34%66…`). What
    // a run writes is shorter than the run, so no reading grows. A `data:` URI is judged in the
    // readings above: one whose payload a run's reading rewrote is no reason to hold the text.
    // A text has a reading for each kind and phase of run it holds (runs that overlap), so the
    // readings of readings are counted: past [`RUN_READINGS`] (fewer in a long text:
    // [`run_readings_of`]) the text is not read further, and is held.
    let mut rewritten = None;
    let mut run_reading = |m: String, mmap: Vec<Range<usize>>| markup_reading(m, mmap, &mut rewritten);
    let mut layer: Vec<Reading> = Vec::new();
    // None past the bound is made (each reading is as long as the text): a layer cut short so
    // holds the text.
    let bound = run_readings_of(s);
    let too_many = |unread: &mut Option<String>| {
        unread.get_or_insert_with(|| {
            format!(
                "more than {bound} readings of runs of base64 or hex that overlap in a text of {} bytes: too many to read",
                s.len()
            )
        });
    };
    let mut cut_short = false;
    for (t, tmap) in std::iter::once((s, None)).chain(out.iter().map(|(t, m)| (t.as_str(), Some(m)))) {
        let Some(readings) = super::encoded::readings(t, bound.saturating_sub(layer.len())) else {
            cut_short = true;
            break;
        };
        for (m, mmap) in readings {
            let mmap = match tmap {
                Some(tmap) => compose(tmap, mmap, s.len()),
                None => mmap,
            };
            layer.push(run_reading(m, mmap));
        }
    }
    let mut count = 0;
    for level in 1..=LEVELS {
        layer.dedup_by(|a, b| a.0 == b.0);
        count += layer.len();
        if count > bound || cut_short {
            too_many(&mut unread);
            break;
        }
        let mut next: Vec<Reading> = Vec::new();
        for (t, tmap) in layer.iter().filter(|_| level < LEVELS) {
            let Some(readings) = super::encoded::readings(t, bound.saturating_sub(count + next.len())) else {
                cut_short = true;
                break;
            };
            next.extend(readings.into_iter().map(|(m, mmap)| (m, compose(tmap, mmap, s.len()))));
        }
        out.append(&mut layer);
        layer = next.into_iter().map(|(m, mmap)| run_reading(m, mmap)).collect();
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
    decode_levels(s, unread, None, true).pop()
}

/// [`decode`], and before it the text as it stood after each level that read a `data:` URI's
/// payload: a payload is a text of its own, read as written too (`fe80::1%10.20.30.40` carried in
/// one is an address with a zone, which decoding its `%10` would spoil). The last is [`decode`]'s.
/// With `addresses`, the [`snort_addresses`] reading of each level's text (before it is decoded
/// further: `\|0a 14 1e 28\|` is a group only once its backslashes are gone) goes there.
/// `utf7`: whether a `+` starts a UTF-7 run.
fn decode_levels(
    s: &str,
    unread: &mut Option<String>,
    mut addresses: Option<&mut Vec<Reading>>,
    utf7: bool,
) -> Vec<(String, Vec<Range<usize>>)> {
    let mut out = Vec::new();
    if !may_decode(s) {
        return out;
    }
    let Some((mut text, mut map, mut payload)) = decode_once(s, unread, utf7) else {
        return out;
    };
    for level in 1..DATA_LEVELS {
        if let Some(list) = addresses.as_deref_mut()
            && let Some((q, qmap)) = snort_addresses(&text)
        {
            list.push((q, compose(&map, qmap, s.len())));
        }
        // Past `LEVELS`, only while the last pass read a `data:` URI's payload.
        if !may_decode(&text) || (level >= LEVELS && !payload) {
            break;
        }
        let Some((next, inner, next_payload)) = decode_once(&text, unread, utf7) else {
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
/// `unread` when that holds none yet. `seven`: whether a `+` starts a UTF-7 run.
fn decode_once(s: &str, unread: &mut Option<String>, seven: bool) -> Option<(String, Vec<Range<usize>>, bool)> {
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
            Some(b'=') => encoded_word(s, i).or_else(|| quoted_printable(b, i)),
            // A `+` after a letter, digit, `/` or `+` is a base64 run's own (a `data:` URI's
            // payload read as UTF-7 would be lost to the URI reader at the next level); after
            // an escape, the character it decodes to is the one before (`TL&#80;+zork` is
            // `TLP+zork`, as the verifier reads it: the proptest of tlp_signs found it crossing).
            Some(b'+') if !seven => None,
            Some(b'+')
                if if plain < i {
                    i.checked_sub(1).and_then(|k| b.get(k))
                } else {
                    out.as_bytes().last()
                }
                .is_some_and(|&p| p.is_ascii_alphanumeric() || p == b'/' || p == b'+') =>
            {
                None
            }
            Some(b'+') => utf7(b, i),
            Some(b'|') => snort_bytes(b, i),
            Some(b'{') => yara_hex(b, i),
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
    hex_run(b, i, b'%')
}

/// The run of `sign` and two hex digits at `i` (`%4E%49`, `=4E=49`): the characters the bytes
/// encode in UTF-8 (a byte of no valid sequence stays as written), where the run ends, and
/// whether anything in it was decoded.
fn hex_run(b: &[u8], i: usize, sign: u8) -> Option<(String, usize, bool)> {
    let mut bytes = Vec::new();
    let mut at = i;
    while b.get(at) == Some(&sign)
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
            out.push_str(&format!("{}{x:02X}", char::from(sign)));
        }
    }
    Some((out, at, decodes))
}

/// The non-standard `%uHHHH` at `i` (IIS and old JavaScript `escape()` decode it), and where it
/// ends; a surrogate pair `%uD83D%uDFE5` is one character, as `unescape()` reads it.
fn percent_u(s: &str, i: usize) -> Option<(String, usize, bool)> {
    let (c, len) = utf16_escape(s.get(i + 1..)?, '%')?;
    Some((c.to_string(), i + 1 + len, true))
}

/// The UTF-16 code unit escape `uHHHH` at the start of `rest` (after its `lead`, `\` or `%`), and
/// its length: a high surrogate, `lead` and a low one are the pair's character (JSON,
/// JavaScript and Java write `🟥` as `\ud83d\udfe5`; RFC 8259 §7); a lone surrogate is none.
fn utf16_escape(rest: &str, lead: char) -> Option<(char, usize)> {
    let unit = |h: Option<&str>| -> Option<u32> {
        let h = h?.strip_prefix('u')?.get(..4)?;
        h.bytes()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(h, 16).ok())?
    };
    let high = unit(Some(rest))?;
    if (0xD800..0xDC00).contains(&high) {
        let low = unit(rest.get(5..).and_then(|r| r.strip_prefix(lead))).filter(|l| (0xDC00..0xE000).contains(l))?;
        let c = char::from_u32(0x10000 | ((high & 0x3FF) << 10) | (low & 0x3FF))?;
        return Some((c, 11));
    }
    Some((char::from_u32(high).filter(|&c| c != '\0')?, 5))
}

/// Whether `c`, decoded from an escape, is the length byte of a DNS wire label (RFC 1035 §3.1)
/// before `after`: a control character whose value `n` is followed by exactly `n` label
/// characters (`\x08intranet\x04corp` is `.intranet.corp`). Read as a dot; elsewhere a control
/// character is dropped by the normal form (`SE\x03CRET` stays `SECRET`).
fn wire_length(c: char, after: &str) -> bool {
    let label = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let n = c as usize;
    (1..0x20).contains(&n)
        && after.as_bytes().get(..n).is_some_and(|l| l.iter().all(label))
        && !after.as_bytes().get(n).is_some_and(label)
}

/// A backslash escape at `i`: `\xHH`, `\uHHHH`, `\u{H…}`, `\x{H…}`, `\N{U+H…}`, `\UHHHHHHHH`, octal `\NNN`, `\n` `\r`
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
    // `{`, one to six hex digits, `}` after `open` (`\u{2e}`, Perl's `\x{2e}` and `\N{U+2E}`).
    let braced = |open: &str| -> Option<(char, usize)> {
        let inner = rest.strip_prefix(open)?;
        let n = inner.bytes().take_while(u8::is_ascii_hexdigit).count();
        if n == 0 || n > 6 || inner.as_bytes().get(n) != Some(&b'}') {
            return None;
        }
        Some((hex(inner, n)?, open.len() + n + 1))
    };
    let first = *rest.as_bytes().first()?;
    let (c, len) = match first {
        b'x' if rest.as_bytes().get(1) == Some(&b'{') => braced("x{")?,
        b'x' => (hex(rest.get(1..)?, 2)?, 3),
        b'u' if rest.as_bytes().get(1) == Some(&b'{') => braced("u{")?,
        b'N' => braced("N{U+")?,
        b'u' => utf16_escape(rest, '\\')?,
        b'U' => (hex(rest.get(1..)?, 8)?, 9),
        b'n' | b'r' | b't' => (' ', 1),
        b'0'..=b'3'
            if rest
                .get(..3)
                .is_some_and(|o| o != "000" && o.bytes().all(|c| (b'0'..=b'7').contains(&c))) =>
        {
            (
                char::from_u32(u32::from_str_radix(rest.get(..3)?, 8).ok()?).filter(|&c| c != '\0')?,
                3,
            )
        }
        // A CSS escape (CSS Syntax §4.3.7): one to six hex digits and one white space after
        // them (`\4e IGHTJAR`, `\2e`).
        c if c.is_ascii_hexdigit() => {
            let n = rest.bytes().take(6).take_while(u8::is_ascii_hexdigit).count();
            let c = char::from_u32(u32::from_str_radix(rest.get(..n)?, 16).ok()?).filter(|&c| c != '\0')?;
            let after = rest.get(n..).unwrap_or_default();
            let blank = if after.starts_with("\r\n") {
                2
            } else {
                usize::from(
                    after
                        .as_bytes()
                        .first()
                        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')),
                )
            };
            (c, n + blank)
        }
        c if c.is_ascii_punctuation() => (char::from(c), 1),
        _ => return None,
    };
    let c = if wire_length(c, s.get(i + 1 + len..).unwrap_or_default()) {
        '.'
    } else {
        c
    };
    Some((c.to_string(), i + 1 + len))
}

/// The value of a base64 character (`+` `/` alphabet).
fn sextet(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// The bytes base64 characters `b` write, and whether the bits left over (fewer than eight) are
/// all zero; `None` when a byte of `b` is no base64 character.
fn base64_bytes(b: &[u8]) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::with_capacity(b.len() * 3 / 4 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in b {
        acc = ((acc << 6) | sextet(c)?) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).ok()?);
        }
    }
    Some((out, acc & ((1 << bits) - 1) == 0))
}

/// An RFC 2047 encoded word at `i` (`=?UTF-8?B?T3Bl…?=`, `=?utf-8?Q?Operation_NIGH=54JAR?=`, a
/// language after a `*` in the charset), as a mail client shows it in a header: the text, where
/// it ends. A charset `encoding_rs` does not know is read as UTF-8. Linear: a word that is not
/// one fails at a byte no other word can start before.
fn encoded_word(s: &str, i: usize) -> Option<(String, usize, bool)> {
    let b = s.as_bytes();
    if b.get(i + 1) != Some(&b'?') {
        return None;
    }
    let cs_len = b
        .get(i + 2..)?
        .iter()
        .take(65)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':' | b'*'))
        .count();
    let at = i + 2 + cs_len;
    if cs_len == 0 || b.get(at) != Some(&b'?') || b.get(at + 2) != Some(&b'?') {
        return None;
    }
    let kind = *b.get(at + 1)?;
    let body_from = at + 3;
    let body_len = b
        .get(body_from..)?
        .iter()
        .take_while(|c| c.is_ascii_graphic() && **c != b'?')
        .count();
    let body_end = body_from + body_len;
    if b.get(body_end..body_end + 2) != Some(b"?=".as_slice()) {
        return None;
    }
    let body = b.get(body_from..body_end)?;
    let bytes = match kind {
        b'B' | b'b' => {
            let trimmed: Vec<u8> = body.iter().copied().filter(|&c| c != b'=').collect();
            base64_bytes(&trimmed)?.0
        }
        b'Q' | b'q' => {
            let mut out = Vec::with_capacity(body.len());
            let mut k = 0;
            while let Some(&c) = body.get(k) {
                match c {
                    b'_' => out.push(b' '),
                    b'=' if let Some(v) = body
                        .get(k + 1..k + 3)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok()) =>
                    {
                        out.push(v);
                        k += 2;
                    }
                    _ => out.push(c),
                }
                k += 1;
            }
            out
        }
        _ => return None,
    };
    let charset = s.get(i + 2..at)?;
    let label = charset.split('*').next().unwrap_or_default();
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let text = encoding.decode_without_bom_handling(&bytes).0.into_owned();
    Some((text, body_end + 2, true))
}

/// Quoted-printable at `i`: a soft line break (`=` then white space to the end of the line) is
/// nothing; a run of `=XX` is the bytes it writes, decoded as UTF-8 (a byte of no valid
/// sequence stays as written). Hex digits of either case are read (`=4e`), as decoders do.
fn quoted_printable(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    let blanks = b.get(i + 1..)?.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    let after = i + 1 + blanks;
    match (b.get(after), b.get(after + 1)) {
        (Some(b'\n'), _) => return Some((String::new(), after + 1, true)),
        (Some(b'\r'), Some(b'\n')) => return Some((String::new(), after + 2, true)),
        _ => {}
    }
    hex_run(b, i, b'=')
}

/// How many bytes at `i` break a word for a command shell or a script, which joins it again,
/// when a word follows them (the caller asks for one before). When `script`, two literals
/// joined ([`join`]: `'NIGHT'+'JAR'`, `"SEC" . 'RET'`, `concat('NIGHT','JAR')`) come first,
/// unless `i` is before `dead`, where a join looked for earlier failed (how far a failed one
/// looked goes to `dead`). Otherwise, or when there is none, a run of quotes and carets inside
/// a word: cmd.exe's escape `^`, an empty pair `''`, sh's quoting of part of a word
/// (`intranet.co"rp.example"`, `intranet"."corp.example`).
fn shell_break(b: &[u8], i: usize, script: bool, dead: &mut usize) -> Option<usize> {
    let word_at = |k: usize| b.get(k).is_some_and(|&c| word(c));
    if script && i >= *dead && quote(b, i) > 0 {
        match join(b, i) {
            Ok(end) if word_at(end) => return Some(end.saturating_sub(i)),
            Ok(end) | Err(end) => *dead = end,
        }
    }
    let run = b.get(i..)?.iter().take_while(|&&c| breaks(c)).count();
    (run > 0 && word_at(i + run)).then_some(run)
}

/// From a literal's closing quote at `i` to the end of the next one's opening quote: closing
/// brackets (`('a') + ('b')`), white space and comments ([`gap`]), an operator that joins
/// two (`+`, `.`, `&`, `,` of an argument list, `~`, `^`, `||`, `..`, `<<`, `<>`, `++`, or none:
/// Python and C join adjacent literals), white space and comments, opening brackets or `$` (`${'a'}${'b'}`)
/// and the opening quote, of any kind ([`quote`]); through empty literals (`'a' + '' + 'b'`).
/// `Err` with how far it looked when there is none. Each byte is looked at once.
fn join(b: &[u8], i: usize) -> Result<usize, usize> {
    let run = |k: usize, set: &[u8]| {
        b.get(k..)
            .map_or(0, |r| r.iter().take_while(|c| set.contains(c)).count())
    };
    let mut close = i;
    loop {
        let mut k = close + quote(b, close);
        let after_quote = k;
        k += run(k, b")]}");
        k = gap(b, k);
        k += match b.get(k..k + 2) {
            Some(b"||" | b".." | b"<<" | b"<>" | b"++") => 2,
            _ => usize::from(matches!(b.get(k), Some(b'+' | b'.' | b'&' | b',' | b'~' | b'^'))),
        };
        k = gap(b, k);
        k += run(k, b"([{$");
        let open = quote(b, k);
        if k == after_quote || open == 0 {
            return Err(k.max(close + 1));
        }
        // An empty literal: its closing quote starts another join.
        match quote(b, k + open) {
            0 => return Ok(k + open),
            _ => close = k + open,
        }
    }
}

/// Where white space and comments starting at `k` end: spaces, tabs, line breaks, `/* … */` (an
/// unclosed one runs to the end), and `//`, `#` or `--` to the end of the line. Each byte is
/// looked at once.
fn gap(b: &[u8], mut k: usize) -> usize {
    loop {
        k += b.get(k..).map_or(0, |r| {
            r.iter()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                .count()
        });
        let rest = b.get(k..).unwrap_or_default();
        let skip = match rest {
            [b'/', b'*', body @ ..] => memchr::memmem::find(body, b"*/").map_or(rest.len(), |e| e + 4),
            [b'/', b'/', ..] | [b'#', ..] | [b'-', b'-', ..] => memchr::memchr(b'\n', rest).unwrap_or(rest.len()),
            _ => return k,
        };
        k += skip;
    }
}

/// How many bytes of a quote stand at `k`: `'`, `"`, `` ` `` and the typographic quotes a word
/// processor puts in their place (`‘’“”‹›«»`); 0 when none does.
fn quote(b: &[u8], k: usize) -> usize {
    match b.get(k..).unwrap_or_default() {
        [b'\'' | b'"' | b'`', ..] => 1,
        [0xC2, 0xAB | 0xBB, ..] => 2,
        [0xE2, 0x80, 0x98 | 0x99 | 0x9C | 0x9D | 0xB9 | 0xBA, ..] => 3,
        _ => 0,
    }
}

/// Whether `c` is a quote or caret: a break of a word starts with one.
fn breaks(c: u8) -> bool {
    matches!(c, b'^' | b'\'' | b'"' | b'`')
}

/// Whether `c` is part of a word a shell or script may break: a letter, a digit, a byte of a
/// character beyond ASCII or one of `.@:-_/`.
fn word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80 || b".@:-_/".contains(&c)
}

/// The breaks ([`shell_break`]) in `s` that a word stands on each side of, in order. One pass:
/// a break starts only where a word stands before it, so a run of quotes and carets that is
/// none is passed over whole, and a join is not looked for again where one failed.
fn shell_breaks(s: &str, script: bool) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = s.as_bytes();
    let (mut i, mut dead) = (0, 0);
    std::iter::from_fn(move || {
        while let Some(at) = b.get(i..).and_then(|r| {
            r.iter()
                .position(|&c| breaks(c) || (script && matches!(c, 0xC2 | 0xE2)))
        }) {
            let at = i + at;
            let after_word = at.checked_sub(1).and_then(|k| b.get(k)).is_some_and(|&c| word(c));
            if after_word && let Some(n) = shell_break(b, at, script, &mut dead) {
                i = at + n;
                return Some(at..i);
            }
            i = at
                + b.get(at..)
                    .map_or(1, |r| r.iter().take_while(|&&c| breaks(c)).count().max(1));
        }
        None
    })
}

/// `s` with each word a shell or script would join again joined ([`shell_breaks`] taken out),
/// with each byte's range in `s`; `None` when there is no such break. One pass.
fn joined(s: &str, script: bool) -> Option<(String, Vec<Range<usize>>)> {
    let mut out = String::new();
    let mut map = Vec::new();
    let mut plain = 0;
    for cut in shell_breaks(s, script) {
        out.push_str(s.get(plain..cut.start).unwrap_or_default());
        map.extend((plain..cut.start).map(|k| k..k + 1));
        plain = cut.end;
    }
    if plain == 0 {
        return None;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map))
}

/// `s` as a UTF-7 decoder reads a whole text: every `+` run that is UTF-7 ([`utf7`]) decoded,
/// after whatever character (a word's letter, a digit, `/` or `+`, which [`decode`] leaves to
/// base64), with each byte's range in `s`; `None` unless a run after such a character decodes.
/// One pass: each byte is looked at once.
fn utf7_throughout(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    let b = s.as_bytes();
    let glued = |i: usize| {
        i.checked_sub(1)
            .and_then(|k| b.get(k))
            .is_some_and(|&p| p.is_ascii_alphanumeric() || p == b'/' || p == b'+')
    };
    let mut out = String::new();
    let mut map = Vec::new();
    let (mut i, mut plain, mut any_glued) = (0, 0, false);
    while let Some(at) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'+')) {
        let at = i + at;
        match utf7(b, at) {
            Some((text, end, true)) => {
                any_glued |= glued(at);
                out.push_str(s.get(plain..at).unwrap_or_default());
                map.extend((plain..at).map(|k| k..k + 1));
                out.push_str(&text);
                map.extend(std::iter::repeat_n(at..end, text.len()));
                (i, plain) = (end, end);
            }
            Some((_, end, false)) => i = end.max(at + 1),
            None => i = at + 1,
        }
    }
    if !any_glued {
        return None;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map))
}

/// UTF-7 at `i` (RFC 2152): `+`, then base64 of UTF-16 (big-endian) code units, then an
/// optional `-` (`+AE4-` is `N`). Read only when the base64 writes at least one whole code unit,
/// its leftover bits are zero and the units are valid UTF-16: `C++`, `+1`, `+12025550143` are
/// no UTF-7.
fn utf7(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    let from = i + 1;
    let n = b.get(from..)?.iter().take_while(|&&c| sextet(c).is_some()).count();
    // A run that is no UTF-7 is passed over whole (a `+` inside it is a base64 character, as a
    // decoder reads it): each byte looked at once.
    let skip = Some((String::new(), from + n, false));
    if n < 3 {
        return skip;
    }
    let Some((bytes, clean)) = base64_bytes(b.get(from..from + n)?) else {
        return skip;
    };
    // What is left over past whole code units (a byte, or bits) must be zero.
    let whole = bytes.len() - bytes.len() % 2;
    if !clean || bytes.get(whole..).is_some_and(|r| r.iter().any(|&x| x != 0)) || whole == 0 {
        return skip;
    }
    let units = bytes
        .get(..whole)?
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p.first().copied().unwrap_or(0), p.get(1).copied().unwrap_or(0)]));
    let Ok(text) = char::decode_utf16(units).collect::<Result<String, _>>() else {
        return skip;
    };
    let mut end = from + n;
    if b.get(end) == Some(&b'-') {
        end += 1;
    }
    Some((text, end, true))
}

/// Bytes written in hex (a snort content's `|…|`, a YARA hex string) as a program matching them
/// sees text: printable ASCII and valid UTF-8 as the characters, a control byte (a DNS label's
/// length, a NUL) as `.`, a byte of no valid sequence as a space; and whether any was read.
fn bytes_text(bytes: &[u8], out: &mut String) -> bool {
    let mut any = false;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            out.push(if c.is_control() { '.' } else { c });
            any = true;
        }
        if !chunk.invalid().is_empty() {
            out.push(' ');
        }
    }
    any
}

/// A snort content's hex group at `i` (`|20|`, `|4a 41 52|`, `|0a141e28|`): hex pairs, spaces
/// between them, starting and ending with a digit. Its bytes, and where the group ends.
fn snort_group(b: &[u8], i: usize) -> Option<(Vec<u8>, usize)> {
    let mut bytes = Vec::new();
    let mut half: Option<u8> = None;
    let mut at = i + 1;
    loop {
        let c = *b.get(at)?;
        match c {
            b'|' if half.is_none() && !bytes.is_empty() && b.get(at - 1) != Some(&b' ') => {
                return Some((bytes, at + 1));
            }
            b' ' if half.is_none() && !bytes.is_empty() => {}
            _ => {
                let v = char::from(c).to_digit(16)?;
                let v = u8::try_from(v).ok()?;
                match half.take() {
                    Some(h) => bytes.push((h << 4) | v),
                    None => half = Some(v),
                }
            }
        }
        at += 1;
    }
}

/// A snort hex group at `i` read as the text of its bytes ([`bytes_text`]): `Operation|20|NIGHTJAR`
/// is `Operation NIGHTJAR`, DNS wire labels `|08|intranet|04|corp|07|example|00|` are
/// `.intranet.corp.example.`. A group that is no text is passed over whole.
fn snort_bytes(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    let (bytes, end) = snort_group(b, i)?;
    let mut out = String::new();
    let any = bytes_text(&bytes, &mut out);
    Some((out, end, any))
}

/// `s` with every snort hex group of exactly four bytes read as the IPv4 address it writes
/// (`|0a 14 1e 28|` is `10.20.30.40`, as a rule matching a raw address in a packet writes it),
/// the rest as written; `None` when there is none. One pass.
pub fn snort_addresses(s: &str) -> Option<Reading> {
    let b = s.as_bytes();
    if !s.contains('|') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    let (mut i, mut plain, mut changed) = (0, 0, false);
    while let Some(k) = memchr::memchr(b'|', b.get(i..).unwrap_or_default()) {
        let at = i + k;
        match snort_group(b, at) {
            Some((bytes, end)) => {
                if let [x, y, z, w] = bytes.as_slice() {
                    out.push_str(s.get(plain..at).unwrap_or_default());
                    map.extend((plain..at).map(|k| k..k + 1));
                    let quad = format!("{x}.{y}.{z}.{w}");
                    map.extend(std::iter::repeat_n(at..end, quad.len()));
                    out.push_str(&quad);
                    plain = end;
                    changed = true;
                }
                i = end;
            }
            None => i = at + 1,
        }
    }
    if !changed {
        return None;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map))
}

/// A YARA hex string at `i` (`{ 4F 70 65 ?? [2-4] ( 4A | 4B ) }`): the contiguous runs of hex
/// pairs read as text ([`bytes_text`]), a wildcard, jump, alternative or `~` ending a run (the
/// runs written apart by a space); where the braces end, and whether any byte was read. Linear:
/// what is scanned holds no `{`, so a string that is none fails where no other can start.
fn yara_hex(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    let mut out = String::new();
    let mut run: Vec<u8> = Vec::new();
    let mut any = false;
    let mut pairs = 0usize;
    // The first character of a pair: a digit's value, or `None` for `?`.
    let mut half: Option<Option<u8>> = None;
    let mut jump = false;
    let mut at = i + 1;
    let flush = |run: &mut Vec<u8>, out: &mut String, any: &mut bool| {
        if !run.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            *any |= bytes_text(run, out);
            run.clear();
        }
    };
    loop {
        let c = *b.get(at)?;
        at += 1;
        if jump {
            match c {
                b']' => jump = false,
                b'0'..=b'9' | b'-' | b' ' => {}
                _ => return None,
            }
            continue;
        }
        match c {
            b'}' if half.is_none() => break,
            b' ' | b'\t' | b'\r' | b'\n' if half.is_none() => {}
            b'?' => match half.take() {
                Some(_) => {
                    pairs += 1;
                    flush(&mut run, &mut out, &mut any);
                }
                None => half = Some(None),
            },
            b'[' | b'(' | b'|' | b')' | b'~' if half.is_none() => {
                jump = c == b'[';
                flush(&mut run, &mut out, &mut any);
            }
            _ => {
                let v = u8::try_from(char::from(c).to_digit(16)?).ok()?;
                match half.take() {
                    Some(Some(h)) => {
                        pairs += 1;
                        run.push((h << 4) | v);
                    }
                    Some(None) => {
                        pairs += 1;
                        flush(&mut run, &mut out, &mut any);
                    }
                    None => half = Some(Some(v)),
                }
            }
        }
    }
    if pairs == 0 || jump {
        return None;
    }
    flush(&mut run, &mut out, &mut any);
    Some((out, at, any))
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
            ("\\ud83d\\udfe5 %uD83D%uDFE5", "\u{1F7E5} \u{1F7E5}"),
            ("\\ud83d \\udfe5 %uDFE5%uD83D x", "\\ud83d \\udfe5 %uDFE5%uD83D x"),
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Looking for the bytes with `memchr` answers as asking each byte did: on any text and
        /// on text of those bytes among letters.
        #[test]
        fn may_decode_by_memchr_is_may_decode_bytewise(
            s in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "[a-z &%=+|{}\\\\é:]{0,40}",
            ]
        ) {
            proptest::prop_assert_eq!(super::may_decode(&s), super::may_decode_bytewise(&s), "{:?}", s);
        }
    }

    use proptest::strategy::Strategy;

    /// Pieces of the texts each reading is made for, and plain ones, for [`may_hold`]'s property.
    const PIECES: &[&str] = &[
        "SECRET",
        "night",
        "jar",
        " ",
        "  ",
        ".",
        ",",
        ":",
        ";",
        "'",
        "\"",
        "(",
        ")",
        "-",
        "_",
        "*",
        "`",
        "~",
        "^",
        "$",
        "#",
        "!",
        "?",
        "/",
        "<",
        ">",
        "@",
        "0",
        "42",
        "10.1.2.3",
        "\n",
        "&#84;",
        "&lt;b&gt;",
        "%54",
        "%2e",
        "\\u0054",
        "\\x41",
        "=54",
        "=\r\n",
        "+AEMAUgBF-",
        "+",
        "|0a 14 1e 28|",
        "|",
        "{",
        "}",
        "${x}",
        "<b>",
        "</b>",
        "<span hidden>x</span>",
        "[b]",
        "[/b]",
        "[x](y)",
        "[",
        "]",
        "N^I^G",
        "'A'+'B'",
        "\"a\"\".\"\"b\"",
        "a''b",
        "U0VDUkVU",
        "534543524554",
        "VEVTVA==",
        "data:text/plain;base64,U0VD",
        "data:,x",
        "ⓐ",
        "\u{202E}",
        "\u{2066}",
        "é",
        "Ｓ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// [`may_hold`] is what lets a text go unread by every reading: where it says no, no
        /// reading is made and nothing is held as unread (a text it passes is read as written
        /// only). Any text, texts of printable ASCII, and texts of the pieces readings are made
        /// of among plain words.
        #[test]
        fn a_text_may_hold_says_no_to_has_no_reading(
            s in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "[ -~]{0,40}".prop_map(String::from),
                proptest::collection::vec(proptest::sample::select(PIECES), 0..12).prop_map(|v| v.concat()),
            ]
        ) {
            if !may_hold(&s) {
                let (readings, unread) = readings_unread(&s);
                proptest::prop_assert!(readings.is_empty(), "{:?}: {:?}", s, readings);
                proptest::prop_assert_eq!(unread, None, "{:?}", s);
            }
        }
    }
}
