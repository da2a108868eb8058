//! A small YAML writer for generated scenarios: block mappings, short flow mappings for
//! small leaves, and JSON-quoted strings (valid YAML), so every value reads back exactly.

use serde_json::Value;

/// How long a flow (`{ a: 1 }`) rendering may be before block style is used.
const FLOW_WIDTH: usize = 72;

/// `value` as YAML lines at `indent`, without a trailing newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    block(value, 0, &mut out);
    out
}

fn block(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                pad(indent, out);
                out.push_str(&key(k));
                out.push(':');
                value_after_key(v, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                pad(indent, out);
                out.push('-');
                match v {
                    Value::Object(m) if !m.is_empty() && flow(v).len() > FLOW_WIDTH => {
                        // The first key on the dash line, the rest below it.
                        let mut inner = String::new();
                        block(v, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&flow_or_scalar(v));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            pad(indent, out);
            out.push_str(&flow_or_scalar(other));
            out.push('\n');
        }
    }
}

fn value_after_key(v: &Value, indent: usize, out: &mut String) {
    let f = flow_or_scalar(v);
    let nested = matches!(v, Value::Object(m) if !m.is_empty())
        || matches!(v, Value::Array(a) if !a.is_empty());
    if !nested || f.len() + indent <= FLOW_WIDTH {
        out.push(' ');
        out.push_str(&f);
        out.push('\n');
    } else {
        out.push('\n');
        block(v, indent + 2, out);
    }
}

fn flow_or_scalar(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => flow(v),
        _ => scalar(v),
    }
}

/// `{ a: 1, b: [x, y] }`.
fn flow(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        other => scalar(other),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => string(s),
        other => other.to_string(),
    }
}

/// Plain when it cannot be read as anything but this string, JSON-quoted otherwise.
fn string(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if plain {
        s.to_owned()
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

fn key(k: &str) -> String {
    string(k)
}

fn pad(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_a_yaml_reader() {
        let v = json!({
            "id": "gen-a",
            "covers": ["REQ-1"],
            "given": {"auth": [{"on": {"method": "GET", "path": "/validate"}, "reply": {"status": 200, "json": {"valid": true, "user_id": "user-123", "note": "a: b, c"}}}]},
            "when": {"path": "/resources/42", "headers": {"Authorization": "Bearer x"}},
            "then": {"status": {"one_of": [401, 403]}, "json": {"$.error": "ACCESS_DENIED"}, "within": "2s", "flag": "true", "empty": ""}
        });
        let text = to_yaml(&v);
        let back: Value = serde_saphyr::from_str(&text).expect("valid YAML");
        assert_eq!(back, v, "{text}");
    }
}
