//! What a run produces: per-scenario results with their evidence, and the events that
//! reporters consume while the run goes on.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::http::Exchange;

/// How a scenario ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every expectation held.
    #[default]
    Passed,
    /// An expectation did not hold.
    Failed,
    /// The scenario could not be carried out (the service could not be restarted, a
    /// probe could not read).
    Errored,
}

/// One expectation that did not hold.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Failure {
    /// The step (0-based) it belongs to.
    pub step: usize,
    /// What was checked: `status`, `json $.access`, `calls auth`, `logs`, `conforms`, …
    pub check: String,
    /// Expected versus actual, in words.
    pub message: String,
}

/// A call a double received, as evidence.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CallRecord {
    /// Method.
    pub method: String,
    /// Path with the query string.
    pub target: String,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Body text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// Milliseconds after the scenario's stubs were installed.
    pub at_ms: u64,
    /// How the double answered.
    pub answer: String,
}

/// Everything seen while a scenario ran, secrets masked.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// Requests sent to the service and what came back.
    pub exchanges: Vec<Exchange>,
    /// The run's fault seed (`crosscheck run --seed N` replays this scenario's schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The faults the doubles carried out, in order, with realised values:
    /// `auth call 2 (GET /validate, at 3 ms): delay 37ms (uniform 10ms–50ms)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<String>,
    /// What each double received, by dependency.
    pub doubles: IndexMap<String, Vec<CallRecord>>,
    /// Log lines written during the scenario.
    pub log_lines: Vec<String>,
    /// The service's last output, when it crashed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sut_output: Vec<String>,
    /// The toxics installed on each proxied dependency (Toxiproxy's JSON).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub toxics: IndexMap<String, Vec<serde_json::Value>>,
    /// What the SQL, metrics and messages probes read, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<String>,
}

/// One scenario's result.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario id.
    pub id: String,
    /// Its title, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The file it came from.
    pub file: String,
    /// The line of its `id`.
    pub line: u32,
    /// Requirement IDs it covers.
    pub covers: Vec<String>,
    /// Positive, negative, …
    pub kind: String,
    /// Hand, generated, llm.
    pub origin: String,
    /// How it ended.
    pub status: Status,
    /// The expectations that did not hold.
    pub failures: Vec<Failure>,
    /// What was seen.
    pub evidence: Evidence,
    /// Wall time, milliseconds.
    pub duration_ms: f64,
}

/// Totals for a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios that could not be carried out.
    pub errored: usize,
    /// Scenarios left out by a filter.
    pub skipped: usize,
    /// Wall time of the whole run, milliseconds.
    pub duration_ms: f64,
    /// Time the service took to become ready the first time, milliseconds.
    pub sut_ready_ms: f64,
}

impl Summary {
    /// True when nothing failed or errored.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// What happens during a run, in order.
#[derive(Debug)]
pub enum Event<'a> {
    /// The suite is loaded and checked.
    RunStarted {
        /// The service's name.
        sut: &'a str,
        /// How many scenarios will run.
        scenarios: usize,
    },
    /// The run's own folder (`${dir}`) exists; result files go there by default.
    RunFolder {
        /// The folder.
        path: &'a std::path::Path,
    },
    /// The build command is running.
    Building {
        /// The command.
        command: String,
    },
    /// The service answers its readiness check.
    SutReady {
        /// How long it took, milliseconds.
        elapsed_ms: f64,
    },
    /// A scenario begins.
    ScenarioStarted {
        /// Its id.
        id: &'a str,
    },
    /// A scenario ended.
    ScenarioFinished(&'a ScenarioResult),
    /// The service crashed and was started again.
    SutRestarted {
        /// Why.
        reason: String,
    },
    /// The run is over.
    RunFinished(&'a Summary),
}

/// Consumes run events: the console reporter, result files, progress bars.
pub trait Listener {
    /// Called for each event, in order.
    fn event(&mut self, event: &Event<'_>);
}
