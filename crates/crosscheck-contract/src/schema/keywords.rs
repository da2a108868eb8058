//! Keyword rewrites: OpenAPI 3.0's draft 4 dialect into 2020-12, and leniencies that
//! real specs need.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

/// OpenAPI 3.0 `nullable: true`: also accept `null`.
pub(super) fn nullable(mut out: Map<String, Value>) -> Value {
    let composite = ["$ref", "allOf", "anyOf", "oneOf", "not", "if"]
        .iter()
        .any(|k| out.contains_key(*k));
    if !composite {
        let typed = match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = std::mem::take(t);
                out.insert("type".to_owned(), json!([t, "null"]));
                true
            }
            Some(Value::Array(types)) => {
                if !types.iter().any(|t| t == "null") {
                    types.push(Value::from("null"));
                }
                true
            }
            _ => false,
        };
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.iter().any(Value::is_null) {
                values.push(Value::Null);
            }
            return Value::Object(out);
        }
        if typed || !out.contains_key("type") {
            // Without `type`, `null` is accepted already.
            return Value::Object(out);
        }
    }
    json!({"anyOf": [Value::Object(out), {"type": "null"}]})
}

/// Draft 4 bounds: `exclusiveMinimum: true` beside `minimum: 5` is 2020-12's
/// `exclusiveMinimum: 5` (`false` just goes). `m` is the schema as written, `out` the
/// translation, which left the boolean flags out.
pub(super) fn exclusive_bounds(m: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if m.get(flag) == Some(&Value::Bool(true))
            && let Some(n) = out.remove(bound)
        {
            out.insert(flag.to_owned(), n);
        }
    }
}

/// `required` without repeated names: 2020-12 wants them unique, and real specs
/// (OpenAI's) repeat some.
pub(super) fn unique_required(v: &Value) -> Value {
    let mut names = v.clone();
    if let Value::Array(list) = &mut names {
        let mut seen = HashSet::new();
        list.retain(|n| seen.insert(n.to_string()));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nullable_of(v: Value) -> Value {
        match v {
            Value::Object(m) => nullable(m),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn nullable_adds_null_to_type_and_enum() {
        assert_eq!(
            nullable_of(json!({"type": "string", "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            nullable_of(json!({"type": ["integer", "null"]})),
            json!({"type": ["integer", "null"]})
        );
        assert_eq!(
            nullable_of(json!({"description": "anything"})),
            json!({"description": "anything"})
        );
        assert_eq!(
            nullable_of(json!({"$ref": "#/$defs/A"})),
            json!({"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]})
        );
    }
}
