//! The admin API's JSON shapes and status codes, as Toxiproxy defines them.

use crosscheck_double::proxy::ToxiproxyServer;
use serde_json::{Value, json};

struct Api {
    server: ToxiproxyServer,
    client: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        Api {
            server: ToxiproxyServer::start("127.0.0.1:0", 0).await.unwrap(),
            client: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let url = format!("{}{path}", self.server.url());
        let mut req = self
            .client
            .request(method.parse().unwrap(), url)
            .timeout(std::time::Duration::from_secs(5));
        if let Some(b) = body {
            req = req.body(b.to_owned());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }
}

#[tokio::test]
async fn proxies_follow_toxiproxy_shapes_and_codes() {
    let api = Api::start().await;
    let (s, v) = api.call("GET", "/version", None).await;
    assert_eq!(s, 200);
    assert!(v.as_str().unwrap().starts_with("crosscheck-"));

    let body = r#"{"name": "db", "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"}"#;
    let (s, v) = api.call("POST", "/proxies", Some(body)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["name"], "db");
    assert_eq!(v["upstream"], "127.0.0.1:1");
    assert_eq!(v["enabled"], true);
    assert_eq!(v["toxics"], json!([]));
    assert!(!v["listen"].as_str().unwrap().ends_with(":0"), "{v}");

    let (s, v) = api.call("POST", "/proxies", Some(body)).await;
    assert_eq!(
        (s, v),
        (409, json!({"error": "proxy already exists", "status": 409}))
    );

    let (s, v) = api.call("POST", "/proxies", Some(r#"{"name": "x"}"#)).await;
    assert_eq!(
        (s, v),
        (
            400,
            json!({"error": "missing required field: upstream", "status": 400})
        )
    );
    let (s, v) = api.call("POST", "/proxies", Some("{not json")).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("bad request body: "),
        "{v}"
    );

    let (s, v) = api.call("GET", "/proxies", None).await;
    assert_eq!(s, 200);
    assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["db"]);

    let (s, v) = api.call("GET", "/proxies/nope", None).await;
    assert_eq!(
        (s, v),
        (404, json!({"error": "proxy not found", "status": 404}))
    );

    let (s, v) = api
        .call("POST", "/proxies/db", Some(r#"{"enabled": false}"#))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["enabled"], false);

    let (s, _) = api.call("POST", "/reset", None).await;
    assert_eq!(s, 204);
    let (_, v) = api.call("GET", "/proxies/db", None).await;
    assert_eq!(v["enabled"], true, "reset enables every proxy");

    let (s, _) = api.call("DELETE", "/proxies/db", None).await;
    assert_eq!(s, 204);
    let (s, _) = api.call("DELETE", "/proxies/db", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn toxics_follow_toxiproxy_shapes_and_codes() {
    let api = Api::start().await;
    api.call(
        "POST",
        "/proxies",
        Some(r#"{"name": "db", "upstream": "127.0.0.1:1"}"#),
    )
    .await;
    let toxic = r#"{"type": "latency", "attributes": {"latency": 100}}"#;
    let (s, v) = api.call("POST", "/proxies/db/toxics", Some(toxic)).await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"attributes": {"latency": 100, "jitter": 0}, "name": "latency_downstream",
               "type": "latency", "stream": "downstream", "toxicity": 1.0})
    );
    let (s, v) = api.call("POST", "/proxies/db/toxics", Some(toxic)).await;
    assert_eq!(
        (s, v),
        (409, json!({"error": "toxic already exists", "status": 409}))
    );

    let (s, v) = api
        .call(
            "POST",
            "/proxies/db/toxics",
            Some(r#"{"type": "latency", "stream": "sideways"}"#),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        v["error"],
        "stream was invalid, can be either upstream or downstream"
    );
    let (s, v) = api
        .call("POST", "/proxies/db/toxics", Some(r#"{"type": "lag"}"#))
        .await;
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid toxic type"),
        "{v}"
    );
    let (s, v) = api
        .call(
            "POST",
            "/proxies/db/toxics",
            Some(r#"{"type": "latency", "attributes": {"latency": "1s"}}"#),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("`latency` must be a whole number"),
        "{v}"
    );

    let (s, v) = api
        .call(
            "POST",
            "/proxies/db/toxics/latency_downstream",
            Some(r#"{"attributes": {"jitter": 5}, "toxicity": 0.5}"#),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["attributes"], json!({"latency": 100, "jitter": 5}));
    assert_eq!(v["toxicity"], 0.5);

    let (s, v) = api.call("GET", "/proxies/db/toxics", None).await;
    assert_eq!(s, 200);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (_, v) = api.call("GET", "/proxies/db", None).await;
    assert_eq!(v["toxics"][0]["name"], "latency_downstream");

    let (s, _) = api
        .call("DELETE", "/proxies/db/toxics/latency_downstream", None)
        .await;
    assert_eq!(s, 204);
    let (s, v) = api
        .call("GET", "/proxies/db/toxics/latency_downstream", None)
        .await;
    assert_eq!(
        (s, v),
        (404, json!({"error": "toxic not found", "status": 404}))
    );
    let (s, v) = api.call("GET", "/proxies/nope/toxics", None).await;
    assert_eq!(
        (s, v),
        (404, json!({"error": "proxy not found", "status": 404}))
    );
}

#[tokio::test]
async fn populate_creates_replaces_and_is_all_or_nothing() {
    let api = Api::start().await;
    let (s, v) = api
        .call(
            "POST",
            "/populate",
            Some(r#"[{"name": "a", "upstream": "127.0.0.1:1"}, {"name": "b", "upstream": "127.0.0.1:2"}]"#),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["proxies"].as_array().unwrap().len(), 2);
    assert_eq!(v["proxies"][1]["name"], "b");

    let (s, v) = api
        .call(
            "POST",
            "/populate",
            Some(r#"[{"name": "a", "upstream": "127.0.0.1:3"}]"#),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(v["proxies"][0]["upstream"], "127.0.0.1:3");

    let (s, v) = api
        .call(
            "POST",
            "/populate",
            Some(r#"[{"name": "c", "upstream": "127.0.0.1:4"}, {"name": ""}]"#),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (_, v) = api.call("GET", "/proxies", None).await;
    assert!(
        v.get("c").is_none(),
        "nothing created when one entry is bad"
    );

    let (s, _) = api
        .call("POST", "/populate", Some(r#"{"name": "a"}"#))
        .await;
    assert_eq!(s, 400);
}
