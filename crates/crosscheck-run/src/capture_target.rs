//! Reading a capture's value out of an exchange (body by JSONPath or pointer, a header,
//! the status), and turning a captured URL back into a path below the service's base.

use reqwest::Url;
use serde_json::Value;

use crosscheck_model::capture::{Source, SourceKind};

use crate::http::{Exchange, Received};
use crate::redact::{MASK, is_secret_header};

/// How much of a body a failure message quotes.
const BODY_CHARS: usize = 300;

/// The value `source` names in `ex`, or what a person needs to see why there is none.
pub(crate) fn value(source: &Source, ex: &Exchange) -> Result<Value, String> {
    let Some(resp) = &ex.response else {
        return Err(format!(
            "nothing to capture {source} from: no response came back"
        ));
    };
    match source.kind() {
        SourceKind::Status => Ok(Value::from(resp.status)),
        SourceKind::Header(name) => header(name, resp, &ex.request.url),
        SourceKind::Json(path) => {
            let doc = json(source, resp)?;
            found(source, path.select(doc), resp)
        }
        SourceKind::Pointer(pointer) => {
            let doc = json(source, resp)?;
            found(source, doc.pointer(pointer).cloned(), resp)
        }
    }
}

fn json<'r>(source: &Source, resp: &'r Received) -> Result<&'r Value, String> {
    resp.json.as_ref().ok_or_else(|| {
        format!(
            "cannot capture {source}: the response body is not JSON: {}",
            quote(&resp.body)
        )
    })
}

fn found(source: &Source, v: Option<Value>, resp: &Received) -> Result<Value, String> {
    match v {
        Some(value) if !value.is_null() => Ok(value),
        other => Err(format!(
            "{source} {} in the response body {}",
            if other.is_some() {
                "is null"
            } else {
                "selects nothing"
            },
            quote(&resp.body)
        )),
    }
}

/// A header's value; `Location` and `Content-Location` resolved against `url`, the
/// request's URL, so the value is an absolute URL a later step can use as its path.
fn header(name: &str, resp: &Received, url: &str) -> Result<Value, String> {
    let Some(v) = resp.header(name) else {
        return Err(format!(
            "the response has no `{name}` header; {}",
            present(resp)
        ));
    };
    if name.eq_ignore_ascii_case("location") || name.eq_ignore_ascii_case("content-location") {
        let resolved = Url::parse(url)
            .and_then(|base| base.join(v))
            .map_err(|e| format!("the `{name}` header `{v}` is not a URL reference: {e}"))?;
        return Ok(Value::String(resolved.to_string()));
    }
    Ok(Value::String(v.to_owned()))
}

/// The headers a response has, secret values masked.
fn present(resp: &Received) -> String {
    if resp.headers.is_empty() {
        return "it has no headers".to_owned();
    }
    let list: Vec<String> = resp
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if is_secret_header(k) {
                MASK
            } else {
                v.as_str()
            };
            format!("{k}: {v}")
        })
        .collect();
    format!("it has: {}", list.join(", "))
}

/// `path` (a request path after substitution) as a path below `base_url`: as it is when
/// it starts with `/`; an absolute URL on the service's origin and under its base path
/// made relative to it. Anything else is an error saying what it became.
pub(crate) fn below_base(base_url: &str, path: &str) -> Result<String, String> {
    let lower = path.get(..8).unwrap_or(path).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return if path.starts_with('/') {
            Ok(path.to_owned())
        } else {
            Err(format!(
                "`{path}`, which is neither a path starting with `/` nor an absolute URL of the service under test"
            ))
        };
    }
    let url = Url::parse(path).map_err(|e| format!("`{path}`, which is not a URL: {e}"))?;
    let base = Url::parse(base_url)
        .map_err(|e| format!("`{path}`, but the service's URL `{base_url}` is not a URL: {e}"))?;
    if url.origin() != base.origin() {
        return Err(format!(
            "`{path}`, on another origin than the service under test ({}); crosscheck sends requests only to the service under test",
            base.origin().ascii_serialization()
        ));
    }
    let prefix = base.path().trim_end_matches('/');
    let rest = url
        .path()
        .strip_prefix(prefix)
        .filter(|r| r.is_empty() || r.starts_with('/'))
        .ok_or_else(|| format!("`{path}`, outside the service's base URL `{base_url}`"))?;
    let mut out = if rest.is_empty() {
        "/".to_owned()
    } else {
        rest.to_owned()
    };
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

