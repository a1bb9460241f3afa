//! Sanitisation rules, format-independent: redaction (literal or regular expression) and dirty
//! words, matched on normalised text, and internal address ranges and domains for indicator
//! patterns.
//!
//! Matching runs on a normalised copy of the text: NFKC per character cluster (a base character
//! and its combining marks), lowercased, with default-ignorable format characters (zero-width
//! spaces, soft hyphens, …) removed and whitespace runs folded to one space. So full-width,
//! look-alike compatibility forms and hidden characters cannot slip a word past. A match is mapped
//! back to the original text, and only the matched span is replaced: the rest stays as written.

use std::net::IpAddr;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use crate::text::internal::Internal;
pub use crate::text::{Normalized, Prepared, normalize};

// ---------------------------------------------------------------------------------------------
// Rules as written in a policy
// ---------------------------------------------------------------------------------------------

/// A redaction rule: replace what a literal or a regular expression matches in selected strings.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactRule {
    /// The rule's id, named in decisions and the audit log.
    pub id: String,
    /// Which strings: `type.property`, `*.property`, with `.sub`, `[*]` and `**` steps; empty:
    /// every string that crosses (the exempt kinds aside).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Strings the rule does not read (same syntax as `paths`): `["indicator.pattern"]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// A literal phrase (matched like a dirty word).
    #[schemars(with = "Option<String>")]
    pub literal: Option<Spanned<String>>,
    /// A regular expression (the `regex` crate: linear time), matched on normalised text, so it
    /// should be written in lowercase.
    #[schemars(with = "Option<String>")]
    pub regex: Option<Spanned<String>>,
    /// A recogniser instead of a literal or a regular expression: `email` (e-mail addresses,
    /// internationalised ones and domain literals included) or `phone` (telephone numbers by
    /// libphonenumber's rules for `regions`).
    pub recognizer: Option<Recognizer>,
    /// For `recognizer = "phone"`: the regions (ISO 3166-1 alpha-2, `US`, `JP`) whose national
    /// numbers are looked for; international numbers (`+…`) of every region always are.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub regions: Vec<Spanned<String>>,
    #[serde(default = "default_replacement")]
    #[schemars(with = "String")]
    pub replacement: Spanned<String>,
}

/// A built-in recogniser for a redaction rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Recognizer {
    Email,
    Phone,
}

/// What a dirty-word hit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DirtyAction {
    /// Drop the unit (the object) that contains it.
    Drop,
    /// Reject the whole message.
    Reject,
    /// Replace the phrase.
    Redact,
}

/// A dirty-word list: phrases inline or in a file beside the policy (one per line, `#` comments).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirtyWordList {
    pub id: String,
    #[serde(default = "no_words")]
    #[schemars(with = "Vec<String>")]
    pub words: Spanned<Vec<Spanned<String>>>,
    /// A file of phrases, relative to the policy file.
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    pub action: DirtyAction,
    #[serde(default = "default_replacement")]
    #[schemars(with = "String")]
    pub replacement: Spanned<String>,
    /// Which strings (as for redaction); all the unit's text when absent.
    #[schemars(with = "Option<Vec<String>>")]
    pub paths: Option<Vec<Spanned<String>>>,
    /// Strings the list does not read (as for redaction).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// Match whole words only (a hit must not be inside a longer word).
    #[serde(default = "yes")]
    pub whole_words: bool,
}

/// What an internal address, network, host, URL or e-mail address in a text becomes under a
/// `redact` pattern rule.
pub const INTERNAL_REPLACEMENT: &str = "[REDACTED]";

/// What a pattern rule does to an indicator whose pattern points inside the listed ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PatternAction {
    /// Drop the indicator.
    Drop,
    /// Remove the comparisons that point there and re-render the pattern (drop the indicator if
    /// nothing is left).
    Redact,
}

/// Internal address ranges and domains that indicator patterns must not reveal.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    pub id: String,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub cidrs: Vec<Spanned<String>>,
    /// Domain suffixes (`corp.example` covers `corp.example` and `a.corp.example`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub domains: Vec<Spanned<String>>,
    pub action: PatternAction,
}

/// The replacement when a rule names none; it has no span (nothing wrote it).
fn default_replacement() -> Spanned<String> {
    Spanned::new(0..0, "[REDACTED]".to_string())
}

/// An absent list of words; it has no span (nothing wrote it).
fn no_words() -> Spanned<Vec<Spanned<String>>> {
    Spanned::new(0..0, Vec::new())
}

/// The values of a list of spanned strings.
pub fn values(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

fn yes() -> bool {
    true
}

// ---------------------------------------------------------------------------------------------
// Compiled rules
// ---------------------------------------------------------------------------------------------

/// A path selecting strings in an object: a type (or `*`), then property steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPath {
    pub object_type: String,
    pub steps: Vec<PathStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Property(String),
    /// `[*]`: every element of a list.
    Each,
    /// `**`: any number of steps (none included), at any depth.
    AnyDepth,
}

impl TextPath {
    /// Parse `type.prop.sub[*].x` (`**` for any number of steps).
    pub fn parse(s: &str) -> Result<TextPath, String> {
        let (t, rest) = s
            .split_once('.')
            .ok_or_else(|| format!("`{s}` needs a type (or `*`) and a property, like `indicator.description`"))?;
        let mut steps = Vec::new();
        for part in rest.split('.') {
            if part == "**" {
                steps.push(PathStep::AnyDepth);
                continue;
            }
            let (name, each) = match part.strip_suffix("[*]") {
                Some(n) => (n, true),
                None => (part, false),
            };
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(format!("`{part}` in `{s}` is not a property name"));
            }
            steps.push(PathStep::Property(name.to_string()));
            if each {
                steps.push(PathStep::Each);
            }
        }
        Ok(TextPath {
            object_type: t.to_string(),
            steps,
        })
    }

    pub fn applies_to(&self, object_type: &str) -> bool {
        self.object_type == "*" || self.object_type == object_type
    }

    /// Whether this `xml.…` (or `*.…`) path selects the string at `chain`: the local names of
    /// the elements from the root down to the string's element, then the attribute's, if it is
    /// one. The path's names match the end of the chain, one name a step, `**` any number of
    /// names between (`xml.info.description`, `xml.alert.**.description`).
    pub fn selects_xml(&self, chain: &[&str]) -> bool {
        if !(self.object_type == "*" || self.object_type == "xml") {
            return false;
        }
        // Steps right to left, one pass over the chain each: linear in both (a path has a few
        // steps).
        let steps: Vec<&PathStep> = self.steps.iter().filter(|s| **s != PathStep::Each).collect();
        let n = chain.len();
        // reach[i]: the steps matched so far can end just before chain position i (from the end).
        let mut reach = vec![false; n + 1];
        if let Some(end) = reach.first_mut() {
            *end = true;
        }
        for step in steps.iter().rev() {
            let mut next = vec![false; n + 1];
            match step {
                PathStep::AnyDepth => {
                    let mut any = false;
                    for (i, r) in reach.iter().enumerate() {
                        any |= *r;
                        if let Some(x) = next.get_mut(i) {
                            *x = any;
                        }
                    }
                }
                PathStep::Property(name) => {
                    for i in 0..n {
                        let here = reach.get(i).copied().unwrap_or(false);
                        let name_at = chain.get(n - 1 - i).is_some_and(|c| c == name);
                        if here
                            && name_at
                            && let Some(x) = next.get_mut(i + 1)
                        {
                            *x = true;
                        }
                    }
                }
                PathStep::Each => {}
            }
            reach = next;
        }
        // The path need not start at the root: any end position will do, but at least one
        // name was matched.
        !steps.is_empty() && reach.iter().skip(1).any(|r| *r)
    }
}

