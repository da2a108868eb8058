//! A small, deterministic generator of JSON values from a JSON Schema (2020-12, as the
//! contract crate translates OpenAPI schemas): enough to give every documented response
//! a body that fits its schema when the contract has no example.
//!
//! It takes the first choice everywhere (`enum`, `oneOf`, `anyOf`, the first type of a
//! type list), fills every declared property, honours bounds on numbers, strings and
//! arrays, and a handful of formats. What it cannot honour (a `pattern`, say) the caller
//! finds out by validating the result.

use serde_json::{Map, Value, json};

/// How deep nested objects and arrays go before the generator stops descending.
const MAX_DEPTH: usize = 8;

/// A value for `schema`; `root` is the standalone document whose `$defs` its `$ref`s name.
pub(crate) fn generate(schema: &Value, root: &Value) -> Value {
    value(schema, root, 0)
}

fn value(schema: &Value, root: &Value, depth: usize) -> Value {
    let Some(obj) = schema.as_object() else {
        // `true` (anything) or `false` (nothing fits; the validator will say so).
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if let Some(target) = resolve(r, root) {
            return value(target, root, depth + 1);
        }
        return Value::Null;
    }
    if let Some(c) = obj.get("const") {
        return c.clone();
    }
    if let Some(first) = obj
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for key in ["examples"] {
        if let Some(first) = obj
            .get(key)
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
    }
    if let Some(e) = obj.get("example").or_else(|| obj.get("default")) {
        return e.clone();
    }
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        return merge_all(all, obj, root, depth);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = obj
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return value(first, root, depth + 1);
        }
    }
    match type_of(obj) {
        Some("object") => object(obj, root, depth),
        Some("array") => array(obj, root, depth),
        Some("string") => string(obj),
        Some("integer") => integer(obj),
        Some("number") => number(obj),
        Some("boolean") => Value::Bool(true),
        Some("null") => Value::Null,
        _ if obj.contains_key("properties") => object(obj, root, depth),
        _ if obj.contains_key("items") => array(obj, root, depth),
        _ => Value::Null,
    }
}

/// `#/$defs/Name` (or any local pointer) in `root`.
fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The schema's type; of a list, the first that is not `null`.
fn type_of(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or_else(|| list.first().and_then(Value::as_str)),
        _ => None,
    }
}

fn merge_all(all: &[Value], own: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let mut merged = Map::new();
    let mut other = None;
    for part in all {
        match value(part, root, depth + 1) {
            Value::Object(m) => merged.extend(m),
            v => other = Some(v),
        }
    }
    if own.contains_key("properties")
        && let Value::Object(m) = object(own, root, depth)
    {
        merged.extend(m);
    }
    match other {
        Some(v) if merged.is_empty() => v,
        _ => Value::Object(merged),
    }
}

fn object(obj: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let mut out = Map::new();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, schema) in props {
            let v = value(schema, root, depth + 1);
            let nullable_only = v.is_null() && !allows_null(schema, root);
            let required = obj
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)));
            // A property the generator could not fill is left out unless required.
            if nullable_only && !required {
                continue;
            }
            out.insert(name.clone(), v);
        }
    }
    Value::Object(out)
}

fn allows_null(schema: &Value, root: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return schema == &Value::Bool(true);
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        return resolve(r, root).is_some_and(|t| t != schema && allows_null(t, root));
    }
    match obj.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(list)) => list.iter().any(|t| t == "null"),
        _ => false,
    }
}

fn array(obj: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(1);
    let max = obj
        .get("maxItems")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    let n = min.max(1).min(max).min(16);
    let Some(items) = obj.get("items") else {
        return Value::Array(Vec::new());
    };
    let item = value(items, root, depth + 1);
    let unique = obj.get("uniqueItems").and_then(Value::as_bool) == Some(true);
    let n = if unique { n.min(1) } else { n };
    Value::Array((0..n).map(|_| item.clone()).collect())
}

