//! What a style adds to the screen: CSS read far enough to find a declaration or rule that
//! shows text of the style's own (CSS Generated Content 3 `content`, `quotes`; CSS Lists 3
//! and CSS Counter Styles 3: a list marker of a string or of `symbols(…)`, `@counter-style`;
//! `text-overflow`, `hyphenate-character`, `text-emphasis` of a string), or that fetches what
//! it shows (`@import`, `url(…)`, `image-set(…)`, `image(…)`, `element(…)`). The text such a
//! style shows is no text of the string any rule reads (`p::before{content:"\54 LP:RED"}` shows
//! `TLP:RED`), so [`super::markup::generated`] holds the string that has one.
//!
//! Tokenized as CSS Syntax 3 §4.3 tokenizes, far enough for that:
//!
//! ```text
//! comment     := "/*" ... "*/"                (to the end when it never ends)
//! escape      := "\" 1*6hex [ whitespace ] | "\" any other code point   (§4.3.7)
//! string      := '"' ... '"' | "'" ... "'"   (ends at a line break too: a bad string)
//! declaration := ident *ws ":" value          (after "{", ";", "}" or at the start)
//! ```
//!
//! Read wide, as the guard reads: comments are gone and the text either side joined
//! (`c/**/ontent` is read as `content`, which a browser would split), escapes decoded
//! everywhere (`con\74 ent` is `content`). One pass, and one more over each value looked at.

/// Properties whose every value a screen may show as text: `content` (on `::before`,
/// `::after`, `::marker`: a string, `attr()`, `counter()`, a URL), and `quotes` (the marks of
/// `<q>`, any string).
const SHOWS: &[&str] = &["content", "quotes"];

/// Properties that show a string when given one, or a function (`symbols(…)`, `attr(…)`,
/// `var(…)`, `calc(…)` of a counter): a list marker, an overflow mark, a hyphen, emphasis marks,
/// a counter's value.
const SHOWS_A_STRING: &[&str] = &[
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

/// Functions that fetch an image or style, or paint another element, wherever they stand.
const FETCHES: &[&str] = &[
    "url",
    "src",
    "image",
    "image-set",
    "-webkit-image-set",
    "element",
    "-moz-element",
];

/// What a style does that a screen shows and no rule reads: the declaration, rule or function
/// (named in the message), and whether it fetches what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shows {
    pub what: String,
    pub fetches: bool,
}

/// The first declaration, at-rule or function of `css` that shows text of its own or fetches
/// what it shows; `None` when it has none (`p{color:red}`, `.x{justify-content:center}`).
pub fn shows(css: &str) -> Option<Shows> {
    let t = plain(css);
    words(&t).find_map(|w| {
        match (w.at_rule, w.name) {
            (true, "import") => {
                return Some(Shows {
                    what: "`@import`".into(),
                    fetches: true,
                });
            }
            (true, "counter-style") => {
                return Some(Shows {
                    what: "`@counter-style` (symbols a list shows)".into(),
                    fetches: false,
                });
            }
            _ => {}
        }
        if w.called && FETCHES.contains(&w.name) {
            return Some(Shows {
                what: format!("`{}(…)`", w.name),
                fetches: true,
            });
        }
        let value = w.value?;
        if SHOWS.contains(&w.name) {
            return Some(Shows {
                what: format!("a `{}` declaration (generated content)", w.name),
                fetches: false,
            });
        }
        (SHOWS_A_STRING.contains(&w.name) && value.contains(['"', '('])).then(|| Shows {
            what: format!("a `{}` of a string or function (generated content)", w.name),
            fetches: false,
        })
    })
}

/// Why `css` (a `style` attribute's declarations, or a sheet) hides the text of an element it
/// applies to from a screen, naming the first declaration that does; `None` when it does not.
/// Each block (between `{` and `}`) is read on its own, each declaration once:
///
/// - gone or unseen: `display:none`, `visibility:hidden|collapse`, `content-visibility:hidden`;
/// - ink a screen does not show ([`ink`]): `color` or `-webkit-text-fill-color` transparent,
///   of an alpha below a half, of a value not read here (`color-mix(…)`, `var(…)`), or within
///   32 of each channel of the block's own background colour, white (the default page) when it
///   sets none (`color:#fefefe`; `color:#fff;background-color:#036` is shown);
/// - clipped or masked: `clip-path`, `mask`, `filter` of any value but `none`; `clip:rect(…)`;
/// - too small to see: `opacity`, `zoom`, a `scale` or `scale(…)` below a half; a `font-size`
///   (or the size in `font`) below 2px at a 16px font and a 400px-wide viewport (`1%`,
///   `0.01em`, `0.1vw`); a function of a value not read here (`calc(…)`);
/// - cut off: `overflow` `hidden` or `clip` with a `width`, `height` (or their `max-` and logical
///   forms) that small (`width:0;overflow:hidden`, `width:1px;height:1px;overflow:hidden`).
pub fn hides(css: &str) -> Option<String> {
    let t = plain(css);
    t.split(['{', '}']).find_map(block_hides)
}

