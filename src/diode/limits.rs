//! The receiver's bounds ([`ReassemblerConfig`]): a layer below the reassembler and the replay
//! state, which both read them.

use std::path::PathBuf;
use std::time::Duration;

use super::frame::FrameLimits;

/// Largest message, in bytes, that a sender sends and a receiver accepts unless told otherwise
/// (`--max-message-bytes` on both ends): 4 GiB. A receiver streams a large message to its spool
/// while it decodes it, so its memory does not grow with this.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 4 << 30;

/// Messages larger than this are decoded straight into a temporary file of the spool (when the
/// reassembler has one): 1 MiB.
pub const DEFAULT_SPILL_ABOVE: u64 = 1 << 20;

/// The receiver's bounds. Every field is a cap that a flood of authentic-looking or forged
/// datagrams runs into; `ReassemblerConfig::default()` is the safe setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReassemblerConfig {
    /// What the frame grammar accepts (datagram size, message size, block size).
    pub limits: FrameLimits,
    /// Messages being rebuilt at once. Interleaving senders need a few; a flood of first blocks
    /// must not grow the table, so past this the oldest is given up (reported lost).
    pub max_in_flight_messages: usize,
    /// Bytes held for messages being rebuilt (symbols, decoded blocks, bookkeeping). Past this the
    /// oldest messages are given up. Must hold at least one largest in-memory message
    /// (`spill_above`, or every message when there is no `spill` directory).
    pub max_in_flight_bytes: usize,
    /// Where messages larger than `spill_above` are decoded to, block by block, as temporary
    /// files (`.<session>-<seq>.partial`): the spool. `None`: every message is rebuilt in memory
    /// (and one larger than `max_in_flight_bytes` is lost, `memory-cap`).
    pub spill: Option<PathBuf>,
    /// Messages up to this many bytes are rebuilt in memory, larger ones in `spill`.
    pub spill_above: u64,
    /// Sender sessions remembered at once (a restart makes a new one).
    pub max_sessions: usize,
    /// Retired session ids remembered, so that their replays are refused.
    pub max_retired_sessions: usize,
    /// Finished sequence numbers remembered above the contiguous floor, to refuse replays.
    pub max_finished_window: usize,
    /// A message with no new datagram for this long is given up (a sender that died mid-message).
    pub idle_timeout: Duration,
}

impl Default for ReassemblerConfig {
    fn default() -> Self {
        ReassemblerConfig {
            limits: FrameLimits {
                max_datagram: 65_507,
                max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
                max_block_symbols: 8192,
            },
            max_in_flight_messages: 64,
            max_in_flight_bytes: 128 << 20,
            spill: None,
            spill_above: DEFAULT_SPILL_ABOVE,
            max_sessions: 4,
            max_retired_sessions: 1024,
            max_finished_window: 65_536,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

impl ReassemblerConfig {
    /// Tiny caps, to reach every limit path in tests and fuzzing.
    pub fn tiny() -> Self {
        ReassemblerConfig {
            limits: FrameLimits {
                max_datagram: 1472,
                max_message_bytes: 16 << 10,
                max_block_symbols: 64,
            },
            max_in_flight_messages: 4,
            max_in_flight_bytes: 64 << 10,
            spill: None,
            spill_above: DEFAULT_SPILL_ABOVE,
            max_sessions: 2,
            max_retired_sessions: 8,
            max_finished_window: 64,
            idle_timeout: Duration::from_secs(10),
        }
    }
}
