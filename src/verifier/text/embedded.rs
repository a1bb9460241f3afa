//! Text carried inside a string, read by the verifier's own code (not the guard's): the payload
//! of a `data:` URI (RFC 2397), and what is left of markup once a browser has hidden its tags
//! and comments (HTML Living Standard §13.2.5).

use base64::Engine;

/// Whether `s` writes `data:` (any case) somewhere, white space inside it or not ([`scheme`]).
pub fn has_data_uri(s: &str) -> bool {
    s.char_indices()
        .any(|(k, c)| matches!(c, 'd' | 'D') && s.get(k..).and_then(scheme).is_some())
}

/// How many bytes of `t` its `data:` scheme takes, when it starts with one: the letters in
/// any case, white space allowed between them and before the `:` (a browser removes tabs and
/// line breaks from a URL, and `data :` is read too).
fn scheme(t: &str) -> Option<usize> {
    let mut chars = t.char_indices().peekable();
    for want in ['d', 'a', 't', 'a', ':'] {
        if want != 'd' {
            while chars
                .next_if(|&(_, c)| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C'))
                .is_some()
            {}
        }
        let (_, c) = chars.next()?;
        if !c.eq_ignore_ascii_case(&want) {
            return None;
        }
    }
    Some(chars.next().map_or(t.len(), |(k, _)| k))
}

/// Whether `s` holds a `<` that may open a tag, an end tag, a comment or a declaration.
pub fn has_markup(s: &str) -> bool {
    let mut prev_lt = false;
    for c in s.chars() {
        if prev_lt && (c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?') {
            return true;
        }
        prev_lt = c == '<';
    }
    false
}

/// The `data:` URI that `t` starts with: its payload as text, a space either side, how many
/// bytes of `t` the URI takes (a space when it carries nothing), and why its payload is no
/// text a rule reads, when it is not ([`no_text`]). `None` when `t` starts with none.
pub fn data_uri(t: &str) -> Option<(String, usize, Option<String>)> {
    let scheme_len = scheme(t)?;
    let after = t.get(scheme_len..)?;
    // The media type: token characters and parameters, then the `,` (any length: the search
    // ends at the first `:`, so never past the next `data:`).
    let mut header_len = None;
    for (k, c) in after.char_indices() {
        if c == ',' {
            header_len = Some(k);
            break;
        }
        let token = c.is_ascii_alphanumeric() || " \t\n\r\x0C!#$&'*+-.^_`|~/;=\"%".contains(c);
        if !token {
            return None;
        }
    }
    let written = after.get(..header_len?)?;
    // Tabs and line breaks are no part of a URL to a browser (`text/pl<TAB>ain`).
    let header = written.replace(['\t', '\n', '\r'], "");
    let rest = after.get(header_len? + 1..)?;
    let ends = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    let mut base64 = false;
    let mut charset = String::new();
    for p in header.split(';') {
        let p = p.trim();
        base64 = p.eq_ignore_ascii_case("base64");
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
        {
            charset = v.trim().trim_matches(|c| c == '"' || c == '\'').to_lowercase();
        }
    }
    let media = header.split(';').next().unwrap_or_default().trim().to_lowercase();
    let mut body_len = rest.find(ends).unwrap_or(rest.len());
    // Read on its own too: words after the URI, decoded with it, would glue to its text.
    let first_len = body_len;
    // Base64 folded by white space (`T3Bl cmF0`): a browser drops the white space, so the
    // payload goes on while base64 follows it.
    if base64 {
        loop {
            let tail = rest.get(body_len..).unwrap_or_default();
            let after_gap = tail.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let gap = tail.len() - after_gap.len();
            let chunk = after_gap
                .get(..after_gap.find(ends).unwrap_or(after_gap.len()))
                .unwrap_or_default();
            // A chunk of anything but base64 (the next `data:`, a word) ends the payload: each
            // chunk is read for one URI at most.
            if gap == 0 || chunk.is_empty() || !chunk.chars().all(|c| c.is_ascii_alphanumeric() || "+/-_%=".contains(c))
            {
                break;
            }
            body_len += gap + chunk.len();
        }
    }
    let bytes_of = |body: &str| {
        let raw = unpercent(body);
        if base64 { debase64(&raw) } else { raw }
    };
    let bytes = bytes_of(rest.get(..body_len)?);
    let (mut text, is_text) = bytes_as_text(&bytes, &charset);
    let why = no_text(&media, &charset, !bytes.is_empty(), is_text);
    if body_len > first_len {
        // Apart, by a `|` no number, address, name or directory name runs across.
        let (first, _) = bytes_as_text(&bytes_of(rest.get(..first_len)?), &charset);
        if first != text {
            text = format!("{first} | {text}");
        }
    }
    let used = scheme_len + written.len() + 1 + body_len;
    // Nothing in it: read as a space, so that what it covers is not read again as a URI.
    if text.chars().all(char::is_whitespace) {
        return Some((" ".to_string(), used, why));
    }
    Some((format!(" {text} "), used, why))
}

/// Why a payload of `media` is no text a rule reads: its media type is none of text (`text/…`,
/// JSON, XML and `…+xml`, `…+json`, JavaScript; a missing or malformed type is `text/plain`),
/// or its bytes are no text in `charset` (`is_text`). `None` when it is text or holds nothing.
fn no_text(media: &str, charset: &str, holds: bool, is_text: bool) -> Option<String> {
    if !holds {
        return None;
    }
    let well_formed = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&'*+-.^_`|~%".contains(c))
    };
    let textual = match media.split_once('/') {
        Some((ty, sub)) if well_formed(ty) && well_formed(sub) => {
            ty == "text"
                || sub.ends_with("+xml")
                || sub.ends_with("+json")
                || (ty == "application" && ["json", "xml", "javascript", "ecmascript", "x-javascript"].contains(&sub))
        }
        _ => true,
    };
    let media: String = media.chars().take(60).collect();
    if !textual {
        return Some(format!(
            "a `data:` URI of `{media}`: its payload is not text (compressed, an archive, an image, binary) that a rule reads"
        ));
    }
    if is_text {
        return None;
    }
    let media = if media.is_empty() {
        "text/plain".to_string()
    } else {
        media
    };
    let charset = if charset.is_empty() {
        "UTF-8, no charset named (a browser guesses one for bytes of no UTF-8)".to_string()
    } else {
        format!("`{}`", charset.chars().take(40).collect::<String>())
    };
    Some(format!(
        "a `data:` URI of `{media}` whose payload is no text in {charset}: bytes (compressed or binary) no rule reads"
    ))
}

