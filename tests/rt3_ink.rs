//! Text hidden by "invisible ink" (s36): a piece of filler between two parts of a dirty phrase
//! that a screen does not show — transparent or white ink, a clip, a scale or zoom of nothing,
//! a font too small to see — in a `style` attribute or a `<style>` sheet. The guard holds it or
//! reads the text without it (and so finds the phrase), the verifier refuses it as written, and
//! the guard's output passes the verifier; ink a screen shows goes unchanged.

mod common;

use common::held::{all_go, all_held, held_problems};
use proptest::prelude::*;
use sekisho::policy::Policy;

fn policy(name: &str) -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    Policy::load(&dir.join(name)).unwrap()
}

/// The dirty phrase of the shipped policy that every form splits.
const PHRASE: &str = "Operation NIGHTJAR";

/// Declarations that hide an element's text: ink a screen does not show, a clip, a scale or zoom
/// of (almost) nothing, a font too small to see.
const HIDING: &[&str] = &[
    "color:transparent",
    "color:rgba(0,0,0,0)",
    "color:rgb(0 0 0 / 0)",
    "color:rgb(10 20 30 / 0%)",
    "color:hsla(0,0%,0%,0)",
    "color:hsl(120deg 50% 50% / .1)",
    "color:#0000",
    "color:#ffffff00",
    "color:#12345600",
    "color:color-mix(in srgb, red, transparent)",
    "color:var(--ink)",
    "color:light-dark(white, white)",
    "color:white",
    "color:#fff",
    "color:#ffffff",
    "color:#FFFFFFFF",
    "color:rgb(255,255,255)",
    "color:rgb(100% 100% 100%)",
    "color:hsl(0,0%,100%)",
    "color:#fefefe",
    "color:snow",
    "color:whitesmoke",
    "color:oklch(99% 0 0)",
    "color:white;background:white",
    "color:#fff;background-color:transparent",
    "color:#000;background:#000",
    "color:transparent;text-shadow:0 0 0 #000",
    "-webkit-text-fill-color:transparent",
    "-webkit-text-fill-color:#fff",
    "clip-path:inset(50%)",
    "clip-path:circle(0)",
    "clip-path:polygon(0 0)",
    "clip:rect(0,0,0,0)",
    "clip:rect(0 0 0 0)",
    "scale:0",
    "scale:0 0",
    "scale:1 0",
    "transform:scale(0)",
    "zoom:0.01",
    "zoom:.1",
    "zoom:1%",
    "zoom:0",
    "zoom:calc(1 / 100)",
    "font-size:1%",
    "font-size:0.01em",
    "font-size:.01rem",
    "font-size:0.1ex",
    "font-size:0.1ch",
    "font-size:0.1vw",
    "font-size:0.1vh",
    "font-size:.1vmin",
    "font-size:0.1vmax",
    "font-size:.5px",
    "font-size:.5pt",
    "font-size:calc(1px - 1px)",
    "font:0/0 a",
    "font:italic .1em serif",
    "filter:opacity(0)",
    "filter:opacity(1%)",
    "opacity:.01",
    "opacity:1%",
    "visibility:collapse",
    "content-visibility:hidden",
    "mask-image:linear-gradient(transparent,transparent)",
    "width:0;overflow:hidden",
    "width:1px;height:1px;overflow:hidden",
    "max-height:0;overflow-y:clip",
    "display:none",
    "visibility:hidden",
    "opacity:0",
];

/// Ways of writing a declaration that a browser reads the same.
#[derive(Debug, Clone, Copy)]
enum Writing {
    Plain,
    Upper,
    /// The value's first letter (or the name's when the value starts with none) escaped.
    Escaped,
    /// A comment after the colon.
    Comment,
    Important,
    Spaced,
}

const WRITINGS: &[Writing] = &[
    Writing::Plain,
    Writing::Upper,
    Writing::Escaped,
    Writing::Comment,
    Writing::Important,
    Writing::Spaced,
];