/// A compiled text rule: what to look for.
#[derive(Debug, Clone)]
pub enum Matcher {
    Regex(Regex),
    /// E-mail addresses ([`crate::text::email`]).
    Email,
    /// Telephone numbers ([`crate::text::phone`]).
    Phone(crate::text::phone::Phones),
    /// Phrases, normalised; whole words only or not.
    Phrases {
        automaton: AhoCorasick,
        whole_words: bool,
        /// For each pattern of the automaton, whether it is a form with an inflection
        /// ([`inflected`]): a name is numbered or marked as written only (`NIGHTJAR2`), so
        /// that an inflection is never read out of the next word (`NIGHTJAR si`).
        inflected: Vec<bool>,
    },
}

impl Matcher {
    /// Spans (in the normalised text) of every match.
    pub fn find(&self, n: &Normalized) -> Vec<(usize, usize)> {
        self.find_as_written(n, "")
    }

    /// [`Matcher::find`] on the normal form `n` of `raw`: a whole-word phrase also ends where
    /// the case of the letters as written changes ([`case_break`]: `SeeProjectBLUEBIRD`,
    /// `OperationNightjarPlan`). With `raw` empty, no case is known and none counts.
    pub fn find_as_written(&self, n: &Normalized, raw: &str) -> Vec<(usize, usize)> {
        match self {
            Matcher::Regex(r) => r
                .find_iter(&n.text)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Email => crate::text::email::find(&n.text),
            Matcher::Phone(p) => p.find_as_written(n, raw),
            Matcher::Phrases {
                automaton,
                whole_words,
                inflected,
            } => {
                if !whole_words {
                    // In the letter reading, byte for byte as long as the text.
                    return crate::text::merge_spans(
                        automaton
                            .find_overlapping_iter(&*crate::text::letter_reading(&n.text))
                            .map(|m| (m.start(), m.end()))
                            .collect(),
                    );
                }
                // Whole words: looked for in the compact text, each hit then bounded by words
                // in the normal text; and, when a sign stands inside a word (`NIGHTJ@R`), in the
                // compact text that reads it as its letter too.
                let mut hits = Vec::new();
                let readings = [Some(Compact::of(&n.text)), Compact::with_signs(&n.text)];
                for c in readings.iter().flatten() {
                    hits.extend(automaton.find_overlapping_iter(c.bytes()).filter_map(|m| {
                        let (a, b) = c.normal_span(m.start(), m.end())?;
                        let numbered = !inflected.get(m.pattern().as_usize()).copied().unwrap_or(true);
                        let cased = |k: usize| !raw.is_empty() && case_break(n, raw, k);
                        is_word_boundary(&n.text, a, b, numbered, cased).then_some((a, b))
                    }));
                }
                crate::text::merge_spans(hits)
            }
        }
    }
}

/// Normal text with every run of characters other than letters and digits that stands between
/// two letters or digits removed: `night-jar`, `n.i.g.h.t.j.a.r`, `night jar` and `nightjar` are
/// all `nightjar`; ASCII look-alikes of letters read as letters ([`crate::text::letter_reading`]:
/// `n1ghtjar`). Whole-word phrases are compacted alike and looked for here, so a separator or a
/// look-alike slipped into a phrase does not hide it. Held as the kept segments, each with where it starts
/// in the compact and in the normal text.
pub struct Compact {
    text: Vec<u8>,
    /// `(compact start, normal start)` of each kept segment, in order.
    segments: Vec<(usize, usize)>,
}

impl Compact {
    pub fn of(normal: &str) -> Compact {
        Compact::read(normal)
    }

    /// The compact text of `normal` with the signs next to letters or digits read as the letters
    /// they are written for ([`crate::text::signs_read`]: `NIGHTJ@R`, `$OURCE`), byte for byte
    /// as long, so its spans are `normal`'s; `None` when no sign stands so.
    pub fn with_signs(normal: &str) -> Option<Compact> {
        // As `Compact::read(signs_read(normal))`, without the copy: a sign that stands next to
        // an ASCII letter or digit of `normal` is a letter, read by `letter_byte` as the letter
        // `signs_read` writes for it.
        let b = normal.as_bytes();
        let alnum_at = |k: Option<usize>| k.and_then(|k| b.get(k)).is_some_and(u8::is_ascii_alphanumeric);
        let read = |k: usize| {
            b.get(k).is_some_and(|&x| crate::text::sign_letter(x).is_some())
                && (alnum_at(k.checked_sub(1)) || alnum_at(k.checked_add(1)))
        };
        let first = memchr::memchr3_iter(b'@', b'$', b'!', b)
            .chain(memchr::memchr_iter(b'|', b))
            .any(read);
        first.then(|| Compact::read_as(normal, read))
    }

    fn read(normal: &str) -> Compact {
        Compact::read_as(normal, |_| false)
    }

