//! The daemon's side of the second verifier: a pool of `sekisho verify` children per route,
//! each used by one worker at a time, restarted when one dies, hangs or talks nonsense.

use std::sync::Mutex;
use std::time::Duration;

use super::lock;
use super::quarantine::{Finding, QuarantineReason};
use crate::guard::Verified;
use crate::verifier::child::{AnswerVerdict, Client, ClientError, Spawn};

/// An output the daemon may emit: the guard released and verified it, and then the route's
/// second verifier passed it, or the route has the verifier turned off in its configuration.
/// Only [`Second::clear`] makes one, and an output only takes this.
#[derive(Debug)]
pub struct Cleared(Verified);

impl Cleared {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A route's second verifier: its children, or turned off (`verifier = false`).
pub enum Second {
    On(Pool),
    Off,
}

impl Second {
    /// Clear `output` for emission, or the quarantine reason and both opinions.
    pub fn clear(&self, output: Verified) -> Result<Cleared, (QuarantineReason, Vec<Finding>)> {
        match self {
            Second::Off => Ok(Cleared(output)),
            Second::On(pool) => match disagreement(pool.check(output.as_bytes()), output.as_bytes()) {
                None => Ok(Cleared(output)),
                Some(refused) => Err(refused),
            },
        }
    }
}

/// Verifier children for one route.
pub struct Pool {
    spawn: Spawn,
    deadline: Duration,
    idle: Mutex<Vec<Client>>,
}

/// What the second verifier said about an output the guard released.
#[derive(Debug)]
pub enum Opinion {
    Pass,
    /// It disagrees: its findings.
    Fail(Vec<crate::verifier::Finding>),
    /// It gave no verdict (crashed, hung, garbage, could not start).
    NoVerdict(ClientError),
}

impl Pool {
    /// A pool, with one child started now, so that a verifier that cannot run (a missing
    /// program, a sandbox the kernel cannot give) stops the channel at start.
    pub fn start(spawn: Spawn, deadline: Duration) -> Result<Pool, ClientError> {
        let mut first = Client::start(&spawn)?;
        // A probe: a child that refuses to run (say, `sandbox = "required"` on a kernel without
        // Landlock) exits instead of answering.
        first.check(b"{}", deadline)?;
        Ok(Pool {
            spawn,
            deadline,
            idle: Mutex::new(vec![first]),
        })
    }

    /// Ask a verifier about `output`.
    pub fn check(&self, output: &[u8]) -> Opinion {
        let client = lock(&self.idle).pop();
        let mut client = match client {
            Some(c) => c,
            None => match Client::start(&self.spawn) {
                Ok(c) => c,
                Err(e) => return Opinion::NoVerdict(e),
            },
        };
        match client.check(output, self.deadline) {
            Ok(a) => {
                lock(&self.idle).push(client);
                match a.verdict {
                    AnswerVerdict::Pass if a.findings.is_empty() => Opinion::Pass,
                    AnswerVerdict::Pass => Opinion::NoVerdict(ClientError::Garbage("a pass with findings".into())),
                    AnswerVerdict::Fail if a.findings.is_empty() => Opinion::Fail(vec![crate::verifier::Finding {
                        rule: "unspecified".into(),
                        detail: "the verifier failed the output without saying why".into(),
                        at: "output".into(),
                    }]),
                    AnswerVerdict::Fail => Opinion::Fail(a.findings),
                }
            }
            // The client killed its child; dropping it reaps it. The next message starts another.
            Err(e) => Opinion::NoVerdict(e),
        }
    }
}

/// The quarantine reason and both opinions, when the verifier does not pass a released output.
fn disagreement(opinion: Opinion, output: &[u8]) -> Option<(QuarantineReason, Vec<Finding>)> {
    use sha2::Digest;
    let guard = Finding {
        rule: "guard".into(),
        detail: format!(
            "the guard released this message ({} bytes of output, sha-256 {})",
            output.len(),
            hex::encode(sha2::Sha256::digest(output))
        ),
        at: "output".into(),
    };
    match opinion {
        Opinion::Pass => None,
        Opinion::Fail(findings) => {
            let mut out = vec![guard];
            out.extend(findings.into_iter().map(|f| Finding {
                rule: format!("verifier:{}", f.rule),
                detail: f.detail,
                at: f.at,
            }));
            Some((QuarantineReason::VerifierDisagrees, out))
        }
        Opinion::NoVerdict(e) => Some((
            QuarantineReason::VerifierFailed,
            vec![
                guard,
                Finding {
                    rule: "verifier-failed".into(),
                    detail: e.to_string(),
                    at: "verifier".into(),
                },
            ],
        )),
    }
}
