//! What a `/validate` answer means. Plain functions on data: no I/O.
//!
//! The rule is fail closed: a call grants only when the Authorization Service answers 200 with a
//! JSON object whose `valid` is exactly `true` and whose `user_id` is a non-empty string.

use hyper::StatusCode;
use serde_json::Value;

use crate::auth_client::{AuthReply, TransportFailure};
use crate::bugs::Bug;

/// The Authorization Service's judgement of one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The token is valid and belongs to `user_id`.
    Valid { user_id: String },
    /// The token is not valid; `user_id` is kept when the service named one.
    Invalid {
        expired: bool,
        user_id: Option<String>,
    },
    /// No usable judgement: the service failed or answered something unusable.
    Unavailable(Failure),
}

/// Why there is no usable judgement. `reason()` is the audit line's `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Timeout,
    Unreachable,
    ConnectionLost,
    Status5xx,
    RateLimited,
    UnexpectedStatus,
    EmptyBody,
    Malformed,
}

impl Failure {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Failure::Timeout => "auth_timeout",
            Failure::Unreachable => "auth_unreachable",
            Failure::ConnectionLost => "auth_connection_lost",
            Failure::Status5xx => "auth_status_5xx",
            Failure::RateLimited => "auth_rate_limited",
            Failure::UnexpectedStatus => "auth_unexpected_status",
            Failure::EmptyBody => "auth_empty_body",
            Failure::Malformed => "auth_malformed",
        }
    }
}

/// The user id the `fail_open_on_5xx` and `grant_when_unreachable` bugs grant as.
const FAIL_OPEN_USER: &str = "anonymous";
/// The user id the `grant_on_malformed` bug grants as.
const MALFORMED_USER: &str = "unknown";

/// Interprets the outcome of one `/validate` call. `bug` bends the rules when it is one of the
/// seeded interpretation bugs; `None` gives the correct behaviour.
pub(crate) fn interpret(outcome: Result<AuthReply, TransportFailure>, bug: Option<Bug>) -> Verdict {
    let reply = match outcome {
        Ok(reply) => reply,
        Err(TransportFailure::Unreachable) if bug == Some(Bug::GrantWhenUnreachable) => {
            return Verdict::Valid {
                user_id: FAIL_OPEN_USER.to_owned(),
            };
        }
        Err(failure) => {
            return Verdict::Unavailable(match failure {
                TransportFailure::Timeout => Failure::Timeout,
                TransportFailure::Unreachable => Failure::Unreachable,
                TransportFailure::ConnectionLost => Failure::ConnectionLost,
                TransportFailure::BodyTooLarge => Failure::Malformed,
            });
        }
    };
    match reply.status {
        StatusCode::OK => interpret_body(&reply.body, bug),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Verdict::Invalid {
            expired: false,
            user_id: None,
        },
        status if status.is_server_error() => {
            if bug == Some(Bug::FailOpenOn5xx) {
                Verdict::Valid {
                    user_id: FAIL_OPEN_USER.to_owned(),
                }
            } else {
                Verdict::Unavailable(Failure::Status5xx)
            }
        }
        StatusCode::TOO_MANY_REQUESTS => Verdict::Unavailable(Failure::RateLimited),
        _ => Verdict::Unavailable(Failure::UnexpectedStatus),
    }
}

