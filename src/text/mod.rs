//! The one normal form every comparison of text that matters runs on (markings, dirty words,
//! redaction, addresses), with a map from each normalised byte back to the original text.
//!
//! NFKC per character cluster (a base character and its combining marks), lowercased, with
//! default-ignorable code points (zero-width spaces and joiners, soft hyphens, Hangul fillers,
//! the braille blank, …) removed, every non-ASCII look-alike of an ASCII character read as that
//! character (UTS #39 confusables: Cyrillic `а`, Greek `ο`, `∕`), every dash and minus read as
//! `-`, ideographic and full-width full stops read as `.`, decimal digits of every script read as
//! ASCII digits (`١٠` is `10`), Latin small capitals and Latin letters with diacritics read as
//! the ASCII letter (`ᴏᴘ` is `op`, `é` and `h́` are `e` and `h`; a mark on a letter of another
//! script stays), and
//! whitespace runs folded to one space. ASCII itself is never folded into other ASCII (`0` stays `0`, so numbers and addresses
//! keep their meaning). So full-width, look-alike compatibility forms and hidden
//! characters cannot slip a word past. A match is mapped back to the original text, and only the
//! matched span is replaced: the rest stays as written.

pub mod addr;
pub mod bidi;
pub mod css;
pub mod data_uri;
pub mod domain;
pub mod email;
pub mod encoded;
pub mod escape;
pub mod internal;
mod letter_bases;
pub mod markup;
pub mod operand;
pub mod phone;
pub(crate) mod tables;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_security::skeleton;

/// Text prepared for matching, with a map from each of its bytes back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// For each byte of `text`: the original byte span of the cluster it came from; empty when
    /// the text maps byte for byte (plain ASCII with single spaces).
    map: Vec<(usize, usize)>,
}

impl Normalized {
    /// The bytes it holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity().saturating_add(
            self.map
                .capacity()
                .saturating_mul(std::mem::size_of::<(usize, usize)>()),
        )
    }

    /// The original span of the normalised span `start..end` (which must not be empty).
    pub fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if self.map.is_empty() {
            return (start < end && end <= self.text.len()).then_some((start, end));
        }
        let (a, _) = *self.map.get(start)?;
        let (_, b) = *self.map.get(end.checked_sub(1)?)?;
        if a < b {
            return Some((a, b));
        }
        // Text read right to left (an override): the span of every byte of the match.
        let spans = self.map.get(start..end)?;
        let a = spans.iter().map(|m| m.0).min()?;
        let b = spans.iter().map(|m| m.1).max()?;
        Some((a, b))
    }
}

/// A string with its normal form, computed at most once and only when a recogniser asks for it:
/// every rule that looks at the string (addresses, dirty words, e-mail, phone numbers, regular
/// expressions) runs on the one normal form.
#[derive(Debug)]
pub struct Prepared<'s> {
    raw: &'s str,
    normal: std::cell::OnceCell<Normalized>,
    /// The decoded readings, why a `data:` URI read in them is no text, and the readings with
    /// characters drawn as an `@` read as one.
    decoded: std::cell::OnceCell<Readings>,
    /// [`escape::may_hold`] of the string, asked once.
    may_hold: std::cell::OnceCell<bool>,
}

