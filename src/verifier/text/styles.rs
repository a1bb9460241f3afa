//! Styles in markup that put text on the screen no rule reads, read by the verifier's own code
//! (not the guard's): CSS generated content (`content`, `quotes`; a list marker, overflow mark,
//! hyphen or emphasis of a string; `@counter-style`) and what a style fetches (`@import`,
//! `url(…)`, `image-set(…)`, `image(…)`, `element(…)`, a linked style sheet), in a `<style>`
//! element or a `style` attribute, comments gone and CSS escapes decoded (CSS Syntax 3 §4.3).

/// Properties every value of which may be shown as text.
const ALWAYS_SHOWN: [&str; 2] = ["content", "quotes"];

/// Properties that show a string or what a function gives (`symbols()`, `attr()`, `calc()`).
const SHOWN_AS_STRING: [&str; 10] = [
    "list-style",
    "list-style-type",
    "text-overflow",
    "hyphenate-character",
    "text-emphasis",
    "text-emphasis-style",
    "string-set",
    "counter-reset",
    "counter-set",
    "counter-increment",
];

/// Functions that fetch or paint what they show.
const FETCHING: [&str; 7] = [
    "url",
    "src",
    "image",
    "image-set",
    "-webkit-image-set",
    "element",
    "-moz-element",
];

/// Why the markup of `s` shows text through a style, or fetches what it shows; `None` when it
/// does not. Tags and comments are found as a browser finds them; a tag, comment or
/// declaration that never ends ends the search (the rest is text).
pub fn styles_shown(s: &str) -> Option<String> {
    if !super::embedded::has_markup(s) {
        return None;
    }
    // ASCII case folded: the same byte offsets as `s`.
    let t = s.to_ascii_lowercase();
    let says = |what: String, fetches: bool, place: &str| {
        let effect = if fetches {
            "fetches what a screen shows, which no rule reads"
        } else {
            "shows text of its own, which no rule reads"
        };
        format!("a style in {place} {effect}: {what}")
    };
    // A right-to-left direction, and boxes laid side by side: boxes shown from the right.
    let (mut right_to_left, mut side_by_side) = (false, false);
    // Text before the tag looked at: a box floated to the left is shown before it.
    let mut after_text = false;
    // The tables open: what a table shows elsewhere than written.
    let mut tables = super::tables::Layout::default();
    // Pixels that margins below zero draw boxes up by, added over all the text (nested boxes'
    // pulls add up), and whether a box is zoomed.
    let (mut pulled_up, mut zoomed) = (0u32, false);
    let mut from = 0;
    while let Some(k) = t.get(from..).and_then(|r| r.find('<')) {
        let open = from + k;
        let between = t.get(from..open).unwrap_or_default();
        after_text |= !between.trim_ascii().is_empty();
        if let Some(why) = tables.text(between) {
            return Some(why);
        }
        let rest = t.get(open + 1..).unwrap_or_default();
        let letter_at = |r: &str| r.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if let Some(body) = rest.strip_prefix("!--") {
            let end = if body.starts_with('>') {
                Some(1)
            } else if body.starts_with("->") {
                Some(2)
            } else {
                // The first `--` followed by `>` or `!>` (each byte looked at once).
                body.match_indices("--").find_map(|(j, _)| {
                    let after = body.get(j + 2..).unwrap_or_default();
                    if after.starts_with('>') {
                        Some(j + 3)
                    } else if after.starts_with("!>") {
                        Some(j + 4)
                    } else {
                        None
                    }
                })
            };
            let Some(end) = end else { break };
            from = open + 4 + end;
            continue;
        }
        if rest.starts_with("?xml-stylesheet") {
            return Some("a processing instruction `<?xml-stylesheet?>` links a style sheet in, which fetches what a screen shows and no rule reads".to_string());
        }
        let closing = rest.starts_with('/');
        let name_from = usize::from(closing);
        if !letter_at(rest.get(name_from..).unwrap_or_default()) {
            if rest.starts_with(['!', '?', '/']) {
                // A bogus comment, to the first `>`.
                let Some(gt) = rest.find('>') else { break };
                from = open + 1 + gt + 1;
            } else {
                after_text = true; // the `<` is text
                if let Some(why) = tables.text("<") {
                    return Some(why);
                }
                from = open + 1;
            }
            continue;
        }
        let Some((name, attributes, end)) = start_tag(s, open + 1 + name_from) else {
            break;
        };
        from = end;
        if closing {
            tables.end(&name.to_ascii_lowercase());
            continue;
        }
        if let Some(why) = tables.start(&name.to_ascii_lowercase()) {
            return Some(why);
        }
        if name.eq_ignore_ascii_case("bdo") {
            return Some(
                "`<bdo>` overrides the order of its letters: a screen shows them in an order no rule reads".to_string(),
            );
        }
        // A table or a replaced element with `align=right` floats to the right: what follows
        // it is shown before it; with `align=left` after text, it is shown before that text.
        if ["table", "img", "iframe", "object", "embed", "applet", "input"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            for (k, v) in &attributes {
                let v = v.trim();
                if !k.eq_ignore_ascii_case("align") {
                    continue;
                }
                if v.eq_ignore_ascii_case("right") {
                    return Some(format!(
                        "`<{}>` with `align=right` is floated to the right: a screen shows it after what follows it, in an order no rule reads",
                        name.to_ascii_lowercase()
                    ));
                }
                if v.eq_ignore_ascii_case("left") && after_text {
                    return Some(format!(
                        "`<{}>` with `align=left` after text is floated to the left: a screen shows it before that text, in an order no rule reads",
                        name.to_ascii_lowercase()
                    ));
                }
            }
        }
        for (key, value) in &attributes {
            let value = value.trim().to_ascii_lowercase();
            if key.eq_ignore_ascii_case("dir") && (value == "rtl" || value == "auto") {
                right_to_left = true;
            }
        }
        if ["table", "tr", "td", "th"].iter().any(|n| name.eq_ignore_ascii_case(n)) {
            side_by_side = true;
        }
        for (key, value) in &attributes {
            if key.eq_ignore_ascii_case("style") {
                let order = css_order(value);
                if let Some(why) = order.why {
                    return Some(format!("a style in a `style` attribute {why}"));
                }
                if order.floats_left && after_text {
                    return Some("a style in a `style` attribute floats a box to the left after text: a screen shows it before that text, in an order no rule reads".to_string());
                }
                if order.pulls_left && after_text {
                    return Some("a style in a `style` attribute gives a box after text a left margin below zero: a screen draws it back over that text, in an order no rule reads".to_string());
                }
                if let Some(what) = order.short.as_deref()
                    && !NO_TEXT_OF_THEIR_OWN.iter().any(|n| name.eq_ignore_ascii_case(n))
                {
                    return Some(format!(
                        "a style in a `style` attribute makes a box shorter than a line ({what}): a screen draws the next block over its text, which no rule reads"
                    ));
                }
                pulled_up = pulled_up.saturating_add(order.pulls_up);
                zoomed |= order.zooms;
                right_to_left |= order.rtl;
                side_by_side |= order.boxes;
            }
        }
        for (key, value) in &attributes {
            if key.eq_ignore_ascii_case("style")
                && let Some((what, fetches)) = css_shows(value)
            {
                return Some(says(what, fetches, "a `style` attribute"));
            }
        }
        if attributes.iter().any(|(k, _)| k.eq_ignore_ascii_case("srcdoc")) {
            return Some(
                "a `srcdoc` attribute holds a frame's document, which a screen shows as markup and no rule reads"
                    .to_string(),
            );
        }
        if name.eq_ignore_ascii_case("link")
            && attributes
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("rel") && v.to_ascii_lowercase().contains("stylesheet"))
        {
            return Some(
                "`<link rel=stylesheet>` links a style sheet in, which fetches what a screen shows and no rule reads"
                    .to_string(),
            );
        }
        if name.eq_ignore_ascii_case("style") {
            let body_end = t
                .get(end..)
                .and_then(|r| r.find("</style"))
                .map_or(t.len(), |k| end + k);
            let sheet = s.get(end..body_end).unwrap_or_default();
            if let Some((what, fetches)) = css_shows(sheet) {
                return Some(says(what, fetches, "a `<style>` element"));
            }
            // Which elements a sheet hides is not read: the text without them is not made.
            if let Some(what) = css_hides(sheet) {
                return Some(format!(
                    "a style in a `<style>` element hides text from a screen, which text not read here: {what}"
                ));
            }
            let order = css_order(sheet);
            if let Some(why) = order.why {
                return Some(format!("a style in a `<style>` element {why}"));
            }
            if order.floats_left {
                return Some("a style in a `<style>` element floats boxes to the left, before the text before them: a screen shows them in an order no rule reads".to_string());
            }
            if order.pulls_left {
                return Some("a style in a `<style>` element gives boxes a left margin below zero, which draws them back over the text before them: a screen shows them in an order no rule reads".to_string());
            }
            if let Some(what) = order.short.as_deref() {
                return Some(format!(
                    "a style in a `<style>` element makes boxes shorter than a line ({what}): a screen draws the next block over their text, which no rule reads"
                ));
            }
            if order.pulls_up > 0 {
                // A rule applies to any number of boxes, nested in each other: the pulls add up.
                return Some("a style in a `<style>` element gives boxes a top or bottom margin below zero, which draws them up over the lines before them: a screen shows text on another line's place, which no rule reads".to_string());
            }
            zoomed |= order.zooms;
            right_to_left |= order.rtl;
            side_by_side |= order.boxes;
            from = body_end;
        }
    }
    if let Some(why) = tables.text(t.get(from..).unwrap_or_default()) {
        return Some(why);
    }
    // Half a line (8px) in all the text: a line may be drawn on the place of the one before.
    if pulled_up >= 8 || (pulled_up > 0 && zoomed) {
        return Some("styles in `style` attributes give boxes top or bottom margins below zero, which draw them up over the lines before them: a screen shows text on another line's place, which no rule reads".to_string());
    }
    (right_to_left && side_by_side).then(|| {
        "a right-to-left direction lays boxes side by side (table cells, flex, grid, inline blocks) from the right: a screen shows them in an order no rule reads".to_string()
    })
}

