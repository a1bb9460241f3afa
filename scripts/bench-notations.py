#!/usr/bin/env python3
"""Times the guard (`filter`) and the second verifier (`verify`) on one STIX description made of
one red-team-round-2 notation repeated to 250, 500 and 1000 KB (median of 3 runs each):
linear work shows as times that double with the size. Usage (after `cargo build --release`):
    python3 scripts/bench-notations.py"""
import json, struct, subprocess, time

B = "target/release/sekisho"
P = "policies/us-to-jpn.toml"
UNITS = ["\u200b", "1\u30fc\u200b\u200b", "\u3007\u200b\u200b", "DC=a,", "1.in-addr.arpa.", "10.20.30.* ", "a @ b ", "1~"]


def bundle(t):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000002",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
         "pattern": "[ipv4-addr:value = '203.0.113.1']", "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z", "description": t}
    return json.dumps({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000999", "objects": [o]},
                      ensure_ascii=False).encode()


def median(cmd, data=None):
    ts = []
    for _ in range(3):
        t = time.time()
        subprocess.run(cmd, input=data, capture_output=True)
        ts.append(time.time() - t)
    return sorted(ts)[1]


for u in UNITS:
    row = []
    for kb in (250, 500, 1000):
        d = bundle(u * (kb * 1000 // len(u.encode())))
        open("/tmp/bench-notations.json", "wb").write(d)
        g = median([B, "filter", "--policy", P, "/tmp/bench-notations.json"])
        v = median([B, "verify", "--policy", P, "--sandbox", "off"], struct.pack(">I", len(d)) + d)
        row.append(f"{kb} KB guard {g:.2f} s verifier {v:.2f} s")
    print(f"{u!r:24}", "; ".join(row))
