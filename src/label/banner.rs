//! The banner line and portion marking grammar of the ODNI/CAPCO "Intelligence Community
//! Markings System Register and Manual", over a scheme's words (by default the US ones).
//!
//! ```text
//! banner   = level *( "//" category )                 ; banner line: CLASSIFICATION//SCI//SAP//AEA//FGI//DISSEM//NONIC
//! portion  = "(" portion-level *( "//" category ) ")" ; portion mark: (S//REL TO USA, JPN)
//! category = control *( "/" control )                 ; controls of one category: a single "/"
//! control  = rel-to / word
//! rel-to   = "REL TO " code *( ", " code )            ; USA, then trigraphs A-Z, then tetragraphs A-Z
//! code     = trigraph / tetragraph / "EU"             ; ISO 3166-1 alpha-3, register tetragraphs
//! word     = 1*wchar *( " " 1*wchar )                 ; wchar = A-Z / 0-9 / "-"
//! ```
//!
//! Strictness, each with its own rule name in the error: markings are uppercase (`uppercase`);
//! a banner writes levels and controls in their banner form and a portion in its portion form
//! (`classification`, `control_form`); known controls follow the register's order
//! (`control_order`), each once (`duplicate_control`), one category per `//` block
//! (`control_category`); `REL TO` codes are known (`country_code`), ordered (`rel_to_order`),
//! unique (`rel_to_duplicate`) and never beside `NOFORN` (`rel_to_with_noforn`); no empty
//! category (`category`) and nothing after the marking (`banner`, `portion`). A well-formed word
//! that is no known control is kept as [`Control::Unknown`] for the policy to name, unless it is
//! within a typo of a known one, which is an error with a suggestion.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::BTreeSet;

use nom::bytes::complete::{tag, take_while1};
use nom::{IResult, Parser};

use super::codes::{self, Code};
use super::{Category, Control, Label, RelTo, Releasability, RenderError, Scheme};
use crate::error::{GrammarError, ParseError, finish};
use crate::limits::Limits;

type PResult<'a, T> = IResult<&'a str, T, GrammarError<&'a str>>;

/// Which of the two marking forms is being read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Banner,
    Portion,
}

/// Parse a banner line such as `SECRET//ORCON/REL TO USA, JPN` in `scheme`'s words.
pub fn parse_banner(text: &str, scheme: &Scheme, limits: &Limits) -> Result<Label, ParseError> {
    parse(text, scheme, limits, Form::Banner)
}

/// Parse a portion marking such as `(S//REL TO USA, JPN)` in `scheme`'s portion forms.
pub fn parse_portion(text: &str, scheme: &Scheme, limits: &Limits) -> Result<Label, ParseError> {
    parse(text, scheme, limits, Form::Portion)
}

/// Whether `s` looks like a marking (it starts, ignoring case and leading space, with a level
/// word of `scheme`, or with `(`). Text that looks like a marking must parse as one: it is never
/// treated as free text.
pub fn looks_like_banner(s: &str, scheme: &Scheme) -> bool {
    let t = s.trim_start();
    if t.starts_with('(') {
        return true;
    }
    let upper = t.to_uppercase();
    scheme
        .levels
        .iter()
        .flat_map(|l| std::iter::once(&l.name).chain(&l.aliases))
        .any(|w| {
            upper
                .strip_prefix(w.as_str())
                .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
        })
}

fn parse(text: &str, scheme: &Scheme, limits: &Limits, form: Form) -> Result<Label, ParseError> {
    marking_text(text, limits)?;
    let cx = Cx { scheme, form };
    let result = match form {
        Form::Banner => banner(text, &cx),
        Form::Portion => portion(text, &cx),
    };
    finish(&text, result).map(|(_, label)| label)
}

