//! Property tests of the JSON grammar: round trips, idempotent rendering, and a differential
//! against serde_json (every text we accept, serde_json accepts with the same value).

use proptest::prelude::*;
use sekisho::Limits;
use sekisho::format::json::{self, Value};

/// Whether our value and serde_json's are the same JSON value.
fn same(ours: &Value<'_>, theirs: &serde_json::Value) -> bool {
    match (ours, theirs) {
        (Value::Null, serde_json::Value::Null) => true,
        (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
        (Value::Number(a), serde_json::Value::Number(b)) => match (b.as_i64(), b.as_u64()) {
            (Some(i), _) => a.canonical() == i.to_string(),
            (_, Some(u)) => a.canonical() == u.to_string(),
            _ => b.as_f64() == Some(a.as_f64()),
        },
        (Value::String(a), serde_json::Value::String(b)) => a == b,
        (Value::Array(a), serde_json::Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), serde_json::Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z\\u{e9}\\u{1F600}]{0,6}", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bytes that look like JSON often enough to reach deep into the grammar.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"\"a\"".to_vec()),
        Just(b"\"\\u00e9\\ud83d\\ude00\"".to_vec()),
        Just(b"\"\\ud800\"".to_vec()),
        Just(b"-0.5e+3".to_vec()),
        Just(b"01".to_vec()),
        Just(b"1.".to_vec()),
        Just(b"true".to_vec()),
        Just(b"null".to_vec()),
        Just(b" ".to_vec()),
        prop::collection::vec(any::<u8>(), 0..3),
    ];
    prop::collection::vec(token, 0..24).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn round_trips_generated_values(v in arb_json()) {
        let text = serde_json::to_vec_pretty(&v).unwrap();
        let ours = json::parse(&text, &Limits::default()).unwrap();
        prop_assert!(same(&ours, &v), "parsed value differs from serde_json's");
        let rendered = json::render(&ours);
        let again = json::parse(&rendered, &Limits::default()).unwrap();
        prop_assert_eq!(&again, &ours);
        prop_assert_eq!(json::render(&again), rendered);
    }

    #[test]
    fn accepts_only_what_serde_json_accepts_with_the_same_value(bytes in jsonish()) {
        if let Ok(ours) = json::parse(&bytes, &Limits::default()) {
            let theirs: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| TestCaseError::fail(format!("serde_json rejects what we accept: {e}")))?;
            prop_assert!(same(&ours, &theirs));
            let rendered = json::render(&ours);
            let reparsed = json::parse(&rendered, &Limits::default()).unwrap();
            prop_assert!(same(&reparsed, &theirs));
            prop_assert!(serde_json::from_slice::<serde_json::Value>(&rendered).is_ok());
        }
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::parse(&bytes, &Limits::default());
        let _ = json::parse(&bytes, &Limits::tiny());
    }
}
