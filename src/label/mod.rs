//! Releasability labels, independent of any message format, and the US banner/portion grammar.
//!
//! A [`Label`] says what a unit of information is and who may receive it: a classification on a
//! national scheme's ordered levels, the countries and organisations it is releasable to, its
//! dissemination controls, its TLP 2.0 level, and which marking stated each fact. Formats
//! (STIX marking definitions, XML confidentiality labels, portion-marked text) build labels; the
//! policy decides from labels alone.
//!
//! Schemes and their equivalences come from the policy ([`SchemesConfig`] is what a TOML policy
//! holds; [`Schemes::new`] validates it). A Japanese `極秘` and a US `SECRET` compare as equal
//! when an equivalence maps one onto the other, so [`Label::combine`] finds the most restrictive
//! of two labels on one lattice.
//!
//! ```
//! use sekisho::Limits;
//! use sekisho::label::{Code, Control, Scheme, Schemes, parse_banner, parse_portion};
//!
//! let us = Scheme::us();
//! let banner = parse_banner("SECRET//REL TO USA, JPN", &us, &Limits::default()).unwrap();
//! assert!(banner.releasable_to.permits(Code::parse("JPN").unwrap()));
//! let portion = parse_portion("(C//NF)", &us, &Limits::default()).unwrap();
//! assert!(portion.controls.contains(&Control::Noforn));
//!
//! // The rolled-up label: highest level, NOFORN wins over REL TO.
//! let both = banner.combine(&portion, &Schemes::us()).unwrap();
//! assert_eq!(both.to_banner(&us).unwrap(), "SECRET//NOFORN");
//!
//! // Errors say which rule failed, where, and what was probably meant.
//! let e = parse_banner("SECRET//REL TO USA, JPX", &us, &Limits::default()).unwrap_err();
//! assert_eq!((e.rule, e.offset), ("country_code", 20));
//! assert!(e.detail.contains("did you mean `JPN`?"));
//! ```

mod banner;
mod codes;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use banner::{fuzz_banner, looks_like_banner, parse_banner, parse_portion};
pub use codes::{Code, CodeError, ORGANISATIONS, TRIGRAPHS};

// ---------------------------------------------------------------------------------------------
// Schemes and equivalences
// ---------------------------------------------------------------------------------------------

/// A national classification scheme: its levels, lowest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    pub levels: Vec<LevelDef>,
}

/// One level of a scheme: its name (as a banner writes it), other accepted spellings, and the
/// abbreviation a portion marking uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelDef {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub portion: Option<String>,
}

/// Maps each level of scheme `from` onto the level of scheme `to` that it is treated as
/// (e.g. from a bilateral security agreement). Levels left out have no equivalent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Equivalence {
    pub from: String,
    pub to: String,
    pub map: BTreeMap<String, String>,
}

/// The schemes and equivalences as a policy file states them, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemesConfig {
    #[serde(default)]
    pub schemes: Vec<Scheme>,
    #[serde(default)]
    pub equivalences: Vec<Equivalence>,
}

/// A validated registry of schemes and equivalences (see [`Schemes::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schemes {
    schemes: Vec<Scheme>,
    equivalences: Vec<Equivalence>,
}

/// A mistake in a [`SchemesConfig`]: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {detail}")]
#[non_exhaustive]
pub struct SchemeError {
    /// Where the field is, step by step from the top of the policy file.
    pub at: Vec<FieldStep>,
    /// Path of the field, e.g. `schemes[1].levels[2].portion` (`at`, written out).
    pub field: String,
    pub detail: String,
    /// The known name nearest to the one written, as "did you mean".
    pub help: Option<String>,
}

/// One step of the path to a field: a key of a table, or an element of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FieldStep {
    Key(String),
    Index(usize),
}

