//! Markings written in prose (design principle 9), read by the guard for every format: a control
//! word no English word spells (`handle as NOFORN material`, any case), a level above the
//! lowest of its scheme written in capitals (`this report is SECRET`), a level named as a
//! classification (`classified as secret`, any case), releasability said in words (`releasable
//! to`, `eyes only`, `foreign nationals`), `TLP` and a colour whatever stands between them
//! (`T.L.P. RED`, `TLP:AMBER STRICT`), and a banner of words in capitals around `//` whatever
//! the words (`S//NF`, `CUI//NOFORN`).
//!
//! Words of a script written without spaces or capitals (`極秘`, `機密`, `取扱注意`) are read
//! where they stand as a marking: set off by brackets, spaces, punctuation or the text's edge
//! (`【極秘】`), named (`区分：極秘`, `極秘指定`, `極秘扱い`) or said of the text (`本件は極秘です`).
//! `TLP` and a colour written in another language is that colour (`TLP:赤`); `TLP:` and a word
//! that is no colour, a TLP marking no reader can read (`TLP:PURPLE`).
//!
//! Read on the normal form (so every disguise the normal form undoes is undone), with its
//! letters and digits taken together whatever separates them (`S E C R E T`, `S.E.C.R.E.T`),
//! where the hit stands on word boundaries of the normal text. Whether a letter was written in
//! capitals is asked of the text as written, through the normal form's map: a letter counts as
//! small only when what it was written as starts with a lowercase letter that is not a small
//! capital (an escape or a symbol is taken as a capital: the stricter reading).
//!
//! Red team round 3 (session 33): `TLP:AMBER` with `STRICT` joined any way (`TLP:AMBER and
//! STRICT`, `TLP:AMBER|STRICT`) and `TLP` glued to digits (`2024TLP:RED`, `TLP:RED2024`);
//! `US only` with its `US` in capitals (`US-only`, `U.S. only`: a NOFORN); the US control
//! abbreviations as whole words in capitals (`SBU`, `LES`, `SSI`, `TK`, `WAIVED`, `COMINT`); the
//! NATO portion levels `NS` and `CTS` (and `TS`, `NC`, `NR`, `CTSA`) in capitals where a level is
//! stated (`Level NS`, `Classification: CTS`, alone on a line), not where they are a threat
//! report's words (`the domain's NS records`); a level in small letters after a word that
//! classifies (`Graded: secret`, `Classified: yes (secret)`, `Classified as ts`).
//!
//! The second verifier reads the same rules with its own code (`verifier::prose`).

use std::rc::Rc;

use aho_corasick::AhoCorasick;

use crate::policy::Policy;
use crate::text::Normalized;

/// Control words no word of English spells.
const CONTROL_WORDS: [&str; 10] = [
    "noforn",
    "orcon",
    "propin",
    "relido",
    "imcon",
    "limdis",
    "exdis",
    "nodis",
    "nocontract",
    "fouo",
];

/// More controls and releasability in words, in any case, each with the marking it says (red
/// team round 3, SA05, SA06): no word of English prose says them.
const SAID_IN_ANY_CASE: [(&str, &str); 32] = [
    ("sbu-nf", "SBU NOFORN"),
    ("les-nf", "LES NOFORN"),
    ("dsen", "DSEN"),
    ("rsen", "RSEN"),
    ("fvey", "REL TO FVEY"),
    ("rel usa", "REL TO"),
    ("not for foreign dissemination", "NOFORN"),
    ("no foreign dissemination", "NOFORN"),
    ("foreign dissemination", "NOFORN"),
    ("originator controlled", "ORCON"),
    ("controlled by originator", "ORCON"),
    ("for official use only", "FOUO"),
    ("official use only", "FOUO"),
    ("releasable only to", "REL TO"),
    ("releasable usa", "REL TO"),
    ("for us eyes", "REL TO"),
    ("hvcco", "REL TO"),
    ("do not share with foreign", "NOFORN"),
    ("authorized for release to", "REL TO"),
    ("authorised for release to", "REL TO"),
    ("us persons only", "NOFORN"),
    ("proprietary information involved", "PROPIN"),
    ("oc-usgov", "ORCON-USGOV"),
    ("talent keyhole", "TK"),
    ("specat", "REL TO"),
    ("law enforcement sensitive", "LES"),
    // Controls the statement reader counts as markings, and the sharing protocol beside TLP
    // (s38 red-team probe): `WNINTEL`, `ATOMAL`, `CNWDI`, `PAP:RED`, `PAP:AMBER`, and WNINTEL in
    // words. `PAP:GREEN` and `PAP:CLEAR` let the partner act on it: no restriction to honour.
    ("wnintel", "WNINTEL"),
    ("intelligence sources or methods involved", "WNINTEL"),
    ("atomal", "ATOMAL"),
    ("cnwdi", "CNWDI"),
    ("pap:red", "PAP:RED"),
    ("pap:amber", "PAP:AMBER"),
];

/// Controls in words that mark with two capitals or more, as a level does (`Foreign Government
/// Information`, `DEA Sensitive`, `Distribution Statement D`); in small letters they are prose
/// (`requests for foreign government information`). Read with the short form they stand for
/// (s38 red-team probe).
const SAID_TITLED: [(&str, &str); 9] = [
    ("foreign government information", "FGI"),
    ("sensitive but unclassified", "SBU"),
    ("controlled unclassified information", "CUI"),
    ("dea sensitive", "DEA SENSITIVE"),
    ("distribution statement b", "REL TO"),
    ("distribution statement c", "REL TO"),
    ("distribution statement d", "REL TO"),
    ("distribution statement e", "REL TO"),
    ("distribution statement f", "REL TO"),
];

/// Controls and releasability that mark when written in capitals (`FISA`, `DISTRIBUTION D`): in
/// small letters they are words or names of prose (`the fisa court`). The US control and
/// dissemination abbreviations among them mark only as whole words in capitals (red team round
/// 3, SA06): `tk` and `Tk` (the Python GUI) and `les` (French) are prose.
const SAID_IN_CAPITALS: [(&str, &str); 31] = [
    ("fisa", "FISA"),
    ("hcs", "HCS"),
    ("cui", "CUI"),
    ("us gov only", "REL TO"),
    ("distribution b", "REL TO"),
    ("distribution c", "REL TO"),
    ("distribution d", "REL TO"),
    ("distribution e", "REL TO"),
    ("distribution f", "REL TO"),
    ("sbu", "SBU"),
    ("les", "LES"),
    ("ssi", "SSI"),
    ("tk", "TK"),
    ("waived", "WAIVED"),
    ("comint", "COMINT"),
    // Foreign government information, `EXCLUSIVE FOR`, and `<country> EYES` without `ONLY`
    // (`US/UK EYES`; `the UK eyes a deal` is prose) (s38 red-team probe).
    ("fgi", "FGI"),
    ("exclusive for", "REL TO"),
    ("us eyes", "REL TO"),
    ("usa eyes", "REL TO"),
    ("uk eyes", "REL TO"),
    ("gbr eyes", "REL TO"),
    ("can eyes", "REL TO"),
    ("aus eyes", "REL TO"),
    ("nzl eyes", "REL TO"),
    ("five eyes", "REL TO"),
    // Distribution limits of companies and agencies (s39 probe: `Handle as INTERNAL USE ONLY
    // material` crossed); in small letters they are prose (`for internal use only, the agent…`).
    ("internal use only", "FOUO"),
    ("do not distribute", "REL TO"),
    ("not for distribution", "REL TO"),
    ("not for public release", "REL TO"),
    ("limited distribution", "LIMDIS"),
    ("distribution limited", "LIMDIS"),
];

/// `SSI` is also Server Side Includes: before these words, or after `include(s)`, it is the
/// web technique (`SSI injection`, `Server-Side Includes (SSI)`), not the control.
const SSI_TECHNIQUE: [&str; 8] = [
    "injection",
    "injections",
    "directive",
    "directives",
    "include",
    "includes",
    "tag",
    "tags",
];

/// Releasable to the US alone, a NOFORN in other words (red team round 3, SA05): `US` or `USA`
/// in capitals (`U.S.`, `US-only` too), then `only` in any case. After a word of place (`in the
/// USA only`: where a service runs) it is prose, unless written all in capitals.
const US_ONLY: [&str; 2] = ["us only", "usa only"];

/// Words of place before `US only` that make it a place, not a releasability (`the`, `a`
/// passed over).
const OF_PLACE: [&str; 6] = ["in", "within", "inside", "across", "throughout", "outside"];

/// What, written before a level in any case, names it a classification.
const NAMED_BY: [&str; 31] = [
    "classified",
    "classified as",
    "classified at",
    "classified at the",
    "classified as the",
    "security",
    "security classification",
    "security level",
    "clearance",
    "clearance level",
    "classification of this document",
    "classification of this report",
    "classification of the document",
    "classification of the report",
    "the classification of this report is",
    "classification",
    "classification is",
    "classification level",
    "marked",
    "marked as",
    "marking",
    "marking is",
    "level",
    // Red team round 3, SA18: `Graded: secret`, `Classified: yes (secret)`.
    "graded",
    "graded as",
    "graded at",
    "graded at the",
    "classified yes",
    "classification yes",
    "marked yes",
    "marking yes",
];

/// What names a classification strongly enough that a portion level after it, in any case, is
/// a level (`Classified as ts`, `classified as cts`; red team round 3, SA18). Weaker words
/// (`level`, `marked`, `security`) name one only before a portion level in capitals: see
/// [`bare_levels`].
const NAMED_STRONGLY: [&str; 11] = [
    "classified",
    "classified as",
    "classified at",
    "classified yes",
    "classification",
    "classification is",
    "classification level",
    "classification yes",
    "graded",
    "graded as",
    "graded at",
];

/// Portion levels of the well-known schemes (US, NATO) above the lowest, of two letters or more:
/// a level when a word names it one, or when it stands alone (see [`bare_levels`]). A
/// one-letter portion (`S`, `C`) is left to the portion readers: `Level C` and `graded a` are
/// prose.
const NAMED_PORTIONS: [&str; 6] = ["ts", "nr", "nc", "ns", "cts", "ctsa"];

/// Words that, right before a portion level in capitals (some of [`BETWEEN_NAMING`] between),
/// state a level (red team round 3, SA07: `Level NS per the originator`, `Classification: CTS`).
const STATES_A_LEVEL: [&str; 9] = [
    "level",
    "classification",
    "classified",
    "marked",
    "marking",
    "graded",
    "grade",
    "security",
    "clearance",
];

/// Words after `NS` that make it the DNS record type whatever stands before it (`marked NS
/// records as lame`, `Security: NS servers`).
const DNS_AFTER_NS: [&str; 14] = [
    "record",
    "records",
    "rr",
    "rrs",
    "rrset",
    "server",
    "servers",
    "lookup",
    "lookups",
    "query",
    "queries",
    "entry",
    "entries",
    "delegation",
];

