//! The diode transport through its public API (issue 6): loss, reordering, duplication, forged,
//! truncated, oversized and replayed datagrams, sender restarts, and the memory cap.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sekisho::diode::{
    self, DiodeError, Event, Key, LostReason, MessageEncoder, Reassembler, ReassemblerConfig, ReceiverConfig,
    ReplayState,
};

const MTU: usize = 1472;

fn key() -> Key {
    Key::from_bytes(&[0x42; 32]).unwrap()
}

/// Deterministic pseudo-random numbers (xorshift64*), so every run sees the same losses.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The loss shim: in every window of 20 datagrams it drops exactly `drop_per_20` at positions
/// chosen by the seed, duplicates one in `dup_every`, and shuffles within windows of `reorder`.
struct Shim {
    drop_per_20: usize,
    dup_every: u64,
    reorder: usize,
    seed: u64,
}

impl Shim {
    fn apply(&self, datagrams: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let mut rng = Rng(self.seed | 1);
        let mut kept = Vec::new();
        for window in datagrams.chunks(20) {
            let mut drop = BTreeSet::new();
            while drop.len() < self.drop_per_20.min(window.len()) {
                drop.insert(rng.below(20) as usize % window.len());
            }
            for (i, d) in window.iter().enumerate() {
                if !drop.contains(&i) {
                    kept.push(d.clone());
                    if self.dup_every > 0 && rng.below(self.dup_every) == 0 {
                        kept.push(d.clone());
                    }
                }
            }
        }
        if self.reorder > 1 {
            for w in kept.chunks_mut(self.reorder) {
                for i in (1..w.len()).rev() {
                    let j = rng.below(i as u64 + 1) as usize;
                    w.swap(i, j);
                }
            }
        }
        kept
    }
}

/// Encode `messages` as sequence numbers 1.. of one session, then two heartbeats.
fn encode_all(enc: &mut MessageEncoder, messages: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        enc.encode(i as u64 + 1, m, |d| {
            out.push(d.to_vec());
            Ok::<_, ()>(())
        })
        .unwrap();
    }
    out
}

fn heartbeats(enc: &mut MessageEncoder, last: u64) -> Vec<Vec<u8>> {
    vec![enc.heartbeat(last).to_vec(), enc.heartbeat(last).to_vec()]
}

fn feed(rx: &mut Reassembler, datagrams: &[Vec<u8>]) -> Vec<Event> {
    let mut events = Vec::new();
    let now = Instant::now();
    for d in datagrams {
        rx.push(d, now, &mut events);
    }
    events
}

fn message(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..len).map(|_| rng.next() as u8).collect()
}

fn sample_messages() -> Vec<Vec<u8>> {
    let sizes = [
        1024,
        1024,
        1,
        0,
        4000,
        64 * 1024,
        64 * 1024,
        300_000,
        1024,
        900_000,
        1024,
        1024,
    ];
    sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| message(i as u64 + 1, n))
        .collect()
}

/// Delivered messages by sequence number, and lost sequence numbers with reasons.
fn outcome(events: &[Event]) -> (BTreeMap<u64, Vec<u8>>, BTreeMap<u64, LostReason>) {
    let (mut delivered, mut lost) = (BTreeMap::new(), BTreeMap::new());
    for e in events {
        match e {
            Event::Delivered(d) => assert!(delivered.insert(d.sequence, d.data.clone()).is_none(), "doubled"),
            Event::Lost(l) => {
                for s in l.first..=l.last {
                    assert!(lost.insert(s, l.reason).is_none(), "lost twice: {s}");
                }
            }
        }
    }
    (delivered, lost)
}

fn encoder(session: u64) -> MessageEncoder {
    MessageEncoder::new(&key(), session, MTU, 10, 512).unwrap()
}

#[test]
fn delivers_every_message_at_5_percent_loss_with_10_percent_overhead() {
    let messages = sample_messages();
    for seed in [1, 2, 3] {
        let mut enc = encoder(100 << 32);
        let mut wire = encode_all(&mut enc, &messages);
        wire.extend(heartbeats(&mut enc, messages.len() as u64));
        let wire = Shim {
            drop_per_20: 1,
            dup_every: 50,
            reorder: 8,
            seed,
        }
        .apply(wire);
        let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
        let (delivered, lost) = outcome(&feed(&mut rx, &wire));
        assert!(lost.is_empty(), "seed {seed}: lost {lost:?}");
        assert_eq!(delivered.len(), messages.len(), "seed {seed}");
        for (i, m) in messages.iter().enumerate() {
            assert_eq!(delivered.get(&(i as u64 + 1)), Some(m), "seed {seed} message {}", i + 1);
        }
        assert_eq!(rx.in_flight_messages(), 0);
        assert_eq!(rx.in_flight_bytes(), 0);
    }
}

#[test]
fn reports_lost_and_writes_nothing_corrupt_at_50_percent_loss() {
    let messages = sample_messages();
    let mut enc = encoder(100 << 32);
    let wire = encode_all(&mut enc, &messages);
    let wire = Shim {
        drop_per_20: 10,
        dup_every: 50,
        reorder: 8,
        seed: 7,
    }
    .apply(wire);
    let mut all = wire;
    // Heartbeats are datagrams too, but the shim must not eat the ones that close the session.
    all.extend(heartbeats(&mut enc, messages.len() as u64));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &all));
    assert!(!lost.is_empty(), "50 % loss with 10 % overhead must lose something");
    for (seq, data) in &delivered {
        assert_eq!(
            Some(data),
            messages.get(*seq as usize - 1),
            "message {seq} delivered corrupt"
        );
    }
    // Every message ends in exactly one place.
    let seen: BTreeSet<u64> = delivered.keys().chain(lost.keys()).copied().collect();
    assert_eq!(seen, (1..=messages.len() as u64).collect());
    assert_eq!(delivered.len() + lost.len(), messages.len());
    assert!(
        lost.values()
            .all(|r| matches!(r, LostReason::Incomplete | LostReason::Missing)),
        "{lost:?}"
    );
    assert_eq!(rx.in_flight_bytes(), 0);
}

#[test]
fn survives_reordering_and_duplication() {
    let messages = sample_messages();
    let mut enc = encoder(100 << 32);
    let wire = encode_all(&mut enc, &messages);
    let wire = Shim {
        drop_per_20: 0,
        dup_every: 3,
        reorder: 64,
        seed: 11,
    }
    .apply(wire);
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &wire));
    assert!(lost.is_empty());
    assert_eq!(delivered.len(), messages.len());
    assert!(rx.stats().dropped_surplus > 0);
}

