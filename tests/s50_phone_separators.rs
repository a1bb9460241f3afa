//! Session 50, a telephone number whose groups are joined by a sign no number is written with
//! (`202,555,0143`, `202:555:0143`, `03;5555;0100`, `202_555_0143`, `202|555|0143`) crossed both
//! readers: only white space, `-`, `.`, `/` and brackets joined groups. Both readers (each its
//! own code) now also read such signs between two digits as a `-`, unless they write a number
//! the ordinary way (`2,025,550,143`: groups of three after the first, joined by `,`) or a time
//! (`12:30:45`).

mod common;

use common::held::{go_problems, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

/// Numbers of the shipped policy's regions, in their groups.
const NUMBERS: &[&[&str]] = &[
    &["202", "555", "0143"],
    &["415", "555", "2671"],
    &["03", "5555", "0100"],
    &["090", "1234", "5678"],
    &["0120", "123", "456"],
    &["1", "202", "555", "0143"],
    &["2025", "550143"],
];

/// Signs that join a number's groups in the disguises.
const SIGNS: &[&str] = &[",", ":", ";", "_", "|", ", ", ";;", ",,", "~", "*"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A number whose groups are joined by any of these signs is held.
    #[test]
    fn a_number_joined_by_other_signs_is_held(
        number in proptest::sample::select(NUMBERS),
        signs in proptest::collection::vec(proptest::sample::select(SIGNS), 3),
    ) {
        let mut text = String::from("call ");
        for (k, group) in number.iter().enumerate() {
            if k > 0 {
                text.push_str(signs.get(k % signs.len()).copied().unwrap_or(","));
            }
            text.push_str(group);
        }
        text.push_str(" today");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:#?}");
    }

    /// Numbers written the ordinary way with `,` between thousands, and times, go.
    #[test]
    fn thousands_and_times_go(value in 1_000_000u64..100_000_000_000, h in 0u8..24, m in 0u8..60, s in 0u8..60) {
        let mut digits = value.to_string();
        let mut grouped = String::new();
        while digits.len() > 3 {
            let tail = digits.split_off(digits.len() - 3);
            grouped = format!(",{tail}{grouped}");
        }
        let text = format!("{digits}{grouped} bytes at {h:02}:{m:02}:{s:02}, {h}:{m:02}");
        let problems = go_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:#?}");
    }
}

/// Numbers joined by these signs that write no telephone number go.
#[test]
fn other_numbers_joined_by_these_signs_go() {
    common::held::all_go(
        &us_to_jpn(),
        &[
            "Ratios 16:9, 4:3 and 21:9; at 12:30:45.123 on 2024-01-15.",
            "Ports 22,80,443,8080,8443 were open; scores 100,200,300,400,500.",
            "MAC 00:11:22:33:44:55 and 2001:db8::1, build 20240115_123456.",
            "Sizes 1,234,567 and 12,345,678,901 bytes; ids 1001,1002,1003.",
            "Counts 3;5;8;13;21 and 7|11|13, steps 1_2_3.",
        ],
    );
}
