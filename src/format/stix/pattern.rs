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
// The MUSTs of §9 beyond the grammar
// ---------------------------------------------------------------------------------------------

/// The rules of STIX 2.1 §9 that STIXPattern.g4 does not say: the error is `(rule, detail)`.
pub fn check(p: &Pattern) -> Result<(), (&'static str, String)> {
    observation_rules(&p.expression)
}

/// §9.6 qualifiers and §9.3 observation expressions, recursively.
fn observation_rules(e: &ObservationExpression) -> Result<(), (&'static str, String)> {
    match e {
        ObservationExpression::Observation(c) => {
            same_object_type_under_and(c)?;
            comparison_rules(c)
        }
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => items.iter().try_for_each(observation_rules),
        ObservationExpression::Qualified { expression, qualifiers } => {
            qualifier_rules(qualifiers)?;
            observation_rules(expression)
        }
    }
}

/// §9.6: one qualifier of each kind per observation expression; `WITHIN` a positive number of
/// seconds, `REPEATS` a positive number of times, `STOP` later than `START`.
fn qualifier_rules(qualifiers: &[Qualifier]) -> Result<(), (&'static str, String)> {
    let kind = |q: &Qualifier| match q {
        Qualifier::Within(_) => "WITHIN",
        Qualifier::Repeats(_) => "REPEATS",
        Qualifier::StartStop { .. } => "START/STOP",
    };
    for (n, q) in qualifiers.iter().enumerate() {
        if qualifiers.iter().take(n).any(|p| kind(p) == kind(q)) {
            return Err((
                "qualifier",
                format!("two {} qualifiers on one observation expression", kind(q)),
            ));
        }
        match q {
            Qualifier::Within(Seconds::Integer(0)) => {
                return Err(("qualifier", "`WITHIN` needs a positive number of seconds".into()));
            }
            Qualifier::Within(Seconds::Float(f)) if *f <= 0.0 => {
                return Err(("qualifier", "`WITHIN` needs a positive number of seconds".into()));
            }
            Qualifier::Repeats(0) => {
                return Err(("qualifier", "`REPEATS` needs a positive number of times".into()));
            }
            Qualifier::StartStop { start, stop } => {
                let t = |x: &Timestamp| super::grammar::whole(x.as_str(), super::grammar::timestamp).ok();
                if let (Some(a), Some(b)) = (t(start), t(stop))
                    && b <= a
                {
                    return Err(("qualifier", "`STOP` must be later than `START`".into()));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// §9.3: "all Comparison Expressions joined by AND within an Observation Expression MUST use the
/// same object type".
fn same_object_type_under_and(c: &ComparisonExpression) -> Result<(), (&'static str, String)> {
    match c {
        ComparisonExpression::Comparison(_) => Ok(()),
        ComparisonExpression::Or(items) => items.iter().try_for_each(same_object_type_under_and),
        ComparisonExpression::And(_) => {
            let mut all = Vec::new();
            collect_comparison(c, &mut all);
            let first = all.first().map(|c| c.path.object_type.as_str());
            match all.iter().find(|c| Some(c.path.object_type.as_str()) != first) {
                Some(other) => Err((
                    "comparison-and",
                    format!(
                        "comparisons joined by AND use one object type, not `{}` and `{}`",
                        first.unwrap_or_default(),
                        other.path.object_type
                    ),
                )),
                None => Ok(()),
            }
        }
    }
}

/// §9.5 each comparison: its object type a STIX type name (§3.1: lower case), its property a
/// property name, `ISSUBSET`/`ISSUPERSET` on an IP address or CIDR block, `MATCHES` a regular
/// expression that compiles.
fn comparison_rules(c: &ComparisonExpression) -> Result<(), (&'static str, String)> {
    let mut all = Vec::new();
    collect_comparison(c, &mut all);
    for c in all {
        let t = &c.path.object_type;
        if super::grammar::whole(t, super::grammar::type_name).is_err() || t == "action" {
            return Err(("object-type", format!("`{t}` is not a STIX object type name")));
        }
        let p = &c.path.property;
        if p.is_empty()
            || p.len() > 250
            || !p
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(("object-property", format!("`{p}` is not a STIX property name")));
        }
        match &c.op {
            Operator::IsSubset(s) | Operator::IsSuperset(s)
                if !(super::grammar::ipv4_cidr(s) || super::grammar::ipv6_cidr(s)) =>
            {
                return Err(("subset-operand", format!("`{s}` is not an IP address or CIDR block")));
            }
            Operator::Matches(r) => {
                if let Err(e) = regex_shape(r) {
                    return Err(("matches-regex", format!("`MATCHES` needs a regular expression: {e}")));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// §9.5 `MATCHES`: a PCRE regular expression. Its structure is checked without compiling it
/// (no backtracking engine sees it): escapes complete, groups and classes closed, every
/// quantifier after something it can repeat, `{m,n}` with `m <= n`.
fn regex_shape(r: &str) -> Result<(), &'static str> {
    let b = r.as_bytes();
    let (mut n, mut depth, mut can_repeat) = (0usize, 0usize, false);
    while let Some(&c) = b.get(n) {
        n = n.saturating_add(1);
        match c {
            b'\\' => {
                if b.get(n).is_none() {
                    return Err("a `\\` at the end");
                }
                n = n.saturating_add(1);
                can_repeat = true;
            }
            b'[' => {
                // A class: `]` right after `[` or `[^` is a member.
                if b.get(n) == Some(&b'^') {
                    n = n.saturating_add(1);
                }
                if b.get(n) == Some(&b']') {
                    n = n.saturating_add(1);
                }
                loop {
                    match b.get(n) {
                        None => return Err("a `[` without its `]`"),
                        Some(b'\\') => n = n.saturating_add(2),
                        Some(b']') => break,
                        Some(_) => n = n.saturating_add(1),
                    }
                }
                n = n.saturating_add(1);
                can_repeat = true;
            }
            b'(' => {
                depth = depth.saturating_add(1);
                // `(?:`, `(?=`, `(?!`, `(?<=`, `(?<name>`, `(?i)`: a group construct follows.
                if b.get(n) == Some(&b'?') {
                    n = n.saturating_add(1);
                    if b.get(n).is_none() {
                        return Err("a `(?` without its construct");
                    }
                }
                can_repeat = false;
            }
            b')' => {
                if depth == 0 {
                    return Err("a `)` without its `(`");
                }
                depth = depth.saturating_sub(1);
                can_repeat = true;
            }
            b'*' | b'+' | b'?' => {
                if !can_repeat {
                    return Err("a quantifier with nothing to repeat");
                }
                // A lazy or possessive suffix.
                if matches!(b.get(n), Some(b'?' | b'+')) {
                    n = n.saturating_add(1);
                }
                can_repeat = false;
            }
            b'{' => {
                let close = b.get(n..).and_then(|rest| rest.iter().position(|&x| x == b'}'));
                let body = close.and_then(|k| r.get(n..n.saturating_add(k)));
                match body.and_then(counted_repetition) {
                    Some((m, max)) => {
                        if !can_repeat {
                            return Err("a quantifier with nothing to repeat");
                        }
                        if max.is_some_and(|x| x < m) {
                            return Err("a `{m,n}` with m > n");
                        }
                        n = n.saturating_add(close.unwrap_or(0)).saturating_add(1);
                        can_repeat = false;
                    }
                    // PCRE reads a `{` that does not start a quantifier as a literal.
                    None => can_repeat = true,
                }
            }
            b'|' | b'^' | b'$' => can_repeat = c == b'$',
            _ => can_repeat = true,
        }
    }
    if depth > 0 {
        return Err("a `(` without its `)`");
    }
    Ok(())
}

/// The inside of `{m}`, `{m,}` or `{m,n}`.
fn counted_repetition(body: &str) -> Option<(u64, Option<u64>)> {
    let digits = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match body.split_once(',') {
        None => digits(body).map(|m| (m, Some(m))),
        Some((m, "")) => digits(m).map(|m| (m, None)),
        Some((m, x)) => Some((digits(m)?, Some(digits(x)?))),
    }
}

// ---------------------------------------------------------------------------------------------
// The grammar (STIX 2.1 §9, STIXPattern.g4)
// ---------------------------------------------------------------------------------------------

type PResult<'a, T> = IResult<&'a str, T, GrammarError<&'a str>>;

/// Parse one STIX pattern under `limits`.
pub fn parse(input: &str, limits: &Limits) -> Result<Pattern, ParseError> {
    if input.len() > limits.max_pattern_bytes {
        return Err(ParseError::new(
            limits.max_pattern_bytes,
            "max_pattern_bytes",
            format!(
                "pattern is {} bytes, the limit is {}",
                input.len(),
                limits.max_pattern_bytes
            ),
        ));
    }
    finish(&input, pattern(input, limits)).map(|(_, p)| p)
}

fn fail<'a, T>(i: &'a str, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> PResult<'a, T> {
    GrammarError::failure(i, rule, detail)
}

/// `expected ..., found ...`, the detail of most errors.
fn unexpected<'a, T>(i: &'a str, rule: &'static str, expected: &str) -> PResult<'a, T> {
    fail(i, rule, format!("expected {expected}, found {}", shown(i)))
}

/// The token at the start of `i` as users should see it in a message: a whole word, or one
/// character, with a hint for lowercase keywords and comments.
fn shown(i: &str) -> String {
    if i.starts_with("/*") || i.starts_with("//") {
        return "a comment (comments are not allowed)".to_string();
    }
    let word: String = i.chars().take_while(|&c| is_identifier_char(c)).take(32).collect();
    if !word.is_empty() {
        let upper = word.to_ascii_uppercase();
        if word != upper && KEYWORDS.contains(&upper.as_str()) {
            return format!("`{word}` (keywords are uppercase: `{upper}`)");
        }
        return format!("`{word}`");
    }
    match i.chars().next() {
        Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
        None => "end of input".to_string(),
    }
}

/// STIXPattern.g4 `WS`: the whitespace skipped between tokens.
fn ws(i: &str) -> &str {
    i.trim_start_matches(is_ws)
}

fn is_ws(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// STIXPattern.g4, keywords: uppercase only, except the boolean literals.
const KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "FOLLOWEDBY",
    "LIKE",
    "MATCHES",
    "ISSUPERSET",
    "ISSUBSET",
    "EXISTS",
    "LAST",
    "IN",
    "START",
    "STOP",
    "SECONDS",
    "true",
    "false",
    "WITHIN",
    "REPEATS",
    "TIMES",
];

/// The rest of `i` after the keyword `kw`, if `i` starts with it as a whole word.
fn keyword<'a>(i: &'a str, kw: &str) -> Option<&'a str> {
    let rest = i.strip_prefix(kw)?;
    match rest.chars().next() {
        Some(c) if is_identifier_char(c) => None,
        _ => Some(rest),
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Split `i` after its longest prefix whose characters satisfy `pred`.
fn span(i: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    let n = i.find(|c| !pred(c)).unwrap_or(i.len());
    i.split_at_checked(n).unwrap_or((i, ""))
}

/// `(` at the start of a parenthesised expression: check the depth before descending.
fn open_paren<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, usize> {
    let Some(depth) = depth.checked_sub(1) else {
        return fail(
            i,
            "max_pattern_depth",
            format!("parentheses nested deeper than {} levels", limits.max_pattern_depth),
        );
    };
    match i.strip_prefix('(') {
        Some(rest) => Ok((rest, depth)),
        None => unexpected(i, "observationExpression", "`(`"),
    }
}

/// The `)` closing a parenthesis opened at `open`.
fn close_paren<'a>(i: &'a str, open: &'a str, rule: &'static str) -> Result<&'a str, nom::Err<GrammarError<&'a str>>> {
    let i = ws(i);
    match i.strip_prefix(')') {
        Some(rest) => Ok(rest),
        None if i.is_empty() => GrammarError::failure(open, rule, "unbalanced `(`: no `)` closes it"),
        None => GrammarError::failure(i, rule, format!("expected `)`, found {}", shown(i))),
    }
}

/// One element, or a list node of several.
fn one_or_list<T>(mut items: Vec<T>, list: impl FnOnce(Vec<T>) -> T) -> Option<T> {
    if items.len() == 1 {
        items.pop()
    } else {
        Some(list(items))
    }
}

/// STIXPattern.g4 `pattern : observationExpressions EOF`.
fn pattern<'a>(i: &'a str, limits: &Limits) -> PResult<'a, Pattern> {
    let i = ws(i);
    if i.is_empty() {
        return fail(i, "pattern", "empty pattern");
    }
    let (i, expression) = observation_expressions(i, limits.max_pattern_depth, limits)?;
    let i = ws(i);
    if !i.is_empty() {
        let detail = match i.chars().next() {
            Some(']') => "unbalanced `]`: no `[` opens it".to_string(),
            Some(')') => "unbalanced `)`: no `(` opens it".to_string(),
            _ => format!("unexpected {} after the pattern", shown(i)),
        };
        return fail(i, "pattern", detail);
    }
    Ok((i, Pattern { expression }))
}

/// STIXPattern.g4 `observationExpressions : observationExpressions FOLLOWEDBY observationExpressions
/// | observationExpressionOr` (left-associative, the loosest observation operator).
fn observation_expressions<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ObservationExpression> {
    let (mut i, first) = observation_expression_or(i, depth, limits)?;
    let mut items = vec![first];
    while let Some(rest) = keyword(ws(i), "FOLLOWEDBY") {
        let (rest, next) = observation_expression_or(rest, depth, limits)?;
        items.push(next);
        i = rest;
    }
    let at = i;
    match one_or_list(items, ObservationExpression::FollowedBy) {
        Some(e) => Ok((i, e)),
        None => fail(at, "observationExpressions", "empty expression"),
    }
}

/// STIXPattern.g4 `observationExpressionOr : observationExpressionOr OR observationExpressionOr
/// | observationExpressionAnd`.
fn observation_expression_or<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ObservationExpression> {
    let (mut i, first) = observation_expression_and(i, depth, limits)?;
    let mut items = vec![first];
    while let Some(rest) = keyword(ws(i), "OR") {
        let (rest, next) = observation_expression_and(rest, depth, limits)?;
        items.push(next);
        i = rest;
    }
    match one_or_list(items, ObservationExpression::Or) {
        Some(e) => Ok((i, e)),
        None => fail(i, "observationExpressionOr", "empty expression"),
    }
}

/// STIXPattern.g4 `observationExpressionAnd : observationExpressionAnd AND observationExpressionAnd
/// | observationExpression` (the tightest observation operator).
fn observation_expression_and<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ObservationExpression> {
    let (mut i, first) = observation_expression(i, depth, limits)?;
    let mut items = vec![first];
    while let Some(rest) = keyword(ws(i), "AND") {
        let (rest, next) = observation_expression(rest, depth, limits)?;
        items.push(next);
        i = rest;
    }
    match one_or_list(items, ObservationExpression::And) {
        Some(e) => Ok((i, e)),
        None => fail(i, "observationExpressionAnd", "empty expression"),
    }
}

/// STIXPattern.g4 `observationExpression : LBRACK comparisonExpression RBRACK | LPAREN
/// observationExpressions RPAREN | observationExpression (startStopQualifier | withinQualifier |
/// repeatedQualifier)` (§9.6: qualifiers bind to the observation expression just before them).
fn observation_expression<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ObservationExpression> {
    let i = ws(i);
    let (i, base) = match i.chars().next() {
        Some('[') => {
            let open = i;
            let (rest, c) = comparison_expression(i.get(1..).unwrap_or_default(), depth, limits)?;
            let rest = ws(rest);
            let Some(rest) = rest.strip_prefix(']') else {
                if rest.is_empty() {
                    return fail(open, "observationExpression", "unbalanced `[`: no `]` closes it");
                }
                return unexpected(rest, "observationExpression", "`AND`, `OR` or `]`");
            };
            (rest, ObservationExpression::Observation(c))
        }
        Some('(') => {
            let open = i;
            let (rest, inner_depth) = open_paren(i, depth, limits)?;
            let (rest, e) = observation_expressions(rest, inner_depth, limits)?;
            (close_paren(rest, open, "observationExpression")?, e)
        }
        _ => return unexpected(i, "observationExpression", "`[` or `(`"),
    };
    let (i, qualifiers) = qualifiers(i)?;
    if qualifiers.is_empty() {
        return Ok((i, base));
    }
    Ok((
        i,
        ObservationExpression::Qualified {
            expression: Box::new(base),
            qualifiers,
        },
    ))
}

/// The qualifiers after one observation expression, in source order.
fn qualifiers(mut i: &str) -> PResult<'_, Vec<Qualifier>> {
    let mut out: Vec<Qualifier> = Vec::new();
    loop {
        let at = ws(i);
        let (rest, q) = if keyword(at, "WITHIN").is_some() {
            within_qualifier(at)?
        } else if keyword(at, "REPEATS").is_some() {
            repeated_qualifier(at)?
        } else if keyword(at, "START").is_some() {
            start_stop_qualifier(at)?
        } else {
            return Ok((i, out));
        };
        out.push(q);
        i = rest;
    }
}

/// STIXPattern.g4 `comparisonExpression : comparisonExpression OR comparisonExpression
/// | comparisonExpressionAnd` (§9.3: OR is looser than AND).
fn comparison_expression<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ComparisonExpression> {
    let (mut i, first) = comparison_expression_and(i, depth, limits)?;
    let mut items = vec![first];
    while let Some(rest) = keyword(ws(i), "OR") {
        let (rest, next) = comparison_expression_and(rest, depth, limits)?;
        items.push(next);
        i = rest;
    }
    match one_or_list(items, ComparisonExpression::Or) {
        Some(e) => Ok((i, e)),
        None => fail(i, "comparisonExpression", "empty expression"),
    }
}

/// STIXPattern.g4 `comparisonExpressionAnd : comparisonExpressionAnd AND comparisonExpressionAnd
/// | propTest`.
fn comparison_expression_and<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ComparisonExpression> {
    let (mut i, first) = prop_test(i, depth, limits)?;
    let mut items = vec![first];
    while let Some(rest) = keyword(ws(i), "AND") {
        let (rest, next) = prop_test(rest, depth, limits)?;
        items.push(next);
        i = rest;
    }
    match one_or_list(items, ComparisonExpression::And) {
        Some(e) => Ok((i, e)),
        None => fail(i, "comparisonExpressionAnd", "empty expression"),
    }
}

/// STIXPattern.g4 `propTest : objectPath NOT? (EQ|NEQ) primitiveLiteral | objectPath NOT?
/// (GT|LT|GE|LE) orderableLiteral | objectPath NOT? IN setLiteral | objectPath NOT? (LIKE | MATCHES
/// | ISSUBSET | ISSUPERSET) StringLiteral | LPAREN comparisonExpression RPAREN | EXISTS objectPath`.
fn prop_test<'a>(i: &'a str, depth: usize, limits: &Limits) -> PResult<'a, ComparisonExpression> {
    let i = ws(i);
    if i.starts_with('(') {
        let open = i;
        let (rest, inner_depth) = open_paren(i, depth, limits)?;
        let (rest, e) = comparison_expression(rest, inner_depth, limits)?;
        return Ok((close_paren(rest, open, "propTest")?, e));
    }
    // `NOT? EXISTS objectPath`
    let (at, negated) = match keyword(i, "NOT") {
        Some(rest) if keyword(ws(rest), "EXISTS").is_some() => (ws(rest), true),
        _ => (i, false),
    };
    if let Some(rest) = keyword(at, "EXISTS") {
        let (rest, path) = object_path(rest)?;
        let c = Comparison {
            path,
            negated,
            op: Operator::Exists,
        };
        return Ok((rest, ComparisonExpression::Comparison(c)));
    }
    if i.is_empty() || i.starts_with(']') {
        return unexpected(i, "propTest", "a comparison");
    }
    let (i, path) = object_path(i)?;
    let i = ws(i);
    let (i, negated) = match keyword(i, "NOT") {
        Some(rest) => (ws(rest), true),
        None => (i, false),
    };
    if keyword(i, "EXISTS").is_some() {
        return fail(
            i,
            "propTest",
            "`EXISTS` goes before the object path, and cannot be negated",
        );
    }
    let (i, op) = operator(i)?;
    Ok((i, ComparisonExpression::Comparison(Comparison { path, negated, op })))
}

type LiteralOperator = fn(Literal) -> Operator;
type StringOperator = fn(String) -> Operator;

/// STIXPattern.g4 `EQ | NEQ | LT | LE | GT | GE | IN | LIKE | MATCHES | ISSUBSET | ISSUPERSET`,
/// each with the operand `propTest` allows it.
fn operator(i: &str) -> PResult<'_, Operator> {
    const SYMBOLS: &[(&str, LiteralOperator, bool)] = &[
        ("==", Operator::Equal, false),
        ("!=", Operator::NotEqual, false),
        ("<>", Operator::NotEqual, false),
        ("<=", Operator::LessOrEqual, true),
        (">=", Operator::GreaterOrEqual, true),
        ("=", Operator::Equal, false),
        ("<", Operator::Less, true),
        (">", Operator::Greater, true),
    ];
    for (symbol, make, orderable) in SYMBOLS {
        if let Some(rest) = i.strip_prefix(symbol) {
            let (rest, l) = if *orderable {
                orderable_literal(rest)?
            } else {
                primitive_literal(rest)?
            };
            return Ok((rest, make(l)));
        }
    }
    if let Some(rest) = keyword(i, "IN") {
        let (rest, set) = set_literal(rest)?;
        return Ok((rest, Operator::In(set)));
    }
    const WORDS: &[(&str, StringOperator)] = &[
        ("LIKE", Operator::Like),
        ("MATCHES", Operator::Matches),
        ("ISSUBSET", Operator::IsSubset),
        ("ISSUPERSET", Operator::IsSuperset),
    ];
    for (word, make) in WORDS {
        if let Some(rest) = keyword(i, word) {
            let rest = ws(rest);
            if !rest.starts_with('\'') {
                return unexpected(rest, "propTest", &format!("a string literal after `{word}`"));
            }
            let (rest, s) = string_literal(rest)?;
            return Ok((rest, make(s)));
        }
    }
    unexpected(
        i,
        "propTest",
        "a comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `IN`, `LIKE`, `MATCHES`, `ISSUBSET`, `ISSUPERSET`)",
    )
}

