//! Sequences: create → read → update → delete chains found in the contract's paths,
//! and OpenAPI `links`, each step capturing from one response into the next request.

use crosscheck_contract::{Link, Operation, ParameterLocation, StatusKey};
use serde_json::{Map, Value, json};

use super::{Draft, expect, request, slug, stubs};
use crate::context::Ctx;
use crate::situation::Situation;

/// Every sequence scenario of the SUT's contract.
pub(crate) fn all(ctx: &mut Ctx<'_>) -> Vec<Draft> {
    let ops = ctx.input.sut.operations.clone();
    let mut out = Vec::new();
    let mut chained: Vec<(usize, usize)> = Vec::new();
    for c in crud_groups(&ops) {
        if let Some(d) = crud(ctx, &ops, &c) {
            chained.push((c.create, c.read));
            out.push(d);
        }
    }
    for (i, op) in ops.iter().enumerate() {
        for r in &op.responses {
            if !matches!(r.status, StatusKey::Code(200..=299)) {
                continue;
            }
            for l in &r.links {
                let target = l
                    .operation_id
                    .as_deref()
                    .and_then(|id| ops.iter().position(|o| o.id.as_deref() == Some(id)));
                let Some(j) = target else {
                    ctx.gap(
                        op.label(),
                        format!(
                            "link `{}` names no operation of the contract by `operationId` (`operationRef` is not followed); no sequence for it",
                            l.name
                        ),
                    );
                    continue;
                };
                if chained.contains(&(i, j)) {
                    continue; // The CRUD chain already reads back what it created.
                }
                if let Some(d) = linked(ctx, &ops, i, j, l) {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// The operations of one resource: `POST /things` and `/things/{id}`.
#[derive(Debug)]
struct Crud {
    create: usize,
    read: usize,
    update: Option<usize>,
    delete: Option<usize>,
    /// The item path's parameter, e.g. `id`.
    param: String,
}

fn crud_groups(ops: &[Operation]) -> Vec<Crud> {
    let mut out = Vec::new();
    for (c, create) in ops.iter().enumerate() {
        if !create.method.eq_ignore_ascii_case("POST") || create.path.ends_with('}') {
            continue;
        }
        let base = create.path.trim_end_matches('/');
        let item = |o: &Operation| -> Option<String> {
            let rest = o.path.strip_prefix(base)?.strip_prefix('/')?;
            let name = rest.strip_prefix('{')?.strip_suffix('}')?;
            (!name.contains(['/', '{', '}'])).then(|| name.to_owned())
        };
        let find = |method: &str| {
            ops.iter()
                .position(|o| o.method.eq_ignore_ascii_case(method) && item(o).is_some())
        };
        let Some(read) = find("GET") else { continue };
        let Some(param) = item(&ops[read]) else {
            continue;
        };
        out.push(Crud {
            create: c,
            read,
            update: find("PUT").or_else(|| find("PATCH")),
            delete: find("DELETE"),
            param,
        });
    }
    out
}

/// The documented success statuses of `op`, lowest first.
fn success(op: &Operation) -> Vec<u16> {
    let mut s: Vec<u16> = op
        .responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c @ 200..=299) => Some(c),
            _ => None,
        })
        .collect();
    s.sort_unstable();
    s
}

fn status(statuses: &[u16]) -> Value {
    match statuses {
        [] => json!({"one_of": [200, 201, 202, 204]}),
        [one] => json!(one),
        many => json!({"one_of": many}),
    }
}

/// The JSON schema of `op`'s first documented 2xx response.
fn success_schema(op: &Operation) -> Option<&Value> {
    op.responses
        .iter()
        .filter(|r| matches!(r.status, StatusKey::Code(200..=299)))
        .find_map(|r| {
            r.media
                .iter()
                .find(|(m, _)| m.contains("json"))
                .and_then(|(_, s)| s.as_ref())
        })
}

/// The top-level properties a response schema names (following one `$ref`).
fn properties(ctx: &Ctx<'_>, schema: &Value) -> Vec<String> {
    let standalone = ctx.input.sut.standalone_schema(schema);
    let flat = crate::data::flat(&standalone, &standalone);
    flat.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// `$response.body#/a/b` → `$.a.b` (as a bracketed JSONPath, so any name works).
fn pointer_to_path(pointer: &str) -> String {
    let mut out = "$".to_owned();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        match seg.parse::<usize>() {
            Ok(n) => out.push_str(&format!("[{n}]")),
            Err(_) if seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                out.push('.');
                out.push_str(&seg);
            }
            Err(_) => out.push_str(&format!("['{}']", seg.replace('\'', "\\'"))),
        }
    }
    out
}

/// One step for `op` in the success situation: its request (with `path` replaced when
/// given), its `then`, the requirements it covers and its dependency stubs.
struct StepParts {
    when: Map<String, Value>,
    then: Map<String, Value>,
    covers: Vec<String>,
    given: Map<String, Value>,
}

fn step(
    ctx: &mut Ctx<'_>,
    ops: &[Operation],
    index: usize,
    id: &str,
    notes: &mut Vec<String>,
) -> Option<StepParts> {
    let op = &ops[index];
    let sit = Situation::Success;
    let (covers, strongest) = expect::covers(ctx, index, &sit);
    let cred = ctx.credential(op);
    let (when, sent) = request::request(ctx, op, &sit, cred.as_ref())?;
    let (given, _) = stubs::given(ctx, index, &sit, None);
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
        id,
    );
    if then.get("status").is_none() {
        then.insert("status".into(), status(&success(op)));
    }
    notes.extend(
        ignored
            .into_iter()
            .filter(|n| n.starts_with("Status"))
            .map(|n| format!("{} {n}", op.label())),
    );
    Some(StepParts {
        when,
        then,
        covers,
        given,
    })
}

