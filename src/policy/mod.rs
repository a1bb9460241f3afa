//! Policies: the rule files (TOML) that say what may go to the partner.
//!
//! A rule file is read with serde (`deny_unknown_fields` everywhere), then validated by a chain of
//! independent passes that collect every finding, each located as `file:line:col: field: what`.
//! The guard never starts with a policy it could not load entirely.
//!
//! ```
//! let policy = sekisho::policy::Policy::from_str(include_str!("../../policies/jpn-to-us.toml"), "jpn-to-us.toml").unwrap();
//! assert_eq!(policy.partner.as_str(), "USA");
//! ```

pub mod decide;
mod locate;
pub mod paths;
pub mod resolve;
pub mod sanitise;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::format::Format;
use crate::format::stix::types as stix_types;
use crate::label::{Classification, Code, Control, Equivalence, Scheme, Schemes, SchemesConfig, Tlp};
use crate::limits::Limits;

pub use decide::{Decision, Verdict};
use sanitise::{
    AddressRule, Cidr, DirtyAction, DirtyWordList, Matcher, PatternRule, RawPattern, RedactRule, RuleSource, TextPath,
    TextRule, TextRules,
};

/// What happens to a message with units that may not go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Release what may go, drop the rest.
    Drop,
    /// Any unit that may not go rejects the whole message.
    AllOrNothing,
}

/// What happens to an object of a type the guard does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownAction {
    Drop,
    Reject,
}

// ---------------------------------------------------------------------------------------------
// The file, as written
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    name: String,
    #[serde(default)]
    description: String,
    partner: Code,
    #[serde(default = "default_formats")]
    formats: Vec<Format>,
    mode: Mode,
    #[serde(default)]
    schemes: Vec<Scheme>,
    #[serde(default)]
    equivalences: Vec<Equivalence>,
    classification: ClassificationRules,
    #[serde(default)]
    controls: ControlRules,
    tlp: TlpRules,
    #[serde(default)]
    unmarked: UnmarkedRules,
    stix: StixRules,
    /// XML messages under STANAG 4774 labels (needed when `formats` lists `xml`).
    #[serde(default)]
    xml: Option<XmlRules>,
    /// Redaction rules, applied in order to the strings they select.
    #[serde(default)]
    redact: Vec<RedactRule>,
    /// Dirty-word lists.
    #[serde(default)]
    dirty_words: Vec<DirtyWordList>,
    /// Internal ranges and domains that indicator patterns must not reveal.
    #[serde(default)]
    pattern_rules: Vec<PatternRule>,
    #[serde(default)]
    limits: Limits,
}

