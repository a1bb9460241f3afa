//! Red team round 3, text families (ids SA.. in rt3a, SB.. in rt3b): each reproducer form,
//! written in a description, is held by the guard (redacted or refused: it never crosses as
//! written) and refused by the second verifier as it came; the guard's output passes the
//! verifier; benign neighbours cross unchanged.

mod common;

use common::held::{all_go, all_held, held_problems, held_problems_at};
use common::xml_fixture;
use proptest::prelude::*;
use sekisho::guard;
use sekisho::policy::Policy;

fn policy(name: &str) -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join(name)).unwrap()
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
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &disguised);
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
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
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
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
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

//--- SA12: CSS generated content (text a screen shows that no rule reads)

#[test]
fn sa12_css_generated_content_is_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation <span class=a></span> today<style>.a::after{content:\"NIGHTJAR\"}</style>",
            "<span style=\"content:'TLP:RED'\"></span>",
            "<style>p::before{content:\"SECRET//NOFORN\"}</style><p>report</p>",
            "<style>p::before{content:\"\\54 LP:RED\"}</style><p>report</p>",
            "<style>p::before{content:\"\\000054LP:RED\"}</style><p>report</p>",
            "<style>p::before{content:\"\\54 LP:\\52 ED\"}</style><p>report</p>",
            "<style>p::before{con\\74 ent:\"\\54 LP:RED\"}</style><p>report</p>",
            "<style>p::before{c/**/ontent:\"\\54 LP:RED\"}</style><p>report</p>",
            "<style>p::before{content/* x */ : \"\\54 LP:RED\"}</style><p>report</p>",
            "<p data-x=\"TL\">P:RED</p><style>p::before{content:attr(data-x)}</style>",
            "<style>ol{counter-reset:n 2025550172}li::before{content:counter(n)}</style><ol><li>x</li></ol>",
            "<STYLE>P::BEFORE{CONTENT:\"\\54 LP:RED\"}</STYLE><P>report</P>",
            "<span style=\"con&#116;ent:'\\54 LP:RED'\">x</span>",
            "<span style=con\\000074ent:'\\54LP:RED'>x</span>",
            "report<style>p::before{content:\"\\54 LP:RED\"}",
            "<svg><style>text::before{content:\"\\54 LP:RED\"}</style><text>x</text></svg>",
            "&lt;style&gt;p::before{content:\"\\54 LP:RED\"}&lt;/style&gt;&lt;p&gt;report",
            // Other properties that show a string of the style's: quotes, list markers, counter
            // styles.
            "<q style='quotes:\"\\54 LP:RED \" \"\"'>report</q>",
            "<ul><li style='list-style-type:\"\\54 LP:RED \"'>report</li></ul>",
            "<ul style='list-style:\"\\54 LP:RED \" inside'><li>report</li></ul>",
            "<style>@counter-style s{system:cyclic;symbols:\"\\54 LP:RED\"}</style><ol style=list-style:s><li>x</li></ol>",
            "<ol style='list-style-type:symbols(cyclic \"\\54 LP:RED\")'><li>x</li></ol>",
            // Styles that fetch content: @import, url(), a stylesheet linked in.
            "<style>@import \"https://example.net/a.css\";</style>report",
            "<style>@import url(data:text/css,p::before%7Bcontent:'\\54 LP:RED'%7D);</style><p>report</p>",
            "<span style=\"background:url(data:image/svg+xml,%3Csvg%3E%3C/svg%3E)\">report</span>",
            "<span style=\"background:image-set('https://example.net/a.png' 1x)\">report</span>",
            "<link rel=stylesheet href=\"data:text/css,p::before%7Bcontent:'\\54 LP:RED'%7D\"><p>report</p>",
        ],
    );
}

#[test]
fn sa12_styles_that_add_no_text_and_prose_about_content_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "<style>p{color:red}</style><p>A public report</p>",
            "The content: a public report on the campaign",
            "<p>The content of the page was a login form; content: none was shown</p>",
            "<style>.content{color:red} .main{justify-content:center;align-content:start}</style><p class=content>report</p>",
            "<span style=\"color:red;place-content:center\">report</span>",
            "<div class=\"content\">report</div>",
            "<style>/* content: none */ p{color:red}</style><p>report</p>",
            "<p style=\"font-family:'Times New Roman'\">report</p>",
            "<style>.content:hover{color:red}</style><p>report</p>",
            "The page set content:\"x\" in a stylesheet and loaded url(https://example.net/a.png)",
        ],
    );
}

