//! Spool directories: scanning, claiming, reading without following links, atomic writes and
//! directory fsyncs.
//!
//! A producer writes `inbox/.name` and renames it to `inbox/name`; names starting with `.` are
//! in progress and never touched. The guard claims `inbox/name` by renaming it into
//! `inbox/.claimed/name` (same filesystem, atomic), so a claimed file is in exactly one place and
//! a restart finds every in-flight message in `.claimed/`.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The sub-directory of an inbox that holds claimed, in-flight messages.
pub const CLAIMED: &str = ".claimed";
/// The lock file that keeps a second daemon off an inbox.
pub const LOCK: &str = ".sekisho.lock";
/// The prefix of temporary files in outputs and the quarantine.
pub const TMP_PREFIX: &str = ".tmp-";

/// How long a starting guard waits for the inbox's lock. A predecessor killed while starting a
/// verifier child leaves that child holding a copy of the lock until it executes the verifier
/// (a moment, or longer on a loaded machine); a second guard still running holds it for good.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Take the inbox's lock (and create the inbox and its `.claimed/`), waiting up to `wait` for it:
/// a second guard on the same inbox fails here instead of racing.
pub fn lock_inbox(inbox: &Path, wait: std::time::Duration) -> io::Result<File> {
    fs::create_dir_all(inbox.join(CLAIMED))?;
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(inbox.join(LOCK))?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(f),
            Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "another guard holds `{}` (waited {} s for it)",
                        inbox.join(LOCK).display(),
                        wait.as_secs()
                    ),
                ));
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// The names in `dir` that are ready (not starting with `.`), sorted.
pub fn scan(dir: &Path) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        if name.as_bytes().first() != Some(&b'.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Claim `inbox/name`: move it into `inbox/.claimed/`. `Ok(false)` when it is gone.
pub fn claim(inbox: &Path, name: &OsStr) -> io::Result<bool> {
    match fs::rename(inbox.join(name), inbox.join(CLAIMED).join(name)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The kind of a directory entry, from `lstat` (links are not followed).
pub fn entry_kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        "regular file"
    } else if t.is_symlink() {
        "symbolic link"
    } else if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else {
        "unknown"
    }
}

/// The identity of a directory entry (`inode-mtime_ns-size`), from `lstat`.
pub fn entry_id(meta: &fs::Metadata) -> String {
    let mtime_ns = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    format!("{}-{}-{}", meta.ino(), mtime_ns, meta.size())
}

/// Why a claimed file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// It is (or became) something other than a regular file.
    NotRegular(&'static str),
    /// More than the limit; `size` is what `fstat` says.
    Oversized {
        size: u64,
    },
    Io(io::Error),
}

/// Read a regular file of at most `limit` bytes, never through a symbolic link and never
/// blocking on a fifo: `open(O_NOFOLLOW | O_NONBLOCK)`, then `fstat` on the open descriptor.
pub fn read_regular(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                ReadError::NotRegular("symbolic link")
            } else {
                ReadError::Io(e)
            }
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(entry_kind(&meta)));
    }
    if meta.len() > limit as u64 {
        return Err(ReadError::Oversized { size: meta.len() });
    }
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap).read_to_end(&mut buf).map_err(ReadError::Io)?;
    if buf.len() > limit {
        return Err(ReadError::Oversized { size: buf.len() as u64 });
    }
    Ok(buf)
}

/// Files written under temporary names, made durable and renamed into place together: the group
/// commit. `stage` writes `dir/.tmp-name` without syncing; `commit` syncs the filesystem once
/// (`syncfs`), renames every staged file to its name and fsyncs the directories. A name only ever
/// appears with its whole, durable content.
#[derive(Default)]
pub struct Stager {
    pending: std::sync::Mutex<Vec<(PathBuf, String)>>,
}

impl Stager {
    /// Write `dir/.tmp-name`, to appear as `dir/name` at the next [`Stager::commit`].
    pub fn stage(&self, dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
        let tmp = dir.join(format!("{TMP_PREFIX}{name}"));
        let mut f = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(bytes)?;
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((dir.to_path_buf(), name.to_string()));
        Ok(())
    }

    /// Make every staged file durable and visible under its name. With `sync` off, only rename.
    pub fn commit(&self, sync: bool) -> io::Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        if pending.is_empty() {
            return Ok(());
        }
        let mut dirs: Vec<&PathBuf> = pending.iter().map(|(d, _)| d).collect();
        dirs.sort();
        dirs.dedup();
        if sync {
            for d in &dirs {
                // One flush of each filesystem instead of one fsync per file.
                rustix::fs::syncfs(File::open(d)?)?;
            }
        }
        for (dir, name) in &pending {
            fs::rename(dir.join(format!("{TMP_PREFIX}{name}")), dir.join(name))?;
        }
        if sync {
            for d in dirs {
                sync_dir(d)?;
            }
        }
        Ok(())
    }
}

/// fsync a directory, making the renames and removals in it durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Remove temporary files left by a crash.
pub fn remove_temps(dir: &Path) -> io::Result<usize> {
    let mut n = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_bytes().starts_with(TMP_PREFIX.as_bytes()) {
            fs::remove_file(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

/// Copy the files of `from` into `to` (the demo seed), only when `to` does not exist yet.
pub fn seed(from: &Path, to: &Path) -> io::Result<usize> {
    if to.exists() {
        return Ok(0);
    }
    fs::create_dir_all(to)?;
    let mut n = 0;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name().as_bytes().first() != Some(&b'.') {
            fs::copy(entry.path(), to.join(entry.file_name()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// A file name for logs and records: lossy UTF-8 (JSON escapes control characters), and the
/// hex of the raw bytes when they are not UTF-8.
pub fn display_name(name: &OsStr) -> (String, Option<String>) {
    match name.to_str() {
        Some(s) => (s.to_string(), None),
        None => (name.to_string_lossy().into_owned(), Some(hex::encode(name.as_bytes()))),
    }
}

/// Where the claimed copy of `name` is.
pub fn claimed_path(inbox: &Path, name: &OsStr) -> PathBuf {
    inbox.join(CLAIMED).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_lock_waits_for_a_predecessor_and_refuses_a_guard_that_stays() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        let held = lock_inbox(&inbox, Duration::ZERO).unwrap();
        let e = lock_inbox(&inbox, Duration::from_millis(200)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert!(e.to_string().contains(".sekisho.lock"), "{e}");
        // A predecessor that lets go within the wait: the lock is taken.
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        assert!(lock_inbox(&inbox, Duration::from_secs(10)).is_ok());
        release.join().unwrap();
    }
}
