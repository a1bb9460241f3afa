//! Unit tests for labels: one per grammar rule and per rejection class, with the rule, offset
//! and message a user sees; then properties of rendering and combining.

use super::*;
use crate::ParseError;
use crate::limits::Limits;

fn banner(s: &str) -> Label {
    match parse_banner(s, &Scheme::us(), &Limits::default()) {
        Ok(l) => l,
        Err(e) => panic!("{s:?} rejected: {e} at {}", e.offset),
    }
}

fn portion(s: &str) -> Label {
    match parse_portion(s, &Scheme::us(), &Limits::default()) {
        Ok(l) => l,
        Err(e) => panic!("{s:?} rejected: {e} at {}", e.offset),
    }
}

fn banner_err(s: &str) -> ParseError {
    match parse_banner(s, &Scheme::us(), &Limits::default()) {
        Ok(l) => panic!("{s:?} accepted as {l:?}"),
        Err(e) => e,
    }
}

fn portion_err(s: &str) -> ParseError {
    match parse_portion(s, &Scheme::us(), &Limits::default()) {
        Ok(l) => panic!("{s:?} accepted as {l:?}"),
        Err(e) => e,
    }
}

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn us(level: &str) -> Classification {
    Classification {
        scheme: "US".to_string(),
        level: level.to_string(),
    }
}

fn jp(level: &str) -> Classification {
    Classification {
        scheme: "JP".to_string(),
        level: level.to_string(),
    }
}

/// The US scheme and a Japanese one (秘, 極秘, 機密) mapped onto it as the 2007 Japan–US
/// GSOMIA pairs them: 秘 ↔ CONFIDENTIAL, 極秘 ↔ SECRET, 機密 ↔ TOP SECRET.
const US_JP: &str = r#"
[[schemes]]
name = "US"
levels = [
  { name = "UNCLASSIFIED", portion = "U" },
  { name = "CONFIDENTIAL", portion = "C" },
  { name = "SECRET", portion = "S" },
  { name = "TOP SECRET", portion = "TS" },
]

[[schemes]]
name = "JP"
levels = [{ name = "秘" }, { name = "極秘" }, { name = "機密" }]

[[equivalences]]
from = "JP"
to = "US"
map = { "秘" = "CONFIDENTIAL", "極秘" = "SECRET", "機密" = "TOP SECRET" }
"#;

fn us_jp() -> Schemes {
    let config: SchemesConfig = toml::from_str(US_JP).unwrap();
    Schemes::new(config).unwrap()
}

//--- levels
#[test]
fn accepts_every_us_level_in_banner_and_portion_form() {
    for (b, p) in [
        ("UNCLASSIFIED", "(U)"),
        ("CONFIDENTIAL", "(C)"),
        ("SECRET", "(S)"),
        ("TOP SECRET", "(TS)"),
    ] {
        assert_eq!(banner(b), portion(p));
        assert_eq!(banner(b).classification.unwrap().level, b);
    }
}

#[test]
fn rejects_unknown_level_with_suggestion() {
    let e = banner_err("SECRT//NOFORN");
    assert_eq!((e.rule, e.offset), ("classification", 0));
    assert_eq!(e.detail, "unknown classification `SECRT`; did you mean `SECRET`?");
}

#[test]
fn rejects_level_run_into_other_text() {
    let e = banner_err("SECRETS");
    assert_eq!(e.rule, "classification");
}

#[test]
fn rejects_portion_abbreviation_in_banner() {
    let e = banner_err("TS//NOFORN");
    assert_eq!(e.rule, "classification");
    assert_eq!(
        e.detail,
        "`TS` is a portion form; a banner line writes the level in full, `TOP SECRET`"
    );
    let e = portion_err("(SECRET)");
    assert_eq!(
        e.detail,
        "`SECRET` is a banner form; a portion marking writes the abbreviation, `S`"
    );
}

#[test]
fn rejects_lowercase_with_the_uppercase_spelling() {
    let e = banner_err("secret//noforn");
    assert_eq!((e.rule, e.offset), ("uppercase", 0));
    assert_eq!(
        e.detail,
        "markings are written in uppercase, found `s`; write `SECRET//NOFORN`"
    );
    assert_eq!(portion_err("(S//nf)").offset, 4);
}