    /// The compact text of `normal`, with the byte at each `k` for which `sign(k)` holds (an
    /// ASCII sign) read as a letter.
    fn read_as(normal: &str, sign: impl Fn(usize) -> bool) -> Compact {
        let b = normal.as_bytes();
        // Every character that is no letter or digit, after the first letter or digit and
        // before the last, stands between two of them and is left out.
        let alnum_char = |(k, ch): (usize, char)| ch.is_alphanumeric() || (ch.is_ascii() && sign(k));
        let first = normal
            .char_indices()
            .find(|&x| alnum_char(x))
            .map_or(normal.len(), |(k, _)| k);
        let last = normal
            .char_indices()
            .rev()
            .find(|&x| alnum_char(x))
            .map_or(0, |(k, _)| k);
        let mut c = Compact {
            text: Vec::with_capacity(normal.len()),
            segments: vec![(0, 0)],
        };
        let mut dropping = false;
        if normal.is_ascii() {
            // Run by run: letters and digits, then what stands between them.
            let mut i = 0;
            while i < b.len() {
                let rest = b.get(i..).unwrap_or_default();
                let word = rest
                    .iter()
                    .enumerate()
                    .position(|(j, x)| !x.is_ascii_alphanumeric() && !sign(i + j))
                    .unwrap_or(rest.len());
                c.text
                    .extend(rest.iter().take(word).map(|&x| crate::text::letter_byte(x)));
                let at = i + word;
                let rest = rest.get(word..).unwrap_or_default();
                let gap = rest
                    .iter()
                    .enumerate()
                    .position(|(j, x)| x.is_ascii_alphanumeric() || sign(at + j))
                    .unwrap_or(rest.len());
                if gap > 0 && first < at && at < last {
                    c.segments.push((c.text.len(), at + gap));
                } else {
                    c.text.extend_from_slice(rest.get(..gap).unwrap_or_default());
                }
                i = at + gap;
            }
        } else {
            let mut buf = [0u8; 4];
            for (i, ch) in normal.char_indices() {
                let alnum = alnum_char((i, ch));
                if !alnum && first < i && i < last {
                    dropping = true;
                } else {
                    c.keep(
                        std::mem::take(&mut dropping),
                        i,
                        ch.encode_utf8(&mut buf).as_bytes(),
                        alnum,
                    );
                }
            }
        }
        c
    }

    /// Keep the character `bytes` at `i` of the normal text (a letter or digit read by
    /// [`crate::text::letter_byte`]); `after_drop`: a dropped run ends here.
    fn keep(&mut self, after_drop: bool, i: usize, bytes: &[u8], alnum: bool) {
        if after_drop {
            self.segments.push((self.text.len(), i));
        }
        match bytes {
            [b] if alnum => self.text.push(crate::text::letter_byte(*b)),
            _ => self.text.extend_from_slice(bytes),
        }
    }

    /// The compact text (UTF-8: whole characters are kept or left out, and only ASCII bytes
    /// are read otherwise, as ASCII).
    pub fn bytes(&self) -> &[u8] {
        &self.text
    }

    /// The normal text's span from the first to the last byte of the compact span `a..b`.
    pub fn normal_span(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        let at = |pos: usize| -> Option<usize> {
            let k = self.segments.partition_point(|&(c, _)| c <= pos).checked_sub(1)?;
            let (c, n) = *self.segments.get(k)?;
            n.checked_add(pos.checked_sub(c)?)
        };
        Some((at(a)?, at(b.checked_sub(1)?)?.checked_add(1)?))
    }
}

/// Whether `start..end` of `text` is a whole word: no letter or digit beside it that continues
/// it ([`crate::text::joins_word`]: a word of a script written without spaces does not); when
/// `numbered`, a number or mark after it ([`numbering`]) does not either.
///
/// A change of case as written between the hit's edge and its neighbour ends a word too
/// (`cased(k)`: the letters before and after byte `k` of `text` are two words of CamelCase,
/// [`case_break`]).
fn is_word_boundary(text: &str, start: usize, end: usize, numbered: bool, cased: impl Fn(usize) -> bool) -> bool {
    let hit = text.get(start..end).unwrap_or_default();
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    let joins = |n: Option<char>, edge: Option<char>| match (n, edge) {
        (Some(n), Some(e)) => crate::text::joins_word(n, e),
        (Some(n), None) => n.is_alphanumeric(),
        (None, _) => false,
    };
    let last = hit.chars().next_back();
    let numbered = numbered && last.is_some_and(char::is_alphabetic) && numbering(text.get(end..).unwrap_or_default());
    (!joins(before, hit.chars().next()) || cased(start)) && (!joins(after, last) || numbered || cased(end))
}

/// Whether a word of CamelCase ends at byte `k` of the normal form `n` of `raw`, as the letters
/// were written (each read as the first letter or digit of what it was written as): a small
/// letter then a capital (`seeProject`), a capital or a digit then a capital and a small letter
/// (`BLUEBIRDReport`, `1-7Notes`: before the last capital of a run), or a run of two capitals or
/// more then a small letter (`BLUEBIRDreport`). A text in one case has none: `BLUEBIRDSONG` and
/// `bluebirdish` are one word each. Looks at four characters around `k`: constant time.
fn case_break(n: &Normalized, raw: &str, k: usize) -> bool {
    #[derive(PartialEq)]
    enum Kind {
        Capital,
        Small,
        Digit,
    }
    let text = n.text.as_str();
    // What the character of `text` at byte `i` was written as.
    let kind = |i: usize| -> Option<Kind> {
        let c = text.get(i..)?.chars().next()?;
        let (a, b) = n.original(i, i.checked_add(c.len_utf8())?)?;
        let w = raw.get(a..b)?.chars().find(|c| c.is_alphanumeric())?;
        if w.is_uppercase() {
            Some(Kind::Capital)
        } else if w.is_lowercase() {
            Some(Kind::Small)
        } else if w.is_numeric() {
            Some(Kind::Digit)
        } else {
            None
        }
    };
    let prev = |i: usize| {
        text.get(..i)
            .and_then(|t| t.chars().next_back())
            .and_then(|c| i.checked_sub(c.len_utf8()))
    };
    let next = |i: usize| {
        text.get(i..)
            .and_then(|t| t.chars().next())
            .and_then(|c| i.checked_add(c.len_utf8()))
    };
    let (Some(x), Some(y)) = (prev(k), (k < text.len()).then_some(k)) else {
        return false;
    };
    match (kind(x), kind(y)) {
        (Some(Kind::Small), Some(Kind::Capital)) => true,
        (Some(Kind::Capital | Kind::Digit), Some(Kind::Capital)) => next(y).and_then(kind) == Some(Kind::Small),
        (Some(Kind::Capital), Some(Kind::Small)) => prev(x).and_then(kind) == Some(Kind::Capital),
        _ => false,
    }
}

/// Whether `rest` (what follows a phrase that ends with a letter) starts with what numbers or
/// marks a name and nothing else of a word: digits (`NIGHTJAR2`, and `NIGHTJAR²` in the normal
/// form), a Roman numeral of up to four `i`, `v`, `x` (`NIGHTJARⅡ`), or `tm`/`sm` (`NIGHTJAR™`).
/// Such a word is the name, numbered or marked; a plural (`NIGHTJARS`) is looked for as a form
/// of the phrase of its own ([`inflected`]).
fn numbering(rest: &str) -> bool {
    let word = rest.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
    let digits = !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit());
    let roman = (1..=4).contains(&word.len()) && word.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'));
    digits || roman || matches!(word, "tm" | "sm")
}

