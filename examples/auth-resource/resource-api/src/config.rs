//! Configuration from the environment, validated once at start.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use hyper::Uri;

use crate::bugs::{Bug, UnknownBug};

/// The port used when `PORT` is unset.
const DEFAULT_PORT: u16 = 8080;
/// The `/validate` timeout used when `AUTH_TIMEOUT_MS` is unset.
const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_millis(1000);

/// Validated settings of one Resource API process.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Port on 127.0.0.1; 0 lets the OS choose.
    pub(crate) port: u16,
    /// Full URL of the Authorization Service's `/validate` endpoint.
    pub(crate) validate_url: Uri,
    /// JSON-lines audit file; `None` writes audit lines to stdout.
    pub(crate) audit_log: Option<PathBuf>,
    /// Bound on one `/validate` call: connect plus the whole response.
    pub(crate) auth_timeout: Duration,
    /// The seeded bug switched on, if any.
    pub(crate) bug: Option<Bug>,
    /// Where decisions are stored (`sqlite:<file>` or `postgres://…`); not stored when unset.
    pub(crate) database_url: Option<String>,
    /// The Redis broker access events go to; none published when unset.
    pub(crate) broker_url: Option<String>,
}

/// Why the environment does not make a valid configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigError {
    MissingAuthUrl,
    InvalidAuthUrl { value: String, reason: &'static str },
    InvalidPort(String),
    InvalidAuthTimeout(String),
    UnknownBug(UnknownBug),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingAuthUrl => f.write_str(
                "AUTH_URL is not set; set it to the base URL of the Authorization Service, \
                 e.g. AUTH_URL=http://127.0.0.1:9000",
            ),
            ConfigError::InvalidAuthUrl { value, reason } => {
                write!(f, "AUTH_URL `{value}` is not usable: {reason}")
            }
            ConfigError::InvalidPort(value) => {
                write!(f, "PORT `{value}` is not a port number (0-65535)")
            }
            ConfigError::InvalidAuthTimeout(value) => write!(
                f,
                "AUTH_TIMEOUT_MS `{value}` is not a positive number of milliseconds"
            ),
            ConfigError::UnknownBug(unknown) => write!(f, "RESOURCE_API_BUG: {unknown}"),
        }
    }
}

impl Config {
    /// Reads the configuration through `var`, which looks up one environment variable.
    ///
    /// Empty values count as unset.
    pub(crate) fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());

        let port = match var("PORT") {
            None => DEFAULT_PORT,
            Some(value) => value
                .trim()
                .parse()
                .map_err(|_| ConfigError::InvalidPort(value))?,
        };
        let auth_url = var("AUTH_URL").ok_or(ConfigError::MissingAuthUrl)?;
        let validate_url = validate_url(&auth_url)?;
        let audit_log = var("AUDIT_LOG").map(PathBuf::from);
        let auth_timeout = match var("AUTH_TIMEOUT_MS") {
            None => DEFAULT_AUTH_TIMEOUT,
            Some(value) => match value.trim().parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => return Err(ConfigError::InvalidAuthTimeout(value)),
            },
        };
        let bug = var("RESOURCE_API_BUG")
            .map(|name| name.trim().parse::<Bug>())
            .transpose()
            .map_err(ConfigError::UnknownBug)?;

        Ok(Config {
            port,
            validate_url,
            audit_log,
            auth_timeout,
            bug,
            database_url: var("DATABASE_URL").map(|v| v.trim().to_owned()),
            broker_url: var("BROKER_URL").map(|v| v.trim().to_owned()),
        })
    }

    /// Reads the configuration from the process environment.
    pub(crate) fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Whether the given seeded bug is switched on.
    pub(crate) fn has_bug(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }
}

/// `{AUTH_URL}/validate`, keeping any path prefix of the base URL.
fn validate_url(base: &str) -> Result<Uri, ConfigError> {
    let invalid = |reason| ConfigError::InvalidAuthUrl {
        value: base.to_owned(),
        reason,
    };
    let base = base.trim();
    let uri: Uri = base
        .parse()
        .map_err(|_| invalid("not a URL, expected e.g. http://127.0.0.1:9000"))?;
    if uri.scheme_str() != Some("http") {
        return Err(invalid("only http:// URLs are supported"));
    }
    if uri.authority().is_none() {
        return Err(invalid("it has no host"));
    }
    if uri.query().is_some() {
        return Err(invalid("it must not have a query string"));
    }
    format!("{}/validate", base.trim_end_matches('/'))
        .parse()
        .map_err(|_| invalid("appending /validate does not make a URL"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_only_auth_url_is_set() {
        let config = config(&[("AUTH_URL", "http://127.0.0.1:9000")]).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.validate_url, "http://127.0.0.1:9000/validate");
        assert_eq!(config.audit_log, None);
        assert_eq!(config.auth_timeout, Duration::from_millis(1000));
        assert_eq!(config.bug, None);
    }

    #[test]
    fn every_variable_is_read() {
        let config = config(&[
            ("PORT", "0"),
            ("AUTH_URL", "http://localhost:9000/auth/"),
            ("AUDIT_LOG", "/tmp/audit.jsonl"),
            ("AUTH_TIMEOUT_MS", "250"),
            ("RESOURCE_API_BUG", "no_timeout"),
        ])
        .unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.validate_url, "http://localhost:9000/auth/validate");
        assert_eq!(config.audit_log, Some(PathBuf::from("/tmp/audit.jsonl")));
        assert_eq!(config.auth_timeout, Duration::from_millis(250));
        assert_eq!(config.bug, Some(Bug::NoTimeout));
    }

    #[test]
    fn missing_or_empty_auth_url_is_an_error() {
        assert_eq!(config(&[]).unwrap_err(), ConfigError::MissingAuthUrl);
        assert_eq!(
            config(&[("AUTH_URL", " ")]).unwrap_err(),
            ConfigError::MissingAuthUrl
        );
    }

    #[test]
    fn unusable_values_are_errors() {
        for (name, value) in [
            ("AUTH_URL", "127.0.0.1:9000"),
            ("AUTH_URL", "https://auth.example"),
            ("AUTH_URL", "http://auth.example/?x=1"),
            ("PORT", "70000"),
            ("PORT", "http"),
            ("AUTH_TIMEOUT_MS", "0"),
            ("AUTH_TIMEOUT_MS", "-5"),
            ("RESOURCE_API_BUG", "nope"),
        ] {
            let mut vars = vec![("AUTH_URL", "http://127.0.0.1:9000")];
            vars.push((name, value));
            assert!(config(&vars).is_err(), "{name}={value} was accepted");
        }
    }
}
