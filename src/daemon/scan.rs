//! The scanner: claims inputs from the inboxes (urgent first) and feeds the lanes.

use super::*;

impl Channel<'_> {
    /// The scanner: recovered jobs first, then claims in batches (one pair of directory fsyncs
    /// per batch), urgent before routine.
    pub(super) fn scan_loop(
        &self,
        lanes: &Lanes,
        options: &RunOptions,
        fatal: &Mutex<Option<String>>,
    ) -> Result<(), DaemonError> {
        let fail = |detail: String| DaemonError::Fatal {
            channel: self.cfg.name.clone(),
            detail,
        };
        // Recovery: every input already claimed when the last run stopped.
        let mut ready: VecDeque<Job> = VecDeque::new();
        for lane in [Lane::Urgent, Lane::Routine] {
            if lane == Lane::Urgent && self.cfg.urgent_inbox.is_none() {
                continue;
            }
            let dir = self.inbox(lane).join(spool::CLAIMED);
            for name in spool::scan(&dir).map_err(|e| fail(format!("{}: {e}", dir.display())))? {
                lock(&self.in_flight).insert((lane, name.clone()));
                ready.push_back(Job {
                    lane,
                    name,
                    recovered: true,
                    claimed_at: Instant::now(),
                });
            }
        }
        if !ready.is_empty() {
            tracing::info!(channel = %self.cfg.name, inputs = ready.len(), "recovering claimed inputs");
            lock(&self.summary).recovered = ready.len() as u64;
        }
        let poll = Duration::from_millis(self.cfg.poll_interval_ms);
        let wakeup = (!options.once).then(|| {
            let dirs: Vec<&std::path::Path> = std::iter::once(self.cfg.inbox.as_path())
                .chain(self.cfg.urgent_inbox.as_deref())
                .collect();
            wakeup::Wakeup::watch(&dirs)
        });
        let mut pending: VecDeque<OsString> = VecDeque::new();
        loop {
            if options.stop.load(Ordering::Relaxed) || lock(fatal).is_some() {
                // Claimed but not queued: left in `.claimed/` for the next start.
                return Ok(());
            }
            // The urgent inbox is read on every pass, and goes straight to its lane.
            let mut urgent_found = false;
            if let Some(urgent) = &self.cfg.urgent_inbox {
                let names = spool::scan(urgent).map_err(|e| fail(format!("{}: {e}", urgent.display())))?;
                urgent_found = !names.is_empty();
                // Urgent messages may overtake a full routine lane, up to their own bound.
                let room = lanes.urgent_room();
                let mut claimed = Vec::new();
                for name in names.into_iter().take(room) {
                    if self.try_claim(Lane::Urgent, &name).map_err(&fail)? {
                        claimed.push(self.job(Lane::Urgent, name));
                    }
                }
                if !claimed.is_empty() {
                    self.sync_claims(Lane::Urgent).map_err(&fail)?;
                    for job in claimed {
                        lanes.push(job);
                    }
                }
            }
            // Routine: claim a whole batch at once when the last one is queued.
            if ready.is_empty() {
                if pending.is_empty() {
                    pending = spool::scan(&self.cfg.inbox)
                        .map_err(|e| fail(format!("{}: {e}", self.cfg.inbox.display())))?
                        .into();
                }
                while ready.len() < self.cfg.queue
                    && let Some(name) = pending.pop_front()
                {
                    if self.try_claim(Lane::Routine, &name).map_err(&fail)? {
                        ready.push_back(self.job(Lane::Routine, name));
                    }
                }
                if !ready.is_empty() {
                    self.sync_claims(Lane::Routine).map_err(&fail)?;
                }
            }
            let mut room = lanes.room();
            while room > 0
                && let Some(job) = ready.pop_front()
            {
                lanes.push(job);
                room -= 1;
            }
            if !ready.is_empty() {
                lanes.wait_for_room(poll.min(Duration::from_millis(20)));
                continue;
            }
            if !pending.is_empty() || urgent_found {
                continue;
            }
            if options.once
                && lanes.is_empty()
                && lock(&self.in_flight).is_empty()
                && self.jetstream.as_ref().is_none_or(|js| js.drained())
            {
                return Ok(());
            }
            match &wakeup {
                Some(w) => w.wait(poll),
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }

    /// Make the claims in a lane's inbox durable before anything is decided on them.
    fn sync_claims(&self, lane: Lane) -> Result<(), String> {
        if !self.cfg.fsync {
            return Ok(());
        }
        let inbox = self.inbox(lane);
        spool::sync_dir(&inbox.join(spool::CLAIMED))
            .and_then(|()| spool::sync_dir(inbox))
            .map_err(|e| format!("{}: {e}", inbox.display()))
    }

    fn job(&self, lane: Lane, name: OsString) -> Job {
        Job {
            lane,
            name,
            recovered: false,
            claimed_at: Instant::now(),
        }
    }

    /// Claim `name` unless a message of that name is still in flight.
    fn try_claim(&self, lane: Lane, name: &OsStr) -> Result<bool, String> {
        let key = (lane, name.to_os_string());
        if lock(&self.in_flight).contains(&key) {
            return Ok(false);
        }
        let inbox = self.inbox(lane);
        match spool::claim(inbox, name) {
            Ok(true) => {
                lock(&self.in_flight).insert(key);
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => Err(format!("{}: claiming {name:?}: {e}", inbox.display())),
        }
    }
}
