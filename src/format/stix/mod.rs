//! STIX 2.1 on top of [`json`](crate::format::json): a typed view of a bundle, checked against the
//! specification's MUST rules.
//!
//! [`parse_bundle`] parses the JSON, then checks the bundle and every object in it: type names,
//! identifiers, timestamps, the common and type-specific properties of every type STIX 2.1
//! defines ([`types`]), markings, granular-marking selectors, extensions, references, and
//! indicator patterns (`pattern_type` `stix`, by the [`pattern`] grammar). Objects of types it
//! does not know are kept as [`ObjectClass::Unknown`] so the policy can name and refuse them;
//! custom `x-` types and `x_` properties and extension-defined types and properties are kept
//! distinguishable for the same reason.
//!
//! Every error names the rule, the JSON pointer of the offending value, and its byte offset.
//!
//! ```
//! use sekisho::{Limits, format::stix};
//! let input = br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
//!   {"type":"identity","spec_version":"2.1","id":"identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
//!    "created":"2015-12-21T19:59:11.000Z","modified":"2015-12-21T19:59:11.000Z","name":"ACME"}]}"#;
//! let bundle = stix::parse_bundle(input, &Limits::default()).unwrap();
//! assert_eq!(bundle.objects[0].type_name, "identity");
//! ```

pub mod grammar;
mod iana;
pub mod markings;
pub mod pattern;
pub mod types;

use std::collections::HashMap;

use crate::error::ParseError;
use crate::format::json::{self, Object, Step, Value};
use crate::limits::Limits;
use crate::parallel::Parallel;

pub use grammar::{SelectorStep, Timestamp};
pub use types::ObjectClass;

/// A bundle (STIX 2.1 §8): its id, its objects, and any other member it had.
#[derive(Debug, Clone)]
pub struct Bundle<'a> {
    pub id: String,
    pub objects: Vec<StixObject<'a>>,
    /// Members of the bundle besides `type`, `id` and `objects` (custom `x_` properties, and the
    /// STIX 2.0 `spec_version` that producers still write).
    pub extra: Object<'a>,
}

/// One object of a bundle: what the checks learned, and the JSON it was checked on.
#[derive(Debug, Clone)]
pub struct StixObject<'a> {
    pub type_name: String,
    pub id: String,
    pub class: ObjectClass,
    /// The parsed `pattern` of an indicator whose `pattern_type` is `stix`.
    pub pattern: Option<pattern::Pattern>,
    /// The parsed `granular_markings`.
    pub granular_markings: Vec<GranularMarking>,
    /// Extension definitions this object uses as toplevel-property extensions: properties it has
    /// that no table defines are theirs.
    pub toplevel_extensions: Vec<String>,
    pub json: Object<'a>,
}

/// A granular marking (§7.2.3): a marking or a language applied to the selected properties.
#[derive(Debug, Clone, PartialEq)]
pub struct GranularMarking {
    pub selectors: Vec<Vec<SelectorStep>>,
    pub marking: GranularTarget,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GranularTarget {
    MarkingRef(String),
    Lang(String),
}

/// Where a property of an object comes from, so a policy can strip what it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PropertyKind {
    /// A common property of the object's class.
    Common,
    /// A property the specification defines for this type.
    Specific,
    /// A property added by a toplevel-property extension the object names.
    Extension,
    /// Anything else: a custom property (`x_…` or otherwise unknown).
    Custom,
}

/// Parse and check a STIX 2.1 bundle.
pub fn parse_bundle<'a>(input: &'a [u8], limits: &Limits) -> Result<Bundle<'a>, ParseError> {
    parse_bundle_on(input, limits, Parallel::default())
}

/// [`parse_bundle`], the objects of a large bundle checked on several threads
/// ([`crate::parallel`]); the same bundle, or the same first error.
pub fn parse_bundle_on<'a>(input: &'a [u8], limits: &Limits, parallel: Parallel) -> Result<Bundle<'a>, ParseError> {
    let value = json::parse(input, limits)?;
    bundle(value, limits, parallel).map_err(|e| {
        let offset = json::locate(input, &e.path, limits).unwrap_or(0);
        let mut err = ParseError::new(offset, e.rule, e.detail);
        err.pointer = Some(json::pointer(&e.path));
        err
    })
}

/// A rule of this module that failed, at a path in the JSON.
#[derive(Debug)]
struct StixError {
    path: Vec<Step>,
    rule: &'static str,
    detail: String,
}

type Checked<T> = Result<T, StixError>;

/// The path being checked, to say where an error is, and what an object's checks need to know
/// of their context.
#[derive(Default)]
struct Here(Vec<Step>, Context);

/// The context of the object being checked.
#[derive(Default, Clone)]
struct Context {
    /// The type of the object whose properties are checked (for its predefined extensions).
    object_type: String,
    /// Inside `observed-data.objects` (§4.13, deprecated): the dictionary's keys, which the
    /// embedded objects' `_ref`s name instead of identifiers.
    local_refs: Option<Vec<String>>,
}

