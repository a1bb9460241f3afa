//! sekisho: a cross-domain guard for threat-intelligence messages.
//!
//! Messages are parsed by strict grammars into typed models, decided unit by unit against a
//! releasability policy, sanitised, rebuilt from the model, verified, and only then emitted.
#![forbid(unsafe_code)]

pub mod audit;
pub mod authoring;
pub mod daemon;
pub mod diode;
pub mod error;
pub mod explain;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
pub mod label;
pub mod limits;
pub mod logs;
pub mod parallel;
pub mod policy;
pub mod progress;
pub mod release;
pub mod sandbox;
#[doc(hidden)]
pub mod shapes;
#[doc(hidden)]
pub mod synth;
pub mod taxii;
pub mod telemetry;
pub mod text;
pub mod verifier;

pub use error::{ParseError, Position};
pub use limits::Limits;
