//! TAXII 2.1 in and out: a collection as a source of messages on the sending side
//! ([`source`]: pages of objects become bundles in a channel's inbox), and a partner's
//! collection as the destination of released bundles on the receiving side ([`sink`]).
//!
//! The guard itself never speaks TAXII: the source writes into the inbox like any other
//! producer (so the channel stays without sockets, and the spool's checks apply), and the sink
//! reads the diode receiver's spool, after the one-way link (posting is a two-way conversation,
//! which the sending side must never have).
//!
//! The client is `ureq` on rustls (blocking, no async runtime): `application/taxii+json;
//! version=2.1`, basic or bearer authentication with the secret read from a file, TLS with the
//! web PKI roots or a CA file. Responses are size-limited and parsed with serde_json into the
//! few fields the protocol needs; anything else in them is ignored, never trusted.

pub mod sink;
pub mod source;

use std::path::Path;
use std::time::Duration;

/// The TAXII 2.1 media type (TAXII 2.1 §1.6.8).
pub const MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The largest response body read (a page of objects, a status resource).
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// What went wrong talking to a TAXII server, named for the log and the metric.
#[derive(Debug, thiserror::Error)]
pub enum TaxiiError {
    #[error("{url}: HTTP {status}: {what}")]
    Http { url: String, status: u16, what: String },
    #[error("{url}: {what}")]
    Transport { url: String, what: String },
    #[error("{url}: the response is not a TAXII {expected}: {what}")]
    Malformed {
        url: String,
        expected: &'static str,
        what: String,
        /// The body, for the quarantine (a malformed envelope is a bad message like any other).
        body: Vec<u8>,
    },
    #[error("{0}")]
    Config(String),
    #[error("{path}: {what}")]
    Io { path: String, what: String },
}

impl TaxiiError {
    /// A short kind for logs and metrics: `unauthorized`, `not-found`, `server`, `client`,
    /// `transport`, `malformed`, `config`, `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            TaxiiError::Http { status: 401 | 403, .. } => "unauthorized",
            TaxiiError::Http { status: 404, .. } => "not-found",
            TaxiiError::Http { status: 500..=599, .. } => "server",
            TaxiiError::Http { .. } => "client",
            TaxiiError::Transport { .. } => "transport",
            TaxiiError::Malformed { .. } => "malformed",
            TaxiiError::Config(_) => "config",
            TaxiiError::Io { .. } => "io",
        }
    }

    /// Whether trying again later may succeed (a server or network fault, not a refusal).
    pub fn transient(&self) -> bool {
        matches!(self.kind(), "server" | "transport")
    }
}

/// How the client authenticates. The secret is read from a file, never from the configuration.
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    /// HTTP basic: the file holds `user:password`.
    Basic(String),
    /// A bearer token: the file holds the token.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::None => "Auth::None",
            Auth::Basic(_) => "Auth::Basic(…)",
            Auth::Bearer(_) => "Auth::Bearer(…)",
        })
    }
}

impl Auth {
    /// Read `user:password` (basic) from `path`.
    pub fn basic_from(path: &Path) -> Result<Auth, TaxiiError> {
        let secret = read_secret(path)?;
        if !secret.contains(':') {
            return Err(TaxiiError::Config(format!(
                "{}: a basic-authentication file holds `user:password`",
                path.display()
            )));
        }
        Ok(Auth::Basic(secret))
    }

    /// Read a bearer token from `path`.
    pub fn bearer_from(path: &Path) -> Result<Auth, TaxiiError> {
        Ok(Auth::Bearer(read_secret(path)?))
    }

    fn header(&self) -> Option<String> {
        use base64::Engine;
        match self {
            Auth::None => None,
            Auth::Basic(s) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
            )),
            Auth::Bearer(t) => Some(format!("Bearer {t}")),
        }
    }
}

fn read_secret(path: &Path) -> Result<String, TaxiiError> {
    let text = std::fs::read_to_string(path).map_err(|e| TaxiiError::Io {
        path: path.display().to_string(),
        what: format!("cannot read the secret: {e}"),
    })?;
    let secret = text.trim().to_string();
    if secret.is_empty() || secret.contains('\n') {
        return Err(TaxiiError::Config(format!(
            "{}: the secret file must hold one non-empty line",
            path.display()
        )));
    }
    Ok(secret)
}

/// A TAXII 2.1 client for one server.
pub struct Client {
    agent: ureq::Agent,
    auth: Auth,
}

