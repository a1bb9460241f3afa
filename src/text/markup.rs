//! The markup reading of a string: what a screen that renders HTML shows of it, with its tags
//! and comments gone (`Operation NIGHT<b></b>JAR` shows `Operation NIGHTJAR`, `10.20.<!-- -->30.40`
//! shows `10.20.30.40`). Made only when the text holds a tag or comment (HTML Living Standard
//! §13.2.5, the tokenizer, read far enough to find where each ends):
//!
//! ```text
//! start tag     := "<" ALPHA name *( attribute ) [ "/" ] ">"
//! end tag       := "</" ALPHA name ... ">"
//! comment       := "<!--" ... ( "-->" | "--!>" )   ("<!-->" and "<!--->" end at once)
//! bogus comment := "<!" ... ">" | "<?" ... ">" | "</" non-letter ... ">"
//!                  (a doctype, CDATA, a processing instruction, a bogus end tag)
//! ```
//!
//! A `>` inside a quoted attribute value does not end a tag. An element a browser lays out as
//! a block (`<p>`, `<br>`, `<div>`, `<td>`, …) separates what is either side: it reads as one
//! space; every other tag and every comment reads as nothing. A tag or comment that never ends
//! is no tag (text to the end, as written): one pass, each byte looked at once.

use std::ops::Range;

/// Elements a browser shows on a line (or in a cell) of their own, or as a line break.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Whether `s` may hold a tag or comment: a `<` before a letter, `/`, `!` or `?`.
pub fn may_hold(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'<', c] if c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?')))
}

/// Elements whose content a screen does not show: raw text and templates, what is shown only
/// without scripts or plug-ins, the document's head, and an SVG's description.
const NOT_SHOWN: &[&str] = &[
    "script", "style", "template", "title", "noscript", "noembed", "noframes", "iframe", "object", "head", "desc",
    "metadata", "xmp",
];

/// Elements that have no content (their start tag is the whole element).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

/// Whether the attributes of a start tag hide its element's content: `hidden`, a style of
/// `display:none`, `visibility:hidden`, `font-size:0` or `opacity:0`, or `<font size=0>`
/// (spaces and case aside). Read wide: a reading with more content gone joins more.
fn hides(attributes: &[u8]) -> bool {
    let squeezed: Vec<u8> = attributes
        .iter()
        .filter(|c| !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\''))
        .map(u8::to_ascii_lowercase)
        .collect();
    [
        "hidden".as_bytes(),
        b"display:none",
        b"font-size:0",
        b"opacity:0",
        b"size=0",
    ]
    .iter()
    .any(|w| squeezed.windows(w.len()).any(|x| x == *w))
}

/// `s` with its tags and comments removed (a block element's tag read as one space), and for
/// each byte of the result the byte range of `s` it comes from; `None` when `s` holds none.
pub fn strip(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    strip_with(s, false)
}

/// [`strip`], and the content of the elements a screen does not show removed too ([`NOT_SHOWN`],
/// or hidden by an attribute: [`hides`]): `Operation NIGHT<span hidden>x</span>JAR` shows
/// `Operation NIGHTJAR`. An element hidden so runs to its end tag (the same name, nested ones
/// counted) or to the end of the text. `None` when no content is hidden.
pub fn strip_hidden(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    strip_with(s, true)
}

fn strip_with(s: &str, drop_hidden: bool) -> Option<(String, Vec<Range<usize>>)> {
    if !may_hold(s) {
        return None;
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<Range<usize>> = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut hid = false;
    // The hidden element being passed over: its name and how many of that name are open.
    let mut hidden: Option<(&[u8], usize)> = None;
    let mut plain = 0;
    let mut i = 0;
    while let Some(at) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let lt = i + at;
        let Some(found) = markup(b, lt) else {
            i = lt + 1;
            continue;
        };
        let (end, block) = (found.end, found.block);
        if end > b.len() {
            break; // never ends: the rest is text
        }
        if let Some((name, open)) = hidden.as_mut() {
            if let Some(tag) = &found.tag
                && tag.name.eq_ignore_ascii_case(name)
            {
                if tag.closing {
                    *open = open.saturating_sub(1);
                } else if !tag.self_closing {
                    *open = open.saturating_add(1);
                }
            }
            if *open == 0 {
                hidden = None;
                plain = end;
            }
            i = end;
            continue;
        }
        out.push_str(s.get(plain..lt).unwrap_or_default());
        map.extend((plain..lt).map(|k| k..k + 1));
        if block {
            out.push(' ');
            map.push(lt..end);
        }
        changed = true;
        i = end;
        plain = end;
        if drop_hidden
            && let Some(tag) = &found.tag
            && !tag.closing
            && !tag.self_closing
            && !VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(tag.name))
            && (NOT_SHOWN.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(tag.name)) || hides(tag.attributes))
        {
            hidden = Some((tag.name, 1));
            hid = true;
        }
    }
    if !changed || (drop_hidden && !hid) {
        return None;
    }
    if hidden.is_none() {
        out.push_str(s.get(plain..).unwrap_or_default());
        map.extend((plain..s.len()).map(|k| k..k + 1));
    }
    Some((out, map))
}

