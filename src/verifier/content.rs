//! The verifier's own content recognisers (by design none of `crate::text`'s code): internal
//! addresses in every notation, internal domains on label boundaries, e-mail addresses and
//! telephone numbers. Simpler than the guard's where it can be, and as strict: a word is cut into
//! every piece a reader could take for a host, and each piece is read in every way a resolver
//! could read it.

use std::borrow::Cow;
use std::net::Ipv6Addr;

use phonenumber::country::Id;

/// Undo defanging on lowercase text (`%xx` escapes, `[.]`, `(.)`, `{.}`, `[dot]`, `[:]`, `[@]`,
/// `[at]`, `(at)`, `\\.`, `hxxp`, `fxp`). When it reads otherwise joined across spaces (those
/// with a space either side, spelt-out addresses `bob at corp dot example`, spaced dots
/// `10 . 20. 30 .40`), that reading follows on a line of its own: it could glue a word to its
/// neighbour, so both are looked at.
pub fn refang(s: &str) -> String {
    refang_cow(s).into_owned()
}

/// Defanged forms the plain reading undoes, in this order (each replaced in the result of the
/// ones before).
const BARE: [(&str, &str); 15] = [
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("(dot)", "."),
    ("{dot}", "."),
    ("[:]", ":"),
    ("[@]", "@"),
    ("[at]", "@"),
    ("(at)", "@"),
    ("{at}", "@"),
    ("[/]", "/"),
    ("\\.", "."),
    ("hxxp", "http"),
    ("fxp", "ftp"),
];

/// Defanged forms with a space either side, for the joined reading.
const SPACED: [(&str, &str); 10] = [
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

/// The one byte of each defanged form that no replacement writes (`[`, `(`, `{`, `\`, `x`):
/// a form whose byte is not in the text cannot appear in it, before or after any replacement.
fn trigger(form: &str) -> u8 {
    form.bytes().find(|b| b"[({\\x".contains(b)).unwrap_or(0)
}

/// Which trigger bytes `t` holds, as a bit set (see [`trigger`]).
fn triggers(t: &str) -> u8 {
    t.bytes().fold(0, |set, b| set | trigger_bit(b))
}

fn trigger_bit(b: u8) -> u8 {
    match b {
        b'[' => 1,
        b'(' => 2,
        b'{' => 4,
        b'\\' => 8,
        b'x' => 16,
        _ => 0,
    }
}

/// Each of `subs` in order, replaced everywhere in the result of the ones before; those whose
/// trigger byte is not in `present` are skipped (they cannot match).
fn replace_all<'a>(t: Cow<'a, str>, subs: &[(&str, &str)], present: u8) -> Cow<'a, str> {
    let mut t = t;
    for (a, b) in subs {
        if present & trigger_bit(trigger(a)) != 0 && t.contains(a) {
            t = Cow::Owned(t.replace(a, b));
        }
    }
    t
}

/// Whether [`spelt_dots`] reads anything in `t` otherwise: only ` dot `, ` .` and `. ` can
/// join two words.
fn has_spelt_dot(t: &str) -> bool {
    let b = t.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b' '
            && (i.checked_sub(1).and_then(|p| b.get(p)) == Some(&b'.')
                || b.get(i + 1) == Some(&b'.')
                || b.get(i..).is_some_and(|r| r.starts_with(b" dot ")))
    })
}

/// [`refang`], borrowing `s` when it reads as itself (most text).
pub fn refang_cow(s: &str) -> Cow<'_, str> {
    let t: Cow<'_, str> = if s.contains('%') {
        Cow::Owned(percent(s))
    } else {
        Cow::Borrowed(s)
    };
    let present = triggers(&t);
    if present == 0 && !t.contains(" at ") && !has_spelt_dot(&t) {
        // Nothing to undo and nothing to join: both readings are the text itself.
        return t;
    }
    let plain = replace_all(t.clone(), &BARE, present);
    // Joined across spaces: a reading of its own, as it could glue a word to its neighbour.
    let mut joined = if t.contains(" at ") {
        Cow::Owned(spelt_at(&t))
    } else {
        t
    };
    joined = replace_all(replace_all(joined, &SPACED, present), &BARE, present);
    if has_spelt_dot(&joined) {
        joined = Cow::Owned(spelt_dots(&joined));
    }
    if joined == plain {
        plain
    } else {
        Cow::Owned(format!("{plain}\n{joined}"))
    }
}

