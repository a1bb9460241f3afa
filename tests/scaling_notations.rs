//! Making a text of the notations read for red team round 2 (R01-R05, R08, R11: reverse DNS
//! names, abbreviated and wildcard networks, LDAP names, digit gaps, kanji numerals, every
//! script's full stop, spaced `@`) four times as long makes the work of the guard and of the
//! second verifier at most about four times as much: at most 5x the allocations, and 10x the
//! bytes allocated (a vector that doubles its capacity allocates up to twice its final size, so
//! one that just crossed a power of two shows up to 8x); quadratic work would be 16x. Work is counted (allocations and bytes allocated, by a global allocator that wraps
//! the system one), not timed; the times are measured by hand with the release binary (see the
//! report of the change). A separate file from `tests/scaling.rs`, whose shapes are another's.

#[path = "common/counting.rs"]
mod counting;

use sekisho::policy::Policy;

fn policy() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join("us-to-jpn.toml")).unwrap()
}

/// The repeated units: each is one notation, or a near miss that makes a reader look ahead.
const UNITS: &[(&str, &str)] = &[
    ("ldap-components", "DC=a,"),
    ("ldap-runs", "dc=corp,dc=example "),
    ("ldap-near-misses", "dc dc= dc=, "),
    ("reverse-dns-one-word", "1.in-addr.arpa."),
    ("ip6-arpa-one-word", "a.ip6.arpa."),
    ("reverse-dns-names", "40.30.20.10.in-addr.arpa "),
    ("abbreviated-cidr", "10/8 172.16/12 "),
    ("wildcards", "10.20.30.* 192.168.x.x 10.20.30.[40-50] "),
    ("digit-gaps", "1\u{30FC}"),
    ("digit-gap-then-hidden", "1\u{30FC}\u{200B}\u{200B}"),
    ("hidden-characters", "\u{200B}"),
    ("tildes", "1~"),
    ("kanji-zeros", "\u{3007}"),
    ("kanji-zero-then-hidden", "\u{3007}\u{200B}\u{200B}"),
    ("kanji-numerals", "\u{3007}\u{4E09}-\u{4E94}\u{4E94} "),
    ("telephone-signs", "\u{2121}"),
    ("full-stops", "10\u{2CFE}"),
    ("spaced-at", "a @ b "),
    ("doubled-at", "a@@"),
    ("ldap-long-names", "/domainComponent=a+0.9.2342.19200300.100.1.25=\"b\""),
    ("ldap-quote-unclosed", "DC=\"a"),
    ("brace-ranges", "10.{1..254}.{"),
    ("brace-near-misses", ".{.{1..{"),
    ("wildcard-parts", "10.*.?? 1?.x.0-255.{1..2} "),
    ("dot-look-alikes", "1\u{2022}a\u{0660}"),
    ("digit-dashes", "1_2\u{2F00}3\u{2500}"),
    ("capital-look-alikes", "\u{039D}\u{0422}\u{13BB}\u{0442}\u{00D8}"),
    (
        "capital-look-alikes-past-the-budget",
        "\u{039D}\u{0422}\u{13BB}\u{0442}\u{00D8}",
    ),
    ("kanji-prolonged", "\u{4E09}\u{30FC}"),
    ("glued-labels", "tel1 ph#2 "),
    ("data-split-base64", "data:;base64,T3Bl cmF0 "),
    ("data-split-escaped", "data:;base64,A A\\ "),
    ("data-escaped-glued", "data:,x\\"),
    ("data-long-header", "data:text/plain;x=aaaaaaaa;"),
    ("data-legacy-charset", "data:;charset=shift_jis,%82%60 "),
    ("hidden-elements", "<span hidden>a<span>b"),
    ("hidden-closed", "<script>x</script>y "),
    ("comment-bang-near-misses", "<!--x--!"),
    ("bogus-end-tags", "</ x"),
    ("zero-padded-references", "&#0000000"),
    ("legacy-references", "&shy&nbs"),
    ("bbcode-near-misses", "[b=x[a"),
    ("markdown-near-misses", "[a](x[b]["),
    ("markdown-links", "[a](https://x \"t\")[b][c] "),
    ("enum-names", "1.2.3.4.5.6.7.e164.arpa "),
    ("email-obfuscations", "a(a)b_at_c<at>d "),
    ("tlp-signs", "TLP-"),
    ("word-signs", "a-"),
    ("tlp-glued-values", "TLP\u{2014}zork|"),
    ("tlp-leet-bars", "7|P|"),
    ("tlp-sign-runs", "TLP-\u{2192}\u{0437}"),
    ("utf7-plus-runs", "+++"),
    ("utf7-words", "+AE4- +abc "),
    ("utf7-glued", "a+AE4-b+abc"),
    ("shell-carets", "a^b^"),
    ("shell-quote-joins", "a'+'b\" . \"c''"),
    ("shell-quote-spaces", "a'    +    "),
    ("perl-braced-escapes", "\\x{4e}\\N{U+4E}\\x{"),
    ("utf16-surrogate-escapes", "\\ud83d\\udfe5%uD83D%uDFE5\\ud83d"),
    ("snort-groups", "|0a 14 1e 28|a|04|"),
    ("snort-near-misses", "|0a 1|| 1|"),
    ("yara-strings", "{ 4F 70 ?? [2-4] ( 4A | 4B ) }"),
    ("yara-near-misses", "{ 4F [1-{ ?"),
    ("quoted-printable", "=4E=2E=\n=ZZ"),
    ("encoded-words", "=?utf-8?Q?a=41_b?= =?utf-8?B?QUJD?="),
    ("encoded-words-unclosed", "=?utf-8?Q?a=41=?"),
];

