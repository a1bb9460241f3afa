//! Markings in prose that the statement reader counts but neither prose reader read (s38
//! red-team probe): `PAP:RED`, `WNINTEL`, `ATOMAL`, `CNWDI`, `FGI`, `DEA SENSITIVE`, `US/UK
//! EYES`, `EXCLUSIVE FOR`, `DISTRIBUTION STATEMENT D`, and controls spelled out whose short form
//! is held (`SENSITIVE BUT UNCLASSIFIED`, `CONTROLLED UNCLASSIFIED INFORMATION`, WNINTEL's
//! `INTELLIGENCE SOURCES OR METHODS INVOLVED`, `Foreign Government Information`). Each crossed
//! both readers; now held under both policies, in any prose and disguise that keeps how it is
//! written (capitals where capitals make it a marking). Their neighbours in prose go.

mod common;

use common::held::{PROSE, both_policies, go_under_both, held_problems, held_under_both};
use proptest::prelude::*;
use sekisho::fuzzing::disguise;

/// Marking in any case: no word of prose says them.
const ANY_CASE: &[&str] = &[
    "WNINTEL",
    "ATOMAL",
    "CNWDI",
    "PAP:RED",
    "PAP:AMBER",
    "PAP-RED",
    "PAP RED",
    "INTELLIGENCE SOURCES OR METHODS INVOLVED",
    "WARNING NOTICE - INTELLIGENCE SOURCES OR METHODS INVOLVED",
];

/// Marking with two capitals or more, as a level (prose in small letters).
const TITLED: &[&str] = &[
    "Foreign Government Information",
    "SENSITIVE BUT UNCLASSIFIED",
    "Sensitive But Unclassified",
    "CONTROLLED UNCLASSIFIED INFORMATION",
    "Controlled Unclassified Information",
    "DEA SENSITIVE",
    "DEA Sensitive",
    "DISTRIBUTION STATEMENT D",
    "Distribution Statement C",
    "DISTRIBUTION STATEMENT D: Distribution authorized to the Department of Defense and U.S. DoD contractors only",
];

/// Marking only all in capitals.
/// (s39: the distribution limits the probe found crossing both readers.)
const CAPITALS: &[&str] = &[
    "FGI",
    "US/UK EYES",
    "USA EYES",
    "FIVE EYES",
    "EXCLUSIVE FOR USA",
    "INTERNAL USE ONLY",
    "FOR INTERNAL USE ONLY",
    "DO NOT DISTRIBUTE",
    "NOT FOR DISTRIBUTION",
    "NOT FOR PUBLIC RELEASE",
    "LIMITED DISTRIBUTION",
    "DISTRIBUTION LIMITED",
];

#[test]
fn s38_statement_words_in_prose_are_held() {
    let all: Vec<&str> = ANY_CASE.iter().chain(TITLED).chain(CAPITALS).copied().collect();
    let texts: Vec<String> = all
        .iter()
        .flat_map(|m| PROSE.iter().map(move |(a, z)| format!("{a}{m}{z}")))
        .collect();
    held_under_both(&texts.iter().map(String::as_str).collect::<Vec<_>>());
    // In any case where no capitals are needed.
    let small: Vec<String> = ANY_CASE
        .iter()
        .map(|m| format!("Handle as {} material.", m.to_lowercase()))
        .collect();
    held_under_both(&small.iter().map(String::as_str).collect::<Vec<_>>());
    held_under_both(&[
        "TLP:GREEN PAP:RED",
        "Handle as PAP:AMBER, TLP:GREEN material.",
        "(S//WNINTEL)",
    ]);
}

/// Their neighbours: prose in small letters, one capital, the unrestricting PAP colours.
const GOES: &[&str] = &[
    "PAP:GREEN and PAP:CLEAR allow active measures.",
    "PAP:WHITE",
    "The PAP protocol sits beside TLP.",
    "requests for foreign government information were logged",
    "Foreign government information requests rose.",
    "the sensitive but unclassified debate",
    "Agencies protect controlled unclassified information under NIST SP 800-171.",
    "DEA agents and the dea sensitive case",
    "distribution statement d of the old form",
    "Distribution Statement A: Approved for public release.",
    "The UK eyes a deal; US eyes turned to it.",
    "Five Eyes partners issued a joint advisory.",
    "Exclusive for subscribers",
    "An atomic clock; an atoll; CNW data.",
    "fgi-2 sensor",
    "For internal use only, the agent opens a port.",
    "Do not distribute the sample further; the vendor was told.",
    "The tool is not for distribution outside the lab.",
    "Limited distribution of the patch began on Monday.",
];

#[test]
fn s38_their_neighbours_in_prose_go() {
    go_under_both(GOES);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// Each marking in disguise (look-alikes, full width, invisible code points, separators,
    /// small capitals, combining marks, escapes, digits for letters), kept in capitals where
    /// capitals make it one, in any prose: held under both policies.
    #[test]
    fn s38_statement_words_in_disguise_are_held(
        which in 0..(ANY_CASE.len() + TITLED.len() + CAPITALS.len()),
        hows in prop::collection::vec(any::<u8>(), 1..6),
        around in prop::sample::select(PROSE),
    ) {
        let all: Vec<&str> = ANY_CASE.iter().chain(TITLED).chain(CAPITALS).copied().collect();
        let plain = all.get(which).copied().unwrap_or("WNINTEL");
        // Not to small letters (1: prose where capitals are needed), no space after a letter
        // (7: `W NINTEL` is two words), and a titled phrase's capitals not as digits (12:
        // `5ensitive 8ut Unclassified` has one capital, prose by the rule of levels).
        let titled = (ANY_CASE.len()..ANY_CASE.len() + TITLED.len()).contains(&which);
        let hows: Vec<u8> = hows
            .iter()
            .map(|&h| if matches!(h % 13, 1 | 7) || (titled && h % 13 == 12) { h.wrapping_add(1) } else { h })
            .collect();
        let text = format!("{}{}{}", around.0, disguise(plain, &hows), around.1);
        let problems: Vec<String> = both_policies()
            .iter()
            .flat_map(|(name, p)| held_problems(p, name, &text))
            .collect();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
