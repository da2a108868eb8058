//! The page's sections, each written straight into the output.

use std::collections::BTreeSet;
use std::fmt::Write;

use crosscheck_run::Status;

use super::escape::{anchor, h};
use super::plots::{fmt_ms, histogram, meter, stacked_bar};
use crate::coverage::{self, Verdict};
use crate::results::{Results, RunState, ScenarioRecord};

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Errored => "errored",
    }
}

fn badge(out: &mut String, s: Status) {
    let w = status_word(s);
    let _ = write!(out, "<span class=\"badge {w}\">{w}</span>");
}

fn scenario_link(out: &mut String, s: &ScenarioRecord) {
    let _ = write!(
        out,
        "<a class=\"sc {}\" href=\"#{}\" data-open=\"{}\">{}</a>",
        status_word(s.status),
        anchor("s", &s.id),
        h(&s.id),
        h(&s.id)
    );
}

/// How many scenario links a cell shows before it says how many more there are.
const LINKS_PER_CELL: usize = 12;

/// Links to `list`, failing ones first, at most [`LINKS_PER_CELL`]; the rest as a count
/// (that filters the table by `req`, when given).
fn links(out: &mut String, list: &[&ScenarioRecord], req: Option<&str>) {
    let mut sorted: Vec<&ScenarioRecord> = list.to_vec();
    sorted.sort_by_key(|s| s.status == Status::Passed);
    for s in sorted.iter().take(LINKS_PER_CELL) {
        scenario_link(out, s);
        out.push(' ');
    }
    if sorted.len() > LINKS_PER_CELL {
        let more = sorted.len() - LINKS_PER_CELL;
        match req {
            Some(id) => {
                let _ = write!(
                    out,
                    "<a href=\"#scenarios\" class=\"req-filter more\" data-req=\"{}\">+{more} more</a>",
                    h(id)
                );
            }
            None => {
                let _ = write!(out, "<span class=\"more\">+{more} more</span>");
            }
        }
    }
}

