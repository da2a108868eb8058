//! What OpenAPI 3.2 adds to the 3.1 walk: custom methods (`additionalOperations`), the
//! `querystring` parameter location and its rules, the Example Object's `dataValue` /
//! `serializedValue` rules, tags with `parent` and `kind`, and the components that only
//! matter to 3.2's own checks.
//!
//! A 3.2 document is read as 3.1 (the schema dialect is the same, JSON Schema 2020-12);
//! the checks here refuse what the 3.2 specification forbids and crosscheck would
//! otherwise misread, each at the pointer of the offending object.

use serde_json::{Map, Value};

use super::reader::{Reader, kind, scalar};
use crate::error::ContractError;
use crate::model::{Parameter, ParameterLocation, Tag};
use crate::resolve::push;

/// The methods a path item names with a field of their own; `additionalOperations` must
/// not repeat them.
const FIXED: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "QUERY",
];

/// An HTTP token (RFC 9110 §5.6.2): what a method or a header name may be made of.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl<'d> Reader<'d> {
    /// The operations of a path item's `additionalOperations`, appended to `out` as
    /// (method as written, pointer, operation).
    pub(super) fn additional_operations(
        &mut self,
        item_at: &str,
        item: &'d Map<String, Value>,
        out: &mut Vec<(String, String, &'d Value)>,
    ) -> Result<(), ContractError> {
        let Some(extra) = item.get("additionalOperations") else {
            return Ok(());
        };
        let at = push(item_at, "additionalOperations");
        let Value::Object(map) = extra else {
            return Err(self.invalid(
                &at,
                format!(
                    "`additionalOperations` must be a mapping of HTTP methods to operations, not {}",
                    kind(extra)
                ),
            ));
        };
        for (method, op) in map {
            let op_at = push(&at, method);
            if FIXED.contains(&method.as_str()) {
                return Err(self.invalid(
                    &op_at,
                    format!(
                        "`{method}` has a field of its own on the path item; write it as `{}:` there, not under `additionalOperations`",
                        method.to_ascii_lowercase()
                    ),
                ));
            }
            if !is_token(method) {
                return Err(self.invalid(
                    &op_at,
                    format!(
                        "`{method}` is not an HTTP method: a method is a token of letters, digits and `!#$%&'*+-.^_`|~`"
                    ),
                ));
            }
            out.push((method.clone(), op_at, op));
        }
        Ok(())
    }

    /// 3.2's rules for one parameter: `querystring` is described by exactly one media
    /// type under `content`; `style`/`explode`/`allowReserved` go with `schema` only; path
    /// parameter names hold no braces and header names are HTTP tokens.
    pub(super) fn parameter_rules(
        &self,
        at: &str,
        name: &str,
        location: ParameterLocation,
        p: &Map<String, Value>,
    ) -> Result<(), ContractError> {
        let content = p.get("content");
        if location == ParameterLocation::Querystring {
            if p.contains_key("schema") {
                return Err(self.invalid(
                    &push(at, "schema"),
                    format!(
                        "the `querystring` parameter `{name}` takes the whole query string, so it is described by `content` (one media type, most often `application/x-www-form-urlencoded`), not by `schema`"
                    ),
                ));
            }
            if content.is_none() {
                return Err(self.invalid(
                    at,
                    format!(
                        "the `querystring` parameter `{name}` needs `content` with one media type, e.g. `application/x-www-form-urlencoded: {{schema: …}}`"
                    ),
                ));
            }
        }
        if let Some(content) = content {
            if let Value::Object(m) = content
                && m.len() != 1
            {
                return Err(self.invalid(
                    &push(at, "content"),
                    format!(
                        "the `content` of parameter `{name}` must name exactly one media type, not {}",
                        m.len()
                    ),
                ));
            }
            if let Some(key) = ["style", "explode", "allowReserved"]
                .into_iter()
                .find(|k| p.contains_key(*k))
            {
                return Err(self.invalid(
                    &push(at, key),
                    format!(
                        "parameter `{name}` is described by `content`, whose media type says how it is written; `{key}` goes only with `schema`; remove it"
                    ),
                ));
            }
        }
        if location == ParameterLocation::Path && name.contains(['{', '}']) {
            return Err(self.invalid(
                &push(at, "name"),
                format!("the path parameter name `{name}` must not contain `{{` or `}}`"),
            ));
        }
        if location == ParameterLocation::Header && !is_token(name) {
            return Err(self.invalid(
                &push(at, "name"),
                format!(
                    "the header name `{name}` is not an HTTP token: use letters, digits and `!#$%&'*+-.^_`|~` only"
                ),
            ));
        }
        Ok(())
    }

    /// At most one `querystring` parameter, and none beside `query` parameters, in the
    /// parameters that apply together (`at` names the list).
    pub(super) fn querystring_rules(
        &self,
        at: &str,
        params: &[Parameter],
    ) -> Result<(), ContractError> {
        let mut whole = params
            .iter()
            .filter(|p| p.location == ParameterLocation::Querystring);
        let Some(first) = whole.next() else {
            return Ok(());
        };
        if let Some(second) = whole.next() {
            return Err(self.invalid(
                at,
                format!(
                    "`{}` and `{}` are both `in: querystring`; there can be only one, as each takes the whole query string",
                    first.name, second.name
                ),
            ));
        }
        if let Some(q) = params
            .iter()
            .find(|p| p.location == ParameterLocation::Query)
        {
            return Err(self.invalid(
                at,
                format!(
                    "`{}` is `in: querystring` and takes the whole query string, so `in: query` parameter `{}` cannot be used beside it (here or on the path item); describe `{}` in `{}`'s schema instead",
                    first.name, q.name, q.name, first.name
                ),
            ));
        }
        Ok(())
    }

    /// 3.2's Example Object rules: `value` goes with none of `externalValue`,
    /// `dataValue` and `serializedValue`; `serializedValue` not with `externalValue`.
    pub(super) fn example_rules(
        &self,
        at: &str,
        ex: &Map<String, Value>,
    ) -> Result<(), ContractError> {
        const EXCLUSIVE: &[(&str, &str)] = &[
            ("value", "externalValue"),
            ("value", "dataValue"),
            ("value", "serializedValue"),
            ("serializedValue", "externalValue"),
        ];
        for (a, b) in EXCLUSIVE {
            if ex.contains_key(*a) && ex.contains_key(*b) {
                let help = if *a == "value" && *b != "externalValue" {
                    "`value` is the older field; keep `dataValue` (the data) and/or `serializedValue` (as sent), and remove `value`"
                } else {
                    "an example gives its serialized form inline or by URI, not both; keep one"
                };
                return Err(self.invalid(
                    at,
                    format!("an example cannot have both `{a}` and `{b}`; {help}"),
                ));
            }
        }
        Ok(())
    }

    /// The components that only 3.2's checks look at when nothing refers to them: path
    /// items, parameters, examples and media types.
    pub(super) fn components_v32(&mut self, doc: &'d Value) -> Result<(), ContractError> {
        let Some(Value::Object(components)) = doc.get("components") else {
            return Ok(());
        };
        let at = "/components";
        if let Some(Value::Object(items)) = components.get("pathItems") {
            let lines = std::collections::HashMap::new();
            for (name, item) in items {
                let mut ignored = Vec::new();
                self.path_item(
                    name,
                    &push(&push(at, "pathItems"), name),
                    item,
                    &[],
                    &lines,
                    &mut ignored,
                )?;
            }
        }
        if let Some(Value::Object(params)) = components.get("parameters") {
            for (name, p) in params {
                self.parameter(&push(&push(at, "parameters"), name), p)?;
            }
        }
        if let Some(Value::Object(examples)) = components.get("examples") {
            for (name, ex) in examples {
                let (ex_at, ex) =
                    self.mapping(&push(&push(at, "examples"), name), ex, "an example")?;
                self.example_rules(&ex_at, ex)?;
            }
        }
        if let Some(media) = components.get("mediaTypes") {
            let mut examples = Vec::new();
            self.content(&push(at, "mediaTypes"), media, Some(&mut examples))?;
        }
        Ok(())
    }

    /// The top-level `tags`; a `parent` that names no tag, or that leads back to the tag
    /// itself, is a warning (tags only organise documentation).
    pub(super) fn tags(&mut self, doc: &'d Value) -> Vec<Tag> {
        let Some(Value::Array(list)) = doc.get("tags") else {
            return Vec::new();
        };
        let text = |t: &Value, k: &str| t.get(k).and_then(scalar);
        let tags: Vec<Tag> = list
            .iter()
            .filter_map(|t| {
                Some(Tag {
                    name: text(t, "name")?,
                    summary: text(t, "summary").unwrap_or_default(),
                    description: text(t, "description").unwrap_or_default(),
                    parent: text(t, "parent"),
                    kind: text(t, "kind"),
                })
            })
            .collect();
        if self.v32 {
            for (i, tag) in tags.iter().enumerate() {
                let Some(parent) = &tag.parent else { continue };
                let at = push(&push("/tags", &i.to_string()), "parent");
                let mut seen = vec![tag.name.as_str()];
                let mut next = Some(parent.as_str());
                while let Some(p) = next {
                    if seen.contains(&p) {
                        self.warn(
                            &at,
                            format!(
                                "the parents of tag `{}` lead back to `{p}`; tags must not nest in a circle",
                                tag.name
                            ),
                        );
                        break;
                    }
                    seen.push(p);
                    match tags.iter().find(|t| t.name == p) {
                        Some(t) => next = t.parent.as_deref(),
                        None => {
                            self.warn(
                                &at,
                                format!(
                                    "tag `{}` names the parent `{p}`, which is not in `tags`; add it or fix the name",
                                    tag.name
                                ),
                            );
                            break;
                        }
                    }
                }
            }
        }
        tags
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::model::ParameterLocation;

    fn read(doc: Value) -> Result<crate::Contract, String> {
        crate::openapi::read("api.yaml", "", &doc).map_err(|e| e.to_string())
    }

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    #[test]
    fn query_and_additional_operations_are_operations() {
        let c = read(doc(json!({"/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "get": {"responses": {"200": {"description": "ok"}}},
            "query": {"operationId": "searchPets", "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                      "responses": {"200": {"description": "ok"}}},
            "additionalOperations": {"COPY": {"operationId": "copyPet", "deprecated": true, "tags": ["pets"],
                                              "responses": {"201": {"description": "copied"}}}}
        }})))
        .unwrap();
        let methods: Vec<&str> = c.operations.iter().map(|o| o.method.as_str()).collect();
        assert_eq!(methods, ["GET", "QUERY", "COPY"]);
        let copy = c.find_operation("COPY", "/pets/7").unwrap();
        assert_eq!(copy.id.as_deref(), Some("copyPet"));
        assert!(copy.deprecated);
        assert_eq!(copy.tags, ["pets"]);
        assert_eq!(copy.parameters[0].name, "id");
        assert!(
            c.find_operation("QUERY", "/pets/7")
                .unwrap()
                .request_body
                .is_some()
        );
    }

    #[test]
    fn query_is_not_a_method_before_3_2() {
        let mut d = doc(
            json!({"/a": {"query": {"responses": {"200": {"description": "ok"}}},
                                      "additionalOperations": {"COPY": {"responses": {}}}}}),
        );
        d["openapi"] = json!("3.1.0");
        assert!(read(d).unwrap().operations.is_empty());
    }

    #[test]
    fn additional_operations_must_not_repeat_fixed_methods() {
        let e = read(doc(
            json!({"/a": {"additionalOperations": {"POST": {"responses": {}}}}}),
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "`api.yaml` at `#/paths/~1a/additionalOperations/POST`: `POST` has a field of its own on the path item; write it as `post:` there, not under `additionalOperations`"
        );
        let e = read(doc(
            json!({"/a": {"additionalOperations": {"BAD METHOD": {"responses": {}}}}}),
        ))
        .unwrap_err();
        assert!(e.contains("is not an HTTP method"), "{e}");
    }

    #[test]
    fn querystring_parameter_is_one_content_described_value() {
        let c = read(doc(json!({"/search": {"get": {
            "parameters": [{"name": "filter", "in": "querystring", "required": true, "content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"q": {"type": "string"}}},
                    "examples": {"one": {"dataValue": {"q": "cats"}, "serializedValue": "q=cats"}}}}}],
            "responses": {"200": {"description": "ok"}}
        }}})))
        .unwrap();
        let p = &c.operations[0].parameters[0];
        assert_eq!(p.location, ParameterLocation::Querystring);
        assert_eq!(
            p.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(p.schema.as_ref().unwrap()["type"], "object");
        assert_eq!(p.examples, vec![("one".to_owned(), json!({"q": "cats"}))]);
        assert!(p.required);
    }

    #[test]
    fn querystring_rules_name_the_place() {
        let qs = |name: &str| json!({"name": name, "in": "querystring", "content": {"application/json": {"schema": {}}}});
        let e = read(doc(
            json!({"/a": {"get": {"parameters": [qs("a"), qs("b")], "responses": {}}}}),
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "`api.yaml` at `#/paths/~1a/get/parameters`: `a` and `b` are both `in: querystring`; there can be only one, as each takes the whole query string"
        );
        // A `query` parameter on the path item and a `querystring` one on the operation.
        let e = read(doc(json!({"/a": {
            "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
            "get": {"parameters": [qs("a")], "responses": {}}}})))
        .unwrap_err();
        assert!(
            e.starts_with("`api.yaml` at `#/paths/~1a/get/parameters`: `a` is `in: querystring` and takes the whole query string, so `in: query` parameter `page` cannot be used beside it"),
            "{e}"
        );
        let e = read(doc(json!({"/a": {"get": {"parameters": [
            {"name": "q", "in": "querystring", "schema": {"type": "object"}}], "responses": {}}}})))
        .unwrap_err();
        assert!(e.contains("at `#/paths/~1a/get/parameters/0/schema`: the `querystring` parameter `q` takes the whole query string, so it is described by `content`"), "{e}");
        let e = read(doc(json!({"/a": {"get": {"parameters": [
            {"name": "q", "in": "querystring"}], "responses": {}}}})))
        .unwrap_err();
        assert!(e.contains("needs `content` with one media type"), "{e}");
        let e = read(doc(json!({"/a": {"get": {"parameters": [
            {"name": "q", "in": "query", "style": "form", "content": {"application/json": {}}}], "responses": {}}}})))
        .unwrap_err();
        assert!(
            e.contains(
                "at `#/paths/~1a/get/parameters/0/style`: parameter `q` is described by `content`"
            ),
            "{e}"
        );
    }

    #[test]
    fn querystring_is_unknown_before_3_2() {
        let mut d = doc(json!({"/a": {"get": {"parameters": [
            {"name": "q", "in": "querystring", "content": {"application/json": {}}}], "responses": {}}}}));
        d["openapi"] = json!("3.1.1");
        let c = read(d).unwrap();
        assert!(c.operations[0].parameters.is_empty());
        assert!(
            c.warnings[0].contains("`in: querystring`"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn names_of_path_and_header_parameters() {
        let e = read(doc(json!({"/a": {"get": {"parameters": [
            {"name": "Bad[Header]", "in": "header", "schema": {}}], "responses": {}}}})))
        .unwrap_err();
        assert!(e.contains("at `#/paths/~1a/get/parameters/0/name`: the header name `Bad[Header]` is not an HTTP token"), "{e}");
        let mut d = doc(json!({}));
        d["components"] =
            json!({"parameters": {"P": {"name": "Bad{Path}", "in": "path", "schema": {}}}});
        let e = read(d).unwrap_err();
        assert!(
            e.contains("at `#/components/parameters/P/name`: the path parameter name `Bad{Path}`"),
            "{e}"
        );
    }

    #[test]
    fn example_objects_data_value_and_exclusions() {
        let c = read(doc(
            json!({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"examples": {
                "data": {"dataValue": {"n": 1}, "serializedValue": "{\"n\":1}"},
                "old": {"value": {"n": 2}},
                "wire": {"serializedValue": "{\"n\":3}"}
            }}}}}}}}),
        ))
        .unwrap();
        assert_eq!(
            c.operations[0].responses[0].examples,
            vec![
                ("data".to_owned(), json!({"n": 1})),
                ("old".to_owned(), json!({"n": 2}))
            ]
        );
        let mut d = doc(json!({}));
        d["components"] = json!({"examples": {"X": {"value": 1, "dataValue": 1}}});
        let e = read(d).unwrap_err();
        assert_eq!(
            e,
            "`api.yaml` at `#/components/examples/X`: an example cannot have both `value` and `dataValue`; `value` is the older field; keep `dataValue` (the data) and/or `serializedValue` (as sent), and remove `value`"
        );
        let e = read(doc(
            json!({"/a": {"get": {"parameters": [{"name": "h", "in": "header", "schema": {},
            "example": "a", "examples": {"b": {"dataValue": "b"}}}], "responses": {}}}}),
        ))
        .unwrap_err();
        assert!(
            e.contains(
                "at `#/paths/~1a/get/parameters/0`: `example` and `examples` cannot both be given"
            ),
            "{e}"
        );
    }

    #[test]
    fn components_path_items_are_checked() {
        let mut d = doc(json!({}));
        d["components"] = json!({"pathItems": {"P": {"parameters": [
            {"name": "a", "in": "querystring", "content": {"application/json": {}}},
            {"name": "b", "in": "query", "schema": {}}], "get": {}}}});
        let e = read(d).unwrap_err();
        assert!(
            e.starts_with(
                "`api.yaml` at `#/components/pathItems/P/parameters`: `a` is `in: querystring`"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_shared_path_item_warns_once() {
        let mut d = doc(json!({"/pets": {"$ref": "#/components/pathItems/Pets"}}));
        d["components"] = json!({"pathItems": {"Pets": {"get": {
            "parameters": [{"name": "x", "in": "body"}],
            "responses": {"200": {"description": "ok"}}}}}});
        let c = read(d).unwrap();
        assert_eq!(c.operations.len(), 1);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].starts_with(
                "#/components/pathItems/Pets/get/parameters/0: parameter `x` has `in: body`"
            ),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn tags_with_parents() {
        let mut d = doc(json!({}));
        d["tags"] = json!([
            {"name": "flights", "summary": "Flights", "kind": "nav"},
            {"name": "international", "parent": "flights", "kind": "nav"},
            {"name": "lost", "parent": "nowhere"},
            {"name": "a", "parent": "b"}, {"name": "b", "parent": "a"}
        ]);
        let c = read(d).unwrap();
        assert_eq!(c.tags[1].parent.as_deref(), Some("flights"));
        assert_eq!(c.tags[0].summary, "Flights");
        assert_eq!(c.tags[0].kind.as_deref(), Some("nav"));
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert!(
            c.warnings[0].starts_with("#/tags/2/parent: tag `lost` names the parent `nowhere`"),
            "{:?}",
            c.warnings
        );
        assert!(
            c.warnings[1].contains("lead back to `a`"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn media_type_item_schema_and_reference() {
        let mut d = doc(
            json!({"/logs": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Entry"}},
                "text/event-stream": {"$ref": "#/components/mediaTypes/Events"}
            }}}}}}),
        );
        d["components"] = json!({
            "schemas": {"Entry": {"type": "object", "required": ["level"], "properties": {"level": {"type": "integer"}}}},
            "mediaTypes": {"Events": {"itemSchema": {"type": "object", "required": ["data"]}}}
        });
        let c = read(d).unwrap();
        let r = &c.operations[0].responses[0];
        assert_eq!(r.media.len(), 2);
        assert_eq!(
            r.item_schemas[0],
            (
                "application/jsonl".to_owned(),
                json!({"$ref": "#/$defs/Entry"})
            )
        );
        assert_eq!(r.item_schemas[1].0, "text/event-stream");
    }
}