/// `name` (a CSS property) disguised letter by letter by `picks`: as written, in capitals, as a
/// hex escape with a space or six digits, as the letter escaped (letters that are no hex digit),
/// or after an empty comment.
fn css_disguise(name: &str, picks: &[u8]) -> String {
    name.chars()
        .zip(picks.iter().cycle())
        .map(|(c, &p)| match p % 6 {
            1 => c.to_ascii_uppercase().to_string(),
            2 => format!("\\{:x} ", u32::from(c)),
            3 => format!("\\{:06x}", u32::from(c)),
            4 if !c.is_ascii_hexdigit() => format!("\\{c}"),
            5 => format!("/**/{c}"),
            _ => c.to_string(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// A `content` or `quotes` declaration, its name disguised by escapes, capitals and comments,
    /// in a `<style>` element or a `style` attribute, is held.
    #[test]
    fn any_disguise_of_a_generated_content_declaration_is_held(
        picks in proptest::collection::vec(any::<u8>(), 7),
        which in 0usize..2,
        place in 0usize..3,
    ) {
        let name = css_disguise(["content", "quotes"][which], &picks);
        let text = match place {
            0 => format!("<style>p::before{{{name}:\"\\54 LP:RED\"}}</style><p>report</p>"),
            1 => format!("<q style=\"color:red; {name} : '\\54 LP:RED'\">report</q>"),
            _ => format!("<STYLE>/* x */ q{{{name}:'\\54 LP:RED' ''}}<q>report</q>"),
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- SB11f + SB11g: data: URIs whose payload nobody reads, nested too deep, with white space

/// `TLP:RED` compressed: gzip, zlib, raw deflate, and in a zip file (three times over).
const GZIP_TLP_RED: &str = "H4sIAAAAAAACAwvxCbAKcnUBANTLbgYHAAAA";
const ZLIB_TLP_RED: &str = "eJwL8QmwCnJ1AQAIVwIG";
const DEFLATE_TLP_RED: &str = "C/EJsApydQEA";
const ZIP_TLP_RED: &str = "UEsDBBQAAAAIAAAAIQArQYhPCwAAABUAAAAFAAAAYS50eHQL8QmwCnJ1CUGhAFBLAQIUAxQAAAAIAAAAIQArQYhPCwAAABUAAAAFAAAAAAAAAAAAAACAAQAAAABhLnR4dFBLBQYAAAAAAQABADMAAAAuAAAAAAA=";

#[test]
fn sb11_data_uris_of_payloads_no_rule_can_read_are_held() {
    let p = policy("us-to-jpn.toml");
    let gzip_pct: String = {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(GZIP_TLP_RED).unwrap();
        bytes.iter().map(|b| format!("%{b:02X}")).collect()
    };
    let png = {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend((0..200u8).map(|x| x.wrapping_mul(37)));
        b64(&b)
    };
    let texts = [
        format!("data:application/gzip;base64,{GZIP_TLP_RED}"),
        format!("data:application/x-gzip;base64,{GZIP_TLP_RED}"),
        format!("see data:application/zlib;base64,{ZLIB_TLP_RED} here"),
        format!("data:application/deflate;base64,{DEFLATE_TLP_RED}"),
        format!("data:application/zip;base64,{ZIP_TLP_RED}"),
        format!("data:application/octet-stream;base64,{GZIP_TLP_RED}"),
        format!("data:application/octet-stream;base64,{}", b64(b"TLP:RED")),
        format!("data:;base64,{GZIP_TLP_RED}"),
        format!("data:text/plain;base64,{GZIP_TLP_RED}"),
        format!("data:text/plain;charset=utf-8;base64,{DEFLATE_TLP_RED}"),
        format!("data:text/plain,{gzip_pct}"),
        format!("data:application/gzip,{gzip_pct}"),
        format!("data:image/png;base64,{png}"),
        format!("DATA:Application/GZIP;BASE64,{GZIP_TLP_RED}"),
        format!("<a href=\"data:application/gzip;base64,{GZIP_TLP_RED}\">report</a>"),
        format!(
            "data:text/plain;base64,{}",
            b64(format!("data:application/gzip;base64,{GZIP_TLP_RED}").as_bytes())
        ),
        format!("data:application/gzip;base64,{}", GZIP_TLP_RED.replace('A', "&#65;")),
    ];
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sb11_data_uris_nested_deeper_than_the_reader_reads_are_held() {
    let p = policy("us-to-jpn.toml");
    let mut texts = Vec::new();
    for depth in [6, 7, 8, 12] {
        let mut s = "Operation NIGHTJAR at 10.20.30.40".to_string();
        for _ in 0..depth {
            s = format!("data:text/plain;base64,{}", b64(s.as_bytes()));
        }
        texts.push(s);
        let mut s = "a public report".to_string();
        for _ in 0..depth + 1 {
            s = format!("data:,{}", s.replace('%', "%25").replace(' ', "%20"));
        }
        texts.push(s);
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sb11_white_space_in_a_data_uri_scheme_or_header_is_read_as_a_browser_reads_it() {
    let p = policy("us-to-jpn.toml");
    let payload = b64(b"Operation NIGHTJAR at 10.20.30.40");
    let texts: Vec<String> = [
        "da\tta:text/plain;base64,",
        "da\nta:text/plain;base64,",
        "d\ra\tt\na:text/plain;base64,",
        "data\t:text/plain;base64,",
        "data :text/plain;base64,",
        "data:text/plain ;base64,",
        "data:text/plain; base64,",
        "data:text/pl\tain;base\n64,",
        "data:text/plain;\tbase64,",
        "data:text/plain;base64\r\n,",
        "data:\ttext/plain;base64,",
    ]
    .iter()
    .map(|h| format!("{h}{payload}"))
    .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_held(&p, &texts);
}

#[test]
fn sb11_data_uris_of_text_that_reads_clean_still_go() {
    let p = policy("us-to-jpn.toml");
    let texts = [
        format!("data:text/plain;base64,{}", b64(b"A public report")),
        format!("data:;base64,{}", b64(b"A public report")),
        "data:,A%20public%20report".to_string(),
        "data:image/svg+xml,%3Csvg%3E%3Ctext%3Ereport%3C/text%3E%3C/svg%3E".to_string(),
        format!("data:application/json;base64,{}", b64(b"{\"a\": 1}")),
        format!("data:text/plain;charset=utf-16le;base64,{}", b64(b"r\0e\0p\0o\0r\0t\0")),
        format!("data:text/plain;charset=iso-8859-1;base64,{}", b64(b"caf\xe9 report")),
        "data:image/png;base64,".to_string(),
        "data: the report, in short".to_string(),
        "Metadata: application/zip, 3 KB".to_string(),
        "the dataset: public, 3 files".to_string(),
        "the data : see below, in short".to_string(),
    ];
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    all_go(&p, &texts);
}

//--- SA19a + SA19b: the `@` and the dots of an address written another way

/// Ways to write the `@` of an address: enclosed, circled, parenthesised, full-width and small
/// forms of `@` and of `a`, the word `at` between dots, dashes or underscores (bare or
/// defanged), and a spaced `@`.
const AT_FORMS: &[&str] = &[
    "@",
    " @ ",
    "\u{24D0}",  // ⓐ circled small a
    "\u{24B6}",  // Ⓐ circled capital A
    "\u{249C}",  // ⒜ parenthesised small a
    "\u{1F110}", // 🄐 parenthesised capital A
    "\u{1F130}", // 🄰 squared capital A
    "\u{1F150}", // 🅐 negative circled capital A
    "\u{1F170}", // 🅰 negative squared capital A
    "a\u{20DD}", // a with a combining enclosing circle
    "@\u{20DD}", // @ with a combining enclosing circle
    "\u{FF20}",  // ＠ full-width
    "\u{FE6B}",  // ﹫ small
    " \u{24D0} ",
    " \u{FF20} ",
    ".at.",
    "-at-",
    "_at_",
    "[.]at[.]",
    "(.)at(.)",
    ".AT.",
    "(a)",
    "[at]",
    " (at) ",
    "<at>",
];

/// Ways to write the dots of its domain.
const DOT_FORMS: &[&str] = &[
    ".", " . ", "[.]", "(.)", " dot ", "<dot>", "\u{FF0E}", "\u{3002}", " [dot] ",
];

#[test]
fn sa19a_enclosed_and_word_forms_of_the_at_sign_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Contact alice.at.example.com for details.",
            "Contact alice\u{24D0}example.com for details.",
            "Contact alice\u{1F130}example.com for details.",
            "Contact alice\u{24B6}example.com for details.",
            "Contact alice\u{1F150}example.com for details.",
            "Contact alice\u{1F170}example.com for details.",
            "Contact alice\u{249C}example.com for details.",
            "Contact alice\u{FF20}example.com for details.",
            "Contact alice\u{FE6B}example.com for details.",
            "Contact alice-at-example.com for details.",
            "Contact alice[.]at[.]example[.]com for details.",
            "Contact alice.at.example.co.jp for details.",
            "Contact look.at.example.com for details.",
            "Contact j.smith-at-mail-dot-example-dot-net for details.",
            "Contact alice&#9424;example.com for details.",
            // Already held: kept so.
            "j.smith<at>example<dot>net",
            "j.smith(a)example.net",
            "j.smith_at_example.net",
            "alice(at)example.com",
            "alice at example dot com",
        ],
    );
}

#[test]
fn sa19b_a_spaced_at_sign_with_spaced_dots_is_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Contact alice @ example . com for details.",
            "Contact alice @ example . co . jp for details.",
            "Contact alice @ example dot com for details.",
            "Contact alice \u{FF20} example \u{FF0E} com for details.",
            "Contact alice \u{24D0} example . com for details.",
        ],
    );
}

#[test]
fn sa19_package_tags_versions_list_items_and_prose_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "npm install react@latest and lodash@4",
            "npm install lodash@4.17.21 react@18.2.0 @types/node@20.1.0",
            "created_at_ts",
            "look.at.this",
            "Look at this. Then at that.",
            "items (a) and (b)",
            "choose \u{24D0} or \u{24D1}, then \u{24B6}",
            "version 1.2.at.3 and build-at-4",
            "state-of-the-art tooling",
            "we met at noon. Com port open.",
            "see http://example.com/at/index.html",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    /// An address with its `@` and its dots written in any of their other ways is held.
    #[test]
    fn any_writing_of_the_at_sign_and_the_dots_is_held(
        local in 0usize..4,
        at in 0usize..AT_FORMS.len(),
        dot in 0usize..DOT_FORMS.len(),
        labels in 2usize..4,
    ) {
        let local = ["alice", "j.smith", "ops-team", "bob_9"][local];
        let d = DOT_FORMS[dot];
        let domain = ["mail", "example", "com"][3 - labels..].join(d);
        let text = format!("Contact {local}{}{domain} for details.", AT_FORMS[at]);
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- SB07: dirty words inflected, glued, or joined by other separators

#[test]
fn sb07_inflected_glued_and_joined_dirty_words_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Notes on Project BLUEBIRDs today.",
            "Notes on ProjectsBLUEBIRD today.",
            "Operation NIGHTJARs",
            "Project BLUEBIRD's budget",
            "Project BLUEBIRD\u{2019}s budget",
            "Project BLUEBIRDs' budgets",
            "Project BLUEBIRDes",
            "Operations NIGHTJAR",
            "Operation's NIGHTJAR",
            "Operationes NIGHTJARes",
            "ProjectBLUEBIRD",
            "OperationNightjar",
            "ProjectsBLUEBIRDs",
            "Project-BLUEBIRD",
            "project_bluebird",
            "Project.BLUEBIRD",
            "SOURCES CASTELLAN",
            "Task Forces 1-7",
            "HALCYON RIDGEs",
            "HalcyonRidges",
            "Project BLUEBIRD",
        ],
    );
}

#[test]
fn sb07_other_words_that_hold_a_phrase_word_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Project BLUEBIRDSONG",
            "Project bluebirdish plans",
            "Operation Nightingale",
            "Operational NIGHTJARS? No: operational nightjar sightings",
            "Projects and bluebirds",
            "SOURCE CASTELLANO",
            "Task Force 1-8 and Force 1-7s",
            "the bluebird project",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    /// A dirty phrase whose words carry any English inflection, in any case, glued or joined by
    /// any separator, is held.
    #[test]
    fn any_inflection_case_and_joining_of_a_dirty_phrase_is_held(
        which in 0usize..5,
        forms in proptest::collection::vec((0usize..6, 0usize..3, 0usize..8), 4),
    ) {
        const PHRASES: [&[&str]; 5] = [
            &["Operation", "NIGHTJAR"],
            &["Project", "BLUEBIRD"],
            &["SOURCE", "CASTELLAN"],
            &["Task", "Force", "1", "7"],
            &["HALCYON", "RIDGE"],
        ];
        const ENDINGS: [&str; 6] = ["", "s", "es", "'s", "\u{2019}s", "s'"];
        const JOINS: [&str; 8] = [" ", "", "-", "_", ".", "  ", "\u{200B}", " - "];
        let words = PHRASES[which];
        let mut text = String::from("Notes on ");
        for (k, (w, &(ending, case, join))) in words.iter().zip(forms.iter()).enumerate() {
            if k > 0 {
                text.push_str(JOINS[join]);
            }
            text.push_str(&match case {
                0 => w.to_uppercase(),
                1 => w.to_lowercase(),
                _ => w.to_string(),
            });
            // An English inflection goes on a word that ends in a letter.
            if w.ends_with(|c: char| c.is_ascii_alphabetic()) {
                text.push_str(ENDINGS[ending]);
            }
        }
        text.push_str(" today.");
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- S34a: text reordered by markup or CSS (shown in an order no rule reads it in)

#[test]
fn s34a_markup_that_reorders_what_it_shows_is_held() {
    let p = policy("us-to-jpn.toml");
    let letters =
        |w: &str, style: &str| -> String { w.chars().map(|c| format!("<b{style}>{c}</b>")).collect::<String>() };
    let flex_reversed = format!(
        "Operation <span style=\"display:flex;flex-direction:row-reverse\">{}</span> today",
        letters("RAJTHGIN", "")
    );
    let flow_reversed = format!(
        "Operation <span style=\"display:flex;flex-flow:row-reverse wrap\">{}</span> today",
        letters("RAJTHGIN", "")
    );
    let floated = format!("Operation {} today", letters("RAJTHGIN", " style=\"float:right\""));
    let rtl_table = format!(
        "Operation <table dir=\"rtl\"><tr>{}</tr></table> today",
        "RAJTHGIN".chars().map(|c| format!("<td>{c}</td>")).collect::<String>()
    );
    let rtl_inline_blocks = format!(
        "Operation <div dir=rtl>{}</div> today",
        letters("RAJTHGIN", " style=\"display:inline-block\"")
    );
    let forms: Vec<String> = vec![
        "Operation <bdo dir=\"rtl\">RAJTHGIN</bdo> today".into(),
        "<bdo dir=rtl>DER:PLT</bdo> report".into(),
        "<BDO DIR=RTL>DER:PLT</BDO> report".into(),
        "Operation <span style=\"direction:rtl;unicode-bidi:bidi-override\">RAJTHGIN</span> today".into(),
        "Operation <span style=\"unicode-bidi: isolate-override; direction: rtl\">RAJTHGIN</span> today".into(),
        "Operation <span style=\"unicode-bidi:bidi-\\6f verride;direction:rtl\">RAJTHGIN</span> today".into(),
        "<style>.r{direction:rtl;unicode-bidi:bidi-override}</style>Operation <span class=r>RAJTHGIN</span>".into(),
        flex_reversed,
        flow_reversed,
        "Operation <span style=\"display:flex\"><b style=\"order:2\">JAR</b><b style=\"order:1\">NIGHT</b></span> today".into(),
        "Operation <div style=\"display:grid\"><b style=\"grid-column:2\">JAR</b><b style=\"grid-column:1\">NIGHT</b></div>".into(),
        "Operation <div style=\"display:flex;flex-wrap:wrap-reverse\"><p>JAR</p><p>NIGHT</p></div>".into(),
        floated,
        "Operation <div style=\"writing-mode:vertical-rl\"><p>JAR</p><p>NIGHT</p></div>".into(),
        "Operation <b style=\"position:absolute;left:5em\">JAR</b><b>NIGHT</b>".into(),
        "Operation <b style=\"display:inline-block;transform:scaleX(-1)\">RAJTHGIN</b>".into(),
        "Operation <span style=\"display:flex;direction:rtl\"><b>JAR</b><b>NIGHT</b></span>".into(),
        rtl_table,
        rtl_inline_blocks,
        "&lt;bdo dir=rtl&gt;DER:PLT&lt;/bdo&gt; report".into(),
    ];
    let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
    all_held(&p, &forms);
}

#[test]
fn s34a_right_to_left_text_isolation_and_layout_that_keeps_order_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            // Right-to-left text with no override: the bidi algorithm keeps each run's letters
            // in their order, and boxes are stacked, not laid side by side.
            "<p dir=\"rtl\">\u{645}\u{631}\u{62D}\u{628}\u{627} \u{628}\u{627}\u{644}\u{639}\u{627}\u{644}\u{645}</p>",
            "<div dir=rtl><p>\u{5E9}\u{5DC}\u{5D5}\u{5DD}</p><p>\u{5E2}\u{5D5}\u{5DC}\u{5DD}</p></div>",
            "<p style=\"direction:rtl\">\u{5E9}\u{5DC}\u{5D5}\u{5DD}</p>",
            "The user <bdi>\u{625}\u{64A}\u{645}\u{627}\u{646}</bdi> posted 3 times",
            "<span dir=\"auto\">report</span> and <span dir=ltr>more</span>",
            "<div style=\"display:flex;flex-direction:column\"><p>one</p><p>two</p></div>",
            "<div style=\"display:flex;flex-direction:row;justify-content:center\"><b>a</b><b>b</b></div>",
            "<span style=\"float:left\">note</span> report",
            "<div style=\"text-align:right\">report</div>",
            "<div style=\"writing-mode:horizontal-tb\">report</div>",
            "Use flex-direction: row-reverse, order: 2 and unicode-bidi: bidi-override to flip a row",
            "<code>flex-direction: row-reverse</code> flips the row; the bdo element flips text",
            "<table><tr><td>one</td><td>two</td></tr></table>",
            "<ol><li>first</li><li>second</li></ol>",
        ],
    );
}

