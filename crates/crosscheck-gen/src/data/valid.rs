//! Valid values for a schema: its examples when it has usable ones, else built from its
//! constraints. The caller ([`super::valid`]) checks every result with the validator.

use serde_json::{Map, Number, Value, json};

use super::pattern;
use super::resolve::flat;
use crate::rng::Rng;

/// How deep nested objects and arrays are built; below it only required properties.
const FULL_DEPTH: usize = 2;
/// Past this depth a value is given up on (recursive schemas without a way out).
const MAX_DEPTH: usize = 12;

/// The schema's own examples, in the order a person would pick them: `examples`,
/// `example`, `default`, `const`.
pub fn examples(schema: &Value, root: &Value) -> Vec<Value> {
    let f = flat(schema, root);
    let mut out: Vec<Value> = f
        .get("examples")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for k in ["example", "default", "const"] {
        if let Some(v) = f.get(k) {
            out.push(v.clone());
        }
    }
    out
}

/// A value built from `schema`'s constraints; `None` when it cannot build one.
/// With `leaf_examples`, leaves take their schema's first example (the contract's own
/// words); without, everything is built from constraints (for when an example is wrong).
pub fn build(schema: &Value, root: &Value, rng: &mut Rng, leaf_examples: bool) -> Option<Value> {
    Builder {
        root,
        leaf_examples,
    }
    .at(schema, rng, 0)
}

struct Builder<'a> {
    root: &'a Value,
    leaf_examples: bool,
}

impl Builder<'_> {
    fn at(&self, schema: &Value, rng: &mut Rng, depth: usize) -> Option<Value> {
        let root = self.root;
        if depth > MAX_DEPTH {
            return None;
        }
        let s = flat(schema, root);
        let s = match s {
            Value::Bool(false) => return None,
            Value::Object(o) => o,
            _ => return Some(json!("x")),
        };
        if let Some(c) = s.get("const") {
            return Some(c.clone());
        }
        if let Some(Value::Array(options)) = s.get("enum") {
            let n = u64::try_from(options.len()).ok()?;
            return options.get(usize::try_from(rng.below(n)).ok()?).cloned();
        }
        // Leaf examples are the contract's own words; objects are built so their parts can be
        // varied (their examples are tried first by the caller).
        if let Some(ex) = s
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            && !ex.is_object()
            && self.leaf_examples
        {
            return Some(ex.clone());
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = s.get(key) {
                let mut base = s.clone();
                base.remove(key);
                for b in branches {
                    let merged = json!({"allOf": [Value::Object(base.clone()), b]});
                    if let Some(v) = self.at(&merged, rng, depth + 1) {
                        return Some(v);
                    }
                }
                return None;
            }
        }
        match type_of(&s).as_str() {
            "object" => self.object(&s, rng, depth),
            "array" => self.array(&s, rng, depth),
            "string" => string(&s),
            "integer" => number(&s, true),
            "number" => number(&s, false),
            "boolean" => Some(Value::Bool(true)),
            "null" => Some(Value::Null),
            _ => Some(json!("x")),
        }
    }
}

/// The type to build: the first non-null one named, else one the keywords imply.
pub fn type_of(s: &Map<String, Value>) -> String {
    match s.get("type") {
        Some(Value::String(t)) => return t.clone(),
        Some(Value::Array(ts)) => {
            let named: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            if let Some(t) = named.iter().find(|t| **t != "null").or(named.first()) {
                return (*t).to_owned();
            }
        }
        _ => {}
    }
    let has = |keys: &[&str]| keys.iter().any(|k| s.contains_key(*k));
    if has(&["properties", "required", "additionalProperties"]) {
        "object"
    } else if has(&["items", "prefixItems", "minItems", "maxItems"]) {
        "array"
    } else if has(&["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
        "number"
    } else if has(&["pattern", "minLength", "maxLength", "format"]) {
        "string"
    } else {
        "any"
    }
    .to_owned()
}

impl Builder<'_> {
    fn object(&self, s: &Map<String, Value>, rng: &mut Rng, depth: usize) -> Option<Value> {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = s.get("properties").and_then(Value::as_object);
        let mut out = Map::new();
        if let Some(props) = props {
            for (name, ps) in props {
                let needed = required.contains(&name.as_str());
                if needed || depth < FULL_DEPTH {
                    match self.at(ps, rng, depth + 1) {
                        Some(v) => {
                            out.insert(name.clone(), v);
                        }
                        None if needed => return None,
                        None => {}
                    }
                }
            }
        }
        for name in required {
            if !out.contains_key(name) {
                let extra = s.get("additionalProperties").cloned().unwrap_or(json!({}));
                out.insert(name.to_owned(), self.at(&extra, rng, depth + 1)?);
            }
        }
        Some(Value::Object(out))
    }

    fn array(&self, s: &Map<String, Value>, rng: &mut Rng, depth: usize) -> Option<Value> {
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let mut out = Vec::new();
        if let Some(Value::Array(prefix)) = s.get("prefixItems") {
            for p in prefix {
                out.push(self.at(p, rng, depth + 1)?);
            }
        }
        let want = min.max(u64::from(depth < FULL_DEPTH)).min(max);
        let items = s.get("items").cloned().unwrap_or(json!({}));
        while (out.len() as u64) < want {
            out.push(self.at(&items, rng, depth + 1)?);
        }
        Some(Value::Array(out))
    }
}

fn string(s: &Map<String, Value>) -> Option<Value> {
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    if let Some(f) = s.get("format").and_then(Value::as_str)
        && let Some(v) = formatted(f)
    {
        return Some(json!(v));
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        return pattern::matching(p, min).map(Value::String);
    }
    let len = min.max(max.unwrap_or(6).min(6));
    let text: String = "sample".chars().cycle().take(len).collect();
    Some(json!(text))
}

/// A valid example of a format the validator checks.
pub fn formatted(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => "2026-01-02T03:04:05Z",
        "date" => "2026-01-02",
        "time" => "03:04:05Z",
        "duration" => "PT1H",
        "email" => "someone@example.com",
        "idn-email" => "someone@example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "uri" | "iri" => "https://example.com/a",
        "uri-reference" | "iri-reference" => "/a",
        "uuid" => "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f",
        "regex" => "^a+$",
        "json-pointer" => "/a/0",
        _ => return None,
    })
}

fn number(s: &Map<String, Value>, integer: bool) -> Option<Value> {
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let mut lo = num("minimum").unwrap_or(f64::MIN);
    if let Some(x) = num("exclusiveMinimum") {
        lo = lo.max(if integer { x.floor() + 1.0 } else { x + 1.0 });
    }
    let mut hi = num("maximum").unwrap_or(f64::MAX);
    if let Some(x) = num("exclusiveMaximum") {
        hi = hi.min(if integer { x.ceil() - 1.0 } else { x - 0.5 });
    }
    let mut v = if lo <= 1.0 && 1.0 <= hi {
        1.0
    } else if lo > 1.0 {
        lo.ceil()
    } else {
        hi.floor()
    };
    if let Some(m) = num("multipleOf").filter(|m| *m > 0.0) {
        v = (v / m).ceil() * m;
    }
    if v < lo || v > hi {
        return None;
    }
    if integer || v.fract() == 0.0 {
        Some(Value::Number(Number::from(v as i64)))
    } else {
        Number::from_f64(v).map(Value::Number)
    }
}
