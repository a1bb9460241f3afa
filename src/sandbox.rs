//! Least privilege for the verifier process: once its policy is loaded it needs no file, no
//! network and no new program, so it gives them all up.
//!
//! - Landlock (ABI up to the kernel's): every filesystem access and TCP bind/connect handled and
//!   none allowed; abstract UNIX sockets and signals scoped to the sandbox where the kernel can.
//! - seccomp (`seccompiler`, a BPF filter built in Rust): `socket`, `socketpair`, `execve` and
//!   `execveat` fail with `EACCES`.
//! - `no_new_privs` (set by both).
//!
//! `required` refuses to run without all three; `best-effort` warns loudly and goes on with what
//! the kernel has; `off` skips it (for debugging only).

use std::collections::BTreeMap;

use serde::Deserialize;

/// How strictly to confine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    Required,
    #[default]
    BestEffort,
    Off,
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

/// Confine this process (all its threads) for good. `Err` when `mode` is `required` and any part
/// could not be put in place, or when a part failed outright.
pub fn confine_verifier(mode: SandboxMode) -> Result<Option<Confinement>, String> {
    if mode == SandboxMode::Off {
        return Ok(None);
    }
    let (landlock, no_new_privs) = match landlock_deny_all() {
        Ok(s) => s,
        Err(e) if mode == SandboxMode::Required => return Err(format!("landlock: {e}")),
        Err(e) => {
            tracing::warn!(error = %e, "SANDBOX DEGRADED: landlock could not be set up; the verifier keeps its file access");
            ("not enforced".to_string(), false)
        }
    };
    let seccomp = match deny_sockets_and_exec() {
        Ok(()) => true,
        Err(e) if mode == SandboxMode::Required => return Err(format!("seccomp: {e}")),
        Err(e) => {
            tracing::warn!(error = %e, "SANDBOX DEGRADED: the seccomp filter could not be installed");
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
            return Err(format!("the sandbox is incomplete on this kernel: {c:?}"));
        }
        tracing::warn!(
            ?c,
            "SANDBOX DEGRADED: the kernel does not support the whole sandbox; going on (best-effort)"
        );
    }
    Ok(Some(c))
}

fn landlock_deny_all() -> Result<(String, bool), String> {
    use landlock::{ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetStatus, Scope};
    let abi = ABI::V6;
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::from_all(abi)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self())
        .map_err(|e| e.to_string())?;
    let s = match status.ruleset {
        RulesetStatus::FullyEnforced => "fully enforced",
        RulesetStatus::PartiallyEnforced => "partially enforced",
        RulesetStatus::NotEnforced => "not enforced",
    };
    Ok((s.to_string(), status.no_new_privs))
}

fn deny_sockets_and_exec() -> Result<(), String> {
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let denied = [
        libc::SYS_socket,
        libc::SYS_socketpair,
        libc::SYS_execve,
        libc::SYS_execveat,
    ];
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> = denied.iter().map(|&n| (n, Vec::new())).collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|e| e.to_string())?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    seccompiler::apply_filter_all_threads(&program).map_err(|e| e.to_string())
}

/// Where a channel's threads may go once it has started.
#[derive(Debug, Clone, Default)]
pub struct ChannelPaths {
    /// Read and write (inboxes, quarantine, the audit log's directory, spool outputs).
    pub read_write: Vec<std::path::PathBuf>,
    /// Read only (the policies' directories, for verifier children).
    pub read: Vec<std::path::PathBuf>,
    /// Read and execute (the verifier program, the system's libraries and loader).
    pub execute: Vec<std::path::PathBuf>,
}

/// Confine the calling thread and the threads and processes it starts from now on (a channel's
/// workers, committer and verifier children): Landlock to `paths`, no TCP bind or connect, and a
/// seccomp filter that allows only IPv4/IPv6 datagram sockets (the diode transport sends UDP).
pub fn confine_channel(mode: SandboxMode, paths: &ChannelPaths) -> Result<Option<Confinement>, String> {
    if mode == SandboxMode::Off {
        return Ok(None);
    }
    let (landlock, no_new_privs) = match landlock_paths(paths) {
        Ok(s) => s,
        Err(e) if mode == SandboxMode::Required => return Err(format!("landlock: {e}")),
        Err(e) => {
            tracing::warn!(error = %e, "SANDBOX DEGRADED: landlock could not be set up for the channel");
            ("not enforced".to_string(), false)
        }
    };
    let seccomp = match datagram_sockets_only() {
        Ok(()) => true,
        Err(e) if mode == SandboxMode::Required => return Err(format!("seccomp: {e}")),
        Err(e) => {
            tracing::warn!(error = %e, "SANDBOX DEGRADED: the channel's seccomp filter could not be installed");
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
            return Err(format!("the sandbox is incomplete on this kernel: {c:?}"));
        }
        tracing::warn!(
            ?c,
            "SANDBOX DEGRADED: the kernel does not support the whole channel sandbox; going on (best-effort)"
        );
    }
    Ok(Some(c))
}

fn landlock_paths(paths: &ChannelPaths) -> Result<(String, bool), String> {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, path_beneath_rules,
    };
    let abi = ABI::V6;
    let write = AccessFs::from_all(abi) & !AccessFs::Execute;
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
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

fn datagram_sockets_only() -> Result<(), String> {
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
        TargetArch,
    };
    let e = |e: seccompiler::BackendError| e.to_string();
    let cond =
        |arg: u8, op: SeccompCmpOp, v: u64| SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, v).map_err(e);
    let rules = vec![
        // socket(domain, …) with a domain other than AF_INET and AF_INET6
        SeccompRule::new(vec![
            cond(0, SeccompCmpOp::Ne, libc::AF_INET as u64)?,
            cond(0, SeccompCmpOp::Ne, libc::AF_INET6 as u64)?,
        ])
        .map_err(e)?,
        // socket(…, type, …) with a type other than SOCK_DGRAM (the low bits; flags above)
        SeccompRule::new(vec![cond(1, SeccompCmpOp::MaskedEq(0xf), libc::SOCK_STREAM as u64)?]).map_err(e)?,
        SeccompRule::new(vec![cond(1, SeccompCmpOp::MaskedEq(0xf), libc::SOCK_RAW as u64)?]).map_err(e)?,
        SeccompRule::new(vec![cond(1, SeccompCmpOp::MaskedEq(0xf), libc::SOCK_SEQPACKET as u64)?]).map_err(e)?,
        SeccompRule::new(vec![cond(1, SeccompCmpOp::MaskedEq(0xf), libc::SOCK_RDM as u64)?]).map_err(e)?,
    ];
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|x| x.to_string())?;
    let mut map = BTreeMap::new();
    map.insert(libc::SYS_socket, rules);
    map.insert(libc::SYS_socketpair, Vec::new());
    let filter = SeccompFilter::new(
        map,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|x| x.to_string())?;
    let program: BpfProgram = filter.try_into().map_err(e)?;
    // This thread only: the threads it starts inherit it; the other channels are not touched.
    seccompiler::apply_filter(&program).map_err(|x| x.to_string())
}
