//! Red team round 2, R12 and R07, attacked: a canary of every kind (dirty word, internal address,
//! internal domain, e-mail address, telephone number) carried in the payload of a `data:` URI
//! (base64 and percent-encoded; text, binary, Latin-1 and UTF-16 payloads; the scheme escaped;
//! one URI inside another) or split by markup a screen that renders HTML hides (`NIGHT<b></b>JAR`,
//! `10.20.<!-- -->30.40`, a tag's attribute holding `>`, an entity inside the tag), at every STIX
//! place (`sekisho::fuzzing::content::PLACES`, pattern literals included) and in the text of CAP
//! elements. No canary crosses the guard; the second verifier refuses every such input and passes
//! every output; benign neighbours (an image's `data:` URI, `a < b` prose, `<` in a pattern)
//! cross unchanged.

use base64::Engine;
use proptest::prelude::*;
use sekisho::fuzzing::content::{self, KINDS, Kind, PLACES};
use sekisho::guard;
use sekisho::policy::Policy;

fn policy() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join("us-to-jpn.toml")).unwrap()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The canaries as plain text, by kind.
fn plain(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::DirtyWord => &["Operation NIGHTJAR", "Task Force 1-7"],
        Kind::Address => &["10.20.30.40", "192.168.1.1"],
        Kind::Domain => &["intranet.corp.example"],
        Kind::Email => &["alice.smith@agency.example.gov"],
        Kind::Phone => &["+1 202-555-0173", "03-1234-0150"],
    }
}

/// The canaries a `data:` URI carries: the plain ones, and every encoding of the kind that
/// decoding reaches within the escape levels (none that is itself escaped twice over).
fn carried(kind: Kind) -> Vec<String> {
    let mut v: Vec<String> = plain(kind).iter().map(|s| s.to_string()).collect();
    v.extend(
        content::encodings(kind)
            .into_iter()
            .filter(|e| !e.contains("%25") && !e.contains("&amp;") && !e.contains("\\\\")),
    );
    v
}

/// Every `data:` URI form of `c`.
fn data_uris(c: &str) -> Vec<String> {
    let mut v = vec![
        format!("data:text/plain;base64,{}", b64(c.as_bytes())),
        format!(
            "data:;base64,{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.as_bytes())
        ),
        format!("DATA:Text/Plain; charset=UTF-8 ;BASE64,{}", b64(c.as_bytes())),
        format!(
            "data:application/octet-stream;base64,{}",
            b64(&[
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR ".as_slice(),
                c.as_bytes(),
                b" \0\xff\x10"
            ]
            .concat())
        ),
        format!(
            "data:text/plain;charset=utf-16le;base64,{}",
            b64(&c.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>())
        ),
        format!(
            "data:text/plain;base64,{}",
            b64(&[
                [0xFE, 0xFF].as_slice(),
                &c.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()
            ]
            .concat())
        ),
        format!(
            "data:text/plain,{}",
            c.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
        ),
        format!("data&#58;text/plain;base64,{}", b64(c.as_bytes())),
        format!(
            "data:text/plain;base64,{}",
            b64(format!("data:text/plain;base64,{}", b64(c.as_bytes())).as_bytes())
        ),
        format!("see data:text/plain;base64,{} for details", b64(c.as_bytes())),
    ];
    // The payload's characters escaped, as an HTML attribute or a program's string writes them:
    // decoded before the URI is read (one level of the three; not for a canary escaped itself,
    // which a pattern literal's quoting would take past them).
    if !c.contains(['%', '&', '\\']) {
        v.push(format!(
            "data:text/plain;base64,{}",
            b64(&[b"\xfb\xff ".as_slice(), c.as_bytes()].concat())
                .replace('/', "\\/")
                .replace('+', "&#43;")
                .replace('=', "&equals;")
        ));
    }
    // Latin-1, when the canary has a letter outside ASCII that Latin-1 writes.
    if !c.is_ascii() && c.chars().all(|x| u32::from(x) < 0x100) {
        let latin1: Vec<u8> = c.chars().map(|x| u8::try_from(u32::from(x)).unwrap()).collect();
        v.push(format!("data:text/plain;charset=iso-8859-1;base64,{}", b64(&latin1)));
        v.push(format!(
            "data:,{}",
            latin1.iter().map(|b| format!("%{b:02X}")).collect::<String>()
        ));
    }
    v
}

