//! STIX 2.1 Patterning (STIX 2.1 §9), the language of an indicator's `pattern` when its
//! `pattern_type` is `stix`, with a guard's limits on top and canonical rendering.
//!
//! The grammar follows the ANTLR grammar the OASIS CTI TC publishes with the specification
//! (`STIXPattern.g4`, STIX 2.1 revision), one nom function per production, in the grammar's order,
//! each named after its production. Those names are the `rule` of every [`ParseError`].
//!
//! Strictness beyond the ANTLR grammar, each for a stated reason:
//! - comments (`/* */`, `//`), which the ANTLR file skips but §9 never defines, are rejected:
//!   they would be a channel the rendered pattern does not carry;
//! - a keyword (`AND`, `true`, ...) is not accepted as an object type or property name (the
//!   ANTLR lexer makes it a keyword token, so it could never be one there either); quote it;
//! - a timestamp must name a real day (`t'2023-02-30T00:00:00Z'` is rejected), as RFC 3339 asks;
//! - integers must fit in 64 bits and floats in a finite IEEE 754 double.
//!
//! Parenthesis depth is checked *before* descending (`max_pattern_depth`) and the length of the
//! whole pattern first of all (`max_pattern_bytes`). The parser never backtracks, so it runs in
//! time linear in its input.
//!
//! ```
//! use sekisho::{Limits, format::stix::pattern};
//! let p = pattern::parse("[file:hashes.'SHA-256'='ab' ] WITHIN 300 SECONDS", &Limits::default()).unwrap();
//! assert_eq!(p.render(), "[file:hashes.'SHA-256' = 'ab'] WITHIN 300 SECONDS");
//! assert_eq!(p.comparisons().count(), 1);
//! ```

use std::borrow::Cow;
use std::fmt;

use nom::IResult;

use crate::error::{GrammarError, ParseError, finish};
use crate::limits::Limits;

mod grammar;
mod render;
mod rules;
mod walk;

pub use grammar::parse;
pub use rules::check;

use grammar::*;
use render::*;
use walk::*;

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// A whole STIX pattern: one observation expression (STIX 2.1 §9.2).
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub expression: ObservationExpression,
}

/// An observation expression (STIX 2.1 §9.2, §9.6).
///
/// Invariants kept by the parser and by [`Pattern::retain_comparisons`]: the lists of `And`, `Or`
/// and `FollowedBy` have at least two elements, and `qualifiers` is not empty. A list nested
/// directly in a list of the same kind stands for parentheses in the source, and is rendered so.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpression {
    /// `[ comparisonExpression ]`
    Observation(ComparisonExpression),
    /// `a AND b AND ...`
    And(Vec<ObservationExpression>),
    /// `a OR b OR ...`
    Or(Vec<ObservationExpression>),
    /// `a FOLLOWEDBY b FOLLOWEDBY ...`
    FollowedBy(Vec<ObservationExpression>),
    /// An observation expression with one or more qualifiers after it.
    Qualified {
        expression: Box<ObservationExpression>,
        qualifiers: Vec<Qualifier>,
    },
}

/// A comparison expression: the inside of `[ ... ]` (STIX 2.1 §9.3). Lists have at least two
/// elements, as for [`ObservationExpression`].
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpression {
    Comparison(Comparison),
    And(Vec<ComparisonExpression>),
    Or(Vec<ComparisonExpression>),
}

/// One comparison: `object-path [NOT] operator operand`, or `EXISTS object-path` (STIX 2.1 §9.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub path: ObjectPath,
    /// `NOT` before the operator (for `EXISTS`, before the keyword: `NOT EXISTS path`, which
    /// STIXPattern.g4's `propTest` allows).
    pub negated: bool,
    pub op: Operator,
}

/// A comparison operator with its operand, so that only the operands the grammar allows for each
/// operator can be expressed (STIX 2.1 §9.5, `propTest`).
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    /// `=` (also written `==`), any primitive literal
    Equal(Literal),
    /// `!=` (also written `<>`), any primitive literal
    NotEqual(Literal),
    /// `<`, an orderable literal (not a boolean)
    Less(Literal),
    /// `<=`
    LessOrEqual(Literal),
    /// `>`
    Greater(Literal),
    /// `>=`
    GreaterOrEqual(Literal),
    /// `IN ( literal, ... )`
    In(Vec<Literal>),
    /// `LIKE 'string'`
    Like(String),
    /// `MATCHES 'regex'`
    Matches(String),
    /// `ISSUBSET 'cidr'`
    IsSubset(String),
    /// `ISSUPERSET 'cidr'`
    IsSuperset(String),
    /// `EXISTS object-path` (the operator comes before the path)
    Exists,
}