fn merge(into: &mut Map<String, Value>, more: Map<String, Value>) {
    for (dep, stubs) in more {
        let entry = into.entry(dep).or_insert_with(|| json!([]));
        if let (Some(have), Value::Array(new)) = (entry.as_array_mut(), stubs) {
            for s in new {
                if !have.contains(&s) {
                    have.push(s);
                }
            }
        }
    }
}

/// `sent` with its top-level strings changed where the update's schema still accepts
/// that, so that reading the update back shows the update (not the created values).
fn changed(ctx: &Ctx<'_>, op: &Operation, sent: &Value, before: &Value) -> Option<Value> {
    if sent != before {
        return None;
    }
    let schema = op
        .request_body
        .as_ref()?
        .media
        .iter()
        .find(|(m, _)| m.contains("json"))?
        .1
        .as_ref()?;
    let data = crate::data::SchemaData::new(&ctx.input.sut.standalone_schema(schema)).ok()?;
    let mut out = sent.clone();
    let keys: Vec<String> = out.as_object()?.keys().cloned().collect();
    let mut any = false;
    for k in keys {
        let Some(Value::String(old)) = out.get(&k).cloned() else {
            continue;
        };
        for candidate in [
            format!("{old} 2"),
            format!("{old}2"),
            "x".to_owned(),
            "2".to_owned(),
        ] {
            if candidate == old {
                continue;
            }
            let mut trial = out.clone();
            trial[&k] = json!(candidate);
            if data.checker().is_valid(&trial) {
                out = trial;
                any = true;
                break;
            }
        }
    }
    any.then_some(out)
}

/// `json:` checks that the fields sent in `body` read back the same, for the
/// top-level scalar fields the read's response schema names.
fn read_back(ctx: &Ctx<'_>, read: &Operation, body: Option<&Value>, then: &mut Map<String, Value>) {
    let (Some(Value::Object(sent)), Some(schema)) = (body, success_schema(read)) else {
        return;
    };
    let props = properties(ctx, schema);
    let json = then.entry("json").or_insert_with(|| json!({}));
    let Some(json) = json.as_object_mut() else {
        return;
    };
    for (k, v) in sent {
        if props.contains(k) && !v.is_object() && !v.is_array() && !v.is_null() {
            json.insert(format!("$.{k}"), v.clone());
        }
    }
    if json.is_empty() {
        then.remove("json");
    }
}

