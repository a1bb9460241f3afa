//! The audit log: one JSON line per message and route, hash-chained so that any edit, insertion,
//! deletion or reordering of a record shows.
//!
//! ```text
//! record n  = { "seq": n, "time": …, "channel": …, …, "prev": hash(n-1) }   (the body)
//! line n    = body without its final `}` ++ `,"hash":"` ++ hash(n) ++ `"}`
//! hash(n)   = hex(sha-256(hash(n-1) ++ "\n" ++ body))          hash(-1) = 64 × "0"
//! ```
//!
//! The body is the exact text written, so the chain is checked on the bytes of the file, not on
//! a re-serialisation. Truncating the *last* records cannot be seen from the chain alone; keep the
//! last hash elsewhere (the daemon logs it at exit) to anchor it.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("audit.jsonl");
//! let (mut log, _) = sekisho::audit::AuditLog::open(&path).unwrap();
//! let mut r = sekisho::audit::Record::default();
//! r.channel = "demo".into();
//! log.append(&mut r).unwrap();
//! log.sync().unwrap();
//! assert_eq!(sekisho::audit::verify(&path).unwrap(), 1);
//! ```

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What became of one message on one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The verified output was emitted.
    Released,
    /// The original bytes (or the entry itself) are in quarantine, with the reason.
    #[default]
    Quarantined,
}

/// One audit record (the body; `hash` is added when it is written).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Position in the log, from 0.
    pub seq: u64,
    /// RFC 3339 UTC.
    pub time: String,
    pub channel: String,
    pub route: String,
    /// The input's file name (lossy UTF-8: control characters are escaped by JSON).
    pub input: String,
    /// The input's name in hex, when it is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_hex: Option<String>,
    /// The directory entry's identity when it was claimed (`inode-mtime_ns-size`): with the
    /// name, it tells a message processed before a crash from a new one of the same name.
    pub input_id: String,
    /// `urgent` or `routine`.
    pub lane: String,
    /// sha-256 of the input's bytes; absent when it could not be read (not a regular file,
    /// unreadable).
    pub input_sha256: Option<String>,
    pub input_bytes: u64,
    pub policy: String,
    pub policy_sha256: String,
    pub verdict: Verdict,
    /// Why it was quarantined (a [`crate::daemon::QuarantineReason`] name), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule ids that decided.
    pub rules: Vec<String>,
    /// Objects dropped, properties and list elements removed, and texts redacted.
    pub dropped: usize,
    pub removed: usize,
    #[serde(default)]
    pub redactions: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<u64>,
    /// The quarantine entry's name, if quarantined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<String>,
    pub prev: String,
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("line {line}: cannot read the log: {detail}")]
    Io { line: usize, detail: String },
    #[error("line {line}: not an audit record: {detail}")]
    Malformed { line: usize, detail: String },
    #[error("line {line} (seq {seq}): `seq` is {seq}, expected {expected} (a record was inserted, deleted or moved)")]
    Sequence { line: usize, seq: u64, expected: u64 },
    #[error(
        "line {line} (seq {seq}): `prev` does not match the hash of the record before (a record was inserted, deleted or moved)"
    )]
    Prev { line: usize, seq: u64 },
    #[error("line {line} (seq {seq}): the hash does not match the record (the record was edited)")]
    Hash { line: usize, seq: u64 },
}

impl ChainError {
    /// The 1-based line of the first broken record.
    pub fn line(&self) -> usize {
        match self {
            ChainError::Io { line, .. }
            | ChainError::Malformed { line, .. }
            | ChainError::Sequence { line, .. }
            | ChainError::Prev { line, .. }
            | ChainError::Hash { line, .. } => *line,
        }
    }
}

/// Errors opening the log for appending.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: the audit chain is broken: {source}")]
    Broken { path: String, source: ChainError },
}

