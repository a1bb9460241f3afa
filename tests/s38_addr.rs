//! Session 38 address families (red-team probe `v6net`, `sms`, `email`, `phone`, `vphone`):
//! IPv6 networks that carry every IPv4 address, telephone numbers as the local part of an
//! e-mail value the e-mail rule exempts, RFC 5322 comments in addresses, `IPv6:` domain
//! literals, dotted telephone numbers, and a confidence that is no integer. Each form is held by
//! both readers (the verifier refuses it as written, the guard never releases it, and what the
//! guard releases passes the verifier); the benign neighbours go unchanged through both.

mod common;

use common::held::{all_go, all_held, go_problems_at, held_problems_at};

use sekisho::fuzzing::content;
use sekisho::guard;
use sekisho::policy::Policy;

/// The index of `name` in the fuzzing places.
fn place(name: &str) -> usize {
    content::PLACES.iter().position(|p| *p == name).unwrap()
}

fn held_at(policy: &Policy, p: &str, texts: &[&str]) {
    let problems: Vec<String> = texts
        .iter()
        .flat_map(|t| held_problems_at(policy, "", place(p), t))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn go_at(policy: &Policy, p: &str, texts: &[&str]) {
    let problems: Vec<String> = texts
        .iter()
        .flat_map(|t| go_problems_at(policy, "", place(p), t))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether the guard releases `text` at place `p` (as written) and whether the verifier passes
/// it as written.
fn readers(policy: &Policy, p: usize, text: &str) -> (bool, bool) {
    let input = content::bundle(content::place(p, text, 1));
    let guard = guard::filter(input.as_bytes(), policy)
        .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains(&serde_json::to_string(text).unwrap()));
    (guard, sekisho::verifier::verify(input.as_bytes(), policy).is_ok())
}

#[test]
fn ipv6_networks_that_carry_every_ipv4_address_are_held() {
    let us = common::us_to_jpn();
    let forms = [
        "::ffff:0:0/96",
        "::ffff:0.0.0.0/96",
        "64:ff9b::/96",
        "::/96",
        "::ffff:0:0:0/96",
        "::ffff:a00:0/104",
        "::ffff:10.0.0.0/104",
        "64:ff9b::/64",
        "::/0",
        "::ffff:0:0/95",
    ];
    for p in ["ipv6-addr.value", "indicator.description", "indicator.pattern.literal"] {
        held_at(&us, p, &forms);
    }
    go_at(
        &us,
        "ipv6-addr.value",
        &[
            "2001:db8::/96",
            "2001:db8::/32",
            "::ffff:203.0.113.0/120",
            "64:ff9b::cb00:7100/120",
        ],
    );
}

/// Every prefix length 0..=128 over the mapped, translated, compatible and NAT64 prefixes,
/// carrying an internal (10.20.30.40) or a public (203.0.113.9) address: a network that holds
/// an internal address (every /96 or wider one does) is held by both readers, and the two
/// readers agree on every one.
#[test]
fn ipv6_networks_at_every_prefix_length_agree_with_the_internal_ranges() {
    let us = common::us_to_jpn();
    let v6 = place("ipv6-addr.value");
    let internal: [(u32, u32); 3] = [(0x0a00_0000, 8), (0xac10_0000, 12), (0xc0a8_0000, 16)];
    let mut problems = Vec::new();
    for prefix in [0xffffu128 << 32, 0xffffu128 << 48, 0, 0x64_ff9bu128 << 96] {
        for v4 in [0x0a14_1e28u32, 0xcb00_7109] {
            for len in 0..=128u32 {
                let addr = prefix | u128::from(v4);
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                // Written as eight groups: `Ipv6Addr`'s display writes a mapped address's dotted
                // quad, which the phone rule may read with a three-digit length after it.
                let net = std::net::Ipv6Addr::from(addr & mask)
                    .segments()
                    .map(|g| format!("{g:x}"))
                    .join(":");
                let text = format!("{net}/{len}");
                // The IPv4 addresses under the network: all of them at /96 and wider.
                let host = 128 - len.max(96);
                let lo = v4 & u32::MAX.checked_shl(host).unwrap_or(0);
                let hi = lo | u32::MAX.checked_shr(32 - host).unwrap_or(0);
                let inside = internal.iter().any(|&(n, l)| {
                    let top = n | u32::MAX.checked_shr(l).unwrap_or(0);
                    lo <= top && n <= hi
                });
                let (g, v) = readers(&us, v6, &text);
                if inside && (g || v) {
                    problems.push(format!("{text}: guard released {g}, verifier passed {v}"));
                }
                if g != v {
                    problems.push(format!(
                        "{text}: the readers disagree (guard released {g}, verifier passed {v})"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Telephone numbers as the local part of an address the e-mail rule exempts (`email-addr`
/// values, patterns): the phone rule reads the local part (`@` no longer glues), so the number
/// is replaced in the value (`[PHONE REDACTED]@vtext.com`) and a pattern that carries one drops.
#[test]
fn telephone_numbers_before_an_at_are_replaced_in_exempt_addresses() {
    let us = common::us_to_jpn();
    let forms = [
        "2025550143@vtext.com",
        "+12025550143@tmomail.net",
        "090-1234-5678@docomo.ne.jp",
        "+81-3-5555-0100@example.jp",
        "09012345678@docomo.ne.jp",
    ];
    held_at(&us, "email-addr.value", &forms);
    held_at(&us, "indicator.pattern.literal", &forms);
    all_held(&us, &forms);
    go_at(
        &us,
        "email-addr.value",
        &[
            "alice.2024@example.jp",
            "12345@tickets.example",
            "ticket-1234567@tickets.example",
            "phisher@docomo.ne.jp",
        ],
    );
}

/// RFC 5322 comments around the local part and the domain, as mail programs drop them.
#[test]
fn addresses_with_comments_are_addresses() {
    let us = common::us_to_jpn();
    all_held(
        &us,
        &[
            "alice(ops)@agency.example.gov",
            "alice@(ops)agency.example.gov",
            "alice.smith(x)@(y)agency.example.gov",
            "write to alice(ops (night))@agency.example.gov today",
            "(x)alice@agency.example.gov",
        ],
    );
    all_go(
        &us,
        &["f(x) @ runtime", "call f(x) at noon", "see (ops) agency.example.gov"],
    );
}

/// Domain literals with an `IPv6:` tag (the verifier split them at the colons).
#[test]
fn ipv6_domain_literals_are_addresses() {
    let us = common::us_to_jpn();
    all_held(
        &us,
        &[
            "alice@[IPv6:2001:db8::1]",
            "root@[IPv6:::1]",
            "mail root@[ipv6:fe80::1] now",
        ],
    );
    all_go(&us, &["alice [IPv6] notes", "the literal [IPv6:2001:db8::1] alone"]);
}

/// Dotted telephone numbers: with a `+`, and with a leading country code 1 whose parts are no
/// address (555 is no octet; a part of four digits neither).
#[test]
fn dotted_telephone_numbers_are_numbers() {
    let us = common::us_to_jpn();
    all_held(
        &us,
        &[
            "+1.202.555.0143",
            "+81.3.5555.0100",
            "1.202.555.0143",
            "call +1-202.555.0143",
            "+1 202.555.0143",
        ],
    );
    all_go(
        &us,
        &[
            "version 1.2.3.4",
            "build 10.0.19041",
            "Windows 10.0.19041.1288",
            "203.0.113.9",
            "198.51.100.0/24",
            "6.1.7601.17514",
            "release 4.18.2301.6",
        ],
    );
}

/// STIX confidence is an integer from 0 to 100: the verifier refuses what the guard refuses.
#[test]
fn a_confidence_that_is_no_integer_is_refused_by_both() {
    let us = common::us_to_jpn();
    for (c, ok) in [
        ("10203040e-6", false),
        ("50.5", false),
        ("101", false),
        ("50", true),
        ("0", true),
    ] {
        let input = format!(
            r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[{{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","spec_version":"2.1","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"name":"i","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z","confidence":{c}}}]}}"#
        );
        let v = sekisho::verifier::verify(input.as_bytes(), &us).is_ok();
        let g = guard::filter(input.as_bytes(), &us)
            .is_ok_and(|r| String::from_utf8_lossy(r.output.as_bytes()).contains(&format!("\"confidence\":{c}")));
        assert_eq!(
            (g, v),
            (ok, ok),
            "confidence {c}: guard released {g}, verifier passed {v}"
        );
    }
}
