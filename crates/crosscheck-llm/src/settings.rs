//! `llm:` from the system map, resolved: defaults filled in, the key read from the
//! environment variable the map names.

use std::fmt;
use std::time::Duration;

use crosscheck_model::llm::LlmConfig;

use crate::error::LlmError;

/// The API key. Its `Debug` never shows it, so it cannot leak through a log or error.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a key.
    pub fn new(key: String) -> Self {
        Secret(key)
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the client needs, defaults applied.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `<base_url>/chat/completions`, without a trailing slash before it.
    pub base_url: String,
    /// The model name.
    pub model: String,
    /// The key, when one is needed.
    pub api_key: Option<Secret>,
    /// The header that carries it.
    pub api_key_header: String,
    /// Extra query parameters.
    pub query: Vec<(String, String)>,
    /// The bound on one request.
    pub timeout: Duration,
    /// Retries after a transient failure.
    pub retries: u32,
    /// The longest single wait between retries.
    pub max_wait: Duration,
    /// `max_tokens` per answer.
    pub max_tokens: Option<u32>,
    /// Tokens the whole run may use.
    pub token_budget: Option<u64>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Sampling temperature.
    pub temperature: f32,
}

impl Settings {
    /// Resolves the map's `llm:`; `env` reads an environment variable (the process's in
    /// the binary, a table in tests).
    pub fn resolve(
        config: &LlmConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, LlmError> {
        let base = config.base_url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LlmError::Config {
                key: "base_url",
                message: format!("`{base}` is not an http:// or https:// URL"),
            });
        }
        if config.model.trim().is_empty() {
            return Err(LlmError::Config {
                key: "model",
                message: "the model name is empty".into(),
            });
        }
        let api_key = match &config.api_key_env {
            None => None,
            Some(var) => match env(var) {
                Some(v) if !v.trim().is_empty() => Some(Secret(v.trim().to_owned())),
                _ => return Err(LlmError::MissingKey(var.clone())),
            },
        };
        let concurrency = config.concurrency.unwrap_or(2).clamp(1, 64) as usize;
        Ok(Settings {
            base_url: base.to_owned(),
            model: config.model.trim().to_owned(),
            api_key,
            api_key_header: config
                .api_key_header
                .clone()
                .unwrap_or_else(|| "Authorization".into()),
            query: config
                .query
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            timeout: config.timeout.map_or(Duration::from_secs(120), |s| s.get()),
            retries: config.retries.unwrap_or(3).min(10),
            max_wait: config.max_wait.map_or(Duration::from_secs(30), |s| s.get()),
            max_tokens: config.max_tokens,
            token_budget: config.token_budget,
            concurrency,
            temperature: config.temperature.unwrap_or(0.0),
        })
    }

    /// Where chat completions are posted.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> LlmConfig {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn defaults_and_key_from_the_named_variable() {
        let c = config("base_url: http://127.0.0.1:8080/v1/\nmodel: m\napi_key_env: MY_KEY\n");
        let s = Settings::resolve(&c, |v| (v == "MY_KEY").then(|| "sk-secret".into())).unwrap();
        assert_eq!(s.endpoint(), "http://127.0.0.1:8080/v1/chat/completions");
        assert_eq!(s.retries, 3);
        assert_eq!(s.concurrency, 2);
        assert_eq!(s.api_key_header, "Authorization");
        assert!(!format!("{s:?}").contains("sk-secret"));
    }

    #[test]
    fn a_missing_variable_is_named_and_the_url_checked() {
        let c = config("base_url: http://x/v1\nmodel: m\napi_key_env: NOPE\n");
        let e = Settings::resolve(&c, |_| None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the environment variable `NOPE` (named by `llm.api_key_env`) is not set"
        );
        let c = config("base_url: 127.0.0.1:8080\nmodel: m\n");
        let e = Settings::resolve(&c, |_| None).unwrap_err();
        assert!(e.to_string().contains("not an http://"), "{e}");
    }
}