fn default_formats() -> Vec<Format> {
    vec![Format::Stix]
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClassificationRules {
    /// The scheme this side marks in (banners in statement markings are read with it).
    scheme: String,
    /// The highest level that may go.
    ceiling: String,
    /// A unit above the scheme's lowest level must be marked releasable to the partner.
    #[serde(default = "yes")]
    require_releasable_to_partner: bool,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ControlRules {
    /// Controls that stop release.
    #[serde(default)]
    forbidden: Vec<String>,
    /// Controls that do not stop release (any other control does: default deny).
    #[serde(default)]
    allowed: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct TlpRules {
    allowed: Vec<Tlp>,
    /// A unit without a TLP marking is not released.
    #[serde(default = "yes")]
    required: bool,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct UnmarkedRules {
    /// Types that may pass without a marking when a released object refers to them.
    #[serde(default)]
    pass_when_referenced: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct StixRules {
    allowed_types: Vec<String>,
    #[serde(default = "drop_unknown")]
    unknown_types: UnknownAction,
    /// Per type, the properties that may cross (types not listed keep every property the
    /// specification defines for them).
    #[serde(default)]
    properties: BTreeMap<String, Vec<String>>,
    /// Custom properties (`x_…`) that may cross; all others are stripped.
    #[serde(default)]
    custom_properties: Vec<String>,
    /// Extensions (extension-definition ids or predefined extension names) that may cross.
    #[serde(default)]
    extensions: Vec<String>,
}

fn drop_unknown() -> UnknownAction {
    UnknownAction::Drop
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct XmlRules {
    /// STANAG 4774 `PolicyIdentifier` values (e.g. `NATO`) → the scheme (in `schemes`) whose
    /// levels the label's `Classification` names.
    policy_identifiers: BTreeMap<String, String>,
    /// `TagName`s of PERMISSIVE categories whose values are the releasable-to set.
    #[serde(default = "releasable_to_tags")]
    releasable_to: Vec<String>,
    /// `TagName`s of RESTRICTIVE (or other PERMISSIVE) categories the partner is cleared for;
    /// any other such category stops release.
    #[serde(default)]
    cleared_restrictive: Vec<String>,
    /// Accept comments (they are discarded, never rendered).
    #[serde(default)]
    allow_comments: bool,
    /// Accept CDATA sections (their content becomes ordinary text).
    #[serde(default)]
    allow_cdata: bool,
    /// What happens to a payload element outside the namespace allowlists.
    #[serde(default = "drop_unknown")]
    unknown_elements: UnknownAction,
    /// A message without TLP is not released (4774 labels carry none, so this is usually off).
    #[serde(default = "yes")]
    tlp_required: bool,
    /// Per namespace, the payload elements and (unprefixed) attributes that may cross.
    #[serde(default)]
    namespaces: Vec<XmlNamespaceRules>,
}

fn releasable_to_tags() -> Vec<String> {
    vec!["Releasable to".to_string()]
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct XmlNamespaceRules {
    /// The namespace URI, e.g. `urn:oasis:names:tc:emergency:cap:1.2`.
    uri: String,
    /// Local names of the elements that may cross.
    elements: Vec<String>,
    /// Local names of the attributes that may cross: unprefixed and `xml:` attributes of this
    /// namespace's elements, and attributes in this namespace.
    #[serde(default)]
    attributes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The policy, validated
// ---------------------------------------------------------------------------------------------

/// A loaded, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub partner: Code,
    pub formats: Vec<Format>,
    pub mode: Mode,
    pub schemes: Schemes,
    /// This side's scheme.
    pub scheme: Scheme,
    pub ceiling: Classification,
    pub require_releasable_to_partner: bool,
    pub forbidden_controls: BTreeSet<Control>,
    pub allowed_controls: BTreeSet<Control>,
    pub tlp_allowed: BTreeSet<Tlp>,
    pub tlp_required: bool,
    pub pass_when_referenced: BTreeSet<String>,
    pub allowed_types: BTreeSet<String>,
    pub unknown_types: UnknownAction,
    /// Per type, the properties that may cross.
    pub properties: BTreeMap<String, BTreeSet<String>>,
    pub custom_properties: BTreeSet<String>,
    pub extensions: BTreeSet<String>,
    /// Dirty-word lists, then redactions, in the order the file gives them.
    pub text_rules: Arc<TextRules>,
    pub address_rules: Vec<AddressRule>,
    /// Rules for XML messages, when the policy allows them.
    pub xml: Option<XmlPolicy>,
    pub limits: Limits,
    /// SHA-256 of the resolved rule file (the file itself when it extends and includes nothing):
    /// the policy's version, for the audit log.
    pub sha256: String,
    /// Findings that do not stop the policy from loading, located like errors.
    warnings: Vec<Diagnostic>,
}

/// The `[xml]` rules, validated.
#[derive(Debug, Clone)]
pub struct XmlPolicy {
    pub options: crate::format::xml::Options,
    pub unknown_elements: UnknownAction,
    pub tlp_required: bool,
    /// 4774 policy identifier → scheme name (a scheme of the policy).
    pub policy_identifiers: BTreeMap<String, String>,
    pub releasable_to: BTreeSet<String>,
    pub cleared_restrictive: BTreeSet<String>,
    /// Namespace URI → what may cross in it.
    pub namespaces: BTreeMap<String, XmlNamespace>,
}

/// The elements and attributes of one namespace that may cross.
#[derive(Debug, Clone, Default)]
pub struct XmlNamespace {
    pub elements: BTreeSet<String>,
    pub attributes: BTreeSet<String>,
}

/// Whether a finding stops the policy from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a policy file, an error or a warning, located in the file that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The field, e.g. `tlp.allowed[2]`.
    pub field: String,
    pub detail: String,
}

/// The name errors had before warnings shared their type.
pub type PolicyError = Diagnostic;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warning = if self.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        write!(
            f,
            "{}:{}:{}: {warning}{}: {}",
            self.file, self.line, self.column, self.field, self.detail
        )
    }
}

/// Every error found in a policy file (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct PolicyErrors(pub Vec<Diagnostic>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, e) in self.0.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl Policy {
    /// Load and validate the rule file at `path`, with what it extends and includes
    /// ([`resolve`]).
    pub fn load(path: &Path) -> Result<Policy, PolicyErrors> {
        let resolved = resolve::resolve(path)?;
        Policy::from_resolved(&resolved, path.parent())
    }

    /// Validate a rule file's text; `file` names it in errors. Dirty-word files, `extends` and
    /// `include` are not available this way (use [`Policy::load`]).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, file: &str) -> Result<Policy, PolicyErrors> {
        Policy::parse(text, file, None)
    }

    /// Validate a rule file's text; word files it names are found relative to `base`.
    pub fn parse(text: &str, file: &str, base: Option<&Path>) -> Result<Policy, PolicyErrors> {
        Policy::from_resolved(&resolve::from_text(text, file)?, base)
    }

    /// Validate a resolved rule file: every problem found, each located in the file that wrote it.
    pub fn from_resolved(resolved: &resolve::Resolved, base: Option<&Path>) -> Result<Policy, PolicyErrors> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let policy =
            read_file(&resolved.text, &mut errors).and_then(|raw| validate(raw, base, &mut errors, &mut warnings));
        let locate = |severity: Severity, (field, detail): (String, String)| {
            let (file, line, column) = resolved.locate(&field);
            Diagnostic {
                severity,
                file,
                line,
                column,
                field,
                detail,
            }
        };
        match policy {
            Some(mut p) if errors.is_empty() => {
                p.sha256 = hex::encode(Sha256::digest(resolved.text.as_bytes()));
                p.warnings = warnings.into_iter().map(|w| locate(Severity::Warning, w)).collect();
                Ok(p)
            }
            _ => Err(PolicyErrors(
                errors.into_iter().map(|e| locate(Severity::Error, e)).collect(),
            )),
        }
    }

    /// Things an author probably did not mean, which do not stop the policy from loading, each
    /// located like an error.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The JSON Schema of rule files, generated from the types the loader reads them with. A
    /// file that `extends` another holds only what it changes (and may edit lists with
    /// `{ add, remove }`), so it is checked for its top-level names only; `policy check` checks
    /// what it resolves to.
    pub fn json_schema() -> String {
        let full = serde_json::to_value(schemars::schema_for!(PolicyFile)).unwrap_or_default();
        let serde_json::Value::Object(mut full) = full else {
            return String::new();
        };
        let defs = full.remove("$defs");
        let schema_uri = full.remove("$schema");
        let title = full.remove("title");
        let include = serde_json::json!({
            "description": "Shared rule files whose `redact`, `dirty_words` and `pattern_rules` are appended.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": { "file": { "type": "string", "description": "Relative to this file." } },
                "required": ["file"],
                "additionalProperties": false
            }
        });
        let extends = serde_json::json!({
            "description": "A rule file this one is built on: its keys, then this file's on top.",
            "type": "string"
        });
        let mut names = serde_json::Map::new();
        if let Some(serde_json::Value::Object(props)) = full.get_mut("properties") {
            for k in props.keys() {
                names.insert(k.clone(), serde_json::Value::Bool(true));
            }
            props.insert("include".into(), include.clone());
        }
        names.insert("extends".into(), extends.clone());
        names.insert("include".into(), include);
        let mut root = serde_json::Map::new();
        if let Some(v) = schema_uri {
            root.insert("$schema".into(), v);
        }
        if let Some(v) = title {
            root.insert("title".into(), v);
        }
        root.insert("type".into(), "object".into());
        root.insert("if".into(), serde_json::json!({ "required": ["extends"] }));
        root.insert(
            "then".into(),
            serde_json::json!({ "properties": names, "additionalProperties": false }),
        );
        root.insert("else".into(), serde_json::Value::Object(full));
        if let Some(v) = defs {
            root.insert("$defs".into(), v);
        }
        serde_json::to_string_pretty(&serde_json::Value::Object(root)).unwrap_or_default() + "\n"
    }

    /// Whether objects of STIX type `t` may go at all.
    pub fn allows_type(&self, t: &str) -> bool {
        self.allowed_types.contains(t) || self.pass_when_referenced.contains(t)
    }
}