fn crud(ctx: &mut Ctx<'_>, ops: &[Operation], c: &Crud) -> Option<Draft> {
    let create = &ops[c.create];
    let read = &ops[c.read];
    let op_slug = slug(create.id.clone().unwrap_or_else(|| create.label()).as_str());
    let id = format!("gen-{op_slug}-crud");
    // What to capture: a link from the create response to the read, else the field
    // named like the path parameter, else `id`.
    let from_link = create
        .responses
        .iter()
        .flat_map(|r| &r.links)
        .filter(|l| l.operation_id.is_some() && l.operation_id == read.id)
        .find_map(|l| {
            l.parameters.iter().find_map(|(name, v)| {
                let name = name.strip_prefix("path.").unwrap_or(name);
                (name == c.param).then_some(v.as_str()?.strip_prefix("$response.body#")?.to_owned())
            })
        })
        .map(|p| pointer_to_path(&p));
    let props = success_schema(create)
        .map(|s| properties(ctx, s))
        .unwrap_or_default();
    let capture_path = from_link.clone().or_else(|| {
        [c.param.as_str(), "id"]
            .into_iter()
            .find(|p| props.iter().any(|x| x == p))
            .map(|p| format!("$.{p}"))
    });
    let Some(capture_path) = capture_path else {
        ctx.gap(
            id,
            format!(
                "left out: the success response of {} names no `{}` (or `id`) field and no link says where the new resource's `{}` is",
                create.label(),
                c.param,
                c.param
            ),
        );
        return None;
    };
    let mut notes = vec![format!(
        "Why: what {} creates can be read back{}{}.",
        create.label(),
        if c.update.is_some() { ", updated" } else { "" },
        if c.delete.is_some() {
            " and deleted, and is gone after"
        } else {
            ""
        }
    )];
    notes.push(match &from_link {
        Some(_) => format!(
            "Capture: `{}` at {capture_path}, as the contract's link to {} says.",
            c.param,
            read.label()
        ),
        None => format!(
            "Capture: `{}` at {capture_path}, the create response's field of that name.",
            c.param
        ),
    });
    let item_path = |op: &Operation| {
        op.path.replace(
            &format!("{{{}}}", c.param),
            &format!("${{captured.{}}}", c.param),
        )
    };

    let mut covers: Vec<String> = Vec::new();
    let mut given = Map::new();
    let mut steps: Vec<Value> = Vec::new();
    let add = |parts: StepParts, covers: &mut Vec<String>, given: &mut Map<String, Value>| {
        for c in parts.covers {
            if !covers.contains(&c) {
                covers.push(c);
            }
        }
        merge(given, parts.given);
        (parts.when, parts.then)
    };

    // 1. Create, capturing the new resource's id.
    let parts = step(ctx, ops, c.create, &id, &mut notes)?;
    let (when, then) = add(parts, &mut covers, &mut given);
    let created = when.get("json").cloned();
    let mut first = Map::new();
    first.insert("when".into(), Value::Object(when));
    first.insert("then".into(), Value::Object(then));
    first.insert("capture".into(), json!({ c.param.clone(): capture_path }));
    steps.push(Value::Object(first));

    // 2. Read it back: the fields sent come back.
    let read_step = |ctx: &mut Ctx<'_>,
                     notes: &mut Vec<String>,
                     covers: &mut Vec<String>,
                     given: &mut Map<String, Value>,
                     sent: Option<&Value>|
     -> Option<Value> {
        let parts = step(ctx, ops, c.read, &id, notes)?;
        let (mut when, mut then) = add(parts, covers, given);
        when.insert("path".into(), json!(item_path(read)));
        read_back(ctx, read, sent, &mut then);
        Some(json!({ "when": when, "then": then }))
    };
    steps.push(read_step(
        ctx,
        &mut notes,
        &mut covers,
        &mut given,
        created.as_ref(),
    )?);

    // 3. Update it, and read the update back.
    if let Some(u) = c.update {
        let parts = step(ctx, ops, u, &id, &mut notes)?;
        let (mut when, then) = add(parts, &mut covers, &mut given);
        when.insert("path".into(), json!(item_path(&ops[u])));
        if let (Some(sent), Some(before)) = (when.get("json").cloned(), created.as_ref())
            && let Some(changed) = changed(ctx, &ops[u], &sent, before)
        {
            when.insert("json".into(), changed);
        }
        let updated = when.get("json").cloned();
        steps.push(json!({ "when": when, "then": then }));
        steps.push(read_step(
            ctx,
            &mut notes,
            &mut covers,
            &mut given,
            updated.as_ref(),
        )?);
    }

    // 4. Delete it; a read after that finds nothing.
    if let Some(d) = c.delete {
        let parts = step(ctx, ops, d, &id, &mut notes)?;
        let (mut when, then) = add(parts, &mut covers, &mut given);
        when.insert("path".into(), json!(item_path(&ops[d])));
        steps.push(json!({ "when": when, "then": then }));
        let parts = step(ctx, ops, c.read, &id, &mut Vec::new())?;
        let (mut when, _) = add(parts, &mut covers, &mut given);
        when.insert("path".into(), json!(item_path(read)));
        let documented = read
            .responses
            .iter()
            .any(|r| r.status == StatusKey::Code(404));
        let gone = if documented {
            notes.push(format!(
                "After the delete: 404, documented for {}.",
                read.label()
            ));
            json!(404)
        } else {
            ctx.gap(
                id.clone(),
                format!(
                    "{} documents no 404; the read after the delete expects 404 or 410",
                    read.label()
                ),
            );
            json!({"one_of": [404, 410]})
        };
        let mut then = Map::new();
        then.insert("status".into(), gone);
        if documented {
            then.insert("conforms".into(), json!(true));
        }
        steps.push(json!({ "when": when, "then": then }));
    }

    let verbs = [
        Some("create"),
        Some("read"),
        c.update.map(|_| "update"),
        c.delete.map(|_| "delete"),
    ];
    let verbs: Vec<&str> = verbs.into_iter().flatten().collect();
    let what = format!(
        "{} through {} and {}",
        verbs.join(", "),
        create.label(),
        read.path
    );
    finish(ctx, id, &op_slug, covers, given, steps, notes, what)
}