impl FieldStep {
    /// `steps`, written as a field path (`schemes[1].levels[2].portion`).
    pub fn path(steps: &[FieldStep]) -> String {
        let mut out = String::new();
        for step in steps {
            match step {
                FieldStep::Key(k) if out.is_empty() => out.push_str(k),
                FieldStep::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                FieldStep::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }
}

/// Why two classifications could not be compared or mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum CompareError {
    #[error("unknown classification scheme `{0}`")]
    UnknownScheme(String),
    #[error("scheme `{scheme}` has no level `{level}`")]
    UnknownLevel { scheme: String, level: String },
    #[error("no equivalence relates scheme `{from}` to scheme `{to}`")]
    NoEquivalence { from: String, to: String },
    #[error("level `{level}` of scheme `{from}` has no equivalent in scheme `{to}`")]
    NotMapped { from: String, to: String, level: String },
}

impl Scheme {
    /// The US scheme: `UNCLASSIFIED` (U), `CONFIDENTIAL` (C), `SECRET` (S), `TOP SECRET` (TS),
    /// as Executive Order 13526 §1.2 and the CAPCO register name them.
    pub fn us() -> Scheme {
        let level = |name: &str, portion: &str| LevelDef {
            name: name.to_string(),
            aliases: Vec::new(),
            portion: Some(portion.to_string()),
        };
        Scheme {
            name: "US".to_string(),
            levels: vec![
                level("UNCLASSIFIED", "U"),
                level("CONFIDENTIAL", "C"),
                level("SECRET", "S"),
                level("TOP SECRET", "TS"),
            ],
        }
    }

    /// The index of the level named or aliased `word`.
    pub fn level_index(&self, word: &str) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.name == word || l.aliases.iter().any(|a| a == word))
    }

    /// The classification this scheme's level `index` stands for.
    pub fn classification(&self, index: usize) -> Option<Classification> {
        self.levels.get(index).map(|l| Classification {
            scheme: self.name.clone(),
            level: l.name.clone(),
        })
    }
}