type Findings = Vec<(String, String)>;

/// The TOML stage: the file read into [`PolicyFile`], or every problem with it (each section is
/// read on its own, so one wrong section does not hide the next), with the field that is wrong.
fn read_file(text: &str, errors: &mut Findings) -> Option<PolicyFile> {
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            errors.push(("-".into(), format!("TOML syntax: {}", e.message())));
            return None;
        }
    };
    fn section<T: serde::de::DeserializeOwned>(table: &toml::Table, key: &str, errors: &mut Findings) {
        if let Some(v) = table.get(key)
            && let Err(e) = serde_path_to_error::deserialize::<_, T>(v.clone())
        {
            let inner = e.path().to_string();
            let field = if inner == "." || inner.is_empty() {
                key.to_string()
            } else if inner.starts_with('[') {
                format!("{key}{inner}")
            } else {
                format!("{key}.{inner}")
            };
            errors.push((field, e.into_inner().to_string()));
        }
    }
    let before = errors.len();
    const REQUIRED: &[&str] = &["name", "partner", "mode", "classification", "tlp", "stix"];
    const OPTIONAL: &[&str] = &[
        "description",
        "formats",
        "schemes",
        "equivalences",
        "controls",
        "unmarked",
        "xml",
        "redact",
        "dirty_words",
        "pattern_rules",
        "limits",
    ];
    for key in REQUIRED {
        if !table.contains_key(*key) {
            errors.push((key.to_string(), format!("`{key}` is required")));
        }
    }
    for key in table.keys() {
        if !REQUIRED.contains(&key.as_str()) && !OPTIONAL.contains(&key.as_str()) {
            let known = REQUIRED.iter().chain(OPTIONAL);
            let hint = known
                .min_by_key(|k| strsim::levenshtein(k, key))
                .filter(|k| strsim::levenshtein(k, key) <= 3)
                .map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
            errors.push((key.clone(), format!("`{key}` is not a policy field{hint}")));
        }
    }
    section::<String>(&table, "name", errors);
    section::<String>(&table, "description", errors);
    section::<Code>(&table, "partner", errors);
    section::<Vec<Format>>(&table, "formats", errors);
    section::<Mode>(&table, "mode", errors);
    section::<Vec<Scheme>>(&table, "schemes", errors);
    section::<Vec<Equivalence>>(&table, "equivalences", errors);
    section::<ClassificationRules>(&table, "classification", errors);
    section::<ControlRules>(&table, "controls", errors);
    section::<TlpRules>(&table, "tlp", errors);
    section::<UnmarkedRules>(&table, "unmarked", errors);
    section::<StixRules>(&table, "stix", errors);
    section::<XmlRules>(&table, "xml", errors);
    section::<Vec<RedactRule>>(&table, "redact", errors);
    section::<Vec<DirtyWordList>>(&table, "dirty_words", errors);
    section::<Vec<PatternRule>>(&table, "pattern_rules", errors);
    section::<Limits>(&table, "limits", errors);
    if errors.len() > before {
        return None;
    }
    match serde_path_to_error::deserialize::<_, PolicyFile>(toml::Value::Table(table)) {
        Ok(raw) => Some(raw),
        Err(e) => {
            errors.push((e.path().to_string(), e.into_inner().to_string()));
            None
        }
    }
}