/// A text rule ready to run.
#[derive(Debug, Clone)]
pub struct TextRule {
    pub id: String,
    /// `None`: every string of the unit.
    pub paths: Option<Vec<TextPath>>,
    /// Strings exempted from the rule.
    pub except: Vec<TextPath>,
    pub matcher: Matcher,
    pub action: DirtyAction,
    pub replacement: String,
    /// The rule as the file wrote it, for the second verifier (which compiles its own matchers).
    pub source: RuleSource,
}

/// A text rule's raw patterns and paths, uncompiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSource {
    /// The paths as written; `None`: every string of the unit.
    pub paths: Option<Vec<String>>,
    /// The `except` paths as written.
    pub except: Vec<String>,
    pub pattern: RawPattern,
}

/// What a text rule looks for, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawPattern {
    Regex(String),
    Email,
    Phone { regions: Vec<String> },
    Phrases { words: Vec<String>, whole_words: bool },
}

/// The text rules of a policy, in order, with one pass over the text telling which of the
/// regular expressions can match at all (a `RegexSet`), so that most strings cost one scan.
#[derive(Debug, Clone, Default)]
pub struct TextRules {
    pub rules: Vec<TextRule>,
    /// The set of all regex rules, and for each of its patterns the rule it belongs to.
    prefilter: Option<(regex::RegexSet, Vec<usize>)>,
}

impl TextRules {
    pub fn new(rules: Vec<TextRule>) -> Result<TextRules, String> {
        let (patterns, owners): (Vec<&str>, Vec<usize>) = rules
            .iter()
            .enumerate()
            .filter_map(|(n, r)| match &r.matcher {
                Matcher::Regex(re) => Some((re.as_str(), n)),
                _ => None,
            })
            .unzip();
        let prefilter = if patterns.is_empty() {
            None
        } else {
            let set = regex::RegexSetBuilder::new(patterns)
                .size_limit(REGEX_SIZE_LIMIT * 4)
                .dfa_size_limit(REGEX_DFA_LIMIT * 4)
                .build()
                .map_err(|e| e.to_string())?;
            Some((set, owners))
        };
        Ok(TextRules { rules, prefilter })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// For each rule, whether it can match `text` (phrase rules always can; regex rules only if
    /// the set found their pattern).
    pub fn candidates(&self, text: &str) -> Vec<bool> {
        let mut out: Vec<bool> = self
            .rules
            .iter()
            .map(|r| !matches!(r.matcher, Matcher::Regex(_)))
            .collect();
        if let Some((set, owners)) = &self.prefilter {
            for i in set.matches(text).iter() {
                if let Some(slot) = owners.get(i).and_then(|&r| out.get_mut(r)) {
                    *slot = true;
                }
            }
        }
        out
    }
}

/// What the text rules did to one string (see [`TextRules::apply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// No rule matched.
    Clean,
    /// A dirty word whose action is not `redact` matched: the unit goes or the message is
    /// rejected, by `action`. The index is the rule's.
    Stop { rule: usize, action: DirtyAction },
    /// Redactions: the new text, and per rule how many replacements.
    Redacted { text: String, counts: Vec<(usize, usize)> },
}

impl TextRules {
    /// Apply the rules that `select` picks to `s`: normalised once, every candidate rule run,
    /// a dirty word that drops or rejects stops at the first hit, and the redactions of all rules
    /// are applied together (where two overlap, the earlier rule's wins).
    pub fn apply(&self, s: &str, select: impl Fn(&TextRule) -> bool) -> Applied {
        self.apply_prepared(&Prepared::new(s), select)
    }

    /// [`TextRules::apply`] on a string whose normal form may be known already (the address
    /// rules computed it): it is computed at most once.
    pub fn apply_prepared(&self, p: &Prepared<'_>, select: impl Fn(&TextRule) -> bool) -> Applied {
        let s = p.raw();
        // The rules in order, each that `select` picks and that can match (a regex rule only when
        // the set found its pattern); the normal form and the set's pass are computed on the
        // first rule that needs them, and nothing is allocated for a string no rule matches.
        // Each reading: the normal form, and the normal form of the text with its escapes
        // decoded (`&#64;`, `%40`, `\x40`), when it holds any.
        let mut set_hits: Vec<Option<Option<regex::SetMatches>>> = Vec::new();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            if !select(rule) {
                continue;
            }
            let mut found: Vec<(usize, usize)> = Vec::new();
            // E-mail addresses are also read with the characters drawn as an `@` read as one
            // (`aliceⓐexample.com`).
            if matches!(rule.matcher, Matcher::Email) {
                for (t, n) in p.at_signs() {
                    found.extend(
                        crate::text::email::find(t)
                            .into_iter()
                            .filter_map(|(a, b)| n.original(a, b)),
                    );
                }
            }
            for (k, n) in std::iter::once(p.normal()).chain(p.decoded()).enumerate() {
                if matches!(rule.matcher, Matcher::Regex(_)) {
                    if set_hits.len() <= k {
                        set_hits.resize(k + 1, None);
                    }
                    let Some(slot) = set_hits.get_mut(k) else { continue };
                    let hits = slot.get_or_insert_with(|| self.prefilter.as_ref().map(|(set, _)| set.matches(&n.text)));
                    let candidate = match (hits.as_ref(), &self.prefilter) {
                        (Some(m), Some((_, owners))) => owners.iter().enumerate().any(|(i, &o)| o == r && m.matched(i)),
                        _ => false,
                    };
                    if !candidate {
                        continue;
                    }
                }
                found.extend(
                    rule.matcher
                        .find_as_written(n, s)
                        .into_iter()
                        .filter_map(|(a, b)| n.original(a, b)),
                );
            }
            if found.is_empty() {
                continue;
            }
            if rule.action != DirtyAction::Redact {
                return Applied::Stop {
                    rule: r,
                    action: rule.action,
                };
            }
            spans.extend(found.into_iter().map(|(a, b)| (a, b, r)));
        }
        if spans.is_empty() {
            return Applied::Clean;
        }
        spans.sort_by_key(|&(a, _, r)| (a, r));
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for (a, b, r) in spans {
            if a < at {
                continue;
            }
            out.push_str(s.get(at..a).unwrap_or_default());
            out.push_str(self.rules.get(r).map_or("[REDACTED]", |x| x.replacement.as_str()));
            at = b;
            match counts.iter_mut().find(|(x, _)| *x == r) {
                Some((_, c)) => *c += 1,
                None => counts.push((r, 1)),
            }
        }
        out.push_str(s.get(at..).unwrap_or_default());
        Applied::Redacted { text: out, counts }
    }
}

