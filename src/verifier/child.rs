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
//! The child exits on end of input. The daemon side ([`Client`]) waits for each answer in `poll`,
//! for what is left of its deadline, so that a deadline holds whatever the child does once it has
//! read its request; a child that dies, hangs past the deadline, answers garbage or too much is
//! killed and its message fails (the caller quarantines it). A new child is started for the next
//! message.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

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
    let mut buf = Vec::new();
    Ok(read_frame_into(r, max, &mut buf)?.then_some(buf))
}

/// [`read_frame`] into `buf` (its room kept from one frame to the next); `Ok(false)` at a clean
/// end of input.
pub fn read_frame_into(r: &mut impl Read, max: usize, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let Some(slot) = len.get_mut(got..) else { break };
        match r.read(slot)? {
            0 if got == 0 => return Ok(false),
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
    buf.clear();
    buf.resize(n, 0);
    r.read_exact(buf)?;
    Ok(true)
}

/// Write one frame, with one write for length and payload (so that the reader is woken once,
/// with the whole frame, not once for the length and again for the rest).
pub fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let n = u32::try_from(bytes.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    let mut frame = Vec::with_capacity(bytes.len().saturating_add(4));
    frame.extend_from_slice(&n.to_be_bytes());
    frame.extend_from_slice(bytes);
    w.write_all(&frame)?;
    w.flush()
}

/// The child's loop: answer each frame on `input` with a verdict on `output`, until end of input.
pub fn serve(policy: &Policy, input: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    let verifier = Verifier::new(policy).map_err(io::Error::other)?;
    let max = policy.limits.max_input_bytes.saturating_add(REQUEST_SLACK);
    let mut frame = Vec::new();
    while read_frame_into(input, max, &mut frame)? {
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

/// A running verifier child. Its answers are read on the calling thread, each read waiting in
/// `poll` for at most what is left of the deadline (no reader thread to hand each answer over).
pub struct Client {
    child: Child,
    /// The child's address-space limit, in bytes, to name when it dies of a signal.
    memory: u64,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

/// Why an answer could not be read.
enum ReadFailure {
    Timeout,
    /// The child closed its output (`what` says where).
    End(&'static str),
    Io(io::Error),
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
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ClientError::Spawn("no pipes to the child".into()));
        };
        Ok(Client {
            child,
            memory: spec.memory,
            stdin,
            stdout,
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
        // A deadline past what the clock can count is no deadline.
        let until = Instant::now().checked_add(deadline);
        let mut len = [0u8; 4];
        let mut frame = Vec::new();
        let read = self.read_until(&mut len, until, "end of output").and_then(|()| {
            let n = u32::from_be_bytes(len) as usize;
            if n > MAX_ANSWER {
                return Err(ReadFailure::Io(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a frame of {n} bytes is over the limit of {MAX_ANSWER}"),
                )));
            }
            frame = vec![0u8; n];
            self.read_until(&mut frame, until, "an answer ends inside its frame")
        });
        match read {
            Ok(()) => {}
            Err(ReadFailure::Timeout) => return Err(ClientError::Timeout(deadline)),
            Err(ReadFailure::Io(e)) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(ClientError::Garbage(e.to_string()));
            }
            Err(ReadFailure::Io(e)) => return Err(ClientError::Died(self.exit_status(e.to_string()))),
            Err(ReadFailure::End(what)) => return Err(ClientError::Died(self.exit_status(what.into()))),
        }
        serde_json::from_slice::<Answer>(&frame).map_err(|e| ClientError::Garbage(e.to_string()))
    }

    /// Fill `buf` from the child's output by `until`.
    fn read_until(&mut self, buf: &mut [u8], until: Option<Instant>, end: &'static str) -> Result<(), ReadFailure> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let mut got = 0;
        while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
            let left = until.map(|u| u.saturating_duration_since(Instant::now()));
            if left.is_some_and(|l| l.is_zero()) {
                return Err(ReadFailure::Timeout);
            }
            let timeout = left.map(|l| Timespec {
                tv_sec: i64::try_from(l.as_secs()).unwrap_or(i64::MAX),
                tv_nsec: i64::from(l.subsec_nanos()),
            });
            let mut fds = [PollFd::new(&self.stdout, PollFlags::IN)];
            match poll(&mut fds, timeout.as_ref()) {
                // Time is checked again at the top.
                Ok(0) => continue,
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(ReadFailure::Io(e.into())),
            }
            // Readable (or closed): this read returns what is there without waiting.
            match self.stdout.read(rest) {
                Ok(0) => return Err(ReadFailure::End(end)),
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadFailure::Io(e)),
            }
        }
        Ok(())
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
