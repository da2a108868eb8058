//! Schemas no value can satisfy: the common contradictions, reported as warnings so a
//! contract author can fix them and a data generator knows not to try.

use serde_json::{Map, Value};

/// What makes the schema `m` (as written, either dialect) unsatisfiable, one message per
/// contradiction found. Only the schema's own keywords are looked at (and the `type`s of
/// its `allOf` branches), not what its `$ref`s lead to.
pub(super) fn contradictions(m: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let flag = |k: &str| m.get(k) == Some(&Value::Bool(true));
    // Lower and upper numeric bounds, each with whether it is exclusive, in either form.
    let lower = match (num("minimum"), num("exclusiveMinimum")) {
        (Some(a), Some(b)) if b >= a => Some((b, true)),
        (Some(a), _) => Some((a, flag("exclusiveMinimum"))),
        (None, Some(b)) => Some((b, true)),
        (None, None) => None,
    };
    let upper = match (num("maximum"), num("exclusiveMaximum")) {
        (Some(a), Some(b)) if b <= a => Some((b, true)),
        (Some(a), _) => Some((a, flag("exclusiveMaximum"))),
        (None, Some(b)) => Some((b, true)),
        (None, None) => None,
    };
    if let (Some((lo, lo_ex)), Some((hi, hi_ex))) = (lower, upper)
        && (lo > hi || (lo == hi && (lo_ex || hi_ex)))
    {
        out.push(format!(
            "no number satisfies this schema: the lower bound {lo} is not below the upper bound {hi}; fix `minimum`/`maximum`"
        ));
    }
    for (min, max, what) in [
        ("minLength", "maxLength", "string"),
        ("minItems", "maxItems", "array"),
        ("minProperties", "maxProperties", "object"),
    ] {
        if let (Some(lo), Some(hi)) = (num(min), num(max))
            && lo > hi
        {
            out.push(format!(
                "no {what} satisfies this schema: `{min}` {lo} is above `{max}` {hi}"
            ));
        }
    }
    if let Some(Value::Array(values)) = m.get("enum") {
        if values.is_empty() {
            out.push("no value satisfies this schema: `enum` is empty".to_owned());
        } else if let Some(types) = types_of(m)
            && !values.iter().any(|v| types.iter().any(|t| has_type(v, t)))
        {
            out.push(format!(
                "no value satisfies this schema: none of its `enum` values is of type {}",
                types.join(" or ")
            ));
        }
    }
    if let Some(Value::Array(branches)) = m.get("allOf") {
        let mut allowed: Option<Vec<String>> = types_of(m);
        for b in branches {
            let Some(Value::Object(b)) = Some(b) else {
                continue;
            };
            if let Some(types) = types_of(b) {
                allowed = Some(match allowed {
                    None => types,
                    Some(a) => a.into_iter().filter(|t| compatible(t, &types)).collect(),
                });
            }
        }
        if allowed.as_ref().is_some_and(Vec::is_empty) {
            out.push(
                "no value satisfies this schema: its `type` and the `type`s of its `allOf` branches have nothing in common".to_owned(),
            );
        }
    }
    if m.get("additionalProperties") == Some(&Value::Bool(false))
        && let Some(Value::Array(required)) = m.get("required")
    {
        let props = m.get("properties").and_then(Value::as_object);
        let has_patterns = m.contains_key("patternProperties");
        for name in required.iter().filter_map(Value::as_str) {
            if !has_patterns && !props.is_some_and(|p| p.contains_key(name)) {
                out.push(format!(
                    "no object satisfies this schema: `{name}` is required but not among its `properties`, and `additionalProperties` is false"
                ));
            }
        }
    }
    out
}

fn types_of(m: &Map<String, Value>) -> Option<Vec<String>> {
    match m.get("type")? {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

/// Whether type `t` fits one of `types` (an integer is a number).
fn compatible(t: &str, types: &[String]) -> bool {
    types
        .iter()
        .any(|u| u == t || (t == "integer" && u == "number") || (t == "number" && u == "integer"))
}

fn has_type(v: &Value, t: &str) -> bool {
    match (t, v) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) => true,
        ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn of(v: Value) -> Vec<String> {
        contradictions(v.as_object().unwrap())
    }

    #[test]
    fn finds_the_common_contradictions() {
        assert!(
            of(json!({"minimum": 5, "maximum": 1}))[0]
                .contains("lower bound 5 is not below the upper bound 1")
        );
        assert_eq!(
            of(json!({"minimum": 1, "maximum": 1, "exclusiveMaximum": true})).len(),
            1
        );
        assert_eq!(of(json!({"exclusiveMinimum": 3, "maximum": 3})).len(), 1);
        assert!(of(json!({"minimum": 1, "maximum": 1})).is_empty());
        assert!(
            of(json!({"minLength": 4, "maxLength": 2}))[0]
                .contains("`minLength` 4 is above `maxLength` 2")
        );
        assert_eq!(of(json!({"minItems": 3, "maxItems": 1})).len(), 1);
        assert!(of(json!({"enum": []}))[0].contains("`enum` is empty"));
        assert!(of(json!({"type": "integer", "enum": ["a", "b"]}))[0].contains("of type integer"));
        assert!(of(json!({"type": ["string", "null"], "enum": ["a", null]})).is_empty());
        assert!(of(json!({"type": "number", "enum": [1]})).is_empty());
        assert_eq!(
            of(json!({"allOf": [{"type": "string"}, {"type": "integer"}]})).len(),
            1
        );
        assert!(of(json!({"allOf": [{"type": "number"}, {"type": "integer"}]})).is_empty());
        assert!(
            of(json!({"required": ["a"], "properties": {"b": {}}, "additionalProperties": false}))
                [0]
            .contains("`a` is required")
        );
        assert!(
            of(json!({"type": "object", "required": ["a"], "properties": {"a": {}}})).is_empty()
        );
    }
}
