//! The verifier's text checks: its own normalisation and its own matchers, compiled from the
//! policy's rules as written ([`crate::policy::sanitise::RuleSource`]), and its own address
//! check for indicator patterns.

use std::cell::OnceCell;

mod bidi;
mod embedded;
mod letter_bases;
mod runs;
mod styles;
mod tables;

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
    /// Strings the rule does not read, as `paths`.
    pub except: Vec<(String, Vec<String>)>,
    matcher: Matcher,
}

enum Matcher {
    Regex(Regex),
    Email,
    Phone(Vec<phonenumber::country::Id>),
    /// `inflected`: for each pattern, whether it is a form with an inflection
    /// ([`inflected_forms`]), which is never numbered (`nightjar si` holds no plural).
    Phrases {
        ac: AhoCorasick,
        whole_words: bool,
        inflected: Vec<bool>,
    },
}

/// Compile the policy's text rules again, from their source.
pub fn compile(policy: &Policy) -> Result<Vec<Rule>, String> {
    let mut out = Vec::new();
    for r in &policy.text_rules.rules {
        let src = &r.source;
        let matcher = match &src.pattern {
            RawPattern::Email => Matcher::Email,
            RawPattern::Phone { regions } => Matcher::Phone(
                regions
                    .iter()
                    .map(|r| {
                        r.to_ascii_uppercase()
                            .parse()
                            .map_err(|_| format!("rule `{}`: region `{r}`", r))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            RawPattern::Regex(p) => Matcher::Regex(
                RegexBuilder::new(p)
                    .size_limit(1 << 21)
                    .dfa_size_limit(1 << 23)
                    .build()
                    .map_err(|e| format!("rule `{}`: {e}", r.id))?,
            ),
            RawPattern::Phrases { words, whole_words } => {
                // Each pattern, and whether it is an inflected form.
                let (words, inflected): (Vec<String>, Vec<bool>) = words
                    .iter()
                    .map(|w| normalise(w).trim().to_string())
                    .filter(|w| !w.is_empty())
                    .flat_map(|w| {
                        if *whole_words {
                            // Whole words are looked for with separators inside ignored, each
                            // word bare or inflected (the phrase as written comes first).
                            return inflected_forms(&w)
                                .iter()
                                .enumerate()
                                .map(|(k, f)| (squeezed_text(f), k > 0))
                                .collect::<Vec<_>>();
                        }
                        // Also with its spaces gone (invisible separators are removed); read as
                        // letters, as the text is.
                        let joined = letters(&w.replace(' ', ""));
                        let w = letters(&w);
                        let also = (joined != w).then_some(joined);
                        [Some(w), also].into_iter().flatten().map(|x| (x, false)).collect()
                    })
                    .unzip();
                let ac = AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .map_err(|e| format!("rule `{}`: {e}", r.id))?;
                Matcher::Phrases {
                    ac,
                    whole_words: *whole_words,
                    inflected,
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
        let except = src
            .except
            .iter()
            .map(|p| {
                let mut parts = p.split('.');
                let t = parts.next().unwrap_or_default().to_string();
                (t, parts.map(|s| s.trim_end_matches("[*]").to_string()).collect())
            })
            .collect();
        out.push(Rule {
            id: r.id.clone(),
            except,
            paths,
            matcher,
        });
    }
    Ok(out)
}

impl Rule {
    /// Whether the rule matches anywhere in `n`, a [`normalise`]d string.
    pub fn matches_normalised(&self, n: &str) -> bool {
        self.matches(&Reading::of_normal(n.to_string()))
    }

    /// Whether the rule matches anywhere in the string `r` reads.
    pub fn matches(&self, r: &Reading<'_>) -> bool {
        let n = r.normal();
        match &self.matcher {
            Matcher::Regex(re) => re.find_iter(n).any(|m| !m.is_empty()),
            Matcher::Email => {
                super::content::has_email_refanged(r.refanged())
                    || r.at_signs().iter().any(|a| super::content::has_email(a))
            }
            Matcher::Phone(regions) => {
                super::content::has_phone(n, regions)
                    || r.digits().is_some_and(|d| super::content::has_phone(d, regions))
                    || r.keypad().is_some_and(|k| super::content::has_phone(k, regions))
            }
            // Standard (overlapping-capable) semantics: every occurrence is looked at, so a
            // whole-word hit hidden behind a longer non-word match is still seen.
            Matcher::Phrases {
                ac, whole_words: false, ..
            } => ac.find_overlapping_iter(&letters(n)).next().is_some(),
            // Whole words: found in the squeezed text (and in the one with signs read as
            // letters), bounded by words in `n`.
            Matcher::Phrases {
                ac,
                whole_words: true,
                inflected,
            } => {
                whole_word_hit(ac, inflected, r.squeezed(), n, n)
                    || r.signs_squeezed()
                        .is_some_and(|(t, q)| whole_word_hit(ac, inflected, q, t, n))
                    // A change of case ends a word too (`SeeProjectBLUEBIRD`).
                    || r.camel_spaced()
                        .is_some_and(|(t, q)| whole_word_hit(ac, inflected, q, t, t))
            }
        }
    }
}

/// Whether `ac` finds a phrase in `squeezed` (`read` squeezed, where `read` is `n` or a reading
/// of it with the same indexes) that stands on word boundaries of `n` (a number or mark after
/// it counts as one only for a phrase as written: `inflected` tells each pattern's kind).
fn whole_word_hit(ac: &AhoCorasick, inflected: &[bool], squeezed: &str, read: &str, n: &str) -> bool {
    // Where each squeezed byte comes from, worked out at the first match only.
    let mut from: Option<Vec<usize>> = None;
    ac.find_overlapping_iter(squeezed).any(|m| {
        let from = from.get_or_insert_with(|| squeezed_origins(read));
        let (Some(&a), Some(&b)) = (from.get(m.start()), m.end().checked_sub(1).and_then(|e| from.get(e))) else {
            return false;
        };
        let before = n.get(..a).and_then(|s| s.chars().next_back());
        let after = n.get(b + 1..).and_then(|s| s.chars().next());
        let first = n.get(a..).and_then(|s| s.chars().next());
        let last = n.get(..=b).and_then(|s| s.chars().next_back());
        let as_written = !inflected.get(m.pattern().as_usize()).copied().unwrap_or(true);
        let marked =
            as_written && last.is_some_and(char::is_alphabetic) && n.get(b + 1..).is_some_and(numbered_or_marked);
        !continues_word(before, first) && (!continues_word(after, last) || marked)
    })
}

/// Whether the word `rest` starts with is only a number (`2`, `²` read as `2`), a small Roman
/// numeral (`ii`, `iv`, `xiii`) or a trade mark (`tm`, `sm`) after a name: the name numbered or
/// marked, not another word (`nightjars` is a form of the phrase of its own:
/// [`inflected_forms`]).
fn numbered_or_marked(rest: &str) -> bool {
    let w: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
    let number = !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
    let roman = w.chars().count() <= 4 && !w.is_empty() && w.chars().all(|c| "ivx".contains(c));
    number || roman || w == "tm" || w == "sm"
}

/// A whole-word phrase (normalised) and its forms with English inflections: up to two of its
/// words that end in an ASCII letter (one, in a phrase of more than eight such words) followed
/// by a plural `s` or `es` (the possessives `'s` and `s'` squeeze to `s`): `project bluebirds`,
/// `projects bluebird`, `projects bluebirds`. A longer word (`bluebirdsong`) is another word.
fn inflected_forms(phrase: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = phrase.char_indices().collect();
    let ends: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|&(k, &(_, c))| c.is_ascii_alphabetic() && chars.get(k + 1).is_none_or(|&(_, n)| !n.is_alphanumeric()))
        .map(|(_, &(i, c))| i + c.len_utf8())
        .collect();
    let with = |marks: &[(usize, &str)]| {
        let mut out = String::new();
        let mut from = 0;
        for &(at, suffix) in marks {
            out.push_str(phrase.get(from..at).unwrap_or_default());
            out.push_str(suffix);
            from = at;
        }
        out.push_str(phrase.get(from..).unwrap_or_default());
        out
    };
    let mut forms = vec![phrase.to_string()];
    for (a, &x) in ends.iter().enumerate() {
        for sx in ["s", "es"] {
            forms.push(with(&[(x, sx)]));
            if ends.len() > 8 {
                continue;
            }
            for &y in ends.get(a + 1..).unwrap_or_default() {
                for sy in ["s", "es"] {
                    forms.push(with(&[(x, sx), (y, sy)]));
                }
            }
        }
    }
    forms
}

/// Ranges of the scripts written without spaces between words: Thai and Lao, Tibetan, Myanmar,
/// Khmer, CJK radicals, ideographic marks, kana, Bopomofo, ideographs, Yi, halfwidth kana.
const UNSPACED: &[(u32, u32)] = &[
    (0x0E00, 0x0EFF),
    (0x0F00, 0x0FFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x19E0, 0x19FF),
    (0x2E80, 0x2FDF),
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3031, 0x3035),
    (0x303B, 0x303C),
    (0x3040, 0x30FF),
    (0x3100, 0x312F),
    (0x31A0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x20000, 0x3FFFF),
];

/// Whether `c` belongs to a script written without spaces ([`UNSPACED`]).
pub(super) fn unspaced(c: char) -> bool {
    let v = u32::from(c);
    UNSPACED.iter().any(|&(lo, hi)| (lo..=hi).contains(&v))
}

/// `s` with a space written where a word of CamelCase ends, between two letters or digits as
/// written (combining marks and invisible characters passed over): a small letter then a
/// capital (`seeProject`), a capital or a digit then a capital and a small letter
/// (`BLUEBIRDReport`, `1-7Notes`), or two capitals or more then a small letter
/// (`BLUEBIRDreport`); none where no word so ends (`BLUEBIRDSONG`, `bluebirdish`, `The`). One
/// pass.
fn camel_case_spaced(s: &str) -> Option<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Capital,
        Small,
        Digit,
        Other,
    }
    let kind = |c: char| {
        if c.is_uppercase() {
            Kind::Capital
        } else if c.is_lowercase() {
            Kind::Small
        } else if c.is_numeric() {
            Kind::Digit
        } else {
            Kind::Other
        }
    };
    // Whether a word ends between `x` and `y` (at `y`), with the kinds before `x` and after `y`.
    let ends = |before: Kind, x: Kind, y: Kind, after: Kind| match (x, y) {
        (Kind::Small, Kind::Capital) => true,
        (Kind::Capital | Kind::Digit, Kind::Capital) => after == Kind::Small,
        (Kind::Capital, Kind::Small) => before == Kind::Capital,
        _ => false,
    };
    // The last three characters that count, oldest first: a window of four with the next.
    // What is decided is written out at once: nothing but the text spaced is held.
    let mut window = [(0usize, Kind::Other); 3];
    let mut out: Option<String> = None;
    let mut written = 0;
    let counted = s
        .char_indices()
        .filter(|&(_, c)| !is_format(c) && !unicode_normalization::char::is_combining_mark(c))
        .map(|(i, c)| (i, kind(c)))
        .chain(std::iter::once((s.len(), Kind::Other)));
    for next in counted {
        let [(_, w), (_, x), (at, y)] = window;
        if ends(w, x, y, next.1) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len().saturating_add(16)));
            o.push_str(s.get(written..at).unwrap_or_default());
            o.push(' ');
            written = at;
        }
        let [_, b, c] = window;
        window = [b, c, next];
    }
    let mut out = out?;
    out.push_str(s.get(written..).unwrap_or_default());
    Some(out)
}

/// Whether the character `beside` a hit whose character at that end is `edge` makes the hit part
/// of a longer word: a letter or digit, where neither is of a script written without spaces.
fn continues_word(beside: Option<char>, edge: Option<char>) -> bool {
    beside.is_some_and(|c| c.is_alphanumeric() && !unspaced(c)) && !edge.is_some_and(unspaced)
}

/// One string as the checks read it: its normal form, and the readings made from that (refanged,
/// look-alike digits read as digits, squeezed), each made at most once, when first asked for.
pub struct Reading<'a> {
    source: &'a str,
    normal: OnceCell<String>,
    refanged: OnceCell<String>,
    digits: OnceCell<Option<String>>,
    digits_refanged: OnceCell<Option<String>>,
    squeezed: OnceCell<String>,
    signs_squeezed: OnceCell<Option<(String, String)>>,
    /// The source with a space where a word of CamelCase ends ([`camel_case_spaced`]),
    /// normalised, and that squeezed; none where no such word ends.
    camel_spaced: OnceCell<Option<(String, String)>>,
    /// The decoded readings, and the normal forms (as written and decoded) with the characters
    /// drawn as an `@` read as one ([`at_signs_read`]).
    unescaped: OnceCell<(Vec<Reading<'static>>, Vec<String>)>,
    /// The source with vanity words read as keypad digits ([`super::content::keypad_read`]),
    /// normalised; none where there is no such word.
    keypad: OnceCell<Option<String>>,
}

