//! IP addresses parsed, not pattern-matched: every notation a resolver (`inet_aton`), a URL
//! parser or a browser accepts is read as a number and compared with the policy's ranges.
//!
//! - IPv4: dotted quads with each part decimal, octal (`010`) or hexadecimal (`0x0a`); where a part
//!   has a leading zero both readings (octal, as `inet_aton`, and decimal, as many other parsers)
//!   are tried. In a host position (a URL's host, a UNC host, `IP:…`, a domain literal
//!   `user@[…]`, or a whole value such as an `ipv4-addr` value or a pattern literal) also the
//!   one-, two- and three-part forms (`167772161`, `0x0a000001`, `10.1`, `10.0.1`). In free text
//!   a bare number is a number, not an address, except a seven- or eight-digit hexadecimal `0x…`.
//! - IPv6 (brackets and a zone id allowed); an address that embeds an IPv4 one (mapped
//!   `::ffff:a.b.c.d`, compatible `::a.b.c.d`, translated `::ffff:0:a.b.c.d`, NAT64 in
//!   `64:ff9b::/32` at every RFC 6052 prefix length, 6to4 `2002::/16`, Teredo `2001:0::/32`
//!   both ways, ISATAP `…:0:5efe:a.b.c.d`) is also compared as that IPv4 address.
//! - Networks `a/len`, and ranges `a-b` (compared as the interval they span).
//!
//! Free text is read after [`refang`]: `10[.]20[.]30[.]40`, `hxxps://…`, `corp\.example` read as
//! what they stand for.

use std::net::Ipv6Addr;
use std::ops::Range;

/// An address or an interval of addresses, IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    V4(u32, u32),
    V6(u128, u128),
}

/// The internal ranges of a policy, as inclusive intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl Ranges {
    /// Parse networks as the policy writes them (`10.0.0.0/8`, `fd00::/8`, one address).
    /// `Err` names the first that does not parse.
    pub fn parse<S: AsRef<str>>(cidrs: &[S]) -> Result<Ranges, String> {
        let mut r = Ranges::default();
        for c in cidrs {
            match parse_network(c.as_ref().trim()) {
                Some(Span::V4(a, b)) => r.v4.push((a, b)),
                Some(Span::V6(a, b)) => r.v6.push((a, b)),
                None => return Err(c.as_ref().to_string()),
            }
        }
        Ok(r)
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// The IPv6 ranges as blocks (each a network, so aligned); with `embedding`, also the IPv4
    /// ranges as the IPv4-mapped, -compatible, -translated and NAT64 (/96 of the well-known and
    /// the local-use prefix) addresses that embed them.
    pub fn v6_blocks(&self, embedding: bool) -> Vec<(u128, u128)> {
        let mut out = self.v6.clone();
        if embedding {
            for &(a, b) in &self.v4 {
                for prefix in [
                    0xffffu128 << 32,
                    0,
                    0xffffu128 << 48,
                    0x64_ff9bu128 << 96,
                    0x64_ff9b_0001u128 << 80,
                ] {
                    out.push((prefix | u128::from(a), prefix | u128::from(b)));
                }
            }
        }
        out
    }

    /// The blocks an IPv6 run of hex groups `piece` (part of a `LIKE` or `MATCHES` operand) is
    /// completed against: the IPv6 ranges, and the IPv4 ranges as the IPv6 addresses that carry
    /// them in each way of [`EMBEDDINGS`] (and ISATAP) whose mark the run shows (`::`, `ffff`,
    /// `ff9b` for mapped, compatible, translated and NAT64 /96; `ff9b` for every RFC 6052
    /// layout; `5efe` for ISATAP; `2002` for 6to4; `2001:0:` for Teredo). Each block is read
    /// as a network (`false`: the groups after the first in which its ends differ are free) or
    /// group by group (`true`: first and last address of the block give each group's bounds,
    /// and the bits no embedding fixes span all their values).
    pub fn v6_blocks_for(&self, piece: &str) -> Vec<(u128, u128, bool)> {
        let mut out: Vec<(u128, u128, bool)> = self.v6.iter().map(|&(a, b)| (a, b, false)).collect();
        let mut marks: Vec<u128> = Vec::new();
        if piece.contains("::") || piece.contains("ffff") || piece.contains("ff9b") {
            out.extend(
                self.v6_blocks(true)
                    .into_iter()
                    .skip(self.v6.len())
                    .map(|(a, b)| (a, b, false)),
            );
        }
        if piece.contains("ff9b") {
            marks.push(0x64_ff9b << 96);
        }
        if piece.contains("2002") {
            marks.push(0x2002 << 112);
        }
        if piece.contains("2001:0:") || piece.contains("2001:0000:") {
            marks.push(0x2001_0000 << 96);
        }
        for e in EMBEDDINGS.iter().filter(|e| marks.contains(&e.value)) {
            let free = u128::MAX.checked_shr(e.len).unwrap_or(0)
                & !e.fields
                    .iter()
                    .fold(0u128, |m, &(shift, width)| m | (((1u128 << width) - 1) << shift));
            for &(a, b) in &self.v4 {
                let (a, b) = if e.xor == 0 { (a, b) } else { (b ^ e.xor, a ^ e.xor) };
                out.push((
                    e.value | place_fields(a, e.fields),
                    e.value | free | place_fields(b, e.fields),
                    true,
                ));
            }
        }
        if piece.contains("5efe") {
            for &(a, b) in &self.v4 {
                let low = ISATAP << 32;
                let high = (u128::from(u64::MAX) << 64) | ((ISATAP | 0x0300_0000) << 32);
                out.push((low | u128::from(a), high | u128::from(b), true));
            }
        }
        out
    }

    /// Whether `span` shares an address with a range (an IPv6 span embedding IPv4 addresses is
    /// also compared as those, see [`embedded_v4`]).
    pub fn overlaps(&self, span: Span) -> bool {
        match span {
            Span::V4(a, b) => self.v4.iter().any(|&(x, y)| a <= y && x <= b),
            Span::V6(a, b) => {
                self.v6.iter().any(|&(x, y)| a <= y && x <= b)
                    || embedded_v4(a, b)
                        .into_iter()
                        .any(|(p, q)| self.overlaps(Span::V4(p, q)))
            }
        }
    }
}

/// Where an IPv6 address carries an IPv4 one: the prefix (`value`, its first `len` bits) and
/// the IPv4 address's bits, as fields (shift from the least significant bit, width) whose
/// concatenation, XORed with `xor`, is the IPv4 address.
struct Embedding {
    value: u128,
    len: u32,
    fields: &'static [(u32, u32)],
    xor: u32,
}

/// Every way an IPv6 address is known to embed an IPv4 one.
const EMBEDDINGS: &[Embedding] = &[
    // IPv4-mapped ::ffff:0:0/96 (RFC 4291).
    Embedding {
        value: 0xffff << 32,
        len: 96,
        fields: &[(0, 32)],
        xor: 0,
    },
    // IPv4-compatible ::/96 (not `::` and `::1`, see [`embedded_v4`]).
    Embedding {
        value: 0,
        len: 96,
        fields: &[(0, 32)],
        xor: 0,
    },
    // IPv4-translated (SIIT) ::ffff:0:0:0/96 (RFC 2765, 6145).
    Embedding {
        value: 0xffff << 48,
        len: 96,
        fields: &[(0, 32)],
        xor: 0,
    },
    // NAT64: the well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48 (RFC 6052,
    // 8215). Every RFC 6052 layout is read anywhere in 64:ff9b::/32, so an address written for
    // a network-specific prefix of /32 … /96 is read too (bits 64-71, the `u` octet, skipped).
    // /96, /64 and /32: the IPv4 address in one piece.
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(0, 32)],
        xor: 0,
    },
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(24, 32)],
        xor: 0,
    },
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(64, 32)],
        xor: 0,
    },
    // /40, /48 and /56: the IPv4 bits before the `u` octet, the rest after it.
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(64, 24), (48, 8)],
        xor: 0,
    },
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(64, 16), (40, 16)],
        xor: 0,
    },
    Embedding {
        value: 0x64_ff9b << 96,
        len: 32,
        fields: &[(64, 8), (32, 24)],
        xor: 0,
    },
    // 6to4 2002:AABB:CCDD::/48 (RFC 3056).
    Embedding {
        value: 0x2002 << 112,
        len: 16,
        fields: &[(80, 32)],
        xor: 0,
    },
    // Teredo 2001:0::/32 (RFC 4380): the server in bits 32-63, the client inverted in the last 32.
    Embedding {
        value: 0x2001_0000 << 96,
        len: 32,
        fields: &[(64, 32)],
        xor: 0,
    },
    Embedding {
        value: 0x2001_0000 << 96,
        len: 32,
        fields: &[(0, 32)],
        xor: u32::MAX,
    },
    // ISATAP (RFC 5214): an interface id 0000:5efe, 0200:5efe (the `u` and `g` bits either
    // way) and the IPv4 address, under any /64 (see [`embedded_v4`]).
];

