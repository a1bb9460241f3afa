//! The socket-free receiver core: datagram bytes in, [`Event`]s out, every byte it keeps counted
//! against [`ReassemblerConfig`]'s caps.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use raptorq::{EncodingPacket, ObjectTransmissionInformation, PayloadId, SourceBlockDecoder};
use sha2::{Digest, Sha256};

use crate::diode::Key;
use crate::diode::event::{Delivered, Event, Lost, LostReason, LostTotals, NameSniff, Spilled};
use crate::diode::frame::{self, DataHeader, Kind, MacKey, TRAILER_LEN};
use crate::diode::limits::ReassemblerConfig;
use crate::diode::state::ReplayState;

/// Bytes charged for the bookkeeping of one message, one block and one kept symbol, on top of data.
const MESSAGE_COST: usize = 256;
const BLOCK_COST: usize = 128;
const SYMBOL_COST: usize = 48;

/// Counters: every datagram ends in exactly one of the `dropped_*` counters or `accepted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReassemblerStats {
    pub datagrams: u64,
    pub accepted: u64,
    /// Failed the frame grammar (truncated, oversized, bad fields).
    pub dropped_malformed: u64,
    /// Tag did not verify (forged or corrupted).
    pub dropped_forged: u64,
    /// Authentic but from a retired or older session.
    pub dropped_replayed: u64,
    /// Authentic, for a message or block already finished, or a symbol already held: late repair
    /// symbols, duplicates and in-session replays.
    pub dropped_surplus: u64,
    /// Authentic but disagreeing with earlier datagrams of the same message.
    pub dropped_inconsistent: u64,
    pub heartbeats: u64,
    pub delivered: u64,
    pub delivered_bytes: u64,
    /// Messages reported lost (a range counts each message in it).
    pub lost: u64,
    /// The same, by reason.
    pub lost_by_reason: LostTotals,
    /// Messages decoded into a temporary file of the spool rather than memory.
    pub spilled: u64,
    /// Blocks that could be decoded only with repair symbols (a source symbol was lost).
    #[serde(default)]
    pub repaired_blocks: u64,
    /// Datagrams the kernel dropped before the receiver read them, because the socket's receive
    /// buffer was full (`SO_RXQ_OVFL`; outside `datagrams`, which counts what was read). Losses
    /// they caused are named `overrun`.
    #[serde(default)]
    pub kernel_dropped: u64,
    /// Datagrams the kernel handed over joined with others (receive offload, protocol §8) and
    /// the socket thread cut again at the length the kernel gave; counted in `datagrams` too.
    #[serde(default)]
    pub joined: u64,
}

/// The receiver's first stage, which needs no state: the frame grammar, then the tag (§4).
/// [`Reassembler::push`] runs it first; the receiver's gate thread runs its own copy
/// ([`Reassembler::gate`]) over each [`Received`] batch before the reassembler takes it.
#[derive(Clone)]
pub struct Gate {
    mac: MacKey,
    limits: crate::diode::frame::FrameLimits,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("limits", &self.limits).finish()
    }
}

/// What the gate made of a datagram.
enum Verdict<'a> {
    Malformed,
    /// The tag failed; a data datagram's claimed (session, sequence), which only ever renames a
    /// loss (`authentication`).
    Forged(Option<(u64, u64)>),
    Authentic(frame::Frame<'a>),
}

impl Gate {
    fn check<'a>(&self, datagram: &'a [u8]) -> Verdict<'a> {
        let Ok(frame) = frame::parse(datagram, &self.limits) else {
            return Verdict::Malformed;
        };
        if !self.mac.verify(&frame) {
            let claim = match frame.header.kind {
                Kind::Data(_) => Some((frame.header.session, frame.header.sequence)),
                Kind::Heartbeat => None,
            };
            return Verdict::Forged(claim);
        }
        Verdict::Authentic(frame)
    }
}

/// What the gate said of one datagram of a [`Received`] batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Authentic,
    Malformed,
    Forged(Option<(u64, u64)>),
}

/// Room a [`Received`] batch keeps at its end for the next datagram: the largest UDP payload.
pub const DATAGRAM_ROOM: usize = 65_536;

/// A batch of datagrams as the receiver's socket thread read them, in order, straight into one
/// buffer (allocated once, reused), with where the kernel dropped datagrams between them; then
/// marked by a [`Gate`] ([`Received::check`], on a thread of its own) and taken by
/// [`Reassembler::push_received`]. The socket thread does nothing but fill it, so it drains the
/// kernel's buffer as fast as the kernel fills it.
#[derive(Debug)]
pub struct Received {
    buf: Vec<u8>,
    used: usize,
    ends: Vec<usize>,
    max_datagrams: usize,
    /// (index of a datagram, datagrams the kernel dropped right before it).
    drops: Vec<(usize, u64)>,
    /// The gate's mark for each datagram, once checked.
    marks: Vec<Mark>,
    /// Datagrams cut out of reads the kernel had joined.
    joined: u64,
}

impl Received {
    /// An empty batch that takes datagrams until it holds `max_datagrams` or fewer than
    /// [`DATAGRAM_ROOM`] bytes are left of its `bytes` (at least that room is kept).
    pub fn with_capacity(max_datagrams: usize, bytes: usize) -> Received {
        Received {
            buf: vec![0; bytes.max(DATAGRAM_ROOM)],
            used: 0,
            ends: Vec::with_capacity(max_datagrams),
            max_datagrams: max_datagrams.max(1),
            drops: Vec::new(),
            marks: Vec::with_capacity(max_datagrams),
            joined: 0,
        }
    }

