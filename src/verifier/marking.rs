//! The verifier's own reading of marking text (issue 14), written apart from the guard's
//! (`crate::text`, `crate::release::stix`): its own folding, its own test of whether a text
//! mentions a marking, its own portion reader, and its own checks of what a marking-definition
//! may be. It uses the same Unicode crates, nothing else.
//!
//! A text that mentions a marking (after folding: NFKC, lowercase, invisible code points out,
//! look-alikes read as their ASCII prototype) must be one the verifier reads exactly
//! ([`super::label`]'s banner and TLP forms, or the portion form here); otherwise it is a finding.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

use super::json::{Json, Object};
use super::label::Mark;
use crate::policy::Policy;

/// Code points that show nothing (default-ignorables and blank look-alikes), by range.
const HIDDEN: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

pub(super) fn hidden(c: char) -> bool {
    let u = c as u32;
    u >= 0xAD && HIDDEN.iter().any(|&(a, b)| (a..=b).contains(&u))
}

/// Fold `s` as a reader sees it: NFKC, lowercase, hidden code points out, every character whose
/// UTS #39 prototype is ASCII read as that, small capitals, accented Latin letters and digits of
/// other scripts as ASCII, dashes as `-`, full stops as `.`, whitespace runs as one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    // Capital look-alikes are read before lowercasing (Cyrillic `М` is `M`; `м` is no `m`).
    let read: Vec<char> = if s.is_ascii() {
        // NFKC leaves ASCII as it is.
        s.chars().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        let mut read = Vec::with_capacity(s.len());
        for c in super::text::visual(s).nfkc() {
            if c.is_ascii() {
                read.push(c.to_ascii_lowercase());
                continue;
            }
            // A capital is read by its own look (Greek `Ν` is `N`, though `ν` is `v`).
            if c.is_uppercase() {
                let proto: String = unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect();
                if !proto.is_empty() && proto.is_ascii() {
                    read.extend(proto.chars().map(|p| p.to_ascii_lowercase()));
                    continue;
                }
            }
            read.extend(c.to_lowercase());
        }
        read
    };
    for c in read {
        if hidden(c) {
            continue;
        }
        let c = if c.is_control() { ' ' } else { c };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}') {
            out.push('-');
            continue;
        }
        // A full stop of any script is `.` (UTS #39 draws the Arabic one as `-`).
        if super::text::full_stop(c) {
            out.push('.');
            continue;
        }
        // A letter or mark drawn as a colon or a full stop is that sign (`TLPःRED`).
        if let Some(sign) = super::text::drawn_sign(c) {
            out.push(sign);
            continue;
        }
        // A mark left on an ASCII letter is dropped; small capitals, accented Latin letters and
        // other scripts' digits read as ASCII.
        if unicode_normalization::char::is_combining_mark(c) && out.ends_with(|p: char| p.is_ascii_alphanumeric()) {
            continue;
        }
        if let Some(a) = super::text::ascii_reading(c) {
            out.push(a);
            continue;
        }
        let proto: String = unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect();
        if !proto.is_empty() && proto.is_ascii() {
            out.push_str(&proto.to_ascii_lowercase());
        } else if !proto.is_empty() {
            out.push(c);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The marking vocabulary, squeezed to letters and digits: the policy's level names and
/// aliases, control words, and the words of TLP, REL TO and dissemination notices.
fn vocabulary(policy: &Policy) -> BTreeSet<String> {
    let squeeze = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '+')
            .collect()
    };
    let mut v: BTreeSet<String> = BTreeSet::new();
    for s in policy.schemes.iter() {
        for l in &s.levels {
            v.insert(squeeze(&l.name));
            for a in &l.aliases {
                v.insert(squeeze(a));
            }
        }
    }
    for w in [
        "NOFORN",
        "ORCON",
        "ORCON-USGOV",
        "OC-USGOV",
        "PROPIN",
        "FOUO",
        "RELIDO",
        "IMCON",
        "IMC",
        "RSEN",
        "DSEN",
        "FISA",
        "LIMDIS",
        "EXDIS",
        "NODIS",
        "SBU",
        "SBU-NF",
        "SBU NOFORN",
        "LES",
        "LES-NF",
        "LES NOFORN",
        "SSI",
        "NF",
        // Dissemination and control words the prose reader reads in capitals (red team round
        // 3, SA06).
        "WAIVED",
        "COMINT",
    ] {
        v.insert(squeeze(w));
    }
    for c in policy.forbidden_controls.iter().chain(&policy.allowed_controls) {
        v.insert(squeeze(&c.to_string()));
    }
    for w in [
        "tlp",
        "relto",
        "releasable",
        "notreleasable",
        "noforeign",
        "foreignnationals",
        "eyesonly",
        "displayonly",
        "originatorcontrolled",
        "forofficialuseonly",
        "limiteddistribution",
        "exclusivedistribution",
        "nodistribution",
        "lawenforcementsensitive",
        "sensitivebutunclassified",
        "sensitivesecurityinformation",
        "controlledimagery",
        "risksensitive",
        "proprietary",
        "classified",
        "classification",
        "declassify",
        "amber",
        "amber+strict",
        // Controls in words and markings outside the policy's lists: ORCON, NOFORN, REL TO
        // written out; SCI and SAP; atomic energy; FGI; other agencies; sharing protocols.
        "originator",
        "dissemination",
        "disseminate",
        "foreigngovernment",
        "authorizedforrelease",
        "authorisedforrelease",
        "releaseto",
        "eyes",
        "hcs",
        "sci",
        "sar",
        "specialaccess",
        "compartmented",
        "restricted",
        "restricteddata",
        "cnwdi",
        "ucni",
        "atomal",
        "fgi",
        "wnintel",
        "cui",
        "controlledunclassified",
        "nocontract",
        "exportcontrolled",
        "itar",
        "distributionstatement",
        "distributionauthorized",
        "usonly",
        "usgovonly",
        "sensitive",
        "pap",
        "極秘",
        "秘",
        "機密",
        "取扱注意",
        "部外秘",
        "社外秘",
        "関係者限り",
    ] {
        v.insert(w.to_string());
    }
    v.retain(|w| !w.is_empty());
    v.iter().map(|w| loose(w)).collect()
}

