//! `sekisho run --check`: everything a start needs, checked as the process that runs it sees it
//! (after the switch to `user`, when the configuration names one), without touching any spool:
//! nothing is created, claimed, locked or written.
//!
//! The same directory rules hold when the daemon starts ([`require_dir`]): a path that does not
//! exist is an error unless its channel says `create = true`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::config::{ChannelConfig, Config, OutputSpec};

/// One thing checked: what, and whether it is usable (with the reason and the fix when not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub what: String,
    pub problem: Option<String>,
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            None => write!(f, "ok     {}", self.what),
            Some(p) => write!(f, "ERROR  {}: {p}", self.what),
        }
    }
}

/// Check every channel of `config`: directories, the audit log, policies, keys, addresses.
pub fn check(config: &Config) -> Vec<Item> {
    let mut items = Vec::new();
    for ch in &config.channels {
        check_channel(ch, &mut items);
    }
    items
}

fn push(items: &mut Vec<Item>, what: String, r: Result<(), String>) {
    items.push(Item { what, problem: r.err() });
}

fn check_channel(ch: &ChannelConfig, items: &mut Vec<Item>) {
    let c = &ch.name;
    let inbox_missing = !ch.inbox.exists();
    let inbox = if inbox_missing && ch.seed_inbox_from.is_some() {
        // A demo inbox, made and seeded at the first start.
        match &ch.seed_inbox_from {
            Some(from) => dir_readable(from).map_err(|e| format!("seed_inbox_from: {e}")),
            None => Ok(()),
        }
    } else {
        require_dir(&ch.inbox, ch.create, "inbox", true)
    };
    push(items, format!("channel `{c}`: inbox {}", ch.inbox.display()), inbox);
    if let Some(u) = &ch.urgent_inbox {
        push(
            items,
            format!("channel `{c}`: urgent_inbox {}", u.display()),
            require_dir(u, ch.create, "urgent_inbox", true),
        );
    }
    let mut q = require_dir(&ch.quarantine, ch.create, "quarantine", true);
    if q.is_ok()
        && let (Ok(a), Ok(b)) = (std::fs::metadata(&ch.inbox), std::fs::metadata(&ch.quarantine))
        && a.dev() != b.dev()
    {
        q = Err("is not on the inbox's filesystem (entries are moved there with rename)".into());
    }
    push(
        items,
        format!("channel `{c}`: quarantine {}", ch.quarantine.display()),
        q,
    );
    push(
        items,
        format!("channel `{c}`: audit {}", ch.audit.display()),
        check_audit(ch),
    );
    for r in &ch.routes {
        let at = format!("channel `{c}` route `{}`", r.name);
        push(
            items,
            format!("{at}: policy {}", r.policy.display()),
            super::load_policy(&r.name, &r.policy).map(drop),
        );
        match &r.output {
            OutputSpec::Spool(dir) => push(
                items,
                format!("{at}: output {}", dir.display()),
                require_dir(dir, ch.create, "output", true),
            ),
            OutputSpec::Stdout => push(items, format!("{at}: output stdout"), Ok(())),
            OutputSpec::Nats(t) => push(items, format!("{at}: output nats://{}/{}", t.url, t.subject), Ok(())),
            OutputSpec::Udp(addr) => {
                push(
                    items,
                    format!("{at}: output udp://{addr}"),
                    crate::diode::resolve(addr).map(drop).map_err(|e| e.to_string()),
                );
                if let Some(sent) = r.diode.as_ref().and_then(|d| d.sent.as_ref()) {
                    push(
                        items,
                        format!("{at}: sent {}", sent.display()),
                        require_dir(sent, ch.create, "sent", true),
                    );
                }
                if let Some(d) = &r.diode {
                    push(
                        items,
                        format!("{at}: key {}", d.key.display()),
                        crate::diode::Key::from_file(&d.key)
                            .map(drop)
                            .map_err(|e| format!("{e}{}", owner_hint(&d.key))),
                    );
                }
            }
        }
    }
}