/// ` at ` between a word and a domain whose next dot is spelt out, as `@`.
fn spelt_at(t: &str) -> String {
    let words: Vec<&str> = t.split(' ').collect();
    let mut out = String::with_capacity(t.len());
    for (k, w) in words.iter().enumerate() {
        let prev = k.checked_sub(1).and_then(|p| words.get(p));
        let next = words.get(k + 1);
        let then = words.get(k + 2).copied().unwrap_or_default();
        let spelt = |x: &str| ["dot", "(dot)", "[dot]", "{dot}", "[.]", "(.)", "{.}"].contains(&x);
        let is_at = *w == "at"
            && prev.is_some_and(|p| p.ends_with(|c: char| c.is_ascii_alphanumeric()))
            && next.is_some_and(|n| {
                let label: String = n
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                !label.is_empty()
                    && (label.len() == n.len() && spelt(then)
                        || ["(dot)", "[dot]", "{dot}", "[.]", "(.)", "{.}"]
                            .iter()
                            .any(|d| n.get(label.len()..).is_some_and(|r| r.starts_with(d))))
            });
        if is_at {
            out.push('@');
            continue;
        }
        let glued = k > 0 && prev == Some(&"at") && out.ends_with('@');
        if k > 0 && !glued {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// ` dot `, ` . `, `. ` and ` .` between two letters or digits, as `.`.
fn spelt_dots(t: &str) -> String {
    let words: Vec<&str> = t.split(' ').collect();
    let mut out = String::with_capacity(t.len());
    let mut k = 0;
    while let Some(w) = words.get(k) {
        out.push_str(w);
        let next = words.get(k + 1).copied().unwrap_or_default();
        let then = words.get(k + 2).copied().unwrap_or_default();
        let ends = |x: &str, f: fn(&char) -> bool| x.chars().next_back().as_ref().is_some_and(f);
        let starts = |x: &str, f: fn(&char) -> bool| x.chars().next().as_ref().is_some_and(f);
        if (next == "dot" || next == ".")
            && ends(w, char::is_ascii_alphanumeric)
            && starts(then, char::is_ascii_alphanumeric)
        {
            out.push('.');
            k += 2;
            continue;
        } else if (w.ends_with('.')
            && ends(w.trim_end_matches('.'), char::is_ascii_alphanumeric)
            && starts(next, char::is_ascii_alphanumeric))
            || (next.starts_with('.')
                && ends(w, char::is_ascii_alphanumeric)
                && starts(next.get(1..).unwrap_or_default(), char::is_ascii_alphanumeric))
        {
            // Glued: nothing between.
        } else if k + 1 < words.len() {
            out.push(' ');
        }
        k += 1;
    }
    out
}

/// An internal network: first and last address, IPv4 in the low 32 bits (`v6 == false`).
#[derive(Debug, Clone, Copy)]
pub struct Net {
    v6: bool,
    lo: u128,
    hi: u128,
}

pub fn net(s: &str) -> Option<Net> {
    let (a, len) = match s.trim().split_once('/') {
        Some((a, l)) => (a, Some(l.trim().parse::<u32>().ok()?)),
        None => (s.trim(), None),
    };
    let (v6, v, width) = if let Ok(x) = a.parse::<std::net::Ipv4Addr>() {
        (false, u128::from(u32::from(x)), 32u32)
    } else {
        (true, u128::from(a.parse::<Ipv6Addr>().ok()?), 128u32)
    };
    let len = len.unwrap_or(width);
    if len > width {
        return None;
    }
    let host = width - len;
    let span = if host >= 128 { u128::MAX } else { (1u128 << host) - 1 };
    Some(Net {
        v6,
        lo: v & !span,
        hi: (v & !span) | span,
    })
}

fn inside(nets: &[Net], v6: bool, lo: u128, hi: u128) -> bool {
    if nets.iter().any(|n| n.v6 == v6 && lo <= n.hi && n.lo <= hi) {
        return true;
    }
    if v6 {
        // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4.
        let top = |x: u128| x >> 32;
        for p in [0xffffu128, 0, 0x64_ff9b << 64] {
            if top(lo) == p && top(hi) == p && hi > 1 {
                return inside(nets, false, lo & 0xffff_ffff, hi & 0xffff_ffff);
            }
        }
        if lo >> 112 == 0x2002 && hi >> 112 == 0x2002 {
            return inside(nets, false, (lo >> 80) & 0xffff_ffff, (hi >> 80) & 0xffff_ffff);
        }
    }
    false
}

/// Each number one IPv4 part can stand for: decimal, octal (leading 0, as inet_aton) and hex.
fn part(p: &str) -> Vec<u128> {
    let mut v = Vec::new();
    if let Some(h) = p.strip_prefix("0x") {
        if h.is_empty() {
            v.push(0);
        } else if h.len() <= 12 {
            v.extend(u128::from_str_radix(h, 16).ok());
        }
        return v;
    }
    if p.is_empty() || p.len() > 12 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return v;
    }
    v.extend(p.parse::<u128>().ok());
    if p.len() > 1 && p.starts_with('0') {
        v.extend(u128::from_str_radix(p, 8).ok());
    }
    v
}

/// IPv4 readings of `s`; the short forms only when `host`.
fn v4(s: &str, host: bool) -> Vec<u128> {
    let s = s.strip_suffix('.').unwrap_or(s);
    let parts: Vec<&str> = s.split('.').collect();
    let n = parts.len();
    if n > 4 || (n < 4 && !host && !(n == 1 && s.len() == 10 && s.starts_with("0x"))) {
        return Vec::new();
    }
    let mut acc = vec![0u128];
    for (i, p) in parts.iter().enumerate() {
        let width = if i + 1 == n { 32 - 8 * (n as u32 - 1) } else { 8 };
        let mut next = Vec::new();
        for a in &acc {
            for x in part(p) {
                if x < (1u128 << width) {
                    next.push((a << width) | x);
                }
            }
        }
        acc = next;
        if acc.len() > 64 {
            acc.truncate(64);
        }
    }
    acc
}

/// Whether `piece` (no spaces) is, in some reading, an address, network or range inside.
fn piece_inside(piece: &str, host: bool, nets: &[Net]) -> bool {
    let piece = piece
        .trim_matches(|c| c == '[' || c == ']')
        .trim_end_matches(['.', '!', '?']);
    if piece.is_empty() {
        return false;
    }
    let piece = piece.strip_prefix("ipv6:").unwrap_or(piece);
    if piece.contains(':') {
        let p = piece.split('%').next().unwrap_or(piece);
        let (a, len) = p.split_once('/').unwrap_or((p, "128"));
        if let (Ok(a), Ok(len)) = (a.parse::<Ipv6Addr>(), len.parse::<u32>()) {
            let v = u128::from(a);
            let host_bits = 128u32.saturating_sub(len.min(128));
            let span = if host_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            return inside(nets, true, v & !span, v | span);
        }
        return false;
    }
    if let Some((a, len)) = piece.split_once('/') {
        let Ok(len) = len.parse::<u32>() else { return false };
        if len > 32 {
            return false;
        }
        let span = (1u128 << (32 - len)) - 1;
        return v4(a, true)
            .into_iter()
            .any(|v| inside(nets, false, v & !span, v | span));
    }
    if v4(piece, host).into_iter().any(|v| inside(nets, false, v, v)) {
        return true;
    }
    if let Some((a, b)) = piece.split_once('-') {
        for x in v4(a, host) {
            for y in v4(b, host) {
                if inside(nets, false, x.min(y), x.max(y)) {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether a word of text (lowercase, refanged) holds an internal address in some notation.
pub fn word_inside(word: &str, whole_host: bool, nets: &[Net]) -> bool {
    if nets.is_empty() || !word.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let w = word.trim_end_matches(['.', ':', ',', ';']);
    let decoded;
    let w = if w.contains('%') && !w.contains("::") {
        decoded = percent(w);
        decoded.as_str()
    } else {
        w
    };
    if piece_inside(w, whole_host, nets) {
        return true;
    }
    // Hosts: after `://`, `\\`, `@`, a `tag:`; with the port and user cut off.
    let mut hosts: Vec<(&str, bool)> = Vec::new();
    if let Some((_, r)) = w.split_once("://") {
        hosts.push((r, true));
    }
    if let Some(r) = w.strip_prefix("\\\\").or_else(|| w.strip_prefix("//")) {
        hosts.push((r, true));
    }
    if let Some((tag, r)) = w.split_once(':')
        && tag.bytes().all(|b| b.is_ascii_alphabetic())
    {
        hosts.push((r, true));
    }
    for (h, host) in hosts {
        let h = h.split(['/', '\\', '?', '#']).next().unwrap_or(h);
        let h = h.rsplit('@').next().unwrap_or(h);
        if piece_inside(h, host, nets) {
            return true;
        }
        let no_port = if let Some(r) = h.strip_prefix('[') {
            r.split(']').next().unwrap_or(r)
        } else {
            h.rsplit_once(':').map_or(h, |(a, _)| a)
        };
        if piece_inside(no_port, host, nets) {
            return true;
        }
    }
    if let Some((_, lit)) = w.rsplit_once("@[") {
        return piece_inside(lit.split(']').next().unwrap_or(lit), true, nets);
    }
    // `host:port`, and every piece between URL and path separators.
    if let Some((h, p)) = w.rsplit_once(':')
        && !h.contains(':')
        && p.bytes().all(|b| b.is_ascii_digit())
        && piece_inside(h, false, nets)
    {
        return true;
    }
    if let Some(r) = w.strip_prefix('[')
        && piece_inside(r.split(']').next().unwrap_or(r), true, nets)
    {
        return true;
    }
    if w.split(['/', '\\', '@', '?', '#', '[', ']', '=', '&', '%'])
        .any(|p| p != w && piece_inside(p, false, nets))
    {
        return true;
    }
    dotted_quads(w).any(|q| piece_inside(&q, false, nets))
}

/// Every four consecutive parts of one to three digits in `w`, joined by dots, in a run of digits
/// and dots or of digits and dashes: an address glued to letters (`ip10.20.30.40`), inside a longer
/// run (`1.10.20.30.40`) or written as host names write it (`ip-10-20-30-40`).
fn dotted_quads(w: &str) -> impl Iterator<Item = String> + '_ {
    ['.', '-'].into_iter().flat_map(move |sep| {
        w.split(move |c: char| !(c == sep || c.is_ascii_digit()))
            .flat_map(move |run| {
                let parts: Vec<&str> = run.split(sep).collect();
                (0..parts.len().saturating_sub(3))
                    .filter_map(|i| {
                        let four = parts.get(i..i + 4)?;
                        four.iter()
                            .all(|p| !p.is_empty() && p.len() <= 3)
                            .then(|| four.join("."))
                    })
                    .collect::<Vec<_>>()
            })
    })
}

fn percent(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        // Printable ASCII only: a `%` before other bytes (a zone `fe80::1%10.20.30.40`) stays
        // (the unescaped reading decodes the rest).
        match (b.get(i), hex.filter(u8::is_ascii_graphic)) {
            (Some(b'%'), Some(v)) => {
                out.push(v.to_ascii_lowercase());
                i += 3;
            }
            (Some(&c), _) => {
                out.push(c);
                i += 1;
            }
            (None, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Whether lowercase, refanged `text` names one of `domains` on label boundaries.
pub fn names_domain(text: &str, domains: &[String]) -> bool {
    // Look-alikes of letters, digits and signs written for letters read as letters, in the text
    // and the names alike (`c0rp`, `ex@mple`); character for character and ASCII for ASCII, so
    // a name's boundaries are judged on the text as written (`alice@corp.example` still names
    // `corp.example`).
    let read_text = super::text::letters(text);
    domains.iter().any(|d| {
        let d = super::text::letters(d);
        read_text.match_indices(d.as_str()).any(|(i, m)| {
            // A letter of a script written without spaces ends a name of another script
            // beside it (`intranet.corp.exampleへ`).
            let name = text.get(i..i + m.len()).unwrap_or_default();
            let label_on = |c: char, edge: Option<char>| {
                label_char(c) && !super::text::unspaced(c) && !edge.is_some_and(super::text::unspaced)
            };
            let before_ok = !text
                .get(..i)
                .and_then(|s| s.chars().last())
                .is_some_and(|c| label_on(c, name.chars().next()));
            let rest = text.get(i + m.len()..).unwrap_or_default();
            let mut after = rest.chars();
            let last = name.chars().next_back();
            let after_ok = match after.next() {
                None => true,
                Some('.') => !after.next().is_some_and(|c| label_on(c, last)),
                Some(c) => !label_on(c, last),
            };
            before_ok && after_ok
        })
    })
}

/// The policy's domains in the forms the text may show: Unicode (as normalised) and punycode.
pub fn domain_forms(d: &str, normalise: impl Fn(&str) -> String) -> Vec<String> {
    let d = d.trim().trim_matches('.');
    let mut out = vec![normalise(d)];
    if let Ok(a) = idna::domain_to_ascii(d) {
        out.push(a);
    }
    let (u, r) = idna::domain_to_unicode(d);
    if r.is_ok() {
        out.push(normalise(&u));
    }
    out.sort();
    out.dedup();
    out.retain(|x| !x.is_empty());
    out
}

/// Each quoted local part (`"alice smith"@`, at most 64 bytes) written as one word, `q`.
fn quoted_locals(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(k) = rest.find("\"@") {
        let head = rest.get(..k).unwrap_or_default();
        match head.rfind('"').filter(|&open| k - open <= 64) {
            Some(open) => {
                out.push_str(head.get(..open).unwrap_or_default());
                out.push_str(" q");
            }
            None => out.push_str(head),
        }
        rest = rest.get(k + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Whether normalised `text` holds an e-mail address.
pub fn has_email(text: &str) -> bool {
    has_email_refanged(&refang_cow(text))
}

/// [`has_email`] on text already [`refang`]ed.
pub fn has_email_refanged(refanged: &str) -> bool {
    if !refanged.contains('@') {
        // Every address found below is a word with an `@`, and `quoted_locals` writes none.
        return false;
    }
    let t = quoted_locals(refanged);
    t.split(|c: char| c.is_whitespace() || "\"'<>(),;:`|".contains(c))
        .any(|w| {
            let Some((local, domain)) = w.rsplit_once('@') else {
                return false;
            };
            if local.trim_matches('.').is_empty() {
                return false;
            }
            if let Some(lit) = domain.strip_prefix('[') {
                let lit = lit.split(']').next().unwrap_or(lit);
                let lit = lit.strip_prefix("ipv6:").unwrap_or(lit);
                return lit.parse::<std::net::IpAddr>().is_ok() || !v4(lit, true).is_empty();
            }
            let domain: String = domain
                .chars()
                .take_while(|&c| c.is_alphanumeric() || c == '-' || c == '.')
                .collect();
            let labels: Vec<&str> = domain.trim_end_matches('.').split('.').collect();
            let Some(tld) = labels.last() else { return false };
            let tld_ok = (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)) || tld.starts_with("xn--");
            let file = labels.len() == 2
                && (matches!(
                    *tld,
                    "png"
                        | "jpg"
                        | "jpeg"
                        | "gif"
                        | "svg"
                        | "webp"
                        | "bmp"
                        | "ico"
                        | "tif"
                        | "tiff"
                        | "heic"
                        | "pdf"
                        | "txt"
                        | "csv"
                        | "json"
                        | "xml"
                        | "htm"
                        | "html"
                        | "js"
                        | "css"
                        | "exe"
                        | "dll"
                        | "so"
                        | "bin"
                        | "dat"
                        | "log"
                        | "ini"
                        | "cfg"
                        | "yml"
                        | "yaml"
                        | "gz"
                        | "tgz"
                        | "rar"
                        | "7z"
                        | "tar"
                        | "iso"
                        | "img"
                        | "mp3"
                        | "mp4"
                        | "avi"
                        | "wav"
                        | "webm"
                        | "ps1"
                        | "bat"
                        | "sh"
                        | "py"
                        | "rb"
                        | "doc"
                        | "docx"
                        | "xls"
                        | "xlsx"
                        | "ppt"
                        | "pptx"
                ) || labels.first().is_some_and(|f| {
                    f.len() >= 2 && f.ends_with('x') && f.trim_end_matches('x').bytes().all(|b| b.is_ascii_digit())
                }));
            labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok && !file
        })
}

/// Whether `text` has a stretch of ASCII digits and number punctuation (` -./()+`) holding at
/// least `n` digits.
fn has_digit_run(text: &str, n: usize) -> bool {
    let mut digits = 0;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            digits += 1;
            if digits >= n {
                return true;
            }
        } else if !b" -./()+".contains(&b) {
            digits = 0;
        }
    }
    false
}

/// Whether normalised `text` holds a telephone number valid in one of `regions` (or, with `+`,
/// anywhere).
pub fn has_phone(text: &str, regions: &[Id]) -> bool {
    // A number has 7 ASCII digits at least, with nothing but its punctuation between them.
    if !has_digit_run(text, 7) {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let opens =
            c.is_ascii_digit() || ((c == '+' || c == '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        // `:` after a digit is a time or an address; after a word, a label or `tel:`.
        let before = i.checked_sub(2).and_then(|p| chars.get(p)).copied();
        let colon_glues = prev == Some(':') && before.is_some_and(|b| b.is_ascii_digit());
        if !opens || colon_glues || prev.is_some_and(|p| p.is_alphanumeric() || ".-_/@#+".contains(p)) {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        let mut j = i;
        let mut last_digit = i;
        let mut gap = 0;
        while let Some(&d) = chars.get(j) {
            if d.is_ascii_digit() {
                digits.push(d);
                last_digit = j;
                gap = 0;
            } else if " -./()+".contains(d) && gap < 2 && !(d == '+' && j != i) {
                gap += 1;
            } else {
                break;
            }
            j += 1;
        }
        let after = chars.get(last_digit + 1).copied();
        let span: String = chars
            .get(i..=last_digit)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let quad = span.split('.').count() == 4 && span.chars().all(|c| c.is_ascii_digit() || c == '.');
        let date = span.len() == 10
            && span
                .chars()
                .enumerate()
                .all(|(k, c)| if k == 4 || k == 7 { c == '-' } else { c.is_ascii_digit() });
        if (7..=15).contains(&digits.len())
            && !after.is_some_and(|a| a.is_alphanumeric() || a == '_' || a == '@')
            && !quad
            && !date
        {
            let ok = |r: Option<Id>, s: &str| {
                std::panic::catch_unwind(|| phonenumber::parse(r, s).is_ok_and(|n| phonenumber::is_valid(&n)))
                    .unwrap_or(true)
            };
            if c == '+' && ok(None, &format!("+{digits}")) {
                return true;
            }
            let intl = digits.strip_prefix("011").or_else(|| digits.strip_prefix("00"));
            if c != '+' && intl.is_some_and(|r| r.len() >= 7 && ok(None, &format!("+{r}"))) {
                return true;
            }
            if c != '+' && regions.iter().any(|&r| ok(Some(r), &digits)) {
                return true;
            }
        }
        i = last_digit.max(i) + 1;
    }
    false
}

/// Whether a `MATCHES` (`regex`) or `LIKE` operand could reveal an internal network or domain:
/// its literal pieces (text between the expression's operators) are read as text, as pieces of
/// a listed domain, and as pieces of a dotted quad that some internal network completes.
pub fn operand_reveals(
    op: &str,
    regex: bool,
    nets: &[Net],
    domains: &[String],
    normalise: impl Fn(&str) -> String,
) -> bool {
    let text = if regex { op.replace("\\.", ".") } else { op.to_string() };
    let seps: &[char] = if regex {
        &['^', '$', '(', ')', '|', '?', '*', '+', '[', ']', '{', '}', '\\']
    } else {
        &['%', '_']
    };
    // PCRE the verifier does not read: in doubt, deny.
    if regex && (op.contains("(?<") || op.contains("(?=") || op.contains("(?!") || op.contains("\\1")) {
        return true;
    }
    // A LIKE operand between its outer wildcards (one at each end, or all), read as text with
    // its escapes decoded (a `%` may be a wildcard or a percent-encoding:
    // `%10%252e20%252e30%252e40%`, `%%u0031%u0030.20.30.40%`).
    if !regex {
        let one = op.strip_prefix('%').unwrap_or(op);
        for inner in [one.strip_suffix('%').unwrap_or(one), op.trim_matches('%')] {
            if super::text::unescape(inner).is_some_and(|t| super::text::text_reveals(&t, nets, domains).is_some()) {
                return true;
            }
        }
    }
    let anchored_start = if regex {
        op.starts_with('^')
    } else {
        !op.starts_with(['%', '_'])
    };
    let anchored_end = if regex {
        op.ends_with('$') && !op.ends_with("\\$")
    } else {
        !op.ends_with(['%', '_'])
    };
    // The operand read as text, escapes and repetition operators gone (defanged brackets and
    // parentheses stay for refanging).
    let plain = refang(&normalise(
        &op.replace('\\', "").replace(['^', '$', '*', '+', '?', '|', '%'], " "),
    ));
    if plain.split_whitespace().any(|w| word_inside(w, false, nets)) || names_domain(&plain, domains) {
        return true;
    }
    // Digits written as look-alike letters (`1o\.2o\.3o\.4o`).
    if super::text::digits_read(&plain).is_some_and(|d| d.split_whitespace().any(|w| word_inside(w, false, nets))) {
        return true;
    }
    let pieces: Vec<&str> = text.split(seps).collect();
    let count = pieces.len();
    for (i, raw) in pieces.iter().enumerate() {
        // `.` alone in a regex is any character: only escaped dots were kept as dots, and
        // those are already `.` here; a piece of one dot means nothing.
        let p = refang(&normalise(raw));
        if p.is_empty() {
            continue;
        }
        let first = i == 0 && anchored_start;
        let last = i + 1 == count && anchored_end;
        if p.split_whitespace().any(|w| word_inside(w, first && last, nets)) || names_domain(&p, domains) {
            return true;
        }
        for d in domains {
            let label = d.split('.').next().unwrap_or(d);
            if label.len() >= 3 && p.split(|c: char| !label_char(c)).any(|w| w == label) {
                return true;
            }
            // A piece across a label boundary: a `.` with label characters beside it.
            let across = p.contains('.') && p.trim_matches('.').chars().filter(|c| c.is_alphanumeric()).count() >= 2;
            if across
                && (d.contains(p.as_str())
                    || (3..d.len()).any(|k| {
                        d.get(..k).is_some_and(|x| x.contains('.') && p.ends_with(x))
                            || d.get(d.len().saturating_sub(k)..)
                                .is_some_and(|x| x.contains('.') && p.starts_with(x))
                    }))
            {
                return true;
            }
        }
        for run in p.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            if run.contains('.')
                && run.bytes().any(|b| b.is_ascii_digit())
                && dotted_fragment_inside(run, first && p.starts_with(run), last && p.ends_with(run), nets)
            {
                return true;
            }
        }
        // Anchored: nothing but anchors and empty groups before (after) this piece.
        let starts = anchored_start && pieces.get(..i).is_some_and(|b| b.iter().all(|x| x.is_empty()));
        let ends = anchored_end && pieces.get(i + 1..).is_some_and(|a| a.iter().all(|x| x.is_empty()));
        if hex_fragment_inside(&p, starts, ends, nets) {
            return true;
        }
    }
    false
}

/// Whether a run of hex groups in `piece` can be part of an address in one of the IPv6 `nets`
/// (each a product of per-hextet ranges). Runs with a `::` are left to the guard; a run counts
/// when it has two groups or more, or starts an anchored operand. A run bounded by a character
/// that cannot be in an address (not hex, `:` or `.`) starts or ends the address there.
fn hex_fragment_inside(piece: &str, first: bool, last: bool, nets: &[Net]) -> bool {
    if !nets.iter().any(|n| n.v6) {
        return false;
    }
    let chars: Vec<char> = piece.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let is_hex = |c: &char| c.is_ascii_hexdigit() || *c == ':';
        if !chars.get(i).is_some_and(is_hex) {
            i += 1;
            continue;
        }
        let from = i;
        while chars.get(i).is_some_and(is_hex) {
            i += 1;
        }
        let run: String = chars.get(from..i).unwrap_or_default().iter().collect();
        let bounded = |c: Option<&char>, anchored: bool| match c {
            None => anchored,
            Some('.') => false,
            Some(_) => true,
        };
        let at_start = bounded(if from == 0 { None } else { chars.get(from - 1) }, first);
        let at_end = bounded(chars.get(i), last);
        let groups: Vec<&str> = run.trim_matches(':').split(':').collect();
        let two = groups.len() >= 2;
        if run.contains("::") || !(two || (from == 0 && first)) || !run.bytes().any(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        if groups.len() > 8 || groups.iter().any(|g| g.is_empty() || g.len() > 4) {
            continue;
        }
        // A group is whole unless the run may begin (end) inside it.
        let open_start = !at_start && !run.starts_with(':');
        let open_end = !at_end && !run.ends_with(':');
        let n = groups.len();
        for net in nets.iter().filter(|n| n.v6) {
            let hextet = |v: u128, k: usize| ((v >> (16 * (7 - k))) & 0xffff) as u32;
            for off in 0..=8 - n {
                if (at_start && off != 0) || (at_end && off + n != 8) {
                    continue;
                }
                let fits = groups.iter().enumerate().all(|(j, g)| {
                    let (lo, hi) = (hextet(net.lo, off + j), hextet(net.hi, off + j));
                    let Ok(p) = u32::from_str_radix(g, 16) else {
                        return false;
                    };
                    let len = g.len() as u32;
                    let head = j == 0 && open_start;
                    let tail = j + 1 == n && open_end;
                    match (head, tail) {
                        (true, true) => true,
                        // written `…g`: y·16^len + p with y < 16^k for k more digits
                        (true, false) => (0..=4 - len).any(|k| {
                            let step = 16u32.pow(len);
                            let y_lo = lo.saturating_sub(p).div_ceil(step);
                            let y_hi = if hi < p { return false } else { (hi - p) / step };
                            y_lo <= y_hi.min(16u32.pow(k) - 1)
                        }),
                        // written `g…`: p·16^k + x with x < 16^k
                        (false, true) => (0..=4 - len).any(|k| {
                            let a = p * 16u32.pow(k);
                            a <= hi && lo < a + 16u32.pow(k)
                        }),
                        (false, false) => lo <= p && p <= hi,
                    }
                });
                if fits {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether the digits-and-dots `run` can be part of an address in one of `nets` (each CIDR is
/// a product of per-octet ranges, so each octet is checked on its own).
fn dotted_fragment_inside(run: &str, start: bool, end: bool, nets: &[Net]) -> bool {
    let parts: Vec<&str> = run.split('.').collect();
    let n = parts.len();
    if n > 4 {
        return parts
            .windows(4)
            .any(|w| dotted_fragment_inside(&w.join("."), false, false, nets));
    }
    nets.iter().filter(|net| !net.v6).any(|net| {
        (0..=4 - n).any(|off| {
            if (start && off != 0) || (end && off + n != 4) {
                return false;
            }
            parts.iter().enumerate().all(|(i, p)| {
                let k = off + i;
                let shift = 24 - 8 * k as u32;
                let lo = ((net.lo >> shift) & 0xff) as u32;
                let hi = ((net.hi >> shift) & 0xff) as u32;
                // Octets before k are fixed in a CIDR only if lo==hi there; the range is exact
                // for a CIDR either way.
                let fits = |o: u32| -> bool {
                    let s = o.to_string();
                    if i == 0 && !start && n > 1 {
                        p.is_empty() || s.ends_with(p)
                    } else if i + 1 == n && !end && n > 1 {
                        p.is_empty() || s.starts_with(p)
                    } else {
                        s == *p
                    }
                };
                (lo..=hi).any(fits)
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `refang` as it was before it skipped the forms a text cannot hold (one `contains` and
    /// `replace` per form, always): the fast one must read every text alike.
    fn refang_reference(s: &str) -> String {
        const BARE: [(&str, &str); 15] = [
            ("[.]", "."),
            ("(.)", "."),
            ("{.}", "."),
            ("[dot]", "."),
            ("(dot)", "."),
            ("{dot}", "."),
            ("[:]", ":"),
            ("[@]", "@"),
            ("[at]", "@"),
            ("(at)", "@"),
            ("{at}", "@"),
            ("[/]", "/"),
            ("\\.", "."),
            ("hxxp", "http"),
            ("fxp", "ftp"),
        ];
        const SPACED: [(&str, &str); 10] = [
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
        let replace_all = |mut t: String, subs: &[(&str, &str)]| {
            for (a, b) in subs {
                if t.contains(a) {
                    t = t.replace(a, b);
                }
            }
            t
        };
        let t = if s.contains('%') { percent(s) } else { s.to_string() };
        let plain = replace_all(t.clone(), &BARE);
        // Joined across spaces: a reading of its own, as it could glue a word to its neighbour.
        let mut joined = if t.contains(" at ") { spelt_at(&t) } else { t };
        joined = replace_all(replace_all(joined, &SPACED), &BARE);
        if joined.contains(" dot ") || joined.contains('.') {
            joined = spelt_dots(&joined);
        }
        if joined == plain {
            plain
        } else {
            format!("{plain}\n{joined}")
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn refang_reads_as_the_reference(s in "([\\[\\](){}.@:/ \\\\%]|dot|at|hxxp|fxp|x|p|h|a|1|0|[a-f])*") {
            proptest::prop_assert_eq!(refang(&s), refang_reference(&s));
        }
    }

    #[test]
    fn reads_internal_addresses_in_every_notation() {
        let nets: Vec<Net> = ["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"]
            .iter()
            .filter_map(|n| net(n))
            .collect();
        for w in [
            "10.20.30.40",
            "::ffff:10.0.0.1",
            "::ffff:a00:1",
            "::10.0.0.1",
            "http://[::ffff:172.16.5.5]/",
            "http://167772161/",
            "0x0a000001",
            "010.000.000.001",
            "10.20.30.1-10.20.30.254",
            "\\\\10.20.30.40\\admin$",
            "ip:10.20.30.40",
            "user@[10.1.2.3]",
            "https://%31%30.1.2.3/",
        ] {
            assert!(word_inside(&refang(w), false, &nets), "{w}");
        }
        assert!(word_inside("10.1", true, &nets));
        assert!(!word_inside("10.1", false, &nets));
        assert!(!word_inside("203.0.113.9", false, &nets));
    }

    #[test]
    fn finds_domains_mail_and_phones_but_not_look_alikes() {
        let d = vec!["corp.example".to_string()];
        assert!(names_domain("a.corp.example.", &d));
        assert!(!names_domain(
            "mail.corp.example.net corp.example-cdn.net bob@corp.examples.org",
            &d
        ));
        assert!(has_email("write to bob@agency.example.gov."));
        assert!(!has_email("logo@2x.png"));
        let r = [Id::US, Id::JP];
        for p in ["(202)555-0143", "+81 3 1234 0146", "+12025550148", "03-1234-0150"] {
            assert!(has_phone(p, &r), "{p}");
        }
        assert!(!has_phone("2024-01-15 and 203.0.113.9 and 12345", &r));
    }
}
