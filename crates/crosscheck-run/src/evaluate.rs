//! Checking a step's expectations against what happened. Plain functions on data.

use std::time::Duration;

use crosscheck_contract::Contract;
use crosscheck_double::RecordedRequest;
use crosscheck_model::matcher::show;
use crosscheck_model::scenario::{CallExpect, Expect, LogExpect, Request, RequestPattern};
use serde_json::Value;

use crate::http::Exchange;
use crate::outcome::Failure;

/// Checks the response-level expectations of a step: status, headers, body, JSON,
/// response time and contract conformance.
pub fn response(
    step: usize,
    req: &Request,
    then: &Expect,
    ex: &Exchange,
    contract: Option<&Contract>,
) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut fail = |check: &str, message: String| {
        out.push(Failure {
            step,
            check: check.to_owned(),
            message,
        })
    };
    let Some(resp) = &ex.response else {
        let why = ex.error.as_deref().unwrap_or("no response");
        let message = match then.within {
            Some(limit) => format!(
                "no response within {limit} (waited {:.0} ms): {why}",
                ex.duration_ms
            ),
            None => format!("no response: {why}"),
        };
        fail("response", message);
        return out;
    };
    if let Some(status) = &then.status
        && let Err(e) = status.check(Some(&Value::from(resp.status)))
    {
        let body = excerpt(&resp.body);
        fail("status", format!("{e}; the body was {body}"));
    }
    for (name, m) in &then.headers {
        if let Err(e) = m.check_str(resp.header(name)) {
            fail(&format!("header {name}"), e);
        }
    }
    if !then.json.is_empty() {
        match &resp.json {
            None => fail(
                "json",
                format!("expected a JSON body, got {}", excerpt(&resp.body)),
            ),
            Some(doc) => {
                for (path, m) in &then.json {
                    if let Err(e) = m.check(path.select(doc).as_ref()) {
                        fail(&format!("json {path}"), e);
                    }
                }
            }
        }
    }
    if let Some(m) = &then.body
        && let Err(e) = m.check_str(Some(&resp.body))
    {
        fail("body", e);
    }
    if let Some(limit) = then.within {
        let took = Duration::from_secs_f64(ex.duration_ms / 1000.0);
        if took > limit.get() {
            fail(
                "within",
                format!(
                    "the response took {:.0} ms, more than the {limit} allowed",
                    ex.duration_ms
                ),
            );
        }
    }
    if then.conforms == Some(true)
        && let Some(contract) = contract
    {
        let method = req.method.value.to_ascii_uppercase();
        match contract.find_operation(&method, &req.path.value) {
            None => fail(
                "conforms",
                format!(
                    "{method} {} is not an operation of the contract",
                    req.path.value
                ),
            ),
            Some(op) => {
                let violations = contract.check_response(
                    op,
                    resp.status,
                    resp.header("content-type"),
                    resp.body.as_bytes(),
                );
                for v in violations.iter().take(5) {
                    let at = if v.pointer.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", v.pointer)
                    };
                    fail(
                        "conforms",
                        format!(
                            "the response breaks the contract of {method} {}{at}: {}",
                            op.path, v.message
                        ),
                    );
                }
            }
        }
    }
    out
}

/// How many calls in `journal` match the expectation's method and path.
pub fn matching(exp: &CallExpect, journal: &[RecordedRequest]) -> usize {
    let pattern = RequestPattern {
        method: exp.method.clone(),
        path: exp.path.clone(),
        ..RequestPattern::default()
    };
    journal
        .iter()
        .filter(|r| crosscheck_double::request_matches(&pattern, r).is_ok())
        .count()
}

