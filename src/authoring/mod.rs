//! Tools for policy authors that run messages through the whole guard: a policy's test cases
//! and the comparison of two policy versions over a corpus.

pub mod cases;
pub mod coverage;
pub mod diff;
