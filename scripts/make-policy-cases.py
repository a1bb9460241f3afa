#!/usr/bin/env python3
"""Writes the shipped policies' test cases (policies/<name>/tests/). Run again after changing a case;
the exact expected outputs (*.out.json) are then refreshed with `sekisho policy test --bless`."""
import json, os

TLP = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

def oid(t, n):
    return f"{t}--00000000-0000-4000-8000-{n:012x}"

def common(t, n, markings):
    o = {"type": t, "spec_version": "2.1", "id": oid(t, n),
         "created": "2024-05-01T09:00:00.000Z", "modified": "2024-05-01T09:00:00.000Z"}
    if markings:
        o["object_marking_refs"] = markings
    return o

def indicator(n, markings, description, pattern="[ipv4-addr:value = '203.0.113.7']"):
    o = common("indicator", n, markings)
    o.update(name=f"Indicator {n}", description=description, pattern=pattern, pattern_type="stix",
             valid_from="2024-05-01T00:00:00Z", indicator_types=["malicious-activity"])
    return o

def malware(n, markings, name):
    o = common("malware", n, markings)
    o.update(name=name, is_family=True)
    return o

def identity(n, markings, name="Example CERT"):
    o = common("identity", n, markings)
    o.update(name=name, identity_class="organization")
    return o

def relationship(n, markings, s, t):
    o = common("relationship", n, markings)
    o.update(relationship_type="indicates", source_ref=s, target_ref=t)
    return o

def statement(n, text):
    return {"type": "marking-definition", "spec_version": "2.1", "id": oid("marking-definition", n),
            "created": "2024-01-01T00:00:00.000Z", "definition_type": "statement", "definition": {"statement": text}}

def bundle(objects):
    return {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000b001", "objects": objects}

def toml_list(xs):
    return "[" + ", ".join(json.dumps(x) for x in xs) + "]"

def case(d, name, description, objects, verdict, contains=(), not_contains=(), rules=(), raw=None, exact=False):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".json"), "w") as f:
        if raw is not None:
            f.write(raw)
        else:
            json.dump(bundle(objects), f, indent=2, ensure_ascii=False)
            f.write("\n")
    lines = [f"description = {json.dumps(description)}", f'verdict = "{verdict}"']
    if exact:
        lines.append(f'output = "{name}.out.json"')
    if contains:
        lines.append(f"contains = {toml_list(contains)}")
    if not_contains:
        lines.append(f"not_contains = {toml_list(not_contains)}")
    if rules:
        lines.append(f"rules = {toml_list(rules)}")
    with open(os.path.join(d, name + ".expect.toml"), "w") as f:
        f.write("\n".join(lines) + "\n")

def banner_case(d, name, banner, verdict_rule, released, extra_ok=True, cls=None):
    m = oid("marking-definition", 1)
    objs = [statement(1, banner)]
    canary = f"CANARY-{name.upper()}"
    objs.append(indicator(1, [TLP["GREEN"], m], "released text" if released else canary))
    if not released:
        objs.append(indicator(2, [TLP["GREEN"]], "context that may go"))
    case(d, name, f"`{banner}`: {'released' if released else verdict_rule}",
         objs, "released",
         contains=[oid("indicator", 1)] if released else [oid("indicator", 2)],
         not_contains=[] if released else [canary, banner],
         rules=[verdict_rule])

