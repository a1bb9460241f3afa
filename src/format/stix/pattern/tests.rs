use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

fn ok(s: &str) -> Pattern {
    match parse(s, &Limits::default()) {
        Ok(p) => p,
        Err(e) => panic!("{s:?} rejected at byte {}: {e}", e.offset),
    }
}

fn err_with(s: &str, limits: &Limits) -> ParseError {
    match parse(s, limits) {
        Ok(p) => panic!("{s:?} accepted as {}", p.render()),
        Err(e) => e,
    }
}

fn err(s: &str) -> ParseError {
    err_with(s, &Limits::default())
}

/// The error a user sees: rule, offset, and a piece of the detail.
fn assert_rejects(s: &str, rule: &str, offset: usize, detail: &str) {
    let e = err(s);
    assert_eq!((e.rule, e.offset), (rule, offset), "{s:?}: {e}");
    assert!(
        e.detail.contains(detail),
        "{s:?}: detail {:?} lacks {detail:?}",
        e.detail
    );
}

fn canon(s: &str) -> String {
    ok(s).render()
}

fn path(object_type: &str, property: &str, steps: Vec<PathStep>) -> ObjectPath {
    ObjectPath {
        object_type: object_type.to_string(),
        property: property.to_string(),
        steps,
    }
}

fn cmp(p: ObjectPath, op: Operator) -> ComparisonExpression {
    ComparisonExpression::Comparison(Comparison {
        path: p,
        negated: false,
        op,
    })
}

fn string(s: &str) -> Literal {
    Literal::String(s.to_string())
}

