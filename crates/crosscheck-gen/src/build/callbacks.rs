//! OpenAPI `callbacks` as webhook scenarios: the request names a URL on the double that
//! receives callbacks (`callbacks: true` in the system map), and `calls` waits for the
//! callback to arrive there.
//!
//! Only keys whose URL base is a value the request sends (`{$request.body#/…}`,
//! `{$request.query.…}`, `{$request.header.…}`) can be steered at the double; the rest of
//! the key (`/data`, `?id={$request.body#/id}`) is what the service appends, filled in
//! with what the request sends where it can be.

use std::time::Duration;

use crosscheck_contract::{Callback, Operation, StatusKey, UrlPiece};
use serde_json::{Map, Value, json};

use super::link_values::{Carried, carried};
use super::{Draft, expect, request, slug, stubs};
use crate::context::Ctx;
use crate::situation::Situation;

/// How long a callback may take when no requirement bounds it.
const DEFAULT_WITHIN: Duration = Duration::from_secs(5);

/// Words of a requirement that speaks of callbacks.
const WORDS: &[&str] = &["callback", "call back", "calls back", "webhook", "notif"];

/// Every callback scenario of the SUT's contract.
pub(crate) fn all(ctx: &mut Ctx<'_>) -> Vec<Draft> {
    let receiver = receiver(ctx);
    let ops = ctx.input.sut.operations.clone();
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for cb in &op.callbacks {
            let Some(receiver) = &receiver else {
                ctx.gap(
                    op.label(),
                    format!(
                        "callback `{}` (`{}`) is not tested: no dependency of crosscheck.yaml receives callbacks; add `dependencies: {{ hooks: {{ double: mock, callbacks: true }} }}`",
                        cb.name, cb.expression
                    ),
                );
                continue;
            };
            for (k, cop) in cb.operations.iter().enumerate() {
                let mut id = format!(
                    "gen-{}-callback-{}",
                    slug(op.id.clone().unwrap_or_else(|| op.label()).as_str()),
                    slug(&cb.name)
                );
                if cb.operations.len() > 1 {
                    id.push_str(&format!("-{}", cop.method.to_ascii_lowercase()));
                }
                if seen.contains(&id) {
                    id.push_str(&format!("-{}", k + seen.len() + 1));
                }
                seen.push(id.clone());
                if let Some(d) = scenario(ctx, i, op, cb, cop, receiver, id) {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// The receiver of callbacks the system map names.
fn receiver(ctx: &Ctx<'_>) -> Option<String> {
    ctx.input
        .map
        .dependencies
        .iter()
        .find(|(_, d)| d.receives_callbacks())
        .map(|(k, _)| k.value.clone())
}

/// In the other scenarios of an operation with callbacks, the callback URLs the request
/// sends point at the receiver too (under `/elsewhere/<name>`, where no callback scenario
/// looks), so that the service never calls a made-up host. Only values the request
/// already sends are replaced, and never in a bad-input scenario (the broken value may be
/// the URL itself). Returns a note for the scenario when something was replaced.
pub(crate) fn steer_elsewhere(
    ctx: &Ctx<'_>,
    op: &Operation,
    sit: &Situation,
    when: &mut Map<String, Value>,
) -> Option<String> {
    if op.callbacks.is_empty() || matches!(sit, Situation::BadInput(_)) {
        return None;
    }
    let receiver = receiver(ctx)?;
    let mut names = Vec::new();
    for cb in &op.callbacks {
        let Some(base) = cb.steered_base() else {
            continue;
        };
        if sent(when, &base).is_none() || names.contains(&cb.name) {
            continue;
        }
        let url = format!("${{deps.{receiver}.url}}/elsewhere/{}", slug(&cb.name));
        if steer(when, &base, &url).is_ok() {
            names.push(cb.name.clone());
        }
    }
    (!names.is_empty()).then(|| {
        format!(
            "Callbacks: the URL{} of {} point{} at `{receiver}`, so that the service calls no made-up host.",
            if names.len() > 1 { "s" } else { "" },
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if names.len() > 1 { "" } else { "s" }
        )
    })
}

/// The value the request sends where `base` points, if any.
fn sent<'w>(when: &'w Map<String, Value>, base: &str) -> Option<&'w Value> {
    if let Some(pointer) = base.strip_prefix("$request.body#") {
        return when.get("json")?.pointer(pointer);
    }
    let (section, name) = match base.strip_prefix("$request.query.") {
        Some(n) => ("query", n),
        None => ("headers", base.strip_prefix("$request.header.")?),
    };
    when.get(section)?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The requirements about callback `cb` of operation `index`, and the tightest bound
/// they put on it ("within 1 second"): those linked to the operation that speak of
/// callbacks (callback, webhook, notify, or its name), and those linked to no operation
/// that name it.
fn callback_requirements(
    ctx: &Ctx<'_>,
    index: usize,
    cb: &Callback,
) -> (Vec<String>, Option<Duration>) {
    let mut ids = Vec::new();
    let mut within: Option<Duration> = None;
    for l in &ctx.links {
        let Some(r) = ctx.input.requirements.iter().find(|r| r.id == l.id) else {
            continue;
        };
        let text = r.text.to_lowercase();
        let names_it = crate::text::contains_word(&text, &cb.name.to_lowercase());
        let linked = l.operations.contains(&index);
        // Linked to the operation and speaking of callbacks, or naming this callback
        // (`onEvent`) and linked to no other operation.
        let speaks = (linked && (names_it || WORDS.iter().any(|w| text.contains(w))))
            || (names_it && l.operations.is_empty());
        if !speaks {
            continue;
        }
        ids.push(l.id.clone());
        if let Some(w) = l.facts.within {
            within = Some(within.map_or(w, |x| x.min(w)));
        }
    }
    (ids, within)
}

#[allow(clippy::too_many_arguments)]
fn scenario(
    ctx: &mut Ctx<'_>,
    index: usize,
    op: &Operation,
    cb: &Callback,
    cop: &Operation,
    receiver: &str,
    id: String,
) -> Option<Draft> {
    let Some(base) = cb.steered_base() else {
        ctx.gap(
            id,
            format!(
                "callback `{}` of {} goes to `{}`, whose address is not a value the request sends (`{{$request.body#/…}}`, `{{$request.query.…}}` or `{{$request.header.…}}`); crosscheck cannot point it at a double, so it is not tested",
                cb.name,
                op.label(),
                cb.expression
            ),
        );
        return None;
    };
    let (covers, within) = callback_requirements(ctx, index, cb);
    if covers.is_empty() {
        ctx.gap(
            id,
            format!(
                "left out: no requirement linked to {} speaks of its callback `{}` (add one that says when it calls back, or link one with `operations:`)",
                op.label(),
                cb.name
            ),
        );
        return None;
    }
    let sit = Situation::Success;
    let cred = ctx.credential(op);
    let (mut when, sent) = request::request(ctx, op, &sit, cred.as_ref())?;
    // The operation's other callbacks point at the receiver too, away from this one.
    let _ = steer_elsewhere(ctx, op, &sit, &mut when);
    let url = format!("${{deps.{receiver}.url}}/{}", slug(&cb.name));
    if let Err(why) = steer(&mut when, &base, &url) {
        ctx.gap(id, format!("callback `{}`: {why}; not tested", cb.name));
        return None;
    }
    let (path, query) = arrival(
        &cb.pieces()[1..],
        &op.path,
        &when,
        &format!("/{}", slug(&cb.name)),
    );
    let mut notes = vec![format!(
        "Why: {} documents callback `{}` to `{}`; the request points it at `{receiver}`, and the call must arrive there.",
        op.label(),
        cb.name,
        cb.expression
    )];
    let within = match within {
        Some(w) => {
            notes.push(format!(
                "Bound: the callback must arrive within {} of the request, as the requirements say.",
                span(w)
            ));
            w
        }
        None => {
            ctx.gap(
                id.clone(),
                format!(
                    "no requirement bounds when callback `{}` comes; {} assumed",
                    cb.name,
                    span(DEFAULT_WITHIN)
                ),
            );
            DEFAULT_WITHIN
        }
    };

    let (given, stub_notes) = stubs::given(ctx, index, &sit, None);
    let mut given = given;
    notes.extend(stub_notes);
    let reply = callback_status(cop);
    notes.push(format!(
        "`{receiver}` answers the callback {reply}{}.",
        if documented_success(cop).is_some() {
            ", as the callback documents"
        } else {
            " (the callback documents no success status)"
        }
    ));
    given.insert(
        receiver.to_owned(),
        json!([{ "on": { "method": cop.method }, "reply": { "status": reply } }]),
    );

    let (_, strongest) = expect::covers(ctx, index, &sit, None);
    let mut ignored = Vec::new();
    let mut then = expect::then(
        ctx,
        index,
        op,
        &sit,
        &strongest,
        None,
        sent.as_deref(),
        &mut ignored,
        &id,
    );
    // A bound the requirement puts on the callback is not one on the answer.
    if then.get("within") == Some(&json!(span(within))) {
        then.remove("within");
    }
    if then.get("status").is_none() {
        then.insert("status".into(), status(op));
    }
    let mut call = Map::new();
    call.insert("method".into(), json!(cop.method));
    call.insert("path".into(), json!(path));
    call.insert("times".into(), json!(1));
    call.insert("within".into(), json!(span(within)));
    if !query.is_empty() {
        call.insert("query".into(), Value::Object(query));
    }
    let required = required_fields(ctx, cop);
    if !required.is_empty() {
        notes.push(format!(
            "Body: the callback's schema requires {}.",
            required
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let json: Map<String, Value> = required
            .iter()
            .map(|r| {
                (
                    super::link_values::pointer_to_path(&format!(
                        "/{}",
                        r.replace('~', "~0").replace('/', "~1")
                    )),
                    json!({ "exists": true }),
                )
            })
            .collect();
        call.insert("json".into(), Value::Object(json));
    }
    let calls = then.entry("calls").or_insert_with(|| json!({}));
    if let Some(calls) = calls.as_object_mut() {
        calls.insert(receiver.to_owned(), json!([Value::Object(call)]));
    }

    let op_slug = slug(op.id.clone().unwrap_or_else(|| op.label()).as_str());
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert(
        "title".into(),
        json!(format!(
            "{} calls back `{}` with {} {}",
            op.label(),
            cb.name,
            cop.method,
            cb.expression
        )),
    );
    body.insert("covers".into(), json!(covers));
    body.insert("kind".into(), json!("consistency"));
    body.insert("origin".into(), json!("generated"));
    body.insert("review".into(), json!("pending"));
    body.insert("given".into(), Value::Object(given));
    body.insert("when".into(), Value::Object(when));
    body.insert("then".into(), Value::Object(then));
    Some(Draft {
        id,
        file: format!("{op_slug}.callback.yaml"),
        notes,
        body: Value::Object(body),
    })
}

/// Sets the value `base` (`$request.body#/…`, `$request.query.…`, `$request.header.…`)
/// names in the request to `url`.
fn steer(when: &mut Map<String, Value>, base: &str, url: &str) -> Result<(), String> {
    if let Some(pointer) = base.strip_prefix("$request.body#") {
        let body = when
            .get_mut("json")
            .ok_or_else(|| format!("`{base}` is in a JSON body, and the request sends none"))?;
        return set_pointer(body, pointer, json!(url))
            .ok_or_else(|| format!("`{base}`: the request's body cannot hold a value there"));
    }
    let (section, name) = match base.strip_prefix("$request.query.") {
        Some(n) => ("query", n),
        None => (
            "headers",
            base.strip_prefix("$request.header.").unwrap_or(base),
        ),
    };
    let entry = when.entry(section).or_insert_with(|| json!({}));
    let map = entry
        .as_object_mut()
        .ok_or_else(|| format!("the request's {section} are not a mapping"))?;
    map.insert(name.to_owned(), json!(url));
    Ok(())
}

/// `value` with `pointer` set to `new`, making the objects on the way; `None` when a
/// step on the way is not an object.
fn set_pointer(value: &mut Value, pointer: &str, new: Value) -> Option<()> {
    let mut here = value;
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (last, path) = tokens.split_last()?;
    for t in path {
        here = here
            .as_object_mut()?
            .entry(t.clone())
            .or_insert_with(|| json!({}));
    }
    here.as_object_mut()?.insert(last.clone(), new);
    Some(())
}

/// Where the callback arrives on the double: the path (`prefix` and the rest of the
/// key, with request values filled in and other expressions as template segments) and
/// the query parameters the key names.
fn arrival(
    rest: &[UrlPiece],
    template: &str,
    when: &Map<String, Value>,
    prefix: &str,
) -> (String, Map<String, Value>) {
    let mut text = prefix.to_owned();
    let mut n = 0;
    let mut unknown: Vec<String> = Vec::new();
    for p in rest {
        match p {
            UrlPiece::Text(t) => text.push_str(t),
            UrlPiece::Expression(e) => match carried(&json!(e), template, when) {
                Carried::Literal(Value::String(s)) => text.push_str(&s),
                Carried::Literal(v) if !v.is_object() && !v.is_array() => {
                    text.push_str(&v.to_string())
                }
                _ => {
                    n += 1;
                    let name = format!("v{n}");
                    text.push_str(&format!("{{{name}}}"));
                    unknown.push(name);
                }
            },
        }
    }
    let (path, q) = match text.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (text, String::new()),
    };
    let mut query = Map::new();
    for pair in q.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let m = if unknown.iter().any(|u| v.contains(&format!("{{{u}}}"))) {
            json!({ "exists": true })
        } else {
            json!(v)
        };
        query.insert(k.to_owned(), m);
    }
    (path, query)
}

/// The callback operation's lowest documented success code.
fn documented_success(cop: &Operation) -> Option<u16> {
    cop.responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c @ 200..=299) => Some(c),
            _ => None,
        })
        .min()
}