/// The ISATAP interface identifiers' high 32 bits, with the `u` and `g` bits masked.
const ISATAP: u128 = 0x0000_5efe;

/// The IPv4 intervals an IPv6 interval embeds, each way one of [`EMBEDDINGS`] (or ISATAP)
/// reads it. For an interval (a network) an embedding counts for the part of it under its
/// prefix (the whole prefix, for a wider network); each field then spans from its value at one end to its value at the other when every
/// bit above it is alike at both ends, else all its values, and the IPv4 interval covers every
/// address the fields can make (a superset: more is held back, never less).
fn embedded_v4(a: u128, b: u128) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for e in EMBEDDINGS {
        // The part of the interval under the prefix (all of the prefix's block for a wider
        // network: `::/0`, `64:ff9b::/16` hold every address it embeds).
        let block_lo = e.value;
        let block_hi = e.value | u128::MAX.checked_shr(e.len).unwrap_or(0);
        // `::` and `::1` are no IPv4-compatible addresses.
        let first = if e.value == 0 { a.max(2) } else { a.max(block_lo) };
        let last = b.min(block_hi);
        if first > last {
            continue;
        }
        out.push(fields_interval(first, last, e.fields, e.xor));
    }
    // ISATAP: bits 32-63 are 0x0000_5efe with the `u` and `g` bits (0x0300_0000) either way,
    // alike at both ends.
    let iid_high = |v: u128| (v >> 32) & 0xffff_ffff;
    if a >> 64 == b >> 64 && iid_high(a) & !0x0300_0000 == ISATAP && iid_high(b) & !0x0300_0000 == ISATAP {
        out.push(fields_interval(a, b, &[(0, 32)], 0));
    }
    out
}

/// The IPv4 address `v` written into `fields` (the first field takes its highest bits).
fn place_fields(v: u32, fields: &[(u32, u32)]) -> u128 {
    let mut left = 32u32;
    let mut out = 0u128;
    for &(shift, width) in fields {
        left = left.saturating_sub(width);
        let bits = (u128::from(v) >> left) & ((1u128 << width) - 1);
        out |= bits << shift;
    }
    out
}

/// The IPv4 interval the `fields` of the addresses from `a` to `b` make (see [`embedded_v4`]).
fn fields_interval(a: u128, b: u128, fields: &[(u32, u32)], xor: u32) -> (u32, u32) {
    let (mut lo, mut hi) = (0u64, 0u64);
    let mut exact = true;
    for &(shift, width) in fields {
        let mask = (1u128 << width) - 1;
        let above = shift + width;
        exact = exact && a.checked_shr(above).unwrap_or(0) == b.checked_shr(above).unwrap_or(0);
        let (x, y) = if exact {
            ((a >> shift) & mask, (b >> shift) & mask)
        } else {
            (0, mask)
        };
        // Each field's values fit in `width` bits, and the widths add up to 32.
        lo = (lo << width) | u64::try_from(x).unwrap_or(0);
        hi = (hi << width) | u64::try_from(y).unwrap_or(u64::MAX);
    }
    let (lo, hi) = (u32::try_from(lo).unwrap_or(0), u32::try_from(hi).unwrap_or(u32::MAX));
    if xor == 0 { (lo, hi) } else { (hi ^ xor, lo ^ xor) }
}

/// A network, an address or a range as a policy or an indicator writes it, strictly (the
/// standard notations only).
pub fn parse_network(s: &str) -> Option<Span> {
    if let Some((a, len)) = s.split_once('/') {
        let len: u32 = len.parse().ok()?;
        return match parse_ip(a, true).first()? {
            Span::V4(v, _) if len <= 32 => {
                let host = 32u32.checked_sub(len)?;
                let mask = u32::MAX.checked_shl(host).unwrap_or(0);
                Some(Span::V4(v & mask, v | !mask))
            }
            Span::V6(v, _) if len <= 128 => {
                let host = 128u32.checked_sub(len)?;
                let mask = u128::MAX.checked_shl(host).unwrap_or(0);
                Some(Span::V6(v & mask, v | !mask))
            }
            _ => None,
        };
    }
    parse_ip(s, false).first().copied()
}

/// Every reading of `s` as one address (or a network `a/len`, or a range `a-b`). `host`: `s`
/// stands where only an address or a host name can (see the module doc), so the short IPv4
/// forms count.
pub fn parse_ip(s: &str, host: bool) -> Vec<Span> {
    let s = s.trim();
    let mut out = Vec::new();
    // No cap on the length: a part may carry any number of leading zeros, and every reading
    // below is one pass over `s`.
    if s.is_empty() {
        return out;
    }
    let inner = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(s);
    let inner = inner
        .strip_prefix("ipv6:")
        .or_else(|| inner.strip_prefix("ipv4:"))
        .unwrap_or(inner);
    // An IPv6 network `a/len` is every address under it (`::ffff:0:0/96` is every IPv4
    // address, mapped): read as the network, not as its first address.
    if inner.contains(':') && inner.contains('/') {
        out.extend(parse_network(inner));
        return out;
    }
    if inner.contains(':') {
        let no_zone = inner.split_once('%').map_or(inner, |(a, _)| a);
        if let Ok(v6) = no_zone.parse::<Ipv6Addr>() {
            let v = u128::from(v6);
            out.push(Span::V6(v, v));
        }
        return out;
    }
    if inner.contains('/') {
        if let Some(n) = parse_network(inner) {
            out.push(n);
        }
        return out;
    }
    for v in ipv4_readings(inner, host) {
        out.push(Span::V4(v, v));
    }
    out
}

/// One part of a dotted IPv4 address: decimal, octal (leading `0`) or hexadecimal (`0x`); a part
/// with a leading zero is read both ways.
/// Leading zeros, however many, change no value (`strtoul`, which `inet_aton` uses, reads them
/// all): only the digits after them are bounded.
pub(crate) fn part_readings(p: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(2);
    if p.is_empty() {
        return out;
    }
    if let Some(h) = p.strip_prefix("0x") {
        let h = h.trim_start_matches('0');
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return out;
        }
        if h.is_empty() {
            out.push(0); // `0x` and `0x000` are 0
        } else if h.len() <= 12 {
            out.extend(u64::from_str_radix(h, 16).ok());
        }
        return out;
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return out;
    }
    let significant = p.trim_start_matches('0');
    if significant.len() > 12 {
        return out;
    }
    let decimal = if significant.is_empty() {
        Some(0)
    } else {
        significant.parse::<u64>().ok()
    };
    out.extend(decimal);
    if p.len() > 1
        && p.starts_with('0')
        && let Ok(o) = u64::from_str_radix(if significant.is_empty() { "0" } else { significant }, 8)
        && !out.contains(&o)
    {
        out.push(o);
    }
    out
}

