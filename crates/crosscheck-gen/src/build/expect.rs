//! What a generated scenario expects, from its oracles in order of strength: the
//! requirement's words, the contract, and properties that hold at every boundary.

use std::time::Duration;

use crosscheck_contract::{Operation, StatusKey};
use crosscheck_model::system_map::LogFormat;
use serde_json::{Map, Value, json};

use crate::context::Ctx;
use crate::link::Link;
use crate::situation::{Class, Situation};
use crate::text::{Facts, names_field};

/// Fallback statuses for a failed dependency when the contract documents none.
const FAIL_CLOSED: [u16; 4] = [500, 502, 503, 504];

/// The requirements a scenario covers, and the indices of the links whose condition
/// names its situation most strongly. Requirements that hold for every request of the
/// operation are covered too, unless all they check is calls on a dependency that
/// refuses connections in this scenario (`faulted`): no call can be counted there.
pub(crate) fn covers(
    ctx: &Ctx<'_>,
    index: usize,
    sit: &Situation,
    faulted: Option<&str>,
) -> (Vec<String>, Vec<usize>) {
    let linked: Vec<usize> = (0..ctx.links.len())
        .filter(|i| ctx.links[*i].operations.contains(&index))
        .collect();
    let best = linked
        .iter()
        .filter(|i| !ctx.links[**i].facts.universal)
        .map(|i| sit.strength(&ctx.links[*i]))
        .max()
        .unwrap_or(0);
    let strongest: Vec<usize> = if best == 0 {
        Vec::new()
    } else {
        linked
            .iter()
            .copied()
            .filter(|i| !ctx.links[*i].facts.universal && sit.strength(&ctx.links[*i]) == best)
            .collect()
    };
    let uncountable = |l: &Link| match (sit, faulted) {
        (Situation::DependencyRefused, Some(dep)) => {
            only_calls(&l.facts)
                && !l.dependencies.is_empty()
                && l.dependencies.iter().all(|d| d == dep)
        }
        _ => false,
    };
    let mut ids: Vec<String> = linked
        .iter()
        .filter(|i| {
            let l = &ctx.links[**i];
            strongest.contains(i) || (l.facts.universal && !uncountable(l))
        })
        .map(|i| ctx.links[*i].id.clone())
        .collect();
    for extra in super::effects::covering(ctx, index, sit) {
        if !ids.contains(&extra) {
            ids.push(extra);
        }
    }
    (ids, strongest)
}

/// Whether all a requirement checks is the calls a service makes on its dependencies
/// ("exactly once", "forwarding", "shall not call"): no status, header, bound, log or
/// field of its own.
fn only_calls(f: &Facts) -> bool {
    (f.exactly_once || f.forwards || f.no_call)
        && f.statuses.is_empty()
        && f.error_codes.is_empty()
        && f.within.is_none()
        && !(f.logs || f.stores || f.publishes || f.never_appears || f.never_succeeds)
        && f.not_logged.is_empty()
        && f.response_headers.is_empty()
        && f.field_values.is_empty()
        && f.field_value.is_empty()
}

fn documented(op: &Operation, status: u16) -> bool {
    op.responses.iter().any(|r| match r.status {
        StatusKey::Code(c) => c == status,
        StatusKey::Range(r) => u16::from(r) == status / 100,
        StatusKey::Default => false,
    })
}

fn codes(op: &Operation, class: u16) -> Vec<u16> {
    op.responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c) if c / 100 == class => Some(c),
            _ => None,
        })
        .collect()
}

/// What a scenario accepts when the contract documents no status for its case: the
/// matcher, and a status of that class standing for it (for the outcome's class).
fn gap_status(sit: &Situation) -> (Value, u16) {
    match sit {
        Situation::Success | Situation::DependencySlow(_) => {
            (json!({"regex": "^2[0-9][0-9]$"}), 200)
        }
        Situation::MissingCredential
        | Situation::MalformedCredential
        | Situation::InvalidCredential
        | Situation::ExpiredCredential => (json!({"one_of": [401, 403]}), 401),
        Situation::BadInput(..) => (json!({"regex": "^4[0-9][0-9]$"}), 400),
        _ => (status_matcher(&FAIL_CLOSED), 500),
    }
}

/// Whether some documented response could cover an answer of `class` (`2` for 2xx): a
/// code of that class, the `2XX` range, or `default`.
fn documents_class(op: &Operation, class: u16) -> bool {
    op.responses.iter().any(|r| match r.status {
        StatusKey::Code(c) => c / 100 == class,
        StatusKey::Range(r) => u16::from(r) == class,
        StatusKey::Default => true,
    })
}

