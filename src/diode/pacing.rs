//! A token bucket (docs/diode-protocol.md §8): the sender never puts more than `rate` bytes per
//! second on the wire, with bursts of at most `burst` bytes, so it cannot outrun the diode or the
//! receiver. Nothing comes back over a diode to slow the sender down, so this is the only brake,
//! and it is on by default ([`Rate::Auto`]).

use std::net::{IpAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The rate a sender paces to when the link's speed is unknown (loopback, a virtual NIC that
/// reports none): 4 Gbit/s of datagrams, 500 MB/s. A receiver's 256 MiB buffer holds about 1 s
/// of it when the kernel joins datagrams on receipt, 0.65 s when it does not
/// (docs/diode-protocol.md §8).
pub const DEFAULT_RATE: u64 = 500_000_000;

/// How a sender paces its datagrams (`--rate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rate {
    /// The speed of the link the datagrams leave by, as the kernel reports it for the interface
    /// holding the socket's address (`/sys/class/net/IF/speed`), less Ethernet, IP and UDP
    /// framing; [`DEFAULT_RATE`] where none is reported (loopback, most virtual NICs).
    #[default]
    Auto,
    /// At most this many bytes per second on the wire (whole datagrams counted).
    Fixed(u64),
    /// As fast as the socket takes datagrams: overruns a receiver that falls behind for a moment
    /// (its kernel drops what its buffer cannot hold; the loss ledger says `overrun`).
    Unpaced,
}

impl std::str::FromStr for Rate {
    type Err = String;

    /// `auto`, `unpaced`, or bytes per second (a positive integer, optionally with a `k`, `M`
    /// or `G` suffix: powers of 1000).
    fn from_str(s: &str) -> Result<Rate, String> {
        match s {
            "auto" => return Ok(Rate::Auto),
            "unpaced" => return Ok(Rate::Unpaced),
            _ => {}
        }
        let (digits, unit) = match s.char_indices().last() {
            Some((i, 'k')) => (s.get(..i).unwrap_or_default(), 1_000),
            Some((i, 'M')) => (s.get(..i).unwrap_or_default(), 1_000_000),
            Some((i, 'G')) => (s.get(..i).unwrap_or_default(), 1_000_000_000),
            _ => (s, 1),
        };
        let n: u64 = digits.parse().map_err(|_| {
            format!("rate `{s}` is not `auto`, `unpaced` or bytes per second (such as 125000000 or 125M)")
        })?;
        match n.checked_mul(unit) {
            Some(0) => Err(format!(
                "rate `{s}` is zero: nothing would be sent (`unpaced` sends as fast as the socket takes)"
            )),
            Some(r) => Ok(Rate::Fixed(r)),
            None => Err(format!("rate `{s}` is too large")),
        }
    }
}

/// What a sender paces to, and why: the log and `sekisho send`'s summary say it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pacing {
    /// Bytes per second on the wire; `None`: unpaced.
    pub rate: Option<u64>,
    /// `--rate`, `link <interface> <speed> Mb/s`, `default (loopback)`, `default (no speed
    /// reported for <interface>)`, `default (…)`, or `unpaced`.
    pub source: String,
}

/// Resolve `rate` for `socket` (connected to the receiver) sending datagrams of up to `mtu`
/// bytes.
pub fn resolve(rate: Rate, socket: &UdpSocket, mtu: usize) -> Pacing {
    match rate {
        Rate::Fixed(r) => Pacing {
            rate: Some(r),
            source: "--rate".into(),
        },
        Rate::Unpaced => Pacing {
            rate: None,
            source: "unpaced".into(),
        },
        Rate::Auto => match link(socket) {
            Ok((name, mbps)) => Pacing {
                rate: Some(link_payload_rate(mbps, mtu)),
                source: format!("link {name} {mbps} Mb/s"),
            },
            Err(why) => Pacing {
                rate: Some(DEFAULT_RATE),
                source: format!("default ({why})"),
            },
        },
    }
}

/// Bytes per second of datagrams of `mtu` bytes a link of `mbps` Mb/s carries: each datagram
/// costs 28 bytes of IP and UDP headers and 38 of Ethernet framing (header, check sequence,
/// preamble, gap) more on the wire.
pub fn link_payload_rate(mbps: u64, mtu: usize) -> u64 {
    let mtu = mtu.max(1) as u128;
    let bits = u128::from(mbps) * 1_000_000 / 8 * mtu / (mtu + 66);
    u64::try_from(bits).unwrap_or(u64::MAX).max(1)
}

