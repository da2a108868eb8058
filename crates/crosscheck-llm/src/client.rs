//! An OpenAI-compatible chat completions client: one POST per request, bounded by a
//! timeout; retries with backoff after 429, 5xx, timeouts and lost connections
//! (honouring `Retry-After`); a token budget for the run; record and replay.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::cassette::{Cassette, Recorder};
use crate::error::LlmError;
use crate::retry;
use crate::settings::Settings;

/// Where answers come from.
#[derive(Debug)]
pub enum Mode {
    /// The server at `base_url`.
    Live,
    /// The server, and every settled exchange kept for a cassette.
    Record(Recorder),
    /// A cassette; no network.
    Replay(Cassette),
}

/// The assistant's message and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// `choices[0].message.content`.
    pub content: String,
    /// `choices[0].finish_reason` (`length` when cut off by `max_tokens`).
    pub finish_reason: Option<String>,
    /// `usage.total_tokens` (or prompt plus completion tokens).
    pub tokens: u64,
}

/// The client. Shared by every request of a run.
#[derive(Debug)]
pub struct Client {
    settings: Settings,
    http: reqwest::Client,
    mode: Mode,
    used: AtomicU64,
    retried: AtomicU32,
}

impl Client {
    /// A client for `settings`, answering from `mode`.
    pub fn new(settings: Settings, mode: Mode) -> Result<Client, LlmError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Config {
                key: "base_url",
                message: format!("cannot build an HTTP client: {e}"),
            })?;
        Ok(Client {
            settings,
            http,
            mode,
            used: AtomicU64::new(0),
            retried: AtomicU32::new(0),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Tokens used so far.
    pub fn tokens_used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Requests that were retried at least once.
    pub fn retried(&self) -> u32 {
        self.retried.load(Ordering::Relaxed)
    }

    /// The recorder, when recording.
    pub fn recorder(&self) -> Option<&Recorder> {
        match &self.mode {
            Mode::Record(r) => Some(r),
            _ => None,
        }
    }

    /// Whether answers come from a cassette.
    pub fn replaying(&self) -> bool {
        matches!(self.mode, Mode::Replay(_))
    }

    /// Sends one chat completions request (`body` is the whole JSON body) and returns
    /// the assistant's message.
    pub async fn complete(&self, body: &Value) -> Result<Completion, LlmError> {
        if let Some(budget) = self.settings.token_budget {
            let used = self.tokens_used();
            if used >= budget {
                return Err(LlmError::Budget { used, budget });
            }
        }
        let (status, bytes) = match &self.mode {
            Mode::Replay(c) => {
                let r = c.answer(body)?;
                let bytes = match &r.body {
                    Value::String(s) => s.clone().into_bytes(),
                    other => other.to_string().into_bytes(),
                };
                (r.status, bytes)
            }
            Mode::Live | Mode::Record(_) => {
                let (status, bytes) = self.send_with_retries(body).await?;
                if let Mode::Record(r) = &self.mode {
                    r.push(body, status, &bytes);
                }
                (status, bytes)
            }
        };
        if !(200..300).contains(&status) {
            return Err(LlmError::Refused {
                status,
                message: self.scrub(error_message(&bytes)),
            });
        }
        let completion = parse_completion(&bytes)?;
        self.used.fetch_add(completion.tokens, Ordering::Relaxed);
        Ok(completion)
    }

    /// A server's message with the key taken out, should the server echo it.
    fn scrub(&self, message: String) -> String {
        match &self.settings.api_key {
            Some(k) if !k.expose().is_empty() => message.replace(k.expose(), "[redacted]"),
            _ => message,
        }
    }

    /// POSTs until a settled answer (2xx, or a 4xx other than 408/429) or the retries
    /// run out.
    async fn send_with_retries(&self, body: &Value) -> Result<(u16, Vec<u8>), LlmError> {
        let url = self.settings.endpoint();
        let attempts = self.settings.retries + 1;
        let mut last_reason = String::new();
        for attempt in 0..attempts {
            if attempt == 1 {
                self.retried.fetch_add(1, Ordering::Relaxed);
            }
            let mut req = self.http.post(&url).json(body);
            if !self.settings.query.is_empty() {
                req = req.query(&self.settings.query);
            }
            if let Some(key) = &self.settings.api_key {
                let value = if self
                    .settings
                    .api_key_header
                    .eq_ignore_ascii_case("authorization")
                {
                    format!("Bearer {}", key.expose())
                } else {
                    key.expose().to_owned()
                };
                req = req.header(self.settings.api_key_header.as_str(), value);
            }
            let wait = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry::retry_after(v, SystemTime::now()));
                    match resp.bytes().await {
                        Ok(bytes) if !retry::transient(status) => {
                            return Ok((status, bytes.to_vec()));
                        }
                        Ok(bytes) => {
                            last_reason = format!("{status} {}", self.scrub(error_message(&bytes)));
                            if let Some(a) = after
                                && a > self.settings.max_wait
                            {
                                return Err(LlmError::Unavailable {
                                    url,
                                    attempts: attempt + 1,
                                    reason: format!(
                                        "{last_reason}; the server asked to wait {} (Retry-After), longer than `llm.max_wait` ({})",
                                        secs(a),
                                        secs(self.settings.max_wait)
                                    ),
                                });
                            }
                            if after.is_some() {
                                last_reason.push_str(" (Retry-After honoured)");
                            }
                            after.unwrap_or_else(|| retry::backoff(attempt, self.settings.max_wait))
                        }
                        Err(e) => {
                            last_reason = describe_reqwest(&e, self.settings.timeout);
                            retry::backoff(attempt, self.settings.max_wait)
                        }
                    }
                }
                Err(e) => {
                    last_reason = describe_reqwest(&e, self.settings.timeout);
                    retry::backoff(attempt, self.settings.max_wait)
                }
            };
            tracing::debug!(attempt, ?wait, reason = %last_reason, "llm request will be retried");
            if attempt + 1 < attempts {
                tokio::time::sleep(wait).await;
            }
        }
        Err(LlmError::Unavailable {
            url,
            attempts,
            reason: last_reason,
        })
    }
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.0} s", d.as_secs_f64().ceil())
    }
}

