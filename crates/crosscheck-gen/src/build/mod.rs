//! Scenarios from the prepared context: one [`Draft`] per situation and operation.

mod callbacks;
mod crud_key;
mod effects;
mod expect;
mod link_values;
mod request;
mod sequence;
mod stubs;

use crosscheck_contract::Operation;
use serde_json::{Map, Value, json};

use crate::context::Ctx;
use crate::data::SchemaData;
use crate::situation::Situation;

/// One generated scenario before it is written.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Its stable id.
    pub id: String,
    /// The file it belongs in, relative to the generated folder.
    pub file: String,
    /// Comment lines: why it exists and which oracles decide it.
    pub notes: Vec<String>,
    /// The scenario as data (the scenario file format).
    pub body: Value,
}

/// Every scenario for every operation of the SUT.
pub(crate) fn all(ctx: &mut Ctx<'_>) -> Vec<Draft> {
    let mut out = Vec::new();
    effects::store_gaps(ctx);
    let ops = ctx.input.sut.operations.clone();
    for (i, op) in ops.iter().enumerate() {
        for (sit, faulted) in situations(ctx, i, op) {
            if let Some(d) = scenario(ctx, i, op, &sit, faulted.as_deref()) {
                out.push(d);
            }
        }
    }
    out.extend(sequence::all(ctx));
    out.extend(callbacks::all(ctx));
    out
}

/// The situations worth staging for `op`.
fn situations(ctx: &mut Ctx<'_>, index: usize, op: &Operation) -> Vec<(Situation, Option<String>)> {
    let mut out: Vec<(Situation, Option<String>)> = vec![(Situation::Success, None)];
    out.extend(
        request::bad_inputs(ctx, op)
            .into_iter()
            .map(|(slug, _, _)| (Situation::BadInput(slug), None)),
    );
    let mut plain = Vec::new();
    if op.security {
        plain.push(Situation::MissingCredential);
        plain.push(Situation::MalformedCredential);
        let checker = ctx.uses[index]
            .iter()
            .find_map(|d| ctx.dep(d).and_then(|d| d.validator));
        match checker {
            Some(v) => {
                let ex = crate::context::success_examples(v);
                if crate::context::named(&ex, &["invalid", "revoked", "unknown"]).is_some() {
                    plain.push(Situation::InvalidCredential);
                } else {
                    ctx.gap(op.label(), format!("the credential checker {} has no example named `invalid`; the invalid-credential scenario is left out", v.label()));
                }
                if crate::context::named(&ex, &["expired"]).is_some() {
                    plain.push(Situation::ExpiredCredential);
                } else {
                    ctx.gap(op.label(), format!("the credential checker {} has no example named `expired`; the expired-credential scenario is left out", v.label()));
                }
            }
            None => plain.push(Situation::InvalidCredential),
        }
    }
    out.extend(plain.into_iter().map(|s| (s, None)));
    for dep in ctx.uses[index].clone() {
        let mut faults = Vec::new();
        let (deadline, _) = ctx.deadline(&dep);
        let slow = deadline.map_or(std::time::Duration::from_millis(100), |d| d / 3);
        faults.push(Situation::DependencySlow(slow));
        faults.push(Situation::DependencyTimeout);
        let mut statuses: Vec<u16> = Vec::new();
        if let Some(called) = stubs::called_op(ctx, &dep) {
            for r in &called.responses {
                if let crosscheck_contract::StatusKey::Code(c @ 300..=599) = r.status {
                    statuses.push(c);
                }
            }
        }
        for s in [500, 429] {
            if !statuses.contains(&s) {
                statuses.push(s);
            }
        }
        statuses.sort_unstable();
        faults.extend(statuses.into_iter().map(Situation::DependencyStatus));
        faults.push(Situation::DependencyReset);
        if ctx.is_mock(&dep) {
            faults.push(Situation::DependencyRefused);
        } else {
            ctx.gap(
                format!("dependency {dep}"),
                "connection refused is staged on mock doubles (`fault: refuse`); for a proxied dependency add a scenario with `- toxic: { type: down }`",
            );
        }
        faults.extend([
            Situation::DependencyClosed,
            Situation::DependencyEmptyBody,
            Situation::DependencyNotJson,
            Situation::DependencyFailsOnce,
        ]);
        for (slug, field, _) in stubs::broken_replies(ctx, &dep) {
            faults.push(Situation::DependencyBreaksContract(slug, field));
        }
        out.extend(faults.into_iter().map(|s| (s, Some(dep.clone()))));
    }
    out
}

fn kind_of(sit: &Situation) -> &'static str {
    match sit {
        Situation::Success => "positive",
        Situation::MissingCredential
        | Situation::MalformedCredential
        | Situation::InvalidCredential
        | Situation::ExpiredCredential => "security",
        Situation::BadInput(_) => "negative",
        _ => "fault",
    }
}

