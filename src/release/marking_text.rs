//! Markings written in text, read the same way for every format: the mention test (whether a
//! text mentions a marking at all: [`mentions_marking`]), the reading of a marking text
//! ([`marking_text`]: a TLP level, banner line or portion mark written exactly, or unreadable),
//! and the finder of markings written inside free text ([`marks_in_text`], [`marking_in_text`]).
//!
//! STIX marking statements and names, ACS names and free text of STIX objects are read by it
//! ([`crate::release::stix`]); so are 4774 label texts, CAP restrictions and every text of an
//! XML document ([`crate::release::xml`]). It knows no format.

use crate::label::{Control, Label, Tlp, closed, parse_banner, parse_portion};
use crate::policy::Policy;

/// A rule that made a label unknowable: (rule, detail).
pub(crate) type LabelError = (&'static str, String);

/// Read one marking text: `Ok(None)` for free text that mentions no marking, the label of a
/// TLP level, banner line or portion mark that parses exactly, else `marking-unreadable`.
pub(crate) fn marking_text(text: &str, policy: &Policy, by: &str) -> Result<Option<Label>, LabelError> {
    if crate::release::prose::bare_portion(text, policy) {
        return Err((
            "marking-unreadable",
            format!("`{text}` is a portion mark without its parentheses: a level no banner reads"),
        ));
    }
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
fn capitals_by_look(text: &str) -> String {
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
pub(crate) fn loosen(s: &str) -> String {
    s.chars().map(loosen_char).collect()
}

/// One character as [`loosen`] reads it (each character is read alone, as one character).
pub(crate) fn loosen_char(c: char) -> char {
    match c {
        'l' | '1' | '|' | '!' => 'i',
        '0' => 'o',
        '3' | '\u{20AC}' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '6' | '9' => 'g',
        '7' => 't',
        '8' => 'b',
        c => c,
    }
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
    // Dissemination and control words the prose reader reads in capitals (red team round 3,
    // SA06).
    "waived",
    "comint",
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

/// The words a marking is made of under `policy`, in the two forms the readers compare them in.
/// Built in one pass over the policy, once per policy and thread: a message with many marking
/// definitions or strings asks for them once per definition or string.
struct MarkingWords {
    /// Levels and aliases of every scheme, control words (a short form only of three letters
    /// or more) and dissemination phrases, squeezed (letters, digits and `+`) and loosened, as
    /// [`mentions_marking`] compares them.
    mention: Vec<String>,
    /// Level names and aliases of every scheme and the control words (both forms), squeezed
    /// (letters and digits) and loosened as [`marks_in_text`] compares them, of two characters
    /// or more, each with the text a banner writes it in.
    banner: Vec<(String, String)>,
}

/// The [`MarkingWords`] of `policy`, cached per thread by the policy's hash.
fn marking_words(policy: &Policy) -> std::rc::Rc<MarkingWords> {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<(String, std::rc::Rc<MarkingWords>)>> =
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
    // Lowercase, letters and digits (and `+` for the mention test), loosened.
    let squeeze = |s: &str, plus: bool| -> String {
        loosen(
            &s.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || (plus && *c == '+'))
                .collect::<String>(),
        )
    };
    let mut mention: Vec<String> = Vec::new();
    let mut banner: Vec<(String, String)> = Vec::new();
    // A word both readers compare.
    let mut both = |w: &str, in_mention: bool| {
        if in_mention {
            mention.push(squeeze(w, true));
        }
        banner.push((squeeze(w, false), w.to_uppercase()));
    };
    for s in policy.schemes.iter() {
        for l in &s.levels {
            both(&l.name, true);
            for a in &l.aliases {
                both(a, true);
            }
        }
    }
    for c in Control::known()
        .iter()
        .chain(&policy.forbidden_controls)
        .chain(&policy.allowed_controls)
    {
        match c.words() {
            Some((long, short)) => {
                both(long, true);
                both(short, short.len() > 2);
            }
            None => both(&c.to_string(), true),
        }
    }
    mention.extend(PHRASES.iter().map(|p| loosen(p)));
    mention.retain(|w| !w.is_empty());
    banner.retain(|(w, _)| w.chars().count() >= 2);
    let words = std::rc::Rc::new(MarkingWords { mention, banner });
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
/// Each mark is handed to `read` as it is found, in the order of the text; the first answer
/// `read` gives ends the search and is returned (a text of many banners is not held as a list
/// of them all, and reading stops at the first that keeps the text back).
///
/// Linear in `n`: each `//`, `(` and `tlp` is looked at within a bounded window.
fn marks_in_text<R>(
    norm: &crate::text::Normalized,
    raw: &str,
    policy: &Policy,
    mut read: impl FnMut(String) -> Option<R>,
) -> Option<R> {
    const WINDOW: usize = 160;
    // Square and lenticular brackets are read as parentheses (`[S]`, `【S】`, `〔TS〕`: a portion
    // mark as a reader sees one), each written in as many bytes so places in the text stay.
    let bracketed = as_parentheses(&norm.text);
    let n = bracketed.as_ref();
    if !may_hold_marks(n) {
        return None;
    }
    // Longest first: `amber+strict` before `amber`.
    const COLOURS: [&str; 6] = ["amber+strict", "clear", "white", "green", "amber", "red"];
    let mut out = |mark: String| read(mark);
    // The text without whitespace and combining marks (a mark the normal form keeps, on a letter
    // shown right to left), each character with its byte index in `n`, held in 32 bits (8 bytes
    // a character, not 16: a text of `//` is all marking characters). A text of 4 GiB or more
    // is not read: it is held back (fail closed), as no limit lets one through.
    if u32::try_from(n.len()).is_err() {
        return out("(A TEXT TOO LONG TO READ FOR MARKINGS)".to_string());
    }
    let packed: Vec<(u32, char)> = n
        .char_indices()
        .filter(|&(_, c)| !c.is_whitespace() && !unicode_normalization::char::is_combining_mark(c))
        .filter_map(|(i, c)| Some((u32::try_from(i).ok()?, c)))
        .collect();
    let pk = |k: usize| packed.get(k).and_then(|&(i, c)| Some((usize::try_from(i).ok()?, c)));
    let pc = |k: usize| pk(k).map_or(' ', |(_, c)| c);
    // Whether the character at `i` starts a word (a letter of a script written without spaces
    // before it does not go on with it: `機密区分SECRET//…`).
    let starts_word = |i: usize| {
        let here = n.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
        !n.get(..i)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|p| crate::text::joins_word(p, here))
    };
    // Whether an ASCII digit stands right before the character at `i`.
    let after_digit = |i: usize| {
        n.get(..i)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|p| p.is_ascii_digit())
    };
    // Level and control words (squeezed and loosened, with the text a banner writes them in),
    // asked for when the first `//` is seen.
    let mut words: Option<std::rc::Rc<MarkingWords>> = None;
    // Whether the text holds a script written without spaces: found once, at the first
    // one-letter portion that asks (a text of many portions stays linear; red team R17).
    let mut unspaced_text: Option<bool> = None;
    for k in 0..packed.len() {
        let Some((i, c)) = pk(k) else { continue };
        match c {
            // TLP and a colour; digits glued before `TLP` or after the colour do not hide it
            // (`2024TLP:RED`, `TLP:RED2024`: red team round 3, SA04), letters do (`tip`).
            't' | '7'
                if (starts_word(i) || after_digit(i))
                    && matches!(pc(k + 1), 'l' | '1' | '|' | '!')
                    && pc(k + 2) == 'p' =>
            {
                // The colour: the packed text goes on with it, and a word of `n` ends with it
                // (or digits go on from it).
                let from = (k + 3..packed.len())
                    .find(|&j| !matches!(pc(j), ':' | '-' | '.'))
                    .unwrap_or(packed.len());
                let colour = COLOURS.iter().find(|c| {
                    let len = c.chars().count();
                    let read: String = (from..from + len).map(pc).collect();
                    let ends_word = (from + len).checked_sub(1).and_then(pk).is_some_and(|(i, c)| {
                        !n.get(i + c.len_utf8()..)
                            .and_then(|r| r.chars().next())
                            .is_some_and(|x| crate::text::joins_word(x, c) && !x.is_ascii_digit())
                    });
                    loosen(&read) == loosen(c) && ends_word
                });
                if let Some(c) = colour
                    && let Some(r) = out(format!("TLP:{}", c.to_ascii_uppercase()))
                {
                    return Some(r);
                }
            }
            // A banner: a level or control word, `//`, a word.
            '/' if pc(k + 1) == '/' && k > 0 && !matches!(pc(k - 1), ':' | '/') => {
                // The run of letters and digits (and `-`) before `//`, loosened, each character
                // with its index in `n`.
                let mut left: Vec<(usize, char)> = (k.saturating_sub(WINDOW)..k)
                    .rev()
                    .filter_map(pk)
                    // Signs written for letters (`UNCL@SSIFIED`) are read as letters.
                    .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '-' | '@' | '$' | '|' | '!' | '\u{20AC}'))
                    .filter(|(_, c)| *c != '-')
                    .map(|(i, c)| (i, loosen(&c.to_string()).chars().next().unwrap_or(c)))
                    .collect();
                left.reverse();
                let text: String = left.iter().map(|&(_, c)| c).collect();
                // The longest level or control word the run ends with, starting a word of `n`.
                let names = &words.get_or_insert_with(|| marking_words(policy)).banner;
                let level = names
                    .iter()
                    .filter(|(w, _)| text.ends_with(w.as_str()))
                    .filter(|(w, _)| {
                        let from = left.len().saturating_sub(w.chars().count());
                        left.get(from).is_some_and(|&(i, _)| starts_word(i))
                    })
                    .max_by_key(|(w, _)| w.len());
                let Some((matched, level)) = level else { continue };
                let Some((after, _)) = pk(k + 1) else { continue };
                let run: String = n
                    .get(after + 1..)
                    .unwrap_or_default()
                    .chars()
                    .take(WINDOW)
                    .take_while(|c| c.is_alphanumeric() || " /,-+@$|!\u{20AC}".contains(*c))
                    .collect();
                // Digits alone on both sides are numbers (`5//5`), not a banner written in digits.
                let level_written = left
                    .len()
                    .checked_sub(matched.chars().count())
                    .and_then(|from| left.get(from..))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|&(i, _)| n.get(i..).and_then(|r| r.chars().next()));
                if !level_written.chain(run.chars()).any(written_letter) {
                    continue;
                }
                // Even with nothing the policy knows after it (`top secret//si`), it is a banner.
                if let Some(r) = out(format!("{level}//{}", banner_end(&run, names)).to_ascii_uppercase()) {
                    return Some(r);
                }
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
                // The policy's portion levels, and those of the well-known schemes whatever the
                // policy (a policy without NATO's reads `(CTS)` as a marking it cannot read:
                // red team round 3, SB22).
                let portion = policy.schemes.iter().any(|s| {
                    s.levels
                        .iter()
                        .filter_map(|l| l.portion.as_deref())
                        .any(|p| loosen(&p.to_lowercase()) == loosen(&head))
                }) || WELL_KNOWN_PORTIONS.iter().any(|p| loosen(p) == loosen(&head));
                if !portion || !(rest.is_empty() || rest.starts_with("//")) {
                    continue;
                }
                // Digits alone (`(75)`, `(5)`) are read as a portion mark only where a
                // one-letter one is, opening a paragraph: elsewhere they are a number.
                let digits = !tight.chars().any(written_letter);
                if (head.chars().count() == 1 || digits) && rest.is_empty() {
                    let paragraph = n.get(..i).unwrap_or_default().trim_end_matches([' ', '\t']);
                    // In text with words of a script written without spaces, anywhere not glued
                    // to a Latin word (`(s)` is a plural there).
                    let unspaced = *unspaced_text.get_or_insert_with(|| n.chars().any(crate::text::is_unspaced_script));
                    let starts = opens_paragraph(norm, raw, i)
                        || (unspaced && !paragraph.ends_with(|c: char| c.is_ascii_alphanumeric()))
                        || (paragraph.ends_with(['.', '!', '?']) && capital_after(norm, raw, i));
                    let then = n.get(i + 2 + inner.len()..).unwrap_or_default().trim_start();
                    let year = then.starts_with(|c: char| c.is_ascii_digit());
                    if !starts || (loosen(&head) == "c" && year) {
                        continue;
                    }
                }
                if let Some(r) =
                    out(format!("({})", inner.split_whitespace().collect::<Vec<_>>().join(" ")).to_ascii_uppercase())
                {
                    return Some(r);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether `c` is written as a letter, or as a sign written for one (`$ECRET`): what a marking is
/// written in. Digits alone are a number, never a marking.
fn written_letter(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '@' | '$' | '|' | '!' | '\u{20AC}')
}

/// Whether the first letter after byte `i` of the normal form `norm` (of `raw`) was written as
/// a capital: a one-letter portion mark in capitals opening a sentence (`… end. (K) Extract`;
/// red team round 3, after session 33) is one, where a list's letter in small letters
/// (`(a) one. (c) three`) is not. Looks at most 16 characters on.
fn capital_after(norm: &crate::text::Normalized, raw: &str, i: usize) -> bool {
    let n = norm.text.as_str();
    let Some((j, c)) = n
        .get(i..)
        .unwrap_or_default()
        .char_indices()
        .take(16)
        .find(|(_, c)| c.is_alphanumeric())
    else {
        return false;
    };
    let at = i.saturating_add(j);
    // As written, in its compatibility form (`Ｋ`, `🄚` are capitals).
    norm.original(at, at.saturating_add(c.len_utf8()))
        .and_then(|(a, z)| raw.get(a..z))
        .and_then(|w| unicode_normalization::UnicodeNormalization::nfkc(w).find(|c| c.is_alphanumeric()))
        .is_some_and(char::is_uppercase)
}

/// `n` with each opening square, lenticular or tortoise-shell bracket written as `(` and each
/// closing one as `)`, padded with spaces to the bracket's length in bytes (so byte places stay
/// where they were); `n` itself when it holds none.
fn as_parentheses(n: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: [char; 5] = ['[', '\u{3010}', '\u{3014}', '\u{3016}', '\u{FF3B}'];
    const CLOSE: [char; 5] = [']', '\u{3011}', '\u{3015}', '\u{3017}', '\u{FF3D}'];
    // `[` by `memchr`; the other brackets are not ASCII (a char pattern decodes character by
    // character: asked of every string).
    if memchr::memchr(b'[', n.as_bytes()).is_none() && (n.is_ascii() || !n.contains(OPEN)) {
        return std::borrow::Cow::Borrowed(n);
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        let pad = " ".repeat(c.len_utf8().saturating_sub(1));
        if OPEN.contains(&c) {
            out.push_str(&pad);
            out.push('(');
        } else if CLOSE.contains(&c) {
            out.push(')');
            out.push_str(&pad);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Portion levels of the well-known schemes (US, NATO), lowercase: markings under any policy.
const WELL_KNOWN_PORTIONS: [&str; 10] = ["u", "c", "s", "ts", "nu", "nr", "nc", "ns", "cts", "ctsa"];

/// Whether the character at byte `i` of the normal form `norm` (of `raw`) opens a paragraph: the
/// text's start or a line break as written (the normal form writes a line break as a space) comes
/// before it, with at most a list's number or bullet between (`1. (S)`, `- (S)`), no letter.
/// Looks back over at most 16 characters; where the map cannot say, it opens one (fail closed).
fn opens_paragraph(norm: &crate::text::Normalized, raw: &str, i: usize) -> bool {
    const LINE_BREAKS: [char; 7] = ['\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{2028}', '\u{2029}'];
    let n = norm.text.as_str();
    let Some((mut next_at, _)) = norm.original(i, i + 1) else {
        return true;
    };
    for (seen, (j, c)) in n.get(..i).unwrap_or_default().char_indices().rev().enumerate() {
        if seen >= 16 {
            return false;
        }
        if c == ' ' || c == '\t' {
            continue;
        }
        let Some((a, z)) = norm.original(j, j + c.len_utf8()) else {
            return true;
        };
        if c == '\n' || raw.get(z..next_at).is_some_and(|between| between.contains(LINE_BREAKS)) {
            return true;
        }
        if c.is_alphabetic() {
            return false;
        }
        next_at = a;
    }
    // The text's start, spaces and marks of a list aside.
    true
}

/// Whether the text `n` (normal, or plain ASCII as written) may hold a marking
/// [`marks_in_text`] finds: `//` not after a `:` (a URL's), `(` and at most five letters or
/// digits then `)` or `/`, or a `p` after an `l` (or what passes for it) after a `t` (or `7`);
/// spaces and characters other than ASCII between them are passed over (as marks and spaces
/// slipped in are). A few `memchr` passes over the bytes, nothing allocated: it holds whenever
/// [`marks_in_text`] finds anything.
fn may_hold_marks(n: &str) -> bool {
    let b = n.as_bytes();
    // A control character reads as a space in the normal form (`(\0S)` is `( s)`).
    let significant = |c: u8| !c.is_ascii_whitespace() && !c.is_ascii_control() && c.is_ascii();
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
    // Each `p` by `memchr2` (a char pattern is decoded character by character).
    let tlp = memchr::memchr2_iter(b'p', b'P', b).any(|k| {
        let mut before = back(k).map(|c| c.to_ascii_lowercase());
        matches!(before.next(), Some(b'l' | b'1' | b'|' | b'!')) && matches!(before.next(), Some(b't' | b'7'))
    });
    // Before a `//`, only spaces are passed over: a letter of another script may end a level.
    let banner = || {
        memchr::memchr_iter(b'/', b).any(|k| {
            let prev = b
                .get(..k)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|c| !c.is_ascii_whitespace() && !c.is_ascii_control());
            ahead(k + 1).next() == Some(b'/') && !matches!(prev, Some(b':' | b'/'))
        })
    };
    let portion = || {
        memchr::memchr_iter(b'(', b).any(|k| {
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
    let raw = p.raw();
    let base = label.cloned().unwrap_or_default();
    // Why a mark found in the text keeps the object back, if it does.
    let why = |mark: &str| -> Option<String> {
        let read = match marking_text(mark, policy, id) {
            Ok(Some(l)) => l,
            Ok(None) => return None,
            Err((_, detail)) => return Some(format!("the text holds `{mark}`, a marking: {detail}")),
        };
        let d = base
            .combine(&read, &policy.schemes)
            .map(|l| policy.decide_with(&l, false));
        match d {
            Ok(d) if d.released() => None,
            Ok(d) => Some(format!("the text holds the marking `{mark}`: {}", d.detail)),
            Err(e) => Some(format!("the text holds the marking `{mark}`: {e}")),
        }
    };
    // Plain ASCII without escapes reads as itself: most strings hold no banner, portion or TLP
    // mark (markings in prose are looked for in every string).
    if raw.is_ascii() && !p.may_hold_escape() && !may_hold_marks(&as_parentheses(raw)) {
        return crate::release::prose::marks(p.normal(), raw, policy, &[])
            .iter()
            .find_map(|m| why(m));
    }
    // Capitals of other scripts are read by their look too (Cyrillic `М` is `M`, though `м` is
    // no `m`), as markings are written in capitals.
    let capitals_raw = if raw.chars().any(|c| !c.is_ascii() && c.is_uppercase()) {
        capitals_by_look(raw)
    } else {
        String::new()
    };
    let capitals: Vec<crate::text::Normalized> = if capitals_raw.is_empty() {
        Vec::new()
    } else {
        let mut v = vec![crate::text::normalize(&capitals_raw)];
        v.extend(crate::text::normalize_decoded(&capitals_raw));
        v
    };
    // Each mark as it is found; the first that keeps the object back ends the search. Then the
    // markings in its prose that no mark found says.
    let written = std::iter::once(p.normal()).chain(p.decoded()).map(|n| (n, raw));
    let by_look = capitals.iter().map(|n| (n, capitals_raw.as_str()));
    for (n, as_written) in written.chain(by_look) {
        let mut found: Vec<String> = Vec::new();
        let held = marks_in_text(n, as_written, policy, |mark: String| {
            let w = why(&mark);
            found.push(mark);
            w
        });
        if held.is_some() {
            return held;
        }
        if let Some(w) = crate::release::prose::marks(n, as_written, policy, &found)
            .iter()
            .find_map(|m| why(m))
        {
            return Some(w);
        }
    }
    None
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
///
/// Signs are read both ways: as the letters they are written for (`CONF!DENTIAL`, `$ECRET`) and
/// as what ends a word (`SECRET!`, `NOFORN|`: read only as letters, `secreti` was no word, and
/// the object crossed as unmarked).
fn mentions_marking(n: &str, policy: &Policy) -> bool {
    const SIGNS: [char; 5] = ['!', '|', '@', '$', '\u{20AC}'];
    mentions_loosened(n, policy) || (n.contains(SIGNS) && mentions_loosened(&n.replace(SIGNS, " "), policy))
}

/// [`mentions_marking`] of `n` with its signs read as letters.
fn mentions_loosened(n: &str, policy: &Policy) -> bool {
    let n = &loosen(n);
    if n.is_empty() {
        return false;
    }
    // `//` separates a marking's categories; a URL's `://` is not one.
    if n.replace("://", " ").contains("//") || n.starts_with('(') {
        return true;
    }
    let table = marking_words(policy);
    let words = &table.mention;
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

    /// Every mark [`marks_in_text`] finds in `n`, in order.
    fn all_marks(t: &str, p: &Policy) -> Vec<String> {
        let n = crate::text::normalize(t);
        let mut out = Vec::new();
        let none: Option<()> = marks_in_text(&n, t, p, |m| {
            out.push(m);
            None
        });
        assert!(none.is_none());
        out
    }

    fn marks(t: &str) -> Vec<String> {
        let p =
            Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap();
        all_marks(t, &p)
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

    /// [`may_hold_marks`] as it was, scanning for `p` by a char pattern.
    fn may_hold_marks_by_chars(n: &str) -> bool {
        let b = n.as_bytes();
        // A control character reads as a space in the normal form (`(\0S)` is `( s)`).
        let significant = |c: u8| !c.is_ascii_whitespace() && !c.is_ascii_control() && c.is_ascii();
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
        let banner = || {
            n.match_indices('/').any(|(k, _)| {
                let prev = b
                    .get(..k)
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    .find(|c| !c.is_ascii_whitespace() && !c.is_ascii_control());
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

    fn disguised() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (
            "[a-zA-Z tlpTLP17|!/():,.é日本\n]{0,16}",
            prop_oneof![
                proptest::sample::select(crate::fuzzing::FORBIDDEN_MARKINGS).prop_map(str::to_string),
                Just("TLP:RED".to_string()),
                Just("TLP:AMBER+STRICT".to_string()),
                "[tlpTLP17|!/():,. sécretnofr\u{336}\u{200b}極秘の\n(S)//NFrel ousajpn]{0,24}",
            ],
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-zA-Z tlpTLP17|!/():,.é日本\n]{0,16}",
        )
            .prop_map(|(a, m, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&m, &hows)))
    }

    proptest::proptest! {
        /// The `memchr` scan decides as the scan by a char pattern did, on text as written and
        /// in the normal form, disguised markings among it.
        #[test]
        fn may_hold_marks_by_memchr_is_may_hold_marks_by_chars(s in disguised()) {
            for t in [s.clone(), crate::text::normalize(&s).text] {
                proptest::prop_assert_eq!(may_hold_marks(&t), may_hold_marks_by_chars(&t), "{:?}", t);
            }
        }

        /// The check for a bracket by bytes reads as the char pattern did: on disguised
        /// markings, and among the brackets of every script it writes as parentheses.
        #[test]
        fn as_parentheses_by_bytes_is_as_parentheses_by_chars(
            s in disguised(),
            b in "[a-z \\[\\]\u{3010}\u{3011}\u{3014}\u{3015}\u{3016}\u{3017}\u{FF3B}\u{FF3D}\u{3000}\u{FF08}]{0,6}",
        ) {
            for t in [s.clone(), crate::text::normalize(&s).text, format!("{s}{b}"), b.clone()] {
                let (fast, full) = (as_parentheses(&t), as_parentheses_by_chars(&t));
                let owned = |c: &std::borrow::Cow<'_, str>| matches!(c, std::borrow::Cow::Owned(_));
                proptest::prop_assert_eq!(owned(&fast), owned(&full), "{:?}", t);
                proptest::prop_assert_eq!(fast, full, "{:?}", t);
            }
        }
    }

    /// [`as_parentheses`] as it was, looking for a bracket by a char pattern.
    fn as_parentheses_by_chars(n: &str) -> std::borrow::Cow<'_, str> {
        const OPEN: [char; 5] = ['[', '\u{3010}', '\u{3014}', '\u{3016}', '\u{FF3B}'];
        const CLOSE: [char; 5] = [']', '\u{3011}', '\u{3015}', '\u{3017}', '\u{FF3D}'];
        if !n.contains(OPEN) {
            return std::borrow::Cow::Borrowed(n);
        }
        let mut out = String::with_capacity(n.len());
        for c in n.chars() {
            let pad = " ".repeat(c.len_utf8().saturating_sub(1));
            if OPEN.contains(&c) {
                out.push_str(&pad);
                out.push('(');
            } else if CLOSE.contains(&c) {
                out.push(')');
                out.push_str(&pad);
            } else {
                out.push(c);
            }
        }
        std::borrow::Cow::Owned(out)
    }

    proptest::proptest! {
        /// The cheap test never passes over a text the finder reads a marking in.
        #[test]
        fn may_hold_marks_holds_whenever_a_mark_is_found(
            s in "[tlpTLP17|!/():,. sécretnofr\u{336}\u{200b}極秘の\n(S)//NFrel ousajpn]{0,40}"
        ) {
            let p = Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap();
            let n = crate::text::normalize(&s).text;
            proptest::prop_assert!(all_marks(&n, &p).is_empty() || may_hold_marks(&n), "{n:?}");
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

#[cfg(test)]
mod table_tests {
    use super::*;

    /// The two lists as they were built before there was one table: the mention test's words
    /// and the banner words, each in its own loop.
    fn apart(policy: &Policy) -> (Vec<String>, Vec<(String, String)>) {
        let squeeze = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric() || *c == '+').collect() };
        let mut words: Vec<String> = Vec::new();
        for s in policy.schemes.iter() {
            for l in &s.levels {
                words.push(squeeze(&l.name.to_lowercase()));
                words.extend(l.aliases.iter().map(|a| squeeze(&a.to_lowercase())));
            }
        }
        let known = Control::known();
        let controls = || {
            known
                .iter()
                .chain(&policy.forbidden_controls)
                .chain(&policy.allowed_controls)
        };
        for c in controls() {
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
        let words = words.iter().map(|w| loosen(w)).collect();
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
        for c in controls() {
            match c.words() {
                Some((long, short)) => {
                    out.push((squeeze(long), long.to_uppercase()));
                    out.push((squeeze(short), short.to_uppercase()));
                }
                None => out.push((squeeze(&c.to_string()), c.to_string().to_uppercase())),
            }
        }
        out.retain(|(w, _)| w.chars().count() >= 2);
        (words, out)
    }

    #[test]
    fn one_table_holds_both_lists_as_they_were_built_apart() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let Ok(p) = Policy::load(&path) else { continue };
            let t = marking_words(&p);
            let (mention, banner) = apart(&p);
            assert_eq!(t.mention, mention, "{}", path.display());
            assert_eq!(t.banner, banner, "{}", path.display());
            // Asked again: the one cached.
            assert!(std::rc::Rc::ptr_eq(&t, &marking_words(&p)));
            seen += 1;
        }
        assert!(seen >= 2, "policies read: {seen}");
    }
}
