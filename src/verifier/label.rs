//! The verifier's own, deliberately small label reader. It knows the reserved TLP ids, `TLP:…`
//! statements and one banner form in the policy's own scheme:
//!
//! ```text
//! banner  = level *( "//" segment )
//! level   = a level name or alias of the policy's scheme, exactly as the policy spells it
//! segment = "REL TO " code *( ", " code ) / control *( "/" control )
//! code    = 3*4 ( %x41-5A / DIGIT )
//! control = 1*( %x41-5A / DIGIT / "-" / " " )
//! ```
//!
//! Anything else that looks like a marking is *not understood*, and a unit it marks is not
//! releasable. It shares no code with `crate::label` or `crate::format`.

use std::collections::BTreeSet;

use crate::label::Tlp;
use crate::policy::Policy;

/// The verifier's view of one marking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    pub tlp: Option<Tlp>,
    /// The scheme's name and the index into its levels.
    pub level: Option<(String, usize)>,
    /// `REL TO` codes, when the banner has a `REL TO` segment.
    pub rel_to: Option<BTreeSet<String>>,
    pub controls: BTreeSet<String>,
}

/// The reserved TLP 1.0 and 2.0 marking-definition ids (STIX 2.1 §7.2.1.4; TLP 2.0 extension),
/// written out again here rather than taken from the guard's table.
const TLP_IDS: &[(&str, Tlp)] = &[
    ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::Clear),
    ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::Green),
    ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::Amber),
    ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::Red),
    ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::Clear),
    ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::Green),
    ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::Amber),
    (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::AmberStrict,
    ),
    ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::Red),
];

/// The TLP level of a reserved id.
/// Whether `c` is a country or group code a release may name: three or four capitals or digits,
/// and an assigned ISO 3166-1 alpha-3 code or an organisation of the register (the tables are
/// data, shared; the reading is this module's). A well-formed code no table knows (`XYZ`) is not
/// understood.
pub fn release_code(c: &str) -> bool {
    (3..=4).contains(&c.len())
        && c.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && (crate::label::TRIGRAPHS.binary_search(&c).is_ok()
            || crate::label::ORGANISATIONS.iter().any(|&(o, _)| o == c))
}

