//! One-way transport over a data diode: framing, forward error correction, authentication.
//!
//! Nothing ever comes back over a diode, so the sender adds RaptorQ repair symbols (RFC 6330) and
//! the receiver either rebuilds a message exactly (length and SHA-256 checked) or reports it lost.
//! Every datagram carries a truncated HMAC-SHA-256 tag under a pre-shared key and is dropped
//! before any decoding work if the tag fails. The wire format is specified in
//! `docs/diode-protocol.md`; [`frame`] is its grammar.
//!
//! # Wire layout (protocol version 2, big-endian)
//!
//! ```text
//!  0       1       2               4                              12
//! +-------+-------+---------------+------------------------------+
//! |version| flags | payload length|          session id          |
//! +-------+-------+---------------+------------------------------+
//! 12                              20                             28
//! +------------------------------+-------------------------------+
//! |       sequence number        |        message length         |
//! +------------------------------+-------------------------------+
//! 28              32              36              40              44      46      48
//! +---------------+---------------+---------------+---------------+-------+-------+
//! |  block index  |  block count  | block length  |   symbol id   |sym.sz.| count |
//! +---------------+---------------+---------------+---------------+-------+-------+
//! 48                                              48+n            48+n+16
//! +-----------------------------------------------+---------------+
//! |          payload: one RaptorQ symbol           |  HMAC tag/16  |
//! +-----------------------------------------------+---------------+
//! ```
//!
//! A message is followed by a 40-byte trailer (its length and SHA-256), cut into blocks of at
//! most `max_block_symbols` symbols, and each block is sent as its source symbols, then
//! `ceil(K × overhead %) + 2` repair symbols. A heartbeat (flag bit 0) carries the last sequence
//! number sent, so whole messages that vanished are reported too. Small messages go several to
//! a *pack* (flag bit 2, `count` messages numbered from the header's sequence) that shares
//! blocks, repair symbols and trailer; a large message is read from disk and decoded into the
//! spool block by block, so neither end's memory grows with message size.
//!
//! # Threads
//!
//! Each side is a pipeline of threads joined by bounded queues ([`pipeline`]: at most a
//! configured number of batches exist, a full queue makes the stage before it wait, and nothing
//! is dropped between stages):
//!
//! ```text
//! sender                                            receiver
//! encoder ──► pipeline(8) ──► caller's thread ══(diode)══► socket ──► chain(128) ──► gate ──► reassembler ──► sync_channel(64) ──► writer
//! read, sha,  128 datagrams   HMAC, TokenBucket,  UDP      recv only, up to 128     grammar,  decode, sha,     (back-pressure)      spool: fsync,
//! RaptorQ,    per batch       sendmmsg, runs      send     cuts runs datagrams     HMAC      spill to spool                        rename, audit
//! frame                       joined (GSO)        only     (GRO)      per batch
//! ```
//!
//! The sender's encoder thread runs for a message of more than one block (a small one or a pack
//! is encoded and sent on the caller's thread: a thread per small message would cost more than
//! it saves). The sender paces by default ([`Rate::Auto`]: the link's speed, or
//! [`DEFAULT_RATE`]). The receiver's socket thread only copies datagrams out of the kernel into
//! the batches (with the kernel's drop counter, `SO_RXQ_OVFL`), so that the backlog waits in the
//! batches (1.5 KiB a datagram) rather than overflowing the kernel's buffer (about 2.25 KiB a
//! datagram read alone, about its size for runs the kernel joined); the batches of one receiver are one pool shared by its three stages. Every thread
//! is started by the thread that was confined (`crate::sandbox`), so it is confined too.
//!
//! The [`Reassembler`] is socket-free: tests, the fuzz target and the benchmark drive it with
//! datagram bytes. Its memory is capped in messages and bytes; past a cap the oldest message is
//! given up and reported lost.
//!
//! ```
//! use sekisho::diode::{Event, Key, MessageEncoder, Reassembler, ReassemblerConfig};
//! let key = Key::from_bytes(&[0x42; 32]).unwrap();
//! let mut enc = MessageEncoder::new(&key, 7 << 32, 1472, 10, 512).unwrap();
//! let mut rx = Reassembler::new(ReassemblerConfig::default(), &key);
//! let (mut events, now) = (Vec::new(), std::time::Instant::now());
//! enc.encode(1, b"hello, partner", |d| { rx.push(d, now, &mut events); Ok::<_, ()>(()) }).unwrap();
//! assert!(matches!(&events[..], [Event::Delivered(m)] if m.data == b"hello, partner"));
//! ```

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

