//! `sekisho resend --channel C --seq N..M`: send released messages again over their diode, from
//! the copies a `udp://` route with `sent = "…"` keeps, under a new sender session (so new
//! sequence numbers). The receiver writes a message it has not got yet and records a repeat as
//! `duplicate`, so resending what did arrive does no harm.
//!
//! The guard's audit log is only read (the guard may be running and is its only writer); each
//! message resent gets a record in the channel's resend log, `<audit>.resend.jsonl`, hash-chained
//! like the others (`sekisho audit verify` reads it), naming the audit record it repeats and
//! where it went this time.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use super::config::{Config, OutputSpec};

/// What a resend did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResendSummary {
    /// (audit seq, new sender session, new sequence number) of every message sent again.
    pub resent: Vec<(u64, String, u64)>,
    /// (audit seq, why not) of every record in the range that could not be sent again.
    pub skipped: Vec<(u64, String)>,
}

/// The resend log of a channel whose audit log is `audit`.
pub fn log_path(audit: &std::path::Path) -> PathBuf {
    let mut name = audit.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".resend.jsonl");
    audit.with_file_name(name)
}

/// Send the released messages of `channel` whose audit `seq` is in `seqs` again.
pub fn resend(config: &Config, channel: &str, seqs: RangeInclusive<u64>) -> Result<ResendSummary, String> {
    use crate::diode::{Key, Sender, SenderConfig, resolve};
    let ch = config
        .channels
        .iter()
        .find(|c| c.name == channel)
        .ok_or_else(|| format!("no channel `{channel}` in the configuration"))?;
    let records = crate::audit::read(&ch.audit).map_err(|e| format!("{}: {e}", ch.audit.display()))?;
    let log = log_path(&ch.audit);
    // One resend at a time per channel: the resend log has one writer.
    let lock_path = log.with_extension("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("{}: {e}", lock_path.display()))?;
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(|e| format!("{}: another resend is running ({e})", lock_path.display()))?;
    let (mut audit, _) = crate::audit::AuditLog::open_as::<serde::de::IgnoredAny>(&log).map_err(|e| e.to_string())?;
    let mut summary = ResendSummary::default();
    let mut senders: Vec<(String, Sender)> = Vec::new();
    let wanted: Vec<&crate::audit::Record> = records
        .iter()
        .filter(|r| seqs.contains(&r.seq) && r.channel == channel)
        .collect();
    for seq in seqs.clone() {
        if !wanted.iter().any(|r| r.seq == seq) {
            summary
                .skipped
                .push((seq, format!("no record of channel `{channel}` with this seq")));
        }
    }
    for r in wanted {
        let skip = |why: String| (r.seq, why);
        let Some(route) = ch.routes.iter().find(|x| x.name == r.route) else {
            summary
                .skipped
                .push(skip(format!("route `{}` is no longer configured", r.route)));
            continue;
        };
        let (OutputSpec::Udp(addr), Some(diode)) = (&route.output, &route.diode) else {
            summary
                .skipped
                .push(skip(format!("route `{}` is not a `udp://` output", r.route)));
            continue;
        };
        let (Some(name), Some(sha), true) = (
            &r.output,
            &r.output_sha256,
            r.verdict == crate::audit::Verdict::Released,
        ) else {
            summary.skipped.push(skip("not released: nothing was sent".into()));
            continue;
        };
        let Some(dir) = &diode.sent else {
            summary
                .skipped
                .push(skip(format!("route `{}` keeps no copies (set `sent`)", r.route)));
            continue;
        };
        let path = dir.join(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                summary.skipped.push(skip(format!(
                    "{}: {e} (past `keep_sent_hours`, or sent before copies were kept)",
                    path.display()
                )));
                continue;
            }
        };
        use sha2::Digest;
        if hex::encode(sha2::Sha256::digest(&bytes)) != *sha {
            summary.skipped.push(skip(format!(
                "{}: its sha-256 is not the one recorded; not sent",
                path.display()
            )));
            continue;
        }
        let pos = match senders.iter().position(|(n, _)| *n == route.name) {
            Some(p) => p,
            None => {
                let mut cfg = SenderConfig::new(
                    resolve(addr).map_err(|e| e.to_string())?,
                    Key::from_file(&diode.key).map_err(|e| e.to_string())?,
                );
                cfg.rate = diode.rate.map_or(crate::diode::Rate::Auto, crate::diode::Rate::Fixed);
                cfg.overhead_percent = diode.overhead;
                cfg.mtu = diode.mtu;
                senders.push((route.name.clone(), Sender::new(cfg).map_err(|e| e.to_string())?));
                senders.len() - 1
            }
        };
        let Some((_, sender)) = senders.get_mut(pos) else {
            continue;
        };
        let new_seq = sender.send_message(&bytes).map_err(|e| format!("udp://{addr}: {e}"))?;
        let session = format!("{:016x}", sender.session());
        let mut record = serde_json::Map::new();
        record.insert("event".into(), "resent".into());
        record.insert("time".into(), crate::audit::now_rfc3339().into());
        record.insert("channel".into(), channel.into());
        record.insert("route".into(), r.route.clone().into());
        record.insert("audit_seq".into(), r.seq.into());
        record.insert("output".into(), name.clone().into());
        record.insert("output_sha256".into(), sha.clone().into());
        record.insert("diode_session".into(), session.clone().into());
        record.insert("diode_seq".into(), new_seq.into());
        audit
            .append_value(&record)
            .and_then(|()| audit.sync())
            .map_err(|e| format!("{}: {e}", log.display()))?;
        tracing::info!(channel, route = %r.route, audit_seq = r.seq, diode_session = %session, diode_seq = new_seq, "resent");
        summary.resent.push((r.seq, session, new_seq));
    }
    // Two heartbeats, so the receiver can close each session (and record a loss, if any).
    for round in 0..2 {
        if round > 0 {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        for (_, s) in &mut senders {
            s.heartbeat().map_err(|e| e.to_string())?;
        }
    }
    Ok(summary)
}

/// `N` or `N..M` (inclusive).
pub fn parse_range(s: &str) -> Result<RangeInclusive<u64>, String> {
    let bad = || format!("`{s}` is not a seq or a range `N..M`");
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (a, b),
        None => (s, s),
    };
    let (a, b) = (
        a.trim().parse::<u64>().map_err(|_| bad())?,
        b.trim().parse::<u64>().map_err(|_| bad())?,
    );
    if a > b || b - a > 1_000_000 {
        return Err(format!("`{s}`: a range from low to high, at most a million records"));
    }
    Ok(a..=b)
}