    /// Where the next datagram is read to: at least [`DATAGRAM_ROOM`] bytes while the batch is
    /// not [`full`](Received::is_full).
    pub fn room(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.used..).unwrap_or_default()
    }

    /// The next `len` bytes of [`room`](Received::room) are a datagram; the kernel dropped
    /// `dropped_before` datagrams since the one before it (its receive buffer was full).
    pub fn commit(&mut self, len: usize, dropped_before: u64) {
        let len = len.min(self.buf.len().saturating_sub(self.used));
        if dropped_before > 0 {
            self.drops.push((self.ends.len(), dropped_before));
        }
        self.used += len;
        self.ends.push(self.used);
        self.marks.clear();
    }

    /// The next `len` bytes of [`room`](Received::room) are datagrams of `segment` bytes each,
    /// the last one possibly shorter (the kernel joined them: UDP receive offload, which only
    /// ever joins datagrams of one length, and says the length); the kernel dropped
    /// `dropped_before` datagrams right before the first. `segment` 0: one datagram.
    pub fn commit_segments(&mut self, len: usize, segment: usize, dropped_before: u64) {
        if segment == 0 || len <= segment {
            return self.commit(len, dropped_before);
        }
        let mut left = len;
        let mut dropped = dropped_before;
        loop {
            let n = left.min(segment);
            self.commit(n, dropped);
            self.joined = self.joined.saturating_add(1);
            dropped = 0;
            left = left.saturating_sub(n);
            if left == 0 {
                break;
            }
        }
    }

    /// Copy `datagram` in (tests, benchmarks, the fuzz target); `false` if it does not fit.
    pub fn push(&mut self, datagram: &[u8]) -> bool {
        let Some(dst) = self.room().get_mut(..datagram.len()) else {
            return false;
        };
        dst.copy_from_slice(datagram);
        self.commit(datagram.len(), 0);
        true
    }

    /// No room for another datagram: hand it on.
    pub fn is_full(&self) -> bool {
        self.ends.len() >= self.max_datagrams || self.buf.len().saturating_sub(self.used) < DATAGRAM_ROOM
    }

    /// Datagrams held.
    pub fn datagrams(&self) -> usize {
        self.ends.len()
    }

    /// Bytes of the datagrams held.
    pub fn bytes(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty() && self.drops.is_empty()
    }

    /// Datagrams the kernel dropped between the datagrams of this batch (and before its first).
    pub fn kernel_dropped(&self) -> u64 {
        self.drops.iter().fold(0u64, |a, (_, n)| a.saturating_add(*n))
    }

    /// Mark each datagram with `gate`'s verdict (the grammar, then the tag, §4).
    pub fn check(&mut self, gate: &Gate) {
        let mut marks = std::mem::take(&mut self.marks);
        marks.clear();
        marks.extend(self.datagrams_iter().map(|d| match gate.check(d) {
            Verdict::Malformed => Mark::Malformed,
            Verdict::Forged(claim) => Mark::Forged(claim),
            Verdict::Authentic(_) => Mark::Authentic,
        }));
        self.marks = marks;
    }

    /// Empty it for reuse, keeping its memory.
    pub fn clear(&mut self) {
        self.used = 0;
        self.ends.clear();
        self.drops.clear();
        self.marks.clear();
        self.joined = 0;
    }

    fn datagrams_iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(a, z)| self.buf.get(a..z).unwrap_or_default())
    }
}

/// Forged datagrams' claims remembered, to name a loss `authentication` (§9).
const MAX_FORGED_CLAIMS: usize = 1024;
/// Ranges of messages claimed by a receive-buffer overrun remembered, to name a loss `overrun`.
const MAX_OVERRUN_CLAIMS: usize = 1024;
/// Messages of refused sessions already reported `replayed`, remembered so as to report each once.
const MAX_REPLAYED_REPORTS: usize = 4096;

/// A message being decoded into a temporary file, block by block: each decoded block is written
/// at its place, and hashed in order (a block that comes early waits on disk for its turn).
struct Spill {
    file: File,
    path: PathBuf,
    message_len: u64,
    hasher: Sha256,
    sniff: NameSniff,
    /// Blocks `0..hashed` are hashed.
    hashed: u32,
    /// Blocks written and not yet hashed (they came before an earlier one).
    waiting: BTreeSet<u32>,
    trailer: [u8; TRAILER_LEN],
    /// Handed over to the writer: not removed when dropped.
    keep: bool,
}

impl Drop for Spill {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Spill {
    fn create(dir: &std::path::Path, session: u64, seq: u64, message_len: u64) -> std::io::Result<Spill> {
        let path = dir.join(format!(".{session:016x}-{seq}.partial"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        Ok(Spill {
            file,
            path,
            message_len,
            hasher: Sha256::new(),
            sniff: NameSniff::default(),
            hashed: 0,
            waiting: BTreeSet::new(),
            trailer: [0; TRAILER_LEN],
            keep: false,
        })
    }

    /// The message bytes of a block starting at `start` (the rest is trailer).
    fn message_part(&self, start: u64, len: usize) -> usize {
        usize::try_from(self.message_len.saturating_sub(start)).map_or(len, |m| m.min(len))
    }

    /// Block `b`, starting at byte `start` of message + trailer, is decoded: write its message
    /// bytes in place, keep its trailer bytes, and hash whatever is now contiguous.
    fn block_done(&mut self, b: u32, start: u64, full: u32, bytes: &[u8]) -> std::io::Result<()> {
        let n = self.message_part(start, bytes.len());
        let (message, trailer) = bytes.split_at(n);
        let from = usize::try_from(start.saturating_add(n as u64).saturating_sub(self.message_len)).unwrap_or(0);
        for (i, byte) in trailer.iter().enumerate() {
            if let Some(t) = self.trailer.get_mut(from.saturating_add(i)) {
                *t = *byte;
            }
        }
        self.file.write_all_at(message, start)?;
        if b != self.hashed {
            self.waiting.insert(b);
            return Ok(());
        }
        self.hasher.update(message);
        self.sniff.feed(message);
        self.hashed = self.hashed.saturating_add(1);
        let mut buf = Vec::new();
        while self.waiting.remove(&self.hashed) {
            let start = u64::from(self.hashed) * u64::from(full);
            buf.resize(self.message_part(start, full as usize), 0);
            self.file.read_exact_at(&mut buf, start)?;
            self.hasher.update(&buf);
            self.sniff.feed(&buf);
            self.hashed = self.hashed.saturating_add(1);
        }
        Ok(())
    }

    /// Every block is written and hashed: check the trailer, and hand the file over.
    fn finish(mut self) -> Result<([u8; 32], Spilled), LostReason> {
        let sha256: [u8; 32] = std::mem::take(&mut self.hasher).finalize().into();
        let (len, digest) = self.trailer.split_at(8);
        let len = <[u8; 8]>::try_from(len).map(u64::from_be_bytes).unwrap_or(u64::MAX);
        if len != self.message_len || digest != sha256 {
            return Err(LostReason::DigestMismatch);
        }
        self.keep = true;
        Ok((
            sha256,
            Spilled {
                path: self.path.clone(),
                len: self.message_len,
                name: self.sniff.name(&sha256),
            },
        ))
    }
}

enum Block {
    Decoding {
        len: u32,
        /// Source symbols as they arrive, each copied once at its place (`esi × T`); while no
        /// repair symbol is needed, this is the decoded block and RaptorQ is never called.
        source: Vec<u8>,
        /// Source symbols in `source`.
        sources: u32,
        /// Repair symbols held until there are enough symbols to decode with them.
        repair: Vec<EncodingPacket>,
        /// Made (from `source` and `repair`) once enough symbols arrived but a source one is missing.
        decoder: Option<Box<SourceBlockDecoder>>,
        seen: Vec<u64>,
        cost: usize,
    },
    Done(Vec<u8>),
    /// Decoded and written to the message's spill file.
    Written,
}

struct Message {
    header: DataHeader,
    /// Bytes of every block but the last (known from the first datagram).
    full_block: u32,
    blocks: BTreeMap<u32, Block>,
    spill: Option<Spill>,
    decoded: u32,
    cost: usize,
    last_activity: Instant,
    arrival: u64,
}

struct Session {
    /// Every sequence number below this is finished (delivered or reported lost).
    floor: u64,
    /// Finished sequence numbers at or above `floor`.
    finished: BTreeSet<u64>,
    /// Sequence numbers up to this were announced by a heartbeat; at the next heartbeat, whatever
    /// of them is still unfinished is lost.
    announced: u64,
    in_flight: BTreeMap<u64, Message>,
    first_seen: u64,
}

impl Session {
    fn new(first_seen: u64) -> Session {
        Session {
            floor: 1,
            finished: BTreeSet::new(),
            announced: 0,
            in_flight: BTreeMap::new(),
            first_seen,
        }
    }

    fn is_finished(&self, seq: u64) -> bool {
        seq < self.floor || self.finished.contains(&seq)
    }
}

/// The socket-free receiver core.
pub struct Reassembler {
    cfg: ReassemblerConfig,
    gate: Gate,
    sessions: HashMap<u64, Session>,
    retired: VecDeque<u64>,
    newest_start: u64,
    in_flight_messages: usize,
    in_flight_bytes: usize,
    arrivals: u64,
    last_expiry: Option<Instant>,
    /// The session and time of the last authentic datagram.
    last_heard: Option<(u64, Instant)>,
    /// (session, sequence) claimed by datagrams whose tag failed, newest last: unproven, they
    /// only name why a message that is lost anyway was lost (`authentication`).
    forged: BTreeSet<(u64, u64)>,
    forged_order: VecDeque<(u64, u64)>,
    /// Messages of refused sessions reported `replayed` already.
    replayed: HashSet<(u64, u64)>,
    replayed_order: VecDeque<(u64, u64)>,
    stats: ReassemblerStats,
    /// Buffers of blocks written to their spill file, for the next blocks.
    spare: Vec<Vec<u8>>,
    /// The session and highest sequence number of the last authentic datagram of an admitted
    /// session (a pack's last message, a heartbeat's last sent).
    last_position: Option<(u64, u64)>,
    /// The kernel dropped datagrams after `last_position` and no authentic datagram came since.
    overrun_pending: bool,
    /// (session, first, last): messages that datagrams dropped by the kernel may have belonged
    /// to, newest last (at most [`MAX_OVERRUN_CLAIMS`]); they only ever rename a loss.
    overruns: VecDeque<(u64, u64, u64)>,
}

impl std::fmt::Debug for Reassembler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reassembler")
            .field("sessions", &self.sessions.len())
            .field("in_flight_messages", &self.in_flight_messages)
            .field("in_flight_bytes", &self.in_flight_bytes)
            .field("stats", &self.stats)
            .finish()
    }
}

impl Reassembler {
    pub fn new(cfg: ReassemblerConfig, key: &Key) -> Reassembler {
        Reassembler {
            gate: Gate {
                mac: key.mac(),
                limits: cfg.limits.clone(),
            },
            cfg,
            sessions: HashMap::new(),
            retired: VecDeque::new(),
            newest_start: 0,
            in_flight_messages: 0,
            in_flight_bytes: 0,
            arrivals: 0,
            last_expiry: None,
            last_heard: None,
            forged: BTreeSet::new(),
            forged_order: VecDeque::new(),
            replayed: HashSet::new(),
            replayed_order: VecDeque::new(),
            stats: ReassemblerStats::default(),
            spare: Vec::new(),
            last_position: None,
            overrun_pending: false,
            overruns: VecDeque::new(),
        }
    }

