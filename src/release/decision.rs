//! What the guard decided about each unit of a message, whatever its format: the record that
//! `--explain`, rejection reasons and the audit log are made of.

use std::borrow::Cow;

use serde::Serialize;

use crate::label::Label;

/// What happened to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitVerdict {
    /// The unit goes.
    Keep,
    /// The object (or the XML document or element) stays behind.
    Drop,
    /// The property or list element (or XML attribute or namespace declaration) is removed from a unit that goes.
    Remove,
    /// Text in the unit was replaced (a redaction rule or dirty word).
    Redact,
    /// The whole message is rejected because of this unit.
    Reject,
}

/// One decision, for `--explain` and the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct UnitDecision {
    /// Where: a STIX object id with a JSON pointer for a property (`indicator--…/description`),
    /// or an XML element path (`/mb:BindingInformation/mb:Data/alert/info[1]`).
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    pub rule: Cow<'static, str>,
    pub verdict: UnitVerdict,
    pub detail: String,
}

/// How many decisions of one rule and verdict a message keeps: the rest are counted, and shown
/// as one summary line ("and N more"). A message may have a million dropped elements; its
/// reasons and `--explain` show the first thousand of each rule and the count of the rest.
pub const MAX_DECISIONS_PER_RULE: usize = 1000;

/// Bytes of a decision's unit or detail that are kept: a longer one keeps its start and its end
/// around `…` (an element path under a 1 MB name is not copied into every decision below it).
pub const MAX_SHOWN_BYTES: usize = 1024;

/// Bytes (estimated) that the kept decisions of one message may hold in all: past them, decisions
/// are only counted, whatever their rule. Bounds what a message's decisions keep even when each
/// carries a large label (an object under ten thousand markings, with many granular selectors).
pub const MAX_KEPT_BYTES: usize = 16 << 20;

/// The decisions of one message while it is released: every decision is counted (by rule and
/// verdict), the first [`MAX_DECISIONS_PER_RULE`] of each rule and verdict are kept, each cut to
/// [`MAX_SHOWN_BYTES`]. So what the guard stores about a message is bounded whatever its shape.
#[derive(Debug, Default)]
pub struct Decisions {
    list: Vec<UnitDecision>,
    /// Each rule's place in `tallies` (in order of first appearance).
    counts: std::collections::HashMap<String, usize>,
    /// Per rule: how many of each verdict were pushed, and how many of those are kept.
    tallies: Vec<(String, [usize; 5], [usize; 5])>,
    /// The tally looked up last: runs of one rule skip the hash.
    last: usize,
    /// Estimated bytes of the kept decisions.
    kept_bytes: usize,
    pushed: usize,
    /// The decisions of a part of a message ([`Decisions::part`]): no cap on bytes.
    part: bool,
}

fn slot(v: UnitVerdict) -> usize {
    match v {
        UnitVerdict::Keep => 0,
        UnitVerdict::Drop => 1,
        UnitVerdict::Remove => 2,
        UnitVerdict::Redact => 3,
        UnitVerdict::Reject => 4,
    }
}

const VERDICTS: [UnitVerdict; 5] = [
    UnitVerdict::Keep,
    UnitVerdict::Drop,
    UnitVerdict::Remove,
    UnitVerdict::Redact,
    UnitVerdict::Reject,
];

impl Decisions {
    pub fn new() -> Self {
        Self::default()
    }

    /// The decisions of a contiguous part of a message's units, decided apart (on another
    /// thread), to be merged into the message's in order with [`Decisions::merge`].
    ///
    /// It keeps the first [`MAX_DECISIONS_PER_RULE`] of each rule and verdict, whatever their
    /// bytes: a superset of the ones the message's decisions would keep of them (those are a
    /// prefix of each rule and verdict, of at most that many), so that merging gives exactly
    /// what deciding the units in order into the message's would. Bounded still: at most
    /// [`MAX_DECISIONS_PER_RULE`] per rule and verdict, each cut to [`MAX_SHOWN_BYTES`], and
    /// a label in them is one an object of the part holds already.
    pub fn part() -> Self {
        Self {
            part: true,
            ..Self::default()
        }
    }