impl<'s> Prepared<'s> {
    pub fn new(raw: &'s str) -> Prepared<'s> {
        Prepared {
            raw,
            normal: std::cell::OnceCell::new(),
            decoded: std::cell::OnceCell::new(),
            may_hold: std::cell::OnceCell::new(),
        }
    }

    /// `raw` with the normal form computed earlier (`None`: not computed yet). The caller keeps
    /// the two together; debug builds (every test) check that `normal` is `raw`'s.
    pub fn with(raw: &'s str, normal: Option<Normalized>) -> Prepared<'s> {
        let cell = std::cell::OnceCell::new();
        if let Some(n) = normal {
            debug_assert_eq!(n, normalize(raw), "a normal form kept for another string");
            let _ = cell.set(n);
        }
        Prepared {
            raw,
            normal: cell,
            decoded: std::cell::OnceCell::new(),
            may_hold: std::cell::OnceCell::new(),
        }
    }

    /// The string as written.
    pub fn raw(&self) -> &'s str {
        self.raw
    }

    /// Its normal form ([`normalize`]), computed on first use.
    pub fn normal(&self) -> &Normalized {
        self.normal.get_or_init(|| normalize(self.raw))
    }

    /// The normal forms of the string read with its escapes decoded ([`normalize_decoded`]),
    /// computed on first use; empty when it holds no escape. Every rule looks at them too.
    pub fn decoded(&self) -> &[Normalized] {
        &self.readings().decoded
    }

    /// Whether the string may hold an escape, a `data:` URI or markup ([`escape::may_hold`]),
    /// asked once of the string (the readers of markings and of what no rule reads ask it).
    pub fn may_hold_escape(&self) -> bool {
        *self.may_hold.get_or_init(|| escape::may_hold(self.raw))
    }

    /// Why the string shows what no rule reads, when it does: a `data:` URI whose payload is no
    /// text (compressed, binary, or bytes its charset does not decode) or is nested deeper than
    /// its decoding reads ([`escape::readings_unread`]), or markup whose styles add text to the
    /// screen or fetch what they show ([`markup::generated`]), as written or once decoded, or a
    /// bidirectional control between two left-to-right runs ([`bidi::reordered`]: shown in
    /// another order). Such a string is held (default deny), however clean the rest of it reads.
    pub fn unread(&self) -> Option<String> {
        if let Some(why) = bidi::reordered(self.raw) {
            return Some(why);
        }
        if !self.may_hold_escape() {
            return None;
        }
        markup::generated(self.raw).or_else(|| self.readings().unread.clone())
    }

    /// The normal forms of the string, as written and decoded, with each character drawn as an
    /// `@` read as one (`aliceⓐexample.com`), computed on first use; empty when it holds none.
    /// The e-mail recogniser looks at them.
    /// Each as its text and the normal form whose map takes a span of it back to the string.
    pub fn at_signs(&self) -> impl Iterator<Item = (&str, &Normalized)> {
        self.readings().at.iter().map(|a| match a {
            AtSigns::Shared(t) => (t.as_str(), self.normal()),
            AtSigns::Own(n) => (n.text.as_str(), n),
        })
    }

    fn readings(&self) -> &Readings {
        self.decoded.get_or_init(|| {
            // A text that holds no escape, markup, break a script joins or run that writes text
            // has no reading of them ([`escape::may_hold`] says so of every reading), unless an
            // override shows it in another order, which is read too.
            if !self.may_hold_escape() && !self.raw.contains(RLO) {
                let at = at_sign_readings(self.raw, self.normal(), &[]);
                return Readings {
                    decoded: Vec::new(),
                    unread: None,
                    at,
                };
            }
            let mut at = Vec::new();
            let (decoded, unread) =
                normalize_decoded_with(self.raw, |raw| at = at_sign_readings(self.raw, self.normal(), raw));
            Readings { decoded, unread, at }
        })
    }

    /// The normal form, if it was computed, to hand to the next pass over the same string.
    pub fn into_normal(self) -> Option<Normalized> {
        self.normal.into_inner()
    }
}

/// Spans sorted, and those that overlap made one: every occurrence is replaced whole,
/// however the readings that found them overlap.
pub fn merge_spans(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a < last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Normal text with ASCII look-alikes of digits read as digits (UTS #39 lists `0`/`O` and
/// `1`/`l`/`I` as confusable; the normal form keeps ASCII as it is, so that numbers keep their
/// meaning): in every run of digits, `o`, `l`, `i` and the separators of addresses and numbers
/// (`.:/-()+[]`) that holds a digit and one of those letters, `o` is `0` and `l`, `i` are `1`
/// (`1o.2o.3o.4o`, `http://1o.2o.3o.4o/`, `2o2-555-0143`), except in a piece of it that is part of
/// a longer word (`i18n`, `log4j`, the `l` of `tel:`). Byte for byte as long as
/// `text`; `None` when nothing changes.
pub fn digit_reading(text: &str) -> Option<String> {
    digit_reading_of(text, false)
}

/// [`digit_reading`]; `every_run`: each run of `text` is looked at (the full reading, which the
/// tests compare with), not only those that hold a digit (a run without one changes nothing:
/// only a piece that holds a digit is read).
fn digit_reading_of(text: &str, every_run: bool) -> Option<String> {
    let b = text.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let in_run = |c: &u8| {
        c.is_ascii_digit()
            || matches!(
                c,
                b'o' | b'l' | b'i' | b'.' | b':' | b'/' | b'-' | b'(' | b')' | b'+' | b'[' | b']'
            )
    };
    let token = |c: &u8| c.is_ascii_digit() || matches!(c, b'o' | b'l' | b'i');
    // A letter or digit outside the run (a byte of a non-ASCII character may be one).
    let glues = |c: Option<&u8>| c.is_some_and(|&c| c.is_ascii_alphanumeric() || c >= 0x80);
    let mut out: Option<Vec<u8>> = None;
    let mut read_run = |start: usize, end: usize| {
        let run = b.get(start..end).unwrap_or_default();
        // The run's first (last) piece of digits and those letters is part of the word before
        // (after) it when it touches one (`tel:`'s `l`, `hello1`): it is left as it is; every
        // other piece stands apart from words (`http://1o.2o`, `ip:1o.2o`).
        let lead = if glues(start.checked_sub(1).and_then(|p| b.get(p))) {
            run.iter().take_while(|c| token(c)).count()
        } else {
            0
        };
        let trail = if glues(b.get(end)) {
            run.iter().rev().take_while(|c| token(c)).count()
        } else {
            0
        };
        let from = start + lead;
        let to = end.saturating_sub(trail).max(from);
        let part = b.get(from..to).unwrap_or_default();
        if part.iter().any(u8::is_ascii_digit) && part.iter().any(|c| matches!(c, b'o' | b'l' | b'i')) {
            let o = out.get_or_insert_with(|| b.to_vec());
            if let Some(dst) = o.get_mut(from..to) {
                for c in dst {
                    *c = match *c {
                        b'o' => b'0',
                        b'l' | b'i' => b'1',
                        c => c,
                    };
                }
            }
        }
    };
    if every_run {
        let mut start = 0;
        for run in b.split(|c| !in_run(c)) {
            let end = start + run.len();
            read_run(start, end);
            start = end + 1; // past the byte that ended the run
        }
    } else {
        // The runs that hold a digit: from each digit past the last run, back and ahead to the
        // bytes that end its run (each byte looked at a bounded number of times).
        let mut at = 0;
        while let Some(d) = b
            .get(at..)
            .and_then(|r| r.iter().position(u8::is_ascii_digit))
            .map(|p| p + at)
        {
            let start = b
                .get(at..d)
                .unwrap_or_default()
                .iter()
                .rposition(|c| !in_run(c))
                .map_or(at, |p| at + p + 1);
            let end = b
                .get(d..)
                .unwrap_or_default()
                .iter()
                .position(|c| !in_run(c))
                .map_or(b.len(), |p| d + p);
            read_run(start, end);
            at = end + 1; // past the byte that ended the run
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    out.and_then(|o| String::from_utf8(o).ok())
}

/// The ASCII look-alike of a letter read as that letter, for names (internal domains, dirty
/// words; UTS #39): `0` is `o`, `1` and `i` are `l`; and the digits written for letters
/// (leetspeak: `3` `e`, `4` `a`, `5` `s`, `6` and `9` `g`, `7` `t`, `8` `b`); any other byte is
/// itself.
#[inline]
pub fn letter_byte(b: u8) -> u8 {
    // By a table: it is asked for every byte of every string the phrases are looked for in.
    // Never out of range: a table of every `u8`.
    LETTER_BYTES.get(usize::from(b)).copied().unwrap_or(b)
}

/// [`letter_byte`] of every byte, built from [`letter_of`] when compiled.
const LETTER_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = letter_of(b as u8);
        b += 1;
    }
    t
};

/// The letter an ASCII look-alike of one stands for ([`letter_byte`]), by its definition.
const fn letter_of(b: u8) -> u8 {
    match b {
        b'0' => b'o',
        b'1' | b'i' => b'l',
        b'3' => b'e',
        b'4' => b'a',
        b'5' => b's',
        b'6' | b'9' => b'g',
        b'7' => b't',
        b'8' => b'b',
        b => match sign_letter(b) {
            Some(l) => l,
            None => b,
        },
    }
}

/// Whether `c` is a letter of a script written without spaces between words (Han, kana,
/// Thai, Lao, Khmer, Myanmar, Yi, Bopomofo, Tibetan): beside such a letter a word of another
/// script ends (`Operation NIGHTJARについて`, `intranet.corp.exampleへ`), and a word of its
/// own script may start or end anywhere.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
        | '\u{0F00}'..='\u{0FFF}'   // Tibetan
        | '\u{1000}'..='\u{109F}'   // Myanmar
        | '\u{1780}'..='\u{17FF}'   // Khmer
        | '\u{19E0}'..='\u{19FF}'   // Khmer symbols
        | '\u{2E80}'..='\u{2FDF}'   // CJK radicals, Kangxi radicals
        | '\u{3005}'..='\u{3007}'   // 々 〆 〇
        | '\u{3021}'..='\u{3029}'   // Hangzhou numerals
        | '\u{3031}'..='\u{3035}'   // kana repeat marks
        | '\u{303B}'..='\u{303C}'
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3100}'..='\u{312F}'   // Bopomofo
        | '\u{31A0}'..='\u{31FF}'   // Bopomofo extended, Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{A000}'..='\u{A4CF}'   // Yi
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'   // halfwidth Katakana
        | '\u{20000}'..='\u{3FFFF}' // CJK extensions B and later
    )
}

/// Whether `neighbour` beside the character `edge` of a hit makes the hit part of a longer word:
/// both are letters or digits, and neither is of a script written without spaces
/// ([`is_unspaced_script`]).
pub fn joins_word(neighbour: char, edge: char) -> bool {
    neighbour.is_alphanumeric() && !is_unspaced_script(neighbour) && !is_unspaced_script(edge)
}

/// The letter an ASCII sign is written for in a word (`ex@mple`, `$ource`, `b!rd`, `r|dge`).
pub const fn sign_letter(b: u8) -> Option<u8> {
    match b {
        b'@' => Some(b'a'),
        b'$' => Some(b's'),
        b'!' | b'|' => Some(b'l'),
        _ => None,
    }
}