//--- categories and controls
#[test]
fn accepts_controls_of_one_category_separated_by_single_slash() {
    let l = banner("SECRET//ORCON/NOFORN");
    assert_eq!(l.controls, BTreeSet::from([Control::Orcon, Control::Noforn]));
    assert_eq!(l.releasable_to, Releasability::Nobody);
    assert_eq!(portion("(S//OC/NF)"), l);
}

#[test]
fn accepts_non_ic_category_after_ic_dissemination_controls() {
    let l = banner("SECRET//NOFORN//EXDIS");
    assert!(l.controls.contains(&Control::Exdis));
    assert_eq!(portion("(S//NF//XD)"), l);
}

#[test]
fn rejects_empty_category() {
    let e = banner_err("SECRET////NOFORN");
    assert_eq!((e.rule, e.offset), ("category", 8));
    assert_eq!(banner_err("SECRET//").rule, "category");
    assert_eq!(banner_err("SECRET//NOFORN///ORCON").offset, 16);
}

#[test]
fn rejects_single_slash_after_level() {
    let e = banner_err("SECRET/NOFORN");
    assert_eq!((e.rule, e.offset), ("category", 6));
}

#[test]
fn rejects_trailing_garbage() {
    let e = banner_err("SECRET//NOFORN, ORCON");
    assert_eq!((e.rule, e.offset), ("banner", 14));
    let e = portion_err("(S//NF) TEXT");
    assert_eq!((e.rule, e.offset), ("portion", 7));
    let e = banner_err("SECRET ");
    assert_eq!((e.rule, e.offset), ("banner", 6));
    let e = banner_err("SECRET)");
    assert_eq!((e.rule, e.offset), ("banner", 6));
    assert_eq!(
        e.detail,
        "unexpected `)` in the marking; categories are separated by `//` and controls within one by `/`"
    );
}

#[test]
fn rejects_unterminated_portion() {
    let e = portion_err("(S//NF");
    assert_eq!((e.rule, e.offset), ("portion", 6));
    assert_eq!(portion_err("S//NF)").rule, "portion");
}

#[test]
fn rejects_controls_out_of_register_order() {
    let e = banner_err("SECRET//NOFORN/ORCON");
    assert_eq!((e.rule, e.offset), ("control_order", 15));
    assert_eq!(e.detail, "`ORCON` must come before `NOFORN` (the register's order)");
}

#[test]
fn rejects_duplicate_control() {
    let e = banner_err("SECRET//ORCON/ORCON");
    assert_eq!((e.rule, e.offset), ("duplicate_control", 14));
    assert_eq!(banner_err("SECRET//SI/SI").rule, "duplicate_control");
}

#[test]
fn rejects_controls_of_two_categories_in_one_block() {
    let e = banner_err("SECRET//NOFORN/EXDIS");
    assert_eq!((e.rule, e.offset), ("control_category", 15));
}

#[test]
fn rejects_category_split_across_blocks() {
    let e = banner_err("SECRET//ORCON//NOFORN");
    assert_eq!((e.rule, e.offset), ("control_category", 15));
}

#[test]
fn rejects_portion_control_form_in_banner() {
    let e = banner_err("SECRET//NF");
    assert_eq!((e.rule, e.offset), ("control_form", 8));
    assert_eq!(
        e.detail,
        "`NF` is the portion form of `NOFORN`; a banner line writes `NOFORN`"
    );
    assert_eq!(portion_err("(S//NOFORN)").rule, "control_form");
}

#[test]
fn rejects_misspelt_control_with_suggestion() {
    let e = banner_err("SECRET//NOFRN");
    assert_eq!((e.rule, e.offset), ("control", 8));
    assert_eq!(e.detail, "unknown control `NOFRN`; did you mean `NOFORN`?");
    assert_eq!(banner_err("SECRET//RELTO USA").rule, "rel_to");
}

