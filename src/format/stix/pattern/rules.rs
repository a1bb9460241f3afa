//! The MUSTs of STIX 2.1 §9 beyond the grammar.

use super::*;

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
                let t = |x: &Timestamp| {
                    crate::format::stix::grammar::whole(x.as_str(), crate::format::stix::grammar::timestamp).ok()
                };
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
        if crate::format::stix::grammar::whole(t, crate::format::stix::grammar::type_name).is_err() || t == "action" {
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
                if !(crate::format::stix::grammar::ipv4_cidr(s) || crate::format::stix::grammar::ipv6_cidr(s)) =>
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
