//! Operational logs on stderr, for every process of sekisho alike: human lines (coloured only
//! on a terminal) or one JSON object per line (`--log-format json`), which the daemon passes on
//! to its verifier children (`SEKISHO_LOG_FORMAT`), so that every line of every process is in
//! the format asked for, fatal errors included ([`fatal`]).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable a child process reads its log format from (`json` or `human`).
pub const FORMAT_ENV: &str = "SEKISHO_LOG_FORMAT";

static JSON: AtomicBool = AtomicBool::new(false);

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Human => "human",
            LogFormat::Json => "json",
        }
    }

    /// The format asked for on the command line, else the one a parent passed in
    /// [`FORMAT_ENV`], else human.
    pub fn resolve(flag: Option<LogFormat>) -> LogFormat {
        flag.unwrap_or_else(|| match std::env::var(FORMAT_ENV).as_deref() {
            Ok("json") => LogFormat::Json,
            _ => LogFormat::Human,
        })
    }
}

/// Install the subscriber (filter from `SEKISHO_LOG`, default `info`).
pub fn init(format: LogFormat) {
    JSON.store(format == LogFormat::Json, Ordering::Relaxed);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEKISHO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // Colour codes only where a human looks at them: never in a file or a journal.
        LogFormat::Human => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// The format in effect in this process.
pub fn format() -> LogFormat {
    if JSON.load(Ordering::Relaxed) {
        LogFormat::Json
    } else {
        LogFormat::Human
    }
}

/// A fatal error on stderr, in the log format (never filtered out): a JSON object with
/// `level` `ERROR`, or the plain message for a human.
pub fn fatal(message: &str) {
    if format() == LogFormat::Json {
        eprintln!(
            "{}",
            serde_json::json!({
                "timestamp": crate::audit::now_rfc3339(),
                "level": "ERROR",
                "fields": {"message": message, "fatal": true},
                "target": "sekisho",
            })
        );
    } else {
        eprintln!("{message}");
    }
}
