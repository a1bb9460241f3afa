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
//!
//! A style can add text no tag holds (`p::before{content:"\54 LP:RED"}` shows `TLP:RED`):
//! [`generated`] finds the styles that do, or that fetch what they show ([`super::css`]).

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

/// Whether `s` may hold a tag or comment: a `<` before a letter, `/`, `!` or `?`. Each `<` is
/// found by `memchr` and the byte after it asked (the same answer as asking every pair of
/// neighbouring bytes: [`may_hold_by_pairs`], which the tests compare with).
pub fn may_hold(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'<', b).any(|i| {
        i.checked_add(1)
            .and_then(|k| b.get(k))
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
    })
}

/// [`may_hold`], asked of every pair of neighbouring bytes.
#[cfg(test)]
fn may_hold_by_pairs(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'<', c] if c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?')))
}

/// Elements whose content a screen does not show: raw text and templates, what is shown only
/// without scripts or plug-ins, the document's head, an SVG's description, the fallback of media,
/// canvases and gauges, a dialog (closed unless opened by a script or `open`), an option list,
/// and the parentheses of ruby text.
const NOT_SHOWN: &[&str] = &[
    "script", "style", "template", "title", "noscript", "noembed", "noframes", "iframe", "object", "head", "desc",
    "metadata", "xmp", "audio", "video", "canvas", "meter", "progress", "dialog", "datalist", "rp",
];

/// Elements and attributes whose text a screen shows where the element stands: an image's
/// alternative text (when it is not loaded), a field's value and placeholder, an option's label.
const SHOWN_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("img", &["alt"]),
    ("input", &["alt", "value", "placeholder"]),
    ("textarea", &["placeholder"]),
    ("area", &["alt"]),
    ("option", &["label"]),
];

/// Elements that have no content (their start tag is the whole element).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

/// Whether the attributes of a start tag hide its element's content: `hidden`, a style of
/// `display:none`, `visibility:hidden`, `font-size:0` or `opacity:0`, or `<font size=0>`
/// (spaces and case aside), or a `style` that [`super::css::hides`] it (ink, a clip, a scale,
/// a zoom or a font size a screen does not show: `color:transparent`, `clip-path:inset(50%)`,
/// `font-size:1%`), or a `color` attribute of such ink (`<font color=white>`). Read wide: a
/// reading with more content gone joins more.
fn hides(attributes: &[u8]) -> bool {
    let styled = |name: &[u8], lead: &str| {
        attribute_values(attributes, name)
            .any(|v| super::css::hides(&format!("{lead}{}", String::from_utf8_lossy(v))).is_some())
    };
    if styled(b"style", "") || styled(b"color", "color:") {
        return true;
    }
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
        // What the element shows of its attributes, in its place (`NIGHT<img alt="JAR">`); in
        // the reading without hidden content, not when its attributes hide it (read both ways:
        // `color:transparent` with a `text-shadow` is shown).
        if let Some(tag) = &found.tag
            && !tag.closing
            && let Some((_, names)) = SHOWN_ATTRIBUTES
                .iter()
                .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(tag.name))
        {
            let gone = drop_hidden && hides(tag.attributes);
            hid |= gone;
            for name in names.iter().filter(|_| !gone) {
                for value in attribute_values(tag.attributes, name.as_bytes()) {
                    let value = String::from_utf8_lossy(value);
                    out.push_str(&value);
                    map.extend(std::iter::repeat_n(lt..end, value.len()));
                }
            }
        }
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

