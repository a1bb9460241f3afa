//! The spool writer: stages delivered messages, makes the replay state durable before any of
//! them is visible, renames them into place and appends the hash-chained audit file (§7.1).

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::diode::DiodeError;
use crate::diode::event::{Delivered, Event, Lost, LostReason};
use crate::diode::limits::ReassemblerConfig;
use crate::diode::state::{PendingRename, ReplayState, is_message_tmp, state_path};

/// What the receiving thread hands the writer.
pub(crate) enum ToWriter {
    Event(Event),
    /// No authentic datagram for `for_secs` seconds (`session`: the last one heard, if any).
    Silent {
        session: Option<u64>,
        for_secs: u64,
    },
    /// Heard again after a silence.
    Resumed {
        session: u64,
        after_secs: u64,
    },
}

/// What the writer did.
#[derive(Debug, Default)]
pub(crate) struct WriterCounts {
    pub(crate) written: u64,
    pub(crate) failures: u64,
    pub(crate) duplicates: u64,
}

/// The spool directory, its replay state and the audit file.
pub(crate) struct Spool {
    dir: PathBuf,
    audit_path: PathBuf,
    audit: crate::audit::AuditLog,
    /// Audit records not written yet (a full disk): written, in order, before any newer one.
    backlog: VecDeque<serde_json::Map<String, serde_json::Value>>,
    /// The state could not be written at the last attempt (logged once per failure run).
    state_failing: bool,
    /// Within a batch: audit records wait for the batch's end, to be synced once.
    defer_audit: bool,
    /// Stages messages committed without the stager thread ([`Spool::commit`], or when that
    /// thread could not be started).
    stager: Stager,
    state: ReplayState,
    /// SHA-256 of every message written into this spool, from the audit file at start: a
    /// message delivered again is recorded `duplicate`, never written twice.
    written: HashSet<[u8; 32]>,
    counts: WriterCounts,
}

/// Most events the writer commits with one replay-state write (and one file-system sync).
const MAX_BATCH: usize = 1024;
/// Most audit records held in memory while the audit file cannot be written.
const MAX_BACKLOG: usize = 100_000;

/// A delivered message written to its temporary name, to be renamed once the state is durable.
struct Staged {
    tmp: PathBuf,
    name: String,
    d: Delivered,
}

enum Record {
    Staged(Staged),
    Lost(Lost),
    Duplicate(Delivered, String),
}

/// An event on its way to a commit; a delivered message comes with its temporary file already
/// written (or the error that stopped it) when the stager thread got to it first.
struct Prepared {
    ev: Event,
    staged: Option<std::io::Result<PathBuf>>,
}

/// What the stager thread hands the committer, in the order it came.
enum Staging {
    Prepared(Prepared),
    Other(ToWriter),
}

/// Batches of staged events between the stager thread and the committer (each what one datagram
/// produced: a pack's messages, at most 256 KiB, or one message of up to 1 MiB in memory).
const STAGED_BATCHES: usize = 16;

/// Where the committer takes its events from: the stager thread, or (it could not be started)
/// the receiving thread directly.
enum Source {
    Staged(mpsc::Receiver<Vec<Staging>>),
    Direct(mpsc::Receiver<Vec<ToWriter>>),
}

impl Source {
    fn recv_timeout(&self, t: Duration) -> Result<Vec<Staging>, mpsc::RecvTimeoutError> {
        match self {
            Source::Staged(rx) => rx.recv_timeout(t),
            Source::Direct(rx) => rx
                .recv_timeout(t)
                .map(|ms| ms.into_iter().map(Staging::Other).collect()),
        }
    }

    fn try_recv(&self) -> Option<Vec<Staging>> {
        match self {
            Source::Staged(rx) => rx.try_recv().ok(),
            Source::Direct(rx) => rx
                .try_recv()
                .ok()
                .map(|ms| ms.into_iter().map(Staging::Other).collect()),
        }
    }
}

