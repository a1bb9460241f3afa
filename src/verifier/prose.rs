//! The verifier's own reading of markings written in prose (design principle 9): a control word
//! that is no word of English (`handle as NOFORN material`, in any case), a level above the
//! lowest written in capitals (`this report is SECRET`), a level named as a classification in
//! any case (`classified as secret`), and releasability said in words (`not releasable to
//! foreign nationals`, `eyes only`).
//!
//! Each is found in the text squeezed to its letters and digits (so `S E C R E T`,
//! `S.E.C.R.E.T` and `SE C RET` are read whole), standing on word boundaries of the text as
//! written: the letter before it and the one after it are not letters or digits of the same
//! script. A `_` joins words (`AWS_SECRET_ACCESS_KEY` is one identifier), unless nothing but
//! `_` stands between the hit and the text's edge or a separator (`_SECRET_`). What is found is
//! returned as the marking it says (`NOFORN`, `SECRET`, `REL TO`), for the marking reader.
//!
//! Japanese has neither spaces nor capitals: a level or handling word of it (`極秘`, `機密`,
//! `取扱注意`) marks where it stands apart (brackets, spaces, punctuation or an edge on each
//! side), or where a particle or naming word stands before it and a copula or naming word after
//! it (`本件は極秘です`, `区分：極秘`, `極秘扱い`). `TLP` with a colour in Japanese is that colour
//! (`TLP:赤`); after `:` or `=`, a word that is no colour is a TLP marking no one can read.
//!
//! Red team round 3 (session 33), the same rules as the guard's: `TLP:AMBER` and `STRICT`
//! joined any way, `TLP` glued to digits; `US only` with `US` in capitals; `SBU`, `LES`, `SSI`,
//! `TK`, `WAIVED`, `COMINT` as whole words in capitals; `NS` and `CTS` (and the other two- and
//! more-letter portion levels) in capitals where a level is stated, not as a DNS record type;
//! a level in small letters after `graded`, `classified: yes` and the like.

use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::UnicodeNormalization;

use crate::policy::Policy;

/// Control words that are no words of English prose.
const CONTROLS: &[&str] = &[
    "NOFORN",
    "ORCON",
    "PROPIN",
    "RELIDO",
    "IMCON",
    "LIMDIS",
    "EXDIS",
    "NODIS",
    "NOCONTRACT",
    "FOUO",
];

/// Controls and releasability said in words that mark in any case, with what each says.
const MORE_ANY_CASE: &[(&str, &str)] = &[
    ("SBU-NF", "SBU NOFORN"),
    ("LES-NF", "LES NOFORN"),
    ("DSEN", "DSEN"),
    ("RSEN", "RSEN"),
    ("FVEY", "REL TO FVEY"),
    ("REL USA", "REL TO"),
    ("NOT FOR FOREIGN DISSEMINATION", "NOFORN"),
    ("NO FOREIGN DISSEMINATION", "NOFORN"),
    ("FOREIGN DISSEMINATION", "NOFORN"),
    ("ORIGINATOR CONTROLLED", "ORCON"),
    ("CONTROLLED BY ORIGINATOR", "ORCON"),
    ("FOR OFFICIAL USE ONLY", "FOUO"),
    ("OFFICIAL USE ONLY", "FOUO"),
    ("RELEASABLE ONLY TO", "REL TO"),
    ("RELEASABLE USA", "REL TO"),
    ("FOR US EYES", "REL TO"),
    ("HVCCO", "REL TO"),
    ("DO NOT SHARE WITH FOREIGN", "NOFORN"),
    ("AUTHORIZED FOR RELEASE TO", "REL TO"),
    ("AUTHORISED FOR RELEASE TO", "REL TO"),
    ("US PERSONS ONLY", "NOFORN"),
    ("PROPRIETARY INFORMATION INVOLVED", "PROPIN"),
    ("OC-USGOV", "ORCON-USGOV"),
    ("TALENT KEYHOLE", "TK"),
    ("SPECAT", "REL TO"),
    ("LAW ENFORCEMENT SENSITIVE", "LES"),
    // What the statement reader counts as markings, and the Permissible Actions Protocol's
    // restricting colours (s38 probe); `PAP:GREEN` and `PAP:CLEAR` restrict nothing.
    ("WNINTEL", "WNINTEL"),
    ("INTELLIGENCE SOURCES OR METHODS INVOLVED", "WNINTEL"),
    ("ATOMAL", "ATOMAL"),
    ("CNWDI", "CNWDI"),
    ("PAP:RED", "PAP:RED"),
    ("PAP:AMBER", "PAP:AMBER"),
];

/// Controls in words that mark as a level does: every letter a capital, or two or more
/// (`Foreign Government Information`, `DEA Sensitive`, `Distribution Statement D`); prose in
/// small letters. Each says the short form it stands for (s38 probe).
const MORE_TITLED: &[(&str, &str)] = &[
    ("FOREIGN GOVERNMENT INFORMATION", "FGI"),
    ("SENSITIVE BUT UNCLASSIFIED", "SBU"),
    ("CONTROLLED UNCLASSIFIED INFORMATION", "CUI"),
    ("DEA SENSITIVE", "DEA SENSITIVE"),
    ("DISTRIBUTION STATEMENT B", "REL TO"),
    ("DISTRIBUTION STATEMENT C", "REL TO"),
    ("DISTRIBUTION STATEMENT D", "REL TO"),
    ("DISTRIBUTION STATEMENT E", "REL TO"),
    ("DISTRIBUTION STATEMENT F", "REL TO"),
];

/// And those that mark only in capitals (`the fisa court` is prose; `FISA` is not). The US
/// control and dissemination abbreviations among them mark only as whole words all in capitals
/// (red team round 3, SA06): `tk`, `Tk` (Python's GUI) and `les` (French) are prose.
const MORE_IN_CAPITALS: &[(&str, &str)] = &[
    ("FISA", "FISA"),
    ("HCS", "HCS"),
    ("CUI", "CUI"),
    ("US GOV ONLY", "REL TO"),
    ("DISTRIBUTION B", "REL TO"),
    ("DISTRIBUTION C", "REL TO"),
    ("DISTRIBUTION D", "REL TO"),
    ("DISTRIBUTION E", "REL TO"),
    ("DISTRIBUTION F", "REL TO"),
    ("SBU", "SBU"),
    ("LES", "LES"),
    ("SSI", "SSI"),
    ("TK", "TK"),
    ("WAIVED", "WAIVED"),
    ("COMINT", "COMINT"),
    // Foreign government information, `EXCLUSIVE FOR`, a country's `EYES` without `ONLY`
    // (`US/UK EYES`; `the UK eyes a deal` is prose) (s38 probe).
    ("FGI", "FGI"),
    ("EXCLUSIVE FOR", "REL TO"),
    ("US EYES", "REL TO"),
    ("USA EYES", "REL TO"),
    ("UK EYES", "REL TO"),
    ("GBR EYES", "REL TO"),
    ("CAN EYES", "REL TO"),
    ("AUS EYES", "REL TO"),
    ("NZL EYES", "REL TO"),
    ("FIVE EYES", "REL TO"),
    // Distribution limits written in capitals (s39 probe).
    ("INTERNAL USE ONLY", "FOUO"),
    ("DO NOT DISTRIBUTE", "REL TO"),
    ("NOT FOR DISTRIBUTION", "REL TO"),
    ("NOT FOR PUBLIC RELEASE", "REL TO"),
    ("LIMITED DISTRIBUTION", "LIMDIS"),
    ("DISTRIBUTION LIMITED", "LIMDIS"),
];

/// Words that make `SSI` Server Side Includes, the web technique, after it (`SSI injection`),
/// or (`include`, `includes`) before it (`Server-Side Includes (SSI)`).
const SSI_WEB: &[&str] = &[
    "injection",
    "injections",
    "directive",
    "directives",
    "include",
    "includes",
    "tag",
    "tags",
];

/// `US only` (red team round 3, SA05): releasable to the US alone, a NOFORN in other words,
/// when its `US` or `USA` is in capitals (`US-only`, `U.S. only`); after a word of place (`in
/// the USA only`) it says where, unless written all in capitals.
const ONLY_US: &[&str] = &["US ONLY", "USA ONLY"];

