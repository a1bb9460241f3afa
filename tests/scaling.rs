//! Doubling an input at most about doubles the guard's work, for every adversarial shape of
//! `sekisho::shapes` (issue 16). Work is counted, not timed, so the test is stable on a shared
//! machine: the number of allocations and the bytes allocated by `guard::filter`, and the peak of
//! bytes live during it, counted by a global allocator that wraps the system one.
//!
//! What this cannot see is work that allocates nothing (a quadratic search through a list); the
//! harness (`cargo run --release --example shapes`) times every shape up to the limits.

use std::path::Path;
#[path = "common/counting.rs"]
mod counting;

use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::shapes;

/// The counters are global: the tests of this binary run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// (allocations, bytes allocated, peak bytes live above what was live before) of one filter run.
fn work(input: &[u8], policy: &Policy) -> (usize, usize, usize, String) {
    let (outcome, w) = counting::counted(|| match guard::filter(input, policy) {
        Ok(r) => format!("released, {} decisions", r.report.decisions.len()),
        Err(e) => format!(
            "quarantined: {}",
            e.reasons.first().map(|r| r.rule.as_str()).unwrap_or("")
        ),
    });
    (w.allocations, w.bytes, w.peak, outcome)
}

/// The most bytes the guard may hold at its peak per byte of input more, per shape: about 1.3x
/// what each took when this was written, 1.1x for the shapes whose representation was last made
/// smaller, so that going back to the old one fails (the counts are deterministic, so this pins
/// each shape against getting worse). At these small sizes vectors that double make the slope up to twice
/// the slope at the limit; the goal itself (8x the input + 64 MiB of RSS at the limit) is
/// measured by the harness, `cargo run --release --example shapes`.
fn slope_bound(shape: &str) -> f64 {
    match shape {
        "xml-distinct-dropped-siblings" => 33.0, // 25.1
        "xml-dropped-under-long-path" => 32.0,   // 24.1
        "xml-dropped-under-56-levels" => 45.0,   // 34.6
        "xml-removed-attributes" => 26.0,        // 23.5 (36.0 with 80-byte attributes)
        "xml-redacted-texts" => 15.0,            // 11.4
        "xml-unknown-declarations" => 18.0,      // 13.7
        "stix-many-refer-to-one" => 13.0,        // 9.9
        "stix-one-refers-to-many" => 2.0,        // 1.3
        "stix-report-chain" => 9.0,              // 6.9
        "stix-granular-long-list" => 17.5,       // 13.3
        "stix-many-granular-markings" => 11.5,   // 8.9
        "stix-deep-selectors" => 8.9,            // 8.1 (9.4 with 24-byte selector steps)
        "stix-many-versions" => 14.0,            // 10.7
        "stix-many-marking-definitions" => 15.0, // 13.6 (15.9 with a B-tree of sources per label)
        "stix-big-label-granular" => 16.5,       // 15.0 (17.1 with a B-tree of sources per label)
        "stix-huge-patterns" => 11.0,            // 8.5
        "stix-million-element-list" => 13.5,     // 10.4
        "stix-custom-properties" => 10.0,        // 7.7
        // Each distinct member name read as text once (a set of the names seen), then the
        // custom ones stripped.
        "stix-many-hash-names" => 22.0, // 17.2
        "stix-escape-runs" => 16.0,
        // TLP said in other words (red team round 3, SA04) holds one more reading of the text.
        "stix-description-tlp-words" => 21.0, // 16.0
        // A CAP instruction of `//////` or `TLP TLP`: the normal form, its map back and the
        // finder's packed text (8 B a character) of one 1 MiB string.
        "xml-cap-instruction-slashes" => 22.0,   // 17.1
        "xml-cap-instruction-tlp-words" => 29.0, // 22.0 with TLP said in other words (round 3)
        // Addresses whose `@` is written otherwise (round 3, SA19): the normal form and its map,
        // the `@` reading's text (the normal form's map shared), and one e-mail reading at a
        // time with its map (16 B a byte each).
        "stix-description-at-signs" => 47.0,         // 36.1
        "xml-cap-instruction-portion-marks" => 22.0, // 17.0
        // A run of releasable banners: each is read (its normal form and its label) and goes;
        // the prose reader's squeezed text and positions (9 B a letter) come on top.
        "stix-description-releasable-banners" => 28.0,    // 21.5
        "xml-cap-instruction-releasable-banners" => 36.0, // 27.5
        // A 1 MiB description of `@` or of digits: the normal form and its map, and for digits
        // the reading with look-alike letters as digits.
        "stix-description-at-runs" => 21.0, // 16.0
        "stix-description-digits" => 25.0,  // 19.0
        // A 1 MiB description of `o o o …`: the reading with the words as digits, then the
        // phone reader's groups and words of one run of a million single digits (`0 0 0 …` as
        // written costs as much); not made smaller yet (a window of six words would be).
        "stix-description-spelt-digits" => 40.0, // 36.0
        _ => 16.0,
    }
}

