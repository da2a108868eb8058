//! Asking about each requirement, then checking every proposal, in requirement order so
//! that the outcome does not depend on which answer arrived first.

use std::collections::HashSet;

use futures_util::StreamExt;
use serde_json::Value;

use crate::check::{self, Passed, Reason};
use crate::client::{Client, Completion};
use crate::error::LlmError;
use crate::format::{self, Constraint};
use crate::{Context, Known, Progress, prompt};

/// An accepted proposal.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The requirement it was proposed for.
    pub requirement: String,
    /// The checked scenario.
    pub passed: Passed,
}

/// A rejected proposal (or a whole answer, when it held no usable JSON).
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The requirement it was proposed for.
    pub requirement: String,
    /// The proposal's id, when it had one.
    pub id: Option<String>,
    /// Why.
    pub reason: Reason,
    /// What exactly.
    pub detail: String,
    /// The proposal as the model wrote it (the answer's text when it held no JSON).
    pub proposal: Value,
}

/// What one run of the LLM path produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Requirements asked about.
    pub asked: Vec<String>,
    /// Requirements not asked about because the token budget was spent.
    pub skipped: Vec<String>,
    /// Accepted proposals, in requirement order.
    pub accepted: Vec<Proposal>,
    /// Rejected proposals, in requirement order.
    pub rejected: Vec<Rejected>,
    /// Notes for the reader: response formats the server refused, budget.
    pub notes: Vec<String>,
    /// Tokens used, from the answers' `usage`.
    pub tokens: u64,
    /// Requests that needed a retry.
    pub retried: u32,
}

/// What asking about one requirement gave: the format used, the answer, notes.
type Asked = Result<(Constraint, Answer, Vec<String>), LlmError>;

/// One requirement's answer, or why there is none.
enum Answer {
    Got(Completion),
    Budget,
}