/// The audit log: its directory usable, and the file, when it exists, readable, writable and
/// with an intact chain; when it does not, `create = true` is needed.
fn check_audit(ch: &ChannelConfig) -> Result<(), String> {
    let parent = match ch.audit.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !ch.audit.exists() {
        require_dir(&parent, ch.create, "audit (its directory)", true)?;
        if !ch.create {
            return Err(format!(
                "does not exist; make it (`install -m 0640 -o USER /dev/null {}`) or set `create = true` \
                 in channel `{}` to start a new log",
                ch.audit.display(),
                ch.name
            ));
        }
        return Ok(());
    }
    access(&ch.audit, rustix::fs::Access::READ_OK | rustix::fs::Access::WRITE_OK)?;
    crate::audit::verify(&ch.audit)
        .map(drop)
        .map_err(|e| format!("the chain is broken: {e}"))
}

/// A directory the daemon uses: it must exist (or `create` says it may be made) and be
/// readable, searchable and, when `write`, writable by this process. The error names the path's
/// owner and mode and the fix.
pub fn require_dir(path: &Path, create: bool, field: &str, write: bool) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("`{}` ({field}) is not a directory", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if create {
                // Made at start; its nearest existing parent must let us.
                let mut up = path.parent();
                while let Some(p) = up {
                    if p.as_os_str().is_empty() {
                        return access(Path::new("."), write_mode(true));
                    }
                    if p.exists() {
                        return access(p, write_mode(true));
                    }
                    up = p.parent();
                }
                return Ok(());
            }
            return Err(format!(
                "`{}` ({field}) does not exist; make it (`install -d -o USER {}`) or set `create = true` \
                 in the channel (a mistyped path is never created silently)",
                path.display(),
                path.display()
            ));
        }
        Err(e) => return Err(format!("`{}` ({field}): {e}{}", path.display(), owner_hint(path))),
    }
    access(path, write_mode(write))
}

fn write_mode(write: bool) -> rustix::fs::Access {
    use rustix::fs::Access;
    if write {
        Access::READ_OK | Access::WRITE_OK | Access::EXEC_OK
    } else {
        Access::READ_OK | Access::EXEC_OK
    }
}

fn dir_readable(path: &Path) -> Result<(), String> {
    if !path.is_dir() {
        return Err(format!("`{}` is not a directory", path.display()));
    }
    access(path, write_mode(false))
}

/// `access(2)` as this process's real user (the service user after the switch).
fn access(path: &Path, mode: rustix::fs::Access) -> Result<(), String> {
    rustix::fs::access(path, mode).map_err(|e| {
        let want = if mode.contains(rustix::fs::Access::WRITE_OK) {
            "read and write"
        } else {
            "read"
        };
        format!(
            "`{}`: this process ({}) cannot {want} it: {}{}",
            path.display(),
            whoami(),
            std::io::Error::from(e),
            owner_hint(path)
        )
    })
}

/// `; owned by USER:GROUP, mode 0750; fix: chown …` for a path that exists.
fn owner_hint(path: &Path) -> String {
    let Ok(m) = std::fs::metadata(path) else {
        return String::new();
    };
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(m.uid()))
        .ok()
        .flatten()
        .map_or_else(|| m.uid().to_string(), |u| u.name);
    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(m.gid()))
        .ok()
        .flatten()
        .map_or_else(|| m.gid().to_string(), |g| g.name);
    format!(
        "; it is owned by {user}:{group}, mode {:04o}; fix: `chown {} {}` (or run as its owner)",
        m.mode() & 0o7777,
        current_user(),
        path.display()
    )
}

fn current_user() -> String {
    let uid = rustix::process::getuid().as_raw();
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map_or_else(|| uid.to_string(), |u| u.name)
}

fn whoami() -> String {
    format!("user {}, uid {}", current_user(), rustix::process::getuid().as_raw())
}
