//! Markings written in prose (design principle 9; left open by session 30's red team): a control
//! word that is no English word (`handle as NOFORN material`), a classification level written in
//! capitals (`this report is SECRET`) or named as a classification in any case (`classified as
//! secret`), and releasability spelled out (`not releasable to foreign nationals`). Anywhere in
//! a string, in every disguise, each holds its object back, in the guard and in the second
//! verifier; the same words as ordinary prose (`the client secret`, `Secret Service`) do not.

mod common;

use common::held::{PROSE, both_policies, go_under_both, held_problems, held_under_both};
use common::*;
use proptest::prelude::*;
use sekisho::fuzzing::disguise;
use serde_json::Value;

/// Control words that are no words of English prose: written in any case, they mark.
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

/// Levels above UNCLASSIFIED of the shipped policy's schemes: written in capitals, they mark.
const LEVELS: &[&str] = &[
    "SECRET",
    "TOP SECRET",
    "CONFIDENTIAL",
    "RESTRICTED",
    "NATO SECRET",
    "NATO RESTRICTED",
    "COSMIC TOP SECRET",
];

/// Classifications and releasability said in words, in any case.
const PHRASES: &[&str] = &[
    "classified as secret",
    "classified secret",
    "classification: confidential",
    "Classification - top secret",
    "marked restricted",
    "marked as top secret",
    "not releasable to foreign nationals",
    "Not releasable to JPN",
    "releasable to USA only",
    "for US eyes only",
    "EYES ONLY",
];

/// Ordinary prose with the same words: it goes.
const BENIGN: &[&str] = &[
    "The attacker stole the client secret and the API key.",
    "Secret Service agents were phished.",
    "Set AWS_SECRET_ACCESS_KEY and SECRET_KEY_BASE before running the sample.",
    "A top-level domain hosts the C2.",
    "The malware keeps a secret list of hosts; it is confidential to nobody.",
    "Access to the share is restricted to administrators.",
    "The SECRETARY of the club received the lure.",
    "Confidential computing enclaves were not affected.",
    "They secretly exfiltrated data from restricted networks.",
    "Topsecret and topsecrets are the names of two droppers.",
    "The foreign key of the table is not releasable as a column name.",
    "THE WEATHER SERVICE HAS ISSUED A WARNING FOR THE AREA.",
];

/// An indicator marked TLP:GREEN whose description is `text`, then the canary.
fn with_text(text: &str) -> Vec<Value> {
    vec![indicator(1, &[TLP_GREEN], &format!("{text} CANARY"))]
}

fn guard_releases(text: &str) -> bool {
    match run(&us_to_jpn(), with_text(text)) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"),
        Err(_) => false,
    }
}

fn verifier_passes(text: &str) -> bool {
    sekisho::verifier::verify(&bundle(with_text(text)), &us_to_jpn()).is_ok()
}

fn assert_held(text: &str) {
    assert!(!verifier_passes(text), "the verifier passes {text:?}");
    assert!(!guard_releases(text), "the guard releases {text:?}");
}

/// A disguise that keeps capitals capitals (every disguise but lowercasing).
fn keeps_case(hows: &[u8]) -> Vec<u8> {
    hows.iter()
        .map(|&h| if h % 13 == 1 { h.wrapping_add(1) } else { h })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A control word in prose, in any disguise (lowercased too), holds the object back.
    #[test]
    fn a_control_word_in_prose_is_a_marking(
        word in prop::sample::select(CONTROLS),
        around in prop::sample::select(PROSE),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{}{}{}", around.0, disguise(word, &hows), around.1));
    }

    /// A level written in capitals in prose, in any disguise that keeps it in capitals (small
    /// capitals, full width, look-alikes, signs and digits for letters, spaced out, escaped).
    #[test]
    fn a_level_in_capitals_in_prose_is_a_marking(
        word in prop::sample::select(LEVELS),
        around in prop::sample::select(PROSE),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{}{}{}", around.0, disguise(word, &keeps_case(&hows)), around.1));
    }

    /// A classification or releasability said in words, in any disguise.
    #[test]
    fn a_classification_in_words_is_a_marking(
        phrase in prop::sample::select(PHRASES),
        around in prop::sample::select(PROSE),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{}{}{}", around.0, disguise(phrase, &hows), around.1));
    }
}

#[test]
fn named_prose_markings_are_held() {
    for text in [
        "handle as NOFORN material",
        "this is noforn",
        "ORCON applies",
        "The report is classified SECRET by the originator",
        "SECRET report",
        "TOP SECRET material",
        "classification: SECRET",
        "marked RESTRICTED",
        "S E C R E T",
        "S.E.C.R.E.T",
        "S_E_C_R_E_T",
        "5ECRE7 material",
        "not releasable to foreign nationals",
        // Red team round 2 (R16, R19, R06): banners of any words around `//`, TLP written
        // another way, enclosed letters.
        "TS//SI/TK//NOFORN",
        "S//NF",
        "[S//NF] the actor",
        "U//FOUO",
        "CUI//NOFORN",
        "//NOFORN",
        "SECRET/NOFORN",
        "TOP SECRET/SI/TK",
        "極秘//NOFORN",
        "TLP:AMBER STRICT",
        "TLP:AMBER-STRICT",
        "TLP:AMBER/STRICT",
        "TLP/RED",
        "TLP//RED",
        "TLP=RED",
        "TLP2.0:RED",
        "TLP v2 RED",
        "T.L.P. RED",
        "tlp red",
        "SECRET! handle with care",
        "TLP:WHIT€ is not TLP:CLEAR, TLP:R€D",
        "NOFORN$",
        "\u{1F182}\u{1F174}\u{1F172}\u{1F181}\u{1F174}\u{1F183}//\u{1F17D}\u{1F17E}\u{1F175}\u{1F17E}\u{1F181}\u{1F17D}",
    ] {
        assert_held(text);
    }
}