/// A response: status, the body, and the `X-TAXII-Date-Added-Last` header when present.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub date_added_last: Option<String>,
}

impl Client {
    /// A client with `auth`, trusting the web PKI roots or, with `ca_file`, the PEM
    /// certificates in it only.
    pub fn new(auth: Auth, ca_file: Option<&Path>, timeout: Duration) -> Result<Client, TaxiiError> {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0);
        if let Some(ca) = ca_file {
            let pem = std::fs::read(ca).map_err(|e| TaxiiError::Io {
                path: ca.display().to_string(),
                what: format!("cannot read the CA file: {e}"),
            })?;
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(&pem) {
                match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(e) => return Err(TaxiiError::Config(format!("{}: {e}", ca.display()))),
                }
            }
            if certs.is_empty() {
                return Err(TaxiiError::Config(format!("{}: no certificate in it", ca.display())));
            }
            let tls = ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                .build();
            config = config.tls_config(tls);
        }
        Ok(Client {
            agent: config.build().into(),
            auth,
        })
    }

    /// `GET url`, accepting TAXII.
    pub fn get(&self, url: &str) -> Result<Response, TaxiiError> {
        let mut req = self.agent.get(url).header("Accept", MEDIA_TYPE);
        if let Some(h) = self.auth.header() {
            req = req.header("Authorization", h);
        }
        Self::finish(url, req.call())
    }

    /// `POST url` with a TAXII envelope.
    pub fn post(&self, url: &str, body: &[u8]) -> Result<Response, TaxiiError> {
        let mut req = self
            .agent
            .post(url)
            .header("Accept", MEDIA_TYPE)
            .header("Content-Type", MEDIA_TYPE);
        if let Some(h) = self.auth.header() {
            req = req.header("Authorization", h);
        }
        Self::finish(url, req.send(body))
    }

    fn finish(url: &str, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Response, TaxiiError> {
        let mut r = r.map_err(|e| TaxiiError::Transport {
            url: url.to_string(),
            what: e.to_string(),
        })?;
        let status = r.status().as_u16();
        let date_added_last = r
            .headers()
            .get("X-TAXII-Date-Added-Last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| TaxiiError::Transport {
                url: url.to_string(),
                what: format!("reading the response: {e}"),
            })?;
        if !(200..300).contains(&status) {
            let what = String::from_utf8_lossy(body.get(..body.len().min(300)).unwrap_or_default()).into_owned();
            return Err(TaxiiError::Http {
                url: url.to_string(),
                status,
                what,
            });
        }
        Ok(Response {
            status,
            body,
            date_added_last,
        })
    }
}

/// A connector's counters, written after every poll in the Prometheus text exposition format to
/// a file, for node_exporter's textfile collector (the connectors serve no listener of their
/// own): polls by outcome, failures by kind, and the time of the last success.
#[derive(Debug, Default)]
pub struct Metrics {
    path: Option<std::path::PathBuf>,
    connector: String,
    polls_ok: u64,
    failures: std::collections::BTreeMap<&'static str, u64>,
    last_success: u64,
}

impl Metrics {
    /// Counters for `connector`, written to `path` when one is given.
    pub fn new(connector: &str, path: Option<&Path>) -> Metrics {
        Metrics {
            path: path.map(Path::to_path_buf),
            connector: connector.to_string(),
            ..Metrics::default()
        }
    }