/// Every IPv4 reading of `s` (see the module doc for which forms count where).
fn ipv4_readings(s: &str, host: bool) -> Vec<u32> {
    let s = s.strip_suffix('.').unwrap_or(s); // a trailing dot is the root
    let parts: Vec<&str> = s.split('.').collect();
    let n = parts.len();
    let mut out = Vec::new();
    if n == 0 || n > 4 {
        return out;
    }
    if n < 4 && !host {
        // In free text only `0x` followed by seven or eight hexadecimal digits stands alone
        // (`0xa141e28` is `0x0a141e28`, 10.20.30.40, as `inet_aton` reads it; fewer write no
        // routable address), or more when the rest are leading zeros (`0x0000000a141e28`).
        let hex8 = n == 1
            && s.strip_prefix("0x").is_some_and(|h| {
                h.len() >= 7 && h.bytes().all(|b| b.is_ascii_hexdigit()) && h.trim_start_matches('0').len() <= 8
            });
        if !hex8 {
            return out;
        }
    }
    let readings: Vec<Vec<u64>> = parts.iter().map(|p| part_readings(p)).collect();
    if readings.iter().any(Vec::is_empty) {
        return out;
    }
    // Combine: the first n-1 parts are one byte each, the last fills the rest.
    let mut acc: Vec<u64> = vec![0];
    for (i, r) in readings.iter().enumerate() {
        let last = i + 1 == n;
        // n <= 4, so the last part has 8, 16, 24 or 32 bits.
        let bits: u32 = if last { 40u32.saturating_sub(8 * n as u32) } else { 8 };
        let max = (1u64 << bits) - 1;
        let mut next = Vec::new();
        for &a in &acc {
            for &v in r {
                if v <= max {
                    let shifted = a.checked_shl(bits).unwrap_or(0) | v;
                    if !next.contains(&shifted) {
                        next.push(shifted);
                    }
                }
            }
        }
        acc = next;
        if acc.is_empty() || acc.len() > 64 {
            break;
        }
    }
    out.extend(acc.into_iter().filter_map(|v| u32::try_from(v).ok()));
    out
}

/// Defanged writing read as what it stands for: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)` as `.`;
/// `[:]` as `:`; `[@]`, `[at]`, `(at)` as `@`; `[/]` as `/`; `\\.` as `.`; `hxxp` as `http`,
/// `fxp` as `ftp`; and `%` with two hex digits as the printable ASCII character it encodes
/// (`%2e` is `.`, `%40` is `@`). Runs on normalised (lowercase) text. Returns the text and, for
/// each of its bytes, the byte range of `text` it came from (`None` when nothing changed). The
/// writings that join words across spaces are [`refang_joined`]'s.
pub fn refang(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    refang_with(text, false)
}

/// The reading of [`refang`] that also joins words across spaces: the bracketed forms with a
/// space either side (`bob (at) corp (dot) example`), ` dot ` and ` . ` between two letters or
/// digits, ` at ` before a domain whose dot is spelt out (`bob at corp dot example`, not `look
/// at corp.example`), and `. ` or ` .` between two letters or digits (`10. 20 .30`, `intranet
/// .corp. example`). `None` when none of
/// them is in `text`. Joining could glue a word to its neighbour (`x . 10.1.2.3`), so callers
/// read the text both ways.
pub fn refang_joined(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    if joins(text) { refang_with(text, true) } else { None }
}

/// Whether [`refang_joined`] reads anything in `text` that [`refang`] does not.
pub fn joins(text: &str) -> bool {
    let b = text.as_bytes();
    // A joining writing starts at a space before `[`, `(`, `{`, `.`, `dot ` or `at `, or at a
    // `.` before a space: only there is it looked for.
    (0..b.len()).any(|i| {
        matches!(
            b.get(i..).unwrap_or_default(),
            [b' ', b'[' | b'(' | b'{' | b'.', ..]
                | [b' ', b'd', b'o', b't', b' ', ..]
                | [b' ', b'a', b't', b' ', ..]
                | [b'.', b' ', ..]
        ) && sub_at(text, i, true, false).is_some()
            && sub_at(text, i, false, false).is_none()
    })
}

/// The reading of [`refang`] (or, when `join`, of [`refang_joined`]) that the e-mail
/// recogniser makes too: the word `at` between two of `.` `-` `_` `[.]` `(.)` `{.}`, with a
/// letter or digit beyond each, as `@` (`alice.at.example.com`, `alice-at-example.com`,
/// `alice[.]at[.]example[.]com`), the word `dot` so as `.` (`mail-dot-example-dot-net`), and
/// an `@` with spaces beside it as `@` alone (`j.smith @ example.net`). `None` when nothing is
/// read otherwise.
pub fn refang_words(text: &str, join: bool) -> Option<(String, Vec<Range<usize>>)> {
    refang_as(text, join, true)
}

/// [`refang`], joining across spaces too when `join` ([`refang_joined`]).
pub(crate) fn refang_with(text: &str, join: bool) -> Option<(String, Vec<Range<usize>>)> {
    refang_as(text, join, false)
}

/// [`refang_with`], reading the e-mail writings of [`refang_words`] too when `words`; then the
/// domain literals holding a name ([`literal_names`]) in what that reads, so a literal written
/// with defanged dots or after a defanged `@` is read too (`alice.smith@[agency[.]example[.]gov]`,
/// `alice.smith [at] [agency.example.gov]`).
fn refang_as(text: &str, join: bool, words: bool) -> Option<(String, Vec<Range<usize>>)> {
    with_literal_names(text, refang_subs(text, join, words))
}

/// `subs` (a reading of `text`, or `None` when it is `text`) with its domain literals holding
/// a name read too ([`literal_names`]), each byte's range taken back to `text`.
fn with_literal_names(text: &str, subs: Option<(String, Vec<Range<usize>>)>) -> Option<(String, Vec<Range<usize>>)> {
    let read = subs.as_ref().map_or(text, |(t, _)| t.as_str());
    let Some((named, second)) = literal_names(read) else {
        return subs;
    };
    let Some((_, first)) = subs else {
        return Some((named, second));
    };
    // Each byte's range in `text`: from the first byte's start to the last one's end of what it
    // came from in the substituted text.
    let map = second
        .into_iter()
        .map(|r| {
            let from = first.get(r.start).map_or(0, |f| f.start);
            let to = r.end.checked_sub(1).and_then(|k| first.get(k)).map_or(from, |f| f.end);
            from..to
        })
        .collect();
    Some((named, map))
}

