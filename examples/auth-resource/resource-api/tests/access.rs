//! The correct behaviour of the Resource API at its boundary with the Authorization Service:
//! grants, denials, routing and the audit line (REQ-INT-201..204, 207..209).

mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use support::*;

const TOKEN: &str = "tok-valid-7f3a9c";

/// Keys of an audit line, sorted.
fn keys(line: &Value) -> Vec<&str> {
    let mut keys: Vec<_> = line
        .as_object()
        .expect("audit line is an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn assert_rfc3339_millis_utc_now(timestamp: &Value) {
    let text = timestamp.as_str().expect("timestamp is a string");
    // 2026-11-24T10:00:00.123Z
    let shape_ok = text.len() == 24
        && text.ends_with('Z')
        && text.as_bytes()[10] == b'T'
        && text.as_bytes()[19] == b'.';
    assert!(
        shape_ok,
        "timestamp `{text}` is not RFC 3339 UTC with millis"
    );
    let at: DateTime<Utc> = text.parse().expect("timestamp parses as RFC 3339");
    let skew = (Utc::now() - at).num_seconds().abs();
    assert!(skew < 60, "timestamp `{text}` is {skew}s away from now");
}

#[tokio::test]
async fn valid_token_grants_and_audits_user_and_timestamp() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    let answer = sut
        .get("/resources/42", Some(&format!("Bearer {TOKEN}")))
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_common_headers(&answer);
    assert_eq!(
        answer.json(),
        json!({"access": "granted", "resource_id": "42", "user_id": "user-123"})
    );

    let calls = auth.calls();
    assert_eq!(calls.len(), 1, "exactly one /validate call: {calls:?}");
    assert_eq!(calls[0].method, "GET");
    assert_eq!(calls[0].path, "/validate");
    assert_eq!(
        calls[0].header_values("authorization"),
        [format!("Bearer {TOKEN}")]
    );

    let lines = sut.audit_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(
        keys(line),
        [
            "decision",
            "request_id",
            "resource_id",
            "timestamp",
            "user_id"
        ]
    );
    assert_eq!(line["decision"], "grant");
    assert_eq!(line["user_id"], "user-123");
    assert_eq!(line["resource_id"], "42");
    assert_eq!(line["request_id"], answer.request_id());
    assert_rfc3339_millis_utc_now(&line["timestamp"]);

    sut.finish().await.assert_never_shows(TOKEN);
}

#[tokio::test]
async fn missing_or_non_bearer_credentials_are_401_without_calling_auth() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    for authorization in [
        None,
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearer"),
        Some(TOKEN),
    ] {
        let answer = sut.get("/resources/42", authorization).await;
        assert_eq!(answer.status, 401, "{authorization:?}: {answer:?}");
        assert_common_headers(&answer);
        assert_eq!(answer.json(), json!({"error": "UNAUTHENTICATED"}));
    }
    assert!(
        auth.calls().is_empty(),
        "auth was called: {:?}",
        auth.calls()
    );

    let lines = sut.audit_lines();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        assert_eq!(
            keys(line),
            [
                "decision",
                "reason",
                "request_id",
                "resource_id",
                "timestamp"
            ]
        );
        assert_eq!(line["decision"], "deny");
        assert_eq!(line["reason"], "missing_credentials");
    }
    sut.finish().await.assert_never_shows("dXNlcjpwYXNz");
}

#[tokio::test]
async fn invalid_and_rejected_tokens_are_403_and_no_grant_is_logged() {
    let auth = FakeAuth::start(invalid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    let replies = [
        invalid_reply(),
        Reply::Json(200, json!({"valid": false, "reason": "revoked"})),
        Reply::Json(401, json!({"error": "invalid_token"})),
        Reply::Text(403, ""),
    ];
    for reply in replies {
        auth.set_reply(reply.clone());
        auth.clear_calls();
        let answer = sut.get("/resources/7", Some("Bearer tok-invalid")).await;
        assert_eq!(answer.status, 403, "{reply:?}: {answer:?}");
        assert_common_headers(&answer);
        assert_eq!(answer.json(), json!({"error": "ACCESS_DENIED"}));
        assert_eq!(auth.calls().len(), 1, "{reply:?}");
    }

    let lines = sut.audit_lines();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        assert_eq!(line["decision"], "deny", "{line}");
        assert_eq!(line["reason"], "invalid_token", "{line}");
        assert_eq!(line["resource_id"], "7");
    }
    sut.finish().await.assert_never_shows("tok-invalid");
}

#[tokio::test]
async fn expired_token_is_403_and_audited_as_expired_with_the_user() {
    let auth = FakeAuth::start(Reply::Json(
        200,
        json!({"valid": false, "user_id": "user-123", "reason": "expired",
               "expires_at": "2026-11-24T09:00:00Z"}),
    ))
    .await;
    let sut = Sut::start(auth.url(), &[]).await;

    let answer = sut.get("/resources/42", Some("Bearer tok-expired")).await;

    assert_eq!(answer.status, 403);
    assert_eq!(answer.json(), json!({"error": "ACCESS_DENIED"}));
    let lines = sut.audit_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["decision"], "deny");
    assert_eq!(lines[0]["reason"], "expired_token");
    assert_eq!(lines[0]["user_id"], "user-123");
    sut.finish().await.assert_never_shows("tok-expired");
}

#[tokio::test]
async fn health_not_found_and_wrong_method() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    let health = sut.get("/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_common_headers(&health);
    assert_eq!(health.json(), json!({"status": "ok"}));

    for path in ["/", "/resources", "/resources/", "/resources/1/2", "/admin"] {
        let answer = sut.get(path, Some("Bearer t")).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_common_headers(&answer);
        assert_eq!(answer.json(), json!({"error": "NOT_FOUND"}));
    }

    let answer = sut
        .send(reqwest::Method::POST, "/resources/1", Some("Bearer t"))
        .await;
    assert_eq!(answer.status, 405);
    assert_common_headers(&answer);
    assert_eq!(answer.header("allow"), Some("GET"));

    assert!(auth.calls().is_empty());
    assert!(
        sut.audit_lines().is_empty(),
        "only /resources decisions are audited"
    );
}

#[tokio::test]
async fn concurrent_requests_each_get_one_whole_audit_line() {
    const N: usize = 25;
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    let mut requests = tokio::task::JoinSet::new();
    for i in 0..N {
        let requester = sut.requester();
        requests.spawn(async move {
            requester
                .send(
                    reqwest::Method::GET,
                    &format!("/resources/{i}"),
                    Some("Bearer tok-many"),
                )
                .await
        });
    }
    let mut ids = Vec::new();
    while let Some(answer) = tokio::time::timeout(Duration::from_secs(20), requests.join_next())
        .await
        .expect("concurrent requests finish in time")
    {
        let answer = answer.expect("request task");
        assert_eq!(answer.status, 200, "{answer:?}");
        ids.push(answer.request_id().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "request ids are unique");

    let lines = sut.audit_lines();
    assert_eq!(lines.len(), N);
    let mut logged: Vec<String> = lines
        .iter()
        .map(|l| l["request_id"].as_str().unwrap().to_owned())
        .collect();
    logged.sort();
    assert_eq!(logged, ids);
    assert_eq!(auth.calls().len(), N);
}
