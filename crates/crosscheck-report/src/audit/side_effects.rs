//! d. The tests verify observable side effects: each requirement that speaks of
//! logging, storing, publishing, metrics or notifying (webhooks, callbacks) has a covering
//! scenario that asserts on that effect (and, when it says the effect must not happen,
//! asserts its absence).

use crosscheck_run::Suite;

use super::Finding;
use super::facts::{Facts, line_of};

pub const TITLE: &str = "the tests verify observable side effects";

/// Side effects, the words that name them, and whether crosscheck can assert on them.
const EFFECTS: &[(&str, &[&str])] = &[
    (
        "logging",
        &[
            "log", "logs", "logged", "logging", "audit", "audited", "audits",
        ],
    ),
    (
        "storing",
        &[
            "store",
            "stores",
            "stored",
            "persist",
            "persists",
            "persisted",
            "save",
            "saves",
            "saved",
            "database",
        ],
    ),
    (
        "publishing",
        &[
            "publish",
            "publishes",
            "published",
            "emit",
            "emits",
            "event",
            "events",
            "message",
            "queue",
        ],
    ),
    ("metrics", &["metric", "metrics", "counter", "gauge"]),
    (
        "notifying",
        &[
            "notify",
            "notifies",
            "notified",
            "notification",
            "notifications",
            "webhook",
            "webhooks",
            "callback",
            "callbacks",
        ],
    ),
];

/// Whether a requirement's words name the effect.
fn names(w: &[String], effect: &str) -> bool {
    EFFECTS
        .iter()
        .find(|(e, _)| *e == effect)
        .is_some_and(|(_, names)| w.iter().any(|x| names.contains(&x.as_str())))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

pub fn check(suite: &Suite, _facts: &Facts<'_>) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    for req in &suite.requirements {
        let w = words(&req.text);
        let negated = w.iter().any(|x| x == "never" || x == "not");
        let covering: Vec<_> = suite
            .scenarios
            .iter()
            .filter(|l| l.scenario.covers.iter().any(|c| c.value == req.id))
            .collect();
        for (effect, _) in EFFECTS {
            if !names(&w, effect) {
                continue;
            }
            // An event posted to a webhook or callback goes over HTTP, not a broker: it is
            // checked as a call on the receiving double.
            if *effect == "publishing" && names(&w, "notifying") {
                continue;
            }
            let line = line_of(suite.sources.get(&suite.requirements_file), &req.id).max(req.line);
            if *effect != "logging" {
                // Storing is asserted with `then.sql`, publishing with `then.messages`,
                // metrics with `then.metrics`, notifying with the calls a double receives
                // (for "shall never notify", `times: 0` is the assertion).
                type Asserts = fn(&crosscheck_model::scenario::Expect, bool) -> bool;
                let (key, asserts): (&str, Asserts) = match *effect {
                    "storing" => ("sql", |t, _| !t.sql.is_empty()),
                    "publishing" => ("messages", |t, _| !t.messages.is_empty()),
                    "notifying" => ("calls", |t, negated| {
                        t.calls
                            .values()
                            .flatten()
                            .any(|c| negated || c.times != Some(0))
                    }),
                    _ => ("metrics", |t, _| !t.metrics.is_empty()),
                };
                let by: Vec<&str> = covering
                    .iter()
                    .filter(|l| {
                        l.scenario
                            .steps()
                            .iter()
                            .any(|(_, t)| t.is_some_and(|t| asserts(t, negated)))
                    })
                    .map(|l| l.scenario.id.value.as_str())
                    .collect();
                if by.is_empty() {
                    findings.push(Finding {
                        message: format!("{} speaks of {effect}, and no scenario that covers it asserts on it with `then.{key}`", req.id),
                        file: suite.requirements_file.clone(),
                        line,
                        help: format!("add `then.{key}` to a scenario that covers {} (the probes are described in the README)", req.id),
                    });
                } else {
                    evidence.push(format!(
                        "{} ({effect}): asserted by {}",
                        req.id,
                        by.join(", ")
                    ));
                }
                continue;
            }
            let logs = |absent: bool| {
                covering
                    .iter()
                    .filter(|l| {
                        l.scenario.steps().iter().any(|(_, t)| {
                            t.is_some_and(|t| t.logs.iter().any(|e| e.absent == absent))
                        })
                    })
                    .map(|l| l.scenario.id.value.as_str())
                    .collect::<Vec<_>>()
            };
            let present = logs(false);
            let absent = logs(true);
            let ok = if negated {
                !absent.is_empty() || !present.is_empty()
            } else {
                !present.is_empty()
            };
            if ok {
                let by = if present.is_empty() {
                    &absent
                } else {
                    &present
                };
                evidence.push(format!(
                    "{} ({effect}): asserted by {}",
                    req.id,
                    by.join(", ")
                ));
                if negated && absent.is_empty() {
                    findings.push(Finding {
                        message: format!("{} says something must not be logged, but no covering scenario asserts a line is absent", req.id),
                        file: suite.requirements_file.clone(),
                        line,
                        help: "add a `logs` expectation with `absent: true` (e.g. `contains: <the token>`)".to_owned(),
                    });
                }
            } else {
                let which = if covering.is_empty() {
                    "no scenario covers it".to_owned()
                } else {
                    format!(
                        "none of its scenarios ({}) checks a log line",
                        covering
                            .iter()
                            .map(|l| l.scenario.id.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                findings.push(Finding {
                    message: format!("{} speaks of logging, but {which}", req.id),
                    file: suite.requirements_file.clone(),
                    line,
                    help: "add `then.logs` with the fields the requirement names (e.g. `match: { user_id: …, timestamp: { format: date-time } }`) to a scenario that covers it".to_owned(),
                });
            }
        }
    }
    if evidence.is_empty() && findings.is_empty() {
        evidence
            .push("no requirement speaks of logging, storing, publishing or metrics".to_owned());
    }
    (TITLE, evidence, findings)
}
