//! The verifier's own reading of plain text shown in another order than it is written
//! (UAX #9): a right-to-left mark (U+200F), the Arabic letter mark (U+061C), an embedding,
//! override or isolate (U+202A–U+202E, U+2066–U+2069) standing between two left-to-right runs
//! with no right-to-left letter between them may have a screen show the runs swapped
//! (`RLI JAR RLM NIGHT PDI` is shown `NIGHTJAR`). Such text is refused; the same controls
//! beside Arabic or Hebrew letters are not. Runs are read in the embedding or isolate they
//! stand in: a right-to-left letter inside a nested one does not part the runs around it (the
//! screen may show it at the far edge: `RLI LRI JAR ا PDI RLM NIGHT PDI` is `NIGHTJARا`), and
//! a nested one holding left-to-right letters is a left-to-right run of its own. Two letters or
//! digits under an override are shown backwards, and refused.

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

/// Deepest nesting UAX #9 keeps; deeper text is refused.
const DEEPEST: usize = 125;

/// A right-to-left letter: of those blocks, and a letter (a combining mark takes the direction
/// of what it follows; a digit is no letter).
fn right_to_left_letter(c: char) -> bool {
    within(c, RIGHT_TO_LEFT) && c.is_alphabetic() && !unicode_normalization::char::is_combining_mark(c)
}

/// A left-to-right letter or digit (Arabic digits count: default deny).
fn left_to_right(c: char) -> bool {
    c.is_alphanumeric() && !right_to_left_letter(c) && !unicode_normalization::char::is_combining_mark(c)
}

fn within(c: char, ranges: &[(u32, u32)]) -> bool {
    let u = u32::from(c);
    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&u))
}

/// Where a scope's reading stands since its last right-to-left letter.
#[derive(Clone, Copy, PartialEq)]
enum Since {
    Nothing,
    Run,
    RunThenControl(char),
}

/// An embedding, override or isolate, or the paragraph: how it was opened and what it holds.
struct Scope {
    opener: char,
    since: Since,
    holds_ltr: bool,
    holds_rtl: bool,
    backwards: usize,
}

impl Scope {
    fn new(opener: char) -> Self {
        Scope {
            opener,
            since: Since::Nothing,
            holds_ltr: false,
            holds_rtl: false,
            backwards: 0,
        }
    }

    fn saw_control(&mut self, c: char) {
        if self.since == Since::Run {
            self.since = Since::RunThenControl(c);
        }
    }

    fn saw_ltr(&mut self) -> Option<String> {
        if let Since::RunThenControl(control) = self.since {
            return Some(format!(
                "a bidirectional control U+{:04X} stands between two left-to-right runs: a screen may show them swapped, in an order no rule reads",
                u32::from(control)
            ));
        }
        self.since = Since::Run;
        self.holds_ltr = true;
        None
    }

    fn saw_rtl(&mut self) {
        self.since = Since::Nothing;
        self.holds_rtl = true;
    }

    fn is_isolate(&self) -> bool {
        matches!(self.opener, '\u{2066}' | '\u{2067}' | '\u{2068}')
    }
}

/// What is wrong with `s` when, in one embedding or isolate, a control stands between two
/// left-to-right runs with no right-to-left letter of that embedding between them, or an
/// override shows two letters or digits backwards. Each character is looked at once; scopes
/// nest at most [`DEEPEST`] deep.
pub fn shown_reordered(s: &str) -> Option<String> {
    if !s.chars().any(|c| within(c, CONTROLS)) {
        return None;
    }
    let mut scopes = vec![Scope::new('\0')];
    for c in s.chars() {
        if matches!(
            c,
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}' | '\u{2067}' | '\u{2068}'
        ) {
            scopes.last_mut()?.saw_control(c);
            if scopes.len() > DEEPEST {
                return Some(format!(
                    "bidirectional embeddings and isolates nest deeper than {DEEPEST}: a screen may show the runs in an order no rule reads"
                ));
            }
            scopes.push(Scope::new(c));
            continue;
        }
        // Close what `c` closes (PDF: an embedding or override on top; PDI: the innermost
        // isolate and all above it; a paragraph separator: everything), inner first.
        let closes = match c {
            '\u{202C}' => scopes.len() > 1 && !scopes.last()?.is_isolate(),
            '\u{2069}' => scopes.iter().skip(1).any(Scope::is_isolate),
            '\n' | '\r' | '\u{1C}' | '\u{1D}' | '\u{1E}' | '\u{85}' | '\u{2029}' => true,
            _ => false,
        };
        while closes && scopes.len() > 1 {
            let inner = scopes.pop()?;
            let outer = scopes.last_mut()?;
            if inner.holds_ltr {
                if let Some(why) = outer.saw_ltr() {
                    return Some(why);
                }
            } else if inner.holds_rtl {
                outer.saw_rtl();
            }
            if c == '\u{202C}' || (c == '\u{2069}' && inner.is_isolate()) {
                break;
            }
        }
        let scope = scopes.last_mut()?;
        if within(c, CONTROLS) {
            scope.saw_control(c);
        } else if right_to_left_letter(c) {
            scope.saw_rtl();
            if scope.opener == '\u{202D}' {
                scope.backwards = scope.backwards.saturating_add(1);
            }
        } else if left_to_right(c) {
            if let Some(why) = scope.saw_ltr() {
                return Some(why);
            }
            if scope.opener == '\u{202E}' {
                scope.backwards = scope.backwards.saturating_add(1);
            }
        }
        if scope.backwards >= 2 {
            return Some(
                "two letters or digits stand under a bidirectional override: a screen shows them backwards".to_string(),
            );
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
        assert!(shown_reordered("\u{2067}\u{2066}JAR\u{627}\u{2069}\u{200F}NIGHT\u{2069}").is_some());
        assert!(shown_reordered("\u{202E}RAJTHGIN noitarepO\u{202C}").is_some());
        assert!(shown_reordered("\u{627} \u{2066}APT 28\u{2069} \u{648}\u{2066}Fancy\u{2069} \u{627}").is_none());
        assert!(shown_reordered("The user \u{2067}\u{625}\u{64A}\u{2069} posted").is_none());
        assert!(shown_reordered("\u{627}\u{644} APT28\u{200F} \u{627}").is_none());
        assert!(shown_reordered("report\u{200E} more\u{200E}").is_none());
    }
}