    /// Add the decisions of `part`, as if each had been pushed here in its order: the same kept
    /// decisions (by this message's caps), counts, and order of rules.
    pub fn merge(&mut self, part: Decisions) {
        // The rules in the order they first appeared in the part (a rule may have been counted
        // before it was kept).
        for (rule, _, _) in &part.tallies {
            self.tally(rule);
        }
        // Whether a decision is kept depends only on what was kept before it, never on what was
        // only counted: the part's kept ones, pushed in order, are kept here as they would have
        // been; the part's only-counted ones would not have been (see `part`).
        for d in part.list {
            self.push(d);
        }
        for (rule, t, k) in &part.tallies {
            let n = self.tally(rule);
            for ((total, kept), s) in t.iter().zip(k).zip(0usize..) {
                let more = total.saturating_sub(*kept);
                if let Some(c) = self.tallies.get_mut(n).and_then(|(_, t, _)| t.get_mut(s)) {
                    *c = c.saturating_add(more);
                }
                self.pushed = self.pushed.saturating_add(more);
            }
        }
    }

    /// The place of `rule` in `tallies`, added when new; the one looked up last.
    fn tally(&mut self, rule: &str) -> usize {
        let n = match self.find(rule) {
            Some(n) => n,
            None => {
                let n = self.tallies.len();
                self.counts.insert(rule.to_string(), n);
                self.tallies.push((rule.to_string(), [0; 5], [0; 5]));
                n
            }
        };
        self.last = n;
        n
    }

    fn find(&self, rule: &str) -> Option<usize> {
        match self.tallies.get(self.last) {
            Some((r, _, _)) if r == rule => Some(self.last),
            _ => self.counts.get(rule).copied(),
        }
    }

    /// How many decisions of `rule` and `verdict` are kept.
    fn kept(&self, rule: &str, verdict: UnitVerdict) -> usize {
        self.find(rule)
            .and_then(|n| self.tallies.get(n))
            .and_then(|(_, _, k)| k.get(slot(verdict)).copied())
            .unwrap_or(0)
    }

    /// Whether a decision of `rule` and `verdict` pushed now would be kept (not only counted):
    /// callers whose unit or detail is costly to make ask first and [`Decisions::count_only`]
    /// otherwise.
    pub fn wants(&self, rule: &str, verdict: UnitVerdict) -> bool {
        let kept = self.kept(rule, verdict);
        // The first of each rule and verdict is kept whatever the bytes, so each is shown once.
        kept < MAX_DECISIONS_PER_RULE && (kept == 0 || self.part || self.kept_bytes < MAX_KEPT_BYTES)
    }

    /// Count a decision without keeping it (see [`Decisions::wants`]).
    pub fn count_only(&mut self, rule: &str, verdict: UnitVerdict) {
        self.pushed = self.pushed.saturating_add(1);
        let n = self.tally(rule);
        if let Some(c) = self.tallies.get_mut(n).and_then(|(_, t, _)| t.get_mut(slot(verdict))) {
            *c = c.saturating_add(1);
        }
    }

    /// Record a decision: counted always, kept while its rule and verdict are under the cap.
    pub fn push(&mut self, mut d: UnitDecision) {
        let keep = self.wants(&d.rule, d.verdict);
        self.count_only(&d.rule, d.verdict);
        if keep {
            let n = self.last;
            if let Some(k) = self.tallies.get_mut(n).and_then(|(_, _, k)| k.get_mut(slot(d.verdict))) {
                *k = k.saturating_add(1);
            }
            shorten(&mut d.unit);
            shorten(&mut d.detail);
            self.kept_bytes = self.kept_bytes.saturating_add(estimate(&d));
            self.list.push(d);
        }
    }

    /// How many decisions were pushed (kept or only counted).
    pub fn pushed(&self) -> usize {
        self.pushed
    }

    /// How many pushed decisions satisfy `f(rule, verdict)`.
    pub fn count(&self, f: impl Fn(&str, UnitVerdict) -> bool) -> usize {
        self.tallies
            .iter()
            .flat_map(|(rule, t, _)| VERDICTS.iter().zip(t).map(move |(v, n)| (rule, *v, *n)))
            .filter(|(rule, v, _)| f(rule, *v))
            .fold(0usize, |acc, (_, _, n)| acc.saturating_add(n))
    }

    /// The kept decisions.
    pub fn iter(&self) -> std::slice::Iter<'_, UnitDecision> {
        self.list.iter()
    }

    /// The kept decisions, then one summary decision per rule and verdict that had more than
    /// were kept: `… rule verdict: and N more not listed`.
    pub fn into_vec(self) -> Vec<UnitDecision> {
        let mut list = self.list;
        for (rule, t, k) in self.tallies {
            for ((v, n), k) in VERDICTS.iter().zip(t).zip(k) {
                let more = n.saturating_sub(k);
                if more > 0 {
                    list.push(UnitDecision {
                        unit: "…".into(),
                        label: None,
                        rule: Cow::Owned(rule.clone()),
                        verdict: *v,
                        detail: format!("and {more} more not listed"),
                    });
                }
            }
        }
        list
    }
}

