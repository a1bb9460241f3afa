//! The labelled-unit step between the formats and the policy: each unit of a parsed message gets
//! its label, the policy decides it, what stays is sanitised, and the format's model is rebuilt
//! with what dropping broke repaired.
//!
//! This layer sits above both [`crate::format`] (bytes ↔ model, no policy) and [`crate::policy`]
//! (rules ↔ verdicts, no format parsing): it is the only place where the two meet.

pub mod decision;
pub mod stix;
pub mod xml;

pub use decision::{UnitDecision, UnitVerdict};
