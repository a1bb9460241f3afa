//! Inputs shaped to exhaust the guard, all within the default [`crate::Limits`] (16 MiB, depth
//! 64, 64 attributes, 1M elements or list entries): for the scaling harness
//! (`examples/shapes.rs`) and the test that doubling an input at most about doubles the work
//! (`tests/scaling.rs`). Each shape is made from a count `n` of its repeated unit; `full` is the
//! count that reaches a limit. All are meant for `policies/us-to-jpn.toml`.

use std::fmt::Write;

/// One adversarial shape.
pub struct Shape {
    pub name: &'static str,
    /// What it stresses.
    pub what: &'static str,
    /// The count of the repeated unit at the limit.
    pub full: usize,
    pub make: fn(usize) -> Vec<u8>,
}

/// Every shape, XML then STIX.
pub fn all() -> Vec<Shape> {
    vec![
        Shape {
            name: "xml-distinct-dropped-siblings",
            what: "1M dropped siblings, each with its own name",
            full: 999_000,
            make: xml_distinct_siblings,
        },
        Shape {
            name: "xml-dropped-under-long-path",
            what: "dropped children under a payload whose prefix is 1 MiB",
            full: 999_000,
            make: xml_long_path,
        },
        Shape {
            name: "xml-dropped-under-56-levels",
            what: "1M dropped `<x/>` under 56 kept levels",
            full: 999_000,
            make: xml_deep_dropped,
        },
        Shape {
            name: "xml-removed-attributes",
            what: "elements with 64 attributes outside the allowlist each",
            full: 36_000,
            make: xml_attributes,
        },
        Shape {
            name: "xml-redacted-texts",
            what: "texts each with an e-mail address to redact",
            full: 330_000,
            make: xml_redactions,
        },
        Shape {
            name: "xml-unknown-declarations",
            what: "elements each declaring a namespace nothing kept uses",
            full: 420_000,
            make: xml_declarations,
        },
        Shape {
            name: "stix-many-refer-to-one",
            what: "indicators all created by one identity",
            full: 37_000,
            make: stix_many_to_one,
        },
        Shape {
            name: "stix-one-refers-to-many",
            what: "a report whose object_refs names 290k objects not in the bundle",
            full: 290_000,
            make: stix_one_to_many,
        },
        Shape {
            name: "stix-report-chain",
            what: "reports each referring to the next, the last to a TLP:RED indicator",
            full: 45_000,
            make: stix_report_chain,
        },
        Shape {
            name: "stix-granular-long-list",
            what: "a list of 700k entries, every other one under a TLP:RED granular marking",
            full: 700_000,
            make: stix_granular_list,
        },
        Shape {
            name: "stix-many-granular-markings",
            what: "one granular marking per list entry",
            full: 150_000,
            make: stix_many_granular,
        },
        Shape {
            name: "stix-deep-selectors",
            what: "selectors 58 steps deep into a custom property the allowlist removes",
            full: 36_000,
            make: stix_deep_selectors,
        },
        Shape {
            name: "stix-many-versions",
            what: "versions of one indicator id",
            full: 43_000,
            make: stix_many_versions,
        },
        Shape {
            name: "stix-many-marking-definitions",
            what: "statement markings, all on one indicator",
            full: 59_000,
            make: stix_many_markings,
        },
        Shape {
            name: "stix-big-label-granular",
            what: "an indicator under n markings, n list entries under a TLP:RED granular marking",
            full: 44_000,
            make: stix_big_label_granular,
        },
        Shape {
            name: "stix-huge-patterns",
            what: "64 KiB patterns of many comparisons",
            full: 250,
            make: stix_huge_patterns,
        },
        Shape {
            name: "stix-million-element-list",
            what: "one list of 1M entries",
            full: 999_000,
            make: stix_million_list,
        },
        Shape {
            name: "stix-escape-runs",
            what: "1 MiB descriptions of escapes that decode to nothing (`%FF`, `&#x&amp`, `\\u{`)",
            full: 15,
            make: stix_escape_runs,
        },
        Shape {
            name: "stix-description-open-parens-spaced",
            what: "a 1 MiB description of opening brackets and spaces, `( ( ( (`",
            full: run_full(RUN_UNITS[0]),
            make: |n| description_run(RUN_UNITS[0], n),
        },
        Shape {
            name: "xml-cap-instruction-open-parens-spaced",
            what: "a 1 MiB CAP instruction of opening brackets and spaces, `( ( ( (`",
            full: run_full(RUN_UNITS[0]),
            make: |n| cap_instruction_run(RUN_UNITS[0], n),
        },
        Shape {
            name: "stix-description-open-parens",
            what: "a 1 MiB description of opening brackets, `(((((`",
            full: run_full(RUN_UNITS[1]),
            make: |n| description_run(RUN_UNITS[1], n),
        },
        Shape {
            name: "xml-cap-instruction-open-parens",
            what: "a 1 MiB CAP instruction of opening brackets, `(((((`",
            full: run_full(RUN_UNITS[1]),
            make: |n| cap_instruction_run(RUN_UNITS[1], n),
        },
        Shape {
            name: "stix-description-slashes-spaced",
            what: "a 1 MiB description of slashes and spaces, `/ / / /`",
            full: run_full(RUN_UNITS[2]),
            make: |n| description_run(RUN_UNITS[2], n),
        },
        Shape {
            name: "xml-cap-instruction-slashes-spaced",
            what: "a 1 MiB CAP instruction of slashes and spaces, `/ / / /`",
            full: run_full(RUN_UNITS[2]),
            make: |n| cap_instruction_run(RUN_UNITS[2], n),
        },
        Shape {
            name: "stix-description-slashes",
            what: "a 1 MiB description of slashes, `//////`",
            full: run_full(RUN_UNITS[3]),
            make: |n| description_run(RUN_UNITS[3], n),
        },
        Shape {
            name: "xml-cap-instruction-slashes",
            what: "a 1 MiB CAP instruction of slashes, `//////`",
            full: run_full(RUN_UNITS[3]),
            make: |n| cap_instruction_run(RUN_UNITS[3], n),
        },
        Shape {
            name: "stix-description-tlp-words",
            what: "a 1 MiB description of `TLP TLP TLP`",
            full: run_full(RUN_UNITS[4]),
            make: |n| description_run(RUN_UNITS[4], n),
        },
        Shape {
            name: "xml-cap-instruction-tlp-words",
            what: "a 1 MiB CAP instruction of `TLP TLP TLP`",
            full: run_full(RUN_UNITS[4]),
            make: |n| cap_instruction_run(RUN_UNITS[4], n),
        },
        Shape {
            name: "stix-description-at-signs",
            what: "a 1 MiB description of addresses with `@` written otherwise, `aⓐb.at.c.d @ e . f`",
            full: run_full(AT_SIGNS_UNIT),
            make: |n| description_run(AT_SIGNS_UNIT, n),
        },
        Shape {
            name: "stix-description-secret-banners",
            what: "a 1 MiB description of `SECRET//SECRET//…`",
            full: run_full(RUN_UNITS[5]),
            make: |n| description_run(RUN_UNITS[5], n),
        },
        Shape {
            name: "xml-cap-instruction-secret-banners",
            what: "a 1 MiB CAP instruction of `SECRET//SECRET//…`",
            full: run_full(RUN_UNITS[5]),
            make: |n| cap_instruction_run(RUN_UNITS[5], n),
        },
        Shape {
            name: "stix-description-portion-marks",
            what: "a 1 MiB description of one-letter portion marks, `(U) (U) (U)` (red team R17)",
            full: run_full(RUN_UNITS[6]),
            make: |n| description_run(RUN_UNITS[6], n),
        },
        Shape {
            name: "xml-cap-instruction-portion-marks",
            what: "a 1 MiB CAP instruction of one-letter portion marks, `(U) (U) (U)` (red team R17)",
            full: run_full(RUN_UNITS[6]),
            make: |n| cap_instruction_run(RUN_UNITS[6], n),
        },
        Shape {
            name: "stix-description-releasable-banners",
            what: "a 1 MiB description of `SECRET//REL TO USA, JPN ` (red team R18)",
            full: run_full(RUN_UNITS[7]),
            make: |n| description_run(RUN_UNITS[7], n),
        },
        Shape {
            name: "xml-cap-instruction-releasable-banners",
            what: "a 1 MiB CAP instruction of `SECRET//REL TO USA, JPN ` (red team R18)",
            full: run_full(RUN_UNITS[7]),
            make: |n| cap_instruction_run(RUN_UNITS[7], n),
        },
        Shape {
            name: "stix-description-at-runs",
            what: "a 1 MiB description of `@@@@@` (the e-mail finder read the run before each `@`)",
            full: run_full(RUN_UNITS[8]),
            make: |n| description_run(RUN_UNITS[8], n),
        },
        Shape {
            name: "stix-description-digits",
            what: "a 1 MiB description of digits (the verifier's phone finder counted the run at each digit)",
            full: run_full(RUN_UNITS[9]),
            make: |n| description_run(RUN_UNITS[9], n),
        },
        Shape {
            name: "stix-description-spelt-digits",
            what: "a 1 MiB description of `o o o …` (each word a digit spelt out, read as a telephone number's)",
            full: run_full(RUN_UNITS[10]),
            make: |n| description_run(RUN_UNITS[10], n),
        },
        Shape {
            name: "stix-many-hash-names",
            what: "external references, each with 8 hashes of distinct custom names, all read as text",
            full: 40_000,
            make: stix_many_hash_names,
        },
        Shape {
            name: "stix-custom-properties",
            what: "objects of 9,990 custom properties each",
            full: 120,
            make: stix_custom_properties,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

const XML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<mb:BindingInformation xmlns:mb="urn:nato:stanag:4778:bindinginformation:1:0">
<mb:Metadata>
<slab:originatorConfidentialityLabel xmlns:slab="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
<slab:ConfidentialityInformation>
<slab:PolicyIdentifier URI="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO">NATO</slab:PolicyIdentifier>
<slab:Classification>UNCLASSIFIED</slab:Classification>
<slab:Category TagName="Releasable to" Type="PERMISSIVE" URI="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO:category:releasableto">
<slab:GenericValue>NATO</slab:GenericValue>
<slab:GenericValue>JPN</slab:GenericValue>
</slab:Category>
</slab:ConfidentialityInformation>
<slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime>
</slab:originatorConfidentialityLabel>
</mb:Metadata>
<mb:Data>"#;
const XML_TAIL: &str = "</mb:Data>\n</mb:BindingInformation>\n";
const IODEF: &str = "urn:ietf:params:xml:ns:iodef-2.0";

/// A bound IODEF document whose `Incident` holds `body`.
fn xml(body: &str) -> Vec<u8> {
    format!(
        "{XML_HEAD}<IODEF-Document version=\"2.00\" xmlns=\"{IODEF}\"><Incident purpose=\"reporting\" restriction=\"green\">{body}</Incident></IODEF-Document>{XML_TAIL}"
    )
    .into_bytes()
}

fn xml_distinct_siblings(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 11);
    for i in 0..n {
        let _ = write!(body, "<x{i}/>");
    }
    xml(&body)
}

fn xml_long_path(n: usize) -> Vec<u8> {
    let p = "p".repeat(1 << 20);
    let mut body = String::with_capacity(n * 4 + 3 * p.len());
    let _ = write!(body, "<{p}:IODEF-Document version=\"2.00\" xmlns:{p}=\"{IODEF}\">");
    for _ in 0..n {
        body.push_str("<x/>");
    }
    let _ = write!(body, "</{p}:IODEF-Document>");
    format!("{XML_HEAD}{body}{XML_TAIL}").into_bytes()
}

fn xml_deep_dropped(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 4 + 1024);
    for _ in 0..55 {
        body.push_str("<EventData>");
    }
    for _ in 0..n {
        body.push_str("<x/>");
    }
    for _ in 0..55 {
        body.push_str("</EventData>");
    }
    xml(&body)
}

fn xml_attributes(n: usize) -> Vec<u8> {
    let mut attributes = String::new();
    for a in 0..64 {
        let _ = write!(attributes, " a{a}=\"\"");
    }
    let mut body = String::with_capacity(n * (attributes.len() + 16));
    for _ in 0..n {
        let _ = write!(body, "<EventData{attributes}/>");
    }
    xml(&body)
}

fn xml_redactions(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 50);
    for i in 0..n {
        let _ = write!(body, "<Description>to a{i}@b.example</Description>");
    }
    xml(&body)
}

