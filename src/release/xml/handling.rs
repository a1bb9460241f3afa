//! Handling markings a payload carries in its own terms, read as labels of the document (red-team
//! F02): they only ever tighten what the 4774 label allows.
//!
//! - IODEF (RFC 7970 §3.3.1 `restriction`, on `Incident` and on any element of the document;
//!   RFC 5070 the same for IODEF 1): `white` and `public` are TLP:CLEAR, `green` TLP:GREEN,
//!   `amber` TLP:AMBER, `red` TLP:RED, met with the label and decided by the policy (its `[tlp]`
//!   allowed list). `private` and `need-to-know` never go. `partner` and `default` do not go
//!   either (fail closed): each names an audience agreed outside the message (a closed community
//!   of partners; "a policy pre-arranged by the communicating parties") that the guard cannot
//!   know includes the policy's partner. `ext-value` and any other value are not understood, so
//!   they do not go. An attribute named `restriction` in any namespace is read (a consumer may
//!   read attributes by local name), and an `Incident` without one has its default, `private`.
//!   A typed `Address` parses as its `category` strictly, or is not understood.
//! - CAP 1.x (§3.2.1 `scope`, `restriction`): scope `Private` never goes, `Public` and
//!   `Restricted` may; any other scope is not understood. A `restriction` text that mentions a
//!   marking must be one written exactly (a TLP level, banner line or portion mark), met with
//!   the label and decided by the policy; one that mentions a marking but is not one makes the
//!   message unreadable. The handling elements are text only; an alert has one scope, and a
//!   `Restricted` one a `restriction`. `audience` is read as `restriction`, `code` as a text
//!   that may state a marking, and a `parameter`/`eventCode` pair whose name names a marking
//!   has its value read as that marking.

use crate::format::xml::Element;
use crate::label::{Label, Tlp};
use crate::policy::Policy;
use crate::release::free_text::{FreeText, is_free};

use super::label::{Reading, read_marking};

/// The IODEF namespaces (RFC 7970, RFC 5070).
const IODEF_NS: &[&str] = &["urn:ietf:params:xml:ns:iodef-2.0", "urn:ietf:params:xml:ns:iodef-1.0"];
/// The CAP namespaces (1.2, 1.1, 1.0).
const CAP_NS: &[&str] = &[
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
    "http://www.incident.com/cap/1.0",
];

/// The handling markings an element's namespace may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Iodef,
    Cap,
    Other,
}

/// Why the payload's own handling markings stop the message.
#[derive(Debug)]
pub struct Stop {
    /// `payload-restriction` (the marking does not let the message go),
    /// `payload-restriction-unreadable` (it cannot be read) or `label-in-payload` (a 4774 label,
    /// or a part of one, inside the payload).
    pub rule: &'static str,
    /// The element path (from `payload_at`) of the marking.
    pub at: String,
    pub detail: String,
}

/// The IODEF `restriction` value as a label: a TLP level, or why it never goes.
fn iodef_restriction(value: &str) -> Result<Tlp, &'static str> {
    match value {
        "white" | "public" => Ok(Tlp::Clear),
        "green" => Ok(Tlp::Green),
        "amber" => Ok(Tlp::Amber),
        "red" => Ok(Tlp::Red),
        "private" | "need-to-know" => Err("is for the originator's own side only"),
        "partner" | "default" => {
            Err("names an audience agreed outside the message, which the guard cannot know includes the partner")
        }
        _ => Err("is not a restriction this guard understands"),
    }
}

