//! The names XML and its labels are written in: the reserved and the STANAG namespaces, and the
//! `NCName` production. A lower module than the parser, so that the policy can validate the names
//! it is given against the same rules without importing the parser.

/// The namespace the `xml` prefix is bound to (Namespaces in XML 1.0 §3).
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// STANAG 4774 confidentiality metadata label namespace.
pub const NS_4774: &str = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0";
/// STANAG 4778 binding information namespace.
pub const NS_4778: &str = "urn:nato:stanag:4778:bindinginformation:1:0";

/// §2.3 `NameStartChar`, without `:` (Namespaces §3 `NCName`).
fn is_name_start(c: char) -> bool {
    matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// §2.3 `NameChar`, without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Namespaces §3 `NCName ::= Name - (Char* ':' Char*)`.
pub fn is_ncname(s: &str) -> bool {
    // Most names are ASCII: one pass, a byte test per character, no decoding. An ASCII byte
    // that fails the test fails `is_name_start`/`is_name_char` too; at the first non-ASCII
    // byte the name is decoded and checked from its start.
    let b = s.as_bytes();
    match b.first() {
        None => return false,
        Some(&c) if c.is_ascii_alphabetic() || c == b'_' => {}
        Some(&c) if c.is_ascii() => return false,
        Some(_) => return is_ncname_decoded(s),
    }
    for &c in b {
        if !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')) {
            return !c.is_ascii() && is_ncname_decoded(s);
        }
    }
    true
}

/// [`is_ncname`] character by character.
fn is_ncname_decoded(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(is_name_start) && cs.all(is_name_char)
}
