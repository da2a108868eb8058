//! The access decision for one `/resources/{id}` request, and how it is answered and audited.
//! Plain functions on data: no I/O.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::audit::{AuditRecord, Decision};
use crate::bugs::Bug;
use crate::verdict::{Failure, Verdict};

/// The decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Grant {
        user_id: String,
    },
    Deny {
        reason: DenyReason,
        user_id: Option<String>,
    },
    Error {
        failure: Failure,
    },
}

/// Why access was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DenyReason {
    MissingCredentials,
    InvalidToken,
    ExpiredToken,
}

impl DenyReason {
    fn as_str(self) -> &'static str {
        match self {
            DenyReason::MissingCredentials => "missing_credentials",
            DenyReason::InvalidToken => "invalid_token",
            DenyReason::ExpiredToken => "expired_token",
        }
    }
}

impl From<Verdict> for Outcome {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Valid { user_id } => Outcome::Grant { user_id },
            Verdict::Invalid { expired, user_id } => Outcome::Deny {
                reason: if expired {
                    DenyReason::ExpiredToken
                } else {
                    DenyReason::InvalidToken
                },
                user_id,
            },
            Verdict::Unavailable(failure) => Outcome::Error { failure },
        }
    }
}

/// What the request is about, as the reply and the audit line need it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) resource_id: &'a str,
    /// The caller's bearer token. Only seeded bugs ever read it here.
    pub(crate) token: Option<&'a str>,
    pub(crate) bug: Option<Bug>,
}

impl Outcome {
    pub(crate) fn is_grant(&self) -> bool {
        matches!(self, Outcome::Grant { .. })
    }