#[test]
fn reassembles_interleaved_messages_independently() {
    let messages: Vec<Vec<u8>> = (0..4).map(|i| message(50 + i, 200_000)).collect();
    let mut enc = encoder(100 << 32);
    let streams: Vec<Vec<Vec<u8>>> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| encode_all_one(&mut enc, i as u64 + 1, m))
        .collect();
    let longest = streams.iter().map(Vec::len).max().unwrap();
    let mut wire = Vec::new();
    for i in 0..longest {
        for s in &streams {
            if let Some(d) = s.get(i) {
                wire.push(d.clone());
            }
        }
    }
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &wire));
    assert!(lost.is_empty());
    assert_eq!(delivered.into_values().collect::<Vec<_>>(), messages);
}

fn encode_all_one(enc: &mut MessageEncoder, seq: u64, m: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    enc.encode(seq, m, |d| {
        out.push(d.to_vec());
        Ok::<_, ()>(())
    })
    .unwrap();
    out
}

#[test]
fn drops_forged_datagrams_before_decoding() {
    let m = message(3, 20_000);
    let mut enc = encoder(100 << 32);
    let good = encode_all_one(&mut enc, 1, &m);
    let mut wrong_key = MessageEncoder::new(&Key::from_bytes(&[0x43; 32]).unwrap(), 100 << 32, MTU, 10, 512).unwrap();
    let mut wire = encode_all_one(&mut wrong_key, 1, &message(4, 20_000));
    for d in &good {
        let mut flipped_payload = d.clone();
        flipped_payload[60] ^= 1;
        let mut flipped_tag = d.clone();
        *flipped_tag.last_mut().unwrap() ^= 0x80;
        let mut flipped_seq = d.clone();
        flipped_seq[19] ^= 1;
        wire.extend([flipped_payload, flipped_tag, flipped_seq]);
    }
    let forged = wire.len() as u64;
    wire.extend(good);
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &wire));
    assert_eq!(rx.stats().dropped_forged, forged);
    assert!(lost.is_empty());
    assert_eq!(delivered.get(&1), Some(&m));
    assert_eq!(delivered.len(), 1);
}

#[test]
fn drops_truncated_and_oversized_datagrams() {
    let m = message(5, 10_000);
    let mut enc = encoder(100 << 32);
    let good = encode_all_one(&mut enc, 1, &m);
    let mut bad: Vec<Vec<u8>> = Vec::new();
    let first = good.first().unwrap();
    for n in [0, 1, 47, 48, 63, first.len() - 1] {
        bad.push(first[..n].to_vec());
    }
    let mut long = first.clone();
    long.extend_from_slice(&[0; 16]);
    bad.push(long);
    bad.push(vec![0x01; 70_000]);
    let mut cfg = ReassemblerConfig::default();
    cfg.limits.max_datagram = MTU;
    let mut rx = Reassembler::new(cfg, &key());
    let mut wire = bad.clone();
    wire.extend(good);
    let (delivered, _) = outcome(&feed(&mut rx, &wire));
    assert_eq!(rx.stats().dropped_malformed, bad.len() as u64);
    assert_eq!(delivered.get(&1), Some(&m));
}

#[test]
fn ignores_replayed_messages_and_sessions() {
    let m = message(6, 30_000);
    let mut old = encoder(100 << 32 | 1);
    let old_wire = encode_all_one(&mut old, 1, &m);
    let mut new = encoder(200 << 32 | 2);
    let new_wire = encode_all_one(&mut new, 1, &m);
    let mut older = encoder(50 << 32 | 3);
    let older_wire = encode_all_one(&mut older, 1, &m);

    let cfg = ReassemblerConfig {
        max_sessions: 1,
        ..Default::default()
    };
    let mut rx = Reassembler::new(cfg, &key());
    let mut wire = old_wire.clone();
    wire.extend(old_wire.clone()); // replay within the session: surplus, not a second delivery
    wire.extend(new_wire.clone()); // a sender restart retires the old session
    wire.extend(old_wire.clone()); // replay of a retired session
    wire.extend(older_wire.clone()); // a session that started before the newest one
    let events = feed(&mut rx, &wire);
    let sessions: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Delivered(d) => Some(d.session),
            // The session never seen that started before the newest one: its message is named
            // lost, `replayed`, once (a sender whose clock went back must hear of it); the
            // retired session's replay is only counted.
            Event::Lost(l) if l.session == 50 << 32 | 3 && l.first == 1 && l.reason == LostReason::Replayed => None,
            Event::Lost(l) => panic!("unexpected {l:?}"),
        })
        .collect();
    assert_eq!(sessions, [100 << 32 | 1, 200 << 32 | 2]);
    assert_eq!(rx.stats().lost_by_reason.replayed, 1);
    let s = rx.stats();
    assert_eq!(s.delivered, 2, "{s:?}");
    assert_eq!(s.dropped_replayed, (old_wire.len() + older_wire.len()) as u64, "{s:?}");
    assert!(s.dropped_surplus >= old_wire.len() as u64);
}

#[test]
fn handles_sender_restart_with_overlapping_sequence_numbers() {
    let a: Vec<Vec<u8>> = (0..3).map(|i| message(70 + i, 5_000)).collect();
    let b: Vec<Vec<u8>> = (0..3).map(|i| message(80 + i, 5_000)).collect();
    let mut ea = encoder(100 << 32 | 1);
    let mut eb = encoder(100 << 32 | 2);
    let mut wire = encode_all(&mut ea, &a);
    wire.extend(encode_all(&mut eb, &b));
    wire.extend(heartbeats(&mut eb, 3));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let events = feed(&mut rx, &wire);
    let delivered: Vec<(u64, u64, Vec<u8>)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Delivered(d) => Some((d.session, d.sequence, d.data.clone())),
            Event::Lost(_) => None,
        })
        .collect();
    assert_eq!(delivered.len(), 6, "{events:?}");
    for (i, m) in a.iter().enumerate() {
        assert!(delivered.contains(&(100 << 32 | 1, i as u64 + 1, m.clone())));
    }
    for (i, m) in b.iter().enumerate() {
        assert!(delivered.contains(&(100 << 32 | 2, i as u64 + 1, m.clone())));
    }
}

