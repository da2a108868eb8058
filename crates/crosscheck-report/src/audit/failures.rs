//! b. Error scenarios reflect realistic failure modes: each dependency edge is staged
//! timing out, unavailable, malformed and slow; a requirement that asks for retries has
//! a scenario where the dependency fails, then recovers.

use std::collections::BTreeMap;

use crosscheck_run::Suite;

use super::Finding;
use super::contract::map_file;
use super::facts::{Facts, line_of};
use crate::modes::{REQUIRED_MODES, classify};

pub const TITLE: &str = "error scenarios reflect realistic failure modes";

fn how(mode: &str) -> &'static str {
    match mode {
        "timeout" => {
            "a stub with `fault: timeout` (the dependency accepts and never answers); expect the service's bounded error"
        }
        "unavailable" => {
            "a stub answering `reply: { status: 503 }`, or `fault: reset` / `fault: empty`"
        }
        "malformed" => {
            "a stub with `fault: malformed` or `fault: truncate`, or a `reply` whose `body` is not JSON"
        }
        _ => {
            "a stub that answers late but in time, e.g. `reply: { status: 200, json: {…}, delay: 300ms }`, or `fault: { delay: 2s }` beyond the bound"
        }
    }
}

pub fn check(suite: &Suite, _facts: &Facts<'_>) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let map = map_file(suite);
    for (dep, _) in &suite.map.dependencies {
        let mut staged: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for l in &suite.scenarios {
            for (name, stubs) in &l.scenario.given {
                if name.value != dep.value {
                    continue;
                }
                for stub in stubs {
                    for m in classify(stub).1 {
                        let list = staged.entry(m).or_default();
                        if !list.contains(&l.scenario.id.value.as_str()) {
                            list.push(&l.scenario.id.value);
                        }
                    }
                }
            }
        }
        for mode in REQUIRED_MODES {
            match staged.get(mode) {
                Some(ids) => evidence.push(format!(
                    "{} → {}: {mode} staged by {}",
                    suite.map.sut.name,
                    dep.value,
                    ids.join(", ")
                )),
                None => findings.push(Finding {
                    message: format!("no scenario stages `{}` {mode}", dep.value),
                    file: map.clone(),
                    line: dep.line,
                    help: format!("add a `fault` scenario with {}", how(mode)),
                }),
            }
        }
    }
    // Retries, where a requirement asks for them.
    for req in &suite.requirements {
        let text = req.text.to_lowercase();
        if !(text.contains("retry") || text.contains("retries") || text.contains("retried")) {
            continue;
        }
        let staged = suite.scenarios.iter().any(|l| {
            l.scenario.covers.iter().any(|c| c.value == req.id)
                && l.scenario
                    .given
                    .values()
                    .any(|stubs| stubs.iter().any(|s| s.times.is_some()) && stubs.len() > 1)
        });
        if staged {
            evidence.push(format!(
                "{} (retries): a covering scenario fails first, then recovers",
                req.id
            ));
        } else {
            findings.push(Finding {
                message: format!("{} asks for retries, but no scenario covering it fails first and then recovers", req.id),
                file: suite.requirements_file.clone(),
                line: line_of(suite.sources.get(&suite.requirements_file), &req.id).max(req.line),
                help: "stage a failure for the first call(s) (`times: 1` on a failing stub) followed by a stub that succeeds, and expect the retried answer".to_owned(),
            });
        }
    }
    if suite.map.dependencies.is_empty() {
        evidence.push("the service has no dependencies in the system map".to_owned());
    }
    (TITLE, evidence, findings)
}
