//! One message through the guard: parse → label and decide → rebuild → render → verify.
//!
//! The stages are types: only a [`Verified`] output can be emitted, and only [`filter`] makes
//! one, after the rendered bytes were parsed and decided again under the same policy and came
//! back released, unchanged and byte-identical (a fixpoint). Every failure is a [`Rejection`]
//! with its reasons: the guard never fails open.

use serde::Serialize;

use crate::error::{ParseError, Position};
use crate::format::Format;
use crate::format::stix;
use crate::format::xml;
use crate::policy::Policy;
use crate::release::decision::{UnitDecision, UnitVerdict};

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

/// Why a message was not released: the rules that decided, with where.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{}", .reasons.first().map_or("rejected".to_string(), |r| r.to_string()))]
pub struct Rejection {
    pub reasons: Vec<Reason>,
    #[serde(skip)]
    pub report: Report,
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
    fn one(rule: &str, detail: impl Into<String>, at: impl Into<String>) -> Rejection {
        Rejection {
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
        Rejection::one(e.rule, e.detail.to_string(), at)
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
        return Err(Rejection::one("empty", "the message is empty", "message"));
    }
    let Some(format) = detect(input, policy) else {
        let allowed: Vec<String> = policy.formats.iter().map(|f| format!("{f:?}").to_lowercase()).collect();
        return Err(Rejection::one(
            "format",
            format!(
                "the content is none of the formats this policy allows ({})",
                allowed.join(", ")
            ),
            "byte 0",
        ));
    };
    match format {
        Format::Stix => filter_stix(input, policy),
        Format::Xml => filter_xml(input, policy),
        Format::Json => Err(Rejection::one(
            "format",
            "plain JSON carries no labels and is never released",
            "byte 0",
        )),
    }
}

fn filter_stix(input: &[u8], policy: &Policy) -> Result<Released, Rejection> {
    let bundle = stix::parse_bundle(input, &policy.limits).map_err(|e| Rejection::parse(input, &e))?;
    let objects_in = bundle.objects.len();
    let release = crate::release::stix::release(bundle, policy);
    let objects_out = release.bundle.as_ref().map_or(0, |b| b.objects.len());
    let report = Report {
        objects_in,
        objects_out,
        dropped: release.dropped,
        removed: release.removed,
        redactions: release.redactions,
        decisions: release.decisions.into_vec(),
    };
    let Some(bundle) = release.bundle else {
        let reasons = reasons(&report);
        return Err(Rejection { reasons, report });
    };
    let rendered = bundle.render();
    // The model is done with: verifying parses the output into a second one.
    drop(bundle);
    let output = verify_stix(&rendered, policy).map_err(|mut r| {
        r.report = report.clone();
        r
    })?;
    Ok(Released {
        format: Format::Stix,
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

fn filter_xml(input: &[u8], policy: &Policy) -> Result<Released, Rejection> {
    let options = policy.xml.as_ref().map(|x| x.options).unwrap_or_default();
    let doc = xml::parse(input, &policy.limits, &options).map_err(|e| Rejection::parse(input, &e))?;
    let release = crate::release::xml::release(doc, policy);
    let report = Report {
        objects_in: release.elements_in,
        objects_out: release.elements_out,
        dropped: release.dropped,
        removed: release.removed,
        redactions: release.redactions,
        decisions: release.decisions.into_vec(),
    };
    let Some(doc) = release.document else {
        let mut reasons = reasons(&report);
        if reasons.is_empty() {
            reasons.push(Reason {
                rule: "nothing-releasable".into(),
                detail: "the message is not released".into(),
                at: "message".into(),
            });
        }
        return Err(Rejection { reasons, report });
    };
    let rendered = xml::render(&doc);
    drop(doc);
    let output = verify_xml(&rendered, policy).map_err(|mut r| {
        r.report = report.clone();
        r
    })?;
    Ok(Released {
        format: Format::Xml,
        output,
        report,
    })
}

/// [`verify_stix`] for XML: the rendered document must parse (with comments and CDATA
/// forbidden: the renderer writes neither), be released unchanged, and render to the same bytes.
fn verify_xml(rendered: &[u8], policy: &Policy) -> Result<Verified, Rejection> {
    let again = xml::parse(rendered, &policy.limits, &xml::Options::default())
        .map_err(|e| unstable(format!("the output does not parse: {e}")))?;
    let release = crate::release::xml::release(again, policy);
    fixpoint(
        rendered,
        &release.decisions.into_vec(),
        release.document.map(|d| xml::render(&d)),
    )
}

/// Parse and decide the rendered bytes again: they must come back released, with nothing dropped
/// or removed, and render to the very same bytes.
fn verify_stix(rendered: &[u8], policy: &Policy) -> Result<Verified, Rejection> {
    let again = stix::parse_bundle(rendered, &policy.limits)
        .map_err(|e| unstable(format!("the output does not parse: {e}")))?;
    let release = crate::release::stix::release(again, policy);
    fixpoint(
        rendered,
        &release.decisions.into_vec(),
        release.bundle.map(|b| b.render()),
    )
}

fn unstable(detail: String) -> Rejection {
    Rejection::one("unstable", detail, "output")
}

/// The fixpoint every format's output must reach: deciding it again changed nothing, it is still
/// released (`second` is its rendering then), and it renders to the very same bytes.
fn fixpoint(rendered: &[u8], decisions: &[UnitDecision], second: Option<Vec<u8>>) -> Result<Verified, Rejection> {
    if let Some(d) = decisions.iter().find(|d| d.verdict != UnitVerdict::Keep) {
        return Err(unstable(format!(
            "deciding the output again changes it ({}: {}: {})",
            d.unit, d.rule, d.detail
        )));
    }
    let Some(second) = second else {
        return Err(unstable("the output is not released when decided again".into()));
    };
    if second != rendered {
        return Err(unstable("rendering the output again gives different bytes".into()));
    }
    Ok(Verified(second))
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
