//! The receiver behind its UDP socket: a socket that can only be read, the receiving loop
//! (reassembly, silent-sender detection, counters) and the writer thread it feeds.

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::reassembler::{Gate, Reassembler, ReassemblerStats, Received};
use super::spool::{Spool, ToWriter};
use crate::diode::limits::ReassemblerConfig;
use crate::diode::pipeline::{self, Gone};
use crate::diode::{DiodeError, Key};

/// Batches between the receiver's socket thread, its gate and its reassembler: 256 of
/// [`BATCH_BYTES`], at most 64 MiB (about 32,000 datagrams at MTU 1472), made only as a backlog
/// needs them.
pub const DEFAULT_PIPELINE_BATCHES: usize = 256;
/// Kernel receive buffer a receiver asks for: 256 MiB (the kernel charges about 4.5 KiB per
/// 1472-byte datagram against twice this, so about 116,000 datagrams, 0.9 s of sending at 1.5
/// Gbit/s). It costs memory only while a backlog waits in it; without CAP_NET_ADMIN it is
/// capped by net.core.rmem_max, and the start-up log says what was granted.
pub const DEFAULT_RECV_BUFFER: usize = 256 << 20;
/// Datagrams in one batch, at most.
pub const BATCH_DATAGRAMS: usize = 128;
/// Bytes of one batch's buffer: it is handed on once fewer than one largest datagram's worth
/// (64 KiB) is left, or it holds [`BATCH_DATAGRAMS`].
pub const BATCH_BYTES: usize = 256 << 10;

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
    /// net.core.rmem_max; the start-up log says what was granted).
    pub recv_buffer: usize,
    /// No authentic datagram (data or heartbeat) for this long: the sender is recorded
    /// `sender-silent` (a sender heartbeats every second when idle).
    pub silent_after: Duration,
    /// How often the counters are logged (only when they changed).
    pub stats_interval: Duration,
    /// When set, a copy of the counters kept up to date (at most 100 ms old) for the metrics
    /// listener (`receive --metrics-listen`).
    pub counters: Option<std::sync::Arc<std::sync::Mutex<ReassemblerStats>>>,
    /// Batches of datagrams between the socket thread, the gate and the reassembler (at most
    /// this many exist, each of up to [`BATCH_DATAGRAMS`] datagrams in [`BATCH_BYTES`] bytes:
    /// 64 MiB at the default, whatever comes). They hold the backlog the reassembler has not
    /// taken yet, at 1.5 KiB a datagram where the kernel's buffer charges about 4.5 KiB; when all
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
            recv_buffer: DEFAULT_RECV_BUFFER,
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
struct ReceiveOnly {
    socket: UdpSocket,
    /// Room for one `SO_RXQ_OVFL` control message.
    control: Vec<u8>,
    /// The socket's drop counter as last seen (it counts from the socket's creation).
    drops_seen: u32,
}

/// What the receiver asked of the kernel for its socket's receive buffer, and what it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvBuffer {
    pub asked: usize,
    /// What the kernel granted (`SO_RCVBUF` reads back twice the usable size; this is half of it).
    pub granted: usize,
    /// `net.core.rmem_max`, when it could be read: the cap without CAP_NET_ADMIN.
    pub rmem_max: Option<usize>,
}

