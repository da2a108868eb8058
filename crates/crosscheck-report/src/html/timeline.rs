//! The per-scenario timeline data the page's script draws: what happened when, from
//! the moment the scenario's stubs were installed.

use serde_json::{Value, json};

use crate::coverage::url_path;
use crate::results::Results;

/// How many characters of a body or log line the timeline keeps.
const TEXT_CHARS: usize = 160;
/// ...and for a scenario that passed (its evidence matters less).
const PASSED_CHARS: usize = 90;

/// `[[events, failures]]`, one per scenario in order (the order of the table's rows),
/// each event `[at_ms, lane, text, duration_ms]`. Lanes: `sut` (requests to the service), a dependency's name
/// (calls it received; stubs staged on it at 0), `log` (lines read, at the end).
pub fn data(results: &Results) -> String {
    let list: Vec<Value> = results
        .scenarios
        .iter()
        .map(|s| {
            let limit = if s.status == crosscheck_run::Status::Passed {
                PASSED_CHARS
            } else {
                TEXT_CHARS
            };
            let cut = |t: &str| cut(t, limit);
            let mut ev: Vec<Value> = Vec::new();
            for st in &s.staged {
                ev.push(json!([
                    0,
                    st.dependency,
                    format!("stub {} → {}", st.on, st.answer),
                    0
                ]));
            }
            let mut end: f64 = 0.0;
            for ex in &s.evidence.exchanges {
                let r = &ex.request;
                let what = match (&ex.response, &ex.error) {
                    (Some(resp), _) => {
                        format!("→ {} {}", resp.status, cut(&resp.body))
                    }
                    (None, Some(e)) => format!("→ no response: {e}"),
                    (None, None) => String::new(),
                };
                ev.push(json!([
                    round(ex.at_ms),
                    "sut",
                    format!("{} {} {what}", r.method, url_path(&r.url)),
                    round(ex.duration_ms)
                ]));
                end = end.max(ex.at_ms + ex.duration_ms);
            }
            for (dep, calls) in &s.evidence.doubles {
                for c in calls {
                    ev.push(json!([
                        c.at_ms,
                        dep,
                        format!("{} {}: {}", c.method, c.target, c.answer),
                        0
                    ]));
                    end = end.max(c.at_ms as f64);
                }
            }
            for l in &s.evidence.log_lines {
                ev.push(json!([round(end), "log", cut(l), 0]));
            }
            for l in &s.evidence.sut_output {
                ev.push(json!([round(end), "output", cut(l), 0]));
            }
            let fail: Vec<String> = s
                .failures
                .iter()
                .map(|f| format!("step {}: {}: {}", f.step + 1, f.check, f.message))
                .collect();
            json!([ev, fail])
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_owned())
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let head: String = text.chars().take(limit).collect();
        format!("{head}…")
    }
}
