//! Session 38, hex and mail escapes (probe families `hex`, `snort`, `escape2`): a name, address or
//! domain written in snort's `|xx xx|` hex bytes or DNS wire labels (`|04|corp|07|example|00|`),
//! four bytes of a snort group read as an IPv4 address (`|0a 14 1e 28|`), a YARA hex string
//! (`{ 4F 70 … }`), quoted-printable (`=4E`, `=2E`, `=40`, soft breaks), RFC 2047 encoded words
//! (`=?UTF-8?B?…?=`, `=?utf-8?Q?…?=`) and UTF-7 (`+AE4-`) is held in both readers (each its own
//! decoder), in a snort or YARA pattern and in any text; benign neighbours go.

mod common;

use common::held::{all_go, all_held, go_in, held_in};
use common::*;
use sekisho::policy::Policy;
use serde_json::json;

/// An indicator whose `pattern` is `pattern`, of type `pattern_type`.
fn pattern_indicator(pattern: &str, pattern_type: &str) -> Vec<u8> {
    let mut o = indicator(1, &[TLP_GREEN], "d");
    o["pattern"] = json!(pattern);
    o["pattern_type"] = json!(pattern_type);
    bundle(vec![o])
}

/// Problems with a pattern that must be held: the verifier passes it, or the guard releases it.
fn pattern_held(policy: &Policy, pattern: &str, pattern_type: &str) -> Vec<String> {
    held_in(policy, "", pattern, &pattern_indicator(pattern, pattern_type))
}

/// Problems with a benign pattern: the guard changes or refuses it, or the verifier refuses it.
fn pattern_go(policy: &Policy, pattern: &str, pattern_type: &str) -> Vec<String> {
    go_in(policy, "", pattern, &pattern_indicator(pattern, pattern_type))
}

fn snort(content: &str) -> String {
    format!("alert tcp any any -> any any (msg:\"x\"; content:\"{content}\";)")
}

const SNORT_HELD: &[&str] = &[
    "Operation|20|NIGHTJAR",
    "Operation NIGHT|4a|AR",
    "Operation NIGHT|4A 41|R",
    "|4f 70 65 72 61 74 69 6f 6e 20 4e 49 47 48 54 4a 41 52|",
    "|4f7065726174696f6e204e494748544a4152|",
    "|08|intranet|04|corp|07|example|00|",
    "|04|corp|07|example|00|",
    "|0a 14 1e 28|",
    "|0A141E28|",
    "|c0 a8 01 01|",
    "intranet|2e|corp|2e|example",
];

const SNORT_GO: &[&str] = &[
    "Operation|20|SUNRISE",
    "|08|intranet|04|evil|07|example|00|",
    "|cb 00 71 09|",
    "|0d 0a 0d 0a|",
    "GET /index.html|0d 0a|",
    "|ff fe|",
    "|4d 5a 90 00|",
];

const YARA_HELD: &[&str] = &[
    "4F 70 65 72 61 74 69 6F 6E 20 4E 49 47 48 54 4A 41 52",
    "4F7065726174696F6E 204E494748544A4152",
    "?? 4F 70 65 72 61 74 69 6F 6E 20 4E 49 47 48 54 4A 41 52 [2-4] 00",
    "69 6E 74 72 61 6E 65 74 2E 63 6F 72 70 2E 65 78 61 6D 70 6C 65",
    "69 6E 74 72 61 6E 65 74 2E 63 6F 72 70 2E 65 78 61 6D 70 6C 65 ( 00 | 01 )",
];

const YARA_GO: &[&str] = &["4D 5A 90 00", "4D 5A ?? ?? [4-6] 50 45 00 00", "( 4D | 5A ) 90"];

fn yara(hex: &str) -> String {
    format!("rule r {{ strings: $a = {{ {hex} }} condition: $a }}")
}