/// An object path: `type:property.key[0].'quoted key'[*]` (STIX 2.1 §9.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectPath {
    /// `[a-zA-Z_][a-zA-Z0-9_-]*`, not a keyword.
    pub object_type: String,
    /// The first path component (after `:`), which is always a property name.
    pub property: String,
    /// The steps after the first component.
    pub steps: Vec<PathStep>,
}

/// One step of an object path after its first component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// `.name` or `.'quoted name'`
    Key(String),
    /// `[n]`, `n` may be negative
    Index(i64),
    /// `[*]`: any element of a list
    AnyIndex,
}

/// A constant (STIX 2.1 §9.4, `primitiveLiteral`). Strings are unescaped; binary and hex literals
/// are decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Integer(i64),
    /// Always finite.
    Float(f64),
    /// `b'...'` (base64), decoded; never empty (the grammar has no `b''`)
    Binary(Vec<u8>),
    /// `h'...'`, decoded
    Hex(Vec<u8>),
    Timestamp(Timestamp),
    Boolean(bool),
}

/// A timestamp literal's text, `YYYY-MM-DDTHH:MM:SS[.s+]Z` naming a real date (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(String);

/// A qualifier after an observation expression (STIX 2.1 §9.6).
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`
    Within(Seconds),
    /// `REPEATS n TIMES`
    Repeats(u64),
    /// `START t'...' STOP t'...'`
    StartStop { start: Timestamp, stop: Timestamp },
}

/// The number of a `WITHIN` qualifier: a non-negative integer or float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seconds {
    Integer(u64),
    /// Always finite and not negative.
    Float(f64),
}

/// What [`Pattern::retain_comparisons`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetainOutcome {
    /// Every comparison was kept.
    Unchanged,
    /// Some comparisons were removed; `observations` counts the `[ ... ]` observation expressions
    /// that lost all their comparisons and were removed with them. The pattern now matches
    /// something different: the caller decides whether that is acceptable.
    Pruned { comparisons: usize, observations: usize },
    /// Every comparison was removed: nothing is left of the pattern, which is unchanged. The
    /// caller should drop the indicator.
    Emptied { comparisons: usize },
}

impl Timestamp {
    /// The timestamp in `text` (without the `t'...'` around it), if it is one.
    pub fn new(text: &str) -> Option<Timestamp> {
        is_timestamp(text).then(|| Timestamp(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Comparison {
    /// The literal operands of this comparison (none for `LIKE`, `MATCHES`, `ISSUBSET`,
    /// `ISSUPERSET` and `EXISTS`, whose operand is a pattern string: see [`Comparison::strings`]).
    pub fn literals(&self) -> &[Literal] {
        match &self.op {
            Operator::Equal(l)
            | Operator::NotEqual(l)
            | Operator::Less(l)
            | Operator::LessOrEqual(l)
            | Operator::Greater(l)
            | Operator::GreaterOrEqual(l) => std::slice::from_ref(l),
            Operator::In(set) => set,
            Operator::Like(_) | Operator::Matches(_) | Operator::IsSubset(_) | Operator::IsSuperset(_) => &[],
            Operator::Exists => &[],
        }
    }

    /// Every string this comparison carries: string literals and the strings of `LIKE`,
    /// `MATCHES`, `ISSUBSET` and `ISSUPERSET`, for policy code looking for addresses and names.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        let pattern = match &self.op {
            Operator::Like(s) | Operator::Matches(s) | Operator::IsSubset(s) | Operator::IsSuperset(s) => {
                Some(s.as_str())
            }
            _ => None,
        };
        self.literals()
            .iter()
            .filter_map(|l| match l {
                Literal::String(s) => Some(s.as_str()),
                _ => None,
            })
            .chain(pattern)
    }
}

/// The text a binary or hex constant holds, as a program that prints it would show it: its bytes
/// read as UTF-8 (a byte of no valid sequence is a space), and, when they come in pairs, as
/// UTF-16 in either byte order (Windows strings). The content rules read these as they read
/// strings, so a name or an address cannot cross base64-encoded.
pub fn texts_of_bytes(b: &[u8]) -> Vec<String> {
    let mut utf8 = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        utf8.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            utf8.push(' ');
        }
    }
    let mut out = vec![utf8];
    if b.len() >= 4 && b.len().is_multiple_of(2) {
        for big in [false, true] {
            let units = b.chunks_exact(2).map(|p| match p {
                [x, y] if big => u16::from_be_bytes([*x, *y]),
                [x, y] => u16::from_le_bytes([*x, *y]),
                _ => 0,
            });
            out.push(char::decode_utf16(units).map(|c| c.unwrap_or(' ')).collect());
        }
    }
    out
}

impl Comparison {
    /// The texts its binary and hex constants hold ([`texts_of_bytes`]).
    pub fn binary_texts(&self) -> Vec<String> {
        self.literals()
            .iter()
            .flat_map(|l| match l {
                Literal::Binary(b) | Literal::Hex(b) => texts_of_bytes(b),
                _ => Vec::new(),
            })
            .collect()
    }

    /// Whether this comparison is on an address-like value: a path whose last property is
    /// `value` (`ipv4-addr:value`, `network-traffic:dst_ref.value`, `url:value`, …).
    fn on_a_value(&self) -> bool {
        let last = self.path.steps.iter().rev().find_map(|s| match s {
            PathStep::Key(k) => Some(k.as_str()),
            PathStep::Index(_) | PathStep::AnyIndex => None,
        });
        last.unwrap_or(&self.path.property) == "value"
    }

    /// The non-string literals of a comparison on a value, read as the address a matcher could
    /// take them for: an integer in 0..2^32 as an IPv4 number (`167772161` is `10.0.0.1`, and so is
    /// the float `167772161.0`), four
    /// bytes of a hex or binary literal as IPv4, sixteen as IPv6. A policy looking for internal
    /// addresses checks these as it checks strings ([`Comparison::strings`]).
    pub fn numeric_addresses(&self) -> impl Iterator<Item = String> + '_ {
        let on_a_value = self.on_a_value();
        self.literals()
            .iter()
            .filter(move |_| on_a_value)
            .filter_map(|l| match l {
                Literal::Integer(n) => u32::try_from(*n).ok().map(|n| std::net::Ipv4Addr::from(n).to_string()),
                // `167772161.0` and `1.6777216E8` are the same number to a matcher that converts.
                Literal::Float(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f) => {
                    Some(std::net::Ipv4Addr::from(*f as u32).to_string())
                }
                Literal::Binary(b) | Literal::Hex(b) => match b.len() {
                    4 => <[u8; 4]>::try_from(b.as_slice())
                        .ok()
                        .map(|a| std::net::Ipv4Addr::from(a).to_string()),
                    16 => <[u8; 16]>::try_from(b.as_slice())
                        .ok()
                        .map(|a| std::net::Ipv6Addr::from(a).to_string()),
                    _ => None,
                },
                _ => None,
            })
    }
}

impl Pattern {
    /// Every comparison in the pattern, in source order.
    pub fn comparisons(&self) -> impl Iterator<Item = &Comparison> {
        let mut out = Vec::new();
        collect_observation(&self.expression, &mut out);
        out.into_iter()
    }

    /// Every comparison in the pattern, in source order, for sanitisers that rewrite operands.
    pub fn comparisons_mut(&mut self) -> impl Iterator<Item = &mut Comparison> {
        let mut out = Vec::new();
        collect_observation_mut(&mut self.expression, &mut out);
        out.into_iter()
    }

    /// The canonical text of this pattern: keywords in uppercase, one space around operators and
    /// keywords, only the parentheses the model needs, `=` and `!=` for `==` and `<>`, strings
    /// with only `\'` and `\\` escaped, lowercase hex, canonical base64 and numbers.
    /// `parse(p.render()) == p` for every model that keeps the invariants of its types.
    pub fn render(&self) -> String {
        let mut out = String::new();
        render_observation(&self.expression, Prec::Top, &mut out);
        out
    }

    /// Remove every comparison for which `keep` returns false, then every AND / OR / FOLLOWEDBY
    /// operand and observation expression left empty, collapsing lists left with one element.
    /// `keep` sees each comparison once, in source order.
    pub fn retain_comparisons(&mut self, mut keep: impl FnMut(&Comparison) -> bool) -> RetainOutcome {
        let mut next = self.expression.clone();
        let mut stats = Removed::default();
        if !retain_observation(&mut next, &mut keep, &mut stats) {
            return RetainOutcome::Emptied {
                comparisons: stats.comparisons,
            };
        }
        if stats.comparisons == 0 {
            return RetainOutcome::Unchanged;
        }
        self.expression = next;
        RetainOutcome::Pruned {
            comparisons: stats.comparisons,
            observations: stats.observations,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

/// The property the `pattern_roundtrip` fuzz target checks: whatever parses (under the default
/// and the tiny limits) renders to a pattern that parses back to the same model under the same
/// depth limit, and rendering that again gives the same text. Panics when it does not.
#[doc(hidden)]
pub fn fuzz_pattern(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for limits in [Limits::default(), Limits::tiny()] {
        let Ok(parsed) = parse(text, &limits) else {
            continue;
        };
        let rendered = parsed.render();
        // Rendering may add spaces, never parentheses: only the length limit is lifted.
        let again_limits = Limits {
            max_pattern_bytes: usize::MAX,
            ..limits
        };
        let again = match parse(&rendered, &again_limits) {
            Ok(p) => p,
            Err(e) => panic!("rendered pattern {rendered:?} of {text:?} does not parse: {e}"),
        };
        assert_eq!(again, parsed, "render then parse changed the model of {text:?}");
        assert_eq!(again.render(), rendered, "render is not idempotent for {text:?}");
    }
}

#[cfg(test)]
mod tests;
