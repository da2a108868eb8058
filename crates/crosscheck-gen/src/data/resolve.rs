//! One schema with its `$ref`s followed and its `allOf` merged, so generators can read
//! the constraints that apply at one place.

use serde_json::{Map, Value};

/// How deep `$ref`/`allOf` chains are followed before giving up (recursive schemas).
const MAX_DEPTH: usize = 16;

/// `schema` (inside the self-contained `root`) as one object: `$ref` followed, `allOf`
/// members merged into it (properties and `required` united, other keywords: first
/// wins). `true` is `{}`; `false` stays `false`.
pub fn flat(schema: &Value, root: &Value) -> Value {
    flat_at(schema, root, 0)
}

fn flat_at(schema: &Value, root: &Value, depth: usize) -> Value {
    let Some(obj) = schema.as_object() else {
        return match schema {
            Value::Bool(false) => Value::Bool(false),
            _ => Value::Object(Map::new()),
        };
    };
    if depth > MAX_DEPTH {
        return Value::Object(obj.clone());
    }
    let mut out = Map::new();
    if let Some(Value::String(r)) = obj.get("$ref")
        && let Some(target) = lookup(r, root)
    {
        merge(&mut out, &flat_at(target, root, depth + 1));
    }
    for (k, v) in obj {
        if k != "$ref" && k != "allOf" {
            merge_key(&mut out, k, v);
        }
    }
    if let Some(Value::Array(parts)) = obj.get("allOf") {
        for p in parts {
            merge(&mut out, &flat_at(p, root, depth + 1));
        }
    }
    Value::Object(out)
}

/// The schema a local `$ref` (`#/$defs/Pet`, or any pointer into `root`) names.
pub fn lookup<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

fn merge(out: &mut Map<String, Value>, other: &Value) {
    if let Some(o) = other.as_object() {
        for (k, v) in o {
            merge_key(out, k, v);
        }
    }
}

fn merge_key(out: &mut Map<String, Value>, k: &str, v: &Value) {
    match (k, out.get_mut(k)) {
        ("properties", Some(Value::Object(mine))) => {
            if let Some(theirs) = v.as_object() {
                for (name, s) in theirs {
                    match mine.get_mut(name) {
                        // Two constraints on one property: both must hold.
                        Some(existing) => {
                            let both = serde_json::json!({"allOf": [existing.clone(), s.clone()]});
                            *existing = both;
                        }
                        None => {
                            mine.insert(name.clone(), s.clone());
                        }
                    }
                }
            }
        }
        ("required", Some(Value::Array(mine))) => {
            for r in v.as_array().into_iter().flatten() {
                if !mine.contains(r) {
                    mine.push(r.clone());
                }
            }
        }
        (_, Some(_)) => {}
        (_, None) => {
            out.insert(k.to_owned(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_refs_and_merges_all_of() {
        let root = json!({"$defs": {"E": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}}});
        let s =
            json!({"allOf": [{"$ref": "#/$defs/E"}, {"properties": {"error": {"const": "X"}}}]});
        let f = flat(&s, &root);
        assert_eq!(f["type"], "object");
        assert_eq!(f["required"], json!(["error"]));
        assert_eq!(
            f["properties"]["error"],
            json!({"allOf": [{"type": "string"}, {"const": "X"}]})
        );
    }
}
