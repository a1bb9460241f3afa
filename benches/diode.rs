//! Diode throughput over loopback UDP (issue 6): 1 KB, 64 KB and 8 MB messages, 10 % overhead,
//! HMAC on, sender and receiver in two threads of this process.
//!
//! `cargo bench --bench diode -- --warm-up-time 1 --measurement-time 3`
//!
//! After criterion's groups, a second pass sends a fixed volume per size and prints the CPU
//! seconds per GB of message data used by the sending and the receiving thread (from
//! `/proc/thread-self/schedstat`, read once per thread so the measurement costs nothing), the
//! offered and the delivered rate (lost messages count only in the first), and the losses.
//! `DIODE_RATE=<bytes/s>` paces the sender; `DIODE_MTU` sets the datagram size.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sekisho::diode::{Event, Key, Reassembler, ReassemblerConfig, Sender, SenderConfig};

/// Size, name, and whether the messages are sent packed (§5.4: how small messages go).
const SIZES: [(usize, &str, bool); 5] = [
    (1024, "1KB", false),
    (1024, "1KB-packed", true),
    (64 * 1024, "64KB", false),
    (64 * 1024, "64KB-packed", true),
    (8 * 1024 * 1024, "8MB", false),
];

fn mtu() -> usize {
    std::env::var("DIODE_MTU")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1472)
}

/// This thread's CPU time so far (Linux: nanoseconds on CPU, first field of schedstat).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// A receiving thread on loopback counting finished messages, and a sender aimed at it.
struct Link {
    sender: Sender,
    finished: Arc<AtomicU64>,
    lost: Arc<AtomicU64>,
    delivered_bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Duration>>,
}

impl Link {
    fn new() -> Link {
        let key = Key::from_bytes(&[0x42; 32]).unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        // As the receiver does: forced when privileged, else capped by net.core.rmem_max.
        sekisho::diode::set_recv_buffer(&socket, 64 << 20);
        socket.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let addr = socket.local_addr().unwrap();
        let (finished, lost, delivered_bytes) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (finished, lost, delivered_bytes, stop, key) = (
                finished.clone(),
                lost.clone(),
                delivered_bytes.clone(),
                stop.clone(),
                key.clone(),
            );
            std::thread::spawn(move || {
                let mut rx = Reassembler::new(ReassemblerConfig::default(), &key);
                let mut buf = vec![0u8; 65_536];
                let mut events = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match socket.recv(&mut buf) {
                        Ok(n) => rx.push(&buf[..n], Instant::now(), &mut events),
                        Err(_) => rx.tick(Instant::now(), &mut events),
                    }
                    for e in events.drain(..) {
                        match e {
                            Event::Delivered(d) => {
                                delivered_bytes.fetch_add(d.data.len() as u64, Ordering::Relaxed);
                                finished.fetch_add(1, Ordering::Relaxed)
                            }
                            Event::Lost(l) => {
                                lost.fetch_add(l.last - l.first + 1, Ordering::Relaxed);
                                finished.fetch_add(l.last - l.first + 1, Ordering::Relaxed)
                            }
                        };
                    }
                }
                thread_cpu()
            })
        };
        let mut cfg = SenderConfig::new(addr, key);
        cfg.overhead_percent = 10;
        cfg.mtu = mtu();
        // Unpaced unless DIODE_RATE says otherwise: the bench measures what the two ends sustain.
        cfg.rate = std::env::var("DIODE_RATE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(sekisho::diode::Rate::Unpaced);
        let sender = Sender::new(cfg).unwrap();
        Link {
            sender,
            finished,
            lost,
            delivered_bytes,
            stop,
            thread: Some(thread),
        }
    }

    /// Send `n` copies of `msg` and wait until the receiver has finished them all. `packed`:
    /// as the guard and `sekisho send` send small messages, in batches that share blocks
    /// (protocol §5.4), 256 messages per `send_batch` call.
    fn run(&mut self, msg: &[u8], n: u64, packed: bool) -> Duration {
        let target = self.finished.load(Ordering::Relaxed) + n;
        let start = Instant::now();
        if packed {
            let batch: Vec<&[u8]> = vec![msg; 256];
            let mut left = n as usize;
            while left > 0 {
                let k = left.min(batch.len());
                self.sender.send_batch(&batch[..k]).unwrap();
                left -= k;
            }
        } else {
            for _ in 0..n {
                self.sender.send_message(msg).unwrap();
            }
        }
        let mut last_hb = Instant::now();
        self.sender.heartbeat().unwrap();
        while self.finished.load(Ordering::Relaxed) < target {
            std::thread::sleep(Duration::from_micros(200));
            if last_hb.elapsed() > Duration::from_millis(50) {
                self.sender.heartbeat().unwrap();
                last_hb = Instant::now();
            }
        }
        start.elapsed()
    }
}

impl Link {
    /// Stop the receiving thread; its CPU time over its whole life.
    fn stop(&mut self) -> Duration {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map_or(Duration::ZERO, |t| t.join().unwrap_or_default())
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop();
    }
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("diode_loopback_mtu{}", mtu()));
    group.sample_size(10);
    for (size, name, packed) in SIZES {
        let msg: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let mut link = Link::new();
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::new("send_receive", name), |b| {
            b.iter_custom(|iters| link.run(&msg, iters, packed))
        });
        let lost = link.lost.load(Ordering::Relaxed);
        if lost > 0 {
            eprintln!("{name}: {lost} messages lost during measurement");
        }
    }
    group.finish();
}

fn cpu_per_gb(_: &mut Criterion) {
    for (size, name, packed) in SIZES {
        let msg: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let n = ((512u64 << 20) / size as u64).max(1);
        let mut link = Link::new();
        let tx_before = thread_cpu();
        let elapsed = link.run(&msg, n, packed);
        let tx = thread_cpu().saturating_sub(tx_before).as_secs_f64();
        // The receiving thread's whole life: it idles on 20 ms timeouts outside the run.
        let rx = link.stop().as_secs_f64();
        let gb = (n * size as u64) as f64 / 1e9;
        let delivered = link.delivered_bytes.load(Ordering::Relaxed) as f64 / 1e9;
        let lost = link.lost.load(Ordering::Relaxed);
        println!(
            "cpu {name:>11} mtu {}: {n} msgs ({:.0} msg/s), offered {:.0} Mbit/s, delivered {:.0} Mbit/s, sender {:.2} CPU s/GB, \
             receiver {:.2} CPU s/GB, lost {lost}",
            mtu(),
            n as f64 / elapsed.as_secs_f64(),
            gb * 8e3 / elapsed.as_secs_f64(),
            delivered * 8e3 / elapsed.as_secs_f64(),
            tx / gb,
            rx / gb,
        );
    }
}

criterion_group!(benches, throughput, cpu_per_gb);
criterion_main!(benches);
