//! The verifier's JSON reader: `serde_json`, not the guard's nom grammar, with what `serde_json`
//! lacks added — duplicate keys are an error at any depth (it keeps the last one silently), and
//! nesting is bounded by the caller's depth (on top of `serde_json`'s own recursion limit).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value as the verifier sees it (numbers are kept as their `serde_json` form). Strings
/// and member names borrow from the output when they hold no escape.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its members by name.
pub type Object<'a> = BTreeMap<Cow<'a, str>, Json<'a>>;

impl<'a> Json<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Json<'de>>()? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(k) = map.next_key_seed(Name)? {
            if out.contains_key(&k) {
                return Err(de::Error::custom(format!("duplicate key `{k}`")));
            }
            let v = map.next_value::<Json<'de>>()?;
            out.insert(k, v);
        }
        Ok(Json::Object(out))
    }
}

/// A member name, borrowed from the input when it holds no escape.
struct Name;

impl<'de> de::DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// Parse `bytes` as one JSON value (trailing bytes other than white space are an error), and
/// refuse nesting deeper than `max_depth`.
pub fn parse(bytes: &[u8], max_depth: usize) -> Result<Json<'_>, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Json::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    let depth = depth(&v);
    if depth > max_depth {
        return Err(format!("nesting depth {depth} is over the limit {max_depth}"));
    }
    Ok(v)
}

/// Nesting depth (a scalar is 0), without recursion.
fn depth(v: &Json<'_>) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Json::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Json::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    //--- duplicates
    #[test]
    fn rejects_duplicate_keys_at_top_level() {
        assert!(parse(br#"{"a":1,"a":2}"#, 8).unwrap_err().contains("duplicate key `a`"));
    }

    #[test]
    fn rejects_duplicate_keys_deep_inside() {
        let e = parse(br#"{"x":[{"y":{"b":1,"c":{"k":1,"k":1}}}]}"#, 8).unwrap_err();
        assert!(e.contains("duplicate key `k`"), "{e}");
    }

    #[test]
    fn rejects_escaped_duplicate_keys() {
        assert!(parse(br#"{"a":1,"\u0061":2}"#, 8).is_err());
    }

    //--- limits and trailing bytes
    #[test]
    fn rejects_nesting_over_the_limit() {
        assert!(parse(b"[[[[1]]]]", 3).is_err());
        assert!(parse(b"[[[[1]]]]", 4).is_ok());
    }

    #[test]
    fn rejects_trailing_bytes() {
        assert!(parse(b"{} {}", 8).is_err());
        assert!(parse(b"{} \n", 8).is_ok());
    }
}
