//! Telephone numbers in (normalised) text, found with libphonenumber's rules (the `phonenumber`
//! crate carries its metadata): a candidate is a run of digits with the separators people write
//! (spaces, `-` in every dash and minus form once normalised, `.`, `/`, parentheses; up to two
//! in a row, or one with a space either side: `202 - 555 - 0173`), an optional leading `+`,
//! not part of a longer word (a label glued with `-`, `_` or `.` is no word: `tel-202-555-0173`;
//! a pause, wait or extension after is none either: `2025550173p123`, `…x12`), a dotted
//! address, a network of one or a date; it is a telephone number when its digits (7 to 15) are
//! a valid number of one of the policy's regions (national form) or, with a `+`, a valid
//! international number of any region. The run is also read without a dial code before it
//! (`*67 202 555 0173`, `#31#2025550173`), without an outside-line or trunk digit standing
//! alone (`9 1 202 555 0173`), and without a second ending after a `/` (`202-555-0173/4`);
//! a hit on any reading reports the whole run. The text is also read with kanji numerals as
//! digits (`〇三-五五五五-〇一〇〇`).
//!
//! Why `phonenumber`: it is the maintained Rust port of libphonenumber (metadata 9.x), parses and
//! validates by the same tables; it has no `findNumbers`, so finding candidates is done here, and
//! only digits (and the `+`) are handed to it.

use phonenumber::country::Id;

/// The regions whose national numbers are looked for.
#[derive(Debug, Clone)]
pub struct Phones {
    regions: Vec<Id>,
}

impl Phones {
    /// `Err` names a region code libphonenumber does not know.
    pub fn new<S: AsRef<str>>(regions: &[S]) -> Result<Phones, String> {
        let mut out = Vec::new();
        for r in regions {
            let id: Id = r
                .as_ref()
                .trim()
                .to_ascii_uppercase()
                .parse()
                .map_err(|_| r.as_ref().to_string())?;
            out.push(id);
        }
        Ok(Phones { regions: out })
    }

    /// [`Phones::find`] on the normal form `n` of `raw`, and with the letters of a vanity
    /// number written in capitals read as their keypad digits ([`keypad_reading`]:
    /// `1-800-FLOWERS`, `+1 202 JKL 0143`).
    pub fn find_as_written(&self, n: &crate::text::Normalized, raw: &str) -> Vec<(usize, usize)> {
        let mut out = self.find(&n.text);
        if let Some(k) = keypad_reading(n, raw) {
            out.extend(self.find_in(&k));
            out = crate::text::merge_spans(out);
        }
        out
    }

    /// Byte spans of `text` (normalised) that are telephone numbers.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = self.find_in(text);
        // And with ASCII look-alikes of digits read as digits (`2o2-555-0143`), whose spans are
        // `text`'s (byte for byte as long).
        if let Some(d) = crate::text::digit_reading(text) {
            out.extend(self.find_in(&d));
            out = crate::text::merge_spans(out);
        }
        // And with the signs no number is written with read as dashes between its groups
        // (`202,555,0143`, `202:555:0143`), byte for byte as long.
        if let Some(d) = signs_between_digits(text) {
            out.extend(self.find_in(&d));
            out = crate::text::merge_spans(out);
        }
        // And with ENUM names read as the numbers they are (RFC 6116:
        // `3.7.1.0.5.5.5.2.0.2.1.e164.arpa` is +1 202-555-0173).
        if let Some((e, map)) = enum_reading(text) {
            out.extend(self.find_in(&e).into_iter().filter_map(|(a, b)| {
                let start = map.get(a)?.start;
                let end = map.get(b.checked_sub(1)?)?.end;
                Some((start, end))
            }));
            out = crate::text::merge_spans(out);
        }
        // And with digits spelt out read as digits (`two zero two five five five …`).
        if let Some(w) = SpeltDigits::read(text) {
            out.extend(w.spans(text, self.find_in(&w.text)));
            out = crate::text::merge_spans(out);
        }
        // And with kanji numerals read as the digits they stand for (`〇三-五五五五-〇一〇〇`).
        if let Some((k, map)) = kanji_reading(text) {
            out.extend(self.find_in(&k).into_iter().filter_map(|(a, b)| {
                let start = map.get(a)?.start;
                let end = map.get(b.checked_sub(1)?)?.end;
                Some((start, end))
            }));
            out = crate::text::merge_spans(out);
        }
        out
    }

    fn find_in(&self, text: &str) -> Vec<(usize, usize)> {
        // A candidate holds at least 7 of the text's ASCII digits: with fewer there is none (most
        // strings), and the scan below is skipped.
        if text.bytes().filter(u8::is_ascii_digit).count() < MIN_DIGITS {
            return Vec::new();
        }
        // Each digit string is checked once, and no more than `MAX_CHECKS` are.
        let mut checked: std::collections::HashMap<u64, bool> = std::collections::HashMap::new();
        let mut out = Vec::new();
        candidates(text, |c| {
            let number = c.readings.iter().any(|&(a, b)| {
                let Some(reading) = text.get(a..b) else { return false };
                let Some(key) = number_key(reading) else {
                    return false;
                };
                if let Some(&known) = checked.get(&key) {
                    return known;
                }
                if checked.len() >= MAX_CHECKS {
                    return true;
                }
                let known = self.is_number(reading);
                checked.insert(key, known);
                known
            });
            if number {
                out.push(c.span);
            }
        });
        crate::text::merge_spans(out)
    }

    /// Whether `candidate` (a reading of [`candidates`]) is a number: what decides it is its
    /// digits and whether a `+` leads ([`number_key`]).
    fn is_number(&self, candidate: &str) -> bool {
        let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
        if !(MIN_DIGITS..=15).contains(&digits.len()) {
            return false;
        }
        let plus = candidate.starts_with('+');
        let valid = |region: Option<Id>, s: &str| -> bool {
            // A panic in the library on some input must not let the number through.
            std::panic::catch_unwind(|| phonenumber::parse(region, s).is_ok_and(|n| phonenumber::is_valid(&n)))
                .unwrap_or(true)
        };
        if plus {
            return valid(None, &format!("+{digits}"));
        }
        // `00` and `011` international prefixes.
        if let Some(rest) = digits.strip_prefix("011").or_else(|| digits.strip_prefix("00"))
            && rest.len() >= 7
            && valid(None, &format!("+{rest}"))
        {
            return true;
        }
        self.regions.iter().any(|&r| valid(Some(r), &digits))
    }
}

/// What [`Phones::is_number`] decides a reading by, a leading `+` and its digits, as one
/// number (no string made for each reading: a run of single digits has millions): the digits'
/// value, their count (leading zeros count) and the `+`. `None` when the reading has fewer
/// than [`MIN_DIGITS`] or more than 15 digits (no number).
fn number_key(reading: &str) -> Option<u64> {
    let mut value = 0u64;
    let mut count = 0u64;
    for d in reading.bytes().filter(u8::is_ascii_digit) {
        count += 1;
        if count > 15 {
            return None;
        }
        // 15 digits at most: below 10^15 < 2^50.
        value = value * 10 + u64::from(d - b'0');
    }
    let plus = u64::from(reading.starts_with('+'));
    (count >= MIN_DIGITS as u64).then_some(value | (count << 50) | (plus << 55))
}

