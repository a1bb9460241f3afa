//! Country and organisation codes for `REL TO`, and the edit distance behind "did you mean".
//!
//! Countries are ISO 3166-1 alpha-3 trigraphs (the full list of assigned codes, embedded below).
//! Organisations are the tetragraphs of the ODNI/CAPCO "Intelligence Community Markings System
//! Register and Manual" that are used with `REL TO` (coalitions and international bodies such as
//! `FVEY` and `NATO`), plus `EU`, the one two-letter code the register's REL TO list carries
//! (ISMCAT `CVEnumISMCATRelTo`). Codes outside these lists are errors, never passed through.
//!
//! Order (CAPCO register, REL TO): `USA` first, then the other trigraphs alphabetically, then
//! the organisation codes alphabetically. [`Code`]'s `Ord` is exactly that order, so a
//! `BTreeSet<Code>` iterates in the order a banner must list them.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// ISO 3166-1 alpha-3: every officially assigned code, sorted.
pub const TRIGRAPHS: [&str; 249] = [
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS", "AUT",
    "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL",
    "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG",
    "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM",
    "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBR",
    "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY",
    "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY",
    "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL",
    "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM",
    "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU",
    "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON",
    "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT", "VEN", "VGB",
    "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
];

/// Organisation codes accepted in `REL TO`, sorted, with what each stands for. The common
/// tetragraphs of the CAPCO register's REL TO usage; a deployment needing another one adds it here.
pub const ORGANISATIONS: [(&str, &str); 20] = [
    ("ACGU", "Australia, Canada, United Kingdom, United States"),
    ("CFCK", "Combined Forces Command Korea"),
    ("CMFC", "Combined Maritime Forces"),
    ("CWCS", "Chemical Weapons Convention States"),
    ("EFOR", "European Union Force"),
    ("EU", "European Union"),
    (
        "FVEY",
        "Five Eyes: Australia, Canada, New Zealand, United Kingdom, United States",
    ),
    ("GCTF", "Global Counter-Terrorism Forces"),
    ("GMIF", "Global Maritime Interception Forces"),
    ("IESC", "International Events Security Coalition"),
    ("ISAF", "International Security Assistance Force"),
    ("KFOR", "Kosovo Force"),
    ("MCFI", "Multinational Coalition Forces Iraq"),
    ("MIFH", "Multinational Interim Force Haiti"),
    ("MLEC", "Multi-Lateral Enduring Contingency"),
    ("NACT", "North African Counter-Terrorism Forces"),
    ("NATO", "North Atlantic Treaty Organization"),
    ("SPAA", "Sensitive Peace Accord Allies"),
    ("TEYE", "Three Eyes: Australia, United Kingdom, United States"),
    ("UNCK", "United Nations Command Korea"),
];

/// One known country trigraph or organisation code. Only [`Code::parse`] makes one, so a
/// `Code` is always in [`TRIGRAPHS`] or [`ORGANISATIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(&'static str);

impl Code {
    /// The United States, which a US `REL TO` always lists first.
    pub const USA: Code = Code("USA");

    /// The known code spelt `s` (exactly, uppercase), or an error with the nearest known code.
    pub fn parse(s: &str) -> Result<Code, CodeError> {
        if let Ok(at) = TRIGRAPHS.binary_search(&s)
            && let Some(code) = TRIGRAPHS.get(at)
        {
            return Ok(Code(code));
        }
        if let Some((code, _)) = ORGANISATIONS.iter().find(|(c, _)| *c == s) {
            return Ok(Code(code));
        }
        let all = TRIGRAPHS.iter().copied().chain(ORGANISATIONS.iter().map(|(c, _)| *c));
        Err(CodeError {
            code: s.to_string(),
            suggestion: nearest(&s.to_ascii_uppercase(), all, 2),
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// A country (ISO 3166-1 alpha-3), as opposed to an organisation.
    pub fn is_country(&self) -> bool {
        self.0.len() == 3
    }

    /// CAPCO REL TO order: `USA`, then countries, then organisations.
    fn group(&self) -> u8 {
        match (*self == Code::USA, self.is_country()) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        }
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.group(), self.0).cmp(&(other.group(), other.0))
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A code that is neither an ISO 3166-1 trigraph nor a known organisation code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct CodeError {
    pub code: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown country or organisation code `{}`", self.code)?;
        if let Some(s) = self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

/// Levenshtein distance in characters (insert, delete, substitute each cost 1).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (n, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(prev.len());
        cur.push(n.saturating_add(1));
        for (m, cb) in b.iter().enumerate() {
            let substitute = prev
                .get(m)
                .map_or(usize::MAX, |d| d.saturating_add(usize::from(ca != *cb)));
            let delete = prev
                .get(m.saturating_add(1))
                .map_or(usize::MAX, |d| d.saturating_add(1));
            let insert = cur.get(m).map_or(usize::MAX, |d| d.saturating_add(1));
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or_default()
}

/// The candidate nearest to `word` if it is within `max` edits (the first one on a tie).
/// Words much longer than every candidate are not compared, which keeps the cost linear.
pub(crate) fn nearest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>, max: usize) -> Option<&'c str> {
    let len = word.chars().count();
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        if len.abs_diff(c.chars().count()) > max {
            continue;
        }
        let d = edit_distance(word, c);
        if d <= max && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let all: Vec<&str> = TRIGRAPHS
            .iter()
            .copied()
            .chain(ORGANISATIONS.iter().map(|(c, _)| *c))
            .collect();
        schemars::json_schema!({
            "description": "A country trigraph (ISO 3166-1 alpha-3) or an organisation tetragraph",
            "type": "string",
            "enum": all,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigraph_table_is_sorted_and_unique() {
        assert!(TRIGRAPHS.windows(2).all(|w| w.first() < w.get(1)));
        assert!(
            TRIGRAPHS
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn organisation_table_is_sorted_and_disjoint_from_trigraphs() {
        assert!(
            ORGANISATIONS
                .windows(2)
                .all(|w| w.first().map(|p| p.0) < w.get(1).map(|p| p.0))
        );
        assert!(ORGANISATIONS.iter().all(|(c, _)| c.len() != 3));
    }

    #[test]
    fn orders_usa_then_trigraphs_then_organisations() {
        let mut v: Vec<Code> = ["NATO", "JPN", "USA", "AUS", "EU", "FVEY"]
            .iter()
            .filter_map(|s| Code::parse(s).ok())
            .collect();
        v.sort();
        let s: Vec<&str> = v.iter().map(Code::as_str).collect();
        assert_eq!(s, ["USA", "AUS", "JPN", "EU", "FVEY", "NATO"]);
    }

    #[test]
    fn suggests_nearest_code() {
        let e = Code::parse("JPX").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown country or organisation code `JPX`; did you mean `JPN`?"
        );
        let e = Code::parse("FVEZ").unwrap_err();
        assert_eq!(e.suggestion, Some("FVEY"));
        assert_eq!(Code::parse("QQQQQQQQ").unwrap_err().suggestion, None);
    }

    #[test]
    fn computes_edit_distance() {
        assert_eq!(edit_distance("NOFRN", "NOFORN"), 1);
        assert_eq!(edit_distance("", "ABC"), 3);
        assert_eq!(edit_distance("KITTEN", "SITTING"), 3);
    }
}
