//! The verifier's own reading of tables a screen lays out otherwise than written (HTML
//! §13.2.6.4.9 "in table", CSS 2 §17): text or an element written in a table but outside its
//! cells is shown before the table; a caption above the rows, a `thead` above and a `tfoot`
//! below the body, wherever they stand in the text.

/// How deep tables inside cells are followed; deeper ones are refused.
const DEEPEST: usize = 64;

/// One table being read.
#[derive(Clone, Copy, Default)]
struct Open {
    /// Where its content goes: `true` in a cell or a caption.
    flowing: bool,
    seen_row: bool,
    seen_foot: bool,
    in_foot: bool,
}

#[derive(Default)]
pub(super) struct Layout {
    open: Vec<Open>,
}

impl Layout {
    /// Text read between two tags.
    pub(super) fn text(&self, text: &str) -> Option<String> {
        match self.open.last() {
            Some(o) if !o.flowing && !text.trim_ascii().is_empty() => Some(
                "text written in a table outside its cells is shown before the table, in an order no rule reads"
                    .to_string(),
            ),
            _ => None,
        }
    }

    /// An end tag, lowercase.
    pub(super) fn end(&mut self, name: &str) {
        match name {
            "table" => {
                self.open.pop();
            }
            "td" | "th" | "caption" | "tr" | "tbody" | "thead" | "tfoot" => {
                if let Some(o) = self.open.last_mut() {
                    o.flowing = false;
                    o.in_foot &= name != "tfoot";
                }
            }
            _ => {}
        }
    }

    /// A start tag, lowercase.
    pub(super) fn start(&mut self, name: &str) -> Option<String> {
        let part = matches!(name, "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th");
        let nested = match self.open.last_mut() {
            None => name == "table",
            Some(o) if o.flowing && !part => name == "table",
            Some(o) => {
                o.flowing = false;
                return Self::in_table(o, name);
            }
        };
        if !nested {
            return None;
        }
        if self.open.len() >= DEEPEST {
            return Some(format!("tables nested more than {DEEPEST} deep are not read"));
        }
        self.open.push(Open::default());
        None
    }

    /// A start tag read where the table itself stands (not in a cell).
    fn in_table(o: &mut Open, name: &str) -> Option<String> {
        let elsewhere = |what: &str| {
            Some(format!(
                "{what}: the table shows it in another place than it is written, in an order no rule reads"
            ))
        };
        match name {
            "caption" => {
                o.flowing = true;
                if o.seen_row {
                    elsewhere("a caption written after rows is shown above them")
                } else {
                    None
                }
            }
            "thead" => {
                o.in_foot = false;
                if o.seen_row {
                    elsewhere("a `thead` written after rows is shown above them")
                } else {
                    None
                }
            }
            "tfoot" => {
                o.seen_foot = true;
                o.in_foot = true;
                None
            }
            "tbody" | "tr" | "td" | "th" => {
                let below_foot = o.seen_foot && (!o.in_foot || name == "tbody");
                o.in_foot &= name != "tbody";
                o.seen_row = true;
                o.flowing = matches!(name, "td" | "th");
                if below_foot {
                    elsewhere("rows written after a `tfoot` are shown above it")
                } else {
                    None
                }
            }
            "col" | "colgroup" | "style" | "template" => None,
            other => Some(format!(
                "`<{other}>` written in a table outside its cells is shown before the table, in an order no rule reads"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    fn refused(html: &[&str]) -> bool {
        let mut l = Layout::default();
        html.iter().any(|p| match (p.strip_prefix("</"), p.strip_prefix('<')) {
            (Some(n), _) => {
                l.end(n.trim_end_matches('>'));
                false
            }
            (None, Some(n)) => l.start(n.trim_end_matches('>')).is_some(),
            _ => l.text(p).is_some(),
        })
    }

    #[test]
    fn refuses_a_table_shown_in_another_order() {
        assert!(refused(&["<table>", "<tr>", "<td>", "JAR", "</td>", "</tr>", "NIGHT"]));
        assert!(refused(&["<table>", "<tr>", "<td>", "JAR", "</td>", "<b>"]));
        assert!(refused(&["<table>", "<tbody>", "<tr>", "</tr>", "<caption>"]));
        assert!(refused(&["<table>", "<tr>", "<td>", "x", "<thead>"]));
        assert!(refused(&[
            "<table>", "<tfoot>", "<tr>", "<td>", "JAR", "</tfoot>", "<tr>"
        ]));
        assert!(refused(&["<table>", "<tfoot>", "<tr>", "<td>", "JAR", "<tbody>"]));
        assert!(!refused(&[
            "<table>",
            "<caption>",
            "c",
            "<thead>",
            "<tr>",
            "<th>",
            "h",
            "<tbody>",
            "<tr>",
            "<td>",
            "b",
            "<tfoot>",
            "<tr>",
            "<td>",
            "f",
            "</table>",
            "after"
        ]));
        assert!(!refused(&[
            "<table>", "\n ", "<tr>", "<td>", "<table>", "<tr>", "<td>", "x", "</table>", "y", "</td>", "</tr>",
            "</table>"
        ]));
        let deep: Vec<&str> = std::iter::repeat_n(["<table>", "<td>"], 65).flatten().collect();
        assert!(refused(&deep));
    }
}
