//! The daemon's configuration file (TOML): channels, their routes, and where things go.
//!
//! ```toml
//! [[channel]]
//! name = "us-to-jpn"
//! inbox = "var/inbox"                 # producers rename complete files in here
//! urgent_inbox = "var/inbox-urgent"   # optional crisis lane, always taken first
//! seed_inbox_from = "examples/inbox"  # optional: copy these in when the inbox does not exist
//! quarantine = "var/quarantine"
//! audit = "var/audit.jsonl"
//! workers = 0                         # 0: one per core
//! queue = 256                         # bounded queue between the scanner and the workers
//! max_input_bytes = 65536             # optional, below the policies' own limit
//! poll_interval_ms = 200
//! verifier = true                     # the second verifier (default on)
//! verifier_deadline_ms = 5000
//! verifier_memory_mib = 1024
//! sandbox = "best-effort"             # "required" | "best-effort" | "off"
//!
//! [[channel.route]]                   # one or more partner routes (fan-out)
//! name = "jpn"
//! policy = "policies/us-to-jpn.toml"
//! output = "var/outbox"               # a spool directory, `-` (stdout) or `udp://HOST:PORT`
//! ```
//!
//! A channel can also take messages from a NATS JetStream stream (`[channel.jetstream]`, a
//! durable pull consumer shared by every guard of the channel) and a route can publish to a
//! JetStream subject (`output = "nats://HOST:PORT/SUBJECT"`); a top-level `guard_id` then names
//! this guard's audit chain (`audit = "audit-{guard_id}.jsonl"`). See `docs/scale-out.md`.
//!
//! An optional `[metrics]` table serves Prometheus metrics at `/metrics` and a read-only status
//! page at `/` (a reload on SIGHUP does not change it: restart for a new address):
//!
//! ```toml
//! [metrics]
//! listen = "127.0.0.1:9464"           # the default; loopback unless you mean otherwise
//! sandbox = "best-effort"             # the listener thread's own confinement
//! ```
//!
//! A top-level `user = "sekisho"` (before the first `[[channel]]`) makes a daemon started as root
//! switch to that user and its primary group for good, before it opens any spool, policy or key.
//!
//! Relative paths are relative to the configuration file's directory. Every error names the file,
//! line, column and field.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::policy::diagnostic::Finding;

pub use crate::sandbox::SandboxMode;

/// The file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// Switch to this user after start, before any spool, policy or key is opened.
    #[serde(default)]
    user: Option<String>,
    /// This guard's name among the guards that share a JetStream consumer (issue 20): it names
    /// its audit chain (`{guard_id}` in an `audit` path is replaced by it).
    #[serde(default)]
    guard_id: Option<String>,
    /// Serve metrics and the status page (off when absent).
    #[serde(default)]
    metrics: Option<MetricsFile>,
    channel: Vec<ChannelFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsFile {
    #[serde(default = "default_metrics_listen")]
    listen: String,
    #[serde(default)]
    sandbox: SandboxMode,
}

fn default_metrics_listen() -> String {
    crate::telemetry::DEFAULT_LISTEN.to_string()
}

/// Where the operators' listener binds, and how its thread is confined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    pub listen: std::net::SocketAddr,
    pub sandbox: SandboxMode,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelFile {
    name: String,
    inbox: PathBuf,
    #[serde(default)]
    urgent_inbox: Option<PathBuf>,
    #[serde(default)]
    seed_inbox_from: Option<PathBuf>,
    quarantine: PathBuf,
    audit: PathBuf,
    #[serde(default)]
    workers: usize,
    #[serde(default = "default_queue")]
    queue: usize,
    #[serde(default)]
    max_input_bytes: Option<usize>,
    #[serde(default = "default_poll")]
    poll_interval_ms: u64,
    /// fsync outputs, directories and the audit log. Turning it off loses the crash guarantees.
    #[serde(default = "yes")]
    fsync: bool,
    /// Check every released output again in a separate verifier process (issue 9).
    #[serde(default = "yes")]
    verifier: bool,
    /// How long the verifier may take over one message.
    #[serde(default = "default_verifier_deadline")]
    verifier_deadline_ms: u64,
    /// The verifier process's address-space limit, in MiB.
    #[serde(default = "default_verifier_memory")]
    verifier_memory_mib: u64,
    /// Confine the channel's threads and the verifier processes: `required`, `best-effort` or `off`.
    #[serde(default)]
    sandbox: SandboxMode,
    /// Make the directories (inbox, quarantine, outputs, the audit log's) and the audit log when
    /// they do not exist. Off by default: a mistyped path is an error, never a new directory.
    #[serde(default)]
    create: bool,
    /// Take messages from a JetStream stream too (issue 20; see `jetstream.rs`).
    #[serde(default)]
    jetstream: Option<super::jetstream::SourceFile>,
    route: Vec<RouteFile>,
}