/// Checks on the whole text before the grammar runs: its size, and that it is uppercase.
fn marking_text(text: &str, limits: &Limits) -> Result<(), ParseError> {
    if text.len() > limits.max_string_bytes {
        return Err(ParseError::new(
            limits.max_string_bytes,
            "max_string_bytes",
            format!(
                "marking is {} bytes, the limit is {}",
                text.len(),
                limits.max_string_bytes
            ),
        ));
    }
    if let Some((at, c)) = text.char_indices().find(|(_, c)| c.is_ascii_lowercase()) {
        let hint = if text.len() <= 80 {
            format!("; write `{}`", text.to_ascii_uppercase())
        } else {
            String::new()
        };
        return Err(ParseError::new(
            at,
            "uppercase",
            format!("markings are written in uppercase, found `{c}`{hint}"),
        ));
    }
    Ok(())
}

/// What every production needs: the scheme whose words are read, and which form.
struct Cx<'s> {
    scheme: &'s Scheme,
    form: Form,
}

fn fail<'a, T>(i: &'a str, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> PResult<'a, T> {
    GrammarError::failure(i, rule, detail)
}

/// A committed error outside a production's result (for checks between productions).
type Reject<'a> = nom::Err<GrammarError<&'a str>>;

fn reject<'a, T>(at: &'a str, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> Result<T, Reject<'a>> {
    Err(nom::Err::Failure(GrammarError::new(at, rule, detail)))
}