/// The fewest digits a candidate holds.
const MIN_DIGITS: usize = 7;

/// The most digits a candidate holds: a number (15 at most) with a dial prefix before it or a
/// second ending after it.
const MAX_DIGITS: usize = 21;

/// The most words of a run read as a number, unless they are the whole run: a number is
/// written in six groups at most (`+33 1 23 45 67 89`).
const MAX_WORDS: usize = 6;

/// Digit strings handed to the library per text, at most: each takes some microseconds, and a
/// text of short numbers side by side has many readings. Past it each further candidate counts
/// as a number unread (it is redacted).
const MAX_CHECKS: usize = 4096;

/// Words that label a number and may be glued to it with `-`, `_` or `.` (`tel-202-555-0173`).
const LABELS: &[&str] = &[
    "tel",
    "tele",
    "telephone",
    "telefon",
    "tlf",
    "phone",
    "ph",
    "fax",
    "mob",
    "mobile",
    "cell",
    "call",
    "dial",
    "voice",
    "sms",
    "pager",
    "hotline",
];

/// The longest of [`LABELS`].
const LABEL_MAX: usize = 9;

/// A stretch of text that could be a telephone number: `span` (what is reported), and the
/// readings of it that are handed to the library, the whole first (any valid one makes it a
/// number): without a dial prefix before it (`*67`, `#31#`, an outside line `9`), and without a
/// second ending after a `/` (`202-555-0173/4`).
#[derive(Debug)]
struct Candidate {
    span: (usize, usize),
    readings: Vec<(usize, usize)>,
}

/// The digit a kanji numeral written digit by digit stands for (`〇` to `九`, and `零`).
fn kanji_digit(c: char) -> Option<char> {
    Some(match c {
        '\u{3007}' | '\u{96F6}' => '0',
        '\u{4E00}' => '1',
        '\u{4E8C}' => '2',
        '\u{4E09}' => '3',
        '\u{56DB}' => '4',
        '\u{4E94}' => '5',
        '\u{516D}' => '6',
        '\u{4E03}' => '7',
        '\u{516B}' => '8',
        '\u{4E5D}' => '9',
        _ => return None,
    })
}