#[test]
fn ordinary_prose_with_the_same_words_goes() {
    for text in BENIGN {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

#[test]
fn a_releasable_banner_in_the_text_still_goes() {
    for text in [
        "UNCLASSIFIED//REL TO USA, JPN",
        "This report is SECRET//REL TO USA, JPN.",
        "(U//REL TO USA, JPN) Beacons hourly.",
        "TLP:GREEN",
        "A tip: red team the host.",
        "HTTP//1.1 and and/or, a//b",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

/// A statement that is a portion mark alone (`TS`, red team R14) is a level, and marks.
#[test]
fn a_bare_portion_mark_as_a_statement_is_a_level() {
    for portion in ["TS", "CTS", "NS", "S", "C", "NC", "NR", "ＴＳ"] {
        let objects = vec![
            statement(1, portion),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], "CANARY"),
        ];
        let released = run(&us_to_jpn(), objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        assert!(!released, "the guard releases under statement {portion:?}");
        assert!(
            sekisho::verifier::verify(&bundle(objects), &us_to_jpn()).is_err(),
            "the verifier passes statement {portion:?}"
        );
    }
}

#[test]
fn unclassified_in_capitals_stays_releasable() {
    for text in ["UNCLASSIFIED", "This report is UNCLASSIFIED.", "NATO UNCLASSIFIED"] {
        assert!(guard_releases(text), "the guard holds {text:?}");
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
    }
}

/// A statement of free text goes only when a pattern of `stix.free_statements` matches it whole
/// (red team R15: `USA ONLY`, `REL USA`, `FVEY`, `Do not share with foreign partners` said what
/// no rule reads, and the objects they marked crossed).
#[test]
fn a_free_text_statement_goes_only_when_the_policy_lists_it() {
    let crosses = |text: &str| {
        let objects = vec![
            statement(1, text),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], "CANARY"),
        ];
        let guard = run(&us_to_jpn(), objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        let verifier = sekisho::verifier::verify(&bundle(objects), &us_to_jpn()).is_ok();
        (guard, verifier)
    };
    for text in [
        "USA ONLY",
        "REL USA",
        "外国への提供不可",
        "HVCCO",
        "FVEY",
        "SPECAT",
        "DISTRIBUTION D",
        "Do not share with foreign partners",
        "Traffic Light Protocol: RED",
        "Copyright 2020 USA ONLY",
        "Copyright 2020, Example Corp. Not for foreign release",
    ] {
        assert_eq!(crosses(text), (false, false), "{text}");
    }
    for text in [
        "Copyright 2020",
        "Copyright 2020, Example Corp.",
        "Copyright (c) Stark Industries 2017.",
        "Copyright 2015-2025, The MITRE Corporation. MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation.",
    ] {
        assert_eq!(crosses(text), (true, true), "{text}");
    }
}

/// A control character inside a portion mark reads as a space, as the normal form has it (found
/// by fuzzing `marking_disguises` after the red-team round: `(\0S)` crossed the guard, which
/// passed over a plain-ASCII text with no mark start before reading it).
#[test]
fn a_control_character_inside_a_portion_mark_hides_nothing() {
    for text in [
        "(\0S)",
        "(\u{1}S)",
        "(\u{7f}S)",
        "(S\0)",
        "(\0TS)",
        "(T\0S)",
        "SECRET\0//NOFORN",
        "T\0LP:RED",
    ] {
        assert_held(&format!("{text}\nThe actor used it."));
    }
}

/// Level and handling words of Japanese, a script written without spaces or capitals: a word
/// marks where it stands as a marking (session 31's sidestep: `本件は極秘です` crossed), that
/// is where it is set off (by brackets, spaces, punctuation or the text's edge), named
/// (`区分：極秘`, `極秘指定`, `極秘扱い`) or said of the text (`本件は極秘です`).
const JAPANESE_WORDS: &[&str] = &["極秘", "機密", "秘", "取扱注意", "部外秘", "社外秘", "関係者限り"];

/// Japanese around a marking word.
const JAPANESE_AROUND: &[(&str, &str)] = &[
    ("【", "】本資料の配布先を限る"),
    ("「", "」"),
    ("本件は", "です。"),
    ("この情報は", "である"),
    ("秘密区分：", ""),
    ("区分: ", "。"),
    ("資料を", "扱いとする"),
    ("本資料は", "指定"),
    ("添付の", "文書"),
    ("Note: ", " - handle with care"),
    ("(", ")"),
    ("", ""),
];

/// Japanese prose with the same characters that says no marking: it goes.
const JAPANESE_BENIGN: &[&str] = &[
    "機密情報の窃取を目的とした攻撃が確認された。",
    "機密性、完全性、可用性を損なう。",
    "秘密鍵が漏洩した可能性がある。",
    "秘書を装ったメールが送られた。",
    "攻撃者は極秘裏に活動していた。",
    "神秘的な名前のマルウェア。",
    "情報は機密性が高い。",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A Japanese level or handling word where it stands as a marking, in any disguise, holds
    /// the object back (under us-to-jpn no such word is a marking the policy reads).
    #[test]
    fn a_japanese_marking_word_in_prose_is_a_marking(
        word in prop::sample::select(JAPANESE_WORDS),
        around in prop::sample::select(JAPANESE_AROUND),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{}{}{}", around.0, disguise(word, &hows), around.1));
    }
}

/// Under jpn-to-us the same words are read as its levels: `機密` (KIMITSU) is above its ceiling,
/// and the handling words are no marking it reads; an object released at `GOKUHI//REL TO USA,
/// JPN` does not go with them in its prose.
#[test]
fn japanese_marking_words_in_prose_are_read_under_jpn_to_us() {
    let policy = jpn_to_us();
    let crosses = |text: &str| {
        let objects = vec![
            statement(1, "GOKUHI//REL TO USA, JPN"),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], &format!("{text} CANARY")),
        ];
        let guard = run(&policy, objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        let verifier = sekisho::verifier::verify(&bundle(objects), &policy).is_ok();
        (guard, verifier)
    };
    assert_eq!(crosses("The actor used it."), (true, true));
    for text in [
        "本件は機密です。",
        "【機密】",
        "区分：機密",
        "本資料は取扱注意",
        "【部外秘】",
        "関係者限り。",
    ] {
        assert_eq!(crosses(text), (false, false), "{text}");
    }
}

#[test]
fn ordinary_japanese_prose_with_the_same_characters_goes() {
    for text in JAPANESE_BENIGN {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

/// `TLP:` and a colour written in another language is that colour (`TLP:赤` is TLP:RED, red
/// team round 2); `TLP:` and a word that is no colour is a TLP marking that cannot be read.
#[test]
fn tlp_and_a_colour_written_otherwise_is_read() {
    for text in [
        "TLP:赤",
        "TLP：レッド",
        "TLP 赤",
        "TLP: 赤 扱い",
        "本資料はTLP:赤です",
        "TLP:アンバー+ストリクト",
        "TLP:AMBER+ストリクト",
        "TLP:PURPLE",
        "TLP=BLACK",
        "TLP: 紅",
        "TLP:RE D",
    ] {
        assert_held(text);
    }
    for text in [
        "TLP:緑",
        "TLP：アンバー",
        "TLP:グリーン",
        "TLP levels are explained at first.org",
        "TLP:2.0 GREEN",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

/// A one-letter portion mark opening the second or a later paragraph (red team round 3, SB10:
/// `(U) Summary.\n(S) The actor…`, the standard portion-marked document) is read as it is at the
/// text's start: the line break before it is a line break, whatever the normal form makes of it.
#[test]
fn a_one_letter_portion_mark_opening_a_later_paragraph_is_read() {
    for text in [
        "(U) Summary.\n(S) The actor staged tooling.",
        "Intro\n(S) The actor staged tooling.",
        "Intro\r\n(S) x",
        "Intro\u{2029}(S) x",
        "Intro\u{2028}(S) x",
        "Intro\n\n(C) x",
        "Intro \n  (S) x",
        "Intro\n\t(S) x",
        "Intro\n1. (S) x",
        "Intro\n- (S) x",
        "Intro\n• (C) x",
        "Intro. Ünïcödé\n(S) x",
        "Intro\n( S ) x",
        "Intro\n(\u{200B}S) x",
        "Intro\n(Ｓ) x",
    ] {
        assert_held(text);
    }
    // Under jpn-to-us, `(K)` (KIMITSU) is above the ceiling.
    let policy = jpn_to_us();
    for text in ["(U) Summary.\n(K) Extract.", "Intro\r\n\r\n(K) Extract."] {
        let objects = vec![
            statement(1, "GOKUHI//REL TO USA, JPN"),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], &format!("{text} CANARY")),
        ];
        let guard = run(&policy, objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        assert!(!guard, "the guard releases {text:?}");
        assert!(
            sekisho::verifier::verify(&bundle(objects), &policy).is_err(),
            "the verifier passes {text:?}"
        );
    }
    // In a line, a one-letter mark is a plural or a letter of a list.
    for text in [
        "The actor (S) did it.",
        "Check the file(s)\nand the host(s).",
        "Copyright\n(c) 2020 Acme",
        "One line.\nThe host (s) is down.",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A one-letter portion mark after any first paragraph and any line break holds the object.
    #[test]
    fn a_portion_mark_after_any_paragraph_is_a_marking(
        first in "[A-Za-z0-9 .,;:()é日本-]{0,40}",
        brk in prop::sample::select(&["\n", "\r\n", "\n\n", "\u{2029}", "\u{2028}", "\n \t", " \n", "\r"][..]),
        letter in prop::sample::select(&["S", "C", "s", "c"][..]),
        hows in prop::collection::vec(any::<u8>(), 1..6),
    ) {
        let mark = disguise(&format!("({letter})"), &keeps_case(&hows));
        assert_held(&format!("{first}{brk}{mark} The actor staged tooling."));
    }
}

/// Releasable banners that go, written before the prose.
const ALLOWED_BANNERS: &[&str] = &[
    "UNCLASSIFIED//REL TO USA, JPN. ",
    "(U//REL TO USA, JPN) Summary. ",
    "SECRET//REL TO USA, JPN. ",
    "This report is SECRET//REL TO USA, JPN. Annex: ",
];

/// An allowed banner in the text does not hide a releasability phrase or a level later in the
/// same text (red team round 3, SA16: the banner's `REL TO` and `SECRET` hid every later phrase
/// that says them).
#[test]
fn an_allowed_banner_hides_no_later_phrase() {
    for text in [
        "UNCLASSIFIED//REL TO USA, JPN. Not releasable to foreign nationals.",
        "UNCLASSIFIED//REL TO USA, JPN. US eyes only.",
        "UNCLASSIFIED//REL TO USA, JPN. Annex B is releasable to USA only.",
        "(U//REL TO USA, JPN) Summary. Annex: not releasable to foreign nationals",
        "SECRET//REL TO USA, JPN. Annex B is SECRET and not releasable to foreign nationals.",
        "SECRET//REL TO USA, JPN. Annex B is SECRET.",
        "(S//REL TO USA, JPN) Summary.\nAnnex B: NOFORN",
    ] {
        assert_held(text);
    }
    for text in [
        "UNCLASSIFIED//REL TO USA, JPN. Details follow. UNCLASSIFIED//REL TO USA, JPN",
        "(U//REL TO USA, JPN) Summary.\n(U//REL TO USA, JPN) Details.",
        "(S//REL TO USA, JPN) Summary.\n(S//REL TO USA, JPN) Details.",
        "SECRET//REL TO USA, JPN",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// After an allowed banner, a releasability phrase or a control word in any disguise still
    /// holds the object.
    #[test]
    fn a_phrase_after_an_allowed_banner_is_a_marking(
        banner in prop::sample::select(ALLOWED_BANNERS),
        phrase in prop::sample::select(&[
            "not releasable to foreign nationals",
            "for US eyes only",
            "releasable to USA only",
            "NOFORN",
            "ORCON",
        ][..]),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{banner}Annex B: {}.", disguise(phrase, &hows)));
    }
}

/// Banners in any case, spaced, or with separators other than `//` (red team round 3, SA03 and
/// SB14; SA17: joined by `_` or glued): a level or portion level before the separator and a
/// control word after it is a banner.
const SEPARATED_BANNERS: &[&str] = &[
    "s//nf",
    "S//nf",
    "s//NF",
    "ts//si//nf",
    "Ts//Si//Nf",
    "This is S//nf material",
    "S// NF",
    "S //NF",
    "S / / NF",
    "S // NF",
    "S/NF",
    "(S/NF)",
    "TS/SI/NF",
    "S\\\\NF",
    "S\\NF",
    "S||NF",
    "S-NF",
    "(S||NF)",
    "(S\\\\NF)",
    "(S|NF)",
    "(S‖NF)",
    "(S,NF)",
    "(S-NF)",
    "(TS|SI|NF)",
    "SECRETǀǀNOFORN",
    "SECRET\u{338}\u{338}NOFORN",
    "SECRET‖NOFORN",
    "(S᜵᜵NF)",
    "SECRET\\NOFORN",
    "secret|noforn",
    "top secret/si",
    "SI/TK",
    "SECRET_NOFORN_report.docx",
    "Q3_TOP_SECRET_brief.pptx",
    "TLP_RED_report.pdf",
    "report_NOFORN.pdf",
    "NOFORNreport",
    "reportNOFORN",
    "SECRETNOFORN",
    "TOPSECRET_NOFORN",
    "S_NF",
    "TS_SCI",
    "[file:name = 's//nf']",
];

#[test]
fn banners_with_other_separators_are_read() {
    for text in SEPARATED_BANNERS {
        assert_held(text);
        assert_held(&format!("Summary of the intrusion. {text} Beacons hourly."));
    }
    for text in [
        "Use and/or to join them.",
        "TCP/IP and UDP/IP stacks.",
        "An A/B test of the lure.",
        "Signed with S/MIME; see C/C++ sources and I/O ports.",
        "Send it c/o the office, 24/7, on 5/12.",
        "The U-Boot loader and the S-box.",
        "The file is /usr/lib/s/si/nf.so.",
        "This is unclassified. Les attaquants ont agi.",
        "TS-3000 routers and C-SPAN streams.",
        "The SECRET_KEY_BASE and AWS_SECRET_ACCESS_KEY variables.",
        "UNCLASSIFIED//REL TO USA, JPN",
        "(U//REL TO USA, JPN) Beacons hourly.",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A level or portion level, any separator, a control word: a marking, in prose, in any
    /// case.
    #[test]
    fn a_banner_with_any_separator_is_a_marking(
        lead in prop::sample::select(&["S", "TS", "C", "SECRET", "TOP SECRET", "s", "ts", "secret"][..]),
        sep in prop::sample::select(&["/", "\\", "|", "||", "¦", "_", "-", " / ", "//", " // ", "‖", "ǀǀ", "᜵᜵", "/ /"][..]),
        control in prop::sample::select(&["NF", "NOFORN", "SI", "TK", "ORCON", "nf", "noforn", "REL", "FOUO"][..]),
        parens in any::<bool>(),
        around in prop::sample::select(PROSE),
    ) {
        let banner = format!("{lead}{sep}{control}");
        let banner = if parens { format!("({banner})") } else { banner };
        assert_held(&format!("{}{banner}{}", around.0, around.1));
    }
}

/// Controls and releasability the register knows, said in prose (red team round 3, SA06 and
/// SA05): in any case where no word of English says them, in capitals where one does.
const MORE_CONTROLS_ANY_CASE: &[&str] = &[
    "SBU-NF",
    "LES-NF",
    "DSEN",
    "RSEN",
    "FVEY",
    "REL USA",
    "Not for foreign dissemination",
    "No foreign dissemination",
    "originator controlled",
    "Dissemination and extraction of information controlled by originator",
    "For official use only",
    "Releasable only to USA",
    "RELEASABLE USA",
    "For US eyes",
    "HVCCO",
    "Do not share with foreign partners",
    "Authorized for release to USA, GBR",
    "US persons only",
    "Proprietary information involved",
    "OC-USGOV",
    "TALENT KEYHOLE",
    "SPECAT",
    "LAW ENFORCEMENT SENSITIVE",
];
const MORE_CONTROLS_IN_CAPITALS: &[&str] = &[
    "FISA",
    "HCS",
    "CUI",
    "USA ONLY",
    "US ONLY",
    "US GOV ONLY",
    "DISTRIBUTION D",
];

#[test]
fn controls_and_releasability_the_register_knows_are_markings_in_prose() {
    for text in MORE_CONTROLS_ANY_CASE.iter().chain(MORE_CONTROLS_IN_CAPITALS) {
        assert_held(&format!("Handle as {text}."));
    }
    for text in [
        "Handle as sbu-nf.",
        "fvey partners",
        "rel usa",
        "(CUI)",
        "SI/TK",
        "for official use only",
    ] {
        assert_held(text);
    }
    for text in [
        "Let us only consider the loader.",
        "The service is available in the USA only.",
        "The Fisa court ruled.",
        "The hcs and cui fields are empty.",
        "Dissemination of the lure was wide.",
        "The controller was offline.",
        "Distribution depends on the botnet.",
        "The focus eyes the law enforcement response.",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The same in any disguise (one that keeps capitals for those read in capitals).
    #[test]
    fn a_known_control_in_prose_is_a_marking(
        any_case in prop::sample::select(MORE_CONTROLS_ANY_CASE),
        capitals in prop::sample::select(MORE_CONTROLS_IN_CAPITALS),
        around in prop::sample::select(PROSE),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        assert_held(&format!("{}{}{}", around.0, disguise(any_case, &hows), around.1));
        assert_held(&format!("{}{}{}", around.0, disguise(capitals, &keeps_case(&hows)), around.1));
    }
}

/// TLP with words between it and its colour, named in words, after its colour, drawn, or
/// `AMBER+STRICT` alone (red team round 3, SA04).
const TLP_SAID_OTHERWISE: &[&str] = &[
    "TLP is RED",
    "TLP level RED",
    "TLP version 2.0: RED",
    "TLP designation: RED",
    "TLP rating: RED",
    "TLP colour RED",
    "RED (TLP)",
    "RED/TLP",
    "Traffic Light Protocol: RED",
    "Traffic-Light-Protocol RED",
    "Traffic light: RED",
    "AMBER+STRICT",
    "Handling: AMBER+STRICT",
    "Share as AMBER+STRICT only",
    "TLP:🔴",
    "TLP:🟥",
    "TLP: 🟥",
    "TLP:@RED",
    "TLP:$RED",
];

#[test]
fn tlp_said_in_other_words_is_read() {
    for text in TLP_SAID_OTHERWISE {
        assert_held(text);
        assert_held(&format!("Summary. {text}. Beacons hourly."));
    }
    for text in [
        "TLP is the Traffic Light Protocol of FIRST.",
        "TLP is the Traffic Light Protocol; a red team tip: green",
        "The traffic light was red when the car passed.",
        "TLP levels are explained at first.org",
        "TLP is GREEN",
        "Traffic Light Protocol: GREEN",
        "An amber alert and a strict policy.",
        "TLP:🟢",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The same in any disguise that keeps its words apart (the sign forms, `TLP:@RED`, as
    /// written only: a look-alike of `:` before the sign is read as `.` by the guard).
    #[test]
    fn tlp_in_other_words_is_a_marking_in_any_disguise(
        text in prop::sample::select(
            TLP_SAID_OTHERWISE.iter().copied().filter(|t| !t.contains(['@', '$'])).collect::<Vec<_>>()
        ),
        around in prop::sample::select(PROSE),
        hows in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        let hows: Vec<u8> = hows.iter().map(|&h| if h % 13 == 7 { h.wrapping_add(1) } else { h }).collect();
        assert_held(&format!("{}{}{}", around.0, disguise(text, &hows), around.1));
    }
}

/// `TLP`, a colon drawn another way (the Armenian full stop `։`, which the guard's normal form
/// reads as `.`; colons of other scripts; the ratio sign; modifier colons), then a word that is
/// no colour or a TLP colour: a TLP marking no reader reads, or one that says its colour.
#[test]
fn tlp_with_a_colon_drawn_another_way_is_read() {
    const COLONS: &[char] = &[
        '\u{0589}', '\u{05C3}', '\u{0703}', '\u{0704}', '\u{1361}', '\u{1365}', '\u{16EC}', '\u{1804}', '\u{2236}',
        '\u{205A}', '\u{2982}', '\u{A789}', '\u{A4FD}', '\u{02D0}', '\u{02F8}', '\u{FF1A}', '\u{FE55}', '\u{FE13}',
    ];
    for colon in COLONS {
        for word in ["zork", "PURPLE", "RED", "\\u1f534", "\u{1F534}", " zork"] {
            assert_held(&format!("Handle as TLP{colon}{word} material."));
        }
    }
    // A `.` that ends a sentence or a file name is no colon.
    for text in ["See the TLP. Zork is a game.", "Set it in tlp.conf", "TLP.GREEN"] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

/// Levels not written all in capitals: in title case or mixed (two capitals or more), or in
/// modifier (superscript) letters (red team round 3, SA07); a classification named in small
/// letters (SA18).
const LEVELS_WRITTEN_OTHERWISE: &[&str] = &[
    "This report is Top Secret",
    "This report is SeCrEt",
    "This report is ᵀᴼᴾ ˢᴱᶜᴿᴱᵀ",
    "ᶜᴼᴺᶠᴵᴰᴱᴺᵀᴵᴬᴸ",
    "ˢ//ᴺᶠ",
    "ᵀˢ//ˢᴵ",
    "This information is classified at the secret level",
    "This information is classified at the top secret level",
    "secret-level information",
    "a secret classification",
    "a secret-classified report",
    "the classification of this report is secret",
    "Classification of this document: secret",
    "Security: top secret",
    "Clearance: secret",
    "Classified as s/nf",
    "Level: ts/sci",
];

#[test]
fn levels_in_title_case_superscript_or_named_in_small_letters_are_read() {
    for text in LEVELS_WRITTEN_OTHERWISE {
        assert_held(text);
    }
    for text in [
        "Secret Service agents were phished.",
        "Confidential computing enclaves were not affected.",
        "The secret key was stolen at the top level.",
        "Security secrets of the vendor leaked.",
        "The 1ˢᵗ stage loader.",
    ] {
        assert!(verifier_passes(text), "the verifier refuses {text:?}");
        assert!(guard_releases(text), "the guard holds {text:?}");
    }
}

/// Portion marks of the well-known schemes (US, NATO) are markings whatever the policy: under
/// jpn-to-us, which has no NATO scheme, `(CTS)` and `(NS)` are markings it cannot read (red team
/// round 3, SB22); `特定秘密` is a Japanese marking word (SA22).
#[test]
fn portion_marks_of_well_known_schemes_are_markings_under_any_policy() {
    let policy = jpn_to_us();
    let crosses = |text: &str| {
        let objects = vec![
            statement(1, "GOKUHI//REL TO USA, JPN"),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], &format!("{text} CANARY")),
        ];
        let guard = run(&policy, objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        let verifier = sekisho::verifier::verify(&bundle(objects), &policy).is_ok();
        (guard, verifier)
    };
    assert_eq!(crosses("Extract from the alliance report."), (true, true));
    for text in [
        "(CTS) Extract from the alliance report.",
        "(NS) Extract from the alliance report.",
        "Summary.\n(NC) Extract.",
        "(NS//REL TO USA, JPN) Extract.",
        "【特定秘密】",
        "本件は特定秘密です。",
    ] {
        assert_eq!(crosses(text), (false, false), "{text}");
    }
    for text in ["特定秘密保護法の改正が議論された。", "特定秘密保護法による。"] {
        assert_eq!(crosses(text), (true, true), "{text}");
    }
    for text in ["【特定秘密】", "本件は特定秘密です。"] {
        assert_held(text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A NATO portion mark in any disguise that keeps its capitals, opening a paragraph under
    /// jpn-to-us, holds the object.
    #[test]
    fn a_nato_portion_mark_under_jpn_to_us_is_a_marking(
        mark in prop::sample::select(&["(CTS)", "(NS)", "(NC)", "(NR)", "(CTS//REL TO USA, JPN)"][..]),
        first in prop::sample::select(&["", "Summary.\n", "(U) Summary.\r\n\r\n"][..]),
        hows in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let policy = jpn_to_us();
        let text = format!("{first}{} Extract. CANARY", disguise(mark, &keeps_case(&hows)));
        let objects = vec![
            statement(1, "GOKUHI//REL TO USA, JPN"),
            indicator(2, &[TLP_GREEN, &id("marking-definition", 1)], &text),
        ];
        let guard = run(&policy, objects.clone())
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains("CANARY"));
        prop_assert!(!guard, "the guard releases {:?}", text);
        prop_assert!(sekisho::verifier::verify(&bundle(objects), &policy).is_err(), "the verifier passes {:?}", text);
    }
}

/// Found by the generators above in CI: a `|` written for `i` between digits written for
/// letters (`f0r3|6n`; the normal form reads `3|6` as a gap in a number) crossed the guard, and
/// a small capital in `TʟP` followed by a word that is no colour passed the verifier.
#[test]
fn leet_pipes_between_digits_and_small_capitals_before_an_unread_colour_are_held() {
    for text in [
        "N07 f0r f0r3|6n d|553m|n47|0n",
        "Note: D0 n07 5h4r3 w|7h f0r3|6n p4r7n3r5 - share with care",
        "Handle as \\u{54}ʟ\\u{e0041}P:\\u1f534 material.",
        "Handle as TʟP:zork material.",
        "Handle as ᴛʟᴘ:ὓ material.",
    ] {
        assert_held(text);
    }
}

/// A `|` written for a letter between digits written for letters is read as a letter by one
/// reading in the guard (the normal form's digit gap read as the letter, in every reader of
/// prose) and by the verifier's own: in a level, a banner, a caveat spelled out, and between
/// full-width digits; a `|` between the digits of numbers still goes.
#[test]
fn a_pipe_between_digits_is_read_as_a_letter_by_one_reading_in_each() {
    held_under_both(&[
        "N07 f0r f0r3|6n d|553m|n47|0n",
        "C0NF1D3N7|4L",
        "Handle as (C0NF1D3N7|4L) material.",
        "N07 R3L3A5A8|3 70 F0R3|6N N4710N4L5",
        "N07 f0r f0r\u{ff13}|\u{ff16}n d|55\u{ff13}m|n\u{ff14}\u{ff17}|\u{ff10}n",
    ]);
    go_under_both(&[
        "Ports 10|20 and 30|40 were open.",
        "The fields read 3|6|9 in the log.",
        "A count of 1|000|000 beacons.",
    ]);
}

//--- Session 33: markings said in prose that still crossed under both shipped policies (red
// team round 3: SA04, SA05, SA06, SA07, SA18). Each form, in `indicator.description`, is held by
// the guard (refused or rewritten: it never crosses as written), refused by the second verifier
// as it came, and the guard's output passes the verifier; under us-to-jpn and jpn-to-us alike.

/// SA04: `TLP:AMBER` with its `STRICT` written another way (a word, a bar, a slash, spaces
/// around `+`, in brackets), and `TLP` glued to digits before it or its colour to digits after.
const SA04_TLP_QUALIFIED_OR_GLUED: &[&str] = &[
    "Shared under TLP:AMBER and STRICT handling.",
    "Shared under TLP:AMBER|STRICT.",
    "TLP: AMBER + STRICT",
    "TLP AMBER/STRICT",
    "TLP:AMBER (STRICT)",
    "TLP:AMBER & STRICT",
    "TLP:AMBER, STRICT",
    "TLP:AMBER [STRICT]",
    "TLP:AMBER plus STRICT",
    "TLP:AMBER with strict handling",
    "TLP: amber and strict",
    "Report 2024TLP:RED follows.",
    "TLP:RED2024",
    "Report TLP:RED2024 follows.",
    "2024TLP:AMBER+STRICT",
    "Ref 17TLP RED",
];

/// SA05: a NOFORN in other words: releasable to the US alone.
const SA05_US_ONLY: &[&str] = &[
    "This report is US-only.",
    "This report is US only.",
    "This report is U.S. only.",
    "This report is USA-only.",
    "This report is for US eyes only.",
    "US-ONLY",
    "(US only)",
    "Handle as USA only material.",
    "Releasable to the US only.",
    "U.S.-only",
    "\u{FF35}\u{FF33}-only",
    "For US Only",
    // All in capitals, a word of place before it hides nothing.
    "IN THE US ONLY",
    "&#85;&#83;&#65;&#32;&#79;&#78;&#76;&#89;",
];

/// SA06: US control and dissemination abbreviations, each a whole word in capitals.
const SA06_CONTROL_ABBREVIATIONS: &[&str] = &[
    "Marked SBU by the originator.",
    "Contains SSI about the port.",
    "COMINT derived.",
    "Handle as LES.",
    "TK material follows.",
    "Dissemination: WAIVED.",
    "SBU-NF",
    "LES NOFORN",
    "FOUO",
    "Marked SBU-NF by the originator.",
    "Contains LES NOFORN data.",
    "Handle as FOUO.",
    "(SBU) summary",
];

/// SA07: bare NATO levels where a level is being stated.
const SA07_BARE_NATO_LEVELS: &[&str] = &[
    "Level NS per the originator.",
    "Level CTS per the originator.",
    "Classification: NS",
    "Classification: CTS",
    "Classified NS by the alliance.",
    "Marked CTS.",
    "Marking: NS",
    "Graded NS.",
    "Security: CTS",
    "Security level: NS",
    "NS",
    "CTS",
    "Summary follows.\nNS\nThe actor staged tooling.",
    "CTS\nExtract from the alliance report.",
    "(NS)",
    "(CTS)",
    "Level-NS",
    "LEVEL NS",
    "Level \u{2013} NS",
    "[NS]",
    "Level &#78;&#83; per the originator.",
    "Classified as TS",
];

/// SA18: a level in small letters after a word that classifies.
const SA18_LEVELS_AFTER_A_CLASSIFYING_WORD: &[&str] = &[
    "Classified: yes (secret)",
    "Graded: secret",
    "Classified as ts",
    "classification: top secret",
    "classified secret",
    "Graded as top secret.",
    "graded confidential",
    "Classified: yes - confidential",
    "Classification is: secret",
    "Marked: yes (secret)",
    "classified as cts",
];

/// Their benign neighbours: the same words in ordinary prose and threat reports.
const SA04_TO_SA18_BENIGN: &[&str] = &[
    // TLP with words that are no qualifier.
    // (`TLP:AMBER. Strict-Transport-Security …` is held: `AMBER` and `STRICT` with only signs
    // between read as `AMBER+STRICT` whatever the signs, the stricter reading.)
    "TLP:AMBER applies. Strictly, the loader is new.",
    "TLP:GREEN and strict handling of keys is advised.",
    "TLP:AMBER applies.",
    "Version 2024 of the TLP guide.",
    // US in prose.
    "Let us only consider the loader.",
    "The service is available in the USA only.",
    "The service runs in the US only.",
    "The campaign targeted US companies only.",
    "Only US-based hosts were hit.",
    "USB only: the implant spreads by removable media.",
    // Abbreviations that are words or names in other cases.
    "The tk toolkit and the Tk GUI of Python.",
    "Les attaquants ont utilisé les mêmes outils.",
    "The ssi field and the sbu value are empty.",
    "Comint is a family name; the waiver was waived in lowercase.",
    "Fees were waived for the trial.",
    // NS and CTS as DNS records and other words.
    "The domain's NS records point to ns1.example.net.",
    "NS1.example.net and NS2.example.net answer for the zone.",
    "The resolver sent a query of type NS.",
    "query type NS",
    "Monitor for LLMNR/NBT-NS poisoning.",
    "The NS record changed at 10:00; CTS frames were dropped.",
    "The resolver marked NS records as lame.",
    "Security: NS servers were changed.",
    "The top-level NS records of the zone.",
    "Record type: NS",
    "NS records: ns1.example.net",
    "The Ns record",
    "SSI injection was used against the portal.",
    "Server-Side Includes (SSI) were abused.",
    "Set the CTS and RTS lines of the serial port.",
    "A latency of 20 ns per level.",
    // Secret in prose.
    "The attacker stole a secret key.",
    "The secret sauce of the loader is its packer.",
    "A shared secret protects the channel.",
    "The classified ads site hosted a secret page.",
    "Declassified: secret documents from 1970 were used as lures.",
];

#[test]
fn sa04_tlp_with_its_qualifier_written_otherwise_or_glued_to_digits_is_held() {
    held_under_both(SA04_TLP_QUALIFIED_OR_GLUED);
}

#[test]
fn sa05_us_only_in_words_is_held() {
    held_under_both(SA05_US_ONLY);
}

#[test]
fn sa06_us_control_abbreviations_in_capitals_are_held() {
    held_under_both(SA06_CONTROL_ABBREVIATIONS);
}

#[test]
fn sa07_bare_nato_levels_stated_as_a_level_are_held() {
    held_under_both(SA07_BARE_NATO_LEVELS);
}

#[test]
fn sa18_levels_in_small_letters_after_a_classifying_word_are_held() {
    held_under_both(SA18_LEVELS_AFTER_A_CLASSIFYING_WORD);
}

#[test]
fn sa04_to_sa18_benign_neighbours_go_unchanged() {
    go_under_both(SA04_TO_SA18_BENIGN);
}

/// A disguise of `text` that keeps what a reader reads: each ASCII letter in its case or
/// (where `lower` allows it) the other, full width or not; each space or separator one of
/// several; and digits glued before or after (`2024`).
fn disguised_form(text: &str, lower: bool, hows: &[u8], digits: (bool, bool)) -> String {
    const SEPARATORS: [&str; 6] = [" ", "  ", " : ", "\u{3000}", "\u{A0}", "\t"];
    let mut out = String::new();
    if digits.0 {
        out.push_str("2024");
    }
    for (n, c) in text.chars().enumerate() {
        let how = hows.get(n % hows.len().max(1)).copied().unwrap_or(0);
        let c = if lower && how % 3 == 1 {
            c.to_ascii_lowercase()
        } else {
            c
        };
        match c {
            ' ' => out.push_str(
                SEPARATORS
                    .get(usize::from(how >> 4) % SEPARATORS.len())
                    .copied()
                    .unwrap_or(" "),
            ),
            c if c.is_ascii_graphic() && how % 5 == 2 => out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)),
            c => out.push(c),
        }
    }
    if digits.1 {
        out.push_str("2024");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// SA04: AMBER and STRICT joined any way, in any case, full width or not, TLP glued to
    /// digits before, the qualifier glued to digits after.
    #[test]
    fn sa04_amber_and_strict_joined_any_way_is_held(
        join in prop::sample::select(&["+", " + ", "|", "/", " / ", " (", " and ", " & ", "-", " ", "_", ", ", " plus "][..]),
        colon in prop::sample::select(&[":", ": ", " ", "=", "-"][..]),
        hows in prop::collection::vec(any::<u8>(), 1..8),
        glued in any::<bool>(),
        around in prop::sample::select(&[("", ""), ("Shared under ", " handling."), ("Note: ", ")")][..]),
    ) {
        let close = if join == " (" { ")" } else { "" };
        let text = format!("TLP{colon}AMBER{join}STRICT{close}");
        let text = format!("{}{}{}", around.0, disguised_form(&text, true, &hows, (glued, false)), around.1);
        let problems: Vec<String> = both_policies().iter().flat_map(|(n, p)| held_problems(p, n, &text)).collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// SA04: TLP:RED glued to digits on either side, in any case and width.
    #[test]
    fn sa04_tlp_glued_to_digits_is_held(
        colour in prop::sample::select(&["RED", "AMBER+STRICT"][..]),
        colon in prop::sample::select(&[":", ": ", " ", "="][..]),
        hows in prop::collection::vec(any::<u8>(), 1..8),
        glued in prop::sample::select(&[(true, false), (false, true), (true, true)][..]),
    ) {
        let text = format!("Report {} follows.", disguised_form(&format!("TLP{colon}{colour}"), true, &hows, glued));
        let problems: Vec<String> = both_policies().iter().flat_map(|(n, p)| held_problems(p, n, &text)).collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// SA05, SA06, SA07, SA18: each form in capitals (or, for SA18, any case), full width or
    /// not, with its spaces varied.
    #[test]
    fn sa05_to_sa18_forms_in_disguise_are_held(
        form in prop::sample::select(&[
            ("This report is US-only.", false),
            ("This report is U.S. only.", false),
            ("USA-only", false),
            ("Marked SBU by the originator.", false),
            ("Contains SSI about the port.", false),
            ("COMINT derived.", false),
            ("Dissemination WAIVED.", false),
            ("Handle as LES.", false),
            ("TK material follows.", false),
            ("Level NS per the originator.", false),
            ("Level CTS per the originator.", false),
            ("Classification: NS", false),
            ("Classified: yes (secret)", true),
            ("Graded: secret", true),
            ("Classified as ts", true),
            ("classification: top secret", true),
            ("classified secret", true),
            // Session 34: `us-only` in any case, one-letter levels after a naming word.
            ("This report is us-only.", true),
            ("Distribution: us only", true),
            ("Handle as usonly material.", true),
            ("Level C per the originator.", false),
            ("Classification: S", false),
            ("Graded C", false),
            ("Marked: S", false),
        ][..]),
        hows in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let text = disguised_form(form.0, form.1, &hows, (false, false));
        let problems: Vec<String> = both_policies().iter().flat_map(|(n, p)| held_problems(p, n, &text)).collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- Session 34: forms the red team's round 3 showed still crossing after session 33.

/// SA05 in small letters: `us-only` hyphenated or glued, or `u.s.` with its dots, is no pronoun;
/// `us only` after a word of dissemination (`distribution: us only`) says to whom.
const SA05_US_ONLY_IN_SMALL_LETTERS: &[&str] = &[
    "This report is us-only.",
    "us-only distribution",
    "(us-only)",
    "Handle as us\u{2011}only material.",
    "Distribution: usonly",
    "This report is u.s. only.",
    "This report is u.s.-only.",
    "Distribution: us only",
    "Dissemination us only.",
    "Releasability: us only",
    "This report is Us-Only.",
    "usa only",
    "Shipping to usa only.",
];

/// Their benign neighbours: `us` the pronoun, `usa` as a place.
const SA05_PRONOUN_AND_PLACE: &[&str] = &[
    "Let us only consider the loader.",
    "Tell us only what you saw.",
    "The actor sent us only one sample.",
    "It is for us only to decide.",
    "The service is available in the usa only.",
    "They gave us only-child processes.",
    "Rufus only runs on Windows.",
    "Campus only networks were hit.",
];

#[test]
fn sa05_us_only_in_small_letters_where_no_pronoun_reads_is_held() {
    held_under_both(SA05_US_ONLY_IN_SMALL_LETTERS);
}

#[test]
fn sa05_us_the_pronoun_and_the_usa_as_a_place_still_go() {
    go_under_both(SA05_PRONOUN_AND_PLACE);
}

/// SA07/SA18 with one letter: a one-letter portion level in capitals right after a word that
/// names a level (`Level C`, `Classification: C`, `Marked: TS`).
const ONE_LETTER_LEVELS_AFTER_A_NAMING_WORD: &[&str] = &[
    "Level C",
    "Level C per the originator.",
    "Level: S",
    "LEVEL S",
    "Classification: C",
    "Classification: S",
    "Classified S",
    "Classified as C by the originator.",
    "Marked: TS",
    "Marked: S",
    "Marking: C",
    "Graded C",
    "Graded: S",
    "Security level: S",
    "Classification - C",
    "Classification: (S)",
    "Classification: \u{FF33}",
    "Level &#83; per the originator.",
];

/// Their benign neighbours.
const ONE_LETTER_BENIGN: &[&str] = &[
    "Level 3 of the kill chain.",
    "The server room is on level C of the building.",
    "Vitamin C",
    "A Class C network and a class C address.",
    "Grade A beef was the lure.",
    "Marked Z on the map.",
    "Level A of the game.",
    "Option C was chosen.",
    "The C2 level is high.",
    "Written in C and S-Lang.",
    "Classified ads.",
    // A list's letters in small letters, a copyright, a plural opening a sentence.
    "(a) one. (c) three.",
    "Done. (C) 2024 Acme Corp.",
    "The host(s) went down. (s) marks a plural.",
];

#[test]
fn one_letter_levels_after_a_naming_word_are_held() {
    held_under_both(ONE_LETTER_LEVELS_AFTER_A_NAMING_WORD);
}

#[test]
fn one_letter_benign_neighbours_go_unchanged() {
    go_under_both(ONE_LETTER_BENIGN);
}

/// `(K)` (KIMITSU, above the jpn-to-us ceiling) in forms a reader reads as that portion mark.
const K_FORMS: &[&str] = &[
    "(K) Extract.",
    "\u{FF08}K\u{FF09} Extract.",
    "(\u{FF2B}) Extract.",
    "\u{FF08}\u{FF2B}\u{FF09} Extract.",
    "Summary end. (K) Extract follows.",
    "Summary end.  (K) Extract follows.",
    "(K//REL TO USA) Extract.",
    "(K//REL TO USA, JPN) Extract.",
    "\u{200B}(K) Extract.",
    "(\u{200B}K\u{200B}) Extract.",
    "(K\u{200D}) Extract.",
    "( K ) Extract.",
    "(U) Summary. (K) Extract.",
    "Summary:\n\u{FF08}K\u{FF09} Extract.",
];

#[test]
fn kimitsu_portion_marks_in_any_writing_are_held_under_jpn_to_us() {
    let policy = jpn_to_us();
    let problems: Vec<String> = K_FORMS
        .iter()
        .flat_map(|t| held_problems(&policy, "jpn-to-us", t))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `(K)` opening a sentence after the first, in any width, with spaces or invisible
    /// characters slipped in, held under jpn-to-us.
    #[test]
    fn a_kimitsu_mark_opening_a_later_sentence_in_any_writing_is_held(
        end in prop::sample::select(&[".", "!", "?", "\u{FF0E}", "..."][..]),
        gap in prop::sample::select(&[" ", "  ", "", "\u{3000}", " \u{200B}"][..]),
        open in prop::sample::select(&["(", "\u{FF08}", "( ", "(\u{200B}"][..]),
        letter in prop::sample::select(&["K", "\u{FF2B}"][..]),
        close in prop::sample::select(&[")", "\u{FF09}", " )", "\u{200D})"][..]),
    ) {
        let text = format!("Summary end{end}{gap}{open}{letter}{close} Extract follows.");
        let problems = held_problems(&jpn_to_us(), "jpn-to-us", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// A portion mark in square, full-width or lenticular brackets (`[S]`, `［S］`, `【S】`) opening
/// the text, a line or a sentence is read as the one in parentheses (`(S)`): held by both
/// readers; `[K]` under jpn-to-us like `(K)`. A citation `[1]`, `[sic]`, an index `a[i]`, and
/// a bracketed letter inside a sentence (`Match [S]+`) go.
#[test]
fn s35b_portion_marks_in_brackets_are_read_as_in_parentheses() {
    held_under_both(&[
        "[S] The actor staged tooling.",
        "[TS] The actor staged tooling.",
        "[S//NF] The actor staged tooling.",
        "\u{3010}S\u{3011} The actor staged tooling.",
        "\u{FF3B}S\u{FF3D} The actor staged tooling.",
        "\u{3014}TS\u{3015} The actor staged tooling.",
        "Intro\n[S] The actor staged tooling.",
        "Summary. [S] The actor staged tooling.",
        "[ S ] The actor staged tooling.",
    ]);
    let p = jpn_to_us();
    for text in [
        "[K] Extract of the report.",
        "Intro\n[K] Extract.",
        "End. \u{3010}K\u{3011} Extract.",
    ] {
        let problems = held_problems(&p, "jpn-to-us", text);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
    go_under_both(&[
        "As shown in [1], the actor staged tooling.",
        "The value a[i] is read from b[S] here.",
        "The actor [sic] staged tooling.",
        "Match [S]+ in the regex",
        "See [RFC 8259] and [2] for details.",
    ]);
}

/// A full stop in any of its forms glued between `TLP` and a word (`TLP.zork`, `Tlp\u{FF0E}zork`,
/// `T\u{200B}LP.zork`) is read as a colon after the normal form, in both readers: a known colour
/// is read by its rule (`TLP.RED` held, `TLP.GREEN`, `TLP.CLEAR` go), any other value is held
/// (default deny) but for a file extension (`tlp.conf`). `TLP.` ending a sentence (`as TLP.
/// Then`) goes.
const TLP_DOT_GOES: &[&str] = &[
    "TLP.GREEN",
    "TLP.CLEAR",
    "tlp.clear",
    "TLP. AMBER",
    "It is marked as TLP. Then we go.",
    "See the TLP. Zork is a game.",
    "Set it in tlp.conf",
    "Set it in /etc/TLP.conf and restart.",
    "Edit Tlp\u{FF0E}conf",
    "The tlp.json and tlp.yaml files list the levels.",
    "Load tlp.conf.bak first.",
];

#[test]
fn s36a_tlp_with_a_full_stop_for_its_colon_is_read() {
    held_under_both(&[
        "TLP.zork",
        "Handle as TLP.zork material.",
        "TLP.PURPLE",
        "TLP.RED",
        "TLP.AMBER+STRICT",
        "tlp.red",
        "Tlp.zork",
        "tlp.zork",
        "TLP\u{FF0E}zork",
        "TLP\u{2024}zork",
        "TLP\u{FE52}zork",
        "T\u{200B}LP.zork",
        "TLP\u{200B}.zork",
        "\u{FF34}\u{FF2C}\u{FF30}.zork",
        // Full stops of other scripts (UTS #39 draws the Arabic one as `-`).
        "TLP\u{06D4}zork",
        "TLP\u{0964}zork",
        "TLP\u{1362}zork",
        "TLP.-zork",
        "see tlp.configure",
    ]);
    go_under_both(TLP_DOT_GOES);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// `TLP` in any disguise that keeps its letters together, a full stop drawn any way
    /// (`sekisho::fuzzing::disguise` draws `.` as its look-alikes, escaped, with an invisible
    /// code point beside it, full width), then a value no policy knows or one no policy releases,
    /// in any case, in any prose: held under both policies.
    #[test]
    fn s36a_tlp_a_full_stop_drawn_any_way_and_a_value_are_held(
        tlp_hows in prop::collection::vec(any::<u8>(), 1..6),
        dot_how in any::<u8>(),
        value in prop_oneof!["[a-z]{3,8}", prop::sample::select(vec!["red".to_string(), "amber+strict".to_string()])],
        case in 0..3u8,
        around in prop::sample::select(PROSE),
    ) {
        let known = ["red", "amber", "green", "clear", "white", "strict"];
        prop_assume!(value.contains('+') || value == "red" || !known.iter().any(|c| value.contains(c)));
        prop_assume!(!TLP_EXTENSIONS.contains(&value.as_str()));
        // Every disguise but a space after a letter (`T L P` is no word).
        let hows: Vec<u8> = tlp_hows.iter().map(|&h| if h % 13 == 7 { h.wrapping_add(1) } else { h }).collect();
        // The full stop kept, full width, a look-alike, invisible beside it, or escaped.
        // (`how % 13` picks the way, `how >> 4` the variant.)
        let (way, pick) = ([0u8, 2, 4, 5, 6, 11][usize::from(dot_how % 6)], dot_how >> 4);
        let dot_how = pick * 16 + (way + 13 - (pick * 16) % 13) % 13;
        let value = match case {
            0 => value,
            1 => value.to_uppercase(),
            _ => value.chars().enumerate().map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c }).collect(),
        };
        let text = format!("{}{}{}{value}{}", around.0, disguise("TLP", &hows), disguise(".", &[dot_how]), around.1);
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Words after `tlp.` that the generator does not draw: file extensions, which go.
const TLP_EXTENSIONS: &[&str] = &[
    "conf", "cfg", "config", "ini", "json", "yaml", "yml", "toml", "xml", "txt", "log", "bak", "sh", "py", "rs", "md",
    "csv", "html", "htm", "js", "pdf", "zip", "gz", "tar", "exe", "dll", "so", "bin", "service", "rules", "old",
    "orig", "tmp", "lock", "pid", "db",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// A portion mark in any of the brackets read as parentheses, spaced inside or not, opening
    /// the text, a line or a sentence, is held under both policies; `TLP.` glued to a colour no
    /// policy knows, in any case of the colour, is held too.
    #[test]
    fn s35b_a_bracketed_portion_mark_opening_a_sentence_is_held(
        mark in prop::sample::select(&["S", "TS", "C", "S//NF", "TS//SCI"][..]),
        pair in prop::sample::select(&[("[", "]"), ("\u{FF3B}", "\u{FF3D}"), ("\u{3010}", "\u{3011}"), ("\u{3014}", "\u{3015}")][..]),
        pad in prop::sample::select(&["", " ", "  "][..]),
        lead in prop::sample::select(&["", "Intro\n", "Summary. ", "Done! ", "Why? "][..]),
        colour in "[a-z]{3,8}",
    ) {
        let (open, close) = pair;
        let text = format!("{lead}{open}{pad}{mark}{pad}{close} The actor staged tooling.");
        let mut problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assume!(!["red", "amber", "green", "clear", "white", "strict"].iter().any(|c| colour.contains(c)));
        // `TLP.INI` is a file's name (s36a): it goes.
        prop_assume!(!TLP_EXTENSIONS.contains(&colour.as_str()));
        let tlp = format!("Handle as TLP.{} material.", colour.to_uppercase());
        problems.extend(both_policies().iter().flat_map(|(name, p)| held_problems(p, name, &tlp)));
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
