//! What became of a message: the receiver's vocabulary, shared by the reassembler, the spool
//! writer and the replay state (the lowest layer of the receiving side: it imports none of them).

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Rebuilt completely; its length and SHA-256 match the trailer.
    Delivered(Delivered),
    /// One message, or a run of consecutive ones, that will never be delivered.
    Lost(Lost),
}

/// A message rebuilt and verified. Small ones are in memory (`data`); one streamed to disk while
/// it was decoded (larger than the reassembler's `spill_above`) is in `file`, and `data` is empty.
#[derive(Clone, PartialEq, Eq)]
pub struct Delivered {
    pub session: u64,
    pub sequence: u64,
    pub sha256: [u8; 32],
    pub data: Vec<u8>,
    pub file: Option<Spilled>,
}

/// A message decoded into a temporary file of the spool, its SHA-256 checked: the writer renames
/// it into place (or removes it: a duplicate, a failed state write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spilled {
    /// The temporary file (a dot name ending in `.partial`, in the spool directory).
    pub path: std::path::PathBuf,
    /// Bytes of the message.
    pub len: u64,
    /// Its spool name (as [`spool_name`] would give for its bytes).
    pub name: String,
}

impl Delivered {
    /// Bytes of the message.
    pub fn len(&self) -> u64 {
        self.file.as_ref().map_or(self.data.len() as u64, |f| f.len)
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its name in the spool.
    pub fn spool_name(&self) -> String {
        match &self.file {
            Some(f) => f.name.clone(),
            None => spool_name(&self.sha256, &self.data),
        }
    }
}

impl std::fmt::Debug for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivered")
            .field("session", &format_args!("{:016x}", self.session))
            .field("sequence", &self.sequence)
            .field("bytes", &self.len())
            .field("spilled", &self.file.is_some())
            .finish()
    }
}

/// The spool name of a message: its SHA-256 in hex, with `.json` or `.xml` when it is one (as
/// the guard names its outputs, so that both sides' audit records name the same file).
pub fn spool_name(sha256: &[u8; 32], data: &[u8]) -> String {
    let mut sniff = NameSniff::default();
    sniff.feed(data);
    sniff.name(sha256)
}

/// [`spool_name`] for a message seen a chunk at a time, in order (a streamed message): its first
/// and last bytes that are not ASCII white space, and whether it is UTF-8 so far.
#[derive(Debug, Clone, Default)]
pub struct NameSniff {
    first: Option<u8>,
    last: Option<u8>,
    not_utf8: bool,
    /// The start of a UTF-8 sequence cut by the end of the previous chunk (at most 3 bytes).
    carry: Vec<u8>,
}

impl NameSniff {
    /// The next chunk of the message.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        if self.first.is_none()
            && let Some(&b) = chunk.iter().find(|b| !b.is_ascii_whitespace())
        {
            self.first = Some(b);
        }
        if let Some(&b) = chunk.iter().rev().find(|b| !b.is_ascii_whitespace()) {
            self.last = Some(b);
        }
        if self.not_utf8 {
            return;
        }
        while !self.carry.is_empty() {
            let Some((&b, rest)) = chunk.split_first() else { return };
            chunk = rest;
            self.carry.push(b);
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_some() || self.carry.len() >= 4 => {
                    self.not_utf8 = true;
                    return;
                }
                Err(_) => {}
            }
        }
        if let Err(e) = std::str::from_utf8(chunk) {
            if e.error_len().is_some() {
                self.not_utf8 = true;
            } else {
                self.carry = chunk.get(e.valid_up_to()..).unwrap_or_default().to_vec();
            }
        }
    }

    /// The spool name, once every chunk was fed.
    pub fn name(&self, sha256: &[u8; 32]) -> String {
        let hex = hex::encode(sha256);
        let utf8 = !self.not_utf8 && self.carry.is_empty();
        match (self.first, self.last) {
            (Some(b'{'), Some(b'}')) if utf8 => format!("{hex}.json"),
            (Some(b'<'), Some(b'>')) if utf8 => format!("{hex}.xml"),
            _ => hex,
        }
    }
}

/// Messages `first..=last` of `session` are lost, for `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    pub session: u64,
    pub first: u64,
    pub last: u64,
    pub reason: LostReason,
}