/// Why the markup of `s` shows what no rule reads, when it does: a style ([`super::css::shows`])
/// in a `<style>` element (its raw text, to `</style` or the end) or a `style` attribute that
/// adds text of its own (`<style>p::before{content:"\54 LP:RED"}</style>`, `<span
/// style="content:'…'">`) or fetches what it shows (`@import`, `url(…)`), a style sheet linked
/// in (`<link rel=stylesheet>`, `<?xml-stylesheet?>`). `None` when it has none
/// (`<style>p{color:red}</style>`). Or a `<style>` element that hides text
/// ([`super::css::hides`]: `.k{color:transparent}`), as which elements it hides is not read. Or
/// markup that shows text in an order other than its own
/// ([`super::css::layout`]): `<bdo>`, a `unicode-bidi` override, a reversed flex direction,
/// `order`, grid placement, a float to the right, a vertical writing mode, a `position`
/// or `transform`, a float to the left or a negative left margin after text, a negative right
/// margin, `text-indent`, `letter-spacing` or `word-spacing`, and a right-to-left direction
/// where boxes stand side by side
/// (`<table dir=rtl>`, `display:flex;direction:rtl`); right-to-left text with no override goes.
/// Or a table that shows its parts elsewhere ([`super::tables`]: text outside a cell, a caption
/// or `thead` after rows, rows after a `tfoot`).
/// One pass: each tag and each style's text is read once.
pub fn generated(s: &str) -> Option<String> {
    if !may_hold(s) {
        return None;
    }
    let b = s.as_bytes();
    let held = |shown: super::css::Shows, place: &str| {
        let does = if shown.fetches {
            "fetches content a screen shows and no rule reads"
        } else {
            "adds text a screen shows and no rule reads"
        };
        format!("the text's markup has CSS that {does}: {} in {place}", shown.what)
    };
    // A right-to-left direction (`dir=rtl`, `dir=auto`, `direction:rtl`), and boxes laid side
    // by side (table cells, flex, grid, inline blocks): together, boxes shown from the right.
    let (mut rtl, mut boxes) = (false, false);
    // Whether text stands before the current tag: a box floated to the line's start is shown
    // before it.
    let mut text_before = false;
    // The open tables: what stands in one outside a cell, or a section out of its place, is
    // shown elsewhere.
    let mut tables = super::tables::Tables::default();
    // How far negative top and bottom margins pull boxes up over the lines before them, in all
    // the text (pixels, summed: nested pulls add up), and whether a box is zoomed.
    let (mut pulled_up, mut zoomed) = (0u32, false);
    let mut i = 0;
    while let Some(at) = b.get(i..).and_then(|r| memchr::memchr(b'<', r)) {
        let lt = i + at;
        let text = b.get(i..lt).unwrap_or_default();
        text_before |= text.iter().any(|c| !c.is_ascii_whitespace());
        if let Some(why) = tables.text(text) {
            return Some(why);
        }
        let Some(found) = markup(b, lt) else {
            text_before = true; // the `<` is text
            if let Some(why) = tables.text(b"<") {
                return Some(why);
            }
            i = lt + 1;
            continue;
        };
        if found.end > b.len() {
            break; // never ends: the rest is text
        }
        i = found.end;
        if let Some(why) = found.tag.as_ref().and_then(|t| tables.tag(t.name, t.closing)) {
            return Some(why);
        }
        if let Some(tag) = found.tag.as_ref().filter(|t| !t.closing) {
            if tag.name.eq_ignore_ascii_case(b"bdo") {
                return Some(
                    "the text's markup overrides the order its letters are shown in (`<bdo>`): a screen shows them in an order no rule reads"
                        .to_string(),
                );
            }
            // `align=right` on a table or a replaced element floats it to the right (HTML
            // §15.3.3, §15.4.3): what follows it on the line is shown before it; `align=left`
            // after text floats it before that text.
            if FLOATED_BY_ALIGN.iter().any(|n| tag.name.eq_ignore_ascii_case(n)) {
                for v in attribute_values(tag.attributes, b"align") {
                    let v = v.trim_ascii();
                    let side = if v.eq_ignore_ascii_case(b"right") {
                        "right (`align=right`): a screen shows it after what follows it"
                    } else if v.eq_ignore_ascii_case(b"left") && text_before {
                        "left (`align=left`) after text: a screen shows it before that text"
                    } else {
                        continue;
                    };
                    return Some(format!(
                        "the text's markup floats a box `<{}>` to the {side}, in an order no rule reads",
                        String::from_utf8_lossy(tag.name).to_ascii_lowercase()
                    ));
                }
            }
            rtl |= attribute_values(tag.attributes, b"dir").any(|v| {
                let v = v.trim_ascii();
                v.eq_ignore_ascii_case(b"rtl") || v.eq_ignore_ascii_case(b"auto")
            });
            boxes |= [&b"table"[..], b"tr", b"td", b"th"]
                .iter()
                .any(|n| tag.name.eq_ignore_ascii_case(n));
            for value in attribute_values(tag.attributes, b"style") {
                let layout = super::css::layout(&String::from_utf8_lossy(value));
                if let Some(why) = layout.reorders {
                    return Some(reordered(&why, "a `style` attribute"));
                }
                if layout.floats_left && text_before {
                    return Some(reordered(
                        "a float to the left after text (the box shown before it)",
                        "a `style` attribute",
                    ));
                }
                if layout.pulls_left && text_before {
                    return Some(reordered(
                        "a negative left margin after text (the box drawn back over it)",
                        "a `style` attribute",
                    ));
                }
                if let Some(why) = layout.short.as_deref()
                    && !VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(tag.name))
                {
                    return Some(reordered(&short(why), "a `style` attribute"));
                }
                pulled_up = pulled_up.saturating_add(layout.pulls_up);
                zoomed |= layout.zooms;
                rtl |= layout.rtl;
                boxes |= layout.boxes;
            }
        }
        let Some(tag) = found.tag.filter(|t| !t.closing) else {
            let bogus = b.get(lt + 1..found.end).unwrap_or_default();
            if bogus
                .get(..15)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"?xml-stylesheet"))
            {
                return Some(
                    "the text's markup links a style sheet in (`<?xml-stylesheet?>`): it fetches content a screen shows and no rule reads"
                        .to_string(),
                );
            }
            continue;
        };
        for value in attribute_values(tag.attributes, b"style") {
            if let Some(shown) = super::css::shows(&String::from_utf8_lossy(value)) {
                return Some(held(shown, "a `style` attribute"));
            }
        }
        if tag.name.eq_ignore_ascii_case(b"link")
            && attribute_values(tag.attributes, b"rel")
                .any(|v| v.windows(10).any(|w| w.eq_ignore_ascii_case(b"stylesheet")))
        {
            return Some(
                "the text's markup links a style sheet in (`<link rel=stylesheet>`): it fetches content a screen shows and no rule reads"
                    .to_string(),
            );
        }
        if attribute_values(tag.attributes, b"srcdoc").next().is_some() {
            return Some(
                "the text's markup writes a frame's document in a `srcdoc` attribute: a screen shows it as markup, which no rule reads"
                    .to_string(),
            );
        }
        if tag.name.eq_ignore_ascii_case(b"style") {
            // Raw text to `</style` (any case) or the end; `<style/>` opens one too.
            let mut end = b.len();
            let mut k = i;
            while let Some(at) = b.get(k..).and_then(|r| memchr::memchr(b'<', r)) {
                let close = k + at;
                if b.get(close + 1..close + 7)
                    .is_some_and(|n| n.eq_ignore_ascii_case(b"/style"))
                {
                    end = close;
                    break;
                }
                k = close + 1;
            }
            let sheet = s.get(i..end).unwrap_or_default();
            if let Some(shown) = super::css::shows(sheet) {
                return Some(held(shown, "a `<style>` element"));
            }
            if let Some(why) = super::css::hides(sheet) {
                // Which elements it hides is not read: the text without them is not made.
                return Some(format!(
                    "the text's markup has CSS that hides text from a screen (which text is not read): {why} in a `<style>` element"
                ));
            }
            let layout = super::css::layout(sheet);
            if let Some(why) = layout.reorders {
                return Some(reordered(&why, "a `<style>` element"));
            }
            if layout.floats_left {
                // Which boxes it floats, and what text stands before them, is not read.
                return Some(reordered(
                    "a float to the left (a box shown before the text before it)",
                    "a `<style>` element",
                ));
            }
            if layout.pulls_left {
                // Which boxes it pulls back, and what text stands before them, is not read.
                return Some(reordered(
                    "a negative left margin (a box drawn back over the text before it)",
                    "a `<style>` element",
                ));
            }
            if let Some(why) = layout.short.as_deref() {
                // Which boxes it makes short is not read.
                return Some(reordered(&short(why), "a `<style>` element"));
            }
            if layout.pulls_up > 0 {
                // A rule applies to any number of boxes, nested: its pulls add up.
                return Some(reordered(
                    "a negative top or bottom margin (a box drawn up over the lines before it)",
                    "a `<style>` element",
                ));
            }
            zoomed |= layout.zooms;
            rtl |= layout.rtl;
            boxes |= layout.boxes;
            i = end;
        }
    }
    if let Some(why) = tables.text(b.get(i..).unwrap_or_default()) {
        return Some(why);
    }
    // Half a line (8px) in all: a line may be drawn over the one before it.
    if pulled_up >= 8 || (pulled_up > 0 && zoomed) {
        return Some(reordered(
            "negative top or bottom margins (a box drawn up over the lines before it)",
            "`style` attributes",
        ));
    }
    (rtl && boxes).then(|| {
        "the text's markup lays boxes out from the right (a right-to-left direction with table cells, flex, grid or inline blocks): a screen shows them in an order no rule reads".to_string()
    })
}

