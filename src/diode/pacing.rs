//! A token bucket (docs/diode-protocol.md §8): the sender never puts more than `rate` bytes per
//! second on the wire, with bursts of at most `burst` bytes, so it cannot outrun the diode or the
//! receiver. Nothing comes back over a diode to slow the sender down, so this is the only brake.

use std::time::{Duration, Instant};

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