/// The validation passes; each adds `(field, what)` findings and they all run.
fn validate(raw: PolicyFile, base: Option<&Path>, errors: &mut Findings, warnings: &mut Findings) -> Option<Policy> {
    for (n, t) in raw.unmarked.pass_when_referenced.iter().enumerate() {
        if !raw.stix.allowed_types.contains(t) {
            warnings.push((
                format!("unmarked.pass_when_referenced[{n}]"),
                format!("`{t}` may pass when referenced but is not in `stix.allowed_types`"),
            ));
        }
    }
    if raw.tlp.allowed.is_empty() {
        warnings.push((
            "tlp.allowed".into(),
            "no TLP level is allowed: only unmarked units could go".into(),
        ));
    }
    let schemes = schemes_pass(&raw, errors);
    let (scheme, ceiling) = match &schemes {
        Some(s) => ceiling_pass(&raw, s, errors),
        None => (None, None),
    };
    let forbidden_controls = controls_pass(&raw.controls.forbidden, "controls.forbidden", errors);
    let allowed_controls = controls_pass(&raw.controls.allowed, "controls.allowed", errors);
    for c in forbidden_controls.intersection(&allowed_controls) {
        errors.push((
            "controls.allowed".into(),
            format!("`{c}` is both forbidden and allowed"),
        ));
    }
    if raw.tlp.allowed.is_empty() && raw.tlp.required {
        errors.push((
            "tlp.allowed".into(),
            "no TLP level is allowed but TLP is required: nothing could ever be released".into(),
        ));
    }
    let allowed_types = types_pass(&raw.stix.allowed_types, "stix.allowed_types", errors);
    let pass_when_referenced = types_pass(
        &raw.unmarked.pass_when_referenced,
        "unmarked.pass_when_referenced",
        errors,
    );
    if raw.formats.is_empty() {
        errors.push(("formats".into(), "a policy must allow at least one format".into()));
    }
    if raw.name.trim().is_empty() {
        errors.push(("name".into(), "a policy needs a name".into()));
    }
    let properties = properties_pass(&raw.stix, &allowed_types, errors, warnings);
    let mut text_rules = dirty_words_pass(&raw.dirty_words, base, errors, warnings);
    text_rules.extend(redact_pass(&raw.redact, errors));
    let address_rules = pattern_rules_pass(&raw.pattern_rules, errors);
    let xml = xml_pass(&raw, schemes.as_ref(), errors, warnings);
    paths_pass(&raw, &allowed_types, &pass_when_referenced, errors);
    Some(Policy {
        name: raw.name,
        description: raw.description,
        partner: raw.partner,
        formats: raw.formats,
        mode: raw.mode,
        schemes: schemes?,
        scheme: scheme?,
        ceiling: ceiling?,
        require_releasable_to_partner: raw.classification.require_releasable_to_partner,
        forbidden_controls,
        allowed_controls,
        tlp_allowed: raw.tlp.allowed.into_iter().collect(),
        tlp_required: raw.tlp.required,
        pass_when_referenced,
        allowed_types,
        unknown_types: raw.stix.unknown_types,
        properties,
        custom_properties: raw.stix.custom_properties.into_iter().collect(),
        extensions: raw.stix.extensions.into_iter().collect(),
        text_rules: Arc::new(TextRules::new(text_rules).unwrap_or_else(|e| {
            errors.push((
                "redact".into(),
                format!("the regular expressions together are too large: {e}"),
            ));
            TextRules::default()
        })),
        address_rules,
        xml,
        limits: raw.limits,
        sha256: String::new(),
        warnings: Vec::new(),
    })
}

