//! What operators see over HTTP: Prometheus metrics (`GET /metrics`) and, for the daemon, a
//! read-only status page (`GET /`), on a listener that binds loopback by default.
//!
//! ```text
//!  main thread: bind ─► spawn ─► (channels start, the main thread confines itself)
//!                        │
//!                        ▼
//!  listener thread: confine (no file, no new socket, no bind/listen/connect, no exec)
//!                   └─► accept ─► read ≤ 8 KiB (2 s) ─► httparse ─► GET/HEAD? ─► render ─► close
//!                       one connection at a time, one request per connection
//! ```
//!
//! The listener never reads a message, a quarantine entry or a file: it renders what the pipeline
//! put on a [`Pages`] board (counters, the last decisions' ids and verdicts, hashes). It accepts
//! no writes: any method but `GET` and `HEAD` is answered `405`. Requests are parsed by
//! `httparse` (the parser hyper uses), never by hand; the connection loop is ours so that it stays
//! bounded: one thread, one connection at a time, a header cap, read and write deadlines.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sandbox::SandboxMode;

pub mod diode;

/// The default `[metrics] listen`: loopback only (9464 is the port OpenTelemetry's Prometheus
/// exporters use by convention).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// A request's head may be at most this long: a scraper's is a few hundred bytes.
const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// At most this many header lines (httparse needs the array up front).
const MAX_HEADERS: usize = 32;
/// A client that has not sent its request head by then is dropped (one connection at a time:
/// a slow client delays the next scrape by at most this).
const READ_DEADLINE: Duration = Duration::from_secs(2);
/// A client that does not take the answer by then is dropped.
const WRITE_DEADLINE: Duration = Duration::from_secs(5);
/// How often the idle loop looks at the stop flag.
const IDLE_POLL: Duration = Duration::from_millis(50);

/// What the listener can show. Implementations render from counters only, never content.
pub trait Pages: Send + Sync {
    /// The Prometheus text exposition (format 0.0.4).
    fn metrics(&self) -> String;
    /// The status page (HTML, no script), when this part has one.
    fn status(&self) -> Option<String> {
        None
    }
    /// Told how the listener's thread confined itself (for the status page).
    fn confined(&self, _state: &Result<Option<crate::sandbox::Confinement>, String>) {}
}

/// A bound, listening socket not yet served.
#[derive(Debug)]
pub struct Listener {
    socket: TcpListener,
    addr: SocketAddr,
}

impl Listener {
    /// Bind `listen` (`HOST:PORT`). A non-loopback address is allowed (a Prometheus on another
    /// host) but logged as a warning: the page shows which channels exist and their counts.
    pub fn bind(listen: &str) -> Result<Listener, String> {
        let addr = listen
            .to_socket_addrs()
            .map_err(|e| format!("metrics: `{listen}` is not an address: {e}"))?
            .next()
            .ok_or_else(|| format!("metrics: `{listen}` resolves to no address"))?;
        let socket = TcpListener::bind(addr).map_err(|e| format!("metrics: cannot listen on `{addr}`: {e}"))?;
        let addr = socket.local_addr().unwrap_or(addr);
        if !addr.ip().is_loopback() {
            tracing::warn!(listen = %addr, "the metrics listener is not on loopback: anyone who can reach it sees the counters and the status page");
        }
        tracing::info!(listen = %addr, "metrics and status listening");
        Ok(Listener { socket, addr })
    }

    /// Where it listens (the port, when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Confine the calling thread (`sandbox::confine_listener`), then answer requests until
    /// `stop` is set. Call it on a thread of its own, started before the rest of the process
    /// confines itself in ways that would forbid this socket.
    pub fn serve(self, mode: SandboxMode, pages: &dyn Pages, stop: &AtomicBool) -> Result<(), String> {
        let confined = crate::sandbox::confine_listener(mode);
        pages.confined(&confined);
        confined.map_err(|e| format!("metrics: sandbox: {e}"))?;
        // `accept` waits at most this long (Linux applies SO_RCVTIMEO to it), so the stop flag is
        // seen, and a connection is taken as soon as it comes.
        socket2::SockRef::from(&self.socket)
            .set_read_timeout(Some(IDLE_POLL))
            .map_err(|e| format!("metrics: cannot set the accept timeout: {e}"))?;
        while !stop.load(Ordering::Relaxed) {
            match self.socket.accept() {
                Ok((stream, _)) => {
                    if let Err(e) = answer(stream, pages) {
                        tracing::debug!(error = %e, "metrics: a connection failed");
                    }
                }
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: cannot accept a connection");
                    std::thread::sleep(IDLE_POLL);
                }
            }
        }
        Ok(())
    }
}