impl Schemes {
    /// Validate `config`: every problem is reported, each with the field it is in.
    pub fn new(config: SchemesConfig) -> Result<Schemes, Vec<SchemeError>> {
        use FieldStep::{Index, Key};
        let mut errors = Vec::new();
        let mut err = |at: Vec<FieldStep>, (detail, help): (String, Option<String>)| {
            errors.push(SchemeError {
                field: FieldStep::path(&at),
                at,
                detail,
                help,
            })
        };
        let key = |k: &str| Key(k.to_string());
        let mut names = HashSet::new();
        for (s, scheme) in config.schemes.iter().enumerate() {
            let at = |more: &[FieldStep]| [&[key("schemes"), Index(s)], more].concat();
            if let Some(d) = bad_word(&scheme.name) {
                err(at(&[key("name")]), (d, None));
            }
            if !names.insert(scheme.name.as_str()) {
                err(
                    at(&[key("name")]),
                    (format!("scheme `{}` is defined twice", scheme.name), None),
                );
            }
            if scheme.levels.is_empty() {
                err(
                    at(&[key("levels")]),
                    ("a scheme needs at least one level".to_string(), None),
                );
            }
            let mut words = HashSet::new();
            let mut portions = HashSet::new();
            for (l, level) in scheme.levels.iter().enumerate() {
                let at = |more: &[FieldStep]| at(&[&[key("levels"), Index(l)], more].concat());
                let spellings = std::iter::once((vec![key("name")], &level.name)).chain(
                    level
                        .aliases
                        .iter()
                        .enumerate()
                        .map(|(a, w)| (vec![key("aliases"), Index(a)], w)),
                );
                for (field, word) in spellings {
                    if let Some(d) = bad_word(word).or_else(|| lowercase(word)) {
                        err(at(&field), (d, None));
                    } else if !words.insert(word.as_str()) {
                        err(at(&field), (format!("`{word}` already names another level"), None));
                    }
                }
                if let Some(p) = &level.portion {
                    if let Some(d) = bad_word(p).or_else(|| lowercase(p)) {
                        err(at(&[key("portion")]), (d, None));
                    } else if !portions.insert(p.as_str()) {
                        err(
                            at(&[key("portion")]),
                            (format!("portion form `{p}` is used twice"), None),
                        );
                    }
                }
            }
        }
        let find = |name: &str| config.schemes.iter().find(|s| s.name == name);
        let mut pairs = HashSet::new();
        for (e, eq) in config.equivalences.iter().enumerate() {
            let at = |more: &[FieldStep]| [&[key("equivalences"), Index(e)], more].concat();
            let from = find(&eq.from);
            let to = find(&eq.to);
            for (field, name, found) in [("from", &eq.from, from), ("to", &eq.to, to)] {
                if found.is_none() {
                    let known = config.schemes.iter().map(|s| s.name.as_str());
                    err(at(&[key(field)]), unknown_with_hint("scheme", name, known));
                }
            }
            if eq.from == eq.to {
                err(
                    at(&[key("to")]),
                    ("an equivalence must relate two different schemes".to_string(), None),
                );
            }
            if !pairs.insert((eq.from.as_str(), eq.to.as_str())) {
                err(
                    at(&[]),
                    (format!("a second equivalence from `{}` to `{}`", eq.from, eq.to), None),
                );
            }
            let (Some(from), Some(to)) = (from, to) else { continue };
            let mut ranks = Vec::new();
            for (k, value) in &eq.map {
                let field = at(&[key("map"), key(k)]);
                let f = from.levels.iter().position(|l| l.name == *k);
                let t = to.levels.iter().position(|l| l.name == *value);
                if f.is_none() {
                    let known = from.levels.iter().map(|l| l.name.as_str());
                    err(
                        field.clone(),
                        unknown_with_hint(&format!("level of `{}`", from.name), k, known),
                    );
                }
                if t.is_none() {
                    let known = to.levels.iter().map(|l| l.name.as_str());
                    err(
                        field,
                        unknown_with_hint(&format!("level of `{}`", to.name), value, known),
                    );
                }
                if let (Some(f), Some(t)) = (f, t) {
                    ranks.push((f, t, k));
                }
            }
            // An equivalence must keep the order: a higher level may not map below a lower one.
            ranks.sort();
            for pair in ranks.windows(2) {
                if let [(_, t1, k1), (_, t2, k2)] = pair
                    && t2 < t1
                {
                    err(
                        at(&[key("map"), key(k2)]),
                        (format!("`{k2}` is above `{k1}` but maps to a lower level"), None),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(Schemes {
                schemes: config.schemes,
                equivalences: config.equivalences,
            })
        } else {
            Err(errors)
        }
    }

    /// Only the US scheme ([`Scheme::us`]).
    pub fn us() -> Schemes {
        Schemes {
            schemes: vec![Scheme::us()],
            equivalences: Vec::new(),
        }
    }

    /// The equivalences between schemes, as the policy gave them.
    pub fn equivalences(&self) -> &[Equivalence] {
        &self.equivalences
    }

    /// Every scheme, in the order the policy gave them.
    pub fn iter(&self) -> impl Iterator<Item = &Scheme> {
        self.schemes.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.name == name)
    }

    /// The index of `c`'s level in its scheme.
    pub fn rank(&self, c: &Classification) -> Result<usize, CompareError> {
        let scheme = self
            .get(&c.scheme)
            .ok_or_else(|| CompareError::UnknownScheme(c.scheme.clone()))?;
        scheme
            .levels
            .iter()
            .position(|l| l.name == c.level)
            .ok_or_else(|| CompareError::UnknownLevel {
                scheme: c.scheme.clone(),
                level: c.level.clone(),
            })
    }

    /// `c` expressed in scheme `target`, through the equivalence from `c`'s scheme to `target`.
    pub fn to_scheme(&self, c: &Classification, target: &str) -> Result<Classification, CompareError> {
        self.rank(c)?;
        if c.scheme == target {
            return Ok(c.clone());
        }
        let eq = self
            .equivalences
            .iter()
            .find(|e| e.from == c.scheme && e.to == target)
            .ok_or_else(|| CompareError::NoEquivalence {
                from: c.scheme.clone(),
                to: target.to_string(),
            })?;
        let level = eq.map.get(&c.level).ok_or_else(|| CompareError::NotMapped {
            from: c.scheme.clone(),
            to: target.to_string(),
            level: c.level.clone(),
        })?;
        Ok(Classification {
            scheme: target.to_string(),
            level: level.clone(),
        })
    }

    /// Compare two classifications on one lattice: directly within a scheme, else through an
    /// equivalence from one scheme to the other, else through a scheme both map onto. The
    /// search is symmetric, so `compare(a, b)` is always `compare(b, a).reverse()`.
    pub fn compare(&self, a: &Classification, b: &Classification) -> Result<Ordering, CompareError> {
        if a.scheme > b.scheme {
            return self.compare(b, a).map(Ordering::reverse);
        }
        let (ra, rb) = (self.rank(a)?, self.rank(b)?);
        if a.scheme == b.scheme {
            return Ok(ra.cmp(&rb));
        }
        let has = |from: &str, to: &str| self.equivalences.iter().any(|e| e.from == from && e.to == to);
        if has(&a.scheme, &b.scheme) {
            return Ok(self.rank(&self.to_scheme(a, &b.scheme)?)?.cmp(&rb));
        }
        if has(&b.scheme, &a.scheme) {
            return Ok(ra.cmp(&self.rank(&self.to_scheme(b, &a.scheme)?)?));
        }
        let common = self
            .equivalences
            .iter()
            .filter(|e| e.from == a.scheme)
            .find(|e| has(&b.scheme, &e.to));
        match common {
            Some(e) => {
                let ma = self.rank(&self.to_scheme(a, &e.to)?)?;
                let mb = self.rank(&self.to_scheme(b, &e.to)?)?;
                Ok(ma.cmp(&mb))
            }
            None => Err(CompareError::NoEquivalence {
                from: a.scheme.clone(),
                to: b.scheme.clone(),
            }),
        }
    }
}

/// Why `w` cannot name a scheme, level or portion form (it must be usable inside a marking).
fn bad_word(w: &str) -> Option<String> {
    if w.is_empty() {
        Some("must not be empty".to_string())
    } else if w.trim() != w {
        Some(format!("`{w}` has leading or trailing whitespace"))
    } else if w.contains(['/', '(', ')', ',']) {
        Some(format!(
            "`{w}` contains `/`, `(`, `)` or `,`, which separate parts of a marking"
        ))
    } else {
        None
    }
}

/// Markings are uppercase (the grammar rejects ASCII lowercase), so level words must be too.
fn lowercase(w: &str) -> Option<String> {
    w.contains(|c: char| c.is_ascii_lowercase()).then(|| {
        format!(
            "`{w}` has lowercase letters, which a marking never contains; write `{}`",
            w.to_ascii_uppercase()
        )
    })
}

/// "unknown `what` `name`", and the known name nearest to it as "did you mean".
fn unknown_with_hint<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> (String, Option<String>) {
    (
        format!("unknown {what} `{name}`"),
        codes::nearest(name, known, 3).map(|s| format!("did you mean `{s}`?")),
    )
}

// ---------------------------------------------------------------------------------------------
// The facts of a label
// ---------------------------------------------------------------------------------------------

/// A level of a named scheme, by the level's canonical name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    pub scheme: String,
    pub level: String,
}

/// Traffic Light Protocol 2.0 (FIRST), ordered from least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

/// A TLP name that is not one of TLP 2.0's (or TLP 1.0's `WHITE`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown TLP level `{0}`; TLP 2.0 has `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT` and `RED`")]
pub struct TlpError(pub String);

impl Tlp {
    /// The TLP 2.0 name, e.g. `TLP:AMBER+STRICT`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// A TLP level from `TLP:AMBER`, `amber` and the like (case-insensitive, `TLP:` optional).
    /// TLP 1.0 `WHITE` is TLP 2.0 `CLEAR` (FIRST TLP 2.0, "changes from 1.0").
    pub fn parse(s: &str) -> Result<Tlp, TlpError> {
        let upper = s.to_ascii_uppercase();
        let bare = upper.strip_prefix("TLP:").unwrap_or(&upper);
        match bare {
            "CLEAR" | "WHITE" => Ok(Tlp::Clear),
            "GREEN" => Ok(Tlp::Green),
            "AMBER" => Ok(Tlp::Amber),
            "AMBER+STRICT" => Ok(Tlp::AmberStrict),
            "RED" => Ok(Tlp::Red),
            _ => Err(TlpError(s.to_string())),
        }
    }
}

impl schemars::JsonSchema for Tlp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Tlp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A TLP 2.0 level, least to most restrictive: CLEAR (TLP 1.0 WHITE), GREEN, AMBER, AMBER+STRICT, RED. `allowed` lists exact levels, not a ceiling. The loader also accepts them in lower case.",
            "type": "string",
            "enum": [
                "CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED",
                "TLP:CLEAR", "TLP:WHITE", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"
            ],
        })
    }
}

