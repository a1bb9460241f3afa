//! Plain text shown in another order than it is written: a right-to-left mark, embedding,
//! override or isolate between two runs of left-to-right letters or digits. Inside a
//! right-to-left isolate or embedding, or in a paragraph whose first strong character is
//! right to left, the Unicode bidirectional algorithm (UAX #9) shows such runs from the right:
//! `RLI JAR RLM NIGHT PDI` is shown `NIGHTJAR`, `RLI RED RLM : RLM TLP PDI` is shown
//! `TLP:RED`. Default deny: a control between two left-to-right runs holds the text whatever
//! the paragraph's direction; one next to right-to-left letters (Arabic or Hebrew prose with its
//! marks, `RLI` around a name in Arabic) does not.
//!
//! Only a right-to-left letter of the same embedding parts two runs: one inside a nested isolate
//! or embedding may be shown at its far edge (`RLI LRI JAR ا PDI RLM NIGHT PDI` is shown
//! `NIGHTJARا`), so a nested one that holds left-to-right letters is one more left-to-right
//! run to the embedding around it. Under a right-to-left override the letters themselves are
//! shown backwards: two left-to-right letters or digits there hold the text.

/// How deep embeddings and isolates nest in UAX #9; deeper is held.
const MAX_DEPTH: usize = 125;

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

/// Whether `c` ends a paragraph (bidi class B), which ends every embedding and isolate.
fn ends_paragraph(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{1C}'..='\u{1E}' | '\u{85}' | '\u{2029}')
}

/// One embedding, override or isolate (or the paragraph itself) and what was read in it.
#[derive(Default)]
struct Frame {
    /// Opened by an isolate (ended by PDI), not an embedding or override (ended by PDF).
    isolate: bool,
    /// Opened by a right-to-left override (U+202E).
    rtl_override: bool,
    /// Opened by a left-to-right override (U+202D).
    ltr_override: bool,
    /// A left-to-right run since the last right-to-left letter of this frame.
    run: bool,
    /// A control after that run.
    control: Option<char>,
    /// Left-to-right letters or digits in it or in a frame nested in it.
    ltr: bool,
    /// Right-to-left letters in it or nested in it.
    rtl: bool,
    /// Letters or digits shown backwards by its override.
    overridden: usize,
}

impl Frame {
    fn control(&mut self, c: char) {
        if self.run {
            self.control = self.control.or(Some(c));
        }
    }

    /// A left-to-right run (a letter or digit, or a nested frame that holds one).
    fn left_to_right(&mut self) -> Option<String> {
        if let Some(control) = self.control {
            return Some(format!(
                "the text has a bidirectional control (U+{:04X}) between two left-to-right runs: a screen may show them in an order no rule reads",
                u32::from(control)
            ));
        }
        (self.run, self.ltr) = (true, true);
        None
    }

    fn right_to_left(&mut self) {
        (self.run, self.control, self.rtl) = (false, None, true);
    }

    /// `inner`, ended, read as what it holds.
    fn fold(&mut self, inner: &Frame) -> Option<String> {
        if inner.ltr {
            self.left_to_right()
        } else {
            if inner.rtl {
                self.right_to_left();
            }
            None
        }
    }
}

/// Why `s` is shown in another order than it is written, when a bidirectional control stands
/// between two left-to-right runs of one embedding with no right-to-left letter of it between
/// them, or an override shows letters backwards. One pass; the frames nest at most
/// [`MAX_DEPTH`] deep.
pub fn reordered(s: &str) -> Option<String> {
    if !s.chars().any(is_control) {
        return None;
    }
    let mut frames: Vec<Frame> = vec![Frame::default()];
    for c in s.chars() {
        let opens = matches!(
            c,
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}'..='\u{2068}'
        );
        if opens {
            // A control of the frame it stands in, then a frame of its own.
            if let Some(f) = frames.last_mut() {
                f.control(c);
            }
            if frames.len() > MAX_DEPTH {
                return Some(format!(
                    "the text nests bidirectional embeddings and isolates deeper than {MAX_DEPTH}: a screen may show its runs in an order no rule reads"
                ));
            }
            frames.push(Frame {
                isolate: matches!(c, '\u{2066}'..='\u{2068}'),
                rtl_override: c == '\u{202E}',
                ltr_override: c == '\u{202D}',
                ..Frame::default()
            });
            continue;
        }
        // How many frames `c` ends: a PDF the innermost embedding or override (never an
        // isolate), a PDI the innermost isolate and all opened in it, a paragraph's end all.
        let ends = if c == '\u{202C}' {
            usize::from(frames.len() > 1 && frames.last().is_some_and(|f| !f.isolate))
        } else if c == '\u{2069}' {
            frames
                .iter()
                .skip(1)
                .rev()
                .position(|f| f.isolate)
                .map_or(0, |k| k.saturating_add(1))
        } else if ends_paragraph(c) {
            frames.len().saturating_sub(1)
        } else {
            0
        };
        for _ in 0..ends {
            if let (Some(inner), true) = (frames.pop(), !frames.is_empty())
                && let Some(why) = frames.last_mut().and_then(|outer| outer.fold(&inner))
            {
                return Some(why);
            }
        }
        let f = frames.last_mut()?;
        if is_control(c) {
            f.control(c);
        } else if is_right_to_left(c) {
            f.right_to_left();
            if f.ltr_override {
                f.overridden = f.overridden.saturating_add(1);
            }
        } else if c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c) {
            if let Some(why) = f.left_to_right() {
                return Some(why);
            }
            if f.rtl_override {
                f.overridden = f.overridden.saturating_add(1);
            }
        }
        if f.overridden > 1 {
            return Some(
                "the text has letters or digits under a bidirectional override (U+202D, U+202E): a screen shows them in an order no rule reads"
                    .to_string(),
            );
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
        // A right-to-left letter in a nested isolate is shown at its edge: `NIGHTJARا`.
        assert!(reordered("\u{2067}\u{2066}JAR\u{627}\u{2069}\u{200F}NIGHT\u{2069}").is_some());
        // Letters under an override are shown backwards.
        assert!(reordered("\u{202E}RAJTHGIN noitarepO\u{202C}").is_some());
        assert!(reordered("\u{202E}RAJT\u{202A}NIGH\u{202C}\u{202C}").is_some());
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
        assert!(reordered("\u{627} \u{2066}APT 28\u{2069} \u{648}\u{2066}Fancy\u{2069} \u{627}").is_none());
        assert!(reordered("\u{202B}\u{5E9}\u{5DC}\u{5D5}\u{5DD}\u{202C} means peace").is_none());
        assert!(reordered("a\u{202E}b\u{202C} c").is_some());
        assert!(reordered("\u{202E}b\u{202C}").is_none());
    }
}