#[test]
fn doubling_an_adversarial_input_at_most_about_doubles_the_work() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::load(&dir.join("us-to-jpn.toml")).expect("the shipped policy loads");
    let mut failures = Vec::new();
    let mut table = String::new();
    for shape in shapes::all() {
        // About 1/512 of the limit, past every fixed cost (and past the decision cap of 1000 for
        // the shapes of many small units).
        let n = (shape.full / 512).max(4);
        let small = (shape.make)(n);
        let large = (shape.make)(2 * n);
        let (a1, b1, p1, o1) = work(&small, &policy);
        let (a2, b2, p2, o2) = work(&large, &policy);
        let ratio = |x: usize, y: usize| y as f64 / (x.max(1)) as f64;
        let (ra, rb, rp) = (ratio(a1, a2), ratio(b1, b2), ratio(p1, p2));
        table.push_str(&format!(
            "{:<32} n={n:<6} {:>8} B→{:>8} B  allocations ×{ra:.2}  bytes ×{rb:.2}  peak ×{rp:.2} ({p2} B)  {o2}\n",
            shape.name,
            small.len(),
            large.len()
        ));
        if o1 != o2 && !(o1.starts_with("released") && o2.starts_with("released")) {
            failures.push(format!("{}: outcome changed with size: {o1} / {o2}", shape.name));
        }
        if ra > 2.3 || rb > 2.3 || rp > 2.3 {
            failures.push(format!("{}: work grew more than 2.3x", shape.name));
        }
        // Memory per byte of input: what the larger input needed beyond the smaller, over how
        // much larger it is. Fixed costs (the decisions kept, tables built once) cancel, so this
        // is the slope that the goal of 8x the input + 64 MiB of RSS bounds at the limit (the
        // input itself is one of the eight).
        let slope = (p2 as f64 - p1 as f64) / (large.len().saturating_sub(small.len()).max(1)) as f64;
        let bound = slope_bound(shape.name);
        table.push_str(&format!(
            "{:<32} peak slope {slope:.2} B per input byte (bound {bound})\n",
            ""
        ));
        if slope > bound {
            failures.push(format!(
                "{}: peak grew {slope:.2} B per input byte, the bound is {bound}",
                shape.name
            ));
        }
        // Memory within a fixed multiple of the input, plus the fixed cost of the decisions kept
        // (up to 1000 per rule, each cut to 1 KiB).
        if p2 > 16 * large.len() + (4 << 20) {
            failures.push(format!("{}: peak {p2} B for {} B of input", shape.name, large.len()));
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}

#[test]
fn shows_the_first_thousand_decisions_of_a_rule_and_counts_the_rest() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::load(&dir.join("us-to-jpn.toml")).expect("the shipped policy loads");
    let shape = shapes::all()
        .into_iter()
        .find(|s| s.name == "xml-distinct-dropped-siblings")
        .expect("the shape exists");
    let released = guard::filter(&(shape.make)(1500), &policy).expect("the payload is released");
    let report = &released.report;
    assert_eq!(report.dropped, 1500, "every dropped element is counted");
    let shown: Vec<_> = report
        .decisions
        .iter()
        .filter(|d| d.rule == "element-allowlist")
        .collect();
    assert_eq!(shown.len(), 1001, "a thousand shown, then one summary line");
    assert!(
        shown.first().is_some_and(|d| d.unit.ends_with("/x0[1]")),
        "{:?}",
        shown.first()
    );
    let last = shown.last().expect("a summary line");
    assert_eq!(
        (last.unit.as_str(), last.detail.as_str()),
        ("…", "and 500 more not listed")
    );
    let table = sekisho::explain::table(&report.decisions);
    assert!(table.contains("and 500 more not listed"), "{table}");
}