//--- S34b: bytes that are no UTF-8, and references HTML reads as Windows-1252

#[test]
fn s34b_bytes_a_browser_reads_in_a_legacy_charset_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            // No charset named and bytes that are no UTF-8: a browser guesses the charset
            // (Windows-1252, or Windows-1251 where `%D0` is `Р`).
            "see data:text/plain,T%4C%D0:RED",
            "see data:,T%4C%D0:RED",
            "see data:text/plain;base64,VEzQOlJFRA==",
            // UTF-8 that Windows-1252 (what `charset=us-ascii`, `latin1`, or none means to a
            // browser) shows as other letters: `%C3%8A` is `Ê` in UTF-8, `ÃŠ` in Windows-1252.
            "see data:text/plain;charset=iso-8859-1,Operation%20NIGHTJ%C3%ADR",
            "see data:text/plain;charset=us-ascii,Operation%20NIGHTJ%C3%ADR",
            "see data:text/plain,Operation%20NIGHTJ%C3%ADR",
            "see data:;base64,T3BlcmF0aW9uIE5JR0hUSsOtUg==",
            // Numeric references in the C1 range are Windows-1252 characters to HTML: `&#x8A;`
            // is `Š`, not a control.
            "see data:text/plain;charset=windows-1252,%8AOURCE%20CASTELLAN",
            "&#x8A;OURCE CASTELLAN",
            "&#138;OURCE CASTELLAN",
            "SOURCE CA&#x8a;TELLAN",
            "&#x8A;ECRET//NOFORN",
        ],
    );
}

