//! Red team round 3, text families (ids SA.. in rt3a, SB.. in rt3b): each reproducer form,
//! written in a description, is held by the guard (redacted or refused: it never crosses as
//! written) and refused by the second verifier as it came; the guard's output passes the
//! verifier; benign neighbours cross unchanged.

use proptest::prelude::*;
use sekisho::fuzzing::content;
use sekisho::guard;
use sekisho::policy::Policy;

fn policy(name: &str) -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join(name)).unwrap()
}

/// Problems with `text` (in `indicator.description`) under `policy`: empty when it is held.
fn held_problems(policy: &Policy, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let input = content::bundle(content::place(0, text, 1));
    if sekisho::verifier::verify(input.as_bytes(), policy).is_ok() {
        problems.push(format!("verifier passed {text:?}"));
    }
    if let Ok(r) = guard::filter(input.as_bytes(), policy) {
        let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
        let quoted = serde_json::to_string(text).unwrap();
        if out.contains(&quoted) {
            problems.push(format!("guard released {text:?} as written"));
        }
        if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), policy) {
            problems.push(format!("verifier refused the output for {text:?}: {e:?}"));
        }
    }
    problems
}

fn all_held(policy: &Policy, texts: &[&str]) {
    let problems: Vec<String> = texts.iter().flat_map(|t| held_problems(policy, t)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each of `texts` crosses the guard unchanged and the verifier passes it.
fn all_go(policy: &Policy, texts: &[&str]) {
    let mut problems = Vec::new();
    for text in texts {
        let input = content::bundle(content::place(0, text, 1));
        match guard::filter(input.as_bytes(), policy) {
            Ok(r) => {
                let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                if !out.contains(&serde_json::to_string(text).unwrap()) {
                    problems.push(format!("guard changed benign {text:?}: {out}"));
                }
            }
            Err(e) => problems.push(format!("guard refused benign {text:?}: {e:?}")),
        }
        if let Err(e) = sekisho::verifier::verify(input.as_bytes(), policy) {
            problems.push(format!("verifier refused benign {text:?}: {e:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//--- SA14 + SB06: capitals of other scripts and letters with overlays

#[test]
fn sa14_sb06_capitals_of_other_scripts_and_overlaid_letters_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation ΝIGHTJAR",
            "Operation NIGΗTJAR",
            "Operation NIGHΤJAR",
            "Operation NIGНTJAR",
            "Operation NIGHТJAR",
            "Operation ⲚIGHTJAR",
            "Operation NIGᎻTJAR",
            "OPERATΙON ΝIGHTJAR",
            "ΤASK FORCE 1-7",
            "PROJECT ΒLUEBIRD",
            "ΗALCYON RIDGE",
            "HOSТ.CORP.EXAМPLE",
            "host.corp.exaМple",
            "HOST.CORP.ΕΧΑΜΡLΕ",
            "Operation ƝƗǤĦŦɈȺɌ",
            "Operation ꮑꮖꮐꮋꭲꭻꭺꭱ",
            "Operation NIGHŦJAR, also written Operation NƗGHTJAR and Operation NIGĦTJAR",
            "Operation NIGHTJȺR",
            "Operation NIGHTJAɌ",
            "Operation ŊIGHTJAR",
            "Operation NIǤHTJAR",
            "Operation NIGHTɈAR",
            "Operation NIGHTJΛR",
            "Operation NIGHTJ∀R",
            "Task Førce 1-7 observed",
            "host.cørp.example",
        ],
    );
    let aus = policy("us-to-aus.toml");
    all_held(
        &aus,
        &[
            "Project KØALA infrastructure",
            "Project KOAŁA infrastructure",
            "PROJECT ΚOALA",
        ],
    );
}

#[test]
fn sa14_sb06_greek_cyrillic_and_nordic_words_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Ελληνικά ΑΘΗΝΑ report",
            "Москва МОСКВА campaign",
            "Øresund bridge and Łódź",
            "Straße ħ ŋ ø",
            "Operation Nightingale",
        ],
    );
}

/// The look-alikes a letter of a canary may be written with: a capital of another script, or the
/// letter with a stroke, bar or hook.
fn look_alike(c: char, pick: u8) -> char {
    let options: &[char] = match c {
        'A' => &['Α', 'А', 'Ⲁ', 'Ꭺ', 'Ⱥ', 'Λ'],
        'B' => &['Β', 'В', 'Ᏼ', 'Ƀ'],
        'E' => &['Ε', 'Е', 'Ꭼ', 'Ɇ'],
        'G' => &['Ǥ', 'Ꞡ', 'Ᏻ'],
        'H' => &['Η', 'Н', 'Ⲏ', 'Ꮋ', 'Ħ', 'Ⱨ'],
        'I' => &['Ι', 'І', 'Ⲓ', 'Ɨ'],
        'J' => &['Ј', 'Ɉ', 'Ꭻ'],
        'K' => &['Κ', 'К', 'Ⲕ', 'Ꮶ', 'Ꝁ'],
        'L' => &['Ł', 'Ƚ', 'Ꮮ'],
        'M' => &['Μ', 'М', 'Ⲙ', 'Ꮇ'],
        'N' => &['Ν', 'Ⲛ', 'Ɲ', 'Ŋ'],
        'O' => &['Ο', 'О', 'Ⲟ', 'Ø', 'Ꝋ'],
        'P' => &['Ρ', 'Р', 'Ⲣ', 'Ꮲ', 'Ᵽ'],
        'R' => &['Ɍ', 'Ꞧ', 'Ꭱ'],
        'S' => &['Ѕ', 'Ꮪ', 'Ꞩ'],
        'T' => &['Τ', 'Т', 'Ⲧ', 'Ꭲ', 'Ŧ', 'Ⱦ'],
        'X' => &['Χ', 'Х', 'Ⲭ'],
        'Y' => &['Υ', 'Ү', 'Ɏ'],
        'Z' => &['Ζ', 'Ƶ'],
        _ => &[],
    };
    options
        .get(usize::from(pick) % options.len().max(1))
        .copied()
        .unwrap_or(c)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Any mix of look-alike capitals and overlaid letters in a canary is held; the guard's
    /// normal form reads it as the plain canary.
    #[test]
    fn capitals_and_overlaid_letters_in_any_mix_are_held(
        which in 0usize..3,
        picks in proptest::collection::vec(any::<u8>(), 1..24),
    ) {
        let plain = ["OPERATION NIGHTJAR", "HOST.CORP.EXAMPLE", "TASK FORCE 1-7"][which];
        let disguised: String = plain
            .chars()
            .zip(picks.iter().cycle())
            .map(|(c, &p)| if p % 3 == 0 { c } else { look_alike(c, p / 3) })
            .collect();
        prop_assert_eq!(sekisho::text::normalize(&disguised).text, plain.to_lowercase());
        let problems = held_problems(&policy("us-to-jpn.toml"), &disguised);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- SA20 + SB20 + SA13: dot look-alikes, phone separators, labels glued to a number

#[test]
fn sa20_dot_look_alikes_in_addresses_and_domains_are_held() {
    let p = policy("us-to-jpn.toml");
    let mut texts = Vec::new();
    for d in ["•", "٠", "۰", "⸰", "…", "‥", "◦", "∘", "⚬", "°", "་", "᠂", "⦁", "●"] {
        texts.push(format!("10{d}20{d}30{d}40"));
        texts.push(format!("host{d}corp{d}example"));
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sa13_sb20_phone_separators_and_glued_labels_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "03╴5555╴0100",
            "03⎯5555⎯0100",
            "03┄5555┄0100",
            "03╌5555╌0100",
            "03⚊5555⚊0100",
            "03⼀5555⼀0100",
            "03㇐5555㇐0100",
            "03ᅳ5555ᅳ0100",
            "03ᐨ5555ᐨ0100",
            "03_5555_0100",
            "03|5555|0100",
            "03\\5555\\0100",
            "03'5555'0100",
            "〇三ー五五五五ー〇一〇〇",
            "TEL03-5555-0100",
            "Phone03-5555-0100",
            "ph#03-5555-0100",
            "Task Force 1ᅳ7",
            "Task Force 1⼀7",
            "call 03_5555_0100 or +1 202_555_0173",
            "call 03•5555•0100 or +1 202•555•0173",
            "call 03⼀5555⼀0100",
            "call 03═5555═0100 or +1 202╌555╌0173",
            "call 03ـ5555ـ0100 or +1 202‾555‾0173",
            "call 03＿5555＿0100",
            "call 03჻5555჻0100",
            "Task Force 1⼀7 deployed",
        ],
    );
}

#[test]
fn sa20_sb20_bullets_degrees_and_underscores_that_join_nothing_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "• first point • second point",
            "It was 30° in the shade… then rain",
            "build_2024_release and file_v2",
            "score 3'2 after extra time",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// A phone number, an address or a dirty word with its separators written as any of the
    /// look-alikes of a dash or a dot is held.
    #[test]
    fn any_separator_look_alike_is_held(which in 0usize..4, pick in any::<usize>()) {
        const DASHES: &[&str] = &["_", "|", "\\", "'", "‾", "ـ", "⼀", "㇐", "ᅳ", "ᐨ", "⚊", "⎯", "╴", "┄", "╌", "═", "＿", "჻", "•"];
        const DOTS: &[&str] = &["•", "٠", "۰", "⸰", "…", "‥", "◦", "∘", "⚬", "°", "་", "᠂"];
        let text = match which {
            0 => { let d = DASHES[pick % DASHES.len()]; format!("call 03{d}5555{d}0100") }
            1 => { let d = DASHES[pick % DASHES.len()]; format!("call +1 202{d}555{d}0173") }
            2 => { let d = DOTS[pick % DOTS.len()]; format!("seen at 10{d}20{d}30{d}40") }
            _ => { let d = DOTS[pick % DOTS.len()]; format!("seen at host{d}corp{d}example") }
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- SB18 + SB17: wildcard and range networks, directory names

#[test]
fn sb18_wildcard_and_range_networks_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Scanned 192.168.0-255.0-255 and 172.16-31.0-255.0-255",
            "Scanned 172.16-31.*.*",
            "Our whole 10.* space was swept",
            "Targets 192.168.?.? and 10.20.30.xx",
            "Targets 10.20.30.XXX",
            "Targets 10.20.30.###",
            "Targets 10.20.30.nnn",
            "hosts 10.20.30.{1..254}",
            "host 10.20.3?.40",
            "anything 1*.*.*.*",
        ],
    );
}

#[test]
fn sb17_directory_names_of_the_internal_domain_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Certificate subject /DC=example/DC=corp/CN=vpn issued by our CA",
            "CN=vpn,domainComponent=corp,domainComponent=example",
            "Subject 0.9.2342.19200300.100.1.25=corp,0.9.2342.19200300.100.1.25=example",
            "Bind as CN=svc,DC=\"corp\",DC=\"example\"",
            "Bind DN: CN=svc,DC=corp+DC=example",
            "DC=example, DC=corp",
        ],
    );
}

