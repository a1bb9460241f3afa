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

pub mod set;

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
    /// An operator put a quarantined input back into the inbox (`sekisho quarantine retry`): it
    /// goes through the guard again. `quarantine` names the entry, `reason` why it was there.
    Retried,
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
    /// Over a diode: the sender's session and the message's sequence number in it, as the
    /// receiver's `received`/`lost` records name them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diode_session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diode_seq: Option<u64>,
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

/// What every chained record holds, whatever else it says: its place and the hash before it.
#[derive(Deserialize)]
struct Link {
    seq: u64,
    prev: String,
}

/// Check one line against the chain so far; returns its body, its hash and its `seq`.
fn check_line(
    line: &str,
    n: usize,
    prev: &str,
    expected_seq: Option<u64>,
) -> Result<(String, String, u64), ChainError> {
    let lineno = n + 1;
    let (body, hash) = split_line(line).ok_or_else(|| ChainError::Malformed {
        line: lineno,
        detail: "it does not end with `,\"hash\":\"<sha-256>\"}`".into(),
    })?;
    let link: Link = serde_json::from_str(&body).map_err(|e| ChainError::Malformed {
        line: lineno,
        detail: e.to_string(),
    })?;
    if chain_hash(&link.prev, &body) != hash {
        return Err(ChainError::Hash {
            line: lineno,
            seq: link.seq,
        });
    }
    // The first record of a file that continues an earlier one (a rollover) names that file's
    // head as its `prev` and goes on with its `seq`: it is taken as the start of the chain.
    if expected_seq.is_some() && link.prev != prev {
        return Err(ChainError::Prev {
            line: lineno,
            seq: link.seq,
        });
    }
    if let Some(expected) = expected_seq
        && link.seq != expected
    {
        return Err(ChainError::Sequence {
            line: lineno,
            seq: link.seq,
            expected,
        });
    }
    if expected_seq.is_none() && link.prev != prev && !is_rollover(&body) {
        return Err(ChainError::Prev {
            line: lineno,
            seq: link.seq,
        });
    }
    if expected_seq.is_none() && link.prev == prev && link.seq != 0 {
        return Err(ChainError::Sequence {
            line: lineno,
            seq: link.seq,
            expected: 0,
        });
    }
    Ok((body, hash.to_string(), link.seq))
}

/// A rollover record: the first record of a file that continues an earlier log.
fn is_rollover(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Event {
        #[serde(default)]
        event: Option<String>,
    }
    serde_json::from_str::<Event>(body).is_ok_and(|e| e.event.as_deref() == Some("rollover"))
}

/// A whole log read and checked: its records (the rollover record, if any, is not among them),
/// its head, the byte length of its complete lines, and the `seq` the next record gets.
struct Chain<T> {
    records: Vec<T>,
    head: String,
    good: u64,
    next_seq: u64,
}

/// Read and check a whole log. A final line without its newline is a torn write: with
/// `allow_torn_tail` it is not counted, otherwise it is checked like any other line.
fn read_chain<T: serde::de::DeserializeOwned>(
    reader: impl Read,
    allow_torn_tail: bool,
) -> Result<Chain<T>, ChainError> {
    let mut reader = BufReader::new(reader);
    let mut records = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut next: Option<u64> = None;
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
        let (body, hash, seq) = check_line(line, n, &prev, next)?;
        let rollover = next.is_none() && is_rollover(&body);
        if !rollover {
            let record: T = serde_json::from_str(&body).map_err(|e| ChainError::Malformed {
                line: n + 1,
                detail: e.to_string(),
            })?;
            records.push(record);
        }
        next = Some(seq.saturating_add(1));
        prev = hash;
        good = good.saturating_add(read as u64);
    }
    Ok(Chain {
        records,
        head: prev,
        good,
        next_seq: next.unwrap_or(0),
    })
}

/// Read the records of the guard's log at `path`, checking its chain (read only: a torn last
/// line is left for the guard to cut).
pub fn read(path: &Path) -> Result<Vec<Record>, ChainError> {
    let file = File::open(path).map_err(|e| ChainError::Io {
        line: 0,
        detail: e.to_string(),
    })?;
    read_chain::<Record>(file, true).map(|c| c.records)
}

/// Check the chain of the log at `path` (the guard's, or a diode receiver's: any record with
/// `seq`, `prev` and `hash`); the number of records, or the first broken one.
pub fn verify(path: &Path) -> Result<usize, ChainError> {
    verify_with_progress(path, &crate::progress::Silent)
}

