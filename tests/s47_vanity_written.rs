//! Session 47: a vanity number whose letters are written by escapes or a run of hex
//! (`+1 202 555 %4A%4B%4C%4D`, `call 115 2080 4141 2020`, where `4141 2020` is hex for `AA  `):
//! the verifier reads the capitals such a writing decodes to and reads them on a keypad; the
//! guard read only letters written as capitals, so it released what the verifier then refused
//! (fail closed, but the message was held: `tests/s44_phones.rs` drew it in CI). Now the guard
//! takes any letter not written as a small letter for a capital, and the two agree.

mod common;

use common::held::{all_held, both_policies, held_problems};
use proptest::prelude::*;
use sekisho::fuzzing::disguise;

#[test]
fn s47_vanity_letters_written_by_escapes_or_hex_are_held() {
    // The shipped policy that redacts telephone numbers (the other has no such rule).
    all_held(
        &common::us_to_jpn(),
        &[
            "call 115 2080 4141 2020",
            "call +1 202 555 %4A%4B%4C%4D",
            "call 1-800-&#70;&#76;&#79;&#87;&#69;&#82;&#83;",
            "call +1 202 \\x4A\\x4B\\x4C 0143",
            "call +1 202 =4A=4B=4C 0143",
            "call 1-800-FLOWERS",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// A number of two groups or a `+`, then a vanity word in capitals, each letter kept or
    /// escaped (a character reference, percent, backslash escapes): held, and what the guard
    /// releases passes the verifier.
    #[test]
    fn s47_a_vanity_word_written_any_way_is_held(
        head in prop::sample::select(&["+1 202 555 ", "1-800-555-", "202 555 ", "+81 3 5555 "][..]),
        word in "[A-Z]{4}",
        hows in prop::collection::vec(prop::sample::select(&[0u8, 11, 24, 37, 50, 76, 89, 102][..]), 1..8),
    ) {
        let text = format!("call {head}{}", disguise(&word, &hows));
        let problems = held_problems(&common::us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Hex runs that write capitals (and spaces) after a number: whatever the guard releases
    /// passes the verifier (the two readers agree on what the run writes).
    #[test]
    fn s47_hex_after_a_number_agrees(
        head in prop::sample::select(&["115 2080 ", "+1 202 555 ", "202 555 ", "1-800-555-"][..]),
        letters in "[A-Z]{2,4}",
        pad in 0..3usize,
        spaced in any::<bool>(),
    ) {
        let bytes: Vec<u8> = letters.bytes().chain(std::iter::repeat_n(b' ', pad)).collect();
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let hex = if spaced {
            hex.chunks(2).map(|c| c.concat()).collect::<Vec<_>>().join(" ")
        } else {
            hex.concat()
        };
        let text = format!("call {head}{hex} today");
        for (name, p) in both_policies() {
            let input = sekisho::fuzzing::content::bundle(sekisho::fuzzing::content::place(0, &text, 1));
            if let Ok(r) = sekisho::guard::filter(input.as_bytes(), &p) {
                let v = sekisho::verifier::verify(r.output.as_bytes(), &p);
                prop_assert!(v.is_ok(), "{name}: the verifier refused the guard's output for {text:?}: {v:?}");
            }
        }
    }
}
