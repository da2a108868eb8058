//! JSON responses. Every response is `application/json` and carries `X-Request-Id`.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// The body type of every response.
pub(crate) type Body = Full<Bytes>;

/// The request id header, set on every response.
pub(crate) static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A JSON response with the request id header.
pub(crate) fn json_response(status: StatusCode, body: &Value, request_id: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(X_REQUEST_ID.clone(), id);
    }
    response
}

/// 200 with Prometheus text exposition.
pub(crate) fn text_response(text: String, request_id: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(X_REQUEST_ID.clone(), id);
    }
    response
}

/// `{"error":"<code>"}` with the given status.
pub(crate) fn error_response(status: StatusCode, code: &str, request_id: &str) -> Response<Body> {
    json_response(status, &json!({ "error": code }), request_id)
}

/// 405 with `Allow: GET`.
pub(crate) fn method_not_allowed(request_id: &str) -> Response<Body> {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        request_id,
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET"));
    response
}
