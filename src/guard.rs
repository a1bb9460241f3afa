//! One message through the guard: parse → label and decide → rebuild → render → verify.
//!
//! The stages are types: only a [`Verified`] output can be emitted, and only [`filter`] makes
//! one, after the rendered bytes were parsed and decided again under the same policy and came
//! back released, unchanged and byte-identical (a fixpoint). Every failure is a [`Rejection`]
//! with its reasons: the guard never fails open.

use serde::Serialize;

use crate::error::{ParseError, Position};
use crate::format::Format;
use crate::policy::Policy;
use crate::release::decision::{UnitDecision, UnitVerdict};
use crate::release::{Labelled, Stix, Xml};

/// Bytes that passed verification. The only thing an output channel accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified(Vec<u8>);

impl Verified {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// A released message.
#[derive(Debug)]
pub struct Released {
    pub format: Format,
    /// The extension a file of this output has (without the dot).
    pub extension: &'static str,
    pub output: Verified,
    pub report: Report,
}

/// What the guard did to a message, for the caller, `--explain` and the audit log.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub decisions: Vec<UnitDecision>,
    pub objects_in: usize,
    pub objects_out: usize,
    pub dropped: usize,
    pub removed: usize,
    pub redactions: usize,
}

/// Why a message was not released: what kind of failure, and the rules that decided, with where.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{}", .reasons.first().map_or("rejected".to_string(), |r| r.to_string()))]
pub struct Rejection {
    /// The kind, for a caller that acts on it (the daemon's quarantine reason): exhaustive, so
    /// a new kind cannot be missed. Not serialised: the JSON stays the reasons.
    #[serde(skip)]
    pub kind: RejectionKind,
    pub reasons: Vec<Reason>,
    #[serde(skip)]
    pub report: Report,
}

/// The kinds of rejection, in the order the guard meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// Over the policy's `max_input_bytes`.
    Oversized,
    /// Zero bytes, or only white space.
    Empty,
    /// None of the formats the policy allows (or plain JSON, which carries no label).
    UnknownFormat,
    /// The format's strict grammar refused it.
    Parse,
    /// The policy let nothing go (or, all-or-nothing, not everything).
    Policy,
    /// The guard's own output did not verify: not a fixpoint.
    Unstable,
}

/// One reason for a rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: String,
    pub detail: String,
    /// The unit (object id and pointer) or input position it concerns.
    pub at: String,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.at, self.rule, self.detail)
    }
}

impl Rejection {
    fn one(kind: RejectionKind, rule: &str, detail: impl Into<String>, at: impl Into<String>) -> Rejection {
        Rejection {
            kind,
            reasons: vec![Reason {
                rule: rule.into(),
                detail: detail.into(),
                at: at.into(),
            }],
            report: Report::default(),
        }
    }

    fn parse(input: &[u8], e: &ParseError) -> Rejection {
        let at = Position::locate(input, e.offset);
        let at = match &e.pointer {
            Some(p) => format!("{at} {p}"),
            None => at.to_string(),
        };
        Rejection::one(RejectionKind::Parse, e.rule, e.detail.to_string(), at)
    }
}

/// The format of `input`, from its content, among those `policy` allows.
pub fn detect(input: &[u8], policy: &Policy) -> Option<Format> {
    let first = input.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    match first {
        b'{' if policy.formats.contains(&Format::Stix) => Some(Format::Stix),
        b'<' if policy.formats.contains(&Format::Xml) => Some(Format::Xml),
        _ => None,
    }
}

/// Filter one message under `policy`.
pub fn filter(input: &[u8], policy: &Policy) -> Result<Released, Rejection> {
    let limits = &policy.limits;
    if input.len() > limits.max_input_bytes {
        return Err(Rejection::one(
            RejectionKind::Oversized,
            "max_input_bytes",
            format!(
                "message is {} bytes, the limit is {}",
                input.len(),
                limits.max_input_bytes
            ),
            "message",
        ));
    }
    if input.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Rejection::one(
            RejectionKind::Empty,
            "empty",
            "the message is empty",
            "message",
        ));
    }
    let Some(format) = detect(input, policy) else {
        let allowed: Vec<String> = policy.formats.iter().map(|f| format!("{f:?}").to_lowercase()).collect();
        return Err(Rejection::one(
            RejectionKind::UnknownFormat,
            "format",
            format!(
                "the content is none of the formats this policy allows ({})",
                allowed.join(", ")
            ),
            "byte 0",
        ));
    };
    match format {
        Format::Stix => filter_as::<Stix>(input, policy),
        Format::Xml => filter_as::<Xml>(input, policy),
        Format::Json => Err(Rejection::one(
            RejectionKind::UnknownFormat,
            "format",
            "plain JSON carries no labels and is never released",
            "byte 0",
        )),
    }
}