/// [`verify`], telling `progress` the bytes checked.
pub fn verify_with_progress(path: &Path, progress: &dyn crate::progress::Progress) -> Result<usize, ChainError> {
    let file = File::open(path).map_err(|e| ChainError::Io {
        line: 0,
        detail: e.to_string(),
    })?;
    let total = file.metadata().map_or(0, |m| m.len());
    progress.start("audit verify", total, crate::progress::Unit::Bytes);
    let reader = crate::progress::Counting { inner: file, progress };
    let r = verify_reader(reader);
    progress.finish();
    r
}

/// [`verify`] over any reader (a log in memory, for the fuzz target).
pub fn verify_reader(reader: impl Read) -> Result<usize, ChainError> {
    read_chain::<serde::de::IgnoredAny>(reader, false).map(|c| c.records.len())
}

/// An audit log open for appending.
pub struct AuditLog {
    file: File,
    prev: String,
    seq: u64,
    /// Bytes of complete records written (a failed append is cut back to this).
    len: u64,
    buf: Vec<u8>,
}

impl AuditLog {
    /// Open (or create) the log, check its whole chain and return the records already in it.
    /// A torn last line (a crash in the middle of an append, before it was synced and before
    /// its input was removed) is cut off: that message is processed again.
    pub fn open(path: &Path) -> Result<(AuditLog, Vec<Record>), AuditError> {
        AuditLog::open_as(path)
    }