    /// A receiver core that remembers what `state` says is finished (after a restart, §7.1):
    /// its sessions keep their finished sequence numbers, its retired sessions stay refused, and
    /// a session that started before the newest one it knows is refused.
    pub fn with_state(cfg: ReassemblerConfig, key: &Key, state: &ReplayState) -> Reassembler {
        let mut rx = Reassembler::new(cfg, key);
        for id in state.retired() {
            rx.retired.push_back(id);
        }
        // Ids are time-ordered: past `max_sessions`, the oldest are the ones retired.
        let sessions: Vec<_> = state.sessions().collect();
        let excess = sessions.len().saturating_sub(rx.cfg.max_sessions.max(1));
        for (i, (id, finished)) in sessions.into_iter().enumerate() {
            if i < excess {
                rx.retired.push_back(id);
                continue;
            }
            rx.arrivals += 1;
            let mut s = Session::new(rx.arrivals);
            let window = rx.cfg.max_finished_window;
            for (first, last) in finished.ranges() {
                if first <= s.floor {
                    s.floor = s.floor.max(last.saturating_add(1));
                    continue;
                }
                let len = usize::try_from(last.saturating_sub(first)).unwrap_or(usize::MAX);
                if s.finished.len().saturating_add(len) >= window {
                    // Too many to list one by one: everything up to here counts as finished
                    // (refusing more after a restart, never accepting more).
                    s.floor = last.saturating_add(1);
                    s.finished.clear();
                    continue;
                }
                s.finished.extend(first..=last);
            }
            rx.sessions.insert(id, s);
        }
        while rx.retired.len() > rx.cfg.max_retired_sessions {
            rx.retired.pop_front();
        }
        rx.newest_start = state.newest_start();
        rx
    }

    pub fn stats(&self) -> &ReassemblerStats {
        &self.stats
    }

    /// The session of the last authentic datagram (data or heartbeat) and when it came.
    pub fn last_heard(&self) -> Option<(u64, Instant)> {
        self.last_heard
    }

    /// Messages being rebuilt now.
    pub fn in_flight_messages(&self) -> usize {
        self.in_flight_messages
    }

    /// Bytes charged against `max_in_flight_bytes` now.
    pub fn in_flight_bytes(&self) -> usize {
        self.in_flight_bytes
    }

    /// Take one datagram received at `now`; push what became of any message onto `out`.
    pub fn push(&mut self, datagram: &[u8], now: Instant, out: &mut Vec<Event>) {
        match self.gate.check(datagram) {
            Verdict::Malformed => {
                self.stats.datagrams += 1;
                self.stats.dropped_malformed += 1;
            }
            Verdict::Forged(claim) => {
                self.stats.datagrams += 1;
                self.forged_datagram(claim);
            }
            Verdict::Authentic(frame) => self.authentic(frame, now, out),
        }
    }

