//! Text written in base64 or hex inside free text (`T3BlcmF0aW9uIE5JR0hUSkFS`,
//! `4f7065726174696f6e204e494748544a4152`): a reader pastes it into a decoder (CyberChef reads
//! both on sight), so the rules read it decoded too. A run is read so only when what it decodes
//! to is text: UTF-8, or UTF-16LE as PowerShell's `-EncodedCommand` writes it, of printable
//! characters (a hash or an ordinary long word decodes to bytes that are not). A decoder skips
//! white space, so a run is read from any word's start across the white space after it
//! (`T3Blc mF0aW9uIE5JR0hUSkFS`, `4f 70 65 72 …`), in each way a decoder may take ([`readings`]).
//! The readings of [`super::escape`] take these in. The verifier reads runs by its own code
//! (`verifier/text/runs.rs`); a property test holds the two to the same readings.

use std::ops::Range;

/// The shortest run read: 8 characters (6 bytes in base64, 4 in hex; `U0VDUkVU` is `SECRET`).
const MIN_RUN: usize = 8;

/// The two ways a run writes bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Two hex digits a byte.
    Hex,
    /// Four characters of base64's alphabet (letters, digits, `+`, `/`) three bytes.
    Base64,
}

impl Kind {
    /// Characters in a quantum: what writes whole bytes.
    fn quantum(self) -> usize {
        match self {
            Kind::Hex => 2,
            Kind::Base64 => 4,
        }
    }

    /// The value of the character `c` in this alphabet.
    fn value(self, c: u8) -> Option<u8> {
        let v = match self {
            Kind::Hex => HEX[usize::from(c)],
            Kind::Base64 => BASE64[usize::from(c)],
        };
        (v != NONE).then_some(v)
    }

    /// The bytes the values `v` write: a whole quantum, or the start of one (two or three
    /// characters of base64, their trailing bits ignored, as lenient decoders do).
    fn write(self, v: &[u8], out: &mut Vec<u8>) {
        let at = |k: usize| v.get(k).copied().unwrap_or(0);
        match self {
            Kind::Hex if v.len() == 2 => out.push(at(0) << 4 | at(1)),
            Kind::Base64 if v.len() >= 2 => {
                out.push(at(0) << 2 | at(1) >> 4);
                if v.len() >= 3 {
                    out.push((at(1) & 15) << 4 | at(2) >> 2);
                }
                if v.len() == 4 {
                    out.push((at(2) & 3) << 6 | at(3));
                }
            }
            _ => {}
        }
    }
}

/// A byte's value in hex and in base64 ([`NONE`] when it is no digit of it).
const HEX: [u8; 256] = table(b"0123456789abcdef", b"0123456789ABCDEF");
const BASE64: [u8; 256] = table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", b"");
const NONE: u8 = 0xff;

/// The values of the digits `a` (and `b`, the same digits written otherwise), by byte.
const fn table(a: &[u8], b: &[u8]) -> [u8; 256] {
    let mut t = [NONE; 256];
    let mut k = 0;
    while k < a.len() {
        t[a[k] as usize] = k as u8;
        if k < b.len() {
            t[b[k] as usize] = k as u8;
        }
        k += 1;
    }
    t
}

/// Whether `bytes`, from the start of a character, are text: printable characters, tabs and
/// line breaks, in UTF-8, or in UTF-16LE when `wide` (every second byte zero, as PowerShell's
/// `-EncodedCommand` writes ASCII). `Some(true)` when they end at a character's end,
/// `Some(false)` inside one, `None` when they are not text.
fn text_so_far(bytes: &[u8], wide: bool) -> Option<bool> {
    let shown = |c: char| matches!(c, '\t' | '\n' | '\r') || !c.is_control();
    if !wide && bytes.is_ascii() {
        return bytes.iter().all(|&b| shown(char::from(b))).then_some(true);
    }
    if wide {
        let pairs = bytes.chunks(2).all(|p| match p {
            [lo, 0] | [lo] => shown(char::from(*lo)),
            _ => false,
        });
        return pairs.then_some(bytes.len().is_multiple_of(2));
    }
    let (valid, whole) = match std::str::from_utf8(bytes) {
        Ok(t) => (t, true),
        Err(e) if e.error_len().is_none() => (std::str::from_utf8(bytes.get(..e.valid_up_to())?).ok()?, false),
        Err(_) => return None,
    };
    valid.chars().all(shown).then_some(whole)
}

