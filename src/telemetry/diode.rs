//! The diode receiver's metrics (`sekisho receive --metrics-listen`): its counters, as the
//! receiving loop copies them (at most 100 ms old), in the Prometheus format.

use std::sync::{Arc, Mutex};

use super::{Exposition, Kind, Pages};
use crate::diode::receiver::ReassemblerStats;

/// The receiver's counters, shared with the receiving loop (`ReceiverConfig::counters`).
#[derive(Debug, Default, Clone)]
pub struct ReceiverBoard {
    pub counters: Arc<Mutex<ReassemblerStats>>,
}

impl Pages for ReceiverBoard {
    fn metrics(&self) -> String {
        let s = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        render(&s)
    }
}

/// The Prometheus text for a receiver's counters.
pub fn render(s: &ReassemblerStats) -> String {
    let mut e = Exposition::default();
    let one: [(&str, &str, u64); 8] = [
        (
            "sekisho_diode_datagrams_total",
            "Datagrams received (each ends accepted or in one dropped reason).",
            s.datagrams,
        ),
        (
            "sekisho_diode_datagrams_accepted_total",
            "Authentic datagrams taken into reassembly.",
            s.accepted,
        ),
        (
            "sekisho_diode_heartbeats_total",
            "Sender heartbeats received.",
            s.heartbeats,
        ),
        (
            "sekisho_diode_messages_received_total",
            "Messages rebuilt whole and checked (length and SHA-256).",
            s.delivered,
        ),
        (
            "sekisho_diode_received_bytes_total",
            "Bytes of the messages rebuilt whole.",
            s.delivered_bytes,
        ),
        (
            "sekisho_diode_blocks_repaired_total",
            "Blocks decoded only thanks to repair symbols (a source symbol was lost on the way).",
            s.repaired_blocks,
        ),
        (
            "sekisho_diode_datagrams_kernel_dropped_total",
            "Datagrams the kernel dropped before the receiver read them: its socket's receive buffer was full (SO_RXQ_OVFL). Losses they cause are named overrun.",
            s.kernel_dropped,
        ),
        (
            "sekisho_diode_messages_lost_total",
            "Messages reported lost (a range counts each message in it).",
            s.lost,
        ),
    ];
    for (name, help, v) in one {
        e.family(name, Kind::Counter, help);
        e.sample(name, &[], v);
    }
    e.family(
        "sekisho_diode_datagrams_dropped_total",
        Kind::Counter,
        "Datagrams dropped, by why.",
    );
    for (why, v) in [
        ("malformed", s.dropped_malformed),
        ("forged", s.dropped_forged),
        ("replayed", s.dropped_replayed),
        ("surplus", s.dropped_surplus),
        ("inconsistent", s.dropped_inconsistent),
    ] {
        e.sample("sekisho_diode_datagrams_dropped_total", &[("reason", why)], v);
    }
    e.finish()
}
