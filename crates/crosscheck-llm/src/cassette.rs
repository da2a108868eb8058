//! Cassettes: every exchange with the model, request body to answer, so a run can be
//! replayed offline and byte for byte. Requests are stored without headers (the API key
//! travels only in a header) and without the server's address, so a cassette recorded
//! against one server replays for any `base_url`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::LlmError;

/// The cassette format's version.
const VERSION: u32 = 1;

/// One request and the answer that settled it (transient failures that were retried are
/// not kept: replay needs only what decided the outcome).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    /// The request body as sent.
    pub request: Value,
    /// The answer.
    pub response: RecordedResponse,
}

/// An answer: its status and body (JSON when it parsed, else the text).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Value,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    exchanges: Vec<Exchange>,
}

/// A cassette read for replay.
#[derive(Debug)]
pub struct Cassette {
    path: PathBuf,
    exchanges: Vec<Exchange>,
    used: Mutex<Vec<bool>>,
}

impl Cassette {
    /// Reads a cassette.
    pub fn load(path: &Path) -> Result<Cassette, LlmError> {
        let err = |message: String| LlmError::Cassette {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("cannot read the cassette: {e}")))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a crosscheck cassette: {e}")))?;
        if file.version != VERSION {
            return Err(err(format!(
                "cassette version {} is not known; this crosscheck reads version {VERSION}",
                file.version
            )));
        }
        let n = file.exchanges.len();
        Ok(Cassette {
            path: path.to_owned(),
            exchanges: file.exchanges,
            used: Mutex::new(vec![false; n]),
        })
    }

    /// The recorded answer to `request`: the first unused exchange with an equal body
    /// (the same request asked twice gets its answers in order), else the last used one.
    pub fn answer(&self, request: &Value) -> Result<RecordedResponse, LlmError> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        let mut last = None;
        for (i, e) in self.exchanges.iter().enumerate() {
            if &e.request == request {
                if !used[i] {
                    used[i] = true;
                    return Ok(e.response.clone());
                }
                last = Some(i);
            }
        }
        match last {
            Some(i) => Ok(self.exchanges[i].response.clone()),
            None => Err(LlmError::NotInCassette {
                cassette: self.path.display().to_string(),
                what: describe(request),
            }),
        }
    }
}

/// Exchanges collected while recording, written at the end.
#[derive(Debug, Default)]
pub struct Recorder {
    exchanges: Mutex<Vec<Exchange>>,
}

impl Recorder {
    pub(crate) fn push(&self, request: &Value, status: u16, body: &[u8]) {
        let body = serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        self.exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Exchange {
                request: request.clone(),
                response: RecordedResponse { status, body },
            });
    }

    /// Writes the cassette, exchanges sorted by request so that concurrency does not
    /// reorder the file between recordings.
    pub fn save(&self, path: &Path, note: Option<String>) -> Result<usize, LlmError> {
        let mut exchanges = self
            .exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        exchanges.sort_by_key(|e| e.request.to_string());
        let n = exchanges.len();
        let file = File {
            version: VERSION,
            note,
            exchanges,
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| LlmError::Cassette {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|e| LlmError::Cassette {
            path: path.to_owned(),
            message: format!("cannot write the cassette: {e}"),
        })?;
        Ok(n)
    }
}

/// A short description of a request for messages: the model, the response format and
/// the requirement it asks about.
fn describe(request: &Value) -> String {
    let model = request.get("model").and_then(Value::as_str).unwrap_or("?");
    let format = request
        .pointer("/response_format/type")
        .and_then(Value::as_str)
        .unwrap_or("text");
    let about = request
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .and_then(|c| c.lines().find(|l| l.starts_with("Requirement ")))
        .unwrap_or("")
        .chars()
        .take(60)
        .collect::<String>();
    format!("model `{model}`, response_format {format}, {about}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_unknown_requests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let rec = Recorder::default();
        let a =
            json!({"model": "m", "messages": [{"role": "user", "content": "Requirement R-1: x"}]});
        rec.push(&a, 200, br#"{"ok":1}"#);
        rec.push(&a, 200, b"second, not json");
        assert_eq!(rec.save(&path, None).unwrap(), 2);
        let c = Cassette::load(&path).unwrap();
        assert_eq!(c.answer(&a).unwrap().body, json!({"ok": 1}));
        assert_eq!(c.answer(&a).unwrap().body, json!("second, not json"));
        assert_eq!(c.answer(&a).unwrap().body, json!("second, not json"));
        let b = json!({"model": "other", "messages": [{"role": "user", "content": "Requirement R-2: y"}]});
        let e = c.answer(&b).unwrap_err().to_string();
        assert!(
            e.contains("model `other`, response_format text, Requirement R-2: y"),
            "{e}"
        );
    }
}
