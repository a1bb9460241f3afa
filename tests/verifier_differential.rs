//! The second verifier against the guard, message by message: for every output the guard
//! releases, the independent verifier must pass it too (issue 9: differential test over the
//! public corpora and generated bundles).

use std::path::{Path, PathBuf};

use sekisho::guard;
use sekisho::policy::Policy;
use sekisho::verifier::Verifier;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every message: (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        "policies/us-to-jpn/tests",
        "policies/jpn-to-us/tests",
        "tests/fixtures/stix/oasis",
        "examples/inbox",
    ] {
        let found = json_files(&root().join(dir));
        assert!(!found.is_empty(), "no messages in {dir}");
        for f in found {
            out.push((f.display().to_string(), std::fs::read(&f).unwrap()));
        }
    }
    let shared = root().join("../shared/corpora");
    if shared.is_dir() {
        for f in json_files(&shared) {
            if let Ok(b) = std::fs::read(&f) {
                out.push((f.display().to_string(), b));
            }
        }
    }
    for seed in 0..150u64 {
        let objects = 2 + (seed % 12) as usize;
        let b = sekisho::synth::bundle(seed, objects, |r| match r.below(7) {
            6 => None,
            n => Some(n as usize),
        });
        out.push((format!("synth-{seed}"), b.into_bytes()));
    }
    out
}

#[test]
fn verifier_passes_every_output_the_guard_releases() {
    let mut released = 0;
    let mut disagreements = Vec::new();
    for policy in ["us-to-jpn.toml", "jpn-to-us.toml"] {
        let policy = Policy::load(&root().join("policies").join(policy)).unwrap();
        let verifier = Verifier::new(&policy).unwrap();
        for (name, bytes) in corpus() {
            if let Ok(r) = guard::filter(&bytes, &policy) {
                released += 1;
                if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                    disagreements.push(format!("{} on {name}: {findings:?}", policy.name));
                }
            }
        }
    }
    assert!(released > 100, "only {released} outputs were released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "xml") && !p.to_string_lossy().ends_with(".out.xml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// XML: every message the guard releases from the policy's cases, the examples and the XML
/// fixtures passes the verifier's own XML path.
#[test]
fn verifier_passes_every_xml_output_the_guard_releases() {
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let mut released = Vec::new();
    let mut disagreements = Vec::new();
    for dir in [
        "policies/us-to-jpn/tests",
        "examples/inbox",
        "tests/fixtures/xml/cap",
        "tests/fixtures/xml/iodef",
        "tests/fixtures/xml/label",
        "tests/fixtures/xml/attacks",
    ] {
        let found = xml_files(&root().join(dir));
        assert!(!found.is_empty(), "no messages in {dir}");
        for f in found {
            let bytes = std::fs::read(&f).unwrap();
            if let Ok(r) = guard::filter(&bytes, &policy) {
                released.push(f.display().to_string());
                if let Err(findings) = verifier.verify(r.output.as_bytes()) {
                    disagreements.push(format!("{}: {findings:?}", f.display()));
                }
            }
        }
    }
    assert!(released.len() >= 7, "only {released:?} were released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Issue 15's classes, differentially: for every canary encoding (dirty words, internal
/// addresses and domains, e-mail addresses, telephone numbers) at every other place, the guard
/// and the verifier agree: the verifier refuses the input as it stands, and passes whatever the
/// guard releases from it. Look-alikes pass both unchanged.
#[test]
fn guard_and_verifier_agree_on_every_content_canary() {
    use sekisho::fuzzing::content::{self, BENIGN, KINDS, PLACES};
    let policy = Policy::load(&root().join("policies/us-to-jpn.toml")).unwrap();
    let verifier = Verifier::new(&policy).unwrap();
    let mut disagreements = Vec::new();
    let mut released = 0;
    for kind in KINDS {
        for (n, e) in content::encodings(kind).iter().enumerate() {
            for p in (n % 2..PLACES.len()).step_by(2) {
                if content::crosses_by_policy(kind, p) {
                    continue;
                }
                let input = content::bundle(content::place(p, e, 16));
                if verifier.verify(input.as_bytes()).is_ok() {
                    disagreements.push(format!("verifier passed {e:?} at {}", PLACES[p]));
                }
                if let Ok(r) = guard::filter(input.as_bytes(), &policy) {
                    released += 1;
                    if let Err(f) = verifier.verify(r.output.as_bytes()) {
                        disagreements.push(format!("{e:?} at {}: {f:?}", PLACES[p]));
                    }
                }
            }
        }
    }
    for b in BENIGN {
        let input = content::bundle(content::place(0, b, 16));
        let out = guard::filter(input.as_bytes(), &policy).map(|r| r.output.into_bytes());
        match out {
            Ok(out) => {
                if let Err(f) = verifier.verify(&out) {
                    disagreements.push(format!("look-alike {b:?}: {f:?}"));
                }
            }
            Err(e) => disagreements.push(format!("look-alike {b:?} refused by the guard: {e:?}")),
        }
    }
    assert!(released > 300, "only {released} released");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
