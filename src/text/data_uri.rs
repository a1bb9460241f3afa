//! The payload of a `data:` URI (RFC 2397; the WHATWG fetch "data: URL processor"), read as the
//! text a browser shows for it: `data:text/plain;base64,T3Bl…` is that text. One of the escapes
//! [`super::escape`] decodes, so every rule reads the payload as it reads the rest of the string.
//!
//! ```text
//! dataurl   := "data:" [ mediatype ] [ ";base64" ] "," data      (RFC 2397 §3)
//! mediatype := [ type "/" subtype ] *( ";" parameter )
//! ```
//!
//! Read leniently, as a reader that wants to show something would: the base64 alphabet with the
//! URL-safe `-` `_` too, padding optional, white space and percent-encoding inside the payload
//! passed over, and the longest decodable prefix read when the rest is not base64. The bytes are
//! text in the declared UTF-16 (or by their byte-order mark), else in the charset named, decoded
//! as a browser decodes it (`encoding_rs`; `latin1`, `us-ascii` and `iso-8859-1` are
//! Windows-1252 to a browser), else UTF-8. With no charset named a browser reads Windows-1252
//! or guesses: UTF-8 that is not ASCII is read both as UTF-8 and as Windows-1252 (`%C3%8A` is
//! `Ê`, and `ÃŠ`), and bytes of no UTF-8 are read as Latin-1 but are no text a rule can know
//! (`%D0` is `Ð` in Windows-1252, `Р` in Windows-1251): the string is held. A payload of which
//! more than a third of the bytes are no UTF-8 (binary: an image) has those bytes read as spaces,
//! so its runs of text still read apart. The reading is at most a few times the URI: a byte is
//! three bytes of UTF-8 at most in any charset, read twice at most (UTF-8 and Windows-1252), for
//! the four characters of base64 that write three bytes; a payload folded by white space is read
//! twice (to the first white space, and whole), so at most twice that. Nothing is dropped to fit (a padded payload could
//! otherwise push a canary out of its reading).
//!
//! White space inside the scheme and the header is read as a browser reads it (it strips tabs
//! and line breaks from a URL: `da<TAB>ta:`, `text/pl<TAB>ain;base<LF>64`; `data :` is read too).
//! A payload that is no text (a media type no rule reads: compressed, an archive, binary, a
//! raster image; or bytes its charset does not decode, or that hold control characters) is
//! still read as above, and says so ([`Uri::unread`]): the string that holds it is held.

// The header (media type and parameters) is read whatever its length, as a browser reads it:
// the search for its `,` stops at the first byte no header holds, `:` among them, so it never
// runs past the next `data:`, and each byte of the text is searched once.

/// Whether `s` writes `data:` anywhere (ASCII case-insensitive, white space inside it passed
/// over: [`scheme_end`]).
pub fn may_hold(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr2_iter(b'd', b'D', b).any(|k| scheme_end(b, k).is_some())
}

/// A `data:` URI [`at`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// Its payload read as text, with a space either side (it stands apart from the text around
    /// it, as a document shown on its own does); a space when its payload holds nothing.
    pub text: String,
    /// Where the URI ends in the text it was found in.
    pub end: usize,
    /// Why its payload is no text any rule reads, when it is not ([`unread`]).
    pub unread: Option<String>,
}

