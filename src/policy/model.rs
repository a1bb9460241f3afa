//! The policy as the guard uses it: loaded and validated (see the parent module for how), then
//! asked about each unit ([`super::decide`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::diagnostic::Diagnostic;
use super::sanitise::{AddressRule, TextRules};
use crate::format::Format;
use crate::label::{Classification, Code, Control, Scheme, Schemes, Tlp};
use crate::limits::Limits;

/// What happens to a message with units that may not go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Release what may go, drop the rest.
    Drop,
    /// Any unit that may not go rejects the whole message.
    AllOrNothing,
}

/// What happens to an object of a type the guard does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownAction {
    Drop,
    Reject,
}

/// A loaded, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub partner: Code,
    pub formats: Vec<Format>,
    pub mode: Mode,
    pub schemes: Schemes,
    /// This side's scheme.
    pub scheme: Scheme,
    pub ceiling: Classification,
    pub require_releasable_to_partner: bool,
    pub forbidden_controls: BTreeSet<Control>,
    pub allowed_controls: BTreeSet<Control>,
    pub tlp_allowed: BTreeSet<Tlp>,
    pub tlp_required: bool,
    pub pass_when_referenced: BTreeSet<String>,
    pub allowed_types: BTreeSet<String>,
    pub unknown_types: UnknownAction,
    /// Per type, the properties that may cross.
    pub properties: BTreeMap<String, BTreeSet<String>>,
    pub custom_properties: BTreeSet<String>,
    pub extensions: BTreeSet<String>,
    /// Free-text marking statements that may go: regular expressions, each matched against the
    /// whole statement (validated when the policy is loaded).
    pub free_statements: Vec<String>,
    /// Dirty-word lists, then redactions, in the order the file gives them.
    pub text_rules: Arc<TextRules>,
    pub address_rules: Vec<AddressRule>,
    /// Rules for XML messages, when the policy allows them.
    pub xml: Option<XmlPolicy>,
    pub limits: Limits,
    /// Threads one message may be worked on by ([`crate::parallel`]): not read from the rule
    /// file. One when loaded (the daemon runs a worker per core already); one-shot commands raise
    /// it to [`crate::parallel::Parallel::available`].
    pub parallel: crate::parallel::Parallel,
    /// SHA-256 of the resolved rule file (the file itself when it extends and includes nothing):
    /// the policy's version, for the audit log.
    pub sha256: String,
    /// Findings that do not stop the policy from loading, located like errors.
    pub(super) warnings: Vec<Diagnostic>,
}

/// The `[xml]` rules, validated.
#[derive(Debug, Clone)]
pub struct XmlPolicy {
    pub options: crate::format::xml::Options,
    pub unknown_elements: UnknownAction,
    pub tlp_required: bool,
    /// 4774 policy identifier → scheme name (a scheme of the policy).
    pub policy_identifiers: BTreeMap<String, String>,
    pub releasable_to: BTreeSet<String>,
    pub cleared_restrictive: BTreeSet<String>,
    /// CAP `restriction` texts of free text that may go: regular expressions, each matched
    /// against the whole text (validated when the policy is loaded).
    pub free_restrictions: Vec<String>,
    /// Free texts of a 4774 label that may go (`PrivacyMark`, INFORMATIVE category names and
    /// values): regular expressions, each matched against the whole text (validated when the
    /// policy is loaded).
    pub free_label_texts: Vec<String>,
    /// Namespace URI → what may cross in it.
    pub namespaces: BTreeMap<String, XmlNamespace>,
}

/// The elements and attributes of one namespace that may cross.
#[derive(Debug, Clone, Default)]
pub struct XmlNamespace {
    pub elements: BTreeSet<String>,
    pub attributes: BTreeSet<String>,
}

impl Policy {
    /// Things an author probably did not mean, which do not stop the policy from loading, each
    /// located like an error.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether objects of STIX type `t` may go at all.
    pub fn allows_type(&self, t: &str) -> bool {
        self.allowed_types.contains(t) || self.pass_when_referenced.contains(t)
    }
}