impl Here {
    fn err<T>(&self, rule: &'static str, detail: impl Into<String>) -> Checked<T> {
        Err(StixError {
            path: self.0.clone(),
            rule,
            detail: detail.into(),
        })
    }
    fn key<T>(&mut self, k: &str, f: impl FnOnce(&mut Here) -> Checked<T>) -> Checked<T> {
        self.0.push(Step::Key(k.to_string()));
        let r = f(self);
        self.0.pop();
        r
    }
    fn index<T>(&mut self, n: usize, f: impl FnOnce(&mut Here) -> Checked<T>) -> Checked<T> {
        self.0.push(Step::Index(n));
        let r = f(self);
        self.0.pop();
        r
    }
}

// ---------------------------------------------------------------------------------------------
// §8 bundle
// ---------------------------------------------------------------------------------------------

/// Each of a bundle's `objects` checked ([`stix_object`], at `/objects/n`), in order: all at once
/// here, or in contiguous runs on several threads for a large bundle (each object is checked on
/// its own, so the results are the same).
fn check_objects<'a>(objects: Vec<Value<'a>>, limits: &Limits, parallel: Parallel) -> Vec<Checked<StixObject<'a>>> {
    let one = |start: usize, run: Vec<Value<'a>>| -> Vec<Checked<StixObject<'a>>> {
        let mut here = Here::default();
        here.0.push(Step::Key("objects".to_string()));
        run.into_iter()
            .zip(start..)
            .map(|(o, n)| here.index(n, |h| stix_object(h, o, limits)))
            .collect()
    };
    let chunks = parallel.chunks_for(objects.len());
    if chunks <= 1 {
        return one(0, objects);
    }
    let len = crate::parallel::chunk_len(objects.len(), chunks);
    let jobs: Vec<(usize, Vec<Value<'a>>)> = crate::parallel::split(objects, len)
        .into_iter()
        .zip((0..).step_by(len))
        .map(|(run, start)| (start, run))
        .collect();
    crate::parallel::run(jobs, |(start, run)| one(start, run))
        .into_iter()
        .flatten()
        .collect()
}

/// STIX 2.1 §8: `type` "bundle", `id` a bundle identifier, `objects` a list of objects.
fn bundle<'a>(value: Value<'a>, limits: &Limits, parallel: Parallel) -> Checked<Bundle<'a>> {
    let mut here = Here::default();
    let Value::Object(mut members) = value else {
        return here.err(
            "bundle",
            format!("a bundle must be a JSON object, not {}", value.kind()),
        );
    };
    here.key("type", |h| match members.get("type").and_then(Value::as_str) {
        Some("bundle") => Ok(()),
        Some(other) => h.err("bundle", format!("`type` must be `bundle`, not `{other}`")),
        None => h.err("bundle", "`type` is required and must be the string `bundle`"),
    })?;
    let id = here.key("id", |h| {
        let id = identifier_of(h, members.get("id"), &["bundle"])?;
        Ok(id.to_string())
    })?;
    let objects = match members.remove("objects") {
        // §2.8 (and the schema's `minItems`): a list MUST NOT be empty.
        Some(Value::Array(objects)) if objects.is_empty() => {
            return here.key("objects", |h| h.err("empty-list", "`objects` must not be empty"));
        }
        Some(Value::Array(objects)) => objects,
        Some(other) => {
            return here.key("objects", |h| {
                h.err("bundle", format!("`objects` must be a list, not {}", other.kind()))
            });
        }
        // §8: `objects` is optional; a bundle without objects carries nothing.
        None => Vec::new(),
    };
    members.remove("type");
    members.remove("id");
    for (k, v) in members.iter() {
        here.key(k, |h| match (k, v) {
            ("spec_version", Value::String(s)) if s == "2.1" => Ok(()),
            ("spec_version", _) => h.err(
                "bundle",
                "a STIX 2.1 bundle's `spec_version`, if present, must be `2.1`",
            ),
            // §3.1: a custom property of the bundle, by the property-name rules.
            _ => {
                custom_property_name(h, k)?;
                custom_value(h, k, v)
            }
        })?;
    }
    let mut out: Vec<StixObject<'a>> = Vec::with_capacity(objects.len());
    let mut versions: HashMap<(String, Option<String>), usize> = HashMap::new();
    let checked = check_objects(objects, limits, parallel);
    here.key("objects", |h| {
        for (n, object) in checked.into_iter().enumerate() {
            let object = object?;
            let version = (
                object.id.clone(),
                object.json.get("modified").and_then(Value::as_str).map(str::to_string),
            );
            match versions.get(&version).and_then(|&at| out.get(at)) {
                // The same object repeated verbatim (same members and values): it says nothing
                // new, so it is kept once (README, "STIX strictness").
                Some(first) if first.json == object.json => continue,
                // Two different objects under one id and version: which is authoritative is
                // undefined (§3.2 says a version is identified by `id` and `modified`).
                Some(_) => {
                    return h.index(n, |h| {
                        h.err(
                            "bundle",
                            format!(
                                "object `{}` appears twice with the same `modified` and different content",
                                object.id
                            ),
                        )
                    });
                }
                None => {
                    versions.insert(version, out.len());
                    out.push(object);
                }
            }
        }
        Ok(())
    })?;
    Ok(Bundle {
        id,
        objects: out,
        extra: members,
    })
}

