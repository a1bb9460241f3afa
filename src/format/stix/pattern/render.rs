//! Rendering: the canonical text of a pattern, with as few parentheses as precedence allows.

use super::*;

/// Binding strength, loosest first. A child is parenthesised unless it binds tighter than its
/// parent, so a list nested in a list of the same kind keeps its parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
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

pub(super) fn render_observation(e: &ObservationExpression, parent: Prec, out: &mut String) {
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
