//! Internal addresses and domains in any string: the text is [`normalize`]d and [`refang`]ed,
//! cut into words, and each word's addresses ([`addr`]) and the listed domains ([`domain`]) are
//! looked for. A hit names the whole word (as written in the original) that holds it.

use std::ops::Range;

use super::Prepared;
use super::addr::{Ranges, refang, refang_joined, word_addresses, words};
use super::domain::Domains;

/// Internal ranges and domains.
#[derive(Debug, Clone)]
pub struct Internal {
    pub ranges: Ranges,
    pub domains: Domains,
}

impl Internal {
    /// `Err` names a network that does not parse.
    pub fn new<S: AsRef<str>, T: AsRef<str>>(cidrs: &[S], domains: &[T]) -> Result<Internal, String> {
        Ok(Internal {
            ranges: Ranges::parse(cidrs)?,
            domains: Domains::new(domains),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.domains.is_empty()
    }

    /// Whether `s` could hold an address or a domain at all: every address holds a digit, every
    /// domain a dot (or a full stop, a defanged, encoded or spelt-out dot, a look-alike:
    /// non-ASCII or a bracket, or an LDAP name's `dc=` or `domainComponent=`), or may be written inside an escape, a
    /// `data:` URI or markup; text with none of them holds neither, whatever its normal form.
    pub fn could_hold(s: &str) -> bool {
        s.bytes()
            .any(|b| b.is_ascii_digit() || matches!(b, b'.' | b'[' | b'(' | b'{' | b'\\' | b'%' | b'&') || b >= 0x80)
            || s.as_bytes().windows(5).any(|w| w.eq_ignore_ascii_case(b" dot "))
            || super::escape::may_hold(s)
            || (s.contains('=') && s.as_bytes().windows(2).any(|w| w.eq_ignore_ascii_case(b"dc"))
                || s.as_bytes().windows(9).any(|w| w.eq_ignore_ascii_case(b"component")))
    }

    /// The byte spans of `s` (as written) of each word that points inside. `host`: when `s` is
    /// one word, it is a whole value naming a host (an `ipv4-addr` value, a pattern literal), so
    /// the short IPv4 forms count.
    pub fn find(&self, s: &str, host: bool) -> Vec<(usize, usize)> {
        self.find_prepared(&Prepared::new(s), host)
    }

    /// [`Internal::find`] on a string whose normal form may be known already (and is computed
    /// here, once, when it is not and is needed).
    pub fn find_prepared(&self, p: &Prepared<'_>, host: bool) -> Vec<(usize, usize)> {
        let s = p.raw();
        if self.is_empty() || s.is_empty() || !Internal::could_hold(s) {
            return Vec::new();
        }
        let mut spans = self.find_normal(p.normal(), host);
        // And the text with its escapes decoded (`&#46;`, `%2e`, `\x2e`).
        for d in p.decoded() {
            spans.extend(self.find_normal(d, host));
        }
        super::merge_spans(spans)
    }

    /// [`Internal::find_prepared`] on one normal form of the text: spans as written.
    fn find_normal(&self, n: &super::Normalized, host: bool) -> Vec<(usize, usize)> {
        // Each reading of the text: refanged, and (when it differs) also joined across spaces
        // (`10 . 20`, `corp dot example`). Joining could glue an address to its neighbour, so
        // the text is read both ways.
        let mut hits = self.find_in(&n.text, refang(&n.text), host);
        if let Some(joined) = refang_joined(&n.text) {
            hits.extend(self.find_in(&n.text, Some(joined), host));
        }
        // A shell's brace expansion in a network (`10.20.30.{1..254}`): its braces end words.
        if !self.ranges.is_empty()
            && let Some(b) = super::addr::brace_reading(&n.text)
        {
            hits.extend(self.find_in(&n.text, Some(b), host));
        }
        // An LDAP distinguished name's domain components (`dc=corp,dc=example`).
        if !self.domains.is_empty()
            && let Some(dn) = super::domain::dn_reading(&n.text)
        {
            hits.extend(self.find_in(&n.text, Some(dn), host));
        }
        // A DNS log's lengths between labels (`(8)intranet(4)corp(7)example(0)`).
        if !self.domains.is_empty()
            && let Some(r) = super::domain::length_reading(&n.text)
        {
            hits.extend(self.find_in(&n.text, Some(r), host));
        }
        // And with ASCII look-alikes of digits read as digits (`1o.2o.3o.4o`): byte for byte as
        // long, so its spans are the normal text's.
        if !self.ranges.is_empty()
            && let Some(d) = super::digit_reading(&n.text)
        {
            hits.extend(self.find_in(&d, refang(&d), host));
            if let Some(joined) = refang_joined(&d) {
                hits.extend(self.find_in(&d, Some(joined), host));
            }
        }
        // Back to the original.
        super::merge_spans(hits)
            .into_iter()
            .filter_map(|(a, b)| n.original(a, b))
            .collect()
    }

    /// The spans (in the normal text `normal`) of each word of one reading of it that points
    /// inside; `reading`: the refanged text and its map back, `None` when it is `normal` itself.
    fn find_in(&self, normal: &str, reading: Option<(String, Vec<Range<usize>>)>, host: bool) -> Vec<(usize, usize)> {
        let (t, map): (&str, Option<&Vec<Range<usize>>>) = match &reading {
            Some((t, m)) => (t.as_str(), Some(m)),
            None => (normal, None),
        };
        // Spans in `t` first.
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let single = !t.trim().contains(' ');
        // Every reading of an address holds a digit ([`word_addresses`]): no digit, no word to cut.
        if !self.ranges.is_empty() && t.bytes().any(|b| b.is_ascii_digit()) {
            for w in words(t) {
                let Some(word) = t.get(w.clone()) else { continue };
                if word_addresses(word, host && single)
                    .into_iter()
                    .any(|a| self.ranges.overlaps(a))
                {
                    hits.push((w.start, w.end));
                }
            }
        }
        if !self.domains.is_empty() {
            for (a, b) in self.domains.find(t) {
                // Widen to the word around the match.
                let w = words(t).find(|w| w.start <= a && b <= w.end).unwrap_or(a..b);
                hits.push((w.start, w.end));
            }
        }
        hits.into_iter()
            .filter_map(|(a, b)| match map {
                Some(m) => Some((m.get(a)?.start, m.get(b.checked_sub(1)?)?.end)),
                None => Some((a, b)),
            })
            .collect()
    }

    /// The first word of `s` that points inside, as written.
    pub fn first<'s>(&self, s: &'s str, host: bool) -> Option<&'s str> {
        self.find(s, host).first().and_then(|&(a, b)| s.get(a..b))
    }

