//! The guard daemon: channels from spool to spool, with quarantine, a hash-chained audit log and
//! crash safety.
//!
//! One channel is this pipeline of threads, joined by bounded queues (back-pressure: a full
//! queue stops the stage before it):
//!
//! ```text
//!  inbox/urgent ─┐                       ┌─► worker 1 ─┐
//!                ├─► scanner ─► [lanes] ─┼─► worker … ─┼─► [commit queue] ─► committer
//!  inbox ────────┘   claim:     bounded, └─► worker N ─┘     bounded          (one thread)
//!                    rename into  urgent    read (no links), guard::filter      fsync outputs' dirs,
//!                    .claimed/,   first     per route, emit Verified bytes      append audit records,
//!                    fsync dirs             (tmp, fsync, rename) or quarantine  fsync the log (once per
//!                                                                               batch: group commit),
//!                                                                               then remove the inputs
//! ```
//!
//! Exactly once, across crashes (see `docs/deployment.md` for the whole argument):
//! - a claim is durable before anything is decided, so an input is in the inbox, in `.claimed/`,
//!   or gone; and it is gone only after its audit records are durable;
//! - outputs are named from the input's sha-256, so writing one again after a crash replaces it;
//! - at start, the audit log is read (its chain checked, a torn last line cut), and each input
//!   found in `.claimed/` is matched to its records by name and entry identity (inode, mtime,
//!   size): a route already recorded is not decided again.
//!
//! Fail secure: a read error, a limit, a guard rejection or a panic quarantines the message; an
//! audit log that cannot be written stops the channel (the input stays claimed for the restart).

pub mod check;
pub mod config;
pub mod output;
pub mod quarantine;
pub mod resend;
pub mod spool;
pub mod summary;
pub mod verifier;
mod wakeup;

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::audit::{self, AuditLog, Record, Verdict};
use crate::guard;
use crate::policy::Policy;

pub use config::{ChannelConfig, Config, OutputSpec};
pub use output::Output;
pub use quarantine::QuarantineReason;
pub use summary::Summary;

use quarantine::{Finding, ReasonFile};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Drain what is in the inboxes, then exit.
    pub once: bool,
    /// Draw a live progress line on stderr (a terminal); otherwise log a summary periodically.
    pub progress: bool,
    /// Set (by SIGTERM/SIGINT) to stop: in-flight messages are finished, then the run returns.
    pub stop: Arc<AtomicBool>,
    /// Set (by SIGHUP) to reload the configuration and every policy; cleared once taken.
    pub reload: Arc<AtomicBool>,
    /// The `sekisho` executable to start verifier children from (default: this one).
    pub verifier_program: Option<std::path::PathBuf>,
    /// Confine the calling thread once the channels have started, as strictly as the strictest
    /// channel (see `sandbox::confine_main_thread`). The binary sets it; an in-process caller that
    /// goes on to use files must not.
    pub confine_caller: bool,
}

/// Why a channel could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("channel `{channel}`: {detail}")]
    Startup { channel: String, detail: String },
    #[error("channel `{channel}`: {source}")]
    Audit { channel: String, source: audit::AuditError },
    #[error("channel `{channel}`: stopped: {detail}")]
    Fatal { channel: String, detail: String },
    #[error("the daemon's main thread: {0}")]
    MainThread(String),
}

