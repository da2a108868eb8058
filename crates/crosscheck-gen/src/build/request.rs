//! The request a scenario sends: documented parameters and body with valid values, the
//! credential (or its bad variant), and for bad-input scenarios one broken constraint.

use crosscheck_contract::{Operation, ParameterLocation, querystring};
use serde_json::{Map, Value, json};

use crate::context::{Credential, Ctx};
use crate::situation::Situation;

/// Where a broken value goes.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    Param(ParameterLocation, String),
    Body,
}

/// The bad-input variants of `op`'s request: slug, words, and the broken value's slot.
pub(crate) fn bad_inputs(
    ctx: &mut Ctx<'_>,
    op: &Operation,
) -> Vec<(String, String, (Slot, Value))> {
    let key = format!("{} {}", op.method, op.path);
    if let Some(cached) = ctx.bad_inputs.get(&key) {
        return cached
            .iter()
            .map(|(slug, words, at, v)| {
                let slot = match at {
                    Some((loc, name)) => Slot::Param(*loc, name.clone()),
                    None => Slot::Body,
                };
                (slug.clone(), words.clone(), (slot, v.clone()))
            })
            .collect();
    }
    let out = build_bad_inputs(ctx, op);
    let stored = out
        .iter()
        .map(|(slug, words, (slot, v))| {
            let at = match slot {
                Slot::Param(loc, name) => Some((*loc, name.clone())),
                Slot::Body => None,
            };
            (slug.clone(), words.clone(), at, v.clone())
        })
        .collect();
    ctx.bad_inputs.insert(key, stored);
    out
}

fn build_bad_inputs(ctx: &mut Ctx<'_>, op: &Operation) -> Vec<(String, String, (Slot, Value))> {
    let contract = ctx.input.sut;
    let mut out = Vec::new();
    let cred_header = ctx.credential(op).map(|c| c.header.to_lowercase());
    for p in &op.parameters {
        if cred_header.as_deref() == Some(p.name.to_lowercase().as_str())
            || p.location == ParameterLocation::Cookie
        {
            continue;
        }
        let Some(schema) = &p.schema else { continue };
        let standalone = contract.standalone_schema(schema);
        let Ok(data) = crate::data::SchemaData::new(&standalone) else {
            continue;
        };
        let Ok(valid) = data.valid(ctx.input.seed) else {
            continue;
        };
        let string_typed =
            crate::data::flat(&standalone, &standalone).get("type") == Some(&json!("string"));
        for bad in data.invalid(&valid) {
            if bad.keyword == "type" && string_typed {
                continue; // Everything in a path, query or header is text on the wire.
            }
            if p.location == ParameterLocation::Querystring {
                // The whole query string: keep only values that stay invalid however
                // the receiver reads the text back (a form has no types).
                let text = querystring::serialize(p.content_type.as_deref(), &bad.value);
                let readings = querystring::readings(p.content_type.as_deref(), &text);
                if readings.iter().any(|r| data.checker().is_valid(r)) {
                    continue;
                }
            }
            let text = wire(&bad.value);
            if p.location == ParameterLocation::Path
                && (text.is_empty() || text.contains(['/', '?', '#', '%']))
            {
                continue; // It would name another route, not break this parameter.
            }
            let slug = format!(
                "bad-{}-{}",
                super::slug(&p.name),
                bad.keyword.to_lowercase()
            );
            if out.iter().any(|(s, _, _)| s == &slug) {
                continue;
            }
            out.push((
                slug,
                format!(
                    "{} parameter `{}`: {}",
                    p.location,
                    p.name,
                    bad.reason.replace("the value", "it")
                ),
                (Slot::Param(p.location, p.name.clone()), bad.value),
            ));
        }
    }
    if let Some(body) = &op.request_body
        && let Some((_, Some(schema))) = body.media.iter().find(|(m, _)| m.contains("json"))
    {
        let standalone = contract.standalone_schema(schema);
        if let Ok(data) = crate::data::SchemaData::new(&standalone)
            && let Ok(valid) = data.valid(ctx.input.seed)
        {
            for bad in data.invalid(&valid) {
                let at = if bad.pointer.is_empty() {
                    "body".to_owned()
                } else {
                    super::slug(&bad.pointer)
                };
                let slug = format!("bad-{at}-{}", bad.keyword.to_lowercase());
                if out.iter().any(|(s, _, _)| s == &slug) {
                    continue;
                }
                out.push((
                    slug,
                    format!("body: {}", bad.reason),
                    (Slot::Body, bad.value),
                ));
            }
        }
    }
    out
}

