//! Policies: the rule files (TOML) that say what may go to the partner.
//!
//! A rule file is read with serde (`deny_unknown_fields` everywhere) into raw types whose values
//! that can be wrong are `toml::Spanned`, then validated by a chain of independent passes that
//! collect every finding, errors and warnings alike, each with the span of the value it is about,
//! a rule id and, when there is one, a fix ([`diagnostic`]): `file:line:col: error[rule]: field:
//! what`. The guard never starts with a policy it could not load entirely.
//!
//! ```
//! let policy = sekisho::policy::Policy::from_str(include_str!("../../policies/jpn-to-us.toml"), "jpn-to-us.toml").unwrap();
//! assert_eq!(policy.partner.as_str(), "USA");
//! ```

pub mod decide;
pub mod diagnostic;
pub mod model;
pub mod paths;
pub mod resolve;
pub mod sanitise;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::format::Format;
use crate::format::stix::types as stix_types;
use crate::label::{Classification, Code, Control, Equivalence, FieldStep, Scheme, Schemes, SchemesConfig, Tlp};
use crate::limits::Limits;

pub use decide::{Decision, Verdict};
pub use diagnostic::{Diagnostic, PolicyErrors, Severity};
use diagnostic::{Finding, did_you_mean};
pub use model::{Mode, Policy, UnknownAction, XmlNamespace, XmlPolicy};
use sanitise::{
    AddressRule, Cidr, DirtyAction, DirtyWordList, Matcher, PatternRule, RawPattern, RedactRule, RuleSource, TextPath,
    TextRule, TextRules,
};

// ---------------------------------------------------------------------------------------------
// The file, as written
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    partner: Code,
    #[serde(default = "default_formats")]
    #[schemars(with = "Vec<Format>")]
    formats: Spanned<Vec<Format>>,
    mode: Mode,
    #[serde(default)]
    #[schemars(with = "Vec<Scheme>")]
    schemes: Vec<Spanned<Scheme>>,
    #[serde(default)]
    #[schemars(with = "Vec<Equivalence>")]
    equivalences: Vec<Spanned<Equivalence>>,
    classification: ClassificationRules,
    #[serde(default)]
    controls: ControlRules,
    tlp: TlpRules,
    #[serde(default)]
    unmarked: UnmarkedRules,
    stix: StixRules,
    /// XML messages under STANAG 4774 labels (needed when `formats` lists `xml`).
    #[serde(default)]
    #[schemars(with = "Option<XmlRules>")]
    xml: Option<Spanned<XmlRules>>,
    /// Redaction rules, applied in order to the strings they select.
    #[serde(default)]
    #[schemars(with = "Vec<RedactRule>")]
    redact: Vec<Spanned<RedactRule>>,
    /// Dirty-word lists.
    #[serde(default)]
    #[schemars(with = "Vec<DirtyWordList>")]
    dirty_words: Vec<Spanned<DirtyWordList>>,
    /// Internal ranges and domains that indicator patterns must not reveal.
    #[serde(default)]
    #[schemars(with = "Vec<PatternRule>")]
    pattern_rules: Vec<Spanned<PatternRule>>,
    #[serde(default)]
    limits: Limits,
}