/// Words before `us only` in small letters that make it a dissemination control
/// (`Distribution: us only`; red team round 3, SA05, after session 33).
const DISSEMINATING: &[&str] = &[
    "distribution",
    "dissemination",
    "dissem",
    "releasability",
    "releasable",
    "release",
    "handling",
    "caveat",
];

/// Whether `us only` (or `usa only`) in small letters, its letters at pieces `letters`, is no
/// pronoun: `usa`, `u.s.` with its dots, `us` joined to `only` by nothing or a hyphen
/// (`us-only`, `usonly`), or a word of [`DISSEMINATING`] right before it. `Let us only
/// consider`, `for us only` are the pronoun.
fn no_pronoun(pieces: &[Piece], shown: &[char], letters: &[usize]) -> bool {
    let between = |k: usize| -> String {
        match (letters.get(k), letters.get(k + 1)) {
            (Some(&x), Some(&y)) => shown.get(x.saturating_add(1)..y).unwrap_or_default().iter().collect(),
            _ => String::new(),
        }
    };
    let dash = |c: char| c == '-' || ('\u{2010}'..='\u{2015}').contains(&c) || c == '\u{2212}';
    let joined = {
        let b = between(1);
        b.is_empty() || b == "_" || b.chars().all(|c| dash(c) || c == '.') && b.chars().count() <= 2
    };
    let first = letters.first().copied().unwrap_or(0);
    let disseminated = last_words(pieces, first)
        .first()
        .is_some_and(|w| DISSEMINATING.contains(&w.as_str()));
    letters.len() == 7 || between(0) == "." || joined || disseminated
}

/// Words of place before `US only`.
const PLACE_WORDS: &[&str] = &["in", "within", "inside", "across", "throughout", "outside"];

