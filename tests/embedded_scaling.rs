//! The `data:` and markup readings (red team R12, R07) stay linear: doubling an input built of
//! long `data:` URIs, many URI starts, many tags, comments or quotes that never end at most about
//! doubles the work of the guard and of the second verifier. Work is counted, not timed (as in
//! `tests/scaling.rs`): allocations and bytes allocated, by a global allocator that wraps the
//! system one. Work that allocates nothing is not seen here; each reading is one pass by
//! construction (`src/text/data_uri.rs`, `src/text/markup.rs`, `src/verifier/text/embedded.rs`).

#[path = "common/counting.rs"]
mod counting;

use base64::Engine;
use sekisho::fuzzing::content;
use sekisho::guard;
use sekisho::policy::Policy;

/// The allocator's counts are the process's: the tests here run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn policy() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join("us-to-jpn.toml")).unwrap()
}

/// (allocations, bytes allocated) of `f`.
fn counted(f: impl FnOnce()) -> (usize, usize) {
    let ((), w) = counting::counted(f);
    (w.allocations, w.bytes)
}

/// The shapes, each a description of about `n` bytes.
fn shapes(n: usize) -> Vec<(&'static str, String)> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let text: Vec<u8> = b"see the report ".iter().copied().cycle().take(n * 3 / 4).collect();
    let binary: Vec<u8> = (0..=255u8).cycle().take(n * 3 / 4).collect();
    let rep = |unit: &str| unit.repeat(n / unit.len());
    vec![
        (
            "one long text data: URI",
            format!("data:text/plain;base64,{}", b64(&text)),
        ),
        (
            "one long binary data: URI",
            format!("data:image/png;base64,{}", b64(&binary)),
        ),
        (
            "one long UTF-16 data: URI",
            format!("data:text/plain;charset=utf-16le;base64,{}", b64(&text)),
        ),
        ("one long percent data: URI", format!("data:,{}", "%41".repeat(n / 3))),
        ("many data: starts", rep("data:")),
        ("many headers without a comma", rep("data:text/plain;charset=x ")),
        ("many small data: URIs", rep("data:,a ")),
        ("data: URIs with escaped payloads", rep("data:;base64,QU&#74;C ")),
        // Each URI's payload runs to the end of the text (no white space ends it): one read at
        // the next level, or one whose payload holds nothing, takes the URIs inside it along
        // (they were each read again to the end: quadratic, found after round 3).
        ("glued data: URIs with escaped payloads", rep("data:,&#74;")),
        ("glued base64 data: URIs with escapes", rep("data:;base64,QU&#74;C")),
        ("glued data: URIs with empty payloads", rep("data:;base64,!!!!")),
        ("glued data: URIs with backslash escapes", rep("data:,\\u0041")),
        (
            "nested data: URIs",
            rep(&format!(
                "data:;base64,{} ",
                b64(format!("data:;base64,{}", b64(b"abc")).as_bytes())
            )),
        ),
        ("many tags", rep("<b>x</b>")),
        ("many comments", rep("a<!-- -->")),
        ("comments that never end", rep("<!--")),
        ("quotes that never end", rep("<a x=\"")),
        ("a tag name that never ends", format!("<{}", "a".repeat(n))),
        ("tags with entities", rep("NIGHT<b>&#74;</b>")),
        ("escaped markup", rep("x&lt;b&gt;y&lt;/b&gt;")),
        ("comparisons", rep("a < b and c > d ")),
        // Styles (SA12): elements, attributes, comments, escapes and strings in them, and each
        // that never ends.
        ("many style elements", rep("<style>p{color:red}</style>x")),
        ("many style attributes", rep("<b style='color:red;x:y'>x</b>")),
        (
            "a style element that never ends",
            format!("<style>{}", rep("p{color:red} ")),
        ),
        ("comments in a style", format!("<style>{}", rep("/* a */"))),
        ("comments in a style that never end", format!("<style>{}", rep("/*"))),
        ("escapes in a style", format!("<style>{}", rep("\\63 olor:red;"))),
        (
            "strings in a style that never end",
            format!("<style>{}", rep("a{b:\"c")),
        ),
        ("many style starts", rep("<style")),
        ("many comments that end with a bang", rep("<!-- x --!>")),
        ("many list markers", format!("<style>{}", rep("list-style:disc;"))),
        // White space inside a `data:` scheme or header (SB11), and unreadable payloads.
        ("white space in data: schemes", rep("d\ta\tt\ta\t")),
        ("data: schemes with white space", rep("da\tta :\t")),
        ("headers with line breaks", rep("data:text/plain\n;")),
        ("many binary data: URIs", rep("data:application/gzip;base64,H4sIAAAA ")),
        (
            "data: URIs nested deeper than read",
            rep(&{
                let mut s = "abc".to_string();
                for _ in 0..8 {
                    s = format!("data:;base64,{}", b64(s.as_bytes()));
                }
                s + " "
            }),
        ),
    ]
}

