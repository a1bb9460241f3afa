//! Sanitising the STIX objects that stay: property allowlists, custom content, indicator patterns,
//! dirty words and redaction (the rules themselves are in [`crate::policy::sanitise`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::format::json::Value;
use crate::format::stix::{PropertyKind, SelectorStep, StixObject, pattern, types};
use crate::label::Label;
use crate::policy::Policy;
use crate::policy::sanitise::{Applied, DirtyAction, PathStep, PatternAction, TextPath, TextRule, TextRules};
use crate::release::decision::{Decisions, UnitDecision, UnitVerdict};
use crate::text::{Normalized, Prepared};

/// What sanitising did to an object as a whole.
pub(super) enum Outcome {
    /// The object stays (perhaps changed).
    Keep,
    /// The object is dropped; the decision says why.
    Drop(UnitDecision),
    /// The whole message is rejected; the decision says why.
    Reject(UnitDecision),
}

/// Sanitise one object that is to be released. Returns what happened to it, and the selectors of
/// the properties it lost (for the granular markings to follow).
pub(super) fn sanitise(
    o: &mut StixObject<'_>,
    label: Option<&Label>,
    policy: &Policy,
    decisions: &mut Decisions,
    clean: &mut Clean,
    prior: &[Clean],
) -> (Outcome, Vec<Vec<SelectorStep>>) {
    let mut removed = Vec::new();
    allowlist(o, policy, decisions, &mut removed);
    if let Some(d) = required_missing(o, "property-allowlist") {
        return (Outcome::Drop(d), removed);
    }
    if let Some(outcome) = pattern_rules(o, policy, decisions) {
        return (outcome, removed);
    }
    // The normal form of each string the address rules read, by visiting order, for the text
    // rules to reuse: each string is normalised at most once.
    let mut normals = Normals::default();
    if let Some(outcome) = address_text(o, policy, decisions, &mut normals, clean, prior) {
        return (outcome, removed);
    }
    if let Some(outcome) = nested_keys(o, policy) {
        return (outcome, removed);
    }
    if let Some(outcome) = key_markings(o, label, policy) {
        return (outcome, removed);
    }
    match text_rules(o, label, policy, decisions, normals, clean, prior) {
        Some(outcome) => (outcome, removed),
        None => (Outcome::Keep, removed),
    }
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
fn allowlist(o: &mut StixObject<'_>, policy: &Policy, decisions: &mut Decisions, removed: &mut Vec<Vec<SelectorStep>>) {
    let listed = policy.properties.get(&o.type_name);
    // Decided first, removed in one pass (removing one by one is quadratic in the members).
    let mut gone: Vec<(String, bool)> = Vec::new();
    for (name, _) in o.json.iter() {
        let kind = o.property_kind(name);
        let custom = matches!(kind, PropertyKind::Custom | PropertyKind::Extension);
        let allowed = if ALWAYS.contains(&name) {
            true
        } else if custom {
            policy.custom_properties.contains(name) && listed.is_none_or(|l| l.contains(name))
        } else {
            listed.is_none_or(|l| l.contains(name))
        };
        if !allowed {
            gone.push((name.to_string(), custom));
        }
    }
    if !gone.is_empty() {
        let names: std::collections::HashSet<&str> = gone.iter().map(|(n, _)| n.as_str()).collect();
        o.json.retain(|k, _| !names.contains(k));
    }
    for (name, custom) in gone {
        removed.push(vec![SelectorStep::Property(name.clone().into())]);
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
    nested_custom(o, decisions, removed);
    embedded_objects(o, policy, decisions, removed);
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
                SelectorStep::Property(k.clone().into()),
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

/// Custom members (`x_…`) below the top level, at any depth, are stripped: in external
/// references, kill-chain phases, granular markings, hashes, extensions, marking definitions and
/// embedded observed-data objects alike (a nested `x_…_ref` goes with them).
fn nested_custom(o: &mut StixObject<'_>, decisions: &mut Decisions, removed: &mut Vec<Vec<SelectorStep>>) {
    let mut gone: Vec<Vec<SelectorStep>> = Vec::new();
    for (k, v) in o.json.iter_mut() {
        let mut at = vec![SelectorStep::Property(k.to_string().into())];
        strip_custom(v, &mut at, &mut gone);
    }
    for sel in gone {
        let pointer: String = sel
            .iter()
            .map(|s| match s {
                SelectorStep::Property(p) => format!("/{p}"),
                SelectorStep::Index(n) => format!("/{n}"),
            })
            .collect();
        decisions.push(decision(
            o,
            &pointer,
            "property-allowlist",
            UnitVerdict::Remove,
            "custom member below the top level".into(),
        ));
        removed.push(sel);
    }
}

fn strip_custom(v: &mut Value<'_>, at: &mut Vec<SelectorStep>, gone: &mut Vec<Vec<SelectorStep>>) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| {
                let custom = k.starts_with("x_");
                if custom {
                    let mut sel = at.clone();
                    sel.push(SelectorStep::Property(k.to_string().into()));
                    gone.push(sel);
                }
                !custom
            });
            for (k, x) in m.iter_mut() {
                at.push(SelectorStep::Property(k.to_string().into()));
                strip_custom(x, at, gone);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (n, x) in a.iter_mut().enumerate() {
                at.push(SelectorStep::Index(n));
                strip_custom(x, at, gone);
                at.pop();
            }
        }
        _ => {}
    }
}

