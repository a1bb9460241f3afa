//! Scale-out on NATS JetStream (issue 20): a channel's source can be a stream read through a
//! durable pull consumer that every guard of the channel shares, and a route's output can be a
//! JetStream subject. Spool directories stay the default.
//!
//! ```text
//!                         ┌──────────── connector thread (tokio current_thread) ────────────┐
//!  stream ─► consumer ────┤ fetcher: urgent consumer first, then routine, only what fits    │
//!  (shared by N guards)   │          the lanes ─► [lanes] ─► workers ─► committer ─┐        │
//!                         │ output: publish with Nats-Msg-Id = sha-256(output)     │        │
//!                         └──── ack (after the batch's outputs are acked by the ◄──┘────────┘
//!                               stream, its quarantine files and audit records are durable)
//! ```
//!
//! Exactly once, across crashes and guards:
//! - a message is acked only after its outcome is durable (the committer acks after the group
//!   commit: publish acks awaited, quarantine files synced, audit records appended and synced);
//! - a guard killed before the ack means redelivery after `ack_wait` to any guard; its output is
//!   published again under the same `Nats-Msg-Id`, which the output stream's duplicate window
//!   drops; its quarantine copy has the same name (from the stream sequence), so it replaces;
//! - a guard killed between the audit sync and the ack (a window of one ack) leaves a record in
//!   its chain for a message another guard then decides again: `sekisho audit verify` over the
//!   set of chains counts such repeats apart, so the totals still add up by message;
//! - the consumer itself never gives up (`max_deliver` unlimited): the guard counts deliveries,
//!   and the delivery past `max_deliveries` is quarantined as `undeliverable` with its bytes,
//!   without being parsed, then acked. A message that kills guards is never dropped.
//!
//! Sandbox: the connection is made, the stream and consumers are looked up and created before the
//! channel confines itself; the thread that drives the connection starts after, so it is
//! confined like the workers (no new socket, no connect). A lost connection cannot be made again:
//! the channel stops, and the unacked messages go to the other guards (or to this one, restarted).

use std::sync::atomic::AtomicBool;

use async_nats::jetstream as js;
use serde::Deserialize;

use super::*;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// `[channel.jetstream]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// `nats://HOST:PORT` (an IP address: nothing is resolved once confined).
    url: String,
    /// The stream the messages are in (made by the operator).
    stream: String,
    /// The routine subject and the durable pull consumer every guard of the channel shares.
    subject: String,
    consumer: String,
    /// The urgent lane: its own subject (in the same stream) and its own consumer, fetched first.
    #[serde(default)]
    urgent_subject: Option<String>,
    #[serde(default)]
    urgent_consumer: Option<String>,
    /// How long the server waits for an ack before it delivers a message again.
    #[serde(default = "default_ack_wait")]
    ack_wait_ms: u64,
    /// The delivery past this many is quarantined as `undeliverable` without being parsed.
    #[serde(default = "default_max_deliveries")]
    max_deliveries: u32,
    /// Messages asked for per pull (never more than fits in the lanes).
    #[serde(default = "default_batch")]
    batch: usize,
}

fn default_ack_wait() -> u64 {
    30_000
}
fn default_max_deliveries() -> u32 {
    5
}
fn default_batch() -> usize {
    128
}

/// A validated JetStream source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub consumer: String,
    /// The urgent lane: (subject, consumer).
    pub urgent: Option<(String, String)>,
    pub ack_wait: Duration,
    pub max_deliveries: u32,
    pub batch: usize,
    /// The guard's id (required with a JetStream source: it names the audit chain).
    pub guard_id: String,
}