#[test]
fn keeps_unknown_control_words_for_the_policy() {
    let l = banner("TOP SECRET//SI/TK//NOFORN");
    assert!(l.controls.contains(&Control::Unknown("SI".to_string())));
    assert!(l.controls.contains(&Control::Unknown("TK".to_string())));
    assert!(l.controls.contains(&Control::Noforn));
}

#[test]
fn rejects_classification_as_control() {
    assert_eq!(banner_err("SECRET//SECRET").rule, "control");
}

//--- REL TO
#[test]
fn accepts_rel_to_in_capco_order() {
    let l = banner("SECRET//REL TO USA, AUS, GBR, JPN, FVEY, NATO");
    let Releasability::To(set) = &l.releasable_to else {
        panic!("{l:?}")
    };
    let codes: Vec<&str> = set.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ["USA", "AUS", "GBR", "JPN", "FVEY", "NATO"]);
    assert_eq!(portion("(S//REL TO USA, AUS, GBR, JPN, FVEY, NATO)"), l);
}

#[test]
fn accepts_rel_to_beside_other_controls_in_register_order() {
    let l = banner("SECRET//ORCON/REL TO USA, JPN/RELIDO");
    assert!(l.controls.contains(&Control::Relido));
    assert!(l.releasable_to.permits(code("JPN")));
    assert!(!l.releasable_to.permits(code("GBR")));
}

#[test]
fn rejects_rel_to_out_of_order() {
    let e = banner_err("SECRET//REL TO USA, JPN, GBR");
    assert_eq!((e.rule, e.offset), ("rel_to_order", 25));
    assert!(e.detail.starts_with("`GBR` must come before `JPN`"), "{}", e.detail);
    let e = banner_err("SECRET//REL TO JPN, USA");
    assert_eq!((e.rule, e.offset), ("rel_to_order", 20));
    let e = banner_err("SECRET//REL TO USA, NATO, GBR");
    assert_eq!((e.rule, e.offset), ("rel_to_order", 26));
}

#[test]
fn rejects_rel_to_without_usa() {
    let e = banner_err("SECRET//REL TO GBR, JPN");
    assert_eq!((e.rule, e.offset), ("rel_to_order", 15));
}

#[test]
fn rejects_rel_to_duplicate_code() {
    let e = banner_err("SECRET//REL TO USA, JPN, JPN");
    assert_eq!((e.rule, e.offset), ("rel_to_duplicate", 25));
}

#[test]
fn rejects_rel_to_unknown_code_with_suggestion() {
    let e = banner_err("SECRET//REL TO USA, JPX");
    assert_eq!((e.rule, e.offset), ("country_code", 20));
    assert_eq!(
        e.detail,
        "unknown country or organisation code `JPX`; did you mean `JPN`?"
    );
}

#[test]
fn rejects_rel_to_with_noforn() {
    let e = banner_err("SECRET//NOFORN/REL TO USA, JPN");
    assert_eq!((e.rule, e.offset), ("rel_to_with_noforn", 15));
    let e = portion_err("(S//REL TO USA, JPN/NF)");
    assert_eq!((e.rule, e.offset), ("rel_to_with_noforn", 20));
}

#[test]
fn rejects_rel_to_with_bad_separators() {
    assert_eq!(banner_err("SECRET//REL TO USA,JPN").rule, "rel_to");
    assert_eq!(banner_err("SECRET//REL TO USA JPN").rule, "rel_to");
    assert_eq!(banner_err("SECRET//REL TO").rule, "rel_to");
    assert_eq!(portion_err("(S//REL)").rule, "rel_to");
}

//--- limits
#[test]
fn rejects_marking_over_the_size_limit() {
    let long = format!("SECRET//{}", ["SI"; 40].join("/"));
    let e = parse_banner(&long, &Scheme::us(), &Limits::tiny()).unwrap_err();
    assert_eq!(e.rule, "max_string_bytes");
}

