//! The MUST rules of STIX 2.1 that a property table cannot say: one of several properties must be
//! present, one time must not precede another, a reserved marking must say what its id means.

use super::grammar::{self, Timestamp};
use super::markings::{TLP_IDS, TLP2_EXTENSION};
use super::types::{self, ObjectClass};
use super::{Checked, Here, StixError, StixObject, iana, pattern};
use crate::format::json::{Object, Value};
use crate::limits::Limits;

/// The rules for `object`, after its properties passed their type checks.
pub(super) fn check(here: &mut Here, object: &mut StixObject<'_>, limits: &Limits) -> Checked<()> {
    let o = &object.json;
    // §3.2: `modified` MUST be later than or equal to `created`.
    not_before(here, o, "created", "modified")?;
    match object.type_name.as_str() {
        "campaign" | "infrastructure" | "intrusion-set" | "threat-actor" => {
            not_before(here, o, "first_seen", "last_seen")?;
        }
        "sighting" => {
            not_before(here, o, "first_seen", "last_seen")?;
            sighting(here, o)?;
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
            here.key("objects", |h| observed_objects(h, o, limits))?;
        }
        "relationship" => {
            later(here, o, "start_time", "stop_time")?;
            relationship(here, o)?;
        }
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
            // §6.1: `mime_type` is a type of the IANA media types registry (RFC 6838: case-
            // insensitive; parameters after `;` are not part of the type).
            if let Some(m) = o.get("mime_type").and_then(Value::as_str)
                && !iana::contains(iana::MEDIA_TYPES, m.split(';').next().unwrap_or_default().trim())
            {
                return here.key("mime_type", |h| {
                    h.err("artifact", format!("`{m}` is not a media type of the IANA registry"))
                });
            }
            // §6.1: "`decryption_key` ... MUST NOT be present when `encryption_algorithm` is absent".
            if o.contains_key("decryption_key") && !o.contains_key("encryption_algorithm") {
                return here.key("decryption_key", |h| {
                    h.err("artifact", "`decryption_key` needs `encryption_algorithm`")
                });
            }
        }
        "directory" => encoding(here, o, "path_enc")?,
        "domain-name" => sco_value(here, o, grammar::domain_name, "a domain name (RFC 1034, RFC 5890)")?,
        "email-addr" => sco_value(here, o, grammar::email_addr, "an e-mail address (RFC 5322 addr-spec)")?,
        "ipv4-addr" => sco_value(here, o, grammar::ipv4_cidr, "an IPv4 address or CIDR block")?,
        "ipv6-addr" => sco_value(here, o, grammar::ipv6_cidr, "an IPv6 address or CIDR block")?,
        "mac-addr" => sco_value(here, o, grammar::mac_addr, "a lowercase colon-delimited MAC-48 address")?,
        "url" => sco_value(here, o, grammar::url, "a URL (RFC 3986)")?,
        "email-message" => email_message(here, o)?,
        "software" => software(here, o)?,
        "process" | "user-account" | "x509-certificate" => any_specific(here, object)?,
        "windows-registry-key" => {
            any_specific(here, object)?;
            registry_key(here, o)?;
        }
        "file" => {
            one_of(here, o, &["hashes", "name"])?;
            encoding(here, o, "name_enc")?;
        }
        "network-traffic" => {
            one_of(here, o, &["src_ref", "dst_ref"])?;
            not_before(here, o, "start", "end")?;
            if o.get("is_active").and_then(Value::as_bool) == Some(true) && o.contains_key("end") {
                return here.err(
                    "network-traffic",
                    "active network traffic (`is_active` true) has no `end`",
                );
            }
            ipfix(here, o)?;
        }
        "marking-definition" => marking_definition(here, object)?,
        "language-content" => language_content(here, o)?,
        "extension-definition" if !o.contains_key("created_by_ref") => {
            return here.err("required-property", "an extension-definition needs `created_by_ref`");
        }
        _ => {}
    }
    if object.class == ObjectClass::Sco {
        uuid_version(here, object)?;
    }
    Ok(())
}