/// A run of base64 or hex that writes text: its byte range in the text (its `=` padding in),
/// and the text, the white space kept where it stands between two whole quanta.
#[derive(Clone)]
struct Run {
    kind: Kind,
    /// Whether the run ends where a word ends inside a quantum ([`scan`]'s `stop`).
    stops: bool,
    /// Which quanta the run's characters fall in: its start, counted in the characters of its
    /// group, modulo the quantum. Runs of one kind and phase never overlap.
    phase: usize,
    range: Range<usize>,
    /// What it writes, the white space between whole quanta kept (`QUFB T3Bl…` is `AAA Op…`).
    text: String,
    /// What it writes, all white space gone (`4f 70 65 72` is `Oper`), when that differs.
    glued: Option<String>,
    /// The run ending with an earlier word that ends two or three characters into a quantum
    /// (`MTAuMj AuMzAuNDA 2` is `10.20.30.40` and `2`, or `10.20.30.406`): range and text.
    shorter: Vec<(Range<usize>, String)>,
}

/// The scan's buffers, kept from one start to the next.
#[derive(Default)]
struct Scratch {
    bytes: Vec<u8>,
    /// Where white space stood between two quanta: the byte of `bytes` after it, and the white
    /// space (kept where a character starts there).
    cuts: Vec<(usize, Range<usize>)>,
}

/// The width of the white space at byte `at` of `s` (a decoder skips it), when there is one.
fn space_at(s: &str, at: usize) -> Option<usize> {
    let b = *s.as_bytes().get(at)?;
    if b.is_ascii() {
        return (b.is_ascii_whitespace() || b == 0x0b).then_some(1);
    }
    let c = s.get(at..)?.chars().next()?;
    c.is_whitespace().then_some(c.len_utf8())
}

/// The next character of `kind`'s alphabet at or after `*at` with nothing but white space
/// before it: its value and its byte, and the white space skipped; `*at` moves past it.
fn next_char(s: &str, at: &mut usize, kind: Kind) -> Option<(u8, usize, Option<Range<usize>>)> {
    let from = *at;
    loop {
        let c = *s.as_bytes().get(*at)?;
        if let Some(v) = kind.value(c) {
            let gap = (*at > from).then_some(from..*at);
            let here = *at;
            *at += 1;
            return Some((v, here, gap));
        }
        *at += space_at(s, *at)?;
    }
}

