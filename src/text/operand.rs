//! Whether a pattern's `MATCHES` (regular expression) or `LIKE` operand could reveal an internal
//! address or domain. The expression is parsed with `regex-syntax`; the literal runs it requires
//! (text between wildcards, classes of one character read as that character) are looked at:
//!
//! - a run that is or holds an internal address or domain ([`Internal::find`]; a run anchored at
//!   both ends is a whole value, so the short IPv4 forms count);
//! - a run that is a piece of an internal domain spanning a label boundary (`corp.exam`,
//!   `p.example`), or the domain's first, distinguishing label (`corp`);
//! - a run of digits and dots that, completed to a dotted quad in any alignment (its first part
//!   may end an octet, its last may begin one, unless anchored), can fall in an internal range
//!   (`^10\.20\.`, `\.16\.5\.`);
//! - likewise a run of hex digits and colons completed to an IPv6 address, group by group
//!   (`^fd12:34`, `:a00:1`, the IPv4-mapped `::ffff:a00:`); across a `::` the two sides are
//!   placed independently.
//!
//! An expression `regex-syntax` does not parse (PCRE look-arounds, back-references) is denied:
//! in doubt, the comparison does not cross.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

use super::addr::Span;
use super::internal::Internal;
use super::normalize;

/// One literal run: its text and whether it is anchored at the start / end of the value.
#[derive(Debug, Default, Clone)]
struct Run {
    text: String,
    start: bool,
    end: bool,
}

/// Whether the `MATCHES` operand `re` could reveal an internal address or domain.
pub fn regex_reveals(re: &str, internal: &Internal) -> bool {
    if internal.is_empty() {
        return false;
    }
    let hir = match regex_syntax::ParserBuilder::new()
        .nest_limit(64)
        .unicode(true)
        .case_insensitive(false)
        .build()
        .parse(re)
    {
        Ok(h) => h,
        Err(_) => return true,
    };
    // The operand read as text too (escapes gone): `\.` is a dot, `%31` a percent-encoding.
    if !internal.find(&re.replace('\\', ""), false).is_empty() {
        return true;
    }
    let mut runs = Vec::new();
    let mut cur = Run::default();
    walk(&hir, &mut cur, &mut runs, 0);
    flush(&mut cur, &mut runs, false);
    runs.iter().any(|r| run_reveals(r, internal))
}

/// Whether the `LIKE` operand `like` (`%` any run, `_` any one character) could reveal one.
pub fn like_reveals(like: &str, internal: &Internal) -> bool {
    if internal.is_empty() {
        return false;
    }
    // As written, and between its outer wildcards (whose escapes are read: a `%` inside may be
    // a wildcard or a percent-encoding, `%10%252e20%252e30%252e40%`).
    if !internal.find(like, false).is_empty() || like_inner(like).any(|t| !internal.find(t, false).is_empty()) {
        return true;
    }
    let pieces: Vec<&str> = like.split(['%', '_']).collect();
    let n = pieces.len();
    pieces.iter().enumerate().any(|(i, p)| {
        let r = Run {
            text: (*p).to_string(),
            start: i == 0,
            end: i + 1 == n,
        };
        run_reveals(&r, internal)
    })
}

/// A `LIKE` operand between its outer wildcards, read as text: without one `%` at each end, and
/// without all of them (`%%u0031%u0030…%` and `%202%2D555%2D0143%` each need one of the two).
pub fn like_inner(like: &str) -> impl Iterator<Item = &str> {
    let one = like.strip_prefix('%').unwrap_or(like);
    [one.strip_suffix('%').unwrap_or(one), like.trim_matches('%')].into_iter()
}

fn flush(cur: &mut Run, runs: &mut Vec<Run>, end: bool) {
    if !cur.text.is_empty() {
        cur.end = end;
        runs.push(std::mem::take(cur));
    } else {
        *cur = Run::default();
    }
}

