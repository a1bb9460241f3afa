//! The verifier's reading of base64 and hex that write text, its own code: a group of words of
//! base64's alphabet with white space between them is read as a decoder reads it, skipping the
//! white space, from each word's start, quantum by quantum while the bytes are text (printable
//! UTF-8, or UTF-16LE when the second byte is zero); 8 characters or more make a run, and a run
//! ends where a word ends (a decoder is given whole words). Each way a decoder may take is a
//! reading of its own:
//! - each kind (hex, base64) and phase (the group's characters counted modulo the quantum):
//!   runs of one kind and phase never overlap;
//! - white space that falls between two whole quanta kept in what the run writes, or gone;
//! - a word that ends two or three characters into a quantum ending the run there, the quantum
//!   read as far as it goes, or not (the run reads on across the white space); each such earlier
//!   ending is a reading too.
//!
//! A run across white space needs a digit, `+`, `/` or a capital inside a word (words of prose
//! write printable bytes too). More than [`super::RUN_READINGS`] readings hold the text: no more
//! than one past them is made.

/// The shortest run: 8 characters.
const SHORTEST: usize = 8;

/// One word of a group: where it starts among the group's characters and in the text (32 bits
/// each: a group of one-letter words is held in little more than its own length).
#[derive(Clone, Copy)]
struct Word {
    k: u32,
    at: u32,
}

impl Word {
    fn k(self) -> usize {
        self.k as usize
    }
    fn at(self) -> usize {
        self.at as usize
    }
}

/// Words of base64's alphabet with only white space between them.
#[derive(Default)]
struct Group {
    chars: Vec<u8>,
    words: Vec<Word>,
    /// Where the group ends in the text (after its last character).
    end: usize,
}

impl Group {
    /// The byte of the text where the group's character `k` stands (or the group's end).
    fn byte_of(&self, k: usize) -> usize {
        let w = self.words.partition_point(|w| w.k() <= k);
        match w.checked_sub(1).and_then(|i| self.words.get(i)) {
            Some(word) if k < self.chars.len() => word.at() + k.saturating_sub(word.k()),
            _ => self.end,
        }
    }

    /// The white space before word `i` (none before the first).
    fn gap(&self, i: usize) -> std::ops::Range<usize> {
        match (i.checked_sub(1).and_then(|p| self.words.get(p)), self.words.get(i)) {
            (Some(prev), Some(w)) => prev.at() + w.k().saturating_sub(prev.k())..w.at(),
            _ => 0..0,
        }
    }
}

fn in_alphabet(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// The six bits a character of base64 stands for.
fn sextet(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => 0,
    }
}

/// Each group of `s` of [`SHORTEST`] characters or more, in order, to `f` (one at a time: the
/// buffers are the same). `None` when a place in `s` does not fit in 32 bits.
fn for_each_group(s: &str, mut f: impl FnMut(&Group)) -> Option<()> {
    let b = s.as_bytes();
    let mut g = Group::default();
    let mut i = 0;
    let white = |at: usize| -> usize {
        s.get(at..)
            .and_then(|r| r.chars().next())
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8)
    };
    while i < b.len() {
        if !b.get(i).copied().is_some_and(in_alphabet) {
            i += s.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
            continue;
        }
        g.chars.clear();
        g.words.clear();
        loop {
            g.words.push(Word {
                k: u32::try_from(g.chars.len()).ok()?,
                at: u32::try_from(i).ok()?,
            });
            while let Some(&c) = b.get(i).filter(|&&c| in_alphabet(c)) {
                g.chars.push(c);
                i += 1;
            }
            g.end = i;
            let mut j = i;
            while white(j) > 0 {
                j += white(j);
            }
            if j == i || !b.get(j).copied().is_some_and(in_alphabet) {
                break;
            }
            i = j;
        }
        if g.chars.len() >= SHORTEST {
            f(&g);
        }
    }
    Some(())
}

/// Checks bytes of text as they come: UTF-8 as `str::from_utf8` takes it, or UTF-16LE.
#[derive(Clone, Copy, Default)]
struct Utf {
    /// Continuation bytes still wanted, the code point so far, and the range the next byte must
    /// fall in (narrower after some leads: no overlong form, no surrogate, nothing past U+10FFFF).
    want: u8,
    point: u32,
    next: (u8, u8),
}