    /// Take a batch of datagrams as the socket thread read them, in order, at `now`: the
    /// kernel's drops between them are counted (and name the messages they hit, `overrun`), and
    /// each datagram goes on as in [`Reassembler::push`], its gate check done already when the
    /// batch was [checked](Received::check) by a gate with this reassembler's key and limits
    /// ([`Reassembler::gate`]), else done here.
    pub fn push_received(&mut self, batch: &Received, now: Instant, out: &mut Vec<Event>) {
        let checked = batch.marks.len() == batch.ends.len();
        self.stats.joined = self.stats.joined.saturating_add(batch.joined);
        let mut drops = batch.drops.iter().peekable();
        for (i, datagram) in batch.datagrams_iter().enumerate() {
            while let Some((_, n)) = drops.next_if(|(at, _)| *at <= i) {
                self.kernel_dropped(*n);
            }
            if !checked {
                self.push(datagram, now, out);
                continue;
            }
            match batch.marks.get(i) {
                Some(Mark::Authentic) => match frame::parse(datagram, &self.gate.limits) {
                    // Parsed again (a few dozen comparisons): only what passed the gate is stored.
                    Ok(frame) => self.authentic(frame, now, out),
                    Err(_) => {
                        self.stats.datagrams += 1;
                        self.stats.dropped_malformed += 1;
                    }
                },
                Some(Mark::Forged(claim)) => {
                    self.stats.datagrams += 1;
                    self.forged_datagram(*claim);
                }
                Some(Mark::Malformed) | None => {
                    self.stats.datagrams += 1;
                    self.stats.dropped_malformed += 1;
                }
            }
        }
        for (_, n) in drops {
            self.kernel_dropped(*n);
        }
    }

    /// The kernel dropped `n` datagrams before the next one this reassembler takes (the
    /// socket's receive buffer was full: `SO_RXQ_OVFL`). They are counted, and the messages
    /// between the last authentic datagram taken and the next one are claimed by the overrun:
    /// if they are lost for want of datagrams, they are named `overrun` (§9).
    pub fn kernel_dropped(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        self.stats.kernel_dropped = self.stats.kernel_dropped.saturating_add(n);
        self.overrun_pending = true;
    }

    /// A gate with this reassembler's key and limits, for a thread of its own.
    pub fn gate(&self) -> Gate {
        self.gate.clone()
    }

    fn forged_datagram(&mut self, claim: Option<(u64, u64)>) {
        self.stats.dropped_forged += 1;
        if let Some((session, seq)) = claim {
            self.remember_forged(session, seq);
        }
    }

    /// A datagram whose tag verified (§4): only now is any state looked at.
    fn authentic(&mut self, frame: frame::Frame<'_>, now: Instant, out: &mut Vec<Event>) {
        self.stats.datagrams += 1;
        let session = frame.header.session;
        if !self.admit_session(session, out) {
            self.stats.dropped_replayed += 1;
            // A retired session's messages were delivered or reported already: its replay is
            // only counted. A session never seen that started before the newest one is a
            // sender whose clock went back, or a capture older than this receiver's memory:
            // each of its messages is named lost, `replayed`, once.
            if let Kind::Data(_) = frame.header.kind
                && !self.retired.contains(&session)
            {
                self.report_replayed(session, frame.header.sequence, out);
            }
            return;
        }
        // A replayed capture of a retired or older session does not count as the sender heard.
        self.last_heard = Some((session, now));
        let (lo, hi) = match frame.header.kind {
            Kind::Data(d) => (
                frame.header.sequence,
                frame.header.sequence.saturating_add(u64::from(d.count.max(1)) - 1),
            ),
            Kind::Heartbeat => (frame.header.sequence, frame.header.sequence),
        };
        if self.overrun_pending {
            self.claim_overrun(session, lo, hi);
        }
        self.last_position = Some((session, hi));
        match frame.header.kind {
            Kind::Heartbeat => {
                self.stats.accepted += 1;
                self.stats.heartbeats += 1;
                self.heartbeat(session, frame.header.sequence, out);
            }
            Kind::Data(d) => self.data(session, frame.header.sequence, d, frame.payload, now, out),
        }
        if self
            .last_expiry
            .is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_millis(100))
        {
            self.tick(now, out);
        }
    }

    /// Give up messages idle for longer than the idle timeout. Call it when no datagram comes.
    pub fn tick(&mut self, now: Instant, out: &mut Vec<Event>) {
        self.last_expiry = Some(now);
        let timeout = self.cfg.idle_timeout;
        let stale: Vec<(u64, u64)> = self
            .sessions
            .iter()
            .flat_map(|(s, sess)| {
                sess.in_flight
                    .iter()
                    .filter(|(_, m)| now.saturating_duration_since(m.last_activity) > timeout)
                    .map(|(q, _)| (*s, *q))
            })
            .collect();
        for (s, q) in stale {
            self.give_up(s, q, LostReason::TimedOut, out);
        }
    }