/// `text` with each ENUM name (single digits, each followed by `.`, before `e164.arpa`) written
/// as the number it names, `+` and its digits last first, each byte standing for the whole name;
/// `None` when there is none.
fn enum_reading(text: &str) -> Option<(String, Vec<std::ops::Range<usize>>)> {
    const ZONE: &str = "e164.arpa";
    if !text.contains(ZONE) {
        return None;
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut copied = 0usize;
    for (k, _) in text.match_indices(ZONE) {
        // The digits before the zone, each followed by a `.`, walked back (at most 15: E.164).
        let mut start = k;
        let mut digits = String::new();
        while digits.len() < 15
            && let Some(dot) = start.checked_sub(1)
            && b.get(dot) == Some(&b'.')
            && let Some(d) = dot.checked_sub(1)
            && let Some(&c) = b.get(d).filter(|c| c.is_ascii_digit())
            && d.checked_sub(1)
                .and_then(|p| b.get(p))
                .is_none_or(|&p| !p.is_ascii_alphanumeric())
        {
            digits.push(char::from(c));
            start = d;
        }
        if digits.len() < 7 || start < copied {
            continue;
        }
        out.push_str(text.get(copied..start).unwrap_or_default());
        map.extend((copied..start).map(|i| i..i + 1));
        let end = k + ZONE.len();
        let number = format!("+{digits}");
        map.extend(std::iter::repeat_n(start..end, number.len()));
        out.push_str(&number);
        copied = end;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    map.extend((copied..text.len()).map(|i| i..i + 1));
    Some((out, map))
}

/// The words that spell digits (in the normal form's small letters), longest first: a word is
/// read as the longest that starts it (`niner` before `nine`, `one` before `o`).
const DIGIT_WORDS: &[(&[u8], u8)] = &[
    (b"niner", b'9'),
    (b"three", b'3'),
    (b"seven", b'7'),
    (b"eight", b'8'),
    (b"zero", b'0'),
    (b"four", b'4'),
    (b"five", b'5'),
    (b"nine", b'9'),
    (b"one", b'1'),
    (b"two", b'2'),
    (b"six", b'6'),
    (b"oh", b'0'),
    (b"o", b'0'),
];

/// Whether the ASCII letter `c` (either case) is in a word of [`DIGIT_WORDS`]: `e f g h i n o r
/// s t u v w x z`.
fn in_digit_words(c: u8) -> bool {
    matches!(
        c.to_ascii_lowercase(),
        b'e' | b'f' | b'g' | b'h' | b'i' | b'n' | b'o' | b'r' | b's' | b't' | b'u' | b'v' | b'w' | b'x' | b'z'
    )
}

/// The longest word of [`DIGIT_WORDS`] that `letters` start with: its length and digit.
fn digit_word_at(letters: &[u8]) -> Option<(usize, u8)> {
    DIGIT_WORDS
        .iter()
        .find(|(w, _)| letters.starts_with(w))
        .map(|(w, d)| (w.len(), *d))
}

/// A text with each word that spells a digit written as that digit (`two zero two five five
/// five zero one four three`, `two-oh-two …`), a word made of such words as its digits
/// (`twozerotwo`), and letters written apart read together (`t w o`). Only the reading is kept
/// (no map of its bytes or list of its words): spans found in it are taken back to the text in
/// one walk ([`SpeltDigits::spans`]).
struct SpeltDigits {
    text: String,
}

/// The pieces of `text` (normalised) that spell a digit, in order: its span and digit. A word of
/// ASCII letters not beside a letter of another script (`café`) is read from its start, each
/// time as the longest digit word there (`twozerotwo` is `2 0 2`), and is pieces only when so
/// read whole (`someone` is none). Letters written apart, one-letter words with one or two
/// of ` -._` between them (`t w o z e r o`, `f-i-v-e`), are read together the same way, a letter
/// that starts no digit word passed over (`a t w o` holds `two`). Each byte is read a bounded
/// number of times (a digit word is five letters at most): linear, and nothing is kept but the
/// five letters ahead.
fn spelt_words(text: &str) -> impl Iterator<Item = (usize, usize, u8)> + '_ {
    let b = text.as_bytes();
    let letter = |k: usize| b.get(k).is_some_and(u8::is_ascii_alphabetic);
    let foreign = |k: Option<usize>| k.and_then(|k| b.get(k)).is_some_and(|&c| c >= 0x80);
    // Whether a one-letter word stands at `k`.
    let single = move |k: usize| letter(k) && !letter(k + 1) && !k.checked_sub(1).is_some_and(letter);
    // The next letter of a run of one-letter words after the letter at `k`, if any.
    let next_single = move |k: usize| {
        let gap = b
            .get(k + 1..)
            .unwrap_or_default()
            .iter()
            .take(3)
            .take_while(|c| b" -._".contains(c))
            .count();
        ((1..=2).contains(&gap) && single(k + 1 + gap)).then_some(k + 1 + gap)
    };
    // Up to five letters from `k` and where each stands: of a word, or of a run of one-letter
    // words.
    let ahead = move |k: usize, apart: bool| {
        let mut at = [0usize; 5];
        let mut got = [0u8; 5];
        let mut n = 0;
        let mut cur = Some(k);
        while let (Some(c), Some(slot), Some(pos)) = (cur, got.get_mut(n), at.get_mut(n)) {
            *slot = b.get(c).copied().unwrap_or(0);
            *pos = c;
            n += 1;
            cur = if apart {
                next_single(c)
            } else {
                Some(c + 1).filter(|&x| letter(x))
            };
        }
        (got, at, n)
    };
    // Where the reading stands: in a word (read whole) or a run of one-letter words, from `k`.
    let mut k = 0;
    let mut word_end: Option<usize> = None;
    let mut apart = false;
    std::iter::from_fn(move || {
        loop {
            if let Some(end) = word_end {
                if k < end || (apart && letter(k)) {
                    let (got, at, n) = ahead(k, apart);
                    let found = digit_word_at(got.get(..n).unwrap_or_default());
                    let last = |len: usize| at.get(len.saturating_sub(1)).copied().unwrap_or(k);
                    match found {
                        Some((len, d)) => {
                            let (from, to) = (k, last(len) + 1);
                            k = if apart {
                                next_single(last(len)).unwrap_or(to)
                            } else {
                                to
                            };
                            if apart && k == to {
                                word_end = None;
                            }
                            return Some((from, to, d));
                        }
                        // In a run, a letter that starts no digit word is passed over.
                        None if apart => match next_single(k) {
                            Some(n) => k = n,
                            None => {
                                k += 1;
                                word_end = None;
                            }
                        },
                        None => {
                            k = end;
                            word_end = None;
                        }
                    }
                    continue;
                }
                word_end = None;
            }
            // The next word of letters.
            while k < b.len() && !letter(k) {
                k += 1;
            }
            if k >= b.len() {
                return None;
            }
            let len = b
                .get(k..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            let end = k + len;
            if foreign(k.checked_sub(1)) || foreign(Some(end)) {
                k = end;
                continue;
            }
            if len == 1 && next_single(k).is_some() {
                apart = true;
                word_end = Some(k);
                continue;
            }
            // A word: read whole, or not at all; only the letters of digit words can make
            // one (most words hold another: looked at once, no further).
            let mut at = if b.get(k..end).unwrap_or_default().iter().all(|&c| in_digit_words(c)) {
                k
            } else {
                end + 1
            };
            while at < end {
                let (got, _, n) = ahead(at, false);
                match digit_word_at(got.get(..n).unwrap_or_default()) {
                    Some((l, _)) => at += l,
                    None => break,
                }
            }
            if at == end {
                apart = false;
                word_end = Some(end);
            } else {
                k = end;
            }
        }
    })
}

impl SpeltDigits {
    /// `None` when no word spells a digit, or fewer than [`MIN_DIGITS`] such words and digits
    /// are in the text (no number is spelt). A `,` or `;` between two digits of the reading is
    /// read as a space (`two oh two, five five five, …`).
    fn read(text: &str) -> Option<SpeltDigits> {
        let spelt = spelt_words(text).take(MIN_DIGITS).count();
        let digits = text.bytes().filter(u8::is_ascii_digit).take(MIN_DIGITS).count();
        if spelt == 0 || spelt + digits < MIN_DIGITS {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (n, (from, to, d)) in spelt_words(text).enumerate() {
            // Between two spelt digits, a `.` or `_` is a `-` (`two.zero`, `o.n.e.t.w.o`): the
            // digits are no address or version.
            let between = text.get(copied..from).unwrap_or_default();
            if n > 0 && between.bytes().all(|c| b" -._".contains(&c)) {
                out.extend(between.chars().map(|c| if c == ' ' { ' ' } else { '-' }));
            } else {
                out.push_str(between);
            }
            out.push(char::from(d));
            copied = to;
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        Some(SpeltDigits {
            text: commas_between_digits_as_spaces(out),
        })
    }

    /// `spans` of the reading (in order, apart, as [`crate::text::merge_spans`] leaves them)
    /// as spans of `text`, the original: a digit written for a word stands for the whole word.
    /// One walk of both.
    fn spans(&self, text: &str, spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
        // The last words read: their digit's byte in the reading, and their span in `text`.
        let mut words: Vec<(usize, usize, usize)> = Vec::with_capacity(3);
        let mut at = 0usize; // the reading's byte of the next word's digit
        let mut copied = 0usize;
        // The words, walked once, one at a time, as the spans ask; the last two kept.
        let mut next = spelt_words(text);
        let mut place = |o: usize, words: &mut Vec<(usize, usize, usize)>| -> (usize, usize) {
            // Read words until the one at or past `o` is known.
            while words.last().is_none_or(|&(w, _, _)| w < o) {
                let Some((from, to, _)) = next.next() else { break };
                at = at.saturating_add(from.saturating_sub(copied));
                words.push((at, from, to));
                at = at.saturating_add(1);
                copied = to;
                if words.len() > 2 {
                    words.remove(0);
                }
            }
            let before = words.iter().rev().find(|&&(w, _, _)| w <= o);
            match before {
                Some(&(w, from, to)) if w == o => (from, to),
                Some(&(w, _, to)) => {
                    let x = to.saturating_add(o.saturating_sub(w + 1));
                    (x, x + 1)
                }
                None => (o, o + 1),
            }
        };
        spans
            .into_iter()
            .map(|(a, z)| {
                let start = place(a, &mut words).0;
                let end = place(z.saturating_sub(1).max(a), &mut words).1;
                (start, end)
            })
            .collect()
    }
}

/// `text` with each `,` and `;` in a run of them and spaces between two ASCII digits written as
/// a space (byte for byte as long): `2 0 2, 5 5 5, 0 1 4 3` is one run of digits.
fn commas_between_digits_as_spaces(text: String) -> String {
    let mut b = text.into_bytes();
    let mut k = 0;
    while k < b.len() {
        let len = b
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| matches!(c, b' ' | b',' | b';'))
            .count();
        if len == 0 {
            k += 1;
            continue;
        }
        let digit = |i: Option<usize>| i.and_then(|i| b.get(i)).is_some_and(u8::is_ascii_digit);
        if digit(k.checked_sub(1)) && digit(Some(k + len)) {
            for c in b.get_mut(k..k + len).unwrap_or_default() {
                *c = b' ';
            }
        }
        k += len;
    }
    // Only ASCII bytes were replaced by a space: still UTF-8.
    String::from_utf8(b).unwrap_or_default()
}

/// The signs that join no number's groups as written, read as a dash between two digits.
const JOINING_SIGNS: &[u8] = b",:;_|~*";

/// `text` with one or two of [`JOINING_SIGNS`] (a space may stand beside one) between two ASCII
/// digits written as `-`, byte for byte as long: `202,555,0143` reads `202-555-0143`. Not a `,`
/// of a number written with thousands (`2,025,550,143`: a chain of groups joined by `,` alone,
/// one to three digits and then groups of three, not joined to a group before or after it), nor
/// the `:` of a time (between groups of one
/// or two digits). `None` when no sign is so read. Linear: each group and join is looked at
/// once.
fn signs_between_digits(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if !b.iter().any(|c| JOINING_SIGNS.contains(c)) {
        return None;
    }
    // The groups of digits, where each starts and ends.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (k, c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            match groups.last_mut() {
                Some(g) if g.1 == k => g.1 = k + 1,
                _ => groups.push((k, k + 1)),
            }
        }
    }
    let between = |g: (usize, usize), h: (usize, usize)| b.get(g.1..h.0).unwrap_or_default();
    let joined = |j: &[u8]| {
        (1..=2).contains(&j.len())
            && j.iter().all(|c| *c == b' ' || JOINING_SIGNS.contains(c))
            && j.iter().any(|c| JOINING_SIGNS.contains(c))
    };
    let len = |g: (usize, usize)| g.1 - g.0;
    let mut out = b.to_vec();
    let mut changed = false;
    let mut k = 0;
    while k + 1 < groups.len() {
        // The chain of groups from `k` joined by `,` alone, and whether it writes thousands.
        let mut m = k;
        while let (Some(&g), Some(&h)) = (groups.get(m), groups.get(m + 1))
            && between(g, h) == b","
        {
            m += 1;
        }
        // Not when its first or last group is joined to another (`0120:123,456`,
        // `0120 123,456`, `202,555:0143`).
        let joins = |p: usize, q: usize| {
            let j = groups.get(p).zip(groups.get(q)).map(|(g, h)| between(*g, *h));
            j.is_some_and(|j| joined(j) || ((1..=2).contains(&j.len()) && j.iter().all(|c| b" -./".contains(c))))
        };
        let thousands = m > k
            && !k.checked_sub(1).is_some_and(|p| joins(p, k))
            && !joins(m, m + 1)
            && groups.get(k).is_some_and(|&g| (1..=3).contains(&len(g)))
            && groups.get(k + 1..=m).unwrap_or_default().iter().all(|&g| len(g) == 3);
        let last = if thousands { m } else { m.max(k + 1) };
        for w in groups.get(k..=last).unwrap_or_default().windows(2) {
            let [g, h] = w else { continue };
            let j = between(*g, *h);
            let time = j == b":" && len(*g) <= 2 && len(*h) <= 2;
            if thousands || time || !joined(j) {
                continue;
            }
            for c in out.get_mut(g.1..h.0).unwrap_or_default() {
                if *c != b' ' {
                    *c = b'-';
                    changed = true;
                }
            }
        }
        k = last;
    }
    // Only ASCII signs were replaced by `-`: still UTF-8.
    changed.then(|| String::from_utf8(out).unwrap_or_default())
}