impl Serialize for Tlp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Tlp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Tlp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A dissemination control. Variants are in the order the CAPCO register lists them (the order
/// a banner writes them): the IC dissemination controls, then the non-IC ones. Any other word is
/// kept as `Unknown` so that the policy can name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Control {
    /// RISK SENSITIVE (`RSEN`, portion `RS`).
    Rsen,
    /// FOR OFFICIAL USE ONLY (`FOUO`).
    Fouo,
    /// ORIGINATOR CONTROLLED (`ORCON`, portion `OC`).
    Orcon,
    /// ORIGINATOR CONTROLLED US GOVERNMENT (`ORCON-USGOV`, portion `OC-USGOV`).
    OrconUsgov,
    /// CONTROLLED IMAGERY (`IMCON`, portion `IMC`).
    Imcon,
    /// NOT RELEASABLE TO FOREIGN NATIONALS (`NOFORN`, portion `NF`).
    Noforn,
    /// CAUTION-PROPRIETARY INFORMATION INVOLVED (`PROPIN`, portion `PR`).
    Propin,
    /// RELEASABLE BY INFORMATION DISCLOSURE OFFICIAL (`RELIDO`).
    Relido,
    /// DEA SENSITIVE (`DSEN`).
    Dsen,
    /// FOREIGN INTELLIGENCE SURVEILLANCE ACT (`FISA`).
    Fisa,
    /// LIMITED DISTRIBUTION (`LIMDIS`, portion `DS`).
    Limdis,
    /// EXCLUSIVE DISTRIBUTION (`EXDIS`, portion `XD`).
    Exdis,
    /// NO DISTRIBUTION (`NODIS`, portion `ND`).
    Nodis,
    /// SENSITIVE BUT UNCLASSIFIED (`SBU`).
    Sbu,
    /// SBU NOFORN (`SBU NOFORN`, portion `SBU-NF`).
    SbuNoforn,
    /// LAW ENFORCEMENT SENSITIVE (`LES`).
    Les,
    /// LES NOFORN (`LES NOFORN`, portion `LES-NF`).
    LesNoforn,
    /// SENSITIVE SECURITY INFORMATION (`SSI`).
    Ssi,
    /// A control word this crate does not know, as written.
    Unknown(String),
}

