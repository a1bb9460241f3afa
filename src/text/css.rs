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
    let b = t.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80;
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C');
    // The last byte before the current one that is no white space (a block's start at first).
    let mut before = b'{';
    let mut i = 0;
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
        let name = t.get(start..i).unwrap_or_default();
        let next_at = i + b.get(i..).unwrap_or_default().iter().take_while(|&&c| space(c)).count();
        let next = b.get(next_at).copied();
        if start > 0 && b.get(start - 1) == Some(&b'@') {
            match name {
                "import" => {
                    return Some(Shows {
                        what: "`@import`".into(),
                        fetches: true,
                    });
                }
                "counter-style" => {
                    return Some(Shows {
                        what: "`@counter-style` (symbols a list shows)".into(),
                        fetches: false,
                    });
                }
                _ => {}
            }
        }
        if next == Some(b'(') && i == next_at && FETCHES.contains(&name) {
            return Some(Shows {
                what: format!("`{name}(…)`"),
                fetches: true,
            });
        }
        if next == Some(b':') && matches!(before, b'{' | b';' | b'}') {
            if SHOWS.contains(&name) {
                return Some(Shows {
                    what: format!("a `{name}` declaration (generated content)"),
                    fetches: false,
                });
            }
            if SHOWS_A_STRING.contains(&name) {
                let value = b.get(next_at + 1..).unwrap_or_default();
                let value = value
                    .get(
                        ..value
                            .iter()
                            .position(|c| matches!(c, b';' | b'{' | b'}'))
                            .unwrap_or(value.len()),
                    )
                    .unwrap_or_default();
                if value.iter().any(|c| matches!(c, b'"' | b'(')) {
                    return Some(Shows {
                        what: format!("a `{name}` of a string or function (generated content)"),
                        fetches: false,
                    });
                }
            }
        }
        before = b'a';
    }
    None
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
    use super::{plain, shows};

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
