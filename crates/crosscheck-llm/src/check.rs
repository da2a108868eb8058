//! The checks every proposal must pass before it is written: the scenario schema and
//! parser; only requirement IDs, operations, dependencies, statuses and fields that
//! exist; request bodies that conform; expectations the contract allows (an undocumented
//! status is rejected, or kept as a contract gap when a requirement demands it); no
//! duplicate of an existing scenario; and the suite's own cross-file checks.

use std::fmt;

use crosscheck_contract::{Contract, Operation, ParameterLocation};
use crosscheck_model::Scenario;
use crosscheck_model::matcher::{Matcher, Op};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::Context;
use crate::format::scenario_schema;

/// Why a proposal was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The answer held no JSON, or was cut off.
    NotJson,
    /// It breaks the scenario JSON Schema.
    Schema,
    /// The scenario parser refused it.
    Parse,
    /// It covers a requirement that does not exist.
    UnknownRequirement,
    /// It calls an operation the contract does not define.
    UnknownOperation,
    /// It names a dependency the system map does not declare.
    UnknownDependency,
    /// It names a field or parameter the contract does not define.
    UnknownField,
    /// It expects a status the contract does not document (and no requirement demands).
    UndocumentedStatus,
    /// It expects a value the contract does not allow.
    ContradictsContract,
    /// Its request body breaks the operation's request schema.
    RequestBreaksContract,
    /// It checks a side effect the system map gives no probe for.
    NoProbe,
    /// It names a table, metric or stream that neither the requirements nor an existing
    /// scenario names.
    UnknownName,
    /// The same stubs, request and expectations as an existing scenario.
    Duplicate,
    /// The suite's cross-file checks (as `crosscheck validate`) refused it.
    Suite,
}

impl Reason {
    /// Every reason, in report order.
    pub const ALL: [Reason; 14] = [
        Reason::NotJson,
        Reason::Schema,
        Reason::Parse,
        Reason::UnknownRequirement,
        Reason::UnknownOperation,
        Reason::UnknownDependency,
        Reason::UnknownField,
        Reason::UndocumentedStatus,
        Reason::ContradictsContract,
        Reason::RequestBreaksContract,
        Reason::NoProbe,
        Reason::UnknownName,
        Reason::Duplicate,
        Reason::Suite,
    ];

    /// Words for a person.
    pub fn label(self) -> &'static str {
        match self {
            Reason::NotJson => "no JSON in the answer",
            Reason::Schema => "breaks the scenario schema",
            Reason::Parse => "not a valid scenario",
            Reason::UnknownRequirement => "unknown requirement",
            Reason::UnknownOperation => "unknown operation",
            Reason::UnknownDependency => "unknown dependency",
            Reason::UnknownField => "unknown field",
            Reason::UndocumentedStatus => "undocumented status",
            Reason::ContradictsContract => "contradicts the contract",
            Reason::RequestBreaksContract => "request breaks the contract",
            Reason::NoProbe => "no probe for that side effect",
            Reason::UnknownName => "unknown table, metric or stream",
            Reason::Duplicate => "duplicate",
            Reason::Suite => "refused by the suite checks",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A refusal and what exactly was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The kind of problem.
    pub reason: Reason,
    /// The detail, naming the offending part.
    pub detail: String,
}

fn refuse<T>(reason: Reason, detail: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        reason,
        detail: detail.into(),
    })
}

/// A proposal that passed: the scenario as data (with `origin: llm`, `review: pending`)
/// and the contract gaps it reports.
#[derive(Debug, Clone)]
pub struct Passed {
    /// Its id (prefixed `llm-` when the model did not).
    pub id: String,
    /// The scenario as written to the file.
    pub body: Value,
    /// The parsed scenario.
    pub scenario: Scenario,
    /// Contract gaps: statuses a requirement demands that the contract does not document.
    pub gaps: Vec<String>,
}

/// The key two scenarios share when they stage, send and expect the same things.
pub fn duplicate_key(s: &Scenario) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for k in ["id", "title", "covers", "origin", "review"] {
            o.remove(k);
        }
    }
    v
}

