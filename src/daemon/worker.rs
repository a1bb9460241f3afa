//! The workers: one claimed input through every route — read, guard, second verifier, emit or
//! quarantine — into the records the committer makes durable.

use super::*;

impl Channel<'_> {
    /// Process one job; a panic anywhere quarantines the entry (fail secure).
    pub(super) fn process_safely(&self, job: Job) -> Outcome {
        let (lane, name, claimed_at, recovered) = (job.lane, job.name.clone(), job.claimed_at, job.recovered);
        // One snapshot of the routes for the whole message (a reload switches between messages).
        let live = self.live();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.process(&job, &live))) {
            Ok(o) => o,
            Err(_) => {
                tracing::error!(channel = %self.cfg.name, input = ?name, "the guard panicked on this message; quarantining it");
                let path = spool::claimed_path(self.inbox(lane), &name);
                let meta = std::fs::symlink_metadata(&path).ok();
                let id = meta.as_ref().map_or_else(|| "unknown".into(), spool::entry_id);
                let routes = self.routes_to_do(&live, &name, &id, recovered);
                let mut outcome = self.quarantine_entry(
                    &job,
                    &id,
                    &routes,
                    meta.map_or(0, |m| m.len()),
                    QuarantineReason::Panic,
                    "the guard panicked on this message",
                );
                outcome.claimed_at = claimed_at;
                outcome
            }
        }
    }

    pub(super) fn routes_to_do(&self, live: &Live, name: &OsStr, id: &str, recovered: bool) -> Vec<usize> {
        let done = if recovered {
            self.done.get(&(name.as_bytes().to_vec(), id.to_string()))
        } else {
            None
        };
        (0..live.routes.len())
            .filter(|&i| done.is_none_or(|d| !live.routes.get(i).is_some_and(|r| d.routes.contains(&r.name))))
            .collect()
    }

    fn process(&self, job: &Job, live: &Live) -> Outcome {
        // A JetStream message has no file: it is decided from its bytes (issue 20).
        if let Some(outcome) = self.process_delivered(job, live) {
            return outcome;
        }
        let inbox = self.inbox(job.lane);
        let path = spool::claimed_path(inbox, &job.name);
        let leave = |records| Outcome {
            lane: job.lane,
            name: job.name.clone(),
            claimed_at: job.claimed_at,
            records,
            finish: Finish::Leave,
        };
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(channel = %self.cfg.name, input = ?job.name, error = %e, "a claimed input vanished");
                return leave(Vec::new());
            }
        };
        let id = spool::entry_id(&meta);
        let routes = self.routes_to_do(live, &job.name, &id, job.recovered);
        if routes.is_empty() {
            // Every route was recorded before a crash: finish what was left.
            let moved = self
                .done
                .get(&(job.name.as_bytes().to_vec(), id.clone()))
                .and_then(|d| d.moved_to.clone());
            return Outcome {
                finish: moved.map_or(Finish::Remove, Finish::MoveTo),
                ..leave(Vec::new())
            };
        }
        if !meta.is_file() {
            let kind = spool::entry_kind(&meta);
            return self.quarantine_entry(
                job,
                &id,
                &routes,
                0,
                QuarantineReason::NotARegularFile,
                &format!("the inbox entry is a {kind}, not a regular file; it was not opened"),
            );
        }
        let bytes = match spool::read_regular(&path, live.read_limit) {
            Ok(b) => b,
            Err(spool::ReadError::NotRegular(kind)) => {
                return self.quarantine_entry(
                    job,
                    &id,
                    &routes,
                    0,
                    QuarantineReason::NotARegularFile,
                    &format!("the inbox entry is a {kind}, not a regular file; it was not read"),
                );
            }
            Err(spool::ReadError::Oversized { size }) => {
                return self.quarantine_entry(
                    job,
                    &id,
                    &routes,
                    size,
                    QuarantineReason::Oversized,
                    &format!("the message is {size} bytes, the limit is {}", live.read_limit),
                );
            }
            Err(spool::ReadError::Io(e)) => {
                return self.quarantine_entry(
                    job,
                    &id,
                    &routes,
                    meta.len(),
                    QuarantineReason::Unreadable,
                    &format!("cannot read: {e}"),
                );
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return self.quarantine_entry(
                job,
                &id,
                &routes,
                bytes.len() as u64,
                QuarantineReason::Empty,
                "the message is empty",
            );
        }
        let sha = hex::encode(Sha256::digest(&bytes));
        let mut records = Vec::new();
        for i in routes {
            let Some(route) = live.routes.get(i) else { continue };
            match self.decide_route(job, &id, route, &bytes, &sha) {
                Ok(record) => records.push(record),
                Err(e) => {
                    tracing::error!(channel = %self.cfg.name, route = %route.name, input = ?job.name, error = %e,
                        "cannot write the output or the quarantine; the input stays claimed");
                    return leave(Vec::new());
                }
            }
        }
        Outcome {
            records,
            finish: Finish::Remove,
            ..leave(Vec::new())
        }
    }

    pub(super) fn base_record(&self, job: &Job, id: &str, route: &Route) -> Record {
        let (input, input_hex) = spool::display_name(&job.name);
        Record {
            time: audit::now_rfc3339(),
            channel: self.cfg.name.clone(),
            route: route.name.clone(),
            input,
            input_hex,
            input_id: id.to_string(),
            lane: job.lane.as_str().into(),
            policy: route.policy.name.clone(),
            policy_sha256: route.policy.sha256.clone(),
            ..Record::default()
        }
    }

    /// Decide one route for readable content: release, or quarantine a copy. `Err` only when
    /// nothing could be written (the input then stays claimed).
    pub(super) fn decide_route(
        &self,
        job: &Job,
        id: &str,
        route: &Route,
        bytes: &[u8],
        sha: &str,
    ) -> std::io::Result<Record> {
        let mut record = self.base_record(job, id, route);
        record.input_sha256 = Some(sha.to_string());
        record.input_bytes = bytes.len() as u64;
        let first = {
            let mut seen = lock(&self.seen);
            let key = (sha.to_string(), route.name.clone());
            match seen.get(&key) {
                Some(first) => Some(first.clone()),
                None => {
                    seen.insert(key, record.input.clone());
                    None
                }
            }
        };
        let mut decisions: Vec<crate::release::stix::UnitDecision> = Vec::new();
        let (reason, findings) = if let Some(first) = first {
            (
                QuarantineReason::Duplicate,
                vec![Finding {
                    rule: "duplicate".into(),
                    detail: format!("the same bytes were already decided on this route as `{first}`"),
                    at: "message".into(),
                }],
            )
        } else {
            let filtered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                #[cfg(debug_assertions)]
                guard::inject_test_panic(bytes);
                guard::filter(bytes, &route.policy)
            }));
            match filtered {
                Ok(Ok(released)) => {
                    #[cfg(debug_assertions)]
                    let released = guard::inject_test_fault(released);
                    let report = released.report;
                    record.rules = rules_of(&report.decisions);
                    record.dropped = report.dropped;
                    record.removed = report.removed;
                    record.redactions = report.redactions;
                    match route.verifier.clear(released.output) {
                        Err((reason, findings)) => {
                            tracing::warn!(channel = %self.cfg.name, route = %route.name, input = ?job.name, %reason,
                                findings = ?findings, "the second verifier did not pass a released output; quarantining it");
                            decisions = report.decisions;
                            (reason, findings)
                        }
                        Ok(cleared) => {
                            let out_name = format!("{sha}.{}", released.extension);
                            let out = cleared.as_bytes();
                            record.verdict = Verdict::Released;
                            record.output_sha256 = Some(hex::encode(Sha256::digest(out)));
                            record.output_bytes = Some(out.len() as u64);
                            match route.output.emit(&cleared, &out_name) {
                                Ok(sent) => {
                                    if let Some(sent) = sent {
                                        record.diode_session = Some(format!("{:016x}", sent.session));
                                        record.diode_seq = Some(sent.seq);
                                    }
                                    // The name the output has where it lands (a diode's receiver
                                    // names it by its own sha-256).
                                    record.output = Some(route.output.landed_name(&cleared).unwrap_or(out_name));
                                    return Ok(record);
                                }
                                Err(e) => {
                                    record.verdict = Verdict::Quarantined;
                                    record.output_sha256 = None;
                                    record.output_bytes = None;
                                    (
                                        QuarantineReason::OutputError,
                                        vec![Finding {
                                            rule: "output".into(),
                                            detail: format!("cannot emit to {}: {e}", route.output.describe()),
                                            at: "output".into(),
                                        }],
                                    )
                                }
                            }
                        }
                    }
                }
                Ok(Err(rejection)) => {
                    decisions.clone_from(&rejection.report.decisions);
                    record.dropped = rejection.report.dropped;
                    record.removed = rejection.report.removed;
                    record.redactions = rejection.report.redactions;
                    let findings: Vec<Finding> = rejection
                        .reasons
                        .iter()
                        .map(|r| Finding {
                            rule: r.rule.clone(),
                            detail: r.detail.clone(),
                            at: r.at.clone(),
                        })
                        .collect();
                    (classify(&rejection), findings)
                }
                Err(_) => {
                    tracing::error!(channel = %self.cfg.name, route = %route.name, input = ?job.name,
                        "the guard panicked on this message; quarantining it");
                    (
                        QuarantineReason::Panic,
                        vec![Finding {
                            rule: "panic".into(),
                            detail: "the guard panicked on this message".into(),
                            at: "message".into(),
                        }],
                    )
                }
            }
        };
        let qid = quarantine::copy_name(job.name.as_bytes(), id, sha, &route.name);
        let explain: Vec<String> = if decisions.is_empty() {
            Vec::new()
        } else {
            crate::explain::table(&decisions).lines().map(str::to_string).collect()
        };
        let reason_file = ReasonFile {
            verdict: "quarantined",
            reason,
            channel: &self.cfg.name,
            routes: vec![&route.name],
            input: &record.input,
            input_hex: record.input_hex.as_deref(),
            input_id: id,
            input_sha256: Some(sha),
            input_bytes: bytes.len() as u64,
            time: record.time.clone(),
            findings: &findings,
            entry: None,
            decisions: &decisions,
            explain,
        };
        quarantine::keep_bytes(&self.quarantine, &self.cfg.quarantine, &qid, bytes, &reason_file)?;
        record.verdict = Verdict::Quarantined;
        record.reason = Some(reason.as_str().into());
        if record.rules.is_empty() {
            record.rules = dedup(findings.iter().map(|f| f.rule.clone()));
        }
        record.quarantine = Some(qid);
        Ok(record)
    }

    /// Quarantine the entry itself for every route still to do, never opening it again: a
    /// regular file or a directory is moved there; a symbolic link, fifo, socket or device is
    /// replaced by a copy of nothing (an empty file) whose reason says what it was, and removed.
    fn quarantine_entry(
        &self,
        job: &Job,
        id: &str,
        routes: &[usize],
        size: u64,
        reason: QuarantineReason,
        detail: &str,
    ) -> Outcome {
        // Route names and their order never change on a reload: any snapshot names them alike.
        let live = self.live();
        let path = spool::claimed_path(self.inbox(job.lane), &job.name);
        let nothing = std::fs::symlink_metadata(&path)
            .ok()
            .and_then(|m| quarantine::describe_entry(&path, &m));
        let qid = match &nothing {
            Some((kind, _)) => quarantine::nothing_name(job.name.as_bytes(), id, kind),
            None => entry_quarantine_id(job.name.as_bytes(), id),
        };
        let (input, input_hex) = spool::display_name(&job.name);
        let findings = [Finding {
            rule: reason.as_str().into(),
            detail: detail.into(),
            at: "message".into(),
        }];
        let route_names: Vec<&str> = routes
            .iter()
            .filter_map(|&i| live.routes.get(i).map(|r| r.name.as_str()))
            .collect();
        let reason_file = ReasonFile {
            verdict: "quarantined",
            reason,
            channel: &self.cfg.name,
            routes: route_names,
            input: &input,
            input_hex: input_hex.as_deref(),
            input_id: id,
            input_sha256: None,
            input_bytes: size,
            time: audit::now_rfc3339(),
            findings: &findings,
            entry: nothing.as_ref().map(|(_, what)| what.clone()),
            decisions: &[],
            explain: Vec::new(),
        };
        let mut outcome = Outcome {
            lane: job.lane,
            name: job.name.clone(),
            claimed_at: job.claimed_at,
            records: Vec::new(),
            finish: Finish::Leave,
        };
        let written = if nothing.is_some() {
            quarantine::keep_bytes(&self.quarantine, &self.cfg.quarantine, &qid, b"", &reason_file)
        } else {
            quarantine::write_reason(&self.quarantine, &self.cfg.quarantine, &qid, &reason_file)
        };
        if let Err(e) = written {
            tracing::error!(channel = %self.cfg.name, input = ?job.name, error = %e, "cannot write to the quarantine; the input stays claimed");
            return outcome;
        }
        tracing::warn!(channel = %self.cfg.name, input = ?job.name, %reason, detail, "quarantined");
        for &i in routes {
            let Some(route) = live.routes.get(i) else { continue };
            let mut record = self.base_record(job, id, route);
            record.input_bytes = size;
            record.verdict = Verdict::Quarantined;
            record.reason = Some(reason.as_str().into());
            record.rules = vec![reason.as_str().into()];
            record.quarantine = Some(qid.clone());
            outcome.records.push(record);
        }
        outcome.finish = if nothing.is_some() {
            Finish::Remove
        } else {
            Finish::MoveTo(qid)
        };
        outcome
    }
}

/// The quarantine id of an entry moved there by name (for every route).
pub(super) fn entry_quarantine_id(name: &[u8], input_id: &str) -> String {
    quarantine::entry_name(name, input_id)
}

/// The quarantine reason a guard rejection stands for.
fn classify(rejection: &guard::Rejection) -> QuarantineReason {
    match rejection.kind {
        guard::RejectionKind::Oversized => QuarantineReason::Oversized,
        guard::RejectionKind::Empty => QuarantineReason::Empty,
        guard::RejectionKind::UnknownFormat | guard::RejectionKind::Parse => QuarantineReason::ParseError,
        guard::RejectionKind::Policy => QuarantineReason::PolicyRejection,
        guard::RejectionKind::Unstable => QuarantineReason::VerificationFailed,
    }
}

fn rules_of(decisions: &[crate::release::stix::UnitDecision]) -> Vec<String> {
    dedup(
        decisions
            .iter()
            .filter(|d| d.verdict != crate::release::stix::UnitVerdict::Keep)
            .map(|d| d.rule.to_string()),
    )
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}
