//! Routing and the `/resources/{id}` flow: credentials → `/validate` → decision → audit → reply.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::AUTHORIZATION;
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditLog;
use crate::auth_client::AuthClient;
use crate::bugs::Bug;
use crate::config::Config;
use crate::credentials::bearer_token;
use crate::outcome::{Context, DenyReason, Outcome};
use crate::response::{Body, error_response, json_response, method_not_allowed};
use crate::verdict::{Verdict, interpret};

/// How long the `slow_response` seeded bug stalls a grant.
const SLOW_RESPONSE_DELAY: Duration = Duration::from_millis(1500);

/// Everything a request handler needs; shared by all connections.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) auth: AuthClient,
    pub(crate) audit: AuditLog,
    pub(crate) store: Option<crate::store::Store>,
    pub(crate) events: Option<crate::events::Events>,
    pub(crate) metrics: crate::metrics::Metrics,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Health,
    Metrics,
    Resource(&'a str),
    MethodNotAllowed,
    NotFound,
}

fn route<'a>(method: &Method, path: &'a str) -> Route<'a> {
    let target = if path == "/healthz" {
        Some(Route::Health)
    } else if path == "/metrics" {
        Some(Route::Metrics)
    } else {
        path.strip_prefix("/resources/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(Route::Resource)
    };
    match target {
        None => Route::NotFound,
        Some(_) if method != Method::GET => Route::MethodNotAllowed,
        Some(target) => target,
    }
}

/// The hyper service function.
pub(crate) async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let request_id = Uuid::new_v4().to_string();
    let response = match route(request.method(), request.uri().path()) {
        Route::Health => json_response(StatusCode::OK, &json!({"status": "ok"}), &request_id),
        Route::Metrics => crate::response::text_response(app.metrics.render(), &request_id),
        Route::Resource(id) => app.resource(id, request.headers(), &request_id).await,
        Route::MethodNotAllowed => method_not_allowed(&request_id),
        Route::NotFound => error_response(StatusCode::NOT_FOUND, "NOT_FOUND", &request_id),
    };
    Ok(response)
}

impl App {
    fn has_bug(&self, bug: Bug) -> bool {
        self.config.has_bug(bug)
    }

