//! What a double saw: one received request and what the double did with it.

use serde::Serialize;
use serde_json::Value;

/// One request a double received, as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// The method, as sent (`GET`, `POST`, …).
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The path and query string as sent (`/users?limit=5`).
    pub url: String,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers with lower-case names, in order (repeated names keep each value).
    pub headers: Vec<(String, String)>,
    /// The body as text (bytes that are not UTF-8 become U+FFFD).
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// Milliseconds between the last `install` (or the start) and the request's arrival.
    pub at_ms: u64,
    /// The index of the stub that answered, if any.
    pub stub: Option<usize>,
    /// What the double did.
    pub outcome: Outcome,
    /// Why, when there is more to say: what made the contract refuse the request, the
    /// nearest stub when none matched, the realised delay of a fault.
    pub note: Option<String>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name` (case-sensitive, as URLs are).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `GET /path`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What a double did with a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A stub answered with this status.
    Replied {
        /// The status code sent.
        status: u16,
    },
    /// A stub misbehaved on purpose.
    Fault {
        /// The fault, in words: `timeout`, `reset`, `empty`, `malformed`, `truncate`,
        /// `delay 2s`.
        fault: String,
        /// The status the client was sent (a delayed reply, or the status line of a
        /// truncated one); `None` when no status line went out.
        status: Option<u16>,
    },
    /// No stub matched; the double answered 404.
    Unmatched,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> RecordedRequest {
        RecordedRequest {
            method: "GET".to_owned(),
            path: "/validate".to_owned(),
            url: "/validate?token=abc".to_owned(),
            query: vec![("token".to_owned(), "abc".to_owned())],
            headers: vec![
                ("authorization".to_owned(), "Bearer t".to_owned()),
                ("accept".to_owned(), "*/*".to_owned()),
            ],
            body: String::new(),
            json: None,
            at_ms: 3,
            stub: Some(0),
            outcome: Outcome::Replied { status: 200 },
            note: None,
        }
    }

    #[test]
    fn header_lookup_ignores_case() {
        let r = sample();
        assert_eq!(r.header("Authorization"), Some("Bearer t"));
        assert_eq!(r.header("x-missing"), None);
        assert_eq!(r.query_param("token"), Some("abc"));
        assert_eq!(r.describe(), "GET /validate");
    }

    #[test]
    fn outcome_serializes_with_a_kind_tag() {
        assert_eq!(
            serde_json::to_value(Outcome::Replied { status: 503 }).unwrap(),
            json!({"kind": "replied", "status": 503})
        );
        assert_eq!(
            serde_json::to_value(Outcome::Fault {
                fault: "timeout".to_owned(),
                status: None
            })
            .unwrap(),
            json!({"kind": "fault", "fault": "timeout", "status": null})
        );
        assert_eq!(
            serde_json::to_value(Outcome::Unmatched).unwrap(),
            json!({"kind": "unmatched"})
        );
        let v = serde_json::to_value(sample()).unwrap();
        assert_eq!(v["query"], json!([["token", "abc"]]));
        assert_eq!(v["outcome"]["kind"], "replied");
    }
}
