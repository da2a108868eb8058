//! Log counts (`count: N`) and the log lines' place on the timeline (`name:` for
//! `order`), read after the log expectations' own window has passed.

use crosscheck_model::scenario::{LogExpect, OutputStream};
use crosscheck_probe::{LogProbe, clock};
use serde_json::Value;

use crate::effects::Seen;
use crate::evaluate;
use crate::outcome::Failure;

fn slot(e: &LogExpect) -> usize {
    match e.source {
        None => 0,
        Some(OutputStream::Stdout) => 1,
        Some(OutputStream::Stderr) => 2,
    }
}

/// `count: N`: exactly N matching lines since the scenario's mark.
pub(crate) fn counts(
    probes: &mut [Option<LogProbe>; 3],
    exps: &[LogExpect],
    step: usize,
) -> Vec<Failure> {
    let mut out = Vec::new();
    for exp in exps {
        let Some(want) = exp.count else { continue };
        let Some(probe) = probes[slot(exp)].as_mut() else {
            continue;
        };
        let Ok(lines) = probe.read() else { continue };
        let hits: Vec<&String> = lines
            .iter()
            .filter(|l| evaluate::log_line(exp, l).is_ok())
            .collect();
        if hits.len() != want as usize {
            let shown: Vec<&str> = hits.iter().take(5).map(|s| s.as_str()).collect();
            out.push(Failure {
                step,
                check: "logs".to_owned(),
                message: format!(
                    "expected exactly {want} log line(s) {}, saw {}{}",
                    evaluate::describe_log(exp),
                    hits.len(),
                    if shown.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", shown.join(" | "))
                    }
                ),
            });
        }
    }
    out
}

/// Named log expectations' first matching line, timed by its `timestamp` field (RFC
/// 3339 or epoch) or, without one, by now.
pub(crate) fn seen(probes: &mut [Option<LogProbe>; 3], exps: &[LogExpect]) -> Vec<Seen> {
    let mut out = Vec::new();
    for exp in exps {
        let (Some(name), false) = (&exp.name, exp.absent) else {
            continue;
        };
        let Some(probe) = probes[slot(exp)].as_mut() else {
            continue;
        };
        let Ok(lines) = probe.read() else { continue };
        if let Some(line) = lines.iter().find(|l| evaluate::log_line(exp, l).is_ok()) {
            let at = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|d| d.get("timestamp").and_then(clock::parse_ms))
                .unwrap_or_else(clock::now_ms);
            out.push(Seen {
                name: name.clone(),
                at_ms: at,
                what: "log line".to_owned(),
            });
        }
    }
    out
}
