//! Plain text shown in another order than it is written: a right-to-left mark, embedding,
//! override or isolate between two runs of left-to-right letters or digits. Inside a
//! right-to-left isolate or embedding, or in a paragraph whose first strong character is
//! right to left, the Unicode bidirectional algorithm (UAX #9) shows such runs from the right:
//! `RLI JAR RLM NIGHT PDI` is shown `NIGHTJAR`, `RLI RED RLM : RLM TLP PDI` is shown
//! `TLP:RED`. Default deny: a control between two left-to-right runs holds the text whatever
//! the paragraph's direction; one next to right-to-left letters (Arabic or Hebrew prose with its
//! marks, `RLI` around a name in Arabic) does not.

/// Whether `c` is a bidirectional control that may set runs apart: the right-to-left and
/// Arabic letter marks, the embeddings, overrides and isolates, and the pops that end them.
/// The left-to-right mark joins left-to-right runs and is not one.
fn is_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is a right-to-left letter: a letter (no combining mark, which takes the direction
/// of what it follows; no digit; not U+FEFF) of a block of right-to-left scripts (Hebrew,
/// Arabic, Syriac, Thaana, N'Ko, their presentation forms, and the historic right-to-left
/// scripts of the SMP).
fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}'
        | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
        && c.is_alphabetic()
        && !unicode_normalization::char::is_combining_mark(c)
}

/// Why `s` is shown in another order than it is written, when a bidirectional control stands
/// between two left-to-right runs with no right-to-left letter between them. One pass.
pub fn reordered(s: &str) -> Option<String> {
    if !s.chars().any(is_control) {
        return None;
    }
    // A left-to-right letter or digit seen since the last right-to-left letter, and a control
    // seen after it.
    let (mut run_before, mut control_after) = (None::<char>, None::<char>);
    for c in s.chars() {
        if is_control(c) {
            if run_before.is_some() {
                control_after = control_after.or(Some(c));
            }
        } else if is_right_to_left(c) {
            (run_before, control_after) = (None, None);
        } else if c.is_alphanumeric() {
            if let Some(control) = control_after {
                return Some(format!(
                    "the text has a bidirectional control (U+{:04X}) between two left-to-right runs: a screen may show them in an order no rule reads",
                    u32::from(control)
                ));
            }
            run_before = Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::reordered;

    #[test]
    fn a_control_between_left_to_right_runs_is_held() {
        assert!(reordered("Operation \u{2067}JAR\u{200F}NIGHT\u{2069}").is_some());
        assert!(reordered("\u{61C}RED\u{61C}:\u{61C}TLP").is_some());
        assert!(reordered("\u{5D0}\u{2066}JAR\u{2069}\u{2066}NIGHT\u{2069}").is_some());
        for between in ['\u{FEFF}', '\u{0610}', '\u{064B}', '\u{0660}', '\u{05B0}'] {
            assert!(reordered(&format!("\u{2067}JAR\u{200F}{between}NIGHT\u{2069}")).is_some());
        }
    }

    #[test]
    fn controls_next_to_right_to_left_letters_go() {
        assert!(reordered("plain text").is_none());
        assert!(reordered("The user \u{2067}\u{625}\u{64A}\u{2069} posted").is_none());
        assert!(reordered("\u{627}\u{644} APT28\u{200F} \u{627}").is_none());
        assert!(reordered("report\u{200E} more\u{200E}").is_none());
        assert!(reordered("\u{200F}\u{200F}abc").is_none());
    }
}