/// An answer: status, content type and body.
struct Answer {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: String,
    allow: bool,
}

impl Answer {
    fn text(status: u16, reason: &'static str, body: &str) -> Answer {
        Answer {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: format!("{body}\n"),
            allow: false,
        }
    }
}

/// What a request head asks, once parsed.
#[derive(Debug, PartialEq, Eq)]
enum Head {
    /// Method and path (without the query string).
    Request {
        method: String,
        path: String,
    },
    Bad,
    TooLarge,
}

/// Read the request head (up to [`MAX_REQUEST_HEAD`], all of it within [`READ_DEADLINE`]: a
/// client sending a byte at a time does not hold the listener longer) and parse it.
fn read_head(stream: &mut TcpStream) -> std::io::Result<Head> {
    let mut buf = vec![0u8; MAX_REQUEST_HEAD];
    let mut len = 0usize;
    let deadline = std::time::Instant::now() + READ_DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request head too slow",
            ));
        }
        stream.set_read_timeout(Some(left))?;
        let Some(room) = buf.get_mut(len..) else {
            return Ok(Head::TooLarge);
        };
        if room.is_empty() {
            return Ok(Head::TooLarge);
        }
        let n = stream.read(room)?;
        if n == 0 {
            return Ok(Head::Bad);
        }
        len = len.saturating_add(n);
        match parse_head(buf.get(..len).unwrap_or_default()) {
            Some(head) => return Ok(head),
            None => continue,
        }
    }
}

/// `None`: the head is not complete yet.
fn parse_head(bytes: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {
            let method = req.method.unwrap_or_default().to_string();
            let target = req.path.unwrap_or_default();
            let path = target.split(['?', '#']).next().unwrap_or_default().to_string();
            Some(Head::Request { method, path })
        }
        Ok(httparse::Status::Partial) => None,
        Err(httparse::Error::TooManyHeaders) => Some(Head::TooLarge),
        Err(_) => Some(Head::Bad),
    }
}

/// Decide the answer to a parsed request: only `GET` and `HEAD` of `/metrics` and `/`.
fn route(head: &Head, pages: &dyn Pages) -> Answer {
    let (method, path) = match head {
        Head::Request { method, path } => (method.as_str(), path.as_str()),
        Head::Bad => return Answer::text(400, "Bad Request", "bad request"),
        Head::TooLarge => return Answer::text(431, "Request Header Fields Too Large", "request head too large"),
    };
    if method != "GET" && method != "HEAD" {
        return Answer {
            allow: true,
            ..Answer::text(405, "Method Not Allowed", "read-only: GET and HEAD only")
        };
    }
    match path {
        "/metrics" => Answer {
            status: 200,
            reason: "OK",
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: pages.metrics(),
            allow: false,
        },
        "/" => match pages.status() {
            Some(body) => Answer {
                status: 200,
                reason: "OK",
                content_type: "text/html; charset=utf-8",
                body,
                allow: false,
            },
            None => Answer::text(404, "Not Found", "not found; see /metrics"),
        },
        _ => Answer::text(404, "Not Found", "not found"),
    }
}

fn answer(mut stream: TcpStream, pages: &dyn Pages) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_write_timeout(Some(WRITE_DEADLINE))?;
    let head = read_head(&mut stream)?;
    let head_only = matches!(&head, Head::Request { method, .. } if method == "HEAD");
    let a = route(&head, pages);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'\r\n",
        a.status,
        a.reason,
        a.content_type,
        a.body.len()
    );
    if a.allow {
        out.push_str("Allow: GET, HEAD\r\n");
    }
    out.push_str("\r\n");
    if !head_only {
        out.push_str(&a.body);
    }
    stream.write_all(out.as_bytes())?;
    stream.flush()?;
    // Read what the client may still send (a body we never wanted) for a moment, so that closing
    // does not reset the connection before it has read the answer.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let deadline = std::time::Instant::now() + Duration::from_millis(200);
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    while drained < 64 * 1024 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained = drained.saturating_add(n),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The text exposition format
// ---------------------------------------------------------------------------------------------

/// A metric family's type.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// The Prometheus text exposition format (0.0.4), family by family: `# HELP`, `# TYPE`, then the
/// family's samples together.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
}

