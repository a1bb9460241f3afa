//! Findings about a rule file, errors and warnings alike: one type, located where it was found.
//!
//! A check that fails records a [`Finding`]: the field (`tlp.allowed[2]`), the byte span of the
//! value it is about (taken while reading, from the `toml::Spanned` the raw types hold), a stable
//! rule id (`unknown-control`), what is wrong, and how to fix it when that can be said (`did you
//! mean `ORCON`?`). [`super::resolve::Resolved::position`] turns the span into the file, line and
//! column the author wrote it at, and the finding becomes a [`Diagnostic`].
//!
//! The rule ids are listed in `docs/policy.md` §6; a test keeps the two in step.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// Whether a finding stops the policy from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about a policy (or configuration) file, an error or a warning, located in the
/// file that wrote it.
///
/// Rendered `file:line:col: error[rule]: field: detail`, then `  = help: …` when there is help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Which check failed: a stable kebab-case id (`unknown-control`, `unmatchable-path`).
    pub rule: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The field, e.g. `tlp.allowed[2]`.
    pub field: String,
    /// What is wrong.
    pub detail: String,
    /// How to fix it, when that can be said (`did you mean `ORCON`?`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}: {}",
            self.file,
            self.line,
            self.column,
            self.severity.as_str(),
            self.rule,
            self.field,
            self.detail
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Every error found in a policy file (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct PolicyErrors(pub Vec<Diagnostic>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, e) in self.0.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// A finding before it is located: the span is a byte range of the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: &'static str,
    pub field: String,
    pub span: Range<usize>,
    pub detail: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn error(rule: &'static str, field: impl Into<String>, span: Range<usize>, detail: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            rule,
            field: field.into(),
            span,
            detail: detail.into(),
            help: None,
        }
    }

    pub fn warning(
        rule: &'static str,
        field: impl Into<String>,
        span: Range<usize>,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, field, span, detail)
        }
    }

    /// The same finding, with how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same finding, with help when there is some.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Located at `file:line:col`.
    pub fn at(self, file: String, line: usize, column: usize) -> Diagnostic {
        Diagnostic {
            severity: self.severity,
            rule: self.rule,
            file,
            line,
            column,
            field: self.field,
            detail: self.detail,
            help: self.help,
        }
    }
}

/// "did you mean `x`?" for a suggestion.
pub fn did_you_mean(suggestion: Option<&str>) -> Option<String> {
    suggestion.map(|s| format!("did you mean `{s}`?"))
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let p = crate::error::Position::locate(text.as_bytes(), offset);
    (p.line, p.column)
}

/// A finding from an error serde reported while reading a value. Its messages are serde's own
/// and stable (`unknown field`, `missing field`, `unknown variant`, `invalid type`, …), or the
/// label module's for markings and codes (`unknown TLP level …; TLP 2.0 has …`), whose second
/// half, after `; `, is the help.
pub fn from_serde(field: String, span: Range<usize>, message: &str) -> Finding {
    let rule = serde_rule(message);
    let split = match rule {
        "unknown-marking" | "unknown-code" => message.split_once("; "),
        "unknown-field" | "unknown-variant" => message.split_once(", expected "),
        _ => None,
    };
    match split {
        Some((detail, help)) if matches!(rule, "unknown-field" | "unknown-variant") => {
            Finding::error(rule, field, span, detail).help(format!("expected {help}"))
        }
        Some((detail, help)) => Finding::error(rule, field, span, detail).help(help),
        None => Finding::error(rule, field, span, message),
    }
}

/// The rule id of an error serde reported while reading a value (see [`from_serde`]).
pub fn serde_rule(message: &str) -> &'static str {
    if message.starts_with("unknown field") {
        "unknown-field"
    } else if message.starts_with("missing field") {
        "missing-field"
    } else if message.starts_with("invalid type") {
        "wrong-type"
    } else if message.starts_with("unknown variant") {
        "unknown-variant"
    } else if message.starts_with("unknown TLP level") {
        "unknown-marking"
    } else if message.starts_with("unknown country or organisation code") {
        "unknown-code"
    } else {
        "invalid-value"
    }
}