/// The digit a letter stands for on a telephone keypad (ITU-T E.161).
fn keypad_digit(b: u8) -> Option<u8> {
    Some(match b.to_ascii_lowercase() {
        b'a'..=b'c' => b'2',
        b'd'..=b'f' => b'3',
        b'g'..=b'i' => b'4',
        b'j'..=b'l' => b'5',
        b'm'..=b'o' => b'6',
        b'p'..=b's' => b'7',
        b't'..=b'v' => b'8',
        b'w'..=b'z' => b'9',
        _ => return None,
    })
}

/// The normal form of `n` (of `raw`) with the letters of each vanity word read as keypad
/// digits, byte for byte as long; `None` when there is none. A vanity word is a run of 2 to 10
/// ASCII letters, none written as a small letter in `raw` (an escape or a run of hex or base64
/// that writes it counts as a capital: the stricter reading), that no letter or digit follows, after a separator (space, `-`, `.`, `)`) and the
/// digits of a number that has a `+` or two groups or more before it (`1-800-FLOWERS`,
/// `+1 202 JKL 0143`; `port 443 TCP 8443` has one group, and letters in small letters are
/// words). The groups are counted within the 24 bytes before the word (linear).
fn keypad_reading(n: &crate::text::Normalized, raw: &str) -> Option<String> {
    let text = &n.text;
    let b = text.as_bytes();
    // Small: written as one small letter, that letter when ASCII (Cyrillic `а` is small too).
    // Any other writing counts as a capital, the stricter reading: an escape (`%4A`, `=4A`,
    // `&#74;`) or a run of hex or base64 (`4141` is `AA`) may write a capital.
    let capital = |i: usize| {
        let Some(w) = n.original(i, i + 1).and_then(|(a, z)| raw.get(a..z)) else {
            return false;
        };
        let mut cs = w.chars();
        let small = match (cs.next(), cs.next()) {
            (Some(c), None) => c.is_lowercase() && (!c.is_ascii() || b.get(i) == Some(&(c as u8))),
            _ => false,
        };
        !small
    };
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < b.len() {
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let len = b
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let end = i + len;
        let vanity = (2..=10).contains(&len)
            && !b.get(end).is_some_and(u8::is_ascii_alphanumeric)
            && (i..end).all(capital)
            && number_before(b.get(i.saturating_sub(24)..i).unwrap_or_default());
        if vanity {
            let o = out.get_or_insert_with(|| b.to_vec());
            for k in i..end {
                if let (Some(slot), Some(d)) = (o.get_mut(k), b.get(k).copied().and_then(keypad_digit)) {
                    *slot = d;
                }
            }
        }
        i = end;
    }
    out.and_then(|o| String::from_utf8(o).ok())
}

/// Whether `before` (the bytes before a vanity word) ends with a separator after the digits of
/// a number with a `+` or two groups of digits or more.
fn number_before(before: &[u8]) -> bool {
    let Some((&last, rest)) = before.split_last() else {
        return false;
    };
    if !matches!(last, b' ' | b'-' | b'.' | b')') {
        return false;
    }
    let tail: Vec<u8> = rest
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit() || b" -.()+".contains(c))
        .copied()
        .collect();
    let groups = tail.split(|c| !c.is_ascii_digit()).filter(|g| !g.is_empty()).count();
    let ends_in_digit = rest.iter().rev().find(|&&c| c != b')').is_some_and(u8::is_ascii_digit);
    ends_in_digit && (groups >= 2 || (groups >= 1 && tail.contains(&b'+')))
}

