//! Message formats: each turns bytes into a typed model, and renders the model back to bytes.

pub mod json;
pub mod stix;