impl SourceFile {
    pub(super) fn validate(self, guard_id: Option<&str>) -> Result<SourceConfig, String> {
        let guard_id = guard_id
            .ok_or("a JetStream source needs a top-level `guard_id`: each guard keeps its own audit chain")?
            .to_string();
        let url = parse_url(&self.url)?;
        if !is_token(&self.stream) {
            return Err(format!(
                "stream `{}` is not a stream name (A-Z, a-z, 0-9, `-`, `_`)",
                self.stream
            ));
        }
        for c in std::iter::once(&self.consumer).chain(self.urgent_consumer.as_ref()) {
            if !is_token(c) {
                return Err(format!(
                    "consumer `{c}` is not a consumer name (A-Z, a-z, 0-9, `-`, `_`)"
                ));
            }
        }
        for s in std::iter::once(&self.subject).chain(self.urgent_subject.as_ref()) {
            if !is_subject(s, true) {
                return Err(format!(
                    "`{s}` is not a subject (tokens of A-Z, a-z, 0-9, `-`, `_`, `*`, `>` joined by `.`)"
                ));
            }
        }
        let urgent = match (self.urgent_subject, self.urgent_consumer) {
            (Some(s), Some(c)) if c != self.consumer => Some((s, c)),
            (Some(_), Some(_)) => return Err("the urgent lane needs a consumer of its own".into()),
            (None, None) => None,
            _ => return Err("`urgent_subject` and `urgent_consumer` go together".into()),
        };
        if !(100..=3_600_000).contains(&self.ack_wait_ms) {
            return Err("`ack_wait_ms` must be within 100..=3600000".into());
        }
        if !(1..=1000).contains(&self.max_deliveries) {
            return Err("`max_deliveries` must be within 1..=1000".into());
        }
        if !(1..=4096).contains(&self.batch) {
            return Err("`batch` must be within 1..=4096".into());
        }
        Ok(SourceConfig {
            url,
            stream: self.stream,
            subject: self.subject,
            consumer: self.consumer,
            urgent,
            ack_wait: Duration::from_millis(self.ack_wait_ms),
            max_deliveries: self.max_deliveries,
            batch: self.batch,
            guard_id,
        })
    }
}

/// A route's JetStream output: `nats://HOST:PORT/SUBJECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsTarget {
    /// `HOST:PORT`.
    pub url: String,
    pub subject: String,
}

/// `nats://HOST:PORT/SUBJECT` (a subject to publish to: no wildcard).
pub(super) fn parse_target(s: &str) -> Result<NatsTarget, String> {
    let bad = || format!("`{s}` is not `nats://HOST:PORT/SUBJECT`");
    let rest = s.strip_prefix("nats://").ok_or_else(bad)?;
    let (addr, subject) = rest.split_once('/').ok_or_else(bad)?;
    let url = parse_url(&format!("nats://{addr}"))?;
    if !is_subject(subject, false) {
        return Err(format!(
            "`{subject}` is not a subject to publish to (tokens of A-Z, a-z, 0-9, `-`, `_` joined by `.`)"
        ));
    }
    Ok(NatsTarget {
        url,
        subject: subject.to_string(),
    })
}

