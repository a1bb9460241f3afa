//! sekisho: a cross-domain guard for threat-intelligence messages.
//!
//! Messages are parsed by strict grammars into typed models, decided unit by unit against a
//! releasability policy, sanitised, rebuilt from the model, verified, and only then emitted.
#![forbid(unsafe_code)]

pub mod error;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod limits;
#[doc(hidden)]
pub mod synth;

pub use error::{ParseError, Position};
pub use limits::Limits;
