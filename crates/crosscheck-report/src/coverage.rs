//! Traceability and contract coverage, computed from results alone.

use crosscheck_run::Status;
use indexmap::IndexMap;

use crate::modes::REQUIRED_MODES;
use crate::results::{Results, ScenarioRecord};

/// How well a requirement is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every covering scenario passed.
    Passing,
    /// A covering scenario failed or errored.
    Failing,
    /// No scenario covers it.
    Uncovered,
}

/// One row of the traceability matrix.
#[derive(Debug)]
pub struct RequirementRow<'r> {
    /// The requirement ID.
    pub id: &'r str,
    /// Its words.
    pub text: &'r str,
    /// The scenarios that cover it.
    pub scenarios: Vec<&'r ScenarioRecord>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Requirement → scenarios → outcome, in requirement order; then scenarios that trace to
/// no known requirement.
pub fn traceability(results: &Results) -> (Vec<RequirementRow<'_>>, Vec<&ScenarioRecord>) {
    let rows = results
        .requirements
        .iter()
        .map(|r| {
            let scenarios: Vec<&ScenarioRecord> = results
                .scenarios
                .iter()
                .filter(|s| s.covers.contains(&r.id))
                .collect();
            let verdict = if scenarios.is_empty() {
                Verdict::Uncovered
            } else if scenarios.iter().all(|s| s.status == Status::Passed) {
                Verdict::Passing
            } else {
                Verdict::Failing
            };
            RequirementRow {
                id: &r.id,
                text: &r.text,
                scenarios,
                verdict,
            }
        })
        .collect();
    let orphans = results
        .scenarios
        .iter()
        .filter(|s| {
            s.covers.is_empty()
                || !s
                    .covers
                    .iter()
                    .all(|c| results.requirements.iter().any(|r| r.id == *c))
        })
        .collect();
    (rows, orphans)
}

/// How often each documented response of an operation was seen.
#[derive(Debug)]
pub struct OperationRow {
    /// `GET /resources/{id}`.
    pub label: String,
    /// Documented status → responses seen with it.
    pub statuses: Vec<(String, usize)>,
    /// Statuses seen that the contract does not document, with counts.
    pub undocumented: Vec<(u16, usize)>,
    /// Requests sent to it.
    pub requests: usize,
}

impl OperationRow {
    /// Documented responses exercised at least once.
    pub fn exercised(&self) -> usize {
        self.statuses.iter().filter(|(_, n)| *n > 0).count()
    }
}

/// Operations × documented responses, from the requests in the evidence.
pub fn operations(results: &Results) -> Vec<OperationRow> {
    let mut rows: Vec<OperationRow> = results
        .operations
        .iter()
        .map(|o| OperationRow {
            label: o.label(),
            statuses: o.statuses.iter().map(|s| (s.clone(), 0)).collect(),
            undocumented: Vec::new(),
            requests: 0,
        })
        .collect();
    for s in &results.scenarios {
        for ex in &s.evidence.exchanges {
            let path = url_path(&ex.request.url);
            let Some(i) = results
                .operations
                .iter()
                .position(|o| o.serves(&ex.request.method, path))
            else {
                continue;
            };
            rows[i].requests += 1;
            let Some(resp) = &ex.response else { continue };
            match results.operations[i].status_key(resp.status) {
                Some(key) => {
                    if let Some(slot) = rows[i].statuses.iter_mut().find(|(k, _)| k == key) {
                        slot.1 += 1;
                    }
                }
                None => match rows[i]
                    .undocumented
                    .iter_mut()
                    .find(|(c, _)| *c == resp.status)
                {
                    Some(slot) => slot.1 += 1,
                    None => rows[i].undocumented.push((resp.status, 1)),
                },
            }
        }
    }
    rows
}

/// The path of a URL: `http://h:1/a/b?q` → `/a/b?q`.
pub fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

/// A dependency edge and the scenarios that stage each failure mode on it.
#[derive(Debug)]
pub struct EdgeRow<'r> {
    /// The dependency.
    pub dependency: &'r str,
    /// Failure mode → scenarios staging it, for every mode in [`REQUIRED_MODES`] and
    /// any other seen.
    pub modes: IndexMap<&'r str, Vec<&'r ScenarioRecord>>,
}

/// Dependency edges × failure modes.
pub fn edges(results: &Results) -> Vec<EdgeRow<'_>> {
    results
        .dependencies
        .iter()
        .map(|d| {
            let mut modes: IndexMap<&str, Vec<&ScenarioRecord>> =
                REQUIRED_MODES.iter().map(|m| (*m, Vec::new())).collect();
            for s in &results.scenarios {
                for st in s.staged.iter().filter(|st| st.dependency == d.name) {
                    for m in &st.modes {
                        let list = modes.entry(m.as_str()).or_default();
                        if !list.iter().any(|x| x.id == s.id) {
                            list.push(s);
                        }
                    }
                }
            }
            EdgeRow {
                dependency: &d.name,
                modes,
            }
        })
        .collect()
}