/// Checks one proposal made for requirement `asked`.
pub fn check(ctx: &Context<'_>, asked: &str, proposal: &Value) -> Result<Passed, Refusal> {
    let Some(obj) = proposal.as_object() else {
        return refuse(
            Reason::Schema,
            format!("a scenario must be an object, not `{}`", short(proposal)),
        );
    };
    let mut obj: Map<String, Value> = obj.clone();
    // The model does not get to mark its own work as reviewed or hand-written.
    obj.insert("origin".into(), json!("llm"));
    obj.insert("review".into(), json!("pending"));
    if let Some(Value::String(id)) = obj.get("id").cloned()
        && !id.starts_with("llm-")
    {
        obj.insert("id".into(), json!(format!("llm-{id}")));
    }
    if obj
        .get("covers")
        .is_none_or(|c| c.as_array().is_some_and(Vec::is_empty))
    {
        obj.insert("covers".into(), json!([asked]));
    }
    let body = Value::Object(obj);

    schema(&body)?;
    let text = serde_json::to_string(&body).unwrap_or_default();
    let scenario = match crosscheck_model::parse::scenarios("proposal", &text) {
        Ok(mut list) if list.len() == 1 => list.remove(0),
        Ok(_) => return refuse(Reason::Parse, "not exactly one scenario"),
        Err(d) => return refuse(Reason::Parse, d.message),
    };
    let id = scenario.id.value.clone();

    for c in &scenario.covers {
        if !ctx.requirements.iter().any(|r| r.id == c.value) {
            let known: Vec<&str> = ctx.requirements.iter().map(|r| r.id.as_str()).collect();
            return refuse(
                Reason::UnknownRequirement,
                format!(
                    "covers `{}`, which the requirements do not define (they define {})",
                    c.value,
                    list(&known)
                ),
            );
        }
    }
    let covered: Vec<&crosscheck_model::Requirement> = ctx
        .requirements
        .iter()
        .filter(|r| scenario.covers.iter().any(|c| c.value == r.id))
        .collect();

    for (dep, stubs) in &scenario.given {
        let contract = dependency(ctx, &dep.value)?;
        for stub in stubs {
            if let (Some(c), Some(method), Some(path)) = (contract, &stub.on.method, &stub.on.path)
                && c.find_operation(method, path).is_none()
            {
                return refuse(
                    Reason::UnknownOperation,
                    format!(
                        "stubs {method} {path} on `{}`, whose contract defines only {}",
                        dep.value,
                        ops(c)
                    ),
                );
            }
        }
    }

    let mut gaps = Vec::new();
    for (req, then) in scenario.steps() {
        let method = req.method.value.to_ascii_uppercase();
        let Some(op) = ctx.sut.find_operation(&method, &req.path.value) else {
            return refuse(
                Reason::UnknownOperation,
                format!(
                    "sends {method} {}, which {}'s contract does not define (it defines {})",
                    req.path.value,
                    ctx.map.sut.name,
                    ops(ctx.sut)
                ),
            );
        };
        for q in req.query.keys() {
            if !op
                .parameters
                .iter()
                .any(|p| p.location == ParameterLocation::Query && &p.name == q)
            {
                return refuse(
                    Reason::UnknownField,
                    format!(
                        "sends query parameter `{q}`, which {} does not take",
                        op.label()
                    ),
                );
            }
        }
        request_body(ctx.sut, op, req.json.as_ref(), scenario.kind)?;
        let Some(then) = then else { continue };
        let statuses = then.status.as_ref().map(status_numbers).unwrap_or_default();
        for s in &statuses {
            if op.response_for(*s).is_none() {
                let demanded: Vec<&str> = covered
                    .iter()
                    .filter(|r| names_number(&r.text, *s))
                    .map(|r| r.id.as_str())
                    .collect();
                if demanded.is_empty() {
                    return refuse(
                        Reason::UndocumentedStatus,
                        format!(
                            "expects {s} from {}, which documents only {}; no covered requirement asks for {s}",
                            op.label(),
                            op.documented_statuses()
                        ),
                    );
                }
                gaps.push(format!(
                    "{} demands {s} from {}, which the contract does not document (it documents {}): add the response to the contract",
                    demanded.join(", "),
                    op.label(),
                    op.documented_statuses()
                ));
            }
        }
        response_fields(ctx.sut, op, &statuses, &then.json)?;
        for (dep, calls) in &then.calls {
            let contract = dependency(ctx, &dep.value)?;
            for call in calls {
                if let (Some(c), Some(method), Some(path)) = (contract, &call.method, &call.path)
                    && c.find_operation(method, path).is_none()
                {
                    return refuse(
                        Reason::UnknownOperation,
                        format!(
                            "expects calls to {method} {path} on `{}`, whose contract defines only {}",
                            dep.value,
                            ops(c)
                        ),
                    );
                }
            }
        }
        let sut = &ctx.map.sut;
        if then.logs.iter().any(|l| l.source.is_none()) && sut.logs.is_none() {
            return refuse(
                Reason::NoProbe,
                "checks log lines, but crosscheck.yaml sets no `sut.logs`",
            );
        }
        if !then.sql.is_empty() && sut.database.is_none() {
            return refuse(
                Reason::NoProbe,
                "checks database rows, but crosscheck.yaml sets no `sut.database`",
            );
        }
        if !then.metrics.is_empty() && sut.metrics.is_none() {
            return refuse(
                Reason::NoProbe,
                "checks metrics, but crosscheck.yaml sets no `sut.metrics`",
            );
        }
        if !then.messages.is_empty() && sut.broker.is_none() {
            return refuse(
                Reason::NoProbe,
                "checks published messages, but crosscheck.yaml sets no `sut.broker`",
            );
        }
        names(ctx, then)?;
    }

    let key = duplicate_key(&scenario);
    if let Some(k) = ctx.known.iter().find(|k| k.key == key) {
        return refuse(
            Reason::Duplicate,
            format!("the same stubs, request and expectations as `{}`", k.id),
        );
    }
    let problems = (ctx.suite_check)(&scenario, &text);
    if let Some(p) = problems.first() {
        return refuse(Reason::Suite, p.clone());
    }
    Ok(Passed {
        id,
        body,
        scenario,
        gaps,
    })
}

