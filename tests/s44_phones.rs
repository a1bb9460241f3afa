//! Session 44, telephone numbers among other numbers: a reader sees `(202) 555-0143` in
//! `call (202) 555-0143 4` and in `4 4 4 … 4 (202) 555-0143`, so both readers (each its own code)
//! read every few whole words of a run of digit groups, not only the whole run, and a run longer
//! than a number no longer hides the number at its end. Addresses, dates and hashes beside each
//! other are not numbers.

mod common;

use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;
use sekisho::fuzzing::content;

/// Whether the guard's output for `text` (in `indicator.description`) still shows `number`.
fn shown(text: &str, number: &str) -> bool {
    let input = content::bundle(content::place(0, text, 1));
    sekisho::guard::filter(input.as_bytes(), &us_to_jpn())
        .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains(number))
}

/// Numbers held under us-to-jpn (regions US and JP), written as people write them.
const NUMBERS: &[&str] = &[
    "(202) 555-0143",
    "202-555-0143",
    "202 555 0143",
    "2025550143",
    "202.555.0143",
    "+1 202 555 0143",
    "+1-202-555-0143",
    "1 202 555 0143",
    "03-1234-0150",
    "03 1234 0150",
    "090-1234-5678",
    "+81 3 1234 0146",
];

/// What stands between the number and the digits beside it.
const BETWEEN: &[&str] = &[" ", "  ", " - ", "-", " / ", "/", " (", ") "];

#[test]
fn numbers_beside_other_numbers_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "call (202) 555-0143 4 today",
        "call (202) 555-0143 44 today",
        "call (202) 555-0143 123 today",
        "call 2025550143 4 today",
        "call 202-555-0143-4 today",
        "call 202-555-0143 - 4 today",
        "call 12 (202) 555-0143 today",
        "call 123 202 555 0143 today",
        "call 4 4 4 (202) 555-0143 today",
        "call (202) 555-0143 4 4 4 today",
        "call +1 202 555 0143 4 today",
        "call +44 20 7946 0958 4 today",
        "call 202 555 0143 5 5 today",
        "call 03-1234-0150 7 today",
        "call 7 03-1234-0150 today",
        // Longer than any number before it: the run was cut at 21 digits and the number's start
        // read as glued to the digits before it.
        "4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 (202) 555-0143",
        "4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 202 555 0143",
        "1234 5678 9012 3456 7890 202 555 0143 1234",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn addresses_dates_and_hashes_side_by_side_go() {
    all_go(
        &us_to_jpn(),
        &[
            "C2 at 198.51.100.7 203.0.113.9 192.0.2.1 198.51.100.22 and 203.0.113.45",
            "seen 2024-01-15 2024-02-16 2024-03-17 and 2024-04-18",
            "versions 1.2.3 4.5.6 7.8.9 10.11.12",
            "CVE-2024-3094 CVE-2023-4863 CVE-2021-44228",
            "md5 d41d8cd98f00b204e9800998ecf8427e",
            "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
        ],
    );
}

/// Digits shaped as a date that is none (month 00, day 00, month 13) are no date: they hide no
/// number's group (session 47: CI's draw `202 555 0143-00-00`, and `0000-00-03 1234 0150`).
#[test]
fn a_group_glued_into_no_date_is_read() {
    all_held(
        &us_to_jpn(),
        &[
            "call 202 555 0143-00-00 today",
            "call 0000-00-03 1234 0150 today",
            "call 202 555 0143-13-01 today",
            "call 2024-13-03 1234 0150 today",
        ],
    );
    all_go(&us_to_jpn(), &["Seen 2024-01-15 and 2024-12-31, build 0143-00-00."]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A number with words of digits before it and after it, each joined by a space, a dash, a
    /// slash or parentheses: whatever digits stand beside it, the number is held.
    #[test]
    fn a_number_among_digits_is_held(
        number in prop::sample::select(NUMBERS),
        before in prop::collection::vec(("[0-9]{1,4}", 0..BETWEEN.len()), 0..24),
        after in prop::collection::vec(("[0-9]{1,4}", 0..BETWEEN.len()), 0..6),
    ) {
        let mut text = String::from("call ");
        for (digits, sep) in &before {
            text.push_str(digits);
            text.push_str(BETWEEN[*sep]);
        }
        let at = text.len();
        text.push_str(number);
        for (digits, sep) in &after {
            text.push_str(BETWEEN[*sep]);
            text.push_str(digits);
        }
        text.push_str(" today");
        // A date that takes a group of the number (`2024-01-03 1234 0150`) is a date, by the
        // documented rule (an address or a date is one word): no case of this test. A date has
        // a month of 01 to 12 and a day of 01 to 31 (`202 555 0143-00-00` holds a number).
        let is_date = |w: &str| {
            let p: Vec<&str> = w.split('-').collect();
            matches!(p.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
                && [y, m, d].iter().all(|p| p.bytes().all(|c| c.is_ascii_digit()))
                && m.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
                && d.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d)))
        };
        let apart = |c: char| " /()".contains(c);
        let mut date = false;
        let mut from = 0;
        for (k, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            if apart(c) {
                date |= from < at + number.len() && k > at && is_date(text.get(from..k).unwrap_or_default());
                from = k + c.len_utf8();
            }
        }
        prop_assume!(!date);
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        prop_assert!(!shown(&text, number), "the guard's output shows {number:?} of {text:?}");
    }
}
