//! Telephone numbers in (normalised) text, found with libphonenumber's rules (the `phonenumber`
//! crate carries its metadata): a candidate is a run of digits with the separators people write
//! (spaces, `-` in every dash and minus form once normalised, `.`, `/`, parentheses), an optional
//! leading `+`, holding 7 to 15 digits and not part of a longer word, a dotted address or a date;
//! it is a telephone number when its digits are a valid number of one of the policy's regions
//! (national form) or, with a `+`, a valid international number of any region.
//!
//! Why `phonenumber`: it is the maintained Rust port of libphonenumber (metadata 9.x), parses and
//! validates by the same tables; it has no `findNumbers`, so finding candidates is done here, and
//! only digits (and the `+`) are handed to it.

use phonenumber::country::Id;

/// The regions whose national numbers are looked for.
#[derive(Debug, Clone)]
pub struct Phones {
    regions: Vec<Id>,
}

impl Phones {
    /// `Err` names a region code libphonenumber does not know.
    pub fn new<S: AsRef<str>>(regions: &[S]) -> Result<Phones, String> {
        let mut out = Vec::new();
        for r in regions {
            let id: Id = r
                .as_ref()
                .trim()
                .to_ascii_uppercase()
                .parse()
                .map_err(|_| r.as_ref().to_string())?;
            out.push(id);
        }
        Ok(Phones { regions: out })
    }

    /// Byte spans of `text` (normalised) that are telephone numbers.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = self.find_in(text);
        // And with ASCII look-alikes of digits read as digits (`2o2-555-0143`), whose spans are
        // `text`'s (byte for byte as long).
        if let Some(d) = crate::text::digit_reading(text) {
            out.extend(self.find_in(&d));
            return crate::text::merge_spans(out);
        }
        out
    }

    fn find_in(&self, text: &str) -> Vec<(usize, usize)> {
        // A candidate holds at least 7 of the text's ASCII digits: with fewer there is none (most
        // strings), and the scan below is skipped.
        if text.bytes().filter(u8::is_ascii_digit).count() < MIN_DIGITS {
            return Vec::new();
        }
        candidates(text)
            .into_iter()
            .filter(|&(a, b)| text.get(a..b).is_some_and(|c| self.is_number(c)))
            .collect()
    }

    fn is_number(&self, candidate: &str) -> bool {
        let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
        let plus = candidate.starts_with('+');
        let valid = |region: Option<Id>, s: &str| -> bool {
            // A panic in the library on some input must not let the number through.
            std::panic::catch_unwind(|| phonenumber::parse(region, s).is_ok_and(|n| phonenumber::is_valid(&n)))
                .unwrap_or(true)
        };
        if plus {
            return valid(None, &format!("+{digits}"));
        }
        // `00` and `011` international prefixes.
        if let Some(rest) = digits.strip_prefix("011").or_else(|| digits.strip_prefix("00"))
            && rest.len() >= 7
            && valid(None, &format!("+{rest}"))
        {
            return true;
        }
        self.regions.iter().any(|&r| valid(Some(r), &digits))
    }
}

/// The fewest digits a candidate holds.
const MIN_DIGITS: usize = 7;