/// Words that may stand between a word of [`STATES_A_LEVEL`] and the level (`Classified as NS`,
/// `Marked: yes (CTS)`).
const BETWEEN_NAMING: [&str; 7] = ["as", "at", "is", "the", "yes", "be", "of"];

/// What, written after a level in any case, names it a classification (`secret-level`, `top
/// secret classification`, `secret-classified`).
const NAMING_AFTER: [&str; 3] = ["level", "classification", "classified"];

/// Releasability in words, in any case.
const RELEASABILITY: [&str; 4] = ["releasable to", "eyes only", "foreign nationals", "rel to"];

/// The TLP colours, as the marking reader writes them.
const COLOURS: [&str; 6] = ["CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED"];

/// How `TLP` and a version may be written before the colour.
const TLP_HEADS: [&str; 9] = [
    "tlp", "tlp2", "tlp20", "tlpv2", "tlpv20", "tlp1", "tlp10", "tlpv1", "tlpv10",
];

/// Japanese words of handling, markings whatever the policy (the mention test reads them too).
const JAPANESE_MARKINGS: [&str; 8] = [
    "極秘",
    "機密",
    "秘",
    "取扱注意",
    "部外秘",
    "社外秘",
    "関係者限り",
    "特定秘密",
];

/// Right before a word of a script written without spaces: a particle that ends the word before
/// it (`本件は`), or a word that names it a marking (`区分`).
const JAPANESE_BEFORE: [&str; 14] = [
    "は",
    "が",
    "も",
    "を",
    "の",
    "区分",
    "分類",
    "指定",
    "等級",
    "レベル",
    "格付け",
    "格付",
    "表示",
    "扱い",
];

/// Right after it: a copula (`です`), or a word that makes it a marking (`指定`, `扱い`, `文書`).
const JAPANESE_AFTER: [&str; 19] = [
    "です",
    "である",
    "であり",
    "だ",
    "とする",
    "とし",
    "とされ",
    "に指定",
    "に区分",
    "指定",
    "扱",
    "区分",
    "文書",
    "資料",
    "事項",
    "相当",
    "以上",
    "限り",
    "として",
];

/// Words that may stand between `TLP` and its colour (`TLP is RED`, `TLP level RED`, `TLP
/// version 2.0: RED`).
const TLP_BETWEEN: [&str; 14] = [
    "is",
    "level",
    "lvl",
    "version",
    "designation",
    "rating",
    "colour",
    "color",
    "code",
    "marking",
    "label",
    "status",
    "set",
    "protocol",
];

/// TLP colours drawn (`TLP:🔴`).
const TLP_EMOJI: [(char, &str); 14] = [
    ('\u{1F534}', "RED"),
    ('\u{1F7E5}', "RED"),
    ('\u{2764}', "RED"),
    ('\u{1F7E0}', "AMBER"),
    ('\u{1F7E7}', "AMBER"),
    ('\u{1F7E1}', "AMBER"),
    ('\u{1F7E8}', "AMBER"),
    ('\u{1F7E2}', "GREEN"),
    ('\u{1F7E9}', "GREEN"),
    ('\u{1F49A}', "GREEN"),
    ('\u{26AA}', "CLEAR"),
    ('\u{2B1C}', "CLEAR"),
    ('\u{1F90D}', "CLEAR"),
    ('\u{26AB}', "BLACK"),
];

/// TLP colours written in Japanese.
const JAPANESE_COLOURS: [(&str, &str); 14] = [
    ("赤", "RED"),
    ("レッド", "RED"),
    ("アンバー", "AMBER"),
    ("琥珀", "AMBER"),
    ("黄色", "AMBER"),
    ("黄", "AMBER"),
    ("橙", "AMBER"),
    ("オレンジ", "AMBER"),
    ("緑", "GREEN"),
    ("グリーン", "GREEN"),
    ("白", "WHITE"),
    ("ホワイト", "WHITE"),
    ("クリア", "CLEAR"),
    ("透明", "CLEAR"),
];

/// `STRICT` written after `AMBER` in Japanese, or in Latin letters.
const STRICT: [&str; 3] = ["strict", "ストリクト", "厳格"];

/// What may stand after a level and a separator other than `//` (`S/NF`, `TS|SI|NF`,
/// `SECRET\\NOFORN`, `S_NF`) and make the two a banner: control words and their portion forms.
const SEPARATED_CONTROLS: [&str; 36] = [
    "noforn",
    "nf",
    "si",
    "tk",
    "hcs",
    "sci",
    "rel",
    "relido",
    "oc",
    "orcon",
    "pr",
    "propin",
    "fouo",
    "imc",
    "imcon",
    "rs",
    "rsen",
    "ds",
    "dsen",
    "xd",
    "nd",
    "limdis",
    "exdis",
    "nodis",
    "fisa",
    "sar",
    "rd",
    "frd",
    "sbu",
    "les",
    "ssi",
    "cui",
    "fgi",
    "nocontract",
    "lesnf",
    "sbunf",
];

/// Control words that start such a banner as a level does (`SI/TK`, `HCS-P`).
const SEPARATED_LEADS: [&str; 5] = ["si", "tk", "hcs", "sci", "cui"];

/// Control words no word of any language holds: glued to other letters they still mark
/// (`NOFORNreport`, `reportNOFORN`, `SECRETNOFORN`).
const GLUED_CONTROLS: [&str; 4] = ["noforn", "fouo", "relido", "nocontract"];

/// What separates a banner's parts when it is not `//` (`/`, `\`, `|`, `¦`, `_`, `-`, `.`).
fn separates(c: char) -> bool {
    matches!(c, '/' | '\\' | '|' | '\u{A6}' | '_' | '-' | '.')
}

/// When a phrase of the vocabulary marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum When {
    /// Written in any case.
    Always,
    /// `TLP` and a colour, unless written `tip` (a word).
    NotTip,
    /// `US only` ([`US_ONLY`]): its `US` or `USA` in capitals, and not after a word of place
    /// ([`OF_PLACE`]) unless every letter is a capital.
    UsOnly,
    /// A level: every letter written in capitals, or two or more (`Top Secret`).
    InCapitals,
    /// Every letter written in capitals (`USA ONLY`; `USA only` is prose).
    AllCapitals,
}

/// The prose vocabulary of one policy: phrases squeezed to letters and digits (each read as
/// [`crate::text::letter_byte`] reads it), what each says, and when it marks.
struct Vocabulary {
    finder: Option<AhoCorasick>,
    says: Vec<(String, When)>,
    portions: Vec<Vec<u8>>,
    /// Words of scripts written without spaces, and what each says.
    unspaced: Option<AhoCorasick>,
    unspaced_says: Vec<String>,
    /// What starts a banner of separated parts, squeezed: portion levels (`true`: a portion
    /// only, no banner word), level names with and without their spaces, [`SEPARATED_LEADS`].
    leads: Vec<(Vec<u8>, bool)>,
    /// The indices of [`Vocabulary::leads`] by their first byte, in the order of `leads` (an
    /// empty lead, were there one, under every byte): a word is compared only with the leads
    /// that start as it does ([`banners_of_separators`] looks at every word of every text).
    leads_by_first: Vec<Vec<usize>>,
    /// One-letter portion levels above the lowest (`c`, `s`, `k`), lowercase: a level right
    /// after a word that names one ([`bare_levels`]).
    one_letter: Vec<String>,
    /// [`SEPARATED_CONTROLS`] and [`GLUED_CONTROLS`], squeezed ([`banners_of_separators`]).
    controls: Vec<Vec<u8>>,
    glued: Vec<Vec<u8>>,
}

/// [`Vocabulary::leads_by_first`] of `leads`: 256 lists of indices, each ascending, and a last
/// one of every index (for an empty word).
fn leads_by_first(leads: &[(Vec<u8>, bool)]) -> Vec<Vec<usize>> {
    let mut by: Vec<Vec<usize>> = (0..=u8::MAX)
        .map(|b| {
            leads
                .iter()
                .enumerate()
                .filter(|(_, (l, _))| l.first().is_none_or(|&f| f == b))
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    by.push((0..leads.len()).collect());
    by
}

/// The leads of `v` that may start `word`: those whose first byte is its first (and an empty
/// lead), in the order of [`Vocabulary::leads`]; every lead when `word` is empty, or with `all`
/// (the full reading, which the tests compare with).
fn leads_for<'v>(v: &'v Vocabulary, word: &[u8], all: bool) -> impl Iterator<Item = &'v (Vec<u8>, bool)> + 'v {
    let slot = word.first().filter(|_| !all).map_or(256, |&b| usize::from(b));
    v.leads_by_first
        .get(slot)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|&i| v.leads.get(i))
}

/// The byte of the squeezed text [`marks`] reads for `c` (as written in the normal form), or
/// `None` when `c` is no letter there.
fn squeezed_letter(c: char) -> Option<u8> {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii_alphanumeric() || crate::text::sign_letter(b).is_some() => {
            Some(crate::text::letter_byte(b))
        }
        // The euro sign is written for an `E` (`SECR€T`).
        _ if c == '\u{20AC}' => Some(b'e'),
        _ => None,
    }
}

/// `s` as the squeezed text reads it: its letters and digits, lowercase, each read as a letter.
fn squeezed(s: &str) -> Vec<u8> {
    s.chars()
        .filter_map(|c| match u8::try_from(c) {
            Ok(b) if b.is_ascii_alphanumeric() || crate::text::sign_letter(b).is_some() => {
                Some(crate::text::letter_byte(b.to_ascii_lowercase()))
            }
            _ if c == '\u{20AC}' => Some(b'e'),
            _ => None,
        })
        .collect()
}