#[test]
fn s34b_text_in_a_named_charset_and_typographic_references_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "see data:text/plain;charset=utf-8,caf%C3%A9 report",
            "see data:text/plain;charset=iso-8859-1,caf%E9 report",
            "see data:text/plain,hello%20world report",
            "He said &#x93;report&#x94; and left",
            "price &#128;5 &#x2014; cheap",
            "a URL with %E9 in it: https://example.net/caf%E9",
        ],
    );
}

//--- S34c: host names and identifiers that hold the word `at`

#[test]
fn s34c_host_names_and_identifiers_with_the_word_at_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Visit www.at.example.com for details.",
            "see https://www.at.example.com/index.html",
            "the mirror at.example.com answered",
            "the site https://shop.at.example.com/ was down",
            "columns updated_at_time and created_at_ts",
            "row.updated_at_time = now",
            "set deleted_at_utc, expires_at_epoch",
        ],
    );
}

#[test]
fn s34c_addresses_with_the_word_at_are_still_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Contact alice.at.example.com for details.",
            "Contact j.smith-at-mail-dot-example-dot-net for details.",
            "Contact alice_at_example.net for details.",
            "Contact www_at_example.net for details.",
            "Contact alice_at_mail.example.co.jp for details.",
        ],
    );
}

//--- Session 34: dirty words glued in CamelCase (a change of case is a word boundary)

#[test]
fn dirty_words_glued_at_a_change_of_case_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "SeeProjectBLUEBIRD",
            "projectBLUEBIRDreport",
            "OperationNightjarPlan",
            "seeOperationNightjar",
            "ReadProjectBluebirdNotes",
            "TheHALCYONRIDGEReport",
            "HalcyonRidgeReport",
            "xOperationNIGHTJARx",
            "SOURCECASTELLANReport",
            "ProjectBLUEBIRDsReport",
            "myTaskForce1-7Notes",
        ],
    );
}

#[test]
fn other_words_glued_to_a_dirty_word_in_one_case_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Project BLUEBIRDSONG",
            "Project bluebirdish plans",
            "OperationNightingale",
            "ProjectBluebirdsong",
            "subprojectbluebird",
            "PROJECTBLUEBIRDSONG",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// A dirty phrase in CamelCase or capitals glued to CamelCase words before and after is held.
    #[test]
    fn a_dirty_phrase_glued_between_camel_case_words_is_held(
        which in 0usize..4,
        cases in proptest::collection::vec(0usize..3, 2),
        before in prop::sample::select(&["", "See", "see", "The", "x", "MyNotes"][..]),
        after in prop::sample::select(&["", "Report", "Plan", "Notes2024", "X"][..]),
    ) {
        const PHRASES: [[&str; 2]; 4] = [
            ["Operation", "NIGHTJAR"],
            ["Project", "BLUEBIRD"],
            ["SOURCE", "CASTELLAN"],
            ["HALCYON", "RIDGE"],
        ];
        let words = PHRASES[which];
        let mut glued = String::new();
        for (w, &case) in words.iter().zip(cases.iter()) {
            glued.push_str(&match case {
                0 => w.to_uppercase(),
                1 => {
                    let lower = w.to_lowercase();
                    let mut c = lower.chars();
                    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
                }
                _ => w.to_string(),
            });
        }
        // Capitals after capitals join the run (`PROJECTBLUEBIRDREPORT` is one word): glue
        // CamelCase words only where a change of case marks the boundary.
        let first_upper = glued.chars().next().is_some_and(|c| c.is_uppercase());
        let last_upper = glued.chars().last().is_some_and(|c| c.is_uppercase());
        let before_ok = before.is_empty() || (first_upper && before.chars().last().is_some_and(|c| c.is_lowercase()));
        let after_ok = after.is_empty() || !last_upper || after.chars().nth(1).is_some_and(|c| c.is_lowercase());
        prop_assume!(before_ok && after_ok);
        let text = format!("Notes: {before}{glued}{after} today.");
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//--- S34d: plain text whose display order differs from its logical order (right-to-left marks,
// embeddings and isolates between Latin runs), and HTML `align` that floats a box to the right

#[test]
fn s34d_bidi_marks_and_controls_that_swap_latin_runs_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            // Inside a right-to-left isolate or embedding, Latin runs split by a right-to-left
            // mark are shown in the reverse order: `NIGHTJAR`, `TLP:RED`.
            "Operation \u{2067}JAR\u{200F}NIGHT\u{2069} today",
            // What is no right-to-left letter does not part the runs: a zero-width no-break
            // space, an Arabic combining mark or digit (the mark takes the direction before it).
            "Operation \u{2067}JAR\u{200F}\u{FEFF}NIGHT\u{2069} today",
            "Operation \u{2067}JAR\u{200F}\u{0610}NIGHT\u{2069} today",
            "Operation \u{2067}JAR\u{200F}\u{064B}NIGHT\u{2069} today",
            "Operation \u{2067}JAR\u{200F}\u{0660}NIGHT\u{2069} today",
            "Operation \u{202B}JAR\u{200F}NIGHT\u{202C} today",
            "Operation \u{2067}JAR\u{61C}NIGHT\u{2069} today",
            "Operation \u{2068}\u{200F}JAR\u{200F}NIGHT\u{2069} today",
            "\u{2067}RED\u{200F}:\u{200F}TLP\u{2069} report",
            "\u{202B}RED:\u{200F}TLP\u{202C} report",
            // A paragraph whose first strong character is a right-to-left mark is right to left.
            "\u{200F}JAR\u{200F}NIGHT\u{200F} Operation",
            "JAR\u{200F} \u{200F}NIGHT\u{200F} Operation\u{200F}",
            "\u{61C}RED\u{61C}:\u{61C}TLP",
            // Left-to-right isolates in a right-to-left paragraph, shown from the right.
            "\u{5D0}\u{2066}JAR\u{2069}\u{2066}NIGHT\u{2069}\u{2066}Operation \u{2069}",
            // Written as references a browser decodes.
            "Operation &#x2067;JAR&#x200F;NIGHT&#x2069; today",
            "Operation &rlm;JAR&rlm;NIGHT&rlm; today",
        ],
    );
}