pub fn reserved_tlp(id: &str) -> Option<Tlp> {
    TLP_IDS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// Control words the verifier recognises as marking-like even when the policy names none.
pub(super) const CONTROL_WORDS: &[&str] = &[
    "NOFORN",
    "NF",
    "ORCON",
    "OC",
    "PROPIN",
    "PR",
    "FOUO",
    "RELIDO",
    "IMCON",
    "RSEN",
    "DSEN",
    "FISA",
    "LIMDIS",
    "EXDIS",
    "NODIS",
    "SBU",
    "ORCON-USGOV",
];

/// The control words a marking may carry to the partner: the policy's allowed controls, each
/// with its long and short forms, as the verifier reads them (upper case).
pub(super) fn allowed_control_words(policy: &Policy) -> BTreeSet<String> {
    policy
        .allowed_controls
        .iter()
        .flat_map(|c| {
            let mut w = vec![c.to_string().to_uppercase()];
            if let Some((long, short)) = c.words() {
                w.push(long.to_string());
                w.push(short.to_string());
            }
            w
        })
        .collect()
}

/// Read a statement marking's text: `Ok(None)` for free text that states no marking,
/// `Ok(Some)` for a TLP level or a banner it fully understands, `Err` for anything else.
pub fn statement(text: &str, policy: &Policy) -> Result<Option<Mark>, String> {
    let upper = text.trim().to_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_alphanumeric() && c != '+' && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| w.starts_with("TLP")) {
        return tlp_statement(&upper).map(Some);
    }
    let mut level_words: Vec<String> = Vec::new();
    for s in policy.schemes.iter() {
        for l in &s.levels {
            level_words.push(l.name.to_uppercase());
            level_words.extend(l.aliases.iter().map(|a| a.to_uppercase()));
        }
    }
    let has_phrase = |p: &str| {
        upper.match_indices(p).any(|(at, _)| {
            let before = upper.get(..at).and_then(|s| s.chars().next_back());
            let after = upper.get(at + p.len()..).and_then(|s| s.chars().next());
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let policy_controls: Vec<String> = policy
        .forbidden_controls
        .iter()
        .chain(&policy.allowed_controls)
        .map(|c| c.to_string().to_uppercase())
        .collect();
    let marking_like = upper.contains("//")
        || upper.contains("REL TO")
        || level_words.iter().any(|w| has_phrase(w))
        || CONTROL_WORDS.iter().any(|w| words.contains(w))
        || policy_controls.iter().any(|w| has_phrase(w));
    if !marking_like {
        return Ok(None);
    }
    banner(text.trim(), policy).map(Some)
}

fn tlp_statement(upper: &str) -> Result<Mark, String> {
    let tlp = match upper {
        "TLP:CLEAR" | "TLP:WHITE" => Tlp::Clear,
        "TLP:GREEN" => Tlp::Green,
        "TLP:AMBER" => Tlp::Amber,
        "TLP:AMBER+STRICT" => Tlp::AmberStrict,
        "TLP:RED" => Tlp::Red,
        _ => return Err(format!("`{upper}` names TLP but is not a TLP level the verifier reads")),
    };
    Ok(Mark {
        tlp: Some(tlp),
        ..Mark::default()
    })
}

/// `banner` (see the module doc): the level in the policy's own scheme, else in the first other
/// scheme of the policy that has it.
fn banner(text: &str, policy: &Policy) -> Result<Mark, String> {
    banner_mark(text, policy)
}

/// [`banner`], for the portion reader of [`super::marking`].
pub(super) fn banner_mark(text: &str, policy: &Policy) -> Result<Mark, String> {
    let not_understood = |why: &str| Err(format!("banner `{text}` is not understood: {why}"));
    let mut segments = text.split("//");
    let Some(level_word) = segments.next() else {
        return not_understood("empty");
    };
    let level = std::iter::once(&policy.scheme)
        .chain(policy.schemes.iter())
        .find_map(|s| {
            s.levels
                .iter()
                .position(|l| l.name == level_word || l.aliases.iter().any(|a| a == level_word))
                .map(|i| (s.name.clone(), i))
        });
    let Some(level) = level else {
        return not_understood("the first segment is not a level of the policy's schemes");
    };
    let mut mark = Mark {
        level: Some(level),
        ..Mark::default()
    };
    for seg in segments {
        if let Some(list) = seg.strip_prefix("REL TO ") {
            if mark.rel_to.is_some() {
                return not_understood("two `REL TO` segments");
            }
            let mut codes = BTreeSet::new();
            for c in list.split(", ") {
                if !release_code(c) {
                    return not_understood("a `REL TO` entry is not a country or group code");
                }
                codes.insert(c.to_string());
            }
            mark.rel_to = Some(codes);
        } else {
            for c in seg.split('/') {
                let ok = !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b' ');
                if !ok {
                    return not_understood("a segment is neither `REL TO` nor control words");
                }
                mark.controls.insert(c.to_string());
            }
        }
    }
    Ok(mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/us-to-jpn.toml")).unwrap()
    }

    //--- statements
    #[test]
    fn reads_a_rel_to_banner() {
        let m = statement("SECRET//REL TO USA, JPN", &policy()).unwrap().unwrap();
        assert_eq!(m.level, Some(("US".to_string(), 2)));
        assert!(m.rel_to.unwrap().contains("JPN"));
    }

    #[test]
    fn reads_control_words() {
        let m = statement("SECRET//NOFORN", &policy()).unwrap().unwrap();
        assert!(m.controls.contains("NOFORN"));
    }

    #[test]
    fn free_text_states_no_marking() {
        assert_eq!(statement("Copyright 2024 Example Corp.", &policy()), Ok(None));
    }

    #[test]
    fn does_not_understand_a_lowercase_or_odd_banner() {
        assert!(statement("secret//rel to usa, jpn", &policy()).is_err());
        assert!(statement("SECRET // REL TO USA,JPN", &policy()).is_err());
        assert!(statement("ULTRA SECRET//REL TO JPN", &policy()).is_err());
    }

    #[test]
    fn reads_tlp_statements_only_exactly() {
        assert_eq!(
            statement("TLP:GREEN", &policy()).unwrap().unwrap().tlp,
            Some(Tlp::Green)
        );
        assert!(statement("TLP:GREENISH", &policy()).is_err());
    }
}
