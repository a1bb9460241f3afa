//! The `sekisho` command: a thin shell over the library.
//!
//! Exit codes: 0 success; 1 a message was rejected (or a check failed); 2 usage, I/O or
//! configuration errors.
#![forbid(unsafe_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sekisho::format::Format;
use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::{Limits, Position};

#[derive(Parser)]
#[command(
    name = "sekisho",
    version,
    about = "A cross-domain guard for threat-intelligence messages"
)]
struct Cli {
    /// Log format for operational logs on stderr, of this process and its children (default
    /// human, or what `SEKISHO_LOG_FORMAT` says).
    #[arg(long, value_enum, global = true)]
    log_format: Option<sekisho::logs::LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse messages by a format's strict grammar: exit 0 when all are accepted, 1 when any is not.
    Check {
        /// The grammar to check against.
        #[arg(long, value_enum)]
        format: Format,
        /// One JSON object per file on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// Check under this policy's limits and XML options (comments, CDATA) instead of the
        /// strict defaults.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The largest input accepted, in bytes (default: the policy's, else 16 MiB).
        #[arg(long)]
        max_input_bytes: Option<usize>,
        /// Files to check; `-` reads stdin.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Filter one message under a policy: the released message on stdout (exit 0), or the reasons
    /// on stderr (exit 1).
    Filter {
        /// The policy rule file.
        #[arg(long)]
        policy: PathBuf,
        /// Accept only this format (it is still recognised from the content, never the name).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Print every decision on stderr: unit, label, rule, verdict.
        #[arg(long)]
        explain: bool,
        /// Print reasons and decisions on stderr as JSON.
        #[arg(long)]
        json: bool,
        /// The message; `-` reads stdin.
        input: PathBuf,
    },
    /// Send files one way over UDP to a diode receiver (RaptorQ FEC, HMAC-SHA-256 on every datagram).
    Send {
        /// The receiver, `HOST:PORT`.
        #[arg(long)]
        to: String,
        /// Pace to at most this many bytes per second on the wire (`125000000`, `125M`, `1G`);
        /// `auto`: the speed the kernel reports for the outgoing interface, else 4 Gbit/s
        /// (loopback, virtual NICs); `unpaced`: as fast as the socket takes datagrams, which
        /// overruns a receiver that falls behind for a moment.
        #[arg(long, default_value = "auto")]
        rate: sekisho::diode::Rate,
        /// Repair symbols, in percent of the source symbols of each block.
        #[arg(long, default_value_t = 10)]
        overhead: u32,
        /// Largest UDP datagram, in bytes.
        #[arg(long, default_value_t = 1472)]
        mtu: usize,
        /// Largest file sent, in bytes (the receiver's `--max-message-bytes`: same default, 4 GiB).
        /// A larger file is refused before anything is sent.
        #[arg(long, default_value_t = sekisho::diode::DEFAULT_MAX_MESSAGE_BYTES)]
        max_message_bytes: u64,
        /// The pre-shared key file (at least 32 bytes).
        #[arg(long)]
        key: PathBuf,
        /// Files, or directories whose files are sent.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Receive messages from a diode sender into a spool directory, until SIGINT/SIGTERM.
    Receive {
        /// Where to listen, `HOST:PORT`.
        #[arg(long)]
        listen: String,
        /// The spool directory each complete, verified message is written into.
        #[arg(long)]
        into: PathBuf,
        /// The pre-shared key file (at least 32 bytes).
        #[arg(long)]
        key: PathBuf,
        /// Once bound: Landlock (its spool directory only) + seccomp (no new socket, no send, no
        /// exec) + no_new_privs: `required`, `best-effort` or `off`.
        #[arg(long, value_enum, default_value = "best-effort")]
        sandbox: sekisho::sandbox::SandboxMode,
        /// Record `sender-silent` after this many seconds without an authentic datagram (a
        /// sender heartbeats every second when idle).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        silent_after: u64,
        /// Log the counters every this many seconds (only when they changed).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        stats_interval: u64,
        /// Largest message accepted, in bytes (the senders' `--max-message-bytes`: same default,
        /// 4 GiB); a larger one is recorded lost, `too-large`. Large messages are decoded into
        /// the spool as they arrive, so memory does not grow with this.
        #[arg(long, default_value_t = sekisho::diode::DEFAULT_MAX_MESSAGE_BYTES)]
        max_message_bytes: u64,
        /// Serve the counters as Prometheus metrics at `http://HOST:PORT/metrics` (e.g.
        /// `127.0.0.1:9465`; off by default). The listener's thread confines itself (no file, no
        /// new socket) under `--sandbox`.
        #[arg(long)]
        metrics_listen: Option<String>,
    },
    /// Run the guard daemon: move messages from each channel's inbox to its routes' outputs,
    /// quarantining what may not go, with one audit record per message and route. Exit 0 when it
    /// stops cleanly (drained with `--once`, or SIGTERM/SIGINT), 2 when it cannot start or run.
    Run {
        /// The configuration file.
        #[arg(long, default_value = "sekisho.toml")]
        config: PathBuf,
        /// Drain what is in the inboxes, then exit.
        #[arg(long)]
        once: bool,
        /// Check the configuration, every policy, key, directory, ownership and permission as
        /// the service user sees them, without touching any spool; exit 0 or 2.
        #[arg(long, conflicts_with = "once")]
        check: bool,
    },
    /// Send released messages again over their `udp://` route, from the copies the route keeps
    /// (`sent = "…"`), under new sequence numbers; each one is recorded in the channel's resend
    /// log (`<audit>.resend.jsonl`). Exit 0 when all were sent, 1 when some could not be, 2 on
    /// errors.
    Resend {
        /// The configuration file.
        #[arg(long, default_value = "sekisho.toml")]
        config: PathBuf,
        /// The channel whose audit log the sequence numbers are from.
        #[arg(long)]
        channel: String,
        /// An audit record's `seq`, or a range `N..M` (inclusive).
        #[arg(long)]
        seq: String,
    },
    /// The second verifier, as a child of the daemon: length-prefixed frames (u32 big-endian
    /// length, then the bytes) of released outputs on stdin, one verdict frame each on stdout;
    /// exits at end of input. It confines itself once the policy is loaded.
    Verify {
        /// The policy rule file.
        #[arg(long)]
        policy: PathBuf,
        /// Limit this process's address space to this many bytes.
        #[arg(long)]
        memory_limit: Option<u64>,
        /// Landlock + seccomp + no_new_privs: `required`, `best-effort` or `off`.
        #[arg(long, value_enum, default_value = "best-effort")]
        sandbox: sekisho::sandbox::SandboxMode,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Review the quarantine: list entries, show one, or retry one through the guard.
    Quarantine {
        /// The daemon's configuration file (it names each channel's quarantine and audit log).
        #[arg(long, default_value = "sekisho.toml", global = true)]
        config: PathBuf,
        /// Only this channel (default: every channel).
        #[arg(long, global = true)]
        channel: Option<String>,
        #[command(subcommand)]
        command: QuarantineCommand,
    },
    /// Tools for policy authors: check, test, explain and diff rule files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Sending side: read a TAXII 2.1 collection into a channel's inbox, a page a message, the
    /// cursor kept in a state file (a crash re-reads at most one page, never skips one).
    TaxiiPull {
        /// The collection: `https://host/api-root/collections/ID/` (or `taxii+https://…`).
        #[arg(long)]
        collection: String,
        /// The channel's inbox.
        #[arg(long)]
        into: PathBuf,
        /// The cursor's file.
        #[arg(long)]
        state: PathBuf,
        /// Objects asked for per page.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[command(flatten)]
        connection: TaxiiConnection,
    },
    /// List the collections a TAXII 2.1 server offers (discovery → API roots → collections),
    /// with the URL to give `taxii-pull` or `publish`.
    TaxiiCollections {
        /// The discovery URL, e.g. `https://taxii.example/taxii2/`.
        discovery: String,
        #[command(flatten)]
        connection: TaxiiConnection,
    },
    /// Receiving side (after the diode): post the released bundles of a spool directory to the
    /// partner's TAXII 2.1 collection; a file leaves only when every object is in.
    Publish {
        /// The receiver's spool directory.
        #[arg(long)]
        from: PathBuf,
        /// The collection: `taxii+https://host/api-root/collections/ID/`.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        connection: TaxiiConnection,
    },
}

/// How to reach a TAXII server, and how often.
#[derive(clap::Args)]
struct TaxiiConnection {
    /// A file holding `user:password` for HTTP basic authentication.
    #[arg(long, conflicts_with = "bearer_file")]
    basic_auth_file: Option<PathBuf>,
    /// A file holding a bearer token.
    #[arg(long)]
    bearer_file: Option<PathBuf>,
    /// Trust only the PEM certificates in this file (default: the web PKI roots).
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Seconds a request may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Seconds between polls (and the unit of the back-off after errors).
    #[arg(long, default_value_t = 60)]
    interval: u64,
    /// Run once and exit: 0 when it worked, 1 when it did not.
    #[arg(long)]
    once: bool,
    /// Write the connector's counters (polls, failures by kind, last success) here after every
    /// poll, in the Prometheus text format (for node_exporter's textfile collector).
    #[arg(long)]
    metrics_file: Option<PathBuf>,
}

impl TaxiiConnection {
    fn client(&self) -> Result<sekisho::taxii::Client, sekisho::taxii::TaxiiError> {
        use sekisho::taxii::Auth;
        let auth = match (&self.basic_auth_file, &self.bearer_file) {
            (Some(f), _) => Auth::basic_from(f)?,
            (None, Some(f)) => Auth::bearer_from(f)?,
            (None, None) => Auth::None,
        };
        sekisho::taxii::Client::new(
            auth,
            self.ca_file.as_deref(),
            std::time::Duration::from_secs(self.timeout),
        )
    }
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Load and validate rule files; errors as `file:line:col: field: what`, and warnings.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a policy's test cases (`<dir>/<name>/tests/`), or those of every policy in a directory.
    Test {
        /// A policy file, or a directory of them.
        path: PathBuf,
        /// Rewrite the exact expected outputs from what the policy produces now.
        #[arg(long)]
        bless: bool,
    },
    /// A table of every unit of a message, its label, the rule that decided it, and the verdict.
    Explain {
        #[arg(long)]
        policy: PathBuf,
        /// Print the decisions as JSON.
        #[arg(long)]
        json: bool,
        input: PathBuf,
    },
    /// Print the JSON Schema of rule files (editors validate policies with it as authors type).
    Schema,
    /// Print a policy as the guard reads it: with what it `extends` and `include`s merged in,
    /// and its version (the SHA-256 the audit log records).
    Show {
        /// Print the resolved policy (the only form there is; the flag says so in scripts).
        #[arg(long)]
        resolved: bool,
        file: PathBuf,
    },
    /// Run a policy's test cases and list what they never reach: rules that never acted, types
    /// never seen, rule paths that never selected anything. Exit 1 when anything is unreached.
    Coverage {
        /// A policy file, or a directory of them.
        path: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a new test case from what the policy does with a message now (the input, its
    /// `.expect.toml` and, when released, its exact output), for the author to review.
    NewCase {
        #[arg(long)]
        policy: PathBuf,
        /// The case's name (default: the input's file stem).
        #[arg(long)]
        name: Option<String>,
        input: PathBuf,
    },
    /// Which messages of a corpus change verdict or output between two versions of a policy:
    /// exit 0 when none does, 1 when any does (a gate for CI), 2 on errors.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        corpus: PathBuf,
        /// Print the changes as JSON lines.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum QuarantineCommand {
    /// List entries, oldest first: id, time, channel, routes, reason, size (never content).
    List {
        /// Only entries quarantined for this reason (`parse-error`, `policy-rejection`, …).
        #[arg(long)]
        reason: Option<String>,
        /// Only entries quarantined at or after this time: RFC 3339 UTC (`2026-12-05`,
        /// `2026-12-05T06:00:00Z`) or an age (`30m`, `24h`, `7d`).
        #[arg(long)]
        since: Option<String>,
        /// One JSON object per entry.
        #[arg(long)]
        json: bool,
    },
    /// Show one entry: its reasons, the audit records that name it, and the `--explain` table
    /// of its input, as decided and under the route's policy as it is now.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Put an entry's input back into its channel's inbox to go through the guard again,
    /// recorded in the audit log as a retry (the channel's daemon must be stopped).
    Retry { id: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check an audit log's hash chain: exit 0 when intact, 1 naming the first broken record.
    /// Given several (one per guard sharing a JetStream consumer), check each, then total the
    /// records by message: released, quarantined, and decisions repeated after a redelivery
    /// (exit 1 when a repeat disagrees with the first decision).
    Verify {
        /// The audit log (JSON lines): the guard's, or a diode receiver's; or several chains.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Roll an audit log over, with its writer stopped: FILE is renamed to ARCHIVE and a new FILE
    /// starts with a `rollover` record naming the archive and its head, continuing the chain.
    Roll {
        /// The audit log.
        file: PathBuf,
        /// The name the current log is kept under (must not exist).
        archive: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    sekisho::logs::init(sekisho::logs::LogFormat::resolve(cli.log_format));
    match cli.command {
        Command::Check {
            format,
            json,
            policy,
            max_input_bytes,
            files,
        } => {
            let (mut limits, options) = match policy.as_deref().map(load_policy) {
                None => (Limits::default(), sekisho::format::xml::Options::default()),
                Some(None) => return ExitCode::from(2),
                Some(Some(p)) => (p.limits.clone(), p.xml.as_ref().map(|x| x.options).unwrap_or_default()),
            };
            if let Some(n) = max_input_bytes {
                limits.max_input_bytes = n;
            }
            check(format, json, &limits, &options, &files)
        }
        Command::Filter {
            policy,
            format,
            explain,
            json,
            input,
        } => filter(&policy, format, explain, json, &input),
        Command::Send {
            to,
            rate,
            overhead,
            mtu,
            max_message_bytes,
            key,
            paths,
        } => send(
            &to,
            sekisho::diode::SendOptions {
                rate,
                overhead_percent: overhead,
                mtu,
                max_message_bytes,
            },
            &key,
            &paths,
        ),
        Command::Receive {
            listen,
            into,
            key,
            sandbox,
            silent_after,
            stats_interval,
            max_message_bytes,
            metrics_listen,
        } => receive(
            &listen,
            &into,
            &key,
            sandbox,
            (silent_after, stats_interval, max_message_bytes),
            metrics_listen.as_deref(),
        ),
        Command::Policy(PolicyCommand::Check { files }) => policy_check(&files),
        Command::Policy(PolicyCommand::Schema) => {
            print!("{}", Policy::json_schema());
            ExitCode::SUCCESS
        }
        Command::Policy(PolicyCommand::Test { path, bless }) => policy_test(&path, bless),
        Command::Policy(PolicyCommand::Explain { policy, json, input }) => policy_explain(&policy, json, &input),
        Command::Policy(PolicyCommand::Diff { old, new, corpus, json }) => policy_diff(&old, &new, &corpus, json),
        Command::Policy(PolicyCommand::Show { resolved: _, file }) => policy_show(&file),
        Command::Policy(PolicyCommand::Coverage { path, json }) => policy_coverage(&path, json),
        Command::Policy(PolicyCommand::NewCase { policy, name, input }) => policy_new_case(&policy, name, &input),
        Command::Run { config, once, check } => run(&config, once, check),
        Command::Resend { config, channel, seq } => resend(&config, &channel, &seq),
        Command::Verify {
            policy,
            memory_limit,
            sandbox,
        } => verify(&policy, memory_limit, sandbox),
        Command::Audit {
            command: AuditCommand::Verify { files },
        } => match files.as_slice() {
            [file] => audit_verify(file),
            _ => audit_verify_set(&files),
        },
        Command::Quarantine {
            config,
            channel,
            command,
        } => quarantine(&config, channel.as_deref(), command),
        Command::Audit {
            command: AuditCommand::Roll { file, archive },
        } => audit_roll(&file, &archive),
        Command::TaxiiPull {
            collection,
            into,
            state,
            limit,
            connection,
        } => {
            let source = sekisho::taxii::source::Source {
                collection,
                inbox: into,
                state,
                page_limit: limit.max(1),
            };
            taxii(&connection, "taxii-pull", |client| {
                sekisho::taxii::collection(client, &source.collection, true)?;
                let pages = source.pull(client)?;
                let objects: usize = pages.iter().map(|p| p.objects).sum();
                let files = pages.iter().filter(|p| p.written.is_some()).count();
                Ok(format!("{objects} object(s) in {files} new message(s)"))
            })
        }
        Command::TaxiiCollections { discovery, connection } => {
            let found = connection
                .client()
                .and_then(|client| sekisho::taxii::discover(&client, &discovery));
            match found {
                Ok(list) => {
                    for (url, c) in list {
                        let access = match (c.can_read, c.can_write) {
                            (true, true) => "read, write",
                            (true, false) => "read",
                            (false, true) => "write",
                            (false, false) => "none",
                        };
                        println!("{url}\t{access}\t{}", c.title);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    sekisho::logs::fatal(&format!("taxii-collections: {e}"));
                    ExitCode::from(1)
                }
            }
        }
        Command::Publish { from, to, connection } => taxii(&connection, "publish", |client| {
            use sekisho::taxii::sink::{Published, publish_dir};
            sekisho::taxii::collection(client, &to, false)?;
            let done = publish_dir(client, &to, &from)?;
            let published = done.iter().filter(|(_, o)| matches!(o, Published::Done { .. })).count();
            for (file, outcome) in &done {
                if let Published::Kept { reason } = outcome {
                    tracing::warn!(target: "sekisho::taxii", "publish: {} kept: {reason}", file.display());
                }
            }
            Ok(format!("{published} of {} file(s) published", done.len()))
        }),
    }
}

/// Run a TAXII connector (see [`sekisho::taxii::poll`]).
fn taxii(
    connection: &TaxiiConnection,
    what: &str,
    step: impl Fn(&sekisho::taxii::Client) -> Result<String, sekisho::taxii::TaxiiError>,
) -> ExitCode {
    let client = match connection.client() {
        Ok(c) => c,
        Err(e) => {
            sekisho::logs::fatal(&format!("{what}: {e}"));
            return ExitCode::from(2);
        }
    };
    let interval = std::time::Duration::from_secs(connection.interval.max(1));
    let mut metrics = sekisho::taxii::Metrics::new(what, connection.metrics_file.as_deref());
    match sekisho::taxii::poll(what, interval, connection.once, &mut metrics, || step(&client)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            sekisho::logs::fatal(&format!("{what}: {e}"));
            ExitCode::from(1)
        }
    }
}

/// Read a file (or stdin for `-`), refusing to read more than `limit` bytes plus one (so an
/// oversized input is detected without being held in memory).
fn read_input(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().take(cap).read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(path)?.take(cap).read_to_end(&mut buf)?;
    }
    Ok(buf)
}

fn check(
    format: Format,
    json: bool,
    limits: &Limits,
    options: &sekisho::format::xml::Options,
    files: &[PathBuf],
) -> ExitCode {
    let mut rejected = false;
    let mut io_error = false;
    for path in files {
        let name = path.display().to_string();
        let input = match read_input(path, limits.max_input_bytes) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{name}: cannot read: {e}");
                io_error = true;
                continue;
            }
        };
        // A one-shot command: a large bundle is checked on every core (`sekisho::parallel`).
        match format.check_on(&input, limits, options, sekisho::parallel::Parallel::available()) {
            Ok(report) => {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({"file": name, "accepted": true, "report": report})
                    );
                } else {
                    println!("{name}: accepted ({} objects)", report.objects);
                    for id in &report.unknown_types {
                        println!(
                            "{name}: note: `{id}` is of a type sekisho does not know; a policy must name it to release it"
                        );
                    }
                }
            }
            Err(e) => {
                rejected = true;
                let at = Position::locate(&input, e.offset);
                if json {
                    println!(
                        "{}",
                        serde_json::json!({"file": name, "accepted": false, "error": e, "position": at})
                    );
                } else {
                    let pointer = e.pointer.as_deref().map(|p| format!(" (at {p})")).unwrap_or_default();
                    println!("{name}: {at}: {e}{pointer}");
                }
            }
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if rejected {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The policy and one message under its size limit, or the error already printed.
fn policy_and_input(policy: &Path, input: &Path) -> Option<(Policy, Vec<u8>)> {
    let mut policy = load_policy(policy)?;
    // A one-shot command: a large message is worked on by every core (`sekisho::parallel`); the
    // daemon, a worker per core already, leaves each message to one.
    policy.parallel = sekisho::parallel::Parallel::available();
    match read_input(input, policy.limits.max_input_bytes) {
        Ok(bytes) => Some((policy, bytes)),
        Err(e) => {
            eprintln!("{}: cannot read: {e}", input.display());
            None
        }
    }
}

fn filter(policy: &Path, format: Option<Format>, explain: bool, json: bool, input: &Path) -> ExitCode {
    let Some((policy, bytes)) = policy_and_input(policy, input) else {
        return ExitCode::from(2);
    };
    if let Some(f) = format
        && guard::detect(&bytes, &policy) != Some(f)
    {
        eprintln!(
            "{}: the content is not {f:?} (or the policy does not allow it)",
            input.display()
        );
        return ExitCode::from(1);
    }
    let (result, report) = match guard::filter(&bytes, &policy) {
        Ok(r) => {
            let report = r.report.clone();
            (Ok(r), report)
        }
        Err(e) => {
            let report = e.report.clone();
            (Err(e), report)
        }
    };
    if explain {
        if json {
            eprintln!("{}", serde_json::json!({"decisions": report.decisions}));
        } else {
            eprint!("{}", sekisho::explain::table(&report.decisions));
        }
    }
    match result {
        Ok(released) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out
                .write_all(released.output.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(rejection) => {
            if json {
                eprintln!(
                    "{}",
                    serde_json::json!({"released": false, "reasons": rejection.reasons})
                );
            } else {
                for r in &rejection.reasons {
                    eprintln!("rejected: {r}");
                }
            }
            ExitCode::from(1)
        }
    }
}

fn load_policy(path: &Path) -> Option<Policy> {
    match Policy::load(path) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

fn policy_check(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for f in files {
        match Policy::load(f) {
            Ok(p) => {
                for w in p.warnings() {
                    println!("{w}");
                }
                println!(
                    "{}: ok (policy `{}`, partner {}, sha256 {})",
                    f.display(),
                    p.name,
                    p.partner,
                    p.sha256
                );
            }
            Err(e) => {
                println!("{e}");
                failed = true;
            }
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The policy files `path` names: itself, or the `*.toml` files of a directory.
fn policy_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    }
}

/// Every case of every policy; every problem is listed before the exit (1: a case failed; 2: a
/// policy or its tests folder could not be read).
fn policy_test(path: &Path, bless: bool) -> ExitCode {
    let policies = policy_files(path);
    if policies.is_empty() {
        eprintln!("{}: no policy files", path.display());
        return ExitCode::from(2);
    }
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for file in &policies {
        let Some(policy) = load_policy(file) else {
            broken += 1;
            continue;
        };
        let dir = sekisho::authoring::cases::cases_dir(file);
        let results = match sekisho::authoring::cases::run(&policy, &dir, bless) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                broken += 1;
                continue;
            }
        };
        for r in results {
            if r.passed() {
                passed += 1;
                println!("pass  {}: {}", policy.name, r.name);
            } else {
                failed += 1;
                println!("FAIL  {}: {} ({})", policy.name, r.name, r.description);
                for f in &r.failures {
                    for line in f.lines() {
                        println!("        {line}");
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if broken > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn policy_show(file: &Path) -> ExitCode {
    let resolved = match sekisho::policy::resolve::resolve(file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let Some(policy) = load_policy(file) else {
        return ExitCode::from(1);
    };
    println!(
        "# policy `{}`, resolved from {} file(s)",
        policy.name,
        resolved.sources.len()
    );
    for (name, _) in &resolved.sources {
        println!("#   {name}");
    }
    println!("# sha256: {}", policy.sha256);
    print!("{}", resolved.text);
    ExitCode::SUCCESS
}

fn policy_coverage(path: &Path, json: bool) -> ExitCode {
    let mut incomplete = false;
    for file in policy_files(path) {
        let Some(policy) = load_policy(&file) else {
            return ExitCode::from(2);
        };
        let dir = sekisho::authoring::cases::cases_dir(&file);
        let c = match sekisho::authoring::coverage::coverage(&policy, &dir) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        incomplete |= !c.complete();
        if json {
            println!("{}", serde_json::json!({"policy": policy.name, "coverage": c}));
            continue;
        }
        println!("{}: {} case(s)", policy.name, c.cases);
        for (what, list) in [
            ("rule never fired", &c.rules_never_fired),
            ("type never seen", &c.types_never_seen),
            ("path never matched", &c.paths_never_matched),
        ] {
            for item in list.iter() {
                println!("  {what}: {item}");
            }
        }
        if c.complete() {
            println!("  every rule fired, every type was seen, every path matched");
        }
    }
    if incomplete {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn policy_new_case(policy_path: &Path, name: Option<String>, input: &Path) -> ExitCode {
    let Some(policy) = load_policy(policy_path) else {
        return ExitCode::from(2);
    };
    let name = name.unwrap_or_else(|| {
        input
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    });
    let dir = sekisho::authoring::cases::cases_dir(policy_path);
    match sekisho::authoring::cases::record(&policy, &dir, input, &name) {
        Ok(written) => {
            for w in written {
                println!("wrote {}", w.display());
            }
            println!("review the expectation (description, rules, output) before committing it");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn policy_diff(old: &Path, new: &Path, corpus: &Path, json: bool) -> ExitCode {
    let (Some(a), Some(b)) = (load_policy(old), load_policy(new)) else {
        return ExitCode::from(2);
    };
    let bar = progress_bar();
    let (total, changes) = match sekisho::authoring::diff::compare_with_progress(&a, &b, corpus, &bar) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", corpus.display());
            return ExitCode::from(2);
        }
    };
    for c in &changes {
        if json {
            println!("{}", serde_json::json!(c));
        } else {
            println!(
                "{}: {} -> {}",
                c.file.display(),
                serde_json::json!(c.old),
                serde_json::json!(c.new)
            );
            if let Some(d) = &c.diff {
                print!("{d}");
            }
        }
    }
    eprintln!("{} of {total} messages change", changes.len());
    if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn policy_explain(policy: &Path, json: bool, input: &Path) -> ExitCode {
    let Some((policy, bytes)) = policy_and_input(policy, input) else {
        return ExitCode::from(2);
    };
    let (verdict, report, reasons) = match guard::filter(&bytes, &policy) {
        Ok(r) => ("released", r.report, Vec::new()),
        Err(e) => ("rejected", e.report, e.reasons),
    };
    if json {
        println!(
            "{}",
            serde_json::json!({"verdict": verdict, "decisions": report.decisions, "reasons": reasons})
        );
    } else {
        print!("{}", sekisho::explain::table(&report.decisions));
        println!(
            "verdict: {verdict} ({} of {} objects go)",
            report.objects_out, report.objects_in
        );
        for r in reasons {
            println!("  {r}");
        }
    }
    ExitCode::SUCCESS
}

fn send(to: &str, opts: sekisho::diode::SendOptions, key: &Path, paths: &[PathBuf]) -> ExitCode {
    let bar = progress_bar();
    match sekisho::diode::cli_send_with_progress(to, opts, key, paths, &bar) {
        Ok(summary) => {
            println!(
                "{}",
                serde_json::json!({"session": format!("{:016x}", summary.session), "messages": summary.sent.len(), "stats": summary.stats, "pacing": summary.pacing})
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            sekisho::logs::fatal(&format!("send: {e}"));
            ExitCode::from(2)
        }
    }
}

fn receive(
    listen: &str,
    into: &Path,
    key: &Path,
    sandbox: sekisho::sandbox::SandboxMode,
    (silent_after, stats_interval, max_message_bytes): (u64, u64, u64),
    metrics_listen: Option<&str>,
) -> ExitCode {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(signal, std::sync::Arc::clone(&stop)) {
            sekisho::logs::fatal(&format!("receive: cannot handle signals: {e}"));
            return ExitCode::from(2);
        }
    }
    let timing = sekisho::diode::ReceiveTiming {
        silent_after: std::time::Duration::from_secs(silent_after),
        stats_interval: std::time::Duration::from_secs(stats_interval),
        max_message_bytes,
    };
    let metrics = match metrics_listen.map(sekisho::telemetry::Listener::bind).transpose() {
        Ok(m) => m,
        Err(e) => {
            sekisho::logs::fatal(&format!("receive: {e}"));
            return ExitCode::from(2);
        }
    };
    match sekisho::diode::cli_receive(listen, into, key, sandbox, timing, &stop, metrics) {
        Ok(stats) => {
            println!("{}", serde_json::json!(stats));
            ExitCode::SUCCESS
        }
        Err(e) => {
            sekisho::logs::fatal(&format!("receive: {e}"));
            ExitCode::from(2)
        }
    }
}

fn run(path: &Path, once: bool, check: bool) -> ExitCode {
    use std::io::IsTerminal;
    let config = match sekisho::daemon::Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            sekisho::logs::fatal(&e.to_string());
            return ExitCode::from(2);
        }
    };
    // Found while this process may still read /proc/self/exe (a switch of user makes it
    // non-dumpable, which hides that link).
    let verifier_program = std::env::current_exe().ok();
    // Before anything is opened and before any thread starts: from here on the spools, policies
    // and keys are reached as this user (and `--check` sees them as the service will).
    if let Some(user) = &config.user {
        match sekisho::sandbox::drop_privileges(user) {
            Ok(id) => tracing::info!(user = %id.user, uid = id.uid, gid = id.gid, "switched user"),
            Err(e) => {
                sekisho::logs::fatal(&format!("{}: user: {e}", path.display()));
                return ExitCode::from(2);
            }
        }
    }
    if check {
        let items = sekisho::daemon::check::check(&config);
        let bad = items.iter().filter(|i| i.problem.is_some()).count();
        for i in &items {
            println!("{i}");
        }
        return if bad == 0 {
            println!("{}: ok ({} checks)", path.display(), items.len());
            ExitCode::SUCCESS
        } else {
            println!("{}: {bad} of {} checks failed", path.display(), items.len());
            ExitCode::from(2)
        };
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register(signal, std::sync::Arc::clone(&stop)) {
            sekisho::logs::fatal(&format!("cannot handle signal {signal}: {e}"));
            return ExitCode::from(2);
        }
    }
    let reload = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGHUP, std::sync::Arc::clone(&reload)) {
        sekisho::logs::fatal(&format!("cannot handle SIGHUP: {e}"));
        return ExitCode::from(2);
    }
    let options = sekisho::daemon::RunOptions {
        once,
        progress: std::io::stderr().is_terminal(),
        stop,
        reload,
        verifier_program,
        confine_caller: true,
    };
    match sekisho::daemon::run(&config, &options) {
        Ok(summaries) => {
            for s in summaries {
                println!("{s}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            sekisho::logs::fatal(&e.to_string());
            ExitCode::from(2)
        }
    }
}

fn verify(policy: &Path, memory_limit: Option<u64>, sandbox: sekisho::sandbox::SandboxMode) -> ExitCode {
    let policy = match Policy::load(policy) {
        Ok(p) => p,
        Err(e) => {
            sekisho::logs::fatal(&e.to_string());
            return ExitCode::from(2);
        }
    };
    if let Some(bytes) = memory_limit
        && let Err(e) = sekisho::verifier::child::limit_memory(bytes)
    {
        sekisho::logs::fatal(&format!("cannot limit the verifier's memory: {e}"));
        return ExitCode::from(2);
    }
    // A Ctrl-C on the daemon's terminal reaches its whole process group: the verifier must not
    // die of it while the daemon finishes the messages in flight. It ends at end of input.
    for signal in [signal_hook::consts::SIGINT] {
        if let Err(e) =
            signal_hook::flag::register(signal, std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)))
        {
            sekisho::logs::fatal(&format!("cannot handle signal {signal}: {e}"));
            return ExitCode::from(2);
        }
    }
    // Everything it reads is read: from here on it needs stdin and stdout only.
    match sekisho::sandbox::confine_verifier(sandbox) {
        Ok(_) => {}
        Err(e) => {
            sekisho::logs::fatal(&format!("verifier: refusing to run unconfined: {e}"));
            return ExitCode::from(2);
        }
    }
    let (mut stdin, mut stdout) = (std::io::stdin().lock(), std::io::stdout().lock());
    match sekisho::verifier::child::serve(&policy, &mut stdin, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            sekisho::logs::fatal(&format!("verifier: {e}"));
            ExitCode::from(2)
        }
    }
}

fn quarantine(config: &Path, channel: Option<&str>, command: QuarantineCommand) -> ExitCode {
    use sekisho::daemon::review;
    let config = match sekisho::daemon::Config::load(config) {
        Ok(c) => c,
        Err(e) => {
            sekisho::logs::fatal(&e.to_string());
            return ExitCode::from(2);
        }
    };
    let done = match command {
        QuarantineCommand::List { reason, since, json } => {
            let reason = match reason
                .as_deref()
                .map(|r| (r, sekisho::daemon::QuarantineReason::parse(r)))
            {
                None => None,
                Some((_, Some(r))) => Some(r),
                Some((r, None)) => {
                    let known: Vec<&str> = sekisho::daemon::QuarantineReason::all()
                        .iter()
                        .map(|r| r.as_str())
                        .collect();
                    sekisho::logs::fatal(&format!(
                        "quarantine list: `{r}` is not a reason; one of: {}",
                        known.join(", ")
                    ));
                    return ExitCode::from(2);
                }
            };
            since
                .as_deref()
                .map(|s| review::parse_since(s, std::time::SystemTime::now()))
                .transpose()
                .and_then(|since| review::list(&config, channel, reason, since.as_deref()))
                .map(|entries| {
                    for e in &entries {
                        if json {
                            println!("{}", serde_json::json!(e));
                        } else {
                            println!(
                                "{}\t{}\t{}\t{}\t{}\t{} bytes",
                                e.id,
                                e.reason.time,
                                e.channel,
                                e.reason.routes.join(","),
                                e.reason.reason,
                                e.reason.input_bytes
                            );
                        }
                    }
                    if !json {
                        eprintln!("{} entr{}", entries.len(), if entries.len() == 1 { "y" } else { "ies" });
                    }
                })
        }
        QuarantineCommand::Show { id, json } => review::show(&config, channel, &id).map(|s| {
            if json {
                println!("{}", serde_json::json!(s));
                return;
            }
            let r = &s.entry.reason;
            println!("entry     {}", s.entry.id);
            println!("channel   {}  routes {}", s.entry.channel, r.routes.join(", "));
            println!("reason    {}", r.reason);
            println!("time      {}", r.time);
            println!(
                "input     {} ({} bytes, sha256 {})",
                r.input,
                r.input_bytes,
                r.input_sha256.as_deref().unwrap_or("-")
            );
            println!("\nfindings:");
            for f in &r.findings {
                println!("  {} at {}: {}", f.rule, f.at, f.detail);
            }
            println!("\naudit records:");
            for rec in &s.records {
                println!("  {}", serde_json::json!(rec));
            }
            if !r.explain.is_empty() {
                println!("\nas decided:");
                for l in &r.explain {
                    println!("{l}");
                }
            }
            for now in &s.now {
                println!(
                    "\nunder route `{}`'s policy now ({} sha256 {}): {}",
                    now.route, now.policy, now.policy_sha256, now.verdict
                );
                print!("{}", now.table);
                for why in &now.reasons {
                    println!("  {why}");
                }
            }
        }),
        QuarantineCommand::Retry { id } => review::retry(&config, channel, &id).map(|r| {
            println!(
                "{}: back in channel `{}`'s inbox as {} (audit records {:?}); it goes through the guard again",
                r.id,
                r.channel,
                r.inbox_path.display(),
                r.records
            );
        }),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            sekisho::logs::fatal(&format!("quarantine: {e}"));
            ExitCode::from(2)
        }
    }
}

/// A progress bar on stderr when it is a terminal (`indicatif`); nothing at all otherwise (a
/// pipe, a file, a service's journal).
struct Bar(Option<indicatif::ProgressBar>);

fn progress_bar() -> Bar {
    use std::io::IsTerminal;
    Bar(std::io::stderr().is_terminal().then(indicatif::ProgressBar::no_length))
}

impl sekisho::progress::Progress for Bar {
    fn start(&self, what: &str, total: u64, unit: sekisho::progress::Unit) {
        let Some(b) = &self.0 else { return };
        let template = match unit {
            sekisho::progress::Unit::Files => "{msg} [{bar:40}] {pos}/{len} files ({per_sec}, {eta} left)",
            sekisho::progress::Unit::Bytes => "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(what.to_string());
        b.set_length(total);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn audit_verify(file: &Path) -> ExitCode {
    let bar = progress_bar();
    match sekisho::audit::verify_with_progress(file, &bar) {
        Ok(n) => {
            println!("{}: {n} records, chain intact", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}: {e}", file.display());
            ExitCode::from(1)
        }
    }
}

/// Several chains (issue 20): each checked, then the totals by message.
fn audit_verify_set(files: &[PathBuf]) -> ExitCode {
    match sekisho::audit::set::verify_set(files) {
        Ok(t) => {
            for c in &t.chains {
                println!("{}: {} records, chain intact", c.path.display(), c.records);
            }
            println!(
                "{} chains: {} records, {} messages; decisions: {} released, {} quarantined; {} repeated after a redelivery",
                t.chains.len(),
                t.records,
                t.messages,
                t.released,
                t.quarantined,
                t.repeated
            );
            for (reason, n) in &t.reasons {
                println!("  quarantined: {reason}: {n}");
            }
            if t.disagreeing.is_empty() {
                ExitCode::SUCCESS
            } else {
                for (input, route) in &t.disagreeing {
                    println!("{input} on route {route}: decided again with a different outcome");
                }
                ExitCode::from(1)
            }
        }
        Err(e) => {
            println!("{e}");
            ExitCode::from(1)
        }
    }
}

fn audit_roll(file: &Path, archive: &Path) -> ExitCode {
    match sekisho::audit::roll(file, archive) {
        Ok(head) => {
            println!(
                "{}: rolled over to {}; the new log continues from head {head}",
                file.display(),
                archive.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            sekisho::logs::fatal(&e.to_string());
            ExitCode::from(2)
        }
    }
}

fn resend(path: &Path, channel: &str, seq: &str) -> ExitCode {
    let result = sekisho::daemon::resend::parse_range(seq).and_then(|range| {
        let config = sekisho::daemon::Config::load(path).map_err(|e| e.to_string())?;
        sekisho::daemon::resend::resend(&config, channel, range)
    });
    match result {
        Ok(summary) => {
            println!("{}", serde_json::json!(summary));
            if summary.skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                for (seq, why) in &summary.skipped {
                    sekisho::logs::fatal(&format!("resend: seq {seq}: {why}"));
                }
                ExitCode::from(1)
            }
        }
        Err(e) => {
            sekisho::logs::fatal(&format!("resend: {e}"));
            ExitCode::from(2)
        }
    }
}
