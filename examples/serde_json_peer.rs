//! The peer `scripts/bench-peers.sh` compares `sekisho filter` with: serde_json alone, no policy —
//! parse the file into a `Value` and write it back with `to_vec`, whole process, as a user who
//! only re-serialised a bundle would.
//!
//! `cargo run --release --example serde_json_peer FILE > out.json`

use std::io::Write;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: serde_json_peer FILE");
        return std::process::ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            return std::process::ExitCode::from(2);
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    let out = match serde_json::to_vec(&value) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    if std::io::stdout().lock().write_all(&out).is_err() {
        return std::process::ExitCode::from(2);
    }
    std::process::ExitCode::SUCCESS
}
