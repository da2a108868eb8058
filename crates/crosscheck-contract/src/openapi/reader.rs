//! The walk over an OpenAPI document: paths, operations, parameters, bodies, responses.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::check::ValidatorCache;
use crate::error::ContractError;
use crate::lines::operation_lines;
use crate::model::{
    Contract, Operation, Parameter, ParameterLocation, ParameterStyle, RequestBody, ResponseSpec,
    SecurityRequirement, StatusKey,
};
use crate::resolve::{Resolver, push};
use crate::schema::Translator;

use super::version::dialect;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads an OpenAPI document. `text` is only used to find line numbers.
pub(crate) fn read(file: &str, text: &str, doc: &Value) -> Result<Contract, ContractError> {
    let (dialect, version) = dialect(file, doc)?;
    let resolver = Resolver::new(file, doc);
    let mut reader = Reader {
        file,
        resolver: &resolver,
        schemas: Translator::new(&resolver, dialect),
        warnings: Vec::new(),
        v32: version.starts_with("3.2"),
    };
    reader.contract(doc, text, version)
}

pub(super) struct Reader<'d> {
    file: &'d str,
    resolver: &'d Resolver<'d>,
    pub(super) schemas: Translator<'d>,
    warnings: Vec<String>,
    /// OpenAPI 3.2: `query`, `additionalOperations`, `in: querystring`, `itemSchema`, …
    pub(super) v32: bool,
}