/// Roughly the bytes a kept decision holds.
fn estimate(d: &UnitDecision) -> usize {
    let label = d.label.as_ref().map_or(0, |l| {
        l.sources
            .len()
            .saturating_add(l.controls.len())
            .saturating_add(4)
            .saturating_mul(64)
    });
    std::mem::size_of::<UnitDecision>()
        .saturating_add(d.unit.len())
        .saturating_add(d.detail.len())
        .saturating_add(label)
}

/// A unit name made of `parts` (a path and a suffix), cut like [`Decisions::push`] cuts one but
/// without first copying the whole: at most [`MAX_SHOWN_BYTES`] are copied however long the
/// parts are.
pub fn shown_unit(parts: &[&str]) -> String {
    let total = parts.iter().fold(0usize, |a, p| a.saturating_add(p.len()));
    if total <= MAX_SHOWN_BYTES {
        return parts.concat();
    }
    let mut head = String::new();
    for p in parts {
        let room = (MAX_SHOWN_BYTES / 2).saturating_sub(head.len());
        let mut end = room.min(p.len());
        while !p.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        head.push_str(p.get(..end).unwrap_or_default());
        if end < p.len() {
            break;
        }
    }
    let mut tail: Vec<&str> = Vec::new();
    let mut room = MAX_SHOWN_BYTES / 2 - 4;
    for p in parts.iter().rev() {
        if room == 0 {
            break;
        }
        let mut start = p.len().saturating_sub(room);
        while !p.is_char_boundary(start) {
            start = start.saturating_add(1);
        }
        let piece = p.get(start..).unwrap_or_default();
        room = room.saturating_sub(piece.len());
        tail.push(piece);
        if start > 0 {
            break;
        }
    }
    tail.reverse();
    format!("{head}…{}", tail.concat())
}