/// Writes delivered messages to temporary dot names in the spool (§7.1's first step), relative
/// to the spool directory opened once. A temporary file is nothing until a state write
/// promises its rename: one a crash leaves is removed at the next start, as before.
struct Stager {
    dir: PathBuf,
    /// The spool directory, when it could be opened: files are created relative to it (no walk
    /// of the whole path for each message).
    dirfd: Option<std::os::fd::OwnedFd>,
    counter: u64,
}

impl Stager {
    fn new(dir: &Path) -> Stager {
        let dirfd = rustix::fs::open(
            dir,
            rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )
        .ok();
        Stager {
            dir: dir.to_path_buf(),
            dirfd,
            counter: 0,
        }
    }

    /// A stager for another thread: its own directory handle and a counter range of its own,
    /// so that two stagers never pick the same temporary name.
    fn split(&self) -> Stager {
        let mut other = Stager::new(&self.dir);
        other.counter = self.counter.saturating_add(1 << 48);
        other
    }

    /// Write a message to a dot-named temporary file (made durable with its batch); the rename
    /// comes later.
    fn stage(&mut self, d: &Delivered) -> std::io::Result<PathBuf> {
        self.counter = self.counter.saturating_add(1);
        let tmp_name = format!(".{}.{}.{}.tmp", hex::encode(d.sha256), std::process::id(), self.counter);
        let tmp = self.dir.join(&tmp_name);
        let result = (|| {
            if let Some(spilled) = &d.file {
                // Decoded into the spool already: give it its staging name (made durable with
                // the batch).
                return fs::rename(&spilled.path, &tmp);
            }
            let mut f = match &self.dirfd {
                Some(dirfd) => File::from(rustix::fs::openat(
                    dirfd,
                    tmp_name.as_str(),
                    rustix::fs::OFlags::WRONLY
                        | rustix::fs::OFlags::CREATE
                        | rustix::fs::OFlags::EXCL
                        | rustix::fs::OFlags::CLOEXEC,
                    rustix::fs::Mode::from_raw_mode(0o666),
                )?),
                None => OpenOptions::new().write(true).create_new(true).open(&tmp)?,
            };
            f.write_all(&d.data)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map(|()| tmp)
    }

    /// Stage what the receiving thread sends, in order, and hand it on, until either side is gone.
    fn run(mut self, rx: mpsc::Receiver<Vec<ToWriter>>, tx: mpsc::SyncSender<Vec<Staging>>) {
        while let Ok(ms) = rx.recv() {
            let mut out = Vec::with_capacity(ms.len());
            for m in ms {
                out.push(match m {
                    ToWriter::Event(Event::Delivered(d)) => {
                        let staged = Some(self.stage(&d));
                        Staging::Prepared(Prepared {
                            ev: Event::Delivered(d),
                            staged,
                        })
                    }
                    ToWriter::Event(ev) => Staging::Prepared(Prepared { ev, staged: None }),
                    other => Staging::Other(other),
                });
            }
            if tx.send(out).is_err() {
                return;
            }
        }
    }
}

/// The fields of the receiver's audit records read back at start.
#[derive(Debug, serde::Deserialize)]
struct RxRecord {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    message_seq: Option<u64>,
    #[serde(default)]
    sha256: Option<String>,
}

pub use crate::diode::event::spool_name;

/// A message a crash left half decoded (`.<session>-<seq>.partial`): never visible, removed at start.
fn is_partial(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".partial"))
        .and_then(|n| n.split_once('-'))
        .is_some_and(|(s, q)| {
            s.len() == 16
                && s.bytes().all(|b| b.is_ascii_hexdigit())
                && !q.is_empty()
                && q.bytes().all(|b| b.is_ascii_digit())
        })
}

