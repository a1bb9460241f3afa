//! Where released messages go. Only [`Cleared`] bytes can be emitted: the guard verified them and
//! the second verifier passed them (or the route turned it off).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::config::{DiodeSettings, OutputSpec};
use super::spool;
use super::verifier::Cleared;

/// A route's output. `emit` may be called from several workers at once; `commit` makes every
/// emitted message durable and is called once per batch, before the audit records are written.
pub trait Output: Send + Sync {
    /// Emit one message under `name` (derived from the input's sha-256, so emitting the same
    /// message again after a crash replaces it instead of doubling it).
    /// A diode returns where the message went: its sender session and sequence number.
    fn emit(&self, message: &Cleared, name: &str) -> io::Result<Option<Sent>>;
    /// Make what was emitted durable.
    fn commit(&self) -> io::Result<()>;
    /// For logs.
    fn describe(&self) -> String;
    /// Called about every 200 ms by the channel, busy or idle: a diode sends a heartbeat
    /// (carrying its last sequence number) when it sent nothing for a heartbeat interval, so the
    /// receiver records a lost message within seconds and notices a guard that went silent.
    fn tick(&self) -> io::Result<()> {
        Ok(())
    }
    /// The name `message` has where it lands, when the output does not keep the name it was
    /// emitted under (a diode's receiver names a file by its own sha-256): the audit record
    /// names what the partner has.
    fn landed_name(&self, _message: &Cleared) -> Option<String> {
        None
    }
    /// Remove kept copies older than their keeping time (a diode's `sent/`); how many.
    fn expire(&self) -> io::Result<usize> {
        Ok(0)
    }
    /// The channel is stopping: a diode announces its last sequence number twice, a heartbeat
    /// interval apart, so the receiver can close the session (a tail loss is recorded).
    fn close(&self) -> io::Result<()> {
        Ok(())
    }
}

/// Where a diode sent a message: as the receiver's audit names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub session: u64,
    pub seq: u64,
}

/// A spool directory: `<sha-256>.json`, written under a temporary name and renamed into place
/// once durable, a batch at a time (group commit).
pub struct SpoolOutput {
    dir: PathBuf,
    sync: bool,
    staged: spool::Stager,
}

