//! Releasing a STIX bundle under a policy: the label of every unit, the decision on it, and the
//! rebuilt bundle with what dropping broke repaired.
//!
//! Units are objects and, through granular markings, properties and list elements. An object's
//! label comes from its `object_marking_refs`: TLP 1.0 and 2.0 by their reserved ids (whether or
//! not the definition is in the bundle), statement markings whose statement is a banner, and the
//! ACS 3.0 marking extension. A property's label is the object's combined with its granular one.
//!
//! After deciding, references are closed to a fixpoint: a relationship or sighting whose required
//! reference was dropped is dropped; lists of references lose dropped ids (and an object whose
//! required list becomes empty is dropped); optional references to dropped objects are removed;
//! identities, marking and extension definitions pass only when a released object refers to them.

use std::collections::{HashMap, HashSet};

use crate::format::json::{Object, Value};
use crate::format::stix::{
    Bundle, GranularMarking, GranularTarget, ObjectClass, PropertyKind, SelectorStep, StixObject, types,
};
use crate::label::{Classification, Label, Releasability, Source};
use crate::policy::{Mode, Policy, UnknownAction};
use label::{LabelError, Markings, marking_labels, tlp_label};

mod label;

pub use crate::release::decision::{Decisions, UnitDecision, UnitVerdict};

mod sanitise;

pub use sanitise::path_selects;

/// The result of releasing a bundle: [`crate::release::Release`] over the bundle.
pub type Release<'a> = crate::release::outcome::Release<Bundle<'a>>;

/// The state of one object while deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Keep,
    /// Passes only if a released object refers to it.
    Conditional,
    Dropped,
}

/// The strings a release of a bundle read and found clean, by the rules and in the places it read
/// them ([`sanitise::Clean`], one per run of objects decided on its own): the fixpoint check
/// reads again only strings that are not among them.
#[derive(Default)]
pub struct Read(Vec<sanitise::Clean>);

/// Release `bundle` under `policy`.
pub fn release<'a>(bundle: Bundle<'a>, policy: &Policy) -> Release<'a> {
    release_after(bundle, policy, &Read::default()).0
}

/// [`release`], after an earlier release of the same policy read `prior`: a string, byte for
/// byte, that it found clean under the same rules, in a place the same rules select, in an object
/// of the same label, is not read again (the readers are functions of those alone). Returns what
/// this release read too.
pub fn release_after<'a>(bundle: Bundle<'a>, policy: &Policy, prior: &Read) -> (Release<'a>, Read) {
    let mut decisions = Decisions::new();
    let units_in = bundle.objects.len();
    let markings = match marking_labels(&bundle, policy) {
        Ok(m) => m,
        Err(dup) => return (duplicate_definition(bundle, &dup), Read::default()),
    };
    let Bundle { id, mut objects, extra } = bundle;
    for (k, _) in extra.iter() {
        decisions.push(UnitDecision {
            unit: format!("{id}/{k}"),
            label: None,
            rule: "bundle-property".into(),
            verdict: UnitVerdict::Remove,
            detail: "bundle properties carry no marking and are not rebuilt".into(),
        });
    }

    // Of several versions of one id, only the newest goes (decided on the message as it came).
    let older = older_versions(&objects);
    // 1. to 3., each object on its own: on several threads for a large bundle, each with the
    // decisions of its run of objects, merged in order (step by step, object by object) into
    // the message's as if decided here.
    let object_labels = version_labels(&objects, &markings, policy);
    let chunks = policy.parallel.chunks_for(objects.len());
    let Decided {
        mut states,
        labels,
        changed,
        mut reject,
        read,
    } = if chunks <= 1 {
        decide_run(
            &mut objects,
            object_labels,
            &markings,
            policy,
            prior,
            &mut Logs::One(&mut decisions),
        )
    } else {
        let len = crate::parallel::chunk_len(objects.len(), chunks);
        let jobs: Vec<_> = objects
            .chunks_mut(len)
            .zip(crate::parallel::split(object_labels, len))
            .collect();
        let parts = crate::parallel::run(jobs, |(run, labels)| {
            let mut logs = Logs::Parts(Box::new((Decisions::part(), Decisions::part(), Decisions::part())));
            let d = decide_run(run, labels, &markings, policy, prior, &mut logs);
            (d, logs)
        });
        let mut all = Decided::default();
        let mut by_step = (Vec::new(), Vec::new(), Vec::new());
        for (d, logs) in parts {
            all.states.extend(d.states);
            all.labels.extend(d.labels);
            all.changed.extend(d.changed);
            all.reject |= d.reject;
            all.read.extend(d.read);
            if let Logs::Parts(p) = logs {
                let (a, b, c) = *p;
                by_step.0.push(a);
                by_step.1.push(b);
                by_step.2.push(c);
            }
        }
        for part in by_step.0.into_iter().chain(by_step.1).chain(by_step.2) {
            decisions.merge(part);
        }
        all
    };
    // Each object has its state, label and mark (a run that lost objects would leave the ones
    // after it undecided: they are dropped, never kept, below).
    states.resize(objects.len(), State::Dropped);

    for (n, d) in older {
        if let Some(s) = states.get_mut(n) {
            *s = State::Dropped;
        }
        decisions.push(d);
    }

    // Objects that lost or changed text must still be valid (every version of an id that changed,
    // as the decisions name units by id).
    let changed_ids: HashSet<String> = objects
        .iter()
        .zip(&changed)
        .filter(|(_, c)| **c)
        .map(|(o, _)| o.id.clone())
        .collect();
    let invalid: Vec<(usize, UnitDecision)> = objects
        .iter_mut()
        .enumerate()
        .filter(|(n, o)| states.get(*n) != Some(&State::Dropped) && changed_ids.contains(o.id.as_str()))
        .filter_map(|(n, o)| still_valid(o, policy).map(|d| (n, d)))
        .collect();
    for (n, d) in invalid {
        if let Some(s) = states.get_mut(n) {
            *s = State::Dropped;
        }
        decisions.push(d);
    }

    // 4. References, to a fixpoint.
    close_references(&mut objects, &mut states, &labels, policy, &mut decisions);

    // An older version is superseded, not held back: its id goes as its newest version, under
    // the strictest label of all its versions.
    let dropped =
        decisions.count(|rule, v| v == UnitVerdict::Drop && !matches!(rule, "not-referenced" | "older-version"));
    let removed = decisions.count(|_, v| v == UnitVerdict::Remove);
    let redactions = decisions.count(|_, v| v == UnitVerdict::Redact);
    // Stripping what no allowlist names is sanitisation; a removed unit is a unit that may not go.
    let unreleasable_removed = decisions.count(|rule, v| {
        v == UnitVerdict::Remove && !matches!(rule, "property-allowlist" | "extension-allowlist" | "bundle-property")
    }) > 0;
    if policy.mode == Mode::AllOrNothing && (dropped > 0 || unreleasable_removed) {
        reject = true;
    }
    let kept: Vec<StixObject<'a>> = objects
        .into_iter()
        .zip(&states)
        .filter(|(_, s)| **s == State::Keep)
        .map(|(o, _)| o)
        .collect();
    // Definitions alone carry no intelligence: a message whose only survivors are those is empty.
    let substantive = kept.iter().any(|o| !policy.pass_when_referenced.contains(&o.type_name));
    if !substantive && !reject {
        decisions.push(UnitDecision {
            unit: id.clone(),
            label: None,
            rule: "nothing-releasable".into(),
            verdict: UnitVerdict::Reject,
            detail: "no object of this message may go".into(),
        });
        reject = true;
    }
    let units_out = if reject { 0 } else { kept.len() };
    let output = (!reject).then(|| Bundle {
        id,
        objects: kept,
        extra: Object::new(),
    });
    let release = Release {
        output,
        decisions,
        units_in,
        units_out,
        dropped,
        removed,
        redactions,
    };
    (release, Read(read))
}

