//! Message formats: each turns bytes into a typed model, and renders the model back to bytes.

pub mod json;
pub mod stix;
pub mod xml;

use serde::Serialize;

use crate::error::ParseError;
use crate::limits::Limits;

/// The message formats sekisho understands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, clap::ValueEnum, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Any JSON text (RFC 8259).
    Json,
    /// A STIX 2.1 bundle.
    Stix,
    /// An XML document (for release: a payload bound to a STANAG 4774 label).
    Xml,
}

/// What checking an accepted message found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Objects in the message (STIX), elements (XML), or 0.
    pub objects: usize,
    /// Types of objects the guard does not know (their ids), which a policy will have to name.
    pub unknown_types: Vec<String>,
}

impl Format {
    /// Parse and check `input` by this format's grammar, with the strictest XML options.
    pub fn check(self, input: &[u8], limits: &Limits) -> Result<CheckReport, ParseError> {
        self.check_with(input, limits, &xml::Options::default())
    }

    /// [`Format::check`] with the XML options a policy allows (comments, CDATA).
    pub fn check_with(self, input: &[u8], limits: &Limits, options: &xml::Options) -> Result<CheckReport, ParseError> {
        self.check_on(input, limits, options, crate::parallel::Parallel::default())
    }

    /// [`Format::check_with`], the objects of a large STIX bundle checked on several threads
    /// ([`crate::parallel`]): the same report, or the same first error.
    pub fn check_on(
        self,
        input: &[u8],
        limits: &Limits,
        options: &xml::Options,
        parallel: crate::parallel::Parallel,
    ) -> Result<CheckReport, ParseError> {
        match self {
            Format::Json => json::parse(input, limits).map(|_| CheckReport {
                objects: 0,
                unknown_types: Vec::new(),
            }),
            Format::Stix => {
                let bundle = stix::parse_bundle_on(input, limits, parallel)?;
                let unknown_types = bundle
                    .objects
                    .iter()
                    .filter(|o| o.class == stix::ObjectClass::Unknown)
                    .map(|o| o.id.clone())
                    .collect();
                Ok(CheckReport {
                    objects: bundle.objects.len(),
                    unknown_types,
                })
            }
            Format::Xml => xml::parse(input, limits, options).map(|doc| CheckReport {
                objects: doc.root().count(),
                unknown_types: Vec::new(),
            }),
        }
    }
}
