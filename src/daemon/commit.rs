//! The committer (outputs durable, audit records appended and synced, inputs removed) and the
//! reporter (output ticks, progress).

use super::*;

impl Channel<'_> {
    /// The committer: one batch at a time, make outputs durable, append and sync the audit
    /// records (group commit), then take the inputs out of the inbox.
    pub(super) fn commit_loop(&self, audit_log: &mut AuditLog, rx: mpsc::Receiver<Outcome>) -> Result<String, String> {
        const BATCH: usize = 512;
        const GATHER: Duration = Duration::from_millis(10);
        let cfg = self.cfg;
        while let Ok(first) = rx.recv() {
            // Group commit: gather what arrives within a few milliseconds, so that one set of
            // syncs covers many messages.
            let mut batch = vec![first];
            let deadline = Instant::now() + GATHER;
            while batch.len() < BATCH {
                match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(o) => batch.push(o),
                    Err(_) => break,
                }
            }
            // Outputs and quarantine entries: durable, then renamed into place, then their
            // directories synced; only then the records that name them.
            for r in &self.live().routes {
                r.output.commit().map_err(|e| format!("{}: {e}", r.output.describe()))?;
            }
            self.quarantine
                .commit(cfg.fsync)
                .map_err(|e| format!("{}: {e}", cfg.quarantine.display()))?;
            for o in &mut batch {
                for r in &mut o.records {
                    audit_log
                        .append(r)
                        .map_err(|e| format!("{}: cannot append: {e}", cfg.audit.display()))?;
                }
            }
            if cfg.fsync {
                audit_log
                    .sync()
                    .map_err(|e| format!("{}: cannot sync: {e}", cfg.audit.display()))?;
            }
            let mut moved = false;
            for o in &batch {
                // A JetStream message: acked now that its outcome is durable (issue 20).
                if let Some(js) = &self.jetstream
                    && js.settle(self, o.lane, &o.name, &o.finish)
                {
                    continue;
                }
                let claimed = spool::claimed_path(self.inbox(o.lane), &o.name);
                let r = match &o.finish {
                    Finish::Remove => std::fs::remove_file(&claimed),
                    Finish::MoveTo(id) => {
                        moved = true;
                        std::fs::rename(&claimed, cfg.quarantine.join(id))
                    }
                    Finish::Leave => Ok(()),
                };
                if let Err(e) = r {
                    tracing::error!(channel = %cfg.name, input = ?o.name, error = %e, "cannot take the input out of the inbox");
                }
            }
            if moved && cfg.fsync {
                spool::sync_dir(&cfg.quarantine).map_err(|e| format!("{}: {e}", cfg.quarantine.display()))?;
            }
            let mut summary = lock(&self.summary);
            let mut in_flight = lock(&self.in_flight);
            for o in batch {
                if matches!(o.finish, Finish::Leave) {
                    continue;
                }
                in_flight.remove(&(o.lane, o.name));
                summary.inputs += 1;
                let latency = o.claimed_at.elapsed();
                if let Some(b) = &self.board {
                    b.record(o.lane, latency, &o.records);
                }
                match o.lane {
                    Lane::Urgent => summary.urgent.add(latency),
                    Lane::Routine => summary.routine.add(latency),
                }
                for r in &o.records {
                    let verdict = match (&r.verdict, &r.reason) {
                        (Verdict::Released, _) => "released".to_string(),
                        (Verdict::Quarantined, Some(why)) => format!("quarantined: {why}"),
                        (Verdict::Quarantined, None) => "quarantined".to_string(),
                        (Verdict::Retried, _) => "retried".to_string(),
                    };
                    summary.count(&verdict, r.input_bytes);
                    summary.dropped += r.dropped as u64;
                    summary.removed += r.removed as u64;
                    summary.redactions += r.redactions as u64;
                }
            }
            if let Some(b) = &self.board {
                b.set_audit_head(audit_log.head());
                b.set_queue_depth(in_flight.len());
            }
        }
        Ok(audit_log.head().to_string())
    }

    /// Every 200 ms, tick the outputs (a diode heartbeats when idle); on a terminal, a live
    /// progress line; otherwise a progress record every 10 s, only when messages moved (an idle
    /// daemon stays quiet).
    pub(super) fn report_loop(&self, progress: bool, stop: &AtomicBool, started: Instant) {
        let (tick, every) = if progress { (50, 5) } else { (50, 200) };
        let mut n: u64 = 0;
        let mut logged = (0u64, Instant::now());
        let mut tick_failed = false;
        let mut reloads_seen = self.reloads.load(Ordering::Relaxed);
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(tick));
            n += 1;
            let reloads = self.reloads.load(Ordering::Relaxed);
            if reloads != reloads_seen {
                reloads_seen = reloads;
                self.reload();
            }
            if let Some(b) = &self.board {
                b.set_queue_depth(lock(&self.in_flight).len());
            }
            if n.is_multiple_of(4) {
                let mut failed = false;
                for r in &self.live().routes {
                    if let Err(e) = r.output.tick() {
                        failed = true;
                        if !tick_failed {
                            tracing::error!(channel = %self.cfg.name, route = %r.name, output = %r.output.describe(),
                                error = %e, "cannot send a heartbeat");
                        }
                    }
                }
                tick_failed = failed;
            }
            // Kept copies past their time (a diode's `sent/`), once a minute.
            if n.is_multiple_of(1200) {
                for r in &self.live().routes {
                    match r.output.expire() {
                        Ok(0) => {}
                        Ok(removed) => tracing::info!(channel = %self.cfg.name, route = %r.name, removed,
                            "removed copies of sent messages past their keeping time"),
                        Err(e) => tracing::error!(channel = %self.cfg.name, route = %r.name, error = %e,
                            "cannot remove old copies of sent messages"),
                    }
                }
            }
            if !n.is_multiple_of(every) {
                continue;
            }
            let s = lock(&self.summary).clone();
            if progress {
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                eprint!(
                    "\r\x1b[2K{}: {} messages, {:.0}/s, released {}, quarantined {}",
                    self.cfg.name,
                    s.inputs,
                    s.inputs as f64 / secs,
                    s.released(),
                    s.quarantined()
                );
            } else if s.inputs != logged.0 {
                let secs = logged.1.elapsed().as_secs_f64().max(1e-9);
                tracing::info!(channel = %self.cfg.name, messages = s.inputs,
                    rate = s.inputs.saturating_sub(logged.0) as f64 / secs,
                    released = s.released(), quarantined = s.quarantined(), "progress");
                logged = (s.inputs, Instant::now());
            }
        }
    }
}
