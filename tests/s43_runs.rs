//! Session 43, base64 and hex broken by white space: a decoder skips white space, so a run
//! split anywhere (`T3Blc mF0aW9uIE5JR0hUSkFS`), hex written as spaced pairs or a dump
//! (`4f 70 65 72 …`), a run after a decoy word (`QUFBQUFBQUE T3Blc …`) and a run glued to the
//! next word where it ends inside a quantum (`MTAuMjAuMzAuNDA w…`) are read as what they write,
//! by both readers (each its own code). Benign text, hashes and hex dumps of benign text go.
//! And a name followed by a hyphen no label goes on with (`intranet.corp.example-`): the run
//! `aW50cmFuZXQuY29ycC5leGFtcGxl LQ` reads so, and the plain text crossed too.

mod common;

use base64::Engine;
use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

/// Held as written by both readers under us-to-jpn, one of each kind.
const HELD: &[&str] = &[
    "Operation NIGHTJAR",
    "10.20.30.40",
    "intranet.corp.example",
    "alice.smith@agency.example.gov",
    "(202) 555-0143",
    "TLP:RED",
];

/// White space a run is broken with.
const SPACES: &[&str] = &[" ", "\n", "  ", "\t", "\r\n", " \n ", "\u{a0}", "\u{2003}"];

fn b64(t: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(t)
}

/// Each way a text is written as a run: base64, unpadded, UTF-16LE, hex.
fn runs_of(plain: &str) -> Vec<String> {
    let utf16: Vec<u8> = plain.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![
        b64(plain.as_bytes()),
        b64(plain.as_bytes()).trim_end_matches('=').to_owned(),
        b64(&utf16),
        hex::encode(plain),
        hex::encode_upper(plain),
    ]
}

/// `run` with `space` inserted before its character `at` (of its letters and digits).
fn broken(run: &str, at: usize, space: &str) -> String {
    let mut out = String::new();
    for (k, c) in run.chars().enumerate() {
        if k == at {
            out.push_str(space);
        }
        out.push(c);
    }
    out
}

#[test]
fn runs_broken_by_white_space_are_held() {
    all_held(
        &us_to_jpn(),
        &[
            "T3Blc mF0aW9uIE5JR0hUSkFS",
            "T3BlcmF0aW9uIE5JR0hUS kFS",
            "aW50cmFuZ XQuY29ycC5leGFtcGxl",
            "4f 70 65 72 61 74 69 6f 6e 20 4e 49 47 48 54 4a 41 52",
            "4f70 6572 6174 696f 6e20 4e49 4748 544a 4152",
            "4f 70 65 72 61 74 69 6f  6e 20 4e 49 47 48 54 4a\n41 52",
            "T 3 B l c m F 0 a W 9 u I E 5 J R 0 h U S k F S",
            "QUFBQUFBQUE T3Blc mF0aW9uIE5JR0hUSkFS",
            "QUFB T3BlcmF0aW9uIE5JR0hUSkFS",
            "powershell -enc UwBF AEMAUgBFAFQA",
            // A run glued to the next word where it ends inside a quantum: `10.20.30.400…` read on,
            // `10.20.30.40` read to the word's end.
            "MTAuMjAuMzAuNDA wAAA",
            "MTAuMjAuMzAuNDA 5AAA",
            // Broken inside a quantum early on, then glued: the run may end with either word.
            "MTAuMj AuMzAuNDA wAAA",
            "MTAuMj AuMzAuNDA 2",
            "aW50cmFuZXQuY29ycC5leGFtcG xl zP e",
            "KDIwMikgNT U1LTAxNDM J0",
        ],
    );
}

#[test]
fn every_break_of_every_run_is_held() {
    let policy = us_to_jpn();
    let mut problems = Vec::new();
    for plain in HELD {
        for run in runs_of(plain) {
            for at in 1..run.len() {
                problems.extend(held_problems(&policy, "", &broken(&run, at, " ")));
            }
        }
        // Hex as spaced pairs, as a dump writes it.
        let pairs: Vec<String> = plain.bytes().map(|b| format!("{b:02x}")).collect();
        problems.extend(held_problems(&policy, "", &pairs.join(" ")));
        problems.extend(held_problems(&policy, "", &pairs.join("\n")));
    }
    assert!(problems.is_empty(), "{} problems: {problems:#?}", problems.len());
}

#[test]
fn benign_runs_and_hex_dumps_go() {
    all_go(
        &us_to_jpn(),
        &[
            "the quick brown fox jumps over the lazy dog",
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7855b852 and md5 d41d8cd98f00b204e9800998ecf8427e",
            "de ad be ef ca fe ba be 00 01 02 03",
            "48 65 6c 6c 6f 20 77 6f 72 6c 64",
            "aGVsbG8g d29ybGQ=",
            "powershell -enc ZQBjAGgA bwAgAGgAaQA=",
            "Data Base Access Control Lists are Read Only Mode",
            "C:/Windows/System32 and /usr/local/bin/python3",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A run of a held text broken at one to three places by white space, after a decoy word
    /// or none, and before a sentence or none. (Glued to the next word it is read either way
    /// only where one word's end falls inside a quantum: `MTAuMjAuMzAuNDA wAAA` above; a run
    /// broken so at two places and then glued, `KDIwMikgNT U1LTAxNDM J0`, is a known gap.)
    #[test]
    fn a_run_broken_anywhere_is_held(
        plain in prop::sample::select(HELD),
        how in 0usize..5,
        breaks in prop::collection::vec((1usize..120, 0..SPACES.len()), 1..4),
        decoy in prop::option::of("[A-Za-z]{1,12}"),
        after in prop::option::of("[A-Za-z][A-Za-z0-9+/]{0,5}"),
    ) {
        let runs = runs_of(plain);
        let mut run = runs.get(how).cloned().unwrap_or_default();
        let mut cuts: Vec<(usize, usize)> = breaks.iter().map(|&(at, sp)| (at % run.len().max(1), sp)).collect();
        cuts.sort_unstable();
        cuts.dedup_by_key(|c| c.0);
        for &(at, sp) in cuts.iter().rev().filter(|c| c.0 > 0) {
            run = broken(&run, at, SPACES[sp]);
        }
        let text = format!(
            "{}{run}{}",
            decoy.map(|d| format!("{d} ")).unwrap_or_default(),
            after.map(|a| format!(". {a}")).unwrap_or_default()
        );
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}

/// A name with hyphens (or `_`) glued to it where no label goes on: no label ends (or starts)
/// with one, so the name ends there. A longer label (`example-x`, `my-intranet`) is another name.
#[test]
fn names_with_a_dangling_hyphen_are_held() {
    all_held(
        &us_to_jpn(),
        &[
            "intranet.corp.example-",
            "intranet.corp.example--",
            "intranet.corp.example_",
            "http://intranet.corp.example-/",
            "-intranet.corp.example",
            "see intranet.corp.example- now",
            "aW50cmFuZXQuY29ycC5leGFtcGxl LQ",
        ],
    );
    all_go(
        &us_to_jpn(),
        &[
            "intranet.corp.example-x.org is a partner",
            "corp.example-partner.net and my-corp.example-foo.org",
            "a - b -- c",
        ],
    );
}