/// The `data:` URI at `i` of `s`, if one starts there: its payload read as text, where the URI
/// ends, and whether the payload is text at all. `None` when no URI starts at `i`.
pub fn at(s: &str, i: usize) -> Option<Uri> {
    let b = s.as_bytes();
    let head_start = scheme_end(b, i)?;
    // The header runs to the `,`; a byte no media type holds (`:` among them, so that the next
    // `data:` ends a search) means this is no URI.
    let comma = b
        .get(head_start..)?
        .iter()
        .position(|&c| c == b',' || !is_header_byte(c))
        .filter(|&k| b.get(head_start + k) == Some(&b','))?;
    // A browser strips tabs and line breaks from a URL before it reads it (WHATWG URL: "remove
    // all ASCII tab or newline"): `text/pl<TAB>ain;base<LF>64` is `text/plain;base64`.
    let header: String = s
        .get(head_start..head_start + comma)?
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let body_start = head_start + comma + 1;
    let params: Vec<&str> = header.split(';').map(|p| p.trim_matches(is_space)).collect();
    let base64 = params.last().is_some_and(|p| p.eq_ignore_ascii_case("base64"));
    let mut body_len = b
        .get(body_start..)?
        .iter()
        .position(|&c| ends_body(c))
        .unwrap_or(b.len() - body_start);
    // A base64 payload goes on past white space (forgiving-base64 drops it: `T3Bl cmF0`,
    // a payload folded over lines) while base64 follows it; what follows the payload is read
    // as written too. The payload to the first white space is read on its own as well: the
    // words after a URI are no part of it, and decoded with it would glue to its text.
    let first_len = body_len;
    if base64 {
        loop {
            let gap = b
                .get(body_start + body_len..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
            let next = body_start + body_len + gap;
            let more = b
                .get(next..)
                .unwrap_or_default()
                .iter()
                .position(|&c| ends_body(c))
                .unwrap_or(b.len() - next);
            // Only a chunk all of base64 goes on with the payload: the next URI (`data:`) or a
            // word of prose ends it, so no chunk is read for two URIs (linear in `s`).
            let chunk = b.get(next..next + more).unwrap_or_default();
            if gap == 0 || chunk.is_empty() || !chunk.iter().all(|&c| sextet(c).is_some() || c == b'=' || c == b'%') {
                break;
            }
            body_len += gap + more;
        }
    }
    let body = b.get(body_start..body_start + body_len)?;
    let charset = params.iter().find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
    });
    let bytes_of = |body: &[u8]| {
        let bytes = percent_decode(body);
        if base64 { base64_prefix(&bytes) } else { bytes }
    };
    let bytes = bytes_of(body);
    let (mut text, clean) = as_text(&bytes, charset.as_deref());
    let media = params.first().map(|m| m.to_ascii_lowercase()).unwrap_or_default();
    let unread = unread(&media, charset.as_deref(), &bytes, clean);
    if body_len > first_len {
        // Apart, by a `|` no number, address, name or directory name runs across.
        let (first, _) = as_text(
            &bytes_of(b.get(body_start..body_start + first_len)?),
            charset.as_deref(),
        );
        if first != text {
            text = format!("{first} | {text}");
        }
    }
    let end = body_start + body_len;
    // A payload that holds nothing reads as a space: the URI is read, and what it covers is not
    // read again for a URI of its own.
    if text.trim().is_empty() {
        return Some(Uri {
            text: " ".to_string(),
            end,
            unread,
        });
    }
    Some(Uri {
        text: format!(" {text} "),
        end,
        unread,
    })
}

/// Where the scheme `data:` that starts at `i` of `b` ends (past its `:`): its letters in any
/// case, with white space passed over between them and before the `:` (a browser strips tabs
/// and line breaks from a URL: `da<TAB>ta:` is `data:`; `data :` is read too, as a reader that
/// wants to show something would). Linear over a text: each byte of white space follows one
/// letter, which one start alone can have matched.
fn scheme_end(b: &[u8], i: usize) -> Option<usize> {
    let mut k = i;
    for (n, want) in b"data:".iter().enumerate() {
        if n > 0 {
            k += b.get(k..)?.iter().take_while(|&&c| is_space(char::from(c))).count();
        }
        if !b.get(k)?.eq_ignore_ascii_case(want) {
            return None;
        }
        k += 1;
    }
    Some(k)
}

/// White space a browser strips from a URL or trims from a media type's parts.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

/// Media types whose payload is text a rule can read: `text/*`, JSON, XML (SVG and XHTML
/// among them: `+xml`), JavaScript; and none at all, or one that is no `type/subtype`, which a
/// browser reads as `text/plain` (the WHATWG fetch "data: URL processor"). Any other
/// (compressed: `application/gzip`, `application/zip`; `application/octet-stream`; images,
/// audio, video, fonts, PDF) is bytes no rule reads.
fn text_media(media: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|c| is_header_byte(c) && !matches!(c, b'/' | b';' | b'=' | b'"' | b' ' | b'\t'))
    };
    let Some((ty, sub)) = media.split_once('/').filter(|(t, s)| token(t) && token(s)) else {
        return true;
    };
    ty == "text"
        || sub.ends_with("+xml")
        || sub.ends_with("+json")
        || (ty == "application" && matches!(sub, "json" | "xml" | "javascript" | "ecmascript" | "x-javascript"))
}

