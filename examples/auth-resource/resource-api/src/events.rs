//! Access events: one JSON message per decision on the Redis stream `access-events`
//! (`BROKER_URL=redis://host:port/`), published after the decision is stored. Without
//! `BROKER_URL` no events are published.

use redis::AsyncCommands;
use serde_json::Value;

/// The stream events go to.
pub(crate) const STREAM: &str = "access-events";

/// A connection to the broker.
#[derive(Clone)]
pub(crate) struct Events {
    conn: redis::aio::MultiplexedConnection,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events")
    }
}

impl Events {
    /// Connects to `url`.
    pub(crate) async fn connect(url: &str) -> Result<Events, String> {
        let client = redis::Client::open(url).map_err(|e| e.to_string())?;
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(std::time::Duration::from_secs(5))
            .set_response_timeout(std::time::Duration::from_secs(5));
        let conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Events { conn })
    }

    /// Publishes one event as the `payload` field of a stream entry.
    pub(crate) async fn publish(&self, event: &Value) -> Result<(), String> {
        let mut conn = self.conn.clone();
        let _: String = conn
            .xadd(STREAM, "*", &[("payload", event.to_string())])
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
