//! `crosscheck audit`: the governance checklist, each item checked mechanically from
//! the suite's files (scenarios, requirements, contracts, system map), with the
//! evidence that supports the verdict and, for each gap, where it is and what to do.
//!
//! - a. the tests validate the documented interface contract;
//! - b. error scenarios reflect realistic failure modes;
//! - c. external dependencies are doubled or use dedicated test instances;
//! - d. the tests verify observable side effects;
//! - e. every test traces to a requirement and every requirement is covered;
//! - f. security controls are validated.
//!
//! It also lists scenarios proposed by an LLM (or the generator) that no person has
//! reviewed yet. Which items are required is set in `crosscheck.yaml` (`audit.required`).

mod contract;
mod facts;
mod failures;
mod isolation;
pub mod output;
mod security;
mod side_effects;
mod trace;

use crosscheck_model::system_map::{AuditConfig, AuditItem};
use crosscheck_run::Suite;
use serde::Serialize;

/// A gap found by an item, where it is, and what to do about it.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// What is missing or wrong.
    pub message: String,
    /// The file to change.
    pub file: String,
    /// The line (0 when the whole file is meant).
    pub line: u32,
    /// What to do.
    pub help: String,
}

/// One checklist item's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    /// `a` … `f`.
    pub item: &'static str,
    /// The item's words.
    pub title: &'static str,
    /// Whether a failure fails the audit.
    pub required: bool,
    /// Whether it holds.
    pub passed: bool,
    /// What was checked and found to hold.
    pub evidence: Vec<String>,
    /// What does not hold.
    pub findings: Vec<Finding>,
}

/// A scenario proposed by an LLM or the generator that nobody has reviewed.
#[derive(Clone, Debug, Serialize)]
pub struct PendingReview {
    /// Scenario id.
    pub id: String,
    /// `llm` or `generated`.
    pub origin: String,
    /// Its file.
    pub file: String,
    /// The line of its `id`.
    pub line: u32,
}

/// The whole audit.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    /// The suite, as given.
    pub suite: String,
    /// How many scenarios and requirements were read.
    pub scenarios: usize,
    /// How many requirements.
    pub requirements: usize,
    /// The items, a to f.
    pub items: Vec<ItemReport>,
    /// Scenarios awaiting review.
    pub pending_review: Vec<PendingReview>,
}

impl AuditReport {
    /// Whether every required item holds.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|i| i.passed || !i.required)
    }
}

/// Audits a loaded, valid suite.
pub fn audit(suite: &Suite, label: &str) -> AuditReport {
    let config = suite.map.audit.clone().unwrap_or_default();
    let facts = facts::Facts::new(suite);
    let items: Vec<ItemReport> = AuditItem::all()
        .into_iter()
        .map(|item| {
            let (title, evidence, findings) = match item {
                AuditItem::A => contract::check(suite, &facts),
                AuditItem::B => failures::check(suite, &facts),
                AuditItem::C => isolation::check(suite, &config),
                AuditItem::D => side_effects::check(suite, &facts),
                AuditItem::E => trace::check(suite),
                AuditItem::F => security::check(suite, &facts),
            };
            let findings: Vec<Finding> = findings
                .into_iter()
                .map(|f| Finding {
                    file: tidy(&f.file),
                    ..f
                })
                .collect();
            ItemReport {
                item: item.letter(),
                title,
                required: required(&config, item),
                passed: findings.is_empty(),
                evidence,
                findings,
            }
        })
        .collect();
    let pending_review = suite
        .scenarios
        .iter()
        .filter(|l| {
            l.scenario.origin != crosscheck_model::scenario::Origin::Hand
                && l.scenario.review != Some(crosscheck_model::scenario::Review::Reviewed)
        })
        .map(|l| PendingReview {
            id: l.scenario.id.value.clone(),
            origin: facts::label(&l.scenario.origin),
            file: l.file.clone(),
            line: l.scenario.id.line,
        })
        .collect();
    AuditReport {
        suite: label.to_owned(),
        scenarios: suite.scenarios.len(),
        requirements: suite.requirements.len(),
        items,
        pending_review,
    }
}

fn required(config: &AuditConfig, item: AuditItem) -> bool {
    config.required.contains(&item)
}

/// `a/b/../c` → `a/c`, without touching the disk, so that locations read well and code
/// hosts can match them to files.
fn tidy(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." if !parts.is_empty() => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_tidied() {
        assert_eq!(super::tidy("a/b/../../../x/y.md"), "../x/y.md");
        assert_eq!(super::tidy("t/s/../../e/r.md"), "e/r.md");
        assert_eq!(super::tidy("/abs/x/../y"), "/abs/y");
    }
}
