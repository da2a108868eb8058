//! The listener that keeps the results file up to date while a run goes on, so that a
//! run that fails, crashes or is interrupted still leaves every finished scenario on
//! disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crosscheck_run::{Event, Listener, LoadedScenario, Suite};

use crate::error::ReportError;
use crate::results::{Results, RunInfo, RunState, ScenarioRecord, now};

/// Rewrite the file after every scenario while there are at most this many...
const ALWAYS_WRITE_UP_TO: usize = 200;
/// ...and after that at most this often (a big suite would otherwise spend its time
/// rewriting a growing file).
const WRITE_EVERY: Duration = Duration::from_millis(500);

/// Writes `results.json` as scenarios finish: atomically (a temporary file renamed over
/// the old one), after each scenario, at the end, and when dropped before the end
/// (Ctrl-C), marking the run `interrupted`.
#[derive(Debug)]
pub struct ResultsWriter<'s> {
    scenarios: HashMap<&'s str, &'s LoadedScenario>,
    results: Results,
    path: Option<PathBuf>,
    explicit: bool,
    last_write: Option<Instant>,
    error: Option<ReportError>,
}

impl<'s> ResultsWriter<'s> {
    /// A writer for a run of `suite`. With `path` the file goes there; without, into
    /// the run's own folder as `results.json` once the runner has made it.
    pub fn new(
        suite: &'s Suite,
        path: Option<PathBuf>,
        filter: Option<String>,
        shard: Option<(u32, u32)>,
    ) -> Self {
        let run = RunInfo {
            id: String::new(),
            started_at: now(),
            finished_at: None,
            state: RunState::Running,
            shard: shard.map(|(k, n)| format!("{k}/{n}")),
            filter,
            suite_scenarios: suite.scenarios.len(),
            selected: 0,
            error: None,
        };
        ResultsWriter {
            scenarios: suite
                .scenarios
                .iter()
                .map(|l| (l.scenario.id.value.as_str(), l))
                .collect(),
            results: Results::begin(suite, run),
            explicit: path.is_some(),
            path,
            last_write: None,
            error: None,
        }
    }

    /// The results so far.
    pub fn results(&self) -> &Results {
        &self.results
    }

    /// Where the file is (or will be) written.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The first error met while writing, if any.
    pub fn take_error(&mut self) -> Option<ReportError> {
        self.error.take()
    }

    /// Records that the run could not go on, and writes the file.
    pub fn abort(&mut self, reason: &str) {
        let run = &mut self.results.runs[0];
        run.state = RunState::Aborted;
        run.error = Some(reason.to_owned());
        run.finished_at = Some(now());
        self.flush();
    }

    fn flush(&mut self) {
        let Some(path) = &self.path else {
            return;
        };
        self.results.recount();
        if let Err(e) = self.results.write(path) {
            self.error.get_or_insert(e);
        }
        self.last_write = Some(Instant::now());
    }
}

impl Listener for ResultsWriter<'_> {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::RunStarted { scenarios, .. } => {
                self.results.runs[0].selected = *scenarios;
            }
            Event::RunFolder { path } => {
                self.results.runs[0].id = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !self.explicit {
                    self.path = Some(path.join("results.json"));
                }
                self.flush();
            }
            Event::SutReady { elapsed_ms } => {
                if self.results.summary.sut_ready_ms == 0.0 {
                    self.results.summary.sut_ready_ms = *elapsed_ms;
                }
            }
            Event::ScenarioFinished(r) => {
                let loaded = self.scenarios.get(r.id.as_str()).copied();
                self.results.scenarios.push(ScenarioRecord::new(r, loaded));
                let due = self.results.scenarios.len() <= ALWAYS_WRITE_UP_TO
                    || self.last_write.is_none_or(|t| t.elapsed() >= WRITE_EVERY);
                if due {
                    self.flush();
                }
            }
            Event::RunFinished(summary) => {
                self.results.summary = (*summary).clone();
                let run = &mut self.results.runs[0];
                run.state = RunState::Finished;
                run.finished_at = Some(now());
                self.flush();
            }
            Event::Building { .. } | Event::ScenarioStarted { .. } | Event::SutRestarted { .. } => {
            }
        }
    }
}

impl Drop for ResultsWriter<'_> {
    fn drop(&mut self) {
        if self.results.runs[0].state == RunState::Running {
            let run = &mut self.results.runs[0];
            run.state = RunState::Interrupted;
            run.finished_at = Some(now());
            self.flush();
        }
    }
}

/// Several listeners as one: the console and the results writer both hear every event.
pub struct Tee<'a, 'b> {
    /// The listeners, in order.
    pub listeners: Vec<&'a mut (dyn Listener + 'b)>,
}

impl Listener for Tee<'_, '_> {
    fn event(&mut self, event: &Event<'_>) {
        for l in &mut self.listeners {
            l.event(event);
        }
    }
}

impl std::fmt::Debug for Tee<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tee({} listeners)", self.listeners.len())
    }
}