fn quote(body: &str) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let mut cut: String = body.chars().take(BODY_CHARS).collect();
    if cut.len() < body.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::SentRequest;

    fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: "POST".into(),
                url: "http://127.0.0.1:8080/api/things".into(),
                headers: Vec::new(),
                body: None,
            },
            response: Some(Received {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                body: body.into(),
                json: serde_json::from_str(body).ok(),
            }),
            error: None,
            duration_ms: 1.0,
            at_ms: 0.0,
            captured: indexmap::IndexMap::new(),
        }
    }

    fn take(expr: &str, ex: &Exchange) -> Result<Value, String> {
        value(&Source::parse(expr).unwrap(), ex)
    }

    #[test]
    fn reads_headers_case_insensitively_and_resolves_locations() {
        let ex = exchange(
            201,
            &[("location", "7"), ("etag", "\"v1\"")],
            r#"{"metadata": {"name": "web"}}"#,
        );
        assert_eq!(
            take("$response.header.Location", &ex).unwrap(),
            "http://127.0.0.1:8080/api/7"
        );
        assert_eq!(take("$response.header.ETAG", &ex).unwrap(), "\"v1\"");
        assert_eq!(take("$statusCode", &ex).unwrap(), 201);
        assert_eq!(take("$response.body#/metadata/name", &ex).unwrap(), "web");
        assert_eq!(take("$.metadata.name", &ex).unwrap(), "web");
        let ex = exchange(201, &[("Location", "/api/things/7")], "");
        assert_eq!(
            take("$response.header.location", &ex).unwrap(),
            "http://127.0.0.1:8080/api/things/7"
        );
        let ex = exchange(201, &[("Location", "https://elsewhere.example/t/7")], "");
        assert_eq!(
            take("$response.header.Location", &ex).unwrap(),
            "https://elsewhere.example/t/7"
        );
    }

    #[test]
    fn a_missing_header_lists_those_present_with_secrets_masked() {
        let ex = exchange(
            201,
            &[
                ("content-type", "application/json"),
                ("set-cookie", "session=s3cret-value"),
            ],
            "{}",
        );
        assert_eq!(
            take("$response.header.Location", &ex).unwrap_err(),
            "the response has no `Location` header; it has: content-type: application/json, set-cookie: ***"
        );
        let ex = exchange(201, &[], "{}");
        assert_eq!(
            take("$response.header.Location", &ex).unwrap_err(),
            "the response has no `Location` header; it has no headers"
        );
        assert_eq!(
            take("$response.body#/id", &ex).unwrap_err(),
            "$response.body#/id selects nothing in the response body {}"
        );
    }

    #[test]
    fn captured_urls_become_paths_below_the_base() {
        let base = "http://127.0.0.1:8080/api";
        assert_eq!(below_base(base, "/things/7").unwrap(), "/things/7");
        assert_eq!(
            below_base(base, "http://127.0.0.1:8080/api/things/7?x=1#f").unwrap(),
            "/things/7?x=1"
        );
        assert_eq!(
            below_base("http://127.0.0.1:8080", "HTTP://127.0.0.1:8080/t").unwrap(),
            "/t"
        );
        assert_eq!(
            below_base(base, "http://localhost:8080/api/things/7").unwrap_err(),
            "`http://localhost:8080/api/things/7`, on another origin than the service under test (http://127.0.0.1:8080); crosscheck sends requests only to the service under test"
        );
        assert_eq!(
            below_base(base, "http://127.0.0.1:8080/apix/7").unwrap_err(),
            "`http://127.0.0.1:8080/apix/7`, outside the service's base URL `http://127.0.0.1:8080/api`"
        );
        assert!(
            below_base(base, "things/7")
                .unwrap_err()
                .contains("neither a path")
        );
    }
}