fn xml_declarations(n: usize) -> Vec<u8> {
    let mut body = String::with_capacity(n * 40);
    for _ in 0..n {
        body.push_str("<EventData xmlns:q=\"urn:q\"/>");
    }
    xml(&body)
}

// ---------------------------------------------------------------------------------------------
// STIX
// ---------------------------------------------------------------------------------------------

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
const TIME: &str = "2024-05-01T09:00:00.000Z";

/// A version-4 UUID numbered `i` (and `k`, to tell kinds apart).
fn uuid(k: u32, i: usize) -> String {
    format!("{k:08x}-0000-4000-8000-{i:012x}")
}

fn bundle(objects: &[String]) -> Vec<u8> {
    format!(
        "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[{}]}}",
        uuid(0, 0),
        objects.join(",")
    )
    .into_bytes()
}

/// An indicator marked `marking`, with `extra` members (each starting with `,`).
fn indicator(id: &str, marking: &str, extra: &str) -> String {
    format!(
        "{{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"{id}\",\"created\":\"{TIME}\",\"modified\":\"{TIME}\",\"name\":\"scanner\",\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\",\"pattern_type\":\"stix\",\"valid_from\":\"{TIME}\",\"object_marking_refs\":[\"{marking}\"]{extra}}}"
    )
}

