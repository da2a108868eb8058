//! `crosscheck validate` for sequences: every `${captured.NAME}` a step uses was
//! captured by an earlier step.

use crosscheck_model::captured;
use crosscheck_model::suggest::closest;
use crosscheck_model::{Diagnostic, Located};

use crate::suite::LoadedScenario;

/// Problems with the captures of one scenario, each pointing at the first place the
/// bad name is written.
pub(crate) fn check(loaded: &LoadedScenario, text: &str) -> Vec<Diagnostic> {
    let s = &loaded.scenario;
    let mut out = Vec::new();
    let mut known: Vec<String> = Vec::new();
    let doc_start = document_start(text, s.id.line);
    for (index, (req, _)) in s.steps().into_iter().enumerate() {
        for name in captured::names_in(req) {
            if known.contains(&name) {
                continue;
            }
            let later = (index + 1..s.steps.len())
                .find(|&j| s.steps[j].capture.keys().any(|k| k.value == name));
            let message = match later {
                Some(j) => format!(
                    "step {} uses `${{captured.{name}}}`, which step {} captures only later",
                    index + 1,
                    j + 1
                ),
                None if s.when.is_some() => format!(
                    "`${{captured.{name}}}` in a one-request scenario: nothing is captured before it"
                ),
                None => format!(
                    "step {} uses `${{captured.{name}}}`, but no earlier step captures `{name}`",
                    index + 1
                ),
            };
            let help = match closest(&name, known.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `${{captured.{best}}}`?"),
                None if known.is_empty() => {
                    "capture it in an earlier step: `capture: { NAME: $.field }` next to that step's `when`".to_owned()
                }
                None => format!(
                    "captured before this step: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let (line, column) =
                find(text, doc_start, &name).unwrap_or((req.path.line, req.path.column));
            out.push(Diagnostic::at(&loaded.file, text, line, column, message).with_help(help));
        }
        if let Some(caps) = s.captures_at(index) {
            for name in caps.keys() {
                if !valid_name(&name.value) {
                    out.push(bad_name(loaded, text, name));
                }
                if !known.contains(&name.value) {
                    known.push(name.value.clone());
                }
            }
        }
    }
    out
}

fn bad_name(loaded: &LoadedScenario, text: &str, name: &Located<String>) -> Diagnostic {
    Diagnostic::at(
        &loaded.file,
        text,
        name.line,
        name.column,
        format!("`{}` cannot be a capture name", name.value),
    )
    .with_help("use letters, digits, `_`, `.` and `-`, starting with a letter or `_`")
}

/// Letters, digits, `_`, `.` and `-`, starting with a letter or `_` (as the schema says).
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// The 1-based line where the YAML document holding `line` starts.
pub(crate) fn document_start(text: &str, line: u32) -> usize {
    let upto = usize::try_from(line.saturating_sub(1)).unwrap_or(0);
    text.lines()
        .take(upto)
        .enumerate()
        .filter(|(_, l)| l.starts_with("---"))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0)
}

/// Line and column of the first `${captured.NAME}` at or after line index `from`.
fn find(text: &str, from: usize, name: &str) -> Option<(u32, u32)> {
    for (i, l) in text.lines().enumerate().skip(from) {
        if i > from && l.starts_with("---") {
            return None;
        }
        for r in captured::references(l) {
            if r.name == name {
                let col = l[..r.offset].chars().count() + 1;
                return Some((u32::try_from(i + 1).ok()?, u32::try_from(col).ok()?));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("id"));
        assert!(valid_name("thing.id_2"));
        assert!(!valid_name("2id"));
        assert!(!valid_name("my id"));
        assert!(!valid_name(""));
    }

    #[test]
    fn finds_the_first_use_in_the_right_document() {
        let text = "id: a\nwhen: { path: \"/x/${captured.id}\" }\n---\nid: b\nsteps:\n  - when: { path: \"/y/${captured.id}\" }\n";
        assert_eq!(find(text, document_start(text, 4), "id"), Some((6, 23)));
        assert_eq!(find(text, document_start(text, 1), "id"), Some((2, 19)));
    }
}