/// [`hides`] for one block of declarations.
fn block_hides(block: &str) -> Option<String> {
    // The inks (`color`, `-webkit-text-fill-color`) and the background, as written and as read.
    let mut inks: [Option<(&str, Paint)>; 2] = [None, None];
    let mut ground: Option<(&str, Paint)> = None;
    // Overflow cut off (`overflow:hidden`), and a box of no room for it (`width:0`).
    let (mut cut, mut no_room): (Option<&str>, Option<&str>) = (None, None);
    for w in words(block) {
        let (name, Some(value)) = (w.name, w.value) else {
            continue;
        };
        let value = value.split('!').next().unwrap_or_default().trim();
        let none = matches!(value, "none" | "initial" | "unset" | "revert" | "revert-layer");
        let hidden = match name {
            "display" | "-webkit-display" => value == "none",
            "visibility" => matches!(value, "hidden" | "collapse"),
            "content-visibility" => value == "hidden",
            "color" => {
                inks[0] = Some((value, paint(value)));
                false
            }
            "-webkit-text-fill-color" => {
                inks[1] = Some((value, paint(value)));
                false
            }
            "background-color" => {
                ground = Some((value, paint(value)));
                false
            }
            "background" => {
                ground = background(value).or(ground);
                false
            }
            "clip-path" | "-webkit-clip-path" | "mask" | "-webkit-mask" | "mask-image" | "-webkit-mask-image"
            | "filter" | "-webkit-filter" => !none,
            "clip" => value.contains('('),
            "opacity" | "zoom" => below(value, 0.5),
            "scale" => {
                !none
                    && components(value)
                        .into_iter()
                        .any(|c| below(c.trim_start_matches('-'), 0.5))
            }
            "transform" | "-webkit-transform" => components(value).into_iter().any(|c| {
                let (f, args) = c.split_once('(').unwrap_or((c, ""));
                f.starts_with("matrix")
                    || (f.starts_with("scale")
                        && args
                            .trim_end_matches(')')
                            .split([',', ' '])
                            .filter(|a| !a.is_empty())
                            .any(|a| below(a.trim_start_matches('-'), 0.5)))
            }),
            "font-size" => tiny(value),
            "font" => components(value)
                .into_iter()
                .any(|c| tiny(c.split('/').next().unwrap_or_default())),
            "overflow" | "overflow-x" | "overflow-y" | "overflow-inline" | "overflow-block"
                if components(value).into_iter().any(|c| matches!(c, "hidden" | "clip")) =>
            {
                cut = Some(name);
                false
            }
            "width" | "height" | "max-width" | "max-height" | "inline-size" | "block-size" | "max-inline-size"
            | "max-block-size"
                if tiny(value) =>
            {
                no_room = Some(name);
                false
            }
            _ => false,
        };
        if hidden {
            return Some(format!("`{name}: {value}`"));
        }
    }
    if let (Some(cut), Some(no_room)) = (cut, no_room) {
        return Some(format!("`{cut}` cut off in a box of no room (`{no_room}`)"));
    }
    let ground = ground.unwrap_or(("", Paint::Clear));
    inks.into_iter()
        .flatten()
        .find(|&(value, p)| unseen(value, p, ground))
        .map(|(value, _)| format!("ink a screen does not show (`{value}`)"))
}

/// What a colour value paints.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Paint {
    /// Red, green and blue, 0 to 255 each, of an alpha of a half or more.
    Rgb([f64; 3]),
    /// Nothing: `transparent`, or an alpha below a half.
    Clear,
    /// A value whose colour is not read here: a function of other colours or of a variable
    /// (`color-mix(…)`, `var(…)`, `lab(…)`, `rgb(from …)`).
    Unread,
    /// A colour that is not read further (`currentcolor`, `red`, `inherit`).
    Named,
}

/// Named colours read as their red, green and blue: black, and those of each channel 224 or
/// more (near white), with `canvas` and `field` (white by default).
const NAMED: &[(&str, [u8; 3])] = &[
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

/// The paint of a colour value (lowercase).
fn paint(value: &str) -> Paint {
    let v = value.trim();
    if v == "transparent" {
        return Paint::Clear;
    }
    if let Some(&(_, rgb)) = NAMED.iter().find(|(n, _)| *n == v) {
        return Paint::Rgb(rgb.map(f64::from));
    }
    if let Some(hex) = v.strip_prefix('#') {
        return hex_paint(hex);
    }
    let Some((f, args)) = v.split_once('(') else {
        return Paint::Named;
    };
    let args = args.strip_suffix(')').unwrap_or(args);
    if args.contains(['(', ')']) || args.contains("from") {
        return Paint::Unread;
    }
    let parts: Vec<&str> = args
        .split([',', '/', ' ', '\t', '\n'])
        .filter(|p| !p.is_empty())
        .collect();
    let (Some(a), Some(b), Some(c)) = (parts.first(), parts.get(1), parts.get(2)) else {
        return Paint::Unread;
    };
    let alpha = match parts.get(3) {
        None => Some(1.0),
        Some(x) => fraction(x, 1.0),
    };
    let rgb = match f {
        "rgb" | "rgba" => {
            let channel = |x: &str| fraction(x, 255.0).map(|v| v * 255.0);
            match (channel(a), channel(b), channel(c)) {
                (Some(r), Some(g), Some(b)) => Some([r, g, b]),
                _ => None,
            }
        }
        "hsl" | "hsla" | "hwb" => match (hue(a), fraction(b, 100.0), fraction(c, 100.0)) {
            (Some(h), Some(s), Some(l)) if f == "hwb" => Some(hwb(h, s, l)),
            (Some(h), Some(s), Some(l)) => Some(hsl(h, s, l)),
            _ => None,
        },
        _ => None,
    };
    match (rgb, alpha) {
        (_, Some(a)) if a < 0.5 => Paint::Clear,
        (Some(rgb), Some(_)) => Paint::Rgb(rgb),
        _ => Paint::Unread,
    }
}

/// A `#` colour's digits: 3, 4, 6 or 8 hex digits (the last of 4 or the last two of 8 its
/// alpha); any other is no colour.
fn hex_paint(hex: &str) -> Paint {
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Paint::Named;
    }
    let digit = |k: usize| u8::from_str_radix(hex.get(k..k + 1).unwrap_or("0"), 16).map_or(0.0, f64::from);
    let pair = |k: usize| u8::from_str_radix(hex.get(k..k + 2).unwrap_or("00"), 16).map_or(0.0, f64::from);
    let (rgb, alpha) = match hex.len() {
        3 | 4 => (
            [0, 1, 2].map(|k| digit(k) * 17.0),
            if hex.len() == 4 { digit(3) * 17.0 } else { 255.0 },
        ),
        6 | 8 => ([0, 2, 4].map(pair), if hex.len() == 8 { pair(6) } else { 255.0 }),
        _ => return Paint::Named,
    };
    if alpha < 127.5 { Paint::Clear } else { Paint::Rgb(rgb) }
}

