//! Least privilege: each part of sekisho gives up, once it has started, what it no longer needs.
//!
//! - Landlock (ABI up to the kernel's): every filesystem access and TCP bind/connect handled, and
//!   only the part's own paths allowed; abstract UNIX sockets and signals scoped where it asks.
//! - seccomp (`seccompiler`, a BPF filter built in Rust): the socket, send and exec calls the part
//!   has no use for fail with `EACCES`.
//! - `no_new_privs` (set by both).
//! - [`drop_privileges`]: the daemon's optional `user = "…"`, switched to for good before any
//!   thread starts.
//!
//! | part | paths | system calls denied | threads |
//! |---|---|---|---|
//! | the verifier | none | every socket, exec | the whole process |
//! | a channel | its spools, its policies, the verifier program | new sockets, bind, connect (its diode output's socket is made before) | the channel's threads and children |
//! | the daemon's main thread | none | every socket, exec | that thread |
//! | the diode receiver | its spool directory | new sockets, connect, every send, exec | the whole process |
//! | the operators' listener (`[metrics]`, `receive --metrics-listen`) | none | new sockets, bind, listen, connect, exec | that thread |
//!
//! `required` refuses to run without all three; `best-effort` warns loudly and goes on with what
//! the kernel has; `off` skips it (for debugging only).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// How strictly to confine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    // Declared from the least strict, so that `max` is the strictest.
    Off,
    #[default]
    BestEffort,
    Required,
}

impl SandboxMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxMode::Required => "required",
            SandboxMode::BestEffort => "best-effort",
            SandboxMode::Off => "off",
        }
    }
}

/// What was put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    /// `fully enforced`, `partially enforced`, `not enforced`.
    pub landlock: String,
    pub seccomp: bool,
    pub no_new_privs: bool,
}

impl Confinement {
    pub fn complete(&self) -> bool {
        self.landlock == "fully enforced" && self.seccomp && self.no_new_privs
    }
}

/// Where a confined part may still go.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// Read and write (inboxes, quarantine, the audit log's directory, spool outputs).
    pub read_write: Vec<PathBuf>,
    /// Read only (the policies' directories, for verifier children).
    pub read: Vec<PathBuf>,
    /// Read and execute (the verifier program, the system's libraries and loader).
    pub execute: Vec<PathBuf>,
}

/// The system calls a confined part loses.
#[derive(Debug, Clone, Copy)]
enum Syscalls {
    /// No socket of any kind and no new program.
    NoSocketsNoExec,
    /// No new socket, no bind or connect: a channel's diode output made its one connected UDP
    /// socket before; programs may still start (verifier children, which confine themselves
    /// further).
    NoNewSockets,
    /// Receive on the sockets it has: no new socket, no connect, no send, no new program.
    ReceiveOnly,
    /// Answer on a socket already listening: accept, read and write its connections; no new
    /// socket, no bind, listen or connect, no new program.
    ServeOnly,
}

/// One part's confinement.
struct Profile<'a> {
    /// For the logs: "the verifier", "channel `c`", …
    part: &'a str,
    paths: &'a Paths,
    /// Scope abstract UNIX sockets and signals to the sandbox.
    scoped: bool,
    syscalls: Syscalls,
    /// Every thread of the process (call before starting threads: Landlock binds the calling
    /// thread and what it starts later); otherwise the calling thread and what it starts.
    all_threads: bool,
}

/// Confine the verifier process for good, once its policy is loaded: it needs stdin and stdout
/// only.
pub fn confine_verifier(mode: SandboxMode) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: "the verifier",
            paths: &Paths::default(),
            scoped: true,
            syscalls: Syscalls::NoSocketsNoExec,
            all_threads: true,
        },
    )
}

/// Confine the calling thread and the threads and processes it starts from now on (a channel's
/// workers, committer and verifier children): Landlock to `paths`, and no new socket, bind or
/// connect — the only socket a channel has is its diode output's, connected to the diode before
/// (so the transport is the only part that can reach the network, and only the diode).
pub fn confine_channel(mode: SandboxMode, channel: &str, paths: &Paths) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: &format!("channel `{channel}`"),
            paths,
            scoped: false,
            syscalls: Syscalls::NoNewSockets,
            all_threads: false,
        },
    )
}

/// Confine the daemon's main thread once the channels have started: it only waits for them and
/// prints their summaries on the standard output it already has.
pub fn confine_main_thread(mode: SandboxMode) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: "the daemon's main thread",
            paths: &Paths::default(),
            scoped: true,
            syscalls: Syscalls::NoSocketsNoExec,
            all_threads: false,
        },
    )
}