fn stix_many_to_one(n: usize) -> Vec<u8> {
    let who = format!("identity--{}", uuid(1, 0));
    let mut objects = vec![format!(
        "{{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"{who}\",\"created\":\"{TIME}\",\"modified\":\"{TIME}\",\"name\":\"csirt\",\"object_marking_refs\":[\"{GREEN}\"]}}"
    )];
    let by = format!(",\"created_by_ref\":\"{who}\"");
    objects.extend((0..n).map(|i| indicator(&format!("indicator--{}", uuid(2, i)), GREEN, &by)));
    bundle(&objects)
}

fn report(id: &str, refs: &[String]) -> String {
    format!(
        "{{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"{id}\",\"created\":\"{TIME}\",\"modified\":\"{TIME}\",\"name\":\"weekly\",\"published\":\"{TIME}\",\"object_refs\":[\"{}\"],\"object_marking_refs\":[\"{GREEN}\"]}}",
        refs.join("\",\"")
    )
}

fn stix_one_to_many(n: usize) -> Vec<u8> {
    let kept = format!("indicator--{}", uuid(2, 0));
    let mut refs = vec![kept.clone()];
    refs.extend((0..n).map(|i| format!("indicator--{}", uuid(3, i))));
    bundle(&[
        indicator(&kept, GREEN, ""),
        report(&format!("report--{}", uuid(4, 0)), &refs),
    ])
}

