//! The daemon's board: what the pipeline tells the operators' listener (see `crate::telemetry`).
//!
//! The committer posts each batch's audit records here once they are durable, so every count on
//! the board stands for a recorded decision; the reporter posts the queue depth. The board keeps
//! numbers, hashes, rule ids and the last decisions' input ids — never a message's content or
//! its file name.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::audit::{Record, Verdict};
use crate::telemetry::{Exposition, Histogram, Kind, Pages};

use super::{Lane, QuarantineReason, lock};

/// How many decisions the status page lists per channel.
pub const RECENT: usize = 20;
/// At most this many distinct rule ids are counted per channel (the rest are counted under
/// `other`): a policy's rule ids are few, and a label's values must stay bounded.
const MAX_RULES: usize = 1_000;

/// One decision as the status page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub time: String,
    pub input_id: String,
    pub route: String,
    pub verdict: String,
    pub reason: Option<String>,
    pub rules: Vec<String>,
    pub audit_seq: u64,
}

/// A route's policy as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub name: String,
    pub sha256: String,
}

/// Messages and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: u64,
    pub bytes: u64,
}

/// One channel's numbers.
#[derive(Debug, Clone, Default)]
pub struct ChannelState {
    /// (route, verdict, reason; `""` for a release) → messages and bytes.
    pub decisions: BTreeMap<(String, String, String), Tally>,
    /// (route, rule id) → times the rule decided something other than keep.
    pub rule_hits: BTreeMap<(String, String), u64>,
    pub redactions: BTreeMap<String, u64>,
    pub dropped: BTreeMap<String, u64>,
    pub removed: BTreeMap<String, u64>,
    pub verifier_disagreements: BTreeMap<String, u64>,
    pub diode_sent: BTreeMap<String, u64>,
    /// Inputs completed per lane, and their latency from claim to durable record.
    pub urgent: Histogram,
    pub routine: Histogram,
    /// Claimed and not finished (in the lanes, in a worker, or waiting for the committer).
    pub queue_depth: u64,
    /// The last record's sequence number and the chain's head hash.
    pub audit_seq: Option<u64>,
    pub audit_head: String,
    pub recent: VecDeque<Decision>,
    /// What the channel's sandbox is: `landlock fully enforced, seccomp, no_new_privs`, `off`, ….
    pub sandbox: String,
    /// The verifier: `on (sandbox …)` or `off`.
    pub verifier: String,
    pub policies: BTreeMap<String, PolicyVersion>,
}

/// One channel's part of the board.
#[derive(Debug)]
pub struct ChannelBoard {
    pub name: String,
    state: Mutex<ChannelState>,
}

impl ChannelBoard {
    /// The numbers now.
    pub fn snapshot(&self) -> ChannelState {
        lock(&self.state).clone()
    }

    /// Routes known at start, so that every (route, verdict, reason) is exported from zero.
    pub(super) fn start(
        &self,
        routes: &[(String, PolicyVersion)],
        sandbox: String,
        verifier: String,
        audit_head: &str,
        next_seq: u64,
    ) {
        let mut guard = lock(&self.state);
        let s = &mut *guard;
        for (route, policy) in routes {
            s.decisions
                .entry((route.clone(), "released".into(), String::new()))
                .or_default();
            for r in QuarantineReason::all() {
                s.decisions
                    .entry((route.clone(), "quarantined".into(), r.as_str().into()))
                    .or_default();
            }
            for m in [
                &mut s.redactions,
                &mut s.dropped,
                &mut s.removed,
                &mut s.verifier_disagreements,
            ] {
                m.entry(route.clone()).or_default();
            }
            s.policies.insert(route.clone(), policy.clone());
        }
        s.sandbox = sandbox;
        s.verifier = verifier;
        s.audit_head = audit_head.to_string();
        s.audit_seq = next_seq.checked_sub(1);
    }

    /// A reload switched a route's policy.
    pub(super) fn set_policy(&self, route: &str, policy: PolicyVersion) {
        lock(&self.state).policies.insert(route.to_string(), policy);
    }

    pub(super) fn set_queue_depth(&self, n: usize) {
        lock(&self.state).queue_depth = n as u64;
    }