impl Vocabulary {
    fn of(policy: &Policy) -> Vocabulary {
        let mut phrases: Vec<(Vec<u8>, String, When)> = Vec::new();
        for w in CONTROL_WORDS {
            phrases.push((squeezed(w), w.to_uppercase(), When::Always));
        }
        // `+STRICT` is TLP's alone (2.0): `AMBER+STRICT` needs no `TLP` before it.
        phrases.push((squeezed("amber+strict"), "TLP:AMBER+STRICT".to_string(), When::Always));
        for scheme in policy.schemes.iter() {
            let lowest: Vec<String> = scheme
                .levels
                .first()
                .into_iter()
                .flat_map(|l| std::iter::once(&l.name).chain(&l.aliases))
                .flat_map(|n| n.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>())
                .collect();
            for level in scheme.levels.iter().skip(1) {
                for name in std::iter::once(&level.name).chain(&level.aliases) {
                    let said = name.to_uppercase();
                    let whole = squeezed(name);
                    if whole.is_empty() || lowest.contains(&name.to_lowercase()) {
                        continue; // written in another script: the mention test reads it
                    }
                    if whole.len() >= 4 {
                        phrases.push((whole, said.clone(), When::InCapitals));
                    }
                    for word in name.split_whitespace() {
                        if word.chars().count() >= 4 && !lowest.contains(&word.to_lowercase()) {
                            phrases.push((squeezed(word), said.clone(), When::InCapitals));
                        }
                    }
                    for by in NAMED_BY {
                        phrases.push((squeezed(&format!("{by} {name}")), said.clone(), When::Always));
                    }
                    for after in NAMING_AFTER {
                        phrases.push((squeezed(&format!("{name} {after}")), said.clone(), When::Always));
                    }
                }
            }
        }
        // A portion level after a word that names a classification strongly, in any case
        // (`Classified as ts`): the portion mark it is.
        let portions_above: Vec<String> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1).filter_map(|l| l.portion.as_deref()))
            .map(str::to_lowercase)
            .chain(NAMED_PORTIONS.iter().map(|p| (*p).to_string()))
            .filter(|p| p.chars().count() >= 2 && p.is_ascii())
            .collect();
        for by in NAMED_STRONGLY {
            for p in &portions_above {
                phrases.push((
                    squeezed(&format!("{by} {p}")),
                    format!("({})", p.to_uppercase()),
                    When::Always,
                ));
            }
        }
        for r in RELEASABILITY {
            phrases.push((squeezed(r), "REL TO".to_string(), When::Always));
        }
        for w in US_ONLY {
            phrases.push((squeezed(w), "NOFORN".to_string(), When::UsOnly));
        }
        for (w, said) in SAID_IN_ANY_CASE {
            phrases.push((squeezed(w), said.to_string(), When::Always));
        }
        for (w, said) in SAID_IN_CAPITALS {
            phrases.push((squeezed(w), said.to_string(), When::AllCapitals));
        }
        for (w, said) in SAID_TITLED {
            phrases.push((squeezed(w), said.to_string(), When::InCapitals));
        }
        for colour in COLOURS {
            for head in TLP_HEADS {
                phrases.push((
                    squeezed(&format!("{head}{colour}")),
                    format!("TLP:{colour}"),
                    When::NotTip,
                ));
            }
        }
        // One meaning per phrase: the one that asks least.
        phrases.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        phrases.dedup_by(|a, b| a.0 == b.0);
        let finder = AhoCorasick::new(phrases.iter().map(|(p, _, _)| p.as_slice())).ok();
        let portions = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().filter_map(|l| l.portion.as_deref()))
            .map(squeezed)
            .collect();
        // Levels above the lowest written in a script without spaces (`極秘`), and the
        // Japanese handling words, each saying itself (the marking reader reads it).
        let mut unspaced_says: Vec<String> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1))
            .flat_map(|l| std::iter::once(&l.name).chain(&l.aliases))
            .filter(|n| !n.is_empty() && n.chars().all(crate::text::is_unspaced_script))
            .cloned()
            .chain(JAPANESE_MARKINGS.iter().map(|w| (*w).to_string()))
            .collect();
        unspaced_says.sort();
        unspaced_says.dedup();
        let unspaced = AhoCorasick::new(unspaced_says.iter().map(|w| crate::text::normalize(w).text)).ok();
        let mut leads: Vec<(Vec<u8>, bool)> = Vec::new();
        for scheme in policy.schemes.iter() {
            for level in &scheme.levels {
                for name in std::iter::once(&level.name).chain(&level.aliases) {
                    if name.is_ascii() && !squeezed(name).is_empty() {
                        leads.push((squeezed(name), false));
                    }
                }
            }
        }
        for scheme in policy.schemes.iter() {
            for p in scheme.levels.iter().filter_map(|l| l.portion.as_deref()) {
                let p = squeezed(p);
                if !p.is_empty() && !leads.iter().any(|(w, _)| *w == p) {
                    leads.push((p, true));
                }
            }
        }
        leads.extend(SEPARATED_LEADS.iter().map(|w| (squeezed(w), false)));
        // One-letter portions above the lowest, and the US ones whatever the policy.
        let mut one_letter: Vec<String> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1).filter_map(|l| l.portion.as_deref()))
            .chain(["C", "S"])
            .filter(|p| p.len() == 1 && p.is_ascii())
            .map(str::to_lowercase)
            .collect();
        one_letter.sort();
        one_letter.dedup();
        let leads_by_first = leads_by_first(&leads);
        Vocabulary {
            leads_by_first,
            one_letter,
            controls: SEPARATED_CONTROLS.iter().map(|w| squeezed(w)).collect(),
            glued: GLUED_CONTROLS.iter().map(|w| squeezed(w)).collect(),
            leads,
            finder,
            says: phrases.into_iter().map(|(_, s, w)| (s, w)).collect(),
            portions,
            unspaced,
            unspaced_says,
        }
    }

    /// Built once per policy and thread.
    fn cached(policy: &Policy) -> Rc<Vocabulary> {
        thread_local! {
            static CACHE: std::cell::RefCell<Option<(String, Rc<Vocabulary>)>> = const { std::cell::RefCell::new(None) };
        }
        let hit = CACHE.with(|c| {
            c.borrow()
                .as_ref()
                .filter(|(sha, _)| !sha.is_empty() && *sha == policy.sha256)
                .map(|(_, v)| Rc::clone(v))
        });
        if let Some(v) = hit {
            return v;
        }
        let v = Rc::new(Vocabulary::of(policy));
        CACHE.with(|c| *c.borrow_mut() = Some((policy.sha256.clone(), Rc::clone(&v))));
        v
    }
}

/// Whether `text`, whole, is one of the policy's portion marks without its parentheses (`TS`,
/// `NS`): a level, though no banner reader takes it for one.
pub(crate) fn bare_portion(text: &str, policy: &Policy) -> bool {
    let v = Vocabulary::cached(policy);
    // Letters and digits only: `(U)` is the portion form, read as such.
    let read = |t: &str| {
        let n = crate::text::normalize(t);
        let t = n.text.trim();
        if t.chars().all(|c| c.is_alphanumeric()) {
            squeezed(t)
        } else {
            Vec::new()
        }
    };
    let whole = read(text);
    let decoded = crate::text::escape::decode(text).map(|(d, _)| read(&d));
    !whole.is_empty()
        && text.trim().chars().count() <= 8
        && (v.portions.contains(&whole) || decoded.is_some_and(|d| v.portions.contains(&d)))
}

/// The markings written in the prose of `n` (the normal form of `raw`), as the marking reader
/// reads them; not what a banner or portion mark already `found` in the text says (`SECRET` and
/// `REL TO` of `SECRET//REL TO USA, JPN` are that banner's).
pub(crate) fn marks(n: &Normalized, raw: &str, policy: &Policy, found: &[String]) -> Vec<String> {
    let v = Vocabulary::cached(policy);
    let signs = bars_between_digits(n, raw);
    let text = signs.as_deref().unwrap_or(n.text.as_str());
    let bytes = text.as_bytes();
    // The squeezed text, and where each of its bytes is in `text`.
    // Counted first, then filled: one allocation each of exactly the size they need (a capacity
    // of the text's length, even bounded, is memory a long text of few letters never uses:
    // tests/scaling.rs measures it; grown as letters were found, they were reallocated three or
    // four times a text).
    let count = text.chars().filter(|&c| squeezed_letter(c).is_some()).count();
    let mut letters: Vec<u8> = Vec::with_capacity(count);
    let mut from: Vec<usize> = Vec::with_capacity(count);
    for (i, c) in text.char_indices() {
        let Some(letter) = squeezed_letter(c) else {
            continue;
        };
        letters.push(letter);
        from.push(i);
    }
    let mut out: Vec<String> = Vec::new();
    let mut hits: Vec<(String, usize, usize)> = Vec::new();
    if let Some(finder) = &v.finder {
        for m in finder.find_overlapping_iter(&letters) {
            let (Some(&a), Some(&z)) = (from.get(m.start()), m.end().checked_sub(1).and_then(|e| from.get(e))) else {
                continue;
            };
            // The hit ends after its last character (`€` is three bytes).
            let end = text
                .get(z..)
                .and_then(|t| t.chars().next())
                .map_or(z, |c| z + c.len_utf8());
            let Some((said, when)) = v.says.get(m.pattern().as_usize()) else {
                continue;
            };
            // Digits alone are a number, not a marking written in digits (`port 135` is no
            // `LES`, `551` no `SSI`).
            if from
                .get(m.start()..m.end())
                .unwrap_or_default()
                .iter()
                .all(|&i| bytes.get(i).is_some_and(u8::is_ascii_digit))
            {
                continue;
            }
            // A `_` ends a control word, a releasability phrase, a TLP marking or a level of
            // two words written whole (`TLP_RED_report.pdf`, `report_NOFORN.pdf`,
            // `Q3_TOP_SECRET_brief`: red team round 3, SA17); it joins a one-word level to an
            // identifier (`AWS_SECRET_ACCESS_KEY`).
            let underscored = !matches!(when, When::InCapitals | When::AllCapitals)
                || (said.contains(' ') && m.len() == squeezed(said).len());
            let edge = |at: usize, start: bool| {
                word_edge(text, at, start)
                    || (underscored
                        && if start {
                            text.get(..at).is_some_and(|t| t.ends_with('_'))
                        } else {
                            text.get(at..).is_some_and(|t| t.starts_with('_'))
                        })
            };
            if !edge(a, true) || !edge(end, false) {
                continue;
            }
            let marks = match when {
                When::Always => true,
                When::NotTip => from.get(m.start() + 1).and_then(|&i| bytes.get(i)) != Some(&b'i'),
                // In capitals, or with two capitals or more (`Top Secret`, `SeCrEt`; red team
                // round 3, SA07); one capital is prose (`Secret Service`).
                When::InCapitals => {
                    let letters = from.get(m.start()..m.end()).unwrap_or_default();
                    let small = letters.iter().filter(|&&i| written_small(n, raw, i)).count();
                    let capitals = letters.iter().filter(|&&i| written_capital(n, raw, i)).count();
                    small == 0 || capitals >= 2
                }
                When::AllCapitals => {
                    from.get(m.start()..m.end())
                        .unwrap_or_default()
                        .iter()
                        .all(|&i| !written_small(n, raw, i))
                        // `SSI injection` is the web technique's.
                        && !(said == "SSI" && ssi_technique(text, a, end))
                }
                When::UsOnly => {
                    let letters = from.get(m.start()..m.end()).unwrap_or_default();
                    let us = letters.get(..letters.len().saturating_sub(4)).unwrap_or_default();
                    // An escape or a symbol is taken as a capital (the stricter reading).
                    let capital = |i: &&usize| !written_small(n, raw, **i);
                    !us.is_empty()
                        && (us.iter().all(|i| capital(&i)) || us_no_pronoun(text, letters, a))
                        && (letters.iter().all(|i| capital(&i)) || !of_place(text, a))
                }
            };
            if marks {
                hits.push((said.clone(), a, end));
            }
        }
    }
    banners_of_capitals(n, raw, &mut out);
    banners_of_separators(text, &v, &mut out);
    if !text.is_ascii() {
        unspaced_marks(text, &v, &mut out);
    }
    // The Armenian full stop `։` is drawn as a colon; the normal form reads it as `.`.
    tlp_written_otherwise(text, raw.contains('\u{0589}'), &mut out);
    tlp_with_words_between(text, &mut out);
    bare_levels(n, raw, &v.one_letter, &mut out);
    not_found(hits, out, found)
}