/// The two categories of dissemination controls a banner carries, in banner order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Category {
    /// IC dissemination controls (with `REL TO`).
    Dissem,
    /// Non-IC dissemination controls.
    NonIc,
}

impl Control {
    /// Every known control, in register order.
    pub fn known() -> [Control; 18] {
        use Control::*;
        [
            Rsen, Fouo, Orcon, OrconUsgov, Imcon, Noforn, Propin, Relido, Dsen, Fisa, Limdis, Exdis, Nodis, Sbu,
            SbuNoforn, Les, LesNoforn, Ssi,
        ]
    }

    /// The banner-line form and the portion form of a known control.
    pub fn words(&self) -> Option<(&'static str, &'static str)> {
        use Control::*;
        Some(match self {
            Rsen => ("RSEN", "RS"),
            Fouo => ("FOUO", "FOUO"),
            Orcon => ("ORCON", "OC"),
            OrconUsgov => ("ORCON-USGOV", "OC-USGOV"),
            Imcon => ("IMCON", "IMC"),
            Noforn => ("NOFORN", "NF"),
            Propin => ("PROPIN", "PR"),
            Relido => ("RELIDO", "RELIDO"),
            Dsen => ("DSEN", "DSEN"),
            Fisa => ("FISA", "FISA"),
            Limdis => ("LIMDIS", "DS"),
            Exdis => ("EXDIS", "XD"),
            Nodis => ("NODIS", "ND"),
            Sbu => ("SBU", "SBU"),
            SbuNoforn => ("SBU NOFORN", "SBU-NF"),
            Les => ("LES", "LES"),
            LesNoforn => ("LES NOFORN", "LES-NF"),
            Ssi => ("SSI", "SSI"),
            Unknown(_) => return None,
        })
    }

    /// The control a banner or portion word names; any other word is `Unknown`.
    pub fn from_word(w: &str) -> Control {
        Control::known()
            .into_iter()
            .find(|c| c.words().is_some_and(|(b, p)| b == w || p == w))
            .unwrap_or_else(|| Control::Unknown(w.to_string()))
    }

    /// The control as a banner line writes it.
    pub fn banner_word(&self) -> &str {
        match (self, self.words()) {
            (_, Some((b, _))) => b,
            (Control::Unknown(w), None) => w,
            _ => "",
        }
    }

    /// The category of a known control (unknown ones have none).
    pub(crate) fn category(&self) -> Option<Category> {
        use Control::*;
        match self {
            Limdis | Exdis | Nodis | Sbu | SbuNoforn | Les | LesNoforn | Ssi => Some(Category::NonIc),
            Unknown(_) => None,
            _ => Some(Category::Dissem),
        }
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.banner_word())
    }
}