    /// [`Internal::first`] on a string whose normal form may be known already.
    pub fn first_prepared<'s>(&self, p: &Prepared<'s>, host: bool) -> Option<&'s str> {
        let s = p.raw();
        self.find_prepared(p, host).first().and_then(|&(a, b)| s.get(a..b))
    }

    /// `s` with each word that points inside replaced by `replacement`, and how many were.
    pub fn redact(&self, s: &str, host: bool, replacement: &str) -> Option<(String, usize)> {
        self.redact_prepared(&Prepared::new(s), host, replacement)
    }

    /// [`Internal::redact`] on a string whose normal form may be known already.
    pub fn redact_prepared(&self, p: &Prepared<'_>, host: bool, replacement: &str) -> Option<(String, usize)> {
        let s = p.raw();
        let spans = self.find_prepared(p, host);
        if spans.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        let mut count = 0usize;
        for (a, b) in spans {
            if a < at {
                continue;
            }
            out.push_str(s.get(at..a).unwrap_or_default());
            out.push_str(replacement);
            at = b;
            count = count.saturating_add(1);
        }
        out.push_str(s.get(at..).unwrap_or_default());
        Some((out, count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Red team R02: an LDAP distinguished name's domain components name the domain.
    #[test]
    fn finds_a_domain_written_as_ldap_domain_components() {
        let i = Internal::new(&["10.0.0.0/8"], &["corp.example"]).unwrap();
        for s in [
            "DC=corp,DC=example",
            "LDAP base DC=corp,DC=example now",
            "dc = corp , dc = example",
            "CN=vpn,DC=corp,DC=example",
            "OU=x;DC=intranet;DC=corp;DC=example",
            "ldap://dc1/DC=corp,DC=example??sub",
        ] {
            assert!(!i.find(s, false).is_empty(), "{s}");
        }
        let (out, n) = i.redact("base DC=corp,DC=example here", false, "[R]").unwrap();
        assert_eq!((out.as_str(), n), ("base [R] here", 1));
        for s in [
            "DC=example,DC=com",
            "DC=corp",
            "xdc=corp,dc=example",
            "dc=corp,dc=examples",
        ] {
            assert!(i.find(s, false).is_empty(), "{s}");
        }
    }
    use crate::text::addr::refang_with;

    #[test]
    fn redacts_the_words_as_written() {
        let i = Internal::new(&["10.0.0.0/8"], &["corp.example"]).unwrap();
        let (out, n) = i
            .redact(
                "See ｈｘｘｐｓ://intranet[.]corp[.]example/x and 10[.]1[.]2[.]3, not 203.0.113.9.",
                false,
                "[R]",
            )
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(out, "See [R] and [R], not 203.0.113.9.");
        assert_eq!(i.first("10.1", true), Some("10.1"));
        assert_eq!(i.first("version 10.1", false), None);
        // A defanged dot glued before a network with its zero parts left off (CI's seed).
        assert_eq!(i.first("seen on (.)10/8( hosts", false), Some("(.)10/8"));
    }

    /// [`Internal::find`] without any of its shortcuts (no check of the raw text for a digit, dot,
    /// bracket or non-ASCII character, no skipping of text without a digit, the normal form
    /// always computed): the slow path the fast one must agree with.
    fn find_slow(i: &Internal, s: &str, host: bool) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for n in std::iter::once(crate::text::normalize(s)).chain(crate::text::normalize_decoded(s)) {
            spans.extend(find_slow_in(i, &n, host));
        }
        crate::text::merge_spans(spans)
    }

    fn find_slow_in(i: &Internal, n: &crate::text::Normalized, host: bool) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        let d = crate::text::digit_reading(&n.text).unwrap_or_else(|| n.text.clone());
        // `None` from a refang is the text unchanged; from the length reading, no such reading.
        let lengths = crate::text::domain::length_reading(&n.text);
        let readings = [
            (&n.text, refang(&n.text)),
            (&n.text, refang_with(&n.text, true)),
            (&d, refang(&d)),
            (&d, refang_with(&d, true)),
        ];
        for (base, reading) in readings
            .iter()
            .chain(lengths.is_some().then_some((&n.text, lengths)).iter())
        {
            let (t, map) = match reading {
                Some((t, m)) => (t.as_str(), Some(m)),
                None => (base.as_str(), None),
            };
            let single = !t.trim().contains(' ');
            let mut found: Vec<(usize, usize)> = words(t)
                .filter(|w| {
                    t.get(w.clone()).is_some_and(|word| {
                        word_addresses(word, host && single)
                            .into_iter()
                            .any(|a| i.ranges.overlaps(a))
                    })
                })
                .map(|w| (w.start, w.end))
                .collect();
            for (a, b) in i.domains.find(t) {
                let w = words(t).find(|w| w.start <= a && b <= w.end).unwrap_or(a..b);
                found.push((w.start, w.end));
            }
            hits.extend(found.into_iter().filter_map(|(a, b)| match map {
                Some(m) => Some((m.get(a)?.start, m.get(b.checked_sub(1)?)?.end)),
                None => Some((a, b)),
            }));
        }
        if let Some((t, m)) = crate::text::domain::dn_reading(&n.text) {
            for (a, b) in i.domains.find(&t) {
                let w = words(&t).find(|w| w.start <= a && b <= w.end).unwrap_or(a..b);
                hits.extend((|| Some((m.get(w.start)?.start, m.get(w.end.checked_sub(1)?)?.end)))());
            }
        }
        crate::text::merge_spans(hits)
            .into_iter()
            .filter_map(|(a, b)| n.original(a, b))
            .collect()
    }

    proptest::proptest! {
        /// The shortcuts never change what is found: pieces of addresses, domains, defanged and
        /// full-width writing, hidden characters, run together in any order.
        #[test]
        fn fast_paths_agree_with_the_slow_path(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "10", "0x0a", "172", "16", "1", "2", ".", "[.]", "(.)", "\\.", "。", "．", "１０", ":", "::ffff:",
                "fd00", "/", "@", "corp", "example", "ｃｏｒｐ", "\u{200B}", "hxxp", "://", " ", "-", "[", "]",
                "ops", "a", "x", "é", "(", ")", "\\\\", "%2e", " dot ", " . ", ". ", " (dot) ", "٠", "o", "l", "c0rp",
                "&#46;", "&period;", "\\x2e", "%25", "&amp;", "%",
                "dc=", "DC = ", ",", ";", "in-addr.arpa", "ip6.arpa", "*", "x", "/8", "/16", "1/24", "f",
            ]), 0..14),
            host in proptest::bool::ANY,
        ) {
            let s: String = pieces.concat();
            let i = Internal::new(&["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"], &["corp.example"]).unwrap();
            proptest::prop_assert_eq!(i.find(&s, host), find_slow(&i, &s, host));
        }
    }
}