/// The character at the start of `i` as users should see it in a message.
fn shown(i: &str) -> String {
    match i.chars().next() {
        Some(c) if c.is_control() || c == ' ' => format!("U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
        None => "end of input".to_string(),
    }
}

/// The text up to the next separator, for messages (at most 64 characters).
fn leading(i: &str) -> String {
    i.chars().take_while(|c| !matches!(c, '/' | ')')).take(64).collect()
}

// ---------------------------------------------------------------------------------------------
// The grammar (CAPCO register, banner line and portion marks)
// ---------------------------------------------------------------------------------------------

/// Register, banner line: `CLASSIFICATION//SCI//SAP//AEA//FGI//DISSEM//NONIC`, nothing after.
fn banner<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Label> {
    let (i, level) = level(i, cx)?;
    let (i, seen) = categories(i, cx)?;
    if !i.is_empty() {
        return fail(i, "banner", unexpected(i));
    }
    Ok((i, seen.into_label(cx.scheme, level)))
}

/// Register, portion marks: `(` portion-level `//` categories `)`, nothing after.
fn portion<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Label> {
    let Some(i) = i.strip_prefix('(') else {
        return fail(i, "portion", "a portion marking starts with `(`");
    };
    let (i, level) = level(i, cx)?;
    let (i, seen) = categories(i, cx)?;
    let Some(rest) = i.strip_prefix(')') else {
        return match i.is_empty() {
            true => fail(i, "portion", "a portion marking ends with `)`"),
            false => fail(i, "portion", unexpected(i)),
        };
    };
    if !rest.is_empty() {
        return fail(
            rest,
            "portion",
            format!("unexpected {} after the portion marking", shown(rest)),
        );
    }
    Ok((rest, seen.into_label(cx.scheme, level)))
}

fn unexpected(i: &str) -> String {
    format!(
        "unexpected {} in the marking; categories are separated by `//` and controls within one by `/`",
        shown(i)
    )
}

/// Register: the classification comes first, in full in a banner (`TOP SECRET`) and abbreviated
/// in a portion (`TS`). The longest matching word wins, and it must end at a separator.
fn level<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, usize> {
    let mut words = level_words(cx.scheme, cx.form);
    words.sort_by_key(|(w, _)| Reverse(w.len()));
    for (w, index) in &words {
        if let Some(rest) = i.strip_prefix(w)
            && (rest.is_empty() || rest.starts_with('/') || (cx.form == Form::Portion && rest.starts_with(')')))
        {
            return Ok((rest, *index));
        }
    }
    // A level word followed by something other than a separator or another letter.
    if let Some(rest) = words.iter().find_map(|(w, _)| i.strip_prefix(w))
        && !rest.starts_with(char::is_alphanumeric)
    {
        let rule = if cx.form == Form::Banner { "banner" } else { "portion" };
        return fail(rest, rule, unexpected(rest));
    }
    let seen = leading(i);
    let other = match cx.form {
        Form::Banner => Form::Portion,
        Form::Portion => Form::Banner,
    };
    if let Some((_, index)) = level_words(cx.scheme, other).into_iter().find(|(w, _)| *w == seen) {
        let right = level_words(cx.scheme, cx.form)
            .into_iter()
            .find(|(_, n)| *n == index)
            .map_or_else(String::new, |(w, _)| format!(", `{w}`"));
        let detail = match cx.form {
            Form::Banner => format!("`{seen}` is a portion form; a banner line writes the level in full{right}"),
            Form::Portion => format!("`{seen}` is a banner form; a portion marking writes the abbreviation{right}"),
        };
        return fail(i, "classification", detail);
    }
    let detail = match codes::nearest(&seen, words.iter().map(|(w, _)| *w), 3) {
        Some(s) => format!("unknown classification `{seen}`; did you mean `{s}`?"),
        None if seen.is_empty() => format!("expected a classification, found {}", shown(i)),
        None => format!("unknown classification `{seen}`"),
    };
    fail(i, "classification", detail)
}

/// The words a form uses for the levels of `scheme`, with each level's index.
fn level_words(scheme: &Scheme, form: Form) -> Vec<(&str, usize)> {
    let mut words = Vec::new();
    for (n, l) in scheme.levels.iter().enumerate() {
        match form {
            Form::Banner => {
                words.push((l.name.as_str(), n));
                words.extend(l.aliases.iter().map(|a| (a.as_str(), n)));
            }
            Form::Portion => words.extend(l.portion.iter().map(|p| (p.as_str(), n))),
        }
    }
    words
}

/// `*( "//" category )`, collecting what the controls say.
fn categories<'a>(mut i: &'a str, cx: &Cx<'_>) -> PResult<'a, Seen> {
    let mut seen = Seen::default();
    loop {
        if let Some(rest) = i.strip_prefix("//") {
            let (rest, ()) = category(rest, cx, &mut seen)?;
            i = rest;
        } else if i.starts_with('/') {
            return fail(i, "category", "the classification is followed by `//`, not `/`");
        } else {
            return Ok((i, seen));
        }
    }
}

/// Register: `category = control *( "/" control )`; the controls of one category share a
/// block and are separated by a single `/`.
fn category<'a>(i: &'a str, cx: &Cx<'_>, seen: &mut Seen) -> PResult<'a, ()> {
    if i.is_empty() || i.starts_with('/') || i.starts_with(')') {
        return fail(i, "category", "empty category: `//` must be followed by a marking");
    }
    seen.block = None;
    let (mut i, ()) = control(i, cx, seen)?;
    while let Some(rest) = i.strip_prefix('/')
        && !rest.starts_with('/')
    {
        let (rest, ()) = control(rest, cx, seen)?;
        i = rest;
    }
    if let Some(c) = seen.block {
        seen.done.push(c);
    }
    Ok((i, ()))
}

/// Register: one dissemination control, `REL TO` with its list or a control word.
fn control<'a>(i: &'a str, cx: &Cx<'_>, seen: &mut Seen) -> PResult<'a, ()> {
    if i.starts_with("REL TO") {
        let (rest, set) = rel_to(i)?;
        seen.add_rel_to(i, set)?;
        return Ok((rest, ()));
    }
    let (rest, w) = word(i)?;
    let c = control_word(i, w, cx)?;
    seen.add(i, c)?;
    Ok((rest, ()))
}

/// `word = 1*wchar *( " " 1*wchar )`: a control written as one or more words.
fn word(i: &str) -> PResult<'_, &str> {
    let b = i.as_bytes();
    let mut end = 0usize;
    loop {
        let run = b
            .get(end..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| is_wchar(c))
            .count();
        if run == 0 {
            break;
        }
        end = end.saturating_add(run);
        let next = end.saturating_add(1);
        if b.get(end) == Some(&b' ') && b.get(next).is_some_and(|&c| is_wchar(c)) {
            end = next;
        } else {
            break;
        }
    }
    match i.split_at_checked(end) {
        Some((w, rest)) if !w.is_empty() => Ok((rest, w)),
        _ => fail(i, "control", format!("expected a control marking, found {}", shown(i))),
    }
}

fn is_wchar(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-'
}

