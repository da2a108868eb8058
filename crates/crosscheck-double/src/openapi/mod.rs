//! Serving contracts: every operation of an OpenAPI contract answers with its example
//! (or a generated body that fits its schema), after checking the request against it.
//!
//! Everything that can be worked out ahead is: responses are rendered and request
//! validators compiled when the set is built, so answering is a lookup and a few checks.

mod generate;
mod validate;

use bytes::Bytes;
use crosscheck_contract::{Contract, Operation, ParameterLocation, SecurityKind, StatusKey};
use crosscheck_model::path_template;
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::record::RecordedRequest;
use crate::reply::Rendered;
use validate::Problem;

pub(crate) use validate::cookies;

/// The request header that picks a documented status, besides `Prefer: code=N`.
pub const STATUS_HEADER: &str = "x-crosscheck-status";

/// Contracts ready to serve.
#[derive(Debug)]
pub(crate) struct ContractSet {
    served: Vec<Served>,
}

#[derive(Debug)]
struct Served {
    contract: Contract,
    ops: Vec<ServedOp>,
}

struct ServedOp {
    params: Vec<ServedParam>,
    body: Option<ServedBody>,
    responses: Vec<Canned>,
}

impl std::fmt::Debug for ServedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedOp")
            .field("params", &self.params.len())
            .field("responses", &self.responses.len())
            .finish_non_exhaustive()
    }
}

struct ServedParam {
    name: String,
    location: ParameterLocation,
    required: bool,
    validator: Option<jsonschema::Validator>,
    /// The media type of a `content`-described parameter (3.2 `querystring`).
    content_type: Option<String>,
}

struct ServedBody {
    required: bool,
    /// Documented media types (essence, lower case) and, for JSON ones, a validator.
    media: Vec<(String, Option<jsonschema::Validator>)>,
    /// 3.2 `itemSchema` validators of sequential media types (essence, lower case).
    items: Vec<(String, jsonschema::Validator)>,
}

/// One documented response, rendered.
#[derive(Debug, Clone)]
struct Canned {
    key: StatusKey,
    content_type: Option<String>,
    /// Named examples, in document order; a generated body is named `generated`.
    bodies: Vec<(String, Bytes)>,
}

impl ContractSet {
    /// Prepares `contracts` for serving. Generated bodies that do not fit their own schema
    /// (a `pattern` the generator cannot honour) are returned as warnings and still served.
    pub(crate) fn new(contracts: Vec<Contract>) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let served = contracts
            .into_iter()
            .map(|contract| {
                let ops = contract
                    .operations
                    .iter()
                    .map(|op| prepare(&contract, op, &mut warnings))
                    .collect();
                Served { contract, ops }
            })
            .collect();
        (ContractSet { served }, warnings)
    }

    /// The answer to `req`: the chosen documented response, or a 400/415/422 naming what
    /// is wrong with the request, or 404/405 when no operation serves it. The second
    /// value says why, for the journal, when the request was refused.
    pub(crate) fn answer(&self, req: &RecordedRequest) -> (Rendered, Option<String>) {
        let found = self.served.iter().find_map(|s| {
            let op = s.contract.find_operation(&req.method, &req.path)?;
            let i = s
                .contract
                .operations
                .iter()
                .position(|o| std::ptr::eq(o, op))?;
            Some((s, op, &s.ops[i]))
        });
        let Some((served, op, prepared)) = found else {
            return self.no_operation(req);
        };
        if let Some(refused) = check_security(&served.contract, op, req) {
            return refused;
        }
        let problems = check_request(served, op, prepared, req);
        if !problems.is_empty() {
            return refuse(op, &problems);
        }
        choose_response(op, prepared, req)
    }

    fn no_operation(&self, req: &RecordedRequest) -> (Rendered, Option<String>) {
        let allowed: Vec<&str> = self
            .served
            .iter()
            .flat_map(|s| s.contract.operations.iter())
            .filter(|o| path_template::matches(&o.path, &req.path))
            .map(|o| o.method.as_str())
            .collect();
        if allowed.is_empty() {
            let why = format!(
                "no operation of the contract serves {} {}",
                req.method, req.path
            );
            let r = Rendered::json(
                StatusCode::NOT_FOUND,
                &json!({ "error": why, "operations": self.labels() }),
            );
            return (r, Some(why));
        }
        let why = format!(
            "{} {} is not documented; the path allows {}",
            req.method,
            req.path,
            allowed.join(", ")
        );
        let mut r = Rendered::json(StatusCode::METHOD_NOT_ALLOWED, &json!({ "error": why }));
        if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
            r.headers.push((ALLOW, v));
        }
        (r, Some(why))
    }

    fn labels(&self) -> Vec<String> {
        self.served
            .iter()
            .flat_map(|s| s.contract.operations.iter().map(Operation::label))
            .collect()
    }
}