/// Reads `kind` from the word starting at byte `from` on, across white space (a decoder skips
/// it), quantum by quantum while what it writes is text. Returns how many characters it read
/// as text (a later start in the same phase, inside them, would read only the end of this run
/// again), and the run, when it is one: at least [`MIN_RUN`] characters, ending where a character
/// of text ends. A quantum cut short where a word or the text ends is read as far as it goes,
/// as a lenient decoder reads `…RA==`. When `stop`, a word's end two or three characters into
/// a quantum ends the run (the run was those words: `MTAuMjAuMzAuNDA w…`); else the run reads
/// on across it (`T3Blc mF0a…`). A reader may take either; each is a reading of its own.
fn scan(s: &str, from: usize, kind: Kind, phase: usize, stop: bool, scratch: &mut Scratch) -> Scanned {
    let q = kind.quantum();
    let Scratch { bytes, cuts } = scratch;
    bytes.clear();
    cuts.clear();
    // The run so far, ended where a character of text ends: its bytes, its end in `s`, and
    // how many characters it took.
    let (mut good_bytes, mut good_end, mut good_chars) = (0, from, 0);
    // Where the last character read so far ended: the bytes are read as text from there on.
    let mut checked = 0;
    let mut values = [0u8; 4];
    let (mut n, mut chars, mut whole) = (0, 0, 0);
    let mut at = from;
    let mut last_end = from;
    // How many characters came before the first that follows white space, and before the first
    // that prose seldom has ([`unlike_prose`]).
    let (mut first_after_gap, mut first_unlike) = (usize::MAX, usize::MAX);
    // Where a word ended inside the quantum being read, two or three of its characters in (the
    // last such end), or the text did.
    let mut word_end: Option<(usize, usize)> = None;
    // Whether a word ended two or three characters into a quantum (where `stop` reads apart),
    // and where the run could end so: its bytes, its end in `s`, its characters.
    let mut choice = false;
    let mut ends: Vec<(usize, usize, usize)> = Vec::new();
    loop {
        let Some((v, here, gap)) = next_char(s, &mut at, kind) else {
            // Where the text ends, a decoder reads every character of the quantum.
            word_end = Some((n, last_end));
            break;
        };
        let after_gap = gap.is_some();
        if n == 0 {
            // A quantum starting a word: the white space before it is kept where a character
            // starts there.
            if let Some(g) = gap.filter(|_| chars > 0) {
                cuts.push((bytes.len(), g));
            }
        } else if after_gap && n >= 2 {
            word_end = Some((n, last_end));
            choice = true;
            // The run may end with this word, the quantum read as far as it goes: what that
            // writes is the start of what the whole quantum writes.
            let l = bytes.len();
            kind.write(values.get(..n).unwrap_or_default(), bytes);
            let wide = bytes.get(1) == Some(&0);
            if text_so_far(bytes.get(checked..).unwrap_or_default(), wide) == Some(true) {
                (good_bytes, good_end, good_chars) = (bytes.len(), last_end, chars);
                ends.push((bytes.len(), last_end, chars));
            }
            bytes.truncate(l);
            if stop {
                break;
            }
        }
        if let Some(slot) = values.get_mut(n) {
            *slot = v;
        }
        n += 1;
        chars += 1;
        last_end = here + 1;
        if after_gap && first_after_gap == usize::MAX {
            first_after_gap = chars - 1;
        }
        if first_unlike == usize::MAX && unlike_prose(s, here) {
            first_unlike = chars - 1;
        }
        if n < q {
            continue;
        }
        let before = bytes.len();
        kind.write(values.get(..q).unwrap_or_default(), bytes);
        // The second byte tells UTF-16 from UTF-8; the bytes are read from the first on then.
        if bytes.len() < 2 {
            (whole, n, word_end) = (chars, 0, None);
            continue;
        }
        let wide = bytes.get(1) == Some(&0);
        match text_so_far(bytes.get(checked..).unwrap_or_default(), wide) {
            None => {
                bytes.truncate(before);
                break;
            }
            Some(ends) => {
                if ends {
                    checked = bytes.len();
                }
                // A run ends where a word does: a decoder is given whole words.
                if ends && word_ends_at(s, last_end) {
                    (good_bytes, good_end, good_chars) = (bytes.len(), last_end, chars);
                }
                (whole, n, word_end) = (chars, 0, None);
            }
        }
    }
    // A quantum cut short where a word ends, read as far as it goes.
    if let Some((k, end)) = word_end
        && k >= 2
        && word_ends_at(s, end)
    {
        kind.write(values.get(..k).unwrap_or_default(), bytes);
        let wide = bytes.get(1) == Some(&0);
        if bytes.len() > good_bytes && text_so_far(bytes.get(checked..).unwrap_or_default(), wide) == Some(true) {
            (good_bytes, good_end, good_chars) = (bytes.len(), end, whole + k);
        }
    }
    let read = whole.max(good_chars);
    // A run across white space holds a character prose seldom has: `Side Includes` writes
    // printable bytes too, and prose is no run.
    let prose = |upto: usize| first_after_gap < upto && first_unlike >= upto;
    if good_chars < MIN_RUN || prose(good_chars) {
        return Scanned {
            read,
            run: None,
            choice,
        };
    }
    bytes.truncate(good_bytes);
    let wide = bytes.get(1) == Some(&0);
    // What the first `upto` bytes write, the white space kept where a character starts (not
    // inside one); and whether any was.
    let render = |upto: usize| -> (String, bool) {
        let mut text = String::new();
        let mut last = 0;
        let starts_char = |c: usize| {
            if wide {
                c.is_multiple_of(2)
            } else {
                bytes.get(c).is_some_and(|&b| b & 0xc0 != 0x80)
            }
        };
        for (cut, gap) in cuts.iter().filter(|c| c.0 < upto && starts_char(c.0)) {
            text.push_str(&as_text(bytes.get(last..*cut).unwrap_or_default(), wide));
            text.push_str(s.get(gap.clone()).unwrap_or_default());
            last = *cut;
        }
        text.push_str(&as_text(bytes.get(last..upto).unwrap_or_default(), wide));
        (text, last > 0)
    };
    let (text, spaced) = render(good_bytes);
    let glued = spaced.then(|| as_text(bytes, wide));
    // The same run ending with an earlier word that ends inside a quantum.
    let shorter = ends
        .iter()
        .filter(|&&(_, _, c)| c < good_chars && c >= MIN_RUN && !prose(c))
        .take(super::escape::RUN_READINGS + 1)
        .map(|&(upto, end, _)| (from..end, render(upto).0))
        .collect();
    let pad = s
        .get(good_end..)
        .unwrap_or_default()
        .bytes()
        .take(2)
        .take_while(|&c| c == b'=')
        .count();
    let run = Run {
        kind,
        stops: stop,
        phase,
        range: from..good_end + pad,
        text,
        glued,
        shorter,
    };
    Scanned {
        read,
        run: Some(run),
        choice,
    }
}