#[test]
fn sb17_sb18_public_networks_versions_and_names_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Scanned 198.51.100.0-255 and 203.0.113.*",
            "Requires Python 3.* or Node 18.x, version 10.2.*",
            "hosts 198.51.100.{1..254}",
            "Bind DN: CN=svc,DC=example,DC=net",
            "/DC=net/DC=example/CN=www",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// An internal network written with any wildcard or range in any part is held.
    #[test]
    fn any_wildcard_or_range_part_is_held(parts in proptest::collection::vec(0usize..12, 3)) {
        const FORMS: &[&str] = &["*", "x", "xx", "?", "??", "###", "nnn", "0-255", "[1-9]", "{1..254}", "3?", "20"];
        let text = format!("seen 10.{}.{}.{} today", FORMS[parts[0]], FORMS[parts[1]], FORMS[parts[2]]);
        let problems = held_problems(&policy("us-to-jpn.toml"), &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- SA08 + SA09 + SA10 + SB11: data: URIs

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `text` in a `data:` URI in `charset`, base64.
fn in_charset(text: &str, label: &str) -> String {
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
    let (bytes, _, unmappable) = enc.encode(text);
    assert!(!unmappable, "{label}");
    format!("data:text/plain;charset={label};base64,{}", b64(&bytes))
}

const FULL_WIDTH_CANARY: &str =
    "Ｏｐｅｒａｔｉｏｎ ＮＩＧＨＴＪＡＲ ａｔ ｈｏｓｔ．ｃｏｒｐ．ｅｘａｍｐｌｅ １０．２０．３０．４０";

#[test]
fn sa08_data_uris_in_legacy_charsets_are_held() {
    let p = policy("us-to-jpn.toml");
    let mut texts: Vec<String> = ["iso-2022-jp", "shift_jis", "euc-jp", "gb18030", "big5", "euc-kr", "gbk"]
        .iter()
        .map(|l| in_charset(FULL_WIDTH_CANARY, l))
        .collect();
    // Percent-encoded, not base64.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(FULL_WIDTH_CANARY);
    texts.push(format!(
        "data:text/plain;charset=shift_jis,{}",
        sjis.iter().map(|b| format!("%{b:02X}")).collect::<String>()
    ));
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sa09_sb11_split_payloads_and_long_headers_are_held() {
    let p = policy("us-to-jpn.toml");
    let payload = b64(b"Operation NIGHTJAR at host.corp.example 10.20.30.40");
    let mut texts = Vec::new();
    for sep in ["\n", "\t", " ", "  ", "\r\n"] {
        let spaced: Vec<String> = payload
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        texts.push(format!("data:text/plain;base64,{}", spaced.join(sep)));
        let (a, b) = payload.split_at(12);
        texts.push(format!("see data:text/plain;base64,{a}{sep}{b} now"));
    }
    texts.push(format!("data:text/plain;x={};base64,{payload}", "a".repeat(300)));
    texts.push(format!(
        "data:text/plain;charset=utf-8{};base64,{payload}",
        ";p=1".repeat(80)
    ));
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sa10_sb11_data_uris_nested_four_and_five_deep_are_held() {
    let p = policy("us-to-jpn.toml");
    let mut texts = Vec::new();
    for depth in 4..=5 {
        let mut s = "Operation NIGHTJAR at 10.20.30.40".to_string();
        for _ in 0..depth {
            s = format!("data:text/plain;base64,{}", b64(s.as_bytes()));
        }
        texts.push(s);
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sa08_sa09_benign_data_uris_still_go() {
    let p = policy("us-to-jpn.toml");
    let sjis = in_charset("報告書 ｒｅｐｏｒｔ", "shift_jis");
    let split = format!("data:text/plain;base64,{} {}", b64(b"A public "), b64(b"report"));
    all_go(&p, &[sjis.as_str(), split.as_str()]);
}

//--- SA11 + SA12 + SB19 + SA21: markup

#[test]
fn sa11_comments_ending_bang_and_bogus_end_tags_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation NIGHT<!-- x --!>JAR",
            "Operation NIGHT<!--x--!>JAR",
            "Operation NIGHT</ x>JAR",
            "Operation NIGHT</3>JAR",
            "Operation NIGHT</>JAR",
            "10.20.<!-- --!>30.40",
            "+1 202-555-<!----!>0173",
        ],
    );
}

#[test]
fn sa12_sb19_content_a_screen_does_not_show_is_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation NIGHT<script>x</script>JAR",
            "Operation NIGHT<style>p{}</style>JAR",
            "Operation NIGHT<template>x</template>JAR",
            "Operation NIGHT<title>x</title>JAR",
            "Operation NIGHT<noscript>x</noscript>JAR",
            "Operation NIGHT<iframe>x</iframe>JAR",
            "Operation NIGHT<svg><desc>x</desc></svg>JAR",
            "Operation NIGHT<span hidden>x</span>JAR",
            "Operation NIGHT<span style='display:none'>DECOY</span>JAR",
            "Operation NIGHT<span style=\"display: none\">DECOY</span>JAR",
            "Operation NIGHT<span style=\"font-size:0\">DECOY</span>JAR",
            "Operation NIGHT<font size=0>DECOY</font>JAR",
            "Operation NIGHT<span hidden><span>x</span>y</span>JAR",
            "10.20.<span hidden>9</span>30.40",
            "+1 202-555-<style>9</style>0173",
            "host.corp<script>x</script>.example",
            "10.20<script>var a = 1;</script>.30.40",
            "NIGHT&#0000008203;JAR Operation NIGHT&#0000008203;JAR",
            "Operation NIGHT&#x000000200B;JAR",
            "Operation NIGHT&shyJAR",
            "Operation NIGHT[b][/b]JAR",
            "Operation NIGHT[color=red][/color]JAR",
            "Operation [NIGHT](https://example.net \"t\")JAR",
            "Operation NIGHT[](https://example.net)JAR",
            "Operation [NIGHT][x]JAR\n\n[x]: https://example.net",
            "10.20.[i][/i]30.40",
        ],
    );
}

