//! Session 44, an address whose `@` is the word `at` and whose dots are written: a reader sees
//! `alice.smith@agency.example.gov` in `alice.smith at agency.example.gov`, so both readers
//! (each its own code) read ` at ` as `@` between a local part no word of prose is (a `.`, `_`
//! or `+` inside) and a name written with its dots, as they did before a spelt-out dot only.
//! Prose (`look at corp.example`), a host (`198.51.100.7 at …`) and a file (`dropper.exe at …`)
//! are no addresses.

mod common;

use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

#[test]
fn spelt_at_before_a_dotted_name_is_an_address() {
    all_held(
        &us_to_jpn(),
        &[
            "mail alice.smith at agency.example.gov now",
            "mail alice_smith at agency.example.gov now",
            "mail alice+tips at agency.example.gov.",
            "mail alice.smith AT agency.example.gov now",
            "mail alice.smith  at  agency.example.gov now",
            "(alice.smith at agency.example.gov)",
            "j.doe at mail.example.org",
        ],
    );
}

#[test]
fn prose_hosts_and_files_before_at_are_no_addresses() {
    all_go(
        &us_to_jpn(),
        &[
            "the implant beacons at evil.example.net every hour",
            "host 198.51.100.7 at evil.example.com beacons",
            "the dropper.exe at evil.example.com",
            "version 2.1 at example.org",
            "meet at 10 at example.org",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A local part with a `.`, `_` or `+` inside (between letters: the normal form writes `_`
    /// between digits as `-`), the word `at` in any case with spaces, and a name of two labels
    /// or more written with its dots: held. Not a local part that ends as a file's name does
    /// (`aa.sh`, as CI's seed wrote it: `dropper.exe at evil.example.com` is prose and goes).
    #[test]
    fn a_spelt_at_address_is_held(
        first in "[a-z]{1,3}[0-9]{0,3}[a-z]{1,3}",
        sep in prop::sample::select(vec![".", "_", "+"]),
        last in "[a-z][a-z0-9]{0,6}",
        at in prop::sample::select(vec![" at ", " AT ", " At ", "  at  ", "\tat "]),
        labels in prop::collection::vec("[a-z][a-z0-9]{0,8}", 1..3),
        tld in prop::sample::select(vec!["com", "org", "gov", "net", "jp"]),
    ) {
        prop_assume!(sep != "." || !sekisho::text::addr::FILE_EXTENSIONS.contains(&last.as_str()));
        let text = format!("write to {first}{sep}{last}{at}{}.{tld} today", labels.join("."));
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