/// `text` with each kanji numeral read as its ASCII digit, and for each byte the range of
/// `text` it came from; `None` when it holds none.
fn kanji_reading(text: &str) -> Option<(String, Vec<std::ops::Range<usize>>)> {
    if text.is_ascii() || !text.chars().any(|c| kanji_digit(c).is_some()) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let r = i..i + c.len_utf8();
        // The prolonged sound mark an input method types between kanji numerals is a dash
        // (`〇三ー五五五五ー〇一〇〇`).
        let read = kanji_digit(c).or_else(|| matches!(c, '\u{30FC}' | '\u{FF70}').then_some('-'));
        match read {
            Some(d) => {
                out.push(d);
                map.push(r);
            }
            None => {
                out.push(c);
                map.extend(std::iter::repeat_n(r, c.len_utf8()));
            }
        }
    }
    Some((out, map))
}

/// Whether the byte before `i` glues a number starting at `i` to a word: a letter or digit, or
/// `. - _ #` (a version, an identifier, a tag), except a `-`, `_` or `.` after a
/// label (`tel-…`, [`LABELS`]) and a `#` that opens a dial code (`#31#…`). A `:` glues
/// only after a digit (a time, an IPv6 address); after a word it ends a label or a URI scheme.
fn glued_before(b: &[u8], i: usize) -> bool {
    let at = |k: usize| b.get(k).copied();
    let Some(p) = i.checked_sub(1).and_then(at) else {
        return false;
    };
    // The word before `end`: no more than the longest label is looked at (a longer run of
    // letters is no label).
    let word_before = |end: usize| {
        let letters = b
            .get(..end)
            .unwrap_or_default()
            .iter()
            .rev()
            .take(LABEL_MAX + 1)
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let from = end.checked_sub(letters).filter(|_| letters <= LABEL_MAX)?;
        let lone = from
            .checked_sub(1)
            .and_then(at)
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        b.get(from..end).filter(|_| lone)
    };
    let labelled = |end: usize| word_before(end).is_some_and(|w| LABELS.iter().any(|l| l.as_bytes() == w));
    match p {
        // A label glued to its number (`TEL03-5555-0100`, `phone03-…`) names it.
        _ if p.is_ascii_alphabetic() && labelled(i) => false,
        b'-' | b'_' | b'.' => !i
            .checked_sub(1)
            .and_then(word_before)
            .is_some_and(|w| LABELS.iter().any(|l| l.as_bytes() == w)),
        // A `#` glues (`#2025550173` is a tag), unless it opens a dial code `#31#` after a
        // space, a bracket or nothing.
        b'#' => {
            let code = b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let closed = (2..=3).contains(&code) && at(i + code) == Some(b'#');
            let apart = i.checked_sub(2).and_then(at).is_none_or(|c| {
                !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'/' | b'@' | b'#' | b'+'))
            });
            // `ph#03-…`: a `#` after a label numbers it.
            !(i.checked_sub(1).is_some_and(labelled) || closed && apart)
        }
        // `/`, `@` and `+` end a path, a user or a sum: a number after one stands apart
        // (`https://example.net/call/+1-202-555-0173`, `TEL/03-5555-0100`, `call@+1-…`).
        b'/' | b'@' | b'+' => false,
        b':' => i.checked_sub(2).and_then(at).is_some_and(|q| q.is_ascii_digit()),
        _ => p.is_ascii_alphanumeric() || (p >= 0x80 && char_around(b, i, true).is_some_and(joins)),
    }
}

/// Whether a character other than ASCII beside a number glues it to a word: a letter or digit,
/// not of a script written without spaces (`電話03-1234-0150まで` holds a number).
fn joins(c: char) -> bool {
    c.is_alphanumeric() && !crate::text::is_unspaced_script(c)
}