/// The substitutions of [`refang_as`], one pass.
fn refang_subs(text: &str, join: bool, words: bool) -> Option<(String, Vec<Range<usize>>)> {
    // Where the first substitution applies; none (most text): nothing changes, nothing is
    // allocated. Every substitution starts with one of these ASCII bytes, so a position holding
    // one is a character boundary.
    let b = text.as_bytes();
    let first = b
        .iter()
        .enumerate()
        .find(|&(i, &c)| {
            may_start_sub(c, i.checked_add(1).and_then(|k| b.get(k)).copied(), join, words)
                && sub_at(text, i, join, words).is_some()
        })
        .map(|(i, _)| i)?;
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let head = text.get(..first).unwrap_or_default();
    out.push_str(head);
    for (i, c) in head.char_indices() {
        map.extend(std::iter::repeat_n(i..i + c.len_utf8(), c.len_utf8()));
    }
    let mut i = first;
    while i < text.len() {
        if b.get(i)
            .is_some_and(|&c| may_start_sub(c, i.checked_add(1).and_then(|k| b.get(k)).copied(), join, words))
            && let Some((from, to)) = sub_at(text, i, join, words)
        {
            out.push_str(to);
            map.extend(std::iter::repeat_n(i..i + from, to.len()));
            i += from;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        out.push(c);
        map.extend(std::iter::repeat_n(i..i + c.len_utf8(), c.len_utf8()));
        i += c.len_utf8();
    }
    Some((out, map))
}

/// The defanged writings [`refang`] reads anywhere, and what each stands for (first match
/// wins).
const REFANG_SUBS: &[(&str, &str)] = &[
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("(dot)", "."),
    ("{dot}", "."),
    ("[:]", ":"),
    ("[://]", "://"),
    ("[@]", "@"),
    ("[at]", "@"),
    ("(at)", "@"),
    ("{at}", "@"),
    ("[/]", "/"),
    ("\\.", "."),
    // An `@` and a dot written as e-mail obfuscators write them: `j.smith<at>example<dot>net`,
    // `(a)`, `(@)`, `{@}`, `<@>`, `_at_`, and the katakana `アット` ("at").
    ("<at>", "@"),
    ("<dot>", "."),
    ("(a)", "@"),
    ("(@)", "@"),
    ("{@}", "@"),
    ("<@>", "@"),
    (" \u{30A2}\u{30C3}\u{30C8} ", "@"),
    ("\u{30A2}\u{30C3}\u{30C8}", "@"),
    ("hxxp", "http"),
    ("hxxps", "https"),
    ("fxp", "ftp"),
];

/// The dots of a domain spelt out that make a preceding ` at ` an `@`.
const SPELT_DOTS: &[&str] = &[
    " dot ", " (dot) ", " [dot] ", " {dot} ", "(dot)", "[dot]", "{dot}", "[.]", "(.)", "{.}", " [.] ", " (.) ",
];

/// The printable ASCII characters, each one a `&'static str` by slicing (`%xx` decodes to one).
const PRINTABLE: &str =
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// Whether a substitution of [`refang`] (joining when `join`, with the e-mail writings when
/// `words`) can start with byte `c`, `next` the byte after it. Spaces, `h` and `f` are common
/// in prose and start few writings: `hxxp`, `fxp` and, unless joining or reading e-mail
/// writings, ` アット` only (every other writing starts with another byte).
fn may_start_sub(c: u8, next: Option<u8>, join: bool, words: bool) -> bool {
    match c {
        b'h' | b'f' => next == Some(b'x'),
        b' ' => join || words || next == Some(0xE3),
        _ => {
            matches!(c, b'[' | b'(' | b'{' | b'\\' | b'%' | b'<' | b'_' | 0xE3)
                || (join && c == b'.')
                || (words && matches!(c, b'.' | b'-' | b'@'))
        }
    }
}

/// The separators that stand either side of a word `at` or `dot` written for `@` or `.`
/// ([`refang_words`]).
const WORD_SEPS: &[&[u8]] = &[b".", b"-", b"_", b"[.]", b"(.)", b"{.}"];

/// The e-mail writing of [`refang_words`] at the start of `rest` (`prev`: the byte before it),
/// if any: how many bytes it reads and what it writes.
fn word_sub(prev: u8, rest: &[u8]) -> Option<(usize, &'static str)> {
    match rest {
        [b' ', b'@', b' ', ..] => return Some((3, "@")),
        [b' ', b'@', ..] | [b'@', b' ', ..] => return Some((2, "@")),
        _ => {}
    }
    if !prev.is_ascii_alphanumeric() {
        return None;
    }
    let open = WORD_SEPS.iter().find(|s| rest.starts_with(s))?;
    let after_open = rest.get(open.len()..)?;
    let (word, to) = [(&b"at"[..], "@"), (&b"dot"[..], ".")]
        .into_iter()
        .find(|(w, _)| after_open.starts_with(w))?;
    let after_word = after_open.get(word.len()..)?;
    let close = WORD_SEPS.iter().find(|s| after_word.starts_with(s))?;
    let used = open.len() + word.len() + close.len();
    rest.get(used)
        .is_some_and(u8::is_ascii_alphanumeric)
        .then_some((used, to))
}

/// Whether the word `at` at the start of `rest` (at `i` of `b`) between dots is a label of a
/// host name, not an `@`: the name before it (letters, digits, dots and dashes, looked back over
/// 64 bytes at most, a local part's longest) is the host of a URL (after `//`:
/// `https://shop.at.example.com/`) or starts with the label `www` (`www.at.example.com`, a
/// site's name in Austria). Any other (`alice.at.example.com`) is read as an address.
fn names_a_host(b: &[u8], i: usize, rest: &[u8]) -> bool {
    if !matches!(rest.first(), Some(b'.' | b'[' | b'(' | b'{')) {
        return false;
    }
    let from = i.saturating_sub(65);
    let before = b.get(from..i).unwrap_or_default();
    let len = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
        .count();
    if len > 64 {
        return false;
    }
    let start = i.saturating_sub(len);
    let first = b
        .get(start..i)
        .unwrap_or_default()
        .split(|&c| c == b'.')
        .next()
        .unwrap_or_default();
    let www = first
        .get(..3)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"www") && first.iter().skip(3).all(u8::is_ascii_digit));
    let url = start >= 2 && b.get(start - 2..start) == Some(&b"//"[..]);
    www || url
}

/// The bracketed forms of [`REFANG_SUBS`] written with a space either side, and the spaced dot:
/// read so only when joining ([`refang_joined`]).
const JOINING_SUBS: &[(&str, &str)] = &[
    (" [.] ", "."),
    (" (.) ", "."),
    (" {.} ", "."),
    (" [dot] ", "."),
    (" (dot) ", "."),
    (" {dot} ", "."),
    (" [@] ", "@"),
    (" [at] ", "@"),
    (" (at) ", "@"),
    (" {at} ", "@"),
];

/// The substitution [`refang`] (joining across spaces when `join`) makes at byte `i` of
/// `text`, if any: how many bytes it reads and what it writes.
fn sub_at(text: &str, i: usize, join: bool, words: bool) -> Option<(usize, &'static str)> {
    let b = text.as_bytes();
    let rest = b.get(i..)?;
    if words
        && let Some(sub) = word_sub(i.checked_sub(1).and_then(|p| b.get(p)).copied().unwrap_or(0), rest)
        && !(sub.1 == "@" && rest.first() != Some(&b'@') && rest.first() != Some(&b' ') && names_a_host(b, i, rest))
    {
        return Some(sub);
    }
    let table = |subs: &'static [(&'static str, &'static str)]| {
        subs.iter()
            .find(|(f, _)| rest.starts_with(f.as_bytes()))
            .map(|(f, t)| (f.len(), *t))
    };
    if let Some(sub) = join
        .then(|| table(JOINING_SUBS))
        .flatten()
        .or_else(|| table(REFANG_SUBS))
    {
        return Some(sub);
    }
    if let [b'%', h, l, ..] = rest {
        // `%` and two hex digits: the printable ASCII character they encode.
        let v = (char::from(*h).to_digit(16)? << 4) | char::from(*l).to_digit(16)?;
        let k = usize::try_from(v.checked_sub(0x21)?).ok()?;
        return Some((3, PRINTABLE.get(k..=k)?));
    }
    if !join {
        return None;
    }
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    let prev = i.checked_sub(1).map_or(0, at);
    match rest {
        // ` dot ` and ` . ` between two letters or digits.
        [b' ', b'd', b'o', b't', b' ', next, ..] if prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric() => {
            Some((5, "."))
        }
        [b' ', b'.', b' ', next, ..] if prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric() => Some((3, ".")),
        // ` at ` before a label and ` dot `: an address spelt out.
        [b' ', b'a', b't', b' ', tail @ ..] if prev.is_ascii_alphanumeric() => {
            let label = tail
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                .count();
            let after = tail.get(label..)?;
            let dot = SPELT_DOTS.iter().any(|d| after.starts_with(d.as_bytes()));
            // Or a local part no word of prose is (`alice.smith`, `j_doe`, `a+b`) before a name
            // written with its dots (`alice.smith at agency.example.gov`; `look at corp.example`
            // is prose).
            let named = after.first() == Some(&b'.')
                && after.get(1).is_some_and(u8::is_ascii_alphanumeric)
                && local_part_before(b.get(..i)?);
            (label > 0 && (dot || named)).then_some((4, "@"))
        }
        // `. ` and ` .` between two letters or digits.
        [b'.', b' ', next, ..] | [b' ', b'.', next, ..]
            if prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric() =>
        {
            Some((2, "."))
        }
        _ => None,
    }
}

/// File extensions that are not delegated top-level domains: after `@`, they make a file name.
pub const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "pdf", "txt", "csv", "json",
    "xml", "htm", "html", "js", "css", "exe", "dll", "so", "bin", "dat", "log", "ini", "cfg", "yml", "yaml", "gz",
    "tgz", "rar", "7z", "tar", "iso", "img", "mp3", "mp4", "avi", "wav", "webm", "ps1", "bat", "sh", "py", "rb", "doc",
    "docx", "xls", "xlsx", "ppt", "pptx",
];

