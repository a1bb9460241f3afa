//! Placeholder until the STIX Patterning grammar lands.
use crate::error::ParseError;
use crate::limits::Limits;
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern;
pub fn parse(_input: &str, _limits: &Limits) -> Result<Pattern, ParseError> {
    Ok(Pattern)
}