impl<'a> Reading<'a> {
    /// The readings of `s` (normalised when first asked for).
    /// The string as written.
    pub fn text(&self) -> &'a str {
        self.source
    }

    pub fn new(s: &'a str) -> Reading<'a> {
        Reading {
            source: s,
            normal: OnceCell::new(),
            refanged: OnceCell::new(),
            digits: OnceCell::new(),
            digits_refanged: OnceCell::new(),
            squeezed: OnceCell::new(),
            signs_squeezed: OnceCell::new(),
            camel_spaced: OnceCell::new(),
            unescaped: OnceCell::new(),
            keypad: OnceCell::new(),
        }
    }

    /// The readings of `normal`, already [`normalise`]d.
    pub fn of_normal(normal: String) -> Reading<'a> {
        let r = Reading::new("");
        let _ = r.normal.set(normal);
        r
    }

    /// [`normalise`]d.
    pub fn normal(&self) -> &str {
        self.normal.get_or_init(|| normalise(self.source))
    }

    /// [`super::content::refang`] of the normal form.
    pub fn refanged(&self) -> &str {
        self.refanged.get_or_init(|| super::content::refang(self.normal()))
    }

    /// The source with its vanity words read as keypad digits, normalised.
    pub fn keypad(&self) -> Option<&str> {
        self.keypad
            .get_or_init(|| super::content::keypad_read(self.source).map(|k| normalise(&k)))
            .as_deref()
    }

    /// [`digits_read`] of the normal form.
    pub fn digits(&self) -> Option<&str> {
        self.digits.get_or_init(|| digits_read(self.normal())).as_deref()
    }

    /// The digits reading, refanged.
    fn digits_refanged(&self) -> Option<&str> {
        self.digits_refanged
            .get_or_init(|| self.digits().map(super::content::refang))
            .as_deref()
    }

    /// The readings of the string with its escapes decoded ([`unescaped`]); none when it holds
    /// no escape.
    pub fn unescaped(&self) -> &[Reading<'static>] {
        &self.decoded().0
    }

    /// The normal forms of the string, as written and decoded, with each character drawn as an
    /// `@` read as one (`aliceⓐexample.com`, [`at_signs_read`]); none when it holds none. The
    /// e-mail check reads them.
    pub fn at_signs(&self) -> &[String] {
        &self.decoded().1
    }

    fn decoded(&self) -> &(Vec<Reading<'static>>, Vec<String>) {
        self.unescaped.get_or_init(|| {
            let raw = unescaped(self.source);
            let at = std::iter::once(self.source)
                .chain(raw.iter().map(String::as_str))
                .filter_map(at_signs_read)
                .map(|a| normalise(&a))
                .collect();
            let read = |u: &String| {
                let r = Reading::of_normal(normalise(u));
                let _ = r.keypad.set(super::content::keypad_read(u).map(|k| normalise(&k)));
                r
            };
            (raw.iter().map(read).collect(), at)
        })
    }

    fn squeezed(&self) -> &str {
        self.squeezed.get_or_init(|| squeezed_text(self.normal()))
    }

    /// The source with a space where a word of CamelCase ends, normalised, and that squeezed.
    fn camel_spaced(&self) -> Option<&(String, String)> {
        self.camel_spaced
            .get_or_init(|| {
                camel_case_spaced(self.source).map(|t| {
                    let t = normalise(&t);
                    let q = squeezed_text(&t);
                    (t, q)
                })
            })
            .as_ref()
    }

    /// The normal form with the signs beside letters read as letters ([`signs_read`]), and that
    /// squeezed; none without such a sign.
    fn signs_squeezed(&self) -> Option<&(String, String)> {
        self.signs_squeezed
            .get_or_init(|| {
                signs_read(self.normal()).map(|t| {
                    let q = squeezed_text(&t);
                    (t, q)
                })
            })
            .as_ref()
    }
}

/// `s` with each character drawn as an `@` written as one: an `a` in a circle or a square
/// (`ⓐ` `Ⓐ` `🄰` `🅐` `🅰`), or an `a` or `@` (any width) under a combining enclosing mark
/// (`a⃝`); its other marks go with it. `None` when there is none. Elsewhere such a character
/// is the letter it encloses; only the e-mail check reads this.
pub(super) fn at_signs_read(s: &str) -> Option<String> {
    let encloses = |m: char| matches!(m, '\u{20DD}'..='\u{20E0}' | '\u{20E2}'..='\u{20E4}');
    let circled = |c: char| matches!(c, '\u{24D0}' | '\u{24B6}' | '\u{1F130}' | '\u{1F150}' | '\u{1F170}');
    if s.is_ascii() || !s.chars().any(|c| circled(c) || encloses(c)) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut marks = Vec::new();
        while let Some(m) = chars.next_if(|&m| unicode_normalization::char::is_combining_mark(m)) {
            marks.push(m);
        }
        let enclosed =
            matches!(c, 'a' | 'A' | '@' | '\u{FF41}' | '\u{FF21}' | '\u{FF20}') && marks.iter().any(|&m| encloses(m));
        if circled(c) || enclosed {
            out.push('@');
            changed = true;
        } else {
            out.push(c);
            out.extend(marks);
        }
    }
    changed.then_some(out)
}

/// The letter an ASCII character is read as in names and phrases: look-alikes (`0` is `o`, `1`
/// and `i` are `l`) and the digits written for letters (`3` `e`, `4` `a`, `5` `s`, `6` and `9`
/// `g`, `7` `t`, `8` `b`); any other character is itself.
pub(super) fn as_letter(c: char) -> char {
    match c {
        '0' => 'o',
        '1' | 'i' => 'l',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '6' | '9' => 'g',
        '7' => 't',
        '8' => 'b',
        c => c,
    }
}

/// The letter a sign is written for inside a word (`NIGHTJ@R`, `CA$TELLAN`, `B!RD`, `R|DGE`).
pub(super) fn sign_as_letter(c: char) -> Option<char> {
    match c {
        '@' => Some('a'),
        '$' => Some('s'),
        '!' | '|' => Some('l'),
        _ => None,
    }
}

/// `s` with every character read as its letter ([`as_letter`], [`sign_as_letter`]), character
/// for character: names and phrases looked for anywhere are read so, on both sides.
pub(super) fn letters(s: &str) -> String {
    s.chars()
        .map(|c| sign_as_letter(c).unwrap_or_else(|| as_letter(c)))
        .collect()
}

/// `n` with each sign of [`sign_as_letter`] that has an ASCII letter or digit beside it read as
/// that letter (`$OURCE`, `NIGHTJ@R`), character for character and ASCII for ASCII (so every
/// index of it is one of `n`); `None` when there is no such sign.
fn signs_read(n: &str) -> Option<String> {
    let chars: Vec<char> = n.chars().collect();
    let beside = |k: Option<usize>| k.and_then(|k| chars.get(k)).is_some_and(char::is_ascii_alphanumeric);
    let mut changed = false;
    let read: String = chars
        .iter()
        .enumerate()
        .map(|(k, &c)| match sign_as_letter(c) {
            Some(l) if beside(k.checked_sub(1)) || beside(k.checked_add(1)) => {
                changed = true;
                l
            }
            _ => c,
        })
        .collect();
    changed.then_some(read)
}

/// `n` squeezed: without the characters other than letters and digits that stand between two
/// letters or digits, ASCII look-alikes of letters read as letters ([`squeezed_chars`]).
fn squeezed_text(n: &str) -> String {
    if n.is_ascii() {
        // The same, a byte at a time.
        let b = n.as_bytes();
        let first = b.iter().position(u8::is_ascii_alphanumeric).unwrap_or(b.len());
        let last = b.iter().rposition(u8::is_ascii_alphanumeric).unwrap_or(0);
        return b
            .iter()
            .enumerate()
            .filter(|&(i, c)| c.is_ascii_alphanumeric() || i <= first || i >= last)
            .map(|(_, &c)| as_letter(char::from(c)))
            .collect();
    }
    let mut out = String::with_capacity(n.len());
    out.extend(squeezed_chars(n).map(|(_, c)| c));
    out
}

/// For each byte of the squeezed `n`, its index in `n`.
fn squeezed_origins(n: &str) -> Vec<usize> {
    let mut from = Vec::with_capacity(n.len());
    for (i, c) in squeezed_chars(n) {
        from.extend(i..i + c.len_utf8());
    }
    from
}

/// The characters of the squeezed `n`, each with its index in `n`.
fn squeezed_chars(n: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    // Every character that is no letter or digit, after the first letter or digit and before
    // the last, stands between two of them.
    let first = n.find(char::is_alphanumeric).unwrap_or(n.len());
    let last = n.rfind(char::is_alphanumeric).unwrap_or(0);
    n.char_indices().filter_map(move |(i, c)| {
        if !c.is_alphanumeric() && first < i && i < last {
            return None;
        }
        // ASCII look-alikes of letters read as the letters (`n1ghtj4r`, `0peration`).
        Some((i, as_letter(c)))
    })
}

/// `n` with the letters `o`, `l`, `i` read as the digits they look like in every stretch of
/// digits, those letters and number punctuation that holds a digit (`1o.2o.3o.4o`,
/// `http://1o.2o`); a piece of the stretch glued to a word outside it (`tel:`'s `l`, `i18n`)
/// stays. `None` when nothing is read otherwise.
pub fn digits_read(n: &str) -> Option<String> {
    // Nothing is read otherwise without an ASCII digit and a look-alike letter.
    if !n.bytes().any(|b| b.is_ascii_digit()) || !n.bytes().any(|b| matches!(b, b'o' | b'l' | b'i')) {
        return None;
    }
    // Every character of a stretch is ASCII: byte indexes are character boundaries around it.
    let lookalike = |c: u8| matches!(c, b'o' | b'l' | b'i');
    let piece = |c: u8| c.is_ascii_digit() || lookalike(c);
    let number_like = |c: u8| piece(c) || b".:/-()+[]".contains(&c);
    let b = n.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut k = 0;
    while k < b.len() {
        if !b.get(k).is_some_and(|&c| number_like(c)) {
            k += 1;
            continue;
        }
        let end = k + b
            .get(k..)
            .map_or(0, |r| r.iter().take_while(|&&x| number_like(x)).count());
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let mut from = k;
        if word(n.get(..k).and_then(|s| s.chars().next_back())) {
            while from < end && b.get(from).is_some_and(|&c| piece(c)) {
                from += 1;
            }
        }
        let mut to = end;
        if word(n.get(end..).and_then(|s| s.chars().next())) {
            while to > from && to.checked_sub(1).and_then(|t| b.get(t)).is_some_and(|&c| piece(c)) {
                to -= 1;
            }
        }
        let part = b.get(from..to).unwrap_or_default();
        if part.iter().any(u8::is_ascii_digit) && part.iter().any(|&c| lookalike(c)) {
            let o = out.get_or_insert_with(|| b.to_vec());
            for c in o.get_mut(from..to).into_iter().flatten() {
                *c = match *c {
                    b'o' => b'0',
                    b'l' | b'i' => b'1',
                    c => c,
                };
            }
        }
        k = end;
    }
    // ASCII written over ASCII: still UTF-8.
    out.and_then(|o| String::from_utf8(o).ok())
}

/// `s` as a reader sees it: what follows a RIGHT-TO-LEFT OVERRIDE, to its POP DIRECTIONAL
/// FORMATTING or the line's end, written in reverse; inside it, each embedding, override or
/// isolate kept whole as one block (reversed itself only if it is another such override); the
/// controls dropped.
pub(super) fn visual(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\u{202E}') {
        return std::borrow::Cow::Borrowed(s);
    }
    // Open levels, innermost last: whether shown reversed, and the character groups so far.
    let mut open: Vec<(bool, Vec<Vec<char>>)> = Vec::new();
    let mut out = String::with_capacity(s.len());
    fn close(open: &mut Vec<(bool, Vec<Vec<char>>)>, out: &mut String) {
        if let Some((reversed, mut groups)) = open.pop() {
            if reversed {
                groups.reverse();
            }
            let block: Vec<char> = groups.into_iter().flatten().collect();
            match open.last_mut() {
                Some((_, around)) if !block.is_empty() => around.push(block),
                Some(_) => {}
                None => out.extend(block),
            }
        }
    }
    // Past 125 open levels (UAX #9's deepest) openings are only counted, so that a character
    // is copied into at most that many blocks.
    let mut too_deep = 0usize;
    for c in s.chars() {
        let opening = matches!(c, '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{2066}'..='\u{2068}');
        if c == '\u{202E}' || (opening && !open.is_empty()) {
            if open.len() < 125 {
                open.push((c == '\u{202E}', Vec::new()));
            } else {
                too_deep += 1;
            }
        } else if matches!(c, '\u{202C}' | '\u{2069}') && !open.is_empty() {
            if too_deep > 0 {
                too_deep -= 1;
            } else {
                close(&mut open, &mut out);
            }
        } else if matches!(c, '\n' | '\r' | '\u{2029}') {
            while !open.is_empty() {
                close(&mut open, &mut out);
            }
            too_deep = 0;
            out.push(c);
        } else if let Some((_, groups)) = open.last_mut() {
            // A combining mark stays with the character before it.
            match groups.last_mut() {
                Some(g) if unicode_normalization::char::is_combining_mark(c) => g.push(c),
                _ => groups.push(vec![c]),
            }
        } else {
            out.push(c);
        }
    }
    while !open.is_empty() {
        close(&mut open, &mut out);
    }
    std::borrow::Cow::Owned(out)
}

