//! Session 40, a word broken as a command shell or a script joins it again: cmd.exe's caret
//! escape (`N^I^G^H^T^J^A^R`), an empty quote pair inside a word (`NIGHT''JAR`, `NIGHT""JAR`, as
//! sh and cmd read them) and two literals joined by `+`, `.` or `&` (`'NIGHT'+'JAR'`,
//! `"NIGHT" . "JAR"`, as PowerShell, JavaScript, Python, Perl/PHP and VBScript join them) is held
//! by both readers (each its own code); so, since session 41, are literals of two quote kinds
//! (`'intranet.co' + "rp.example"`), template literals, argument lists (`concat('a','b')`),
//! adjacent literals (`'a' 'b'`, as Python and C join them) and sh's quoting of part of a word
//! (`intranet.co"rp.example"`); and brackets, empty literals, interpolation, `~ ^ << <> ++`
//! and typographic quotes (`('a') + ('b')`, `'a' + '' + 'b'`, `${'a'}${'b'}`, `“a” + “b”`); and,
//! since session 42, comments in the join (`'a'/**/'b'`, `'a' + // c⏎ 'b'`, `# c`, `-- c`).
//! Ordinary text with carets and quotes goes.

mod common;

use common::held::{all_go, all_held, held_problems};
use common::us_to_jpn;
use proptest::prelude::*;

/// Held as written by both readers under us-to-jpn.
const HELD: &[&str] = &[
    "SECRET",
    "Operation NIGHTJAR",
    "alice.smith@agency.example.gov",
    "intranet.corp.example",
    "TLP:RED",
];

/// The ways a word is broken at one place.
const BREAKS: &[&str] = &[
    "^",
    "''",
    "\"\"",
    "'+'",
    "\"+\"",
    "' + '",
    "\" + \"",
    "\".\"",
    "' . '",
    "\"&\"",
    "\" & \"",
    // Quotes of two kinds, template literals, argument lists, adjacent literals, sh's quoting
    // of part of a word.
    "' + \"",
    "\" + '",
    "` + `",
    "`+'",
    "``",
    "','",
    "', '",
    "\", \"",
    "' '",
    "\" \"",
    "\"",
    "'",
    "`",
    "^\"",
    "'||`",
    "'\n+ '",
    "\"\t.\t\"",
    "',\r\n'",
    // Empty literals, brackets and interpolation, more operators, typographic quotes.
    "' + '' + '",
    "\"+\"\"+''+\"",
    "') + ('",
    "'}${'",
    "' ~ '",
    "\" ^ \"",
    "'<<'",
    "\"++\"",
    "' <> '",
    "\u{201D} + \u{201C}",
    "\u{2019}, \u{2018}",
    "\u{BB} + \u{AB}",
    // Comments in the join (session 42): block, line, to the end of the text, around the
    // operator, one holding a quote.
    "'/**/'",
    "\"+/*x*/\"",
    "' /* c */ + /* d */ '",
    "' + // c\n'",
    "\" # c\n \"",
    "' || -- c\n'",
    "'/* it's */+'",
];

#[test]
fn words_broken_for_a_shell_are_held() {
    all_held(
        &us_to_jpn(),
        &[
            "Operation NIGHT''JAR",
            "Operation NIGHT\"\"JAR",
            "Operation N^I^G^H^T^J^A^R",
            "S^E^C^R^E^T",
            "'Operation NIGHT'+'JAR'",
            "\"Operation NIGHT\" + \"JAR\"",
            "SEC''RET",
            "$x = 'intranet.co' + 'rp.example'",
            "\"alice.smith@\" & \"agency.example.gov\"",
            "'SEC'.'RET'",
            "TLP:R^ED",
            "$x = 'intranet.co' + \"rp.example\"",
            "`intranet.co` + `rp.example`",
            "concat('intranet.co','rp.example')",
            "['intranet.co', 'rp.example'].join('')",
            "'intranet.co' 'rp.example'",
            "intranet.co\"rp.example\"",
            "intranet.c\"orp.exampl\"e",
            "alice.smith@\"agency.example.gov\"",
            "intranet.co``rp.example",
            "\"10.20\" + '.30.40'",
            "intranet\".\"corp.example",
            "intranet','corp.example",
            "$h = 'intranet.co'\n     + 'rp.example'",
            "\"alice.smith@\"\t&\t\"agency.example.gov\"",
            "'intranet.co' + '' + 'rp.example'",
            "('intranet.co') + ('rp.example')",
            "`${'intranet.co'}${'rp.example'}`",
            "\u{201C}intranet.co\u{201D} + \u{201C}rp.example\u{201D}",
            "\u{2018}intranet.co\u{2019} + \u{2018}rp.example\u{2019}",
            "\u{AB}intranet.co\u{BB} + \u{AB}rp.example\u{BB}",
            "'intranet.co' ~ 'rp.example'",
            "\"intranet.co\" ^ \"rp.example\"",
            "'intranet.co' << 'rp.example'",
            "'intranet.co' <> 'rp.example'",
            "\"intranet.co\" ++ \"rp.example\"",
            "\"intranet.co\"+/*x*/\"rp.example\"",
            "'intranet.co' /* a */ + /* b */ 'rp.example'",
            "x = 'intranet.co' + // host\n    'rp.example'",
            "('intranet.co'  # host\n 'rp.example')",
            "SELECT 'intranet.co' || -- host\n 'rp.example'",
            "'SEC'/**/'RET'",
        ],
    );
}

#[test]
fn text_with_carets_and_quotes_goes() {
    all_go(
        &us_to_jpn(),
        &[
            "x^2 + y^2 = r^2 and 2^10",
            "it''s a test and a \"\" empty string",
            "print('hello' + 'world')",
            "\"quoted\" & \"other\"",
            "regex ^start and end$",
            "'a'.'b' joins a and b",
            "don't stop: O'Brien's \"quoted\" text",
            "['evil.example', 'bad.example'].join(', ')",
            "`cmd` + `other` and 'x' 'y'",
            "concat('hello', 'world') and \"a\", \"b\"",
            "He said \u{201C}yes\u{201D} and \u{2018}no\u{2019} \u{2014} it\u{2019}s fine, \u{AB}oui\u{BB}",
            "x ~ y, a << b, 'a' + '' + 'b', ('a') + ('b')",
            "'a' /* note */ + 'b' // done",
            "'intranet.co' /* unclosed comment, then 'rp.example'",
            "'intranet.co' # a line comment to the end, then 'rp.example'",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A held text broken at one or two places between two of its letters or digits.
    #[test]
    fn a_word_broken_anywhere_is_held(
        plain in prop::sample::select(HELD),
        at in prop::collection::vec((0usize..40, 0usize..BREAKS.len()), 1..3),
    ) {
        let chars: Vec<char> = plain.chars().collect();
        let mut text = String::new();
        for (k, c) in chars.iter().enumerate() {
            if let Some(&(_, b)) = at.iter().find(|&&(p, _)| p % chars.len() == k) {
                let prev = k.checked_sub(1).and_then(|j| chars.get(j));
                if k > 0 && c.is_ascii_alphanumeric() && prev.is_some_and(char::is_ascii_alphanumeric) {
                    text.push_str(BREAKS[b]);
                }
            }
            text.push(*c);
        }
        let problems = held_problems(&us_to_jpn(), "", &text);
        prop_assert!(problems.is_empty(), "{problems:?}");
    }
}