impl<'a> Bundle<'a> {
    /// The bundle as a JSON value, rebuilt from the model.
    pub fn to_value(&self) -> Value<'a> {
        let mut o = self.extra.clone();
        o.insert("type", Value::from("bundle"));
        o.insert("id", Value::from(self.id.clone()));
        // §8: `objects` is one or more objects, or absent.
        if !self.objects.is_empty() {
            o.insert(
                "objects",
                Value::Array(self.objects.iter().map(|x| Value::Object(x.json.clone())).collect()),
            );
        }
        Value::Object(o)
    }

    /// The bundle rendered canonically (RFC 8785).
    pub fn render(&self) -> Vec<u8> {
        self.render_on(Parallel::default())
    }

    /// [`Bundle::render`], the objects of a large bundle rendered on several threads
    /// ([`crate::parallel`]) and joined in order: the same bytes.
    pub fn render_on(&self, parallel: Parallel) -> Vec<u8> {
        if !self.extra.is_empty() || self.objects.is_empty() {
            return json::render(&self.to_value());
        }
        let objects = |run: &[StixObject<'_>], out: &mut Vec<u8>| {
            for (n, o) in run.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                json::render_object_into(&o.json, out);
            }
        };
        // The members in RFC 8785 order (`id` < `objects` < `type`), without copying the objects.
        let mut out = Vec::with_capacity(self.objects.len().saturating_mul(1024));
        out.extend_from_slice(b"{\"id\":");
        json::render_string(&self.id, &mut out);
        out.extend_from_slice(b",\"objects\":[");
        let chunks = parallel.chunks_for(self.objects.len());
        if chunks <= 1 {
            objects(&self.objects, &mut out);
        } else {
            let len = crate::parallel::chunk_len(self.objects.len(), chunks);
            let runs: Vec<&[StixObject<'_>]> = self.objects.chunks(len).collect();
            let parts = crate::parallel::run(runs, |run| {
                let mut part = Vec::with_capacity(run.len().saturating_mul(1024));
                objects(run, &mut part);
                part
            });
            for (n, part) in parts.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(part);
            }
        }
        out.extend_from_slice(b"],\"type\":\"bundle\"}");
        out
    }
}

// ---------------------------------------------------------------------------------------------
// §3 common properties, §4–§7 objects
// ---------------------------------------------------------------------------------------------

/// One object: type, id, then each property by its table, then the type's own rules.
fn stix_object<'a>(here: &mut Here, value: Value<'a>, limits: &Limits) -> Checked<StixObject<'a>> {
    let Value::Object(json) = value else {
        return here.err(
            "object",
            format!("an object in `objects` must be a JSON object, not {}", value.kind()),
        );
    };
    let type_name = here.key("type", |h| match json.get("type") {
        Some(Value::String(t)) => {
            grammar::whole_type_name(t).map_err(|e| StixError {
                path: h.0.clone(),
                rule: "type-name",
                detail: format!("`{t}` is not a valid type name: {e}"),
            })?;
            Ok(t.to_string())
        }
        Some(_) => h.err("type-name", "`type` must be a string"),
        None => h.err("required-property", "every object needs `type`"),
    })?;
    if types::RESERVED_TYPES.contains(&type_name.as_str()) {
        return here.key("type", |h| {
            h.err(
                "reserved-name",
                format!("`{type_name}` is a type name STIX 2.1 reserves"),
            )
        });
    }
    here.1.object_type.clone_from(&type_name);
    // §3.1, §2.8: every member, defined or custom, at any depth: no `null`, no empty list;
    // the reserved property names nowhere at the top.
    for (k, v) in json.iter() {
        here.key(k, |h| {
            if types::RESERVED_PROPERTIES.contains(&k) {
                return h.err("reserved-name", format!("`{k}` is a property name STIX 2.1 reserves"));
            }
            present_values(h, v)
        })?;
    }
    let id = here.key("id", |h| match json.get("id") {
        // §4.13: an object inside the deprecated `observed-data.objects` has no id.
        None if h.1.local_refs.is_some() => Ok(String::new()),
        None => h.err("required-property", "every object needs `id`"),
        v => Ok(identifier_of(h, v, &[type_name.as_str()])?.to_string()),
    })?;
    let toplevel_extensions = toplevel_extensions(&json);
    let def = types::lookup(&type_name);
    let class = match def {
        Some(d) => d.class,
        None if type_name.starts_with("x-") => ObjectClass::Custom,
        None if defines_new_type(&json) => ObjectClass::Extension,
        None => ObjectClass::Unknown,
    };
    let mut object = StixObject {
        type_name,
        id,
        class,
        pattern: None,
        granular_markings: Vec::new(),
        toplevel_extensions,
        json,
    };
    match def {
        Some(def) => {
            let (common, specific) = (types::common(def), def.props);
            for p in common.iter().chain(specific) {
                let embedded = here.1.local_refs.is_some() && matches!(p.name, "id" | "spec_version");
                if p.required && !embedded && !object.json.contains_key(p.name) {
                    return here.err(
                        "required-property",
                        format!("{} `{}` needs `{}`", class_name(def.class), def.name, p.name),
                    );
                }
            }
            for (k, v) in object.json.iter() {
                here.key(k, |h| match common.iter().chain(specific).find(|p| p.name == k) {
                    Some(p) => property(h, p.ty, v),
                    None => custom_property(h, k, v),
                })?;
            }
        }
        None => {
            // Custom, extension-defined and unknown types: the common properties they have are
            // checked as for an SDO (§11.2), the rest as custom properties.
            for (k, v) in object.json.iter() {
                here.key(k, |h| match types::SDO_COMMON.iter().find(|p| p.name == k) {
                    Some(p) => property(h, p.ty, v),
                    None => custom_property(h, k, v),
                })?;
            }
        }
    }
    object.granular_markings = here.key("granular_markings", |h| granular_markings(h, &object.json))?;
    rules::check(here, &mut object, limits)?;
    Ok(object)
}

