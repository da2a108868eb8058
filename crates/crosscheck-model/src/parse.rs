//! Text in, typed document or a diagnostic out. No I/O here: callers read the files.

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::requirement::{self, Requirement};
use crate::scenario::Scenario;
use crate::suggest::rewrite_serde_message;
use crate::system_map::SystemMap;

/// Parses one YAML document into `T`, turning errors into a diagnostic at the spot.
pub(crate) fn yaml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str::<T>(text).map_err(|e| yaml_diagnostic(file, text, &e))
}

fn yaml_diagnostic(file: &str, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = err
        .location()
        .map(|l| {
            (
                u32::try_from(l.line()).unwrap_or(0),
                u32::try_from(l.column()).unwrap_or(0),
            )
        })
        .unwrap_or((0, 0));
    let raw = err.without_snippet().to_string();
    let message = clean_message(&raw);
    let message = rewrite_serde_message(&message);
    let help = help_for(&message);
    let d = if line == 0 {
        Diagnostic::file(file, message)
    } else {
        Diagnostic::at(file, text, line, column, message)
    };
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// serde-saphyr appends the location (" at line 3, column 5") to its messages; the
/// diagnostic carries the location separately.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].trim_end_matches([',', ' ']).to_owned(),
        None => first.to_owned(),
    }
}

fn help_for(message: &str) -> Option<String> {
    if message.contains(crate::capture::NOT_A_CAPTURE) {
        Some(crate::capture::FORMS.to_owned())
    } else if message.contains("did you mean") {
        Some("fix the spelling; unknown keys are errors so that a typo never silently disables a check".to_owned())
    } else if message.starts_with("unknown key") {
        Some("remove the key or move it where it belongs; the JSON Schemas under `schemas/` list every key".to_owned())
    } else if message.starts_with("missing field") {
        Some("add the missing key".to_owned())
    } else if message.contains("indicator")
        || message.contains("while parsing")
        || message.contains("did not find expected")
    {
        Some("this is a YAML syntax error; an unclosed `[`, `{` or quote on an earlier line often shows up here".to_owned())
    } else {
        None
    }
}

/// Parses `crosscheck.yaml`.
pub fn system_map(file: &str, text: &str) -> Result<SystemMap, Diagnostic> {
    let map: SystemMap = yaml(file, text)?;
    if map.version != 1 {
        return Err(Diagnostic::file(
            file,
            format!(
                "format version {} is not known; this crosscheck reads version 1",
                map.version
            ),
        ));
    }
    Ok(map)
}

/// Parses a scenario file: one scenario, or several as YAML documents separated by `---`.
pub fn scenarios(file: &str, text: &str) -> Result<Vec<Scenario>, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_saphyr::from_multiple::<Scenario>(text).map_err(|e| yaml_diagnostic(file, text, &e))
}

/// Parses a stubs file for `crosscheck mock --stubs`: a YAML list of stubs, each as a
/// scenario's `given.<dependency>` entry is written.
pub fn stubs(file: &str, text: &str) -> Result<Vec<crate::scenario::Stub>, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_saphyr::from_str::<Vec<crate::scenario::Stub>>(text)
        .map_err(|e| yaml_diagnostic(file, text, &e))
}

/// Parses a requirements file, Markdown or YAML by its extension.
pub fn requirements(file: &str, text: &str) -> Result<Vec<Requirement>, Diagnostic> {
    if file.ends_with(".yaml") || file.ends_with(".yml") {
        requirement::parse_yaml(file, text)
    } else {
        Ok(requirement::parse_markdown(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
id: valid-token-grants-access
covers: [REQ-INT-201]
kind: positive
given:
  auth:
    - on: { method: GET, path: /validate }
      reply: { status: 200, json: { valid: true, user_id: user-123 } }
when:
  method: GET
  path: /resources/42
  headers: { Authorization: Bearer valid-token-abc }
then:
  status: 200
  json: { "$.access": granted }
  conforms: true
  calls: { auth: [ { method: GET, path: /validate, times: 1 } ] }
  logs:
    - match: { user_id: user-123, timestamp: { format: date-time } }
      within: 1s
"#;

    #[test]
    fn reads_the_design_example() {
        let s = scenarios("s.yaml", SCENARIO).unwrap();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!(s.id.value, "valid-token-grants-access");
        assert_eq!(s.covers[0].line, 3);
        let (auth, stubs) = s.given.first().unwrap();
        assert_eq!((auth.value.as_str(), auth.line), ("auth", 6));
        assert_eq!(stubs[0].reply.as_ref().unwrap().status, 200);
        let then = s.then.as_ref().unwrap();
        assert_eq!(then.logs[0].within.unwrap().get().as_millis(), 1000);
        assert_eq!(s.when.as_ref().unwrap().path.line, 11);
    }

    #[test]
    fn several_documents() {
        let two = format!(
            "{SCENARIO}\n---\n{}",
            SCENARIO.replace("valid-token", "other")
        );
        let s = scenarios("s.yaml", &two).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].when.as_ref().unwrap().path.line, 33);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let bad = SCENARIO.replace("  status: 200", "  stauts: 200");
        let err = scenarios("scenarios/x.yaml", &bad).unwrap_err();
        assert_eq!(err.message, "unknown key `stauts`; did you mean `status`?");
        assert_eq!(err.location(), "scenarios/x.yaml:14:3");
    }

    #[test]
    fn faults_read_as_words_or_delay() {
        let s = scenarios(
            "s.yaml",
            "id: t\nkind: fault\ngiven:\n  auth:\n    - fault: timeout\n    - fault: { delay: 2s }\nwhen: { path: /x }\n",
        )
        .unwrap();
        use crate::scenario::Fault;
        assert_eq!(s[0].given[0][0].fault, Some(Fault::Timeout));
        assert!(matches!(s[0].given[0][1].fault, Some(Fault::Delay(_))));
    }

    #[test]
    fn refuse_reads_as_a_fault_and_a_misspelling_names_the_line() {
        let s = scenarios(
            "s.yaml",
            "id: t\nkind: fault\ngiven:\n  auth:\n    - fault: refuse\nwhen: { path: /x }\n",
        )
        .unwrap();
        use crate::scenario::Fault;
        assert_eq!(s[0].given[0][0].fault, Some(Fault::Refuse));
        let err = scenarios(
            "s.yaml",
            "id: t\nkind: fault\ngiven:\n  auth:\n    - fault: refused\nwhen: { path: /x }\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 5, "{err:?}");
        assert!(err.message.contains("refuse"), "{}", err.message);
    }

    #[test]
    fn malformed_yaml_points_at_line() {
        let err = scenarios("s.yaml", "id: t\nkind: [positive\nwhen: {path: /x}\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }
}
