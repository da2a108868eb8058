//! The mock server over real HTTP: matching, sequences, replies, the journal.

mod common;

use std::time::{Duration, Instant};

use common::{bounded, client, stubs};
use crosscheck_double::{MockServer, Outcome, request_matches};
use crosscheck_model::scenario::RequestPattern;
use serde_json::{Value, json};

#[tokio::test]
async fn url_and_port_point_at_loopback() {
    let mock = MockServer::start("auth").await.unwrap();
    assert_eq!(mock.url(), format!("http://127.0.0.1:{}", mock.port()));
    assert_ne!(mock.port(), 0);
    assert_eq!(mock.name(), "auth");
    mock.shutdown().await;
}

#[tokio::test]
async fn matches_method_path_template_header_query_and_json() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        r#"
- on: { method: get, path: "/users/{id}", headers: { X-Debug: { absent: true } } }
  reply: { status: 200, json: { by: template } }
- on: { method: GET, path: /validate, headers: { Authorization: "Bearer good" }, query: { scope: read } }
  reply: { status: 200, json: { valid: true } }
- on: { method: POST, path: /tokens, json: { "$.user.id": 7 } }
  reply: { status: 201, body: created, headers: { X-Kind: token } }
"#,
    ));
    let c = client();
    let url = mock.url();
    bounded(async {
        let r = c.get(format!("{url}/users/42")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"by": "template"}));

        let r = c
            .get(format!("{url}/users/42"))
            .header("X-Debug", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "the absent header matcher must reject");

        let r = c
            .get(format!("{url}/validate?scope=read"))
            .header("authorization", "Bearer good")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");

        let r = c
            .get(format!("{url}/validate?scope=write"))
            .header("authorization", "Bearer good")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        let r = c
            .post(format!("{url}/tokens"))
            .json(&json!({"user": {"id": 7}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["x-kind"], "token");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(r.text().await.unwrap(), "created");

        let r = c
            .post(format!("{url}/tokens"))
            .json(&json!({"user": {"id": 8}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    })
    .await;
    let stubs_used: Vec<_> = mock.journal().iter().map(|r| r.stub).collect();
    assert_eq!(stubs_used, [Some(0), None, Some(1), None, Some(2), None]);
    mock.shutdown().await;
}

#[tokio::test]
async fn first_two_calls_fail_then_succeed() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        r#"
- on: { path: /validate }
  reply: { status: 503, json: { error: busy } }
  times: 2
- on: { path: /validate }
  reply: { status: 200, json: { valid: true } }
"#,
    ));
    let c = client();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = bounded(c.get(format!("{}/validate", mock.url())).send())
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 200]);
    let outcomes: Vec<_> = mock.journal().into_iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Replied { status: 503 },
            Outcome::Replied { status: 503 },
            Outcome::Replied { status: 200 },
        ]
    );

    // A new install starts the count again.
    mock.install(stubs(
        "- { on: { path: /validate }, reply: { status: 503 }, times: 1 }\n",
    ));
    let r = bounded(c.get(format!("{}/validate", mock.url())).send())
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    mock.shutdown().await;
}

#[tokio::test]
async fn unmatched_gets_a_404_naming_the_closest_stub() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        "- { on: { method: GET, path: /validate }, reply: { status: 200 } }\n",
    ));
    let r = bounded(client().get(format!("{}/valid", mock.url())).send())
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "error": "no stub matched",
            "request": "GET /valid",
            "closest": "stub #0 (GET /validate): path /valid differs from /validate",
        })
    );
    let journal = mock.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].outcome, Outcome::Unmatched);
    assert_eq!(journal[0].stub, None);
}