/// (allocations, bytes allocated, peak bytes live, findings) of one run of the second verifier.
fn verifier_work(input: &[u8], policy: &Policy) -> (usize, usize, usize, usize) {
    let (findings, w) = counting::counted(|| match sekisho::verifier::verify(input, policy) {
        Ok(()) => 0,
        Err(f) => f.len(),
    });
    (w.allocations, w.bytes, w.peak, findings)
}

/// The most bytes the second verifier may hold at its peak per byte of input more, per shape:
/// about 1.3x what each took when this was written (the counts are deterministic, so this pins
/// each shape against getting worse). Before, in comments: the verifier kept a reading of every
/// string of an object at once (300 B a string), and held each object's members in a B-tree
/// node of eleven members' room.
fn verifier_slope_bound(shape: &str) -> f64 {
    match shape {
        "xml-distinct-dropped-siblings" => 18.5, // 14.2
        "xml-dropped-under-long-path" => 23.5,   // 18.0
        "xml-dropped-under-56-levels" => 23.5,   // 18.0
        "xml-removed-attributes" => 13.5,        // 10.4
        "xml-redacted-texts" => 6.5,             // 4.7
        "xml-unknown-declarations" => 8.0,       // 6.0
        "stix-many-refer-to-one" => 2.5,         // 1.8 (2.1 before)
        "stix-one-refers-to-many" => 7.5,        // 5.8 (15.3 before)
        "stix-report-chain" => 3.0,              // 2.1 (3.1 before)
        "stix-granular-long-list" => 6.5,        // 5.0 (52.3 before)
        "stix-many-granular-markings" => 5.0,    // 3.7 (26.3 before)
        "stix-deep-selectors" => 7.0,            // 5.2 (24.2 before)
        "stix-many-versions" => 3.2,             // 2.4 (2.9 before)
        "stix-many-marking-definitions" => 3.7,  // 2.8 (7.4 before)
        "stix-big-label-granular" => 4.0,        // 3.0 (9.8 before)
        "stix-huge-patterns" => 1.0,             // 0.02
        "stix-million-element-list" => 11.0,     // 8.4 (97.1 before)
        "stix-escape-runs" => 1.5,               // 0.9
        "stix-many-hash-names" => 8.5,           // 6.2 (50.1 before)
        "stix-custom-properties" => 6.5,         // 4.7 (8.4 before)
        "stix-description-digits" => 8.0,        // 5.9 (7.0 before)
        // The phone reader's groups of one run of a million single digits, each two strings;
        // not made smaller yet.
        "stix-description-spelt-digits" => 60.0, // 55.5
        // One long string read for markings: its characters and the positions of the solid ones
        // (12 B a character), its folded and decoded readings, the prose reader's; not made
        // smaller yet. Each banner's mark is counted, not held as often as it is written.
        "stix-description-tlp-words" | "xml-cap-instruction-tlp-words" => 27.5, // 21.0
        "stix-description-at-signs" => 46.0,                                    // 35.2
        "stix-description-secret-banners" | "xml-cap-instruction-secret-banners" => 55.0, // 42.6 (66.4 before)
        "stix-description-portion-marks" | "xml-cap-instruction-portion-marks" => 25.0, // 19.3
        "stix-description-releasable-banners" | "xml-cap-instruction-releasable-banners" => 40.0, // 30.8 (33.2 before)
        "stix-description-at-runs" => 27.5,                                     // 21.0
        _ => 16.0,
    }
}