/// The character of `b` (UTF-8) that ends at `k` (`before`) or starts at `k`.
fn char_around(b: &[u8], k: usize, before: bool) -> Option<char> {
    let (from, to) = if before {
        let from = (k.saturating_sub(4)..k).find(|&s| b.get(s).is_some_and(|&x| (x & 0xC0) != 0x80))?;
        (from, k)
    } else {
        let first = *b.get(k)?;
        let len = match first {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        (k, k.checked_add(len)?)
    };
    std::str::from_utf8(b.get(from..to)?).ok()?.chars().next_back()
}

/// Each stretch that could be a telephone number (see the module doc and [`Candidate`]), in
/// order, to `found`. A run of digit groups is cut into words where white space, a `-`, a `.` or
/// a `/` stands between two groups, and every few whole words of it ([`MAX_WORDS`] at most, 7 to
/// [`MAX_DIGITS`] digits) are a stretch of their own: other digits beside a number do not hide
/// it (`(202) 555-0143 4`, `4 4 … 4 (202) 555-0143`). Linear: a run is read once, and each word
/// starts at most [`MAX_WORDS`] stretches.
fn candidates(text: &str, mut found: impl FnMut(Candidate)) {
    let b = text.as_bytes();
    let at = |k: usize| b.get(k).copied();
    let mut i = 0;
    // Reused for every run: where each group of digits starts and ends, and its words.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut seps: Vec<u8> = Vec::with_capacity(3);
    while i < b.len() {
        let c = at(i).unwrap_or(0);
        let starts = c.is_ascii_digit() || ((c == b'+' || c == b'(') && at(i + 1).is_some_and(|d| d.is_ascii_digit()));
        if !starts || glued_before(b, i) {
            i += 1;
            continue;
        }
        let dial_code = i.checked_sub(1).and_then(at).is_some_and(|p| p == b'*' || p == b'#');
        let start = i;
        // The separators since the last digit: up to two (`) `, ` / `), or a dash, dot or slash
        // with a space either side (`202 - 555 - 0173`).
        seps.clear();
        groups.clear();
        let mut j = if c == b'+' { i + 1 } else { i };
        while let Some(d) = at(j) {
            if d.is_ascii_digit() {
                match groups.last_mut() {
                    Some(g) if g.1 == j => g.1 = j + 1,
                    _ => groups.push((j, j + 1)),
                }
                seps.clear();
            } else if matches!(d, b' ' | b'-' | b'.' | b'/' | b'(' | b')')
                && (seps.len() < 2
                    || (seps.len() == 2 && d == b' ' && seps.first() == Some(&b' ') && seps.get(1) != Some(&b' ')))
            {
                seps.push(d);
            } else if d == b'#' && dial_code && groups.len() == 1 && seps.is_empty() {
                // `#31#2025550173`: the `#` that closes a dial code.
                seps.push(d);
            } else {
                break;
            }
            j += 1;
        }
        let end = groups.last().map_or(i + 1, |g| g.1);
        // What stands before group `k` (after the one before it, or from the run's start).
        let between = |k: usize| -> &[u8] {
            let from = k.checked_sub(1).and_then(|p| groups.get(p)).map_or(start, |g| g.1);
            b.get(from..groups.get(k).map_or(from, |g| g.0)).unwrap_or_default()
        };
        // The words: groups cut where white space or a `/` stands between two, and again where
        // a `-` or a `.` does, unless the word is a dotted address or a date (`2024-01-15`):
        // `202.555.0143.4` holds `202.555.0143`.
        words.clear();
        let mut k = 0;
        while k < groups.len() {
            let e = (k + 1..groups.len())
                .find(|&m| between(m).iter().any(|s| matches!(s, b' ' | b'/')))
                .unwrap_or(groups.len());
            let whole = Word::of(&groups, k..e, start);
            if whole.excluded(text) {
                words.push(Word {
                    excluded: true,
                    ..whole
                });
            } else {
                let mut from = k;
                for m in k + 1..=e {
                    if m == e || between(m).iter().any(|s| matches!(s, b'-' | b'.')) {
                        words.push(Word::of(&groups, from..m, start));
                        from = m;
                    }
                }
            }
            k = e;
        }
        let glued_after = at(end).is_some_and(|n| {
            n.is_ascii_alphanumeric() || n == b'_' || (n >= 0x80 && char_around(b, end, false).is_some_and(joins))
        }) && !dial_suffix(b, end);
        for (first, w) in words.iter().enumerate() {
            let mut digits = 0usize;
            let mut apart = true;
            let mut ones = true;
            for (last, l) in words.iter().enumerate().skip(first) {
                digits += l.digits;
                if digits > MAX_DIGITS {
                    break;
                }
                apart &= !l.excluded;
                // Words of one digit each (`2 0 2 5 5 5 0 1 4 3`): a number written digit by
                // digit, read among other such words too, with 10 to 15 digits (a national
                // number with its area code or more; a counting list, `1 2 … 9 10`, is none).
                ones &= l.digits == 1;
                // The whole run, or a few words of it ending as a number ends: with a group of
                // four digits or more, or of two or three when it is written as a number is
                // (see `short_end`); glued to what follows only at the run's end; an address or
                // a date, or one among the words, is no number.
                let whole = first == 0 && last + 1 == words.len();
                let g_end = words.get(last + 1).map_or(groups.len(), |n| n.group);
                let window = groups.get(w.group..g_end).unwrap_or_default();
                // One group, or groups of two to four digits (a version's build,
                // `10.0.22621.2428`, is none).
                let grouped = window.len() == 1 || window.iter().all(|g| (2..=4).contains(&g.1.saturating_sub(g.0)));
                // What is right before its first digit (`+`, `(`), and whether it starts with an
                // international prefix (`0033`).
                let lead = window.first().and_then(|g| g.0.checked_sub(1)).and_then(at);
                let plus = lead == Some(b'+')
                    || window
                        .first()
                        .and_then(|g| text.get(g.0..g.1))
                        .is_some_and(international);
                let led = plus || lead == Some(b'(');
                // Its last group short, it ends a number after a `+` or an international prefix
                // (`+1 202 555 014 3`, `0033 1 23 45 67 89`), or ends with two or three digits one
                // after a `(` (`(202) 555-01-43`) or in groups of two to four digits joined by `-`
                // and `.` alone or after a trunk `0` in a first group of three or four digits
                // (`202.555.01.43`, `0120 123 456`), among other digits; a list of small numbers
                // (`10 20 30 40`) is none.
                let short_end = || {
                    let joined = (w.group + 1..g_end).all(|m| !between(m).iter().any(|s| matches!(s, b' ' | b'/')));
                    let trunk = window
                        .first()
                        .is_some_and(|g| b.get(g.0) == Some(&b'0') && (3..=4).contains(&g.1.saturating_sub(g.0)));
                    plus || (l.last >= 2 && (led || (grouped && (joined || trunk))))
                };
                // Cut out at a `.` or holding one, it is written as a number is: grouped, or
                // led (`+33.1.23.45.67.89`).
                let dotted = (w.group..=g_end).any(|m| between(m).contains(&b'.'));
                let digit_by_digit = ones && (10..=15).contains(&digits);
                if digits < MIN_DIGITS
                    || (!whole
                        && !digit_by_digit
                        && (last >= first + MAX_WORDS || (l.last < 4 && !short_end()) || (dotted && !grouped && !led)))
                    || (l.to == end && glued_after)
                    || !apart
                    || excluded(text, w.from, l.to)
                {
                    continue;
                }
                found(Candidate {
                    span: (w.from, l.to),
                    // Digit by digit among other digits, the window is read as it is: each
                    // shorter one is a window of its own.
                    readings: if digit_by_digit && !whole {
                        vec![(w.from, l.to)]
                    } else {
                        readings(text, (w.from, l.to), window, dial_code && first == 0)
                    },
                });
            }
        }
        i = end.max(i + 1);
    }
}

/// Whether a group of digits is an international prefix, or starts with one and a country code:
/// `00`, `011`, `0033`, `00886`.
fn international(digits: &str) -> bool {
    digits == "011" || (digits.starts_with("00") && digits.len() != 3 && digits.len() <= 5)
}

/// A word of a run of digit groups (see [`candidates`]).
struct Word {
    /// Its first group, among the run's.
    group: usize,
    from: usize,
    to: usize,
    digits: usize,
    /// The digits of its last group.
    last: usize,
    /// A dotted address or a date.
    excluded: bool,
}

impl Word {
    /// The word of `groups` `k` (a run starting at byte `start`).
    fn of(groups: &[(usize, usize)], k: std::ops::Range<usize>, start: usize) -> Word {
        let len = |g: &(usize, usize)| g.1.saturating_sub(g.0);
        let first = groups.get(k.start).copied().unwrap_or_default();
        let last = k
            .end
            .checked_sub(1)
            .and_then(|e| groups.get(e))
            .copied()
            .unwrap_or_default();
        Word {
            group: k.start,
            from: if k.start == 0 { start } else { first.0 },
            to: last.1,
            digits: groups.get(k).unwrap_or_default().iter().map(len).sum(),
            last: len(&last),
            excluded: false,
        }
    }

    fn excluded(&self, text: &str) -> bool {
        excluded(text, self.from, self.to)
    }
}

/// Whether a pause, a wait or an extension (`p123`, `w123`, `x123`, `ext123`) starts at `k`.
fn dial_suffix(b: &[u8], k: usize) -> bool {
    let rest = b.get(k..).unwrap_or_default();
    let tail = rest
        .strip_prefix(b"ext")
        .or_else(|| {
            rest.get(1..)
                .filter(|_| matches!(rest.first(), Some(b'p' | b'w' | b'x')))
        })
        .unwrap_or_default();
    tail.first().is_some_and(u8::is_ascii_digit)
}

/// Whether `text[a..z]` is a dotted address or a date, which is no number.
fn excluded(text: &str, a: usize, z: usize) -> bool {
    let span = text.get(a..z).unwrap_or_default();
    // A network `203.0.113.9/32` is its dotted address.
    let net = span
        .rsplit_once('/')
        .filter(|(_, len)| (1..=2).contains(&len.len()) && len.bytes().all(|x| x.is_ascii_digit()))
        .map(|(quad, _)| quad);
    // And one with its zero parts left off (`192.168.1/24`, `203.0/16`).
    let abbreviated = net.is_some_and(|n| {
        let parts: Vec<&str> = n.split('.').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|x| x.is_ascii_digit()))
    });
    let span = net.unwrap_or(span);
    // Every part of an address is an octet: `1.202.555.0143` is a number.
    let octet = |p: &str| (1..=3).contains(&p.len()) && p.parse::<u16>().is_ok_and(|v| v <= 255);
    let dotted_quad = abbreviated || span.split('.').count() == 4 && span.split('.').all(octet);
    dotted_quad || is_date(span)
}