/// Elements with no text of their own (`<hr>`, `<img>`): a height under a line draws no text
/// over another.
const NO_TEXT_OF_THEIR_OWN: [&str; 14] = [
    "hr", "img", "br", "wbr", "input", "area", "col", "embed", "source", "track", "meta", "link", "base", "param",
];

/// What a style does to the order a screen shows text in.
#[derive(Default)]
struct Order {
    /// Why it shows text out of the text's order (a `unicode-bidi` override, a reversed flex
    /// direction, `order`, grid placement, a float to the right, a vertical writing mode,
    /// `position`, `transform`, a right margin, `text-indent` or spacing below zero).
    why: Option<String>,
    /// A right-to-left direction.
    rtl: bool,
    /// Boxes laid side by side.
    boxes: bool,
    /// A float to the line's start: the box is shown before the text before it.
    floats_left: bool,
    /// A left (inline-start) margin below zero: the box is drawn back over the text before it.
    pulls_left: bool,
    /// How many CSS pixels (rounded up, added) top and bottom margins below zero draw boxes up
    /// over the lines before them; `u32::MAX` when one is of a unit relative to what is not read
    /// here (`em`, `%`), computed, a variable or inherited.
    pulls_up: u32,
    /// A `zoom` over 1, or not read: the pixels of `pulls_up` are larger.
    zooms: bool,
    /// A height or line height under a line (`height: 0`, `line-height: 0`), or size
    /// containment: the next block is drawn over the box's text.
    short: Option<String>,
}

/// How many CSS pixels a part of a margin's value draws a box up by: none when it is not below
/// zero ([`may_be_negative`]), its pixels rounded up when its unit is absolute (`px`, `pt`,
/// `cm`…, or none), `u32::MAX` otherwise.
fn upward(part: &str) -> u32 {
    if !may_be_negative(part).contains(&true) {
        return 0;
    }
    let number_len = part
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(part.len());
    let absolute = ["", "px", "pt", "pc", "in", "cm", "mm", "q"].contains(&part.get(number_len..).unwrap_or("%"));
    match in_pixels(part) {
        // Under 2^32: the cast keeps the value.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some((_, Some(px))) if absolute && px.is_finite() && -px < 4_294_967_295.0 => (-px).ceil() as u32,
        _ => u32::MAX,
    }
}

