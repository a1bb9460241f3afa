//! Domain names compared label by label, on label boundaries, after IDNA normalisation: the
//! policy's `corp.example` is found in `corp.example`, `vpn.corp.example`, `corp.example.` (the
//! root), `ops@corp.example`, `https://intranet.corp.example/x` and their full-width, ideographic
//! full stop, hidden-character, look-alike and defanged writings (the text is [`normalize`]d and
//! [`refang`]ed first), and in punycode (`xn--…`) when the policy names an internationalised
//! domain, and before a hyphen that glues prose to it (`corp.example-based`: no top-level label
//! holds a hyphen); never in `mail.corp.example.net`, `corp.example-cdn.net`, `notcorp.example`
//! or `bob@corp.examples.org`.
//!
//! [`normalize`]: crate::text::normalize
//! [`refang`]: crate::text::addr::refang

use aho_corasick::{AhoCorasick, MatchKind};

/// A domain's label characters (a match must not continue into one).
pub fn is_label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The policy's internal domains, ready to find.
#[derive(Debug, Clone)]
pub struct Domains {
    /// Each domain in its normalised Unicode form and its ASCII (punycode) form.
    names: Vec<String>,
    ac: Option<AhoCorasick>,
}

/// A domain as the policy or a text writes it, in the form matching runs on: IDNA (UTS #46)
/// mapped to Unicode, then the one normal form; `None` when it is not a domain name.
pub fn canonical(d: &str) -> Option<String> {
    let d = d.trim().trim_start_matches('.').trim_end_matches('.');
    if d.is_empty() {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(d);
    let base = if result.is_ok() { unicode } else { lax_labels(d) };
    let n = crate::text::normalize(&base).text;
    (!n.is_empty()).then_some(n)
}

/// `d` with each `xn--` label that IDNA refuses read as the bare punycode decoder reads it
/// (`xn--corp-` is `corp`: no DNS name, but a reader sees the name in it); a label over DNS's 63
/// bytes, or one that does not decode, stays as written.
fn lax_labels(d: &str) -> String {
    let labels: Vec<String> = d
        .split('.')
        .map(|label| {
            label
                .get(..4)
                .filter(|p| p.eq_ignore_ascii_case("xn--") && label.len() <= 63)
                .and_then(|_| label.get(4..))
                .and_then(idna::punycode::decode_to_string)
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| label.to_string())
        })
        .collect();
    labels.join(".")
}