fn properties_pass(
    stix: &StixRules,
    allowed_types: &BTreeSet<String>,
    errors: &mut Findings,
    warnings: &mut Findings,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (t, props) in &stix.properties {
        let field = format!("stix.properties.{t}");
        match stix_types::lookup(t) {
            None if !t.starts_with("x-") => {
                errors.push((field.clone(), format!("`{t}` is not a STIX 2.1 type")));
                continue;
            }
            Some(def) => {
                let known: BTreeSet<&str> = stix_types::common(def)
                    .iter()
                    .chain(def.props)
                    .map(|p| p.name)
                    .collect();
                for (n, p) in props.iter().enumerate() {
                    if !known.contains(p.as_str()) && !stix.custom_properties.contains(p) {
                        errors.push((
                            format!("{field}[{n}]"),
                            format!(
                                "`{p}` is not a property of `{t}` (custom properties go in `stix.custom_properties`)"
                            ),
                        ));
                    }
                }
            }
            None => {}
        }
        if !allowed_types.contains(t) {
            warnings.push((
                field.clone(),
                "lists properties of a type the policy never allows".into(),
            ));
        }
        if props.is_empty() {
            warnings.push((
                field.clone(),
                format!("type `{t}` is allowed no property: every `{t}` will be dropped"),
            ));
        }
        out.insert(t.clone(), props.iter().cloned().collect());
    }
    out
}

fn text_paths(paths: &[String], field: &str, errors: &mut Findings) -> Vec<TextPath> {
    let mut out = Vec::new();
    for (n, p) in paths.iter().enumerate() {
        match TextPath::parse(p) {
            Ok(tp) => out.push(tp),
            Err(e) => errors.push((format!("{field}.paths[{n}]"), e)),
        }
    }
    out
}

fn redact_pass(rules: &[RedactRule], errors: &mut Findings) -> Vec<TextRule> {
    let mut out = Vec::new();
    for (n, r) in rules.iter().enumerate() {
        let field = format!("redact[{n}]");
        let paths = (!r.paths.is_empty()).then(|| text_paths(&r.paths, &field, errors));
        let matcher = match (&r.literal, &r.regex, r.recognizer) {
            (Some(l), None, None) => sanitise::compile_phrases(std::slice::from_ref(l), false)
                .map_err(|(_, e)| (format!("{field}.literal"), e)),
            (None, Some(re), None) => sanitise::compile_regex(re)
                .map(Matcher::Regex)
                .map_err(|e| (format!("{field}.regex"), format!("invalid regular expression: {e}"))),
            (None, None, Some(sanitise::Recognizer::Email)) => Ok(Matcher::Email),
            (None, None, Some(sanitise::Recognizer::Phone)) => crate::text::phone::Phones::new(&r.regions)
                .map(Matcher::Phone)
                .map_err(|e| {
                    (
                        format!("{field}.regions"),
                        format!("`{e}` is not a region libphonenumber knows"),
                    )
                }),
            _ => Err((
                field.clone(),
                "a redaction rule needs exactly one of `literal`, `regex` and `recognizer`".into(),
            )),
        };
        match matcher {
            Ok(matcher) => {
                let probe = sanitise::normalize(&r.replacement);
                if !matcher.find(&probe).is_empty() {
                    errors.push((
                        format!("{field}.replacement"),
                        "the replacement matches its own rule: redacting would never end".into(),
                    ));
                }
                let pattern = match (&r.literal, &r.regex, r.recognizer) {
                    (Some(l), _, _) => RawPattern::Phrases {
                        words: vec![l.clone()],
                        whole_words: false,
                    },
                    (None, None, Some(sanitise::Recognizer::Email)) => RawPattern::Email,
                    (None, None, Some(sanitise::Recognizer::Phone)) => RawPattern::Phone {
                        regions: r.regions.clone(),
                    },
                    (None, re, _) => RawPattern::Regex(re.clone().unwrap_or_default()),
                };
                out.push(TextRule {
                    id: r.id.clone(),
                    except: text_paths(&r.except, &format!("{field}.except"), errors),
                    paths,
                    matcher,
                    action: DirtyAction::Redact,
                    replacement: r.replacement.clone(),
                    source: RuleSource {
                        except: r.except.clone(),
                        paths: (!r.paths.is_empty()).then(|| r.paths.clone()),
                        pattern,
                    },
                });
            }
            Err(e) => errors.push(e),
        }
    }
    out
}