/// `%HH` escapes turned into their bytes; everything else copied.
fn unpercent(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.bytes();
    while let Some(c) = bytes.next() {
        if c == b'%' {
            let look = bytes.clone();
            let pair: Vec<u8> = look.take(2).collect();
            if let [h, l] = pair.as_slice()
                && let (Some(h), Some(l)) = (char::from(*h).to_digit(16), char::from(*l).to_digit(16))
                && let Ok(v) = u8::try_from(h * 16 + l)
            {
                out.push(v);
                bytes.nth(1);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The base64 at the start of `data` decoded (the URL-safe alphabet too; white space skipped;
/// stops at padding or any other character; a dangling last character dropped).
fn debase64(data: &[u8]) -> Vec<u8> {
    let mut clean: Vec<u8> = Vec::with_capacity(data.len());
    for &c in data {
        match c {
            b'-' => clean.push(b'+'),
            b'_' => clean.push(b'/'),
            c if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' => clean.push(c),
            c if c.is_ascii_whitespace() => {}
            _ => break,
        }
    }
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&clean).unwrap_or_default()
}

/// Bytes as a reader shows them: UTF-16 when the charset or a byte-order mark says so; else UTF-8
/// where it is valid, and each byte where it is not as its Latin-1 character. And whether they
/// are text in that charset: every byte decoded (a byte of no UTF-8 is text when Windows-1252,
/// a browser's Latin-1, has a character for it), no control character but tab, line feed,
/// carriage return, form feed; bytes that read as binary, no charset named, are not.
fn bytes_as_text(bytes: &[u8], charset: &str) -> (String, bool) {
    let controls = |t: &str| {
        t.chars()
            .any(|c| c == '\u{FFFD}' || (c.is_control() && !"\t\n\r\x0C".contains(c)))
    };
    let from16 = |b: &[u8], le: bool| {
        let units: Vec<u16> = b
            .chunks(2)
            .filter_map(|p| {
                let two: [u8; 2] = p.try_into().ok()?;
                Some(if le {
                    u16::from_le_bytes(two)
                } else {
                    u16::from_be_bytes(two)
                })
            })
            .collect();
        let decoded = String::from_utf16(&units);
        let text = String::from_utf16_lossy(&units).replace('\u{FFFD}', " ");
        let is_text = decoded.is_ok_and(|t| !controls(&t));
        (text, is_text)
    };
    if let Some(b) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return from16(b, true);
    }
    if let Some(b) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return from16(b, false);
    }
    if charset.starts_with("utf-16") || charset == "utf16" || charset == "ucs-2" || charset == "unicode" {
        return from16(bytes, !charset.ends_with("be"));
    }
    // A legacy charset a browser decodes (Shift_JIS, EUC-JP, ISO-2022-JP, GB18030, Big5, …).
    if let Some(enc) = encoding_rs::Encoding::for_label_no_replacement(charset.as_bytes())
        && ![encoding_rs::UTF_8, encoding_rs::UTF_16LE, encoding_rs::UTF_16BE].contains(&enc)
    {
        let is_text = enc
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some_and(|t| !controls(&t));
        return (
            enc.decode_without_bom_handling(bytes).0.replace('\u{FFFD}', " "),
            is_text,
        );
    }
    let mut rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // No charset named: a browser shows the bytes as Windows-1252 (the default `US-ASCII` of a
    // `data:` URI, to WHATWG Encoding) or in a charset it guesses. UTF-8 beyond ASCII is read
    // both ways (`%C3%8A`: `Ê`, `ÃŠ`), apart by a `|`; a byte of no UTF-8 makes the payload no
    // text (below).
    if charset.is_empty()
        && !rest.is_ascii()
        && let Ok(utf8) = std::str::from_utf8(rest)
    {
        let latin: String = rest.iter().map(|&b| windows_1252(b)).collect();
        let is_text = !controls(utf8) && !controls(&latin);
        return (format!("{utf8} | {latin}"), is_text);
    }
    // (valid text, bytes of no UTF-8 sequence) pieces; the bytes are Latin-1 letters in text, but
    // spaces in binary (more than one byte in three of no UTF-8).
    let mut pieces: Vec<(&str, &[u8])> = Vec::new();
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                pieces.push((s, &[]));
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                let n = e.error_len().unwrap_or(bad.len());
                let (bad, after) = bad.split_at(n.min(bad.len()));
                pieces.push((std::str::from_utf8(good).unwrap_or_default(), bad));
                rest = after;
            }
        }
    }
    let stray: usize = pieces.iter().map(|p| p.1.len()).sum();
    let binary = stray * 3 > bytes.len();
    // A label WHATWG maps to the replacement encoding (`iso-2022-kr`) decodes to nothing.
    let mut is_text = !(stray > 0 && charset.is_empty())
        && encoding_rs::Encoding::for_label(charset.as_bytes()) != Some(encoding_rs::REPLACEMENT);
    let mut out = String::with_capacity(bytes.len() + stray);
    for (good, bad) in pieces {
        out.push_str(good);
        is_text =
            is_text && !controls(good) && !controls(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(bad).0);
        out.extend(bad.iter().map(|&b| if binary { ' ' } else { char::from(b) }));
    }
    (out, is_text)
}