//--- looks like a banner
#[test]
fn recognises_text_that_looks_like_a_marking() {
    let us = Scheme::us();
    assert!(looks_like_banner("SECRET//NOFORN", &us));
    assert!(looks_like_banner("  Top Secret stuff", &us));
    assert!(looks_like_banner("(S)", &us));
    assert!(!looks_like_banner("Copyright 2024 ACME", &us));
    assert!(!looks_like_banner("SECRETARIAT notes", &us));
}

//--- schemes
#[test]
fn rejects_scheme_config_mistakes_naming_each_field() {
    let config: SchemesConfig = toml::from_str(
        r#"
        [[schemes]]
        name = "US"
        levels = [{ name = "SECRET", portion = "S" }, { name = "SECRET", portion = "S" }, { name = "top secret" }]
        [[schemes]]
        name = "US"
        levels = []
        [[equivalences]]
        from = "JP"
        to = "US"
        map = { "秘" = "SECRT" }
        "#,
    )
    .unwrap();
    let errors = Schemes::new(config).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "schemes[0].levels[1].name",
            "schemes[0].levels[1].portion",
            "schemes[0].levels[2].name",
            "schemes[1].name",
            "schemes[1].levels",
            "equivalences[0].from",
        ],
        "{errors:#?}"
    );
}