/// Whether a line height leaves a line under half a letter: below zero or computed
/// ([`may_be_negative`]), or under 8 CSS pixels for a 16px font (a bare number or a `%` times
/// the font, a length in pixels), or under 1 of a unit not read here.
fn line_too_low(value: &str) -> bool {
    let Some(first) = parts_of(value).first().copied() else {
        return false;
    };
    if may_be_negative(first).contains(&true) {
        return true;
    }
    let number_len = first
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(first.len());
    match (in_pixels(first), first.get(number_len..)) {
        (None, _) => false,
        (Some((n, _)), Some("")) => n * 16.0 < 8.0,
        (Some((n, _)), Some("%")) => n * 16.0 / 100.0 < 8.0,
        (Some((_, Some(px))), _) => px < 8.0,
        (Some((n, None)), _) => n < 1.0,
    }
}

/// For each space- or comma-separated part of a declaration's value (parentheses kept
/// whole), whether it may be below zero: a `-` then a number with a digit from 1 to 9
/// (`-7em`, `-.5em`; `-0` is no less than zero), or a function or `inherit`, whose sign is not
/// read here (`calc(0px - 7em)`, `var(--x)`).
fn may_be_negative(value: &str) -> Vec<bool> {
    let mut parts = Vec::new();
    let mut nesting = 0u32;
    // The part being read: its text so far (to tell `inherit`), whether it is a `-` and digits
    // or dots so far, and whether it is below zero.
    let mut part = String::new();
    let mut signed_number = false;
    let mut below = false;
    for c in value.chars() {
        if nesting == 0 && (c.is_ascii_whitespace() || c == ',') {
            if !part.is_empty() {
                parts.push(below || part == "inherit");
            }
            part.clear();
            (signed_number, below) = (false, false);
            continue;
        }
        match c {
            '(' => {
                nesting = nesting.saturating_add(1);
                below = true;
            }
            ')' => nesting = nesting.saturating_sub(1),
            '-' if part.is_empty() => signed_number = true,
            '1'..='9' if signed_number => below = true,
            '0' | '.' => {}
            _ => signed_number = false,
        }
        part.push(c);
    }
    if !part.is_empty() {
        parts.push(below || part == "inherit");
    }
    parts
}

/// Whether a width's value may leave a box narrower than a letter: any part below zero or
/// computed ([`may_be_negative`]), or a length under 16 CSS pixels (one `em`; [`in_pixels`]), or
/// under 1 of a unit relative to something not read here (`%`, `cqw`).
fn thinner_than_a_letter(value: &str) -> bool {
    if may_be_negative(value).contains(&true) {
        return true;
    }
    value
        .split([' ', ','])
        .filter(|p| !p.is_empty())
        .any(|part| match in_pixels(part) {
            None => false,
            Some((_, Some(px))) => px < 16.0,
            Some((n, None)) => n < 1.0,
        })
}

/// What `css` does to the order a screen shows text in ([`Order`]).
fn css_order(css: &str) -> Order {
    let t = tokens(css);
    let mut order = Order::default();
    for (name, value) in declarations(&t) {
        // What stands before `!` (`!important`, `! important`).
        let value = value.split('!').next().unwrap_or("").trim();
        let unset = ["none", "initial", "unset", "normal", "static", "auto", "0"].contains(&value);
        let name = name.strip_prefix("-webkit-").unwrap_or(name);
        let out_of_order = match name {
            "unicode-bidi" => value.contains("override"),
            "flex-direction" | "flex-flow" | "flex-wrap" | "box-direction" => value.contains("reverse"),
            "order"
            | "box-ordinal-group"
            | "grid-area"
            | "grid-row"
            | "grid-row-start"
            | "grid-row-end"
            | "grid-column"
            | "grid-column-start"
            | "grid-column-end"
            | "grid-template-areas"
            | "transform"
            | "rotate"
            | "scale"
            | "translate"
            | "position" => !unset,
            "float" if ["left", "inline-start"].contains(&value) => {
                order.floats_left = true;
                false
            }
            "float" => !unset,
            // `-webkit-margin-start` is read as `margin-start`.
            "margin-left" | "margin-inline-start" | "margin-start" | "-moz-margin-start" => {
                order.pulls_left |= may_be_negative(value).contains(&true);
                false
            }
            "margin-right" | "margin-inline-end" | "margin-end" | "-moz-margin-end" => {
                may_be_negative(value).contains(&true)
            }
            "margin" | "margin-inline" => {
                let parts = may_be_negative(value);
                let any = parts.contains(&true);
                // Left and right: `margin` is top, right, bottom, left (right for left when
                // fewer); `margin-inline` is start, end (start for end when one).
                let (left, right) = match (name, parts.as_slice()) {
                    (_, [one]) => (*one, *one),
                    ("margin-inline", [start, end]) => (*start, *end),
                    ("margin", [_, side] | [_, side, _]) => (*side, *side),
                    ("margin", [_, right, _, left]) => (*left, *right),
                    _ => (any, any),
                };
                order.pulls_left |= left;
                if name == "margin" {
                    let up: Vec<u32> = parts_of(value).into_iter().map(upward).collect();
                    let pulled = match up.as_slice() {
                        [top] | [top, _] => top.saturating_mul(2),
                        [top, _, bottom] | [top, _, bottom, _] => top.saturating_add(*bottom),
                        _ => up.iter().fold(0u32, |a, b| a.saturating_add(*b)),
                    };
                    order.pulls_up = order.pulls_up.saturating_add(pulled);
                }
                right
            }
            // Top and bottom: `margin` is top, right, bottom, left (top for bottom when fewer
            // than three); `margin-block` is start, end (start for end when one).
            "margin-top" | "margin-bottom" | "margin-block-start" | "margin-block-end" | "margin-before"
            | "margin-after" | "-moz-margin-before" | "-moz-margin-after" | "margin-block" => {
                let up: Vec<u32> = parts_of(value).into_iter().map(upward).collect();
                let pulled = match (name, up.as_slice()) {
                    ("margin-block", [both]) => both.saturating_mul(2),
                    ("margin-block", [start, end]) => start.saturating_add(*end),
                    _ => up.iter().fold(0u32, |a, b| a.saturating_add(*b)),
                };
                order.pulls_up = order.pulls_up.saturating_add(pulled);
                false
            }
            "height" | "max-height" | "block-size" | "max-block-size" | "logical-height" | "max-logical-height"
                if thinner_than_a_letter(value) =>
            {
                order.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                false
            }
            "line-height" if line_too_low(value) => {
                order.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                false
            }
            "font"
                if value
                    .split_once('/')
                    .is_some_and(|(_, after)| line_too_low(after.trim())) =>
            {
                order.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                false
            }
            "contain" if ["size", "strict"].iter().any(|c| value.contains(c)) => {
                order.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                false
            }
            "zoom" => {
                order.zooms |= value.contains('(') || (!unset && !unit_fraction(value, 1.0).is_some_and(|n| n <= 1.0));
                false
            }
            // Grid tracks under a line: items drawn over each other.
            "grid-template-rows"
            | "grid-template-columns"
            | "grid-auto-rows"
            | "grid-auto-columns"
            | "grid-template"
            | "grid"
            | "-ms-grid-rows"
            | "-ms-grid-columns" => parts_of(value).into_iter().any(thinner_than_a_letter),
            // Later columns' lines beside earlier ones'; lines cut off after a count; a box
            // moved along a path.
            "columns" | "column-count" | "column-width" | "-moz-columns" | "-moz-column-count"
            | "-moz-column-width" | "line-clamp" | "max-lines" | "offset" | "offset-path" | "motion-path"
            | "offset-distance" => !unset,
            // `text-indent` is inherited (a box after text takes it from one with none before
            // it); spacing below zero draws letters and words back over the ones before them.
            "text-indent" | "letter-spacing" | "word-spacing" => may_be_negative(value).contains(&true),
            // Any vertical mode: lines from the right, or from the left where a margin above
            // or below a box (`margin-top:-7em`) draws it back along its line.
            "writing-mode" | "-ms-writing-mode" => {
                value.contains("rl")
                    || value.starts_with("tb")
                    || ["vertical", "sideways"].iter().any(|m| value.contains(m))
            }
            "direction" => {
                order.rtl |= value.contains("rtl");
                false
            }
            // Parts a table shows above or below its rows wherever they stand (CSS 2 §17).
            "display"
                if ["table-header-group", "table-footer-group", "table-caption"]
                    .iter()
                    .any(|part| value.contains(part)) =>
            {
                true
            }
            "caption-side" => !matches!(value, "top" | "block-start" | "initial"),
            "display" => {
                order.boxes |= ["flex", "grid", "inline-block", "table", "box"]
                    .iter()
                    .any(|d| value.contains(d));
                false
            }
            _ => false,
        };
        if out_of_order {
            order.why = Some(format!(
                "shows text out of its order (`{name}: {value}`), which no rule reads"
            ));
            return order;
        }
        let capitals = match name {
            "text-transform" => ["uppercase", "capitalize"].iter().any(|t| value.contains(t)),
            "font" | "font-variant" | "font-variant-caps" => value.contains("caps") || value.contains("unicase"),
            // Features are named in strings, which are not read (`"smcp"`: small capitals).
            "font-feature-settings" | "-moz-font-feature-settings" => !unset,
            _ => false,
        };
        if capitals {
            order.why = Some(format!(
                "shows small letters as capitals (`{name}: {value}`), which no rule reads"
            ));
            return order;
        }
        if matches!(name, "width" | "max-width" | "inline-size" | "max-inline-size") && thinner_than_a_letter(value) {
            order.why = Some(format!(
                "makes a box narrower than a letter (`{name}: {value}`): its text is drawn over what follows, which no rule reads"
            ));
            return order;
        }
    }
    order
}

