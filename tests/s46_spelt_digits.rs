//! Session 46, a telephone number with its digits spelt out: `call two zero two five five five
//! zero one four three` (a way around data-loss rules as old as them) crossed both readers,
//! which read digits only. Both (each its own code) now read each word that spells a digit
//! (`zero`, `oh`, `o`, `one` … `nine`, `niner`) as that digit, a `,` or `;` between two such
//! words as a space, when the text holds seven such words and digits at least; prose that
//! counts a few things goes.

mod common;

use common::held::{all_go, held_problems};
use common::spelt::{output, spelt};
use common::us_to_jpn;
use proptest::prelude::*;

#[test]
fn numbers_spelt_out_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "call two zero two five five five zero one four three today",
        "call two-zero-two five-five-five zero-one-four-three today",
        "call Two Oh Two, Five Five Five, Oh One Four Three today",
        "call TWO O TWO FIVE FIVE FIVE O ONE FOUR THREE today",
        "call 202 five five five 0143 today",
        "call (two zero two) 555-0143 today",
        "call zero three one two three four zero one five zero today",
        "call +1 two zero two five five five zero one four three today",
        "call two zero two five five five zero one four three, ask for Bob",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn prose_that_counts_goes() {
    all_go(
        &us_to_jpn(),
        &[
            "One of the two actors used three tools over four days.",
            "I have one or two or three ideas, five of them; six, seven, eight.",
            "Oh no, one more: the seven-stage chain had one phase left.",
            "Stage one, stage two and stage three ran on port 443.",
            "The group, one of nine, reused two zero-days.",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A number of the policy's regions in its groups, each digit spelt out or written as a
    /// digit, words apart by a space or a `-` and groups by a space, `, ` or `-`: held, and no
    /// spelt word of it is in the guard's output.
    #[test]
    fn a_number_spelt_out_is_held(
        groups in prop::sample::select(vec![
            vec!["202", "555", "0143"],
            vec!["03", "1234", "0150"],
            vec!["090", "1234", "0150"],
            vec!["202", "555", "0199"],
        ]),
        how in prop::collection::vec(any::<(u8, u8, bool)>(), 10),
        word_sep in prop::sample::select(vec![" ", "-"]),
        group_sep in prop::sample::select(vec![" ", ", ", " - ", "  "]),
    ) {
        let mut text = String::from("call ");
        let mut k = 0;
        for (g, group) in groups.iter().enumerate() {
            if g > 0 {
                text.push_str(group_sep);
            }
            for (i, d) in group.bytes().enumerate() {
                let (pick, case, as_digit) = how.get(k).copied().unwrap_or_default();
                k += 1;
                if i > 0 {
                    text.push_str(word_sep);
                }
                if as_digit && k % 3 == 0 {
                    text.push(char::from(d));
                } else {
                    text.push_str(&spelt(d, pick, case));
                }
            }
        }
        text.push_str(" today");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        let out = output(&text);
        prop_assert!(!out.contains(&text[5..text.len() - 6]), "the guard's output shows {text:?}: {out}");
    }
}