fn stix_report_chain(n: usize) -> Vec<u8> {
    let red = format!("indicator--{}", uuid(2, 0));
    let mut objects = vec![indicator(&red, RED, "")];
    // Released and independent of the chain, so the message is not empty.
    objects.push(indicator(&format!("indicator--{}", uuid(2, 1)), GREEN, ""));
    for i in 0..n {
        let next = if i + 1 == n {
            red.clone()
        } else {
            format!("report--{}", uuid(4, i + 1))
        };
        objects.push(report(&format!("report--{}", uuid(4, i)), &[next]));
    }
    bundle(&objects)
}

fn labels(n: usize) -> String {
    let mut s = String::with_capacity(n * 4 + 16);
    s.push_str(",\"labels\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str("\"a\"");
    }
    s.push(']');
    s
}

fn stix_granular_list(n: usize) -> Vec<u8> {
    let mut extra = labels(n);
    extra.push_str(",\"granular_markings\":[{\"selectors\":[");
    for i in (0..n).step_by(2) {
        if i > 0 {
            extra.push(',');
        }
        let _ = write!(extra, "\"labels.[{i}]\"");
    }
    let _ = write!(extra, "],\"marking_ref\":\"{RED}\"}}]");
    bundle(&[indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &extra)])
}

fn stix_many_granular(n: usize) -> Vec<u8> {
    let mut extra = labels(n);
    extra.push_str(",\"granular_markings\":[");
    for i in 0..n {
        if i > 0 {
            extra.push(',');
        }
        let m = if i % 2 == 0 { RED } else { GREEN };
        let _ = write!(extra, "{{\"selectors\":[\"labels.[{i}]\"],\"marking_ref\":\"{m}\"}}");
    }
    extra.push(']');
    bundle(&[indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &extra)])
}