/// The character Windows-1252 shows for byte `b` (ASCII as itself, the C1 bytes as the
/// typographic marks and letters it puts there, the rest as Latin-1).
fn windows_1252(b: u8) -> char {
    const C1: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}',
        '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}',
        '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}',
        '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
    ];
    match b {
        0x80..=0x9F => C1.get(usize::from(b - 0x80)).copied().unwrap_or(' '),
        _ => char::from(b),
    }
}

/// Block elements: each is shown apart from what is around it.
fn shown_apart(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "pre"
            | "blockquote"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "main"
            | "address"
            | "figure"
            | "figcaption"
            | "fieldset"
            | "legend"
            | "form"
            | "details"
            | "summary"
            | "dialog"
            | "hgroup"
            | "option"
    )
}

/// `s` as a browser shows it: tags, comments, declarations and processing instructions gone (a
/// block element's tag is a space). `None` when it holds none. A tag or comment still open at
/// the end is text: what it swallowed is given back.
pub fn without_markup(s: &str) -> Option<String> {
    shown(s, false)
}

/// [`without_markup`], with the content of elements a screen does not show gone too: `script`,
/// `style`, `template`, `title`, `noscript`, `noembed`, `noframes`, `iframe`, `object`, `head`,
/// `desc`, `metadata`, `xmp`, and any element whose attributes hide it (`hidden`,
/// `display:none`, `visibility:hidden`, `font-size:0`, `opacity:0`, `size=0`; a `style` of ink,
/// a clip, a scale, a zoom or a size a screen does not show, or a `color` of such ink:
/// [`super::styles::tag_hides`]), to its end tag
/// (nested ones of its name counted) or the end. `None` when nothing is hidden.
pub fn without_hidden(s: &str) -> Option<String> {
    shown(s, true)
}