/// Whether `before` ends with a word that reads as an e-mail's local part and as no word of
/// prose: letters, digits, `.`, `_`, `+` and `-`, a letter or digit at each end, a `.`, `_` or
/// `+` inside, a letter, and no file extension last (`198.51.100.7 at corp.example` and
/// `dropper.exe at corp.example` name hosts).
fn local_part_before(before: &[u8]) -> bool {
    let len = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-'))
        .count();
    let word = before.get(before.len().saturating_sub(len)..).unwrap_or_default();
    word.first().is_some_and(u8::is_ascii_alphanumeric)
        && word.last().is_some_and(u8::is_ascii_alphanumeric)
        && word.iter().any(|c| matches!(c, b'.' | b'_' | b'+'))
        && word.iter().any(u8::is_ascii_alphabetic)
        && !word
            .rsplit(|&c| c == b'.')
            .next()
            .and_then(|e| std::str::from_utf8(e).ok())
            .is_some_and(|e| FILE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// `text` with each domain literal that holds a host name read as the name, as RFC 5322's
/// grammar allows and mail programs read it: `@[`, blanks, the name (letters, digits, `-` and a
/// dot between two labels or more, a letter among them, 253 bytes at most: no address
/// literal), blanks and `]` (`alice.smith@[ agency.example.gov ]` is
/// `alice.smith@agency.example.gov`). The `@` comes from `@[` and its blanks, the name's last
/// byte from the rest of it through `]` (a redaction of the address takes the bracket). With
/// each byte's range in `text`; `None` when there is none. Each `@[` reads to its `]` or to the
/// first byte no literal holds, so each byte is looked at a bounded number of times.
fn literal_names(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    let b = text.as_bytes();
    let blanks = |k: usize| {
        b.get(k..)
            .map_or(0, |r| r.iter().take_while(|c| matches!(c, b' ' | b'\t')).count())
    };
    let mut out = String::new();
    let mut map = Vec::new();
    let mut plain = 0;
    for at in memchr::memmem::find_iter(b, b"@[") {
        if at < plain {
            continue;
        }
        let start = at + 2 + blanks(at + 2);
        let len = b.get(start..).map_or(0, |r| {
            r.iter()
                .take(254)
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.'))
                .count()
        });
        let close = start + len + blanks(start + len);
        let name = b.get(start..start + len).unwrap_or_default();
        let named = len <= 253
            && b.get(close) == Some(&b']')
            && name.iter().any(u8::is_ascii_alphabetic)
            && name.split(|&c| c == b'.').filter(|l| !l.is_empty()).count() >= 2;
        if !named {
            continue;
        }
        out.push_str(text.get(plain..at)?);
        map.extend((plain..at).map(|k| k..k + 1));
        out.push('@');
        map.push(at..start);
        out.push_str(text.get(start..start + len)?);
        map.extend((start..start + len).map(|k| k..k + 1));
        if let Some(last) = map.last_mut() {
            last.end = close + 1;
        }
        plain = close + 1;
    }
    if plain == 0 {
        return None;
    }
    out.push_str(text.get(plain..)?);
    map.extend((plain..text.len()).map(|k| k..k + 1));
    Some((out, map))
}

/// The reference [`refang`]: every position tried against every substitution (kept to check
/// the fast one against, see the property test below).
#[cfg(test)]
fn refang_slow(text: &str, join: bool) -> Option<(String, Vec<Range<usize>>)> {
    refang_slow_as(text, join, false)
}

/// [`refang_slow`], reading the e-mail writings of [`refang_words`] too when `words`.
#[cfg(test)]
fn refang_slow_as(text: &str, join: bool, words: bool) -> Option<(String, Vec<Range<usize>>)> {
    with_literal_names(text, refang_slow_subs(text, join, words))
}

/// The substitutions of [`refang_slow_as`], every position tried.
#[cfg(test)]
fn refang_slow_subs(text: &str, join: bool, words: bool) -> Option<(String, Vec<Range<usize>>)> {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut i = 0;
    let mut changed = false;
    while i < text.len() {
        if text.is_char_boundary(i)
            && let Some((from, to)) = sub_at(text, i, join, words)
        {
            out.push_str(to);
            map.extend(std::iter::repeat_n(i..i + from, to.len()));
            i += from;
            changed = true;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        out.push(c);
        map.extend(std::iter::repeat_n(i..i + c.len_utf8(), c.len_utf8()));
        i += c.len_utf8();
    }
    changed.then_some((out, map))
}

/// Normal text with each shell brace range after a `.` (`.{1..254}`) written as a bracket
/// range (`.[1-254]`), which stays in its word, and for each byte the range of `text` it came
/// from; `None` when there is none.
pub fn brace_reading(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    if !text.contains(".{") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut copied = 0usize;
    let mut changed = false;
    for (k, _) in text.match_indices(".{") {
        let open = k + 1;
        if open < copied {
            continue;
        }
        let rest = text.get(open + 1..).unwrap_or_default();
        // At most `255..255}`: nine bytes.
        let Some(close) = rest.bytes().take(10).position(|b| b == b'}') else {
            continue;
        };
        let Some((a, b)) = rest.get(..close).and_then(|r| r.split_once("..")) else {
            continue;
        };
        if !(1..=3).contains(&a.len())
            || !(1..=3).contains(&b.len())
            || !(a.bytes().chain(b.bytes())).all(|c| c.is_ascii_digit())
        {
            continue;
        }
        out.push_str(text.get(copied..open).unwrap_or_default());
        map.extend((copied..open).map(|i| i..i + 1));
        let end = open + 1 + close + 1;
        let written = format!("[{a}-{b}]");
        map.extend(std::iter::repeat_n(open..end, written.len()));
        out.push_str(&written);
        copied = end;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    map.extend((copied..text.len()).map(|i| i..i + 1));
    Some((out, map))
}

/// Characters that end a word of free text (an address may hold `[ ] : / @ \ % -`).
pub fn is_word_sep(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '(' | ')' | '{' | '}' | ',' | ';' | '|' | '`' | '=' | '&'
        )
}

/// The words of `text` (byte ranges), see [`is_word_sep`].
pub fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start: Option<usize> = None;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| match (start, is_word_sep(c)) {
            (None, false) => {
                start = Some(i);
                None
            }
            (Some(b), true) => {
                start = None;
                Some(b..i)
            }
            _ => None,
        })
}

/// Every reading of the addresses one word of (normalised, refanged) text holds. `host`: the
/// word is a whole value that names a host (see the module doc).
pub fn word_addresses(word: &str, host: bool) -> Vec<Span> {
    let mut out: Vec<Span> = hex_label_addresses(word).map(|v| Span::V4(v, v)).collect();
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    let w = word.trim_end_matches(['.', ':', ',', ';', '!', '?']);
    let add = |piece: &str, host: bool, out: &mut Vec<Span>| {
        let piece = piece
            .trim_matches(|c: char| matches!(c, '[' | ']'))
            .trim_end_matches(['.', '!', '?']);
        if piece.is_empty() || !piece.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        let pieces = percent_decode(piece);
        let piece = pieces.as_deref().unwrap_or(piece);
        out.extend(parse_ip(piece, host));
        out.extend(named_networks(piece));
        // A range `a-b`.
        if let Some((a, b)) = piece.split_once('-') {
            let (x, y) = (parse_ip(a, host), parse_ip(b, host));
            for s in &x {
                for t in &y {
                    match (*s, *t) {
                        (Span::V4(p, _), Span::V4(q, _)) => out.push(Span::V4(p.min(q), p.max(q))),
                        (Span::V6(p, _), Span::V6(q, _)) => out.push(Span::V6(p.min(q), p.max(q))),
                        _ => {}
                    }
                }
            }
            out.extend(x);
            out.extend(y);
            // And a network named on either side (`10.*-x`).
            out.extend(named_networks(a));
            out.extend(named_networks(b));
        }
    };
    add(w, host, &mut out);
    out.extend(named_networks(w));
    // A wildcard network ending in `?` (`192.168.?.?`): the trim above takes it for a question.
    let wild_tail = word.trim_end_matches([',', ';', ':', '!']);
    if wild_tail.ends_with('?') {
        out.extend(named_networks(wild_tail));
    }
    // An IPv6 address ending in `::` (a 6to4 network `2002:a14:1e28::`) keeps its colons: the
    // trim above takes them for a sentence's.
    let v6_tail = word.trim_end_matches(['.', ',', ';', '!', '?']);
    if v6_tail.ends_with("::") {
        add(v6_tail, host, &mut out);
    }
    // `[v6]:port` and `v4:port`.
    if let Some(rest) = w.strip_prefix('[')
        && let Some((inner, _)) = rest.split_once(']')
    {
        add(inner, true, &mut out);
    }
    if let Some((h, p)) = w.rsplit_once(':')
        && !h.contains(':')
        && p.bytes().all(|b| b.is_ascii_digit())
    {
        add(h, host, &mut out);
    }
    // A URL `scheme://[user@]host[:port]/…`, a UNC path `\\host\share`, `IP:host`, `user@[literal]`.
    let after_scheme = w.split_once("://").map(|(_, r)| r);
    let unc = w.strip_prefix("\\\\").or_else(|| w.strip_prefix("//"));
    for rest in after_scheme.into_iter().chain(unc) {
        let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or(rest);
        let h = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        add(h, true, &mut out);
        if let Some(inner) = h.strip_prefix('[').and_then(|x| x.split_once(']')).map(|(i, _)| i) {
            add(inner, true, &mut out);
        } else if let Some((hh, _)) = h.rsplit_once(':') {
            add(hh, true, &mut out);
        }
    }
    if let Some((_, h)) = w.rsplit_once('@') {
        add(h, h.starts_with('['), &mut out);
    }
    if let Some((tag, h)) = w.split_once(':')
        && !tag.is_empty()
        && tag.bytes().all(|b| b.is_ascii_alphabetic())
    {
        add(h, true, &mut out);
    }
    // Any piece between separators of a URL or path (`/x/10.1.2.3/y`, `?ip=…`), or before and
    // after a `%` that encodes nothing (a zone `fe80::1%10.20.30.40`, `10.20.30.40%eth0`).
    if w.contains(['/', '\\', '@', '?', '#', '[', ']', '%']) {
        for piece in w.split(['/', '\\', '@', '?', '#', '[', ']', '%']) {
            add(piece, false, &mut out);
        }
    }
    // A numeric notation glued to what stands beside it (`.172/8`, as `(.)172/8` refangs;
    // `!10/8`, `ip10.20/16`, `…10.*`, `10/8*`): each run of a decimal notation's characters,
    // from its first digit, to its last character that may end one, to its last digit and to
    // its last `]`; and a hexadecimal number from the first `0x` of a run of hexadecimal
    // writing (`x0x0a141e28`). Digits alone are no address in free text; each character is in
    // one run of each kind, so this stays linear in the word.
    let numeric =
        |c: char| c.is_ascii_digit() || matches!(c, '.' | '/' | '*' | '?' | '#' | '-' | '[' | ']' | 'x' | 'n');
    for run in w.split(|c: char| !numeric(c)) {
        let run = run.trim_start_matches(|c: char| !c.is_ascii_digit());
        let ended = run.trim_end_matches(['.', '/', '-', '[']);
        let bare = run.trim_end_matches(|c: char| !c.is_ascii_digit());
        let closed = run.trim_end_matches(|c: char| c != ']');
        for piece in [ended, bare, closed] {
            if piece.len() < w.len() && !piece.bytes().all(|b| b.is_ascii_digit()) {
                add(piece, false, &mut out);
                out.extend(named_networks(piece));
                // And each piece of a path (`10.20.30.*/?`).
                if piece.contains('/') {
                    out.extend(piece.split('/').flat_map(named_networks));
                }
            }
        }
    }
    for run in w.split(|c: char| !(c.is_ascii_hexdigit() || matches!(c, '.' | 'x'))) {
        if let Some(k) = run.find("0x")
            && let Some(hex) = run.get(k..).map(|h| h.trim_end_matches('.'))
            && hex.len() < w.len()
        {
            add(hex, false, &mut out);
        }
    }
    // Four decimal parts inside a longer run or glued to letters (`ip10.20.30.40`,
    // `10.20.30.40.nip.io`, `1.10.20.30.40`), and four joined by `-` as host names write them
    // (`ip-10-20-30-40.ec2.internal`, `10-20-30-40.sslip.io`).
    for sep in ['.', '-'] {
        for run in w.split(|c: char| !(c.is_ascii_digit() || c == sep)) {
            let parts: Vec<&str> = run.split(sep).collect();
            for four in parts.windows(4) {
                if four.iter().all(|p| (1..=3).contains(&p.len())) {
                    add(&four.join("."), false, &mut out);
                }
            }
        }
    }
    out
}

/// The IPv4 addresses a host name spells in a label of eight hexadecimal digits, as
/// wildcard-DNS services resolve it (`0a141e28.nip.io`, `app-0a141e28.sslip.io` are 10.20.30.40):
/// the last alphanumeric run of a label (after a `-` or any other sign), with at least two labels
/// after it, so that a file's name (`0a141e28.exe`) and a bare hash (`crc 0a141e28`) are none.
fn hex_label_addresses(w: &str) -> impl Iterator<Item = u32> + '_ {
    let named = w.split('.').count().saturating_sub(2);
    w.split('.').take(named).filter_map(|label| {
        let run = label
            .rsplit(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or(label);
        if run.len() == 8 && run.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(run, 16).ok()
        } else {
            None
        }
    })
}