/// The words of `text` (a normal form) before byte `at`, nearest first: runs of ASCII letters
/// and digits within the 48 bytes before it (the farthest may be cut short).
fn words_before(text: &str, at: usize) -> impl Iterator<Item = &str> {
    let from = (at.saturating_sub(48)..=at)
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(at);
    text.get(from..at)
        .unwrap_or_default()
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The word of `text` (a normal form) after byte `at`: the first run of ASCII letters and digits
/// within the 48 bytes after it.
fn word_after(text: &str, at: usize) -> &str {
    let to = (at..=at.saturating_add(48).min(text.len()))
        .rev()
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(at);
    text.get(at..to)
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default()
}

/// Whether `us only` written in small letters, its letters at bytes `letters` of `text` (from
/// byte `at`), is no pronoun (red team round 3, SA05, after session 33): `usa`, `u.s.` with
/// its dots, `us` glued or hyphenated to `only` (`us-only`, `usonly`), or `us only` right after
/// a word of dissemination ([`DISSEMINATION_WORDS`]: `distribution: us only`). `Let us only
/// consider`, `tell us only`, `for us only` are the pronoun, and go.
fn us_no_pronoun(text: &str, letters: &[usize], at: usize) -> bool {
    let gap = |k: usize| {
        let (Some(&x), Some(&y)) = (letters.get(k), letters.get(k + 1)) else {
            return "";
        };
        text.get(x.saturating_add(1)..y).unwrap_or_default()
    };
    let usa = letters.len() == 7;
    let dotted = gap(0) == ".";
    let joined = matches!(gap(1), "" | "-" | ".-" | "." | "_");
    let disseminated = words_before(text, at)
        .next()
        .is_some_and(|w| DISSEMINATION_WORDS.contains(&w));
    usa || dotted || joined || disseminated
}

/// Words right before `us only` in small letters that make it a dissemination control
/// (`Distribution: us only`).
const DISSEMINATION_WORDS: [&str; 8] = [
    "distribution",
    "dissemination",
    "dissem",
    "releasability",
    "releasable",
    "release",
    "handling",
    "caveat",
];

/// Whether a word of place ([`OF_PLACE`]) stands before byte `at` of `text` (`the` and `a`
/// passed over): `available in the USA only` says where, not to whom.
fn of_place(text: &str, at: usize) -> bool {
    words_before(text, at)
        .find(|w| !matches!(*w, "the" | "a"))
        .is_some_and(|w| OF_PLACE.contains(&w))
}

/// Whether `SSI` at bytes `a..z` of `text` is Server Side Includes: a word of
/// [`SSI_TECHNIQUE`] right after it, or `include(s)` right before it.
fn ssi_technique(text: &str, a: usize, z: usize) -> bool {
    SSI_TECHNIQUE.contains(&word_after(text, z))
        || words_before(text, a)
            .next()
            .is_some_and(|w| matches!(w, "include" | "includes"))
}

/// Portion levels of [`NAMED_PORTIONS`] (`NS`, `CTS`), each a word written all in capitals,
/// where a level is being stated (red team round 3, SA07): right after a word of
/// [`STATES_A_LEVEL`] (`Level NS per the originator`, `Classification: CTS`, `Classified as NS`;
/// at most two words of [`BETWEEN_NAMING`] and no sign that ends a sentence or clause between;
/// `top-level` is an adjective, no level named), or alone on its line or as the whole text.
/// Anywhere else they are words of threat reports, and go: `NS` is a DNS record type (`the
/// domain's NS records`, `query type NS`, `NS1.example.net`, `NBT-NS`), `CTS` a serial line's
/// clear-to-send; before a word of [`DNS_AFTER_NS`], `NS` is the record type whatever names
/// it. Said as the portion mark (`(NS)`), for the marking reader. Each word is
/// looked at within a bounded window: linear in the text.
fn bare_levels(n: &Normalized, raw: &str, one_letter: &[String], out: &mut Vec<String>) {
    bare_levels_read(n, raw, one_letter, out, false);
}

/// [`bare_levels`]; `all`: each word's case asked before whether it is a level at all (the
/// full reading, which the tests compare with; only a level is read further either way).
fn bare_levels_read(n: &Normalized, raw: &str, one_letter: &[String], out: &mut Vec<String>, all: bool) {
    let text = n.text.as_str();
    let mut at = 0;
    // The words: runs of ASCII letters and digits, split by bytes (a byte of a character that
    // is not ASCII is none, and the pieces it leaves between its bytes are empty, no level);
    // with `all`, by characters.
    let words: Box<dyn Iterator<Item = (usize, usize)> + '_> = if all {
        Box::new(text.split(|c: char| !c.is_ascii_alphanumeric()).map(move |w| {
            let (a, z) = (at, at + w.len());
            at = z + text.get(z..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
            (a, z)
        }))
    } else {
        Box::new(text.as_bytes().split(|b| !b.is_ascii_alphanumeric()).map(move |w| {
            let (a, z) = (at, at + w.len());
            at = z + 1;
            (a, z)
        }))
    };
    for (a, z) in words {
        let w = text.get(a..z).unwrap_or_default();
        // Only a level is read below: the other words (most) need no look at their case.
        if !all && !NAMED_PORTIONS.contains(&w) && !one_letter.iter().any(|p| p == w) {
            continue;
        }
        if (a..z).any(|i| written_small(n, raw, i)) {
            continue;
        }
        // A one-letter portion level (`Level C`, `Classification: S`, `Marked: TS`'s kin; red
        // team round 3, after session 33) only right after a word that names a level.
        if one_letter.iter().any(|p| p == w) {
            if rest_continues_a_name(text, z) {
                continue;
            }
            if let Some((from, word)) = naming_word_before(text, a)
                && names_one_letter(n, raw, text, from, word, a)
            {
                out.push(format!("({})", w.to_uppercase()));
            }
            continue;
        }
        if !NAMED_PORTIONS.contains(&w) {
            continue;
        }
        // A name goes on after it (`NS.example.net`, `NS-2`).
        let rest = text.get(z..).unwrap_or_default();
        if rest.starts_with(['.', '-', '_', '/', '@']) && rest.chars().nth(1).is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let dns = w == "ns" && DNS_AFTER_NS.contains(&word_after(text, z));
        if (named_before(text, a) && !dns) || alone_on_its_line(n, raw, a, z) {
            out.push(format!("({})", w.to_uppercase()));
        }
    }
}

/// Whether a name goes on after byte `z` of `text` (`S-Lang`, `C.exe`, `NS.example.net`).
fn rest_continues_a_name(text: &str, z: usize) -> bool {
    let rest = text.get(z..).unwrap_or_default();
    rest.starts_with(['.', '-', '_', '/', '@']) && rest.chars().nth(1).is_some_and(|c| c.is_alphanumeric())
}

/// Whether the naming `word` at byte `from` of `text` (the normal form `n` of `raw`) names the
/// one letter at byte `at` a level: not `grade` (`Grade C` is a mark of quality), and not
/// `level` written in small letters with one space before the letter (`on level C of the
/// building`: a floor). `Level C`, `level: C`, `Classified S`, `Marked: S` are levels (the
/// stricter reading: `Level C certification` is held too).
fn names_one_letter(n: &Normalized, raw: &str, text: &str, from: usize, word: &str, at: usize) -> bool {
    if word == "grade" {
        return false;
    }
    let between = text.get(from.saturating_add(word.len())..at).unwrap_or_default();
    !(word == "level" && between == " " && !written_capital(n, raw, from))
}

/// Whether a word of [`STATES_A_LEVEL`] names what starts at byte `at` of `text` a level: it
/// stands before it, with signs between that end no sentence or clause and at most two words of
/// [`BETWEEN_NAMING`], and is no part of a compound (`top-level`).
fn named_before(text: &str, at: usize) -> bool {
    naming_word_before(text, at).is_some()
}

/// The byte where the word of [`STATES_A_LEVEL`] that names what starts at byte `at` of `text`
/// a level starts, and that word ([`named_before`]).
fn naming_word_before(text: &str, at: usize) -> Option<(usize, &str)> {
    let mut at = at;
    for _ in 0..3 {
        let before = text.get(..at).unwrap_or_default();
        let word_end = before
            .char_indices()
            .rev()
            .take(8)
            .find(|(_, c)| c.is_ascii_alphanumeric())
            .map(|(i, _)| i + 1);
        let word_end = word_end?;
        let between = before.get(word_end..).unwrap_or_default();
        if between.is_empty() || between.contains(['.', ',', ';', '!', '?']) {
            return None;
        }
        let head = before.get(..word_end).unwrap_or_default();
        let word_start = head
            .char_indices()
            .rev()
            .take(24)
            .take_while(|(_, c)| c.is_ascii_alphanumeric())
            .last()
            .map_or(word_end, |(i, _)| i);
        let word = head.get(word_start..).unwrap_or_default();
        // A word longer than the window is none of these.
        if head
            .get(..word_start)
            .and_then(|h| h.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        if STATES_A_LEVEL.contains(&word) {
            return (!head.get(..word_start).is_some_and(|h| h.ends_with('-'))).then_some((word_start, word));
        }
        if !BETWEEN_NAMING.contains(&word) {
            return None;
        }
        at = word_start;
    }
    None
}

/// Whether bytes `a..z` of the normal form `n` stand alone on their line of `raw`: nothing but
/// signs and spaces (at most 16 characters) between them and a line break or the text's edge,
/// each way. Where the map cannot say, they do (fail closed).
fn alone_on_its_line(n: &Normalized, raw: &str, a: usize, z: usize) -> bool {
    const LINE_BREAKS: [char; 7] = ['\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{2028}', '\u{2029}'];
    let Some((oa, oz)) = n.original(a, z) else {
        return true;
    };
    // Nothing but signs and spaces up to a line break or the edge, within 16 characters.
    fn clear(mut chars: impl Iterator<Item = char>) -> bool {
        for _ in 0..16 {
            match chars.next() {
                None => return true,
                Some(c) if LINE_BREAKS.contains(&c) => return true,
                Some(c) if c.is_alphanumeric() => return false,
                Some(_) => {}
            }
        }
        false
    }
    clear(raw.get(..oa).unwrap_or_default().chars().rev()) && clear(raw.get(oz..).unwrap_or_default().chars())
}

/// The normal text with each `-` that the normal form made of a `|` between two digits (a digit
/// gap: `1|000`) read as the `l` a `|` is also written for (`c0|0ur` is `colour`,
/// `c|@$$|f|c@7|0n` is `classification`: found by the disguise generators of
/// tests/prose_markings.rs), byte for byte as long; `None` when there is none.
fn bars_between_digits(n: &Normalized, raw: &str) -> Option<String> {
    if !raw.contains('|') {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    for (i, _) in n.text.match_indices('-') {
        let bar = n
            .original(i, i + 1)
            .and_then(|(a, z)| raw.get(a..z))
            .is_some_and(|w| w == "|");
        if bar && let Some(b) = out.get_or_insert_with(|| n.text.as_bytes().to_vec()).get_mut(i) {
            *b = b'l';
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    out.and_then(|o| String::from_utf8(o).ok())
}

/// What the prose says that the marks `found` in the same text do not: each marking the prose
/// says as often as it is said (vocabulary `hits` with their spans in the normal form, hits of
/// one marking that overlap counted once; each of `others` once), kept when it is said more
/// often than the found marks, counted with their repeats, hold it (`REL TO` in `UNCLASSIFIED//REL
/// TO USA, JPN` is that banner's; `not releasable to foreign nationals` after it is not: red
/// team round 3, SA16).
fn not_found(mut hits: Vec<(String, usize, usize)>, others: Vec<String>, found: &[String]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    hits.sort();
    let mut last: Option<(&str, usize)> = None;
    for (said, a, z) in &hits {
        match last {
            Some((s, e)) if s == said.as_str() && *a < e => last = Some((s, e.max(*z))),
            _ => {
                let c = counts.entry(said.clone()).or_default();
                *c = c.saturating_add(1);
                last = Some((said.as_str(), *z));
            }
        }
    }
    for o in others {
        let c = counts.entry(o).or_default();
        *c = c.saturating_add(1);
    }
    counts
        .into_iter()
        .filter(|(m, said)| {
            let in_found = found
                .iter()
                .map(|f| f.matches(m.as_str()).count())
                .fold(0usize, usize::saturating_add);
            *said > in_found
        })
        .map(|(m, _)| m)
        .collect()
}

/// The words of a script written without spaces that stand as a marking in `text` (a normal
/// form): read with spaces and separators taken out (`極 秘`), a hit marks when it is set off on
/// each side (by anything but a letter of such a script, or the text's edge), or a word of
/// [`JAPANESE_BEFORE`] stands before it and one of [`JAPANESE_AFTER`] after it where it is not
/// set off.
fn unspaced_marks(text: &str, v: &Vocabulary, out: &mut Vec<String>) {
    let Some(finder) = &v.unspaced else { return };
    let squeezed: String = text
        .chars()
        .filter(|&c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '・' | '･' | '·' | '*' | '~' | '|'))
        .collect();
    for m in finder.find_overlapping_iter(&squeezed) {
        let before = squeezed.get(..m.start()).unwrap_or_default();
        let before = before.trim_end_matches([':', '=']);
        let after = squeezed.get(m.end()..).unwrap_or_default();
        let set_off_before = !before.chars().next_back().is_some_and(crate::text::is_unspaced_script);
        let set_off_after = !after.chars().next().is_some_and(crate::text::is_unspaced_script);
        let starts = set_off_before || JAPANESE_BEFORE.iter().any(|w| before.ends_with(w));
        let ends = set_off_after || JAPANESE_AFTER.iter().any(|w| after.starts_with(w));
        if starts
            && ends
            && let Some(says) = v.unspaced_says.get(m.pattern().as_usize())
        {
            out.push(says.clone());
        }
    }
}

/// `TLP` starting a word, then separators and a colour written in Japanese (`TLP:赤`, `TLP
/// 赤`), read as that colour; or, after `:` or `=`, a word that is no colour (`TLP:PURPLE`,
/// `TLP: 紅`), said as written, a TLP marking the reader cannot read. A version (`TLP:2.0`) or
/// a colour in Latin letters is left to the readers of those. A colon may be drawn another way
/// ([`colon_drawn`]); with `dot_is_colon` (the text holds an Armenian full stop, which the normal
/// form reads as `.`), a `.` is read as one too. A full stop in any form (the normal form reads
/// them all as `.`) with no space beside it, between `TLP` and a word, is one as well (`TLP.zork`,
/// `Tlp．zork`): default deny, but for a file's extension ([`FILE_EXTENSIONS`]: `tlp.conf`).
fn tlp_written_otherwise(text: &str, dot_is_colon: bool, out: &mut Vec<String>) {
    for (at, _) in text.match_indices("tlp") {
        if text
            .get(..at)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|c| c.is_alphanumeric() && !crate::text::is_unspaced_script(c))
        {
            continue;
        }
        let rest = text.get(at + 3..).unwrap_or_default();
        let word_at = rest.find(|c: char| !(c.is_whitespace() || colon_drawn(c) || matches!(c, '=' | '-' | '/' | '.')));
        let (between, word) = match word_at {
            Some(k) => (rest.get(..k).unwrap_or_default(), rest.get(k..).unwrap_or_default()),
            None => continue,
        };
        let word: String = word.chars().take_while(|c| c.is_alphanumeric() || *c == '+').collect();
        let (head, strict) = match word.split_once('+') {
            Some((h, r)) => (h, Some(r)),
            None => (word.as_str(), None),
        };
        let japanese = JAPANESE_COLOURS
            .iter()
            .find(|(c, _)| head.starts_with(c))
            .map(|(_, said)| *said);
        let latin = ["clear", "white", "green", "amber", "red"]
            .into_iter()
            .find(|c| crate::release::marking_text::loosen(head) == *c);
        let strict = strict.map(|r| STRICT.iter().any(|s| r.starts_with(s)));
        let said = match (japanese, latin, strict) {
            // In Latin letters, with no `+` or with `+STRICT`: the other readers read it.
            (_, Some(_), None) | (_, Some("amber"), Some(true)) if !word.contains(|c: char| !c.is_ascii()) => continue,
            (Some("AMBER"), _, Some(true)) | (_, Some("amber"), Some(true)) => "AMBER+STRICT".to_string(),
            (Some(said), _, _) => said.to_string(),
            _ if word.starts_with(|c: char| c.is_ascii_digit())
                || (word.starts_with('v') && word.chars().nth(1).is_some_and(|c| c.is_ascii_digit())) =>
            {
                continue; // a version: `TLP:2.0 GREEN`
            }
            _ if (between.contains(|c: char| c == '=' || colon_drawn(c))
                || (dot_is_colon && between.contains('.'))
                || (between.contains('.') && !between.contains(char::is_whitespace) && !file_extension(&word)))
                && !word.is_empty() =>
            {
                word.to_uppercase()
            }
            _ => continue,
        };
        out.push(format!("TLP:{said}"));
    }
}

/// Whether `w` (a word of the normal form) is `TLP`, with digits glued before it aside (`2024TLP`:
/// red team round 3, SA04), read with digits and signs for letters (`7|P`; `tip` as written is a
/// word).
/// Read from the end: only the word's last three characters and the digits before them.
/// Each character is loosened alone ([`crate::release::marking_text::loosen_char`]), so no copy
/// of the word is made: it is asked of every word of every text.
fn ends_tlp(w: &str) -> bool {
    let loosen = crate::release::marking_text::loosen_char;
    let mut back = w.chars().rev();
    let (Some(p), Some(l), Some(t)) = (back.next(), back.next(), back.next()) else {
        return false;
    };
    loosen(t) == 't' && loosen(l) == 'i' && loosen(p) == 'p' && l != 'i' && back.all(|c| c.is_ascii_digit())
}

/// Whether `text` may hold a head [`tlp_with_words_between`] reads: three characters [`ends_tlp`]
/// reads as `TLP` (`t` or `7`; `l`, `1`, `|` or `!`; `p`), or seven that loosen to `traffic`.
/// Every character that loosens to one of these letters is ASCII, and a head is a run of
/// characters of the text, so it is looked for byte by byte; `false` only where no word could be
/// a head (most texts), and then that reader finds nothing.
fn may_name_tlp(text: &str) -> bool {
    let b = text.as_bytes();
    let at = |k: Option<usize>| k.and_then(|k| b.get(k)).copied().unwrap_or(0);
    let t = |c: u8| matches!(c, b't' | b'7');
    let i = |c: u8| matches!(c, b'i' | b'l' | b'1' | b'|' | b'!');
    let tlp = |k: usize| {
        let l = at(k.checked_sub(1));
        t(at(k.checked_sub(2))) && i(l) && l != b'i'
    };
    // `traffic`, its first `f` at `k`.
    let traffic = |k: usize| {
        t(at(k.checked_sub(3)))
            && at(k.checked_sub(2)) == b'r'
            && matches!(at(k.checked_sub(1)), b'a' | b'4' | b'@')
            && at(k.checked_add(1)) == b'f'
            && i(at(k.checked_add(2)))
            && at(k.checked_add(3)) == b'c'
    };
    memchr::memchr_iter(b'p', b).any(tlp) || memchr::memchr_iter(b'f', b).any(traffic)
}

/// Extensions of files whose names start `tlp.` (`tlp.conf`, the Linux power tool's): the only
/// words read after `TLP` and a full stop as no TLP value.
const FILE_EXTENSIONS: &[&str] = &[
    "conf", "cfg", "config", "ini", "json", "yaml", "yml", "toml", "xml", "txt", "log", "bak", "sh", "py", "rs", "md",
    "csv", "html", "htm", "js", "pdf", "zip", "gz", "tar", "exe", "dll", "so", "bin", "service", "rules", "old",
    "orig", "tmp", "lock", "pid", "db",
];

/// Whether `word` (as the normal form reads it) is a file extension of [`FILE_EXTENSIONS`].
fn file_extension(word: &str) -> bool {
    FILE_EXTENSIONS.contains(&word)
}

/// A colon as the normal form leaves it: `:`, or a colon of a script that UTS #39 lists with no
/// ASCII look-alike (Mongolian `᠄`, Ethiopic `፥`, Z notation's `⦂`).
fn colon_drawn(c: char) -> bool {
    matches!(c, ':' | '\u{1804}' | '\u{1365}' | '\u{2982}')
}

/// Whether position `at` of `text` is a word's edge: going back from it (`start`) or forward,
/// the next character is no letter or digit (a letter of a script written without spaces is
/// one), passing over `_` only when no letter or digit stands beyond it.
fn word_edge(text: &str, at: usize, start: bool) -> bool {
    let beside = if start {
        text.get(..at).map(|t| t.chars().rev().find(|&c| c != '_'))
    } else {
        text.get(at..).map(|t| t.chars().find(|&c| c != '_'))
    };
    match beside {
        None => false,
        Some(c) => !c.is_some_and(|c| c.is_alphanumeric() && !crate::text::is_unspaced_script(c)),
    }
}

/// Whether the letter at byte `i` of the normal form was written as a small letter: what it
/// was written as starts with a lowercase letter that is no small capital, and no `l` (which
/// passes for a capital `I`, and is what a capital `І` or `Ι` is read as by its look).
fn written_small(n: &Normalized, raw: &str, i: usize) -> bool {
    let Some((a, b)) = n.original(i, i + 1) else {
        return false;
    };
    raw.get(a..b)
        .and_then(|w| w.chars().next())
        .is_some_and(|c| c.is_lowercase() && c != 'l' && !is_small_capital(c) && !is_modifier_letter(c))
}

/// Whether the letter at byte `i` of the normal form was written as a capital: an uppercase
/// letter, a small capital or a modifier letter (an `l` is neither, and neither is a digit), or
/// an escape (`%46`, `&#70;`, `\u0046`), whose case the normal form no longer shows: the
/// stricter reading (s38: `%46oreign %47overnment information` is titled).
fn written_capital(n: &Normalized, raw: &str, i: usize) -> bool {
    let Some((a, b)) = n.original(i, i + 1) else {
        return false;
    };
    let Some(w) = raw.get(a..b) else {
        return false;
    };
    let mut chars = w.chars();
    match (chars.next(), chars.next()) {
        (Some('%' | '&' | '\\'), Some(_)) => true,
        (Some(c), _) => c.is_uppercase() || is_small_capital(c) || is_modifier_letter(c),
        (None, _) => false,
    }
}

/// Modifier (superscript) letters (`ᵀᴼᴾ ˢᴱᶜᴿᴱᵀ`): Unicode calls many of its capitals lowercase
/// (Other_Lowercase), and there are no superscript capitals for every letter; read as capitals
/// (the stricter reading; red team round 3, SA07).
fn is_modifier_letter(c: char) -> bool {
    matches!(c, '\u{02B0}'..='\u{02FF}' | '\u{1D2C}'..='\u{1D6A}' | '\u{1D9B}'..='\u{1DBF}' | '\u{2070}'..='\u{209F}' | '\u{A7F8}'..='\u{A7F9}')
}

/// Latin small capitals (`ᴀ`, `ʀ`, `ꜱ`): lowercase to Unicode, capitals to a reader.
fn is_small_capital(c: char) -> bool {
    matches!(
        c,
        '\u{1D00}'
            ..='\u{1D22}'
                | '\u{0262}'
                | '\u{026A}'
                | '\u{0274}'
                | '\u{0280}'
                | '\u{028F}'
                | '\u{0299}'
                | '\u{029C}'
                | '\u{029F}'
                | '\u{A730}'
                | '\u{A731}'
                | '\u{A7AF}'
    )
}

/// Banners whatever their words: a word in capitals right before `//`, and one starting with a
/// capital right after it (`S//NF`, `TS//SI`, `[U//FOUO]`).
fn banners_of_capitals(n: &Normalized, raw: &str, out: &mut Vec<String>) {
    let text = n.text.as_str();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = text.get(from..).and_then(|t| t.find("//")).map(|k| k + from) {
        from = k + 2;
        let word_start = bytes
            .get(..k)
            .unwrap_or_default()
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        let next = k + 2;
        let first_after = bytes.get(next).copied();
        if word_start == k || !first_after.is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let capitals = (word_start..k).all(|i| !written_small(n, raw, i))
            && (word_start..k).any(|i| bytes.get(i).is_some_and(u8::is_ascii_alphabetic));
        if !capitals || written_small(n, raw, next) {
            continue;
        }
        let rest: String = text
            .get(next..)
            .unwrap_or_default()
            .chars()
            .take(64)
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        let word = text.get(word_start..k).unwrap_or_default();
        out.push(format!("{word}//{rest}").to_uppercase());
    }
}

/// Banners of separated parts in any case (red team round 3, SA03, SB14, SA17): a level, a
/// portion level or a lead control word (see [`Vocabulary::leads`]) starting a word (not right
/// after a separator: `/usr/s/si` is a path), then separators (`/`, `\\`, `|`, `¦`, `_`, `-`,
/// `.`, spaces between them), then a control word of [`SEPARATED_CONTROLS`] ending a word
/// (`s/nf`, `S // NF`, `TS|SI|NF`, `SECRET_NOFORN_report`); in parentheses any separator
/// (`(S,NF)`, `(S NF)`); glued, a level of four letters or more and a control word
/// (`SECRETNOFORN`, `secretllnoforn` for `SECRET‖NOFORN`); and a control word of
/// [`GLUED_CONTROLS`] glued to any letters (`NOFORNreport`). Each is said as a banner with `//`
/// (`S//NF`), for the marking reader. `//` after a word a banner reader reads
/// (`UNCLASSIFIED//REL TO`) or in a portion mark (`(U//REL TO USA, JPN)`) is left to those.
/// One pass over the text, each start looked at within a bounded window.
fn banners_of_separators(text: &str, v: &Vocabulary, out: &mut Vec<String>) {
    banners_of_separators_read(text, v, out, false);
}

/// [`banners_of_separators`]; `all`: each word compared with every lead, not only those that
/// start as it does ([`leads_for`]).
fn banners_of_separators_read(text: &str, v: &Vocabulary, out: &mut Vec<String>, all: bool) {
    // Counted first: one allocation of the size it needs (collecting grew it two or three times).
    let mut chars: Vec<char> = Vec::with_capacity(text.chars().count());
    chars.extend(text.chars());
    let letter = |c: char| c.is_ascii_alphanumeric();
    // Characters `k..k + len` read as letters, added to `to` (buffers used again for every word).
    let read_onto = |k: usize, len: usize, to: &mut Vec<u8>| {
        to.extend(
            chars
                .get(k..k + len)
                .unwrap_or_default()
                .iter()
                .filter_map(|&c| u8::try_from(c).ok())
                .map(|b| crate::text::letter_byte(b.to_ascii_lowercase())),
        );
    };
    let read = |k: usize, len: usize| -> Vec<u8> {
        let mut v = Vec::new();
        read_onto(k, len, &mut v);
        v
    };
    let (controls, glued) = (&v.controls, &v.glued);
    let mut word: Vec<u8> = Vec::new();
    let mut two: Vec<u8> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars.get(k).copied().unwrap_or(' ');
        let before = k.checked_sub(1).and_then(|p| chars.get(p)).copied();
        if !letter(c) || before.is_some_and(letter) {
            k += 1;
            continue;
        }
        // The word (a run of ASCII letters and digits) starting here.
        let len = chars
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| letter(c))
            .count();
        // Digits alone are a number, not a marking written in digits: a word of them glues no
        // level to a control word (`51151` is no `S//SL`), and two of them are no banner
        // (`5.5`); beside letters they are read as letters (`5//NF`).
        let digits = |from: usize, len: usize| {
            chars
                .get(from..from + len)
                .unwrap_or_default()
                .iter()
                .all(char::is_ascii_digit)
        };
        let number = digits(k, len);
        word.clear();
        read_onto(k, len, &mut word);
        let after_word = k + len;
        // Glued: a control word no word holds, anywhere in the word.
        // Equal slices start alike: the first byte is compared before the rest (a word is
        // compared with every lead and control word).
        for (g, said) in glued.iter().zip(GLUED_CONTROLS) {
            if !number
                && word.len() > g.len()
                && word
                    .windows(g.len())
                    .any(|w| w.first() == g.first() && w == g.as_slice())
            {
                out.push(said.to_uppercase());
            }
        }
        // Glued: a level and a control word (`ll` between: `‖` and `ǀǀ` read as two `l`).
        // A portion level glues only with the bars (`S‖NF`).
        for (lead, _) in leads_for(v, &word, all) {
            if number || (!lead.is_empty() && lead.first() != word.first()) {
                continue;
            }
            let Some(rest) = word.strip_prefix(lead.as_slice()) else {
                continue;
            };
            let barred = rest.strip_prefix(b"ll").or_else(|| rest.strip_prefix(b"ii"));
            let long = lead.len() >= 4;
            let Some(rest) = barred.or(long.then_some(rest)) else {
                continue;
            };
            if controls
                .iter()
                .any(|c| c.as_slice() == rest && (barred.is_some() || c.len() >= 4 || rest == b"nf"))
            {
                out.push(
                    format!("{}//{}", String::from_utf8_lossy(lead), String::from_utf8_lossy(rest)).to_uppercase(),
                );
            }
        }
        // No lead starts as this word does: neither the word nor the word and the next (which
        // starts with it) is a lead, and nothing below finds a banner (most words of prose).
        if !all && !leads_for(v, &word, all).any(|(l, _)| l.starts_with(&word)) {
            k = after_word.max(k + 1);
            continue;
        }
        let path = before.is_some_and(|b| separates(b) && b != '-');
        if path {
            k = after_word.max(k + 1);
            continue;
        }
        let in_parens = chars
            .get(..k)
            .unwrap_or_default()
            .iter()
            .rev()
            .find(|c| **c != ' ')
            .is_some_and(|c| *c == '(');
        // The lead: this word, or this word and the next (`top secret`), read whole.
        let next_len = chars
            .get(after_word..)
            .unwrap_or_default()
            .iter()
            .position(|&c| c != ' ')
            .filter(|&p| p == 1)
            .map(|p| {
                chars
                    .get(after_word + p..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&c| letter(c))
                    .count()
            })
            .unwrap_or(0);
        two.clear();
        two.extend_from_slice(&word);
        read_onto(after_word + 1, next_len, &mut two);
        let (two_first, word_first) = (two.first(), word.first());
        // `two` starts with `word`, which is never empty here: the same leads may start either.
        let lead = leads_for(v, &word, all).find_map(|(l, portion)| {
            let first = l.first();
            if first == two_first && *l == two && next_len > 0 {
                Some((after_word + 1 + next_len, *portion))
            } else if first == word_first && *l == word {
                Some((after_word, *portion))
            } else {
                None
            }
        });
        if let Some((end, portion_only)) = lead {
            // The separators, at most eight characters.
            let sep: String = chars
                .get(end..)
                .unwrap_or_default()
                .iter()
                .take(8)
                .take_while(|&&c| separates(c) || c == ' ' || (in_parens && !letter(c) && c != ')' && c != '('))
                .collect();
            let tight: String = sep.chars().filter(|c| *c != ' ').collect();
            let from = end + sep.chars().count();
            let right_len = chars
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&c| letter(c))
                .count();
            let right = read(from, right_len);
            let closes = chars.get(from + right_len).is_none_or(|&c| !letter(c));
            // A full stop or dash then a space ends a sentence or a clause, not a banner part.
            let sentence = sep.contains(' ') && tight.chars().all(|c| c == '.' || c == '-');
            let separated = (!tight.is_empty() && !sentence)
                || (in_parens && !sep.is_empty() && chars.get(from + right_len) == Some(&')'));
            // `//` after a banner word, or in a portion mark, is the other readers'.
            let theirs = tight == "//" && (!portion_only || in_parens);
            if separated && !theirs && closes && controls.contains(&right) && !(number && digits(from, right_len)) {
                let l: String = chars.get(k..end).unwrap_or_default().iter().collect();
                let r: String = chars.get(from..from + right_len).unwrap_or_default().iter().collect();
                out.push(format!("{l}//{r}").to_uppercase());
            }
        }
        k = after_word.max(k + 1);
    }
}