/// A number or percentage (`none` is 0) as a fraction of `whole` (a percentage of 1); `None`
/// when it is neither.
fn fraction(x: &str, whole: f64) -> Option<f64> {
    if x == "none" {
        return Some(0.0);
    }
    match x.strip_suffix('%') {
        Some(p) => p.parse::<f64>().ok().map(|v| v / 100.0),
        None => x.parse::<f64>().ok().map(|v| v / whole),
    }
    .filter(|v| v.is_finite())
}

/// A hue in degrees (`120`, `120deg`, `0.5turn`, `2rad`, `100grad`, `none`).
fn hue(x: &str) -> Option<f64> {
    let (n, per) = [("deg", 1.0), ("grad", 0.9), ("rad", 57.295_779_5), ("turn", 360.0)]
        .iter()
        .find_map(|(u, per)| x.strip_suffix(u).map(|n| (n, *per)))
        .unwrap_or((x, 1.0));
    if n == "none" {
        return Some(0.0);
    }
    n.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v * per)
}

/// `hsl(h, s, l)` (saturation and lightness fractions) as red, green and blue (CSS Color 4 §7.1).
fn hsl(h: f64, s: f64, l: f64) -> [f64; 3] {
    let (s, l) = (s.clamp(0.0, 1.0), l.clamp(0.0, 1.0));
    let a = s * l.min(1.0 - l);
    let f = |n: f64| {
        let k = (n + h / 30.0).rem_euclid(12.0);
        (l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)) * 255.0
    };
    [f(0.0), f(8.0), f(4.0)]
}

/// `hwb(h, w, b)` (whiteness and blackness fractions) as red, green and blue (§8.1).
fn hwb(h: f64, w: f64, b: f64) -> [f64; 3] {
    let (w, b) = (w.clamp(0.0, 1.0), b.clamp(0.0, 1.0));
    if w + b >= 1.0 {
        return [w / (w + b) * 255.0; 3];
    }
    hsl(h, 1.0, 0.5).map(|c| c * (1.0 - w - b) + w * 255.0)
}

