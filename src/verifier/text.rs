//! The verifier's text checks: its own normalisation and its own matchers, compiled from the
//! policy's rules as written ([`crate::policy::sanitise::RuleSource`]), and its own address
//! check for indicator patterns.

use std::net::IpAddr;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder};
use unicode_normalization::UnicodeNormalization;

use crate::policy::Policy;
use crate::policy::sanitise::RawPattern;

/// One compiled text rule.
pub struct Rule {
    pub id: String,
    /// `None`: every string of the object. Otherwise `(type or *, property steps)`.
    pub paths: Option<Vec<(String, Vec<String>)>>,
    matcher: Matcher,
}

enum Matcher {
    Regex(Regex),
    Phrases { ac: AhoCorasick, whole_words: bool },
}

/// Compile the policy's text rules again, from their source.
pub fn compile(policy: &Policy) -> Result<Vec<Rule>, String> {
    let mut out = Vec::new();
    for r in &policy.text_rules.rules {
        let src = &r.source;
        let matcher = match &src.pattern {
            RawPattern::Regex(p) => Matcher::Regex(
                RegexBuilder::new(p)
                    .size_limit(1 << 21)
                    .dfa_size_limit(1 << 23)
                    .build()
                    .map_err(|e| format!("rule `{}`: {e}", r.id))?,
            ),
            RawPattern::Phrases { words, whole_words } => {
                let words: Vec<String> = words
                    .iter()
                    .map(|w| normalise(w).trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect();
                let ac = AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .map_err(|e| format!("rule `{}`: {e}", r.id))?;
                Matcher::Phrases {
                    ac,
                    whole_words: *whole_words,
                }
            }
        };
        let paths = src.paths.as_ref().map(|ps| {
            ps.iter()
                .map(|p| {
                    let mut parts = p.split('.');
                    let t = parts.next().unwrap_or_default().to_string();
                    let steps = parts.map(|s| s.trim_end_matches("[*]").to_string()).collect();
                    (t, steps)
                })
                .collect()
        });
        out.push(Rule {
            id: r.id.clone(),
            paths,
            matcher,
        });
    }
    Ok(out)
}

impl Rule {
    /// Whether the rule matches anywhere in `n`, a [`normalise`]d string.
    pub fn matches_normalised(&self, n: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(r) => r.find_iter(n).any(|m| !m.is_empty()),
            // Standard (overlapping-capable) semantics: every occurrence is looked at, so a
            // whole-word hit hidden behind a longer non-word match is still seen.
            Matcher::Phrases { ac, whole_words } => ac.find_overlapping_iter(n).any(|m| {
                !whole_words || {
                    let before = n.get(..m.start()).and_then(|s| s.chars().next_back());
                    let after = n.get(m.end()..).and_then(|s| s.chars().next());
                    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
                }
            }),
        }
    }
}

/// NFKC, lowercase, format characters dropped, white space folded to single spaces.
pub fn normalise(s: &str) -> String {
    // Printable ASCII without runs of spaces is its own NFKC form: only lowercase it.
    let plain = s.bytes().all(|b| (0x21..0x7f).contains(&b) || b == b' ') && !s.contains("  ");
    if plain {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfkc().flat_map(char::to_lowercase) {
        if is_format(c) {
            continue;
        }
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        out.push(c);
    }
    out
}

/// Invisible characters an author could hide inside a word (Unicode default-ignorables).
fn is_format(c: char) -> bool {
    let u = c as u32;
    matches!(
        u,
        0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x3164 | 0xFEFF | 0xFFA0
    ) || (0x180B..=0x180F).contains(&u)
        || (0x200B..=0x200F).contains(&u)
        || (0x202A..=0x202E).contains(&u)
        || (0x2060..=0x206F).contains(&u)
        || (0xFE00..=0xFE0F).contains(&u)
        || (0xFFF0..=0xFFF8).contains(&u)
        || (0x1BCA0..=0x1BCA3).contains(&u)
        || (0x1D173..=0x1D17A).contains(&u)
        || (0xE0000..=0xE0FFF).contains(&u)
}

/// An internal network, parsed here from the policy's text.
pub struct Net {
    addr: IpAddr,
    len: u32,
}

/// The policy's internal networks and domains: `(networks, domain suffixes)`.
pub fn internal(policy: &Policy) -> (Vec<Net>, Vec<String>) {
    let mut nets = Vec::new();
    let mut domains = Vec::new();
    for r in &policy.address_rules {
        for c in &r.raw_cidrs {
            if let Some(n) = parse_net(c) {
                nets.push(n);
            }
        }
        domains.extend(r.domains.iter().map(|d| d.trim_start_matches('.').to_lowercase()));
    }
    (nets, domains)
}

fn parse_net(s: &str) -> Option<Net> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: IpAddr = a.trim().parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match l {
        Some(l) => l.trim().parse::<u32>().ok().filter(|&l| l <= max)?,
        None => max,
    };
    Some(Net { addr, len })
}