/// Characters that pass for a letter, and the letter each is read as when asking whether a
/// text mentions a marking: look-alikes of each other (`CONFlDENTlAL`, `N0FORN`) and the digits
/// and signs written for letters (`S3CRET`, `$ECRET`, `71P:R3D`, `SECR€T`).
const PASSES_FOR: &[(char, char)] = &[
    ('l', 'i'),
    ('1', 'i'),
    ('|', 'i'),
    ('!', 'i'),
    ('0', 'o'),
    ('3', 'e'),
    ('\u{20AC}', 'e'),
    ('4', 'a'),
    ('@', 'a'),
    ('5', 's'),
    ('$', 's'),
    ('6', 'g'),
    ('9', 'g'),
    ('7', 't'),
    ('8', 'b'),
];

/// `s` with every character of [`PASSES_FOR`] read as its letter, on both sides of a comparison.
fn loose(s: &str) -> String {
    s.chars()
        .map(|c| PASSES_FOR.iter().find(|(k, _)| *k == c).map_or(c, |&(_, v)| v))
        .collect()
}

/// Whether the folded text `f` mentions a marking: with its signs read as the letters they
/// are written for (`$ECRET`), and read as the ends of words they may also be (`SECRET!`).
pub fn mentions(f: &str, policy: &Policy) -> bool {
    const SIGNS: [char; 5] = ['@', '$', '|', '!', '\u{20AC}'];
    mentions_read(f, policy) || (f.contains(SIGNS) && mentions_read(&f.replace(SIGNS, " "), policy))
}