/// The background colour a `background` shorthand sets: its colour component (`#036`,
/// `white`), a named colour (a word no other component is), or a value not read here (an
/// image, a variable); `None` when it sets none (`none`).
fn background(value: &str) -> Option<(&str, Paint)> {
    const NOT_COLOURS: &[&str] = &[
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
    let mut out = None;
    for c in components(value) {
        let p = paint(c);
        match p {
            Paint::Named if !c.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') || NOT_COLOURS.contains(&c) => {}
            Paint::Unread if out.is_some() => {}
            _ => out = Some((c, p)),
        }
    }
    out
}

/// Whether ink `value` (read as `p`) is unseen on `ground` (the block's background, as written
/// and read; clear when it sets none): clear or unread ink, the same named colour as the
/// ground, or within 32 of each channel of the ground's colour (of white, the default page,
/// when the ground is clear or unread).
fn unseen(value: &str, p: Paint, ground: (&str, Paint)) -> bool {
    let page = [255.0; 3];
    match (p, ground.1) {
        (Paint::Clear | Paint::Unread, _) => true,
        (Paint::Named, _) => value == ground.0,
        (Paint::Rgb(ink), Paint::Rgb(g)) => close(ink, g),
        (Paint::Rgb(ink), Paint::Clear | Paint::Unread) => close(ink, page),
        (Paint::Rgb(_), Paint::Named) => false,
    }
}

fn close(a: [f64; 3], b: [f64; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 32.0)
}

/// Whether a value is a number or percentage below `limit` (a percentage of 1), or a function
/// of what is not read here (`calc(…)`, `var(…)`).
fn below(value: &str, limit: f64) -> bool {
    value.contains('(') || fraction(value, 1.0).is_some_and(|v| v < limit)
}

/// Whether a font size is below 2px at a 16px font and a 400px-wide viewport, or not read here
/// (a function; a number of a unit not known). A keyword (`small`) or a negative size (no size)
/// is none.
fn tiny(value: &str) -> bool {
    if value.contains('(') {
        return true;
    }
    match pixels(value) {
        None => false,
        Some((n, _)) if n < 0.0 || !n.is_finite() => false,
        Some((_, Some(px))) => px < 2.0,
        // A percentage of the 16px font.
        Some((n, None)) if value.ends_with('%') => n * 0.16 < 2.0,
        Some((_, None)) => true,
    }
}

/// A length's number and, when its unit is known, its size in CSS pixels at a 16px font and a
/// 400px-wide screen (CSS Values 4 §6); `None` when it is no number (`auto`, `small`). A
/// percentage, or a unit not known, has no size here: what it is taken of is the caller's.
fn pixels(value: &str) -> Option<(f64, Option<f64>)> {
    let digits = value
        .bytes()
        .take_while(|c| c.is_ascii_digit() || matches!(c, b'.' | b'+' | b'-'))
        .count();
    let (number, unit) = (value.get(..digits)?, value.get(digits..)?);
    let n = number.parse::<f64>().ok()?;
    let per = match unit {
        // No unit: 0, or pixels in quirks mode.
        "" | "px" => 1.0,
        "pt" => 4.0 / 3.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        "q" => 96.0 / 101.6,
        "em" | "rem" | "lh" | "rlh" | "cap" | "ic" | "rcap" | "ric" => 16.0,
        "ex" | "ch" | "rex" | "rch" => 8.0,
        u if u.ends_with(['w', 'h', 'i', 'b']) || u.ends_with("min") || u.ends_with("max") => 4.0,
        _ => return Some((n, None)),
    };
    Some((n, Some(n * per)))
}

#[cfg(test)]
mod ink_tests {
    use super::hides;

    #[test]
    fn reads_ink_clips_and_sizes_a_screen_does_not_show() {
        for css in [
            "color:transparent",
            "color:\\74 ransparent",
            "COLOR:/**/Transparent !important",
            "color:rgba(0,0,0,0)",
            "color:rgb(0 0 0 / 0%)",
            "color:hsla(0,0%,0%,.1)",
            "color:#0000",
            "color:#ffffff00",
            "color:color-mix(in srgb, red, transparent)",
            "color:white",
            "color:#fff",
            "color:#FEFEFE",
            "color:rgb(255,255,255)",
            "color:hsl(0,0%,100%)",
            "color:hwb(0 100% 0%)",
            "color:#fff;background:#fafafa",
            "color:navy;background:navy",
            "color:#000;background-color:black",
            "-webkit-text-fill-color:transparent",
            "clip-path:inset(50%)",
            "clip:rect(0 0 0 0)",
            "width:0;overflow:hidden",
            "overflow-x:clip;max-width:1px",
            "scale:0",
            "scale:1 0",
            "transform:scale(0)",
            "transform:rotate(1deg) scaleY(.01)",
            "zoom:0.01",
            "zoom:1%",
            "font-size:1%",
            "font-size:0.01em",
            "font-size:0.1vw",
            "font-size:1px",
            "font-size:calc(1em - 1em)",
            "font:0/0 a",
            "filter:opacity(0)",
            "opacity:.01",
            "visibility:collapse",
            "a{color:red}.b{color:#fff}",
        ] {
            assert!(hides(css).is_some(), "{css}");
        }
    }

    #[test]
    fn leaves_ink_and_sizes_a_screen_shows() {
        for css in [
            "color:red",
            "color:#333",
            "color:currentcolor",
            "color:rgba(0,0,0,.87)",
            "color:#555555cc",
            "background:white;color:black",
            "color:#fff;background-color:#003366",
            "background:#036 url(x) no-repeat;color:white",
            "color:white;background:navy",
            "font-size:90%",
            "font-size:1.2em",
            "font-size:small",
            "font:italic bold 12px/30px Georgia, serif",
            "zoom:1",
            "zoom:normal",
            "clip-path:none",
            "clip:auto",
            "scale:1",
            "overflow:hidden;width:50%",
            "height:0;overflow:visible",
            "transform:none",
            "transform:rotate(10deg)",
            "filter:none",
            "opacity:1",
            "a{background:#000}b{color:#fff;background:#000}",
        ] {
            assert_eq!(hides(css), None, "{css}");
        }
    }
}

/// A name in a style's plain text ([`plain`]), as [`words`] finds it.
struct Word<'a> {
    name: &'a str,
    /// Right after `@`: an at-rule's name.
    at_rule: bool,
    /// Right before `(`: a function's name.
    called: bool,
    /// Its value, to the next `;`, `{` or `}`, when it is a declaration's name: after `{`, `;`,
    /// `}` or at the start, and before `:`.
    value: Option<&'a str>,
}

/// Each name of `t` (a style's plain text), in order, with what it names: the one walk over the
/// declarations that [`shows`] and [`layout`] both read.
fn words(t: &str) -> impl Iterator<Item = Word<'_>> {
    let b = t.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80;
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C');
    // The last byte before the current one that is no white space (a block's start at first).
    let mut before = b'{';
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(&c) = b.get(i) {
            if !ident(c) {
                if !space(c) {
                    before = c;
                }
                i += 1;
                continue;
            }
            let start = i;
            i += b.get(i..).unwrap_or_default().iter().take_while(|&&c| ident(c)).count();
            let next_at = i + b.get(i..).unwrap_or_default().iter().take_while(|&&c| space(c)).count();
            let next = b.get(next_at).copied();
            let declares = next == Some(b':') && matches!(before, b'{' | b';' | b'}');
            before = b'a';
            let value = declares.then(|| {
                let rest = t.get(next_at + 1..).unwrap_or_default();
                rest.get(..rest.find([';', '{', '}']).unwrap_or(rest.len()))
                    .unwrap_or_default()
            });
            return Some(Word {
                name: t.get(start..i).unwrap_or_default(),
                at_rule: start > 0 && b.get(start - 1) == Some(&b'@'),
                called: next == Some(b'(') && i == next_at,
                value,
            });
        }
        None
    })
}

/// What a style does to the order in which a screen shows text: whether it shows some in an
/// order other than the text's own ([`Layout::reorders`], named), and whether it sets a
/// right-to-left direction or lays text out in boxes side by side (each harmless alone: the
/// Unicode bidirectional algorithm keeps the letters of a run in their order, but a
/// right-to-left direction lays boxes from the right, so [`super::markup::generated`] holds
/// the two together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub reorders: Option<String>,
    pub rtl: bool,
    pub boxes: bool,
    /// A float to the start of the line (`float:left`): the box is shown before the text that
    /// stands before it on its line, so it reorders when text stands before it.
    pub floats_left: bool,
    /// A negative left (inline-start) margin (`margin-left:-7em`, the left value of `margin`):
    /// the box is drawn back over the text before it, so it reorders when text stands before it.
    pub pulls_left: bool,
    /// How far negative top and bottom margins (`margin-top`, `margin-bottom`, the block
    /// values of `margin` and `margin-block`, `-webkit-margin-before`) pull a box, or the box
    /// after it, up over the lines before it, in CSS pixels rounded up, summed (a pull of
    /// each nested box adds up); [`u32::MAX`] when one is not of an absolute unit (`-1.2em`,
    /// `-5%`, `calc(…)`, `var(…)`, `inherit`), whose size is not read here. Half a line (8px)
    /// in all the text draws a line over another.
    pub pulls_up: u32,
    /// A `zoom` above 1 (or not read): the pixels of [`Layout::pulls_up`] are larger.
    pub zooms: bool,
    /// A box shorter than a line (`height:0`, `max-height:1px`, `line-height:0`,
    /// `contain:size`), named: the next block is drawn over its text. Nothing of an element of
    /// no text of its own (`<hr>`, `<img>`), which is the caller's to tell.
    pub short: Option<String>,
}