/// `observed-data.objects` (embedded SCOs, STIX 2.0 style): each entry is decided like a
/// top-level SCO: its type must be an SCO type the policy allows, or the entry is removed, and
/// references to a removed entry from the other entries are removed with it. An entry that
/// carries markings of its own (`object_marking_refs`, `granular_markings`) is removed too:
/// markings are read on top-level objects, and one that is not read may not be passed over.
fn embedded_objects(
    o: &mut StixObject<'_>,
    policy: &Policy,
    decisions: &mut Decisions,
    removed: &mut Vec<Vec<SelectorStep>>,
) {
    if o.type_name != "observed-data" {
        return;
    }
    let Some(Value::Object(objects)) = o.json.get_mut("objects") else {
        return;
    };
    let mut gone: Vec<(String, String)> = Vec::new();
    let mut marked: Vec<String> = Vec::new();
    objects.retain(|k, v| {
        let t = v.as_object().and_then(|e| e.get("type")).and_then(Value::as_str);
        let sco = t
            .and_then(types::lookup)
            .is_some_and(|d| d.class == types::ObjectClass::Sco);
        let ok = sco && t.is_some_and(|t| policy.allowed_types.contains(t));
        let carries_markings = v
            .as_object()
            .is_some_and(|e| e.get("object_marking_refs").is_some() || e.get("granular_markings").is_some());
        if !ok {
            gone.push((k.to_string(), t.unwrap_or("?").to_string()));
        } else if carries_markings {
            marked.push(k.to_string());
        }
        ok && !carries_markings
    });
    if gone.is_empty() && marked.is_empty() {
        return;
    }
    // A marked entry stands in `gone` with no type.
    gone.extend(marked.into_iter().map(|k| (k, String::new())));
    let dead: Vec<String> = gone.iter().map(|(k, _)| k.clone()).collect();
    // References between entries use the entries' keys.
    let mut cut: Vec<String> = Vec::new();
    for (k, v) in objects.iter_mut() {
        if let Value::Object(e) = v {
            e.retain(|name, x| {
                let keep = match x {
                    Value::String(r) if name.ends_with("_ref") => !dead.iter().any(|d| d == r.as_ref()),
                    _ => true,
                };
                if !keep {
                    cut.push(format!("{k}/{name}"));
                }
                keep
            });
            for (name, x) in e.iter_mut() {
                if name.ends_with("_refs")
                    && let Value::Array(a) = x
                {
                    a.retain(|r| !r.as_str().is_some_and(|r| dead.iter().any(|d| d == r)));
                }
            }
        }
    }
    for (k, t) in gone {
        removed.push(vec![
            SelectorStep::Property("objects".into()),
            SelectorStep::Property(k.clone().into()),
        ]);
        let (rule, detail) = if t.is_empty() {
            (
                "embedded-marking",
                "an embedded object carries markings of its own, which are read on top-level objects only".into(),
            )
        } else {
            (
                "type-not-allowed",
                format!("embedded object of type `{t}` is not an SCO type the policy allows"),
            )
        };
        decisions.push(decision(o, &format!("/objects/{k}"), rule, UnitVerdict::Remove, detail));
    }
    for c in cut {
        decisions.push(decision(
            o,
            &format!("/objects/{c}"),
            "dangling-reference",
            UnitVerdict::Remove,
            "refers to an embedded object that does not go".into(),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Indicator patterns
// ---------------------------------------------------------------------------------------------

fn pattern_rules(o: &mut StixObject<'_>, policy: &Policy, decisions: &mut Decisions) -> Option<Outcome> {
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
    decisions: &mut Decisions,
) -> Option<Outcome> {
    let mut changed = false;
    for rule in &policy.address_rules {
        let hits = |c: &pattern::Comparison| match &c.op {
            pattern::Operator::Matches(re) => crate::text::operand::regex_reveals(re, &rule.internal),
            pattern::Operator::Like(like) => crate::text::operand::like_reveals(like, &rule.internal),
            _ => {
                c.strings().any(|s| rule.hits(s))
                    || c.numeric_addresses().any(|s| rule.hits(&s))
                    || c.binary_texts().iter().any(|s| rule.hits(s))
            }
        };
        // The names of the object path cross too (`file:hashes.'intranet.corp.example'`).
        let hits = |c: &pattern::Comparison| {
            hits(c)
                || c.path
                    .steps
                    .iter()
                    .any(|s| matches!(s, pattern::PathStep::Key(k) if rule.hits(k)))
        };
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

/// The member names of nested dictionaries (custom hash names, extension property names, header
/// fields, environment variables, embedded object keys) cross too: any text or address rule
/// that finds something in one drops the object (a name cannot be redacted).
fn nested_keys(o: &StixObject<'_>, policy: &Policy) -> Option<Outcome> {
    if policy.text_rules.is_empty() && policy.address_rules.is_empty() {
        return None;
    }
    // One scan of all the names together (most objects have none that hits); then one by one.
    let mut joined = String::new();
    let mut light: Vec<&Value<'_>> = o.json.iter().map(|(_, v)| v).collect();
    while let Some(v) = light.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter() {
                    if !k.starts_with("extension-definition--") {
                        joined.push_str(k);
                        joined.push_str(" | ");
                    }
                    light.push(x);
                }
            }
            Value::Array(a) => light.extend(a.iter()),
            _ => {}
        }
    }
    if joined.is_empty() {
        return None;
    }
    let any_text = !matches!(policy.text_rules.apply(&joined, |r| r.paths.is_none()), Applied::Clean);
    let any_address = policy
        .address_rules
        .iter()
        .any(|r| r.internal.first(&joined, false).is_some());
    if !any_text && !any_address {
        return None;
    }
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<(String, &Value<'_>)> = o.json.iter().map(|(k, v)| (format!("/{k}"), v)).collect();
    while let Some((at, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter() {
                    let here = format!("{at}/{k}");
                    // Extension ids are identifiers, judged by the extension allowlist.
                    if !k.starts_with("extension-definition--") {
                        keys.push((here.clone(), k.to_string()));
                    }
                    stack.push((here, x));
                }
            }
            Value::Array(a) => stack.extend(a.iter().enumerate().map(|(n, x)| (format!("{at}/{n}"), x))),
            _ => {}
        }
    }
    for (at, k) in keys {
        let text_hit = match policy.text_rules.apply(&k, |r| r.paths.is_none()) {
            Applied::Clean => None,
            Applied::Stop { rule, .. } => Some(rule),
            Applied::Redacted { counts, .. } => Some(counts.first().map_or(0, |c| c.0)),
        };
        let id = match text_hit {
            Some(r) => policy.text_rules.rules.get(r).map(|x| x.id.clone()),
            None => policy
                .address_rules
                .iter()
                .find(|r| r.internal.first(&k, false).is_some())
                .map(|r| r.id.clone()),
        };
        if let Some(id) = id {
            let detail = format!("the member name `{k}` holds what `{id}` keeps behind");
            return Some(Outcome::Drop(decision(o, &at, id, UnitVerdict::Drop, detail)));
        }
    }
    None
}

/// Markings written as member names (red team round 3, SA02: an observed-data object keyed
/// `TOP SECRET//SI//NOFORN`, a hash named `TLP-RED`). A name a reader sees is read like any
/// string, except the typed kinds, which must be of their grammar instead:
/// - a `hashes` key is a name of the hashing-algorithm-ov vocabulary, or a custom name (`x_…`,
///   STIX 2.1 §2.7), which is read as text as well;
/// - a key of observed-data `objects` is a decimal number (the spec's `"0"`, `"1"`, … its
///   references name);
/// - an extension id (`extension-definition--…`) is an identifier the extension allowlist
///   judges.
///
/// Each distinct name is read once (linear in the names' length).
fn key_markings(o: &StixObject<'_>, label: Option<&Label>, policy: &Policy) -> Option<Outcome> {
    let observed = o.type_name == "observed-data";
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    // (the top-level property it is under, value, whether its keys are hash names, whether
    // they are observed-data keys): no pointer is built for names that hold nothing.
    let mut stack: Vec<(&str, &Value<'_>, bool, bool)> = o
        .json
        .iter()
        .filter(|(_, v)| matches!(v, Value::Object(_) | Value::Array(_)))
        .map(|(k, v)| (k, v, k == "hashes", observed && k == "objects"))
        .collect();
    while let Some((top, v, hashes, objects)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter() {
                    let kind_error = if hashes {
                        (!types::HASH_ALGORITHMS.contains(&k) && !custom_hash_name(k))
                            .then_some("is not a hash name of the STIX vocabulary nor a custom one (`x_…`)")
                    } else if objects {
                        (!decimal_key(k)).then_some("is not an observed-data object key (a decimal number)")
                    } else {
                        None
                    };
                    let shown = || k.chars().take(120).collect::<String>();
                    if let Some(why) = kind_error {
                        let detail = format!("the member name `{}` {why}", shown());
                        return Some(Outcome::Drop(decision(
                            o,
                            &format!("/{top}"),
                            "member-name",
                            UnitVerdict::Drop,
                            detail,
                        )));
                    }
                    let typed = (hashes && types::HASH_ALGORITHMS.contains(&k))
                        || objects
                        || k.starts_with("extension-definition--");
                    if !typed && seen.insert(k) {
                        let p = Prepared::new(k);
                        let held = p
                            .unread()
                            .map(|why| ("text-unreadable", "shows what no rule reads", why));
                        let held = held.or_else(|| {
                            crate::release::marking_text::marking_in_text(&p, label, policy, &o.id)
                                .map(|why| ("marking-in-text", "holds a marking", why))
                        });
                        if let Some((rule, does, why)) = held {
                            let detail = format!("the member name `{}` {does}: {why}", shown());
                            return Some(Outcome::Drop(decision(
                                o,
                                &format!("/{top}"),
                                rule,
                                UnitVerdict::Drop,
                                detail,
                            )));
                        }
                    }
                    if matches!(x, Value::Object(_) | Value::Array(_)) {
                        stack.push((top, x, k == "hashes", false));
                    }
                }
            }
            // Only what has members waits on the stack (not each entry of a list of strings).
            Value::Array(a) => stack.extend(
                a.iter()
                    .filter(|x| matches!(x, Value::Object(_) | Value::Array(_)))
                    .map(|x| (top, x, false, false)),
            ),
            _ => {}
        }
    }
    None
}

/// A custom hash name (STIX 2.1 §2.7): `x_` and then letters, digits, `-` and `_`, 3–250 in all.
fn custom_hash_name(k: &str) -> bool {
    k.starts_with("x_")
        && (3..=250).contains(&k.len())
        && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An observed-data object key: a decimal number of at most 10 digits.
fn decimal_key(k: &str) -> bool {
    (1..=10).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_digit())
}

/// Normal forms the address rules computed, kept for the text rules by visiting order, while
/// they fit in [`Normals::BUDGET`] bytes: an object of a million strings does not hold a second
/// copy of each (past the budget the text rules normalise again).
#[derive(Default)]
struct Normals {
    kept: Vec<(usize, Normalized)>,
    bytes: usize,
}

impl Normals {
    const BUDGET: usize = 1 << 20;

    fn keep(&mut self, slot: usize, n: Normalized) {
        let size = n
            .heap_bytes()
            .saturating_add(std::mem::size_of::<(usize, Normalized)>());
        if self.bytes.saturating_add(size) <= Self::BUDGET {
            self.bytes = self.bytes.saturating_add(size);
            self.kept.push((slot, n));
        }
    }
}

/// The strings of one message found clean, so that a string written again (a name, a label, a
/// source or a kill chain that many objects repeat) is not read again. The address rules read
/// only the string and whether it is a host's value; the text rules only the string, the
/// object's label (a marking written in the text is judged with it), which rules select its
/// place and whether it is a marking definition's own statement: a string clean once is clean
/// wherever those are the same. Only clean strings are kept, each whole (no hash stands for
/// one), of at most [`Clean::LONGEST`] bytes, until they take [`Clean::BUDGET`] bytes.
#[derive(Default)]
pub(super) struct Clean {
    /// What the kept strings take, roughly: their bytes and a fixed cost an entry.
    bytes: usize,
    /// Clean under the address rules, as a host's value (`[1]`) or not (`[0]`).
    addresses: [HashSet<Box<str>>; 2],
    /// Clean under the text rules, in the places it was found clean in.
    text: HashMap<Box<str>, Vec<Place>>,
    /// The labels of the objects, each once: a place names its label by its index here.
    labels: Vec<Option<Label>>,
}

/// Where a string was read by the text rules: its object's label ([`Clean::labels`]), the rules
/// that select it (a bit each), and whether it is a definition's own statement or name.
type Place = (usize, u128, bool);

impl Clean {
    /// The longest string kept: longer ones are seldom written twice.
    const LONGEST: usize = 1024;
    /// What all kept strings may take.
    const BUDGET: usize = 4 << 20;
    /// What an entry takes besides its bytes (its box, its slot, its places).
    const ENTRY: usize = 96;
    /// The most labels strings are kept under.
    const LABELS: usize = 32;

    /// Whether `s` is kept, counting it in when it is.
    fn keeps(&mut self, s: &str) -> bool {
        let size = s.len().saturating_add(Self::ENTRY);
        let kept = s.len() <= Self::LONGEST && self.bytes.saturating_add(size) <= Self::BUDGET;
        if kept {
            self.bytes = self.bytes.saturating_add(size);
        }
        kept
    }

    /// The index of `label` in [`Clean::labels`], added when new; `None` past [`Clean::LABELS`]
    /// labels (nothing is kept under another: a message of as many labels as objects costs no
    /// search through them all).
    fn label(&mut self, label: Option<&Label>) -> Option<usize> {
        if let Some(k) = self.index_of(label) {
            return Some(k);
        }
        (self.labels.len() < Self::LABELS).then(|| {
            self.labels.push(label.cloned());
            self.labels.len().saturating_sub(1)
        })
    }

    /// The index of `label` in [`Clean::labels`], if strings were kept under it.
    fn index_of(&self, label: Option<&Label>) -> Option<usize> {
        self.labels.iter().position(|l| l.as_ref() == label)
    }

    /// The earlier readings that kept strings under `label`, each with its index of it.
    fn under<'c>(prior: &'c [Clean], label: Option<&Label>) -> Vec<(&'c Clean, usize)> {
        prior.iter().filter_map(|c| Some((c, c.index_of(label)?))).collect()
    }

    /// The rules `select` picks, a bit each; `None` past 128 rules (nothing is kept then).
    fn selection(rules: &[TextRule], select: impl Fn(&TextRule) -> bool) -> Option<u128> {
        (rules.len() <= 128).then(|| {
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| select(r))
                .fold(0u128, |m, (k, _)| m | 1u128.checked_shl(k as u32).unwrap_or(0))
        })
    }

    fn text_is_clean(&self, s: &str, place: Place) -> bool {
        self.text.get(s).is_some_and(|places| places.contains(&place))
    }

    /// Whether `s` was found clean at `place` by this reading or, in a place of the same rules
    /// and under the same label, by an earlier one (`prior_at`: each with that label's index in
    /// it, [`Clean::index_of`]).
    fn text_known(&self, s: &str, place: Place, prior_at: &[(&Clean, usize)]) -> bool {
        let (_, rules, own) = place;
        self.text_is_clean(s, place) || prior_at.iter().any(|(c, at)| c.text_is_clean(s, (*at, rules, own)))
    }

    fn text_found_clean(&mut self, s: &str, place: Place) {
        if self.keeps(s) {
            self.text.entry(s.into()).or_default().push(place);
        }
    }

    fn address_is_clean(&self, s: &str, host: bool) -> bool {
        self.addresses.get(usize::from(host)).is_some_and(|set| set.contains(s))
    }

    fn address_found_clean(&mut self, s: &str, host: bool) {
        if self.keeps(s)
            && let Some(set) = self.addresses.get_mut(usize::from(host))
        {
            set.insert(s.into());
        }
    }
}

