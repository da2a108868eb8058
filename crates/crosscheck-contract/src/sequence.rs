//! Sequential media types (OpenAPI 3.2): bodies that are a run of items — JSON Lines,
//! NDJSON, JSON text sequences, server-sent events — read into the items a schema can
//! check. 3.2 says to treat them "as if the values were in an array in the same order":
//! `schema` applies to that array, `itemSchema` to each item.

use serde_json::{Map, Value, json};

/// How a sequential body is split into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sequence {
    /// `application/jsonl`, `application/x-ndjson`: one JSON value per line.
    Lines,
    /// `application/json-seq` and `+json-seq`: values each after a record separator (0x1E).
    JsonSeq,
    /// `text/event-stream`: events as objects with `data`, `event`, `id`, `retry`.
    Events,
}

impl Sequence {
    /// The kind of sequence a media type essence (`application/jsonl`) is, if any.
    pub(crate) fn of(essence: &str) -> Option<Sequence> {
        match essence {
            "application/jsonl"
            | "application/x-jsonl"
            | "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonlines" => Some(Sequence::Lines),
            "application/json-seq" => Some(Sequence::JsonSeq),
            "text/event-stream" => Some(Sequence::Events),
            e if e.ends_with("+json-seq") => Some(Sequence::JsonSeq),
            _ => None,
        }
    }

    /// The items of `body`, or why it cannot be read (naming the item, 1-based).
    pub(crate) fn items(self, body: &[u8]) -> Result<Vec<Value>, String> {
        let text = String::from_utf8_lossy(body);
        match self {
            Sequence::Lines => text
                .split('\n')
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l.trim_end_matches('\r'))
                        .map_err(|e| format!("line {} is not valid JSON: {e}", i + 1))
                })
                .collect(),
            Sequence::JsonSeq => text
                .split('\u{1e}')
                .skip(1)
                .enumerate()
                .map(|(i, r)| {
                    serde_json::from_str(r.trim())
                        .map_err(|e| format!("record {} is not valid JSON: {e}", i + 1))
                })
                .collect(),
            Sequence::Events => Ok(events(&text)),
        }
    }
}

/// Server-sent events as the HTML standard parses them: fields `event`, `data` (lines
/// joined by `\n`), `id` and `retry` (an integer); comments and unknown fields ignored;
/// an event without data, and an unfinished last event, are not dispatched.
fn events(text: &str) -> Vec<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut data = String::new();
    let mut fields = Map::new();
    let mut lines = text.split('\n').peekable();
    while let Some(raw) = lines.next() {
        // The last piece after the final line break is an unfinished line: dropped.
        if lines.peek().is_none() {
            break;
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            if !data.is_empty() {
                data.pop();
                let mut event = std::mem::take(&mut fields);
                event.insert("data".to_owned(), json!(std::mem::take(&mut data)));
                out.push(Value::Object(event));
            }
            fields.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (name, value) = match line.split_once(':') {
            Some((n, v)) => (n, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match name {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => {
                fields.insert("event".to_owned(), json!(value));
            }
            "id" if !value.contains('\0') => {
                fields.insert("id".to_owned(), json!(value));
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(n) = value.parse::<u64>() {
                    fields.insert("retry".to_owned(), json!(n));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(Sequence::of("application/x-ndjson"), Some(Sequence::Lines));
        assert_eq!(
            Sequence::of("application/geo+json-seq"),
            Some(Sequence::JsonSeq)
        );
        assert_eq!(Sequence::of("text/event-stream"), Some(Sequence::Events));
        assert_eq!(Sequence::of("application/json"), None);
    }

    #[test]
    fn json_lines_and_sequences() {
        let items = Sequence::Lines.items(b"{\"a\":1}\r\n\n[2]\n").unwrap();
        assert_eq!(items, vec![json!({"a": 1}), json!([2])]);
        let e = Sequence::Lines.items(b"{\"a\":1}\n{oops}\n").unwrap_err();
        assert!(e.starts_with("line 2 is not valid JSON"), "{e}");
        let items = Sequence::JsonSeq
            .items(b"\x1e{\n \"a\": 1\n}\n\x1e2\n")
            .unwrap();
        assert_eq!(items, vec![json!({"a": 1}), json!(2)]);
    }

    #[test]
    fn server_sent_events() {
        let body = ": comment\nevent: add\ndata: one\ndata:two\nid: 7\nretry: 300\n\ndata\n\nevent: empty\n\ndata: unfinished";
        assert_eq!(
            events(body),
            vec![
                json!({"event": "add", "data": "one\ntwo", "id": "7", "retry": 300}),
                json!({"data": ""}),
            ]
        );
    }
}