    fn record(&mut self, outcome: Result<(), &TaxiiError>) {
        match outcome {
            Ok(()) => {
                self.polls_ok = self.polls_ok.saturating_add(1);
                self.last_success = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
            }
            Err(e) => {
                let n = self.failures.entry(e.kind()).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
    }

    /// The counters in the Prometheus text format.
    pub fn render(&self) -> String {
        let c = &self.connector;
        let failed: u64 = self.failures.values().sum();
        let mut out = format!(
            "# HELP sekisho_taxii_polls_total Polls of a TAXII connector, by outcome.\n\
             # TYPE sekisho_taxii_polls_total counter\n\
             sekisho_taxii_polls_total{{connector=\"{c}\",outcome=\"ok\"}} {}\n\
             sekisho_taxii_polls_total{{connector=\"{c}\",outcome=\"failed\"}} {failed}\n\
             # HELP sekisho_taxii_failures_total Failed polls of a TAXII connector, by kind.\n\
             # TYPE sekisho_taxii_failures_total counter\n",
            self.polls_ok
        );
        for (kind, n) in &self.failures {
            out.push_str(&format!(
                "sekisho_taxii_failures_total{{connector=\"{c}\",kind=\"{kind}\"}} {n}\n"
            ));
        }
        out.push_str(&format!(
            "# HELP sekisho_taxii_last_success_timestamp_seconds When a poll of a TAXII connector last succeeded.\n\
             # TYPE sekisho_taxii_last_success_timestamp_seconds gauge\n\
             sekisho_taxii_last_success_timestamp_seconds{{connector=\"{c}\"}} {}\n",
            self.last_success
        ));
        out
    }

    fn write(&self) {
        let Some(path) = &self.path else { return };
        if let Err(e) = write_file_durably(path, self.render().as_bytes()) {
            tracing::warn!(target: "sekisho::taxii", "metrics: {e}");
        }
    }
}

/// Run `step` now, then every `interval`, logging what it did and counting it in `metrics`;
/// after an error wait longer (doubling up to 32 × `interval`, ±50 % jitter so that many
/// guards do not retry in step). With `once`, run it once and return its result.
pub fn poll(
    what: &str,
    interval: Duration,
    once: bool,
    metrics: &mut Metrics,
    mut step: impl FnMut() -> Result<String, TaxiiError>,
) -> Result<(), TaxiiError> {
    let mut failures: u32 = 0;
    loop {
        let result = step();
        metrics.record(result.as_ref().map(|_| ()));
        metrics.write();
        match result {
            Ok(done) => {
                failures = 0;
                tracing::info!(target: "sekisho::taxii", "{what}: {done}");
                if once {
                    return Ok(());
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(target: "sekisho::taxii", kind = e.kind(), failures, "{what}: {e}");
                if once {
                    return Err(e);
                }
            }
        }
        let factor = 1u32 << failures.min(5);
        let base = interval.saturating_mul(factor);
        std::thread::sleep(jittered(base));
    }
}

/// `d` × a random factor in [0.5, 1.5).
fn jittered(d: Duration) -> Duration {
    let mut b = [0u8; 2];
    let r = getrandom::fill(&mut b).map_or(0x8000, |()| u16::from_le_bytes(b));
    let factor = 0.5 + f64::from(r) / 65536.0;
    d.mul_f64(factor)
}

/// A collection as its server describes it (TAXII 2.1 §5.2).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Collection {
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub can_read: bool,
    pub can_write: bool,
}

/// Discovery (TAXII 2.1 §4.1) → API roots → their collections: every collection a server
/// offers, with its URL, for an operator choosing one.
pub fn discover(client: &Client, discovery_url: &str) -> Result<Vec<(String, Collection)>, TaxiiError> {
    #[derive(serde::Deserialize)]
    struct Discovery {
        #[serde(default)]
        api_roots: Vec<String>,
    }
    #[derive(serde::Deserialize)]
    struct Collections {
        #[serde(default)]
        collections: Vec<Collection>,
    }
    let url = discovery_url.strip_prefix("taxii+").unwrap_or(discovery_url);
    let r = client.get(url)?;
    let d: Discovery = serde_json::from_slice(&r.body).map_err(|e| TaxiiError::Malformed {
        url: url.to_string(),
        expected: "discovery resource",
        what: e.to_string(),
        body: r.body.clone(),
    })?;
    let mut out = Vec::new();
    for root in d.api_roots {
        let root = if root.ends_with('/') { root } else { format!("{root}/") };
        let list_url = format!("{root}collections/");
        let r = client.get(&list_url)?;
        let c: Collections = serde_json::from_slice(&r.body).map_err(|e| TaxiiError::Malformed {
            url: list_url.clone(),
            expected: "collections resource",
            what: e.to_string(),
            body: r.body.clone(),
        })?;
        out.extend(c.collections.into_iter().map(|c| (format!("{list_url}{}/", c.id), c)));
    }
    Ok(out)
}

/// The collection at `collection`, checked to allow `reading` (or writing).
pub fn collection(client: &Client, collection: &str, reading: bool) -> Result<Collection, TaxiiError> {
    let url = collection.strip_prefix("taxii+").unwrap_or(collection);
    objects_url(url)?;
    let r = client.get(url)?;
    let c: Collection = serde_json::from_slice(&r.body).map_err(|e| TaxiiError::Malformed {
        url: url.to_string(),
        expected: "collection resource",
        what: e.to_string(),
        body: r.body.clone(),
    })?;
    let (allowed, what) = if reading {
        (c.can_read, "read")
    } else {
        (c.can_write, "written")
    };
    if !allowed {
        return Err(TaxiiError::Config(format!(
            "{url}: the server says this collection may not be {what} with these credentials"
        )));
    }
    Ok(c)
}

/// A collection's `objects/` URL from the collection's URL (`…/collections/ID/`), written as
/// `http(s)://…` or `taxii+http(s)://…`.
pub fn objects_url(collection: &str) -> Result<String, TaxiiError> {
    let url = collection.strip_prefix("taxii+").unwrap_or(collection);
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(TaxiiError::Config(format!(
            "`{collection}`: a collection is `https://host/api-root/collections/ID/` (or `taxii+https://…`)"
        )));
    }
    if !url.contains("/collections/") {
        return Err(TaxiiError::Config(format!(
            "`{collection}`: the URL must name a collection (`…/collections/ID/`)"
        )));
    }
    let base = url.trim_end_matches('/');
    Ok(format!("{base}/objects/"))
}

/// The API root of a collection URL (`…/api1/collections/ID/` → `…/api1/`).
pub fn api_root(collection: &str) -> Option<String> {
    let url = collection.strip_prefix("taxii+").unwrap_or(collection);
    url.find("/collections/")
        .and_then(|i| url.get(..=i))
        .map(str::to_string)
}

/// Write `bytes` to `dir/name` atomically and durably: a temporary file in `dir`, fsynced,
/// renamed into place, and the directory fsynced.
/// [`write_durably`] to a file named by its path.
pub(crate) fn write_file_durably(path: &Path, bytes: &[u8]) -> Result<(), TaxiiError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| TaxiiError::Config(format!("{}: not a file name", path.display())))?;
    write_durably(dir, &name, bytes)
}