/// The lightweight markup reading of `s`: what a forum or a Markdown viewer shows, with BBCode
/// tags gone (`NIGHT[b][/b]JAR`, `[color=red]…[/color]`: `[`, an optional `/`, one to ten
/// letters, an optional `=value`, `]`) and each Markdown link shown as its text
/// (`[NIGHT](https://x "t")JAR`, `NIGHT[](https://x)JAR`, `[NIGHT][ref]JAR`); each byte mapped
/// back. `None` when there is none. Read two ways, as `[b][i]` is a pair of tags to a forum and
/// `[NIGHT][x]` a link to Markdown: with `bbcode`, tags and inline links; without, inline and
/// reference links. Each `[` looks ahead a bounded way (a tag 64 bytes, a link's
/// text 256 and its target 2048), so the reading is linear.
pub fn strip_light(s: &str, bbcode: bool) -> Option<(String, Vec<Range<usize>>)> {
    if !s.contains('[') || !s.contains(']') {
        return None;
    }
    let b = s.as_bytes();
    let close_within = |from: usize, c: u8, limit: usize| {
        b.get(from..)
            .unwrap_or_default()
            .iter()
            .take(limit)
            .position(|&x| x == c)
            .map(|k| from + k)
    };
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<Range<usize>> = Vec::with_capacity(s.len());
    let mut plain = 0usize;
    let mut i = 0usize;
    let mut changed = false;
    let copy = |out: &mut String, map: &mut Vec<Range<usize>>, a: usize, z: usize| {
        out.push_str(s.get(a..z).unwrap_or_default());
        map.extend((a..z).map(|k| k..k + 1));
    };
    while let Some(k) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'[')) {
        let open = i + k;
        // A Markdown link: `[text](target)` or `[text][ref]`.
        if let Some(close) = close_within(open + 1, b']', 256)
            && !b.get(open + 1..close).unwrap_or_default().contains(&b'[')
        {
            let target_end = match b.get(close + 1) {
                Some(b'(') => close_within(close + 2, b')', 2048),
                Some(b'[') if !bbcode => close_within(close + 2, b']', 256),
                _ => None,
            };
            if let Some(t) = target_end {
                copy(&mut out, &mut map, plain, open);
                copy(&mut out, &mut map, open + 1, close);
                changed = true;
                plain = t + 1;
                i = t + 1;
                continue;
            }
        }
        // A BBCode tag.
        let name_at = open + 1 + usize::from(b.get(open + 1) == Some(&b'/'));
        let name_len = b
            .get(name_at..)
            .unwrap_or_default()
            .iter()
            .take(11)
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if bbcode && (1..=10).contains(&name_len) {
            let after = name_at + name_len;
            let end = match b.get(after) {
                Some(b']') => Some(after),
                Some(b'=') => {
                    close_within(after, b']', 64).filter(|&e| !b.get(after..e).unwrap_or_default().contains(&b'['))
                }
                _ => None,
            };
            if let Some(end) = end {
                copy(&mut out, &mut map, plain, open);
                changed = true;
                plain = end + 1;
                i = end + 1;
                continue;
            }
        }
        i = open + 1;
    }
    if !changed {
        return None;
    }
    copy(&mut out, &mut map, plain, s.len());
    Some((out, map))
}

/// A tag [`markup`] found.
struct Tag<'b> {
    name: &'b [u8],
    closing: bool,
    self_closing: bool,
    attributes: &'b [u8],
}

/// What [`markup`] found at a `<`.
struct Found<'b> {
    end: usize,
    block: bool,
    tag: Option<Tag<'b>>,
}

