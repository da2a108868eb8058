//! `llm:` in the system map: the OpenAI-compatible chat completions endpoint that
//! `crosscheck generate --llm` asks for scenarios the rules missed.
//!
//! The API key is never part of the file: `api_key_env` names the environment variable
//! that holds it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::duration::Span;

/// How to reach the model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// The API's base URL; requests go to `<base_url>/chat/completions`, e.g.
    /// `http://127.0.0.1:8080/v1` (llama.cpp server) or `https://api.openai.com/v1`.
    pub base_url: String,
    /// The model name sent with every request.
    pub model: String,
    /// The NAME of the environment variable holding the API key (never the key itself).
    /// No key is sent when absent (local servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// The header that carries the key: `Authorization` (sent as `Bearer <key>`, the
    /// default) or another name such as Azure OpenAI's `api-key` (sent as the bare key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_header: Option<String>,
    /// Query parameters added to every request, e.g. `{ api-version: "2024-10-21" }`
    /// for Azure OpenAI.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    /// How long one request may take, connect to last byte. Default 120s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Span>,
    /// Retries after a 429, a 5xx, a timeout or a lost connection. Default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// The longest single wait between retries, even when `Retry-After` asks for more
    /// (then the request fails with that reason). Default 30s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait: Option<Span>,
    /// The most tokens one answer may use (`max_tokens` in each request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// The most tokens (prompt plus answers, as the server's `usage` reports them) the
    /// whole run may use; no new request is sent once it is spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_budget: Option<u64>,
    /// How many requests may be in flight at once. Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// Sampling temperature. Default 0 (as repeatable as the server allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}