/// Confine the diode receiver once its socket is bound and its files are open, before it starts
/// any thread: it may write only inside its spool directory `into`, and can neither make a socket
/// nor send on the one it has.
pub fn confine_receiver(mode: SandboxMode, into: &Path) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: "the diode receiver",
            paths: &Paths {
                read_write: vec![into.to_path_buf()],
                ..Paths::default()
            },
            scoped: true,
            syscalls: Syscalls::ReceiveOnly,
            all_threads: true,
        },
    )
}

/// Confine the calling thread (the operators' listener, whose TCP socket is already bound and
/// listening) and what it starts: no file at all, no new socket, no bind, listen or connect, no
/// new program. It can only accept connections on that socket and answer them.
pub fn confine_listener(mode: SandboxMode) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: "the operators' listener",
            paths: &Paths::default(),
            scoped: true,
            syscalls: Syscalls::ServeOnly,
            all_threads: false,
        },
    )
}

/// As [`confine_receiver`], for the calling thread and what it starts only: when the receiver
/// serves metrics, the listener's thread already exists and has confined itself (it must keep
/// sending on its socket, which the receiver's profile forbids).
pub fn confine_receiver_thread(mode: SandboxMode, into: &Path) -> Result<Option<Confinement>, String> {
    confine(
        mode,
        &Profile {
            part: "the diode receiver",
            paths: &Paths {
                read_write: vec![into.to_path_buf()],
                ..Paths::default()
            },
            scoped: true,
            syscalls: Syscalls::ReceiveOnly,
            all_threads: false,
        },
    )
}

fn confine(mode: SandboxMode, profile: &Profile<'_>) -> Result<Option<Confinement>, String> {
    if mode == SandboxMode::Off {
        tracing::warn!(part = profile.part, "running unconfined (sandbox = \"off\")");
        return Ok(None);
    }
    let part = profile.part;
    let (landlock, no_new_privs) = match landlock(profile) {
        Ok(s) => s,
        Err(e) if mode == SandboxMode::Required => return Err(format!("landlock: {e}")),
        Err(e) => {
            tracing::warn!(part, error = %e, "SANDBOX DEGRADED: landlock could not be set up; file access stays open");
            ("not enforced".to_string(), false)
        }
    };
    let seccomp = match seccomp(profile) {
        Ok(()) => true,
        Err(e) if mode == SandboxMode::Required => return Err(format!("seccomp: {e}")),
        Err(e) => {
            tracing::warn!(part, error = %e, "SANDBOX DEGRADED: the seccomp filter could not be installed");
            false
        }
    };
    let c = Confinement {
        landlock,
        seccomp,
        no_new_privs: no_new_privs || seccomp,
    };
    if !c.complete() {
        if mode == SandboxMode::Required {
            return Err(format!("the sandbox of {part} is incomplete on this kernel: {c:?}"));
        }
        tracing::warn!(
            part,
            ?c,
            "SANDBOX DEGRADED: the kernel does not support the whole sandbox; going on (best-effort)"
        );
    }
    tracing::info!(part, landlock = %c.landlock, seccomp = c.seccomp, no_new_privs = c.no_new_privs, "confined");
    #[cfg(debug_assertions)]
    probe(part);
    Ok(Some(c))
}

fn landlock(profile: &Profile<'_>) -> Result<(String, bool), String> {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
        path_beneath_rules,
    };
    let abi = ABI::V6;
    let paths = profile.paths;
    let write = AccessFs::from_all(abi) & !AccessFs::Execute;
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| {
            if profile.scoped {
                r.scope(Scope::from_all(abi))
            } else {
                Ok(r)
            }
        })
        .and_then(|r| r.create())
        .and_then(|r| r.add_rules(path_beneath_rules(&paths.read_write, write)))
        .and_then(|r| r.add_rules(path_beneath_rules(&paths.read, read)))
        .and_then(|r| r.add_rules(path_beneath_rules(&paths.execute, AccessFs::from_read(abi))))
        .and_then(|r| r.restrict_self())
        .map_err(|e| e.to_string())?;
    let s = match status.ruleset {
        RulesetStatus::FullyEnforced => "fully enforced",
        RulesetStatus::PartiallyEnforced => "partially enforced",
        RulesetStatus::NotEnforced => "not enforced",
    };
    Ok((s.to_string(), status.no_new_privs))
}

