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
//! text in the declared UTF-16 (or by their byte-order mark), else UTF-8 where they are valid
//! and Latin-1 where they are not (a Latin-1 `é` is `é`), or in any other charset the WHATWG
//! Encoding standard names, decoded as a browser decodes it (`encoding_rs`); a payload of which more than a third of
//! the bytes are no UTF-8 (binary: an image) has those bytes read as spaces, so its runs of
//! text still read apart. The reading is never longer than the URI (base64 is three bytes for
//! four characters, a percent escape one byte for three, and a Latin-1 byte two bytes at most
//! for one in three), except in UTF-16: three bytes of UTF-8 for two bytes base64 writes in 8/3
//! characters, at most 9/8 of the URI, and in a legacy charset, where a one-byte half-width kana
//! is three bytes of UTF-8 (at most 9/4 of the URI); a payload folded by white space is read
//! twice (to the first white space, and whole), so at most twice that. Nothing is dropped to fit (a padded payload could
//! otherwise push a canary out of its reading).

// The header (media type and parameters) is read whatever its length, as a browser reads it:
// the search for its `,` stops at the first byte no header holds, `:` among them, so it never
// runs past the next `data:`, and each byte of the text is searched once.

/// Whether `s` writes `data:` anywhere (ASCII case-insensitive).
pub fn may_hold(s: &str) -> bool {
    s.as_bytes().windows(5).any(|w| w.eq_ignore_ascii_case(b"data:"))
}

/// The `data:` URI at `i` of `s`, if one starts there: its payload read as text, with a space
/// either side (it stands apart from the text around it, as a document shown on its own does),
/// and where the URI ends (a space when its payload holds nothing). `None` when no URI starts at
/// `i`.
pub fn at(s: &str, i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if !b.get(i..i + 5)?.eq_ignore_ascii_case(b"data:") {
        return None;
    }
    let head_start = i + 5;
    // The header runs to the `,`; a byte no media type holds (`:` among them, so that the next
    // `data:` ends a search) means this is no URI.
    let comma = b
        .get(head_start..)?
        .iter()
        .position(|&c| c == b',' || !is_header_byte(c))
        .filter(|&k| b.get(head_start + k) == Some(&b','))?;
    let header = s.get(head_start..head_start + comma)?;
    let body_start = head_start + comma + 1;
    let params: Vec<&str> = header.split(';').map(str::trim).collect();
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
    let read = |body: &[u8]| {
        let bytes = percent_decode(body);
        let bytes = if base64 { base64_prefix(&bytes) } else { bytes };
        as_text(&bytes, charset.as_deref())
    };
    let mut text = read(body);
    if body_len > first_len {
        // Apart, by a `|` no number, address, name or directory name runs across.
        let first = read(b.get(body_start..body_start + first_len)?);
        if first != text {
            text = format!("{first} | {text}");
        }
    }
    // A payload that holds nothing reads as a space: the URI is read, and what it covers is not
    // read again for a URI of its own.
    if text.trim().is_empty() {
        return Some((" ".to_string(), body_start + body_len));
    }
    Some((format!(" {text} "), body_start + body_len))
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

/// `bytes` as text (see the module comment).
fn as_text(bytes: &[u8], charset: Option<&str>) -> String {
    let utf16 = |little: bool, from: usize| -> String {
        let units = bytes.get(from..).unwrap_or_default().chunks_exact(2).map(|p| match p {
            [a, b] if little => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        char::decode_utf16(units).map(|c| c.unwrap_or(' ')).collect()
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
                && enc != encoding_rs::WINDOWS_1252
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE =>
        {
            let (text, _) = enc.decode_without_bom_handling(bytes);
            text.replace('\u{FFFD}', " ")
        }
        _ => {
            let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            let invalid: usize = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
            // Text has few bytes that are no UTF-8 (a Latin-1 letter here and there); binary has
            // many. At most a third: each is one more byte, so the reading stays within the four
            // characters base64 writes for three bytes.
            let binary = invalid.saturating_mul(3) > bytes.len();
            let mut text = String::with_capacity(bytes.len() + invalid);
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                text.extend(
                    chunk
                        .invalid()
                        .iter()
                        .map(|&x| if binary { ' ' } else { char::from(x) }),
                );
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::at;

    fn payload(s: &str) -> Option<String> {
        at(s, 0).map(|(t, _)| t.trim().to_string())
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
        assert_eq!(at(s, 4), Some((" abc ".to_string(), 13)));
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
        let (t, end) = at(&s, 0).unwrap();
        assert_eq!(end, s.len());
        assert!(t.len() <= s.len(), "{} > {}", t.len(), s.len());
        assert!(t.contains("ABCDEFG"));
    }
}
