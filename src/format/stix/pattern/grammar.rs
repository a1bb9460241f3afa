//! The grammar (STIX 2.1 §9, `STIXPattern.g4`): one nom function per production, in the
//! grammar's order.

use super::*;

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
pub(super) fn unexpected<'a, T>(i: &'a str, rule: &'static str, expected: &str) -> PResult<'a, T> {
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
pub(super) const KEYWORDS: &[&str] = &[
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
pub(super) fn keyword<'a>(i: &'a str, kw: &str) -> Option<&'a str> {
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
pub(super) fn pattern<'a>(i: &'a str, limits: &Limits) -> PResult<'a, Pattern> {
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
pub(super) fn qualifiers(mut i: &str) -> PResult<'_, Vec<Qualifier>> {
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
pub(super) fn operator(i: &str) -> PResult<'_, Operator> {
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
pub(super) fn object_type(i: &str) -> PResult<'_, String> {
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

pub(super) fn is_identifier_without_hyphen(c: char) -> bool {
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
pub(super) fn number(i: &str) -> PResult<'_, Literal> {
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
pub(super) fn is_timestamp(text: &str) -> bool {
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

pub(super) fn base64_encode(bytes: &[u8]) -> String {
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
