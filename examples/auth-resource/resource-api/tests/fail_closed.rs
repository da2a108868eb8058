//! When the Authorization Service fails or answers something unusable, the Resource API answers
//! 503 within its bound and never grants (REQ-INT-205, REQ-INT-206).

mod support;

use std::time::Duration;

use support::*;

const TOKEN: &str = "tok-fail-closed-51c2";

/// REQ-INT-205: a 1 s bound on the auth call, so 503 well within 2 s.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

fn failures() -> Vec<(&'static str, Reply, &'static str)> {
    vec![
        ("500", Reply::Text(500, "boom"), "auth_status_5xx"),
        (
            "500 with a valid-looking body",
            Reply::Json(500, json!({"valid": true, "user_id": "user-123"})),
            "auth_status_5xx",
        ),
        ("502", Reply::Text(502, ""), "auth_status_5xx"),
        ("503", Reply::Text(503, ""), "auth_status_5xx"),
        ("429", Reply::Text(429, ""), "auth_rate_limited"),
        ("302", Reply::Text(302, ""), "auth_unexpected_status"),
        ("404", Reply::Text(404, ""), "auth_unexpected_status"),
        ("empty body", Reply::Text(200, ""), "auth_empty_body"),
        (
            "html body",
            Reply::Text(200, "<html>ok</html>"),
            "auth_malformed",
        ),
        (
            "truncated JSON",
            Reply::Text(200, r#"{"valid":true,"user_id":"u"#),
            "auth_malformed",
        ),
        (
            "JSON array",
            Reply::Json(200, json!([true])),
            "auth_malformed",
        ),
        (
            "no valid",
            Reply::Json(200, json!({"user_id": "user-123"})),
            "auth_malformed",
        ),
        (
            "valid as a string",
            Reply::Json(200, json!({"valid": "true", "user_id": "user-123"})),
            "auth_malformed",
        ),
        (
            "no user_id",
            Reply::Json(200, json!({"valid": true})),
            "auth_malformed",
        ),
        (
            "empty user_id",
            Reply::Json(200, json!({"valid": true, "user_id": ""})),
            "auth_malformed",
        ),
        (
            "numeric user_id",
            Reply::Json(200, json!({"valid": true, "user_id": 123})),
            "auth_malformed",
        ),
        ("connection reset", Reply::Reset, "auth_connection_lost"),
        (
            "closed without answer",
            Reply::Close,
            "auth_connection_lost",
        ),
        (
            "body cut short",
            Reply::Raw("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"valid\":true"),
            "auth_connection_lost",
        ),
        (
            "not HTTP",
            Reply::Raw("garbage\r\n\r\n"),
            "auth_connection_lost",
        ),
        ("never answers", Reply::Hang, "auth_timeout"),
        (
            "valid answer after 1.5 s",
            Reply::Delay(Duration::from_millis(1500), Box::new(valid_reply())),
            "auth_timeout",
        ),
    ]
}

#[tokio::test]
async fn every_auth_failure_is_503_never_a_grant() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[]).await;

    for (i, (name, reply, reason)) in failures().into_iter().enumerate() {
        auth.set_reply(reply);
        auth.clear_calls();
        let answer = sut
            .get(&format!("/resources/{i}"), Some(&format!("Bearer {TOKEN}")))
            .await;

        assert_eq!(answer.status, 503, "{name}: {answer:?}");
        assert_common_headers(&answer);
        assert_eq!(
            answer.json(),
            json!({"error": "SERVICE_UNAVAILABLE"}),
            "{name}"
        );
        assert!(
            answer.elapsed < ANSWER_WITHIN,
            "{name}: answered after {:?}",
            answer.elapsed
        );
        assert_eq!(auth.calls().len(), 1, "{name}: exactly one /validate call");

        let lines = sut.audit_lines();
        assert_eq!(lines.len(), i + 1, "{name}: one audit line per request");
        let line = &lines[i];
        assert_eq!(line["decision"], "error", "{name}: {line}");
        assert_eq!(line["reason"], reason, "{name}: {line}");
        assert_eq!(line["request_id"], answer.request_id(), "{name}");
        assert!(line.get("user_id").is_none(), "{name}: {line}");
    }
    assert!(
        sut.audit_lines().iter().all(|l| l["decision"] != "grant"),
        "nothing was granted"
    );
    sut.finish().await.assert_never_shows(TOKEN);
}

#[tokio::test]
async fn hanging_auth_is_503_after_about_the_configured_timeout() {
    let auth = FakeAuth::start(Reply::Hang).await;

    let sut = Sut::start(auth.url(), &[]).await;
    let answer = sut.get("/resources/1", Some("Bearer t")).await;
    assert_eq!(answer.status, 503);
    assert!(
        answer.elapsed >= Duration::from_millis(900) && answer.elapsed < ANSWER_WITHIN,
        "default bound is 1 s, answered after {:?}",
        answer.elapsed
    );

    let sut = Sut::start(auth.url(), &[("AUTH_TIMEOUT_MS", "200")]).await;
    let answer = sut.get("/resources/1", Some("Bearer t")).await;
    assert_eq!(answer.status, 503);
    assert!(
        answer.elapsed < Duration::from_millis(800),
        "AUTH_TIMEOUT_MS=200, answered after {:?}",
        answer.elapsed
    );
}

#[tokio::test]
async fn unreachable_auth_is_503() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let sut = Sut::start(&format!("http://127.0.0.1:{port}"), &[]).await;

    let answer = sut.get("/resources/9", Some("Bearer t")).await;

    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.json(), json!({"error": "SERVICE_UNAVAILABLE"}));
    assert!(answer.elapsed < ANSWER_WITHIN);
    let lines = sut.audit_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["decision"], "error");
    assert_eq!(lines[0]["reason"], "auth_unreachable");
}