/// Each declaration of `t` (a style as [`tokens`] reads it): its name and its value, the text of
/// each piece between `{`, `;` and `}` that starts with a name and `:`.
fn declarations(t: &str) -> impl Iterator<Item = (&str, &str)> {
    let ident_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii();
    t.split(['{', ';', '}']).filter_map(move |piece| {
        let piece = piece.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let name_len = piece.find(|c: char| !ident_char(c)).unwrap_or(piece.len());
        let (name, after) = piece.split_at(name_len);
        let value = after
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .strip_prefix(':')?;
        Some((name, value))
    })
}

/// Why a style (a declaration list or a sheet) hides the text of the elements it applies to
/// from a screen; `None` when it does not. Each block between braces is read by itself: `display:
/// none`, `visibility: hidden` or `collapse`, `content-visibility: hidden`; ink (`color`,
/// `-webkit-text-fill-color`) that is transparent, of alpha under one half, of a value not read
/// here (`color-mix()`, `var()`), or within 32 on every channel of the block's background (or
/// of a white page when the block sets none); `clip-path`, `mask`, `filter` other than `none`;
/// `clip: rect()`; `opacity`, `zoom`, `scale` or a `scale()` under one half; a `font-size` (or
/// `font` size) under 2px for a 16px font and a 400px viewport, or a function; `overflow`
/// `hidden` or `clip` in a box whose `width` or `height` (or `max-`, logical) is that small.
pub fn css_hides(css: &str) -> Option<String> {
    let t = tokens(css);
    for block in t.split(['{', '}']) {
        let mut color: Option<(&str, Colour)> = None;
        let mut fill: Option<(&str, Colour)> = None;
        let mut backdrop: Option<(&str, Colour)> = None;
        // What overflows cut off, and what sets a box too small for any text.
        let mut cut_off: Option<&str> = None;
        let mut too_small: Option<&str> = None;
        for (name, value) in declarations(block) {
            let value = value.split('!').next().unwrap_or("").trim();
            let is_none = ["none", "initial", "unset", "revert", "revert-layer"].contains(&value);
            let gone = match name {
                "display" | "-webkit-display" => value == "none",
                "visibility" => value == "hidden" || value == "collapse",
                "content-visibility" => value == "hidden",
                "color" => {
                    color = Some((value, colour_of(value)));
                    false
                }
                "-webkit-text-fill-color" => {
                    fill = Some((value, colour_of(value)));
                    false
                }
                "background-color" => {
                    backdrop = Some((value, colour_of(value)));
                    false
                }
                "background" => {
                    if let Some(b) = background_colour(value) {
                        backdrop = Some(b);
                    }
                    false
                }
                "clip-path" | "mask" | "mask-image" | "filter" => !is_none,
                "-webkit-clip-path" | "-webkit-mask" | "-webkit-mask-image" | "-webkit-filter" => !is_none,
                "clip" => value.contains('('),
                "opacity" | "zoom" => under_half(value),
                "scale" => {
                    !is_none
                        && value
                            .split_ascii_whitespace()
                            .any(|v| under_half(v.trim_start_matches('-')))
                }
                "transform" | "-webkit-transform" => transform_shrinks(value),
                "font-size" => unreadable_size(value),
                "font" => parts_of(value)
                    .iter()
                    .any(|p| unreadable_size(p.split('/').next().unwrap_or(""))),
                "overflow" | "overflow-x" | "overflow-y" | "overflow-inline" | "overflow-block" => {
                    if value.split_ascii_whitespace().any(|v| v == "hidden" || v == "clip") {
                        cut_off = Some(name);
                    }
                    false
                }
                "width" | "height" | "max-width" | "max-height" | "inline-size" | "block-size" | "max-inline-size"
                | "max-block-size" => {
                    if unreadable_size(value) {
                        too_small = Some(name);
                    }
                    false
                }
                _ => false,
            };
            if gone {
                return Some(format!("`{name}: {value}`"));
            }
        }
        if let (Some(cut), Some(small)) = (cut_off, too_small) {
            return Some(format!(
                "`{cut}` cuts off text in a box too small to show it (`{small}`)"
            ));
        }
        for (written, ink) in [color, fill].into_iter().flatten() {
            let unseen = match (ink, backdrop) {
                (Colour::Clear | Colour::Unknown, _) => true,
                (Colour::Word, Some((ground, _))) => written == ground,
                (Colour::Word, None) => false,
                (Colour::Rgb(rgb), Some((_, Colour::Rgb(ground)))) => near(rgb, ground),
                (Colour::Rgb(_), Some((_, Colour::Word))) => false,
                // No background, a clear one, or one not read: the white page.
                (Colour::Rgb(rgb), _) => near(rgb, [255.0, 255.0, 255.0]),
            };
            if unseen {
                return Some(format!("ink a screen does not show (`{written}`)"));
            }
        }
    }
    None
}

