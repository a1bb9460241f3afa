//! Quarantine review: `sekisho quarantine list | show | retry`.
//!
//! - `list` reads the reason files (`<id>.reason.json`) of every channel's quarantine, filtered by
//!   reason and time.
//! - `show` prints one entry: its reasons and findings, the audit records that name it, and the
//!   `--explain` table of its input (as decided, and under the route's policy as it is now).
//! - `retry` puts a quarantined input back into its channel's inbox, so that it goes through the
//!   guard again (after a policy change, say). Nothing leaves the quarantine any other way: the
//!   input is never sent anywhere but the inbox, and the retry is itself an audit record
//!   (`verdict: retried`, naming the entry and why it was there).
//!
//! A retry appends to the channel's audit log, which has one writer: it takes the inbox's lock,
//! so the channel's daemon must be stopped (`retry` says so when it is not). Its steps, each
//! safe to crash after:
//!
//! ```text
//!  copy the entry into inbox/.retry-<id> (fsync) ─► append + sync one `retried` record per route
//!  ─► rename .retry-<id> → <name> (the daemon sees it from here) ─► remove the entry and its
//!  reason file
//! ```
//!
//! A crash before the rename leaves the entry in the quarantine (retry again); after it, at
//! worst a stale quarantine entry whose input was already decided again (the audit log says so).
//!
//! What may not be retried: a `duplicate` (the same bytes were decided on that route already:
//! deciding them again could release them twice), a `not-a-regular-file` entry (a link, device
//! or directory, or the empty stand-in for one: there is nothing to decide), and any entry that
//! is not a regular file. A retried input that another route of the channel already decided is
//! quarantined there as a `duplicate`: only the retried routes decide it afresh.

use std::io::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::{ChannelConfig, Config};
use super::{QuarantineReason, spool};
use crate::audit::{AuditLog, Record, Verdict};

/// Why a review command failed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("`{0}` is not a quarantine id (a name in a channel's quarantine, without `.reason.json`)")]
    BadId(String),
    #[error("there is no quarantine entry `{id}` in {where_}")]
    NotFound { id: String, where_: String },
    #[error("{path}: not a reason file: {detail}")]
    BadReasonFile { path: String, detail: String },
    #[error(
        "`{0}` is not a time: give RFC 3339 UTC (`2026-12-05`, `2026-12-05T06:00:00Z`) or an age (`30m`, `24h`, `7d`)"
    )]
    BadTime(String),
    #[error("no channel `{0}` in the configuration")]
    NoChannel(String),
    #[error("entry `{id}` may not be retried: {why}")]
    Refused { id: String, why: String },
    #[error(
        "channel `{channel}`: the daemon holds its inbox (`{detail}`); stop it, retry, then start it again (the audit log has one writer)"
    )]
    Running { channel: String, detail: String },
    #[error("channel `{channel}`: {source}")]
    Audit {
        channel: String,
        source: crate::audit::AuditError,
    },
    #[error("channel `{channel}`: the audit log: {source}")]
    Chain {
        channel: String,
        source: crate::audit::ChainError,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReviewError + '_ {
    move |source| ReviewError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One finding of a reason file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub detail: String,
    pub at: String,
}

/// A reason file, as read back (the fields review needs; the rest is kept in `raw`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reason {
    pub reason: String,
    pub channel: String,
    pub routes: Vec<String>,
    pub input: String,
    #[serde(default)]
    pub input_hex: Option<String>,
    pub input_id: String,
    #[serde(default)]
    pub input_sha256: Option<String>,
    pub input_bytes: u64,
    pub time: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub explain: Vec<String>,
}

/// One quarantine entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    /// The channel whose quarantine holds it.
    pub channel: String,
    #[serde(flatten)]
    pub reason: Reason,
}

