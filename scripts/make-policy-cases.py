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

def case(d, name, description, objects, verdict, contains=(), not_contains=(), rules=(), raw=None, exact=False, ext="json"):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + "." + ext), "w") as f:
        if raw is not None:
            f.write(raw)
        else:
            json.dump(bundle(objects), f, indent=2, ensure_ascii=False)
            f.write("\n")
    lines = [f"description = {json.dumps(description)}", f'verdict = "{verdict}"']
    if exact:
        lines.append(f'output = "{name}.out.{ext}"')
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


# ---------------------------------------------------------------------------------------------
# XML: CAP 1.2 and IODEF 2 under STANAG 4774 labels, bound by STANAG 4778
# ---------------------------------------------------------------------------------------------

NS4774 = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
NS4778 = "urn:nato:stanag:4778:bindinginformation:1:0"

def label4774(classification, rel_to=("NATO", "JPN"), policy="NATO", extra_categories="", root="originatorConfidentialityLabel", uri_attr="URI"):
    rel = "".join(f"<slab:GenericValue>{c}</slab:GenericValue>" for c in rel_to)
    cat = f'\n      <slab:Category TagName="Releasable to" Type="PERMISSIVE">{rel}</slab:Category>' if rel_to else ""
    return (f'<slab:{root} xmlns:slab="{NS4774}">\n'
            f'    <slab:ConfidentialityInformation>\n'
            f'      <slab:PolicyIdentifier {uri_attr}="{NS4774}:policy:{policy}">{policy}</slab:PolicyIdentifier>\n'
            f'      <slab:Classification>{classification}</slab:Classification>{cat}{extra_categories}\n'
            f'    </slab:ConfidentialityInformation>\n'
            f'    <slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime>\n'
            f'  </slab:{root}>')

def bound(label, payload):
    meta = f"\n  <mb:Metadata>\n  {label}\n  </mb:Metadata>" if label is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<mb:BindingInformation xmlns:mb="{NS4778}">{meta}\n'
            f'  <mb:Data>\n    {payload}\n  </mb:Data>\n</mb:BindingInformation>\n')

def cap(identifier, headline, description, extra=""):
    return (f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n'
            f'      <identifier>{identifier}</identifier>\n      <sender>cert@cyber.example.mil</sender>\n'
            f'      <sent>2024-05-01T09:00:00-00:00</sent>\n      <status>Actual</status>\n      <msgType>Alert</msgType>\n'
            f'      <scope>Restricted</scope>\n      <restriction>Partner CERTs</restriction>\n'
            f'      <addresses>CANARY-DISTRIBUTION-LIST</addresses>{extra}\n'
            f'      <info>\n        <category>Security</category>\n        <event>Malicious infrastructure</event>\n'
            f'        <urgency>Immediate</urgency>\n        <severity>Severe</severity>\n        <certainty>Observed</certainty>\n'
            f'        <headline>{headline}</headline>\n        <description>{description}</description>\n'
            f'        <contact>CANARY-DUTY-OFFICER</contact>\n'
            f'        <area>\n          <areaDesc>Pacific region networks</areaDesc>\n        </area>\n      </info>\n    </alert>')

def iodef(incident, description):
    return (f'<IODEF-Document version="2.00" xml:lang="en" xmlns="urn:ietf:params:xml:ns:iodef-2.0">\n'
            f'      <Incident purpose="reporting" restriction="green" x-internal-ticket="CANARY-TICKET">\n'
            f'        <IncidentID name="csirt.example.mil">{incident}</IncidentID>\n'
            f'        <GenerationTime>2024-05-01T10:00:00+00:00</GenerationTime>\n'
            f'        <Description>{description}</Description>\n'
            f'        <Contact role="creator" type="organization"><ContactName>CANARY-CONTACT</ContactName></Contact>\n'
            f'        <EventData><Flow><System category="source"><Node><Address category="ipv4-addr">203.0.113.7</Address></Node></System></Flow></EventData>\n'
            f'      </Incident>\n    </IODEF-Document>')

