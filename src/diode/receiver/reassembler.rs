//! The socket-free receiver core: datagram bytes in, [`Event`]s out, every byte it keeps counted
//! against [`ReassemblerConfig`]'s caps.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use raptorq::{EncodingPacket, ObjectTransmissionInformation, PayloadId, SourceBlockDecoder};
use sha2::{Digest, Sha256};

use crate::diode::Key;
use crate::diode::event::{Delivered, Event, Lost, LostReason};
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
