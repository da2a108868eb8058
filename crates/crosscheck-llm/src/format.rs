//! Constraining the answer: `response_format` with the scenario JSON Schema, falling
//! back to JSON mode and then to plain text (from which the JSON is dug out), when a
//! server rejects the stricter form.

use std::sync::OnceLock;

use serde_json::{Value, json};

/// The published scenario schema (`schemas/scenario.schema.json`).
const SCENARIO_SCHEMA: &str = include_str!("../../../schemas/scenario.schema.json");

/// How the answer's shape is asked for, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Constraint {
    /// `response_format: {type: json_schema, …}` with the scenario schema.
    JsonSchema,
    /// `response_format: {type: json_object}`.
    JsonObject,
    /// No `response_format`; the JSON is parsed out of the text.
    Text,
}

impl Constraint {
    /// The next, looser constraint.
    pub fn looser(self) -> Option<Constraint> {
        match self {
            Constraint::JsonSchema => Some(Constraint::JsonObject),
            Constraint::JsonObject => Some(Constraint::Text),
            Constraint::Text => None,
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Constraint::JsonSchema => "json_schema",
            Constraint::JsonObject => "json_object",
            Constraint::Text => "text",
        }
    }

    /// The `response_format` value, when one is sent.
    pub fn response_format(self) -> Option<Value> {
        match self {
            Constraint::JsonSchema => Some(json!({
                "type": "json_schema",
                "json_schema": {
                    "name": "crosscheck_scenarios",
                    "description": "Scenarios proposed for one requirement, in crosscheck's scenario format.",
                    "strict": false,
                    "schema": answer_schema(),
                }
            })),
            Constraint::JsonObject => Some(json!({"type": "json_object"})),
            Constraint::Text => None,
        }
    }
}

/// The scenario schema as a JSON value.
pub fn scenario_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(SCENARIO_SCHEMA).unwrap_or(Value::Null))
}

/// The whole answer: `{"scenarios": [<scenario>, …]}`, with the scenario schema's
/// `$defs` moved to the root so its references resolve.
pub fn answer_schema() -> Value {
    let mut item = scenario_schema().clone();
    let defs = item
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$id");
            o.remove("$defs")
        })
        .unwrap_or_else(|| json!({}));
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["scenarios"],
        "properties": {
            "scenarios": { "type": "array", "items": item }
        },
        "$defs": defs,
    })
}

/// Whether a refusal says the server does not take this `response_format`.
pub fn rejects_format(status: u16, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    matches!(status, 400 | 422 | 501)
        && (m.contains("response_format")
            || m.contains("response format")
            || m.contains("json_schema")
            || m.contains("json_object")
            || m.contains("grammar"))
}

/// The JSON in an answer: the whole text, else a fenced ```json block, else the span
/// from the first `{` or `[` to its matching last bracket.
pub fn extract_json(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok(v);
    }
    if let Some(start) = t.find("```") {
        let rest = &t[start + 3..];
        let rest = rest.strip_prefix("json").unwrap_or(rest);
        if let Some(end) = rest.find("```")
            && let Ok(v) = serde_json::from_str::<Value>(rest[..end].trim())
        {
            return Ok(v);
        }
    }
    for (open, close) in [('{', '}'), ('[', ']')] {
        if let (Some(a), Some(b)) = (t.find(open), t.rfind(close))
            && a < b
            && let Ok(v) = serde_json::from_str::<Value>(&t[a..=b])
        {
            return Ok(v);
        }
    }
    let err = serde_json::from_str::<Value>(t)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let start: String = t
        .chars()
        .take(80)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    Err(format!(
        "the answer holds no JSON ({err}); it starts `{start}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_schema_compiles_and_accepts_a_scenario() {
        let schema = answer_schema();
        let v = jsonschema::validator_for(&schema).unwrap();
        let ok = json!({"scenarios": [{"id": "x", "kind": "positive", "when": {"path": "/a"}}]});
        assert!(v.is_valid(&ok));
        assert!(!v.is_valid(&json!({"scenarios": [{"id": "x"}]})));
        assert!(Constraint::JsonSchema.response_format().unwrap()["json_schema"]["schema"]["$defs"]["expect"].is_object());
    }

    #[test]
    fn json_is_dug_out_of_prose_and_fences() {
        assert_eq!(extract_json(" {\"a\":1} ").unwrap(), json!({"a": 1}));
        assert_eq!(
            extract_json("Here you go:\n```json\n{\"a\": [1]}\n```\nEnjoy.").unwrap(),
            json!({"a": [1]})
        );
        assert_eq!(
            extract_json("Sure! {\"a\": 2} done").unwrap(),
            json!({"a": 2})
        );
        let e = extract_json("I cannot help with that {").unwrap_err();
        assert!(e.contains("holds no JSON"), "{e}");
        assert!(rejects_format(
            400,
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
        ));
        assert!(!rejects_format(400, "model not found"));
    }
}
