//! What a run did: messages and bytes per verdict, dropped units, redactions, time, throughput,
//! and the latency of each lane.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Counts for one verdict (`released`, or `quarantined: <reason>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: u64,
    pub bytes: u64,
}

/// Latencies of one lane, from claim to the audit record being durable.
#[derive(Debug, Clone, Default)]
pub struct Latency {
    samples: Vec<Duration>,
}

impl Latency {
    pub fn add(&mut self, d: Duration) {
        // Bounded: keep a uniform-enough sample of long runs.
        if self.samples.len() < 100_000 {
            self.samples.push(d);
        }
    }
    pub fn count(&self) -> usize {
        self.samples.len()
    }
    /// The `p`-th percentile (0..=100).
    pub fn percentile(&self, p: usize) -> Option<Duration> {
        let mut s = self.samples.clone();
        s.sort();
        let i = (s.len().saturating_sub(1) * p.min(100)) / 100;
        s.get(i).copied()
    }
}

/// One channel's run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub channel: String,
    /// Inputs completed (taken out of the inbox).
    pub inputs: u64,
    /// Audit records written, by verdict.
    pub verdicts: BTreeMap<String, Tally>,
    pub dropped: u64,
    pub removed: u64,
    pub redactions: u64,
    /// Inputs found claimed at start (recovered from a crash).
    pub recovered: u64,
    pub elapsed: Duration,
    pub urgent: Latency,
    pub routine: Latency,
    /// The audit chain's head at the end.
    pub audit_head: String,
}

impl Summary {
    pub fn count(&mut self, verdict: &str, bytes: u64) {
        let t = self.verdicts.entry(verdict.to_string()).or_default();
        t.messages += 1;
        t.bytes += bytes;
    }
    pub fn released(&self) -> u64 {
        self.verdicts.get("released").map_or(0, |t| t.messages)
    }
    pub fn quarantined(&self) -> u64 {
        self.verdicts
            .iter()
            .filter(|(k, _)| k.starts_with("quarantined"))
            .map(|(_, t)| t.messages)
            .sum()
    }
    fn bytes(&self) -> u64 {
        self.verdicts.values().map(|t| t.bytes).sum()
    }
    /// Inputs per second over the elapsed time.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.inputs as f64 / s } else { 0.0 }
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1} ms", d.as_secs_f64() * 1e3))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "channel {}: {} messages", self.channel, self.inputs)?;
        for (verdict, t) in &self.verdicts {
            writeln!(f, "  {verdict:<36} {:>7} messages {:>12} bytes", t.messages, t.bytes)?;
        }
        writeln!(
            f,
            "  objects dropped {}, properties removed {}, texts redacted {}",
            self.dropped, self.removed, self.redactions
        )?;
        if self.recovered > 0 {
            writeln!(f, "  recovered after a crash: {}", self.recovered)?;
        }
        let secs = self.elapsed.as_secs_f64();
        let mb = self.bytes() as f64 / 1e6;
        writeln!(
            f,
            "  elapsed {secs:.3} s, {:.0} messages/s, {:.2} MB/s",
            self.rate(),
            if secs > 0.0 { mb / secs } else { 0.0 }
        )?;
        for (lane, l) in [("urgent", &self.urgent), ("routine", &self.routine)] {
            if l.count() > 0 {
                writeln!(
                    f,
                    "  {lane} latency: p50 {}, p99 {}, max {} ({} messages)",
                    ms(l.percentile(50)),
                    ms(l.percentile(99)),
                    ms(l.percentile(100)),
                    l.count()
                )?;
            }
        }
        write!(f, "  audit head {}", self.audit_head)
    }
}