impl Spool {
    /// Create the spool, open the audit file, load the replay state and finish what a crash
    /// left half done. Returns the state the reassembler starts from.
    pub(crate) fn open(dir: &Path, audit: &Path, cfg: &ReassemblerConfig) -> Result<(Spool, ReplayState), DiodeError> {
        fs::create_dir_all(dir).map_err(|e| DiodeError::io(format!("cannot create `{}`", dir.display()), e))?;
        let loaded = ReplayState::load(dir, cfg)?;
        let (audit_log, records) = crate::audit::AuditLog::open_as::<RxRecord>(audit).map_err(|e| {
            DiodeError::Config(format!(
                "audit file: {e}. The receiver's audit is hash-chained (`sekisho audit verify {}`); \
                 a file written by an older receiver, without a chain, must be moved aside",
                audit.display()
            ))
        })?;
        let mut written = HashSet::new();
        let mut recorded = HashSet::new();
        for r in &records {
            if r.event.as_deref() != Some("received") {
                continue;
            }
            if let Some(sha) = r.sha256.as_deref().and_then(sha256_of_hex) {
                written.insert(sha);
            }
            if let (Some(s), Some(q)) = (&r.session, r.message_seq) {
                recorded.insert((s.clone(), q));
            }
        }
        drop(records);
        let fresh = loaded.is_none();
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            audit_path: audit.to_path_buf(),
            audit: audit_log,
            backlog: VecDeque::new(),
            state_failing: false,
            defer_audit: false,
            stager: Stager::new(dir),
            state: loaded.unwrap_or_else(|| ReplayState::new(cfg)),
            written,
            counts: WriterCounts::default(),
        };
        let path = state_path(dir);
        if fresh {
            // Documented default (§7.1): no state file means nothing was received here yet. Say so
            // loudly, since it also means a removed file.
            tracing::warn!(file = %path.display(), "no replay state: starting with an empty one");
            spool.audit(json_object(
                serde_json::json!({"event": "state_created", "file": path.display().to_string()}),
            ));
        }
        spool.recover(&recorded)?;
        if let Err(e) = spool.state.store(dir) {
            // Not fatal: the promises it would clear are all kept already; the next batch tries
            // again, and nothing becomes visible before a state write succeeds.
            tracing::error!(file = %path.display(), error = %e, "cannot write the replay state; retrying with the next batch");
            spool.state_failing = true;
        }
        let state = spool.state.clone();
        Ok((spool, state))
    }

    /// Finish the renames the state promised (a crash after the state write), record the ones a
    /// crash left without their audit record (a crash between the rename and the append), and
    /// remove temporary message files a crash left behind before the state write.
    fn recover(&mut self, recorded: &HashSet<(String, u64)>) -> Result<(), DiodeError> {
        let shown = self.dir.display().to_string();
        let dir_err = |e| DiodeError::io(format!("cannot recover the spool `{shown}`"), e);
        let pending = self.state.pending().to_vec();
        for p in &pending {
            let tmp = self.dir.join(&p.tmp);
            // The rename comes before the audit record: a staged file still there has none; a
            // renamed one has one unless the crash came between the two.
            let record = if tmp.exists() {
                if !rename_new(&tmp, &self.dir.join(&p.name)).map_err(dir_err)? {
                    // The same bytes are in place already (its name is their SHA-256).
                    fs::remove_file(&tmp).map_err(dir_err)?;
                }
                true
            } else {
                self.dir.join(&p.name).exists() && !recorded.contains(&(p.session.clone(), p.seq))
            };
            if record {
                let sha = p.name.split('.').next().unwrap_or_default().to_string();
                if let Some(digest) = sha256_of_hex(&sha) {
                    self.written.insert(digest);
                }
                self.audit(json_object(serde_json::json!({
                    "event": "received",
                    "time": crate::audit::now_rfc3339(),
                    "session": p.session,
                    "message_seq": p.seq,
                    "sha256": sha,
                    "bytes": p.bytes,
                    "file": p.name,
                    "recovered": true,
                })));
            }
        }
        let entries = fs::read_dir(&self.dir).map_err(dir_err)?;
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            if is_message_tmp(&name.to_string_lossy()) || is_partial(&name.to_string_lossy()) {
                tracing::warn!(file = %entry.path().display(), "removing a partial message left by a crash");
                fs::remove_file(entry.path()).map_err(dir_err)?;
            }
        }
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(dir_err)?;
        self.state.set_pending(Vec::new());
        Ok(())
    }

    /// Write events in batches until the channel closes; retry unwritten audit records while
    /// idle. Never stops on an I/O error: what cannot be written is recorded lost.
    ///
    /// Messages are written to their temporary names by a stager thread ahead of this one
    /// (which syncs, writes the state, renames and appends the audit records), so that the two
    /// halves of writing a message overlap; events keep their order. The stager is started from
    /// this thread, under its confinement; if it cannot be started, this thread stages too.
    pub(crate) fn drain(mut self, rx: mpsc::Receiver<Vec<ToWriter>>) -> WriterCounts {
        let (tx, staged) = mpsc::sync_channel::<Vec<Staging>>(STAGED_BATCHES);
        let (give, take) = mpsc::channel::<mpsc::Receiver<Vec<ToWriter>>>();
        let stager = self.stager.split();
        let spawned = std::thread::Builder::new().name("diode-stager".into()).spawn(move || {
            if let Ok(rx) = take.recv() {
                stager.run(rx, tx);
            }
        });
        let (source, thread) = match spawned {
            Ok(t) => match give.send(rx) {
                Ok(()) => (Source::Staged(staged), Some(t)),
                // The stager is gone already (it cannot be: it waits for this): keep the channel.
                Err(mpsc::SendError(rx)) => (Source::Direct(rx), None),
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the stager thread; the writer stages messages itself");
                (Source::Direct(rx), None)
            }
        };
        self.commit_all(&source);
        drop(source);
        if let Some(t) = thread
            && t.join().is_err()
        {
            tracing::error!("the stager thread panicked");
        }
        self.flush_audit();
        self.counts
    }

    /// Commit what `source` gives, in batches of up to [`MAX_BATCH`], until it is closed.
    fn commit_all(&mut self, source: &Source) {
        loop {
            let first = match source.recv_timeout(Duration::from_secs(1)) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.flush_audit();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = Vec::new();
            let mut next = Some(first);
            while let Some(ms) = next.take() {
                for m in ms {
                    match m {
                        Staging::Prepared(p) => batch.push(p),
                        Staging::Other(ToWriter::Event(ev)) => batch.push(Prepared { ev, staged: None }),
                        Staging::Other(ToWriter::Silent { session, for_secs }) => {
                            tracing::warn!(session = %session.map_or_else(|| "none".into(), |s| format!("{s:016x}")),
                            silent_for_s = for_secs, "sender-silent: no datagram from the sender");
                            self.audit(json_object(serde_json::json!({
                                "event": "sender-silent",
                                "time": crate::audit::now_rfc3339(),
                                "session": session.map(|s| format!("{s:016x}")),
                                "silent_for_s": for_secs,
                            })));
                        }
                        Staging::Other(ToWriter::Resumed { session, after_secs }) => {
                            tracing::info!(session = %format!("{session:016x}"), "sender-resumed");
                            self.audit(json_object(serde_json::json!({
                                "event": "sender-resumed",
                                "time": crate::audit::now_rfc3339(),
                                "session": format!("{session:016x}"),
                                "silent_after_s": after_secs,
                            })));
                        }
                    }
                }
                if batch.len() < MAX_BATCH {
                    next = source.try_recv();
                }
            }
            if !batch.is_empty() {
                self.commit_prepared(batch);
            }
        }
    }

    /// [`Spool::commit_prepared`] of events none of which is staged yet.
    #[cfg(test)]
    fn commit(&mut self, batch: Vec<Event>) {
        self.commit_prepared(batch.into_iter().map(|ev| Prepared { ev, staged: None }).collect());
    }

    /// §7.1 one batch: stage messages (those the stager thread has not), record everything
    /// finished in the replay state and make it durable, then rename the messages into place and
    /// append the audit records. A write that fails loses its message (recorded `write-failed`,
    /// so that it can be sent again); a state that cannot be written loses the whole batch
    /// (nothing of it becomes visible), and the next batch tries again.
    fn commit_prepared(&mut self, batch: Vec<Prepared>) {
        // The batch's audit records are appended together and synced once, at the end.
        self.defer_audit = true;
        self.commit_batch(batch);
        self.defer_audit = false;
        self.flush_audit();
    }

    fn commit_batch(&mut self, batch: Vec<Prepared>) {
        let mut records = Vec::with_capacity(batch.len());
        let mut pending = Vec::new();
        for Prepared { ev, staged } in batch {
            // A replayed session's message is refused, not finished: the state keeps the
            // sessions it knows, not every refused one.
            if !matches!(&ev, Event::Lost(l) if l.reason == LostReason::Replayed) {
                self.state.record(&ev);
            }
            match ev {
                Event::Delivered(d) => {
                    let name = d.spool_name();
                    // A file of that name already in the spool (written before the audit file
                    // knew it, or twice in this batch) is found at the rename, which never
                    // replaces a file (`rename_new`).
                    if self.written.contains(&d.sha256) {
                        if let Some(f) = &d.file {
                            let _ = fs::remove_file(&f.path);
                        }
                        if let Some(Ok(tmp)) = &staged {
                            let _ = fs::remove_file(tmp);
                        }
                        records.push(Record::Duplicate(d, name));
                        continue;
                    }
                    match staged.unwrap_or_else(|| self.stager.stage(&d)) {
                        Ok(tmp) => {
                            if let Some(t) = tmp.file_name() {
                                pending.push(PendingRename {
                                    tmp: t.to_string_lossy().into_owned(),
                                    name: name.clone(),
                                    session: format!("{:016x}", d.session),
                                    seq: d.sequence,
                                    bytes: d.len(),
                                });
                            }
                            records.push(Record::Staged(Staged { tmp, name, d }));
                        }
                        Err(e) => {
                            tracing::error!(dir = %self.dir.display(), error = %e,
                                "cannot write a received message; it is recorded lost (write-failed): send it again");
                            records.push(Record::Lost(self.write_failed(&d)));
                        }
                    }
                }
                Event::Lost(l) => records.push(Record::Lost(l)),
            }
        }
        let staged_any = !pending.is_empty();
        // The staged files are made durable together (one sync of the file system, not one
        // fsync per file), before the state that promises their renames.
        if staged_any {
            let staged: Vec<&Path> = records
                .iter()
                .filter_map(|r| match r {
                    Record::Staged(s) => Some(s.tmp.as_path()),
                    _ => None,
                })
                .collect();
            if let Err(e) = sync_all_of(&self.dir, &staged) {
                tracing::error!(dir = %self.dir.display(), error = %e,
                    "cannot make received messages durable; they are recorded lost (write-failed): send them again");
                let mut kept = Vec::with_capacity(records.len());
                for r in records {
                    match r {
                        Record::Staged(s) => {
                            let _ = fs::remove_file(&s.tmp);
                            kept.push(Record::Lost(self.write_failed(&s.d)));
                        }
                        other => kept.push(other),
                    }
                }
                records = kept;
                pending = Vec::new();
            }
        }
        let staged_any = !pending.is_empty();
        self.state.set_pending(pending);
        if let Err(e) = self.state.store(&self.dir) {
            // Fail secure: without a durable state a restarted receiver would accept replays of
            // these messages, so none becomes visible; they are recorded lost and the receiver
            // goes on (the state keeps them finished in memory and the next write records them).
            if !self.state_failing {
                tracing::error!(file = %state_path(&self.dir).display(), error = %e,
                    "cannot write the replay state: this batch is recorded lost (write-failed); retrying with the next batch");
            }
            self.state_failing = true;
            self.state.set_pending(Vec::new());
            for r in records {
                match r {
                    Record::Staged(s) => {
                        let _ = fs::remove_file(&s.tmp);
                        let l = self.write_failed(&s.d);
                        self.lost(&l);
                    }
                    Record::Lost(l) => self.lost(&l),
                    Record::Duplicate(d, name) => self.duplicate(&d, &name),
                }
            }
            return;
        }
        if self.state_failing {
            tracing::info!(file = %state_path(&self.dir).display(), "the replay state is written again");
            self.state_failing = false;
        }
        let mut done = Vec::with_capacity(records.len());
        for r in records {
            match r {
                Record::Staged(s) => match self.rename_into(&s.tmp, &s.name) {
                    Ok(true) => done.push(Record::Staged(s)),
                    Ok(false) => {
                        let _ = fs::remove_file(&s.tmp);
                        done.push(Record::Duplicate(s.d, s.name));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot rename a received message into place");
                        let _ = fs::remove_file(&s.tmp);
                        let l = self.write_failed(&s.d);
                        done.push(Record::Lost(l));
                    }
                },
                other => done.push(other),
            }
        }
        if staged_any && let Err(e) = File::open(&self.dir).and_then(|d| d.sync_all()) {
            tracing::error!(error = %e, "cannot sync the spool directory");
        }
        // The renames are durable: the next state write need not promise them again.
        self.state.set_pending(Vec::new());
        // The log says what a batch wrote in one line per session (sequences, count, bytes);
        // each message's own line is at debug level. Every message keeps its own `received`
        // record in the audit file, which is the trail (§7.2), and the state names it finished.
        let mut summary = BatchSummary::default();
        for r in done {
            match r {
                Record::Staged(s) => {
                    self.counts.written += 1;
                    let d = &s.d;
                    self.written.insert(d.sha256);
                    summary.add(d);
                    tracing::debug!(session = %format!("{:016x}", d.session), seq = d.sequence, file = %s.name, "received");
                    self.audit(json_object(serde_json::json!({
                        "event": "received",
                        "time": crate::audit::now_rfc3339(),
                        "session": format!("{:016x}", d.session),
                        "message_seq": d.sequence,
                        "sha256": hex::encode(d.sha256),
                        "bytes": d.len(),
                        "file": s.name,
                    })));
                }
                Record::Lost(l) => self.lost(&l),
                Record::Duplicate(d, name) => self.duplicate(&d, &name),
            }
        }
        summary.log();
    }

    fn write_failed(&mut self, d: &Delivered) -> Lost {
        self.counts.failures += 1;
        if let Some(f) = &d.file {
            let _ = fs::remove_file(&f.path);
        }
        write_failed(d)
    }

    fn duplicate(&mut self, d: &Delivered, name: &str) {
        self.counts.duplicates += 1;
        tracing::info!(session = %format!("{:016x}", d.session), seq = d.sequence, file = %name,
            "duplicate: already written, not written again");
        self.audit(json_object(serde_json::json!({
            "event": "duplicate",
            "time": crate::audit::now_rfc3339(),
            "session": format!("{:016x}", d.session),
            "message_seq": d.sequence,
            "sha256": hex::encode(d.sha256),
            "bytes": d.len(),
            "file": name,
        })));
    }

    fn lost(&mut self, l: &Lost) {
        tracing::warn!(
            session = %format!("{:016x}", l.session), seq = l.first, seq_last = l.last, reason = l.reason.as_str(),
            "lost"
        );
        self.audit(json_object(serde_json::json!({
            "event": "lost",
            "time": crate::audit::now_rfc3339(),
            "session": format!("{:016x}", l.session),
            "message_seq": l.first,
            "message_seq_last": l.last,
            "reason": l.reason.as_str(),
        })));
    }

    /// Append a record to the chained audit file (after any waiting for a full disk to clear).
    fn audit(&mut self, record: serde_json::Map<String, serde_json::Value>) {
        if self.backlog.len() >= MAX_BACKLOG {
            // Bounded: the oldest waiting record is given up, and that is said in the log.
            tracing::error!(file = %self.audit_path.display(), "audit backlog full: dropping the oldest unwritten record");
            self.backlog.pop_front();
        }
        self.backlog.push_back(record);
        if !self.defer_audit {
            self.flush_audit();
        }
    }

    /// Write the waiting audit records in order: together, with one write, when that works;
    /// else one by one, stopping at the first failure (the rest kept for later).
    fn flush_audit(&mut self) {
        if self.backlog.is_empty() {
            return;
        }
        if self.audit.append_values(self.backlog.iter_mut()).is_ok() {
            self.backlog.clear();
            if let Err(e) = self.audit.sync() {
                tracing::error!(file = %self.audit_path.display(), error = %e, "cannot sync the audit file");
            }
            return;
        }
        let mut wrote = false;
        while let Some(r) = self.backlog.front() {
            match self.audit.append_value(r) {
                Ok(()) => {
                    self.backlog.pop_front();
                    wrote = true;
                }
                Err(e) => {
                    tracing::error!(file = %self.audit_path.display(), error = %e, waiting = self.backlog.len(),
                        "cannot append to the audit file; the records wait in memory and are retried");
                    break;
                }
            }
        }
        if wrote && let Err(e) = self.audit.sync() {
            tracing::error!(file = %self.audit_path.display(), error = %e, "cannot sync the audit file");
        }
    }
}