/// `s` as a forum or Markdown viewer shows it: BBCode tags (`[b]`, `[/b]`, `[color=red]`) gone,
/// and Markdown links (`[text](target)`, `[text](target "title")`, `[text][ref]`) shown as
/// their text. `None` when there is none. With `bbcode`, tags and inline links; without, inline
/// and reference links (`[b][i]` is two tags, `[NIGHT][x]` a link). Looks ahead a bounded way from each `[`.
pub fn without_light_markup(s: &str, bbcode: bool) -> Option<String> {
    if !s.contains('[') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut any = false;
    while let Some(k) = rest.find('[') {
        out.push_str(rest.get(..k).unwrap_or_default());
        let t = rest.get(k..).unwrap_or_default();
        // `]` within `limit` bytes after `from`.
        let find = |from: usize, c: char, limit: usize| {
            t.get(from..)
                .and_then(|r| r.char_indices().take(limit).find(|&(_, x)| x == c))
                .map(|(j, _)| from + j)
        };
        let link = find(1, ']', 256)
            .filter(|&c| !t.get(1..c).unwrap_or_default().contains('['))
            .and_then(|c| {
                let end = match t.get(c + 1..).and_then(|r| r.chars().next()) {
                    Some('(') => find(c + 2, ')', 2048),
                    Some('[') if !bbcode => find(c + 2, ']', 256),
                    _ => None,
                }?;
                Some((c, end))
            });
        if let Some((c, end)) = link {
            any = true;
            out.push_str(t.get(1..c).unwrap_or_default());
            rest = t.get(end + 1..).unwrap_or_default();
            continue;
        }
        let body = t.get(1..).unwrap_or_default();
        let name = body.strip_prefix('/').unwrap_or(body);
        let letters = name.chars().take(11).take_while(char::is_ascii_alphabetic).count();
        let after = name.get(letters..).unwrap_or_default();
        let tag_end = if bbcode && (1..=10).contains(&letters) {
            if after.starts_with(']') {
                Some(t.len() - after.len())
            } else if after.starts_with('=') {
                find(t.len() - after.len(), ']', 64).filter(|&e| !t.get(1..e).unwrap_or_default().contains('['))
            } else {
                None
            }
        } else {
            None
        };
        if let Some(e) = tag_end {
            any = true;
            rest = t.get(e + 1..).unwrap_or_default();
            continue;
        }
        out.push('[');
        rest = t.get(1..).unwrap_or_default();
    }
    out.push_str(rest);
    any.then_some(out)
}

