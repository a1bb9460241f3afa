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

/// The extensions a case's input may have.
pub const INPUT_EXTENSIONS: &[&str] = &["json", "xml"];

/// Run every case of `policy` found in `dir`. An empty or missing directory is an error: a
/// policy without tests is not tested. An input without its `.expect.toml` is a failing case,
/// not a skipped one.
///
/// With `bless`, the exact expected outputs (`output = …`) are rewritten from what the policy
/// produces now; review the change before committing it.
pub fn run(policy: &Policy, dir: &Path, bless: bool) -> Result<Vec<CaseResult>, String> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            format!(
                "{}: cannot read test cases: {e}\n  a policy `<dir>/<name>.toml` keeps its cases in `<dir>/<name>/tests/`: \
                 `<case>.json` or `<case>.xml` (the input) beside `<case>.expect.toml` (what must happen); \
                 `sekisho policy new-case` writes one",
                dir.display()
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let name_of = |p: &Path| {
        p.file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    let mut expects: Vec<&PathBuf> = entries
        .iter()
        .filter(|p| name_of(p).ends_with(".expect.toml"))
        .collect();
    expects.sort();
    let mut orphans: Vec<String> = entries
        .iter()
        .map(|p| name_of(p))
        .filter(|n| !n.contains(".out."))
        .filter_map(|n| {
            let (stem, ext) = n.rsplit_once('.')?;
            (INPUT_EXTENSIONS.contains(&ext) && !dir.join(format!("{stem}.expect.toml")).exists()).then_some(n)
        })
        .collect();
    orphans.sort();
    if expects.is_empty() && orphans.is_empty() {
        return Err(format!(
            "{}: no test cases (`<case>.expect.toml` beside `<case>.json` or `<case>.xml`)",
            dir.display()
        ));
    }
    let mut results: Vec<CaseResult> = expects.iter().map(|expect| run_case(policy, expect, bless)).collect();
    results.extend(orphans.into_iter().map(|input| {
        CaseResult {
            name: input
                .rsplit_once('.')
                .map_or(input.clone(), |(stem, _)| stem.to_string()),
            description: String::new(),
            failures: vec![format!(
                "`{input}` has no `.expect.toml` beside it: write one (`sekisho policy new-case` records one \
             from what the policy does now), or move the input out of the tests folder"
            )],
        }
    }));
    Ok(results)
}

/// Record a new case: copy `input` into `dir` as `<name>.<ext>` and write `<name>.expect.toml`
/// (and `<name>.out.<ext>` when released) from what `policy` does with it now, for the author to
/// review. Refuses to overwrite an existing case.
pub fn record(policy: &Policy, dir: &Path, input: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let ext = input
        .extension()
        .map(|e| e.to_string_lossy().to_string())
        .filter(|e| INPUT_EXTENSIONS.contains(&e.as_str()))
        .ok_or_else(|| format!("{}: a case's input ends in .json or .xml", input.display()))?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!("`{name}`: a case name is letters, digits, `-` and `_`"));
    }
    let expect_path = dir.join(format!("{name}.expect.toml"));
    if expect_path.exists() {
        return Err(format!("{}: the case exists already", expect_path.display()));
    }
    let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (verdict, output, rules) = match guard::filter(&bytes, policy) {
        Ok(r) => (
            "released",
            r.output.into_bytes(),
            decided_rules(&r.report.decisions, &[]),
        ),
        Err(e) => ("rejected", Vec::new(), decided_rules(&e.report.decisions, &e.reasons)),
    };
    let input_copy = dir.join(format!("{name}.{ext}"));
    std::fs::write(&input_copy, &bytes).map_err(|e| format!("{}: {e}", input_copy.display()))?;
    let mut written = vec![input_copy];
    let mut expect = format!(
        "description = \"recorded from {} — review and describe\"\nverdict = \"{verdict}\"\n",
        input
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    );
    if !rules.is_empty() {
        let quoted: Vec<String> = rules.iter().map(|r| format!("{r:?}")).collect();
        expect.push_str(&format!("rules = [{}]\n", quoted.join(", ")));
    }
    if verdict == "released" {
        let out = format!("{name}.out.{ext}");
        std::fs::write(dir.join(&out), &output).map_err(|e| format!("{out}: {e}"))?;
        expect.push_str(&format!("output = \"{out}\"\n"));
        written.push(dir.join(out));
    }
    std::fs::write(&expect_path, expect).map_err(|e| format!("{}: {e}", expect_path.display()))?;
    written.push(expect_path);
    Ok(written)
}

/// The rules that decided something other than `keep`, once each, in order of first use.
fn decided_rules(decisions: &[crate::release::UnitDecision], reasons: &[guard::Reason]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let rules = decisions
        .iter()
        .filter(|d| d.verdict != crate::release::UnitVerdict::Keep)
        .map(|d| d.rule.to_string())
        .chain(reasons.iter().map(|r| r.rule.clone()));
    for r in rules {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
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
    let Some(input_file) = INPUT_EXTENSIONS
        .iter()
        .map(|ext| format!("{name}.{ext}"))
        .find(|f| dir.join(f).exists())
    else {
        failures.push(format!(
            "no input beside `{file}`: the case's input is `{name}.json` or `{name}.xml`"
        ));
        return CaseResult {
            name,
            description: expectation.description,
            failures,
        };
    };
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
    let (verdict, output, mut rules): (Expected, Vec<u8>, Vec<String>) = match guard::filter(&input, policy) {
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
    // Each rule once, in order of first use.
    let mut seen = std::collections::HashSet::new();
    rules.retain(|r| seen.insert(r.clone()));
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
