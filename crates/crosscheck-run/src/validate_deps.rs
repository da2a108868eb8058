//! `crosscheck validate` for `${deps.NAME.url}` and `${deps.NAME.port}` in scenario
//! requests: NAME is a dependency of the system map, and the field is `url` or `port`.

use crosscheck_model::Diagnostic;
use crosscheck_model::suggest::closest;

use crate::suite::{LoadedScenario, Suite};
use crate::validate_captures::document_start;

/// Problems with the doubles' addresses one scenario uses, each pointing at the first
/// place the bad name is written.
pub(crate) fn check(suite: &Suite, loaded: &LoadedScenario, text: &str) -> Vec<Diagnostic> {
    let s = &loaded.scenario;
    let deps = suite.dependency_names();
    let doc_start = document_start(text, s.id.line);
    let mut out = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for (req, _) in s.steps() {
        for name in crate::sequence::deps_names(req) {
            if reported.contains(&name) {
                continue;
            }
            let (dep, field) = name
                .strip_prefix("deps.")
                .and_then(|n| n.rsplit_once('.'))
                .unwrap_or(("", ""));
            let (message, help) = if !deps.contains(&dep) {
                (
                    format!("`${{{name}}}` names no dependency of the system map"),
                    match closest(dep, deps.iter().copied()) {
                        Some(best) => format!("did you mean `${{deps.{best}.{field}}}`?"),
                        None if deps.is_empty() => "declare the double under `dependencies:` in crosscheck.yaml, e.g. `hooks: { double: mock }`".to_owned(),
                        None => format!(
                            "the dependencies are: {}",
                            deps.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
                        ),
                    },
                )
            } else if field != "url" && field != "port" {
                (
                    format!("`${{{name}}}`: a double has a `url` and a `port`"),
                    format!("write `${{deps.{dep}.url}}` or `${{deps.{dep}.port}}`"),
                )
            } else {
                continue;
            };
            reported.push(name.clone());
            let (line, column) = find(text, doc_start, &format!("${{{name}}}"))
                .unwrap_or((req.path.line, req.path.column));
            out.push(Diagnostic::at(&loaded.file, text, line, column, message).with_help(help));
        }
    }
    out
}

/// Line and column of the first `needle` at or after line index `from`, in its document.
fn find(text: &str, from: usize, needle: &str) -> Option<(u32, u32)> {
    for (i, l) in text.lines().enumerate().skip(from) {
        if i > from && l.starts_with("---") {
            return None;
        }
        if let Some(at) = l.find(needle) {
            let col = l[..at].chars().count() + 1;
            return Some((u32::try_from(i + 1).ok()?, u32::try_from(col).ok()?));
        }
    }
    None
}