fn default_verifier_deadline() -> u64 {
    5_000
}
fn default_verifier_memory() -> u64 {
    1_024
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    name: String,
    policy: PathBuf,
    output: String,
    /// For a `udp://` output: the diode's pre-shared key file.
    key: Option<PathBuf>,
    /// For a `udp://` output: pace to at most this many bytes per second (default: the link's
    /// speed, or 4 Gbit/s where none is reported, as `sekisho send --rate auto`).
    rate: Option<u64>,
    /// For a `udp://` output: repair symbols in percent (default 10).
    overhead: Option<u32>,
    /// For a `udp://` output: the largest datagram (default 1472).
    mtu: Option<usize>,
    /// For a `udp://` output: keep a copy of every message sent in this directory (named as the
    /// receiver names it), so that `sekisho resend` can send it again.
    sent: Option<PathBuf>,
    /// For a `udp://` output with `sent`: how long copies are kept, in hours (default 168).
    keep_sent_hours: Option<u64>,
}

fn default_queue() -> usize {
    256
}
fn default_poll() -> u64 {
    200
}
fn yes() -> bool {
    true
}

/// Where a route's released messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputSpec {
    /// A spool directory: one file per message, named from the input's sha-256.
    Spool(PathBuf),
    /// Standard output, one message per line.
    Stdout,
    /// A one-way diode sender.
    Udp(String),
    /// A JetStream subject (`nats://HOST:PORT/SUBJECT`), published with `Nats-Msg-Id`.
    Nats(super::jetstream::NatsTarget),
}

/// The diode settings of a `udp://` route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiodeSettings {
    pub key: PathBuf,
    /// Bytes per second on the wire (`rate`, whole datagrams counted); `None`: paced to the link
    /// (`crate::diode::Rate::Auto`).
    pub rate: Option<u64>,
    pub overhead: u32,
    pub mtu: usize,
    /// Where copies of sent messages are kept for `sekisho resend`.
    pub sent: Option<PathBuf>,
    /// How long they are kept.
    pub keep_sent: std::time::Duration,
}

/// A validated route.
#[derive(Debug, Clone)]
pub struct RouteConfig {
    pub name: String,
    pub policy: PathBuf,
    pub output: OutputSpec,
    /// Present exactly when the output is `udp://`.
    pub diode: Option<DiodeSettings>,
}

/// A validated channel.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    pub name: String,
    pub inbox: PathBuf,
    pub urgent_inbox: Option<PathBuf>,
    pub seed_inbox_from: Option<PathBuf>,
    pub quarantine: PathBuf,
    pub audit: PathBuf,
    /// At least 1 (0 in the file means one per core).
    pub workers: usize,
    pub queue: usize,
    pub max_input_bytes: Option<usize>,
    pub poll_interval_ms: u64,
    pub fsync: bool,
    /// Make missing directories and the audit log (`create = true`); otherwise they must exist.
    pub create: bool,
    /// How strictly the channel and its verifier processes are confined.
    pub sandbox: SandboxMode,
    /// The second verifier; `None` when turned off.
    pub verifier: Option<VerifierSettings>,
    /// A JetStream source beside the inbox (issue 20).
    pub jetstream: Option<super::jetstream::SourceConfig>,
    pub routes: Vec<RouteConfig>,
}

/// How the second verifier runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierSettings {
    pub deadline: std::time::Duration,
    pub memory_bytes: u64,
    pub sandbox: SandboxMode,
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The user the daemon switches to after start (`sandbox::drop_privileges`).
    pub user: Option<String>,
    /// This guard's id among those sharing a JetStream consumer.
    pub guard_id: Option<String>,
    /// `[metrics]`: serve metrics and the status page.
    pub metrics: Option<MetricsConfig>,
    pub channels: Vec<ChannelConfig>,
    /// sha-256 of the file's bytes.
    pub sha256: String,
    /// The file it was read from (`None` when parsed from text): SIGHUP reads it again.
    pub path: Option<PathBuf>,
}

