//! The diode's sender hands runs of full datagrams to the kernel joined, for it to cut (UDP
//! segmentation offload), and its receiver reads what the kernel joined and cuts it again (UDP
//! receive offload): the datagrams on the wire and the ones checked are the same as without
//! (issue 18, docs/diode-protocol.md §8). Where the kernel refuses a joined message, the sender
//! goes on datagram by datagram and nothing is lost.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sekisho::diode::{self, Key, ReceiverConfig, ReceiverStats, SendSummary};

fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Send the files of `outbox` to a receiver listening on `listen` with datagrams of up to `mtu`
/// bytes; wait until `expected` files are in its spool.
fn send_and_receive(
    listen: &str,
    mtu: usize,
    outbox: &Path,
    into: &Path,
    expected: usize,
) -> (SendSummary, ReceiverStats) {
    let key_path = outbox.with_extension("key");
    std::fs::write(&key_path, [0x42; 32]).unwrap();
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::scope(|s| {
        let receiver = s.spawn(|| {
            let key = Key::from_bytes(&[0x42; 32]).unwrap();
            let cfg = ReceiverConfig::new(listen.parse().unwrap(), into.to_path_buf(), key);
            diode::run_receiver_with(cfg, &stop, move |a| tx.send(a).unwrap())
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let summary = diode::cli_send(
            &addr.to_string(),
            diode::SendOptions {
                rate: diode::Rate::Fixed(20_000_000),
                overhead_percent: 10,
                mtu,
                max_message_bytes: diode::DEFAULT_MAX_MESSAGE_BYTES,
            },
            &key_path,
            &[outbox.to_path_buf()],
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let spooled = || {
            std::fs::read_dir(into).map_or(0, |d| {
                d.filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
        };
        while summary.is_ok() && spooled() < expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // The sender's closing heartbeats are in too.
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        let received = receiver.join().unwrap().unwrap();
        (summary.unwrap(), received)
    })
}

fn outbox(dir: &Path) -> (std::path::PathBuf, Vec<Vec<u8>>) {
    let outbox = dir.join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    // A large file (runs of full datagrams, a short one at the end of each block), and small
    // ones packed together (datagrams shorter than a segment).
    let files = vec![
        random_bytes(1, 3_000_017),
        random_bytes(2, 700),
        random_bytes(3, 40_000),
    ];
    for (i, f) in files.iter().enumerate() {
        std::fs::write(outbox.join(format!("f{i}")), f).unwrap();
    }
    (outbox, files)
}

fn assert_delivered(into: &Path, files: &[Vec<u8>], sent: &SendSummary, got: &ReceiverStats) {
    use sha2::Digest;
    for f in files {
        let name = hex::encode(sha2::Sha256::digest(f));
        assert_eq!(std::fs::read(into.join(&name)).unwrap(), *f, "{name}");
    }
    // Every datagram sent was read as itself: none malformed (a wrong cut), none forged (a
    // cut that moved a tag), none missing (loopback at 20 MB/s loses none).
    let r = &got.reassembly;
    assert_eq!((r.dropped_malformed, r.dropped_forged), (0, 0), "{got:?}");
    assert_eq!(
        r.datagrams, sent.stats.datagrams,
        "sent {:?}, received {got:?}",
        sent.stats
    );
    assert_eq!(got.written, files.len() as u64, "{got:?}");
}

#[test]
fn runs_of_full_datagrams_go_joined_and_arrive_cut_as_they_were_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, files) = outbox(dir.path());
    let into = dir.path().join("inbox");
    let (sent, got) = send_and_receive("127.0.0.1:0", 1472, &outbox, &into, files.len());
    assert_delivered(&into, &files, &sent, &got);
    // The large file's full blocks went in joined runs (most of its ~2,250 datagrams), and
    // the receiver read runs the kernel had kept joined, and cut them.
    assert!(
        sent.stats.segmented > sent.stats.datagrams / 2,
        "{:?}: the kernel took no joined runs",
        sent.stats
    );
    assert!(got.reassembly.joined > 0, "{got:?}: no joined read was cut");
}

#[test]
fn a_kernel_that_refuses_joined_datagrams_gets_them_one_by_one_and_nothing_is_lost() {
    // Over IPv6 loopback (MTU 65,536), a 65,507-byte datagram needs 65,555 bytes with its IPv6
    // and UDP headers: with the segment length set on the socket the kernel refuses even a lone
    // datagram's message (it would send such a datagram only as IPv6 fragments), so the sender
    // turns the option off at its first message and sends on (without that, the send fails).
    // Two such datagrams never fit in one joined message: a refused joined run is not what this
    // exercises.
    let dir = tempfile::tempdir().unwrap();
    let (outbox, files) = outbox(dir.path());
    let into = dir.path().join("inbox");
    let (sent, got) = send_and_receive("[::1]:0", 65_507, &outbox, &into, files.len());
    assert_delivered(&into, &files, &sent, &got);
}
