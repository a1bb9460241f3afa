//! The receiver behind its UDP socket: a socket that can only be read, the receiving loop
//! (reassembly, silent-sender detection, counters) and the writer thread it feeds.

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::reassembler::{Reassembler, ReassemblerStats};
use super::spool::{Spool, ToWriter};
use crate::diode::limits::ReassemblerConfig;
use crate::diode::{DiodeError, Key};

/// Where a receiver listens and writes.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    pub listen: SocketAddr,
    /// The spool: each delivered message becomes a file named by its SHA-256 (with `.json` or
    /// `.xml` when it is one, as the guard names its outputs).
    pub into: PathBuf,
    /// Hash-chained JSON lines, one per event. `None`: `<into>.diode-audit.jsonl` beside `into`.
    pub audit: Option<PathBuf>,
    pub key: Key,
    pub reassembly: ReassemblerConfig,
    /// Kernel receive buffer to ask for, in bytes (forced when privileged, else capped by
    /// net.core.rmem_max).
    pub recv_buffer: usize,
    /// No authentic datagram (data or heartbeat) for this long: the sender is recorded
    /// `sender-silent` (a sender heartbeats every second when idle).
    pub silent_after: Duration,
    /// How often the counters are logged (only when they changed).
    pub stats_interval: Duration,
    /// When set, a copy of the counters kept up to date (at most 100 ms old) for the metrics
    /// listener (`receive --metrics-listen`).
    pub counters: Option<std::sync::Arc<std::sync::Mutex<ReassemblerStats>>>,
}

impl ReceiverConfig {
    pub fn new(listen: SocketAddr, into: PathBuf, key: Key) -> ReceiverConfig {
        ReceiverConfig {
            listen,
            into,
            audit: None,
            key,
            reassembly: ReassemblerConfig::default(),
            recv_buffer: 64 << 20,
            silent_after: Duration::from_secs(30),
            stats_interval: Duration::from_secs(60),
            counters: None,
        }
    }

    /// The audit file path in effect.
    pub fn audit_path(&self) -> PathBuf {
        self.audit.clone().unwrap_or_else(|| {
            let name = self
                .into
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "spool".into());
            let parent = self.into.parent().unwrap_or(Path::new("."));
            parent.join(format!("{name}.diode-audit.jsonl"))
        })
    }
}

/// What a receiver did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReceiverStats {
    pub reassembly: ReassemblerStats,
    pub written: u64,
    pub write_failures: u64,
    /// Delivered again (a resend, or a repeat from a restarted sender) after it was written
    /// once: recorded `duplicate`, not written again.
    #[serde(default)]
    pub duplicates: u64,
}

/// A UDP socket that can only be read: the receiver holds no handle that could send (§2).
struct ReceiveOnly(UdpSocket);