#[test]
fn rejects_equivalence_that_breaks_the_order() {
    let config = US_JP.replace(r#""極秘" = "SECRET""#, r#""極秘" = "UNCLASSIFIED""#);
    let errors = Schemes::new(toml::from_str(&config).unwrap()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors.first().map(|e| e.field.as_str()),
        Some("equivalences[0].map.極秘")
    );
}

#[test]
fn rejects_equivalence_to_unknown_level_with_suggestion() {
    let config = US_JP.replace(r#""秘" = "CONFIDENTIAL""#, r#""秘" = "CONFIDENTAL""#);
    let errors = Schemes::new(toml::from_str(&config).unwrap()).unwrap_err();
    assert_eq!(
        errors.first().map(|e| (e.to_string(), e.help.as_deref())),
        Some((
            "equivalences[0].map.秘: unknown level of `US` `CONFIDENTAL`".to_string(),
            Some("did you mean `CONFIDENTIAL`?")
        ))
    );
    let at = errors.first().map(|e| e.at.clone()).unwrap_or_default();
    assert_eq!(FieldStep::path(&at), "equivalences[0].map.秘");
}

#[test]
fn compares_across_schemes_through_equivalences() {
    let s = us_jp();
    assert_eq!(s.compare(&jp("極秘"), &us("SECRET")), Ok(Ordering::Equal));
    assert_eq!(s.compare(&us("SECRET"), &jp("極秘")), Ok(Ordering::Equal));
    assert_eq!(s.compare(&jp("秘"), &us("SECRET")), Ok(Ordering::Less));
    assert_eq!(s.compare(&us("UNCLASSIFIED"), &jp("秘")), Ok(Ordering::Less));
    assert_eq!(s.to_scheme(&jp("機密"), "US"), Ok(us("TOP SECRET")));
}

#[test]
fn rejects_comparison_without_equivalence() {
    let s = us_jp();
    assert_eq!(
        s.compare(
            &us("SECRET"),
            &Classification {
                scheme: "GB".into(),
                level: "SECRET".into()
            }
        ),
        Err(CompareError::UnknownScheme("GB".into()))
    );
    assert_eq!(
        Schemes::us().compare(&us("SECRET"), &us("SEKRET")),
        Err(CompareError::UnknownLevel {
            scheme: "US".into(),
            level: "SEKRET".into()
        })
    );
}

//--- combining
#[test]
fn combines_to_most_restrictive_level_across_schemes() {
    let s = us_jp();
    let a = Label {
        classification: Some(jp("極秘")),
        ..Label::default()
    };
    let b = Label {
        classification: Some(us("CONFIDENTIAL")),
        ..Label::default()
    };
    assert_eq!(a.combine(&b, &s).unwrap().classification, Some(jp("極秘")));
    let c = Label {
        classification: Some(us("TOP SECRET")),
        ..Label::default()
    };
    assert_eq!(a.combine(&c, &s).unwrap().classification, Some(us("TOP SECRET")));
}

#[test]
fn combines_rel_to_by_intersection() {
    let s = Schemes::us();
    let a = banner("SECRET//REL TO USA, GBR, JPN");
    let b = banner("CONFIDENTIAL//REL TO USA, JPN, NATO");
    let both = a.combine(&b, &s).unwrap();
    assert_eq!(both.to_banner(&Scheme::us()).unwrap(), "SECRET//REL TO USA, JPN");
}

#[test]
fn combines_disjoint_rel_to_into_nobody() {
    let a = Label {
        releasable_to: Releasability::To(RelTo::new([code("GBR")]).unwrap()),
        ..Label::default()
    };
    let b = Label {
        releasable_to: Releasability::To(RelTo::new([code("JPN")]).unwrap()),
        ..Label::default()
    };
    assert_eq!(
        a.combine(&b, &Schemes::us()).unwrap().releasable_to,
        Releasability::Nobody
    );
}

#[test]
fn combines_noforn_over_rel_to() {
    let a = banner("SECRET//REL TO USA, JPN");
    let b = portion("(U//NF)");
    let both = a.combine(&b, &Schemes::us()).unwrap();
    assert_eq!(both.releasable_to, Releasability::Nobody);
    assert_eq!(both.to_banner(&Scheme::us()).unwrap(), "SECRET//NOFORN");
}

#[test]
fn combines_tlp_to_most_restrictive_and_keeps_sources() {
    let a = Label {
        tlp: Some(Tlp::Green),
        ..Label::default()
    }
    .said_by("marking-definition--a");
    let b = Label {
        tlp: Some(Tlp::AmberStrict),
        ..Label::default()
    }
    .said_by("statement banner");
    let both = a.combine(&b, &Schemes::us()).unwrap();
    assert_eq!(both.tlp, Some(Tlp::AmberStrict));
    let by: Vec<&str> = both.sources.iter().map(|s| &*s.by).collect();
    assert_eq!(by, ["marking-definition--a", "statement banner"]);
}

/// Issue 16: sources are a set however they are combined, and a copy of a label shares them.
#[test]
fn combines_sources_as_a_sorted_set_shared_by_copies() {
    let src = |fact: Fact, by: &str| Source { fact, by: by.into() };
    let x: Sources = [
        src(Fact::Tlp, "m--b"),
        src(Fact::Classification, "m--a"),
        src(Fact::Tlp, "m--b"),
    ]
    .into_iter()
    .collect();
    let y: Sources = [src(Fact::Tlp, "m--a"), src(Fact::Tlp, "m--b")].into_iter().collect();
    assert_eq!(x.len(), 2);
    let both = x.union(&y);
    let sorted: Vec<(&Fact, &str)> = both.iter().map(|s| (&s.fact, &*s.by)).collect();
    assert_eq!(
        sorted,
        [
            (&Fact::Classification, "m--a"),
            (&Fact::Tlp, "m--a"),
            (&Fact::Tlp, "m--b")
        ]
    );
    assert_eq!(both, y.union(&x));
    assert_eq!(both.union(&x), both);
    assert!(both.contains(&src(Fact::Tlp, "m--a")) && !x.contains(&src(Fact::Tlp, "m--a")));
    // Shared: a copy, and a union with a subset or an empty set, hold the same sources.
    assert!(std::ptr::eq(both.clone().as_slice(), both.as_slice()));
    assert!(std::ptr::eq(
        both.union(&Sources::default()).as_slice(),
        both.as_slice()
    ));
    assert!(std::ptr::eq(
        Sources::default().union(&both).as_slice(),
        both.as_slice()
    ));
    assert!(Sources::default().is_empty() && Sources::default().union(&Sources::default()).is_empty());
    // Serialised as the set was: a sequence in order.
    let json = serde_json::to_string(&x).unwrap();
    assert_eq!(
        json,
        r#"[{"fact":"Classification","by":"m--a"},{"fact":"Tlp","by":"m--b"}]"#
    );
}

#[test]
fn parses_tlp_names_including_tlp1_white() {
    assert_eq!(Tlp::parse("TLP:WHITE"), Ok(Tlp::Clear));
    assert_eq!(Tlp::parse("amber+strict"), Ok(Tlp::AmberStrict));
    assert!(Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red);
    assert!(Tlp::parse("TLP:PURPLE").is_err());
}

#[test]
fn deserializes_policy_values() {
    #[derive(serde::Deserialize)]
    struct P {
        to: RelTo,
        controls: Vec<Control>,
        tlp: Tlp,
    }
    let p: P = toml::from_str(
        r#"to = ["JPN", "USA"]
controls = ["NOFORN", "NF", "HCS"]
tlp = "TLP:AMBER""#,
    )
    .unwrap();
    assert_eq!(p.to.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["USA", "JPN"]);
    assert_eq!(
        p.controls,
        [Control::Noforn, Control::Noforn, Control::Unknown("HCS".into())]
    );
    assert_eq!(p.tlp, Tlp::Amber);
    let e = toml::from_str::<P>(
        r#"to = ["JPX"]
controls = []
tlp = "RED""#,
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("did you mean `JPN`?"), "{e}");
}

//--- rendering
#[test]
fn renders_banner_and_portion_in_register_order() {
    let l = banner("TOP SECRET//SI//RSEN/ORCON/REL TO USA, GBR/RELIDO//LIMDIS");
    assert_eq!(
        l.to_banner(&Scheme::us()).unwrap(),
        "TOP SECRET//SI//RSEN/ORCON/REL TO USA, GBR/RELIDO//LIMDIS"
    );
    assert_eq!(
        l.to_portion(&Scheme::us()).unwrap(),
        "(TS//SI//RS/OC/REL TO USA, GBR/RELIDO//DS)"
    );
}

#[test]
fn refuses_to_render_what_a_marking_cannot_say() {
    let us = Scheme::us();
    assert!(Label::default().to_banner(&us).is_err());
    let tlp = Label {
        tlp: Some(Tlp::Red),
        ..banner("SECRET")
    };
    assert!(tlp.to_banner(&us).is_err());
    let nobody = Label {
        releasable_to: Releasability::Nobody,
        ..banner("SECRET")
    };
    assert!(nobody.to_banner(&us).is_err());
    let japanese = Label {
        classification: Some(jp("極秘")),
        ..Label::default()
    };
    assert!(japanese.to_banner(&us).is_err());
}

#[test]
fn fuzz_property_holds_on_seed_inputs() {
    for s in [
        "SECRET//NOFORN",
        "(TS//SI/TK//REL TO USA, AUS, CAN, GBR, NZL)",
        "UNCLASSIFIED//FOUO",
        "SECRET//NOFORN/X//ORCON",
        "(U)",
        "secret",
        "",
    ] {
        fuzz_banner(s.as_bytes());
    }
}

//--- properties
mod props {
    use super::*;
    use proptest::prelude::*;

    const UNKNOWN: [&str; 4] = ["SI", "TK", "HCS-P", "SI-G ABCD"];
    const PARTNERS: [&str; 8] = ["AUS", "CAN", "GBR", "JPN", "NZL", "FVEY", "NATO", "EU"];

    /// Labels a US marking can say: a level, controls (known and unknown), REL TO or NOFORN.
    fn marking_label() -> impl Strategy<Value = Label> {
        let level = 0usize..4;
        let known = proptest::sample::subsequence(Control::known().to_vec(), 0..5);
        let unknown = proptest::sample::subsequence(UNKNOWN.to_vec(), 0..3);
        let rel = prop_oneof![
            Just(None),
            Just(Some(Vec::new())),
            proptest::sample::subsequence(PARTNERS.to_vec(), 0..5).prop_map(Some),
        ];
        (level, known, unknown, rel).prop_map(|(level, known, unknown, rel)| {
            let mut controls: BTreeSet<Control> = known.into_iter().collect();
            controls.extend(unknown.into_iter().map(|u| Control::Unknown(u.to_string())));
            let releasable_to = match (controls.contains(&Control::Noforn), rel) {
                (true, _) => Releasability::Nobody,
                (false, None) => Releasability::Unrestricted,
                (false, Some(p)) => {
                    Releasability::To(RelTo::new(std::iter::once(Code::USA).chain(p.iter().map(|c| code(c)))).unwrap())
                }
            };
            Label {
                classification: Scheme::us().classification(level),
                releasable_to,
                controls,
                tlp: None,
                sources: Default::default(),
            }
        })
    }

    /// Labels as formats build them: any scheme of `us_jp()`, TLP, sources, any releasability.
    fn any_label() -> impl Strategy<Value = Label> {
        let class = prop_oneof![
            Just(None),
            (0usize..4).prop_map(|n| Scheme::us().classification(n)),
            proptest::sample::select(vec!["秘", "極秘", "機密"]).prop_map(|l| Some(jp(l))),
        ];
        let rel = prop_oneof![
            Just(Releasability::Unrestricted),
            Just(Releasability::Nobody),
            proptest::sample::subsequence(PARTNERS.to_vec(), 1..5)
                .prop_map(|p| Releasability::To(RelTo::new(p.iter().map(|c| code(c))).unwrap())),
        ];
        let controls = proptest::sample::subsequence(Control::known().to_vec(), 0..4);
        let tlp = proptest::option::of(proptest::sample::select(vec![
            Tlp::Clear,
            Tlp::Green,
            Tlp::Amber,
            Tlp::AmberStrict,
            Tlp::Red,
        ]));
        let by = proptest::sample::select(vec!["banner", "marking-definition--1", "tlp"]);
        (class, rel, controls, tlp, by).prop_map(|(classification, releasable_to, controls, tlp, by)| {
            Label {
                classification,
                releasable_to,
                controls: controls.into_iter().collect(),
                tlp,
                sources: Default::default(),
            }
            .said_by(by)
        })
    }

    /// Pieces of markings, so that generated text is often accepted and reaches the round trip.
    fn fragment() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "(",
            ")",
            "//",
            "/",
            "SECRET",
            "TOP SECRET",
            "U",
            "S",
            "TS",
            "NOFORN",
            "NF",
            "ORCON",
            "OC",
            "RSEN",
            "RS",
            "RELIDO",
            "REL TO USA",
            "REL TO JPN",
            ", JPN",
            ", GBR",
            ", NATO",
            ", EU",
            "EXDIS",
            "XD",
            "SI",
            "TK",
            " ",
            "SBU NOFORN",
            "SBU-NF",
            "LES",
        ])
    }

    proptest! {
        #[test]
        fn can_round_trip_banner(l in marking_label()) {
            let us = Scheme::us();
            let text = l.to_banner(&us).unwrap();
            prop_assert_eq!(parse_banner(&text, &us, &Limits::default()), Ok(l.clone()), "{}", text);
            let text = l.to_portion(&us).unwrap();
            prop_assert_eq!(parse_portion(&text, &us, &Limits::default()), Ok(l), "{}", text);
        }

        #[test]
        fn combine_is_commutative(a in any_label(), b in any_label()) {
            let s = us_jp();
            prop_assert_eq!(a.combine(&b, &s), b.combine(&a, &s));
        }

        #[test]
        fn combine_is_associative(a in any_label(), b in any_label(), c in any_label()) {
            let s = us_jp();
            let left = a.combine(&b, &s).and_then(|ab| ab.combine(&c, &s));
            let right = b.combine(&c, &s).and_then(|bc| a.combine(&bc, &s));
            prop_assert_eq!(left, right);
        }

        #[test]
        fn combine_is_idempotent(a in any_label()) {
            prop_assert_eq!(a.combine(&a, &us_jp()), Ok(a));
        }

        #[test]
        fn fuzz_property_holds_on_arbitrary_text(s in "[(]?[A-Z /,()-]{0,40}") {
            fuzz_banner(s.as_bytes());
        }
    }

    proptest! {
        // About 1 in 100 concatenations is a valid marking: run enough to reach the round trip.
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn fuzz_property_holds_on_marking_fragments(parts in proptest::collection::vec(fragment(), 0..8)) {
            fuzz_banner(parts.concat().as_bytes());
        }
    }
}