/// Normal text with every sign of [`sign_letter`] that stands next to an ASCII letter or digit
/// read as its letter, byte for byte as long; `None` when no sign stands so. A sign between
/// words may also be a separator (`Operation@NIGHTJAR`), so this is a reading beside the text as
/// written, never instead of it.
pub fn signs_read(normal: &str) -> Option<String> {
    let b = normal.as_bytes();
    let alnum_at = |k: Option<usize>| k.and_then(|k| b.get(k)).is_some_and(u8::is_ascii_alphanumeric);
    let mut out: Option<Vec<u8>> = None;
    for (k, &c) in b.iter().enumerate() {
        if let Some(l) = sign_letter(c)
            && (alnum_at(k.checked_sub(1)) || alnum_at(k.checked_add(1)))
        {
            let o = out.get_or_insert_with(|| b.to_vec());
            if let Some(x) = o.get_mut(k) {
                *x = l;
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    out.and_then(|o| String::from_utf8(o).ok())
}

/// Normal text with ASCII look-alikes of letters read as letters ([`letter_byte`]). Phrases and
/// names are read the same way, so `c0rp` is `corp`, `n1ghtj4r` is `nightjar` (and
/// `nlghtjar`) and `ex@mple` is `example`, which holds back more, never less (a name is looked
/// for wherever it stands and its boundaries are judged on the text as written, so `@` still
/// ends the name before it). Byte for byte as long as `text` (and UTF-8: only ASCII bytes
/// change, to ASCII bytes).
pub fn letter_reading(text: &str) -> std::borrow::Cow<'_, [u8]> {
    if !text.bytes().any(|c| letter_byte(c) != c) {
        return std::borrow::Cow::Borrowed(text.as_bytes());
    }
    std::borrow::Cow::Owned(text.bytes().map(letter_byte).collect())
}

/// Plain ASCII whose only whitespace is single spaces normalises to its lowercase, byte for byte.
fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .all(|&c| c.is_ascii() && (c == b' ' || !c.is_ascii_whitespace()) && c != 0x7f && c >= 0x20)
        && !b.windows(2).any(|w| w == b"  ")
        && !b.windows(3).any(
            |w| matches!(w, [x, b'~' | b'_' | b'|' | b'\\' | b'\'', y] if x.is_ascii_digit() && y.is_ascii_digit()),
        )
}

/// Characters removed before matching: Unicode default-ignorable code points (the table of
/// UTS #39, through [`skeleton`], plus this explicit list, which also names the blanks that
/// render as nothing but are not default-ignorable: U+2800 BRAILLE PATTERN BLANK).
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Dashes, hyphens and minus signs, all read as `-` (general category Pd, and the minus signs).
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{2043}'
                | '\u{058A}'
                | '\u{05BE}'
                | '\u{1400}'
                | '\u{1806}'
                | '\u{2E17}'
                | '\u{2E1A}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{2E40}'
                | '\u{2E5D}'
                | '\u{301C}'
                | '\u{3030}'
                | '\u{30A0}'
                | '\u{FE31}'
                | '\u{FE32}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
                | '\u{10EAD}'
    )
}