/// Regular expressions are compiled with bounds, so a rule file cannot make the guard use
/// unbounded memory (the `regex` crate already guarantees linear-time matching).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
const REGEX_DFA_LIMIT: usize = 4 << 20;

/// Compile a regular expression for matching normalised text.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or("invalid regular expression")
                .trim()
                .to_string()
        })
}

/// Compile phrases (normalised the same way as the text). Empty phrases are an error. Whole-word
/// phrases are compacted ([`Compact`]) as the text they are looked for in is.
pub fn compile_phrases(phrases: &[String], whole_words: bool) -> Result<Matcher, (usize, String)> {
    let mut normalised = Vec::with_capacity(phrases.len());
    let mut inflected_forms = Vec::with_capacity(phrases.len());
    for (n, p) in phrases.iter().enumerate() {
        let t = normalize(p).text.trim().to_string();
        if t.is_empty() {
            return Err((n, format!("phrase {:?} is empty once normalised", p)));
        }
        if whole_words {
            // The phrase as written first, then its inflected forms.
            for (k, form) in inflected(&t).into_iter().enumerate() {
                normalised.push(String::from_utf8_lossy(Compact::of(&form).bytes()).into_owned());
                inflected_forms.push(k > 0);
            }
            continue;
        }
        // The words run together too: a separator that renders as a space but is removed as
        // invisible (U+3164, U+FFA0, U+2800, a zero-width joiner) must not split the phrase.
        // Both in the letter reading, as the text is read: `hq-db` is a hit in `hq-d8`.
        let joined: String = t.split(' ').collect();
        if joined != t {
            normalised.push(String::from_utf8_lossy(&crate::text::letter_reading(&joined)).into_owned());
            inflected_forms.push(false);
        }
        normalised.push(String::from_utf8_lossy(&crate::text::letter_reading(&t)).into_owned());
        inflected_forms.push(false);
    }
    // A DFA searches fastest; a few thousand phrases keep it to a few megabytes. Every
    // occurrence is looked at (overlapping), so a whole-word hit is not hidden behind a longer
    // match that is not one.
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&normalised)
        .map_err(|e| (0, e.to_string()))?;
    Ok(Matcher::Phrases {
        automaton,
        whole_words,
        inflected: inflected_forms,
    })
}

/// The English inflections a word of a whole-word phrase may carry and still be that word:
/// the plural `s` and `es`; the possessives `'s` and `s'` are the same once compacted (the
/// apostrophe stands between letters, or after the word).
const INFLECTIONS: [&str; 2] = ["s", "es"];

/// How many words of a phrase carry an inflection at once (`ProjectsBLUEBIRDs`): two, or one
/// in a phrase of more than [`MANY_WORDS`] words that could (the forms grow with the square of
/// the words, not exponentially).
const INFLECTED_AT_ONCE: usize = 2;
const MANY_WORDS: usize = 8;

/// The forms of a whole-word phrase (normalised) it is looked for in: as written (first), and with
/// its words that end in an ASCII letter inflected ([`INFLECTIONS`]: `Project BLUEBIRDs`,
/// `Operations NIGHTJAR`, `ProjectsBLUEBIRD`), up to [`INFLECTED_AT_ONCE`] of them at once.
/// The whole-word promise holds: an inflected word is the word, any other longer word
/// (`BLUEBIRDSONG`, `bluebirdish`) is not. Each form is compacted and goes into the one
/// automaton, so the text is still read once.
fn inflected(phrase: &str) -> Vec<String> {
    // Where each word that ends in an ASCII letter ends.
    let b = phrase.as_bytes();
    let ends: Vec<usize> = (1..=b.len())
        .filter(|&e| {
            b.get(e - 1).is_some_and(u8::is_ascii_alphabetic)
                && !phrase
                    .get(e..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(char::is_alphanumeric)
        })
        .collect();
    let at_once = if ends.len() > MANY_WORDS { 1 } else { INFLECTED_AT_ONCE };
    // Each choice: for some of the ends (increasing), the inflection put there.
    let mut choices: Vec<Vec<(usize, &str)>> = vec![Vec::new()];
    let mut layer = choices.clone();
    for _ in 0..at_once {
        let mut next = Vec::new();
        for c in &layer {
            let from = c.last().map_or(0, |&(k, _)| k + 1);
            for k in from..ends.len() {
                for i in INFLECTIONS {
                    let mut d = c.clone();
                    d.push((k, i));
                    next.push(d);
                }
            }
        }
        choices.extend(next.iter().cloned());
        layer = next;
    }
    choices
        .into_iter()
        .map(|c| {
            let mut out = String::with_capacity(phrase.len() + 2 * c.len());
            let mut at = 0;
            for (k, i) in c {
                let Some(&e) = ends.get(k) else { continue };
                out.push_str(phrase.get(at..e).unwrap_or_default());
                out.push_str(i);
                at = e;
            }
            out.push_str(phrase.get(at..).unwrap_or_default());
            out
        })
        .collect()
}

/// Apply `matcher` to `s`; returns the new text and the number of replacements, when any.
pub fn redact(s: &str, matcher: &Matcher, replacement: &str) -> Option<(String, usize)> {
    let n = normalize(s);
    let spans: Vec<(usize, usize)> = matcher
        .find_as_written(&n, s)
        .into_iter()
        .filter_map(|(a, b)| n.original(a, b))
        .collect();
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    let mut count = 0;
    for (a, b) in spans {
        if a < at {
            continue; // overlaps the previous replacement (clusters shared by two matches)
        }
        out.push_str(s.get(at..a).unwrap_or_default());
        out.push_str(replacement);
        at = b;
        count += 1;
    }
    out.push_str(s.get(at..).unwrap_or_default());
    Some((out, count))
}

// ---------------------------------------------------------------------------------------------
// Address ranges and domains
// ---------------------------------------------------------------------------------------------

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    /// The address in the low 32 bits (v4) or all 128 (v6).
    addr: u128,
    len: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let (v6, addr, max) = match a.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => (false, u128::from(u32::from(v4)), 32u8),
            IpAddr::V6(v6) => (true, u128::from(v6), 128u8),
        };
        let len = len.unwrap_or(max);
        (len <= max).then_some(Cidr { v6, addr, len })
    }

    fn bits(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }

    /// The network address, with host bits cleared.
    fn network(&self, len: u8) -> u128 {
        let host = u32::from(self.bits().saturating_sub(len));
        if host >= 128 { 0 } else { (self.addr >> host) << host }
    }

    /// Whether the two networks share any address (one contains the other).
    pub fn overlaps(&self, other: &Cidr) -> bool {
        if self.v6 != other.v6 {
            return false;
        }
        let len = self.len.min(other.len);
        self.network(len) == other.network(len)
    }
}