/// The control `w` names in this form: a known control in the right form, an error for the
/// wrong form or a near miss, else `Unknown`.
fn control_word<'a>(at: &'a str, w: &str, cx: &Cx<'_>) -> Result<Control, Reject<'a>> {
    if w == "REL" {
        return reject(
            at,
            "rel_to",
            "a bare `REL` (\"same as the banner\") is not supported; write `REL TO` with its codes",
        );
    }
    if w.starts_with("RELTO") {
        return reject(at, "rel_to", format!("unknown control `{w}`; did you mean `REL TO`?"));
    }
    if level_words(cx.scheme, Form::Banner)
        .iter()
        .chain(&level_words(cx.scheme, Form::Portion))
        .any(|(l, _)| *l == w)
    {
        return reject(
            at,
            "control",
            format!("`{w}` is a classification; it comes once, first"),
        );
    }
    let c = Control::from_word(w);
    if let Some((banner_form, portion_form)) = c.words() {
        return match cx.form {
            Form::Banner if w != banner_form => reject(
                at,
                "control_form",
                format!("`{w}` is the portion form of `{banner_form}`; a banner line writes `{banner_form}`"),
            ),
            Form::Portion if w != portion_form => reject(
                at,
                "control_form",
                format!("`{w}` is the banner form; a portion marking writes `{portion_form}`"),
            ),
            _ => Ok(c),
        };
    }
    let known: Vec<&str> = Control::known()
        .iter()
        .filter_map(Control::words)
        .map(|(b, p)| if cx.form == Form::Banner { b } else { p })
        .chain(["REL TO"])
        .collect();
    // Short words (`SI`, `TK`, `HCS`) are too close to everything to call misspellings.
    let max = match w.chars().count() {
        0..4 => 0,
        4..9 => 1,
        _ => 2,
    };
    if max > 0
        && let Some(s) = codes::nearest(w, known.iter().copied(), max)
    {
        return reject(at, "control", format!("unknown control `{w}`; did you mean `{s}`?"));
    }
    Ok(c)
}

/// Register, REL TO: `REL TO USA, AUS, GBR`: `USA` first, then the other trigraphs in
/// alphabetical order, then tetragraphs in alphabetical order, each code once.
fn rel_to(i: &str) -> PResult<'_, RelTo> {
    let Ok((list, _)) = tag::<_, _, GrammarError<&str>>("REL TO ").parse(i) else {
        return fail(
            i,
            "rel_to",
            "`REL TO` is followed by one space and a list of codes such as `USA, JPN`",
        );
    };
    let (mut i, first) = code(list)?;
    let mut codes = BTreeSet::from([first]);
    let mut last = first;
    while let Some(at) = i.strip_prefix(", ") {
        let (rest, c) = code(at)?;
        match c.cmp(&last) {
            Ordering::Equal => return fail(at, "rel_to_duplicate", format!("`{c}` is listed twice in REL TO")),
            Ordering::Less => {
                return fail(
                    at,
                    "rel_to_order",
                    format!(
                        "`{c}` must come before `{last}`: REL TO lists `USA` first, then trigraphs \
                         alphabetically, then tetragraphs alphabetically"
                    ),
                );
            }
            Ordering::Greater => {}
        }
        codes.insert(c);
        last = c;
        i = rest;
    }
    if i.starts_with([',', ' ']) {
        return fail(
            i,
            "rel_to",
            "codes in REL TO are separated by `, ` (a comma and one space)",
        );
    }
    if first != Code::USA {
        return fail(list, "rel_to_order", "a US REL TO list starts with `USA`");
    }
    match RelTo::new(codes) {
        Some(set) => Ok((i, set)),
        None => fail(list, "rel_to", "a REL TO list needs at least one code"),
    }
}

