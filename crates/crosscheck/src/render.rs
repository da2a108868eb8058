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