/// Collect the literal runs of `h` (see the module doc). `depth` bounds the recursion.
fn walk(h: &Hir, cur: &mut Run, runs: &mut Vec<Run>, depth: usize) {
    if depth > 128 {
        flush(cur, runs, false);
        runs.push(Run {
            text: "\u{0}doubt".into(),
            start: false,
            end: false,
        });
        return;
    }
    match h.kind() {
        HirKind::Empty => {}
        HirKind::Literal(l) => cur.text.push_str(&String::from_utf8_lossy(&l.0)),
        HirKind::Class(c) => match single(c) {
            Some(ch) => cur.text.push(ch),
            None => flush(cur, runs, false),
        },
        HirKind::Look(look) => {
            let at_end = matches!(look, Look::End | Look::EndLF | Look::EndCRLF);
            flush(cur, runs, at_end);
            if matches!(look, Look::Start | Look::StartLF | Look::StartCRLF) {
                cur.start = true;
            }
        }
        HirKind::Capture(c) => walk(&c.sub, cur, runs, depth + 1),
        HirKind::Concat(parts) => {
            for p in parts {
                walk(p, cur, runs, depth + 1);
            }
        }
        HirKind::Repetition(r) => {
            flush(cur, runs, false);
            let mut inner = Run::default();
            walk(&r.sub, &mut inner, runs, depth + 1);
            flush(&mut inner, runs, false);
        }
        HirKind::Alternation(alts) => {
            let start = cur.start && cur.text.is_empty();
            flush(cur, runs, false);
            for a in alts {
                let mut inner = Run {
                    start,
                    ..Run::default()
                };
                walk(a, &mut inner, runs, depth + 1);
                flush(&mut inner, runs, false);
            }
        }
    }
}

/// The one character a class matches, if it matches exactly one (case variants of one letter
/// count as that letter).
fn single(c: &Class) -> Option<char> {
    match c {
        Class::Unicode(u) => {
            let mut chars = u.iter().flat_map(|r| r.start()..=r.end()).take(3);
            let a = chars.next()?;
            match chars.next() {
                None => Some(a),
                Some(b) if chars.next().is_none() && a.eq_ignore_ascii_case(&b) => Some(a.to_ascii_lowercase()),
                _ => None,
            }
        }
        Class::Bytes(b) => {
            let mut bytes = b.iter().flat_map(|r| r.start()..=r.end()).take(3);
            let a = bytes.next()?;
            match bytes.next() {
                None => Some(char::from(a)),
                Some(x) if bytes.next().is_none() && a.eq_ignore_ascii_case(&x) => {
                    Some(char::from(a.to_ascii_lowercase()))
                }
                _ => None,
            }
        }
    }
}

fn run_reveals(r: &Run, internal: &Internal) -> bool {
    if r.text.starts_with('\u{0}') {
        return true; // too deep to analyse
    }
    let t = normalize(&r.text).text;
    if t.is_empty() {
        return false;
    }
    if !internal.find(&t, r.start && r.end).is_empty() {
        return true;
    }
    domain_piece(&t, internal) || address_piece(&t, r, internal) || ipv6_piece(&t, r, internal)
}

/// A piece of a listed domain across a label boundary, or its first label.
fn domain_piece(t: &str, internal: &Internal) -> bool {
    internal.domains.names().iter().any(|d| {
        let first = d.split('.').next().unwrap_or(d);
        let word_hit = t
            .split(|c: char| !super::domain::is_label_char(c))
            .any(|w| w == first && first.len() >= 3);
        // A piece across a label boundary: a `.` with a label character beside it.
        let spans_dot = t.contains('.') && t.trim_matches('.').chars().filter(|c| c.is_alphanumeric()).count() >= 2;
        let inner = spans_dot && d.contains(t);
        // The run ends with the start of `d`, or starts with the end of `d`.
        let prefix = (1..d.len()).any(|k| {
            d.get(..k)
                .is_some_and(|p| spans_dot && p.contains('.') && p.len() >= 3 && t.ends_with(p))
        });
        let suffix = (1..d.len()).any(|k| {
            d.get(k..)
                .is_some_and(|s| spans_dot && s.contains('.') && s.len() >= 3 && t.starts_with(s))
        });
        word_hit || inner || prefix || suffix
    })
}

/// A run of digits and dots that can be completed into an internal IPv4 address.
fn address_piece(t: &str, r: &Run, internal: &Internal) -> bool {
    for piece in t.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        if !piece.contains('.') || !piece.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let whole_start = r.start && t.starts_with(piece);
        let whole_end = r.end && t.ends_with(piece);
        if completes_inside(piece, whole_start, whole_end, internal) {
            return true;
        }
    }
    false
}

