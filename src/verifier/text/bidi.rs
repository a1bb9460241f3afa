//! The verifier's own reading of plain text shown in another order than it is written
//! (UAX #9): a right-to-left mark (U+200F), the Arabic letter mark (U+061C), an embedding,
//! override or isolate (U+202A–U+202E, U+2066–U+2069) standing between two left-to-right runs
//! with no right-to-left letter between them may have a screen show the runs swapped
//! (`RLI JAR RLM NIGHT PDI` is shown `NIGHTJAR`). Such text is refused; the same controls
//! beside Arabic or Hebrew letters are not.

/// The code points read as such a control; the left-to-right mark (U+200E) is none.
const CONTROLS: &[(u32, u32)] = &[(0x061C, 0x061C), (0x200F, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069)];

/// Blocks of the right-to-left scripts.
const RIGHT_TO_LEFT: &[(u32, u32)] = &[
    (0x0590, 0x08FF),
    (0xFB1D, 0xFDFF),
    (0xFE70, 0xFEFC),
    (0x10800, 0x10FFF),
    (0x1E800, 0x1EFFF),
];

/// A right-to-left letter: of those blocks, and a letter (a combining mark takes the direction
/// of what it follows; a digit is no letter).
fn right_to_left_letter(c: char) -> bool {
    within(c, RIGHT_TO_LEFT) && c.is_alphabetic() && !unicode_normalization::char::is_combining_mark(c)
}

fn within(c: char, ranges: &[(u32, u32)]) -> bool {
    let u = u32::from(c);
    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&u))
}

/// What is wrong with `s` when, in a stretch with no right-to-left letter, a control stands
/// after the stretch's first left-to-right letter or digit and before its last. Each character
/// is looked at once.
pub fn shown_reordered(s: &str) -> Option<String> {
    if !s.chars().any(|c| within(c, CONTROLS)) {
        return None;
    }
    for stretch in s.split(right_to_left_letter) {
        let ltr = |c: &char| c.is_alphanumeric() && !within(*c, RIGHT_TO_LEFT);
        let (Some(first), Some(last)) = (stretch.find(|c: char| ltr(&c)), stretch.rfind(|c: char| ltr(&c))) else {
            continue;
        };
        if let Some(control) = stretch
            .get(first..last)
            .and_then(|mid| mid.chars().find(|c| within(*c, CONTROLS)))
        {
            return Some(format!(
                "a bidirectional control U+{:04X} stands between two left-to-right runs: a screen may show them swapped, in an order no rule reads",
                u32::from(control)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shown_reordered;

    #[test]
    fn controls_between_left_to_right_runs_are_refused_and_prose_marks_pass() {
        assert!(shown_reordered("Operation \u{202B}JAR\u{200F}NIGHT\u{202C}").is_some());
        assert!(shown_reordered("\u{5D0}\u{2066}JAR\u{2069}\u{2066}NIGHT\u{2069}").is_some());
        for between in ['\u{FEFF}', '\u{0610}', '\u{064B}', '\u{0660}', '\u{05B0}'] {
            assert!(shown_reordered(&format!("\u{2067}JAR\u{200F}{between}NIGHT\u{2069}")).is_some());
        }
        assert!(shown_reordered("The user \u{2067}\u{625}\u{64A}\u{2069} posted").is_none());
        assert!(shown_reordered("\u{627}\u{644} APT28\u{200F} \u{627}").is_none());
        assert!(shown_reordered("report\u{200E} more\u{200E}").is_none());
    }
}