pub mod event;
pub mod frame;
pub mod limits;
pub mod pacing;
pub mod pipeline;
pub mod receiver;
pub mod sender;
pub mod state;

pub use frame::{FrameLimits, MacKey};
pub use limits::{DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_SPILL_ABOVE};
pub use pacing::{DEFAULT_RATE, Pacing, Rate, TokenBucket};
pub use receiver::{
    Delivered, Event, Lost, LostReason, LostTotals, NameSniff, Reassembler, ReassemblerConfig, ReassemblerStats,
    Received, ReceiverConfig, ReceiverStats, RecvBuffer, Spilled, run_receiver, run_receiver_with, set_recv_buffer,
    spool_name,
};
pub use sender::{DEFAULT_PIPELINE_BATCHES, MessageEncoder, Sender, SenderConfig, SenderStats, new_session_id};
pub use state::{ReplayState, STATE_FILE};

/// Shortest key accepted, in bytes: HMAC-SHA-256 is only as strong as a 256-bit key.
pub const MIN_KEY_LEN: usize = 32;
/// Longest key accepted, in bytes: anything longer is not a key file.
pub const MAX_KEY_LEN: usize = 4096;

/// What can go wrong setting up or running the transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiodeError {
    #[error("cannot read key file `{path}`: {source}")]
    KeyRead { path: PathBuf, source: std::io::Error },
    #[error("key file `{path}` holds {len} bytes, at least {min} are required", min = MIN_KEY_LEN)]
    KeyTooShort { path: PathBuf, len: usize },
    #[error("key file `{path}` holds {len} bytes, at most {max} are allowed", max = MAX_KEY_LEN)]
    KeyTooLong { path: PathBuf, len: usize },
    #[error(
        "replay state file `{path}` is unusable: {detail}; the receiver will not start without it. \
         To reset it (replays of sessions it recorded will be accepted again until a newer sender \
         session arrives), remove the file"
    )]
    State { path: PathBuf, detail: String },
    #[error(
        "{what} is {bytes} bytes, over the largest message of {limit} bytes: the receiver would \
         refuse it (too-large). Raise --max-message-bytes on both ends, or split it"
    )]
    TooLarge { what: String, bytes: u64, limit: u64 },
    #[error("invalid diode setting: {0}")]
    Config(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl DiodeError {
    pub(crate) fn io(context: String, source: std::io::Error) -> DiodeError {
        DiodeError::Io { context, source }
    }
}

/// The pre-shared key: the raw bytes of the key file (make one with `head -c 32 /dev/urandom`).
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({} bytes)", self.0.len())
    }
}

impl Key {
    /// Read a key file; a missing, short or oversized one is refused with an error naming it.
    pub fn from_file(path: &Path) -> Result<Key, DiodeError> {
        let bytes = std::fs::read(path).map_err(|source| DiodeError::KeyRead {
            path: path.to_path_buf(),
            source,
        })?;
        Key::checked(bytes, path)
    }

