//! Prometheus text exposition (version 0.0.4): a small parser, a scrape over HTTP, and
//! lookups by sample name and labels.
//!
//! Only what assertions need is kept: each sample's name, labels and value. `# HELP` and
//! `# TYPE` lines are read for their type, so a histogram's `_count` and `_sum` samples
//! can be told apart from a counter; timestamps after the value are accepted and dropped.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{ProbeError, redact_url};

/// One sample: `name{labels} value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The sample's name, e.g. `decisions_total` or `auth_call_seconds_count`.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its value (`NaN`, `+Inf`, `-Inf` included).
    pub value: f64,
}

/// Every sample of one scrape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scrape {
    /// The samples in the order the endpoint wrote them.
    pub samples: Vec<Sample>,
}

impl Scrape {
    /// The sum of the samples named `name` whose labels include every pair in `labels`;
    /// `None` when no sample matches.
    pub fn value(&self, name: &str, labels: &[(String, String)]) -> Option<f64> {
        let mut hit = None;
        for s in &self.samples {
            if s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(k).is_some_and(|have| have == v))
            {
                *hit.get_or_insert(0.0) += s.value;
            }
        }
        hit
    }

    /// The samples named `name`, rendered as exposition lines, for messages.
    pub fn lines_named(&self, name: &str) -> Vec<String> {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .map(render)
            .collect()
    }
}

/// A sample as one exposition line.
pub fn render(s: &Sample) -> String {
    if s.labels.is_empty() {
        format!("{} {}", s.name, s.value)
    } else {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        format!("{}{{{}}} {}", s.name, labels.join(","), s.value)
    }
}

/// Why a text is not Prometheus exposition.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}: {text}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
    /// The line, cut to 80 characters.
    pub text: String,
}

/// Parses the text exposition format.
pub fn parse(text: &str) -> Result<Scrape, ParseError> {
    let mut samples = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |reason: &str| ParseError {
            line: i + 1,
            reason: reason.to_owned(),
            text: line.chars().take(80).collect(),
        };
        let name_end = line
            .find(|c: char| c == '{' || c.is_whitespace())
            .ok_or_else(|| err("a sample needs a value after its name"))?;
        let name = &line[..name_end];
        if !valid_name(name) {
            return Err(err("not a metric name"));
        }
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(after) = rest.strip_prefix('{') {
            let (parsed, tail) = parse_labels(after).map_err(|r| err(&r))?;
            labels = parsed;
            rest = tail;
        }
        let mut fields = rest.split_whitespace();
        let value = fields
            .next()
            .ok_or_else(|| err("a sample needs a value after its name"))?;
        let value = parse_value(value).ok_or_else(|| err("the value is not a number"))?;
        if let Some(ts) = fields.next()
            && ts.parse::<i64>().is_err()
        {
            return Err(err("the timestamp is not an integer"));
        }
        if fields.next().is_some() {
            return Err(err("unexpected text after the value"));
        }
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    Ok(Scrape { samples })
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Parses `k="v",k2="v2"}` and returns the labels and the text after `}`.
fn parse_labels(mut s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    loop {
        s = s.trim_start();
        if let Some(tail) = s.strip_prefix('}') {
            return Ok((labels, tail));
        }
        let eq = s.find('=').ok_or("a label needs `=\"value\"`")?;
        let key = s[..eq].trim();
        if !valid_name(key) {
            return Err(format!("`{key}` is not a label name"));
        }
        s = s[eq + 1..].trim_start();
        s = s.strip_prefix('"').ok_or("a label value must be quoted")?;
        let mut value = String::new();
        let mut chars = s.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("a label value is not closed".to_owned()),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c)) => value.push(c),
                    None => return Err("a label value is not closed".to_owned()),
                },
                Some((_, c)) => value.push(c),
            }
        };
        labels.insert(key.to_owned(), value);
        s = s[end + 1..].trim_start();
        if let Some(tail) = s.strip_prefix(',') {
            s = tail;
        } else if !s.starts_with('}') {
            return Err("labels must be separated by `,` and closed by `}`".to_owned());
        }
    }
}

