//! Human-readable tables of decisions, for `filter --explain` and `policy explain`.
//!
//! One line per unit (a STIX object, or an XML element or attribute) with its **final** verdict
//! first, then, indented below it, every decision on its parts. A unit whose part was dropped is
//! dropped, so no line says `keep` for a unit that does not go.

use crate::release::stix::{UnitDecision, UnitVerdict, describe};

fn word(v: UnitVerdict) -> &'static str {
    match v {
        UnitVerdict::Keep => "keep",
        UnitVerdict::Drop => "DROP",
        UnitVerdict::Remove => "REMOVE",
        UnitVerdict::Redact => "REDACT",
        UnitVerdict::Reject => "REJECT",
    }
}

/// The unit a decision belongs to, and the part of it (empty for the unit itself): a STIX
/// decision `indicator--…/description` is on the `description` of `indicator--…`; an XML
/// decision is on its own element or attribute.
fn split(unit: &str) -> (&str, &str) {
    match unit.split_once('/') {
        Some((id, part)) if id.contains("--") => (id, part),
        _ => (unit, ""),
    }
}

/// How strongly a verdict decides its unit's fate (a dropped part drops the unit).
fn weight(v: UnitVerdict) -> u8 {
    match v {
        UnitVerdict::Reject => 3,
        UnitVerdict::Drop => 2,
        UnitVerdict::Remove | UnitVerdict::Redact | UnitVerdict::Keep => 1,
    }
}

/// The decision table (see the module doc): per unit, in the order units were first decided,
/// `verdict unit label rule detail`, then its parts as `  verdict part rule detail`.
pub fn table(decisions: &[UnitDecision]) -> String {
    // Units in first-seen order, each with its decisions (indices into `decisions`).
    let mut order: Vec<&str> = Vec::new();
    let mut by_unit: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (n, d) in decisions.iter().enumerate() {
        let (id, _) = split(&d.unit);
        let entry = by_unit.entry(id).or_default();
        if entry.is_empty() {
            order.push(id);
        }
        entry.push(n);
    }
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut parts: Vec<Vec<[String; 4]>> = Vec::new();
    for id in order {
        let mine: Vec<&UnitDecision> = by_unit
            .get(id)
            .map(|v| v.iter().filter_map(|&n| decisions.get(n)).collect())
            .unwrap_or_default();
        // The deciding decision: the strongest, the unit's own first among equals.
        let Some(decider) = mine.iter().copied().max_by_key(|d| {
            (
                weight(d.verdict),
                split(&d.unit).1.is_empty(),
                d.verdict == UnitVerdict::Keep,
            )
        }) else {
            continue;
        };
        let final_verdict = match decider.verdict {
            UnitVerdict::Reject | UnitVerdict::Drop => decider.verdict,
            _ if split(&decider.unit).1.is_empty() => decider.verdict,
            // Only parts were touched: the unit itself goes.
            _ => UnitVerdict::Keep,
        };
        let label = mine
            .iter()
            .find_map(|d| d.label.as_ref())
            .map_or("-".to_string(), describe);
        let (rule, detail) = if final_verdict == UnitVerdict::Keep && !split(&decider.unit).1.is_empty() {
            ("-".to_string(), "goes, with the changes below".to_string())
        } else {
            (decider.rule.to_string(), decider.detail.clone())
        };
        rows.push([word(final_verdict).into(), id.to_string(), label, rule, detail]);
        // The parts, in the order decided; the unit's own deciding line is the row itself.
        let own = split(&decider.unit).1.is_empty();
        parts.push(
            mine.iter()
                .filter(|d| !(own && std::ptr::eq(**d, decider)))
                .map(|d| {
                    let part = split(&d.unit).1;
                    // Only the unit's row says `keep`: a passed check on a part is `ok`.
                    let verdict = if d.verdict == UnitVerdict::Keep {
                        "ok"
                    } else {
                        word(d.verdict)
                    };
                    [
                        verdict.into(),
                        if part.is_empty() {
                            "(itself)".into()
                        } else {
                            format!("/{part}")
                        },
                        d.rule.to_string(),
                        d.detail.clone(),
                    ]
                })
                .collect(),
        );
    }
    let header = ["verdict", "unit", "label", "rule", "detail"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String], widths: &[usize], indent: &str| {
        out.push_str(indent);
        for (n, cell) in cells.iter().enumerate() {
            let width = widths.get(n).copied().unwrap_or(0);
            if n + 1 < cells.len() {
                out.push_str(&format!("{cell:<width$}  "));
            } else {
                out.push_str(cell);
            }
        }
        out.push('\n');
    };
    line(&header, &widths, "");
    for (row, parts) in rows.iter().zip(&parts) {
        line(row, &widths, "");
        let mut part_widths = [0usize; 3];
        for p in parts {
            for (w, cell) in part_widths.iter_mut().zip(p.iter()) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for p in parts {
            line(p, &part_widths, "    ");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn d(unit: &str, rule: &'static str, verdict: UnitVerdict) -> UnitDecision {
        UnitDecision {
            unit: unit.into(),
            label: None,
            rule: Cow::Borrowed(rule),
            verdict,
            detail: format!("{rule} detail"),
        }
    }

    #[test]
    fn a_unit_whose_part_is_dropped_is_shown_dropped_not_kept() {
        let t = table(&[
            d("indicator--a", "releasable", UnitVerdict::Keep),
            d("indicator--b", "releasable", UnitVerdict::Keep),
            d("indicator--a/description", "project-koala", UnitVerdict::Drop),
            d("indicator--b/description", "email-addresses", UnitVerdict::Redact),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[1].starts_with("DROP") && lines[1].contains("indicator--a") && lines[1].contains("project-koala"),
            "{t}"
        );
        assert!(
            lines[2].trim_start().starts_with("ok") && lines[2].contains("releasable"),
            "{t}"
        );
        assert!(
            lines[3].trim_start().starts_with("DROP") && lines[3].contains("/description"),
            "{t}"
        );
        assert!(lines[4].starts_with("keep") && lines[4].contains("indicator--b"), "{t}");
        assert!(
            lines[5].contains("REDACT") && lines[5].contains("email-addresses"),
            "{t}"
        );
        assert!(
            !t.lines().any(|l| l.contains("keep") && l.contains("indicator--a")),
            "{t}"
        );
    }

    #[test]
    fn one_line_per_unit_and_xml_paths_are_their_own_units() {
        let t = table(&[
            d(
                "/mb:BindingInformation/mb:Data/alert/info[1]/contact",
                "element-allowlist",
                UnitVerdict::Drop,
            ),
            d(
                "/mb:BindingInformation/mb:Data/alert/info[1]/contact",
                "element-allowlist",
                UnitVerdict::Drop,
            ),
            d("identity--x", "referenced", UnitVerdict::Keep),
        ]);
        assert_eq!(t.lines().filter(|l| !l.starts_with(' ')).count(), 3, "{t}");
    }
}
