//! The harness of the red-team text families (`tests/rt3_text.rs`, `tests/prose_markings.rs`):
//! a text written in `indicator.description` is held when the second verifier refuses it as
//! written, the guard never releases it as written (it refuses or rewrites it), and whatever the
//! guard releases passes the verifier; a benign text goes when the guard releases it unchanged
//! and the verifier passes it.

use sekisho::fuzzing::content;
use sekisho::guard;
use sekisho::policy::Policy;

/// `name: ` before each problem (the policy's name), or nothing when `name` is empty.
fn under(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("{name}: ")
    }
}

/// Problems with `text` (in `indicator.description`) under `policy` (named `name`, or `""`):
/// empty when it is held.
pub fn held_problems(policy: &Policy, name: &str, text: &str) -> Vec<String> {
    held_problems_at(policy, name, 0, text)
}

/// [`held_problems`] for `text` at STIX place `place` (an index into the fuzzing places; 0 is
/// `indicator.description`).
pub fn held_problems_at(policy: &Policy, name: &str, place: usize, text: &str) -> Vec<String> {
    let input = content::bundle(content::place(place, text, 1));
    held_in(policy, &at(name, place), text, input.as_bytes())
}

/// `name: place N: ` before each problem (place 0 is not named).
fn at(name: &str, place: usize) -> String {
    if place == 0 {
        under(name)
    } else {
        format!("{}place {place}: ", under(name))
    }
}

/// Problems with `text`, written somewhere in the message `input`, each prefixed with `at`:
/// empty when the verifier refuses `input`, the guard does not release `text` as written, and
/// what the guard releases passes the verifier.
pub fn held_in(policy: &Policy, at: &str, text: &str, input: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    if sekisho::verifier::verify(input, policy).is_ok() {
        problems.push(format!("{at}the verifier passed {text:?}"));
    }
    if let Ok(r) = guard::filter(input, policy) {
        let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
        if out.contains(&serde_json::to_string(text).unwrap()) {
            problems.push(format!("{at}the guard released {text:?} as written"));
        }
        if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), policy) {
            problems.push(format!(
                "{at}the verifier refused the guard's output for {text:?}: {e:?}"
            ));
        }
    }
    problems
}

/// Problems with benign `text` under `policy` (named `name`, or `""`): empty when it crosses
/// the guard unchanged and the verifier passes it.
pub fn go_problems(policy: &Policy, name: &str, text: &str) -> Vec<String> {
    go_problems_at(policy, name, 0, text)
}

/// [`go_problems`] for `text` at STIX place `place`.
pub fn go_problems_at(policy: &Policy, name: &str, place: usize, text: &str) -> Vec<String> {
    let input = content::bundle(content::place(place, text, 1));
    go_in(policy, &at(name, place), text, input.as_bytes())
}

/// Problems with benign `text`, written somewhere in the message `input`, each prefixed with
/// `at`: empty when the guard releases `text` unchanged and the verifier passes `input`.
pub fn go_in(policy: &Policy, at: &str, text: &str, input: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    match guard::filter(input, policy) {
        Ok(r) => {
            let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
            if !out.contains(&serde_json::to_string(text).unwrap()) {
                problems.push(format!("{at}the guard changed benign {text:?}: {out}"));
            }
        }
        Err(e) => problems.push(format!("{at}the guard refused benign {text:?}: {e:?}")),
    }
    if let Err(e) = sekisho::verifier::verify(input, policy) {
        problems.push(format!("{at}the verifier refused benign {text:?}: {e:?}"));
    }
    problems
}

/// Each of `texts` is held under `policy`.
pub fn all_held(policy: &Policy, texts: &[&str]) {
    let problems: Vec<String> = texts.iter().flat_map(|t| held_problems(policy, "", t)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each of `texts` crosses the guard unchanged and the verifier passes it.
pub fn all_go(policy: &Policy, texts: &[&str]) {
    let problems: Vec<String> = texts.iter().flat_map(|t| go_problems(policy, "", t)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The two shipped policies of the bilateral exchange, by name.
pub fn both_policies() -> [(&'static str, Policy); 2] {
    [("us-to-jpn", super::us_to_jpn()), ("jpn-to-us", super::jpn_to_us())]
}

/// Each of `texts` is held under both shipped policies.
pub fn held_under_both(texts: &[&str]) {
    let problems: Vec<String> = both_policies()
        .iter()
        .flat_map(|(name, p)| texts.iter().flat_map(move |t| held_problems(p, name, t)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each of `texts` crosses unchanged under both shipped policies.
pub fn go_under_both(texts: &[&str]) {
    let problems: Vec<String> = both_policies()
        .iter()
        .flat_map(|(name, p)| texts.iter().flat_map(move |t| go_problems(p, name, t)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Prose around a marking word: none, sentences, a Japanese one, capitals.
pub const PROSE: &[(&str, &str)] = &[
    ("", ""),
    ("Handle as ", " material."),
    ("This report is ", "."),
    ("Observed by a ", " source; beacons every hour."),
    ("Note: ", " - share with care"),
    ("\"", "\" applies"),
    ("本資料は", "扱い"),
    ("THE REPORT IS ", " AND GOES NOWHERE"),
];
