//! The label every STIX marking stands for, read exactly or not at all.
//!
//! - A reserved TLP 1.0/2.0 id means its level; if the bundle carries its definition, that
//!   definition must be exactly the published body, or every unit it marks is denied and the
//!   definition does not go (`tlp-definition`).
//! - Any text a marking carries (a statement, a definition's `name`) is read in the one normal
//!   form of [`crate::text::normalize`]: if that mentions a classification level, a control, `TLP`,
//!   `REL TO` or a dissemination phrase, the text as written must parse exactly as a TLP level, a
//!   banner line or a portion mark, or the unit is denied (`marking-unreadable`). Other text is
//!   informative and states nothing. A `name` only ever tightens: it may not add a TLP level
//!   the body does not state.
//! - The ACS 3.0 marking extension is read by its own strict schema ([`acs`]).
//! - A classified marking without its own `REL TO` releases to nobody, so combining markings (a
//!   meet) never borrows one marking's `REL TO` for another's level.
//! - Two definitions with one id reject the message; a definition with a property no
//!   marking-definition has is invalid.

use std::collections::HashMap;

use crate::format::json::{Object, Value};
use crate::format::stix::markings::{TLP_IDS, TLP2_EXTENSION, TlpMarking};
use crate::format::stix::{Bundle, StixObject};
use crate::label::{Control, Label, Tlp, closed, parse_banner, parse_portion};
use crate::policy::Policy;

pub(super) mod acs;

