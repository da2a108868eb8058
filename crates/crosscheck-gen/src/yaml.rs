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
                    Value::Object(m) if !m.is_empty() && !fits(v, FLOW_WIDTH) => {
                        // The first key on the dash line, the rest below it.
                        let mut inner = String::new();
                        block(v, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    _ => {
                        out.push(' ');
                        flow(v, out);
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            pad(indent, out);
            flow(other, out);
            out.push('\n');
        }
    }
}

fn value_after_key(v: &Value, indent: usize, out: &mut String) {
    let nested = matches!(v, Value::Object(m) if !m.is_empty())
        || matches!(v, Value::Array(a) if !a.is_empty());
    if !nested || fits(v, FLOW_WIDTH.saturating_sub(indent)) {
        out.push(' ');
        flow(v, out);
        out.push('\n');
    } else {
        out.push('\n');
        block(v, indent + 2, out);
    }
}

/// Whether the flow rendering of `v` is at most `width` long, without rendering more of
/// it than that (a large body is asked at every level of nesting).
fn fits(v: &Value, width: usize) -> bool {
    flow_len(v, width).is_some()
}

/// The length of `v`'s flow rendering when it is at most `budget`, else `None`.
fn flow_len(v: &Value, budget: usize) -> Option<usize> {
    let len = match v {
        Value::Object(m) if m.is_empty() => 2,
        Value::Array(a) if a.is_empty() => 2,
        Value::Object(m) => {
            // `{ ` + `k: v` joined by `, ` + ` }`
            let mut total = 4 + 2 * (m.len() - 1);
            for (k, v) in m {
                if total > budget {
                    return None;
                }
                total += key(k).len() + 2;
                total += flow_len(v, budget.checked_sub(total)?)?;
            }
            total
        }
        Value::Array(a) => {
            let mut total = 2 + 2 * (a.len() - 1);
            for v in a {
                if total > budget {
                    return None;
                }
                total += flow_len(v, budget - total)?;
            }
            total
        }
        other => scalar(other).len(),
    };
    (len <= budget).then_some(len)
}

/// `{ a: 1, b: [x, y] }`, appended to `out`.
fn flow(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            out.push_str("{ ");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&key(k));
                out.push_str(": ");
                flow(v, out);
            }
            out.push_str(" }");
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&scalar(other)),
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

    #[test]
    fn the_width_check_agrees_with_the_rendering() {
        let values = [
            json!({}),
            json!([]),
            json!({"a": 1}),
            json!({"a": [1, "two", {"b": null}], "c": {"d": "x: y"}}),
            json!(["a", ["b", ["c"]], {"k": "v", "l": true}]),
            json!({"long": "x".repeat(80)}),
        ];
        for v in values {
            let mut text = String::new();
            flow(&v, &mut text);
            for width in 0..text.len() + 3 {
                assert_eq!(fits(&v, width), text.len() <= width, "{text} at {width}");
            }
        }
    }
}