/// Checks the calls a double saw during a step.
pub fn calls(
    step: usize,
    dep: &str,
    expects: &[CallExpect],
    journal: &[RecordedRequest],
) -> Vec<Failure> {
    let mut out = Vec::new();
    for exp in expects {
        let pattern = RequestPattern {
            method: exp.method.clone(),
            path: exp.path.clone(),
            ..RequestPattern::default()
        };
        let hits: Vec<&RecordedRequest> = journal
            .iter()
            .filter(|r| crosscheck_double::request_matches(&pattern, r).is_ok())
            .collect();
        let what = format!(
            "{} {}",
            exp.method.as_deref().unwrap_or("any method"),
            exp.path.as_deref().unwrap_or("(any path)")
        );
        let window = exp
            .within
            .map(|w| format!(" within {w} of the request"))
            .unwrap_or_default();
        let seen = if journal.is_empty() {
            "it received no calls".to_owned()
        } else {
            format!(
                "it received: {}",
                journal
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let count_ok = match exp.times {
            Some(n) => hits.len() == n as usize,
            None => !hits.is_empty(),
        };
        if !count_ok {
            let want = match exp.times {
                Some(0) => "no call".to_owned(),
                Some(1) => "exactly 1 call".to_owned(),
                Some(n) => format!("exactly {n} calls"),
                None => "at least 1 call".to_owned(),
            };
            out.push(Failure {
                step,
                check: format!("calls {dep}"),
                message: format!(
                    "expected {want} to {what} on `{dep}`{window}, saw {}; {seen}",
                    hits.len()
                ),
            });
            continue;
        }
        for (i, call) in hits.iter().enumerate() {
            let mut problems = Vec::new();
            for (name, m) in &exp.headers {
                if let Err(e) = m.check_str(call.header(name)) {
                    problems.push(format!("header {name}: {e}"));
                }
            }
            for (name, m) in &exp.query {
                let v = call
                    .query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str());
                if let Err(e) = m.check_str(v) {
                    problems.push(format!("query {name}: {e}"));
                }
            }
            for (path, m) in &exp.json {
                let v = call.json.as_ref().and_then(|doc| path.select(doc));
                if let Err(e) = m.check(v.as_ref()) {
                    problems.push(format!("json {path}: {e}"));
                }
            }
            if !problems.is_empty() {
                out.push(Failure {
                    step,
                    check: format!("calls {dep}"),
                    message: format!(
                        "call {} of {} to {what} on `{dep}`: {}",
                        i + 1,
                        hits.len(),
                        problems.join("; ")
                    ),
                });
            }
        }
    }
    out
}

/// Whether a log line satisfies a log expectation. `Err` lists what differed, for the
/// closest-line report.
pub fn log_line(exp: &LogExpect, line: &str) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if let Some(part) = &exp.contains
        && !line.contains(part.as_str())
    {
        problems.push(format!(
            "does not contain {}",
            show(&Value::String(part.clone()))
        ));
    }
    if let Some(re) = &exp.regex
        && !regex::Regex::new(re).is_ok_and(|r| r.is_match(line))
    {
        problems.push(format!("does not match /{re}/"));
    }
    if !exp.fields.is_empty() {
        match serde_json::from_str::<Value>(line) {
            Ok(doc) => {
                for (path, m) in &exp.fields {
                    if let Err(e) = m.check(path.select(&doc).as_ref()) {
                        problems.push(format!("{path}: {e}"));
                    }
                }
            }
            Err(_) => problems.push("is not a JSON line".to_owned()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Describes a log expectation for messages.
pub fn describe_log(exp: &LogExpect) -> String {
    let mut parts = Vec::new();
    if !exp.fields.is_empty() {
        let fields: Vec<String> = exp
            .fields
            .iter()
            .map(|(k, m)| format!("{k}: {}", serde_json::to_string(m).unwrap_or_default()))
            .collect();
        parts.push(format!("{{{}}}", fields.join(", ")));
    }
    if let Some(c) = &exp.contains {
        parts.push(format!("containing {}", show(&Value::String(c.clone()))));
    }
    if let Some(r) = &exp.regex {
        parts.push(format!("matching /{r}/"));
    }
    parts.join(" ")
}

/// The line closest to matching (fewest differences) and what differs on it.
pub fn closest_log<'a>(exp: &LogExpect, lines: &'a [String]) -> Option<(&'a str, Vec<String>)> {
    lines
        .iter()
        .filter_map(|l| log_line(exp, l).err().map(|p| (l.as_str(), p)))
        .min_by_key(|(_, p)| p.len())
}

fn excerpt(body: &str) -> String {
    if body.is_empty() {
        return "empty".to_owned();
    }
    show(&Value::String(body.to_owned()))
}
