//! Sending a scenario's request to the service and keeping what came back.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crosscheck_model::scenario::Request;

/// A request as sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentRequest {
    /// Method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers as sent by the scenario.
    pub headers: Vec<(String, String)>,
    /// Body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A response as received.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Received {
    /// Status code.
    pub status: u16,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// The body parsed, when it is JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
}

impl Received {
    /// A header by name, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request and what happened to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exchange {
    /// What was sent.
    pub request: SentRequest,
    /// What came back, if anything did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Received>,
    /// Why nothing came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Time from sending to the end of the body.
    pub duration_ms: f64,
    /// When it was sent: milliseconds after the scenario's stubs were installed (the
    /// clock of the doubles' `at_ms`).
    #[serde(default)]
    pub at_ms: f64,
    /// Values this step captured from the response for later steps, by name.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub captured: indexmap::IndexMap<String, Value>,
}

/// Sends `req` to `base_url` and waits at most `timeout`.
pub async fn send(
    client: &reqwest::Client,
    base_url: &str,
    req: &Request,
    timeout: Duration,
) -> Exchange {
    let mut url = format!("{}{}", base_url.trim_end_matches('/'), req.path.value);
    if !req.query.is_empty() {
        let pairs: Vec<String> = req
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&pairs.join("&"));
    }
    let method = req.method.value.to_ascii_uppercase();
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let body = match (&req.json, &req.body) {
        (Some(json), _) => {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
            }
            Some(json.to_string())
        }
        (None, Some(text)) => Some(text.clone()),
        (None, None) => None,
    };
    let sent = SentRequest {
        method: method.clone(),
        url: url.clone(),
        headers: headers.clone(),
        body: body.clone(),
    };
    let started = Instant::now();
    let result = async {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut builder = client.request(method, &url).timeout(timeout);
        for (k, v) in &headers {
            builder = builder.header(k, v);
        }
        if let Some(b) = body {
            builder = builder.body(b);
        }
        let resp = builder.send().await.map_err(|e| describe_error(&e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = resp.bytes().await.map_err(|e| describe_error(&e))?;
        let json = serde_json::from_slice(&bytes).ok();
        Ok::<_, String>(Received {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            json,
        })
    }
    .await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(r) => Exchange {
            request: sent,
            response: Some(r),
            error: None,
            duration_ms,
            at_ms: 0.0,
            captured: indexmap::IndexMap::new(),
        },
        Err(e) => Exchange {
            request: sent,
            response: None,
            error: Some(e),
            duration_ms,
            at_ms: 0.0,
            captured: indexmap::IndexMap::new(),
        },
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A client error in a person's words, with the root cause.
pub fn describe_error(e: &reqwest::Error) -> String {
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    let mut deepest = e.to_string();
    while let Some(c) = cause {
        deepest = c.to_string();
        cause = c.source();
    }
    if e.is_timeout() {
        "no response before the timeout".to_owned()
    } else if e.is_connect() {
        format!("could not connect ({deepest})")
    } else {
        format!("the request failed ({deepest})")
    }
}