#[test]
fn heartbeats_report_messages_that_vanished_whole() {
    let messages: Vec<Vec<u8>> = (0..4).map(|i| message(90 + i, 3_000)).collect();
    let mut enc = encoder(100 << 32);
    let mut wire = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let seq = i as u64 + 1;
        let d = encode_all_one(&mut enc, seq, m);
        match seq {
            2 | 3 => {}                              // vanished whole
            4 => wire.extend(d.into_iter().take(1)), // one symbol of three: cannot rebuild
            _ => wire.extend(d),
        }
    }
    wire.extend(heartbeats(&mut enc, 4));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &wire));
    assert_eq!(delivered.keys().copied().collect::<Vec<_>>(), [1]);
    assert_eq!(
        lost,
        BTreeMap::from([
            (2, LostReason::Missing),
            (3, LostReason::Missing),
            (4, LostReason::Incomplete)
        ])
    );
}

#[test]
fn flood_of_first_blocks_stays_within_memory_cap() {
    let cfg = ReassemblerConfig::tiny();
    let (max_bytes, max_messages) = (cfg.max_in_flight_bytes, cfg.max_in_flight_messages);
    let mut rx = Reassembler::new(cfg, &key());
    let mut enc = encoder(100 << 32);
    let big = message(1, 15_000);
    let mut events = Vec::new();
    let now = Instant::now();
    for seq in 1..=500 {
        let mut first = None;
        enc.encode(seq, &big, |d| {
            first.get_or_insert_with(|| d.to_vec());
            Ok::<_, ()>(())
        })
        .unwrap();
        rx.push(&first.unwrap(), now, &mut events);
        assert!(rx.in_flight_bytes() <= max_bytes);
        assert!(rx.in_flight_messages() <= max_messages);
    }
    let (_, lost) = outcome(&events);
    assert_eq!(lost.len(), 500 - max_messages);
    assert!(lost.values().all(|r| *r == LostReason::MemoryCap));
    // Good traffic still gets through afterwards.
    let good = message(2, 12_000);
    let wire = encode_all_one(&mut enc, 501, &good);
    let (delivered, _) = outcome(&feed(&mut rx, &wire));
    assert_eq!(delivered.get(&501), Some(&good));
}

#[test]
fn refuses_messages_larger_than_the_cap() {
    let cfg = ReassemblerConfig::tiny();
    let mut rx = Reassembler::new(cfg, &key());
    let mut enc = encoder(100 << 32);
    let wire = encode_all_one(&mut enc, 1, &message(1, 20_000));
    let events = feed(&mut rx, &wire);
    // Named lost at its first authentic datagram, with its sequence number; the rest is surplus.
    let (_, lost) = outcome(&events);
    assert_eq!(lost.get(&1), Some(&LostReason::TooLarge), "{events:?}");
    assert_eq!(rx.stats().lost_by_reason.too_large, 1);
    assert_eq!(rx.stats().dropped_surplus, wire.len() as u64 - 1);
    assert_eq!(rx.in_flight_bytes(), 0);
}

#[test]
fn refuses_missing_and_short_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.key");
    let err = Key::from_file(&missing).unwrap_err();
    assert!(matches!(err, DiodeError::KeyRead { .. }));
    assert!(err.to_string().contains("absent.key"), "{err}");
    let short = dir.path().join("short.key");
    std::fs::write(&short, [1u8; 31]).unwrap();
    let err = Key::from_file(&short).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "key file `{}` holds 31 bytes, at least 32 are required",
            short.display()
        )
    );
    std::fs::write(&short, [1u8; 32]).unwrap();
    assert!(Key::from_file(&short).is_ok());
}

#[test]
fn fuzz_entry_point_holds_its_invariants_on_samples() {
    let mut enc = encoder(100 << 32);
    for d in encode_all_one(&mut enc, 1, &message(1, 5000)) {
        diode::fuzz_frame(&d);
        diode::fuzz_frame(&d[..d.len() - 16]);
        let mut framed = (d.len() as u16 - 16).to_be_bytes().to_vec();
        framed.extend_from_slice(&d[..d.len() - 16]);
        diode::fuzz_frame(&framed);
    }
    diode::fuzz_frame(&[]);
    diode::fuzz_frame(&[0xff; 3000]);
    // Packs of small messages cut at 0xFF, through a lossy link (the target's second half).
    for seed in 0..200u64 {
        let mut m = message(seed, (seed as usize * 97) % 4000);
        for (i, b) in m.iter_mut().enumerate() {
            if i % (7 + seed as usize % 50) == 0 {
                *b = 0xFF;
            }
        }
        diode::fuzz_frame(&m);
    }
}