/// The text with its escapes decoded, as a program down the line would: `&#NN;`, `&#xHH;` and
/// HTML5 named references, `%HH` runs (UTF-8), `%uHHHH`, `\xHH`, `\uHHHH`, `\u{…}`, `\UHHHHHHHH`, octal
/// `\NNN`, `\n` `\r` `\t`, a backslash before punctuation, and a `data:` URI as the text of its
/// payload (base64 or percent-encoded); three times over (`%2540`). `None`
/// when there is nothing to decode. Its own decoder, not the guard's.
pub fn unescape(s: &str) -> Option<String> {
    unescape_steps(s, &mut None, &mut Vec::new(), true).pop()
}

/// [`unescape`]'s result, after the text as it stood after each pass that read a `data:` URI:
/// a payload is read as written too (a `%` in it may be a zone, not an escape). `why`: the
/// first reason a `data:` URI read is no text, or one is left unread past the last pass.
/// `quads`: the [`snort_quads`] reading of each pass's text before the next pass decodes it (a
/// group shows only once the escapes around it are gone: `\\|0a 14 1e 28\\|`). `utf7`:
/// whether a `+` starts a UTF-7 run.
fn unescape_steps(s: &str, why: &mut Option<String>, quads: &mut Vec<String>, utf7: bool) -> Vec<String> {
    let mut steps = Vec::new();
    let Some((mut cur, mut had_uri)) = unescape_once(s, why, utf7) else {
        return steps;
    };
    // Three passes; up to six while each reads a `data:` URI (a URI nested in a URI).
    for pass in 1..6 {
        quads.extend(snort_quads(&cur));
        if pass >= 3 && !had_uri {
            break;
        }
        match unescape_once(&cur, why, utf7) {
            Some((next, uri)) => {
                if had_uri {
                    steps.push(std::mem::replace(&mut cur, next));
                } else {
                    cur = next;
                }
                had_uri = uri;
            }
            None => break,
        }
    }
    // A URI still in the text after the last pass is one nested deeper than the passes read
    // (every pass reads each URI it finds).
    if why.is_none() && embedded::has_data_uri(&cur) && has_unread_uri(&cur) {
        *why = Some(
            "a `data:` URI nested deeper than the 6 passes of decoding read: its payload is left unread".to_string(),
        );
    }
    steps.push(cur);
    steps
}

/// Whether `s` still holds a `data:` URI with something in its payload (each URI read once).
fn has_unread_uri(s: &str) -> bool {
    let mut from = 0;
    while let Some(k) = s.get(from..).and_then(|r| r.find(['d', 'D'])) {
        let at = from + k;
        match embedded::data_uri(s.get(at..).unwrap_or_default()) {
            Some((text, _, _)) if !text.trim().is_empty() => return true,
            Some((_, used, _)) => from = at + used.max(1),
            None => from = at + 1,
        }
    }
    false
}

/// Why `s` shows what no rule reads, when it does: a `data:` URI whose payload is no text or
/// that is nested deeper than the decoding reads, or markup whose style adds text of its own or
/// fetches it ([`styles::styles_shown`]), or a bidirectional control between two left-to-right
/// runs ([`bidi::shown_reordered`]), as written or in any reading. Its own code.
pub fn unread(s: &str) -> Option<String> {
    if let Some(why) = bidi::shown_reordered(s) {
        return Some(why);
    }
    if !may_unescape(s) {
        return None;
    }
    let mut why = None;
    let readings = unescaped_checked(s, &mut why);
    why.or_else(|| {
        std::iter::once(s)
            .chain(readings.iter().map(String::as_str))
            .find_map(|r| styles::styles_shown(r).or_else(|| bidi::shown_reordered(r)))
    })
}

/// Whether [`unescaped`] may find another reading of `s`: it holds an escape, a `data:` URI,
/// markup or a run of base64 or hex that writes text.
pub fn may_unescape(s: &str) -> bool {
    s.contains(['&', '%', '\\', '=', '+', '|', '{'])
        || embedded::has_data_uri(s)
        || embedded::has_markup(s)
        || (s.contains('[') && s.contains(']'))
        || writes_text(s)
}

/// The readings of `s` with its runs of base64 and hex that write text read as that text
/// ([`runs::readings`]: one for each kind and phase of run); none when it holds no run.
pub(crate) fn text_runs_decoded(s: &str) -> Vec<String> {
    runs::readings(s)
}

/// Whether `s` holds a run of base64 or hex that writes text ([`text_runs_decoded`]).
pub fn writes_text(s: &str) -> bool {
    runs::too_long(s) || !runs::readings(s).is_empty()
}

/// How many readings of runs one text may have, at all levels together: past it the text is
/// not read further, and is held.
const RUN_READINGS: usize = 32;

/// The bytes all readings of runs of one text may take together, past one: a text of a
/// megabyte has two at most, one of 64 KiB or less all [`RUN_READINGS`].
const RUN_BYTES: usize = 2 << 20;

/// Every reading of `s` with its escapes decoded ([`unescape`]), and with its markup gone as a
/// browser shows it (before and after decoding: `NIGHT<b>&#74;</b>AR`,
/// `NIGHT&lt;b&gt;&lt;/b&gt;JAR`): as written, and, when an override turns text round, as shown
/// (`\u202E` then `3400u\` is shown `\u0043`).
pub fn unescaped(s: &str) -> Vec<String> {
    unescaped_checked(s, &mut None)
}

/// [`unescaped`], the first reason a `data:` URI read is no text going to `why`.
fn unescaped_checked(s: &str, why: &mut Option<String>) -> Vec<String> {
    let mut out = decodings(s, why);
    // Four bytes of a snort hex group as the IPv4 address they write.
    out.extend(snort_quads(s));
    // As a script joins a word broken for it, and as sh does where the two differ, then decoded.
    if let Some(joined) = shell_joined(s, true) {
        if let Some(sh) = shell_joined(s, false).filter(|sh| *sh != joined) {
            out.push(unescape(&sh).unwrap_or(sh));
        }
        out.push(unescape(&joined).unwrap_or(joined));
    }
    // As a UTF-7 decoder reads the whole text, then decoded.
    if let Some(seven) = utf7_everywhere(s) {
        out.push(unescape(&seven).unwrap_or(seven));
    }

    if s.contains('\u{202E}') {
        // As shown, with hidden code points and marks on ASCII gone, case kept (capitals are
        // read by their look later).
        let mut shown = String::with_capacity(s.len());
        for c in visual(s).chars() {
            let on_ascii = unicode_normalization::char::is_combining_mark(c)
                && shown.chars().next_back().is_some_and(|p| p.is_ascii_graphic());
            if !(is_format(c) || c == '\u{2800}' || on_ascii) {
                shown.push(c);
            }
        }
        out.extend(decodings(&shown, why));
    }
    // With its runs of base64 and hex that write text decoded, as written and in every
    // reading, then in what they write, three deep (base64 of hex), each then decoded; no more
    // than [`RUN_READINGS`] of them (a text with more is held).
    if runs::too_long(s) {
        why.get_or_insert_with(|| "it is too long to read its runs of base64 or hex".to_owned());
    }
    // No more than one past the bound is made (each reading is as long as the text); a layer
    // cut short so holds the text. A long text has fewer ([`RUN_BYTES`]).
    let bound = RUN_READINGS.min((RUN_BYTES / s.len().max(1)).max(1));
    let mut words: Vec<String> = std::iter::once(s)
        .chain(out.iter().map(String::as_str))
        .flat_map(text_runs_decoded)
        .take(bound + 1)
        .collect();
    let mut cut_short = words.len() > bound;
    let mut seen = 0;
    for depth in 0..3 {
        words.dedup();
        seen += words.len();
        if seen > bound || cut_short {
            why.get_or_insert_with(|| {
                format!(
                    "it holds more than {bound} readings of base64 or hex runs (in {} bytes)",
                    s.len()
                )
            });
            break;
        }
        let room = (bound + 1).saturating_sub(seen);
        let deeper: Vec<String> = if depth < 2 {
            words.iter().flat_map(|w| text_runs_decoded(w)).take(room).collect()
        } else {
            Vec::new()
        };
        cut_short = deeper.len() >= room;
        out.extend(words.into_iter().map(|w| unescape(&w).unwrap_or(w)));
        words = deeper;
    }
    out
}

/// The [`unescape_steps`] of `s` (with and without its UTF-7 runs read), and the markup
/// readings: of `s` (then decoded), and of its decoding.
fn decodings(s: &str, why: &mut Option<String>) -> Vec<String> {
    let mut quads = Vec::new();
    let mut out = unescape_steps(s, why, &mut quads, true);
    let decoded = out.last().cloned();
    out.append(&mut quads);
    // And with a `+` left as written: a `+` after a character that is no ASCII letter starts a
    // UTF-7 run to the pass above, which would hide what the other escapes write around it
    // (`\u0054LＰ+Aag` is `TLＰ+Aag`, not `TLＰƨ`).
    if s.contains('+')
        && let Some(plain) = unescape_steps(s, why, &mut Vec::new(), false).pop()
        && !out.contains(&plain)
    {
        out.push(plain);
    }
    let mut decode = |bare: String| unescape_steps(&bare, why, &mut Vec::new(), true).pop().unwrap_or(bare);
    if let Some(bare) = embedded::without_markup(s) {
        out.push(decode(bare));
    }
    if let Some(bare) = decoded.as_deref().and_then(embedded::without_markup)
        && !out.contains(&bare)
    {
        out.push(bare);
    }
    // And as a forum or Markdown viewer shows it (`NIGHT[b][/b]JAR`, `[NIGHT](x "t")JAR`).
    for bbcode in [true, false] {
        if let Some(bare) = embedded::without_light_markup(s, bbcode) {
            out.push(decode(bare));
        }
    }
    // And without the content a screen does not show (`NIGHT<span hidden>x</span>JAR`).
    if let Some(bare) = embedded::without_hidden(s) {
        out.push(decode(bare));
    }
    out
}

