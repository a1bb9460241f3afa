//! The quarantine: what may not go, kept with its reasons for a human to look at.
//!
//! Each entry is `<id>` and `<id>.reason.json`. `<id>` is the original bytes (per route), the
//! original file moved there (when it was empty, oversized or unreadable, for every route), or —
//! for a symbolic link, fifo, socket or device — an empty file, a copy of nothing: the entry
//! itself is removed, never kept as a live link, and the reason says what it was and pointed to.
//!
//! Names (the same after a crash and a redo, so a redo replaces rather than doubles):
//! `<mtime>-<input sha-256 prefix>-<tag>-<route>` for a copy of the bytes,
//! `<mtime>-<tag>-entry` for a moved file, `<mtime>-<tag>-<kind>` for a copy of nothing, where
//! `<mtime>` is the input's modification time (`20261205T030000.123456789Z`) and `<tag>` eight hex
//! digits of the sha-256 of its name and entry identity (two inputs with the same bytes and time
//! never share a name).

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
    /// A JetStream message delivered more than `max_deliveries` times (no guard finished it):
    /// kept unparsed, never dropped.
    Undeliverable,
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
            QuarantineReason::Undeliverable => "undeliverable",
        }
    }

    pub fn all() -> [QuarantineReason; 13] {
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
            QuarantineReason::Undeliverable,
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
    /// What the entry was, when it was not a regular file (kind, link target, device numbers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<serde_json::Value>,
    /// Every decision on the message's units: unit, label, rule, verdict, detail.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub decisions: &'a [crate::release::stix::UnitDecision],
    /// The same as `sekisho filter --explain` prints it, one line per unit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<String>,
}

/// The `<mtime>` and `<tag>` of a quarantine name, from the input's name and entry identity
/// (`inode-mtime_ns-size`).
pub fn name_parts(name: &[u8], input_id: &str) -> (String, String) {
    use sha2::Digest;
    let mtime = input_id
        .split('-')
        .nth(1)
        .and_then(|t| t.parse::<i128>().ok())
        .unwrap_or(0);
    let mut h = sha2::Sha256::new();
    h.update(name);
    h.update([0]);
    h.update(input_id.as_bytes());
    let tag = hex::encode(h.finalize());
    (
        crate::audit::compact_utc(mtime),
        tag.get(..8).unwrap_or_default().to_string(),
    )
}

/// The name of a copy of an input's bytes for one route.
pub fn copy_name(name: &[u8], input_id: &str, sha256: &str, route: &str) -> String {
    let (time, tag) = name_parts(name, input_id);
    format!("{time}-{}-{tag}-{route}", sha256.get(..16).unwrap_or(sha256))
}

/// The name of an input moved into the quarantine (for every route).
pub fn entry_name(name: &[u8], input_id: &str) -> String {
    let (time, tag) = name_parts(name, input_id);
    format!("{time}-{tag}-entry")
}

/// The name of a copy of nothing standing for a link, fifo, socket or device.
pub fn nothing_name(name: &[u8], input_id: &str, kind: &str) -> String {
    let (time, tag) = name_parts(name, input_id);
    format!("{time}-{tag}-{kind}")
}

/// What a non-regular entry was, for its reason file: its kind, and where a link pointed or a
/// device's numbers. `None` for a regular file or a directory (those are moved, not replaced).
pub fn describe_entry(path: &Path, meta: &std::fs::Metadata) -> Option<(&'static str, serde_json::Value)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let t = meta.file_type();
    let kind = spool::entry_kind(meta);
    if t.is_symlink() {
        let target =
            std::fs::read_link(path).map_or_else(|e| format!("(unreadable: {e})"), |p| p.display().to_string());
        Some(("symlink", serde_json::json!({"kind": kind, "target": target})))
    } else if t.is_block_device() || t.is_char_device() {
        let dev = meta.rdev();
        let numbers = format!("{}:{}", rustix::fs::major(dev), rustix::fs::minor(dev));
        Some(("device", serde_json::json!({"kind": kind, "device": numbers})))
    } else if t.is_fifo() {
        Some(("fifo", serde_json::json!({"kind": kind})))
    } else if t.is_socket() {
        Some(("socket", serde_json::json!({"kind": kind})))
    } else {
        None
    }
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
