//! The receiver behind its UDP socket: a socket that can only be read, the receiving loop
//! (reassembly, silent-sender detection, counters) and the writer thread it feeds.

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::reassembler::{Checked, Gate, Reassembler, ReassemblerStats};
use super::spool::{Spool, ToWriter};
use crate::diode::limits::ReassemblerConfig;
use crate::diode::pipeline::{self, Gone};
use crate::diode::{DiodeError, Key};

/// Batches between the receiver's socket thread and its reassembler.
pub const DEFAULT_PIPELINE_BATCHES: usize = 64;
/// Datagrams in one batch, at most.
pub const BATCH_DATAGRAMS: usize = 64;
/// A batch is handed over once it holds this many bytes (it then holds at most this plus one
/// largest datagram).
pub const BATCH_BYTES: usize = 128 << 10;

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
    /// Batches of checked datagrams between the socket thread and the reassembler (at most this
    /// many exist, each of up to [`BATCH_DATAGRAMS`] datagrams and [`BATCH_BYTES`] bytes plus
    /// one datagram: at most 12 MiB at the default, 6 MiB at MTU 1472, whatever comes). When all
    /// are in use the socket thread waits, and datagrams wait in the kernel's receive buffer.
    pub pipeline_batches: usize,
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
            pipeline_batches: DEFAULT_PIPELINE_BATCHES,
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

    /// The next datagram, waiting for it up to the read timeout (`Ok(None)`: none came).
    fn recv<'b>(&self, buf: &'b mut [u8]) -> std::io::Result<Option<&'b [u8]>> {
        match self.0.recv(buf) {
            Ok(n) => Ok(buf.get(..n)),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A datagram already waiting, without waiting for one (`Ok(None)`: none is there).
    fn recv_waiting<'b>(&self, buf: &'b mut [u8]) -> std::io::Result<Option<&'b [u8]>> {
        match rustix::net::recv(&self.0, &mut *buf, rustix::net::RecvFlags::DONTWAIT) {
            Ok((n, _)) => Ok(buf.get(..n)),
            Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::INTR => Ok(None),
            Err(e) => Err(e.into()),
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
    let socket_stop = std::sync::Arc::new(AtomicBool::new(false));
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
    // Pipeline: a socket thread receives and checks each datagram's grammar and tag (§4), this
    // thread reassembles, decodes, hashes and writes large messages into the spool, and a
    // writer thread spools, each behind a bounded channel, so a slow stage slows the one before
    // it rather than growing memory (the socket thread then leaves datagrams in the kernel's
    // buffer, as a single thread would). Both threads are started from this one after `bound`
    // (where the CLI confines it), so they are under the same confinement.
    // What one datagram produced goes to the writer as one message (a pack's messages
    // together), so that bound holds at most 64 × (a pack or an in-memory message, 1 MiB each).
    let (tx, rx) = mpsc::sync_channel::<Vec<ToWriter>>(64);
    let writer = std::thread::Builder::new()
        .name("diode-writer".into())
        .spawn(move || spool.drain(rx))
        .map_err(|e| DiodeError::io("cannot start the writer thread".into(), e))?;
    let (checked_tx, checked) = pipeline::channel::<Checked>(cfg.pipeline_batches);
    let gate = reassembler.gate();
    let receiving = std::thread::Builder::new().name("diode-socket".into()).spawn({
        // The socket thread stops on `stop` like this one; `stop` is borrowed, so it is
        // told through a flag of its own that this thread sets.
        let stopping = std::sync::Arc::clone(&socket_stop);
        move || receive_checked(&socket, &gate, checked_tx, &stopping)
    });
    let receiving = match receiving {
        Ok(r) => r,
        Err(e) => {
            drop(tx);
            let _ = writer.join();
            return Err(DiodeError::io("cannot start the socket thread".into(), e));
        }
    };
    let mut events = Vec::new();
    let mut writer_gone = false;
    let started = Instant::now();
    let mut silent = false;
    let mut last_stats = Instant::now();
    let mut last_shared = Instant::now();
    let mut logged_stats = ReassemblerStats::default();
    while !writer_gone {
        if stop.load(Ordering::Relaxed) {
            socket_stop.store(true, Ordering::Relaxed);
        }
        // The socket thread hands a batch over as soon as nothing more is waiting in the
        // socket, so a lone datagram is not held; with nothing for 100 ms, time moves on.
        match checked.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(mut batch)) => {
                reassembler.push_checked(&batch, Instant::now(), &mut events);
                batch.clear();
                checked.give_back(batch);
            }
            Ok(None) => reassembler.tick(Instant::now(), &mut events),
            // The socket thread stopped (told to, or it died): what it sent is all there is.
            Err(Gone) => break,
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
    // Stop the socket thread (if this one stopped first, dropping the pipeline tells it too)
    // and take what it had checked already.
    socket_stop.store(true, Ordering::Relaxed);
    while let Ok(mut batch) = checked.recv() {
        reassembler.push_checked(&batch, Instant::now(), &mut events);
        batch.clear();
        // Given back, so that a socket thread waiting for a batch sees the stop.
        checked.give_back(batch);
    }
    drop(checked);
    if receiving.join().is_err() {
        tracing::error!("the socket thread panicked");
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

/// The socket thread: receive datagrams, check each one's grammar and tag with `gate`, and hand
/// them over in batches, in order, until `stop` is set or the reassembler's side is gone. A
/// batch goes as soon as the socket has nothing more waiting (or it is full), so the pipeline
/// adds no wait of its own. A failed receive is logged and retried, never fatal (as before the
/// pipeline).
fn receive_checked(socket: &ReceiveOnly, gate: &Gate, mut to: pipeline::Producer<Checked>, stop: &AtomicBool) {
    let make = || Checked::with_capacity(BATCH_DATAGRAMS, BATCH_BYTES + 65_536);
    let mut buf = vec![0u8; 65_536];
    let mut recv_errors = 0u64;
    let Ok(mut batch) = to.take(make) else { return };
    while !stop.load(Ordering::Relaxed) {
        // Wait for a first datagram (up to the socket's read timeout, 100 ms), then take what
        // else is already there.
        let mut got = socket.recv(&mut buf);
        loop {
            match got {
                Ok(Some(d)) => batch.admit(gate, d),
                Ok(None) => break,
                Err(e) => {
                    // Never fatal: log (the first, then every 1000th) and go on receiving.
                    if recv_errors.is_multiple_of(1000) {
                        tracing::error!(error = %e, errors = recv_errors + 1, "cannot receive; retrying");
                    }
                    recv_errors = recv_errors.saturating_add(1);
                    std::thread::sleep(Duration::from_millis(100));
                    break;
                }
            }
            if batch.datagrams() >= BATCH_DATAGRAMS || batch.bytes() >= BATCH_BYTES {
                break;
            }
            got = socket.recv_waiting(&mut buf);
        }
        if batch.is_empty() {
            continue;
        }
        let Ok(next) = to.take(make) else { return };
        if to.send(std::mem::replace(&mut batch, next)).is_err() {
            return;
        }
    }
}