#[test]
fn s34d_html_align_that_floats_a_box_right_is_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation <table align=right><tr><td>JAR</td></tr></table>NIGHT today",
            "Operation <table align=\"RIGHT\"><tr><td>JAR</td></tr></table><table align=left><tr><td>NIGHT</td></tr></table>",
            "Operation <img align=right alt=JAR src=x.png>NIGHT today",
            "Operation <iframe align=right srcdoc=JAR></iframe>NIGHT today",
            "<table align=right><tr><td>RED</td></tr></table>TLP: report",
        ],
    );
}

#[test]
fn s34d_right_to_left_prose_with_marks_and_aligned_blocks_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            // Arabic and Hebrew prose with marks: the marks sit between right-to-left letters,
            // or between one Latin run and right-to-left letters.
            "\u{627}\u{644}\u{62A}\u{642}\u{631}\u{64A}\u{631}\u{200F} \u{627}\u{644}\u{623}\u{648}\u{644}",
            "\u{5E9}\u{5DC}\u{5D5}\u{5DD}\u{200F} \u{5E2}\u{5D5}\u{5DC}\u{5DD}",
            "\u{627}\u{644}\u{62D}\u{645}\u{644}\u{629} APT28\u{200F} \u{627}\u{633}\u{62A}\u{647}\u{62F}\u{641}\u{62A}",
            "\u{5D3}\u{5D5}\u{5D7} \u{200F}(2024)\u{200F} \u{5E2}\u{5DC} APT28",
            "\u{627}\u{644}\u{639}\u{62F}\u{62F} \u{61C}-5 \u{628}\u{627}\u{644}\u{645}\u{627}\u{626}\u{629}",
            "The user \u{2067}\u{625}\u{64A}\u{645}\u{627}\u{646}\u{2069} posted 3 times",
            "\u{202B}\u{5E9}\u{5DC}\u{5D5}\u{5DD}\u{202C} means peace",
            "report\u{200E} text with a left-to-right mark\u{200E}",
            // `align` that does not float a box beside text.
            "<div align=right>report</div><p align=center>more</p>",
            "<table align=center><tr><td>one</td><td>two</td></tr></table>",
            "<td align=right>42</td> in a table",
            "Set align=right on the table to float it",
        ],
    );
}

//--- S35a: a generator of bidi disguises. A dirty phrase or a marking is cut into two to four
// runs and written so that a screen shows them in the phrase's order while the source has them
// in another: runs reversed inside a right-to-left isolate or embedding and parted by right-to-
// left marks, runs in left-to-right isolates inside a right-to-left one, a right-to-left letter
// in a nested isolate where the screen shows it at the edge, or the letters reversed under an
// override; with things a reader skips between the pieces, each control written raw or as a
// reference a browser decodes, in STIX text and in CAP and IODEF descriptions.

/// What is cut and disguised: the shipped dirty phrases and markings read in prose.
const BIDI_WORDS: [&str; 8] = [
    "Operation NIGHTJAR",
    "Project BLUEBIRD",
    "SOURCE CASTELLAN",
    "HALCYON RIDGE",
    "Task Force 1-7",
    "SECRET//NOFORN",
    "TOP SECRET",
    "TLP:RED",
];

const RLM: char = '\u{200F}';
const ALM: char = '\u{061C}';
const RLE: char = '\u{202B}';
const LRE: char = '\u{202A}';
const PDF: char = '\u{202C}';
const RLO: char = '\u{202E}';
const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// What a reader skips or passes over between the pieces.
const SKIPPED: [&str; 16] = [
    "\u{FEFF}", "\u{200D}", "\u{200C}", "\u{0301}", "\u{064B}", "\u{0610}", "\u{05B0}", "\u{0660}", "\u{0663}", " ",
    ".", "-", "_", "\u{200E}", "\u{200B}", "\u{00AD}",
];

/// `c` written as a browser decodes it: raw, hexadecimal or decimal reference (with leading
/// zeros or an upper-case `X`), or its named reference when it has one.
fn bidi_written(c: char, how: u8) -> String {
    let named = match c {
        '\u{200F}' => Some("&rlm;"),
        '\u{200E}' => Some("&lrm;"),
        '\u{200D}' => Some("&zwj;"),
        '\u{200C}' => Some("&zwnj;"),
        '\u{00AD}' => Some("&shy;"),
        _ => None,
    };
    let u = u32::from(c);
    match how % 6 {
        0 | 1 => c.to_string(),
        2 => format!("&#x{u:X};"),
        3 => format!("&#{u};"),
        4 => format!("&#X{u:06x};"),
        _ => named.map_or_else(|| format!("&#x{u:x};"), str::to_string),
    }
}

/// The pieces of `word` cut at `cuts` (char positions, any order), each non-empty.
fn bidi_runs(word: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut at: Vec<usize> = cuts.iter().map(|c| 1 + c % (chars.len() - 1)).collect();
    at.sort_unstable();
    at.dedup();
    let mut runs = Vec::new();
    let mut from = 0;
    for a in at.into_iter().chain(std::iter::once(chars.len())) {
        runs.push(chars[from..a].iter().collect());
        from = a;
    }
    runs
}