/// Why a payload of `media` in `charset` whose bytes are `bytes` (`clean`: read as text
/// without a byte its charset does not decode, and without a control character) is no text
/// any rule reads: a media type that is not text ([`text_media`]), or bytes that are not text
/// in its charset. `None` when it is text, or holds nothing.
fn unread(media: &str, charset: Option<&str>, bytes: &[u8], clean: bool) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let shown: String = media.chars().take(60).collect();
    if !text_media(media) {
        return Some(format!(
            "a `data:` URI of `{shown}`: its payload is no text (compressed, an archive, an image, binary) that any rule reads"
        ));
    }
    (!clean).then(|| {
        format!(
            "a `data:` URI of `{}` whose payload is no text in {}: bytes (compressed or binary) no rule reads",
            if shown.is_empty() { "text/plain" } else { &shown },
            charset.map_or_else(
                || "UTF-8, no charset named (a browser guesses one for bytes of no UTF-8)".to_string(),
                |c| format!("`{}`", c.chars().take(40).collect::<String>())
            )
        )
    })
}

/// A byte a media type and its parameters may hold (RFC 2045 tokens, `/`, `;`, `=`, quotes, a
/// percent escape, spaces around the parameters).
fn is_header_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'!' | b'#'
                | b'$'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
                | b'/'
                | b';'
                | b'='
                | b'"'
                | b'%'
                | b' '
                | b'\t'
                | b'\n'
                | b'\r'
                | b'\x0C'
        )
}

