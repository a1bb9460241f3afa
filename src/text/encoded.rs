//! Text written in base64 or hex inside free text (`T3BlcmF0aW9uIE5JR0hUSkFS`,
//! `4f7065726174696f6e204e494748544a4152`): a reader pastes it into a decoder (CyberChef reads
//! both on sight), so the rules read it decoded too. A run is read so only when what it decodes
//! to is text: UTF-8, or UTF-16LE as PowerShell's `-EncodedCommand` writes it, of printable
//! characters (a hash or an ordinary long word decodes to bytes that are not). The readings of
//! [`super::escape`] take this one in ([`reading`]).

use std::ops::Range;

use base64::Engine;

/// The shortest run read: 8 characters (6 bytes in base64, 4 in hex; `U0VDUkVU` is `SECRET`).
const MIN_RUN: usize = 8;

/// base64's alphabet, `=` padding allowed or not, trailing bits ignored: as lenient as the
/// decoders a reader pastes a run into.
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Whether `c` may stand in a run: a letter, a digit, `+` or `/`.
fn in_run(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// Each run in `s` that decodes to text: its byte range (its `=` padding in it) and the text.
/// One pass: the runs are disjoint, each decoded once.
fn runs(s: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let start = i + b.get(i..)?.iter().take_while(|&&c| !in_run(c)).count();
            let body = b.get(start..)?.iter().take_while(|&&c| in_run(c)).count();
            let pad = b
                .get(start + body..)?
                .iter()
                .take(2)
                .take_while(|&&c| c == b'=')
                .count();
            i = start + body + pad;
            if body < MIN_RUN {
                continue;
            }
            if let Some(text) = b.get(start..start + body).and_then(decode) {
                return Some((start..i, text));
            }
        }
        None
    })
}

/// What a run (its `=` padding left out) writes, when it is text: as hex (an even number of hex
/// digits), else as base64. A first byte that text can start with is asked of the run's first character before anything
/// is decoded (most words and hashes fail there).
fn decode(run: &[u8]) -> Option<String> {
    let first = run.first().copied().unwrap_or(0);
    // Hex: the first byte's high digit: 0 (a tab or line break), 2-7 (printable ASCII) or c-f
    // (a UTF-8 lead byte).
    let hex = run.len().is_multiple_of(2)
        && matches!(first.to_ascii_lowercase(), b'0' | b'2'..=b'7' | b'c'..=b'f')
        && run.iter().all(u8::is_ascii_hexdigit);
    let from_hex = hex.then(|| hex::decode(run).ok()).flatten().and_then(|b| as_text(&b));
    // base64: the first byte's high six bits: 2-3 (a tab or line break, `C` `D`), 8-31
    // (printable ASCII, `I`-`f`) or 48-61 (a UTF-8 lead byte, `w`-`9`).
    let b64 =
        run.len() % 4 != 1 && matches!(first, b'C' | b'D' | b'I'..=b'Z' | b'a'..=b'f' | b'w'..=b'z' | b'0'..=b'9');
    from_hex.or_else(|| {
        b64.then(|| LENIENT.decode(run).ok())
            .flatten()
            .and_then(|b| as_text(&b))
    })
}

/// `bytes` as text: UTF-16LE when every second byte is zero (ASCII written so), else UTF-8;
/// `None` unless every character is printable (tabs and line breaks too).
fn as_text(bytes: &[u8]) -> Option<String> {
    let wide = bytes.len().is_multiple_of(2) && bytes.iter().skip(1).step_by(2).all(|&c| c == 0);
    let text = if wide {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p.first().copied().unwrap_or(0), p.get(1).copied().unwrap_or(0)]))
            .collect();
        String::from_utf16(&units).ok()?
    } else {
        std::str::from_utf8(bytes).ok()?.to_owned()
    };
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    printable.then_some(text)
}

/// Whether `s` holds a run of base64 or hex that decodes to text.
pub fn may_hold(s: &str) -> bool {
    runs(s).next().is_some()
}

/// `s` with each run of base64 or hex that decodes to text read as that text, each byte of it
/// coming from the whole run (a redaction takes the run); `None` when there is none.
pub fn reading(s: &str) -> Option<(String, Vec<Range<usize>>)> {
    let mut out = String::new();
    let mut map = Vec::new();
    let mut plain = 0;
    for (run, text) in runs(s) {
        out.push_str(s.get(plain..run.start)?);
        map.extend((plain..run.start).map(|k| k..k + 1));
        out.push_str(&text);
        map.extend(std::iter::repeat_n(run.clone(), text.len()));
        plain = run.end;
    }
    if plain == 0 {
        return None;
    }
    out.push_str(s.get(plain..)?);
    map.extend((plain..s.len()).map(|k| k..k + 1));
    Some((out, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_runs_that_decode_to_text() {
        for (s, read) in [
            ("x T3BlcmF0aW9uIE5JR0hUSkFS y", "x Operation NIGHTJAR y"),
            ("U0VDUkVU", "SECRET"),
            ("VExQOlJFRA==.", "TLP:RED."),
            ("4f7065726174696f6e204e494748544a4152", "Operation NIGHTJAR"),
            ("-e UwBFAEMAUgBFAFQA", "-e SECRET"),
        ] {
            assert_eq!(reading(s).map(|(t, _)| t).as_deref(), Some(read), "{s:?}");
        }
        let (_, map) = reading("a VExQOlJFRA== b").unwrap_or_default();
        assert_eq!(map.get(2), Some(&(2..14)));
        assert_eq!(map.get(9), Some(&(14..15)));
    }

    #[test]
    fn leaves_hashes_and_words() {
        for s in [
            "d41d8cd98f00b204e9800998ecf8427e",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7855b852",
            "internationalization and characterization",
            "the quick brown fox jumps over",
            "C:/Windows/System32/WindowsPowerShell",
            "1234567",
        ] {
            assert_eq!(reading(s), None, "{s:?}");
        }
    }
}
