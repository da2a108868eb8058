//! The prompt for one requirement: its words, the contract excerpts it touches
//! (operations, schemas, documented errors), the system map (dependencies, how they can
//! fail, which side effects can be observed) and the scenarios the rules already wrote,
//! so the model adds what the rules missed.

use std::fmt::Write as _;

use crosscheck_contract::{Contract, Operation};
use serde_json::{Value, json};

use crate::Context;
use crate::format::Constraint;

/// At most this many scenarios are asked for per requirement.
pub const PER_REQUIREMENT: usize = 4;

/// The system message: the job, the rules, and the scenario format in brief.
const SYSTEM: &str = r#"You write integration test scenarios for crosscheck, a tool that runs them against a real service with its dependencies replaced by doubles.
A rule-based generator has already written scenarios for the requirement below (listed at the end). Add what rules miss: business postconditions (what must be stored, counted, published or logged, and what must not), multi-step flows, realistic combinations of failures (a slow then failing dependency, a retry storm), and consistency across the boundary.
Hard rules, checked by a program that rejects any scenario breaking them:
- Use only the operations, dependencies, status codes, fields and requirement IDs listed here. Never invent an endpoint, a dependency, a status the contract does not document, or a response field.
- Use only table, metric and stream names that the requirements or the existing scenarios name.
- Request bodies must conform to the operation's request schema (except in `negative` scenarios about bad input).
- Do not repeat a scenario that already exists (same stubs, request and expectations).
- Every scenario covers at least one listed requirement ID; ids are short kebab-case and start with `llm-`.
Answer with one JSON object {"scenarios": [ ... ]} and nothing else.

Scenario format (one object per scenario; unknown keys are errors):
- id, title, covers: [requirement IDs], kind: positive|negative|security|fault|consistency
- given: { <dependency>: [ { on: {method, path}, reply: {status, json, body, delay: "100ms"}, fault: timeout|reset|empty|malformed|truncate|{delay: "2s"}, times: N } ] }
- when: { method, path, headers: {..}, query: {..}, json: {..} }   (or steps: [ {when, then}, ... ] for several requests)
- then: { status: 200 or {one_of: [..]}, headers: {..}, json: { "$.field": value-or-matcher }, conforms: true, within: "2s",
          calls: { <dependency>: [ {method, path, times} ] },
          logs: [ {match: {field: value-or-matcher}, absent: true, within: "1s", count: N} ],
          sql: [ {query, params: [..], added: [ {column: value} ], unchanged: true, stays: "200ms"} ],
          metrics: [ {name, labels: {..}, delta: N} ],
          messages: [ {to: stream, match: {field: value}, count: N, absent: true, within: "1s"} ] }
- Matchers: a plain value means equals; {format: date-time|uuid}, {type: string}, {regex: ".."}, {exists: true}, {absent: true}, {one_of: [..]}, {not: ..}."#;

/// The request body for one requirement.
pub fn request(
    ctx: &Context<'_>,
    requirement: usize,
    constraint: Constraint,
    model: &str,
    max_tokens: Option<u32>,
    temperature: f32,
) -> Value {
    let mut body = json!({
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": user_message(ctx, requirement)},
        ],
        // Rounded: an f32 such as 0.2 would otherwise be sent as 0.20000000298023224.
        "temperature": (f64::from(temperature) * 1000.0).round() / 1000.0,
    });
    if let Some(rf) = constraint.response_format() {
        body["response_format"] = rf;
    }
    if let Some(n) = max_tokens {
        body["max_tokens"] = json!(n);
    }
    body
}