#[test]
fn sends_and_receives_files_over_loopback_udp() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("diode.key");
    std::fs::write(&key_path, [0x42; 32]).unwrap();
    let outbox = dir.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    let files: Vec<Vec<u8>> = vec![message(1, 1024), message(2, 200_000), message(3, 5)];
    for (i, f) in files.iter().enumerate() {
        std::fs::write(outbox.join(format!("m{i}.json")), f).unwrap();
    }
    let into = dir.path().join("inbox");
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel();
    let stats = std::thread::scope(|s| {
        let receiver = s.spawn(|| {
            let cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
            diode::run_receiver_with(cfg, &stop, move |a| tx.send(a).unwrap())
        });
        let addr = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let summary = diode::cli_send(
            &addr.to_string(),
            diode::SendOptions {
                rate: diode::Rate::Fixed(50_000_000),
                overhead_percent: 10,
                mtu: MTU,
                max_message_bytes: diode::DEFAULT_MAX_MESSAGE_BYTES,
            },
            &key_path,
            std::slice::from_ref(&outbox),
        );
        let summary = summary.unwrap();
        assert_eq!(summary.sent.len(), 3);
        let deadline = Instant::now() + Duration::from_secs(10);
        while spool_files(&into).len() < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        receiver.join().unwrap().unwrap()
    });
    assert_eq!(stats.written, 3, "{stats:?}");
    for f in &files {
        let name = sha256_hex(f);
        assert_eq!(std::fs::read(into.join(&name)).unwrap(), *f);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&into)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_name() != diode::STATE_FILE)
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let audit = std::fs::read_to_string(dir.path().join("inbox.diode-audit.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The first start of a receiver says that it starts without replay state.
    assert_eq!(records.len(), 4, "{audit}");
    assert_eq!(records[0]["event"], "state_created");
    assert!(records[1..].iter().all(|r| r["event"] == "received"));
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// The messages in a spool: every file whose name does not start with a dot.
fn spool_files(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

//--- replay state across receiver restarts (§7.1)

/// The state a receiver would have written after `events`, read back from its bytes.
fn state_after(events: &[Event], cfg: &ReassemblerConfig) -> ReplayState {
    let mut state = ReplayState::new(cfg);
    for e in events {
        state.record(e);
    }
    ReplayState::from_bytes(&state.to_bytes(), cfg).unwrap()
}

#[test]
fn restarted_reassembler_ignores_replayed_capture_and_accepts_new_session() {
    let cfg = ReassemblerConfig {
        max_sessions: 2,
        ..Default::default()
    };
    let msgs: Vec<Vec<u8>> = (0..3).map(|i| message(90 + i, 20_000)).collect();
    let mut a = encoder(100 << 32 | 1);
    let mut b = encoder(150 << 32 | 2);
    let mut c = encoder(200 << 32 | 3);
    let wire_a = encode_all(&mut a, &msgs);
    let wire_b = encode_all(&mut b, &msgs);
    let wire_c = encode_all(&mut c, &msgs);
    let mut first = Reassembler::new(cfg.clone(), &key());
    let mut events = feed(&mut first, &wire_a);
    events.extend(feed(&mut first, &wire_b));
    events.extend(feed(&mut first, &wire_c)); // a third session retires the first (max 2)
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Delivered(_))).count(), 9);

    // Restart: a new reassembler from the state alone.
    let state = state_after(&events, &cfg);
    assert_eq!(state.retired().collect::<Vec<_>>(), [100 << 32 | 1]);
    let mut rx = Reassembler::with_state(cfg.clone(), &key(), &state);
    let mut replay = wire_a.clone();
    replay.extend(wire_b.clone());
    replay.extend(wire_c.clone());
    let events = feed(&mut rx, &replay);
    assert!(events.is_empty(), "{events:?}");
    let s = rx.stats().clone();
    assert_eq!(s.dropped_replayed, wire_a.len() as u64, "{s:?}");
    assert_eq!(s.dropped_surplus, (wire_b.len() + wire_c.len()) as u64, "{s:?}");
    // An older session the receiver never saw is older than the newest one it knows.
    let mut older = encoder(120 << 32 | 9);
    let events = feed(&mut rx, &encode_all(&mut older, &msgs));
    let (delivered, lost) = outcome(&events);
    assert!(delivered.is_empty(), "{events:?}");
    assert_eq!(
        lost.values().filter(|r| **r == LostReason::Replayed).count(),
        3,
        "{events:?}"
    );
    // A live session goes on with its next sequence number, and a new sender session is accepted.
    let mut more = Vec::new();
    c.encode(4, &message(94, 3000), |d| {
        more.push(d.to_vec());
        Ok::<_, ()>(())
    })
    .unwrap();
    let mut d = encoder(200 << 32 | 4);
    more.extend(encode_all(&mut d, &msgs[..1]));
    let events = feed(&mut rx, &more);
    let delivered: Vec<(u64, u64)> = events
        .iter()
        .map(|e| match e {
            Event::Delivered(d) => (d.session, d.sequence),
            Event::Lost(l) => panic!("unexpected {l:?}"),
        })
        .collect();
    assert_eq!(delivered, [(200 << 32 | 3, 4), (200 << 32 | 4, 1)]);
}

#[test]
fn restarted_reassembler_ignores_messages_given_up_before_the_restart() {
    let cfg = ReassemblerConfig::default();
    let msgs: Vec<Vec<u8>> = (0..4).map(|i| message(60 + i, 8_000)).collect();
    let mut enc = encoder(300 << 32 | 1);
    let wire = encode_all(&mut enc, &msgs);
    // Message 2 never arrives; two heartbeats declare it missing.
    let mut first = Reassembler::new(cfg.clone(), &key());
    let without_2: Vec<Vec<u8>> = wire
        .iter()
        .filter(|d| d.get(12..20) != Some(&2u64.to_be_bytes()[..]))
        .cloned()
        .collect();
    let mut events = feed(&mut first, &without_2);
    events.extend(feed(&mut first, &heartbeats(&mut enc, 4)));
    let (delivered, lost) = outcome(&events);
    assert_eq!(delivered.keys().copied().collect::<Vec<_>>(), [1, 3, 4]);
    assert_eq!(lost.get(&2), Some(&LostReason::Missing));
    let mut rx = Reassembler::with_state(cfg, &key(), &state_after(&events, &ReassemblerConfig::default()));
    let events = feed(&mut rx, &wire);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(rx.stats().dropped_surplus, wire.len() as u64);
}

/// Run a receiver on `into` until `until` returns; `send` gets the address it listens on.
fn with_receiver(
    into: &std::path::Path,
    send: impl FnOnce(std::net::SocketAddr),
    until: impl Fn() -> bool,
) -> Result<diode::ReceiverStats, DiodeError> {
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        let receiver = s.spawn(|| {
            let cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.to_path_buf(), key());
            diode::run_receiver_with(cfg, &stop, move |a| tx.send(a).unwrap())
        });
        if let Ok(addr) = rx.recv_timeout(Duration::from_secs(30)) {
            send(addr);
            let deadline = Instant::now() + Duration::from_secs(60);
            while !until() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        stop.store(true, Ordering::Relaxed);
        receiver.join().unwrap()
    })
}

