//! The one normal form every comparison of text that matters runs on (markings, dirty words,
//! redaction, addresses), with a map from each normalised byte back to the original text.
//!
//! NFKC per character cluster (a base character and its combining marks), lowercased, with
//! default-ignorable format characters (zero-width spaces, soft hyphens, …) removed and
//! whitespace runs folded to one space. So full-width, look-alike compatibility forms and hidden
//! characters cannot slip a word past. A match is mapped back to the original text, and only the
//! matched span is replaced: the rest stays as written.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// Text prepared for matching, with a map from each of its bytes back to the original.
#[derive(Debug)]
pub struct Normalized {
    pub text: String,
    /// For each byte of `text`: the original byte span of the cluster it came from; empty when
    /// the text maps byte for byte (plain ASCII with single spaces).
    map: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original span of the normalised span `start..end` (which must not be empty).
    pub fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if self.map.is_empty() {
            return (start < end && end <= self.text.len()).then_some((start, end));
        }
        let (a, _) = *self.map.get(start)?;
        let (_, b) = *self.map.get(end.checked_sub(1)?)?;
        Some((a, b))
    }
}

/// Plain ASCII whose only whitespace is single spaces normalises to its lowercase, byte for byte.
fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .all(|&c| c.is_ascii() && (c == b' ' || !c.is_ascii_whitespace()) && c != 0x7f && c >= 0x20)
        && !b.windows(2).any(|w| w == b"  ")
}

/// Characters removed before matching: Unicode default-ignorable format characters.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Normalise `s` for matching (see the module doc).
pub fn normalize(s: &str) -> Normalized {
    if is_plain(s) {
        return Normalized {
            text: s.to_ascii_lowercase(),
            map: Vec::new(),
        };
    }
    let mut text = String::with_capacity(s.len());
    let mut map: Vec<(usize, usize)> = Vec::with_capacity(s.len());
    let mut last_space = false;
    let mut chars = s.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, c)) = chars.next() {
        cluster.clear();
        cluster.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            if canonical_combining_class(next) == 0 {
                break;
            }
            cluster.push(next);
            end = at + next.len_utf8();
            chars.next();
        }
        for n in cluster.nfkc().flat_map(char::to_lowercase) {
            if is_ignorable(n) {
                continue;
            }
            if n.is_whitespace() {
                if last_space {
                    // Extend the folded space over this whitespace too.
                    if let Some(m) = map.last_mut() {
                        m.1 = end;
                    }
                    continue;
                }
                last_space = true;
                text.push(' ');
                map.push((start, end));
                continue;
            }
            last_space = false;
            let before = text.len();
            text.push(n);
            map.extend(std::iter::repeat_n((start, end), text.len() - before));
        }
    }
    Normalized { text, map }
}
