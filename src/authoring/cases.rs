//! A policy's test cases: `policies/<name>/tests/<case>.json` or `<case>.xml` (the input) beside
//! `<case>.expect.toml` (what must happen), run by `sekisho policy test`.
//!
//! ```toml
//! description = "TLP:RED objects stay behind"
//! verdict = "released"            # or "rejected"
//! output = "case.out.json"        # optional: the exact expected output
//! contains = ["indicator--…"]     # strings the output must contain
//! not_contains = ["CANARY-RED"]   # strings that must appear nowhere in the output
//! rules = ["tlp"]                 # rules that must have decided some unit (or the rejection)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::guard;
use crate::policy::Policy;

/// What a case expects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    #[serde(default)]
    description: String,
    verdict: Expected,
    output: Option<PathBuf>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    not_contains: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Expected {
    Released,
    Rejected,
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    pub description: String,
    /// Empty when the case passed; otherwise each failed expectation, with a diff where one helps.
    pub failures: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The directory holding the cases of the policy at `policy_path`: `<dir>/<stem>/tests`.
pub fn cases_dir(policy_path: &Path) -> PathBuf {
    let stem = policy_path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    policy_path.parent().unwrap_or(Path::new(".")).join(stem).join("tests")
}

/// Run every case of `policy` found in `dir`. An empty or missing directory is an error: a
/// policy without tests is not tested.
///
/// With `bless`, the exact expected outputs (`output = …`) are rewritten from what the policy
/// produces now; review the change before committing it.
pub fn run(policy: &Policy, dir: &Path, bless: bool) -> Result<Vec<CaseResult>, String> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot read test cases: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.to_string_lossy().ends_with(".expect.toml"))
        .collect();
    inputs.sort();
    if inputs.is_empty() {
        return Err(format!(
            "{}: no test cases (`<case>.expect.toml` beside `<case>.json` or `<case>.xml`)",
            dir.display()
        ));
    }
    Ok(inputs.iter().map(|expect| run_case(policy, expect, bless)).collect())
}

fn run_case(policy: &Policy, expect_path: &Path, bless: bool) -> CaseResult {
    let file = expect_path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let name = file.trim_end_matches(".expect.toml").to_string();
    let dir = expect_path.parent().unwrap_or(Path::new("."));
    let mut failures = Vec::new();
    let expectation: Expectation = match std::fs::read_to_string(expect_path)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(e) => e,
        Err(e) => {
            return CaseResult {
                name,
                description: String::new(),
                failures: vec![format!("{file}: {e}")],
            };
        }
    };
    // The input is `<case>.json` or `<case>.xml`.
    let input_file = ["json", "xml"]
        .iter()
        .map(|ext| format!("{name}.{ext}"))
        .find(|f| dir.join(f).exists())
        .unwrap_or_else(|| format!("{name}.json"));
    let input = match std::fs::read(dir.join(&input_file)) {
        Ok(b) => b,
        Err(e) => {
            failures.push(format!("{input_file}: {e}"));
            return CaseResult {
                name,
                description: expectation.description,
                failures,
            };
        }
    };
    let (verdict, output, rules) = match guard::filter(&input, policy) {
        Ok(r) => (
            Expected::Released,
            r.output.into_bytes(),
            r.report.decisions.iter().map(|d| d.rule.to_string()).collect(),
        ),
        Err(e) => {
            let mut rules: Vec<String> = e.report.decisions.iter().map(|d| d.rule.to_string()).collect();
            rules.extend(e.reasons.iter().map(|r| r.rule.clone()));
            (Expected::Rejected, Vec::new(), rules)
        }
    };
    if verdict != expectation.verdict {
        failures.push(format!(
            "expected {:?}, got {verdict:?} (rules: {})",
            expectation.verdict,
            rules.join(", ")
        ));
    }
    let text = String::from_utf8_lossy(&output);
    for s in &expectation.contains {
        if !text.contains(s.as_str()) {
            failures.push(format!("output does not contain `{s}`"));
        }
    }
    for s in &expectation.not_contains {
        if text.contains(s.as_str()) {
            failures.push(format!("output contains `{s}`, which must not cross"));
        }
    }
    for r in &expectation.rules {
        if !rules.contains(r) {
            failures.push(format!(
                "rule `{r}` decided nothing (rules that did: {})",
                rules.join(", ")
            ));
        }
    }
    if let Some(out) = &expectation.output {
        if bless
            && verdict == Expected::Released
            && let Err(e) = std::fs::write(dir.join(out), &output)
        {
            failures.push(format!("{}: {e}", out.display()));
        }
        match std::fs::read(dir.join(out)) {
            Ok(want) if want == output => {}
            Ok(want) => failures.push(format!(
                "output differs from {}:\n{}",
                out.display(),
                diff(&want, &output)
            )),
            Err(e) => failures.push(format!("{}: {e}", out.display())),
        }
    }
    CaseResult {
        name,
        description: expectation.description,
        failures,
    }
}

/// A unified diff of two JSON texts, pretty-printed so that the diff is by member.
pub fn diff(want: &[u8], got: &[u8]) -> String {
    let pretty = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| String::from_utf8_lossy(b).to_string())
    };
    let (a, b) = (pretty(want), pretty(got));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}