/// A colour as read here.
#[derive(Clone, Copy)]
enum Colour {
    /// Red, green, blue (0 to 255), of alpha one half or more.
    Rgb([f64; 3]),
    /// `transparent`, or alpha under one half.
    Clear,
    /// A function whose colour is not read here (`color-mix()`, `var()`, `lab()`, `rgb(from …)`).
    Unknown,
    /// A word not read further (`red`, `currentcolor`, `inherit`).
    Word,
}

/// `v` as a number, or a percentage of `whole`, scaled to 0..1 of `whole`; `none` is zero.
fn unit_fraction(v: &str, whole: f64) -> Option<f64> {
    let n = if v == "none" {
        0.0
    } else if let Some(p) = v.strip_suffix('%') {
        p.parse::<f64>().ok()? / 100.0
    } else {
        v.parse::<f64>().ok()? / whole
    };
    n.is_finite().then_some(n)
}

/// The colour a value names (lowercase).
fn colour_of(v: &str) -> Colour {
    // Black, and the named colours of every channel 224 or more; `canvas` and `field` are white
    // by default.
    const WORDS: [(&str, [u8; 3]); 20] = [
        ("black", [0, 0, 0]),
        ("white", [255, 255, 255]),
        ("canvas", [255, 255, 255]),
        ("field", [255, 255, 255]),
        ("snow", [255, 250, 250]),
        ("ivory", [255, 255, 240]),
        ("ghostwhite", [248, 248, 255]),
        ("whitesmoke", [245, 245, 245]),
        ("floralwhite", [255, 250, 240]),
        ("mintcream", [245, 255, 250]),
        ("azure", [240, 255, 255]),
        ("aliceblue", [240, 248, 255]),
        ("honeydew", [240, 255, 240]),
        ("lavenderblush", [255, 240, 245]),
        ("seashell", [255, 245, 238]),
        ("oldlace", [253, 245, 230]),
        ("linen", [250, 240, 230]),
        ("lightyellow", [255, 255, 224]),
        ("lightcyan", [224, 255, 255]),
        ("lavender", [230, 230, 250]),
    ];
    let v = v.trim();
    if v == "transparent" {
        return Colour::Clear;
    }
    if let Some((_, rgb)) = WORDS.iter().find(|(w, _)| *w == v) {
        return Colour::Rgb(rgb.map(f64::from));
    }
    if let Some(digits) = v.strip_prefix('#') {
        let nibbles: Option<Vec<f64>> = digits.chars().map(|c| c.to_digit(16).map(f64::from)).collect();
        let Some(n) = nibbles else { return Colour::Word };
        let get = |k: usize| n.get(k).copied().unwrap_or(0.0);
        let (r, g, b, a) = match n.len() {
            3 => (get(0) * 17.0, get(1) * 17.0, get(2) * 17.0, 255.0),
            4 => (get(0) * 17.0, get(1) * 17.0, get(2) * 17.0, get(3) * 17.0),
            6 => (
                get(0) * 16.0 + get(1),
                get(2) * 16.0 + get(3),
                get(4) * 16.0 + get(5),
                255.0,
            ),
            8 => (
                get(0) * 16.0 + get(1),
                get(2) * 16.0 + get(3),
                get(4) * 16.0 + get(5),
                get(6) * 16.0 + get(7),
            ),
            _ => return Colour::Word,
        };
        return if a * 2.0 < 255.0 {
            Colour::Clear
        } else {
            Colour::Rgb([r, g, b])
        };
    }
    let Some((function, inner)) = v.split_once('(') else {
        return Colour::Word;
    };
    let inner = inner.trim_end_matches(')');
    if inner.contains('(') || inner.contains(')') || inner.split_ascii_whitespace().any(|w| w == "from") {
        return Colour::Unknown;
    }
    let args: Vec<&str> = inner
        .split(|c: char| c == ',' || c == '/' || c.is_ascii_whitespace())
        .filter(|a| !a.is_empty())
        .collect();
    let alpha = match args.get(3) {
        Some(a) => unit_fraction(a, 1.0),
        None => Some(1.0),
    };
    if alpha.is_some_and(|a| a < 0.5) {
        return Colour::Clear;
    }
    let rgb = match (function, args.as_slice()) {
        ("rgb" | "rgba", [r, g, b, ..]) => {
            match (
                unit_fraction(r, 255.0),
                unit_fraction(g, 255.0),
                unit_fraction(b, 255.0),
            ) {
                (Some(r), Some(g), Some(b)) => Some([r * 255.0, g * 255.0, b * 255.0]),
                _ => None,
            }
        }
        ("hsl" | "hsla" | "hwb", [h, x, y, ..]) => match (degrees(h), unit_fraction(x, 100.0), unit_fraction(y, 100.0))
        {
            (Some(h), Some(x), Some(y)) => Some(if function == "hwb" {
                from_hwb(h, x, y)
            } else {
                from_hsl(h, x, y)
            }),
            _ => None,
        },
        _ => None,
    };
    match (rgb, alpha) {
        (Some(rgb), Some(_)) => Colour::Rgb(rgb),
        _ => Colour::Unknown,
    }
}