/// Tables, metrics and streams must be named by a requirement or an existing scenario:
/// generation cannot see the database or the broker, so a name from nowhere is a guess.
fn names(ctx: &Context<'_>, then: &crosscheck_model::scenario::Expect) -> Result<(), Refusal> {
    let mut vocabulary: String = ctx
        .requirements
        .iter()
        .map(|r| format!(" {} ", r.text))
        .collect();
    for k in &ctx.known {
        vocabulary.push(' ');
        vocabulary.push_str(&k.key.to_string());
    }
    let known = |name: &str| {
        vocabulary.match_indices(name).any(|(i, _)| {
            let before = vocabulary[..i].chars().next_back();
            let after = vocabulary[i + name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
    };
    for m in &then.metrics {
        let base = ["_count", "_sum", "_bucket"]
            .iter()
            .find_map(|suffix| m.name.strip_suffix(suffix))
            .unwrap_or(&m.name);
        if !known(&m.name) && !known(base) {
            return refuse(
                Reason::UnknownName,
                format!(
                    "checks metric `{}`, which no requirement or existing scenario names",
                    m.name
                ),
            );
        }
    }
    for msg in &then.messages {
        if !known(&msg.to) {
            return refuse(
                Reason::UnknownName,
                format!(
                    "checks stream `{}`, which no requirement or existing scenario names",
                    msg.to
                ),
            );
        }
    }
    for q in &then.sql {
        for table in tables(&q.query) {
            if !known(&table) {
                return refuse(
                    Reason::UnknownName,
                    format!(
                        "queries table `{table}`, which no requirement or existing scenario names (generation cannot see the database's schema)"
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The tables a query names (after FROM, JOIN, INTO, UPDATE).
fn tables(query: &str) -> Vec<String> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        if ["from", "join", "into", "update"].contains(&pair[0].to_ascii_lowercase().as_str()) {
            let t: String = pair[1]
                .trim_matches(|c: char| {
                    c == '"' || c == '`' || c == '(' || c == ')' || c == ',' || c == ';'
                })
                .to_owned();
            if !t.is_empty() && !t.starts_with('(') && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

fn schema(body: &Value) -> Result<(), Refusal> {
    let Ok(validator) = jsonschema::validator_for(scenario_schema()) else {
        return Ok(());
    };
    let errors: Vec<String> = validator
        .iter_errors(body)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            let msg = e.masked_with("the value").to_string();
            if at.is_empty() {
                msg
            } else {
                format!("at `{at}`: {msg}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        refuse(Reason::Schema, errors.join("; "))
    }
}

fn dependency<'c>(ctx: &'c Context<'_>, name: &str) -> Result<Option<&'c Contract>, Refusal> {
    if !ctx.map.dependencies.keys().any(|k| k.value == name) {
        let known: Vec<&str> = ctx
            .map
            .dependencies
            .keys()
            .map(|k| k.value.as_str())
            .collect();
        return refuse(
            Reason::UnknownDependency,
            format!(
                "names dependency `{name}`, which crosscheck.yaml does not declare (it declares {})",
                list(&known)
            ),
        );
    }
    Ok(ctx.deps.get(name))
}

fn request_body(
    contract: &Contract,
    op: &Operation,
    json: Option<&Value>,
    kind: crosscheck_model::scenario::Kind,
) -> Result<(), Refusal> {
    let Some(body) = json else { return Ok(()) };
    if kind == crosscheck_model::scenario::Kind::Negative {
        return Ok(());
    }
    let schema = op
        .request_body
        .as_ref()
        .and_then(|b| b.media.iter().find(|(m, _)| m.contains("json")))
        .and_then(|(_, s)| s.clone());
    let Some(schema) = schema else {
        return refuse(
            Reason::RequestBreaksContract,
            format!("sends a JSON body to {}, which takes none", op.label()),
        );
    };
    let standalone = contract.standalone_schema(&schema);
    if let Ok(v) = jsonschema::validator_for(&standalone)
        && let Some(e) = v.iter_errors(body).next()
    {
        return refuse(
            Reason::RequestBreaksContract,
            format!(
                "the body sent to {} breaks its request schema at `{}`: {}",
                op.label(),
                e.instance_path(),
                e.masked_with("the value")
            ),
        );
    }
    Ok(())
}

/// Checks `then.json`: every field named must exist in a response schema of the
/// expected statuses (all documented ones when none is expected), and a value expected
/// at a top-level field must be one its schema allows.
fn response_fields(
    contract: &Contract,
    op: &Operation,
    statuses: &[u16],
    json: &indexmap::IndexMap<crosscheck_model::jsonpath::Path, Matcher>,
) -> Result<(), Refusal> {
    if json.is_empty() {
        return Ok(());
    }
    let specs: Vec<&crosscheck_contract::ResponseSpec> = if statuses.is_empty() {
        op.responses.iter().collect()
    } else {
        statuses
            .iter()
            .filter_map(|s| op.response_for(*s))
            .collect()
    };
    let schemas: Vec<Value> = specs
        .iter()
        .filter_map(|r| {
            r.media
                .iter()
                .find(|(m, _)| m.contains("json"))
                .and_then(|(_, s)| s.clone())
        })
        .map(|s| contract.standalone_schema(&s))
        .collect();
    if schemas.is_empty() {
        return Ok(());
    }
    let mut names = Vec::new();
    for s in &schemas {
        property_names(s, &mut names);
    }
    for (path, matcher) in json {
        let segments = segments(path.as_str());
        for seg in &segments {
            if !names.iter().any(|n| n == seg) {
                return refuse(
                    Reason::UnknownField,
                    format!(
                        "expects `{}`, but no response of {} has a field `{seg}` (fields: {})",
                        path.as_str(),
                        op.label(),
                        list(&names.iter().map(String::as_str).collect::<Vec<_>>())
                    ),
                );
            }
        }
        // A value at a top-level field, for one expected status: the schema must allow it.
        if let ([field], [only], Some(value)) =
            (segments.as_slice(), schemas.as_slice(), equals(matcher))
            && statuses.len() == 1
        {
            let subs = top_property(only, only, field, 0);
            if !subs.is_empty()
                && subs.iter().any(|sub| {
                    let mut with_defs = sub.clone();
                    if let (Some(o), Some(defs)) = (with_defs.as_object_mut(), only.get("$defs")) {
                        o.insert("$defs".into(), defs.clone());
                    }
                    jsonschema::validator_for(&with_defs).is_ok_and(|v| !v.is_valid(value))
                })
            {
                return refuse(
                    Reason::ContradictsContract,
                    format!(
                        "expects `{}` = {} with {}, but the contract's schema for {} {} does not allow that value",
                        path.as_str(),
                        value,
                        statuses[0],
                        op.label(),
                        statuses[0]
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The value an equals-only matcher holds.
fn equals(m: &Matcher) -> Option<&Value> {
    match m.ops() {
        [Op::Equals(v)] => Some(v),
        _ => None,
    }
}

/// The status numbers a matcher names (`200`, `{one_of: [500, 503]}`).
fn status_numbers(m: &Matcher) -> Vec<u16> {
    let mut out = Vec::new();
    for op in m.ops() {
        let vals: Vec<&Value> = match op {
            Op::Equals(v) => vec![v],
            Op::OneOf(vs) => vs.iter().collect(),
            _ => Vec::new(),
        };
        out.extend(
            vals.into_iter()
                .filter_map(Value::as_u64)
                .filter_map(|n| u16::try_from(n).ok()),
        );
    }
    out
}

/// Whether `text` names `n` as a number of its own ("answer 500", not "1500").
fn names_number(text: &str, n: u16) -> bool {
    let n = n.to_string();
    text.match_indices(&n).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + n.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The property names of a JSONPath (`$.a.b`, `$['a']`, `$.items[0].id`, bare `a`).
fn segments(path: &str) -> Vec<String> {
    let Some(rest) = path.strip_prefix('$') else {
        return vec![path.to_owned()];
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' | '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if c == '[' {
                    let mut inner = String::new();
                    for d in chars.by_ref() {
                        if d == ']' {
                            break;
                        }
                        inner.push(d);
                    }
                    let t = inner.trim();
                    if (t.starts_with('\'') && t.ends_with('\'')
                        || t.starts_with('"') && t.ends_with('"'))
                        && t.len() >= 2
                    {
                        out.push(t[1..t.len() - 1].to_owned());
                    }
                }
            }
            '*' => {}
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every property name anywhere in a schema (its `$defs` included).
fn property_names(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get("properties") {
                for k in props.keys() {
                    if !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
            for v in o.values() {
                property_names(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

/// The subschemas that constrain top-level property `name`: under `properties`, through
/// `allOf` and local `$ref`s.
fn top_property(root: &Value, schema: &Value, name: &str, depth: u32) -> Vec<Value> {
    if depth > 8 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(r) = schema.get("$ref").and_then(Value::as_str)
        && let Some(ptr) = r.strip_prefix('#')
        && let Some(target) = root.pointer(ptr)
    {
        out.extend(top_property(root, target, name, depth + 1));
    }
    if let Some(p) = schema.pointer(&format!(
        "/properties/{}",
        name.replace('~', "~0").replace('/', "~1")
    )) {
        out.push(p.clone());
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for s in all {
            out.extend(top_property(root, s, name, depth + 1));
        }
    }
    out
}

fn ops(c: &Contract) -> String {
    let all: Vec<String> = c.operations.iter().take(10).map(Operation::label).collect();
    list(&all.iter().map(String::as_str).collect::<Vec<_>>())
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = items.iter().take(12).map(|s| format!("`{s}`")).collect();
    if items.len() > 12 {
        format!("{} and {} more", shown.join(", "), items.len() - 12)
    } else {
        shown.join(", ")
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_numbers() {
        assert_eq!(segments("$.error"), vec!["error"]);
        assert_eq!(segments("$['a'].b[0].c"), vec!["a", "b", "c"]);
        assert_eq!(segments("user_id"), vec!["user_id"]);
        assert!(names_number("shall answer 503 with", 503));
        assert!(!names_number("within 1500 ms", 500));
        assert!(names_number("(`valid: false`, or answers 401 or 403)", 403));
        assert_eq!(
            tables("SELECT a FROM access_decisions d JOIN x ON 1 WHERE b = $1"),
            vec!["access_decisions", "x"]
        );
    }
}
