//! JSON parse and render against serde_json, side by side, on generated STIX bundles
//! (an ATT&CK-sized one of ~5 MB and one of ~50 MB), and on the ATT&CK bundles in
//! ../shared/corpora/stix/attack when they are present.
//!
//! `cargo bench --bench json`

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sekisho::Limits;
use sekisho::format::json;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        (
            "generated-5MB".to_string(),
            sekisho::synth::bundle_of_size(1, 5 << 20, |r| Some(r.below(5) as usize)).into_bytes(),
        ),
        (
            "generated-50MB".to_string(),
            sekisho::synth::bundle_of_size(2, 50 << 20, |r| Some(r.below(5) as usize)).into_bytes(),
        ),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/stix/attack");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.filter_map(Result::ok) {
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push((e.file_name().to_string_lossy().to_string(), bytes));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let limits = Limits {
        max_input_bytes: usize::MAX,
        ..Limits::default()
    };
    let mut group = c.benchmark_group("json");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, input) in inputs() {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse/sekisho", &name), &input, |b, i| {
            b.iter(|| json::parse(i, &limits).map(std::hint::black_box).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("parse/serde_json", &name), &input, |b, i| {
            b.iter(|| {
                serde_json::from_slice::<serde_json::Value>(i)
                    .map(std::hint::black_box)
                    .is_ok()
            })
        });
        let ours = json::parse(&input, &limits).unwrap_or(json::Value::Null);
        let theirs: serde_json::Value = serde_json::from_slice(&input).unwrap_or_default();
        group.bench_with_input(BenchmarkId::new("render/sekisho", &name), &ours, |b, v| {
            b.iter(|| json::render(v))
        });
        group.bench_with_input(BenchmarkId::new("render/serde_json", &name), &theirs, |b, v| {
            b.iter(|| serde_json::to_vec(v).unwrap_or_default())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
