//! The values an OpenAPI link carries to its target: runtime expressions on the source
//! response become captures, those on the source request become the values that request
//! sent (known when generating), constants stay as they are.

use serde_json::{Map, Value};

/// What one link parameter (or `requestBody`) value becomes in the target request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Carried {
    /// Taken from the source response when the chain runs: a capture expression in our
    /// format (`$.id`, `$response.header.Location`, `$statusCode`).
    Capture(String),
    /// Known now: a constant, or what the source request sent.
    Literal(Value),
    /// A string with expressions embedded in it (`"item-{$response.body#/id}"`) of
    /// which at least one is taken from the source response: text and captures in order.
    Embedded(Vec<Piece>),
    /// Not followed, and why.
    Gap(String),
}

/// A part of an [`Carried::Embedded`] string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Text(String),
    /// A capture expression, as in [`Carried::Capture`].
    Capture(String),
}

/// `$response.body#/a/b` → `$.a.b` (as a bracketed JSONPath, so any name works).
pub(crate) fn pointer_to_path(pointer: &str) -> String {
    let mut out = "$".to_owned();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        match seg.parse::<usize>() {
            Ok(n) => out.push_str(&format!("[{n}]")),
            Err(_) if seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                out.push('.');
                out.push_str(&seg);
            }
            Err(_) => out.push_str(&format!("['{}']", seg.replace('\'', "\\'"))),
        }
    }
    out
}

/// What `expr` carries, given the source operation's path template and the request the
/// source step sends (`when`: `path`, `query`, `headers`, `json`).
pub(crate) fn carried(expr: &Value, template: &str, when: &Map<String, Value>) -> Carried {
    let Some(e) = expr.as_str() else {
        return Carried::Literal(expr.clone());
    };
    if !e.trim().starts_with('$') {
        return if e.contains("{$") {
            embedded(e, template, when)
        } else {
            Carried::Literal(expr.clone())
        };
    }
    let e = e.trim();
    if e == "$statusCode" {
        return Carried::Capture(e.to_owned());
    }
    if let Some(h) = e.strip_prefix("$response.header.") {
        return Carried::Capture(format!("$response.header.{h}"));
    }
    if e == "$response.body" || e == "$response.body#" {
        return Carried::Capture("$response.body".to_owned());
    }
    if let Some(p) = e.strip_prefix("$response.body#")
        && p.starts_with('/')
    {
        return Carried::Capture(pointer_to_path(p));
    }
    if let Some(name) = e.strip_prefix("$request.path.") {
        let sent = when.get("path").and_then(Value::as_str).unwrap_or_default();
        return match path_value(template, sent, name) {
            Some(v) => Carried::Literal(Value::String(v)),
            None => Carried::Gap(format!(
                "{e}: the source operation has no path parameter `{name}`"
            )),
        };
    }
    if let Some(name) = e.strip_prefix("$request.query.") {
        return sent_value(when, "query", name, false)
            .map(Carried::Literal)
            .unwrap_or_else(|| {
                Carried::Gap(format!("{e}: the source request sends no query `{name}`"))
            });
    }
    if let Some(name) = e.strip_prefix("$request.header.") {
        return sent_value(when, "headers", name, true)
            .map(Carried::Literal)
            .unwrap_or_else(|| {
                Carried::Gap(format!("{e}: the source request sends no header `{name}`"))
            });
    }
    if e == "$request.body" || e == "$request.body#" {
        return match when.get("json") {
            Some(v) => Carried::Literal(v.clone()),
            None => Carried::Gap(format!("{e}: the source request sends no JSON body")),
        };
    }
    if let Some(p) = e.strip_prefix("$request.body#") {
        return match when.get("json").and_then(|j| j.pointer(p)) {
            Some(v) => Carried::Literal(v.clone()),
            None => Carried::Gap(format!("{e}: the source request's body has nothing there")),
        };
    }
    if e == "$method" {
        return match when.get("method") {
            Some(m) => Carried::Literal(m.clone()),
            None => Carried::Gap(format!("{e}: no method")),
        };
    }
    Carried::Gap(format!(
        "{e} is not a runtime expression crosscheck carries over (`$response.body#/…`, `$response.header.…`, `$statusCode`, `$request.path|query|header.…`, `$request.body#/…`, `$method`)"
    ))
}

