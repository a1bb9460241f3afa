//! Limits shared by every grammar.
//!
//! Every parser takes a `&Limits` and checks the bound *before* it takes the bytes or descends,
//! so no input can make sekisho use more time, memory or stack than these numbers allow. Each
//! field says why its default is what it is. A policy or a channel may lower or raise them.

use serde::{Deserialize, Serialize};

/// Bounds on what a grammar accepts. `Limits::default()` is the safe setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Bytes in one message. 16 MiB holds the largest STIX bundle we have seen exchanged between
    /// partners (ATT&CK Enterprise is ~45 MB and is raised explicitly where it is used), while
    /// keeping a worker's peak memory small.
    pub max_input_bytes: usize,
    /// Nesting depth of arrays and objects (and XML elements). STIX needs fewer than 10 levels;
    /// 64 leaves headroom and keeps recursion far from the stack's end.
    pub max_depth: usize,
    /// Bytes in one string after unescaping. 1 MiB fits any description or pattern a human writes.
    pub max_string_bytes: usize,
    /// Bytes in the source text of one number. No meaningful number needs more than 100 digits;
    /// the bound keeps canonicalisation linear and small.
    pub max_number_bytes: usize,
    /// Members in one object. STIX objects have tens of properties; 10,000 stops hash flooding
    /// and quadratic work on pathological input.
    pub max_object_members: usize,
    /// Elements in one array. The `objects` of a large bundle has tens of thousands of entries.
    pub max_array_elements: usize,
    /// Bytes in one STIX pattern. Real indicator patterns are under 10 KiB.
    pub max_pattern_bytes: usize,
    /// Nesting depth of parentheses in a STIX pattern.
    pub max_pattern_depth: usize,
    /// Attributes on one XML element.
    pub max_attributes: usize,
    /// Elements in one XML document.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_string_bytes: 1024 * 1024,
            max_number_bytes: 128,
            max_object_members: 10_000,
            max_array_elements: 1_000_000,
            max_pattern_bytes: 64 * 1024,
            max_pattern_depth: 32,
            max_attributes: 64,
            max_elements: 1_000_000,
        }
    }
}

impl Limits {
    /// Tiny limits, to reach every limit path in tests and fuzzing.
    pub fn tiny() -> Self {
        Limits {
            max_input_bytes: 4096,
            max_depth: 4,
            max_string_bytes: 64,
            max_number_bytes: 16,
            max_object_members: 8,
            max_array_elements: 8,
            max_pattern_bytes: 256,
            max_pattern_depth: 3,
            max_attributes: 4,
            max_elements: 32,
        }
    }
}