/// The text of the attributes a screen shows in an element's place, written to `out`: the
/// alternative text of an image (shown when it is not loaded; of an image button or an image
/// map's area too), the value and placeholder of a field, an option's label. Not when the tag
/// hides its element (`<input type=hidden>`) and `drop_hidden` (the reading without what is
/// hidden; the other reads it, as ink a screen does not show may yet be shown: a
/// `text-shadow`). Whether it left them out so.
fn attributes_shown(s: &str, lt: usize, name: &str, tag: &str, drop_hidden: bool, out: &mut String) -> bool {
    let shown: &[&str] = match name.to_ascii_lowercase().as_str() {
        "img" | "area" => &["alt"],
        "input" => &["alt", "value", "placeholder"],
        "textarea" => &["placeholder"],
        "option" => &["label"],
        _ => return false,
    };
    if drop_hidden && hides(tag) {
        return true;
    }
    if let Some((_, attributes, _)) = super::styles::start_tag(s, lt + 1) {
        for (key, value) in attributes {
            if shown.iter().any(|n| key.eq_ignore_ascii_case(n)) {
                out.push_str(value);
            }
        }
    }
    false
}

/// Whether a start tag's text (from its `<` to its `>`) hides its element by an attribute
/// (`hidden`, `display:none`, `font-size:0`, `opacity:0`, `size=0`; spaces, quotes and case
/// aside), or by a `style` of ink, a clip, a scale, a zoom or a size a screen does not show, or
/// a `color` of such ink ([`super::styles::tag_hides`]).
fn hides(tag: &str) -> bool {
    let squeezed: String = tag
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .flat_map(char::to_lowercase)
        .collect();
    ["hidden", "display:none", "font-size:0", "opacity:0", "size=0"]
        .iter()
        .any(|w| squeezed.contains(w))
        || super::styles::tag_hides(tag)
}

/// Whether a start tag's text (from its `<` to its `>`) hides the element it opens.
fn hidden_element(name: &str, tag: &str) -> bool {
    // Raw text, templates, what shows only without scripts or plug-ins, the head, an SVG's
    // description; the fallback of media, canvases and gauges, a dialog (closed unless a script
    // or `open` opens it), an option list, ruby's parentheses.
    const NOT_SHOWN: [&str; 21] = [
        "script", "style", "template", "title", "noscript", "noembed", "noframes", "iframe", "object", "head", "desc",
        "metadata", "xmp", "audio", "video", "canvas", "meter", "progress", "dialog", "datalist", "rp",
    ];
    const VOID: [&str; 13] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ];
    let name = name.to_ascii_lowercase();
    if VOID.contains(&name.as_str()) || tag.ends_with("/>") {
        return false;
    }
    NOT_SHOWN.contains(&name.as_str()) || hides(tag)
}