impl Serialize for Control {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.banner_word())
    }
}

impl<'de> Deserialize<'de> for Control {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Control::from_word(&s))
    }
}

/// A non-empty set of codes, in CAPCO REL TO order. Only [`RelTo::new`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RelTo(BTreeSet<Code>);

impl RelTo {
    /// The set of `codes`, or `None` when there are none.
    pub fn new(codes: impl IntoIterator<Item = Code>) -> Option<RelTo> {
        let set: BTreeSet<Code> = codes.into_iter().collect();
        (!set.is_empty()).then_some(RelTo(set))
    }

    pub fn iter(&self) -> impl Iterator<Item = Code> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, code: Code) -> bool {
        self.0.contains(&code)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `RelTo` is never empty. (Here for clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for RelTo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let codes = Vec::<Code>::deserialize(d)?;
        RelTo::new(codes).ok_or_else(|| serde::de::Error::custom("a REL TO list needs at least one code"))
    }
}

/// To whom (outside the originating country) a unit may be released.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Releasability {
    /// No marking restricted foreign release (other facts, such as the level, still apply).
    #[default]
    Unrestricted,
    /// Releasable to these countries and organisations only (`REL TO`).
    To(RelTo),
    /// Releasable to no one: `NOFORN`, or `REL TO` lists with nothing in common.
    Nobody,
}

impl Releasability {
    /// The most restrictive of the two: intersection of the REL TO sets.
    pub fn meet(&self, other: &Releasability) -> Releasability {
        use Releasability::*;
        match (self, other) {
            (Nobody, _) | (_, Nobody) => Nobody,
            (Unrestricted, x) | (x, Unrestricted) => x.clone(),
            (To(a), To(b)) => RelTo::new(a.0.intersection(&b.0).copied()).map_or(Nobody, To),
        }
    }

    /// Whether this says nothing against releasing to `code`.
    pub fn permits(&self, code: Code) -> bool {
        match self {
            Releasability::Unrestricted => true,
            Releasability::To(set) => set.contains(code),
            Releasability::Nobody => false,
        }
    }
}

/// Which kind of fact a source stated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Fact {
    Classification,
    ReleasableTo,
    Control(Control),
    Tlp,
}

/// Which marking stated which fact, e.g. `marking-definition--…` or `statement banner`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Source {
    pub fact: Fact,
    /// Shared by every fact one marking stated, and by every label combined from it (a unit
    /// under 50,000 markings holds each name once, not once per label it went through).
    #[serde(serialize_with = "shared_str")]
    pub by: std::sync::Arc<str>,
}

fn shared_str<S: serde::Serializer>(s: &std::sync::Arc<str>, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(s)
}

/// Everything known about who may see a unit, and who said so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Label {
    pub classification: Option<Classification>,
    pub releasable_to: Releasability,
    pub controls: BTreeSet<Control>,
    pub tlp: Option<Tlp>,
    /// Kept as a set, so that combining labels is commutative and idempotent.
    pub sources: Sources,
}

/// The sources of a label: a set (sorted, each once), shared. Copying a label (into a decision,
/// a merged version, a cache) copies a reference, not the sources, and a marking's label of one
/// fact holds one source in a 64-byte block, not in a 500-byte B-tree node (issue 16: 59,000
/// statement markings on one object).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources(Option<std::sync::Arc<[Source]>>);

impl Sources {
    /// The sources in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Source> {
        self.as_slice().iter()
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn as_slice(&self) -> &[Source] {
        self.0.as_deref().unwrap_or_default()
    }

    /// Whether `s` is one of the sources.
    pub fn contains(&self, s: &Source) -> bool {
        self.as_slice().binary_search(s).is_ok()
    }

