//! Session 47, digits spelt out and then disguised: the letters written apart (`t w o z e r o`,
//! `f-i-v-e`, `t.w.o`), the words glued (`twozerotwo`, `TwoZeroTwo`), or joined by `_`
//! (`two_zero_two`) crossed both readers (session 46 read whole words only). Both (each its own
//! code) now read a word made only of digit words as its digits, read letters written one by
//! one with one or two of ` -._` between them together (a letter that starts no digit word
//! passed over), and read a `_` between two digits as a space. Prose that holds such words
//! goes: a word is read as digits only when it is wholly digit words (`someone`, `alone`), and
//! lists of letters spell nothing. And a number written digit by digit among other single
//! digits (`1 1 1 1 1 1 1 1 1 1 1 1 2 0 2 5 5 5 0 1 4 3`, spelt or not) crossed both: past 21
//! digits the run was read only in windows of six words; windows of 10 to 15 one-digit words
//! are read now (a long list of single digits 2 to 9, such as ratings, may so hold a number:
//! redacted, a known false positive).

mod common;

use common::held::{all_go, held_problems};
use common::spelt::{output, spelt};
use common::us_to_jpn;
use proptest::prelude::*;

#[test]
fn numbers_spelt_apart_or_glued_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "call t w o zero two five five five zero one four three",
        "call a t w o z e r o t w o f i v e f i v e f i v e z e r o o n e f o u r t h r e e",
        "call t-w-o z-e-r-o t-w-o f-i-v-e f-i-v-e f-i-v-e z-e-r-o o-n-e f-o-u-r t-h-r-e-e",
        "call t.w.o.z.e.r.o.t.w.o.f.i.v.e.f.i.v.e.f.i.v.e.z.e.r.o.o.n.e.f.o.u.r.t.h.r.e.e",
        "call t_w_o z_e_r_o t_w_o f_i_v_e f_i_v_e f_i_v_e z_e_r_o o_n_e f_o_u_r t_h_r_e_e",
        "call twozerotwo fivefivefive zeroonefourthree",
        "call TwoZeroTwo FiveFiveFive ZeroOneFourThree",
        "call two_zero_two_five_five_five_zero_one_four_three",
        "call zerothree onetwothreefour zeroonefivezero",
        "call 202 f i v e 5five 0143",
        "call 1 1 1 1 1 1 1 1 1 1 1 1 2 0 2 5 5 5 0 1 4 3",
        "call one one one one one one one two zero two five five five zero one four three",
        "call 2-0-2-5-5-5-0-1-4-3 4 4 4 4 4 4 4 4 4 4 4 4 4 4",
        "call zerothree o.n.e.two.t.h.r.e.e.four zeroonefivezero",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn prose_with_digit_words_inside_goes() {
    all_go(
        &us_to_jpn(),
        &[
            "Someone said no one goes to the zoo alone, so do not go; none of them, not one.",
            "I o u a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "The grades were a b c d e f and o o o o o o, often.",
            "Options -o -n -e -t -w set the output; see o_n_e and t_w_o in the code.",
            "Twofold, fivefold, ninefold: the attempts grew, one by one, seven in all.",
            "Oho, oh oh, ooo and oooh: seven sounds of surprise from one tester.",
            "Scores: 1 2 3 4 5 6 7 8 9 10 11 12 13, then 0 0 0 0 0 0 0 0 0 0 0 0 and 1 0 1 1 0 1 0 0 1 1 0 1.",
        ],
    );
}

/// `word` written as `how` says: as it is, or its letters apart by `sep`.
fn written(word: &str, apart: bool, sep: &str) -> String {
    if apart {
        word.chars().map(String::from).collect::<Vec<_>>().join(sep)
    } else {
        word.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A number of the policy's regions, each digit spelt out (a spelling, a case), each word
    /// as it is or its letters apart, words joined by nothing, a space, `-` or `_`, after
    /// `call` and maybe a stray letter: held, and the guard's output shows none of it.
    #[test]
    fn a_number_spelt_apart_or_glued_is_held(
        groups in prop::sample::select(vec![
            vec!["202", "555", "0143"],
            vec!["03", "1234", "0150"],
            vec!["090", "1234", "0150"],
        ]),
        how in prop::collection::vec(any::<(u8, u8, bool)>(), 10),
        letter_sep in prop::sample::select(vec![" ", "-", ".", "_", " _"]),
        word_sep in prop::sample::select(vec!["", " ", "-", "_"]),
        group_sep in prop::sample::select(vec![" ", ", ", "_", "  "]),
        stray in prop::sample::select(vec!["", "a ", "x "]),
    ) {
        let mut text = format!("call {stray}");
        let at = text.len();
        let mut k = 0;
        let mut before_apart = false;
        for (g, group) in groups.iter().enumerate() {
            if g > 0 {
                text.push_str(group_sep);
            }
            for (i, d) in group.bytes().enumerate() {
                let (pick, case, apart) = how.get(k).copied().unwrap_or_default();
                k += 1;
                if i > 0 {
                    // Letters apart are read apart from a word beside them only with a sign
                    // between.
                    let glued = word_sep.is_empty() && (apart || before_apart);
                    text.push_str(if glued { letter_sep } else { word_sep });
                }
                before_apart = apart;
                text.push_str(&written(&spelt(d, pick, case), apart, letter_sep));
            }
        }
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        let out = output(&text);
        prop_assert!(!out.contains(&text[at..]), "the guard's output shows {text:?}: {out}");
    }

    /// A number written one digit a word (by a space or a `-`), among single digits before and
    /// after it: held.
    #[test]
    fn a_number_digit_by_digit_among_digits_is_held(
        number in prop::sample::select(vec!["2025550143", "0312340150", "09012340150"]),
        sep in prop::sample::select(vec![" ", "-"]),
        before in prop::collection::vec(0..10u8, 0..20),
        after in prop::collection::vec(0..10u8, 0..20),
    ) {
        let mut text = String::from("call");
        for d in &before {
            text.push_str(&format!(" {d}"));
        }
        text.push(' ');
        let at = text.len();
        text.push_str(&number.chars().map(String::from).collect::<Vec<_>>().join(sep));
        let end = text.len();
        for d in &after {
            text.push_str(&format!(" {d}"));
        }
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
        let out = output(&text);
        prop_assert!(!out.contains(&text[at..end]), "the guard's output shows {text:?}: {out}");
    }
}