/// What [`scan`] found: how many characters it read as text, the run, and whether it met a
/// word's end inside a quantum (else reading with `stop` finds the same).
struct Scanned {
    read: usize,
    run: Option<Run>,
    choice: bool,
}

/// Whether no run of `kind` can start at byte `i` of `s`. A run is eight characters or more, so
/// its first quanta write text: told from its first two quanta when they stand in one word,
/// else from the first quanta a decoder reads across white space that a scan checks as text on
/// their own (one of base64; two of hex, whose first writes one byte). A scan from such a start
/// reads fewer characters as text than it would skip of a later start of its phase: none.
fn cannot_start(s: &str, i: usize, kind: Kind) -> bool {
    let q = kind.quantum();
    let b = s.as_bytes();
    // A first character of base64 whose value writes a first byte no reading shows, whatever
    // follows: a C0 control but tab, line feed and carriage return (`A`, `B`, `E` to `H`), or a
    // byte 0x80 to 0x9F (`g` to `n`: no start of UTF-8, a C1 control in UTF-16LE).
    if kind == Kind::Base64
        && b.get(i)
            .is_some_and(|&c| matches!(BASE64[usize::from(c)], 0 | 1 | 4..=7 | 32..=39))
    {
        return true;
    }
    let in_word = b
        .get(i..i + 2 * q)
        .filter(|head| head.iter().all(|&c| Kind::Base64.value(c).is_some()));
    let mut values = [0u8; 8];
    let taken = match in_word {
        Some(head) => {
            for (v, &c) in values.iter_mut().zip(head) {
                match kind.value(c) {
                    Some(x) => *v = x,
                    None => return true,
                }
            }
            2 * q
        }
        None => {
            let first = if kind == Kind::Hex { 2 * q } else { q };
            let mut at = i;
            for v in values.iter_mut().take(first) {
                *v = match b.get(at).and_then(|&c| kind.value(c)) {
                    Some(x) => {
                        at += 1;
                        x
                    }
                    None => match next_char(s, &mut at, kind) {
                        Some((x, _, _)) => x,
                        None => return false,
                    },
                };
            }
            first
        }
    };
    // What they write, on the stack: two bytes of hex, three or six of base64.
    let v = |k: usize| values.get(k).copied().unwrap_or(0);
    let (written, per) = match kind {
        Kind::Hex => ([v(0) << 4 | v(1), v(2) << 4 | v(3), 0, 0, 0, 0], 1),
        Kind::Base64 => (
            [
                v(0) << 2 | v(1) >> 4,
                (v(1) & 15) << 4 | v(2) >> 2,
                (v(2) & 3) << 6 | v(3),
                v(4) << 2 | v(5) >> 4,
                (v(5) & 15) << 4 | v(6) >> 2,
                (v(6) & 3) << 6 | v(7),
            ],
            3,
        ),
    };
    let bytes = written.get(..taken / q * per).unwrap_or_default();
    text_so_far(bytes, bytes.get(1) == Some(&0)).is_none()
}

/// Whether a word of base64's alphabet ends at byte `at` of `s` (no letter, digit, `+` or `/`
/// follows).
fn word_ends_at(s: &str, at: usize) -> bool {
    s.as_bytes().get(at).is_none_or(|&c| Kind::Base64.value(c).is_none())
}