/// §7.1 language-content `contents`: keys are RFC 5646 language tags, each value a dictionary of
/// the referenced object's property names to their translation.
fn language_content(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    let Some(Value::Object(contents)) = o.get("contents") else {
        return Ok(());
    };
    here.key("contents", |h| {
        contents.iter().try_for_each(|(lang, v)| {
            h.key(lang, |h| {
                if grammar::whole(lang, grammar::language_tag).is_err() {
                    return h.err("language-content", format!("`{lang}` is not an RFC 5646 language tag"));
                }
                let Value::Object(translation) = v else {
                    return h.err("language-content", "a translation is a dictionary of property names");
                };
                translation.iter().try_for_each(|(k, _)| {
                    if grammar::whole(k, grammar::property_name).is_err() {
                        return h.key(k, |h| {
                            h.err("language-content", format!("`{k}` is not a property name"))
                        });
                    }
                    Ok(())
                })
            })
        })
    })
}

/// Object types that are not SDOs or SCOs: what a relationship may not connect (§5.1) and a
/// sighting may not be of (§5.2).
const NOT_SDO_OR_SCO: &[&str] = &[
    "relationship",
    "sighting",
    "bundle",
    "marking-definition",
    "language-content",
    "extension-definition",
];

/// The type part of an identifier.
fn type_of(id: &str) -> &str {
    id.split_once("--").map_or(id, |(t, _)| t)
}

/// §5.1: `relationship_type` is 3–250 of `a-z 0-9 -`; `source_ref` and `target_ref` "MUST be
/// an SDO or SCO".
fn relationship(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    if let Some(t) = o.get("relationship_type").and_then(Value::as_str)
        && !grammar::relationship_type(t)
    {
        return here.key("relationship_type", |h| {
            h.err(
                "relationship-type",
                format!("`{t}` is not 3–250 characters of a–z, 0–9 and `-`"),
            )
        });
    }
    for end in ["source_ref", "target_ref"] {
        if let Some(id) = o.get(end).and_then(Value::as_str)
            && NOT_SDO_OR_SCO.contains(&type_of(id))
        {
            return here.key(end, |h| {
                h.err(
                    "relationship-endpoint",
                    format!("`{end}` must be an SDO or SCO, not `{id}`"),
                )
            });
        }
    }
    Ok(())
}

/// §5.2: `sighting_of_ref` "MUST reference only an SDO".
fn sighting(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    if let Some(id) = o.get("sighting_of_ref").and_then(Value::as_str) {
        let t = type_of(id);
        let sco = types::lookup(t).is_some_and(|d| d.class == ObjectClass::Sco);
        if NOT_SDO_OR_SCO.contains(&t) || sco {
            return here.key("sighting_of_ref", |h| {
                h.err("sighting-of", format!("`sighting_of_ref` must be an SDO, not `{id}`"))
            });
        }
    }
    Ok(())
}

/// An SCO's `value` in the form its section requires.
fn sco_value(here: &mut Here, o: &Object<'_>, form: fn(&str) -> bool, what: &str) -> Checked<()> {
    match o.get("value").and_then(Value::as_str) {
        Some(v) if !form(v) => here.key("value", |h| h.err("sco-value", format!("`{v}` is not {what}"))),
        _ => Ok(()),
    }
}

/// §6.3 `path_enc`, §6.7 `name_enc`: a name in the IANA character set registry (RFC 2978 §2.3:
/// names compare case-insensitively).
fn encoding(here: &mut Here, o: &Object<'_>, name: &str) -> Checked<()> {
    match o.get(name).and_then(Value::as_str) {
        Some(v) if !(grammar::charset_name(v) && iana::contains(iana::CHARSETS, v)) => here.key(name, |h| {
            h.err("character-set", format!("`{v}` is not an IANA character set name"))
        }),
        _ => Ok(()),
    }
}

