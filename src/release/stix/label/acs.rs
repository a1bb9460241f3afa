//! The ACS 3.0 (ISA) marking-definition extension, by a strict schema of its own: every field
//! is type-checked, a field the schema does not know denies, every documented value is mapped
//! to a fact (an unknown value denies), and `further_sharing` permits and denies are both read
//! (deny wins).
//!
//! | field | type | read as |
//! |---|---|---|
//! | `control_set.classification` | `U`, `C`, `S`, `TS` (or a level of the policy's scheme) | the level |
//! | `control_set.formal_determination` | list | `NF`: NOFORN, releasable to nobody; `FOUO`: FOUO; `PUBREL`, `AIS`, `PII-NOT-PRESENT`, `INFORMATION-DIRECTLY-RELATED-TO-CYBERSECURITY-THREAT`: nothing; others deny |
//! | `control_set.caveat` | list | each a control (a known one by its word, else `ACS:caveat:…`, which no policy allows) |
//! | `control_set.sensitivity` | list | `LES`: LES; `PR`: PROPIN; `PCII`, `PII`, `PHI`, `INT`, `TEI`: `ACS:sensitivity:…` |
//! | `control_set.shareability` | list | `ALL`: nothing; others `ACS:shareability:…` |
//! | `control_set.entity` | list | with `ALL` or `GOV`: nothing; else `ACS:entity` |
//! | `control_set.permitted_nationalities` | list of codes or `ALL` | REL TO those codes |
//! | `control_set.permitted_organizations` | list (`CODE.ORG` or `ALL`) | REL TO the codes before `.` |
//! | `further_sharing` | list of `{sharing_scope: [..], rule_effect: permit/deny}` | REL TO the permitted codes less the denied ones; denies without permits: nobody |
//! | `access_privilege` | list of `{privilege_action, privilege_scope, rule_effect}` | a permit whose scope is `ALL` throughout: nothing; anything else `ACS:access_privilege:…` |
//! | `name` | string | a marking it states (only tightens); else free text `stix.free_statements` must match, or it denies |
//! | `responsible_entity_*` | organisation code `CCC[.ORG…]` | nothing (other text denies) |
//! | `identifier`, `policy_reference`, `create_date_time`, `authority_reference`, the classification and release records | typed | nothing |

use std::collections::BTreeSet;

use super::LabelError;
use crate::format::json::{Object, Value};
use crate::label::{Code, Control, Label, RelTo, Releasability, closed};
use crate::policy::Policy;
use crate::release::free_text::{FreeText, is_free};

/// The ACS 3.0 marking extension's definition id.
pub const EXTENSION: &str = "extension-definition--3a65884d-005a-4290-8335-cb2d778a83ce";

type Acs<T> = Result<T, String>;

fn string<'v>(v: &'v Value<'_>, at: &str) -> Acs<&'v str> {
    v.as_str().ok_or_else(|| format!("`{at}` is not a string"))
}

fn list<'v>(v: &'v Value<'_>, at: &str) -> Acs<Vec<&'v str>> {
    let a = v.as_array().ok_or_else(|| format!("`{at}` is not a list"))?;
    if a.is_empty() {
        return Err(format!("`{at}` is an empty list"));
    }
    a.iter().map(|x| string(x, at)).collect()
}

fn object<'v, 'a>(v: &'v Value<'a>, at: &str) -> Acs<&'v Object<'a>> {
    v.as_object().ok_or_else(|| format!("`{at}` is not an object"))
}

/// An object whose fields are all strings (or lists of strings), from `known` only.
fn record(v: &Value<'_>, at: &str, known: &[&str]) -> Acs<()> {
    for (k, x) in object(v, at)?.iter() {
        if !known.contains(&k) {
            return Err(format!("`{at}.{k}` is not an ACS 3.0 field"));
        }
        if x.as_str().is_none() {
            list(x, &format!("{at}.{k}"))?;
        }
    }
    Ok(())
}

/// What a set of codes (`ALL` or `CODE[.ORG]`) permits.
enum Scope {
    All,
    Codes(BTreeSet<Code>),
}

fn scope(values: &[&str], at: &str) -> Acs<Scope> {
    let mut codes = BTreeSet::new();
    for v in values {
        if *v == "ALL" {
            return Ok(Scope::All);
        }
        let head = v.split('.').next().unwrap_or(v);
        codes.insert(Code::parse(head).map_err(|e| format!("`{at}`: {e}"))?);
    }
    Ok(Scope::Codes(codes))
}

fn releasable(s: Scope) -> Releasability {
    match s {
        Scope::All => Releasability::Unrestricted,
        Scope::Codes(c) => RelTo::new(c).map_or(Releasability::Nobody, Releasability::To),
    }
}

/// The label of one ACS 3.0 extension value (`v`) on definition `id`.
pub(super) fn label(v: &Value<'_>, id: &str, policy: &Policy) -> Result<Label, LabelError> {
    read(v, policy)
        .map(|l| closed(l.said_by(id), &policy.schemes))
        .map_err(|e| ("acs-marking", format!("`{id}`: {e}")))
}

