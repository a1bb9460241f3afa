//! Sanitising the STIX objects that stay: property allowlists, custom content, indicator patterns,
//! dirty words and redaction (the rules themselves are in [`crate::policy::sanitise`]).

use std::borrow::Cow;

use super::release::{UnitDecision, UnitVerdict};
use super::{PropertyKind, SelectorStep, StixObject, pattern, types};
use crate::format::json::Value;
use crate::policy::Policy;
use crate::policy::sanitise::{DirtyAction, PathStep, PatternAction, TextPath, TextRule};

/// What sanitising did to an object as a whole.
pub(super) enum Outcome {
    /// The object stays (perhaps changed).
    Keep,
    /// The object is dropped; the decision says why.
    Drop(UnitDecision),
    /// The whole message is rejected; the decision says why.
    Reject(UnitDecision),
}

/// Properties that say what an object is, not what it tells: never text to scan or redact.
const STRUCTURAL: &[&str] = &[
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "object_marking_refs",
    "granular_markings",
    "pattern_type",
    "pattern_version",
    "lang",
    "revoked",
    "confidence",
];

/// Sanitise one object that is to be released. Returns what happened to it, and the selectors of
/// the properties it lost (for the granular markings to follow).
pub(super) fn sanitise(
    o: &mut StixObject<'_>,
    policy: &Policy,
    decisions: &mut Vec<UnitDecision>,
) -> (Outcome, Vec<Vec<SelectorStep>>) {
    let mut removed = Vec::new();
    allowlist(o, policy, decisions, &mut removed);
    if let Some(d) = required_missing(o, "property-allowlist") {
        return (Outcome::Drop(d), removed);
    }
    if let Some(outcome) = pattern_rules(o, policy, decisions) {
        return (outcome, removed);
    }
    for rule in policy.text_rules.iter() {
        if let Some(outcome) = text_rule(o, rule, decisions) {
            return (outcome, removed);
        }
    }
    (Outcome::Keep, removed)
}

fn decision(
    o: &StixObject<'_>,
    pointer: &str,
    rule: impl Into<Cow<'static, str>>,
    verdict: UnitVerdict,
    detail: String,
) -> UnitDecision {
    UnitDecision {
        unit: format!("{}{pointer}", o.id),
        label: None,
        rule: rule.into(),
        verdict,
        detail,
    }
}

/// The first required property the object lacks, as a decision dropping it.
fn required_missing(o: &StixObject<'_>, rule: &'static str) -> Option<UnitDecision> {
    let def = types::lookup(&o.type_name)?;
    let missing = types::common(def)
        .iter()
        .chain(def.props)
        .find(|p| p.required && !o.json.contains_key(p.name))?;
    Some(decision(
        o,
        "",
        rule,
        UnitVerdict::Drop,
        format!("required property `{}` may not cross", missing.name),
    ))
}

// ---------------------------------------------------------------------------------------------
// Allowlists
// ---------------------------------------------------------------------------------------------

/// Identity and marking properties every object keeps, whatever its allowlist says.
const ALWAYS: &[&str] = &[
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "object_marking_refs",
    "granular_markings",
];

