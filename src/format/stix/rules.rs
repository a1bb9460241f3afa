//! The MUST rules of STIX 2.1 that a property table cannot say: one of several properties must be
//! present, one time must not precede another, a reserved marking must say what its id means.

use super::grammar::{self, Timestamp};
use super::markings::{TLP_IDS, TLP2_EXTENSION};
use super::{Checked, Here, StixError, StixObject, pattern};
use crate::format::json::{Object, Value};
use crate::limits::Limits;

/// The rules for `object`, after its properties passed their type checks.
pub(super) fn check(here: &mut Here, object: &mut StixObject<'_>, limits: &Limits) -> Checked<()> {
    let o = &object.json;
    // §3.2: `modified` MUST be later than or equal to `created`.
    not_before(here, o, "created", "modified")?;
    match object.type_name.as_str() {
        "campaign" | "infrastructure" | "intrusion-set" | "threat-actor" | "sighting" => {
            not_before(here, o, "first_seen", "last_seen")?;
        }
        "indicator" => {
            later(here, o, "valid_from", "valid_until")?;
            object.pattern = indicator_pattern(here, o, limits)?;
        }
        "location" => location(here, o)?,
        "malware" => {
            not_before(here, o, "first_seen", "last_seen")?;
            if o.get("is_family").and_then(Value::as_bool) == Some(true) && !o.contains_key("name") {
                return here.err("required-property", "a malware family (`is_family` true) needs `name`");
            }
        }
        "malware-analysis" => one_of(here, o, &["result", "analysis_sco_refs"])?,
        "observed-data" => {
            not_before(here, o, "first_observed", "last_observed")?;
            if o.contains_key("objects") == o.contains_key("object_refs") {
                return here.err(
                    "required-property",
                    "observed-data needs exactly one of `object_refs` and `objects`",
                );
            }
        }
        "relationship" => later(here, o, "start_time", "stop_time")?,
        "artifact" => {
            if o.contains_key("payload_bin") == o.contains_key("url") {
                return here.err(
                    "required-property",
                    "an artifact needs exactly one of `payload_bin` and `url`",
                );
            }
            if o.contains_key("url") && !o.contains_key("hashes") {
                return here.err("required-property", "an artifact with `url` needs `hashes`");
            }
        }
        "file" => one_of(here, o, &["hashes", "name"])?,
        "network-traffic" => {
            one_of(here, o, &["src_ref", "dst_ref"])?;
            not_before(here, o, "start", "end")?;
            if o.get("is_active").and_then(Value::as_bool) == Some(true) && o.contains_key("end") {
                return here.err(
                    "network-traffic",
                    "active network traffic (`is_active` true) has no `end`",
                );
            }
        }
        "marking-definition" => marking_definition(here, o, &object.id)?,
        "extension-definition" if !o.contains_key("created_by_ref") => {
            return here.err("required-property", "an extension-definition needs `created_by_ref`");
        }
        _ => {}
    }
    Ok(())
}

fn time(o: &Object<'_>, name: &str) -> Option<Timestamp> {
    o.get(name)
        .and_then(Value::as_str)
        .and_then(|s| grammar::whole(s, grammar::timestamp).ok())
}

/// `late` MUST NOT be earlier than `early`.
fn not_before(here: &mut Here, o: &Object<'_>, early: &str, late: &str) -> Checked<()> {
    if let (Some(a), Some(b)) = (time(o, early), time(o, late))
        && b < a
    {
        return here.key(late, |h| {
            h.err("timestamp-order", format!("`{late}` is earlier than `{early}`"))
        });
    }
    Ok(())
}

/// `late` MUST be later than `early`.
fn later(here: &mut Here, o: &Object<'_>, early: &str, late: &str) -> Checked<()> {
    if let (Some(a), Some(b)) = (time(o, early), time(o, late))
        && b <= a
    {
        return here.key(late, |h| {
            h.err("timestamp-order", format!("`{late}` must be later than `{early}`"))
        });
    }
    Ok(())
}