/// Parse `--since`: RFC 3339 UTC (a prefix of what records write) or an age before now.
/// Returns the prefix records are compared with.
pub fn parse_since(s: &str, now: std::time::SystemTime) -> Result<String, ReviewError> {
    let bad = || ReviewError::BadTime(s.to_string());
    if let Some(unit) = s.chars().last().filter(|c| "smhd".contains(*c)) {
        let n: u64 = s
            .get(..s.len().saturating_sub(1))
            .and_then(|n| n.parse().ok())
            .ok_or_else(bad)?;
        let secs = match unit {
            's' => Some(n),
            'm' => n.checked_mul(60),
            'h' => n.checked_mul(3_600),
            _ => n.checked_mul(86_400),
        }
        .ok_or_else(bad)?;
        let at = now.checked_sub(std::time::Duration::from_secs(secs)).ok_or_else(bad)?;
        return Ok(crate::audit::rfc3339_at(at).trim_end_matches('Z').to_string());
    }
    // YYYY-MM-DD, then optionally THH:MM, :SS, .fraction, and a final Z.
    let t = s.strip_suffix('Z').unwrap_or(s);
    let shape = t.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        19 => b == b'.',
        _ => b.is_ascii_digit(),
    });
    let length = matches!(t.len(), 10 | 16 | 19) || (21..=29).contains(&t.len());
    if !shape || !length {
        return Err(bad());
    }
    Ok(t.to_string())
}

fn channels<'c>(config: &'c Config, channel: Option<&str>) -> Result<Vec<&'c ChannelConfig>, ReviewError> {
    match channel {
        None => Ok(config.channels.iter().collect()),
        Some(name) => config
            .channels
            .iter()
            .find(|c| c.name == name)
            .map(|c| vec![c])
            .ok_or_else(|| ReviewError::NoChannel(name.to_string())),
    }
}

fn read_reason(path: &Path) -> Result<Reason, ReviewError> {
    let text = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&text).map_err(|e| ReviewError::BadReasonFile {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// The entries of every channel's quarantine (or `channel`'s), oldest first, with `reason` and
/// at or after `since` (a prefix from [`parse_since`]).
pub fn list(
    config: &Config,
    channel: Option<&str>,
    reason: Option<QuarantineReason>,
    since: Option<&str>,
) -> Result<Vec<Entry>, ReviewError> {
    let mut out = Vec::new();
    for ch in channels(config, channel)? {
        let dir = &ch.quarantine;
        let names = match std::fs::read_dir(dir) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(dir)(e)),
        };
        for e in names {
            let e = e.map_err(io(dir))?;
            let name = e.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".reason.json")) else {
                continue;
            };
            if id.starts_with('.') {
                continue;
            }
            let r = read_reason(&e.path())?;
            if reason.is_some_and(|want| want.as_str() != r.reason) {
                continue;
            }
            if since.is_some_and(|t| r.time.as_str() < t) {
                continue;
            }
            out.push(Entry {
                id: id.to_string(),
                channel: ch.name.clone(),
                reason: r,
            });
        }
    }
    out.sort_by(|a, b| (&a.reason.time, &a.id).cmp(&(&b.reason.time, &b.id)));
    Ok(out)
}

fn check_id(id: &str) -> Result<(), ReviewError> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && !id.ends_with(".reason.json")
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    if ok {
        Ok(())
    } else {
        Err(ReviewError::BadId(id.to_string()))
    }
}