/// A compiled pattern rule.
#[derive(Debug, Clone)]
pub struct AddressRule {
    pub id: String,
    pub cidrs: Vec<Cidr>,
    /// Lowercase domain suffixes.
    pub domains: Vec<String>,
    pub action: PatternAction,
    /// The ranges as written, for the second verifier.
    pub raw_cidrs: Vec<String>,
    /// The ranges and domains, parsed for matching ([`crate::text::internal`]).
    pub internal: Internal,
}

impl AddressRule {
    pub fn new(
        id: String,
        cidrs: Vec<Cidr>,
        domains: Vec<String>,
        action: PatternAction,
        raw_cidrs: Vec<String>,
    ) -> Self {
        let parsed: Vec<&String> = raw_cidrs.iter().filter(|c| Cidr::parse(c).is_some()).collect();
        let internal = Internal::new(&parsed, &domains).unwrap_or_else(|_| Internal {
            ranges: Default::default(),
            domains: crate::text::domain::Domains::new(&domains),
        });
        AddressRule {
            id,
            cidrs,
            domains,
            action,
            raw_cidrs,
            internal,
        }
    }

    /// Whether a literal of a pattern comparison (a whole value, naming a host) points inside
    /// this rule's ranges or domains, in any notation ([`crate::text::internal`]).
    pub fn hits(&self, literal: &str) -> bool {
        !self.internal.find(literal, true).is_empty()
    }