/// Spans that could be a telephone number (see the module doc).
fn candidates(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let starts = c.is_ascii_digit() || ((c == b'+' || c == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let prev = i.checked_sub(1).and_then(|p| b.get(p)).copied();
        // Not inside a word, a number or an address. A `:` glues only after a digit (a time, an
        // IPv6 address); after a word it ends a label or a URI scheme (`tel:`, `phone:`).
        let before_prev = i.checked_sub(2).and_then(|p| b.get(p)).copied();
        let glued = prev.is_some_and(|p| {
            p.is_ascii_alphanumeric()
                || matches!(p, b'.' | b'-' | b'_' | b'/' | b'@' | b'#' | b'+')
                || (p == b':' && before_prev.is_some_and(|q| q.is_ascii_digit()))
        });
        if !starts || glued || prev.is_some_and(|p| p >= 0x80) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut digits = 0usize;
        let mut seps_in_a_row = 0usize;
        let mut j = i;
        if c == b'+' {
            j += 1;
        }
        while let Some(&d) = b.get(j) {
            if d.is_ascii_digit() {
                digits += 1;
                seps_in_a_row = 0;
                j += 1;
                end = j;
            } else if matches!(d, b' ' | b'-' | b'.' | b'/' | b'(' | b')') && seps_in_a_row < 2 {
                seps_in_a_row += 1;
                j += 1;
            } else {
                break;
            }
            if digits > 17 {
                break;
            }
        }
        let next = b.get(end).copied();
        let glued_after = next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_' || n == b'@' || n >= 0x80);
        let span = text.get(start..end).unwrap_or_default();
        let dotted_quad = span.split('.').count() == 4 && span.bytes().all(|x| x.is_ascii_digit() || x == b'.');
        let date = span.len() == 10
            && span.bytes().enumerate().all(|(k, x)| {
                if k == 4 || k == 7 {
                    x == b'-'
                } else {
                    x.is_ascii_digit()
                }
            });
        if (MIN_DIGITS..=15).contains(&digits) && !glued_after && !dotted_quad && !date {
            out.push((start, end));
        }
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn hits(s: &str) -> Vec<String> {
        let p = Phones::new(&["US", "JP"]).unwrap();
        let n = normalize(s);
        p.find(&n.text)
            .into_iter()
            .map(|(a, b)| {
                let (a, b) = n.original(a, b).unwrap();
                s[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn finds_every_writing_of_a_number() {
        for s in [
            "(202)555-0143",
            "(202) 555-0143",
            "202\u{2013}555\u{2013}0144",
            "202\u{2011}555\u{2011}0145",
            "+81 3 1234 0146",
            "+81-3-1234-0147",
            "+12025550148",
            "+1 202-555-0173",
            "202.555.0149",
            "03-1234-0150",
            "２０２－５５５－０１５１",
            "011 81 3 1234 0152",
            "\u{662}\u{660}\u{662}-\u{665}\u{665}\u{665}-\u{660}\u{661}\u{665}\u{664}",
        ] {
            assert_eq!(hits(&format!("call {s} now")), [s], "{s}");
        }
    }

    #[test]
    fn finds_a_number_after_a_uri_scheme_or_a_label() {
        assert_eq!(hits("tel:+1-202-555-0143"), ["+1-202-555-0143"]);
        assert_eq!(hits("phone:2025550153."), ["2025550153"]);
        assert!(hits("at 10:30:2025550153").is_empty(), "glued to a time");
    }

    #[test]
    fn ordinary_numbers_are_not_numbers() {
        for s in [
            "12345",
            "3.14159",
            "2024-01-15",
            "203.0.113.9",
            "1,000,000",
            "version 10.1.2",
            "port 8443",
            "CVE-2024-12345",
            "T1059.001",
            "1234567",
        ] {
            assert!(hits(s).is_empty(), "{s}");
        }
    }

    /// Issue 17: the embedded metadata is no longer syntax-checked at every process start
    /// (`vendor/phonenumber/PATCHED.md`). The same metadata loaded the checked way (the library's
    /// `Database::parse`) gives the same answer on phone-like strings, in the policy's regions,
    /// in every other region and in international form.
    #[test]
    fn unchecked_metadata_answers_as_the_checked_load() {
        use proptest::prelude::*;
        let xml = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vendor/phonenumber/assets/PhoneNumberMetadata.xml"
        ))
        .unwrap();
        let checked = phonenumber::metadata::Database::parse(&xml).unwrap();
        let mut regions: Vec<Option<Id>> = vec![None, Some(Id::US), Some(Id::JP)];
        regions.extend(checked.iter().filter_map(|m| m.id().parse().ok()).map(Some));
        assert!(regions.len() > 200, "{}", regions.len());
        let policy = prop::sample::select(vec![None, Some(Id::US), Some(Id::JP)]);
        let any = prop::sample::select(regions);
        let numbers = prop_oneof![
            "[2-9][0-9]{2}[2-9][0-9]{6}",
            "1?[2-9][0-9]{9}",
            "0[1-9][0-9]{7,9}",
            "(00|011|010)[1-9][0-9]{7,12}",
            "\\+(1[2-9][0-9]{9}|81[1-9][0-9]{8,9}|[1-9][0-9]{6,13})",
            "[0-9]{7,15}",
        ];
        let config = proptest::test_runner::Config {
            cases: 3000,
            ..proptest::test_runner::Config::default()
        };
        let mut runner = proptest::test_runner::TestRunner::new(config);
        let verdicts = (prop_oneof![policy, any], numbers);
        let valid = std::cell::Cell::new(0usize);
        runner
            .run(&verdicts, |(region, s)| {
                let before =
                    phonenumber::parse_with(&checked, region, &s).map(|n| phonenumber::is_valid_with(&checked, &n));
                let now = phonenumber::parse(region, &s).map(|n| phonenumber::is_valid(&n));
                prop_assert_eq!(format!("{before:?}"), format!("{now:?}"), "{:?} {}", region, s);
                valid.set(valid.get() + usize::from(now.is_ok_and(|v| v)));
                Ok(())
            })
            .unwrap();
        // Not a vacuous agreement: a good share of the strings are valid numbers.
        assert!(valid.get() > 300, "{} valid numbers", valid.get());
    }

    proptest::proptest! {
        /// The digit count that skips the scan (issue 17): a text with fewer than 7 ASCII digits
        /// has no candidate.
        #[test]
        fn fewer_than_seven_digits_have_no_candidate(s in "[0-9 ()+./a-z\\-]{0,20}") {
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            if digits < MIN_DIGITS {
                proptest::prop_assert!(candidates(&s).is_empty());
            }
        }
    }
}