    /// The status and JSON body to answer with.
    pub(crate) fn reply(&self, cx: Context<'_>) -> (StatusCode, Value) {
        let error = |status, code: &str| (status, json!({ "error": code }));
        match self {
            Outcome::Grant { user_id } => (
                StatusCode::OK,
                json!({
                    "access": "granted",
                    "resource_id": cx.resource_id,
                    "user_id": user_id,
                }),
            ),
            Outcome::Deny {
                reason: DenyReason::MissingCredentials,
                ..
            } => error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            Outcome::Deny { .. } => match cx.bug {
                Some(Bug::WrongErrorBody) => error(StatusCode::FORBIDDEN, "FORBIDDEN"),
                Some(Bug::Status401ForInvalidToken) => {
                    error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
                }
                Some(Bug::TokenInResponse) => (
                    StatusCode::FORBIDDEN,
                    json!({
                        "error": "ACCESS_DENIED",
                        "detail": format!("token {} was rejected", cx.token.unwrap_or_default()),
                    }),
                ),
                _ => error(StatusCode::FORBIDDEN, "ACCESS_DENIED"),
            },
            Outcome::Error { .. } => {
                let status = if cx.bug == Some(Bug::Status500InsteadOf503) {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                error(status, "SERVICE_UNAVAILABLE")
            }
        }
    }

    /// The audit line to write, or `None` when (only under a seeded bug) none is written.
    pub(crate) fn audit_record<'a>(&'a self, cx: Context<'a>) -> Option<AuditRecord<'a>> {
        let (mut decision, user_id, reason) = match self {
            Outcome::Grant { user_id } => (Decision::Grant, Some(user_id.as_str()), None),
            Outcome::Deny { reason, user_id } => {
                (Decision::Deny, user_id.as_deref(), Some(reason.as_str()))
            }
            Outcome::Error { failure } => (Decision::Error, None, Some(failure.reason())),
        };
        let mut user_id = user_id;
        match (self, cx.bug) {
            (Outcome::Grant { .. }, Some(Bug::NoAuditOnGrant)) => return None,
            (Outcome::Grant { .. }, Some(Bug::AuditMissingUserId)) => user_id = None,
            (
                Outcome::Deny {
                    reason: DenyReason::InvalidToken | DenyReason::ExpiredToken,
                    ..
                },
                Some(Bug::DenyAuditedAsGrant),
            ) => decision = Decision::Grant,
            _ => {}
        }
        Some(AuditRecord {
            request_id: cx.request_id,
            resource_id: cx.resource_id,
            decision,
            user_id,
            reason,
            leaked_token: cx.token.filter(|_| cx.bug == Some(Bug::TokenInLog)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(bug: Option<Bug>) -> Context<'static> {
        Context {
            request_id: "rid",
            resource_id: "42",
            token: Some("secret-token"),
            bug,
        }
    }

    fn grant() -> Outcome {
        Outcome::Grant {
            user_id: "user-123".into(),
        }
    }

    fn deny(reason: DenyReason) -> Outcome {
        Outcome::Deny {
            reason,
            user_id: None,
        }
    }

    fn error() -> Outcome {
        Outcome::Error {
            failure: Failure::Timeout,
        }
    }

    #[test]
    fn correct_replies() {
        assert_eq!(
            grant().reply(cx(None)),
            (
                StatusCode::OK,
                json!({"access":"granted","resource_id":"42","user_id":"user-123"})
            )
        );
        assert_eq!(
            deny(DenyReason::MissingCredentials).reply(cx(None)),
            (StatusCode::UNAUTHORIZED, json!({"error":"UNAUTHENTICATED"}))
        );
        for reason in [DenyReason::InvalidToken, DenyReason::ExpiredToken] {
            assert_eq!(
                deny(reason).reply(cx(None)),
                (StatusCode::FORBIDDEN, json!({"error":"ACCESS_DENIED"}))
            );
        }
        assert_eq!(
            error().reply(cx(None)),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"error":"SERVICE_UNAVAILABLE"})
            )
        );
    }

    #[test]
    fn correct_audit_records_never_hold_the_token() {
        let grant = grant();
        let record = grant.audit_record(cx(None)).unwrap();
        assert_eq!(record.decision, Decision::Grant);
        assert_eq!(record.user_id, Some("user-123"));
        assert_eq!(record.reason, None);
        assert_eq!(record.leaked_token, None);

        let expired = Outcome::Deny {
            reason: DenyReason::ExpiredToken,
            user_id: Some("user-9".into()),
        };
        let record = expired.audit_record(cx(None)).unwrap();
        assert_eq!(record.decision, Decision::Deny);
        assert_eq!(record.user_id, Some("user-9"));
        assert_eq!(record.reason, Some("expired_token"));

        let error = error();
        let record = error.audit_record(cx(None)).unwrap();
        assert_eq!(record.decision, Decision::Error);
        assert_eq!(record.reason, Some("auth_timeout"));
        assert_eq!(record.leaked_token, None);
    }

    #[test]
    fn reply_bugs_change_replies() {
        let invalid = deny(DenyReason::InvalidToken);
        assert_eq!(
            invalid.reply(cx(Some(Bug::WrongErrorBody))).1,
            json!({"error":"FORBIDDEN"})
        );
        assert_eq!(
            invalid.reply(cx(Some(Bug::Status401ForInvalidToken))).0,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            invalid
                .reply(cx(Some(Bug::TokenInResponse)))
                .1
                .to_string()
                .contains("secret-token")
        );
        assert_eq!(
            error().reply(cx(Some(Bug::Status500InsteadOf503))).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn audit_bugs_change_records() {
        let grant = grant();
        assert_eq!(grant.audit_record(cx(Some(Bug::NoAuditOnGrant))), None);
        assert_eq!(
            grant
                .audit_record(cx(Some(Bug::AuditMissingUserId)))
                .unwrap()
                .user_id,
            None
        );
        assert_eq!(
            grant
                .audit_record(cx(Some(Bug::TokenInLog)))
                .unwrap()
                .leaked_token,
            Some("secret-token")
        );
        let invalid = deny(DenyReason::InvalidToken);
        assert_eq!(
            invalid
                .audit_record(cx(Some(Bug::DenyAuditedAsGrant)))
                .unwrap()
                .decision,
            Decision::Grant
        );
    }
}