/// Totals, runs, status bar and the duration histogram.
pub fn summary(out: &mut String, r: &Results) {
    let s = &r.summary;
    let verdict = if r.ok() { "passed" } else { "failed" };
    let _ = write!(
        out,
        "<section id=\"summary\"><h1>{} <span class=\"badge {verdict}\">{verdict}</span></h1>\
         <div class=\"cards\">\
         <div class=\"card\"><b>{}</b>scenarios</div>\
         <div class=\"card passed\"><b>{}</b>passed</div>\
         <div class=\"card failed\"><b>{}</b>failed</div>\
         <div class=\"card errored\"><b>{}</b>errored</div>\
         <div class=\"card\"><b>{}</b>not run</div>\
         <div class=\"card\"><b>{}</b>wall time</div></div>",
        h(&r.sut),
        r.scenarios.len(),
        s.passed,
        s.failed,
        s.errored,
        s.skipped,
        fmt_ms(s.duration_ms)
    );
    stacked_bar(
        out,
        &[
            ("passed", s.passed, "pass"),
            ("failed", s.failed, "fail"),
            ("errored", s.errored, "error"),
        ],
        600,
    );
    out.push_str("<table class=\"runs\"><tr><th>run</th><th>started</th><th>state</th><th>shard</th><th>scenarios</th><th>note</th></tr>");
    for run in &r.runs {
        let state = match run.state {
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::Interrupted => "interrupted",
            RunState::Aborted => "aborted",
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td><span class=\"state {state}\">{state}</span></td><td>{}</td><td>{} of {}</td><td>{}</td></tr>",
            h(&run.id),
            h(&run.started_at),
            h(run.shard.as_deref().unwrap_or("")),
            run.selected,
            run.suite_scenarios,
            h(run.error.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table><div class=\"plots\">");
    let durations: Vec<f64> = r.scenarios.iter().map(|s| s.duration_ms).collect();
    histogram(out, &durations, "scenario durations (count per bucket)");
    slowest(out, r);
    out.push_str("</div></section>\n");
}

fn slowest(out: &mut String, r: &Results) {
    let mut by_time: Vec<&ScenarioRecord> = r.scenarios.iter().collect();
    by_time.sort_by(|a, b| b.duration_ms.total_cmp(&a.duration_ms));
    by_time.truncate(8);
    let max = by_time.first().map_or(1.0, |s| s.duration_ms.max(1.0));
    out.push_str("<figure><svg class=\"plot\" width=\"420\" height=\"");
    let _ = write!(
        out,
        "{}\" role=\"img\" aria-label=\"slowest scenarios\">",
        by_time.len() * 16 + 4
    );
    for (i, s) in by_time.iter().enumerate() {
        let w = 200.0 * s.duration_ms / max;
        let y = i * 16;
        let _ = write!(
            out,
            "<rect class=\"bar {}\" x=\"0\" y=\"{y}\" width=\"{w:.1}\" height=\"12\"/><text x=\"{:.1}\" y=\"{}\" class=\"label\">{} {}</text>",
            status_word(s.status),
            w + 4.0,
            y + 10,
            h(&fmt_ms(s.duration_ms)),
            h(&s.id)
        );
    }
    out.push_str("</svg><figcaption>slowest scenarios</figcaption></figure>");
}

/// Requirement → scenarios → outcome.
pub fn traceability(out: &mut String, r: &Results) {
    let (rows, orphans) = coverage::traceability(r);
    let covered = rows
        .iter()
        .filter(|x| x.verdict != Verdict::Uncovered)
        .count();
    out.push_str("<section id=\"traceability\"><h2>Requirement traceability</h2><p>");
    meter(out, covered, rows.len());
    out.push_str(" requirements covered by at least one scenario. Click a requirement to filter the scenarios.</p>");
    out.push_str("<table class=\"matrix\"><thead><tr><th>requirement</th><th>text</th><th>scenarios</th><th>verdict</th></tr></thead><tbody>");
    for row in &rows {
        let (class, word) = match row.verdict {
            Verdict::Passing => ("passed", "covered, passing"),
            Verdict::Failing => ("failed", "covered, failing"),
            Verdict::Uncovered => ("uncovered", "NOT COVERED"),
        };
        let _ = write!(
            out,
            "<tr class=\"req {class}\" id=\"{}\"><td><a href=\"#scenarios\" class=\"req-filter\" data-req=\"{}\">{}</a></td><td class=\"text\">{}</td><td>",
            anchor("r", row.id),
            h(row.id),
            h(row.id),
            h(row.text)
        );
        links(out, &row.scenarios, Some(row.id));
        let _ = write!(
            out,
            "</td><td><span class=\"verdict {class}\">{word}</span></td></tr>"
        );
    }
    out.push_str("</tbody></table>");
    if !orphans.is_empty() {
        out.push_str("<p class=\"warn\">Scenarios that trace to no known requirement: ");
        for s in orphans {
            scenario_link(out, s);
            let _ = write!(
                out,
                " ({}) ",
                h(&if s.covers.is_empty() {
                    "covers nothing".to_owned()
                } else {
                    format!("covers {}", s.covers.join(", "))
                })
            );
        }
        out.push_str("</p>");
    }
    out.push_str("</section>\n");
}

/// Operations × documented responses; dependency edges × failure modes.
pub fn coverage(out: &mut String, r: &Results) {
    out.push_str("<section id=\"coverage\"><h2>Contract coverage</h2>");
    let ops = coverage::operations(r);
    let documented: usize = ops.iter().map(|o| o.statuses.len()).sum();
    let exercised: usize = ops.iter().map(coverage::OperationRow::exercised).sum();
    out.push_str("<h3>Operations × documented responses</h3><p>");
    meter(out, exercised, documented);
    out.push_str(" documented responses seen in a run.</p>");
    if ops.is_empty() {
        out.push_str("<p class=\"warn\">The service has no contract in the system map.</p>");
    } else {
        out.push_str("<table class=\"cov\"><thead><tr><th>operation</th><th>requests</th><th>documented responses (times seen)</th><th>undocumented</th></tr></thead><tbody>");
        for o in &ops {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>",
                h(&o.label),
                o.requests
            );
            for (k, n) in &o.statuses {
                let class = if *n > 0 { "hit" } else { "miss" };
                let _ = write!(
                    out,
                    "<span class=\"cell {class}\" title=\"{n} response(s)\">{} <small>×{n}</small></span> ",
                    h(k)
                );
            }
            out.push_str("</td><td>");
            for (code, n) in &o.undocumented {
                let _ = write!(
                    out,
                    "<span class=\"cell undoc\">{code} <small>×{n}</small></span> "
                );
            }
            out.push_str("</td></tr>");
        }
        out.push_str("</tbody></table>");
    }
    let edges = coverage::edges(r);
    out.push_str("<h3>Dependency edges × failure modes</h3>");
    if edges.is_empty() {
        out.push_str("<p>The service has no dependencies in the system map.</p>");
    } else {
        let seen: BTreeSet<&str> = edges.iter().flat_map(|e| e.modes.keys().copied()).collect();
        let mut modes: Vec<&str> = crate::modes::REQUIRED_MODES.to_vec();
        for m in modes_extra(&seen) {
            modes.push(m);
        }
        out.push_str("<table class=\"cov\"><thead><tr><th>edge</th>");
        for m in &modes {
            let _ = write!(out, "<th>{}</th>", h(m));
        }
        out.push_str("</tr></thead><tbody>");
        for e in &edges {
            let _ = write!(
                out,
                "<tr><td><code>{} → {}</code></td>",
                h(&r.sut),
                h(e.dependency)
            );
            for m in &modes {
                let list = e.modes.get(m).map(Vec::as_slice).unwrap_or(&[]);
                if list.is_empty() {
                    out.push_str("<td class=\"cell miss\">not staged</td>");
                } else {
                    out.push_str("<td class=\"cell hit\">");
                    links(out, list, None);
                    out.push_str("</td>");
                }
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
}

fn modes_extra<'a>(seen: &BTreeSet<&'a str>) -> Vec<&'a str> {
    seen.iter()
        .copied()
        .filter(|m| !crate::modes::REQUIRED_MODES.contains(m))
        .collect()
}

/// Every failing scenario with its failures and evidence.
pub fn failures(out: &mut String, r: &Results, limit: usize) {
    let failing: Vec<&ScenarioRecord> = r
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .collect();
    let _ = write!(
        out,
        "<section id=\"failures\"><h2>Failures ({})</h2>",
        failing.len()
    );
    if failing.is_empty() {
        out.push_str("<p class=\"ok\">Every scenario passed.</p>");
    }
    for s in failing.iter().take(limit) {
        let _ = write!(
            out,
            "<article class=\"failure\" id=\"{}\"><h3>",
            anchor("f", &s.id)
        );
        badge(out, s.status);
        let _ = write!(
            out,
            " {} <small>{}:{}</small></h3>",
            h(&s.id),
            h(&s.file),
            s.line
        );
        if let Some(t) = &s.title {
            let _ = write!(out, "<p>{}</p>", h(t));
        }
        out.push_str("<ul class=\"fails\">");
        for f in &s.failures {
            let _ = write!(
                out,
                "<li><b>step {} · {}</b><pre>{}</pre></li>",
                f.step + 1,
                h(&f.check),
                h(&f.message)
            );
        }
        out.push_str("</ul>");
        evidence(out, s);
        let _ = write!(
            out,
            "<div class=\"timeline\" data-for=\"{}\"></div></article>",
            h(&s.id)
        );
    }
    if failing.len() > limit {
        let _ = write!(
            out,
            "<p class=\"warn\">{} more failing scenarios: filter the scenario table by status to open them.</p>",
            failing.len() - limit
        );
    }
    out.push_str("</section>\n");
}

fn evidence(out: &mut String, s: &ScenarioRecord) {
    out.push_str("<details open><summary>evidence</summary>");
    for (i, ex) in s.evidence.exchanges.iter().enumerate() {
        let req = &ex.request;
        let mut text = format!("{} {}\n", req.method, req.url);
        for (k, v) in &req.headers {
            let _ = writeln!(text, "{k}: {v}");
        }
        if let Some(b) = &req.body {
            let _ = writeln!(text, "\n{b}");
        }
        let _ = write!(out, "<h4>request {}</h4><pre>{}</pre>", i + 1, h(&text));
        match (&ex.response, &ex.error) {
            (Some(resp), _) => {
                let mut text = format!("{} after {}\n", resp.status, fmt_ms(ex.duration_ms));
                for (k, v) in &resp.headers {
                    let _ = writeln!(text, "{k}: {v}");
                }
                let _ = write!(text, "\n{}", resp.body);
                let _ = write!(out, "<h4>response {}</h4><pre>{}</pre>", i + 1, h(&text));
            }
            (None, Some(e)) => {
                let _ = write!(
                    out,
                    "<h4>response {}</h4><pre>no response: {}</pre>",
                    i + 1,
                    h(e)
                );
            }
            (None, None) => {}
        }
        if let Some(c) = crate::evidence_text::captured(ex) {
            let _ = write!(out, "<pre>{}</pre>", h(&c));
        }
    }
    for (dep, calls) in &s.evidence.doubles {
        let _ = write!(out, "<h4>{} received {} call(s)</h4>", h(dep), calls.len());
        if !calls.is_empty() {
            out.push_str("<pre>");
            for c in calls {
                let _ = writeln!(
                    out,
                    "{}",
                    h(&format!(
                        "+{} ms  {} {}  → {}",
                        c.at_ms, c.method, c.target, c.answer
                    ))
                );
            }
            out.push_str("</pre>");
        }
    }
    if !s.evidence.schedule.is_empty() {
        let seed = s
            .evidence
            .seed
            .map(|n| format!(" (seed {n})"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<h4>fault schedule{}</h4><pre>{}</pre>",
            h(&seed),
            h(&s.evidence.schedule.join("\n"))
        );
    }
    let _ = write!(out, "<h4>log lines ({})</h4>", s.evidence.log_lines.len());
    if !s.evidence.log_lines.is_empty() {
        let _ = write!(out, "<pre>{}</pre>", h(&s.evidence.log_lines.join("\n")));
    }
    if !s.evidence.sut_output.is_empty() {
        let _ = write!(
            out,
            "<h4>service output</h4><pre>{}</pre>",
            h(&s.evidence.sut_output.join("\n"))
        );
    }
    out.push_str("</details>");
}

/// The filter bar and one row per scenario.
pub fn scenarios(out: &mut String, r: &Results) {
    let kinds: BTreeSet<&str> = r.scenarios.iter().map(|s| s.kind.as_str()).collect();
    let reqs: Vec<&str> = r.requirements.iter().map(|x| x.id.as_str()).collect();
    out.push_str("<section id=\"scenarios\"><h2>Scenarios</h2><form id=\"filters\" onsubmit=\"return false\">");
    out.push_str("<span class=\"group\" role=\"group\" aria-label=\"status\">");
    for (value, label) in [
        ("all", "all"),
        ("passed", "passed"),
        ("failed", "failed"),
        ("errored", "errored"),
    ] {
        let pressed = if value == "all" { "true" } else { "false" };
        let _ = write!(
            out,
            "<button type=\"button\" class=\"status-filter\" data-status=\"{value}\" aria-pressed=\"{pressed}\">{label}</button>"
        );
    }
    out.push_str("</span> <label>kind <select id=\"kind-filter\"><option value=\"\">any</option>");
    for k in kinds {
        let _ = write!(out, "<option value=\"{}\">{}</option>", h(k), h(k));
    }
    out.push_str("</select></label> <label>requirement <select id=\"req-filter\"><option value=\"\">any</option>");
    for id in reqs {
        let _ = write!(out, "<option value=\"{}\">{}</option>", h(id), h(id));
    }
    out.push_str("</select></label> <label>search <input id=\"text-filter\" type=\"search\" placeholder=\"id or title\"></label> <span id=\"shown\"></span></form>");
    out.push_str("<table id=\"scenario-table\"><thead><tr><th>status</th><th>scenario</th><th>kind</th><th>covers</th><th>origin</th><th>time</th></tr></thead><tbody>");
    for s in &r.scenarios {
        let _ = write!(
            out,
            "<tr class=\"row\" id=\"{}\" data-id=\"{}\" data-status=\"{}\"><td>",
            anchor("s", &s.id),
            h(&s.id),
            status_word(s.status),
        );
        badge(out, s.status);
        let review = match s.review.as_deref() {
            Some("pending") => " <span class=\"badge pending\">review pending</span>",
            _ => "",
        };
        let _ = write!(
            out,
            "</td><td><button class=\"open\">{}</button><div class=\"title\">{}</div></td><td>{}</td><td>{}</td><td>{}{review}</td><td class=\"num\">{}</td></tr>",
            h(&s.id),
            h(s.title.as_deref().unwrap_or("")),
            h(&s.kind),
            h(&s.covers.join(", ")),
            h(&s.origin),
            h(&fmt_ms(s.duration_ms))
        );
    }
    out.push_str("</tbody></table></section>\n");
}