fn compile(contract: &Contract, schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&contract.standalone_schema(schema))
        .map_err(|e| e.to_string())
}

fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

fn prepare(contract: &Contract, op: &Operation, warnings: &mut Vec<String>) -> ServedOp {
    let label = op.label();
    let mut compile_or_warn = |schema: &Value, what: &str| match compile(contract, schema) {
        Ok(v) => Some(v),
        Err(e) => {
            warnings.push(format!(
                "{label}: the schema of {what} does not compile ({e}); it is not checked"
            ));
            None
        }
    };
    let params = op
        .parameters
        .iter()
        .map(|p| ServedParam {
            name: p.name.clone(),
            location: p.location,
            required: p.required,
            validator: p.schema.as_ref().and_then(|s| {
                compile_or_warn(s, &format!("{} parameter `{}`", p.location, p.name))
            }),
            content_type: p.content_type.clone(),
        })
        .collect();
    let body = op.request_body.as_ref().map(|b| ServedBody {
        required: b.required,
        media: b
            .media
            .iter()
            .map(|(m, schema)| {
                let e = essence(m);
                let v = match schema {
                    Some(s) if is_json(&e) => compile_or_warn(s, "the request body"),
                    _ => None,
                };
                (e, v)
            })
            .collect(),
        items: b
            .item_schemas
            .iter()
            .filter_map(|(m, s)| {
                let v = compile_or_warn(s, "the request body's `itemSchema`")?;
                Some((essence(m), v))
            })
            .collect(),
    });
    let responses = op
        .responses
        .iter()
        .map(|spec| {
            let media = spec
                .media
                .iter()
                .find(|(m, _)| is_json(&essence(m)))
                .or_else(|| spec.media.first());
            let content_type = media.map(|(m, _)| m.clone());
            let mut bodies: Vec<(String, Bytes)> = spec
                .examples
                .iter()
                .map(|(name, v)| {
                    let bytes = match v {
                        Value::String(s) if !media.is_some_and(|(m, _)| is_json(&essence(m))) => {
                            Bytes::from(s.clone())
                        }
                        other => Bytes::from(other.to_string()),
                    };
                    (name.clone(), bytes)
                })
                .collect();
            if let Some((m, Some(schema))) = media
                && is_json(&essence(m))
            {
                let root = contract.standalone_schema(schema);
                let generated = Bytes::from(generate::generate(&root, &root).to_string());
                let status = status_of(spec.status);
                let problems = contract.check_response(op, status, Some(m), &generated);
                if !problems.is_empty() && bodies.is_empty() {
                    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    warnings.push(format!(
                        "{label}: the body generated for status {} does not fit its schema ({}); add an example to the contract",
                        spec.status,
                        list.join("; ")
                    ));
                }
                bodies.push(("generated".to_owned(), generated));
            } else if let Some((m, _)) = media
                && bodies.is_empty()
                && let Some((_, item)) = spec.item_schemas.iter().find(|(im, _)| im == m)
                && let Some(body) = sequential_body(&essence(m), &contract.standalone_schema(item))
            {
                let problems = contract.check_response(op, status_of(spec.status), Some(m), &body);
                if !problems.is_empty() {
                    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    warnings.push(format!(
                        "{label}: the `{m}` body generated for status {} does not fit its `itemSchema` ({}); add an example to the contract",
                        spec.status,
                        list.join("; ")
                    ));
                }
                bodies.push(("generated".to_owned(), body));
            }
            Canned {
                key: spec.status,
                content_type,
                bodies,
            }
        })
        .collect();
    ServedOp {
        params,
        body,
        responses,
    }
}