/// Words that may join `STRICT` to `AMBER` after `TLP` (`TLP:AMBER and STRICT`).
const JOINING: [&str; 6] = ["and", "plus", "with", "w", "n", "under"];

/// Whether the word `w` (normal form) is `AMBER` and `STRICT` joined by signs or nothing
/// (`AMBER|STRICT`, `AMBER.STRICT`, `AMBER!STRICT`; read with digits and signs as letters).
fn amber_joined_to_strict(w: &str) -> bool {
    let loosen = crate::release::marking_text::loosen;
    let head: String = w.chars().take(5).collect();
    let rest: String = w.chars().skip(5).collect();
    let rest = rest.trim_start_matches(['+', '|', '!', '.', '/', '&']);
    loosen(&head) == "amber" && !rest.is_empty() && loosen(rest) == "strict"
}

/// `TLP` (or `traffic light`, `traffic light protocol`) starting a word, then words of
/// [`TLP_BETWEEN`] and versions, then a colour (`TLP is RED`, `Traffic Light Protocol: RED`,
/// `TLP version 2.0: RED`) or a colour drawn (`TLP:🔴`; any other symbol right after `TLP:` is a
/// TLP marking no reader reads); or a colour right before `TLP` (`RED (TLP)`, `RED/TLP`). Red
/// team round 3, SA04. At most six words are looked at after each head, and one before it.
fn tlp_with_words_between(text: &str, out: &mut Vec<String>) {
    // Nothing below is said without a head.
    if may_name_tlp(text) {
        tlp_with_words_between_read(text, out);
    }
}