impl ReceiveOnly {
    fn bind(addr: SocketAddr, recv_buffer: usize) -> Result<(ReceiveOnly, RecvBuffer), DiodeError> {
        let socket = UdpSocket::bind(addr).map_err(|e| DiodeError::io(format!("cannot listen on `{addr}`"), e))?;
        let buffer = set_recv_buffer(&socket, recv_buffer);
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| DiodeError::io("cannot set a read timeout".into(), e))?;
        // Every datagram then says how many the kernel dropped before it (its buffer was full):
        // the loss ledger names what that cost (`overrun`).
        if let Err(e) = nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::RxqOvfl, &1) {
            tracing::warn!(error = %e, "cannot ask the kernel for its drop counter (SO_RXQ_OVFL): datagrams it drops when the receive buffer is full will not be counted");
        }
        // Datagrams of one length from one sender may come joined (UDP receive offload, Linux
        // 5.0): one read of up to 64 KiB, cut again here at the length the kernel gives. A
        // kernel that refuses it hands every datagram on alone.
        if let Err(e) = nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::UdpGroSegment, &true) {
            tracing::debug!(error = %e, "no UDP receive offload: one datagram per read");
        }
        Ok((
            ReceiveOnly {
                socket,
                control: nix::cmsg_space!(u32, i32),
                drops_seen: 0,
            },
            buffer,
        ))
    }

    fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()
    }

    /// Read the next datagram into `batch`, waiting for one up to the read timeout if `wait`,
    /// else only taking one already there. `Ok(false)`: none came.
    fn recv_into(&mut self, batch: &mut Received, wait: bool) -> std::io::Result<bool> {
        use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
        use std::os::fd::AsRawFd;
        let flags = if wait {
            MsgFlags::empty()
        } else {
            MsgFlags::MSG_DONTWAIT
        };
        let room = batch.room();
        let mut iov = [std::io::IoSliceMut::new(room)];
        let (len, counter, segment) =
            match recvmsg::<()>(self.socket.as_raw_fd(), &mut iov, Some(&mut self.control), flags) {
                Ok(msg) => {
                    // The counter comes with every datagram once the kernel has dropped one; the
                    // segment length with datagrams it joined.
                    let (mut counter, mut segment) = (None, 0);
                    for m in msg.cmsgs().into_iter().flatten() {
                        match m {
                            ControlMessageOwned::RxqOvfl(n) => counter = Some(n),
                            ControlMessageOwned::UdpGroSegments(n) => segment = usize::try_from(n).unwrap_or(0),
                            _ => {}
                        }
                    }
                    (msg.bytes, counter, segment)
                }
                Err(nix::Error::EAGAIN | nix::Error::EINTR) => return Ok(false),
                Err(e) => return Err(e.into()),
            };
        let dropped = counter.map_or(0, |n| {
            let d = n.wrapping_sub(self.drops_seen);
            self.drops_seen = n;
            u64::from(d)
        });
        batch.commit_segments(len, segment, dropped);
        Ok(true)
    }
}