fn mentions_read(f: &str, policy: &Policy) -> bool {
    let f = &loose(f);
    if f.is_empty() {
        return false;
    }
    // A URL's `://` separates no categories.
    if f.starts_with('(') || f.split("://").any(|part| part.contains("//")) {
        return true;
    }
    // A piece also ends where ASCII meets another script (`本資料はnoforn指定`): Japanese
    // is written without spaces.
    let mut pieces: Vec<String> = Vec::new();
    for p in f.split(|c: char| !(c.is_alphanumeric() || c == '+')) {
        let mut rest = p;
        while let Some(first) = rest.chars().find(|c| *c != '+') {
            let ascii = first.is_ascii();
            let end = rest
                .char_indices()
                .find(|&(_, c)| c != '+' && c.is_ascii() != ascii)
                .map_or(rest.len(), |(i, _)| i);
            pieces.push(rest.get(..end).unwrap_or_default().to_string());
            rest = rest.get(end..).unwrap_or_default();
        }
    }
    let pieces: Vec<String> = pieces
        .into_iter()
        .map(|p| p.trim_matches('+').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let all: String = pieces.concat();
    // Two- and three-letter controls are markings when they are the whole text (`R&D` is none).
    if ["rd", "frd", "tk", "si", "sig", "hcsp", "hcso"]
        .into_iter()
        .any(|w| all == loose(w))
    {
        return true;
    }
    // A bare colour, alone or amid words of a script written without spaces only.
    let latin: String = pieces.iter().filter(|p| p.is_ascii()).map(String::as_str).collect();
    if ["red", "amber", "amber+strict", "green", "clear", "white"]
        .into_iter()
        .any(|c| all == loose(c) || latin == loose(c))
    {
        return true;
    }
    // A portion mark of one letter counts only in a text with words of a script written
    // without spaces, not right after a Latin letter or digit (`本資料は(s)`, `情報:(s)`):
    // `(c)` is also the copyright sign, `(s)` a plural.
    let unspaced: Vec<char> = f.chars().filter(|c| !c.is_whitespace()).collect();
    let other_script = unspaced.iter().any(|c| !c.is_ascii() && c.is_alphanumeric());
    let after_unspaced_word = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        other_script
            && (0..unspaced.len()).any(|k| {
                !k.checked_sub(1)
                    .and_then(|j| unspaced.get(j))
                    .is_some_and(char::is_ascii_alphanumeric)
                    && unspaced.get(k) == Some(&'(')
                    && unspaced.get(k + 1..k + 1 + p.len()) == Some(&p[..])
                    && matches!(unspaced.get(k + 1 + p.len()), Some(')' | '/'))
            })
    };
    for s in policy.schemes.iter() {
        for l in &s.levels {
            if let Some(p) = &l.portion {
                let p = loose(&p.to_lowercase());
                if p.len() >= 2 && (f.contains(&format!("({p})")) || f.contains(&format!("({p}/"))) {
                    return true;
                }
                if after_unspaced_word(&p) {
                    return true;
                }
            }
        }
    }
    let vocab = vocabulary(policy);
    // Up to four neighbouring pieces read together.
    for start in 0..pieces.len() {
        let mut joined = String::new();
        for p in pieces.iter().skip(start).take(4) {
            joined.push_str(p);
            if vocab.contains(&joined) || joined.starts_with("tlp") {
                return true;
            }
        }
    }
    // Short pieces in a row spell words (`s e c r e t`).
    let mut spelled = String::new();
    let mut spelt: Vec<String> = Vec::new();
    for p in &pieces {
        if p.chars().count() <= 2 {
            spelled.push_str(p);
        } else {
            spelt.push(std::mem::take(&mut spelled));
        }
    }
    spelt.push(spelled);
    let long_word_in = |hay: &str, min: usize| {
        vocab
            .iter()
            .any(|w| w.chars().count() >= min && hay.contains(w.as_str()))
    };
    // Words of scripts written without spaces are looked for anywhere.
    let unspaced = vocab.iter().any(|w| !w.is_ascii() && all.contains(w.as_str()));
    unspaced
        || spelt
            .iter()
            .any(|s| s.chars().count() >= 3 && (long_word_in(s, 3) || s.contains("tlp")))
        || long_word_in(&all, 8)
}

