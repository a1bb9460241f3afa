//! `TLP` glued by a sign to a word (session 37): `TLP-zork`, `TLP/zork`, `TLP_zork`, `TLP—zork`,
//! `TLP→zork`, … is a TLP marking whose value no policy knows, as `TLP:zork` and `TLP.zork` are
//! (default deny): held in both readers, whatever the sign (any character that is neither a
//! letter, a digit nor a space: dashes, slashes, arrows, full-width forms, …) and however `TLP`
//! is written (look-alikes, small capitals, full width, invisible code points, `7|P`). Ordinary
//! prose goes: a word of the documented prose list after the sign (`TLP-based`, `TLP/PAP`,
//! `TLP's`), a version (`TLP-v2`, `TLP-2.0`), a sign then a space (`under TLP, partners may`),
//! `TLP` and a sign ending the text, and `TLP zork` with a space.

mod common;

use common::held::{PROSE, all_go, both_policies, go_problems, go_under_both, held_problems, held_under_both};
use common::*;
use proptest::prelude::*;
use sekisho::fuzzing::disguise;

/// Signs drawn many ways: dashes of every kind (minus, hyphen, figure, en, em, full width),
/// slashes (fraction, division, full width), underscore, arrows, and other punctuation and
/// symbols, ASCII and full width.
const SIGNS: &[&str] = &[
    "-",
    "\u{2010}",
    "\u{2011}",
    "\u{2012}",
    "\u{2013}",
    "\u{2014}",
    "\u{2015}",
    "\u{2212}",
    "\u{FE58}",
    "\u{FE63}",
    "\u{FF0D}",
    "\u{2E3A}",
    "/",
    "\u{2044}",
    "\u{2215}",
    "\u{FF0F}",
    "\u{29F8}",
    "_",
    "\u{FF3F}",
    "~",
    "\u{FF5E}",
    ">",
    "\u{FF1E}",
    "|",
    "\u{FF5C}",
    "+",
    "\u{FF0B}",
    "#",
    "\u{FF03}",
    "*",
    "\u{FF0A}",
    ";",
    "\u{FF1B}",
    ",",
    "\u{FF0C}",
    "\u{2192}",
    "\u{21D2}",
    "\u{00BB}",
    "\u{27F6}",
    "^",
    "&",
    "!",
    "?",
    "<",
    "\u{00A6}",
    "\u{2022}",
    "\u{00A7}",
    "\u{2192}\u{200B}",
    "\u{200B}-",
    "--",
    "-/",
    "\u{3001}",
    "\u{2014}\u{2014}",
];

