//! Red team round 3, text a screen draws on another line's place (S37): a block lifted onto the
//! line above (`margin-top:-1.2em`), the next block pulled up over it (`margin-bottom:-1.2em`),
//! or a box shorter than its line (`height:0`, `line-height:0`) whose next block draws over
//! it. `Operation <p style="padding-left:5em">JAR</p><p style="margin-top:-1.2em">NIGHT</p>`
//! is shown `Operation NIGHTJAR`, and its text reads `JAR NIGHT`. Each such form is held by
//! the guard and refused by the verifier as written; benign neighbours go unchanged.

mod common;

use common::held::{all_go, all_held, held_problems};
use proptest::prelude::*;

/// Ways to lift a block onto the line above it, written on the block lifted.
const LIFTS: [&str; 24] = [
    "margin-top:-1.2em",
    "margin:-1.2em 0 0",
    "margin:-1.2em 0",
    "margin:-1.2em 0 0 0",
    "margin:-1.2em",
    "margin-block:-1.2em 0",
    "margin-block-start:-1.2em",
    "-webkit-margin-before:-1.2em",
    "margin-top:calc(-1.2em)",
    "margin-top:calc(0px - 20px)",
    "margin-top:var(--x)",
    "margin-top:inherit",
    "margin-top:min(0px,-1.2em)",
    "margin-top:\\2d 1.2em",
    "margin-t\\6f p:-1.2em",
    "MARGIN-TOP:-1.2EM",
    "margin-top:/**/-1.2em !important",
    "margin-top:-1.2em ! important",
    "margin-top:-20px",
    "margin-top:-0.25in",
    "margin-top:-5%",
    "margin-top:-1lh",
    "margin-top:-8px",
    "margin-top:0;margin-top:-1em",
];

/// Ways to pull the next block up over a block, or to leave a block no height of its own so
/// the next one draws over its line, written on the block pulled over.
const PULLS_UP: [&str; 30] = [
    "margin-bottom:-1.2em",
    "margin:0 0 -1.2em",
    "margin:0 0 -1.2em 0",
    "margin-block:0 -1.2em",
    "margin-block-end:-1.2em",
    "-webkit-margin-after:-1.2em",
    "margin-bottom:calc(-1em - 2px)",
    "height:0",
    "max-height:0",
    "height:1px",
    "height:0.5em",
    "max-height:10px",
    "height:-webkit-calc(1px)",
    "height:0.5%",
    "block-size:0",
    "max-block-size:0",
    "-webkit-logical-height:0",
    "line-height:0",
    "line-height:0.2",
    "line-height:0.3em",
    "line-height:5px",
    "line-height:20%",
    "line-height:calc(1em - 1em)",
    "line-height:var(--x)",
    "font:16px/0 serif",
    "font:bold 16px / 0.1 serif",
    "contain:size",
    "contain:strict",
    "h\\65ight:0",
    "LINE-HEIGHT:0 !important",
];

/// Dirty phrases of `us-to-jpn.toml`, each a lead and a word.
const PHRASES: [(&str, &str); 3] = [
    ("Operation ", "NIGHTJAR"),
    ("Project ", "BLUEBIRD"),
    ("SOURCE ", "CASTELLAN"),
];

