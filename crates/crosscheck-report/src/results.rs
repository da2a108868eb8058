//! The results file: everything a run produced, in one JSON document that every other
//! report is rendered from (`schemas/results.schema.json`).
//!
//! Besides each scenario's outcome and evidence it carries what traceability and
//! coverage need without the suite at hand: the requirements, the operations of the
//! service's contract, and each dependency's operations.

use std::path::Path;

use crosscheck_contract::{Contract, Operation};
use crosscheck_run::{
    Evidence, Failure, LoadedScenario, ScenarioResult, Status, Suite, Summary, display,
};
use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::modes;

/// The format this version writes and reads.
pub const FORMAT: &str = "crosscheck-results/1";

/// One run's results, or several runs' merged.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// Always [`FORMAT`].
    pub format: String,
    /// The crosscheck that wrote it, e.g. `crosscheck 0.1.0`.
    pub tool: String,
    /// The service under test.
    pub sut: String,
    /// The runs these results come from: one, or one per merged file.
    pub runs: Vec<RunInfo>,
    /// Totals over `scenarios`.
    pub summary: Summary,
    /// The suite's requirements, in file order.
    pub requirements: Vec<RequirementInfo>,
    /// The operations of the service's contract.
    pub operations: Vec<OperationInfo>,
    /// The service's dependencies and their contracts' operations.
    pub dependencies: Vec<DependencyInfo>,
    /// Every scenario that ran, in order.
    pub scenarios: Vec<ScenarioRecord>,
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Scenarios are still running (the file is rewritten as they finish).
    Running,
    /// Every selected scenario ran.
    Finished,
    /// The run was stopped (Ctrl-C) before the end.
    Interrupted,
    /// The run could not go on (the service did not start, …); see `error`.
    Aborted,
}

/// One run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// The run's folder name, e.g. `001764030000000-4242`.
    pub id: String,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// When it ended, if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Where it stands.
    pub state: RunState,
    /// `k/n` when the run was one shard of the suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// The scenario filter (`-k`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// How many scenarios the suite has in all.
    pub suite_scenarios: usize,
    /// How many this run selected.
    pub selected: usize,
    /// Why the run stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A requirement of the suite.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementInfo {
    /// `REQ-INT-201`.
    pub id: String,
    /// Its words.
    pub text: String,
    /// The file it is written in.
    pub file: String,
    /// Its line (0 when unknown).
    pub line: u32,
}

/// An operation of a contract.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationInfo {
    /// Upper-case method.
    pub method: String,
    /// Path template, e.g. `/resources/{id}`.
    pub path: String,
    /// `operationId`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Documented response statuses as written: `200`, `4XX`, `default`.
    pub statuses: Vec<String>,
    /// Whether it needs credentials.
    pub secured: bool,
}

impl OperationInfo {
    fn from_contract(op: &Operation) -> Self {
        OperationInfo {
            method: op.method.to_ascii_uppercase(),
            path: op.path.clone(),
            operation_id: op.id.clone(),
            statuses: op.responses.iter().map(|r| r.status.to_string()).collect(),
            secured: op.security,
        }
    }

    /// `GET /resources/{id}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether this operation serves `method` on `path` (query ignored).
    pub fn serves(&self, method: &str, path: &str) -> bool {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.method.eq_ignore_ascii_case(method)
            && crosscheck_model::path_template::matches(&self.path, path)
    }

    /// The documented status key that covers `status`: exact, then `NXX`, then `default`.
    pub fn status_key(&self, status: u16) -> Option<&str> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact.as_str(), range.as_str(), "default"]
            .into_iter()
            .find_map(|want| {
                self.statuses
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(want))
                    .map(String::as_str)
            })
    }
}

/// A dependency of the service.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependencyInfo {
    /// Its name in the system map.
    pub name: String,
    /// How it is doubled (`mock`).
    pub double: String,
    /// Its contract's operations.
    pub operations: Vec<OperationInfo>,
}

/// What one stub of a scenario staged on a dependency.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staged {
    /// The dependency.
    pub dependency: String,
    /// Which requests it answers: `GET /validate`, `any request`.
    pub on: String,
    /// What it does, in words: `reply 500`, `fault timeout (never answers)`.
    pub answer: String,
    /// The failure modes it exercises: `timeout`, `unavailable`, `malformed`, `slow`.
    pub modes: Vec<String>,
}

/// One scenario's outcome, with what traceability and coverage need.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRecord {
    /// Scenario id.
    pub id: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The file it came from.
    pub file: String,
    /// The line of its `id`.
    pub line: u32,
    /// Requirement IDs it covers.
    pub covers: Vec<String>,
    /// `positive`, `negative`, `security`, `fault`, `consistency`.
    pub kind: String,
    /// `hand`, `generated`, `llm`.
    pub origin: String,
    /// `pending` or `reviewed`, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// How it ended.
    pub status: Status,
    /// The expectations that did not hold.
    pub failures: Vec<Failure>,
    /// What the dependencies' stubs staged.
    pub staged: Vec<Staged>,
    /// What was seen, secrets masked.
    pub evidence: Evidence,
    /// Wall time, milliseconds.
    pub duration_ms: f64,
}