impl Utf {
    fn shown(c: char) -> bool {
        c == '\t' || c == '\n' || c == '\r' || !c.is_control()
    }

    /// Takes byte `b` (the `index`th of the run; `wide` for UTF-16LE); false when the bytes are
    /// no longer text.
    fn take(&mut self, b: u8, index: usize, wide: bool) -> bool {
        if wide {
            return if index % 2 == 1 {
                b == 0
            } else {
                Self::shown(char::from(b))
            };
        }
        if self.want > 0 {
            if b < self.next.0 || b > self.next.1 {
                return false;
            }
            self.point = self.point << 6 | u32::from(b & 0x3f);
            self.want -= 1;
            self.next = (0x80, 0xbf);
            return self.want > 0 || char::from_u32(self.point).is_some_and(Self::shown);
        }
        let (want, bits, next) = match b {
            0x00..=0x7f => return Self::shown(char::from(b)),
            0xc2..=0xdf => (1, b & 0x1f, (0x80, 0xbf)),
            0xe0 => (2, 0, (0xa0, 0xbf)),
            0xed => (2, 0x0d, (0x80, 0x9f)),
            0xe1..=0xef => (2, b & 0x0f, (0x80, 0xbf)),
            0xf0 => (3, 0, (0x90, 0xbf)),
            0xf1..=0xf3 => (3, b & 0x07, (0x80, 0xbf)),
            0xf4 => (3, 4, (0x80, 0x8f)),
            _ => return false,
        };
        (self.want, self.point, self.next) = (want, u32::from(bits), next);
        true
    }

    /// Whether the bytes taken end where a character ends.
    fn whole(&self, taken: usize, wide: bool) -> bool {
        if wide { taken.is_multiple_of(2) } else { self.want == 0 }
    }
}

/// The length of `bytes` and `more` together when, read on from `bytes` (text so far, checked by
/// `utf`), `more` keeps them text ending where a character ends; `None` when it does not. Only
/// `more` is read (and all of it when `bytes` is too short to tell UTF-16LE from UTF-8).
fn text_after(bytes: &[u8], utf: Utf, more: &[u8]) -> Option<usize> {
    let len = bytes.len().checked_add(more.len())?;
    if bytes.len() < 2 {
        let all = [bytes, more].concat();
        let wide = all.get(1) == Some(&0);
        let mut check = Utf::default();
        let text = all.iter().enumerate().all(|(i, &b)| check.take(b, i, wide));
        return (text && check.whole(len, wide)).then_some(len);
    }
    let wide = bytes.get(1) == Some(&0);
    let mut check = utf;
    let text = more
        .iter()
        .enumerate()
        .all(|(i, &b)| check.take(b, bytes.len() + i, wide));
    (text && check.whole(len, wide)).then_some(len)
}

/// The bytes one quantum (or the start of one) writes, on the stack: at most three.
struct Written([u8; 3], usize);

impl Written {
    fn bytes(&self) -> &[u8] {
        self.0.get(..self.1).unwrap_or_default()
    }
}

/// The values of the characters of a quantum (at most four, not yet decoded), on the stack.
fn quantum(values: impl Iterator<Item = u8>) -> ([u8; 4], usize) {
    let mut q = [0u8; 4];
    let mut n = 0;
    for (slot, v) in q.iter_mut().zip(values) {
        *slot = v;
        n += 1;
    }
    (q, n)
}

/// The bytes the characters `q` (values, not yet decoded) write: hex two digits a byte; base64
/// four characters three bytes, or two or three characters one or two (trailing bits ignored).
fn bytes_of(q: &[u8], hex: bool) -> Written {
    if hex {
        return match q {
            [a, b] => Written([a << 4 | b, 0, 0], 1),
            _ => Written([0; 3], 0),
        };
    }
    let v: u32 = q.iter().fold(0, |acc, &c| acc << 6 | u32::from(c));
    let three = |v: u32| -> [u8; 3] { [(v >> 16) as u8, (v >> 8) as u8, v as u8] };
    match q.len() {
        4 => Written(three(v), 3),
        3 => Written(three(v << 6), 2),
        2 => Written(three(v << 12), 1),
        _ => Written([0; 3], 0),
    }
}

