//! The verifier's JSON reader: `serde_json`, not the guard's nom grammar, with what `serde_json`
//! lacks added — duplicate keys are an error at any depth (it keeps the last one silently), and
//! nesting is bounded by the caller's depth (on top of `serde_json`'s own recursion limit).

use std::borrow::Cow;
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

/// A JSON object: its members sorted by name, each name once (56 bytes a member; a B-tree took
/// a node of eleven members' room for every object, however small).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Object<'a> {
    /// The members of `members` sorted by name; `Err` names a name that is there twice.
    pub fn new(mut members: Vec<(Cow<'a, str>, Json<'a>)>) -> Result<Object<'a>, String> {
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let mut pairs = members.iter().zip(members.iter().skip(1));
        if let Some((a, _)) = pairs.find(|(a, b)| a.0 == b.0) {
            return Err(format!("duplicate key `{}`", a.0));
        }
        members.shrink_to_fit();
        Ok(Object { members })
    }
    fn find(&self, k: &str) -> Option<usize> {
        self.members.binary_search_by(|(m, _)| m.as_ref().cmp(k)).ok()
    }
    pub fn get(&self, k: &str) -> Option<&Json<'a>> {
        self.find(k).and_then(|i| self.members.get(i)).map(|(_, v)| v)
    }
    pub fn contains_key(&self, k: &str) -> bool {
        self.find(k).is_some()
    }
    pub fn len(&self) -> usize {
        self.members.len()
    }
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    /// The members in the order of their names.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Cow<'a, str>, &Json<'a>)> + '_ {
        self.members.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Cow<'a, str>> + '_ {
        self.members.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Json<'a>> + '_ {
        self.members.iter().map(|(_, v)| v)
    }
}

impl<'o, 'a> IntoIterator for &'o Object<'a> {
    type Item = (&'o Cow<'a, str>, &'o Json<'a>);
    type IntoIter = std::iter::Map<std::slice::Iter<'o, (Cow<'a, str>, Json<'a>)>, Pair<'o, 'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.iter().map(pair)
    }
}

type Pair<'o, 'a> = fn(&'o (Cow<'a, str>, Json<'a>)) -> (&'o Cow<'a, str>, &'o Json<'a>);

fn pair<'o, 'a>(p: &'o (Cow<'a, str>, Json<'a>)) -> (&'o Cow<'a, str>, &'o Json<'a>) {
    (&p.0, &p.1)
}

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

/// One value met by a [`Walk`]: the member name it is under (for a list's items, the name the
/// list is under), whether it is an item of a list, its depth (the members of the object walked
/// are at 0), and the value.
pub struct Step<'o, 'a> {
    pub key: &'o str,
    pub in_list: bool,
    pub depth: usize,
    pub value: &'o Json<'a>,
}

/// Every value below an object, each before what it holds, the members and items of one value
/// last first (the order of a stack of every value: this one holds a frame a level, not a value
/// a member).
pub struct Walk<'o, 'a> {
    stack: Vec<Frame<'o, 'a>>,
    /// Whether the last value met pushed the frame of what it holds.
    pushed: bool,
}

enum Frame<'o, 'a> {
    Members(usize, std::slice::Iter<'o, (Cow<'a, str>, Json<'a>)>),
    Items(&'o str, usize, std::slice::Iter<'o, Json<'a>>),
}

impl<'o, 'a> Walk<'o, 'a> {
    /// The members of `o` (at depth 0) and everything below them.
    pub fn members(o: &'o Object<'a>) -> Walk<'o, 'a> {
        Walk {
            stack: vec![Frame::Members(0, o.members.iter())],
            pushed: false,
        }
    }
    /// Everything below `v` (what `v` holds at depth 0), not `v`.
    pub fn below(v: &'o Json<'a>) -> Walk<'o, 'a> {
        let mut w = Walk {
            stack: Vec::new(),
            pushed: false,
        };
        w.push("", 0, v);
        w
    }
    fn push(&mut self, key: &'o str, depth: usize, v: &'o Json<'a>) {
        self.pushed = match v {
            Json::Object(m) => {
                self.stack.push(Frame::Members(depth, m.members.iter()));
                true
            }
            Json::Array(a) => {
                self.stack.push(Frame::Items(key, depth, a.iter()));
                true
            }
            _ => false,
        };
    }
    /// Do not go below the value last met.
    pub fn skip_below(&mut self) {
        if self.pushed {
            self.stack.pop();
            self.pushed = false;
        }
    }
}

impl<'o, 'a> Iterator for Walk<'o, 'a> {
    type Item = Step<'o, 'a>;
    fn next(&mut self) -> Option<Step<'o, 'a>> {
        loop {
            let step = match self.stack.last_mut()? {
                Frame::Members(depth, it) => it.next_back().map(|(k, v)| Step {
                    key: k.as_ref(),
                    in_list: false,
                    depth: *depth,
                    value: v,
                }),
                Frame::Items(key, depth, it) => it.next_back().map(|v| Step {
                    key,
                    in_list: true,
                    depth: *depth,
                    value: v,
                }),
            };
            match step {
                Some(s) => {
                    self.push(s.key, s.depth.saturating_add(1), s.value);
                    return Some(s);
                }
                None => {
                    self.stack.pop();
                }
            }
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
        out.shrink_to_fit();
        Ok(Json::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(Name)? {
            let v = map.next_value::<Json<'de>>()?;
            out.push((k, v));
        }
        Object::new(out).map(Json::Object).map_err(de::Error::custom)
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

/// Nesting depth (a scalar is 0), without recursion (a stack as deep as the nesting).
fn depth(v: &Json<'_>) -> usize {
    Walk::below(v).map(|s| s.depth.saturating_add(1)).max().unwrap_or(0)
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