/// Remove what the policy does not name: custom (`x_…`) and extension-defined properties,
/// extensions, and — for types with an allowlist — every other property.
fn allowlist(
    o: &mut StixObject<'_>,
    policy: &Policy,
    decisions: &mut Vec<UnitDecision>,
    removed: &mut Vec<Vec<SelectorStep>>,
) {
    let listed = policy.properties.get(&o.type_name);
    let names: Vec<String> = o.json.iter().map(|(k, _)| k.to_string()).collect();
    for name in names {
        let kind = o.property_kind(&name);
        let custom = matches!(kind, PropertyKind::Custom | PropertyKind::Extension);
        let allowed = if ALWAYS.contains(&name.as_str()) {
            true
        } else if custom {
            policy.custom_properties.contains(&name) && listed.is_none_or(|l| l.contains(&name))
        } else {
            listed.is_none_or(|l| l.contains(&name))
        };
        if !allowed {
            o.json.remove(&name);
            removed.push(vec![SelectorStep::Property(name.clone())]);
            let why = if custom {
                "custom property not named by the policy"
            } else {
                "not in the type's property allowlist"
            };
            decisions.push(decision(
                o,
                &format!("/{name}"),
                "property-allowlist",
                UnitVerdict::Remove,
                why.into(),
            ));
        }
    }
    // A marking definition's extensions are the marking itself (TLP 2.0, ACS): they stay.
    if o.type_name == "marking-definition" {
        return;
    }
    if let Some(Value::Object(ext)) = o.json.get_mut("extensions") {
        let mut gone = Vec::new();
        ext.retain(|k, _| {
            let keep = policy.extensions.contains(k);
            if !keep {
                gone.push(k.to_string());
            }
            keep
        });
        let empty = ext.is_empty();
        for k in gone {
            removed.push(vec![
                SelectorStep::Property("extensions".into()),
                SelectorStep::Property(k.clone()),
            ]);
            decisions.push(decision(
                o,
                &format!("/extensions/{k}"),
                "extension-allowlist",
                UnitVerdict::Remove,
                "extension not named by the policy".into(),
            ));
        }
        if empty {
            o.json.remove("extensions");
            o.toplevel_extensions.clear();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Indicator patterns
// ---------------------------------------------------------------------------------------------

fn pattern_rules(o: &mut StixObject<'_>, policy: &Policy, decisions: &mut Vec<UnitDecision>) -> Option<Outcome> {
    if policy.address_rules.is_empty() {
        return None;
    }
    let mut p = o.pattern.take()?;
    let outcome = prune_pattern(o, &mut p, policy, decisions);
    o.pattern = Some(p);
    outcome
}

/// Apply the address rules to `p` (taken out of `o` meanwhile), re-rendering it into `o` if it changed.
fn prune_pattern(
    o: &mut StixObject<'_>,
    p: &mut pattern::Pattern,
    policy: &Policy,
    decisions: &mut Vec<UnitDecision>,
) -> Option<Outcome> {
    let mut changed = false;
    for rule in &policy.address_rules {
        let hits = |c: &pattern::Comparison| c.strings().any(|s| rule.hits(s));
        let Some(hit) = p.comparisons().find(|c| hits(c)) else {
            continue;
        };
        let shown = hit.to_string();
        let id = rule.id.clone();
        match rule.action {
            PatternAction::Drop => {
                let detail = format!("the pattern points inside an internal range or domain: `{shown}`");
                return Some(Outcome::Drop(decision(o, "/pattern", id, UnitVerdict::Drop, detail)));
            }
            PatternAction::Redact => match p.retain_comparisons(|c| !hits(c)) {
                pattern::RetainOutcome::Emptied { .. } => {
                    let d = decision(
                        o,
                        "/pattern",
                        id,
                        UnitVerdict::Drop,
                        "every comparison of the pattern points inside an internal range or domain".into(),
                    );
                    return Some(Outcome::Drop(d));
                }
                pattern::RetainOutcome::Unchanged => {}
                pattern::RetainOutcome::Pruned { comparisons, .. } => {
                    changed = true;
                    let detail = format!("{comparisons} comparison(s) removed, first `{shown}`");
                    decisions.push(decision(o, "/pattern", id, UnitVerdict::Redact, detail));
                }
            },
        }
    }
    if changed {
        o.json.insert("pattern", Value::from(p.render()));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Dirty words and redaction
// ---------------------------------------------------------------------------------------------

/// Apply one text rule to the object's selected strings.
fn text_rule(o: &mut StixObject<'_>, rule: &TextRule, decisions: &mut Vec<UnitDecision>) -> Option<Outcome> {
    let id = rule.id.clone();
    let mut hits: Vec<(String, usize)> = Vec::new();
    let mut in_pattern = false;
    let type_name = o.type_name.clone();
    let mut visit = |pointer: &str, s: &mut Cow<'_, str>| {
        let (new, n) = match crate::policy::sanitise::redact(s, &rule.matcher, &rule.replacement) {
            Some(r) => r,
            None => return,
        };
        if pointer == "/pattern" {
            in_pattern = true;
        }
        if rule.action == DirtyAction::Redact && pointer != "/pattern" {
            *s = Cow::Owned(new);
        }
        hits.push((pointer.to_string(), n));
    };
    match &rule.paths {
        Some(paths) => {
            for p in paths.iter().filter(|p| p.applies_to(&type_name)) {
                select(o, p, &mut visit);
            }
        }
        None => {
            for (k, v) in o.json.iter_mut() {
                if !STRUCTURAL.contains(&k) && !k.ends_with("_ref") && !k.ends_with("_refs") {
                    every_string(v, &format!("/{k}"), &mut visit);
                }
            }
        }
    }
    let (first, _) = hits.first()?.clone();
    let count: usize = hits.iter().map(|(_, n)| n).sum();
    match rule.action {
        DirtyAction::Reject => {
            let detail = format!("{count} hit(s) of list `{id}`");
            Some(Outcome::Reject(decision(o, &first, id, UnitVerdict::Reject, detail)))
        }
        DirtyAction::Drop => {
            let detail = format!("{count} hit(s) of list `{id}`");
            Some(Outcome::Drop(decision(o, &first, id, UnitVerdict::Drop, detail)))
        }
        // A pattern cannot be redacted as text: its grammar would break. The indicator goes.
        DirtyAction::Redact if in_pattern => Some(Outcome::Drop(decision(
            o,
            "/pattern",
            id,
            UnitVerdict::Drop,
            "a phrase to redact is in the pattern".into(),
        ))),
        DirtyAction::Redact => {
            for (pointer, n) in hits {
                decisions.push(decision(
                    o,
                    &pointer,
                    id.clone(),
                    UnitVerdict::Redact,
                    format!("{n} replacement(s)"),
                ));
            }
            None
        }
    }
}

/// Call `f` on every string `path` selects in `o` (a list of strings counts as its strings).
fn select(o: &mut StixObject<'_>, path: &TextPath, f: &mut dyn FnMut(&str, &mut Cow<'_, str>)) {
    let Some((PathStep::Property(first), rest)) = path.steps.split_first() else {
        return;
    };
    if let Some(v) = o.json.get_mut(first) {
        walk(v, rest, &format!("/{first}"), f);
    }
}

fn walk(v: &mut Value<'_>, steps: &[PathStep], pointer: &str, f: &mut dyn FnMut(&str, &mut Cow<'_, str>)) {
    match (steps.split_first(), v) {
        (None, Value::String(s)) => f(pointer, s),
        (None, Value::Array(a)) => {
            for (n, e) in a.iter_mut().enumerate() {
                if let Value::String(s) = e {
                    f(&format!("{pointer}/{n}"), s);
                }
            }
        }
        (Some((PathStep::Each, rest)), Value::Array(a)) => {
            for (n, e) in a.iter_mut().enumerate() {
                walk(e, rest, &format!("{pointer}/{n}"), f);
            }
        }
        (Some((PathStep::Property(p), rest)), Value::Object(o)) => {
            if let Some(e) = o.get_mut(p) {
                walk(e, rest, &format!("{pointer}/{p}"), f);
            }
        }
        _ => {}
    }
}

fn every_string(v: &mut Value<'_>, pointer: &str, f: &mut dyn FnMut(&str, &mut Cow<'_, str>)) {
    match v {
        Value::String(s) => f(pointer, s),
        Value::Array(a) => {
            for (n, e) in a.iter_mut().enumerate() {
                every_string(e, &format!("{pointer}/{n}"), f);
            }
        }
        Value::Object(o) => {
            for (k, e) in o.iter_mut() {
                if !k.ends_with("_ref") && !k.ends_with("_refs") {
                    every_string(e, &format!("{pointer}/{k}"), f);
                }
            }
        }
        _ => {}
    }
}
