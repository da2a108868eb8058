//! Side effects in the formats: where the service's database, metrics and broker are
//! (system map), what a scenario seeds before its request, and what it expects to find
//! after it (rows, metric samples, messages), with consistency windows.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::duration::Span;
use crate::jsonpath::Path;
use crate::matcher::Matcher;

/// `sut.database`: the database the service writes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `sqlite:<file>` or `postgres://user@host:port/db`, after `${…}` substitution.
    pub url: String,
    /// How long one attempt to connect may take before the probe reports the database as
    /// unreachable (default 2 s). A refused connection is reported at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Span>,
}

/// `sut.metrics`: the service's Prometheus endpoint.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsEndpoint {
    /// A path below the service's URL, e.g. `/metrics`, or a full URL.
    pub get: String,
}

/// `sut.broker`: the broker the service publishes to.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerConfig {
    /// `redis://host:port/` (Redis Streams). An empty URL (after `${…}` substitution)
    /// means there is no broker in this run: message expectations are reported as not
    /// checked, and the run says so.
    pub url: String,
    /// How long connecting (and each command) may take before the probe reports the broker
    /// as unreachable (default 2 s). A refused connection is reported at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Span>,
}

/// `seed`: what is put in place before the first request.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Statements run against `sut.database`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<SqlStatement>,
    /// Messages published to the broker, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<SeedMessage>,
}

/// One SQL statement with its parameters.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SqlStatement {
    /// The statement; `?` (SQLite) or `$1…` (PostgreSQL) for parameters.
    pub query: String,
    /// Values bound to the parameters, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Value>,
}

/// A message published before the request.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMessage {
    /// The stream (topic).
    pub to: String,
    /// A JSON payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// A text payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Rows a query must return after the request. The query runs before the request too,
/// so `added` and `unchanged` compare the two.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SqlExpect {
    /// A name for `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The query.
    pub query: String,
    /// Values bound to its parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Value>,
    /// How many rows it returns after the request: `1`, or a matcher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Matcher>,
    /// Each entry must match a different row of the result, by column.
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<IndexMap<String, Matcher>>,
    /// The rows that are new since before the request: exactly these, one each. `[]`
    /// means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Vec<IndexMap<String, Matcher>>>,
    /// The result is the same before and after the request (nothing written, or rolled back).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
    /// How long the result may take to become true (polling with backoff); 1s by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
    /// Once true, it must stay true this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stays: Option<Span>,
    /// A column holding when the row was written (RFC 3339 or epoch), for `order`; the
    /// time the probe saw the rows otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A metric sample after the request.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricExpect {
    /// The sample name: `decisions_total`, or `auth_call_seconds_count` for a histogram's count.
    pub name: String,
    /// Labels the sample must carry (others may be present; matching samples are summed).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// The change since before the request (counters, histogram counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Matcher>,
    /// The value after the request (gauges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Matcher>,
    /// How long it may take to become true; 1s by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
    /// Once true, it must stay true this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stays: Option<Span>,
}

/// A message the service must (or must not) publish.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MessageExpect {
    /// A name for `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The stream (topic).
    pub to: String,
    /// Fields of the JSON payload, by name or JSONPath.
    #[serde(default, rename = "match", skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<Path, Matcher>,
    /// No matching message may be published (watched for the whole window).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
    /// Exactly this many matching messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// How long to wait (1s by default; 300ms for `absent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
}
