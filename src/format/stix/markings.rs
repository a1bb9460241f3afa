//! The marking definitions STIX fixes by identifier: TLP 1.0 (STIX 2.1 §7.2.1.4) and TLP 2.0
//! (the OASIS TLP 2.0 marking-definition extension, `extension-definition--60a3c5c5-…`).

/// A TLP level as a STIX marking names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TlpMarking {
    Clear,
    White,
    Green,
    Amber,
    AmberStrict,
    Red,
}

/// The TLP 2.0 marking-definition extension's identifier.
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// Reserved identifiers: (id, level, TLP version, the `name` the definition carries, its value).
pub const TLP_IDS: &[(&str, TlpMarking, u8, &str, &str)] = &[
    // TLP 1.0, STIX 2.1 §7.2.1.4
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        TlpMarking::White,
        1,
        "TLP:WHITE",
        "white",
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        TlpMarking::Green,
        1,
        "TLP:GREEN",
        "green",
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        TlpMarking::Amber,
        1,
        "TLP:AMBER",
        "amber",
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        TlpMarking::Red,
        1,
        "TLP:RED",
        "red",
    ),
    // TLP 2.0
    (
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        TlpMarking::Clear,
        2,
        "TLP:CLEAR",
        "clear",
    ),
    (
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        TlpMarking::Green,
        2,
        "TLP:GREEN",
        "green",
    ),
    (
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        TlpMarking::Amber,
        2,
        "TLP:AMBER",
        "amber",
    ),
    (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        TlpMarking::AmberStrict,
        2,
        "TLP:AMBER+STRICT",
        "amber+strict",
    ),
    (
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        TlpMarking::Red,
        2,
        "TLP:RED",
        "red",
    ),
];

/// The TLP level a reserved marking-definition identifier stands for.
pub fn tlp_of(id: &str) -> Option<TlpMarking> {
    TLP_IDS.iter().find(|t| t.0 == id).map(|t| t.1)
}
