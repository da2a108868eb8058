//! Sequences: create → read → update → delete chains found in the contract's paths,
//! and OpenAPI `links`, each step capturing from one response into the next request.

use std::collections::{HashMap, HashSet};

use crosscheck_contract::{Link, Operation, ParameterLocation, StatusKey, operation_ref_target};
use serde_json::{Map, Value, json};

use super::crud_key::{Key, fill, success_schema};
use super::link_values::{Carried, Piece, carried};
use super::{Draft, expect, request, slug, stubs};
use crate::context::Ctx;
use crate::situation::Situation;

/// Every sequence scenario of the SUT's contract.
pub(crate) fn all(ctx: &mut Ctx<'_>) -> Vec<Draft> {
    let ops = ctx.input.sut.operations.clone();
    let mut out = Vec::new();
    let mut chained: HashSet<(usize, usize)> = HashSet::new();
    for c in crud_groups(&ops) {
        if let Some(d) = crud(ctx, &ops, &c) {
            chained.insert((c.create, c.read));
            out.push(d);
        }
    }
    let by_id: HashMap<&str, usize> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((o.id.as_deref()?, i)))
        .collect();
    let by_route: HashMap<(&str, &str), usize> = ops
        .iter()
        .enumerate()
        .map(|(i, o)| ((o.method.as_str(), o.path.as_str()), i))
        .collect();
    let file = ctx.input.sut.file.clone();
    for (i, op) in ops.iter().enumerate() {
        for r in &op.responses {
            if !matches!(r.status, StatusKey::Code(200..=299)) {
                continue;
            }
            for l in &r.links {
                let target = match (&l.operation_id, &l.operation_ref) {
                    (Some(id), _) => by_id.get(id.as_str()).copied().ok_or_else(|| {
                        format!("names no operation of the contract by `operationId` `{id}`")
                    }),
                    (None, Some(r)) => operation_ref_target(r, &file).and_then(|(m, p)| {
                        by_route
                            .get(&(m.as_str(), p.as_str()))
                            .copied()
                            .ok_or_else(|| format!("`{r}` names no operation of the contract"))
                    }),
                    (None, None) => Err("names no operation".to_owned()),
                };
                let j = match target {
                    Ok(j) => j,
                    Err(why) => {
                        ctx.gap(
                            op.label(),
                            format!(
                                "link `{}` (#{}) {why}; no sequence for it",
                                l.name, l.pointer
                            ),
                        );
                        continue;
                    }
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

/// CRUD groups, found in one pass over the operations: item operations are indexed by
/// their collection path (`/things/{id}` under `/things`), so each create looks up its
/// items instead of scanning every operation.
fn crud_groups(ops: &[Operation]) -> Vec<Crud> {
    let mut items: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (i, o) in ops.iter().enumerate() {
        if let Some((parent, last)) = o.path.rsplit_once('/')
            && let Some(name) = last.strip_prefix('{').and_then(|l| l.strip_suffix('}'))
            && !name.contains(['{', '}'])
        {
            items.entry(parent).or_default().push((i, name));
        }
    }
    let mut out = Vec::new();
    for (c, create) in ops.iter().enumerate() {
        if !create.method.eq_ignore_ascii_case("POST") || create.path.ends_with('}') {
            continue;
        }
        let Some(list) = items.get(create.path.trim_end_matches('/')) else {
            continue;
        };
        let Some(&(read, param)) = list
            .iter()
            .find(|(i, _)| ops[*i].method.eq_ignore_ascii_case("GET"))
        else {
            continue;
        };
        let find = |method: &str| {
            list.iter()
                .find(|(i, p)| *p == param && ops[*i].method.eq_ignore_ascii_case(method))
                .map(|(i, _)| *i)
        };
        out.push(Crud {
            create: c,
            read,
            update: find("PUT").or_else(|| find("PATCH")),
            delete: find("DELETE"),
            param: param.to_owned(),
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

/// The top-level properties a response schema names (following one `$ref`).
fn properties(ctx: &Ctx<'_>, schema: &Value) -> Vec<String> {
    let standalone = ctx.input.sut.standalone_schema(schema);
    let flat = crate::data::flat(&standalone, &standalone);
    flat.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
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
    let (covers, strongest) = expect::covers(ctx, index, &sit, None);
    let cred = ctx.credential(op);
    let (mut when, sent) = request::request(ctx, op, &sit, cred.as_ref())?;
    notes.extend(super::callbacks::steer_elsewhere(ctx, op, &sit, &mut when));
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

/// A name for a resource the chain creates when the create request must name it
/// (`metadata.name`): lower case letters, digits and `-`, as Kubernetes names are.
fn new_name(create: &Operation) -> String {
    let last = create
        .path
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.starts_with('{'))
        .unwrap_or("thing");
    let word: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("crosscheck-{}", word.trim_matches('-'))
}

/// `body` with `body[parent][param]` set to `value` when the request schema of `op`
/// still accepts that (checked), else unchanged.
fn named(
    ctx: &Ctx<'_>,
    op: &Operation,
    body: &Value,
    parent: &str,
    param: &str,
    value: Value,
) -> Value {
    let mut trial = body.clone();
    let Some(obj) = trial.as_object_mut() else {
        return body.clone();
    };
    let inner = obj.entry(parent).or_insert_with(|| json!({}));
    let Some(inner) = inner.as_object_mut() else {
        return body.clone();
    };
    inner.insert(param.to_owned(), value.clone());
    if value.as_str().is_some_and(|v| v.starts_with("${captured.")) {
        return trial; // Known only when the chain runs.
    }
    let schema = op
        .request_body
        .as_ref()
        .and_then(|b| request::body_media(b))
        .and_then(|(_, s)| s.as_ref());
    let ok = schema
        .and_then(|s| crate::data::SchemaData::new(&ctx.input.sut.standalone_schema(s)).ok())
        .is_some_and(|d| d.checker().is_valid(&trial));
    if ok { trial } else { body.clone() }
}

fn crud(ctx: &mut Ctx<'_>, ops: &[Operation], c: &Crud) -> Option<Draft> {
    let create = &ops[c.create];
    let read = &ops[c.read];
    let op_slug = slug(create.id.clone().unwrap_or_else(|| create.label()).as_str());
    let id = format!("gen-{op_slug}-crud");
    let key = match super::crud_key::key(ctx, create, read, &c.param) {
        Ok(k) => k,
        Err(why) => {
            ctx.gap(id, format!("left out: {why}"));
            return None;
        }
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
    let (capture_name, capture_expr) = match &key {
        Key::Body { path, why, .. } => {
            notes.push(format!("Capture: `{}` at {path}, {why}.", c.param));
            (c.param.clone(), path.clone())
        }
        Key::Location => {
            notes.push(format!(
                "Capture: the new resource's URL from the `Location` header {} documents; the later steps are sent to it.",
                create.label()
            ));
            (
                "location".to_owned(),
                "$response.header.Location".to_owned(),
            )
        }
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

    // 1. Create, capturing the new resource's key.
    let parts = step(ctx, ops, c.create, &id, &mut notes)?;
    let (mut when, then) = add(parts, &mut covers, &mut given);
    if let Key::Body {
        parent: Some(parent),
        ..
    } = &key
        && let Some(body) = when.get("json").cloned()
    {
        let given_name = body
            .get(parent.as_str())
            .and_then(|p| p.get(&c.param))
            .cloned()
            .filter(Value::is_string);
        if given_name.is_none() {
            let value = json!(new_name(create));
            let body = named(ctx, create, &body, parent, &c.param, value);
            when.insert("json".into(), body);
        }
    }
    let created = when.get("json").cloned();
    let create_sent = when
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut first = Map::new();
    first.insert("when".into(), Value::Object(when));
    first.insert("then".into(), Value::Object(then));
    first.insert(
        "capture".into(),
        json!({ capture_name.clone(): capture_expr }),
    );
    steps.push(Value::Object(first));

    let item_path = |op: &Operation, when: &Map<String, Value>| match &key {
        Key::Location => "${captured.location}".to_owned(),
        Key::Body { .. } => fill(
            &op.path,
            &c.param,
            &create.path,
            &create_sent,
            when.get("path").and_then(Value::as_str).unwrap_or_default(),
        ),
    };

    // 2. Read it back: the fields sent come back.
    let read_step = |ctx: &mut Ctx<'_>,
                     notes: &mut Vec<String>,
                     covers: &mut Vec<String>,
                     given: &mut Map<String, Value>,
                     sent: Option<&Value>|
     -> Option<Value> {
        let parts = step(ctx, ops, c.read, &id, notes)?;
        let (mut when, mut then) = add(parts, covers, given);
        when.insert("path".into(), json!(item_path(read, &when)));
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
        when.insert("path".into(), json!(item_path(&ops[u], &when)));
        if let (Some(sent), Some(before)) = (when.get("json").cloned(), created.as_ref())
            && let Some(changed) = changed(ctx, &ops[u], &sent, before)
        {
            when.insert("json".into(), changed);
        }
        if let Key::Body {
            parent: Some(parent),
            ..
        } = &key
            && let Some(body) = when.get("json").cloned()
        {
            // The update names the same resource as its path.
            let same = json!(format!("${{captured.{}}}", c.param));
            when.insert(
                "json".into(),
                named(ctx, &ops[u], &body, parent, &c.param, same),
            );
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
        when.insert("path".into(), json!(item_path(&ops[d], &when)));
        steps.push(json!({ "when": when, "then": then }));
        let parts = step(ctx, ops, c.read, &id, &mut Vec::new())?;
        let (mut when, _) = add(parts, &mut covers, &mut given);
        when.insert("path".into(), json!(item_path(read, &when)));
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

/// A capture name for a link value: the parameter's name as a capture name.
fn var_name(name: &str) -> String {
    let v = slug(name).replace('-', "_");
    if v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        v
    } else {
        format!("v_{v}")
    }
}

/// `value` (a link's `requestBody`) with each runtime expression in it carried over:
/// response values as `${captured.…}` (captured in `capture`), request values as sent.
fn carry_body(
    value: &Value,
    template: &str,
    when: &Map<String, Value>,
    capture: &mut Map<String, Value>,
    at: &str,
) -> Result<Value, String> {
    Ok(match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| Ok((k.clone(), carry_body(v, template, when, capture, k)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| carry_body(v, template, when, capture, at))
                .collect::<Result<_, String>>()?,
        ),
        other => match carried(other, template, when) {
            Carried::Literal(v) => v,
            Carried::Capture(expr) => {
                let var = var_name(&format!("body_{at}"));
                capture.insert(var.clone(), json!(expr));
                json!(format!("${{captured.{var}}}"))
            }
            Carried::Embedded(pieces) => {
                json!(fill_pieces(&pieces, &format!("body_{at}"), capture))
            }
            Carried::Gap(why) => return Err(why),
        },
    })
}

/// An embedded string as the target request sends it: its text, and `${captured.…}` for
/// each response value (captured in `capture` as `<base>_1`, `<base>_2`, …).
fn fill_pieces(pieces: &[Piece], base: &str, capture: &mut Map<String, Value>) -> String {
    let mut out = String::new();
    let mut n = 0;
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Capture(expr) => {
                n += 1;
                let var = var_name(&format!("{base}_{n}"));
                capture.insert(var.clone(), json!(expr));
                out.push_str(&format!("${{captured.{var}}}"));
            }
        }
    }
    out
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
        "Why: the contract links {} to {} (link `{}`); the values it names are carried over.",
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
    let mut carried_any = false;
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
        let value = match carried(expr, &source.path, &first.when) {
            Carried::Capture(c) => {
                let var = var_name(name);
                capture.insert(var.clone(), json!(c));
                format!("${{captured.{var}}}")
            }
            Carried::Literal(v) => match v {
                Value::String(s) => s,
                other => other.to_string(),
            },
            Carried::Embedded(pieces) => fill_pieces(&pieces, name, &mut capture),
            Carried::Gap(why) => {
                ctx.gap(
                    id.clone(),
                    format!(
                        "link `{}` sets `{name}` from {why}; the link is not followed",
                        link.name
                    ),
                );
                return None;
            }
        };
        carried_any = true;
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
    if let Some(body) = &link.request_body {
        match carry_body(body, &source.path, &first.when, &mut capture, "body") {
            Ok(v) => {
                when.remove("body");
                when.insert("json".into(), v);
                carried_any = true;
            }
            Err(why) => {
                ctx.gap(
                    id.clone(),
                    format!(
                        "link `{}` sets the request body from {why}; the link is not followed",
                        link.name
                    ),
                );
                return None;
            }
        }
    }
    if !carried_any {
        ctx.gap(
            id.clone(),
            format!(
                "link `{}` carries no parameter over; no sequence for it",
                link.name
            ),
        );
        return None;
    }
    let mut first_step = json!({ "when": first.when, "then": first.then });
    if !capture.is_empty() {
        first_step["capture"] = Value::Object(capture);
    }
    let steps = vec![first_step, json!({ "when": when, "then": second.then })];
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
    fn new_names_are_lower_case_words_of_the_collection() {
        let op = |path: &str| Operation {
            method: "POST".into(),
            path: path.into(),
            ..Operation::default()
        };
        assert_eq!(
            new_name(&op("/api/v1/namespaces/{namespace}/configmaps")),
            "crosscheck-configmaps"
        );
        assert_eq!(
            new_name(&op("/apis/apps/v1/namespaces/{namespace}/Stateful_Sets/")),
            "crosscheck-stateful-sets"
        );
    }
}