def us_to_jpn(d):
    case(d, "tlp-allowed-levels", "TLP CLEAR, GREEN and AMBER go",
         [indicator(1, [TLP["CLEAR"]], "a"), indicator(2, [TLP["GREEN"]], "b"), indicator(3, [TLP["AMBER"]], "c")],
         "released", contains=[oid("indicator", n) for n in (1, 2, 3)], rules=["releasable"], exact=True)
    case(d, "tlp-red-stays", "TLP:RED stays behind; the rest goes",
         [indicator(1, [TLP["GREEN"]], "a"), indicator(2, [TLP["RED"]], "CANARY-TLP-RED")],
         "released", contains=[oid("indicator", 1)], not_contains=["CANARY-TLP-RED", oid("indicator", 2)], rules=["tlp"])
    case(d, "tlp-amber-strict-stays", "TLP:AMBER+STRICT stays behind",
         [indicator(1, [TLP["GREEN"]], "a"), indicator(2, [TLP["AMBER+STRICT"]], "CANARY-AMBER-STRICT")],
         "released", not_contains=["CANARY-AMBER-STRICT"], rules=["tlp"])
    case(d, "unmarked-stays", "an object with no TLP marking is not released",
         [indicator(1, [TLP["GREEN"]], "a"), indicator(2, [], "CANARY-UNMARKED")],
         "released", not_contains=["CANARY-UNMARKED"], rules=["tlp-missing"])
    ind = indicator(1, [TLP["GREEN"]], "a"); ind["created_by_ref"] = oid("identity", 1)
    case(d, "unmarked-identity-referenced", "an unmarked identity goes when a released object refers to it; another does not",
         [identity(1, []), identity(2, [], "CANARY-UNREFERENCED-ORG"), ind],
         "released", contains=[oid("identity", 1)], not_contains=["CANARY-UNREFERENCED-ORG"], rules=["referenced", "not-referenced"])
    banner_case(d, "secret-rel-to-jpn", "SECRET//REL TO USA, JPN", "releasable", True)
    banner_case(d, "secret-rel-to-gbr-only", "SECRET//REL TO USA, GBR", "rel-to-partner", False)
    banner_case(d, "confidential-without-rel-to", "CONFIDENTIAL", "rel-to-partner", False)
    banner_case(d, "top-secret-above-ceiling", "TOP SECRET//REL TO USA, JPN", "classification-ceiling", False)
    banner_case(d, "noforn", "SECRET//NOFORN", "forbidden-control", False)
    banner_case(d, "orcon", "SECRET//ORCON/REL TO USA, JPN", "forbidden-control", False)
    banner_case(d, "propin", "UNCLASSIFIED//PROPIN", "forbidden-control", False)
    banner_case(d, "relido-not-allowed", "SECRET//REL TO USA, JPN/RELIDO", "unknown-control", False)
    banner_case(d, "malformed-banner-statement", "SECRET//REL TO JPN, USA", "marking-statement", False)
    case(d, "unresolved-marking", "a marking ref that resolves to nothing makes the object unreleasable",
         [indicator(1, [TLP["GREEN"], oid("marking-definition", 99)], "CANARY-UNRESOLVED"), indicator(2, [TLP["GREEN"]], "b")],
         "released", not_contains=["CANARY-UNRESOLVED"], rules=["unresolved-marking"])
    mutex = {"type": "mutex", "spec_version": "2.1", "id": oid("mutex", 1), "name": "CANARY-MUTEX", "object_marking_refs": [TLP["GREEN"]]}
    case(d, "type-not-allowed", "types the policy does not list stay behind",
         [indicator(1, [TLP["GREEN"]], "a"), mutex], "released", not_contains=["CANARY-MUTEX"], rules=["type-not-allowed"])
    widget = common("x-acme-widget", 1, [TLP["GREEN"]]); widget["x_secret"] = "CANARY-CUSTOM-TYPE"
    case(d, "custom-type", "custom x- types stay behind unless the policy names them",
         [indicator(1, [TLP["GREEN"]], "a"), widget], "released", not_contains=["CANARY-CUSTOM-TYPE"], rules=["type-not-allowed"])
    case(d, "relationship-to-dropped", "a relationship to a dropped object is dropped",
         [indicator(1, [TLP["GREEN"]], "a"), malware(1, [TLP["RED"]], "CANARY-RED-MALWARE"),
          relationship(1, [TLP["GREEN"]], oid("indicator", 1), oid("malware", 1))],
         "released", not_contains=["CANARY-RED-MALWARE", oid("relationship", 1)], rules=["dangling-required-reference"])
    g = indicator(1, [TLP["GREEN"]], "CANARY-GRANULAR-RED")
    g["granular_markings"] = [{"selectors": ["description"], "marking_ref": TLP["RED"]}]
    case(d, "granular-red-property", "a property under a TLP:RED granular marking is removed, the object goes",
         [g], "released", contains=[oid("indicator", 1)], not_contains=["CANARY-GRANULAR-RED"], rules=["tlp"])
    case(d, "nothing-releasable", "a message with nothing releasable is rejected, not emptied",
         [indicator(1, [TLP["RED"]], "CANARY-ALL-RED")], "rejected", rules=["nothing-releasable"])
    case(d, "malformed-json", "malformed input is rejected with its position", [], "rejected",
         rules=["object"], raw='{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000b001",}\n')