#[test]
fn snort_hex_and_dns_wire_in_patterns_are_held() {
    let p = us_to_jpn();
    let problems: Vec<String> = SNORT_HELD
        .iter()
        .flat_map(|c| pattern_held(&p, &snort(c), "snort"))
        .chain(YARA_HELD.iter().flat_map(|h| pattern_held(&p, &yara(h), "yara")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ordinary_snort_and_yara_patterns_go() {
    let p = us_to_jpn();
    let problems: Vec<String> = SNORT_GO
        .iter()
        .flat_map(|c| pattern_go(&p, &snort(c), "snort"))
        .chain(YARA_GO.iter().flat_map(|h| pattern_go(&p, &yara(h), "yara")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hex_bytes_and_mail_encodings_in_prose_are_held() {
    all_held(
        &us_to_jpn(),
        &[
            // snort bytes and DNS wire labels written in prose
            "Operation|20|NIGHTJAR",
            "content:\"|08|intranet|04|corp|07|example|00|\"",
            "content:\"|0A 14 1E 28|\"",
            "rule { 4F 70 65 72 61 74 69 6F 6E 20 4E 49 47 48 54 4A 41 52 }",
            // quoted-printable
            "Operation=20NIGHTJAR",
            "Operation =4EIGHTJAR",
            "Operation =4eIGHTJAR",
            "Operation NIGHT=\r\nJAR",
            "Operation NIGHT=\nJAR",
            "10=2E20=2E30=2E40",
            "intranet=2Ecorp=2Eexample",
            "alice.smith=40agency.example.gov",
            "Operation=3D4EIGHTJAR",
            // RFC 2047 encoded words
            "Subject: =?UTF-8?B?T3BlcmF0aW9uIE5JR0hUSkFS?=",
            "Subject: =?utf-8?Q?Operation_NIGH=54JAR?=",
            "=?iso-8859-1?q?Operation_NIGHTJAR?=",
            "=?UTF-8*en?B?T3BlcmF0aW9uIE5JR0hUSkFS?=",
            "From: =?UTF-8?B?YWxpY2Uuc21pdGhAYWdlbmN5LmV4YW1wbGUuZ292?=",
            "=?utf-8?b?aW50cmFuZXQuY29ycC5leGFtcGxl?=",
            // UTF-7
            "Operation +AE4-IGHTJAR",
            "Operation +AE4ASQBHAEgAVABKAEEAUg-",
            // a `+` after an escaped letter is no UTF-7 in either reader (s39: the guard read
            // `+Aao` as UTF-7 and lost `TLP+AAO`, which the verifier read)
            "TL&#80;+Aao",
            "TL%50+zork",
            // CSS escapes, as a style sheet's reader decodes them
            "Operation \\4e IGHTJAR",
            "Operation \\00004EIGHTJAR",
            "intranet\\2e corp\\2e example",
            // DNS wire labels written as C escapes (s39: crossed both readers; the length bytes
            // decoded to control characters, which the normal form drops)
            "\\x08intranet\\x04corp\\x07example\\x00",
            "query \\x08intranet\\x04corp\\x07example\\x00\\x00\\x01 sent",
            "\\010intranet\\004corp\\007example",
            "\\u0008intranet\\u0004corp\\u0007example",
            "\\x08INTRANET\\x04CORP\\x07EXAMPLE",
            // a control character inside a word is still dropped there (not read as a dot)
            "SE\\x03CRET",
            "\\x03TOP\\x06SECRET",
            // a character beyond the BMP as two UTF-16 escapes, as JSON and JavaScript write it
            // (s40: a surrogate was no character to either reader, so `TLP։ 🟥` escaped so
            // crossed both; found by prose_markings' proptest in CI)
            "TLP\u{589} \\ud83d\\udfe5",
            "TLP\u{589} \\uD83D\\uDFE5",
            "TLP\u{589} %uD83D%uDFE5",
            "Operation \\ud835\\udc0dIGHTJAR",
            "\\ud835\\udc12\\ud835\\udc04\\ud835\\udc02RET",
            "Operation %uD835%uDC0DIGHTJAR",
            // Perl's braced escapes (s40: read by neither)
            "\\x{54}LP:RED",
            "Operation \\x{4e}IGHTJAR",
            "\\N{U+0054}LP:RED",
            "intranet\\x{2e}corp\\x{2E}example",
        ],
    );
}

#[test]
fn text_with_equals_pipes_braces_and_plus_goes() {
    all_go(
        &us_to_jpn(),
        &[
            "a = b, x=1, y == 2",
            "https://example.net/search?q=4E&page=20&id=abcdef",
            "aGVsbG8gd29ybGQ=",
            "T3BlcmF0aW9uIFNVTlJJU0U=",
            "| 10 | 20 | 30 | 40 |",
            "|col|row|",
            "a|b|c",
            "template {0} and {name} and regex a{10}",
            "C++ and a+b and +1 and +abc-",
            "=?UTF-8?B?aGVsbG8gd29ybGQ=?=",
            "=?utf-8?Q?plain_words?=",
            "content:\"|0d 0a|\"",
            "x =\n y",
            "C:\\Users\\admin\\backup\\2024\\report.docx",
            "\\d{3}-\\d{4} and \\b word \\b",
            "\\x08intranet\\x04evil\\x07example\\x00",
            "printf(\"a\\x09b\\x0ac\\x01\")",
            // a lone or reversed surrogate is no character; an escaped emoji is no marking
            "TLP\u{589} \\ud83d and \\udfe5\\ud83d",
            "status \\ud83d\\udfe2 green, \\ud83d\\ude00",
            "%uD83D%u0041 and %uDFE5",
            "s/\\x{41}\\N{U+42}/C/ and \\N{LATIN CAPITAL LETTER T}LP and \\x{}",
        ],
    );
}
