//! Error values shared by every grammar: a byte offset and the rule that failed.
//!
//! Inside a parser the error carries the remaining input (so nom can build it cheaply); at the
//! edge it becomes a [`ParseError`] with an absolute offset, and [`Position`] turns the offset
//! into `line:col` for people.

use std::borrow::Cow;
use std::fmt;

/// A place in an input: byte offset, and 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// Locate `offset` in `input`. Offsets past the end are clamped to the end.
    pub fn locate(input: &[u8], offset: usize) -> Position {
        let offset = offset.min(input.len());
        let before = input.get(..offset).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p.saturating_add(1));
        let line_bytes = before.get(line_start..).unwrap_or_default();
        // Count characters, not bytes: continuation bytes (10xxxxxx) do not start a character.
        let column = 1 + line_bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        Position { offset, line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (byte {})", self.line, self.column, self.offset)
    }
}

/// A rejected input: where, which rule, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{rule}: {detail}")]
#[non_exhaustive]
pub struct ParseError {
    /// Byte offset in the whole input.
    pub offset: usize,
    /// The grammar production or limit that failed, e.g. `number`, `max_depth`.
    pub rule: &'static str,
    /// What was wrong, for a human: lowercase, no final period.
    pub detail: Cow<'static, str>,
    /// Where in the document model, for formats that have one: a JSON pointer (RFC 6901) or an
    /// element path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl ParseError {
    pub fn new(offset: usize, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        ParseError {
            offset,
            rule,
            detail: detail.into(),
            pointer: None,
        }
    }

    /// The `line:col` of this error in `input` (the same input it was produced from).
    pub fn position(&self, input: &[u8]) -> Position {
        Position::locate(input, self.offset)
    }
}

/// The error type inside nom parsers: the input where it failed, the rule and the detail.
/// Converted to [`ParseError`] by [`GrammarError::into_parse_error`] once parsing ends.
#[derive(Debug, Clone, PartialEq)]
pub struct GrammarError<I> {
    pub input: I,
    pub rule: &'static str,
    pub detail: Cow<'static, str>,
}

impl<I> GrammarError<I> {
    pub fn new(input: I, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        GrammarError {
            input,
            rule,
            detail: detail.into(),
        }
    }

    /// A recoverable nom error (lets `alt` try the next branch).
    pub fn error<T>(input: I, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> Result<T, nom::Err<Self>> {
        Err(nom::Err::Error(Self::new(input, rule, detail)))
    }

    /// A committed nom error (stops `alt`): the input is definitely wrong here.
    pub fn failure<T>(input: I, rule: &'static str, detail: impl Into<Cow<'static, str>>) -> Result<T, nom::Err<Self>> {
        Err(nom::Err::Failure(Self::new(input, rule, detail)))
    }
}

impl<I: nom::Offset> GrammarError<I> {
    /// Turn into a [`ParseError`] with the offset measured from `whole`, the complete input.
    pub fn into_parse_error(self, whole: &I) -> ParseError {
        ParseError::new(whole.offset(&self.input), self.rule, self.detail)
    }
}

impl<I> nom::error::ParseError<I> for GrammarError<I> {
    fn from_error_kind(input: I, kind: nom::error::ErrorKind) -> Self {
        GrammarError::new(input, "syntax", format!("{kind:?}"))
    }

    fn append(_input: I, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Flatten a finished nom result into a `ParseError` (an `Incomplete` never escapes: whole-input
/// parsers use `complete` combinators, and if one did, it is an unexpected end).
pub fn finish<I: nom::Offset + nom::Input, T>(
    whole: &I,
    result: nom::IResult<I, T, GrammarError<I>>,
) -> Result<(I, T), ParseError> {
    match result {
        Ok(ok) => Ok(ok),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.into_parse_error(whole)),
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(whole.input_len(), "syntax", "unexpected end of input")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column_in_characters() {
        let input = "ab\nçd\n".as_bytes();
        // 'd' is at byte 5 (ç takes two bytes), line 2, column 2.
        assert_eq!(
            Position::locate(input, 5),
            Position {
                offset: 5,
                line: 2,
                column: 2
            }
        );
        assert_eq!(
            Position::locate(input, 0),
            Position {
                offset: 0,
                line: 1,
                column: 1
            }
        );
    }
}