/// The networks a word (normalised, refanged) names in a notation other than an address's:
/// - a reverse-DNS name: the decimal labels before `in-addr.arpa`, last first
///   (`40.30.20.10.in-addr.arpa` is 10.20.30.40; the zone `10.in-addr.arpa` is 10.0.0.0/8;
///   a label that is not a decimal octet, as RFC 2317's `0/26`, ends them: the network the
///   labels after it name, which holds the one meant), and the
///   hexadecimal nibbles before `ip6.arpa`, last first (the IPv6 network they spell, which may
///   carry an IPv4 address);
/// - an abbreviated CIDR network, the parts written padded with zeros on the right as `ip
///   route` reads them (`10/8`, `172.16/12`, `192.168/16`, `192.168.1/24`): one to three
///   decimal parts, a length of at least 8 that ends inside the last part written (so `24/7`,
///   `1/2` and `Windows 10/11` are no networks);
/// - a wildcard network of four parts, the first holding a digit, each a decimal or a wildcard
///   part ([`wild_part`]: `*`, `x`, `?`, `xx`, `###`, a range `[a-b]`, `a-b` or `{a..b}`, digits
///   and wildcards mixed) (`10.20.30.*`, `192.168.x.x`, `10.20.30.[40-50]`,
///   `192.168.0-255.0-255`, `10.20.3?.40`), at least one not a decimal; or one octet and a
///   final `*` (`10.*`; `10.2.*` is a version); read as the interval from its lowest to its highest address (never
///   narrower than what it names).
pub fn named_networks(w: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let w = w.strip_suffix('.').unwrap_or(w);
    if !w.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    let octet = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u32>().ok().filter(|&v| v <= 255)
    };
    // Reverse DNS: every occurrence (a name inside a URL, a zone after another).
    let mut at = 0;
    while let Some(k) = w.get(at..).and_then(|r| r.find("in-addr.arpa")) {
        let start = at + k;
        if let Some(before) = w.get(..start).and_then(|b| b.strip_suffix('.')) {
            let labels: Vec<u32> = before.rsplit('.').map_while(octet).take(4).collect();
            if !labels.is_empty() {
                let mut v = 0u32;
                for (i, o) in labels.iter().enumerate() {
                    v |= o << (24 - 8 * i as u32);
                }
                let host = 32 - 8 * labels.len() as u32;
                let span = u32::MAX.checked_shr(32 - host).unwrap_or(0);
                out.push(Span::V4(v & !span, v | span));
            }
        }
        at = start + "in-addr.arpa".len();
    }
    let mut at = 0;
    while let Some(k) = w.get(at..).and_then(|r| r.find("ip6.arpa")) {
        let start = at + k;
        if let Some(before) = w.get(..start).and_then(|b| b.strip_suffix('.')) {
            let nibbles: Vec<u128> = before
                .rsplit('.')
                .map_while(|l| {
                    let mut c = l.chars();
                    match (c.next(), c.next()) {
                        (Some(h), None) => h.to_digit(16).map(u128::from),
                        _ => None,
                    }
                })
                .take(32)
                .collect();
            if !nibbles.is_empty() {
                let mut v = 0u128;
                for (i, n) in nibbles.iter().enumerate() {
                    v |= n << (124 - 4 * i as u32);
                }
                let host = 128 - 4 * nibbles.len() as u32;
                let span = u128::MAX.checked_shr(128 - host).unwrap_or(0);
                out.push(Span::V6(v & !span, v | span));
            }
        }
        at = start + "ip6.arpa".len();
    }
    // Abbreviated CIDR.
    if let Some((a, len)) = w.split_once('/')
        && let Some(len) = octet(len).filter(|l| (8..=32).contains(l))
    {
        let parts: Vec<Option<u32>> = a.split('.').map(octet).collect();
        let k = parts.len() as u32;
        if (1..=3).contains(&k) && parts.iter().all(Option::is_some) && 8 * (k - 1) < len && len <= 8 * k {
            let mut v = 0u32;
            for (i, o) in parts.iter().flatten().enumerate() {
                v |= o << (24 - 8 * i as u32);
            }
            let span = u32::MAX.checked_shr(len).unwrap_or(0);
            out.push(Span::V4(v & !span, v | span));
        }
    }
    // Wildcards: four parts, the first holding a digit (any four in a row: `10.20.30.*.x`); or a
    // first octet and a `*` after it, whatever follows (`10.*`, `10.*x`, `10.*.x`: the rest of
    // the network; `10.2.*` and `10.x` are how versions are written, and are none).
    let parts: Vec<&str> = w.split('.').collect();
    let star = |p: &&str| p.starts_with('*') && p.bytes().all(|b| matches!(b, b'*' | b'?' | b'x' | b'n' | b'#'));
    let short = parts.get(1).is_some_and(star) && parts.first().is_some_and(|p| octet(p).is_some());
    let fours = parts
        .windows(4)
        .filter(|four| four.first().is_some_and(|p| p.bytes().any(|b| b.is_ascii_digit())));
    let ten_star = [parts.first().copied().unwrap_or(""), "*"];
    for four in fours.chain(short.then_some(ten_star.as_slice())) {
        let mut lo = 0u32;
        let mut hi = 0u32;
        let mut wild = false;
        let mut ok = true;
        for k in 0..4 {
            let (a, b) = match four.get(k) {
                Some(p) => match octet(p) {
                    Some(v) => (v, v),
                    None => match wild_part(p) {
                        Some(r) => {
                            wild = true;
                            r
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    },
                },
                None => (0, 255),
            };
            lo = (lo << 8) | a;
            hi = (hi << 8) | b;
        }
        if ok && wild {
            out.push(Span::V4(lo, hi));
        }
    }
    out
}