/// A country trigraph (ISO 3166-1 alpha-3) or an organisation code of the register.
fn code(i: &str) -> PResult<'_, Code> {
    let Ok((rest, raw)) = take_while1::<_, _, GrammarError<&str>>(|c: char| c.is_ascii_uppercase()).parse(i) else {
        return fail(
            i,
            "country_code",
            format!("expected a country code, found {}", shown(i)),
        );
    };
    match Code::parse(raw) {
        Ok(c) => Ok((rest, c)),
        Err(e) => fail(i, "country_code", e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// What the controls of one marking say, with the register's rules between them
// ---------------------------------------------------------------------------------------------

/// The controls seen so far, and where the reading is in the register's order.
#[derive(Default)]
struct Seen {
    controls: BTreeSet<Control>,
    rel_to: Option<RelTo>,
    /// Order key and word of the last known control.
    last: Option<(u8, String)>,
    /// The category of the current `//` block, once a known control set it.
    block: Option<Category>,
    /// Categories of the blocks already closed.
    done: Vec<Category>,
}

/// `REL TO`'s place in the register's order: after `PROPIN`, before `RELIDO`.
const REL_TO_KEY: u8 = 13;

/// A known control's place in the register's order (`REL TO` sits between two of them).
fn order_key(c: &Control) -> Option<u8> {
    let at = Control::known().iter().position(|k| k == c)?;
    u8::try_from(at).ok().map(|n| n.saturating_mul(2))
}

impl Seen {
    fn add<'a>(&mut self, at: &'a str, c: Control) -> Result<(), Reject<'a>> {
        if c == Control::Noforn && self.rel_to.is_some() {
            return reject(
                at,
                "rel_to_with_noforn",
                "`NOFORN` cannot mark information that is `REL TO`",
            );
        }
        if self.controls.contains(&c) {
            return reject(at, "duplicate_control", format!("`{c}` appears twice"));
        }
        if let (Some(key), Some(cat)) = (order_key(&c), c.category()) {
            self.known(at, key, cat, c.banner_word())?;
        }
        self.controls.insert(c);
        Ok(())
    }

    fn add_rel_to<'a>(&mut self, at: &'a str, set: RelTo) -> Result<(), Reject<'a>> {
        if self.controls.contains(&Control::Noforn) {
            return reject(
                at,
                "rel_to_with_noforn",
                "`REL TO` cannot mark information that is `NOFORN`",
            );
        }
        if self.rel_to.is_some() {
            return reject(at, "duplicate_control", "`REL TO` appears twice");
        }
        self.known(at, REL_TO_KEY, Category::Dissem, "REL TO")?;
        self.rel_to = Some(set);
        Ok(())
    }

    /// The register's order and categories for a known control at order `key`.
    fn known<'a>(&mut self, at: &'a str, key: u8, cat: Category, word: &str) -> Result<(), Reject<'a>> {
        match self.block {
            Some(block) if block != cat => {
                let detail = format!("`{word}` belongs to another category of controls and needs its own `//` block");
                return reject(at, "control_category", detail);
            }
            Some(_) => {}
            None if self.done.contains(&cat) => {
                let detail = format!(
                    "`{word}` continues a category already closed by `//`; separate controls of one category with `/`"
                );
                return reject(at, "control_category", detail);
            }
            None => self.block = Some(cat),
        }
        if let Some((last, last_word)) = &self.last
            && key < *last
        {
            let detail = format!("`{word}` must come before `{last_word}` (the register's order)");
            return reject(at, "control_order", detail);
        }
        self.last = Some((key, word.to_string()));
        Ok(())
    }

    fn into_label(self, scheme: &Scheme, level: usize) -> Label {
        let releasable_to = if self.controls.contains(&Control::Noforn) {
            Releasability::Nobody
        } else {
            self.rel_to.map_or(Releasability::Unrestricted, Releasability::To)
        };
        Label {
            classification: scheme.classification(level),
            releasable_to,
            controls: self.controls,
            tlp: None,
            sources: Default::default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering: the inverse of the grammar
// ---------------------------------------------------------------------------------------------

/// Render `label` as a banner line or portion marking of `scheme`: the level, then unknown
/// controls in one block, then the IC dissemination controls (with `REL TO` in its place),
/// then the non-IC ones. The result parses back to `label` (without its sources).
pub(crate) fn render(label: &Label, scheme: &Scheme, form: Form) -> Result<String, RenderError> {
    let err = |s: &str| Err(RenderError(s.to_string()));
    let Some(c) = &label.classification else {
        return err("a marking starts with a classification and the label has none");
    };
    if c.scheme != scheme.name {
        return Err(RenderError(format!(
            "the label is classified in scheme `{}`, not `{}`",
            c.scheme, scheme.name
        )));
    }
    let Some(level) = scheme.levels.iter().find(|l| l.name == c.level) else {
        return Err(RenderError(format!("scheme `{}` has no level `{}`", c.scheme, c.level)));
    };
    let level_word = match form {
        Form::Banner => level.name.as_str(),
        Form::Portion => match &level.portion {
            Some(p) => p.as_str(),
            None => return Err(RenderError(format!("level `{}` has no portion form", level.name))),
        },
    };
    if label.tlp.is_some() {
        return err("TLP has no place in a CAPCO marking");
    }
    let noforn = label.controls.contains(&Control::Noforn);
    let rel_to = match (&label.releasable_to, noforn) {
        (Releasability::Unrestricted, false) | (Releasability::Nobody, true) => None,
        (Releasability::To(set), false) if set.contains(Code::USA) => Some(set),
        (Releasability::To(_), false) => return err("a US REL TO list must include `USA`"),
        (Releasability::Nobody, false) => return err("releasable to nobody, which only `NOFORN` can say"),
        (_, true) => return err("`NOFORN` with a REL TO list"),
    };
    let cx = Cx { scheme, form };
    let mut unknown = Vec::new();
    let mut dissem = Vec::new();
    let mut non_ic = Vec::new();
    let rel_to_text = rel_to.map(|set| {
        let list: Vec<&str> = set.iter().map(|c| c.as_str()).collect();
        format!("REL TO {}", list.join(", "))
    });
    for control in &label.controls {
        if let Some(rel) = &rel_to_text
            && order_key(control).is_some_and(|k| k > REL_TO_KEY)
            && !dissem.contains(rel)
        {
            dissem.push(rel.clone());
        }
        match (control.words(), control.category()) {
            (Some((b, p)), Some(cat)) => {
                let w = if form == Form::Banner { b } else { p };
                match cat {
                    Category::Dissem => dissem.push(w.to_string()),
                    Category::NonIc => non_ic.push(w.to_string()),
                }
            }
            _ => {
                let w = control.banner_word();
                let well_formed =
                    matches!(word(w), Ok(("", _))) && matches!(control_word(w, w, &cx), Ok(Control::Unknown(_)));
                if !well_formed {
                    return Err(RenderError(format!(
                        "`{w}` cannot be written as a control in a marking"
                    )));
                }
                unknown.push(w.to_string());
            }
        }
    }
    if let Some(rel) = rel_to_text
        && !dissem.contains(&rel)
    {
        dissem.push(rel);
    }
    let mut out = level_word.to_string();
    for block in [unknown, dissem, non_ic] {
        if !block.is_empty() {
            out.push_str("//");
            out.push_str(&block.join("/"));
        }
    }
    Ok(match form {
        Form::Banner => out,
        Form::Portion => format!("({out})"),
    })
}

/// Fuzz property: any text accepted as a banner or portion (under the default and the tiny
/// limits) renders, and the rendering parses back to the same label and renders to itself.
#[doc(hidden)]
pub fn fuzz_banner(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scheme = Scheme::us();
    for limits in [Limits::default(), Limits::tiny()] {
        for form in [Form::Banner, Form::Portion] {
            let Ok(label) = parse(text, &scheme, &limits, form) else {
                continue;
            };
            assert!(
                looks_like_banner(text, &scheme),
                "accepted {text:?} without it looking like a marking"
            );
            let rendered = match render(&label, &scheme, form) {
                Ok(r) => r,
                Err(e) => panic!("accepted {text:?} as {label:?} but cannot render it: {e}"),
            };
            let again = match parse(&rendered, &scheme, &Limits::default(), form) {
                Ok(l) => l,
                Err(e) => panic!("{text:?} rendered as {rendered:?}, which does not parse: {e}"),
            };
            assert_eq!(again, label, "{text:?} rendered as {rendered:?}");
            assert_eq!(
                render(&again, &scheme, form).ok(),
                Some(rendered),
                "rendering of {text:?} is no fixpoint"
            );
        }
    }
}
