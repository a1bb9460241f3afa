//! Session 45, an internal name glued to prose by a hyphen: a reader sees `intranet.corp.example`
//! in `intranet.corp.example-based`, and no top-level label holds a hyphen, so a label that runs
//! on past a hyphen and ends the name is prose, and the name ends at the hyphen. Both readers
//! (each its own code) read it so. A name that goes on past that label (`corp.example-cdn.net`)
//! is another name, as before.

mod common;

use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

#[test]
fn a_name_glued_to_prose_by_a_hyphen_is_the_name() {
    all_held(
        &us_to_jpn(),
        &[
            "the intranet.corp.example-based portal",
            "see corp.example-hosted mail",
            "vpn.corp.example-side logs.",
            "https://wiki.corp.example-staging/x",
            "the corp.example_internal share",
            "hosts: vpn.corp.example--old, web.example.org",
        ],
    );
}

#[test]
fn a_name_that_goes_on_is_another_name() {
    all_go(
        &us_to_jpn(),
        &[
            "corp.example-cdn.net serves it",
            "see mail.corp.example-cdn.net.",
            "the my-corp.example site",
            "corp.examples.org",
            "a well-known example-based test",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// An internal name (any labels before `corp.example`), hyphens or underscores after it,
    /// a word of letters or digits (hyphens inside), then prose: held.
    #[test]
    fn an_internal_name_before_a_hyphened_word_is_held(
        sub in prop::collection::vec("[a-z][a-z0-9]{0,6}", 0..3),
        dash in prop::sample::select(vec!["-", "--", "_", "-_"]),
        word in "[a-z0-9]{1,6}(-[a-z0-9]{1,5})?",
        end in prop::sample::select(vec![" today", ".", ", then", "/x", ""]),
        case in any::<bool>(),
    ) {
        let mut name: Vec<String> = sub;
        name.push("corp.example".into());
        let name = name.join(".");
        let name = if case { name.to_uppercase() } else { name };
        let text = format!("see {name}{dash}{word}{end}");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