/// One thing wrong with a configuration file, located (the same value as a policy's errors).
pub type ConfigError = crate::policy::PolicyError;

/// Every error found in a configuration file (never empty).
pub type ConfigErrors = crate::policy::PolicyErrors;

impl Config {
    /// Read and validate the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        Config::load_checking_user(path, true)
    }

    /// As [`Config::load`], for a reload inside the running (switched, confined) daemon: the
    /// `user` is not looked up again (the user database is out of its reach), the caller
    /// compares it with the one it runs as.
    pub fn load_for_reload(path: &Path) -> Result<Config, ConfigErrors> {
        Config::load_checking_user(path, false)
    }

    fn load_checking_user(path: &Path, check_user: bool) -> Result<Config, ConfigErrors> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            crate::policy::PolicyErrors(vec![
                Finding::error("unreadable-file", "(file)", 0..0, format!("cannot read: {e}")).at(file.clone(), 0, 0),
            ])
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = Config::parse(&text, &file, &base, check_user)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parse and validate configuration text; relative paths are taken from `base`.
    pub fn from_str(text: &str, file: &str, base: &Path) -> Result<Config, ConfigErrors> {
        Config::parse(text, file, base, true)
    }

    fn parse(text: &str, file: &str, base: &Path, check_user: bool) -> Result<Config, ConfigErrors> {
        let at = |rule: &'static str, field: &str, detail: String| {
            let (line, column) = locate(text, field).unwrap_or((1, 1));
            Finding::error(rule, field, 0..0, detail).at(file.to_string(), line, column)
        };
        let raw: ConfigFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| crate::error::Position::locate(text.as_bytes(), s.start))
                .map_or((1, 1), |p| (p.line, p.column));
            crate::policy::PolicyErrors(vec![
                Finding::error(
                    if toml::de::DeTable::parse(text).is_err() {
                        "toml-syntax"
                    } else {
                        crate::policy::diagnostic::serde_rule(e.message())
                    },
                    "(syntax)",
                    0..0,
                    e.message(),
                )
                .at(file.to_string(), line, column),
            ])
        })?;
        let mut errors = Vec::new();
        if let Some(user) = raw.user.as_ref().filter(|_| check_user)
            && let Err(e) = crate::sandbox::Identity::lookup(user)
        {
            errors.push(at("bad-user", "user", e));
        }
        let metrics = match &raw.metrics {
            None => None,
            Some(m) => match m.listen.parse::<std::net::SocketAddr>() {
                Ok(listen) => Some(MetricsConfig {
                    listen,
                    sandbox: m.sandbox,
                }),
                Err(_) => {
                    errors.push(at(
                        "bad-address",
                        "metrics.listen",
                        format!("`{}` is not an address and port, e.g. `127.0.0.1:9464`", m.listen),
                    ));
                    None
                }
            },
        };
        if raw.channel.is_empty() {
            errors.push(at("no-channel", "channel", "there must be at least one channel".into()));
        }
        if let Some(g) = &raw.guard_id
            && !is_name(g)
        {
            errors.push(at(
                "bad-name",
                "guard_id",
                format!("`{g}` is not a name (a-z, 0-9, `-`, `_`, at most 64)"),
            ));
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let mut names = BTreeSet::new();
        let mut inboxes = BTreeSet::new();
        let mut channels = Vec::new();
        for (c, ch) in raw.channel.into_iter().enumerate() {
            let f = |k: &str| format!("channel[{c}].{k}");
            if !is_name(&ch.name) {
                errors.push(at(
                    "bad-name",
                    &f("name"),
                    format!("`{}` is not a name (a-z, 0-9, `-`, `_`, at most 64)", ch.name),
                ));
            } else if !names.insert(ch.name.clone()) {
                errors.push(at(
                    "duplicate-name",
                    &f("name"),
                    format!("channel `{}` is defined twice", ch.name),
                ));
            }
            if ch.route.is_empty() {
                errors.push(at("no-route", &f("route"), "a channel needs at least one route".into()));
            }
            if ch.queue == 0 || ch.queue > 65_536 {
                errors.push(at(
                    "out-of-range",
                    &f("queue"),
                    format!("{} is not within 1..=65536", ch.queue),
                ));
            }
            if ch.workers > 1024 {
                errors.push(at(
                    "out-of-range",
                    &f("workers"),
                    format!("{} workers is more than 1024", ch.workers),
                ));
            }
            if ch.max_input_bytes == Some(0) {
                errors.push(at("out-of-range", &f("max_input_bytes"), "must be above 0".into()));
            }
            if ch.verifier_deadline_ms == 0 || ch.verifier_deadline_ms > 600_000 {
                errors.push(at(
                    "out-of-range",
                    &f("verifier_deadline_ms"),
                    "must be within 1..=600000".into(),
                ));
            }
            if !(64..=1 << 20).contains(&ch.verifier_memory_mib) {
                errors.push(at(
                    "out-of-range",
                    &f("verifier_memory_mib"),
                    "must be within 64..=1048576".into(),
                ));
            }
            if ch.poll_interval_ms == 0 || ch.poll_interval_ms > 60_000 {
                errors.push(at(
                    "out-of-range",
                    &f("poll_interval_ms"),
                    "must be within 1..=60000".into(),
                ));
            }
            let inbox = base.join(&ch.inbox);
            if !inboxes.insert(inbox.clone()) {
                errors.push(at(
                    "shared-directory",
                    &f("inbox"),
                    format!("`{}` is already another channel's inbox", ch.inbox.display()),
                ));
            }
            let urgent_inbox = ch.urgent_inbox.as_ref().map(|p| base.join(p));
            if let Some(u) = &urgent_inbox
                && !inboxes.insert(u.clone())
            {
                errors.push(at("shared-directory", &f("urgent_inbox"), "is already an inbox".into()));
            }
            let quarantine = base.join(&ch.quarantine);
            if inboxes.contains(&quarantine) {
                errors.push(at("shared-directory", &f("quarantine"), "must not be an inbox".into()));
            }
            let mut route_names = BTreeSet::new();
            let mut routes = Vec::new();
            for (r, route) in ch.route.into_iter().enumerate() {
                let g = |k: &str| format!("channel[{c}].route[{r}].{k}");
                if !is_name(&route.name) {
                    errors.push(at(
                        "bad-name",
                        &g("name"),
                        format!("`{}` is not a name (a-z, 0-9, `-`, `_`, at most 64)", route.name),
                    ));
                } else if !route_names.insert(route.name.clone()) {
                    errors.push(at(
                        "duplicate-name",
                        &g("name"),
                        format!("route `{}` is defined twice in this channel", route.name),
                    ));
                }
                let output = match parse_output(&route.output) {
                    Ok(OutputSpec::Spool(p)) => {
                        let p = base.join(p);
                        if inboxes.contains(&p) || p == quarantine {
                            errors.push(at(
                                "shared-directory",
                                &g("output"),
                                "must not be an inbox or the quarantine".into(),
                            ));
                        }
                        OutputSpec::Spool(p)
                    }
                    Ok(o) => o,
                    Err(detail) => {
                        errors.push(at("bad-output", &g("output"), detail));
                        continue;
                    }
                };
                let udp = matches!(output, OutputSpec::Udp(_));
                let diode = match (&route.key, udp) {
                    (Some(key), true) => {
                        if route.keep_sent_hours.is_some() && route.sent.is_none() {
                            errors.push(at(
                                "missing-setting",
                                &g("keep_sent_hours"),
                                "needs `sent`, the directory copies are kept in".into(),
                            ));
                        }
                        if route.keep_sent_hours.is_some_and(|h| h == 0 || h > 24 * 366) {
                            errors.push(at(
                                "out-of-range",
                                &g("keep_sent_hours"),
                                "must be within 1..=8784 (a year)".into(),
                            ));
                        }
                        Some(DiodeSettings {
                            key: base.join(key),
                            rate: route.rate,
                            overhead: route.overhead.unwrap_or(10),
                            mtu: route.mtu.unwrap_or(1472),
                            sent: route.sent.as_ref().map(|p| base.join(p)),
                            keep_sent: std::time::Duration::from_secs(
                                route.keep_sent_hours.unwrap_or(168).saturating_mul(3600),
                            ),
                        })
                    }
                    (None, true) => {
                        errors.push(at(
                            "missing-setting",
                            &g("output"),
                            "a `udp://` output needs `key`, the diode's pre-shared key file".into(),
                        ));
                        None
                    }
                    (_, false) => {
                        if route.key.is_some()
                            || route.rate.is_some()
                            || route.overhead.is_some()
                            || route.mtu.is_some()
                            || route.sent.is_some()
                            || route.keep_sent_hours.is_some()
                        {
                            errors.push(at(
                                "setting-not-applicable",
                                &g("output"),
                                "`key`, `rate`, `overhead`, `mtu`, `sent` and `keep_sent_hours` are for `udp://` outputs only"
                                    .into(),
                            ));
                        }
                        None
                    }
                };
                routes.push(RouteConfig {
                    name: route.name,
                    policy: base.join(route.policy),
                    output,
                    diode,
                });
            }
            let jetstream = match ch.jetstream.map(|j| j.validate(raw.guard_id.as_deref())).transpose() {
                Ok(j) => j,
                Err(detail) => {
                    errors.push(at("bad-jetstream", &f("jetstream"), detail));
                    None
                }
            };
            channels.push(ChannelConfig {
                jetstream,
                name: ch.name,
                inbox,
                urgent_inbox,
                seed_inbox_from: ch.seed_inbox_from.map(|p| base.join(p)),
                quarantine,
                audit: base.join(
                    super::jetstream::audit_path(&ch.audit, raw.guard_id.as_deref()).map_err(|detail| {
                        crate::policy::PolicyErrors(vec![at("bad-audit-path", &f("audit"), detail)])
                    })?,
                ),
                workers: if ch.workers == 0 { cores } else { ch.workers },
                queue: ch.queue,
                max_input_bytes: ch.max_input_bytes,
                poll_interval_ms: ch.poll_interval_ms,
                fsync: ch.fsync,
                create: ch.create,
                sandbox: ch.sandbox,
                verifier: ch.verifier.then(|| VerifierSettings {
                    deadline: std::time::Duration::from_millis(ch.verifier_deadline_ms),
                    memory_bytes: ch.verifier_memory_mib << 20,
                    sandbox: ch.sandbox,
                }),
                routes,
            });
        }
        if errors.is_empty() {
            use sha2::Digest;
            Ok(Config {
                user: raw.user,
                guard_id: raw.guard_id,
                metrics,
                channels,
                sha256: hex::encode(sha2::Sha256::digest(text.as_bytes())),
                path: None,
            })
        } else {
            Err(crate::policy::PolicyErrors(errors))
        }
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// An output as written: `stdout` (or `-`), `udp://HOST:PORT` exactly, or a directory. Anything
/// that starts like a URL (`scheme:`) and is not a known one written exactly is an error, never a
/// directory: `udp:/127.0.0.1:9000` would otherwise send released messages into `./udp:/`.
fn parse_output(s: &str) -> Result<OutputSpec, String> {
    const KNOWN: &str = "a directory, `stdout` (or `-`), `udp://HOST:PORT` or `nats://HOST:PORT/SUBJECT`";
    if s == "-" || s == "stdout" {
        return Ok(OutputSpec::Stdout);
    }
    if s.is_empty() {
        return Err(format!("the output is empty: it is {KNOWN}"));
    }
    if s.starts_with("nats://") {
        return super::jetstream::parse_target(s).map(OutputSpec::Nats);
    }
    if let Some(rest) = s.strip_prefix("udp://") {
        let ok = rest.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        return if ok {
            Ok(OutputSpec::Udp(rest.to_string()))
        } else {
            Err(format!("`{s}` is not `udp://HOST:PORT` (a port from 1 to 65535)"))
        };
    }
    // `scheme:` as RFC 3986 spells it: a letter, then letters, digits, `+`, `-`, `.`.
    let scheme = s.split_once(':').map(|(head, _)| head).filter(|head| {
        let mut b = head.bytes();
        b.next().is_some_and(|c| c.is_ascii_alphabetic())
            && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    });
    if let Some(scheme) = scheme {
        let hint = if scheme.eq_ignore_ascii_case("udp") {
            " (write it exactly `udp://HOST:PORT`)".to_string()
        } else {
            String::new()
        };
        return Err(format!(
            "`{s}` looks like a URL of scheme `{scheme}:`, which is not one sekisho knows{hint}; an output is \
             {KNOWN}; a directory whose name really starts so is written `./{s}`"
        ));
    }
    Ok(OutputSpec::Spool(PathBuf::from(s)))
}

/// Where `field` (`channel[0].route[1].output`) is in `text`: the approach of the policy
/// loader, on TOML spans.
fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut span = doc.span();
    let mut table = Some(doc.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for part in field.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let found = match (table, value) {
            (Some(t), _) => t.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v),
            (None, Some(v)) => v
                .as_table()
                .and_then(|t| t.iter().find(|(k, _)| k.get_ref().as_ref() == key))
                .map(|(_, v)| v),
            _ => None,
        };
        let Some(mut next) = found else { break };
        if let Some(i) = index {
            match next.get_ref().as_array().and_then(|a| a.get(i)) {
                Some(v) => next = v,
                None => break,
            }
        }
        span = next.span();
        value = Some(next.get_ref());
        table = None;
    }
    let p = crate::error::Position::locate(text.as_bytes(), span.start);
    Some((p.line, p.column))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[channel]]
