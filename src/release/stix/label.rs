//! The label every STIX marking stands for, read exactly or not at all.
//!
//! - A reserved TLP 1.0/2.0 id means its level; if the bundle carries its definition, that
//!   definition must be exactly the published body, or every unit it marks is denied and the
//!   definition does not go (`tlp-definition`).
//! - Any text a marking carries (a statement, a definition's `name`) is read in the one normal
//!   form of [`crate::text::normalize`] ([`crate::release::marking_text`]): if that mentions a classification level, a control, `TLP`,
//!   `REL TO` or a dissemination phrase, the text as written must parse exactly as a TLP level, a
//!   banner line or a portion mark, or the unit is denied (`marking-unreadable`). A statement
//!   or `name` that states no marking goes only as free text a pattern of
//!   `stix.free_statements` matches whole, else the unit is denied (`marking-unreadable`,
//!   `marking-name`). A `name` only ever tightens: it may not add a TLP level the body does not
//!   state.
//! - The ACS 3.0 marking extension is read by its own strict schema ([`acs`]).
//! - A classified marking without its own `REL TO` releases to nobody, so combining markings (a
//!   meet) never borrows one marking's `REL TO` for another's level.
//! - Two definitions with one id reject the message; a definition with a property no
//!   marking-definition has is invalid.

use std::collections::HashMap;

use crate::format::json::{Object, Value};
use crate::format::stix::markings::{TLP_IDS, TLP2_EXTENSION, TlpMarking};
use crate::format::stix::{Bundle, StixObject};
use crate::label::{Label, Tlp};
use crate::policy::Policy;
use crate::release::free_text::{FreeText, is_free};
pub(super) use crate::release::marking_text::marking_text;

pub(super) mod acs;

/// A rule that made a label unknowable: (rule, detail).
pub(super) type LabelError = crate::release::marking_text::LabelError;

/// The label of each marking definition in the bundle, by id. The labels are in one vector and
/// the map holds their indexes: a map of whole labels reserves room for up to twice as many as
/// it holds, and moves them all each time it grows (issue 16: 59,000 definitions).
#[derive(Debug, Default)]
pub(super) struct Markings {
    index: HashMap<String, usize>,
    labels: Vec<Result<Label, LabelError>>,
}

impl Markings {
    /// The label of the definition `id`, if the bundle has one.
    pub(super) fn get(&self, id: &str) -> Option<&Result<Label, LabelError>> {
        self.labels.get(*self.index.get(id)?)
    }
}

/// The properties a marking-definition may have (STIX 2.1 §7.2.1; custom `x_` ones aside).
const DEFINITION_PROPERTIES: &[&str] = &[
    "type",
    "spec_version",
    "id",
    "created_by_ref",
    "created",
    "external_references",
    "object_marking_refs",
    "granular_markings",
    "extensions",
    "name",
    "definition_type",
    "definition",
];

/// The label each marking definition in the bundle stands for, by id; `Err` with the id of a
/// definition that appears twice (definitions are immutable: the message is rejected).
pub(super) fn marking_labels(bundle: &Bundle<'_>, policy: &Policy) -> Result<Markings, String> {
    let definitions = || bundle.objects.iter().filter(|o| o.type_name == "marking-definition");
    let n = definitions().count();
    let mut out = Markings {
        index: HashMap::with_capacity(n),
        labels: Vec::with_capacity(n),
    };
    for o in definitions() {
        let label = match TLP_IDS.iter().find(|t| t.0 == o.id) {
            Some(&(id, level, version, name, value)) => {
                if reserved_body(o, version, name, value) {
                    Ok(tlp_marking(id, level))
                } else {
                    Err((
                        "tlp-definition",
                        format!(
                            "`{id}` is reserved for TLP {version}.0 {name}, and this definition is not exactly its published body"
                        ),
                    ))
                }
            }
            None => definition_label(o, policy),
        };
        if out.index.insert(o.id.clone(), out.labels.len()).is_some() {
            return Err(o.id.clone());
        }
        out.labels.push(label);
    }
    Ok(out)
}

/// The label of a reserved TLP id.
pub(super) fn tlp_label(id: &str) -> Option<Label> {
    TLP_IDS.iter().find(|t| t.0 == id).map(|t| tlp_marking(t.0, t.1))
}

fn tlp_marking(id: &str, level: TlpMarking) -> Label {
    let tlp = match level {
        TlpMarking::Clear | TlpMarking::White => Tlp::Clear,
        TlpMarking::Green => Tlp::Green,
        TlpMarking::Amber => Tlp::Amber,
        TlpMarking::AmberStrict => Tlp::AmberStrict,
        TlpMarking::Red => Tlp::Red,
    };
    Label {
        tlp: Some(tlp),
        ..Label::default()
    }
    .said_by(id)
}

