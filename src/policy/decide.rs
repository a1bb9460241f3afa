//! Deciding one unit from its label alone: a function of (label, policy, partner).

use serde::Serialize;

use super::model::Policy;
use crate::label::{Label, Releasability};

/// Whether a unit may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Release,
    Deny,
}

/// A verdict, the rule that gave it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// The rule's id, e.g. `classification-ceiling`, `forbidden-control`, `releasable`.
    pub rule: &'static str,
    pub detail: String,
}

impl Decision {
    pub fn release(rule: &'static str, detail: impl Into<String>) -> Decision {
        Decision {
            verdict: Verdict::Release,
            rule,
            detail: detail.into(),
        }
    }
    pub fn deny(rule: &'static str, detail: impl Into<String>) -> Decision {
        Decision {
            verdict: Verdict::Deny,
            rule,
            detail: detail.into(),
        }
    }
    pub fn released(&self) -> bool {
        self.verdict == Verdict::Release
    }
}

impl Policy {
    /// Decide a unit by its label. Every rule must pass; the first that fails decides.
    pub fn decide(&self, label: &Label) -> Decision {
        self.decide_with(label, self.tlp_required)
    }

    /// [`Policy::decide`], with the TLP-required rule given: definitions that pass when
    /// referenced are judged without it.
    pub fn decide_with(&self, label: &Label, tlp_required: bool) -> Decision {
        let partner = self.partner;
        if let Some(c) = label.controls.iter().find(|c| self.forbidden_controls.contains(c)) {
            return Decision::deny("forbidden-control", format!("`{c}` is never released"));
        }
        if let Some(c) = &label.classification {
            match self.schemes.compare(c, &self.ceiling) {
                Err(e) => return Decision::deny("classification-unknown", e.to_string()),
                Ok(std::cmp::Ordering::Greater) => {
                    return Decision::deny(
                        "classification-ceiling",
                        format!(
                            "`{}` ({}) is above the ceiling `{}`",
                            c.level, c.scheme, self.ceiling.level
                        ),
                    );
                }
                Ok(_) => {}
            }
            let classified = self.schemes.rank(c).map_or(true, |r| r > 0);
            let rel_to_partner = matches!(&label.releasable_to, Releasability::To(set) if set.contains(partner));
            if classified && self.require_releasable_to_partner && !rel_to_partner {
                return Decision::deny(
                    "rel-to-partner",
                    format!("classified `{}` without `REL TO` {partner}", c.level),
                );
            }
        }
        if !label.releasable_to.permits(partner) {
            return Decision::deny("releasability", format!("not releasable to {partner}"));
        }
        if let Some(c) = label.controls.iter().find(|c| !self.allowed_controls.contains(c)) {
            return Decision::deny("unknown-control", format!("`{c}` is not a control this policy allows"));
        }
        match label.tlp {
            Some(t) if !self.tlp_allowed.contains(&t) => Decision::deny("tlp", format!("{} may not go", t.as_str())),
            None if tlp_required => Decision::deny("tlp-missing", "no TLP marking"),
            _ => Decision::release("releasable", "every rule passed"),
        }
    }
}
