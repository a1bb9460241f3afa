//! Tables a screen shows in another order than written (HTML §13.2.6.4.9, "in table"
//! insertion mode, and CSS 2 §17.4, §17.2): text or an element standing directly in a table,
//! outside a cell or caption, is moved before the table ("foster parenting"); a caption is shown
//! above the rows, a `thead` above the body and a `tfoot` below it, wherever they are written.
//! Read tag by tag, once, with one frame per open table (at most [`MAX_DEPTH`]).

/// Tables open inside each other that are read; a deeper one is held.
const MAX_DEPTH: usize = 64;

/// The state of one open table.
#[derive(Default, Clone, Copy)]
struct Frame {
    /// In a cell or caption: its content flows as written.
    in_cell: bool,
    /// A row has been written (in any section).
    rows: bool,
    /// A `tfoot` has been opened: rows written after it are shown above it.
    footer: bool,
    /// Inside that `tfoot`.
    in_footer: bool,
}

/// The open tables of a text, read in the order of its tags and text.
#[derive(Default)]
pub(crate) struct Tables {
    frames: Vec<Frame>,
}

impl Tables {
    /// Text between tags: held when it stands directly in a table (outside a cell or caption)
    /// and is more than white space.
    pub(crate) fn text(&self, t: &[u8]) -> Option<String> {
        let in_table = self.frames.last().is_some_and(|f| !f.in_cell);
        (in_table && t.iter().any(|c| !c.is_ascii_whitespace())).then(|| {
            "the text's markup puts text directly in a table, outside a cell: a screen shows it before the table, in an order no rule reads".to_string()
        })
    }

    /// A start or end tag named `name`: why the table it is in is shown in another order, if
    /// it is.
    pub(crate) fn tag(&mut self, name: &[u8], closing: bool) -> Option<String> {
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if closing {
            if is("table") {
                self.frames.pop();
            } else if let Some(f) = self.frames.last_mut() {
                if is("td") || is("th") || is("caption") || is("tr") || is("tbody") || is("thead") {
                    f.in_cell = false;
                } else if is("tfoot") {
                    f.in_cell = false;
                    f.in_footer = false;
                }
            }
            return None;
        }
        const STRUCTURE: [&str; 7] = ["caption", "thead", "tbody", "tfoot", "tr", "td", "th"];
        let structure = STRUCTURE.iter().any(|n| is(n));
        let Some(f) = self.frames.last_mut() else {
            // Outside any table: a table opens one; its parts alone are no table.
            return is("table").then(|| self.open()).flatten();
        };
        if f.in_cell {
            if is("table") {
                return self.open();
            }
            if !structure {
                return None;
            }
            // A part of the table closes the cell or caption it is written in.
            f.in_cell = false;
        }
        let moved = |what: &str| {
            Some(format!(
                "the text's markup writes {what}: a screen shows it elsewhere in the table, in an order no rule reads"
            ))
        };
        if is("caption") {
            f.in_cell = true;
            return if f.rows {
                moved("a caption after rows (shown above them)")
            } else {
                None
            };
        }
        if is("thead") {
            f.in_footer = false;
            return if f.rows {
                moved("a `thead` after rows (shown above them)")
            } else {
                None
            };
        }
        if is("tfoot") {
            (f.footer, f.in_footer) = (true, true);
            return None;
        }
        if is("tbody") || is("tr") || is("td") || is("th") {
            let after_footer = f.footer && !f.in_footer;
            if is("tbody") {
                f.in_footer = false;
            }
            f.rows = true;
            f.in_cell = is("td") || is("th");
            return if after_footer || (is("tbody") && f.footer) {
                moved("rows after a `tfoot` (shown above it)")
            } else {
                None
            };
        }
        if is("colgroup") || is("col") || is("style") || is("template") {
            return None;
        }
        Some(format!(
            "the text's markup puts an element `<{}>` directly in a table, outside a cell: a screen shows it before the table, in an order no rule reads",
            String::from_utf8_lossy(name).to_ascii_lowercase()
        ))
    }

    /// A table opened (in a cell, or outside any table).
    fn open(&mut self) -> Option<String> {
        if self.frames.len() >= MAX_DEPTH {
            return Some(format!(
                "the text's markup nests tables more than {MAX_DEPTH} deep, which is not read"
            ));
        }
        self.frames.push(Frame::default());
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Tables;

    /// What a run of tags and texts (`<x>`, `</x>`, anything else is text) is held for.
    fn read(parts: &[&str]) -> Option<String> {
        let mut t = Tables::default();
        for p in parts {
            let why = if let Some(name) = p.strip_prefix("</").and_then(|r| r.strip_suffix('>')) {
                t.tag(name.as_bytes(), true)
            } else if let Some(name) = p.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
                t.tag(name.as_bytes(), false)
            } else {
                t.text(p.as_bytes())
            };
            if why.is_some() {
                return why;
            }
        }
        None
    }

    #[test]
    fn reads_what_a_table_shows_elsewhere() {
        for held in [
            &["<table>", "<tr>", "<td>", "a", "</td>", "</tr>", "b"][..],
            &["<table>", "<b>"],
            &["<table>", "<tr>", "<td>", "a", "<caption>"],
            &["<table>", "<tr>", "</tr>", "<thead>"],
            &[
                "<table>", "<tfoot>", "<tr>", "<td>", "a", "</td>", "</tr>", "</tfoot>", "<tr>",
            ],
            &["<table>", "<tfoot>", "<tr>", "<td>", "a", "<tbody>"],
            &[
                "<table>", "<tr>", "<td>", "<table>", "<tr>", "<td>", "x", "</table>", "</td>", "</tr>", "y",
            ],
        ] {
            assert!(read(held).is_some(), "{held:?}");
        }
        for goes in [
            &[
                "<table>",
                " ",
                "<caption>",
                "c",
                "</caption>",
                "<thead>",
                "<tr>",
                "<th>",
                "h",
                "</th>",
                "</tr>",
                "</thead>",
            ][..],
            &[
                "<table>", "<tbody>", "<tr>", "<td>", "a", "</td>", "</tr>", "</tbody>", "<tfoot>", "<tr>", "<td>", "f",
            ],
            &[
                "<table>", "<tr>", "<td>", "<b>", "a", "</b>", "<td>", "b", "</table>", "after",
            ],
            &["<tr>", "text", "<td>"],
            &[
                "<table>",
                "<colgroup>",
                "<col>",
                "<tr>",
                "<td>",
                "a",
                "<tr>",
                "<td>",
                "b",
            ],
        ] {
            assert_eq!(read(goes), None, "{goes:?}");
        }
        let deep: Vec<&str> = std::iter::repeat_n(["<table>", "<td>"], 65).flatten().collect();
        assert!(read(&deep).is_some());
    }
}