/// Properties that set a box's top (block-start) margin: a negative one lifts it onto the
/// line above it.
const TOP_MARGINS: &[&str] = &[
    "margin-top",
    "margin-block-start",
    "-webkit-margin-before",
    "-moz-margin-before",
];

/// Properties that set a box's bottom (block-end) margin: a negative one pulls the box after
/// it up over its lines.
const BOTTOM_MARGINS: &[&str] = &[
    "margin-bottom",
    "margin-block-end",
    "-webkit-margin-after",
    "-moz-margin-after",
];

/// Properties that set how tall a box is: under a line, the next block is drawn over its
/// text (whether its overflow shows or is cut off).
const HEIGHTS: &[&str] = &[
    "height",
    "max-height",
    "block-size",
    "max-block-size",
    "-webkit-logical-height",
    "-webkit-max-logical-height",
];

/// How far a component of a margin pulls up (see [`Layout::pulls_up`]): 0 when it is not
/// below zero ([`below_zero`]), its pixels rounded up when of an absolute unit (`px`, `pt`,
/// `in`, …, or none), [`u32::MAX`] otherwise.
fn pull(component: &str) -> u32 {
    if !below_zero(component) {
        return 0;
    }
    let unit = component.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'));
    if !matches!(unit, "" | "px" | "pt" | "pc" | "in" | "cm" | "mm" | "q") {
        return u32::MAX;
    }
    match pixels(component) {
        // Below 2^32 pixels: the cast keeps its value.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some((_, Some(px))) if px.is_finite() && -px < f64::from(u32::MAX) => (-px).ceil() as u32,
        _ => u32::MAX,
    }
}

/// How far the top and bottom values of a margin declaration (`name: value`) pull up, summed
/// ([`pull`]): `margin` is top, right, bottom, left (top for bottom when fewer than three),
/// `margin-block` start and end (start for end when one).
fn vertical_pull(name: &str, value: &str) -> u32 {
    let c: Vec<u32> = components(value).into_iter().map(pull).collect();
    let at = |k: usize| c.get(k).copied().unwrap_or(0);
    let all = || c.iter().fold(0u32, |a, &b| a.saturating_add(b));
    match name {
        n if TOP_MARGINS.contains(&n) || BOTTOM_MARGINS.contains(&n) => all(),
        "margin" | "margin-block" => match (name, c.len()) {
            ("margin", 1 | 2) | ("margin-block", 1) => at(0).saturating_mul(2),
            ("margin", 3 | 4) => at(0).saturating_add(at(2)),
            ("margin-block", 2) => at(0).saturating_add(at(1)),
            _ => all(),
        },
        _ => 0,
    }
}

/// Whether a `line-height` (or the part of `font` after `/`) leaves a line under half its
/// letters' height: zero or below, under 8 CSS pixels at a 16px font (a number or `%` of the
/// font, a length), or computed, a variable or inherited (not read here).
fn short_line(value: &str) -> bool {
    let Some(first) = components(value).into_iter().next() else {
        return false;
    };
    if below_zero(first) {
        return true;
    }
    match pixels(first) {
        // `normal`, keywords.
        None => false,
        Some((n, _)) if first.ends_with('%') => n * 0.16 < 8.0,
        Some((n, _))
            if first
                .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+'))
                .is_empty() =>
        {
            n * 16.0 < 8.0
        }
        Some((_, Some(px))) => px < 8.0,
        Some((n, None)) => n < 1.0,
    }
}

/// Properties that set a box's left (inline-start) margin.
const START_MARGINS: &[&str] = &[
    "margin-left",
    "margin-inline-start",
    "-webkit-margin-start",
    "-moz-margin-start",
];

/// Properties that set a box's right (inline-end) margin: a negative one draws what follows the
/// box back over it.
const END_MARGINS: &[&str] = &[
    "margin-right",
    "margin-inline-end",
    "-webkit-margin-end",
    "-moz-margin-end",
];