/// A rule that made a label unknowable: (rule, detail).
pub(super) type LabelError = (&'static str, String);

/// The label of each marking definition in the bundle, by id. The labels are in one vector and
/// the map holds their indexes: a map of whole labels reserves room for up to twice as many as
/// it holds, and moves them all each time it grows (issue 16: 59,000 definitions).
#[derive(Debug, Default)]
pub(super) struct Markings {
    index: HashMap<String, usize>,
    labels: Vec<Result<Label, LabelError>>,
}

impl Markings {
    /// The label of the definition `id`, if the bundle has one.
    pub(super) fn get(&self, id: &str) -> Option<&Result<Label, LabelError>> {
        self.labels.get(*self.index.get(id)?)
    }
}

/// The properties a marking-definition may have (STIX 2.1 §7.2.1; custom `x_` ones aside).
const DEFINITION_PROPERTIES: &[&str] = &[
    "type",
    "spec_version",
    "id",
    "created_by_ref",
    "created",
    "external_references",
    "object_marking_refs",
    "granular_markings",
    "extensions",
    "name",
    "definition_type",
    "definition",
];

/// The label each marking definition in the bundle stands for, by id; `Err` with the id of a
/// definition that appears twice (definitions are immutable: the message is rejected).
pub(super) fn marking_labels(bundle: &Bundle<'_>, policy: &Policy) -> Result<Markings, String> {
    let definitions = || bundle.objects.iter().filter(|o| o.type_name == "marking-definition");
    let n = definitions().count();
    let mut out = Markings {
        index: HashMap::with_capacity(n),
        labels: Vec::with_capacity(n),
    };
    for o in definitions() {
        let label = match TLP_IDS.iter().find(|t| t.0 == o.id) {
            Some(&(id, level, version, name, value)) => {
                if reserved_body(o, version, name, value) {
                    Ok(tlp_marking(id, level))
                } else {
                    Err((
                        "tlp-definition",
                        format!(
                            "`{id}` is reserved for TLP {version}.0 {name}, and this definition is not exactly its published body"
                        ),
                    ))
                }
            }
            None => definition_label(o, policy),
        };
        if out.index.insert(o.id.clone(), out.labels.len()).is_some() {
            return Err(o.id.clone());
        }
        out.labels.push(label);
    }
    Ok(out)
}

/// The label of a reserved TLP id.
pub(super) fn tlp_label(id: &str) -> Option<Label> {
    TLP_IDS.iter().find(|t| t.0 == id).map(|t| tlp_marking(t.0, t.1))
}

fn tlp_marking(id: &str, level: TlpMarking) -> Label {
    let tlp = match level {
        TlpMarking::Clear | TlpMarking::White => Tlp::Clear,
        TlpMarking::Green => Tlp::Green,
        TlpMarking::Amber => Tlp::Amber,
        TlpMarking::AmberStrict => Tlp::AmberStrict,
        TlpMarking::Red => Tlp::Red,
    };
    Label {
        tlp: Some(tlp),
        ..Label::default()
    }
    .said_by(id)
}

/// Whether `o` is exactly the published definition of its reserved id: TLP 1.0 (STIX 2.1
/// §7.2.1.4) or TLP 2.0 (the OASIS TLP 2.0 marking-definition extension's objects).
fn reserved_body(o: &StixObject<'_>, version: u8, name: &str, value: &str) -> bool {
    let j = &o.json;
    let s = |k: &str, want: &str| j.get(k).and_then(Value::as_str) == Some(want);
    let only = |obj: &Object<'_>, keys: &[&str]| obj.len() == keys.len() && keys.iter().all(|k| obj.contains_key(k));
    let common = s("type", "marking-definition") && s("spec_version", "2.1") && s("id", &o.id) && s("name", name);
    match version {
        1 => {
            let def = j.get("definition").and_then(Value::as_object);
            common
                && only(
                    j,
                    &[
                        "type",
                        "spec_version",
                        "id",
                        "created",
                        "definition_type",
                        "name",
                        "definition",
                    ],
                )
                && s("created", "2017-01-20T00:00:00.000Z")
                && s("definition_type", "tlp")
                && def.is_some_and(|d| only(d, &["tlp"]) && d.get("tlp").and_then(Value::as_str) == Some(value))
        }
        _ => {
            let ext = j.get("extensions").and_then(Value::as_object);
            let tlp2 = ext.and_then(|e| e.get(TLP2_EXTENSION)).and_then(Value::as_object);
            common
                && only(j, &["type", "spec_version", "id", "created", "name", "extensions"])
                && s("created", "2022-10-01T00:00:00.000Z")
                && ext.is_some_and(|e| only(e, &[TLP2_EXTENSION]))
                && tlp2.is_some_and(|t| {
                    only(t, &["extension_type", "tlp_2_0"])
                        && t.get("extension_type").and_then(Value::as_str) == Some("property-extension")
                        && t.get("tlp_2_0").and_then(Value::as_str) == Some(value)
                })
        }
    }
}

/// The label a (non-reserved) marking definition stands for: its statement and its ACS
/// extension, both read and combined, tightened by what its `name` says.
fn definition_label(o: &StixObject<'_>, policy: &Policy) -> Result<Label, LabelError> {
    let bad = |rule: &'static str, what: String| Err((rule, format!("`{}`: {what}", o.id)));
    if let Some((k, _)) = o
        .json
        .iter()
        .find(|(k, _)| !DEFINITION_PROPERTIES.contains(k) && !k.starts_with("x_"))
    {
        return bad(
            "marking-definition-invalid",
            format!("a marking-definition has no property `{k}`"),
        );
    }
    let mut parts: Vec<Label> = Vec::new();
    match o.json.get("definition_type").and_then(Value::as_str) {
        None => {}
        Some("statement") => {
            let text = o
                .json
                .get("definition")
                .and_then(Value::as_object)
                .and_then(|d| d.get("statement"))
                .and_then(Value::as_str);
            let Some(text) = text else {
                return bad(
                    "marking-unreadable",
                    "a statement definition without a statement".into(),
                );
            };
            parts.push(marking_text(text, policy, &o.id)?.unwrap_or_default());
        }
        Some(other) => {
            return bad(
                "unknown-marking",
                format!("definition type `{other}` is not one this guard reads"),
            );
        }
    }
    let mut control_sets = 0usize;
    if let Some(ext) = o.json.get("extensions") {
        let Some(ext) = ext.as_object() else {
            return bad("marking-definition-invalid", "`extensions` is not an object".into());
        };
        for (k, v) in ext.iter() {
            let acs_like = k == acs::EXTENSION || v.as_object().is_some_and(|v| v.contains_key("control_set"));
            if !acs_like {
                return bad(
                    "unknown-marking",
                    format!("extension `{k}` is not a marking this guard reads"),
                );
            }
            control_sets += 1;
            if control_sets > 1 {
                return bad("acs-marking", "more than one ACS control set in one definition".into());
            }
            parts.push(acs::label(v, &o.id, policy)?);
        }
    }
    if parts.is_empty() {
        return bad("unknown-marking", "a marking this guard does not know".into());
    }
    let body = meet(parts, policy)?;
    // A name only tightens: it is read like any marking text, and may not grant a TLP level.
    let Some(name) = o.json.get("name").and_then(Value::as_str) else {
        return Ok(body);
    };
    let Some(named) = marking_text(name, policy, &o.id)? else {
        return Ok(body);
    };
    if named.tlp.is_some() && body.tlp.is_none() {
        return bad(
            "marking-name",
            format!("its name `{name}` states a TLP level its definition does not"),
        );
    }
    meet(vec![body, named], policy)
}

/// The meet of several markings' labels.
pub(super) fn meet(parts: Vec<Label>, policy: &Policy) -> Result<Label, LabelError> {
    let mut out = Label::default();
    for l in parts {
        out = out
            .combine(&l, &policy.schemes)
            .map_err(|e| ("classification-unknown", e.to_string()))?;
    }
    Ok(out)
}

/// Read one marking text: `Ok(None)` for free text that mentions no marking, the label of a
/// TLP level, banner line or portion mark that parses exactly, else `marking-unreadable`.
pub(crate) fn marking_text(text: &str, policy: &Policy, by: &str) -> Result<Option<Label>, LabelError> {
    let normal = crate::text::normalize(text);
    let capitals = crate::text::normalize(&capitals_by_look(text));
    // Read as written, and with its escapes decoded (`TLP:&#82;ED`), capitals by look too.
    let decoded = crate::text::escape::may_hold(text)
        && [text.to_string(), capitals_by_look(text)]
            .iter()
            .flat_map(|t| crate::text::normalize_decoded(t))
            .any(|d| mentions_marking(d.text.trim(), policy));
    if !decoded && !mentions_marking(normal.text.trim(), policy) && !mentions_marking(capitals.text.trim(), policy) {
        return Ok(None);
    }
    let t = text.trim();
    // A TLP statement names TLP: a bare colour (`GREEN`) is read as no marking at all.
    let tlp_named = t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("TLP:"));
    if t.is_ascii()
        && tlp_named
        && let Ok(tlp) = Tlp::parse(t)
    {
        return Ok(Some(
            Label {
                tlp: Some(tlp),
                ..Label::default()
            }
            .said_by(by),
        ));
    }
    let schemes = std::iter::once(&policy.scheme).chain(policy.schemes.iter().filter(|s| s.name != policy.scheme.name));
    let mut first_error = None;
    for scheme in schemes {
        let parsed = if t.starts_with('(') {
            parse_portion(t, scheme, &policy.limits)
        } else {
            parse_banner(t, scheme, &policy.limits)
        };
        match parsed {
            Ok(l) => return Ok(Some(closed(l.said_by(by), &policy.schemes))),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let why = first_error.map_or(String::new(), |e| format!(": {e}"));
    let seen: String = normal.text.trim().chars().take(120).collect();
    let text: String = text.chars().take(120).collect();
    Err((
        "marking-unreadable",
        format!(
            "`{by}`: `{text}` reads as a marking (`{seen}` in the normal form) but is not one written exactly{why}"
        ),
    ))
}

/// `text` with every capital that looks like an ASCII letter written as that letter: markings
/// are written in capitals, and a capital's look may not be its small form's (Cyrillic `М` is
/// `M` though `м` is no `m`; Greek `Ν` is `N` though `ν` reads `v`). The one normal form
/// lowercases first, as matching any case needs; a marking is also read this way.
pub(super) fn capitals_by_look(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let proto: String = if !c.is_ascii() && c.is_uppercase() {
            unicode_security::skeleton(c.encode_utf8(&mut buf)).collect()
        } else {
            String::new()
        };
        if !proto.is_empty() && proto.is_ascii() {
            out.push_str(&proto);
        } else {
            out.push(c);
        }
    }
    out
}

/// ASCII letters and digits that pass for each other read as one (`CONFlDENTlAL`, `N0FORN`),
/// and the digits and signs written for letters read as those letters (`S3CRET`, `$ECRET`,
/// `71P:R3D`, `CONF!DENTIAL`, `SECR€T`): only for deciding whether a text mentions a marking,
/// where reading more holds back more, never less.
fn loosen(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'l' | '1' | '|' | '!' => 'i',
            '0' => 'o',
            '3' | '\u{20AC}' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '6' | '9' => 'g',
            '7' => 't',
            '8' => 'b',
            c => c,
        })
        .collect()
}