    /// A key from bytes (at least [`MIN_KEY_LEN`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, DiodeError> {
        Key::checked(bytes.to_vec(), Path::new("<memory>"))
    }

    fn checked(bytes: Vec<u8>, path: &Path) -> Result<Key, DiodeError> {
        let len = bytes.len();
        if len < MIN_KEY_LEN {
            return Err(DiodeError::KeyTooShort {
                path: path.to_path_buf(),
                len,
            });
        }
        if len > MAX_KEY_LEN {
            return Err(DiodeError::KeyTooLong {
                path: path.to_path_buf(),
                len,
            });
        }
        Ok(Key(bytes))
    }

    /// The keyed MAC.
    pub fn mac(&self) -> MacKey {
        MacKey::new(&self.0)
    }
}

/// The first socket address `HOST:PORT` resolves to.
pub fn resolve(addr: &str) -> Result<SocketAddr, DiodeError> {
    addr.to_socket_addrs()
        .map_err(|e| DiodeError::Config(format!("address `{addr}`: {e}")))?
        .next()
        .ok_or_else(|| DiodeError::Config(format!("address `{addr}` resolves to nothing")))
}

/// What `sekisho send` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSummary {
    pub session: u64,
    /// Files sent, with their sequence numbers, in order.
    pub sent: Vec<(PathBuf, u64)>,
    pub stats: SenderStats,
    /// The rate it paced to, and why.
    pub pacing: Pacing,
}

/// How `sekisho send` frames and paces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendOptions {
    /// `--rate`: by default the link's speed, or [`DEFAULT_RATE`] where none is known.
    pub rate: Rate,
    pub overhead_percent: u32,
    pub mtu: usize,
    /// Largest message sent (the receiver's `--max-message-bytes`, same default).
    pub max_message_bytes: u64,
}

/// `sekisho send --to HOST:PORT [--rate auto|unpaced|B/S] [--overhead %] [--mtu N] [--max-message-bytes N]
/// --key FILE FILE...|DIR`.
///
/// Sends each file (a directory: its regular files not starting with `.`, sorted by name, not
/// recursing), each streamed from disk, then two heartbeats one interval apart so the receiver
/// can close the session. A file over `max_message_bytes` is refused before anything is sent.
pub fn cli_send(to: &str, opts: SendOptions, key: &Path, paths: &[PathBuf]) -> Result<SendSummary, DiodeError> {
    cli_send_with_progress(to, opts, key, paths, &crate::progress::Silent)
}

/// [`cli_send`], telling `progress` the bytes of each file once it is sent (or packed).
pub fn cli_send_with_progress(
    to: &str,
    opts: SendOptions,
    key: &Path,
    paths: &[PathBuf],
    progress: &dyn crate::progress::Progress,
) -> Result<SendSummary, DiodeError> {
    let mut cfg = SenderConfig::new(resolve(to)?, Key::from_file(key)?);
    cfg.rate = opts.rate;
    cfg.overhead_percent = opts.overhead_percent;
    cfg.mtu = opts.mtu;
    cfg.max_message_bytes = opts.max_message_bytes;
    cfg.heartbeat_interval = std::time::Duration::from_millis(200);
    let files = collect_files(paths)?;
    // Refuse up front what the receiver would refuse: nothing is sent then.
    for (f, len) in &files {
        if *len > opts.max_message_bytes {
            return Err(DiodeError::TooLarge {
                what: format!("`{}`", f.display()),
                bytes: *len,
                limit: opts.max_message_bytes,
            });
        }
    }
    progress.start("send", files.iter().map(|(_, n)| n).sum(), crate::progress::Unit::Bytes);
    let sender = std::sync::Mutex::new(Sender::new(cfg)?);
    let finished = AtomicBool::new(false);
    let lock = || {
        sender
            .lock()
            .map_err(|_| DiodeError::Config("the sender's lock is poisoned".into()))
    };
    let sent = std::thread::scope(|s| {
        // Heartbeats on a timer, between and during messages (the receiver records a loss
        // within seconds and a silent sender after its `silent_after`).
        s.spawn(|| {
            while !finished.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(50));
                if let Ok(mut g) = sender.try_lock() {
                    let _ = g.tick();
                }
            }
        });
        // Small files are read into runs on a reader thread while this one sends the runs
        // before (packed, §5.4), so that reading and sending overlap; large ones are streamed
        // alone by this thread, in their place in the order. At most READ_AHEAD runs wait.
        let (jobs_tx, jobs) = std::sync::mpsc::sync_channel::<Result<SendJob, DiodeError>>(READ_AHEAD);
        s.spawn(move || read_jobs(files, &jobs_tx));
        let result = (|| {
            let mut sent = Vec::new();
            for job in jobs {
                match job? {
                    SendJob::Run(run) => {
                        let bodies: Vec<&[u8]> = run.iter().map(|(_, b)| b.as_slice()).collect();
                        let seqs = lock()?.send_batch(&bodies)?;
                        for ((p, b), seq) in run.into_iter().zip(seqs) {
                            progress.advance(b.len() as u64);
                            sent.push((p, seq));
                        }
                    }
                    SendJob::Large(f, len) => {
                        let seq = lock()?.send_file(&f)?;
                        progress.advance(len);
                        sent.push((f, seq));
                    }
                }
            }
            Ok::<_, DiodeError>(sent)
        })();
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        progress.finish();
        result
    })?;
    lock()?.heartbeat()?;
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut sender = lock()?;
    sender.heartbeat()?;
    Ok(SendSummary {
        session: sender.session(),
        sent,
        stats: sender.stats().clone(),
        pacing: sender.pacing().clone(),
    })
}