/// Elements that `align=right` floats to the right: tables and replaced elements.
const FLOATED_BY_ALIGN: &[&[u8]] = &[b"table", b"img", b"iframe", b"object", b"embed", b"applet", b"input"];

/// Why a box shorter than a line (`why`, the declaration) shows text otherwise than written.
fn short(why: &str) -> String {
    format!("a box shorter than a line (the next block drawn over its text): {why}")
}

/// The reason a style that shows text in another order than its own is held.
fn reordered(why: &str, place: &str) -> String {
    format!(
        "the text's markup has CSS that shows text otherwise than written (in another order, over other text or in capitals), which no rule reads: {why} in {place}"
    )
}

/// The values of the attributes named `name` (any case) among a start tag's `attributes`
/// (HTML §13.2.5.32–.38: a name runs to white space, `/`, `>` or `=`; a value is quoted, or
/// runs to white space or `>`).
fn attribute_values<'a>(attributes: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut k = 0;
    std::iter::from_fn(move || {
        loop {
            k += attributes
                .get(k..)?
                .iter()
                .take_while(|c| c.is_ascii_whitespace() || **c == b'/')
                .count();
            let rest = attributes.get(k..).filter(|r| !r.is_empty())?;
            // A name may start with `=`; then it runs to white space, `/`, `>` or `=`.
            let len = 1 + rest
                .get(1..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| !(c.is_ascii_whitespace() || matches!(c, b'/' | b'>' | b'=')))
                .count();
            let this = rest.get(..len).unwrap_or_default();
            k += len;
            k += attributes
                .get(k..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
            let mut value: &[u8] = &[];
            if attributes.get(k) == Some(&b'=') {
                k += 1;
                k += attributes
                    .get(k..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| c.is_ascii_whitespace())
                    .count();
                let v = attributes.get(k..).unwrap_or_default();
                let (start, len, skip) = match v.first() {
                    Some(&q @ (b'"' | b'\'')) => {
                        let n = v.get(1..).unwrap_or_default().iter().position(|&c| c == q);
                        let n = n.unwrap_or(v.len().saturating_sub(1));
                        (1, n, n + 2)
                    }
                    _ => {
                        let n = v.iter().take_while(|c| !c.is_ascii_whitespace() && **c != b'>').count();
                        (0, n, n)
                    }
                };
                value = v.get(start..start + len).unwrap_or_default();
                k += skip;
            }
            if this.eq_ignore_ascii_case(name) {
                return Some(value);
            }
        }
    })
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
    use super::{generated, strip};
    use proptest::strategy::Strategy as _;

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

    #[test]
    fn finds_styles_that_add_text_or_fetch_it() {
        for t in [
            "Operation <span class=a></span> today<style>.a::after{content:\"NIGHTJAR\"}</style>",
            "<span style=\"content:'x'\"></span>",
            "<span title='a>b' STYLE = 'con\\74 ent:x'>y</span>",
            "<span style=con\\000074ent:x>y</span>",
            "report<STYLE>p::before{content:\"x\"}",
            "<style/>p::before{content:x}",
            "<q style='quotes:\"a\" \"b\"'>x</q>",
            "<style>@import \"a.css\";</style>",
            "<link href=a.css REL=\"Stylesheet\">",
            "<?xml-stylesheet href=\"a.css\"?><p>x</p>",
        ] {
            assert!(generated(t).is_some(), "{t}");
        }
        assert!(generated("<style>p{content:x}</style>").is_some_and(|w| w.contains("`<style>` element")));
    }

    #[test]
    fn finds_markup_that_shows_text_out_of_its_order() {
        for t in [
            "<bdo dir=rtl>DER:PLT</bdo>",
            "<span style=\"direction:rtl;unicode-bidi:bidi-override\">x</span>",
            "<span style='display:flex;flex-direction:row-reverse'><b>a</b><b>b</b></span>",
            "<b style=order:2>a</b>",
            "<b style=\"float:right\">a</b>",
            "<div style=\"writing-mode:vertical-rl\">x</div>",
            "<style>.r{unicode-bidi:isolate-override}</style>",
            "<table dir=rtl><tr><td>a</td><td>b</td></tr></table>",
            "<div style=\"display:flex;direction:rtl\"><b>a</b></div>",
        ] {
            assert!(generated(t).is_some_and(|w| w.contains("order")), "{t}");
        }
    }

    #[test]
    fn leaves_right_to_left_text_and_layout_in_order() {
        for t in [
            "<p dir=rtl>\u{5E9}\u{5DC}\u{5D5}\u{5DD}</p>",
            "<bdi>name</bdi> <span dir=auto>x</span>",
            "<div style=\"display:flex;flex-direction:column\"><p>a</p></div>",
            "<span style=\"float:left\">a</span><table><tr><td>a</td></tr></table>",
            "<p>flex-direction: row-reverse; order: 2</p>",
        ] {
            assert_eq!(generated(t), None, "{t}");
        }
    }

    #[test]
    fn leaves_styles_that_add_no_text_and_prose() {
        for t in [
            "<style>p{color:red}</style><p>A public report</p>",
            "The content: a public report",
            "<p>content: none</p><div class=content>x</div>",
            "<style>p{color:red}</style>content:x<style>a{}</style>",
            "<span data-style=\"content:x\" style=\"color:red\">x</span>",
            "<span style=\"place-content:center\">x</span>",
            "<link rel=icon href=a.png>",
            "a < b style=content:x",
        ] {
            assert_eq!(generated(t), None, "{t}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Finding each `<` by `memchr` answers as asking every pair of bytes did: on any text,
        /// on text of angle brackets and the bytes that may follow one, and on disguised tags.
        #[test]
        fn may_hold_by_memchr_is_may_hold_by_pairs(
            s in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "[<>a-zA-Z/!?0-9 \\-\\[é<]{0,40}",
                ("[a-z <]{0,12}", "[<]{0,2}(b|/i|!--|\\?x|sCrIpt|0|<|é| )", "[a-z >]{0,12}")
                    .prop_map(|(a, t, z)| format!("{a}{t}{z}")),
            ]
        ) {
            proptest::prop_assert_eq!(super::may_hold(&s), super::may_hold_by_pairs(&s), "{:?}", s);
        }
    }
}
