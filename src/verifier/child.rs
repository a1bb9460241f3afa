//! The verifier as its own process: `sekisho verify --policy FILE`, a long-lived child of the
//! daemon, fed over a pipe.
//!
//! ```text
//! frame   = length payload        ; both directions
//! length  = 4 bytes, unsigned, big-endian, at most the frame limit
//! request = the output bytes to check
//! answer  = {"verdict":"pass"} / {"verdict":"fail","findings":[{rule,detail,at},…]}  (JSON)
//! ```
//!
//! The child exits on end of input. The daemon side ([`Client`]) reads answers on a thread of
//! its own, so that a deadline holds whatever the child does; a child that dies, hangs past the
//! deadline, answers garbage or too much is killed and its message fails (the caller
//! quarantines it). A new child is started for the next message.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Finding, Verifier};
use crate::policy::Policy;

/// The largest answer frame: findings are few and short.
pub const MAX_ANSWER: usize = 1 << 20;

/// Frame overhead beyond the policy's message limit, for the request.
const REQUEST_SLACK: usize = 1 << 10;

/// The verifier's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub verdict: AnswerVerdict,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerVerdict {
    Pass,
    Fail,
}

/// Read one frame; `Ok(None)` at a clean end of input (before a length).
pub fn read_frame(r: &mut impl Read, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let Some(slot) = len.get_mut(got..) else { break };
        match r.read(slot)? {
            0 if got == 0 => return Ok(None),
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "a frame ends inside its length",
                ));
            }
            n => got += n,
        }
    }
    let n = u32::from_be_bytes(len) as usize;
    if n > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {n} bytes is over the limit of {max}"),
        ));
    }
    let mut buf = vec![0u8; n];
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

/// Write one frame.
pub fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let n = u32::try_from(bytes.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    w.write_all(&n.to_be_bytes())?;
    w.write_all(bytes)?;
    w.flush()
}

/// The child's loop: answer each frame on `input` with a verdict on `output`, until end of input.
pub fn serve(policy: &Policy, input: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    let verifier = Verifier::new(policy).map_err(io::Error::other)?;
    let max = policy.limits.max_input_bytes.saturating_add(REQUEST_SLACK);
    while let Some(frame) = read_frame(input, max)? {
        // (The daemon's start-up probe, `{}`, is never faulted, so that a channel can start.)
        #[cfg(debug_assertions)]
        if frame.len() > 2
            && let Some(garbage) = test_fault(&frame, output)?
        {
            write_frame(output, &garbage)?;
            continue;
        }
        let answer = match verifier.verify(&frame) {
            Ok(()) => Answer {
                verdict: AnswerVerdict::Pass,
                findings: Vec::new(),
            },
            Err(findings) => Answer {
                verdict: AnswerVerdict::Fail,
                findings,
            },
        };
        let bytes = serde_json::to_vec(&answer).map_err(io::Error::other)?;
        write_frame(output, &bytes)?;
    }
    Ok(())
}

/// Test-only fault injection, compiled into debug builds only (a release build has no such code
/// path): `SEKISHO_TEST_VERIFIER_FAULT=KIND[@MARKER]`, on every frame, or only on frames that
/// contain `MARKER`. Kinds: `kill` (abort), `hang`, `garbage` (an answer that is not JSON),
/// `half` (half a frame, then exit), `oom` (allocate until the memory limit stops it),
/// `probe-sandbox` (try to open a file and create a socket, and answer what happened).
#[cfg(debug_assertions)]
fn test_fault(frame: &[u8], output: &mut impl Write) -> io::Result<Option<Vec<u8>>> {
    let Ok(fault) = std::env::var("SEKISHO_TEST_VERIFIER_FAULT") else {
        return Ok(None);
    };
    let (kind, marker) = fault.split_once('@').unwrap_or((fault.as_str(), ""));
    if !marker.is_empty() && !frame.windows(marker.len()).any(|w| w == marker.as_bytes()) {
        return Ok(None);
    }
    match kind {
        "kill" => std::process::abort(),
        "hang" => loop {
            std::thread::sleep(Duration::from_secs(60));
        },
        "garbage" => Ok(Some(b"\x00\xffnot a verdict".to_vec())),
        "half" => {
            output.write_all(&[0, 0, 0, 50, b'{'])?;
            output.flush()?;
            std::process::exit(3)
        }
        "oom" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
            }
        }
        "probe-sandbox" => {
            let open = match std::fs::File::open("/etc/hostname") {
                Ok(_) => "allowed".to_string(),
                Err(e) => format!("denied ({e})"),
            };
            let socket = match std::net::UdpSocket::bind("127.0.0.1:0") {
                Ok(_) => "allowed".to_string(),
                Err(e) => format!("denied ({e})"),
            };
            let answer = Answer {
                verdict: AnswerVerdict::Fail,
                findings: vec![
                    Finding {
                        rule: "probe-open".into(),
                        detail: open,
                        at: "/etc/hostname".into(),
                    },
                    Finding {
                        rule: "probe-socket".into(),
                        detail: socket,
                        at: "udp".into(),
                    },
                ],
            };
            serde_json::to_vec(&answer).map(Some).map_err(io::Error::other)
        }
        _ => Ok(None),
    }
}