/// One pass of decoding, and whether it read a `data:` URI; `None` when nothing changed. `why`
/// gets the first reason a URI read is no text, when it has none. `utf7`: whether a `+` starts
/// a UTF-7 run.
fn unescape_once(s: &str, why: &mut Option<String>, utf7: bool) -> Option<(String, bool)> {
    if !s.contains(['&', '%', '\\', '=', '+', '|', '{']) && !embedded::has_data_uri(s) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    let mut uri = false;
    let mut next_pass_until = 0;
    while let Some(at) = rest.find(['&', '%', '\\', 'd', 'D', '=', '+', '|', '{']) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        let decoded = match tail.as_bytes().first() {
            Some(b'&') => char_ref(tail),
            // `%uHHHH` (IIS, JavaScript `escape()`), else a run of `%HH`.
            Some(b'%')
                if tail.starts_with("%u")
                    && tail.get(2..6).is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit())) =>
            {
                utf16_units(tail, "%u").map(|(c, used)| (c.to_string(), used))
            }
            // `%data:…`: the `%` of a LIKE pattern (or a URI's stray one) before a `data:` URI,
            // which `%da` decoded would hide.
            Some(b'%') if tail.get(1..).and_then(embedded::data_uri).is_some() => {
                out.push('%');
                rest = tail.get(1..).unwrap_or_default();
                continue;
            }
            Some(b'%') => match percent_run(tail) {
                // Nothing valid in the run: passed over whole (no byte looked at twice).
                Some((text, used, false)) => {
                    out.push_str(&text);
                    rest = tail.get(used..).unwrap_or_default();
                    continue;
                }
                Some((text, used, true)) => Some((text, used)),
                None => None,
            },
            // Read once the references and backslash escapes in it are decoded (next pass).
            // A URI left to the next pass takes the URIs inside it along (linear in `s`).
            Some(b'd' | b'D') if s.len() - tail.len() >= next_pass_until => embedded::data_uri(tail)
                .filter(|&(_, used, _)| {
                    let uri = tail.get(..used).unwrap_or_default();
                    let escaped = uri.match_indices(['&', '\\']).any(|(k, _)| {
                        let at = uri.get(k..).unwrap_or_default();
                        if at.starts_with('&') {
                            char_ref(at).is_some()
                        } else {
                            backslash_escape(at).is_some()
                        }
                    });
                    if escaped {
                        next_pass_until = s.len() - tail.len() + used;
                    }
                    !escaped
                })
                .map(|(text, used, no_text)| {
                    uri = true;
                    if why.is_none() {
                        *why = no_text;
                    }
                    (text, used)
                }),
            Some(b'd' | b'D') => None,
            // RFC 2047 encoded words, quoted-printable, UTF-7, snort hex groups and YARA hex
            // strings; one that reads as nothing is passed over whole, as written.
            Some(&first @ (b'=' | b'+' | b'|' | b'{')) => {
                let found = match first {
                    b'=' => mail_word(tail)
                        .map(|(text, used)| (text, used, true))
                        .or_else(|| quoted_printable(tail)),
                    // A `+` inside a base64 run (after a letter, digit, `/` or `+`) is the run's
                    // own: a `data:` URI's payload read as UTF-7 would be lost to the data reader.
                    b'+' if !utf7 || out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+') => None,
                    b'+' => Some(utf7_run(tail)),
                    b'|' => snort_group(tail).map(|(bytes, used)| {
                        let (text, any) = hex_bytes_text(&bytes);
                        (text, used, any)
                    }),
                    _ => yara_string(tail),
                };
                match found {
                    Some((_, used, false)) => {
                        out.push_str(tail.get(..used).unwrap_or_default());
                        rest = tail.get(used..).unwrap_or_default();
                        continue;
                    }
                    Some((text, used, true)) => Some((text, used)),
                    None => None,
                }
            }
            _ => backslash_escape(tail),
        };
        match decoded {
            Some((text, used)) => {
                out.push_str(&text);
                rest = tail.get(used..).unwrap_or_default();
                changed = true;
            }
            None => {
                let c = tail.chars().next().unwrap_or(' ');
                out.push(c);
                rest = tail.get(c.len_utf8()..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    changed.then_some((out, uri))
}

/// RFC 2047 encoded word at the start of `t` (`=?charset[*lang]?B|Q?…?=`), decoded as a mail
/// client shows a header (`_` a space in `Q`); an unknown charset read as UTF-8. Its own decoder.
fn mail_word(t: &str) -> Option<(String, usize)> {
    use base64::Engine as _;
    let inner = t.strip_prefix("=?")?;
    let q1 = inner.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.:*".contains(c)))?;
    if q1 == 0 || q1 > 64 || !inner.get(q1..)?.starts_with('?') {
        return None;
    }
    let charset = inner.get(..q1)?;
    let kind = inner.get(q1 + 1..q1 + 2)?;
    let rest = inner.get(q1 + 2..)?.strip_prefix('?')?;
    let stop = rest.find(|c: char| !c.is_ascii_graphic() || c == '?')?;
    if !rest.get(stop..)?.starts_with("?=") {
        return None;
    }
    let payload = rest.get(..stop)?;
    let raw: Vec<u8> = match kind {
        "B" | "b" => base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        )
        .decode(payload.trim_end_matches('='))
        .ok()?,
        "Q" | "q" => {
            let mut v = Vec::with_capacity(payload.len());
            let mut rest = payload;
            while let Some(c) = rest.chars().next() {
                let pair = rest
                    .get(1..3)
                    .filter(|_| c == '=')
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match (c, pair) {
                    (_, Some(x)) => {
                        v.push(x);
                        rest = rest.get(3..).unwrap_or_default();
                        continue;
                    }
                    ('_', None) => v.push(b' '),
                    _ => v.extend_from_slice(c.to_string().as_bytes()),
                }
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
            v
        }
        _ => return None,
    };
    let label = charset.split('*').next().unwrap_or_default();
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let text = encoding.decode_without_bom_handling(&raw).0.into_owned();
    Some((text, 2 + q1 + 3 + stop + 2))
}

/// Quoted-printable at the start of `t`: a soft line break (`=`, blanks, end of line) read as
/// nothing, or a run of `=HH` (either case) decoded as UTF-8 (a byte of no valid sequence a
/// space), how many bytes it took and whether anything was decoded.
fn quoted_printable(t: &str) -> Option<(String, usize, bool)> {
    let body = t.strip_prefix('=')?;
    let blank = body.len() - body.trim_start_matches([' ', '\t']).len();
    let after = body.get(blank..).unwrap_or_default();
    if after.starts_with('\n') {
        return Some((String::new(), 1 + blank + 1, true));
    }
    if after.starts_with("\r\n") {
        return Some((String::new(), 1 + blank + 2, true));
    }
    byte_run(t, b'=')
}

/// The quotes a literal may open and close with in [`shell_joined`]: a script's, and the
/// typographic ones a word processor puts in their place.
const LITERAL_QUOTES: [char; 11] = ['\'', '"', '`', '‘', '’', '“', '”', '‹', '›', '«', '»'];

/// White space between two joined literals.
const GAP_SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// `s` with the breaks a command shell or script reads through taken out, where a word
/// character stands on each side (a letter, digit, non-ASCII or one of `.@:-_/`): a run of
/// carets and quotes (cmd's `^`, `''`, sh's `intranet.co"rp.example"`); and, when `script`, two
/// literals joined ([`literal_gap`]), preferred where a run could be read too. `None` when there
/// is none. Linear: where a join was looked for and not found, it is not looked for again.
fn shell_joined(s: &str, script: bool) -> Option<String> {
    const RUN: [char; 4] = ['^', '\'', '"', '`'];
    let wordy = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || !c.is_ascii() || ".@:-_/".contains(c));
    let starts = |c: char| RUN.contains(&c) || (script && LITERAL_QUOTES.contains(&c));
    let mut out = String::new();
    let mut rest = s;
    let mut changed = false;
    // No join is looked for again before this many bytes of `s`.
    let mut dead = 0;
    while let Some(at) = rest.find(starts) {
        let (before, from) = rest.split_at(at);
        let offset = s.len().saturating_sub(from.len());
        let word_before = wordy(before.chars().next_back().or_else(|| out.chars().next_back()));
        let after_run = Some(from.trim_start_matches(RUN)).filter(|t| t.len() < from.len());
        let mut after_join = None;
        if script && word_before && offset >= dead {
            match literal_gap(from) {
                Ok(t) if wordy(t.chars().next()) => after_join = Some(t),
                Ok(t) | Err(t) => dead = s.len().saturating_sub(t.len()),
            }
        }
        match after_join.or(after_run.filter(|t| wordy(t.chars().next()))) {
            Some(t) if word_before => {
                out.push_str(before);
                rest = t;
                changed = true;
            }
            _ => {
                // Past the whole run (a quote or caret stands before each of its others), or
                // the one quote.
                let next = after_run.unwrap_or_else(|| {
                    let mut c = from.chars();
                    c.next();
                    c.as_str()
                });
                out.push_str(rest.get(..rest.len().saturating_sub(next.len())).unwrap_or_default());
                rest = next;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// What follows a literal's closing quote at the start of `from` up to the next one's opening
/// quote, of any kind ([`LITERAL_QUOTES`]): closing brackets, white space and comments
/// ([`past_comments`]), one of `+` `.` `&` `,` `~` `^` `||` `..` `<<` `<>` `++` or nothing,
/// white space and comments, opening brackets or `$`, the
/// quote (`'a' + "b"`, `('a') + ('b')`, `concat('a','b')`, `'a' 'b'`, `${'a'}${'b'}`), through
/// empty literals (`'a' + '' + 'b'`): the text after it, or `Err` with where it was not found.
fn literal_gap(from: &str) -> Result<&str, &str> {
    const OPERATORS: [&str; 11] = ["||", "..", "<<", "<>", "++", "+", ".", "&", ",", "~", "^"];
    let mut t = from;
    loop {
        let Some(after) = t.strip_prefix(LITERAL_QUOTES) else {
            return Err(t);
        };
        let u = past_comments(after.trim_start_matches([')', ']', '}']));
        let u = OPERATORS.iter().find_map(|op| u.strip_prefix(op)).unwrap_or(u);
        let u = past_comments(u).trim_start_matches(['(', '[', '{', '$']);
        if u.len() == after.len() {
            return Err(after);
        }
        let Some(v) = u.strip_prefix(LITERAL_QUOTES) else {
            return Err(u);
        };
        if !v.starts_with(LITERAL_QUOTES) {
            return Ok(v);
        }
        // An empty literal: its closing quote is followed by another join.
        t = v;
    }
}

/// `t` past its leading white space ([`GAP_SPACE`]) and comments: `/* … */` (to the end when it
/// is not closed) and `//`, `#`, `--` to the line's end.
fn past_comments(mut t: &str) -> &str {
    loop {
        t = t.trim_start_matches(GAP_SPACE);
        if let Some(body) = t.strip_prefix("/*") {
            t = body.split_once("*/").map_or("", |(_, after)| after);
        } else if ["//", "#", "--"].iter().any(|c| t.starts_with(c)) {
            t = t.find('\n').and_then(|e| t.get(e..)).unwrap_or("");
        } else {
            return t;
        }
    }
}

/// `s` with each of its UTF-7 runs decoded wherever the `+` stands, as a UTF-7 decoder reads a
/// whole text (`SE+AEMAUgBFAFQ-` is `SECRET`); `None` unless a run glued to the character before
/// it (a letter, digit, `/` or `+`: [`unescape`] leaves those to base64) decodes.
fn utf7_everywhere(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut pos = 0;
    let mut glued = false;
    while let Some(at) = s.get(pos..).and_then(|r| r.find('+')).map(|k| pos + k) {
        out.push_str(s.get(pos..at).unwrap_or_default());
        let (text, used, decoded) = utf7_run(s.get(at..).unwrap_or_default());
        glued |= decoded
            && s.get(..at)
                .and_then(|w| w.chars().next_back())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+');
        out.push_str(&text);
        pos = at + used.max(1);
    }
    out.push_str(s.get(pos..).unwrap_or_default());
    glued.then_some(out)
}

/// UTF-7 at the start of `t` (RFC 2152, `+AE4-` is `N`): base64 of big-endian UTF-16 after the
/// `+`, an optional `-` closing it. Only a whole number of code units with zero bits left over,
/// valid UTF-16 (`C++`, `+1`, `+12025550143` are none).
fn utf7_run(t: &str) -> (String, usize, bool) {
    let n = t
        .bytes()
        .skip(1)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/'))
        .count();
    // No UTF-7: the run passed over whole, as written (a `+` in it is a base64 character).
    let as_written = (t.get(..1 + n).unwrap_or_default().to_string(), 1 + n, false);
    utf7_units(t, n).map_or(as_written, |(text, used)| (text, used, true))
}

/// The text of the UTF-7 run of `n` base64 characters after the `+` that starts `t`, and how
/// many bytes it took with its closing `-`.
fn utf7_units(t: &str, n: usize) -> Option<(String, usize)> {
    let body = t.get(1..)?;
    if n < 3 {
        return None;
    }
    let mut units = Vec::new();
    let mut acc: u64 = 0;
    let mut bits = 0u32;
    for c in body.bytes().take(n) {
        let v = base64::alphabet::STANDARD.as_str().bytes().position(|a| a == c)?;
        acc = (acc << 6 | u64::try_from(v).ok()?) & 0x3F_FFFF;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push(u16::try_from((acc >> bits) & 0xFFFF).ok()?);
        }
    }
    if units.is_empty() || acc & ((1u64 << bits) - 1) != 0 {
        return None;
    }
    let text = String::from_utf16(&units).ok()?;
    let used = 1 + n + usize::from(body.as_bytes().get(n) == Some(&b'-'));
    Some((text, used))
}

/// The bytes of a snort hex group at the start of `t` (`|20|`, `|4a 41 52|`): hex pairs with
/// spaces between them, a digit first and last; and how many bytes of `t` it took.
fn snort_group(t: &str) -> Option<(Vec<u8>, usize)> {
    let body = t.strip_prefix('|')?;
    let close = body.find(|c: char| !(c.is_ascii_hexdigit() || c == ' '))?;
    if !body.get(close..)?.starts_with('|') {
        return None;
    }
    let inner = body.get(..close)?;
    if inner.starts_with(' ') || inner.ends_with(' ') || inner.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for word in inner.split(' ').filter(|w| !w.is_empty()) {
        if !word.len().is_multiple_of(2) {
            return None;
        }
        for k in (0..word.len()).step_by(2) {
            out.push(u8::from_str_radix(word.get(k..k + 2)?, 16).ok()?);
        }
    }
    Some((out, close + 2))
}

/// Bytes a rule writes in hex, as the text a program matching them sees: printable characters
/// and valid UTF-8 as themselves, a control byte (a DNS label's length, a NUL) as `.`, a byte
/// of no valid sequence as a space; and whether any was read.
fn hex_bytes_text(bytes: &[u8]) -> (String, bool) {
    let lossy = String::from_utf8_lossy(bytes);
    let mut text = String::with_capacity(lossy.len());
    let mut any = false;
    for c in lossy.chars() {
        match c {
            '\u{FFFD}' => text.push(' '),
            c if c.is_control() => {
                any = true;
                text.push('.');
            }
            c => {
                any = true;
                text.push(c);
            }
        }
    }
    (text, any)
}

/// A YARA hex string at the start of `t` (`{ 4F 70 ?? [2-4] ( 4A | 4B ) }`): its runs of hex
/// pairs as text ([`hex_bytes_text`]), runs apart by a space (a wildcard, jump, alternative or
/// `~` ends one); how many bytes of `t` it took, whether any byte was read.
fn yara_string(t: &str) -> Option<(String, usize, bool)> {
    let body = t.strip_prefix('{')?;
    let close = body.find(|c: char| !(c.is_ascii_hexdigit() || " \t\r\n?[]-()|~".contains(c)))?;
    if !body.get(close..)?.starts_with('}') {
        return None;
    }
    let inner = body.get(..close)?.as_bytes();
    let mut runs: Vec<Vec<u8>> = vec![Vec::new()];
    let mut pairs = 0;
    let mut k = 0;
    while let Some(&c) = inner.get(k) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => k += 1,
            b'[' => {
                let len = inner.get(k..)?.iter().position(|&x| x == b']')?;
                if !inner
                    .get(k + 1..k + len)?
                    .iter()
                    .all(|x| x.is_ascii_digit() || matches!(x, b'-' | b' '))
                {
                    return None;
                }
                runs.push(Vec::new());
                k += len + 1;
            }
            b'(' | b')' | b'|' | b'~' => {
                runs.push(Vec::new());
                k += 1;
            }
            _ => {
                let pair = inner.get(k..k + 2)?;
                pairs += 1;
                match std::str::from_utf8(pair)
                    .ok()
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
                {
                    Some(x) if pair.iter().all(u8::is_ascii_hexdigit) => runs.last_mut()?.push(x),
                    _ if pair.iter().all(|x| x.is_ascii_hexdigit() || *x == b'?') => runs.push(Vec::new()),
                    _ => return None,
                }
                k += 2;
            }
        }
    }
    if pairs == 0 {
        return None;
    }
    let mut text = String::new();
    let mut any = false;
    for run in runs.iter().filter(|r| !r.is_empty()) {
        if !text.is_empty() {
            text.push(' ');
        }
        let (part, read) = hex_bytes_text(run);
        text.push_str(&part);
        any |= read;
    }
    Some((text, close + 2, any))
}

/// `s` with each snort hex group of exactly four bytes written as the IPv4 address it is
/// (`|0a 14 1e 28|` is `10.20.30.40`), the rest as written; `None` when there is none.
fn snort_quads(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(at) = rest.find('|') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        match snort_group(tail) {
            Some((bytes, used)) => {
                match bytes.as_slice() {
                    [a, b, c, d] => {
                        out.push_str(&format!("{a}.{b}.{c}.{d}"));
                        changed = true;
                    }
                    _ => out.push_str(tail.get(..used).unwrap_or_default()),
                }
                rest = tail.get(used..).unwrap_or_default();
            }
            None => {
                out.push('|');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The character of the UTF-16 escape `t` starts with (`sign` and four hex digits) and the bytes it
/// takes: two escapes when they are a surrogate pair (`\ud83d\udfe5`, `%uD83D%uDFE5`: RFC 8259
/// §7, JavaScript `unescape`); a lone surrogate is no character.
fn utf16_units(t: &str, sign: &str) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u32> {
        let digits = t.get(at..)?.strip_prefix(sign)?.get(..4)?;
        if digits.chars().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16).ok()
        } else {
            None
        }
    };
    let first = unit(0)?;
    let width = sign.len() + 4;
    match first {
        0xD800..=0xDBFF => {
            let second = unit(width).filter(|v| (0xDC00..=0xDFFF).contains(v))?;
            let v = 0x10000 + (first - 0xD800) * 0x400 + (second - 0xDC00);
            nonzero_char(v).map(|c| (c, 2 * width))
        }
        _ => nonzero_char(first).map(|c| (c, width)),
    }
}

fn nonzero_char(v: u32) -> Option<char> {
    char::from_u32(v).filter(|c| *c != '\0')
}

/// The characters HTML reads for a numeric reference from `&#x80;` to `&#x9F;` (HTML §13.2.5.80,
/// the Windows-1252 characters of those bytes); the five Windows-1252 leaves undefined stay as
/// they are.
const C1_AS_HTML: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

/// A numeric character reference's value as HTML reads it: a C1 value is its Windows-1252
/// character ([`C1_AS_HTML`]), NUL none.
fn html_char(v: u32) -> Option<char> {
    match v
        .checked_sub(0x80)
        .and_then(|k| C1_AS_HTML.get(usize::try_from(k).ok()?))
    {
        Some(&c) => Some(c),
        None => nonzero_char(v),
    }
}

/// `&#NN;`, `&#xHH;` (the `;` may be missing) or `&name;`, and how many bytes it took.
fn char_ref(t: &str) -> Option<(String, usize)> {
    let body = t.get(1..)?;
    // Digits with their leading zeros passed over (`&#0000008203;`), at most eight after them.
    let value = |digits: &str, radix: u32| -> Option<char> {
        let significant = digits.trim_start_matches('0');
        if digits.is_empty() || significant.len() > 8 {
            return None;
        }
        html_char(if significant.is_empty() {
            0
        } else {
            u32::from_str_radix(significant, radix).ok()?
        })
    };
    if let Some(n) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        let k = n.chars().take_while(char::is_ascii_hexdigit).count();
        let c = value(n.get(..k)?, 16)?;
        let semi = usize::from(n.get(k..).is_some_and(|r| r.starts_with(';')));
        return Some((c.to_string(), 3 + k + semi));
    }
    if let Some(n) = body.strip_prefix('#') {
        let k = n.chars().take_while(char::is_ascii_digit).count();
        let c = value(n.get(..k)?, 10)?;
        let semi = usize::from(n.get(k..).is_some_and(|r| r.starts_with(';')));
        return Some((c.to_string(), 2 + k + semi));
    }
    // A name is at most 32 characters: the `;` is looked for no further (linear).
    let semi = body.bytes().take(33).position(|b| b == b';');
    let name = semi
        .and_then(|end| body.get(..end))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric()));
    let Some(name) = name else {
        // HTML reads some names without their `;` (`&shy`, `&nbsp`, `&amp`): the longest.
        const BARE: [&str; 12] = [
            "shy", "nbsp", "amp", "lt", "gt", "quot", "middot", "AMP", "LT", "GT", "QUOT", "not",
        ];
        let n = BARE.iter().filter(|n| body.starts_with(*n)).max_by_key(|n| n.len())?;
        let v = quick_xml::escape::resolve_html5_entity(n)?;
        return Some((v.to_string(), n.len() + 1));
    };
    let v = quick_xml::escape::resolve_html5_entity(name)?;
    Some((v.to_string(), name.len() + 2))
}