/// A run of hex digits and colons that can be completed into an internal IPv6 address. Only
/// runs with the shape of one count: two groups or more, a `::`, or anchored at the start
/// (`^fd1`; a lone `dead:` inside a word is no address); the IPv4 ranges, as the IPv6 addresses that embed
/// them, only for runs that say so (`::`, `ffff`, `ff9b`, `5efe`, `2002`, `2001:0:`; see
/// [`crate::text::addr::Ranges::v6_blocks_for`]).
fn ipv6_piece(t: &str, r: &Run, internal: &Internal) -> bool {
    for piece in t.split(|c: char| !(c.is_ascii_hexdigit() || c == ':')) {
        // Where the piece starts in `t`, in bytes (a separator may be several).
        let begin = (piece.as_ptr() as usize).saturating_sub(t.as_ptr() as usize);
        if !piece.bytes().any(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        // A run that reaches an anchor, or that another character (not a hex digit, a colon or
        // the dot of an embedded IPv4) bounds, is where the address begins or ends; at the
        // edge of an unanchored run the neighbours are unknown.
        let before = t.get(..begin).and_then(|b| b.chars().next_back());
        let after = t.get(begin + piece.len()..).and_then(|a| a.chars().next());
        let edge = |next: Option<char>, anchored: bool| match next {
            None if anchored => Edge::Anchored,
            None | Some('.') => Edge::Open,
            Some(_) => Edge::Anchored,
        };
        let start = edge(before, r.start);
        let end = edge(after, r.end);
        // Without a colon, only a run the value starts with (`^fd1`) looks like an address.
        if !(piece.contains(':') || (begin == 0 && r.start)) {
            continue;
        }
        let groups = piece.trim_matches(':').split(':').count();
        let double = piece.contains("::");
        if groups < 2 && !double && !(begin == 0 && r.start) {
            continue;
        }
        let blocks = &internal.ranges.v6_blocks_for(piece);
        if blocks.is_empty() {
            continue;
        }
        // Across `::` the number of zero groups is unknown: each side on its own, the group
        // beside the `::` whole.
        // `^::x` has zero groups before `x`, `x::$` after it.
        let fits = match piece.split_once("::") {
            None => groups_fit(piece, start, end, Zeros::None, blocks),
            Some((left, right)) => {
                let left_zeros = if right.is_empty() && end == Edge::Anchored {
                    Zeros::After
                } else {
                    Zeros::None
                };
                let right_zeros = if left.is_empty() && start == Edge::Anchored {
                    Zeros::Before
                } else {
                    Zeros::None
                };
                (left.is_empty() || groups_fit(left, start, Edge::Closed, left_zeros, blocks))
                    && (right.is_empty() || groups_fit(right, Edge::Closed, end, right_zeros, blocks))
            }
        };
        if fits {
            return true;
        }
    }
    false
}

/// How a run of groups ends on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// At the start (end) of the value: the groups are the first (last) of the address.
    Anchored,
    /// The group there is whole (a `:` or `::` beside it).
    Closed,
    /// The run may begin (end) inside a group.
    Open,
}

/// What a written group allows of a 16-bit hextet.
#[derive(Debug, Clone, Copy)]
enum Group {
    /// Written whole.
    Is(u32),
    /// Its text ends with these `n` hex digits (the run starts inside it).
    EndsWith(u32, u32),
    /// Its text starts with these `n` hex digits (the run ends inside it).
    StartsWith(u32, u32),
    /// Its text contains these digits somewhere (the run is inside one group).
    Any,
}

impl Group {
    /// Whether some hextet in `lo..=hi` is written so.
    fn meets(self, lo: u32, hi: u32) -> bool {
        match self {
            Group::Is(v) => lo <= v && v <= hi,
            // v = y·16ⁿ + p for some y: the least such v at or above `lo`.
            Group::EndsWith(p, n) => {
                let m = 1u32 << (4 * n);
                let base = lo - lo % m + p;
                let v = if base >= lo { base } else { base + m };
                v <= hi
            }
            // v = p·16ᵏ + x, x < 16ᵏ, for k = 0 ..= 4 − n.
            Group::StartsWith(p, n) => (0..=4u32.saturating_sub(n)).any(|k| {
                let a = p << (4 * k);
                let b = a + (1u32 << (4 * k)) - 1;
                a <= hi && lo <= b
            }),
            Group::Any => true,
        }
    }
}

/// Zero groups the address has beside a run (an anchored `::`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zeros {
    None,
    /// Every group before the run is zero, and there is at least one.
    Before,
    /// Every group after the run is zero, and there is at least one.
    After,
}

