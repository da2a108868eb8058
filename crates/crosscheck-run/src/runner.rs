//! The run: start the doubles and the service, carry out each scenario in isolation,
//! evaluate, and tell the listeners.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crosscheck_double::{MockServer, Outcome, RecordedRequest};
use crosscheck_model::located::Located;
use crosscheck_model::scenario::{CallExpect, LogExpect, OutputStream, Scenario};
use crosscheck_probe::{LogProbe, LogSource};
use indexmap::IndexMap;

use crate::error::RunError;
use crate::evaluate;
use crate::http;
use crate::outcome::{
    CallRecord, Event, Evidence, Failure, Listener, ScenarioResult, Status, Summary,
};
use crate::redact::Redactor;
use crate::suite::{LoadedScenario, Suite, display};
use crate::sut::{SutProcess, SutSpec, describe_status};
use crate::vars::Vars;

/// Default wait for a log line to appear.
const LOG_WITHIN: Duration = Duration::from_secs(1);
/// Default watch for a log line that must not appear.
const ABSENT_WITHIN: Duration = Duration::from_millis(100);
/// Slack added to `within` before the runner gives up on a response.
const WITHIN_SLACK: Duration = Duration::from_millis(1000);

/// Choices for a run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Run only scenarios whose id contains this text.
    pub filter: Option<String>,
    /// Skip `sut.build`.
    pub no_build: bool,
    /// Run only this shard of the suite: `(k, n)`, 1 ≤ k ≤ n (see [`crate::shard`]).
    pub shard: Option<(u32, u32)>,
    /// Seeds the doubles' random faults; each scenario and dependency draws from its own
    /// source derived from it (see [`crate::schedule::seed_for`]).
    pub seed: u64,
}