/// Dissemination phrases and marking words, squeezed (lowercase, letters and digits only).
const PHRASES: &[&str] = &[
    "tlp",
    "relto",
    "releasable",
    "releasableto",
    "notreleasable",
    "noforeign",
    "nofornat",
    "foreignnationals",
    "eyesonly",
    "displayonly",
    "originatorcontrolled",
    "forofficialuseonly",
    "limiteddistribution",
    "exclusivedistribution",
    "nodistribution",
    "lawenforcementsensitive",
    "sensitivebutunclassified",
    "sensitivesecurityinformation",
    "controlledimagery",
    "risksensitive",
    "proprietary",
    "classified",
    "classification",
    "declassify",
    "amberstrict",
    "amber",
    "nf",
    // Controls written out or not in the policy's list: ORCON, NOFORN and REL TO in words,
    // compartments and special access, atomic energy, foreign government, other agencies'
    // and other countries' and sharing protocols' markings.
    "originator",
    "dissemination",
    "disseminate",
    "foreigngovernment",
    "authorizedforrelease",
    "authorisedforrelease",
    "releaseto",
    "eyes",
    "hcs",
    "sci",
    "sar",
    "specialaccess",
    "compartmented",
    "restricted",
    "restricteddata",
    "cnwdi",
    "ucni",
    "atomal",
    "fgi",
    "wnintel",
    "cui",
    "controlledunclassified",
    "nocontract",
    "exportcontrolled",
    "itar",
    "distributionstatement",
    "distributionauthorized",
    "usonly",
    "usgovonly",
    "sensitive",
    "pap",
    // Japanese level and handling words (found anywhere: the script is written without spaces).
    "極秘",
    "秘",
    "機密",
    "取扱注意",
    "部外秘",
    "社外秘",
    "関係者限り",
];

/// Control words too short to look for among other words (`R&D` is no `RD`), a marking when
/// they are the whole text: RESTRICTED DATA, FORMERLY RD, TALENT KEYHOLE, SPECIAL INTELLIGENCE.
const ALONE: &[&str] = &["rd", "frd", "tk", "si", "sig", "hcsp", "hcso"];

/// The words a marking is made of under `policy` (levels and aliases of every scheme, control
/// words, dissemination phrases), squeezed and loosened as [`mentions_marking`] compares them.
/// Built once per policy and thread: a message with many marking definitions asks for them once
/// per definition.
fn marking_words(policy: &Policy) -> std::rc::Rc<Vec<String>> {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<(String, std::rc::Rc<Vec<String>>)>> =
            const { std::cell::RefCell::new(None) };
    }
    let cached = CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(sha, _)| !sha.is_empty() && *sha == policy.sha256)
            .map(|(_, w)| std::rc::Rc::clone(w))
    });
    if let Some(w) = cached {
        return w;
    }
    let squeeze = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric() || *c == '+').collect() };
    let mut words: Vec<String> = Vec::new();
    for s in policy.schemes.iter() {
        for l in &s.levels {
            words.push(squeeze(&l.name.to_lowercase()));
            words.extend(l.aliases.iter().map(|a| squeeze(&a.to_lowercase())));
        }
    }
    for c in Control::known()
        .iter()
        .chain(&policy.forbidden_controls)
        .chain(&policy.allowed_controls)
    {
        match c.words() {
            Some((long, short)) => {
                words.push(squeeze(&long.to_lowercase()));
                if short.len() > 2 {
                    words.push(squeeze(&short.to_lowercase()));
                }
            }
            None => words.push(squeeze(&c.to_string().to_lowercase())),
        }
    }
    words.extend(PHRASES.iter().map(|p| p.to_string()));
    words.retain(|w| !w.is_empty());
    let words = std::rc::Rc::new(words.iter().map(|w| loosen(w)).collect::<Vec<String>>());
    CACHE.with(|c| *c.borrow_mut() = Some((policy.sha256.clone(), std::rc::Rc::clone(&words))));
    words
}

