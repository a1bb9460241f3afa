//! `policy coverage`: what a policy's test cases leave untested — rules that never acted, types
//! the policy releases that no case contains, and rule paths that never selected a string a rule
//! acted on. A rule no case exercises is a rule nobody has seen work.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::guard;
use crate::policy::Policy;
use crate::policy::sanitise::TextPath;
use crate::release::{UnitDecision, UnitVerdict};

/// What the cases of one policy did not reach.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Cases run.
    pub cases: usize,
    /// The policy's own rules (text rules, pattern rules) that never decided anything.
    pub rules_never_fired: Vec<String>,
    /// Types the policy releases that no case's message contained.
    pub types_never_seen: Vec<String>,
    /// `rule: path` for every path of a rule that never selected a string the rule acted on.
    pub paths_never_matched: Vec<String>,
}

impl Coverage {
    /// Whether every rule, type and path was reached.
    pub fn complete(&self) -> bool {
        self.rules_never_fired.is_empty() && self.types_never_seen.is_empty() && self.paths_never_matched.is_empty()
    }
}

/// Run every case input in `dir` under `policy` and report what was never reached.
pub fn coverage(policy: &Policy, dir: &Path) -> Result<Coverage, String> {
    let mut inputs: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read test cases: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            !name.contains(".out.")
                && p.extension()
                    .is_some_and(|e| super::cases::INPUT_EXTENSIONS.contains(&e.to_string_lossy().as_ref()))
        })
        .collect();
    inputs.sort();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut seen_types: BTreeSet<String> = BTreeSet::new();
    let mut acted: Vec<UnitDecision> = Vec::new();
    for input in &inputs {
        let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
        let decisions = match guard::filter(&bytes, policy) {
            Ok(r) => r.report.decisions,
            Err(e) => {
                fired.extend(e.reasons.iter().map(|r| r.rule.clone()));
                e.report.decisions
            }
        };
        for d in decisions {
            let id = d.unit.split('/').next().unwrap_or_default();
            if let Some((t, _)) = id.split_once("--") {
                seen_types.insert(t.to_string());
            } else if d.unit.starts_with('/') {
                seen_types.insert("xml".into());
            }
            if d.verdict != UnitVerdict::Keep {
                fired.insert(d.rule.to_string());
                acted.push(d);
            }
        }
    }
    let own_rules = policy
        .text_rules
        .rules
        .iter()
        .map(|r| r.id.clone())
        .chain(policy.address_rules.iter().map(|r| r.id.clone()));
    let rules_never_fired = own_rules.filter(|r| !fired.contains(r)).collect();
    let types_never_seen = policy
        .allowed_types
        .iter()
        .filter(|t| !seen_types.contains(*t))
        .cloned()
        .collect();
    let mut paths_never_matched = Vec::new();
    for rule in &policy.text_rules.rules {
        for (path, written) in rule.paths.iter().flatten().zip(rule.source.paths.iter().flatten()) {
            let hit = acted.iter().any(|d| d.rule == rule.id && selects(path, &d.unit));
            if !hit {
                paths_never_matched.push(format!("{}: {written}", rule.id));
            }
        }
    }
    Ok(Coverage {
        cases: inputs.len(),
        rules_never_fired,
        types_never_seen,
        paths_never_matched,
    })
}

/// Whether `path` selects the unit a decision names: `type--…/pointer` for STIX, an element
/// path ending in the element (or `@attribute`) for XML.
fn selects(path: &TextPath, unit: &str) -> bool {
    if path.object_type == "xml" {
        let last = unit.rsplit('/').next().unwrap_or_default();
        let last = last.split('[').next().unwrap_or_default().trim_start_matches('@');
        let local = last.rsplit(':').next().unwrap_or_default();
        return matches!(path.steps.as_slice(), [crate::policy::sanitise::PathStep::Property(n)] if n == local);
    }
    let (id, pointer) = unit.split_once('/').map_or((unit, ""), |(i, p)| (i, p));
    let Some((t, _)) = id.split_once("--") else {
        return false;
    };
    crate::release::stix::path_selects(path, t, &format!("/{pointer}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_stix_pointers_and_xml_elements() {
        let p = TextPath::parse("*.external_references[*].description").unwrap();
        assert!(selects(&p, "indicator--x/external_references/0/description"));
        assert!(!selects(&p, "indicator--x/description"));
        let x = TextPath::parse("xml.description").unwrap();
        assert!(selects(&x, "/mb:BindingInformation/mb:Data/alert/info[1]/description"));
        assert!(!selects(&x, "/mb:BindingInformation/mb:Data/alert/info[1]/headline"));
    }
}