fn status_matcher(statuses: &[u16]) -> Value {
    match statuses {
        [one] => json!(one),
        many => json!({"one_of": many}),
    }
}

/// The `then` section.
#[allow(clippy::too_many_arguments)]
pub(crate) fn then(
    ctx: &mut Ctx<'_>,
    index: usize,
    op: &Operation,
    sit: &Situation,
    strongest: &[usize],
    faulted: Option<&str>,
    secret: Option<&str>,
    notes: &mut Vec<String>,
    id: &str,
) -> Map<String, Value> {
    let links: Vec<Link> = strongest.iter().map(|i| ctx.links[*i].clone()).collect();
    let universal: Vec<Link> = ctx
        .links
        .iter()
        .filter(|l| l.facts.universal && l.operations.contains(&index))
        .cloned()
        .collect();
    let ids = |ls: &[&Link]| {
        ls.iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut then = Map::new();

    // 1. The status: named by the requirement, else what the contract documents.
    let mut named: Vec<u16> = Vec::new();
    for l in &links {
        for s in &l.facts.statuses {
            if documented(op, *s) && !named.contains(s) {
                named.push(*s);
            }
        }
    }
    let exactly_once = |dep: &str| {
        links
            .iter()
            .chain(&universal)
            .any(|l| l.facts.exactly_once && l.dependencies.iter().any(|d| d == dep))
    };
    // Where the contract documents no status for the case, the scenario accepts the
    // class the case calls for (`fallback`), and, when no response at all could apply,
    // conformance has nothing to check the answer against.
    let mut fallback: Option<(Value, bool)> = None;
    let statuses: Vec<u16> = if !named.is_empty() {
        let by: Vec<&Link> = links
            .iter()
            .filter(|l| !l.facts.statuses.is_empty())
            .collect();
        notes.push(format!("Status: {} named by {}.", join(&named), ids(&by)));
        named
    } else {
        let (s, why) = contract_status(op, sit, faulted.is_some_and(&exactly_once));
        if s.is_empty() {
            ctx.gap(id, why.clone());
        }
        notes.push(why);
        if s.is_empty() {
            let (matcher, example) = gap_status(sit);
            fallback = Some((matcher, documents_class(op, example / 100)));
            vec![example]
        } else {
            s
        }
    };
    match &fallback {
        Some((matcher, _)) => then.insert("status".into(), matcher.clone()),
        None => then.insert("status".into(), status_matcher(&statuses)),
    };

    // 2. Headers every response must carry.
    let mut headers = Map::new();
    for l in links.iter().chain(&universal) {
        for h in &l.facts.response_headers {
            headers.insert(h.to_lowercase(), json!({"exists": true}));
        }
    }
    if !headers.is_empty() {
        then.insert("headers".into(), Value::Object(headers));
    }

    // 3. Error codes the requirement names, where the documented body has them.
    if let ([status], None) = (statuses.as_slice(), &fallback) {
        let mut body = Map::new();
        for l in &links {
            for code in &l.facts.error_codes {
                if let Some(prop) = property_for_code(ctx, op, *status, code) {
                    body.insert(format!("$.{prop}"), json!(code));
                }
            }
        }
        if !body.is_empty() {
            then.insert("json".into(), Value::Object(body));
        }
    }
    if let Some(s) = secret {
        then.insert("body".into(), json!({"not": {"contains": token_of(s)}}));
    }
    if let Some((_, false)) = fallback {
        notes.push(format!(
            "Conformance: not checked; {} documents no response this answer could match.",
            ctx.input.sut.file
        ));
    } else {
        then.insert("conforms".into(), json!(true));
        notes.push(format!(
            "Conformance: the answer must match {} (status documented, body valid).",
            ctx.input.sut.file
        ));
    }

    // 4. A bound on the answer.
    let mut within: Option<Duration> = links.iter().filter_map(|l| l.facts.within).min();
    if matches!(sit, Situation::DependencyTimeout) {
        let (deadline, bound) = faulted.map(|d| ctx.deadline(d)).unwrap_or((None, None));
        within = match (within.or(bound), deadline) {
            (Some(b), _) => Some(b),
            (None, Some(d)) => {
                ctx.gap(id, format!("no requirement bounds the answer when a dependency hangs; twice its deadline ({} ms) is assumed", d.as_millis()));
                Some(d * 2)
            }
            (None, None) => {
                ctx.gap(id, "no requirement states a deadline for the dependency; the answer is expected within 5 s (fail fast)");
                Some(Duration::from_secs(5))
            }
        };
    }
    if matches!(sit, Situation::DependencyRefused) && within.is_none() {
        within = Some(refused_bound(ctx, faulted, notes, id));
    }
    if let Some(w) = within {
        then.insert("within".into(), json!(span(w)));
    }

    // 5. Calls on each dependency.
    let mut calls = Map::new();
    let reaches = sit.reaches_dependencies();
    for dep in ctx.uses[index].clone() {
        let called = super::stubs::called_op(ctx, &dep);
        if !reaches {
            calls.insert(dep.clone(), json!([{"times": 0}]));
            notes.push(format!(
                "Calls: none on `{dep}`: a rejected request causes no dependency work (property)."
            ));
            continue;
        }
        if matches!(sit, Situation::DependencyRefused) && faulted == Some(dep.as_str()) {
            notes.push(format!(
                "Calls: none can reach `{dep}` while it refuses connections, so none are checked."
            ));
            continue;
        }
        let Some(op) = called else { continue };
        let mut call = Map::new();
        call.insert("method".into(), json!(op.method));
        call.insert("path".into(), json!(op.path));
        let once = exactly_once(&dep);
        if once {
            call.insert("times".into(), json!(1));
        }
        let forwards: Vec<&Link> = links
            .iter()
            .chain(&universal)
            .filter(|l| l.facts.forwards && l.dependencies.iter().any(|d| d == &dep))
            .collect();
        let mut forwarded = false;
        if let (Some(s), Some(cred)) = (
            secret,
            ctx.credential(ctx.input.sut.operations.get(index).unwrap_or(op))
                .as_ref(),
        ) {
            let header = cred.header.to_lowercase();
            if forwards
                .iter()
                .any(|l| l.facts.consequence.contains(&header))
            {
                let mut h = Map::new();
                h.insert(header, json!(s));
                call.insert("headers".into(), Value::Object(h));
                forwarded = true;
            }
        }
        let by: Vec<&Link> = links
            .iter()
            .chain(&universal)
            .filter(|l| {
                (l.facts.exactly_once || l.facts.forwards)
                    && l.dependencies.iter().any(|d| d == &dep)
            })
            .collect();
        notes.push(format!(
            "Calls: {} on `{dep}`{}{}.",
            op.label(),
            if once {
                " exactly once"
            } else {
                " at least once"
            },
            if by.is_empty() {
                String::new()
            } else {
                format!(
                    " ({}{})",
                    ids(&by),
                    if forwarded {
                        ", with the credential forwarded"
                    } else {
                        ""
                    }
                )
            }
        ));
        calls.insert(dep.clone(), json!([Value::Object(call)]));
    }
    if !calls.is_empty() {
        then.insert("calls".into(), Value::Object(calls));
    }

    // 6. Log lines.
    let logs = logs(
        ctx, index, sit, &statuses, &links, &universal, secret, notes, id,
    );
    if !logs.is_empty() {
        then.insert("logs".into(), Value::Array(logs));
    }

    // 7. Messages and metrics other systems observe.
    let one = match statuses.as_slice() {
        [s] => Some(*s),
        _ => None,
    };
    let (messages, metrics) = super::effects::assertions(ctx, index, sit, one, notes, id);
    if !messages.is_empty() {
        then.insert("messages".into(), Value::Array(messages));
    }
    if !metrics.is_empty() {
        then.insert("metrics".into(), Value::Array(metrics));
    }
    then
}

/// How soon the service must answer when a dependency refuses connections: a refused
/// connect is known at once, so within the service's own deadline for that dependency
/// (it must not wait it out, or keep reconnecting); 2 s, and a gap, when no requirement
/// states one.
fn refused_bound(
    ctx: &mut Ctx<'_>,
    faulted: Option<&str>,
    notes: &mut Vec<String>,
    id: &str,
) -> Duration {
    let (deadline, _) = faulted.map(|d| ctx.deadline(d)).unwrap_or((None, None));
    match deadline {
        Some(d) => {
            notes.push(format!("Bound: a refused connection is known at once, so the answer must come within the service's own deadline for the dependency ({} ms), not after waiting it out or reconnecting (fail fast).", d.as_millis()));
            d
        }
        None => {
            ctx.gap(id, "no requirement states a deadline for the dependency; when it refuses connections the answer is expected within 2 s (fail fast)");
            notes.push("Bound: a refused connection is known at once; 2 s is allowed (fail fast; no deadline is stated).".into());
            Duration::from_secs(2)
        }
    }
}

fn contract_status(op: &Operation, sit: &Situation, once: bool) -> (Vec<u16>, String) {
    let ok = codes(op, 2);
    let fail: Vec<u16> = codes(op, 5);
    let refuse = |wanted: &[u16]| -> Vec<u16> {
        wanted
            .iter()
            .copied()
            .filter(|s| documented(op, *s))
            .collect()
    };
    match sit {
        Situation::Success | Situation::DependencySlow(_) if ok.is_empty() => (
            Vec::new(),
            "Contract gap: no success status (2xx) is documented; any 2xx is expected.".into(),
        ),
        Situation::Success | Situation::DependencySlow(_) => (
            ok.clone(),
            format!(
                "Status: a documented success ({}) from the contract.",
                join(&ok)
            ),
        ),
        Situation::MissingCredential | Situation::MalformedCredential => {
            let s = refuse(&[401]);
            let s = if s.is_empty() { refuse(&[403]) } else { s };
            if s.is_empty() {
                (Vec::new(), "Contract gap: no 401 or 403 is documented for a request without a valid credential; 401 or 403 is expected.".into())
            } else {
                (
                    s.clone(),
                    format!("Status: {} documented for a refused credential.", join(&s)),
                )
            }
        }
        Situation::InvalidCredential | Situation::ExpiredCredential => {
            let s = refuse(&[401, 403]);
            if s.is_empty() {
                (
                    Vec::new(),
                    "Contract gap: no 401 or 403 is documented for a rejected credential.".into(),
                )
            } else {
                (
                    s.clone(),
                    format!("Status: {} documented for a rejected credential.", join(&s)),
                )
            }
        }
        Situation::BadInput(_) => {
            let s = refuse(&[400, 422]);
            let s = if s.is_empty() {
                codes(op, 4)
                    .into_iter()
                    .filter(|c| *c != 401 && *c != 403)
                    .collect()
            } else {
                s
            };
            if s.is_empty() {
                (
                    Vec::new(),
                    "Contract gap: no 4xx is documented for bad input; any 4xx is expected (400 or 422 usually)."
                        .into(),
                )
            } else {
                (
                    s.clone(),
                    format!("Status: {} documented for bad input.", join(&s)),
                )
            }
        }
        Situation::DependencyFailsOnce if !once => {
            let mut s = ok.clone();
            s.extend(&fail);
            (s, "Contract gap: whether the service retries a failed dependency call is not stated; success or a documented failure is accepted, never an undocumented answer.".into())
        }
        _ => {
            if fail.is_empty() {
                (Vec::new(), "Contract gap: no 5xx is documented for a failed dependency; the scenario asserts the service fails closed (500, 502, 503 or 504), never success.".into())
            } else {
                (
                    fail.clone(),
                    format!(
                        "Status: {} documented for a failed dependency; never a success built on a failed dependency (property).",
                        join(&fail)
                    ),
                )
            }
        }
    }
}

/// The top-level property of the documented body for `status` whose `const` or `enum`
/// holds `code`.
fn property_for_code(ctx: &Ctx<'_>, op: &Operation, status: u16, code: &str) -> Option<String> {
    let r = op.response_for(status)?;
    let schema = r.media.iter().find_map(|(_, s)| s.clone())?;
    let standalone = ctx.input.sut.standalone_schema(&schema);
    let flat = crate::data::flat(&standalone, &standalone);
    let props = flat.get("properties")?.as_object()?;
    props.iter().find_map(|(name, ps)| {
        let p = crate::data::flat(ps, &standalone);
        let listed = p.get("const").is_some_and(|c| c == code)
            || p.get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|x| x == code));
        listed.then(|| name.clone())
    })
}