/// The tag or comment at `lt` (a `<`): where it ends (past its `>`; past the end of `b` when it
/// never ends), and whether it is a block element's tag. `None` when no markup starts there.
fn markup(b: &[u8], lt: usize) -> Option<Found<'_>> {
    let never = b.len() + 1;
    let rest = b.get(lt + 1..)?;
    let other = |end: usize| Found {
        end: lt.saturating_add(end),
        block: false,
        tag: None,
    };
    match rest {
        [b'!', b'-', b'-', tail @ ..] => {
            // `<!-->` and `<!--->` end at once; else at the first `-->` or `--!>`.
            let end = match tail {
                [b'>', ..] => 5,
                [b'-', b'>', ..] => 6,
                _ => (0..tail.len())
                    .find_map(|k| match tail.get(k..) {
                        Some([b'-', b'-', b'>', ..]) => Some(4 + k + 3),
                        Some([b'-', b'-', b'!', b'>', ..]) => Some(4 + k + 4),
                        _ => None,
                    })
                    .unwrap_or(never),
            };
            Some(other(end))
        }
        // A declaration, a processing instruction, and `</` before what is no letter (`</ x>`,
        // `</3>`, `</>`): a bogus comment to the first `>`.
        [b'!' | b'?', ..] | [b'/', ..]
            if !rest.get(1).is_some_and(u8::is_ascii_alphabetic) || rest.first() != Some(&b'/') =>
        {
            let end = rest.iter().position(|&c| c == b'>').map_or(never, |k| k + 2);
            Some(other(end))
        }
        [b'/', c, ..] | [c, ..] if c.is_ascii_alphabetic() => {
            let name_at = if rest.first() == Some(&b'/') { 1 } else { 0 };
            let name_len = rest
                .get(name_at..)?
                .iter()
                .position(|&c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
                .unwrap_or(rest.len() - name_at);
            let name = rest.get(name_at..name_at + name_len)?;
            let block = BLOCK.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(name));
            let close = tag_end(rest, name_at + name_len);
            let attributes = close.and_then(|k| rest.get(name_at + name_len..k)).unwrap_or_default();
            Some(Found {
                end: lt.saturating_add(close.map_or(never, |k| k + 2)),
                block,
                tag: Some(Tag {
                    name,
                    closing: name_at == 1,
                    self_closing: attributes.last() == Some(&b'/'),
                    attributes,
                }),
            })
        }
        _ => None,
    }
}

/// In `t` (what follows a tag's `<`), from `from`: the position of the `>` that ends the tag,
/// passing over quoted attribute values.
fn tag_end(t: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    let mut after_eq = false;
    while let Some(&c) = t.get(k) {
        match c {
            b'>' => return Some(k),
            b'=' => after_eq = true,
            b'"' | b'\'' if after_eq => {
                k += 1 + t.get(k + 1..)?.iter().position(|&q| q == c)?;
                after_eq = false;
            }
            c if c.is_ascii_whitespace() => {}
            _ => after_eq = false,
        }
        k += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::strip;

    fn s(t: &str) -> Option<String> {
        strip(t).map(|(x, _)| x)
    }

    //--- case
    #[test]
    fn removes_tags_and_comments_as_a_screen_shows_them() {
        for (t, want) in [
            ("Operation NIGHT<b></b>JAR", "Operation NIGHTJAR"),
            ("Operation NIGHT<wbr>JAR", "Operation NIGHTJAR"),
            ("host.<b>corp</b>.example", "host.corp.example"),
            ("10.20.<!-- -->30.40", "10.20.30.40"),
            ("10.20.<!---->30.40 <!-->x", "10.20.30.40 x"),
            ("+1 202-<b>555</b>-0173", "+1 202-555-0173"),
            ("NIGHT<span title=\"a>b\" class='c>'>JAR", "NIGHTJAR"),
            ("NIGHT<b/>JAR<?pi x?><!DOCTYPE html>", "NIGHTJAR"),
            ("one<br>two<P class=x>three</p>", "one two three "),
            ("NIGHT<b>&#74;</b>AR", "NIGHT&#74;AR"),
        ] {
            assert_eq!(s(t).as_deref(), Some(want), "{t}");
        }
    }

    #[test]
    fn leaves_what_is_no_markup() {
        for t in [
            "a < b and c > d",
            "x<y",
            "[ipv4-addr:value < '10.0.0.1']",
            "1<2",
            "<",
            "NIGHT<b JAR",
            "a <!-- never closed",
            "<b title=\"never closed>",
        ] {
            assert_eq!(s(t), None, "{t}");
        }
    }

    #[test]
    fn maps_each_byte_back() {
        let t = "a<b>c<br>d";
        let (x, map) = strip(t).unwrap();
        assert_eq!(x, "ac d");
        let spans: Vec<&str> = map.iter().map(|r| t.get(r.clone()).unwrap()).collect();
        assert_eq!(spans, ["a", "c", "<br>", "d"]);
    }
}