/// The portion form `(` level `//` … `)` in the policy's own scheme, read into the banner form
/// and then by the banner reader.
fn portion(text: &str, policy: &Policy) -> Result<Mark, String> {
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("`{text}` is not a portion mark"))?;
    let mut parts = inner.split("//");
    let level = parts.next().unwrap_or_default();
    let long = std::iter::once(&policy.scheme)
        .chain(policy.schemes.iter())
        .find_map(|s| s.levels.iter().find(|l| l.portion.as_deref() == Some(level)))
        .map(|l| l.name.clone())
        .ok_or_else(|| format!("`{level}` is not a portion level of the policy's schemes"))?;
    const SHORT: &[(&str, &str)] = &[
        ("NF", "NOFORN"),
        ("OC", "ORCON"),
        ("OC-USGOV", "ORCON-USGOV"),
        ("PR", "PROPIN"),
        ("RS", "RSEN"),
        ("IMC", "IMCON"),
        ("DS", "LIMDIS"),
        ("XD", "EXDIS"),
        ("ND", "NODIS"),
        ("SBU-NF", "SBU NOFORN"),
        ("LES-NF", "LES NOFORN"),
    ];
    let mut banner = long;
    for seg in parts {
        banner.push_str("//");
        if seg.starts_with("REL TO ") {
            banner.push_str(seg);
            continue;
        }
        let words: Vec<&str> = seg
            .split('/')
            .map(|w| SHORT.iter().find(|(s, _)| *s == w).map_or(w, |(_, l)| *l))
            .collect();
        banner.push_str(&words.join("/"));
    }
    super::label::banner_mark(&banner, policy)
}

/// The markings a reader of the free text `text` would take it to carry, each written as the
/// marking text it stands for (upper case), for [`read`]: `TLP` and a colour; a level or control
/// word then `//` and what follows in marking characters; a parenthesised portion level (one
/// letter only where a paragraph starts, and `(c)` not before a year). The text is read folded,
/// and with its escapes decoded; spaces inside words and between the slashes are passed over.
pub fn marks_in(text: &str, policy: &Policy) -> Vec<String> {
    // The same marking written many times is read once.
    marks_in_each(text, policy).into_keys().collect()
}

/// Marks, each with how often it is written: a run of the same banner is one entry (a list of
/// each as written held a string of up to 160 characters a banner, 20 bytes a byte of a run of
/// `SECRET//`).
pub type Marks = std::collections::BTreeMap<String, usize>;

fn note(out: &mut Marks, mark: String) {
    let n = out.entry(mark).or_default();
    *n = n.saturating_add(1);
}