/// Asks about `requirements` (indexes into `ctx.requirements`) and checks the answers.
pub async fn propose(
    ctx: &Context<'_>,
    client: &Client,
    requirements: &[usize],
    progress: &dyn Progress,
) -> Result<Outcome, LlmError> {
    let mut out = Outcome::default();
    progress.start(requirements.len() as u64);
    let mut answers: Vec<(usize, Answer)> = Vec::new();
    let mut constraint = Constraint::JsonSchema;
    // The first request alone: it learns which response_format the server takes, so the
    // others start there and a replay sends exactly the requests that were recorded.
    if let Some((&first, rest)) = requirements.split_first() {
        let (c, a) = ask(ctx, client, first, constraint, &mut out.notes).await?;
        constraint = c;
        progress.done(&ctx.requirements[first].id);
        answers.push((first, a));
        let concurrency = client.settings().concurrency;
        let results: Vec<(usize, Asked)> = futures_util::stream::iter(rest.iter().copied())
            .map(|i| async move {
                let mut notes = Vec::new();
                let r = ask(ctx, client, i, constraint, &mut notes).await;
                progress.done(&ctx.requirements[i].id);
                (i, r.map(|(c, a)| (c, a, notes)))
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        for (i, r) in results {
            let (_, a, notes) = r?;
            for n in notes {
                if !out.notes.contains(&n) {
                    out.notes.push(n);
                }
            }
            answers.push((i, a));
        }
    }
    progress.finish();
    answers.sort_by_key(|(i, _)| *i);

    let mut known: Vec<Known> = ctx.known.clone();
    let mut ids: HashSet<String> = known.iter().map(|k| k.id.clone()).collect();
    for (i, answer) in answers {
        let req = ctx.requirements[i].id.clone();
        let completion = match answer {
            Answer::Budget => {
                out.skipped.push(req);
                continue;
            }
            Answer::Got(c) => c,
        };
        out.asked.push(req.clone());
        let items = match items(&completion) {
            Ok(items) => items,
            Err((reason, detail)) => {
                out.rejected.push(Rejected {
                    requirement: req,
                    id: None,
                    reason,
                    detail,
                    proposal: Value::String(completion.content.clone()),
                });
                continue;
            }
        };
        let view = Context {
            map: ctx.map,
            requirements: ctx.requirements,
            sut: ctx.sut,
            deps: ctx.deps,
            links: ctx.links,
            known: known.clone(),
            suite_check: ctx.suite_check,
        };
        for item in items {
            let raw_id = item.get("id").and_then(Value::as_str).map(str::to_owned);
            match check::check(&view, &req, &item) {
                Ok(mut passed) => {
                    if ids.contains(&passed.id) {
                        let base = passed.id.clone();
                        let mut n = 2;
                        while ids.contains(&format!("{base}-{n}")) {
                            n += 1;
                        }
                        passed.id = format!("{base}-{n}");
                        passed.body["id"] = Value::String(passed.id.clone());
                        passed.scenario.id.value = passed.id.clone();
                    }
                    ids.insert(passed.id.clone());
                    let k = Known::of(&passed.scenario);
                    known.push(k.clone());
                    out.accepted.push(Proposal {
                        requirement: req.clone(),
                        passed,
                    });
                }
                Err(refusal) => out.rejected.push(Rejected {
                    requirement: req.clone(),
                    id: raw_id,
                    reason: refusal.reason,
                    detail: refusal.detail,
                    proposal: item,
                }),
            }
        }
    }
    if !out.skipped.is_empty() {
        out.notes.push(format!(
            "the token budget ({} tokens) was spent: {} requirement(s) not asked about ({}); raise `llm.token_budget` to ask about them",
            client.settings().token_budget.unwrap_or(0),
            out.skipped.len(),
            out.skipped.join(", ")
        ));
    }
    out.tokens = client.tokens_used();
    out.retried = client.retried();
    Ok(out)
}

/// Asks about one requirement, loosening the response format while the server refuses
/// it.
async fn ask(
    ctx: &Context<'_>,
    client: &Client,
    requirement: usize,
    start: Constraint,
    notes: &mut Vec<String>,
) -> Result<(Constraint, Answer), LlmError> {
    let s = client.settings();
    let mut c = start;
    loop {
        let body = prompt::request(ctx, requirement, c, &s.model, s.max_tokens, s.temperature);
        match client.complete(&body).await {
            Ok(done) => return Ok((c, Answer::Got(done))),
            Err(LlmError::Budget { .. }) => return Ok((c, Answer::Budget)),
            Err(LlmError::Refused { status, message })
                if format::rejects_format(status, &message) =>
            {
                match c.looser() {
                    Some(next) => {
                        let note = format!(
                            "the server refused `response_format` {} ({status}: {message}); asked with {} instead",
                            c.name(),
                            next.name()
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                        c = next;
                    }
                    None => return Err(LlmError::Refused { status, message }),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// The proposals in an answer: `{"scenarios": [...]}`, a bare array, or one scenario.
fn items(c: &Completion) -> Result<Vec<Value>, (Reason, String)> {
    if c.finish_reason.as_deref() == Some("length") {
        return Err((
            Reason::NotJson,
            "the answer was cut off at the token limit (`llm.max_tokens`); raise it".into(),
        ));
    }
    let v = format::extract_json(&c.content).map_err(|e| (Reason::NotJson, e))?;
    match v {
        Value::Object(mut o) if o.contains_key("scenarios") => match o.remove("scenarios") {
            Some(Value::Array(a)) => Ok(a),
            _ => Err((Reason::Schema, "`scenarios` is not an array".into())),
        },
        Value::Object(o) if o.contains_key("id") => Ok(vec![Value::Object(o)]),
        Value::Array(a) => Ok(a),
        other => {
            let s: String = other.to_string().chars().take(80).collect();
            Err((
                Reason::Schema,
                format!("expected {{\"scenarios\": [...]}}, got `{s}`"),
            ))
        }
    }
}
