//! The messages probe: what the service published to a broker.
//!
//! The broker is Redis Streams (see `docs/design/0005-side-effects.md` for why). The probe
//! is shaped around what every log-structured broker shares, so Kafka can follow as a
//! second [`Broker`] variant: a *topic* (a Redis stream; a Kafka topic), a *position*
//! taken before the request (the stream's last entry id; per-partition offsets), and
//! *reading since the position* (`XRANGE (id +`; a consumer seeking to the offsets).
//! Taking the position before the request is how the probe subscribes: nothing published
//! afterwards can be missed, and nothing published before is seen.

use std::time::Duration;

use indexmap::IndexMap;
use redis::AsyncCommands;
use serde_json::Value;

use crate::error::{ProbeError, redact_url};

/// The field a message's payload is written to and read from, unless the stream entry
/// has exactly one field (then that one is the payload).
pub const PAYLOAD_FIELD: &str = "payload";

/// How long connecting and each broker command may take when the system map does not say
/// (`sut.broker.connect_timeout`).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// One message read from a topic.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The topic (stream) it was published to.
    pub topic: String,
    /// The broker's id for it (`1732495200123-0`).
    pub id: String,
    /// When the broker accepted it, epoch milliseconds (from the entry id).
    pub at_ms: f64,
    /// Its fields.
    pub fields: IndexMap<String, String>,
}

impl Message {
    /// The payload text: the `payload` field, or the only field.
    pub fn payload(&self) -> Option<&str> {
        self.fields
            .get(PAYLOAD_FIELD)
            .or_else(|| (self.fields.len() == 1).then(|| &self.fields[0]))
            .map(String::as_str)
    }

    /// The payload as JSON, when it is JSON; otherwise the fields as an object.
    pub fn json(&self) -> Value {
        if let Some(doc) = self.payload().and_then(|p| serde_json::from_str(p).ok()) {
            return doc;
        }
        Value::Object(
            self.fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect(),
        )
    }

    /// One line for messages and evidence: `topic id payload`.
    pub fn describe(&self) -> String {
        let body = match self.payload() {
            Some(p) => p.to_owned(),
            None => serde_json::to_string(&self.fields).unwrap_or_default(),
        };
        format!("{} {} {}", self.topic, self.id, body)
    }
}

/// Where a topic stood when the probe subscribed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position(String);

/// A broker connection.
#[derive(Clone)]
pub enum Broker {
    /// Redis Streams.
    Redis {
        /// The URL, password masked.
        url: String,
        /// A multiplexed connection.
        conn: redis::aio::MultiplexedConnection,
    },
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker").field("url", &self.url()).finish()
    }
}

impl Broker {
    /// Connects to `redis://host:port/`, giving up after [`DEFAULT_CONNECT_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self, ProbeError> {
        Self::connect_within(url, DEFAULT_CONNECT_TIMEOUT).await
    }

    /// Connects to `redis://host:port/`; connecting and each later command may take at
    /// most `timeout`.
    pub async fn connect_within(url: &str, timeout: Duration) -> Result<Self, ProbeError> {
        let shown = redact_url(url);
        let fail = |reason: String| ProbeError::Broker {
            url: shown.clone(),
            tried: "connect".to_owned(),
            reason,
        };
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(fail(
                "only Redis Streams is supported: use redis://host:port/".to_owned(),
            ));
        }
        let client = redis::Client::open(url).map_err(|e| fail(e.to_string()))?;
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout);
        let mut conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| fail(e.to_string()))?;
        Ok(Broker::Redis { url: shown, conn })
    }

    /// The URL, password masked.
    pub fn url(&self) -> &str {
        match self {
            Broker::Redis { url, .. } => url,
        }
    }

    /// Subscribes to `topic`: where it stands now.
    pub async fn position(&self, topic: &str) -> Result<Position, ProbeError> {
        match self {
            Broker::Redis { conn, .. } => {
                let mut conn = conn.clone();
                let last: redis::streams::StreamRangeReply = conn
                    .xrevrange_count(topic, "+", "-", 1)
                    .await
                    .map_err(|e| self.error(format!("read the end of stream `{topic}`"), e))?;
                Ok(Position(
                    last.ids
                        .first()
                        .map_or_else(|| "0-0".to_owned(), |e| e.id.clone()),
                ))
            }
        }
    }

    /// Every message published to `topic` after `from`, oldest first (at most 10 000).
    pub async fn read_since(
        &self,
        topic: &str,
        from: &Position,
    ) -> Result<Vec<Message>, ProbeError> {
        match self {
            Broker::Redis { conn, .. } => {
                let mut conn = conn.clone();
                let start = format!("({}", from.0);
                let reply: redis::streams::StreamRangeReply = conn
                    .xrange_count(topic, start, "+", 10_000)
                    .await
                    .map_err(|e| self.error(format!("read stream `{topic}`"), e))?;
                Ok(reply
                    .ids
                    .into_iter()
                    .map(|entry| {
                        let at_ms = entry
                            .id
                            .split('-')
                            .next()
                            .and_then(|ms| ms.parse::<f64>().ok())
                            .unwrap_or(0.0);
                        let mut fields: Vec<(String, String)> = entry
                            .map
                            .iter()
                            .map(|(k, v)| {
                                let text = redis::from_redis_value::<String>(v)
                                    .unwrap_or_else(|_| format!("{v:?}"));
                                (k.clone(), text)
                            })
                            .collect();
                        fields.sort();
                        Message {
                            topic: topic.to_owned(),
                            id: entry.id,
                            at_ms,
                            fields: fields.into_iter().collect(),
                        }
                    })
                    .collect())
            }
        }
    }

    /// Publishes `payload` to `topic` (seed messages) and returns its id.
    pub async fn publish(&self, topic: &str, payload: &str) -> Result<String, ProbeError> {
        match self {
            Broker::Redis { conn, .. } => {
                let mut conn = conn.clone();
                conn.xadd(topic, "*", &[(PAYLOAD_FIELD, payload)])
                    .await
                    .map_err(|e| self.error(format!("publish to stream `{topic}`"), e))
            }
        }
    }

    fn error(&self, tried: String, e: redis::RedisError) -> ProbeError {
        ProbeError::Broker {
            url: self.url().to_owned(),
            tried,
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(fields: &[(&str, &str)]) -> Message {
        Message {
            topic: "t".into(),
            id: "1-0".into(),
            at_ms: 1.0,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn payload_is_the_payload_field_or_the_only_field() {
        let m = message(&[("payload", r#"{"a":1}"#), ("kind", "x")]);
        assert_eq!(m.json(), serde_json::json!({"a": 1}));
        let m = message(&[("event", r#"{"b":2}"#)]);
        assert_eq!(m.json(), serde_json::json!({"b": 2}));
        let m = message(&[("k", "v"), ("n", "1")]);
        assert_eq!(m.json(), serde_json::json!({"k": "v", "n": "1"}));
        assert_eq!(m.payload(), None);
    }

    #[tokio::test]
    async fn an_unreachable_broker_is_a_clear_error() {
        // Port 1 on loopback: nothing listens there.
        let e = Broker::connect("redis://127.0.0.1:1/").await.unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("messages probe on redis://127.0.0.1:1/ could not connect"),
            "{text}"
        );
        let e = Broker::connect("amqp://x").await.unwrap_err().to_string();
        assert!(e.contains("only Redis Streams"), "{e}");
    }
}