/// A disguise of `word` whose shown order spells it: `shape` picks the arrangement, `picks`
/// the controls, separators, skipped characters and how each is written.
fn bidi_disguise(word: &str, cuts: &[usize], shape: u8, picks: &[u8]) -> String {
    let mut pick = picks.iter().copied().cycle();
    let mut next = move || pick.next().unwrap_or(0);
    let mut out = String::new();
    // A control or skipped character, written one of its ways.
    let put = |out: &mut String, c: char, next: &mut dyn FnMut() -> u8| {
        let how = next();
        out.push_str(&bidi_written(c, how));
    };
    let skip = |out: &mut String, next: &mut dyn FnMut() -> u8| {
        let n = next() % 4;
        for _ in 0..n.saturating_sub(1) {
            let s = SKIPPED[usize::from(next()) % SKIPPED.len()];
            let c = s.chars().next().unwrap_or(' ');
            let how = next();
            out.push_str(&bidi_written(c, how));
        }
    };
    let runs = bidi_runs(word, cuts);
    match shape % 5 {
        // Runs reversed inside a right-to-left context, parted by right-to-left marks.
        0 | 1 => {
            let (open, close) = [
                (Some(RLI), Some(PDI)),
                (Some(RLE), Some(PDF)),
                (Some(FSI), Some(PDI)),
                (Some(RLM), None),
                (Some(ALM), Some(ALM)),
            ][usize::from(next()) % 5];
            if let Some(o) = open {
                put(&mut out, o, &mut next);
                if o == FSI {
                    put(&mut out, RLM, &mut next);
                }
            }
            for (k, r) in runs.iter().rev().enumerate() {
                if k > 0 {
                    skip(&mut out, &mut next);
                    let sep = [RLM, ALM, RLM][usize::from(next()) % 3];
                    put(&mut out, sep, &mut next);
                    if next() % 3 == 0 {
                        put(&mut out, sep, &mut next);
                    }
                }
                skip(&mut out, &mut next);
                out.push_str(r);
            }
            skip(&mut out, &mut next);
            if let Some(c) = close {
                put(&mut out, c, &mut next);
            }
        }
        // Runs in left-to-right isolates, reversed inside a right-to-left isolate.
        2 => {
            put(&mut out, RLI, &mut next);
            for r in runs.iter().rev() {
                skip(&mut out, &mut next);
                put(&mut out, LRI, &mut next);
                out.push_str(r);
                put(&mut out, PDI, &mut next);
            }
            put(&mut out, PDI, &mut next);
        }
        // The last run shown in a nested left-to-right isolate with a right-to-left letter
        // after it, which the screen shows at the far edge: `RLI LRI JAR ا PDI RLM NIGHT PDI`
        // is shown `NIGHTJARا`.
        3 => {
            put(&mut out, RLI, &mut next);
            for (k, r) in runs.iter().rev().enumerate() {
                if k > 0 {
                    skip(&mut out, &mut next);
                    put(&mut out, [RLM, ALM][usize::from(next()) % 2], &mut next);
                }
                if k == 0 {
                    put(&mut out, LRI, &mut next);
                    out.push_str(r);
                    out.push(['\u{627}', '\u{5D0}', '\u{644}'][usize::from(next()) % 3]);
                    put(&mut out, PDI, &mut next);
                } else {
                    out.push_str(r);
                }
            }
            put(&mut out, PDI, &mut next);
        }
        // The letters reversed under a right-to-left override, or its runs reversed in a
        // left-to-right embedding inside it.
        _ => {
            put(&mut out, RLO, &mut next);
            for (k, r) in runs.iter().rev().enumerate() {
                if k > 0 {
                    skip(&mut out, &mut next);
                }
                if next() % 2 == 0 {
                    out.extend(r.chars().rev());
                } else {
                    put(&mut out, LRE, &mut next);
                    out.push_str(r);
                    put(&mut out, PDF, &mut next);
                }
            }
            put(&mut out, PDF, &mut next);
        }
    }
    out
}

thread_local! {
    static US_TO_JPN: Policy = policy("us-to-jpn.toml");
}

/// Problems with `text` written as the text of an XML description (`&` and `<` escaped, so
/// references stay for a browser to decode, or raw characters written as XML references when
/// `xml_refs`) in the CAP or IODEF fixture: the guard must not release it, and the verifier
/// must refuse the guard's output of the plain document with that description.
fn xml_held_problems(text: &str, iodef: bool, xml_refs: bool) -> Vec<String> {
    let (path, open, close) = if iodef {
        (common::IODEF_FIXTURE, "<Description>", "</Description>")
    } else {
        (common::CAP_FIXTURE, "<description>", "</description>")
    };
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
    let body: String = if xml_refs {
        escaped
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&#x{:X};", u32::from(c))
                }
            })
            .collect()
    } else {
        escaped
    };
    let with = |doc: &str| -> String {
        let a = doc.find(open).unwrap() + open.len();
        let b = a + doc[a..].find(close).unwrap();
        format!("{}{body}{}", &doc[..a], &doc[b..])
    };
    let plain = xml_fixture(path);
    let mut problems = Vec::new();
    US_TO_JPN.with(|p| {
        if guard::filter(with(&plain).as_bytes(), p).is_ok() {
            problems.push(format!("the guard released {path} with {text:?}"));
        }
        let out = guard::filter(plain.as_bytes(), p).unwrap();
        let out = String::from_utf8(out.output.as_bytes().to_vec()).unwrap();
        if sekisho::verifier::verify(with(&out).as_bytes(), p).is_ok() {
            problems.push(format!("the verifier passed {path} with {text:?}"));
        }
    });
    problems
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// A dirty phrase or marking cut into runs that a screen shows in its order, but the source
    /// holds in another, is held by the guard and refused by the verifier, wherever it is
    /// written.
    #[test]
    fn s35a_any_bidi_arrangement_that_shows_a_dirty_word_is_held(
        which in 0usize..BIDI_WORDS.len(),
        cuts in proptest::collection::vec(any::<usize>(), 1..4),
        shape in any::<u8>(),
        picks in proptest::collection::vec(any::<u8>(), 1..24),
        wrap in 0usize..4,
        place in 0usize..6,
    ) {
        let word = BIDI_WORDS[which];
        let core = bidi_disguise(word, &cuts, shape, &picks);
        let text = match wrap {
            0 => core,
            1 => format!("Notes: {core} today."),
            2 => format!("{core} report"),
            _ => format!("See {core}"),
        };
        let problems = match place {
            0..=2 => US_TO_JPN.with(|p| held_problems_at(p, "", [0usize, 1, 3][place], &text)),
            3 => xml_held_problems(&text, false, false),
            4 => xml_held_problems(&text, true, false),
            _ => xml_held_problems(&text, picks.len() % 2 == 0, true),
        };
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn s35a_bidi_prose_with_marks_and_isolated_names_still_goes() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            // Arabic and Hebrew prose with marks; an Arabic name isolated in English; a
            // left-to-right mark in Latin text; Arabic text with Latin words that spell nothing.
            "\u{627}\u{644}\u{62A}\u{642}\u{631}\u{64A}\u{631}\u{200F} \u{627}\u{644}\u{623}\u{648}\u{644}\u{200F}.",
            "\u{5D4}\u{5D3}\u{5D5}\u{5D7}\u{200F} \u{5E9}\u{5DC} CERT\u{200F} \u{5E4}\u{5D5}\u{5E8}\u{5E1}\u{5DD}",
            "The analyst \u{2067}\u{645}\u{62D}\u{645}\u{62F} \u{639}\u{644}\u{64A}\u{2069} wrote 2 reports",
            "Signed \u{2067}\u{5D3}\u{5E0}\u{5D4}\u{2069} and \u{2067}\u{5D9}\u{5D5}\u{5E1}\u{5D9}\u{2069} today",
            "report\u{200E} from the field\u{200E}, see annex\u{200E} B",
            "\u{627}\u{633}\u{62A}\u{62E}\u{62F}\u{645} Emotet \u{648} TrickBot \u{641}\u{64A} \u{627}\u{644}\u{647}\u{62C}\u{648}\u{645}",
            "\u{627}\u{644}\u{645}\u{62C}\u{645}\u{648}\u{639}\u{629} \u{2066}APT 28\u{2069} \u{648}\u{2066}Fancy Bear\u{2069} \u{646}\u{641}\u{633}\u{647}\u{627}",
            "\u{627}\u{644}\u{62E}\u{627}\u{62F}\u{645} \u{2066}203.0.113.7\u{2069}\u{200F} \u{645}\u{62E}\u{62A}\u{631}\u{642}",
            "\u{627}\u{644}\u{646}\u{633}\u{62E}\u{629} \u{661}\u{662} \u{645}\u{646} Windows \u{200F}\u{2067}\u{627}\u{644}\u{62C}\u{62F}\u{64A}\u{62F}\u{629}\u{2069}",
            "&rlm;\u{627}\u{644}\u{62A}\u{642}\u{631}\u{64A}\u{631}&rlm; \u{627}\u{644}\u{623}\u{648}\u{644}",
        ],
    );
}

