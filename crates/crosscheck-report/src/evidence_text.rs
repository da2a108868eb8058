//! Evidence as plain text, for reports that carry text (JUnit failure bodies).

use std::fmt::Write;

use crate::results::ScenarioRecord;

/// How many characters of a body are shown.
const BODY_CHARS: usize = 2000;

/// The failures, then what was sent, what came back, what each double saw and the log
/// lines, one item per line.
pub fn describe(s: &ScenarioRecord) -> String {
    let mut out = String::new();
    for f in &s.failures {
        let _ = writeln!(out, "step {}: {}: {}", f.step + 1, f.check, f.message);
    }
    for st in &s.staged {
        let _ = writeln!(
            out,
            "staged on {}: {} → {}",
            st.dependency, st.on, st.answer
        );
    }
    for (i, ex) in s.evidence.exchanges.iter().enumerate() {
        let r = &ex.request;
        let _ = writeln!(out, "request {}: {} {}", i + 1, r.method, r.url);
        for (k, v) in &r.headers {
            let _ = writeln!(out, "  {k}: {v}");
        }
        if let Some(b) = &r.body {
            let _ = writeln!(out, "  body: {}", cut(b));
        }
        match (&ex.response, &ex.error) {
            (Some(resp), _) => {
                let _ = writeln!(
                    out,
                    "response {}: {} after {:.0} ms",
                    i + 1,
                    resp.status,
                    ex.duration_ms
                );
                for (k, v) in &resp.headers {
                    let _ = writeln!(out, "  {k}: {v}");
                }
                let _ = writeln!(out, "  body: {}", cut(&resp.body));
            }
            (None, Some(e)) => {
                let _ = writeln!(out, "response {}: none, {e}", i + 1);
            }
            (None, None) => {}
        }
        if let Some(c) = captured(ex) {
            let _ = writeln!(out, "{c}");
        }
    }
    for (dep, calls) in &s.evidence.doubles {
        if calls.is_empty() {
            let _ = writeln!(out, "{dep} received no calls");
        }
        for c in calls {
            let _ = writeln!(
                out,
                "{dep} received {} {} at {} ms: {}",
                c.method, c.target, c.at_ms, c.answer
            );
        }
    }
    if !s.evidence.schedule.is_empty() {
        let seed = s
            .evidence
            .seed
            .map(|n| format!(" (seed {n})"))
            .unwrap_or_default();
        let _ = writeln!(out, "fault schedule{seed}:");
        for l in &s.evidence.schedule {
            let _ = writeln!(out, "  {l}");
        }
    }
    if !s.evidence.log_lines.is_empty() {
        let _ = writeln!(out, "log lines:");
        for l in &s.evidence.log_lines {
            let _ = writeln!(out, "  {l}");
        }
    }
    for l in &s.evidence.sut_output {
        let _ = writeln!(out, "service output: {l}");
    }
    out
}

/// What a step captured for later steps, e.g. `captured id = 7, name = "box"`.
pub fn captured(ex: &crosscheck_run::http::Exchange) -> Option<String> {
    if ex.captured.is_empty() {
        return None;
    }
    let pairs: Vec<String> = ex
        .captured
        .iter()
        .map(|(k, v)| format!("{k} = {}", cut(&v.to_string())))
        .collect();
    Some(format!("captured {}", pairs.join(", ")))
}

/// The first failure in one line, with a count of the others.
pub fn headline(s: &ScenarioRecord) -> String {
    match s.failures.first() {
        None => String::new(),
        Some(f) => {
            let more = match s.failures.len() {
                1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            format!("{}: {}{more}", f.check, f.message)
        }
    }
}

fn cut(text: &str) -> String {
    if text.chars().count() <= BODY_CHARS {
        text.to_owned()
    } else {
        let head: String = text.chars().take(BODY_CHARS).collect();
        format!("{head}… ({} bytes)", text.len())
    }
}
