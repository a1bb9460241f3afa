//! The second verifier: an independent check of the guard's *output* against the release
//! predicate (NIST SP 800-53 AC-4(27), (29), (30): redundant, independent filtering).
//!
//! It shares no parsing code with the main pipeline: JSON is read by `serde_json` (with
//! duplicate keys refused, [`json`]), labels by its own small reader ([`label`]), text rules are
//! compiled again from the policy's rules as written, with its own normalisation ([`text`]). From
//! the guard it takes only the loaded [`Policy`] (data: names, sets, raw patterns) and the
//! [`crate::label::Tlp`] enum as a value.
//!
//! Checks, each a [`Finding`] when it fails (all are collected):
//! - limits: the output's size and nesting depth are within the policy's;
//! - shape: `{"id": "bundle--…", "objects": [...], "type": "bundle"}` and nothing else; each object
//!   has a `type`, an `id` of that type, and no id twice;
//! - types: every object's type is allowed (or passes when referenced, and is referenced);
//! - labels: every object's markings (object and granular) are understood and releasable;
//! - references: no `*_ref`, `*_refs`, marking ref or extension key dangles (reserved TLP ids
//!   excepted);
//! - properties: custom `x_…` properties only when named, allowlisted types only their
//!   properties, extensions only when named;
//! - text: no dirty word or redaction rule still matches the strings it covers;
//! - addresses: no indicator pattern literal is inside an internal network or domain.
//!
//! An output that starts with `<` is XML: read by `roxmltree` and checked by [`xml`] (binding,
//! 4774 label, namespace allowlists, text rules), sharing no code with `crate::format::xml`.
//!
//! ```
//! let policy = sekisho::policy::Policy::from_str(include_str!("../../policies/jpn-to-us.toml"), "p.toml").unwrap();
//! let red = sekisho::synth::bundle(1, 2, |_| Some(4));
//! assert!(sekisho::verifier::verify(red.as_bytes(), &policy).is_err());
//! ```

pub mod child;
pub mod content;
pub mod json;
pub mod label;
pub mod marking;
mod prose;
pub mod text;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::label::Tlp;
use crate::policy::Policy;
use json::{Json, Object, Walk};

/// One thing the verifier found wrong with an output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub detail: String,
    pub at: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.at, self.rule, self.detail)
    }
}

/// Properties every object keeps whatever its allowlist (identity and markings).
const ALWAYS: &[&str] = &[
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "object_marking_refs",
    "granular_markings",
];

/// The TLP 2.0 marking-definition extension, which reserved TLP 2.0 definitions carry.
const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The verifier, ready for one policy (its text rules compiled once).
pub struct Verifier<'p> {
    policy: &'p Policy,
    rules: Vec<text::Rule>,
    nets: Vec<text::Net>,
    domains: Vec<String>,
    prose: prose::Prose,
    /// `stix.free_statements`, compiled again here: each matches a whole statement.
    free_statements: Vec<regex::Regex>,
    /// `xml.free_restrictions`, likewise: each matches a whole CAP restriction.
    free_restrictions: Vec<regex::Regex>,
    /// `xml.free_label_texts`, likewise: each matches a whole free text of a 4774 label.
    free_label_texts: Vec<regex::Regex>,
}

/// What the checks of one output found of its strings, so that a string written again (a name,
/// a label, a kill chain many objects repeat) is not read again: each answer kept is a function
/// of the string alone (and of the policy). Only strings that said nothing are kept, each whole,
/// of at most [`Seen::LONGEST`] bytes, until they take an eighth of the output's bytes (at most
/// [`Seen::BUDGET`]: what the verifier holds grows with its input by a small fraction); a new
/// output starts with none.
#[derive(Default)]
struct Seen {
    /// What the kept strings may still take.
    left: usize,
    /// Strings that hold no marking (written or in prose) and nothing unread.
    silent: HashSet<Box<str>>,
    /// The text rules (a bit each, by their index) that read the string and did not match.
    rules: std::collections::HashMap<Box<str>, u128>,
    /// Strings in which no internal address or domain was found, not as a host's value (`[0]`)
    /// or as one (`[1]`).
    addresses: [HashSet<Box<str>>; 2],
}

impl Seen {
    const LONGEST: usize = 1024;
    const BUDGET: usize = 4 << 20;
    /// What an entry takes besides its bytes.
    const ENTRY: usize = 64;

    /// A memo for an output of `len` bytes.
    fn for_output(len: usize) -> Seen {
        Seen {
            left: (len / 8).min(Self::BUDGET),
            ..Seen::default()
        }
    }

    /// Whether `s` may be kept, counting it in when it may.
    fn keeps(&mut self, s: &str) -> bool {
        let size = s.len().saturating_add(Self::ENTRY);
        let kept = s.len() <= Self::LONGEST && size <= self.left;
        if kept {
            self.left = self.left.saturating_sub(size);
        }
        kept
    }
}

