//! Instruction counts for the daemon's per-message CPU work, without a disk or a child process:
//! the first N messages of a directory through `guard::filter` (`guard`) or the released outputs
//! through the second verifier in process (`verifier`). Meant for callgrind, whose counts do not
//! depend on the machine's load:
//! `valgrind --tool=callgrind --toggle-collect='*profile_messages*stage*' target/release/examples/profile_messages DIR N guard|verifier`

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: profile_messages DIR N guard|verifier [POLICY]")?,
    );
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(500);
    let stage_name = args.next().unwrap_or_else(|| "verifier".into());
    let policy_path = PathBuf::from(args.next().unwrap_or_else(|| "policies/us-to-jpn.toml".into()));
    let policy = sekisho::policy::Policy::load(&policy_path).map_err(|e| e.to_string())?;
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names.truncate(n);
    let messages: Vec<Vec<u8>> = names.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let verifier = sekisho::verifier::Verifier::new(&policy)?;
    let outputs: Vec<Vec<u8>> = if stage_name == "verifier" {
        messages
            .iter()
            .filter_map(|m| sekisho::guard::filter(m, &policy).ok())
            .map(|r| r.output.into_bytes())
            .collect()
    } else {
        messages
    };
    // Warm once (lazy tables), outside the counted stage.
    if let Some(first) = outputs.first() {
        let _ = sekisho::guard::filter(first, &policy);
        let _ = verifier.verify(first);
    }
    let passed = stage(&stage_name, &outputs, &policy, &verifier);
    println!("{} inputs, {passed} passed the {stage_name} stage", outputs.len());
    Ok(())
}

#[inline(never)]
fn stage(
    name: &str,
    inputs: &[Vec<u8>],
    policy: &sekisho::policy::Policy,
    verifier: &sekisho::verifier::Verifier<'_>,
) -> usize {
    inputs
        .iter()
        .filter(|i| match name {
            "guard" => sekisho::guard::filter(i, policy).is_ok(),
            _ => verifier.verify(i).is_ok(),
        })
        .count()
}