/// Whether the colon-separated groups of `side` (no `::`), placed at some offset among the
/// eight hextets, fit in some block.
fn groups_fit(side: &str, start: Edge, end: Edge, zeros: Zeros, blocks: &[(u128, u128, bool)]) -> bool {
    // A leading or trailing `:` closes the group beside it.
    let closed_start = start != Edge::Open || side.starts_with(':');
    let closed_end = end != Edge::Open || side.ends_with(':');
    let texts: Vec<&str> = side.trim_matches(':').split(':').collect();
    let n = texts.len();
    if n > 8 {
        return texts
            .windows(8)
            .any(|w| groups_fit(&w.join(":"), Edge::Open, Edge::Open, Zeros::None, blocks));
    }
    let mut groups = Vec::with_capacity(n);
    for (i, g) in texts.iter().enumerate() {
        let opens = i == 0 && !closed_start;
        let runs_on = i + 1 == n && !closed_end;
        let digits = |s: &str| u32::from_str_radix(s, 16).ok();
        let group = match (opens, runs_on) {
            (true, true) => Some(Group::Any),
            (true, false) => {
                let tail = g.get(g.len().saturating_sub(4)..).unwrap_or(g);
                digits(tail).map(|p| Group::EndsWith(p, tail.len() as u32))
            }
            (false, true) => {
                let head = g.get(..g.len().min(4)).unwrap_or(g);
                digits(head).map(|p| Group::StartsWith(p, head.len() as u32))
            }
            (false, false) if g.len() <= 4 => digits(g).map(Group::Is),
            (false, false) => None,
        };
        match group {
            Some(x) => groups.push(x),
            None => return false, // not the text of an IPv6 address
        }
    }
    let last = 8usize.saturating_sub(n);
    let offsets: Vec<usize> = match (start, end, zeros) {
        (Edge::Anchored, _, _) => vec![0],
        (_, Edge::Anchored, _) => vec![last],
        (_, _, Zeros::Before) => (1..=last).collect(),
        (_, _, Zeros::After) => (0..last).collect(),
        _ => (0..=last).collect(),
    };
    let hextet = |v: u128, at: usize| ((v >> (112 - 16 * at as u32)) & 0xffff) as u32;
    blocks.iter().any(|&(x, y, by_group)| {
        // The hextets a block allows: those before the first that differs are fixed, that one
        // is an interval, those after it are free (exact for a network, a superset otherwise);
        // a block read group by group bounds every group.
        let differs = if by_group {
            8
        } else {
            (0..8).find(|&at| hextet(x, at) != hextet(y, at)).unwrap_or(8)
        };
        let allows = |g: Group, at: usize| {
            if at > differs {
                g.meets(0, 0xffff)
            } else {
                g.meets(hextet(x, at), hextet(y, at))
            }
        };
        offsets.iter().any(|&off| {
            let zero_at = match zeros {
                Zeros::None => 0..0,
                Zeros::Before => 0..off,
                Zeros::After => off + n..8,
            };
            groups.iter().zip(off..8).all(|(g, at)| allows(*g, at))
                && zero_at.into_iter().all(|at| allows(Group::Is(0), at))
        })
    })
}

/// The octets (0..=255) a part of a dotted address written `p` can stand for, when the part is
/// `p` (`how` 0), ends with `p` (1) or starts with `p` (2): as `inet_aton` reads a part, in
/// decimal, octal (a leading `0`) or hex (`0x`), with any number of leading zeros, so
/// `0000000000012` is 10 (and 12) and a part ending `…024` may be 20 or 24.
fn octets(p: &str, how: u8) -> Vec<u32> {
    let digits = |radix: u32| p.chars().all(|c| c.is_digit(radix));
    // The value of the last `p.len()` digits in `radix`, and that modulus (`None`: more digits
    // than any octet has, so the part's value is `p`'s).
    let tail = |radix: u32| -> Option<(u32, Option<u32>)> {
        let sig = p.trim_start_matches('0');
        let v = if sig.is_empty() {
            0
        } else {
            u32::from_str_radix(sig, radix).ok()?
        };
        let m = u32::try_from(p.len())
            .ok()
            .and_then(|n| radix.checked_pow(n))
            .filter(|&m| m <= 256);
        Some((v, m))
    };
    // Whether the text of `o` in `radix` (no leading zeros) starts with `prefix`.
    let starts = |o: u32, radix: u32, prefix: &str| {
        prefix.is_empty() || {
            let mut s = String::new();
            let mut x = o;
            loop {
                s.insert(0, char::from_digit(x % radix, radix).unwrap_or('?'));
                x /= radix;
                if x == 0 {
                    break;
                }
            }
            s.starts_with(prefix)
        }
    };
    (0u32..=255)
        .filter(|&o| match how {
            0 => crate::text::addr::part_readings(p).contains(&u64::from(o)),
            1 => {
                p.is_empty()
                    || [10, 8, 16].into_iter().any(|radix| {
                        digits(radix)
                            && tail(radix).is_some_and(|(v, m)| match m {
                                Some(m) => o % m == v,
                                None => o == v,
                            })
                    })
                    || p.rsplit_once('x')
                        .is_some_and(|(h, x)| h.bytes().all(|b| b == b'0') && u32::from_str_radix(x, 16) == Ok(o))
            }
            _ => {
                let sig = p.trim_start_matches('0');
                (digits(10) && starts(o, 10, sig))
                    || (p.starts_with('0') && digits(8) && starts(o, 8, sig))
                    || p.strip_prefix("0x").is_some_and(|h| {
                        h.chars().all(|c| c.is_ascii_hexdigit()) && starts(o, 16, h.trim_start_matches('0'))
                    })
                    || p == "0x"
            }
        })
        .collect()
}