/// The address rules on every other string of the object (descriptions, names, labels, SCO
/// values, external references, a pattern that is not of type `stix`, ...): `drop` drops the
/// object at the first hit, `redact` replaces each word that points inside (a pattern, which
/// cannot be edited as text, drops the object).
/// `normals`: filled with the normal forms of the strings visited, for the text rules.
fn address_text(
    o: &mut StixObject<'_>,
    policy: &Policy,
    decisions: &mut Decisions,
    normals: &mut Normals,
    clean: &mut Clean,
    prior: &[Clean],
) -> Option<Outcome> {
    if policy.address_rules.is_empty() {
        return None;
    }
    let type_name = o.type_name.clone();
    let parsed_pattern = o.pattern.is_some();
    let mut stop: Option<(String, String, String)> = None; // pointer, rule, hit
    let mut redacted: Vec<(String, String, usize)> = Vec::new();
    let mut visited = 0usize;
    let mut f = |segs: &[Seg<'_>], s: &mut Cow<'_, str>| {
        let slot = visited;
        visited = visited.saturating_add(1);
        if stop.is_some() || exempt(&type_name, segs, s) {
            return;
        }
        let is_pattern = matches!(segs, [Seg::Key("pattern")]);
        if is_pattern && parsed_pattern {
            return; // its comparisons were judged one by one
        }
        let host = matches!(segs, [Seg::Key("value")]);
        if !is_pattern
            && std::iter::once(&*clean)
                .chain(prior)
                .any(|c| c.address_is_clean(s, host))
        {
            return;
        }
        let mut new_text: Option<String> = None;
        let mut kept: Option<Normalized> = None;
        for rule in &policy.address_rules {
            // One normal form for every rule, until a redaction changes the text.
            let p = Prepared::with(new_text.as_deref().unwrap_or(s), kept.take());
            let (redaction, hit) = match rule.action {
                PatternAction::Redact if !is_pattern => (
                    rule.internal
                        .redact_prepared(&p, host, crate::policy::sanitise::INTERNAL_REPLACEMENT),
                    None,
                ),
                _ => (None, rule.internal.first_prepared(&p, host).map(str::to_string)),
            };
            let normal = p.into_normal();
            if let Some(hit) = hit {
                stop = Some((pointer_of(segs), rule.id.clone(), hit));
                return;
            }
            match redaction {
                Some((text, n)) => {
                    // The normal form was the old text's: it goes.
                    new_text = Some(text);
                    redacted.push((pointer_of(segs), rule.id.clone(), n));
                }
                None => kept = normal,
            }
        }
        match new_text {
            Some(text) => *s = Cow::Owned(text),
            None => {
                if !is_pattern {
                    clean.address_found_clean(s, host);
                }
                if let Some(n) = kept {
                    normals.keep(slot, n);
                }
            }
        }
    };
    let mut segs = Vec::with_capacity(8);
    for (k, v) in o.json.iter_mut() {
        segs.clear();
        segs.push(Seg::Key(k));
        visit(v, &mut segs, &mut f);
    }
    if let Some((pointer, id, hit)) = stop {
        let detail = format!("`{hit}` is inside an internal range or domain");
        return Some(Outcome::Drop(decision(o, &pointer, id, UnitVerdict::Drop, detail)));
    }
    for (pointer, id, n) in redacted {
        let detail = format!("{n} internal address(es) or domain(s) replaced");
        decisions.push(decision(o, &pointer, id, UnitVerdict::Redact, detail));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Dirty words and redaction
// ---------------------------------------------------------------------------------------------

/// One step of the place of a string in an object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'k> {
    Key(&'k str),
    Index(usize),
}

/// Whether the string `value` at `segs` in an object of type `type_name` is of an exempt kind:
/// an identifier, a timestamp, a hash, a closed enumeration (matched exactly by the grammar),
/// binary or hexadecimal content (a hash or hex only when its digits write no text:
/// [`crate::text::encoded`]), a granular marking's ref and selectors. Every
/// other string that crosses is scanned, at any depth (docs/policy.md §3.11).
pub(crate) fn exempt(type_name: &str, segs: &[Seg<'_>], value: &str) -> bool {
    let Some(Seg::Key(top)) = segs.first() else {
        return false;
    };
    if matches!(*top, "type" | "id") {
        return true;
    }
    let ty = types::lookup(type_name)
        .and_then(|def| types::common(def).iter().chain(def.props).find(|p| p.name == *top))
        .map(|p| p.ty);
    use types::Ty;
    match ty {
        Some(
            Ty::Id(_)
            | Ty::IdList(_)
            | Ty::Timestamp
            | Ty::TimestampMillis
            | Ty::Enum(_)
            | Ty::EnumList(_)
            | Ty::Binary
            | Ty::Boolean
            | Ty::Integer(..)
            | Ty::Float(..),
        ) => return true,
        // Hexadecimal content, unless its digits write text.
        Some(Ty::Hex) => return !crate::text::encoded::may_hold(value),
        Some(Ty::GranularMarkings) => {
            if matches!(segs.get(2), Some(Seg::Key("marking_ref" | "selectors"))) {
                return true;
            }
        }
        _ => {}
    }
    // Hashes, at the top or nested, when they are hexadecimal digits that write no text: a
    // custom hash name, an SSDEEP or a TLSH value may hold anything, and is read as text.
    let last_key = segs.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(*k),
        Seg::Index(_) => None,
    });
    let in_hashes = matches!(ty, Some(Ty::Hashes)) || segs.iter().any(|s| matches!(s, Seg::Key("hashes")));
    if in_hashes
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_hexdigit())
        && !crate::text::encoded::may_hold(value)
    {
        return true;
    }
    if last_key.is_some_and(|k| k.ends_with("_ref") || k.ends_with("_refs"))
        && crate::format::stix::grammar::whole_identifier(value).is_ok()
    {
        return true;
    }
    false
}

/// Whether `rule` looks at the string found at `segs` in an object of type `type_name`, once the
/// string is known not to be [`exempt`]: rules without `paths` look at every string; `paths`
/// narrow that, `except` paths exempt.
fn selects_path(rule: &TextRule, type_name: &str, segs: &[Seg<'_>]) -> bool {
    if rule
        .except
        .iter()
        .any(|p| p.applies_to(type_name) && path_matches(&p.steps, segs))
    {
        return false;
    }
    match &rule.paths {
        None => true,
        Some(paths) => paths
            .iter()
            .any(|p| p.applies_to(type_name) && path_matches(&p.steps, segs)),
    }
}

/// `steps` select `segs`; a path ending at a list of strings selects its elements; `**` stands
/// for any number of steps (matched by a table over steps × segments: linear in each). The
/// table's row is a bit set in one word when the place is less than 128 steps deep (always,
/// under the depth limits), so matching allocates nothing; deeper, a vector.
fn path_matches(steps: &[PathStep], segs: &[Seg<'_>]) -> bool {
    if segs.len() < 128 {
        path_matches_bits(steps, segs)
    } else {
        path_matches_table(steps, segs)
    }
}

fn step_selects(step: &PathStep, seg: &Seg<'_>) -> bool {
    match (step, seg) {
        (PathStep::Property(p), Seg::Key(k)) => p == k,
        (PathStep::Each, Seg::Index(_)) => true,
        _ => false,
    }
}

/// [`path_matches_table`] with each row in a `u128`: bit `j` is `reach[j]` (`segs.len() < 128`).
fn path_matches_bits(steps: &[PathStep], segs: &[Seg<'_>]) -> bool {
    let n = segs.len();
    let all: u128 = if n >= 127 { u128::MAX } else { (1u128 << (n + 1)) - 1 };
    let mut reach: u128 = 1;
    for step in steps {
        let next = if matches!(step, PathStep::AnyDepth) {
            // Every position at or after the lowest one reached.
            if reach == 0 {
                0
            } else {
                all & !((1u128 << reach.trailing_zeros()) - 1)
            }
        } else {
            let mut next = 0u128;
            for (j, seg) in segs.iter().enumerate() {
                if (reach >> j) & 1 == 1 && step_selects(step, seg) {
                    next |= 1u128 << (j + 1);
                }
            }
            next
        };
        reach = next;
        if reach == 0 {
            return false;
        }
    }
    let exact = (reach >> n) & 1 == 1;
    let list_element = matches!(segs.last(), Some(Seg::Index(_))) && n >= 1 && (reach >> (n - 1)) & 1 == 1;
    exact || list_element
}

/// The reference: `reach[j]` says the steps so far can select exactly the first `j` segments.
fn path_matches_table(steps: &[PathStep], segs: &[Seg<'_>]) -> bool {
    let mut reach = vec![false; segs.len() + 1];
    if let Some(r) = reach.first_mut() {
        *r = true;
    }
    for step in steps {
        let mut next = vec![false; segs.len() + 1];
        if matches!(step, PathStep::AnyDepth) {
            let mut any = false;
            for (j, r) in reach.iter().enumerate() {
                any |= *r;
                if let Some(n) = next.get_mut(j) {
                    *n = any;
                }
            }
        } else {
            for (j, seg) in segs.iter().enumerate() {
                if reach.get(j) == Some(&true)
                    && step_selects(step, seg)
                    && let Some(n) = next.get_mut(j + 1)
                {
                    *n = true;
                }
            }
        }
        reach = next;
    }
    let exact = reach.last() == Some(&true);
    let list_element = matches!(segs.last(), Some(Seg::Index(_)))
        && segs.len().checked_sub(1).and_then(|k| reach.get(k)) == Some(&true);
    exact || list_element
}

/// Whether `path` selects the string at the JSON `pointer` of an object of type `object_type`
/// (for `policy coverage`: which paths ever selected a string that a rule acted on).
pub fn path_selects(path: &TextPath, object_type: &str, pointer: &str) -> bool {
    let keys: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
        .collect();
    let segs: Vec<Seg<'_>> = keys
        .iter()
        .map(|k| match k.parse::<usize>() {
            Ok(n) => Seg::Index(n),
            Err(_) => Seg::Key(k),
        })
        .collect();
    path.applies_to(object_type) && path_matches(&path.steps, &segs)
}

fn pointer_of(segs: &[Seg<'_>]) -> String {
    segs.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{k}"),
            Seg::Index(n) => format!("/{n}"),
        })
        .collect()
}

/// Call `f` on every string of `v`, with where it is.
fn visit<'k>(v: &'k mut Value<'_>, segs: &mut Vec<Seg<'k>>, f: &mut dyn FnMut(&[Seg<'_>], &mut Cow<'_, str>)) {
    match v {
        Value::String(s) => f(segs, s),
        Value::Array(a) => {
            for (n, e) in a.iter_mut().enumerate() {
                segs.push(Seg::Index(n));
                visit(e, segs, f);
                segs.pop();
            }
        }
        Value::Object(o) => {
            for (k, e) in o.iter_mut() {
                segs.push(Seg::Key(k));
                visit(e, segs, f);
                segs.pop();
            }
        }
        _ => {}
    }
}

/// Apply every text rule to the object's strings, and read the markings written in them
/// ([`crate::release::marking_text::marking_in_text`], under the object's `label`): each string is normalised once and every
/// rule that selects it runs on that; a marking that may not go and dirty words that drop or
/// reject stop at the first hit, and the redactions of all rules are applied together (where two
/// overlap, the earlier rule's wins).
///
/// `normals`: the normal forms [`address_text`] kept (the same visit).
fn text_rules(
    o: &mut StixObject<'_>,
    label: Option<&Label>,
    policy: &Policy,
    decisions: &mut Decisions,
    normals: Normals,
    clean: &mut Clean,
    prior: &[Clean],
) -> Option<Outcome> {
    let all: &TextRules = &policy.text_rules;
    let rules = all.rules.as_slice();
    let id = o.id.clone();
    let mut marked: Option<(String, &'static str, String)> = None; // pointer, rule, why
    let type_name = o.type_name.clone();
    let mut stop: Option<(usize, String, DirtyAction)> = None;
    let mut redacted: Vec<(String, usize, usize)> = Vec::new(); // pointer, rule index, replacements
    // MATCHES and LIKE operands read as text with their escapes and wildcards gone: `\(202\)`
    // is the number a reader sees; binary and hex constants as the text they hold.
    let operands: Vec<String> = o
        .pattern
        .iter()
        .flat_map(|p| p.comparisons())
        .flat_map(|c| match &c.op {
            pattern::Operator::Matches(re) => vec![re.replace('\\', "")],
            // Wildcards as gaps; and between its outer wildcards as text, whose escapes are
            // read too (`%202%2D555%2D0143%`).
            pattern::Operator::Like(l) => std::iter::once(l.replace(['%', '_'], " "))
                .chain(crate::text::operand::like_inner(l).map(str::to_string))
                .collect(),
            _ => c.binary_texts(),
        })
        .collect();
    let mut visited = 0usize;
    let mut normals = normals.kept.into_iter().peekable();
    let label_at = clean.label(label);
    let prior_at = Clean::under(prior, label);
    let mut f = |segs: &[Seg<'_>], s: &mut Cow<'_, str>| {
        let normal = normals.next_if(|(slot, _)| *slot == visited).map(|(_, n)| n);
        visited = visited.saturating_add(1);
        if stop.is_some() || marked.is_some() {
            return;
        }
        if matches!(segs, [Seg::Key("pattern")]) && !all.is_empty() {
            for op in &operands {
                let hit = match all.apply(op, |rule| selects_path(rule, &type_name, segs)) {
                    Applied::Clean => None,
                    Applied::Stop { rule, action } => Some((rule, action)),
                    Applied::Redacted { counts, .. } => Some((counts.first().map_or(0, |c| c.0), DirtyAction::Drop)),
                };
                if let Some((rule, action)) = hit {
                    stop = Some((rule, pointer_of(segs), action));
                    return;
                }
            }
        }
        if exempt(&type_name, segs, s) {
            return;
        }
        // A definition's own statement and name are read as the marking they are, by every
        // object that refers to it.
        let own_marking =
            type_name == "marking-definition" && matches!(segs.first(), Some(Seg::Key("definition" | "name")));
        let place = label_at
            .filter(|_| !matches!(segs, [Seg::Key("pattern")]))
            .and_then(|l| {
                Some((
                    l,
                    Clean::selection(rules, |rule| selects_path(rule, &type_name, segs))?,
                    own_marking,
                ))
            });
        if place.is_some_and(|p| clean.text_known(s, p, &prior_at)) {
            return;
        }
        let applied = {
            let prepared = Prepared::with(s, normal);
            // Text a screen shows that no rule reads (a `data:` URI of compressed bytes, CSS
            // generated content) is held, however clean the rest reads.
            if let Some(why) = (!own_marking).then(|| prepared.unread()).flatten() {
                marked = Some((pointer_of(segs), "text-unreadable", why));
                return;
            }
            if let Some(why) = (!own_marking)
                .then(|| crate::release::marking_text::marking_in_text(&prepared, label, policy, &id))
                .flatten()
            {
                marked = Some((pointer_of(segs), "marking-in-text", why));
                return;
            }
            if all.is_empty() {
                Applied::Clean
            } else {
                all.apply_prepared(&prepared, |rule| selects_path(rule, &type_name, segs))
            }
        };
        match applied {
            Applied::Clean => {
                if let Some(p) = place {
                    clean.text_found_clean(s, p);
                }
            }
            Applied::Stop { rule, action } => stop = Some((rule, pointer_of(segs), action)),
            // A pattern cannot be redacted as text (its grammar would break): the unit goes.
            Applied::Redacted { counts, .. } if matches!(segs, [Seg::Key("pattern")]) => {
                stop = Some((counts.first().map_or(0, |c| c.0), pointer_of(segs), DirtyAction::Drop));
            }
            Applied::Redacted { text, counts } => {
                *s = Cow::Owned(text);
                let pointer = pointer_of(segs);
                redacted.extend(counts.into_iter().map(|(r, c)| (pointer.clone(), r, c)));
            }
        }
    };
    let mut segs = Vec::with_capacity(8);
    for (k, v) in o.json.iter_mut() {
        segs.clear();
        segs.push(Seg::Key(k));
        visit(v, &mut segs, &mut f);
    }
    if let Some((pointer, rule, why)) = marked {
        return Some(Outcome::Drop(decision(o, &pointer, rule, UnitVerdict::Drop, why)));
    }
    let name = |r: usize| rules.get(r).map_or(String::new(), |x| x.id.clone());
    if let Some((r, pointer, action)) = stop {
        let id = name(r);
        let detail = format!("text matched by `{id}`");
        return Some(match action {
            DirtyAction::Reject => Outcome::Reject(decision(o, &pointer, id, UnitVerdict::Reject, detail)),
            _ => Outcome::Drop(decision(o, &pointer, id, UnitVerdict::Drop, detail)),
        });
    }
    for (pointer, r, c) in redacted {
        decisions.push(decision(
            o,
            &pointer,
            name(r),
            UnitVerdict::Redact,
            format!("{c} replacement(s)"),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Clean, Seg, path_matches, path_matches_bits, path_matches_table};
    use crate::label::{Label, Tlp};
    use crate::policy::sanitise::{PathStep, TextPath};

    /// An earlier reading is asked under its own index of the object's label: a string it found
    /// clean under one label is not taken as clean under another, nor in a place other rules
    /// select, nor as a definition's own statement.
    #[test]
    fn an_earlier_reading_is_asked_under_its_own_index_of_the_label() {
        let amber = Label {
            tlp: Some(Tlp::Amber),
            ..Label::default()
        };
        let mut prior = Clean::default();
        assert_eq!(prior.label(None), Some(0));
        assert_eq!(prior.label(Some(&amber)), Some(1));
        prior.text_found_clean("seen", (1, 0b10, false));
        let mut now = Clean::default();
        let at = now.label(Some(&amber)).unwrap();
        assert_eq!(at, 0);
        let prior = [prior];
        let prior_at = |label: Option<&Label>| Clean::under(&prior, label);
        assert!(now.text_known("seen", (at, 0b10, false), &prior_at(Some(&amber))));
        assert!(!now.text_known("seen", (at, 0b10, false), &prior_at(None)));
        assert!(!now.text_known("seen", (at, 0b11, false), &prior_at(Some(&amber))));
        assert!(!now.text_known("seen", (at, 0b10, true), &prior_at(Some(&amber))));
        assert!(!now.text_known("seen ", (at, 0b10, false), &prior_at(Some(&amber))));
    }

    fn matches(path: &str, segs: &[Seg<'_>]) -> bool {
        path_matches(&TextPath::parse(path).unwrap().steps, segs)
    }

    #[test]
    fn any_depth_reaches_nested_strings_and_nothing_else_changes() {
        let deep = [Seg::Key("external_references"), Seg::Index(2), Seg::Key("description")];
        assert!(matches("*.**", &deep));
        assert!(matches("*.**.description", &deep));
        assert!(matches("*.external_references.**", &deep));
        assert!(matches("*.external_references[*].description", &deep));
        assert!(!matches("*.description", &deep), "a plain path stays at its depth");
        assert!(!matches("*.**.url", &deep));
        let list = [Seg::Key("labels"), Seg::Index(0)];
        assert!(matches("*.labels", &list), "a path to a list selects its elements");
        assert!(matches("*.**.labels", &list));
    }

    const KEYS: [&str; 3] = ["a", "b", "labels"];

    proptest! {
        /// The bit-set matcher (no allocation) and the reference table agree on every path and
        /// place, `**` and `[*]` included, up to the deepest place the bit set takes.
        #[test]
        fn bit_set_path_matching_agrees_with_the_table(
            steps in proptest::collection::vec(0u8..5, 0..8),
            segs in proptest::collection::vec(0u8..4, 0..12),
            deep in 0usize..3,
        ) {
            let steps: Vec<PathStep> = steps
                .iter()
                .map(|&s| match s {
                    3 => PathStep::Each,
                    4 => PathStep::AnyDepth,
                    k => PathStep::Property(KEYS[usize::from(k)].to_string()),
                })
                .collect();
            let mut segs: Vec<Seg<'_>> = segs
                .iter()
                .enumerate()
                .map(|(i, &s)| if s == 3 { Seg::Index(i) } else { Seg::Key(KEYS[usize::from(s)]) })
                .collect();
            // Also places 120 to 127 steps deep, at the edge of the bit set.
            if deep > 0 {
                let pad = 115 + 5 * deep - segs.len().min(115);
                let mut long: Vec<Seg<'_>> = (0..pad).map(|_| Seg::Key("a")).collect();
                long.extend(segs);
                segs = long;
                segs.truncate(127);
            }
            prop_assert_eq!(path_matches_bits(&steps, &segs), path_matches_table(&steps, &segs));
        }
    }
}
