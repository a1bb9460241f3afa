//! Replays the fuzz corpora and every saved crash through the fuzz properties, under plain
//! `cargo test` (issue 8).
//!
//! For each target in [`sekisho::fuzzing::TARGETS`]: every file in `fuzz/corpus/TARGET/` (which
//! must exist and not be empty: a missing corpus fails, it never passes silently), and every file
//! in `fuzz/regressions/TARGET/` (committed findings) and `fuzz/artifacts/TARGET/` (local crashes,
//! gitignored) when those exist.

use std::panic;
use std::path::{Path, PathBuf};

use sekisho::fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted; `None` when it does not exist.
fn files(dir: &Path) -> Option<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    Some(files)
}

/// Runs `property` on each file; returns one line per failing file.
fn replay(property: fn(&[u8]), files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(e) = panic::catch_unwind(|| property(&data)) {
            let why = e
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("panic");
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    failures
}

//--- case: every committed seed satisfies its target's property
#[test]
fn replays_every_corpus() {
    let mut failures = Vec::new();
    for (name, property) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        let seeds = files(&dir).unwrap_or_else(|| panic!("missing corpus directory {}", dir.display()));
        assert!(!seeds.is_empty(), "empty corpus directory {}", dir.display());
        failures.extend(replay(*property, &seeds));
    }
    assert!(
        failures.is_empty(),
        "corpus inputs break a property:\n{}",
        failures.join("\n")
    );
}

//--- case: every past finding (committed regressions, local artifacts) stays fixed
#[test]
fn replays_every_regression_and_artifact() {
    let mut failures = Vec::new();
    for (name, property) in TARGETS {
        for kind in ["regressions", "artifacts"] {
            if let Some(found) = files(&fuzz_dir().join(kind).join(name)) {
                failures.extend(replay(*property, &found));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "past findings fail again:\n{}",
        failures.join("\n")
    );
}

//--- case: each target has its fuzz binary, seed corpus and dictionary, and nothing is orphaned
#[test]
fn every_target_has_a_binary_a_corpus_and_a_dictionary() {
    let fuzz = fuzz_dir();
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        let source = fuzz.join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&source).unwrap_or_else(|_| panic!("missing {}", source.display()));
        assert!(
            text.contains(&format!("sekisho::fuzzing::{name}(")),
            "{} must call sekisho::fuzzing::{name}",
            source.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] named {name}"
        );
        assert!(
            fuzz.join("dict").join(format!("{name}.dict")).is_file(),
            "missing fuzz/dict/{name}.dict"
        );
    }
    for source in files(&fuzz.join("fuzz_targets")).unwrap_or_default() {
        let stem = source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            TARGETS.iter().any(|(name, _)| *name == stem),
            "{} is not listed in sekisho::fuzzing::TARGETS, so its corpus is never replayed",
            source.display()
        );
    }
}

//--- case: the audit_chain target's tamper check runs on its seeds (a seed log verifies)
#[test]
fn an_audit_seed_verifies_so_the_tamper_check_runs() {
    let seed = std::fs::read(fuzz_dir().join("corpus/audit_chain/three-records.jsonl")).unwrap();
    assert_eq!(sekisho::audit::verify_reader(seed.as_slice()).unwrap(), 3);
}
