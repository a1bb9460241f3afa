//! Session 47: `TLP` glued to a word by a letter or a spacing mark drawn as a sign (a visarga
//! `ः` is drawn as a colon, the half colon `ˑ` and Canadian `ᐧ` as a middle dot) is `TLP` and a
//! sign, held as `TLP:zork` is, in both readers; and a `+` after a character that is no ASCII
//! letter, among other escapes, no longer hides the `TLP+word` they write from the verifier
//! (`\u0054LＰ+Aag`: the `+` was read only as the start of a UTF-7 run, `TLＰƨ`).

mod common;

use common::held::{both_policies, go_under_both, held_problems, held_under_both};
use proptest::prelude::*;
use sekisho::fuzzing::disguise;

/// Letters and spacing marks whose UTS #39 prototype is a colon, a full stop or a middle dot.
const DRAWN_SIGNS: &[char] = &[
    '\u{02D0}',
    '\u{02D1}',
    '\u{0903}',
    '\u{0A83}',
    '\u{1427}',
    '\u{A4F8}',
    '\u{A4FD}',
    '\u{A78F}',
    '\u{11002}',
    '\u{11082}',
    '\u{11182}',
    '\u{115BE}',
    '\u{116AC}',
    '\u{11838}',
    '\u{11DD9}',
    '\u{1015B}',
    '\u{10781}',
    '\u{10782}',
];

#[test]
fn s47_tlp_and_a_letter_drawn_as_a_sign_is_held() {
    let texts: Vec<String> = DRAWN_SIGNS
        .iter()
        .flat_map(|s| {
            [
                format!("TLP{s}zork"),
                format!("Handle as tlp{s}Purple."),
                format!("\\u0054LP{s}zork"),
            ]
        })
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    held_under_both(&texts);
}

#[test]
fn s47_escapes_around_a_plus_after_no_ascii_letter_are_read() {
    held_under_both(&[
        "\\u0054L\u{FF30}+Aag",
        "\\u0054LP\u{200B}+Aag",
        "&#84;L\u{FF30}+zork",
        "%54L\u{FF30}+aag",
        "T\\u004C\u{FF30}+zork",
        "\\u0054L\u{0420}+zork",
    ]);
}

#[test]
fn s47_prose_with_those_letters_goes() {
    go_under_both(&[
        // A visarga in Hindi, a half colon in IPA, Brahmi, Lisu: prose.
        "\u{0926}\u{0941}\u{0903}\u{0916} is a Hindi word.",
        "The vowel is long: a\u{02D0} and half long: a\u{02D1}.",
        "\u{A4D1}\u{A4F8} \u{A4E0}\u{A4FD} Lisu text",
        "UTF-7 writes +AGEAYgBj- and C++ is a language.",
    ]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// `TLP` in any disguise, a letter drawn as a sign, then a word no policy knows (starting
    /// with `q`: no file's extension, which `TLP.` may take): held.
    #[test]
    fn s47_tlp_a_drawn_sign_and_an_unknown_word_are_held(
        hows in prop::collection::vec(any::<u8>(), 1..6),
        sign in prop::sample::select(DRAWN_SIGNS),
        value in "q[a-z]{1,8}",
    ) {
        let known = ["red", "amber", "green", "clear", "white", "strict"];
        prop_assume!(!known.iter().any(|c| value.contains(c)));
        // Every disguise but a space after a letter (`T L P` is no word).
        let hows: Vec<u8> = hows.iter().map(|&h| if h % 13 == 7 { h.wrapping_add(1) } else { h }).collect();
        let text = format!("Handle as {}{sign}{value} please.", disguise("TLP", &hows));
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// `TLP` with some letters escaped and some drawn otherwise (full width, look-alikes,
    /// invisible code points after them), a `+`, then a word no policy knows: held.
    #[test]
    fn s47_tlp_escaped_and_drawn_then_a_plus_word_are_held(
        hows in prop::collection::vec(prop::sample::select(&[0u8, 2, 3, 5, 11, 24, 37, 50, 76, 89, 102][..]), 3),
        value in "[A-Za-z]{2,9}",
    ) {
        let known = ["red", "amber", "green", "clear", "white", "strict"];
        prop_assume!(!known.iter().any(|c| value.to_lowercase().contains(c)));
        let text = format!("{}+{value}", disguise("TLP", &hows));
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
