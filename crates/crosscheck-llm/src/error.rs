//! What can go wrong talking to the model, as typed errors. No message ever holds the
//! API key: it lives only in the request's header.

use std::path::PathBuf;

/// A failure of the LLM path.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// `api_key_env` names a variable that is not set.
    #[error("the environment variable `{0}` (named by `llm.api_key_env`) is not set")]
    MissingKey(String),
    /// A setting is unusable.
    #[error("`llm.{key}`: {message}")]
    Config { key: &'static str, message: String },
    /// The server refused the request for good (a 4xx other than 429).
    #[error("the server refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// No usable answer after every retry.
    #[error("no answer from {url} after {attempts} attempt(s): {reason}")]
    Unavailable {
        url: String,
        attempts: u32,
        reason: String,
    },
    /// The answer is not a chat completion.
    #[error("the answer is not a chat completion: {0}")]
    Protocol(String),
    /// The run's token budget is spent.
    #[error("the token budget of {budget} is spent ({used} used)")]
    Budget { used: u64, budget: u64 },
    /// Replay met a request the cassette does not hold.
    #[error(
        "{cassette}: the cassette holds no answer for this request ({what}); the prompt, the model or the settings changed since it was recorded"
    )]
    NotInCassette { cassette: String, what: String },
    /// A cassette file cannot be read or written.
    #[error("{path}: {message}")]
    Cassette { path: PathBuf, message: String },
}

impl LlmError {
    /// Whether the fix is in a file or a flag (exit 2) rather than the environment
    /// (exit 3).
    pub fn is_bad_input(&self) -> bool {
        match self {
            LlmError::MissingKey(_)
            | LlmError::Config { .. }
            | LlmError::NotInCassette { .. }
            | LlmError::Cassette { .. } => true,
            LlmError::Refused { status, .. } => (400..500).contains(status),
            _ => false,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            LlmError::MissingKey(var) => format!(
                "export {var}=… in the shell that runs crosscheck (the key is read from there and never written anywhere), or remove `api_key_env` for a server that needs no key"
            ),
            LlmError::Config { .. } => "fix the setting under `llm:` in crosscheck.yaml (docs/llm.md lists them)".into(),
            LlmError::Refused { status: 401 | 403, .. } => {
                "the server did not accept the API key: check the variable named by `llm.api_key_env` (and `llm.api_key_header`: Azure OpenAI wants `api-key`)".into()
            }
            LlmError::Refused { status: 404, .. } => {
                "check `llm.base_url` (requests go to `<base_url>/chat/completions`) and `llm.model`".into()
            }
            LlmError::Refused { .. } => "check `llm.model` and the server's logs; docs/llm.md has settings for common servers".into(),
            LlmError::Unavailable { .. } => {
                "check that the server is up at `llm.base_url`; raise `llm.timeout` or `llm.retries` for a slow one".into()
            }
            LlmError::Protocol(_) => "point `llm.base_url` at an OpenAI-compatible API (it usually ends in `/v1`)".into(),
            LlmError::Budget { .. } => "raise `llm.token_budget` to ask about the remaining requirements".into(),
            LlmError::NotInCassette { .. } => {
                "record the cassette again with `--llm-record FILE` against a live server".into()
            }
            LlmError::Cassette { .. } => {
                "pass a cassette written by `crosscheck generate --llm-record FILE`".into()
            }
        }
    }
}