/// Run every channel of `config` (each on its own threads) until they drain (`once`) or are
/// stopped.
///
/// SIGHUP (`options.reload`) makes every channel read the configuration file and its policies
/// again and switch to them at once; a version that does not load, or that changes more than
/// the routes' policies, is refused loudly and the running one stays.
pub fn run(config: &Config, options: &RunOptions) -> Result<Vec<Summary>, DaemonError> {
    let mut refused = None;
    let reloads = std::sync::atomic::AtomicU64::new(0);
    let results: Vec<Result<Summary, DaemonError>> = std::thread::scope(|s| {
        let reloads = &reloads;
        let handles: Vec<_> = config
            .channels
            .iter()
            .map(|ch| s.spawn(move || run_channel(ch, options, config, reloads)))
            .collect();
        if options.confine_caller {
            let strictest = config.channels.iter().map(|c| c.sandbox).max().unwrap_or_default();
            if let Err(e) = crate::sandbox::confine_main_thread(strictest) {
                options.stop.store(true, Ordering::Relaxed);
                refused = Some(DaemonError::MainThread(format!("sandbox: {e}")));
            }
        }
        // The main thread passes SIGHUP on to the channels, until they have all stopped.
        while !handles.iter().all(std::thread::ScopedJoinHandle::is_finished) {
            if options.reload.swap(false, Ordering::Relaxed) {
                tracing::info!("SIGHUP: reloading the configuration and the policies");
                reloads.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        handles
            .into_iter()
            .zip(&config.channels)
            .map(|(h, ch)| {
                h.join().unwrap_or_else(|_| {
                    Err(DaemonError::Fatal {
                        channel: ch.name.clone(),
                        detail: "the channel's thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    match refused {
        Some(e) => Err(e),
        None => results.into_iter().collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The channel and its state
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lane {
    Urgent,
    Routine,
}

impl Lane {
    fn as_str(self) -> &'static str {
        match self {
            Lane::Urgent => "urgent",
            Lane::Routine => "routine",
        }
    }
}

struct Route {
    name: String,
    policy: Policy,
    output: Arc<dyn Output>,
    /// The second verifier's children, or turned off.
    verifier: verifier::Second,
}

/// What a reload replaces, all at once: every route's policy and verifier, and the read limit
/// they imply. A worker takes one snapshot per message, so a message is decided wholly under
/// the old set or wholly under the new one.
struct Live {
    routes: Vec<Route>,
    /// The byte limit of a read: the channel's, or the largest route policy's.
    read_limit: usize,
}

/// What the audit log says was already done for an input (name, entry identity).
#[derive(Default)]
struct Done {
    routes: HashSet<String>,
    moved_to: Option<String>,
}

struct Channel<'c> {
    cfg: &'c ChannelConfig,
    /// The routes in force (replaced whole by a reload on SIGHUP).
    live: std::sync::RwLock<Arc<Live>>,
    /// The configuration file, read again on SIGHUP.
    config_path: Option<std::path::PathBuf>,
    /// The program verifier children start from.
    program: Option<std::path::PathBuf>,
    /// The configuration's `user` (a reload may not change it).
    user: Option<String>,
    /// Incremented by the main thread on each SIGHUP.
    reloads: &'c std::sync::atomic::AtomicU64,
    /// From the audit log at start: inputs (name, identity) already recorded, per route.
    done: HashMap<(Vec<u8>, String), Done>,
    /// The first input decided on each (sha-256, route), for duplicates.
    seen: Mutex<HashMap<(String, String), String>>,
    /// Names claimed and not yet finished, per lane (a new file of the same name waits).
    in_flight: Mutex<HashSet<(Lane, OsString)>>,
    summary: Mutex<Summary>,
    /// Quarantine files waiting for the next commit.
    quarantine: spool::Stager,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A worker that panicked while holding a lock left consistent data (every update is one
    // insert), so a poisoned lock is taken as is.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A route's policy, with an error that names the route, the path and the fix when the file is
/// not there or not readable (rather than the loader's bare `cannot read`).
pub(crate) fn load_policy(route: &str, path: &Path) -> Result<Policy, String> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(format!(
            "route `{route}`: policy `{}`: {e}; check the route's `policy` in the configuration{}",
            path.display(),
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                " and that the service user may read it and its directory"
            } else {
                ""
            }
        ));
    }
    Policy::load(path).map_err(|e| format!("route `{route}`: {e}"))
}

/// Load every route's policy and start its verifier children: at start, and again on SIGHUP.
fn load_live(
    cfg: &ChannelConfig,
    routes: &[config::RouteConfig],
    program: Option<&Path>,
    outputs: &[Arc<dyn Output>],
) -> Result<Live, String> {
    let mut live = Vec::new();
    for (r, output) in routes.iter().zip(outputs) {
        let policy = load_policy(&r.name, &r.policy)?;
        let verifier = match (&cfg.verifier, program) {
            (Some(v), Some(program)) => {
                let spawn = crate::verifier::child::Spawn {
                    program: program.to_path_buf(),
                    policy: r.policy.clone(),
                    memory: v.memory_bytes,
                    sandbox: v.sandbox.as_str().into(),
                };
                verifier::Second::On(
                    verifier::Pool::start(spawn, v.deadline)
                        .map_err(|e| format!("route `{}`: the second verifier: {e}", r.name))?,
                )
            }
            _ => {
                tracing::warn!(channel = %cfg.name, route = %r.name,
                    "the second verifier is turned off: outputs are checked by the guard alone");
                verifier::Second::Off
            }
        };
        live.push(Route {
            name: r.name.clone(),
            policy,
            output: Arc::clone(output),
            verifier,
        });
    }
    let policy_limit = live.iter().map(|r| r.policy.limits.max_input_bytes).max().unwrap_or(0);
    Ok(Live {
        routes: live,
        read_limit: cfg.max_input_bytes.map_or(policy_limit, |l| l.min(policy_limit)),
    })
}

fn run_channel(
    cfg: &ChannelConfig,
    options: &RunOptions,
    config: &Config,
    reloads: &std::sync::atomic::AtomicU64,
) -> Result<Summary, DaemonError> {
    let started = Instant::now();
    let config_path = config.path.as_deref();
    // The program verifier children start from (none, so nothing to execute, without them).
    let program = match (&cfg.verifier, &options.verifier_program) {
        (None, _) => None,
        (Some(_), Some(p)) => Some(p.clone()),
        (Some(_), None) => Some(
            crate::verifier::child::this_program().map_err(|e| DaemonError::Startup {
                channel: cfg.name.clone(),
                detail: format!("cannot find this program to start the verifier: {e}"),
            })?,
        ),
    };
    let startup = |detail: String| DaemonError::Startup {
        channel: cfg.name.clone(),
        detail,
    };
    if let Some(from) = &cfg.seed_inbox_from {
        let n = spool::seed(from, &cfg.inbox).map_err(|e| startup(format!("seeding the inbox: {e}")))?;
        if n > 0 {
            tracing::info!(channel = %cfg.name, from = %from.display(), files = n, "seeded the inbox");
        }
    }
    // A path that does not exist is an error unless the channel says `create = true`: a
    // mistyped path never becomes a new, unwatched directory.
    let ensure = |path: &Path, field: &str| -> Result<(), DaemonError> {
        check::require_dir(path, cfg.create, field, true).map_err(&startup)?;
        if cfg.create {
            std::fs::create_dir_all(path).map_err(|e| startup(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    };
    ensure(&cfg.inbox, "inbox")?;
    if let Some(u) = &cfg.urgent_inbox {
        ensure(u, "urgent_inbox")?;
    }
    ensure(&cfg.quarantine, "quarantine")?;
    if let Some(parent) = cfg.audit.parent().filter(|p| !p.as_os_str().is_empty()) {
        ensure(parent, "audit (its directory)")?;
    }
    if !cfg.create && !cfg.audit.exists() {
        return Err(startup(format!(
            "audit log `{}` does not exist; make it (`install -m 0640 -o USER /dev/null {}`) or set \
             `create = true` to start a new log",
            cfg.audit.display(),
            cfg.audit.display()
        )));
    }
    let _lock = spool::lock_inbox(&cfg.inbox, spool::LOCK_WAIT)
        .map_err(|e| startup(format!("{}: {e}", cfg.inbox.display())))?;
    let _urgent_lock = match &cfg.urgent_inbox {
        Some(u) => Some(spool::lock_inbox(u, spool::LOCK_WAIT).map_err(|e| startup(format!("{}: {e}", u.display())))?),
        None => None,
    };
    spool::remove_temps(&cfg.quarantine).map_err(|e| startup(format!("{}: {e}", cfg.quarantine.display())))?;
    let mut outputs: Vec<Arc<dyn Output>> = Vec::new();
    for r in &cfg.routes {
        if let config::OutputSpec::Spool(dir) = &r.output {
            ensure(dir, &format!("route `{}`: output", r.name))?;
        }
        if let Some(sent) = r.diode.as_ref().and_then(|d| d.sent.as_ref()) {
            ensure(sent, &format!("route `{}`: sent", r.name))?;
        }
        let output = output::open(&r.output, r.diode.as_ref(), cfg.fsync)
            .map_err(|e| startup(format!("route `{}`: {e}", r.name)))?;
        outputs.push(Arc::from(output));
    }
    let live = load_live(cfg, &cfg.routes, program.as_deref(), &outputs).map_err(&startup)?;
    let routes = &live.routes;
    let (audit_log, records) = AuditLog::open(&cfg.audit).map_err(|source| DaemonError::Audit {
        channel: cfg.name.clone(),
        source,
    })?;
    let mut done: HashMap<(Vec<u8>, String), Done> = HashMap::new();
    let mut seen = HashMap::new();
    for r in records.iter().filter(|r| r.channel == cfg.name) {
        let name = match &r.input_hex {
            Some(h) => hex::decode(h).unwrap_or_default(),
            None => r.input.as_bytes().to_vec(),
        };
        // An entry quarantined by name (moved, for every route) has no route in its id.
        let moves = r.quarantine.as_deref() == Some(entry_quarantine_id(&name, &r.input_id).as_str());
        if let (Some(sha), false) = (&r.input_sha256, r.reason.as_deref() == Some("duplicate")) {
            seen.entry((sha.clone(), r.route.clone()))
                .or_insert_with(|| r.input.clone());
        }
        let d = done.entry((name, r.input_id.clone())).or_default();
        d.routes.insert(r.route.clone());
        if moves {
            d.moved_to.clone_from(&r.quarantine);
        }
    }
    tracing::info!(
        channel = %cfg.name,
        records = records.len(),
        head = %audit_log.head(),
        routes = ?routes.iter().map(|r| format!("{} → {}", r.name, r.output.describe())).collect::<Vec<_>>(),
        workers = cfg.workers,
        "channel started"
    );
    drop(records);

    // Least privilege: from here on this channel's threads and the verifier children they start
    // reach only its own directories (see `sandbox::confine_channel`).
    crate::sandbox::confine_channel(
        cfg.sandbox,
        &cfg.name,
        &channel_paths(cfg, program.as_deref(), config_path),
    )
    .map_err(|e| startup(format!("sandbox: {e}")))?;
    let channel = Channel {
        cfg,
        live: std::sync::RwLock::new(Arc::new(live)),
        config_path: config_path.map(Path::to_path_buf),
        user: config.user.clone(),
        program,
        reloads,
        done,
        seen: Mutex::new(seen),
        in_flight: Mutex::new(HashSet::new()),
        summary: Mutex::new(Summary {
            channel: cfg.name.clone(),
            ..Summary::default()
        }),
        quarantine: spool::Stager::default(),
    };
    let result = channel.pipeline(audit_log, options, started);
    let mut summary = lock(&channel.summary).clone();
    summary.elapsed = started.elapsed();
    result.map(|head| {
        summary.audit_head = head;
        tracing::info!(
            channel = %cfg.name,
            messages = summary.inputs,
            released = summary.released(),
            quarantined = summary.quarantined(),
            audit_head = %summary.audit_head,
            "channel stopped"
        );
        summary
    })
}

// ---------------------------------------------------------------------------------------------
// The lanes: a bounded queue where urgent messages are always taken first
// ---------------------------------------------------------------------------------------------

struct Job {
    lane: Lane,
    name: OsString,
    /// Found in `.claimed/` at start: its routes may already be recorded.
    recovered: bool,
    claimed_at: Instant,
}

struct LaneState {
    urgent: VecDeque<Job>,
    routine: VecDeque<Job>,
    closed: bool,
}

struct Lanes {
    state: Mutex<LaneState>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: usize,
}

impl Lanes {
    fn new(capacity: usize) -> Lanes {
        Lanes {
            state: Mutex::new(LaneState {
                urgent: VecDeque::new(),
                routine: VecDeque::new(),
                closed: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }
    fn room(&self) -> usize {
        let s = lock(&self.state);
        self.capacity.saturating_sub(s.urgent.len() + s.routine.len())
    }
    fn urgent_room(&self) -> usize {
        self.capacity.saturating_sub(lock(&self.state).urgent.len())
    }
    fn is_empty(&self) -> bool {
        let s = lock(&self.state);
        s.urgent.is_empty() && s.routine.is_empty()
    }
    /// Push without waiting (the scanner only claims what fits).
    fn push(&self, job: Job) {
        let mut s = lock(&self.state);
        match job.lane {
            Lane::Urgent => s.urgent.push_back(job),
            Lane::Routine => s.routine.push_back(job),
        }
        self.not_empty.notify_one();
    }
    /// The next job, urgent first; `None` once closed and empty.
    fn pop(&self) -> Option<Job> {
        let mut s = lock(&self.state);
        loop {
            if let Some(j) = s.urgent.pop_front().or_else(|| s.routine.pop_front()) {
                self.not_full.notify_one();
                return Some(j);
            }
            if s.closed {
                return None;
            }
            s = self
                .not_empty
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
    fn wait_for_room(&self, timeout: Duration) {
        let s = lock(&self.state);
        if s.urgent.len() + s.routine.len() >= self.capacity {
            let _ = self.not_full.wait_timeout(s, timeout);
        }
    }
    fn close(&self) {
        lock(&self.state).closed = true;
        self.not_empty.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------
// The pipeline
// ---------------------------------------------------------------------------------------------

/// What a worker hands the committer.
struct Outcome {
    lane: Lane,
    name: OsString,
    claimed_at: Instant,
    records: Vec<Record>,
    finish: Finish,
}

enum Finish {
    /// Remove the claimed input (every route recorded).
    Remove,
    /// Move the claimed entry into the quarantine under this id.
    MoveTo(String),
    /// Leave it claimed (it could not be completed; the next start tries again).
    Leave,
}

impl Channel<'_> {
    /// SIGHUP: read the configuration file and every policy again and switch to them at once.
    /// Anything that does not load, or a change beyond the routes' policies (directories,
    /// outputs, limits: those need a restart, since the channel is confined to what it opened),
    /// is refused loudly and the running version stays.
    fn reload(&self) {
        let refuse = |why: String| {
            tracing::error!(channel = %self.cfg.name, reason = %why,
                "RELOAD REFUSED: the running configuration and policies stay in force");
        };
        let routes = match &self.config_path {
            Some(path) => match Config::load_for_reload(path) {
                Err(e) => return refuse(e.to_string()),
                Ok(new) if new.user != self.user => {
                    return refuse(format!(
                        "{}: `user` changed; restart the guard to apply it",
                        path.display()
                    ));
                }
                Ok(new) => match new.channels.into_iter().find(|c| c.name == self.cfg.name) {
                    None => return refuse(format!("{}: channel `{}` is gone", path.display(), self.cfg.name)),
                    Some(ch) => {
                        if let Some(field) = fixed_change(self.cfg, &ch) {
                            return refuse(format!(
                                "{}: `{field}` changed; only the routes' policies are reloaded, restart the \
                                 guard to apply the rest",
                                path.display()
                            ));
                        }
                        ch.routes
                    }
                },
            },
            None => self.cfg.routes.clone(),
        };
        let old = self.live();
        let outputs: Vec<Arc<dyn Output>> = old.routes.iter().map(|r| Arc::clone(&r.output)).collect();
        let new = match load_live(self.cfg, &routes, self.program.as_deref(), &outputs) {
            Ok(n) => n,
            Err(e) => return refuse(e),
        };
        let changes: Vec<String> = old
            .routes
            .iter()
            .zip(&new.routes)
            .map(|(o, n)| {
                format!(
                    "{}: {} {} → {} {}",
                    n.name, o.policy.name, o.policy.sha256, n.policy.name, n.policy.sha256
                )
            })
            .collect();
        *self.live.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(new);
        tracing::info!(channel = %self.cfg.name, routes = ?changes,
            "reloaded: every message from now on is decided (and audited) under these policies");
    }

    /// The routes in force now.
    fn live(&self) -> Arc<Live> {
        Arc::clone(&self.live.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn inbox(&self, lane: Lane) -> &Path {
        match (lane, &self.cfg.urgent_inbox) {
            (Lane::Urgent, Some(u)) => u,
            _ => &self.cfg.inbox,
        }
    }

    fn pipeline(&self, audit_log: AuditLog, options: &RunOptions, started: Instant) -> Result<String, DaemonError> {
        let lanes = Lanes::new(self.cfg.queue);
        let (commit_tx, commit_rx) = mpsc::sync_channel::<Outcome>(self.cfg.queue);
        let done_flag = AtomicBool::new(false);
        let fatal: Mutex<Option<String>> = Mutex::new(None);
        std::thread::scope(|s| {
            for n in 0..self.cfg.workers {
                let tx = commit_tx.clone();
                let lanes = &lanes;
                std::thread::Builder::new()
                    .name(format!("{}-worker-{n}", self.cfg.name))
                    .spawn_scoped(s, move || {
                        while let Some(job) = lanes.pop() {
                            let outcome = self.process_safely(job);
                            if tx.send(outcome).is_err() {
                                break;
                            }
                        }
                    })
                    .map_err(|e| DaemonError::Startup {
                        channel: self.cfg.name.clone(),
                        detail: format!("cannot start a worker: {e}"),
                    })?;
            }
            drop(commit_tx);
            let (lanes, fatal) = (&lanes, &fatal);
            let committer = s.spawn(move || {
                let mut audit_log = audit_log;
                let r = self.commit_loop(&mut audit_log, commit_rx);
                if let Err(e) = &r {
                    *lock(fatal) = Some(e.clone());
                    // Unblock the scanner and the workers: nothing more can be recorded.
                    lanes.close();
                }
                r
            });
            let reporter = s.spawn(|| self.report_loop(options.progress && !options.once, &done_flag, started));
            let scanned = self.scan_loop(lanes, options, fatal);
            lanes.close();
            let committed = committer.join();
            done_flag.store(true, Ordering::Relaxed);
            let _ = reporter.join();
            for r in &self.live().routes {
                if let Err(e) = r.output.close() {
                    tracing::error!(channel = %self.cfg.name, route = %r.name, error = %e, "cannot send the last heartbeats");
                }
            }
            if options.progress {
                eprint!("\r\x1b[2K");
            }
            scanned?;
            match committed {
                Ok(Ok(head)) => Ok(head),
                Ok(Err(detail)) => Err(DaemonError::Fatal {
                    channel: self.cfg.name.clone(),
                    detail,
                }),
                Err(_) => Err(DaemonError::Fatal {
                    channel: self.cfg.name.clone(),
                    detail: "the committer panicked".into(),
                }),
            }
        })
    }

    /// The scanner: recovered jobs first, then claims in batches (one pair of directory fsyncs
    /// per batch), urgent before routine.
    fn scan_loop(&self, lanes: &Lanes, options: &RunOptions, fatal: &Mutex<Option<String>>) -> Result<(), DaemonError> {
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
            if options.once && lanes.is_empty() && lock(&self.in_flight).is_empty() {
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

    /// Process one job; a panic anywhere quarantines the entry (fail secure).
    fn process_safely(&self, job: Job) -> Outcome {
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

    fn routes_to_do(&self, live: &Live, name: &OsStr, id: &str, recovered: bool) -> Vec<usize> {
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

    fn base_record(&self, job: &Job, id: &str, route: &Route) -> Record {
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
    fn decide_route(&self, job: &Job, id: &str, route: &Route, bytes: &[u8], sha: &str) -> std::io::Result<Record> {
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

    /// The committer: one batch at a time, make outputs durable, append and sync the audit
    /// records (group commit), then take the inputs out of the inbox.
    fn commit_loop(&self, audit_log: &mut AuditLog, rx: mpsc::Receiver<Outcome>) -> Result<String, String> {
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
                match o.lane {
                    Lane::Urgent => summary.urgent.add(latency),
                    Lane::Routine => summary.routine.add(latency),
                }
                for r in &o.records {
                    let verdict = match (&r.verdict, &r.reason) {
                        (Verdict::Released, _) => "released".to_string(),
                        (Verdict::Quarantined, Some(why)) => format!("quarantined: {why}"),
                        (Verdict::Quarantined, None) => "quarantined".to_string(),
                    };
                    summary.count(&verdict, r.input_bytes);
                    summary.dropped += r.dropped as u64;
                    summary.removed += r.removed as u64;
                    summary.redactions += r.redactions as u64;
                }
            }
        }
        Ok(audit_log.head().to_string())
    }

    /// Every 200 ms, tick the outputs (a diode heartbeats when idle); on a terminal, a live
    /// progress line; otherwise a progress record every 10 s, only when messages moved (an idle
    /// daemon stays quiet).
    fn report_loop(&self, progress: bool, stop: &AtomicBool, started: Instant) {
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

/// What a channel's threads need: its spools read-write, the policies' directories read-only,
/// and the verifier program with the system's libraries to start children.
fn channel_paths(cfg: &ChannelConfig, program: Option<&Path>, config: Option<&Path>) -> crate::sandbox::Paths {
    let mut p = crate::sandbox::Paths::default();
    // The configuration's directory, read-only: SIGHUP reads the file again.
    if let Some(parent) = config.and_then(Path::parent) {
        p.read.push(if parent.as_os_str().is_empty() {
            ".".into()
        } else {
            parent.to_path_buf()
        });
    }
    p.read_write.push(cfg.inbox.clone());
    p.read_write.extend(cfg.urgent_inbox.clone());
    p.read_write.push(cfg.quarantine.clone());
    if let Some(parent) = cfg.audit.parent() {
        p.read_write.push(if parent.as_os_str().is_empty() {
            ".".into()
        } else {
            parent.to_path_buf()
        });
    }
    for r in &cfg.routes {
        if let config::OutputSpec::Spool(dir) = &r.output {
            p.read_write.push(dir.clone());
        }
        if let Some(sent) = r.diode.as_ref().and_then(|d| d.sent.as_ref()) {
            p.read_write.push(sent.clone());
        }
        if let Some(parent) = r.policy.parent() {
            p.read.push(if parent.as_os_str().is_empty() {
                ".".into()
            } else {
                parent.to_path_buf()
            });
        }
    }
    if let Some(program) = program {
        p.execute.push(program.to_path_buf());
    }
    for sys in ["/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache"] {
        p.execute.push(sys.into());
    }
    p
}

/// The first field that differs between two versions of a channel other than its routes'
/// policies (what a reload may not change), or `None`.
fn fixed_change(old: &ChannelConfig, new: &ChannelConfig) -> Option<String> {
    let blank = |c: &ChannelConfig| {
        let mut c = c.clone();
        for r in &mut c.routes {
            r.policy = std::path::PathBuf::new();
        }
        c
    };
    let (a, b) = (blank(old), blank(new));
    let fields: [(&str, String, String); 12] = [
        ("inbox", format!("{:?}", a.inbox), format!("{:?}", b.inbox)),
        (
            "urgent_inbox",
            format!("{:?}", a.urgent_inbox),
            format!("{:?}", b.urgent_inbox),
        ),
        (
            "quarantine",
            format!("{:?}", a.quarantine),
            format!("{:?}", b.quarantine),
        ),
        ("audit", format!("{:?}", a.audit), format!("{:?}", b.audit)),
        ("workers", format!("{:?}", a.workers), format!("{:?}", b.workers)),
        ("queue", format!("{:?}", a.queue), format!("{:?}", b.queue)),
        (
            "max_input_bytes",
            format!("{:?}", a.max_input_bytes),
            format!("{:?}", b.max_input_bytes),
        ),
        ("fsync", format!("{:?}", a.fsync), format!("{:?}", b.fsync)),
        ("sandbox", format!("{:?}", a.sandbox), format!("{:?}", b.sandbox)),
        ("verifier", format!("{:?}", a.verifier), format!("{:?}", b.verifier)),
        (
            "poll_interval_ms",
            format!("{:?}", a.poll_interval_ms),
            format!("{:?}", b.poll_interval_ms),
        ),
        ("route", format!("{:?}", a.routes), format!("{:?}", b.routes)),
    ];
    fields
        .into_iter()
        .find(|(_, x, y)| x != y)
        .map(|(f, _, _)| f.to_string())
        .or_else(|| (format!("{a:?}") != format!("{b:?}")).then(|| "channel".to_string()))
}

/// The quarantine id of an entry moved there by name (for every route).
fn entry_quarantine_id(name: &[u8], input_id: &str) -> String {
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
