//! Seeded bugs: realistic boundary mistakes that a good integration suite must catch.
//!
//! Exactly one bug can be switched on with `RESOURCE_API_BUG=<name>`. The table in
//! `examples/auth-resource/README.md` says what each one does and which requirement it breaks;
//! keep the two in step.

use std::fmt;
use std::str::FromStr;

/// One seeded bug. `Bug::ALL` lists every variant in the order the README documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bug {
    /// Grants access (as user `anonymous`) when the Authorization Service answers 5xx.
    FailOpenOn5xx,
    /// Calls `/validate` without a timeout: hangs as long as the Authorization Service does.
    NoTimeout,
    /// Leaves `user_id` out of the audit line of a grant.
    AuditMissingUserId,
    /// Writes the bearer token into the audit line (field `token`).
    TokenInLog,
    /// Prints the caller's Authorization header to stderr ("debug logging left on").
    TokenInStderr,
    /// Echoes the token in the body of the 403 answer.
    TokenInResponse,
    /// Treats a `/validate` answer without `valid` as valid.
    GrantWhenValidAbsent,
    /// Grants when `valid` is true but `user_id` is missing or empty (user id `""`).
    GrantWithoutUserId,
    /// Grants as user `unknown` when the `/validate` body is not JSON (including empty).
    GrantOnMalformed,
    /// Calls `/validate` twice per request.
    DoubleValidate,
    /// Retries `/validate` once after any failure (two calls, twice the time).
    RetryOnError,
    /// Calls `/validate` even when the request has no credentials, then answers 401.
    MissingHeaderCallsAuth,
    /// Calls `/validate` without forwarding the caller's Authorization header.
    TokenNotForwarded,
    /// Answers 500 instead of 503 when the Authorization Service fails.
    Status500InsteadOf503,
    /// Answers 403 with `{"error":"FORBIDDEN"}` instead of `ACCESS_DENIED`.
    WrongErrorBody,
    /// Answers 401 `UNAUTHENTICATED` instead of 403 for invalid or expired tokens.
    Status401ForInvalidToken,
    /// Writes no audit line for grants.
    NoAuditOnGrant,
    /// Audits denied tokens with decision `grant`.
    DenyAuditedAsGrant,
    /// Writes the audit timestamp as epoch seconds (a JSON number) instead of RFC 3339.
    TimestampNotRfc3339,
    /// Sleeps 1.5 s before answering a grant.
    SlowResponse,
    /// Records a `grant` row in the database for a denied request.
    GrantRowOnDenial,
    /// Commits the request row (half of the two-row write) when the auth call fails.
    HalfWriteOnAuthFailure,
    /// Publishes the access event (optimistically, as a grant) before asking the
    /// Authorization Service, so before the decision is made and stored.
    PublishBeforeDecision,
    /// Publishes no access event for grants.
    NoEventOnGrant,
    /// Does not increment the decisions counter for grants.
    CounterNotIncremented,
    /// Grants (as user `anonymous`) when the Authorization Service cannot be reached
    /// ("let people in while auth is down" left on).
    GrantWhenUnreachable,
}

impl Bug {
    /// Every seeded bug, in documentation order.
    pub(crate) const ALL: &'static [Bug] = &[
        Bug::FailOpenOn5xx,
        Bug::NoTimeout,
        Bug::AuditMissingUserId,
        Bug::TokenInLog,
        Bug::TokenInStderr,
        Bug::TokenInResponse,
        Bug::GrantWhenValidAbsent,
        Bug::GrantWithoutUserId,
        Bug::GrantOnMalformed,
        Bug::DoubleValidate,
        Bug::RetryOnError,
        Bug::MissingHeaderCallsAuth,
        Bug::TokenNotForwarded,
        Bug::Status500InsteadOf503,
        Bug::WrongErrorBody,
        Bug::Status401ForInvalidToken,
        Bug::NoAuditOnGrant,
        Bug::DenyAuditedAsGrant,
        Bug::TimestampNotRfc3339,
        Bug::SlowResponse,
        Bug::GrantRowOnDenial,
        Bug::HalfWriteOnAuthFailure,
        Bug::PublishBeforeDecision,
        Bug::NoEventOnGrant,
        Bug::CounterNotIncremented,
        Bug::GrantWhenUnreachable,
    ];

    /// The name used in `RESOURCE_API_BUG`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bug::FailOpenOn5xx => "fail_open_on_5xx",
            Bug::NoTimeout => "no_timeout",
            Bug::AuditMissingUserId => "audit_missing_user_id",
            Bug::TokenInLog => "token_in_log",
            Bug::TokenInStderr => "token_in_stderr",
            Bug::TokenInResponse => "token_in_response",
            Bug::GrantWhenValidAbsent => "grant_when_valid_absent",
            Bug::GrantWithoutUserId => "grant_without_user_id",
            Bug::GrantOnMalformed => "grant_on_malformed",
            Bug::DoubleValidate => "double_validate",
            Bug::RetryOnError => "retry_on_error",
            Bug::MissingHeaderCallsAuth => "missing_header_calls_auth",
            Bug::TokenNotForwarded => "token_not_forwarded",
            Bug::Status500InsteadOf503 => "500_instead_of_503",
            Bug::WrongErrorBody => "wrong_error_body",
            Bug::Status401ForInvalidToken => "401_for_invalid_token",
            Bug::NoAuditOnGrant => "no_audit_on_grant",
            Bug::DenyAuditedAsGrant => "deny_audited_as_grant",
            Bug::TimestampNotRfc3339 => "timestamp_not_rfc3339",
            Bug::SlowResponse => "slow_response",
            Bug::GrantRowOnDenial => "grant_row_on_denial",
            Bug::HalfWriteOnAuthFailure => "half_write_on_auth_failure",
            Bug::PublishBeforeDecision => "publish_before_decision",
            Bug::NoEventOnGrant => "no_event_on_grant",
            Bug::CounterNotIncremented => "counter_not_incremented",
            Bug::GrantWhenUnreachable => "grant_when_unreachable",
        }
    }
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a `RESOURCE_API_BUG` value that names no bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownBug(pub(crate) String);

impl fmt::Display for UnknownBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown seeded bug `{}`; valid names are:", self.0)?;
        for bug in Bug::ALL {
            write!(f, "\n  {bug}")?;
        }
        Ok(())
    }
}

impl FromStr for Bug {
    type Err = UnknownBug;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bug::ALL
            .iter()
            .copied()
            .find(|bug| bug.name() == s)
            .ok_or_else(|| UnknownBug(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for bug in Bug::ALL {
            assert_eq!(bug.name().parse::<Bug>(), Ok(*bug));
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = Bug::ALL.iter().map(|b| b.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Bug::ALL.len());
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "fail_open".parse::<Bug>().unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("unknown seeded bug `fail_open`"));
        assert!(text.contains("\n  fail_open_on_5xx"));
        assert!(text.contains("\n  slow_response"));
    }
}