/// STIXPattern.g4 `startStopQualifier : START TimestampLiteral STOP TimestampLiteral`.
fn start_stop_qualifier(i: &str) -> PResult<'_, Qualifier> {
    let i = keyword(i, "START").unwrap_or(i);
    let (i, start) = qualifier_timestamp(ws(i), "START")?;
    let i = ws(i);
    let Some(i) = keyword(i, "STOP") else {
        return unexpected(i, "startStopQualifier", "`STOP`");
    };
    let (i, stop) = qualifier_timestamp(ws(i), "STOP")?;
    Ok((i, Qualifier::StartStop { start, stop }))
}

fn qualifier_timestamp<'a>(i: &'a str, after: &str) -> PResult<'a, Timestamp> {
    if !i.starts_with("t'") {
        return unexpected(
            i,
            "startStopQualifier",
            &format!("a timestamp `t'...'` after `{after}`"),
        );
    }
    timestamp_literal(i)
}

/// STIXPattern.g4 `withinQualifier : WITHIN (IntPosLiteral | FloatPosLiteral) SECONDS`.
fn within_qualifier(i: &str) -> PResult<'_, Qualifier> {
    let i = ws(keyword(i, "WITHIN").unwrap_or(i));
    if !i.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '.') {
        return unexpected(i, "withinQualifier", "a number of seconds that is not negative");
    }
    let (i, seconds) = if number_is_float(i) {
        match number(i)? {
            (rest, Literal::Float(f)) => (rest, Seconds::Float(f)),
            _ => return unexpected(i, "withinQualifier", "a number"),
        }
    } else {
        let (rest, n) = int_pos_literal(i)?;
        (rest, Seconds::Integer(n))
    };
    let i = ws(i);
    let Some(i) = keyword(i, "SECONDS") else {
        return unexpected(i, "withinQualifier", "`SECONDS`");
    };
    Ok((i, Qualifier::Within(seconds)))
}