impl Exposition {
    /// Start a family.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    /// One sample of the current family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }

    /// A histogram's samples: cumulative buckets, `+Inf`, sum and count.
    pub fn histogram(&mut self, name: &str, labels: &[(&str, &str)], h: &Histogram) {
        let mut cumulative = 0u64;
        let bucket = format!("{name}_bucket");
        for (bound, n) in Histogram::BOUNDS.iter().zip(h.counts.iter()) {
            cumulative = cumulative.saturating_add(*n);
            let le = bound.to_string();
            let mut l = labels.to_vec();
            l.push(("le", &le));
            self.sample(&bucket, &l, cumulative);
        }
        let mut l = labels.to_vec();
        l.push(("le", "+Inf"));
        self.sample(&bucket, &l, h.count);
        self.sample(&format!("{name}_sum"), labels, h.sum);
        self.sample(&format!("{name}_count"), labels, h.count);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A label value: `\`, `"` and line feeds escaped.
pub fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Durations in seconds, in fixed buckets (from a millisecond to a minute: a message's time from
/// claim to durable audit record).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Per bucket, not cumulative; one more than [`Histogram::BOUNDS`] would be `+Inf`, which is
    /// `count` minus their sum.
    counts: [u64; 14],
    sum: f64,
    count: u64,
}

impl Histogram {
    pub const BOUNDS: [f64; 14] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0,
    ];

    pub fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        if let Some(i) = Histogram::BOUNDS.iter().position(|b| s <= *b)
            && let Some(c) = self.counts.get_mut(i)
        {
            *c = c.saturating_add(1);
        }
        self.sum += s;
        self.count = self.count.saturating_add(1);
    }

    pub fn count(&self) -> u64 {
        self.count
    }
}

/// HTML text: `&`, `<`, `>`, `"` and `'` escaped.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serve `pages` on `listener` from a new thread (named `metrics`) until `stop` is set. When the
/// thread cannot confine itself as `mode` requires, it serves nothing: the error is logged and
/// returned by the thread.
pub fn spawn<P: Pages + 'static>(
    listener: Listener,
    mode: SandboxMode,
    pages: std::sync::Arc<P>,
    stop: std::sync::Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<Result<(), String>>> {
    std::thread::Builder::new().name("metrics".into()).spawn(move || {
        let r = listener.serve(mode, pages.as_ref(), &stop);
        if let Err(e) = &r {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Pages for Fixed {
        fn metrics(&self) -> String {
            "# HELP x_total x\n# TYPE x_total counter\nx_total 1\n".into()
        }
    }

    //--- case: only GET and HEAD
    #[test]
    fn refuses_every_method_but_get_and_head() {
        for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"] {
            let head = parse_head(format!("{m} /metrics HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
            let a = route(&head.unwrap_or(Head::Bad), &Fixed);
            assert_eq!(a.status, 405, "{m}");
            assert!(a.allow);
        }
        let head = parse_head(b"GET /metrics?x=1 HTTP/1.1\r\n\r\n").unwrap_or(Head::Bad);
        assert_eq!(route(&head, &Fixed).status, 200);
        // No status page on this part.
        let head = parse_head(b"GET / HTTP/1.1\r\n\r\n").unwrap_or(Head::Bad);
        assert_eq!(route(&head, &Fixed).status, 404);
    }

    //--- case: a malformed or partial head
    #[test]
    fn rejects_a_malformed_head_and_waits_for_a_partial_one() {
        assert_eq!(parse_head(b"GET /metrics HTTP/1.1\r\nHost"), None);
        assert_eq!(parse_head(b"G\x00T / HTTP/1.1\r\n\r\n"), Some(Head::Bad));
        let many: String = (0..40).map(|i| format!("X-{i}: y\r\n")).collect();
        assert_eq!(
            parse_head(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            Some(Head::TooLarge)
        );
    }

    #[test]
    fn escapes_label_values_and_renders_cumulative_buckets() {
        let mut e = Exposition::default();
        let mut h = Histogram::default();
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(100));
        e.family("t_seconds", Kind::Histogram, "t");
        e.histogram("t_seconds", &[("a", "x\"y\\z\n")], &h);
        let text = e.finish();
        assert!(
            text.contains("t_seconds_bucket{a=\"x\\\"y\\\\z\\n\",le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(text.contains("le=\"60\"} 1"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 2"), "{text}");
        assert!(text.contains("t_seconds_count{a=\"x\\\"y\\\\z\\n\"} 2"), "{text}");
    }
}