fn class_name(class: ObjectClass) -> &'static str {
    match class {
        ObjectClass::Sdo => "SDO",
        ObjectClass::Sro => "SRO",
        ObjectClass::Sco => "SCO",
        _ => "object",
    }
}

/// The extension-definition ids an object uses as `toplevel-property-extension`.
fn toplevel_extensions(json: &Object<'_>) -> Vec<String> {
    let Some(Value::Object(ext)) = json.get("extensions") else {
        return Vec::new();
    };
    ext.iter()
        .filter(|(_, v)| {
            v.as_object()
                .and_then(|o| o.get("extension_type"))
                .and_then(Value::as_str)
                == Some("toplevel-property-extension")
        })
        .map(|(k, _)| k.to_string())
        .collect()
}

/// Whether an object of an unknown type names an extension that defines new object types.
fn defines_new_type(json: &Object<'_>) -> bool {
    let Some(Value::Object(ext)) = json.get("extensions") else {
        return false;
    };
    ext.iter().any(|(k, v)| {
        k.starts_with("extension-definition--")
            && matches!(
                v.as_object()
                    .and_then(|o| o.get("extension_type"))
                    .and_then(Value::as_str),
                Some("new-sdo" | "new-sco" | "new-sro")
            )
    })
}

impl StixObject<'_> {
    /// Where `name`, a property of this object, comes from.
    pub fn property_kind(&self, name: &str) -> PropertyKind {
        if let Some(def) = types::lookup(&self.type_name) {
            if types::common(def).iter().any(|p| p.name == name) {
                return PropertyKind::Common;
            }
            if def.props.iter().any(|p| p.name == name) {
                return PropertyKind::Specific;
            }
        } else if types::SDO_COMMON.iter().any(|p| p.name == name) {
            return PropertyKind::Common;
        }
        if !name.starts_with("x_") && !self.toplevel_extensions.is_empty() {
            return PropertyKind::Extension;
        }
        PropertyKind::Custom
    }

    /// The ids in `object_marking_refs`.
    pub fn marking_refs(&self) -> impl Iterator<Item = &str> {
        self.json
            .get("object_marking_refs")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
    }
}

/// A property whose name no table defines: the name must be a valid custom property name
/// (§3.1). Its value is opaque custom content: STIX 2.1 makes `_ref`/`_refs` a MUST only for
/// the properties it defines, so a custom `x_…_ref` that holds no identifier is valid (ATT&CK
/// ICS 18.1 has `"x_mitre_data_source_ref": ""`). The guard never follows a custom reference:
/// custom content is stripped unless the policy names it, and even then it pulls nothing across.
fn custom_property(here: &mut Here, name: &str, v: &Value<'_>) -> Checked<()> {
    custom_property_name(here, name)?;
    custom_value(here, name, v)
}

fn custom_property_name(here: &mut Here, name: &str) -> Checked<()> {
    match grammar::whole(name, grammar::property_name) {
        Ok(_) => Ok(()),
        Err(_) => here.err(
            "property-name",
            format!(
                "`{name}` is not a valid property name (3–250 characters of a–z, 0–9 and `_`, beginning with a letter)"
            ),
        ),
    }
}

/// §3.1 and the schemas' `properties.json`: a custom property's value is a string, number,
/// boolean, object or non-empty list (never `null`); one named `…_bin` is base64 and one named
/// `…_hex` hexadecimal (§2.1, §2.5: "the property name MUST end with `_bin`/`_hex`").
fn custom_value(here: &mut Here, name: &str, v: &Value<'_>) -> Checked<()> {
    present_values(here, v)?;
    if name.ends_with("_bin") {
        return property(here, types::Ty::Binary, v);
    }
    if name.ends_with("_hex") {
        return property(here, types::Ty::Hex, v);
    }
    Ok(())
}