/// [`bytes_of`] the values of the group's characters `from..to` (a quantum or the start of one).
fn bytes_of_range(value: impl Fn(usize) -> Option<u8>, from: usize, to: usize, hex: bool) -> Written {
    let (q, n) = quantum((from..to).filter_map(value));
    bytes_of(q.get(..n).unwrap_or_default(), hex)
}

/// A run found in a group: its characters `from..to`, and what it writes.
struct Found {
    from: usize,
    to: usize,
    text: String,
    /// What it writes with no white space at all, when some was kept in `text`.
    glued: Option<String>,
    /// The run ending earlier, with a word that ends inside a quantum: where, and what it
    /// writes then.
    shorter: Vec<(usize, String)>,
}

/// The runs of `g` in `hex` (else base64) starting at phase `phase`. A word that ends two or
/// three characters into a quantum may end the run there (`stop`: the run was those words) or
/// not (the run reads on across the white space).
fn runs_in(s: &str, g: &Group, hex: bool, phase: usize, stop: bool) -> Vec<Found> {
    let per = if hex { 2 } else { 4 };
    let value = |k: usize| -> Option<u8> {
        let c = *g.chars.get(k)?;
        if hex {
            char::from(c).to_digit(16).map(|d| d as u8)
        } else {
            Some(sextet(c))
        }
    };
    // Whether a word starts at the group's character `k` (the words are in order).
    let word_at = |k: usize| -> Option<usize> {
        let i = g.words.partition_point(|w| w.k() < k);
        g.words.get(i).filter(|w| w.k() == k).map(|_| i)
    };
    // The first word starting at the group's character `k` or after it.
    let word_at_or_after =
        |k: usize| -> Option<usize> { g.words.get(g.words.partition_point(|w| w.k() < k)).map(|w| w.k()) };
    let mut found = Vec::new();
    // How far runs of this phase have read: a start before it reads the end of one again.
    let mut reach = 0;
    // Each start's buffers, emptied for the next.
    let mut bytes: Vec<u8> = Vec::new();
    let mut cuts: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    // Where the run could end with a word ending inside a quantum: bytes, characters' end.
    let mut word_ends: Vec<(usize, usize)> = Vec::new();
    for w in &g.words {
        let start = w.k();
        if start % per != phase || start < reach || value(start).is_none() {
            continue;
        }
        bytes.clear();
        cuts.clear();
        word_ends.clear();
        let mut utf = Utf::default();
        let mut good = (0usize, start); // bytes, characters' end
        let mut k = start;
        // The quantum the run stops at, and where the part of it read as far as it goes ends: a
        // word's end inside it, two or three characters in (the first when `stop`, the last
        // when it is not text); the text's end, when it is cut short there.
        let (stop_at, cut) = loop {
            // A word starting where this quantum starts: the white space before it stays.
            if k > start
                && let Some(word) = word_at(k)
            {
                cuts.push((bytes.len(), g.gap(word)));
            }
            let avail = (k..k + per).take_while(|&e| value(e).is_some()).count();
            // Words ending inside this quantum, two or three characters in (the first only
            // when `stop`: the run ends there). The run may end with one, the quantum read as
            // far as it goes (what that writes starts what the whole quantum writes).
            let ends: Vec<usize> = (k + 2..k + avail)
                .filter(|&e| word_at(e).is_some())
                .take(if stop { 1 } else { 2 })
                .collect();
            for &e in &ends {
                if let Some(len) = text_after(&bytes, utf, bytes_of_range(value, k, e, hex).bytes()) {
                    good = (len, e);
                    word_ends.push(good);
                }
            }
            if stop && let Some(&e) = ends.first() {
                break (k, Some(e));
            }
            let inside = ends.last().copied();
            if avail < per {
                break (k, Some(k + avail).filter(|_| avail >= 2));
            }
            let written = bytes_of_range(value, k, k + per, hex);
            let new = written.bytes();
            let before = bytes.len();
            let kept = utf;
            bytes.extend_from_slice(new);
            let wide = bytes.get(1) == Some(&0);
            // Text so far, read again from the run's start when the second byte shows UTF-16
            // (the first was read as UTF-8).
            let ok = if before < 2 && bytes.len() >= 2 {
                utf = Utf::default();
                bytes.iter().enumerate().all(|(i, &b)| utf.take(b, i, wide))
            } else if bytes.len() < 2 {
                true
            } else {
                new.iter().enumerate().all(|(i, &b)| utf.take(b, before + i, wide))
            };
            if !ok {
                bytes.truncate(before);
                utf = kept;
                break (k, inside);
            }
            k += per;
            // A run ends where a word does: a decoder is given whole words.
            let word_ends = k >= g.chars.len() || word_at(k).is_some();
            if bytes.len() >= 2 && utf.whole(bytes.len(), wide) && word_ends {
                good = (bytes.len(), k);
            }
        };
        let mut read = stop_at;
        if !hex && let Some(cut) = cut {
            let written = bytes_of_range(value, stop_at, cut, hex);
            let part = written.bytes();
            let fine = if part.is_empty() {
                None
            } else {
                text_after(&bytes, utf, part)
            };
            // Kept either way: a word's end met earlier in this quantum ends the run inside it.
            bytes.extend_from_slice(part);
            if let Some(len) = fine {
                good = (len, cut);
                read = cut;
            }
        }
        reach = read.max(good.1).max(start);
        if good.1.saturating_sub(start) < SHORTEST {
            continue;
        }
        // Words of prose may write printable bytes too (`Side Includes`): a run across white
        // space needs a digit, `+`, `/` or a capital inside a word among its characters.
        let prose = |to: usize| {
            let crosses = word_at_or_after(start + 1).is_some_and(|k| k < to);
            let base64_like = (start..to).any(|k| {
                let c = g.chars.get(k).copied().unwrap_or(b'a');
                c.is_ascii_digit()
                    || c == b'+'
                    || c == b'/'
                    || (c.is_ascii_uppercase() && word_at(k).is_none() && k > 0)
            });
            crosses && !base64_like
        };
        if prose(good.1) {
            continue;
        }
        bytes.truncate(good.0);
        let wide = bytes.get(1) == Some(&0);
        let piece = |b: &[u8]| -> String {
            if wide {
                b.chunks(2).filter_map(|p| p.first()).map(|&c| char::from(c)).collect()
            } else {
                String::from_utf8_lossy(b).into_owned()
            }
        };
        let starts_char = |at: usize| {
            if wide {
                at.is_multiple_of(2)
            } else {
                bytes.get(at).is_some_and(|b| !(0x80..0xc0).contains(b))
            }
        };
        // The first `upto` bytes as text, the white space kept where a character starts; and
        // whether any was.
        let text_to = |upto: usize| -> (String, bool) {
            let mut text = String::new();
            let mut last = 0;
            for (at, gap) in cuts.iter().filter(|(at, _)| *at < upto && starts_char(*at)) {
                text.push_str(&piece(bytes.get(last..*at).unwrap_or_default()));
                text.push_str(s.get(gap.clone()).unwrap_or_default());
                last = *at;
            }
            text.push_str(&piece(bytes.get(last..upto).unwrap_or_default()));
            (text, last > 0)
        };
        let (text, spaced) = text_to(good.0);
        let shorter = word_ends
            .iter()
            .filter(|&&(_, e)| e < good.1 && e.saturating_sub(start) >= SHORTEST && !prose(e))
            .take(super::RUN_READINGS + 1)
            .map(|&(upto, e)| (e, text_to(upto).0))
            .collect();
        found.push(Found {
            from: start,
            to: good.1,
            text,
            glued: spaced.then(|| piece(&bytes)),
            shorter,
        });
    }
    found
}