/// A body of two generated items for a sequential media type (3.2 `itemSchema`): JSON
/// Lines / NDJSON, JSON text sequences, or server-sent events (each property a field,
/// `data` split over `data:` lines). `None` for other media types.
fn sequential_body(essence: &str, item_schema: &Value) -> Option<Bytes> {
    let item = generate::generate(item_schema, item_schema);
    let mut out = String::new();
    for _ in 0..2 {
        match essence {
            "application/jsonl"
            | "application/x-jsonl"
            | "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonlines" => {
                out.push_str(&item.to_string());
                out.push('\n');
            }
            e if e == "application/json-seq" || e.ends_with("+json-seq") => {
                out.push('\u{1e}');
                out.push_str(&item.to_string());
                out.push('\n');
            }
            "text/event-stream" => {
                let Value::Object(fields) = &item else {
                    return None;
                };
                for (name, v) in fields {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    for line in text.split('\n') {
                        out.push_str(&format!("{name}: {line}\n"));
                    }
                }
                if !fields.contains_key("data") {
                    out.push_str("data: \n");
                }
                out.push('\n');
            }
            _ => return None,
        }
    }
    Some(Bytes::from(out))
}

/// The status sent for a documented key: the code, `N00` for `NXX`, 200 for `default`.
fn status_of(key: StatusKey) -> u16 {
    match key {
        StatusKey::Code(c) => c,
        StatusKey::Range(r) => u16::from(r) * 100,
        StatusKey::Default => 200,
    }
}

/// 401 when the operation needs credentials and the request satisfies none of its
/// security alternatives (bearer and basic: an `Authorization` header with that scheme;
/// API keys: the header, query parameter or cookie). OAuth2, OpenID Connect and mutual TLS
/// are taken as satisfied by any `Authorization` header.
fn check_security(
    contract: &Contract,
    op: &Operation,
    req: &RecordedRequest,
) -> Option<(Rendered, Option<String>)> {
    if !op.security {
        return None;
    }
    let auth = req.header("authorization").unwrap_or("");
    let satisfied = |name: &str| match contract.security_scheme(name).map(|s| &s.kind) {
        Some(SecurityKind::Http { scheme, .. }) => auth
            .split_once(' ')
            .is_some_and(|(sch, cred)| sch.eq_ignore_ascii_case(scheme) && !cred.trim().is_empty()),
        Some(SecurityKind::ApiKey { location, name }) => match location.as_str() {
            "header" => req.header(name).is_some(),
            "query" => req.query_param(name).is_some(),
            _ => cookies(req.header("cookie")).iter().any(|(n, _)| n == name),
        },
        _ => !auth.is_empty(),
    };
    let ok = op
        .security_requirements
        .iter()
        .any(|alt| alt.schemes.iter().all(|(name, _)| satisfied(name)));
    if ok {
        return None;
    }
    let names: Vec<String> = op
        .security_requirements
        .iter()
        .map(|alt| {
            alt.schemes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    let why = format!(
        "{} needs credentials ({}) and the request carries none that fit",
        op.label(),
        names.join(" or ")
    );
    let mut r = Rendered::json(StatusCode::UNAUTHORIZED, &json!({ "error": why }));
    r.headers.push((
        http::header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer"),
    ));
    Some((r, Some(why)))
}

fn check_request(
    served: &Served,
    op: &Operation,
    prepared: &ServedOp,
    req: &RecordedRequest,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let path_values = path_template::captures(&op.path, &req.path)
        .or_else(|| {
            served.contract.base_paths.iter().find_map(|base| {
                let rest = req.path.strip_prefix(base.as_str())?;
                path_template::captures(&op.path, if rest.is_empty() { "/" } else { rest })
            })
        })
        .unwrap_or_default();
    let cookies = cookies(req.header("cookie"));
    for p in &prepared.params {
        if p.location == ParameterLocation::Querystring {
            check_querystring(p, req, &mut problems);
            continue;
        }
        let value: Option<String> = match p.location {
            ParameterLocation::Path => path_values
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, v)| crate::query::decode(v)),
            ParameterLocation::Query => req.query_param(&p.name).map(str::to_owned),
            ParameterLocation::Header => {
                // OpenAPI says these three are described elsewhere and ignored here.
                if ["accept", "content-type", "authorization"]
                    .contains(&p.name.to_ascii_lowercase().as_str())
                {
                    continue;
                }
                req.header(&p.name).map(str::to_owned)
            }
            ParameterLocation::Cookie => cookies
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone()),
            ParameterLocation::Querystring => None, // checked above, as a whole
        };
        let location = match p.location {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
            ParameterLocation::Querystring => "querystring",
        };
        match value {
            None if p.required => {
                problems.push(Problem::new(location, &p.name, "is required but missing"))
            }
            None => {}
            Some(text) => {
                if let Some(v) = &p.validator
                    && let Err(e) = validate::check_param(v, &text)
                {
                    problems.push(Problem::new(location, &p.name, e));
                }
            }
        }
    }
    if let Some(body) = &prepared.body {
        check_body(body, req, &mut problems);
    }
    problems
}