/// The second verifier reads each shape with its own code (a shape the guard reads in linear
/// work may not be so for it): doubling the input at most about doubles its work too.
#[test]
fn doubling_an_adversarial_input_at_most_about_doubles_the_verifiers_work() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::load(&dir.join("us-to-jpn.toml")).expect("the shipped policy loads");
    let mut failures = Vec::new();
    let mut table = String::new();
    for shape in shapes::all() {
        let n = (shape.full / 512).max(4);
        let (small, large) = ((shape.make)(n), (shape.make)(2 * n));
        let (a1, b1, p1, _) = verifier_work(&small, &policy);
        let (a2, b2, p2, f2) = verifier_work(&large, &policy);
        let ratio = |x: usize, y: usize| y as f64 / (x.max(1)) as f64;
        let (ra, rb, rp) = (ratio(a1, a2), ratio(b1, b2), ratio(p1, p2));
        let slope = (p2 as f64 - p1 as f64) / (large.len().saturating_sub(small.len()).max(1)) as f64;
        let whole = p2 as f64 / large.len().max(1) as f64;
        let bound = verifier_slope_bound(shape.name);
        table.push_str(&format!(
            "{:<40} n={n:<6} {:>8} B  allocations ×{ra:.2}  bytes ×{rb:.2}  peak ×{rp:.2} ({p2} B, {whole:.1} B/B)  slope {slope:.2} (bound {bound})  {f2} findings\n",
            shape.name,
            large.len()
        ));
        if ra > 2.3 || rb > 2.3 || rp > 2.3 {
            failures.push(format!("{}: the verifier's work grew more than 2.3x", shape.name));
        }
        if slope > bound {
            failures.push(format!(
                "{}: the verifier's peak grew {slope:.2} B per input byte, the bound is {bound}",
                shape.name
            ));
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}

/// An output with many strings that each still match a rule: the verifier keeps the first
/// thousand findings of the rule and counts the rest in one, so what it holds past them grows
/// with the input it reads, not with what it found (it held every finding: 330k e-mails, 4x
/// the input on top of it, and its allocator's time grew faster than the input).
#[test]
fn the_verifier_keeps_the_first_thousand_findings_of_a_rule_and_counts_the_rest() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::load(&dir.join("us-to-jpn.toml")).expect("the shipped policy loads");
    let shape = shapes::all()
        .into_iter()
        .find(|s| s.name == "xml-redacted-texts")
        .expect("the shape exists");
    let (small, large) = ((shape.make)(4000), (shape.make)(8000));
    let findings = sekisho::verifier::verify(&large, &policy).expect_err("e-mails are left");
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules.len(), 1001, "{:?}", findings.last());
    assert!(rules.iter().all(|r| *r == "text-rule"), "{rules:?}");
    let last = findings.last().expect("a finding that counts the rest");
    assert_eq!(last.detail, "and 7000 more findings of rule `text-rule`");
    let (_, _, p1, _) = verifier_work(&small, &policy);
    let (_, _, p2, _) = verifier_work(&large, &policy);
    let slope = (p2 as f64 - p1 as f64) / (large.len() - small.len()) as f64;
    // 6.4 B per input byte when this was written (the document tree, the input's readings);
    // each finding kept held about 5 more.
    eprintln!("verifier peak slope {slope:.2} B per input byte ({p1} B, {p2} B)");
    assert!(slope < 8.5, "the verifier's peak grew {slope:.2} B per input byte");
}