    /// The sources of both, in one pass over each; shared, not copied, when one holds all.
    pub fn union(&self, other: &Sources) -> Sources {
        let (a, b) = (self.as_slice(), other.as_slice());
        if b.is_empty() || self == other {
            return self.clone();
        }
        if a.is_empty() {
            return other.clone();
        }
        let mut out = Vec::with_capacity(a.len().saturating_add(b.len()));
        let (mut x, mut y) = (a.iter().peekable(), b.iter().peekable());
        loop {
            let next = match (x.peek(), y.peek()) {
                (Some(p), Some(q)) => match p.cmp(q) {
                    Ordering::Less => x.next(),
                    Ordering::Greater => y.next(),
                    Ordering::Equal => {
                        y.next();
                        x.next()
                    }
                },
                (Some(_), None) => x.next(),
                (None, _) => y.next(),
            };
            let Some(next) = next else {
                break;
            };
            out.push(next.clone());
        }
        Sources::from_sorted(out)
    }

    /// From a sorted vector without repeats.
    fn from_sorted(v: Vec<Source>) -> Sources {
        if v.is_empty() {
            Sources(None)
        } else {
            Sources(Some(v.into()))
        }
    }
}

/// Sorted and each kept once, whatever order `iter` gives (n log n).
impl FromIterator<Source> for Sources {
    fn from_iter<I: IntoIterator<Item = Source>>(iter: I) -> Sources {
        let mut v: Vec<Source> = iter.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Sources::from_sorted(v)
    }
}

impl<'s> IntoIterator for &'s Sources {
    type Item = &'s Source;
    type IntoIter = std::slice::Iter<'s, Source>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// As the set it is: a sequence, in order.
impl Serialize for Sources {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        to.collect_seq(self.iter())
    }
}

/// A classified marking without its own `REL TO` releases to nobody (every format reads its
/// markings so).
pub fn closed(mut l: Label, schemes: &Schemes) -> Label {
    let classified = l
        .classification
        .as_ref()
        .is_some_and(|c| schemes.rank(c).map_or(true, |r| r > 0));
    if classified && l.releasable_to == Releasability::Unrestricted {
        l.releasable_to = Releasability::Nobody;
    }
    l
}

/// Why a label has no banner or portion form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("cannot render the label as a marking: {0}")]
pub struct RenderError(pub String);

impl Label {
    /// Record that `by` stated every fact this label holds (call right after parsing a marking).
    pub fn said_by(mut self, by: &str) -> Label {
        let mut facts = Vec::new();
        if self.classification.is_some() {
            facts.push(Fact::Classification);
        }
        if self.releasable_to != Releasability::Unrestricted {
            facts.push(Fact::ReleasableTo);
        }
        facts.extend(self.controls.iter().cloned().map(Fact::Control));
        if self.tlp.is_some() {
            facts.push(Fact::Tlp);
        }
        let by: std::sync::Arc<str> = by.into();
        let said: Sources = facts
            .into_iter()
            .map(|fact| Source {
                fact,
                by: std::sync::Arc::clone(&by),
            })
            .collect();
        self.sources = self.sources.union(&said);
        self
    }

    /// The most restrictive of each fact: the higher level (compared through the schemes'
    /// equivalences; on a tie across schemes the greater `(scheme, level)` name is kept, so the
    /// result does not depend on argument order), the intersection of releasability, the union
    /// of controls, the more restrictive TLP, and the sources of both.
    ///
    /// Levels that cannot be compared are an error: guessing which is higher is not safe.
    pub fn combine(&self, other: &Label, schemes: &Schemes) -> Result<Label, CompareError> {
        let classification = match (&self.classification, &other.classification) {
            (None, x) | (x, None) => x.clone(),
            (Some(a), Some(b)) => Some(
                match schemes
                    .compare(a, b)?
                    .then_with(|| (&a.scheme, &a.level).cmp(&(&b.scheme, &b.level)))
                {
                    Ordering::Less => b.clone(),
                    _ => a.clone(),
                },
            ),
        };
        Ok(Label {
            classification,
            releasable_to: self.releasable_to.meet(&other.releasable_to),
            controls: self.controls.union(&other.controls).cloned().collect(),
            tlp: self.tlp.max(other.tlp),
            sources: self.sources.union(&other.sources),
        })
    }

    /// The CAPCO banner line for this label in the US `scheme` (see [`parse_banner`]).
    pub fn to_banner(&self, scheme: &Scheme) -> Result<String, RenderError> {
        banner::render(self, scheme, banner::Form::Banner)
    }

    /// The CAPCO portion marking for this label in the US `scheme` (see [`parse_portion`]).
    pub fn to_portion(&self, scheme: &Scheme) -> Result<String, RenderError> {
        banner::render(self, scheme, banner::Form::Portion)
    }
}

#[cfg(test)]
mod tests;