/// A run where it stands in the text: its bytes, the run, and its shorter endings by byte.
type Located = (std::ops::Range<usize>, Found, Vec<(usize, String)>);

/// Whether `s` is too long for [`readings`] to read (past 4 GiB): such a text is held.
pub(crate) fn too_long(s: &str) -> bool {
    u32::try_from(s.len()).is_err()
}

/// The readings of `s` with its runs of base64 and hex that write text read as that text: for
/// each kind, way (`stop`, for base64) and phase that has a run, one with the white space
/// between whole quanta kept and one with none, when they differ; none when `s` holds no run.
pub(crate) fn readings(s: &str) -> Vec<String> {
    if !s.bytes().any(in_alphabet) {
        return Vec::new();
    }
    const WAYS: [(bool, usize, bool); 3] = [(true, 2, false), (false, 4, false), (false, 4, true)];
    // For each kind, way and phase: each run's bytes in `s`, and what it writes (and glued).
    let mut found: Vec<Vec<Located>> = (0..10).map(|_| Vec::new()).collect();
    let whole = for_each_group(s, |g| {
        let mut class = 0;
        for (hex, per, stop) in WAYS {
            for phase in 0..per {
                for f in runs_in(s, g, hex, phase, stop) {
                    let a = g.byte_of(f.from);
                    let mut b = g.byte_of(f.to.saturating_sub(1)).saturating_add(1).min(g.end);
                    b += s
                        .get(b..)
                        .unwrap_or_default()
                        .bytes()
                        .take(2)
                        .take_while(|&c| c == b'=')
                        .count();
                    // The shorter endings, by byte: after the word's last character.
                    let short: Vec<(usize, String)> = f
                        .shorter
                        .iter()
                        .map(|(e, t)| (g.byte_of(e.saturating_sub(1)).saturating_add(1), t.clone()))
                        .collect();
                    if let Some(list) = found.get_mut(class) {
                        list.push((a..b, f, short));
                    }
                }
                class += 1;
            }
        }
    });
    if whole.is_none() {
        // A text past 4 GiB: [`too_long`] holds it.
        return Vec::new();
    }
    let mut out = Vec::new();
    for runs in found.iter().filter(|r| !r.is_empty()) {
        let ways = if runs.iter().any(|(_, f, _)| f.glued.is_some()) {
            2
        } else {
            1
        };
        for glued in (0..ways).map(|w| w == 1) {
            let mut text = String::new();
            let mut copied = 0;
            for (at, f, _) in runs {
                text.push_str(s.get(copied..at.start).unwrap_or_default());
                text.push_str(if glued {
                    f.glued.as_deref().unwrap_or(&f.text)
                } else {
                    &f.text
                });
                copied = at.end;
            }
            text.push_str(s.get(copied..).unwrap_or_default());
            out.push(text);
        }
        // Each run ending with each earlier word that ends inside a quantum, the others whole
        // (no more than one past what holds the text).
        for (which, (_, _, short)) in runs.iter().enumerate() {
            for (end, t) in short {
                if out.len() > super::RUN_READINGS {
                    break;
                }
                let mut text = String::new();
                let mut copied = 0;
                for (k, (at, f, _)) in runs.iter().enumerate() {
                    text.push_str(s.get(copied..at.start).unwrap_or_default());
                    if k == which {
                        text.push_str(t);
                        copied = *end;
                    } else {
                        text.push_str(&f.text);
                        copied = at.end;
                    }
                }
                text.push_str(s.get(copied..).unwrap_or_default());
                out.push(text);
            }
        }
    }
    out.truncate(super::RUN_READINGS + 1);
    out
}

