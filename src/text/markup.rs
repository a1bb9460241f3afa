//! The markup reading of a string: what a screen that renders HTML shows of it, with its tags
//! and comments gone (`Operation NIGHT<b></b>JAR` shows `Operation NIGHTJAR`, `10.20.<!-- -->30.40`
//! shows `10.20.30.40`). Made only when the text holds a tag or comment (HTML Living Standard
//! §13.2.5, the tokenizer, read far enough to find where each ends):
//!
//! ```text
//! start tag     := "<" ALPHA name *( attribute ) [ "/" ] ">"
//! end tag       := "</" ALPHA name ... ">"
//! comment       := "<!--" ... "-->"       ("<!-->" and "<!--->" end at once)
//! bogus comment := "<!" ... ">" | "<?" ... ">"   (a doctype, CDATA, a processing instruction)
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

/// `s` with its tags and comments removed (a block element's tag read as one space), and for
/// each byte of the result the byte range of `s` it comes from; `None` when `s` holds none.
pub fn strip(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    if !may_hold(s) {
        return None;
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<Range<usize>> = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut plain = 0;
    let mut i = 0;
    while let Some(at) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let lt = i + at;
        let Some((end, block)) = markup(b, lt) else {
            i = lt + 1;
            continue;
        };
        if end > b.len() {
            break; // never ends: the rest is text
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
    }
    if !changed {
        return None;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map))
}

/// The tag or comment at `lt` (a `<`): where it ends (past its `>`; past the end of `b` when it
/// never ends), and whether it is a block element's tag. `None` when no markup starts there.
fn markup(b: &[u8], lt: usize) -> Option<(usize, bool)> {
    let never = b.len() + 1;
    let rest = b.get(lt + 1..)?;
    match rest {
        [b'!', b'-', b'-', tail @ ..] => {
            // `<!-->` and `<!--->` end at once; else at the first `-->`.
            let end = match tail {
                [b'>', ..] => 5,
                [b'-', b'>', ..] => 6,
                _ => tail.windows(3).position(|w| w == b"-->").map_or(never, |k| 4 + k + 3),
            };
            Some((lt.saturating_add(end), false))
        }
        [b'!' | b'?', ..] => {
            let end = rest.iter().position(|&c| c == b'>').map_or(never, |k| k + 2);
            Some((lt.saturating_add(end), false))
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
            let end = tag_end(rest, name_at + name_len).map_or(never, |k| k + 2);
            Some((lt.saturating_add(end), block))
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