/// STIXPattern.g4 `repeatedQualifier : REPEATS IntPosLiteral TIMES`.
fn repeated_qualifier(i: &str) -> PResult<'_, Qualifier> {
    let i = ws(keyword(i, "REPEATS").unwrap_or(i));
    if !i.starts_with(|c: char| c.is_ascii_digit() || c == '+') || number_is_float(i) {
        return unexpected(i, "repeatedQualifier", "a whole number of times");
    }
    let (i, times) = int_pos_literal(i)?;
    let i = ws(i);
    let Some(i) = keyword(i, "TIMES") else {
        return unexpected(i, "repeatedQualifier", "`TIMES`");
    };
    Ok((i, Qualifier::Repeats(times)))
}

/// Whether the number at the start of `i` has a fraction (`FloatPosLiteral`, `FloatNegLiteral`).
fn number_is_float(i: &str) -> bool {
    let (_, rest) = span(i.strip_prefix(['+', '-']).unwrap_or(i), |c| c.is_ascii_digit());
    rest.starts_with('.')
}

/// STIXPattern.g4 `IntPosLiteral : '+'? ('0' | [1-9] [0-9]*)`, read as an unsigned 64-bit number.
fn int_pos_literal(i: &str) -> PResult<'_, u64> {
    let start = i;
    let (digits, rest) = span(i.strip_prefix('+').unwrap_or(i), |c| c.is_ascii_digit());
    if digits.is_empty() {
        return unexpected(rest, "IntLiteral", "a digit");
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return fail(start, "IntLiteral", "leading zeros are not allowed");
    }
    match digits.parse::<u64>() {
        Ok(n) => Ok((rest, n)),
        Err(_) => fail(start, "IntLiteral", "integer out of the 64-bit range"),
    }
}

/// STIXPattern.g4 `objectPath : objectType COLON firstPathComponent objectPathComponent?`.
fn object_path(i: &str) -> PResult<'_, ObjectPath> {
    let (i, object_type) = object_type(ws(i))?;
    let i = ws(i);
    let Some(i) = i.strip_prefix(':') else {
        return unexpected(i, "objectPath", "`:` after the object type");
    };
    let (mut i, property) = first_path_component(ws(i))?;
    let mut steps = Vec::new();
    loop {
        let at = ws(i);
        let (rest, step) = match at.chars().next() {
            Some('.') => key_path_step(at)?,
            Some('[') => index_path_step(at)?,
            _ => break,
        };
        steps.push(step);
        i = rest;
    }
    Ok((
        i,
        ObjectPath {
            object_type,
            property,
            steps,
        },
    ))
}

/// STIXPattern.g4 `objectType : IdentifierWithoutHyphen | IdentifierWithHyphen`, that is
/// `[a-zA-Z_] [a-zA-Z0-9_-]*`.
fn object_type(i: &str) -> PResult<'_, String> {
    if !i.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return unexpected(i, "objectType", "an object type such as `file`");
    }
    let (name, rest) = span(i, is_identifier_char);
    if KEYWORDS.contains(&name) {
        return fail(
            i,
            "objectType",
            format!("keyword `{name}` where an object type was expected"),
        );
    }
    Ok((rest, name.to_string()))
}

/// STIXPattern.g4 `firstPathComponent : IdentifierWithoutHyphen | StringLiteral`.
fn first_path_component(i: &str) -> PResult<'_, String> {
    path_key(i, "firstPathComponent")
}

/// STIXPattern.g4 `objectPathComponent : '.' (IdentifierWithoutHyphen | StringLiteral)`
/// (`keyPathStep`).
fn key_path_step(i: &str) -> PResult<'_, PathStep> {
    let i = i.strip_prefix('.').unwrap_or(i);
    let (i, key) = path_key(ws(i), "keyPathStep")?;
    Ok((i, PathStep::Key(key)))
}

/// A property name: `IdentifierWithoutHyphen` (`[a-zA-Z_] [a-zA-Z0-9_]*`) or a `StringLiteral`.
fn path_key<'a>(i: &'a str, rule: &'static str) -> PResult<'a, String> {
    if i.starts_with('\'') {
        return string_literal(i);
    }
    if !i.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return unexpected(i, rule, "a property name");
    }
    let (name, rest) = span(i, is_identifier_without_hyphen);
    if rest.starts_with('-') {
        let (whole, _) = span(i, is_identifier_char);
        return fail(i, rule, format!("a property name with `-` must be quoted: `'{whole}'`"));
    }
    if KEYWORDS.contains(&name) {
        return fail(
            i,
            rule,
            format!("keyword `{name}` where a property name was expected (quote it)"),
        );
    }
    Ok((rest, name.to_string()))
}