/// Runs of small files read ahead of the sending thread, at most.
const READ_AHEAD: usize = 2;

/// What the reader thread hands the sending thread, in the files' order.
enum SendJob {
    /// Small files (up to [`sender::PACK_ITEM_MAX`]) read whole, about 1 MiB of them, to be
    /// packed.
    Run(Vec<(PathBuf, Vec<u8>)>),
    /// A larger file, streamed from disk by the sending thread.
    Large(PathBuf, u64),
}

/// The reader thread: read the small files into runs and hand them on, with each large file
/// in its place, until done, a file cannot be read (the error is handed on, and it stops), or
/// the sending thread is gone.
fn read_jobs(files: Vec<(PathBuf, u64)>, to: &std::sync::mpsc::SyncSender<Result<SendJob, DiodeError>>) {
    let mut run: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut run_bytes = 0usize;
    for (f, len) in files {
        if len <= sender::PACK_ITEM_MAX as u64 {
            let data = match read_small(&f, len) {
                Ok(d) => d,
                Err(e) => {
                    let _ = to.send(Err(DiodeError::io(format!("cannot read `{}`", f.display()), e)));
                    return;
                }
            };
            run_bytes += data.len() + 4;
            run.push((f, data));
            if run_bytes >= 4 * sender::PACK_TARGET {
                run_bytes = 0;
                if to.send(Ok(SendJob::Run(std::mem::take(&mut run)))).is_err() {
                    return;
                }
            }
        } else {
            if !run.is_empty() && to.send(Ok(SendJob::Run(std::mem::take(&mut run)))).is_err() {
                return;
            }
            run_bytes = 0;
            if to.send(Ok(SendJob::Large(f, len))).is_err() {
                return;
            }
        }
    }
    if !run.is_empty() {
        let _ = to.send(Ok(SendJob::Run(run)));
    }
}