/// Runs the suite and reports to `listener`. `Ok` carries the totals whatever the
/// scenarios' outcomes; `Err` means the run could not happen.
pub async fn run(
    suite: &Suite,
    opts: &RunOptions,
    listener: &mut dyn Listener,
) -> Result<Summary, RunError> {
    let problems = crate::validate::validate(suite);
    if !problems.is_empty() {
        return Err(RunError::Suite(problems));
    }
    let started = Instant::now();
    let selected: Vec<&LoadedScenario> = suite
        .scenarios
        .iter()
        .filter(|s| {
            opts.filter
                .as_ref()
                .is_none_or(|f| s.scenario.id.value.contains(f.as_str()))
                && opts
                    .shard
                    .is_none_or(|(k, n)| crate::shard::in_shard(&s.scenario.id.value, k, n))
        })
        .collect();
    let mut summary = Summary {
        skipped: suite.scenarios.len() - selected.len(),
        ..Summary::default()
    };
    listener.event(&Event::RunStarted {
        sut: &suite.map.sut.name,
        scenarios: selected.len(),
    });

    let run_dir = prepare_run_dir(&suite.root)?;
    listener.event(&Event::RunFolder { path: &run_dir });
    let mut client = http_client()?;

    let mut doubles: IndexMap<String, MockServer> = IndexMap::new();
    for (name, dep) in &suite.map.dependencies {
        if dep.double == crosscheck_model::system_map::DoubleKind::Proxy {
            continue; // started by `proxies::start` below
        }
        let mock = MockServer::start(&name.value)
            .await
            .map_err(|e| RunError::Double {
                name: name.value.clone(),
                reason: e.to_string(),
            })?;
        doubles.insert(name.value.clone(), mock);
    }

    let mut vars = Vars::default();
    vars.set("dir", run_dir.display().to_string());
    vars.set("root", absolute(&suite.root).display().to_string());
    for (name, mock) in &doubles {
        vars.set(format!("deps.{name}.url"), mock.url());
        vars.set(format!("deps.{name}.port"), mock.port().to_string());
    }
    let proxies = crate::proxies::start(suite, &vars).await?;
    for (name, proxy) in &proxies {
        vars.set(format!("deps.{name}.url"), proxy.url());
        vars.set(format!("deps.{name}.port"), proxy.port().to_string());
    }
    let spec = sut_spec(suite, &mut vars)?;

    if !opts.no_build && !suite.map.sut.build.is_empty() {
        build(suite, &vars, &spec.cwd, listener).await?;
    }

    let ready_started = Instant::now();
    let mut sut = SutProcess::start(&spec, &client).await?;
    summary.sut_ready_ms = ready_started.elapsed().as_secs_f64() * 1000.0;
    listener.event(&Event::SutReady {
        elapsed_ms: summary.sut_ready_ms,
    });

    let log_file = match &suite.map.sut.logs {
        Some(l) => Some(
            vars.expand(&l.file)
                .map_err(|e| RunError::Config(format!("in `sut.logs.file`: {e}")))?,
        ),
        None => None,
    };

    let effects = crate::effects::Effects::connect(
        expand_opt(
            &vars,
            "sut.database.url",
            suite.map.sut.database.as_ref().map(|d| &d.url),
        )?,
        expand_opt(
            &vars,
            "sut.metrics.get",
            suite.map.sut.metrics.as_ref().map(|m| &m.get),
        )?
        .map(|get| metrics_url(&spec.url, &get)),
        expand_opt(
            &vars,
            "sut.broker.url",
            suite.map.sut.broker.as_ref().map(|b| &b.url),
        )?,
        &suite.map.sut,
    )
    .await;

    let mut restart_error: Option<String> = None;
    for loaded in selected {
        listener.event(&Event::ScenarioStarted {
            id: &loaded.scenario.id.value,
        });
        let mut result = if let Some(err) = &restart_error {
            errored(
                loaded,
                format!("not run: the service could not be restarted ({err})"),
            )
        } else {
            let logs = Logs {
                main: log_file.as_deref().map(|file| log_source(file, &sut)),
                stdout: sut.stdout.clone(),
                stderr: sut.stderr.clone(),
            };
            match crate::proxies::install(&proxies, &loaded.scenario).await {
                Ok(toxics) => {
                    let mut r = run_scenario(
                        suite, loaded, &spec, &client, &doubles, logs, &effects, opts.seed,
                    )
                    .await;
                    r.evidence.toxics = toxics;
                    r
                }
                Err(e) => errored(loaded, e),
            }
        };
        crate::proxies::clear(&proxies).await;
        crate::refusing::restore(&doubles).await;
        let lost_connection = result
            .evidence
            .exchanges
            .iter()
            .any(|e| e.response.is_none());
        if restart_error.is_none()
            && let Some(status) = exited_after(&mut sut, lost_connection).await
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let output = sut.last_output(30);
            result.status = Status::Failed;
            result.failures.push(Failure {
                step: 0,
                check: "service".to_owned(),
                message: format!(
                    "{} exited with {} during the scenario",
                    spec.name,
                    describe_status(status)
                ),
            });
            result.evidence.sut_output = Redactor::default().value(&output);
            let reason = format!("{} exited with {}", spec.name, describe_status(status));
            // Pooled connections went to the dead process.
            client = http_client()?;
            match SutProcess::start(&spec, &client).await {
                Ok(new) => {
                    sut = new;
                    listener.event(&Event::SutRestarted { reason });
                }
                Err(e) => restart_error = Some(e.to_string()),
            }
        }
        match result.status {
            Status::Passed => summary.passed += 1,
            Status::Failed => summary.failed += 1,
            Status::Errored => summary.errored += 1,
        }
        listener.event(&Event::ScenarioFinished(&result));
    }

    sut.stop().await;
    for (_, mock) in doubles {
        mock.shutdown().await;
    }
    summary.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    listener.event(&Event::RunFinished(&summary));
    Ok(summary)
}

