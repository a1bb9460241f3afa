//! Waking the scanner when a file arrives in an inbox: inotify where the kernel has it, polling
//! otherwise (and as a safety net: the scanner still looks every `poll_interval_ms`).

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::Duration;

use inotify::{Inotify, WatchMask};

/// Waits until an inbox changes or the poll interval passes, whichever is first.
pub struct Wakeup {
    events: Option<Receiver<()>>,
}

impl Wakeup {
    /// Watch `dirs` for files renamed or written into them. Without inotify, [`Wakeup::wait`]
    /// just sleeps.
    pub fn watch(dirs: &[&Path]) -> Wakeup {
        match Self::inotify(dirs) {
            Ok(events) => {
                tracing::debug!(dirs = ?dirs, "watching the inboxes with inotify");
                Wakeup { events: Some(events) }
            }
            Err(e) => {
                tracing::warn!(error = %e, "inotify is unavailable: polling the inbox");
                Wakeup { events: None }
            }
        }
    }

    fn inotify(dirs: &[&Path]) -> std::io::Result<Receiver<()>> {
        let mut inotify = Inotify::init()?;
        for dir in dirs {
            // A producer renames a finished file in; a careless one writes it in place.
            inotify
                .watches()
                .add(dir, WatchMask::MOVED_TO | WatchMask::CLOSE_WRITE | WatchMask::CREATE)?;
        }
        // One pending wake-up is enough: the scanner reads the whole inbox when it wakes.
        let (tx, rx) = sync_channel(1);
        std::thread::Builder::new().name("inbox-watch".into()).spawn(move || {
            let mut buffer = [0u8; 4096];
            while inotify.read_events_blocking(&mut buffer).is_ok() {
                if let Err(std::sync::mpsc::TrySendError::Disconnected(())) = tx.try_send(()) {
                    return;
                }
            }
        })?;
        Ok(rx)
    }

    /// Block until something arrives or `timeout` passes.
    pub fn wait(&self, timeout: Duration) {
        match &self.events {
            Some(rx) => match rx.recv_timeout(timeout) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(timeout),
            },
            None => std::thread::sleep(timeout),
        }
    }

    /// Whether inotify is in use.
    #[cfg(test)]
    pub fn is_watching(&self) -> bool {
        self.events.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn wakes_when_a_file_is_renamed_in() {
        let dir = tempfile::tempdir().unwrap();
        let w = Wakeup::watch(&[dir.path()]);
        if !w.is_watching() {
            eprintln!("SKIPPED: no inotify here");
            return;
        }
        let path = dir.path().to_path_buf();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::write(path.join(".m"), b"x").unwrap();
            std::fs::rename(path.join(".m"), path.join("m.json")).unwrap();
        });
        let start = Instant::now();
        w.wait(Duration::from_secs(10));
        assert!(start.elapsed() < Duration::from_secs(5), "woke only at the timeout");
    }
}