/// The example patterns of STIX 2.1 §9 (as collected by oasis-open/cti-pattern-validator,
/// `stix2patterns/test/spec_examples.txt`) and the pass cases of its 2.1 test suite.
const SPEC_EXAMPLES: &[&str] = &[
    r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
    r"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
    r"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    r"([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS",
    r"[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
    r"[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']",
    r"[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']",
    r"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    r"[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    r"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
    r"[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    r"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    r"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    r"[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    r"[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']",
    r"[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
    r"[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
    r"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    r"[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    r"[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    r"([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
    r"[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
    r"[file:file_system_properties.file_name LIKE 'name%']",
    r"[file:size IN (1024, 2048, 4096)]",
    r"[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
    r"[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    r"( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
    r"([win-registry-key:key = 'hkey_local_machine\\foo\\bar']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
    r"[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
    r"[EXISTS windows-registry-key:values]",
];

//--- case: every spec example parses, round-trips, and renders idempotently
#[test]
fn accepts_and_round_trips_spec_examples() {
    for s in SPEC_EXAMPLES {
        let p = ok(s);
        let r = p.render();
        assert_eq!(ok(&r), p, "{s}");
        assert_eq!(canon(&r), r, "{s}");
        fuzz_pattern(s.as_bytes());
    }
}

//--- case: §9 example, a hash
#[test]
fn parses_a_quoted_path_component() {
    let p = ok(r"[file:hashes.'SHA-256' = 'aec0']");
    assert_eq!(
        p.expression,
        ObservationExpression::Observation(cmp(
            path("file", "hashes", vec![PathStep::Key("SHA-256".into())]),
            Operator::Equal(string("aec0")),
        ))
    );
    assert_eq!(p.render(), r"[file:hashes.'SHA-256' = 'aec0']");
}

//--- case: §9 example, MATCHES with escaped backslashes and a `[*]` step
#[test]
fn unescapes_strings_and_reads_list_steps() {
    let p = ok(
        r"[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']",
    );
    let cs: Vec<&Comparison> = p.comparisons().collect();
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].op, Operator::Matches(r".+\@example\.com$".into()));
    assert_eq!(
        cs[1].path,
        path(
            "email-message",
            "body_multipart",
            vec![
                PathStep::AnyIndex,
                PathStep::Key("body_raw_ref".into()),
                PathStep::Key("name".into())
            ]
        )
    );
    assert_eq!(
        cs[1].path.to_string(),
        "email-message:body_multipart[*].body_raw_ref.name"
    );
}

//--- case: §9 precedence, AND binds tighter than OR, OR tighter than FOLLOWEDBY
#[test]
fn observation_operators_have_spec_precedence() {
    let a = || ObservationExpression::Observation(cmp(path("a", "x", vec![]), Operator::Equal(Literal::Integer(1))));
    let p = ok("[a:x = 1] FOLLOWEDBY [a:x = 1] OR [a:x = 1] AND [a:x = 1]");
    use ObservationExpression as O;
    assert_eq!(
        p.expression,
        O::FollowedBy(vec![a(), O::Or(vec![a(), O::And(vec![a(), a()])])])
    );
    // Parentheses that change the grouping are kept; redundant ones are dropped.
    assert_eq!(
        canon("([a:x = 1] FOLLOWEDBY [a:x = 1]) AND ([a:x = 1] AND [a:x = 1])"),
        "([a:x = 1] FOLLOWEDBY [a:x = 1]) AND ([a:x = 1] AND [a:x = 1])"
    );
    assert_eq!(canon("(([a:x = 1] AND [a:x = 1]))"), "[a:x = 1] AND [a:x = 1]");
}

//--- case: §9.3 comparison precedence and parentheses
#[test]
fn comparison_operators_have_spec_precedence() {
    assert_eq!(
        canon("[a:x = 1 OR a:y = 2 AND a:z = 3]"),
        "[a:x = 1 OR a:y = 2 AND a:z = 3]"
    );
    assert_eq!(
        canon("[(a:x = 1 OR a:y = 2) AND a:z = 3]"),
        "[(a:x = 1 OR a:y = 2) AND a:z = 3]"
    );
    assert_eq!(canon("[((a:x = 1))]"), "[a:x = 1]");
}

//--- case: §9.6 qualifiers bind to the observation expression before them
#[test]
fn qualifiers_bind_to_the_preceding_observation() {
    let p = ok("[a:x = 1] AND [a:y = 2] REPEATS 5 TIMES WITHIN 1800 SECONDS");
    let ObservationExpression::And(items) = &p.expression else {
        panic!("not an AND: {p:?}");
    };
    assert!(matches!(items[0], ObservationExpression::Observation(_)));
    let ObservationExpression::Qualified { qualifiers, .. } = &items[1] else {
        panic!("not qualified: {:?}", items[1]);
    };
    assert_eq!(
        qualifiers,
        &vec![Qualifier::Repeats(5), Qualifier::Within(Seconds::Integer(1800))]
    );
    let p = ok("[a:x = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.123Z' WITHIN 2.5 SECONDS");
    assert_eq!(
        p.render(),
        "[a:x = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.123Z' WITHIN 2.5 SECONDS"
    );
}

//--- case: every operator, NOT, and the literal forms, in canonical spelling
#[test]
fn renders_operators_and_literals_canonically() {
    assert_eq!(
        canon("[a:b == 1 AND a:c <> -2 AND a:d NOT < +3 AND a:e<=.5 AND a:f >-0.25 AND a:g >= 007.10]"),
        "[a:b = 1 AND a:c != -2 AND a:d NOT < 3 AND a:e <= 0.5 AND a:f > -0.25 AND a:g >= 7.1]"
    );
    assert_eq!(
        canon("[a:b NOT IN ('x', 2, true, h'FF00', b'QQ==', t'2020-02-29T23:59:60Z') AND a:c IN ()]"),
        "[a:b NOT IN ('x', 2, true, h'ff00', b'QQ==', t'2020-02-29T23:59:60Z') AND a:c IN ()]"
    );
    assert_eq!(
        canon(r"[a:b LIKE 'it%' OR a:c NOT MATCHES '\\d' OR a:d ISSUPERSET '10.0.0.0/8']"),
        r"[a:b LIKE 'it%' OR a:c NOT MATCHES '\\d' OR a:d ISSUPERSET '10.0.0.0/8']",
    );
    assert_eq!(canon(r"[a:b = 'it\'s \\ ok']"), r"[a:b = 'it\'s \\ ok']");
    assert_eq!(
        canon("[a:b = false AND EXISTS a:c[-1].'d e'.'AND'.f_1]"),
        "[a:b = false AND EXISTS a:c[-1].'d e'.'AND'.f_1]"
    );
    assert_eq!(canon("[a:'plain' = 1]"), "[a:plain = 1]");
}

//--- case: §9 whitespace is any of the grammar's WS characters, between any two tokens
#[test]
fn accepts_whitespace_between_tokens() {
    assert_eq!(
        canon("\u{3000}[ file : hashes . 'MD5'\t=\n'x' ]\r\nWITHIN\u{A0}5 SECONDS "),
        "[file:hashes.MD5 = 'x'] WITHIN 5 SECONDS"
    );
}

//--- case: the typed model gives policy code the strings of every comparison
#[test]
fn exposes_comparison_strings() {
    let p = ok("[ipv4-addr:value ISSUBSET '10.0.0.0/8' OR domain-name:value IN ('a.example', 'b.example', 3)]");
    let strings: Vec<&str> = p.comparisons().flat_map(Comparison::strings).collect();
    assert_eq!(strings, ["10.0.0.0/8", "a.example", "b.example"]);
    let mut p = p;
    for c in p.comparisons_mut() {
        c.negated = true;
    }
    assert_eq!(
        p.render(),
        "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8' OR domain-name:value NOT IN ('a.example', 'b.example', 3)]"
    );
}

//--- case: pruning comparisons collapses AND/OR and reports what went
#[test]
fn retain_removes_comparisons_and_collapses() {
    let mut p = ok("[a:x = 1 AND b:y = 2] AND [b:z = 3] WITHIN 5 SECONDS FOLLOWEDBY [a:w = 4]");
    let outcome = p.retain_comparisons(|c| c.path.object_type == "a");
    assert_eq!(
        outcome,
        RetainOutcome::Pruned {
            comparisons: 2,
            observations: 1
        }
    );
    assert_eq!(p.render(), "[a:x = 1] FOLLOWEDBY [a:w = 4]");
    assert_eq!(p.retain_comparisons(|_| true), RetainOutcome::Unchanged);
}

//--- case: pruning every comparison leaves the pattern as it was and says so
#[test]
fn retain_reports_an_emptied_pattern() {
    let mut p = ok("[a:x = 1 OR a:y = 2] AND [a:z = 3]");
    let before = p.clone();
    assert_eq!(
        p.retain_comparisons(|_| false),
        RetainOutcome::Emptied { comparisons: 3 }
    );
    assert_eq!(p, before);
}

//--- case: nested parentheses up to the limit are accepted
#[test]
fn accepts_depth_up_to_the_limit() {
    let tiny = Limits::tiny();
    assert!(parse("((([a:b = 1])))", &tiny).is_ok());
    assert!(parse("[(((a:b = 1)))]", &tiny).is_ok());
}

// ------------------------------------------------------------------ rejections

//--- case: unbalanced brackets and parentheses
#[test]
fn rejects_unbalanced_brackets() {
    assert_rejects("[file:name = 'a'", "observationExpression", 0, "unbalanced `[`");
    assert_rejects("([file:name = 'a']", "observationExpression", 0, "unbalanced `(`");
    assert_rejects("[file:name = 'a']]", "pattern", 17, "unbalanced `]`");
    assert_rejects("[file:name = 'a'])", "pattern", 17, "unbalanced `)`");
    assert_rejects("[(file:name = 'a']", "propTest", 17, "expected `)`");
    assert_rejects("file:size = 1280", "observationExpression", 0, "expected `[` or `(`");
}

//--- case: a bad or missing comparison operator
#[test]
fn rejects_bad_operator() {
    assert_rejects("[file:size ~ 5]", "propTest", 11, "expected a comparison operator");
    assert_rejects("[file:hashes.MD5 =? 'x']", "orderableLiteral", 18, "found `?`");
    assert_rejects("[file:size NOT EXISTS]", "propTest", 15, "`EXISTS` goes before");
    assert_eq!(ok("[NOT EXISTS file:name]").render(), "[NOT EXISTS file:name]");
    assert_rejects("[file:name LIKE 5]", "propTest", 16, "a string literal after `LIKE`");
    assert_rejects(
        "[file:size > true]",
        "orderableLiteral",
        13,
        "a boolean cannot be compared",
    );
}

//--- case: bad literals
#[test]
fn rejects_bad_literal() {
    assert_rejects(
        "[file:hashes.MD5 = cead3f77]",
        "orderableLiteral",
        19,
        "found `cead3f77`",
    );
    assert_rejects("[a:b = h'abc']", "HexLiteral", 7, "even number of digits");
    assert_rejects("[a:b = h'zz']", "HexLiteral", 9, "not a hexadecimal digit");
    assert_rejects(
        "[artifact:payload_bin = b'====']",
        "BinaryLiteral",
        24,
        "invalid base64",
    );
    assert_rejects("[a:b = b'']", "BinaryLiteral", 7, "invalid base64");
    assert_rejects("[a:b = b'QQ=A']", "BinaryLiteral", 7, "invalid base64");
    assert_rejects("[a:b = 1.]", "FloatLiteral", 9, "expected a digit after `.`");
    assert_rejects("[a:b = 007]", "IntLiteral", 7, "leading zeros");
    assert_rejects("[a:b = 9223372036854775808]", "IntLiteral", 7, "64-bit range");
    assert!(parse("[a:b = -9223372036854775808]", &Limits::default()).is_ok());
    let huge = format!("[a:b = 1{}.0]", "0".repeat(400));
    assert_rejects(&huge, "FloatLiteral", 7, "range of an IEEE 754 double");
    assert_rejects("[a:b IN ('x' 'y')]", "setLiteral", 13, "expected `,` or `)`");
}

//--- case: unterminated strings and invalid escapes
#[test]
fn rejects_unterminated_string() {
    assert_rejects("[file:name = 'abc]", "StringLiteral", 13, "unterminated string");
    assert_rejects(r"[file:name = 'abc\']", "StringLiteral", 13, "unterminated string");
    assert_rejects(r"[file:name = 'a\nb']", "StringLiteral", 15, r"invalid escape `\n`");
    assert_rejects("[file:'name = 1]", "StringLiteral", 6, "unterminated string");
}

//--- case: timestamps that are not RFC 3339 UTC or name no real date
#[test]
fn rejects_bad_timestamp() {
    assert_rejects(
        "[x:d == t'2457-73-22T32:81:84.1Z']",
        "TimestampLiteral",
        8,
        "not a UTC timestamp",
    );
    assert_rejects("[x:d = t'2023-02-29T00:00:00Z']", "TimestampLiteral", 7, "real date");
    assert_rejects("[x:d = t'2016-06-01T01:30:00+01:00']", "TimestampLiteral", 7, "UTC");
    assert_rejects("[x:d = t'2016-06-01T01:30:00.Z']", "TimestampLiteral", 7, "UTC");
    assert_rejects("[x:d = t'2016-06-01 01:30:00Z']", "TimestampLiteral", 7, "UTC");
    assert_rejects("[x:d = t'2016-06-01T01:30:00Z", "TimestampLiteral", 7, "unterminated");
    assert_rejects(
        "[x:d = 1] START '2016-06-01T01:30:00Z' STOP t'2016-06-01T01:30:00Z'",
        "startStopQualifier",
        16,
        "a timestamp",
    );
    assert!(parse("[x:d = t'2024-02-29T00:00:00Z']", &Limits::default()).is_ok());
}

//--- case: qualifiers out of the grammar
#[test]
fn rejects_bad_qualifier() {
    assert_rejects("[a:b = 1] WITHIN 5 HOURS", "withinQualifier", 19, "expected `SECONDS`");
    assert_rejects("[a:b = 1] WITHIN -5 SECONDS", "withinQualifier", 17, "not negative");
    assert_rejects("[a:b = 1] REPEATS 1.5 TIMES", "repeatedQualifier", 18, "whole number");
    assert_rejects(
        "[a:b = 1] REPEATS 18446744073709551616 TIMES",
        "IntLiteral",
        18,
        "64-bit range",
    );
    assert_rejects("[a:b = 1] REPEATS 05 TIMES", "IntLiteral", 18, "leading zeros");
    // The grammar allows a qualifier of a kind twice; so does sekisho.
    assert_eq!(
        canon("[a:b = 1] WITHIN 5 SECONDS WITHIN +.5 SECONDS REPEATS 18446744073709551615 TIMES"),
        "[a:b = 1] WITHIN 5 SECONDS WITHIN 0.5 SECONDS REPEATS 18446744073709551615 TIMES"
    );
}

//--- case: depth limit, checked before descending
#[test]
fn rejects_depth_over_the_limit() {
    let tiny = Limits::tiny();
    let e = err_with("(((([a:b = 1]))))", &tiny);
    assert_eq!((e.rule, e.offset), ("max_pattern_depth", 3));
    let e = err_with("[((((a:b = 1))))]", &tiny);
    assert_eq!((e.rule, e.offset), ("max_pattern_depth", 4));
    // Deep nesting far past the default limit fails fast, without exhausting the stack.
    let deep = format!("{}[a:b = 1]{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(err(&deep).rule, "max_pattern_depth");
}

//--- case: length limit, checked before anything else
#[test]
fn rejects_length_over_the_limit() {
    let tiny = Limits::tiny();
    let long = format!("[a:b = '{}']", "x".repeat(300));
    let e = err_with(&long, &tiny);
    assert_eq!((e.rule, e.offset), ("max_pattern_bytes", 256));
    assert_eq!(e.detail, "pattern is 310 bytes, the limit is 256");
}

//--- case: anything after a complete pattern
#[test]
fn rejects_trailing_garbage() {
    assert_rejects("[a:b = 1] foo", "pattern", 10, "unexpected `foo` after the pattern");
    assert_rejects(
        "[foo:bar=1] within 2 seconds",
        "pattern",
        12,
        "keywords are uppercase: `WITHIN`",
    );
    assert_rejects("[a:b = 1] ANDROID [a:b = 1]", "pattern", 10, "`ANDROID`");
    assert_rejects("[a:b = 1] // note", "pattern", 10, "comments are not allowed");
    assert_rejects(
        "[a:b = 1 /* note */]",
        "observationExpression",
        9,
        "comments are not allowed",
    );
}

//--- case: nothing, or an empty observation
#[test]
fn rejects_empty_pattern() {
    assert_rejects("", "pattern", 0, "empty pattern");
    assert_rejects(" \n\t", "pattern", 3, "empty pattern");
    assert_rejects("[]", "propTest", 1, "expected a comparison");
    assert_rejects("[a:b = 1] AND", "observationExpression", 13, "found end of input");
}

//--- case: object paths out of the grammar
#[test]
fn rejects_bad_object_path() {
    assert_rejects("[file.size = 1280]", "objectPath", 5, "`:` after the object type");
    assert_rejects(
        "[file:foo-bar = 1]",
        "firstPathComponent",
        6,
        "must be quoted: `'foo-bar'`",
    );
    assert_rejects("[file:AND = 1]", "firstPathComponent", 6, "keyword `AND`");
    assert_rejects("[AND:x = 1]", "objectType", 1, "keyword `AND`");
    assert_rejects("[file:x[1.5] = 1]", "indexPathStep", 8, "whole number or `*`");
    assert_rejects("[file:x[a] = 1]", "indexPathStep", 8, "a list index");
    assert_rejects("[file:x. = 1]", "keyPathStep", 9, "a property name");
    assert_rejects("[1file:x = 1]", "objectType", 1, "an object type");
}

//--- case: invalid input yields an error, never a panic (non-UTF-8 and odd characters)
#[test]
fn fuzz_pattern_survives_odd_input() {
    for data in [
        &b"\xff\xfe"[..],
        "[a:b = 'é\u{0}'] WITHIN 1 SECONDS".as_bytes(),
        b"[a:b = t'",
        b"[a:b = h'",
        b"[a:b = b'",
        b"[a:b[-",
        b"((((((((((",
    ] {
        fuzz_pattern(data);
    }
}

// ------------------------------------------------------------------ properties

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 '\\\\._%-]{0,12}",
        any::<String>(),
        Just("AND".to_string()),
        Just("true".to_string()),
    ]
}

fn arb_timestamp() -> impl Strategy<Value = Timestamp> {
    (
        0u32..10_000,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..=60,
        "(\\.[0-9]{1,6})?",
    )
        .prop_filter_map("not a real date", |(y, mo, d, h, mi, s, frac)| {
            Timestamp::new(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z"))
        })
}

fn arb_orderable() -> impl Strategy<Value = Literal> {
    prop_oneof![
        arb_text().prop_map(Literal::String),
        any::<i64>().prop_map(Literal::Integer),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Literal::Float),
        vec(any::<u8>(), 1..8).prop_map(Literal::Binary),
        vec(any::<u8>(), 0..8).prop_map(Literal::Hex),
        arb_timestamp().prop_map(Literal::Timestamp),
    ]
}

fn arb_primitive() -> impl Strategy<Value = Literal> {
    prop_oneof![arb_orderable(), any::<bool>().prop_map(Literal::Boolean)]
}

fn arb_path() -> impl Strategy<Value = ObjectPath> {
    let step = prop_oneof![
        arb_text().prop_map(PathStep::Key),
        any::<i64>().prop_map(PathStep::Index),
        Just(PathStep::AnyIndex),
    ];
    (
        "[a-z_][a-z0-9_-]{0,10}".prop_filter("keyword", |t| !KEYWORDS.contains(&t.as_str())),
        arb_text(),
        vec(step, 0..4),
    )
        .prop_map(|(object_type, property, steps)| ObjectPath {
            object_type,
            property,
            steps,
        })
}

fn arb_comparison() -> impl Strategy<Value = Comparison> {
    let op = prop_oneof![
        arb_primitive().prop_map(Operator::Equal),
        arb_primitive().prop_map(Operator::NotEqual),
        arb_orderable().prop_map(Operator::Less),
        arb_orderable().prop_map(Operator::LessOrEqual),
        arb_orderable().prop_map(Operator::Greater),
        arb_orderable().prop_map(Operator::GreaterOrEqual),
        vec(arb_primitive(), 0..4).prop_map(Operator::In),
        arb_text().prop_map(Operator::Like),
        arb_text().prop_map(Operator::Matches),
        arb_text().prop_map(Operator::IsSubset),
        arb_text().prop_map(Operator::IsSuperset),
        Just(Operator::Exists),
    ];
    (arb_path(), any::<bool>(), op).prop_map(|(path, negated, op)| Comparison {
        negated: negated && op != Operator::Exists,
        path,
        op,
    })
}

fn arb_comparison_expression() -> impl Strategy<Value = ComparisonExpression> {
    arb_comparison()
        .prop_map(ComparisonExpression::Comparison)
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 2..4).prop_map(ComparisonExpression::And),
                vec(inner, 2..4).prop_map(ComparisonExpression::Or),
            ]
        })
}

fn arb_qualifiers() -> impl Strategy<Value = Vec<Qualifier>> {
    let seconds = prop_oneof![
        any::<u64>().prop_map(Seconds::Integer),
        (0.0f64..1e12).prop_map(Seconds::Float),
    ];
    (
        proptest::option::of(seconds.prop_map(Qualifier::Within)),
        proptest::option::of(any::<u64>().prop_map(Qualifier::Repeats)),
        proptest::option::of(
            (arb_timestamp(), arb_timestamp()).prop_map(|(start, stop)| Qualifier::StartStop { start, stop }),
        ),
        any::<bool>(),
    )
        .prop_filter_map("no qualifier", |(w, r, s, reverse)| {
            let mut qs: Vec<Qualifier> = [w, r, s].into_iter().flatten().collect();
            if reverse {
                qs.reverse();
            }
            (!qs.is_empty()).then_some(qs)
        })
}

fn arb_pattern() -> impl Strategy<Value = Pattern> {
    arb_comparison_expression()
        .prop_map(ObservationExpression::Observation)
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 2..4).prop_map(ObservationExpression::And),
                vec(inner.clone(), 2..4).prop_map(ObservationExpression::Or),
                vec(inner.clone(), 2..4).prop_map(ObservationExpression::FollowedBy),
                (inner, arb_qualifiers()).prop_map(|(e, qualifiers)| ObservationExpression::Qualified {
                    expression: Box::new(e),
                    qualifiers
                }),
            ]
        })
        .prop_map(|expression| Pattern { expression })
}

