//! `filter` end to end (parse → decide → sanitise → render → verify) on generated ATT&CK-sized
//! bundles, and on ../shared/corpora/stix/attack when present:
//! - `permissive`: us-to-jpn without its sanitisation rules, on a bundle marked GREEN/AMBER (most
//!   objects go);
//! - `us-to-jpn`: the shipped policy on a bundle with every TLP level (much stays behind);
//! - `sanitise-1000`: the permissive policy plus a 1,000-phrase dirty-word list (redact) and ten
//!   redaction rules, to measure what sanitisation costs.
//!
//! Beside them, plain JSON parsing of the same bytes, for scale.
//!
//! `cargo bench --bench filter`

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sekisho::policy::Policy;
use sekisho::{Limits, guard};

fn policies() -> (Policy, Policy, Policy) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let text = std::fs::read_to_string(dir.join("us-to-jpn.toml")).unwrap_or_default();
    let base = text
        .split("# Sanitisation of what stays")
        .next()
        .unwrap_or(&text)
        .trim_end_matches(['#', '-', '\n', ' ']);
    let big = Limits {
        max_input_bytes: 256 << 20,
        ..Limits::default()
    };
    let limits = format!(
        "\n[limits]\nmax_input_bytes = {}\nmax_array_elements = {}\n",
        big.max_input_bytes, big.max_array_elements
    );
    let permissive = Policy::parse(&format!("{base}\n{limits}"), "permissive", Some(&dir)).unwrap();
    let shipped = Policy::parse(&format!("{text}\n{limits}"), "us-to-jpn", Some(&dir)).unwrap();
    let words: Vec<String> = (0..1000).map(|n| format!("\"codename {n:04} sierra\"")).collect();
    let redactions: String = (0..10)
        .map(|n| format!("\n[[redact]]\nid = \"r{n}\"\npaths = [\"*.description\", \"*.name\"]\nregex = 'ticket-{n}[0-9]{{4,}}'\nreplacement = \"[R]\"\n"))
        .collect();
    let sanitising = format!(
        "{base}\n[[dirty_words]]\nid = \"thousand\"\nwords = [{}]\naction = \"redact\"\n{redactions}{limits}",
        words.join(", ")
    );
    let sanitising = Policy::parse(&sanitising, "sanitise", Some(&dir)).unwrap();
    (permissive, shipped, sanitising)
}

fn bench(c: &mut Criterion) {
    let (permissive, shipped, sanitising) = policies();
    let green_amber = sekisho::synth::bundle_of_size(3, 5 << 20, |r| Some(1 + r.below(2) as usize));
    let mixed = sekisho::synth::bundle_of_size(4, 5 << 20, |r| {
        if r.below(6) == 0 {
            None
        } else {
            Some(r.below(5) as usize)
        }
    });
    let mut inputs = vec![
        ("generated-5MB-green-amber", green_amber.into_bytes(), "permissive"),
        ("generated-5MB-mixed", mixed.into_bytes(), "us-to-jpn"),
    ];
    let attack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/stix/attack");
    let mut extra = Vec::new();
    if let Ok(entries) = std::fs::read_dir(attack) {
        for e in entries.filter_map(Result::ok) {
            if let Ok(b) = std::fs::read(e.path()) {
                extra.push((e.file_name().to_string_lossy().to_string(), b));
            }
        }
    }
    let mut group = c.benchmark_group("filter");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    for (name, input, which) in inputs.drain(..) {
        let objects = sekisho::format::stix::parse_bundle(&input, &permissive.limits)
            .map(|b| b.objects.len())
            .unwrap_or(0);
        eprintln!("{name}: {} bytes, {objects} objects", input.len());
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("json-parse", name), &input, |b, i| {
            b.iter(|| sekisho::format::json::parse(i, &permissive.limits).is_ok())
        });
        let policy = if which == "permissive" { &permissive } else { &shipped };
        group.bench_with_input(BenchmarkId::new(which, name), &input, |b, i| {
            b.iter(|| guard::filter(i, policy).is_ok())
        });
        if which == "permissive" {
            group.bench_with_input(BenchmarkId::new("sanitise-1000", name), &input, |b, i| {
                b.iter(|| guard::filter(i, &sanitising).is_ok())
            });
        }
    }
    for (name, input) in &extra {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("json-parse", name), input, |b, i| {
            b.iter(|| sekisho::format::json::parse(i, &permissive.limits).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("permissive", name), input, |b, i| {
            b.iter(|| guard::filter(i, &permissive).is_ok())
        });
        // The shipped policy: ATT&CK objects carry no TLP marking, so nothing is released (ICS is
        // rejected as a whole, Mobile already at its invalid relationship), but every object is
        // parsed, decided and, where it could go, sanitised.
        group.bench_with_input(BenchmarkId::new("us-to-jpn", name), input, |b, i| {
            b.iter(|| guard::filter(i, &shipped).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("sanitise-1000", name), input, |b, i| {
            b.iter(|| guard::filter(i, &sanitising).is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