    /// [`AuditLog::open`] for a log of any kind of record (a diode receiver's events).
    pub fn open_as<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(AuditLog, Vec<T>), AuditError> {
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
        let chain = read_chain::<T>(&mut file, true).map_err(|source| AuditError::Broken {
            path: path.display().to_string(),
            source,
        })?;
        let len = file.metadata().map_err(io)?.len();
        if len != chain.good {
            tracing::warn!(path = %path.display(), bytes = len.saturating_sub(chain.good), "cutting a torn last audit record");
            file.set_len(chain.good).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        file.seek(SeekFrom::Start(chain.good)).map_err(io)?;
        Ok((
            AuditLog {
                file,
                prev: chain.head,
                seq: chain.next_seq,
                len: chain.good,
                buf: Vec::new(),
            },
            chain.records,
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
        self.append_body(&body)
    }

    /// Append a record of any other kind: a JSON object, to which `seq` and `prev` are added.
    pub fn append_value(&mut self, record: &serde_json::Map<String, serde_json::Value>) -> io::Result<()> {
        let mut record = record.clone();
        record.insert("seq".into(), self.seq.into());
        record.insert("prev".into(), self.prev.clone().into());
        let body = serde_json::to_string(&record).map_err(io::Error::other)?;
        self.append_body(&body)
    }

    /// Append records of any other kind with one write (a batch: one system call, not one per
    /// record), each chained to the one before and given its `seq` and `prev` in place. All or
    /// none: a failed write (a full disk) is cut back and the chain goes on from the last record
    /// written before the batch. Not synced: call [`AuditLog::sync`] before acting on them.
    pub fn append_values<'r>(
        &mut self,
        records: impl IntoIterator<Item = &'r mut serde_json::Map<String, serde_json::Value>>,
    ) -> io::Result<()> {
        let (mut prev, mut seq) = (self.prev.clone(), self.seq);
        self.buf.clear();
        for record in records {
            record.insert("seq".into(), seq.into());
            record.insert("prev".into(), prev.clone().into());
            let body = serde_json::to_string(&*record).map_err(io::Error::other)?;
            let hash = chain_hash(&prev, &body);
            let head = body.strip_suffix('}').unwrap_or(&body);
            self.buf.extend_from_slice(head.as_bytes());
            self.buf.extend_from_slice(br#","hash":""#);
            self.buf.extend_from_slice(hash.as_bytes());
            self.buf.extend_from_slice(b"\"}\n");
            prev = hash;
            seq += 1;
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.file.write_all(&self.buf) {
            let _ = self.file.set_len(self.len);
            let _ = self.file.seek(SeekFrom::Start(self.len));
            return Err(e);
        }
        self.len = self.len.saturating_add(self.buf.len() as u64);
        self.prev = prev;
        self.seq = seq;
        Ok(())
    }

    /// Write one line. A failed write (a full disk) is cut back, so that the file keeps only
    /// whole records and the chain goes on from the last one written.
    fn append_body(&mut self, body: &str) -> io::Result<()> {
        let hash = chain_hash(&self.prev, body);
        let head = body.strip_suffix('}').unwrap_or(body);
        self.buf.clear();
        self.buf.extend_from_slice(head.as_bytes());
        self.buf.extend_from_slice(br#","hash":""#);
        self.buf.extend_from_slice(hash.as_bytes());
        self.buf.extend_from_slice(b"\"}\n");
        if let Err(e) = self.file.write_all(&self.buf) {
            let _ = self.file.set_len(self.len);
            let _ = self.file.seek(SeekFrom::Start(self.len));
            return Err(e);
        }
        self.len = self.len.saturating_add(self.buf.len() as u64);
        self.prev = hash;
        self.seq += 1;
        Ok(())
    }

    /// The `seq` the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.seq
    }

    /// Make every appended record durable.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// Roll the log at `path` over (with its writer stopped): the file is renamed to `archive`, and a
/// new file at `path` starts with a `rollover` record that names the archive, its last `seq` and
/// its head (`prev` is that head and `seq` goes on), so the two files read as one chain and
/// `verify` checks each. Never use a tool that copies and truncates (logrotate's copytruncate):
/// it cuts the chain. Returns the head the new file continues from.
pub fn roll(path: &Path, archive: &Path) -> Result<String, AuditError> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| AuditError::Io { path: p, source }
    };
    if archive.exists() {
        return Err(AuditError::Io {
            path: archive.display().to_string(),
            source: io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the archive exists already; choose another name",
            ),
        });
    }
    let (old, _) = AuditLog::open_as::<serde::de::IgnoredAny>(path)?;
    let (head, seq) = (old.prev.clone(), old.seq);
    drop(old);
    std::fs::rename(path, archive).map_err(io(path))?;
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io(path))?;
    let mut log = AuditLog {
        file,
        prev: head.clone(),
        seq,
        len: 0,
        buf: Vec::new(),
    };
    let mut record = serde_json::Map::new();
    record.insert("event".into(), "rollover".into());
    record.insert("time".into(), now_rfc3339().into());
    record.insert(
        "previous_file".into(),
        archive
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            .into(),
    );
    record.insert("previous_head".into(), head.clone().into());
    log.append_value(&record).map_err(io(path))?;
    log.sync().map_err(io(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    }
    Ok(head)
}

/// The current time as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    rfc3339_at(std::time::SystemTime::now())
}

/// A time as RFC 3339 UTC with milliseconds, as records write it.
pub fn rfc3339_at(t: std::time::SystemTime) -> String {
    let now = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
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

/// A Unix time in nanoseconds as a compact UTC timestamp for file names:
/// `20261205T030000.123456789Z`.
pub fn compact_utc(unix_ns: i128) -> String {
    let secs = unix_ns.div_euclid(1_000_000_000);
    let nanos = unix_ns.rem_euclid(1_000_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{nanos:09}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
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
    fn a_rolled_over_log_continues_the_chain_of_the_old_one() {
        let (d, path) = log_of(3);
        let archive = d.path().join("a.1.jsonl");
        let head = roll(&path, &archive).unwrap();
        assert_eq!(verify(&archive), Ok(3));
        assert_eq!(verify(&path), Ok(0));
        let first: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(&path).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!(first["event"], "rollover");
        assert_eq!(first["prev"], head.as_str());
        assert_eq!(first["seq"], 3);
        let (mut log, records) = AuditLog::open(&path).unwrap();
        assert!(records.is_empty());
        let mut r = Record::default();
        log.append(&mut r).unwrap();
        assert_eq!(r.seq, 4);
        assert_eq!(verify(&path), Ok(1));
    }

    #[test]
    fn a_first_record_with_a_foreign_prev_is_refused_unless_it_is_a_rollover() {
        let (_d, path) = log_of(3);
        let text = std::fs::read_to_string(&path).unwrap();
        let rest: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, rest).unwrap();
        assert!(matches!(verify(&path), Err(ChainError::Prev { line: 1, .. })));
    }

    #[test]
    fn verifies_a_chain_of_other_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rx.jsonl");
        let (mut log, _) = AuditLog::open_as::<serde_json::Value>(&path).unwrap();
        let mut m = serde_json::Map::new();
        m.insert("event".into(), "received".into());
        log.append_value(&m).unwrap();
        log.append_value(&m).unwrap();
        assert_eq!(verify(&path), Ok(2));
        let text = std::fs::read_to_string(&path).unwrap().replace("received", "receivee");
        std::fs::write(&path, text).unwrap();
        assert!(matches!(verify(&path), Err(ChainError::Hash { line: 1, .. })));
    }

    #[test]
    fn compact_times_name_files_in_order() {
        assert_eq!(compact_utc(0), "19700101T000000.000000000Z");
        assert_eq!(compact_utc(1_733_367_600_123_456_789), "20241205T030000.123456789Z");
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
    }
}
