//! What each dependency double answers in a scenario: the dependency contract's named
//! examples as replies (`valid`, `invalid`, `expired`), or the staged failure.

use crosscheck_contract::{Operation, StatusKey};
use serde_json::{Map, Value, json};

use crate::context::{Ctx, named, success_examples};
use crate::situation::Situation;

/// The dependency operation the SUT calls: its credential checker, or its only
/// operation. `None` when the dependency has several and none is known to be called.
pub(crate) fn called_op<'a>(ctx: &Ctx<'a>, dep: &str) -> Option<&'a Operation> {
    let d = ctx.dep(dep)?;
    d.validator
        .or_else(|| match d.contract.map(|c| c.operations.as_slice()) {
            Some([only]) => Some(only),
            _ => None,
        })
}

/// The success answer of a dependency operation, and where it came from.
pub(crate) fn success_reply(
    ctx: &mut Ctx<'_>,
    dep: &str,
    op: &Operation,
) -> Option<(Value, String)> {
    let ex = success_examples(op);
    if let Some(v) = named(&ex, &["valid", "ok", "success", "granted", "default"])
        .filter(|_| !ex.iter().all(|(n, _)| n.contains("invalid")))
        .or_else(|| {
            ex.iter()
                .find(|(n, _)| {
                    !["invalid", "expired", "revoked", "denied"]
                        .iter()
                        .any(|w| n.to_lowercase().contains(w))
                })
                .map(|(_, v)| v)
        })
    {
        let name = ex
            .iter()
            .find(|(_, x)| x == v)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        return Some((
            v.clone(),
            format!("its contract's `{name}` example of {}", op.label()),
        ));
    }
    let schema = op
        .responses
        .iter()
        .find(|r| matches!(r.status, StatusKey::Code(200..=299)))
        .and_then(|r| r.media.iter().find_map(|(_, s)| s.clone()))?;
    let contract = ctx.dep(dep)?.contract?;
    let v = ctx.valid_for(contract, &schema, &format!("{} of `{dep}`", op.label()))?;
    Some((
        v,
        format!("a value generated from the schema of {}", op.label()),
    ))
}

fn on(op: Option<&Operation>) -> Value {
    match op {
        Some(o) => json!({"method": o.method, "path": o.path}),
        None => json!({}),
    }
}

/// Bodies that break the contract of the called operation's success answer, in a
/// property the SUT cannot do without (a required one, or the body's type):
/// `(slug, property, body)`.
pub(crate) fn broken_replies(ctx: &mut Ctx<'_>, dep: &str) -> Vec<(String, String, Value)> {
    let Some(op) = called_op(ctx, dep) else {
        return Vec::new();
    };
    let Some((valid, _)) = success_reply(ctx, dep, op) else {
        return Vec::new();
    };
    let Some(schema) = op
        .responses
        .iter()
        .find(|r| matches!(r.status, StatusKey::Code(200..=299)))
        .and_then(|r| r.media.iter().find_map(|(_, s)| s.clone()))
    else {
        return Vec::new();
    };
    let Some(contract) = ctx.dep(dep).and_then(|d| d.contract) else {
        return Vec::new();
    };
    let standalone = contract.standalone_schema(&schema);
    let flat = crate::data::flat(&standalone, &standalone);
    let required: Vec<String> = flat
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for bad in super::invalid_variants(&standalone, &valid) {
        let field = if bad.pointer.is_empty() {
            // Missing a required property is reported at the object.
            match (bad.keyword, &bad.value) {
                ("required", Value::Object(m)) => required
                    .iter()
                    .find(|r| !m.contains_key(*r))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            }
        } else {
            bad.pointer.trim_start_matches('/').to_owned()
        };
        let essential = (bad.pointer.is_empty() && bad.keyword == "type")
            || (required.contains(&field) && matches!(bad.keyword, "required" | "type"));
        if !essential {
            continue;
        }
        let slug = if field.is_empty() {
            format!("body-{}", bad.keyword.to_lowercase())
        } else {
            format!("{}-{}", super::slug(&field), bad.keyword.to_lowercase())
        };
        out.push((slug, field, bad.value));
    }
    out
}

