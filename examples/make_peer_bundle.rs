//! The bundle `scripts/bench-peers.sh` filters: ~5.2 MB of generated STIX with every TLP 2.0
//! level and unmarked objects mixed (so the shipped policy keeps some and drops some).
//!
//! `cargo run --release --example make_peer_bundle [BYTES] > bundle.json`

fn main() {
    let bytes = std::env::args()
        .nth(1)
        .and_then(|b| b.parse().ok())
        .unwrap_or(5_200_000usize);
    let bundle = sekisho::synth::bundle_of_size(17, bytes, |r| match r.below(6) {
        5 => None,
        n => Some(n as usize),
    });
    print!("{bundle}");
}
