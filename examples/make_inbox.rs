//! Regenerates `examples/inbox/`, the realistic mix the default configuration (`sekisho.toml`)
//! runs on: `cargo run --example make_inbox`. The bundles come from `sekisho::synth` with fixed
//! seeds, so the files are the same on every run. `cti-2026-0419-phishing-analyst-notes.json`
//! is written by hand (e-mail addresses, a telephone number, an internal address and an internal
//! programme name for the sanitisation rules) and is left as it is, and so is
//! `cti-2026-0417-attack-pattern-dump.json`: an oversized dump made by an earlier `synth` that
//! related relationships to relationships, invalid STIX 2.1 (§5.1) that the guard rejects
//! (`relationship-endpoint`) as a partner's ingest would, kept as a realistic bad feed.

use std::path::Path;

fn main() -> std::io::Result<()> {
    use sekisho::synth::bundle;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/inbox");
    std::fs::create_dir_all(&dir)?;
    // TLP CLEAR and GREEN only: everything goes.
    let releasable = bundle(101, 6, |r| Some(r.below(2) as usize));
    // Every TLP level: CLEAR/GREEN/AMBER go, AMBER+STRICT and RED are dropped.
    let partly = bundle(202, 10, |r| Some(r.below(5) as usize));
    // RED only: nothing may go.
    let not_releasable = bundle(303, 5, |_| Some(4));
    // Unmarked: denied by the policy (tlp.required).
    let unmarked = bundle(404, 4, |_| None);
    // Cut off in the middle of an object: the grammar rejects it.
    let whole = bundle(505, 4, |_| Some(1));
    let malformed = whole.get(..whole.len() * 2 / 3).unwrap_or_default().to_string();
    let files = [
        ("cti-2026-0412-ransomware-c2.json", &releasable),
        ("cti-2026-0413-apt-campaign-mixed.json", &partly),
        ("cti-2026-0414-red-incident.json", &not_releasable),
        ("cti-2026-0415-unmarked-feed.json", &unmarked),
        ("cti-2026-0416-truncated-upload.json", &malformed),
        // The first message sent again under another name.
        ("cti-2026-0418-ransomware-c2-resend.json", &releasable),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
        println!("{name}: {} bytes", text.len());
    }
    Ok(())
}
