//! Human-readable tables of decisions, for `filter --explain` and `policy explain`.

use crate::release::stix::{UnitDecision, UnitVerdict, describe};

/// One line per decision: verdict, unit, label, rule and detail, in aligned columns.
pub fn table(decisions: &[UnitDecision]) -> String {
    let rows: Vec<[String; 5]> = decisions
        .iter()
        .map(|d| {
            let verdict = match d.verdict {
                UnitVerdict::Keep => "keep",
                UnitVerdict::Drop => "DROP",
                UnitVerdict::Remove => "REMOVE",
                UnitVerdict::Redact => "REDACT",
                UnitVerdict::Reject => "REJECT",
            };
            let label = d.label.as_ref().map_or("-".to_string(), describe);
            [
                verdict.to_string(),
                d.unit.clone(),
                label,
                d.rule.to_string(),
                d.detail.clone(),
            ]
        })
        .collect();
    let header = ["verdict", "unit", "label", "rule", "detail"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (n, cell) in row.iter().enumerate() {
            let width = widths.get(n).copied().unwrap_or(0);
            if n + 1 < row.len() {
                out.push_str(&format!("{cell:<width$}  "));
            } else {
                out.push_str(cell);
            }
        }
        out.push('\n');
    }
    out
}