fn send_all(addr: std::net::SocketAddr, datagrams: &[Vec<u8>]) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for chunk in datagrams.chunks(64) {
        for d in chunk {
            socket.send_to(d, addr).unwrap();
        }
        // Well below what the receiver's socket buffer holds, so loopback drops nothing.
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn receiver_restart_writes_nothing_twice_from_a_replayed_capture() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("inbox");
    let msgs: Vec<Vec<u8>> = (0..3).map(|i| message(40 + i, 30_000)).collect();
    let names: BTreeSet<String> = msgs.iter().map(|m| sha256_hex(m)).collect();
    let session = diode::new_session_id().unwrap();
    let mut enc = encoder(session);
    let mut capture = encode_all(&mut enc, &msgs);
    capture.extend(heartbeats(&mut enc, 3));

    let stats = with_receiver(&into, |a| send_all(a, &capture), || spool_files(&into).len() == 3).unwrap();
    assert_eq!(stats.written, 3, "{stats:?}");
    assert!(into.join(diode::STATE_FILE).exists());
    // Downstream takes the messages away, as a guard's inbox does.
    for n in &names {
        std::fs::remove_file(into.join(n)).unwrap();
    }

    // Restart, replay the capture, then a genuinely new sender session.
    let fresh = message(49, 5_000);
    let mut new_enc = encoder(diode::new_session_id().unwrap());
    let new_wire = encode_all(&mut new_enc, std::slice::from_ref(&fresh));
    let stats = with_receiver(
        &into,
        |a| {
            send_all(a, &capture);
            send_all(a, &new_wire);
        },
        || !spool_files(&into).is_empty(),
    )
    .unwrap();
    // The receiver handles datagrams in order: the replay was refused before the new message came.
    assert_eq!(spool_files(&into), BTreeSet::from([sha256_hex(&fresh)]));
    assert_eq!(stats.written, 1, "{stats:?}");
    let r = &stats.reassembly;
    // Every replayed data datagram is surplus; of the new session, only its late repair symbols.
    assert_eq!(r.dropped_replayed, 0, "{r:?}");
    assert!(r.dropped_surplus >= capture.len() as u64 - 2, "{r:?}");
    assert!(r.accepted - r.heartbeats <= new_wire.len() as u64, "{r:?}");
    assert_eq!(r.datagrams, (capture.len() + new_wire.len()) as u64, "{r:?}");
    assert_eq!(r.delivered, 1, "{r:?}");
    let audit = std::fs::read_to_string(dir.path().join("inbox.diode-audit.jsonl")).unwrap();
    let received: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["event"] == "received")
        .collect();
    assert_eq!(received.len(), 4, "{audit}");
    assert_eq!(audit.matches("state_created").count(), 1, "{audit}");
    assert!(!audit.contains("\"lost\""), "{audit}");
}

#[test]
fn receiver_refuses_to_start_on_a_corrupt_state_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("inbox");
    std::fs::create_dir(&into).unwrap();
    let state = into.join(diode::STATE_FILE);
    std::fs::write(&state, b"{\"version\":1,\"sessions\":[").unwrap();
    let stop = AtomicBool::new(false);
    let cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
    let err = diode::run_receiver(cfg, &stop).unwrap_err();
    assert!(matches!(err, DiodeError::State { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&state.display().to_string()) && text.contains("remove"),
        "{text}"
    );
    // Nothing was touched: the file is as it was.
    assert_eq!(std::fs::read(&state).unwrap(), b"{\"version\":1,\"sessions\":[");
}

/// A crash after a promised rename but before its audit record: the next start writes the record
/// once; a start after a batch whose records were written adds none.
#[test]
fn receiver_start_records_a_rename_the_crash_left_unrecorded_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("inbox");
    std::fs::create_dir(&into).unwrap();
    let audit = dir.path().join("inbox.diode-audit.jsonl");
    let data = message(78, 1_500);
    let name = sha256_hex(&data);
    // Renamed into place before the crash; the state still promises it.
    std::fs::write(into.join(&name), &data).unwrap();
    let state = format!(
        "{{\"version\":1,\"sessions\":[{{\"id\":\"0000012c00000002\",\"finished\":[[1,1]]}}],\"retired\":[],\
         \"pending\":[{{\"tmp\":\".{name}.4242.9.tmp\",\"name\":\"{name}\",\"session\":\"0000012c00000002\",\"seq\":1,\"bytes\":1500}}]}}"
    );
    let start = || {
        let stop = AtomicBool::new(true);
        let cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
        diode::run_receiver(cfg, &stop).unwrap();
    };
    let received = || {
        std::fs::read_to_string(&audit)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"event\":\"received\"") && l.contains("0000012c00000002"))
            .count()
    };
    std::fs::write(into.join(diode::STATE_FILE), &state).unwrap();
    start();
    assert_eq!(received(), 1, "the missing record is written");
    // The same promise again (as after a normal stop, before the next batch clears it): the
    // record is already there.
    std::fs::write(into.join(diode::STATE_FILE), &state).unwrap();
    start();
    assert_eq!(received(), 1, "no second record");
    assert_eq!(std::fs::read(into.join(&name)).unwrap(), data);
}

#[test]
fn receiver_start_finishes_a_rename_promised_before_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("inbox");
    std::fs::create_dir(&into).unwrap();
    let data = message(77, 2_000);
    let name = sha256_hex(&data);
    let tmp = format!(".{name}.4242.7.tmp");
    std::fs::write(into.join(&tmp), &data).unwrap();
    // A partial message the crash left before its state write: removed.
    let stray = format!(".{}.4242.8.tmp", sha256_hex(b"partial"));
    std::fs::write(into.join(&stray), b"part").unwrap();
    let state = format!(
        "{{\"version\":1,\"sessions\":[{{\"id\":\"0000012c00000001\",\"finished\":[[1,1]]}}],\"retired\":[],\
         \"pending\":[{{\"tmp\":\"{tmp}\",\"name\":\"{name}\",\"session\":\"0000012c00000001\",\"seq\":1,\"bytes\":2000}}]}}"
    );
    std::fs::write(into.join(diode::STATE_FILE), state).unwrap();
    let stop = AtomicBool::new(true);
    let cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
    diode::run_receiver(cfg, &stop).unwrap();
    assert_eq!(std::fs::read(into.join(&name)).unwrap(), data);
    assert!(!into.join(&tmp).exists() && !into.join(&stray).exists());
    let audit = std::fs::read_to_string(dir.path().join("inbox.diode-audit.jsonl")).unwrap();
    assert!(
        audit.contains("\"recovered\":true") && !audit.contains("state_created"),
        "{audit}"
    );
    // The state no longer promises the rename, and still holds the finished sequence number.
    let back = ReplayState::load(&into, &ReassemblerConfig::default())
        .unwrap()
        .unwrap();
    assert!(back.pending().is_empty());
    assert_eq!(back.sessions().count(), 1);
}