/// The interface holding `socket`'s local address and its speed in Mb/s, or why there is none.
fn link(socket: &UdpSocket) -> Result<(String, u64), String> {
    let local = socket.local_addr().map_err(|e| format!("no local address: {e}"))?.ip();
    if local.is_loopback() {
        return Err("loopback".into());
    }
    let addrs = nix::ifaddrs::getifaddrs().map_err(|e| format!("cannot list interfaces: {e}"))?;
    let name = addrs
        .filter(|a| {
            a.address.as_ref().and_then(|s| {
                s.as_sockaddr_in()
                    .map(|v4| IpAddr::V4(v4.ip()))
                    .or_else(|| s.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip())))
            }) == Some(local)
        })
        .map(|a| a.interface_name)
        .next()
        .ok_or_else(|| format!("no interface holds {local}"))?;
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(format!("interface name `{name}` is not a name"));
    }
    let text = std::fs::read_to_string(format!("/sys/class/net/{name}/speed"))
        .map_err(|_| format!("no speed reported for {name}"))?;
    match text.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok((name, n.unsigned_abs())),
        _ => Err(format!("no speed reported for {name}")),
    }
}

/// Bytes per second, refilled continuously, spent before each datagram.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket that starts full. `rate` is in bytes per second (at least 1); `burst` in bytes.
    pub fn new(rate: u64, burst: u64) -> TokenBucket {
        let rate = rate.max(1) as f64;
        let burst = burst.max(1) as f64;
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// How long to wait, from `now`, before `bytes` may be sent; spends them if the answer is zero.
    pub fn delay_for(&mut self, bytes: usize, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        let need = bytes as f64;
        if self.tokens >= need {
            self.tokens -= need;
            Duration::ZERO
        } else {
            Duration::from_secs_f64((need - self.tokens) / self.rate)
        }
    }

    /// Block until `bytes` may be sent, then spend them.
    pub fn take(&mut self, bytes: usize) {
        loop {
            let wait = self.delay_for(bytes, Instant::now());
            if wait.is_zero() {
                return;
            }
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_zero_is_refused() {
        assert_eq!("auto".parse::<Rate>(), Ok(Rate::Auto));
        assert_eq!("unpaced".parse::<Rate>(), Ok(Rate::Unpaced));
        assert_eq!("125000000".parse::<Rate>(), Ok(Rate::Fixed(125_000_000)));
        assert_eq!("125M".parse::<Rate>(), Ok(Rate::Fixed(125_000_000)));
        assert_eq!("2G".parse::<Rate>(), Ok(Rate::Fixed(2_000_000_000)));
        assert_eq!("64k".parse::<Rate>(), Ok(Rate::Fixed(64_000)));
        for bad in [
            "0",
            "0M",
            "",
            "M",
            "-1",
            "1.5G",
            "fast",
            "99999999999999999999",
            "18446744073709552G",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_gigabit_link_carries_about_95_percent_of_its_bits_as_datagrams() {
        let r = link_payload_rate(1000, 1472);
        assert_eq!(r, 125_000_000 * 1472 / 1538);
        assert!((119_000_000..120_000_000).contains(&r), "{r}");
    }

    #[test]
    fn auto_on_loopback_is_the_default_rate_and_fixed_and_unpaced_are_as_given() {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.connect("127.0.0.1:9").unwrap();
        let p = resolve(Rate::Auto, &s, 1472);
        assert_eq!(p.rate, Some(DEFAULT_RATE));
        assert_eq!(p.source, "default (loopback)");
        assert_eq!(resolve(Rate::Fixed(5), &s, 1472).rate, Some(5));
        assert_eq!(resolve(Rate::Unpaced, &s, 1472).rate, None);
    }

    #[test]
    fn spends_burst_then_asks_to_wait_at_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(1000, 1500);
        b.last = t0;
        assert_eq!(b.delay_for(1500, t0), Duration::ZERO);
        let wait = b.delay_for(500, t0);
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6, "{wait:?}");
        assert_eq!(b.delay_for(500, t0 + Duration::from_millis(500)), Duration::ZERO);
    }

    #[test]
    fn holds_average_rate_over_many_datagrams() {
        let mut b = TokenBucket::new(2_000_000, 10_000);
        let start = Instant::now();
        for _ in 0..100 {
            b.take(1000);
        }
        // 100 kB at 2 MB/s with a 10 kB head start: about 45 ms.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(40), "{took:?}");
    }
}