/// [`tlp_with_words_between`] without its check for a head.
fn tlp_with_words_between_read(text: &str, out: &mut Vec<String>) {
    const COLOURS: [&str; 5] = ["clear", "white", "green", "amber", "red"];
    // The words of the text: (start, end) of each run of letters, digits, `+` and `.`.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        // Signs written for letters are letters here (`7|P !$ R€D`).
        let in_word = c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '@' | '$' | '|' | '!' | '\u{20AC}');
        // A sign after `TLP` ends it (`7|P.zork`, `TLP|zork`, `TLP+zork`): it may stand for a
        // colon.
        let in_word =
            in_word && (c.is_ascii_alphanumeric() || !start.and_then(|a| text.get(a..i)).is_some_and(ends_tlp));
        match (start, in_word) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                words.push((a, i));
                start = None;
            }
            _ => {}
        }
    }
    let word = |k: usize| {
        words
            .get(k)
            .and_then(|&(a, z)| text.get(a..z))
            .unwrap_or_default()
            .trim_matches('.')
    };
    let loosen = crate::release::marking_text::loosen;
    // A colour, and whether the other readers may not read it where it stands right after
    // `TLP` (`AMBER|STRICT`; `RED2024`, digits glued after it: red team round 3, SA04).
    let colour = |w: &str| {
        let one = |w: &str| {
            let l = loosen(w);
            if l == "amber+strict" {
                return Some(("AMBER+STRICT".to_string(), false));
            }
            if amber_joined_to_strict(w) {
                return Some(("AMBER+STRICT".to_string(), true));
            }
            COLOURS.iter().find(|c| **c == l).map(|c| (c.to_uppercase(), false))
        };
        one(w).or_else(|| {
            let bare = w.trim_end_matches(|c: char| c.is_ascii_digit());
            (bare.len() < w.len())
                .then(|| one(bare))
                .flatten()
                .map(|(c, _)| (c, true))
        })
    };
    // A word as read with digits and signs for letters (`7|P` is `tip`: a `t`, an `l` or what
    // passes for it, a `p`; `tip` as written is a word).
    let reads = |k: usize, as_: &str| {
        let one = crate::release::marking_text::loosen_char;
        word(k).chars().map(one).eq(as_.chars().map(one))
    };
    let reads_tlp = |k: usize| ends_tlp(word(k));
    // After `AMBER` (at word `j`): `STRICT`, with words of [`JOINING`] between and no end of a
    // sentence or clause (`TLP:AMBER and STRICT`, `TLP:AMBER (STRICT)`; `TLP:AMBER. Strict
    // mode` parts them).
    let strict_after = |j: usize| {
        for q in j + 1..(j + 4).min(words.len()) {
            let (Some(&(pa, pz)), Some(&(qa, _))) = (words.get(q - 1), words.get(q)) else {
                return false;
            };
            let ends = text.get(pa..pz).is_some_and(|w| w.ends_with(['.', '!']))
                || text.get(pz..qa).is_some_and(|b| b.contains([';', '?', '\n']));
            if ends {
                return false;
            }
            if reads(q, "strict") {
                return true;
            }
            if !JOINING.iter().any(|w| reads(q, w)) {
                return false;
            }
        }
        false
    };
    for k in 0..words.len() {
        let tlp = reads_tlp(k);
        let head_end = if tlp {
            Some(k)
        } else if reads(k, "traffic") && reads(k + 1, "light") {
            Some(if reads(k + 2, "protocol") { k + 2 } else { k + 1 })
        } else {
            None
        };
        let Some(head_end) = head_end else { continue };
        // Digits glued before `TLP` (`2024TLP:RED`).
        let glued = head_end == k && word(k).chars().count() > 3;
        // A colour right before (`RED (TLP)`, `RED/TLP`).
        if let Some((c, _)) = k.checked_sub(1).map(word).and_then(colour) {
            out.push(format!("TLP:{c}"));
        }
        // A colour drawn right after the head, separators aside.
        let after_head = words.get(head_end).map_or(text.len(), |&(_, z)| z);
        let rest = text.get(after_head..).unwrap_or_default();
        // A drawn colour among the first few signs after the head (`TLP։ 🟧`).
        if let Some(c) = rest
            .chars()
            .take_while(|c| !c.is_alphanumeric())
            .take(6)
            .find_map(|c| TLP_EMOJI.iter().find(|(e, _)| *e == c).map(|(_, said)| *said))
        {
            out.push(format!("TLP:{c}"));
            continue;
        }
        // `TLP` glued by signs to a word (`TLP-zork`, `TLP—zork`, `TLP→zork`, `7|P|zork`).
        if head_end == k {
            let next = words.get(k + 1).copied();
            // An end tag's name is followed by `>` (`<b>TLP</b>`).
            let tag = next
                .and_then(|(_, z)| text.get(z..))
                .is_some_and(|t| t.starts_with('>'));
            if let Some(w) = glued_value(text, after_head, next.map(|(a, _)| a), word(k + 1), tag) {
                // A colour the readers of markings may not read so (`TLP—RED`, `TLP|R3D`).
                if let Some((c, _)) = colour(&w) {
                    out.push(format!("TLP:{c}"));
                } else {
                    out.push(format!("TLP:{}", w.to_uppercase()));
                    continue;
                }
            }
        }
        let drawn = rest
            .trim_start_matches(|c: char| c.is_whitespace() || colon_drawn(c) || matches!(c, '=' | '-' | '/' | '.'));
        let between = rest
            .len()
            .checked_sub(drawn.len())
            .and_then(|n| rest.get(..n))
            .unwrap_or_default();
        // A sign after `TLP:` (`TLP:@RED`, `TLP:$RED`): a TLP marking no reader reads.
        if let Some(first) = drawn.chars().next()
            && first.is_ascii_punctuation()
            && between.contains(|c: char| c == '=' || colon_drawn(c))
        {
            out.push(format!("TLP:{first}"));
            continue;
        }
        if let Some(first) = drawn.chars().next()
            && !first.is_alphanumeric()
            && !first.is_ascii()
        {
            match TLP_EMOJI.iter().find(|(e, _)| *e == first) {
                Some((_, c)) => out.push(format!("TLP:{c}")),
                None if between.contains(|c: char| c == '=' || colon_drawn(c)) => out.push(format!("TLP:{first}")),
                None => {}
            }
            continue;
        }
        // A full stop glued between the head and a word (`7|P.zork`) is a colon: a value no
        // reader knows is held, but for a file's extension (`tlp.conf`).
        let dotted = between.contains('.') && !between.contains(char::is_whitespace);
        if let Some(w) = (dotted && head_end == k).then(|| word(k + 1)).filter(|w| !w.is_empty())
            && colour(w).is_none()
            && !file_extension(&w.split('.').next().unwrap_or_default().to_lowercase())
            && !w.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(format!("TLP:{}", w.to_uppercase()));
            continue;
        }
        // Words between, then the colour.
        for j in head_end + 1..(head_end + 7).min(words.len()) {
            let w = word(j);
            if let Some((c, unread)) = colour(w) {
                // Right after the head, the other readers read it (`TLP:RED`, `TLP RED`).
                if j > head_end + 1 || head_end > k || unread || glued || dotted {
                    out.push(format!("TLP:{c}"));
                }
                if c == "AMBER" && strict_after(j) {
                    out.push("TLP:AMBER+STRICT".to_string());
                }
                break;
            }
            let version = w.starts_with(|c: char| c.is_ascii_digit())
                || (w.starts_with('v') && w.chars().nth(1).is_some_and(|c| c.is_ascii_digit()));
            if !(version || TLP_BETWEEN.iter().any(|b| reads(j, b))) {
                break;
            }
        }
    }
}