/// What steps 1 to 3 of [`release`] found for a run of objects, one entry per object.
#[derive(Default)]
struct Decided {
    states: Vec<State>,
    labels: Vec<Option<Label>>,
    /// Whether the object lost or changed text (to be checked again).
    changed: Vec<bool>,
    reject: bool,
    /// What each run read and found clean.
    read: Vec<sanitise::Clean>,
}

/// Where the decisions of steps 1 to 3 go: the message's, in order, when it is decided at once;
/// one part per step for a run of objects decided on a thread of its own.
enum Logs<'d> {
    One(&'d mut Decisions),
    Parts(Box<(Decisions, Decisions, Decisions)>),
}

impl Logs<'_> {
    fn step(&mut self, n: u8) -> &mut Decisions {
        match (self, n) {
            (Logs::One(d), _) => d,
            (Logs::Parts(p), 1) => &mut p.0,
            (Logs::Parts(p), 2) => &mut p.1,
            (Logs::Parts(p), _) => &mut p.2,
        }
    }
}

/// Steps 1 to 3 of [`release`] on a run of objects (`object_labels` theirs, in order): each by
/// its label and type, then the properties under granular markings, then sanitisation. Only
/// the run itself is read or changed: any run of objects can be decided on its own.
fn decide_run(
    objects: &mut [StixObject<'_>],
    object_labels: Vec<Result<Label, LabelError>>,
    markings: &Markings,
    policy: &Policy,
    prior: &Read,
    logs: &mut Logs<'_>,
) -> Decided {
    // 1. Each object by its label and type.
    let mut states = Vec::with_capacity(objects.len());
    let mut labels = Vec::with_capacity(objects.len());
    let mut reject = false;
    let decisions = logs.step(1);
    for (o, label) in objects.iter().zip(object_labels) {
        let (state, label, d) = decide_object(o, label, markings, policy);
        if d.verdict == UnitVerdict::Reject {
            reject = true;
        }
        if d.verdict != UnitVerdict::Keep || state == State::Keep {
            decisions.push(d);
        }
        states.push(state);
        labels.push(label);
    }

    // 2. Properties and list elements under granular markings. An object that lost or changed
    // text (here or in 3) is marked, to be checked again.
    let is_change = |_: &str, v: UnitVerdict| matches!(v, UnitVerdict::Remove | UnitVerdict::Redact);
    let mut changed = vec![false; objects.len()];
    let decisions = logs.step(2);
    for (((o, state), label), changed) in objects.iter_mut().zip(states.iter_mut()).zip(&labels).zip(&mut changed) {
        if *state == State::Dropped {
            continue;
        }
        let before = decisions.count(is_change);
        if let Some(d) = granular(o, label.as_ref(), markings, policy, decisions) {
            *state = State::Dropped;
            decisions.push(d);
        }
        *changed = decisions.count(is_change) > before;
    }

    // 3. Sanitisation of what stays.
    let decisions = logs.step(3);
    let mut clean = sanitise::Clean::default();
    for (((o, state), changed), label) in objects.iter_mut().zip(states.iter_mut()).zip(&mut changed).zip(&labels) {
        if *state == State::Dropped {
            continue;
        }
        let before = decisions.count(is_change);
        let (outcome, removed) = sanitise::sanitise(o, label.as_ref(), policy, decisions, &mut clean, &prior.0);
        if decisions.count(is_change) > before {
            *changed = true;
        }
        if !removed.is_empty() {
            remap_granular_markings(o, &removed);
        }
        match outcome {
            sanitise::Outcome::Keep => {}
            sanitise::Outcome::Drop(d) => {
                *state = State::Dropped;
                decisions.push(d);
            }
            sanitise::Outcome::Reject(d) => {
                *state = State::Dropped;
                reject = true;
                decisions.push(d);
            }
        }
    }
    Decided {
        states,
        labels,
        changed,
        reject,
        read: vec![clean],
    }
}

/// An object changed by removal or redaction must still be valid STIX (a malware family without its
/// name, a location without a place, is not); otherwise it is dropped here rather than failing the
/// verification of the whole message.
fn still_valid(o: &mut StixObject<'_>, policy: &Policy) -> Option<UnitDecision> {
    prune_selectors(o);
    let e = crate::format::stix::recheck(o, &policy.limits).err()?;
    Some(UnitDecision {
        unit: o.id.clone(),
        label: None,
        rule: "invalid-after-sanitisation".into(),
        verdict: UnitVerdict::Drop,
        detail: format!("what may not go leaves the object invalid ({e})"),
    })
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

/// An object's label: every `object_marking_refs` entry combined.
fn object_label(o: &StixObject<'_>, markings: &Markings, policy: &Policy) -> Result<Label, LabelError> {
    let mut label = Label::default();
    let mut sources = Vec::new();
    for id in o.marking_refs() {
        let one = marking_label(id, markings)?;
        absorb(&mut label, &mut sources, &one, policy)?;
    }
    label.sources = sources.into_iter().collect();
    Ok(label)
}

/// `label` combined with `one` in place: what [`Label::combine`] gives, without copying the
/// controls and sources `label` already holds (combining an object's many markings one by one
/// would copy them once per marking: quadratic). `one`'s sources are added to `sources`, which
/// the caller makes `label`'s once all are in.
fn absorb(label: &mut Label, sources: &mut Vec<Source>, one: &Label, policy: &Policy) -> Result<(), LabelError> {
    let head = Label {
        classification: label.classification.take(),
        releasable_to: std::mem::take(&mut label.releasable_to),
        controls: Default::default(),
        tlp: label.tlp,
        sources: Default::default(),
    };
    let c = head
        .combine(one, &policy.schemes)
        .map_err(|e| ("classification-unknown", e.to_string()))?;
    label.classification = c.classification;
    label.releasable_to = c.releasable_to;
    label.tlp = c.tlp;
    label.controls.extend(c.controls);
    sources.extend(c.sources.iter().cloned());
    Ok(())
}

/// Every object's label, the strictest over all versions of its id in the message: an older,
/// less restrictive version never goes where the newest may not.
fn version_labels(objects: &[StixObject<'_>], markings: &Markings, policy: &Policy) -> Vec<Result<Label, LabelError>> {
    let one = |run: &[StixObject<'_>]| -> Vec<Result<Label, LabelError>> {
        run.iter().map(|o| object_label(o, markings, policy)).collect()
    };
    let chunks = policy.parallel.chunks_for(objects.len());
    let mut labels: Vec<Result<Label, LabelError>> = if chunks <= 1 {
        one(objects)
    } else {
        let len = crate::parallel::chunk_len(objects.len(), chunks);
        crate::parallel::run(objects.chunks(len).collect(), one)
            .into_iter()
            .flatten()
            .collect()
    };
    // Each id's later versions merged into its first one in place; only versions of an id that
    // has several are copied back (one label per object, not three, while this runs).
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(objects.len());
    // The sources of each first version that later ones merge into, gathered then made a set.
    let mut sources: HashMap<usize, Vec<Source>> = HashMap::new();
    let mut versions = false;
    for (i, o) in objects.iter().enumerate() {
        let f = *first.entry(o.id.as_str()).or_insert(i);
        if f == i {
            continue;
        }
        versions = true;
        // This version's own label is read once and overwritten below with the merged one.
        let Some(later) = labels.get_mut(i).map(|l| std::mem::replace(l, Ok(Label::default()))) else {
            continue;
        };
        let merged = match (labels.get_mut(f), later) {
            (Some(Ok(a)), Ok(b)) => {
                let gathered = sources.entry(f).or_insert_with(|| a.sources.iter().cloned().collect());
                absorb(a, gathered, &b, policy)
            }
            (Some(Ok(_)), Err(e)) => Err(e),
            // Already an error: the first one stays.
            _ => Ok(()),
        };
        if let (Err(e), Some(slot)) = (merged, labels.get_mut(f)) {
            *slot = Err(e);
        }
    }
    for (f, gathered) in sources {
        if let Some(Ok(l)) = labels.get_mut(f) {
            l.sources = gathered.into_iter().collect();
        }
    }
    if versions {
        for (i, o) in objects.iter().enumerate() {
            let f = first.get(o.id.as_str()).copied().unwrap_or(i);
            if f != i {
                let merged = labels.get(f).cloned();
                if let (Some(m), Some(slot)) = (merged, labels.get_mut(i)) {
                    *slot = m;
                }
            }
        }
    }
    labels
}

/// The objects that do not go because they are not the one newest version of their id, with
/// the decision for each (red team round 3, SA15). Versions of one id (same `id`, STIX 2.1
/// §3.6) each carry their own granular markings, which no other version's text is under: an
/// older version's `description` is not under the newer one's granular TLP:RED. So only the
/// newest version (greatest `modified`, compared as a time) goes, under the strictest label of
/// all (see [`version_labels`]); the same version twice goes once; two different objects that
/// claim to be the newest version (or versions without a `modified` to tell them apart) do not
/// go at all (`version-ambiguous`).
fn older_versions(objects: &[StixObject<'_>]) -> Vec<(usize, UnitDecision)> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(objects.len());
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        let f = *first.entry(o.id.as_str()).or_insert(i);
        if f != i {
            groups.entry(f).or_insert_with(|| vec![f]).push(i);
        }
    }
    let mut out = Vec::new();
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_unstable();
    for group in groups {
        let modified = |i: usize| {
            objects
                .get(i)
                .and_then(|o| o.json.get("modified"))
                .and_then(Value::as_str)
                .and_then(|m| crate::format::stix::grammar::whole_timestamp(m).ok())
        };
        let times: Vec<_> = group.iter().map(|&i| (i, modified(i))).collect();
        let newest = times.iter().filter_map(|(_, t)| t.as_ref()).max();
        let tied: HashSet<usize> = times
            .iter()
            .filter(|(_, t)| t.as_ref() == newest)
            .map(|(i, _)| *i)
            .collect();
        // The tied ones compared as canonical JSON (linear in their size).
        let rendered = |i: usize| {
            let mut out = Vec::new();
            if let Some(o) = objects.get(i) {
                crate::format::json::render_object_into(&o.json, &mut out);
            }
            out
        };
        let mut tied_in_order = group.iter().copied().filter(|i| tied.contains(i));
        let keep = tied_in_order.next().filter(|&one| {
            let one_rendered = rendered(one);
            tied_in_order.all(|r| rendered(r) == one_rendered)
        });
        for &i in &group {
            let Some(o) = objects.get(i) else { continue };
            let (rule, detail) = match keep {
                Some(k) if k == i => continue,
                Some(_) if tied.contains(&i) => (
                    "older-version",
                    "the same version of this id is in the message once before".to_string(),
                ),
                Some(_) => (
                    "older-version",
                    "a newer version of this id is in the message; only the newest goes".to_string(),
                ),
                None => (
                    "version-ambiguous",
                    "several different objects claim to be the newest version of this id".to_string(),
                ),
            };
            out.push((
                i,
                UnitDecision {
                    unit: o.id.clone(),
                    label: None,
                    rule: rule.into(),
                    verdict: UnitVerdict::Drop,
                    detail,
                },
            ));
        }
    }
    out
}

/// Definitions are immutable: two with one id reject the message.
fn duplicate_definition<'a>(bundle: Bundle<'a>, dup: &str) -> Release<'a> {
    let mut r = Release::empty();
    r.units_in = bundle.objects.len();
    r.decisions.push(UnitDecision {
        unit: bundle.id.clone(),
        label: None,
        rule: "duplicate-definition".into(),
        verdict: UnitVerdict::Reject,
        detail: format!("marking-definition `{dup}` is defined twice; definitions never change"),
    });
    r
}

fn marking_label(id: &str, markings: &Markings) -> Result<Label, LabelError> {
    match markings.get(id) {
        Some(r) => r.clone(),
        None if let Some(l) = tlp_label(id) => Ok(l),
        None => Err((
            "unresolved-marking",
            format!("marking `{id}` is neither a reserved TLP id nor defined in the bundle"),
        )),
    }
}

fn decide_object(
    o: &StixObject<'_>,
    label: Result<Label, LabelError>,
    markings: &Markings,
    policy: &Policy,
) -> (State, Option<Label>, UnitDecision) {
    let decision = |label: Option<Label>, rule: &'static str, verdict, detail: String| UnitDecision {
        unit: o.id.clone(),
        label,
        rule: rule.into(),
        verdict,
        detail,
    };
    if o.class == ObjectClass::Unknown && !policy.allowed_types.contains(&o.type_name) {
        let verdict = match policy.unknown_types {
            UnknownAction::Drop => UnitVerdict::Drop,
            UnknownAction::Reject => UnitVerdict::Reject,
        };
        let d = decision(
            None,
            "unknown-type",
            verdict,
            format!("type `{}` is not known to this guard", o.type_name),
        );
        return (State::Dropped, None, d);
    }
    if !policy.allows_type(&o.type_name) {
        let d = decision(
            None,
            "type-not-allowed",
            UnitVerdict::Drop,
            format!("type `{}` is not allowed", o.type_name),
        );
        return (State::Dropped, None, d);
    }
    // A definition that cannot be read (or contradicts its reserved id) does not go either.
    let own = (o.type_name == "marking-definition")
        .then(|| markings.get(&o.id).and_then(|r| r.as_ref().err()))
        .flatten();
    if let Some((rule, detail)) = own {
        return (
            State::Dropped,
            None,
            decision(None, rule, UnitVerdict::Drop, detail.clone()),
        );
    }
    // The markings of an object are not themselves units: a granular marking on them is refused.
    if let Some(s) = o
        .granular_markings
        .iter()
        .flat_map(|gm| &gm.selectors)
        .find(|s| matches!(s.first(), Some(SelectorStep::Property(p)) if matches!(&**p, "object_marking_refs" | "granular_markings")))
    {
        let d = decision(
            None,
            "granular-marking-selector",
            UnitVerdict::Drop,
            format!("a granular marking selects `{}`, the object's own markings", selector_text(s)),
        );
        return (State::Dropped, None, d);
    }
    let label = match label {
        Ok(l) => l,
        Err((rule, detail)) => return (State::Dropped, None, decision(None, rule, UnitVerdict::Drop, detail)),
    };
    let conditional = policy.pass_when_referenced.contains(&o.type_name);
    // Unmarked definitions are judged on what their markings do say, without the TLP rule.
    let d = policy.decide_with(&label, policy.tlp_required && !(conditional && label.tlp.is_none()));
    if !d.released() {
        return (
            State::Dropped,
            Some(label.clone()),
            decision(Some(label), d.rule, UnitVerdict::Drop, d.detail),
        );
    }
    let state = if conditional { State::Conditional } else { State::Keep };
    (
        state,
        Some(label.clone()),
        decision(Some(label), d.rule, UnitVerdict::Keep, d.detail),
    )
}