/// Cut `s` to [`MAX_SHOWN_BYTES`]: its start and its end around `…`, on character boundaries.
fn shorten(s: &mut String) {
    if s.len() <= MAX_SHOWN_BYTES {
        return;
    }
    let mut head = MAX_SHOWN_BYTES / 2;
    while !s.is_char_boundary(head) {
        head = head.saturating_sub(1);
    }
    let mut tail = s.len().saturating_sub(MAX_SHOWN_BYTES / 2 - 4);
    while !s.is_char_boundary(tail) {
        tail = tail.saturating_add(1);
    }
    let cut = format!(
        "{}…{}",
        s.get(..head).unwrap_or_default(),
        s.get(tail..).unwrap_or_default()
    );
    *s = cut;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(rule: &'static str, verdict: UnitVerdict, unit: String) -> UnitDecision {
        UnitDecision {
            unit,
            label: None,
            rule: rule.into(),
            verdict,
            detail: String::new(),
        }
    }

    #[test]
    fn keeps_the_first_of_each_rule_and_counts_the_rest() {
        let mut ds = Decisions::new();
        for n in 0..MAX_DECISIONS_PER_RULE + 5 {
            ds.push(d("element-allowlist", UnitVerdict::Drop, format!("/a/b[{n}]")));
        }
        ds.push(d("element-allowlist", UnitVerdict::Reject, "/a/c".into()));
        assert_eq!(ds.pushed(), MAX_DECISIONS_PER_RULE + 6);
        assert_eq!(ds.count(|_, v| v == UnitVerdict::Drop), MAX_DECISIONS_PER_RULE + 5);
        assert!(!ds.wants("element-allowlist", UnitVerdict::Drop));
        assert!(ds.wants("element-allowlist", UnitVerdict::Reject));
        let list = ds.into_vec();
        assert_eq!(list.len(), MAX_DECISIONS_PER_RULE + 2);
        let last = list.last().map(|d| d.detail.as_str());
        assert_eq!(last, Some("and 5 more not listed"));
    }

    #[test]
    fn cuts_long_units_around_an_ellipsis_on_char_boundaries() {
        let mut ds = Decisions::new();
        let long = format!("/{}/tail", "é".repeat(5000));
        ds.push(d("r", UnitVerdict::Remove, long));
        let unit = ds.iter().next().map(|d| d.unit.clone()).unwrap_or_default();
        assert!(unit.len() <= MAX_SHOWN_BYTES + 8, "{}", unit.len());
        assert!(unit.starts_with("/é") && unit.ends_with("/tail") && unit.contains('…'));
        let path = format!("/{}", "a".repeat(1 << 20));
        let shown = shown_unit(&[&path, "/@b"]);
        assert!(
            shown.len() <= MAX_SHOWN_BYTES + 8 && shown.ends_with("aaa/@b"),
            "{}",
            shown.len()
        );
        assert_eq!(shown_unit(&["/a", "/@b"]), "/a/@b");
    }

    /// Decisions of rules `r0`..`r2` and any verdict, some with a label of 20,000 sources (its
    /// estimate ~1.3 MB, so a dozen reach [`MAX_KEPT_BYTES`]; a clone shares the sources).
    fn events(spec: &[(u8, u8, bool)]) -> Vec<UnitDecision> {
        let big = Label {
            sources: (0..20_000u32)
                .map(|n| crate::label::Source {
                    fact: crate::label::Fact::Tlp,
                    by: std::sync::Arc::from(format!("marking-definition--{n}")),
                })
                .collect(),
            ..Label::default()
        };
        spec.iter()
            .enumerate()
            .map(|(n, &(r, v, large))| UnitDecision {
                unit: format!("indicator--{n}"),
                label: large.then(|| big.clone()),
                rule: ["r0", "r1", "r2"][usize::from(r % 3)].into(),
                verdict: VERDICTS[usize::from(v % 5)],
                detail: format!("detail {n}"),
            })
            .collect()
    }

    /// `ds` pushed one by one into one `Decisions`, the way the sequential release does (asking
    /// `wants` first, as costly callers do).
    fn in_order(ds: Vec<UnitDecision>, into: &mut Decisions) {
        for d in ds {
            if into.wants(&d.rule, d.verdict) {
                into.push(d);
            } else {
                into.count_only(&d.rule, d.verdict);
            }
        }
    }

    fn summary(ds: Decisions) -> (usize, usize, Vec<String>) {
        let pushed = ds.pushed();
        let drops = ds.count(|_, v| v == UnitVerdict::Drop);
        let list = ds
            .into_vec()
            .iter()
            .map(|d| {
                format!(
                    "{} {} {:?} {} {}",
                    d.unit,
                    d.rule,
                    d.verdict,
                    d.detail,
                    d.label.is_some()
                )
            })
            .collect();
        (pushed, drops, list)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Decisions cut into parts at any points, each decided into a part of its own and merged
        /// in order, equal the same decisions pushed in order into one: the same kept ones (by
        /// the per-rule cap and the byte cap), counts, summary lines and order.
        #[test]
        fn merged_parts_equal_one_in_order(
            spec in proptest::collection::vec((0u8..3, 0u8..5, proptest::bool::weighted(0.02)), 0..2600),
            cuts in proptest::collection::vec(0usize..2600, 0..6),
            before in 0usize..1200,
        ) {
            // Some decisions pushed before the parts (the bundle's own properties in release).
            let head = events(&spec[..before.min(spec.len())]);
            let tail_spec = &spec[before.min(spec.len())..];
            let mut one = Decisions::new();
            in_order(head.clone(), &mut one);
            in_order(events(tail_spec), &mut one);

            let mut merged = Decisions::new();
            in_order(head, &mut merged);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(tail_spec.len())).collect();
            cuts.push(0);
            cuts.push(tail_spec.len());
            cuts.sort_unstable();
            let mut all = events(tail_spec).into_iter();
            for w in cuts.windows(2) {
                let mut part = Decisions::part();
                in_order(all.by_ref().take(w[1] - w[0]).collect(), &mut part);
                merged.merge(part);
            }
            proptest::prop_assert_eq!(summary(one), summary(merged));
        }
    }

    #[test]
    fn merging_keeps_the_byte_cap_of_the_message() {
        // Each part alone is under no byte cap; merged, the message's applies as in order.
        let spec: Vec<(u8, u8, bool)> = (0..40u8).map(|n| (n % 2, 1, true)).collect();
        let mut one = Decisions::new();
        in_order(events(&spec), &mut one);
        let mut merged = Decisions::new();
        let mut all = events(&spec).into_iter();
        for _ in 0..4 {
            let mut part = Decisions::part();
            in_order(all.by_ref().take(10).collect(), &mut part);
            assert_eq!(part.iter().count(), 10, "a part keeps all of its first ones");
            merged.merge(part);
        }
        let kept = one.iter().count();
        assert!(kept < 40, "the byte cap applies in order ({kept} kept)");
        assert_eq!(summary(one), summary(merged));
    }
}