/// A hue (`120`, `120deg`, `100grad`, `2rad`, `.5turn`, `none`) in degrees.
fn degrees(h: &str) -> Option<f64> {
    if h == "none" {
        return Some(0.0);
    }
    let (n, scale) = if let Some(n) = h.strip_suffix("deg") {
        (n, 1.0)
    } else if let Some(n) = h.strip_suffix("grad") {
        (n, 0.9)
    } else if let Some(n) = h.strip_suffix("rad") {
        (n, 180.0 / std::f64::consts::PI)
    } else if let Some(n) = h.strip_suffix("turn") {
        (n, 360.0)
    } else {
        (h, 1.0)
    };
    let d = n.parse::<f64>().ok()? * scale;
    d.is_finite().then_some(d)
}

/// Red, green and blue of a hue, saturation and lightness (CSS Color 4: `hslToRgb`).
fn from_hsl(hue: f64, sat: f64, light: f64) -> [f64; 3] {
    let sat = sat.clamp(0.0, 1.0);
    let light = light.clamp(0.0, 1.0);
    let chroma_half = sat * if light < 0.5 { light } else { 1.0 - light };
    let channel = |n: f64| {
        let k = (n + hue / 30.0).rem_euclid(12.0);
        let m = (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
        255.0 * (light - chroma_half * m)
    };
    [channel(0.0), channel(8.0), channel(4.0)]
}

/// Red, green and blue of a hue, whiteness and blackness (CSS Color 4: `hwbToRgb`).
fn from_hwb(hue: f64, white: f64, black: f64) -> [f64; 3] {
    let white = white.clamp(0.0, 1.0);
    let black = black.clamp(0.0, 1.0);
    if white + black >= 1.0 {
        let grey = 255.0 * white / (white + black);
        return [grey, grey, grey];
    }
    let pure = from_hsl(hue, 1.0, 0.5);
    pure.map(|c| c * (1.0 - white - black) + 255.0 * white)
}

/// Whether two colours differ by under 32 on every channel.
fn near(a: [f64; 3], b: [f64; 3]) -> bool {
    (0..3).all(|k| (a.get(k).copied().unwrap_or(0.0) - b.get(k).copied().unwrap_or(0.0)).abs() < 32.0)
}

/// The parts of a value, split at white space and commas outside parentheses.
fn parts_of(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0u32;
    let mut start = 0;
    for (k, c) in value.char_indices() {
        match c {
            '(' => depth = depth.saturating_add(1),
            ')' => depth = depth.saturating_sub(1),
            ',' | ' ' | '\t' | '\n' | '\r' | '\x0C' if depth == 0 => {
                if let Some(p) = value.get(start..k).filter(|p| !p.is_empty()) {
                    parts.push(p);
                }
                start = k + 1;
            }
            _ => {}
        }
    }
    if let Some(p) = value.get(start..).filter(|p| !p.is_empty()) {
        parts.push(p);
    }
    parts
}

/// The colour a `background` shorthand paints: a colour part, or a word that is none of the
/// shorthand's keywords (a named colour), or a function not read here (an image, `var()`),
/// the colour first; `None` when it names none.
fn background_colour(value: &str) -> Option<(&str, Colour)> {
    const KEYWORDS: [&str; 27] = [
        "none",
        "repeat",
        "repeat-x",
        "repeat-y",
        "no-repeat",
        "space",
        "round",
        "scroll",
        "fixed",
        "local",
        "center",
        "top",
        "bottom",
        "left",
        "right",
        "border-box",
        "padding-box",
        "content-box",
        "text",
        "cover",
        "contain",
        "auto",
        "initial",
        "unset",
        "revert",
        "revert-layer",
        "inherit",
    ];
    let mut found: Option<(&str, Colour)> = None;
    for part in parts_of(value) {
        let c = colour_of(part);
        let take = match c {
            Colour::Word => part.chars().all(|x| x.is_ascii_alphabetic() || x == '-') && !KEYWORDS.contains(&part),
            Colour::Unknown => found.is_none(),
            Colour::Rgb(_) | Colour::Clear => true,
        };
        if take {
            found = Some((part, c));
        }
    }
    found
}

/// Whether a value is a number or percentage under one half (of one), or a function.
fn under_half(v: &str) -> bool {
    v.contains('(') || unit_fraction(v, 1.0).is_some_and(|n| n < 0.5)
}

/// Whether a `transform` scales by under one half (`scale(0)`, `scaleY(.01)`) or by a matrix.
fn transform_shrinks(value: &str) -> bool {
    parts_of(value).iter().any(|f| {
        let (function, args) = f.split_once('(').unwrap_or((f, ""));
        function.starts_with("matrix")
            || function.starts_with("scale")
                && args
                    .trim_end_matches(')')
                    .split(|c: char| c == ',' || c.is_ascii_whitespace())
                    .filter(|a| !a.is_empty())
                    .any(|a| under_half(a.trim_start_matches('-')))
    })
}

/// Whether a font size is under 2px (a 16px font, a 400px viewport), a function, or of a unit
/// not known; a keyword or a negative size is no size.
fn unreadable_size(v: &str) -> bool {
    if v.contains('(') {
        return true;
    }
    let Some((n, px)) = in_pixels(v) else {
        return false;
    };
    if !n.is_finite() || n < 0.0 {
        return false;
    }
    match px {
        Some(px) => px < 2.0,
        // Of the 16px font.
        None if v.ends_with('%') => n * 16.0 / 100.0 < 2.0,
        None => true,
    }
}

/// A length's number and its size in CSS pixels (a 16px font, a 400px viewport) when its unit
/// is an absolute, font or viewport one; `None` when it is no number. A percentage is of what
/// the caller knows.
fn in_pixels(v: &str) -> Option<(f64, Option<f64>)> {
    let unit_at = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(unit_at);
    let n = number.parse::<f64>().ok()?;
    let px_per = match unit {
        "" | "px" => 1.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 9.6 / 2.54,
        "q" => 2.4 / 2.54,
        "em" | "rem" | "lh" | "rlh" | "cap" | "rcap" | "ic" | "ric" => 16.0,
        "ex" | "rex" | "ch" | "rch" => 8.0,
        u if ["w", "h", "i", "b", "min", "max"].iter().any(|e| u.ends_with(e)) => 4.0,
        _ => return Some((n, None)),
    };
    Some((n, Some(n * px_per)))
}

/// Whether a start tag's text (`<` to `>`) hides its element through a `style` attribute
/// ([`css_hides`]) or a `color` attribute of unseen ink (`<font color=white>`).
pub fn tag_hides(tag: &str) -> bool {
    let Some((_, attributes, _)) = start_tag(tag, 1) else {
        return false;
    };
    attributes.iter().any(|(k, v)| {
        (k.eq_ignore_ascii_case("style") && css_hides(v).is_some())
            || (k.eq_ignore_ascii_case("color") && css_hides(&format!("color:{v}")).is_some())
    })
}

/// A tag's name, its attributes (name, value) and where it ends.
pub(super) type Tag<'s> = (&'s str, Vec<(&'s str, &'s str)>, usize);

