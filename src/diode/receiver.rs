//! The receiving side: authenticate, reassemble, verify, and write each message atomically, or
//! say exactly which messages were lost and why.
//!
//! [`Reassembler`] is the socket-free core: datagram bytes in, [`Event`]s out, every byte it keeps
//! counted against [`ReassemblerConfig`]'s caps. [`run_receiver`] puts it behind a UDP socket that
//! can only be read, with a writer thread that spools messages and appends the audit file.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use raptorq::{EncodingPacket, ObjectTransmissionInformation, PayloadId, SourceBlockDecoder};
use sha2::{Digest, Sha256};

use super::frame::{self, DataHeader, FrameLimits, Kind, MacKey, TRAILER_LEN};
use super::state::{PendingRename, ReplayState, is_message_tmp, state_path};
use super::{DiodeError, Key};

/// Bytes charged for the bookkeeping of one message, one block and one kept symbol, on top of data.
const MESSAGE_COST: usize = 256;
const BLOCK_COST: usize = 128;
const SYMBOL_COST: usize = 48;

/// The receiver's bounds. Every field is a cap that a flood of authentic-looking or forged
/// datagrams runs into; `ReassemblerConfig::default()` is the safe setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReassemblerConfig {
    /// What the frame grammar accepts (datagram size, message size, block size).
    pub limits: FrameLimits,
    /// Messages being rebuilt at once. Interleaving senders need a few; a flood of first blocks
    /// must not grow the table, so past this the oldest is given up (reported lost).
    pub max_in_flight_messages: usize,
    /// Bytes held for messages being rebuilt (symbols, decoded blocks, bookkeeping). Past this the
    /// oldest messages are given up. Must hold at least one largest message.
    pub max_in_flight_bytes: usize,
    /// Sender sessions remembered at once (a restart makes a new one).
    pub max_sessions: usize,
    /// Retired session ids remembered, so that their replays are refused.
    pub max_retired_sessions: usize,
    /// Finished sequence numbers remembered above the contiguous floor, to refuse replays.
    pub max_finished_window: usize,
    /// A message with no new datagram for this long is given up (a sender that died mid-message).
    pub idle_timeout: Duration,
}

impl Default for ReassemblerConfig {
    fn default() -> Self {
        ReassemblerConfig {
            limits: FrameLimits {
                max_datagram: 65_507,
                max_message_bytes: 64 << 20,
                max_block_symbols: 8192,
            },
            max_in_flight_messages: 64,
            max_in_flight_bytes: 256 << 20,
            max_sessions: 4,
            max_retired_sessions: 1024,
            max_finished_window: 65_536,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

impl ReassemblerConfig {
    /// Tiny caps, to reach every limit path in tests and fuzzing.
    pub fn tiny() -> Self {
        ReassemblerConfig {
            limits: FrameLimits {
                max_datagram: 1472,
                max_message_bytes: 16 << 10,
                max_block_symbols: 64,
            },
            max_in_flight_messages: 4,
            max_in_flight_bytes: 64 << 10,
            max_sessions: 2,
            max_retired_sessions: 8,
            max_finished_window: 64,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Rebuilt completely; its length and SHA-256 match the trailer.
    Delivered(Delivered),
    /// One message, or a run of consecutive ones, that will never be delivered.
    Lost(Lost),
}

#[derive(Clone, PartialEq, Eq)]
pub struct Delivered {
    pub session: u64,
    pub sequence: u64,
    pub sha256: [u8; 32],
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivered")
            .field("session", &format_args!("{:016x}", self.session))
            .field("sequence", &self.sequence)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// Messages `first..=last` of `session` are lost, for `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    pub session: u64,
    pub first: u64,
    pub last: u64,
    pub reason: LostReason,
}

/// Why a message was not delivered: a closed list, each one goes to the audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LostReason {
    /// Some datagrams arrived, too few to rebuild it, and the sender has since moved on.
    Incomplete,
    /// A heartbeat says it was sent; not one of its datagrams arrived.
    Missing,
    /// No datagram for it within the idle timeout.
    TimedOut,
    /// Given up to keep within the in-flight message or byte cap.
    MemoryCap,
    /// Larger than the receiver accepts.
    TooLarge,
    /// Rebuilt, but its length or SHA-256 does not match its trailer.
    DigestMismatch,
    /// The decoder failed on it.
    DecodeFailed,
    /// Its session was evicted to make room for a newer one.
    SessionEvicted,
    /// Beyond the window of remembered sequence numbers.
    Window,
    /// The receiver stopped before it was complete.
    ReceiverStopped,
    /// Rebuilt, but writing it to the spool failed.
    WriteFailed,
}

impl LostReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Incomplete => "incomplete",
            LostReason::Missing => "missing",
            LostReason::TimedOut => "timed_out",
            LostReason::MemoryCap => "memory_cap",
            LostReason::TooLarge => "too_large",
            LostReason::DigestMismatch => "digest_mismatch",
            LostReason::DecodeFailed => "decode_failed",
            LostReason::SessionEvicted => "session_evicted",
            LostReason::Window => "window",
            LostReason::ReceiverStopped => "receiver_stopped",
            LostReason::WriteFailed => "write_failed",
        }
    }
}

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
    /// Blocks that could be decoded only with repair symbols (a source symbol was lost).
    #[serde(default)]
    pub repaired_blocks: u64,
}