fn read(v: &Value<'_>, policy: &Policy) -> Acs<Label> {
    let ext = object(v, "extension")?;
    let mut label = Label::default();
    let mut control_set = None;
    let mut named: Option<Label> = None;
    let unknown = |label: &mut Label, what: String| {
        label.controls.insert(Control::Unknown(format!("ACS:{what}")));
    };
    for (k, x) in ext.iter() {
        match k {
            "extension_type" => {
                if string(x, k)? != "property-extension" {
                    return Err("`extension_type` is not `property-extension`".into());
                }
            }
            // The name is what a reader is shown: a marking it states only tightens, one it
            // mentions but does not state exactly makes the marking unreadable, and a name that
            // states no marking goes only as free text the policy lets go (SA01d).
            "name" => {
                let name = string(x, k)?;
                match super::marking_text(name, policy, "acs") {
                    Ok(Some(l)) => named = Some(l),
                    Ok(None) if is_free(name, FreeText::Statement, policy) => {}
                    Ok(None) => {
                        let shown: String = name.chars().take(120).collect();
                        return Err(format!(
                            "`name` `{shown}` states no marking, and no pattern of `stix.free_statements` lets it go as free text"
                        ));
                    }
                    Err((_, e)) => return Err(format!("`name`: {e}")),
                }
            }
            // An entity is an organisation code (`USA.DHS.US-CERT`), not text a reader could
            // take for a handling instruction (`USA ONLY`).
            "responsible_entity_custodian" | "responsible_entity_originator" => {
                let e = string(x, k)?;
                if !entity_code(e) {
                    let shown: String = e.chars().take(120).collect();
                    return Err(format!(
                        "`{k}` `{shown}` is not an organisation code (`CCC` or `CCC.ORG…`)"
                    ));
                }
            }
            "identifier" | "policy_reference" | "create_date_time" => {
                string(x, k)?;
            }
            "authority_reference" => {
                list(x, k)?;
            }
            "original_classification" => record(
                x,
                k,
                &[
                    "classified_by",
                    "classified_on",
                    "classification_reason",
                    "compilation_reason",
                ],
            )?,
            "derivative_classification" => record(x, k, &["classified_by", "classified_on", "derived_from"])?,
            "declassification" => record(
                x,
                k,
                &["declass_exemption", "declass_period", "declass_date", "declass_event"],
            )?,
            "resource_disposition" => record(x, k, &["disposition_date", "disposition_process"])?,
            "public_release" => record(x, k, &["released_by", "released_on"])?,
            "control_set" => control_set = Some(object(x, k)?),
            "further_sharing" => {
                label.releasable_to = label.releasable_to.meet(&further_sharing(x)?);
            }
            "access_privilege" => {
                let rules = x.as_array().ok_or("`access_privilege` is not a list")?;
                for r in rules {
                    let r = object(r, k)?;
                    let mut all = true;
                    let mut action = "";
                    for (f, y) in r.iter() {
                        match f {
                            "privilege_action" => action = string(y, "access_privilege.privilege_action")?,
                            "rule_effect" => match string(y, "access_privilege.rule_effect")? {
                                "permit" => {}
                                "deny" => all = false,
                                other => return Err(format!("`access_privilege.rule_effect` `{other}`")),
                            },
                            "privilege_scope" => {
                                for (g, z) in object(y, "access_privilege.privilege_scope")?.iter() {
                                    if ![
                                        "permitted_nationalities",
                                        "permitted_organizations",
                                        "shareability",
                                        "entity",
                                    ]
                                    .contains(&g)
                                    {
                                        return Err(format!(
                                            "`access_privilege.privilege_scope.{g}` is not an ACS 3.0 field"
                                        ));
                                    }
                                    all &= list(z, g)? == ["ALL"];
                                }
                            }
                            other => return Err(format!("`access_privilege.{other}` is not an ACS 3.0 field")),
                        }
                    }
                    if !all {
                        unknown(&mut label, format!("access_privilege:{action}"));
                    }
                }
            }
            other => return Err(format!("`{other}` is not an ACS 3.0 field")),
        }
    }
    let cs = control_set.ok_or("no `control_set`")?;
    let mut level = None;
    for (k, x) in cs.iter() {
        if k == "classification" {
            let c = string(x, "control_set.classification")?;
            let s = &policy.scheme;
            let i = s
                .levels
                .iter()
                .position(|l| l.portion.as_deref() == Some(c) || l.name == c)
                .ok_or_else(|| format!("classification `{c}` is not a level of scheme `{}`", s.name))?;
            level = s.classification(i);
            continue;
        }
        let at = format!("control_set.{k}");
        let words = list(x, &at)?;
        match k {
            "formal_determination" => {
                for w in words {
                    match w {
                        "NF" => {
                            label.controls.insert(Control::Noforn);
                            label.releasable_to = Releasability::Nobody;
                        }
                        "FOUO" => {
                            label.controls.insert(Control::Fouo);
                        }
                        "PUBREL"
                        | "AIS"
                        | "PII-NOT-PRESENT"
                        | "INFORMATION-DIRECTLY-RELATED-TO-CYBERSECURITY-THREAT" => {}
                        other => return Err(format!("`{at}` value `{other}` is not one ACS 3.0 documents")),
                    }
                }
            }
            "caveat" => {
                for w in words {
                    match Control::from_word(w) {
                        Control::Unknown(_) => unknown(&mut label, format!("caveat:{w}")),
                        c => {
                            label.controls.insert(c);
                        }
                    }
                }
            }
            "sensitivity" => {
                for w in words {
                    match w {
                        "LES" => {
                            label.controls.insert(Control::Les);
                        }
                        "PR" => {
                            label.controls.insert(Control::Propin);
                        }
                        "PCII" | "PII" | "PHI" | "INT" | "TEI" => unknown(&mut label, format!("sensitivity:{w}")),
                        other => return Err(format!("`{at}` value `{other}` is not one ACS 3.0 documents")),
                    }
                }
            }
            "shareability" => {
                for w in words.iter().filter(|w| **w != "ALL") {
                    unknown(&mut label, format!("shareability:{w}"));
                }
            }
            "entity" => {
                const ENTITIES: &[&str] = &["ALL", "GOV", "MIL", "CTR", "SVR", "SVC", "DEV", "NET"];
                if let Some(w) = words.iter().find(|w| !ENTITIES.contains(w)) {
                    return Err(format!("`{at}` value `{w}` is not one ACS 3.0 documents"));
                }
                if !words.iter().any(|w| *w == "ALL" || *w == "GOV") {
                    unknown(&mut label, "entity".into());
                }
            }
            "permitted_nationalities" | "permitted_organizations" => {
                let to = releasable(scope(&words, &at)?);
                label.releasable_to = label.releasable_to.meet(&to);
            }
            other => return Err(format!("`control_set.{other}` is not an ACS 3.0 field")),
        }
    }
    label.classification = Some(level.ok_or("`control_set.classification` is missing")?);
    match named {
        Some(n) => label.combine(&n, &policy.schemes).map_err(|e| format!("`name`: {e}")),
        None => Ok(label),
    }
}