/// Whether `c` ends the payload of a URI written in text: white space, a quote, an angle
/// bracket, a control character.
fn ends_body(c: u8) -> bool {
    c.is_ascii_whitespace() || c.is_ascii_control() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`')
}

/// `%HH` decoded, every other byte as it is.
fn percent_decode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut k = 0;
    while let Some(&c) = body.get(k) {
        let hex = body
            .get(k + 1..k + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (c, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                k += 3;
            }
            _ => {
                out.push(c);
                k += 1;
            }
        }
    }
    out
}

/// The value of one base64 character (the URL-safe `-` and `_` too).
fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// The bytes of the longest base64 prefix of `data` (white space passed over; padding, or any
/// other byte, ends it; a last group of two or three characters is one or two bytes).
fn base64_prefix(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut n = 0u32;
    for &c in data {
        if c.is_ascii_whitespace() {
            continue;
        }
        let Some(v) = sextet(c) else { break };
        acc = (acc << 6) | v;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            acc = 0;
            n = 0;
        }
    }
    // The bytes of a partial group, its bits aligned as if padded.
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => {
            let v = acc >> 2;
            out.push((v >> 8) as u8);
            out.push(v as u8);
        }
        _ => {}
    }
    out
}

/// `bytes` as text (see the module comment), and whether they are text in their charset: none
/// it cannot decode (a byte of no UTF-8 is text when Windows-1252, which a browser reads for
/// Latin-1, has a character for it), and no control character but tab, line feed, carriage
/// return and form feed; a payload that reads as binary (more than a third of its bytes no
/// UTF-8, no charset named) is not.
fn as_text(bytes: &[u8], charset: Option<&str>) -> (String, bool) {
    let utf16 = |little: bool, from: usize| -> (String, bool) {
        let units = bytes.get(from..).unwrap_or_default().chunks_exact(2).map(|p| match p {
            [a, b] if little => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        let mut clean = true;
        let text: String = char::decode_utf16(units)
            .map(|c| {
                clean &= c.is_ok();
                c.unwrap_or(' ')
            })
            .collect();
        let clean = clean && shows_as_text(&text);
        (text, clean)
    };
    match (bytes, charset) {
        ([0xFF, 0xFE, ..], _) => utf16(true, 2),
        ([0xFE, 0xFF, ..], _) => utf16(false, 2),
        (_, Some("utf-16" | "utf-16le" | "utf16" | "ucs-2" | "unicode")) => utf16(true, 0),
        (_, Some("utf-16be" | "unicodefffe")) => utf16(false, 0),
        // Any other charset a browser decodes (WHATWG Encoding: Shift_JIS, EUC-JP,
        // ISO-2022-JP, GB18030, Big5, EUC-KR, the single-byte ones), decoded as it does; bytes
        // it cannot decode are spaces. UTF-8 and the Latin-1 labels are read below.
        (_, Some(label))
            if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes())
                && enc != encoding_rs::UTF_8
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE =>
        {
            let (text, errors) = enc.decode_without_bom_handling(bytes);
            let clean = !errors && shows_as_text(&text);
            (text.replace('\u{FFFD}', " "), clean)
        }
        _ => {
            let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            let invalid: usize = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
            // No charset named: a browser reads the bytes as Windows-1252 (what the `US-ASCII`
            // a `data:` URI means by default is to the WHATWG Encoding standard), or in a
            // charset it guesses. UTF-8 that Windows-1252 shows as other letters (`%C3%8A` is
            // `Ê`, and `ÃŠ` there) is read both ways; bytes of no UTF-8 are read in no charset
            // a rule can know (`%D0` is `Ð` in Windows-1252, `Р` in Windows-1251): not text.
            // The two readings stand apart, by a `|` no number, address or name runs across.
            if charset.is_none() && invalid == 0 && !bytes.is_ascii() {
                let (shown, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                if let Ok(utf8) = std::str::from_utf8(bytes) {
                    let clean = shows_as_text(utf8) && shows_as_text(&shown);
                    return (format!("{utf8} | {shown}"), clean);
                }
            }
            // Text has few bytes that are no UTF-8 (a Latin-1 letter here and there); binary has
            // many. At most a third: each is one more byte, so the reading stays within the four
            // characters base64 writes for three bytes.
            let binary = invalid.saturating_mul(3) > bytes.len();
            let mut clean = !(invalid > 0 && charset.is_none());
            let mut text = String::with_capacity(bytes.len() + invalid);
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                clean &= shows_as_text(chunk.valid());
                // Windows-1252 has no character for 0x81, 0x8D, 0x8F, 0x90, 0x9D.
                clean &= chunk
                    .invalid()
                    .iter()
                    .all(|&x| x >= 0x80 && !matches!(x, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D));
                text.extend(
                    chunk
                        .invalid()
                        .iter()
                        .map(|&x| if binary { ' ' } else { char::from(x) }),
                );
            }
            (text, clean)
        }
    }
}

/// Whether `t` holds no control character but tab, line feed, carriage return and form feed,
/// and no U+FFFD (a byte its charset could not decode).
fn shows_as_text(t: &str) -> bool {
    !t.chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C')) || c == '\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::at;

    fn payload(s: &str) -> Option<String> {
        at(s, 0).map(|u| u.text.trim().to_string())
    }

    //--- case
    #[test]
    fn reads_base64_and_percent_payloads_of_any_media_type() {
        for (s, want) in [
            (
                "data:text/plain;base64,T3BlcmF0aW9uIE5JR0hUSkFSIGF0IGhvc3QuY29ycC5leGFtcGxlIDEwLjIwLjMwLjQw",
                "Operation NIGHTJAR at host.corp.example 10.20.30.40",
            ),
            ("data:;base64,T3BlcmF0aW9u", "Operation"),
            ("DATA:application/octet-stream;BASE64,T3BlcmF0aW9u", "Operation"),
            ("data:text/plain ; charset=utf-8 ; base64,T3BlcmF0aW9u", "Operation"),
            ("data:,Operation%20NIGHTJAR", "Operation NIGHTJAR"),
            ("data:text/html,%3Cb%3ENIGHTJAR%3C/b%3E", "<b>NIGHTJAR</b>"),
            // Unpadded, URL-safe, percent-encoded padding, a stray tail.
            ("data:;base64,T3BlcmF0aW9uIE4", "Operation N"),
            ("data:;base64,T3Bl%3D%3D", "Ope"),
            ("data:;base64,T3BlcmF0aW9u!!!", "Operation"),
            // Latin-1 and UTF-16.
            ("data:;base64,T3DpcmF0aW9u", "Op\u{E9}ration"),
            ("data:,Op%E9ration", "Op\u{E9}ration"),
            ("data:text/plain;charset=utf-16le;base64,TwBwAA==", "Op"),
            ("data:;base64,//5PAHAA", "Op"),
            ("data:;base64,/v8ATwBw", "Op"),
            // Legacy charsets a browser decodes: Shift_JIS, EUC-JP, ISO-2022-JP.
            ("data:text/plain;charset=shift_jis,%82%60", "\u{FF21}"),
            ("data:text/plain;charset=euc-jp,%A3%C1", "\u{FF21}"),
            ("data:text/plain;charset=iso-2022-jp,%1B$B#A%1B(B", "\u{FF21}"),
            // Base64 split by white space, and a header longer than 256 bytes.
            ("data:;base64,T3Bl cmF0\naW9u", "Ope | Operation"),
        ] {
            assert_eq!(payload(s).as_deref(), Some(want), "{s}");
        }
    }

    #[test]
    fn ends_where_the_uri_ends_and_reads_nothing_else_as_one() {
        let s = "see data:,abc and more";
        let u = at(s, 4).unwrap();
        assert_eq!((u.text.as_str(), u.end, u.unread), (" abc ", 13, None));
        for s in ["data:", "data:text/plain", "metadata"] {
            assert_eq!(payload(s), None, "{s}");
        }
        // A URI whose payload holds nothing reads as a space (trimmed here).
        for s in ["data: the report, in short", "data:;base64,"] {
            assert_eq!(payload(s).as_deref(), Some(""), "{s}");
        }
    }

    #[test]
    fn reads_binary_as_its_ascii_runs_and_never_grows() {
        // A PNG header and random bytes: the reading is no longer than the URI.
        use base64::Engine;
        let bin: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let s = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bin)
        );
        let super::Uri { text: t, end, .. } = at(&s, 0).unwrap();
        assert_eq!(end, s.len());
        assert!(t.len() <= s.len(), "{} > {}", t.len(), s.len());
        assert!(t.contains("ABCDEFG"));
    }

    #[test]
    fn reads_white_space_in_the_scheme_and_header_as_a_browser_strips_it() {
        for s in [
            "da\tta:text/plain;base64,T3BlcmF0aW9u",
            "d\ra\tt\na:text/plain;base64,T3BlcmF0aW9u",
            "data\t:text/plain;base64,T3BlcmF0aW9u",
            "data :text/plain;base64,T3BlcmF0aW9u",
            "data:text/pl\tain;base\n64,T3BlcmF0aW9u",
            "data:text/plain;base64\r\n,T3BlcmF0aW9u",
        ] {
            assert_eq!(payload(s).as_deref(), Some("Operation"), "{s:?}");
            assert!(super::may_hold(s), "{s:?}");
        }
        for s in ["da ta", "d-ata:", "dat a;", "metadata"] {
            assert!(!super::may_hold(s), "{s:?}");
        }
    }

    #[test]
    fn a_payload_that_is_no_text_is_unread_and_text_is_read() {
        let unread = |s: &str| at(s, 0).and_then(|u| u.unread);
        // gzip of `TLP:RED`: under a binary media type, and under a text one (bytes no text).
        for s in [
            "data:application/gzip;base64,H4sIAAAAAAACAwvxCbAKcnUBANTLbgYHAAAA",
            "data:application/octet-stream;base64,VExQOlJFRA==",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:text/plain;base64,H4sIAAAAAAACAwvxCbAKcnUBANTLbgYHAAAA",
            "data:;base64,C/EJsApydQEA",
            "data:,%00%01",
            "data:text/plain;charset=utf-16le;base64,ANhBAA==",
            "data:text/plain;charset=shift_jis,%82",
            // No charset named and bytes of no UTF-8: a browser reads them in a charset it
            // guesses (`%D0` is `Ð` in Windows-1252, `Р` in Windows-1251).
            "data:,Op%E9ration%20%93quoted%94",
            "data:text/plain,T%4C%D0:RED",
            "data:text/plain;charset=latin1,%81",
        ] {
            assert!(unread(s).is_some(), "{s}");
        }
        assert!(
            unread("data:application/gzip;base64,H4sI")
                .unwrap()
                .contains("`application/gzip`")
        );
        for s in [
            "data:text/plain;base64,T3BlcmF0aW9u",
            "data:text/plain;charset=windows-1252,Op%E9ration%20%93quoted%94",
            "data:text/plain;charset=latin1,caf%E9",
            "data:,caf%C3%A9",
            "data:image/svg+xml,%3Csvg%3E%3C/svg%3E",
            "data:application/json,%7B%7D",
            "data:foo,bar",
            "data:image/png;base64,",
            "data:application/gzip,",
            "data:text/plain;charset=utf-16le;base64,TwBwAA==",
            "data:text/plain;charset=shift_jis,%82%60",
        ] {
            assert_eq!(unread(s), None, "{s}");
        }
    }
}