fn chain_hash(prev: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Split a line into its body and hash: the line must end with `,"hash":"<64 hex>"}`.
fn split_line(line: &str) -> Option<(String, &str)> {
    const TAIL: usize = r#","hash":""}"#.len() + 64;
    let cut = line.len().checked_sub(TAIL)?;
    let (head, tail) = (line.get(..cut)?, line.get(cut..)?);
    let hash = tail.strip_prefix(r#","hash":""#)?.strip_suffix(r#""}"#)?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((format!("{head}}}"), hash))
}

/// Check one line against the chain so far; returns the record and its hash.
fn check_line(line: &str, n: usize, prev: &str, expected_seq: u64) -> Result<(Record, String), ChainError> {
    let lineno = n + 1;
    let (body, hash) = split_line(line).ok_or_else(|| ChainError::Malformed {
        line: lineno,
        detail: "it does not end with `,\"hash\":\"<sha-256>\"}`".into(),
    })?;
    let record: Record = serde_json::from_str(&body).map_err(|e| ChainError::Malformed {
        line: lineno,
        detail: e.to_string(),
    })?;
    if chain_hash(&record.prev, &body) != hash {
        return Err(ChainError::Hash {
            line: lineno,
            seq: record.seq,
        });
    }
    if record.prev != prev {
        return Err(ChainError::Prev {
            line: lineno,
            seq: record.seq,
        });
    }
    if record.seq != expected_seq {
        return Err(ChainError::Sequence {
            line: lineno,
            seq: record.seq,
            expected: expected_seq,
        });
    }
    Ok((record, hash.to_string()))
}

/// Read and check a whole log. Returns the records and the last hash, and the byte length of the
/// complete lines (a final line without its newline is a torn write and is not counted).
fn read_chain(reader: impl Read, allow_torn_tail: bool) -> Result<(Vec<Record>, String, u64), ChainError> {
    let mut reader = BufReader::new(reader);
    let mut records = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut good: u64 = 0;
    let mut buf = Vec::new();
    for n in 0.. {
        buf.clear();
        let read = reader.read_until(b'\n', &mut buf).map_err(|e| ChainError::Io {
            line: n + 1,
            detail: e.to_string(),
        })?;
        if read == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') && allow_torn_tail {
            break;
        }
        let line = std::str::from_utf8(&buf).map_err(|_| ChainError::Malformed {
            line: n + 1,
            detail: "not UTF-8".into(),
        })?;
        let line = line.strip_suffix('\n').unwrap_or(line);
        let (record, hash) = check_line(line, n, &prev, records.len() as u64)?;
        records.push(record);
        prev = hash;
        good = good.saturating_add(read as u64);
    }
    Ok((records, prev, good))
}

/// Check the chain of the log at `path`; the number of records, or the first broken one.
pub fn verify(path: &Path) -> Result<usize, ChainError> {
    let file = File::open(path).map_err(|e| ChainError::Io {
        line: 0,
        detail: e.to_string(),
    })?;
    read_chain(file, false).map(|(r, _, _)| r.len())
}

/// An audit log open for appending.
pub struct AuditLog {
    file: File,
    prev: String,
    seq: u64,
    buf: Vec<u8>,
}

impl AuditLog {
    /// Open (or create) the log, check its whole chain and return the records already in it.
    /// A torn last line (a crash in the middle of an append, before it was synced and before
    /// its input was removed) is cut off: that message is processed again.
    pub fn open(path: &Path) -> Result<(AuditLog, Vec<Record>), AuditError> {
        let io = |source| AuditError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io)?;
        let (records, prev, good) = read_chain(&mut file, true).map_err(|source| AuditError::Broken {
            path: path.display().to_string(),
            source,
        })?;
        let len = file.metadata().map_err(io)?.len();
        if len != good {
            tracing::warn!(path = %path.display(), bytes = len - good, "cutting a torn last audit record");
            file.set_len(good).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        file.seek(SeekFrom::Start(good)).map_err(io)?;
        let seq = records.len() as u64;
        Ok((
            AuditLog {
                file,
                prev,
                seq,
                buf: Vec::new(),
            },
            records,
        ))
    }

    /// The hash of the last record (the chain's head).
    pub fn head(&self) -> &str {
        &self.prev
    }

    /// Append a record (setting its `seq` and `prev`). It is written, not yet synced: call
    /// [`AuditLog::sync`] before acting on it.
    pub fn append(&mut self, record: &mut Record) -> io::Result<()> {
        record.seq = self.seq;
        record.prev = self.prev.clone();
        let body = serde_json::to_string(record).map_err(io::Error::other)?;
        let hash = chain_hash(&self.prev, &body);
        let head = body.strip_suffix('}').unwrap_or(&body);
        self.buf.clear();
        self.buf.extend_from_slice(head.as_bytes());
        self.buf.extend_from_slice(br#","hash":""#);
        self.buf.extend_from_slice(hash.as_bytes());
        self.buf.extend_from_slice(b"\"}\n");
        self.file.write_all(&self.buf)?;
        self.prev = hash;
        self.seq += 1;
        Ok(())
    }

    /// Make every appended record durable.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// The current time as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        for k in 0..n {
            let mut r = Record {
                channel: "c".into(),
                input: format!("m{k}"),
                ..Record::default()
            };
            log.append(&mut r).unwrap();
        }
        log.sync().unwrap();
        (dir, path)
    }

    #[test]
    fn verifies_an_untouched_chain() {
        let (_d, path) = log_of(5);
        assert_eq!(verify(&path), Ok(5));
    }

    #[test]
    fn reopening_continues_the_chain() {
        let (_d, path) = log_of(3);
        let (mut log, records) = AuditLog::open(&path).unwrap();
        assert_eq!(records.len(), 3);
        log.append(&mut Record::default()).unwrap();
        assert_eq!(verify(&path), Ok(4));
    }

    #[test]
    fn cuts_a_torn_last_line_when_opening() {
        let (_d, path) = log_of(2);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"seq":2,"ti"#).unwrap();
        assert!(verify(&path).is_err());
        let (_log, records) = AuditLog::open(&path).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(verify(&path), Ok(2));
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
    }
}