/// The markup that hides between two characters of a canary, by number.
fn tag(k: usize, next: char) -> String {
    match k % 9 {
        0 => "<b></b>".into(),
        1 => "<wbr>".into(),
        2 => "<!-- -->".into(),
        3 => "<!---->".into(),
        4 => "<span class=\"x\"></span>".into(),
        5 => "<i title=\"a>b\" data-x='>'></i>".into(),
        6 => "<B/>".into(),
        7 => "<?x?><!x>".into(),
        // An entity for the next character, inside a tag.
        _ => format!("<b>&#{};</b>", u32::from(next)),
    }
}

/// `c` split by markup between each two of its characters (one split per form, the forms taking
/// turns), and with a run of its middle inside an inline element.
fn markup_splits(c: &str) -> Vec<String> {
    let chars: Vec<char> = c.chars().collect();
    let mut v = Vec::new();
    for k in 1..chars.len() {
        let (a, b): (String, String) = (chars[..k].iter().collect(), chars[k..].iter().collect());
        let t = tag(k, chars[k]);
        // An entity stands for the next character: that character is not written again.
        let b = if k % 9 == 8 { b.chars().skip(1).collect() } else { b };
        v.push(format!("{a}{t}{b}"));
    }
    if chars.len() > 4 {
        let (a, m, z): (String, String, String) = (
            chars[..2].iter().collect(),
            chars[2..chars.len() - 2].iter().collect(),
            chars[chars.len() - 2..].iter().collect(),
        );
        v.push(format!("{a}<b>{m}</b>{z}"));
        // Escaped markup, as a program that decodes entities and then renders would show it.
        v.push(format!("{a}&lt;b&gt;{m}&lt;/b&gt;{z}"));
    }
    v
}

/// Every string of a JSON or XML output.
fn strings(out: &str) -> Vec<String> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(out) {
        let mut acc = Vec::new();
        fn walk(v: &serde_json::Value, acc: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => acc.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, acc)),
                serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                    acc.push(k.clone());
                    walk(x, acc)
                }),
                _ => {}
            }
        }
        walk(&v, &mut acc);
        return acc;
    }
    let doc = roxmltree::Document::parse(out).unwrap();
    doc.descendants()
        .flat_map(|n| {
            n.text()
                .map(str::to_string)
                .into_iter()
                .chain(n.attributes().map(|a| a.value().to_string()))
        })
        .collect()
}

/// Whether `out` still shows `plain` (or `encoded` as written), in any reading of any string.
fn leaked(out: &str, encoded: &str, plain: &str) -> bool {
    let want = sekisho::text::normalize(plain).text;
    strings(out).iter().any(|s| {
        s.contains(encoded)
            || std::iter::once(sekisho::text::normalize(s))
                .chain(sekisho::text::normalize_decoded(s))
                .any(|n| n.text.contains(&want))
    })
}

/// The problems of one input: the verifier must refuse it; what the guard releases must not show
/// the canary, and must pass the verifier. And whether the guard judged it on its content.
fn attack(policy: &Policy, input: &[u8], encoded: &str, plain: &str, at: &str) -> (Vec<String>, bool) {
    let mut problems = Vec::new();
    if sekisho::verifier::verify(input, policy).is_ok() {
        problems.push(format!("verifier passed {encoded:?} at {at}"));
    }
    let result = guard::filter(input, policy);
    let judged = match &result {
        Ok(_) => true,
        Err(e) => e.reasons.iter().all(|r| r.rule == "nothing-releasable"),
    };
    if let Ok(r) = result {
        let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
        if leaked(&out, encoded, plain) {
            problems.push(format!("{encoded:?} crossed at {at}: {out}"));
        }
        if let Err(f) = sekisho::verifier::verify(r.output.as_bytes(), policy) {
            problems.push(format!("verifier refused the output for {encoded:?} at {at}: {f:?}"));
        }
    }
    (problems, judged)
}

fn stix_attack(policy: &Policy, encoded: &str, plain: &str, place: usize) -> (Vec<String>, bool) {
    let input = content::bundle(content::place(place, encoded, 16));
    attack(policy, input.as_bytes(), encoded, plain, PLACES[place])
}

/// A CAP alert under a NATO UNCLASSIFIED, REL TO NATO, JPN label, with `text` in `element`.
const CAP_ELEMENTS: &[&str] = &[
    "headline",
    "description",
    "instruction",
    "web",
    "areaDesc",
    "resource/uri",
    "resource/resourceDesc",
    "parameter/value",
    "note",
];

