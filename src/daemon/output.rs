//! Where released messages go. Only [`Verified`] bytes can be emitted.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::config::OutputSpec;
use super::spool;
use crate::guard::Verified;

/// A route's output. `emit` may be called from several workers at once; `commit` makes every
/// emitted message durable and is called once per batch, before the audit records are written.
pub trait Output: Send + Sync {
    /// Emit one message under `name` (derived from the input's sha-256, so emitting the same
    /// message again after a crash replaces it instead of doubling it).
    fn emit(&self, message: &Verified, name: &str) -> io::Result<()>;
    /// Make what was emitted durable.
    fn commit(&self) -> io::Result<()>;
    /// For logs.
    fn describe(&self) -> String;
}

/// A spool directory: `<sha-256>.json`, written under a temporary name and renamed into place
/// once durable, a batch at a time (group commit).
pub struct SpoolOutput {
    dir: PathBuf,
    sync: bool,
    staged: spool::Stager,
}

impl SpoolOutput {
    pub fn open(dir: &Path, sync: bool) -> io::Result<SpoolOutput> {
        std::fs::create_dir_all(dir)?;
        let removed = spool::remove_temps(dir)?;
        if removed > 0 {
            tracing::info!(dir = %dir.display(), removed, "removed temporary files left by a crash");
        }
        Ok(SpoolOutput {
            dir: dir.to_path_buf(),
            sync,
            staged: spool::Stager::default(),
        })
    }
}

impl Output for SpoolOutput {
    fn emit(&self, message: &Verified, name: &str) -> io::Result<()> {
        self.staged.stage(&self.dir, name, message.as_bytes())
    }
    fn commit(&self) -> io::Result<()> {
        self.staged.commit(self.sync)
    }
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
}

/// Standard output, one message per line. A crash between emitting and auditing emits that
/// message again on restart: at-least-once, unlike a spool directory.
pub struct StdoutOutput;

impl Output for StdoutOutput {
    fn emit(&self, message: &Verified, _name: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(message.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    }
    fn commit(&self) -> io::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "stdout".into()
    }
}

/// Open the output a route's configuration names.
pub fn open(spec: &OutputSpec, sync: bool) -> Result<Box<dyn Output>, String> {
    match spec {
        OutputSpec::Spool(dir) => SpoolOutput::open(dir, sync)
            .map(|o| Box::new(o) as Box<dyn Output>)
            .map_err(|e| format!("{}: {e}", dir.display())),
        OutputSpec::Stdout => Ok(Box::new(StdoutOutput)),
        // The seam for the diode sender (src/diode/): wrap it in an `Output` here.
        OutputSpec::Udp(addr) => Err(format!(
            "udp://{addr}: the diode transport is not yet available in this build"
        )),
    }
}