/// Read a whole file expected to hold `len` bytes (it may have changed since: what it holds
/// when read is what is sent). One read fills a buffer of `len + 1` bytes and the next finds
/// the end, without asking the file's size again.
fn read_small(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let want = usize::try_from(len).unwrap_or(usize::MAX).min(sender::PACK_ITEM_MAX) + 1;
    let mut buf = vec![0u8; want];
    let mut filled = 0;
    while let Some(room) = buf.get_mut(filled..)
        && !room.is_empty()
    {
        match f.read(room) {
            Ok(0) => {
                buf.truncate(filled);
                return Ok(buf);
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // It grew: take the rest too.
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// The files to send, with their sizes: each path named, or a directory's regular files not
/// starting with `.`, sorted by name, not recursing (a directory's entries are sized relative
/// to it, not by their whole paths).
fn collect_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, u64)>, DiodeError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| DiodeError::io(format!("cannot read `{}`", p.display()), e))?;
        if meta.is_dir() {
            let mut entries = Vec::new();
            for e in std::fs::read_dir(p)
                .map_err(|e| DiodeError::io(format!("cannot list `{}`", p.display()), e))?
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            {
                let path = e.path();
                let len = e
                    .metadata()
                    .map_err(|err| DiodeError::io(format!("cannot read `{}`", path.display()), err))?
                    .len();
                entries.push((path, len));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.extend(entries);
        } else {
            out.push((p.clone(), meta.len()));
        }
    }
    Ok(out)
}

/// How often a receiver speaks up on its own: a silent sender, and its counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveTiming {
    /// `sender-silent` after this long without an authentic datagram.
    pub silent_after: std::time::Duration,
    /// The counters are logged this often, when they changed.
    pub stats_interval: std::time::Duration,
    /// Largest message accepted (the senders' `--max-message-bytes`, same default); a larger
    /// one is recorded lost, `too-large`.
    pub max_message_bytes: u64,
}