/// Every path of every text rule (`paths` and `except`) can match something this policy
/// releases ([`paths`]).
fn paths_pass(
    raw: &PolicyFile,
    allowed_types: &BTreeSet<String>,
    pass_when_referenced: &BTreeSet<String>,
    errors: &mut Findings,
) {
    let stix_types: BTreeSet<String> = allowed_types.union(pass_when_referenced).cloned().collect();
    let xml_names = raw.xml.as_ref().map(|x| {
        x.namespaces
            .iter()
            .flat_map(|n| n.elements.iter().chain(&n.attributes))
            .cloned()
            .collect()
    });
    let vocabulary = paths::Vocabulary {
        stix_types: &stix_types,
        properties: &raw.stix.properties,
        custom_properties: &raw.stix.custom_properties,
        xml_names,
    };
    let lists = raw
        .redact
        .iter()
        .enumerate()
        .flat_map(|(n, r)| {
            [
                (format!("redact[{n}].paths"), Some(&r.paths)),
                (format!("redact[{n}].except"), Some(&r.except)),
            ]
        })
        .chain(raw.dirty_words.iter().enumerate().flat_map(|(n, d)| {
            [
                (format!("dirty_words[{n}].paths"), d.paths.as_ref()),
                (format!("dirty_words[{n}].except"), Some(&d.except)),
            ]
        }));
    for (rule, paths) in lists {
        for (n, p) in paths.into_iter().flatten().enumerate() {
            // A path that does not parse is reported where the rule is compiled.
            if let Ok(path) = TextPath::parse(p)
                && let Err(e) = paths::check(&path, &vocabulary)
            {
                errors.push((format!("{rule}[{n}]"), format!("`{p}` can never match: {e}")));
            }
        }
    }
}

fn dirty_words_pass(
    lists: &[DirtyWordList],
    base: Option<&Path>,
    errors: &mut Findings,
    warnings: &mut Findings,
) -> Vec<TextRule> {
    let mut out = Vec::new();
    for (n, list) in lists.iter().enumerate() {
        let field = format!("dirty_words[{n}]");
        let mut words: Vec<String> = Vec::new();
        for (i, w) in list.words.iter().enumerate() {
            if w.trim().is_empty() {
                errors.push((
                    format!("{field}.words[{i}]"),
                    "an empty dirty word would match everything".into(),
                ));
            } else {
                words.push(w.clone());
            }
        }
        if let Some(f) = &list.file {
            let Some(base) = base else {
                errors.push((
                    format!("{field}.file"),
                    "word files need the policy to be loaded from a file".into(),
                ));
                continue;
            };
            match std::fs::read_to_string(base.join(f)) {
                Ok(text) => {
                    for line in text.lines() {
                        let w = line.trim();
                        if !w.is_empty() && !w.starts_with('#') {
                            words.push(w.to_string());
                        }
                    }
                }
                Err(e) => errors.push((format!("{field}.file"), format!("cannot read `{f}`: {e}"))),
            }
        }
        // Words that normalise to nothing can never match: warn, and leave them out.
        words.retain(|w| {
            let keep = !sanitise::normalize(w).text.trim().is_empty();
            if !keep {
                warnings.push((
                    format!("{field}.words"),
                    format!("dirty word {w:?} is empty once normalised and can never match"),
                ));
            }
            keep
        });
        if words.is_empty() {
            errors.push((field.clone(), "a dirty-word list needs at least one word".into()));
            continue;
        }
        let paths = list.paths.as_ref().map(|p| text_paths(p, &field, errors));
        match sanitise::compile_phrases(&words, list.whole_words) {
            Ok(matcher) => {
                if list.action == DirtyAction::Redact
                    && !matcher.find(&sanitise::normalize(&list.replacement)).is_empty()
                {
                    errors.push((
                        format!("{field}.replacement"),
                        "the replacement is itself a dirty word".into(),
                    ));
                }
                out.push(TextRule {
                    id: list.id.clone(),
                    except: text_paths(&list.except, &format!("{field}.except"), errors),
                    paths,
                    matcher,
                    action: list.action,
                    replacement: list.replacement.clone(),
                    source: RuleSource {
                        except: list.except.clone(),
                        paths: list.paths.clone(),
                        pattern: RawPattern::Phrases {
                            words: words.clone(),
                            whole_words: list.whole_words,
                        },
                    },
                })
            }
            Err((_, e)) => errors.push((field, e)),
        }
    }
    out
}