/// The values a part of a wildcard network that is not a decimal octet stands for: any (`*`,
/// `?`, `x`, `n`, `#`, one to three of one of them: `xx`, `???`, `###`), a range (`[a-b]`,
/// nmap's `a-b`, a shell's `{a..b}`), or any value when digits and wildcards are mixed (`3?`,
/// `1*`: read as wider than they are, never narrower).
fn wild_part(p: &str) -> Option<(u32, u32)> {
    let octet = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u32>().ok().filter(|&v| v <= 255)
    };
    let wild = |b: u8| matches!(b, b'*' | b'?' | b'x' | b'n' | b'#');
    let bytes = p.as_bytes();
    if let Some(&first) = bytes.first()
        && (1..=3).contains(&bytes.len())
        && wild(first)
        && bytes.iter().all(|&b| b == first)
    {
        return Some((0, 255));
    }
    if (2..=3).contains(&bytes.len())
        && bytes.iter().all(|&b| b.is_ascii_digit() || wild(b))
        && bytes.iter().any(|&b| wild(b))
    {
        return Some((0, 255));
    }
    let inner = p
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| p.strip_prefix('{').and_then(|r| r.strip_suffix('}')))
        .unwrap_or(p);
    let (a, b) = inner.split_once("..").or_else(|| inner.split_once('-'))?;
    let (a, b) = (octet(a)?, octet(b)?);
    Some((a.min(b), a.max(b)))
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') || s.contains(':') {
        return None; // `%` in IPv6 is a zone id
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(h) = b.get(i + 1..i + 3)
            && let Some(v) = std::str::from_utf8(h).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v.to_ascii_lowercase());
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A domain literal holding a name is read as the name, blanks and defanged writings inside
    /// it too; the name's last byte maps back through the `]`, so a redaction takes it. No
    /// address literal, one label, or a literal left open is read so.
    #[test]
    fn reads_domain_literals_holding_a_name() {
        for (t, read) in [
            ("a@[agency.example.gov]", "a@agency.example.gov"),
            ("a@[ agency.example.gov\t]", "a@agency.example.gov"),
            ("a@[agency[.]example(.)gov] x", "a@agency.example.gov x"),
            ("a[at][agency.example.gov]", "a@agency.example.gov"),
            ("a@[b.example] b@[c.example]", "a@b.example b@c.example"),
        ] {
            assert_eq!(refang(t).map(|(r, _)| r).as_deref(), Some(read), "{t:?}");
        }
        let (_, map) = refang("a@[ agency.example.gov ] x").unwrap_or_default();
        assert_eq!(map.get(1), Some(&(1..4)));
        assert_eq!(map.get(19), Some(&(21..24)));
        assert_eq!(map.get(20), Some(&(24..25)));
        for t in [
            "a@[10.1.2.3]",
            "a@[ipv6:2001:db8::1]",
            "a@[localhost]",
            "a@[agency.example.gov",
            "a@[x y.z]",
            "a@[1.2]",
        ] {
            assert_eq!(refang(t), None, "{t:?}");
        }
    }

    /// Red team R01 and R11: reverse-DNS names, abbreviated CIDR and wildcard networks are read
    /// as the networks they name; their benign neighbours are not.
    #[test]
    fn reads_reverse_dns_names_abbreviated_cidr_and_wildcards() {
        for w in [
            "40.30.20.10.in-addr.arpa",
            "40.30.20.10.in-addr.arpa.",
            "10.in-addr.arpa",
            "16.172.in-addr.arpa",
            "0/26.30.20.10.in-addr.arpa",
            "http://40.30.20.10.in-addr.arpa/x",
            "8.2.e.1.4.1.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
            "a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
            "d.f.ip6.arpa",
            "10/8",
            "172.16/12",
            "192.168/16",
            "192.168.1/24",
            "10.20/16",
            "10.20.30.*",
            "192.168.x.x",
            "10.*.*.*",
            "10.20.30.[40-50]",
            "10.20.[0-255].1",
            // Red team SB18: a short wildcard, ranges.
            "10.*",
            "192.168.0-255.0-255",
            "172.16-31.*.*",
            "10.20.30.xx",
            "192.168.?.?",
            "10.20.3?.40",
        ] {
            assert!(hit(w, false), "{w}");
            assert!(hit(w, true), "{w} as a host");
        }
        for w in [
            "1.2.3.4.in-addr.arpa",
            "113.0.203.in-addr.arpa",
            "in-addr.arpa",
            "11.in-addr.arpa",
            "8.b.d.0.1.0.0.2.ip6.arpa",
            "10/11",
            "24/7",
            "50/50",
            "10/7",
            "203.0/16",
            "10.2.*",
            "10.2.x",
            "203.0.113.*",
            "*.10.20.30",
            "10.20.30.[a-b]",
        ] {
            assert!(!hit(w, false), "{w}");
        }
    }

    fn internal() -> Ranges {
        Ranges::parse(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"]).unwrap()
    }

    fn hit(w: &str, host: bool) -> bool {
        let r = internal();
        let n = crate::text::normalize(w).text;
        let t = refang(&n).map_or(n, |(t, _)| t);
        words(&t).any(|x| {
            word_addresses(t.get(x).unwrap(), host)
                .into_iter()
                .any(|s| r.overlaps(s))
        })
    }

    #[test]
    fn reads_every_notation_of_an_internal_address() {
        for w in [
            "10.20.30.40",
            "::ffff:10.0.0.1",
            "::ffff:c0a8:101",
            "::10.0.0.1",
            "http://[::ffff:172.16.5.5]/",
            "http://167772161/",
            "0x0a000001",
            "0xa000001",
            "010.000.000.001",
            "0xa.0.0.1",
            "10.20.30.1-10.20.30.254",
            "9.0.0.0-11.0.0.0",
            "10[.]20[.]30[.]40",
            "\\\\10.20.30.40\\admin$",
            "IP:10.20.30.40",
            "user@[10.1.2.3]",
            "10.0.0.0/24",
            "http://10.1/x",
            "hxxp://10(.)1(.)2(.)3:8080/",
            "[fd00::1]:443",
            "64:ff9b::a00:1",
            "2002:0a00:0001::1",
            "http://%31%30.0.0.1/",
            "１０．２０．３０．４０",
        ] {
            assert!(hit(w, false), "{w}");
        }
        assert!(hit("10.1", true));
        assert!(hit("167772161", true));
    }

    #[test]
    fn ordinary_numbers_are_not_addresses() {
        for w in [
            "CVSS 10.0",
            "version 10.1.2",
            "167772161 bytes",
            "203.0.113.9",
            "11.0.0.1",
            "2024-01-15",
            "+1 202-555-0143",
            "fe80::1",
            "logo@2x.png",
        ] {
            assert!(!hit(w, false), "{w}");
        }
    }

    /// F06: a part may carry any number of leading zeros (`strtoul` reads them all), octal,
    /// decimal or hex; the digits after them are what is bounded.
    #[test]
    fn reads_parts_with_any_number_of_leading_zeros() {
        let zeros = "0".repeat(500);
        for w in [
            "0000000000012.024.036.050".to_string(),
            "http://0000000000012.024.036.050/".to_string(),
            "00000000000010.20.30.40".to_string(),
            "0x0000000000000a141e28".to_string(),
            "http://0x0000000000000a141e28/".to_string(),
            format!("{zeros}12.{zeros}24.036.050"),
            format!("0x{zeros}a.20.30.40"),
        ] {
            assert!(hit(&w, false), "{w}");
        }
        assert!(hit("0000000000000000012.0x0000000000141e28", true));
        // Still numbers: too many significant digits, or outside.
        for w in [
            "0000000000203.0.113.9",
            "0x000000000000cb007109",
            "1000000000000010.20.30.40",
        ] {
            assert!(!hit(w, false), "{w}");
        }
    }

    /// F07: every IPv6 address known to carry an IPv4 one is compared as that too.
    #[test]
    fn reads_the_ipv4_address_an_ipv6_address_carries() {
        for w in [
            // translated (SIIT) ::ffff:0:0:0/96
            "::ffff:0:a14:1e28",
            "::ffff:0:10.20.30.40",
            "[::ffff:0:a14:1e28]:80",
            // ISATAP, private and global interface ids
            "fe80::5efe:a14:1e28",
            "fe80::200:5efe:a14:1e28",
            "2001:db8:1:2:0:5efe:10.20.30.40",
            // Teredo: the client inverted, and the server
            "2001:0:4136:e378:8000:63bf:f5eb:e1d7",
            "2001:0:a14:1e28:8000:63bf:34ff:8efe",
            // NAT64, RFC 6052 at /32 /40 /48 /56 /64 /96, well-known and local-use prefix
            "64:ff9b:a14:1e28::",
            "64:ff9b:a:141e:28::",
            "64:ff9b:1:a14:1e:2800::",
            "64:ff9b:1:a:14:1e28::",
            "64:ff9b:1:0:a:141e:2800:0",
            "64:ff9b:1::a14:1e28",
            "64:ff9b::a14:1e28",
            // 6to4: the network written alone, and networks of it
            "2002:a14:1e28::",
            "2002:a14:1e28::.",
            "see 2002:a14:1e28::, then",
            "2002:a14:1e28::/48",
            "2002:a00::/24",
            "http://[2002:a14:1e28::]/",
        ] {
            assert!(hit(w, false), "{w}");
        }
        // The same forms carrying an outside address, and addresses that carry none.
        for w in [
            "::ffff:0:cb00:7109",
            "fe80::5efe:cb00:7109",
            "2001:0:4136:e378:8000:63bf:34ff:8ef6",
            "64:ff9b:1::cb00:7109",
            "64:ff9b:1:cb00:71:900::",
            "2002:cb00:7109::",
            "2001:db8::a14:1e28",
            "fe80::a14:1e28",
            "2001:0:4136:e378::",
        ] {
            assert!(!hit(w, false), "{w}");
        }
    }

    /// An IPv6 interval is compared as every IPv4 address its embedding can make: a network
    /// that spans the embedded bits spans them all.
    #[test]
    fn an_ipv6_network_carries_every_ipv4_address_under_it() {
        let r = internal();
        let v6 = |s: &str| match parse_network(s) {
            Some(Span::V6(a, b)) => (a, b),
            other => panic!("{s}: {other:?}"),
        };
        let (a, b) = v6("2002::/16");
        assert!(r.overlaps(Span::V6(a, b)));
        let (a, b) = v6("2002:cb00::/24");
        assert!(!r.overlaps(Span::V6(a, b)));
        // A Teredo network whose client bits run over everything.
        let (a, b) = v6("2001:0:4136:e378::/64");
        assert!(r.overlaps(Span::V6(a, b)));
        // NAT64 /48 layout: the first 16 bits fixed (cb00), the rest free: outside.
        let (a, b) = v6("64:ff9b:1:cb00::/64");
        assert!(embedded_v4(a, b).contains(&(0xcb00_0000, 0xcb00_ffff)));
    }

    #[test]
    fn reads_other_scripts_full_stops_as_dots() {
        for w in [
            "10\u{589}20\u{589}30\u{589}40",
            "10\u{66B}20\u{66B}30\u{66B}40",
            "10\u{6D4}20\u{6D4}30\u{6D4}40",
            "10\u{1362}20\u{1362}30\u{1362}40",
            "10\u{2E3C}20\u{2E3C}30\u{2E3C}40",
            "10\u{A4FF}20\u{A4FF}30\u{A4FF}40",
            "10\u{0964}20\u{0964}30\u{0964}40",
        ] {
            assert!(hit(w, false), "{w}");
        }
    }

    #[test]
    fn reads_spelt_out_spaced_and_percent_encoded_writing() {
        let r = |t: &str| refang_joined(t).or_else(|| refang(t)).map(|(t, _)| t);
        assert_eq!(r("bob (at) corp (dot) example").as_deref(), Some("bob@corp.example"));
        assert_eq!(r("bob at corp dot example").as_deref(), Some("bob@corp.example"));
        assert_eq!(r("bob at corp [.] example").as_deref(), Some("bob@corp.example"));
        assert_eq!(r("10 . 20. 30 .40").as_deref(), Some("10.20.30.40"));
        assert_eq!(r("intranet .corp. example").as_deref(), Some("intranet.corp.example"));
        assert_eq!(r("http://10%2e20%2e30%2e40/").as_deref(), Some("http://10.20.30.40/"));
        assert_eq!(r("a%40b%2Fc").as_deref(), Some("a@b/c"));
        // Ordinary prose stays as it is.
        for t in [
            "look at corp.example",
            "dot com",
            "the end. ",
            "steps: 1.",
            "100% 20 off",
            "%20x",
        ] {
            assert_eq!(r(t), None, "{t}");
        }
    }

    proptest::proptest! {
        /// The fast [`refang`] (which skips text where no substitution can start) reads every
        /// text exactly as the reference that tries every substitution at every position: same
        /// text, same map back, `None` alike.
        #[test]
        fn fast_refang_agrees_with_the_reference(
            t in "([\\[\\](){}.:/@\\\\hxpsftdoa %e4_<>-]|xxp|dot| at | dot |é|。|1|%2e|%40|%g1|%7f|\u{30A2}\u{30C3}\u{30C8}| \u{30A2}\u{30C3}\u{30C8} ){0,40}"
        ) {
            proptest::prop_assert_eq!(refang(&t), refang_slow(&t, false));
            // The e-mail writings too (a space, `h` and `f` are looked past by the next byte).
            for join in [false, true] {
                proptest::prop_assert_eq!(refang_words(&t, join), refang_slow_as(&t, join, true));
            }
            // The joined reading is the reference's, and is not skipped when it differs.
            let joined = refang_slow(&t, true);
            match refang_joined(&t) {
                Some(j) => proptest::prop_assert_eq!(Some(j), joined),
                None => proptest::prop_assert_eq!(joined, refang(&t)),
            }
        }
    }

    /// The canaries and benign neighbours of the content tables are read by the fast refang as
    /// by the reference, every way.
    #[test]
    fn fast_refang_reads_the_content_tables_as_the_reference() {
        let canaries = crate::fuzzing::content::KINDS
            .into_iter()
            .flat_map(crate::fuzzing::content::encodings);
        let benign = crate::fuzzing::content::BENIGN.iter().map(|s| (*s).to_string());
        for s in canaries.chain(benign) {
            let n = crate::text::normalize(&s).text;
            for t in [s.clone(), n] {
                assert_eq!(refang(&t), refang_slow(&t, false), "{t:?}");
                for join in [false, true] {
                    assert_eq!(refang_words(&t, join), refang_slow_as(&t, join, true), "{t:?}");
                }
            }
        }
    }
}