/// Patterns of free text, each compiled to match a whole text.
fn whole_matches(patterns: &[String]) -> Result<Vec<regex::Regex>, String> {
    patterns
        .iter()
        .map(|p| regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string()))
        .collect()
}

impl<'p> Verifier<'p> {
    pub fn new(policy: &'p Policy) -> Result<Verifier<'p>, String> {
        let rules = text::compile(policy)?;
        let (nets, domains) = text::internal(policy);
        Ok(Verifier {
            policy,
            rules,
            nets,
            domains,
            prose: prose::Prose::new(policy),
            free_statements: whole_matches(&policy.free_statements)?,
            free_restrictions: whole_matches(policy.xml.as_ref().map_or(&[][..], |x| &x.free_restrictions))?,
            free_label_texts: whole_matches(policy.xml.as_ref().map_or(&[][..], |x| &x.free_label_texts))?,
        })
    }

    /// Check one output; `Err` lists the findings: the first [`MAX_FINDINGS_PER_RULE`] of each
    /// rule, then for each rule that found more one finding that counts the rest.
    pub fn verify(&self, output: &[u8]) -> Result<(), Vec<Finding>> {
        let mut f = Findings::default();
        self.check(output, &mut f);
        let list = f.into_list();
        if list.is_empty() { Ok(()) } else { Err(list) }
    }

    fn check(&self, output: &[u8], f: &mut Findings) {
        let p = self.policy;
        if output.len() > p.limits.max_input_bytes {
            f.add(
                "limit",
                format!(
                    "the output is {} bytes, over {}",
                    output.len(),
                    p.limits.max_input_bytes
                ),
                "output",
            );
            return;
        }
        if output.first() == Some(&b'<') {
            return self.check_xml(output, f);
        }
        let doc = match json::parse(output, p.limits.max_depth) {
            Ok(d) => d,
            Err(e) => return f.add("json", e, "output"),
        };
        let Some(top) = doc.as_object() else {
            return f.add("shape", "the output is not a JSON object", "output");
        };
        let keys: Vec<&str> = top.keys().map(|k| k.as_ref()).collect();
        if keys != ["id", "objects", "type"] {
            f.add(
                "shape",
                format!("a bundle has id, objects and type only, not {keys:?}"),
                "output",
            );
        }
        if top.get("type").and_then(Json::as_str) != Some("bundle") {
            f.add("shape", "the output is not a STIX bundle", "/type");
        }
        if !top.get("id").and_then(Json::as_str).is_some_and(|i| is_id(i, "bundle")) {
            f.add("shape", "the bundle id is not `bundle--<uuid>`", "/id");
        }
        let Some(objects) = top.get("objects").and_then(Json::as_array) else {
            return f.add("shape", "`objects` is not a list", "/objects");
        };
        // Shape of each object, and the ids present.
        let mut ids: BTreeMap<&str, &Object<'_>> = BTreeMap::new();
        let mut ok = Vec::new();
        for (n, o) in objects.iter().enumerate() {
            let at = format!("/objects/{n}");
            let Some(o) = o.as_object() else {
                f.add("shape", "an object is not a JSON object", &at);
                continue;
            };
            let (Some(t), Some(id)) = (o.get("type").and_then(Json::as_str), o.get("id").and_then(Json::as_str)) else {
                f.add("shape", "an object without a string `type` and `id`", &at);
                continue;
            };
            if !is_id(id, t) {
                f.add("shape", format!("`{id}` is not an id of type `{t}`"), &at);
            }
            // Versions of one id each carry their own granular markings: only the newest goes
            // (the guard's rule too), so an output never holds an id twice.
            if ids.insert(id, o).is_some() {
                f.add(
                    "shape",
                    format!("`{id}` is in the bundle twice (only the newest version of an id goes)"),
                    &at,
                );
            }
            ok.push((id, t, o));
        }
        // Who refers to whom.
        let mut referenced: HashSet<String> = HashSet::new();
        for &(id, t, o) in &ok {
            for r in refs(t, o) {
                if r != id {
                    referenced.insert(r.clone());
                }
                if !ids.contains_key(r.as_str()) && label::reserved_tlp(&r).is_none() && r != TLP2_EXTENSION {
                    f.add("dangling-reference", format!("`{r}` is not in the output"), id);
                }
            }
        }
        let mut seen = Seen::for_output(output.len());
        for &(id, t, o) in &ok {
            if p.pass_when_referenced.contains(t) && !referenced.contains(id) {
                // Definitions that nothing released needs do not go.
                f.add("unreferenced", format!("`{t}` passes only when referred to"), id);
            }
            self.check_object(id, t, o, &ids, f, &mut seen);
        }
    }

    fn check_object(
        &self,
        id: &str,
        t: &str,
        o: &Object<'_>,
        ids: &BTreeMap<&str, &Object<'_>>,
        f: &mut Findings,
        seen: &mut Seen,
    ) {
        let p = self.policy;
        if !p.allowed_types.contains(t) && !p.pass_when_referenced.contains(t) {
            f.add("type", format!("type `{t}` is not allowed"), id);
        }
        if t == "marking-definition" {
            if marking::published_tlp(id, o) == Some(false) {
                f.add("label", "a reserved TLP id that is not its published definition", id);
            }
            if let Some(k) = o
                .keys()
                .find(|k| !marking::DEFINITION_KEYS.contains(&k.as_ref()) && !k.starts_with("x_"))
            {
                f.add("label", format!("a marking-definition may not have `{k}`"), id);
            }
        }
        member_names(t, o, id, f);
        self.check_label(id, t, o, ids, f, seen);
        self.check_properties(id, t, o, f);
        // Each string of the object (and each operand of its pattern) read for the text rules,
        // then for the address checks: one reading alive at a time (the readings of every string
        // of an object kept at once took 300 bytes a string, 75 per byte of a list of `"a"`).
        if !self.rules.is_empty() {
            let operands = pattern_operands(o);
            self.check_text(t, o, &operands, f, id, seen);
        }
        self.check_content(id, o, f, seen);
        // Embedded observed-data objects are judged like top-level ones: an allowed type.
        if let Some(embedded) = o.get("objects").and_then(Json::as_object) {
            for (k, e) in embedded {
                let et = e
                    .as_object()
                    .and_then(|e| e.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                if !p.allowed_types.contains(et) {
                    f.add(
                        "type",
                        format!("embedded object `{k}` of type `{et}` is not allowed"),
                        id,
                    );
                }
                // Markings are read on top-level objects only: one carried deeper cannot go.
                for m in ["object_marking_refs", "granular_markings"] {
                    if e.as_object().is_some_and(|e| e.contains_key(m)) {
                        f.add("marking", format!("embedded object `{k}` carries its own `{m}`"), id);
                    }
                }
            }
        }
    }

    /// Every string of the object, at any depth, for internal addresses and domains; members
    /// named `x_…` below the top level (custom content the guard strips at any depth).
    fn check_content(&self, id: &str, o: &Object<'_>, f: &mut Findings, seen: &mut Seen) {
        let looked_for = !self.nets.is_empty() || !self.domains.is_empty();
        for step in Walk::members(o) {
            let (key, depth) = (step.key, step.depth);
            match step.value {
                Json::Object(m) => {
                    for k in m.keys() {
                        if k.starts_with("x_") {
                            f.add("property", format!("custom member `{k}` inside `{key}`"), id);
                        }
                        if looked_for
                            && !k.starts_with("extension-definition--")
                            && let Some(hit) =
                                text::reading_reveals(&text::Reading::new(k), false, &self.nets, &self.domains)
                        {
                            f.add(
                                "internal-address",
                                format!("member name `{hit}` is inside an internal network or domain"),
                                id,
                            );
                        }
                    }
                }
                Json::String(s) => {
                    if !looked_for || shape_exempt(key, s) {
                        continue;
                    }
                    let host = key == "value" && depth == 0;
                    let hit = if key == "pattern" && depth == 0 {
                        text::pattern_reveals(s, &self.nets, &self.domains)
                    } else if seen
                        .addresses
                        .get(usize::from(host))
                        .is_some_and(|k| k.contains(s.as_ref()))
                    {
                        None
                    } else {
                        let hit = text::reading_reveals(&text::Reading::new(s), host, &self.nets, &self.domains);
                        if hit.is_none()
                            && seen.keeps(s)
                            && let Some(k) = seen.addresses.get_mut(usize::from(host))
                        {
                            k.insert(s.as_ref().into());
                        }
                        hit
                    };
                    if let Some(hit) = hit {
                        f.add(
                            "internal-address",
                            format!("`{hit}` is inside an internal network or domain"),
                            &format!("{id}/{key}"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn check_label(
        &self,
        id: &str,
        t: &str,
        o: &Object<'_>,
        ids: &BTreeMap<&str, &Object<'_>>,
        f: &mut Findings,
        seen: &mut Seen,
    ) {
        let p = self.policy;
        let mut marks = Vec::new();
        let mut refs: Vec<&str> = strings(o.get("object_marking_refs"));
        if let Some(gms) = o.get("granular_markings").and_then(Json::as_array) {
            for gm in gms {
                let g = gm.as_object();
                match g.and_then(|g| g.get("marking_ref")).and_then(Json::as_str) {
                    Some(r) => refs.push(r),
                    // A language marking states no releasability.
                    None if g.is_some_and(|g| g.get("lang").and_then(Json::as_str).is_some()) => {}
                    None => f.add(
                        "label",
                        "a granular marking the verifier does not read (no `marking_ref`)",
                        id,
                    ),
                }
            }
        }
        // The object's own markings are not units a granular marking may select.
        if let Some(gms) = o.get("granular_markings").and_then(Json::as_array) {
            for gm in gms.iter().filter_map(Json::as_object) {
                for s in strings(gm.get("selectors")) {
                    let head = s.split('.').next().unwrap_or(s);
                    if head == "object_marking_refs" || head == "granular_markings" {
                        f.add("label", format!("a granular marking selects `{s}`"), id);
                    }
                }
            }
        }
        // Markings written in the text of the object (`SECRET//NOFORN` in a description) are
        // its markings too.
        // A definition's statement and name are read as markings where they are referred to.
        let texts = o
            .iter()
            .filter(|(k, _)| {
                let own = t == "marking-definition" && matches!(k.as_ref(), "definition" | "name");
                !own && !matches!(k.as_ref(), "object_marking_refs" | "granular_markings")
            })
            .flat_map(|(_, v)| strings_in(v));
        // Member names below the top level are read too (a hash named `TLP-RED`), but for the
        // typed ones checked by their grammar ([`member_names`]).
        let mut names = Vec::new();
        for (k, v) in o.iter() {
            if !matches!(k.as_ref(), "object_marking_refs" | "granular_markings") {
                collect_names(v, t == "observed-data" && k == "objects", &mut names);
            }
        }
        // Each distinct name once.
        names.sort_unstable();
        names.dedup();
        for s in texts.chain(names).filter(|s| !shape_exempt("", s)) {
            if seen.silent.contains(s) {
                continue;
            }
            // Text a screen shows that no rule reads (a `data:` URI of compressed bytes, CSS
            // generated content) may not go, however clean the rest reads.
            let unread = text::unread(s);
            if let Some(why) = &unread {
                f.add("text-unreadable", why.clone(), id);
            }
            let found = marking::marks_in_each(s, p);
            let prose = self.prose.marks_in(s, &found);
            if unread.is_none() && found.is_empty() && prose.is_empty() && seen.keeps(s) {
                seen.silent.insert(s.into());
            }
            for m in found.into_keys().chain(prose) {
                match marking::read(&m, p) {
                    Ok(read) => marks.extend(read),
                    Err(e) => f.add("label", format!("the text holds `{m}`, a marking: {e}"), id),
                }
            }
        }
        for r in refs {
            if let Some(def) = ids.get(r)
                && marking::published_tlp(r, def) == Some(false)
            {
                f.add(
                    "label",
                    format!("reserved TLP id `{r}` is not its published definition"),
                    id,
                );
                continue;
            }
            if let Some(tlp) = label::reserved_tlp(r) {
                marks.push(label::Mark {
                    tlp: Some(tlp),
                    ..label::Mark::default()
                });
                continue;
            }
            let Some(def) = ids.get(r) else { continue }; // reported as dangling
            let statement = (def.get("definition_type").and_then(Json::as_str) == Some("statement"))
                .then(|| def.get("definition").and_then(Json::as_object))
                .flatten()
                .and_then(|d| d.get("statement"))
                .and_then(Json::as_str);
            let Some(statement) = statement.filter(|_| !def.contains_key("extensions")) else {
                f.add("label", format!("marking `{r}` is not one the verifier reads"), id);
                continue;
            };
            if let Some(k) = def
                .keys()
                .find(|k| !marking::DEFINITION_KEYS.contains(&k.as_ref()) && !k.starts_with("x_"))
            {
                f.add(
                    "label",
                    format!("marking `{r}` has `{k}`, which a marking-definition may not"),
                    id,
                );
            }
            let body = match marking::read(statement, p) {
                Ok(m) => m,
                Err(e) => {
                    f.add("label", e, id);
                    continue;
                }
            };
            if body.is_none() && !self.free_statements.iter().any(|re| re.is_match(statement.trim())) {
                f.add(
                    "label",
                    format!("marking `{r}`: its statement is free text no pattern of the policy lets go"),
                    id,
                );
                continue;
            }
            // The name is read too, as the statement is: a marking it states only tightens (it
            // may not bring a TLP the body lacks); free text goes only as a pattern allows it.
            let name = match def.get("name") {
                None => None,
                Some(n) => match n.as_str() {
                    Some(n) => Some(n),
                    None => {
                        f.add("label", format!("marking `{r}`: its `name` is not a string"), id);
                        continue;
                    }
                },
            };
            let named = match name.map(|n| (n, marking::read(n, p))) {
                None => None,
                Some((n, Ok(None))) => {
                    if !self.free_statements.iter().any(|re| re.is_match(n.trim())) {
                        f.add(
                            "label",
                            format!("marking `{r}`: its name is free text no pattern of the policy lets go"),
                            id,
                        );
                        continue;
                    }
                    None
                }
                Some((_, Ok(Some(m)))) => Some(m),
                Some((_, Err(e))) => {
                    f.add("label", e, id);
                    continue;
                }
            };
            if let Some(n) = &named
                && n.tlp.is_some()
                && body.as_ref().is_none_or(|b| b.tlp.is_none())
            {
                f.add(
                    "label",
                    format!("the name of `{r}` states a TLP its statement does not"),
                    id,
                );
            }
            marks.extend(body);
            marks.extend(named);
        }
        let allowed = label::allowed_control_words(p);
        let partner = p.partner.as_str();
        let rel_to_partner = marks.iter().any(|m| m.rel_to.is_some())
            && marks
                .iter()
                .all(|m| m.rel_to.as_ref().is_none_or(|r| r.contains(partner)));
        let mut tlps = BTreeSet::new();
        for m in &marks {
            if let Some(tl) = m.tlp {
                tlps.insert(tl);
            }
            for c in &m.controls {
                if !allowed.contains(c) {
                    f.add("label", format!("control `{c}` is not one the policy allows"), id);
                }
            }
            if let Some(rel) = &m.rel_to
                && !rel.contains(partner)
            {
                f.add("label", format!("not releasable to {partner}"), id);
            }
            if let Some((scheme, level)) = &m.level {
                let level = *level;
                if !within_ceiling(p, scheme, level) {
                    f.add("label", "classified above the ceiling".to_string(), id);
                }
                if level > 0 && m.rel_to.is_none() {
                    f.add("label", "a classified marking without its own `REL TO`", id);
                }
                if level > 0 && p.require_releasable_to_partner && !rel_to_partner {
                    f.add("label", format!("classified without `REL TO` {partner}"), id);
                }
            }
        }
        for tl in &tlps {
            if !p.tlp_allowed.contains(tl) {
                f.add("label", format!("{} may not go", tlp_name(*tl)), id);
            }
        }
        if tlps.is_empty() && p.tlp_required && !p.pass_when_referenced.contains(t) {
            f.add("label", "no TLP marking", id);
        }
    }

    fn check_properties(&self, id: &str, t: &str, o: &Object<'_>, f: &mut Findings) {
        let p = self.policy;
        let listed = p.properties.get(t);
        for k in o.keys() {
            if ALWAYS.contains(&k.as_ref()) {
                continue;
            }
            let ok = if k.starts_with("x_") {
                p.custom_properties.contains(k.as_ref()) && listed.is_none_or(|l| l.contains(k.as_ref()))
            } else {
                listed.is_none_or(|l| l.contains(k.as_ref()))
            };
            if !ok {
                f.add(
                    "property",
                    format!("`{k}` is not a property the policy lets through"),
                    id,
                );
            }
        }
        // STIX confidence is an integer 0-100 (`10203040e-6`, `50.0`, `"50"` are not).
        if let Some(c) = o.get("confidence")
            && !matches!(c, Json::Number(n) if n.as_u64().is_some_and(|v| v <= 100))
        {
            f.add("property-range", "`confidence` is not an integer from 0 to 100", id);
        }
        if t != "marking-definition"
            && let Some(ext) = o.get("extensions").and_then(Json::as_object)
        {
            for k in ext.keys().filter(|k| !p.extensions.contains(k.as_ref())) {
                f.add("extension", format!("extension `{k}` is not named by the policy"), id);
            }
        }
    }

    /// The text rules on the strings of the object each covers: a rule that still matches one
    /// is a finding (once a rule and object). Each string is read once for the rules that cover
    /// every string, and once more for each rule of paths that selects it; one reading is alive
    /// at a time.
    fn check_text(&self, t: &str, o: &Object<'_>, operands: &[String], f: &mut Findings, id: &str, seen: &mut Seen) {
        let pattern = o.get("pattern").and_then(Json::as_str).map(|p| p.as_ptr() as usize);
        // The strings each rule does not read, by where they are.
        let gone: Vec<HashSet<usize>> = self
            .rules
            .iter()
            .map(|rule| {
                let mut gone: HashSet<usize> = select(o, t, &rule.except).iter().map(|s| s.as_ptr() as usize).collect();
                // The pattern exempted: its operands' readings too.
                if pattern.is_some_and(|p| gone.contains(&p)) {
                    gone.extend(operands.iter().map(|x| x.as_ptr() as usize));
                }
                gone
            })
            .collect();
        // As written, and with its escapes decoded (`&#64;`, `%40`, `\x40`); a rule that read
        // the same string earlier in the output and did not match is not asked again.
        let reads = |k: usize, rule: &text::Rule, r: &text::Reading<'_>, seen: &mut Seen| {
            let s = r.text();
            let bit = u32::try_from(k).ok().and_then(|k| 1u128.checked_shl(k));
            if bit.is_some_and(|b| seen.rules.get(s).is_some_and(|m| m & b != 0)) {
                return false;
            }
            let hit = rule.matches(r) || r.unescaped().iter().any(|u| rule.matches(u));
            if !hit && let Some(b) = bit {
                if let Some(m) = seen.rules.get_mut(s) {
                    *m |= b;
                } else if seen.keeps(s) {
                    seen.rules.insert(s.into(), b);
                }
            }
            hit
        };
        let mut hit = vec![false; self.rules.len()];
        // The rules that read every string of the object, all on one reading of each string.
        if self.rules.iter().any(|r| r.paths.is_none()) {
            for s in object_texts(o, operands) {
                let open = |(rule, h): (&text::Rule, &bool)| rule.paths.is_none() && !*h;
                if !self.rules.iter().zip(&hit).any(open) {
                    break;
                }
                let r = text::Reading::new(s);
                for (k, ((rule, h), gone)) in self.rules.iter().zip(hit.iter_mut()).zip(&gone).enumerate() {
                    if rule.paths.is_none() && !*h && !gone.contains(&(s.as_ptr() as usize)) && reads(k, rule, &r, seen)
                    {
                        *h = true;
                    }
                }
            }
        }
        // The rules of paths, each on the strings it selects.
        for (k, ((rule, h), gone)) in self.rules.iter().zip(hit.iter_mut()).zip(&gone).enumerate() {
            if let Some(paths) = &rule.paths {
                *h = select(o, t, paths)
                    .into_iter()
                    .filter(|s| !gone.contains(&(s.as_ptr() as usize)))
                    .any(|s| reads(k, rule, &text::Reading::new(s), seen));
            }
        }
        for (rule, h) in self.rules.iter().zip(&hit) {
            if *h {
                f.add(
                    "text-rule",
                    format!("rule `{}` still matches a string of the object", rule.id),
                    id,
                );
            }
        }
    }
}

/// A pattern's MATCHES and LIKE operands, read without escapes and wildcards, and the text its
/// binary and hex constants hold.
fn pattern_operands(o: &Object<'_>) -> Vec<String> {
    let pattern = o.get("pattern").and_then(Json::as_str);
    pattern
        .map(text::operands)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(op, lit)| match op.as_str() {
            "matches" => vec![lit.replace('\\', "")],
            // Wildcards as gaps; and between its outer wildcards as text, whose escapes are read
            // too (`%202%2D555%2D0143%`).
            "like" => {
                let one = lit.strip_prefix('%').unwrap_or(&lit);
                vec![
                    lit.replace(['%', '_'], " "),
                    one.strip_suffix('%').unwrap_or(one).to_string(),
                    lit.trim_matches('%').to_string(),
                ]
            }
            _ => Vec::new(),
        })
        .chain(pattern.map(text::binary_texts).unwrap_or_default())
        .collect()
}

/// Every string of the object at any depth, the member names of its nested dictionaries (they
/// cross too) but extension-definition ids, and its pattern's `operands`; one at a time.
fn object_texts<'o>(o: &'o Object<'_>, operands: &'o [String]) -> impl Iterator<Item = &'o str> {
    Walk::members(o)
        .flat_map(|step| {
            let (one, names) = match step.value {
                Json::String(x) => (Some(x.as_ref()), None),
                Json::Object(m) => (
                    None,
                    Some(
                        m.keys()
                            .map(|k| k.as_ref())
                            .filter(|k| !k.starts_with("extension-definition--")),
                    ),
                ),
                _ => (None, None),
            };
            one.into_iter().chain(names.into_iter().flatten())
        })
        .chain(operands.iter().map(String::as_str))
}

/// Check one output under `policy` (compiling the policy's text rules each time: for many
/// messages, make a [`Verifier`] once).
pub fn verify(output: &[u8], policy: &Policy) -> Result<(), Vec<Finding>> {
    let v = Verifier::new(policy).map_err(|e| {
        vec![Finding {
            rule: "policy".into(),
            detail: e,
            at: "policy".into(),
        }]
    })?;
    v.verify(output)
}

/// How many findings of one rule the verifier keeps: the rest are counted, and listed as one
/// finding of that rule ("and N more"). An output may hold a million strings that each still
/// match a rule; what the verifier holds about it stays bounded (so does its answer to the
/// daemon and the quarantine's reason file), and its time linear.
pub const MAX_FINDINGS_PER_RULE: usize = 1000;

/// Bytes of a finding's detail or place that are kept: a longer one keeps its start and its end
/// around `…` (the path of an element under a long name is not copied into every finding).
pub const MAX_FINDING_BYTES: usize = 1024;

/// The findings of one output while it is checked: every finding is counted by its rule; the
/// first [`MAX_FINDINGS_PER_RULE`] of each rule are kept, each cut to [`MAX_FINDING_BYTES`].
#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    /// How many findings each rule made (kept or not).
    counts: BTreeMap<String, usize>,
}

impl Findings {
    fn add(&mut self, rule: &str, detail: impl Into<String>, at: &str) {
        let count = match self.counts.get_mut(rule) {
            Some(c) => {
                *c = c.saturating_add(1);
                *c
            }
            None => {
                self.counts.insert(rule.to_string(), 1);
                1
            }
        };
        if count > MAX_FINDINGS_PER_RULE {
            return;
        }
        self.list.push(Finding {
            rule: rule.into(),
            detail: cut(&detail.into()),
            at: cut(at),
        });
    }

    /// The kept findings, then one for each rule that made more than it kept.
    fn into_list(self) -> Vec<Finding> {
        let mut list = self.list;
        for (rule, count) in self.counts {
            let more = count.saturating_sub(MAX_FINDINGS_PER_RULE);
            if more > 0 {
                list.push(Finding {
                    detail: format!("and {more} more findings of rule `{rule}`"),
                    rule,
                    at: "output".into(),
                });
            }
        }
        list
    }
}

/// `s` whole when it has at most [`MAX_FINDING_BYTES`] bytes; else its start and its end (cut at
/// characters) around `…`.
fn cut(s: &str) -> String {
    if s.len() <= MAX_FINDING_BYTES {
        return s.to_string();
    }
    let half = MAX_FINDING_BYTES / 2;
    let mut head = half;
    while !s.is_char_boundary(head) {
        head = head.saturating_sub(1);
    }
    let mut tail = s.len().saturating_sub(half);
    while !s.is_char_boundary(tail) {
        tail = tail.saturating_add(1);
    }
    format!(
        "{}…{}",
        s.get(..head).unwrap_or_default(),
        s.get(tail..).unwrap_or_default()
    )
}

fn tlp_name(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "TLP:CLEAR",
        Tlp::Green => "TLP:GREEN",
        Tlp::Amber => "TLP:AMBER",
        Tlp::AmberStrict => "TLP:AMBER+STRICT",
        Tlp::Red => "TLP:RED",
    }
}

/// Whether level `level` of scheme `scheme` is at or below the policy's ceiling: directly in the
/// ceiling's scheme, or through an equivalence between the two schemes (either way round). No
/// equivalence, or a level it does not map: not within.
fn within_ceiling(p: &Policy, scheme: &str, level: usize) -> bool {
    let index = |s: &str, name: &str| {
        p.schemes
            .iter()
            .find(|x| x.name == s)
            .and_then(|x| x.levels.iter().position(|l| l.name == name))
    };
    let level_name = |s: &str, i: usize| {
        p.schemes
            .iter()
            .find(|x| x.name == s)
            .and_then(|x| x.levels.get(i))
            .map(|l| l.name.clone())
    };
    let (cs, cl) = (p.ceiling.scheme.as_str(), p.ceiling.level.as_str());
    if scheme == cs {
        return index(cs, cl).is_some_and(|c| level <= c);
    }
    let Some(name) = level_name(scheme, level) else {
        return false;
    };
    for e in p.schemes.equivalences() {
        // The ceiling mapped into the banner's scheme.
        if e.from == cs && e.to == scheme {
            return e.map.get(cl).and_then(|c| index(scheme, c)).is_some_and(|c| level <= c);
        }
        // The banner's level mapped into the ceiling's scheme.
        if e.from == scheme && e.to == cs {
            return e
                .map
                .get(&name)
                .and_then(|l| index(cs, l))
                .zip(index(cs, cl))
                .is_some_and(|(l, c)| l <= c);
        }
    }
    false
}

/// `<type>--<uuid>` (8-4-4-4-12 lowercase hex).
fn is_id(id: &str, t: &str) -> bool {
    let Some(uuid) = id.strip_prefix(t).and_then(|r| r.strip_prefix("--")) else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// The strings of `o` (of type `t`) that `paths` (type or `*`, property steps; `**` any depth)
/// select.
fn select<'a, 'j>(o: &'a Object<'j>, t: &str, paths: &[(String, Vec<String>)]) -> Vec<&'a str> {
    let mut texts = Vec::new();
    for (_, steps) in paths.iter().filter(|(pt, _)| pt == "*" || pt == t) {
        let mut at: Vec<&'a Object<'j>> = vec![o];
        let mut leaves: Vec<&Json> = Vec::new();
        for (n, step) in steps.iter().enumerate() {
            let last = n + 1 == steps.len();
            let mut next = Vec::new();
            if step == "**" {
                // Every object at any depth below (and this one).
                let mut stack = at.clone();
                while let Some(m) = stack.pop() {
                    next.push(m);
                    for v in m.values() {
                        let mut inner = Vec::new();
                        descend_objects(v, &mut inner);
                        stack.extend(inner);
                    }
                }
                if last {
                    for m in &next {
                        leaves.extend(m.values());
                    }
                }
                at = next;
                continue;
            }
            for obj in at {
                let Some(v) = obj.get(step.as_str()) else { continue };
                if last {
                    leaves.push(v);
                } else {
                    descend_objects(v, &mut next);
                }
            }
            at = next;
        }
        for l in leaves {
            collect_strings(l, &mut texts);
        }
    }
    texts
}

/// Strings the verifier does not read as text, by their shape: identifiers (as `id` and in
/// references), timestamps, hash values whose digits write no text and the object's type.
fn shape_exempt(key: &str, s: &str) -> bool {
    let id_shaped = s.split_once("--").is_some_and(|(t, u)| is_id(s, t) && !u.is_empty());
    let timestamp = s.len() >= 20
        && s.ends_with('Z')
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'.' || b == b'Z',
            _ => b.is_ascii_digit() || b == b'Z',
        });
    // A hash unless its digits write text (hex of a phrase in a hash's place).
    let hash =
        (key.contains("hash") || (s.len() >= 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))) && !text::writes_text(s);
    key == "type" || id_shaped || timestamp || hash
}

