//! Session 50, an internal address glued to what stands beside it: `(.)172/8` (a defanged dot
//! before a network with its zero parts left off) crossed both readers, as did `!10/8`,
//! `$172.16/12`, `ip10.20/16`, `…10.*`, `-192.168/16`, `x0x0a141e28`: a word was read as an
//! address only as a whole, or cut at a URL's separators, and only four decimal parts were
//! looked for inside a longer word. Both readers (each its own code) now also read the runs of
//! a word's numeric notation wherever they stand in it, and a hexadecimal number from its `0x`.
//! Numbers glued the same way that name no internal network go.

mod common;

use common::held::{go_problems, held_problems, held_problems_at};
use common::us_to_jpn;
use proptest::prelude::*;
use sekisho::fuzzing::content;

/// Places of free text (names in [`content::PLACES`]).
const PLACES: &[&str] = &[
    "indicator.description",
    "indicator.name",
    "indicator.labels",
    "indicator.external_references.description",
    "indicator.x_custom.nested",
    "note.content",
    "location.street_address",
];

/// Internal addresses and networks (under the shipped policy's 10/8, 172.16/12, 192.168/16) as
/// free text writes them.
const INSIDE: &[&str] = &[
    "10.20.30.40",
    "10.20.30.0/24",
    "172/8",
    "10/8",
    "172.16/12",
    "192.168/16",
    "10.20/16",
    "10.20.30/24",
    "10.20.30.*",
    "192.168.x.x",
    "10.20.30.[40-50]",
    "192.168.0-255.0-255",
    "10.*",
    "0x0a141e28",
    "0xa141e28",
    "0xa.0x14.0x1e.0x28",
    "010.020.030.040",
    "10.20.30.1-10.20.30.254",
    "10.20.30.40:8080",
    "::ffff:10.20.30.40",
    "10[.]20[.]30[.]40",
    "10(.)20(.)30(.)40",
];

/// Numbers written the same ways that name no internal network.
const OUTSIDE: &[&str] = &[
    "203.0.113.9",
    "11.0.0.0/8",
    "9/8",
    "1.2/16",
    "172.15/16",
    "10/11",
    "0x0b141e28",
    "203.0.113.*",
    "2024-01-15",
    "8.8.8.8:53",
];

/// What may stand glued before or after an address: signs that end no word, defanged and
/// full-width dots, an ellipsis, a middle dot, letters (not a digit: it would change the number).
const GLUE: &[&str] = &[
    "!", "#", "$", "%", "*", "+", "-", ".", "/", ":", "?", "@", "^", "_", "~", "\\", "(.)", "[.]", "{.}", "\\.", "。",
    "．", "…", "·", "..", "...", "x", "ip", "on", "Q", "g", "z",
];

/// Glue that may stand after `form` without changing the number it ends in: after a
/// hexadecimal digit, no letter that is one (nor `x`).
fn may_follow(form: &str, glue: &str) -> bool {
    let hex_end = form.contains("0x") && form.ends_with(|c: char| c.is_ascii_hexdigit());
    !(hex_end && glue.starts_with(|c: char| c.is_ascii_hexdigit() || c == 'x'))
}

/// Glue that may stand before a number that names no internal network without making it
/// another notation: a wildcard network (`x8.8.8.8` and `*8.8.8.8` are read as `*.8.8.8`, which
/// holds 10.8.8.8), an IPv6 network (`::11.0.0.0/8` is `::/8`, which holds every IPv4 address)
/// or the domain of an e-mail address (`on @203.0.113.9`: the e-mail rule's); and no `$`, which
/// the marking rules read as an `S` (`$$1.2/16` holds `SSI`).
fn no_wildcard(glue: &str) -> bool {
    !glue.ends_with(['x', '*', '?', '#', '@', ':', '$'])
}

fn glued(form: &str, before: &[&str], after: &[&str]) -> String {
    let after: Vec<&str> = after.iter().copied().filter(|g| may_follow(form, g)).collect();
    format!("seen on {}{form}{} hosts", before.concat(), after.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any internal address with up to three pieces of glue on either side is held, in any
    /// place of free text.
    #[test]
    fn an_internal_address_glued_to_its_neighbours_is_held(
        form in proptest::sample::select(INSIDE),
        before in proptest::collection::vec(proptest::sample::select(GLUE), 0..3),
        after in proptest::collection::vec(proptest::sample::select(GLUE), 0..3),
        place in proptest::sample::select(PLACES),
    ) {
        let text = glued(form, &before, &after);
        let at = content::PLACES.iter().position(|p| p == &place).unwrap_or(0);
        let problems = held_problems_at(&us_to_jpn(), "", at, &text);
        prop_assert!(problems.is_empty(), "{problems:#?}");
    }

    /// A number that names no internal network, glued the same way, goes.
    #[test]
    fn an_outside_number_glued_to_its_neighbours_goes(
        form in proptest::sample::select(OUTSIDE),
        before in proptest::collection::vec(proptest::sample::select(GLUE), 0..3),
        after in proptest::collection::vec(proptest::sample::select(GLUE), 0..3),
    ) {
        let before: Vec<&str> = before.into_iter().filter(|g| no_wildcard(g)).collect();
        let text = glued(form, &before, &after);
        let problems = go_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:#?}");
    }
}

/// The writings the random search first found, and the neighbours of each, held by name.
#[test]
fn the_writings_found_first_are_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for text in [
        "seen on (.)172/8 hosts",
        "seen on .10/8 hosts",
        "seen on !172.16/12 hosts",
        "seen on ip10.20/16 hosts",
        "seen on …10.* hosts",
        "seen on -192.168/16 hosts",
        "seen on x0x0a141e28 hosts",
        "seen on 172/8! hosts",
    ] {
        problems.extend(held_problems(&policy, "", text));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