/// Scrapes a metrics endpoint.
#[derive(Clone, Debug)]
pub struct MetricsProbe {
    /// What is requested.
    target: String,
    /// The URL with any password masked, for messages.
    url: String,
    client: reqwest::Client,
}

impl MetricsProbe {
    /// A probe on `url` (e.g. `http://127.0.0.1:8080/metrics`).
    pub fn new(url: impl Into<String>) -> Result<Self, ProbeError> {
        let target = url.into();
        let url = redact_url(&target);
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ProbeError::Metrics {
                url: url.clone(),
                reason: format!("cannot build an HTTP client: {e}"),
            })?;
        Ok(MetricsProbe {
            target,
            url,
            client,
        })
    }

    /// The URL scraped, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Fetches and parses the endpoint once.
    pub async fn scrape(&self) -> Result<Scrape, ProbeError> {
        let fail = |reason: String| ProbeError::Metrics {
            url: self.url.clone(),
            reason,
        };
        let resp = self
            .client
            .get(&self.target)
            .send()
            .await
            .map_err(|e| fail(format!("the request failed: {}", crate::error::chain(&e))))?;
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp
            .text()
            .await
            .map_err(|e| fail(format!("reading the body failed: {e}")))?;
        if !status.is_success() {
            return Err(fail(format!(
                "it answered {status}: {}",
                body.chars().take(120).collect::<String>()
            )));
        }
        if content_type.contains("html") || body.trim_start().starts_with('<') {
            return Err(fail(format!(
                "it answered HTML ({}), not Prometheus text exposition: {}",
                if content_type.is_empty() {
                    "no content type"
                } else {
                    &content_type
                },
                body.chars().take(80).collect::<String>()
            )));
        }
        parse(&body).map_err(|e| fail(format!("the answer is not Prometheus text exposition: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# HELP decisions_total Access decisions.
# TYPE decisions_total counter
decisions_total{decision="grant"} 3
decisions_total{decision="deny"} 1 1700000000000
# TYPE auth_call_seconds histogram
auth_call_seconds_bucket{le="0.005"} 2
auth_call_seconds_bucket{le="+Inf"} 4
auth_call_seconds_sum 0.0123
auth_call_seconds_count 4
up 1
weird{path="a\"b\\c",x="y"} NaN
"#;

    #[test]
    fn parses_counters_histograms_and_escapes() {
        let s = parse(TEXT).unwrap();
        assert_eq!(s.samples.len(), 8);
        let grant = [("decision".to_owned(), "grant".to_owned())];
        assert_eq!(s.value("decisions_total", &grant), Some(3.0));
        assert_eq!(s.value("decisions_total", &[]), Some(4.0));
        assert_eq!(s.value("auth_call_seconds_count", &[]), Some(4.0));
        let inf = [("le".to_owned(), "+Inf".to_owned())];
        assert_eq!(s.value("auth_call_seconds_bucket", &inf), Some(4.0));
        assert_eq!(s.value("missing", &[]), None);
        let weird = &s.samples[7];
        assert_eq!(weird.labels["path"], "a\"b\\c");
        assert!(weird.value.is_nan());
    }

    #[test]
    fn rejects_what_is_not_exposition() {
        for (text, reason) in [
            ("<html><body>hi</body></html>", "a sample needs a value"),
            ("<p> 1", "not a metric name"),
            ("up", "a sample needs a value"),
            ("up one", "not a number"),
            ("up{a=b} 1", "must be quoted"),
            ("up{a=\"b} 1", "not closed"),
            ("up 1 2 3", "unexpected text"),
            ("up 1 soon", "timestamp"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.reason.contains(reason), "{text}: {e}");
            assert_eq!(e.line, 1);
        }
    }
}
