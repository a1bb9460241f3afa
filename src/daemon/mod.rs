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
//!
//! Here: `run`, a channel's state, its start and its pipeline's threads. Each stage is a file:
//! `scan.rs` (claims), `lanes.rs` (the queue), `worker.rs` (one input through every route),
//! `commit.rs` (group commit and progress), `reload.rs` (SIGHUP).

pub mod check;
pub mod config;
pub mod metrics;
pub mod output;
pub mod quarantine;
pub mod resend;
pub mod review;
pub mod spool;
pub mod status;
pub mod summary;
pub mod verifier;
mod wakeup;

mod commit;
mod jetstream;
mod lanes;
mod reload;
mod scan;
mod worker;

use lanes::{Job, Lanes};
use worker::entry_quarantine_id;

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
    // `[metrics]`: bound now, before any part confines itself; served by a thread of its own.
    let board = config
        .metrics
        .as_ref()
        .map(|_| Arc::new(metrics::Board::new(&config.sha256)));
    let listener = match &config.metrics {
        Some(m) => Some(crate::telemetry::Listener::bind(&m.listen.to_string()).map_err(DaemonError::MainThread)?),
        None => None,
    };
    let listener_stop = AtomicBool::new(false);
    let results: Vec<Result<Summary, DaemonError>> = std::thread::scope(|s| {
        let reloads = &reloads;
        let served = match (listener, &board, &config.metrics) {
            (Some(l), Some(b), Some(m)) => {
                let (b, stop) = (Arc::clone(b), &listener_stop);
                let h = std::thread::Builder::new()
                    .name("metrics".into())
                    .spawn_scoped(s, move || l.serve(m.sandbox, b.as_ref(), stop));
                if let Err(e) = &h {
                    refused = Some(DaemonError::MainThread(format!(
                        "cannot start the metrics listener: {e}"
                    )));
                    options.stop.store(true, Ordering::Relaxed);
                }
                h.ok()
            }
            _ => None,
        };
        let handles: Vec<_> = config
            .channels
            .iter()
            .map(|ch| {
                let b = board.as_ref().map(|b| b.channel(&ch.name));
                s.spawn(move || run_channel(ch, options, config, reloads, b))
            })
            .collect();
        if options.confine_caller {
            let strictest = config.channels.iter().map(|c| c.sandbox).max().unwrap_or_default();
            let confined = crate::sandbox::confine_main_thread(strictest);
            if let Some(b) = &board {
                *lock(&b.main_sandbox) = metrics::describe_confinement(&confined);
            }
            if let Err(e) = confined {
                options.stop.store(true, Ordering::Relaxed);
                refused = Some(DaemonError::MainThread(format!("sandbox: {e}")));
            }
        } else if let Some(b) = &board {
            *lock(&b.main_sandbox) = "not confined (in-process caller)".into();
        }
        // The main thread passes SIGHUP on to the channels, until they have all stopped.
        while !handles.iter().all(std::thread::ScopedJoinHandle::is_finished) {
            if options.reload.swap(false, Ordering::Relaxed) {
                tracing::info!("SIGHUP: reloading the configuration and the policies");
                reloads.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        listener_stop.store(true, Ordering::Relaxed);
        if let Some(Err(e)) = served
            .map(std::thread::ScopedJoinHandle::join)
            .transpose()
            .unwrap_or_else(|_| Some(Err("the metrics listener panicked".to_string())))
        {
            tracing::error!(error = %e, "the metrics listener stopped");
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
    /// A JetStream source beside the inbox (issue 20).
    jetstream: Option<jetstream::Source>,
    /// `[metrics]`: where the committer and the reporter post what operators see.
    board: Option<Arc<metrics::ChannelBoard>>,
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
    board: Option<Arc<metrics::ChannelBoard>>,
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
    // JetStream connections, made before the channel confines itself (issue 20).
    let connectors = jetstream::Connectors::default();
    let mut outputs: Vec<Arc<dyn Output>> = Vec::new();
    for r in &cfg.routes {
        if let config::OutputSpec::Spool(dir) = &r.output {
            ensure(dir, &format!("route `{}`: output", r.name))?;
        }
        if let Some(sent) = r.diode.as_ref().and_then(|d| d.sent.as_ref()) {
            ensure(sent, &format!("route `{}`: sent", r.name))?;
        }
        let output = match &r.output {
            config::OutputSpec::Nats(target) => jetstream::open_output(&connectors, target),
            spec => output::open(spec, r.diode.as_ref(), cfg.fsync),
        }
        .map_err(|e| startup(format!("route `{}`: {e}", r.name)))?;
        outputs.push(Arc::from(output));
    }
    let source = match &cfg.jetstream {
        Some(js) => Some(jetstream::Source::open(&connectors, js).map_err(|e| startup(format!("jetstream: {e}")))?),
        None => None,
    };
    let live = load_live(cfg, &cfg.routes, program.as_deref(), &outputs).map_err(&startup)?;
    let routes = &live.routes;
    let (audit_log, records) = AuditLog::open(&cfg.audit).map_err(|source| DaemonError::Audit {
        channel: cfg.name.clone(),
        source,
    })?;
    let mut done: HashMap<(Vec<u8>, String), Done> = HashMap::new();
    let mut seen = HashMap::new();
    for r in records.iter().filter(|r| r.channel == cfg.name) {
        // `sekisho quarantine retry`: these bytes are to be decided again on this route, not
        // taken for a duplicate of the decision that quarantined them.
        if r.verdict == Verdict::Retried {
            if let Some(sha) = &r.input_sha256 {
                seen.remove(&(sha.clone(), r.route.clone()));
            }
            continue;
        }
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
    let confined = crate::sandbox::confine_channel(
        cfg.sandbox,
        &cfg.name,
        &channel_paths(cfg, program.as_deref(), config_path),
    );
    if let Some(b) = &board {
        b.start(
            &metrics::policy_versions(&live),
            metrics::describe_confinement(&confined),
            cfg.verifier
                .as_ref()
                .map_or_else(|| "off".into(), |v| format!("on (sandbox {})", v.sandbox.as_str())),
            audit_log.head(),
            audit_log.next_seq(),
        );
    }
    confined.map_err(|e| startup(format!("sandbox: {e}")))?;
    // The connections' thread starts confined.
    connectors.drive(&cfg.name).map_err(&startup)?;
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
        jetstream: source,
        board,
    };
    let result = channel.pipeline(audit_log, options, started);
    connectors.stop();
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
            let fetcher = self
                .jetstream
                .as_ref()
                .map(|js| s.spawn(move || js.fetch_loop(self, lanes, options, fatal)));
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
            if let Some(f) = fetcher {
                let _ = f.join();
            }
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
                // The fetcher stopped the channel (a lost JetStream connection).
                Ok(Ok(_)) if let Some(detail) = lock(fatal).take() => Err(DaemonError::Fatal {
                    channel: self.cfg.name.clone(),
                    detail,
                }),
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