#[test]
fn names_a_message_lost_to_forged_datagrams_authentication() {
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let mut enc = encoder(300 << 32);
    let mut wrong = MessageEncoder::new(&Key::from_bytes(&[0x99; 32]).unwrap(), 300 << 32, MTU, 10, 64).unwrap();
    // Message 1 arrives under the wrong key only; message 2 is fine; 3 vanishes whole.
    let mut wire = encode_all_one(&mut wrong, 1, &message(1, 3_000));
    wire.extend(encode_all_one(&mut enc, 2, &message(2, 3_000)));
    wire.extend(heartbeats(&mut enc, 3));
    wire.extend(heartbeats(&mut enc, 3));
    let events = feed(&mut rx, &wire);
    let (delivered, lost) = outcome(&events);
    assert!(delivered.contains_key(&2));
    assert_eq!(lost.get(&1), Some(&LostReason::Authentication), "{events:?}");
    assert_eq!(lost.get(&3), Some(&LostReason::Missing), "{events:?}");
    let t = &rx.stats().lost_by_reason;
    assert_eq!((t.authentication, t.missing, t.total()), (1, 1, 2));
    assert_eq!(rx.stats().lost, 2);
}

#[test]
fn streams_a_large_message_into_the_spill_directory_in_any_block_order() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ReassemblerConfig {
        spill: Some(dir.path().to_path_buf()),
        spill_above: 64 << 10,
        // Far below the message: only the blocks being decoded are held.
        max_in_flight_bytes: 4 << 20,
        ..ReassemblerConfig::default()
    };
    let m = message(44, 9 << 20);
    let mut enc = encoder(400 << 32);
    let mut wire = encode_all_one(&mut enc, 1, &m);
    // Blocks out of order: the last blocks first (one waits on disk to be hashed in turn).
    let n = wire.len();
    wire.rotate_left(n - n / 5);
    let mut rx = Reassembler::new(cfg, &key());
    let events = feed(&mut rx, &wire);
    let [Event::Delivered(d)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(d.data.is_empty());
    let f = d.file.as_ref().unwrap();
    assert_eq!(f.len, m.len() as u64);
    assert_eq!(std::fs::read(&f.path).unwrap(), m);
    assert_eq!(hex::encode(d.sha256), sha256_hex(&m));
    assert_eq!(f.name, diode::spool_name(&d.sha256, &m));
    assert_eq!(rx.stats().spilled, 1);
    assert_eq!(rx.in_flight_bytes(), 0);
}

#[test]
fn a_streamed_message_given_up_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ReassemblerConfig {
        spill: Some(dir.path().to_path_buf()),
        spill_above: 1024,
        ..ReassemblerConfig::default()
    };
    let mut enc = encoder(500 << 32);
    let wire = encode_all_one(&mut enc, 1, &message(3, 200_000));
    let mut rx = Reassembler::new(cfg, &key());
    let half = &wire[..wire.len() / 2];
    let mut events = feed(&mut rx, half);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the partial file");
    rx.finish(&mut events);
    let (_, lost) = outcome(&events);
    assert_eq!(lost.get(&1), Some(&LostReason::ReceiverStopped));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn receiver_streams_a_large_message_into_the_spool_and_names_a_too_large_one() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("in");
    let big = message(77, 6 << 20);
    let mut enc = encoder(diode::new_session_id().unwrap());
    let mut wire = encode_all_one(&mut enc, 1, &big);
    wire.extend(encode_all_one(&mut enc, 2, &message(78, 9 << 20)));
    wire.extend(encode_all_one(&mut enc, 3, &message(79, 1000)));
    wire.extend(heartbeats(&mut enc, 3));
    let stats = {
        let stop = AtomicBool::new(false);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let receiver = s.spawn(|| {
                let mut cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
                cfg.reassembly.limits.max_message_bytes = 8 << 20;
                diode::run_receiver_with(cfg, &stop, move |a| tx.send(a).unwrap())
            });
            let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap();
            send_all(addr, &wire);
            let deadline = Instant::now() + Duration::from_secs(60);
            while spool_files(&into).len() < 2 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            stop.store(true, Ordering::Relaxed);
            receiver.join().unwrap()
        })
    }
    .unwrap();
    assert_eq!(stats.reassembly.spilled, 1, "{stats:?}");
    assert_eq!(stats.reassembly.lost_by_reason.too_large, 1, "{stats:?}");
    assert!(
        spool_files(&into).contains(&sha256_hex(&big)),
        "{:?}",
        spool_files(&into)
    );
    // The ledger names the lost message: its sequence number and the reason.
    let audit = std::fs::read_to_string(dir.path().join("in.diode-audit.jsonl")).unwrap();
    let lost: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["event"] == "lost")
        .collect();
    assert_eq!(lost.len(), 1, "{audit}");
    assert_eq!(
        (lost[0]["message_seq"].as_u64(), lost[0]["reason"].as_str()),
        (Some(2), Some("too-large"))
    );
    // No partial or temporary file is left.
    let dots: Vec<_> = std::fs::read_dir(&into)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != diode::STATE_FILE)
        .collect();
    assert!(dots.is_empty(), "{dots:?}");
}

fn encode_pack(enc: &mut MessageEncoder, first: u64, messages: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    enc.encode_pack(first, messages, |d| {
        out.push(d.to_vec());
        Ok::<_, ()>(())
    })
    .unwrap();
    out
}

#[test]
fn packs_of_small_messages_deliver_each_message_with_its_own_sequence_number() {
    let small: Vec<Vec<u8>> = (0..300)
        .map(|i| message(1000 + i, 1 + (i as usize * 37) % 1500))
        .collect();
    let mut enc = encoder(600 << 32);
    let mut wire = Vec::new();
    let mut first = 1u64;
    for chunk in small.chunks(100) {
        wire.extend(encode_pack(&mut enc, first, chunk));
        first += chunk.len() as u64;
    }
    // A message alone after the packs, then the heartbeats: no sequence number is missing.
    wire.extend(encode_all_one(&mut enc, 301, &message(9, 5000)));
    wire.extend(heartbeats(&mut enc, 301));
    let wire = Shim {
        drop_per_20: 1,
        dup_every: 50,
        reorder: 8,
        seed: 11,
    }
    .apply(wire);
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let events = feed(&mut rx, &wire);
    let (delivered, lost) = outcome(&events);
    assert!(lost.is_empty(), "{lost:?}");
    assert_eq!(delivered.len(), 301);
    for (i, m) in small.iter().enumerate() {
        assert_eq!(delivered.get(&(i as u64 + 1)), Some(m), "message {}", i + 1);
    }
    assert_eq!(rx.stats().delivered, 301);
}

