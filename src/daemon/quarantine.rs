//! The quarantine: what may not go, kept with its reasons for a human to look at.
//!
//! Each entry is `<id>` (the original bytes, or the original directory entry itself when it was
//! not a readable regular file: a link is moved, never followed) and `<id>.reason.json`.

use std::path::Path;

use serde::Serialize;

use super::spool;

/// Why a message was quarantined: one variant per anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuarantineReason {
    /// The content is none of the formats the policy allows, or does not parse by its grammar.
    ParseError,
    /// The policy let nothing go (or, all-or-nothing, not everything).
    PolicyRejection,
    /// The rendered output did not verify (not a fixpoint): the guard refused its own output.
    VerificationFailed,
    /// Zero bytes, or only white space.
    Empty,
    /// Over the channel's or the policy's byte limit.
    Oversized,
    /// A symbolic link, directory, fifo, socket or device: moved by name, never opened.
    NotARegularFile,
    /// The file could not be opened or read.
    Unreadable,
    /// The same bytes were already decided on this route under another name.
    Duplicate,
    /// The guard panicked on this message (fail secure).
    Panic,
    /// The released output could not be written.
    OutputError,
    /// The guard released the message, and the second, independent verifier did not pass its
    /// output: both opinions are in the reason file.
    VerifierDisagrees,
    /// The second verifier gave no verdict (it died, hung past its deadline, answered garbage or
    /// could not start): nothing is released without it.
    VerifierFailed,
}

impl QuarantineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineReason::ParseError => "parse-error",
            QuarantineReason::PolicyRejection => "policy-rejection",
            QuarantineReason::VerificationFailed => "verification-failed",
            QuarantineReason::Empty => "empty",
            QuarantineReason::Oversized => "oversized",
            QuarantineReason::NotARegularFile => "not-a-regular-file",
            QuarantineReason::Unreadable => "unreadable",
            QuarantineReason::Duplicate => "duplicate",
            QuarantineReason::Panic => "panic",
            QuarantineReason::OutputError => "output-error",
            QuarantineReason::VerifierDisagrees => "verifier-disagrees",
            QuarantineReason::VerifierFailed => "verifier-failed",
        }
    }

    pub fn all() -> [QuarantineReason; 12] {
        [
            QuarantineReason::ParseError,
            QuarantineReason::PolicyRejection,
            QuarantineReason::VerificationFailed,
            QuarantineReason::Empty,
            QuarantineReason::Oversized,
            QuarantineReason::NotARegularFile,
            QuarantineReason::Unreadable,
            QuarantineReason::Duplicate,
            QuarantineReason::Panic,
            QuarantineReason::OutputError,
            QuarantineReason::VerifierDisagrees,
            QuarantineReason::VerifierFailed,
        ]
    }

    pub fn parse(s: &str) -> Option<QuarantineReason> {
        QuarantineReason::all().into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for QuarantineReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule that decided, with where (for `<id>.reason.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub detail: String,
    pub at: String,
}

/// The content of `<id>.reason.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonFile<'a> {
    pub verdict: &'static str,
    pub reason: QuarantineReason,
    pub channel: &'a str,
    /// The routes this entry stands for.
    pub routes: Vec<&'a str>,
    pub input: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_hex: Option<&'a str>,
    pub input_id: &'a str,
    pub input_sha256: Option<&'a str>,
    pub input_bytes: u64,
    pub time: String,
    pub findings: &'a [Finding],
}

/// Stage a copy of `bytes` as `dir/<id>` with its reason file (they appear at the next commit).
pub fn keep_bytes(
    stager: &spool::Stager,
    dir: &Path,
    id: &str,
    bytes: &[u8],
    reason: &ReasonFile<'_>,
) -> std::io::Result<()> {
    stager.stage(dir, id, bytes)?;
    write_reason(stager, dir, id, reason)
}

/// Stage `dir/<id>.reason.json`.
pub fn write_reason(stager: &spool::Stager, dir: &Path, id: &str, reason: &ReasonFile<'_>) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(reason).map_err(std::io::Error::other)?;
    json.push(b'\n');
    stager.stage(dir, &format!("{id}.reason.json"), &json)
}