/// §6.14 software: `cpe` a CPE 2.3 entry, each of `languages` an RFC 5646 language tag.
fn software(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    if let Some(cpe) = o.get("cpe").and_then(Value::as_str)
        && !grammar::cpe23(cpe)
    {
        return here.key("cpe", |h| {
            h.err("software", format!("`{cpe}` is not a CPE 2.3 formatted string"))
        });
    }
    if let Some(Value::Array(languages)) = o.get("languages") {
        for (n, l) in languages.iter().enumerate() {
            if let Some(tag) = l.as_str()
                && grammar::whole(tag, grammar::language_tag).is_err()
            {
                return here.key("languages", |h| {
                    h.index(n, |h| h.err("lang", format!("`{tag}` is not an RFC 5646 language tag")))
                });
            }
        }
    }
    Ok(())
}

/// §6.12 network-traffic `ipfix`: each value a string or an integer.
fn ipfix(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    let Some(Value::Object(ipfix)) = o.get("ipfix") else {
        return Ok(());
    };
    for (k, v) in ipfix.iter() {
        let integer = v.as_number().and_then(|n| n.as_i64()).is_some();
        if !(integer || v.as_str().is_some()) {
            return here.key("ipfix", |h| {
                h.key(k, |h| {
                    h.err("property-type", "an ipfix value is a string or an integer")
                })
            });
        }
    }
    Ok(())
}

/// §6.6 email-message: `body` only when `is_multipart` is false, `body_multipart` only when true.
fn email_message(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    let multipart = o.get("is_multipart").and_then(Value::as_bool);
    if multipart == Some(true) && o.contains_key("body") {
        return here.key("body", |h| {
            h.err("email-message", "`body` is for a message that is not multipart")
        });
    }
    if multipart == Some(false) && o.contains_key("body_multipart") {
        return here.key("body_multipart", |h| {
            h.err("email-message", "`body_multipart` is for a multipart message")
        });
    }
    Ok(())
}

/// §6.11 process, §6.15 user-account, §6.16 windows-registry-key, §6.17 x509-certificate: the
/// object "MUST contain at least one property ... from this object (or one of its extensions)".
fn any_specific(here: &mut Here, object: &StixObject<'_>) -> Checked<()> {
    let Some(def) = types::lookup(&object.type_name) else {
        return Ok(());
    };
    let extensions = object.type_name != "x509-certificate" && object.json.contains_key("extensions");
    if extensions || def.props.iter().any(|p| object.json.contains_key(p.name)) {
        return Ok(());
    }
    here.err(
        "required-property",
        format!("a `{}` needs at least one of its own properties", object.type_name),
    )
}

/// §6.16: a registry key names its hive in full (`HKEY_LOCAL_MACHINE`, never `HKLM`).
fn registry_key(here: &mut Here, o: &Object<'_>) -> Checked<()> {
    let Some(key) = o.get("key").and_then(Value::as_str) else {
        return Ok(());
    };
    let hive = key.split('\\').next().unwrap_or_default();
    if ["HKLM", "HKCC", "HKCR", "HKCU", "HKU"]
        .iter()
        .any(|a| hive.eq_ignore_ascii_case(a))
    {
        return here.key("key", |h| {
            h.err(
                "windows-registry-key",
                format!("the hive `{hive}` must be written in full"),
            )
        });
    }
    Ok(())
}

/// §2.9: an SCO without any of its ID-contributing properties has a UUIDv4 id (`process` has
/// none).
fn uuid_version(here: &mut Here, object: &StixObject<'_>) -> Checked<()> {
    let Some((_, props)) = types::ID_CONTRIBUTING.iter().find(|(t, _)| *t == object.type_name) else {
        return Ok(());
    };
    if props.iter().any(|p| object.json.contains_key(p)) || object.id.is_empty() {
        return Ok(());
    }
    let version = object.id.split_once("--").and_then(|(_, u)| u.chars().nth(14));
    if version == Some('4') {
        return Ok(());
    }
    here.key("id", |h| {
        h.err(
            "identifier",
            format!(
                "a `{}` without its ID-contributing properties has a UUIDv4 id",
                object.type_name
            ),
        )
    })
}