#[test]
fn doubling_a_data_uri_or_markup_input_at_most_about_doubles_the_work() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let policy = policy();
    let small = 32 * 1024;
    let mut report = Vec::new();
    let mut problems = Vec::new();
    for ((name, a), (_, b)) in shapes(small).into_iter().zip(shapes(small * 2)) {
        let input = |s: &str| content::bundle(content::place(0, s, 16));
        let (ia, ib) = (input(&a), input(&b));
        let guard_a = counted(|| drop(guard::filter(ia.as_bytes(), &policy)));
        let guard_b = counted(|| drop(guard::filter(ib.as_bytes(), &policy)));
        let verify_a = counted(|| drop(sekisho::verifier::verify(ia.as_bytes(), &policy)));
        let verify_b = counted(|| drop(sekisho::verifier::verify(ib.as_bytes(), &policy)));
        for (who, x, y) in [("guard", guard_a, guard_b), ("verifier", verify_a, verify_b)] {
            let ratio = |p: usize, q: usize| q as f64 / p.max(1) as f64;
            let (calls, bytes) = (ratio(x.0, y.0), ratio(x.1, y.1));
            report.push(format!(
                "{name} / {who}: allocations {} -> {} ({calls:.2}x), bytes {} -> {} ({bytes:.2}x)",
                x.0, y.0, x.1, y.1
            ));
            // Doubling the input doubles the work; a fixed part (the policy, the bundle) makes
            // it less. More than 2.6x would be growth faster than linear.
            if calls > 2.6 || bytes > 2.6 {
                problems.push(report.last().cloned().unwrap_or_default());
            }
        }
    }
    println!("{}", report.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A long description of four-digit words (each a hex word; pairs that write printable bytes
/// make many runs) holds no more than a few times its size live, in the guard and in the second
/// verifier, and is held by both: a text of a megabyte has at most two readings of runs (each as
/// long as the text, and mapped back byte by byte), where it had 33 and took 972 MB.
#[test]
fn a_long_text_of_hex_like_words_holds_a_few_times_its_size() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let policy = policy();
    let mut x: u64 = 7;
    let mut text = String::new();
    while text.len() < 1_000_000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        text.push_str(&format!("{} ", (x >> 33) % 10_000));
    }
    let input = content::bundle(content::place(0, &text, 1));
    let (released, g) = counting::counted(|| guard::filter(input.as_bytes(), &policy).is_ok());
    let (passed, v) = counting::counted(|| sekisho::verifier::verify(input.as_bytes(), &policy).is_ok());
    eprintln!(
        "{} B: guard peak {} B ({:.1} B/B), verifier peak {} B ({:.1} B/B)",
        input.len(),
        g.peak,
        g.peak as f64 / input.len() as f64,
        v.peak,
        v.peak as f64 / input.len() as f64
    );
    assert!(!released && !passed, "released {released}, passed {passed}");
    assert!(g.peak < 48 * input.len(), "guard peak {} B", g.peak);
    assert!(v.peak < 80 * input.len(), "verifier peak {} B", v.peak);
}