#[test]
fn sa12_sb19_shown_markup_still_goes() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "<p>A <b>public</b> report</p><script>var x = 1;</script>",
            "<span hidden>draft</span> Operation Nightingale",
            "Tom &amp Jerry &shy; x",
            "See [the report](https://example.net \"public\") and [b]bold[/b] text",
            "[ipv4-addr:value = '198.51.100.7']",
        ],
    );
}

//--- SA19 + SB21 + SA23: e-mail notations, ENUM names

#[test]
fn sa19_sb21_email_obfuscations_and_one_label_hosts_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "j.smith<at>example<dot>net",
            "j.smith(a)example.net",
            "j.smith_at_example.net",
            "j.smith(@)example.net",
            "j.smith{@}example.net",
            "j.smith アット example.net",
            "j.smithアットexample.net",
            "j.smith@example",
            "jsmith@localhost",
            "jsmith@mailhub",
            "j.smith@example•net",
        ],
    );
}

#[test]
fn sa23_enum_names_of_phone_numbers_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "3.7.1.0.5.5.5.2.0.2.1.e164.arpa",
            "lookup 0.0.1.0.5.5.5.5.3.1.8.e164.arpa. NAPTR",
        ],
    );
}

#[test]
fn sa19_sa23_package_tags_and_other_names_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "npm install react@latest and lodash@4",
            "items (a) and (b)",
            "see 1.2.e164.arpa zone",
            "created_at_ts",
        ],
    );
}