/// A 3.2 `querystring` parameter: the whole query string, read in its media type, must
/// satisfy the parameter's schema (in one of its readings: see
/// [`crosscheck_contract::querystring::readings`]).
fn check_querystring(p: &ServedParam, req: &RecordedRequest, problems: &mut Vec<Problem>) {
    let raw = req.url.split_once('?').map_or("", |(_, q)| q);
    let raw = raw.split('#').next().unwrap_or(raw);
    if raw.is_empty() {
        if p.required {
            problems.push(Problem::new(
                "querystring",
                &p.name,
                "is required but the request has no query string",
            ));
        }
        return;
    }
    let Some(validator) = &p.validator else {
        return;
    };
    let media = p
        .content_type
        .as_deref()
        .unwrap_or("application/x-www-form-urlencoded");
    let readings = crosscheck_contract::querystring::readings(Some(media), raw);
    let Some(first) = readings.first() else {
        problems.push(Problem::new(
            "querystring",
            &p.name,
            format!("the query string is not `{media}`"),
        ));
        return;
    };
    if readings.iter().any(|v| validator.is_valid(v)) {
        return;
    }
    let message = validator.iter_errors(first).next().map_or_else(
        || "does not fit its schema".to_owned(),
        |e| {
            let at = e.instance_path().as_str().to_owned();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("at `{at}`: {e}")
            }
        },
    );
    problems.push(Problem::new("querystring", &p.name, message));
}

fn check_body(spec: &ServedBody, req: &RecordedRequest, problems: &mut Vec<Problem>) {
    if req.body.is_empty() {
        if spec.required {
            problems.push(Problem::new(
                "body",
                "",
                "a request body is required but none was sent",
            ));
        }
        return;
    }
    let documented: Vec<&str> = spec.media.iter().map(|(m, _)| m.as_str()).collect();
    let sent = req.header("content-type").map(essence);
    let main = |m: &str| m.split('/').next().unwrap_or("").to_owned();
    let media = match &sent {
        Some(ct) => spec.media.iter().find(|(m, _)| {
            m == ct || m == "*/*" || m.strip_suffix("/*").is_some_and(|p| p == main(ct))
        }),
        None => spec.media.first(),
    };
    let Some((media, validator)) = media else {
        problems.push(Problem::new(
            "body",
            "",
            format!(
                "content type `{}` is not documented (documented: {})",
                sent.unwrap_or_default(),
                documented.join(", ")
            ),
        ));
        return;
    };
    if let Some((_, item)) = spec.items.iter().find(|(m, _)| m == media) {
        match crosscheck_contract::sequential_items(media, req.body.as_bytes()) {
            Some(Ok(items)) => {
                for (i, value) in items.iter().enumerate() {
                    problems.extend(validate::check_body(item, value).into_iter().map(|mut p| {
                        p.name = format!("/{i}{}", p.name);
                        p
                    }));
                }
            }
            Some(Err(e)) => problems.push(Problem::new("body", "", e)),
            None => {}
        }
        return;
    }
    if !is_json(media) {
        return;
    }
    let Some(json) = &req.json else {
        problems.push(Problem::new("body", "", "the body is not valid JSON"));
        return;
    };
    if let Some(v) = validator {
        problems.extend(validate::check_body(v, json));
    }
}