// ---------------------------------------------------------------------------------------------
// Granular markings
// ---------------------------------------------------------------------------------------------

/// Facts (sources and controls) up to which a label is copied into every decision it concerns.
const SMALL_LABEL: usize = 16;

/// Why a granular marking's selectors are removed: (rule, detail, label when known).
type Withheld = (&'static str, String, Option<Label>);

/// Remove the properties and list elements whose granular label may not go. Returns a decision
/// dropping the object when that removed a required property.
fn granular(
    o: &mut StixObject<'_>,
    object_label: Option<&Label>,
    markings: &Markings,
    policy: &Policy,
    decisions: &mut Decisions,
) -> Option<UnitDecision> {
    if o.granular_markings.is_empty() {
        return None;
    }
    // Read where it is: the label of an object under thousands of markings is large.
    let unmarked = Label::default();
    let base = object_label.unwrap_or(&unmarked);
    // The markings are read from here while the JSON loses what they withhold; the selectors
    // removed are borrowed from them, not copied (a marking may carry a million).
    let gms = std::mem::take(&mut o.granular_markings);
    let mut removed: Vec<&[SelectorStep]> = Vec::new();
    let mut seen: HashSet<&[SelectorStep]> = HashSet::new();
    // The verdict of each marking, worked out once per object however many markings name it.
    let mut verdicts: HashMap<&str, Option<Withheld>> = HashMap::new();
    // The markings whose large label was shown already.
    let mut shown: HashSet<&str> = HashSet::new();
    for gm in &gms {
        let GranularTarget::MarkingRef(m) = &gm.marking else {
            continue;
        };
        let verdict = verdicts.entry(m.as_str()).or_insert_with(|| {
            let verdict = marking_label(m, markings)
                .and_then(|l| {
                    base.combine(&l, &policy.schemes)
                        .map_err(|e| ("classification-unknown", e.to_string()))
                })
                .map(|l| (policy.decide(&l), l));
            match verdict {
                Ok((d, _)) if d.released() => None,
                Ok((d, l)) => Some((d.rule, d.detail, Some(l))),
                Err((rule, detail)) => Some((rule, detail, None)),
            }
        });
        let Some((rule, detail, label)) = verdict else {
            continue;
        };
        // A label of many facts (an object under thousands of markings) is shown once per
        // marking, not copied into the decision of each of its selectors.
        let large = label
            .as_ref()
            .is_some_and(|l| l.sources.len().saturating_add(l.controls.len()) > SMALL_LABEL);
        for s in &gm.selectors {
            if seen.insert(s.as_slice()) {
                if decisions.wants(rule, UnitVerdict::Remove) {
                    let show = !large || shown.insert(m.as_str());
                    let label = if show { label.clone() } else { None };
                    decisions.push(UnitDecision {
                        unit: format!("{}{}", o.id, selector_pointer(s)),
                        label,
                        rule: (*rule).into(),
                        verdict: UnitVerdict::Remove,
                        detail: detail.clone(),
                    });
                } else {
                    decisions.count_only(rule, UnitVerdict::Remove);
                }
                removed.push(s.as_slice());
            }
        }
    }
    drop(seen);
    if removed.is_empty() {
        o.granular_markings = gms;
        return None;
    }
    remove_all(&mut o.json, &removed);
    // Lists emptied by removing elements go too (STIX lists are never empty).
    o.json.retain(|_, v| !matches!(v, Value::Array(a) if a.is_empty()));
    let kept = remapped(&gms, &removed);
    drop(removed);
    drop(gms);
    o.granular_markings = kept;
    write_granular_markings(o);
    prune_selectors(o);
    let def = types::lookup(&o.type_name)?;
    let missing = types::common(def)
        .iter()
        .chain(def.props)
        .find(|p| p.required && !o.json.contains_key(p.name))?;
    Some(UnitDecision {
        unit: o.id.clone(),
        label: object_label.cloned(),
        rule: "required-property-removed".into(),
        verdict: UnitVerdict::Drop,
        detail: format!("required property `{}` may not go", missing.name),
    })
}

trait StepsOrder {
    fn cmp_steps(&self, other: &Self) -> std::cmp::Ordering;
}

impl StepsOrder for [SelectorStep] {
    fn cmp_steps(&self, other: &Self) -> std::cmp::Ordering {
        for (a, b) in self.iter().zip(other) {
            let o = match (a, b) {
                (SelectorStep::Index(x), SelectorStep::Index(y)) => x.cmp(y),
                (SelectorStep::Property(x), SelectorStep::Property(y)) => x.cmp(y),
                (SelectorStep::Index(_), SelectorStep::Property(_)) => std::cmp::Ordering::Less,
                (SelectorStep::Property(_), SelectorStep::Index(_)) => std::cmp::Ordering::Greater,
            };
            if o.is_ne() {
                return o;
            }
        }
        self.len().cmp(&other.len())
    }
}

fn selector_pointer(s: &[SelectorStep]) -> String {
    s.iter()
        .map(|step| match step {
            SelectorStep::Property(p) => format!("/{p}"),
            SelectorStep::Index(n) => format!("/{n}"),
        })
        .collect()
}

fn selector_text(s: &[SelectorStep]) -> String {
    let parts: Vec<String> = s
        .iter()
        .map(|step| match step {
            SelectorStep::Property(p) => p.to_string(),
            SelectorStep::Index(n) => format!("[{n}]"),
        })
        .collect();
    parts.join(".")
}

/// Remove the values `selectors` point at. Deepest first, so that no removal moves a value a
/// later one points at; the removals from one list or object are done in one pass over it, so
/// removing a million list elements is linear, not quadratic.
fn remove_all<S: AsRef<[SelectorStep]>>(json: &mut Object<'_>, selectors: &[S]) {
    let mut order: Vec<&[SelectorStep]> = selectors.iter().map(AsRef::as_ref).collect();
    // Deepest first; the selectors of one parent are then next to each other.
    order.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp_steps(b)));
    let mut rest = order.as_slice();
    while let Some((first, _)) = rest.split_first() {
        let Some((_, parent)) = first.split_last() else {
            rest = rest.get(1..).unwrap_or_default();
            continue;
        };
        let same = rest
            .iter()
            .take_while(|s| s.len() == first.len() && s.starts_with(parent))
            .count()
            .max(1);
        let (group, tail) = rest.split_at_checked(same).unwrap_or((rest, &[]));
        remove_group(json, parent, group);
        rest = tail;
    }
}