impl<'d> Reader<'d> {
    pub(super) fn invalid(&self, pointer: &str, message: impl Into<String>) -> ContractError {
        ContractError::Invalid {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }

    /// The contract's file, as the user named it.
    pub(super) fn file(&self) -> &str {
        self.file
    }

    pub(super) fn warn(&mut self, pointer: &str, message: impl AsRef<str>) {
        let w = format!("#{pointer}: {}", message.as_ref());
        tracing::warn!(file = self.file, "{w}");
        self.warnings.push(w);
    }

    /// The mapping at `at`, after following `$ref`s; `what` names it in errors.
    pub(super) fn mapping(
        &self,
        at: &str,
        value: &'d Value,
        what: &str,
    ) -> Result<(String, &'d Map<String, Value>), ContractError> {
        let (at, value) = self.resolver.deref(at, value)?;
        match value {
            Value::Object(m) => Ok((at, m)),
            other => Err(self.invalid(
                &at,
                format!("{what} must be a mapping, not {}", kind(other)),
            )),
        }
    }

    fn contract(
        &mut self,
        doc: &'d Value,
        text: &str,
        version: String,
    ) -> Result<Contract, ContractError> {
        let info = doc.get("info");
        let text_of = |k: &str| {
            info.and_then(|i| i.get(k))
                .and_then(scalar)
                .unwrap_or_default()
        };
        let (title, api_version) = (text_of("title"), text_of("version"));
        let security_schemes = self.security_schemes(doc)?;
        let default_security = match doc.get("security") {
            Some(v) => self.requirements("/security", v)?,
            None => Vec::new(),
        };
        let lines = operation_lines(text);
        let mut operations = Vec::new();
        let tags = self.tags(doc);
        if self.v32 {
            self.components_v32(doc)?;
        }
        match doc.get("paths") {
            None | Some(Value::Null) => {}
            Some(Value::Object(paths)) => {
                for (template, item) in paths {
                    if template.starts_with("x-") {
                        continue;
                    }
                    let at = push("/paths", template);
                    if !template.starts_with('/') {
                        self.warn(&at, "a path must start with `/`; skipped");
                        continue;
                    }
                    self.path_item(
                        template,
                        &at,
                        item,
                        &default_security,
                        &lines,
                        &mut operations,
                    )?;
                }
            }
            Some(other) => {
                return Err(self.invalid(
                    "/paths",
                    format!(
                        "`paths` must be a mapping of path templates, not {}",
                        kind(other)
                    ),
                ));
            }
        }
        self.check_operation_refs(&operations);
        Ok(Contract {
            file: self.file.to_owned(),
            source_format: format!("openapi {version}"),
            title,
            version: api_version,
            base_paths: base_paths(doc),
            operations,
            schema_definitions: self.schemas.definitions(),
            security_schemes,
            warnings: {
                let mut w = std::mem::take(&mut self.warnings);
                w.append(&mut self.schemas.warnings);
                if self.v32 {
                    // A path item under `components/pathItems` is read for 3.2's checks
                    // and again where `paths` refers to it: say each thing once.
                    let mut seen = std::collections::HashSet::new();
                    w.retain(|x| seen.insert(x.clone()));
                }
                w
            },
            servers: self.servers(doc)?,
            tags,
            validators: ValidatorCache::default(),
        })
    }

    pub(super) fn path_item(
        &mut self,
        template: &str,
        at: &str,
        item: &'d Value,
        default_security: &[SecurityRequirement],
        lines: &HashMap<(String, String), u32>,
        out: &mut Vec<Operation>,
    ) -> Result<(), ContractError> {
        let (item_at, item) = self.mapping(at, item, "a path item")?;
        let shared = match item.get("parameters") {
            Some(v) => self.parameters(&push(&item_at, "parameters"), v)?,
            None => Vec::new(),
        };
        let mut methods: Vec<(String, String, &'d Value)> = Vec::new();
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                methods.push((method.to_ascii_uppercase(), push(&item_at, method), op));
            }
        }
        if self.v32 {
            if let Some(op) = item.get("query") {
                methods.push(("QUERY".to_owned(), push(&item_at, "query"), op));
            }
            self.additional_operations(&item_at, item, &mut methods)?;
        }
        for (method, at, op) in methods {
            // Operations cannot be `$ref`s in OpenAPI, but split specs (DigitalOcean's)
            // write them so and rely on bundlers; following them costs nothing.
            let (op_at, op) = self.mapping(&at, op, "an operation")?;
            let mut parameters = shared.clone();
            if let Some(v) = op.get("parameters") {
                for p in self.parameters(&push(&op_at, "parameters"), v)? {
                    match parameters
                        .iter_mut()
                        .find(|q| q.name == p.name && q.location == p.location)
                    {
                        Some(q) => *q = p,
                        None => parameters.push(p),
                    }
                }
                if self.v32 {
                    self.querystring_rules(&push(&op_at, "parameters"), &parameters)?;
                }
            }
            let request_body = match op.get("requestBody") {
                Some(v) => Some(self.request_body(&push(&op_at, "requestBody"), v)?),
                None => None,
            };
            let responses = match op.get("responses") {
                Some(v) => self.responses(&push(&op_at, "responses"), v)?,
                None => Vec::new(),
            };
            let callbacks = match op.get("callbacks") {
                Some(v) => self.callbacks(&push(&op_at, "callbacks"), v, lines),
                None => Vec::new(),
            };
            let security_requirements = match op.get("security") {
                Some(v) => self.requirements(&push(&op_at, "security"), v)?,
                None => default_security.to_vec(),
            };
            let security = !security_requirements.is_empty()
                && security_requirements.iter().all(|r| !r.schemes.is_empty());
            let line = lines
                .get(&(template.to_owned(), method.to_ascii_lowercase()))
                .copied()
                .unwrap_or(0);
            out.push(Operation {
                id: op.get("operationId").and_then(scalar),
                method,
                path: template.to_owned(),
                summary: op.get("summary").and_then(scalar).unwrap_or_default(),
                parameters,
                request_body,
                responses,
                security,
                security_requirements,
                line,
                deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
                tags: match op.get("tags") {
                    Some(Value::Array(t)) => t.iter().filter_map(scalar).collect(),
                    _ => Vec::new(),
                },
                callbacks,
            });
        }
        Ok(())
    }