def sanitisation_cases(d):
    case(d, "redact-email-and-phone", "e-mail addresses and telephone numbers in free text are replaced, the rest stays",
         [indicator(1, [TLP["GREEN"]], "Report to alice.smith@agency.example.gov or call +1 202-555-0173 today.")],
         "released", contains=["Report to [EMAIL REDACTED] or call [PHONE REDACTED] today."],
         not_contains=["alice.smith", "555-0173"], rules=["email-addresses", "telephone-numbers"], exact=True)
    case(d, "redact-full-width-email", "a full-width e-mail address is found through normalisation",
         [indicator(1, [TLP["GREEN"]], "連絡先: ａｌｉｃｅ＠ａｇｅｎｃｙ．ｅｘａｍｐｌｅ．ｇｏｖ まで")],
         "released", contains=["連絡先: [EMAIL REDACTED] まで"], not_contains=["ａｌｉｃｅ"], rules=["email-addresses"])
    for name, pattern in [
        ("internal-ipv4-indicator", "[ipv4-addr:value = '10.20.30.40']"),
        ("internal-cidr-indicator", "[ipv4-addr:value = '172.16.8.0/24']"),
        ("internal-domain-indicator", "[domain-name:value = 'vpn.corp.example']"),
        ("internal-url-indicator", "[url:value = 'https://intranet.CORP.example/login'] OR [ipv4-addr:value = '203.0.113.9']"),
    ]:
        case(d, name, f"an indicator pointing at an internal network stays behind: {pattern}",
             [indicator(1, [TLP["GREEN"]], "CANARY-" + name.upper(), pattern), indicator(2, [TLP["GREEN"]], "b")],
             "released", contains=[oid("indicator", 2)], not_contains=["CANARY-" + name.upper(), pattern], rules=["internal-networks"])
    case(d, "dirty-word", "an object naming an internal programme stays behind",
         [indicator(1, [TLP["GREEN"]], "Seen during Operation Nightjar, CANARY-DIRTY"), indicator(2, [TLP["GREEN"]], "b")],
         "released", not_contains=["CANARY-DIRTY", "Nightjar"], rules=["internal-names"])
    case(d, "dirty-word-obfuscated", "full-width letters, zero-width spaces and soft hyphens do not hide a dirty word",
         [indicator(1, [TLP["GREEN"]], "ＯＰＥＲＡＴＩＯＮ\u200b  night\u00adjar CANARY-OBFUSCATED"), indicator(2, [TLP["GREEN"]], "b")],
         "released", not_contains=["CANARY-OBFUSCATED"], rules=["internal-names"])
    custom = indicator(1, [TLP["GREEN"]], "a")
    custom["x_internal_ticket"] = "CANARY-TICKET-4711"
    case(d, "custom-property-stripped", "custom properties the policy does not name are stripped",
         [custom], "released", contains=[oid("indicator", 1)], not_contains=["CANARY-TICKET-4711", "x_internal_ticket"],
         rules=["property-allowlist"])

def jpn_to_us(d):
    case(d, "tlp-allowed", "TLP GREEN goes",
         [indicator(1, [TLP["GREEN"]], "a")], "released", contains=[oid("indicator", 1)], rules=["releasable"], exact=True)
    case(d, "tlp-red-stays", "TLP:RED stays behind",
         [indicator(1, [TLP["GREEN"]], "a"), indicator(2, [TLP["RED"]], "CANARY-JP-RED")],
         "released", not_contains=["CANARY-JP-RED"], rules=["tlp"])
    banner_case(d, "gokuhi-rel-to-usa", "GOKUHI//REL TO USA, JPN", "releasable", True)
    banner_case(d, "kimitsu-above-ceiling", "KIMITSU//REL TO USA, JPN", "classification-ceiling", False)
    banner_case(d, "hi-without-rel-to", "HI", "rel-to-partner", False)
    banner_case(d, "noforn", "GOKUHI//NOFORN", "forbidden-control", False)
    case(d, "unmarked-stays", "an object with no TLP marking is not released",
         [indicator(1, [TLP["GREEN"]], "a"), indicator(2, [], "CANARY-JP-UNMARKED")],
         "released", not_contains=["CANARY-JP-UNMARKED"], rules=["tlp-missing"])

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies")
us_to_jpn(os.path.join(root, "us-to-jpn", "tests"))
sanitisation_cases(os.path.join(root, "us-to-jpn", "tests"))
jpn_to_us(os.path.join(root, "jpn-to-us", "tests"))