/// What one batch wrote, per session, for its one log line.
#[derive(Default)]
struct BatchSummary {
    /// (session, messages, first and last sequence, bytes): a batch holds one session or a few.
    sessions: Vec<(u64, u64, u64, u64, u64)>,
}

impl BatchSummary {
    fn add(&mut self, d: &Delivered) {
        match self.sessions.iter_mut().find(|s| s.0 == d.session) {
            Some((_, n, first, last, bytes)) => {
                *n = n.saturating_add(1);
                *first = (*first).min(d.sequence);
                *last = (*last).max(d.sequence);
                *bytes = bytes.saturating_add(d.len());
            }
            None => self.sessions.push((d.session, 1, d.sequence, d.sequence, d.len())),
        }
    }

    fn log(&self) {
        for &(session, messages, first, last, bytes) in &self.sessions {
            tracing::info!(session = %format!("{session:016x}"), messages, seq = first, seq_last = last, bytes, "received");
        }
    }
}

impl Spool {
    /// [`rename_new`] of a staged file to `name` in the spool, relative to the spool directory
    /// when it is open (no walk of the whole path).
    fn rename_into(&self, tmp: &Path, name: &str) -> std::io::Result<bool> {
        use rustix::fs::{RenameFlags, renameat_with};
        use rustix::io::Errno;
        let (Some(dirfd), Some(tmp_name)) = (&self.stager.dirfd, tmp.file_name()) else {
            return rename_new(tmp, &self.dir.join(name));
        };
        match renameat_with(dirfd, tmp_name, dirfd, name, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(true),
            Err(Errno::EXIST) => Ok(false),
            Err(Errno::INVAL | Errno::NOSYS) => rename_new(tmp, &self.dir.join(name)),
            Err(e) => Err(e.into()),
        }
    }
}