    /// An input's records are durable (appended and synced).
    pub(super) fn record(&self, lane: Lane, latency: Duration, records: &[Record]) {
        let mut guard = lock(&self.state);
        let s = &mut *guard;
        match lane {
            Lane::Urgent => s.urgent.observe(latency),
            Lane::Routine => s.routine.observe(latency),
        }
        for r in records {
            let (verdict, reason) = match r.verdict {
                Verdict::Released => ("released", String::new()),
                Verdict::Quarantined => ("quarantined", r.reason.clone().unwrap_or_default()),
                Verdict::Retried => ("retried", r.reason.clone().unwrap_or_default()),
            };
            let t = s
                .decisions
                .entry((r.route.clone(), verdict.into(), reason.clone()))
                .or_default();
            t.messages = t.messages.saturating_add(1);
            t.bytes = t.bytes.saturating_add(r.input_bytes);
            for rule in &r.rules {
                let rules = s.rule_hits.len();
                let key = (r.route.clone(), rule.clone());
                let key = if rules >= MAX_RULES && !s.rule_hits.contains_key(&key) {
                    (r.route.clone(), "other".to_string())
                } else {
                    key
                };
                *s.rule_hits.entry(key).or_default() += 1;
            }
            add(&mut s.redactions, &r.route, r.redactions as u64);
            add(&mut s.dropped, &r.route, r.dropped as u64);
            add(&mut s.removed, &r.route, r.removed as u64);
            if reason == QuarantineReason::VerifierDisagrees.as_str() {
                add(&mut s.verifier_disagreements, &r.route, 1);
            }
            if r.diode_seq.is_some() {
                add(&mut s.diode_sent, &r.route, 1);
            }
            s.audit_seq = Some(r.seq);
            if s.recent.len() >= RECENT {
                s.recent.pop_back();
            }
            s.recent.push_front(Decision {
                time: r.time.clone(),
                input_id: r.input_id.clone(),
                route: r.route.clone(),
                verdict: verdict.into(),
                reason: r.reason.clone(),
                rules: r.rules.clone(),
                audit_seq: r.seq,
            });
        }
    }

    /// The chain's head after a batch (the hash of the last record).
    pub(super) fn set_audit_head(&self, head: &str) {
        lock(&self.state).audit_head = head.to_string();
    }
}

fn add(m: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    let v = m.entry(key.to_string()).or_default();
    *v = v.saturating_add(n);
}

/// The whole daemon's board.
#[derive(Debug)]
pub struct Board {
    /// sha-256 of the configuration file.
    pub config_sha256: String,
    /// Unix seconds.
    pub started: f64,
    /// The listener's own sandbox, and the main thread's.
    pub listener_sandbox: Mutex<String>,
    pub main_sandbox: Mutex<String>,
    channels: Mutex<Vec<Arc<ChannelBoard>>>,
}

impl Board {
    pub fn new(config_sha256: &str) -> Board {
        Board {
            config_sha256: config_sha256.to_string(),
            started: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            listener_sandbox: Mutex::new("starting".into()),
            main_sandbox: Mutex::new("starting".into()),
            channels: Mutex::new(Vec::new()),
        }
    }

    /// The part of the board for channel `name` (made on first use).
    pub fn channel(&self, name: &str) -> Arc<ChannelBoard> {
        let mut channels = lock(&self.channels);
        if let Some(c) = channels.iter().find(|c| c.name == name) {
            return Arc::clone(c);
        }
        let c = Arc::new(ChannelBoard {
            name: name.to_string(),
            state: Mutex::new(ChannelState::default()),
        });
        channels.push(Arc::clone(&c));
        c
    }

    /// Every channel's numbers, in the configuration's order.
    pub fn snapshot(&self) -> Vec<(String, ChannelState)> {
        lock(&self.channels)
            .iter()
            .map(|c| (c.name.clone(), c.snapshot()))
            .collect()
    }
}

/// Each route's policy name and version.
pub(super) fn policy_versions(live: &super::Live) -> Vec<(String, PolicyVersion)> {
    live.routes
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                PolicyVersion {
                    name: r.policy.name.clone(),
                    sha256: r.policy.sha256.clone(),
                },
            )
        })
        .collect()
}