/// The requirement, its context, and the scenarios already written.
pub fn user_message(ctx: &Context<'_>, requirement: usize) -> String {
    let req = &ctx.requirements[requirement];
    let link = ctx.links.iter().find(|l| l.id == req.id);
    let mut m = String::new();
    let _ = writeln!(m, "Requirement {}: {}", req.id, req.text);
    let _ = writeln!(m, "\nOther requirements (IDs you may also cover):");
    for r in ctx.requirements.iter().filter(|r| r.id != req.id) {
        let _ = writeln!(m, "- {}: {}", r.id, r.text);
    }

    // The file name only: the prompt must not depend on where the suite is.
    let contract_name = std::path::Path::new(&ctx.sut.file)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = writeln!(
        m,
        "\nService under test `{}` — its contract ({contract_name}):",
        ctx.map.sut.name
    );
    let ops: Vec<&Operation> = match link {
        Some(l) if !l.operations.is_empty() => l
            .operations
            .iter()
            .filter_map(|i| ctx.sut.operations.get(*i))
            .collect(),
        _ => ctx.sut.operations.iter().take(20).collect(),
    };
    for op in ops {
        operation(&mut m, ctx.sut, op, true);
    }

    let _ = writeln!(m, "\nDependencies (system map), doubled for each scenario:");
    if ctx.map.dependencies.is_empty() {
        let _ = writeln!(m, "- none");
    }
    for (name, dep) in &ctx.map.dependencies {
        let kind = match dep.double {
            crosscheck_model::system_map::DoubleKind::Mock => {
                "a mock: stage answers with `reply` and failures with `fault`"
            }
            crosscheck_model::system_map::DoubleKind::Proxy => {
                "a fault proxy in front of a real instance: stage network faults with `toxic`"
            }
        };
        let _ = writeln!(m, "- `{}`: {kind}", name.value);
        if let Some(c) = ctx.deps.get(&name.value) {
            for op in &c.operations {
                operation(&mut m, c, op, false);
            }
        }
    }
    let _ = writeln!(
        m,
        "  Failure modes a mock can stage: fault timeout (never answers), reset, empty (closes without answering), malformed (not HTTP), truncate, {{delay: \"2s\"}}, refuse (every connection refused for the whole scenario: the only entry for that dependency, and no `calls` on it); any reply status (e.g. 429, 500, 503); a body that breaks its contract; `times: 1` then another stub (first call fails, then succeeds)."
    );

    let _ = writeln!(m, "\nWhat can be observed besides the response:");
    let sut = &ctx.map.sut;
    match &sut.logs {
        Some(l) => {
            let _ = writeln!(m, "- logs: {:?} lines (`then.logs`)", l.format);
        }
        None => {
            let _ = writeln!(
                m,
                "- logs: none configured (do not use `then.logs` except with `source: stdout|stderr`)"
            );
        }
    }
    let _ = writeln!(
        m,
        "- database (`then.sql`): {}",
        if sut.database.is_some() {
            "configured"
        } else {
            "none (do not use `then.sql`)"
        }
    );
    let _ = writeln!(
        m,
        "- metrics (`then.metrics`): {}",
        if sut.metrics.is_some() {
            "configured"
        } else {
            "none (do not use `then.metrics`)"
        }
    );
    let _ = writeln!(
        m,
        "- broker (`then.messages`): {}",
        if sut.broker.is_some() {
            "configured"
        } else {
            "none (do not use `then.messages`)"
        }
    );
    if !ctx.map.credentials.is_empty() {
        let _ = writeln!(m, "Credentials the service accepts (test values):");
        for (scheme, c) in &ctx.map.credentials {
            let _ = writeln!(m, "- {}: header `{}: {}`", scheme.value, c.header, c.value);
        }
    }

    let mine: Vec<&crate::Known> = ctx
        .known
        .iter()
        .filter(|k| k.covers.iter().any(|c| c == &req.id))
        .collect();
    let _ = writeln!(
        m,
        "\nScenarios that already cover {} ({}); do not repeat them:",
        req.id,
        mine.len()
    );
    for k in mine.iter().take(40) {
        let _ = writeln!(m, "- {} ({}): {}", k.id, k.kind, k.summary);
    }
    let _ = writeln!(
        m,
        "\nPropose at most {PER_REQUIREMENT} new scenarios for {} as {{\"scenarios\": [...]}}.",
        req.id
    );
    m
}

/// One operation: method, path, summary, parameters, request schema, responses with
/// their schemas and named examples.
fn operation(m: &mut String, contract: &Contract, op: &Operation, full: bool) {
    let id = op
        .id
        .as_deref()
        .map(|i| format!(" ({i})"))
        .unwrap_or_default();
    let _ = writeln!(m, "  {} {}{id}: {}", op.method, op.path, op.summary);
    for p in &op.parameters {
        let _ = writeln!(
            m,
            "    parameter {} in {:?}{}: {}",
            p.name,
            p.location,
            if p.required { ", required" } else { "" },
            p.schema.as_ref().map(compact).unwrap_or_default()
        );
    }
    if let Some(b) = &op.request_body {
        for (media, schema) in &b.media {
            let _ = writeln!(
                m,
                "    request body {media}: {}",
                schema
                    .as_ref()
                    .map(|s| compact(&contract.standalone_schema(s)))
                    .unwrap_or_default()
            );
        }
    }
    for r in &op.responses {
        let _ = write!(
            m,
            "    response {}: {}",
            r.status,
            r.description.trim().replace('\n', " ")
        );
        if full && let Some((_, Some(schema))) = r.media.first() {
            let _ = write!(
                m,
                " schema {}",
                compact(&contract.standalone_schema(schema))
            );
        }
        for (name, ex) in &r.examples {
            let _ = write!(m, "; example `{name}`: {}", ex);
        }
        m.push('\n');
    }
}

/// A schema on one line, without descriptions and at most 1,500 characters.
fn compact(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(o) => Value::Object(
                o.iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "description" | "summary" | "$comment" | "title")
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let s = strip(schema).to_string();
    if s.chars().count() > 1500 {
        let cut: String = s.chars().take(1500).collect();
        format!("{cut}…")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_compact_and_descriptions_are_dropped() {
        let s = json!({"type": "object", "description": "long words", "properties": {"a": {"type": "string", "title": "A"}}});
        assert_eq!(
            compact(&s),
            r#"{"type":"object","properties":{"a":{"type":"string"}}}"#
        );
        let big = json!({"enum": (0..2000).collect::<Vec<u32>>()});
        assert!(compact(&big).ends_with('…'));
    }
}
