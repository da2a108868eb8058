//! Self-contained schemas: a schema plus the definitions it needs under its `$defs`.

use serde_json::{Map, Value, json};

/// `schema` made self-contained: the definitions it needs, transitively, copied under
/// its `$defs`.
pub(crate) fn standalone(schema: &Value, definitions: &Map<String, Value>) -> Value {
    let mut defs = Map::new();
    let mut pending = Vec::new();
    refs_in(schema, &mut pending);
    while let Some(name) = pending.pop() {
        if defs.contains_key(name) {
            continue;
        }
        if let Some(def) = definitions.get(name) {
            defs.insert(name.to_owned(), def.clone());
            refs_in(def, &mut pending);
        }
    }
    attach_defs(schema.clone(), defs)
}

/// The names of the `#/$defs/<name>` references anywhere in `v` (a stack, not
/// recursion: `v` may be deep).
fn refs_in<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => {
                            if let Some(name) = r.strip_prefix("#/$defs/") {
                                out.push(name);
                            }
                        }
                        _ => stack.push(x),
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// Puts the collected definitions under the root's `$defs`, or wraps the root when its
/// own `$defs` would collide.
fn attach_defs(root: Value, defs: Map<String, Value>) -> Value {
    if defs.is_empty() {
        return root;
    }
    match root {
        Value::Object(mut o) => match o.get_mut("$defs") {
            None => {
                o.insert("$defs".to_owned(), Value::Object(defs));
                Value::Object(o)
            }
            Some(Value::Object(own)) if defs.keys().all(|k| !own.contains_key(k)) => {
                own.extend(defs);
                Value::Object(o)
            }
            Some(_) => json!({"allOf": [Value::Object(o)], "$defs": defs}),
        },
        other => json!({"allOf": [other], "$defs": defs}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_what_is_needed_transitively_and_no_more() {
        let defs: Map<String, Value> = serde_json::from_value(json!({
            "A": {"properties": {"b": {"$ref": "#/$defs/B"}}},
            "B": {"items": {"$ref": "#/$defs/A"}},
            "C": {"type": "string"}
        }))
        .unwrap();
        let out = standalone(&json!({"$ref": "#/$defs/A"}), &defs);
        let mut names: Vec<&String> = out["$defs"].as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(
            standalone(&json!({"type": "string"}), &defs),
            json!({"type": "string"})
        );
    }

    #[test]
    fn wraps_when_own_defs_collide() {
        let defs: Map<String, Value> =
            serde_json::from_value(json!({"A": {"type": "string"}})).unwrap();
        let root = json!({"$defs": {"A": {"type": "integer"}}, "$ref": "#/$defs/A"});
        let out = standalone(&root, &defs);
        assert_eq!(out["allOf"][0], root);
        assert_eq!(out["$defs"]["A"], json!({"type": "string"}));
    }
}