/// A SHA-256 written in hex (as the audit file and the spool's names have it).
fn sha256_of_hex(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex, &mut out).ok()?;
    Some(out)
}

/// Rename `tmp` to `to` unless `to` exists: `Ok(false)` when it does (its name is the SHA-256 of
/// its bytes, so it is a duplicate). One `renameat2(RENAME_NOREPLACE)`, which cannot replace a
/// file; on a file system without that flag, a look and then a rename (the receiver is the
/// spool's only writer).
fn rename_new(tmp: &Path, to: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, tmp, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(true),
        Err(Errno::EXIST) => Ok(false),
        Err(Errno::INVAL | Errno::NOSYS) => {
            if to.exists() {
                return Ok(false);
            }
            fs::rename(tmp, to).map(|()| true)
        }
        Err(e) => Err(e.into()),
    }
}

/// Make `files` (in `dir`) durable: one `syncfs` of the file system holding `dir` when the kernel
/// has it, else an `fsync` of each.
fn sync_all_of(dir: &Path, files: &[&Path]) -> std::io::Result<()> {
    if let Ok(d) = File::open(dir)
        && rustix::fs::syncfs(&d).is_ok()
    {
        return Ok(());
    }
    for f in files {
        File::open(f)?.sync_all()?;
    }
    Ok(())
}

