//! The situations a generated scenario stages, and which requirements speak of each.

use std::time::Duration;

use crate::link::Link;
use crate::text::contains_word;

/// What a scenario stages.
#[derive(Debug, Clone, PartialEq)]
pub enum Situation {
    /// Everything right: valid input, a good credential, dependencies answer well.
    Success,
    /// A dependency answers well but slowly, still within the service's deadline.
    DependencySlow(Duration),
    /// No credential.
    MissingCredential,
    /// A credential the service cannot even parse.
    MalformedCredential,
    /// A well-formed credential the checker rejects.
    InvalidCredential,
    /// A well-formed credential the checker says has expired.
    ExpiredCredential,
    /// A dependency never answers.
    DependencyTimeout,
    /// A dependency answers this status.
    DependencyStatus(u16),
    /// A dependency resets the connection.
    DependencyReset,
    /// A dependency refuses every connection (its port held, nothing listening).
    DependencyRefused,
    /// A dependency closes the connection without answering.
    DependencyClosed,
    /// A dependency answers 200 with an empty body.
    DependencyEmptyBody,
    /// A dependency answers 200 with a body that is not JSON.
    DependencyNotJson,
    /// A dependency answers a body that breaks its contract (the reason in words, and
    /// the property it concerns).
    DependencyBreaksContract(String, String),
    /// A dependency's first call fails (reset) and a second would succeed.
    DependencyFailsOnce,
    /// The request breaks a constraint of the service's contract.
    BadInput(String),
}

/// Which outcome a situation leads to, for vocabularies such as `grant|deny|error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Granted, succeeded.
    Grant,
    /// Refused because of the caller.
    Deny,
    /// Failed because of something else.
    Error,
}

impl Class {
    /// The class an answer with this status belongs to.
    pub fn of_status(status: u16) -> Class {
        match status {
            200..=399 => Class::Grant,
            400..=499 => Class::Deny,
            _ => Class::Error,
        }
    }

    /// Whether `word` names this class.
    pub fn names(self, word: &str) -> bool {
        let words: &[&str] = match self {
            Class::Grant => &[
                "grant", "granted", "allow", "allowed", "accept", "accepted", "permit", "success",
                "ok",
            ],
            Class::Deny => &[
                "deny",
                "denied",
                "reject",
                "rejected",
                "refuse",
                "refused",
                "forbidden",
            ],
            Class::Error => &["error", "fail", "failed", "failure", "unavailable"],
        };
        words.contains(&word.to_lowercase().as_str())
    }
}

impl Situation {
    /// Whether a dependency is asked at all (the credential got past the service).
    pub fn reaches_dependencies(&self) -> bool {
        !matches!(
            self,
            Situation::MissingCredential | Situation::MalformedCredential | Situation::BadInput(_)
        )
    }

    /// Whether a dependency fails in this situation.
    pub fn dependency_fails(&self) -> bool {
        matches!(
            self,
            Situation::DependencyTimeout
                | Situation::DependencyStatus(_)
                | Situation::DependencyReset
                | Situation::DependencyRefused
                | Situation::DependencyClosed
                | Situation::DependencyEmptyBody
                | Situation::DependencyNotJson
                | Situation::DependencyBreaksContract(..)
                | Situation::DependencyFailsOnce
        )
    }