#[tokio::test]
async fn no_reply_means_an_empty_200() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs("- { on: { path: /ping } }\n"));
    let r = bounded(client().get(format!("{}/ping", mock.url())).send())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn journal_records_the_request_and_install_clears_it() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        "- { on: { path: /audit }, reply: { status: 204 } }\n",
    ));
    let r = bounded(
        client()
            .post(format!("{}/audit?user=a%20b&x=1&x=2", mock.url()))
            .header("X-Request-Id", "r-1")
            .json(&json!({"user_id": "user-123"}))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 204);

    let journal = mock.journal();
    assert_eq!(journal.len(), 1);
    let call = &journal[0];
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, "/audit");
    assert_eq!(
        call.query,
        [
            ("user".to_owned(), "a b".to_owned()),
            ("x".to_owned(), "1".to_owned()),
            ("x".to_owned(), "2".to_owned()),
        ]
    );
    assert_eq!(call.header("x-request-id"), Some("r-1"));
    assert_eq!(call.header("Content-Type"), Some("application/json"));
    assert!(call.headers.iter().all(|(n, _)| *n == n.to_lowercase()));
    assert_eq!(call.body, r#"{"user_id":"user-123"}"#);
    assert_eq!(call.json, Some(json!({"user_id": "user-123"})));
    assert_eq!(call.stub, Some(0));
    assert_eq!(call.outcome, Outcome::Replied { status: 204 });

    let serialized = serde_json::to_value(call).unwrap();
    assert_eq!(
        serialized["outcome"],
        json!({"kind": "replied", "status": 204})
    );

    let pattern = RequestPattern {
        method: Some("POST".to_owned()),
        path: Some("/audit".to_owned()),
        ..Default::default()
    };
    assert_eq!(request_matches(&pattern, call), Ok(()));

    mock.install(Vec::new());
    assert!(mock.journal().is_empty());
}

#[tokio::test]
async fn journal_grew_wakes_a_waiter_when_a_request_is_journaled() {
    let mock = MockServer::start("hooks").await.unwrap();
    mock.install(stubs(
        "- { on: { path: /events }, reply: { status: 204 } }\n",
    ));
    let grew = mock.journal_grew();
    tokio::pin!(grew);
    grew.as_mut().enable();
    assert!(mock.journal().is_empty());
    // Nothing arrived: the waiter stays asleep.
    assert!(
        tokio::time::timeout(Duration::from_millis(50), grew.as_mut())
            .await
            .is_err()
    );
    let url = mock.url();
    let send = tokio::spawn(async move { client().post(format!("{url}/events")).send().await });
    bounded(grew).await;
    assert_eq!(mock.journal().len(), 1);
    assert_eq!(send.await.unwrap().unwrap().status(), 204);
}

#[tokio::test]
async fn journal_orders_requests_and_times_them_from_install() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(Vec::new());
    let c = client();
    for path in ["/a", "/b", "/c"] {
        bounded(c.get(format!("{}{path}", mock.url())).send())
            .await
            .unwrap();
    }
    let journal = mock.journal();
    let paths: Vec<_> = journal.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/a", "/b", "/c"]);
    assert!(journal.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert!(journal[0].at_ms < 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delays_do_not_serialize_concurrent_requests() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        "- { on: { path: /slow }, fault: { delay: 300ms }, reply: { status: 200, json: { ok: true } } }\n",
    ));
    let c = client();
    let started = Instant::now();
    let requests = (0..20).map(|_| {
        let c = c.clone();
        let url = format!("{}/slow", mock.url());
        tokio::spawn(async move {
            let sent = Instant::now();
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            sent.elapsed()
        })
    });
    let handles: Vec<_> = requests.collect();
    for h in handles {
        let took = bounded(h).await.unwrap();
        assert!(
            took >= Duration::from_millis(290),
            "the delay was not applied: {took:?}"
        );
    }
    let total = started.elapsed();
    assert!(
        total < Duration::from_secs(3),
        "delays serialized: {total:?}"
    );
    let journal = mock.journal();
    assert_eq!(journal.len(), 20);
    assert!(journal.iter().all(|r| r.outcome
        == Outcome::Fault {
            fault: "delay 300ms".to_owned(),
            status: Some(200)
        }));
    mock.shutdown().await;
}

#[tokio::test]
async fn reply_delay_is_applied() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        "- { on: { path: /slow }, reply: { status: 202, delay: 200ms } }\n",
    ));
    let started = Instant::now();
    let r = bounded(client().get(format!("{}/slow", mock.url())).send())
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert!(started.elapsed() >= Duration::from_millis(190));
    assert_eq!(mock.journal()[0].outcome, Outcome::Replied { status: 202 });
}

#[tokio::test]
async fn shutdown_and_drop_stop_listening() {
    let mock = MockServer::start("auth").await.unwrap();
    let addr = mock.addr();
    mock.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    mock.shutdown().await; // a second call does nothing

    let mock = MockServer::start("auth").await.unwrap();
    let addr = mock.addr();
    drop(mock);
    bounded(async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn binding_a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let err = MockServer::start_on("auth", addr).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("bind the mock server `auth` to {addr}")
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn the_server_handle_can_be_shared_across_tasks() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<MockServer>();
    send_sync::<crosscheck_double::RecordedRequest>();
    send_sync::<crosscheck_double::DoubleError>();
}
