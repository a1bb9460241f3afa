//! E-mail addresses in (normalised) text: a local part, `@`, and a domain of at least two labels
//! whose last is a top-level domain (letters, any script, or `xn--` punycode), or a domain
//! literal `[10.1.2.3]` / `[IPv6:…]`. Internationalised addresses (`josé@bücher.example`,
//! `ops@corp。example` once normalised) are found; file names such as `logo@2x.png` are not (a
//! domain of one label and a file extension that is not a top-level domain, or the `@2x`
//! resolution suffix). A quoted local part (`"alice smith"@corp.example`) is one. Defanged writing (`bob[at]corp[.]example`) is read through
//! [`refang`](super::addr::refang).

use std::ops::Range;

use super::addr::{parse_ip, refang, refang_joined};

/// File extensions that are not delegated top-level domains: after `@`, they make a file name.
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "pdf", "txt", "csv", "json",
    "xml", "htm", "html", "js", "css", "exe", "dll", "so", "bin", "dat", "log", "ini", "cfg", "yml", "yaml", "gz",
    "tgz", "rar", "7z", "tar", "iso", "img", "mp3", "mp4", "avi", "wav", "webm", "ps1", "bat", "sh", "py", "rb", "doc",
    "docx", "xls", "xlsx", "ppt", "pptx",
];

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '!' | '#' | '$' | '&' | '*' | '^' | '~')
}

fn is_label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Byte spans of `text` (normalised) that are e-mail addresses.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    // Every address holds an `@` in some reading: written, encoded, bracketed, or ` at ` before
    // a spelt-out dot.
    let spelt_at = || text.contains(" at ") && ["dot", "[.]", "(.)", "{.}"].iter().any(|d| text.contains(d));
    if !text.contains('@')
        && !text.contains("%40")
        && !text.contains("at]")
        && !text.contains("at)")
        && !text.contains("at}")
        && !text.contains("at>")
        && !text.contains("(a)")
        && !text.contains("_at_")
        && !text.contains("\u{30A2}\u{30C3}\u{30C8}")
        && !spelt_at()
    {
        return Vec::new();
    }
    // Read as refanged, with the spaces around an `@` taken out (`j.smith @ example.net`), and
    // also joined across spaces (`bob (at) corp (dot) example`).
    let mut out = find_in(text, refang(text), true);
    if let Some(tight) = tight_at(text) {
        out.extend(find_in(text, Some(tight), false));
        out = super::merge_spans(out);
    }
    if let Some(joined) = refang_joined(text) {
        out.extend(find_in(text, Some(joined), false));
        return super::merge_spans(out);
    }
    out
}

/// `text` with the spaces either side of each `@` taken out (`j.smith @ example.net` is
/// `j.smith@example.net`), and for each byte the range of `text` it came from; `None` when no
/// `@` has a space beside it.
fn tight_at(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    let b = text.as_bytes();
    let spaced = |k: usize| b.get(k).is_some_and(|&c| c == b' ');
    if !text
        .match_indices('@')
        .any(|(k, _)| spaced(k.wrapping_sub(1)) || spaced(k + 1))
    {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c == ' ' {
            // A space run is dropped when it touches an `@` (the normal form has single spaces).
            let next_at = b.get(i + 1) == Some(&b'@');
            let prev_at = i.checked_sub(1).and_then(|k| b.get(k)) == Some(&b'@');
            if next_at || prev_at {
                continue;
            }
        }
        out.push(c);
        map.extend(std::iter::repeat_n(i..i + c.len_utf8(), c.len_utf8()));
    }
    Some((out, map))
}

/// The addresses of one reading of `text` (its refanged form and map back; `None`: `text`
/// itself), as spans of `text`.
fn find_in(text: &str, reading: Option<(String, Vec<Range<usize>>)>, one_label: bool) -> Vec<(usize, usize)> {
    let (t, map): (&str, Option<&Vec<Range<usize>>>) = match &reading {
        Some((t, m)) => (t.as_str(), Some(m)),
        None => (text, None),
    };
    find_plain(t, one_label)
        .into_iter()
        .filter_map(|(a, b)| match map {
            Some(m) => Some((m.get(a)?.start, m.get(b.checked_sub(1)?)?.end)),
            None => Some((a, b)),
        })
        .collect()
}