/// An ACS organisation code: three capital letters (a country or `ALL`-like code), then any
/// number of `.`-separated parts of ASCII letters, digits, `-` and `_` (`USA.DOD.DC3`).
fn entity_code(s: &str) -> bool {
    let mut parts = s.split('.');
    let head = parts.next().unwrap_or_default();
    head.len() == 3
        && head.bytes().all(|b| b.is_ascii_uppercase())
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// `further_sharing`: the permitted scopes less the denied ones (deny wins; a denied
/// organisation denies its whole country). Denies with no permit: nobody, since "everyone but"
/// has no label.
fn further_sharing(v: &Value<'_>) -> Acs<Releasability> {
    let rules = v.as_array().ok_or("`further_sharing` is not a list")?;
    let mut permit: Option<Scope> = None;
    let mut deny: BTreeSet<Code> = BTreeSet::new();
    let mut deny_all = false;
    for r in rules {
        let r = object(r, "further_sharing")?;
        let mut effect = None;
        let mut scopes = None;
        for (k, x) in r.iter() {
            match k {
                "rule_effect" => effect = Some(string(x, "further_sharing.rule_effect")?),
                "sharing_scope" => scopes = Some(list(x, "further_sharing.sharing_scope")?),
                other => return Err(format!("`further_sharing.{other}` is not an ACS 3.0 field")),
            }
        }
        let s = scope(
            &scopes.ok_or("a `further_sharing` rule without `sharing_scope`")?,
            "further_sharing.sharing_scope",
        )?;
        match effect.ok_or("a `further_sharing` rule without `rule_effect`")? {
            "permit" => {
                permit = Some(match (permit, s) {
                    (Some(Scope::All), _) | (_, Scope::All) => Scope::All,
                    (Some(Scope::Codes(mut a)), Scope::Codes(b)) => {
                        a.extend(b);
                        Scope::Codes(a)
                    }
                    (None, s) => s,
                })
            }
            "deny" => match s {
                Scope::All => deny_all = true,
                Scope::Codes(c) => deny.extend(c),
            },
            other => return Err(format!("`further_sharing.rule_effect` `{other}`")),
        }
    }
    if deny_all {
        return Ok(Releasability::Nobody);
    }
    Ok(match permit {
        None if deny.is_empty() => Releasability::Unrestricted,
        None => Releasability::Nobody,
        Some(Scope::All) if deny.is_empty() => Releasability::Unrestricted,
        Some(Scope::All) => Releasability::Nobody,
        Some(Scope::Codes(c)) => releasable(Scope::Codes(c.difference(&deny).copied().collect())),
    })
}
