//! Turning a stub's reply into bytes: an HTTP response, or the head and part of one.

use bytes::Bytes;
use crosscheck_model::scenario::Reply;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde_json::json;

/// A reply ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
}

/// The body a truncated reply is cut from when the stub gives none.
const TRUNCATE_FILLER: &str =
    r#"{"message":"this body is cut short on purpose by a truncate fault"}"#;

impl Rendered {
    /// Renders a stub's reply; no reply means 200 with an empty body.
    pub(crate) fn from_reply(reply: Option<&Reply>) -> Self {
        let Some(reply) = reply else {
            return Rendered {
                status: StatusCode::OK,
                headers: Vec::new(),
                body: Bytes::new(),
            };
        };
        let Ok(status) = StatusCode::from_u16(reply.status) else {
            return Self::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({
                    "error": format!("the stub's reply status {} is not a valid HTTP status", reply.status)
                }),
            );
        };
        let mut headers = Vec::new();
        for (name, value) in &reply.headers {
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                tracing::warn!(header = %name, "skipping a reply header that is not valid HTTP");
                continue;
            };
            // The server frames the body itself; a stub that wants a broken frame
            // uses the `truncate` fault.
            if n == CONTENT_LENGTH || n == TRANSFER_ENCODING {
                tracing::debug!(header = %name, "ignoring a framing header in a stub reply");
                continue;
            }
            headers.push((n, v));
        }
        let (body, default_type) = if let Some(v) = &reply.json {
            (Bytes::from(v.to_string()), Some("application/json"))
        } else if let Some(text) = &reply.body {
            (Bytes::from(text.clone()), Some("text/plain; charset=utf-8"))
        } else {
            (Bytes::new(), None)
        };
        let mut out = Rendered {
            status,
            headers,
            body,
        };
        if let Some(t) = default_type {
            out.default_content_type(t);
        }
        out
    }

    /// Fills `{{request.…}}` placeholders (see the `template` module) in the body and
    /// header values; `path_template` is the stub's path, for named path segments.
    pub(crate) fn fill_templates(
        &mut self,
        req: &crate::record::RecordedRequest,
        path_template: Option<&str>,
    ) {
        if let Ok(text) = std::str::from_utf8(&self.body)
            && crate::template::has_placeholders(text)
        {
            self.body = Bytes::from(crate::template::render(text, req, path_template));
        }
        for (_, value) in &mut self.headers {
            if let Ok(text) = value.to_str()
                && crate::template::has_placeholders(text)
                && let Ok(v) =
                    HeaderValue::from_str(&crate::template::render(text, req, path_template))
            {
                *value = v;
            }
        }
    }

    /// A JSON reply with this status.
    pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        Rendered {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body: Bytes::from(value.to_string()),
        }
    }

    /// The 404 sent when no stub matched.
    pub(crate) fn unmatched(request: &str, closest: &str) -> Self {
        Self::json(
            StatusCode::NOT_FOUND,
            &json!({ "error": "no stub matched", "request": request, "closest": closest }),
        )
    }

    fn default_content_type(&mut self, value: &'static str) {
        if !self.headers.iter().any(|(n, _)| n == CONTENT_TYPE) {
            self.headers
                .push((CONTENT_TYPE, HeaderValue::from_static(value)));
        }
    }

    /// The reply as a hyper response.
    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (n, v) in self.headers {
            headers.append(n, v);
        }
        response
    }

    /// The status line, the headers with a `Content-Length` of the whole body, and only
    /// the first half of the body: a client sees the connection end mid-body.
    pub(crate) fn truncated(mut self) -> Vec<u8> {
        if self.body.len() < 2 {
            self.body = Bytes::from_static(TRUNCATE_FILLER.as_bytes());
            self.default_content_type("application/json");
        }
        let mut out = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        )
        .into_bytes();
        for (n, v) in self.headers.iter().filter(|(n, _)| *n != CONNECTION) {
            out.extend_from_slice(n.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("content-length: {}\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out.extend_from_slice(&self.body[..self.body.len() / 2]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(yaml: &str) -> Reply {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn content_type(r: &Rendered) -> Option<&str> {
        r.headers
            .iter()
            .find(|(n, _)| n == CONTENT_TYPE)
            .and_then(|(_, v)| v.to_str().ok())
    }

    #[test]
    fn json_and_text_bodies_get_a_default_content_type() {
        let r = Rendered::from_reply(Some(&reply("{ status: 201, json: { a: 1 } }")));
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body, r#"{"a":1}"#);
        assert_eq!(content_type(&r), Some("application/json"));

        let r = Rendered::from_reply(Some(&reply("{ body: '{not json' }")));
        assert_eq!(r.body, "{not json");
        assert_eq!(content_type(&r), Some("text/plain; charset=utf-8"));

        let r = Rendered::from_reply(Some(&reply(
            "{ json: [1], headers: { Content-Type: application/problem+json, X-A: b } }",
        )));
        assert_eq!(content_type(&r), Some("application/problem+json"));
        assert_eq!(r.headers.len(), 2);
    }

    #[test]
    fn no_reply_is_an_empty_200() {
        let r = Rendered::from_reply(None);
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.is_empty());
        assert!(r.headers.is_empty());
    }

    #[test]
    fn bad_stub_values_do_not_panic() {
        // The scenario parser refuses such a status; replies built in code (admin API,
        // imported mappings) may still carry one.
        let bad = Reply {
            status: 1000,
            ..Default::default()
        };
        let r = Rendered::from_reply(Some(&bad));
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        let r = Rendered::from_reply(Some(&reply(
            "{ headers: { 'bad name': x, X-Ok: \"a\\nb\", Content-Length: '5' } }",
        )));
        assert!(r.headers.is_empty());
    }

    #[test]
    fn truncated_announces_more_than_it_sends() {
        let bytes =
            Rendered::from_reply(Some(&reply("{ status: 200, body: abcdefgh }"))).truncated();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("content-length: 8\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\nabcd"), "{text}");

        let text = String::from_utf8(Rendered::from_reply(None).truncated()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", TRUNCATE_FILLER.len())));
        assert_eq!(body.len(), TRUNCATE_FILLER.len() / 2);
    }
}