/// A string with `{expression}`s embedded (OpenAPI's `embedded-string`): each one is
/// carried like a whole value; the string is known now unless one comes from the
/// response.
fn embedded(text: &str, template: &str, when: &Map<String, Value>) -> Carried {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut literal = String::new();
    let mut captures = false;
    let mut rest = text;
    while let Some(open) = rest.find("{$") {
        literal.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Carried::Gap(format!(
                "`{text}`: an embedded expression is not closed with `}}`"
            ));
        };
        let expr = &rest[open + 1..open + close];
        match carried(&Value::String(expr.to_owned()), template, when) {
            Carried::Literal(v) => match v {
                Value::String(s) => literal.push_str(&s),
                other => literal.push_str(&other.to_string()),
            },
            Carried::Capture(c) => {
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Capture(c));
                captures = true;
            }
            Carried::Embedded(_) => {
                return Carried::Gap(format!("`{text}`: expressions do not nest"));
            }
            Carried::Gap(why) => return Carried::Gap(why),
        }
        rest = &rest[open + close + 1..];
    }
    literal.push_str(rest);
    if !captures {
        return Carried::Literal(Value::String(literal));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Carried::Embedded(pieces)
}

/// The value a path parameter took in `sent`, by lining it up with `template`.
pub(crate) fn path_value(template: &str, sent: &str, name: &str) -> Option<String> {
    let want = format!("{{{name}}}");
    template
        .split('/')
        .zip(sent.split('/'))
        .find(|(t, _)| *t == want)
        .map(|(_, s)| s.to_owned())
}

fn sent_value(when: &Map<String, Value>, key: &str, name: &str, fold: bool) -> Option<Value> {
    when.get(key)?
        .as_object()?
        .iter()
        .find(|(k, _)| {
            if fold {
                k.eq_ignore_ascii_case(name)
            } else {
                *k == name
            }
        })
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn when() -> Map<String, Value> {
        json!({
            "method": "GET",
            "path": "/board/2/3",
            "query": {"mark": "X"},
            "headers": {"X-Trace": "t-1"},
            "json": {"user": {"id": 7}}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn c(e: &str) -> Carried {
        carried(&json!(e), "/board/{row}/{column}", &when())
    }

    #[test]
    fn pointers_become_jsonpaths() {
        assert_eq!(pointer_to_path("/id"), "$.id");
        assert_eq!(
            pointer_to_path("/items/0/thing-id"),
            "$.items[0]['thing-id']"
        );
        assert_eq!(pointer_to_path("/a~1b"), "$['a/b']");
    }

    #[test]
    fn response_values_are_captured_request_values_are_known() {
        assert_eq!(c("$response.body#/id"), Carried::Capture("$.id".into()));
        assert_eq!(
            c("$response.header.Location"),
            Carried::Capture("$response.header.Location".into())
        );
        assert_eq!(c("$statusCode"), Carried::Capture("$statusCode".into()));
        assert_eq!(c("$request.path.column"), Carried::Literal(json!("3")));
        assert_eq!(c("$request.query.mark"), Carried::Literal(json!("X")));
        assert_eq!(c("$request.header.x-trace"), Carried::Literal(json!("t-1")));
        assert_eq!(c("$request.body#/user/id"), Carried::Literal(json!(7)));
        assert_eq!(c("$method"), Carried::Literal(json!("GET")));
        assert_eq!(c("constant"), Carried::Literal(json!("constant")));
        assert_eq!(
            carried(&json!(5), "/", &Map::new()),
            Carried::Literal(json!(5))
        );
        assert!(
            matches!(c("$request.path.nope"), Carried::Gap(g) if g.contains("no path parameter `nope`"))
        );
        assert!(matches!(c("$url"), Carried::Gap(_)));
        // Embedded in a string: known now, or text and captures in order.
        assert_eq!(
            c("row-{$request.path.row}/{$request.query.mark}"),
            Carried::Literal(json!("row-2/X"))
        );
        assert_eq!(
            c("item-{$response.body#/id}.{$statusCode}"),
            Carried::Embedded(vec![
                Piece::Text("item-".into()),
                Piece::Capture("$.id".into()),
                Piece::Text(".".into()),
                Piece::Capture("$statusCode".into()),
            ])
        );
        assert!(matches!(c("a-{$response.body#/id"), Carried::Gap(g) if g.contains("not closed")));
        assert!(matches!(c("a-{$url}"), Carried::Gap(_)));
        assert!(matches!(c("$response.body#id"), Carried::Gap(_)));
    }
}
