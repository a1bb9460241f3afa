//! Issue 15, attacked: for each canary kind (dirty word, internal address, internal domain,
//! e-mail address, telephone number) every encoding we know of (`sekisho::fuzzing::content`),
//! placed in every string-valued place of every allowed type, nested ones included. No canary
//! crosses the guard; the second verifier refuses every input that holds one and passes every
//! output; look-alikes that are not canaries cross unchanged.

use proptest::prelude::*;
use sekisho::fuzzing::content::{self, BENIGN, KINDS, PLACES};
use sekisho::guard;
use sekisho::policy::Policy;

fn policy() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join("us-to-jpn.toml")).unwrap()
}

/// Run one bundle; the problems found (empty: fine), and whether the guard judged its content
/// (it released something, or held everything back) rather than refusing it as malformed.
fn attack(policy: &Policy, encoded: &str, place: usize) -> (Vec<String>, bool) {
    let mut problems = Vec::new();
    let input = content::bundle(content::place(place, encoded, 16));
    let at = PLACES[place];
    if sekisho::verifier::verify(input.as_bytes(), policy).is_ok() {
        problems.push(format!("verifier passed {encoded:?} at {at}"));
    }
    let result = guard::filter(input.as_bytes(), policy);
    let judged = match &result {
        Ok(_) => true,
        Err(e) => e.reasons.iter().all(|r| r.rule == "nothing-releasable"),
    };
    if let Ok(r) = result {
        let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
        if content::leaked(&out, encoded) {
            problems.push(format!("{encoded:?} crossed at {at}: {out}"));
        }
        if let Err(f) = sekisho::verifier::verify(r.output.as_bytes(), policy) {
            problems.push(format!("verifier refused the output for {encoded:?} at {at}: {f:?}"));
        }
    }
    (problems, judged)
}