fn is_identifier_without_hyphen(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// STIXPattern.g4 `objectPathComponent : LBRACK (IntPosLiteral | IntNegLiteral | ASTERISK) RBRACK`
/// (`indexPathStep`).
fn index_path_step(i: &str) -> PResult<'_, PathStep> {
    let i = ws(i.strip_prefix('[').unwrap_or(i));
    let (i, step) = if let Some(rest) = i.strip_prefix('*') {
        (rest, PathStep::AnyIndex)
    } else if i.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-') {
        let at = i;
        match number(i)? {
            (rest, Literal::Integer(n)) => (rest, PathStep::Index(n)),
            _ => return fail(at, "indexPathStep", "a list index must be a whole number or `*`"),
        }
    } else {
        return unexpected(i, "indexPathStep", "a list index or `*`");
    };
    let i = ws(i);
    match i.strip_prefix(']') {
        Some(rest) => Ok((rest, step)),
        None => unexpected(i, "indexPathStep", "`]` after the list index"),
    }
}

/// STIXPattern.g4 `setLiteral : LPAREN RPAREN | LPAREN primitiveLiteral (COMMA primitiveLiteral)*
/// RPAREN`.
fn set_literal(i: &str) -> PResult<'_, Vec<Literal>> {
    let i = ws(i);
    let open = i;
    let Some(i) = i.strip_prefix('(') else {
        return unexpected(i, "setLiteral", "`(` after `IN`");
    };
    let mut items = Vec::new();
    let mut i = ws(i);
    if let Some(rest) = i.strip_prefix(')') {
        return Ok((rest, items));
    }
    loop {
        let (rest, l) = primitive_literal(i)?;
        items.push(l);
        let rest = ws(rest);
        if let Some(rest) = rest.strip_prefix(',') {
            i = rest;
        } else if let Some(rest) = rest.strip_prefix(')') {
            return Ok((rest, items));
        } else if rest.is_empty() {
            return fail(open, "setLiteral", "unbalanced `(`: no `)` closes the set");
        } else {
            return unexpected(rest, "setLiteral", "`,` or `)`");
        }
    }
}

/// STIXPattern.g4 `primitiveLiteral : orderableLiteral | BoolLiteral`.
fn primitive_literal(i: &str) -> PResult<'_, Literal> {
    let i = ws(i);
    if let Some(rest) = keyword(i, "true") {
        return Ok((rest, Literal::Boolean(true)));
    }
    if let Some(rest) = keyword(i, "false") {
        return Ok((rest, Literal::Boolean(false)));
    }
    orderable_literal(i)
}

/// STIXPattern.g4 `orderableLiteral : IntPosLiteral | IntNegLiteral | FloatPosLiteral |
/// FloatNegLiteral | StringLiteral | BinaryLiteral | HexLiteral | TimestampLiteral`.
fn orderable_literal(i: &str) -> PResult<'_, Literal> {
    let i = ws(i);
    if i.starts_with("t'") {
        let (rest, t) = timestamp_literal(i)?;
        return Ok((rest, Literal::Timestamp(t)));
    }
    if i.starts_with("h'") {
        let (rest, b) = hex_literal(i)?;
        return Ok((rest, Literal::Hex(b)));
    }
    if i.starts_with("b'") {
        let (rest, b) = binary_literal(i)?;
        return Ok((rest, Literal::Binary(b)));
    }
    match i.chars().next() {
        Some('\'') => string_literal(i).map(|(rest, s)| (rest, Literal::String(s))),
        Some('+' | '-' | '.' | '0'..='9') => number(i),
        _ if keyword(i, "true").is_some() || keyword(i, "false").is_some() => fail(
            i,
            "orderableLiteral",
            "a boolean cannot be compared with `<`, `<=`, `>` or `>=`",
        ),
        _ => unexpected(i, "orderableLiteral", "a literal"),
    }
}

/// STIXPattern.g4 `IntPosLiteral : '+'? ('0' | [1-9] [0-9]*)`, `IntNegLiteral : '-' ('0' | [1-9]
/// [0-9]*)`, `FloatPosLiteral : '+'? [0-9]* '.' [0-9]+`, `FloatNegLiteral : '-' [0-9]* '.' [0-9]+`.
fn number(i: &str) -> PResult<'_, Literal> {
    let start = i;
    let (sign, rest) = match i.chars().next() {
        Some('-') => ("-", i.get(1..).unwrap_or_default()),
        Some('+') => ("", i.get(1..).unwrap_or_default()),
        _ => ("", i),
    };
    let (int_part, rest) = span(rest, |c| c.is_ascii_digit());
    if let Some(after_dot) = rest.strip_prefix('.') {
        let (frac, rest) = span(after_dot, |c| c.is_ascii_digit());
        if frac.is_empty() {
            return fail(after_dot, "FloatLiteral", "expected a digit after `.`");
        }
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        let f: f64 = match format!("{sign}{int_part}.{frac}").parse() {
            Ok(f) => f,
            Err(_) => return fail(start, "FloatLiteral", "invalid float"),
        };
        if !f.is_finite() {
            return fail(start, "FloatLiteral", "float out of the range of an IEEE 754 double");
        }
        return Ok((rest, Literal::Float(f)));
    }
    if int_part.is_empty() {
        return fail(rest, "IntLiteral", format!("expected a digit, found {}", shown(rest)));
    }
    if int_part.len() > 1 && int_part.starts_with('0') {
        return fail(start, "IntLiteral", "leading zeros are not allowed");
    }
    match format!("{sign}{int_part}").parse::<i64>() {
        Ok(n) => Ok((rest, Literal::Integer(n))),
        Err(_) => fail(start, "IntLiteral", "integer out of the 64-bit range"),
    }
}

/// STIXPattern.g4 `HexLiteral : 'h' QUOTE TwoHexDigits* QUOTE`.
fn hex_literal(i: &str) -> PResult<'_, Vec<u8>> {
    let open = i;
    let body = i.get(2..).unwrap_or_default();
    let (digits, rest) = span(body, |c| c.is_ascii_hexdigit());
    let Some(rest) = rest.strip_prefix('\'') else {
        if rest.is_empty() {
            return fail(open, "HexLiteral", "unterminated hex literal");
        }
        return fail(
            rest,
            "HexLiteral",
            format!("{} is not a hexadecimal digit", shown(rest)),
        );
    };
    match hex::decode(digits) {
        Ok(bytes) => Ok((rest, bytes)),
        Err(_) => fail(open, "HexLiteral", "a hex literal needs an even number of digits"),
    }
}

/// STIXPattern.g4 `BinaryLiteral : 'b' QUOTE (Base64Char{4})* (Base64Char{4} | Base64Char{3} '='
/// | Base64Char{2} '==') QUOTE` (so never empty), with `Base64Char : [A-Za-z0-9+/]`.
fn binary_literal(i: &str) -> PResult<'_, Vec<u8>> {
    let open = i;
    let body = i.get(2..).unwrap_or_default();
    let (chars, rest) = span(body, |c| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=');
    let Some(rest) = rest.strip_prefix('\'') else {
        if rest.is_empty() {
            return fail(open, "BinaryLiteral", "unterminated binary literal");
        }
        return fail(
            rest,
            "BinaryLiteral",
            format!("{} is not a base64 character", shown(rest)),
        );
    };
    match base64_decode(chars) {
        Some(bytes) => Ok((rest, bytes)),
        None => fail(
            open,
            "BinaryLiteral",
            "invalid base64: it must be non-empty, padded to a multiple of 4 with `=` only at the end",
        ),
    }
}

/// STIXPattern.g4 `StringLiteral : QUOTE ( ~['\\] | '\\\'' | '\\\\' )* QUOTE`: only `\'` and `\\`
/// are escapes.
fn string_literal(i: &str) -> PResult<'_, String> {
    let open = i;
    let mut rest = i.strip_prefix('\'').unwrap_or(i);
    let mut out = String::new();
    loop {
        let (run, after) = span(rest, |c| c != '\'' && c != '\\');
        out.push_str(run);
        let mut chars = after.chars();
        match chars.next() {
            Some('\'') => return Ok((chars.as_str(), out)),
            Some('\\') => match chars.next() {
                Some(c @ ('\'' | '\\')) => {
                    out.push(c);
                    rest = chars.as_str();
                }
                Some(c) => {
                    return fail(
                        after,
                        "StringLiteral",
                        format!(
                            "invalid escape `\\{}`: only `\\'` and `\\\\` are escapes",
                            c.escape_debug()
                        ),
                    );
                }
                None => return fail(open, "StringLiteral", "unterminated string"),
            },
            _ => return fail(open, "StringLiteral", "unterminated string"),
        }
    }
}

/// STIXPattern.g4 `TimestampLiteral : 't' QUOTE YYYY-MM-DD 'T' HH:MM:SS ('.' [0-9]+)? 'Z' QUOTE`.
fn timestamp_literal(i: &str) -> PResult<'_, Timestamp> {
    let open = i;
    let body = i.get(2..).unwrap_or_default();
    let Some((text, rest)) = body.split_once('\'') else {
        return fail(open, "TimestampLiteral", "unterminated timestamp");
    };
    match Timestamp::new(text) {
        Some(t) => Ok((rest, t)),
        None => fail(
            open,
            "TimestampLiteral",
            format!(
                "`{}` is not a UTC timestamp `YYYY-MM-DDTHH:MM:SS[.s]Z` naming a real date",
                text.chars().take(64).collect::<String>()
            ),
        ),
    }
}