fn completes_inside(piece: &str, anchored_start: bool, anchored_end: bool, internal: &Internal) -> bool {
    let parts: Vec<&str> = piece.split('.').collect();
    let n = parts.len();
    if n > 4 {
        // Longer than an address: each window of four parts.
        return parts
            .windows(4)
            .any(|w| completes_inside(&w.join("."), false, false, internal));
    }
    let offsets: Vec<usize> = if anchored_start {
        vec![0]
    } else {
        (0..=4usize.saturating_sub(n)).collect()
    };
    for off in offsets {
        if anchored_end && off + n != 4 {
            continue;
        }
        let mut sets: Vec<Vec<u32>> = vec![(0..=255).collect(); 4];
        let mut ok = true;
        for (i, p) in parts.iter().enumerate() {
            let how = if i == 0 && !anchored_start && n > 1 {
                1
            } else if i + 1 == n && !anchored_end && n > 1 {
                2
            } else {
                0
            };
            let set = octets(p, how);
            if set.is_empty() {
                ok = false;
                break;
            }
            if let Some(slot) = sets.get_mut(off + i) {
                *slot = set;
            }
        }
        if ok && product_inside(&sets, internal) {
            return true;
        }
    }
    false
}

/// Whether some address of the product of four octet sets is internal; enumerates the leading
/// constrained octets, the trailing unconstrained ones are one interval.
fn product_inside(sets: &[Vec<u32>], internal: &Internal) -> bool {
    let free_tail = sets.iter().rev().take_while(|s| s.len() == 256).count();
    let fixed = sets.len().saturating_sub(free_tail);
    let mut prefixes: Vec<u32> = vec![0];
    for s in sets.iter().take(fixed) {
        let mut next = Vec::with_capacity(prefixes.len().saturating_mul(s.len()));
        for &p in &prefixes {
            for &o in s {
                next.push((p << 8) | o);
            }
        }
        if next.len() > 200_000 {
            return true; // too many to look at: in doubt, deny
        }
        prefixes = next;
    }
    let shift = 8 * free_tail as u32;
    prefixes.into_iter().any(|p| {
        let mask = if shift >= 32 { u32::MAX } else { (1u32 << shift) - 1 };
        let lo = p.checked_shl(shift).unwrap_or(0);
        let hi = lo | mask;
        internal.ranges.overlaps(Span::V4(lo, hi))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal() -> Internal {
        Internal::new(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], &["corp.example"]).unwrap()
    }

    #[test]
    fn denies_expressions_that_could_match_internal_names() {
        let i = internal();
        for re in [
            r"^10\.20\.",
            r"(^|\.)corp\.example$",
            r"^.*\.corp\.example$",
            r"c[o]rp\.ex",
            r"\.16\.5\.",
            r"^192\.168",
            r"^10\.1$",
            r"corp",
            r"(?<=x)y",
            r"^0x0a000001$",
            r"intranet\.corp\.exampl",
        ] {
            assert!(regex_reveals(re, &i), "{re}");
        }
        for like in ["%corp.example", "10.20.%", "%.corp.%", "%.168.1._"] {
            assert!(like_reveals(like, &i), "{like}");
        }
    }

    #[test]
    fn denies_expressions_that_could_match_internal_ipv6_addresses() {
        let i = Internal::new(&["10.0.0.0/8", "fd00::/8", "2001:db8:1234::/48"], &["corp.example"]).unwrap();
        for re in [
            r"^fd12:",
            r"^fd",
            r"^2001:db8:1234:",
            r"^2001:0db8:12",
            r"db8:1234:5",
            r"^2001:db8:1234::1$",
            r"^::ffff:a00:",
            r"::ffff:a01:",
            r"::ffff:0a00:0001$",
            r"^64:ff9b::a00:1$",
            r":1234:abcd:",
        ] {
            assert!(regex_reveals(re, &i), "{re}");
        }
        for like in ["fd00:%", "2001:db8:1234:%", "%::ffff:a00:1"] {
            assert!(like_reveals(like, &i), "{like}");
        }
        // Separators of several bytes (`é`) before the run must not shift where it is read to
        // start: after a `.` the run may begin inside a group, at any offset.
        for re in [r"^éé\.1234:abcd:5", r"^\x{3000}é\.1234:abcd:"] {
            assert!(regex_reveals(re, &i), "{re}");
        }
        for re in [
            r"^fc00:",
            r"^2001:db8:1235:",
            r"^2001:db9:",
            r"^::ffff:b00:",
            r"^dead:beef$",
            r"bad:",
            r"^std::string$",
            r"^https?://evil\.example/",
            r"\.elf$",
            r"half:",
            r"^[a-z]+\.pdf$",
            r"^face\.example$",
        ] {
            assert!(!regex_reveals(re, &i), "{re}");
        }
    }

    #[test]
    fn the_hextet_sets_are_exact() {
        // Every hextet whose text (any number of leading zeros) ends / starts with a piece.
        for (piece, n) in [("a", 1), ("0a", 2), ("ad", 2), ("fff", 3), ("0000", 4)] {
            let p = u32::from_str_radix(piece, 16).unwrap();
            for (lo, hi) in [(0, 0xffff), (0x0a00, 0x0aff), (0xfd00, 0xfdff), (0x1234, 0x1234)] {
                let texts = |v: u32| (1..=4).map(move |w| format!("{v:0w$x}")).filter(|t| t.len() <= 4);
                let ends = (lo..=hi).any(|v| texts(v).any(|t| t.ends_with(piece)));
                let starts = (lo..=hi).any(|v| texts(v).any(|t| t.starts_with(piece)));
                assert_eq!(
                    Group::EndsWith(p, n).meets(lo, hi),
                    ends,
                    "ends {piece} in {lo:x}..{hi:x}"
                );
                assert_eq!(
                    Group::StartsWith(p, n).meets(lo, hi),
                    starts,
                    "starts {piece} in {lo:x}..{hi:x}"
                );
            }
        }
    }

    /// The seventh round's notations (F06, F07) as pieces of a `LIKE` or `MATCHES` operand:
    /// zero-padded, octal and hex parts, and IPv6 runs that carry an internal IPv4 address.
    #[test]
    fn denies_pieces_of_the_new_address_notations() {
        let i = internal();
        for like in [
            "0000000000012.024.%",
            "012.024.%",
            "%.024.036.050",
            "%0012.024.036.050",
            "0x0000000a.20.%",
            "fe80::5efe:a14:%",
            "fe80::200:5efe:a14:%",
            "2001:0:4136:e378:8000:63bf:f5eb:%",
            "2001:0:a14:1e28:%",
            "64:ff9b:1::a14:%",
            "64:ff9b:1:a14:%",
            "::ffff:0:a14:%",
            "2002:a14:%",
        ] {
            assert!(like_reveals(like, &i), "{like}");
        }
        for re in [r"^0+12\.024\.", r"^2002:a14:1e28:", r"^64:ff9b:a14:"] {
            assert!(regex_reveals(re, &i), "{re}");
        }
        // The same notations around outside addresses.
        for like in [
            "0000000000313.0.%",
            "2001:0:4136:e378:8000:63bf:34ff:%",
            "2002:cb00:%",
            "64:ff9b:0:0:0:0:cb00:7101",
            "203.0.113.%",
        ] {
            assert!(!like_reveals(like, &i), "{like}");
        }
    }

    #[test]
    fn lets_other_expressions_cross() {
        let i = internal();
        for re in [
            r"^.*\.exe$",
            r"^203\.0\.113\.",
            r"evil\.example\.net",
            r"^[a-f0-9]{64}$",
            r"\.ru$",
        ] {
            assert!(!regex_reveals(re, &i), "{re}");
        }
        for like in ["%.exe", "203.0.113.%", "%evil.example.net"] {
            assert!(!like_reveals(like, &i), "{like}");
        }
    }
}