/// [`marks_in`], each mark as often as it is written (in the text and in each reading of it
/// with its escapes decoded), for the prose reader to count against.
pub fn marks_in_each(text: &str, policy: &Policy) -> Marks {
    let mut out = Marks::new();
    if plainly_unmarked(text) {
        return out;
    }
    let mut readings = vec![fold_lines(text)];
    readings.extend(super::text::unescaped(text).iter().map(|u| fold_lines(u)));
    // The policy's portion levels and those of the US and NATO schemes, whatever the policy.
    let portions: Vec<String> = policy
        .schemes
        .iter()
        .flat_map(|s| s.levels.iter().filter_map(|l| l.portion.as_deref()))
        .chain(["U", "C", "S", "TS", "NU", "NR", "NC", "NS", "CTS", "CTSA"])
        .map(|p| loose(&p.to_lowercase()))
        .collect();
    sentence_portions(text, &portions, &mut out);
    let mut banner: Option<Vec<(String, String)>> = None;
    for f in &readings {
        let all: Vec<char> = f.chars().map(bracket_as_parenthesis).collect();
        // Positions (in `all`) of the characters that are neither spaces nor marks.
        let solid: Vec<usize> = (0..all.len())
            .filter(|&k| {
                all.get(k)
                    .is_some_and(|&c| !c.is_whitespace() && !unicode_normalization::char::is_combining_mark(c))
            })
            .collect();
        let ch = |k: usize| all.get(k).copied().unwrap_or(' ');
        let sc = |s: usize| solid.get(s).map_or(' ', |&k| ch(k));
        // Whether the text holds a script written without spaces, found at the first portion
        // that asks (once: a text of many portions stays linear).
        let mut unspaced_text: Option<bool> = None;
        // A letter of a script written without spaces does not go on with a Latin word.
        let word_start = |k: usize| {
            let before = k.checked_sub(1).map(ch);
            !before.is_some_and(|b| b.is_alphanumeric() && !super::text::unspaced(b) && !super::text::unspaced(ch(k)))
        };
        for (s, &k) in solid.iter().enumerate() {
            match ch(k) {
                // `TLP` (`i` aside: `tip` is a word) starting a word, then a colour; digits
                // glued before it or after the colour hide nothing (`2024TLP:RED`,
                // `TLP:RED2024`: red team round 3, SA04).
                't' | '7'
                    if (word_start(k) || k.checked_sub(1).map(ch).is_some_and(|b| b.is_ascii_digit()))
                        && sc(s + 1) != 'i'
                        && loose(&[ch(k), sc(s + 1), sc(s + 2)].iter().collect::<String>()) == "tip" =>
                {
                    // A colour the solid text goes on with, ending a word where it is written.
                    let start = (s + 3..solid.len())
                        .find(|&q| !":-.".contains(sc(q)))
                        .unwrap_or(solid.len());
                    let named = ["amber+strict", "amber", "clear", "white", "green", "red"]
                        .into_iter()
                        .find(|w| {
                            let n = w.chars().count();
                            let said: String = (start..start + n).map(sc).collect();
                            let last = (start + n).checked_sub(1).and_then(|q| solid.get(q)).copied();
                            loose(&said) == loose(w)
                                && last.is_some_and(|q| {
                                    let x = ch(q + 1);
                                    x.is_ascii_digit()
                                        || !(x.is_alphanumeric()
                                            && !super::text::unspaced(x)
                                            && !super::text::unspaced(ch(q)))
                                })
                        });
                    if let Some(w) = named {
                        note(&mut out, format!("TLP:{}", w.to_uppercase()));
                    }
                }
                '/' if sc(s + 1) == '/' && s > 0 && sc(s - 1) != ':' && sc(s - 1) != '/' => {
                    let words = banner.get_or_insert_with(|| banner_vocabulary(policy));
                    // Letters and digits (and `-`) right before, spaces passed over.
                    let before: Vec<usize> = solid
                        .get(s.saturating_sub(160)..s)
                        .unwrap_or_default()
                        .iter()
                        .rev()
                        .copied()
                        .take_while(|&q| ch(q).is_alphanumeric() || "-@$|!\u{20AC}".contains(ch(q)))
                        .filter(|&q| ch(q) != '-')
                        .collect();
                    let read: String = before.iter().rev().map(|&q| ch(q)).collect();
                    let read = loose(&read);
                    let found = words
                        .iter()
                        .filter(|(w, _)| read.ends_with(w.as_str()))
                        .filter(|(w, _)| {
                            let last = w.chars().count().checked_sub(1);
                            last.and_then(|l| before.get(l)).is_some_and(|&q| word_start(q))
                        })
                        .max_by_key(|(w, _)| w.len());
                    let Some((_, level)) = found else { continue };
                    let second = solid.get(s + 1).copied().unwrap_or(k);
                    let after: String = all
                        .iter()
                        .skip(second + 1)
                        .take(160)
                        .take_while(|x| x.is_alphanumeric() || " /,-+@$|!\u{20AC}".contains(**x))
                        .collect();
                    note(
                        &mut out,
                        format!("{level}//{}", banner_rest(&after, words)).to_uppercase(),
                    );
                }
                '(' if word_start(k) => {
                    let inner: String = all
                        .iter()
                        .skip(k + 1)
                        .take(160)
                        .take_while(|x| **x != ')' && **x != '(')
                        .collect();
                    if ch(k + 1 + inner.chars().count()) != ')' {
                        continue;
                    }
                    let tight: String = inner
                        .chars()
                        .filter(|&x| !x.is_whitespace() && !unicode_normalization::char::is_combining_mark(x))
                        .collect();
                    let head: String = tight
                        .chars()
                        .take_while(|x| x.is_alphanumeric() || "@$|!\u{20AC}".contains(*x))
                        .collect();
                    let rest = tight.get(head.len()..).unwrap_or_default();
                    if !portions.contains(&loose(&head)) || !(rest.is_empty() || rest.starts_with("//")) {
                        continue;
                    }
                    // Digits alone (`(75)`) are read as a portion mark only where a one-letter
                    // one is: elsewhere they are a number.
                    let digits = head.chars().all(|x| x.is_ascii_digit());
                    if (head.chars().count() == 1 || digits) && rest.is_empty() {
                        // The line's start: a line break or the text's edge, with at most a
                        // list's number or bullet before it on its line (`1. (S)`, `- (S)`).
                        let line_start = all
                            .get(..k)
                            .unwrap_or_default()
                            .iter()
                            .rev()
                            .take(16)
                            .find(|x| **x == '\n' || x.is_alphabetic());
                        let opens_line = match line_start {
                            None => k <= 16,
                            Some(x) => *x == '\n',
                        };
                        let prev = all
                            .get(..k)
                            .unwrap_or_default()
                            .iter()
                            .rev()
                            .find(|x| **x != ' ' && **x != '\t');
                        let next = all.iter().skip(k + 2 + inner.chars().count()).find(|x| **x != ' ');
                        let copyright = loose(&head) == "c" && next.is_some_and(char::is_ascii_digit);
                        let unspaced_text =
                            *unspaced_text.get_or_insert_with(|| all.iter().any(|x| super::text::unspaced(*x)));
                        let opens = opens_line || (unspaced_text && prev.is_some_and(|x| !x.is_ascii_alphanumeric()));
                        if !opens || copyright {
                            continue;
                        }
                    }
                    note(
                        &mut out,
                        format!("({})", inner.split_whitespace().collect::<Vec<_>>().join(" ")).to_uppercase(),
                    );
                }
                _ => {}
            }
        }
    }
    out
}

