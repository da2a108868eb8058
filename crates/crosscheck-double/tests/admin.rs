//! WireMock's admin API driven with plain HTTP, as WireMock clients send it.

mod common;

use std::time::{Duration, Instant};

use common::{bounded, client};
use crosscheck_double::{MockOptions, MockServer, Outcome};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn admin_mock() -> MockServer {
    let mut options = MockOptions::default();
    options.admin = true;
    options.seed = 42;
    MockServer::start_with("wm", options).await.unwrap()
}

async fn post(url: &str, body: Value) -> (u16, Value) {
    let r = client().post(url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn mappings_create_list_get_update_delete() {
    let mock = admin_mock().await;
    let base = mock.url();
    let admin = format!("{base}/__admin");
    let c = client();
    bounded(async {
        let (status, created) = post(
            &format!("{admin}/mappings"),
            json!({"request": {"method": "GET", "url": "/hello"},
                   "response": {"status": 200, "jsonBody": {"hello": "world"}, "headers": {"X-Mock": "wm"}}}),
        )
        .await;
        assert_eq!(status, 201);
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["uuid"], created["id"]);

        let r = c.get(format!("{base}/hello")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-mock"], "wm");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"hello": "world"}));

        let list: Value = c.get(format!("{admin}/mappings")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["meta"]["total"], 1);
        assert_eq!(list["mappings"][0]["id"], id.as_str());
        let one: Value = c.get(format!("{admin}/mappings/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(one["request"]["url"], "/hello");

        let r = c
            .put(format!("{admin}/mappings/{id}"))
            .json(&json!({"request": {"method": "GET", "url": "/hello"}, "response": {"status": 202, "body": "changed"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c.get(format!("{base}/hello")).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (202, "changed".to_owned()));

        let r = c.delete(format!("{admin}/mappings/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = c.get(format!("{admin}/mappings/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = c.delete(format!("{admin}/mappings/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = c.get(format!("{base}/hello")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "no stub matched");
    })
    .await;
    mock.shutdown().await;
}

#[tokio::test]
async fn malformed_admin_json_gets_a_400_with_the_reason() {
    let mock = admin_mock().await;
    let admin = format!("{}/__admin", mock.url());
    let c = client();
    bounded(async {
        let r = c.post(format!("{admin}/mappings")).body("{\"request\": ").send().await.unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        assert!(v["errors"][0]["title"].as_str().unwrap().starts_with("the request body is not valid JSON: "), "{v}");

        let (status, v) = post(&format!("{admin}/mappings"),
            json!({"request": {"urlPath": "/x", "headers": {"Accept": {"equalsTo": "json"}}}})).await;
        assert_eq!(status, 400);
        assert_eq!(
            v["errors"][0]["title"],
            "request.headers.Accept: unknown matcher `equalsTo` (supported: equalTo, contains, doesNotContain, matches, doesNotMatch, absent, equalToJson, matchesJsonPath, and, or)"
        );
        let (status, v) = post(&format!("{admin}/requests/count"), json!({"method": "GET", "urlPathh": "/x"})).await;
        assert_eq!(status, 400);
        assert!(v["errors"][0]["title"].as_str().unwrap().starts_with("unknown key `urlPathh` in `request`"), "{v}");
        let r = c.get(format!("{admin}/nope")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // Nothing was created by the bad calls.
        let list: Value = c.get(format!("{admin}/mappings")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["meta"]["total"], 0);
    })
    .await;
    mock.shutdown().await;
}

#[tokio::test]
async fn request_matching_priorities_and_templates() {
    let mock = admin_mock().await;
    let base = mock.url();
    let admin = format!("{base}/__admin");
    let c = client();
    bounded(async {
        let mappings = [
            json!({"priority": 10, "request": {"method": "ANY", "urlPathPattern": "/users/.*"},
                   "response": {"status": 404, "body": "fallback"}}),
            json!({"priority": 1, "request": {"method": "POST", "urlPathTemplate": "/users/{id}",
                     "cookies": {"session": {"matches": "s-[0-9]+"}},
                     "queryParameters": {"dry": {"absent": true}},
                     "bodyPatterns": [{"equalToJson": {"name": "ann"}, "ignoreExtraElements": true},
                                      {"matchesJsonPath": {"expression": "$.age", "matches": "[0-9]+"}}]},
                   "response": {"status": 201, "transformers": ["response-template"],
                     "headers": {"Location": "/users/{{request.path.id}}"},
                     "body": "{\"id\":\"{{request.path.id}}\",\"name\":\"{{request.body.name}}\",\"age\":{{jsonPath request.body '$.age'}}}"}}),
        ];
        for m in mappings {
            assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
        }
        let r = c.post(format!("{base}/users/42")).header("cookie", "session=s-1")
            .json(&json!({"name": "ann", "age": 30, "extra": true})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["location"], "/users/42");
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"id": "42", "name": "ann", "age": 30}));

        // Each mismatch falls through to the low-priority mapping.
        for (cookie, query, body) in [
            ("session=bad", "", json!({"name": "ann", "age": 1})),
            ("session=s-1", "?dry=1", json!({"name": "ann", "age": 1})),
            ("session=s-1", "", json!({"name": "bob", "age": 1})),
            ("session=s-1", "", json!({"name": "ann", "age": "x"})),
        ] {
            let r = c.post(format!("{base}/users/42{query}")).header("cookie", cookie).json(&body).send().await.unwrap();
            assert_eq!(r.text().await.unwrap(), "fallback", "{cookie} {query} {body}");
        }

        let (_, count) = post(&format!("{admin}/requests/count"), json!({"method": "POST", "urlPath": "/users/42"})).await;
        assert_eq!(count, json!({"count": 5}));
        let (_, found) = post(&format!("{admin}/requests/find"),
            json!({"method": "POST", "url": "/users/42?dry=1"})).await;
        assert_eq!(found["requests"].as_array().unwrap().len(), 1);
        assert_eq!(found["requests"][0]["queryParams"]["dry"]["values"], json!(["1"]));
        assert_eq!(found["requests"][0]["cookies"]["session"], "s-1");

        let all: Value = c.get(format!("{admin}/requests")).send().await.unwrap().json().await.unwrap();
        assert_eq!(all["meta"]["total"], 5);
        // Newest first, as WireMock lists them.
        assert_eq!(all["requests"][0]["request"]["body"], "{\"name\":\"ann\",\"age\":\"x\"}");
        assert_eq!(all["requests"][4]["responseDefinition"]["status"], 201);
        assert_eq!(all["requests"][4]["wasMatched"], true);

        let r = c.delete(format!("{admin}/requests")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let (_, count) = post(&format!("{admin}/requests/count"), json!({})).await;
        assert_eq!(count, json!({"count": 0}));
    })
    .await;
    mock.shutdown().await;
}

#[tokio::test]
async fn scenarios_fail_twice_then_succeed_and_reset() {
    let mock = admin_mock().await;
    let base = mock.url();
    let admin = format!("{base}/__admin");
    let c = client();
    bounded(async {
        for (state, next, status) in [("Started", "second", 503), ("second", "ok", 503), ("ok", "ok", 200)] {
            let m = json!({"scenarioName": "flaky", "requiredScenarioState": state, "newScenarioState": next,
                "request": {"method": "GET", "urlPath": "/validate"}, "response": {"status": status}});
            assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
        }
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(c.get(format!("{base}/validate")).send().await.unwrap().status().as_u16());
        }
        assert_eq!(seen, [503, 503, 200, 200]);
        let s: Value = c.get(format!("{admin}/scenarios")).send().await.unwrap().json().await.unwrap();
        assert_eq!(s["scenarios"][0]["state"], "ok");

        let r = c.get(format!("{base}/nothing")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let near: Value = c.get(format!("{admin}/requests/unmatched/near-misses")).send().await.unwrap().json().await.unwrap();
        let first = &near["nearMisses"][0];
        assert_eq!(first["request"]["url"], "/nothing");
        assert!(first["differences"][0].as_str().unwrap().contains("url /nothing does not fit /validate"), "{near}");

        assert_eq!(c.post(format!("{admin}/reset")).send().await.unwrap().status(), 200);
        let list: Value = c.get(format!("{admin}/mappings")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["meta"]["total"], 0);
        assert!(mock.journal().is_empty());
    })
    .await;
    mock.shutdown().await;
}

/// Sends `GET path` on a fresh connection and reads until the server closes or resets.
async fn raw_get(mock: &MockServer, path: &str) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(mock.addr()).await?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.map(|_| out)
}

#[tokio::test]
async fn wiremock_faults_at_the_socket() {
    let mock = admin_mock().await;
    let admin = format!("{}/__admin", mock.url());
    bounded(async {
        for (path, fault) in [
            ("/reset", "CONNECTION_RESET_BY_PEER"),
            ("/empty", "EMPTY_RESPONSE"),
            ("/chunk", "MALFORMED_RESPONSE_CHUNK"),
            ("/random", "RANDOM_DATA_THEN_CLOSE"),
        ] {
            let m = json!({"request": {"urlPath": path}, "response": {"fault": fault}});
            assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
        }
        let reset = raw_get(&mock, "/reset").await;
        assert_eq!(
            reset.unwrap_err().kind(),
            std::io::ErrorKind::ConnectionReset
        );
        assert_eq!(raw_get(&mock, "/empty").await.unwrap(), b"");
        let chunk = String::from_utf8_lossy(&raw_get(&mock, "/chunk").await.unwrap()).into_owned();
        assert!(
            chunk.starts_with(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz"
            ),
            "{chunk}"
        );
        let random = raw_get(&mock, "/random").await.unwrap();
        assert_eq!(random.len(), 64);
        assert!(!random.starts_with(b"HTTP/"));
        // An HTTP client sees the broken chunk as an error, not a body.
        let err = client()
            .get(format!("{}/chunk", mock.url()))
            .send()
            .await
            .unwrap()
            .text()
            .await;
        assert!(err.is_err());
    })
    .await;
    let faults: Vec<Outcome> = mock.journal().into_iter().map(|r| r.outcome).collect();
    assert_eq!(
        faults[0],
        Outcome::Fault {
            fault: "CONNECTION_RESET_BY_PEER".to_owned(),
            status: None
        }
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn delays_do_not_serialize_and_replay_with_the_seed() {
    let mock = admin_mock().await;
    let base = mock.url();
    let admin = format!("{base}/__admin");
    bounded(async {
        let m = json!({"request": {"urlPath": "/slow"}, "response": {"status": 200, "fixedDelayMilliseconds": 300}});
        assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
        let m = json!({"request": {"urlPath": "/jitter"}, "response": {"status": 200,
            "delayDistribution": {"type": "uniform", "lower": 1, "upper": 40}}});
        assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
        let started = Instant::now();
        let calls = (0..10).map(|_| client().get(format!("{base}/slow")).send());
        for r in futures_join(calls).await {
            assert_eq!(r.unwrap().status(), 200);
        }
        // Ten 300 ms delays in parallel take about 300 ms, not 3 s.
        assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
    })
    .await;
    let schedule = |mock: &MockServer| {
        mock.journal()
            .into_iter()
            .filter(|r| r.path == "/jitter")
            .map(|r| r.note.unwrap())
            .collect::<Vec<_>>()
    };
    for _ in 0..5 {
        client().get(format!("{base}/jitter")).send().await.unwrap();
    }
    let first = schedule(&mock);
    assert!(
        first[0].starts_with("delayed ") && first[0].ends_with("ms (uniform 1–40ms)"),
        "{first:?}"
    );
    // Reset puts the random source back to the seed: the same delays again.
    client()
        .post(format!("{admin}/scenarios/reset"))
        .send()
        .await
        .unwrap();
    client()
        .delete(format!("{admin}/requests"))
        .send()
        .await
        .unwrap();
    for _ in 0..5 {
        client().get(format!("{base}/jitter")).send().await.unwrap();
    }
    assert_eq!(schedule(&mock), first);
    mock.shutdown().await;
}

/// Awaits every future concurrently.
async fn futures_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn the_journal_loses_no_request_under_concurrent_load() {
    let mock = admin_mock().await;
    let base = mock.url();
    let admin = format!("{base}/__admin");
    let m = json!({"request": {"urlPath": "/load"}, "response": {"status": 200, "body": "ok"}});
    assert_eq!(post(&format!("{admin}/mappings"), m).await.0, 201);
    let c = reqwest::Client::builder()
        .timeout(common::LIMIT)
        .build()
        .unwrap();
    bounded(async {
        let tasks = (0..40).map(|_| {
            let c = c.clone();
            let url = format!("{base}/load");
            async move {
                for _ in 0..50 {
                    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
                }
            }
        });
        futures_join(tasks).await;
    })
    .await;
    let (_, count) = post(
        &format!("{admin}/requests/count"),
        json!({"urlPath": "/load"}),
    )
    .await;
    assert_eq!(count, json!({"count": 2000}));
    assert_eq!(mock.journal_dropped(), 0);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_bounded_journal_keeps_the_newest() {
    let mut options = MockOptions::default();
    options.admin = true;
    options.journal_capacity = Some(3);
    let mock = MockServer::start_with("wm", options).await.unwrap();
    for i in 0..5 {
        client()
            .get(format!("{}/r{i}", mock.url()))
            .send()
            .await
            .unwrap();
    }
    let paths: Vec<String> = mock.journal().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/r2", "/r3", "/r4"]);
    assert_eq!(mock.journal_dropped(), 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn http2_with_prior_knowledge() {
    let mock = admin_mock().await;
    let m = json!({"request": {"urlPath": "/h2"}, "response": {"status": 200, "body": "two"}});
    assert_eq!(
        post(&format!("{}/__admin/mappings", mock.url()), m).await.0,
        201
    );
    let c = reqwest::Client::builder()
        .http2_prior_knowledge()
        .timeout(common::LIMIT)
        .build()
        .unwrap();
    let r = bounded(c.get(format!("{}/h2", mock.url())).send())
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.text().await.unwrap(), "two");
    mock.shutdown().await;
}

#[tokio::test]
async fn chunked_dribble_delay_spreads_the_body_at_the_socket() {
    let mock = admin_mock().await;
    let (status, _) = post(
        &format!("{}/__admin/mappings", mock.url()),
        json!({
            "request": {"method": "GET", "url": "/drip"},
            "response": {"status": 200, "body": "abcdefgh",
                         "chunkedDribbleDelay": {"numberOfChunks": 4, "totalDuration": 600}}
        }),
    )
    .await;
    assert_eq!(status, 201);
    let mut s = bounded(TcpStream::connect(mock.addr())).await.unwrap();
    bounded(s.write_all(b"GET /drip HTTP/1.1\r\nHost: x\r\n\r\n"))
        .await
        .unwrap();
    let started = Instant::now();
    let mut reads = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = bounded(s.read(&mut buf)).await.unwrap();
        if n == 0 {
            break;
        }
        reads.push((
            started.elapsed(),
            String::from_utf8_lossy(&buf[..n]).into_owned(),
        ));
    }
    let all: String = reads.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.ends_with("\r\n\r\nabcdefgh"), "{all}");
    let last_piece = reads.iter().find(|(_, t)| t.ends_with("gh")).unwrap().0;
    assert!(
        last_piece >= Duration::from_millis(450),
        "four chunks over 600 ms: the last came at {last_piece:?}"
    );
    assert!(reads.len() >= 3, "the body came in {} reads", reads.len());
    let (status, _) = post(
        &format!("{}/__admin/mappings", mock.url()),
        json!({"request": {"url": "/x"},
               "response": {"chunkedDribbleDelay": {"numberOfChunks": 0, "totalDuration": 5}}}),
    )
    .await;
    assert_eq!(status, 400, "zero chunks is refused");
}

/// Reads until the server closes; each read with the time it arrived.
async fn timed_reads(mock: &MockServer, path: &str) -> Vec<(Duration, Vec<u8>)> {
    let mut s = bounded(TcpStream::connect(mock.addr())).await.unwrap();
    bounded(s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()))
        .await
        .unwrap();
    let started = Instant::now();
    let mut reads = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = bounded(s.read(&mut buf)).await.unwrap();
        if n == 0 {
            return reads;
        }
        reads.push((started.elapsed(), buf[..n].to_vec()));
    }
}

#[tokio::test]
async fn crosscheck_body_faults_through_wiremock_mappings() {
    let mock = admin_mock().await;
    let admin = format!("{}/__admin/mappings", mock.url());
    for (url, response) in [
        (
            "/long",
            json!({"status": 200, "body": "0123456789", "fault": "CROSSCHECK_WRONG_LENGTH"}),
        ),
        (
            "/chunk",
            json!({"status": 200, "body": "0123456789", "fault": "CROSSCHECK_BROKEN_CHUNKED"}),
        ),
        (
            "/slow",
            json!({"status": 200, "body": "x".repeat(400), "crosscheckBandwidth": 1000}),
        ),
        (
            "/pause",
            json!({"status": 200, "body": "0123456789",
                          "crosscheckPause": {"milliseconds": 300, "afterBytes": 4}}),
        ),
    ] {
        let (status, body) = post(
            &admin,
            json!({"request": {"method": "GET", "url": url}, "response": response}),
        )
        .await;
        assert_eq!(status, 201, "{url}: {body}");
    }

    // Wrong length: the head promises more than the body that comes before the close.
    let raw: Vec<u8> = timed_reads(&mock, "/long")
        .await
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let declared: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .expect("a content-length")
        .trim()
        .parse()
        .unwrap();
    assert!(
        declared > body.len(),
        "declared {declared}, sent {}: an early EOF",
        body.len()
    );
    let err = client()
        .get(format!("{}/long", mock.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await;
    assert!(err.is_err(), "a client sees a body error");

    // Broken chunked: a chunk-size line that is not hex.
    let raw: Vec<u8> = timed_reads(&mock, "/chunk")
        .await
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    assert!(text.contains("transfer-encoding: chunked"), "{text}");
    let chunks = text.split_once("\r\n\r\n").unwrap().1;
    let bad = chunks
        .split("\r\n")
        .step_by(2)
        .find(|size| !size.is_empty() && usize::from_str_radix(size, 16).is_err());
    assert!(bad.is_some(), "a size line that is not hex in {chunks:?}");

    // Bandwidth: 400 bytes at 1,000 bytes/s take about 0.4 s, in several pieces.
    let reads = timed_reads(&mock, "/slow").await;
    let last = reads.last().unwrap().0;
    assert!(
        last >= Duration::from_millis(250),
        "400 bytes at 1,000 B/s ended at {last:?}"
    );
    assert!(reads.len() >= 3, "the body came in {} reads", reads.len());

    // Pause: the head and 4 body bytes, then 300 ms of silence, then the rest.
    let reads = timed_reads(&mock, "/pause").await;
    let all: Vec<u8> = reads.iter().flat_map(|(_, b)| b.clone()).collect();
    assert!(String::from_utf8_lossy(&all).ends_with("0123456789"));
    let first_half = reads
        .iter()
        .position(|(_, b)| b.ends_with(b"0123"))
        .expect("a read ending at byte 4");
    let gap = reads[first_half + 1].0 - reads[first_half].0;
    assert!(gap >= Duration::from_millis(250), "the pause was {gap:?}");

    // Two body shapes at once is a 400 naming both.
    let (status, body) = post(
        &admin,
        json!({"request": {"url": "/x"},
               "response": {"crosscheckBandwidth": 10, "crosscheckPause": {"milliseconds": 5}}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("at most one of"), "{body}");
    mock.shutdown().await;
}
