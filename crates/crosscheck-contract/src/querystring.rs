//! OpenAPI 3.2 `in: querystring` parameters: the whole query string is one value, written
//! in the parameter's media type. These functions turn a value into the query string to
//! send, and a received query string into the values a schema can check.
//!
//! ```
//! use crosscheck_contract::querystring;
//! use serde_json::json;
//!
//! let form = Some("application/x-www-form-urlencoded");
//! let text = querystring::serialize(form, &json!({"q": "a + b", "tag": ["x", "y"], "n": 2}));
//! assert_eq!(text, "q=a+%2B+b&tag=x&tag=y&n=2");
//! assert!(querystring::readings(form, &text).contains(&json!({"q": "a + b", "tag": ["x", "y"], "n": 2})));
//!
//! let json = Some("application/json");
//! let text = querystring::serialize(json, &json!({"numbers": [1, 2], "flag": null}));
//! assert_eq!(text, "%7B%22numbers%22%3A%5B1%2C2%5D%2C%22flag%22%3Anull%7D");
//! assert_eq!(querystring::readings(json, &text)[0], json!({"numbers": [1, 2], "flag": null}));
//! ```

use serde_json::{Map, Value};

/// How a media type writes the query string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Form,
    Json,
    Text,
}

fn kind(content_type: Option<&str>) -> Kind {
    let essence = content_type
        .unwrap_or("application/x-www-form-urlencoded")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        Kind::Form
    } else if essence == "application/json" || essence.ends_with("+json") {
        Kind::Json
    } else {
        Kind::Text
    }
}

/// `value` as the query string (without the `?`) of a `querystring` parameter whose
/// media type is `content_type` (none: `application/x-www-form-urlencoded`). Forms write
/// each property as `name=value` (arrays repeat the name; nested objects are written as
/// JSON text), spaces as `+`; JSON is the compact text, percent-encoded; any other media
/// type takes a string as it is, percent-encoded.
pub fn serialize(content_type: Option<&str>, value: &Value) -> String {
    match kind(content_type) {
        Kind::Form => {
            let Value::Object(m) = value else {
                return encode(&scalar_text(value), true);
            };
            let mut pairs = Vec::new();
            for (k, v) in m {
                let items: Vec<&Value> = match v {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    pairs.push(format!(
                        "{}={}",
                        encode(k, true),
                        encode(&scalar_text(item), true)
                    ));
                }
            }
            pairs.join("&")
        }
        Kind::Json => encode(&value.to_string(), false),
        Kind::Text => encode(&scalar_text(value), false),
    }
}

/// The values a received query string (`raw`, without the `?`) may stand for, most
/// telling first: a form as an object whose values are numbers and booleans where they
/// read as such, then with every value a string; JSON parsed; other media types as the
/// decoded text. A parameter conforms when any reading satisfies its schema. Empty when
/// a JSON query string does not parse.
pub fn readings(content_type: Option<&str>, raw: &str) -> Vec<Value> {
    match kind(content_type) {
        Kind::Form => {
            let mut typed = Map::new();
            let mut text = Map::new();
            for part in raw.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                let (k, v) = (decode(k, true), decode(v, true));
                let parsed = match serde_json::from_str::<Value>(&v) {
                    Ok(p) if p.is_number() || p.is_boolean() || p.is_null() => p,
                    _ => Value::String(v.clone()),
                };
                add(&mut typed, &k, parsed);
                add(&mut text, &k, Value::String(v));
            }
            vec![Value::Object(typed), Value::Object(text)]
        }
        Kind::Json => serde_json::from_str(&decode(raw, false))
            .map(|v| vec![v])
            .unwrap_or_default(),
        Kind::Text => vec![Value::String(decode(raw, false))],
    }
}

/// A repeated name collects its values into an array, in order.
fn add(m: &mut Map<String, Value>, k: &str, v: Value) {
    match m.get_mut(k) {
        Some(Value::Array(items)) => items.push(v),
        Some(first) => {
            let first = first.take();
            m.insert(k.to_owned(), Value::Array(vec![first, v]));
        }
        None => {
            m.insert(k.to_owned(), v);
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Percent-encodes all but the unreserved characters; `form` writes spaces as `+`.
fn encode(s: &str, form: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decodes `s`; `form` reads `+` as a space. Malformed escapes stay as written.
fn decode(s: &str, form: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', None) if form => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn form_round_trip_and_repeats() {
        let form = Some("application/x-www-form-urlencoded; charset=utf-8");
        let v = json!({"foo": "a + b", "bar": true});
        let text = serialize(form, &v);
        assert_eq!(text, "foo=a+%2B+b&bar=true");
        let r = readings(form, &text);
        assert_eq!(r[0], v);
        assert_eq!(r[1], json!({"foo": "a + b", "bar": "true"}));
        assert_eq!(readings(None, "t=1&t=2&t=x")[0], json!({"t": [1, 2, "x"]}));
    }

    #[test]
    fn json_and_text() {
        let j = Some("application/json");
        assert!(readings(j, "%7Bbroken").is_empty());
        let t = Some("application/jsonpath");
        assert_eq!(serialize(t, &json!("$.a.b[1:1]")), "%24.a.b%5B1%3A1%5D");
        assert_eq!(readings(t, "%24.a.b%5B1%3A1%5D"), vec![json!("$.a.b[1:1]")]);
    }
}