def xml_cases(d):
    def x(name, description, text, verdict, **kw):
        case(d, name, description, None, verdict, raw=text, ext="xml", **kw)
    x("xml-cap-nato-unclassified-rel-jpn", "a CAP alert labelled NATO UNCLASSIFIED, releasable to NATO and JPN, goes; `addresses` and `contact` stay behind",
      bound(label4774("UNCLASSIFIED"), cap("CAP-1", "C2 server active", "Beacons to 203.0.113.7.")), "released",
      contains=["CAP-1", "Beacons to 203.0.113.7."], not_contains=["CANARY-DISTRIBUTION-LIST", "CANARY-DUTY-OFFICER"],
      rules=["releasable", "element-allowlist"], exact=True)
    x("xml-cap-published-label-variant", "the published 4774 variant (OriginatorConfidentialityLabel, PolicyIdentifier/@URL) is read too",
      bound(label4774("RESTRICTED", ("JPN", "USA"), root="OriginatorConfidentialityLabel", uri_attr="URL"), cap("CAP-2", "h", "d")),
      "released", contains=["OriginatorConfidentialityLabel", "URL="], rules=["releasable"])
    x("xml-cap-secret-rel-gbr", "NATO SECRET releasable to NATO and GBR only is not released to Japan",
      bound(label4774("SECRET", ("NATO", "GBR")), cap("CAP-3", "CANARY-SECRET-GBR", "d")), "rejected", rules=["rel-to-partner"])
    x("xml-cap-nato-only", "NATO UNCLASSIFIED releasable to NATO (not JPN) is not released",
      bound(label4774("UNCLASSIFIED", ("NATO",)), cap("CAP-4", "CANARY-NATO-ONLY", "d")), "rejected", rules=["releasability"])
    x("xml-cap-cosmic-top-secret", "COSMIC TOP SECRET is above the ceiling (US SECRET)",
      bound(label4774("TOP SECRET"), cap("CAP-5", "CANARY-CTS", "d")), "rejected", rules=["classification-ceiling"])
    x("xml-cap-restrictive-category", "a RESTRICTIVE category the partner is not cleared for stops release",
      bound(label4774("UNCLASSIFIED", extra_categories='\n      <slab:Category TagName="Special Category Designator" Type="RESTRICTIVE"><slab:GenericValue>ATOMAL</slab:GenericValue></slab:Category>'),
            cap("CAP-6", "CANARY-ATOMAL", "d")), "rejected", rules=["category-not-cleared"])
    x("xml-cap-unlabelled", "a CAP alert without a 4774 label is unreleasable",
      '<?xml version="1.0" encoding="UTF-8"?>\n' + cap("CAP-7", "CANARY-UNLABELLED", "d") + "\n", "rejected", rules=["label-missing"])
    x("xml-cap-empty-metadata", "a binding whose metadata holds no label is unreleasable",
      bound("", cap("CAP-8", "CANARY-NO-LABEL", "d")), "rejected", rules=["label-missing"])
    x("xml-cap-unknown-policy-identifier", "a label under a policy the guard does not map is unreleasable",
      bound(label4774("UNCLASSIFIED", policy="EU"), cap("CAP-9", "CANARY-EU", "d")), "rejected", rules=["label-policy"])
    x("xml-cap-redaction", "e-mail addresses and telephone numbers in CAP text are replaced",
      bound(label4774("UNCLASSIFIED"), cap("CAP-10", "Call +1 202-555-0173", "Write to alice.smith@agency.example.gov today.")), "released",
      contains=["Write to [EMAIL REDACTED] today.", "Call [PHONE REDACTED]"], not_contains=["alice.smith", "555-0173"],
      rules=["email-addresses", "telephone-numbers"])
    x("xml-cap-dirty-word", "a dirty word anywhere in the payload keeps the message behind",
      bound(label4774("UNCLASSIFIED"), cap("CAP-11", "h", "Seen during Operation Nightjar")), "rejected", rules=["internal-names"])
    x("xml-cap-doctype", "a DOCTYPE (here an external entity) is rejected before anything is read",
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + cap("&xxe;", "h", "d") + "\n",
      "rejected", rules=["doctypedecl"])
    x("xml-cap-comment", "comments are refused by this policy",
      bound(label4774("UNCLASSIFIED"), cap("CAP-12", "h", "d<!-- CANARY-COMMENT -->")), "rejected", rules=["Comment"])
    x("xml-cap-foreign-element", "an element of a namespace the policy does not list stays behind",
      bound(label4774("UNCLASSIFIED"), cap("CAP-13", "h", "d", extra='\n      <x:ticket xmlns:x="urn:example:internal">CANARY-FOREIGN</x:ticket>')), "released",
      contains=["CAP-13"], not_contains=["CANARY-FOREIGN", "urn:example:internal"], rules=["element-allowlist"])
    x("xml-iodef-nato-unclassified-rel-jpn", "an IODEF report goes without its Contact and unlisted attributes",
      bound(label4774("UNCLASSIFIED"), iodef("INC-1", "Web server beaconing to 203.0.113.7.")), "released",
      contains=["INC-1", "203.0.113.7"], not_contains=["CANARY-CONTACT", "CANARY-TICKET"],
      rules=["releasable", "element-allowlist", "attribute-allowlist"], exact=True)
    x("xml-iodef-internal-address", "an IODEF report whose Address is inside an internal range stays behind (pattern rule `drop`)",
      bound(label4774("UNCLASSIFIED"), iodef("INC-3", "Web server beaconing.").replace("203.0.113.7", "10.20.30.40")), "rejected",
      rules=["internal-networks"])
    x("xml-cap-internal-domain", "a CAP text naming a host under an internal domain stays behind (pattern rule `drop`)",
      bound(label4774("UNCLASSIFIED"), cap("CAP-14", "h", "Runbook at https://wiki.CORP.example/ir/cap-14.")), "rejected",
      rules=["internal-networks"])
    x("xml-iodef-not-rel-jpn", "an IODEF report releasable to GBR only is not released",
      bound(label4774("RESTRICTED", ("GBR",)), iodef("INC-2", "CANARY-IODEF-GBR")), "rejected", rules=["rel-to-partner"])

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies")
us_to_jpn(os.path.join(root, "us-to-jpn", "tests"))
sanitisation_cases(os.path.join(root, "us-to-jpn", "tests"))
xml_cases(os.path.join(root, "us-to-jpn", "tests"))
jpn_to_us(os.path.join(root, "jpn-to-us", "tests"))