/// Full stops that a reader (and IDNA, for domains) takes for `.`, and the middle dots a reader
/// takes for one between numbers or names (`10·20·30·40`, `intranet・corp`): the ideographic and
/// full-width ones; every script's full stop (Armenian `։`, Arabic `۔`, Syriac, Ethiopic `።`,
/// Canadian syllabics, Mongolian, Lisu, Vai, Bamum, stenographic, the dandas and the Burmese,
/// Khmer and Tibetan ends of sentences); the Arabic decimal separator `٫` (`10٫20٫30٫40`); and
/// the middle and word-separating dots. Besides this list, every character of
/// [`SENTENCE_STOPS`] (generated from the Unicode Character Database).
fn is_full_stop(c: char) -> bool {
    let u = u32::from(c);
    let i = SENTENCE_STOPS.partition_point(|&(a, _)| a <= u);
    if i.checked_sub(1)
        .and_then(|i| SENTENCE_STOPS.get(i))
        .is_some_and(|&(_, b)| u <= b)
    {
        return true;
    }
    matches!(
        c,
        '\u{3002}'
            | '\u{FF0E}'
            | '\u{FF61}'
            | '\u{FE52}'
            | '\u{2024}'
            | '\u{00B7}'
            | '\u{30FB}'
            | '\u{FF65}'
            | '\u{2027}'
            | '\u{2219}'
            | '\u{22C5}'
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
            | '\u{17D4}'
            | '\u{1803}'
            | '\u{1809}'
            | '\u{16EB}'
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

/// Every non-ASCII character with the Unicode property Sentence_Terminal (the full stops,
/// dandas, question and exclamation marks of every script: between numbers or names a reader
/// takes each for a dot), and every non-ASCII punctuation (Po, Sk, Terminal_Punctuation) whose
/// name says it is one dot or a full stop (`COPTIC FULL STOP`, `BRAHMI PUNCTUATION DOT`, `DOT
/// ABOVE`, `ARABIC RAISED ROUND DOT`): sorted ranges, printed by `scripts/gen-full-stops.py`
/// from the UCD 15.0 `PropList.txt` and `UnicodeData.txt`.
const SENTENCE_STOPS: &[(u32, u32)] = &[
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

/// The first code point of each run of ten decimal digits (general category Nd, which Unicode
/// encodes as contiguous runs from 0 to 9) outside ASCII that NFKC leaves as they are: Arabic-Indic
/// `٠`, Devanagari `०`, Thai `๐`, … (Unicode 15). Full-width and mathematical digits are NFKC's.
const DIGIT_ZEROS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20,
    0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0,
    0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0,
];

/// The ASCII digit a decimal digit of another script stands for (`٤` is `4`).
fn decimal_digit(c: char) -> Option<char> {
    let u = u32::from(c);
    // The last run starting at or before `u`; `u` is in it when it is at most 9 past its zero.
    let i = DIGIT_ZEROS.partition_point(|&z| z <= u).checked_sub(1)?;
    let offset = u.checked_sub(*DIGIT_ZEROS.get(i)?)?;
    (offset <= 9).then(|| char::from_digit(offset, 10)).flatten()
}

/// Latin small capitals (IPA and phonetic extensions), read as the letter they are a capital of:
/// UTS #39 does not list them as confusables, yet `ᴏᴘᴇʀᴀᴛɪᴏɴ` reads `OPERATION`.
fn small_capital(c: char) -> Option<char> {
    Some(match c {
        '\u{1D00}' => 'a',
        '\u{0299}' => 'b',
        '\u{1D04}' => 'c',
        '\u{1D05}' => 'd',
        '\u{1D07}' => 'e',
        '\u{A730}' => 'f',
        '\u{0262}' => 'g',
        '\u{029C}' => 'h',
        '\u{026A}' => 'i',
        '\u{1D0A}' => 'j',
        '\u{1D0B}' => 'k',
        '\u{029F}' => 'l',
        '\u{1D0D}' => 'm',
        '\u{0274}' => 'n',
        '\u{1D0F}' => 'o',
        '\u{1D18}' => 'p',
        '\u{A7AF}' => 'q',
        '\u{0280}' => 'r',
        '\u{A731}' => 's',
        '\u{1D1B}' => 't',
        '\u{1D1C}' => 'u',
        '\u{1D20}' => 'v',
        '\u{1D21}' => 'w',
        '\u{028F}' => 'y',
        '\u{1D22}' => 'z',
        _ => return None,
    })
}

/// Enclosed letters and digits NFKC has no decomposition for, read as what they enclose:
/// negative circled (`🅝`) and negative squared (`🅽`) capitals, regional indicators (`🇳`),
/// dingbat circled digits (`❶`, `➀`, `➊`), double circled digits (`⓵`), and the negative
/// circled zeros (`⓿`, `🄋`, `🄌`). Ten is written with two characters: not read.
fn enclosed_form(c: char) -> Option<char> {
    const LETTERS: [u32; 3] = [0x1F150, 0x1F170, 0x1F1E6];
    const DIGITS_FROM_ONE: [u32; 4] = [0x2776, 0x2780, 0x278A, 0x24F5];
    let u = u32::from(c);
    if let Some(first) = LETTERS.iter().find(|&&f| (f..f + 26).contains(&u)) {
        return char::from_u32(u32::from(b'a') + u - first);
    }
    if let Some(one) = DIGITS_FROM_ONE.iter().find(|&&f| (f..f + 9).contains(&u)) {
        return char::from_digit(u - one + 1, 10);
    }
    matches!(u, 0x24FF | 0x1F10B | 0x1F10C).then_some('0')
}

/// A Latin letter with diacritics read as the ASCII letter under them (`é` is `e`, `ç` is `c`):
/// its canonical decomposition is an ASCII letter and combining marks. Letters of other scripts
/// keep theirs (`が` stays `が`: its mark makes another word).
fn ascii_base(c: char) -> Option<char> {
    let mut d = std::iter::once(c).nfd();
    let base = d.next().filter(char::is_ascii_alphabetic)?;
    d.all(|m| canonical_combining_class(m) != 0).then_some(base)
}

/// What one non-ASCII character (already NFKC-normalised and lowercased) is read as: nothing
/// (ignorable), a space, `-`, `.`, an ASCII digit (a decimal digit of another script), an ASCII
/// letter (a small capital, a Latin letter with diacritics), its ASCII look-alike (the UTS #39
/// confusable prototype, when that is ASCII: Cyrillic `а` is `a`, Greek `ο` is `o`, `∕` is
/// `/`), or itself.
fn fold(c: char, out: &mut String) {
    if is_ignorable(c) {
        return;
    }
    if c.is_whitespace() {
        out.push(' ');
    } else if is_dash(c) {
        out.push('-');
    } else if is_full_stop(c) {
        out.push('.');
    } else if let Some(a) = decimal_digit(c)
        .or_else(|| small_capital(c))
        .or_else(|| enclosed_form(c))
        .or_else(|| ascii_base(c))
        .or_else(|| letter_bases::letter_base(c))
    {
        out.push(a);
    } else {
        let mut buf = [0u8; 4];
        let one: &str = c.encode_utf8(&mut buf);
        let mut proto = skeleton(one).peekable();
        if proto.peek().is_none() {
            return; // default-ignorable
        }
        let start = out.len();
        for p in proto {
            if !p.is_ascii() {
                out.truncate(start);
                // A small letter whose own look is no ASCII letter is read as its capital is
                // (Cyrillic `м` as `М`, Cherokee `ꭺ` as `Ꭺ`), so that a word matches in either case.
                match capital_look(c) {
                    Some(look) => out.push_str(&look),
                    None => out.push(c),
                }
                return;
            }
            out.push(p.to_ascii_lowercase());
        }
    }
}

/// The sign a letter or a spacing mark of a script written with spaces is drawn as, when its
/// UTS #39 prototype is one: `:` (the visargas `ः`, `ઃ`, Brahmi `𑀂`), `.` (a full stop or a
/// middle dot: the half colon `ˑ`, Canadian `ᐧ`), `-` (a dash). `None` for every other
/// character, and for one of an unspaced script. Looked up in [`DRAWN_SIGNS`] (every character
/// of the normal form passes here: the prototype computed for each cost a quarter more time on
/// text of other scripts).
fn drawn_sign(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    DRAWN_SIGNS
        .binary_search_by_key(&c, |&(d, _)| d)
        .ok()
        .and_then(|k| DRAWN_SIGNS.get(k))
        .map(|&(_, sign)| sign)
}

/// The characters [`drawn_sign`] reads as a sign, in order, and the sign: every letter or mark
/// (no digit, of a script written with spaces) whose UTS #39 prototype is one `:`, full stop or
/// dash. Generated from that rule; the test `drawn_signs_are_the_rule` checks it against every
/// code point, so that a new Unicode or confusables table is noticed.
const DRAWN_SIGNS: &[(char, char)] = &[
    ('\u{02D0}', ':'),
    ('\u{02D1}', '.'),
    ('\u{0903}', ':'),
    ('\u{0A83}', ':'),
    ('\u{1427}', '.'),
    ('\u{174D}', '-'),
    ('\u{1BF3}', '-'),
    ('\u{2CBA}', '-'),
    ('\u{2CBB}', '-'),
    ('\u{A4F8}', '.'),
    ('\u{A4FD}', ':'),
    ('\u{A78F}', '.'),
    ('\u{AA7D}', '-'),
    ('\u{ABEC}', '.'),
    ('\u{11002}', ':'),
    ('\u{11082}', ':'),
    ('\u{11182}', ':'),
    ('\u{115BE}', ':'),
    ('\u{116AC}', ':'),
    ('\u{11838}', ':'),
    ('\u{11DD9}', ':'),
    ('\u{1D16D}', '.'),
];

/// The ASCII look (lowercase) of a capital, or of the one capital of a small letter, when that
/// capital's UTS #39 prototype is ASCII letters: Greek `Ν` and Cyrillic `Н` look like `N` and
/// `H` though their small forms `ν` and `н` do not look like `n` and `h`.
fn capital_look(c: char) -> Option<String> {
    let mut upper = c.to_uppercase();
    let capital = upper.next().filter(|u| !u.is_ascii() && u.is_uppercase())?;
    if upper.next().is_some() {
        return None;
    }
    let mut buf = [0u8; 4];
    let look: String = skeleton(capital.encode_utf8(&mut buf)).collect();
    // UTS #39 writes the capital `I` as its prototype `l`: a capital drawn so is an `I`.
    if look == "l" {
        return Some("i".to_string());
    }
    (!look.is_empty() && look.bytes().all(|b| b.is_ascii_alphabetic())).then(|| look.to_ascii_lowercase())
}

/// `c` lowercased, where a capital that looks like an ASCII letter is that letter (markings and
/// names are written in capitals, and a capital's look may not be its small form's: Greek `Ν`
/// reads `N`, while `ν` reads `v`).
fn lowered(c: char, out: &mut Vec<char>) {
    if !c.is_ascii()
        && c.is_uppercase()
        && let Some(look) = capital_look(c)
    {
        out.extend(look.chars());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Whether `c` is written for a decimal digit (ASCII, another script's, or a compatibility form
/// of one: full-width `３`, mathematical, circled).
fn is_digit_like(c: char) -> bool {
    c.is_ascii_digit()
        || decimal_digit(c).is_some()
        || std::iter::once(c)
            .nfkc()
            .next()
            .is_some_and(|d| d.is_ascii_digit() || decimal_digit(d).is_some())
}

/// Marks a Japanese or Korean input method (or a reader) types as a dash between digits: the
/// prolonged sound mark `ー` (and its half-width form), the ideograph one `一`, Hangul `ㅡ`, box
/// drawings `─` `━`, the macrons `￣` `¯`, and the tildes `~` `～` `∼` `⁓` `˜`.
fn is_digit_gap(c: char) -> bool {
    matches!(
        c,
        '\u{30FC}'
            | '\u{FF70}'
            | '\u{4E00}'
            | '\u{3161}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{FFE3}'
            | '\u{00AF}'
            | '~'
            | '\u{FF5E}'
            | '\u{223C}'
            | '\u{2053}'
            | '\u{02DC}'
            // The ideograph one and Hangul eu as NFKC writes them (KANGXI RADICAL ONE, CJK STROKE
            // H, HANGUL JUNGSEONG EU), the overline, the Arabic tatweel, the full-width low line,
            // the box drawings, the horizontal line extension and scan lines, the monogram for
            // yang, Canadian syllabics final short horizontal stroke, Georgian paragraph
            // separator.
            | '\u{2F00}'
            | '\u{31D0}'
            | '\u{1173}'
            | '\u{203E}'
            | '\u{0640}'
            | '\u{FF3F}'
            | '\u{2500}'..='\u{257F}'
            | '\u{23AF}'
            | '\u{23BA}'..='\u{23BD}'
            | '\u{268A}'
            | '\u{1428}'
            | '\u{10FB}'
    )
}

/// Dots that are no full stop, yet between two letters or digits a reader takes for one
/// (`10•20•30•40`, `host◦corp◦example`): bullets, rings, the degree sign, ellipses, the
/// Tibetan tsheg and the Mongolian comma.
fn is_dot_like(c: char) -> bool {
    matches!(
        c,
        '\u{2022}'
            | '\u{2023}'
            | '\u{25E6}'
            | '\u{25CF}'
            | '\u{25CB}'
            | '\u{2218}'
            | '\u{26AC}'
            | '\u{2981}'
            | '\u{00B0}'
            | '\u{2026}'
            | '\u{2025}'
            | '\u{2E30}'
            | '\u{0F0B}'
            | '\u{0F0C}'
            | '\u{1802}'
            | '\u{1805}'
    )
}

/// Whether `c` is a kanji numeral written digit by digit (`〇` `零` `一` … `九`).
fn is_kanji_numeral(c: char) -> bool {
    matches!(
        c,
        '\u{3007}'
            | '\u{96F6}'
            | '\u{4E00}'
            | '\u{4E8C}'
            | '\u{4E09}'
            | '\u{56DB}'
            | '\u{4E94}'
            | '\u{516D}'
            | '\u{4E03}'
            | '\u{516B}'
            | '\u{4E5D}'
    )
}

/// What the character `c`, written between `prev` and `next` (the characters either side that
/// are not ignorable), is read as before NFKC, when it is a separator: a full stop `.` (some
/// decompose under NFKC into a space and a mark: `˙` DOT ABOVE), a dash `-`, a digit gap
/// ([`is_digit_gap`]) between two digits `-`, the telephone sign `℡` `tel ` (NFKC glues
/// its `TEL` to the number after it), and the kanji zero `〇` beside a digit or a kanji numeral
/// `0`.
fn separator(c: char, prev: Option<char>, next: impl Fn() -> Option<char>) -> Option<&'static str> {
    if c.is_ascii() {
        return (matches!(c, '~' | '_' | '|' | '\\' | '\'')
            && prev.is_some_and(is_digit_like)
            && next().is_some_and(is_digit_like))
        .then_some("-");
    }
    let between = |ok: fn(char) -> bool| prev.is_some_and(ok) && next().is_some_and(ok);
    if matches!(c, '\u{0660}' | '\u{06F0}') && between(|n| n.is_ascii_alphanumeric()) {
        // The Arabic-Indic zero is drawn as a dot: between ASCII letters or digits it is one.
        return Some(".");
    }
    if is_dot_like(c) && between(char::is_alphanumeric) {
        return Some(".");
    }
    if is_full_stop(c) {
        Some(".")
    } else if is_dash(c) {
        Some("-")
    } else if c == '\u{2121}' {
        Some("tel ")
    } else if c == '\u{3007}'
        && (prev.is_some_and(|n| is_digit_like(n) || is_kanji_numeral(n))
            || next().is_some_and(|n| is_digit_like(n) || is_kanji_numeral(n)))
    {
        // The kanji zero beside a digit or another kanji numeral is a digit (alone, UTS #39
        // reads it as the letter `o`).
        Some("0")
    } else if is_digit_gap(c) && prev.is_some_and(is_digit_like) && next().is_some_and(is_digit_like) {
        Some("-")
    } else {
        None
    }
}

/// Normalise `s` for matching (see the module doc).
pub fn normalize(s: &str) -> Normalized {
    normalize_as(s, false)
}

/// Whether `c` is drawn as an `a` in a circle or a square, as an `@` is: the circled letters
/// `ⓐ` `Ⓐ`, the squared `🄰`, the negative circled and squared `🅐` `🅰`. NFKC and the normal
/// form read them as the letter; an address written with one for its `@` (`aliceⓐexample.com`)
/// is read by [`normalize_at_signs`]. (The parenthesised `⒜` `🄐` are `(a)` under NFKC, an
/// obfuscation the e-mail reader knows.)
fn is_enclosed_a(c: char) -> bool {
    matches!(c, '\u{24D0}' | '\u{24B6}' | '\u{1F130}' | '\u{1F150}' | '\u{1F170}')
}

/// Combining marks that enclose the character before them: circle, square, diamond, circle
/// backslash, screen, keycap, triangle (`a⃝` is an `a` in a circle).
fn is_enclosing_mark(c: char) -> bool {
    matches!(c, '\u{20DD}'..='\u{20E0}' | '\u{20E2}'..='\u{20E4}')
}

/// Whether the cluster `cluster` (a character and its combining marks) is drawn as an `@`: an
/// enclosed `a` ([`is_enclosed_a`]), or an `a` or `@` (any width) under an enclosing mark.
fn is_at_look_alike(cluster: &str) -> bool {
    let mut chars = cluster.chars();
    let Some(base) = chars.next() else { return false };
    is_enclosed_a(base)
        || (matches!(base, 'a' | 'A' | '@' | '\u{FF41}' | '\u{FF21}' | '\u{FF20}') && chars.any(is_enclosing_mark))
}

/// Whether `s` holds a character [`is_at_look_alike`] may read as `@`.
fn may_hold_at_look_alike(s: &str) -> bool {
    !s.is_ascii() && s.chars().any(|c| is_enclosed_a(c) || is_enclosing_mark(c))
}

/// What [`Prepared`] reads of a string besides its normal form, computed together on first use.
#[derive(Debug)]
struct Readings {
    /// The normal forms of the string with its escapes decoded.
    decoded: Vec<Normalized>,
    /// Why a reading shows what no rule reads, if one does.
    unread: Option<String>,
    /// The readings with characters drawn as an `@` read as one.
    at: Vec<AtSigns>,
}

/// A reading of a string with the characters drawn as an `@` read as one.
#[derive(Debug)]
enum AtSigns {
    /// Its text, which differs from the string's normal form only in its `@`s: the normal
    /// form's map takes it back (no map of its own is kept).
    Shared(String),
    /// A normal form of its own (of the string as written, or decoded), with its map.
    Own(Normalized),
}

/// The normal forms of `s` read with every character drawn as an `@` written as one
/// ([`is_at_look_alike`]: `aliceⓐexample.com`, `alice🄰example.com`), as written and with its
/// escapes decoded (`alice&#9424;example.com`); `decoded` are [`escape::readings`] of `s`, each
/// with its map back to `s`. Empty when nothing is read so. The e-mail recogniser looks at them
/// (only it: elsewhere such a character is the letter it encloses).
fn at_sign_readings(s: &str, normal: &Normalized, decoded: &[(String, Vec<std::ops::Range<usize>>)]) -> Vec<AtSigns> {
    let mut out = Vec::new();
    if may_hold_at_look_alike(s) {
        let at = normalize_as(s, true);
        let only_signs = at.text.len() == normal.text.len()
            && at
                .text
                .bytes()
                .zip(normal.text.bytes())
                .all(|(a, n)| a == n || a == b'@');
        out.push(if only_signs {
            AtSigns::Shared(at.text)
        } else {
            AtSigns::Own(at)
        });
    }
    for (d, dmap) in decoded {
        if may_hold_at_look_alike(d) {
            out.push(AtSigns::Own(through(normalize_as(d, true), dmap, s.len(), |a, b| {
                Some((a, b))
            })));
        }
    }
    out
}

/// [`normalize`], with each cluster drawn as an `@` read as one when `at_signs`
/// ([`at_sign_readings`]).
fn normalize_as(s: &str, at_signs: bool) -> Normalized {
    if is_plain(s) {
        return Normalized {
            text: s.to_ascii_lowercase(),
            map: Vec::new(),
        };
    }
    let mut out = Builder {
        text: String::with_capacity(s.len()),
        map: Vec::with_capacity(s.len()),
        last_space: false,
    };
    let mut chars = s.char_indices().peekable();
    let mut cluster = String::new();
    let mut folded = String::new();
    let mut low: Vec<char> = Vec::new();
    // The last character written before this cluster that is not ignorable.
    let mut prev: Option<char> = None;
    // Clusters shown right to left by an override (U+202E), held until it ends, then read in
    // the order a reader sees them; inside it, each embedding, override or isolate is one
    // block, shown whole (right to left again only if it is an override to the right).
    let mut levels: Vec<Level> = Vec::new();
    // Levels opened past the deepest a reader's display keeps (UAX #9's 125): not kept, so that
    // a block is copied into at most that many levels around it (linear in the text).
    let mut overflow = 0usize;
    while let Some((start, c)) = chars.next() {
        if c == RLO || (!levels.is_empty() && opens_level(c)) {
            if levels.len() >= MAX_LEVELS {
                overflow = overflow.saturating_add(1);
            } else {
                levels.push(Level {
                    reversed: c == RLO,
                    held: Vec::new(),
                });
            }
            continue;
        }
        if !levels.is_empty() && matches!(c, PDF | PDI) {
            match overflow.checked_sub(1) {
                Some(o) => overflow = o,
                None => close_level(&mut out, &mut levels),
            }
            continue;
        }
        if matches!(c, '\n' | '\r' | '\u{2029}') {
            // The end of a paragraph ends every level.
            while !levels.is_empty() {
                close_level(&mut out, &mut levels);
            }
            overflow = 0;
        }
        cluster.clear();
        cluster.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            // An enclosing mark (`a⃝`) has class 0; read for `@` signs, it stays with its base.
            if canonical_combining_class(next) == 0 && !(at_signs && is_enclosing_mark(next)) {
                break;
            }
            cluster.push(next);
            end = at + next.len_utf8();
            chars.next();
        }
        folded.clear();
        // The next character that is not ignorable, looked for only after a digit gap or a kanji
        // zero (each run of ignorables is then scanned once, from the one character before it).
        let next = || s.get(end..).and_then(|r| r.chars().find(|&n| !is_ignorable(n)));
        let written = if at_signs && is_at_look_alike(&cluster) {
            Some("@")
        } else {
            separator(c, prev, next)
        };
        if !is_ignorable(c) {
            prev = Some(c);
        }
        if let Some(sep) = written {
            folded.push_str(sep);
        }
        low.clear();
        if written.is_none() {
            for n in cluster.nfkc() {
                lowered(n, &mut low);
            }
        }
        for &n in &low {
            if n.is_control() {
                folded.push(' '); // a control character separates words, as a space does
            } else if n.is_ascii() {
                folded.push(n);
            } else if let Some(sign) = drawn_sign(n) {
                // A letter or a spacing mark drawn as a sign (`TLPःzork`, `TLPˑzork`: a visarga
                // is a colon, a half colon a middle dot), as a reader takes it.
                folded.push(sign);
            } else if is_combining_mark(n)
                && (folded.ends_with(|b: char| b.is_ascii_graphic())
                    || folded.is_empty() && out.text.ends_with(|b: char| b.is_ascii_graphic()))
            {
                // A mark NFKC could not compose with a printable ASCII character (`h́`, a
                // strike-through `n̶`, a keycap `1⃣`): the letter is read without it.
            } else {
                fold(n, &mut folded);
            }
        }
        match levels.last_mut() {
            Some(level) => level.held.push((folded.clone(), start, end)),
            None => out.push(&folded, start, end),
        }
    }
    while !levels.is_empty() {
        close_level(&mut out, &mut levels);
    }
    Normalized {
        text: out.text,
        map: out.map,
    }
}

/// The normal forms of `s` read with its escapes decoded ([`escape::readings`]: `&#64;`, `%40`,
/// `\x40`, the payload of a `data:` URI), and with its markup removed (`NIGHT<b></b>JAR`), each
/// byte mapped back to what was written in `s`: the escapes as written, and, when
/// an override turns text round, as shown (`\u202E` then `3400u\` is shown `\u0043`). Empty
/// when `s` holds no escape and no markup.
pub fn normalize_decoded(s: &str) -> Vec<Normalized> {
    normalize_decoded_with(s, |_| {}).0
}

/// [`normalize_decoded`], handing the escape readings of `s` as written (each with its map back
/// to `s`) to `raw` before they are normalised, and why a reading shows what no rule reads: a
/// `data:` URI read on the way that is no text ([`escape::readings_unread`]), or markup whose
/// style adds text or fetches it ([`markup::generated`], on each reading as decoded, before the
/// normal form: a browser reads CSS as written).
fn normalize_decoded_with(
    s: &str,
    raw: impl FnOnce(&[(String, Vec<std::ops::Range<usize>>)]),
) -> (Vec<Normalized>, Option<String>) {
    let mut out = Vec::new();
    let (readings, mut unread) = escape::readings_unread(s);
    raw(&readings);
    for (d, dmap) in &readings {
        if unread.is_none() {
            unread = markup::generated(d).or_else(|| bidi::reordered(d));
        }
        out.push(through(normalize(d), dmap, s.len(), |a, b| Some((a, b))));
    }
    if s.contains(RLO) {
        let shown = normalize(s);
        let (readings, shown_unread) = escape::readings_unread(&shown.text);
        unread = unread.or(shown_unread);
        for (d, dmap) in readings {
            if unread.is_none() {
                unread = markup::generated(&d);
            }
            out.push(through(normalize(&d), &dmap, s.len(), |a, b| shown.original(a, b)));
        }
    }
    (out, unread)
}

/// `n`, the normal form of a decoded text, mapped back through `dmap` (each decoded byte's range
/// in the text it was decoded from) and `outer` (a range of that text to one of `s`, `whole`
/// bytes long). A byte that cannot be mapped stands for all of `s`: a match on it replaces the
/// whole string, never nothing.
fn through(
    n: Normalized,
    dmap: &[std::ops::Range<usize>],
    whole: usize,
    outer: impl Fn(usize, usize) -> Option<(usize, usize)>,
) -> Normalized {
    let map = (0..n.text.len())
        .map(|i| {
            let (a, b) = n.original(i, i + 1)?;
            let start = dmap.get(a)?.start;
            let end = dmap.get(b.checked_sub(1)?)?.end;
            outer(start, end)
        })
        .map(|m| m.unwrap_or((0, whole)))
        .collect();
    Normalized { text: n.text, map }
}

/// RIGHT-TO-LEFT OVERRIDE: what follows is shown right to left until the override ends.
const RLO: char = '\u{202E}';
/// POP DIRECTIONAL FORMATTING and POP DIRECTIONAL ISOLATE: each ends the innermost level.
const PDF: char = '\u{202C}';
const PDI: char = '\u{2069}';

/// The deepest nesting of directional levels kept (UAX #9 `max_depth`).
const MAX_LEVELS: usize = 125;

/// Whether `c` opens an embedding, override or isolate (other than the RLO itself).
fn opens_level(c: char) -> bool {
    matches!(
        c,
        '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{2066}' | '\u{2067}' | '\u{2068}'
    )
}

/// One directional level opened inside a right-to-left override: the clusters it holds.
struct Level {
    reversed: bool,
    held: Vec<(String, usize, usize)>,
}

/// Close the innermost level: its clusters in the order shown (last first when reversed) go
/// to the normal form when it is the outermost, else into the level around it as one block,
/// which maps back to the span of all it came from.
fn close_level(out: &mut Builder, levels: &mut Vec<Level>) {
    let Some(level) = levels.pop() else { return };
    let mut held = level.held;
    if level.reversed {
        held.reverse();
    }
    match levels.last_mut() {
        None => {
            for (folded, start, end) in held {
                out.push(&folded, start, end);
            }
        }
        Some(around) => {
            let (Some(start), Some(end)) = (held.iter().map(|h| h.1).min(), held.iter().map(|h| h.2).max()) else {
                return; // an empty level shows nothing
            };
            let block: String = held.into_iter().map(|h| h.0).collect();
            around.held.push((block, start, end));
        }
    }
}

/// The normal form being built: its text, the original span of each byte, and whether it ends
/// in a space (runs of white space fold to one).
struct Builder {
    text: String,
    map: Vec<(usize, usize)>,
    last_space: bool,
}

impl Builder {
    /// Append one cluster's folded text, which came from `start..end` of the original.
    fn push(&mut self, folded: &str, start: usize, end: usize) {
        for n in folded.chars() {
            if n == ' ' || n.is_ascii_whitespace() {
                if self.last_space {
                    // Extend the folded space over this white space too.
                    if let Some(m) = self.map.last_mut() {
                        m.0 = m.0.min(start);
                        m.1 = m.1.max(end);
                    }
                    continue;
                }
                self.last_space = true;
                self.text.push(' ');
                self.map.push((start, end));
                continue;
            }
            self.last_space = false;
            let before = self.text.len();
            self.text.push(n);
            self.map
                .extend(std::iter::repeat_n((start, end), self.text.len() - before));
        }
    }
}

#[cfg(test)]
mod tests {
    /// The sign a letter or a spacing mark of a script written with spaces is drawn as, when its
    /// UTS #39 prototype is one: `:` (the visargas `ः`, `ઃ`, Brahmi `𑀂`), `.` (a full stop or a
    /// middle dot: the half colon `ˑ`, Canadian `ᐧ`), `-` (a dash). `None` for every other
    /// character, and for one of an unspaced script.
    fn drawn_sign_by_rule(c: char) -> Option<char> {
        if c.is_ascii() || c.is_numeric() || !(c.is_alphanumeric() || is_combining_mark(c)) || is_unspaced_script(c) {
            return None;
        }
        let mut buf = [0u8; 4];
        let mut proto = skeleton(c.encode_utf8(&mut buf));
        let (Some(p), None) = (proto.next(), proto.next()) else {
            return None;
        };
        if p == ':' {
            Some(':')
        } else if p == '.' || is_full_stop(p) {
            Some('.')
        } else if p == '-' || is_dash(p) {
            Some('-')
        } else {
            None
        }
    }

    #[test]
    fn drawn_signs_are_the_rule() {
        let by_rule: Vec<(char, char)> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter_map(|c| drawn_sign_by_rule(c).map(|s| (c, s)))
            .collect();
        let listed: Vec<String> = by_rule
            .iter()
            .map(|(c, s)| format!("('\\u{{{:04X}}}', '{s}')", u32::from(*c)))
            .collect();
        assert_eq!(
            DRAWN_SIGNS,
            by_rule.as_slice(),
            "DRAWN_SIGNS should be: {}",
            listed.join(", ")
        );
    }

    use proptest::prelude::*;

    use super::{
        DRAWN_SIGNS, digit_reading_of, is_combining_mark, is_dash, is_full_stop, is_unspaced_script, normalize,
        normalize_decoded, skeleton,
    };

    /// Runs of digits, their look-alikes and the separators of numbers, disguised, among words.
    fn digit_texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const WRITTEN: &[&str] = &[
            "1o.2o.3o.4o",
            "http://1o.2o.3o.4o/",
            "2o2-555-0143",
            "i18n",
            "log4j",
            "tel:2o2",
            "hello1",
            "ip:1o.2o",
            "10.20.30.40",
            "(2o2) 555-o143",
            "+1 2o2 555 o143",
            "[1o.2o.3o.4o]",
            "v1.2l",
        ];
        let phrase = prop_oneof![
            proptest::sample::select(WRITTEN).prop_map(str::to_string),
            "[0-9olidOLI.:/()+\\[\\] -]{0,14}",
        ];
        (
            "[a-z0-9 .:/-]{0,10}",
            phrase,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-z0-9 .:/é-]{0,10}",
        )
            .prop_map(|(a, m, hows, z)| format!("{a}{}{z}", crate::fuzzing::disguise(&m, &hows)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// Reading only the runs that hold a digit reads as every run did: on the text as
        /// written, its normal form and decoded.
        #[test]
        fn digit_reading_of_the_runs_with_digits_is_of_every_run(s in digit_texts()) {
            let readings = [s.clone(), normalize(&s).text].into_iter().chain(normalize_decoded(&s).into_iter().map(|d| d.text));
            for t in readings {
                proptest::prop_assert_eq!(digit_reading_of(&t, false), digit_reading_of(&t, true), "{:?}", t);
            }
        }
    }

    /// The content tables' canaries and benign neighbours read alike both ways.
    #[test]
    fn digit_reading_reads_the_content_tables_alike() {
        let canaries = crate::fuzzing::content::KINDS
            .into_iter()
            .flat_map(crate::fuzzing::content::encodings);
        let benign = crate::fuzzing::content::BENIGN.iter().map(|s| (*s).to_string());
        for s in canaries.chain(benign) {
            for t in [s.clone(), normalize(&s).text] {
                assert_eq!(digit_reading_of(&t, false), digit_reading_of(&t, true), "{t:?}");
            }
        }
    }

    /// Red team R03: the dashes a Japanese or Korean input method types between digits are `-`
    /// there, and only there; `℡` is `tel `; `〇` beside a numeral is `0`.
    #[test]
    fn reads_input_method_dashes_between_digits() {
        for gap in [
            '\u{30FC}', '\u{FF70}', '\u{4E00}', '\u{3161}', '\u{2500}', '\u{2501}', '\u{FFE3}', '\u{AF}', '~',
            '\u{FF5E}', '\u{223C}', '\u{2053}', '\u{2DC}', '\u{2E5D}',
        ] {
            assert_eq!(
                normalize(&format!("Task Force 1{gap}7")).text,
                "task force 1-7",
                "{gap:?}"
            );
            assert_eq!(normalize(&format!("03{gap}\u{200B}5555")).text, "03-5555", "{gap:?}");
            assert_eq!(
                normalize(&format!("\u{FF10}\u{FF13}{gap}\u{FF15}")).text,
                "03-5",
                "{gap:?}"
            );
        }
        assert_eq!(normalize("\u{2121}03-5555-0100").text, "tel 03-5555-0100");
        assert_eq!(normalize("\u{3007}\u{4E09}").text, "0\u{4E09}");
        assert_eq!(normalize("\u{3007}peration").text, "operation");
        assert_eq!(
            normalize("\u{4E09}\u{200B}\u{3007}\u{200B}\u{4E09}").text,
            "\u{4E09}0\u{4E09}"
        );
        assert_eq!(normalize("\u{3007} \u{3007}").text, "o o");
        // Between letters, or beside one digit only, they stay.
        for s in [
            "\u{30B3}\u{30FC}\u{30D2}\u{30FC}",
            "\u{7B2C}\u{4E00}\u{7AE0}",
            "~/.bashrc",
            "about ~5 minutes",
            "1\u{30FC}",
            "a~b",
        ] {
            assert!(!normalize(s).text.contains('-'), "{s}: {}", normalize(s).text);
        }
    }

    /// Red team R05: every character of the generated table, and the ones the red team named,
    /// is a full stop between numbers and names.
    #[test]
    fn reads_every_sentence_terminal_as_a_full_stop() {
        let named = [
            0x2CFE, 0x2CF9, 0x11049, 0x10AF4, 0x2D9, 0x888, 0x16AF5, 0x16E98, 0x1BC9F, 0x1DA88,
        ];
        let table = super::SENTENCE_STOPS.iter().flat_map(|&(a, b)| a..=b);
        for u in named.into_iter().chain(table) {
            let c = char::from_u32(u).unwrap();
            assert_eq!(normalize(&format!("10{c}20")).text, "10.20", "U+{u:04X}");
            assert_eq!(normalize(&format!("corp{c}example")).text, "corp.example", "U+{u:04X}");
        }
        assert!(super::SENTENCE_STOPS.windows(2).all(|w| w[0].1 < w[1].0));
    }

    #[test]
    fn reads_full_width_banners_as_ascii() {
        assert_eq!(normalize("ＳＥＣＲＥＴ／／ＮＯＦＯＲＮ").text, "secret//noforn");
    }

    #[test]
    fn reads_look_alikes_from_other_scripts_as_ascii() {
        // Cyrillic Е and С, Greek Ο, the division slash.
        assert_eq!(
            normalize("S\u{415}\u{421}RET\u{2215}\u{2215}N\u{39F}FORN").text,
            "secret//noforn"
        );
        assert_eq!(normalize("TLP:\u{410}MBER").text, "tlp:amber");
    }

    #[test]
    fn removes_invisible_code_points_inside_words() {
        for hidden in [
            '\u{200B}', '\u{200D}', '\u{2060}', '\u{3164}', '\u{FFA0}', '\u{2800}', '\u{00AD}', '\u{FEFF}',
        ] {
            assert_eq!(normalize(&format!("SE{hidden}CRET")).text, "secret", "{:?}", hidden);
        }
    }

    #[test]
    fn unifies_dashes_spaces_and_full_stops() {
        for dash in [
            '-', '\u{2010}', '\u{2011}', '\u{2013}', '\u{2014}', '\u{2212}', '\u{FE63}', '\u{FF0D}',
        ] {
            assert_eq!(normalize(&format!("Task\u{3000}Force 1{dash}7")).text, "task force 1-7");
        }
        assert_eq!(
            normalize("intranet\u{3002}corp\u{FF0E}example").text,
            "intranet.corp.example"
        );
    }

    #[test]
    fn reads_digits_of_every_script_as_ascii() {
        assert_eq!(normalize("\u{661}\u{660}.\u{662}\u{660}").text, "10.20");
        assert_eq!(normalize("\u{967}\u{966} \u{E59} \u{1040}").text, "10 9 0");
        // Every digit of every run, and nothing either side of a run.
        for &z in super::DIGIT_ZEROS {
            for d in 0..10u32 {
                let c = char::from_u32(z + d).unwrap();
                assert_eq!(super::decimal_digit(c), char::from_digit(d, 10), "{c:?}");
            }
            let after = char::from_u32(z + 10).unwrap();
            assert_ne!(
                normalize(&after.to_string())
                    .text
                    .chars()
                    .next()
                    .map(|c| c.is_ascii_digit()),
                Some(true),
                "{after:?}"
            );
        }
    }

    #[test]
    fn reads_small_capitals_and_accented_latin_letters_as_ascii() {
        assert_eq!(
            normalize("\u{1D0F}\u{1D18}\u{1D07}\u{280}\u{1D00}\u{1D1B}\u{26A}\u{1D0F}\u{274}").text,
            "operation"
        );
        assert_eq!(
            normalize("Op\u{E9}ration NIGHTJA\u{301}R \u{E7}orp").text,
            "operation nightjar corp"
        );
        // Marks nothing composes with: dropped from ASCII letters and digits.
        assert_eq!(
            normalize("NIGH\u{301}T N\u{336}I\u{336}G 1\u{301}0").text,
            "night nig 10"
        );
        // A mark on a letter of another script makes another letter: it stays.
        assert_eq!(normalize("\u{304C}\u{30B9}").text, "\u{304C}\u{30B9}");
        assert_eq!(normalize("\u{439}").text, "\u{439}");
    }

    #[test]
    fn reads_text_under_a_right_to_left_override_as_shown() {
        let s = "see \u{202E}04.03.02.01\u{202C} now";
        let n = normalize(s);
        assert_eq!(n.text, "see 10.20.30.40 now");
        // The span of the address maps back to the whole overridden run.
        let (a, b) = n.original(4, 15).unwrap();
        assert_eq!(s.get(a..b), Some("04.03.02.01"));
        // Without its end, the override runs to the end of the paragraph.
        assert_eq!(normalize("\u{202E}cba\ndef").text, "abc def");
        // An empty embedding or isolate inside does not end it; a left-to-right block inside
        // is shown whole, in its own order.
        assert_eq!(normalize("\u{202E}04.03\u{202A}\u{202C}.02.01").text, "10.20.30.40");
        assert_eq!(
            normalize("\u{202E}04.03\u{2066}\u{2069}.02.01\u{202C}").text,
            "10.20.30.40"
        );
        assert_eq!(
            normalize("\u{202E}\u{202D}10.20.30.40\u{202C}\u{202C}").text,
            "10.20.30.40"
        );
        assert_eq!(normalize("\u{202E}ba\u{2066}12\u{2069}dc\u{202C}").text, "cd12ab");
        // Nesting past 125 levels is not kept: linear, and what is inside is still read as shown
        // (inside the innermost left-to-right isolate, in its own order; inside overrides, turned).
        let deep = format!("\u{202E}{}04.03.02.01", "\u{2066}x".repeat(100_000));
        assert!(normalize(&deep).text.contains("04.03.02.01"));
        let deep = format!("{}04.03.02.01", "\u{202E}".repeat(100_000));
        assert!(normalize(&deep).text.contains("10.20.30.40"));
    }

    #[test]
    fn reads_control_characters_middle_dots_and_keycaps() {
        assert_eq!(normalize("10.20.30.40\u{0}x\u{7}y").text, "10.20.30.40 x y");
        assert_eq!(normalize("10\u{B7}20\u{30FB}30\u{2219}40").text, "10.20.30.40");
        assert_eq!(normalize("1\u{FE0F}\u{20E3}0\u{20DD}").text, "10");
    }

    #[test]
    fn reads_look_alikes_of_digits_apart_from_words() {
        use super::digit_reading;
        assert_eq!(
            digit_reading("see 1o.2o.3o.4o now").as_deref(),
            Some("see 10.20.30.40 now")
        );
        assert_eq!(digit_reading("l0.20.30.40").as_deref(), Some("10.20.30.40"));
        assert_eq!(digit_reading("(202) 555-o143").as_deref(), Some("(202) 555-0143"));
        // After a word and its separator: `http://`, `ip:`, `tel:` (whose `l` stays).
        assert_eq!(
            digit_reading("http://1o.2o.3o.4o/").as_deref(),
            Some("http://10.20.30.40/")
        );
        assert_eq!(digit_reading("ip:1o.2o.3o.4o").as_deref(), Some("ip:10.20.30.40"));
        assert_eq!(digit_reading("tel:2o2-555-0143").as_deref(), Some("tel:202-555-0143"));
        for t in [
            "i18n and l10n",
            "log4j 2.17.1",
            "lol 10",
            "hello1.2",
            "10 oil",
            "no digits",
        ] {
            assert_eq!(digit_reading(t), None, "{t}");
        }
    }

    #[test]
    fn never_folds_ascii_into_other_ascii() {
        assert_eq!(normalize("10.0.0.1 l1 O0").text, "10.0.0.1 l1 o0");
    }

    /// One way to write an ASCII letter, digit or separator so that it looks the same.
    fn disguise(c: char, how: u8) -> String {
        let full_width = |c: char| char::from_u32(c as u32 + 0xFEE0).map_or(c.to_string(), String::from);
        match how % 8 {
            6 if c.is_ascii_digit() => char::from_u32(0x966 + c.to_digit(10).unwrap_or(0))
                .unwrap_or(c)
                .to_string(),
            7 => match c {
                'o' => "\u{1D0F}".into(),
                'r' => "\u{280}".into(),
                'e' => "\u{E9}".into(),
                'c' => "c\u{327}".into(),
                _ => c.to_string(),
            },
            0 => c.to_string(),
            1 => c.to_ascii_uppercase().to_string(),
            2 if c.is_ascii_graphic() => full_width(c),
            3 => format!("{c}\u{200B}"),
            4 => format!("\u{2060}{c}\u{00AD}"),
            5 => match c {
                'a' => "\u{430}".into(),
                'e' => "\u{435}".into(),
                'o' => "\u{43E}".into(),
                'p' => "\u{440}".into(),
                'c' => "\u{441}".into(),
                'x' => "\u{445}".into(),
                '/' => "\u{2215}".into(),
                '-' => "\u{2011}".into(),
                '.' => "\u{3002}".into(),
                ' ' => "\u{3000}".into(),
                _ => c.to_string(),
            },
            _ => c.to_string(),
        }
    }

    proptest! {
        /// Whatever disguise each character wears, the normal form is that of the plain text,
        /// and every normalised span maps back inside the original.
        #[test]
        fn disguises_normalise_to_the_plain_form(
            plain in "[a-z0-9/.:-]{1,12}( [a-z0-9/.:-]{1,12}){0,3}",
            hows in proptest::collection::vec(any::<u8>(), 64),
        ) {
            let disguised: String = plain
                .chars()
                .zip(hows.iter().cycle())
                .map(|(c, h)| disguise(c, *h))
                .collect();
            let n = normalize(&disguised);
            prop_assert_eq!(&n.text, &normalize(&plain).text);
            for end in 1..=n.text.len() {
                if n.text.is_char_boundary(end) {
                    let (a, b) = n.original(0, end).unwrap();
                    prop_assert!(a <= b && b <= disguised.len());
                }
            }
        }
    }
}