/// The markings written inside free text (a description that says `SECRET//NOFORN`, a paragraph
/// that starts `(S//NF)`, a note that says `TLP:RED`), as a reader of it would take them: each as
/// the marking text it stands for (upper case ASCII), to be read by [`marking_text`]. `n` is a
/// normal form ([`crate::text::normalize`]); spaces or marks slipped inside words or between
/// the two slashes do not hide a marking (`S E C R E T / / N F`). Found, so that prose does not count:
/// - `TLP` starting a word (`T1P`, `7LP` too; `tip` is a word), then `:`, `-`, `.` or spaces, then
///   a TLP colour (`tlp: r3d` too);
/// - `//` (a URL's `://` never) right after a level or control word, with a word after it, from
///   that word to the end of the run of marking characters (`top secret//si//noforn`);
/// - `(` portion level `)` or `(` portion level `//` … `)`, not glued to a word before it; a
///   one-letter level alone (`(s)`, `(c)`) only where a paragraph starts or, in a text with words
///   of a script written without spaces, where it is not glued to a Latin word (`機密区分(S)`,
///   `情報:(S)`), and `(c)` never before a year (the copyright sign).
///
/// Linear in `n`: each `//`, `(` and `tlp` is looked at within a bounded window.
pub(super) fn marks_in_text(n: &str, policy: &Policy) -> Vec<String> {
    const WINDOW: usize = 160;
    if !may_hold_marks(n) {
        return Vec::new();
    }
    // Longest first: `amber+strict` before `amber`.
    const COLOURS: [&str; 6] = ["amber+strict", "clear", "white", "green", "amber", "red"];
    let mut out = Vec::new();
    // The text without whitespace and combining marks (a mark the normal form keeps, on a letter
    // shown right to left), each character with its byte index in `n`.
    let packed: Vec<(usize, char)> = n
        .char_indices()
        .filter(|&(_, c)| !c.is_whitespace() && !unicode_normalization::char::is_combining_mark(c))
        .collect();
    let pc = |k: usize| packed.get(k).map_or(' ', |&(_, c)| c);
    // Whether the character at `i` starts a word (a letter of a script written without spaces
    // before it does not go on with it: `機密区分SECRET//…`).
    let starts_word = |i: usize| {
        let here = n.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
        !n.get(..i)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|p| crate::text::joins_word(p, here))
    };
    // Level and control words (squeezed and loosened, with the text a banner writes them in),
    // made when the first `//` is seen.
    let mut names: Option<Vec<(String, String)>> = None;
    for k in 0..packed.len() {
        let Some(&(i, c)) = packed.get(k) else { continue };
        match c {
            // TLP and a colour.
            't' | '7' if starts_word(i) && matches!(pc(k + 1), 'l' | '1' | '|' | '!') && pc(k + 2) == 'p' => {
                // The colour: the packed text goes on with it, and a word of `n` ends with it.
                let from = (k + 3..packed.len())
                    .find(|&j| !matches!(pc(j), ':' | '-' | '.'))
                    .unwrap_or(packed.len());
                let colour = COLOURS.iter().find(|c| {
                    let len = c.chars().count();
                    let read: String = (from..from + len).map(pc).collect();
                    let ends_word = (from + len)
                        .checked_sub(1)
                        .and_then(|e| packed.get(e))
                        .is_some_and(|&(i, c)| {
                            !n.get(i + c.len_utf8()..)
                                .and_then(|r| r.chars().next())
                                .is_some_and(|x| crate::text::joins_word(x, c))
                        });
                    loosen(&read) == loosen(c) && ends_word
                });
                if let Some(c) = colour {
                    out.push(format!("TLP:{}", c.to_ascii_uppercase()));
                }
            }
            // A banner: a level or control word, `//`, a word.
            '/' if pc(k + 1) == '/' && k > 0 && !matches!(pc(k - 1), ':' | '/') => {
                // The run of letters and digits (and `-`) before `//`, loosened, each character
                // with its index in `n`.
                let mut left: Vec<(usize, char)> = packed
                    .get(k.saturating_sub(WINDOW)..k)
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    // Signs written for letters (`UNCL@SSIFIED`) are read as letters.
                    .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '-' | '@' | '$' | '|' | '!' | '\u{20AC}'))
                    .filter(|(_, c)| *c != '-')
                    .map(|&(i, c)| (i, loosen(&c.to_string()).chars().next().unwrap_or(c)))
                    .collect();
                left.reverse();
                let text: String = left.iter().map(|&(_, c)| c).collect();
                // The longest level or control word the run ends with, starting a word of `n`.
                let names = names.get_or_insert_with(|| banner_words(policy));
                let level = names
                    .iter()
                    .filter(|(w, _)| text.ends_with(w.as_str()))
                    .filter(|(w, _)| {
                        let from = left.len().saturating_sub(w.chars().count());
                        left.get(from).is_some_and(|&(i, _)| starts_word(i))
                    })
                    .max_by_key(|(w, _)| w.len());
                let Some((_, level)) = level else { continue };
                let Some(&(after, _)) = packed.get(k + 1) else { continue };
                let run: String = n
                    .get(after + 1..)
                    .unwrap_or_default()
                    .chars()
                    .take(WINDOW)
                    .take_while(|c| c.is_alphanumeric() || " /,-+@$|!\u{20AC}".contains(*c))
                    .collect();
                // Even with nothing the policy knows after it (`top secret//si`), it is a banner.
                out.push(format!("{level}//{}", banner_end(&run, names)).to_ascii_uppercase());
            }
            // A portion mark.
            '(' if starts_word(i) => {
                let inner: String = n
                    .get(i + 1..)
                    .unwrap_or_default()
                    .chars()
                    .take(WINDOW)
                    .take_while(|c| *c != ')' && *c != '(')
                    .collect();
                if !n.get(i + 1 + inner.len()..).is_some_and(|r| r.starts_with(')')) {
                    continue;
                }
                let tight: String = inner
                    .chars()
                    .filter(|&c| !c.is_whitespace() && !unicode_normalization::char::is_combining_mark(c))
                    .collect();
                // Signs written for letters are read as letters (`(T$//…)`).
                let head: String = tight
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '@' | '$' | '|' | '!' | '\u{20AC}'))
                    .collect();
                let rest = tight.get(head.len()..).unwrap_or_default();
                let portion = policy.schemes.iter().any(|s| {
                    s.levels
                        .iter()
                        .filter_map(|l| l.portion.as_deref())
                        .any(|p| loosen(&p.to_lowercase()) == loosen(&head))
                });
                if !portion || !(rest.is_empty() || rest.starts_with("//")) {
                    continue;
                }
                if head.chars().count() == 1 && rest.is_empty() {
                    let paragraph = n.get(..i).unwrap_or_default().trim_end_matches([' ', '\t']);
                    // In text with words of a script written without spaces, anywhere not glued
                    // to a Latin word (`(s)` is a plural there).
                    let unspaced = n.chars().any(crate::text::is_unspaced_script);
                    let starts = paragraph.is_empty()
                        || paragraph.ends_with('\n')
                        || (unspaced && !paragraph.ends_with(|c: char| c.is_ascii_alphanumeric()));
                    let then = n.get(i + 2 + inner.len()..).unwrap_or_default().trim_start();
                    let year = then.starts_with(|c: char| c.is_ascii_digit());
                    if !starts || (loosen(&head) == "c" && year) {
                        continue;
                    }
                }
                out.push(format!("({})", inner.split_whitespace().collect::<Vec<_>>().join(" ")).to_ascii_uppercase());
            }
            _ => {}
        }
    }
    out
}

