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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    match cli.command {
        Command::Check { format, json, files } => check(format, json, &files),
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