/// Ask for a kernel receive buffer of `bytes`: forced past net.core.rmem_max when privileged
/// (`SO_RCVBUFFORCE`, CAP_NET_ADMIN), else as much as rmem_max allows (`SO_RCVBUF`). A large
/// buffer is what absorbs a sender's bursts while the receiver is not scheduled. Returns what
/// was granted, and says so in the log when it is less than asked (naming rmem_max).
pub fn set_recv_buffer(socket: &UdpSocket, bytes: usize) -> RecvBuffer {
    let forced = rustix::net::sockopt::set_socket_recv_buffer_size_force(socket, bytes).is_ok();
    if !forced {
        let _ = rustix::net::sockopt::set_socket_recv_buffer_size(socket, bytes);
    }
    let granted = rustix::net::sockopt::socket_recv_buffer_size(socket).map_or(0, |n| n / 2);
    let rmem_max = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .ok()
        .and_then(|t| t.trim().parse::<usize>().ok());
    let b = RecvBuffer {
        asked: bytes,
        granted,
        rmem_max,
    };
    let shown_max = rmem_max.map_or_else(|| "unknown".to_string(), |n| n.to_string());
    if granted < bytes {
        tracing::warn!(
            asked = bytes,
            granted,
            rmem_max = shown_max,
            forced,
            "the kernel granted a smaller receive buffer than asked (net.core.rmem_max caps it \
             without CAP_NET_ADMIN): a sender faster than this receiver for a moment will \
             overflow it, and the messages hit are lost (`overrun`). Raise net.core.rmem_max \
             (sysctl -w net.core.rmem_max={bytes}) or pace the sender (--rate)"
        );
    } else {
        tracing::info!(asked = bytes, granted, rmem_max = shown_max, forced, "receive buffer");
    }
    b
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
    let (mut socket, _buffer) = ReceiveOnly::bind(cfg.listen, cfg.recv_buffer)?;
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
    let (received_tx, relay, checked) = pipeline::chain::<Received>(cfg.pipeline_batches);
    let gate = reassembler.gate();
    let gating = std::thread::Builder::new()
        .name("diode-gate".into())
        .spawn(move || check_received(&gate, &relay));
    let gating = match gating {
        Ok(g) => g,
        Err(e) => {
            drop(tx);
            let _ = writer.join();
            return Err(DiodeError::io("cannot start the gate thread".into(), e));
        }
    };
    let receiving = std::thread::Builder::new().name("diode-socket".into()).spawn({
        // The socket thread stops on `stop` like this one; `stop` is borrowed, so it is
        // told through a flag of its own that this thread sets.
        let stopping = std::sync::Arc::clone(&socket_stop);
        move || receive(&mut socket, received_tx, &stopping)
    });
    let receiving = match receiving {
        Ok(r) => r,
        Err(e) => {
            drop(checked);
            let _ = gating.join();
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
                reassembler.push_received(&batch, Instant::now(), &mut events);
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
                    kernel_dropped = s.kernel_dropped,
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
        reassembler.push_received(&batch, Instant::now(), &mut events);
        batch.clear();
        // Given back, so that a socket thread waiting for a batch sees the stop.
        checked.give_back(batch);
    }
    drop(checked);
    if receiving.join().is_err() {
        tracing::error!("the socket thread panicked");
    }
    if gating.join().is_err() {
        tracing::error!("the gate thread panicked");
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

/// The socket thread: read datagrams straight into batches, noting where the kernel dropped
/// some, and hand the batches on, in order, until `stop` is set or the stages after it are gone.
/// It does nothing else (no parsing, no tag: the gate thread does that), so that it drains the
/// kernel's receive buffer as fast as the kernel fills it. A batch goes when it is full, or when
/// the socket has nothing more waiting and it either holds a quarter of a batch or waited
/// [`GATHER`] (1 ms) for more once: a lone datagram is handed on within about a millisecond. A failed
/// receive is logged and retried, never fatal.
fn receive(socket: &mut ReceiveOnly, mut to: pipeline::Producer<Received>, stop: &AtomicBool) {
    raise_priority();
    let make = || Received::with_capacity(BATCH_DATAGRAMS, BATCH_BYTES);
    let mut recv_errors = 0u64;
    let mut dropped_logged = 0u64;
    let mut dropped = 0u64;
    let mut last_log = Instant::now();
    let Ok(mut batch) = to.take(make) else { return };
    while !stop.load(Ordering::Relaxed) {
        // Wait for a first datagram (up to the socket's read timeout, 100 ms), then take what
        // else is already there. A batch that is still small when the socket runs dry waits
        // once, up to GATHER after its first datagram, for more: handing on each datagram as it
        // comes would wake the gate and the reassembler for each (about 5 µs of CPU a wake-up),
        // more than the socket thread spends reading it.
        let mut wait = true;
        let mut first_at = None;
        let mut gathered = false;
        while !batch.is_full() {
            match socket.recv_into(&mut batch, wait) {
                Ok(true) => {
                    wait = false;
                    first_at.get_or_insert_with(Instant::now);
                }
                Ok(false) => match first_at {
                    Some(t0) if !gathered && batch.datagrams() < BATCH_DATAGRAMS / 4 => {
                        gathered = true;
                        let left = GATHER.saturating_sub(t0.elapsed());
                        if left.is_zero() {
                            break;
                        }
                        std::thread::sleep(left);
                    }
                    _ => break,
                },
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
        }
        if batch.is_empty() {
            continue;
        }
        dropped = dropped.saturating_add(batch.kernel_dropped());
        if dropped > dropped_logged && last_log.elapsed() >= Duration::from_secs(1) {
            tracing::warn!(
                kernel_dropped = dropped,
                since_last = dropped - dropped_logged,
                "the kernel dropped datagrams: the receive buffer overflowed (the receiver did not keep \
                 up; messages hit are lost, `overrun`). Pace the sender (--rate) below what this \
                 receiver sustains"
            );
            dropped_logged = dropped;
            last_log = Instant::now();
        }
        let Ok(next) = to.take(make) else { return };
        if to.send(std::mem::replace(&mut batch, next)).is_err() {
            return;
        }
    }
}

/// How long a small batch waits, from its first datagram, for more before it is handed on (once).
pub const GATHER: Duration = Duration::from_millis(1);

/// Nice value the socket thread asks for: it only copies datagrams out of the kernel (about a
/// sixth of the receiver's CPU), and on a busy machine it must not wait behind other work while
/// the kernel's buffer fills.
pub const SOCKET_THREAD_NICE: i32 = -10;

/// Give this thread (the socket thread) [`SOCKET_THREAD_NICE`] when the process may
/// (CAP_SYS_NICE, or RLIMIT_NICE allows it); else it stays as it is, and the start-up log says so.
fn raise_priority() {
    let tid = rustix::thread::gettid();
    match rustix::process::setpriority_process(Some(tid), SOCKET_THREAD_NICE) {
        Ok(()) => tracing::info!(nice = SOCKET_THREAD_NICE, "socket thread priority raised"),
        Err(e) => tracing::info!(
            error = %e,
            "socket thread priority left as it is (raising it needs CAP_SYS_NICE): on a busy \
             machine the receive buffer may overflow sooner"
        ),
    }
}

/// The gate thread: check each batch's datagrams (grammar, then tag, §4) and hand it on.
fn check_received(gate: &Gate, relay: &pipeline::Relay<Received>) {
    while let Ok(mut batch) = relay.recv() {
        batch.check(gate);
        if relay.send(batch).is_err() {
            return;
        }
    }
}
