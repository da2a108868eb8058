//! Answering one HTTP request: read it, record it, choose a stub, reply or hand off a fault.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde_json::json;
use tokio::sync::mpsc;

use crate::fault::{self, Action};
use crate::query;
use crate::record::{Outcome, RecordedRequest};
use crate::reply::Rendered;
use crate::state::{Plan, Shared};
use crate::wiremock;

/// The largest request body a double reads.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Serves one request. A fault is handed to the connection through `faults`, and the
/// response future then never completes: the connection stops serving and acts on the
/// socket instead.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    faults: mpsc::UnboundedSender<Action>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let admin_call = shared.admin && parts.uri.path().starts_with("/__admin");
    // Most requests to a double carry no body (GETs): skip collecting one.
    let collected = if hyper::body::Body::is_end_stream(&body) {
        Ok(Bytes::new())
    } else {
        Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map(http_body_util::Collected::to_bytes)
    };
    let body = match collected {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::debug!(error = %e, "could not read a request body");
            let rendered = Rendered::json(
                StatusCode::BAD_REQUEST,
                &json!({ "error": format!("could not read the request body: {e}") }),
            );
            return Ok(rendered.into_response());
        }
    };
    if admin_call {
        let rendered = shared.with_state(|st| {
            let mut view = wiremock::api::View {
                store: &mut st.store,
                journal: &mut st.journal,
                base: &shared.base,
            };
            wiremock::api::handle(&mut view, parts.method.as_str(), parts.uri.path(), &body)
        });
        return Ok(rendered.into_response());
    }
    let record = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        url: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        note: None,
        query: parts.uri.query().map(query::parse).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        json: if body.is_empty() {
            None
        } else {
            serde_json::from_slice(&body).ok()
        },
        body: String::from_utf8_lossy(&body).into_owned(),
        at_ms: 0,
        stub: None,
        outcome: Outcome::Unmatched,
    };
    tracing::debug!(double = %shared.name, request = %record.describe(), "request");
    let decision = shared.decide(record);
    // Subscribing after the decision is safe: a generation that moved on in between
    // releases at once (`released` checks the current value first).
    let generations = || shared.generations.subscribe();
    match decision.plan {
        Plan::Reply { rendered, wait } => {
            if !wait.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = fault::released(generations(), decision.generation) => {
                        // The scenario ended (install or shutdown) while the reply waited.
                        return hand_over(&faults, Action::Close).await;
                    }
                }
            }
            Ok(rendered.into_response())
        }
        Plan::Fault(action) => hand_over(&faults, action).await,
        Plan::DelayedFault { action, wait } => {
            tokio::select! {
                () = tokio::time::sleep(wait) => hand_over(&faults, action).await,
                () = fault::released(generations(), decision.generation) => {
                    hand_over(&faults, Action::Close).await
                }
            }
        }
    }
}

/// Asks the connection to carry out `action`; the connection drops this request's
/// future when it does, so this never returns a response.
async fn hand_over(
    faults: &mpsc::UnboundedSender<Action>,
    action: Action,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if faults.send(action).is_err() {
        tracing::debug!("a connection went away before its fault");
    }
    std::future::pending().await
}