/// What a confinement came to, in words.
pub fn describe_confinement(r: &Result<Option<crate::sandbox::Confinement>, String>) -> String {
    match r {
        Ok(Some(c)) => format!(
            "landlock {}, seccomp {}, no_new_privs {}{}",
            c.landlock,
            if c.seccomp { "on" } else { "off" },
            if c.no_new_privs { "on" } else { "off" },
            if c.complete() { "" } else { " (DEGRADED)" }
        ),
        Ok(None) => "off (unconfined)".into(),
        Err(e) => format!("failed: {e}"),
    }
}

impl Pages for Board {
    fn metrics(&self) -> String {
        render_metrics(self)
    }
    fn status(&self) -> Option<String> {
        Some(super::status::render(self))
    }
    fn confined(&self, state: &Result<Option<crate::sandbox::Confinement>, String>) {
        *lock(&self.listener_sandbox) = describe_confinement(state);
    }
}

/// The Prometheus text for the whole board.
pub fn render_metrics(board: &Board) -> String {
    let channels = board.snapshot();
    let mut e = Exposition::default();
    e.family(
        "sekisho_messages_total",
        Kind::Counter,
        "Decisions recorded in the audit log, per channel, route, verdict and quarantine reason.",
    );
    for (ch, s) in &channels {
        for ((route, verdict, reason), t) in &s.decisions {
            e.sample(
                "sekisho_messages_total",
                &[
                    ("channel", ch),
                    ("route", route),
                    ("verdict", verdict),
                    ("reason", reason),
                ],
                t.messages,
            );
        }
    }
    e.family(
        "sekisho_message_bytes_total",
        Kind::Counter,
        "Input bytes of the decisions recorded, per channel, route, verdict and quarantine reason.",
    );
    for (ch, s) in &channels {
        for ((route, verdict, reason), t) in &s.decisions {
            e.sample(
                "sekisho_message_bytes_total",
                &[
                    ("channel", ch),
                    ("route", route),
                    ("verdict", verdict),
                    ("reason", reason),
                ],
                t.bytes,
            );
        }
    }
    e.family(
        "sekisho_rule_hits_total",
        Kind::Counter,
        "Times a rule dropped, removed, redacted or rejected something, per rule id.",
    );
    for (ch, s) in &channels {
        for ((route, rule), n) in &s.rule_hits {
            e.sample(
                "sekisho_rule_hits_total",
                &[("channel", ch), ("route", route), ("rule", rule)],
                n,
            );
        }
    }
    type PerRoute = fn(&ChannelState) -> &BTreeMap<String, u64>;
    let per_route: [(&str, &str, PerRoute); 5] = [
        ("sekisho_redactions_total", "Texts redacted by sanitisers.", |s| {
            &s.redactions
        }),
        (
            "sekisho_objects_dropped_total",
            "Objects (units) dropped by the policy.",
            |s| &s.dropped,
        ),
        (
            "sekisho_properties_removed_total",
            "Properties removed by the policy.",
            |s| &s.removed,
        ),
        (
            "sekisho_verifier_disagreements_total",
            "Outputs the guard released and the second verifier did not pass.",
            |s| &s.verifier_disagreements,
        ),
        (
            "sekisho_diode_messages_sent_total",
            "Released messages sent over a route's one-way diode.",
            |s| &s.diode_sent,
        ),
    ];
    for (name, help, get) in per_route {
        e.family(name, Kind::Counter, help);
        for (ch, s) in &channels {
            for (route, n) in get(s) {
                e.sample(name, &[("channel", ch), ("route", route)], n);
            }
        }
    }
    e.family(
        "sekisho_latency_seconds",
        Kind::Histogram,
        "Time from an input's claim to its audit records being durable, per lane.",
    );
    for (ch, s) in &channels {
        e.histogram(
            "sekisho_latency_seconds",
            &[("channel", ch), ("lane", "urgent")],
            &s.urgent,
        );
        e.histogram(
            "sekisho_latency_seconds",
            &[("channel", ch), ("lane", "routine")],
            &s.routine,
        );
    }
    e.family(
        "sekisho_queue_depth",
        Kind::Gauge,
        "Inputs claimed and not yet finished (queued, being decided, or waiting for the commit).",
    );
    for (ch, s) in &channels {
        e.sample("sekisho_queue_depth", &[("channel", ch)], s.queue_depth);
    }
    e.family(
        "sekisho_audit_head_sequence",
        Kind::Gauge,
        "Sequence number of the last record in the channel's audit log (-1: empty).",
    );
    for (ch, s) in &channels {
        let seq = s.audit_seq.map_or(-1, i128::from);
        e.sample("sekisho_audit_head_sequence", &[("channel", ch)], seq);
    }
    e.family(
        "sekisho_policy_info",
        Kind::Gauge,
        "The policy in force on each route, by name and SHA-256 (always 1).",
    );
    for (ch, s) in &channels {
        for (route, p) in &s.policies {
            e.sample(
                "sekisho_policy_info",
                &[
                    ("channel", ch),
                    ("route", route),
                    ("policy", &p.name),
                    ("sha256", &p.sha256),
                ],
                1,
            );
        }
    }
    e.family(
        "sekisho_sandbox_degraded",
        Kind::Gauge,
        "1 when the channel's threads run less confined than Landlock + seccomp + no_new_privs.",
    );
    for (ch, s) in &channels {
        let degraded = !s.sandbox.starts_with("landlock fully enforced") || s.sandbox.contains("DEGRADED");
        e.sample("sekisho_sandbox_degraded", &[("channel", ch)], u8::from(degraded));
    }
    e.family(
        "sekisho_start_time_seconds",
        Kind::Gauge,
        "When the daemon started, in seconds since the Unix epoch.",
    );
    e.sample("sekisho_start_time_seconds", &[], format!("{:.3}", board.started));
    e.family(
        "sekisho_config_info",
        Kind::Gauge,
        "The configuration file in force, by SHA-256 (always 1).",
    );
    e.sample("sekisho_config_info", &[("sha256", &board.config_sha256)], 1);
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(route: &str, verdict: Verdict, reason: Option<&str>, seq: u64) -> Record {
        Record {
            seq,
            time: "2026-12-05T05:00:00Z".into(),
            route: route.into(),
            input: "SECRET-NAME.json".into(),
            input_id: format!("1-{seq}-3"),
            input_bytes: 10,
            verdict,
            reason: reason.map(str::to_string),
            rules: vec!["drop-pii".into()],
            redactions: 2,
            ..Record::default()
        }
    }

    #[test]
    fn counts_decisions_per_route_verdict_and_reason_from_zero() {
        let board = Board::new("abc");
        let c = board.channel("c1");
        let policy = PolicyVersion {
            name: "p".into(),
            sha256: "00".into(),
        };
        c.start(
            &[("r1".into(), policy)],
            "off (unconfined)".into(),
            "off".into(),
            "genesis",
            0,
        );
        c.record(
            Lane::Routine,
            Duration::from_millis(4),
            &[
                record("r1", Verdict::Released, None, 0),
                record("r1", Verdict::Quarantined, Some("verifier-disagrees"), 1),
            ],
        );
        let text = render_metrics(&board);
        assert!(
            text.contains(r#"sekisho_messages_total{channel="c1",route="r1",verdict="released",reason=""} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"verdict="quarantined",reason="verifier-disagrees"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"verdict="quarantined",reason="parse-error"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sekisho_rule_hits_total{channel="c1",route="r1",rule="drop-pii"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sekisho_redactions_total{channel="c1",route="r1"} 4"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sekisho_verifier_disagreements_total{channel="c1",route="r1"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sekisho_audit_head_sequence{channel="c1"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sekisho_latency_seconds_count{channel="c1",lane="routine"} 1"#),
            "{text}"
        );
        // Never a file name or content.
        assert!(!text.contains("SECRET-NAME"), "{text}");
        let snap = c.snapshot();
        assert_eq!(snap.recent.front().map(|d| d.audit_seq), Some(1));
    }
}