/// One-letter portion marks written in capitals that open a sentence inside a paragraph
/// (`… end. (K) Extract`; red team round 3, after session 33): `(`, one capital letter that is
/// a portion level (`portions`, loosened lowercase), `)`, right after `.`, `!` or `?` (spaces
/// between). Read on `text` as written, each character in its compatibility form (`（Ｋ）`,
/// `🄚`), hidden characters and marks passed over; a list's letter in small letters
/// (`(a) one. (c) three`) is none, nor `(C)` before a year. One pass.
fn sentence_portions(text: &str, portions: &[String], out: &mut Marks) {
    if text.is_ascii() && !text.contains(['(', '[']) {
        return;
    }
    let shown: Vec<char> = text
        .chars()
        .flat_map(|c| c.nfkc())
        .map(bracket_as_parenthesis)
        .filter(|&c| !hidden(c) && !unicode_normalization::char::is_combining_mark(c))
        .filter(|c| !c.is_whitespace())
        .collect();
    for (k, w) in shown.windows(4).enumerate() {
        let [end, '(', letter, ')'] = w else { continue };
        if !matches!(end, '.' | '!' | '?') || !letter.is_uppercase() || !letter.is_ascii_alphabetic() {
            continue;
        }
        let small = letter.to_ascii_lowercase();
        if !portions.iter().any(|p| p.chars().eq(std::iter::once(small))) {
            continue;
        }
        let year = shown.get(k.saturating_add(4)).is_some_and(char::is_ascii_digit);
        if small == 'c' && year {
            continue;
        }
        note(out, format!("({letter})"));
    }
}

/// [`fold`] line by line: each line break (`\n`, `\r`, U+2028, U+2029, …) is kept as `\n`, so
/// that a mark can be asked whether it opens a paragraph.
fn fold_lines(text: &str) -> String {
    let breaks = |c: char| {
        matches!(
            c,
            '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    if !text.contains(breaks) {
        return fold(text);
    }
    text.split(breaks).map(fold).collect::<Vec<_>>().join("\n")
}

/// Whether `text` is plain ASCII, holds no escape, `data:` URI or markup, and none of what [`marks_in`] starts from:
/// no `(`, no `/` then `/` (spaces between passed over) unless a `:` comes first (a URL), and no
/// `t`/`7`, `l`/`1`/`|`/`!`, `p` in a row (spaces passed over). Such a text folds to itself
/// lowercased, so the finder could read nothing in it.
/// A square, lenticular or tortoise-shell bracket read as the parenthesis it stands for: a
/// portion mark in brackets (`[S]`, `【K】`) is read as one in parentheses.
fn bracket_as_parenthesis(c: char) -> char {
    match c {
        '[' | '\u{FF3B}' | '\u{3010}' | '\u{3014}' | '\u{3016}' => '(',
        ']' | '\u{FF3D}' | '\u{3011}' | '\u{3015}' | '\u{3017}' => ')',
        _ => c,
    }
}

fn plainly_unmarked(text: &str) -> bool {
    if !text.is_ascii() || text.contains(['(', '[']) || super::text::may_unescape(text) {
        return false;
    }
    let solid: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_lowercase())
        .collect();
    !solid.windows(3).any(|w| match w {
        [a, b'/', b'/'] => *a != b':' && *a != b'/',
        [t, l, b'p'] => matches!(t, b't' | b'7') && matches!(l, b'l' | b'1' | b'|' | b'!'),
        _ => false,
    }) && !solid.starts_with(b"//")
}