fn interpret_body(body: &[u8], bug: Option<Bug>) -> Verdict {
    let grant_on_malformed = || Verdict::Valid {
        user_id: MALFORMED_USER.to_owned(),
    };
    if body.trim_ascii().is_empty() {
        return if bug == Some(Bug::GrantOnMalformed) {
            grant_on_malformed()
        } else {
            Verdict::Unavailable(Failure::EmptyBody)
        };
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return if bug == Some(Bug::GrantOnMalformed) {
            grant_on_malformed()
        } else {
            Verdict::Unavailable(Failure::Malformed)
        };
    };
    let Some(object) = value.as_object() else {
        return Verdict::Unavailable(Failure::Malformed);
    };

    let valid = match object.get("valid") {
        Some(Value::Bool(valid)) => *valid,
        None if bug == Some(Bug::GrantWhenValidAbsent) => true,
        _ => return Verdict::Unavailable(Failure::Malformed),
    };
    let user_id = object
        .get("user_id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .map(str::to_owned);

    if valid {
        match user_id {
            Some(user_id) => Verdict::Valid { user_id },
            None if bug == Some(Bug::GrantWithoutUserId) => Verdict::Valid {
                user_id: String::new(),
            },
            None => Verdict::Unavailable(Failure::Malformed),
        }
    } else {
        let expired = object.get("reason").and_then(Value::as_str) == Some("expired");
        Verdict::Invalid { expired, user_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::body::Bytes;

    fn reply(status: u16, body: &str) -> Result<AuthReply, TransportFailure> {
        Ok(AuthReply {
            status: StatusCode::from_u16(status).unwrap(),
            body: Bytes::from(body.to_owned()),
        })
    }

    fn valid(user: &str) -> Verdict {
        Verdict::Valid {
            user_id: user.to_owned(),
        }
    }

    fn unavailable(failure: Failure) -> Verdict {
        Verdict::Unavailable(failure)
    }

    #[test]
    fn valid_true_with_user_id_grants() {
        let verdict = interpret(reply(200, r#"{"valid":true,"user_id":"user-123"}"#), None);
        assert_eq!(verdict, valid("user-123"));
    }

    #[test]
    fn valid_false_is_invalid_and_keeps_user_and_expiry() {
        assert_eq!(
            interpret(reply(200, r#"{"valid":false}"#), None),
            Verdict::Invalid {
                expired: false,
                user_id: None
            }
        );
        assert_eq!(
            interpret(
                reply(
                    200,
                    r#"{"valid":false,"user_id":"user-123","reason":"expired"}"#
                ),
                None
            ),
            Verdict::Invalid {
                expired: true,
                user_id: Some("user-123".to_owned())
            }
        );
    }

    #[test]
    fn auth_rejections_are_invalid_tokens() {
        for status in [401, 403] {
            assert!(matches!(
                interpret(reply(status, ""), None),
                Verdict::Invalid { expired: false, .. }
            ));
        }
    }

    #[test]
    fn anything_else_fails_closed() {
        let cases = [
            (
                reply(500, r#"{"valid":true,"user_id":"u"}"#),
                Failure::Status5xx,
            ),
            (reply(503, ""), Failure::Status5xx),
            (reply(429, ""), Failure::RateLimited),
            (reply(302, ""), Failure::UnexpectedStatus),
            (reply(404, ""), Failure::UnexpectedStatus),
            (reply(200, ""), Failure::EmptyBody),
            (reply(200, " \n"), Failure::EmptyBody),
            (reply(200, "<html>"), Failure::Malformed),
            (
                reply(200, r#"{"valid":true,"user_id":"u""#),
                Failure::Malformed,
            ),
            (reply(200, "[true]"), Failure::Malformed),
            (reply(200, r#"{"user_id":"u"}"#), Failure::Malformed),
            (
                reply(200, r#"{"valid":"true","user_id":"u"}"#),
                Failure::Malformed,
            ),
            (
                reply(200, r#"{"valid":1,"user_id":"u"}"#),
                Failure::Malformed,
            ),
            (reply(200, r#"{"valid":true}"#), Failure::Malformed),
            (
                reply(200, r#"{"valid":true,"user_id":""}"#),
                Failure::Malformed,
            ),
            (
                reply(200, r#"{"valid":true,"user_id":"  "}"#),
                Failure::Malformed,
            ),
            (
                reply(200, r#"{"valid":true,"user_id":42}"#),
                Failure::Malformed,
            ),
            (
                reply(200, r#"{"valid":true,"user_id":null}"#),
                Failure::Malformed,
            ),
            (Err(TransportFailure::Timeout), Failure::Timeout),
            (Err(TransportFailure::Unreachable), Failure::Unreachable),
            (
                Err(TransportFailure::ConnectionLost),
                Failure::ConnectionLost,
            ),
            (Err(TransportFailure::BodyTooLarge), Failure::Malformed),
        ];
        for (outcome, failure) in cases {
            let shown = format!("{outcome:?}");
            assert_eq!(interpret(outcome, None), unavailable(failure), "{shown}");
        }
    }

    #[test]
    fn interpretation_bugs_grant_where_they_should_not() {
        let cases = [
            (Bug::FailOpenOn5xx, reply(502, ""), "anonymous"),
            (Bug::GrantOnMalformed, reply(200, "oops"), "unknown"),
            (Bug::GrantOnMalformed, reply(200, ""), "unknown"),
            (
                Bug::GrantWhenValidAbsent,
                reply(200, r#"{"user_id":"u"}"#),
                "u",
            ),
            (Bug::GrantWithoutUserId, reply(200, r#"{"valid":true}"#), ""),
            (
                Bug::GrantWhenUnreachable,
                Err(TransportFailure::Unreachable),
                "anonymous",
            ),
        ];
        for (bug, outcome, user) in cases {
            assert_eq!(interpret(outcome, Some(bug)), valid(user), "{bug}");
        }
    }

    #[test]
    fn unrelated_bugs_do_not_change_interpretation() {
        assert_eq!(
            interpret(reply(502, ""), Some(Bug::GrantOnMalformed)),
            unavailable(Failure::Status5xx)
        );
        assert_eq!(
            interpret(reply(200, "oops"), Some(Bug::FailOpenOn5xx)),
            unavailable(Failure::Malformed)
        );
    }
}
