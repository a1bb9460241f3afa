//! Deterministic generated STIX bundles, for benchmarks, the crash test and examples.
//!
//! The bundles look like real exchanges (ATT&CK-style attack patterns with long descriptions and
//! external references, intrusion sets, malware, indicators with patterns, relationships), with a
//! mix of TLP markings, and are valid by [`crate::format::stix`].

use std::fmt::Write;

/// TLP 2.0 marking-definition ids, in order CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
pub const TLP2: [&str; 5] = [
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
];

/// The identity every generated object is created by.
pub const CREATOR: &str = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5";

/// A small deterministic generator (xorshift64*); not for anything secret.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// A version-4 UUID.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            8 + (b >> 62),
            (b >> 48) & 0xFFF,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

const WORDS: &[&str] = &[
    "adversary",
    "may",
    "use",
    "credential",
    "access",
    "network",
    "service",
    "scanning",
    "to",
    "obtain",
    "information",
    "about",
    "remote",
    "systems",
    "the",
    "of",
    "execution",
    "persistence",
    "lateral",
    "movement",
    "through",
    "valid",
    "accounts",
    "and",
    "exfiltration",
    "over",
    "command",
    "control",
    "channel",
    "(Citation: Vendor Report)",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for n in 0..words {
        if n > 0 {
            s.push(' ');
        }
        s.push_str(
            WORDS
                .get(rng.below(WORDS.len() as u64) as usize)
                .copied()
                .unwrap_or("x"),
        );
    }
    s.push('.');
    s
}

/// One generated bundle of about `objects` objects. Each object gets the TLP level
/// `tlp(n)` returns (an index into [`TLP2`], or `None` for unmarked).
pub fn bundle(seed: u64, objects: usize, mut tlp: impl FnMut(&mut Rng) -> Option<usize>) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(objects * 1200);
    let _ = write!(out, r#"{{"type":"bundle","id":"bundle--{}","objects":["#, rng.uuid());
    let _ = write!(
        out,
        r#"{{"type":"identity","spec_version":"2.1","id":"{CREATOR}","created":"2017-06-01T00:00:00.000Z","modified":"2017-06-01T00:00:00.000Z","name":"Example CERT","identity_class":"organization","object_marking_refs":["{}"]}}"#,
        TLP2[0]
    );
    let mut ids: Vec<String> = Vec::new();
    for n in 0..objects.saturating_sub(1) {
        out.push(',');
        let marking = match tlp(&mut rng).and_then(|t| TLP2.get(t)) {
            Some(m) => format!(r#","object_marking_refs":["{m}"]"#),
            None => String::new(),
        };
        let common = |rng: &mut Rng, t: &str| {
            let id = format!("{t}--{}", rng.uuid());
            let s = format!(
                r#""type":"{t}","spec_version":"2.1","id":"{id}","created_by_ref":"{CREATOR}","created":"2020-0{}-1{}T10:2{}:00.000Z","modified":"2021-03-1{}T08:00:00.000Z"{marking}"#,
                1 + rng.below(9),
                rng.below(10),
                rng.below(10),
                rng.below(10)
            );
            (id, s)
        };
        let kind = if ids.len() >= 2 && n % 4 == 3 { 4 } else { rng.below(4) };
        match kind {
            0 => {
                let (id, c) = common(&mut rng, "attack-pattern");
                let ext = rng.below(9000) + 1000;
                let _ = write!(
                    out,
                    r#"{{{c},"name":"{}","description":"{} {} {}","kill_chain_phases":[{{"kill_chain_name":"mitre-attack","phase_name":"discovery"}}],"external_references":[{{"source_name":"mitre-attack","external_id":"T{ext}","url":"https://attack.example.org/techniques/T{ext}"}},{{"source_name":"Vendor Report","description":"{}","url":"https://vendor.example.com/report/{ext}"}}],"x_mitre_version":"1.{}"}}"#,
                    sentence(&mut rng, 3),
                    sentence(&mut rng, 40),
                    sentence(&mut rng, 30),
                    sentence(&mut rng, 25),
                    sentence(&mut rng, 6),
                    rng.below(5)
                );
                ids.push(id);
            }
            1 => {
                let (id, c) = common(&mut rng, "indicator");
                let _ = write!(
                    out,
                    r#"{{{c},"name":"C2 address","description":"{}","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.{}.{}'] OR [domain-name:value = 'c2-{}.example.net']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"}}"#,
                    sentence(&mut rng, 12),
                    rng.below(256),
                    rng.below(256),
                    rng.below(1000)
                );
                ids.push(id);
            }
            2 => {
                let (id, c) = common(&mut rng, "malware");
                let _ = write!(
                    out,
                    r#"{{{c},"name":"Sample{}","is_family":true,"malware_types":["remote-access-trojan"],"description":"{}"}}"#,
                    rng.below(100_000),
                    sentence(&mut rng, 30)
                );
                ids.push(id);
            }
            3 => {
                let (id, c) = common(&mut rng, "intrusion-set");
                let _ = write!(
                    out,
                    r#"{{{c},"name":"Group {}","aliases":["G{}"],"description":"{}"}}"#,
                    rng.below(1000),
                    rng.below(1000),
                    sentence(&mut rng, 35)
                );
                ids.push(id);
            }
            _ => {
                // A relationship connects SDOs or SCOs, never another relationship (STIX 2.1
                // §5.1), so its own id is not a candidate end.
                let (_, c) = common(&mut rng, "relationship");
                let len = ids.len() as u64;
                let src = ids.get(rng.below(len) as usize).cloned().unwrap_or_default();
                let dst = ids.get(rng.below(len) as usize).cloned().unwrap_or_default();
                let _ = write!(
                    out,
                    r#"{{{c},"relationship_type":"uses","source_ref":"{src}","target_ref":"{dst}"}}"#
                );
            }
        }
    }
    out.push_str("]}");
    out
}

/// A bundle of about `bytes` bytes.
pub fn bundle_of_size(seed: u64, bytes: usize, tlp: impl FnMut(&mut Rng) -> Option<usize>) -> String {
    // Generated objects average about 900 bytes.
    bundle(seed, (bytes / 900).max(2), tlp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn generated_bundles_are_valid_stix() {
        let text = bundle(7, 200, |r| Some(r.below(5) as usize));
        let b = crate::format::stix::parse_bundle(text.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{e} {:?}", e.pointer));
        assert_eq!(b.objects.len(), 200);
    }
}