name = "c"
inbox = "in"
quarantine = "q"
audit = "a.jsonl"

[[channel.route]]
name = "jpn"
policy = "p.toml"
output = "out"
"#;

    #[test]
    fn accepts_a_minimal_channel() {
        let c = Config::from_str(GOOD, "t.toml", Path::new("/base")).unwrap();
        let ch = &c.channels[0];
        assert_eq!(ch.inbox, Path::new("/base/in"));
        assert_eq!(ch.routes[0].output, OutputSpec::Spool("/base/out".into()));
        assert!(ch.workers >= 1);
    }

    #[test]
    fn metrics_are_off_unless_asked_and_bind_loopback_by_default() {
        let c = Config::from_str(GOOD, "t.toml", Path::new("/base")).unwrap();
        assert_eq!(c.metrics, None);
        let c = Config::from_str(&format!("[metrics]\n{GOOD}"), "t.toml", Path::new("/base")).unwrap();
        let m = c.metrics.unwrap();
        assert_eq!(m.listen.to_string(), "127.0.0.1:9464");
        assert!(m.listen.ip().is_loopback());
        let e = Config::from_str(
            &format!("[metrics]\nlisten = \"localhost\"\n{GOOD}"),
            "t.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "metrics.listen");
        assert_eq!((e.0[0].line, e.0[0].column), (2, 10), "{e}");
        assert!(e.to_string().contains("is not an address and port"), "{e}");
    }

    #[test]
    fn rejects_unknown_fields_with_their_place() {
        let text = GOOD
            .replace("workers_", "")
            .replace("audit = ", "colour = \"red\"\naudit = ");
        let e = Config::from_str(&text, "t.toml", Path::new("")).unwrap_err();
        assert!(e.to_string().contains("t.toml:6:1"), "{e}");
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn rejects_a_bad_output_naming_the_field() {
        let text = GOOD.replace("output = \"out\"", "output = \"tcp://x:1\"");
        let e = Config::from_str(&text, "t.toml", Path::new("")).unwrap_err();
        assert_eq!(e.0[0].field, "channel[0].route[0].output");
        assert_eq!((e.0[0].line, e.0[0].column), (11, 10), "{e}");
    }

    #[test]
    fn refuses_a_mistyped_url_instead_of_making_a_directory_of_it() {
        for bad in [
            "udp:/127.0.0.1:9000",
            "udp:127.0.0.1:9000",
            "UDP://127.0.0.1:9000",
            "udp:://127.0.0.1:9000",
            "tcp://127.0.0.1:9000",
            "udp://127.0.0.1",
            "udp://127.0.0.1:0",
        ] {
            let text = GOOD.replace("output = \"out\"", &format!("output = \"{bad}\"\nkey = \"k\""));
            let e = Config::from_str(&text, "t.toml", Path::new("")).unwrap_err();
            assert_eq!(e.0[0].field, "channel[0].route[0].output", "{bad}: {e}");
        }
        let text = GOOD.replace("output = \"out\"", "output = \"udp:/127.0.0.1:9000\"");
        let e = Config::from_str(&text, "t.toml", Path::new(""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("write it exactly `udp://HOST:PORT`"), "{e}");
        // A directory that merely has a colon further on, and stdout by name.
        let text = GOOD.replace("output = \"out\"", "output = \"./udp:/x\"");
        assert!(Config::from_str(&text, "t.toml", Path::new("")).is_ok());
        let text = GOOD.replace("output = \"out\"", "output = \"stdout\"");
        let c = Config::from_str(&text, "t.toml", Path::new("")).unwrap();
        assert_eq!(c.channels[0].routes[0].output, OutputSpec::Stdout);
    }

    #[test]
    fn accepts_a_udp_output() {
        let text = GOOD.replace(
            "output = \"out\"",
            "output = \"udp://192.0.2.1:5000\"\nkey = \"diode.key\"",
        );
        let c = Config::from_str(&text, "t.toml", Path::new("")).unwrap();
        assert_eq!(c.channels[0].routes[0].output, OutputSpec::Udp("192.0.2.1:5000".into()));
    }
}