/// `sekisho receive --listen HOST:PORT --into DIR --key FILE`: receive until `stop` is set
/// (the CLI sets it from its signal handler). The audit file is `<DIR>.diode-audit.jsonl`. Once
/// the socket is bound and the files are open, the receiver confines itself (`sandbox`).
///
/// With `metrics` (a listener bound by the caller), a thread serves the receiver's counters on
/// it, confined on its own (`sandbox::confine_listener`); the receiver then confines its own
/// thread and the threads it starts.
pub fn cli_receive(
    listen: &str,
    into: &Path,
    key: &Path,
    sandbox: crate::sandbox::SandboxMode,
    timing: ReceiveTiming,
    stop: &AtomicBool,
    metrics: Option<crate::telemetry::Listener>,
) -> Result<ReceiverStats, DiodeError> {
    let mut cfg = ReceiverConfig::new(resolve(listen)?, into.to_path_buf(), Key::from_file(key)?);
    cfg.silent_after = timing.silent_after;
    cfg.stats_interval = timing.stats_interval;
    cfg.reassembly.limits.max_message_bytes = timing.max_message_bytes;
    let board = crate::telemetry::diode::ReceiverBoard::default();
    let serving = metrics.is_some();
    if serving {
        cfg.counters = Some(std::sync::Arc::clone(&board.counters));
    }
    let listener_stop = AtomicBool::new(false);
    let mut refused = None;
    let stats = std::thread::scope(|s| {
        if let Some(l) = metrics {
            let (board, listener_stop) = (&board, &listener_stop);
            std::thread::Builder::new()
                .name("metrics".into())
                .spawn_scoped(s, move || l.serve(sandbox, board, listener_stop))
                .map_err(|e| DiodeError::io("cannot start the metrics listener".into(), e))?;
        }
        let r = run_receiver_with(cfg, stop, |_| {
            let confined = if serving {
                crate::sandbox::confine_receiver_thread(sandbox, into)
            } else {
                crate::sandbox::confine_receiver(sandbox, into)
            };
            if let Err(e) = confined {
                refused = Some(DiodeError::Config(format!("sandbox: {e}")));
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        });
        listener_stop.store(true, std::sync::atomic::Ordering::Relaxed);
        r
    })?;
    refused.map_or(Ok(stats), Err)
}

/// Fuzzing entry point: one datagram through the grammar, then through a [`Reassembler`] with
/// tiny caps and a fixed key, asserting the invariants (counters add up, caps hold).
pub fn fuzz_frame(data: &[u8]) {
    let cfg = ReassemblerConfig::tiny();
    if let Ok(frame) = frame::parse(data, &cfg.limits) {
        assert!(frame.signed.len() + frame::TAG_LEN == data.len());
        assert!(frame.payload.len() <= cfg.limits.max_datagram);
    }
    let Ok(key) = Key::from_bytes(&[0x5a; MIN_KEY_LEN]) else {
        return;
    };
    let mut rx = Reassembler::new(cfg.clone(), &key);
    let mut events = Vec::new();
    let now = std::time::Instant::now();
    // The input is also read as a sequence of length-prefixed datagrams, so the fuzzer can build
    // whole conversations (it cannot forge tags, so most exercise the grammar and the MAC check).
    rx.push(data, now, &mut events);
    let mut rest = data;
    while let Some((len, tail)) = rest.split_first_chunk::<2>() {
        let n = usize::from(u16::from_be_bytes(*len));
        let Some((d, tail)) = tail.split_at_checked(n) else {
            break;
        };
        rx.push(d, now, &mut events);
        // The same bytes with a valid tag appended reach the state machine behind the MAC.
        let mut signed = d.to_vec();
        signed.extend_from_slice(&key.mac().tag(d));
        rx.push(&signed, now, &mut events);
        rest = tail;
    }
    let s = rx.stats();
    assert_eq!(
        s.datagrams,
        s.accepted
            + s.dropped_malformed
            + s.dropped_forged
            + s.dropped_replayed
            + s.dropped_surplus
            + s.dropped_inconsistent
    );
    assert!(rx.in_flight_bytes() <= cfg.max_in_flight_bytes);
    assert!(rx.in_flight_messages() <= cfg.max_in_flight_messages);
    fuzz_pack(data, &key);
}

/// The input read as small messages (split at `0xFF`) sent as one pack (§5.4) through a link
/// that drops the datagrams the input's bits say: either every message arrives, in order, under
/// its own sequence number, or the pack is reported lost as one range; nothing else.
fn fuzz_pack(data: &[u8], key: &Key) {
    let messages: Vec<&[u8]> = data.split(|b| *b == 0xFF).take(64).collect();
    let limits = ReassemblerConfig::tiny().limits;
    if messages.iter().any(|m| m.len() as u64 > limits.max_message_bytes) {
        return;
    }
    let Ok(mut enc) = MessageEncoder::new(key, 9 << 32, 200, 30, 16) else {
        return;
    };
    let mut wire = Vec::new();
    if enc
        .encode_pack(1, &messages, |d| {
            wire.push(d.to_vec());
            Ok::<_, ()>(())
        })
        .is_err()
    {
        return;
    }
    let mut rx = Reassembler::new(ReassemblerConfig::tiny(), key);
    let mut events = Vec::new();
    let now = std::time::Instant::now();
    let bits = data.iter().fold(0u64, |a, b| a.rotate_left(5) ^ u64::from(*b));
    for (i, d) in wire.iter().enumerate() {
        if bits >> (i % 64) & 1 == 0 || i % 3 != 0 {
            rx.push(d, now, &mut events);
        }
    }
    let last = messages.len() as u64;
    rx.push(enc.heartbeat(last), now, &mut events);
    rx.push(enc.heartbeat(last), now, &mut events);
    let delivered: Vec<(u64, &[u8])> = events
        .iter()
        .filter_map(|e| match e {
            Event::Delivered(d) => Some((d.sequence, d.data.as_slice())),
            Event::Lost(_) => None,
        })
        .collect();
    let lost: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Lost(l) => Some((l.first, l.last)),
            Event::Delivered(_) => None,
        })
        .collect();
    let pack_len: usize = messages.iter().map(|m| m.len() + 4).sum();
    if pack_len as u64 > ReassemblerConfig::tiny().max_in_flight_bytes as u64 {
        return;
    }
    let whole: Vec<(u64, &[u8])> = (1..).zip(messages.iter().copied()).collect();
    assert!(
        (delivered == whole && lost.is_empty()) || (delivered.is_empty() && lost == [(1, last)]),
        "{delivered:?} {lost:?}"
    );
}