/// RFC 3339 `date-time` restricted to UTC (`Z`), as STIXPattern.g4 `TimestampLiteral` spells it:
/// month 01-12, day valid for the month and year, hour 00-23, minute 00-59, second 00-60.
fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from.checked_add(len)?)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit()
                .then(|| acc.checked_mul(10)?.checked_add(u32::from(d - b'0')))
                .flatten()
        })
    };
    let at = |pos: usize, c: u8| b.get(pos) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2))
    else {
        return false;
    };
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return false;
    }
    let tail = b.get(19..).unwrap_or_default();
    let tail_ok = match tail {
        [b'Z'] => true,
        [b'.', frac @ .., b'Z'] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    tail_ok && (1..=days).contains(&day) && hour <= 23 && minute <= 59 && second <= 60
}

/// The value of one base64 character, if it is one.
fn base64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decode base64 that is non-empty, a multiple of 4 long, with 0-2 `=` only at the very end.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return None;
    }
    let chunks = b.chunks_exact(4);
    let last = chunks.len().checked_sub(1)?;
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (n, chunk) in chunks.enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && n != last) {
            return None;
        }
        let mut acc = 0u32;
        for &c in chunk.get(..4 - pad)? {
            acc = (acc << 6) | base64_value(c)?;
        }
        acc <<= 6 * pad as u32;
        let [_, b0, b1, b2] = acc.to_be_bytes();
        let decoded = [b0, b1, b2];
        out.extend_from_slice(decoded.get(..3 - pad)?);
    }
    Some(out)
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32| -> char { ALPHABET.get((v & 63) as usize).map_or('A', |&c| char::from(c)) };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let [b0, b1, b2] = [0, 1, 2].map(|k| u32::from(chunk.get(k).copied().unwrap_or(0)));
        let acc = (b0 << 16) | (b1 << 8) | b2;
        out.push(sextet(acc >> 18));
        out.push(sextet(acc >> 12));
        out.push(if chunk.len() > 1 { sextet(acc >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(acc) } else { '=' });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// Binding strength, loosest first. A child is parenthesised unless it binds tighter than its
/// parent, so a list nested in a list of the same kind keeps its parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Top,
    FollowedBy,
    Or,
    And,
    Atom,
}

fn observation_prec(e: &ObservationExpression) -> Prec {
    match e {
        ObservationExpression::FollowedBy(_) => Prec::FollowedBy,
        ObservationExpression::Or(_) => Prec::Or,
        ObservationExpression::And(_) => Prec::And,
        ObservationExpression::Observation(_) | ObservationExpression::Qualified { .. } => Prec::Atom,
    }
}

fn comparison_prec(e: &ComparisonExpression) -> Prec {
    match e {
        ComparisonExpression::Or(_) => Prec::Or,
        ComparisonExpression::And(_) => Prec::And,
        ComparisonExpression::Comparison(_) => Prec::Atom,
    }
}

fn render_observation(e: &ObservationExpression, parent: Prec, out: &mut String) {
    let (items, joiner) = match e {
        ObservationExpression::Observation(c) => {
            out.push('[');
            render_comparison_expression(c, Prec::Top, out);
            out.push(']');
            return;
        }
        ObservationExpression::Qualified { expression, qualifiers } => {
            if let ObservationExpression::Observation(_) = **expression {
                render_observation(expression, Prec::Top, out);
            } else {
                out.push('(');
                render_observation(expression, Prec::Top, out);
                out.push(')');
            }
            for q in qualifiers {
                out.push(' ');
                render_qualifier(q, out);
            }
            return;
        }
        ObservationExpression::And(items) => (items, " AND "),
        ObservationExpression::Or(items) => (items, " OR "),
        ObservationExpression::FollowedBy(items) => (items, " FOLLOWEDBY "),
    };
    let prec = observation_prec(e);
    let paren = prec <= parent;
    if paren {
        out.push('(');
    }
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push_str(joiner);
        }
        render_observation(item, prec, out);
    }
    if paren {
        out.push(')');
    }
}

fn render_qualifier(q: &Qualifier, out: &mut String) {
    match q {
        Qualifier::Within(Seconds::Integer(n)) => out.push_str(&format!("WITHIN {n} SECONDS")),
        Qualifier::Within(Seconds::Float(f)) => out.push_str(&format!("WITHIN {} SECONDS", render_float(*f))),
        Qualifier::Repeats(n) => out.push_str(&format!("REPEATS {n} TIMES")),
        Qualifier::StartStop { start, stop } => {
            out.push_str(&format!("START t'{}' STOP t'{}'", start.0, stop.0));
        }
    }
}

fn render_comparison_expression(e: &ComparisonExpression, parent: Prec, out: &mut String) {
    let (items, joiner) = match e {
        ComparisonExpression::Comparison(c) => {
            render_comparison(c, out);
            return;
        }
        ComparisonExpression::And(items) => (items, " AND "),
        ComparisonExpression::Or(items) => (items, " OR "),
    };
    let prec = comparison_prec(e);
    let paren = prec <= parent;
    if paren {
        out.push('(');
    }
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push_str(joiner);
        }
        render_comparison_expression(item, prec, out);
    }
    if paren {
        out.push(')');
    }
}

fn render_comparison(c: &Comparison, out: &mut String) {
    if let Operator::Exists = c.op {
        if c.negated {
            out.push_str("NOT ");
        }
        out.push_str("EXISTS ");
        render_path(&c.path, out);
        return;
    }
    render_path(&c.path, out);
    out.push(' ');
    if c.negated {
        out.push_str("NOT ");
    }
    let (symbol, operand) = match &c.op {
        Operator::Equal(l) => ("=", l),
        Operator::NotEqual(l) => ("!=", l),
        Operator::Less(l) => ("<", l),
        Operator::LessOrEqual(l) => ("<=", l),
        Operator::Greater(l) => (">", l),
        Operator::GreaterOrEqual(l) => (">=", l),
        Operator::In(set) => {
            out.push_str("IN (");
            for (n, l) in set.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                render_literal(l, out);
            }
            out.push(')');
            return;
        }
        Operator::Like(s) | Operator::Matches(s) | Operator::IsSubset(s) | Operator::IsSuperset(s) => {
            out.push_str(match c.op {
                Operator::Like(_) => "LIKE ",
                Operator::Matches(_) => "MATCHES ",
                Operator::IsSubset(_) => "ISSUBSET ",
                _ => "ISSUPERSET ",
            });
            render_string(s, out);
            return;
        }
        Operator::Exists => return,
    };
    out.push_str(symbol);
    out.push(' ');
    render_literal(operand, out);
}

fn render_path(p: &ObjectPath, out: &mut String) {
    out.push_str(&p.object_type);
    out.push(':');
    render_key(&p.property, out);
    for step in &p.steps {
        match step {
            PathStep::Key(k) => {
                out.push('.');
                render_key(k, out);
            }
            PathStep::Index(n) => out.push_str(&format!("[{n}]")),
            PathStep::AnyIndex => out.push_str("[*]"),
        }
    }
}

/// A property name bare when it is an `IdentifierWithoutHyphen` and not a keyword, else quoted.
fn render_key(k: &str, out: &mut String) {
    let bare = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(is_identifier_without_hyphen)
        && !KEYWORDS.contains(&k);
    if bare {
        out.push_str(k);
    } else {
        render_string(k, out);
    }
}

fn render_string(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// A float as `FloatPosLiteral` / `FloatNegLiteral` spell it: the shortest digits that read back
/// as the same double, never an exponent, always a `.`.
fn render_float(f: f64) -> String {
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn render_literal(l: &Literal, out: &mut String) {
    match l {
        Literal::String(s) => render_string(s, out),
        Literal::Integer(n) => out.push_str(&n.to_string()),
        Literal::Float(f) => out.push_str(&render_float(*f)),
        Literal::Binary(b) => {
            out.push_str("b'");
            out.push_str(&base64_encode(b));
            out.push('\'');
        }
        Literal::Hex(b) => {
            out.push_str("h'");
            out.push_str(&hex::encode(b));
            out.push('\'');
        }
        Literal::Timestamp(t) => {
            out.push_str("t'");
            out.push_str(&t.0);
            out.push('\'');
        }
        Literal::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        render_path(self, &mut out);
        f.write_str(&out)
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        render_comparison(self, &mut out);
        f.write_str(&out)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        render_literal(self, &mut out);
        f.write_str(&out)
    }
}

// ---------------------------------------------------------------------------------------------
// Walking and pruning
// ---------------------------------------------------------------------------------------------

fn collect_observation<'p>(e: &'p ObservationExpression, out: &mut Vec<&'p Comparison>) {
    match e {
        ObservationExpression::Observation(c) => collect_comparison(c, out),
        ObservationExpression::Qualified { expression, .. } => collect_observation(expression, out),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.iter().for_each(|item| collect_observation(item, out));
        }
    }
}

fn collect_comparison<'p>(e: &'p ComparisonExpression, out: &mut Vec<&'p Comparison>) {
    match e {
        ComparisonExpression::Comparison(c) => out.push(c),
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.iter().for_each(|item| collect_comparison(item, out));
        }
    }
}

fn collect_observation_mut<'p>(e: &'p mut ObservationExpression, out: &mut Vec<&'p mut Comparison>) {
    match e {
        ObservationExpression::Observation(c) => collect_comparison_mut(c, out),
        ObservationExpression::Qualified { expression, .. } => collect_observation_mut(expression, out),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.iter_mut().for_each(|item| collect_observation_mut(item, out));
        }
    }
}