/// How much of `after` (what follows a banner's first `//`) still belongs to the banner: words
/// after a `/` (and the first) always; after `REL TO` its codes, one and then each after `, `
/// (and a control word after `, `, which has no place there); any other word only if it is a
/// control word. The first other word ends it (`rel to usa, jpn the actor` is `rel to usa, jpn`).
fn banner_rest(after: &str, words: &[(String, String)]) -> String {
    let pieces: Vec<(String, String)> = {
        // (separator before, word), words of letters, digits, `-` and signs.
        let mut v = Vec::new();
        let mut sep = String::new();
        let mut word = String::new();
        for c in after.chars() {
            if c.is_alphanumeric() || "-@$|!\u{20AC}".contains(c) {
                word.push(c);
            } else {
                if !word.is_empty() {
                    v.push((std::mem::take(&mut sep), std::mem::take(&mut word)));
                }
                sep.push(c);
            }
        }
        if !word.is_empty() {
            v.push((sep, word));
        }
        v
    };
    let mut kept = String::new();
    let mut state = "";
    for (n, (sep, word)) in pieces.iter().enumerate() {
        let w = word.to_lowercase();
        let control = words.iter().any(|(v, _)| *v == loose(&w.replace('-', "")));
        let code = (3..=4).contains(&w.len()) && w.chars().all(|c| c.is_ascii_alphanumeric());
        let slash = n == 0 || sep.contains('/');
        let keep = match state {
            _ if slash => true,
            "to" => code,
            "list" if sep.contains(',') => code || control,
            "list" => false,
            _ => w == "rel" || (w == "to" && state == "rel") || control,
        };
        if !keep {
            break;
        }
        state = match (state, w.as_str()) {
            (_, "rel") => "rel",
            ("rel", "to") => "to",
            ("to" | "list", _) if !slash || state == "to" => "list",
            _ => "",
        };
        kept.push_str(sep);
        kept.push_str(word);
    }
    kept
}

/// The words a banner starts a category with (level names and aliases of the policy's schemes,
/// control words), squeezed and loosened, each with the text the banner writes.
fn banner_vocabulary(policy: &Policy) -> Vec<(String, String)> {
    let squeeze = |s: &str| {
        loose(
            &s.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>(),
        )
    };
    let mut v: Vec<(String, String)> = Vec::new();
    for s in policy.schemes.iter() {
        for l in &s.levels {
            for n in std::iter::once(&l.name).chain(&l.aliases) {
                v.push((squeeze(n), n.to_uppercase()));
            }
        }
    }
    for c in policy.forbidden_controls.iter().chain(&policy.allowed_controls) {
        v.push((squeeze(&c.to_string()), c.to_string().to_uppercase()));
        if let Some((long, short)) = c.words() {
            v.push((squeeze(long), long.to_uppercase()));
            v.push((squeeze(short), short.to_uppercase()));
        }
    }
    // The control words the verifier reads, and three more a banner may carry.
    for w in super::label::CONTROL_WORDS.iter().chain(&["LES", "SSI", "DS"]) {
        v.push((squeeze(w), w.to_string()));
    }
    v.retain(|(w, _)| w.chars().count() >= 2);
    v
}

/// Whether `t` is one of the policy's portion marks, alone (any case, disguised).
fn bare_portion(t: &str, policy: &Policy) -> bool {
    let t = loose(&fold(t));
    policy
        .schemes
        .iter()
        .flat_map(|s| s.levels.iter().filter_map(|l| l.portion.as_deref()))
        .any(|p| loose(&p.to_lowercase()) == t)
}

/// Read one marking text: `Ok(None)` when it mentions no marking, the mark when it is written
/// exactly in a form the verifier reads, else why not.
pub fn read(text: &str, policy: &Policy) -> Result<Option<Mark>, String> {
    let t = text.trim();
    // A portion mark alone (`TS`, `NS`) is a level.
    if bare_portion(t, policy) || super::text::unescaped(t).iter().any(|u| bare_portion(u, policy)) {
        return Err(format!("`{text}` is a portion mark without its parentheses"));
    }
    // Read as written, and with its escapes decoded (`TLP:&#82;ED`).
    let decoded = super::text::unescaped(text).iter().any(|u| mentions(&fold(u), policy));
    if !decoded && !mentions(&fold(text), policy) {
        return Ok(None);
    }
    let exact = if t.starts_with('(') {
        portion(t, policy)
    } else {
        super::label::statement(t, policy)
            .and_then(|m| m.ok_or_else(|| format!("`{text}` mentions a marking but is not one the verifier reads")))
    };
    exact.map(|mut m| {
        // A classified marking without its own REL TO releases to nobody.
        if m.level.as_ref().is_some_and(|(_, l)| *l > 0) && m.rel_to.is_none() {
            m.rel_to = Some(BTreeSet::new());
        }
        Some(m)
    })
}