impl ScenarioRecord {
    /// The record of `result`, with the staging and review state of its scenario.
    pub fn new(result: &ScenarioResult, loaded: Option<&LoadedScenario>) -> Self {
        let mut staged = Vec::new();
        let mut review = None;
        if let Some(l) = loaded {
            review = l.scenario.review.map(|r| label(&r));
            for (dep, stubs) in &l.scenario.given {
                for stub in stubs {
                    let (answer, modes) = modes::classify(stub);
                    staged.push(Staged {
                        dependency: dep.value.clone(),
                        on: modes::on_label(stub),
                        answer,
                        modes: modes.into_iter().map(str::to_owned).collect(),
                    });
                }
            }
        }
        ScenarioRecord {
            id: result.id.clone(),
            title: result.title.clone(),
            file: result.file.clone(),
            line: result.line,
            covers: result.covers.clone(),
            kind: result.kind.clone(),
            origin: result.origin.clone(),
            review,
            status: result.status,
            failures: result.failures.clone(),
            staged,
            evidence: result.evidence.clone(),
            duration_ms: result.duration_ms,
        }
    }
}

fn label<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn operations(contract: Option<&Contract>) -> Vec<OperationInfo> {
    contract
        .map(|c| {
            c.operations
                .iter()
                .map(OperationInfo::from_contract)
                .collect()
        })
        .unwrap_or_default()
}

/// The time now, RFC 3339 in UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Results {
    /// Empty results for a run of `suite` that is about to start.
    pub fn begin(suite: &Suite, run: RunInfo) -> Self {
        Results {
            format: FORMAT.to_owned(),
            tool: format!("crosscheck {}", env!("CARGO_PKG_VERSION")),
            sut: suite.map.sut.name.clone(),
            runs: vec![run],
            summary: Summary::default(),
            requirements: suite
                .requirements
                .iter()
                .map(|r| RequirementInfo {
                    id: r.id.clone(),
                    text: r.text.clone(),
                    file: suite.requirements_file.clone(),
                    line: r.line,
                })
                .collect(),
            operations: operations(suite.sut_contract.as_ref()),
            dependencies: suite
                .map
                .dependencies
                .iter()
                .map(|(name, dep)| DependencyInfo {
                    name: name.value.clone(),
                    double: label(&dep.double),
                    operations: operations(suite.dep_contracts.get(&name.value)),
                })
                .collect(),
            scenarios: Vec::new(),
        }
    }

    /// Sets the totals from the scenarios (the wall times are kept).
    pub fn recount(&mut self) {
        let count = |s: Status| self.scenarios.iter().filter(|r| r.status == s).count();
        self.summary.passed = count(Status::Passed);
        self.summary.failed = count(Status::Failed);
        self.summary.errored = count(Status::Errored);
        let total = self
            .runs
            .iter()
            .map(|r| r.suite_scenarios)
            .max()
            .unwrap_or(0);
        self.summary.skipped = total.saturating_sub(self.scenarios.len());
    }

    /// Whether every scenario passed and every run finished.
    pub fn ok(&self) -> bool {
        self.summary.ok() && self.runs.iter().all(|r| r.state == RunState::Finished)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the JSON atomically: to a temporary file beside `path`, then renamed over
    /// it, so a reader (or a crash) never sees half a file.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a results file.
    pub fn read(path: &Path) -> Result<Results, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        Results::parse(path, &text)
    }

    /// Parses a results file's text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Results, ReportError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| parse_error(path, &e))?;
        let found = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if found != FORMAT {
            return Err(ReportError::Format {
                path: path.to_owned(),
                found: if found.is_empty() {
                    "(none)".to_owned()
                } else {
                    found.to_owned()
                },
                expected: FORMAT,
            });
        }
        serde_json::from_str(text).map_err(|e| parse_error(path, &e))
    }

    /// Merges the results of several runs of one suite (say, its shards) into one. A
    /// scenario may appear in only one of them.
    pub fn merge(parts: Vec<(String, Results)>) -> Result<Results, ReportError> {
        let mut iter = parts.into_iter();
        let Some((first_name, mut merged)) = iter.next() else {
            return Err(ReportError::Merge("no results files were given".to_owned()));
        };
        let mut seen: std::collections::HashMap<String, String> = merged
            .scenarios
            .iter()
            .map(|s| (s.id.clone(), first_name.clone()))
            .collect();
        for (name, part) in iter {
            if part.sut != merged.sut {
                return Err(ReportError::Merge(format!(
                    "{name} is a run of `{}`, but {first_name} is a run of `{}`",
                    part.sut, merged.sut
                )));
            }
            for s in &part.scenarios {
                if let Some(other) = seen.insert(s.id.clone(), name.clone()) {
                    return Err(ReportError::Merge(format!(
                        "scenario `{}` is in both {other} and {name}",
                        s.id
                    )));
                }
            }
            for r in part.requirements {
                if !merged.requirements.iter().any(|m| m.id == r.id) {
                    merged.requirements.push(r);
                }
            }
            for o in part.operations {
                if !merged.operations.iter().any(|m| m.label() == o.label()) {
                    merged.operations.push(o);
                }
            }
            for d in part.dependencies {
                if !merged.dependencies.iter().any(|m| m.name == d.name) {
                    merged.dependencies.push(d);
                }
            }
            merged.summary.duration_ms = merged.summary.duration_ms.max(part.summary.duration_ms);
            merged.summary.sut_ready_ms =
                merged.summary.sut_ready_ms.max(part.summary.sut_ready_ms);
            merged.runs.extend(part.runs);
            merged.scenarios.extend(part.scenarios);
        }
        merged.recount();
        Ok(merged)
    }
}

fn parse_error(path: &Path, e: &serde_json::Error) -> ReportError {
    ReportError::Parse {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".to_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// A path for messages.
pub fn shown(path: &Path) -> String {
    display(path)
}