/// Filter one message of format `F`: parse, release, render, and verify the rendering.
fn filter_as<F: Labelled>(input: &[u8], policy: &Policy) -> Result<Released, Rejection> {
    let model = F::parse(input, policy, true).map_err(|e| Rejection::parse(input, &e))?;
    let (release, read) = F::release(model, policy, &F::Read::default());
    let report = Report {
        objects_in: release.units_in,
        objects_out: release.units_out,
        dropped: release.dropped,
        removed: release.removed,
        redactions: release.redactions,
        decisions: release.decisions.into_vec(),
    };
    let Some(model) = release.output else {
        let mut reasons = reasons(&report);
        if reasons.is_empty() {
            reasons.push(Reason {
                rule: "nothing-releasable".into(),
                detail: "the message is not released".into(),
                at: "message".into(),
            });
        }
        return Err(Rejection {
            kind: RejectionKind::Policy,
            reasons,
            report,
        });
    };
    let rendered = F::render_on(&model, policy.parallel);
    // The model is done with: verifying parses the output into a second one.
    drop(model);
    let output = verify::<F>(&rendered, policy, &read).map_err(|mut r| {
        r.report = report.clone();
        r
    })?;
    Ok(Released {
        format: F::FORMAT,
        extension: F::EXTENSION,
        output,
        report,
    })
}

/// The reasons a message with no output was not released: the units that rejected it, or, when
/// none did (all-or-nothing, or nothing left), every unit that may not go.
fn reasons(report: &Report) -> Vec<Reason> {
    let reason = |d: &UnitDecision| Reason {
        rule: d.rule.to_string(),
        detail: d.detail.clone(),
        at: d.unit.clone(),
    };
    let rejecting: Vec<Reason> = report
        .decisions
        .iter()
        .filter(|d| d.verdict == UnitVerdict::Reject)
        .map(reason)
        .collect();
    if rejecting.is_empty() {
        report
            .decisions
            .iter()
            .filter(|d| d.verdict != UnitVerdict::Keep)
            .map(reason)
            .collect()
    } else {
        rejecting
    }
}

/// The fixpoint every format's output must reach: the rendered bytes parse again (with the
/// strictest options: the renderer writes no comment or CDATA), deciding them again changes
/// nothing, they are still released, and they render to the very same bytes. Deciding again
/// does every step again, on the model parsed from the output; only a string the first release
/// read and found clean (`read`), the same bytes in a place the same rules select in an object
/// of the same label, is not read again by the text and address rules: their readings are
/// functions of those alone. What a redaction wrote, and whatever the rendering changed, is read.
fn verify<F: Labelled>(rendered: &[u8], policy: &Policy, read: &F::Read) -> Result<Verified, Rejection> {
    let again = F::parse(rendered, policy, false).map_err(|e| unstable(format!("the output does not parse: {e}")))?;
    let (release, _) = F::release(again, policy, read);
    if let Some(d) = release.decisions.iter().find(|d| d.verdict != UnitVerdict::Keep) {
        return Err(unstable(format!(
            "deciding the output again changes it ({}: {}: {})",
            d.unit, d.rule, d.detail
        )));
    }
    let Some(second) = release.output.map(|m| F::render_on(&m, policy.parallel)) else {
        return Err(unstable("the output is not released when decided again".into()));
    };
    if second != rendered {
        return Err(unstable("rendering the output again gives different bytes".into()));
    }
    Ok(Verified(second))
}

fn unstable(detail: String) -> Rejection {
    Rejection::one(RejectionKind::Unstable, "unstable", detail, "output")
}

/// Test-only fault injection, compiled into debug builds only: with
/// `SEKISHO_TEST_GUARD_FAULT=panic`, a message containing `PANIC-TRIGGER!` makes the guard panic,
/// so that tests can show a panic quarantines the message and the daemon carries on.
#[cfg(debug_assertions)]
#[doc(hidden)]
pub fn inject_test_panic(input: &[u8]) {
    if std::env::var("SEKISHO_TEST_GUARD_FAULT").as_deref() == Ok("panic")
        && input.windows(14).any(|w| w == b"PANIC-TRIGGER!")
    {
        panic!("test-only fault: the guard panics on this message");
    }
}

/// Test-only fault injection, compiled into debug builds only: with
/// `SEKISHO_TEST_GUARD_FAULT=red`, a released output has its TLP CLEAR and GREEN markings turned
/// into TLP RED — a deliberately wrong output, for the second verifier to catch.
#[cfg(debug_assertions)]
#[doc(hidden)]
pub fn inject_test_fault(mut released: Released) -> Released {
    if std::env::var("SEKISHO_TEST_GUARD_FAULT").as_deref() != Ok("red") {
        return released;
    }
    const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
    let mut text = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
    for id in [
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    ] {
        text = text.replace(&format!("\"{id}\"]"), &format!("\"{RED}\"]"));
    }
    released.output = Verified(text.into_bytes());
    released
}