/// STIX only, when `formats` is not written (so it has no span).
fn default_formats() -> Spanned<Vec<Format>> {
    Spanned::new(0..0, vec![Format::Stix])
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClassificationRules {
    /// The scheme this side marks in (banners in statement markings are read with it).
    #[schemars(with = "String")]
    scheme: Spanned<String>,
    /// The highest level that may go.
    #[schemars(with = "String")]
    ceiling: Spanned<String>,
    /// A unit above the scheme's lowest level must be marked releasable to the partner.
    #[serde(default = "yes")]
    require_releasable_to_partner: bool,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ControlRules {
    /// Controls that stop release.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    forbidden: Vec<Spanned<String>>,
    /// Controls that do not stop release (any other control does: default deny).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    allowed: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct TlpRules {
    #[schemars(with = "Vec<Tlp>")]
    allowed: Spanned<Vec<Tlp>>,
    /// A unit without a TLP marking is not released.
    #[serde(default = "yes")]
    required: bool,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct UnmarkedRules {
    /// Types that may pass without a marking when a released object refers to them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pass_when_referenced: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct StixRules {
    #[schemars(with = "Vec<String>")]
    allowed_types: Vec<Spanned<String>>,
    #[serde(default = "drop_unknown")]
    unknown_types: UnknownAction,
    /// Per type, the properties that may cross (types not listed keep every property the
    /// specification defines for them).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    properties: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    /// Custom properties (`x_…`) that may cross; all others are stripped.
    #[serde(default)]
    custom_properties: Vec<String>,
    /// Extensions (extension-definition ids or predefined extension names) that may cross.
    #[serde(default)]
    extensions: Vec<String>,
    /// Marking statements of free text that may go (regular expressions, each matched against
    /// the whole statement, trimmed). A statement that states no marking the guard reads and
    /// matches none of these keeps what it marks back: free text may say what no rule reads
    /// (`USA ONLY`, `Do not share with foreign partners`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    free_statements: Vec<Spanned<String>>,
}

fn drop_unknown() -> UnknownAction {
    UnknownAction::Drop
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct XmlRules {
    /// STANAG 4774 `PolicyIdentifier` values (e.g. `NATO`) → the scheme (in `schemes`) whose
    /// levels the label's `Classification` names.
    #[schemars(with = "BTreeMap<String, String>")]
    policy_identifiers: Spanned<BTreeMap<String, Spanned<String>>>,
    /// `TagName`s of PERMISSIVE categories whose values are the releasable-to set.
    #[serde(default = "releasable_to_tags")]
    #[schemars(with = "Vec<String>")]
    releasable_to: Vec<Spanned<String>>,
    /// `TagName`s of RESTRICTIVE (or other PERMISSIVE) categories the partner is cleared for;
    /// any other such category stops release.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    cleared_restrictive: Vec<Spanned<String>>,
    /// CAP `restriction` texts of free text that may go (regular expressions, each matched
    /// against the whole text, trimmed). A restriction that states no marking the guard reads
    /// and matches none of these keeps the alert back: it limits who may see the alert in words
    /// no rule reads (`US agencies only`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    free_restrictions: Vec<Spanned<String>>,
    /// Free texts of a STANAG 4774 label that may go (regular expressions, each matched against
    /// the whole text, trimmed): a `PrivacyMark` other than the label's own classification, and
    /// the name and each value of an INFORMATIVE category. Any other such text that states no
    /// marking keeps the message back: the policy decides nothing else about it, so a limit
    /// written there in words (`Not for foreign release`) would cross unread.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    free_label_texts: Vec<Spanned<String>>,
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
    #[schemars(with = "Vec<XmlNamespaceRules>")]
    namespaces: Vec<Spanned<XmlNamespaceRules>>,
}

/// `Releasable to`, when `releasable_to` is not written (so it has no span).
fn releasable_to_tags() -> Vec<Spanned<String>> {
    vec![Spanned::new(0..0, "Releasable to".to_string())]
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct XmlNamespaceRules {
    /// The namespace URI, e.g. `urn:oasis:names:tc:emergency:cap:1.2`.
    #[schemars(with = "String")]
    uri: Spanned<String>,
    /// Local names of the elements that may cross.
    #[schemars(with = "Vec<String>")]
    elements: Spanned<Vec<Spanned<String>>>,
    /// Local names of the attributes that may cross: unprefixed and `xml:` attributes of this
    /// namespace's elements, and attributes in this namespace.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    attributes: Vec<Spanned<String>>,
}

/// The name errors had before warnings shared their type.
pub type PolicyError = Diagnostic;

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
        let policy = read_file(&resolved.text, &mut errors)
            .and_then(|(raw, doc)| validate(raw, &doc, base, &mut errors, &mut warnings));
        let locate = |f: Finding| {
            let (file, line, column) = resolved.position(&f.span, &f.field);
            f.at(file, line, column)
        };
        match policy {
            Some(mut p) if errors.is_empty() => {
                p.sha256 = hex::encode(Sha256::digest(resolved.text.as_bytes()));
                p.warnings = warnings.into_iter().map(locate).collect();
                Ok(p)
            }
            _ => Err(PolicyErrors(errors.into_iter().map(locate).collect())),
        }
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
}

type Findings = Vec<Finding>;

/// Where a value without a span of its own (a default) is reported: at `fallback`.
fn span_or<T>(value: &Spanned<T>, fallback: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let span = value.span();
    if span.is_empty() { fallback } else { span }
}

/// The TOML stage: the file read into [`PolicyFile`], or every problem with it (each section is
/// read on its own, so one wrong section does not hide the next), with the field that is wrong
/// and the span serde reported it at.
fn read_file<'t>(text: &'t str, errors: &mut Findings) -> Option<(PolicyFile, Spanned<toml::de::DeValue<'t>>)> {
    use toml::de::{DeTable, DeValue, ValueDeserializer};
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(Finding::error(
                "toml-syntax",
                "-",
                e.span().unwrap_or(0..0),
                format!("TOML syntax: {}", e.message()),
            ));
            return None;
        }
    };
    fn section<T: serde::de::DeserializeOwned>(doc: &DeTable<'_>, key: &str, errors: &mut Findings) {
        let Some(v) = doc.get(key) else { return };
        let value: Spanned<DeValue<'_>> = v.clone();
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(ValueDeserializer::from(value)) {
            let inner = serde_field(e.path());
            let field = if inner == "." || inner.is_empty() {
                key.to_string()
            } else if inner.starts_with('[') {
                format!("{key}{inner}")
            } else {
                format!("{key}.{inner}")
            };
            let span = serde_span(v, e.path(), e.inner().span());
            errors.push(diagnostic::from_serde(field, span, e.inner().message()));
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
        if doc.get_ref().get(*key).is_none() {
            errors.push(
                Finding::error("missing-field", *key, 0..0, format!("`{key}` is required"))
                    .help(format!("add `{key}` (see docs/policy.md)")),
            );
        }
    }
    for (key, value) in doc.get_ref() {
        let key = key.get_ref().as_ref();
        if !REQUIRED.contains(&key) && !OPTIONAL.contains(&key) {
            let known = REQUIRED.iter().chain(OPTIONAL);
            let hint = known
                .min_by_key(|k| strsim::levenshtein(k, key))
                .filter(|k| strsim::levenshtein(k, key) <= 3);
            errors.push(
                Finding::error(
                    "unknown-field",
                    key,
                    value.span(),
                    format!("`{key}` is not a policy field"),
                )
                .maybe_help(did_you_mean(hint.copied())),
            );
        }
    }
    let table = doc.get_ref();
    section::<String>(table, "name", errors);
    section::<String>(table, "description", errors);
    section::<Code>(table, "partner", errors);
    section::<Vec<Format>>(table, "formats", errors);
    section::<Mode>(table, "mode", errors);
    section::<Vec<Scheme>>(table, "schemes", errors);
    section::<Vec<Equivalence>>(table, "equivalences", errors);
    section::<ClassificationRules>(table, "classification", errors);
    section::<ControlRules>(table, "controls", errors);
    section::<TlpRules>(table, "tlp", errors);
    section::<UnmarkedRules>(table, "unmarked", errors);
    section::<StixRules>(table, "stix", errors);
    section::<XmlRules>(table, "xml", errors);
    section::<Vec<RedactRule>>(table, "redact", errors);
    section::<Vec<DirtyWordList>>(table, "dirty_words", errors);
    section::<Vec<PatternRule>>(table, "pattern_rules", errors);
    section::<Limits>(table, "limits", errors);
    if errors.len() > before {
        return None;
    }
    let whole: Spanned<DeValue<'_>> = Spanned::new(doc.span(), DeValue::Table(doc.get_ref().clone()));
    match serde_path_to_error::deserialize::<_, PolicyFile>(toml::de::Deserializer::from(doc)) {
        Ok(raw) => Some((raw, whole)),
        Err(e) => {
            let field = serde_field(e.path());
            let span = serde_span(&whole, e.path(), e.inner().span());
            errors.push(diagnostic::from_serde(field, span, e.inner().message()));
            None
        }
    }
}

/// The field serde was reading, as the author wrote it: without the step into a `Spanned`
/// (serde reads one as a struct with a private field name).
fn serde_field(path: &serde_path_to_error::Path) -> String {
    const SPANNED: &str = "$__serde_spanned_private_value";
    let shown = path.to_string();
    let shown = shown.replace(&format!(".{SPANNED}"), "");
    match shown.strip_prefix(SPANNED) {
        Some(rest) => rest.trim_start_matches('.').to_string(),
        None => shown,
    }
}

/// Where a serde error is: at the deepest value along its path in the spanned document that was
/// being read, or at the span toml gave it when that is inside (an unknown key of a table). A
/// value's own `Deserialize` (a TLP name, a country code) fails with no span, and toml then
/// gives the error the span of the list or table around it; the path names the element.
fn serde_span(
    value: &Spanned<toml::de::DeValue<'_>>,
    path: &serde_path_to_error::Path,
    reported: Option<std::ops::Range<usize>>,
) -> std::ops::Range<usize> {
    use serde_path_to_error::Segment;
    let mut node = value;
    for segment in path.iter() {
        let next = match segment {
            Segment::Seq { index } => node.get_ref().as_array().and_then(|a| a.get(*index)),
            Segment::Map { key } if key.starts_with("$__serde_spanned_private") => continue,
            Segment::Map { key } => node.get_ref().as_table().and_then(|t| t.get(key.as_str())),
            Segment::Enum { .. } | Segment::Unknown => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    let at = node.span();
    match reported {
        Some(r) if at.start <= r.start && r.end <= at.end => r,
        _ => at,
    }
}

/// The span of the value at `steps` in the document read (or of the deepest part of it there).
fn span_at(doc: &Spanned<toml::de::DeValue<'_>>, steps: &[FieldStep]) -> std::ops::Range<usize> {
    let mut node = doc;
    for step in steps {
        let next = match step {
            FieldStep::Key(k) => node.get_ref().as_table().and_then(|t| t.get(k.as_str())),
            FieldStep::Index(n) => node.get_ref().as_array().and_then(|a| a.get(*n)),
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    node.span()
}

/// The validation passes; each adds findings (field, span, rule, what, help) and they all run.
fn validate(
    raw: PolicyFile,
    doc: &Spanned<toml::de::DeValue<'_>>,
    base: Option<&Path>,
    errors: &mut Findings,
    warnings: &mut Findings,
) -> Option<Policy> {
    let allowed_names: BTreeSet<&str> = raw.stix.allowed_types.iter().map(|t| t.get_ref().as_str()).collect();
    for (n, t) in raw.unmarked.pass_when_referenced.iter().enumerate() {
        if !allowed_names.contains(t.get_ref().as_str()) {
            warnings.push(
                Finding::warning(
                    "referenced-type-not-allowed",
                    format!("unmarked.pass_when_referenced[{n}]"),
                    t.span(),
                    format!("`{t}` may pass when referenced but is not in `stix.allowed_types`"),
                )
                .help(format!("add `{t}` to `stix.allowed_types`, or remove it here")),
            );
        }
    }
    if raw.tlp.allowed.get_ref().is_empty() {
        warnings.push(Finding::warning(
            "no-tlp-allowed",
            "tlp.allowed",
            raw.tlp.allowed.span(),
            "no TLP level is allowed: only unmarked units could go",
        ));
    }
    let schemes = schemes_pass(&raw, doc, errors);
    let (scheme, ceiling) = match &schemes {
        Some(s) => ceiling_pass(&raw, s, errors),
        None => (None, None),
    };
    let forbidden_controls = controls_pass(&raw.controls.forbidden, "controls.forbidden", errors);
    let allowed_controls = controls_pass(&raw.controls.allowed, "controls.allowed", errors);
    for (n, w) in raw.controls.allowed.iter().enumerate() {
        let c = Control::from_word(w.get_ref());
        if forbidden_controls.contains(&c) {
            errors.push(
                Finding::error(
                    "control-forbidden-and-allowed",
                    format!("controls.allowed[{n}]"),
                    w.span(),
                    format!("`{c}` is both forbidden and allowed"),
                )
                .help("remove it from one of `controls.forbidden` and `controls.allowed`"),
            );
        }
    }
    if raw.tlp.allowed.get_ref().is_empty() && raw.tlp.required {
        errors.push(
            Finding::error(
                "nothing-releasable",
                "tlp.allowed",
                raw.tlp.allowed.span(),
                "no TLP level is allowed but TLP is required: nothing could ever be released",
            )
            .help("allow a TLP level, or set `tlp.required = false`"),
        );
    }
    let allowed_types = types_pass(&raw.stix.allowed_types, "stix.allowed_types", errors);
    let pass_when_referenced = types_pass(
        &raw.unmarked.pass_when_referenced,
        "unmarked.pass_when_referenced",
        errors,
    );
    if raw.formats.get_ref().is_empty() {
        errors.push(
            Finding::error(
                "no-format",
                "formats",
                raw.formats.span(),
                "a policy must allow at least one format",
            )
            .help("list `stix`, `xml` or both"),
        );
    }
    if raw.name.get_ref().trim().is_empty() {
        errors.push(Finding::error(
            "empty-name",
            "name",
            raw.name.span(),
            "a policy needs a name",
        ));
    }
    let properties = properties_pass(&raw.stix, &allowed_types, errors, warnings);
    let mut text_rules = dirty_words_pass(&raw.dirty_words, base, errors, warnings);
    text_rules.extend(redact_pass(&raw.redact, errors));
    let address_rules = pattern_rules_pass(&raw.pattern_rules, errors);
    let xml = xml_pass(&raw, schemes.as_ref(), errors, warnings);
    paths_pass(&raw, &allowed_types, &pass_when_referenced, errors);
    let rules_span = raw
        .redact
        .first()
        .map(Spanned::span)
        .or_else(|| raw.dirty_words.first().map(Spanned::span))
        .unwrap_or(0..0);
    Some(Policy {
        name: raw.name.into_inner(),
        description: raw.description,
        partner: raw.partner,
        formats: raw.formats.into_inner(),
        mode: raw.mode,
        schemes: schemes?,
        scheme: scheme?,
        ceiling: ceiling?,
        require_releasable_to_partner: raw.classification.require_releasable_to_partner,
        forbidden_controls,
        allowed_controls,
        tlp_allowed: raw.tlp.allowed.into_inner().into_iter().collect(),
        tlp_required: raw.tlp.required,
        pass_when_referenced,
        allowed_types,
        unknown_types: raw.stix.unknown_types,
        properties,
        custom_properties: raw.stix.custom_properties.into_iter().collect(),
        extensions: raw.stix.extensions.into_iter().collect(),
        free_statements: free_texts(&raw.stix.free_statements, "stix.free_statements", errors),
        text_rules: Arc::new(TextRules::new(text_rules).unwrap_or_else(|e| {
            errors.push(
                Finding::error(
                    "regex-too-large",
                    "redact",
                    rules_span,
                    format!("the regular expressions together are too large: {e}"),
                )
                .help("split or simplify the rules' regular expressions"),
            );
            TextRules::default()
        })),
        address_rules,
        xml,
        limits: raw.limits,
        parallel: crate::parallel::Parallel::default(),
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
                errors.push(
                    Finding::error(
                        "unknown-type",
                        field.clone(),
                        props.span(),
                        format!("`{t}` is not a STIX 2.1 type"),
                    )
                    .help("custom types start with `x-`"),
                );
                continue;
            }
            Some(def) => {
                let known: BTreeSet<&str> = stix_types::common(def)
                    .iter()
                    .chain(def.props)
                    .map(|p| p.name)
                    .collect();
                for (n, p) in props.get_ref().iter().enumerate() {
                    if !known.contains(p.get_ref().as_str()) && !stix.custom_properties.contains(p.get_ref()) {
                        let names: Vec<&str> = known.iter().copied().collect();
                        errors.push(
                            Finding::error(
                                "unknown-property",
                                format!("{field}[{n}]"),
                                p.span(),
                                format!("`{p}` is not a property of `{t}`"),
                            )
                            .help(match nearest(p.get_ref(), &names) {
                                Some(k) => {
                                    format!("did you mean `{k}`? (custom properties go in `stix.custom_properties`)")
                                }
                                None => "custom properties go in `stix.custom_properties`".into(),
                            }),
                        );
                    }
                }
            }
            None => {}
        }
        if !allowed_types.contains(t) {
            warnings.push(
                Finding::warning(
                    "properties-of-type-not-allowed",
                    field.clone(),
                    props.span(),
                    "lists properties of a type the policy never allows",
                )
                .help(format!("add `{t}` to `stix.allowed_types`, or remove `{field}`")),
            );
        }
        if props.get_ref().is_empty() {
            warnings.push(Finding::warning(
                "no-properties",
                field.clone(),
                props.span(),
                format!("type `{t}` is allowed no property: every `{t}` will be dropped"),
            ));
        }
        out.insert(t.clone(), props.get_ref().iter().map(|p| p.get_ref().clone()).collect());
    }
    out
}

fn text_paths(paths: &[Spanned<String>], field: &str, errors: &mut Findings) -> Vec<TextPath> {
    let mut out = Vec::new();
    for (n, p) in paths.iter().enumerate() {
        match TextPath::parse(p.get_ref()) {
            Ok(tp) => out.push(tp),
            Err(e) => errors.push(Finding::error("bad-path", format!("{field}[{n}]"), p.span(), e)),
        }
    }
    out
}

fn redact_pass(rules: &[Spanned<RedactRule>], errors: &mut Findings) -> Vec<TextRule> {
    let mut out = Vec::new();
    for (n, rule) in rules.iter().enumerate() {
        let r = rule.get_ref();
        let field = format!("redact[{n}]");
        let paths = (!r.paths.is_empty()).then(|| text_paths(&r.paths, &format!("{field}.paths"), errors));
        let matcher = match (&r.literal, &r.regex, r.recognizer) {
            (Some(l), None, None) => sanitise::compile_phrases(std::slice::from_ref(l.get_ref()), false)
                .map_err(|(_, e)| Finding::error("bad-phrase", format!("{field}.literal"), l.span(), e)),
            (None, Some(re), None) => sanitise::compile_regex(re.get_ref()).map(Matcher::Regex).map_err(|e| {
                Finding::error(
                    "bad-regex",
                    format!("{field}.regex"),
                    re.span(),
                    format!("invalid regular expression: {e}"),
                )
            }),
            (None, None, Some(sanitise::Recognizer::Email)) => Ok(Matcher::Email),
            (None, None, Some(sanitise::Recognizer::Phone)) => {
                crate::text::phone::Phones::new(&sanitise::values(&r.regions))
                    .map(Matcher::Phone)
                    .map_err(|e| {
                        let at = r.regions.iter().position(|g| *g.get_ref() == e);
                        let (field, span) = match at.and_then(|i| r.regions.get(i).map(|g| (i, g.span()))) {
                            Some((i, span)) => (format!("{field}.regions[{i}]"), span),
                            None => (format!("{field}.regions"), rule.span()),
                        };
                        Finding::error(
                            "unknown-region",
                            field,
                            span,
                            format!("`{e}` is not a region libphonenumber knows"),
                        )
                        .help("write an ISO 3166-1 alpha-2 code, e.g. `US`, `JP`")
                    })
            }
            _ => Err(Finding::error(
                "redact-needs-one-matcher",
                field.clone(),
                rule.span(),
                "a redaction rule needs exactly one of `literal`, `regex` and `recognizer`",
            )),
        };
        match matcher {
            Ok(matcher) => {
                let probe = sanitise::normalize(r.replacement.get_ref());
                if !matcher.find(&probe).is_empty() {
                    errors.push(
                        Finding::error(
                            "replacement-matches-rule",
                            format!("{field}.replacement"),
                            span_or(&r.replacement, rule.span()),
                            "the replacement matches its own rule: redacting would never end",
                        )
                        .help("choose a replacement the rule does not match"),
                    );
                }
                let pattern = match (&r.literal, &r.regex, r.recognizer) {
                    (Some(l), _, _) => RawPattern::Phrases {
                        words: vec![l.get_ref().clone()],
                        whole_words: false,
                    },
                    (None, None, Some(sanitise::Recognizer::Email)) => RawPattern::Email,
                    (None, None, Some(sanitise::Recognizer::Phone)) => RawPattern::Phone {
                        regions: sanitise::values(&r.regions),
                    },
                    (None, re, _) => RawPattern::Regex(re.as_ref().map(|re| re.get_ref().clone()).unwrap_or_default()),
                };
                out.push(TextRule {
                    id: r.id.clone(),
                    except: text_paths(&r.except, &format!("{field}.except"), errors),
                    paths,
                    matcher,
                    action: DirtyAction::Redact,
                    replacement: r.replacement.get_ref().clone(),
                    source: RuleSource {
                        except: sanitise::values(&r.except),
                        paths: (!r.paths.is_empty()).then(|| sanitise::values(&r.paths)),
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
        x.get_ref()
            .namespaces
            .iter()
            .flat_map(|n| n.get_ref().elements.get_ref().iter().chain(&n.get_ref().attributes))
            .map(|s| s.get_ref().clone())
            .collect()
    });
    let properties: BTreeMap<String, Vec<String>> = raw
        .stix
        .properties
        .iter()
        .map(|(t, p)| (t.clone(), sanitise::values(p.get_ref())))
        .collect();
    let vocabulary = paths::Vocabulary {
        stix_types: &stix_types,
        properties: &properties,
        custom_properties: &raw.stix.custom_properties,
        xml_names,
    };
    let lists = raw
        .redact
        .iter()
        .enumerate()
        .flat_map(|(n, r)| {
            [
                (format!("redact[{n}].paths"), Some(&r.get_ref().paths)),
                (format!("redact[{n}].except"), Some(&r.get_ref().except)),
            ]
        })
        .chain(raw.dirty_words.iter().enumerate().flat_map(|(n, d)| {
            [
                (format!("dirty_words[{n}].paths"), d.get_ref().paths.as_ref()),
                (format!("dirty_words[{n}].except"), Some(&d.get_ref().except)),
            ]
        }));
    for (rule, paths) in lists {
        for (n, p) in paths.into_iter().flatten().enumerate() {
            // A path that does not parse is reported where the rule is compiled.
            if let Ok(path) = TextPath::parse(p.get_ref())
                && let Err(e) = paths::check(&path, &vocabulary)
            {
                errors.push(
                    Finding::error(
                        "unmatchable-path",
                        format!("{rule}[{n}]"),
                        p.span(),
                        format!("`{p}` can never match: {}", e.why),
                    )
                    .maybe_help(did_you_mean(e.suggestion.as_deref())),
                );
            }
        }
    }
}

fn dirty_words_pass(
    lists: &[Spanned<DirtyWordList>],
    base: Option<&Path>,
    errors: &mut Findings,
    warnings: &mut Findings,
) -> Vec<TextRule> {
    let mut out = Vec::new();
    for (n, spanned) in lists.iter().enumerate() {
        let list = spanned.get_ref();
        let field = format!("dirty_words[{n}]");
        let mut words: Vec<String> = Vec::new();
        for (i, w) in list.words.get_ref().iter().enumerate() {
            if w.get_ref().trim().is_empty() {
                errors.push(Finding::error(
                    "empty-dirty-word",
                    format!("{field}.words[{i}]"),
                    w.span(),
                    "an empty dirty word would match everything",
                ));
            } else {
                words.push(w.get_ref().clone());
            }
        }
        if let Some(f) = &list.file {
            let Some(base) = base else {
                errors.push(Finding::error(
                    "word-file-needs-path",
                    format!("{field}.file"),
                    f.span(),
                    "word files need the policy to be loaded from a file",
                ));
                continue;
            };
            match std::fs::read_to_string(base.join(f.get_ref())) {
                Ok(text) => {
                    for line in text.lines() {
                        let w = line.trim();
                        if !w.is_empty() && !w.starts_with('#') {
                            words.push(w.to_string());
                        }
                    }
                }
                Err(e) => errors.push(Finding::error(
                    "unreadable-file",
                    format!("{field}.file"),
                    f.span(),
                    format!("cannot read `{f}`: {e}"),
                )),
            }
        }
        // Words that normalise to nothing can never match: warn, and leave them out.
        words.retain(|w| {
            let keep = !sanitise::normalize(w).text.trim().is_empty();
            if !keep {
                warnings.push(
                    Finding::warning(
                        "unmatchable-word",
                        format!("{field}.words"),
                        span_or(&list.words, spanned.span()),
                        format!("dirty word {w:?} is empty once normalised and can never match"),
                    )
                    .help("remove it: it holds only characters matching ignores"),
                );
            }
            keep
        });
        if words.is_empty() {
            errors.push(
                Finding::error(
                    "empty-word-list",
                    field.clone(),
                    spanned.span(),
                    "a dirty-word list needs at least one word",
                )
                .help("give `words` or a `file` of words"),
            );
            continue;
        }
        let paths = list
            .paths
            .as_ref()
            .map(|p| text_paths(p, &format!("{field}.paths"), errors));
        match sanitise::compile_phrases(&words, list.whole_words) {
            Ok(matcher) => {
                if list.action == DirtyAction::Redact
                    && !matcher
                        .find(&sanitise::normalize(list.replacement.get_ref()))
                        .is_empty()
                {
                    errors.push(
                        Finding::error(
                            "replacement-matches-rule",
                            format!("{field}.replacement"),
                            span_or(&list.replacement, spanned.span()),
                            "the replacement is itself a dirty word",
                        )
                        .help("choose a replacement that is none of the list's words"),
                    );
                }
                out.push(TextRule {
                    id: list.id.clone(),
                    except: text_paths(&list.except, &format!("{field}.except"), errors),
                    paths,
                    matcher,
                    action: list.action,
                    replacement: list.replacement.get_ref().clone(),
                    source: RuleSource {
                        except: sanitise::values(&list.except),
                        paths: list.paths.as_deref().map(sanitise::values),
                        pattern: RawPattern::Phrases {
                            words: words.clone(),
                            whole_words: list.whole_words,
                        },
                    },
                })
            }
            Err((_, e)) => errors.push(Finding::error("bad-phrase", field, spanned.span(), e)),
        }
    }
    out
}

fn pattern_rules_pass(rules: &[Spanned<PatternRule>], errors: &mut Findings) -> Vec<AddressRule> {
    let mut out = Vec::new();
    for (n, spanned) in rules.iter().enumerate() {
        let r = spanned.get_ref();
        let field = format!("pattern_rules[{n}]");
        let mut cidrs = Vec::new();
        for (i, c) in r.cidrs.iter().enumerate() {
            match Cidr::parse(c.get_ref()) {
                Some(x) => cidrs.push(x),
                None => errors.push(
                    Finding::error(
                        "bad-cidr",
                        format!("{field}.cidrs[{i}]"),
                        c.span(),
                        format!("`{c}` is not an IPv4 or IPv6 address or network"),
                    )
                    .help("write an address or a network, e.g. `10.0.0.0/8` or `fd00::/8`"),
                ),
            }
        }
        let mut domains = Vec::new();
        for (i, d) in r.domains.iter().enumerate() {
            match internal_domain(d.get_ref()) {
                Ok(name) => domains.push(name),
                Err(why) => errors.push(Finding::error(
                    "bad-domain",
                    format!("{field}.domains[{i}]"),
                    d.span(),
                    format!("`{d}` {why}"),
                )),
            }
        }
        if cidrs.is_empty() && domains.is_empty() {
            errors.push(Finding::error(
                "empty-pattern-rule",
                field.clone(),
                spanned.span(),
                "a pattern rule needs `cidrs` or `domains`",
            ));
        }
        out.push(AddressRule::new(
            r.id.clone(),
            cidrs,
            domains,
            r.action,
            sanitise::values(&r.cidrs),
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
    let wants = raw.formats.get_ref().contains(&Format::Xml);
    let Some(spanned) = &raw.xml else {
        if wants {
            errors.push(
                Finding::error(
                    "missing-xml-rules",
                    "formats",
                    raw.formats.span(),
                    "`xml` is allowed but there is no `[xml]` table",
                )
                .help("add an `[xml]` table, or remove `xml` from `formats`"),
            );
        }
        return None;
    };
    let x = spanned.get_ref();
    if !wants {
        warnings.push(
            Finding::warning(
                "unused-xml-rules",
                "xml",
                spanned.span(),
                "`[xml]` rules are given but `formats` does not list `xml`: they are never used",
            )
            .help("add `xml` to `formats`, or remove the `[xml]` table"),
        );
    }
    let ids = &x.policy_identifiers;
    if ids.get_ref().is_empty() {
        errors.push(Finding::error(
            "no-policy-identifier",
            "xml.policy_identifiers",
            span_or(ids, spanned.span()),
            "map at least one 4774 policy identifier to a scheme, or no label can be read",
        ));
    }
    for (id, scheme) in ids.get_ref() {
        if id.trim().is_empty() {
            errors.push(Finding::error(
                "empty-policy-identifier",
                "xml.policy_identifiers",
                scheme.span(),
                "an empty policy identifier",
            ));
        }
        if let Some(s) = schemes
            && s.get(scheme.get_ref()).is_none()
        {
            let known: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
            errors.push(
                Finding::error(
                    "unknown-scheme",
                    format!("xml.policy_identifiers.{id}"),
                    scheme.span(),
                    format!("no scheme is named `{scheme}`"),
                )
                .maybe_help(did_you_mean(nearest(scheme.get_ref(), &known))),
            );
        }
    }
    for (field, list) in [
        ("xml.releasable_to", &x.releasable_to),
        ("xml.cleared_restrictive", &x.cleared_restrictive),
    ] {
        for (n, t) in list.iter().enumerate() {
            if t.get_ref().trim().is_empty() {
                errors.push(Finding::error(
                    "empty-tag-name",
                    format!("{field}[{n}]"),
                    t.span(),
                    "an empty category tag name",
                ));
            }
        }
    }
    for (n, t) in x.cleared_restrictive.iter().enumerate() {
        if x.releasable_to.contains(t) {
            errors.push(
                Finding::error(
                    "category-releasable-and-cleared",
                    format!("xml.cleared_restrictive[{n}]"),
                    t.span(),
                    format!("`{t}` is also a releasable-to category: its values would be ignored"),
                )
                .help("remove it from one of `xml.releasable_to` and `xml.cleared_restrictive`"),
            );
        }
    }
    let mut namespaces = BTreeMap::new();
    for (n, spanned_ns) in x.namespaces.iter().enumerate() {
        let ns = spanned_ns.get_ref();
        let field = format!("xml.namespaces[{n}]");
        let uri = ns.uri.get_ref();
        if uri.trim().is_empty() {
            errors.push(Finding::error(
                "empty-namespace",
                format!("{field}.uri"),
                ns.uri.span(),
                "a namespace URI cannot be empty",
            ));
        }
        if uri == NS_4774 || uri == NS_4778 {
            errors.push(
                Finding::error(
                    "label-namespace-allowlisted",
                    format!("{field}.uri"),
                    ns.uri.span(),
                    "the 4774 label and 4778 binding are read by the guard, not allowlisted",
                )
                .help("remove this namespace: labels are handled by `[xml]` itself"),
            );
        }
        if namespaces.contains_key(uri) {
            errors.push(Finding::error(
                "duplicate-namespace",
                format!("{field}.uri"),
                ns.uri.span(),
                format!("namespace `{uri}` is listed twice"),
            ));
        }
        for (what, names) in [("elements", ns.elements.get_ref()), ("attributes", &ns.attributes)] {
            for (i, e) in names.iter().enumerate() {
                if !is_ncname(e.get_ref()) {
                    errors.push(Finding::error(
                        "bad-xml-name",
                        format!("{field}.{what}[{i}]"),
                        e.span(),
                        format!("`{e}` is not an XML local name"),
                    ));
                }
            }
        }
        if ns.elements.get_ref().is_empty() {
            warnings.push(Finding::warning(
                "no-elements",
                format!("{field}.elements"),
                span_or(&ns.elements, spanned_ns.span()),
                format!("no element of `{uri}` may cross"),
            ));
        }
        namespaces.insert(
            uri.clone(),
            XmlNamespace {
                elements: ns.elements.get_ref().iter().map(|s| s.get_ref().clone()).collect(),
                attributes: ns.attributes.iter().map(|s| s.get_ref().clone()).collect(),
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
        policy_identifiers: ids
            .get_ref()
            .iter()
            .map(|(id, s)| (id.clone(), s.get_ref().clone()))
            .collect(),
        releasable_to: x.releasable_to.iter().map(|s| s.get_ref().clone()).collect(),
        cleared_restrictive: x.cleared_restrictive.iter().map(|s| s.get_ref().clone()).collect(),
        free_restrictions: free_texts(&x.free_restrictions, "xml.free_restrictions", errors),
        free_label_texts: free_texts(&x.free_label_texts, "xml.free_label_texts", errors),
        namespaces,
    })
}

/// Patterns of free text that may go (`stix.free_statements`, `xml.free_restrictions`), each
/// checked to be a regular expression; one that is not is an error at its place.
fn free_texts(patterns: &[Spanned<String>], field: &str, errors: &mut Findings) -> Vec<String> {
    patterns
        .iter()
        .filter_map(|p| match sanitise::compile_regex(&format!("^(?:{})$", p.get_ref())) {
            Ok(_) => Some(p.get_ref().clone()),
            Err(e) => {
                errors.push(
                    Finding::error(
                        "regex-invalid",
                        field.to_string(),
                        p.span(),
                        format!("`{}` is not a regular expression: {e}", p.get_ref()),
                    )
                    .help("write a regular expression the `regex` crate reads; it is matched against the whole text"),
                );
                None
            }
        })
        .collect()
}

fn schemes_pass(raw: &PolicyFile, doc: &Spanned<toml::de::DeValue<'_>>, errors: &mut Findings) -> Option<Schemes> {
    if raw.schemes.is_empty() && raw.equivalences.is_empty() {
        return Some(Schemes::us());
    }
    let config = SchemesConfig {
        schemes: raw.schemes.iter().map(|s| s.get_ref().clone()).collect(),
        equivalences: raw.equivalences.iter().map(|e| e.get_ref().clone()).collect(),
    };
    match Schemes::new(config) {
        Ok(s) => Some(s),
        Err(es) => {
            // The scheme checks run on the schemes' values (the label module knows no spans):
            // each finding names its field step by step, which is found in the document read.
            errors.extend(es.into_iter().map(|e| {
                let span = span_at(doc, &e.at);
                Finding::error("bad-scheme", e.field, span, e.detail).maybe_help(e.help)
            }));
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
    let Some(scheme) = schemes.get(rules.scheme.get_ref()) else {
        let known: Vec<&str> = schemes.iter().map(|s| s.name.as_str()).collect();
        errors.push(
            Finding::error(
                "unknown-scheme",
                "classification.scheme",
                rules.scheme.span(),
                format!("no scheme is named `{}`", rules.scheme),
            )
            .help(match nearest(rules.scheme.get_ref(), &known) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("the schemes: {}", known.join(", ")),
            }),
        );
        return (None, None);
    };
    let ceiling = scheme
        .level_index(rules.ceiling.get_ref())
        .and_then(|i| scheme.classification(i));
    if ceiling.is_none() {
        let levels: Vec<&str> = scheme.levels.iter().map(|l| l.name.as_str()).collect();
        errors.push(
            Finding::error(
                "unknown-level",
                "classification.ceiling",
                rules.ceiling.span(),
                format!("`{}` is not a level of scheme `{}`", rules.ceiling, scheme.name),
            )
            .help(match nearest(rules.ceiling.get_ref(), &levels) {
                Some(k) => format!("did you mean `{k}`? (its levels: {})", levels.join(", ")),
                None => format!("its levels: {}", levels.join(", ")),
            }),
        );
    }
    (Some(scheme.clone()), ceiling)
}

fn controls_pass(words: &[Spanned<String>], field: &str, errors: &mut Findings) -> BTreeSet<Control> {
    let mut out = BTreeSet::new();
    for (n, w) in words.iter().enumerate() {
        match Control::from_word(w.get_ref()) {
            Control::Unknown(_) => {
                let known: Vec<&str> = Control::known()
                    .iter()
                    .filter_map(|c| c.words())
                    .map(|(long, _)| long)
                    .collect();
                errors.push(
                    Finding::error(
                        "unknown-control",
                        format!("{field}[{n}]"),
                        w.span(),
                        format!("unknown control `{w}`"),
                    )
                    .maybe_help(did_you_mean(nearest(w.get_ref(), &known))),
                );
            }
            c => {
                out.insert(c);
            }
        }
    }
    out
}

fn types_pass(names: &[Spanned<String>], field: &str, errors: &mut Findings) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (n, spanned) in names.iter().enumerate() {
        let t = spanned.get_ref();
        let known = stix_types::lookup(t).is_some();
        let custom = t.starts_with("x-")
            && crate::format::stix::grammar::whole(t, crate::format::stix::grammar::type_name).is_ok();
        if known || custom {
            out.insert(t.clone());
        } else {
            let all: Vec<&str> = stix_types::TYPES.iter().map(|d| d.name).collect();
            errors.push(
                Finding::error(
                    "unknown-type",
                    format!("{field}[{n}]"),
                    spanned.span(),
                    format!("`{t}` is not a STIX 2.1 type (custom types start with `x-`)"),
                )
                .maybe_help(did_you_mean(nearest(t, &all))),
            );
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