fn string(obj: &Map<String, Value>) -> Value {
    let by_format = match obj.get("format").and_then(Value::as_str) {
        Some("date-time") => Some("2024-01-01T00:00:00Z"),
        Some("date") => Some("2024-01-01"),
        Some("time") => Some("00:00:00Z"),
        Some("email") => Some("user@example.com"),
        Some("uuid") => Some("00000000-0000-4000-8000-000000000000"),
        Some("uri" | "url") => Some("https://example.com/"),
        Some("hostname") => Some("example.com"),
        Some("ipv4") => Some("192.0.2.1"),
        Some("ipv6") => Some("2001:db8::1"),
        Some("byte") => Some("c3RyaW5n"),
        _ => None,
    };
    let mut s = by_format.unwrap_or("string").to_owned();
    let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = obj.get("maxLength").and_then(Value::as_u64);
    let min = usize::try_from(min).unwrap_or(usize::MAX).min(1024);
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = max.and_then(|m| usize::try_from(m).ok())
        && s.chars().count() > max
    {
        s = s.chars().take(max).collect();
    }
    Value::String(s)
}

fn bounds(obj: &Map<String, Value>) -> (Option<f64>, Option<f64>) {
    let lower = obj.get("minimum").and_then(Value::as_f64).or_else(|| {
        obj.get("exclusiveMinimum")
            .and_then(Value::as_f64)
            .map(|m| m + 1.0)
    });
    let upper = obj.get("maximum").and_then(Value::as_f64).or_else(|| {
        obj.get("exclusiveMaximum")
            .and_then(Value::as_f64)
            .map(|m| m - 1.0)
    });
    (lower, upper)
}

fn integer(obj: &Map<String, Value>) -> Value {
    let (lower, upper) = bounds(obj);
    let mut n = lower
        .map_or(1.0, f64::ceil)
        .max(if upper.is_some() { f64::MIN } else { 1.0 });
    if lower.is_none() && upper.is_some_and(|u| u < n) {
        n = upper.map_or(n, f64::floor);
    }
    if let Some(m) = obj.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
    {
        n = (n / m).ceil() * m;
    }
    #[allow(clippy::cast_possible_truncation)]
    let i = n as i64;
    json!(i)
}

fn number(obj: &Map<String, Value>) -> Value {
    let (lower, upper) = bounds(obj);
    let mut n = lower.unwrap_or(1.5);
    if lower.is_none() && upper.is_some_and(|u| u < n) {
        n = upper.unwrap_or(n);
    }
    if let Some(m) = obj.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
    {
        n = (n / m).ceil() * m;
    }
    json!(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_(schema: Value) -> Value {
        generate(&schema, &schema)
    }

    #[test]
    fn objects_fill_declared_properties() {
        let schema = json!({
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer", "minimum": 10},
                "name": {"type": "string", "minLength": 8},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                "at": {"type": "string", "format": "date-time"},
                "pet": {"$ref": "#/$defs/Pet"}
            },
            "$defs": {"Pet": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}
        });
        assert_eq!(
            gen_(schema),
            json!({"id": 10, "name": "stringxx", "tags": ["a"], "at": "2024-01-01T00:00:00Z", "pet": {"ok": true}})
        );
    }

    #[test]
    fn choices_and_composition() {
        assert_eq!(gen_(json!({"const": 3})), json!(3));
        assert_eq!(
            gen_(json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})),
            json!(1)
        );
        assert_eq!(
            gen_(json!({"type": ["null", "number"], "maximum": 0})),
            json!(0.0)
        );
        assert_eq!(
            gen_(json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "integer"}}},
                {"type": "object", "properties": {"b": {"type": "string", "maxLength": 2}}}
            ]})),
            json!({"a": 1, "b": "st"})
        );
        assert_eq!(
            gen_(json!({"type": "integer", "multipleOf": 5, "minimum": 7})),
            json!(10)
        );
    }

    #[test]
    fn recursion_is_bounded() {
        let schema = json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "required": ["next"],
                "properties": {"next": {"$ref": "#/$defs/Node"}}}}
        });
        // Terminates; the innermost value is null.
        let v = gen_(schema);
        assert!(v.pointer("/next/next").is_some());
    }
}
