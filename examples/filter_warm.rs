//! In-process, warm: the median time of `guard::filter` on one file under one policy, after one
//! run that loads what is loaded once per process (lazy tables, the telephone metadata). What
//! `cargo bench --bench filter` measures, for one file, as one number a script can compare
//! between two builds (issue 15's cost: build this example in an older checkout too and
//! alternate the two).
//!
//! `cargo run --release --example filter_warm POLICY FILE [RUNS]` prints milliseconds.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(policy), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: filter_warm POLICY FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(15).max(1);
    let policy = match sekisho::policy::Policy::load(std::path::Path::new(policy)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let input = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let _ = sekisho::guard::filter(&input, &policy);
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(sekisho::guard::filter(&input, &policy).is_ok());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!("{:.2}", ms.get(runs / 2).copied().unwrap_or_default());
    ExitCode::SUCCESS
}
