//! Every STIX bundle the guard releases is valid to the OASIS validator (issue 25): the released
//! outputs of the examples (`examples/inbox` through `policies/us-to-jpn.toml`) and of the shared
//! corpora (`../shared/corpora/stix`, through both shipped policies), and the guard's rebuild of
//! every shared sample it accepts, pass `stix2-validator` with no error.
//!
//! The validator lives in the project-local virtual environment `target/stix-venv` (`.ci/run`
//! installs it; this test installs it too when it is missing). When it cannot be installed the
//! test fails, naming what is missing: it never passes without having looked.

use std::path::{Path, PathBuf};
use std::process::Command;

use sekisho::guard;
use sekisho::policy::Policy;

/// The validator version the differential harness and this test use.
const VALIDATOR: &str = "stix2-validator==3.3.2";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python with `stix2validator` importable, installing it when needed.
fn validator_python() -> PathBuf {
    let venv = root().join("target/stix-venv");
    let python = venv.join("bin/python");
    let importable = |p: &Path| {
        Command::new(p)
            .args(["-c", "import stix2validator"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !importable(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success());
        assert!(made, "cannot create {} (python3 -m venv)", venv.display());
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "-q", VALIDATOR])
            .status()
            .is_ok_and(|s| s.success());
        assert!(installed, "cannot install {VALIDATOR} into {}", venv.display());
    }
    assert!(importable(&python), "{} cannot import stix2validator", python.display());
    python
}

fn stix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("json-schemas") {
                stix_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// Validate each file with the OASIS validator (default options, STIX 2.1): the files it finds
/// invalid, with their first errors.
fn invalid(files: &[PathBuf]) -> Vec<String> {
    let script = r#"
import sys, logging
logging.disable(logging.CRITICAL)
from stix2validator import validate_file, ValidationOptions
options = ValidationOptions(version="2.1")
for f in sys.argv[1:]:
    r = validate_file(f, options)
    if not r.is_valid:
        errors = [str(e) for o in (r.object_results or []) for e in (o.errors or [])]
        errors += [str(e) for e in (getattr(r, "fatal", None) and [r.fatal] or [])]
        print(f + ": " + " | ".join(errors[:3]))
"#;
    let out = Command::new(validator_python())
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .expect("run the OASIS validator");
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_released_stix_output_passes_the_oasis_validator() {
    let shared = root().join("../shared/corpora/stix");
    assert!(
        shared.is_dir(),
        "{} is missing: the public corpora live beside the repository",
        shared.display()
    );
    let mut inputs: Vec<(PathBuf, &str)> = Vec::new();
    let mut examples = Vec::new();
    stix_files(&root().join("examples/inbox"), &mut examples);
    inputs.extend(examples.into_iter().map(|p| (p, "policies/us-to-jpn.toml")));
    let mut corpus = Vec::new();
    stix_files(&shared, &mut corpus);
    for p in corpus {
        inputs.push((p.clone(), "policies/us-to-jpn.toml"));
        inputs.push((p, "policies/jpn-to-us.toml"));
    }
    let policies: Vec<(&str, Policy)> = ["policies/us-to-jpn.toml", "policies/jpn-to-us.toml"]
        .into_iter()
        .map(|p| (p, Policy::load(&root().join(p)).unwrap()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut released = Vec::new();
    let mut from_examples = 0;
    for (n, (input, policy)) in inputs.iter().enumerate() {
        let policy = &policies.iter().find(|(name, _)| name == policy).unwrap().1;
        let bytes = std::fs::read(input).unwrap();
        let Ok(r) = guard::filter(&bytes, policy) else {
            continue;
        };
        let text = r.output.as_bytes();
        if !text.starts_with(b"{") {
            continue; // an XML release
        }
        let out = dir
            .path()
            .join(format!("{n:04}-{}", input.file_name().unwrap().to_string_lossy()));
        std::fs::write(&out, text).unwrap();
        if input.starts_with(root().join("examples")) {
            from_examples += 1;
        }
        released.push(out);
    }
    assert!(from_examples >= 3, "only {from_examples} STIX examples were released");
    let from_corpora = released.len() - from_examples;
    assert!(from_corpora > 0, "nothing from the shared corpora was released");
    // What the guard rebuilds from every shared sample it accepts (the bytes it would release if
    // the policy kept everything): the canonical rendering of the parsed bundle.
    let limits = sekisho::Limits {
        max_input_bytes: 256 * 1024 * 1024,
        ..sekisho::Limits::default()
    };
    let mut rebuilt = 0;
    let mut corpus = Vec::new();
    stix_files(&shared, &mut corpus);
    for (n, input) in corpus.iter().enumerate() {
        let bytes = std::fs::read(input).unwrap();
        if let Ok(b) = sekisho::format::stix::parse_bundle(&bytes, &limits) {
            let name = input.file_name().unwrap().to_string_lossy();
            let out = dir.path().join(format!("rebuilt-{n:04}-{name}"));
            std::fs::write(&out, b.render()).unwrap();
            released.push(out);
            rebuilt += 1;
        }
    }
    assert!(rebuilt >= 10, "only {rebuilt} shared samples were accepted");
    let bad = invalid(&released);
    eprintln!(
        "{} STIX bundles checked: {from_examples} released from examples/inbox, {from_corpora} \
         released from the shared corpora, {rebuilt} shared samples rebuilt",
        released.len()
    );
    assert!(
        bad.is_empty(),
        "{} of {} released bundles are invalid to the OASIS validator:\n{}",
        bad.len(),
        released.len(),
        bad.join("\n")
    );
}