/// The `given` section: a stub per dependency the operation uses.
pub(crate) fn given(
    ctx: &mut Ctx<'_>,
    index: usize,
    sit: &Situation,
    faulted: Option<&str>,
) -> (Map<String, Value>, Vec<String>) {
    let mut given = Map::new();
    let mut notes = Vec::new();
    for dep in ctx.uses[index].clone() {
        let called = called_op(ctx, &dep);
        let is_checker = ctx.dep(&dep).is_some_and(|d| d.validator.is_some());
        let target = on(called);
        let mut stubs: Vec<Value> = Vec::new();
        let success = |ctx: &mut Ctx<'_>| -> Vec<(Value, Value, String)> {
            match called {
                Some(op) => success_reply(ctx, &dep, op)
                    .map(|(v, from)| (on(Some(op)), v, from))
                    .into_iter()
                    .collect(),
                None => ctx
                    .dep(&dep)
                    .and_then(|d| d.contract)
                    .map(|c| c.operations.clone())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|op| {
                        success_reply(ctx, &dep, op).map(|(v, from)| (on(Some(op)), v, from))
                    })
                    .collect(),
            }
        };
        let fails_here = faulted == Some(dep.as_str());
        match sit {
            Situation::InvalidCredential | Situation::ExpiredCredential if is_checker => {
                let words: &[&str] = if matches!(sit, Situation::InvalidCredential) {
                    &["invalid", "revoked", "unknown"]
                } else {
                    &["expired"]
                };
                if let Some(op) = called {
                    let ex = success_examples(op);
                    if let Some(v) = named(&ex, words) {
                        let name = ex
                            .iter()
                            .find(|(_, x)| x == v)
                            .map(|(n, _)| n.clone())
                            .unwrap_or_default();
                        notes.push(format!(
                            "`{dep}` answers its contract's `{name}` example of {}.",
                            op.label()
                        ));
                        stubs.push(
                            json!({"on": target.clone(), "reply": {"status": 200, "json": v}}),
                        );
                    }
                }
            }
            s if fails_here
                && (s.dependency_fails() || matches!(s, Situation::DependencySlow(_))) =>
            {
                let (stub, note) = failure(ctx, &dep, called, sit, &target);
                notes.push(note);
                stubs.extend(stub);
            }
            _ => {
                for (on, v, from) in success(ctx) {
                    notes.push(format!("`{dep}` answers {from}."));
                    stubs.push(json!({"on": on, "reply": {"status": 200, "json": v}}));
                }
            }
        }
        if !stubs.is_empty() {
            given.insert(dep.clone(), Value::Array(stubs));
        }
    }
    (given, notes)
}

fn failure(
    ctx: &mut Ctx<'_>,
    dep: &str,
    called: Option<&Operation>,
    sit: &Situation,
    target: &Value,
) -> (Vec<Value>, String) {
    let good = called
        .and_then(|op| success_reply(ctx, dep, op))
        .map(|(v, _)| v)
        .unwrap_or(json!({}));
    match sit {
        Situation::DependencySlow(d) => (
            vec![
                json!({"on": target, "reply": {"status": 200, "json": good, "delay": format!("{}ms", d.as_millis())}}),
            ],
            format!(
                "`{dep}` answers well after {} ms: slow, but within the deadline the requirements state.",
                d.as_millis()
            ),
        ),
        Situation::DependencyTimeout => (
            vec![json!({"on": target, "fault": "timeout"})],
            format!("`{dep}` accepts the request and never answers."),
        ),
        Situation::DependencyStatus(s) => {
            let example = called
                .and_then(|op| {
                    op.responses
                        .iter()
                        .find(|r| r.status == StatusKey::Code(*s))
                })
                .and_then(|r| r.examples.first().map(|(_, v)| v.clone()));
            let reply = match example {
                Some(v) => json!({"status": s, "json": v}),
                None => json!({"status": s, "body": ""}),
            };
            (
                vec![json!({"on": target, "reply": reply})],
                format!("`{dep}` answers {s}."),
            )
        }
        Situation::DependencyReset => (
            vec![json!({"on": target, "fault": "reset"})],
            format!("`{dep}` resets the connection."),
        ),
        Situation::DependencyRefused => (
            vec![json!({"fault": "refuse"})],
            format!(
                "`{dep}` refuses every connection: its port stays bound but nothing listens, so the service's connect fails at once."
            ),
        ),
        Situation::DependencyClosed => (
            vec![json!({"on": target, "fault": "empty"})],
            format!("`{dep}` closes the connection without answering."),
        ),
        Situation::DependencyEmptyBody => (
            vec![
                json!({"on": target, "reply": {"status": 200, "body": "", "headers": {"Content-Type": "application/json"}}}),
            ],
            format!("`{dep}` answers 200 with an empty body."),
        ),
        Situation::DependencyNotJson => (
            vec![
                json!({"on": target, "reply": {"status": 200, "body": "{\"truncated\": tru", "headers": {"Content-Type": "application/json"}}}),
            ],
            format!("`{dep}` answers 200 with malformed JSON."),
        ),
        Situation::DependencyBreaksContract(slug, _) => {
            let body = broken_replies(ctx, dep)
                .into_iter()
                .find(|(s, _, _)| s == slug)
                .map(|(_, _, v)| v)
                .unwrap_or(json!({}));
            (
                vec![json!({"on": target, "reply": {"status": 200, "json": body}})],
                format!("`{dep}` answers a body that breaks its contract ({slug})."),
            )
        }
        Situation::DependencyFailsOnce => (
            vec![
                json!({"on": target, "fault": "reset", "times": 1}),
                json!({"on": target, "reply": {"status": 200, "json": good}}),
            ],
            format!("`{dep}` resets the first call and would answer a second one well."),
        ),
        _ => (Vec::new(), String::new()),
    }
}