/// Remove the children `group` (selectors one step below `parent`) of the value at `parent`.
fn remove_group(json: &mut Object<'_>, parent: &[SelectorStep], group: &[&[SelectorStep]]) {
    let mut names: HashSet<&str> = HashSet::new();
    let mut indices: HashSet<usize> = HashSet::new();
    for s in group {
        match s.last() {
            Some(SelectorStep::Property(p)) => {
                names.insert(p);
            }
            Some(SelectorStep::Index(i)) => {
                indices.insert(*i);
            }
            None => {}
        }
    }
    let target = match parent.split_first() {
        None => {
            json.retain(|k, _| !names.contains(k));
            return;
        }
        Some((SelectorStep::Property(p), below)) => {
            let mut here = json.get_mut(p);
            for step in below {
                here = match (step, here) {
                    (SelectorStep::Property(p), Some(Value::Object(o))) => o.get_mut(p),
                    (SelectorStep::Index(i), Some(Value::Array(a))) => a.get_mut(*i),
                    _ => None,
                };
            }
            here
        }
        Some((SelectorStep::Index(_), _)) => None,
    };
    match target {
        Some(Value::Object(o)) => o.retain(|k, _| !names.contains(k)),
        Some(Value::Array(a)) => {
            let mut n = 0usize;
            a.retain(|_| {
                let keep = !indices.contains(&n);
                n = n.saturating_add(1);
                keep
            });
        }
        _ => {}
    }
}

