//! Requirements: what the system must do, by ID.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::parse::yaml;

/// One requirement.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The ID, e.g. `REQ-INT-201`.
    pub id: String,
    /// The requirement's words.
    pub text: String,
    /// Operations it concerns (`operationId` or `METHOD /path`), when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    /// Dependencies it concerns, by system-map name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// The 1-based line where it is written (0 when unknown).
    #[serde(default, skip)]
    pub line: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementsFile {
    requirements: Vec<crate::located::Located<Requirement>>,
}

/// Reads requirements from Markdown: every line whose first words are an ID such as
/// `REQ-INT-201:` (optionally in a list item and in bold) starts a requirement; the text
/// runs on over the following lines until a blank line, a heading or the next item.
pub fn parse_markdown(text: &str) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = Vec::new();
    let mut open = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some((id, rest)) = requirement_head(line) {
            out.push(Requirement {
                id,
                text: rest.to_owned(),
                operations: Vec::new(),
                dependencies: Vec::new(),
                line: u32::try_from(n + 1).unwrap_or(u32::MAX),
            });
            open = true;
        } else if line.is_empty() || line.starts_with('#') || line.starts_with(['-', '*']) {
            open = false;
        } else if open && let Some(last) = out.last_mut() {
            last.text.push(' ');
            last.text.push_str(line);
        }
    }
    out
}

fn requirement_head(line: &str) -> Option<(String, &str)> {
    let line = line.trim_start_matches(['-', '*', '+', ' ']);
    let line = line.trim_start_matches("**").trim_start_matches('`');
    if !line.starts_with("REQ-") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let id = line[..end].trim_end_matches('.');
    let rest = line[end..].trim_start_matches(['*', '`']).trim_start();
    let rest = rest.strip_prefix(':')?.trim_start_matches(['*']).trim();
    if id.len() <= 4 {
        return None;
    }
    Some((id.to_owned(), rest))
}

/// Reads requirements from YAML: `requirements: [{ id, text, operations, dependencies }]`.
pub fn parse_yaml(file: &str, text: &str) -> Result<Vec<Requirement>, Diagnostic> {
    let doc: RequirementsFile = yaml(file, text)?;
    Ok(doc
        .requirements
        .into_iter()
        .map(|r| Requirement {
            line: r.line,
            ..r.value
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_forms() {
        let md = "# Reqs\n\n- **REQ-INT-201**: When the token is valid,\n  grant access.\n- REQ-INT-202: Deny invalid tokens.\n\nREQ-X-1: plain\n\nnot a REQ-line: here\n";
        let reqs = parse_markdown(md);
        let ids: Vec<_> = reqs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["REQ-INT-201", "REQ-INT-202", "REQ-X-1"]);
        assert_eq!(reqs[0].text, "When the token is valid, grant access.");
        assert_eq!(reqs[0].line, 3);
        assert_eq!(reqs[2].text, "plain");
    }

    #[test]
    fn yaml_form() {
        let reqs = parse_yaml(
            "r.yaml",
            "requirements:\n  - id: REQ-1\n    text: Do it.\n    dependencies: [auth]\n",
        )
        .unwrap();
        assert_eq!(reqs[0].id, "REQ-1");
        assert_eq!(reqs[0].line, 2);
        let err = parse_yaml("r.yaml", "requirements:\n  - id: REQ-1\n    txt: x\n").unwrap_err();
        assert!(
            err.message.contains("did you mean `text`"),
            "{}",
            err.message
        );
        assert_eq!(err.line, 3);
    }
}