/// The components of a value (`0 0 0 -7em`), split at white space and commas outside
/// parentheses (`calc(0px - 7em)` is one).
fn components(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, None);
    for (k, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ' ' | '\t' | '\n' | '\r' | '\x0C' | ',' if depth == 0 => {
                if let Some(from) = start.take() {
                    out.extend(value.get(from..k));
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(k);
    }
    if let Some(from) = start {
        out.extend(value.get(from..));
    }
    out
}

/// Whether a component of a value (lowercase, comments and escapes gone) may be below zero: a
/// number with a `-` and a digit other than `0` (`-7em`, `-.5em`; not `-0`), or a value whose
/// sign is not known where it is read (a function: `calc(…)`, `var(…)`, `min(…)`; `inherit`).
fn below_zero(component: &str) -> bool {
    if component.contains('(') || component == "inherit" {
        return true;
    }
    component.strip_prefix('-').is_some_and(|n| {
        let number = n.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.');
        let mut number = number.peekable();
        number.peek().is_some() && number.any(|c| (b'1'..=b'9').contains(&c))
    })
}

/// Whether a component of a width (lowercase, comments and escapes gone) may be narrower than a
/// letter: below zero or of unknown sign ([`below_zero`]), or under 16 CSS pixels (one `em`;
/// [`pixels`]), or under 1 of a unit taken of a width not read here (`%`, `cqw`).
fn narrow(component: &str) -> bool {
    if below_zero(component) {
        return true;
    }
    match pixels(component) {
        // `auto`, `fit-content`, `min-content`…: the box is as wide as its text.
        None => false,
        Some((_, Some(px))) => px < 16.0,
        // `%`, `cqw`…: of a width not read here.
        Some((n, None)) => n < 1.0,
    }
}

/// Whether the `margin` or `margin-inline` shorthand's value pulls the box back over the text
/// before it (its left value) and what follows back over the box (its right value).
fn shorthand_sides(name: &str, value: &str) -> (bool, bool) {
    let c: Vec<bool> = components(value).into_iter().map(below_zero).collect();
    let any = c.iter().any(|&b| b);
    let at = |k: usize| c.get(k).copied().unwrap_or(any);
    match (name, c.len()) {
        (_, 1) => (at(0), at(0)),
        ("margin-inline", 2) => (at(0), at(1)),
        ("margin", 2 | 3) => (at(1), at(1)),
        ("margin", 4) => (at(3), at(1)),
        _ => (any, any),
    }
}

/// Properties that place a box elsewhere than its place in the text, whatever their value
/// (`order:2`, `grid-column:1`), or move or turn what a box shows (`transform`).
const PLACES: &[&str] = &[
    "order",
    "-webkit-box-ordinal-group",
    "-webkit-order",
    "grid-area",
    "grid-row",
    "grid-row-start",
    "grid-row-end",
    "grid-column",
    "grid-column-start",
    "grid-column-end",
    "grid-template-areas",
    "transform",
    "-webkit-transform",
    "rotate",
    "scale",
    "translate",
    "offset",
    "offset-path",
    "motion-path",
    "offset-distance",
];

/// Properties whose value `reverse` (`row-reverse`, `wrap-reverse`) lays items out from the end.
const REVERSES: &[&str] = &[
    "flex-direction",
    "flex-flow",
    "flex-wrap",
    "-webkit-flex-direction",
    "-webkit-flex-flow",
    "-webkit-box-direction",
    "box-direction",
];

/// The layout of `css` ([`Layout`]): each declaration read once, as [`shows`] reads them.
pub fn layout(css: &str) -> Layout {
    let t = plain(css);
    let mut out = Layout::default();
    for w in words(&t) {
        let (name, Some(value)) = (w.name, w.value) else {
            continue;
        };
        // To `!` (`!important`, `! important`).
        let value = value.split('!').next().unwrap_or_default().trim();
        let none = matches!(value, "none" | "initial" | "unset" | "normal" | "static" | "auto" | "0");
        let why = match name {
            "unicode-bidi" if value.contains("override") => {
                Some("a `unicode-bidi` override (letters shown in the reverse of their order)")
            }
            n if REVERSES.contains(&n) && value.contains("reverse") => {
                Some("a reversed flex direction (items laid out from the end)")
            }
            n if PLACES.contains(&n) && !none => Some("a property that places a box out of the text's order"),
            "float" if matches!(value, "left" | "inline-start") => {
                out.floats_left = true;
                None
            }
            "float" if !none => Some("a float to the right (boxes laid from the right)"),
            n if START_MARGINS.contains(&n) => {
                out.pulls_left |= components(value).into_iter().any(below_zero);
                None
            }
            n if END_MARGINS.contains(&n) && components(value).into_iter().any(below_zero) => {
                Some("a negative right margin (what follows drawn back over the box)")
            }
            "margin" | "margin-inline" => {
                let (left, right) = shorthand_sides(name, value);
                out.pulls_left |= left;
                out.pulls_up = out.pulls_up.saturating_add(vertical_pull(name, value));
                right.then_some("a negative right margin (what follows drawn back over the box)")
            }
            // Inherited: a box after text may take it from one with none before it.
            "text-indent" if components(value).into_iter().any(below_zero) => {
                Some("a negative `text-indent` (a line drawn back over the text before it)")
            }
            "letter-spacing" | "word-spacing" if components(value).into_iter().any(below_zero) => {
                Some("negative letter or word spacing (letters drawn back over the ones before them)")
            }
            "position" if !none => Some("a `position` that moves a box out of the text's order"),
            "text-transform" if value.contains("uppercase") || value.contains("capitalize") => {
                Some("a `text-transform` that shows small letters as capitals")
            }
            "font-variant" | "font-variant-caps" | "font" if value.contains("caps") || value.contains("unicase") => {
                Some("small or titling capitals shown for small letters")
            }
            // Its features are named in strings, which are not read here (`"smcp"`: small capitals).
            "font-feature-settings" | "-webkit-font-feature-settings" | "-moz-font-feature-settings" if !none => {
                Some("font features (small capitals among them) that may show small letters as capitals")
            }
            "width" | "max-width" | "inline-size" | "max-inline-size" if components(value).into_iter().any(narrow) => {
                Some("a box narrower than a letter (its text drawn over what follows it)")
            }
            n if TOP_MARGINS.contains(&n) || BOTTOM_MARGINS.contains(&n) || n == "margin-block" => {
                out.pulls_up = out.pulls_up.saturating_add(vertical_pull(name, value));
                None
            }
            n if HEIGHTS.contains(&n) && components(value).into_iter().any(narrow) => {
                out.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                None
            }
            "font" if value.split_once('/').is_some_and(|(_, lh)| short_line(lh.trim())) => {
                out.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                None
            }
            "line-height" if short_line(value) => {
                out.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                None
            }
            "contain" if value.contains("size") || value.contains("strict") => {
                out.short.get_or_insert_with(|| format!("`{name}: {value}`"));
                None
            }
            "zoom" if !none && !below(value, 1.01) || value.contains('(') => {
                out.zooms = true;
                None
            }
            // Tracks of no height or width: the next row drawn over a row, or the next column's
            // item over a column's (`grid-template-columns:0 0`).
            "grid-template-rows"
            | "grid-template-columns"
            | "grid-auto-rows"
            | "grid-auto-columns"
            | "grid-template"
            | "grid"
            | "-ms-grid-rows"
            | "-ms-grid-columns"
                if components(value).into_iter().any(narrow) =>
            {
                Some("grid tracks narrower or shorter than a line (items drawn over each other)")
            }
            "columns"
            | "column-count"
            | "column-width"
            | "-webkit-columns"
            | "-webkit-column-count"
            | "-moz-columns"
            | "-moz-column-count"
            | "-webkit-column-width"
            | "-moz-column-width"
                if !none =>
            {
                Some("columns (lines of a later column shown beside those of an earlier one)")
            }
            "line-clamp" | "-webkit-line-clamp" | "max-lines" if !none => {
                Some("lines cut off after a count (`line-clamp`)")
            }
            "writing-mode" | "-webkit-writing-mode" | "-ms-writing-mode" if value.contains("rl") || value == "tb" => {
                Some("a writing mode whose lines run from the right")
            }
            // Lines from the left too: top and bottom margins (`margin-top:-7em`) are offsets
            // along the line there.
            "writing-mode" | "-webkit-writing-mode" | "-ms-writing-mode"
                if value.starts_with("tb") || value.contains("vertical") || value.contains("sideways") =>
            {
                Some("a vertical writing mode (top and bottom margins offsets along the line)")
            }
            "direction" if value.contains("rtl") => {
                out.rtl = true;
                None
            }
            // A table's header, footer or caption is shown above or below its rows, wherever it
            // is written (CSS 2 §17.2, §17.4).
            "display" | "-webkit-display"
                if ["table-header-group", "table-footer-group", "table-caption"]
                    .iter()
                    .any(|d| value.contains(d)) =>
            {
                Some("a table part shown above or below the rows, wherever it is written")
            }
            "caption-side" | "-webkit-caption-side" if !["top", "block-start", "initial"].contains(&value) => {
                Some("a caption shown elsewhere than above the rows")
            }
            "display" | "-webkit-display"
                if ["flex", "grid", "inline-block", "table", "-box"]
                    .iter()
                    .any(|d| value.contains(d)) =>
            {
                out.boxes = true;
                None
            }
            _ => None,
        };
        if let Some(why) = why
            && out.reorders.is_none()
        {
            out.reorders = Some(format!("{why}: `{name}: {value}`"));
        }
    }
    out
}

/// `css` as its tokens read (see the module comment): comments gone, escapes decoded, ASCII
/// lowercased, and each string written `""` with its content gone (nothing in a string is a
/// declaration or a function).
fn plain(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut quote: Option<char> = None;
    let mut i = 0;
    while let Some(c) = css.get(i..).and_then(|r| r.chars().next()) {
        let rest = css.get(i + c.len_utf8()..).unwrap_or_default();
        match c {
            '/' if quote.is_none() && rest.starts_with('*') => {
                // To the `*/`, or the end.
                match rest.get(1..).and_then(|r| r.find("*/")) {
                    Some(k) => i += 2 + k + 2,
                    None => break,
                }
                continue;
            }
            '\\' => {
                let (decoded, used) = escape(rest, quote.is_some());
                if quote.is_none() {
                    out.extend(decoded.map(|d| d.to_ascii_lowercase()));
                }
                i += 1 + used;
                continue;
            }
            '"' | '\'' if quote.is_none() => {
                quote = Some(c);
                out.push('"');
            }
            '\n' | '\r' | '\x0C' if quote.is_some() => {
                // A line break ends a string (a bad string).
                quote = None;
                out.push_str("\" ");
            }
            c if quote == Some(c) => {
                quote = None;
                out.push('"');
            }
            _ if quote.is_some() => {}
            c => out.push(c.to_ascii_lowercase()),
        }
        i += c.len_utf8();
    }
    if quote.is_some() {
        out.push('"');
    }
    out
}

/// The escape that `rest` (what follows a `\`) starts (§4.3.7): the code point it stands for
/// (`None`: none, as a line break continues a string), and how many bytes of `rest` it takes.
fn escape(rest: &str, in_string: bool) -> (Option<char>, usize) {
    let hex = rest.bytes().take(6).take_while(u8::is_ascii_hexdigit).count();
    if hex > 0 {
        let v = rest
            .get(..hex)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        let c = char::from_u32(v).filter(|&c| c != '\0').unwrap_or('\u{FFFD}');
        // One white space after the digits is part of the escape (`\r\n` as one).
        let after = rest.get(hex..).unwrap_or_default();
        let ws = if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with([' ', '\t', '\n', '\r', '\x0C']))
        };
        return (Some(c), hex + ws);
    }
    match rest.chars().next() {
        None => (None, 0),
        // In a string a line break after `\` continues it; elsewhere `\` is no escape.
        Some('\n' | '\r' | '\x0C') if in_string => (None, if rest.starts_with("\r\n") { 2 } else { 1 }),
        Some('\n' | '\r' | '\x0C') => (Some('\\'), 0),
        Some(c) => (Some(c), c.len_utf8()),
    }
}