fn stix_deep_selectors(n: usize) -> Vec<u8> {
    const DEPTH: usize = 57;
    let nested = format!("{}\"a\"{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let path = ".[0]".repeat(DEPTH);
    let mut extra = String::from(",\"x_deep\":[");
    let mut selectors = String::new();
    for i in 0..n {
        if i > 0 {
            extra.push(',');
            selectors.push(',');
        }
        extra.push_str(&nested);
        let _ = write!(selectors, "\"x_deep.[{i}]{path}\"");
    }
    let _ = write!(
        extra,
        "],\"granular_markings\":[{{\"selectors\":[{selectors}],\"marking_ref\":\"{GREEN}\"}}]"
    );
    bundle(&[indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &extra)])
}

fn stix_many_versions(n: usize) -> Vec<u8> {
    let id = format!("indicator--{}", uuid(2, 0));
    let objects: Vec<String> = (0..n)
        .map(|i| {
            let modified = format!(
                "2024-05-01T{:02}:{:02}:{:02}.{:03}Z",
                9 + (i / 3_600_000) % 14,
                (i / 60_000) % 60,
                (i / 1000) % 60,
                i % 1000
            );
            indicator(&id, GREEN, "").replacen(
                &format!("\"modified\":\"{TIME}\""),
                &format!("\"modified\":\"{modified}\""),
                1,
            )
        })
        .collect();
    bundle(&objects)
}

fn stix_many_markings(n: usize) -> Vec<u8> {
    let ids: Vec<String> = (0..n).map(|i| format!("marking-definition--{}", uuid(5, i))).collect();
    let mut objects: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                "{{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"{id}\",\"created\":\"{TIME}\",\"definition_type\":\"statement\",\"definition\":{{\"statement\":\"TLP:GREEN\"}}}}"
            )
        })
        .collect();
    let mut o = indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, "");
    o = o.replacen(&format!("[\"{GREEN}\"]"), &format!("[\"{}\"]", ids.join("\",\"")), 1);
    objects.push(o);
    bundle(&objects)
}

fn stix_big_label_granular(n: usize) -> Vec<u8> {
    let ids: Vec<String> = (0..n).map(|i| format!("marking-definition--{}", uuid(5, i))).collect();
    let mut objects: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                "{{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"{id}\",\"created\":\"{TIME}\",\"definition_type\":\"statement\",\"definition\":{{\"statement\":\"TLP:GREEN\"}}}}"
            )
        })
        .collect();
    let mut extra = labels(n);
    extra.push_str(",\"granular_markings\":[{\"selectors\":[");
    for i in 0..n {
        if i > 0 {
            extra.push(',');
        }
        let _ = write!(extra, "\"labels.[{i}]\"");
    }
    let _ = write!(extra, "],\"marking_ref\":\"{RED}\"}}]");
    let mut o = indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &extra);
    o = o.replacen(&format!("[\"{GREEN}\"]"), &format!("[\"{}\"]", ids.join("\",\"")), 1);
    objects.push(o);
    bundle(&objects)
}

fn stix_huge_patterns(n: usize) -> Vec<u8> {
    let mut pattern = String::from("[");
    let mut i = 0usize;
    while pattern.len() < 64 * 1024 - 64 {
        if i > 0 {
            pattern.push_str(" OR ");
        }
        let _ = write!(
            pattern,
            "ipv4-addr:value = '198.51.{}.{}'",
            (i / 250) % 250,
            i % 250 + 1
        );
        i += 1;
    }
    pattern.push(']');
    let objects: Vec<String> = (0..n)
        .map(|k| {
            indicator(&format!("indicator--{}", uuid(2, k)), GREEN, "").replacen(
                "[ipv4-addr:value = '198.51.100.1']",
                &pattern,
                1,
            )
        })
        .collect();
    bundle(&objects)
}