fn seccomp(profile: &Profile<'_>) -> Result<(), String> {
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, SeccompRule, TargetArch};
    let e = |e: seccompiler::BackendError| e.to_string();
    let denied: &[i64] = match profile.syscalls {
        Syscalls::NoSocketsNoExec => &[
            libc::SYS_socket,
            libc::SYS_socketpair,
            libc::SYS_execve,
            libc::SYS_execveat,
        ],
        Syscalls::NoNewSockets => &[
            libc::SYS_socket,
            libc::SYS_socketpair,
            libc::SYS_bind,
            libc::SYS_connect,
        ],
        Syscalls::ServeOnly => &[
            libc::SYS_socket,
            libc::SYS_socketpair,
            libc::SYS_bind,
            libc::SYS_listen,
            libc::SYS_connect,
            libc::SYS_execve,
            libc::SYS_execveat,
        ],
        Syscalls::ReceiveOnly => &[
            libc::SYS_socket,
            libc::SYS_socketpair,
            libc::SYS_bind,
            libc::SYS_connect,
            libc::SYS_sendto,
            libc::SYS_sendmsg,
            libc::SYS_sendmmsg,
            libc::SYS_execve,
            libc::SYS_execveat,
        ],
    };
    let map: BTreeMap<i64, Vec<SeccompRule>> = denied.iter().map(|&n| (n, Vec::new())).collect();
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|x| x.to_string())?;
    let filter = SeccompFilter::new(
        map,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|x| x.to_string())?;
    let program: BpfProgram = filter.try_into().map_err(e)?;
    if profile.all_threads {
        seccompiler::apply_filter_all_threads(&program).map_err(|x| x.to_string())
    } else {
        // This thread only: the threads it starts inherit it; the others are not touched.
        seccompiler::apply_filter(&program).map_err(|x| x.to_string())
    }
}

/// Tests only (debug builds): with `SEKISHO_TEST_SANDBOX_PROBE` set, a part that has just been
/// confined tries to read a system file and to send a datagram, and logs what happened.
#[cfg(debug_assertions)]
fn probe(part: &str) {
    if std::env::var_os("SEKISHO_TEST_SANDBOX_PROBE").is_none() {
        return;
    }
    let show = |r: std::io::Result<()>| r.map_or_else(|e| format!("denied ({e})"), |()| "allowed".to_string());
    let open = show(std::fs::read("/etc/hostname").map(drop));
    let send =
        show(std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.send_to(b"probe", "127.0.0.1:9").map(drop)));
    tracing::warn!(part, open = %open, send = %send, "sandbox probe");
}

/// Who the process became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub uid: u32,
    pub gid: u32,
}

impl Identity {
    /// Look `user` up (through the system's user database). Root is refused: switching to it
    /// would keep every privilege.
    pub fn lookup(user: &str) -> Result<Identity, String> {
        let u = nix::unistd::User::from_name(user)
            .map_err(|e| format!("cannot look up user `{user}`: {e}"))?
            .ok_or_else(|| format!("there is no user `{user}` on this system"))?;
        if u.uid.is_root() {
            return Err(format!("`{user}` is root: switching to it would keep every privilege"));
        }
        Ok(Identity {
            user: user.to_string(),
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
        })
    }
}

/// Become `user` for good: its primary group as the only group, then real, effective and saved
/// ids, and a check that root cannot be regained. Call it before starting any thread. Refused:
/// an unknown user, root itself, and a process that may not change users (unless it already runs
/// as `user`).
pub fn drop_privileges(user: &str) -> Result<Identity, String> {
    use nix::unistd::{Gid, Uid, getgroups, getresgid, getresuid, setgroups, setresgid, setresuid, setuid};
    let identity = Identity::lookup(user)?;
    let (uid, gid) = (Uid::from_raw(identity.uid), Gid::from_raw(identity.gid));
    let already = || {
        getresuid().is_ok_and(|r| r.real == uid && r.effective == uid && r.saved == uid)
            && getresgid().is_ok_and(|r| r.real == gid && r.effective == gid && r.saved == gid)
            && getgroups().is_ok_and(|g| g.iter().all(|&x| x == gid))
    };
    if already() {
        return Ok(identity);
    }
    if !Uid::effective().is_root() {
        return Err(format!(
            "cannot become `{user}` (uid {uid}): this process runs as uid {} and may not change users; start it as root or as `{user}`",
            Uid::effective()
        ));
    }
    let fail = |what: &str, e: nix::Error| format!("cannot become `{user}`: {what}: {e}");
    setgroups(&[gid]).map_err(|e| fail("setgroups", e))?;
    setresgid(gid, gid, gid).map_err(|e| fail("setresgid", e))?;
    setresuid(uid, uid, uid).map_err(|e| fail("setresuid", e))?;
    if !already() {
        return Err(format!("switched to `{user}`, but the process's ids do not all say so"));
    }
    if setuid(Uid::from_raw(0)).is_ok() {
        return Err(format!(
            "switched to `{user}`, yet root could be regained: refusing to run"
        ));
    }
    Ok(identity)
}