/// `decls` (`a:b;c:d`) written as `w` writes each declaration.
fn written(decls: &str, w: Writing) -> String {
    decls
        .split(';')
        .map(|d| {
            let (name, value) = d.split_once(':').unwrap();
            match w {
                Writing::Plain => d.to_string(),
                Writing::Upper => d.to_ascii_uppercase(),
                Writing::Escaped => match value.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
                    Some((k, c)) => format!("{name}:{}\\{:x} {}", &value[..k], c as u32, &value[k + 1..]),
                    None => format!("\\{:x} {}:{value}", name.as_bytes()[0], &name[1..]),
                },
                Writing::Comment => format!("{name}:/* x */{value}"),
                Writing::Important => format!("{d} !important"),
                Writing::Spaced => format!("{name} : {value} "),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The phrase cut at `cut` with `filler` between, in an element `tag` whose style is `css`: in
/// its `style` attribute, or (`sheet`) in a rule of a `<style>` sheet for its class.
fn form(cut: usize, filler: &str, tag: &str, css: &str, sheet: bool) -> String {
    let (a, b) = PHRASE.split_at(cut);
    if sheet {
        format!("<style>.k{{{css}}}</style>{a}<{tag} class=k>{filler}</{tag}>{b}")
    } else {
        format!("{a}<{tag} style=\"{css}\">{filler}</{tag}>{b}")
    }
}

#[test]
fn the_probed_forms_are_held() {
    let p = policy("us-to-jpn.toml");
    all_held(
        &p,
        &[
            "Operation NIGHT<span style=\"color:transparent\">x</span>JAR",
            "Operation NIGHT<span style=\"color:white\">x</span>JAR",
            "Operation NIGHT<span style=\"clip-path:inset(50%)\">x</span>JAR",
            "Operation NIGHT<span style=\"scale:0\">x</span>JAR",
            "Operation NIGHT<span style=\"zoom:0.01\">x</span>JAR",
            "Operation NIGHT<span style=\"font-size:1%\">x</span>JAR",
            "Operation NIGHT<span style=\"color:\\74 ransparent\">x</span>JAR",
            "Operation NIGHT<span style=\"COLOR:/**/Transparent !important\">x</span>JAR",
            "Operation NIGHT<font color=\"#ffffff\">x</font>JAR",
            "Operation NIGHT<font color=white>x</font>JAR",
            "<style>.k{color:transparent}</style>Operation NIGHT<span class=k>x</span>JAR",
            "<style>p{}.k{clip-path:inset(50%)}</style>Operation NIGHT<span class=k>x</span>JAR",
            // An image's alternative text in invisible ink: read without it, and with it (a
            // shadow shows it).
            "Operation NIGHT<img alt=x style=\"color:transparent\">JAR",
            "Operation NIGHT<img alt=JAR style=\"color:transparent;text-shadow:0 0 0 #000\">",
            // Held today: kept so.
            "Operation NIGHT<span style=\"display:none\">x</span>JAR",
            "Operation NIGHT<span style=\"opacity:0\">x</span>JAR",
            "Operation NIGHT<span style=\"font-size:0.1px\">x</span>JAR",
            "Operation NIGHT<span hidden>x</span>JAR",
            "Operation NIGHT<span style=\"width:0;overflow:hidden\">x</span>JAR",
        ],
    );
}

#[test]
fn the_hiding_table_is_held() {
    let p = policy("us-to-jpn.toml");
    let forms: Vec<String> = HIDING
        .iter()
        .flat_map(|css| [form(15, "x", "span", css, false), form(10, "x", "b", css, true)])
        .collect();
    let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
    all_held(&p, &forms);
}

/// Ink a screen shows, and sizes, zooms and clips that show text.
const SHOWN: &[&str] = &[
    "color:red",
    "color:#333",
    "color:black",
    "color:currentcolor",
    "color:inherit",
    "color:rgba(0,0,0,.87)",
    "color:rgb(0 0 0 / 60%)",
    "color:#555555cc",
    "color:hsl(210,50%,40%)",
    "background:white;color:black",
    "color:#fff;background-color:#003366",
    "background:#036;color:white",
    "color:#ffffff;background:rgb(0,0,0)",
    "font-size:90%",
    "font-size:1.2em",
    "font-size:small",
    "font-size:12px",
    "font:italic bold 12px/30px Georgia, serif",
    "zoom:1",
    "zoom:normal",
    "clip-path:none",
    "clip:auto",
    "transform:none",
    "opacity:1",
    "filter:none",
    "visibility:visible",
];

#[test]
fn ink_a_screen_shows_still_goes() {
    let p = policy("us-to-jpn.toml");
    let forms: Vec<String> = SHOWN
        .iter()
        .flat_map(|css| {
            [
                format!("Operation NIGHT<span style=\"{css}\">x</span>JAR"),
                format!("Report <span style=\"{css}\">on the campaign</span> today"),
                format!("<style>.k{{{css}}}</style>Operation NIGHT<span class=k>x</span>JAR"),
            ]
        })
        .collect();
    let mut forms: Vec<&str> = forms.iter().map(String::as_str).collect();
    forms.extend([
        "<style>p{color:red;font-size:90%}</style><p>A public report</p>",
        "Operation NIGHT<font color=red>x</font>JAR",
        // `overflow:hidden` in a `style` attribute is read as hiding (wide); in a sheet it hides
        // nothing of a box with room.
        "<style>.k{overflow:hidden;width:50%}</style>Operation NIGHT<span class=k>x</span>JAR",
        "Report <font color=\"#333\">x</font> today",
    ]);
    all_go(&p, &forms);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    /// The phrase cut anywhere, with filler between that a screen does not show, in any way of
    /// hiding it, written any way, in a `style` attribute or a sheet's rule, is held.
    #[test]
    fn the_phrase_split_by_filler_in_invisible_ink_is_held(
        cut in 1usize..PHRASE.len(),
        filler in 0usize..4,
        tag in 0usize..3,
        way in 0usize..HIDING.len(),
        writing in 0usize..WRITINGS.len(),
        sheet in any::<bool>(),
    ) {
        let filler = ["x", "abc", "Z9", "lorem"][filler];
        let tag = ["span", "b", "font"][tag];
        let css = written(HIDING[way], WRITINGS[writing]);
        let text = form(cut, filler, tag, &css, sheet);
        let problems = held_problems(&policy("us-to-jpn.toml"), "", &text);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