#[allow(clippy::too_many_arguments)]
fn logs(
    ctx: &mut Ctx<'_>,
    index: usize,
    sit: &Situation,
    statuses: &[u16],
    links: &[Link],
    universal: &[Link],
    secret: Option<&str>,
    notes: &mut Vec<String>,
    id: &str,
) -> Vec<Value> {
    let mut out = Vec::new();
    let json_log = ctx
        .input
        .map
        .sut
        .logs
        .as_ref()
        .is_some_and(|l| l.format == LogFormat::Json);
    let class = match statuses {
        [one] => Class::of_status(*one),
        _ if sit.dependency_fails() => Class::Error,
        _ => Class::of_status(*statuses.first().unwrap_or(&500)),
    };
    let mut fields = Map::new();
    let mut from: Vec<&str> = Vec::new();
    let mut absent: Vec<Value> = Vec::new();
    for l in links.iter().chain(universal) {
        let text = format!("{} {}", l.facts.condition, l.facts.consequence);
        if l.facts.logs {
            let before = fields.len();
            for (field, values) in &ctx.vocab {
                if names_field(&text, field)
                    && let Some(v) = values.iter().find(|v| class.names(v))
                {
                    fields.entry(field.clone()).or_insert(json!(v));
                }
            }
            if !l.facts.universal {
                for (field, value) in &l.facts.field_value {
                    fields.entry(field.clone()).or_insert(json!(value));
                }
            }
            for f in &l.fields {
                // A one-word field ("error", "access") is named only when quoted; compound
                // names ("user ID", `user_id`) are specific enough as words.
                let a_listed_value = ctx.vocab.iter().any(|(_, vs)| vs.contains(f));
                if fields.contains_key(f)
                    || a_listed_value
                    || (!f.contains('_') && !l.facts.quoted.contains(f))
                {
                    continue;
                }
                if let Some(v) = field_value(ctx, index, sit, f) {
                    fields.insert(f.clone(), v);
                }
            }
            if names_field(&text, "timestamp") {
                fields
                    .entry("timestamp".to_owned())
                    .or_insert(json!({"format": "date-time"}));
            }
            if fields.len() > before {
                from.push(&l.id);
            }
        }
        for word in &l.facts.not_logged {
            if let Some((field, _)) = ctx.vocab.iter().find(|(_, vs)| vs.contains(word)) {
                let mut m = Map::new();
                m.insert(field.clone(), json!(word));
                let e = json!({"match": m, "absent": true});
                if !absent.contains(&e)
                    && !Class::of_status(*statuses.first().unwrap_or(&500)).names(word)
                {
                    absent.push(e);
                    from.push(&l.id);
                }
            }
        }
    }
    if !fields.is_empty() || !absent.is_empty() {
        if json_log {
            if !fields.is_empty() {
                out.push(json!({"match": fields}));
            }
            out.extend(absent);
            from.dedup();
            notes.push(format!("Logs: fields and values from {}.", from.join(", ")));
        } else {
            ctx.gap(id, "a requirement speaks of logging, but crosscheck.yaml names no JSON log (`sut.logs`); no log assertion is made");
        }
    }
    if let Some(s) = secret {
        let token = token_of(s);
        if ctx.input.map.sut.logs.is_some() {
            out.push(json!({"contains": token, "absent": true}));
        }
        out.push(json!({"contains": token, "source": "stderr", "absent": true}));
        out.push(json!({"contains": token, "source": "stdout", "absent": true}));
        notes.push("Secrets: the credential sent must not appear in the answer, the log, stdout or stderr (property).".into());
    }
    out
}

