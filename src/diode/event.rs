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

#[derive(Clone, PartialEq, Eq)]
pub struct Delivered {
    pub session: u64,
    pub sequence: u64,
    pub sha256: [u8; 32],
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivered")
            .field("session", &format_args!("{:016x}", self.session))
            .field("sequence", &self.sequence)
            .field("bytes", &self.data.len())
            .finish()
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
#[serde(rename_all = "snake_case")]
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
}

impl LostReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Incomplete => "incomplete",
            LostReason::Missing => "missing",
            LostReason::TimedOut => "timed_out",
            LostReason::MemoryCap => "memory_cap",
            LostReason::TooLarge => "too_large",
            LostReason::DigestMismatch => "digest_mismatch",
            LostReason::DecodeFailed => "decode_failed",
            LostReason::SessionEvicted => "session_evicted",
            LostReason::Window => "window",
            LostReason::ReceiverStopped => "receiver_stopped",
            LostReason::WriteFailed => "write_failed",
        }
    }
}