proptest! {
    //--- case: any model renders to a pattern that parses back to it, and rendering is idempotent
    #[test]
    fn can_round_trip_random_models(p in arb_pattern()) {
        let rendered = p.render();
        let again = parse(&rendered, &Limits::default());
        prop_assert_eq!(again.as_ref(), Ok(&p), "rendered: {}", rendered);
        prop_assert_eq!(again.map(|q| q.render()), Ok(rendered.clone()));
        fuzz_pattern(rendered.as_bytes());
    }

    //--- case: pruning keeps the model's invariants, so the result still round-trips
    #[test]
    fn can_round_trip_after_pruning(p in arb_pattern(), mask in vec(any::<bool>(), 64)) {
        let mut p = p;
        let total = p.comparisons().count();
        let mut n = 0usize;
        let outcome = p.retain_comparisons(|_| {
            n += 1;
            mask.get(n % 64).copied().unwrap_or(true)
        });
        match outcome {
            RetainOutcome::Emptied { comparisons } => prop_assert_eq!(comparisons, total),
            RetainOutcome::Unchanged => prop_assert_eq!(p.comparisons().count(), total),
            RetainOutcome::Pruned { comparisons, .. } => {
                prop_assert_eq!(p.comparisons().count() + comparisons, total);
            }
        }
        prop_assert_eq!(parse(&p.render(), &Limits::default()), Ok(p.clone()));
    }

    //--- case: random near-pattern text never panics and always round-trips when accepted
    #[test]
    fn fuzz_property_holds_on_random_text(s in "[\\[\\]() a-z:.'=<>!0-9*,+-]{0,40}|(\\[a:b (=|IN|LIKE|<) [ht]?'[0-9a-f]{0,5}'?\\] ?(AND|OR|WITHIN|START)? ?){1,3}") {
        fuzz_pattern(s.as_bytes());
    }
}
