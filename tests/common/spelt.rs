//! Digits spelt out, for the tests of numbers written so (`tests/s46_spelt_digits.rs`,
//! `tests/s47_spelt_apart.rs`).

use super::us_to_jpn;
use sekisho::fuzzing::content;

/// The guard's output for `text` (in `indicator.description`).
pub fn output(text: &str) -> String {
    let input = content::bundle(content::place(0, text, 1));
    sekisho::guard::filter(input.as_bytes(), &us_to_jpn())
        .map(|r| String::from_utf8_lossy(r.output.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// The word for digit `d`, in one of its spellings, cased as `case` says.
pub fn spelt(d: u8, pick: u8, case: u8) -> String {
    let words: &[&str] = match d {
        b'0' => &["zero", "oh", "o"],
        b'1' => &["one"],
        b'2' => &["two"],
        b'3' => &["three"],
        b'4' => &["four"],
        b'5' => &["five"],
        b'6' => &["six"],
        b'7' => &["seven"],
        b'8' => &["eight"],
        _ => &["nine", "niner"],
    };
    let w = words.get(usize::from(pick) % words.len()).copied().unwrap_or("nine");
    match case % 3 {
        0 => w.to_string(),
        1 => w.to_uppercase(),
        _ => {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}