/// `nats://HOST:PORT` → `HOST:PORT`.
fn parse_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("nats://")
        .ok_or_else(|| format!("`{s}` is not `nats://HOST:PORT`"))?;
    let ok = rest.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !host.contains(['/', '@']) && port.parse::<u16>().is_ok_and(|p| p > 0)
    });
    if ok {
        Ok(rest.to_string())
    } else {
        Err(format!("`{s}` is not `nats://HOST:PORT` (a port from 1 to 65535)"))
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_subject(s: &str, wildcards: bool) -> bool {
    s.len() <= 255
        && s.split('.')
            .all(|t| is_token(t) || (wildcards && (t == "*" || t == ">")))
}

/// The audit path with `{guard_id}` replaced.
pub(super) fn audit_path(path: &Path, guard_id: Option<&str>) -> Result<std::path::PathBuf, String> {
    let text = path.to_string_lossy();
    if !text.contains("{guard_id}") {
        return Ok(path.to_path_buf());
    }
    match guard_id {
        Some(g) => Ok(text.replace("{guard_id}", g).into()),
        None => Err("`{guard_id}` in the audit path needs a top-level `guard_id`".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The connector: one connection per server address, its runtime driven by a confined thread
// ---------------------------------------------------------------------------------------------

/// One connection and the runtime it lives on.
pub(super) struct Connector {
    handle: tokio::runtime::Handle,
    /// Until the driving thread takes it.
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    client: async_nats::Client,
    context: js::Context,
    url: String,
}

/// The connections of a channel, by `HOST:PORT`.
#[derive(Default)]
pub(super) struct Connectors {
    open: Mutex<Vec<Arc<Connector>>>,
    stop: Arc<AtomicBool>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Connectors {
    /// The connection to `url`, made now (before the channel confines itself).
    fn get(&self, url: &str) -> Result<Arc<Connector>, String> {
        let mut open = lock(&self.open);
        if let Some(c) = open.iter().find(|c| c.url == url) {
            return Ok(Arc::clone(c));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("nats://{url}: cannot make the connector's runtime: {e}"))?;
        let client = runtime
            .block_on(async {
                let connect = async_nats::ConnectOptions::new()
                    .name("sekisho")
                    // Confined, the connector cannot make a new socket: no reconnection.
                    .max_reconnects(Some(1))
                    .connection_timeout(Duration::from_secs(5))
                    .connect(url);
                tokio::time::timeout(Duration::from_secs(10), connect).await
            })
            .map_err(|_| format!("nats://{url}: no connection within 10 s"))?
            .map_err(|e| format!("nats://{url}: cannot connect: {e}"))?;
        // The context spawns its acker task on the runtime.
        let context = {
            let _enter = runtime.enter();
            js::new(client.clone())
        };
        let c = Arc::new(Connector {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            client,
            context,
            url: url.to_string(),
        });
        open.push(Arc::clone(&c));
        Ok(c)
    }

    /// Start the threads that drive the connections: called once the channel is confined, so
    /// that they are confined too.
    pub(super) fn drive(&self, channel: &str) -> Result<(), String> {
        for c in lock(&self.open).iter() {
            let Some(runtime) = lock(&c.runtime).take() else {
                continue;
            };
            let stop = Arc::clone(&self.stop);
            let t = std::thread::Builder::new()
                .name(format!("{channel}-nats"))
                .spawn(move || {
                    runtime.block_on(async {
                        while !stop.load(Ordering::Relaxed) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    });
                })
                .map_err(|e| format!("cannot start the connector thread: {e}"))?;
            lock(&self.threads).push(t);
        }
        Ok(())
    }

    /// Flush what is buffered (the last acks), then stop the driving threads.
    pub(super) fn stop(&self) {
        for c in lock(&self.open).iter() {
            if lock(&c.runtime).is_none() {
                let flushed = c
                    .handle
                    .block_on(async { tokio::time::timeout(Duration::from_secs(5), c.client.flush()).await });
                if !matches!(flushed, Ok(Ok(()))) {
                    tracing::warn!(url = %c.url, "cannot flush the last acks; those messages will be delivered again");
                }
            }
        }
        self.stop.store(true, Ordering::Relaxed);
        for t in lock(&self.threads).drain(..) {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The output
// ---------------------------------------------------------------------------------------------

/// A route's JetStream subject: each message published with `Nats-Msg-Id` = its sha-256, so that
/// publishing it again after a crash is dropped by the stream's duplicate window; `commit` waits
/// for the stream's acks of the batch (the messages are stored, on as many replicas as the stream
/// has) before the audit records are written.
pub(super) struct JetStreamOutput {
    conn: Arc<Connector>,
    subject: String,
    pending: Mutex<Vec<js::context::PublishAckFuture>>,
}

/// Open a route's JetStream output (the connection is made now, before confinement).
pub(super) fn open_output(connectors: &Connectors, target: &NatsTarget) -> Result<Box<dyn Output>, String> {
    let conn = connectors.get(&target.url)?;
    Ok(Box::new(JetStreamOutput {
        conn,
        subject: target.subject.clone(),
        pending: Mutex::new(Vec::new()),
    }))
}

impl Output for JetStreamOutput {
    fn emit(&self, message: &super::verifier::Cleared, _name: &str) -> std::io::Result<Option<output::Sent>> {
        let bytes = message.as_bytes();
        let id = hex::encode(Sha256::digest(bytes));
        let publish = js::message::PublishMessage::build()
            .payload(bytes.to_vec().into())
            .message_id(id);
        let ack = self
            .conn
            .handle
            .block_on(self.conn.context.send_publish(self.subject.clone(), publish))
            .map_err(std::io::Error::other)?;
        lock(&self.pending).push(ack);
        Ok(None)
    }
    fn commit(&self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut *lock(&self.pending));
        if pending.is_empty() {
            return Ok(());
        }
        self.conn.handle.block_on(async {
            for ack in pending {
                ack.await.map_err(std::io::Error::other)?;
            }
            Ok(())
        })
    }
    fn describe(&self) -> String {
        format!("nats://{}/{}", self.conn.url, self.subject)
    }
}

// ---------------------------------------------------------------------------------------------
// The source: a fetcher beside the inbox scanner
// ---------------------------------------------------------------------------------------------

type PullConsumer = js::consumer::Consumer<js::consumer::pull::Config>;

/// A message delivered and not yet acked.
struct Delivery {
    message: js::Message,
    /// The server's count of deliveries of this message (1 the first time).
    delivered: i64,
    /// Stable across deliveries: the stream's timestamp and sequence.
    input_id: String,
}

/// A channel's JetStream source.
pub(super) struct Source {
    cfg: SourceConfig,
    conn: Arc<Connector>,
    routine: PullConsumer,
    urgent: Option<PullConsumer>,
    pending: Mutex<HashMap<OsString, Delivery>>,
    /// Set (with `once`) when nothing more was there to fetch.
    drained: AtomicBool,
}

impl Source {
    /// Connect, find the stream, make (or find) the durable consumers: before confinement.
    pub(super) fn open(connectors: &Connectors, cfg: &SourceConfig) -> Result<Source, String> {
        let conn = connectors.get(&cfg.url)?;
        // Not driven yet by its thread (that starts once confined): drive it from here.
        let runtime = lock(&conn.runtime).take().ok_or("the connector is already running")?;
        let routine = runtime.block_on(consumer(&conn, cfg, &cfg.subject, &cfg.consumer));
        let urgent = match &cfg.urgent {
            Some((s, c)) => Some(runtime.block_on(consumer(&conn, cfg, s, c))).transpose(),
            None => Ok(None),
        };
        *lock(&conn.runtime) = Some(runtime);
        let (routine, urgent) = (routine?, urgent?);
        Ok(Source {
            cfg: cfg.clone(),
            conn,
            routine,
            urgent,
            pending: Mutex::new(HashMap::new()),
            drained: AtomicBool::new(false),
        })
    }

    /// With `once`: nothing more to fetch.
    pub(super) fn drained(&self) -> bool {
        self.drained.load(Ordering::Relaxed)
    }

    /// The bytes of a delivered message, its delivery count and its input id; `None` for an
    /// inbox file.
    fn delivery(&self, name: &OsStr) -> Option<(bytes::Bytes, i64, String)> {
        lock(&self.pending)
            .get(name)
            .map(|d| (d.message.payload.clone(), d.delivered, d.input_id.clone()))
    }

    /// After the group commit: ack what is done, let the server deliver again what could not be
    /// done. `false` for an inbox file (the committer removes it as usual).
    pub(super) fn settle(&self, channel: &Channel<'_>, lane: Lane, name: &OsStr, finish: &Finish) -> bool {
        let Some(d) = lock(&self.pending).remove(name) else {
            return false;
        };
        let kind = match finish {
            Finish::Remove => js::AckKind::Ack,
            // Only a panic outside the guard makes this for a delivered message (its bytes
            // were not kept): deliver it again, until it is quarantined as undeliverable.
            Finish::MoveTo(_) | Finish::Leave => js::AckKind::Nak(Some(Duration::from_secs(1))),
        };
        if let Err(e) = self.conn.handle.block_on(d.message.ack_with(kind)) {
            tracing::warn!(channel = %channel.cfg.name, input = ?name, error = %e,
                "cannot ack; the message will be delivered again");
        }
        if !matches!(finish, Finish::Remove) {
            lock(&channel.in_flight).remove(&(lane, name.to_os_string()));
        }
        true
    }

    /// The fetcher: urgent first, then routine, only as many as fit in the lanes.
    pub(super) fn fetch_loop(
        &self,
        channel: &Channel<'_>,
        lanes: &Lanes,
        options: &RunOptions,
        fatal: &Mutex<Option<String>>,
    ) {
        let poll = Duration::from_millis(channel.cfg.poll_interval_ms.clamp(10, 1000));
        let mut idle = 0u32;
        let mut disconnected: Option<Instant> = None;
        loop {
            if options.stop.load(Ordering::Relaxed) || lock(fatal).is_some() {
                return;
            }
            if self.conn.client.connection_state() == async_nats::connection::State::Connected {
                disconnected = None;
            } else if disconnected.get_or_insert_with(Instant::now).elapsed() > Duration::from_secs(5) {
                // Confined, the connector cannot connect again: stop the channel; what it did
                // not ack goes to the other guards.
                *lock(fatal) = Some(format!(
                    "lost the connection to nats://{}; restart the guard (unacked messages are delivered again)",
                    self.cfg.url
                ));
                lanes.close();
                return;
            }
            let mut got = 0;
            if let Some(urgent) = &self.urgent {
                let room = lanes.urgent_room().min(self.cfg.batch);
                if room > 0 {
                    got += self.pull(channel, lanes, urgent, Lane::Urgent, room, None);
                }
            }
            let room = lanes.room().min(self.cfg.batch);
            if room == 0 {
                lanes.wait_for_room(Duration::from_millis(20));
                continue;
            }
            // Wait for routine messages only when no urgent one came (urgent stays first).
            let wait = (got == 0 && self.urgent.is_none()).then_some(poll);
            got += self.pull(channel, lanes, &self.routine, Lane::Routine, room, wait);
            if got > 0 {
                idle = 0;
                continue;
            }
            idle = idle.saturating_add(1);
            if options.once && idle >= 3 && lanes.is_empty() && lock(&self.pending).is_empty() {
                self.drained.store(true, Ordering::Relaxed);
                return;
            }
            if self.urgent.is_some() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// One pull request: push what comes into the lanes; how many.
    fn pull(
        &self,
        channel: &Channel<'_>,
        lanes: &Lanes,
        consumer: &PullConsumer,
        lane: Lane,
        max: usize,
        wait: Option<Duration>,
    ) -> usize {
        use futures_util::StreamExt;
        let result = self.conn.handle.block_on(async {
            let mut n = 0;
            let mut messages = match wait {
                Some(w) => consumer.batch().max_messages(max).expires(w).messages().await,
                None => consumer.fetch().max_messages(max).messages().await,
            }
            .map_err(|e| e.to_string())?;
            while let Some(m) = messages.next().await {
                let m = m.map_err(|e| e.to_string())?;
                if self.accept(channel, lanes, lane, m) {
                    n += 1;
                }
            }
            Ok::<_, String>(n)
        });
        match result {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(channel = %channel.cfg.name, lane = lane.as_str(), error = %e, "cannot fetch from JetStream");
                std::thread::sleep(Duration::from_millis(100));
                0
            }
        }
    }

    /// Queue one delivered message (a delivery of one still in flight replaces its handle).
    fn accept(&self, channel: &Channel<'_>, lanes: &Lanes, lane: Lane, message: js::Message) -> bool {
        let Ok(info) = message.info() else {
            tracing::error!(channel = %channel.cfg.name, "a JetStream message without its delivery info; left for redelivery");
            return false;
        };
        let name = OsString::from(format!("nats/{}/{}", self.cfg.stream, info.stream_sequence));
        let delivered = info.delivered;
        let input_id = format!("js-{}-{}", info.published.unix_timestamp_nanos(), info.stream_sequence);
        let mut pending = lock(&self.pending);
        if let Some(d) = pending.get_mut(&name) {
            // Delivered again while still being decided here (past `ack_wait`): ack the newest.
            d.message = message;
            d.delivered = delivered;
            return false;
        }
        pending.insert(
            name.clone(),
            Delivery {
                message,
                delivered,
                input_id,
            },
        );
        drop(pending);
        lock(&channel.in_flight).insert((lane, name.clone()));
        lanes.push(Job {
            lane,
            name,
            recovered: delivered > 1,
            claimed_at: Instant::now(),
        });
        true
    }
}

/// Find or make the durable pull consumer `name` on `subject`.
async fn consumer(conn: &Connector, cfg: &SourceConfig, subject: &str, name: &str) -> Result<PullConsumer, String> {
    let config = js::consumer::pull::Config {
        durable_name: Some(name.to_string()),
        filter_subject: subject.to_string(),
        ack_policy: js::consumer::AckPolicy::Explicit,
        ack_wait: cfg.ack_wait,
        max_deliver: -1,
        max_ack_pending: 65_536,
        ..Default::default()
    };
    let stream = conn
        .context
        .get_stream(&cfg.stream)
        .await
        .map_err(|e| format!("stream `{}`: {e}", cfg.stream))?;
    stream
        .get_or_create_consumer(name, config)
        .await
        .map_err(|e| format!("stream `{}`: consumer `{name}`: {e}", cfg.stream))
}

// ---------------------------------------------------------------------------------------------
// A delivered message through the routes
// ---------------------------------------------------------------------------------------------

impl Channel<'_> {
    /// A delivered message, if `job` is one: decided from its bytes (there is no file).
    pub(super) fn process_delivered(&self, job: &Job, live: &Live) -> Option<Outcome> {
        let source = self.jetstream.as_ref()?;
        let (bytes, delivered, id) = source.delivery(&job.name)?;
        let outcome = |records, finish| Outcome {
            lane: job.lane,
            name: job.name.clone(),
            claimed_at: job.claimed_at,
            records,
            finish,
        };
        let routes = self.routes_to_do(live, &job.name, &id, job.recovered);
        if routes.is_empty() {
            // Every route recorded here before a crash: only the ack was missing.
            return Some(outcome(Vec::new(), Finish::Remove));
        }
        let max = i64::from(source.cfg.max_deliveries);
        let refused = if delivered > max {
            Some((
                QuarantineReason::Undeliverable,
                format!("delivered {delivered} times, more than `max_deliveries` ({max}): no guard finished it"),
            ))
        } else if bytes.len() > live.read_limit {
            Some((
                QuarantineReason::Oversized,
                format!("the message is {} bytes, the limit is {}", bytes.len(), live.read_limit),
            ))
        } else if bytes.iter().all(u8::is_ascii_whitespace) {
            Some((QuarantineReason::Empty, "the message is empty".to_string()))
        } else {
            None
        };
        let sha = hex::encode(Sha256::digest(&bytes));
        if let Some((reason, detail)) = refused {
            return Some(
                match self.quarantine_delivered(job, &id, live, &routes, &bytes, &sha, reason, &detail) {
                    Ok(records) => outcome(records, Finish::Remove),
                    Err(e) => {
                        tracing::error!(channel = %self.cfg.name, input = ?job.name, error = %e,
                        "cannot write to the quarantine; the message will be delivered again");
                        outcome(Vec::new(), Finish::Leave)
                    }
                },
            );
        }
        let mut records = Vec::new();
        for i in routes {
            let Some(route) = live.routes.get(i) else { continue };
            match self.decide_route(job, &id, route, &bytes, &sha) {
                Ok(record) => records.push(record),
                Err(e) => {
                    tracing::error!(channel = %self.cfg.name, route = %route.name, input = ?job.name, error = %e,
                        "cannot write the output or the quarantine; the message will be delivered again");
                    return Some(outcome(Vec::new(), Finish::Leave));
                }
            }
        }
        Some(outcome(records, Finish::Remove))
    }

    /// Keep a delivered message's bytes in the quarantine for every route still to do, without
    /// parsing them.
    #[allow(clippy::too_many_arguments)]
    fn quarantine_delivered(
        &self,
        job: &Job,
        id: &str,
        live: &Live,
        routes: &[usize],
        bytes: &[u8],
        sha: &str,
        reason: QuarantineReason,
        detail: &str,
    ) -> std::io::Result<Vec<Record>> {
        tracing::warn!(channel = %self.cfg.name, input = ?job.name, %reason, detail, "quarantined");
        let findings = [Finding {
            rule: reason.as_str().into(),
            detail: detail.into(),
            at: "message".into(),
        }];
        let mut records = Vec::new();
        for &i in routes {
            let Some(route) = live.routes.get(i) else { continue };
            let mut record = self.base_record(job, id, route);
            let qid = quarantine::copy_name(job.name.as_bytes(), id, sha, &route.name);
            let reason_file = ReasonFile {
                verdict: "quarantined",
                reason,
                channel: &self.cfg.name,
                routes: vec![&route.name],
                input: &record.input,
                input_hex: record.input_hex.as_deref(),
                input_id: id,
                input_sha256: Some(sha),
                input_bytes: bytes.len() as u64,
                time: record.time.clone(),
                findings: &findings,
                entry: None,
                decisions: &[],
                explain: Vec::new(),
            };
            quarantine::keep_bytes(&self.quarantine, &self.cfg.quarantine, &qid, bytes, &reason_file)?;
            record.input_sha256 = Some(sha.to_string());
            record.input_bytes = bytes.len() as u64;
            record.verdict = Verdict::Quarantined;
            record.reason = Some(reason.as_str().into());
            record.rules = vec![reason.as_str().into()];
            record.quarantine = Some(qid);
            records.push(record);
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_jetstream_output() {
        let t = parse_target("nats://127.0.0.1:4222/OUT.jpn").unwrap();
        assert_eq!(t.url, "127.0.0.1:4222");
        assert_eq!(t.subject, "OUT.jpn");
    }

    #[test]
    fn rejects_a_wildcard_or_missing_subject_to_publish_to() {
        for bad in [
            "nats://127.0.0.1:4222/OUT.*",
            "nats://127.0.0.1:4222/OUT.>",
            "nats://127.0.0.1:4222/",
            "nats://127.0.0.1:4222",
            "nats://127.0.0.1/OUT",
            "nats://user@127.0.0.1:4222/OUT",
            "nats://127.0.0.1:4222/OUT..x",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replaces_the_guard_id_in_the_audit_path() {
        assert_eq!(
            audit_path(Path::new("var/audit-{guard_id}.jsonl"), Some("g2")).unwrap(),
            Path::new("var/audit-g2.jsonl")
        );
        assert!(audit_path(Path::new("var/audit-{guard_id}.jsonl"), None).is_err());
        assert_eq!(audit_path(Path::new("a.jsonl"), None).unwrap(), Path::new("a.jsonl"));
    }
}