#[test]
fn a_lost_pack_is_one_named_range_and_its_replay_is_refused_after_a_restart() {
    let small: Vec<Vec<u8>> = (0..50).map(|i| message(2000 + i, 900)).collect();
    let mut enc = encoder(700 << 32);
    let wire = encode_pack(&mut enc, 1, &small);
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    // Too few datagrams of the pack: it is lost whole, as one range, at the second heartbeat.
    let mut part: Vec<Vec<u8>> = wire[..wire.len() / 3].to_vec();
    part.extend(heartbeats(&mut enc, 50));
    part.extend(heartbeats(&mut enc, 50));
    let events = feed(&mut rx, &part);
    let ranges: Vec<(u64, u64, LostReason)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Lost(l) => Some((l.first, l.last, l.reason)),
            Event::Delivered(_) => None,
        })
        .collect();
    assert_eq!(ranges, [(1, 50, LostReason::Incomplete)]);
    assert_eq!(rx.stats().lost_by_reason.incomplete, 50);
    // The replay state records the range finished: a restarted receiver refuses the pack.
    let state = state_after(&events, &ReassemblerConfig::default());
    let mut again = Reassembler::with_state(ReassemblerConfig::default(), &key(), &state);
    let events = feed(&mut again, &wire);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(again.stats().dropped_surplus, wire.len() as u64);
}

#[test]
fn a_message_in_a_pack_over_the_receivers_limit_is_named_too_large() {
    let msgs = vec![message(1, 100), message(2, 3000), message(3, 100)];
    let mut enc = encoder(800 << 32);
    let wire = encode_pack(&mut enc, 1, &msgs);
    let mut cfg = ReassemblerConfig::default();
    cfg.limits.max_message_bytes = 1000;
    let mut rx = Reassembler::new(cfg, &key());
    let (delivered, lost) = outcome(&feed(&mut rx, &wire));
    assert_eq!(delivered.keys().copied().collect::<Vec<_>>(), [1, 3]);
    assert_eq!(lost.get(&2), Some(&LostReason::TooLarge));
}

/// Block index, symbol id and source-symbol count of a data datagram, from the header's
/// documented offsets (protocol §3.1).
fn symbol_of(d: &[u8]) -> (u32, u32, u32) {
    let u32_at = |at: usize| u32::from_be_bytes(d[at..at + 4].try_into().unwrap());
    let t = u32::from(u16::from_be_bytes(d[44..46].try_into().unwrap()));
    (u32_at(28), u32_at(40), u32_at(36).div_ceil(t))
}

#[test]
fn decodes_blocks_from_source_symbols_in_any_order_and_with_repair_symbols_whatever_came_first() {
    // Three blocks of 512, 512 and 397 source symbols; sources are copied into place as they
    // come, and RaptorQ decodes only when a source symbol is missing.
    let m = message(77, 2_000_000);
    let mut enc = encoder(500 << 32);
    let wire = encode_all_one(&mut enc, 1, &m);
    let is_source = |d: &Vec<u8>| {
        let (_, esi, k) = symbol_of(d);
        esi < k
    };
    let mut rng = Rng(99);
    let cases: Vec<(&str, Vec<Vec<u8>>, u64)> = vec![
        ("in order", wire.clone(), 0),
        (
            "sources only, shuffled (gaps filled later)",
            {
                let mut w: Vec<_> = wire.iter().filter(|d| is_source(d)).cloned().collect();
                for i in (1..w.len()).rev() {
                    w.swap(i, rng.below(i as u64 + 1) as usize);
                }
                w
            },
            0,
        ),
        (
            "everything reversed: repair symbols first",
            wire.iter().rev().cloned().collect(),
            3,
        ),
        (
            "each block's first and a middle source symbol lost",
            wire.iter()
                .filter(|d| {
                    let (_, esi, _) = symbol_of(d);
                    esi != 0 && esi != 200
                })
                .cloned()
                .collect(),
            3,
        ),
    ];
    for (what, datagrams, repaired) in cases {
        let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
        let events = feed(&mut rx, &datagrams);
        let (delivered, lost) = outcome(&events);
        assert!(lost.is_empty(), "{what}: {lost:?}");
        assert_eq!(delivered.get(&1), Some(&m), "{what}");
        assert_eq!(rx.stats().repaired_blocks, repaired, "{what}");
        assert_eq!(rx.in_flight_bytes(), 0, "{what}");
    }
}

/// Feed `wire` with the kernel's drops reported where `drops` says: (index of the datagram that
/// came right after them, how many).
fn feed_with_drops(rx: &mut Reassembler, wire: &[Vec<u8>], drops: &[(usize, u64)]) -> Vec<Event> {
    let mut events = Vec::new();
    let now = Instant::now();
    for (i, d) in wire.iter().enumerate() {
        for (_, n) in drops.iter().filter(|(at, _)| *at == i) {
            rx.kernel_dropped(*n);
        }
        rx.push(d, now, &mut events);
    }
    events
}

#[test]
fn names_messages_lost_to_a_receive_buffer_overrun_overrun() {
    // Message 1 loses most of its datagrams, message 2 all of its datagrams, while the kernel
    // says it dropped datagrams (its buffer was full); message 3 arrives whole; 4 vanishes
    // later, with no drop reported: that one stays `missing`.
    let mut enc = encoder(310 << 32);
    let m1 = encode_all_one(&mut enc, 1, &message(1, 60_000));
    let m2 = encode_all_one(&mut enc, 2, &message(2, 60_000));
    let m3 = encode_all_one(&mut enc, 3, &message(3, 60_000));
    let mut wire: Vec<Vec<u8>> = m1.iter().take(5).cloned().collect();
    let at = wire.len();
    wire.extend(m3);
    wire.extend(heartbeats(&mut enc, 4));
    wire.extend(heartbeats(&mut enc, 4));
    let dropped = (m1.len() - 5 + m2.len()) as u64;
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let events = feed_with_drops(&mut rx, &wire, &[(at, dropped)]);
    let (delivered, lost) = outcome(&events);
    assert!(delivered.contains_key(&3), "{events:?}");
    assert_eq!(
        lost.get(&1),
        Some(&LostReason::Overrun),
        "incomplete, in the overrun: {events:?}"
    );
    assert_eq!(
        lost.get(&2),
        Some(&LostReason::Overrun),
        "missing, in the overrun: {events:?}"
    );
    assert_eq!(
        lost.get(&4),
        Some(&LostReason::Missing),
        "after the overrun: {events:?}"
    );
    let s = rx.stats();
    assert_eq!(s.kernel_dropped, dropped);
    assert_eq!((s.lost_by_reason.overrun, s.lost_by_reason.missing, s.lost), (2, 1, 3));
    assert_eq!(LostReason::Overrun.as_str(), "overrun");
}