/// 422 when only the body's content is wrong, else 400 (415 for an undocumented type).
fn refuse(op: &Operation, problems: &[Problem]) -> (Rendered, Option<String>) {
    let schema_only = problems.iter().all(|p| p.schema);
    let unsupported = problems
        .iter()
        .any(|p| p.message.starts_with("content type "));
    let status = if unsupported {
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    } else if schema_only {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_REQUEST
    };
    let listed: Vec<Value> = problems
        .iter()
        .map(|p| json!({ "in": p.location, "name": p.name, "message": p.message }))
        .collect();
    let described: Vec<String> = problems.iter().map(Problem::describe).collect();
    let r = Rendered::json(
        status,
        &json!({
            "error": format!("the request does not conform to the contract's {}", op.label()),
            "violations": listed,
        }),
    );
    (r, Some(described.join("; ")))
}

/// The status and example a request asks for: `Prefer: code=404, example=name` or
/// `X-Crosscheck-Status: 404`.
fn preferences(req: &RecordedRequest) -> (Option<String>, Option<String>) {
    let mut code = req.header(STATUS_HEADER).map(|s| s.trim().to_owned());
    let mut example = None;
    for (name, value) in &req.headers {
        if !name.eq_ignore_ascii_case("prefer") {
            continue;
        }
        for pref in value.split([',', ';']) {
            if let Some((k, v)) = pref.split_once('=') {
                let v = v.trim().trim_matches('"').to_owned();
                match k.trim() {
                    "code" if code.is_none() => code = Some(v),
                    "example" => example = Some(v),
                    _ => {}
                }
            }
        }
    }
    (code, example)
}

fn choose_response(
    op: &Operation,
    prepared: &ServedOp,
    req: &RecordedRequest,
) -> (Rendered, Option<String>) {
    let (wanted, example) = preferences(req);
    let canned = match wanted {
        Some(text) => {
            let Ok(status) = text.parse::<u16>() else {
                let why = format!("the requested status `{text}` is not a number");
                return (
                    Rendered::json(StatusCode::BAD_REQUEST, &json!({ "error": why })),
                    Some(why),
                );
            };
            let found = op.response_for(status).and_then(|spec| {
                prepared
                    .responses
                    .iter()
                    .find(|c| c.key == spec.status)
                    .map(|c| (status, c))
            });
            match found.and_then(|(s, c)| StatusCode::from_u16(s).ok().map(|s| (s, c))) {
                Some(pair) => pair,
                None => {
                    let why = format!(
                        "status {status} is not documented for {} (documented: {})",
                        op.label(),
                        op.documented_statuses()
                    );
                    return (
                        Rendered::json(StatusCode::BAD_REQUEST, &json!({ "error": why })),
                        Some(why),
                    );
                }
            }
        }
        None => {
            let pick = prepared
                .responses
                .iter()
                .filter(|c| status_of(c.key) / 100 == 2)
                .min_by_key(|c| {
                    (
                        matches!(c.key, StatusKey::Code(_))
                            .then_some(0)
                            .unwrap_or(1),
                        status_of(c.key),
                    )
                })
                .or_else(|| prepared.responses.first());
            match pick {
                Some(c) => (
                    StatusCode::from_u16(status_of(c.key)).unwrap_or(StatusCode::OK),
                    c,
                ),
                None => {
                    return (
                        Rendered {
                            status: StatusCode::OK,
                            headers: Vec::new(),
                            body: Bytes::new(),
                        },
                        None,
                    );
                }
            }
        }
    };
    let (status, c) = canned;
    let body = match &example {
        Some(name) => match c.bodies.iter().find(|(n, _)| n == name) {
            Some((_, b)) => b.clone(),
            None => {
                let names: Vec<&str> = c.bodies.iter().map(|(n, _)| n.as_str()).collect();
                let why = format!(
                    "{} has no example `{name}` for status {} (examples: {})",
                    op.label(),
                    c.key,
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                );
                return (
                    Rendered::json(StatusCode::BAD_REQUEST, &json!({ "error": why })),
                    Some(why),
                );
            }
        },
        None => c.bodies.first().map(|(_, b)| b.clone()).unwrap_or_default(),
    };
    let mut headers = Vec::new();
    if !body.is_empty()
        && let Some(ct) = c
            .content_type
            .as_deref()
            .and_then(|t| HeaderValue::from_str(t).ok())
    {
        headers.push((CONTENT_TYPE, ct));
    }
    (
        Rendered {
            status,
            headers,
            body,
        },
        None,
    )
}