/// Whether `o` is exactly the published definition of its reserved id: TLP 1.0 (STIX 2.1
/// §7.2.1.4) or TLP 2.0 (the OASIS TLP 2.0 marking-definition extension's objects).
fn reserved_body(o: &StixObject<'_>, version: u8, name: &str, value: &str) -> bool {
    let j = &o.json;
    let s = |k: &str, want: &str| j.get(k).and_then(Value::as_str) == Some(want);
    let only = |obj: &Object<'_>, keys: &[&str]| obj.len() == keys.len() && keys.iter().all(|k| obj.contains_key(k));
    let common = s("type", "marking-definition") && s("spec_version", "2.1") && s("id", &o.id) && s("name", name);
    match version {
        1 => {
            let def = j.get("definition").and_then(Value::as_object);
            common
                && only(
                    j,
                    &[
                        "type",
                        "spec_version",
                        "id",
                        "created",
                        "definition_type",
                        "name",
                        "definition",
                    ],
                )
                && s("created", "2017-01-20T00:00:00.000Z")
                && s("definition_type", "tlp")
                && def.is_some_and(|d| only(d, &["tlp"]) && d.get("tlp").and_then(Value::as_str) == Some(value))
        }
        _ => {
            let ext = j.get("extensions").and_then(Value::as_object);
            let tlp2 = ext.and_then(|e| e.get(TLP2_EXTENSION)).and_then(Value::as_object);
            common
                && only(j, &["type", "spec_version", "id", "created", "name", "extensions"])
                && s("created", "2022-10-01T00:00:00.000Z")
                && ext.is_some_and(|e| only(e, &[TLP2_EXTENSION]))
                && tlp2.is_some_and(|t| {
                    only(t, &["extension_type", "tlp_2_0"])
                        && t.get("extension_type").and_then(Value::as_str) == Some("property-extension")
                        && t.get("tlp_2_0").and_then(Value::as_str) == Some(value)
                })
        }
    }
}

/// The label a (non-reserved) marking definition stands for: its statement and its ACS
/// extension, both read and combined, tightened by what its `name` says.
fn definition_label(o: &StixObject<'_>, policy: &Policy) -> Result<Label, LabelError> {
    let bad = |rule: &'static str, what: String| Err((rule, format!("`{}`: {what}", o.id)));
    if let Some((k, _)) = o
        .json
        .iter()
        .find(|(k, _)| !DEFINITION_PROPERTIES.contains(k) && !k.starts_with("x_"))
    {
        return bad(
            "marking-definition-invalid",
            format!("a marking-definition has no property `{k}`"),
        );
    }
    let mut parts: Vec<Label> = Vec::new();
    match o.json.get("definition_type").and_then(Value::as_str) {
        None => {}
        Some("statement") => {
            let text = o
                .json
                .get("definition")
                .and_then(Value::as_object)
                .and_then(|d| d.get("statement"))
                .and_then(Value::as_str);
            let Some(text) = text else {
                return bad(
                    "marking-unreadable",
                    "a statement definition without a statement".into(),
                );
            };
            match marking_text(text, policy, &o.id)? {
                Some(label) => parts.push(label),
                // Free text goes only as the policy allows it (default deny).
                None if is_free(text, FreeText::Statement, policy) => parts.push(Label::default()),
                None => {
                    let shown: String = text.chars().take(120).collect();
                    return bad(
                        "marking-unreadable",
                        format!(
                            "statement `{shown}` states no marking the guard reads, and no pattern of `stix.free_statements` lets it go as free text"
                        ),
                    );
                }
            }
        }
        Some(other) => {
            return bad(
                "unknown-marking",
                format!("definition type `{other}` is not one this guard reads"),
            );
        }
    }
    let mut control_sets = 0usize;
    if let Some(ext) = o.json.get("extensions") {
        let Some(ext) = ext.as_object() else {
            return bad("marking-definition-invalid", "`extensions` is not an object".into());
        };
        for (k, v) in ext.iter() {
            let acs_like = k == acs::EXTENSION || v.as_object().is_some_and(|v| v.contains_key("control_set"));
            if !acs_like {
                return bad(
                    "unknown-marking",
                    format!("extension `{k}` is not a marking this guard reads"),
                );
            }
            control_sets += 1;
            if control_sets > 1 {
                return bad("acs-marking", "more than one ACS control set in one definition".into());
            }
            parts.push(acs::label(v, &o.id, policy)?);
        }
    }
    if parts.is_empty() {
        return bad("unknown-marking", "a marking this guard does not know".into());
    }
    let body = meet(parts, policy)?;
    // The name is what a reader is shown as the marking: it is read as the statement is. A
    // marking it states only tightens, and may not grant a TLP level; a name that states no
    // marking goes only as free text the policy lets go (`stix.free_statements`), as a
    // statement would (red team round 3, SA01: `USA ONLY`, `外国への提供不可`).
    let Some(name) = o.json.get("name") else {
        return Ok(body);
    };
    let Some(name) = name.as_str() else {
        return bad("marking-definition-invalid", "`name` is not a string".into());
    };
    let Some(named) = marking_text(name, policy, &o.id)? else {
        if is_free(name, FreeText::Statement, policy) {
            return Ok(body);
        }
        let shown: String = name.chars().take(120).collect();
        return bad(
            "marking-name",
            format!(
                "its name `{shown}` states no marking the guard reads, and no pattern of `stix.free_statements` lets it go as free text"
            ),
        );
    };
    if named.tlp.is_some() && body.tlp.is_none() {
        return bad(
            "marking-name",
            format!("its name `{name}` states a TLP level its definition does not"),
        );
    }
    meet(vec![body, named], policy)
}

/// The meet of several markings' labels.
pub(super) fn meet(parts: Vec<Label>, policy: &Policy) -> Result<Label, LabelError> {
    let mut out = Label::default();
    for l in parts {
        out = out
            .combine(&l, &policy.schemes)
            .map_err(|e| ("classification-unknown", e.to_string()))?;
    }
    Ok(out)
}
