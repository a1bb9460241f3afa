//! The cost of the second verifier, CPU only (no disk): every message of a directory through
//! `guard::filter` alone, then through `guard::filter` and a `sekisho verify` child over its pipe
//! (the daemon's path). Usage:
//! `cargo run --release --example bench_verifier -- DIR [POLICY] [SEKISHO]`
//! (`scripts/bench-daemon.sh` makes such directories: `WORKDIR/seed-4k`, `WORKDIR/seed-4m`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::verifier::child::{Client, Spawn};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: bench_verifier DIR [POLICY] [SEKISHO]")?);
    let policy_path = PathBuf::from(args.next().unwrap_or_else(|| "policies/us-to-jpn.toml".into()));
    let program = PathBuf::from(args.next().unwrap_or_else(|| "target/release/sekisho".into()));
    let policy = Policy::load(&policy_path).map_err(|e| e.to_string())?;
    let mut messages = Vec::new();
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "json") {
            messages.push(std::fs::read(p)?);
        }
    }
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let report = |what: &str, t: Duration| {
        let s = t.as_secs_f64();
        println!(
            "{what:<32} {:>8.0} messages/s {:>8.1} MB/s",
            messages.len() as f64 / s,
            bytes as f64 / s / 1e6
        );
        s
    };
    let start = Instant::now();
    let mut released = 0;
    for m in &messages {
        released += usize::from(guard::filter(m, &policy).is_ok());
    }
    let alone = report("guard alone", start.elapsed());

    let outputs: Vec<Vec<u8>> = messages
        .iter()
        .filter_map(|m| guard::filter(m, &policy).ok())
        .map(|r| r.output.into_bytes())
        .collect();
    let verifier = sekisho::verifier::Verifier::new(&policy)?;
    let start = Instant::now();
    for o in &outputs {
        let _ = verifier.verify(o);
    }
    report("verifier alone, in process", start.elapsed());

    let spawn = Spawn {
        program,
        policy: policy_path,
        memory: 1 << 30,
        sandbox: "best-effort".into(),
    };
    let mut client = Client::start(&spawn)?;
    let start = Instant::now();
    let mut passed = 0;
    for m in &messages {
        if let Ok(r) = guard::filter(m, &policy) {
            let a = client.check(r.output.as_bytes(), Duration::from_secs(30))?;
            passed += usize::from(a.findings.is_empty());
        }
    }
    let both = report("guard + verifier child (pipe)", start.elapsed());
    println!(
        "{} messages, {} released, {} passed by the verifier; {:.2}× the time of the guard alone",
        messages.len(),
        released,
        passed,
        both / alone
    );
    Ok(())
}
