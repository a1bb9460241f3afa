//! Session 39, telephone numbers with keypad letters (probe family `phone`/`vphone`: vanity
//! numbers crossed both readers). Letters written in capitals after two groups of digits, or
//! after a `+` and its group, read as the keypad digits they stand for (`1-800-FLOWERS`,
//! `+1 202 JKL 0143`, `+81 3 JJJJ 0100`): a valid number is held in both readers, each its own
//! code. Letters in small letters, after one group, or that make no valid number go.

mod common;

use common::held::{all_go, all_held};
use common::us_to_jpn;

#[test]
fn vanity_numbers_are_held() {
    all_held(
        &us_to_jpn(),
        &[
            "+1 202 JKL 0143",
            "Call +1 202 JKL 0143 now.",
            "1-800-FLOWERS",
            "Order at 1-800-FLOWERS today.",
            "1 800 FLOWERS",
            "+81 3 JJJJ 0100",
            "+1-202-555-TIME",
            "+1 (202) JKL-0143",
            // capitals of other scripts and full width, read by their look
            "+1 202 \u{FF2A}\u{FF2B}\u{FF2C} 0143",
            "+1 202 %4A%4B%4C 0143",
        ],
    );
}

#[test]
fn letters_beside_numbers_that_are_no_vanity_number_go() {
    all_go(
        &us_to_jpn(),
        &[
            "+1 fo JKL word",
            "1-800 flowers",
            "port 80 then 8080",
            "port 443 TCP 8443",
            "ports 443 and 8443",
            "Windows 10 PRO 22631",
            "CVE-2024-3094 RCE",
            "TLP:AMBER 2024 report",
            "build 10.0.19041 KB5034441",
            "APT 28 and APT 29",
            "1 2 AB",
        ],
    );
}

/// The letters of a telephone keypad for the digits 2 to 9.
const KEYS: [&str; 8] = ["ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]
    /// A number written with one group in keypad capitals (any letter of each key, any
    /// separator) is held whenever the same number in digits is.
    #[test]
    fn a_group_in_keypad_letters_is_held_as_its_digits_are(
        exchange in proptest::collection::vec(2u8..=9, 3),
        line in proptest::collection::vec(2u8..=9, 4),
        pick in proptest::collection::vec(0usize..4, 4),
        which in 0usize..2,
        sep in proptest::sample::select(vec![" ", "-", "."]),
        plus in proptest::bool::ANY,
    ) {
        let digits = |g: &[u8]| g.iter().map(|d| d.to_string()).collect::<String>();
        let letters = |g: &[u8]| {
            g.iter()
                .zip(&pick)
                .filter_map(|(&d, &k)| {
                    let key = KEYS.get(usize::from(d) - 2)?;
                    key.chars().nth(k % key.len())
                })
                .collect::<String>()
        };
        let head = if plus { format!("+1{sep}202") } else { format!("1{sep}202") };
        let written = format!("{head}{sep}{}{sep}{}", digits(&exchange), digits(&line));
        let vanity = if which == 0 {
            format!("{head}{sep}{}{sep}{}", letters(&exchange), digits(&line))
        } else {
            format!("{head}{sep}{}{sep}{}", digits(&exchange), letters(&line))
        };
        let policy = us_to_jpn();
        if common::held::held_problems(&policy, "", &written).is_empty() {
            let problems = common::held::held_problems(&policy, "", &format!("Call {vanity} today."));
            proptest::prop_assert!(problems.is_empty(), "{} ({written} is held)", problems.join("\n"));
        }
    }
}
