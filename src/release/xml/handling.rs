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
//!   they do not go.
//! - CAP 1.x (§3.2.1 `scope`, `restriction`): scope `Private` never goes, `Public` and
//!   `Restricted` may; any other scope is not understood. A `restriction` text that mentions a
//!   marking must be one written exactly (a TLP level, banner line or portion mark), met with
//!   the label and decided by the policy; one that mentions a marking but is not one makes the
//!   message unreadable.

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
    /// `payload-restriction` (the marking does not let the message go) or
    /// `payload-restriction-unreadable` (it cannot be read).
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
        if family == Family::Iodef {
            for a in e.attributes().filter(|a| a.namespace().is_none()) {
                if !matches!(a.local(), "restriction" | "ext-restriction") {
                    continue;
                }
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
        }
        if family == Family::Cap {
            match e.local() {
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
                "restriction" => {
                    let text = e.text();
                    match read_marking(&text, policy) {
                        Reading::Free if is_free(&text, FreeText::Restriction, policy) => {}
                        Reading::Free => {
                            return Err(Stop {
                                rule: "payload-restriction-unreadable",
                                at: at(),
                                detail: format!(
                                    "CAP restriction `{}` states no marking the guard reads, and no pattern of `xml.free_restrictions` lets it go as free text",
                                    shown(&text)
                                ),
                            });
                        }
                        Reading::Marking(l) => decide(l, &at, &format!("CAP restriction `{}`", shown(&text)))?,
                        Reading::Unreadable(why) => {
                            return Err(Stop {
                                rule: "payload-restriction-unreadable",
                                at: at(),
                                detail: format!(
                                    "CAP restriction mentions a marking but is not one written exactly: {why}"
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
