//! The status page: read-only, server-rendered HTML with no script, from the board only (counts,
//! the last decisions' ids, verdicts and rules, hashes, sandbox states — never content or file
//! names).

use std::fmt::Write as _;

use crate::telemetry::html;

use super::metrics::{Board, ChannelState};

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1a1a1a;background:#fafafa}\
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:2px solid #334}\
h3{font-size:1em;margin:1em 0 .3em}table{border-collapse:collapse;margin:.2em 0 .8em;background:#fff}\
th,td{border:1px solid #ccd;padding:.2em .6em;text-align:left;vertical-align:top}th{background:#e8eaf2}\
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.92em}\
.released{color:#075e07;font-weight:600}.quarantined{color:#9b1c1c;font-weight:600}\
.degraded{color:#9b1c1c;font-weight:600}.muted{color:#666}";

/// The whole page.
pub fn render(board: &Board) -> String {
    let channels = board.snapshot();
    let mut p = String::with_capacity(16 * 1024);
    let _ = write!(
        p,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"10\"><title>sekisho status</title>\
         <style>{STYLE}</style></head><body>\n<h1>sekisho status</h1>\n"
    );
    let _ = writeln!(
        p,
        "<p class=\"muted\">Read-only. Counts since the daemon started; refreshed every 10 s. \
         Configuration <code>sha256:{}</code>. <a href=\"/metrics\">Prometheus metrics</a>.</p>",
        html(&board.config_sha256)
    );
    p.push_str("<h2>Sandboxes</h2>\n<table id=\"sandboxes\"><tr><th>part</th><th>state</th></tr>\n");
    let listener = super::lock(&board.listener_sandbox).clone();
    let main = super::lock(&board.main_sandbox).clone();
    row(&mut p, &[&html("operators' listener"), &sandbox_cell(&listener)]);
    row(&mut p, &[&html("daemon main thread"), &sandbox_cell(&main)]);
    for (name, s) in &channels {
        row(
            &mut p,
            &[
                &format!("channel <code>{}</code>", html(name)),
                &sandbox_cell(&s.sandbox),
            ],
        );
        row(
            &mut p,
            &[
                &format!("channel <code>{}</code>: second verifier", html(name)),
                &html(&s.verifier),
            ],
        );
    }
    p.push_str("</table>\n");
    for (name, s) in &channels {
        channel(&mut p, name, s);
    }
    p.push_str("</body></html>\n");
    p
}

fn sandbox_cell(state: &str) -> String {
    if state.starts_with("landlock fully enforced") && !state.contains("DEGRADED") {
        html(state)
    } else {
        format!("<span class=\"degraded\">{}</span>", html(state))
    }
}

fn row(p: &mut String, cells: &[&str]) {
    p.push_str("<tr>");
    for c in cells {
        let _ = write!(p, "<td>{c}</td>");
    }
    p.push_str("</tr>\n");
}

fn num_row(p: &mut String, label: &str, n: u64) {
    let _ = writeln!(p, "<tr><td>{label}</td><td class=\"n\">{n}</td></tr>");
}

fn channel(p: &mut String, name: &str, s: &ChannelState) {
    let id = html(name);
    let _ = writeln!(p, "<h2 id=\"channel-{id}\">Channel <code>{id}</code></h2>");
    let audit = s
        .audit_seq
        .map_or_else(|| "empty".to_string(), |n| format!("record {n}"));
    let _ = writeln!(
        p,
        "<p>Audit head: <span class=\"audit-head\">{}</span>, <code>{}</code>. Queue depth: \
         <span class=\"queue\">{}</span>.</p>",
        html(&audit),
        html(&s.audit_head),
        s.queue_depth
    );
    // Policies.
    p.push_str("<h3>Policies</h3>\n<table class=\"policies\"><tr><th>route</th><th>policy</th><th>SHA-256</th></tr>\n");
    for (route, v) in &s.policies {
        row(
            p,
            &[
                &html(route),
                &html(&v.name),
                &format!("<code>{}</code>", html(&v.sha256)),
            ],
        );
    }
    p.push_str("</table>\n");
    // Counts per route and verdict.
    p.push_str(
        "<h3>Counts</h3>\n<table class=\"counts\"><tr><th>route</th><th>verdict</th><th>messages</th><th>bytes</th></tr>\n",
    );
    for ((route, verdict, reason), t) in &s.decisions {
        if t.messages == 0 && verdict != "released" {
            continue;
        }
        let v = if reason.is_empty() {
            format!("<span class=\"{}\">{}</span>", html(verdict), html(verdict))
        } else {
            format!(
                "<span class=\"{}\">{}</span>: {}",
                html(verdict),
                html(verdict),
                html(reason)
            )
        };
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td>{v}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(route),
            t.messages,
            t.bytes
        );
    }
    p.push_str("</table>\n<table class=\"units\"><tr><th>route</th><th>objects dropped</th><th>properties removed</th><th>texts redacted</th><th>verifier disagreements</th></tr>\n");
    for route in s.policies.keys() {
        let g = |m: &std::collections::BTreeMap<String, u64>| m.get(route).copied().unwrap_or(0);
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(route),
            g(&s.dropped),
            g(&s.removed),
            g(&s.redactions),
            g(&s.verifier_disagreements)
        );
    }
    p.push_str("</table>\n");
    // Quarantine by reason, all routes together.
    let mut by_reason: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for ((_, verdict, reason), t) in &s.decisions {
        if verdict == "quarantined" && t.messages > 0 {
            *by_reason.entry(reason.as_str()).or_default() += t.messages;
        }
    }
    p.push_str(
        "<h3>Quarantined, by reason</h3>\n<table class=\"quarantine\"><tr><th>reason</th><th>messages</th></tr>\n",
    );
    if by_reason.is_empty() {
        p.push_str("<tr><td colspan=\"2\" class=\"muted\">none</td></tr>\n");
    }
    for (reason, n) in by_reason {
        num_row(p, &html(reason), n);
    }
    p.push_str("</table>\n");
    // Latency.
    let _ = writeln!(
        p,
        "<p>Completed inputs: urgent {}, routine {}.</p>",
        s.urgent.count(),
        s.routine.count()
    );
    // The last decisions.
    p.push_str(
        "<h3>Last decisions</h3>\n<table class=\"recent\"><tr><th>time</th><th>audit seq</th><th>input id</th>\
         <th>route</th><th>verdict</th><th>rules</th></tr>\n",
    );
    if s.recent.is_empty() {
        p.push_str("<tr><td colspan=\"6\" class=\"muted\">none yet</td></tr>\n");
    }
    for d in &s.recent {
        let verdict = match &d.reason {
            Some(r) => format!(
                "<span class=\"{}\">{}</span>: {}",
                html(&d.verdict),
                html(&d.verdict),
                html(r)
            ),
            None => format!("<span class=\"{}\">{}</span>", html(&d.verdict), html(&d.verdict)),
        };
        let rules = d.rules.iter().map(|r| html(r)).collect::<Vec<_>>().join(", ");
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td class=\"n\">{}</td><td><code>{}</code></td><td>{}</td><td>{verdict}</td><td>{rules}</td></tr>",
            html(&d.time),
            d.audit_seq,
            html(&d.input_id),
            html(&d.route)
        );
    }
    p.push_str("</table>\n");
}