fn wire(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The request for `sit`, and the credential value it sends (a secret to keep out of
/// logs and responses).
pub(crate) fn request(
    ctx: &mut Ctx<'_>,
    op: &Operation,
    sit: &Situation,
    cred: Option<&Credential>,
) -> Option<(Map<String, Value>, Option<String>)> {
    let contract = ctx.input.sut;
    let broken = match sit {
        Situation::BadInput(slug) => bad_inputs(ctx, op)
            .into_iter()
            .find(|(s, _, _)| s == slug)
            .map(|(_, _, b)| b),
        _ => None,
    };
    let mut path = op.path.clone();
    let mut query = Map::new();
    let mut headers = Map::new();
    for p in &op.parameters {
        if cred.is_some_and(|c| c.header.eq_ignore_ascii_case(&p.name)) {
            continue;
        }
        let forced = match &broken {
            Some((Slot::Param(loc, name), v)) if *loc == p.location && *name == p.name => {
                Some(v.clone())
            }
            _ => None,
        };
        if forced.is_none() && !p.required {
            continue;
        }
        let value = match forced {
            Some(v) => v,
            None => {
                let schema = p.schema.clone().unwrap_or(json!({"type": "string"}));
                ctx.valid_for(
                    contract,
                    &schema,
                    &format!("{} parameter `{}`", op.label(), p.name),
                )?
            }
        };
        if p.location == ParameterLocation::Querystring {
            let text = querystring::serialize(p.content_type.as_deref(), &value);
            if !text.is_empty() {
                path = format!("{path}?{text}");
            }
            continue;
        }
        let text = wire(&value);
        match p.location {
            ParameterLocation::Path => path = path.replace(&format!("{{{}}}", p.name), &text),
            ParameterLocation::Query => {
                query.insert(p.name.clone(), json!(text));
            }
            ParameterLocation::Header => {
                headers.insert(p.name.clone(), json!(text));
            }
            ParameterLocation::Cookie => {
                ctx.gap(
                    op.label(),
                    format!(
                        "cookie parameter `{}` is not sent (scenarios have no cookies yet)",
                        p.name
                    ),
                );
            }
            ParameterLocation::Querystring => {} // written into the path above
        }
    }
    let mut sent = None;
    if let Some(c) = cred {
        let value = match sit {
            Situation::MissingCredential => None,
            Situation::MalformedCredential => Some(malformed(c)),
            Situation::InvalidCredential => Some(variant(c, "invalid")),
            Situation::ExpiredCredential => Some(variant(c, "expired")),
            _ => Some(c.value.clone()),
        };
        if let Some(v) = value {
            headers.insert(c.header.clone(), json!(v));
            sent = Some(v);
        }
    }
    let mut when = Map::new();
    when.insert("method".into(), json!(op.method));
    when.insert("path".into(), json!(path));
    if !query.is_empty() {
        when.insert("query".into(), Value::Object(query));
    }
    if !headers.is_empty() {
        when.insert("headers".into(), Value::Object(headers));
    }
    let body = match broken {
        Some((Slot::Body, v)) => Some(v),
        _ => match &op.request_body {
            Some(b) => match b.media.iter().find(|(m, _)| m.contains("json")) {
                Some((_, Some(schema))) => {
                    ctx.valid_for(contract, schema, &format!("{} request body", op.label()))
                }
                Some((_, None)) => Some(json!({})),
                None => None,
            },
            None => None,
        },
    };
    if let Some(b) = body {
        when.insert("json".into(), b);
    }
    Some((when, sent))
}

/// A credential in the wrong shape: another scheme for `Authorization`, an empty key.
fn malformed(c: &Credential) -> String {
    match c.scheme.as_str() {
        "bearer" => "Basic bWFsZm9ybWVkOmNyZWRlbnRpYWw=".into(),
        "basic" => "Bearer not-basic".into(),
        _ => " ".into(),
    }
}

/// A well-formed credential with a different secret: `Bearer invalid-token-…`.
fn variant(c: &Credential, what: &str) -> String {
    match c.scheme.as_str() {
        "bearer" => format!("Bearer {what}-token-crosscheck"),
        "basic" => "Basic aW52YWxpZDppbnZhbGlk".into(),
        _ => format!("{what}-key-crosscheck"),
    }
}