/// The start (or end) tag whose name starts at `at` of `s`: its name, its attributes (name and
/// value, quotes taken off), and where it ends (past its `>`); `None` when it never ends.
pub(super) fn start_tag(s: &str, at: usize) -> Option<Tag<'_>> {
    let rest = s.get(at..)?;
    let name_len = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    let name = rest.get(..name_len)?;
    let mut attributes = Vec::new();
    let mut k = name_len;
    loop {
        let tail = rest.get(k..)?;
        let skipped = tail.len()
            - tail
                .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/')
                .len();
        k += skipped;
        let tail = rest.get(k..)?;
        if tail.starts_with('>') {
            return Some((name, attributes, at + k + 1));
        }
        if tail.is_empty() {
            return None;
        }
        // The name: its first character whatever it is (`=` too), then to white space, `/`,
        // `>` or `=`.
        let first = tail.chars().next().map_or(1, char::len_utf8);
        let key_len = first
            + tail
                .get(first..)?
                .find(|c: char| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '='))
                .unwrap_or(tail.len() - first);
        let key = tail.get(..key_len)?;
        k += key_len;
        let after = rest.get(k..)?;
        let gap = after.len() - after.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
        let mut value = "";
        if after.get(gap..)?.starts_with('=') {
            k += gap + 1;
            let v = rest.get(k..)?;
            let lead = v.len() - v.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
            k += lead;
            let v = rest.get(k..)?;
            match v.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = v.get(1..)?.find(q)?;
                    value = v.get(1..1 + close)?;
                    k += close + 2;
                }
                _ => {
                    let len = v.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(v.len());
                    value = v.get(..len)?;
                    k += len;
                }
            }
        }
        attributes.push((key, value));
    }
}

/// What a style sheet or declaration list shows of its own or fetches, and whether it fetches.
fn css_shows(css: &str) -> Option<(String, bool)> {
    let t = tokens(css);
    let ident_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii();
    // At-rules.
    for (k, _) in t.match_indices('@') {
        let name: String = t.get(k + 1..)?.chars().take_while(|&c| ident_char(c)).collect();
        match name.as_str() {
            "import" => return Some(("`@import`".into(), true)),
            "counter-style" => return Some(("`@counter-style`, whose symbols a list shows".into(), false)),
            _ => {}
        }
    }
    // Functions: the name right before each `(`.
    for (k, _) in t.match_indices('(') {
        let before = t.get(..k)?;
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| ident_char(c))
            .last()
            .map_or(k, |(j, _)| j);
        let name = before.get(start..)?;
        if FETCHING.contains(&name) {
            return Some((format!("the function `{name}()`"), true));
        }
    }
    for (name, value) in declarations(&t) {
        if ALWAYS_SHOWN.contains(&name) {
            return Some((format!("the property `{name}`, generated content"), false));
        }
        if SHOWN_AS_STRING.contains(&name) && value.contains(['"', '(']) {
            return Some((
                format!("the property `{name}` with a string or function, generated content"),
                false,
            ));
        }
    }
    None
}

/// `css` as its tokens read: comments dropped, escapes decoded, ASCII lowercase, each string
/// kept as `""` only (no declaration or function inside one).
fn tokens(css: &str) -> String {
    #[derive(PartialEq)]
    enum In {
        Code,
        Str(char),
    }
    let mut out = String::with_capacity(css.len());
    let mut state = In::Code;
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match (&state, c) {
            (In::Code, '/') if chars.peek() == Some(&'*') => {
                chars.next();
                // To the `*/` (or the end).
                let mut star = false;
                for x in chars.by_ref() {
                    if star && x == '/' {
                        break;
                    }
                    star = x == '*';
                }
            }
            (_, '\\') => {
                let mut hex = String::new();
                while hex.len() < 6
                    && let Some(h) = chars.next_if(char::is_ascii_hexdigit)
                {
                    hex.push(h);
                }
                let decoded = if hex.is_empty() {
                    match chars.peek().copied() {
                        // A line break after `\`: a string goes on; outside one `\` is itself.
                        Some('\n' | '\r' | '\x0C') => {
                            if state != In::Code {
                                let x = chars.next();
                                if x == Some('\r') {
                                    chars.next_if_eq(&'\n');
                                }
                                None
                            } else {
                                Some('\\')
                            }
                        }
                        Some(_) => chars.next(),
                        None => None,
                    }
                } else {
                    // One white space after the digits belongs to the escape.
                    if chars.next_if_eq(&'\r').is_some() {
                        chars.next_if_eq(&'\n');
                    } else {
                        chars.next_if(|&x| matches!(x, ' ' | '\t' | '\n' | '\x0C'));
                    }
                    let v = u32::from_str_radix(&hex, 16).unwrap_or(0);
                    Some(char::from_u32(v).filter(|&x| x != '\0').unwrap_or('\u{FFFD}'))
                };
                if state == In::Code
                    && let Some(d) = decoded
                {
                    out.push(d.to_ascii_lowercase());
                }
            }
            (In::Code, '"' | '\'') => {
                state = In::Str(c);
                out.push('"');
            }
            (In::Str(q), x) if x == *q => {
                state = In::Code;
                out.push('"');
            }
            (In::Str(_), '\n' | '\r' | '\x0C') => {
                state = In::Code;
                out.push_str("\" ");
            }
            (In::Str(_), _) => {}
            (In::Code, x) => out.push(x.to_ascii_lowercase()),
        }
    }
    if state != In::Code {
        out.push('"');
    }
    out
}

#[cfg(test)]
mod ink_tests {
    use super::{css_hides, styles_shown, tag_hides};