/// One scenario, or `None` (with a gap) when no requirement can be traced to it.
fn scenario(
    ctx: &mut Ctx<'_>,
    index: usize,
    op: &Operation,
    sit: &Situation,
    faulted: Option<&str>,
) -> Option<Draft> {
    let kind = kind_of(sit);
    let op_slug = slug(op.id.clone().unwrap_or_else(|| op.label()).as_str());
    let id = match faulted {
        Some(d) => format!("gen-{op_slug}-{}-{}", slug(d), sit.slug()),
        None => format!("gen-{op_slug}-{}", sit.slug()),
    };
    let (covers, strongest) = expect::covers(ctx, index, sit, faulted);
    if covers.is_empty() {
        ctx.gap(
            id.clone(),
            format!("left out: no requirement speaks of {} for {} (add one, or link one with `operations:`)", describe(sit), op.label()),
        );
        return None;
    }
    let cred = ctx.credential(op);
    let (mut when, sent) = request::request(ctx, op, sit, cred.as_ref())?;
    let (given, stub_notes) = stubs::given(ctx, index, sit, faulted);
    let mut notes = vec![format!("Why: {} for {}.", describe(sit), op.label())];
    notes.extend(callbacks::steer_elsewhere(ctx, op, sit, &mut when));
    notes.extend(stub_notes);
    let then = expect::then(
        ctx,
        index,
        op,
        sit,
        &strongest,
        faulted,
        sent.as_deref(),
        &mut notes,
        &id,
    );
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert("title".into(), json!(title(op, sit)));
    body.insert("covers".into(), json!(covers));
    body.insert("kind".into(), json!(kind));
    body.insert("origin".into(), json!("generated"));
    body.insert("review".into(), json!("pending"));
    if !given.is_empty() {
        body.insert("given".into(), Value::Object(given));
    }
    body.insert("when".into(), Value::Object(when));
    body.insert("then".into(), Value::Object(then));
    Some(Draft {
        id,
        file: format!("{op_slug}.{kind}.yaml"),
        notes,
        body: Value::Object(body),
    })
}

fn title(op: &Operation, sit: &Situation) -> String {
    let what = op.label();
    match sit {
        Situation::Success => format!("{what} succeeds as documented"),
        Situation::BadInput(_) => format!("{what} rejects bad input"),
        Situation::MissingCredential => {
            format!("{what} without a credential is refused before any dependency work")
        }
        Situation::MalformedCredential => {
            format!("{what} with a malformed credential is refused before any dependency work")
        }
        Situation::InvalidCredential => format!("{what} with an invalid credential is refused"),
        Situation::ExpiredCredential => format!("{what} with an expired credential is refused"),
        Situation::DependencySlow(_) => {
            format!("{what} succeeds when a dependency is slow but in time")
        }
        Situation::DependencyRefused => {
            format!("{what} fails closed and fast when a dependency refuses connections")
        }
        other => format!("{what} fails closed when {}", describe(other)),
    }
}

/// The situation in words.
pub(crate) fn describe(sit: &Situation) -> String {
    match sit {
        Situation::Success => "the documented success path".into(),
        Situation::DependencySlow(d) => {
            format!("a dependency answering after {} ms", d.as_millis())
        }
        Situation::MissingCredential => "a request without a credential".into(),
        Situation::MalformedCredential => "a malformed credential".into(),
        Situation::InvalidCredential => "an invalid credential".into(),
        Situation::ExpiredCredential => "an expired credential".into(),
        Situation::DependencyTimeout => "a dependency that never answers".into(),
        Situation::DependencyStatus(s) => format!("a dependency answering {s}"),
        Situation::DependencyReset => "a dependency resetting the connection".into(),
        Situation::DependencyRefused => "a dependency refusing connections".into(),
        Situation::DependencyClosed => {
            "a dependency closing the connection without an answer".into()
        }
        Situation::DependencyEmptyBody => "a dependency answering an empty body".into(),
        Situation::DependencyNotJson => "a dependency answering a body that is not JSON".into(),
        Situation::DependencyBreaksContract(_, _) => {
            "a dependency answering a body that breaks its contract".into()
        }
        Situation::DependencyFailsOnce => "a dependency failing once, then answering well".into(),
        Situation::BadInput(s) => format!("bad input ({s})"),
    }
}

/// `getResource` → `getResource`; `GET /a/{b}` → `get-a-b`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Invalid variants of a valid value under `schema` of the contract (standalone).
pub(crate) fn invalid_variants(schema: &Value, valid: &Value) -> Vec<crate::data::Invalid> {
    SchemaData::new(schema)
        .map(|d| d.invalid(valid))
        .unwrap_or_default()
}
