//! Session 46, numbers read as markings: the prose reader reads digits as the letters they look
//! like (`5ECRET`, `L3S`), and read so, a number made of digits alone was a marking: `port 135`
//! was `LES` (law enforcement sensitive), `551` was `SSI`, `51151` the banner `S//SL`, and
//! `(75)` the portion mark `(TS)`, each holding back its object (a dropped indicator for every
//! report that names the RPC port). Digits alone are now a number; beside letters they are still
//! read as letters (`5//NF`, `7OP 5ECRET`), and a portion mark of digits alone is read where a
//! one-letter one is, opening a paragraph (`(5) The actor …`, as the red team's suite holds).

mod common;

use common::held::{all_go, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

#[test]
fn numbers_go() {
    all_go(
        &us_to_jpn(),
        &[
            "RPC on port 135 was open",
            "ports 135, 139 and 445 were scanned",
            "the beacon was seen 551 times",
            "ticket 51151 tracks it",
            "hosts (75) were hit, and (135) more later",
            "a ratio of 5//5 and 1//35",
            "ports 21 22 23 25 53 80 110 135 139 443 445",
        ],
    );
}

/// The generated bundle of the benchmarks lost five indicators so: `198.51.84.135` held `LES`,
/// `198.51.5.51` `SSI`, `c2-135.example.net` `LES`.
#[test]
fn addresses_and_names_with_such_numbers_go() {
    let policy = us_to_jpn();
    let at = |name: &str| {
        sekisho::fuzzing::content::PLACES
            .iter()
            .position(|p| *p == name)
            .unwrap()
    };
    let mut problems = Vec::new();
    for (place, text) in [
        ("ipv4-addr.value", "198.51.84.135"),
        ("ipv4-addr.value", "198.51.5.51"),
        ("domain-name.value", "c2-135.example.net"),
        ("indicator.description", "fetched http://198.51.135.74/551 twice"),
        ("indicator.description", "C2 at 198.51.84.135 and 198.51.5.51"),
    ] {
        problems.extend(common::held::go_problems_at(&policy, "", at(place), text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn markings_written_with_digits_beside_letters_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "the 5//NF report",
        "the (5//NF) report",
        "the 5ECRET file",
        "handling: L3S only",
        "(7S) The actor used it.",
        "(75) The actor used it.",
        "(5) The actor used it.",
        "the 5 E C R E T file",
        "7OP 5ECRET//NOFORN",
        "items 5||NF here",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

/// `word` with the letters at `leet` written as the digit they look like (`S` `5`, `E` `3`,
/// `L` `1`, `T` `7`, `O` `0`, `I` `1`), at least one letter kept.
fn written_with_digits(word: &str, leet: &[bool]) -> String {
    let digit = |c: char| match c {
        'S' => Some('5'),
        'E' => Some('3'),
        'L' | 'I' => Some('1'),
        'T' => Some('7'),
        'O' => Some('0'),
        _ => None,
    };
    let mut out: Vec<char> = word
        .chars()
        .zip(leet.iter().chain(std::iter::repeat(&false)))
        .map(|(c, &l)| if l { digit(c).unwrap_or(c) } else { c })
        .collect();
    // One letter at least kept: the first that was written as a digit.
    if !out.iter().any(char::is_ascii_alphabetic)
        && let Some((k, c)) = word.chars().enumerate().find(|(_, c)| c.is_ascii_alphabetic())
        && let Some(x) = out.get_mut(k)
    {
        *x = c;
    }
    out.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Words of digits alone, with the punctuation numbers are written with, in a sentence: the
    /// text goes unchanged (at most six digits: no telephone number).
    #[test]
    fn digits_alone_go(
        a in "[0-9]{1,3}",
        b in "[0-9]{1,3}",
        sep in prop::sample::select(vec![" ", ", ", "//", "-", ":", " (", " and "]),
        wrap in any::<bool>(),
    ) {
        let numbers = if wrap { format!("({a}){sep}{b}") } else { format!("{a}{sep}{b}") };
        let text = format!("Seen on {numbers} of the hosts.");
        let problems = common::held::go_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }

    /// A marking with some of its letters written as digits, one letter at least kept: held.
    #[test]
    fn markings_with_some_digits_are_held(
        word in prop::sample::select(vec!["LES", "SSI", "SECRET", "NOFORN", "TOP SECRET", "S//NF", "(TS)"]),
        leet in prop::collection::vec(any::<bool>(), 0..10),
    ) {
        let text = format!("The file is {} here.", written_with_digits(word, &leet));
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
