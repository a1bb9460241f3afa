//! Unit tests for the JSON grammar: one per rejection class, with the rule and position a user sees.

use super::*;

fn ok(s: &str) -> Value<'_> {
    match parse(s.as_bytes(), &Limits::default()) {
        Ok(v) => v,
        Err(e) => panic!("{s:?} rejected: {e}"),
    }
}

fn err(s: &[u8]) -> ParseError {
    match parse(s, &Limits::default()) {
        Ok(v) => panic!("{s:?} accepted as {v:?}"),
        Err(e) => e,
    }
}

fn canon(s: &str) -> String {
    String::from_utf8(render(&ok(s))).unwrap()
}

//--- RFC 8259 examples
#[test]
fn accepts_rfc8259_examples() {
    ok(
        r#"{"Image":{"Width":800,"Height":600,"Title":"View from 15th Floor","Thumbnail":{"Url":"http://www.example.com/image/481989943","Height":125,"Width":100},"Animated":false,"IDs":[116,943,234,38793]}}"#,
    );
    ok(
        r#"[{"precision":"zip","Latitude":37.7668,"Longitude":-122.3959,"Address":"","City":"SAN FRANCISCO","State":"CA","Zip":"94107","Country":"US"}]"#,
    );
    ok(r#""Hello world!""#);
    ok("42");
    ok("true");
    ok(" \t\r\n null \n");
}

#[test]
fn borrows_strings_without_escapes() {
    let v = ok(r#"["plain", "esc\u0041"]"#);
    let a = v.as_array().unwrap();
    assert!(matches!(&a[0], Value::String(Cow::Borrowed("plain"))));
    assert!(matches!(&a[1], Value::String(Cow::Owned(s)) if s == "escA"));
}

#[test]
fn rejects_trailing_comma_in_array() {
    let e = err(b"[1,2,]");
    assert_eq!((e.rule, e.offset), ("array", 5));
}

#[test]
fn rejects_trailing_comma_in_object() {
    let e = err(br#"{"a":1,}"#);
    assert_eq!((e.rule, e.offset), ("object", 7));
}

#[test]
fn rejects_leading_zeros() {
    let e = err(b"[01]");
    assert_eq!((e.rule, e.offset), ("number", 1));
    assert!(e.detail.contains("leading zero"));
    err(b"-00");
}

#[test]
fn rejects_plus_sign() {
    let e = err(b"+1");
    assert_eq!((e.rule, e.offset), ("number", 0));
}

#[test]
fn rejects_fraction_without_integer_part() {
    assert_eq!(err(b".5").rule, "number");
}

#[test]
fn rejects_decimal_point_without_digits() {
    let e = err(b"1.");
    assert_eq!((e.rule, e.offset), ("number", 2));
}

#[test]
fn rejects_exponent_without_digits() {
    let e = err(b"1e");
    assert_eq!((e.rule, e.offset), ("number", 2));
    err(b"1e+");
}

#[test]
fn rejects_nan_and_infinity() {
    assert_eq!(err(b"NaN").rule, "value");
    assert_eq!(err(b"Infinity").rule, "value");
    assert_eq!(err(b"-Infinity").rule, "number");
}

#[test]
fn rejects_numbers_beyond_double_range() {
    let e = err(b"1e400");
    assert!(e.detail.contains("IEEE 754"));
    err(b"1e9999999999");
}

// Found while writing the json fuzz property (issue 8): with a fraction, a 321-digit integer part
// escaped the range check, so `as_f64` was infinite and serde_json disagreed. Reachable only when
// `max_number_bytes` is raised above 309.
#[test]
fn rejects_numbers_beyond_double_range_with_a_fraction() {
    let limits = Limits {
        max_number_bytes: 1000,
        ..Limits::default()
    };
    let big = format!("1{}.5", "0".repeat(320));
    let e = parse(big.as_bytes(), &limits).unwrap_err();
    assert_eq!((e.rule, e.offset), ("number", 0));
    let max = format!("{}.5", "9".repeat(308));
    assert!(parse(max.as_bytes(), &limits).is_ok());
}

#[test]
fn rejects_single_quotes() {
    assert_eq!(err(b"'a'").rule, "value");
    assert_eq!(err(b"{'a':1}").rule, "member");
}

#[test]
fn rejects_comments() {
    let e = err(b"[1 /* no */]");
    assert_eq!((e.rule, e.offset), ("array", 3));
    assert!(err(b"// c\n1").detail.contains("comments"));
}

#[test]
fn rejects_unescaped_control_characters() {
    let e = err(b"\"a\nb\"");
    assert_eq!((e.rule, e.offset), ("char", 2));
    assert!(e.detail.contains("U+000A"));
    err(b"\"\x00\"");
    err(b"\"\x1f\"");
}

#[test]
fn rejects_invalid_escapes() {
    let e = err(br#""\x41""#);
    assert_eq!((e.rule, e.offset), ("escape", 1));
    err(br#""\u12""#);
    err(br#""\U0041""#);
}

#[test]
fn rejects_lone_and_misordered_surrogates() {
    let e = err(br#""\ud800""#);
    assert_eq!((e.rule, e.offset), ("escape", 1));
    assert!(e.detail.contains("lone high surrogate"));
    assert!(err(br#""\udc00\ud800""#).detail.contains("lone low surrogate"));
    assert!(err(br#""\ud800\u0041""#).detail.contains("not a low surrogate"));
    assert_eq!(ok(r#""\ud83d\ude00""#).as_str(), Some("😀"));
}

#[test]
fn rejects_overlong_utf8() {
    let e = err(b"\"\xC0\xAF\"");
    assert_eq!((e.rule, e.offset), ("UTF-8", 1));
    assert!(e.detail.contains("overlong"));
    assert!(err(b"\"\xE0\x80\xAF\"").detail.contains("overlong"));
}

#[test]
fn rejects_utf8_encoded_surrogates() {
    let e = err(b"\"\xED\xA0\x80\"");
    assert!(e.detail.contains("surrogate"), "{e}");
}

#[test]
fn rejects_truncated_utf8() {
    let e = err(b"\"\xE2\x82");
    assert_eq!((e.rule, e.offset), ("UTF-8", 1));
    assert!(e.detail.contains("truncated"));
}

#[test]
fn rejects_byte_order_mark() {
    let e = err(b"\xEF\xBB\xBF{}");
    assert_eq!((e.rule, e.offset), ("JSON-text", 0));
}

#[test]
fn rejects_trailing_data() {
    let e = err(b"{} x");
    assert_eq!((e.rule, e.offset), ("JSON-text", 3));
    err(b"1 2");
}

#[test]
fn rejects_empty_input() {
    assert_eq!(err(b"").rule, "value");
    assert_eq!(err(b"  ").rule, "value");
}

#[test]
fn rejects_unterminated_structures() {
    assert_eq!(err(b"[1").rule, "array");
    assert_eq!(err(br#"{"a":1"#).rule, "object");
    assert_eq!(err(br#""abc"#).rule, "string");
}

//--- guard strictness
#[test]
fn rejects_duplicate_keys() {
    let e = err(br#"{"a":1,"a":2}"#);
    assert_eq!((e.rule, e.offset), ("member", 7));
    assert!(e.detail.contains("duplicate"));
}

#[test]
fn rejects_duplicate_keys_after_unescaping() {
    let e = err(br#"{"a":1,"\u0061":2}"#);
    assert_eq!((e.rule, e.offset), ("member", 7));
}

#[test]
fn rejects_duplicate_keys_in_large_objects() {
    let mut s = String::from("{");
    for n in 0..40 {
        s.push_str(&format!("\"k{n}\":{n},"));
    }
    s.push_str("\"k\\u0033\":1}");
    assert_eq!(err(s.as_bytes()).rule, "member");
}

#[test]
fn rejects_nesting_beyond_max_depth() {
    let deep = "[".repeat(65) + &"]".repeat(65);
    let e = err(deep.as_bytes());
    assert_eq!((e.rule, e.offset), ("max_depth", 64));
    ok(&("[".repeat(64) + &"]".repeat(64)));
}

#[test]
fn survives_100000_open_brackets() {
    let e = err("[".repeat(100_000).as_bytes());
    assert_eq!(e.rule, "max_depth");
    let e = err("{\"a\":".repeat(100_000).as_bytes());
    assert_eq!(e.rule, "max_depth");
}

#[test]
fn rejects_input_over_max_input_bytes() {
    let limits = Limits {
        max_input_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(parse(b"[1,2]", &limits).unwrap_err().rule, "max_input_bytes");
}

#[test]
fn rejects_strings_over_max_string_bytes() {
    let limits = Limits {
        max_string_bytes: 3,
        ..Limits::default()
    };
    assert_eq!(parse(br#""abcd""#, &limits).unwrap_err().rule, "max_string_bytes");
    assert_eq!(parse(br#""ab\ncd""#, &limits).unwrap_err().rule, "max_string_bytes");
    assert!(parse(br#""abc""#, &limits).is_ok());
}

#[test]
fn rejects_objects_over_max_object_members() {
    let limits = Limits {
        max_object_members: 2,
        ..Limits::default()
    };
    let e = parse(br#"{"a":1,"b":2,"c":3}"#, &limits).unwrap_err();
    assert_eq!((e.rule, e.offset), ("max_object_members", 13));
}

#[test]
fn rejects_arrays_over_max_array_elements() {
    let limits = Limits {
        max_array_elements: 2,
        ..Limits::default()
    };
    assert_eq!(parse(b"[1,2,3]", &limits).unwrap_err().rule, "max_array_elements");
}

#[test]
fn rejects_numbers_over_max_number_bytes() {
    let limits = Limits {
        max_number_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(parse(b"12345", &limits).unwrap_err().rule, "max_number_bytes");
}

// Found by fuzzing (issue 8, `fuzz/regressions/json/number_canonical_longer_than_limit`): `1e20`
// fits 16 bytes but renders as 21 digits, so the guard could not re-parse its own output.
#[test]
fn rejects_numbers_whose_canonical_form_is_over_max_number_bytes() {
    let limits = Limits::tiny();
    let e = parse(b"1e20", &limits).unwrap_err();
    assert_eq!((e.rule, e.offset), ("max_number_bytes", 0));
    assert_eq!(e.detail, "number longer than 16 bytes in canonical form");
    assert_eq!(parse(b"[1e16]", &limits).unwrap_err().offset, 1);
    assert!(parse(b"1e15", &limits).is_ok());
}

//--- numbers keep their value
#[test]
fn keeps_number_source_text() {
    let v = ok("[12345678901234567890123, 0.1000000000000000000001]");
    let a = v.as_array().unwrap();
    assert_eq!(a[0].as_number().unwrap().as_str(), "12345678901234567890123");
    assert_eq!(canon("12345678901234567890123"), "1.2345678901234567890123e+22");
    assert_eq!(canon("0.1000000000000000000001"), "0.1000000000000000000001");
}

//--- RFC 8785 rendering
#[test]
fn renders_numbers_as_rfc8785() {
    // RFC 8785 Appendix B, where the source digits are the shortest round-trip digits.
    for (src, want) in [
        ("0", "0"),
        ("-0", "0"),
        ("1", "1"),
        ("-1.0", "-1"),
        ("1.5e3", "1500"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("123e-9", "1.23e-7"),
        ("0.000001", "0.000001"),
        ("1E-7", "1e-7"),
        ("9007199254740992", "9007199254740992"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("0.000001230", "0.00000123"),
        ("333333333.33333329", "333333333.33333329"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("5e-324", "5e-324"),
        ("-1.23E+10", "-12300000000"),
        ("100e-2", "1"),
    ] {
        assert_eq!(canon(src), want, "{src}");
    }
}

#[test]
fn renders_strings_as_rfc8785() {
    assert_eq!(
        canon(r#""\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/""#),
        "\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\""
    );
    assert_eq!(canon("\"\\u007f\\u2028\""), "\"\u{7f}\u{2028}\"");
    assert_eq!(canon(r#""\b\f\t\r""#), r#""\b\f\t\r""#);
}

#[test]
fn sorts_members_by_utf16_code_units() {
    // RFC 8785 §3.2.3 example.
    let src = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
    let want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    assert_eq!(canon(src), want);
}

#[test]
fn renders_nested_structures_without_whitespace() {
    assert_eq!(
        canon(r#" { "b" : [ 1 , { "d" : true , "c" : null } ] , "a" : "x" } "#),
        r#"{"a":"x","b":[1,{"c":null,"d":true}]}"#
    );
}

#[test]
fn rendering_is_idempotent() {
    let once = render(&ok(r#"{"z":[1.0,2e2,"\u00e9"],"a":{"y":-0,"x":0.5}}"#));
    let twice = render(&parse(&once, &Limits::default()).unwrap());
    assert_eq!(once, twice);
}

#[test]
fn object_equality_ignores_member_order() {
    assert_eq!(ok(r#"{"a":1,"b":2}"#), ok(r#"{"b":2.0,"a":1}"#));
    assert_ne!(ok(r#"{"a":1}"#), ok(r#"{"a":"1"}"#));
}

#[test]
fn reports_line_and_column() {
    let input = b"{\n  \"a\": 01\n}";
    let e = err(input);
    let p = e.position(input);
    assert_eq!((p.line, p.column, p.offset), (2, 8, 9));
}

#[test]
fn locates_a_value_by_path() {
    let input = br#"{"a": [10, {"b~/": 7}], "c": 1}"#;
    let path = [Step::Key("a".into()), Step::Index(1), Step::Key("b~/".into())];
    assert_eq!(locate(input, &path, &Limits::default()), Some(19));
    assert_eq!(pointer(&path), "/a/1/b~0~1");
    assert_eq!(locate(input, &[Step::Key("zz".into())], &Limits::default()), None);
}

/// [`render_string`] as it was written before it used [`unescaped_run`]: byte by byte.
fn render_string_bytewise(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (n, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0A => b"\\n",
            0x0C => b"\\f",
            0x0D => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..n]);
        if esc.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(esc);
        }
        start = n + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[test]
fn the_unescaped_run_stops_where_each_byte_asked_alone_stops() {
    // Every special byte at every place of a run longer than two words, and none.
    for special in (0u8..0x20).chain([b'"', b'\\']) {
        for at in 0..24 {
            let mut b = vec![b'a'; 24];
            b[at] = special;
            assert_eq!(unescaped_run(&b), at, "{special:#x} at {at}");
            assert_eq!(unescaped_run(&b), unescaped_run_bytewise(&b));
        }
    }
    let plain: Vec<u8> = (0x20u8..=0xFF).filter(|b| *b != b'"' && *b != b'\\').collect();
    assert_eq!(unescaped_run(&plain), plain.len());
    assert_eq!(unescaped_run(b""), 0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The run found eight bytes at a time is the run found byte by byte, on any bytes (those
    /// near the bounds of what is escaped drawn often).
    #[test]
    fn the_unescaped_run_is_the_bytewise_one(
        b in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![0x00u8, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]),
                proptest::prelude::Just(b'a'),
            ],
            0..80,
        )
    ) {
        proptest::prop_assert_eq!(unescaped_run(&b), unescaped_run_bytewise(&b));
    }

    /// Strings render as they did byte by byte: any text, and text of control characters,
    /// quotes and backslashes among letters and characters of other scripts.
    #[test]
    fn strings_render_as_they_did_byte_by_byte(
        s in proptest::prop_oneof![
            proptest::prelude::any::<String>(),
            "[a-z\\x00-\\x1f\"\\\\\u{7f}\u{80}é秘 ]{0,70}",
        ]
    ) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        render_string(&s, &mut fast);
        render_string_bytewise(&s, &mut slow);
        proptest::prop_assert_eq!(fast, slow);
    }
}
