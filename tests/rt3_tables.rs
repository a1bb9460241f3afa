//! Tables that show their parts in another order than written (s37): text or an element written
//! in a table outside its cells is shown before the table (HTML's "foster parenting"), a caption
//! or a `thead` written after rows is shown above them, rows written after a `tfoot` are shown
//! above it; CSS does the same (`display:table-footer-group`, `table-header-group`,
//! `table-caption`, `caption-side:bottom`). `Operation <table><tr><td>JAR</td></tr>NIGHT</table>` shows `Operation NIGHT` above
//! `JAR`, and crossed both readers. Each way is drawn here with the tag names in any case, with
//! attributes and white space, and the phrase's halves around it; the guard holds it or rewrites
//! it, the verifier refuses it, and the guard's output passes the verifier. Ordinary tables go.

mod common;

use common::held::{all_go, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

/// Ways to write `{late}` (shown first) after `{early}` in a table. Tags are written `<x>` and
/// dressed by [`dress`].
const WAYS: &[&str] = &[
    // Foster parenting: text, an element, in the table, a section or a row.
    "<table><tr><td>{early}</td></tr>{late}</table>",
    "<table><tr><td>{early}</td></tr><b>{late}</b></table>",
    "<table><tr><td>{early}</td>{late}</tr></table>",
    "<table><tbody><tr><td>{early}</td></tr></tbody>{late}</table>",
    "<table><tr><td>{early}</td></tr><span>{late}</span></table>",
    "<table><tr><td>{early}</td></tr><div>{late}</div></table>",
    "<table><thead><tr><th>{early}</th></tr></thead>{late}</table>",
    "<table><tr><td>{early}<tr>{late}",
    "<table><td>{early}</td>{late}",
    // A caption, a thead after rows.
    "<table><tr><td>{early}</td></tr><caption>{late}</caption></table>",
    "<table><tr><td>{early}<caption>{late}</caption></table>",
    "<table><tbody><tr><td>{early}</td></tr></tbody><thead><tr><th>{late}</th></tr></thead></table>",
    "<table><tr><td>{early}</td></tr><thead><tr><td>{late}</td></tr></thead></table>",
    // Rows after a tfoot (the footer is shown below them).
    "<table><tfoot><tr><td>{early}</td></tr></tfoot><tbody><tr><td>{late}</td></tr></tbody></table>",
    "<table><tfoot><tr><td>{early}</td></tr></tfoot><tr><td>{late}</td></tr></table>",
    "<table><tfoot><tr><td>{early}<tbody><tr><td>{late}</table>",
    "<table><tfoot><td>{early}</tfoot><td>{late}",
    // The same by CSS (tables of any element, a caption at the bottom), in an attribute or a sheet.
    "<div style=\"display:table\"><div style=\"display:table-footer-group\">{early}</div><div>{late}</div></div>",
    "<div style=\"display:table\"><div>{early}</div><div style=\"display:table-header-group\">{late}</div></div>",
    "<div style=\"display:table\"><div>{early}</div><div style=\"display:table-caption\">{late}</div></div>",
    "<table><caption style=\"caption-side:bottom\">{early}</caption><tr><td>{late}</td></tr></table>",
    "<table><caption style=\"caption-side:block-end\">{early}</caption><tr><td>{late}</td></tr></table>",
    "<style>caption{caption-side:bottom}</style><table><caption>{early}</caption><tr><td>{late}</td></tr></table>",
    "<style>.f{display:table-footer-group}</style><table><tbody class=\"f\"><tr><td>{early}</td></tr></tbody><tr><td>{late}</td></tr></table>",
    // The same in a table inside a cell.
    "<table><tr><td><table><tr><td>{early}</td></tr>{late}</table></td></tr></table>",
    "<table><tr><td>x</td></tr></table><table><tr><td>{early}</td></tr>{late}</table>",
];

/// `way` with each tag name in the case `case` picks, `pad` after the name and an attribute
/// when `attribute` is set.
fn dress(way: &str, case: u8, pad: &str, attribute: bool) -> String {
    let mut out = String::new();
    let mut rest = way;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at + 1..end];
        let (slash, name) = tag.strip_prefix('/').map_or(("", tag), |n| ("/", n));
        let name: String = name
            .chars()
            .enumerate()
            .map(|(i, c)| match case % 3 {
                0 => c,
                1 => c.to_ascii_uppercase(),
                _ if i % 2 == 0 => c.to_ascii_uppercase(),
                _ => c,
            })
            .collect();
        let attr = if attribute && slash.is_empty() {
            " class=\"k\""
        } else {
            ""
        };
        out.push_str(&format!("<{slash}{name}{attr}{pad}>"));
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn s37a_a_table_that_shows_a_part_elsewhere_is_held(
        way in prop::sample::select(WAYS),
        case in 0..3u8,
        pad in prop::sample::select(&["", " ", "\n", "\t "][..]),
        attribute in any::<bool>(),
        lead in prop::sample::select(&["Operation ", "Operation <b>", "<p>Operation </p>"][..]),
    ) {
        let table = dress(way, case, pad, attribute).replace("{early}", "JAR").replace("{late}", "NIGHT");
        let text = format!("{lead}{table}");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Tables written in the order they are shown, white space between their parts, tables in cells.
const GOES: &[&str] = &[
    "<table><tr><td>Operation</td><td>NIGHTHAWK</td></tr></table>",
    "<table>\n  <caption>Indicators</caption>\n  <thead><tr><th>Type</th><th>Value</th></tr></thead>\n  <tbody><tr><td>IP</td><td>203.0.113.5</td></tr></tbody>\n  <tfoot><tr><td colspan=\"2\">2 rows</td></tr></tfoot>\n</table>",
    "<TABLE><COLGROUP><COL span=\"2\"></COLGROUP><TR><TD>a<TD>b<TR><TD>c<TD>d</TABLE> after the table",
    "<table><tr><td><table><tr><td>inner</td></tr></table> and more</td></tr></table>",
    "<table><tr><td>a</td></tr></table><p>then a paragraph</p>",
    "A row <tr> and a cell <td> outside any table are no table.",
    "<table><tr><td><b>bold</b> and <i>italic</i></td></tr></table>",
    "<table><caption style=\"caption-side:top\">Hosts</caption><tr><td>a</td></tr></table>",
    "<div style=\"display:table\"><div style=\"display:table-row\"><div style=\"display:table-cell\">a</div></div></div>",
];

#[test]
fn s37a_tables_written_in_the_order_they_are_shown_go() {
    all_go(&us_to_jpn(), GOES);
}