/// Rewrite the granular markings after `removed` went: selectors at or under a removed value go;
/// selectors into a list after a removed element move down; markings left with no selector go.
/// Linear in the selectors (each looked up by its prefixes, at most the nesting depth).
fn remap_granular_markings(o: &mut StixObject<'_>, removed: &[Vec<SelectorStep>]) {
    let gms = std::mem::take(&mut o.granular_markings);
    o.granular_markings = remapped(&gms, removed);
    drop(gms);
    write_granular_markings(o);
}

/// [`remap_granular_markings`] of the markings `gms`: the markings left.
fn remapped<S: AsRef<[SelectorStep]>>(gms: &[GranularMarking], removed: &[S]) -> Vec<GranularMarking> {
    let gone: HashSet<&[SelectorStep]> = removed.iter().map(AsRef::as_ref).collect();
    // Per list (by the selector of the list), the positions removed from it, sorted.
    let mut positions: HashMap<&[SelectorStep], Vec<usize>> = HashMap::new();
    for r in removed {
        if let Some((SelectorStep::Index(i), list)) = r.as_ref().split_last() {
            positions.entry(list).or_default().push(*i);
        }
    }
    for p in positions.values_mut() {
        p.sort_unstable();
    }
    let remap = |s: &Vec<SelectorStep>| -> Option<Vec<SelectorStep>> {
        if (1..=s.len()).any(|k| s.get(..k).is_some_and(|p| gone.contains(p))) {
            return None;
        }
        let mut out = s.clone();
        for (pos, step) in s.iter().enumerate() {
            let SelectorStep::Index(j) = step else { continue };
            let prefix = s.get(..pos).unwrap_or_default();
            let before = positions.get(prefix).map_or(0, |p| p.partition_point(|i| i < j));
            if let Some(slot) = out.get_mut(pos) {
                *slot = SelectorStep::Index(j.saturating_sub(before));
            }
        }
        Some(out)
    };
    let mut kept = Vec::new();
    for gm in gms {
        let selectors: Vec<Vec<SelectorStep>> = gm.selectors.iter().filter_map(remap).collect();
        if !selectors.is_empty() {
            kept.push(GranularMarking {
                selectors,
                marking: gm.marking.clone(),
            });
        }
    }
    kept
}

