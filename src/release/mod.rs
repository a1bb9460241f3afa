//! The labelled-unit step between the formats and the policy: each unit of a parsed message gets
//! its label, the policy decides it, what stays is sanitised, and the format's model is rebuilt
//! with what dropping broke repaired.
//!
//! This layer sits above both [`crate::format`] (bytes ↔ model, no policy) and [`crate::policy`]
//! (rules ↔ verdicts, no format parsing): it is the only place where the two meet.
//!
//! Every format plugs in the same way: it implements [`Labelled`] (parse, release, render, its
//! file extension), and its release step returns the one [`Release`]. The guard has one generic
//! filter and one fixpoint check over it; a new format is one module here, one under
//! `format/`, and its section of the policy.

pub mod decision;
pub(crate) mod free_text;
pub(crate) mod marking_text;
pub mod outcome;
pub(crate) mod prose;
pub mod stix;
pub mod xml;

pub use decision::{Decisions, UnitDecision, UnitVerdict};
pub use outcome::Release;

use crate::error::ParseError;
use crate::format::Format;
use crate::policy::Policy;

/// A format the guard can release: bytes to a model by its strict grammar, the model decided
/// unit by unit under a policy, the rebuilt model rendered back to bytes.
pub trait Labelled {
    /// The parsed message, borrowing from the input.
    type Model<'a>;
    /// Which format this is.
    const FORMAT: Format;
    /// The extension of a released file of this format (without the dot).
    const EXTENSION: &'static str;
    /// Parse `input` under the policy's limits. `received` is true for a message as it arrived
    /// (the policy's lenient options, such as XML comments, apply), false for the guard's own
    /// output, which is parsed with the strictest options.
    fn parse<'a>(input: &'a [u8], policy: &Policy, received: bool) -> Result<Self::Model<'a>, ParseError>;
    /// What a release read and found clean, for a second release of the same policy (the
    /// fixpoint check) to read again only what is not among it.
    type Read: Default;
    /// Decide every unit of `model` under `policy` and rebuild what may go; `prior` is what an
    /// earlier release under the same policy read ([`Default`]: nothing). Returns what this one
    /// read too.
    fn release<'a>(
        model: Self::Model<'a>,
        policy: &Policy,
        prior: &Self::Read,
    ) -> (Release<Self::Model<'a>>, Self::Read);
    /// The canonical bytes of a released model.
    fn render(model: &Self::Model<'_>) -> Vec<u8>;
    /// [`Labelled::render`] with the policy's threads ([`crate::parallel`]): the same bytes.
    fn render_on(model: &Self::Model<'_>, parallel: crate::parallel::Parallel) -> Vec<u8> {
        let _ = parallel;
        Self::render(model)
    }
}

/// STIX 2.1 bundles ([`stix::release`]).
pub struct Stix;

impl Labelled for Stix {
    type Model<'a> = crate::format::stix::Bundle<'a>;
    type Read = stix::Read;
    const FORMAT: Format = Format::Stix;
    const EXTENSION: &'static str = "json";
    fn parse<'a>(input: &'a [u8], policy: &Policy, _received: bool) -> Result<Self::Model<'a>, ParseError> {
        crate::format::stix::parse_bundle_on(input, &policy.limits, policy.parallel)
    }
    fn release<'a>(
        model: Self::Model<'a>,
        policy: &Policy,
        prior: &stix::Read,
    ) -> (Release<Self::Model<'a>>, stix::Read) {
        stix::release_after(model, policy, prior)
    }
    fn render(model: &Self::Model<'_>) -> Vec<u8> {
        model.render()
    }
    fn render_on(model: &Self::Model<'_>, parallel: crate::parallel::Parallel) -> Vec<u8> {
        model.render_on(parallel)
    }
}

/// XML documents bound to a STANAG 4774 label ([`xml::release`]).
pub struct Xml;

impl Labelled for Xml {
    type Model<'a> = crate::format::xml::Document<'a>;
    /// Every string of a document is read again by the fixpoint check.
    type Read = ();
    const FORMAT: Format = Format::Xml;
    const EXTENSION: &'static str = "xml";
    fn parse<'a>(input: &'a [u8], policy: &Policy, received: bool) -> Result<Self::Model<'a>, ParseError> {
        let options = match (&policy.xml, received) {
            (Some(x), true) => x.options,
            _ => crate::format::xml::Options::default(),
        };
        crate::format::xml::parse(input, &policy.limits, &options)
    }
    fn release<'a>(model: Self::Model<'a>, policy: &Policy, _prior: &()) -> (Release<Self::Model<'a>>, ()) {
        (xml::release(model, policy), ())
    }
    fn render(model: &Self::Model<'_>) -> Vec<u8> {
        crate::format::xml::render(model)
    }
}