fn one_of(here: &mut Here, o: &Object<'_>, names: &[&str]) -> Checked<()> {
    if names.iter().any(|n| o.contains_key(n)) {
        return Ok(());
    }
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    here.err(
        "required-property",
        format!("needs at least one of {}", list.join(", ")),
    )
}

/// §4.7: a pattern whose `pattern_type` is `stix` must parse by the STIX Patterning grammar (§9).
fn indicator_pattern(here: &mut Here, o: &Object<'_>, limits: &Limits) -> Checked<Option<pattern::Pattern>> {
    if o.get("pattern_type").and_then(Value::as_str) != Some("stix") {
        return Ok(None);
    }
    let text = o.get("pattern").and_then(Value::as_str).unwrap_or_default();
    pattern::parse(text, limits).map(Some).map_err(|e| StixError {
        path: {
            let mut p = here.0.clone();
            p.push(crate::format::json::Step::Key("pattern".into()));
            p
        },
        rule: "pattern",
        detail: format!("at character {} of the pattern: {}: {}", e.offset, e.rule, e.detail),
    })
}

/// §4.10: a location has a `region`, a `country`, or both `latitude` and `longitude`; `precision`
/// only with coordinates.
fn location(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    let (lat, long) = (o.contains_key("latitude"), o.contains_key("longitude"));
    if lat != long {
        return here.err("location", "`latitude` and `longitude` go together");
    }
    if o.contains_key("precision") && !lat {
        return here.err("location", "`precision` needs `latitude` and `longitude`");
    }
    if !(lat || o.contains_key("region") || o.contains_key("country")) {
        return here.err(
            "location",
            "a location needs `region`, `country`, or `latitude` and `longitude`",
        );
    }
    Ok(())
}

/// §7.2.1: a marking definition has `definition_type` with `definition`, or `extensions`; a
/// statement is a string; a reserved TLP id must define the level it stands for.
fn marking_definition(here: &mut Here, o: &Object<'_>, id: &str) -> Checked<()> {
    let definition_type = o.get("definition_type").and_then(Value::as_str);
    let definition = o.get("definition").and_then(Value::as_object);
    if definition_type.is_some() != definition.is_some() {
        return here.err("marking-definition", "`definition_type` and `definition` go together");
    }
    if definition_type.is_none() && !o.contains_key("extensions") {
        return here.err(
            "marking-definition",
            "a marking definition needs `definition_type` and `definition`, or `extensions`",
        );
    }
    if let (Some(t), Some(d)) = (definition_type, definition) {
        here.key("definition", |h| match t {
            "statement" => match d.get("statement") {
                Some(Value::String(_)) if d.len() == 1 => Ok(()),
                _ => h.err(
                    "marking-definition",
                    "a statement definition is `{\"statement\": \"…\"}`",
                ),
            },
            "tlp" => match d.get("tlp").and_then(Value::as_str) {
                Some("white" | "green" | "amber" | "red") if d.len() == 1 => Ok(()),
                _ => h.err(
                    "marking-definition",
                    "a tlp definition is `{\"tlp\": \"white|green|amber|red\"}`",
                ),
            },
            _ => Ok(()),
        })?;
    }
    if let Some((_, _, version, name, value)) = TLP_IDS.iter().find(|t| t.0 == id) {
        let named = o.get("name").and_then(Value::as_str);
        let says = match version {
            1 => definition.and_then(|d| d.get("tlp")).and_then(Value::as_str),
            _ => o
                .get("extensions")
                .and_then(Value::as_object)
                .and_then(|e| e.get(TLP2_EXTENSION))
                .and_then(Value::as_object)
                .and_then(|e| e.get("tlp_2_0"))
                .and_then(Value::as_str),
        };
        if named.is_some_and(|n| n != *name) || says.is_some_and(|s| s != *value) || (says.is_none() && *version == 1) {
            return here.err(
                "marking-definition",
                format!("`{id}` is reserved for {name} and must define exactly that"),
            );
        }
    }
    Ok(())
}