/// `n` indicators, each with a description of 1 MiB: a run of percent-encoded bytes of no valid
/// UTF-8, then references and backslash escapes that are cut short (each read once, not once
/// per escape after it).
fn stix_escape_runs(n: usize) -> Vec<u8> {
    let unit = ["%FF", "&#x&amp", "\\\\u{"];
    let objects: Vec<String> = (0..n)
        .map(|k| {
            let mut text = String::with_capacity(1 << 20);
            for u in unit {
                while text.len() < ((1 << 20) - 64) / 3 * (unit.iter().position(|x| *x == u).unwrap_or(0) + 1) {
                    text.push_str(u);
                }
            }
            indicator(
                &format!("indicator--{}", uuid(2, k)),
                GREEN,
                &format!(",\"description\":\"{text}\""),
            )
        })
        .collect();
    bundle(&objects)
}

fn stix_million_list(n: usize) -> Vec<u8> {
    bundle(&[indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &labels(n))])
}

/// Member names a reader sees are read like text (red team round 3, SA02): `n` external
/// references of one indicator, each with 8 hashes under distinct custom names.
fn stix_many_hash_names(n: usize) -> Vec<u8> {
    let mut refs = String::with_capacity(n * 200);
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            refs,
            "{sep}{{\"source_name\":\"s\",\"external_id\":\"e{i}\",\"hashes\":{{"
        );
        for j in 0..8 {
            let sep = if j == 0 { "" } else { "," };
            let _ = write!(refs, "{sep}\"x_h{i}_{j}\":\"00\"");
        }
        refs.push_str("}}");
    }
    let extra = format!(",\"external_references\":[{refs}]");
    bundle(&[indicator(&format!("indicator--{}", uuid(2, 0)), GREEN, &extra)])
}

fn stix_custom_properties(n: usize) -> Vec<u8> {
    let mut extra = String::with_capacity(9990 * 14);
    for p in 0..9990 {
        let _ = write!(extra, ",\"x_p{p}\":1");
    }
    let objects: Vec<String> = (0..n)
        .map(|k| indicator(&format!("indicator--{}", uuid(2, k)), GREEN, &extra))
        .collect();
    bundle(&objects)
}

// ---------------------------------------------------------------------------------------------
// Runs of what starts a marking written in text (`(`, `//`, `TLP`): the finders look at most a
// bounded window around each.
// ---------------------------------------------------------------------------------------------

/// The units of the text runs, each as written in JSON and XML (none needs escaping).
const RUN_UNITS: [&str; 11] = [
    "( ",
    "(",
    "/ ",
    "/",
    "TLP ",
    "SECRET//",
    "(U) ",
    "SECRET//REL TO USA, JPN ",
    "@",
    "0",
    "o ",
];

/// A unit of addresses whose `@` is written otherwise (red team round 3, SA19): an enclosed
/// `a`, the word `at` between dots and dashes, a spaced `@` with spaced dots. Each reading of
/// the e-mail recogniser finds one in every unit.
const AT_SIGNS_UNIT: &str = "a\u{24D0}b.c x.at.y.z p-at-q.r m @ n . o ";

/// The count of `unit` that makes a text of just under 1 MiB (the longest string the default
/// limits let through, `max_string_bytes`).
const fn run_full(unit: &str) -> usize {
    ((1 << 20) - 64) / unit.len()
}

/// An indicator whose description is `n` times `unit`.
fn description_run(unit: &str, n: usize) -> Vec<u8> {
    let text = unit.repeat(n);
    bundle(&[indicator(
        &format!("indicator--{}", uuid(2, 0)),
        GREEN,
        &format!(",\"description\":\"{text}\""),
    )])
}

/// A bound CAP alert whose `instruction` is `n` times `unit`.
fn cap_instruction_run(unit: &str, n: usize) -> Vec<u8> {
    let text = unit.repeat(n);
    format!(
        "{XML_HEAD}<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>CAP-1</identifier><sender>cert</sender><sent>2024-05-01T09:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><category>Security</category><event>e</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty><instruction>{text}</instruction></info></alert>{XML_TAIL}"
    )
    .into_bytes()
}
