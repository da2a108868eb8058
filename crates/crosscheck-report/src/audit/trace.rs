//! e. Every test traces to a requirement and every requirement is covered.

use crosscheck_run::Suite;

use super::Finding;
use super::facts::line_of;

pub const TITLE: &str = "every test traces to a requirement and every requirement is covered";

pub fn check(suite: &Suite) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let mut traced = 0;
    for l in &suite.scenarios {
        let s = &l.scenario;
        if s.covers.is_empty() {
            findings.push(Finding {
                message: format!("scenario `{}` traces to no requirement", s.id.value),
                file: l.file.clone(),
                line: s.id.line,
                help: "add `covers: [REQ-…]` naming the requirement it verifies".to_owned(),
            });
        } else {
            traced += 1;
        }
    }
    evidence.push(format!(
        "{traced} of {} scenario(s) name the requirements they cover",
        suite.scenarios.len()
    ));
    let mut covered = 0;
    for req in &suite.requirements {
        let by = suite
            .scenarios
            .iter()
            .filter(|l| l.scenario.covers.iter().any(|c| c.value == req.id))
            .count();
        if by == 0 {
            findings.push(Finding {
                message: format!("{} is covered by no scenario: {}", req.id, req.text),
                file: suite.requirements_file.clone(),
                line: line_of(suite.sources.get(&suite.requirements_file), &req.id).max(req.line),
                help: format!("write a scenario with `covers: [{}]`", req.id),
            });
        } else {
            covered += 1;
        }
    }
    evidence.push(format!(
        "{covered} of {} requirement(s) are covered",
        suite.requirements.len()
    ));
    (TITLE, evidence, findings)
}