#[test]
fn the_same_losses_without_a_kernel_drop_keep_their_reasons() {
    // The benign neighbour: the same wire, no drop reported, so nothing is named `overrun`.
    let mut enc = encoder(311 << 32);
    let m1 = encode_all_one(&mut enc, 1, &message(1, 60_000));
    let _m2 = encode_all_one(&mut enc, 2, &message(2, 60_000));
    let m3 = encode_all_one(&mut enc, 3, &message(3, 60_000));
    let mut wire: Vec<Vec<u8>> = m1.iter().take(5).cloned().collect();
    wire.extend(m3);
    wire.extend(heartbeats(&mut enc, 3));
    wire.extend(heartbeats(&mut enc, 3));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (_, lost) = outcome(&feed(&mut rx, &wire));
    assert_eq!(lost.get(&1), Some(&LostReason::Incomplete));
    assert_eq!(lost.get(&2), Some(&LostReason::Missing));
    assert_eq!(rx.stats().kernel_dropped, 0);
    assert_eq!(rx.stats().lost_by_reason.overrun, 0);
}

#[test]
fn forged_claims_still_name_a_loss_authentication_inside_an_overrun() {
    let mut enc = encoder(312 << 32);
    let mut wrong = MessageEncoder::new(&Key::from_bytes(&[0x99; 32]).unwrap(), 312 << 32, MTU, 10, 64).unwrap();
    let mut wire = encode_all_one(&mut enc, 1, &message(1, 3_000));
    wire.extend(encode_all_one(&mut wrong, 2, &message(2, 3_000)));
    let at = wire.len();
    wire.extend(encode_all_one(&mut enc, 3, &message(3, 3_000)));
    wire.extend(heartbeats(&mut enc, 3));
    wire.extend(heartbeats(&mut enc, 3));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let (delivered, lost) = outcome(&feed_with_drops(&mut rx, &wire, &[(at, 7)]));
    assert!(delivered.contains_key(&1) && delivered.contains_key(&3));
    assert_eq!(lost.get(&2), Some(&LostReason::Authentication));
}

#[test]
fn drops_after_the_last_datagram_name_what_is_lost_later_overrun() {
    // The kernel dropped the end of message 1, and nothing came after the drop until the
    // message timed out: it is still named `overrun`.
    let mut enc = encoder(313 << 32);
    let m1 = encode_all_one(&mut enc, 1, &message(1, 60_000));
    let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
    let mut events = feed(&mut rx, &m1[..5]);
    rx.kernel_dropped(40);
    rx.tick(Instant::now() + Duration::from_secs(3600), &mut events);
    let (_, lost) = outcome(&events);
    assert_eq!(lost.get(&1), Some(&LostReason::Overrun), "{events:?}");
}

#[test]
fn a_received_batch_checked_on_another_thread_gives_what_push_gives() {
    use sekisho::diode::Received;
    let mut enc = encoder(314 << 32);
    let mut wrong = MessageEncoder::new(&Key::from_bytes(&[0x99; 32]).unwrap(), 314 << 32, MTU, 10, 64).unwrap();
    let mut wire = encode_all(&mut enc, &sample_messages());
    wire.insert(3, encode_all_one(&mut wrong, 2, &message(9, 500))[0].clone());
    wire.insert(5, vec![0xFF; 30]);
    wire.extend(heartbeats(&mut enc, 12));
    let mut direct = Reassembler::new(ReassemblerConfig::default(), &key());
    let expected = feed(&mut direct, &wire);
    for checked in [true, false] {
        let mut rx = Reassembler::new(ReassemblerConfig::default(), &key());
        let gate = rx.gate();
        let mut events = Vec::new();
        let mut batch = Received::with_capacity(16, 256 << 10);
        for d in &wire {
            if batch.is_full() {
                if checked {
                    batch.check(&gate);
                }
                rx.push_received(&batch, Instant::now(), &mut events);
                batch.clear();
            }
            assert!(batch.push(d));
        }
        if checked {
            batch.check(&gate);
        }
        rx.push_received(&batch, Instant::now(), &mut events);
        assert_eq!(events, expected, "checked by a gate: {checked}");
        assert_eq!(rx.stats(), direct.stats());
    }
}

#[test]
fn a_receiver_with_a_tiny_socket_buffer_counts_the_kernels_drops_and_names_the_loss_overrun() {
    // An unpaced burst into a receive buffer of a few datagrams: the kernel drops most of it,
    // SO_RXQ_OVFL says how many, and the message is named `overrun`, not `incomplete`.
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("inbox");
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel();
    let stats = std::thread::scope(|s| {
        let receiver = s.spawn(|| {
            let mut cfg = ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), into.clone(), key());
            cfg.recv_buffer = 4096;
            diode::run_receiver_with(cfg, &stop, move |a| tx.send(a).unwrap())
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let mut enc = encoder(315 << 32);
        let wire = encode_all_one(&mut enc, 1, &message(1, 8 << 20));
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        wire.iter().for_each(|d| drop(socket.send_to(d, addr)));
        // The heartbeats after a pause, so that they are read.
        for _ in 0..2 {
            std::thread::sleep(Duration::from_millis(300));
            for h in heartbeats(&mut enc, 1) {
                socket.send_to(&h, addr).unwrap();
            }
        }
        // The second heartbeat settles message 1 (delivered or lost) once it is read.
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::Relaxed);
        receiver.join().unwrap().unwrap()
    });
    let r = &stats.reassembly;
    assert!(
        r.kernel_dropped > 0,
        "a 4 KiB buffer took an 8 MiB burst whole: {stats:?}"
    );
    if r.delivered == 0 {
        assert_eq!(r.lost_by_reason.overrun, 1, "{stats:?}");
        assert_eq!(r.lost, 1, "{stats:?}");
    }
}
