//! Session 45, a telephone number among other digits joined by dots: a reader sees
//! `202.555.0143` in `202.555.0143.4` and in `12.202.555.0143`, so both readers (each its own
//! code) cut a run's words at a `.` as at a `-` (a word that is a dotted address or a date is
//! kept whole, as before) and read every few whole words of it. Versions, addresses, object
//! identifiers and decimals are not numbers.

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
fn numbers_beside_digits_joined_by_dots_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "call 202.555.0143.4 today",
        "call 202.555.0143.12 today",
        "call 12.202.555.0143 today",
        "call 1.202.555.0143.7 today",
        "call 7.7.7.202.555.0143 today",
        "call 202.555.0143.1.2.3 today",
        "call 03.1234.0150.9 today",
        "call 9.03.1234.0150 today",
        "call (202) 555.0143.4 today",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn versions_addresses_identifiers_and_decimals_go() {
    all_go(
        &us_to_jpn(),
        &[
            "Windows 10.0.19041.1 and 10.0.22621.2428",
            "kernel 4.18.0.305.el8 and build 6.1.7601.24545",
            "C2 at 198.51.100.7 and 203.0.113.9.",
            "OID 1.2.840.113549.1.1.11 and 1.3.6.1.4.1.311.21.7",
            "pi is 3.14159265358979 and e 2.718281828459045",
            "versions 1.2.3.4567 and 2.0.0.1000",
            "timestamp 1700000000.123456",
            "seen 2024.01.15 and 2024-01-15",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A number written with dots (or dashes, or spaces) with words of digits joined to it by
    /// dots before and after: the number is held.
    #[test]
    fn a_number_among_dotted_digits_is_held(
        number in prop::sample::select(vec!["202.555.0143", "202-555-0143", "03.1234.0150", "2025550143", "(202) 555.0143"]),
        before in prop::collection::vec("[0-9]{1,3}", 0..6),
        after in prop::collection::vec("[0-9]{1,3}", 0..4),
    ) {
        let mut text = String::from("call ");
        for digits in &before {
            text.push_str(digits);
            text.push('.');
        }
        text.push_str(number);
        for digits in &after {
            text.push('.');
            text.push_str(digits);
        }
        text.push_str(" today");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        prop_assert!(!shown(&text, number), "the guard's output shows {number:?} of {text:?}");
    }
}
