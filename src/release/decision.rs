//! What the guard decided about each unit of a message, whatever its format: the record that
//! `--explain`, rejection reasons and the audit log are made of.

use std::borrow::Cow;

use serde::Serialize;

use crate::label::Label;

/// What happened to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitVerdict {
    /// The unit goes.
    Keep,
    /// The object (or the XML document or element) stays behind.
    Drop,
    /// The property or list element (or XML attribute or namespace declaration) is removed from a unit that goes.
    Remove,
    /// Text in the unit was replaced (a redaction rule or dirty word).
    Redact,
    /// The whole message is rejected because of this unit.
    Reject,
}

/// One decision, for `--explain` and the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct UnitDecision {
    /// Where: a STIX object id with a JSON pointer for a property (`indicator--…/description`),
    /// or an XML element path (`/mb:BindingInformation/mb:Data/alert/info[1]`).
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    pub rule: Cow<'static, str>,
    pub verdict: UnitVerdict,
    pub detail: String,
}
