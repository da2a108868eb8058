//! An operation's `callbacks`: named callback objects (or `$ref`s to
//! `components/callbacks`), each mapping key expressions to path items whose operations
//! the service calls. They are read as any path item is, but kept on the operation:
//! the service does not serve them.
//!
//! A callback that cannot be read is skipped with a warning naming its place: it says
//! what the service calls, not what it serves, so it does not stop the rest of the
//! contract from being tested.

use std::collections::HashMap;

use serde_json::Value;

use crate::callback::Callback;
use crate::error::ContractError;
use crate::resolve::push;

use super::reader::{Reader, kind};

impl<'d> Reader<'d> {
    /// The callbacks at `at` (an operation's `callbacks`).
    pub(super) fn callbacks(
        &mut self,
        at: &str,
        v: &'d Value,
        lines: &HashMap<(String, String), u32>,
    ) -> Vec<Callback> {
        let Value::Object(map) = v else {
            self.warn(
                at,
                format!(
                    "`callbacks` must be a mapping of callback names, not {}; ignored",
                    kind(v)
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, cb) in map {
            if name.starts_with("x-") {
                continue;
            }
            let cb_at = push(at, name);
            if let Err(e) = self.callback(name, &cb_at, cb, lines, &mut out) {
                self.skip(&cb_at, name, e);
            }
        }
        out
    }

    fn callback(
        &mut self,
        name: &str,
        at: &str,
        v: &'d Value,
        lines: &HashMap<(String, String), u32>,
        out: &mut Vec<Callback>,
    ) -> Result<(), ContractError> {
        let (cb_at, cb) = self.mapping(at, v, "a callback (key expressions to path items)")?;
        for (expression, item) in cb {
            if expression.starts_with("x-") {
                continue;
            }
            let item_at = push(&cb_at, expression);
            let mut operations = Vec::new();
            // Callbacks carry no security of the document's: the service is the caller.
            if let Err(e) = self.path_item(expression, &item_at, item, &[], lines, &mut operations)
            {
                self.skip(&item_at, name, e);
                continue;
            }
            let pointer = match item.get("$ref").and_then(Value::as_str) {
                Some(r) => r.trim_start_matches('#').to_owned(),
                None => item_at,
            };
            out.push(Callback {
                name: name.to_owned(),
                expression: expression.clone(),
                operations,
                pointer,
            });
        }
        Ok(())
    }

    /// Warns that callback `name` was skipped because of `e`, at the place `e` names.
    fn skip(&mut self, at: &str, name: &str, e: ContractError) {
        match e {
            ContractError::Invalid {
                pointer, message, ..
            } => self.warn(&pointer, format!("{message}; callback `{name}` skipped")),
            ContractError::BadRef {
                pointer,
                target,
                reason,
                ..
            } => self.warn(
                &pointer,
                format!("`$ref` `{target}` {reason}; callback `{name}` skipped"),
            ),
            other => self.warn(at, format!("{other}; callback `{name}` skipped")),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::openapi::read;

    #[test]
    fn callbacks_are_kept_on_the_operation_not_served() {
        let doc = json!({
            "openapi": "3.0.3",
            "components": {"callbacks": {"Done": {
                "{$request.query.hook}": {"put": {"responses": {"204": {"description": "ok"}}}}
            }}},
            "paths": {"/jobs": {"post": {
                "operationId": "startJob",
                "responses": {"202": {"description": "started"}},
                "callbacks": {
                    "onData": {"{$request.body#/callbackUrl}/data": {"post": {
                        "requestBody": {"content": {"application/json": {"schema": {
                            "type": "object", "required": ["event"],
                            "properties": {"event": {"type": "string"}}
                        }}}},
                        "responses": {"200": {"description": "ok"}}
                    }}},
                    "done": {"$ref": "#/components/callbacks/Done"},
                    "x-note": "ignored"
                }
            }}}
        });
        let c = read("api.yaml", "", &doc).unwrap();
        assert_eq!(c.operations.len(), 1, "callbacks are not served");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let cbs = &c.operations[0].callbacks;
        assert_eq!(cbs.len(), 2);
        assert_eq!(cbs[0].name, "onData");
        assert_eq!(cbs[0].expression, "{$request.body#/callbackUrl}/data");
        let op = &cbs[0].operations[0];
        assert_eq!(op.method, "POST");
        let body = op.request_body.as_ref().unwrap();
        assert_eq!(body.media[0].0, "application/json");
        assert_eq!(
            body.media[0].1.as_ref().unwrap()["required"],
            json!(["event"])
        );
        assert_eq!(op.responses.len(), 1);
        assert_eq!(cbs[1].name, "done");
        assert_eq!(cbs[1].expression, "{$request.query.hook}");
        assert_eq!(cbs[1].operations[0].method, "PUT");
        assert_eq!(
            cbs[1].pointer,
            "/components/callbacks/Done/{$request.query.hook}"
        );
    }

    #[test]
    fn bad_callbacks_are_skipped_with_a_warning_naming_their_place() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/jobs": {"post": {
                "responses": {"202": {"description": "started"}},
                "callbacks": {
                    "text": "http://example.com",
                    "dangling": {"$ref": "#/components/callbacks/Nope"},
                    "badItem": {"{$request.query.u}": {"post": {"responses": "no"}}},
                    "good": {"{$request.query.u}": {"post": {"responses": {"200": {"description": "ok"}}}}}
                }
            }}}
        });
        let c = read("api.yaml", "", &doc).unwrap();
        let cbs = &c.operations[0].callbacks;
        assert_eq!(cbs.len(), 1, "{cbs:?}");
        assert_eq!(cbs[0].name, "good");
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert_eq!(
            c.warnings[0],
            "#/paths/~1jobs/post/callbacks/text: a callback (key expressions to path items) must be a mapping, not a string; callback `text` skipped"
        );
        assert!(
            c.warnings[1].starts_with(
                "#/paths/~1jobs/post/callbacks/dangling/$ref: `$ref` `#/components/callbacks/Nope` "
            ),
            "{}",
            c.warnings[1]
        );
        assert!(c.warnings[1].ends_with("; callback `dangling` skipped"));
        assert!(
            c.warnings[2].starts_with("#/paths/~1jobs/post/callbacks/badItem/{$request.query.u}/post/responses: `responses` must be a mapping"),
            "{}",
            c.warnings[2]
        );

        let not_a_map = json!({
            "openapi": "3.0.0",
            "paths": {"/a": {"get": {"responses": {}, "callbacks": []}}}
        });
        let c = read("api.yaml", "", &not_a_map).unwrap();
        assert_eq!(
            c.warnings,
            vec![
                "#/paths/~1a/get/callbacks: `callbacks` must be a mapping of callback names, not a list; ignored"
            ]
        );
    }
}