/// Why a message was not delivered: a closed list, each one goes to the audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LostReason {
    /// Some datagrams arrived, too few to rebuild it, and the sender has since moved on.
    Incomplete,
    /// A heartbeat says it was sent; not one of its datagrams arrived.
    Missing,
    /// No datagram for it within the idle timeout.
    TimedOut,
    /// Given up to keep within the in-flight message or byte cap.
    MemoryCap,
    /// Larger than the receiver accepts.
    TooLarge,
    /// Rebuilt, but its length or SHA-256 does not match its trailer.
    DigestMismatch,
    /// The decoder failed on it.
    DecodeFailed,
    /// Its session was evicted to make room for a newer one.
    SessionEvicted,
    /// Beyond the window of remembered sequence numbers.
    Window,
    /// The receiver stopped before it was complete.
    ReceiverStopped,
    /// Rebuilt, but writing it to the spool failed.
    WriteFailed,
    /// Some of its datagrams arrived but failed authentication (a wrong key, corruption on the
    /// link, forgery), and too few authentic ones did.
    Authentication,
    /// Its datagrams are authentic but belong to a session the receiver refuses: retired, or
    /// started before the newest session it knows (a replayed capture, or a sender whose clock
    /// went back).
    Replayed,
    /// Would be `incomplete`, `missing` or `timed-out`, and the receiver's kernel dropped
    /// datagrams while it was in flight because the socket's receive buffer was full
    /// (`SO_RXQ_OVFL`): the receiver did not keep up with the sender. Pace the sender (`--rate`)
    /// or give the receiver a larger buffer or more CPU.
    Overrun,
}

impl LostReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Incomplete => "incomplete",
            LostReason::Missing => "missing",
            LostReason::TimedOut => "timed-out",
            LostReason::MemoryCap => "memory-cap",
            LostReason::TooLarge => "too-large",
            LostReason::DigestMismatch => "digest-mismatch",
            LostReason::DecodeFailed => "decode-failed",
            LostReason::SessionEvicted => "session-evicted",
            LostReason::Window => "window",
            LostReason::ReceiverStopped => "receiver-stopped",
            LostReason::WriteFailed => "write-failed",
            LostReason::Authentication => "authentication",
            LostReason::Replayed => "replayed",
            LostReason::Overrun => "overrun",
        }
    }
}

/// Messages lost, by reason: the totals of the loss ledger (each message of a lost range counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LostTotals {
    pub incomplete: u64,
    pub missing: u64,
    pub timed_out: u64,
    pub memory_cap: u64,
    pub too_large: u64,
    pub authentication: u64,
    pub replayed: u64,
    pub digest_mismatch: u64,
    pub decode_failed: u64,
    pub session_evicted: u64,
    pub window: u64,
    pub receiver_stopped: u64,
    pub write_failed: u64,
    #[serde(default)]
    pub overrun: u64,
}

impl LostTotals {
    /// Count `n` messages lost for `reason`.
    pub fn add(&mut self, reason: LostReason, n: u64) {
        let c = match reason {
            LostReason::Incomplete => &mut self.incomplete,
            LostReason::Missing => &mut self.missing,
            LostReason::TimedOut => &mut self.timed_out,
            LostReason::MemoryCap => &mut self.memory_cap,
            LostReason::TooLarge => &mut self.too_large,
            LostReason::Authentication => &mut self.authentication,
            LostReason::Replayed => &mut self.replayed,
            LostReason::DigestMismatch => &mut self.digest_mismatch,
            LostReason::DecodeFailed => &mut self.decode_failed,
            LostReason::SessionEvicted => &mut self.session_evicted,
            LostReason::Window => &mut self.window,
            LostReason::ReceiverStopped => &mut self.receiver_stopped,
            LostReason::WriteFailed => &mut self.write_failed,
            LostReason::Overrun => &mut self.overrun,
        };
        *c = c.saturating_add(n);
    }

    /// Every message counted.
    pub fn total(&self) -> u64 {
        [
            self.incomplete,
            self.missing,
            self.timed_out,
            self.memory_cap,
            self.too_large,
            self.authentication,
            self.replayed,
            self.digest_mismatch,
            self.decode_failed,
            self.session_evicted,
            self.window,
            self.receiver_stopped,
            self.write_failed,
            self.overrun,
        ]
        .iter()
        .fold(0u64, |a, b| a.saturating_add(*b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_sniff_in_chunks_agrees_with_whole_message() {
        let samples: [&[u8]; 7] = [
            b"  {\"a\": \"\xc3\xa9\"}\n",
            b"<x>\xe2\x82\xac</x>",
            b"{\xff}",
            b"{\xe2\x82}",
            b"plain",
            b"",
            b" \t\n",
        ];
        for m in samples {
            let sha = [7u8; 32];
            for cut in 0..=m.len() {
                let mut s = NameSniff::default();
                s.feed(&m[..cut]);
                s.feed(&m[cut..]);
                let whole = {
                    let trimmed = m.trim_ascii();
                    let utf8 = std::str::from_utf8(m).is_ok();
                    let hex = hex::encode(sha);
                    if utf8 && trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}') {
                        format!("{hex}.json")
                    } else if utf8 && trimmed.first() == Some(&b'<') && trimmed.last() == Some(&b'>') {
                        format!("{hex}.xml")
                    } else {
                        hex
                    }
                };
                assert_eq!(s.name(&sha), whole, "{m:?} cut at {cut}");
            }
        }
    }
}