#[cfg(test)]
mod tests {
    use super::readings;

    /// Each character of base64's alphabet stands for its place in it; any other byte for 0.
    #[test]
    fn a_sextet_is_the_place_in_the_alphabet() {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for c in 0..=u8::MAX {
            let place = ALPHABET.iter().position(|&a| a == c).map_or(0, |p| p as u8);
            assert_eq!(super::sextet(c), place, "{c}");
        }
    }

    #[test]
    fn reads_runs_broken_by_white_space() {
        for (s, want) in [
            ("T3Blc mF0aW9uIE5JR0hUSkFS", "Operation NIGHTJAR"),
            ("aW50cmFuZ XQuY29ycC5leGFtcGxl", "intranet.corp.example"),
            ("VExQOlJ FRA==.", "TLP:RED."),
            ("4f 70 65 72 61 74 69 6f 6e", "O p e r a t i o n"),
            ("4f 70 65 72 61 74 69 6f 6e", "Operation"),
            ("QUFB T3BlcmF0aW9uIE5JR0hUSkFS", "AAA Operation NIGHTJAR"),
            (
                "QUFBQUFBQUE T3Blc mF0aW9uIE5JR0hUSkFS",
                "QUFBQUFBQUE Operation NIGHTJAR",
            ),
            ("-e UwBFAEMAUgBFAFQA", "-e SECRET"),
            ("x U0VDUkVU y", "x SECRET y"),
        ] {
            let r = readings(s);
            assert!(r.iter().any(|t| t == want), "{s:?}: {r:?}");
        }
        for s in [
            "the quick brown fox jumps over",
            "d41d8cd98f00b204e9800998ecf8427e",
            "de ad be ef ca fe",
        ] {
            assert!(readings(s).is_empty(), "{s:?}");
        }
    }