/// The text for a word cut into `head` and `tail`, the tail written first and the head drawn on
/// its line by `decl` (on the head's block when `lifts`, on the tail's when not), in place
/// `how`: a `style` attribute, a class of a `<style>` sheet, a block nested in the styled one,
/// the attribute with its `-` written `&#x2d;`, a `<div>` pair.
fn text(lead: &str, head: &str, tail: &str, decl: &str, lifts: bool, how: usize) -> String {
    let (on_tail, on_head) = if lifts { ("", decl) } else { (decl, "") };
    match how {
        0 => format!("{lead}<p style=\"padding-left:5em;{on_tail}\">{tail}</p><p style=\"{on_head}\">{head}</p> today"),
        1 => {
            let (tc, hc) = if lifts { ("", " class=x") } else { (" class=x", "") };
            format!(
                "<style>.x{{{decl}}}</style>{lead}<p style=\"padding-left:5em\"{tc}>{tail}</p><p{hc}>{head}</p> today"
            )
        }
        2 => format!(
            "{lead}<div style=\"{on_tail}\"><p style=\"padding-left:5em\"><b>{tail}</b></p></div><div style=\"{on_head}\"><p><i>{head}</i></p></div> today"
        ),
        3 => {
            let (t, h) = (on_tail.replace('-', "&#x2d;"), on_head.replace('-', "&#x2d;"));
            format!("{lead}<p style=\"padding-left:5em;{t}\">{tail}</p><p style=\"{h}\">{head}</p> today")
        }
        _ => format!(
            "{lead}<div style=\"text-align:right;{on_tail}\">{tail}</div><div style='{on_head}'>{head}</div> today"
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// A dirty word cut in two, its tail written first and its head drawn on the tail's line
    /// (lifted onto it, or the tail's block pulling it up or leaving it no height), is held.
    #[test]
    fn a_word_whose_halves_share_a_line_on_screen_is_held(
        which in 0usize..PHRASES.len(),
        cut in 1usize..7,
        way in 0usize..(LIFTS.len() + PULLS_UP.len()),
        how in 0usize..5,
    ) {
        let (lead, word) = PHRASES[which];
        let (head, tail) = word.split_at(cut.min(word.len() - 1));
        let (decl, lifts) = match LIFTS.get(way) {
            Some(&d) => (d, true),
            None => (PULLS_UP[way - LIFTS.len()], false),
        };
        let t = text(lead, head, tail, decl, lifts, how);
        let problems = held_problems(&common::us_to_jpn(), "", &t);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Every way in every place, for one phrase cut in the middle.
#[test]
fn s37_each_way_in_each_place_is_held() {
    let p = common::us_to_jpn();
    let mut problems = Vec::new();
    for (k, decl) in LIFTS.iter().chain(PULLS_UP.iter()).enumerate() {
        for how in 0..5 {
            let t = text("Operation ", "NIGHT", "JAR", decl, k < LIFTS.len(), how);
            problems.extend(held_problems(&p, "", &t));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn s37_the_reported_forms_are_held() {
    all_held(
        &common::us_to_jpn(),
        &[
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"margin-top:-1.2em\">NIGHT</p>",
            "Operation <p style=\"padding-left:5em;margin-bottom:-1.2em\">JAR</p><p>NIGHT</p>",
            "Operation <div style=\"height:0;padding-left:5em\">JAR</div><div>NIGHT</div>",
            "Operation <div style=\"max-height:0;padding-left:5em\">JAR</div><div>NIGHT</div>",
            "Operation <div style=\"line-height:0;padding-left:5em\">JAR</div><div>NIGHT</div>",
            "Operation <p style=\"text-align:right\">JAR</p><p style=\"margin-top:-1em\">NIGHT</p>",
            // Small pulls that add up: nested boxes, or a sheet's rule applied to many.
            "Operation <div style=\"padding-left:5em\">JAR</div><div style=\"margin-top:-5px;border-top:1px solid\"><div style=\"margin-top:-5px;border-top:1px solid\"><div style=\"margin-top:-5px\">NIGHT</div></div></div>",
            "<style>div{margin-top:-3px;border-top:1px solid}</style>Operation <p style=\"padding-left:5em\">JAR</p><div><div><div><div><div><div>NIGHT</div></div></div></div></div></div>",
            // A small pull in a zoomed box.
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"zoom:4;margin-top:-5px\">NIGHT</p>",
            // Other ways onto another line's place.
            "Operation <div style=\"columns:2;column-gap:0\">x<br>NIGHT<br>JAR</div>",
            "Operation <div style=\"display:grid;grid-auto-rows:0\"><p style=\"padding-left:5em\">JAR</p><p>NIGHT</p></div>",
            "Operation <div style=\"display:grid;grid-template-rows:0 0\"><p style=\"padding-left:5em\">JAR</p><p>NIGHT</p></div>",
            "Operation <div style=\"display:grid;grid-template-columns:0 0\"><p style=\"padding-left:5em\">JAR</p><p>NIGHT</p></div>",
            "<style>.g{display:grid;grid-template-rows:repeat(2,0)}</style>Operation <div class=g><p style=\"padding-left:5em\">JAR</p><p>NIGHT</p></div>",
            "Operation <div style=\"column-count:2\">NIGHT<br>x<br>JAR</div>",
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"offset-path:path('M0,-20')\">NIGHT</p>",
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"display:inline-block;margin-top:-1.2em\">NIGHT</p>",
            "Operation <p style=\"padding-left:5em;float:left;margin-bottom:-2em\">JAR</p><p>NIGHT</p>",
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"translate:0 -1.2em\">NIGHT</p>",
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"grid-row:1\">NIGHT</p>",
            "Operation <p style=\"padding-left:5em\">JAR</p><p style=\"position:relative;top:-1.2em\">NIGHT</p>",
            "Operation <p style=\"-webkit-line-clamp:1;display:-webkit-box;-webkit-box-orient:vertical;overflow:hidden\">JAR<br>NIGHT</p>",
        ],
    );
}

#[test]
fn s37_heights_and_vertical_margins_that_draw_no_line_over_another_still_go() {
    all_go(
        &common::us_to_jpn(),
        &[
            "Report <p style=\"margin-top:1em\">note</p> more",
            "Report <div style=\"margin:0 auto\">note</div> more",
            "Report <div style=\"margin:1em 0\">note</div> more",
            "Report <div style=\"margin:-0 0;margin-top:-0.0em\">note</div> more",
            "Report <p style=\"line-height:1.5\">note</p> more",
            "Report <p style=\"line-height:normal\">note</p> more",
            "Report <p style=\"line-height:1.2em;line-height:20px;line-height:150%\">note</p> more",
            "Report <p style=\"line-height:0.5em\">note</p> more",
            "Report <p style=\"font:12px/1.4 serif\">note</p> more",
            "Report <div style=\"height:auto\">note</div> more",
            "Report <div style=\"height:200px\">note</div> more",
            "Report <div style=\"max-height:50vh\">note</div> more",
            "Report <div style=\"height:1em;min-height:0;max-height:100%\">note</div> more",
            "Report <div style=\"block-size:fit-content\">note</div> more",
            // A pull of a few pixels in all the text: under half a line.
            "Report <p style=\"margin-top:-3px;margin-bottom:-2px\">note</p> more",
            "Report <p style=\"margin-block:-3px\">note</p> more",
            // Elements of no text of their own.
            "Report <hr style=\"height:1px;border:none\"> more",
            "Report <img src=\"a.png\" alt=\"\" style=\"height:10px\"> more",
            "Report <br style=\"line-height:0\"> more",
            // Prose about heights and margins.
            "Set height:0 and margin-top:-1.2em on the box to lift it",
            "Use <code>margin-top:-1.2em</code> or <code>line-height:0</code> to overlap",
            "Report <span title=\"height:0\">note</span> more",
            "The box height is 0 px; line height 0.2 in the old layout",
            "Report <div style=\"content-visibility:auto;contain-intrinsic-size:auto 500px\">note</div> more",
            "Report <span style=\"vertical-align:-2px\">note</span> more",
            "Report <div style=\"display:grid;grid-template-columns:200px 1fr;grid-auto-rows:auto\">note</div> more",
        ],
    );
}