/// A reqwest error in words, without the URL's query (which may hold settings).
fn describe_reqwest(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("no answer within {} (`llm.timeout`)", secs(timeout))
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the connection was lost while reading the answer".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// The message of an OpenAI-style error body (`{"error": {"message": …}}`), else the
/// body's start.
fn error_message(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let from_json = serde_json::from_slice::<Value>(bytes).ok().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("error"))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("detail"))
            .map(|m| match m {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    });
    let msg = from_json.unwrap_or_else(|| text.trim().to_owned());
    let short: String = msg.chars().take(300).collect();
    if short.is_empty() {
        "(empty body)".to_owned()
    } else {
        short
    }
}

fn parse_completion(bytes: &[u8]) -> Result<Completion, LlmError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        LlmError::Protocol(format!(
            "the body is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
        ))
    })?;
    let choice = v
        .pointer("/choices/0")
        .ok_or_else(|| LlmError::Protocol("it has no `choices[0]`".into()))?;
    let message = choice
        .get("message")
        .ok_or_else(|| LlmError::Protocol("`choices[0]` has no `message`".into()))?;
    let content = match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => message
            .get("refusal")
            .and_then(Value::as_str)
            .map(|r| format!("(refused: {r})"))
            .unwrap_or_default(),
        Some(other) => other.to_string(),
    };
    let usage = v.get("usage");
    let tokens = usage
        .and_then(|u| u.get("total_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or_else(|| {
            let n = |k: &str| {
                usage
                    .and_then(|u| u.get(k))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            n("prompt_tokens") + n("completion_tokens")
        });
    Ok(Completion {
        content,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_and_error_bodies() {
        let c = parse_completion(br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#).unwrap();
        assert_eq!((c.content.as_str(), c.tokens), ("hi", 7));
        assert!(parse_completion(b"<html>").is_err());
        assert!(parse_completion(br#"{"choices":[]}"#).is_err());
        assert_eq!(
            error_message(br#"{"error":{"message":"'response_format' is not supported","type":"invalid_request_error"}}"#),
            "'response_format' is not supported"
        );
        assert_eq!(error_message(b""), "(empty body)");
    }
}
