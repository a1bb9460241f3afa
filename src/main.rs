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
    /// Log format for operational logs on stderr.
    #[arg(long, value_enum, default_value = "human", global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
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
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check an audit log's hash chain: exit 0 when intact, 1 naming the first broken record.
    Verify {
        /// The audit log (JSON lines).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    match cli.command {
        Command::Check { format, json, files } => check(format, json, &files),
        Command::Filter {
            policy,
            format,
            explain,
            json,
            input,
        } => filter(&policy, format, explain, json, &input),
        Command::Run { config, once } => run(&config, once),
        Command::Audit {
            command: AuditCommand::Verify { file },
        } => audit_verify(&file),
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEKISHO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
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

fn check(format: Format, json: bool, files: &[PathBuf]) -> ExitCode {
    let limits = Limits::default();
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
        match format.check(&input, &limits) {
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

fn filter(policy: &Path, format: Option<Format>, explain: bool, json: bool, input: &Path) -> ExitCode {
    let policy = match Policy::load(policy) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match read_input(input, policy.limits.max_input_bytes) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", input.display());
            return ExitCode::from(2);
        }
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

fn run(config: &Path, once: bool) -> ExitCode {
    use std::io::IsTerminal;
    let config = match sekisho::daemon::Config::load(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register(signal, std::sync::Arc::clone(&stop)) {
            eprintln!("cannot handle signal {signal}: {e}");
            return ExitCode::from(2);
        }
    }
    let options = sekisho::daemon::RunOptions {
        once,
        progress: std::io::stderr().is_terminal(),
        stop,
    };
    match sekisho::daemon::run(&config, &options) {
        Ok(summaries) => {
            for s in summaries {
                println!("{s}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn audit_verify(file: &Path) -> ExitCode {
    match sekisho::audit::verify(file) {
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
