//! One self-contained HTML report: inline CSS and JavaScript, nothing fetched.
//!
//! Sections: a summary with a status bar and a duration histogram, the requirement
//! traceability matrix (uncovered requirements stand out), contract coverage
//! (operations × documented responses, dependency edges × failure modes), every failing
//! scenario with its evidence, and a filterable table of all scenarios whose rows open
//! a timeline (requests, dependency calls, staged faults, log lines). Timelines are
//! drawn by the page's script from a JSON island, which keeps a 10,000-scenario report
//! small.

mod escape;
mod plots;
mod sections;
mod timeline;

use std::fmt::Write;

use crate::results::Results;
use escape::{h, script_json};

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// How many failing scenarios are shown in full in the failures section; the rest
/// open from the scenario table.
const FAILURES_IN_FULL: usize = 300;

/// The HTML page for `results`.
pub fn render(results: &Results) -> String {
    let mut out = String::with_capacity(4096 + results.scenarios.len() * 700);
    let title = format!("crosscheck · {}", results.sut);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        h(&title)
    );
    let _ = write!(
        out,
        "<nav id=\"nav\"><strong>{}</strong> \
         <a href=\"#summary\">Summary</a> <a href=\"#traceability\">Traceability</a> \
         <a href=\"#coverage\">Coverage</a> <a href=\"#failures\">Failures</a> \
         <a href=\"#scenarios\">Scenarios</a></nav>\n<main>\n",
        h(&title)
    );
    sections::summary(&mut out, results);
    sections::traceability(&mut out, results);
    sections::coverage(&mut out, results);
    sections::failures(&mut out, results, FAILURES_IN_FULL);
    sections::scenarios(&mut out, results);
    out.push_str("</main>\n<script type=\"application/json\" id=\"cc-data\">");
    out.push_str(&script_json(&timeline::data(results)));
    let _ = write!(out, "</script>\n<script>{JS}</script>\n</body>\n</html>\n");
    out
}