    fn parameters(&mut self, at: &str, v: &'d Value) -> Result<Vec<Parameter>, ContractError> {
        let Value::Array(list) = v else {
            return Err(self.invalid(at, format!("`parameters` must be a list, not {}", kind(v))));
        };
        let mut out = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            if let Some(p) = self.parameter(&push(at, &i.to_string()), p)? {
                out.push(p);
            }
        }
        if self.v32 {
            self.querystring_rules(at, &out)?;
        }
        Ok(out)
    }

    /// One parameter, or `None` when it is skipped (with a warning).
    pub(super) fn parameter(
        &mut self,
        at: &str,
        p: &'d Value,
    ) -> Result<Option<Parameter>, ContractError> {
        let (p_at, p) = self.mapping(at, p, "a parameter")?;
        let Some(name) = p.get("name").and_then(scalar) else {
            return Err(self.invalid(&p_at, "a parameter needs a `name`"));
        };
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParameterLocation::Path,
            Some("query") => ParameterLocation::Query,
            Some("header") => ParameterLocation::Header,
            Some("cookie") => ParameterLocation::Cookie,
            Some("querystring") if self.v32 => ParameterLocation::Querystring,
            other => {
                self.warn(
                    &p_at,
                    format!(
                        "parameter `{name}` has `in: {}`; expected path, query, header or cookie{}; skipped",
                        other.unwrap_or(""),
                        if self.v32 { " or querystring" } else { "" }
                    ),
                );
                return Ok(None);
            }
        };
        if self.v32 {
            self.parameter_rules(&p_at, &name, location, p)?;
        }
        let required = location == ParameterLocation::Path
            || p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let mut content_type = None;
        let schema = match (p.get("schema"), p.get("content")) {
            (Some(s), _) => Some(self.schemas.schema(&push(&p_at, "schema"), s)?),
            (None, Some(content)) => {
                let media = self.content(&push(&p_at, "content"), content, None)?;
                content_type = media.media.first().map(|(m, _)| m.clone());
                media.media.into_iter().find_map(|(_, s)| s)
            }
            (None, None) => None,
        };
        let style = match p.get("style").and_then(Value::as_str) {
            Some(s) => ParameterStyle::parse(s),
            None => ParameterStyle::default_for(location),
        };
        let explode = p
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(matches!(
                style,
                ParameterStyle::Form | ParameterStyle::Cookie
            ));
        let mut examples = Vec::new();
        self.examples(&p_at, p, &mut examples)?;
        if let Some(Value::Object(content)) = p.get("content") {
            for (mt, m) in content {
                if let Value::Object(m) = m {
                    self.examples(&push(&push(&p_at, "content"), mt), m, &mut examples)?;
                }
            }
        }
        Ok(Some(Parameter {
            name,
            location,
            required,
            schema,
            style,
            explode,
            examples,
            content_type,
            deprecated: p.get("deprecated").and_then(Value::as_bool) == Some(true),
        }))
    }

    fn request_body(&mut self, at: &str, v: &'d Value) -> Result<RequestBody, ContractError> {
        let (at, body) = self.mapping(at, v, "a request body")?;
        let mut examples = Vec::new();
        let content = match body.get("content") {
            Some(c) => self.content(&push(&at, "content"), c, Some(&mut examples))?,
            None => Content::default(),
        };
        Ok(RequestBody {
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            media: content.media,
            examples,
            item_schemas: content.item_schemas,
        })
    }

    fn responses(&mut self, at: &str, v: &'d Value) -> Result<Vec<ResponseSpec>, ContractError> {
        let Value::Object(map) = v else {
            return Err(self.invalid(
                at,
                format!(
                    "`responses` must be a mapping of status codes, not {}",
                    kind(v)
                ),
            ));
        };
        let mut out = Vec::with_capacity(map.len());
        for (key, r) in map {
            if key.starts_with("x-") {
                continue;
            }
            let r_at = push(at, key);
            let Some(status) = StatusKey::parse(key) else {
                self.warn(
                    &r_at,
                    format!("`{key}` is not a status code (`200`), a range (`2XX`) or `default`; skipped"),
                );
                continue;
            };
            let (r_at, r) = self.mapping(&r_at, r, "a response")?;
            let mut examples = Vec::new();
            let content = match r.get("content") {
                Some(c) => self.content(&push(&r_at, "content"), c, Some(&mut examples))?,
                None => Content::default(),
            };
            out.push(ResponseSpec {
                status,
                description: r.get("description").and_then(scalar).unwrap_or_default(),
                media: content.media,
                item_schemas: content.item_schemas,
                examples,
                links: match r.get("links") {
                    Some(v) => self.links(&push(&r_at, "links"), v)?,
                    None => Vec::new(),
                },
                headers: match r.get("headers") {
                    Some(Value::Object(h)) => h.keys().cloned().collect(),
                    _ => Vec::new(),
                },
            });
        }
        Ok(out)
    }

    /// A `content` mapping: media types, their schemas, and (for responses) examples.
    pub(super) fn content(
        &mut self,
        at: &str,
        v: &'d Value,
        mut examples: Option<&mut Vec<(String, Value)>>,
    ) -> Result<Content, ContractError> {
        let Value::Object(map) = v else {
            return Err(self.invalid(
                at,
                format!(
                    "`content` must be a mapping of media types, not {}",
                    kind(v)
                ),
            ));
        };
        let mut out = Content {
            media: Vec::with_capacity(map.len()),
            item_schemas: Vec::new(),
        };
        for (media_type, mt) in map {
            let mut mt_at = push(at, media_type);
            let mt = match mt {
                // 3.2: a media type may be a `$ref` (to `components/mediaTypes`).
                Value::Object(m) if self.v32 && m.contains_key("$ref") => {
                    let (target, m) = self.mapping(&mt_at, mt, "a media type")?;
                    mt_at = target;
                    m
                }
                Value::Object(m) => m,
                Value::Null => {
                    out.media.push((media_type.clone(), None));
                    continue;
                }
                other => {
                    return Err(self.invalid(
                        &mt_at,
                        format!("a media type must be a mapping, not {}", kind(other)),
                    ));
                }
            };
            let schema = match mt.get("schema") {
                Some(s) => Some(self.schemas.schema(&push(&mt_at, "schema"), s)?),
                None => None,
            };
            out.media.push((media_type.clone(), schema));
            if self.v32
                && let Some(s) = mt.get("itemSchema")
            {
                let item = self.schemas.schema(&push(&mt_at, "itemSchema"), s)?;
                out.item_schemas.push((media_type.clone(), item));
            }
            let Some(examples) = examples.as_deref_mut() else {
                continue;
            };
            self.examples(&mt_at, mt, examples)?;
        }
        Ok(out)
    }
}