// One scenario needs each of these; bundling them would only move the list elsewhere.
#[allow(clippy::too_many_arguments)]
async fn run_scenario(
    suite: &Suite,
    loaded: &LoadedScenario,
    spec: &SutSpec,
    client: &reqwest::Client,
    doubles: &IndexMap<String, MockServer>,
    logs: Logs,
    effects: &crate::effects::Effects,
    seed: u64,
) -> ScenarioResult {
    let started = Instant::now();
    let s = &loaded.scenario;
    let mut redactor = Redactor::default();
    for (req, _) in s.steps() {
        redactor.learn_headers(req.headers.iter());
    }

    for (name, mock) in doubles {
        let stubs = s
            .given
            .iter()
            .find(|(k, _)| k.value == *name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        mock.install_seeded(stubs, crate::schedule::seed_for(seed, &s.id.value, name));
    }
    let (refused, refuse_errors) = crate::refusing::apply(doubles, s).await;
    let installed = Instant::now();
    let installed_ms = crosscheck_probe::clock::now_ms();
    let mut probes = [
        logs.main.map(LogProbe::new),
        Some(LogProbe::new(LogSource::Captured(logs.stdout))),
        Some(LogProbe::new(LogSource::Captured(logs.stderr))),
    ];
    let mut failures: Vec<Failure> = Vec::new();
    let mut errors: Vec<String> = refuse_errors;
    for p in probes.iter_mut().flatten() {
        if let Err(e) = p.mark() {
            errors.push(e.to_string());
        }
    }
    if let Some(seed) = &s.seed {
        errors.extend(effects.seed(seed).await);
    }
    let mut effect_lines: Vec<String> = Vec::new();

    let mut exchanges = Vec::new();
    let mut journal_marks: IndexMap<&str, usize> =
        doubles.keys().map(|k| (k.as_str(), 0)).collect();
    let mut captured = crate::sequence::Captured::new(&spec.deps);
    let total_steps = s.steps().len();
    for (step, (req, then)) in s.steps().into_iter().enumerate() {
        let failed_before = failures.len() + errors.len();
        let req = match captured.request(step, req, &spec.url) {
            Ok(r) => r,
            Err(f) => {
                failures.push(f);
                break;
            }
        };
        let req = &req;
        redactor.learn_headers(req.headers.iter());
        let timeout = then
            .and_then(|t| t.within)
            .map(|w| w.get() + WITHIN_SLACK)
            .unwrap_or(suite.map.sut.request_timeout.get());
        let before = effects.before(then, &mut errors).await;
        let sent_at = installed.elapsed().as_secs_f64() * 1000.0;
        let sent = Instant::now();
        let mut ex = http::send(client, &spec.url, req, timeout).await;
        ex.at_ms = sent_at;
        if let Some(then) = then {
            failures.extend(evaluate::response(
                step,
                req,
                then,
                &ex,
                suite.sut_contract.as_ref(),
            ));
            if !then.calls.is_empty() {
                await_calls(doubles, &then.calls, &journal_marks, sent).await;
                settle(doubles).await;
            }
            for (dep, expects) in &then.calls {
                if let Some(mock) = doubles.get(&dep.value) {
                    let journal = mock.journal();
                    let from = journal_marks
                        .get(dep.value.as_str())
                        .copied()
                        .unwrap_or(0)
                        .min(journal.len());
                    failures.extend(evaluate::calls(step, &dep.value, expects, &journal[from..]));
                }
            }
            if !then.logs.is_empty() {
                let (f, e) = check_logs(&mut probes, &then.logs, step).await;
                failures.extend(f);
                errors.extend(e);
            }
            let mut checked = effects.check(step, then, &before).await;
            checked
                .failures
                .extend(crate::effects_logs::counts(&mut probes, &then.logs, step));
            failures.extend(checked.failures);
            errors.extend(checked.errors);
            effect_lines.extend(checked.evidence);
            if !then.order.is_empty() {
                let mut seen = checked.seen.clone();
                seen.extend(crate::effects_logs::seen(&mut probes, &then.logs));
                for (dep, mock) in doubles {
                    let from = journal_marks.get(dep.as_str()).copied().unwrap_or(0);
                    if let Some(call) = mock.journal().get(from) {
                        seen.push(crate::effects::Seen {
                            name: dep.clone(),
                            at_ms: installed_ms + call.at_ms as f64,
                            what: format!("call {} {}", call.method, call.path),
                        });
                    }
                }
                let order: Vec<String> = then
                    .order
                    .iter()
                    .map(|o| o.value.clone())
                    .filter(|n| !checked.unchecked.contains(n))
                    .collect();
                failures.extend(crate::effects::check_order(step, &order, &seen));
            }
        }
        for (name, mock) in doubles {
            journal_marks.insert(name.as_str(), mock.journal().len());
        }
        if let Some(caps) = s.captures_at(step) {
            failures.extend(captured.take(step, caps, &mut ex, &mut redactor));
        }
        exchanges.push(ex);
        if total_steps > 1
            && step + 1 < total_steps
            && failures.len() + errors.len() > failed_before
        {
            failures.push(crate::sequence::stopped(step, total_steps, req));
            break;
        }
    }

    let doubles_seen: IndexMap<String, Vec<CallRecord>> = doubles
        .iter()
        .map(|(name, mock)| {
            (
                name.clone(),
                mock.journal().iter().map(call_record).collect(),
            )
        })
        .collect();
    let log_lines = match probes[0].as_mut() {
        Some(p) => p.read().map(<[String]>::to_vec).unwrap_or_default(),
        None => Vec::new(),
    };
    let status = if !errors.is_empty() {
        Status::Errored
    } else if failures.is_empty() {
        Status::Passed
    } else {
        Status::Failed
    };
    for e in errors {
        failures.push(Failure {
            step: 0,
            check: "probe".to_owned(),
            message: e,
        });
    }
    let mut schedule = refused;
    schedule.extend(crate::schedule::realised(doubles));
    let evidence = Evidence {
        exchanges,
        seed: (!doubles.is_empty()).then_some(seed),
        schedule,
        doubles: doubles_seen,
        log_lines,
        sut_output: Vec::new(),
        effects: effect_lines,
        ..Evidence::default()
    };
    ScenarioResult {
        id: s.id.value.clone(),
        title: s.title.clone(),
        file: loaded.file.clone(),
        line: s.id.line,
        covers: s.covers.iter().map(|c| c.value.clone()).collect(),
        kind: label(&s.kind),
        origin: label(&s.origin),
        status,
        failures: redactor.value(&failures),
        evidence: redactor.value(&evidence),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The service's exit status if it has exited. When a request lost its connection the
/// process may be dying right now, so give it a moment to be reaped.
async fn exited_after(
    sut: &mut SutProcess,
    lost_connection: bool,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now()
        + if lost_connection {
            Duration::from_millis(300)
        } else {
            Duration::ZERO
        };
    loop {
        if let Some(status) = sut.exited() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits, for each call expectation with `within`, until its calls have arrived (as many
/// as `times` asks, else at least one) or its window, counted from `sent`, is over; with
/// `times: 0`, for the whole window. Wakes when a double journals a request, so a call is
/// seen as it arrives.
async fn await_calls(
    doubles: &IndexMap<String, MockServer>,
    calls: &IndexMap<Located<String>, Vec<CallExpect>>,
    marks: &IndexMap<&str, usize>,
    sent: Instant,
) {
    let waits: Vec<(&MockServer, usize, &CallExpect, Instant)> = calls
        .iter()
        .filter_map(|(dep, expects)| {
            let mock = doubles.get(&dep.value)?;
            let from = marks.get(dep.value.as_str()).copied().unwrap_or(0);
            Some(
                expects
                    .iter()
                    .filter_map(move |e| e.within.map(|w| (mock, from, e, sent + w.get()))),
            )
        })
        .flatten()
        .collect();
    if waits.is_empty() {
        return;
    }
    loop {
        // Listen before reading the journals, so no call slips in between.
        let mut grew: Vec<_> = waits
            .iter()
            .map(|(mock, ..)| Box::pin(mock.journal_grew()))
            .collect();
        for g in &mut grew {
            g.as_mut().enable();
        }
        let now = Instant::now();
        let pending = waits.iter().filter(|(mock, from, exp, until)| {
            if now >= *until {
                return false;
            }
            let journal = mock.journal();
            let n = evaluate::matching(exp, &journal[(*from).min(journal.len())..]);
            match exp.times {
                Some(0) => true,
                Some(t) => n < t as usize,
                None => n == 0,
            }
        });
        let Some(next) = pending.map(|(.., until)| *until).min() else {
            return;
        };
        tokio::select! {
            _ = futures_util::future::select_all(grew) => {}
            _ = tokio::time::sleep_until(next.into()) => {}
        }
    }
}

/// Waits until no double has received a new call for 30 ms (at most 500 ms), so that
/// "exactly once" also sees a late second call.
async fn settle(doubles: &IndexMap<String, MockServer>) {
    let deadline = Instant::now() + Duration::from_millis(500);
    let count = || doubles.values().map(|m| m.journal().len()).sum::<usize>();
    let mut last = count();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let now = count();
        if now == last {
            return;
        }
        last = now;
    }
}

/// Evaluates a step's log expectations together: one polling loop whose length is the
/// longest window, not the sum. A line that must appear passes as soon as it does; a
/// line that must not appear is watched for its whole window.
async fn check_logs(
    probes: &mut [Option<LogProbe>; 3],
    exps: &[LogExpect],
    step: usize,
) -> (Vec<Failure>, Vec<String>) {
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut errors = Vec::new();
    let window = |e: &LogExpect| {
        e.within
            .map(|w| w.get())
            .unwrap_or(if e.absent { ABSENT_WITHIN } else { LOG_WITHIN })
    };
    let slot = |e: &LogExpect| match e.source {
        None => 0,
        Some(OutputStream::Stdout) => 1,
        Some(OutputStream::Stderr) => 2,
    };
    let mut pending: Vec<&LogExpect> = exps.iter().filter(|e| probes[slot(e)].is_some()).collect();
    let mut pause = Duration::from_millis(5);
    while !pending.is_empty() {
        let elapsed = started.elapsed();
        let mut still = Vec::new();
        for exp in pending {
            let Some(probe) = probes[slot(exp)].as_mut() else {
                continue;
            };
            let missing = probe.missing_file().map(Path::to_path_buf);
            let lines = match probe.read() {
                Ok(l) => l,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            let hit = lines
                .iter()
                .find(|l| evaluate::log_line(exp, l).is_ok())
                .cloned();
            let what = evaluate::describe_log(exp);
            let fail = |message: String| Failure {
                step,
                check: "logs".to_owned(),
                message,
            };
            let over = elapsed >= window(exp);
            match (exp.absent, hit) {
                (false, Some(_)) => {}
                (true, Some(line)) => failures.push(fail(format!(
                    "expected no log line {what}, but one was written: {line}"
                ))),
                (true, None) if over => {}
                (false, None) if over && lines.is_empty() && missing.is_some() => {
                    errors.push(format!(
                        "log probe: no log line {what} within {}: the log file {} does not exist \
                         (it was not created during the scenario); check `sut.logs.file` and \
                         where the service writes its log",
                        humantime::format_duration(window(exp)),
                        missing
                            .as_deref()
                            .map(Path::display)
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ));
                }
                (false, None) if over => {
                    let detail = match evaluate::closest_log(exp, lines) {
                        _ if lines.is_empty() => {
                            "no log lines were written during the scenario".to_owned()
                        }
                        Some((line, problems)) => {
                            format!(
                                "the closest of {} line(s) was {line}: {}",
                                lines.len(),
                                problems.join("; ")
                            )
                        }
                        None => format!("{} line(s) were written", lines.len()),
                    };
                    let within = humantime::format_duration(window(exp));
                    failures.push(fail(format!(
                        "no log line {what} within {within}; {detail}"
                    )));
                }
                _ => still.push(exp),
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
    (failures, errors)
}

fn call_record(r: &RecordedRequest) -> CallRecord {
    let target = if r.query.is_empty() {
        r.path.clone()
    } else {
        let q: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}?{}", r.path, q.join("&"))
    };
    let answer = match &r.outcome {
        Outcome::Replied { status } => format!("replied {status}"),
        Outcome::Fault { fault, status } => match status {
            Some(s) => format!("fault {fault}, then {s}"),
            None => format!("fault {fault}"),
        },
        Outcome::Unmatched => "no stub matched: 404".to_owned(),
    };
    // The double's own account: the realised delay of a fault, the contract violations it
    // answered, or the nearest stub when none matched.
    let answer = match &r.note {
        Some(note) => format!("{answer} ({note})"),
        None => answer,
    };
    CallRecord {
        method: r.method.clone(),
        target,
        headers: r.headers.clone(),
        body: r.body.clone(),
        at_ms: r.at_ms,
        answer,
    }
}

fn errored(loaded: &LoadedScenario, message: String) -> ScenarioResult {
    let s: &Scenario = &loaded.scenario;
    ScenarioResult {
        id: s.id.value.clone(),
        title: s.title.clone(),
        file: loaded.file.clone(),
        line: s.id.line,
        covers: s.covers.iter().map(|c| c.value.clone()).collect(),
        kind: label(&s.kind),
        origin: label(&s.origin),
        status: Status::Errored,
        failures: vec![Failure {
            step: 0,
            check: "service".to_owned(),
            message,
        }],
        ..ScenarioResult::default()
    }
}

fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The logs a scenario can read.
struct Logs {
    /// The log named by `sut.logs`.
    main: Option<LogSource>,
    /// The service's stdout.
    stdout: crosscheck_probe::SharedLines,
    /// The service's stderr.
    stderr: crosscheck_probe::SharedLines,
}

fn expand_opt(vars: &Vars, key: &str, v: Option<&String>) -> Result<Option<String>, RunError> {
    v.map(|t| {
        vars.expand(t)
            .map_err(|e| RunError::Config(format!("in `{key}`: {e}")))
    })
    .transpose()
}

/// `sut.metrics.get`: a full URL, or a path below the service's URL.
fn metrics_url(base: &str, get: &str) -> String {
    if get.contains("://") {
        get.to_owned()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            get.trim_start_matches('/')
        )
    }
}

fn log_source(file: &str, sut: &SutProcess) -> LogSource {
    match file {
        "stdout" => LogSource::Captured(sut.stdout.clone()),
        "stderr" => LogSource::Captured(sut.stderr.clone()),
        path => LogSource::File(PathBuf::from(path)),
    }
}

fn sut_spec(suite: &Suite, vars: &mut Vars) -> Result<SutSpec, RunError> {
    let sut = &suite.map.sut;
    let needs_port = sut.url.contains("${port}")
        || sut.env.values().any(|v| v.contains("${port}"))
        || sut.start.value.iter().any(|a| a.contains("${port}"));
    if needs_port {
        vars.set("port", free_port()?.to_string());
    }
    let url = vars
        .expand(&sut.url)
        .map_err(|e| RunError::Config(format!("in `sut.url`: {e}")))?;
    if !needs_port {
        check_port_free(&url, &sut.name)?;
    }
    vars.set("url", url.clone());
    let argv = sut
        .start
        .value
        .iter()
        .map(|a| vars.expand(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RunError::Config(format!("in `sut.start`: {e}")))?;
    let mut env = BTreeMap::new();
    for (k, v) in &sut.env {
        env.insert(
            k.clone(),
            vars.expand(v)
                .map_err(|e| RunError::Config(format!("in `sut.env.{k}`: {e}")))?,
        );
    }
    let cwd = absolute(
        &sut.cwd
            .as_ref()
            .map_or(suite.root.clone(), |c| suite.root.join(c)),
    );
    Ok(SutSpec {
        name: sut.name.clone(),
        argv,
        cwd,
        env,
        url,
        ready_path: sut.ready.get.clone(),
        ready_timeout: sut.ready.timeout.get(),
        deps: vars.with_prefix("deps."),
    })
}

async fn build(
    suite: &Suite,
    vars: &Vars,
    cwd: &Path,
    listener: &mut dyn Listener,
) -> Result<(), RunError> {
    let argv = suite
        .map
        .sut
        .build
        .iter()
        .map(|a| vars.expand(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RunError::Config(format!("in `sut.build`: {e}")))?;
    let command = argv.join(" ");
    listener.event(&Event::Building {
        command: command.clone(),
    });
    let Some((program, args)) = argv.split_first() else {
        return Ok(());
    };
    let out = tokio::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| RunError::Build {
            command: command.clone(),
            status: format!("an error: {e}"),
            output: Vec::new(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    Err(RunError::Build {
        command,
        status: describe_status(out.status),
        output: lines[lines.len().saturating_sub(30)..].to_vec(),
    })
}

fn http_client() -> Result<reqwest::Client, RunError> {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| RunError::Config(format!("cannot build the HTTP client: {e}")))
}

fn free_port() -> Result<u16, RunError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| RunError::Io {
            path: "127.0.0.1:0".to_owned(),
            reason: format!("cannot find a free port: {e}"),
        })
}

fn check_port_free(url: &str, name: &str) -> Result<(), RunError> {
    let Some(port) = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .and_then(|host| host.rsplit_once(':'))
        .and_then(|(_, p)| p.parse::<u16>().ok())
    else {
        return Ok(());
    };
    match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(RunError::PortInUse {
            port,
            what: name.to_owned(),
        }),
        Err(_) => Ok(()),
    }
}

/// How many run folders are kept under `.crosscheck/runs`.
const KEPT_RUNS: usize = 20;

/// A fresh folder for this run's files (`${dir}`), unique even when several runs of the
/// same suite go on at once: `.crosscheck/runs/<UTC time>-<pid>`. Older runs beyond the
/// newest twenty are removed.
fn prepare_run_dir(root: &Path) -> Result<PathBuf, RunError> {
    let runs = absolute(&root.join(".crosscheck").join("runs"));
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let dir = runs.join(format!("{stamp:015}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| RunError::Io {
        path: display(&dir),
        reason: e.to_string(),
    })?;
    if let Ok(entries) = std::fs::read_dir(&runs) {
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        names.sort();
        let excess = names.len().saturating_sub(KEPT_RUNS);
        for old in names.into_iter().take(excess) {
            let _ = std::fs::remove_dir_all(old);
        }
    }
    Ok(dir)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