fn callback_status(cop: &Operation) -> u16 {
    documented_success(cop).unwrap_or_else(|| {
        if cop
            .responses
            .iter()
            .any(|r| r.status == StatusKey::Range(2))
        {
            200
        } else {
            204
        }
    })
}

/// The operation's documented success statuses as a matcher.
fn status(op: &Operation) -> Value {
    let mut s: Vec<u16> = op
        .responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c @ 200..=299) => Some(c),
            _ => None,
        })
        .collect();
    s.sort_unstable();
    match s.as_slice() {
        [] => json!({"regex": "^2[0-9][0-9]$"}),
        [one] => json!(one),
        many => json!({"one_of": many}),
    }
}

/// The top-level properties the callback's JSON request body requires.
fn required_fields(ctx: &Ctx<'_>, cop: &Operation) -> Vec<String> {
    let Some(schema) = cop
        .request_body
        .as_ref()
        .and_then(request::body_media)
        .and_then(|(m, s)| m.contains("json").then_some(s.as_ref()).flatten())
    else {
        return Vec::new();
    };
    let standalone = ctx.input.sut.standalone_schema(schema);
    let flat = crate::data::flat(&standalone, &standalone);
    flat.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn span(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steering_sets_body_query_and_header_values() {
        let mut when = Map::new();
        when.insert("json".into(), json!({"name": "a"}));
        steer(&mut when, "$request.body#/hooks/url", "U").unwrap();
        assert_eq!(when["json"], json!({"name": "a", "hooks": {"url": "U"}}));
        steer(&mut when, "$request.query.callbackUrl", "Q").unwrap();
        assert_eq!(when["query"], json!({"callbackUrl": "Q"}));
        steer(&mut when, "$request.header.X-Hook", "H").unwrap();
        assert_eq!(when["headers"], json!({"X-Hook": "H"}));
        let mut bare = Map::new();
        assert!(
            steer(&mut bare, "$request.body#/url", "U")
                .unwrap_err()
                .contains("sends none")
        );
    }

    #[test]
    fn the_rest_of_the_key_is_filled_in_from_the_request() {
        let mut when = Map::new();
        when.insert("json".into(), json!({"id": 7, "email": "a@b.c"}));
        let rest = crosscheck_contract::callback_url_pieces(
            "{$request.body#/url}/done?transactionId={$request.body#/id}&email={$request.body#/email}&at={$response.body#/at}",
        );
        let (path, query) = arrival(&rest[1..], "/jobs", &when, "/onDone");
        assert_eq!(path, "/onDone/done");
        assert_eq!(
            Value::Object(query),
            json!({"transactionId": "7", "email": "a@b.c", "at": {"exists": true}})
        );
        let rest =
            crosscheck_contract::callback_url_pieces("{$request.query.u}/{$response.body#/id}/x");
        let (path, query) = arrival(&rest[1..], "/jobs", &when, "/c");
        assert_eq!(path, "/c/{v1}/x");
        assert!(query.is_empty());
    }
}
