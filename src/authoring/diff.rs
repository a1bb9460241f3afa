//! `policy diff`: which messages of a corpus change verdict or output between two versions of a
//! policy — what a reviewer needs before approving a change.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::guard;
use crate::policy::Policy;

/// How one message fares under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Outcome {
    Released { sha256: String, objects: usize },
    Rejected { rules: Vec<String> },
}

/// A message whose outcome differs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub file: PathBuf,
    pub old: Outcome,
    pub new: Outcome,
    /// A diff of the two outputs when both release the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

fn outcome(input: &[u8], policy: &Policy) -> (Outcome, Vec<u8>) {
    use sha2::{Digest, Sha256};
    match guard::filter(input, policy) {
        Ok(r) => {
            let out = r.output.into_bytes();
            (
                Outcome::Released {
                    sha256: hex::encode(Sha256::digest(&out)),
                    objects: r.report.objects_out,
                },
                out,
            )
        }
        Err(e) => (
            Outcome::Rejected {
                rules: e.reasons.iter().map(|r| r.rule.clone()).collect(),
            },
            Vec::new(),
        ),
    }
}

/// Compare `old` and `new` over every file in `corpus` (recursively, sorted).
pub fn compare(old: &Policy, new: &Policy, corpus: &Path) -> std::io::Result<(usize, Vec<Change>)> {
    compare_with_progress(old, new, corpus, &crate::progress::Silent)
}

/// [`compare`], telling `progress` each file done.
pub fn compare_with_progress(
    old: &Policy,
    new: &Policy,
    corpus: &Path,
    progress: &dyn crate::progress::Progress,
) -> std::io::Result<(usize, Vec<Change>)> {
    let mut files = Vec::new();
    walk(corpus, &mut files)?;
    files.sort();
    progress.start("policy diff", files.len() as u64, crate::progress::Unit::Files);
    let mut changes = Vec::new();
    for file in &files {
        progress.advance(1);
        let input = std::fs::read(file)?;
        let (a, out_a) = outcome(&input, old);
        let (b, out_b) = outcome(&input, new);
        if a != b {
            let diff = (!out_a.is_empty() && !out_b.is_empty()).then(|| super::cases::diff(&out_a, &out_b));
            changes.push(Change {
                file: file.clone(),
                old: a,
                new: b,
                diff,
            });
        }
    }
    progress.finish();
    Ok((files.len(), changes))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}
