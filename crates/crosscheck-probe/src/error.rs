use std::path::PathBuf;

/// What went wrong while reading a side effect. Each message names the probe, what it
/// tried and why that failed; URLs have their passwords masked.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A log file exists but could not be read.
    #[error("failed to read log file {path}: {source}")]
    ReadLog {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be reached or a statement failed.
    #[error("sql probe on {url} could not {tried}: {reason}")]
    Sql {
        /// The database URL, password masked.
        url: String,
        /// What it tried: `connect`, or `run \`SELECT …\``.
        tried: String,
        /// Why it failed.
        reason: String,
    },
    /// The metrics endpoint could not be scraped or did not answer Prometheus text.
    #[error("metrics probe could not scrape {url}: {reason}")]
    Metrics {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// The broker could not be reached or a command failed.
    #[error("messages probe on {url} could not {tried}: {reason}")]
    Broker {
        /// The broker URL, password masked.
        url: String,
        /// What it tried.
        tried: String,
        /// Why.
        reason: String,
    },
}

/// An error and its sources, joined with `: `.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None if scheme.starts_with("redis") && !userinfo.is_empty() => {
                format!("{scheme}://***@{host}{tail}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(
            redact_url("redis://:pw@127.0.0.1:6379/"),
            "redis://:***@127.0.0.1:6379/"
        );
        assert_eq!(redact_url("sqlite:/tmp/x.db"), "sqlite:/tmp/x.db");
    }
}
