//! Every path a rule names is checked against what the policy can release: a path that can never
//! match is an error, with a "did you mean" where one is near, because a rule that silently
//! selects nothing is a rule switched off.
//!
//! A STIX path is `type.property` (or `*.property`: some allowed type must have it), then steps
//! into the structures the specification defines (`external_references[*].description`,
//! `kill_chain_phases[*].phase_name`, `granular_markings[*].lang`); inside dictionaries,
//! extensions and open objects any key may follow. `**` (any depth) may stand for any number of
//! steps. An XML path is `xml.name`, `xml.parent.name` or `xml.a.**.name`: elements (and, last, an
//! attribute) some `[[xml.namespaces]]` allows.

use std::collections::BTreeSet;

use super::sanitise::{PathStep, TextPath};
use crate::format::stix::types::{self, Prop, Ty};

/// What the paths are checked against.
pub struct Vocabulary<'a> {
    /// STIX types the policy may release (allowed, or passed when referenced).
    pub stix_types: &'a BTreeSet<String>,
    /// Per type, the properties the policy lets cross, when it narrows them.
    pub properties: &'a std::collections::BTreeMap<String, Vec<String>>,
    /// Custom properties the policy names.
    pub custom_properties: &'a [String],
    /// XML element and attribute names the policy allows, or `None` without `[xml]` rules.
    pub xml_names: Option<BTreeSet<String>>,
}

/// The sub-structure properties of the typed STIX structures (§2.5 external-reference,
/// §2.7 kill-chain-phase, §7.2.3 granular-marking).
fn structure(ty: Ty) -> Option<&'static [&'static str]> {
    match ty {
        Ty::ExternalReferences => Some(&["source_name", "description", "url", "hashes", "external_id"]),
        Ty::KillChainPhases => Some(&["kill_chain_name", "phase_name"]),
        Ty::GranularMarkings => Some(&["selectors", "marking_ref", "lang"]),
        _ => None,
    }
}

fn is_list(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::IdList(_)
            | Ty::StringList
            | Ty::EnumList(_)
            | Ty::KillChainPhases
            | Ty::ExternalReferences
            | Ty::GranularMarkings
            | Ty::ObjectList
    )
}

/// Keys inside these are not fixed by the specification: any step may follow.
fn is_open(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Hashes | Ty::Dictionary | Ty::Extensions | Ty::Object | Ty::ObjectList
    )
}

/// The nearest of `names` to `word`, when it is near enough to be a typo.
fn nearest<'n>(word: &str, names: impl IntoIterator<Item = &'n str>) -> Option<String> {
    names
        .into_iter()
        .map(|n| (strsim::levenshtein(word, n), n))
        .filter(|(d, _)| *d <= 2.max(word.len() / 4))
        .min()
        .map(|(_, n)| n.to_string())
}

/// Why a path can never match, and the name it was probably meant to have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmatchable {
    pub why: String,
    /// The known name nearest to the one written, when it is near enough to be a typo.
    pub suggestion: Option<String>,
}

impl Unmatchable {
    fn new(why: impl Into<String>) -> Self {
        Unmatchable {
            why: why.into(),
            suggestion: None,
        }
    }

    fn suggesting(why: impl Into<String>, suggestion: Option<String>) -> Self {
        Unmatchable {
            why: why.into(),
            suggestion,
        }
    }
}