//--- S35d: a box floated to the start of its line after text (`float:left`, `align=left`): a
// screen shows it before the text that stands before it (`Operation JAR<b
// style=float:left>NIGHT</b>` is shown `Operation NIGHTJAR`)

/// Ways to write a float to the line's start in a declaration.
const FLOATS_LEFT: [&str; 8] = [
    "float:left",
    "FLOAT: LEFT",
    "float:left !important",
    "fl\\6f at:left",
    "float:/**/left",
    "float:inline-start",
    "float : left ; color:red",
    "color:red;float:\\6c eft",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    /// A dirty word split in two, its second half written first and its first half floated to the
    /// left after it (a style attribute, a class of a `<style>` sheet, or `align=left` on a
    /// table), is held.
    #[test]
    fn a_word_whose_first_half_floats_left_after_its_second_is_held(
        which in 0usize..3,
        cut in 1usize..7,
        float in 0usize..FLOATS_LEFT.len(),
        how in 0usize..5,
    ) {
        const PHRASES: [(&str, &str); 3] = [
            ("Operation ", "NIGHTJAR"),
            ("Project ", "BLUEBIRD"),
            ("SOURCE ", "CASTELLAN"),
        ];
        let (lead, word) = PHRASES[which];
        let (head, tail) = word.split_at(cut.min(word.len() - 1));
        let decl = FLOATS_LEFT[float];
        let text = match how {
            0 => format!("{lead}{tail}<b style=\"{decl}\">{head}</b> today"),
            1 => format!("{lead}{tail}<span style='{decl}'>{head}</span> today"),
            2 => format!("<style>.f{{{decl}}}</style>{lead}{tail}<b class=f>{head}</b> today"),
            3 => format!("{lead}{tail}<table align=left><tr><td>{head}</td></tr></table> today"),
            _ => format!("{lead}{tail}<TABLE ALIGN=\" Left \"><tr><td>{head}</td></tr></TABLE> today"),
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn s35d_boxes_floated_left_with_no_text_before_them_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "<span style=\"float:left\">note</span> report",
            "<img style=\"float:left\" src=x.png> A public report",
            "  <table align=left><tr><td>one</td></tr></table> report",
            "<!-- a comment --><div style=\"float:left\">note</div> report",
            "Report <div style=\"float:none\">note</div> more",
            "Set float:left on the image to float it",
            "<p align=left>report</p> and <td align=left>42</td>",
        ],
    );
}

//--- S36: a negative offset that pulls a box back over the text before it (`margin-left:-7em`,
// `text-indent`), or what follows back over the box (`margin-right`), or letters and words back
// over each other (`letter-spacing`, `word-spacing`): `Operation <b>JAR</b><b
// style="margin-left:-7em">NIGHT</b>` is shown `Operation NIGHTJAR`

/// Ways to write a negative offset that pulls a box (or what follows it) back over the text
/// before it, in a declaration; `{}` is where the box's own text goes when it is a mirror
/// (`margin-right`: the tail is the box, the head follows it).
const PULLS_BACK: [&str; 24] = [
    "margin-left:-7em",
    "margin:0 0 0 -7em",
    "margin-inline-start:-7em",
    "-webkit-margin-start:-7em",
    "-moz-margin-start:-7em",
    "margin-inline:-7em 0",
    "display:inline-block;text-indent:-7em",
    "margin-left:calc(-1*7em)",
    "margin-left:calc(0px - 7em)",
    "margin-left:var(--x)",
    "margin-left:-webkit-calc(-7em)",
    "margin-le\\66 t:-7em",
    "margin-left:\\2d 7em",
    "margin-left:/**/-7em",
    "MARGIN-LEFT:-7EM",
    "margin-left:-7em !important",
    "margin-left:-7em ! important",
    "margin-left:-.5em;margin-left:-7em",
    "margin:0 0 0 -7em;color:red",
    "letter-spacing:-1em",
    "word-spacing:-7em",
    "margin-left:min(0px,-7em)",
    "writing-mode:vertical-lr;margin-top:-7em",
    "-ms-writing-mode:tb-lr;margin:-7em 0 0",
];

/// Ways to write a negative offset at the end of a box: what follows it is drawn back over it.
const PULLS_FOLLOWING_BACK: [&str; 7] = [
    "margin:0 -7em",
    "margin-right:-7em",
    "margin-inline-end:-7em",
    "-webkit-margin-end:-7em",
    "margin-inline:0 -7em",
    "margin:0 -7em 0 0",
    "margin-right:clamp(-7em,1px,2px)",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// A dirty word split in two, its second half written first and its first half in a box
    /// pulled back over it (a style attribute or a class of a `<style>` sheet), or its second
    /// half in a box that pulls its first half back over it, is held.
    #[test]
    fn a_word_whose_halves_a_negative_offset_reorders_is_held(
        which in 0usize..3,
        cut in 1usize..7,
        pull in 0usize..(PULLS_BACK.len() + PULLS_FOLLOWING_BACK.len()),
        how in 0usize..4,
    ) {
        const PHRASES: [(&str, &str); 3] = [
            ("Operation ", "NIGHTJAR"),
            ("Project ", "BLUEBIRD"),
            ("SOURCE ", "CASTELLAN"),
        ];
        let (lead, word) = PHRASES[which];
        let (head, tail) = word.split_at(cut.min(word.len() - 1));
        let text = if let Some(&decl) = PULLS_BACK.get(pull) {
            match how {
                0 => format!("{lead}<b>{tail}</b><b style=\"{decl}\">{head}</b> today"),
                1 => format!("{lead}{tail}<span style='{decl}'>{head}</span> today"),
                2 => format!("<style>.p{{{decl}}}</style>{lead}{tail}<b class=p>{head}</b> today"),
                _ => format!("{lead}<b>{tail}</b><b style=\"display:inline-block;{decl}\">{head}</b> today"),
            }
        } else {
            let decl = PULLS_FOLLOWING_BACK[pull - PULLS_BACK.len()];
            match how {
                0 => format!("{lead}<b style=\"{decl}\">{tail}</b>{head} today"),
                1 => format!("{lead}<span style='{decl}'>{tail}</span><b>{head}</b> today"),
                2 => format!("<style>.p{{{decl}}}</style>{lead}<b class=p>{tail}</b>{head} today"),
                _ => format!("<b style=\"display:inline-block;{decl}\">{lead}{tail}</b>{head} today"),
            }
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn s36_offsets_that_reorder_nothing_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "Operation <b style=\"margin-left:7em\">report</b> today",
            "Report <div style=\"margin:0 auto\">note</div> more",
            "Report <div style=\"margin:0 auto 0 1em\">note</div> more",
            "Report <p style=\"margin-top:-3px;margin-bottom:-2px\">note</p> more",
            "Report <p style=\"margin-block:-3px\">note</p> more",
            "Report <p style=\"text-indent:2em\">note</p> more",
            "Report <span style=\"letter-spacing:0.1em;word-spacing:2px\">note</span> more",
            "Report <span style=\"margin-left:-0;margin-right:-0.0em;letter-spacing:0\">note</span> more",
            "Report <span style=\"margin-left:5%;margin-inline:auto\">note</span> more",
            "<b style=\"margin-left:-7em\">note</b> report",
            "  <div style=\"margin:0 0 0 -1em\">note</div> report",
            "Set margin-left:-7em on the box to pull it back",
            "Use <code>margin-left:-7em</code> to pull it back",
            "Report <span style=\"margin-left:-moz-available\">note</span> more",
            "Report <span title=\"margin-right:-7em\">note</span> more",
            "Report <div style=\"writing-mode:horizontal-tb;margin-top:-3px\">note</div> more",
        ],
    );
}