fn pattern_rules_pass(rules: &[PatternRule], errors: &mut Findings) -> Vec<AddressRule> {
    let mut out = Vec::new();
    for (n, r) in rules.iter().enumerate() {
        let field = format!("pattern_rules[{n}]");
        let mut cidrs = Vec::new();
        for (i, c) in r.cidrs.iter().enumerate() {
            match Cidr::parse(c) {
                Some(x) => cidrs.push(x),
                None => errors.push((
                    format!("{field}.cidrs[{i}]"),
                    format!("`{c}` is not an IPv4 or IPv6 address or network"),
                )),
            }
        }
        let mut domains = Vec::new();
        for (i, d) in r.domains.iter().enumerate() {
            match internal_domain(d) {
                Ok(d) => domains.push(d),
                Err(why) => errors.push((format!("{field}.domains[{i}]"), format!("`{d}` {why}"))),
            }
        }
        if cidrs.is_empty() && domains.is_empty() {
            errors.push((field.clone(), "a pattern rule needs `cidrs` or `domains`".into()));
        }
        out.push(AddressRule::new(
            r.id.clone(),
            cidrs,
            domains,
            r.action,
            r.cidrs.clone(),
        ));
    }
    out
}

/// A policy's internal domain, as matching takes it (lowercase, without a leading dot): an ASCII
/// name or an internationalised one (`社内.example`, or its punycode `xn--…`); matching finds
/// both writings of either ([`crate::text::domain`]).
fn internal_domain(d: &str) -> Result<String, &'static str> {
    let d = d.trim_start_matches('.').to_lowercase();
    if d.is_empty()
        || d.chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '@' | ':' | '[' | ']'))
    {
        return Err("is not a domain name");
    }
    let ascii = idna::domain_to_ascii_strict(&d).map_err(|_| "is not a domain name (IDNA refuses it)")?;
    let labels_ok = ascii
        .trim_end_matches('.')
        .split('.')
        .all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !labels_ok {
        return Err("is not a domain name (an empty, long or ill-formed label)");
    }
    Ok(d)
}