fn bits(a: IpAddr) -> (bool, u128) {
    match a {
        IpAddr::V4(v) => (false, u128::from(u32::from(v))),
        IpAddr::V6(v) => (true, u128::from(v)),
    }
}

/// Whether two networks share an address.
fn overlap(a: &Net, b: &Net) -> bool {
    let ((v6a, x), (v6b, y)) = (bits(a.addr), bits(b.addr));
    if v6a != v6b {
        return false;
    }
    let width = if v6a { 128 } else { 32 };
    let len = a.len.min(b.len);
    let shift = width - len;
    let mask = |v: u128| if shift >= 128 { 0 } else { v >> shift };
    mask(x) == mask(y)
}

/// The first internal address or domain a pattern's string literals mention.
pub fn pattern_reveals(pattern: &str, nets: &[Net], domains: &[String]) -> Option<String> {
    for lit in literals(pattern) {
        let lower = lit.to_lowercase();
        if let Some(n) = parse_net(&lower)
            && nets.iter().any(|i| overlap(i, &n))
        {
            return Some(lit);
        }
        // A domain anywhere in the literal (a URL, an address, a host name).
        let hostish = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'));
        for h in hostish {
            let h = h.trim_end_matches('.');
            if domains
                .iter()
                .any(|d| h == d || h.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.')))
            {
                return Some(lit);
            }
        }
    }
    None
}

/// The first word of free text (a run of characters other than white space and quotes,
/// brackets, `,;=|`, without a final `.` or `:`) that is an internal address or network, or
/// mentions an internal domain.
pub fn text_reveals(text: &str, nets: &[Net], domains: &[String]) -> Option<String> {
    let words = text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';' | '=' | '|' | '`'
            )
    });
    for w in words {
        let w = w.trim_end_matches(['.', ':']);
        if w.is_empty() {
            continue;
        }
        // `user@host`, `scheme://host:port/path`: the address may be any piece of it.
        let lower = w.to_lowercase();
        let pieces = lower.split(['@', '/']).chain(std::iter::once(lower.as_str()));
        for p in pieces {
            let host = p
                .rsplit_once(':')
                .filter(|(h, port)| !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()));
            let p = host.map_or(p, |(h, _)| h);
            if parse_net(p).is_some_and(|n| nets.iter().any(|i| overlap(i, &n))) {
                return Some(w.to_string());
            }
        }
        if pattern_reveals(&format!("'{}'", lower.replace(['\\', '\''], "")), &[], domains).is_some() {
            return Some(w.to_string());
        }
    }
    None
}

/// The contents of a pattern's single-quoted string literals (`\'` and `\\` escapes).
fn literals(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(e) = chars.next() {
                        lit.push(e);
                    }
                }
                '\'' => break,
                c => lit.push(c),
            }
        }
        out.push(lit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_full_width_and_hidden_characters() {
        assert_eq!(normalise("Ｓｅｃｒｅｔ\u{200B}Word  x"), "secretword x");
    }

    #[test]
    fn finds_internal_addresses_and_domains_in_literals() {
        let nets = vec![parse_net("10.0.0.0/8").unwrap()];
        let domains = vec!["corp.example".to_string()];
        assert!(pattern_reveals("[ipv4-addr:value = '10.1.2.3']", &nets, &domains).is_some());
        assert!(pattern_reveals("[ipv4-addr:value = '8.0.0.0/6']", &nets, &domains).is_some());
        assert!(pattern_reveals("[url:value = 'https://a.corp.example/x']", &nets, &domains).is_some());
        assert!(pattern_reveals("[ipv4-addr:value = '11.1.2.3']", &nets, &domains).is_none());
        assert!(pattern_reveals("[domain-name:value = 'notcorp.example']", &nets, &domains).is_none());
    }

    #[test]
    fn finds_internal_addresses_and_domains_in_free_text() {
        let nets = vec![parse_net("10.0.0.0/8").unwrap(), parse_net("fd00::/8").unwrap()];
        let domains = vec!["corp.example".to_string()];
        let hit = |t: &str| text_reveals(t, &nets, &domains);
        assert_eq!(hit("Host 10.1.2.3 scanned").as_deref(), Some("10.1.2.3"));
        assert_eq!(hit("net 10.0.0.0/24.").as_deref(), Some("10.0.0.0/24"));
        assert_eq!(
            hit("see http://10.9.8.7:8080/x").as_deref(),
            Some("http://10.9.8.7:8080/x")
        );
        assert_eq!(hit("at [fd00::1]:443").as_deref(), Some("fd00::1"));
        assert_eq!(hit("mail ops@Corp.Example now").as_deref(), Some("ops@Corp.Example"));
        assert!(hit("198.51.100.7 and notcorp.example, 11.1.2.3.").is_none());
    }
}