/// Whether the text `n` (normal, or plain ASCII as written) may hold a marking
/// [`marks_in_text`] finds: `//` not after a `:` (a URL's), `(` and at most five letters or
/// digits then `)` or `/`, or a `p` after an `l` (or what passes for it) after a `t` (or `7`);
/// spaces and characters other than ASCII between them are passed over (as marks and spaces
/// slipped in are). A few passes over the bytes, nothing allocated: it holds whenever
/// [`marks_in_text`] finds anything.
fn may_hold_marks(n: &str) -> bool {
    let b = n.as_bytes();
    let significant = |c: u8| !c.is_ascii_whitespace() && c.is_ascii();
    // The significant bytes before `k`, nearest first; and from `k` on.
    let back = |k: usize| {
        b.get(..k)
            .unwrap_or_default()
            .iter()
            .rev()
            .copied()
            .filter(|&c| significant(c))
    };
    let ahead = |k: usize| {
        b.get(k..)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&c| significant(c))
    };
    let tlp = n.match_indices(['p', 'P']).any(|(k, _)| {
        let mut before = back(k).map(|c| c.to_ascii_lowercase());
        matches!(before.next(), Some(b'l' | b'1' | b'|' | b'!')) && matches!(before.next(), Some(b't' | b'7'))
    });
    // Before a `//`, only spaces are passed over: a letter of another script may end a level.
    let banner = || {
        n.match_indices('/').any(|(k, _)| {
            let prev = b
                .get(..k)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|c| !c.is_ascii_whitespace());
            ahead(k + 1).next() == Some(b'/') && !matches!(prev, Some(b':' | b'/'))
        })
    };
    let portion = || {
        n.match_indices('(').any(|(k, _)| {
            let head = ahead(k + 1)
                .take(6)
                .take_while(|x| x.is_ascii_alphanumeric() || b"@$|!".contains(x))
                .count();
            head <= 5 && matches!(ahead(k + 1).nth(head), Some(b')' | b'/'))
        })
    };
    tlp || banner() || portion()
}

