//! Response templates: `{{request.…}}` placeholders filled from the request being answered.
//!
//! | placeholder                          | value                                          |
//! |--------------------------------------|------------------------------------------------|
//! | `{{request.method}}`                 | `GET`                                          |
//! | `{{request.url}}`                    | path and query as sent                         |
//! | `{{request.path}}`                   | the path                                       |
//! | `{{request.path.id}}`                | the `{id}` segment of the stub's path template |
//! | `{{request.path.0}}`, `{{request.path.[0]}}` | the first path segment                 |
//! | `{{request.query.name}}`             | a query parameter                              |
//! | `{{request.headers.name}}`           | a header (any case)                            |
//! | `{{request.cookies.name}}`           | a cookie                                       |
//! | `{{request.body}}`                   | the body as text                               |
//! | `{{request.body.user.id}}`           | a field of a JSON body (dots descend; numbers index arrays) |
//! | `{{jsonPath request.body '$.user.id'}}` | a JSONPath into a JSON body (WireMock's helper) |
//!
//! A placeholder whose value is missing renders as nothing; anything else between braces
//! is left as written. Strings render bare, other JSON values as JSON.

use crosscheck_model::path_template;
use serde_json::Value;

use crate::openapi::cookies;
use crate::record::RecordedRequest;

/// Renders `text` for `req`; `template` is the stub's path template, if it has one.
pub(crate) fn render(text: &str, req: &RecordedRequest, template: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = after[..end].trim();
        match evaluate(expr, req, template) {
            Some(v) => out.push_str(&v),
            None => {
                out.push_str("{{");
                out.push_str(&after[..end]);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether `text` holds a placeholder worth rendering.
pub(crate) fn has_placeholders(text: &str) -> bool {
    text.contains("{{request.") || text.contains("{{jsonPath ") || text.contains("{{ request.")
}

/// The value of one placeholder; `None` when it is not one of ours.
fn evaluate(expr: &str, req: &RecordedRequest, template: Option<&str>) -> Option<String> {
    if let Some(args) = expr.strip_prefix("jsonPath ") {
        let (source, path) = args.trim().split_once(char::is_whitespace)?;
        if source != "request.body" {
            return None;
        }
        let path = path.trim().trim_matches(|c| c == '\'' || c == '"');
        let compiled = crosscheck_model::jsonpath::Path::parse(path).ok()?;
        let found = req.json.as_ref().and_then(|doc| compiled.select(doc));
        return Some(found.map(|v| show(&v)).unwrap_or_default());
    }
    let key = expr
        .strip_prefix("request.")
        .or((expr == "request").then_some(""))?;
    let (head, tail) = key
        .split_once('.')
        .map_or((key, None), |(h, t)| (h, Some(t)));
    let value = match (head, tail) {
        ("method", None) => Some(req.method.clone()),
        ("url", None) => Some(req.url.clone()),
        ("path", None) => Some(req.path.clone()),
        ("path", Some(name)) => path_value(req, template, name),
        ("query", Some(name)) => req.query_param(name).map(str::to_owned),
        ("headers", Some(name)) => req.header(name).map(str::to_owned),
        ("cookies", Some(name)) => cookies(req.header("cookie"))
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v),
        ("body", None) => Some(req.body.clone()),
        ("body", Some(field)) => req
            .json
            .as_ref()
            .and_then(|doc| descend(doc, field))
            .map(show),
        _ => return None,
    };
    Some(value.unwrap_or_default())
}

fn path_value(req: &RecordedRequest, template: Option<&str>, name: &str) -> Option<String> {
    let index = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(i) = index.parse::<usize>() {
        return req
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .nth(i)
            .map(crate::query::decode);
    }
    let captures = path_template::captures(template?, &req.path)?;
    captures
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| crate::query::decode(v))
}

fn descend<'a>(doc: &'a Value, field: &str) -> Option<&'a Value> {
    field.split('.').try_fold(doc, |v, part| match v {
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(map) => map.get(part),
        _ => None,
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;

    fn req() -> RecordedRequest {
        RecordedRequest {
            method: "POST".to_owned(),
            path: "/users/42/orders".to_owned(),
            url: "/users/42/orders?limit=5".to_owned(),
            query: vec![("limit".to_owned(), "5".to_owned())],
            headers: vec![
                ("x-trace".to_owned(), "t-1".to_owned()),
                ("cookie".to_owned(), "session=abc".to_owned()),
            ],
            body: r#"{"user":{"name":"ann","tags":["a","b"]},"n":3}"#.to_owned(),
            json: serde_json::from_str(r#"{"user":{"name":"ann","tags":["a","b"]},"n":3}"#).ok(),
            at_ms: 0,
            stub: None,
            outcome: Outcome::Unmatched,
            note: None,
        }
    }

    #[test]
    fn fills_placeholders() {
        let t = Some("/users/{id}/orders");
        let r = req();
        assert_eq!(
            render(
                r#"{"id":"{{request.path.id}}","seg":"{{request.path.[0]}}","limit":{{request.query.limit}},"name":"{{request.body.user.name}}","tag":"{{ request.body.user.tags.1 }}","n":{{jsonPath request.body '$.n'}},"trace":"{{request.headers.X-Trace}}","s":"{{request.cookies.session}}","m":"{{request.method}}"}"#,
                &r,
                t
            ),
            r#"{"id":"42","seg":"users","limit":5,"name":"ann","tag":"b","n":3,"trace":"t-1","s":"abc","m":"POST"}"#
        );
    }

    #[test]
    fn missing_values_are_empty_and_foreign_braces_stay() {
        let r = req();
        assert_eq!(render("[{{request.query.nope}}]", &r, None), "[]");
        assert_eq!(
            render("{{now}} {{request.path.id}} {{", &r, None),
            "{{now}}  {{"
        );
        assert!(has_placeholders("a {{request.url}}"));
        assert!(!has_placeholders("{{now}}"));
    }
}