pub(crate) fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), TaxiiError> {
    use std::io::Write;
    let io = |what: String| TaxiiError::Io {
        path: dir.join(name).display().to_string(),
        what,
    };
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(|e| io(format!("cannot create: {e}")))?;
    f.write_all(bytes).map_err(|e| io(format!("cannot write: {e}")))?;
    f.sync_all().map_err(|e| io(format!("cannot sync: {e}")))?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| io(format!("cannot rename into place: {e}")))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(format!("cannot sync the directory: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_urls_are_checked_and_turned_into_objects_urls() {
        assert_eq!(
            objects_url("taxii+https://h/api1/collections/abc/").unwrap(),
            "https://h/api1/collections/abc/objects/"
        );
        assert_eq!(
            api_root("http://h:5000/api1/collections/abc/").unwrap(),
            "http://h:5000/api1/"
        );
        assert!(objects_url("ftp://h/api1/collections/abc/").is_err());
        assert!(objects_url("https://h/api1/").is_err());
    }

    #[test]
    fn secrets_come_from_files_of_one_line_and_are_never_printed() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("b"), "user:pass\n").unwrap();
        std::fs::write(d.path().join("bad"), "no colon").unwrap();
        let auth = Auth::basic_from(&d.path().join("b")).unwrap();
        assert_eq!(format!("{auth:?}"), "Auth::Basic(…)");
        assert_eq!(auth.header().as_deref(), Some("Basic dXNlcjpwYXNz"));
        assert!(Auth::basic_from(&d.path().join("bad")).is_err());
        assert!(Auth::bearer_from(&d.path().join("missing")).is_err());
    }

    #[test]
    fn metrics_count_polls_and_failures_by_kind_in_the_prometheus_format() {
        let mut m = Metrics::new("taxii-pull", None);
        m.record(Ok(()));
        m.record(Err(&TaxiiError::Http {
            url: "u".into(),
            status: 503,
            what: String::new(),
        }));
        m.record(Err(&TaxiiError::Http {
            url: "u".into(),
            status: 503,
            what: String::new(),
        }));
        let text = m.render();
        assert!(
            text.contains("sekisho_taxii_polls_total{connector=\"taxii-pull\",outcome=\"ok\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("sekisho_taxii_failures_total{connector=\"taxii-pull\",kind=\"server\"} 2\n"),
            "{text}"
        );
        assert!(
            text.lines().all(|l| l.starts_with('#') || l.split(' ').count() == 2),
            "{text}"
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("ca.pem"), "not a certificate\n").unwrap();
        let e = Client::new(Auth::None, Some(&d.path().join("ca.pem")), Duration::from_secs(1)).err();
        assert!(matches!(e, Some(TaxiiError::Config(_))), "{e:?}");
        assert!(Client::new(Auth::None, Some(&d.path().join("none.pem")), Duration::from_secs(1)).is_err());
    }
}