/// Whether `span` is a date as ISO 8601 writes it, `YYYY-MM-DD` with a month of 01 to 12 and a
/// day of 01 to 31: `0143-00-00` is no date, but the last group of a number glued to two more
/// (`202 555 0143-00-00`).
fn is_date(span: &str) -> bool {
    let b = span.as_bytes();
    let two = |k: usize| -> Option<u8> {
        let (&t, &u) = (b.get(k)?, b.get(k + 1)?);
        (t.is_ascii_digit() && u.is_ascii_digit()).then(|| (t - b'0') * 10 + (u - b'0'))
    };
    b.len() == 10
        && b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && two(5).is_some_and(|m| (1..=12).contains(&m))
        && two(8).is_some_and(|d| (1..=31).contains(&d))
}

/// The readings of the stretch `from..to` of `text` whose groups of digits are `groups`: the
/// whole; without a dial prefix (a code after `*` or `#` when `dial_code`, two or three digits,
/// or an outside line or trunk digit standing alone: `9 1 202 …`, at most twice); and without
/// a second ending after a `/` (`202-555-0173/4`, `202 555 0173/0174`), with and without the
/// prefix. None is a dotted address or a date.
fn readings(text: &str, (from, to): (usize, usize), groups: &[(usize, usize)], dial_code: bool) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let between = |k: usize| -> &[u8] {
        match (k.checked_sub(1).and_then(|p| groups.get(p)), groups.get(k)) {
            (Some(p), Some(g)) => b.get(p.1..g.0).unwrap_or_default(),
            _ => &[],
        }
    };
    let mut readings = vec![(from, to)];
    for k in 0..2 {
        let Some(&(g_start, g_end)) = groups.get(k) else { break };
        let len = g_end.saturating_sub(g_start);
        let code = k == 0 && dial_code && (2..=3).contains(&len);
        let Some(&(next_start, _)) = groups.get(k + 1) else {
            break;
        };
        if !(code || (len == 1 && between(k + 1).iter().any(|&s| s == b' ' || s == b'-'))) {
            break;
        }
        readings.push((next_start, to));
    }
    let cuts: Vec<usize> = (1..groups.len())
        .filter(|&k| between(k).contains(&b'/'))
        .filter_map(|k| {
            let g = groups.get(k)?;
            text.get(..g.0).map(|h| h.trim_end_matches([' ', '/', '-', '.']).len())
        })
        .collect();
    let starts: Vec<usize> = readings.iter().map(|r| r.0).collect();
    for cut in cuts {
        for &s0 in &starts {
            if s0 < cut {
                readings.push((s0, cut));
            }
        }
    }
    readings.retain(|&(a, z)| !excluded(text, a, z));
    readings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past [`MAX_CHECKS`] digit strings, number-like words count as numbers: none of these is
    /// a US number, and a few of them are found as none.
    #[test]
    fn past_the_checks_words_count_as_numbers() {
        let us = Phones::new(&["US"]).unwrap();
        let few = crate::fuzzing::content::number_words(400);
        let spans: Vec<&str> = us.find(&few).iter().filter_map(|&(a, z)| few.get(a..z)).collect();
        assert!(spans.is_empty(), "{spans:?}");
        let many = crate::fuzzing::content::number_words(6000);
        let found = us.find(&many);
        assert!(
            found.last().is_some_and(|&(_, z)| z == many.len()),
            "{:?}",
            found.last()
        );
    }

    /// Red team R03 and R08: dashes an input method types, the telephone sign, tildes, kanji
    /// numerals, and a number after `/`, `@` or `+`.
    #[test]
    fn finds_numbers_in_the_red_teams_second_round() {
        for (s, found) in [
            (
                "\u{9023}\u{7D61}\u{5148} 03\u{30FC}5555\u{30FC}0100",
                "03\u{30FC}5555\u{30FC}0100",
            ),
            ("call +1 202\u{30FC}555\u{30FC}0173", "+1 202\u{30FC}555\u{30FC}0173"),
            ("03\u{FF70}5555\u{FF70}0100", "03\u{FF70}5555\u{FF70}0100"),
            ("\u{2121}03-5555-0100", "03-5555-0100"),
            ("call +81~3~5555~0100", "+81~3~5555~0100"),
            ("03\u{2E5D}5555\u{2E5D}0100", "03\u{2E5D}5555\u{2E5D}0100"),
            ("03\u{2500}5555\u{2500}0100", "03\u{2500}5555\u{2500}0100"),
            ("03\u{FFE3}5555\u{FFE3}0100", "03\u{FFE3}5555\u{FFE3}0100"),
            ("03\u{4E00}5555\u{4E00}0100", "03\u{4E00}5555\u{4E00}0100"),
            ("03\u{3161}5555\u{3161}0100", "03\u{3161}5555\u{3161}0100"),
            (
                "\u{96FB}\u{8A71} \u{3007}\u{4E09}-\u{4E94}\u{4E94}\u{4E94}\u{4E94}-\u{3007}\u{4E00}\u{3007}\u{3007}",
                "\u{3007}\u{4E09}-\u{4E94}\u{4E94}\u{4E94}\u{4E94}-\u{3007}\u{4E00}\u{3007}\u{3007}",
            ),
            ("https://example.net/call/+1-202-555-0173", "+1-202-555-0173"),
            ("https://example.net/call/03-5555-0100", "03-5555-0100"),
            ("TEL/03-5555-0100", "03-5555-0100"),
            ("\u{96FB}\u{8A71}/03-5555-0100", "03-5555-0100"),
            ("call@+1-202-555-0173", "+1-202-555-0173"),
        ] {
            assert_eq!(hits(s), [found], "{s}");
        }
        for s in [
            "192.168.1/24",
            "198.51.100/24",
            "10.20/16",
            "2024/12/05",
            "/2024/12/05/1234",
            "page 1~3 of 10",
            "\u{4E8C}\u{3007}\u{4E8C}\u{4E94}\u{5E74}",
            "\u{7B2C}\u{4E00}\u{7AE0}",
        ] {
            assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
        }
    }
    use crate::text::normalize;

    fn hits(s: &str) -> Vec<String> {
        let p = Phones::new(&["US", "JP"]).unwrap();
        let n = normalize(s);
        p.find(&n.text)
            .into_iter()
            .map(|(a, b)| {
                let (a, b) = n.original(a, b).unwrap();
                s[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn finds_every_writing_of_a_number() {
        for s in [
            "(202)555-0143",
            "(202) 555-0143",
            "202\u{2013}555\u{2013}0144",
            "202\u{2011}555\u{2011}0145",
            "+81 3 1234 0146",
            "+81-3-1234-0147",
            "+12025550148",
            "+1 202-555-0173",
            "202.555.0149",
            "03-1234-0150",
            "２０２－５５５－０１５１",
            "011 81 3 1234 0152",
            "\u{662}\u{660}\u{662}-\u{665}\u{665}\u{665}-\u{660}\u{661}\u{665}\u{664}",
        ] {
            assert_eq!(hits(&format!("call {s} now")), [s], "{s}");
        }
    }

    #[test]
    fn finds_a_number_after_a_uri_scheme_or_a_label() {
        assert_eq!(hits("tel:+1-202-555-0143"), ["+1-202-555-0143"]);
        assert_eq!(hits("phone:2025550153."), ["2025550153"]);
        assert!(hits("at 10:30:2025550153").is_empty(), "glued to a time");
    }

    /// F08: spaced dashes, dial codes and outside lines before, second endings after a `/`,
    /// pauses, waits and extensions after, a label glued with a dash. The whole stretch is
    /// reported (and redacted).
    #[test]
    fn finds_numbers_in_the_red_teams_seventh_round() {
        for (s, found) in [
            ("202 - 555 - 0173", "202 - 555 - 0173"),
            ("+1 - 202 - 555 - 0173", "+1 - 202 - 555 - 0173"),
            ("+1 202 - 555 - 0173", "+1 202 - 555 - 0173"),
            ("03 - 1234 - 0150", "03 - 1234 - 0150"),
            ("*67 202 555 0173", "67 202 555 0173"),
            ("*82 2025550173", "82 2025550173"),
            ("#31#2025550173", "31#2025550173"),
            ("9 1 202 555 0173", "9 1 202 555 0173"),
            ("9 202 555 0173", "9 202 555 0173"),
            ("202-555-0173/4", "202-555-0173/4"),
            ("202 555 0173/0174", "202 555 0173/0174"),
            ("2025550173p123", "2025550173"),
            ("2025550173w123", "2025550173"),
            ("202-555-0173x12", "202-555-0173"),
            ("202-555-0173ext9", "202-555-0173"),
            ("tel-202-555-0173", "202-555-0173"),
            ("phone_2025550173", "2025550173"),
            ("fax.03-1234-0150", "03-1234-0150"),
        ] {
            assert_eq!(hits(&format!("see {s} now")), [found], "{s}");
        }
    }

    #[test]
    fn ordinary_numbers_near_the_new_writings_are_not_numbers() {
        for s in [
            "1998 - 2004 - 2010",
            "2024 - 01 - 15",
            "198.51.100.0/24",
            "10.0.0.0/8",
            "203.0.113.9/32",
            "see 203.0.113.9/32 and 10.20.30.40/8",
            "ticket #12345678",
            "issue #2025550173",
            "x#31#2025550173",
            "build 1234567p2",
            "sha 2025550173abc",
            "hotel-202-555-0173",
            "cve-2025-5550173",
            "ISBN 978-0-306-40615-7",
            "2024-01-15/2024-01-16",
            "1.2.3 - 4.5.6",
        ] {
            assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
        }
    }

    #[test]
    fn ordinary_numbers_are_not_numbers() {
        for s in [
            "12345",
            "3.14159",
            "2024-01-15",
            "203.0.113.9",
            "1,000,000",
            "version 10.1.2",
            "port 8443",
            "CVE-2024-12345",
            "T1059.001",
            "1234567",
        ] {
            assert!(hits(s).is_empty(), "{s}");
        }
    }

    /// Issue 17: the embedded metadata is no longer syntax-checked at every process start
    /// (`vendor/phonenumber/PATCHED.md`). The same metadata loaded the checked way (the library's
    /// `Database::parse`) gives the same answer on phone-like strings, in the policy's regions,
    /// in every other region and in international form.
    #[test]
    fn unchecked_metadata_answers_as_the_checked_load() {
        use proptest::prelude::*;
        let xml = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vendor/phonenumber/assets/PhoneNumberMetadata.xml"
        ))
        .unwrap();
        let checked = phonenumber::metadata::Database::parse(&xml).unwrap();
        let mut regions: Vec<Option<Id>> = vec![None, Some(Id::US), Some(Id::JP)];
        regions.extend(checked.iter().filter_map(|m| m.id().parse().ok()).map(Some));
        assert!(regions.len() > 200, "{}", regions.len());
        let policy = prop::sample::select(vec![None, Some(Id::US), Some(Id::JP)]);
        let any = prop::sample::select(regions);
        let numbers = prop_oneof![
            "[2-9][0-9]{2}[2-9][0-9]{6}",
            "1?[2-9][0-9]{9}",
            "0[1-9][0-9]{7,9}",
            "(00|011|010)[1-9][0-9]{7,12}",
            "\\+(1[2-9][0-9]{9}|81[1-9][0-9]{8,9}|[1-9][0-9]{6,13})",
            "[0-9]{7,15}",
        ];
        let config = proptest::test_runner::Config {
            cases: 3000,
            ..proptest::test_runner::Config::default()
        };
        let mut runner = proptest::test_runner::TestRunner::new(config);
        let verdicts = (prop_oneof![policy, any], numbers);
        let valid = std::cell::Cell::new(0usize);
        runner
            .run(&verdicts, |(region, s)| {
                let before =
                    phonenumber::parse_with(&checked, region, &s).map(|n| phonenumber::is_valid_with(&checked, &n));
                let now = phonenumber::parse(region, &s).map(|n| phonenumber::is_valid(&n));
                prop_assert_eq!(format!("{before:?}"), format!("{now:?}"), "{:?} {}", region, s);
                valid.set(valid.get() + usize::from(now.is_ok_and(|v| v)));
                Ok(())
            })
            .unwrap();
        // Not a vacuous agreement: a good share of the strings are valid numbers.
        assert!(valid.get() > 300, "{} valid numbers", valid.get());
    }

    proptest::proptest! {
        /// The digit count that skips the scan (issue 17): a text with fewer than 7 ASCII digits
        /// has no candidate.
        #[test]
        fn fewer_than_seven_digits_have_no_candidate(s in "[0-9 ()+./a-z\\-]{0,20}") {
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            if digits < MIN_DIGITS {
                let mut none = true;
                candidates(&s, |_| none = false);
                proptest::prop_assert!(none);
            }
        }
    }
}
