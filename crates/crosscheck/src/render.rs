//! Turning errors into what a person reads on stderr.

use std::io::Write;

use crosscheck_model::Diagnostic;
use crosscheck_run::RunError;
use miette::{GraphicalReportHandler, GraphicalTheme};

/// Writes diagnostics with the file, line, the source line and a caret.
pub fn diagnostics(out: &mut dyn Write, diags: &[Diagnostic], color: bool) {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    for d in diags {
        let mut text = String::new();
        let _ = writeln!(out, "error: {}: {}", d.location(), d.message);
        if handler.render_report(&mut text, d).is_ok() {
            // The first line repeats the message; the snippet and help follow it.
            let body: Vec<&str> = text.lines().skip(1).collect();
            let _ = writeln!(out, "{}", body.join("\n"));
        } else if let Some(h) = &d.help {
            let _ = writeln!(out, "  help: {h}");
        }
    }
    let _ = writeln!(out, "{} problem(s) found; nothing was run.", diags.len());
}

/// Writes a run error with the process output that explains it and what to do.
pub fn run_error(out: &mut dyn Write, err: &RunError, color: bool) {
    if let RunError::Suite(diags) = err {
        diagnostics(out, diags, color);
        return;
    }
    let _ = writeln!(out, "error: {err}");
    let output = err.output();
    if !output.is_empty() {
        let _ = writeln!(out, "  its last output:");
        for line in output {
            let _ = writeln!(out, "  │ {line}");
        }
    }
    if let Some(help) = err.help() {
        let _ = writeln!(out, "  help: {help}");
    }
}

/// Writes the contracts' warnings (schemas no value can satisfy, …): things to fix in a
/// contract that do not stop a run. `file#/pointer: problem`, one per line.
pub fn contract_warnings(out: &mut dyn Write, suite: &crosscheck_run::Suite, color: bool) {
    let contracts = suite
        .sut_contract
        .iter()
        .chain(suite.dep_contracts.values());
    let (on, off) = if color {
        ("\u{1b}[33m", "\u{1b}[0m")
    } else {
        ("", "")
    };
    let mut count = 0;
    for c in contracts {
        for w in &c.warnings {
            count += 1;
            let (pointer, problem) = match w.split_once(": ") {
                Some((p, rest)) if p.starts_with('#') => (p, rest),
                _ => ("", w.as_str()),
            };
            let _ = writeln!(out, "{on}warning{off}: {}{pointer}: {problem}", c.file);
        }
    }
    let links = contracts_links_not_followed(suite);
    let count = count - links;
    if count > 0 {
        let _ = writeln!(
            out,
            "  help: {count} contract warning(s); they do not stop a run, but no valid value exists for such a schema, so no scenario can send or expect one"
        );
    }
    if links > 0 {
        let _ = writeln!(
            out,
            "  help: {links} link(s) not followed; they do not stop a run, but `generate` writes no sequence for them: point `operationRef` at an operation of this contract (`#/paths/~1users~1{{id}}/get`) or name it by `operationId`"
        );
    }
}

/// How many contract warnings are about links whose `operationRef` names nothing.
fn contracts_links_not_followed(suite: &crosscheck_run::Suite) -> usize {
    suite
        .sut_contract
        .iter()
        .chain(suite.dep_contracts.values())
        .flat_map(|c| &c.warnings)
        .filter(|w| w.ends_with("the link is not followed"))
        .count()
}