fn strings<'a>(v: Option<&'a Json<'_>>) -> Vec<&'a str> {
    v.and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

/// Every identifier an object refers to: `*_ref` strings and `*_refs` lists at any depth, and
/// extension-definition keys of `extensions`.
fn refs(t: &str, o: &Object<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut walk = Walk::members(o);
    while let Some(step) = walk.next() {
        match step.value {
            Json::String(s) if !step.in_list && step.key.ends_with("_ref") => out.push(s.to_string()),
            Json::Array(a) if !step.in_list && step.key.ends_with("_refs") => {
                out.extend(a.iter().filter_map(Json::as_str).map(str::to_string));
                walk.skip_below();
            }
            _ => {}
        }
    }
    if t != "marking-definition"
        && let Some(ext) = o.get("extensions").and_then(Json::as_object)
    {
        out.extend(
            ext.keys()
                .filter(|k| k.starts_with("extension-definition--"))
                .map(|k| k.to_string()),
        );
    }
    out
}

/// The hash names of STIX 2.1's hashing-algorithm-ov (§10.7).
const HASH_NAMES: &[&str] = &[
    "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
];

/// Whether `k` may name a hash: a name of the vocabulary, or a custom one (`x_`, then ASCII
/// letters, digits, `-`, `_`; 3 to 250 in all).
fn hash_name(k: &str) -> bool {
    HASH_NAMES.contains(&k)
        || (k.starts_with("x_")
            && k.len() >= 3
            && k.len() <= 250
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Whether `k` may key an observed-data object: a decimal number of 1 to 10 digits.
fn object_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 10 && k.bytes().all(|b| b.is_ascii_digit())
}

/// Every member name below `v` a reader sees as text: not the names of a vocabulary hash, nor
/// observed-data object keys (`objects`: `v` is that dictionary), nor extension ids, which
/// [`member_names`] holds to their grammar instead.
fn collect_names<'a>(v: &'a Json<'_>, objects: bool, out: &mut Vec<&'a str>) {
    let mut stack = vec![(v, false, objects)];
    while let Some((v, hashes, objects)) = stack.pop() {
        match v {
            Json::Array(a) => stack.extend(
                a.iter()
                    .filter(|x| matches!(x, Json::Object(_) | Json::Array(_)))
                    .map(|x| (x, false, false)),
            ),
            Json::Object(o) => {
                for (k, x) in o {
                    let typed = objects
                        || (hashes && HASH_NAMES.contains(&k.as_ref()))
                        || k.starts_with("extension-definition--");
                    if !typed {
                        out.push(k);
                    }
                    stack.push((x, k == "hashes", false));
                }
            }
            _ => {}
        }
    }
}

/// The member names of the typed kinds, each of its grammar: hash names, observed-data object
/// keys.
fn member_names(t: &str, o: &Object<'_>, id: &str, f: &mut Findings) {
    let mut stack: Vec<(&Json<'_>, bool, bool)> = o
        .iter()
        .map(|(k, v)| (v, k == "hashes", t == "observed-data" && k == "objects"))
        .collect();
    while let Some((v, hashes, objects)) = stack.pop() {
        match v {
            Json::Array(a) => stack.extend(
                a.iter()
                    .filter(|x| matches!(x, Json::Object(_) | Json::Array(_)))
                    .map(|x| (x, false, false)),
            ),
            Json::Object(m) => {
                for (k, x) in m {
                    if hashes && !hash_name(k) {
                        f.add("member-name", format!("`{k}` is not a hash name"), id);
                    }
                    if objects && !object_key(k) {
                        f.add("member-name", format!("`{k}` is not an observed-data object key"), id);
                    }
                    stack.push((x, k == "hashes", false));
                }
            }
            _ => {}
        }
    }
}

fn collect_strings<'a>(v: &'a Json<'_>, out: &mut Vec<&'a str>) {
    out.extend(strings_in(v));
}

/// `v` when a string, and every string below it, one at a time.
fn strings_in<'o>(v: &'o Json<'_>) -> impl Iterator<Item = &'o str> {
    std::iter::once(v)
        .chain(Walk::below(v).map(|s| s.value))
        .filter_map(Json::as_str)
}

fn descend_objects<'a, 'j>(v: &'a Json<'j>, out: &mut Vec<&'a Object<'j>>) {
    match v {
        Json::Object(o) => out.push(o),
        Json::Array(a) => a.iter().for_each(|x| descend_objects(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