/// Whether the character at byte `at` of `s` is one a word of prose seldom has and base64
/// mostly does: a digit, `+`, `/`, or a capital after the first letter of a word.
fn unlike_prose(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    match b.get(at) {
        Some(c) if c.is_ascii_digit() || *c == b'+' || *c == b'/' => true,
        Some(c) if c.is_ascii_uppercase() => at
            .checked_sub(1)
            .and_then(|p| b.get(p))
            .is_some_and(|&p| Kind::Base64.value(p).is_some()),
        _ => false,
    }
}

/// `bytes`, found text by [`text_so_far`], as a string.
fn as_text(bytes: &[u8], wide: bool) -> String {
    if wide {
        bytes.iter().step_by(2).map(|&c| char::from(c)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The runs of `s`, in order of kind, way, phase and start; only the first when `first` (whether
/// there is one). A decoder reads a run from where a word starts, across white space, so each
/// word's start is tried in each kind; a start inside the whole quanta an earlier start of the
/// same kind and phase read is skipped (it would read the end of that run again). Each
/// character is so read a bounded number of times: linear.
fn runs(s: &str, first: bool) -> Vec<Run> {
    let b = s.as_bytes();
    let mut found: Vec<Run> = Vec::new();
    let mut scratch = Scratch::default();
    let mut i = 0;
    while i < b.len() {
        // A group: words of base64's alphabet with white space between them.
        let Some(start) = b
            .get(i..)
            .and_then(|r| r.iter().position(|&c| Kind::Base64.value(c).is_some()))
        else {
            break;
        };
        i += start;
        // For each way of reading and phase, how far (in the group's characters) a scan has read.
        let mut reach = [[0usize; 4]; 3];
        let mut chars = 0;
        loop {
            // `i` is a word's start, `chars` the group's characters before it.
            // A word's end inside a quantum of hex is no choice: a quantum is two digits.
            // A scan reading on that met no word's end inside a quantum stands for the scan
            // with `stop` from the same start.
            let ways = [(Kind::Hex, false), (Kind::Base64, false), (Kind::Base64, true)];
            let mut plain_scan: Option<(usize, Option<usize>)> = None;
            // Whether base64 cannot start here, asked once for both ways.
            let mut base64_dead = None;
            for (k, (kind, stop)) in ways.into_iter().enumerate() {
                let phase = chars % kind.quantum();
                let Some(r) = reach.get_mut(k).and_then(|r| r.get_mut(phase)) else {
                    continue;
                };
                if chars < *r || kind.value(b.get(i).copied().unwrap_or(0)).is_none() {
                    continue;
                }
                if let (true, Some((read, at))) = (stop, plain_scan) {
                    *r = chars + read;
                    if let Some(run) = at.and_then(|a| found.get(a)) {
                        let run = Run {
                            stops: true,
                            ..run.clone()
                        };
                        found.push(run);
                    }
                    continue;
                }
                let dead = match kind {
                    Kind::Hex => cannot_start(s, i, kind),
                    Kind::Base64 => *base64_dead.get_or_insert_with(|| cannot_start(s, i, kind)),
                };
                if dead {
                    continue;
                }
                let scanned = scan(s, i, kind, phase, stop, &mut scratch);
                *r = chars + scanned.read;
                let at = scanned.run.is_some().then_some(found.len());
                if kind == Kind::Base64 && !stop && !scanned.choice {
                    plain_scan = Some((scanned.read, at));
                }
                if let Some(run) = scanned.run {
                    found.push(run);
                    if first {
                        return found;
                    }
                }
            }
            let word = b.get(i..).map_or(0, |r| {
                r.iter().take_while(|&&c| Kind::Base64.value(c).is_some()).count()
            });
            i += word;
            chars += word;
            let mut j = i;
            while let Some(w) = space_at(s, j) {
                j += w;
            }
            if j == i || b.get(j).is_none_or(|&c| Kind::Base64.value(c).is_none()) {
                break;
            }
            i = j;
        }
    }
    found.sort_by_key(|r| (r.kind, r.stops, r.phase, r.range.start));
    found
}

/// Whether `s` holds a run of base64 or hex that writes text.
pub fn may_hold(s: &str) -> bool {
    !runs(s, true).is_empty()
}

/// The readings of `s` with its runs of base64 or hex that write text read as that text, each
/// byte of a run's text coming from the whole run (a redaction takes the run): for each kind,
/// way ([`scan`]'s `stop`) and phase that has a run (the runs of one never overlap; those of two
/// may, and a decoder reads either), one reading with the white space between whole quanta
/// kept, and one with it gone when that differs; and one for each earlier ending of a run.
/// Empty when `s` holds no run; `None` when there are more than `room` (the text is held, and
/// each reading is as long as the text: none is made).
pub fn readings(s: &str, room: usize) -> Option<Vec<(String, Vec<Range<usize>>)>> {
    let runs = runs(s, false);
    let classes = || runs.chunk_by(|a, b| (a.kind, a.stops, a.phase) == (b.kind, b.stops, b.phase));
    let count: usize = classes()
        .map(|class| {
            let shorter: usize = class.iter().map(|r| r.shorter.len()).sum();
            1 + usize::from(class.iter().any(|r| r.glued.is_some())) + shorter
        })
        .sum();
    if count > room {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for class in classes() {
        out.push(reading(s, class, false, None));
        if class.iter().any(|r| r.glued.is_some()) {
            out.push(reading(s, class, true, None));
        }
        for (k, run) in class.iter().enumerate() {
            for short in &run.shorter {
                out.push(reading(s, class, false, Some((k, short))));
            }
        }
    }
    Some(out)
}

/// `s` with `runs` (in order, none overlapping) read as what they write, `glued` or not, run
/// `short.0` ending early as `short.1` says.
fn reading(
    s: &str,
    runs: &[Run],
    glued: bool,
    short: Option<(usize, &(Range<usize>, String))>,
) -> (String, Vec<Range<usize>>) {
    let mut text = String::new();
    let mut map = Vec::new();
    let mut plain = 0;
    for (k, run) in runs.iter().enumerate() {
        let (range, written) = match short {
            Some((at, (range, t))) if at == k => (range.clone(), t),
            _ if glued => (run.range.clone(), run.glued.as_ref().unwrap_or(&run.text)),
            _ => (run.range.clone(), &run.text),
        };
        text.push_str(s.get(plain..range.start).unwrap_or_default());
        map.extend((plain..range.start).map(|k| k..k + 1));
        text.push_str(written);
        map.extend(std::iter::repeat_n(range.clone(), written.len()));
        plain = range.end;
    }
    text.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    (text, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Vec<String> {
        readings(s, usize::MAX)
            .unwrap_or_default()
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn reads_runs_that_decode_to_text() {
        for (s, reading) in [
            ("x T3BlcmF0aW9uIE5JR0hUSkFS y", "x Operation NIGHTJAR y"),
            ("U0VDUkVU", "SECRET"),
            ("VExQOlJFRA==.", "TLP:RED."),
            ("4f7065726174696f6e204e494748544a4152", "Operation NIGHTJAR"),
            ("-e UwBFAEMAUgBFAFQA", "-e SECRET"),
            // Broken by white space anywhere: a decoder skips it.
            ("T3Blc mF0aW9uIE5JR0hUSkFS", "Operation NIGHTJAR"),
            ("T3BlcmF0aW9uIE5JR0hUS\nkFS.", "Operation NIGHTJAR."),
            ("aW50cmFuZ XQuY29ycC5leGFtcGxl", "intranet.corp.example"),
            ("VExQOlJ FRA==", "TLP:RED"),
            ("54 4c 50 3a 52 45 44", "T L P : R E D"),
            ("544c 503a 5245 44", "TL P: RE D"),
            ("54 4c 50 3a 52 45 44", "TLP:RED"),
            ("K AAyADAAMgApACAANQA1ADUALQAwADEANAAzAA==", "(202) 555-0143"),
            // A word's end inside a quantum ends the run, or the run reads on (here to no
            // word's end: no run).
            ("MTAuMjAuMzAuNDA wAAA", "10.20.30.40 wAAA"),
            // White space between whole quanta is kept: a run before does not run into it.
            ("QUFB T3BlcmF0aW9uIE5JR0hUSkFS", "AAA Operation NIGHTJAR"),
            ("see T3BlcmF0aW9uIE5JR0hUSkFS", "see Operation NIGHTJAR"),
        ] {
            assert!(read(s).iter().any(|r| r == reading), "{s:?}: {:?}", read(s));
        }
        let r = readings("a VExQOlJFRA== b", usize::MAX).unwrap_or_default();
        let map = &r.first().map(|(_, m)| m.clone()).unwrap_or_default();
        assert_eq!(map.get(2), Some(&(2..14)));
        assert_eq!(map.get(9), Some(&(14..15)));
    }

    #[test]
    fn reads_each_phase_apart() {
        // A run that starts inside another, in another phase, is read in a reading of its own.
        let decoy = "QUFBQUFBQUE";
        let rs = read(&format!("{decoy} T3Blc mF0aW9uIE5JR0hUSkFS"));
        assert!(rs.iter().any(|r| r.ends_with("Operation NIGHTJAR")), "{rs:?}");
    }

    #[test]
    fn leaves_hashes_and_words() {
        for s in [
            "d41d8cd98f00b204e9800998ecf8427e",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7855b852",
            "internationalization and characterization",
            "the quick brown fox jumps over",
            "C:/Windows/System32/WindowsPowerShell",
            // Text only in part of a word (`OMZ@` and then no text): a decoder is given words.
            "4f4d5a40bccd",
            "indicator--c1bd12cb-661b-484a-a7e1-4f4d5a40bccd",
            "1234567",
            "de ad be ef ca fe ba be",
        ] {
            assert_eq!(read(s), Vec::<String>::new(), "{s:?}");
        }
    }

    /// Texts of runs and near-runs: printable text (or bytes) written in hex or base64, as
    /// UTF-8 or UTF-16LE, cut into words at any place, with white space and other words around.
    fn near_runs() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let written = (
            proptest::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()], 2..16),
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(0usize..40, 0..5),
        )
            .prop_map(|(text, wide, hex, cuts)| {
                let bytes: Vec<u8> = if wide {
                    text.iter().flat_map(|&c| [c, 0]).collect()
                } else {
                    text
                };
                let mut out = String::new();
                if hex {
                    for b in &bytes {
                        out.push_str(&format!("{b:02x}"));
                    }
                } else {
                    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                    for chunk in bytes.chunks(3) {
                        let v = |k: usize| u32::from(chunk.get(k).copied().unwrap_or(0));
                        let n = v(0) << 16 | v(1) << 8 | v(2);
                        for k in 0..=chunk.len() {
                            let sextet = (n >> (18 - 6 * k)) & 63;
                            out.push(char::from(ALPHABET[sextet as usize]));
                        }
                    }
                }
                let mut cuts = cuts;
                cuts.sort_unstable();
                cuts.dedup();
                let len = out.len();
                for at in cuts.into_iter().rev().filter(|&c| c > 0 && c < len) {
                    out.insert(at, ' ');
                }
                out
            });
        let word = prop_oneof!["[0-9a-f]{1,6}", "[A-Za-z0-9+/]{1,9}", "[a-z]{1,7}"];
        proptest::collection::vec(prop_oneof![written, word], 1..5).prop_map(|w| w.join(" "))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// A start [`cannot_start`] rules out is one no scan finds a run from, in either way,
        /// and a scan from it would skip no later start: it reads no further than the next.
        #[test]
        fn a_dead_start_is_one_no_scan_reads(s in near_runs()) {
            let b = s.as_bytes();
            let mut scratch = Scratch::default();
            for i in 0..b.len() {
                for kind in [Kind::Hex, Kind::Base64] {
                    let word_start = i == 0 || b.get(i - 1).is_some_and(|&c| Kind::Base64.value(c).is_none());
                    if !word_start || b.get(i).and_then(|&c| kind.value(c)).is_none() {
                        continue;
                    }
                    if !cannot_start(&s, i, kind) {
                        continue;
                    }
                    // The next start of the phase is a quantum on, or a word on: past it.
                    let next = (i + 1..b.len())
                        .find(|&k| b.get(k - 1).is_some_and(|&c| Kind::Base64.value(c).is_none()))
                        .map_or(usize::MAX, |k| s.get(i..k).map_or(0, |w| w.bytes().filter(|&c| kind.value(c).is_some() || Kind::Base64.value(c).is_some()).count()))
                        .max(kind.quantum());
                    for stop in [false, true] {
                        let scanned = scan(&s, i, kind, 0, stop, &mut scratch);
                        proptest::prop_assert!(scanned.run.is_none(), "{:?} at {} (hex: {})", s, i, kind == Kind::Hex);
                        proptest::prop_assert!(scanned.read <= next, "{:?} at {}: read {} of {}", s, i, scanned.read, next);
                    }
                }
            }
        }
    }
}