fn cap(element: &str, text: &str) -> String {
    let esc = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let (note, info, area, resource, parameter) = match element {
        "note" => (
            format!("<note>{esc}</note>"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ),
        "headline" | "description" | "instruction" | "web" => (
            String::new(),
            format!("<{element}>{esc}</{element}>"),
            String::new(),
            String::new(),
            String::new(),
        ),
        "areaDesc" => (
            String::new(),
            String::new(),
            format!("<area><areaDesc>{esc}</areaDesc></area>"),
            String::new(),
            String::new(),
        ),
        "resource/uri" => (
            String::new(),
            String::new(),
            String::new(),
            format!(
                "<resource><resourceDesc>Attached</resourceDesc><mimeType>text/plain</mimeType><uri>{esc}</uri></resource>"
            ),
            String::new(),
        ),
        "resource/resourceDesc" => (
            String::new(),
            String::new(),
            String::new(),
            format!("<resource><resourceDesc>{esc}</resourceDesc><mimeType>text/plain</mimeType></resource>"),
            String::new(),
        ),
        _ => (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("<parameter><valueName>detail</valueName><value>{esc}</value></parameter>"),
        ),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
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
  <mb:Data>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier>CAP-1</identifier>
      <sender>cert@cyber.example.mil</sender>
      <sent>2024-05-01T09:00:00-00:00</sent>
      <status>Actual</status>
      <msgType>Alert</msgType>
      <scope>Public</scope>{note}
      <info>
        <category>Security</category>
        <event>Malicious infrastructure</event>
        <urgency>Immediate</urgency>
        <severity>Severe</severity>
        <certainty>Observed</certainty>{info}{parameter}{resource}{area}
      </info>
    </alert>
  </mb:Data>
</mb:BindingInformation>
"#
    )
}

/// Every embedding of every canary of every kind: (kind, encoded, plain shown, whether it goes to
/// every place). Every form of embedding, of the first canary of each kind, goes to every place
/// (for markup, split at each form's first position); the rest go to one place each, in turn.
fn cases() -> Vec<(Kind, String, String, bool)> {
    let mut v = Vec::new();
    for kind in KINDS {
        for (n, c) in carried(kind).into_iter().enumerate() {
            for d in data_uris(&c) {
                let shown = if plain(kind).contains(&c.as_str()) {
                    c.clone()
                } else {
                    d.clone()
                };
                v.push((kind, d, shown, n == 0));
            }
        }
        for (n, c) in plain(kind).iter().enumerate() {
            for (k, m) in markup_splits(c).into_iter().enumerate() {
                // Splits 1..=9 use each form once; the last two are the inline element and the
                // escaped markup.
                let every = n == 0 && (k < 9 || k + 2 >= c.chars().count() - 1);
                v.push((kind, m, c.to_string(), every));
            }
        }
    }
    v
}

#[test]
fn no_embedded_or_split_canary_crosses_at_any_stix_place() {
    let policy = policy();
    let all = cases();
    let mut problems = Vec::new();
    let mut n = 0;
    let mut judged = 0;
    // Every case at a place of its own turn, and every place sees every kind of embedding: the
    // plain canaries' forms go to every place.
    for (i, (kind, encoded, shown, every)) in all.iter().enumerate() {
        let places: Vec<usize> = if *every {
            (0..PLACES.len()).collect()
        } else {
            vec![i % PLACES.len()]
        };
        for p in places {
            if content::crosses_by_policy(*kind, p) {
                continue;
            }
            n += 1;
            let (found, j) = stix_attack(&policy, encoded, shown, p);
            problems.extend(found);
            judged += usize::from(j);
        }
    }
    assert!(n > 5000, "{n}");
    assert!(
        judged * 10 > n * 8,
        "only {judged} of {n} inputs were judged on content"
    );
    assert!(
        problems.is_empty(),
        "{} of {n}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn no_embedded_or_split_canary_crosses_in_cap_text() {
    let policy = policy();
    let mut problems = Vec::new();
    let mut n = 0;
    for (i, (_, encoded, shown, every)) in cases().iter().enumerate() {
        for (k, element) in CAP_ELEMENTS.iter().enumerate() {
            // Every element for the forms that go everywhere, one element in turn for the rest.
            if !every && (i + k) % CAP_ELEMENTS.len() != 0 {
                continue;
            }
            n += 1;
            let input = cap(element, encoded);
            problems.extend(attack(&policy, input.as_bytes(), encoded, shown, element).0);
        }
    }
    assert!(n > 1000, "{n}");
    assert!(
        problems.is_empty(),
        "{} of {n}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// Any embedding of any canary, wrapped in text or not, at any STIX place or CAP element: it
    /// does not cross, and the verifier refuses it.
    #[test]
    fn any_embedding_anywhere_is_held(i in any::<usize>(), p in any::<usize>(), cap_too in any::<bool>(), wrap in any::<bool>()) {
        let policy = policy();
        let all = cases();
        let (kind, encoded, shown, _) = &all[i % all.len()];
        let encoded = if wrap { format!("Note: {encoded}, see above") } else { encoded.clone() };
        let p = p % PLACES.len();
        if !content::crosses_by_policy(*kind, p) {
            let (problems, _) = stix_attack(&policy, &encoded, shown, p);
            prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
        if cap_too {
            let element = CAP_ELEMENTS[p % CAP_ELEMENTS.len()];
            let (problems, _) = attack(&policy, cap(element, &encoded).as_bytes(), &encoded, shown, element);
            prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    }
}

//--- benign neighbours: they cross unchanged

/// A 1×1 PNG: binary whose reading names nothing.
const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// An SVG image: text, which every rule reads.
const SVG: &str =
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjxjaXJjbGUgcj0iMSIvPjwvc3ZnPg==";

/// A raster image may draw any text (a screenshot of a banner), and no rule reads pixels: a
/// `data:` URI of one is held wherever it stands (SB11g; CAP's `derefUri` is left out of the
/// policy's allowlist for the same reason), in STIX text, a URL observable, a CAP resource's
/// URI, and a pattern.
#[test]
fn raster_image_data_uris_are_held_wherever_they_stand() {
    let policy = policy();
    let mut problems = Vec::new();
    let mut inputs: Vec<(String, String)> = [
        "indicator.description",
        "note.content",
        "indicator.external_references.url",
        "url.value",
    ]
    .iter()
    .map(|name| {
        let p = content::PLACES.iter().position(|x| x == name).unwrap();
        (name.to_string(), content::bundle(content::place(p, PNG, 16)))
    })
    .collect();
    inputs.push(("CAP resource/uri".into(), cap("resource/uri", PNG)));
    let mut o = content::place(0, "x", 16).remove(0);
    o["pattern"] = serde_json::json!(format!("[url:value = '{PNG}']"));
    inputs.push(("indicator.pattern".into(), content::bundle(vec![o])));
    for (name, input) in &inputs {
        if sekisho::verifier::verify(input.as_bytes(), &policy).is_ok() {
            problems.push(format!("{name}: the verifier passed the PNG"));
        }
        if let Ok(r) = guard::filter(input.as_bytes(), &policy) {
            let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
            if out.contains(PNG) {
                problems.push(format!("{name}: the guard released the PNG"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn benign_data_uris_and_angle_brackets_cross_unchanged() {
    let policy = policy();
    let benign = [
        SVG.to_string(),
        format!(
            "data:text/plain;base64,{}",
            b64(b"hello world, see 203.0.113.9 and example.org")
        ),
        "data:,Hello%2C%20World%21".to_string(),
        "a < b and c > d".to_string(),
        "x<y".to_string(),
        "if (a<b) then c>d".to_string(),
        "<b>Emotet</b> loader, <i>see</i> the <!-- note --> report<br>next line".to_string(),
        "NIGHT<b></b>HAWK is another name".to_string(),
        "metadata: the report, in short".to_string(),
    ];
    let places = [
        "indicator.description",
        "note.content",
        "indicator.external_references.url",
        "url.value",
    ];
    let mut problems = Vec::new();
    for b in &benign {
        for name in places {
            if (name.ends_with("url") || name == "url.value") && !b.starts_with("data:") {
                continue;
            }
            let p = PLACES.iter().position(|x| *x == name).unwrap();
            let input = content::bundle(content::place(p, b, 16));
            match guard::filter(input.as_bytes(), &policy) {
                Ok(r) => {
                    let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                    if !v["objects"][0].to_string().contains(&serde_json::to_string(b).unwrap()) {
                        problems.push(format!("{b:?} at {name} changed: {out}"));
                    }
                    if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), &policy) {
                        problems.push(format!("{b:?} at {name}: the verifier refused: {e:?}"));
                    }
                }
                Err(e) => problems.push(format!("{b:?} at {name} rejected: {e:?}")),
            }
        }
        let input = cap("resource/uri", b);
        match guard::filter(input.as_bytes(), &policy) {
            Ok(r) => {
                let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                if !strings(&out).iter().any(|s| s == b) {
                    problems.push(format!("{b:?} in CAP changed: {out}"));
                }
                if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), &policy) {
                    problems.push(format!("{b:?} in CAP: the verifier refused: {e:?}"));
                }
            }
            Err(e) => problems.push(format!("{b:?} in CAP rejected: {e:?}")),
        }
    }
    // Comparisons in a pattern.
    for pattern in [
        "[file:size < 1000 AND file:size > 10]",
        "[file:size<1000] AND [file:name = 'a<b>c.txt']",
        "[url:value = 'data:image/svg+xml;base64,PHN2Zy8+']",
    ] {
        let mut o = content::place(0, "x", 16).remove(0);
        o["pattern"] = serde_json::json!(pattern);
        let input = content::bundle(vec![o]);
        match guard::filter(input.as_bytes(), &policy) {
            Ok(r) => {
                let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                if !out.contains(&serde_json::to_string(pattern).unwrap()) {
                    problems.push(format!("{pattern} changed: {out}"));
                }
                if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), &policy) {
                    problems.push(format!("{pattern}: the verifier refused: {e:?}"));
                }
            }
            Err(e) => problems.push(format!("{pattern} rejected: {e:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//--- red-team findings R12 and R07 (tests/fixtures/redteam: the reproducers as found, each
//--- released by the guard and passed by the verifier before)

/// The finding files whose names start with `prefix`: the second verifier refuses each as it
/// came; the guard refuses it or releases it without `canary` in any reading, and the verifier
/// passes what it releases.
fn finding_is_held(prefix: &str, canary: &str, plain: &str) {
    let policy = policy();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redteam");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixture {prefix}");
    let mut problems = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(&f).unwrap();
        problems.extend(attack(&policy, &input, canary, plain, &name).0);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const R12_PAYLOAD: &str = "T3BlcmF0aW9uIE5JR0hUSkFSIGF0IGhvc3QuY29ycC5leGFtcGxlIDEwLjIwLjMwLjQw";

#[test]
fn r12a_cap_resource_uri_data_base64_is_held() {
    finding_is_held("R12a", R12_PAYLOAD, "NIGHTJAR");
}

#[test]
fn r12b_stix_url_sco_data_base64_is_held() {
    finding_is_held("R12b", R12_PAYLOAD, "10.20.30.40");
}

#[test]
fn r12c_stix_external_reference_url_data_base64_is_held() {
    finding_is_held("R12c", R12_PAYLOAD, "host.corp.example");
}

#[test]
fn r07a_html_tag_splitting_a_code_name_is_held() {
    finding_is_held("R07a", "NIGHT<b></b>JAR", "Operation NIGHTJAR");
}

#[test]
fn r07b_html_tags_splitting_an_address_and_a_domain_are_held() {
    finding_is_held("R07b", "10.20.<b>30</b>.40", "10.20.30.40");
    finding_is_held("R07b", "host.<b>corp</b>.example", "corp.example");
}

#[test]
fn r07c_html_comment_splitting_an_address_is_held() {
    finding_is_held("R07c", "10.20.<!-- -->30.40", "10.20.30.40");
}

#[test]
fn r07d_html_tag_splitting_a_phone_number_is_redacted() {
    finding_is_held("R07d", "202-<b>555</b>-0173", "202-555-0173");
}

#[test]
fn an_entity_inside_a_tag_and_escaped_markup_are_read_whole() {
    let policy = policy();
    for s in [
        "Operation NIGHT<b>&#74;</b>AR",
        "Operation NIGHT&lt;b&gt;&lt;/b&gt;JAR",
        "Operation NIGHT&lt;b&gt;&#74;&lt;/b&gt;AR",
        "Operation NIGHT<b>%4A</b>AR",
    ] {
        let (problems, _) = stix_attack(&policy, s, "Operation NIGHTJAR", 0);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn markings_in_a_data_uri_or_split_by_markup_are_read() {
    let policy = policy();
    for s in [
        format!("data:text/plain;base64,{}", b64(b"SECRET//NOFORN")),
        format!("data:;base64,{}", b64(b"TLP:RED")),
        "data:,TLP%3ARED".to_string(),
        "SE<b></b>CRET//NOFORN".to_string(),
        "T<b></b>LP:RED".to_string(),
        "TLP:<b>RED</b>".to_string(),
        "(S<!-- -->//NF) text".to_string(),
    ] {
        let input = content::bundle(content::place(0, &s, 16));
        assert!(
            sekisho::verifier::verify(input.as_bytes(), &policy).is_err(),
            "the verifier passed {s:?}"
        );
        assert!(guard::filter(input.as_bytes(), &policy).is_err(), "{s:?} crossed");
        let input = cap("description", &s);
        assert!(
            sekisho::verifier::verify(input.as_bytes(), &policy).is_err(),
            "the verifier passed {s:?} in CAP"
        );
        if let Ok(r) = guard::filter(input.as_bytes(), &policy) {
            panic!("{s:?} crossed in CAP: {}", String::from_utf8_lossy(r.output.as_bytes()));
        }
    }
}