#[cfg(test)]
mod tests {
    use super::{layout, plain, shows};

    #[test]
    fn reads_negative_offsets_after_the_plain_reading() {
        for css in [
            "margin-left:-7em",
            "margin:0 0 0 -7em",
            "margin:0 1em -2em -.5em",
            "margin-inline:-7em 0",
            "-webkit-margin-start:-0.5px",
            "margin-left:calc(0px - 7em)",
            "margin-left:var(--x)",
            "margin-left:-webkit-calc(7em)",
            "margin-le\\66 t:\\2d 7em",
            "margin-left:/**/-7em ! important",
            "margin-left:inherit",
        ] {
            let l = layout(css);
            assert!(l.pulls_left && l.reorders.is_none(), "{css}");
        }
        for css in [
            "margin:0 -7em",
            "margin-right:-1px",
            "margin-inline:0 -7em",
            "margin:0 -7em 0 0",
            "-moz-margin-end:min(1px,2px)",
            "text-indent:-7em",
            "letter-spacing:-1px",
            "word-spacing:calc(1em - 2em)",
        ] {
            assert!(layout(css).reorders.is_some(), "{css}");
        }
        for css in [
            "margin-left:7em",
            "margin:0 auto",
            "margin-left:-0;margin-right:-0.0em;margin-inline:-0px 0",
            "margin-left:5%;margin-left:-moz-available",
            "text-indent:2em;letter-spacing:0.1em;word-spacing:normal",
        ] {
            assert_eq!(layout(css), super::Layout::default(), "{css}");
        }
    }