/// Selectors that no longer resolve (what they marked was removed) go, and markings left with
/// no selector go with them: a marking on nothing restricts nothing.
fn prune_selectors(o: &mut StixObject<'_>) {
    let before: usize = o.granular_markings.iter().map(|gm| gm.selectors.len()).sum();
    let json = &o.json;
    for gm in &mut o.granular_markings {
        gm.selectors.retain(|s| crate::format::stix::resolve(json, s).is_some());
    }
    o.granular_markings.retain(|gm| !gm.selectors.is_empty());
    let after: usize = o.granular_markings.iter().map(|gm| gm.selectors.len()).sum();
    if after != before {
        write_granular_markings(o);
    }
}

/// The `granular_markings` property, rebuilt from the model.
fn write_granular_markings(o: &mut StixObject<'_>) {
    if o.granular_markings.is_empty() {
        o.json.remove("granular_markings");
        return;
    }
    let list = o
        .granular_markings
        .iter()
        .map(|gm| {
            let mut m = Object::new();
            m.insert(
                "selectors",
                Value::Array(gm.selectors.iter().map(|s| Value::from(selector_text(s))).collect()),
            );
            match &gm.marking {
                GranularTarget::MarkingRef(r) => m.insert("marking_ref", Value::from(r.clone())),
                GranularTarget::Lang(l) => m.insert("lang", Value::from(l.clone())),
            }
            Value::Object(m)
        })
        .collect();
    o.json.insert("granular_markings", Value::Array(list));
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

fn collect_refs(name: &str, v: &Value<'_>, out: &mut Vec<String>) {
    match v {
        Value::String(s) if name.ends_with("_ref") => out.push(s.to_string()),
        Value::Array(a) if name.ends_with("_refs") => {
            out.extend(a.iter().filter_map(Value::as_str).map(str::to_string))
        }
        Value::Object(o) => o.iter().for_each(|(k, v)| collect_refs(k, v, out)),
        Value::Array(a) => a.iter().for_each(|v| collect_refs("", v, out)),
        _ => {}
    }
}

/// Every identifier `o` refers to (its `*_ref`/`*_refs` anywhere, marking refs, granular marking
/// refs, extension-definition keys). Custom properties are opaque: their `_ref`s are never
/// followed, so they pull nothing across (and [`repair`] still removes one that dangles).
/// Visited, not copied; with `custom`, the `_ref`s of custom properties too (all that [`repair`]
/// looks at).
fn visit_references<'o>(o: &'o StixObject<'_>, custom: bool, f: &mut dyn FnMut(&'o str)) {
    for (k, v) in o.json.iter() {
        if custom || o.property_kind(k) != PropertyKind::Custom {
            visit_refs(k, v, f);
        }
    }
    for gm in &o.granular_markings {
        if let GranularTarget::MarkingRef(m) = &gm.marking {
            f(m);
        }
    }
    if let Some(ext) = o.json.get("extensions").and_then(Value::as_object) {
        for (k, _) in ext.iter() {
            if k.starts_with("extension-definition--") {
                f(k);
            }
        }
    }
}

