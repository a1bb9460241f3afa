//! The scale-out crash test (issue 20): three guards share one durable pull consumer on one
//! stream; random guards are SIGKILLed at random moments and restarted. At the end every message
//! is exactly once in the output stream or the quarantine (never both, never neither), the three
//! audit chains verify, and the totals add up.
//!
//! `SEKISHO_SCALE_MESSAGES` sets the count (default 20,000, the issue's; a quicker local run can
//! take fewer); guards are killed all along the run, `SEKISHO_SCALE_KILLS` is the least number of
//! kills the run must have had (default 15). In CI (2 cores) the default run takes about 80 s.

mod nats_support;

use std::collections::{HashMap, HashSet};
use std::process::Child;
use std::time::{Duration, Instant};

use nats_support::*;
use sekisho::synth::Rng;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn three_guards_killed_at_random_lose_and_double_nothing() {
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    let n = env_or("SEKISHO_SCALE_MESSAGES", 20_000);
    let kills = env_or("SEKISHO_SCALE_KILLS", 15) as usize;

    // A mix, every message distinct: releasable, nothing releasable, malformed.
    let messages: Vec<Vec<u8>> = (0..n)
        .map(|k| match k % 10 {
            0..=6 => sekisho::synth::bundle(k, 2, |r| Some(r.below(2) as usize)).into_bytes(),
            7 | 8 => sekisho::synth::bundle(k, 2, |_| Some(4)).into_bytes(),
            _ => format!("{{\"type\":\"bundle\",\"id\":{k}").into_bytes(),
        })
        .collect();
    let seqs = nats.publish("in.routine", &messages);
    let by_name: HashMap<String, &Vec<u8>> = seqs
        .iter()
        .zip(&messages)
        .map(|(s, m)| (format!("nats/IN/{s}"), m))
        .collect();

    let root = tempfile::tempdir().unwrap();
    let guards: Vec<Guard> = ["g1", "g2", "g3"]
        .iter()
        .map(|id| {
            Guard::new(
                root.path(),
                id,
                &nats,
                "verifier = false\nworkers = 2\nqueue = 64",
                "ack_wait_ms = 3000\nmax_deliveries = 20\nbatch = 64",
            )
        })
        .collect();
    let mut running: Vec<Child> = guards.iter().map(Guard::spawn).collect();

    let mut rng = Rng::new(0x5CA1_E0F7);
    let start = Instant::now();
    let mut killed = 0;
    let done = |nats: &Nats| nats.consumer_state("guards") == (0, 0);
    // Kills all along, until every message has been delivered at least once (then the last
    // ones drain, redelivered ones included).
    // A kill at a random moment (0.1–0.9 s after the last), or sooner, once a share of the
    // messages went through since the last: however fast the machine, the kills spread over the
    // whole run and there are more than `kills` of them.
    let step = (n / (2 * kills as u64 + 5)).max(1);
    let pending = |nats: &Nats| nats.try_consumer_state("guards").map(|(p, _)| p);
    // Until every message was delivered at least once, and (on a fast run) until the kills
    // required have been made while messages are still in flight.
    while pending(&nats).is_none_or(|p| p > 0) || (killed < kills && !done(&nats)) {
        let at = pending(&nats).unwrap_or(n);
        let wait = Duration::from_millis(100 + rng.below(800));
        let since = Instant::now();
        while since.elapsed() < wait && pending(&nats).is_some_and(|p| p > 0 && at.saturating_sub(p) < step) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let g = rng.below(3) as usize;
        if let Some(c) = running.get_mut(g) {
            c.kill().unwrap();
            c.wait().unwrap();
            killed += 1;
            // Restarted at once or a little later.
            if rng.below(2) == 0 {
                std::thread::sleep(Duration::from_millis(rng.below(500)));
            }
            *c = guards[g].spawn();
        }
        eprintln!(
            "kill {killed} (guard {}): {:?} pending, {} records",
            guards[g].id,
            nats.try_consumer_state("guards"),
            guards.iter().map(|g| g.records().len()).sum::<usize>()
        );
        assert!(start.elapsed() < Duration::from_secs(900), "too slow");
    }
    assert!(
        killed >= kills,
        "the guards finished after only {killed} kills; make the test bigger"
    );
    while !done(&nats) {
        for (c, g) in running.iter_mut().zip(&guards) {
            assert!(
                c.try_wait().unwrap().is_none(),
                "guard {} stopped: see {}/stderr.log",
                g.id,
                g.dir.display()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "too slow: {:?}",
            nats.consumer_state("guards")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for c in &running {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    for (c, g) in running.iter_mut().zip(&guards) {
        assert_eq!(
            c.wait().unwrap().code(),
            Some(0),
            "guard {}: see {}/stderr.log",
            g.id,
            g.dir.display()
        );
    }
    eprintln!("{n} messages, {killed} kills, {:.1} s", start.elapsed().as_secs_f64());

    // The chains verify, and their totals add up by message.
    let v = std::process::Command::new(BIN)
        .args(["audit", "verify"])
        .args(guards.iter().map(Guard::audit))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&v.stdout).to_string();
    eprintln!("{said}");
    assert_eq!(v.status.code(), Some(0), "{said}");
    assert!(said.contains(&format!("{n} messages")), "{said}");

    // Every message decided, with the same outcome wherever it was decided twice.
    let mut outcome: HashMap<String, (String, Option<String>)> = HashMap::new();
    let mut records = 0;
    for g in &guards {
        for r in g.records() {
            records += 1;
            let input = r["input"].as_str().unwrap().to_string();
            assert!(by_name.contains_key(&input), "a record for an unknown input {input}");
            let this = (
                r["verdict"].as_str().unwrap().to_string(),
                r["output_sha256"].as_str().map(str::to_string),
            );
            if let Some(first) = outcome.get(&input) {
                assert_eq!(first, &this, "{input} decided twice, differently");
            }
            outcome.insert(input, this);
        }
    }
    assert_eq!(outcome.len() as u64, n, "messages without a record");
    assert!(
        said.contains(&format!("{} repeated", records - outcome.len())),
        "{said}"
    );

    // Released ones: exactly once in the output stream, under Nats-Msg-Id = sha-256 of the output.
    let outputs = nats.read_stream("OUT");
    let mut ids = HashSet::new();
    for (id, payload) in &outputs {
        assert_eq!(id.as_deref(), Some(sha256(payload).as_str()));
        assert!(ids.insert(sha256(payload)), "an output twice in the stream");
    }
    let released: HashSet<String> = outcome
        .values()
        .filter(|(v, _)| v == "released")
        .map(|(_, o)| o.clone().unwrap())
        .collect();
    assert_eq!(ids, released, "the output stream and the audit disagree");

    // Quarantined ones: each in the quarantine (of the guard, or guards, that decided it) with
    // its bytes, and none of them released.
    let mut quarantined: HashMap<String, Vec<u8>> = HashMap::new();
    for g in &guards {
        for r in g.records().iter().filter(|r| r["verdict"] == "quarantined") {
            let id = r["quarantine"].as_str().unwrap();
            let bytes = std::fs::read(g.dir.join("quarantine").join(id)).unwrap();
            quarantined.insert(r["input"].as_str().unwrap().to_string(), bytes);
        }
    }
    for (input, bytes) in &quarantined {
        assert_eq!(&by_name[input.as_str()], &bytes, "{input}: the quarantine copy differs");
        assert_eq!(outcome[input].0, "quarantined");
    }
    assert_eq!(
        (released.len() + quarantined.len()) as u64,
        n,
        "released + quarantined is not every message"
    );
    // The malformed and nothing-releasable tenths are never released.
    assert!(quarantined.len() as u64 >= n * 3 / 10);
}
