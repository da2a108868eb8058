//! The smaller parts of an OpenAPI document: examples, links and servers.

use serde_json::{Map, Value};

use super::reader::{Reader, kind, scalar};
use crate::error::ContractError;
use crate::model::{Link, Server, ServerVariable};
use crate::resolve::push;

impl<'d> Reader<'d> {
    /// The examples of a media type, parameter or header at `at`: `example` (named
    /// `example`) and each of the named `examples` that has a `value` (3.2: a
    /// `dataValue`, else a `value`).
    pub(super) fn examples(
        &mut self,
        at: &str,
        owner: &'d Map<String, Value>,
        out: &mut Vec<(String, Value)>,
    ) -> Result<(), ContractError> {
        if self.v32 && owner.contains_key("example") && owner.contains_key("examples") {
            return Err(self.invalid(
                at,
                "`example` and `examples` cannot both be given; move `example` into `examples` under a name",
            ));
        }
        if let Some(v) = owner.get("example") {
            out.push(("example".to_owned(), v.clone()));
        }
        match owner.get("examples") {
            Some(Value::Object(named)) => {
                for (name, ex) in named {
                    let (ex_at, ex) =
                        self.mapping(&push(&push(at, "examples"), name), ex, "an example")?;
                    if self.v32 {
                        self.example_rules(&ex_at, ex)?;
                    }
                    // 3.2: `dataValue` is the value as data; `serializedValue` (the
                    // value as sent) and `externalValue` are not read.
                    if let Some(value) = ex.get("dataValue").or_else(|| ex.get("value")) {
                        out.push((name.clone(), value.clone()));
                    }
                }
            }
            Some(other) => {
                self.warn(
                    &push(at, "examples"),
                    format!(
                        "`examples` must be a mapping of named examples, not {}; skipped",
                        kind(other)
                    ),
                );
            }
            None => {}
        }
        Ok(())
    }

    /// A response's `links`.
    pub(super) fn links(&mut self, at: &str, v: &'d Value) -> Result<Vec<Link>, ContractError> {
        let Value::Object(map) = v else {
            self.warn(
                at,
                format!(
                    "`links` must be a mapping of named links, not {}; skipped",
                    kind(v)
                ),
            );
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(map.len());
        for (name, link) in map {
            let (link_at, link) = self.mapping(&push(at, name), link, "a link")?;
            let operation_id = link.get("operationId").and_then(scalar);
            let operation_ref = link.get("operationRef").and_then(scalar);
            if operation_id.is_none() && operation_ref.is_none() {
                self.warn(
                    &link_at,
                    "a link needs an `operationId` or an `operationRef`; skipped",
                );
                continue;
            }
            let parameters = match link.get("parameters") {
                Some(Value::Object(p)) => p.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                _ => Vec::new(),
            };
            out.push(Link {
                name: name.clone(),
                operation_id,
                operation_ref,
                parameters,
                request_body: link.get("requestBody").cloned(),
            });
        }
        Ok(out)
    }

    /// The top-level `servers`.
    pub(super) fn servers(&mut self, doc: &'d Value) -> Result<Vec<Server>, ContractError> {
        let Some(Value::Array(list)) = doc.get("servers") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(list.len());
        for (i, server) in list.iter().enumerate() {
            let at = push("/servers", &i.to_string());
            let Some(url) = server.get("url").and_then(scalar) else {
                self.warn(&at, "a server needs a `url`; skipped");
                continue;
            };
            let mut variables = Vec::new();
            if let Some(Value::Object(vars)) = server.get("variables") {
                for (name, var) in vars {
                    let allowed: Vec<String> = match var.get("enum") {
                        Some(Value::Array(values)) => values.iter().filter_map(scalar).collect(),
                        _ => Vec::new(),
                    };
                    let default = var
                        .get("default")
                        .and_then(scalar)
                        .unwrap_or_else(|| allowed.first().cloned().unwrap_or_default());
                    if !allowed.is_empty() && !allowed.contains(&default) {
                        self.warn(
                            &push(&push(&push(&at, "variables"), name), "default"),
                            format!("the default `{default}` is not one of its `enum` values"),
                        );
                    }
                    variables.push(ServerVariable {
                        name: name.clone(),
                        default,
                        allowed,
                    });
                }
            }
            out.push(Server {
                url,
                description: server
                    .get("description")
                    .and_then(scalar)
                    .unwrap_or_default(),
                variables,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::model::{ParameterStyle, Server};

    #[test]
    fn parameters_styles_examples_links_and_servers() {
        let doc = json!({
            "openapi": "3.0.3",
            "servers": [{"url": "https://{region}.example.com/v1", "description": "prod",
                         "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}}}],
            "paths": {"/users/{id}": {"get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "style": "label", "schema": {"type": "integer"}, "example": 7},
                    {"name": "filter", "in": "query", "style": "deepObject", "explode": true, "schema": {"type": "object"},
                     "examples": {"admins": {"value": {"role": "admin"}}}},
                    {"name": "tags", "in": "query", "schema": {"type": "array"}},
                    {"name": "session", "in": "cookie", "explode": false, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok", "links": {
                    "address": {"operationId": "getAddress", "parameters": {"userId": "$response.body#/id"}},
                    "broken": {"parameters": {}}
                }}}
            }}, "/users": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object"}, "examples": {"min": {"value": {"name": "a"}}}, "example": {"name": "b"}}}},
                "responses": {"201": {"description": "made"}}}}}
        });
        let c = crate::openapi::read("api.yaml", "", &doc).unwrap();
        let p = &c.operations[0].parameters;
        assert_eq!(
            (p[0].style.clone(), p[0].explode),
            (ParameterStyle::Label, false)
        );
        assert_eq!(p[0].examples, vec![("example".to_owned(), json!(7))]);
        assert_eq!(
            (p[1].style.clone(), p[1].explode),
            (ParameterStyle::DeepObject, true)
        );
        assert_eq!(p[1].examples[0].0, "admins");
        assert_eq!(
            (p[2].style.clone(), p[2].explode),
            (ParameterStyle::Form, true)
        );
        assert_eq!(
            (p[3].style.clone(), p[3].explode),
            (ParameterStyle::Form, false)
        );
        let links = &c.operations[0].responses[0].links;
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].operation_id.as_deref(), Some("getAddress"));
        assert_eq!(
            links[0].parameters[0],
            ("userId".to_owned(), json!("$response.body#/id"))
        );
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("links/broken: a link needs")),
            "{:?}",
            c.warnings
        );
        let body = c.operations[1].request_body.as_ref().unwrap();
        assert_eq!(body.examples.len(), 2);
        let s: &Server = &c.servers[0];
        assert_eq!(s.default_url(), "https://eu.example.com/v1");
        assert_eq!(s.variables[0].allowed, ["eu", "us"]);
    }
}

#[cfg(test)]
mod unsatisfiable {
    use serde_json::json;

    #[test]
    fn contradictions_are_warnings_at_their_pointer() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {
                "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "minimum": 5, "maximum": 1}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/S"}}}}}
            }}},
            "components": {"schemas": {"S": {"allOf": [{"type": "string"}, {"type": "object"}]}}}
        });
        let c = crate::openapi::read("api.yaml", "", &doc).unwrap();
        assert_eq!(
            c.warnings,
            vec![
                "#/paths/~1a/get/parameters/0/schema: no number satisfies this schema: the lower bound 5 is not below the upper bound 1; fix `minimum`/`maximum`".to_owned(),
                "#/components/schemas/S: no value satisfies this schema: its `type` and the `type`s of its `allOf` branches have nothing in common".to_owned(),
            ]
        );
    }
}
