//! Rendering: the tree back to canonical bytes, without recursion.

use super::*;

/// Render `doc` canonically (see the module doc).
pub fn render(doc: &Document<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    render_nodes(doc, &mut out);
    out.push('\n');
    out.into_bytes()
}

/// The nodes in document order, closing each element where its subtree ends (never
/// recursing, so rendering needs no more stack than the document is deep).
fn render_nodes(doc: &Document<'_>, out: &mut String) {
    let mut open: Vec<(usize, &ElementData<'_>)> = Vec::new();
    for (id, slot) in doc.nodes.iter().enumerate() {
        while let Some((_, e)) = open.pop_if(|(_, e)| to_usize(e.end) <= id) {
            close_tag(e, out);
        }
        match slot {
            Slot::Text(t) => escape_text(doc.text(*t), out),
            Slot::Element(e) => {
                open_tag(doc, e, id, out);
                if to_usize(e.end) > id.saturating_add(1) {
                    open.push((id, e));
                }
            }
        }
    }
    while let Some((_, e)) = open.pop() {
        close_tag(e, out);
    }
}

fn push_qname(prefix: Option<&str>, local: &str, out: &mut String) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn open_tag(doc: &Document<'_>, e: &ElementData<'_>, id: usize, out: &mut String) {
    out.push('<');
    push_qname(e.prefix, e.local, out);
    for d in doc.declarations.get(e.declarations.range()).unwrap_or_default() {
        out.push_str(" xmlns");
        if let Some(p) = d.prefix {
            out.push(':');
            out.push_str(p);
        }
        out.push_str("=\"");
        escape_attr(&d.uri, out);
        out.push('"');
    }
    for a in doc.attributes.get(e.attributes.range()).unwrap_or_default() {
        out.push(' ');
        push_qname(doc.prefix(a.prefix), a.local, out);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push_str(if to_usize(e.end) > id.saturating_add(1) {
        ">"
    } else {
        "/>"
    });
}

fn close_tag(e: &ElementData<'_>, out: &mut String) {
    out.push_str("</");
    push_qname(e.prefix, e.local, out);
    out.push('>');
}

/// Text: `&`, `<`, `>` as entities, CR as a character reference (so line-end handling keeps it).
pub(super) fn escape_text(s: &str, out: &mut String) {
    if !s.contains(['&', '<', '>', '\r']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Attribute values: `&`, `<`, `"` as entities, tab, LF and CR as character references (so
/// attribute-value normalisation keeps them).
pub(super) fn escape_attr(s: &str, out: &mut String) {
    if !s.contains(['&', '<', '"', '\t', '\n', '\r']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