    /// Give up every message in flight (the receiver is stopping).
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        let all: Vec<(u64, u64)> = self
            .sessions
            .iter()
            .flat_map(|(s, sess)| sess.in_flight.keys().map(|q| (*s, *q)))
            .collect();
        for (s, q) in all {
            self.give_up(s, q, LostReason::ReceiverStopped, out);
        }
    }

    // §7 a session is admitted if known, or new, not retired and not older than the newest
    fn admit_session(&mut self, session: u64, out: &mut Vec<Event>) -> bool {
        if self.sessions.contains_key(&session) {
            return true;
        }
        let start = session >> 32;
        if start < self.newest_start || self.retired.contains(&session) {
            return false;
        }
        while self.sessions.len() >= self.cfg.max_sessions.max(1) {
            let Some(oldest) = self
                .sessions
                .iter()
                .min_by_key(|(id, s)| (**id >> 32, s.first_seen))
                .map(|(id, _)| *id)
            else {
                break;
            };
            self.retire(oldest, out);
        }
        self.newest_start = start;
        self.arrivals += 1;
        self.sessions.insert(session, Session::new(self.arrivals));
        true
    }

    fn retire(&mut self, session: u64, out: &mut Vec<Event>) {
        let seqs: Vec<u64> = self
            .sessions
            .get(&session)
            .map(|s| s.in_flight.keys().copied().collect())
            .unwrap_or_default();
        for q in seqs {
            self.give_up(session, q, LostReason::SessionEvicted, out);
        }
        self.sessions.remove(&session);
        self.retired.push_back(session);
        while self.retired.len() > self.cfg.max_retired_sessions {
            self.retired.pop_front();
        }
    }

    // §6 heartbeat: what the previous heartbeat announced and is still unfinished is lost
    fn heartbeat(&mut self, session: u64, last_sent: u64, out: &mut Vec<Event>) {
        let Some(s) = self.sessions.get(&session) else { return };
        let cutoff = s.announced;
        if cutoff >= s.floor {
            self.finish_through(session, cutoff, LostReason::Incomplete, LostReason::Missing, out);
        }
        if let Some(s) = self.sessions.get_mut(&session) {
            s.announced = s.announced.max(last_sent);
        }
    }

    /// Finish every sequence number up to `cutoff`: in-flight ones are lost for `in_flight_reason`,
    /// never-seen ones for `gap_reason`; then raise the floor past `cutoff`.
    fn finish_through(
        &mut self,
        session: u64,
        cutoff: u64,
        in_flight_reason: LostReason,
        gap_reason: LostReason,
        out: &mut Vec<Event>,
    ) {
        let pending: Vec<u64> = self
            .sessions
            .get(&session)
            .map(|s| s.in_flight.range(..=cutoff).map(|(q, _)| *q).collect())
            .unwrap_or_default();
        for q in pending {
            self.give_up(session, q, in_flight_reason, out);
        }
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let mut next = s.floor;
        let mut gaps = Vec::new();
        for &done in s.finished.range(..=cutoff) {
            if done > next {
                gaps.push((next, done - 1));
            }
            next = done.saturating_add(1);
        }
        if next <= cutoff {
            gaps.push((next, cutoff));
        }
        s.finished = s.finished.split_off(&cutoff.saturating_add(1));
        s.floor = s.floor.max(cutoff.saturating_add(1));
        for (first, last) in gaps {
            self.lose(
                Lost {
                    session,
                    first,
                    last,
                    reason: gap_reason,
                },
                out,
            );
        }
    }

    /// Mark `seq` finished, and keep the remembered window within its cap.
    fn mark_finished(&mut self, session: u64, seq: u64, out: &mut Vec<Event>) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.finished.insert(seq);
        while s.finished.first() == Some(&s.floor) {
            s.finished.pop_first();
            s.floor = s.floor.saturating_add(1);
        }
        if s.finished.len() > self.cfg.max_finished_window {
            let Some(&lowest) = s.finished.first() else { return };
            self.finish_through(session, lowest, LostReason::Window, LostReason::Window, out);
        }
    }

    /// Take a message out of flight, giving its memory back.
    fn take_in_flight(&mut self, session: u64, seq: u64) -> Option<Message> {
        let m = self.sessions.get_mut(&session)?.in_flight.remove(&seq)?;
        self.release(m.cost);
        self.in_flight_messages = self.in_flight_messages.saturating_sub(1);
        Some(m)
    }

    fn report_lost(&mut self, session: u64, seq: u64, reason: LostReason, out: &mut Vec<Event>) {
        self.lose(
            Lost {
                session,
                first: seq,
                last: seq,
                reason,
            },
            out,
        );
    }

    /// The kernel dropped datagrams between the last authentic datagram and this one, of
    /// `session`, messages `lo..=hi`: claim the messages in between for the overrun.
    fn claim_overrun(&mut self, session: u64, lo: u64, hi: u64) {
        self.overrun_pending = false;
        let (first, last) = match self.last_position {
            Some((s, q)) if s == session => (q.min(lo), q.max(hi)),
            Some((s, q)) => {
                // Another session before the drop: its last message, and this one's from its start.
                self.remember_overrun(s, q, q);
                (1, hi)
            }
            None => (1, hi),
        };
        self.remember_overrun(session, first, last);
    }

    fn remember_overrun(&mut self, session: u64, first: u64, last: u64) {
        self.overruns.push_back((session, first, last));
        while self.overruns.len() > MAX_OVERRUN_CLAIMS {
            self.overruns.pop_front();
        }
    }

    /// Report `l`, counted in the totals. A message lost for want of datagrams (incomplete,
    /// missing, timed out) that an overrun of the kernel's receive buffer claimed is named
    /// `overrun` instead, and one that forged datagrams claimed `authentication` (that wins).
    fn lose(&mut self, l: Lost, out: &mut Vec<Event>) {
        if !matches!(
            l.reason,
            LostReason::Incomplete | LostReason::Missing | LostReason::TimedOut
        ) {
            self.record_lost(l, out);
            return;
        }
        let mut claims: Vec<(u64, u64)> = self
            .overruns
            .iter()
            .filter(|(s, _, _)| *s == l.session)
            .map(|(_, a, b)| (*a, *b))
            .collect();
        // Dropped after the last datagram of this session, and nothing came since.
        if self.overrun_pending
            && let Some((s, q)) = self.last_position
            && s == l.session
        {
            claims.push((q, u64::MAX));
        }
        claims.retain(|(a, b)| *a <= l.last && *b >= l.first);
        claims.sort_unstable();
        let mut next = l.first;
        for (a, b) in claims {
            let (a, b) = (a.max(next), b.min(l.last));
            if a > b {
                continue;
            }
            if a > next {
                self.lose_forged(
                    Lost {
                        first: next,
                        last: a - 1,
                        ..l
                    },
                    out,
                );
            }
            self.lose_forged(
                Lost {
                    first: a,
                    last: b,
                    reason: LostReason::Overrun,
                    ..l
                },
                out,
            );
            if b >= l.last {
                return;
            }
            next = b + 1;
        }
        self.lose_forged(Lost { first: next, ..l }, out);
    }

    /// Report `l`; the messages in it that forged datagrams claimed are named `authentication`.
    fn lose_forged(&mut self, l: Lost, out: &mut Vec<Event>) {
        let forged: Vec<u64> = self
            .forged
            .range((l.session, l.first)..=(l.session, l.last))
            .map(|(_, q)| *q)
            .collect();
        let mut next = l.first;
        let mut rest = true;
        for q in forged {
            rest = q < l.last;
            if q > next {
                self.record_lost(
                    Lost {
                        first: next,
                        last: q - 1,
                        ..l
                    },
                    out,
                );
            }
            self.record_lost(
                Lost {
                    first: q,
                    last: q,
                    reason: LostReason::Authentication,
                    ..l
                },
                out,
            );
            next = q.saturating_add(1);
        }
        if rest && next <= l.last {
            self.record_lost(Lost { first: next, ..l }, out);
        }
    }

    fn record_lost(&mut self, l: Lost, out: &mut Vec<Event>) {
        let n = l.last.saturating_sub(l.first).saturating_add(1);
        self.stats.lost = self.stats.lost.saturating_add(n);
        self.stats.lost_by_reason.add(l.reason, n);
        out.push(Event::Lost(l));
    }

    fn remember_forged(&mut self, session: u64, seq: u64) {
        if self.forged.insert((session, seq)) {
            self.forged_order.push_back((session, seq));
            while self.forged_order.len() > MAX_FORGED_CLAIMS {
                if let Some(old) = self.forged_order.pop_front() {
                    self.forged.remove(&old);
                }
            }
        }
    }

    /// An authentic datagram of a refused session: its message is reported `replayed`, once.
    fn report_replayed(&mut self, session: u64, seq: u64, out: &mut Vec<Event>) {
        if self.replayed.insert((session, seq)) {
            self.replayed_order.push_back((session, seq));
            while self.replayed_order.len() > MAX_REPLAYED_REPORTS {
                if let Some(old) = self.replayed_order.pop_front() {
                    self.replayed.remove(&old);
                }
            }
            self.report_lost(session, seq, LostReason::Replayed, out);
        }
    }

    /// Drop a message in flight and report it lost.
    fn give_up(&mut self, session: u64, seq: u64, reason: LostReason, out: &mut Vec<Event>) {
        if let Some(m) = self.take_in_flight(session, seq) {
            // A pack is lost whole: every message in it, as one range.
            let last = seq.saturating_add(u64::from(m.header.count.max(1)) - 1);
            drop(m);
            self.lose(
                Lost {
                    session,
                    first: seq,
                    last,
                    reason,
                },
                out,
            );
            for q in seq..=last {
                self.mark_finished(session, q, out);
            }
        }
    }

    fn release(&mut self, bytes: usize) {
        self.in_flight_bytes = self.in_flight_bytes.saturating_sub(bytes);
    }

    /// The oldest message in flight other than `keep`.
    fn oldest_except(&self, keep: (u64, u64)) -> Option<(u64, u64)> {
        self.sessions
            .iter()
            .flat_map(|(s, sess)| sess.in_flight.iter().map(move |(q, m)| (m.arrival, *s, *q)))
            .filter(|(_, s, q)| (*s, *q) != keep)
            .min()
            .map(|(_, s, q)| (s, q))
    }

    /// Make room for `bytes` more, giving up the oldest other messages. False if even that fails.
    fn reserve(&mut self, keep: (u64, u64), bytes: usize, out: &mut Vec<Event>) -> bool {
        while self.in_flight_bytes.saturating_add(bytes) > self.cfg.max_in_flight_bytes {
            let Some((s, q)) = self.oldest_except(keep) else {
                return false;
            };
            self.give_up(s, q, LostReason::MemoryCap, out);
        }
        // Giving up others may have finished `keep` too (the finished window); then charge nothing.
        let Some(m) = self
            .sessions
            .get_mut(&keep.0)
            .and_then(|s| s.in_flight.get_mut(&keep.1))
        else {
            return false;
        };
        m.cost = m.cost.saturating_add(bytes);
        self.in_flight_bytes = self.in_flight_bytes.saturating_add(bytes);
        true
    }

    fn data(&mut self, session: u64, seq: u64, d: DataHeader, payload: &[u8], now: Instant, out: &mut Vec<Event>) {
        let key = (session, seq);
        let Some(s) = self.sessions.get(&session) else { return };
        if s.is_finished(seq) {
            self.stats.dropped_surplus += 1;
            return;
        }
        if !s.in_flight.contains_key(&seq) && !self.open_message(key, d, now, out) {
            self.stats.accepted += 1;
            return;
        }
        let Some(m) = self.sessions.get_mut(&session).and_then(|s| s.in_flight.get_mut(&seq)) else {
            return;
        };
        let h = m.header;
        if (h.message_len, h.block_count, h.symbol_size, h.count)
            != (d.message_len, d.block_count, d.symbol_size, d.count)
            || full_block(&d) != Some(m.full_block)
        {
            self.stats.dropped_inconsistent += 1;
            return;
        }
        m.last_activity = now;
        let k = d.source_symbols();
        let need = match m.blocks.get(&d.block) {
            Some(Block::Done(_) | Block::Written) => {
                self.stats.dropped_surplus += 1;
                return;
            }
            Some(Block::Decoding {
                len,
                seen,
                source,
                decoder,
                ..
            }) => {
                if *len != d.block_len {
                    self.stats.dropped_inconsistent += 1;
                    return;
                }
                if bit(seen, d.symbol_id) {
                    self.stats.dropped_surplus += 1;
                    return;
                }
                let gap = if decoder.is_none() {
                    source_gap(&d, k, source.len())
                } else {
                    0
                };
                usize::from(d.symbol_size)
                    .saturating_add(SYMBOL_COST)
                    .saturating_add(gap)
            }
            None => {
                let bits = (d.max_symbol_id() as usize).saturating_add(1);
                usize::from(d.symbol_size)
                    .saturating_add(SYMBOL_COST)
                    .saturating_add(BLOCK_COST)
                    .saturating_add(bits / 8)
                    .saturating_add((k as usize).saturating_mul(SYMBOL_COST))
                    .saturating_add(source_gap(&d, k, 0))
            }
        };
        self.stats.accepted += 1;
        if !self.reserve(key, need, out) {
            self.give_up(session, seq, LostReason::MemoryCap, out);
            return;
        }
        let Some(m) = self.sessions.get_mut(&session).and_then(|s| s.in_flight.get_mut(&seq)) else {
            return;
        };
        let spare = &mut self.spare;
        let block = m.blocks.entry(d.block).or_insert_with(|| {
            let words = (d.max_symbol_id() as usize).saturating_add(1).div_ceil(64);
            Block::Decoding {
                len: d.block_len,
                source: spare_buffer(spare, &d, k),
                sources: 0,
                repair: Vec::new(),
                decoder: None,
                seen: vec![0; words],
                cost: 0,
            }
        });
        let Block::Decoding {
            decoder,
            seen,
            cost,
            len,
            source,
            sources,
            repair,
        } = block
        else {
            return;
        };
        set_bit(seen, d.symbol_id);
        *cost = cost.saturating_add(need);
        let result = add_symbol(&d, k, payload, source, sources, repair, decoder, seen);
        let block_len = *len as usize;
        let block_cost = *cost;
        let repaired = matches!(result, Ok(Some(_))) && (k..=d.max_symbol_id()).any(|id| bit(seen, id));
        match result {
            Ok(None) => {}
            Ok(Some(mut bytes)) => {
                if repaired {
                    self.stats.repaired_blocks += 1;
                }
                bytes.truncate(block_len);
                m.decoded = m.decoded.saturating_add(1);
                let complete = m.decoded == m.header.block_count;
                // The decoder's symbols are freed; the decoded block is kept in memory, or
                // written to the spill file (and only its bookkeeping stays charged).
                m.cost = m.cost.saturating_sub(block_cost);
                self.release(block_cost);
                let Some(m) = self.sessions.get_mut(&session).and_then(|s| s.in_flight.get_mut(&seq)) else {
                    return;
                };
                let written = m.spill.as_mut().map(|sp| {
                    let start = u64::from(d.block) * u64::from(m.full_block);
                    sp.block_done(d.block, start, m.full_block, &bytes)
                });
                let keep = match written {
                    None => {
                        m.blocks.insert(d.block, Block::Done(bytes));
                        block_len
                    }
                    Some(Ok(())) => {
                        if let Some(Block::Decoding { source, .. }) = m.blocks.insert(d.block, Block::Written) {
                            recycle(&mut self.spare, source);
                        }
                        recycle(&mut self.spare, bytes);
                        0
                    }
                    Some(Err(e)) => {
                        tracing::error!(error = %e, session = %format!("{session:016x}"), seq,
                            "cannot write a message being received to the spool");
                        self.give_up(session, seq, LostReason::WriteFailed, out);
                        return;
                    }
                };
                if !self.reserve(key, keep, out) {
                    self.give_up(session, seq, LostReason::MemoryCap, out);
                } else if complete {
                    self.complete(session, seq, out);
                }
            }
            Err(_) => self.give_up(session, seq, LostReason::DecodeFailed, out),
        }
    }

    /// Start rebuilding a message; false if it is refused (and so reported lost).
    fn open_message(&mut self, key: (u64, u64), d: DataHeader, now: Instant, out: &mut Vec<Event>) -> bool {
        let (session, seq) = key;
        let last = seq.saturating_add(u64::from(d.count.max(1)) - 1);
        let refuse = |rx: &mut Reassembler, reason, out: &mut Vec<Event>| {
            rx.lose(
                Lost {
                    session,
                    first: seq,
                    last,
                    reason,
                },
                out,
            );
            for q in seq..=last {
                rx.mark_finished(session, q, out);
            }
            false
        };
        // A message over the limit is refused whole, at its first authentic datagram (§9). A
        // pack is bounded by the grammar; its messages are checked one by one when unpacked.
        if d.count == 0 && d.message_len > self.cfg.limits.max_message_bytes {
            tracing::warn!(session = %format!("{session:016x}"), seq, bytes = d.message_len,
                limit = self.cfg.limits.max_message_bytes, "too-large: message over max_message_bytes");
            return refuse(self, LostReason::TooLarge, out);
        }
        let Some(full) = full_block(&d) else {
            self.stats.dropped_inconsistent += 1;
            return false;
        };
        let spill_dir = self
            .cfg
            .spill
            .clone()
            .filter(|_| d.message_len > self.cfg.spill_above && d.count == 0);
        let total = usize::try_from(d.message_len)
            .unwrap_or(usize::MAX)
            .saturating_add(TRAILER_LEN);
        if spill_dir.is_none() && total.saturating_add(MESSAGE_COST) > self.cfg.max_in_flight_bytes {
            return refuse(self, LostReason::MemoryCap, out);
        }
        let spill = match spill_dir.map(|dir| Spill::create(&dir, session, seq, d.message_len)) {
            None => None,
            Some(Ok(sp)) => {
                self.stats.spilled += 1;
                Some(sp)
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "cannot create a temporary file for a large message in the spool");
                return refuse(self, LostReason::WriteFailed, out);
            }
        };
        while self.in_flight_messages >= self.cfg.max_in_flight_messages.max(1) {
            let Some((s, q)) = self.oldest_except(key) else { break };
            self.give_up(s, q, LostReason::MemoryCap, out);
        }
        self.arrivals += 1;
        let m = Message {
            header: d,
            full_block: full,
            blocks: BTreeMap::new(),
            spill,
            decoded: 0,
            cost: 0,
            last_activity: now,
            arrival: self.arrivals,
        };
        let Some(s) = self.sessions.get_mut(&session) else {
            return false;
        };
        s.in_flight.insert(seq, m);
        self.in_flight_messages += 1;
        if !self.reserve(key, MESSAGE_COST, out) {
            self.give_up(session, seq, LostReason::MemoryCap, out);
            return false;
        }
        true
    }

    // §5 the message is the blocks in order; its trailer gives its length and SHA-256
    fn complete(&mut self, session: u64, seq: u64, out: &mut Vec<Event>) {
        let Some(mut m) = self.take_in_flight(session, seq) else {
            return;
        };
        let count = m.header.count;
        let result = match m.spill.take() {
            Some(sp) => sp.finish().map(|(sha256, file)| (Vec::new(), sha256, Some(file))),
            None => assemble(m).map(|(data, sha256)| (data, sha256, None)),
        };
        if count > 0 {
            match result {
                Ok((body, _, _)) => self.unpack(session, seq, count, &body, out),
                Err(reason) => {
                    let last = seq.saturating_add(u64::from(count) - 1);
                    self.lose(
                        Lost {
                            session,
                            first: seq,
                            last,
                            reason,
                        },
                        out,
                    );
                    for q in seq..=last {
                        self.mark_finished(session, q, out);
                    }
                }
            }
            return;
        }
        match result {
            Ok((data, sha256, file)) => {
                let d = Delivered {
                    session,
                    sequence: seq,
                    sha256,
                    data,
                    file,
                };
                self.stats.delivered += 1;
                self.stats.delivered_bytes += d.len();
                out.push(Event::Delivered(d));
            }
            Err(reason) => self.report_lost(session, seq, reason, out),
        }
        self.mark_finished(session, seq, out);
    }
}

