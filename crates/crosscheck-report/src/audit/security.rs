//! f. Security controls are validated: each secured operation has a scenario with
//! missing, invalid and expired credentials that expects a rejection, and one that
//! checks the credential never reaches the logs.

use crosscheck_contract::{Contract, Operation, SecurityKind};
use crosscheck_run::Suite;

use super::Finding;
use super::facts::{Facts, StepFact};

pub const TITLE: &str = "security controls are validated";

/// The request headers that carry the operation's credentials, lower case.
fn credential_headers(contract: &Contract, op: &Operation) -> Vec<String> {
    let mut out: Vec<String> = op
        .security_requirements
        .iter()
        .flat_map(|r| r.schemes.iter())
        .filter_map(|(name, _)| contract.security_scheme(name))
        .filter_map(|s| match &s.kind {
            SecurityKind::ApiKey { location, name } if location == "header" => {
                Some(name.to_ascii_lowercase())
            }
            SecurityKind::ApiKey { .. } => None,
            _ => Some("authorization".to_owned()),
        })
        .collect();
    if out.is_empty() {
        out.push("authorization".to_owned());
    }
    out.sort();
    out.dedup();
    out
}

fn credential<'a>(step: &StepFact<'a>, headers: &[String]) -> Option<&'a str> {
    step.request
        .headers
        .iter()
        .find(|(k, _)| headers.contains(&k.to_ascii_lowercase()))
        .map(|(_, v)| v.as_str())
}

fn rejects(step: &StepFact<'_>) -> bool {
    !step.statuses.is_empty() && step.statuses.iter().all(|s| *s == 401 || *s == 403)
}

fn speaks_of_expiry(step: &StepFact<'_>) -> bool {
    let s = &step.loaded.scenario;
    let mut text = format!("{} {}", s.id.value, s.title.as_deref().unwrap_or(""));
    for stubs in s.given.values() {
        for stub in stubs {
            if let Some(r) = &stub.reply {
                text.push_str(&serde_json::to_string(&r.json).unwrap_or_default());
                text.push_str(r.body.as_deref().unwrap_or(""));
            }
        }
    }
    text.to_lowercase().contains("expired")
}

/// Whether the step checks that (part of) the credential it sent is absent from logs.
fn checks_secret_absent(step: &StepFact<'_>, cred: &str) -> bool {
    step.then.is_some_and(|t| {
        t.logs.iter().any(|e| {
            e.absent
                && e.contains
                    .as_deref()
                    .is_some_and(|c| c.len() >= 4 && cred.contains(c))
        })
    })
}

pub fn check(suite: &Suite, facts: &Facts<'_>) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let Some(contract) = &suite.sut_contract else {
        evidence.push("no contract: secured operations cannot be known (see item a)".to_owned());
        return (TITLE, evidence, findings);
    };
    let secured: Vec<&Operation> = contract.operations.iter().filter(|o| o.security).collect();
    if secured.is_empty() {
        evidence.push("the contract declares no secured operation".to_owned());
    }
    for op in secured {
        let headers = credential_headers(contract, op);
        let steps: Vec<&StepFact<'_>> = facts
            .steps
            .iter()
            .filter(|s| s.operation.is_some_and(|o| o.label() == op.label()))
            .collect();
        let ids = |f: &dyn Fn(&StepFact<'_>) -> bool| -> Vec<&str> {
            let mut v: Vec<&str> = steps
                .iter()
                .filter(|s| f(s))
                .map(|s| s.loaded.scenario.id.value.as_str())
                .collect();
            v.dedup();
            v
        };
        let cases: [(&str, Vec<&str>, String); 4] = [
            (
                "missing credentials",
                ids(&|s| credential(s, &headers).is_none() && rejects(s)),
                format!("a request without `{}` that expects 401", headers.join("`/`")),
            ),
            (
                "invalid credentials",
                ids(&|s| credential(s, &headers).is_some() && rejects(s) && !speaks_of_expiry(s)),
                "a request with a credential the service (or its auth dependency) rejects, expecting 401 or 403".to_owned(),
            ),
            (
                "expired credentials",
                ids(&|s| credential(s, &headers).is_some() && rejects(s) && speaks_of_expiry(s)),
                "a request with an expired credential (e.g. the auth dependency answers `reason: expired`), expecting 401 or 403".to_owned(),
            ),
            (
                "the secret never reaches the logs",
                ids(&|s| credential(s, &headers).is_some_and(|c| checks_secret_absent(s, c))),
                "a `logs` expectation `{ contains: <the token sent>, absent: true }` in a scenario that sends a credential".to_owned(),
            ),
        ];
        for (case, by, how) in cases {
            if by.is_empty() {
                findings.push(Finding {
                    message: format!("{} is secured, but no scenario checks {case}", op.label()),
                    file: contract.file.clone(),
                    line: op.line,
                    help: format!("add a `security` scenario with {how}"),
                });
            } else {
                evidence.push(format!(
                    "{}: {case} checked by {}",
                    op.label(),
                    by.join(", ")
                ));
            }
        }
    }
    (TITLE, evidence, findings)
}
