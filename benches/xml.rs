//! XML: sekisho's hardened parser against quick-xml's bare event loop over the same bytes (the
//! loop only reads events; ours also checks `Char`, names, namespaces, references and limits, and
//! builds the tree), then `filter` end to end under the shipped us-to-jpn policy.
//!
//! The input is a generated "feed": one STANAG 4778-bound CAP 1.2 alert under a NATO
//! UNCLASSIFIED REL TO NATO, JPN label, with as many `info` blocks as make ~5 MB (each with text
//! that needs escaping, an e-mail address to redact and an element the policy drops).
//!
//! `cargo bench --bench xml`

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use sekisho::format::xml;
use sekisho::policy::Policy;
use sekisho::{Limits, guard};

const LABEL: &str = r#"<slab:originatorConfidentialityLabel xmlns:slab="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"><slab:ConfidentialityInformation><slab:PolicyIdentifier URI="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO">NATO</slab:PolicyIdentifier><slab:Classification>UNCLASSIFIED</slab:Classification><slab:Category TagName="Releasable to" Type="PERMISSIVE"><slab:GenericValue>NATO</slab:GenericValue><slab:GenericValue>JPN</slab:GenericValue></slab:Category></slab:ConfidentialityInformation><slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime></slab:originatorConfidentialityLabel>"#;

/// A bound CAP alert of about `size` bytes.
fn feed(size: usize) -> Vec<u8> {
    let mut s = String::with_capacity(size + 4096);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mb:BindingInformation xmlns:mb=\"urn:nato:stanag:4778:bindinginformation:1:0\">\n  <mb:Metadata>");
    s.push_str(LABEL);
    s.push_str("</mb:Metadata>\n  <mb:Data>\n    <alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n      <identifier>FEED-1</identifier>\n      <sender>cert@cyber.example.mil</sender>\n      <sent>2024-05-01T09:00:00-00:00</sent>\n      <status>Actual</status>\n      <msgType>Alert</msgType>\n      <scope>Public</scope>\n");
    let mut n = 0u32;
    while s.len() < size {
        n += 1;
        s.push_str(&format!(
            "      <info>\n        <category>Security</category>\n        <event>Indicator {n}</event>\n        <urgency>Expected</urgency>\n        <severity>Moderate</severity>\n        <certainty>Likely</certainty>\n        <headline>Scanning from 198.51.100.{} &amp; beaconing</headline>\n        <description>Host 198.51.100.{} scanned partner networks between 01:00 and 03:00 UTC; payloads &lt;stage2&gt; were fetched. Reports to analyst{n}@cert.example.org please.</description>\n        <contact>desk {n}</contact>\n        <parameter><valueName>indicator</valueName><value>198.51.100.{}</value></parameter>\n        <area><areaDesc>Region {n}</areaDesc></area>\n      </info>\n",
            n % 250, n % 250, n % 250
        ));
    }
    s.push_str("    </alert>\n  </mb:Data>\n</mb:BindingInformation>\n");
    s.into_bytes()
}

/// quick-xml's own event loop: every event read, nothing built.
fn quick_xml_events(input: &str) -> usize {
    let mut r = Reader::from_str(input);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(Event::Eof) | Err(_) => return n,
            Ok(e) => {
                std::hint::black_box(&e);
                n += 1;
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let input = feed(5 << 20);
    let text = std::str::from_utf8(&input).unwrap_or_default().to_string();
    let limits = Limits::default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::load(&dir.join("us-to-jpn.toml")).ok();
    let name = format!("cap-feed-{}MB", input.len() >> 20);

    let mut group = c.benchmark_group("xml");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(input.len() as u64));
    group.bench_with_input(BenchmarkId::new("parse/sekisho", &name), &input, |b, i| {
        b.iter(|| {
            xml::parse(i, &limits, &xml::Options::default())
                .map(std::hint::black_box)
                .is_ok()
        })
    });
    group.bench_with_input(BenchmarkId::new("parse/quick-xml-events", &name), &text, |b, t| {
        b.iter(|| quick_xml_events(t))
    });
    if let Ok(doc) = xml::parse(&input, &limits, &xml::Options::default()) {
        group.bench_with_input(BenchmarkId::new("render/sekisho", &name), &doc, |b, d| {
            b.iter(|| xml::render(d))
        });
    }
    if let Some(policy) = &policy {
        group.bench_with_input(BenchmarkId::new("filter/us-to-jpn", &name), &input, |b, i| {
            b.iter(|| {
                guard::filter(i, policy)
                    .map(|r| r.output.into_bytes().len())
                    .unwrap_or(0)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