/// [`collect_refs`] as a visit.
fn visit_refs<'o>(name: &str, v: &'o Value<'_>, f: &mut dyn FnMut(&'o str)) {
    match v {
        Value::String(s) if name.ends_with("_ref") => f(s),
        Value::Array(a) if name.ends_with("_refs") => {
            for s in a.iter().filter_map(Value::as_str) {
                f(s);
            }
        }
        Value::Object(o) => o.iter().for_each(|(k, v)| visit_refs(k, v, f)),
        Value::Array(a) => a.iter().for_each(|v| visit_refs("", v, f)),
        _ => {}
    }
}

/// Close the released set under references, to a fixpoint (see the module doc).
///
/// Linear in the references: the objects reachable from what is kept are repaired once, and an
/// object again only when an id it refers to loses its last released object (each id does so at
/// most once). Then what is reachable is worked out once more, for the definitions.
fn close_references(
    objects: &mut [StixObject<'_>],
    states: &mut [State],
    labels: &[Option<Label>],
    policy: &Policy,
    decisions: &mut Decisions,
) {
    // Ids by number, and the objects of each (several versions may share one).
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut by_id: Vec<Vec<usize>> = Vec::new();
    let mut id_of: Vec<usize> = Vec::with_capacity(objects.len());
    for (n, o) in objects.iter().enumerate() {
        let i = *ids.entry(o.id.clone()).or_insert(by_id.len());
        if i == by_id.len() {
            by_id.push(Vec::new());
        }
        if let Some(list) = by_id.get_mut(i) {
            list.push(n);
        }
        id_of.push(i);
    }
    // Who refers to each id.
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); by_id.len()];
    for (n, o) in objects.iter().enumerate() {
        visit_references(o, true, &mut |r| {
            if let Some(list) = ids.get(r).and_then(|&i| referrers.get_mut(i))
                && list.last() != Some(&n)
            {
                list.push(n);
            }
        });
    }
    let active = reachable(objects, states, &ids, &by_id);
    // Released objects per id: an id is live while it has one.
    let mut alive = vec![0usize; by_id.len()];
    for (n, &i) in id_of.iter().enumerate() {
        if active.get(n) == Some(&true)
            && let Some(a) = alive.get_mut(i)
        {
            *a = a.saturating_add(1);
        }
    }
    let mut queue: std::collections::VecDeque<usize> =
        (0..objects.len()).filter(|&n| active.get(n) == Some(&true)).collect();
    let mut queued: Vec<bool> = active.clone();
    while let Some(n) = queue.pop_front() {
        if let Some(q) = queued.get_mut(n) {
            *q = false;
        }
        if states.get(n) == Some(&State::Dropped) {
            continue;
        }
        let Some(o) = objects.get_mut(n) else { continue };
        let dropped = {
            let live = |id: &str| {
                ids.get(id).and_then(|&i| alive.get(i)).is_some_and(|&a| a > 0)
                    || (tlp_label(id).is_some() && !ids.contains_key(id))
            };
            let present = |id: &str| ids.contains_key(id);
            let before = decisions.pushed();
            repair(o, &live, &present, decisions)
                .or_else(|| (decisions.pushed() > before).then(|| still_valid(o, policy)).flatten())
        };
        let Some(d) = dropped else { continue };
        if let Some(s) = states.get_mut(n) {
            *s = State::Dropped;
        }
        decisions.push(d);
        let i = id_of.get(n).copied().unwrap_or(usize::MAX);
        let Some(a) = alive.get_mut(i) else { continue };
        *a = a.saturating_sub(1);
        if *a > 0 {
            continue;
        }
        // The id died: what refers to it is repaired again.
        for &m in referrers.get(i).map(Vec::as_slice).unwrap_or_default() {
            let released = active.get(m) == Some(&true) && states.get(m) != Some(&State::Dropped);
            if released && queued.get(m) == Some(&false) {
                if let Some(q) = queued.get_mut(m) {
                    *q = true;
                }
                queue.push_back(m);
            }
        }
    }
    let active = reachable(objects, states, &ids, &by_id);
    for (((o, s), label), active) in objects.iter().zip(states.iter_mut()).zip(labels).zip(active) {
        if *s == State::Conditional {
            if active {
                *s = State::Keep;
                decisions.push(UnitDecision {
                    unit: o.id.clone(),
                    label: label.clone(),
                    rule: "referenced".into(),
                    verdict: UnitVerdict::Keep,
                    detail: format!("a released object refers to this {}", o.type_name),
                });
            } else {
                *s = State::Dropped;
                decisions.push(UnitDecision {
                    unit: o.id.clone(),
                    label: None,
                    rule: "not-referenced".into(),
                    verdict: UnitVerdict::Drop,
                    detail: format!("no released object refers to this {}", o.type_name),
                });
            }
        }
    }
}