fn shown(s: &str, drop_hidden: bool) -> Option<String> {
    enum State {
        Text,
        Comment,
        Bogus,
        Tag { name_done: bool, eq: bool },
        Quoted(char),
    }
    if !has_markup(s) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut state = State::Text;
    let mut opened = 0;
    let mut name = String::new();
    let mut any = false;
    let mut closing = false;
    // The hidden element being passed over: its name, how many of that name are open, and how
    // long `out` was when it opened.
    let mut hidden: Option<(String, usize, usize)> = None;
    let mut hid = false;
    let mut it = s.char_indices().peekable();
    while let Some((k, c)) = it.next() {
        match state {
            State::Text => {
                let next = s.get(k + 1..).unwrap_or_default();
                if c != '<' {
                    out.push(c);
                } else if next.starts_with('/')
                    && !next
                        .get(1..)
                        .is_some_and(|r| r.starts_with(|x: char| x.is_ascii_alphabetic()))
                {
                    // `</` before what is no letter: a bogus comment to the `>`.
                    opened = k;
                    state = State::Bogus;
                } else if next.starts_with("!--") {
                    opened = k;
                    // `<!-->` and `<!--->` close at once.
                    if next.starts_with("!-->") || next.starts_with("!--->") {
                        let skip = if next.starts_with("!-->") { 4 } else { 5 };
                        for _ in 0..skip {
                            it.next();
                        }
                        any = true;
                    } else {
                        for _ in 0..3 {
                            it.next();
                        }
                        state = State::Comment;
                    }
                } else if next.starts_with(['!', '?']) {
                    opened = k;
                    state = State::Bogus;
                } else if next.starts_with(|x: char| x.is_ascii_alphabetic())
                    || (next.starts_with('/')
                        && next
                            .get(1..)
                            .is_some_and(|r| r.starts_with(|x: char| x.is_ascii_alphabetic())))
                {
                    opened = k;
                    name.clear();
                    closing = next.starts_with('/');
                    if closing {
                        it.next();
                    }
                    state = State::Tag {
                        name_done: false,
                        eq: false,
                    };
                } else {
                    out.push(c);
                }
            }
            State::Comment => {
                if c == '-' && s.get(k..).is_some_and(|r| r.starts_with("-->")) {
                    it.next();
                    it.next();
                    state = State::Text;
                    any = true;
                } else if c == '-' && s.get(k..).is_some_and(|r| r.starts_with("--!>")) {
                    // `--!>` ends a comment too.
                    it.next();
                    it.next();
                    it.next();
                    state = State::Text;
                    any = true;
                }
            }
            State::Bogus => {
                if c == '>' {
                    state = State::Text;
                    any = true;
                }
            }
            State::Tag { name_done, eq } => {
                if c == '>' {
                    if shown_apart(&name) {
                        out.push(' ');
                    }
                    state = State::Text;
                    any = true;
                    let tag = s.get(opened..=k).unwrap_or_default();
                    if !closing && hidden.is_none() {
                        hid |= attributes_shown(s, opened, &name, tag, drop_hidden, &mut out);
                    }
                    match hidden.as_mut() {
                        Some((h, open, _)) if h.eq_ignore_ascii_case(&name) && !tag.ends_with("/>") => {
                            if closing {
                                *open = open.saturating_sub(1);
                            } else {
                                *open = open.saturating_add(1);
                            }
                            if *open == 0
                                && let Some((_, _, from)) = hidden.take()
                            {
                                out.truncate(from);
                            }
                        }
                        None if drop_hidden && !closing && hidden_element(&name, tag) => {
                            hidden = Some((name.clone(), 1, out.len()));
                            hid = true;
                        }
                        _ => {}
                    }
                } else if !(name_done || c.is_whitespace() || c == '/') {
                    name.push(c);
                } else if eq && (c == '"' || c == '\'') {
                    state = State::Quoted(c);
                } else {
                    state = State::Tag {
                        name_done: true,
                        eq: c == '=' || (eq && c.is_whitespace()),
                    };
                }
            }
            State::Quoted(q) => {
                if c == q {
                    state = State::Tag {
                        name_done: true,
                        eq: false,
                    };
                }
            }
        }
    }
    if !matches!(state, State::Text) {
        // Never closed: what it opened is text.
        out.push_str(s.get(opened..).unwrap_or_default());
    }
    if let Some((_, _, from)) = hidden {
        // A hidden element never closed hides the rest.
        out.truncate(from);
    }
    if drop_hidden && !hid {
        return None;
    }
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_data_uris_and_markup() {
        assert_eq!(
            data_uri("data:text/plain;base64,T3BlcmF0aW9uIE5JR0hUSkFS").map(|x| x.0),
            Some(" Operation NIGHTJAR ".into())
        );
        assert_eq!(
            data_uri("data:,Op%E9ration x").map(|x| x.0),
            Some(" Op\u{E9}ration ".into())
        );
        assert_eq!(data_uri("data: the report, in short").map(|x| x.0), Some(" ".into()));
        assert_eq!(data_uri("metadata"), None);
        for (t, want) in [
            ("Operation NIGHT<b></b>JAR", Some("Operation NIGHTJAR")),
            ("10.20.<!-- -->30.40", Some("10.20.30.40")),
            ("NIGHT<a title=\">\">JAR", Some("NIGHTJAR")),
            ("a<br/>b", Some("a b")),
            ("a < b and c > d", None),
            ("x<y", None),
            ("A<b>B <c", Some("AB <c")),
        ] {
            assert_eq!(without_markup(t).as_deref(), want, "{t}");
        }
    }
}