impl SpoolOutput {
    /// The directory must exist (the channel made it when `create = true`).
    pub fn open(dir: &Path, sync: bool) -> io::Result<SpoolOutput> {
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
    fn emit(&self, message: &Cleared, name: &str) -> io::Result<Option<Sent>> {
        self.staged.stage(&self.dir, name, message.as_bytes()).map(|()| None)
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
    fn emit(&self, message: &Cleared, _name: &str) -> io::Result<Option<Sent>> {
        let mut out = io::stdout().lock();
        out.write_all(message.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush().map(|()| None)
    }
    fn commit(&self) -> io::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "stdout".into()
    }
}

/// A diode sender: each message goes one way over UDP with forward error correction. Nothing
/// comes back, so `commit` has nothing to wait for; a message emitted again after a crash is
/// written once by the receiver, which names files by their sha-256.
pub struct DiodeOutput {
    sender: std::sync::Mutex<crate::diode::Sender>,
    to: String,
    /// Copies of what was sent, for `sekisho resend`: the directory, how long they are kept.
    sent: Option<(PathBuf, std::time::Duration)>,
    staged: spool::Stager,
    sync: bool,
}

impl Output for DiodeOutput {
    fn emit(&self, message: &Cleared, _name: &str) -> io::Result<Option<Sent>> {
        // The copy first: it is made durable with the batch, before the audit record.
        if let (Some((dir, _)), Some(name)) = (&self.sent, self.landed_name(message)) {
            self.staged.stage(dir, &name, message.as_bytes())?;
        }
        let mut sender = self
            .sender
            .lock()
            .map_err(|_| io::Error::other("diode sender poisoned"))?;
        // Small messages are packed (protocol §5.4): numbered now, sent at `commit`, before any
        // audit record names them.
        let seq = sender
            .queue(message.as_bytes())
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Some(Sent {
            session: sender.session(),
            seq,
        }))
    }
    fn expire(&self) -> io::Result<usize> {
        let Some((dir, keep)) = &self.sent else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > *keep);
            if old && !entry.file_name().to_string_lossy().starts_with('.') {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
    fn commit(&self) -> io::Result<()> {
        self.staged.commit(self.sync)?;
        let mut sender = self
            .sender
            .lock()
            .map_err(|_| io::Error::other("diode sender poisoned"))?;
        sender.flush_queue().map_err(|e| io::Error::other(e.to_string()))?;
        sender.tick().map_err(|e| io::Error::other(e.to_string()))
    }
    fn describe(&self) -> String {
        format!("udp://{}", self.to)
    }
    fn landed_name(&self, message: &Cleared) -> Option<String> {
        use sha2::Digest;
        let bytes = message.as_bytes();
        Some(crate::diode::spool_name(&sha2::Sha256::digest(bytes).into(), bytes))
    }
    fn tick(&self) -> io::Result<()> {
        // `try_lock`: a worker sending a long message holds the sender; the message itself
        // tells the receiver the sender is alive.
        match self.sender.try_lock() {
            Ok(mut sender) => sender.tick().map_err(|e| io::Error::other(e.to_string())),
            Err(_) => Ok(()),
        }
    }
    fn close(&self) -> io::Result<()> {
        for n in 0..2 {
            if n > 0 {
                std::thread::sleep(FINAL_HEARTBEAT_GAP);
            }
            let mut sender = self
                .sender
                .lock()
                .map_err(|_| io::Error::other("diode sender poisoned"))?;
            sender.flush_queue().map_err(|e| io::Error::other(e.to_string()))?;
            sender.heartbeat().map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(())
    }
}

/// Between the two heartbeats a stopping diode output sends.
const FINAL_HEARTBEAT_GAP: std::time::Duration = std::time::Duration::from_millis(200);

fn open_diode(addr: &str, d: &DiodeSettings, sync: bool) -> Result<DiodeOutput, String> {
    use crate::diode::{Key, Sender, SenderConfig, resolve};
    let to = resolve(addr).map_err(|e| e.to_string())?;
    let key = Key::from_file(&d.key).map_err(|e| e.to_string())?;
    let mut cfg = SenderConfig::new(to, key);
    cfg.rate = d.rate.map_or(crate::diode::Rate::Auto, crate::diode::Rate::Fixed);
    cfg.overhead_percent = d.overhead;
    cfg.mtu = d.mtu;
    let sender = Sender::new(cfg).map_err(|e| e.to_string())?;
    if let Some(dir) = &d.sent {
        spool::remove_temps(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(DiodeOutput {
        sender: std::sync::Mutex::new(sender),
        to: addr.to_string(),
        sent: d.sent.clone().map(|dir| (dir, d.keep_sent)),
        staged: spool::Stager::default(),
        sync,
    })
}

/// Open the output a route's configuration names.
pub fn open(spec: &OutputSpec, diode: Option<&DiodeSettings>, sync: bool) -> Result<Box<dyn Output>, String> {
    match spec {
        OutputSpec::Spool(dir) => SpoolOutput::open(dir, sync)
            .map(|o| Box::new(o) as Box<dyn Output>)
            .map_err(|e| format!("{}: {e}", dir.display())),
        OutputSpec::Stdout => Ok(Box::new(StdoutOutput)),
        OutputSpec::Udp(addr) => match diode {
            Some(d) => open_diode(addr, d, sync)
                .map(|o| Box::new(o) as Box<dyn Output>)
                .map_err(|e| format!("udp://{addr}: {e}")),
            None => Err(format!("udp://{addr}: no diode settings")),
        },
        OutputSpec::Nats(t) => Err(format!(
            "nats://{}/{}: a JetStream output is opened by its channel's connector",
            t.url, t.subject
        )),
    }
}