impl std::fmt::Display for Unmatchable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.why)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// Check one path; `Err` says why it can never match.
pub fn check(path: &TextPath, v: &Vocabulary<'_>) -> Result<(), Unmatchable> {
    let t = path.object_type.as_str();
    if t == "xml" {
        let Some(names) = &v.xml_names else {
            return Err(Unmatchable::new("names `xml` text but the policy has no `[xml]` rules"));
        };
        if path.steps.is_empty() {
            return Err(Unmatchable::new(
                "an XML path is `xml.name`, `xml.parent.name` or `xml.a.**.name`",
            ));
        }
        for step in &path.steps {
            match step {
                PathStep::Property(n) if names.contains(n) => {}
                PathStep::Property(n) => {
                    return Err(Unmatchable::suggesting(
                        format!("no element or attribute `{n}` is allowed by `[[xml.namespaces]]`"),
                        nearest(n, names.iter().map(String::as_str)),
                    ));
                }
                PathStep::AnyDepth => {}
                PathStep::Each => {
                    return Err(Unmatchable::new(
                        "an XML path has no `[*]`: a name selects every element of it",
                    ));
                }
            }
        }
        return Ok(());
    }
    let candidates: Vec<&str> = if t == "*" {
        v.stix_types.iter().map(String::as_str).collect()
    } else if v.stix_types.contains(t) {
        vec![t]
    } else {
        return Err(Unmatchable::suggesting(
            format!("type `{t}` is never released by this policy"),
            nearest(t, v.stix_types.iter().map(String::as_str)),
        ));
    };
    let mut found = Vec::new();
    for ty in &candidates {
        match check_in(ty, &path.steps, v) {
            Ok(()) => return Ok(()),
            Err(e) => found.push(e),
        }
    }
    // Of several types' reasons, the one with a suggestion helps most.
    let best = found
        .iter()
        .find(|e| e.suggestion.is_some())
        .or(found.last())
        .cloned()
        .unwrap_or_default();
    if t != "*" {
        return Err(best);
    }
    // `*.name`: when no type has `name` at all, say so and suggest from every type's properties.
    if let Some(PathStep::Property(name)) = path.steps.first() {
        let all: BTreeSet<&str> = candidates
            .iter()
            .filter_map(|t| types::lookup(t))
            .flat_map(|d| types::common(d).iter().chain(d.props).map(|p| p.name))
            .collect();
        if !all.contains(name.as_str()) {
            return Err(Unmatchable::suggesting(
                format!("no type this policy releases has a property `{name}`"),
                nearest(name, all.iter().copied()),
            ));
        }
    }
    Err(Unmatchable::suggesting(
        format!("no type this policy releases has it ({})", best.why),
        best.suggestion,
    ))
}

/// Check `steps` against the properties of STIX type `t`.
fn check_in(t: &str, steps: &[PathStep], v: &Vocabulary<'_>) -> Result<(), Unmatchable> {
    let Some(def) = types::lookup(t) else {
        // A custom or unknown type the policy allows: its properties are not known here.
        return Ok(());
    };
    let props: Vec<&Prop> = types::common(def).iter().chain(def.props).collect();
    let Some((first, rest)) = steps.split_first() else {
        return Err(Unmatchable::new("a path needs a property after the type"));
    };
    let name = match first {
        PathStep::Property(n) => n.as_str(),
        PathStep::AnyDepth => return Ok(()),
        PathStep::Each => return Err(Unmatchable::new("`[*]` must follow a list property")),
    };
    if v.custom_properties.iter().any(|c| c == name) {
        return Ok(());
    }
    let Some(prop) = props.iter().find(|p| p.name == name) else {
        return Err(Unmatchable::suggesting(
            format!("`{t}` has no property `{name}`"),
            nearest(name, props.iter().map(|p| p.name)),
        ));
    };
    if let Some(listed) = v.properties.get(t)
        && !listed.iter().any(|p| p == name)
        && !types::common(def).iter().any(|p| p.name == name)
    {
        return Err(Unmatchable::new(format!(
            "`{t}.{name}` never crosses: `stix.properties.{t}` does not list it"
        )));
    }
    check_steps(prop.ty, rest).map_err(|e| Unmatchable {
        why: format!("`{t}.{name}`: {}", e.why),
        ..e
    })
}