/// What a `content` mapping documents.
#[derive(Debug, Default)]
pub(super) struct Content {
    /// Media types and their schemas.
    pub(super) media: Vec<(String, Option<Value>)>,
    /// 3.2 `itemSchema`s by media type.
    pub(super) item_schemas: Vec<(String, Value)>,
}

/// The path part of each `servers` URL (variables replaced by their defaults), without
/// a trailing slash; `/` and empty are left out.
fn base_paths(doc: &Value) -> Vec<String> {
    let Some(Value::Array(servers)) = doc.get("servers") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for server in servers {
        let Some(url) = server.get("url").and_then(Value::as_str) else {
            continue;
        };
        let mut url = url.to_owned();
        if let Some(Value::Object(vars)) = server.get("variables") {
            for (name, var) in vars {
                if let Some(default) = var.get("default").and_then(scalar) {
                    url = url.replace(&format!("{{{name}}}"), &default);
                }
            }
        }
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
            None if url.starts_with('/') => url.as_str(),
            None => "",
        };
        let path = path
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        if !path.is_empty() && !path.contains('{') && !out.iter().any(|p| p == path) {
            out.push(path.to_owned());
        }
    }
    out
}

/// A scalar as text (YAML may read `version: 1.0` as a number).
pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err(doc: Value) -> String {
        read("api.yaml", "", &doc).unwrap_err().to_string()
    }

    #[test]
    fn parameters_merge_and_bad_status_keys_warn() {
        let doc = json!({
            "openapi": "3.0.3",
            "servers": [{"url": "https://{host}/api/v1/", "variables": {"host": {"default": "x.com"}}}, {"url": "/"}],
            "paths": {"/a/{id}": {
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}},
                               {"name": "q", "in": "query"}],
                "get": {
                    "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "integer", "nullable": true}}],
                    "responses": {"20O": {"description": "typo"}, "200": {"description": "ok"}}
                }
            }, "x-ext": {}}
        });
        let c = read("api.yaml", "", &doc).unwrap();
        let op = &c.operations[0];
        assert_eq!(op.parameters.len(), 2);
        assert!(op.parameters[0].required);
        assert!(op.parameters[1].required);
        assert_eq!(
            op.parameters[1].schema,
            Some(json!({"type": ["integer", "null"]}))
        );
        assert_eq!(op.responses.len(), 1);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].starts_with("#/paths/~1a~1{id}/get/responses/20O: "),
            "{:?}",
            c.warnings
        );
        assert_eq!(c.base_paths, vec!["/api/v1".to_owned()]);
    }

    #[test]
    fn ref_cycle_between_responses() {
        let doc = json!({
            "openapi": "3.0.3",
            "components": {"responses": {"A": {"$ref": "#/components/responses/B"}, "B": {"$ref": "#/components/responses/A"}}},
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}}
        });
        let e = err(doc);
        assert!(e.contains("cycle"), "{e}");
        assert!(e.contains("at `#/paths/~1a/get/responses/200`"), "{e}");
    }

    #[test]
    fn examples_named_and_referenced() {
        let doc = json!({
            "openapi": "3.1.0",
            "components": {"examples": {"valid": {"value": {"valid": true}}}},
            "paths": {"/validate": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "examples": {"valid": {"$ref": "#/components/examples/valid"}, "invalid": {"value": {"valid": false}}}
                }
            }}}}}}
        });
        let c = read("api.yaml", "", &doc).unwrap();
        let r = &c.operations[0].responses[0];
        assert_eq!(
            r.examples,
            vec![
                ("valid".to_owned(), json!({"valid": true})),
                ("invalid".to_owned(), json!({"valid": false})),
            ]
        );
    }
}
