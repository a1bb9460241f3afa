//! A set of audit chains, one per guard sharing a JetStream consumer (issue 20): each chain is
//! checked on its own, then the records are counted by message across the set.
//!
//! Why one chain per guard and not one audit stream: a chain is appended and synced by its one
//! writer inside the group commit, before the ack, with no network in the way (an audit stream
//! would put a second round trip, and the stream's availability, between a decision and its
//! ack); and a chain on the guard's own disk needs no trust in the transport to be checked.
//!
//! A message can have records in two chains: guard A made its outcome durable and was killed
//! before its ack reached the server, so guard B decided it again (the output was dropped as a
//! duplicate by the output stream, the quarantine copy replaced under the same name). Such
//! repeats are counted apart; repeats that disagree (different verdict or output) are reported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One chain of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub path: PathBuf,
    pub records: usize,
}

/// What a set of chains says, by message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub chains: Vec<Chain>,
    pub records: usize,
    /// Distinct messages (channel, input, input id).
    pub messages: usize,
    /// Distinct (message, route) decisions, by their first record's verdict.
    pub released: usize,
    pub quarantined: usize,
    /// Records beyond the first for a (message, route): decided again after a redelivery.
    pub repeated: usize,
    /// Of those, the ones whose verdict or output differs from the first: (input, route).
    pub disagreeing: Vec<(String, String)>,
    /// Quarantined decisions by reason.
    pub reasons: BTreeMap<String, usize>,
}

/// (channel, input, input id, route): one decision, whichever chain it is in.
type Decision = (String, String, String, String);

/// Why a set could not be totalled.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error("{}: {source}", path.display())]
    Chain { path: PathBuf, source: super::ChainError },
    #[error("{}: line {line}: {detail}", path.display())]
    Record { path: PathBuf, line: usize, detail: String },
}

/// Check every chain, then count by message.
pub fn verify_set(paths: &[impl AsRef<Path>]) -> Result<Totals, SetError> {
    let mut t = Totals::default();
    let mut first: BTreeMap<Decision, (String, Option<String>)> = BTreeMap::new();
    let mut messages = std::collections::BTreeSet::new();
    for path in paths {
        let path = path.as_ref();
        let n = super::verify(path).map_err(|source| SetError::Chain {
            path: path.to_path_buf(),
            source,
        })?;
        t.chains.push(Chain {
            path: path.to_path_buf(),
            records: n,
        });
        t.records += n;
        let text = std::fs::read_to_string(path).map_err(|e| SetError::Record {
            path: path.to_path_buf(),
            line: 0,
            detail: e.to_string(),
        })?;
        for (i, line) in text.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| SetError::Record {
                path: path.to_path_buf(),
                line: i + 1,
                detail: e.to_string(),
            })?;
            let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
            // Records without a route (a rollover) name no message.
            let (Some(channel), Some(route), Some(input)) = (field("channel"), field("route"), field("input")) else {
                continue;
            };
            let input_id = field("input_id").unwrap_or_default();
            let verdict = field("verdict").unwrap_or_default();
            let output = field("output_sha256");
            messages.insert((channel.clone(), input.clone(), input_id.clone()));
            let key = (channel, input.clone(), input_id, route.clone());
            match first.get(&key) {
                Some((v0, o0)) => {
                    t.repeated += 1;
                    if *v0 != verdict || *o0 != output {
                        t.disagreeing.push((input, route));
                    }
                }
                None => {
                    if verdict == "released" {
                        t.released += 1;
                    } else {
                        t.quarantined += 1;
                        *t.reasons.entry(field("reason").unwrap_or_default()).or_default() += 1;
                    }
                    first.insert(key, (verdict, output));
                }
            }
        }
    }
    t.messages = messages.len();
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditLog, Record, Verdict};

    fn record(input: &str, verdict: Verdict, out: Option<&str>) -> Record {
        Record {
            channel: "c".into(),
            route: "jpn".into(),
            input: input.into(),
            input_id: format!("js-1-{input}"),
            verdict,
            output_sha256: out.map(str::to_string),
            reason: (verdict == Verdict::Quarantined).then(|| "policy-rejection".into()),
            ..Record::default()
        }
    }

    #[test]
    fn totals_a_set_of_chains_by_message_and_counts_repeats_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let (mut la, _) = AuditLog::open(&a).unwrap();
        let (mut lb, _) = AuditLog::open(&b).unwrap();
        la.append(&mut record("m1", Verdict::Released, Some("aa"))).unwrap();
        la.append(&mut record("m2", Verdict::Quarantined, None)).unwrap();
        // m1 again on guard b (redelivered after a kill before the ack): the same outcome.
        lb.append(&mut record("m1", Verdict::Released, Some("aa"))).unwrap();
        lb.append(&mut record("m3", Verdict::Released, Some("cc"))).unwrap();
        la.sync().unwrap();
        lb.sync().unwrap();
        let t = verify_set(&[&a, &b]).unwrap();
        assert_eq!(
            (t.records, t.messages, t.released, t.quarantined, t.repeated),
            (4, 3, 2, 1, 1)
        );
        assert!(t.disagreeing.is_empty());
        assert_eq!(t.reasons.get("policy-rejection"), Some(&1));
    }

    #[test]
    fn reports_a_repeat_that_disagrees() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let (mut la, _) = AuditLog::open(&a).unwrap();
        let (mut lb, _) = AuditLog::open(&b).unwrap();
        la.append(&mut record("m1", Verdict::Released, Some("aa"))).unwrap();
        lb.append(&mut record("m1", Verdict::Quarantined, None)).unwrap();
        la.sync().unwrap();
        lb.sync().unwrap();
        let t = verify_set(&[&a, &b]).unwrap();
        assert_eq!(t.disagreeing, vec![("m1".to_string(), "jpn".to_string())]);
    }

    #[test]
    fn names_the_chain_that_is_broken() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let (mut la, _) = AuditLog::open(&a).unwrap();
        la.append(&mut record("m1", Verdict::Released, Some("aa"))).unwrap();
        la.append(&mut record("m2", Verdict::Released, Some("bb"))).unwrap();
        la.sync().unwrap();
        let text = std::fs::read_to_string(&a).unwrap().replace("\"m1\"", "\"mX\"");
        std::fs::write(&a, text).unwrap();
        let e = verify_set(&[&a]).unwrap_err().to_string();
        assert!(e.contains("a.jsonl"), "{e}");
    }
}