/// The objects kept, and the conditional ones they refer to, directly or through each other.
fn reachable(
    objects: &[StixObject<'_>],
    states: &[State],
    ids: &HashMap<String, usize>,
    by_id: &[Vec<usize>],
) -> Vec<bool> {
    let mut seen: Vec<bool> = states.iter().map(|s| *s == State::Keep).collect();
    let mut queue: Vec<usize> = (0..objects.len()).filter(|&n| seen.get(n) == Some(&true)).collect();
    while let Some(n) = queue.pop() {
        let Some(o) = objects.get(n) else { continue };
        visit_references(o, false, &mut |r| {
            let Some(list) = ids.get(r).and_then(|&i| by_id.get(i)) else {
                return;
            };
            for &m in list {
                if states.get(m) == Some(&State::Conditional) && seen.get(m) == Some(&false) {
                    if let Some(x) = seen.get_mut(m) {
                        *x = true;
                    }
                    queue.push(m);
                }
            }
        });
    }
    seen
}

/// Repair one released object's references to what is not released. Returns a decision to drop
/// it when a required reference is lost.
fn repair(
    o: &mut StixObject<'_>,
    live: &dyn Fn(&str) -> bool,
    present: &dyn Fn(&str) -> bool,
    decisions: &mut Decisions,
) -> Option<UnitDecision> {
    let def = types::lookup(&o.type_name);
    let required = |p: &str| {
        def.is_some_and(|d| {
            types::common(d)
                .iter()
                .chain(d.props)
                .any(|x| x.required && x.name == p)
        })
    };
    let id = o.id.clone();
    let removed = |prop: &str, detail: String, decisions: &mut Decisions| {
        decisions.push(UnitDecision {
            unit: format!("{id}/{prop}"),
            label: None,
            rule: "dangling-reference".into(),
            verdict: UnitVerdict::Remove,
            detail,
        });
    };
    // A marking travels with what it marks: if a marking definition the object (or part of it)
    // refers to may not go, neither may the object.
    let markings = o
        .marking_refs()
        .map(str::to_string)
        .chain(o.granular_markings.iter().filter_map(|gm| match &gm.marking {
            GranularTarget::MarkingRef(m) => Some(m.clone()),
            GranularTarget::Lang(_) => None,
        }));
    for m in markings.collect::<Vec<_>>() {
        if !live(&m) {
            return Some(UnitDecision {
                unit: o.id.clone(),
                label: None,
                rule: "marking-not-released".into(),
                verdict: UnitVerdict::Drop,
                detail: format!("its marking `{m}` may not go, and a marking travels with what it marks"),
            });
        }
    }
    // One pass over the members (a lookup per name would be quadratic in them); what goes is
    // removed after it, in one pass too.
    let mut gone: Vec<String> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut dropped = None;
    for (name, v) in o.json.iter_mut() {
        if name == "object_marking_refs" {
            continue;
        }
        let mut lose = |detail: String, remove: bool| {
            if required(name) && remove {
                return Some(drop_for(&id, name, detail));
            }
            if remove {
                gone.push(name.to_string());
            }
            notes.push((name.to_string(), detail));
            None
        };
        let d = match v {
            Value::String(s) if name.ends_with("_ref") && !live(s) => lose(format!("`{s}` is not released"), true),
            Value::Array(list) if name.ends_with("_refs") => {
                let before = list.len();
                list.retain(|r| r.as_str().is_some_and(live));
                let lost = before.saturating_sub(list.len());
                if lost > 0 {
                    lose(format!("{lost} referenced object(s) not released"), list.is_empty())
                } else {
                    None
                }
            }
            Value::Object(_) | Value::Array(_) if name != "granular_markings" && name != "extensions" => {
                let mut inner = Vec::new();
                collect_refs(name, v, &mut inner);
                match inner.iter().find(|r| !live(r)) {
                    Some(r) => lose(format!("`{r}` inside it is not released"), true),
                    None => None,
                }
            }
            _ => None,
        };
        if d.is_some() {
            dropped = d;
            break;
        }
    }
    if !gone.is_empty() {
        let gone: HashSet<&str> = gone.iter().map(String::as_str).collect();
        o.json.retain(|k, _| !gone.contains(k));
    }
    for (name, detail) in notes {
        removed(&name, detail, decisions);
    }
    if dropped.is_some() {
        return dropped;
    }
    // Extensions are referenced by key: one whose definition is absent from the bundle is the
    // partner's to know (not a dangling reference); one defined in the bundle must be released.
    if let Some(Value::Object(ext)) = o.json.get_mut("extensions") {
        let before = ext.len();
        ext.retain(|k, v| {
            let mut inner = Vec::new();
            collect_refs(k, v, &mut inner);
            (!k.starts_with("extension-definition--") || live(k) || !present(k)) && inner.iter().all(|r| live(r))
        });
        if ext.len() != before {
            if ext.is_empty() {
                o.json.remove("extensions");
            }
            removed(
                "extensions",
                "an extension or a reference in it is not released".into(),
                decisions,
            );
        }
    }
    None
}

fn drop_for(id: &str, prop: &str, detail: String) -> UnitDecision {
    UnitDecision {
        unit: id.to_string(),
        label: None,
        rule: "dangling-required-reference".into(),
        verdict: UnitVerdict::Drop,
        detail: format!("required `{prop}`: {detail}"),
    }
}

/// The classification of a label, for messages.
pub fn describe(label: &Label) -> String {
    let mut parts = Vec::new();
    if let Some(Classification { scheme, level }) = &label.classification {
        parts.push(format!("{scheme}:{level}"));
    }
    match &label.releasable_to {
        Releasability::Unrestricted => {}
        Releasability::Nobody => parts.push("releasable to nobody".into()),
        Releasability::To(set) => {
            let codes: Vec<&str> = set.iter().map(|c| c.as_str()).collect();
            parts.push(format!("REL TO {}", codes.join(", ")));
        }
    }
    parts.extend(label.controls.iter().map(|c| c.to_string()));
    if let Some(t) = label.tlp {
        parts.push(t.as_str().to_string());
    }
    if parts.is_empty() {
        "unmarked".into()
    } else {
        parts.join(" ")
    }
}
