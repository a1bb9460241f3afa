//! Session 40, UTF-7 glued to a word: a part of a name, marking or address written in UTF-7
//! (RFC 2152: `+`, base64 of UTF-16BE, an optional `-`) right after a letter or digit, as a
//! UTF-7 decoder reads a whole text (`SE+AEMAUgBFAFQ-` is `SECRET`), is held by both readers
//! (each its own decoder); text with `+` between words and base64 with `+` in it go.

mod common;

use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

/// `s` in UTF-7's modified base64: UTF-16BE, no padding, the last bits zero.
fn utf7(s: &str) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for k in 0..=chunk.len() {
            out.push(char::from(B64[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

/// `plain` with its characters `from..to` written in UTF-7 (a `-` closes the run when the next
/// character would continue it).
fn glued(plain: &str, from: usize, to: usize) -> String {
    let chars: Vec<char> = plain.chars().collect();
    let (from, to) = (from.min(chars.len()), to.min(chars.len()));
    let (from, to) = (from.min(to), from.max(to).max(from + 1).min(chars.len()));
    let head: String = chars[..from].iter().collect();
    let mid: String = chars[from..to].iter().collect();
    let tail: String = chars[to..].iter().collect();
    let close = tail.starts_with(|c: char| c.is_ascii_alphanumeric() || "+/-".contains(c)) || tail.is_empty();
    format!("{head}+{}{}{tail}", utf7(&mid), if close { "-" } else { "" })
}

/// Held as written by both readers under us-to-jpn.
const HELD: &[&str] = &[
    "SECRET",
    "TOP SECRET",
    "Operation NIGHTJAR",
    "alice.smith@agency.example.gov",
    "10.20.30.40",
    "intranet.corp.example",
    "TLP:RED",
    "UNCLASSIFIED//FOUO",
];

#[test]
fn utf7_glued_to_a_word_is_held() {
    all_held(
        &us_to_jpn(),
        &[
            "SE+AEMAUgBFAFQ-",
            "S+AEUAQwBSAEUAVA-",
            "Operation+ACAATgBJAEcASABUAEoAQQBS-",
            "OperationNIGHT+AEoAQQBS-",
            "Operation NIGHTJ+AEE-R",
            "alice.smith+AEA-agency.example.gov",
            "10+AC4-20+AC4-30+AC4-40",
            "intranet+AC4-corp+AC4-example",
            "TLP+ADo-RED",
        ],
    );
}

#[test]
fn plus_between_words_and_in_base64_goes() {
    all_go(
        &us_to_jpn(),
        &[
            "C++ and a+b and x+y=z",
            "SGVsbG8gd29ybGQ+IGFuZCBtb3Jl",
            "aGVsbG8+d29ybGQ=",
            "build 1.2+abc-def and 3+4",
            "semver 1.0.0+20130313144700 and g++ -O2",
            "Ctrl+Alt+Del, Shift+F10",
            "data:text/plain;base64,SGVsbG8+",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any run of a held text in UTF-7, right after what comes before it.
    #[test]
    fn any_run_in_utf7_is_held(
        plain in prop::sample::select(HELD),
        from in 0usize..40,
        to in 0usize..40,
    ) {
        let text = glued(plain, from, to);
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