/// Find `id` in the quarantines: its channel and entry.
pub fn find<'c>(
    config: &'c Config,
    channel: Option<&str>,
    id: &str,
) -> Result<(&'c ChannelConfig, Entry), ReviewError> {
    check_id(id)?;
    let chs = channels(config, channel)?;
    for ch in &chs {
        let reason_path = ch.quarantine.join(format!("{id}.reason.json"));
        if std::fs::symlink_metadata(&reason_path).is_ok() {
            let reason = read_reason(&reason_path)?;
            return Ok((
                ch,
                Entry {
                    id: id.to_string(),
                    channel: ch.name.clone(),
                    reason,
                },
            ));
        }
    }
    Err(ReviewError::NotFound {
        id: id.to_string(),
        where_: chs
            .iter()
            .map(|c| format!("`{}`", c.quarantine.display()))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// What `show` prints.
#[derive(Debug, Serialize)]
pub struct Shown {
    pub entry: Entry,
    /// The audit records that name this entry (its quarantine, and any retry of it).
    pub records: Vec<Record>,
    /// The `--explain` table of the input under each route's policy as it is now (when the
    /// entry holds readable bytes and the policy loads), with the verdict it would get.
    pub now: Vec<Recheck>,
}

/// The input decided again, in memory only, under a route's policy as it is now.
#[derive(Debug, Serialize)]
pub struct Recheck {
    pub route: String,
    pub policy: String,
    pub policy_sha256: String,
    pub verdict: &'static str,
    pub table: String,
    pub reasons: Vec<String>,
}

/// Everything about one entry. Nothing is written.
pub fn show(config: &Config, channel: Option<&str>, id: &str) -> Result<Shown, ReviewError> {
    let (ch, entry) = find(config, channel, id)?;
    let records = crate::audit::read(&ch.audit)
        .map_err(|source| ReviewError::Chain {
            channel: ch.name.clone(),
            source,
        })?
        .into_iter()
        .filter(|r| r.channel == ch.name && r.quarantine.as_deref() == Some(id))
        .collect();
    let mut now = Vec::new();
    let path = ch.quarantine.join(id);
    let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    if regular && entry.reason.reason != QuarantineReason::NotARegularFile.as_str() {
        for route in ch.routes.iter().filter(|r| entry.reason.routes.contains(&r.name)) {
            let Ok(policy) = super::load_policy(&route.name, &route.policy) else {
                continue;
            };
            let Ok(bytes) = spool::read_regular(&path, policy.limits.max_input_bytes) else {
                continue;
            };
            let (verdict, report, reasons) = match crate::guard::filter(&bytes, &policy) {
                Ok(r) => ("released", r.report, Vec::new()),
                Err(e) => (
                    "rejected",
                    e.report,
                    e.reasons.iter().map(ToString::to_string).collect(),
                ),
            };
            now.push(Recheck {
                route: route.name.clone(),
                policy: policy.name.clone(),
                policy_sha256: policy.sha256.clone(),
                verdict,
                table: crate::explain::table(&report.decisions),
                reasons,
            });
        }
    }
    Ok(Shown { entry, records, now })
}

/// What `retry` did.
#[derive(Debug, Serialize)]
pub struct Retried {
    pub id: String,
    pub channel: String,
    /// Where the input is now.
    pub inbox_path: PathBuf,
    /// The audit records written (one per route of the entry).
    pub records: Vec<u64>,
}

/// Put entry `id` back into its channel's inbox to be decided again (see the module's doc).
pub fn retry(config: &Config, channel: Option<&str>, id: &str) -> Result<Retried, ReviewError> {
    let (ch, entry) = find(config, channel, id)?;
    let refuse = |why: &str| ReviewError::Refused {
        id: id.to_string(),
        why: why.to_string(),
    };
    let r = &entry.reason;
    if r.reason == QuarantineReason::Duplicate.as_str() {
        return Err(refuse(
            "it is a duplicate: the same bytes were already decided on this route, and deciding them again could release them twice",
        ));
    }
    if r.reason == QuarantineReason::NotARegularFile.as_str() {
        return Err(refuse("it was not a regular file: there is nothing to decide"));
    }
    let path = ch.quarantine.join(id);
    let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
    if !meta.is_file() {
        return Err(refuse("the entry is not a regular file"));
    }
    let _lock = spool::lock_inbox(&ch.inbox, std::time::Duration::ZERO).map_err(|e| {
        if e.kind() == std::io::ErrorKind::WouldBlock {
            ReviewError::Running {
                channel: ch.name.clone(),
                detail: ch.inbox.join(spool::LOCK).display().to_string(),
            }
        } else {
            io(&ch.inbox)(e)
        }
    })?;
    let (mut log, _) = AuditLog::open(&ch.audit).map_err(|source| ReviewError::Audit {
        channel: ch.name.clone(),
        source,
    })?;
    // 1. A copy under a dot-name the daemon does not take, made durable.
    let tmp = ch.inbox.join(format!(".retry-{id}"));
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    // The name it had, when that is a plain name free in the inbox; else `retry-<id>`.
    let original: Option<Vec<u8>> = match &r.input_hex {
        Some(h) => hex::decode(h).ok(),
        None => Some(r.input.as_bytes().to_vec()),
    };
    let plain = |n: &[u8]| !n.is_empty() && n.first() != Some(&b'.') && !n.contains(&b'/') && !n.contains(&0);
    let name: std::ffi::OsString = match original.filter(|n| plain(n)) {
        Some(n) if !ch.inbox.join(std::ffi::OsStr::from_bytes(&n)).exists() => std::ffi::OsStr::from_bytes(&n).into(),
        _ => format!("retry-{id}").into(),
    };
    let dest = ch.inbox.join(&name);
    if std::fs::symlink_metadata(&dest).is_ok() {
        let _ = std::fs::remove_file(&tmp);
        return Err(refuse(&format!("`{}` is already in the inbox", dest.display())));
    }
    // 2. The retry, recorded (one record per route the entry stands for).
    let (input, input_hex) = spool::display_name(&name);
    let mut seqs = Vec::new();
    for route in &r.routes {
        let (policy, policy_sha256) = ch
            .routes
            .iter()
            .find(|x| &x.name == route)
            .and_then(|x| crate::policy::Policy::load(&x.policy).ok())
            .map_or_else(Default::default, |p| (p.name.clone(), p.sha256.clone()));
        let mut record = Record {
            time: crate::audit::now_rfc3339(),
            channel: ch.name.clone(),
            route: route.clone(),
            input: input.clone(),
            input_hex: input_hex.clone(),
            input_id: format!("retry-of-{}", r.input_id),
            lane: "routine".into(),
            input_sha256: Some(sha.clone()),
            input_bytes: bytes.len() as u64,
            policy,
            policy_sha256,
            verdict: Verdict::Retried,
            reason: Some(r.reason.clone()),
            quarantine: Some(id.to_string()),
            ..Record::default()
        };
        log.append(&mut record).map_err(io(&ch.audit))?;
        seqs.push(record.seq);
    }
    log.sync().map_err(io(&ch.audit))?;
    // 3. Into the inbox, at once.
    std::fs::rename(&tmp, &dest).map_err(io(&dest))?;
    spool::sync_dir(&ch.inbox).map_err(io(&ch.inbox))?;
    // 4. Out of the quarantine.
    std::fs::remove_file(&path).map_err(io(&path))?;
    let reason_path = ch.quarantine.join(format!("{id}.reason.json"));
    std::fs::remove_file(&reason_path).map_err(io(&reason_path))?;
    spool::sync_dir(&ch.quarantine).map_err(io(&ch.quarantine))?;
    Ok(Retried {
        id: id.to_string(),
        channel: ch.name.clone(),
        inbox_path: dest,
        records: seqs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_date_a_time_or_an_age() {
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_450_000);
        assert_eq!(parse_since("2026-12-05", now).unwrap(), "2026-12-05");
        assert_eq!(parse_since("2026-12-05T06:00:00Z", now).unwrap(), "2026-12-05T06:00:00");
        assert_eq!(parse_since("2026-12-05T06:00", now).unwrap(), "2026-12-05T06:00");
        let day = parse_since("1d", now).unwrap();
        assert!(day.starts_with("2026-12-04T"), "{day}");
        for bad in [
            "yesterday",
            "2026-1-5",
            "12h30",
            "-1h",
            "2026-12-05 06:00",
            "99999999999999999999d",
            "",
        ] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
        // Compared as records write times: a record a moment after the given second is in.
        assert!("2026-12-05T06:00:00.123Z" >= parse_since("2026-12-05T06:00:00Z", now).unwrap().as_str());
    }

    #[test]
    fn rejects_ids_that_are_paths_or_reason_files() {
        for bad in ["../x", "a/b", ".hidden", "x.reason.json", "", "a b"] {
            assert!(matches!(check_id(bad), Err(ReviewError::BadId(_))), "{bad}");
        }
        assert!(check_id("20261205T030000.123456789Z-0123456789abcdef-01234567-jpn").is_ok());
    }
}