/// `one_label`: a host of one label counts (`jsmith@localhost`), in the reading where the `@`
/// is glued to both sides as written (with spaces, `meet @ noon` is prose).
fn find_plain(t: &str, one_label: bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at, _) in t.match_indices('@') {
        if out.last().is_some_and(|&(_, e)| at < e) {
            continue;
        }
        // The local part, backwards: a quoted string (`"alice smith"@`, RFC 5322 §3.4.1, up to
        // the 64 bytes RFC 5321 allows) or a run of its characters.
        // `bob@@example.net`: the `@`s before this one are the same sign written twice.
        let before = t.get(..at).unwrap_or_default().trim_end_matches('@');
        let mut start = before.len();
        if let Some(quoted) = before.strip_suffix('"')
            && let Some((open, _)) = quoted.char_indices().rev().take(64).find(|&(_, c)| c == '"')
        {
            start = open;
        } else {
            for (i, c) in before.char_indices().rev() {
                if !is_local_char(c) {
                    break;
                }
                start = i;
            }
        }
        while t.get(start..).is_some_and(|s| s.starts_with('.')) {
            start += 1;
        }
        if start >= before.len() {
            continue;
        }
        let after = t.get(at + 1..).unwrap_or_default();
        // A domain literal.
        if let Some(lit) = after.strip_prefix('[') {
            if let Some(close) = lit.find(']') {
                let inner = lit.get(..close).unwrap_or_default();
                if !parse_ip(inner, true).is_empty() {
                    out.push((start, at + 1 + 1 + close + 1));
                }
            }
            continue;
        }
        // Labels.
        let mut end = at + 1;
        let mut labels: Vec<&str> = Vec::new();
        let mut label_start = end;
        for (i, c) in after.char_indices() {
            let pos = at + 1 + i;
            if is_label_char(c) {
                end = pos + c.len_utf8();
                continue;
            }
            if c == '.' && pos > label_start {
                labels.push(t.get(label_start..pos).unwrap_or_default());
                label_start = pos + 1;
                continue;
            }
            break;
        }
        if end > label_start {
            labels.push(t.get(label_start..end).unwrap_or_default());
        } else {
            // The text ended in a `.` (a sentence): the domain ends before it.
        }
        let Some(tld) = labels.last().copied() else { continue };
        // A host of one label (`jsmith@localhost`, `ops@mailhub`): an intranet mail host, at
        // least three letters and no release tag of a package (`react@latest`).
        if one_label
            && let [host] = labels.as_slice()
            && t.get(..at).is_some_and(|b| !b.ends_with(' '))
            && host.chars().count() >= 3
            && host.chars().all(char::is_alphabetic)
            && ![
                "latest", "next", "beta", "alpha", "canary", "stable", "lts", "dev", "nightly", "main", "master",
            ]
            .contains(host)
        {
            out.push((start, end));
            continue;
        }
        if labels.len() < 2 || labels.iter().any(|l| l.starts_with('-') || l.ends_with('-')) {
            continue;
        }
        let tld_ok = (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)) || tld.starts_with("xn--");
        // A dotted quad without the brackets of a domain literal (`bob@198.51.100.7`).
        let quad = labels.len() == 4
            && labels
                .iter()
                .all(|l| (1..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit()));
        if quad {
            out.push((start, end));
            continue;
        }
        if !tld_ok {
            continue;
        }
        let first = labels.first().copied().unwrap_or_default();
        let resolution = first
            .strip_suffix('x')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if labels.len() == 2 && (FILE_EXTENSIONS.contains(&tld) || resolution) {
            continue;
        }
        out.push((start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Red team R04: spaces around the `@`, a doubled `@`, a dotted quad without brackets.
    #[test]
    fn finds_spaced_doubled_and_bare_ip_addresses() {
        assert_eq!(hits("write j.smith @ example.net now"), ["j.smith @ example.net"]);
        assert_eq!(hits("j.smith@ example.net"), ["j.smith@ example.net"]);
        assert_eq!(hits("bob @example.net"), ["bob @example.net"]);
        assert_eq!(hits("mail bob@198.51.100.7"), ["bob@198.51.100.7"]);
        assert_eq!(hits("bob@@example.net"), ["bob@@example.net"]);
        for s in ["alice @ home", "meet @ 10", "v1.2@3.4", "a @ b", "x@1.2.3"] {
            assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
        }
    }
    use crate::text::normalize;

    fn hits(s: &str) -> Vec<String> {
        let n = normalize(s);
        find(&n.text)
            .into_iter()
            .map(|(a, b)| {
                let (a, b) = n.original(a, b).unwrap();
                s[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn finds_every_writing_of_an_address() {
        assert_eq!(
            hits("mail alice.smith@agency.example.gov."),
            ["alice.smith@agency.example.gov"]
        );
        assert_eq!(hits("josé@bücher.example"), ["josé@bücher.example"]);
        assert_eq!(hits("ops@corp\u{3002}example"), ["ops@corp\u{3002}example"]);
        assert_eq!(hits("mailto:ops@corp.example?subject=x"), ["ops@corp.example"]);
        assert_eq!(
            hits("user@[10.1.2.3] or u@[IPv6:fd00::1]"),
            ["user@[10.1.2.3]", "u@[IPv6:fd00::1]"]
        );
        assert_eq!(
            hits("ＡＬＩＣＥ＠Ｅｘａｍｐｌｅ．ＣＯＭ"),
            ["ＡＬＩＣＥ＠Ｅｘａｍｐｌｅ．ＣＯＭ"]
        );
        assert_eq!(hits("bob[at]corp[.]example"), ["bob[at]corp[.]example"]);
        assert_eq!(hits("a@xn--bcher-kva.xn--tckwe"), ["a@xn--bcher-kva.xn--tckwe"]);
    }

    #[test]
    fn finds_quoted_encoded_and_spelt_out_addresses() {
        assert_eq!(
            hits("to \"alice smith\"@agency.example.gov now"),
            ["\"alice smith\"@agency.example.gov"]
        );
        assert_eq!(
            hits("mailto:alice%40agency.example.gov"),
            ["alice%40agency.example.gov"]
        );
        assert_eq!(
            hits("alice (at) agency (dot) example (dot) gov"),
            ["alice (at) agency (dot) example (dot) gov"]
        );
        assert_eq!(hits("alice AT agency DOT gov"), ["alice AT agency DOT gov"]);
        // Prose, and a quote too far back to open a local part (RFC 5321: 64 bytes).
        assert!(hits("look at agency.example.gov").is_empty());
        let far = format!("\"{}\"@agency.example.gov", "a".repeat(70));
        assert!(hits(&far).iter().all(|h| !h.starts_with('"')), "{:?}", hits(&far));
    }

    /// Red team SA19, SB21: obfuscated `@` and dots, a host of one label.
    #[test]
    fn finds_obfuscated_addresses_and_one_label_hosts() {
        for s in [
            "j.smith<at>example<dot>net",
            "j.smith(a)example.net",
            "j.smith_at_example.net",
            "j.smith{@}example.net",
            "x@localhost",
            "jsmith@mailhub",
        ] {
            assert!(!hits(s).is_empty(), "{s}");
        }
        assert!(hits("meet @ noon").is_empty());
    }

    #[test]
    fn file_names_are_not_addresses() {
        for s in [
            "logo@2x.png",
            "icon@3x.webp",
            "a@b",
            "v1.2@3.4",
            "react@latest",
            "@home",
            "user@.example",
        ] {
            assert!(hits(s).is_empty(), "{s}");
        }
    }
}
