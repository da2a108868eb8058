//! a. The tests validate the documented interface contract: every request is an
//! operation of the service's contract, every expected status is documented for it,
//! and each scenario checks conformance of what comes back.

use std::collections::BTreeSet;

use crosscheck_run::Suite;

use super::Finding;
use super::facts::Facts;

pub const TITLE: &str = "the tests validate the documented interface contract";

pub fn check(suite: &Suite, facts: &Facts<'_>) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let Some(contract) = &suite.sut_contract else {
        findings.push(Finding {
            message: format!(
                "the system map names no contract for `{}`, so nothing can be checked against one",
                suite.map.sut.name
            ),
            file: map_file(suite),
            line: super::facts::line_of(suite.sources.get(&map_file(suite)), "sut:"),
            help: "add `sut.contract: path/to/openapi.yaml` to crosscheck.yaml".to_owned(),
        });
        return (TITLE, evidence, findings);
    };
    let mut ops = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    let mut conforming = 0;
    for step in &facts.steps {
        let s = &step.loaded.scenario;
        let Some(op) = step.operation else {
            findings.push(Finding {
                message: format!(
                    "scenario `{}` sends {} {}, which is not an operation of {}",
                    s.id.value, step.request.method.value, step.request.path.value, contract.file
                ),
                file: step.loaded.file.clone(),
                line: step.request.path.line.max(s.id.line),
                help: "fix the request, or document the operation in the contract".to_owned(),
            });
            continue;
        };
        ops.insert(op.label());
        if step.then.and_then(|t| t.conforms) == Some(true) {
            conforming += 1;
        }
        for code in &step.statuses {
            if op.response_for(*code).is_some() {
                statuses.insert(*code);
            } else {
                findings.push(Finding {
                    message: format!(
                        "scenario `{}` expects status {code} from {}, which the contract does not document (documented: {})",
                        s.id.value,
                        op.label(),
                        op.documented_statuses()
                    ),
                    file: step.loaded.file.clone(),
                    line: s.id.line,
                    help: "expect a documented status, or document this response in the contract (a contract gap)".to_owned(),
                });
            }
        }
    }
    let documented: usize = contract.operations.len();
    evidence.push(format!(
        "{} request(s) in {} scenario(s) call {} of {documented} documented operation(s): {}",
        facts.steps.len(),
        suite.scenarios.len(),
        ops.len(),
        ops.iter().cloned().collect::<Vec<_>>().join(", ")
    ));
    if !statuses.is_empty() {
        evidence.push(format!(
            "every expected status is documented: {}",
            statuses
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if conforming == 0 && !facts.steps.is_empty() {
        findings.push(Finding {
            message: "no scenario checks that responses conform to the contract (`then.conforms: true`)".to_owned(),
            file: suite.scenarios[0].file.clone(),
            line: suite.scenarios[0].scenario.id.line,
            help: "add `conforms: true` to the `then` of the scenarios (at least one per operation and status)".to_owned(),
        });
    } else {
        evidence.push(format!(
            "{conforming} step(s) check the response body and status against the contract (`conforms: true`)"
        ));
    }
    (TITLE, evidence, findings)
}

pub fn map_file(suite: &Suite) -> String {
    crosscheck_run::display(&suite.root.join(crosscheck_run::SYSTEM_MAP))
}