/// Words after `TLP` and a sign that are prose, not a value: the guard's and the verifier's
/// lists (`src/release/prose.rs` `TLP_PROSE_WORDS`, `src/verifier/prose.rs` `TLP_PROSE`).
const PROSE_WORDS: &[&str] = &[
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

#[test]
fn s37_tlp_glued_by_a_sign_to_an_unknown_word_is_held() {
    held_under_both(&[
        "TLP-zork",
        "TLP/zork",
        "TLP_zork",
        "TLP\u{2014}zork",
        "TLP\u{2013}zork",
        "TLP\u{2212}zork",
        "TLP~zork",
        "TLP>zork",
        "TLP;zork",
        "TLP,zork",
        "TLP|zork",
        "TLP+zork",
        "TLP#zork",
        "TLP*zork",
        "TLP\u{2192}zork",
        "TLP\u{21D2}zork",
        "TLP\u{00BB}zork",
        "TLP\u{FF0F}zork",
        "TLP\u{2044}zork",
        "TLP!zork",
        "TLP@zork",
        "TLP$zork",
        "TLP\\zork",
        "Handle as TLP-PURPLE material.",
        "tlp-zork",
        "Tlp/Zork",
        "7|P-zork",
        "7|P|zork",
        "T\u{200B}LP-zork",
        "\u{FF34}\u{FF2C}\u{FF30}-zork",
        "T\u{029F}P-zork",
        "\u{0422}LP\u{2014}zork",
        "TLP-\u{0437}\u{043E}\u{0440}\u{043A}",
        "2024TLP-zork",
        "TLP-RED",
        "TLP/RED",
        "TLP\u{2014}RED",
        "TLP|RED",
        "TLP~RED",
    ]);
}

/// Prose words after `TLP` and a sign, versions, a sign then a space, the text's end: they go.
const GOES: &[&str] = &[
    "TLP-based sharing works.",
    "TLP-compliant partners",
    "TLP-marked reports",
    "TLP-labelled and TLP-labeled data",
    "TLP-tagged objects",
    "TLP-aware tools",
    "TLP-enabled feeds",
    "TLP-style markings",
    "TLP-like labels",
    "TLP-only sharing",
    "TLP-v2 and TLP-2.0 and TLP/2.0",
    "TLP/PAP and TLP/IEP",
    "Under TLP, partners may share.",
    "We follow TLP; then we share.",
    "TLP - the protocol - is old.",
    "The marking is TLP-",
    "The marking is TLP/",
    "The TLP's rules apply.",
    "The TLP\u{2019}s rules apply.",
    "The TLP(s) of each report",
    "Read [TLP](https://www.first.org/tlp/) first.",
    "The standard is at https://www.first.org/tlp/docs/v2/ and is short.",
    "TLP zork",
    "(TLP) is a protocol.",
    "TLP-GREEN",
    "TLP/CLEAR",
    "TLP\u{2014}GREEN",
    "TLP\u{2014}based sharing",
    "TLP\u{FF0F}PAP",
    "TLP_level and tlp_levels",
    "The TLP-Version field",
    "See TLP-levels.json and tlp_definitions.yaml.",
    "Run tlp-stat -b and tlp-rdw on the host.",
    "<b>TLP</b> is a protocol.",
    "<code>tlp</code>-based",
    "**TLP**-based sharing",
];

#[test]
fn s37_tlp_a_sign_and_prose_goes() {
    go_under_both(GOES);
    // An address (the other policy redacts addresses) and an end tag go; another tag is held.
    all_go(&jpn_to_us(), &["Mail tlp@cert.example for the levels."]);
    held_under_both(&["TLP</zork", "TLP<zork>", "TLP@zork and more"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// `TLP` in any disguise that keeps its letters together, a sign drawn many ways, then a word
    /// no policy knows (no colour, no prose word), in any case, in any prose: held under both
    /// policies.
    #[test]
    fn s37_tlp_a_sign_drawn_any_way_and_an_unknown_word_are_held(
        tlp_hows in prop::collection::vec(any::<u8>(), 1..6),
        sign in prop::sample::select(SIGNS),
        value in "[a-z]{2,9}",
        case in 0..3u8,
        around in prop::sample::select(PROSE),
    ) {
        let known = ["red", "amber", "green", "clear", "white", "strict"];
        prop_assume!(!known.iter().any(|c| value.contains(c)));
        prop_assume!(!PROSE_WORDS.contains(&value.as_str()));
        // Every disguise but a space after a letter (`T L P` is no word).
        let hows: Vec<u8> = tlp_hows.iter().map(|&h| if h % 13 == 7 { h.wrapping_add(1) } else { h }).collect();
        let value = match case {
            0 => value,
            1 => value.to_uppercase(),
            _ => value.chars().enumerate().map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c }).collect(),
        };
        let text = format!("{}{}{sign}{value}{}", around.0, disguise("TLP", &hows), around.1);
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// `TLP` and a sign drawn many ways, then a prose word, a version, or a space: it goes. (A
    /// full stop's look-alike, `•`, is a full stop, whose rule lets only file extensions go.)
    #[test]
    fn s37_tlp_a_sign_and_a_prose_word_go(
        sign in prop::sample::select(SIGNS).prop_filter("a full stop's look-alike", |s| !s.contains('\u{2022}')),
        word in prop::sample::select(PROSE_WORDS),
        shape in 0..4u8,
    ) {
        let text = match shape {
            0 => format!("Partners use TLP{sign}{word} sharing."),
            1 => format!("TLP{sign}v2 is out."),
            2 => format!("Under TLP{sign} {word} partners may share."),
            _ => format!("TLP{sign}2.0 is out."),
        };
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| go_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