/// §4.13 (deprecated `objects`): each value is an SCO, checked as one, whose references name
/// keys of the same dictionary.
fn observed_objects(here: &mut Here, o: &Object<'_>, limits: &Limits) -> Checked<()> {
    let Some(Value::Object(objects)) = o.get("objects") else {
        return Ok(());
    };
    let keys: Vec<String> = objects.iter().map(|(k, _)| k.to_string()).collect();
    let saved = here.1.clone();
    here.1.local_refs = Some(keys);
    let result = objects.iter().try_for_each(|(k, v)| {
        here.key(k, |h| {
            let embedded = super::stix_object(h, v.clone(), limits)?;
            match embedded.class {
                ObjectClass::Sco | ObjectClass::Custom | ObjectClass::Extension => Ok(()),
                _ => h.err(
                    "observed-data",
                    format!("`objects` holds SCOs, not a `{}`", embedded.type_name),
                ),
            }
        })
    });
    here.1 = saved;
    result
}

fn time(o: &Object<'_>, name: &str) -> Option<Timestamp> {
    o.get(name)
        .and_then(Value::as_str)
        .and_then(|s| grammar::whole_timestamp(s).ok())
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
    let at = || {
        let mut p = here.0.clone();
        p.push(crate::format::json::Step::Key("pattern".into()));
        p
    };
    let parsed = pattern::parse(text, limits).map_err(|e| StixError {
        path: at(),
        rule: "pattern",
        detail: format!("at character {} of the pattern: {}: {}", e.offset, e.rule, e.detail),
    })?;
    // §9: the rules beyond the grammar (qualifiers, AND within one object type, operands).
    pattern::check(&parsed).map_err(|(rule, detail)| StixError {
        path: at(),
        rule: "pattern",
        detail: format!("{rule}: {detail}"),
    })?;
    Ok(Some(parsed))
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
fn marking_definition(here: &mut Here, object: &StixObject<'_>) -> Checked<()> {
    let (o, id) = (&object.json, object.id.as_str());
    // §7.2.1: a marking definition "MUST NOT" be marked by itself (a circular reference).
    if object.marking_refs().any(|m| m == id)
        || object
            .granular_markings
            .iter()
            .any(|g| matches!(&g.marking, super::GranularTarget::MarkingRef(m) if m == id))
    {
        return here.err("marking-definition", "a marking definition must not mark itself");
    }
    let definition_type = o.get("definition_type").and_then(Value::as_str);
    // §7.2.1.3: the TLP 1.0 marking definitions are the four predefined objects; a `tlp`
    // definition under any other id is a copy that consumers cannot tell from the real one.
    if definition_type == Some("tlp") && !TLP_IDS.iter().any(|t| t.0 == id && t.2 == 1) {
        return here.key("id", |h| {
            h.err(
                "marking-definition",
                "a `tlp` marking definition must be one of the four predefined TLP 1.0 objects",
            )
        });
    }
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
        // §7.2.1.4: the TLP 1.0 marking definitions are the specification's four objects, to
        // be used as they are written there: nothing added, `created` unchanged.
        if *version == 1 && !tlp1_verbatim(o) {
            return here.err(
                "marking-definition",
                format!("`{id}` is {name} and must be the specification's object, unchanged"),
            );
        }
    }
    Ok(())
}

/// The members of a TLP 1.0 marking definition as §7.2.1.4 writes it (values checked above).
fn tlp1_verbatim(o: &Object<'_>) -> bool {
    const MEMBERS: &[&str] = &[
        "type",
        "spec_version",
        "id",
        "created",
        "definition_type",
        "name",
        "definition",
    ];
    o.len() == MEMBERS.len()
        && o.iter().all(|(k, _)| MEMBERS.contains(&k))
        && o.get("created").and_then(Value::as_str) == Some("2017-01-20T00:00:00.000Z")
}
