//! A bounded hand-off of reusable batches between threads of one side of the diode: the
//! sender's encoder and its socket; the receiver's socket, its gate and its reassembler
//! ([`chain`]: three stages, one pool of batches).
//!
//! At most `batches` batches ever exist for one pipeline (made on demand, then passed back and
//! forth), so its memory is bounded by configuration whatever the message size. The producer
//! waits when every batch is in use, the consumer when none is full: nothing is dropped here
//! (a producer fed by a socket that waits leaves the datagrams in the kernel's buffer, §8).
//! When either side goes away the other's next call says so ([`Gone`]) instead of waiting:
//! a stopped side never hangs the other.

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

/// The other side of the pipeline has stopped (returned, or failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

/// The producing end: takes empty batches, sends full ones.
#[derive(Debug)]
pub struct Producer<T> {
    full: SyncSender<T>,
    empty: Receiver<T>,
    made: usize,
    cap: usize,
}

/// The consuming end: receives full batches, gives them back empty.
#[derive(Debug)]
pub struct Consumer<T> {
    full: Receiver<T>,
    empty: SyncSender<T>,
}

/// A middle stage of a [`chain`]: takes the producer's full batches and hands them on, in order.
#[derive(Debug)]
pub struct Relay<T> {
    full_in: Receiver<T>,
    full_out: SyncSender<T>,
}

/// Three stages sharing one pool of at most `batches` batches (at least 2): the producer fills
/// them, the relay works on each and hands it on, the consumer empties them and gives them back
/// to the producer. As with [`channel`], nothing is dropped between stages, a full queue makes
/// the stage before it wait, and a stage that stops makes its neighbours' next call say
/// [`Gone`] (the relay stopping ends both the producer's sends and, after what it handed on, the
/// consumer's receives).
pub fn chain<T>(batches: usize) -> (Producer<T>, Relay<T>, Consumer<T>) {
    let (producer, first) = channel(batches);
    let (full_out, full_rx) = sync_channel(producer.cap);
    (
        producer,
        Relay {
            full_in: first.full,
            full_out,
        },
        Consumer {
            full: full_rx,
            empty: first.empty,
        },
    )
}

impl<T> Relay<T> {
    /// The next full batch from the producer, waiting for it; `Gone` once the producer stopped
    /// and everything it sent was received.
    pub fn recv(&self) -> Result<T, Gone> {
        self.full_in.recv().map_err(|_| Gone)
    }

    /// Hand a batch on to the consumer, waiting while it is `batches` behind. `Gone` if the
    /// consumer stopped.
    pub fn send(&self, batch: T) -> Result<(), Gone> {
        self.full_out.send(batch).map_err(|_| Gone)
    }
}

/// A pipeline of at most `batches` batches (at least 2: one filling, one draining).
pub fn channel<T>(batches: usize) -> (Producer<T>, Consumer<T>) {
    let cap = batches.max(2);
    let (full_tx, full_rx) = sync_channel(cap);
    let (empty_tx, empty_rx) = sync_channel(cap);
    (
        Producer {
            full: full_tx,
            empty: empty_rx,
            made: 0,
            cap,
        },
        Consumer {
            full: full_rx,
            empty: empty_tx,
        },
    )
}

impl<T> Producer<T> {
    /// An empty batch: one given back, else a new one from `make` while fewer than the cap
    /// exist, else the next one given back (waiting for it). `Gone` if the consumer stopped.
    pub fn take(&mut self, make: impl FnOnce() -> T) -> Result<T, Gone> {
        match self.empty.try_recv() {
            Ok(b) => return Ok(b),
            Err(TryRecvError::Disconnected) => return Err(Gone),
            Err(TryRecvError::Empty) => {}
        }
        if self.made < self.cap {
            self.made += 1;
            return Ok(make());
        }
        self.empty.recv().map_err(|_| Gone)
    }

    /// Hand a filled batch over, waiting while the consumer is `batches` behind. `Gone` if the
    /// consumer stopped (the batch is dropped with it).
    pub fn send(&self, batch: T) -> Result<(), Gone> {
        self.full.send(batch).map_err(|_| Gone)
    }

    /// Batches made so far (never more than the cap).
    pub fn made(&self) -> usize {
        self.made
    }
}

impl<T> Consumer<T> {
    /// The next full batch, waiting for it; `Gone` once the producer stopped and everything it
    /// sent was received.
    pub fn recv(&self) -> Result<T, Gone> {
        self.full.recv().map_err(|_| Gone)
    }

    /// The next full batch, waiting at most `timeout`: `Ok(None)` if none came in time.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<T>, Gone> {
        match self.full.recv_timeout(timeout) {
            Ok(b) => Ok(Some(b)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(Gone),
        }
    }