impl Reassembler {
    /// §5.4 a verified pack: `count` messages, each a 4-byte length and its bytes, numbered
    /// from `first`. A pack whose records do not fill it exactly is lost whole (`decode-failed`:
    /// its sender is broken); a message in it over `max_message_bytes` is lost (`too-large`).
    fn unpack(&mut self, session: u64, first: u64, count: u16, body: &[u8], out: &mut Vec<Event>) {
        let last = first.saturating_add(u64::from(count) - 1);
        let mut items = Vec::with_capacity(usize::from(count));
        let mut rest = body;
        for _ in 0..count {
            let Some((len, tail)) = rest.split_first_chunk::<4>() else {
                break;
            };
            let Some((item, tail)) = tail.split_at_checked(u32::from_be_bytes(*len) as usize) else {
                break;
            };
            items.push(item);
            rest = tail;
        }
        if items.len() != usize::from(count) || !rest.is_empty() {
            self.lose(
                Lost {
                    session,
                    first,
                    last,
                    reason: LostReason::DecodeFailed,
                },
                out,
            );
        } else {
            for (q, item) in (first..=last).zip(items) {
                if item.len() as u64 > self.cfg.limits.max_message_bytes {
                    self.report_lost(session, q, LostReason::TooLarge, out);
                    continue;
                }
                self.stats.delivered += 1;
                self.stats.delivered_bytes += item.len() as u64;
                out.push(Event::Delivered(Delivered {
                    session,
                    sequence: q,
                    sha256: Sha256::digest(item).into(),
                    data: item.to_vec(),
                    file: None,
                }));
            }
        }
        for q in first..=last {
            self.mark_finished(session, q, out);
        }
    }
}