enum Block {
    Decoding {
        len: u32,
        decoder: Box<SourceBlockDecoder>,
        seen: Vec<u64>,
        cost: usize,
    },
    Done(Vec<u8>),
}

struct Message {
    header: DataHeader,
    blocks: BTreeMap<u32, Block>,
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
    mac: MacKey,
    sessions: HashMap<u64, Session>,
    retired: VecDeque<u64>,
    newest_start: u64,
    in_flight_messages: usize,
    in_flight_bytes: usize,
    arrivals: u64,
    last_expiry: Option<Instant>,
    /// The session and time of the last authentic datagram.
    last_heard: Option<(u64, Instant)>,
    stats: ReassemblerStats,
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
            cfg,
            mac: key.mac(),
            sessions: HashMap::new(),
            retired: VecDeque::new(),
            newest_start: 0,
            in_flight_messages: 0,
            in_flight_bytes: 0,
            arrivals: 0,
            last_expiry: None,
            last_heard: None,
            stats: ReassemblerStats::default(),
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
        self.stats.datagrams += 1;
        let Ok(frame) = frame::parse(datagram, &self.cfg.limits) else {
            self.stats.dropped_malformed += 1;
            return;
        };
        // Authenticate before any state is looked at or any decoding is done (§4).
        if !self.mac.verify(&frame) {
            self.stats.dropped_forged += 1;
            return;
        }
        let session = frame.header.session;
        if !self.admit_session(session, out) {
            self.stats.dropped_replayed += 1;
            return;
        }
        // A replayed capture of a retired or older session does not count as the sender heard.
        self.last_heard = Some((session, now));
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
        let mut lost = 0u64;
        for &done in s.finished.range(..=cutoff) {
            if done > next {
                out.push(Event::Lost(Lost {
                    session,
                    first: next,
                    last: done - 1,
                    reason: gap_reason,
                }));
                lost = lost.saturating_add(done - next);
            }
            next = done.saturating_add(1);
        }
        if next <= cutoff {
            out.push(Event::Lost(Lost {
                session,
                first: next,
                last: cutoff,
                reason: gap_reason,
            }));
            lost = lost.saturating_add(cutoff - next + 1);
        }
        s.finished = s.finished.split_off(&cutoff.saturating_add(1));
        s.floor = s.floor.max(cutoff.saturating_add(1));
        self.stats.lost = self.stats.lost.saturating_add(lost);
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
        self.stats.lost += 1;
        out.push(Event::Lost(Lost {
            session,
            first: seq,
            last: seq,
            reason,
        }));
    }

    /// Drop a message in flight and report it lost.
    fn give_up(&mut self, session: u64, seq: u64, reason: LostReason, out: &mut Vec<Event>) {
        if self.take_in_flight(session, seq).is_some() {
            self.report_lost(session, seq, reason, out);
            self.mark_finished(session, seq, out);
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
        if (h.message_len, h.block_count, h.symbol_size) != (d.message_len, d.block_count, d.symbol_size) {
            self.stats.dropped_inconsistent += 1;
            return;
        }
        m.last_activity = now;
        let k = d.source_symbols();
        let need = match m.blocks.get(&d.block) {
            Some(Block::Done(_)) => {
                self.stats.dropped_surplus += 1;
                return;
            }
            Some(Block::Decoding { len, seen, .. }) => {
                if *len != d.block_len {
                    self.stats.dropped_inconsistent += 1;
                    return;
                }
                if bit(seen, d.symbol_id) {
                    self.stats.dropped_surplus += 1;
                    return;
                }
                usize::from(d.symbol_size).saturating_add(SYMBOL_COST)
            }
            None => {
                let bits = (d.max_symbol_id() as usize).saturating_add(1);
                usize::from(d.symbol_size)
                    .saturating_add(SYMBOL_COST)
                    .saturating_add(BLOCK_COST)
                    .saturating_add(bits / 8)
                    .saturating_add((k as usize).saturating_mul(SYMBOL_COST))
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
        let block = m.blocks.entry(d.block).or_insert_with(|| {
            let oti = ObjectTransmissionInformation::new(u64::from(d.block_len), d.symbol_size, 1, 1, 1);
            let words = (d.max_symbol_id() as usize).saturating_add(1).div_ceil(64);
            Block::Decoding {
                len: d.block_len,
                decoder: Box::new(SourceBlockDecoder::new(0, &oti, u64::from(d.block_len))),
                seen: vec![0; words],
                cost: 0,
            }
        });
        let Block::Decoding {
            decoder,
            seen,
            cost,
            len,
        } = block
        else {
            return;
        };
        set_bit(seen, d.symbol_id);
        *cost = cost.saturating_add(need);
        let packet = EncodingPacket::new(PayloadId::new(0, d.symbol_id), payload.to_vec());
        // Fail secure: a panic inside the decoder loses this message, never the receiver.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decoder.decode([packet])));
        let block_len = *len as usize;
        let block_cost = *cost;
        match result {
            Ok(None) => {}
            Ok(Some(mut bytes)) => {
                if (k..=d.max_symbol_id()).any(|id| bit(seen, id)) {
                    self.stats.repaired_blocks += 1;
                }
                bytes.truncate(block_len);
                *block = Block::Done(bytes);
                m.decoded = m.decoded.saturating_add(1);
                let complete = m.decoded == m.header.block_count;
                // The decoder's symbols are freed; the decoded block is kept.
                m.cost = m.cost.saturating_sub(block_cost);
                self.release(block_cost);
                if !self.reserve(key, block_len, out) {
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
        let total = usize::try_from(d.message_len)
            .unwrap_or(usize::MAX)
            .saturating_add(TRAILER_LEN);
        if total.saturating_add(MESSAGE_COST) > self.cfg.max_in_flight_bytes {
            self.stats.lost += 1;
            out.push(Event::Lost(Lost {
                session,
                first: seq,
                last: seq,
                reason: LostReason::TooLarge,
            }));
            self.mark_finished(session, seq, out);
            return false;
        }
        while self.in_flight_messages >= self.cfg.max_in_flight_messages.max(1) {
            let Some((s, q)) = self.oldest_except(key) else { break };
            self.give_up(s, q, LostReason::MemoryCap, out);
        }
        self.arrivals += 1;
        let m = Message {
            header: d,
            blocks: BTreeMap::new(),
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
        let Some(m) = self.take_in_flight(session, seq) else {
            return;
        };
        match assemble(m) {
            Ok((data, sha256)) => {
                self.stats.delivered += 1;
                self.stats.delivered_bytes += data.len() as u64;
                out.push(Event::Delivered(Delivered {
                    session,
                    sequence: seq,
                    sha256,
                    data,
                }));
            }
            Err(reason) => self.report_lost(session, seq, reason, out),
        }
        self.mark_finished(session, seq, out);
    }
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
/// flight at the end are reported lost (`receiver_stopped`).
pub fn run_receiver(cfg: ReceiverConfig, stop: &AtomicBool) -> Result<ReceiverStats, DiodeError> {
    run_receiver_with(cfg, stop, |_| {})
}

/// What the receiving thread hands the writer.
enum ToWriter {
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
    let mut reassembler = Reassembler::with_state(cfg.reassembly.clone(), &cfg.key, &state);
    // Pipeline: this thread receives and reassembles; a writer thread spools, behind a bounded
    // channel so a slow disk slows reassembly rather than growing memory.
    let (tx, rx) = mpsc::sync_channel::<ToWriter>(16);
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
        for m in out {
            // The writer stops only if its thread died (a bug): stop too.
            if tx.send(m).is_err() {
                writer_gone = true;
                break;
            }
        }
    }
    reassembler.finish(&mut events);
    if let Some(c) = &cfg.counters {
        *c.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = reassembler.stats().clone();
    }
    for ev in events.drain(..) {
        let _ = tx.send(ToWriter::Event(ev));
    }
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

/// What the writer did.
#[derive(Debug, Default)]
struct WriterCounts {
    written: u64,
    failures: u64,
    duplicates: u64,
}

/// The spool directory, its replay state and the audit file.
struct Spool {
    dir: PathBuf,
    audit_path: PathBuf,
    audit: crate::audit::AuditLog,
    /// Audit records not written yet (a full disk): written, in order, before any newer one.
    backlog: VecDeque<serde_json::Map<String, serde_json::Value>>,
    /// The state could not be written at the last attempt (logged once per failure run).
    state_failing: bool,
    counter: u64,
    state: ReplayState,
    /// SHA-256 (hex) of every message written into this spool, from the audit file at start:
    /// a message delivered again is recorded `duplicate`, never written twice.
    written: HashSet<String>,
    counts: WriterCounts,
}

/// Most events the writer commits with one replay-state write.
const MAX_BATCH: usize = 64;
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

/// The spool name of a message: its SHA-256 in hex, with `.json` or `.xml` when it is one (as
/// the guard names its outputs, so that both sides' audit records name the same file).
pub fn spool_name(sha256: &[u8; 32], data: &[u8]) -> String {
    let hex = hex::encode(sha256);
    let trimmed = data.trim_ascii();
    let json = trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}') && std::str::from_utf8(data).is_ok();
    let xml = trimmed.first() == Some(&b'<') && trimmed.last() == Some(&b'>') && std::str::from_utf8(data).is_ok();
    if json {
        format!("{hex}.json")
    } else if xml {
        format!("{hex}.xml")
    } else {
        hex
    }
}

impl Spool {
    /// Create the spool, open the audit file, load the replay state and finish what a crash
    /// left half done. Returns the state the reassembler starts from.
    fn open(dir: &Path, audit: &Path, cfg: &ReassemblerConfig) -> Result<(Spool, ReplayState), DiodeError> {
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
            if let Some(sha) = &r.sha256 {
                written.insert(sha.clone());
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
            counter: 0,
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
                fs::rename(&tmp, self.dir.join(&p.name)).map_err(dir_err)?;
                true
            } else {
                self.dir.join(&p.name).exists() && !recorded.contains(&(p.session.clone(), p.seq))
            };
            if record {
                let sha = p.name.split('.').next().unwrap_or_default().to_string();
                self.written.insert(sha.clone());
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
            if is_message_tmp(&name.to_string_lossy()) {
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
    fn drain(mut self, rx: mpsc::Receiver<ToWriter>) -> WriterCounts {
        loop {
            let first = match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.flush_audit();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = Vec::new();
            let mut next = Some(first);
            while let Some(m) = next.take() {
                match m {
                    ToWriter::Event(ev) => batch.push(ev),
                    ToWriter::Silent { session, for_secs } => {
                        tracing::warn!(session = %session.map_or_else(|| "none".into(), |s| format!("{s:016x}")),
                            silent_for_s = for_secs, "sender-silent: no datagram from the sender");
                        self.audit(json_object(serde_json::json!({
                            "event": "sender-silent",
                            "time": crate::audit::now_rfc3339(),
                            "session": session.map(|s| format!("{s:016x}")),
                            "silent_for_s": for_secs,
                        })));
                    }
                    ToWriter::Resumed { session, after_secs } => {
                        tracing::info!(session = %format!("{session:016x}"), "sender-resumed");
                        self.audit(json_object(serde_json::json!({
                            "event": "sender-resumed",
                            "time": crate::audit::now_rfc3339(),
                            "session": format!("{session:016x}"),
                            "silent_after_s": after_secs,
                        })));
                    }
                }
                if batch.len() < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                self.commit(batch);
            }
        }
        self.flush_audit();
        self.counts
    }

    /// §7.1 one batch: stage messages, record everything finished in the replay state and make it
    /// durable, then rename the messages into place and append the audit records. A write that
    /// fails loses its message (recorded `write_failed`, so that it can be sent again); a state
    /// that cannot be written loses the whole batch (nothing of it becomes visible), and the
    /// next batch tries again.
    fn commit(&mut self, batch: Vec<Event>) {
        let mut records = Vec::with_capacity(batch.len());
        let mut pending = Vec::new();
        for ev in batch {
            self.state.record(&ev);
            match ev {
                Event::Delivered(d) => {
                    let name = spool_name(&d.sha256, &d.data);
                    if self.written.contains(&hex::encode(d.sha256)) || self.dir.join(&name).exists() {
                        records.push(Record::Duplicate(d, name));
                        continue;
                    }
                    match self.stage(&d) {
                        Ok(tmp) => {
                            if let Some(t) = tmp.file_name() {
                                pending.push(PendingRename {
                                    tmp: t.to_string_lossy().into_owned(),
                                    name: name.clone(),
                                    session: format!("{:016x}", d.session),
                                    seq: d.sequence,
                                    bytes: d.data.len() as u64,
                                });
                            }
                            records.push(Record::Staged(Staged { tmp, name, d }));
                        }
                        Err(e) => {
                            tracing::error!(dir = %self.dir.display(), error = %e,
                                "cannot write a received message; it is recorded lost (write_failed): send it again");
                            records.push(Record::Lost(self.write_failed(&d)));
                        }
                    }
                }
                Event::Lost(l) => records.push(Record::Lost(l)),
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
                    "cannot write the replay state: this batch is recorded lost (write_failed); retrying with the next batch");
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
                Record::Staged(s) => match fs::rename(&s.tmp, self.dir.join(&s.name)) {
                    Ok(()) => done.push(Record::Staged(s)),
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
        for r in done {
            match r {
                Record::Staged(s) => {
                    self.counts.written += 1;
                    let d = &s.d;
                    self.written.insert(hex::encode(d.sha256));
                    tracing::info!(session = %format!("{:016x}", d.session), seq = d.sequence, file = %s.name, "received");
                    self.audit(json_object(serde_json::json!({
                        "event": "received",
                        "time": crate::audit::now_rfc3339(),
                        "session": format!("{:016x}", d.session),
                        "message_seq": d.sequence,
                        "sha256": hex::encode(d.sha256),
                        "bytes": d.data.len(),
                        "file": s.name,
                    })));
                }
                Record::Lost(l) => self.lost(&l),
                Record::Duplicate(d, name) => self.duplicate(&d, &name),
            }
        }
    }

    fn write_failed(&mut self, d: &Delivered) -> Lost {
        self.counts.failures += 1;
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
            "bytes": d.data.len(),
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
        self.flush_audit();
    }

    /// Write the waiting audit records in order; stop at the first failure (kept for later).
    fn flush_audit(&mut self) {
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

    /// Write a message to a dot-named temporary file and fsync it; the rename comes later.
    fn stage(&mut self, d: &Delivered) -> std::io::Result<PathBuf> {
        self.counter += 1;
        let tmp = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            hex::encode(d.sha256),
            std::process::id(),
            self.counter
        ));
        let result = (|| {
            let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(&d.data)?;
            f.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map(|()| tmp)
    }
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