fn xml_pass(
    raw: &PolicyFile,
    schemes: Option<&Schemes>,
    errors: &mut Findings,
    warnings: &mut Findings,
) -> Option<XmlPolicy> {
    use crate::format::xml::names::{NS_4774, NS_4778, is_ncname};
    let wants = raw.formats.contains(&Format::Xml);
    let Some(x) = &raw.xml else {
        if wants {
            errors.push((
                "formats".into(),
                "`xml` is allowed but there is no `[xml]` table".into(),
            ));
        }
        return None;
    };
    if !wants {
        warnings.push((
            "xml".into(),
            "`[xml]` rules are given but `formats` does not list `xml`: they are never used".into(),
        ));
    }
    if x.policy_identifiers.is_empty() {
        errors.push((
            "xml.policy_identifiers".into(),
            "map at least one 4774 policy identifier to a scheme, or no label can be read".into(),
        ));
    }
    for (id, scheme) in &x.policy_identifiers {
        if id.trim().is_empty() {
            errors.push(("xml.policy_identifiers".into(), "an empty policy identifier".into()));
        }
        if let Some(s) = schemes
            && s.get(scheme).is_none()
        {
            let known: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
            let hint = nearest(scheme, &known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            errors.push((
                format!("xml.policy_identifiers.{id}"),
                format!("no scheme is named `{scheme}`{hint}"),
            ));
        }
    }
    for (field, list) in [
        ("xml.releasable_to", &x.releasable_to),
        ("xml.cleared_restrictive", &x.cleared_restrictive),
    ] {
        for (n, t) in list.iter().enumerate() {
            if t.trim().is_empty() {
                errors.push((format!("{field}[{n}]"), "an empty category tag name".into()));
            }
        }
    }
    for t in &x.cleared_restrictive {
        if x.releasable_to.contains(t) {
            errors.push((
                "xml.cleared_restrictive".into(),
                format!("`{t}` is also a releasable-to category: its values would be ignored"),
            ));
        }
    }
    let mut namespaces = BTreeMap::new();
    for (n, ns) in x.namespaces.iter().enumerate() {
        let field = format!("xml.namespaces[{n}]");
        if ns.uri.trim().is_empty() {
            errors.push((format!("{field}.uri"), "a namespace URI cannot be empty".into()));
        }
        if ns.uri == NS_4774 || ns.uri == NS_4778 {
            errors.push((
                format!("{field}.uri"),
                "the 4774 label and 4778 binding are read by the guard, not allowlisted".into(),
            ));
        }
        if namespaces.contains_key(&ns.uri) {
            errors.push((
                format!("{field}.uri"),
                format!("namespace `{}` is listed twice", ns.uri),
            ));
        }
        for (what, names) in [("elements", &ns.elements), ("attributes", &ns.attributes)] {
            for (i, e) in names.iter().enumerate() {
                if !is_ncname(e) {
                    errors.push((
                        format!("{field}.{what}[{i}]"),
                        format!("`{e}` is not an XML local name"),
                    ));
                }
            }
        }
        if ns.elements.is_empty() {
            warnings.push((
                format!("{field}.elements"),
                format!("no element of `{}` may cross", ns.uri),
            ));
        }
        namespaces.insert(
            ns.uri.clone(),
            XmlNamespace {
                elements: ns.elements.iter().cloned().collect(),
                attributes: ns.attributes.iter().cloned().collect(),
            },
        );
    }
    Some(XmlPolicy {
        options: crate::format::xml::Options {
            allow_comments: x.allow_comments,
            allow_cdata: x.allow_cdata,
        },
        unknown_elements: x.unknown_elements,
        tlp_required: x.tlp_required,
        policy_identifiers: x.policy_identifiers.clone(),
        releasable_to: x.releasable_to.iter().cloned().collect(),
        cleared_restrictive: x.cleared_restrictive.iter().cloned().collect(),
        namespaces,
    })
}

fn schemes_pass(raw: &PolicyFile, errors: &mut Findings) -> Option<Schemes> {
    if raw.schemes.is_empty() && raw.equivalences.is_empty() {
        return Some(Schemes::us());
    }
    let config = SchemesConfig {
        schemes: raw.schemes.clone(),
        equivalences: raw.equivalences.clone(),
    };
    match Schemes::new(config) {
        Ok(s) => Some(s),
        Err(es) => {
            errors.extend(es.into_iter().map(|e| (e.field, e.detail)));
            None
        }
    }
}

fn ceiling_pass(
    raw: &PolicyFile,
    schemes: &Schemes,
    errors: &mut Findings,
) -> (Option<Scheme>, Option<Classification>) {
    let rules = &raw.classification;
    let Some(scheme) = schemes.get(&rules.scheme) else {
        errors.push((
            "classification.scheme".into(),
            format!("no scheme is named `{}`", rules.scheme),
        ));
        return (None, None);
    };
    let ceiling = scheme
        .level_index(&rules.ceiling)
        .and_then(|i| scheme.classification(i));
    if ceiling.is_none() {
        let levels: Vec<&str> = scheme.levels.iter().map(|l| l.name.as_str()).collect();
        errors.push((
            "classification.ceiling".into(),
            format!(
                "`{}` is not a level of scheme `{}` (its levels: {})",
                rules.ceiling,
                scheme.name,
                levels.join(", ")
            ),
        ));
    }
    (Some(scheme.clone()), ceiling)
}

fn controls_pass(words: &[String], field: &str, errors: &mut Findings) -> BTreeSet<Control> {
    let mut out = BTreeSet::new();
    for (n, w) in words.iter().enumerate() {
        match Control::from_word(w) {
            Control::Unknown(_) => {
                let known: Vec<&str> = Control::known()
                    .iter()
                    .filter_map(|c| c.words())
                    .map(|(long, _)| long)
                    .collect();
                let hint = nearest(w, &known)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                errors.push((format!("{field}[{n}]"), format!("unknown control `{w}`{hint}")));
            }
            c => {
                out.insert(c);
            }
        }
    }
    out
}

fn types_pass(names: &[String], field: &str, errors: &mut Findings) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (n, t) in names.iter().enumerate() {
        let known = stix_types::lookup(t).is_some();
        let custom = t.starts_with("x-")
            && crate::format::stix::grammar::whole(t, crate::format::stix::grammar::type_name).is_ok();
        if known || custom {
            out.insert(t.clone());
        } else {
            let all: Vec<&str> = stix_types::TYPES.iter().map(|d| d.name).collect();
            let hint = nearest(t, &all)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            errors.push((
                format!("{field}[{n}]"),
                format!("`{t}` is not a STIX 2.1 type (custom types start with `x-`){hint}"),
            ));
        }
    }
    out
}

/// The candidate nearest to `word` by edit distance, if it is close.
pub(crate) fn nearest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cur = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = (prev + cost).min(cur + 1).min(left + 1);
            }
            prev = cur;
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests;
