//! Session 46, a telephone number whose last group is short, padded with other digits: a reader
//! sees `202.555.01.43` in `202.555.01.43.4` and `+33 1 23 45 67 89` in `+33 1 23 45 67 89 4`,
//! but both readers (each its own code) read a few words of a run only when they ended with a
//! group of four digits or more, so the padded number crossed both. Now a few words may end with
//! a group of two digits or more; lists of small numbers stay prose.

mod common;

use common::held::{all_go, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;
use sekisho::fuzzing::content;

/// Whether the guard's output for `text` (in `indicator.description`) still shows `number`.
fn shown(text: &str, number: &str) -> bool {
    let input = content::bundle(content::place(0, text, 1));
    sekisho::guard::filter(input.as_bytes(), &us_to_jpn())
        .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains(number))
}

#[test]
fn padded_numbers_with_a_short_last_group_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "call 202.555.01.43.4 today",
        "call 202-555-01-43-4 today",
        "call (202) 555-01-43 4 today",
        "call +1 202 555 01 43 4 today",
        "call +33 1 23 45 67 89 4 today",
        "call +33.1.23.45.67.89.4 today",
        "call 0033 1 23 45 67 89 12 today",
        "call 0120-123-456 7 8 today",
        "call 4 5 202.555.01.43 9 today",
        "call 202-555-01-43 99 today",
        "call 0120 123 456 7 8 today",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn lists_of_small_numbers_go() {
    all_go(
        &us_to_jpn(),
        &[
            "scored 10 20 30 40 50 60 70 80 90 100",
            "sizes 512 256 128 64 32 16 8 4 2 1",
            "ports 21 22 23 25 53 80 110 139 443 445 993",
            "numbered 01 02 03 04 05 06 07 08 09 10 11",
            "at 08 30 09 45 10 15 and 00 10 20 30 40",
            "steps 1 2 3 4 5 6 7 8 9 10 11 12",
            "CVSS 9.8 7.5 6.1 5.3 4.3",
            "rules 100 101 102 103 104 105 106 107",
            "seen in 2019 2020 2021 2022 2023",
            "version 1.2.3.45.67 and 3.10.12.101",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A number written in groups whose last has two or three digits, with words of one to three
    /// digits after it (joined by its own separator or a space) and before it: held, and the
    /// guard's output does not show it.
    #[test]
    fn a_padded_number_with_a_short_last_group_is_held(
        (number, sep) in prop::sample::select(vec![
            ("202.555.01.43", "."),
            ("202-555-01-43", "-"),
            ("(202) 555-01-43", "-"),
            ("+1 202 555 014 3", " "),
            ("+33 1 23 45 67 89", " "),
            ("+33.1.23.45.67.89", "."),
            ("0120-123-456", "-"),
            ("0120 123 456", " "),
            ("03-1234-01-50", "-"),
            ("(03) 1234 01 50", " "),
        ]),
        before in prop::collection::vec("[0-9]{1,3}", 0..4),
        after in prop::collection::vec("[0-9]{1,3}", 1..4),
        own_sep in any::<bool>(),
    ) {
        let mut text = String::from("call ");
        for digits in &before {
            text.push_str(digits);
            text.push(' ');
        }
        text.push_str(number);
        for digits in &after {
            text.push_str(if own_sep { sep } else { " " });
            text.push_str(digits);
        }
        text.push_str(" today");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        prop_assert!(!shown(&text, number), "the guard's output shows {number:?} of {text:?}");
    }
}
