//! Session 45, an internal name glued to prose by a hyphen: a reader sees `intranet.corp.example`
//! in `intranet.corp.example-based`, and no top-level label holds a hyphen, so a label that runs
//! on past a hyphen and ends the name is prose, and the name ends at the hyphen. Both readers
//! (each its own code) read it so. A name that goes on past that label (`corp.example-cdn.net`)
//! is another name, as before. And a name as a DNS log writes it, each label after its length
//! (`(8)intranet(4)corp(7)example(0)`, a Windows DNS server's debug log), is the name.

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

#[test]
fn a_name_with_its_labels_lengths_is_the_name() {
    all_held(
        &us_to_jpn(),
        &[
            "query (8)intranet(4)corp(7)example(0) A",
            "(3)vpn(4)corp(7)example(0)",
            "lookup (1)x(99)corp(1)example(0) failed",
            "corp(7)example",
            "（８）ｉｎｔｒａｎｅｔ（４）ｃｏｒｐ（７）ｅｘａｍｐｌｅ（０）",
        ],
    );
    all_go(
        &us_to_jpn(),
        &[
            "query (7)example(3)org(0) A",
            "step (1) corp (2) example",
            "f(x) and g(1)",
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

    /// A name under `corp.example` written as a DNS log writes it, any lengths: held.
    #[test]
    fn a_name_written_with_lengths_is_held(
        sub in prop::collection::vec("[a-z][a-z0-9]{0,6}", 0..3),
        lengths in prop::collection::vec(0u32..200, 6),
        root in any::<bool>(),
    ) {
        let mut labels: Vec<String> = sub;
        labels.extend(["corp".to_string(), "example".to_string()]);
        let mut text = String::from("query ");
        for (k, label) in labels.iter().enumerate() {
            text.push_str(&format!("({}){label}", lengths.get(k).copied().unwrap_or(1)));
        }
        if root {
            text.push_str("(0)");
        }
        text.push_str(" A");
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