fn linked(
    ctx: &mut Ctx<'_>,
    ops: &[Operation],
    from: usize,
    to: usize,
    link: &Link,
) -> Option<Draft> {
    let source = &ops[from];
    let target = &ops[to];
    let op_slug = slug(source.id.clone().unwrap_or_else(|| source.label()).as_str());
    let id = format!("gen-{op_slug}-link-{}", slug(&link.name));
    let mut notes = vec![format!(
        "Why: the contract links {} to {} (link `{}`); the value it names is carried over.",
        source.label(),
        target.label(),
        link.name
    )];
    let mut covers = Vec::new();
    let mut given = Map::new();
    let first = step(ctx, ops, from, &id, &mut notes)?;
    let second = step(ctx, ops, to, &id, &mut notes)?;
    for p in [&first, &second] {
        for c in &p.covers {
            if !covers.contains(c) {
                covers.push(c.clone());
            }
        }
    }
    merge(&mut given, first.given);
    merge(&mut given, second.given);
    let mut capture = Map::new();
    let mut when = second.when;
    for (name, expr) in &link.parameters {
        let (loc, name) = match name.split_once('.') {
            Some(("path", n)) => (Some(ParameterLocation::Path), n),
            Some(("query", n)) => (Some(ParameterLocation::Query), n),
            Some(("header", n)) => (Some(ParameterLocation::Header), n),
            _ => (None, name.as_str()),
        };
        let Some(param) = target
            .parameters
            .iter()
            .find(|p| p.name == name && loc.is_none_or(|l| l == p.location))
        else {
            ctx.gap(
                id.clone(),
                format!(
                    "link `{}` sets `{name}`, which {} does not take",
                    link.name,
                    target.label()
                ),
            );
            return None;
        };
        let Some(pointer) = expr
            .as_str()
            .and_then(|e| e.strip_prefix("$response.body#"))
        else {
            ctx.gap(
                id.clone(),
                format!("link `{}` sets `{name}` from {expr}; only `$response.body#/…` values are carried over, so the link is not followed", link.name),
            );
            return None;
        };
        let var = slug(name).replace('-', "_");
        capture.insert(var.clone(), json!(pointer_to_path(pointer)));
        let value = format!("${{captured.{var}}}");
        match param.location {
            ParameterLocation::Path => {
                let path = target.path.replace(&format!("{{{name}}}"), &value);
                // Keep the other path parameters the request already filled in.
                let sent = when
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let merged: Vec<String> = path
                    .split('/')
                    .zip(sent.split('/'))
                    .map(|(t, s)| {
                        if t.starts_with('{') {
                            s.to_owned()
                        } else {
                            t.to_owned()
                        }
                    })
                    .collect();
                when.insert("path".into(), json!(merged.join("/")));
            }
            ParameterLocation::Query => {
                let q = when.entry("query").or_insert_with(|| json!({}));
                if let Some(q) = q.as_object_mut() {
                    q.insert(name.to_owned(), json!(value));
                }
            }
            ParameterLocation::Header => {
                let h = when.entry("headers").or_insert_with(|| json!({}));
                if let Some(h) = h.as_object_mut() {
                    h.insert(name.to_owned(), json!(value));
                }
            }
            ParameterLocation::Cookie => {
                ctx.gap(
                    id.clone(),
                    format!(
                        "link `{}` sets cookie `{name}`; scenarios have no cookies yet",
                        link.name
                    ),
                );
                return None;
            }
            ParameterLocation::Querystring => {
                ctx.gap(
                    id.clone(),
                    format!(
                        "link `{}` sets the whole query string `{name}`; links into a `querystring` parameter are not followed yet",
                        link.name
                    ),
                );
                return None;
            }
        }
    }
    if capture.is_empty() {
        ctx.gap(
            id.clone(),
            format!(
                "link `{}` carries no parameter over; no sequence for it",
                link.name
            ),
        );
        return None;
    }
    let steps = vec![
        json!({ "when": first.when, "then": first.then, "capture": capture }),
        json!({ "when": when, "then": second.then }),
    ];
    finish(
        ctx,
        id,
        &op_slug,
        covers,
        given,
        steps,
        notes,
        format!("{} then {}", source.label(), target.label()),
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &mut Ctx<'_>,
    id: String,
    op_slug: &str,
    covers: Vec<String>,
    given: Map<String, Value>,
    steps: Vec<Value>,
    notes: Vec<String>,
    what: String,
) -> Option<Draft> {
    if covers.is_empty() {
        ctx.gap(
            id,
            format!(
                "left out: no requirement speaks of the success path of the operations in {what}"
            ),
        );
        return None;
    }
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert(
        "title".into(),
        json!(format!("{what}: each step's answer feeds the next")),
    );
    body.insert("covers".into(), json!(covers));
    body.insert("kind".into(), json!("consistency"));
    body.insert("origin".into(), json!("generated"));
    body.insert("review".into(), json!("pending"));
    if !given.is_empty() {
        body.insert("given".into(), Value::Object(given));
    }
    body.insert("steps".into(), Value::Array(steps));
    Some(Draft {
        id,
        file: format!("{op_slug}.sequence.yaml"),
        notes,
        body: Value::Object(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_jsonpaths() {
        assert_eq!(pointer_to_path("/id"), "$.id");
        assert_eq!(
            pointer_to_path("/items/0/thing-id"),
            "$.items[0]['thing-id']"
        );
        assert_eq!(pointer_to_path("/a~1b"), "$['a/b']");
    }
}