impl ReceiveOnly {
    fn bind(addr: SocketAddr, recv_buffer: usize) -> Result<ReceiveOnly, DiodeError> {
        let socket = UdpSocket::bind(addr).map_err(|e| DiodeError::io(format!("cannot listen on `{addr}`"), e))?;
        set_recv_buffer(&socket, recv_buffer);
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| DiodeError::io("cannot set a read timeout".into(), e))?;
        Ok(ReceiveOnly(socket))
    }

    fn local_addr(&self) -> Option<SocketAddr> {
        self.0.local_addr().ok()
    }

    fn recv<'b>(&self, buf: &'b mut [u8]) -> std::io::Result<Option<&'b [u8]>> {
        match self.0.recv(buf) {
            Ok(n) => Ok(buf.get(..n)),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Ask for a kernel receive buffer of `bytes`: forced past net.core.rmem_max when privileged
/// (`SO_RCVBUFFORCE`, CAP_NET_ADMIN), else as much as rmem_max allows (`SO_RCVBUF`). A large
/// buffer is what absorbs an unpaced sender's bursts while the receiver decodes.
pub fn set_recv_buffer(socket: &UdpSocket, bytes: usize) {
    if rustix::net::sockopt::set_socket_recv_buffer_size_force(socket, bytes).is_err() {
        let _ = rustix::net::sockopt::set_socket_recv_buffer_size(socket, bytes);
    }
}

/// Receive until `stop` is set, writing into the spool and the audit file. Messages still in
/// flight at the end are reported lost (`receiver-stopped`).
pub fn run_receiver(cfg: ReceiverConfig, stop: &AtomicBool) -> Result<ReceiverStats, DiodeError> {
    run_receiver_with(cfg, stop, |_| {})
}

/// As [`run_receiver`], calling `bound` with the socket's local address once it listens (tests
/// that bind port 0 learn the port this way).
///
/// Only a bad start is an error (unusable replay state or audit file, the address taken):
/// once it listens, a failed write is recorded as a loss and tried again with the next batch,
/// and a failed receive is logged and retried; the receiver never stops for either.
pub fn run_receiver_with(
    cfg: ReceiverConfig,
    stop: &AtomicBool,
    bound: impl FnOnce(SocketAddr),
) -> Result<ReceiverStats, DiodeError> {
    // The replay state is loaded (and a crash's promised renames finished) before the socket is
    // bound: a receiver whose state is unusable never listens.
    let audit_path = cfg.audit_path();
    let (spool, state) = Spool::open(&cfg.into, &audit_path, &cfg.reassembly)?;
    let socket = ReceiveOnly::bind(cfg.listen, cfg.recv_buffer)?;
    let local = socket.local_addr();
    tracing::info!(
        listen = %local.map_or_else(|| cfg.listen.to_string(), |a| a.to_string()),
        into = %cfg.into.display(),
        audit = %audit_path.display(),
        silent_after_s = cfg.silent_after.as_secs(),
        "listening"
    );
    if let Some(a) = local {
        bound(a);
    }
    // Large messages are decoded straight into the spool (temporary dot names, removed at the
    // next start if a crash leaves them), so memory does not grow with message size.
    let mut reassembly = cfg.reassembly.clone();
    if reassembly.spill.is_none() {
        reassembly.spill = Some(cfg.into.clone());
    }
    let mut reassembler = Reassembler::with_state(reassembly, &cfg.key, &state);
    // Pipeline: this thread receives and reassembles; a writer thread spools, behind a bounded
    // channel so a slow disk slows reassembly rather than growing memory.
    // What one datagram produced goes as one message (a pack's messages together), so the
    // bound holds at most 64 × (a pack or an in-memory message, 1 MiB each).
    let (tx, rx) = mpsc::sync_channel::<Vec<ToWriter>>(64);
    let writer = std::thread::Builder::new()
        .name("diode-writer".into())
        .spawn(move || spool.drain(rx))
        .map_err(|e| DiodeError::io("cannot start the writer thread".into(), e))?;
    let mut buf = vec![0u8; 65_536];
    let mut events = Vec::new();
    let mut writer_gone = false;
    let started = Instant::now();
    let mut silent = false;
    let mut last_stats = Instant::now();
    let mut last_shared = Instant::now();
    let mut logged_stats = ReassemblerStats::default();
    let mut recv_errors = 0u64;
    while !stop.load(Ordering::Relaxed) && !writer_gone {
        match socket.recv(&mut buf) {
            Ok(Some(d)) => reassembler.push(d, Instant::now(), &mut events),
            Ok(None) => reassembler.tick(Instant::now(), &mut events),
            Err(e) => {
                // Never fatal: log (the first, then every 1000th) and go on receiving.
                if recv_errors.is_multiple_of(1000) {
                    tracing::error!(error = %e, errors = recv_errors + 1, "cannot receive; retrying");
                }
                recv_errors = recv_errors.saturating_add(1);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let mut out: Vec<ToWriter> = events.drain(..).map(ToWriter::Event).collect();
        // A silent sender: nothing authentic for `silent_after` (since the start, if nothing was
        // ever heard). Recorded once per silence; hearing it again is recorded too.
        let now = Instant::now();
        let (session, heard) = match reassembler.last_heard() {
            Some((s, t)) => (Some(s), t),
            None => (None, started),
        };
        let quiet = now.saturating_duration_since(heard);
        if !silent && quiet >= cfg.silent_after {
            silent = true;
            out.push(ToWriter::Silent {
                session,
                for_secs: quiet.as_secs(),
            });
        } else if silent && quiet < cfg.silent_after {
            silent = false;
            if let Some(session) = session {
                out.push(ToWriter::Resumed {
                    session,
                    after_secs: cfg.silent_after.as_secs(),
                });
            }
        }
        if let Some(c) = &cfg.counters
            && now.saturating_duration_since(last_shared) >= Duration::from_millis(100)
        {
            last_shared = now;
            *c.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = reassembler.stats().clone();
        }
        if now.saturating_duration_since(last_stats) >= cfg.stats_interval {
            last_stats = now;
            let s = reassembler.stats();
            if *s != logged_stats {
                tracing::info!(
                    datagrams = s.datagrams,
                    accepted = s.accepted,
                    heartbeats = s.heartbeats,
                    delivered = s.delivered,
                    delivered_bytes = s.delivered_bytes,
                    lost = s.lost,
                    lost_by_reason = %serde_json::to_string(&s.lost_by_reason).unwrap_or_default(),
                    dropped_malformed = s.dropped_malformed,
                    dropped_forged = s.dropped_forged,
                    dropped_replayed = s.dropped_replayed,
                    dropped_surplus = s.dropped_surplus,
                    dropped_inconsistent = s.dropped_inconsistent,
                    "counters"
                );
                logged_stats = s.clone();
            }
        }
        // The writer stops only if its thread died (a bug): stop too.
        if !out.is_empty() && tx.send(out).is_err() {
            writer_gone = true;
        }
    }
    reassembler.finish(&mut events);
    if let Some(c) = &cfg.counters {
        *c.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = reassembler.stats().clone();
    }
    let _ = tx.send(events.drain(..).map(ToWriter::Event).collect());
    drop(tx);
    let counts = writer
        .join()
        .map_err(|_| DiodeError::io("the writer thread panicked".into(), std::io::Error::other("panic")))?;
    Ok(ReceiverStats {
        reassembly: reassembler.stats().clone(),
        written: counts.written,
        write_failures: counts.failures,
        duplicates: counts.duplicates,
    })
}