/// A whole run of `%HH`, decoded as UTF-8 where it is valid (a byte of no valid sequence is a
/// space), how many bytes it took, and whether anything was decoded.
fn percent_run(t: &str) -> Option<(String, usize, bool)> {
    byte_run(t, b'%')
}

/// A whole run of `sign` and two hex digits at the start of `t` (`%4E`, quoted-printable's
/// `=4E`), decoded as UTF-8 where it is valid (a byte of no valid sequence is a space), how many
/// bytes it took, and whether anything was decoded.
fn byte_run(t: &str, sign: u8) -> Option<(String, usize, bool)> {
    let bytes: Vec<u8> = t
        .as_bytes()
        .chunks(3)
        .map_while(|c| match c {
            [s, h, l] if *s == sign => u8::from_str_radix(std::str::from_utf8(&[*h, *l]).ok()?, 16).ok(),
            _ => None,
        })
        .collect();
    if bytes.is_empty() {
        return None;
    }
    let lossy = String::from_utf8_lossy(&bytes);
    let any = lossy.split('\u{FFFD}').any(|p| !p.is_empty());
    Some((lossy.replace('\u{FFFD}', " "), bytes.len() * 3, any))
}

/// A backslash escape, and how many bytes it took.
fn backslash_escape(t: &str) -> Option<(String, usize)> {
    let body = t.get(1..)?;
    let hex = |from: usize, n: usize| -> Option<char> {
        let d = body.get(from..from + n)?;
        d.chars().all(|c| c.is_ascii_hexdigit()).then_some(())?;
        nonzero_char(u32::from_str_radix(d, 16).ok()?)
    };
    // Hex digits in braces after `lead` (`u{2e}`, Perl's `x{2e}` and `N{U+2E}`): the character
    // and the bytes taken.
    let braced = |lead: &str| -> Option<(char, usize)> {
        let digits = body.strip_prefix(lead)?;
        let close = digits.bytes().take(7).position(|b| b == b'}').filter(|&k| k >= 1)?;
        Some((hex(lead.len(), close)?, lead.len() + close + 1))
    };
    let mut cs = body.chars();
    let (c, used) = match cs.next()? {
        'x' if body.starts_with("x{") => braced("x{")?,
        'x' => (hex(1, 2)?, 3),
        'u' if body.starts_with("u{") => braced("u{")?,
        'N' if body.starts_with("N{U+") => braced("N{U+")?,
        'u' => utf16_units(t, "\\u").map(|(c, used)| (c, used.saturating_sub(1)))?,
        'U' => (hex(1, 8)?, 9),
        'n' | 'r' | 't' => (' ', 1),
        '0'..='3'
            if body
                .get(..3)
                .is_some_and(|o| o != "000" && o.chars().all(|c| ('0'..='7').contains(&c))) =>
        {
            (nonzero_char(u32::from_str_radix(body.get(..3)?, 8).ok()?)?, 3)
        }
        // CSS (Syntax §4.3.7): up to six hex digits, one white space after them eaten.
        h if h.is_ascii_hexdigit() => {
            let digits: String = body.chars().take(6).take_while(char::is_ascii_hexdigit).collect();
            let c = char::from_u32(u32::from_str_radix(&digits, 16).ok()?).filter(|&c| c != '\0')?;
            let after = body.get(digits.len()..).unwrap_or_default();
            let eaten = if after.starts_with("\r\n") {
                2
            } else {
                usize::from(after.starts_with([' ', '\t', '\n', '\r', '\u{C}']))
            };
            (c, digits.len() + eaten)
        }
        p if p.is_ascii_punctuation() => (p, 1),
        _ => return None,
    };
    // A DNS wire label's length byte (`\x08intranet\x04corp`): a control character whose value
    // counts the label characters after it, up to the next that is none, is read as a dot.
    let after = body.get(used..).unwrap_or_default().as_bytes();
    let in_label = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let length = u32::from(c) as usize;
    let wire = c.is_ascii_control()
        && c != '\u{7f}'
        && after.iter().take_while(|b| in_label(b)).take(length + 1).count() == length;
    Some((if wire { '.' } else { c }.to_string(), used + 1))
}

