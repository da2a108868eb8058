//! Values captured from one step's response and used in a later step's request.
//!
//! A step captures with `capture: { id: $.id }` (a name and the JSONPath selecting it in
//! the JSON response body); a later step writes `${captured.id}` in its path, query
//! values, header values, JSON body or text body. In a JSON body, a string that is
//! exactly `${captured.id}` takes the captured value with its type (a number stays a
//! number); anywhere else the value is written as text (a string as is, anything else
//! as JSON). Only `${captured.…}` is special: other text, including other `${…}`, is sent
//! as written.

use indexmap::IndexMap;
use serde_json::Value;

use crate::scenario::Request;

/// What opens a reference: `${captured.`.
pub const OPEN: &str = "${captured.";

/// One `${captured.NAME}` in a text: its byte offset and the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Byte offset of the `$`.
    pub offset: usize,
    /// The name between `${captured.` and `}`, trimmed.
    pub name: String,
}

/// Every `${captured.NAME}` in `text`, in order. An unclosed one is left out (it is
/// sent as written).
pub fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(OPEN) {
        let start = from + i;
        let body = &text[start + OPEN.len()..];
        let Some(end) = body.find('}') else { break };
        out.push(Reference {
            offset: start,
            name: body[..end].trim().to_owned(),
        });
        from = start + OPEN.len() + end + 1;
    }
    out
}

/// The names a request refers to, in order of appearance (path, query, headers, body),
/// each once.
pub fn names_in(req: &Request) -> Vec<String> {
    let mut texts: Vec<&str> = vec![req.path.value.as_str()];
    texts.extend(req.query.values().map(String::as_str));
    texts.extend(req.headers.values().map(String::as_str));
    if let Some(b) = &req.body {
        texts.push(b);
    }
    let mut json_texts = Vec::new();
    if let Some(j) = &req.json {
        strings(j, &mut json_texts);
    }
    texts.extend(json_texts.iter().map(String::as_str));
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        for r in references(t) {
            if !out.contains(&r.name) {
                out.push(r.name);
            }
        }
    }
    out
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// A captured value as text: a string as is, anything else as JSON.
pub fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `text` with every `${captured.NAME}` replaced. An unknown name is an error naming it
/// and the names known.
pub fn substitute(text: &str, values: &IndexMap<String, Value>) -> Result<String, String> {
    let refs = references(text);
    if refs.is_empty() {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in refs {
        let value = lookup(&r.name, values)?;
        out.push_str(&text[from..r.offset]);
        out.push_str(&as_text(value));
        let close = text[r.offset..]
            .find('}')
            .map_or(text.len(), |e| r.offset + e + 1);
        from = close;
    }
    out.push_str(&text[from..]);
    Ok(out)
}

fn lookup<'v>(name: &str, values: &'v IndexMap<String, Value>) -> Result<&'v Value, String> {
    values.get(name).ok_or_else(|| {
        if values.is_empty() {
            format!("`${{captured.{name}}}` is used, but no earlier step captured anything")
        } else {
            let known: Vec<&str> = values.keys().map(String::as_str).collect();
            format!(
                "`${{captured.{name}}}` is used, but no earlier step captured `{name}`; captured so far: {}",
                known.join(", ")
            )
        }
    })
}

fn substitute_json(v: &Value, values: &IndexMap<String, Value>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            let refs = references(s);
            let whole = s.starts_with(OPEN) && s.find('}') == Some(s.len() - 1);
            match refs.as_slice() {
                [only] if whole => lookup(&only.name, values)?.clone(),
                _ => Value::String(substitute(s, values)?),
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute_json(x, values))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), substitute_json(x, values)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// The request with every `${captured.NAME}` replaced.
pub fn substitute_request(
    req: &Request,
    values: &IndexMap<String, Value>,
) -> Result<Request, String> {
    let mut out = req.clone();
    out.path.value = substitute(&req.path.value, values)?;
    for v in out.query.values_mut() {
        *v = substitute(v, values)?;
    }
    for v in out.headers.values_mut() {
        *v = substitute(v, values)?;
    }
    if let Some(b) = &req.body {
        out.body = Some(substitute(b, values)?);
    }
    if let Some(j) = &req.json {
        out.json = Some(substitute_json(j, values)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values() -> IndexMap<String, Value> {
        let mut v = IndexMap::new();
        v.insert("id".to_owned(), json!(42));
        v.insert("name".to_owned(), json!("box a"));
        v
    }

    #[test]
    fn finds_references() {
        let r = references("/things/${captured.id}/x/${ captured.name }?${other}");
        assert_eq!(r.len(), 1, "only `${{captured.` opens one: {r:?}");
        let r = references("/things/${captured.id}/x/${captured. name }");
        assert_eq!(
            r.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["id", "name"]
        );
        assert!(references("${captured.id").is_empty());
    }

    #[test]
    fn substitutes_text_and_keeps_json_types() {
        let v = values();
        assert_eq!(
            substitute("/things/${captured.id}", &v).unwrap(),
            "/things/42"
        );
        assert_eq!(
            substitute("${deps.x} ${captured.name}", &v).unwrap(),
            "${deps.x} box a"
        );
        let j = substitute_json(
            &json!({"id": "${captured.id}", "label": "n=${captured.id}", "l": ["${captured.name}"]}),
            &v,
        )
        .unwrap();
        assert_eq!(j, json!({"id": 42, "label": "n=42", "l": ["box a"]}));
    }

    #[test]
    fn unknown_names_say_what_is_known() {
        let err = substitute("/x/${captured.idd}", &values()).unwrap_err();
        assert!(err.contains("no earlier step captured `idd`"), "{err}");
        assert!(err.contains("captured so far: id, name"), "{err}");
        let err = substitute("/x/${captured.id}", &IndexMap::new()).unwrap_err();
        assert!(err.contains("no earlier step captured anything"), "{err}");
    }
}
