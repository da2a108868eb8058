//! The SQL and messages probes against real PostgreSQL and Redis, started by
//! `bash scripts/test` (which exports their URLs). Under CI a missing server fails the
//! test; locally the test says how to get one and returns.

use std::time::Duration;

use crosscheck_probe::{Broker, SqlProbe, clock};
use serde_json::json;

/// The URL in `var`, or `None` after saying how to get the server (a failure under CI).
fn server(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let msg = format!(
                "{var} is not set: this test needs a real server; run `bash scripts/test`, \
                 which installs and starts PostgreSQL and Redis on loopback"
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
            eprintln!("note: not run: {msg}");
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), clock::now_ms() as u64)
}

#[tokio::test]
async fn postgres_decodes_each_type_and_binds_parameters() {
    let Some(url) = server("CROSSCHECK_TEST_POSTGRES_URL") else {
        return;
    };
    let probe = SqlProbe::connect(&url).await.unwrap();
    let table = unique("probe_types");
    probe
        .execute(
            &format!(
                "CREATE TABLE {table} (id BIGSERIAL PRIMARY KEY, name TEXT, n INT4, small INT2, \
                 ratio FLOAT8, ok BOOL, doc JSONB, at TIMESTAMPTZ, u UUID, price NUMERIC)"
            ),
            &[],
        )
        .await
        .unwrap();
    probe
        .execute(
            &format!(
                "INSERT INTO {table} (name, n, small, ratio, ok, doc, at, u, price) VALUES \
                 ($1, 7, 2, 0.5, true, '{{\"a\":1}}', '2026-11-25T00:00:00.250Z', \
                 '0b6f3c1e-6a52-4c7e-9d0f-3f8a1b2c4d5e', 1.25)"
            ),
            &[json!("ada")],
        )
        .await
        .unwrap();
    let rows = probe
        .query(
            &format!("SELECT name, n, small, ratio, ok, doc, at, u, price::text AS price FROM {table} WHERE name = $1"),
            &[json!("ada")],
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&rows).unwrap(),
        json!([{
            "name": "ada", "n": 7, "small": 2, "ratio": 0.5, "ok": true, "doc": {"a": 1},
            "at": "2026-11-25T00:00:00.250000Z", "u": "0b6f3c1e-6a52-4c7e-9d0f-3f8a1b2c4d5e",
            "price": "1.25"
        }])
    );
    // A type without a decoder says how to read it.
    let rows = probe
        .query(&format!("SELECT price FROM {table}"), &[])
        .await
        .unwrap();
    let shown = rows[0]["price"].as_str().unwrap();
    assert!(shown.contains("cast it in the query"), "{shown}");
    let e = probe
        .query(&format!("SELECT missing FROM {table}"), &[])
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("could not run `SELECT missing FROM"), "{e}");
    assert!(e.contains("column \"missing\" does not exist"), "{e}");
    probe
        .execute(&format!("DROP TABLE {table}"), &[])
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_postgres_names_the_url_without_its_password() {
    let e = SqlProbe::connect("postgres://app:hunter2@127.0.0.1:1/x")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("sql probe on postgres://app:***@127.0.0.1:1/x could not connect"),
        "{e}"
    );
    assert!(!e.contains("hunter2"), "{e}");
}

#[tokio::test]
async fn redis_streams_position_read_and_publish() {
    let Some(url) = server("CROSSCHECK_TEST_BROKER_URL") else {
        return;
    };
    let broker = Broker::connect(&url).await.unwrap();
    let topic = unique("probe-stream");
    let before = broker.publish(&topic, r#"{"n":0}"#).await.unwrap();
    let pos = broker.position(&topic).await.unwrap();
    let t0 = clock::now_ms();
    broker.publish(&topic, r#"{"n":1}"#).await.unwrap();
    broker.publish(&topic, "not json").await.unwrap();
    let seen = broker.read_since(&topic, &pos).await.unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_ne!(seen[0].id, before);
    assert_eq!(seen[0].json(), json!({"n": 1}));
    assert_eq!(seen[1].payload(), Some("not json"));
    // The broker's clock and ours agree to within a few milliseconds on one machine.
    assert!(
        (seen[0].at_ms - t0).abs() < 1000.0,
        "{} vs {t0}",
        seen[0].at_ms
    );
    // A stream that does not exist yet starts at the beginning.
    let empty = unique("probe-empty");
    let p = broker.position(&empty).await.unwrap();
    assert!(broker.read_since(&empty, &p).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(1)).await;
}