/// Words after `TLP` and a sign that are prose, not a TLP value (`TLP-based sharing`,
/// `TLP-compliant`, `TLP/PAP`, `TLP's`, `[TLP](https://…)`, `tlp_levels`); compared with the
/// word as the normal form reads it, up to a full stop (`TLP-levels.json`).
const TLP_PROSE_WORDS: &[&str] = &[
    "based",
    "compliant",
    "marked",
    "labelled",
    "labeled",
    "tagged",
    "aware",
    "enabled",
    "style",
    "like",
    "only",
    "pap",
    "iep",
    "s",
    "level",
    "levels",
    "label",
    "labels",
    "marking",
    "markings",
    "color",
    "colour",
    "colors",
    "colours",
    "version",
    "protocol",
    "policy",
    "sharing",
    "shared",
    "standard",
    "tag",
    "tags",
    "value",
    "values",
    "compatible",
    "conformant",
    "ready",
    "specific",
    "related",
    "report",
    "reports",
    "http",
    "https",
    "www",
    "mailto",
    "definitions",
    "definition",
    "guidance",
    "handling",
    "docs",
    "designation",
    "designated",
    "stat",
    "rdw",
];

/// The word glued to `TLP` by signs, when it may be a TLP value (a colour or a value no reader
/// knows; `None` for prose of [`TLP_PROSE_WORDS`], a version, Japanese, which
/// [`tlp_written_otherwise`] reads, or no word) (`text` a normal form; `at` where `TLP` ends; `next` where
/// the next word of [`tlp_with_words_between`] starts, `next_word` that word): signs are any
/// characters but letters, digits and spaces (a dash, slash, arrow, `_`, `|`, `+` of any form:
/// default deny), with no space among them; the word is the next word, or a run of letters of
/// another script right after the signs. All full stops are [`tlp_written_otherwise`]'s rule
/// (with its file extensions), `@` before a dotted word an address (`tlp@cert.example`), and
/// `</` before a word followed by `>` (`tag`) an end tag (`<b>TLP</b>`).
/// Reads only the characters between `TLP` and its word, and the word.
fn glued_value(text: &str, at: usize, next: Option<usize>, next_word: &str, tag: bool) -> Option<String> {
    let rest = text.get(at..).unwrap_or_default();
    let gap = next.and_then(|n| text.get(at..n)).unwrap_or(rest);
    let (signs, value) = match gap.find(char::is_alphanumeric) {
        Some(i) => (
            gap.get(..i).unwrap_or_default(),
            rest.get(i..)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect::<String>(),
        ),
        None if next.is_some() => (gap, next_word.to_string()),
        None => return None,
    };
    if signs.is_empty() || signs.contains(char::is_whitespace) || signs.chars().all(|c| c == '.') || value.is_empty() {
        return None;
    }
    let head = value.split('.').next().unwrap_or_default();
    let version = value.starts_with(|c: char| c.is_ascii_digit())
        || (value.starts_with('v') && value.chars().nth(1).is_some_and(|c| c.is_ascii_digit()));
    if version
        || value.starts_with(crate::text::is_unspaced_script)
        || TLP_PROSE_WORDS.contains(&head)
        || (signs == "@" && value.contains('.'))
        || (signs.ends_with("</") && tag)
    {
        return None;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`ends_tlp`] as it was: the word's last three characters copied out and loosened whole.
    fn ends_tlp_by_copies(w: &str) -> bool {
        let mut back = w.chars().rev();
        let head: String = back.by_ref().take(3).collect::<Vec<char>>().into_iter().rev().collect();
        head.chars().count() == 3
            && crate::release::marking_text::loosen(&head) == "tip"
            && head.chars().nth(1) != Some('i')
            && back.all(|c| c.is_ascii_digit())
    }

    /// [`tlp_with_words_between`] without the check for a head.
    fn tlp_said_slowly(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tlp_with_words_between_read(text, &mut out);
        out
    }

    fn tlp_said(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tlp_with_words_between(text, &mut out);
        out
    }

    /// Heads and colours, disguised character by character ([`crate::fuzzing::disguise`]), in
    /// text of the characters the readers loosen.
    fn texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const HEADS: &[&str] = &[
            "TLP:RED",
            "TLP: AMBER+STRICT",
            "tlp amber and strict",
            "Traffic Light Protocol: RED",
            "traffic light: green",
            "TLP version 2.0 is RED",
            "RED (TLP)",
            "2024TLP-zork",
            "TLP\u{2014}RED",
            "7|P|R3D",
            "TLP.zork",
            "tlp.conf",
            "TLP:\u{1F534}",
        ];
        let phrase = prop_oneof![
            proptest::sample::select(crate::fuzzing::FORBIDDEN_MARKINGS).prop_map(str::to_string),
            proptest::sample::select(HEADS).prop_map(str::to_string),
            "[tTlLpPiI17|!@4$5fFrRaAcC+.:/ -]{0,12}",
        ];
        (
            "[a-zA-Z tlpTLP17|!/():,.+@$é日本\n]{0,16}",
            phrase,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-zA-Z tlpTLP17|!/():,.+@$é日本\n]{0,16}",
        )
            .prop_map(|(a, m, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&m, &hows)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// [`ends_tlp`] reads every word as the copying reading did.
        #[test]
        fn ends_tlp_is_ends_tlp_by_copies(w in "[tTlLpPiI17|!0-9\u{20AC}é.+]{0,6}") {
            proptest::prop_assert_eq!(ends_tlp(&w), ends_tlp_by_copies(&w), "{:?}", w);
        }

        /// The check for a head never passes over a text the full reading finds a TLP marking
        /// in: on text as written, in the normal form and decoded, disguises among it.
        #[test]
        fn tlp_head_check_never_skips_a_marking(s in texts()) {
            let n = crate::text::normalize(&s).text;
            let decoded = crate::text::normalize_decoded(&s).into_iter().map(|d| d.text);
            for t in [s.clone(), n].into_iter().chain(decoded) {
                proptest::prop_assert_eq!(tlp_said(&t), tlp_said_slowly(&t), "{:?}", t);
            }
        }
    }

    fn shipped() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    /// Banners of separated parts as [`banners_of_separators`] reads them (each word compared
    /// with the leads that start as it does) and with every lead.
    fn separated_both_ways(v: &Vocabulary, t: &str) -> (Vec<String>, Vec<String>) {
        let (mut fast, mut full) = (Vec::new(), Vec::new());
        banners_of_separators_read(t, v, &mut fast, false);
        banners_of_separators_read(t, v, &mut full, true);
        (fast, full)
    }

    /// Banners of separated parts, leads and controls disguised character by character, among
    /// the characters that separate them and the signs read as letters.
    fn separated_texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const PARTS: &[&str] = &[
            "S//NF",
            "TS|SI|NF",
            "SECRET_NOFORN_report",
            "(S,NF)",
            "(S NF)",
            "SECRETNOFORN",
            "secretllnoforn",
            "SECRET\u{2016}NOFORN",
            "NOFORNreport",
            "top secret / noforn",
            "TS//SI//TK",
            "C-NF",
            "cui/nf",
            "HCS-P/NF",
            "U//FOUO",
            "/usr/s/si",
            "S\\NF",
            "CONFIDENTIAL.REL",
            "ns.nf",
            "tk|nf",
            "sci nf",
        ];
        let phrase = prop_oneof![
            proptest::sample::select(crate::fuzzing::FORBIDDEN_MARKINGS).prop_map(str::to_string),
            proptest::sample::select(PARTS).prop_map(str::to_string),
            "[sScCtTnNfFhHuUiIoOrReE17|!@$/\\\\_.( )-]{0,14}",
        ];
        (
            "[a-zA-Z0-9 /|_.()-]{0,12}",
            phrase,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-zA-Z0-9 /|_.()-]{0,12}",
        )
            .prop_map(|(a, m, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&m, &hows)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// Comparing a word only with the leads that start as it does finds every banner the
        /// comparison with every lead finds: on the text as written, its normal form and decoded.
        #[test]
        fn leads_by_first_byte_read_as_every_lead(s in separated_texts()) {
            let v = Vocabulary::of(&shipped());
            let n = crate::text::normalize(&s).text;
            let decoded = crate::text::normalize_decoded(&s).into_iter().map(|d| d.text);
            for t in [s.clone(), n].into_iter().chain(decoded) {
                let (fast, full) = separated_both_ways(&v, &t);
                proptest::prop_assert_eq!(fast, full, "{:?}", t);
            }
        }

        /// Asking whether a word is a level before asking its case finds every bare level the
        /// full reading finds: on the text as written and decoded, levels disguised among it.
        #[test]
        fn bare_levels_read_alike_either_order(s in bare_texts()) {
            let v = Vocabulary::of(&shipped());
            let readings = std::iter::once(crate::text::normalize(&s)).chain(crate::text::normalize_decoded(&s));
            for n in readings {
                let (fast, full) = bare_both_ways(&v, &n, &s);
                proptest::prop_assert_eq!(fast, full, "{:?}", s);
            }
        }
    }

    fn bare_both_ways(v: &Vocabulary, n: &Normalized, raw: &str) -> (Vec<String>, Vec<String>) {
        let (mut fast, mut full) = (Vec::new(), Vec::new());
        bare_levels_read(n, raw, &v.one_letter, &mut fast, false);
        bare_levels_read(n, raw, &v.one_letter, &mut full, true);
        (fast, full)
    }

    /// Levels stated bare (`Level NS`, `Classification: C`), disguised character by character.
    fn bare_texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const STATED: &[&str] = &[
            "Level NS",
            "Classification: CTS",
            "Classified as NS",
            "NS",
            "\nCTS\n",
            "Level C",
            "level: C",
            "Marked: S",
            "Grade C",
            "the domain's NS records",
            "NS1.example.net",
            "TS",
            "NC",
            "NR",
            "CTSA",
            "Classification: S",
            "on level C of",
            "S-Lang",
        ];
        let phrase = prop_oneof![
            proptest::sample::select(STATED).prop_map(str::to_string),
            "[nNsScCtTaArRkK1!|:. \n-]{0,10}",
        ];
        (
            "[a-zA-Z0-9 :.\né日ᴛ]{0,12}",
            phrase,
            proptest::collection::vec(any::<u8>(), 1..8),
            "[a-zA-Z0-9 :.\né日ᴛ]{0,12}",
        )
            .prop_map(|(a, m, hows, b)| format!("{a}{}{b}", crate::fuzzing::disguise(&m, &hows)))
    }

    /// Every lead is under its first byte, in order; an empty word is compared with every lead.
    /// And the content tables' canaries and benign neighbours read alike both ways.
    #[test]
    fn leads_by_first_byte_are_the_leads_that_start_so() {
        let v = Vocabulary::of(&shipped());
        for b in 0..=u8::MAX {
            let want: Vec<&(Vec<u8>, bool)> = v
                .leads
                .iter()
                .filter(|(l, _)| l.first().is_none_or(|&f| f == b))
                .collect();
            assert_eq!(leads_for(&v, &[b, b'x'], false).collect::<Vec<_>>(), want, "{b}");
        }
        assert_eq!(leads_for(&v, &[], false).count(), v.leads.len());
        let canaries = crate::fuzzing::content::KINDS
            .into_iter()
            .flat_map(crate::fuzzing::content::encodings);
        let benign = crate::fuzzing::content::BENIGN.iter().map(|s| (*s).to_string());
        let marks = crate::fuzzing::FORBIDDEN_MARKINGS.iter().map(|s| (*s).to_string());
        for s in canaries.chain(benign).chain(marks) {
            let n = crate::text::normalize(&s).text;
            for t in [s.clone(), n.clone()] {
                let (fast, full) = separated_both_ways(&v, &t);
                assert_eq!(fast, full, "{t:?}");
            }
            let (fast, full) = bare_both_ways(&v, &crate::text::normalize(&s), &s);
            assert_eq!(fast, full, "{s:?}");
        }
    }

    /// The canaries and benign neighbours of the content tables, and the forbidden markings,
    /// read alike both ways, alone and after a head.
    #[test]
    fn tlp_head_check_reads_the_content_tables_alike() {
        let canaries = crate::fuzzing::content::KINDS
            .into_iter()
            .flat_map(crate::fuzzing::content::encodings);
        let benign = crate::fuzzing::content::BENIGN.iter().map(|s| (*s).to_string());
        let tlp = crate::fuzzing::FORBIDDEN_MARKINGS.iter().map(|s| (*s).to_string());
        for s in canaries.chain(benign).chain(tlp) {
            let n = crate::text::normalize(&s).text;
            for t in [s.clone(), n] {
                for t in [t.clone(), format!("TLP: {t}"), format!("traffic light {t} red")] {
                    assert_eq!(tlp_said(&t), tlp_said_slowly(&t), "{t:?}");
                }
            }
        }
    }
}
