//! Fills a directory with generated bundles for the daemon benchmark (`scripts/bench-daemon.sh`):
//! `cargo run --release --example make_bench_inbox -- DIR COUNT BYTES`. Each bundle is unique
//! (its own seed) and marked with every TLP level, so messages are partly released.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, count, bytes] = args.as_slice() else {
        return Err("usage: make_bench_inbox DIR COUNT BYTES".into());
    };
    let (count, bytes): (u64, usize) = (count.parse()?, bytes.parse()?);
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    for k in 0..count {
        let text = sekisho::synth::bundle_of_size(k + 1, bytes, |r| Some(r.below(5) as usize));
        let tmp = dir.join(format!(".m-{k:06}.json"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, dir.join(format!("m-{k:06}.json")))?;
    }
    Ok(())
}