    /// How strongly a requirement's condition speaks of this situation: 0 not at all,
    /// 1 in general words ("an error status"), 2 by name ("answers 401", "expired").
    pub fn strength(&self, link: &Link) -> u8 {
        let f = &link.facts;
        let c = f.condition.as_str();
        let has = |words: &[&str]| words.iter().any(|w| c.contains(w));
        let credentialish = has(&["token", "credential", "header", "api key"]);
        let valid = has(&[
            "a valid ",
            "valid token",
            "valid credential",
            "valid key",
            "valid request",
        ]) && !has(&["invalid", "expired", "not valid"]);
        match self {
            Situation::Success => u8::from(valid || f.fast_dependency.is_some()) * 2,
            Situation::DependencySlow(_) => u8::from(valid),
            Situation::MissingCredential => {
                u8::from(credentialish && has(&["no `", "no ", "missing", "without", "absent"])) * 2
            }
            Situation::MalformedCredential => {
                u8::from(
                    credentialish
                        && has(&[
                            "malformed",
                            "not `bearer",
                            "not bearer",
                            "one that is not",
                            "not a valid format",
                        ]),
                ) * 2
            }
            Situation::InvalidCredential => {
                u8::from(has(&["invalid", "revoked", "unknown token"])) * 2
            }
            Situation::ExpiredCredential => u8::from(has(&["expired"])) * 2,
            Situation::DependencyTimeout => {
                u8::from(
                    f.deadline.is_some()
                        || has(&[
                            "time out",
                            "times out",
                            "timeout",
                            "hangs",
                            "does not answer",
                        ]),
                ) * 2
            }
            Situation::DependencyStatus(s) => {
                if f.condition_statuses.contains(s)
                    || (*s >= 500 && has(&["5xx", "server error"]))
                    || (*s == 429 && has(&["429", "rate limit"]))
                {
                    2
                } else {
                    u8::from(has(&["error status", "an error", "unexpected status"]))
                }
            }
            Situation::DependencyReset => u8::from(has(&["reset"])) * 2,
            Situation::DependencyRefused => {
                u8::from(has(&[
                    "refuse",
                    "unreachable",
                    "cannot be reached",
                    "could not be reached",
                    "cannot connect",
                    "is down",
                ])) * 2
            }
            Situation::DependencyClosed => {
                u8::from(has(&[
                    "closes the connection",
                    "connection lost",
                    "no answer",
                ])) * 2
            }
            Situation::DependencyEmptyBody => {
                u8::from(has(&["empty body", "empty answer", "empty response"])) * 2
            }
            Situation::DependencyNotJson => {
                u8::from(has(&[
                    "not json",
                    "malformed",
                    "garbage",
                    "invalid json",
                    "unparseable",
                ])) * 2
            }
            Situation::DependencyBreaksContract(_, field) => {
                if has(&["without"]) && contains_word(c, &field.to_lowercase()) {
                    2
                } else {
                    u8::from(has(&[
                        "breaks its contract",
                        "does not conform",
                        "unusable",
                    ]))
                }
            }
            Situation::DependencyFailsOnce => {
                u8::from(has(&["retry", "retries", "first call fails"])) * 2
            }
            Situation::BadInput(_) => {
                u8::from(has(&[
                    "invalid input",
                    "bad input",
                    "malformed request",
                    "invalid request",
                    "fails validation",
                ])) * 2
            }
        }
    }

    /// A short slug for scenario ids.
    pub fn slug(&self) -> String {
        match self {
            Situation::Success => "succeeds".into(),
            Situation::DependencySlow(_) => "slow-but-in-time".into(),
            Situation::MissingCredential => "missing-credential".into(),
            Situation::MalformedCredential => "malformed-credential".into(),
            Situation::InvalidCredential => "invalid-credential".into(),
            Situation::ExpiredCredential => "expired-credential".into(),
            Situation::DependencyTimeout => "timeout".into(),
            Situation::DependencyStatus(s) => format!("status-{s}"),
            Situation::DependencyReset => "reset".into(),
            Situation::DependencyRefused => "refuses-connections".into(),
            Situation::DependencyClosed => "closed".into(),
            Situation::DependencyEmptyBody => "empty-body".into(),
            Situation::DependencyNotJson => "not-json".into(),
            Situation::DependencyBreaksContract(slug, _) => format!("breaks-contract-{slug}"),
            Situation::DependencyFailsOnce => "fails-once-then-succeeds".into(),
            Situation::BadInput(slug) => slug.clone(),
        }
    }
}