    async fn resource(
        &self,
        resource_id: &str,
        headers: &HeaderMap,
        request_id: &str,
    ) -> Response<Body> {
        if self.has_bug(Bug::TokenInStderr)
            && let Some(value) = headers.get(AUTHORIZATION)
        {
            eprintln!(
                "resource-api: debug: validating Authorization: {}",
                String::from_utf8_lossy(value.as_bytes())
            );
        }

        let token = bearer_token(headers);
        if self.has_bug(Bug::PublishBeforeDecision) && token.is_some() {
            self.publish(request_id, resource_id, "grant", None).await;
        }
        let outcome = match token {
            None => {
                if self.has_bug(Bug::MissingHeaderCallsAuth) {
                    let _ = self.auth.validate(None, request_id).await;
                }
                Outcome::Deny {
                    reason: DenyReason::MissingCredentials,
                    user_id: None,
                }
            }
            Some(token) => Outcome::from(self.check(token, request_id).await),
        };

        let cx = Context {
            request_id,
            resource_id,
            token,
            bug: self.config.bug,
        };
        if let Some(record) = outcome.audit_record(cx)
            && let Err(err) = self.audit.write(&record)
        {
            eprintln!("resource-api: cannot write the audit log: {err}");
            if outcome.is_grant() {
                // A grant that cannot be audited is not granted.
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    request_id,
                );
            }
        }
        if let Err(response) = self.side_effects(&outcome, resource_id, request_id).await {
            return response;
        }
        if outcome.is_grant() && self.has_bug(Bug::SlowResponse) {
            tokio::time::sleep(SLOW_RESPONSE_DELAY).await;
        }
        let (status, body) = outcome.reply(cx);
        json_response(status, &body, request_id)
    }

    /// Stores the decision, counts it and publishes its event, in that order: the event
    /// goes out only after the decision is committed. A grant that cannot be stored is
    /// not granted.
    async fn side_effects(
        &self,
        outcome: &Outcome,
        resource_id: &str,
        request_id: &str,
    ) -> Result<(), Response<Body>> {
        let (decision, user_id) = match outcome {
            Outcome::Grant { user_id } => (Some("grant"), Some(user_id.as_str())),
            Outcome::Deny { user_id, .. } => (Some("deny"), user_id.as_deref()),
            Outcome::Error { .. } => (None, None),
        };
        let stored = match (decision, self.has_bug(Bug::GrantRowOnDenial)) {
            (Some("deny"), true) => Some("grant"),
            (d, _) => d,
        };
        if let Some(store) = &self.store {
            let row = crate::store::DecisionRow {
                request_id,
                resource_id,
                decision: stored,
                user_id,
                commit_half: self.has_bug(Bug::HalfWriteOnAuthFailure),
            };
            if let Err(err) = store.record(&row).await {
                eprintln!("resource-api: cannot store the decision: {err}");
                if outcome.is_grant() {
                    return Err(error_response(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "SERVICE_UNAVAILABLE",
                        request_id,
                    ));
                }
            }
        }
        let counted = decision.unwrap_or("error");
        if !(counted == "grant" && self.has_bug(Bug::CounterNotIncremented)) {
            self.metrics.decision(counted);
        }
        let skip = self.has_bug(Bug::PublishBeforeDecision)
            || (counted == "grant" && self.has_bug(Bug::NoEventOnGrant));
        if !skip {
            self.publish(request_id, resource_id, counted, user_id)
                .await;
        }
        Ok(())
    }

    async fn publish(
        &self,
        request_id: &str,
        resource_id: &str,
        decision: &str,
        user_id: Option<&str>,
    ) {
        let Some(events) = &self.events else { return };
        let mut event = json!({
            "type": "access",
            "request_id": request_id,
            "resource_id": resource_id,
            "decision": decision,
        });
        if let Some(user) = user_id {
            event["user_id"] = json!(user);
        }
        if let Err(err) = events.publish(&event).await {
            eprintln!("resource-api: cannot publish the access event: {err}");
        }
    }

    /// Asks the Authorization Service about `token`: one `/validate` call when correct.
    async fn check(&self, token: &str, request_id: &str) -> Verdict {
        let forwarded = (!self.has_bug(Bug::TokenNotForwarded)).then_some(token);
        let call = || async {
            let started = std::time::Instant::now();
            let reply = self.auth.validate(forwarded, request_id).await;
            self.metrics.auth_call(started.elapsed());
            interpret(reply, self.config.bug)
        };
        let verdict = call().await;
        let again = match verdict {
            _ if self.has_bug(Bug::DoubleValidate) => true,
            Verdict::Unavailable(_) => self.has_bug(Bug::RetryOnError),
            _ => false,
        };
        if again { call().await } else { verdict }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let get = Method::GET;
        assert_eq!(route(&get, "/healthz"), Route::Health);
        assert_eq!(route(&get, "/resources/42"), Route::Resource("42"));
        assert_eq!(route(&get, "/resources/a%20b"), Route::Resource("a%20b"));
        for path in [
            "/",
            "/healthz/",
            "/resources",
            "/resources/",
            "/resources/42/x",
            "/resources//",
            "/resourcesx/1",
        ] {
            assert_eq!(route(&get, path), Route::NotFound, "{path}");
        }
        assert_eq!(
            route(&Method::POST, "/resources/42"),
            Route::MethodNotAllowed
        );
        assert_eq!(route(&Method::DELETE, "/healthz"), Route::MethodNotAllowed);
        assert_eq!(route(&Method::POST, "/nope"), Route::NotFound);
    }
}