/// Limit this process's address space (set by the child on itself at start).
pub fn limit_memory(bytes: u64) -> io::Result<()> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    setrlimit(
        Resource::As,
        Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    )
    .map_err(io::Error::from)
}

// ---------------------------------------------------------------------------------------------
// The daemon's side
// ---------------------------------------------------------------------------------------------

/// How to start a verifier child.
#[derive(Debug, Clone)]
pub struct Spawn {
    /// The `sekisho` executable.
    pub program: PathBuf,
    pub policy: PathBuf,
    /// Address-space limit for the child, in bytes.
    pub memory: u64,
    /// The sandbox setting passed on to the child.
    pub sandbox: String,
}

/// Why the verifier gave no verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot start the verifier: {0}")]
    Spawn(String),
    #[error("the verifier died: {0}")]
    Died(String),
    #[error("the verifier gave no answer within {0:?}")]
    Timeout(Duration),
    #[error("the verifier answered something that is not a verdict: {0}")]
    Garbage(String),
}

/// A running verifier child.
pub struct Client {
    child: Child,
    /// The child's address-space limit, in bytes, to name when it dies of a signal.
    memory: u64,
    stdin: ChildStdin,
    answers: mpsc::Receiver<io::Result<Vec<u8>>>,
}

impl Client {
    pub fn start(spec: &Spawn) -> Result<Client, ClientError> {
        let mut child = Command::new(&spec.program)
            .arg("verify")
            .arg("--policy")
            .arg(&spec.policy)
            .arg("--memory-limit")
            .arg(spec.memory.to_string())
            .arg("--sandbox")
            .arg(&spec.sandbox)
            // Its log lines in the parent's format (`--log-format json` covers every process).
            .env(crate::logs::FORMAT_ENV, crate::logs::format().as_str())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| ClientError::Spawn(format!("{}: {e}", spec.program.display())))?;
        let (Some(stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ClientError::Spawn("no pipes to the child".into()));
        };
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("verifier-reader".into())
            .spawn(move || {
                loop {
                    let r = read_frame(&mut stdout, MAX_ANSWER);
                    let end = !matches!(r, Ok(Some(_)));
                    let msg = match r {
                        Ok(Some(f)) => Ok(f),
                        Ok(None) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "end of output")),
                        Err(e) => Err(e),
                    };
                    if tx.send(msg).is_err() || end {
                        return;
                    }
                }
            })
            .map_err(|e| ClientError::Spawn(e.to_string()))?;
        Ok(Client {
            child,
            memory: spec.memory,
            stdin,
            answers: rx,
        })
    }

    /// Send one output and wait for the verdict, at most `deadline`. On any error the child is
    /// killed: the client must not be used again.
    pub fn check(&mut self, output: &[u8], deadline: Duration) -> Result<Answer, ClientError> {
        let r = self.exchange(output, deadline);
        if r.is_err() {
            self.kill();
        }
        r
    }

    fn exchange(&mut self, output: &[u8], deadline: Duration) -> Result<Answer, ClientError> {
        write_frame(&mut self.stdin, output).map_err(|e| ClientError::Died(format!("writing: {e}")))?;
        let frame = match self.answers.recv_timeout(deadline) {
            Ok(Ok(f)) => f,
            Ok(Err(e)) if e.kind() == io::ErrorKind::InvalidData => return Err(ClientError::Garbage(e.to_string())),
            Ok(Err(e)) => return Err(ClientError::Died(self.exit_status(e.to_string()))),
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(ClientError::Timeout(deadline)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(ClientError::Died(self.exit_status("gone".into())));
            }
        };
        serde_json::from_slice::<Answer>(&frame).map_err(|e| ClientError::Garbage(e.to_string()))
    }

    fn exit_status(&mut self, what: String) -> String {
        // Give a dying child a moment to be reaped, so the status can be told.
        for _ in 0..20 {
            if let Ok(Some(s)) = self.child.try_wait() {
                // An allocation the address-space limit refuses aborts the child (SIGABRT): name
                // the limit, the one cap a message can make the verifier hit.
                use std::os::unix::process::ExitStatusExt;
                if s.signal().is_some() {
                    return format!(
                        "{what} ({s}); its memory limit is {} MiB (`verifier_memory_mib`), which this output may exceed",
                        self.memory >> 20
                    );
                }
                return format!("{what} ({s})");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        what
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Closing stdin ends a healthy child; a stuck one is killed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of the running executable, for starting verifier children.
pub fn this_program() -> io::Result<PathBuf> {
    std::env::current_exe()
}

/// Whether `p` looks like the `sekisho` binary (not a test harness).
pub fn is_sekisho(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == "sekisho")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"hello").unwrap();
        let mut r = &buf[..];
        assert_eq!(read_frame(&mut r, 10).unwrap().unwrap(), b"hello");
        assert!(read_frame(&mut r, 10).unwrap().is_none());
    }

    #[test]
    fn rejects_frames_over_the_limit() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &[0u8; 11]).unwrap();
        assert!(read_frame(&mut &buf[..], 10).is_err());
    }

    #[test]
    fn rejects_a_frame_cut_inside_its_length() {
        assert!(read_frame(&mut &[0u8, 0][..], 10).is_err());
    }
}