/// NFKC, lowercase, format characters dropped, white space folded to single spaces.
pub fn normalise(s: &str) -> String {
    let s = &*visual(s);
    let s = &*separators(s);
    // Printable ASCII without runs of spaces is its own NFKC form: only lowercase it.
    let plain = s.bytes().all(|b| (0x21..0x7f).contains(&b) || b == b' ') && !s.contains("  ");
    if plain {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let lower = s.nfkc().flat_map(|c| {
        // A capital is read by its look before it is lowercased: Greek `Ν`, Cyrillic `Т` and
        // Cherokee `Ꮋ` look like `N`, `T` and `H` though their small forms do not.
        let look = if !c.is_ascii() && c.is_uppercase() {
            look_of_capital(c)
        } else {
            None
        };
        match look {
            Some(l) => l.chars().collect::<Vec<char>>(),
            None => c.to_lowercase().collect(),
        }
    });
    for c in lower {
        if is_format(c) || c == '\u{2800}' {
            continue;
        }
        let c = if c.is_control() { ' ' } else { c };
        if !c.is_ascii() {
            // Marks left on printable ASCII (a letter, a digit, `\\`) are dropped; letters of other scripts
            // keep theirs.
            if unicode_normalization::char::is_combining_mark(c)
                && out.chars().next_back().is_some_and(|p| p.is_ascii_graphic())
            {
                continue;
            }
            if let Some(a) = ascii_reading(c) {
                space = false;
                out.push(a);
                continue;
            }
            // Dashes and minus signs, full stops, and look-alikes of ASCII (UTS #39 prototypes).
            if matches!(
                c,
                '\u{2010}'
                    ..='\u{2015}'
                        | '\u{2212}'
                        | '\u{FE63}'
                        | '\u{FF0D}'
                        | '\u{2043}'
                        | '\u{058A}'
                        | '\u{05BE}'
                        | '\u{1806}'
                        | '\u{2E3A}'
                        | '\u{2E3B}'
                        | '\u{301C}'
                        | '\u{30A0}'
                        | '\u{FE58}'
            ) {
                space = false;
                out.push('-');
                continue;
            }
            if full_stop(c) {
                space = false;
                out.push('.');
                continue;
            }
            if !c.is_whitespace() {
                let mut b = [0u8; 4];
                let proto: String = unicode_security::skeleton(c.encode_utf8(&mut b)).collect();
                if proto.is_empty() {
                    continue;
                }
                if proto.is_ascii() {
                    space = false;
                    out.push_str(&proto.to_ascii_lowercase());
                    continue;
                }
                // A small letter that looks like no ASCII letter, read as its capital looks
                // (Cyrillic `т` as `Т`), so that a word in small letters reads as in capitals.
                let mut upper = c.to_uppercase();
                if let (Some(u), None) = (upper.next(), upper.next())
                    && u.is_uppercase()
                    && let Some(l) = look_of_capital(u)
                {
                    space = false;
                    out.push_str(&l);
                    continue;
                }
            }
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

/// The sign a letter or a mark of a script written with spaces is drawn as, when its UTS #39
/// prototype is one character that is a colon or a full stop (a middle dot too): `:` for the
/// visargas (`ः`, `ઃ`, Brahmi `𑀂`) and Lisu `ꓽ`, `.` for the half colon `ˑ`, Canadian `ᐧ`,
/// Lisu `ꓸ`. A digit is read as one (Arabic `٠`), never so. No such character has a case (a
/// test reads them all), so a letter with one is passed over before its prototype is made:
/// most letters of other scripts are cased, and every character of a text passes here.
pub(super) fn drawn_sign(c: char) -> Option<char> {
    if c.is_ascii() || c.is_lowercase() || c.is_uppercase() || c.is_numeric() || unspaced(c) {
        return None;
    }
    let mut b = [0; 4];
    let mut proto = unicode_security::skeleton(c.encode_utf8(&mut b));
    match (proto.next(), proto.next()) {
        (Some(':'), None) => Some(':'),
        (Some(p), None) if p == '.' || full_stop(p) => Some('.'),
        _ => None,
    }
}

/// A full stop of any script, or a dot drawn as one (NFKC done): ideographic and half-width
/// stops, the one-dot leader, middle dots, the Arabic decimal separator, word-separating dots.
pub(super) fn full_stop(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{3002}'
            | '\u{FF0E}'
            | '\u{FF61}'
            | '\u{FE52}'
            | '\u{2024}'
            | '\u{B7}'
            | '\u{30FB}'
            | '\u{FF65}'
            | '\u{2027}'
            | '\u{2219}'
            | '\u{22C5}'
            // Full stops of other scripts, the Arabic decimal separator, word-separating
            // dots.
            | '\u{0589}'
            | '\u{066B}'
            | '\u{06D4}'
            | '\u{0701}'
            | '\u{0702}'
            | '\u{0964}'
            | '\u{0F0D}'
            | '\u{104B}'
            | '\u{1362}'
            | '\u{166E}'
            | '\u{16EB}'
            | '\u{17D4}'
            | '\u{1803}'
            | '\u{1809}'
            | '\u{2E31}'
            | '\u{2E33}'
            | '\u{2E3C}'
            | '\u{A4FF}'
            | '\u{A60E}'
            | '\u{A6F3}'
            | '\u{A78F}'
            | '\u{10101}'
    )
}

/// The ASCII letters (lowercase) a non-ASCII capital looks like, from its UTS #39 prototype.
fn look_of_capital(c: char) -> Option<String> {
    let mut b = [0u8; 4];
    let proto: String = unicode_security::skeleton(c.encode_utf8(&mut b)).collect();
    match proto.as_str() {
        // The prototype of `I` is `l`: a capital drawn that way is an I.
        "l" => Some("i".into()),
        p if !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()) => Some(p.to_ascii_lowercase()),
        _ => None,
    }
}

/// The Latin small capitals, each with the ASCII letter it is read as.
const SMALL_CAPITALS: [(char, char); 25] = [
    ('ᴀ', 'a'),
    ('ʙ', 'b'),
    ('ᴄ', 'c'),
    ('ᴅ', 'd'),
    ('ᴇ', 'e'),
    ('ꜰ', 'f'),
    ('ɢ', 'g'),
    ('ʜ', 'h'),
    ('ɪ', 'i'),
    ('ᴊ', 'j'),
    ('ᴋ', 'k'),
    ('ʟ', 'l'),
    ('ᴍ', 'm'),
    ('ɴ', 'n'),
    ('ᴏ', 'o'),
    ('ᴘ', 'p'),
    ('ꞯ', 'q'),
    ('ʀ', 'r'),
    ('ꜱ', 's'),
    ('ᴛ', 't'),
    ('ᴜ', 'u'),
    ('ᴠ', 'v'),
    ('ᴡ', 'w'),
    ('ʏ', 'y'),
    ('ᴢ', 'z'),
];

/// The ASCII letter a Latin small capital (`ᴏ`) is read as.
pub(super) fn small_capital(c: char) -> Option<char> {
    SMALL_CAPITALS.iter().find(|(k, _)| *k == c).map(|&(_, a)| a)
}

/// The letter or digit (ASCII, lowercase) of an enclosed form NFKC leaves as it is: negative
/// circled and negative squared capitals (`🅽`), regional indicators, dingbat circled digits
/// (`❶`, `➀`, `➊`), double circled digits (`⓵`) and the negative circled zeros (`⓿`, `🄋`, `🄌`).
/// The forms of ten are two characters and are not read.
pub(super) fn enclosed(c: char) -> Option<char> {
    let u = c as u32;
    let letter = |first: u32| char::from_u32(u32::from(b'a') + (u - first));
    let digit = |one: u32| char::from_digit(u - one + 1, 10);
    match u {
        0x1F150..=0x1F169 => letter(0x1F150),
        0x1F170..=0x1F189 => letter(0x1F170),
        0x1F1E6..=0x1F1FF => letter(0x1F1E6),
        0x2776..=0x277E => digit(0x2776),
        0x2780..=0x2788 => digit(0x2780),
        0x278A..=0x2792 => digit(0x278A),
        0x24F5..=0x24FD => digit(0x24F5),
        0x24FF | 0x1F10B | 0x1F10C => Some('0'),
        _ => None,
    }
}

/// Dashes (general category Pd) and minus signs.
const DASHES: &[char] = &[
    '\u{058A}',
    '\u{05BE}',
    '\u{1400}',
    '\u{1806}',
    '\u{2010}',
    '\u{2011}',
    '\u{2012}',
    '\u{2013}',
    '\u{2014}',
    '\u{2015}',
    '\u{2212}',
    '\u{2043}',
    '\u{2E17}',
    '\u{2E1A}',
    '\u{2E3A}',
    '\u{2E3B}',
    '\u{2E40}',
    '\u{2E5D}',
    '\u{301C}',
    '\u{3030}',
    '\u{30A0}',
    '\u{FE31}',
    '\u{FE32}',
    '\u{FE58}',
    '\u{FE63}',
    '\u{FF0D}',
    '\u{10EAD}',
];

/// Written between two digits, read as a dash: the marks a Japanese or Korean input method
/// gives for one (the prolonged sound mark, the ideograph one, Hangul eu, box drawings,
/// macrons) and the tildes.
const DIGIT_DASHES: &[char] = &[
    '~', '\u{FF5E}', '\u{223C}', '\u{2053}', '\u{02DC}', '\u{30FC}', '\u{FF70}', '\u{4E00}', '\u{3161}', '\u{2500}',
    '\u{2501}', '\u{FFE3}', '\u{00AF}', '\u{2F00}', '\u{31D0}', '\u{1173}', '\u{203E}', '\u{0640}', '\u{FF3F}',
    '\u{23AF}', '\u{23BA}', '\u{23BB}', '\u{23BC}', '\u{23BD}', '\u{268A}', '\u{1428}', '\u{10FB}', '_', '|', '\\',
    '\'',
];

/// Whether `c` is written between two digits for a dash: [`DIGIT_DASHES`] and the box drawings.
fn digit_dash(c: char) -> bool {
    DIGIT_DASHES.contains(&c) || ('\u{2500}'..='\u{257F}').contains(&c)
}

/// Dots a reader takes for a full stop between two letters or digits (`10•20•30•40`): bullets,
/// rings, the degree sign, ellipses, the Tibetan tsheg, the Mongolian comma.
const DOTS_BETWEEN: &[char] = &[
    '\u{2022}', '\u{2023}', '\u{25E6}', '\u{25CF}', '\u{25CB}', '\u{2218}', '\u{26AC}', '\u{2981}', '\u{00B0}',
    '\u{2026}', '\u{2025}', '\u{2E30}', '\u{0F0B}', '\u{0F0C}', '\u{1802}', '\u{1805}',
];

/// Sentence_Terminal characters, and the punctuation named one dot or a full stop, outside
/// ASCII (inclusive ranges, from the UCD 15.0 by `scripts/gen-full-stops.py`).
const STOPS: &[(u32, u32)] = &[
    (0x00B7, 0x00B7),
    (0x02D9, 0x02D9),
    (0x0589, 0x0589),
    (0x061D, 0x061F),
    (0x06D4, 0x06D4),
    (0x0700, 0x0702),
    (0x07F9, 0x07F9),
    (0x0837, 0x0837),
    (0x0839, 0x0839),
    (0x083D, 0x083E),
    (0x0888, 0x0888),
    (0x0964, 0x0965),
    (0x104A, 0x104B),
    (0x1362, 0x1362),
    (0x1367, 0x1368),
    (0x166E, 0x166E),
    (0x1735, 0x1736),
    (0x1803, 0x1803),
    (0x1809, 0x1809),
    (0x1944, 0x1945),
    (0x1AA8, 0x1AAB),
    (0x1B5A, 0x1B5B),
    (0x1B5E, 0x1B5F),
    (0x1B7D, 0x1B7E),
    (0x1C3B, 0x1C3C),
    (0x1C7E, 0x1C7F),
    (0x203C, 0x203D),
    (0x2047, 0x2049),
    (0x2059, 0x2059),
    (0x2CF9, 0x2CF9),
    (0x2CFE, 0x2CFE),
    (0x2E2D, 0x2E2E),
    (0x2E31, 0x2E31),
    (0x2E33, 0x2E33),
    (0x2E3C, 0x2E3C),
    (0x2E53, 0x2E54),
    (0x3002, 0x3002),
    (0x30FB, 0x30FB),
    (0xA4FF, 0xA4FF),
    (0xA60E, 0xA60F),
    (0xA6F3, 0xA6F3),
    (0xA6F7, 0xA6F7),
    (0xA876, 0xA877),
    (0xA8CE, 0xA8CF),
    (0xA92F, 0xA92F),
    (0xA9C8, 0xA9C9),
    (0xAA5D, 0xAA5F),
    (0xAAF0, 0xAAF1),
    (0xABEB, 0xABEB),
    (0xFBB2, 0xFBB3),
    (0xFE12, 0xFE12),
    (0xFE45, 0xFE46),
    (0xFE52, 0xFE52),
    (0xFE56, 0xFE57),
    (0xFF01, 0xFF01),
    (0xFF0E, 0xFF0E),
    (0xFF1F, 0xFF1F),
    (0xFF61, 0xFF61),
    (0xFF65, 0xFF65),
    (0x10101, 0x10101),
    (0x10A50, 0x10A50),
    (0x10A56, 0x10A57),
    (0x10AF4, 0x10AF4),
    (0x10F55, 0x10F59),
    (0x10F86, 0x10F89),
    (0x11047, 0x11049),
    (0x110BE, 0x110C1),
    (0x11141, 0x11143),
    (0x111C5, 0x111C6),
    (0x111CD, 0x111CD),
    (0x111DE, 0x111DF),
    (0x11238, 0x11239),
    (0x1123B, 0x1123C),
    (0x112A9, 0x112A9),
    (0x1144B, 0x1144C),
    (0x115C2, 0x115C4),
    (0x115C9, 0x115D7),
    (0x11641, 0x11642),
    (0x1173C, 0x1173E),
    (0x11944, 0x11944),
    (0x11946, 0x11946),
    (0x11A42, 0x11A43),
    (0x11A9B, 0x11A9C),
    (0x11C41, 0x11C42),
    (0x11EF7, 0x11EF8),
    (0x11F43, 0x11F44),
    (0x11F49, 0x11F49),
    (0x16A6E, 0x16A6F),
    (0x16AF5, 0x16AF5),
    (0x16B37, 0x16B38),
    (0x16B44, 0x16B44),
    (0x16E98, 0x16E98),
    (0x1BC9F, 0x1BC9F),
    (0x1DA88, 0x1DA88),
];

/// Whether `c` ends a sentence or is a dot a reader takes for a full stop ([`STOPS`]).
fn stop(c: char) -> bool {
    let u = c as u32;
    STOPS
        .binary_search_by(|&(a, b)| {
            if b < u {
                std::cmp::Ordering::Less
            } else if a > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether `c` is written for a decimal digit.
fn digit_like(c: char) -> bool {
    c.is_ascii_digit()
        || ascii_reading(c).is_some_and(|d| d.is_ascii_digit())
        || c.nfkc()
            .next()
            .is_some_and(|d| d.is_ascii_digit() || ascii_reading(d).is_some_and(|e| e.is_ascii_digit()))
}

/// `s` with its separators written as ASCII before NFKC (which turns some into a space and a
/// mark: `˙`, `￣`): full stops [`stop`] as `.`, dashes as `-`, [`DIGIT_DASHES`] between two
/// digits as `-`, `℡` as `tel ` (NFKC's `TEL` would glue to the number), and `〇` beside a
/// digit or a kanji numeral as `0`.
fn separators(s: &str) -> std::borrow::Cow<'_, str> {
    let special = |c: char| {
        !c.is_ascii()
            && (stop(c)
                || DASHES.contains(&c)
                || digit_dash(c)
                || DOTS_BETWEEN.contains(&c)
                || matches!(c, '\u{0660}' | '\u{06F0}')
                || c == '\u{2121}'
                || c == '〇')
    };
    let numeral = |c: char| digit_like(c) || "〇零一二三四五六七八九".contains(c);
    let tilde = s
        .as_bytes()
        .windows(3)
        .any(|w| matches!(w.get(1), Some(b'~' | b'_' | b'|' | b'\\' | b'\'')));
    if !tilde && !s.chars().any(special) {
        return std::borrow::Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut before: Option<char> = None;
    for (k, &c) in chars.iter().enumerate() {
        let after = || {
            chars
                .get(k + 1..)
                .unwrap_or_default()
                .iter()
                .find(|&&n| !is_format(n))
                .copied()
        };
        let gap = digit_dash(c) && before.is_some_and(digit_like) && after().is_some_and(digit_like);
        // A dot between two letters or digits (the Arabic-Indic zero, drawn as a dot, between
        // ASCII ones).
        let dot = (DOTS_BETWEEN.contains(&c)
            && before.is_some_and(char::is_alphanumeric)
            && after().is_some_and(char::is_alphanumeric))
            || (matches!(c, '\u{0660}' | '\u{06F0}')
                && before.is_some_and(|b| b.is_ascii_alphanumeric())
                && after().is_some_and(|a| a.is_ascii_alphanumeric()));
        // The kanji zero beside a digit or a kanji numeral is a digit (alone, a look-alike of `o`).
        let zero = c == '〇'
            && (before.is_some_and(numeral) || {
                let after = chars.get(k + 1..).unwrap_or_default().iter().find(|&&n| !is_format(n));
                after.is_some_and(|&n| numeral(n))
            });
        if !is_format(c) {
            before = Some(c);
        }
        if gap {
            out.push('-');
        } else if dot {
            out.push('.');
        } else if zero {
            out.push('0');
        } else if c.is_ascii() {
            out.push(c);
        } else if stop(c) {
            out.push('.');
        } else if DASHES.contains(&c) {
            out.push('-');
        } else if c == '\u{2121}' {
            out.push_str("tel ");
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What a non-ASCII letter or digit reads as in ASCII, when it reads as one: a decimal digit of
/// any script, a Latin small capital, a Latin letter with diacritics.
pub(super) fn ascii_reading(c: char) -> Option<char> {
    let u = c as u32;
    // Decimal digits run from 0 to 9 in Unicode; these are the zeros of the runs NFKC keeps.
    const ZEROS: [u32; 61] = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50,
        0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50,
        0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
        0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50,
        0x16A60, 0x16AC0, 0x16B50, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0,
    ];
    if let Some(z) = ZEROS.iter().find(|&&z| z <= u && u < z + 10) {
        return char::from_digit(u - z, 10);
    }
    if let Some(a) = small_capital(c)
        .or_else(|| enclosed(c))
        .or_else(|| letter_bases::base_letter(c))
    {
        return Some(a);
    }
    let decomposed: Vec<char> = std::iter::once(c).nfd().collect();
    match decomposed.split_first() {
        Some((b, marks))
            if b.is_ascii_alphabetic()
                && !marks.is_empty()
                && marks.iter().all(|&m| unicode_normalization::char::is_combining_mark(m)) =>
        {
            Some(*b)
        }
        _ => None,
    }
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

pub use super::content::Net;

/// The policy's internal networks and domains: `(networks, domain forms)`.
pub fn internal(policy: &Policy) -> (Vec<Net>, Vec<String>) {
    let mut nets = Vec::new();
    let mut domains = Vec::new();
    for r in &policy.address_rules {
        nets.extend(r.raw_cidrs.iter().filter_map(|c| super::content::net(c)));
        for d in &r.domains {
            domains.extend(super::content::domain_forms(d, normalise));
        }
    }
    (nets, domains)
}

/// The first internal address or domain a pattern's string literals mention (each literal a
/// whole value, so the short IPv4 forms count), or the whole pattern as text.
pub fn pattern_reveals(pattern: &str, nets: &[Net], domains: &[String]) -> Option<String> {
    for (op, lit) in operands(pattern) {
        if matches!(op.as_str(), "matches" | "like")
            && super::content::operand_reveals(&lit, op == "matches", nets, domains, normalise)
        {
            return Some(lit);
        }
    }
    for t in binary_texts(pattern) {
        if let Some(hit) = text_reveals(&t, nets, domains) {
            return Some(hit);
        }
    }
    for address in value_numbers(pattern) {
        if super::content::word_inside(&address, true, nets) {
            return Some(address);
        }
    }
    for lit in literals(pattern) {
        let n = super::content::refang(&normalise(&lit));
        if n.split_whitespace().count() == 1 && super::content::word_inside(n.trim(), true, nets) {
            return Some(lit);
        }
        if let Some(hit) = text_reveals(&lit, nets, domains) {
            return Some(hit);
        }
    }
    text_reveals(pattern, nets, domains)
}

/// The first word of free text that is, holds or names an internal address, network or
/// domain, in any notation (after normalising and refanging the text).
pub fn text_reveals(text: &str, nets: &[Net], domains: &[String]) -> Option<String> {
    value_reveals(text, false, nets, domains)
}

/// As [`text_reveals`]; `host`: a one-word `text` is a whole value naming a host.
pub fn value_reveals(text: &str, host: bool, nets: &[Net], domains: &[String]) -> Option<String> {
    reading_reveals(&Reading::new(text), host, nets, domains)
}

/// [`value_reveals`] on the readings of a string.
pub fn reading_reveals(r: &Reading<'_>, host: bool, nets: &[Net], domains: &[String]) -> Option<String> {
    // With its escapes decoded (`10&#46;20&#46;30&#46;40`), then as written.
    for u in r.unescaped() {
        if let Some(hit) = reading_reveals(u, host, nets, domains) {
            return Some(hit);
        }
    }
    // Digits written as look-alike letters, read as digits too.
    if let Some(d) = r.digits_refanged()
        && let Some(hit) = refanged_reveals(d, host, nets, domains)
    {
        return Some(hit);
    }
    refanged_reveals(r.refanged(), host, nets, domains)
}

/// [`value_reveals`] on normalised, refanged text.
fn refanged_reveals(n: &str, host: bool, nets: &[Net], domains: &[String]) -> Option<String> {
    // A shell's brace range in a network (`10.20.30.{1..254}`) read as a bracket range, which
    // stays in its word.
    if n.contains(".{") {
        let braced = braces_as_ranges(n);
        if braced != n
            && let Some(hit) = refanged_reveals(&braced, host, nets, domains)
        {
            return Some(hit);
        }
    }
    let one = n.split_whitespace().count() == 1;
    let words = n.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '<' | '>' | '(' | ')' | '{' | '}' | ',' | ';' | '=' | '|' | '`' | '&'
            )
    });
    for w in words {
        if !w.is_empty() && super::content::word_inside(w, host && one, nets) {
            return Some(w.trim_end_matches(['.', ':']).to_string());
        }
    }
    if super::content::names_domain(n, domains) {
        return Some(n.to_string());
    }
    if n.contains("xn--") && super::content::names_domain(&punycode_read(n), domains) {
        return Some(n.to_string());
    }
    if let Some(d) = dn_domains(n)
        && super::content::names_domain(&d, domains)
    {
        return Some(n.to_string());
    }
    if let Some(d) = lengths_as_dots(n)
        && super::content::names_domain(&d, domains)
    {
        return Some(n.to_string());
    }
    None
}

/// Normal text with each label length a DNS log writes between two labels (`(4)` in
/// `(8)intranet(4)corp(7)example(0)`: one to three digits in parentheses) written as a dot;
/// `None` when there is none.
fn lengths_as_dots(n: &str) -> Option<String> {
    if !n
        .as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'(', d] if d.is_ascii_digit()))
    {
        return None;
    }
    let chars: Vec<char> = n.chars().collect();
    let label = |c: Option<&char>| c.is_some_and(|&c| c.is_alphanumeric() || c == '-' || c == '_');
    let mut out = String::with_capacity(n.len());
    let mut any = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '(' && label(i.checked_sub(1).and_then(|p| chars.get(p))) {
            let digits = chars
                .iter()
                .skip(i + 1)
                .take(4)
                .take_while(|d| d.is_ascii_digit())
                .count();
            let close = i + 1 + digits;
            if (1..=3).contains(&digits) && chars.get(close) == Some(&')') && label(chars.get(close + 1)) {
                out.push('.');
                any = true;
                i = close + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    any.then_some(out)
}

/// `n` with each label that starts `xn--` decoded by the bare punycode decoder, whether IDNA
/// would accept it or not (`xn--corp-.example` reads `corp.example`); one longer than a DNS label
/// (63 bytes), or that does not decode, as written.
fn punycode_read(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    for piece in n.split_inclusive(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
        let (label, sep) = match piece.char_indices().last() {
            Some((i, c)) if !(c.is_alphanumeric() || c == '-' || c == '_') => piece.split_at(i),
            _ => (piece, ""),
        };
        let decoded = label
            .strip_prefix("xn--")
            .filter(|_| label.len() <= 63)
            .and_then(idna::punycode::decode_to_string)
            .filter(|u| !u.is_empty());
        out.push_str(decoded.as_deref().unwrap_or(label));
        out.push_str(sep);
    }
    out
}

/// `n` with each `{a..b}` after a `.` (a and b of one to three digits) written `[a-b]`.
fn braces_as_ranges(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    let mut rest = n;
    while let Some(k) = rest.find(".{") {
        let (head, tail) = rest.split_at(k + 1);
        out.push_str(head);
        let body = tail.get(1..).unwrap_or_default();
        // At most `255..255}`: the `}` within ten bytes (the scan stays linear).
        let close = body.bytes().take(10).position(|b| b == b'}');
        let range = close
            .and_then(|c| Some((body.get(..c)?, body.get(c + 1..)?)))
            .and_then(|(inner, after)| {
                let (a, b) = inner.split_once("..")?;
                let digits = |x: &str| (1..=3).contains(&x.len()) && x.bytes().all(|c| c.is_ascii_digit());
                (digits(a) && digits(b)).then(|| (format!("[{a}-{b}]"), after))
            });
        match range {
            Some((r, after)) => {
                out.push_str(&r);
                rest = after;
            }
            None => {
                out.push('{');
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Normal text with each run of two or more LDAP domain components written as the domain they
/// name (`cn=vpn, dc=corp, dc=example` is `cn=vpn corp.example`), for finding names; `None`
/// when there is no such run.
fn dn_domains(n: &str) -> Option<String> {
    const OID: &str = "0.9.2342.19200300.100.1.25";
    if !n.contains('=') || !(n.contains("dc") || n.contains("domaincomponent") || n.contains(OID)) {
        return None;
    }
    // `domainComponent` and its OID are `dc`; a quoted label is the label.
    let n = &n.replace("domaincomponent", "dc").replace(OID, "dc").replace('"', "");
    // `before`, `dc = label`, `after` in one piece between commas.
    fn component(piece: &str) -> Option<(&str, &str, &str)> {
        for (i, _) in piece.match_indices("dc") {
            let before = piece.get(..i)?;
            if before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            {
                continue;
            }
            let Some(rest) = piece.get(i + 2..)?.trim_start().strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                continue;
            }
            return Some((before, rest.get(..end)?, rest.get(end..)?));
        }
        None
    }
    let mut out = String::with_capacity(n.len());
    let mut run: Vec<&str> = Vec::new();
    let mut joined = false;
    let mut flush = |run: &mut Vec<&str>, out: &mut String| {
        if run.len() >= 2 {
            joined = true;
        }
        out.push(' ');
        out.push_str(&run.join("."));
        // And most significant first, as OpenSSL writes a subject (`/dc=example/dc=corp`).
        if run.len() >= 2 {
            out.push(' ');
            let reversed: Vec<&str> = run.iter().rev().copied().collect();
            out.push_str(&reversed.join("."));
        }
        out.push(' ');
        run.clear();
    };
    // Components are separated by `,`, `;`, `+` (a multi-valued name) and `/` (OpenSSL).
    for piece in n.split([',', ';', '+', '/']) {
        match component(piece) {
            Some((before, label, after)) => {
                if !before.trim().is_empty() {
                    flush(&mut run, &mut out);
                    out.push_str(before);
                }
                run.push(label);
                if !after.trim().is_empty() {
                    flush(&mut run, &mut out);
                    out.push_str(after);
                }
            }
            None => {
                flush(&mut run, &mut out);
                out.push_str(piece);
            }
        }
    }
    flush(&mut run, &mut out);
    joined.then_some(out)
}

/// Each string literal with the word before it (lowercase): `MATCHES '…'`, `LIKE '…'`.
pub fn operands(pattern: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut last_word = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\'' {
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
            out.push((std::mem::take(&mut last_word), lit));
            continue;
        }
        if c.is_ascii_alphabetic() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            last_word = std::mem::take(&mut word);
        }
    }
    out
}

/// Numbers compared with a `…value` path (`ipv4-addr:value = 167772161`, `h'0a000001'`,
/// `b'CgAAAQ=='`), written as the addresses a matcher could take them for. A lexer of its own:
/// words between separators; a word with a `:` (an object path) or starting with `.` (the rest
/// of a path after an index) says whether the comparisons after it are on a value; `]` ends
/// that.
fn value_numbers(pattern: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut on_value = false;
    let mut word = String::new();
    let mut chars = pattern.chars().peekable();
    let end_word = |word: &mut String, on_value: &mut bool, out: &mut Vec<String>| {
        if word.contains(':') || word.starts_with('.') {
            *on_value = word.ends_with("value");
        } else if *on_value
            && let Ok(f) = word.strip_prefix('+').unwrap_or(word).parse::<f64>()
            && f.fract() == 0.0
            && (0.0..=f64::from(u32::MAX)).contains(&f)
        {
            // An integer, or a float of integral value (`167772161.0`, `1.6777216E8`).
            out.push(std::net::Ipv4Addr::from(f as u32).to_string());
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        if c == '\'' {
            let prefix = std::mem::take(&mut word);
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => lit.extend(chars.next()),
                    '\'' => break,
                    c => lit.push(c),
                }
            }
            let bytes = match prefix.as_str() {
                "h" => hex::decode(&lit).ok(),
                "b" => base64::engine::general_purpose::STANDARD.decode(&lit).ok(),
                _ => None,
            };
            if on_value && let Some(b) = bytes {
                if let Ok(a) = <[u8; 4]>::try_from(b.as_slice()) {
                    out.push(std::net::Ipv4Addr::from(a).to_string());
                } else if let Ok(a) = <[u8; 16]>::try_from(b.as_slice()) {
                    out.push(std::net::Ipv6Addr::from(a).to_string());
                }
            }
            continue;
        }
        if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '=' | '<' | '>' | '!' | '[' | ']') {
            end_word(&mut word, &mut on_value, &mut out);
            if c == ']' {
                on_value = false;
            }
        } else {
            word.push(c);
        }
    }
    end_word(&mut word, &mut on_value, &mut out);
    out
}

/// The contents of a pattern's single-quoted string literals (`\'` and `\\` escapes).
/// The text each binary (`b'…'`) and hex (`h'…'`) constant of a pattern holds: its bytes as
/// UTF-8 (a broken sequence is a space) and, in pairs, as UTF-16 both ways. Its own lexer.
pub fn binary_texts(pattern: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut prev = [' ', ' '];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let [before, last] = prev;
        if c != '\'' {
            prev = [last, c];
            continue;
        }
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => lit.extend(chars.next()),
                '\'' => break,
                c => lit.push(c),
            }
        }
        let standalone = !(before.is_alphanumeric() || before == '_');
        let bytes = match last {
            'b' if standalone => base64::engine::general_purpose::STANDARD.decode(&lit).ok(),
            'h' if standalone => hex::decode(&lit).ok(),
            _ => None,
        };
        prev = ['\'', ' '];
        let Some(bytes) = bytes else { continue };
        out.push(String::from_utf8_lossy(&bytes).replace('\u{FFFD}', " "));
        if bytes.len() >= 4 && bytes.len().is_multiple_of(2) {
            let le: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| match p {
                    [lo, hi] => u16::from_le_bytes([*lo, *hi]),
                    _ => 0,
                })
                .collect();
            let be: Vec<u16> = le.iter().map(|u| u.swap_bytes()).collect();
            out.push(String::from_utf16_lossy(&le).replace('\u{FFFD}', " "));
            out.push(String::from_utf16_lossy(&be).replace('\u{FFFD}', " "));
        }
    }
    out
}

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

    /// [`drawn_sign`] passes over cased letters unread: none is drawn as a colon or a full stop.
    #[test]
    fn no_cased_letter_is_drawn_as_a_colon_or_a_full_stop() {
        let cased: Vec<char> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| (c.is_lowercase() || c.is_uppercase()) && !unspaced(*c))
            .filter(|&c| {
                let mut b = [0; 4];
                let mut proto = unicode_security::skeleton(c.encode_utf8(&mut b));
                match (proto.next(), proto.next()) {
                    (Some(p), None) => p == ':' || p == '.' || full_stop(p),
                    _ => false,
                }
            })
            .collect();
        assert!(cased.is_empty(), "{cased:?}");
    }

    /// Session 34: a space where a word of CamelCase ends, none in a text of one case.
    #[test]
    fn spaces_words_of_camel_case() {
        assert_eq!(
            camel_case_spaced("SeeProjectBLUEBIRD").as_deref(),
            Some("See Project BLUEBIRD")
        );
        // Both readings of a run of capitals before a small letter: `HTTPServer`, `BLUEBIRDreport`.
        assert_eq!(camel_case_spaced("BLUEBIRDReport").as_deref(), Some("BLUEBIRD R eport"));
        assert_eq!(camel_case_spaced("BLUEBIRDreport").as_deref(), Some("BLUEBIR D report"));
        assert_eq!(camel_case_spaced("1-7Notes").as_deref(), Some("1-7 Notes"));
        assert_eq!(camel_case_spaced("The BLUEBIRDSONG, bluebirdish"), None);
    }

    /// Red team SB07 and SA19a, on the verifier's own code: the inflected forms of a phrase,
    /// and the characters drawn as an `@`.
    #[test]
    fn inflects_phrases_and_reads_enclosed_a_as_an_at_sign() {
        let forms = inflected_forms("project bluebird");
        assert_eq!(forms.len(), 9);
        assert!(forms.iter().any(|f| f == "projects bluebirds"));
        assert_eq!(inflected_forms("task force 1-7").len(), 9);
        assert_eq!(inflected_forms(&"w ".repeat(12)).len(), 1 + 2 * 12);
        for at in [
            "\u{24D0}",
            "\u{24B6}",
            "\u{1F130}",
            "\u{1F150}",
            "\u{1F170}",
            "a\u{20DD}",
            "\u{FF20}\u{20DD}",
        ] {
            assert_eq!(
                at_signs_read(&format!("alice{at}example.com")).as_deref(),
                Some("alice@example.com"),
                "{at}"
            );
        }
        assert_eq!(at_signs_read("alice@example.com"), None);
        assert_eq!(at_signs_read("caf\u{E9} \u{24D1}"), None);
    }

    /// Red team R03, R05, R02 on the verifier's own normal form.
    #[test]
    fn reads_input_method_dashes_full_stops_and_ldap_names() {
        for gap in ['ー', 'ｰ', '一', 'ㅡ', '─', '￣', '~', '～', '\u{2E5D}'] {
            assert_eq!(normalise(&format!("Task Force 1{gap}7")), "task force 1-7", "{gap:?}");
        }
        assert_eq!(normalise("℡03-5555-0100"), "tel 03-5555-0100");
        assert_eq!(normalise("〇三"), "0三");
        assert_eq!(normalise("三\u{200B}〇\u{200B}三"), "三0三");
        assert_eq!(normalise("〇\u{200B}三"), "0三");
        assert_eq!(normalise("〇peration"), "operation");
        assert_eq!(normalise("〇 〇"), "o o");
        for s in ["コーヒー", "第一章", "~/.bashrc", "about ~5"] {
            assert!(!normalise(s).contains('-'), "{s}");
        }
        for u in [
            0x2CFE, 0x2CF9, 0x11049, 0x10AF4, 0x2D9, 0x888, 0x16AF5, 0x16E98, 0x1BC9F, 0x1DA88, 0x964,
        ] {
            let c = char::from_u32(u).unwrap();
            assert_eq!(normalise(&format!("10{c}20{c}30{c}40")), "10.20.30.40", "U+{u:04X}");
        }
        for &(a, b) in STOPS {
            for u in a..=b {
                let c = char::from_u32(u).unwrap();
                assert_eq!(normalise(&format!("corp{c}example")), "corp.example", "U+{u:04X}");
            }
        }
        let domains = vec!["corp.example".to_string()];
        for t in [
            "DC=corp,DC=example",
            "cn=vpn, dc = corp ; dc = example",
            "base dc=corp,dc=example.",
        ] {
            assert!(text_reveals(t, &[], &domains).is_some(), "{t}");
        }
        for t in ["DC=example,DC=com", "dc=corp", "xdc=corp,dc=example"] {
            assert!(text_reveals(t, &[], &domains).is_none(), "{t}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn squeezed_text_reads_ascii_as_the_general_way(s in "[ -~]*") {
            let general: String = squeezed_chars(&s).map(|(_, c)| c).collect();
            proptest::prop_assert_eq!(squeezed_text(&s), general);
        }
    }

    /// `digits_read` as it was before it worked on bytes (characters collected, no pre-check):
    /// the new one must read every text alike.
    fn digits_read_reference(n: &str) -> Option<String> {
        let lookalike = |c: char| matches!(c, 'o' | 'l' | 'i');
        let piece = |c: char| c.is_ascii_digit() || lookalike(c);
        let number_like = |c: char| piece(c) || ".:/-()+[]".contains(c);
        let chars: Vec<char> = n.chars().collect();
        let mut out: Vec<char> = chars.clone();
        let mut changed = false;
        let mut k = 0;
        while k < chars.len() {
            if !chars.get(k).is_some_and(|&c| number_like(c)) {
                k += 1;
                continue;
            }
            let end = k + chars
                .get(k..)
                .map_or(0, |r| r.iter().take_while(|&&x| number_like(x)).count());
            let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
            let mut from = k;
            if word(k.checked_sub(1).and_then(|p| chars.get(p))) {
                while from < end && chars.get(from).is_some_and(|&c| piece(c)) {
                    from += 1;
                }
            }
            let mut to = end;
            if word(chars.get(end)) {
                while to > from && to.checked_sub(1).and_then(|t| chars.get(t)).is_some_and(|&c| piece(c)) {
                    to -= 1;
                }
            }
            let part = chars.get(from..to).unwrap_or_default();
            if part.iter().any(char::is_ascii_digit) && part.iter().any(|&c| lookalike(c)) {
                for c in out.get_mut(from..to).into_iter().flatten() {
                    *c = match *c {
                        'o' => '0',
                        'l' | 'i' => '1',
                        c => c,
                    };
                }
                changed = true;
            }
            k = end;
        }
        changed.then(|| out.into_iter().collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn digits_read_reads_as_the_reference(s in "([0-9oli.:/()+\\[\\] -]|a|x|é|١|ο|\\u{200B})*") {
            proptest::prop_assert_eq!(digits_read(&s), digits_read_reference(&s));
        }
    }

    #[test]
    fn normalises_full_width_and_hidden_characters() {
        assert_eq!(normalise("Ｓｅｃｒｅｔ\u{200B}Word  x"), "secretword x");
    }

    #[test]
    fn finds_internal_addresses_and_domains_in_literals() {
        let nets = vec![super::super::content::net("10.0.0.0/8").unwrap()];
        let domains = vec!["corp.example".to_string()];
        assert!(pattern_reveals("[ipv4-addr:value = '10.1.2.3']", &nets, &domains).is_some());
        assert!(pattern_reveals("[ipv4-addr:value = '8.0.0.0/6']", &nets, &domains).is_some());
        assert!(pattern_reveals("[url:value = 'https://a.corp.example/x']", &nets, &domains).is_some());
        assert!(pattern_reveals("[ipv4-addr:value = '11.1.2.3']", &nets, &domains).is_none());
        assert!(pattern_reveals("[domain-name:value = 'notcorp.example']", &nets, &domains).is_none());
    }

    #[test]
    fn finds_internal_addresses_and_domains_in_free_text() {
        let nets = vec![
            super::super::content::net("10.0.0.0/8").unwrap(),
            super::super::content::net("fd00::/8").unwrap(),
        ];
        let domains = vec!["corp.example".to_string()];
        let hit = |t: &str| text_reveals(t, &nets, &domains);
        assert_eq!(hit("Host 10.1.2.3 scanned").as_deref(), Some("10.1.2.3"));
        assert_eq!(hit("net 10.0.0.0/24.").as_deref(), Some("10.0.0.0/24"));
        assert_eq!(
            hit("see http://10.9.8.7:8080/x").as_deref(),
            Some("http://10.9.8.7:8080/x")
        );
        assert_eq!(hit("at [fd00::1]:443").as_deref(), Some("[fd00::1]:443"));
        assert!(hit("mail ops@Corp.Example now").is_some());
        assert!(hit("198.51.100.7 and notcorp.example, 11.1.2.3.").is_none());
    }
}