#[test]
fn no_encoding_of_any_canary_crosses_at_any_place() {
    let policy = policy();
    let mut problems = Vec::new();
    let mut cases = 0;
    let mut judged = 0;
    for kind in KINDS {
        for e in content::encodings(kind) {
            for p in 0..PLACES.len() {
                if content::crosses_by_policy(kind, p) {
                    continue;
                }
                cases += 1;
                let (found, j) = attack(&policy, &e, p);
                problems.extend(found);
                judged += usize::from(j);
            }
        }
    }
    assert!(cases > 3000, "{cases}");
    // Not vacuous: most inputs are valid STIX, judged on their content.
    assert!(
        judged * 10 > cases * 8,
        "only {judged} of {cases} inputs were judged on content"
    );
    assert!(
        problems.is_empty(),
        "{} of {cases}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn look_alikes_cross_unchanged() {
    let policy = policy();
    let places = [
        "indicator.description",
        "indicator.name",
        "indicator.labels",
        "note.content",
        "location.name",
    ];
    let mut problems = Vec::new();
    for b in BENIGN {
        for name in places {
            let p = PLACES.iter().position(|x| *x == name).unwrap();
            let input = content::bundle(content::place(p, b, 16));
            match guard::filter(input.as_bytes(), &policy) {
                Ok(r) => {
                    let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
                    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                    let first = &v["objects"][0];
                    if !first.to_string().contains(&serde_json::to_string(b).unwrap()) {
                        problems.push(format!("{b:?} at {name} changed: {first}"));
                    }
                }
                Err(e) => problems.push(format!("{b:?} at {name} rejected: {e:?}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Several canaries, combined, at random places in one bundle: none crosses (the fuzz
    /// target's property, run here on random inputs).
    #[test]
    fn no_canary_crosses_in_any_combination(data in proptest::collection::vec(any::<u8>(), 3..36)) {
        sekisho::fuzzing::content::content_canaries(&data);
    }
}

//--- the exact cases of issue 15

fn indicator_with(pattern: &str, pattern_type: &str) -> serde_json::Value {
    let mut o = content::place(0, "x", 16).remove(0);
    o["pattern"] = serde_json::json!(pattern);
    o["pattern_type"] = serde_json::json!(pattern_type);
    o
}

fn released_ids(policy: &Policy, objects: Vec<serde_json::Value>) -> Option<String> {
    let input = content::bundle(objects);
    guard::filter(input.as_bytes(), policy)
        .ok()
        .map(|r| String::from_utf8_lossy(r.output.as_bytes()).into_owned())
}

#[test]
fn matches_and_like_operands_that_could_name_internal_places_do_not_cross() {
    let policy = policy();
    for p in [
        r"[ipv4-addr:value MATCHES '^10\\.20\\.']",
        r"[domain-name:value MATCHES '(^|\\.)corp\\.example$']",
        r"[domain-name:value LIKE '%corp.example']",
        r"[domain-name:value MATCHES 'c[o]rp\\.exam']",
        r"[ipv4-addr:value LIKE '192.168.%']",
        r"[url:value MATCHES '(?<=x)corp']",
        // Pieces of the seventh round's notations (F06, F07).
        r"[ipv4-addr:value LIKE '0000000000012.024.%']",
        r"[ipv4-addr:value LIKE '%.024.036.050']",
        r"[ipv4-addr:value MATCHES '^0+12\.024\.']",
        r"[ipv6-addr:value LIKE 'fe80::5efe:a14:%']",
        r"[ipv6-addr:value LIKE '2001:0:4136:e378:8000:63bf:f5eb:%']",
        r"[ipv6-addr:value LIKE '64:ff9b:1::a14:%']",
        r"[ipv6-addr:value LIKE '::ffff:0:a14:%']",
        r"[ipv6-addr:value MATCHES '^2002:a14:1e28:']",
    ] {
        let out = released_ids(&policy, vec![indicator_with(p, "stix")]);
        assert!(
            out.is_none_or(|o| !o.contains("MATCHES") && !o.contains("LIKE")),
            "{p} crossed"
        );
    }
    for p in [
        r"[file:name MATCHES '^.*\\.exe$']",
        r"[ipv4-addr:value LIKE '203.0.113.%']",
        r"[ipv6-addr:value LIKE '2002:cb00:%']",
        r"[ipv6-addr:value LIKE '2001:0:4136:e378:8000:63bf:34ff:%']",
    ] {
        let out = released_ids(&policy, vec![indicator_with(p, "stix")]).unwrap_or_default();
        assert!(
            out.contains("MATCHES") || out.contains("LIKE"),
            "{p} was held back: {out}"
        );
    }
}

#[test]
fn patterns_of_other_types_are_scanned_as_text() {
    let policy = policy();
    for (p, t) in [
        ("[ipv4-addr:value = '10.20.30.40']", "STIX"),
        ("alert tcp any any -> 10.20.30.40 any (msg:\"x\";)", "snort"),
        (
            "title: x\ndetection: {sel: {DestinationHostname: 'intranet.corp.example'}}",
            "sigma",
        ),
        ("rule x { strings: $a = \"Operation NIGHTJAR\" condition: $a }", "yara"),
    ] {
        let out = released_ids(&policy, vec![indicator_with(p, t)]).unwrap_or_default();
        assert!(
            !out.contains("10.20.30.40") && !out.contains("corp.example") && !out.contains("NIGHTJAR"),
            "{t}: {out}"
        );
    }
}

#[test]
fn strips_custom_members_at_every_depth_and_leaves_no_reference_behind() {
    let policy = policy();
    let mut o = content::place(0, "x", 16).remove(0);
    let dropped = "identity--00000000-0000-4000-8000-0000000000d1";
    o["external_references"] =
        serde_json::json!([{"source_name": "s", "description": "d", "x_ticket": "CANARY-1", "x_owner_ref": dropped}]);
    o["kill_chain_phases"] = serde_json::json!([{"kill_chain_name": "k", "phase_name": "p", "x_k": "CANARY-2"}]);
    o["granular_markings"] = serde_json::json!([{"selectors": ["name"], "marking_ref": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "x_g": "CANARY-3"}]);
    o["name"] = serde_json::json!("n");
    // An identity nothing else may release (unmarked, referred to only by the custom ref).
    let identity = serde_json::json!({"type": "identity", "spec_version": "2.1", "id": dropped,
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "CANARY-4"});
    let input = content::bundle(vec![o, identity]);
    let out = match guard::filter(input.as_bytes(), &policy) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).into_owned(),
        Err(e) => panic!("{e:?}"),
    };
    for c in ["CANARY-1", "CANARY-2", "CANARY-3", "CANARY-4", dropped, "x_"] {
        assert!(!out.contains(c), "{c} crossed: {out}");
    }
    sekisho::verifier::verify(out.as_bytes(), &policy).unwrap();
}

#[test]
fn embedded_observed_data_objects_are_decided_like_top_level_ones() {
    let policy = policy();
    let mut o = content::place(
        PLACES.iter().position(|p| *p == "observed-data.objects.value").unwrap(),
        "example.org",
        16,
    )
    .remove(0);
    o["objects"] = serde_json::json!({
        "0": {"type": "domain-name", "value": "example.org"},
        "1": {"type": "user-account", "user_id": "CANARY-5", "credential": "hunter2"},
        "2": {"type": "x-secret", "value": "CANARY-6"},
        "3": {"type": "ipv4-addr", "value": "203.0.113.5"}
    });
    let input = content::bundle(vec![o]);
    let out = match guard::filter(input.as_bytes(), &policy) {
        Ok(r) => String::from_utf8_lossy(r.output.as_bytes()).into_owned(),
        Err(e) => panic!("{e:?}"),
    };
    assert!(out.contains("example.org") && out.contains("203.0.113.5"), "{out}");
    for c in ["CANARY-5", "hunter2", "CANARY-6", "user-account", "x-secret"] {
        assert!(!out.contains(c), "{c} crossed: {out}");
    }
    sekisho::verifier::verify(out.as_bytes(), &policy).unwrap();
}

/// A hash under a name of its own is what its value says, not a hash: read as text. So are the
/// names of a pattern's object path (red team, session 30).
#[test]
fn custom_hash_values_and_pattern_path_names_are_read() {
    let policy = policy();
    let mut file = content::place(0, "x", 16).remove(0);
    file = serde_json::json!({"type": "file", "spec_version": "2.1", "id": file["id"].as_str().unwrap().replace("indicator", "file"),
        "object_marking_refs": file["object_marking_refs"].clone(), "name": "a.exe"});
    for v in ["10.20.30.40", "Operation NIGHTJAR", "intranet.corp.example"] {
        let mut f = file.clone();
        f["hashes"] = serde_json::json!({"x-custom": v});
        let out = released_ids(&policy, vec![f.clone()]);
        assert!(!out.as_deref().unwrap_or_default().contains(v), "{v}: {out:?}");
        f["hashes"] =
            serde_json::json!({"SHA-256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"});
        assert!(released_ids(&policy, vec![f]).is_some(), "a hex hash still goes");
    }
    for p in [
        "[file:hashes.'intranet.corp.example' = 'abc']",
        "[file:extensions.'10.20.30.40'.x = 'abc']",
    ] {
        let out = released_ids(&policy, vec![indicator_with(p, "stix")]);
        assert!(out.is_none(), "{p}: {out:?}");
    }
}

//--- red-team findings F06, F07, F08, F13 (tests/fixtures/redteam: the reproducers as found,
//--- each released by the guard and passed by the verifier before)

/// The finding files whose names start with `prefix`: each is held by the guard (refused, or
/// released without `canary` in any reading), the second verifier refuses it as it came, and
/// passes whatever the guard releases.
fn finding_is_held(prefix: &str, canary: &str) {
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
        if sekisho::verifier::verify(&input, &policy).is_ok() {
            problems.push(format!("{name}: the verifier passed the input"));
        }
        if let Ok(r) = guard::filter(&input, &policy) {
            let out = String::from_utf8_lossy(r.output.as_bytes()).into_owned();
            let shown = sekisho::text::normalize(&out).text;
            if out.contains(canary) || shown.contains(&sekisho::text::normalize(canary).text) {
                problems.push(format!("{name}: {canary:?} crossed: {out}"));
            }
            if let Err(e) = sekisho::verifier::verify(r.output.as_bytes(), &policy) {
                problems.push(format!("{name}: the verifier refused the output: {e:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn f06a_zero_padded_octal_ipv4_in_a_pattern_is_held() {
    finding_is_held("F06a", "0000000000012.024.036.050");
}

#[test]
fn f06b_zero_padded_octal_url_host_is_held() {
    finding_is_held("F06b", "0000000000012.024.036.050");
}

#[test]
fn f06c_zero_padded_hex_url_host_is_held() {
    finding_is_held("F06c", "0x0000000000000a141e28");
}

#[test]
fn f06d_zero_padded_octal_iodef_address_is_held() {
    finding_is_held("F06d", "0000000000012.024.036.050");
}

#[test]
fn f06e_zero_padded_decimal_in_prose_is_held() {
    finding_is_held("F06e", "00000000000010.20.30.40");
}

#[test]
fn f07a_siit_translated_ipv6_value_is_held() {
    finding_is_held("F07a", "::ffff:0:a14:1e28");
}

#[test]
fn f07b_isatap_ipv6_in_a_pattern_is_held() {
    finding_is_held("F07b", "fe80::5efe:a14:1e28");
}

#[test]
fn f07c_teredo_client_in_a_pattern_is_held() {
    finding_is_held("F07c", "2001:0:4136:e378:8000:63bf:f5eb:e1d7");
}

#[test]
fn f07d_nat64_local_use_prefix_in_a_pattern_is_held() {
    finding_is_held("F07d", "64:ff9b:1::a14:1e28");
}

#[test]
fn f07e_bare_6to4_network_value_is_held() {
    finding_is_held("F07e", "2002:a14:1e28::");
}

#[test]
fn f07f_siit_iodef_address_is_held() {
    finding_is_held("F07f", "::ffff:0:a14:1e28");
}

#[test]
fn f08a_phone_with_spaced_dashes_is_held() {
    finding_is_held("F08a", "202 - 555 - 0173");
}

#[test]
fn f08b_phone_after_a_dial_code_is_held() {
    finding_is_held("F08b", "202 555 0173");
}

#[test]
fn f08c_phone_with_a_second_ending_is_held() {
    finding_is_held("F08c", "202-555-0173");
}

#[test]
fn f08d_phone_glued_to_a_label_is_held() {
    finding_is_held("F08d", "202-555-0173");
}

#[test]
fn f08e_cap_phone_with_spaced_dashes_is_held() {
    finding_is_held("F08e", "202 - 555 - 0173");
}

#[test]
fn f13a_armenian_full_stop_in_a_domain_is_held() {
    finding_is_held("F13a", "intranet.corp\u{589}example");
}

#[test]
fn f13b_arabic_decimal_separator_in_an_address_is_held() {
    finding_is_held("F13b", "10\u{66B}20\u{66B}30\u{66B}40");
}

#[test]
fn f13c_arabic_full_stop_in_a_domain_is_held() {
    finding_is_held("F13c", "intranet.corp\u{6D4}example");
}

//--- red-team round 2 findings R01, R02, R03, R04, R05, R08, R11 (tests/fixtures/redteam)

#[test]
fn r01a_reverse_dns_name_in_a_pattern_is_held() {
    finding_is_held("R01a", "40.30.20.10.in-addr.arpa");
}

#[test]
fn r01b_reverse_dns_name_as_a_domain_name_value_is_held() {
    finding_is_held("R01b", "40.30.20.10.in-addr.arpa");
}

#[test]
fn r01c_reverse_dns_zone_of_a_network_is_held() {
    finding_is_held("R01c", "10.in-addr.arpa");
}

#[test]
fn r01d_ip6_arpa_name_of_a_mapped_address_is_held() {
    finding_is_held("R01d", "ip6.arpa");
}

#[test]
fn r01e_reverse_dns_name_in_a_description_is_held() {
    finding_is_held("R01e", "40.30.20.10.in-addr.arpa");
}

#[test]
fn r01f_cap_reverse_dns_name_is_held() {
    finding_is_held("R01f", "40.30.20.10.in-addr.arpa");
}

#[test]
fn r01g_iodef_reverse_dns_name_is_held() {
    finding_is_held("R01g", "40.30.20.10.in-addr.arpa");
}

#[test]
fn r02a_ldap_dn_in_a_description_is_held() {
    finding_is_held("R02a", "DC=corp,DC=example");
}

#[test]
fn r02b_ldap_dn_in_an_x509_subject_pattern_is_held() {
    finding_is_held("R02b", "DC=corp,DC=example");
}

#[test]
fn r02c_cap_ldap_dn_is_held() {
    finding_is_held("R02c", "DC=corp,DC=example");
}

#[test]
fn r03a_jp_phone_with_prolonged_sound_marks_is_held() {
    finding_is_held("R03a", "03-5555-0100");
}

#[test]
fn r03b_us_phone_with_prolonged_sound_marks_is_held() {
    finding_is_held("R03b", "202-555-0173");
}

#[test]
fn r03c_phone_after_the_telephone_sign_is_held() {
    finding_is_held("R03c", "03-5555-0100");
}

#[test]
fn r03d_phone_in_kanji_numerals_is_held() {
    finding_is_held("R03d", "〇三-五五五五-〇一〇〇");
}

#[test]
fn r03e_phone_with_tildes_is_held() {
    finding_is_held("R03e", "5555-0100");
}

#[test]
fn r03f_cap_phone_with_prolonged_sound_marks_is_held() {
    finding_is_held("R03f", "03-5555-0100");
}

#[test]
fn r03g_dirty_word_with_a_prolonged_sound_mark_is_held() {
    finding_is_held("R03g", "Task Force 1-7");
}

#[test]
fn r03h_dirty_word_with_ideograph_one_and_hangul_eu_is_held() {
    finding_is_held("R03h", "Task Force 1-7");
}

#[test]
fn r04a_email_with_spaces_around_the_at_is_held() {
    finding_is_held("R04a", "example.net");
}

#[test]
fn r04b_email_with_a_dotted_quad_domain_is_held() {
    finding_is_held("R04b", "bob@198.51.100.7");
}

#[test]
fn r05_every_scripts_full_stop_is_held() {
    finding_is_held("R05", "10.20.30.40");
}

#[test]
fn r08a_phone_in_a_url_path_after_a_slash_is_held() {
    finding_is_held("R08a", "202-555-0173");
}

#[test]
fn r08b_phone_in_a_described_url_path_is_held() {
    finding_is_held("R08b", "03-5555-0100");
}

#[test]
fn r08c_phone_after_tel_slash_is_held() {
    finding_is_held("R08c", "03-5555-0100");
}

#[test]
fn r11a_iodef_abbreviated_cidr_is_held() {
    finding_is_held("R11a", "192.168/16");
}

#[test]
fn r11b_iodef_wildcard_network_is_held() {
    finding_is_held("R11b", "10.20.30.*");
}

#[test]
fn r11c_abbreviated_cidr_and_wildcards_in_a_description_are_held() {
    finding_is_held("R11c", "172.16/12");
}
