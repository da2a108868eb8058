//! Swagger 2.0 → OpenAPI 3.0, as a document rewrite before the OpenAPI reader runs.
//!
//! Swagger 2.0 and OpenAPI 3.0 share their schema dialect (JSON Schema draft 4 with
//! extensions), so the rewrite moves things rather than translating them: `definitions`,
//! `parameters`, `responses` and `securityDefinitions` become `components`; `host`,
//! `basePath` and `schemes` become `servers`; a `body` parameter becomes a request body
//! and `formData` parameters a form body, one media type per `consumes`; a response's
//! `schema` is given one media type per `produces`; `collectionFormat` becomes
//! `style`/`explode`; `x-nullable` becomes `nullable` and `type: file` a binary string.
//! Then the OpenAPI 3.0 reader, with its rewrite to JSON Schema 2020-12, does the rest, and
//! [`original_pointer`] points messages back at where things were written.

use serde_json::{Map, Value, json};

use crate::error::ContractError;
use crate::resolve::push;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// How many `$ref`s in a row are followed for parameters, responses and path items.
const MAX_HOPS: usize = 64;

/// Whether `doc` is a Swagger document.
pub(crate) fn is_swagger(doc: &Value) -> bool {
    doc.get("swagger").is_some()
}

/// `doc` (Swagger 2.0, its other files gathered) rewritten as OpenAPI 3.0.3.
pub(crate) fn upgrade(file: &str, doc: &Value) -> Result<Value, ContractError> {
    let version = match doc.get("swagger") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if version != "2.0" && version != "2" {
        return Err(ContractError::Unsupported {
            file: file.to_owned(),
            pointer: "/swagger".to_owned(),
            what: format!("swagger {version}"),
            help: "crosscheck reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2; convert older descriptions to one of those".to_owned(),
        });
    }
    let u = Upgrader { file, doc };
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    for key in ["info", "security", "tags", "externalDocs"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(servers) = u.servers() {
        out.insert("servers".into(), servers);
    }
    let mut components = Map::new();
    if let Some(Value::Object(defs)) = doc.get("definitions") {
        components.insert("schemas".into(), Value::Object(defs.clone()));
    }
    if let Some(Value::Object(params)) = doc.get("parameters") {
        let mut converted = Map::new();
        for (name, p) in params {
            if let Value::Object(p) = p
                && !matches!(
                    p.get("in").and_then(Value::as_str),
                    Some("body" | "formData")
                )
            {
                converted.insert(name.clone(), u.parameter(p));
            }
        }
        components.insert("parameters".into(), Value::Object(converted));
    }
    if let Some(Value::Object(responses)) = doc.get("responses") {
        let produces = u.media_list(None, "produces");
        let mut converted = Map::new();
        for (name, r) in responses {
            let at = push("/responses", name);
            converted.insert(name.clone(), u.response(&at, r, &produces)?);
        }
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(Value::Object(schemes)) = doc.get("securityDefinitions") {
        let converted = schemes
            .iter()
            .map(|(name, s)| (name.clone(), security_scheme(s)))
            .collect();
        components.insert("securitySchemes".into(), Value::Object(converted));
    }
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    match doc.get("paths") {
        Some(Value::Object(paths)) => {
            let mut converted = Map::new();
            for (template, item) in paths {
                if template.starts_with("x-") {
                    continue;
                }
                let at = push("/paths", template);
                converted.insert(template.clone(), u.path_item(&at, item)?);
            }
            out.insert("paths".into(), Value::Object(converted));
        }
        Some(other) => out.insert("paths".into(), other.clone()).map_or((), drop),
        None => {}
    }
    if let Some(files) = doc.get(crate::external::FILES_KEY) {
        out.insert(crate::external::FILES_KEY.into(), files.clone());
    }
    let mut out = Value::Object(out);
    fix_schemas(&mut out, 0, false);
    Ok(out)
}

/// `#/components/schemas/…` and the like in a message, written back as Swagger 2.0 has
/// them.
pub(crate) fn original_text(text: &str) -> String {
    let mut out = text.to_owned();
    for (from, to) in [
        ("#/components/schemas", "#/definitions"),
        ("#/components/parameters", "#/parameters"),
        ("#/components/responses", "#/responses"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// A pointer into the upgraded document, pointed back at where Swagger 2.0 has it.
pub(crate) fn original_pointer(pointer: &str) -> String {
    let mut p = pointer.to_owned();
    for (from, to) in [
        ("/components/schemas/", "/definitions/"),
        ("/components/parameters/", "/parameters/"),
        ("/components/responses/", "/responses/"),
        ("/components/securitySchemes/", "/securityDefinitions/"),
    ] {
        if let Some(rest) = p.strip_prefix(from) {
            p = format!("{to}{rest}");
        }
    }
    // `…/responses/200/content/application~1json/schema` was `…/responses/200/schema`.
    if let Some(i) = p.find("/responses/")
        && let Some(c) = p[i..].find("/content/")
    {
        let start = i + c;
        let after = &p[start + "/content/".len()..];
        let rest = after.find('/').map_or("", |j| &after[j..]);
        p = format!("{}{rest}", &p[..start]);
    }
    p
}

struct Upgrader<'d> {
    file: &'d str,
    doc: &'d Value,
}

impl<'d> Upgrader<'d> {
    fn invalid(&self, pointer: &str, message: impl Into<String>) -> ContractError {
        ContractError::Invalid {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }

    /// Follows local `$ref`s from `v` at `at` (as the 3.0 reader would, but here the
    /// target must be rewritten too, so it is inlined).
    fn deref(&self, at: &str, v: &'d Value) -> Result<(String, &'d Value), ContractError> {
        let mut here = at.to_owned();
        let mut v = v;
        let mut hops = 0;
        while let Some(r) = v.get("$ref") {
            let ref_at = push(&here, "$ref");
            let Some(r) = r.as_str() else {
                return Err(self.invalid(
                    &ref_at,
                    "`$ref` must be a string such as `'#/definitions/Pet'`",
                ));
            };
            let Some(pointer) = r.strip_prefix('#') else {
                return Err(ContractError::Unsupported {
                    file: self.file.to_owned(),
                    pointer: ref_at,
                    what: format!("a `$ref` to a remote document (`{r}`)"),
                    help: "save the document beside this one and refer to it by relative path"
                        .to_owned(),
                });
            };
            let pointer = pointer.replace("%7B", "{").replace("%7D", "}");
            let Some(target) = self.doc.pointer(&pointer) else {
                return Err(ContractError::BadRef {
                    file: self.file.to_owned(),
                    pointer: ref_at,
                    target: r.to_owned(),
                    reason: "points at nothing; fix the reference or add the definition".to_owned(),
                });
            };
            hops += 1;
            if hops > MAX_HOPS {
                return Err(ContractError::Cycle {
                    file: self.file.to_owned(),
                    pointer: at.to_owned(),
                    chain: vec![at.to_owned(), pointer.clone(), at.to_owned()],
                });
            }
            here = pointer;
            v = target;
        }
        Ok((here, v))
    }

    fn servers(&self) -> Option<Value> {
        let host = self.doc.get("host").and_then(Value::as_str);
        let base = self
            .doc
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("");
        if host.is_none() && base.is_empty() {
            return None;
        }
        let urls: Vec<Value> = match host {
            None => vec![json!({"url": base})],
            Some(host) => {
                let schemes: Vec<&str> = match self.doc.get("schemes") {
                    Some(Value::Array(s)) if !s.is_empty() => {
                        s.iter().filter_map(Value::as_str).collect()
                    }
                    _ => vec!["https"],
                };
                schemes
                    .iter()
                    .map(|s| json!({"url": format!("{s}://{host}{base}")}))
                    .collect()
            }
        };
        Some(Value::Array(urls))
    }

    /// `consumes` or `produces` of an operation, else of the document.
    fn media_list(&self, op: Option<&Map<String, Value>>, key: &str) -> Vec<String> {
        let from = |v: Option<&Value>| match v {
            Some(Value::Array(list)) => Some(
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        from(op.and_then(|o| o.get(key)))
            .or_else(|| from(self.doc.get(key)))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| vec!["application/json".to_owned()])
    }

    fn path_item(&self, at: &str, item: &'d Value) -> Result<Value, ContractError> {
        let (item_at, item) = self.deref(at, item)?;
        let Value::Object(item) = item else {
            return Err(self.invalid(&item_at, "a path item must be a mapping"));
        };
        let shared = match item.get("parameters") {
            Some(Value::Array(list)) => self.parameter_list(&push(&item_at, "parameters"), list)?,
            _ => Vec::new(),
        };
        let mut out = Map::new();
        for (k, v) in item {
            if METHODS.contains(&k.as_str()) {
                let op_at = push(&item_at, k);
                out.insert(k.clone(), self.operation(&op_at, v, &shared)?);
            } else if k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        Ok(Value::Object(out))
    }

    /// Parameters, each dereferenced, with where each was written.
    fn parameter_list(
        &self,
        at: &str,
        list: &'d [Value],
    ) -> Result<Vec<&'d Map<String, Value>>, ContractError> {
        let mut out = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            let (p_at, p) = self.deref(&push(at, &i.to_string()), p)?;
            match p {
                Value::Object(m) => out.push(m),
                _ => return Err(self.invalid(&p_at, "a parameter must be a mapping")),
            }
        }
        Ok(out)
    }

    fn operation(
        &self,
        at: &str,
        op: &'d Value,
        shared: &[&'d Map<String, Value>],
    ) -> Result<Value, ContractError> {
        let (op_at, op) = self.deref(at, op)?;
        let Value::Object(op) = op else {
            return Err(self.invalid(&op_at, "an operation must be a mapping"));
        };
        let mut params: Vec<&Map<String, Value>> = shared.to_vec();
        if let Some(Value::Array(list)) = op.get("parameters") {
            for p in self.parameter_list(&push(&op_at, "parameters"), list)? {
                let key = |m: &Map<String, Value>| (m.get("name").cloned(), m.get("in").cloned());
                match params.iter_mut().find(|q| key(q) == key(p)) {
                    Some(q) => *q = p,
                    None => params.push(p),
                }
            }
        }
        let mut out = Map::new();
        for key in [
            "operationId",
            "summary",
            "description",
            "tags",
            "deprecated",
            "security",
            "externalDocs",
        ] {
            if let Some(v) = op.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        for (k, v) in op {
            if k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        let consumes = self.media_list(Some(op), "consumes");
        let mut parameters = Vec::new();
        let mut form = Map::new();
        let mut form_required = Vec::new();
        let mut has_file = false;
        for p in &params {
            match p.get("in").and_then(Value::as_str) {
                Some("body") => {
                    let schema = p.get("schema").cloned().unwrap_or(json!({}));
                    let content: Map<String, Value> = consumes
                        .iter()
                        .map(|mt| (mt.clone(), json!({"schema": schema})))
                        .collect();
                    let mut body = json!({"content": content});
                    if p.get("required") == Some(&Value::Bool(true)) {
                        body["required"] = json!(true);
                    }
                    if let Some(d) = p.get("description") {
                        body["description"] = d.clone();
                    }
                    out.insert("requestBody".into(), body);
                }
                Some("formData") => {
                    let name = p
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    has_file |= p.get("type").and_then(Value::as_str) == Some("file");
                    if p.get("required") == Some(&Value::Bool(true)) {
                        form_required.push(json!(name));
                    }
                    form.insert(name, schema_of(p));
                }
                _ => parameters.push(self.parameter(p)),
            }
        }
        if !form.is_empty() {
            let mut schema = json!({"type": "object", "properties": form});
            if !form_required.is_empty() {
                schema["required"] = Value::Array(form_required.clone());
            }
            let mut types: Vec<String> = consumes
                .iter()
                .filter(|m| m.contains("form"))
                .cloned()
                .collect();
            if types.is_empty() {
                types.push(
                    if has_file {
                        "multipart/form-data"
                    } else {
                        "application/x-www-form-urlencoded"
                    }
                    .to_owned(),
                );
            }
            let content: Map<String, Value> = types
                .into_iter()
                .map(|mt| (mt, json!({"schema": schema})))
                .collect();
            let mut body = json!({"content": content});
            if !form_required.is_empty() {
                body["required"] = json!(true);
            }
            out.insert("requestBody".into(), body);
        }
        if !parameters.is_empty() {
            out.insert("parameters".into(), Value::Array(parameters));
        }
        let produces = self.media_list(Some(op), "produces");
        match op.get("responses") {
            Some(Value::Object(responses)) => {
                let mut converted = Map::new();
                for (status, r) in responses {
                    if status.starts_with("x-") {
                        continue;
                    }
                    let r_at = push(&push(&op_at, "responses"), status);
                    converted.insert(status.clone(), self.response(&r_at, r, &produces)?);
                }
                out.insert("responses".into(), Value::Object(converted));
            }
            Some(other) => {
                out.insert("responses".into(), other.clone());
            }
            None => {}
        }
        Ok(Value::Object(out))
    }

    /// A non-body parameter in OpenAPI 3.0 form.
    fn parameter(&self, p: &Map<String, Value>) -> Value {
        let mut out = Map::new();
        for key in [
            "name",
            "in",
            "description",
            "required",
            "deprecated",
            "allowEmptyValue",
        ] {
            if let Some(v) = p.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        for (k, v) in p {
            if k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        if let Some(example) = p.get("x-example") {
            out.insert("example".into(), example.clone());
        }
        let location = p.get("in").and_then(Value::as_str).unwrap_or("");
        if p.get("type").and_then(Value::as_str) == Some("array") {
            let (style, explode) = match p.get("collectionFormat").and_then(Value::as_str) {
                Some("ssv") => ("spaceDelimited", false),
                Some("pipes") => ("pipeDelimited", false),
                Some("multi") => ("form", true),
                _ if location == "query" => ("form", false),
                _ => ("simple", false),
            };
            out.insert("style".into(), json!(style));
            out.insert("explode".into(), json!(explode));
        }
        out.insert("schema".into(), schema_of(p));
        Value::Object(out)
    }

    fn response(
        &self,
        at: &str,
        r: &'d Value,
        produces: &[String],
    ) -> Result<Value, ContractError> {
        let (r_at, r) = self.deref(at, r)?;
        let Value::Object(r) = r else {
            return Err(self.invalid(&r_at, "a response must be a mapping"));
        };
        let mut out = Map::new();
        out.insert(
            "description".into(),
            r.get("description").cloned().unwrap_or(json!("")),
        );
        let examples = match r.get("examples") {
            Some(Value::Object(e)) => e.clone(),
            _ => Map::new(),
        };
        if let Some(schema) = r.get("schema") {
            let mut content = Map::new();
            for mt in produces {
                let mut media = json!({"schema": schema});
                if let Some(e) = examples.get(mt) {
                    media["example"] = e.clone();
                }
                content.insert(mt.clone(), media);
            }
            for (mt, e) in &examples {
                if !content.contains_key(mt) {
                    content.insert(mt.clone(), json!({"schema": schema, "example": e}));
                }
            }
            out.insert("content".into(), Value::Object(content));
            // Kept where Swagger has it too, for `$ref`s that point into a response
            // (`#/paths/~1a/get/responses/200/schema`); the 3.0 reader ignores it.
            out.insert("schema".into(), schema.clone());
        }
        if let Some(Value::Object(headers)) = r.get("headers") {
            let converted: Map<String, Value> = headers
                .iter()
                .map(|(name, h)| {
                    let mut header =
                        json!({"schema": h.as_object().map(schema_of).unwrap_or(json!({}))});
                    if let Some(d) = h.get("description") {
                        header["description"] = d.clone();
                    }
                    (name.clone(), header)
                })
                .collect();
            out.insert("headers".into(), Value::Object(converted));
        }
        Ok(Value::Object(out))
    }
}

/// The schema of a non-body parameter or header: its type keywords, moved into a schema.
fn schema_of(p: &Map<String, Value>) -> Value {
    if let Some(s) = p.get("schema") {
        return s.clone();
    }
    const SCHEMA_KEYS: &[&str] = &[
        "type",
        "format",
        "items",
        "default",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "enum",
        "multipleOf",
        "x-nullable",
    ];
    let mut out = Map::new();
    for key in SCHEMA_KEYS {
        if let Some(v) = p.get(*key) {
            let v = if *key == "items" {
                v.as_object().map(schema_of).unwrap_or_else(|| v.clone())
            } else {
                v.clone()
            };
            out.insert((*key).to_owned(), v);
        }
    }
    Value::Object(out)
}

/// A Swagger 2.0 security definition in OpenAPI 3.0 form.
fn security_scheme(s: &Value) -> Value {
    let field = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    let description = s.get("description").cloned();
    let mut out = match s.get("type").and_then(Value::as_str) {
        Some("basic") => json!({"type": "http", "scheme": "basic"}),
        Some("apiKey") => json!({"type": "apiKey", "in": field("in"), "name": field("name")}),
        Some("oauth2") => {
            let flow = s.get("flow").and_then(Value::as_str).unwrap_or("");
            let (name, urls): (&str, &[&str]) = match flow {
                "implicit" => ("implicit", &["authorizationUrl"]),
                "password" => ("password", &["tokenUrl"]),
                "application" => ("clientCredentials", &["tokenUrl"]),
                _ => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            };
            let mut f = json!({"scopes": s.get("scopes").cloned().unwrap_or(json!({}))});
            for u in urls {
                f[*u] = s.get(*u).cloned().unwrap_or(json!(""));
            }
            json!({"type": "oauth2", "flows": {name: f}})
        }
        _ => s.clone(),
    };
    if let Some(d) = description {
        out["description"] = d;
    }
    out
}

/// `x-nullable: true` → `nullable: true`; `type: file` → a binary string; `$ref`s to
/// Swagger's top-level sections → `components`. Values (`example`, `enum`, `default`)
/// are left alone, unless the key is a name (a property called `default`). Depth is
/// bounded by the parsers (128).
fn fix_schemas(v: &mut Value, depth: usize, names: bool) {
    if depth > 512 {
        return;
    }
    match v {
        Value::Object(m) => {
            if !names {
                if m.get("x-nullable") == Some(&Value::Bool(true)) {
                    m.insert("nullable".into(), json!(true));
                }
                if m.get("type").and_then(Value::as_str) == Some("file") {
                    m.insert("type".into(), json!("string"));
                    m.insert("format".into(), json!("binary"));
                }
                if let Some(Value::String(r)) = m.get_mut("$ref") {
                    for (from, to) in [
                        ("#/definitions/", "#/components/schemas/"),
                        ("#/parameters/", "#/components/parameters/"),
                        ("#/responses/", "#/components/responses/"),
                    ] {
                        if let Some(rest) = r.strip_prefix(from) {
                            *r = format!("{to}{rest}");
                            break;
                        }
                    }
                }
            }
            for (k, x) in m.iter_mut() {
                let value = matches!(
                    k.as_str(),
                    "example" | "x-example" | "examples" | "enum" | "default" | "const"
                );
                if names || !value {
                    let child_names = !names
                        && matches!(
                            k.as_str(),
                            "properties"
                                | "patternProperties"
                                | "definitions"
                                | "schemas"
                                | "parameters"
                                | "responses"
                                | "securitySchemes"
                                | "paths"
                                | crate::external::FILES_KEY
                        );
                    fix_schemas(x, depth + 1, child_names);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|x| fix_schemas(x, depth + 1, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_bodies_forms_and_definitions() {
        let doc = json!({
            "swagger": "2.0", "host": "api.example.com", "basePath": "/v1", "schemes": ["https"],
            "consumes": ["application/json"], "produces": ["application/json"],
            "definitions": {"Pet": {"type": "object", "properties": {"tag": {"type": "string", "x-nullable": true}}}},
            "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer", "maximum": 100}},
            "securityDefinitions": {"basic": {"type": "basic"}, "key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            "paths": {"/pets": {
                "post": {"parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
                         "responses": {"201": {"description": "made", "schema": {"$ref": "#/definitions/Pet"}, "examples": {"application/json": {"tag": null}}}}},
                "put": {"consumes": ["multipart/form-data"],
                        "parameters": [{"name": "file", "in": "formData", "type": "file", "required": true},
                                       {"$ref": "#/parameters/limit"},
                                       {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"}, "collectionFormat": "pipes"}],
                        "responses": {"default": {"description": "err"}}}
            }}
        });
        let out = upgrade("api.json", &doc).unwrap();
        assert_eq!(out["servers"][0]["url"], "https://api.example.com/v1");
        assert_eq!(
            out["components"]["schemas"]["Pet"]["properties"]["tag"]["nullable"],
            true
        );
        assert_eq!(
            out["components"]["securitySchemes"]["basic"],
            json!({"type": "http", "scheme": "basic"})
        );
        let post = &out["paths"]["/pets"]["post"];
        assert_eq!(post["requestBody"]["required"], true);
        assert_eq!(
            post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            post["responses"]["201"]["content"]["application/json"]["example"],
            json!({"tag": null})
        );
        let put = &out["paths"]["/pets"]["put"];
        assert_eq!(
            put["requestBody"]["content"]["multipart/form-data"]["schema"],
            json!({"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]})
        );
        assert_eq!(
            put["parameters"][0]["schema"],
            json!({"type": "integer", "maximum": 100})
        );
        assert_eq!(put["parameters"][1]["style"], "pipeDelimited");
        assert_eq!(
            put["parameters"][1]["schema"]["items"],
            json!({"type": "integer"})
        );
    }

    #[test]
    fn other_versions_are_refused_and_pointers_map_back() {
        let err = upgrade("a.json", &json!({"swagger": "1.2"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("swagger 1.2 is not supported yet"), "{err}");
        assert_eq!(
            original_pointer("/components/schemas/Pet/properties/a"),
            "/definitions/Pet/properties/a"
        );
        assert_eq!(
            original_pointer("/paths/~1a/get/responses/200/content/application~1json/schema/type"),
            "/paths/~1a/get/responses/200/schema/type"
        );
    }

    #[test]
    fn dangling_parameter_ref_is_reported_at_the_ref() {
        let doc = json!({"swagger": "2.0", "paths": {"/a": {"get": {"parameters": [{"$ref": "#/parameters/nope"}], "responses": {}}}}});
        let err = upgrade("a.json", &doc).unwrap_err().to_string();
        assert!(
            err.contains("at `#/paths/~1a/get/parameters/0/$ref`"),
            "{err}"
        );
        assert!(err.contains("points at nothing"), "{err}");
    }
}
