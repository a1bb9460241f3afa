//! The receiving side: authenticate, reassemble, verify, and write each message atomically, or
//! say exactly which messages were lost and why.
//!
//! Three layers, each importing only the ones below it:
//!
//! - [`reassembler`]: the socket-free core, datagram bytes in, [`Event`]s out, every byte it
//!   keeps counted against [`ReassemblerConfig`]'s caps;
//! - [`spool`]: the writer thread, which spools messages, keeps the replay state and appends the
//!   audit file;
//! - [`socket`]: [`run_receiver`], the reassembler behind a UDP socket that can only be read,
//!   feeding the writer.
//!
//! Below all three: [`crate::diode::event`] (what became of a message),
//! [`crate::diode::limits`] (the caps) and [`crate::diode::state`] (the replay state).

pub mod reassembler;
pub mod socket;
pub mod spool;

pub use super::event::{Delivered, Event, Lost, LostReason, LostTotals, NameSniff, Spilled};
pub use super::limits::ReassemblerConfig;
pub use reassembler::{Gate, Reassembler, ReassemblerStats, Received};
pub use socket::{ReceiverConfig, ReceiverStats, RecvBuffer, run_receiver, run_receiver_with, set_recv_buffer};
pub use spool::spool_name;
