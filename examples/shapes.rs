//! The scaling harness: every adversarial shape of `sekisho::shapes` through `guard::filter`
//! under `policies/us-to-jpn.toml`, at ¼, ½ and the full limit, each run in a child process of
//! its own so that its peak RSS is its own. Prints per shape: input size, time and peak RSS at
//! each size, and the growth from ½ to full (linear work shows ~2×).
//!
//! `cargo run --release --example shapes [-- NAME-SUBSTRING...]` (`SHAPES_VERIFIER=1`: the
//! second verifier on each input instead of the guard)
//!
//! Peak RSS is the child's `VmHWM` after the input was generated and the high-water mark reset
//! (`/proc/self/clear_refs`), so it is what the guard needed on top of holding the input: it
//! includes the input itself.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::shapes;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--one") {
        let name = args.get(1).cloned().unwrap_or_default();
        let n = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(0);
        one(&name, n);
        return;
    }
    // Seconds a run may take before it is killed (and shown as such).
    let timeout: u64 = std::env::var("SHAPES_TIMEOUT")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(60);
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this executable");
        std::process::exit(2);
    };
    println!(
        "{:<32} {:>9} | {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>6} {:>6} | outcome at full",
        "shape", "full MiB", "t ¼ s", "t ½ s", "t 1 s", "RSS ¼", "RSS ½", "RSS 1", "t×", "RSS×"
    );
    for shape in shapes::all() {
        if !args.is_empty() && !args.iter().any(|a| shape.name.contains(a.as_str())) {
            continue;
        }
        let mut rows = Vec::new();
        for n in [shape.full / 4, shape.full / 2, shape.full] {
            let line = run(&me, shape.name, n, timeout);
            let mut parts = line.splitn(4, ' ');
            let bytes: f64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let secs: f64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let kib: f64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            let outcome = parts.next().unwrap_or("").to_string();
            rows.push((bytes, secs, kib, outcome));
        }
        let get = |i: usize| rows.get(i).cloned().unwrap_or((0.0, 0.0, 0.0, String::new()));
        let (q, h, f) = (get(0), get(1), get(2));
        let ratio = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
        println!(
            "{:<32} {:>9.2} | {:>8.3} {:>8.3} {:>8.3} | {:>7.0}M {:>7.0}M {:>7.0}M | {:>6.2} {:>6.2} | {}",
            shape.name,
            f.0 / 1048576.0,
            q.1,
            h.1,
            f.1,
            q.2 / 1024.0,
            h.2 / 1024.0,
            f.2 / 1024.0,
            ratio(h.1, f.1),
            ratio(h.2, f.2),
            f.3
        );
    }
}

/// One child run: its output line, or why it has none.
fn run(me: &Path, name: &str, n: usize, timeout: u64) -> String {
    let child = Command::new(me)
        .args(["--one", name, &n.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return format!("0 0 0 failed: {e}"),
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                if let Some(mut o) = child.stdout.take() {
                    let _ = o.read_to_string(&mut out);
                }
                return if status.success() {
                    out.trim().to_string()
                } else {
                    format!("0 0 0 crashed: {status}")
                };
            }
            Ok(None) if start.elapsed() > Duration::from_secs(timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return format!("0 {timeout} 0 killed after {timeout} s");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return format!("0 0 0 failed: {e}"),
        }
    }
}

/// The peak resident set of this process so far, in KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One shape at count `n`: prints `bytes seconds peak-KiB outcome`.
fn one(name: &str, n: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = match Policy::load(&dir.join("us-to-jpn.toml")) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e:?}");
            std::process::exit(2);
        }
    };
    let Some(shape) = shapes::all().into_iter().find(|s| s.name == name) else {
        eprintln!("no shape {name}");
        std::process::exit(2);
    };
    let input = (shape.make)(n);
    // Reset the high-water mark: what follows is the guard's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let start = Instant::now();
    if std::env::var_os("SHAPES_PARSE_ONLY").is_some() {
        // For reference: what parsing alone takes.
        let options = policy.xml.as_ref().map(|x| x.options).unwrap_or_default();
        let ok = if input.first() == Some(&b'{') {
            sekisho::format::stix::parse_bundle(&input, &policy.limits).is_ok()
        } else {
            sekisho::format::xml::parse(&input, &policy.limits, &options).is_ok()
        };
        let secs = start.elapsed().as_secs_f64();
        println!("{} {secs:.4} {} parsed: {ok}", input.len(), peak_kib());
        return;
    }
    if std::env::var_os("SHAPES_VERIFIER").is_some() {
        // The second verifier on the input as it came (its own code: a shape the guard reads
        // in linear time may not be so for it).
        let ok = sekisho::verifier::verify(&input, &policy).is_ok();
        let secs = start.elapsed().as_secs_f64();
        println!("{} {secs:.4} {} verified: {ok}", input.len(), peak_kib());
        return;
    }
    let result = guard::filter(&input, &policy);
    let secs = start.elapsed().as_secs_f64();
    let peak = peak_kib();
    let outcome = match &result {
        Ok(r) => format!(
            "released {} B, {} decisions shown, {} dropped, {} removed, {} redacted",
            r.output.as_bytes().len(),
            r.report.decisions.len(),
            r.report.dropped,
            r.report.removed,
            r.report.redactions
        ),
        Err(e) => {
            let first = e.reasons.first().map(|r| r.rule.clone()).unwrap_or_default();
            format!("quarantined: {first} ({} reasons)", e.reasons.len())
        }
    };
    println!("{} {secs:.4} {peak} {outcome}", input.len());
}