/// The reserved TLP definitions as published: (id, created, name, TLP 1.0 `tlp` or TLP 2.0
/// `tlp_2_0` value, version).
const PUBLISHED: &[(&str, &str, &str, &str, u8)] = &[
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "2017-01-20T00:00:00.000Z",
        "TLP:WHITE",
        "white",
        1,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "2017-01-20T00:00:00.000Z",
        "TLP:GREEN",
        "green",
        1,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "2017-01-20T00:00:00.000Z",
        "TLP:AMBER",
        "amber",
        1,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        "2017-01-20T00:00:00.000Z",
        "TLP:RED",
        "red",
        1,
    ),
    (
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "2022-10-01T00:00:00.000Z",
        "TLP:CLEAR",
        "clear",
        2,
    ),
    (
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "2022-10-01T00:00:00.000Z",
        "TLP:GREEN",
        "green",
        2,
    ),
    (
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "2022-10-01T00:00:00.000Z",
        "TLP:AMBER",
        "amber",
        2,
    ),
    (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "2022-10-01T00:00:00.000Z",
        "TLP:AMBER+STRICT",
        "amber+strict",
        2,
    ),
    (
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "2022-10-01T00:00:00.000Z",
        "TLP:RED",
        "red",
        2,
    ),
];

/// Whether `o` is the published body of reserved TLP id `id`; `None` when `id` is not reserved.
pub fn published_tlp(id: &str, o: &Object<'_>) -> Option<bool> {
    let &(_, created, name, value, version) = PUBLISHED.iter().find(|p| p.0 == id)?;
    let s = |v: &str| -> Json<'static> { Json::String(v.to_string().into()) };
    let obj = |pairs: Vec<(&str, Json<'static>)>| -> Json<'static> {
        // The pairs are this table's, each name once; were one twice, nothing would compare equal.
        Object::new(pairs.into_iter().map(|(k, v)| (k.to_string().into(), v)).collect())
            .map_or(Json::Null, Json::Object)
    };
    let mut want = vec![
        ("type", s("marking-definition")),
        ("spec_version", s("2.1")),
        ("id", s(id)),
        ("created", s(created)),
        ("name", s(name)),
    ];
    if version == 1 {
        want.push(("definition_type", s("tlp")));
        want.push(("definition", obj(vec![("tlp", s(value))])));
    } else {
        want.push((
            "extensions",
            obj(vec![(
                super::TLP2_EXTENSION,
                obj(vec![("extension_type", s("property-extension")), ("tlp_2_0", s(value))]),
            )]),
        ));
    }
    Some(Json::Object(o.clone()) == obj(want))
}

/// The properties a marking-definition may carry.
pub const DEFINITION_KEYS: &[&str] = &[
    "type",
    "spec_version",
    "id",
    "created_by_ref",
    "created",
    "external_references",
    "object_marking_refs",
    "granular_markings",
    "extensions",
    "name",
    "definition_type",
    "definition",
];

#[cfg(test)]
mod plainly_unmarked_tests {
    proptest::proptest! {
        /// The shortcut never skips a text the finder reads a marking in.
        #[test]
        fn never_skips_a_marked_text(s in "[tlpTLP17|!/():,. secretnofrSECRETNOF\n(S)//NFrel ousajpnURL]{0,40}") {
            let p = crate::policy::Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap();
            if super::plainly_unmarked(&s) {
                // What the finder would read without the shortcut.
                let folded = super::fold(&s);
                let probe = format!("{folded}\u{a0}"); // not ASCII (a no-break space): no shortcut
                proptest::prop_assert!(super::marks_in(&probe, &p).is_empty(), "{s:?}");
            }
        }
    }
}