/// The value a log field must have: what the dependency double answered, the request's
/// own path parameter, or just present.
pub(super) fn field_value(
    ctx: &mut Ctx<'_>,
    index: usize,
    sit: &Situation,
    field: &str,
) -> Option<Value> {
    let op = ctx.input.sut.operations.get(index)?;
    if field.contains("time") || field.ends_with("_at") || field.contains("date") {
        return Some(json!({"format": "date-time"}));
    }
    // The checker's answer names the user on a grant.
    if matches!(sit, Situation::Success | Situation::DependencySlow(_)) {
        for dep in ctx.uses[index].clone() {
            if let Some(called) = super::stubs::called_op(ctx, &dep)
                && let Some((Value::Object(m), _)) = super::stubs::success_reply(ctx, &dep, called)
                && let Some(v) = m.get(field)
                && !v.is_object()
            {
                return Some(v.clone());
            }
        }
    }
    // `resource_id` for `/resources/{id}`.
    let segments: Vec<&str> = op.path.split('/').collect();
    for w in segments.windows(2) {
        if let Some(param) = w[1].strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            let singular = w[0].strip_suffix('s').unwrap_or(w[0]);
            if field == format!("{singular}_{param}") || (param != "id" && field == param) {
                let p = op.parameters.iter().find(|p| p.name == param)?;
                let schema = p.schema.clone().unwrap_or(json!({"type": "string"}));
                let contract = ctx.input.sut;
                let v = ctx.valid_for(contract, &schema, "path parameter")?;
                return Some(match v {
                    Value::String(s) => json!(s),
                    other => json!(other.to_string()),
                });
            }
        }
    }
    Some(json!({"exists": true}))
}

/// `Bearer abc` → `abc`: the secret part of a credential.
fn token_of(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, rest))
            if !rest.trim().is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            rest.trim().to_owned()
        }
        _ => value.to_owned(),
    }
}

fn span(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

fn join(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