    #[test]
    fn finds_ink_clips_and_sizes_a_screen_does_not_show() {
        for css in [
            "color:transparent",
            "color:\\74 ransparent",
            "COLOR:/**/Transparent ! important",
            "color:rgba(0,0,0,0)",
            "color:rgb(10 20 30 / 0%)",
            "color:hsla(0,0%,0%,.1)",
            "color:#0000",
            "color:#FFFFFF00",
            "color:color-mix(in srgb, red, transparent)",
            "color:var(--ink)",
            "color:white",
            "color:#fff",
            "color:#fefefe",
            "color:rgb(100% 100% 100%)",
            "color:hsl(0 0% 100%)",
            "color:hwb(0 100% 0%)",
            "color:white;background:whitesmoke",
            "color:navy;background:navy",
            "-webkit-text-fill-color:transparent",
            "clip-path:inset(50%)",
            "clip:rect(0,0,0,0)",
            "height:1px;width:1px;overflow:hidden",
            "max-block-size:0;overflow-y:clip",
            "scale:0",
            "scale:1 0",
            "transform:scale(0)",
            "zoom:.01",
            "zoom:1%",
            "font-size:1%",
            "font-size:0.01em",
            "font-size:.1vw",
            "font-size:1.5px",
            "font:0/0 a",
            "filter:opacity(0)",
            "opacity:1%",
            "content-visibility:hidden",
            "p{color:red}.k{color:#fff}",
        ] {
            assert!(css_hides(css).is_some(), "{css}");
        }
        assert!(tag_hides("<font color=\"#FFF\">"));
        assert!(tag_hides("<span title='a>b' STYLE=\"zoom:0\">"));
        assert!(styles_shown("<style>.k{clip-path:circle(0)}</style>a<b class=k>x</b>").is_some());
    }

    #[test]
    fn leaves_ink_and_sizes_a_screen_shows() {
        for css in [
            "color:red",
            "color:#333",
            "color:currentcolor",
            "color:rgba(0,0,0,.87)",
            "background:white;color:black",
            "color:#fff;background-color:#003366",
            "background:#036 url(x) no-repeat;color:white",
            "color:white;background:navy",
            "font-size:90%",
            "font-size:1.2em",
            "font-size:x-small",
            "font:italic bold 12px/30px Georgia, serif",
            "zoom:1",
            "clip-path:none",
            "clip:auto",
            "scale:1",
            "overflow:hidden;width:50%",
            "height:0;overflow:visible",
            "transform:rotate(10deg)",
            "filter:none",
            "opacity:1",
            "a{background:#000}b{color:#fff;background:#000}",
        ] {
            assert_eq!(css_hides(css), None, "{css}");
        }
        assert!(!tag_hides("<font color=red>"));
        assert_eq!(styles_shown("<style>p{color:red;font-size:90%}</style><p>x</p>"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::styles_shown;

    #[test]
    fn finds_styles_that_show_text_or_fetch_it() {
        for s in [
            "Operation <span class=a></span> today<style>.a::after{content:\"NIGHTJAR\"}</style>",
            "<span style=\"content:'x'\"></span>",
            "<style>p::before{con\\74 ent:\"\\54 LP:RED\"}</style>",
            "<style>p::before{c/**/ontent:x}</style>",
            "<STYLE>P::BEFORE{CONTENT:\"X\"}</STYLE>",
            "report<style>p::before{content:x}",
            "<q style='quotes:\"a\" \"b\"'>x</q>",
            "<li style='list-style-type:\"S \"'>x</li>",
            "<style>@counter-style s{symbols:\"S\"}</style>",
            "<style>@import \"a.css\";</style>",
            "<span style=\"background:u\\72l(x)\">x</span>",
            "<link href=a.css REL=\"Stylesheet\">",
            "<?xml-stylesheet href=\"a.css\"?>",
        ] {
            assert!(styles_shown(s).is_some(), "{s}");
        }
    }

    #[test]
    fn finds_markup_that_shows_text_out_of_its_order() {
        for s in [
            "<BDO DIR=RTL>DER:PLT</BDO>",
            "<span style=\"unicode-bidi:bidi-override;direction:rtl\">x</span>",
            "<span style=\"display:flex;flex-flow:row-reverse\"><b>a</b></span>",
            "<div style=\"display:grid\"><b style=\"grid-column:2\">a</b></div>",
            "<b style=\"-webkit-transform:scaleX(-1)\">a</b>",
            "<div dir=rtl><b style=\"display:inline-block\">a</b></div>",
            "JAR<b style=\"margin:0 0 0 -7em\">NIGHT</b>",
            "JAR<b style=\"margin-inline:\\2d 7em 0\">NIGHT</b>",
            "JAR<b style=\"-webkit-margin-start:calc(0px - 7em)\">NIGHT</b>",
            "<style>.p{margin-left:-.5em}</style>JAR<b class=p>NIGHT</b>",
            "<b style=\"margin:0 -7em\">JAR</b>NIGHT",
            "<b style=\"text-indent:-7em\">NIGHT</b>",
            "<b style=\"letter-spacing:-1em\">RAJ</b>",
        ] {
            assert!(styles_shown(s).is_some(), "{s}");
        }
        for s in [
            "<p dir=rtl>\u{5E9}\u{5DC}\u{5D5}\u{5DD}</p>",
            "<div style=\"display:flex;flex-direction:column\"><p>a</p></div>",
            "<table><tr><td>a</td></tr></table>",
            "<b style=\"margin-left:-7em\">a</b> report",
            "Report <b style=\"margin:-3px 0 -0 1em;text-indent:2em;letter-spacing:-0\">a</b>",
        ] {
            assert_eq!(styles_shown(s), None, "{s}");
        }
    }

    #[test]
    fn leaves_styles_that_show_nothing_of_their_own() {
        for s in [
            "<style>p{color:red}</style><p>A public report</p>",
            "The content: a public report",
            "<style>.content{color:red} .main{justify-content:center}</style>",
            "<span style=\"color:red;place-content:center\">x</span>",
            "<style>/* content: none */ p{color:red}</style>",
            "<p style=\"font-family:'Times New Roman'\">x</p>",
            "<style>.content:hover{color:red}</style>",
            "<style>a{font-family:\"x;content:y\"}</style>",
            "<!-- <style>p{content:x}</style> -->report",
            "<span data-style=\"content:x\">x</span>",
            "<ul style='list-style:none'><li>x</li></ul>",
        ] {
            assert_eq!(styles_shown(s), None, "{s}");
        }
    }
}