    /// Give a batch back for reuse (the caller empties it first). If the producer stopped it is
    /// simply dropped.
    pub fn give_back(&self, batch: T) {
        // The empty channel holds the cap: a batch given back always fits (try_send cannot find
        // it full, since no more than the cap exist).
        let _ = self.empty.try_send(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn never_more_batches_than_the_cap() {
        let (mut tx, rx) = channel::<Vec<u8>>(3);
        let mut made = 0;
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(
                tx.take(|| {
                    made += 1;
                    Vec::new()
                })
                .unwrap(),
            );
        }
        assert_eq!((made, tx.made()), (3, 3));
        // Every batch is out: the fourth take waits for one given back, it does not make one.
        let t = std::thread::spawn(move || {
            let b = tx.take(|| panic!("a fourth batch was made")).unwrap();
            (b, tx)
        });
        std::thread::sleep(Duration::from_millis(50));
        assert!(!t.is_finished(), "take did not wait for a batch to come back");
        rx.give_back(vec![7]);
        let (b, tx) = t.join().unwrap();
        assert_eq!(b, vec![7]);
        assert_eq!(tx.made(), 3);
        drop(held);
    }

    #[test]
    fn a_full_pipeline_makes_the_producer_wait_not_drop() {
        let (mut tx, rx) = channel::<u32>(2);
        let producer = std::thread::spawn(move || {
            for i in 0..100 {
                let _ = tx.take(|| 0).unwrap();
                tx.send(i).unwrap();
            }
        });
        std::thread::sleep(Duration::from_millis(30));
        let mut got = Vec::new();
        while let Ok(b) = rx.recv() {
            got.push(b);
            rx.give_back(0);
        }
        producer.join().unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>(), "every batch, in order, none dropped");
    }

    #[test]
    fn a_stopped_consumer_never_hangs_the_producer() {
        let (mut tx, rx) = channel::<u32>(2);
        let a = tx.take(|| 1).unwrap();
        let b = tx.take(|| 2).unwrap();
        tx.send(a).unwrap();
        drop(rx);
        // Sending and taking (all batches are out) both say the consumer is gone, at once.
        let t = Instant::now();
        assert_eq!(tx.send(b), Err(Gone));
        assert_eq!(tx.take(|| 3), Err(Gone));
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_producer_waiting_on_a_full_channel_wakes_when_the_consumer_stops() {
        let (mut tx, rx) = channel::<u32>(2);
        let producer = std::thread::spawn(move || {
            let mut sent = 0;
            loop {
                let Ok(b) = tx.take(|| 0) else { return (sent, "take") };
                if tx.send(b).is_err() {
                    return (sent, "send");
                }
                sent += 1;
            }
        });
        std::thread::sleep(Duration::from_millis(50));
        drop(rx);
        let (sent, at) = producer.join().unwrap();
        assert_eq!(sent, 2, "two batches exist, so two were sent before it waited ({at})");
    }

    #[test]
    fn a_stopped_producer_ends_the_consumer_after_what_it_sent() {
        let (mut tx, rx) = channel::<u32>(4);
        for i in 0..3 {
            let _ = tx.take(|| 0).unwrap();
            tx.send(i).unwrap();
        }
        drop(tx);
        assert_eq!(rx.recv_timeout(Duration::from_millis(10)), Ok(Some(0)));
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(rx.recv(), Ok(2));
        assert_eq!(rx.recv(), Err(Gone));
        assert_eq!(rx.recv_timeout(Duration::from_millis(10)), Err(Gone));
        rx.give_back(9); // dropped: nobody takes it, and it does not block
    }

    #[test]
    fn a_chain_passes_every_batch_through_the_relay_in_order_and_back() {
        let (mut tx, relay, rx) = chain::<Vec<u32>>(3);
        let relay = std::thread::spawn(move || {
            while let Ok(mut b) = relay.recv() {
                b.push(1);
                if relay.send(b).is_err() {
                    return;
                }
            }
        });
        let producer = std::thread::spawn(move || {
            for i in 0..100 {
                let mut b = tx.take(Vec::new).unwrap();
                b.clear();
                b.push(i);
                tx.send(b).unwrap();
            }
            tx.made()
        });
        let mut got = Vec::new();
        while let Ok(b) = rx.recv() {
            got.push(b.clone());
            rx.give_back(b);
        }
        assert!(producer.join().unwrap() <= 3, "never more than the cap");
        relay.join().unwrap();
        assert_eq!(got, (0..100).map(|i| vec![i, 1]).collect::<Vec<_>>());
    }

    #[test]
    fn a_stopped_relay_ends_both_neighbours() {
        let (mut tx, relay, rx) = chain::<u32>(4);
        let a = tx.take(|| 1).unwrap();
        tx.send(a).unwrap();
        let b = relay.recv().unwrap();
        relay.send(b).unwrap();
        drop(relay);
        assert_eq!(rx.recv(), Ok(1), "what the relay handed on still arrives");
        assert_eq!(rx.recv(), Err(Gone));
        let c = tx.take(|| 2).unwrap();
        assert_eq!(tx.send(c), Err(Gone));
    }

    #[test]
    fn a_stopped_consumer_ends_the_relay_and_then_the_producer() {
        let (mut tx, relay, rx) = chain::<u32>(2);
        let a = tx.take(|| 1).unwrap();
        let c = tx.take(|| 2).unwrap();
        drop(rx);
        tx.send(a).unwrap();
        let b = relay.recv().unwrap();
        assert_eq!(relay.send(b), Err(Gone));
        drop(relay);
        assert_eq!(tx.send(c), Err(Gone));
        assert_eq!(tx.take(|| 3), Err(Gone), "nobody gives batches back any more");
    }

    #[test]
    fn recv_timeout_returns_none_when_nothing_comes() {
        let (_tx, rx) = channel::<u32>(2);
        let t = Instant::now();
        assert_eq!(rx.recv_timeout(Duration::from_millis(20)), Ok(None));
        assert!(t.elapsed() >= Duration::from_millis(20));
    }
}