/// Zero bytes a source symbol of `d` would leave before it in a block's `source` buffer now
/// `have` bytes long (it came before an earlier one): charged like the symbols themselves.
fn source_gap(d: &DataHeader, k: u32, have: usize) -> usize {
    if d.symbol_id >= k {
        return 0;
    }
    (d.symbol_id as usize)
        .saturating_mul(usize::from(d.symbol_size))
        .saturating_sub(have)
}

/// Decoded-block buffers kept for the next block (what a block of a large message needs at the
/// default MTU and block size, several times over): no fresh pages per block.
const MAX_SPARE_BUFFERS: usize = 2;
const MAX_SPARE_CAPACITY: usize = 4 << 20;

/// An empty buffer for `d`'s block of `k` source symbols: a spare one, or a new one with room
/// for the block (up to [`MAX_SPARE_CAPACITY`]; past that it grows as symbols come).
fn spare_buffer(spare: &mut Vec<Vec<u8>>, d: &DataHeader, k: u32) -> Vec<u8> {
    let want = (k as usize)
        .saturating_mul(usize::from(d.symbol_size))
        .min(MAX_SPARE_CAPACITY);
    match spare.pop() {
        Some(mut v) => {
            v.clear();
            v.reserve_exact(want);
            v
        }
        None => Vec::with_capacity(want),
    }
}

