//! What the items share: every request of every scenario, with the operation it maps
//! to, the statuses it expects and the credentials it sends.

use crosscheck_contract::Operation;
use crosscheck_model::matcher::{Matcher, Op};
use crosscheck_model::scenario::{Expect, Request};
use crosscheck_run::{LoadedScenario, Suite};

/// One step of one scenario.
#[derive(Debug)]
pub struct StepFact<'s> {
    /// Its scenario.
    pub loaded: &'s LoadedScenario,
    /// The request.
    pub request: &'s Request,
    /// Its expectations.
    pub then: Option<&'s Expect>,
    /// The operation of the service's contract it calls.
    pub operation: Option<&'s Operation>,
    /// The statuses it accepts, when `then.status` names them.
    pub statuses: Vec<u16>,
}

/// Facts about the suite.
#[derive(Debug)]
pub struct Facts<'s> {
    /// Every step, in scenario order.
    pub steps: Vec<StepFact<'s>>,
}

impl<'s> Facts<'s> {
    /// Reads the facts off `suite`.
    pub fn new(suite: &'s Suite) -> Self {
        let mut steps = Vec::new();
        for loaded in &suite.scenarios {
            for (request, then) in loaded.scenario.steps() {
                let operation = suite
                    .sut_contract
                    .as_ref()
                    .and_then(|c| c.find_operation(&request.method.value, &request.path.value));
                let statuses = then
                    .and_then(|t| t.status.as_ref())
                    .map(statuses_of)
                    .unwrap_or_default();
                steps.push(StepFact {
                    loaded,
                    request,
                    then,
                    operation,
                    statuses,
                });
            }
        }
        Facts { steps }
    }
}

/// The status codes a matcher accepts, when it names them (`200`, `{ one_of: [500, 503] }`).
pub fn statuses_of(m: &Matcher) -> Vec<u16> {
    let mut out = Vec::new();
    for op in m.ops() {
        match op {
            Op::Equals(v) => out.extend(v.as_u64().and_then(|n| u16::try_from(n).ok())),
            Op::OneOf(vs) => out.extend(
                vs.iter()
                    .filter_map(|v| v.as_u64().and_then(|n| u16::try_from(n).ok())),
            ),
            _ => {}
        }
    }
    out
}

/// A serde enum's word.
pub fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The line of the first line of `text` containing `needle` (1-based), or 0.
pub fn line_of(text: Option<&String>, needle: &str) -> u32 {
    text.and_then(|t| t.lines().position(|l| l.contains(needle)))
        .map_or(0, |i| u32::try_from(i + 1).unwrap_or(0))
}