/// Check the handling markings of `payload` (at `payload_at`) against `label` (the document's,
/// already released by itself) under `policy`; the first that stops the message.
pub fn check(
    payload: Element<'_, '_>,
    payload_at: &str,
    label: &Label,
    policy: &Policy,
    tlp_required: bool,
) -> Result<(), Stop> {
    let decide = |marking: Label, at: &dyn Fn() -> String, what: &str| -> Result<(), Stop> {
        let met = label.combine(&marking, &policy.schemes).map_err(|e| Stop {
            rule: "payload-restriction",
            at: at(),
            detail: format!("{what} cannot be met with the label: {e}"),
        })?;
        let d = policy.decide_with(&met, tlp_required);
        if d.released() {
            Ok(())
        } else {
            Err(Stop {
                rule: "payload-restriction",
                at: at(),
                detail: format!("{what}, met with the label, may not go: {} ({})", d.detail, d.rule),
            })
        }
    };
    // The value of a name/value pair that names a marking ([`reading_named`]), decided: none
    // stated or unreadable, the message stays.
    let decide_named = |reading: Reading, at: &dyn Fn() -> String, what: &str| -> Result<(), Stop> {
        let unreadable = |detail: String| Stop {
            rule: "payload-restriction-unreadable",
            at: at(),
            detail,
        };
        match reading {
            Reading::Marking(l) => decide(l, at, what),
            Reading::Free => Err(unreadable(format!("{what} states no marking"))),
            Reading::Unreadable(why) => Err(unreadable(format!("{what} cannot be read as that marking: {why}"))),
        }
    };
    // Depth first; an element's path is only built for the one that stops the message.
    let mut stack: Vec<Element<'_, '_>> = vec![payload];
    // Which family the last element's namespace was in, by its address (a namespace is stored
    // once, so neighbours most often share it): comparing addresses is cheaper than strings.
    let mut last: Option<(*const std::borrow::Cow<'_, str>, Family)> = None;
    while let Some(e) = stack.pop() {
        let family = match (e.namespace(), last) {
            (None, _) => Family::Other,
            (Some(n), Some((at, f))) if std::ptr::eq(at, n) => f,
            (Some(n), _) => {
                let f = if IODEF_NS.contains(&n.as_ref()) {
                    Family::Iodef
                } else if CAP_NS.contains(&n.as_ref()) {
                    Family::Cap
                } else {
                    Family::Other
                };
                last = Some((n, f));
                f
            }
        };
        stack.extend(e.elements());
        let at = || path_to(payload, payload_at, e.id());
        // A label inside the payload is a second label, in a place the label reader does not
        // look: the message does not go, whatever it says (red team s39).
        if let Some(why) = super::label::label_in_payload(e) {
            return Err(Stop {
                rule: "label-in-payload",
                at: at(),
                detail: why,
            });
        }
        if family == Family::Iodef {
            // Every attribute named `restriction` is read, in any namespace: a consumer that reads
            // attributes by local name sees `i:restriction` as the restriction (red team SB02).
            let mut restricted = false;
            for a in e.attributes() {
                if !matches!(a.local(), "restriction" | "ext-restriction") {
                    continue;
                }
                restricted = true;
                let value = a.value().as_ref();
                let local = a.local();
                let here = || format!("{}/@{local}", at());
                if a.local() == "ext-restriction" {
                    return Err(Stop {
                        rule: "payload-restriction-unreadable",
                        at: here(),
                        detail: format!(
                            "IODEF `ext-restriction` `{}` is not a restriction this guard understands",
                            shown(value)
                        ),
                    });
                }
                match iodef_restriction(value) {
                    Ok(tlp) => {
                        let marking = Label {
                            tlp: Some(tlp),
                            ..Label::default()
                        }
                        .said_by("IODEF restriction");
                        decide(marking, &here, &format!("IODEF restriction `{value}`"))?;
                    }
                    Err(why) => {
                        return Err(Stop {
                            rule: "payload-restriction",
                            at: here(),
                            detail: format!("IODEF restriction `{}` {why}: the message stays behind", shown(value)),
                        });
                    }
                }
            }
            // An `Incident` without one has its default, `private` (RFC 7970 §3.2, RFC 5070
            // §3.2): it never goes (red team SB03).
            if !restricted && e.local() == "Incident" {
                return Err(Stop {
                    rule: "payload-restriction",
                    at: at(),
                    detail: "IODEF Incident has no restriction, so it has its default `private`, which is for the originator's own side only: the message stays behind".into(),
                });
            }
            // `meaning` says what an element's data is (`AdditionalData`, `RecordItem`,
            // `ExtensionType`): one naming a marking or a label has the text read as that marking,
            // wherever the element is and whether or not the allowlists keep it (red team s39).
            if let Some(meaning) = e.attribute("meaning")
                && let Some(reading) = reading_named(meaning, e.text().trim().to_string(), policy)
            {
                decide_named(
                    reading,
                    &at,
                    &format!("IODEF `{}` meaning `{}`", e.local(), shown(meaning)),
                )?;
            }
            if e.local() == "Address"
                && let Some(why) = typed_address(e)
            {
                return Err(Stop {
                    rule: "payload-address-unreadable",
                    at: at(),
                    detail: why,
                });
            }
        }
        if family == Family::Cap {
            // CAP's handling elements are text only (CAP 1.2 §3.2): a child element's text would be
            // read by a consumer as part of theirs, unread here (red team SB01).
            if HANDLING.contains(&e.local())
                && let Some(child) = e.elements().next()
            {
                return Err(Stop {
                    rule: "payload-restriction-unreadable",
                    at: at(),
                    detail: format!(
                        "CAP `{}` is text only, but holds the element `{}`",
                        e.local(),
                        shown(child.local())
                    ),
                });
            }
            if e.local() == "alert" {
                alert(e, &at)?;
            }
            if matches!(e.local(), "parameter" | "eventCode")
                && let Some(reading) = named_marking(e, policy)
            {
                decide_named(reading, &at, &format!("CAP {} naming a marking", e.local()))?;
            }
            match e.local() {
                // The special handling code (CAP 1.2 `code`): a marking written there is one.
                "code" => {
                    let text = e.text();
                    match read_marking(&text, policy) {
                        Reading::Free => {}
                        Reading::Marking(l) => decide(l, &at, &format!("CAP code `{}`", shown(&text)))?,
                        Reading::Unreadable(why) => {
                            return Err(Stop {
                                rule: "payload-restriction-unreadable",
                                at: at(),
                                detail: format!("CAP code mentions a marking but is not one written exactly: {why}"),
                            });
                        }
                    }
                }
                "scope" => match e.text().trim() {
                    "Public" | "Restricted" => {}
                    "Private" => {
                        return Err(Stop {
                            rule: "payload-restriction",
                            at: at(),
                            detail:
                                "CAP scope `Private` is for the originator's own addressees: the message stays behind"
                                    .into(),
                        });
                    }
                    other => {
                        return Err(Stop {
                            rule: "payload-restriction-unreadable",
                            at: at(),
                            detail: format!("CAP scope `{}` is not one of Public, Restricted, Private", shown(other)),
                        });
                    }
                },
                // Who may see the alert, in words: read as a restriction is (red team SB12).
                "restriction" | "audience" => {
                    let text = e.text();
                    match read_marking(&text, policy) {
                        Reading::Free if is_free(&text, FreeText::Restriction, policy) => {}
                        Reading::Free => {
                            return Err(Stop {
                                rule: "payload-restriction-unreadable",
                                at: at(),
                                detail: format!(
                                    "CAP {} `{}` states no marking the guard reads, and no pattern of `xml.free_restrictions` lets it go as free text",
                                    e.local(),
                                    shown(&text)
                                ),
                            });
                        }
                        Reading::Marking(l) => decide(l, &at, &format!("CAP {} `{}`", e.local(), shown(&text)))?,
                        Reading::Unreadable(why) => {
                            return Err(Stop {
                                rule: "payload-restriction-unreadable",
                                at: at(),
                                detail: format!(
                                    "CAP {} mentions a marking but is not one written exactly: {why}",
                                    e.local()
                                ),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The CAP elements that carry handling, text only.
const HANDLING: &[&str] = &["scope", "restriction", "audience", "code", "valueName", "value"];

/// A CAP `alert` states its scope exactly once, and a `Restricted` one says to whom in a
/// `restriction` (CAP 1.2 §3.2.1, where `scope` is required): an alert with no scope or
/// several, or restricted to no one named, is not understood (red team SB15): no scope is not
/// read as `Public`.
fn alert(e: Element<'_, '_>, at: &dyn Fn() -> String) -> Result<(), Stop> {
    let mut scopes = e
        .elements()
        .filter(|k| k.local() == "scope" && k.namespace() == e.namespace());
    let (Some(scope), None) = (scopes.next(), scopes.next()) else {
        return Err(Stop {
            rule: "payload-restriction-unreadable",
            at: at(),
            detail: "a CAP alert states its scope exactly once (CAP 1.2 §3.2.1)".into(),
        });
    };
    let restricted = scope.text().trim() == "Restricted";
    if restricted
        && !e
            .elements()
            .any(|k| k.local() == "restriction" && k.namespace() == e.namespace())
    {
        return Err(Stop {
            rule: "payload-restriction-unreadable",
            at: at(),
            detail: "a CAP alert of scope `Restricted` has no `restriction` naming to whom it may go".into(),
        });
    }
    Ok(())
}

/// A CAP `parameter` or `eventCode` whose `valueName` names a marking (TLP, a classification,
/// a releasability, a caveat, a dissemination or handling control): its `value` read as that
/// marking (`None`: the pair names none). Only a TLP level and a banner or portion mark are
/// read; any other marking named so, or a value that is none, is not (red team SB12).
fn named_marking(e: Element<'_, '_>, policy: &Policy) -> Option<Reading> {
    let raw: String = e
        .elements()
        .filter(|k| k.local() == "valueName")
        .map(|k| k.text().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let value: String = e
        .elements()
        .filter(|k| k.local() == "value")
        .map(|k| k.text().trim().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    reading_named(&raw, value, policy)
}

/// The value of a name/value pair whose name (`raw`) names a marking, read as that marking
/// (`None`: the name names none): a CAP `parameter` or `eventCode`, an IODEF element's `meaning`
/// and its text (red team s39).
fn reading_named(raw: &str, value: String, policy: &Policy) -> Option<Reading> {
    // The name in the normal form, and with its escapes decoded (`\u0054LP`), folded to its
    // letters and digits; the readings are joined, so a word of any of them counts.
    // Each also with digits and signs read as the letters they are written for (`7|P`).
    let letters = |t: &str| {
        let signs = crate::text::signs_read(t).unwrap_or_else(|| t.to_string());
        String::from_utf8_lossy(&crate::text::letter_reading(&signs)).into_owned()
    };
    let folded = |t: &str| {
        t.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let name: String = std::iter::once(crate::text::normalize(raw))
        .chain(crate::text::normalize_decoded(raw))
        .flat_map(|n| [folded(&n.text), folded(&letters(&n.text))])
        .collect::<Vec<_>>()
        .join(" ");
    let names = |w: &str| name.contains(w) || name.contains(&letters(w));
    let tlp = names("tlp") || names("trafficlight");
    // A pair naming a label (`label`, `securityLabel`, `slab`, `STANAG4774`) holds a
    // classification too, read as one (red team s39).
    let level = names("classif")
        || names("banner")
        || names("portion")
        || names("label")
        || names("slab")
        || ["4774", "4778"].iter().any(|n| name.contains(n));
    // A name that mixes ASCII letters with Greek or Cyrillic ones (`ТLР`) is written to be
    // misread: it is read as naming a marking, unreadably.
    let greek_or_cyrillic = |c: char| ('\u{370}'..='\u{52F}').contains(&c) || ('\u{1C80}'..='\u{1C8F}').contains(&c);
    let mixed = name.chars().any(|c| c.is_ascii_alphabetic()) && name.chars().any(greek_or_cyrillic);
    let other = mixed || NAMED_MARKINGS.iter().any(|w| names(w));
    if tlp {
        let written = if value.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("TLP:")) {
            value
        } else {
            format!("TLP:{value}")
        };
        Some(read_marking(&written, policy))
    } else if level {
        Some(match read_marking(&value, policy) {
            Reading::Free => Reading::Unreadable(format!("`{}` is no classification", shown(&value))),
            r => r,
        })
    } else if other {
        Some(Reading::Unreadable(format!("`{}` names a marking", shown(&name))))
    } else {
        None
    }
}

/// Words in a CAP `valueName` that name a marking other than TLP or a classification: a
/// releasability, caveat, dissemination, distribution, handling or other control (folded: lower
/// case, letters and digits only).
const NAMED_MARKINGS: &[&str] = &[
    "releasab",
    "relto",
    "caveat",
    "dissem",
    "distrib",
    "handling",
    "marking",
    "restrict",
    "noforn",
    "sensitiv",
    "control",
    "secrecy",
    "confidential",
    "protectivemark",
    "audience",
    "eyesonly",
    "sharing",
];

/// Why an IODEF `Address` does not parse as its `category` says (RFC 7970 §3.19.1): a typed
/// address is read by its type, strictly, or not at all (red team SB04). `None`: it parses,
/// or its category has no grammar here (`e-mail`, `site-uri`, `ext-value`: read as text).
fn typed_address(e: Element<'_, '_>) -> Option<String> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    // Without a category, RFC 7970 reads `ipv6-addr` and RFC 5070 `ipv4-addr`: either parses.
    let category = e.attribute("category").unwrap_or("ip-addr");
    let text = e.text();
    let v = text.trim();
    let prefix = |p: &str, max: u8| {
        p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok_and(|n| n <= max)
    };
    let v4 = |s: &str| s.parse::<Ipv4Addr>().is_ok();
    let v6 = |s: &str| s.parse::<Ipv6Addr>().is_ok();
    // What the guard writes for an internal address it redacts holds none.
    if v == crate::policy::sanitise::INTERNAL_REPLACEMENT {
        return None;
    }
    let ok = match category {
        "ip-addr" => v4(v) || v6(v),
        "ipv4-addr" => v4(v),
        "ipv6-addr" => v6(v),
        "ipv4-net" => v.split_once('/').is_some_and(|(a, p)| v4(a) && prefix(p, 32)),
        "ipv6-net" => v.split_once('/').is_some_and(|(a, p)| v6(a) && prefix(p, 128)),
        "ipv4-net-mask" | "ipv4-net-masked" => v
            .split_once('/')
            .is_some_and(|(a, m)| v4(a) && (v4(m) || prefix(m, 32))),
        "ipv6-net-mask" | "ipv6-net-masked" => v
            .split_once('/')
            .is_some_and(|(a, m)| v6(a) && (v6(m) || prefix(m, 128))),
        "mac" => {
            let parts: Vec<&str> = v.split([':', '-']).collect();
            parts.len() == 6
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        }
        "asn" => !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<u32>().is_ok(),
        "atm" | "e-mail" | "site-uri" | "ext-value" => true,
        _ => false,
    };
    (!ok).then(|| {
        format!(
            "IODEF Address `{}` does not parse as its category `{}`: a typed address is read by its type or not at all",
            shown(v),
            shown(category)
        )
    })
}

/// The path of element `id` in `payload` (at `payload_at`): local names with their positions
/// among the siblings of the same name, as the release names units.
fn path_to(payload: Element<'_, '_>, payload_at: &str, id: usize) -> String {
    // Each step enters the child whose subtree holds `id`: the last one starting at or before it.
    fn walk(e: Element<'_, '_>, id: usize, path: &mut String) {
        if e.id() == id {
            return;
        }
        let mut seen: Vec<(Option<&str>, &str, usize)> = Vec::new();
        let mut holder = None;
        for k in e.elements().take_while(|k| k.id() <= id) {
            let n = match seen.iter_mut().find(|(p, l, _)| *p == k.prefix() && *l == k.local()) {
                Some((_, _, n)) => {
                    *n = n.saturating_add(1);
                    *n
                }
                None => {
                    seen.push((k.prefix(), k.local(), 1));
                    1
                }
            };
            holder = Some((k, n));
        }
        if let Some((k, n)) = holder {
            path.push_str(&format!("/{}[{n}]", k.qname()));
            walk(k, id, path);
        }
    }
    let mut path = payload_at.to_string();
    walk(payload, id, &mut path);
    path
}

/// At most 120 characters of `s`, for a message.
fn shown(s: &str) -> String {
    s.chars().take(120).collect()
}