    /// The first word of free text that points inside, as written.
    pub fn hit_in_text<'s>(&self, text: &'s str) -> Option<&'s str> {
        self.internal.first(text, false)
    }

    /// `text` with every word that points inside replaced by `replacement`, and how many were;
    /// `None` when none was.
    pub fn redact_text(&self, text: &str, replacement: &str) -> Option<(String, usize)> {
        self.internal.redact(text, false, replacement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    //--- normalisation
    #[test]
    fn finds_and_redacts_internal_addresses_in_free_text() {
        let r = AddressRule::new(
            "internal".into(),
            vec![Cidr::parse("10.0.0.0/8").unwrap(), Cidr::parse("fd00::/8").unwrap()],
            vec!["corp.example".into()],
            PatternAction::Redact,
            vec!["10.0.0.0/8".into(), "fd00::/8".into()],
        );
        let text = "Host 10.1.2.3 (and [fd00::1]:443) called https://intranet.CORP.example/x, then 198.51.100.7.";
        assert_eq!(r.hit_in_text(text), Some("10.1.2.3"));
        let (out, n) = r.redact_text(text, "[R]").unwrap();
        assert_eq!(n, 3);
        assert_eq!(out, "Host [R] (and [R]) called [R], then 198.51.100.7.");
        assert_eq!(
            r.hit_in_text("mail ops@corp.example; net 10.0.0.0/24."),
            Some("ops@corp.example")
        );
        assert!(
            r.redact_text("198.51.100.7 and notcorp.example and 11.1.2.3", "[R]")
                .is_none()
        );
        // An address glued to letters is still one (`ip10.1.2.3`, `10.1.2.3x`).
        assert_eq!(r.hit_in_text("see ip10.1.2.3 now"), Some("ip10.1.2.3"));
        assert_eq!(r.hit_in_text("see 10.1.2.3x now"), Some("10.1.2.3x"));
        assert!(r.hit_in_text("no addresses here").is_none());
    }

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(normalize("ＳＥＣＲＥＴ Plan").text, "secret plan");
    }

    #[test]
    fn removes_zero_width_characters_and_folds_whitespace() {
        assert_eq!(normalize("se\u{200B}cret \t\n  plan\u{00AD}s").text, "secret plans");
    }

    #[test]
    fn reads_a_latin_letter_with_combining_marks_as_its_base() {
        assert_eq!(normalize("cafe\u{301}").text, "cafe");
        assert_eq!(normalize("caf\u{E9}").text, "cafe");
    }

    #[test]
    fn redacts_only_the_matched_span_as_written() {
        let m = compile_phrases(&["project x".into()], true).unwrap();
        let (out, n) = redact("About ＰＲＯＪＥＣＴ\u{3000}X, and project x again.", &m, "[R]").unwrap();
        assert_eq!((out.as_str(), n), ("About [R], and [R] again.", 2));
    }

    #[test]
    fn whole_words_do_not_match_inside_words() {
        let m = compile_phrases(&["class".into()], true).unwrap();
        assert!(redact("classification", &m, "x").is_none());
        let m = compile_phrases(&["class".into()], false).unwrap();
        assert!(redact("classification", &m, "x").is_some());
    }

    //--- a change of case as written ends a word (session 34)
    #[test]
    fn a_change_of_case_ends_a_whole_word() {
        let m = compile_phrases(&["project bluebird".into()], true).unwrap();
        for held in [
            "SeeProjectBLUEBIRD",
            "projectBLUEBIRDreport",
            "xProjectBluebirdNotes",
            "HTTPProjectBluebird",
        ] {
            assert!(redact(held, &m, "x").is_some(), "{held}");
        }
        for goes in [
            "Project BLUEBIRDSONG",
            "ProjectBluebirdsong",
            "subprojectbluebird",
            "PROJECTBLUEBIRDSONG",
        ] {
            assert!(redact(goes, &m, "x").is_none(), "{goes}");
        }
        // Without the text as written, no case is known.
        let n = normalize("SeeProjectBLUEBIRD");
        assert!(m.find(&n).is_empty());
    }

    #[test]
    fn whole_word_phrases_are_found_with_separators_inside() {
        let m = compile_phrases(&["Operation NIGHTJAR".into(), "Task Force 1-7".into()], true).unwrap();
        for t in [
            "see Operation NIGHT-JAR now",
            "see Operation NIGHT_JAR now",
            "see Operation N.I.G.H.T.J.A.R now",
            "see Operation NIGHT JAR now",
            "see OperationNIGHTJAR now",
            "see Operation - NIGHT / JAR now",
            "see Task Force 17 now",
            "see Operation NIGHTJARS now",
            "see Operations NIGHTJAR's now",
            "see Task Forces 1-7 now",
        ] {
            let (out, n) = redact(t, &m, "[R]").unwrap_or_else(|| panic!("{t}"));
            assert_eq!((out.as_str(), n), ("see [R] now", 1), "{t}");
        }
        for t in [
            "cooperation nightjar",
            "Operation NIGHTJARSONG",
            "Operational NIGHTJAR",
            "Task Force 170",
            "operation night",
        ] {
            assert!(redact(t, &m, "[R]").is_none(), "{t}");
        }
    }

    /// Red team SB07: the forms of a phrase with English inflections, two words at once at
    /// most (one in a long phrase), words that end in a digit left as they are.
    #[test]
    fn inflects_up_to_two_words_of_a_phrase() {
        let forms = inflected("operation nightjar");
        for f in [
            "operation nightjar",
            "operations nightjar",
            "operation nightjares",
            "operationes nightjars",
        ] {
            assert!(forms.iter().any(|x| x == f), "{f}: {forms:?}");
        }
        assert_eq!(forms.len(), 9);
        // `1` and `7` end in digits: only `task` and `force` take an inflection.
        assert_eq!(inflected("task force 1-7").len(), 9);
        assert_eq!(inflected("a b c").len(), 1 + 6 + 12);
        let long = "w ".repeat(12);
        assert_eq!(inflected(long.trim()).len(), 1 + 2 * 12);
        let m = compile_phrases(&["Project BLUEBIRD".into()], true).unwrap();
        for t in [
            "ProjectsBLUEBIRDs",
            "Project BLUEBIRD's plan",
            "project_bluebirdes",
            "Project BLUEBIRDs'",
        ] {
            assert!(redact(t, &m, "[R]").is_some(), "{t}");
        }
        // A number or mark after a name counts for the name as written only: the `s` of the
        // next word is not read as a plural numbered `i`.
        assert_eq!(
            redact("Project BLUEBIRD si", &m, "[R]").map(|r| r.0).as_deref(),
            Some("[R] si")
        );
        assert_eq!(
            redact("Project BLUEBIRD2", &m, "[R]").map(|r| r.0).as_deref(),
            Some("[R]2")
        );
        for t in ["Project BLUEBIRDSONG", "Project bluebirdish", "Projection BLUEBIRD"] {
            assert!(redact(t, &m, "[R]").is_none(), "{t}");
        }
        // A run of capitals then small letters is two words of CamelCase (session 34:
        // `projectBLUEBIRDreport`), whatever the small letters spell.
        assert!(redact("Project BLUEBIRDess", &m, "[R]").is_some());
    }

    #[test]
    fn a_whole_word_hit_is_not_hidden_behind_a_longer_match() {
        // `xab cd` holds `ab cd` inside a word (no hit) and `cd` as a word (a hit).
        let m = compile_phrases(&["ab cd".into(), "cd".into()], true).unwrap();
        assert_eq!(redact("xab cd", &m, "[R]").map(|r| r.0).as_deref(), Some("xab [R]"));
        // Overlapping hits are replaced as one.
        let m = compile_phrases(&["ab cd".into(), "cd ef".into()], true).unwrap();
        assert_eq!(redact("ab cd ef", &m, "[R]").map(|r| r.0).as_deref(), Some("[R]"));
    }

    proptest::proptest! {
        /// A phrase written with any separators between any of its letters, among other words,
        /// is found, and what is replaced is exactly it.
        #[test]
        fn a_phrase_with_separators_slipped_in_is_found(
            phrase in "[a-z]{2,6}( [a-z0-9]{1,6}){0,2}",
            seps in proptest::collection::vec("(|[ ._/:*-]{1,3}|\\u{2022})", 24),
            before in "([a-z]{1,5} ){0,3}",
            after in "( [a-z]{1,5}){0,3}",
        ) {
            let m = compile_phrases(std::slice::from_ref(&phrase), true).unwrap();
            let letters: Vec<char> = phrase.chars().filter(|c| *c != ' ').collect();
            let mut written = String::new();
            for (k, c) in letters.iter().enumerate() {
                written.push(*c);
                if k + 1 < letters.len() {
                    written.push_str(seps.get(k).map_or("", String::as_str));
                }
            }
            // The words around do not spell the phrase themselves, nor with letters of the
            // phrase as written (`p-p p` holds `p p`, the phrase `pp` a second time, as `i i ii`
            // holds `i ii`): the letters of the whole text hold the phrase's once only.
            let joined: String = letters.iter().collect();
            proptest::prop_assume!(!format!("{before}{after}").replace(' ', "").contains(&joined));
            let all: Vec<char> = format!("{before}{written}{after}").chars().filter(char::is_ascii_alphanumeric).collect();
            proptest::prop_assume!(all.windows(letters.len()).filter(|w| *w == letters.as_slice()).count() == 1);
            // Nor are the words after an inflection, which separators do not part from the
            // phrase (`aa s` is `aas`, a plural, and so is `aa e s`).
            let words_after: Vec<&str> = after.split(' ').skip(1).collect();
            proptest::prop_assume!(!matches!(words_after.as_slice(), ["s" | "es", ..] | ["e", "s", ..]));
            let text = format!("{before}{written}{after}");
            let (out, _) = redact(&text, &m, "\u{1}").unwrap();
            proptest::prop_assert_eq!(out, format!("{before}\u{1}{after}"));
        }
    }

    #[test]
    fn rejects_phrases_empty_once_normalised() {
        assert_eq!(
            compile_phrases(&["ok".into(), "\u{200B} ".into()], true).unwrap_err().0,
            1
        );
    }

    #[test]
    fn redacts_by_regex_on_normalised_text() {
        let r = Matcher::Regex(compile_regex(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}").unwrap());
        let (out, _) = redact("Mail ＡＬＩＣＥ@Example.COM now", &r, "[EMAIL]").unwrap();
        assert_eq!(out, "Mail [EMAIL] now");
    }

    #[test]
    fn refuses_oversized_regexes() {
        assert!(compile_regex(&"(a|b|c|d){1000}".repeat(50)).is_err());
    }

    //--- addresses
    #[test]
    fn cidr_containment_is_exact() {
        let ten = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(ten.overlaps(&Cidr::parse("10.255.1.2").unwrap()));
        assert!(ten.overlaps(&Cidr::parse("10.1.0.0/16").unwrap()));
        assert!(ten.overlaps(&Cidr::parse("8.0.0.0/6").unwrap()));
        assert!(!ten.overlaps(&Cidr::parse("11.0.0.0/8").unwrap()));
        assert!(!ten.overlaps(&Cidr::parse("9.255.255.255").unwrap()));
        let ula = Cidr::parse("fd00::/8").unwrap();
        assert!(ula.overlaps(&Cidr::parse("fd12:3456::1").unwrap()));
        assert!(!ula.overlaps(&Cidr::parse("fe80::1").unwrap()));
        assert!(!ula.overlaps(&Cidr::parse("10.0.0.1").unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .overlaps(&Cidr::parse("1.2.3.4").unwrap())
        );
    }

    #[test]
    fn xml_paths_select_by_the_end_of_the_element_chain() {
        let sel = |path: &str, chain: &[&str]| TextPath::parse(path).unwrap().selects_xml(chain);
        let chain = ["BindingInformation", "Data", "alert", "info", "area", "areaDesc"];
        assert!(sel("xml.areaDesc", &chain));
        assert!(sel("*.areaDesc", &chain));
        assert!(sel("xml.area.areaDesc", &chain));
        assert!(sel("xml.alert.**.areaDesc", &chain));
        assert!(sel("xml.alert.info.area.areaDesc", &chain));
        assert!(sel("xml.info.**", &chain));
        assert!(!sel("xml.info.areaDesc", &chain), "not a direct child");
        assert!(!sel("xml.area", &chain), "the string is areaDesc's");
        assert!(!sel("xml.alert.area.**.areaDesc", &chain));
        assert!(!sel("indicator.areaDesc", &chain));
        // An attribute is the last name of its chain.
        assert!(sel("xml.area.lang", &["alert", "area", "lang"]));
        assert!(!sel("xml.lang", &["alert", "area"]));
    }

    #[test]
    fn matches_hosts_under_listed_domains() {
        let r = AddressRule::new(
            "x".into(),
            vec![Cidr::parse("192.168.0.0/16").unwrap()],
            vec!["corp.example".into()],
            PatternAction::Drop,
            vec!["192.168.0.0/16".into()],
        );
        for hit in [
            "corp.example",
            "mail.CORP.example",
            "https://vpn.corp.example:8443/x",
            "bob@corp.example",
            "http://192.168.1.1/a",
            "^.*\\.corp\\.example$",
            // The name is in the path: a reader reads it all the same.
            "https://example.com/corp.example",
        ] {
            assert!(r.hits(hit), "{hit}");
        }
        for miss in ["notcorp.example", "corp.example.org", "8.8.8.8", "192.169.0.1"] {
            assert!(!r.hits(miss), "{miss}");
        }
    }
}

#[cfg(test)]
mod compact_tests {
    use super::*;
    use proptest::prelude::*;

    /// Text to read: prose with signs, look-alikes and other scripts around a marking or a
    /// name, disguised as the red team disguises markings ([`crate::fuzzing::disguise`]).
    fn texts() -> impl Strategy<Value = String> {
        let words = prop_oneof![
            Just("NIGHTJ@R".to_string()),
            Just("$OURCE b!rd r|dge".to_string()),
            Just("ex@mple.c0m".to_string()),
            proptest::sample::select(crate::fuzzing::FORBIDDEN_MARKINGS).prop_map(str::to_string),
            "[a-zA-Z0-9@$!| .,:;/()+&%\\\\#-]{0,24}",
            "[a-z@$!|é日本 \u{200b}\u{301}ＮＩＧＨＴ＠]{0,16}",
        ];
        (
            "[a-z@$!| ,.:-]{0,12}",
            words,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-z@$!| ,.:日-]{0,12}",
        )
            .prop_map(|(a, w, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&w, &hows)))
    }

    /// `Compact::read` as it was before the signs were read in its pass (letter by letter
    /// through `letter_byte`'s match).
    fn read_before(normal: &str) -> Compact {
        let letter = |b: u8| match b {
            b'0' => b'o',
            b'1' | b'i' => b'l',
            b'3' => b'e',
            b'4' => b'a',
            b'5' => b's',
            b'6' | b'9' => b'g',
            b'7' => b't',
            b'8' => b'b',
            b'@' => b'a',
            b'$' => b's',
            b'!' | b'|' => b'l',
            b => b,
        };
        let first = normal.find(char::is_alphanumeric).unwrap_or(normal.len());
        let last = normal.rfind(char::is_alphanumeric).unwrap_or(0);
        let mut c = Compact {
            text: Vec::with_capacity(normal.len()),
            segments: vec![(0, 0)],
        };
        let mut dropping = false;
        if normal.is_ascii() {
            let b = normal.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let rest = b.get(i..).unwrap_or_default();
                let word = rest
                    .iter()
                    .position(|x| !x.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                c.text.extend(rest.iter().take(word).map(|&x| letter(x)));
                let rest = rest.get(word..).unwrap_or_default();
                let gap = rest.iter().position(u8::is_ascii_alphanumeric).unwrap_or(rest.len());
                let at = i + word;
                if gap > 0 && first < at && at < last {
                    c.segments.push((c.text.len(), at + gap));
                } else {
                    c.text.extend_from_slice(rest.get(..gap).unwrap_or_default());
                }
                i = at + gap;
            }
        } else {
            let mut buf = [0u8; 4];
            for (i, ch) in normal.char_indices() {
                let alnum = ch.is_alphanumeric();
                if !alnum && first < i && i < last {
                    dropping = true;
                } else {
                    if std::mem::take(&mut dropping) {
                        c.segments.push((c.text.len(), i));
                    }
                    match ch.encode_utf8(&mut buf).as_bytes() {
                        [b] if alnum => c.text.push(letter(*b)),
                        bytes => c.text.extend_from_slice(bytes),
                    }
                }
            }
        }
        c
    }

    proptest! {
        /// Reading the signs in the one pass gives the compact text (and the spans back) that
        /// reading the copy `signs_read` wrote gave, and the plain reading is as it was.
        #[test]
        fn signs_read_in_the_pass_are_the_copy_read(s in texts()) {
            for t in [s.clone(), crate::text::normalize(&s).text] {
                let plain = Compact::of(&t);
                let old = read_before(&t);
                prop_assert_eq!(&plain.text, &old.text, "{:?}", t);
                prop_assert_eq!(&plain.segments, &old.segments, "{:?}", t);
                let before = crate::text::signs_read(&t).map(|r| read_before(&r));
                let now = Compact::with_signs(&t);
                prop_assert_eq!(before.is_some(), now.is_some(), "{:?}", t);
                if let (Some(a), Some(b)) = (before, now) {
                    prop_assert_eq!(&a.text, &b.text, "{:?}", t);
                    prop_assert_eq!(&a.segments, &b.segments, "{:?}", t);
                }
            }
        }
    }

    #[test]
    fn letter_byte_is_its_definition_for_every_byte() {
        let by_match = |b: u8| match b {
            b'0' => b'o',
            b'1' | b'i' => b'l',
            b'3' => b'e',
            b'4' => b'a',
            b'5' => b's',
            b'6' | b'9' => b'g',
            b'7' => b't',
            b'8' => b'b',
            b'@' => b'a',
            b'$' => b's',
            b'!' | b'|' => b'l',
            b => b,
        };
        for b in 0..=255u8 {
            assert_eq!(crate::text::letter_byte(b), by_match(b), "{b}");
        }
    }
}
