//! Turning a field path of a policy file (`tlp.allowed[2]`) into a `line:col` in its text.

use toml::de::{DeTable, DeValue};

/// Where `field` (dotted keys and `[n]` indices) is in `text`, if it is there; otherwise where
/// its nearest existing parent is.
pub fn field(text: &str, field: &str) -> Option<(usize, usize)> {
    let doc = DeTable::parse(text).ok()?;
    let mut span = doc.span();
    let mut table = Some(doc.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for step in steps(field) {
        let next = match (step, table, value) {
            (Step::Key(k), Some(t), _) => t.iter().find(|(key, _)| key.get_ref().as_ref() == k).map(|(_, v)| v),
            (Step::Key(k), None, Some(v)) => v
                .as_table()
                .and_then(|t| t.iter().find(|(key, _)| key.get_ref().as_ref() == k))
                .map(|(_, v)| v),
            (Step::Index(n), _, Some(v)) => v.as_array().and_then(|a| a.get(n)),
            _ => None,
        };
        let Some(next) = next else {
            break;
        };
        span = next.span();
        value = Some(next.get_ref());
        table = None;
    }
    Some(super::diagnostic::line_col(text, span.start))
}

enum Step<'f> {
    Key(&'f str),
    Index(usize),
}

fn steps(field: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        for index in rest.split('[') {
            if let Ok(n) = index.trim_end_matches(']').parse() {
                out.push(Step::Index(n));
            }
        }
    }
    out
}
