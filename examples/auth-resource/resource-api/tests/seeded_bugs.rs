//! Each seeded bug really changes behaviour: the same request that the correct Resource API
//! handles right (see `access.rs`, `fail_closed.rs`) goes wrong in the documented way.

mod support;

use std::time::Duration;

use support::*;

const TOKEN: &str = "tok-seeded-9d41e0";

/// A fake auth answering `reply`, and the Resource API with `bug` switched on.
async fn with_bug(bug: &str, reply: Reply) -> (FakeAuth, Sut) {
    let auth = FakeAuth::start(reply).await;
    let sut = Sut::start(auth.url(), &[("RESOURCE_API_BUG", bug)]).await;
    assert!(
        sut.stderr
            .text()
            .contains(&format!("resource-api: seeded bug {bug} active")),
        "{}",
        sut.stderr.text()
    );
    (auth, sut)
}

async fn get_with_token(sut: &Sut) -> Answer {
    sut.get("/resources/42", Some(&format!("Bearer {TOKEN}")))
        .await
}

#[tokio::test]
async fn fail_open_on_5xx_grants_when_auth_fails() {
    let (_auth, sut) = with_bug("fail_open_on_5xx", Reply::Text(500, "")).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["user_id"], "anonymous");
}

#[tokio::test]
async fn no_timeout_waits_as_long_as_auth() {
    let slow = Reply::Delay(Duration::from_millis(2500), Box::new(valid_reply()));
    let (_auth, sut) = with_bug("no_timeout", slow).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 200, "a late answer is used instead of a 503");
    assert!(
        answer.elapsed >= Duration::from_secs(2),
        "{:?}",
        answer.elapsed
    );
}

#[tokio::test]
async fn audit_missing_user_id_drops_the_user() {
    let (_auth, sut) = with_bug("audit_missing_user_id", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    let lines = sut.audit_lines();
    assert_eq!(lines[0]["decision"], "grant");
    assert!(lines[0].get("user_id").is_none(), "{}", lines[0]);
}

#[tokio::test]
async fn token_in_log_writes_the_token_to_the_audit_log() {
    let (_auth, sut) = with_bug("token_in_log", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    assert_eq!(sut.audit_lines()[0]["token"], TOKEN);
}

#[tokio::test]
async fn token_in_stderr_prints_the_header() {
    let (_auth, sut) = with_bug("token_in_stderr", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    let finished = sut.finish().await;
    assert!(finished.stderr.contains(TOKEN), "{}", finished.stderr);
}

#[tokio::test]
async fn token_in_response_echoes_the_token() {
    let (_auth, sut) = with_bug("token_in_response", invalid_reply()).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 403);
    assert!(answer.text.contains(TOKEN), "{}", answer.text);
}

#[tokio::test]
async fn grant_when_valid_absent_grants_without_valid() {
    let reply = Reply::Json(200, json!({"user_id": "user-123"}));
    let (_auth, sut) = with_bug("grant_when_valid_absent", reply).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
}

#[tokio::test]
async fn grant_without_user_id_grants_an_empty_user() {
    let reply = Reply::Json(200, json!({"valid": true}));
    let (_auth, sut) = with_bug("grant_without_user_id", reply).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["user_id"], "");
}

#[tokio::test]
async fn grant_on_malformed_grants_on_garbage() {
    let (_auth, sut) = with_bug("grant_on_malformed", Reply::Text(200, "<html>")).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["user_id"], "unknown");
}

#[tokio::test]
async fn double_validate_calls_auth_twice() {
    let (auth, sut) = with_bug("double_validate", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    assert_eq!(auth.calls().len(), 2);
}

#[tokio::test]
async fn retry_on_error_calls_auth_twice_on_failure() {
    let (auth, sut) = with_bug("retry_on_error", Reply::Text(503, "")).await;
    assert_eq!(get_with_token(&sut).await.status, 503);
    assert_eq!(auth.calls().len(), 2);
}

#[tokio::test]
async fn missing_header_calls_auth_anyway() {
    let (auth, sut) = with_bug("missing_header_calls_auth", invalid_reply()).await;
    assert_eq!(sut.get("/resources/42", None).await.status, 401);
    let calls = auth.calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].header_values("authorization").is_empty());
}

#[tokio::test]
async fn token_not_forwarded_calls_validate_without_credentials() {
    let (auth, sut) = with_bug("token_not_forwarded", valid_reply()).await;
    get_with_token(&sut).await;
    let calls = auth.calls();
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0].header_values("authorization").is_empty(),
        "{calls:?}"
    );
}

#[tokio::test]
async fn status_500_instead_of_503() {
    let (_auth, sut) = with_bug("500_instead_of_503", Reply::Text(503, "")).await;
    assert_eq!(get_with_token(&sut).await.status, 500);
}

#[tokio::test]
async fn wrong_error_body_says_forbidden() {
    let (_auth, sut) = with_bug("wrong_error_body", invalid_reply()).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.json(), json!({"error": "FORBIDDEN"}));
}

#[tokio::test]
async fn status_401_for_invalid_token() {
    let (_auth, sut) = with_bug("401_for_invalid_token", invalid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 401);
}

#[tokio::test]
async fn no_audit_on_grant_writes_nothing() {
    let (_auth, sut) = with_bug("no_audit_on_grant", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    assert!(sut.audit_lines().is_empty());
}

#[tokio::test]
async fn deny_audited_as_grant_logs_a_grant() {
    let (_auth, sut) = with_bug("deny_audited_as_grant", invalid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 403);
    assert_eq!(sut.audit_lines()[0]["decision"], "grant");
}

#[tokio::test]
async fn timestamp_not_rfc3339_writes_epoch_seconds() {
    let (_auth, sut) = with_bug("timestamp_not_rfc3339", valid_reply()).await;
    assert_eq!(get_with_token(&sut).await.status, 200);
    assert!(sut.audit_lines()[0]["timestamp"].is_i64());
}

#[tokio::test]
async fn slow_response_stalls_grants() {
    let (_auth, sut) = with_bug("slow_response", valid_reply()).await;
    let answer = get_with_token(&sut).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.elapsed >= Duration::from_millis(1400),
        "{:?}",
        answer.elapsed
    );
}