impl Domains {
    pub fn new<S: AsRef<str>>(domains: &[S]) -> Domains {
        let mut names = Vec::new();
        for d in domains {
            if let Some(c) = canonical(d.as_ref()) {
                if let Ok(ascii) = idna::domain_to_ascii(&c)
                    && ascii != c
                    && !names.contains(&ascii)
                {
                    names.push(ascii);
                }
                if !names.contains(&c) {
                    names.push(c);
                }
            }
        }
        // Searched for in the letter reading of the text (`c0rp` is `corp`), so read alike.
        let read: Vec<Vec<u8>> = names.iter().map(|n| super::letter_reading(n).into_owned()).collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&read)
            .ok()
            .filter(|_| !names.is_empty());
        Domains { names, ac }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Byte spans of `text` (normalised and refanged) where a listed domain stands on label
    /// boundaries. `loose_ends`: the text is a fragment (a regular expression's literal) whose
    /// neighbours are unknown, so its own start and end count as boundaries too (they always do).
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = self.find_written(text);
        if text.contains("xn--") {
            out.extend(self.find_punycode(text));
        }
        out
    }

    /// The listed domains as `text` writes them, on label boundaries (no punycode decoding).
    fn find_written(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if let Some(ac) = &self.ac {
            // Byte for byte as long as `text`: the spans are `text`'s.
            let read = super::letter_reading(text);
            for m in ac.find_overlapping_iter(&*read) {
                if on_boundaries(text, m.start(), m.end()) {
                    out.push((m.start(), m.end()));
                }
            }
        }
        out
    }

    /// Labels written in punycode, decoded once and looked at again (never decoded again: a
    /// label that does not decode stays as written, and must not send the search round again).
    fn find_punycode(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            let host_char = is_label_char(c) || c == '.';
            match (start, host_char) {
                (None, true) => start = Some(i),
                (Some(b), false) => {
                    start = None;
                    let host = text.get(b..i).unwrap_or_default();
                    if host.contains("xn--")
                        && let Some(u) = canonical(host)
                        && !self.find_written(&u).is_empty()
                    {
                        out.push((b, i));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// The names a distinguished name writes a domain component under: `dc`, `domainComponent`
/// and its OID (lowercase, as in the normal form).
const DC_NAMES: [&str; 3] = ["dc", "domaincomponent", "0.9.2342.19200300.100.1.25"];

/// Normal text with each name written as DNS logs write it, each label after its length in
/// parentheses (`(8)intranet(4)corp(7)example(0)`, a Windows DNS server's debug log), read with
/// a dot for each length that stands between two labels, and for each byte the range of `text`
/// it came from; `None` when no length stands so. The lengths are not checked: a reader reads
/// the labels whatever they say. The lengths before the first label and after the last stay
/// (a `(` or `)` ends a name).
pub fn length_reading(text: &str) -> Option<(String, Vec<std::ops::Range<usize>>)> {
    if !text.contains(")") {
        return None;
    }
    let b = text.as_bytes();
    let label = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80;
    // A length at `k` (`(`, one to three digits, `)`) between two labels: where it ends.
    let length_at = |k: usize| -> Option<usize> {
        let digits = b
            .get(k + 1..)?
            .iter()
            .take(4)
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = k + 2 + digits;
        let between =
            k.checked_sub(1).and_then(|p| b.get(p)).is_some_and(|&c| label(c)) && b.get(end).is_some_and(|&c| label(c));
        ((1..=3).contains(&digits) && b.get(end - 1) == Some(&b')') && between).then_some(end)
    };
    // Nothing is allocated until a length is found (most texts with parentheses hold none).
    let mut out = String::new();
    let mut map = Vec::new();
    let mut copied = 0;
    let mut k = 0;
    while let Some(open) = b.get(k..).and_then(|r| memchr::memchr(b'(', r)).map(|o| k + o) {
        match length_at(open) {
            Some(end) => {
                if out.is_empty() {
                    out.reserve(text.len());
                    map.reserve(text.len());
                }
                out.push_str(text.get(copied..open)?);
                map.extend((copied..open).map(|i| i..i + 1));
                out.push('.');
                map.push(open..end);
                copied = end;
                k = end;
            }
            None => k = open + 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..)?);
    map.extend((copied..text.len()).map(|i| i..i + 1));
    Some((out, map))
}

/// Normal (lowercase) text with each LDAP distinguished name's run of domain components read
/// as the domain it names, in both orders (`dc=corp,dc=example` is `corp.example`, and OpenSSL's
/// one-line `/dc=example/dc=corp` writes the most significant first), and for each byte the
/// range of `text` it came from; `None` when there is no run of two components or more. A
/// component is `dc`, `domaincomponent` or `0.9.2342.19200300.100.1.25`, `=` and a label,
/// quoted or not, with spaces around `=`; components are separated by `,`, `;`, `+` (a
/// multi-valued name) or `/`. A component starts only where no label character stands before
/// it. The second order is written after the first and a space, each byte standing for the
/// whole run.
pub fn dn_reading(text: &str) -> Option<(String, Vec<std::ops::Range<usize>>)> {
    if !text.contains('=') || !DC_NAMES.iter().any(|n| text.contains(n)) {
        return None;
    }
    let b = text.as_bytes();
    let spaces = |mut k: usize| {
        while b.get(k) == Some(&b' ') {
            k += 1;
        }
        k
    };
    // The length of the component name at `k`, if one starts there.
    let name_at = |k: usize| {
        let rest = b.get(k..).unwrap_or_default();
        DC_NAMES
            .iter()
            .find(|n| rest.starts_with(n.as_bytes()))
            .map(|n| n.len())
    };
    // One component at `k` (a name, `=`, a label, quoted or not): the label's span and where
    // the component ends.
    let component = |k: usize| -> Option<(usize, usize, usize)> {
        let eq = spaces(k.checked_add(name_at(k)?)?);
        if b.get(eq) != Some(&b'=') {
            return None;
        }
        let mut start = spaces(eq + 1);
        let quoted = b.get(start) == Some(&b'"');
        if quoted {
            start += 1;
        }
        let mut end = start;
        while b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80)
        {
            end += 1;
        }
        let after = match (quoted, b.get(end)) {
            (false, _) => end,
            (true, Some(b'"')) => end + 1,
            (true, _) => return None,
        };
        (end > start).then_some((start, end, after))
    };
    // The next place at or after `from` where a component name starts (each byte is looked at
    // once: `from` only grows).
    let next_name = |from: usize| (from..b.len()).find(|&k| name_at(k).is_some());
    let mut out = String::new();
    let mut map: Vec<std::ops::Range<usize>> = Vec::new();
    let mut copied = 0usize;
    let mut from = 0usize;
    let copy = |out: &mut String, map: &mut Vec<std::ops::Range<usize>>, a: usize, z: usize| {
        out.push_str(text.get(a..z).unwrap_or_default());
        map.extend((a..z).map(|i| i..i + 1));
    };
    while let Some(k) = next_name(from) {
        let apart = k
            .checked_sub(1)
            .and_then(|p| b.get(p))
            .is_none_or(|&c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80));
        let mut labels = Vec::new();
        if apart && let Some(first) = component(k) {
            labels.push(first);
            while let Some(&(_, _, after)) = labels.last() {
                let sep = spaces(after);
                if !matches!(b.get(sep), Some(b',' | b';' | b'+' | b'/')) {
                    break;
                }
                match component(spaces(sep + 1)) {
                    Some(next) => labels.push(next),
                    None => break,
                }
            }
        }
        if labels.len() < 2 {
            from = k + 1;
            continue;
        }
        copy(&mut out, &mut map, copied, k);
        let mut last_end = None;
        for &(start, end, _) in &labels {
            if let Some(prev) = last_end {
                out.push('.');
                map.push(prev..start);
            }
            let at = map.len();
            copy(&mut out, &mut map, start, end);
            if last_end.is_none()
                && let Some(first) = map.get_mut(at)
            {
                // The name starts at its first component: a match on it replaces the whole run.
                first.start = k;
            }
            last_end = Some(end);
        }
        let run_end = labels.last().map_or(k, |&(_, _, after)| after);
        // The other order, each byte standing for the whole run.
        let mut reversed = String::from(" ");
        for (n, &(start, end, _)) in labels.iter().rev().enumerate() {
            if n > 0 {
                reversed.push('.');
            }
            reversed.push_str(text.get(start..end).unwrap_or_default());
        }
        map.extend(std::iter::repeat_n(k..run_end, reversed.len()));
        out.push_str(&reversed);
        // What follows the last label (a closing quote) is copied as written.
        copied = last_end.unwrap_or(k);
        from = run_end.max(k + 1);
    }
    if copied == 0 {
        return None;
    }
    copy(&mut out, &mut map, copied, text.len());
    Some((out, map))
}

/// Whether `start..end` of `text` stands on label boundaries: nothing of a label before it (a
/// `.` or `@` or any other separator is fine), and after it either the end, a non-label
/// character other than `.`, or a `.` that ends the name (the root); hyphens that end a label
/// no name has are no part of one.
fn on_boundaries(text: &str, start: usize, end: usize) -> bool {
    // A letter of a script written without spaces beside a name of another script ends it
    // (`intranet.corp.exampleへ`).
    let name = text.get(start..end).unwrap_or_default();
    let (first, last) = (name.chars().next(), name.chars().next_back());
    let continues = |c: char, edge: Option<char>| {
        is_label_char(c) && !(super::is_unspaced_script(c) || edge.is_some_and(super::is_unspaced_script))
    };
    // A label neither starts nor ends with `-` (nor `_`): hyphens beside the name continue a
    // label only when a letter or digit stands past them (`my-intranet…`, `…example-x`), not
    // when the name ends there (`intranet.corp.example-`, `-intranet.corp.example`).
    let hyphen = |c: &char| *c == '-' || *c == '_';
    let before = text.get(..start).and_then(|s| s.chars().rev().find(|c| !hyphen(c)));
    if before.is_some_and(|c| continues(c, first)) {
        return false;
    }
    let rest = text.get(end..).unwrap_or_default();
    let past = rest.trim_start_matches(['-', '_']);
    let mut after = past.chars();
    match after.next() {
        None => true,
        Some('.') => !after.next().is_some_and(|c| continues(c, last)),
        // No top-level label holds a hyphen: a label that runs on past hyphens and ends the
        // name is prose glued to it (`intranet.corp.example-based`), the name ends before them.
        Some(c) if continues(c, last) => past.len() < rest.len() && ends_name(past),
        Some(_) => true,
    }
}

/// Whether the label at the start of `t` is the last of a name: no `.` and a label follow it.
fn ends_name(t: &str) -> bool {
    let mut after = t.trim_start_matches(is_label_char).chars();
    !(after.next() == Some('.') && after.next().is_some_and(is_label_char))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label that does not decode as punycode once sent the search round for ever (a stack
    /// overflow found by the `guard_fixpoint` fuzz smoke).
    #[test]
    fn a_punycode_label_that_does_not_decode_is_searched_once() {
        let d = Domains::new(&["corp.example"]);
        for text in ["xn--", "xn--.xn--", "a.xn--zz-.corp.example", "xn--ab--cd-ef"] {
            let _ = d.find(text);
        }
        assert!(!d.find("vpn.corp.example").is_empty());
    }
    use crate::text::{addr::refang, normalize};

    fn hit(d: &Domains, t: &str) -> bool {
        let n = normalize(t).text;
        let t = refang(&n).map_or(n, |(t, _)| t);
        !d.find(&t).is_empty()
    }

    #[test]
    fn finds_internal_domains_in_every_writing() {
        let d = Domains::new(&["corp.example"]);
        for t in [
            "corp.example",
            "vpn.corp.example",
            "corp.example.",
            "see corp.example.",
            "ops@corp.example",
            "https://intranet.CORP.example/x",
            "hxxps://intranet[.]corp[.]example",
            "ｃｏｒｐ．ｅｘａｍｐｌｅ",
            "corp\u{3002}example",
            "corp\u{200B}.example",
            "c\u{43E}rp.example",
            "_ldap._tcp.corp.example",
            "intranet.corp.example-based",
            "corp.example_internal share",
        ] {
            assert!(hit(&d, t), "{t}");
        }
    }

    #[test]
    fn reads_a_dns_logs_lengths_between_labels_as_dots() {
        let read = |t: &str| length_reading(t).map(|(r, map)| (r, map.len()));
        assert_eq!(
            read("query (8)intranet(4)corp(7)example(0) A"),
            Some(("query (8)intranet.corp.example(0) A".to_string(), 35))
        );
        assert_eq!(read("corp(12)example"), Some(("corp.example".to_string(), 12)));
        for t in [
            "(1) corp (2) example",
            "f(x)",
            "call (202) 555",
            "corp(1234)example",
            "corp()example",
        ] {
            assert_eq!(read(t), None, "{t}");
        }
    }

    #[test]
    fn does_not_find_domains_that_only_look_alike() {
        let d = Domains::new(&["corp.example"]);
        for t in [
            "mail.corp.example.net",
            "corp.example-cdn.net",
            "bob@corp.examples.org",
            "notcorp.example",
            "my-corp.example",
        ] {
            assert!(!hit(&d, t), "{t}");
        }
    }

    #[test]
    fn compares_internationalised_domains_in_either_form() {
        let d = Domains::new(&["bücher.example"]);
        assert!(hit(&d, "www.xn--bcher-kva.example"));
        assert!(hit(&d, "www.BÜCHER.example"));
        // Diacritics are read through (the one normal form): a name that differs from an
        // internal one only by them is taken for it, which holds back more, never less.
        assert!(hit(&d, "bucher.example"));
        assert!(!hit(&d, "bicher.example"));
    }
}