/// Words that name a classification before a level, in any case.
const NAMING: &[&str] = &[
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

/// Words that name a classification so plainly that a portion level after them, in any case,
/// is that level (`Classified as ts`; red team round 3, SA18).
const NAMING_PLAINLY: &[&str] = &[
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

/// The US and NATO portion levels above the lowest of two letters or more (a one-letter one,
/// `Level C`, is prose; the portion readers read `(C)`).
const LEVEL_PORTIONS: &[&str] = &["TS", "NR", "NC", "NS", "CTS", "CTSA"];

/// Words that state a level right before a portion level in capitals (red team round 3, SA07:
/// `Level NS`, `Classification: CTS`).
const LEVEL_STATED_BY: &[&str] = &[
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

/// After `NS`, words that make it the DNS record type (`marked NS records as lame`).
const NS_RECORD_WORDS: &[&str] = &[
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

/// Words that may come between those and the level (`Classified as NS`).
const STATED_BETWEEN: &[&str] = &["as", "at", "is", "the", "yes", "be", "of"];

/// Releasability said in words, in any case.
const RELEASE: &[&str] = &["releasable to", "eyes only", "foreign nationals", "rel to"];

/// Japanese words of handling, markings under any policy.
const JAPANESE: &[&str] = &[
    "極秘",
    "機密",
    "秘",
    "取扱注意",
    "部外秘",
    "社外秘",
    "関係者限り",
    "特定秘密",
];

/// Before a Japanese marking word: particles that end the word before it, and naming words.
const BEFORE_JAPANESE: &[&str] = &[
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

/// After it: copulas and naming words.
const AFTER_JAPANESE: &[&str] = &[
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

/// TLP colours in Japanese, longest first where one begins another (`黄色`, `黄`).
const JAPANESE_TLP: &[(&str, &str)] = &[
    ("レッド", "RED"),
    ("赤", "RED"),
    ("アンバー", "AMBER"),
    ("琥珀", "AMBER"),
    ("黄色", "AMBER"),
    ("黄", "AMBER"),
    ("橙", "AMBER"),
    ("オレンジ", "AMBER"),
    ("グリーン", "GREEN"),
    ("緑", "GREEN"),
    ("ホワイト", "WHITE"),
    ("白", "WHITE"),
    ("クリア", "CLEAR"),
    ("透明", "CLEAR"),
];

/// Controls that, after a level and a separator other than `//`, make a banner (`S/NF`,
/// `TS|SI|NF`, `S_NF`, `(S,NF)`).
const AFTER_SEPARATOR: &[&str] = &[
    "NOFORN",
    "NF",
    "SI",
    "TK",
    "HCS",
    "SCI",
    "REL",
    "RELIDO",
    "OC",
    "ORCON",
    "PR",
    "PROPIN",
    "FOUO",
    "IMC",
    "IMCON",
    "RS",
    "RSEN",
    "DS",
    "DSEN",
    "XD",
    "ND",
    "LIMDIS",
    "EXDIS",
    "NODIS",
    "FISA",
    "SAR",
    "RD",
    "FRD",
    "SBU",
    "LES",
    "SSI",
    "CUI",
    "FGI",
    "NOCONTRACT",
    "LESNF",
    "SBUNF",
];

/// Controls that start such a banner as a level would (`SI/TK`).
const LEADING_CONTROLS: &[&str] = &["SI", "TK", "HCS", "SCI", "CUI"];

/// Controls found inside any word (no word of any language holds them): `NOFORNreport`.
const INSIDE_WORDS: &[&str] = &["NOFORN", "FOUO", "RELIDO", "NOCONTRACT"];

/// What a hit says.
#[derive(Debug, Clone)]
enum Says {
    /// This marking, in any case.
    Any(String),
    /// This level, when every letter of the hit is a capital or two or more are.
    Capitals(String),
    /// This marking, when every letter of the hit is a capital.
    AllCapitals(String),
    /// This TLP marking, unless its second letter is an `i` as written (`tip red` is prose).
    Tlp(String),
    /// This marking (`US only`), when the letters before `only` are capitals and no word of
    /// place stands before it, or when every letter is a capital.
    UsOnly(String),
}

/// The prose vocabulary of one policy, built once.
pub struct Prose {
    ac: Option<AhoCorasick>,
    says: Vec<Says>,
    /// Words of scripts written without spaces that mark (levels of the policy and the
    /// Japanese handling words), as characters.
    unspaced: Vec<Vec<char>>,
    /// Words that start a banner of separated parts, squeezed, each with whether it is only a
    /// portion level (`s`, `ts`): level names and aliases (whole), portion levels, and
    /// [`LEADING_CONTROLS`].
    leads: Vec<(String, bool)>,
    /// One-letter portion levels above the lowest (`c`, `s`, `k`): a level right after a word
    /// that states one ([`stated_levels`]).
    single: Vec<char>,
    /// For each word of the vocabulary said in capitals, its squeezed length (by pattern).
    squeezed_len: Vec<usize>,
    /// [`AFTER_SEPARATOR`], squeezed.
    controls: Vec<String>,
    /// [`INSIDE_WORDS`], squeezed, each with the word.
    inside: Vec<(String, &'static str)>,
}

/// One character of the text as read: a letter or digit (its reading in ASCII lowercase, and
/// whether it is a capital, a small letter, or neither), a sign written for a letter, a `_`, a
/// `/`, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Letter(char, Case),
    /// A sign written for a letter (`$ECRET`), which may also end a word (`SECRET!`).
    Sign(char),
    Join,
    Slash,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Capital,
    Small,
    Neither,
}

/// `text` as read: shown order, NFKC, invisible code points and combining marks passed over. ASCII
/// is read as it is (NFKC leaves it so, and no ASCII character is hidden or a mark).
fn shown(text: &str) -> Vec<char> {
    if text.is_ascii() {
        return text.chars().collect();
    }
    super::text::visual(text)
        .nfkc()
        .filter(|&c| !super::marking::hidden(c) && !unicode_normalization::char::is_combining_mark(c))
        .collect()
}

/// `s` squeezed to the letters of the vocabulary: lowercase, digits and signs read as the
/// letters they are written for, everything else out.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter_map(|c| reading(c).map(|(a, _)| a))
        .map(loosen)
        .collect()
}

/// A digit or sign read as the letter it is written for (`5` `s`, `$` `s`, `3` `e`, `0` `o`),
/// and `l` as `i` (they look alike); any other character as itself.
fn loosen(c: char) -> char {
    match c {
        '1' | 'l' | '|' | '!' => 'i',
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

/// The ASCII reading of a letter or digit (or a sign written for a letter), lowercase, and its
/// case; `None` for anything else.
fn reading(c: char) -> Option<(char, Case)> {
    if c.is_ascii_alphanumeric() {
        let case = if c.is_ascii_uppercase() {
            Case::Capital
        } else if c.is_ascii_lowercase() {
            Case::Small
        } else {
            Case::Neither
        };
        return Some((c.to_ascii_lowercase(), case));
    }
    if matches!(c, '@' | '$' | '|' | '!' | '\u{20AC}') {
        return Some((c, Case::Neither));
    }
    if c.is_ascii() || !(c.is_alphanumeric() || super::text::enclosed(c).is_some()) {
        return None;
    }
    let small_capital = super::text::small_capital(c);
    let ascii = small_capital.or_else(|| super::text::ascii_reading(c)).or_else(|| {
        let mut b = [0u8; 4];
        let proto: String = unicode_security::skeleton(c.encode_utf8(&mut b)).collect();
        let mut p = proto.chars();
        match (p.next(), p.next()) {
            (Some(a), None) if a.is_ascii_alphanumeric() => Some(a),
            _ => None,
        }
    })?;
    let enclosed_letter = super::text::enclosed(c).is_some_and(|a| a.is_ascii_alphabetic());
    // A modifier (superscript) letter is read as a capital: many of its capitals are lowercase
    // to Unicode.
    let modifier = matches!(
        c,
        '\u{02B0}'..='\u{02FF}' | '\u{1D2C}'..='\u{1D6A}' | '\u{1D9B}'..='\u{1DBF}' | '\u{2070}'..='\u{209F}' | '\u{A7F8}'..='\u{A7F9}'
    );
    let case = if small_capital.is_some() || enclosed_letter || modifier || c.is_uppercase() {
        Case::Capital
    } else if ascii.is_ascii_digit() {
        Case::Neither
    } else {
        Case::Small
    };
    Some((ascii.to_ascii_lowercase(), case))
}

impl Prose {
    /// The vocabulary of `policy`: the controls above, and its levels above the lowest of each
    /// scheme (each alone, and the words of its name that no lowest level's name has).
    pub fn new(policy: &Policy) -> Prose {
        let mut words: Vec<(String, Says)> = Vec::new();
        for c in CONTROLS {
            words.push((squeeze(c), Says::Any((*c).to_string())));
        }
        // `AMBER+STRICT` is TLP 2.0's alone: it needs no `TLP` before it.
        words.push((squeeze("AMBER+STRICT"), Says::Any("TLP:AMBER+STRICT".to_string())));
        let lowest: Vec<String> = policy
            .schemes
            .iter()
            .filter_map(|s| s.levels.first())
            .flat_map(|l| std::iter::once(&l.name).chain(&l.aliases))
            .flat_map(|n| n.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>())
            .collect();
        for s in policy.schemes.iter() {
            for l in s.levels.iter().skip(1) {
                for name in std::iter::once(&l.name).chain(&l.aliases) {
                    let upper = name.to_uppercase();
                    // Names written in another script (`極秘`) are read by the mention test.
                    if lowest.contains(&name.to_lowercase()) || squeeze(name).is_empty() {
                        continue;
                    }
                    // A name of fewer than four letters (`HI`) is too likely a word or an
                    // abbreviation of prose in capitals to mark alone.
                    if squeeze(name).len() >= 4 {
                        words.push((squeeze(name), Says::Capitals(upper.clone())));
                    }
                    for naming in NAMING {
                        words.push((squeeze(&format!("{naming} {name}")), Says::Any(upper.clone())));
                    }
                    for after in ["level", "classification", "classified"] {
                        words.push((squeeze(&format!("{name} {after}")), Says::Any(upper.clone())));
                    }
                    for w in name.split_whitespace() {
                        let lw = w.to_lowercase();
                        if w.chars().count() >= 4 && !lowest.contains(&lw) {
                            words.push((squeeze(w), Says::Capitals(upper.clone())));
                        }
                    }
                }
            }
        }
        for r in RELEASE {
            words.push((squeeze(r), Says::Any("REL TO".to_string())));
        }
        for (w, said) in MORE_ANY_CASE {
            words.push((squeeze(w), Says::Any((*said).to_string())));
        }
        for (w, said) in MORE_IN_CAPITALS {
            words.push((squeeze(w), Says::AllCapitals((*said).to_string())));
        }
        for (w, said) in MORE_TITLED {
            words.push((squeeze(w), Says::Capitals((*said).to_string())));
        }
        for w in ONLY_US {
            words.push((squeeze(w), Says::UsOnly("NOFORN".to_string())));
        }
        // A portion level above the lowest (the policy's, and the US and NATO ones) after a
        // word that plainly names a classification: that portion mark.
        let mut portions: Vec<String> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1).filter_map(|l| l.portion.clone()))
            .chain(LEVEL_PORTIONS.iter().map(|p| (*p).to_string()))
            .filter(|p| p.is_ascii() && p.chars().count() >= 2)
            .map(|p| p.to_uppercase())
            .collect();
        portions.sort();
        portions.dedup();
        for naming in NAMING_PLAINLY {
            for p in &portions {
                words.push((squeeze(&format!("{naming} {p}")), Says::Any(format!("({p})"))));
            }
        }
        // `TLP` and a colour, whatever stands between them (`T.L.P. RED`, `TLP=RED`,
        // `TLP2.0:RED`, `TLP v2 RED`), and `AMBER STRICT` however it is joined.
        for colour in ["CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED"] {
            for version in ["", "2", "20", "v2", "v20", "1", "10", "v1", "v10"] {
                words.push((
                    squeeze(&format!("TLP{version}{colour}")),
                    Says::Tlp(format!("TLP:{colour}")),
                ));
            }
        }
        words.retain(|(w, _)| !w.is_empty());
        // One reading per word: the one that asks least (any case before capitals only).
        let rank = |s: &Says| match s {
            Says::Any(_) => 0,
            Says::Tlp(_) => 1,
            Says::UsOnly(_) => 2,
            Says::Capitals(_) => 3,
            Says::AllCapitals(_) => 4,
        };
        words.sort_by(|a, b| a.0.cmp(&b.0).then(rank(&a.1).cmp(&rank(&b.1))));
        words.dedup_by(|a, b| a.0 == b.0);
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(words.iter().map(|(w, _)| w.as_str()))
            .ok();
        let mut unspaced: Vec<Vec<char>> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1))
            .flat_map(|l| std::iter::once(&l.name).chain(&l.aliases))
            .map(|n| n.chars().collect::<Vec<char>>())
            .filter(|w| !w.is_empty() && w.iter().all(|&c| super::text::unspaced(c)))
            .chain(JAPANESE.iter().map(|w| w.chars().collect()))
            .collect();
        unspaced.sort();
        unspaced.dedup();
        let mut leads: Vec<(String, bool)> = Vec::new();
        for l in policy.schemes.iter().flat_map(|s| s.levels.iter()) {
            for name in std::iter::once(&l.name).chain(&l.aliases).filter(|n| n.is_ascii()) {
                leads.push((squeeze(name), false));
            }
        }
        for p in policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().filter_map(|l| l.portion.as_deref()))
        {
            let p = squeeze(p);
            if !leads.iter().any(|(w, _)| *w == p) {
                leads.push((p, true));
            }
        }
        leads.extend(LEADING_CONTROLS.iter().map(|w| (squeeze(w), false)));
        leads.retain(|(w, _)| !w.is_empty());
        // The one-letter portions above the lowest of each scheme, and the US ones.
        let mut single: Vec<char> = policy
            .schemes
            .iter()
            .flat_map(|s| s.levels.iter().skip(1).filter_map(|l| l.portion.as_deref()))
            .chain(["C", "S"])
            .filter_map(|p| {
                let mut c = p.chars();
                match (c.next(), c.next()) {
                    (Some(a), None) if a.is_ascii_alphabetic() => Some(a.to_ascii_lowercase()),
                    _ => None,
                }
            })
            .collect();
        single.sort_unstable();
        single.dedup();
        let squeezed_len = words
            .iter()
            .map(|(_, said)| match said {
                Says::Capitals(w) => squeeze(w).len(),
                _ => 0,
            })
            .collect();
        Prose {
            single,
            leads,
            ac,
            says: words.into_iter().map(|(_, s)| s).collect(),
            unspaced,
            squeezed_len,
            controls: AFTER_SEPARATOR.iter().map(|w| squeeze(w)).collect(),
            inside: INSIDE_WORDS.iter().map(|w| (squeeze(w), *w)).collect(),
        }
    }

    /// The markings written in the prose of `text` (and of its escapes decoded), as the marking
    /// reader reads them; but not what a banner or portion mark found in the same text already
    /// says (`SECRET` and `REL TO` in `SECRET//REL TO USA, JPN` are that banner's).
    ///
    /// Counted: `found` holds each mark as often as it was found (in the text and in each reading
    /// of it with its escapes decoded), and a marking the prose says more often than the found
    /// marks hold it is the prose's own (`not releasable to foreign nationals` after
    /// `UNCLASSIFIED//REL TO USA, JPN`: red team round 3, SA16).
    pub fn marks_in(&self, text: &str, found: &super::marking::Marks) -> Vec<String> {
        let mut said: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let mut count = |out: Vec<String>| {
            for m in out {
                let c = said.entry(m).or_default();
                *c = c.saturating_add(1);
            }
        };
        let mut out = Vec::new();
        self.marks_in_one(text, &mut out);
        count(out);
        for u in super::text::unescaped(text) {
            let mut out = Vec::new();
            self.marks_in_one(&u, &mut out);
            count(out);
        }
        said.into_iter()
            .filter(|(m, n)| {
                let held = found
                    .iter()
                    .map(|(f, times)| f.matches(m.as_str()).count().saturating_mul(*times))
                    .fold(0usize, usize::saturating_add);
                *n > held
            })
            .map(|(m, _)| m)
            .collect()
    }

    /// The markings said in `text`, each as often as it is said (hits of one marking in the
    /// vocabulary that overlap, once).
    fn marks_in_one(&self, text: &str, out: &mut Vec<String>) {
        self.japanese(text, out);
        self.separated(text, out);
        tlp_in_words(text, out);
        let Some(ac) = &self.ac else { return };
        // The text as read: shown order, NFKC, invisible code points and marks passed over.
        // Each character as shown, and as read.
        let shown = shown(text);
        let pieces: Vec<Piece> = shown
            .iter()
            .map(|&c| match reading(c) {
                Some((a, _)) if matches!(a, '@' | '$' | '|' | '!' | '\u{20AC}') => Piece::Sign(a),
                Some((a, case)) if !super::text::unspaced(c) => Piece::Letter(a, case),
                _ if c == '_' => Piece::Join,
                _ if c == '/' => Piece::Slash,
                _ => Piece::Other,
            })
            .collect();
        stated_levels(&pieces, &shown, &self.single, out);
        // The letters, and where each stands among the pieces.
        let mut squeezed = String::new();
        let mut at: Vec<usize> = Vec::new();
        for (k, p) in pieces.iter().enumerate() {
            if let Piece::Letter(a, _) | Piece::Sign(a) = p {
                squeezed.push(loosen(*a));
                at.push(k);
            }
        }
        // Whether the piece next to a hit's edge, going `back` or forward from piece `k`, ends
        // the word: no letter there, or only `_` up to the edge or another character.
        // Whether the hit's edge at piece `k` ends a word, going `back` or forward: the next
        // piece is no letter, passing over `_` only when no letter stands beyond it
        // (`AWS_SECRET` is one identifier; `_SECRET_` is the word).
        let bounded = |k: usize, back: bool| {
            let mut q = k;
            loop {
                let next = if back { q.checked_sub(1) } else { q.checked_add(1) };
                let Some(n) = next else { return true };
                match pieces.get(n) {
                    Some(Piece::Letter(..)) => return false,
                    Some(Piece::Join) => q = n,
                    None | Some(Piece::Other | Piece::Sign(_) | Piece::Slash) => return true,
                }
            }
        };
        // The marking each hit says, with its first and last piece: overlapping hits of one
        // marking are one (`COSMIC TOP SECRET` and `COSMIC`).
        let mut hits: Vec<(String, usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(&squeezed) {
            let (Some(&first), Some(&last)) = (at.get(m.start()), m.end().checked_sub(1).and_then(|e| at.get(e)))
            else {
                continue;
            };
            // A `_` beside the hit ends a control word, a phrase, TLP or a level of two words
            // written whole (`TLP_RED_x`, `x_NOFORN`, `Q3_TOP_SECRET_x`); a one-word level
            // joined by `_` is an identifier's (`AWS_SECRET_ACCESS_KEY`).
            let underscored = match self.says.get(m.pattern().as_usize()) {
                Some(Says::Capitals(w)) => {
                    w.contains(' ') && self.squeezed_len.get(m.pattern().as_usize()) == Some(&m.len())
                }
                Some(Says::AllCapitals(_) | Says::UsOnly(_)) => false,
                Some(_) => true,
                None => false,
            };
            let joined_at = |k: usize, back: bool| {
                let next = if back { k.checked_sub(1) } else { k.checked_add(1) };
                next.and_then(|n| pieces.get(n)) == Some(&Piece::Join)
            };
            let edge = |k: usize, back: bool| bounded(k, back) || (underscored && joined_at(k, back));
            if !(edge(first, true) && edge(last, false)) {
                continue;
            }
            // Digits alone are a number, not a marking written in digits (`port 135` is no
            // `LES`, `551` no `SSI`).
            if at
                .get(m.start()..m.end())
                .unwrap_or_default()
                .iter()
                .all(|&k| shown.get(k).is_some_and(char::is_ascii_digit))
            {
                continue;
            }
            let says = match self.says.get(m.pattern().as_usize()) {
                Some(Says::Any(s)) => s,
                Some(Says::Capitals(s)) => {
                    let letters = at.get(m.start()..m.end()).unwrap_or_default();
                    // Every letter a capital, or two capitals or more (`Top Secret`, `SeCrEt`).
                    let small = letters
                        .iter()
                        .filter(|&&k| matches!(pieces.get(k), Some(Piece::Letter(_, Case::Small))))
                        .count();
                    let big = letters
                        .iter()
                        .filter(|&&k| matches!(pieces.get(k), Some(Piece::Letter(_, Case::Capital))))
                        .count();
                    if small > 0 && big < 2 {
                        continue;
                    }
                    s
                }
                Some(Says::AllCapitals(s)) => {
                    let letters = at.get(m.start()..m.end()).unwrap_or_default();
                    if letters
                        .iter()
                        .any(|&k| matches!(pieces.get(k), Some(Piece::Letter(_, Case::Small))))
                    {
                        continue;
                    }
                    // `SSI injection`, `Server-Side Includes (SSI)`: the web technique.
                    if s == "SSI"
                        && (SSI_WEB.contains(&next_word(&pieces, last).as_str())
                            || matches!(
                                last_words(&pieces, first).first().map(String::as_str),
                                Some("include" | "includes")
                            ))
                    {
                        continue;
                    }
                    s
                }
                Some(Says::UsOnly(s)) => {
                    let letters = at.get(m.start()..m.end()).unwrap_or_default();
                    // No letter small: a digit or sign counts as a capital (the stricter reading).
                    let capital = |k: &usize| !matches!(pieces.get(*k), Some(Piece::Letter(_, Case::Small)));
                    let us = letters.get(..letters.len().saturating_sub(4)).unwrap_or_default();
                    if us.is_empty() || !(us.iter().all(capital) || no_pronoun(&pieces, &shown, letters)) {
                        continue;
                    }
                    let place = last_words(&pieces, first)
                        .into_iter()
                        .find(|w| w != "the" && w != "a")
                        .is_some_and(|w| PLACE_WORDS.contains(&w.as_str()));
                    if place && !letters.iter().all(capital) {
                        continue;
                    }
                    s
                }
                Some(Says::Tlp(s)) => {
                    let second = at.get(m.start() + 1).and_then(|&k| pieces.get(k));
                    if matches!(second, Some(Piece::Letter('i', _))) {
                        continue;
                    }
                    s
                }
                None => continue,
            };
            hits.push((says.clone(), first, last));
        }
        hits.sort();
        let mut seen: Option<(usize, usize)> = None;
        for (k, (says, first, last)) in hits.iter().enumerate() {
            let same = k
                .checked_sub(1)
                .and_then(|p| hits.get(p))
                .is_some_and(|(s, _, _)| s == says);
            match seen {
                Some((_, end)) if same && *first <= end => seen = Some((*first, end.max(*last))),
                _ => {
                    out.push(says.clone());
                    seen = Some((*first, *last));
                }
            }
        }
        // A word in capitals right before `//` and one starting with a capital right after
        // (`S//NF`, `TS//SI`, `[U//FOUO]`): a banner, whatever its words.
        for (k, w) in pieces.windows(2).enumerate() {
            if w != [Piece::Slash, Piece::Slash] {
                continue;
            }
            let before: Vec<(char, Case)> = pieces
                .get(..k)
                .unwrap_or_default()
                .iter()
                .rev()
                .map_while(|p| match p {
                    Piece::Letter(a, case) => Some((*a, *case)),
                    _ => None,
                })
                .collect();
            let after = pieces.get(k + 2);
            let capitals = !before.is_empty()
                && before.iter().all(|(_, case)| *case != Case::Small)
                && before.iter().any(|(_, case)| *case == Case::Capital);
            if capitals && matches!(after, Some(Piece::Letter(_, Case::Capital))) {
                let word: String = before.iter().rev().map(|(a, _)| a.to_ascii_uppercase()).collect();
                let rest: String = pieces
                    .get(k + 2..)
                    .unwrap_or_default()
                    .iter()
                    .take(64)
                    .map_while(|p| match p {
                        Piece::Letter(a, _) => Some(a.to_ascii_uppercase()),
                        Piece::Slash => Some('/'),
                        _ => None,
                    })
                    .collect();
                out.push(format!("{word}//{rest}"));
            }
        }
    }
}

impl Prose {
    /// Japanese marking words where they stand as markings, and `TLP` with a colour in Japanese
    /// or a word that is no colour (see the module's documentation).
    fn japanese(&self, text: &str, out: &mut Vec<String>) {
        let read: Vec<char> = super::text::visual(text)
            .nfkc()
            // A mark drawn as a sign is that sign (a visarga is a colon: `TLPःzork`).
            .filter(|&c| {
                !super::marking::hidden(c)
                    && (!unicode_normalization::char::is_combining_mark(c) || colon_look(c) || dot_look(c))
            })
            // A small capital is its letter (`TʟP`), as everywhere the verifier reads prose; a
            // letter of another script drawn as a Latin one is that (Cyrillic `ТLР`), read
            // before it is lowercased.
            .map(|c| super::text::small_capital(c).unwrap_or(c))
            .map(latin_look)
            .flat_map(char::to_lowercase)
            .collect();
        if read.iter().any(|&c| super::text::unspaced(c)) {
            // Spaces and separators taken out: `極 秘` is `極秘`.
            let tight: Vec<char> = read
                .iter()
                .copied()
                .filter(|&c| !c.is_whitespace() && !"-_.・･·*~|".contains(c))
                .collect();
            for start in 0..tight.len() {
                for w in &self.unspaced {
                    if tight.get(start..start + w.len()) != Some(w.as_slice()) {
                        continue;
                    }
                    let mut b = start;
                    while b > 0 && matches!(tight.get(b - 1), Some(':' | '=')) {
                        b -= 1;
                    }
                    let before = tight.get(..b).unwrap_or_default();
                    let after = tight.get(start + w.len()..).unwrap_or_default();
                    let ends_with = |x: &str| {
                        let x: Vec<char> = x.chars().collect();
                        before.ends_with(&x)
                    };
                    let starts_with = |x: &str| {
                        let x: Vec<char> = x.chars().collect();
                        after.starts_with(&x)
                    };
                    let open_before = before.last().is_none_or(|&c| !super::text::unspaced(c));
                    let open_after = after.first().is_none_or(|&c| !super::text::unspaced(c));
                    if (open_before || BEFORE_JAPANESE.iter().any(|x| ends_with(x)))
                        && (open_after || AFTER_JAPANESE.iter().any(|x| starts_with(x)))
                    {
                        out.push(w.iter().collect());
                    }
                }
            }
        }
        // `tlp` starting a word.
        for k in 0..read.len() {
            if read.get(k..k + 3) != Some(&['t', 'l', 'p'][..])
                || k.checked_sub(1)
                    .and_then(|p| read.get(p))
                    .is_some_and(|&c| c.is_alphanumeric() && !super::text::unspaced(c))
            {
                continue;
            }
            let mut q = k + 3;
            let mut colon = false;
            // A full stop of any form with no space between `TLP` and a word (`TLP.zork`,
            // `Tlp．zork`) is a colon too (default deny), unless a file's extension follows
            // (`tlp.conf`); `TLP. Then` ends a sentence.
            let (mut stop, mut space) = (false, false);
            while let Some(&c) = read.get(q) {
                if c == '=' || colon_look(c) {
                    colon = true;
                } else if dot_look(c) {
                    stop = true;
                } else if c.is_whitespace() {
                    space = true;
                } else if !"-/".contains(c) {
                    break;
                }
                q += 1;
            }
            let word: String = read
                .get(q..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '+')
                .collect();
            let mut parts = word.splitn(2, '+');
            let first = parts.next().unwrap_or_default();
            colon |= stop && !space && !EXTENSIONS.contains(&word.as_str());
            let strict = parts
                .next()
                .map(|r| ["strict", "ストリクト", "厳格"].iter().any(|s| r.starts_with(s)));
            let in_japanese = JAPANESE_TLP.iter().find(|(c, _)| first.starts_with(c)).map(|(_, s)| *s);
            let latin: String = first.chars().map(loosen).collect();
            let in_latin = ["clear", "white", "green", "amber", "red"].contains(&latin.as_str());
            let amber = in_japanese == Some("AMBER") || latin == "amber";
            if amber && strict == Some(true) {
                if !word.is_ascii() {
                    out.push("TLP:AMBER+STRICT".to_string());
                }
            } else if let Some(colour) = in_japanese {
                out.push(format!("TLP:{colour}"));
            } else if in_latin && strict.is_none() {
                // Read by the marking reader and the vocabulary above.
            } else if colon && !word.is_empty() && !first.starts_with(|c: char| c.is_ascii_digit()) && !version(first) {
                out.push(format!("TLP:{}", word.to_uppercase()));
            }
        }
    }
}

/// Whether `w` (a word as folded) is `TLP`, with digits glued before it (`2024TLP`: red team
/// round 3, SA04), read with digits and signs as letters (`7|P`).
/// Read from its end: its last three characters, then the digits before them.
fn is_tlp(w: &str) -> bool {
    let mut back = w.chars().rev();
    let (Some(p), Some(l), Some(t)) = (back.next(), back.next(), back.next()) else {
        return false;
    };
    [t, l, p].into_iter().map(loosen).eq("tip".chars()) && l != 'i' && back.all(|c| c.is_ascii_digit())
}

/// Extensions of files named `tlp.` and one (`tlp.conf`): after `TLP` and a full stop, no TLP value.
const EXTENSIONS: &[&str] = &[
    "bak", "bin", "cfg", "conf", "config", "csv", "db", "dll", "exe", "gz", "htm", "html", "ini", "js", "json", "lock",
    "log", "md", "old", "orig", "pdf", "pid", "py", "rs", "rules", "service", "sh", "so", "tar", "tmp", "toml", "txt",
    "xml", "yaml", "yml", "zip",
];

/// `c`, or the ASCII letter or digit its UTS #39 prototype is (marks on it aside) when it is of a
/// script written with spaces (Cyrillic `Т`, Greek `Ρ`, `Ĺ`); a letter of Japanese stays itself.
fn latin_look(c: char) -> char {
    if c.is_ascii() || super::text::unspaced(c) {
        return c;
    }
    let mut b = [0; 4];
    let mut proto = unicode_security::skeleton(c.encode_utf8(&mut b));
    match proto.next() {
        Some(p) if p.is_ascii_alphanumeric() && proto.all(unicode_normalization::char::is_combining_mark) => p,
        _ => c,
    }
}

/// A full stop, or a character drawn as one (NFKC done): of another script, a middle dot, or a
/// letter or mark drawn as one of those (Lisu `ꓸ`, the half colon `ˑ`, Canadian `ᐧ`).
fn dot_look(c: char) -> bool {
    super::text::full_stop(c) || super::text::drawn_sign(c) == Some('.')
}

/// A colon, or a character drawn as one (NFKC done): the Armenian full stop `։`, the colons of
/// Hebrew, Syriac, Ethiopic, Runic and Mongolian, the ratio sign, two-dot punctuation, the
/// modifier colons, Lisu `ꓽ` and Z notation's `⦂`; and a letter or mark whose UTS #39
/// prototype is `:` (the visargas `ः`, `ઃ`, Brahmi `𑀂`).
fn colon_look(c: char) -> bool {
    super::text::drawn_sign(c) == Some(':')
        || matches!(
            c,
            ':' | '\u{0589}'
                | '\u{05C3}'
                | '\u{0703}'
                | '\u{0704}'
                | '\u{1361}'
                | '\u{1365}'
                | '\u{16EC}'
                | '\u{1804}'
                | '\u{2236}'
                | '\u{205A}'
                | '\u{2982}'
                | '\u{A789}'
                | '\u{A4FD}'
                | '\u{02D0}'
                | '\u{02F8}'
        )
}

/// The words (runs of letters, as read) among the 48 pieces before piece `k`, nearest first.
fn last_words(pieces: &[Piece], k: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for p in pieces.get(k.saturating_sub(48)..k).unwrap_or_default().iter().rev() {
        match p {
            Piece::Letter(a, _) => word.insert(0, *a),
            _ if !word.is_empty() => words.push(std::mem::take(&mut word)),
            _ => {}
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The first word (a run of letters, as read) among the 48 pieces after piece `k`.
fn next_word(pieces: &[Piece], k: usize) -> String {
    pieces
        .get(k + 1..)
        .unwrap_or_default()
        .iter()
        .take(48)
        .skip_while(|p| !matches!(p, Piece::Letter(..)))
        .map_while(|p| match p {
            Piece::Letter(a, _) => Some(*a),
            _ => None,
        })
        .collect()
}

/// A portion level of [`LEVEL_PORTIONS`] (`NS`, `CTS`) as a word all in capitals, where a level
/// is stated (red team round 3, SA07): after a word of [`LEVEL_STATED_BY`] (at most two of
/// [`STATED_BETWEEN`] between, and no sign that ends a sentence or clause; not `top-level`), or
/// alone on its line or as the whole text. Anywhere else the words are a threat report's (`NS`
/// the DNS record type: `the domain's NS records`, `query type NS`, `NS1.example.net`; `CTS`
/// clear-to-send) and go; so does `NS` before a word of [`NS_RECORD_WORDS`], whatever names it.
/// Said as its portion mark (`(NS)`). Each word looked at in a bounded
/// window of `shown` (the characters as shown, one for each piece).
fn stated_levels(pieces: &[Piece], shown: &[char], single: &[char], out: &mut Vec<String>) {
    let mut k = 0;
    while k < pieces.len() {
        if !matches!(pieces.get(k), Some(Piece::Letter(..))) {
            k += 1;
            continue;
        }
        let start = k;
        let mut word = String::new();
        // Written in capitals: no letter small (a sign or an enclosed letter counts as a
        // capital, the stricter reading).
        let mut capitals = true;
        while let Some(Piece::Letter(a, case)) = pieces.get(k) {
            word.push(*a);
            capitals &= *case != Case::Small;
            k += 1;
        }
        if !capitals {
            continue;
        }
        // One letter (`Level C`, `Classification: S`; red team round 3, after session 33):
        // a level only right after a word that states one, and no name going on after it.
        let mut one = word.chars();
        if let (Some(c), None) = (one.next(), one.next())
            && single.contains(&c)
        {
            let named_on = matches!(shown.get(k), Some('.' | '-' | '_' | '/' | '@'))
                && matches!(pieces.get(k + 1), Some(Piece::Letter(..)));
            if !named_on && one_letter_stated(pieces, shown, start) {
                out.push(format!("({})", word.to_uppercase()));
            }
            continue;
        }
        if !LEVEL_PORTIONS.iter().any(|p| p.eq_ignore_ascii_case(&word)) {
            continue;
        }
        // A name goes on after it (`NS.example.net`, `NS-2`).
        if matches!(shown.get(k), Some('.' | '-' | '_' | '/' | '@'))
            && matches!(pieces.get(k + 1), Some(Piece::Letter(..)))
        {
            continue;
        }
        let record = word == "ns" && NS_RECORD_WORDS.contains(&next_word(pieces, k.saturating_sub(1)).as_str());
        if (stated_before(pieces, shown, start) && !record) || alone_on_line(shown, start, k) {
            out.push(format!("({})", word.to_uppercase()));
        }
    }
}

/// Whether a word of [`LEVEL_STATED_BY`] states the one letter at piece `start` a level: not
/// `grade` (`Grade C`, a mark of quality), nor `level` in small letters with one space before
/// the letter (`on level C of the building`, a floor). `Level C`, `level: C` and `Marked: S`
/// are levels (the stricter reading).
fn one_letter_stated(pieces: &[Piece], shown: &[char], start: usize) -> bool {
    let Some((from, word)) = stating_word(pieces, shown, start) else {
        return false;
    };
    if word == "grade" {
        return false;
    }
    let end = from.saturating_add(word.chars().count());
    let between = shown.get(end..start).unwrap_or_default();
    let small = matches!(pieces.get(from), Some(Piece::Letter(_, Case::Small)));
    !(word == "level" && between == [' '] && small)
}

/// Whether a word of [`LEVEL_STATED_BY`] stands before piece `start` (see [`stated_levels`]).
fn stated_before(pieces: &[Piece], shown: &[char], start: usize) -> bool {
    stating_word(pieces, shown, start).is_some()
}

/// The piece where the word of [`LEVEL_STATED_BY`] before piece `start` starts, and the word
/// ([`stated_before`]).
fn stating_word(pieces: &[Piece], shown: &[char], start: usize) -> Option<(usize, String)> {
    let dash = |c: char| c == '-' || ('\u{2010}'..='\u{2015}').contains(&c) || c == '\u{2212}';
    let mut at = start;
    for _ in 0..3 {
        // Back over what is no letter, at most eight characters.
        let mut q = at;
        while q > 0 && at - q < 8 && !matches!(pieces.get(q - 1), Some(Piece::Letter(..))) {
            q -= 1;
        }
        let between = shown.get(q..at).unwrap_or_default();
        if q == 0
            || between.is_empty()
            || !matches!(pieces.get(q - 1), Some(Piece::Letter(..)))
            || between.iter().any(|c| ".,;!?\u{3002}\u{3001}".contains(*c))
        {
            return None;
        }
        let end = q;
        while q > 0 && end - q < 24 && matches!(pieces.get(q - 1), Some(Piece::Letter(..))) {
            q -= 1;
        }
        // A word longer than the window is none of these.
        if q > 0 && matches!(pieces.get(q - 1), Some(Piece::Letter(..))) {
            return None;
        }
        let word: String = pieces
            .get(q..end)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| match p {
                Piece::Letter(a, _) => Some(*a),
                _ => None,
            })
            .collect();
        if LEVEL_STATED_BY.contains(&word.as_str()) {
            return (!q.checked_sub(1).and_then(|p| shown.get(p)).is_some_and(|&c| dash(c))).then_some((q, word));
        }
        if !STATED_BETWEEN.contains(&word.as_str()) {
            return None;
        }
        at = q;
    }
    None
}

/// Whether the characters `start..end` of `shown` stand alone on their line: nothing but signs
/// and spaces (at most 16 characters) to a line break or the text's edge, each way.
fn alone_on_line(shown: &[char], start: usize, end: usize) -> bool {
    let clear = |chars: &mut dyn Iterator<Item = &char>| {
        for _ in 0..16 {
            match chars.next() {
                None => return true,
                Some(c) if "\n\r\u{0B}\u{0C}\u{85}\u{2028}\u{2029}".contains(*c) => return true,
                Some(c) if c.is_alphanumeric() => return false,
                Some(_) => {}
            }
        }
        false
    };
    clear(&mut shown.get(..start).unwrap_or_default().iter().rev())
        && clear(&mut shown.get(end..).unwrap_or_default().iter())
}

/// Whether `w` is a TLP version (`v2`, `v2.0` read as `v2`).
fn version(w: &str) -> bool {
    let mut c = w.chars();
    c.next() == Some('v') && c.next().is_some_and(|d| d.is_ascii_digit())
}

/// One piece of a folded text for [`Prose::separated`]: a word of ASCII letters and digits, or
/// what stands between two words.
#[derive(Debug)]
enum Token {
    Word(String),
    Between(String),
}

/// A separator of banner parts other than `//`.
fn part_separator(c: char) -> bool {
    "/\\|\u{A6}_-.".contains(c)
}

impl Prose {
    /// Banners of separated parts, in any case (red team round 3: SA03, SB14, SA17): a level,
    /// portion level or leading control word, not right after a separator (a path: `/usr/s/si`),
    /// then separators (spaces around them) or, in parentheses, anything but a letter, then a
    /// control word of [`AFTER_SEPARATOR`] (`s/nf`, `S // NF`, `TS|SI|NF`, `(S,NF)`,
    /// `SECRET_NOFORN_x`); a level of four letters or more glued to a control (`SECRETNOFORN`,
    /// `SECRET‖NOFORN` folds to `secretllnoforn`); a control of [`INSIDE_WORDS`] inside any
    /// word. Said with `//` (`S//NF`) for the marking reader. A `//` after a level name or in
    /// parentheses is left to the banner and portion readers.
    fn separated(&self, text: &str, out: &mut Vec<String>) {
        let folded = super::marking::fold(text);
        let mut tokens: Vec<Token> = Vec::new();
        for c in folded.chars() {
            let word = c.is_ascii_alphanumeric();
            match (tokens.last_mut(), word) {
                (Some(Token::Word(w)), true) => w.push(c),
                (Some(Token::Between(b)), false) => b.push(c),
                (_, true) => tokens.push(Token::Word(c.to_string())),
                (_, false) => tokens.push(Token::Between(c.to_string())),
            }
        }
        // Squeezed when asked (all of them at once would hold a string a word: tests/scaling.rs).
        let word_at = |k: usize| match tokens.get(k) {
            Some(Token::Word(w)) => Some(squeeze(w)),
            _ => None,
        };
        // A word of digits alone is a number: it glues nothing (`51151` is no `S//SI`), and
        // two of them are no banner; beside letters it is read as letters (`5//NF`).
        let number = |k: usize| matches!(tokens.get(k), Some(Token::Word(w)) if w.chars().all(|c| c.is_ascii_digit()));
        let between_at = |k: usize| match tokens.get(k) {
            Some(Token::Between(b)) => b.as_str(),
            _ => "",
        };
        let controls = &self.controls;
        for k in 0..tokens.len() {
            let Some(word) = word_at(k) else { continue };
            let digits = number(k);
            for (i, inside) in &self.inside {
                if !digits && word.len() > i.len() && word.contains(i.as_str()) {
                    out.push((*inside).to_string());
                }
            }
            // Glued: a level of four letters or more and a control; any lead with the two bars
            // between (`‖` and `ǀǀ` fold to `ll`, read `ii`).
            for (lead, _) in &self.leads {
                let Some(rest) = word.strip_prefix(lead.as_str()) else {
                    continue;
                };
                let (rest, bars) = match rest.strip_prefix("ii") {
                    Some(r) => (r, true),
                    None => (rest, false),
                };
                let glues = !digits && (bars || (lead.len() >= 4 && (rest.len() >= 4 || rest == "nf")));
                if glues && controls.iter().any(|c| c == rest) {
                    out.push(format!("{lead}//{rest}").to_uppercase());
                }
            }
            let before = k.checked_sub(1).map(between_at).unwrap_or_default();
            if before
                .chars()
                .next_back()
                .is_some_and(|c| part_separator(c) && c != '-')
            {
                continue;
            }
            let in_parens = before.trim_end().ends_with('(');
            // The lead: this word, or it and the next after one space (`top secret`).
            let joined = (between_at(k + 1) == " ")
                .then(|| word_at(k + 2))
                .flatten()
                .map(|next| format!("{word}{next}"));
            let (last, portion_only) = match self.leads.iter().find(|(l, _)| Some(l) == joined.as_ref()) {
                Some((_, p)) => (k + 2, *p),
                None => match self.leads.iter().find(|(l, _)| *l == word) {
                    Some((_, p)) => (k, *p),
                    None => continue,
                },
            };
            let sep = between_at(last + 1);
            let Some(right) = word_at(last + 2) else { continue };
            if sep.chars().count() > 8 || !controls.contains(&right) {
                continue;
            }
            let tight: String = sep.chars().filter(|c| *c != ' ').collect();
            let plain = !tight.is_empty() && tight.chars().all(part_separator);
            let sentence = sep.contains(' ') && tight.chars().all(|c| c == '.' || c == '-');
            let closing = between_at(last + 3).starts_with(')');
            let in_brackets = in_parens && closing && !sep.contains(['(', ')']);
            let theirs = tight == "//" && (!portion_only || in_parens);
            if ((plain && !sentence) || in_brackets) && !theirs && !(digits && number(last + 2)) {
                let lead: String = (k..=last).filter_map(word_at).collect::<Vec<_>>().join(" ");
                out.push(format!("{lead}//{right}").to_uppercase());
            }
        }
    }
}

/// Words that may stand between `TLP` and a colour.
const BETWEEN_TLP_AND_COLOUR: &[&str] = &[
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

/// Words that may join `STRICT` to `AMBER` after `TLP`.
const JOINING_STRICT: &[&str] = &["and", "plus", "with", "w", "n", "under"];

/// Drawn colours (emoji) and what each says after `TLP`.
const DRAWN_COLOURS: &[(char, &str)] = &[
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

/// TLP said with words between it and its colour (`TLP is RED`, `TLP version 2.0: RED`,
/// `Traffic Light Protocol: RED`), the colour before it (`RED (TLP)`), or drawn after it
/// (`TLP:🔴`; another symbol after `TLP:`, a TLP marking no one reads). Red team round 3, SA04.
fn tlp_in_words(text: &str, out: &mut Vec<String>) {
    let folded = super::marking::fold(text);
    // One colour as written: `AMBER` and `STRICT` joined by signs or nothing (`AMBER|STRICT`,
    // `AMBER.STRICT`) is `AMBER+STRICT`, which the marking reader does not read (`true`).
    let one_colour = |w: &str| -> Option<(String, bool)> {
        let head: String = w.chars().take(5).map(loosen).collect();
        let tail: String = w.chars().skip(5).collect();
        let tail: String = tail
            .trim_start_matches(|c: char| "+|!./&".contains(c))
            .trim_end_matches('.')
            .chars()
            .map(loosen)
            .collect();
        let w: String = w.chars().map(loosen).collect();
        if w == "amber+strict" || w == "amber+strict." {
            return Some(("AMBER+STRICT".to_string(), false));
        }
        if head == "amber" && tail == "strict" {
            return Some(("AMBER+STRICT".to_string(), true));
        }
        let w = w.trim_end_matches('.');
        ["clear", "white", "green", "amber", "red"]
            .contains(&w)
            .then(|| (w.to_uppercase(), false))
    };
    // A colour, or one with digits glued after it (`RED2024`; red team round 3, SA04), which the
    // marking reader may not read either.
    let colour_of = |w: &str| -> Option<(String, bool)> {
        if let Some(c) = one_colour(w) {
            return Some(c);
        }
        let trimmed = w.trim_end_matches('.');
        let bare = trimmed.trim_end_matches(|c: char| c.is_ascii_digit());
        if bare.len() < trimmed.len() {
            return one_colour(bare).map(|(c, _)| (c, true));
        }
        None
    };
    // Words with the text after each up to the next word.
    let mut words: Vec<(String, String)> = Vec::new();
    for c in folded.chars() {
        let word_char = c.is_ascii_alphanumeric() || "+.@$|!\u{20AC}".contains(c);
        // A sign right after `TLP` is no part of it (`7|P.zork`, `TLP|zork`: it may be drawn
        // for a colon).
        let word_char = word_char
            && (c.is_ascii_alphanumeric() || !words.last().is_some_and(|(w, after)| after.is_empty() && is_tlp(w)));
        match words.last_mut() {
            Some((_, after)) if !word_char => after.push(c),
            Some((w, after)) if after.is_empty() => w.push(c),
            _ if word_char => words.push((c.to_string(), String::new())),
            _ => {}
        }
    }
    let name = |j: usize| words.get(j).map(|(w, _)| w.trim_matches('.')).unwrap_or_default();
    // Read with digits and signs as letters (`7|P` is TLP; `tip` written so is a word).
    let is = |j: usize, w: &str| name(j).chars().map(loosen).eq(w.chars().map(loosen));
    let tlp = |j: usize| is_tlp(name(j));
    // `STRICT` after `AMBER` (word `j`), words of [`JOINING_STRICT`] between and no sentence or
    // clause ended (`TLP:AMBER and STRICT`, `TLP:AMBER (STRICT)`).
    let strict_after = |j: usize| {
        for q in j + 1..words.len().min(j + 4) {
            let Some((prev, between)) = words.get(q - 1) else {
                return false;
            };
            if prev.ends_with(['.', '!']) || between.contains([';', '?', '\n', '\u{3002}']) {
                return false;
            }
            if is(q, "strict") {
                return true;
            }
            if !JOINING_STRICT.iter().any(|w| is(q, w)) {
                return false;
            }
        }
        false
    };
    for k in 0..words.len() {
        let last = if tlp(k) {
            k
        } else if is(k, "traffic") && is(k + 1, "light") {
            if is(k + 2, "protocol") { k + 2 } else { k + 1 }
        } else {
            continue;
        };
        if let Some(before) = k.checked_sub(1).and_then(|p| words.get(p))
            && let Some((c, _)) = colour_of(&before.0)
        {
            out.push(format!("TLP:{c}"));
        }
        let after = words.get(last).map(|(_, a)| a.as_str()).unwrap_or_default();
        // A drawn colour among the first few signs after it (`TLP։ 🟧`).
        let painted = after
            .chars()
            .take(6)
            .find_map(|c| DRAWN_COLOURS.iter().find(|(e, _)| *e == c).map(|(_, said)| *said));
        if let Some(c) = painted {
            out.push(format!("TLP:{c}"));
            continue;
        }
        // Signs glued between `TLP` and a word (`TLP-zork`, `TLP—zork`, `TLP→zork`): a colour
        // is said, any other value held, but for prose and versions.
        if last == k
            && let Some(v) = sign_glued(
                after,
                name(k + 1),
                words.get(k + 1).is_some_and(|(_, a)| a.starts_with('>')),
            )
        {
            if let Some((c, _)) = colour_of(&v) {
                out.push(format!("TLP:{c}"));
            } else {
                out.push(format!("TLP:{}", v.to_uppercase()));
                continue;
            }
        }
        // A full stop glued between `TLP` and a word (`7|P.zork`) is a colon: a value no
        // reader knows is held, but for a file's extension (`tlp.conf`).
        let dotted = last == k && after.contains(dot_look) && !after.contains(char::is_whitespace);
        let next = name(k + 1);
        if dotted
            && !next.is_empty()
            && colour_of(next).is_none()
            && !EXTENSIONS.contains(&next.split('.').next().unwrap_or_default())
            && !next.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(format!("TLP:{}", next.to_uppercase()));
            continue;
        }
        let drawn = after
            .chars()
            .find(|&c| !(c.is_whitespace() || "=-/.".contains(c) || colon_look(c)));
        let colon = after.chars().any(|c| c == '=' || colon_look(c));
        // A sign after `TLP:` (`TLP:@RED`): a TLP marking no one reads.
        let sign = name(last + 1).chars().next().filter(|c| "@$|!".contains(*c));
        if let Some(d) = drawn.or(sign).filter(|d| d.is_ascii_punctuation() && colon) {
            out.push(format!("TLP:{d}"));
            continue;
        }
        if let Some(d) = drawn.filter(|d| !d.is_ascii()) {
            match DRAWN_COLOURS.iter().find(|(e, _)| *e == d) {
                Some((_, c)) => out.push(format!("TLP:{c}")),
                None if colon && !super::text::unspaced(d) && !d.is_alphanumeric() => out.push(format!("TLP:{d}")),
                None => {}
            }
            continue;
        }
        for j in last + 1..words.len().min(last + 7) {
            let v = name(j);
            if let Some((c, unread)) = colour_of(v) {
                // Right after `TLP` the marking reader reads it, unless written so it does
                // not, or `TLP` is glued to digits before it (`2024TLP:RED`).
                if j > last + 1 || last > k || unread || name(k).chars().count() > 3 {
                    out.push(format!("TLP:{c}"));
                }
                if c == "AMBER" && strict_after(j) {
                    out.push("TLP:AMBER+STRICT".to_string());
                }
                break;
            }
            let version = v.starts_with(|c: char| c.is_ascii_digit()) || version(v);
            if !(version || BETWEEN_TLP_AND_COLOUR.iter().any(|b| is(j, b))) {
                break;
            }
        }
    }
}

/// Words after `TLP` and a sign that are prose, not a TLP value (`TLP-based sharing`,
/// `TLP-compliant`, `TLP/PAP`, `TLP's`, `[TLP](https://…)`, `tlp_levels`), as folded, up to a
/// full stop (`TLP-levels.json`).
const TLP_PROSE: &[&str] = &[
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

/// The word glued to `TLP` by signs, when it may be a TLP value: `between` is what stands
/// between `TLP` and the next word `next` of [`tlp_in_words`]. Signs are any characters but
/// letters, digits and spaces (default deny), at least one and no space among them, and not
/// only full stops (the rule of those, with its file extensions, is apart); the word is `next`,
/// or letters of another script right after the signs (`TLP-зорк`). No word: prose of
/// [`TLP_PROSE`], a version (`TLP-v2`, `TLP-2.0`), Japanese (read with its colours above), an
/// address after `@` (`tlp@cert.example`), an end tag (`</` then `next` and `>`, `tag`:
/// `<b>TLP</b>`), or nothing after the signs.
fn sign_glued(between: &str, next: &str, tag: bool) -> Option<String> {
    let (signs, word) = match between.find(char::is_alphanumeric) {
        Some(i) => {
            let w: String = between
                .get(i..)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            (between.get(..i).unwrap_or_default(), w)
        }
        None => (between, next.to_string()),
    };
    if signs.is_empty() || signs.contains(char::is_whitespace) || signs.chars().all(dot_look) || word.is_empty() {
        return None;
    }
    let head = word.split('.').next().unwrap_or_default();
    if word.starts_with(|c: char| c.is_ascii_digit())
        || version(&word)
        || word.starts_with(super::text::unspaced)
        || TLP_PROSE.contains(&head)
        || (signs == "@" && word.contains('.'))
        || (signs.ends_with("</") && tag)
    {
        return None;
    }
    Some(word)
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;

    /// ASCII is shown as it is: the whole reading (order, NFKC, hidden code points and marks
    /// passed over) leaves every ASCII character, in any order, alone.
    #[test]
    fn ascii_is_shown_as_it_is() {
        let all: String = (0u8..=127).chain((0u8..=127).rev()).map(char::from).collect();
        let read: Vec<char> = super::super::text::visual(&all)
            .nfkc()
            .filter(|&c| !super::super::marking::hidden(c) && !unicode_normalization::char::is_combining_mark(c))
            .collect();
        assert_eq!(super::shown(&all), read);
        assert_eq!(read, all.chars().collect::<Vec<_>>());
    }
}