    /// A text of runs broken and disguised as an attacker would, and of words, hashes and
    /// white space: base64 (UTF-8 and UTF-16LE) and hex of short texts, split anywhere.
    fn disguised() -> impl proptest::strategy::Strategy<Value = String> {
        use base64::Engine;
        use proptest::prelude::*;
        let text = prop_oneof![
            Just("Operation NIGHTJAR".to_owned()),
            Just("intranet.corp.example".to_owned()),
            Just("10.20.30.40".to_owned()),
            Just("café ½ – “x”".to_owned()),
            "[ -~]{1,12}",
            proptest::collection::vec(any::<u8>(), 1..10).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ];
        let run = (text, 0..4u8).prop_map(|(t, how)| match how {
            0 => base64::engine::general_purpose::STANDARD.encode(t.as_bytes()),
            1 => base64::engine::general_purpose::STANDARD_NO_PAD.encode(t.as_bytes()),
            2 => hex::encode(t.as_bytes()),
            _ => base64::engine::general_purpose::STANDARD
                .encode(t.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()),
        });
        let piece = prop_oneof![
            3 => run,
            1 => "[A-Za-z0-9+/]{1,9}",
            1 => prop_oneof![Just("the".to_owned()), Just("de ad be ef".to_owned()), Just("e3b0c44298fc1c149afbf4c8996fb924".to_owned())],
        ];
        let gap = prop_oneof![
            Just(" "),
            Just("  "),
            Just("\n"),
            Just("\t"),
            Just("\u{a0}"),
            Just("."),
            Just("="),
            Just("-"),
            Just("é")
        ];
        (proptest::collection::vec(
            (piece, gap, proptest::collection::vec((0..40usize, 0..9usize), 0..3)),
            1..5,
        ))
        .prop_map(|parts| {
            let mut out = String::new();
            for (mut p, gap, splits) in parts {
                for (at, g) in splits {
                    let at = at.min(p.len());
                    if p.is_char_boundary(at) {
                        p.insert_str(
                            at,
                            [" ", "\n", "  ", "\t", " \n ", "\u{2003}", " ", " ", " "]
                                .get(g)
                                .copied()
                                .unwrap_or(" "),
                        );
                    }
                }
                out.push_str(&p);
                out.push_str(gap);
            }
            out
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The guard's reader and this one read the same runs (their own code, one rule).
        #[test]
        fn reads_as_the_guard_reads(s in disguised()) {
            let mut ours = readings(&s);
            // The guard makes none past the bound: then this reader has one past it.
            let Some(guards) = crate::text::encoded::readings(&s, super::super::RUN_READINGS) else {
                proptest::prop_assert!(ours.len() > super::super::RUN_READINGS, "{:?}", s);
                return Ok(());
            };
            let mut guards: Vec<String> = guards.into_iter().map(|(t, _)| t).collect();
            ours.sort();
            guards.sort();
            proptest::prop_assert_eq!(ours, guards, "{:?}", s);
        }
    }
}