/// The part of `run` (what follows a banner's first `//`) that is still the banner: up to the
/// first word, not right after a `/`, that is no control word (read with digits and signs as
/// letters) and, in a `REL TO` list, no code or control word after a `, `: `rel to usa, jpn the
/// actor used` is `rel to usa, jpn`, `rel to usa, jpn, noforn` all of it. What is cut so short
/// that it no longer reads as a marking holds the object back.
fn banner_end<'r>(run: &'r str, names: &[(String, String)]) -> &'r str {
    let in_word = |c: char| c.is_alphanumeric() || "-@$|!\u{20AC}".contains(c);
    // Where REL TO stands: 0 outside, 1 right after `TO`, 2 in its list of codes.
    let mut rel_to = 0u8;
    let mut end = 0;
    let mut at = 0;
    while let Some(offset) = run.get(at..).and_then(|r| r.find(in_word)) {
        let start = at + offset;
        let rest = run.get(start..).unwrap_or_default();
        let len = rest.find(|c: char| !in_word(c)).unwrap_or(rest.len());
        let word = rest.get(..len).unwrap_or_default().to_lowercase();
        let sep = run.get(end..start).unwrap_or_default();
        let code = (3..=4).contains(&word.chars().count()) && word.chars().all(|c| c.is_ascii_alphanumeric());
        let known = names.iter().any(|(w, _)| *w == loosen(&word.replace('-', "")));
        let goes_on = match rel_to {
            // A word right after a `/` (the first right after `//`) is in the banner whatever
            // it is.
            _ if sep.contains('/') || end == 0 => true,
            1 => code,
            // After `, ` a code, or a control word that has no place there (`, NOFORN`).
            2 if sep.contains(',') => code || known,
            _ if word == "rel" => true,
            _ if word == "to"
                && run
                    .get(..start)
                    .is_some_and(|b| b.trim_end().to_lowercase().ends_with("rel")) =>
            {
                true
            }
            2 => false,
            _ => known,
        };
        if !goes_on {
            break;
        }
        rel_to = match (rel_to, word.as_str()) {
            (_, "to") => 1,
            (1 | 2, _) if !sep.contains('/') || rel_to == 1 => 2,
            _ => 0,
        };
        end = start + len;
        at = end;
    }
    run.get(..end).unwrap_or_default()
}

/// Why a marking written in the text (`SECRET//NOFORN`, `(S//NF)`, `TLP:RED`: see
/// [`marks_in_text`]), read in the normal form and with its escapes decoded, keeps
/// the object back: the marking cannot be read exactly, or, met with the object's own label, it
/// may not go. `None` when the text says no marking, or only ones that may go.
pub(crate) fn marking_in_text(
    p: &crate::text::Prepared<'_>,
    label: Option<&Label>,
    policy: &Policy,
    id: &str,
) -> Option<String> {
    // Plain ASCII without escapes reads as itself: most strings say nothing of the kind.
    let raw = p.raw();
    if raw.is_ascii() && !crate::text::escape::may_hold(raw) && !may_hold_marks(raw) {
        return None;
    }
    let base = label.cloned().unwrap_or_default();
    // Capitals of other scripts are read by their look too (Cyrillic `М` is `M`, though `м` is
    // no `m`), as markings are written in capitals.
    let capitals = raw
        .chars()
        .any(|c| !c.is_ascii() && c.is_uppercase())
        .then(|| capitals_by_look(raw))
        .map(|c| {
            let mut v = vec![crate::text::normalize(&c)];
            v.extend(crate::text::normalize_decoded(&c));
            v
        })
        .unwrap_or_default();
    for n in std::iter::once(p.normal()).chain(p.decoded()).chain(&capitals) {
        for mark in marks_in_text(&n.text, policy) {
            let read = match marking_text(&mark, policy, id) {
                Ok(Some(l)) => l,
                Ok(None) => continue,
                Err((_, detail)) => return Some(format!("the text holds `{mark}`, a marking: {detail}")),
            };
            let d = base
                .combine(&read, &policy.schemes)
                .map(|l| policy.decide_with(&l, false));
            match d {
                Ok(d) if d.released() => {}
                Ok(d) => return Some(format!("the text holds the marking `{mark}`: {}", d.detail)),
                Err(e) => return Some(format!("the text holds the marking `{mark}`: {e}")),
            }
        }
    }
    None
}