/// A `json!` object as a map (every record is one).
fn json_object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

fn write_failed(d: &Delivered) -> Lost {
    Lost {
        session: d.session,
        first: d.sequence,
        last: d.sequence,
        reason: LostReason::WriteFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn delivered(session: u64, sequence: u64, data: &[u8]) -> Event {
        Event::Delivered(Delivered {
            session,
            sequence,
            sha256: Sha256::digest(data).into(),
            data: data.to_vec(),
            file: None,
        })
    }

    fn open(dir: &Path) -> (Spool, PathBuf) {
        let spool = dir.join("rx");
        let audit = dir.join("rx.diode-audit.jsonl");
        let (s, _) = Spool::open(&spool, &audit, &ReassemblerConfig::default()).unwrap();
        (s, audit)
    }

    fn events(audit: &Path, event: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(audit)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["event"] == event)
            .collect()
    }

    //--- case: the same bytes twice in one batch (issue 18: the rename never replaces a file)
    #[test]
    fn records_the_same_message_twice_in_one_batch_as_received_then_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, audit) = open(dir.path());
        spool.commit(vec![delivered(7, 1, b"same bytes"), delivered(7, 2, b"same bytes")]);
        let received = events(&audit, "received");
        let duplicate = events(&audit, "duplicate");
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(received[0]["message_seq"], 1);
        assert_eq!(duplicate.len(), 1, "{duplicate:?}");
        assert_eq!(duplicate[0]["message_seq"], 2);
        assert_eq!(spool.counts.written, 1);
        assert_eq!(spool.counts.duplicates, 1);
        let names: Vec<String> = std::fs::read_dir(dir.path().join("rx"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        assert_eq!(
            names,
            [spool_name(&Sha256::digest(b"same bytes").into(), b"same bytes")]
        );
    }

    //--- case: a file under the message's name that the audit file does not know
    #[test]
    fn never_replaces_a_file_already_in_the_spool_and_records_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, audit) = open(dir.path());
        let sha: [u8; 32] = Sha256::digest(b"payload").into();
        let name = spool_name(&sha, b"payload");
        std::fs::write(dir.path().join("rx").join(&name), b"already here").unwrap();
        spool.commit(vec![delivered(7, 1, b"payload")]);
        assert_eq!(
            std::fs::read(dir.path().join("rx").join(&name)).unwrap(),
            b"already here"
        );
        assert!(events(&audit, "received").is_empty());
        assert_eq!(events(&audit, "duplicate").len(), 1);
        let left: Vec<_> = std::fs::read_dir(dir.path().join("rx"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| is_message_tmp(&e.file_name().to_string_lossy()))
            .collect();
        assert!(left.is_empty(), "no temporary file is left: {left:?}");
    }

    //--- case: a batch's records are appended with one write and still chain one by one
    #[test]
    fn appends_a_batch_of_received_records_that_verify_as_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, audit) = open(dir.path());
        let batch: Vec<Event> = (1..=300u64)
            .map(|i| delivered(9, i, format!("message {i}").as_bytes()))
            .collect();
        spool.commit(batch);
        spool.commit(vec![delivered(9, 301, b"the next batch")]);
        let received = events(&audit, "received");
        assert_eq!(received.len(), 301);
        let seqs: Vec<u64> = received.iter().map(|r| r["message_seq"].as_u64().unwrap()).collect();
        assert_eq!(seqs, (1..=301).collect::<Vec<_>>());
        drop(spool);
        // The state_created record and 301 received records, one chain.
        assert_eq!(crate::audit::verify(&audit).unwrap(), 302);
    }
}
