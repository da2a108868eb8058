//! `crosscheck report`, and the report files `crosscheck run` writes at its end.

use std::io::Write;
use std::path::{Path, PathBuf};

use crosscheck_report::{ReportError, Results, ResultsWriter};

use crate::cli::RunOutputs;
use crate::exit_codes;

/// After a run: say where the results are, write the JUnit and HTML files asked for.
/// Returns [`exit_codes::OK`], or [`exit_codes::COULD_NOT_RUN`] when a file could not be
/// written.
pub fn after_run(writer: &mut ResultsWriter<'_>, outputs: &RunOutputs, color: bool) -> i32 {
    let mut code = exit_codes::OK;
    if let Some(e) = writer.take_error() {
        error(&e, color);
        code = exit_codes::COULD_NOT_RUN;
    }
    if let Err(e) = write_reports(
        writer.results(),
        outputs.junit.as_deref(),
        outputs.html.as_deref(),
    ) {
        error(&e, color);
        code = exit_codes::COULD_NOT_RUN;
    }
    if let Some(p) = writer.path()
        && p.exists()
    {
        println!("results: {}", crosscheck_run::display(p));
    }
    code
}

fn write_reports(
    results: &Results,
    junit: Option<&Path>,
    html: Option<&Path>,
) -> Result<(), ReportError> {
    if let Some(path) = junit {
        let xml = crosscheck_report::junit::render(results)?;
        crosscheck_report::results::write_atomic(path, xml.as_bytes())?;
    }
    if let Some(path) = html {
        let page = crosscheck_report::html::render(results);
        crosscheck_report::results::write_atomic(path, page.as_bytes())?;
    }
    Ok(())
}

/// `crosscheck report RESULTS… [--merge] [--junit F] [--html F] [--json F]`: exit 0 when
/// the results say every scenario passed, 1 when one failed, 2 for unreadable input,
/// 3 when a report could not be written.
pub fn report(
    files: &[PathBuf],
    merge: bool,
    junit: Option<PathBuf>,
    html: Option<PathBuf>,
    json: Option<PathBuf>,
    color_out: bool,
    color_err: bool,
) -> i32 {
    if files.len() > 1 && !merge {
        let _ = writeln!(
            std::io::stderr(),
            "error: {} results files were given; pass --merge to report them as one",
            files.len()
        );
        return exit_codes::BAD_INPUT;
    }
    let mut parts = Vec::new();
    for f in files {
        match Results::read(f) {
            Ok(r) => parts.push((crosscheck_run::display(f), r)),
            Err(e) => {
                error(&e, color_err);
                return exit_codes::BAD_INPUT;
            }
        }
    }
    let results = match Results::merge(parts) {
        Ok(r) => r,
        Err(e) => {
            error(&e, color_err);
            return exit_codes::BAD_INPUT;
        }
    };
    let mut outputs = write_reports(&results, junit.as_deref(), html.as_deref());
    if outputs.is_ok()
        && let Some(path) = &json
    {
        outputs = results.write(path);
    }
    if let Err(e) = outputs {
        error(&e, color_err);
        return exit_codes::COULD_NOT_RUN;
    }
    if junit.is_none() && html.is_none() && json.is_none() {
        replay(&results, color_out);
    } else {
        let s = &results.summary;
        println!(
            "{} scenario(s): {} passed, {} failed, {} errored, {} not run",
            results.scenarios.len(),
            s.passed,
            s.failed,
            s.errored,
            s.skipped
        );
    }
    if results.ok() {
        exit_codes::OK
    } else {
        exit_codes::TEST_FAILED
    }
}

/// Prints the results as the console showed them during the run.
fn replay(results: &Results, color: bool) {
    use crosscheck_run::{Event, Listener, ScenarioResult};
    let mut console = crosscheck_report::Console::new(std::io::stdout(), color);
    console.event(&Event::RunStarted {
        sut: &results.sut,
        scenarios: results.scenarios.len(),
    });
    for s in &results.scenarios {
        let r = ScenarioResult {
            id: s.id.clone(),
            title: s.title.clone(),
            file: s.file.clone(),
            line: s.line,
            covers: s.covers.clone(),
            kind: s.kind.clone(),
            origin: s.origin.clone(),
            status: s.status,
            failures: s.failures.clone(),
            evidence: s.evidence.clone(),
            duration_ms: s.duration_ms,
        };
        console.event(&Event::ScenarioFinished(&r));
    }
    console.event(&Event::RunFinished(&results.summary));
}

fn error(e: &ReportError, _color: bool) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {e}");
    if let Some(h) = e.help() {
        let _ = writeln!(err, "  help: {h}");
    }
}

/// `crosscheck audit DIR [--format text|json|sarif]`: exit 0 when every required item
/// holds, 1 when one does not, 2 when the suite cannot be read or is invalid.
pub fn audit(dir: &Path, format: &str, color: bool) -> i32 {
    let suite = match crosscheck_run::Suite::load(dir) {
        Ok(s) => s,
        Err(e) => {
            crate::render::run_error(&mut std::io::stderr().lock(), &e, color);
            return exit_codes::BAD_INPUT;
        }
    };
    let problems = crosscheck_run::validate(&suite);
    if !problems.is_empty() {
        crate::render::diagnostics(&mut std::io::stderr().lock(), &problems, color);
        return exit_codes::BAD_INPUT;
    }
    let report = crosscheck_report::audit::audit(&suite, &crosscheck_run::display(dir));
    let text = match format {
        "json" => crosscheck_report::audit::output::json_text(&report),
        "sarif" => crosscheck_report::audit::output::sarif(&report),
        _ => crosscheck_report::audit::output::text(&report),
    };
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{text}");
    if format != "text" {
        let _ = writeln!(out);
    }
    if report.passed() {
        exit_codes::OK
    } else {
        exit_codes::TEST_FAILED
    }
}