/// Check the steps after a property of type `ty`.
fn check_steps(ty: Ty, steps: &[PathStep]) -> Result<(), Unmatchable> {
    let mut rest = steps;
    if let Some(PathStep::Each) = rest.first() {
        if !is_list(ty) {
            return Err(Unmatchable::new("`[*]` follows a property that is not a list"));
        }
        rest = rest.get(1..).unwrap_or_default();
    }
    let Some(step) = rest.first() else {
        return Ok(());
    };
    if is_open(ty) || matches!(step, PathStep::AnyDepth) {
        return Ok(());
    }
    let (Some(fields), PathStep::Property(name)) = (structure(ty), step) else {
        return Err(Unmatchable::new(format!(
            "nothing is inside it to select with `{}`",
            shown(step)
        )));
    };
    if !fields.contains(&name.as_str()) {
        return Err(Unmatchable::suggesting(
            format!("it has no `{name}`"),
            nearest(name, fields.iter().copied()),
        ));
    }
    match rest.get(1..).unwrap_or_default() {
        [] => Ok(()),
        [PathStep::AnyDepth, ..] => Ok(()),
        more if name == "hashes" => check_steps(Ty::Hashes, more),
        more if name == "selectors" => check_steps(Ty::StringList, more),
        [more, ..] => Err(Unmatchable::new(format!(
            "`{name}` is a string: nothing follows it (`{}`)",
            shown(more)
        ))),
    }
}

fn shown(step: &PathStep) -> String {
    match step {
        PathStep::Property(n) => n.clone(),
        PathStep::Each => "[*]".into(),
        PathStep::AnyDepth => "**".into(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn vocabulary<'a>(
        stix_types: &'a BTreeSet<String>,
        properties: &'a BTreeMap<String, Vec<String>>,
    ) -> Vocabulary<'a> {
        Vocabulary {
            stix_types,
            properties,
            custom_properties: &[],
            xml_names: Some(["description".to_string(), "Description".to_string()].into()),
        }
    }

    fn check_str(path: &str) -> Result<(), String> {
        let types: BTreeSet<String> = ["indicator", "note", "identity", "malware"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let props = BTreeMap::new();
        check(&TextPath::parse(path).unwrap(), &vocabulary(&types, &props)).map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_paths_that_can_match() {
        for p in [
            "*.description",
            "indicator.pattern",
            "note.content",
            "*.external_references[*].description",
            "*.external_references[*].hashes.SHA-256",
            "malware.kill_chain_phases[*].phase_name",
            "*.granular_markings[*].selectors[*]",
            "*.labels[*]",
            "identity.**",
            "*.external_references[*].**",
            "xml.description",
            "xml.Description.description",
            "xml.**.description",
            "xml.Description.**",
        ] {
            check_str(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }

    #[test]
    fn an_xml_path_names_allowed_elements_without_list_steps() {
        for (p, why) in [
            ("xml.descriptoin", "did you mean `description`"),
            ("xml.alert.description", "no element or attribute `alert`"),
            ("xml.description[*]", "no `[*]`"),
        ] {
            let e = check_str(p).unwrap_err();
            assert!(e.contains(why), "{p}: {e}");
        }
    }

    #[test]
    fn a_typo_is_an_error_with_a_suggestion() {
        let e = check_str("*.descripton").unwrap_err();
        assert!(e.contains("did you mean `description`"), "{e}");
        let e = check_str("indicatr.pattern").unwrap_err();
        assert!(e.contains("did you mean `indicator`"), "{e}");
        let e = check_str("*.external_references[*].descripion").unwrap_err();
        assert!(e.contains("did you mean `description`"), "{e}");
        let e = check_str("xml.descriptoin").unwrap_err();
        assert!(e.contains("did you mean `description`"), "{e}");
    }

    #[test]
    fn paths_that_select_nothing_are_errors() {
        for p in [
            "vulnerability.name",
            "indicator.description[*]",
            "indicator.description.x",
            "note.content.x",
            "indicator.pattern_type[*]",
        ] {
            assert!(check_str(p).is_err(), "{p}");
        }
    }
}