/// Ways to show small letters as capitals or small capitals.
const CAPITALISES: [&str; 12] = [
    "text-transform:uppercase",
    "TEXT-TRANSFORM:UPPERCASE",
    "text-transform:capitalize",
    "text-transform:/**/uppercase !important",
    "text-tr\\61 nsform:uppercase",
    "text-transform:uppercase full-width",
    "font-variant:small-caps",
    "font-variant-caps:all-small-caps",
    "font-variant-caps:petite-caps",
    "font:small-caps 12px serif",
    "font-feature-settings:'smcp' 1",
    "font-variant:titling-caps",
];

/// Ways to make a box narrower than its text, which is then drawn over what follows it.
const NARROWS: [&str; 11] = [
    "width:0",
    "max-width:0",
    "inline-size:0",
    "max-inline-size:0px",
    "width:1px",
    "width:.2em",
    "width:calc(100% - 100%)",
    "width:var(--w)",
    "WIDTH:0 !important",
    "wid\\74 h:0",
    "width:/**/0.5%",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// A level written in small letters in ordinary prose, shown in capitals by a style (in a
    /// style attribute or a class of a `<style>` sheet), is held; so is a dirty word whose
    /// second half stands after a box made too narrow for its first half, which is drawn
    /// further along (by an indent or a margin inside it) over what follows.
    #[test]
    fn s36b_text_shown_in_capitals_or_over_a_narrow_box_is_held(
        level in prop::sample::select(&["top secret", "secret", "confidential", "noforn", "secret//noforn"][..]),
        way in 0usize..(CAPITALISES.len() + NARROWS.len()),
        which in 0usize..3,
        cut in 1usize..7,
        how in 0usize..3,
    ) {
        let text = if let Some(&decl) = CAPITALISES.get(way) {
            match how {
                0 => format!("The actor's <span style=\"{decl}\">{level}</span> tooling was seen."),
                1 => format!("<style>.c{{{decl}}}</style>The actor's <b class=c>{level}</b> tooling was seen."),
                _ => format!("<p style='{decl}'>The actor's {level} tooling was seen.</p>"),
            }
        } else {
            const PHRASES: [(&str, &str); 3] = [
                ("Operation ", "NIGHTJAR"),
                ("Project ", "BLUEBIRD"),
                ("SOURCE ", "CASTELLAN"),
            ];
            let decl = NARROWS[way - CAPITALISES.len()];
            let (lead, word) = PHRASES[which];
            let (head, tail) = word.split_at(cut.min(word.len() - 1));
            match how {
                0 => format!("{lead}<b style=\"display:inline-block;{decl};text-indent:5em\">{tail}</b>{head} today"),
                1 => format!("{lead}<span style=\"display:inline-block;{decl}\"><span style=\"margin-left:5em\">{tail}</span></span>{head} today"),
                _ => format!("<style>.n{{display:inline-block;{decl}}}</style>{lead}<b class=n>&#8195;&#8195;{tail}</b>{head} today"),
            }
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// (Any style that shows small letters as capitals holds the text, whatever the letters: `<span
/// style="text-transform:uppercase">actor</span>` is held too, a false positive by choice.)
#[test]
fn s36b_capitals_and_widths_that_show_nothing_else_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "The actor's top secret tooling was seen.",
            "The actor's <span style=\"text-transform:lowercase\">tooling</span> was seen.",
            "The <span style=\"text-transform:none;font-variant:normal\">actor</span> was seen.",
            "The <span style=\"font-variant-numeric:tabular-nums\">2024</span> campaign.",
            "Report <span style=\"display:inline-block;width:10em\">note</span> more",
            "Report <div style=\"max-width:600px;width:100%\">note</div> more",
            "Report <td style=\"width:1%\">note</td> more",
            "Report <span style=\"width:auto;min-width:0\">note</span> more",
            "Set text-transform:uppercase and width:0 in the sheet",
        ],
    );
}

/// Markup whose content a screen does not show (fallback content, closed dialogs, ruby
/// parentheses, option lists), and attributes whose text a screen shows where the element stands
/// (an image's `alt` when it is not loaded, a field's `value` and `placeholder`, an option's
/// `label`): `{}` is where the filler or the word's piece goes.
const SHOWN_OTHERWISE: [(&str, bool); 17] = [
    ("<select><option label=\"{}\">x</option></select>", false),
    ("<dialog>{}</dialog>", true),
    ("<rp>{}</rp>", true),
    ("<datalist><option>{}</option></datalist>", true),
    ("<meter value=1>{}</meter>", true),
    ("<progress>{}</progress>", true),
    ("<audio src=a.ogg>{}</audio>", true),
    ("<video>{}</video>", true),
    ("<canvas>{}</canvas>", true),
    ("<img alt=\"{}\" src=\"missing.png\">", false),
    ("<IMG ALT='{}'>", false),
    ("<img src=x alt={}>", false),
    ("<input value=\"{}\">", false),
    ("<input type=submit value='{}'>", false),
    ("<input placeholder=\"{}\">", false),
    ("<input type=image alt=\"{}\" src=x>", false),
    ("<textarea placeholder=\"{}\"></textarea>", false),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// A dirty word cut in two with content no screen shows between its halves, or with one half
    /// written in an attribute a screen shows in the element's place, is held.
    #[test]
    fn s36c_a_word_joined_by_unshown_content_or_shown_attributes_is_held(
        which in 0usize..3,
        cut in 1usize..7,
        way in 0usize..SHOWN_OTHERWISE.len(),
        escaped in any::<bool>(),
    ) {
        const PHRASES: [(&str, &str); 3] = [
            ("Operation ", "NIGHTJAR"),
            ("Project ", "BLUEBIRD"),
            ("SOURCE ", "CASTELLAN"),
        ];
        let (lead, word) = PHRASES[which];
        let (head, tail) = word.split_at(cut.min(word.len() - 1));
        let (markup, hides) = SHOWN_OTHERWISE[way];
        let text = if hides {
            format!("{lead}{head}{}{tail} today", markup.replace("{}", "filler"))
        } else {
            // The attribute holds the second half, its first letter escaped or not.
            let shown = if escaped {
                let mut c = tail.chars();
                let first = c.next().map(|f| format!("&#{};", u32::from(f))).unwrap_or_default();
                format!("{first}{}", c.as_str())
            } else {
                tail.to_string()
            };
            format!("{lead}{head}{} today", markup.replace("{}", &shown))
        };
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn s36c_a_frame_document_in_srcdoc_is_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation NIGHT<iframe srcdoc=\"JAR\"></iframe>",
            "Report <iframe SRCDOC='&lt;b&gt;SEC&lt;/b&gt;RET'></iframe>",
            "Report <iframe srcdoc=x></iframe>",
        ],
    );
}

#[test]
fn s36c_shown_attributes_and_fallbacks_that_join_nothing_still_go() {
    let p = policy("us-to-jpn.toml");
    all_go(
        &p,
        &[
            "The <img alt=\"company logo\" src=\"logo.png\"> report",
            "Search <input placeholder=\"hash or domain\"> here",
            "Press <input type=submit value=\"Send\"> to file it",
            "Play <audio src=a.ogg>Your viewer cannot play audio.</audio> the sample",
            "Ruby <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> text",
            "Progress <progress value=1 max=2>half</progress> done",
        ],
    );
}