fn collect_comparison_mut<'p>(e: &'p mut ComparisonExpression, out: &mut Vec<&'p mut Comparison>) {
    match e {
        ComparisonExpression::Comparison(c) => out.push(c),
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.iter_mut().for_each(|item| collect_comparison_mut(item, out));
        }
    }
}

#[derive(Default)]
struct Removed {
    comparisons: usize,
    observations: usize,
}

/// Prune `e` in place; false when nothing is left of it.
fn retain_observation(
    e: &mut ObservationExpression,
    keep: &mut impl FnMut(&Comparison) -> bool,
    stats: &mut Removed,
) -> bool {
    match e {
        ObservationExpression::Observation(c) => {
            let kept = retain_comparison(c, keep, stats);
            if !kept {
                stats.observations = stats.observations.saturating_add(1);
            }
            kept
        }
        ObservationExpression::Qualified { expression, .. } => retain_observation(expression, keep, stats),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.retain_mut(|item| retain_observation(item, keep, stats));
            if items.len() == 1 {
                if let Some(only) = items.pop() {
                    *e = only;
                }
                return true;
            }
            !items.is_empty()
        }
    }
}

/// Prune `e` in place; false when nothing is left of it.
fn retain_comparison(
    e: &mut ComparisonExpression,
    keep: &mut impl FnMut(&Comparison) -> bool,
    stats: &mut Removed,
) -> bool {
    match e {
        ComparisonExpression::Comparison(c) => {
            let kept = keep(c);
            if !kept {
                stats.comparisons = stats.comparisons.saturating_add(1);
            }
            kept
        }
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.retain_mut(|item| retain_comparison(item, keep, stats));
            if items.len() == 1 {
                if let Some(only) = items.pop() {
                    *e = only;
                }
                return true;
            }
            !items.is_empty()
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
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn ok(s: &str) -> Pattern {
        match parse(s, &Limits::default()) {
            Ok(p) => p,
            Err(e) => panic!("{s:?} rejected at byte {}: {e}", e.offset),
        }
    }

    fn err_with(s: &str, limits: &Limits) -> ParseError {
        match parse(s, limits) {
            Ok(p) => panic!("{s:?} accepted as {}", p.render()),
            Err(e) => e,
        }
    }

    fn err(s: &str) -> ParseError {
        err_with(s, &Limits::default())
    }

    /// The error a user sees: rule, offset, and a piece of the detail.
    fn assert_rejects(s: &str, rule: &str, offset: usize, detail: &str) {
        let e = err(s);
        assert_eq!((e.rule, e.offset), (rule, offset), "{s:?}: {e}");
        assert!(
            e.detail.contains(detail),
            "{s:?}: detail {:?} lacks {detail:?}",
            e.detail
        );
    }

    fn canon(s: &str) -> String {
        ok(s).render()
    }

    fn path(object_type: &str, property: &str, steps: Vec<PathStep>) -> ObjectPath {
        ObjectPath {
            object_type: object_type.to_string(),
            property: property.to_string(),
            steps,
        }
    }

    fn cmp(p: ObjectPath, op: Operator) -> ComparisonExpression {
        ComparisonExpression::Comparison(Comparison {
            path: p,
            negated: false,
            op,
        })
    }

    fn string(s: &str) -> Literal {
        Literal::String(s.to_string())
    }

    /// The example patterns of STIX 2.1 §9 (as collected by oasis-open/cti-pattern-validator,
    /// `stix2patterns/test/spec_examples.txt`) and the pass cases of its 2.1 test suite.
    const SPEC_EXAMPLES: &[&str] = &[
        r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
        r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
        r"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        r"([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS",
        r"[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
        r"[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']",
        r"[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']",
        r"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
        r"[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
        r"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
        r"[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
        r"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
        r"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
        r"[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
        r"[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']",
        r"[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
        r"[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
        r"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
        r"[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
        r"[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
        r"([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
        r"[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
        r"[file:file_system_properties.file_name LIKE 'name%']",
        r"[file:size IN (1024, 2048, 4096)]",
        r"[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
        r"[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
        r"( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
        r"([win-registry-key:key = 'hkey_local_machine\\foo\\bar']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
        r"[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
        r"[EXISTS windows-registry-key:values]",
    ];

    //--- case: every spec example parses, round-trips, and renders idempotently
    #[test]
    fn accepts_and_round_trips_spec_examples() {
        for s in SPEC_EXAMPLES {
            let p = ok(s);
            let r = p.render();
            assert_eq!(ok(&r), p, "{s}");
            assert_eq!(canon(&r), r, "{s}");
            fuzz_pattern(s.as_bytes());
        }
    }

    //--- case: §9 example, a hash
    #[test]
    fn parses_a_quoted_path_component() {
        let p = ok(r"[file:hashes.'SHA-256' = 'aec0']");
        assert_eq!(
            p.expression,
            ObservationExpression::Observation(cmp(
                path("file", "hashes", vec![PathStep::Key("SHA-256".into())]),
                Operator::Equal(string("aec0")),
            ))
        );
        assert_eq!(p.render(), r"[file:hashes.'SHA-256' = 'aec0']");
    }

    //--- case: §9 example, MATCHES with escaped backslashes and a `[*]` step
    #[test]
    fn unescapes_strings_and_reads_list_steps() {
        let p = ok(
            r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
        );
        let cs: Vec<&Comparison> = p.comparisons().collect();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].op, Operator::Matches(r".+\@example\.com$".into()));
        assert_eq!(
            cs[1].path,
            path(
                "email-message",
                "body_multipart",
                vec![
                    PathStep::AnyIndex,
                    PathStep::Key("body_raw_ref".into()),
                    PathStep::Key("name".into())
                ]
            )
        );
        assert_eq!(
            cs[1].path.to_string(),
            "email-message:body_multipart[*].body_raw_ref.name"
        );
    }

    //--- case: §9 precedence, AND binds tighter than OR, OR tighter than FOLLOWEDBY
    #[test]
    fn observation_operators_have_spec_precedence() {
        let a =
            || ObservationExpression::Observation(cmp(path("a", "x", vec![]), Operator::Equal(Literal::Integer(1))));
        let p = ok("[a:x = 1] FOLLOWEDBY [a:x = 1] OR [a:x = 1] AND [a:x = 1]");
        use ObservationExpression as O;
        assert_eq!(
            p.expression,
            O::FollowedBy(vec![a(), O::Or(vec![a(), O::And(vec![a(), a()])])])
        );
        // Parentheses that change the grouping are kept; redundant ones are dropped.
        assert_eq!(
            canon("([a:x = 1] FOLLOWEDBY [a:x = 1]) AND ([a:x = 1] AND [a:x = 1])"),
            "([a:x = 1] FOLLOWEDBY [a:x = 1]) AND ([a:x = 1] AND [a:x = 1])"
        );
        assert_eq!(canon("(([a:x = 1] AND [a:x = 1]))"), "[a:x = 1] AND [a:x = 1]");
    }

    //--- case: §9.3 comparison precedence and parentheses
    #[test]
    fn comparison_operators_have_spec_precedence() {
        assert_eq!(
            canon("[a:x = 1 OR a:y = 2 AND a:z = 3]"),
            "[a:x = 1 OR a:y = 2 AND a:z = 3]"
        );
        assert_eq!(
            canon("[(a:x = 1 OR a:y = 2) AND a:z = 3]"),
            "[(a:x = 1 OR a:y = 2) AND a:z = 3]"
        );
        assert_eq!(canon("[((a:x = 1))]"), "[a:x = 1]");
    }

    //--- case: §9.6 qualifiers bind to the observation expression before them
    #[test]
    fn qualifiers_bind_to_the_preceding_observation() {
        let p = ok("[a:x = 1] AND [a:y = 2] REPEATS 5 TIMES WITHIN 1800 SECONDS");
        let ObservationExpression::And(items) = &p.expression else {
            panic!("not an AND: {p:?}");
        };
        assert!(matches!(items[0], ObservationExpression::Observation(_)));
        let ObservationExpression::Qualified { qualifiers, .. } = &items[1] else {
            panic!("not qualified: {:?}", items[1]);
        };
        assert_eq!(
            qualifiers,
            &vec![Qualifier::Repeats(5), Qualifier::Within(Seconds::Integer(1800))]
        );
        let p = ok("[a:x = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.123Z' WITHIN 2.5 SECONDS");
        assert_eq!(
            p.render(),
            "[a:x = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.123Z' WITHIN 2.5 SECONDS"
        );
    }

    //--- case: every operator, NOT, and the literal forms, in canonical spelling
    #[test]
    fn renders_operators_and_literals_canonically() {
        assert_eq!(
            canon("[a:b == 1 AND a:c <> -2 AND a:d NOT < +3 AND a:e<=.5 AND a:f >-0.25 AND a:g >= 007.10]"),
            "[a:b = 1 AND a:c != -2 AND a:d NOT < 3 AND a:e <= 0.5 AND a:f > -0.25 AND a:g >= 7.1]"
        );
        assert_eq!(
            canon("[a:b NOT IN ('x', 2, true, h'FF00', b'QQ==', t'2020-02-29T23:59:60Z') AND a:c IN ()]"),
            "[a:b NOT IN ('x', 2, true, h'ff00', b'QQ==', t'2020-02-29T23:59:60Z') AND a:c IN ()]"
        );
        assert_eq!(
            canon(r"[a:b LIKE 'it%' OR a:c NOT MATCHES '\\d' OR a:d ISSUPERSET '10.0.0.0/8']"),
            r"[a:b LIKE 'it%' OR a:c NOT MATCHES '\\d' OR a:d ISSUPERSET '10.0.0.0/8']",
        );
        assert_eq!(canon(r"[a:b = 'it\'s \\ ok']"), r"[a:b = 'it\'s \\ ok']");
        assert_eq!(
            canon("[a:b = false AND EXISTS a:c[-1].'d e'.'AND'.f_1]"),
            "[a:b = false AND EXISTS a:c[-1].'d e'.'AND'.f_1]"
        );
        assert_eq!(canon("[a:'plain' = 1]"), "[a:plain = 1]");
    }

    //--- case: §9 whitespace is any of the grammar's WS characters, between any two tokens
    #[test]
    fn accepts_whitespace_between_tokens() {
        assert_eq!(
            canon("\u{3000}[ file : hashes . 'MD5'\t=\n'x' ]\r\nWITHIN\u{A0}5 SECONDS "),
            "[file:hashes.MD5 = 'x'] WITHIN 5 SECONDS"
        );
    }

    //--- case: the typed model gives policy code the strings of every comparison
    #[test]
    fn exposes_comparison_strings() {
        let p = ok("[ipv4-addr:value ISSUBSET '10.0.0.0/8' OR domain-name:value IN ('a.example', 'b.example', 3)]");
        let strings: Vec<&str> = p.comparisons().flat_map(Comparison::strings).collect();
        assert_eq!(strings, ["10.0.0.0/8", "a.example", "b.example"]);
        let mut p = p;
        for c in p.comparisons_mut() {
            c.negated = true;
        }
        assert_eq!(
            p.render(),
            "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8' OR domain-name:value NOT IN ('a.example', 'b.example', 3)]"
        );
    }

    //--- case: pruning comparisons collapses AND/OR and reports what went
    #[test]
    fn retain_removes_comparisons_and_collapses() {
        let mut p = ok("[a:x = 1 AND b:y = 2] AND [b:z = 3] WITHIN 5 SECONDS FOLLOWEDBY [a:w = 4]");
        let outcome = p.retain_comparisons(|c| c.path.object_type == "a");
        assert_eq!(
            outcome,
            RetainOutcome::Pruned {
                comparisons: 2,
                observations: 1
            }
        );
        assert_eq!(p.render(), "[a:x = 1] FOLLOWEDBY [a:w = 4]");
        assert_eq!(p.retain_comparisons(|_| true), RetainOutcome::Unchanged);
    }

    //--- case: pruning every comparison leaves the pattern as it was and says so
    #[test]
    fn retain_reports_an_emptied_pattern() {
        let mut p = ok("[a:x = 1 OR a:y = 2] AND [a:z = 3]");
        let before = p.clone();
        assert_eq!(
            p.retain_comparisons(|_| false),
            RetainOutcome::Emptied { comparisons: 3 }
        );
        assert_eq!(p, before);
    }

    //--- case: nested parentheses up to the limit are accepted
    #[test]
    fn accepts_depth_up_to_the_limit() {
        let tiny = Limits::tiny();
        assert!(parse("((([a:b = 1])))", &tiny).is_ok());
        assert!(parse("[(((a:b = 1)))]", &tiny).is_ok());
    }

    // ------------------------------------------------------------------ rejections

    //--- case: unbalanced brackets and parentheses
    #[test]
    fn rejects_unbalanced_brackets() {
        assert_rejects("[file:name = 'a'", "observationExpression", 0, "unbalanced `[`");
        assert_rejects("([file:name = 'a']", "observationExpression", 0, "unbalanced `(`");
        assert_rejects("[file:name = 'a']]", "pattern", 17, "unbalanced `]`");
        assert_rejects("[file:name = 'a'])", "pattern", 17, "unbalanced `)`");
        assert_rejects("[(file:name = 'a']", "propTest", 17, "expected `)`");
        assert_rejects("file:size = 1280", "observationExpression", 0, "expected `[` or `(`");
    }

    //--- case: a bad or missing comparison operator
    #[test]
    fn rejects_bad_operator() {
        assert_rejects("[file:size ~ 5]", "propTest", 11, "expected a comparison operator");
        assert_rejects("[file:hashes.MD5 =? 'x']", "orderableLiteral", 18, "found `?`");
        assert_rejects("[file:size NOT EXISTS]", "propTest", 15, "`EXISTS` goes before");
        assert_eq!(ok("[NOT EXISTS file:name]").render(), "[NOT EXISTS file:name]");
        assert_rejects("[file:name LIKE 5]", "propTest", 16, "a string literal after `LIKE`");
        assert_rejects(
            "[file:size > true]",
            "orderableLiteral",
            13,
            "a boolean cannot be compared",
        );
    }

    //--- case: bad literals
    #[test]
    fn rejects_bad_literal() {
        assert_rejects(
            "[file:hashes.MD5 = cead3f77]",
            "orderableLiteral",
            19,
            "found `cead3f77`",
        );
        assert_rejects("[a:b = h'abc']", "HexLiteral", 7, "even number of digits");
        assert_rejects("[a:b = h'zz']", "HexLiteral", 9, "not a hexadecimal digit");
        assert_rejects(
            "[artifact:payload_bin = b'====']",
            "BinaryLiteral",
            24,
            "invalid base64",
        );
        assert_rejects("[a:b = b'']", "BinaryLiteral", 7, "invalid base64");
        assert_rejects("[a:b = b'QQ=A']", "BinaryLiteral", 7, "invalid base64");
        assert_rejects("[a:b = 1.]", "FloatLiteral", 9, "expected a digit after `.`");
        assert_rejects("[a:b = 007]", "IntLiteral", 7, "leading zeros");
        assert_rejects("[a:b = 9223372036854775808]", "IntLiteral", 7, "64-bit range");
        assert!(parse("[a:b = -9223372036854775808]", &Limits::default()).is_ok());
        let huge = format!("[a:b = 1{}.0]", "0".repeat(400));
        assert_rejects(&huge, "FloatLiteral", 7, "range of an IEEE 754 double");
        assert_rejects("[a:b IN ('x' 'y')]", "setLiteral", 13, "expected `,` or `)`");
    }

    //--- case: unterminated strings and invalid escapes
    #[test]
    fn rejects_unterminated_string() {
        assert_rejects("[file:name = 'abc]", "StringLiteral", 13, "unterminated string");
        assert_rejects(r"[file:name = 'abc\']", "StringLiteral", 13, "unterminated string");
        assert_rejects(r"[file:name = 'a\nb']", "StringLiteral", 15, r"invalid escape `\n`");
        assert_rejects("[file:'name = 1]", "StringLiteral", 6, "unterminated string");
    }

    //--- case: timestamps that are not RFC 3339 UTC or name no real date
    #[test]
    fn rejects_bad_timestamp() {
        assert_rejects(
            "[x:d == t'2457-73-22T32:81:84.1Z']",
            "TimestampLiteral",
            8,
            "not a UTC timestamp",
        );
        assert_rejects("[x:d = t'2023-02-29T00:00:00Z']", "TimestampLiteral", 7, "real date");
        assert_rejects("[x:d = t'2016-06-01T01:30:00+01:00']", "TimestampLiteral", 7, "UTC");
        assert_rejects("[x:d = t'2016-06-01T01:30:00.Z']", "TimestampLiteral", 7, "UTC");
        assert_rejects("[x:d = t'2016-06-01 01:30:00Z']", "TimestampLiteral", 7, "UTC");
        assert_rejects("[x:d = t'2016-06-01T01:30:00Z", "TimestampLiteral", 7, "unterminated");
        assert_rejects(
            "[x:d = 1] START '2016-06-01T01:30:00Z' STOP t'2016-06-01T01:30:00Z'",
            "startStopQualifier",
            16,
            "a timestamp",
        );
        assert!(parse("[x:d = t'2024-02-29T00:00:00Z']", &Limits::default()).is_ok());
    }

    //--- case: qualifiers out of the grammar
    #[test]
    fn rejects_bad_qualifier() {
        assert_rejects("[a:b = 1] WITHIN 5 HOURS", "withinQualifier", 19, "expected `SECONDS`");
        assert_rejects("[a:b = 1] WITHIN -5 SECONDS", "withinQualifier", 17, "not negative");
        assert_rejects("[a:b = 1] REPEATS 1.5 TIMES", "repeatedQualifier", 18, "whole number");
        assert_rejects(
            "[a:b = 1] REPEATS 18446744073709551616 TIMES",
            "IntLiteral",
            18,
            "64-bit range",
        );
        assert_rejects("[a:b = 1] REPEATS 05 TIMES", "IntLiteral", 18, "leading zeros");
        // The grammar allows a qualifier of a kind twice; so does sekisho.
        assert_eq!(
            canon("[a:b = 1] WITHIN 5 SECONDS WITHIN +.5 SECONDS REPEATS 18446744073709551615 TIMES"),
            "[a:b = 1] WITHIN 5 SECONDS WITHIN 0.5 SECONDS REPEATS 18446744073709551615 TIMES"
        );
    }

    //--- case: depth limit, checked before descending
    #[test]
    fn rejects_depth_over_the_limit() {
        let tiny = Limits::tiny();
        let e = err_with("(((([a:b = 1]))))", &tiny);
        assert_eq!((e.rule, e.offset), ("max_pattern_depth", 3));
        let e = err_with("[((((a:b = 1))))]", &tiny);
        assert_eq!((e.rule, e.offset), ("max_pattern_depth", 4));
        // Deep nesting far past the default limit fails fast, without exhausting the stack.
        let deep = format!("{}[a:b = 1]{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(err(&deep).rule, "max_pattern_depth");
    }

    //--- case: length limit, checked before anything else
    #[test]
    fn rejects_length_over_the_limit() {
        let tiny = Limits::tiny();
        let long = format!("[a:b = '{}']", "x".repeat(300));
        let e = err_with(&long, &tiny);
        assert_eq!((e.rule, e.offset), ("max_pattern_bytes", 256));
        assert_eq!(e.detail, "pattern is 310 bytes, the limit is 256");
    }

    //--- case: anything after a complete pattern
    #[test]
    fn rejects_trailing_garbage() {
        assert_rejects("[a:b = 1] foo", "pattern", 10, "unexpected `foo` after the pattern");
        assert_rejects(
            "[foo:bar=1] within 2 seconds",
            "pattern",
            12,
            "keywords are uppercase: `WITHIN`",
        );
        assert_rejects("[a:b = 1] ANDROID [a:b = 1]", "pattern", 10, "`ANDROID`");
        assert_rejects("[a:b = 1] // note", "pattern", 10, "comments are not allowed");
        assert_rejects(
            "[a:b = 1 /* note */]",
            "observationExpression",
            9,
            "comments are not allowed",
        );
    }

    //--- case: nothing, or an empty observation
    #[test]
    fn rejects_empty_pattern() {
        assert_rejects("", "pattern", 0, "empty pattern");
        assert_rejects(" \n\t", "pattern", 3, "empty pattern");
        assert_rejects("[]", "propTest", 1, "expected a comparison");
        assert_rejects("[a:b = 1] AND", "observationExpression", 13, "found end of input");
    }

    //--- case: object paths out of the grammar
    #[test]
    fn rejects_bad_object_path() {
        assert_rejects("[file.size = 1280]", "objectPath", 5, "`:` after the object type");
        assert_rejects(
            "[file:foo-bar = 1]",
            "firstPathComponent",
            6,
            "must be quoted: `'foo-bar'`",
        );
        assert_rejects("[file:AND = 1]", "firstPathComponent", 6, "keyword `AND`");
        assert_rejects("[AND:x = 1]", "objectType", 1, "keyword `AND`");
        assert_rejects("[file:x[1.5] = 1]", "indexPathStep", 8, "whole number or `*`");
        assert_rejects("[file:x[a] = 1]", "indexPathStep", 8, "a list index");
        assert_rejects("[file:x. = 1]", "keyPathStep", 9, "a property name");
        assert_rejects("[1file:x = 1]", "objectType", 1, "an object type");
    }

    //--- case: invalid input yields an error, never a panic (non-UTF-8 and odd characters)
    #[test]
    fn fuzz_pattern_survives_odd_input() {
        for data in [
            &b"\xff\xfe"[..],
            "[a:b = 'é\u{0}'] WITHIN 1 SECONDS".as_bytes(),
            b"[a:b = t'",
            b"[a:b = h'",
            b"[a:b = b'",
            b"[a:b[-",
            b"((((((((((",
        ] {
            fuzz_pattern(data);
        }
    }

    // ------------------------------------------------------------------ properties

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 '\\\\._%-]{0,12}",
            any::<String>(),
            Just("AND".to_string()),
            Just("true".to_string()),
        ]
    }

    fn arb_timestamp() -> impl Strategy<Value = Timestamp> {
        (
            0u32..10_000,
            1u32..=12,
            1u32..=31,
            0u32..24,
            0u32..60,
            0u32..=60,
            "(\\.[0-9]{1,6})?",
        )
            .prop_filter_map("not a real date", |(y, mo, d, h, mi, s, frac)| {
                Timestamp::new(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z"))
            })
    }

    fn arb_orderable() -> impl Strategy<Value = Literal> {
        prop_oneof![
            arb_text().prop_map(Literal::String),
            any::<i64>().prop_map(Literal::Integer),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Literal::Float),
            vec(any::<u8>(), 1..8).prop_map(Literal::Binary),
            vec(any::<u8>(), 0..8).prop_map(Literal::Hex),
            arb_timestamp().prop_map(Literal::Timestamp),
        ]
    }

    fn arb_primitive() -> impl Strategy<Value = Literal> {
        prop_oneof![arb_orderable(), any::<bool>().prop_map(Literal::Boolean)]
    }

    fn arb_path() -> impl Strategy<Value = ObjectPath> {
        let step = prop_oneof![
            arb_text().prop_map(PathStep::Key),
            any::<i64>().prop_map(PathStep::Index),
            Just(PathStep::AnyIndex),
        ];
        (
            "[a-z_][a-z0-9_-]{0,10}".prop_filter("keyword", |t| !KEYWORDS.contains(&t.as_str())),
            arb_text(),
            vec(step, 0..4),
        )
            .prop_map(|(object_type, property, steps)| ObjectPath {
                object_type,
                property,
                steps,
            })
    }

    fn arb_comparison() -> impl Strategy<Value = Comparison> {
        let op = prop_oneof![
            arb_primitive().prop_map(Operator::Equal),
            arb_primitive().prop_map(Operator::NotEqual),
            arb_orderable().prop_map(Operator::Less),
            arb_orderable().prop_map(Operator::LessOrEqual),
            arb_orderable().prop_map(Operator::Greater),
            arb_orderable().prop_map(Operator::GreaterOrEqual),
            vec(arb_primitive(), 0..4).prop_map(Operator::In),
            arb_text().prop_map(Operator::Like),
            arb_text().prop_map(Operator::Matches),
            arb_text().prop_map(Operator::IsSubset),
            arb_text().prop_map(Operator::IsSuperset),
            Just(Operator::Exists),
        ];
        (arb_path(), any::<bool>(), op).prop_map(|(path, negated, op)| Comparison {
            negated: negated && op != Operator::Exists,
            path,
            op,
        })
    }

    fn arb_comparison_expression() -> impl Strategy<Value = ComparisonExpression> {
        arb_comparison()
            .prop_map(ComparisonExpression::Comparison)
            .prop_recursive(3, 12, 3, |inner| {
                prop_oneof![
                    vec(inner.clone(), 2..4).prop_map(ComparisonExpression::And),
                    vec(inner, 2..4).prop_map(ComparisonExpression::Or),
                ]
            })
    }

    fn arb_qualifiers() -> impl Strategy<Value = Vec<Qualifier>> {
        let seconds = prop_oneof![
            any::<u64>().prop_map(Seconds::Integer),
            (0.0f64..1e12).prop_map(Seconds::Float),
        ];
        (
            proptest::option::of(seconds.prop_map(Qualifier::Within)),
            proptest::option::of(any::<u64>().prop_map(Qualifier::Repeats)),
            proptest::option::of(
                (arb_timestamp(), arb_timestamp()).prop_map(|(start, stop)| Qualifier::StartStop { start, stop }),
            ),
            any::<bool>(),
        )
            .prop_filter_map("no qualifier", |(w, r, s, reverse)| {
                let mut qs: Vec<Qualifier> = [w, r, s].into_iter().flatten().collect();
                if reverse {
                    qs.reverse();
                }
                (!qs.is_empty()).then_some(qs)
            })
    }

    fn arb_pattern() -> impl Strategy<Value = Pattern> {
        arb_comparison_expression()
            .prop_map(ObservationExpression::Observation)
            .prop_recursive(3, 12, 3, |inner| {
                prop_oneof![
                    vec(inner.clone(), 2..4).prop_map(ObservationExpression::And),
                    vec(inner.clone(), 2..4).prop_map(ObservationExpression::Or),
                    vec(inner.clone(), 2..4).prop_map(ObservationExpression::FollowedBy),
                    (inner, arb_qualifiers()).prop_map(|(e, qualifiers)| ObservationExpression::Qualified {
                        expression: Box::new(e),
                        qualifiers
                    }),
                ]
            })
            .prop_map(|expression| Pattern { expression })
    }

    proptest! {
        //--- case: any model renders to a pattern that parses back to it, and rendering is idempotent
        #[test]
        fn can_round_trip_random_models(p in arb_pattern()) {
            let rendered = p.render();
            let again = parse(&rendered, &Limits::default());
            prop_assert_eq!(again.as_ref(), Ok(&p), "rendered: {}", rendered);
            prop_assert_eq!(again.map(|q| q.render()), Ok(rendered.clone()));
            fuzz_pattern(rendered.as_bytes());
        }

        //--- case: pruning keeps the model's invariants, so the result still round-trips
        #[test]
        fn can_round_trip_after_pruning(p in arb_pattern(), mask in vec(any::<bool>(), 64)) {
            let mut p = p;
            let total = p.comparisons().count();
            let mut n = 0usize;
            let outcome = p.retain_comparisons(|_| {
                n += 1;
                mask.get(n % 64).copied().unwrap_or(true)
            });
            match outcome {
                RetainOutcome::Emptied { comparisons } => prop_assert_eq!(comparisons, total),
                RetainOutcome::Unchanged => prop_assert_eq!(p.comparisons().count(), total),
                RetainOutcome::Pruned { comparisons, .. } => {
                    prop_assert_eq!(p.comparisons().count() + comparisons, total);
                }
            }
            prop_assert_eq!(parse(&p.render(), &Limits::default()), Ok(p.clone()));
        }

        //--- case: random near-pattern text never panics and always round-trips when accepted
        #[test]
        fn fuzz_property_holds_on_random_text(s in "[\\[\\]() a-z:.'=<>!0-9*,+-]{0,40}|(\\[a:b (=|IN|LIKE|<) [ht]?'[0-9a-f]{0,5}'?\\] ?(AND|OR|WITHIN|START)? ?){1,3}") {
            fuzz_pattern(s.as_bytes());
        }
    }
}