    #[test]
    fn reads_vertical_pulls_and_boxes_shorter_than_a_line() {
        for (css, up) in [
            ("margin:-3px 0 -2px 1em", 5),
            ("margin-top:-3px;margin-bottom:-2.5px", 6),
            ("margin-block:-3px", 6),
            ("margin:-1px", 2),
            ("margin:-1px 0 0", 1),
            ("margin-block:0 -0.25in", 24),
            ("-webkit-margin-before:-7px", 7),
            ("margin-top:-1.2em", u32::MAX),
            ("margin-top:-5%", u32::MAX),
            ("margin-t\\6f p:calc(0px)", u32::MAX),
            ("margin-bottom:inherit !important", u32::MAX),
            ("margin:1em 0;margin-top:-0;margin-bottom:-0.0em", 0),
        ] {
            assert_eq!(layout(css).pulls_up, up, "{css}");
        }
        for css in [
            "height:0",
            "max-height:15px",
            "block-size:0.5%",
            "-webkit-logical-height:calc(1em)",
            "line-height:0",
            "line-height:0.4",
            "line-height:0.49em",
            "line-height:7px",
            "line-height:49%",
            "line-height:var(--x)",
            "font:16px/0 serif",
            "contain:strict",
        ] {
            assert!(layout(css).short.is_some(), "{css}");
        }
        for css in [
            "height:auto",
            "height:1em",
            "max-height:50vh",
            "height:50%",
            "line-height:normal",
            "line-height:0.5",
            "line-height:8px",
            "line-height:50%",
            "font:12px/1.4 serif",
            "contain:layout paint",
        ] {
            assert_eq!(layout(css), super::Layout::default(), "{css}");
        }
        assert!(layout("zoom:4").zooms && !layout("zoom:1").zooms && !layout("zoom:normal").zooms);
        assert!(layout("columns:2").reorders.is_some() && layout("column-count:auto").reorders.is_none());
    }

    //--- case
    #[test]
    fn reads_comments_escapes_and_strings_as_the_tokenizer_does() {
        for (css, want) in [
            ("P::BEFORE{CONTENT:\"X\"}", "p::before{content:\"\"}"),
            ("con\\74 ent:'x'", "content:\"\""),
            ("c/**/ontent:x", "content:x"),
            ("\\000063ontent:x", "content:x"),
            ("a{font-family:\"/*\"}b{content:x}", "a{font-family:\"\"}b{content:x}"),
            ("a{x:\"never", "a{x:\"\""),
            ("a /* never", "a "),
        ] {
            assert_eq!(plain(css), want, "{css}");
        }
    }

    #[test]
    fn finds_what_shows_text_or_fetches() {
        for css in [
            ".a::after{content:\"NIGHTJAR\"}",
            "content:'TLP:RED'",
            "p::before{con\\74 ent:\"\\54 LP:RED\"}",
            "p::before{c/**/ontent:x}",
            "p::before { color: red ; content : attr(data-x) }",
            "q{quotes:\"a\" \"b\"}",
            "list-style-type:\"S \"",
            "list-style: symbols(cyclic \"S\")",
            "@counter-style s{system:cyclic;symbols:\"S\"}",
            "@import \"https://example.net/a.css\";",
            "background:url(data:image/svg+xml,x)",
            "background:u\\72l(x)",
            "background:-webkit-image-set('a.png' 1x)",
            "counter-reset: list-item calc(2 * 3)",
        ] {
            assert!(shows(css).is_some(), "{css}");
        }
        assert!(shows("a{background:url(x)}").is_some_and(|s| s.fetches));
        assert!(shows("a{content:x}").is_some_and(|s| !s.fetches && s.what.contains("`content`")));
    }

    #[test]
    fn leaves_styles_that_show_no_text_of_their_own() {
        for css in [
            "p{color:red}",
            ".content{color:red} .main{justify-content:center;align-content:start}",
            "color:red;place-content:center",
            "/* content: none */ p{color:red}",
            "font-family:'Times New Roman'",
            ".content:hover{color:red}",
            "ul{list-style:none;list-style-type:disc} p{text-overflow:ellipsis}",
            "a{font-family:\"x;content:y\"}",
            "a{background:myurl (x)}",
        ] {
            assert_eq!(shows(css), None, "{css}");
        }
    }
}
