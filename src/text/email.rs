//! E-mail addresses in (normalised) text: a local part, `@`, and a domain of at least two labels
//! whose last is a top-level domain (letters, any script, or `xn--` punycode), or a domain
//! literal `[10.1.2.3]` / `[IPv6:…]`. Internationalised addresses (`josé@bücher.example`,
//! `ops@corp。example` once normalised) are found; file names such as `logo@2x.png` are not (a
//! domain of one label and a file extension that is not a top-level domain, or the `@2x`
//! resolution suffix). A quoted local part (`"alice smith"@corp.example`) is one. Defanged writing (`bob[at]corp[.]example`) is read through
//! [`refang`](super::addr::refang).

use std::ops::Range;

use super::addr::{parse_ip, refang, refang_joined, refang_words};

/// The longest domain literal looked for after `@[`: `IPv6:` and an IPv6 address written in
/// full with an embedded IPv4 address (45) and a zone, with room to spare.
const LITERAL_MAX: usize = 128;

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '!' | '#' | '$' | '&' | '*' | '^' | '~')
}

fn is_label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// A reading of a text: the text read otherwise, and for each of its bytes the byte range of
/// the text it came from.
type Reading = (String, Vec<Range<usize>>);

/// Byte spans of `text` (normalised) that are e-mail addresses.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    if !may_hold_at(text) {
        return Vec::new();
    }
    // Read as refanged (a host of one label counts there only), and also joined across spaces
    // (`bob (at) corp (dot) example`); each of the two also with the e-mail writings of
    // [`refang_words`]: the spaces around an `@` taken out (`j.smith @ example.net`, `alice @
    // example . com`), the word `at` between dots, dashes or underscores read as `@`
    // (`alice.at.example.com`, `alice[.]at[.]example[.]com`). One reading at a time, each
    // dropped before the next is made.
    let mut out = find_in(text, refang(text).as_ref(), true);
    let joins = super::addr::joins(text);
    if joins {
        out.extend(find_in(text, refang_joined(text).as_ref(), false));
    }
    let modes: &[bool] = if joins { &[false, true] } else { &[false] };
    for &join in modes {
        out.extend(find_in(text, refang_words(text, join).as_ref(), false));
    }
    super::merge_spans(out)
}

/// Whether `text` may hold an address: every address holds an `@` in some reading (written,
/// encoded, bracketed, ` at ` before a dot (spelt out or not), or the word `at` between dots, dashes or
/// underscores). One pass over the `at`s of the text for what the writings with `at` need
/// ([`may_hold_at_by_phrases`], in the tests, asks each phrase of the text in turn).
fn may_hold_at(text: &str) -> bool {
    if text.contains('@') || text.contains("%40") || text.contains("(a)") || text.contains("\u{30A2}\u{30C3}\u{30C8}") {
        return true;
    }
    let b = text.as_bytes();
    // `at` and the byte after it: `]`, `)`, `}`, `>` (bracketed), `.`, `-`, `_`, `[`, `(`, `{`
    // (the word between dots); and whether ` at ` stands anywhere.
    let mut spaced = false;
    for i in memchr::memmem::find_iter(b, b"at") {
        match b.get(i + 2) {
            Some(b']' | b')' | b'}' | b'>' | b'.' | b'-' | b'_' | b'[' | b'(' | b'{') => return true,
            Some(b' ') if i.checked_sub(1).and_then(|k| b.get(k)) == Some(&b' ') => spaced = true,
            _ => {}
        }
    }
    spaced && (text.contains("dot") || text.contains('.'))
}

/// The addresses of one reading of `text` (its text and, for each byte, the range of `text` it
/// came from; `None`: `text` itself), as spans of `text`.
fn find_in(text: &str, reading: Option<&Reading>, one_label: bool) -> Vec<(usize, usize)> {
    let Some((t, map)) = reading else {
        return find_plain(text, one_label);
    };
    find_plain(t, one_label)
        .into_iter()
        .filter_map(|(a, b)| Some((map.get(a)?.start, map.get(b.checked_sub(1)?)?.end)))
        .collect()
}

/// The longest RFC 5322 comment read around an address, and its deepest nesting.
const COMMENT_MAX: usize = 64;
const COMMENT_DEPTH: usize = 8;

