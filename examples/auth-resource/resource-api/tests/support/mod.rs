//! Shared test harness: a fake Authorization Service and the Resource API binary.
#![allow(dead_code, unused_imports)]

pub mod fake_auth;
pub mod sut;

pub use fake_auth::{Call, FakeAuth, Reply};
pub use serde_json::{Value, json};
pub use sut::{Answer, Sut};

/// The answer of a fake Authorization Service for a valid token of `user-123`.
pub fn valid_reply() -> Reply {
    Reply::Json(200, json!({"valid": true, "user_id": "user-123"}))
}

/// The answer for an invalid token.
pub fn invalid_reply() -> Reply {
    Reply::Json(200, json!({"valid": false}))
}

/// Checks the headers every response carries.
pub fn assert_common_headers(answer: &Answer) {
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{answer:?}"
    );
    let id = uuid::Uuid::parse_str(answer.request_id()).expect("X-Request-Id is a uuid");
    assert_eq!(id.get_version_num(), 4, "X-Request-Id is a v4 uuid");
}