fn bundle(text: &str) -> Vec<u8> {
    serde_json::json!({
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000999",
        "objects": [{
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--00000000-0000-4000-8000-000000000002",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
            "pattern": "[ipv4-addr:value = '203.0.113.1']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z", "description": text,
        }]
    })
    .to_string()
    .into_bytes()
}

/// (allocations, bytes allocated) of `f`.
fn work(f: impl FnOnce()) -> (usize, usize) {
    let ((), w) = counting::counted(f);
    (w.allocations, w.bytes)
}

#[test]
fn a_text_of_the_new_notations_four_times_as_long_is_about_four_times_the_work() {
    let policy = policy();
    let mut failures = Vec::new();
    for (name, unit) in UNITS {
        // Up to about 128 KiB of text, inside `max_string_bytes`. The guard keeps the normal
        // forms its address rules computed for the text rules up to a budget (1 MiB an object);
        // past it they are computed again, a step in the work that is no growth: a shape whose
        // normal form crosses the budget between the two sizes is measured on either side of it.
        let n = match *name {
            "capital-look-alikes" => 8 * 1024,
            "capital-look-alikes-past-the-budget" => 64 * 1024,
            _ => 32 * 1024,
        } / unit.len();
        let (small, large) = (bundle(&unit.repeat(n)), bundle(&unit.repeat(4 * n)));
        for (side, run) in [
            (
                "guard",
                (|i: &[u8], p: &Policy| drop(sekisho::guard::filter(i, p))) as fn(&[u8], &Policy),
            ),
            ("verifier", |i: &[u8], p: &Policy| drop(sekisho::verifier::verify(i, p))),
        ] {
            let (a1, b1) = work(|| run(&small, &policy));
            let (a2, b2) = work(|| run(&large, &policy));
            let ratio = |x: usize, y: usize| y as f64 / x.max(1) as f64;
            eprintln!(
                "{name} ({side}): {a1} -> {a2} allocations, {b1} -> {b2} bytes ({:.2}x, {:.2}x)",
                ratio(a1, a2),
                ratio(b1, b2)
            );
            if ratio(a1, a2) > 5.0 || ratio(b1, b2) > 10.0 {
                failures.push(format!("{name} ({side}): work grew more than linearly"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