/// Where the comment `(…)` that `s` ends with opens (nested comments counted, up to
/// [`COMMENT_DEPTH`], within [`COMMENT_MAX`] characters); `None` when `s` ends otherwise.
fn comment_before(s: &str) -> Option<usize> {
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in s.char_indices().rev().take(COMMENT_MAX) {
        match c {
            ')' => {
                depth += 1;
                if depth > COMMENT_DEPTH {
                    return None;
                }
            }
            '(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The length in bytes of the comment `(…)` that `s` starts with (see [`comment_before`]).
fn comment_after(s: &str) -> Option<usize> {
    if !s.starts_with('(') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in s.char_indices().take(COMMENT_MAX) {
        match c {
            '(' => {
                depth += 1;
                if depth > COMMENT_DEPTH {
                    return None;
                }
            }
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `one_label`: a host of one label counts (`jsmith@localhost`), in the reading where the `@`
/// is glued to both sides as written (with spaces, `meet @ noon` is prose).
fn find_plain(t: &str, one_label: bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at, _) in t.match_indices('@') {
        // An `@` written twice or more is read at its last (`bob@@example.net`), whose local
        // part passes over the run once: read at each, a run of `@` took quadratic time.
        if out.last().is_some_and(|&(_, e)| at < e) || t.as_bytes().get(at + 1) == Some(&b'@') {
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
            // A run of its characters, and RFC 5322 comments before, inside or after it
            // (`alice(ops)@`, `alice.smith(x)@`, `(x)alice@`), as mail programs read them.
            loop {
                let head = before.get(..start).unwrap_or_default();
                if let Some(open) = comment_before(head) {
                    start = open;
                    continue;
                }
                let run = head
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| is_local_char(c))
                    .last()
                    .map(|(i, _)| i);
                match run {
                    Some(i) => start = i,
                    None => break,
                }
            }
        }
        while t.get(start..).is_some_and(|s| s.starts_with('.')) {
            start += 1;
        }
        if start >= before.len() {
            continue;
        }
        // A comment before the domain (`alice@(ops)agency.example.gov`).
        let domain_at = at + 1 + comment_after(t.get(at + 1..).unwrap_or_default()).unwrap_or(0);
        let after = t.get(domain_at..).unwrap_or_default();
        // A domain literal.
        if let Some(lit) = after.strip_prefix('[') {
            // Within the longest literal (`IPv6:` and a full address with a zone): a `[` after
            // each `@` that never closes was read to the end of the text.
            if let Some(close) = lit.bytes().take(LITERAL_MAX).position(|c| c == b']') {
                let inner = lit.get(..close).unwrap_or_default();
                if !parse_ip(inner, true).is_empty() {
                    out.push((start, domain_at + 1 + close + 1));
                }
            }
            continue;
        }
        // Labels.
        let mut end = domain_at;
        let mut labels: Vec<&str> = Vec::new();
        let mut label_start = end;
        for (i, c) in after.char_indices() {
            let pos = domain_at + i;
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
        if labels.len() == 2 && (super::addr::FILE_EXTENSIONS.contains(&tld) || resolution) {
            continue;
        }
        out.push((start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`may_hold_at`] as it was: each phrase looked for in the whole text in turn.
    fn may_hold_at_by_phrases(text: &str) -> bool {
        let spelt_at = || text.contains(" at ") && ["dot", "[.]", "(.)", "{.}", "."].iter().any(|d| text.contains(d));
        let word_at = || {
            ["at.", "at-", "at_", "at[", "at(", "at{"]
                .iter()
                .any(|w| text.contains(w))
        };
        text.contains('@')
            || text.contains("%40")
            || text.contains("at]")
            || text.contains("at)")
            || text.contains("at}")
            || text.contains("at>")
            || text.contains("(a)")
            || text.contains("\u{30A2}\u{30C3}\u{30C8}")
            || spelt_at()
            || word_at()
    }

    /// Addresses written every way, disguised character by character, among text of the
    /// characters the writings of `@` are made of.
    fn at_texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const WRITTEN: &[&str] = &[
            "alice@example.com",
            "bob [at] corp [dot] example",
            "bob (at) corp (dot) example",
            "j.smith @ example.net",
            "alice.at.example.com",
            "alice-at-example.com",
            "alice_at_example.com",
            "alice[.]at[.]example[.]com",
            "bob at corp dot example",
            "bob at corp {.} example",
            "x<at>y<dot>z",
            "a(a)b.c",
            "a%40b.c",
            "a\u{30A2}\u{30C3}\u{30C8}b.c",
            "a{at}b",
            "what a cat. at the",
            "at",
            " at ",
            "that]",
        ];
        let phrase = prop_oneof![
            proptest::sample::select(WRITTEN).prop_map(str::to_string),
            "[aAtT@%40 .\\-_\\[\\](){}<>dotDOT]{0,12}",
        ];
        (
            "[a-zA-Z .@()\\[\\]{}<>_-]{0,12}",
            phrase,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-zA-Z .@()\\[\\]{}<>_-]{0,12}",
        )
            .prop_map(|(a, m, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&m, &hows)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// The one pass over the `at`s says what each phrase looked for in turn says: on the text
        /// as written, its normal form and decoded, disguised addresses among it.
        #[test]
        fn may_hold_at_is_the_phrases(s in at_texts()) {
            let n = crate::text::normalize(&s).text;
            let decoded = crate::text::normalize_decoded(&s).into_iter().map(|d| d.text);
            for t in [s.clone(), n].into_iter().chain(decoded) {
                proptest::prop_assert_eq!(may_hold_at(&t), may_hold_at_by_phrases(&t), "{:?}", t);
            }
        }
    }

    /// The content tables' canaries and benign neighbours read alike both ways.
    #[test]
    fn may_hold_at_reads_the_content_tables_alike() {
        let canaries = crate::fuzzing::content::KINDS
            .into_iter()
            .flat_map(crate::fuzzing::content::encodings);
        let benign = crate::fuzzing::content::BENIGN.iter().map(|s| (*s).to_string());
        for s in canaries.chain(benign) {
            let n = crate::text::normalize(&s).text;
            for t in [s.clone(), n] {
                assert_eq!(may_hold_at(&t), may_hold_at_by_phrases(&t), "{t:?}");
            }
        }
    }

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

    /// Red team SA19a/b: the word `at` between dots, dashes or underscores, defanged or not, and
    /// a spaced `@` with spaced dots; a host of one label after such an `at` is prose.
    #[test]
    fn finds_word_at_and_spaced_dot_addresses() {
        for (s, hit) in [
            ("contact alice.at.example.com now", "alice.at.example.com"),
            ("contact alice-at-example.com now", "alice-at-example.com"),
            ("contact alice[.]at[.]example[.]com now", "alice[.]at[.]example[.]com"),
            (
                "j.smith-at-mail-dot-example-dot-net",
                "j.smith-at-mail-dot-example-dot-net",
            ),
            ("contact alice @ example . com now", "alice @ example . com"),
            ("contact alice @ example dot com now", "alice @ example dot com"),
            ("contact alice.at.example dot com now", "alice.at.example dot com"),
        ] {
            assert_eq!(hits(s), [hit], "{s}");
        }
        for s in [
            "look.at.this",
            "created_at_ts",
            "updated-at-time",
            "version 1.2.at.3",
            "state-of-the-art",
            "http://example.com/at/x",
        ] {
            assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
        }
    }

    /// Red team SA19a: an `@` drawn as an `a` in a circle or a square, read in the at-sign
    /// readings of [`crate::text::Prepared::at_signs`], and mapped back to the text as written.
    #[test]
    fn finds_addresses_whose_at_sign_is_an_enclosed_a() {
        for at in [
            "\u{24D0}",
            "\u{24B6}",
            "\u{1F130}",
            "\u{1F150}",
            "\u{1F170}",
            "a\u{20DD}",
            " \u{24D0} ",
        ] {
            let s = format!("contact alice{at}example.com now");
            let p = crate::text::Prepared::new(&s);
            assert!(find(&p.normal().text).is_empty(), "{s}");
            let found: Vec<&str> = p
                .at_signs()
                .flat_map(|(t, n)| find(t).into_iter().filter_map(|(a, b)| n.original(a, b)))
                .map(|(a, b)| &s[a..b])
                .collect();
            assert_eq!(found, [format!("alice{at}example.com")], "{s}");
        }
        let p = crate::text::Prepared::new("choose \u{24D0} or \u{24D1}, then \u{24B6}");
        assert!(p.at_signs().all(|(t, _)| find(t).is_empty()));
        assert!(crate::text::Prepared::new("plain text").at_signs().next().is_none());
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