/// §2.8 and §3.1 (the schemas' `properties.json` and `dictionary.json`): a property, custom or
/// defined, and a dictionary value, is present with a value or absent: never `null` (at any
/// depth: JSON `null` is no STIX value) and never an empty list. Lists nested inside custom
/// content are that content's own business (ATT&CK ICS 18.1 has some empty ones).
fn present_values(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    match v {
        Value::Array(a) if a.is_empty() => here.err("empty-list", "a list must not be empty (omit it instead)"),
        _ => no_null(here, v),
    }
}

/// No `null` at any depth.
fn no_null(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    match v {
        Value::Null => here.err("null-value", "a property must not be `null` (omit it instead)"),
        Value::Array(a) => {
            for (n, e) in a.iter().enumerate() {
                here.index(n, |h| no_null(h, e))?;
            }
            Ok(())
        }
        Value::Object(o) => {
            for (k, e) in o.iter() {
                here.key(k, |h| no_null(h, e))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A sub-structure the specification defines (§6's extensions and types): required and
/// at-least-one/exactly-one properties, each defined property by its type, the others as custom
/// properties.
fn shape(here: &mut Here, shape: &types::Shape, v: &Value<'_>) -> Checked<()> {
    let Value::Object(o) = v else {
        return here.err(
            "property-type",
            format!("`{}` must be an object, found {}", shape.name, v.kind()),
        );
    };
    for p in shape.props {
        if p.required && !o.contains_key(p.name) {
            return here.err(shape.name, format!("`{}` needs `{}`", shape.name, p.name));
        }
    }
    if !shape.any_of.is_empty() && !shape.any_of.iter().any(|k| o.contains_key(k)) {
        return here.err(
            shape.name,
            format!("`{}` needs at least one of {}", shape.name, shape.any_of.join(", ")),
        );
    }
    if !shape.one_of.is_empty() && shape.one_of.iter().filter(|k| o.contains_key(k)).count() != 1 {
        return here.err(
            shape.name,
            format!("`{}` needs exactly one of {}", shape.name, shape.one_of.join(", ")),
        );
    }
    for (k, v) in o.iter() {
        here.key(k, |h| match shape.props.iter().find(|p| p.name == k) {
            Some(p) => property(h, p.ty, v),
            None => custom_property(h, k, v),
        })?;
    }
    Ok(())
}

/// §2.9 and §3.1: in any property, a `…_ref` holds an identifier and a `…_refs` a list of them,
/// also inside nested objects.
fn references(here: &mut Here, name: &str, v: &Value<'_>) -> Checked<()> {
    if name.ends_with("_ref") {
        return property(here, types::Ty::Id(&[]), v);
    }
    if name.ends_with("_refs") {
        return property(here, types::Ty::IdList(&[]), v);
    }
    match v {
        Value::Object(o) => {
            for (k, v) in o.iter() {
                here.key(k, |h| references(h, k, v))?;
            }
            Ok(())
        }
        Value::Array(a) => {
            for (n, v) in a.iter().enumerate() {
                here.index(n, |h| references(h, "", v))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// §2: check a value against a property type.
fn property(here: &mut Here, ty: types::Ty, v: &Value<'_>) -> Checked<()> {
    use types::Ty;
    match ty {
        Ty::String => string(here, v).map(drop),
        Ty::Boolean => match v {
            Value::Bool(_) => Ok(()),
            _ => here.err("property-type", format!("expected a boolean, found {}", v.kind())),
        },
        Ty::Integer(min, max) => {
            let n = v.as_number().and_then(|n| n.as_i64());
            // §2.5: every integer fits in 54 signed bits, whatever the property's own range.
            let (min, max) = (min.max(types::INT_MIN), max.min(types::INT_MAX));
            match n {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                Some(n) => here.err("property-range", format!("{n} is outside {min}..={max}")),
                None => here.err("property-type", format!("expected an integer, found {}", shown(v))),
            }
        }
        Ty::Float(min, max) => match v.as_number().map(json::Number::as_f64) {
            Some(f) if f >= min && f <= max => Ok(()),
            Some(f) => here.err("property-range", format!("{f} is outside {min}..={max}")),
            None => here.err("property-type", format!("expected a number, found {}", v.kind())),
        },
        Ty::Timestamp => timestamp(here, v).map(drop),
        Ty::TimestampMillis => {
            let t = timestamp(here, v)?;
            if t.digits < 3 {
                return here.err(
                    "timestamp-precision",
                    "this timestamp must be precise to the millisecond (`.sss`)",
                );
            }
            Ok(())
        }
        Ty::Id(types) => identifier_of(here, Some(v), types).map(drop),
        Ty::IdList(types) => {
            let list = non_empty_list(here, v)?;
            for (n, e) in list.iter().enumerate() {
                here.index(n, |h| identifier_of(h, Some(e), types).map(drop))?;
            }
            Ok(())
        }
        Ty::StringList => {
            let list = non_empty_list(here, v)?;
            for (n, e) in list.iter().enumerate() {
                here.index(n, |h| string(h, e).map(drop))?;
            }
            Ok(())
        }
        Ty::Enum(allowed) => {
            let s = string(here, v)?;
            if allowed.contains(&s) {
                Ok(())
            } else {
                here.err("vocabulary", format!("`{s}` is not one of {}", allowed.join(", ")))
            }
        }
        Ty::EnumList(allowed) => {
            let list = non_empty_list(here, v)?;
            for (n, e) in list.iter().enumerate() {
                here.index(n, |h| property(h, Ty::Enum(allowed), e))?;
            }
            Ok(())
        }
        Ty::Hashes => hashes(here, v),
        Ty::Dictionary => dictionary(here, v).map(drop),
        Ty::KillChainPhases => kill_chain_phases(here, v),
        Ty::ExternalReferences => external_references(here, v),
        // Checked with the object, where the selectors can be resolved.
        Ty::GranularMarkings => non_empty_list(here, v).map(drop),
        Ty::Extensions => extensions(here, v),
        Ty::Lang => {
            let s = string(here, v)?;
            grammar::whole(s, grammar::language_tag)
                .map(drop)
                .or_else(|_| here.err("lang", format!("`{s}` is not an RFC 5646 language tag")))
        }
        Ty::Binary => {
            let s = string(here, v)?;
            if is_base64(s) {
                Ok(())
            } else {
                here.err("binary", "not valid base64 (RFC 4648 §4)")
            }
        }
        Ty::Hex => {
            let s = string(here, v)?;
            if s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else {
                here.err("hex", "not an even number of hexadecimal digits")
            }
        }
        Ty::ObjectList => {
            let list = non_empty_list(here, v)?;
            for (n, e) in list.iter().enumerate() {
                here.index(n, |h| match e {
                    Value::Object(o) => {
                        for (k, v) in o.iter() {
                            h.key(k, |h| references(h, k, v))?;
                        }
                        Ok(())
                    }
                    _ => h.err("property-type", format!("expected an object, found {}", e.kind())),
                })?;
            }
            Ok(())
        }
        Ty::Object => match v {
            Value::Object(o) => {
                for (k, v) in o.iter() {
                    here.key(k, |h| references(h, k, v))?;
                }
                Ok(())
            }
            _ => here.err("property-type", format!("expected an object, found {}", v.kind())),
        },
        Ty::Struct(s) => shape(here, s, v),
        Ty::StructList(s) => {
            let list = non_empty_list(here, v)?;
            for (n, e) in list.iter().enumerate() {
                here.index(n, |h| shape(h, s, e))?;
            }
            Ok(())
        }
        Ty::EmbeddedObjects => match v {
            Value::Object(o) if o.is_empty() => here.err("dictionary", "`objects` must not be empty"),
            Value::Object(_) => Ok(()),
            _ => here.err("property-type", format!("expected a dictionary, found {}", v.kind())),
        },
        Ty::StringDictionary => {
            let o = dictionary(here, v)?;
            for (k, v) in o.iter() {
                here.key(k, |h| string(h, v).map(drop))?;
            }
            Ok(())
        }
    }
}

fn shown(v: &Value<'_>) -> String {
    match v {
        Value::Number(n) => format!("`{}`", n.as_str()),
        _ => v.kind().to_string(),
    }
}

fn string<'v>(here: &mut Here, v: &'v Value<'_>) -> Checked<&'v str> {
    match v {
        Value::String(s) => Ok(s),
        _ => here.err("property-type", format!("expected a string, found {}", v.kind())),
    }
}

/// §2.8: lists MUST NOT be empty.
fn non_empty_list<'v, 'a>(here: &mut Here, v: &'v Value<'a>) -> Checked<&'v [Value<'a>]> {
    match v {
        Value::Array(a) if a.is_empty() => here.err("empty-list", "a list property must not be empty"),
        Value::Array(a) => Ok(a),
        _ => here.err("property-type", format!("expected a list, found {}", v.kind())),
    }
}

fn timestamp(here: &mut Here, v: &Value<'_>) -> Checked<Timestamp> {
    let s = string(here, v)?;
    grammar::whole_timestamp(s).map_err(|e| StixError {
        path: here.0.clone(),
        rule: "timestamp",
        detail: format!("`{s}` is not a STIX timestamp (YYYY-MM-DDTHH:mm:ss[.s+]Z): {e}"),
    })
}

/// §2.9: an identifier, of one of `types` when that is not empty.
fn identifier_of<'v>(here: &mut Here, v: Option<&'v Value<'_>>, types: &[&str]) -> Checked<&'v str> {
    let Some(Value::String(s)) = v else {
        return here.err("identifier", "expected an identifier string");
    };
    // §4.13: inside `observed-data.objects`, references name the dictionary's keys.
    if let Some(keys) = &here.1.local_refs
        && keys.iter().any(|k| k == s)
    {
        return Ok(s);
    }
    let (t, _) = grammar::whole_identifier(s).map_err(|e| StixError {
        path: here.0.clone(),
        rule: "identifier",
        detail: format!("`{s}` is not a STIX identifier (type--UUID): {e}"),
    })?;
    if !types.is_empty() && !types.contains(&t) {
        return here.err("identifier", format!("`{s}` must refer to {}", types.join(" or ")));
    }
    Ok(s)
}

/// §2.7: dictionary keys are 1–250 ASCII letters, digits, `_` and `-`.
fn dictionary<'v, 'a>(here: &mut Here, v: &'v Value<'a>) -> Checked<&'v Object<'a>> {
    let Value::Object(o) = v else {
        return here.err("property-type", format!("expected a dictionary, found {}", v.kind()));
    };
    if o.is_empty() {
        return here.err("dictionary", "a dictionary must not be empty");
    }
    for (k, v) in o.iter() {
        here.key(k, |h| {
            let ok = !k.is_empty()
                && k.len() <= 250
                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return h.err("dictionary", format!("`{k}` is not a valid dictionary key"));
            }
            present_values(h, v)?;
            references(h, k, v)
        })?;
    }
    Ok(o)
}

/// §2.7: a hashes dictionary: keys of 3–250 `a-zA-Z0-9_-`, string values; the algorithms of the
/// hashing-algorithm-ov have values of their form (the schema's `hashes-type.json`).
fn hashes(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    let o = dictionary(here, v)?;
    for (k, v) in o.iter() {
        here.key(k, |h| {
            if !grammar::hash_key(k) {
                return h.err("hashes", format!("`{k}` is not a hash name (3–250 of a–z A–Z 0–9 _ -)"));
            }
            let s = string(h, v)?;
            let ok = match k {
                "SSDEEP" => grammar::ssdeep(s),
                "TLSH" => grammar::tlsh(s),
                _ => match types::HASH_LENGTHS.iter().find(|(name, _)| *name == k) {
                    Some((_, len)) => s.len() == *len && s.bytes().all(|b| b.is_ascii_hexdigit()),
                    None => true,
                },
            };
            if ok {
                Ok(())
            } else {
                h.err("hashes", format!("not a {k} value of its form"))
            }
        })?;
    }
    Ok(())
}

/// §2.10: kill chain phases, each with `kill_chain_name` and `phase_name`.
fn kill_chain_phases(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    let list = non_empty_list(here, v)?;
    for (n, e) in list.iter().enumerate() {
        here.index(n, |h| {
            let Value::Object(o) = e else {
                return h.err("kill-chain-phase", "a kill chain phase must be an object");
            };
            for (k, v) in o.iter() {
                h.key(k, |h| match k {
                    "kill_chain_name" | "phase_name" => string(h, v).map(drop),
                    _ => custom_property(h, k, v),
                })?;
            }
            for k in ["kill_chain_name", "phase_name"] {
                if !o.contains_key(k) {
                    return h.err("kill-chain-phase", format!("a kill chain phase needs `{k}`"));
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// §2.5: external references: `source_name`, and at least one of `description`, `url`,
/// `external_id`; `capec` and `cve` sources carry ids of their form.
fn external_references(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    let list = non_empty_list(here, v)?;
    for (n, e) in list.iter().enumerate() {
        here.index(n, |h| {
            let Value::Object(o) = e else {
                return h.err("external-reference", "an external reference must be an object");
            };
            for (k, v) in o.iter() {
                h.key(k, |h| match k {
                    "source_name" | "description" | "url" | "external_id" => string(h, v).map(drop),
                    "hashes" => hashes(h, v),
                    _ => custom_property(h, k, v),
                })?;
            }
            let Some(source) = o.get("source_name").and_then(Value::as_str) else {
                return h.err("external-reference", "an external reference needs `source_name`");
            };
            if !["description", "url", "external_id"].iter().any(|k| o.contains_key(k)) {
                return h.err(
                    "external-reference",
                    "an external reference needs at least one of `description`, `url`, `external_id`",
                );
            }
            let id = o.get("external_id").and_then(Value::as_str);
            let well_formed = match source {
                "capec" => id.is_some_and(|i| i.strip_prefix("CAPEC-").is_some_and(all_digits)),
                "cve" => id.is_some_and(|i| {
                    i.strip_prefix("CVE-")
                        .and_then(|r| r.split_once('-'))
                        .is_some_and(|(y, n)| y.len() == 4 && all_digits(y) && n.len() >= 4 && all_digits(n))
                }),
                _ => true,
            };
            if !well_formed {
                return h.key("external_id", |h| {
                    h.err(
                        "external-reference",
                        format!("a `{source}` reference needs an external_id of its form"),
                    )
                });
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    b.len().is_multiple_of(4)
        && pad <= 2
        && b.iter()
            .take(b.len() - pad)
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// §7.3 and §6: `extensions` keys are extension-definition ids (whose value says its
/// `extension_type`) or SCO extension names ending in `-ext`; a predefined extension on the type
/// that defines it has that structure (§6, each SCO's "Extensions"), any other is an object of
/// custom properties.
fn extensions(here: &mut Here, v: &Value<'_>) -> Checked<()> {
    let o = match v {
        Value::Object(o) if !o.is_empty() => o,
        Value::Object(_) => return here.err("extensions", "`extensions` must not be empty"),
        _ => return here.err("property-type", format!("expected an object, found {}", v.kind())),
    };
    for (k, v) in o.iter() {
        here.key(k, |h| {
            let Value::Object(ext) = v else {
                return h.err("extensions", "an extension must be an object");
            };
            if ext.is_empty() {
                return h.err("extensions", "an extension must not be empty");
            }
            if k.starts_with("extension-definition--") {
                identifier_of(h, Some(&Value::from(k)), &["extension-definition"])?;
                const EXTENSION_TYPES: types::Ty = types::Ty::Enum(&[
                    "new-sdo",
                    "new-sco",
                    "new-sro",
                    "property-extension",
                    "toplevel-property-extension",
                ]);
                match ext.get("extension_type") {
                    Some(t) => h.key("extension_type", |h| property(h, EXTENSION_TYPES, t))?,
                    None => return h.err("extensions", "an extension-definition extension needs `extension_type`"),
                }
                for (k, v) in ext.iter() {
                    if k != "extension_type" {
                        h.key(k, |h| {
                            custom_property_name(h, k)?;
                            references(h, k, v)
                        })?;
                    }
                }
                return Ok(());
            }
            // §3.2 `extensions`: keys are extension-definition ids or the names of predefined
            // extensions; marking definitions have none (the schema allows only ids there).
            if !grammar::extension_name(k) || h.1.object_type == "marking-definition" {
                return h.err(
                    "extensions",
                    format!("`{k}` is neither an extension-definition id nor an extension name ending in `-ext`"),
                );
            }
            match types::predefined_extension(k, &h.1.object_type) {
                Some(s) => shape(h, s, v),
                None => {
                    for (k, v) in ext.iter() {
                        h.key(k, |h| custom_property(h, k, v))?;
                    }
                    Ok(())
                }
            }
        })?;
    }
    Ok(())
}

/// §7.2.3: granular markings: non-empty `selectors` that resolve in the object, and exactly one of
/// `marking_ref` and `lang`.
fn granular_markings(here: &mut Here, json: &Object<'_>) -> Checked<Vec<GranularMarking>> {
    let Some(v) = json.get("granular_markings") else {
        return Ok(Vec::new());
    };
    let list = non_empty_list(here, v)?;
    let mut out = Vec::with_capacity(list.len());
    for (n, e) in list.iter().enumerate() {
        out.push(here.index(n, |h| {
            let Value::Object(g) = e else {
                return h.err("granular-marking", "a granular marking must be an object");
            };
            for (k, v) in g.iter() {
                h.key(k, |h| match k {
                    "selectors" | "marking_ref" | "lang" => Ok(()),
                    _ => custom_property(h, k, v),
                })?;
            }
            let marking = match (g.get("marking_ref"), g.get("lang")) {
                (Some(m), None) => h.key("marking_ref", |h| {
                    identifier_of(h, Some(m), &["marking-definition"])
                        .map(|s| GranularTarget::MarkingRef(s.to_string()))
                })?,
                (None, Some(l)) => h.key("lang", |h| {
                    property(h, types::Ty::Lang, l)?;
                    Ok(GranularTarget::Lang(l.as_str().unwrap_or_default().to_string()))
                })?,
                _ => {
                    return h.err(
                        "granular-marking",
                        "a granular marking needs exactly one of `marking_ref` and `lang`",
                    );
                }
            };
            let selectors = h.key("selectors", |h| {
                let Some(v) = g.get("selectors") else {
                    return h.err("granular-marking", "a granular marking needs `selectors`");
                };
                let list = non_empty_list(h, v)?;
                let mut selectors = Vec::with_capacity(list.len());
                for (n, s) in list.iter().enumerate() {
                    selectors.push(h.index(n, |h| {
                        let text = string(h, s)?;
                        let steps = grammar::whole(text, grammar::selector).map_err(|e| StixError {
                            path: h.0.clone(),
                            rule: "selector",
                            detail: format!("`{text}` is not a selector: {e}"),
                        })?;
                        if resolve(json, &steps).is_none() {
                            return h.err(
                                "selector",
                                format!("selector `{text}` points at nothing in this object"),
                            );
                        }
                        Ok(steps)
                    })?);
                }
                Ok(selectors)
            })?;
            Ok(GranularMarking { selectors, marking })
        })?);
    }
    Ok(out)
}

/// Check a changed object again by every rule of this module; the error says what is wrong.
pub(crate) fn recheck(o: &StixObject<'_>, limits: &Limits) -> Result<(), String> {
    stix_object(&mut Here::default(), Value::Object(o.json.clone()), limits)
        .map(drop)
        .map_err(|e| format!("{} at {}: {}", e.rule, json::pointer(&e.path), e.detail))
}

/// The value a selector points at in an object, if any.
pub fn resolve<'v, 'a>(json: &'v Object<'a>, steps: &[SelectorStep]) -> Option<&'v Value<'a>> {
    let (first, rest) = steps.split_first()?;
    let SelectorStep::Property(p) = first else {
        return None;
    };
    let mut v = json.get(p)?;
    for step in rest {
        v = match (step, v) {
            (SelectorStep::Property(p), Value::Object(o)) => o.get(p)?,
            (SelectorStep::Index(n), Value::Array(a)) => a.get(*n)?,
            _ => return None,
        };
    }
    Some(v)
}

mod rules;

#[cfg(test)]
mod tests;
