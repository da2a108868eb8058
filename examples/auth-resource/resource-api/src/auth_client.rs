//! The HTTP call to the Authorization Service's `/validate`.
//!
//! This file moves bytes; what the answer means is decided in `verdict.rs`.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Largest `/validate` body read; a bigger one counts as malformed.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What came back from one `/validate` call that completed at the HTTP level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthReply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

/// Why one `/validate` call produced no complete HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportFailure {
    /// No complete answer within the bound.
    Timeout,
    /// Could not connect (refused, unreachable, DNS).
    Unreachable,
    /// Connected, but the connection closed or reset before a complete answer.
    ConnectionLost,
    /// The body was larger than `MAX_BODY_BYTES`.
    BodyTooLarge,
}

/// A client for `GET /validate`.
#[derive(Debug, Clone)]
pub(crate) struct AuthClient {
    client: Client<HttpConnector, Empty<Bytes>>,
    validate_url: Uri,
    /// `None` means unbounded (the `no_timeout` seeded bug).
    timeout: Option<Duration>,
}

impl AuthClient {
    pub(crate) fn new(validate_url: Uri, timeout: Option<Duration>) -> Self {
        // No pooled connections: each call opens its own, so a connection-level fault staged for a
        // call (reset, close, hang) hits that call and not a later one.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(HttpConnector::new());
        AuthClient {
            client,
            validate_url,
            timeout,
        }
    }

    /// Calls `/validate` once, forwarding `Bearer <token>` when a token is given.
    pub(crate) async fn validate(
        &self,
        token: Option<&str>,
        request_id: &str,
    ) -> Result<AuthReply, TransportFailure> {
        let call = self.call(token, request_id);
        match self.timeout {
            Some(bound) => tokio::time::timeout(bound, call)
                .await
                .unwrap_or(Err(TransportFailure::Timeout)),
            None => call.await,
        }
    }

    async fn call(
        &self,
        token: Option<&str>,
        request_id: &str,
    ) -> Result<AuthReply, TransportFailure> {
        let mut request = Request::builder()
            .method(Method::GET)
            .uri(self.validate_url.clone())
            .header(ACCEPT, "application/json");
        if let Ok(id) = HeaderValue::from_str(request_id) {
            request = request.header("x-request-id", id);
        }
        if let Some(token) = token {
            // The token was read from a valid header value, so this cannot fail; if it somehow
            // did, the call goes out without credentials and is denied, never granted.
            if let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}")) {
                value.set_sensitive(true);
                request = request.header(AUTHORIZATION, value);
            }
        }
        let request = request
            .body(Empty::new())
            .map_err(|_| TransportFailure::Unreachable)?;

        let response = self.client.request(request).await.map_err(|err| {
            if err.is_connect() {
                TransportFailure::Unreachable
            } else {
                TransportFailure::ConnectionLost
            }
        })?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|err| {
                if err.is::<http_body_util::LengthLimitError>() {
                    TransportFailure::BodyTooLarge
                } else {
                    TransportFailure::ConnectionLost
                }
            })?
            .to_bytes();
        Ok(AuthReply { status, body })
    }
}