fn recycle(spare: &mut Vec<Vec<u8>>, v: Vec<u8>) {
    if spare.len() < MAX_SPARE_BUFFERS && v.capacity() > 0 && v.capacity() <= MAX_SPARE_CAPACITY {
        spare.push(v);
    }
}

/// Add one symbol (not seen before in this block) of `d`'s block of `k` source symbols: the
/// block's bytes once they are all there. A source symbol is copied into `source` at its place;
/// when every source symbol came, `source` is the block (RFC 6330 is systematic) and RaptorQ is
/// not needed. Only when `k` symbols are in and some source symbol is missing is a RaptorQ
/// decoder made, fed with what came, and used for every symbol after. `Err`: the decoder
/// panicked (fail secure: the message is lost, never the receiver).
#[allow(clippy::too_many_arguments)]
fn add_symbol(
    d: &DataHeader,
    k: u32,
    payload: &[u8],
    source: &mut Vec<u8>,
    sources: &mut u32,
    repair: &mut Vec<EncodingPacket>,
    decoder: &mut Option<Box<SourceBlockDecoder>>,
    seen: &[u64],
) -> Result<Option<Vec<u8>>, ()> {
    let packet = |data: &[u8]| EncodingPacket::new(PayloadId::new(0, d.symbol_id), data.to_vec());
    if let Some(dec) = decoder.as_mut() {
        let p = packet(payload);
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dec.decode([p]))).map_err(|_| ());
    }
    let t = usize::from(d.symbol_size);
    if d.symbol_id < k {
        let at = (d.symbol_id as usize).saturating_mul(t);
        if at >= source.len() {
            source.resize(at, 0);
            source.extend_from_slice(payload);
        } else if let Some(dst) = source.get_mut(at..at.saturating_add(t)) {
            dst.copy_from_slice(payload);
        }
        *sources = sources.saturating_add(1);
        if *sources == k {
            return Ok(Some(std::mem::take(source)));
        }
    } else {
        repair.push(packet(payload));
    }
    if (*sources as usize).saturating_add(repair.len()) < k as usize {
        return Ok(None);
    }
    // Enough symbols, a source one missing: RaptorQ from here on.
    let oti = ObjectTransmissionInformation::new(u64::from(d.block_len), d.symbol_size, 1, 1, 1);
    let mut packets = std::mem::take(repair);
    for esi in (0..k).filter(|&esi| bit(seen, esi)) {
        let at = (esi as usize).saturating_mul(t);
        if let Some(sym) = source.get(at..at.saturating_add(t)) {
            packets.push(EncodingPacket::new(PayloadId::new(0, esi), sym.to_vec()));
        }
    }
    *source = Vec::new();
    let mut dec = Box::new(SourceBlockDecoder::new(0, &oti, u64::from(d.block_len)));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dec.decode(packets))).map_err(|_| ());
    *decoder = Some(dec);
    result
}

/// Bytes of every block of `d`'s message but the last, as `d` implies them (§5.1: the blocks
/// but the last are equal, the last one is the rest); `None` if its fields cannot agree.
fn full_block(d: &DataHeader) -> Option<u32> {
    let total = d.message_len.checked_add(TRAILER_LEN as u64)?;
    let len = u64::from(d.block_len);
    let last = d.block.checked_add(1)? == d.block_count;
    let full = if !last {
        len
    } else if d.block_count == 1 {
        (len == total).then_some(len)?
    } else {
        let others = u64::from(d.block_count - 1);
        let rest = total.checked_sub(len)?;
        (rest % others == 0 && rest / others >= len).then_some(rest / others)?
    };
    // The blocks before the last must not cover the whole message + trailer already.
    let before_last = full.checked_mul(u64::from(d.block_count - 1))?;
    (before_last < total).then_some(())?;
    u32::try_from(full).ok()
}

/// Concatenate the decoded blocks, split off the trailer, and check length and digest.
fn assemble(m: Message) -> Result<(Vec<u8>, [u8; 32]), LostReason> {
    let expected = usize::try_from(m.header.message_len).map_err(|_| LostReason::TooLarge)?;
    let total: usize = m
        .blocks
        .values()
        .map(|b| if let Block::Done(v) = b { v.len() } else { 0 })
        .sum();
    if total != expected.saturating_add(TRAILER_LEN) {
        return Err(LostReason::DigestMismatch);
    }
    let mut data = Vec::with_capacity(total);
    for b in m.blocks.into_values() {
        let Block::Done(v) = b else {
            return Err(LostReason::Incomplete);
        };
        data.extend_from_slice(&v);
    }
    let trailer = data.split_off(expected);
    let (len_bytes, digest) = trailer.split_at_checked(8).ok_or(LostReason::DigestMismatch)?;
    let len = <[u8; 8]>::try_from(len_bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| LostReason::DigestMismatch)?;
    let sha256: [u8; 32] = Sha256::digest(&data).into();
    if len != m.header.message_len || digest != sha256 {
        return Err(LostReason::DigestMismatch);
    }
    Ok((data, sha256))
}

fn bit(bits: &[u64], i: u32) -> bool {
    bits.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn set_bit(bits: &mut [u64], i: u32) {
    if let Some(w) = bits.get_mut(i as usize / 64) {
        *w |= 1 << (i % 64);
    }
}

#[cfg(test)]
mod tests {
    use super::Received;

    #[test]
    fn joined_datagrams_are_cut_at_the_segment_length_the_last_one_shorter() {
        let mut batch = Received::with_capacity(128, 1 << 18);
        let joined: Vec<u8> = (0..2 * 1464 + 100).map(|i| (i % 251) as u8).collect();
        batch.room()[..joined.len()].copy_from_slice(&joined);
        batch.commit_segments(joined.len(), 1464, 3);
        assert!(batch.push(b"alone"));
        batch.room()[..40].copy_from_slice(&[7; 40]);
        batch.commit_segments(40, 1464, 0);
        let got: Vec<&[u8]> = batch.datagrams_iter().collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], &joined[..1464]);
        assert_eq!(got[1], &joined[1464..2928]);
        assert_eq!(got[2], &joined[2928..]);
        assert_eq!(got[3], b"alone");
        assert_eq!(got[4], &[7; 40]);
        // The kernel's drops are put before the first datagram of the run, once.
        assert_eq!(batch.drops, vec![(0, 3)]);
        assert_eq!(batch.joined, 3);
        assert_eq!(batch.kernel_dropped(), 3);
    }
}
