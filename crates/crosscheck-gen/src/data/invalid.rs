//! Invalid values: a valid value with exactly one constraint broken.

use serde_json::{Value, json};

use super::pattern;
use super::resolve::flat;
use super::valid::type_of;

/// How deep into nested objects constraints are broken.
const MAX_DEPTH: usize = 4;

/// A candidate: the value with one change, and what it is meant to break.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub keyword: &'static str,
    pub pointer: String,
    pub reason: String,
    pub value: Value,
}

/// Every single-constraint mutation of `valid` that the schema's keywords suggest.
/// Unchecked: the caller keeps the ones the validator rejects for exactly `keyword`.
pub(crate) fn candidates(schema: &Value, root: &Value, valid: &Value) -> Vec<Candidate> {
    let mut out = Vec::new();
    walk(schema, root, valid, valid, "", 0, &mut out);
    out
}

fn walk(
    schema: &Value,
    root: &Value,
    whole: &Value,
    here: &Value,
    pointer: &str,
    depth: usize,
    out: &mut Vec<Candidate>,
) {
    let s = flat(schema, root);
    let Some(s) = s.as_object() else { return };
    let mut push = |keyword: &'static str, reason: String, replacement: Value| {
        let mut value = whole.clone();
        let slot = if pointer.is_empty() {
            Some(&mut value)
        } else {
            value.pointer_mut(pointer)
        };
        if let Some(slot) = slot {
            *slot = replacement;
            out.push(Candidate {
                keyword,
                pointer: pointer.to_owned(),
                reason,
                value,
            });
        }
    };
    let at = if pointer.is_empty() {
        "the value".to_owned()
    } else {
        format!("`{}`", &pointer[1..].replace('/', "."))
    };
    let kind = type_of(s);

    if s.contains_key("type") {
        let wrong = match kind.as_str() {
            "string" => json!(12345),
            "integer" | "number" => json!("not-a-number"),
            "boolean" => json!("true"),
            "array" | "object" => json!("text"),
            _ => json!(true),
        };
        push(
            "type",
            format!("{at} has the wrong type (not {kind})"),
            wrong,
        );
    }
    if let Some(Value::Array(options)) = s.get("enum")
        && let Some(other) = outside(options)
    {
        push(
            "enum",
            format!("{at} is not one of the listed values"),
            other,
        );
    }
    if let Some(c) = s.get("const")
        && let Some(other) = outside(std::slice::from_ref(c))
    {
        push("const", format!("{at} is not the constant value"), other);
    }
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let as_num = |x: f64| {
        if kind == "integer" || x.fract() == 0.0 {
            json!(x as i64)
        } else {
            json!(x)
        }
    };
    if let Some(m) = num("minimum") {
        push(
            "minimum",
            format!("{at} is below the minimum {m}"),
            as_num(m - 1.0),
        );
    }
    if let Some(m) = num("maximum") {
        push(
            "maximum",
            format!("{at} is above the maximum {m}"),
            as_num(m + 1.0),
        );
    }
    if let Some(m) = num("exclusiveMinimum") {
        push(
            "exclusiveMinimum",
            format!("{at} equals the exclusive minimum {m}"),
            as_num(m),
        );
    }
    if let Some(m) = num("exclusiveMaximum") {
        push(
            "exclusiveMaximum",
            format!("{at} equals the exclusive maximum {m}"),
            as_num(m),
        );
    }
    let text = here.as_str().unwrap_or("");
    let min_len = s.get("minLength").and_then(Value::as_u64);
    let max_len = s.get("maxLength").and_then(Value::as_u64);
    if let Some(m) = min_len.filter(|m| *m > 0) {
        let short: String = text
            .chars()
            .chain(std::iter::repeat('a'))
            .take(m as usize - 1)
            .collect();
        push(
            "minLength",
            format!("{at} is shorter than {m} characters"),
            json!(short),
        );
    }
    if let Some(m) = max_len {
        let long: String = text
            .chars()
            .chain(std::iter::repeat('a'))
            .take(m as usize + 1)
            .collect();
        push(
            "maxLength",
            format!("{at} is longer than {m} characters"),
            json!(long),
        );
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str)
        && let Ok(re) = regex::Regex::new(p)
    {
        let len = min_len.unwrap_or(1).max(1) as usize;
        if let Some(bad) = pattern::non_matching_candidates(len)
            .into_iter()
            .find(|c| !re.is_match(c) && max_len.is_none_or(|m| c.chars().count() as u64 <= m))
        {
            push(
                "pattern",
                format!("{at} does not match the pattern {p}"),
                json!(bad),
            );
        }
    }
    if let Some(f) = s.get("format").and_then(Value::as_str)
        && super::valid::formatted(f).is_some()
    {
        push(
            "format",
            format!("{at} is not a valid {f}"),
            json!(format!("not-a-{f}")),
        );
    }
    if let Some(m) = s.get("minItems").and_then(Value::as_u64).filter(|m| *m > 0)
        && let Some(items) = here.as_array()
    {
        let fewer: Vec<Value> = items.iter().take(m as usize - 1).cloned().collect();
        push(
            "minItems",
            format!("{at} has fewer than {m} items"),
            json!(fewer),
        );
    }
    if let Some(m) = s.get("maxItems").and_then(Value::as_u64)
        && let Some(first) = here.as_array().and_then(|i| i.first())
    {
        let more = vec![first.clone(); m as usize + 1];
        push(
            "maxItems",
            format!("{at} has more than {m} items"),
            json!(more),
        );
    }

    let Some(obj) = here.as_object() else { return };
    if s.get("additionalProperties") == Some(&Value::Bool(false)) {
        let mut more = obj.clone();
        more.insert("unexpected_property".to_owned(), json!("x"));
        push(
            "additionalProperties",
            format!("{at} has a property the schema does not allow (`unexpected_property`)"),
            Value::Object(more),
        );
    }
    for name in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = name.as_str()
            && obj.contains_key(name)
        {
            let mut less = obj.clone();
            less.remove(name);
            push(
                "required",
                format!("{at} lacks the required property `{name}`"),
                Value::Object(less),
            );
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, ps) in props {
            if let Some(v) = obj.get(name) {
                let child = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                walk(ps, root, whole, v, &child, depth + 1, out);
            }
        }
    }
}

/// A value of the same type as the listed ones but equal to none of them.
fn outside(listed: &[Value]) -> Option<Value> {
    let tries = match listed.first()? {
        Value::String(_) => vec![json!("NOT_A_LISTED_VALUE"), json!("unlisted")],
        Value::Number(_) => vec![json!(-987_654), json!(987_654)],
        Value::Bool(b) => vec![json!(!b)],
        _ => vec![json!("unlisted")],
    };
    tries.into_iter().find(|t| !listed.contains(t))
}