/// The level names and aliases of every scheme of `policy` and the control words, squeezed and
/// loosened as [`marks_in_text`] compares them, each with the text a banner writes it in.
fn banner_words(policy: &Policy) -> Vec<(String, String)> {
    let squeeze = |s: &str| -> String {
        loosen(
            &s.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>(),
        )
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for s in policy.schemes.iter() {
        for l in &s.levels {
            out.push((squeeze(&l.name), l.name.to_uppercase()));
            out.extend(l.aliases.iter().map(|a| (squeeze(a), a.to_uppercase())));
        }
    }
    for c in Control::known()
        .iter()
        .chain(&policy.forbidden_controls)
        .chain(&policy.allowed_controls)
    {
        match c.words() {
            Some((long, short)) => {
                out.push((squeeze(long), long.to_uppercase()));
                out.push((squeeze(short), short.to_uppercase()));
            }
            None => out.push((squeeze(&c.to_string()), c.to_string().to_uppercase())),
        }
    }
    out.retain(|(w, _)| w.chars().count() >= 2);
    out
}

/// The words of `n`: runs of letters, digits and `+` (trimmed of `+`), a run also ending where
/// ASCII letters and digits meet letters and digits of other scripts (`noforn扱い`).
fn words_of(n: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut ascii = None;
    for c in n.chars() {
        let in_word = c.is_alphanumeric() || c == '+';
        let this_ascii = c.is_ascii();
        if !in_word || (c != '+' && ascii.is_some_and(|a| a != this_ascii)) {
            out.push(std::mem::take(&mut word));
            ascii = None;
        }
        if in_word {
            word.push(c);
            if c != '+' {
                ascii = Some(this_ascii);
            }
        }
    }
    out.push(word);
    out.into_iter()
        .map(|w| w.trim_matches('+').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `n` (a normalised text) mentions a marking: a level word of any scheme of the
/// policy, a control word, `TLP`, `REL TO`, a dissemination phrase, `//`, or a portion mark.
/// Words are also read with the spaces and punctuation between them taken out, one pair of
/// neighbours at a time and across runs of single letters (`S E C R E T`).
pub(super) fn mentions_marking(n: &str, policy: &Policy) -> bool {
    let n = &loosen(n);
    if n.is_empty() {
        return false;
    }
    // `//` separates a marking's categories; a URL's `://` is not one.
    if n.replace("://", " ").contains("//") || n.starts_with('(') {
        return true;
    }
    let words = marking_words(policy);
    let squeeze = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric() || *c == '+').collect() };
    let squeezed_all = squeeze(n);
    if ALONE.iter().any(|w| loosen(w) == squeezed_all) {
        return true;
    }
    // A TLP level alone, or as the only ASCII words among words of a script written without
    // spaces (`機密区分RED指定`).
    let ascii_words: String = words_of(n).into_iter().filter(|w| w.is_ascii()).collect();
    if ["red", "amber", "amber+strict", "green", "clear", "white"]
        .iter()
        .any(|c| loosen(c) == squeezed_all || loosen(c) == ascii_words)
    {
        return true;
    }
    // Portion marks inside the text: `(` portion word `)` or `(` portion word `/`; a one-letter
    // one (`(S)`; `(c)` is also the copyright sign, `(s)` a plural) only in a text with words of
    // a script written without spaces, and not glued to a Latin word (`本資料は(S)`, `情報:(S)`,
    // spaces aside).
    let unspaced_script = n.chars().any(|c| c.is_alphanumeric() && !c.is_ascii());
    let packed: String = n.chars().filter(|c| !c.is_whitespace()).collect();
    let glued = |pat: &str| {
        unspaced_script
            && packed.match_indices(pat).any(|(i, _)| {
                !packed
                    .get(..i)
                    .and_then(|b| b.chars().next_back())
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            })
    };
    for s in policy.schemes.iter() {
        for p in s.levels.iter().filter_map(|l| l.portion.as_deref()) {
            let p = loosen(&p.to_lowercase());
            let (closed, open) = (format!("({p})"), format!("({p}/"));
            if p.chars().count() > 1 && (n.contains(&closed) || n.contains(&open)) {
                return true;
            }
            if glued(&closed) || glued(&open) {
                return true;
            }
        }
    }
    // Words end where the script changes too: Japanese is written without spaces, so
    // `本資料はNOFORN指定` holds the word `noforn`.
    let tokens: Vec<String> = words_of(n);
    // Each word, and two to four neighbours read as one (`no forn`, `top secret`, `se cr et`).
    let joined = (1..=4).flat_map(|k| tokens.windows(k).map(|w| w.concat()));
    // A word joined by `+` is also read part by part (`amber+strict` is `amber` too).
    let is_word = |c: &str| c.split('+').chain([c]).any(|p| words.iter().any(|w| p == w)) || c.starts_with("tlp");
    if joined.into_iter().any(|c| is_word(&c)) {
        return true;
    }
    // Runs of one- and two-letter pieces (`s e c r e t`, `no fo rn`) are a disguise: any
    // marking word inside one counts.
    let mut runs: Vec<String> = vec![String::new()];
    for t in &tokens {
        if t.chars().count() <= 2 {
            if let Some(r) = runs.last_mut() {
                r.push_str(t);
            }
        } else {
            runs.push(String::new());
        }
    }
    let in_run = runs
        .iter()
        .filter(|r| r.chars().count() >= 3)
        .any(|r| words.iter().any(|w| w.chars().count() >= 3 && r.contains(w.as_str())) || r.contains("tlp"));
    // Words in scripts written without spaces (`極秘` inside a Japanese sentence) are found
    // anywhere in the text.
    let unspaced = words
        .iter()
        .filter(|w| !w.is_ascii())
        .any(|w| squeezed_all.contains(w.as_str()));
    in_run
        || unspaced
        || words
            .iter()
            .filter(|w| w.chars().count() >= 8)
            .any(|w| squeezed_all.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::Releasability;

    fn policy() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    #[test]
    fn free_text_mentions_no_marking() {
        let p = policy();
        for t in [
            "Copyright 2015-2025, The MITRE Corporation. MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation.",
            "Copyright (c) Stark Industries 2017.",
            "Terms of use: share with attribution",
            "Terms: https://example.com/terms",
        ] {
            assert!(!mentions_marking(&crate::text::normalize(t).text, &p), "{t}");
        }
    }

    #[test]
    fn disguised_markings_are_mentions() {
        let p = policy();
        for t in [
            "ＳＥＣＲＥＴ／／ＮＯＦＯＲＮ",
            "SE\u{200B}CRET",
            "S\u{415}CRET",
            "s e c r e t",
            "NO FORN",
            "tlp：red",
            "TLP-AMBER",
            "Top Secret",
            "(S)",
            "(TS)",
            "rel to usa, jpn",
            "AMBER+STRICT",
            "For Official Use Only",
            "S3CRET",
            "$ECRET",
            "71P:R3D",
            "CONF!DENTIAL",
            "SECR\u{20AC}T",
            "T0P 5ECRE7",
            "4M83R+57R1C7",
            "NOFORN扱い",
            "本資料はNOFORN指定",
            "ORCON指定",
            "機密区分SECRET",
            "PROPIN情報",
            "これはamber+strict情報",
            "share AMBER+STRICT only",
            "本資料は(S)",
            "本資料は ( S )",
            "機密区分RED指定",
            "Dissemination and extraction of information controlled by originator",
            "Not for foreign dissemination",
            "Authorized for release to USA, GBR",
            "US/UK EYES",
            "HCS-P",
            "TK",
            "RD",
            "CUI",
            "FGI",
            "Foreign government information",
            "WNINTEL",
            "ATOMAL",
            "DEA SENSITIVE",
            "DISTRIBUTION STATEMENT D: Distribution authorized to the Department of Defense and U.S. DoD contractors only",
            "US ONLY",
            "PAP:RED",
            "極秘",
            "本件は部外秘",
        ] {
            assert!(mentions_marking(crate::text::normalize(t).text.trim(), &p), "{t}");
        }
    }

    #[test]
    fn level_words_of_unspaced_scripts_are_found_inside_sentences() {
        let p =
            Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/jpn-to-us.toml")).unwrap();
        assert!(mentions_marking(&crate::text::normalize("この情報は極秘です").text, &p));
        assert!(!mentions_marking(
            &crate::text::normalize("この情報は公開です").text,
            &p
        ));
    }

    #[test]
    fn bare_tlp_colours_are_not_read_as_tlp() {
        assert_eq!(
            marking_text("GREEN", &policy(), "m").unwrap_err().0,
            "marking-unreadable"
        );
        assert!(
            marking_text("TLP:GREEN", &policy(), "m")
                .unwrap()
                .unwrap()
                .tlp
                .is_some()
        );
    }

    #[test]
    fn capitals_are_read_by_their_look() {
        // Cyrillic М and Greek Ν, whose small forms are no `m` and `n`.
        let l = marking_text("TLP:A\u{41C}BER", &policy(), "m").unwrap_err();
        assert_eq!(l.0, "marking-unreadable");
        assert!(marking_text("\u{39D}OFORN", &policy(), "m").is_err());
    }

    #[test]
    fn portion_marks_parse_exactly() {
        let l = marking_text("(S//REL TO USA, JPN)", &policy(), "m").unwrap().unwrap();
        assert!(l.releasable_to.permits(crate::label::Code::parse("JPN").unwrap()));
    }

    #[test]
    fn a_classified_marking_without_rel_to_releases_to_nobody() {
        let l = marking_text("SECRET", &policy(), "m").unwrap().unwrap();
        assert_eq!(l.releasable_to, Releasability::Nobody);
        let u = marking_text("UNCLASSIFIED", &policy(), "m").unwrap().unwrap();
        assert_eq!(u.releasable_to, Releasability::Unrestricted);
    }
}
#[cfg(test)]
mod marks_in_text_tests {
    use super::*;

    fn marks(t: &str) -> Vec<String> {
        let p =
            Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap();
        marks_in_text(&crate::text::normalize(t).text, &p)
    }

    #[test]
    fn a_banner_in_text_ends_where_the_prose_starts() {
        for (t, want) in [
            (
                "UNCLASSIFIED//REL TO USA, JPN\nThe actor used",
                "UNCLASSIFIED//REL TO USA, JPN",
            ),
            ("SECRET//NOFORN, the actor", "SECRET//NOFORN"),
            (
                "UNCLASSIFIED//REL TO USA, JPN, NOFORN",
                "UNCLASSIFIED//REL TO USA, JPN, NOFORN",
            ),
            ("TOP SECRET//SI//NOFORN annex", "TOP SECRET//SI//NOFORN"),
            (
                "UNCLASSIFIED//REL TO USA, JPN//FOO the",
                "UNCLASSIFIED//REL TO USA, JPN//FOO",
            ),
            // Spaced apart, it no longer reads as a marking: the object is held back.
            ("This report is S E C R E T / / N O F O R N", "SECRET// N"),
        ] {
            assert_eq!(marks(t), [want], "{t}");
        }
    }

    #[test]
    fn prose_holds_no_marking() {
        for t in [
            "see https://example.com//path and file(s)",
            "Copyright (c) 2020 ACME",
            "(C) 2020 ACME",
            "TLP is the Traffic Light Protocol; a red team tip: green",
            "the words secret and red are words",
            "//comment",
        ] {
            assert!(marks(t).is_empty(), "{t}: {:?}", marks(t));
        }
    }

    proptest::proptest! {
        /// The cheap test never passes over a text the finder reads a marking in.
        #[test]
        fn may_hold_marks_holds_whenever_a_mark_is_found(
            s in "[tlpTLP17|!/():,. sécretnofr\u{336}\u{200b}極秘の\n(S)//NFrel ousajpn]{0,40}"
        ) {
            let p = Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap();
            let n = crate::text::normalize(&s).text;
            proptest::prop_assert!(marks_in_text(&n, &p).is_empty() || may_hold_marks(&n), "{n:?}");
        }
    }

    #[test]
    fn portions_and_tlp_in_text_are_read() {
        assert_eq!(marks("(S//NF) The actor"), ["(S//NF)"]);
        assert_eq!(marks("(S) The actor"), ["(S)"]);
        assert_eq!(marks("The actor (S) did"), Vec::<String>::new());
        assert_eq!(marks("The actor (TS) did"), ["(TS)"]);
        assert_eq!(marks("per TLP: r3d rules"), ["TLP:RED"]);
        assert_eq!(marks("本資料はTLP:RED扱い"), ["TLP:RED"]);
    }
}
