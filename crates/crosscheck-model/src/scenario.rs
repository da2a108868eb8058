//! Scenarios: one integration test each, traceable to requirements.

use crate::located::Located;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::duration::Span;
use crate::jsonpath::Path;
use crate::matcher::Matcher;
pub use crate::wait::Wait;

/// The state every mocked dependency starts each scenario in (see [`Stub::state`]).
pub const INITIAL_STATE: &str = "started";

/// One integration test.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identifier, unique within the suite.
    pub id: Located<String>,
    /// A sentence saying what the scenario shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The requirement IDs this scenario verifies.
    #[serde(default)]
    pub covers: Vec<Located<String>>,
    /// What sort of case this is.
    pub kind: Kind,
    /// Who wrote it.
    #[serde(default)]
    pub origin: Origin,
    /// Review state; generated and LLM-written scenarios start as `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Stubs and faults per dependency, keyed by the dependency's name in the system map.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub given: IndexMap<Located<String>, Vec<Stub>>,
    /// The request, for a one-step scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Request>,
    /// What must hold after the request, for a one-step scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Expect>,
    /// Several requests in order, each with its expectations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Rows and messages put in place before the first request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<crate::effects::Seed>,
}

impl Scenario {
    /// The scenario's steps: `steps`, or `when`/`then` as one step.
    pub fn steps(&self) -> Vec<(&Request, Option<&Expect>)> {
        if let Some(when) = &self.when {
            vec![(when, self.then.as_ref())]
        } else {
            self.steps
                .iter()
                .map(|s| (&s.when, s.then.as_ref()))
                .collect()
        }
    }
}

impl Scenario {
    /// What step `index` of [`Scenario::steps`] captures (nothing for `when`/`then`).
    pub fn captures_at(
        &self,
        index: usize,
    ) -> Option<&IndexMap<Located<String>, crate::capture::Source>> {
        if self.when.is_some() {
            return None;
        }
        self.steps
            .get(index)
            .map(|s| &s.capture)
            .filter(|c| !c.is_empty())
    }
}

/// The sort of case a scenario is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The documented happy path.
    Positive,
    /// Bad input or a rejected request.
    Negative,
    /// Authentication and authorization controls.
    Security,
    /// A dependency misbehaves.
    Fault,
    /// Data consistency across the boundary.
    Consistency,
}

/// Who wrote a scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A person.
    #[default]
    Hand,
    /// The rule-based generator.
    Generated,
    /// An LLM, validated against the contract.
    Llm,
}

/// Whether a person has reviewed a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    /// Nobody has looked at it yet.
    Pending,
    /// A person has accepted it.
    Reviewed,
}

/// One request and its expectations.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The request.
    pub when: Request,
    /// What must hold after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Expect>,
    /// Values taken from this step's response for later steps: a name and where the
    /// value is, e.g. `{ id: $.id }` (JSONPath into the JSON body) or
    /// `{ loc: $response.header.Location }` (see [`crate::capture`]). A later step
    /// writes `${captured.id}` in its path, query, headers or body.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub capture: IndexMap<Located<String>, crate::capture::Source>,
}

/// A request to the service under test.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// HTTP method, upper case.
    #[serde(default = "default_method")]
    pub method: Located<String>,
    /// Path below the service's base URL, e.g. `/resources/42`.
    pub path: Located<String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// A JSON body (sets `Content-Type: application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// A raw text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

fn default_method() -> Located<String> {
    Located::new("GET".to_owned())
}

/// What must hold after a request.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status code: `200`, or a matcher such as `{ one_of: [500, 503] }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Matcher>,
    /// Response headers by name (case-insensitive).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, Matcher>,
    /// The JSON body, by JSONPath.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub json: IndexMap<Path, Matcher>,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Matcher>,
    /// The response conforms to the service's contract (status documented, body valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conforms: Option<bool>,
    /// The response arrives within this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
    /// The calls each double must have seen, keyed by dependency name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub calls: IndexMap<Located<String>, Vec<CallExpect>>,
    /// Log lines that must (or must not) appear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogExpect>,
    /// Rows in the service's database, read before and after the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<crate::effects::SqlExpect>,
    /// Samples of the service's Prometheus metrics, scraped before and after the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<crate::effects::MetricExpect>,
    /// Messages the service publishes to the broker.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<crate::effects::MessageExpect>,
    /// Named observations (`name:` on a log, SQL or message expectation, or a dependency's
    /// name for its first call) that must have happened in this order on one timeline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<Located<String>>,
}

/// Calls a double must have recorded.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CallExpect {
    /// The method; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path, exact or a template such as `/users/{id}`; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Exactly this many matching calls; at least one when absent. `0` means "never called".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Headers every matching call must carry.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, Matcher>,
    /// Query parameters every matching call must carry.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, Matcher>,
    /// The JSON body of every matching call, by JSONPath.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub json: IndexMap<Path, Matcher>,
    /// How long the calls may take to arrive, counted from when the request was sent: the
    /// check waits up to this long for them (webhooks, callbacks and other work a service
    /// does after it answered). With `times: 0`, no matching call may arrive in the whole
    /// window. Without it, calls made while the service answers are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
}

/// A log line that must appear (or must not).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogExpect {
    /// Fields of a JSON log line, by name or JSONPath.
    #[serde(default, rename = "match", skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<Path, Matcher>,
    /// A substring of the raw line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// A regular expression the raw line matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// How long to wait for the line (or, with `absent`, how long it must stay away).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Span>,
    /// The line must not appear.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
    /// Where to look: the log named by `sut.logs` when absent, or the service's own
    /// `stdout` or `stderr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<OutputStream>,
    /// Exactly this many matching lines (checked once the window is over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// A name for `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One of the service's output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A stub on a mocked dependency: when a request matches `on`, answer with `reply`
/// or misbehave with `fault`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stub {
    /// Which requests this stub answers; all when absent.
    #[serde(default)]
    pub on: RequestPattern,
    /// The answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    /// A failure instead of (or before) the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Answer only the first N matching requests, then let later stubs answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Answer only every k-th matching request (the k-th, 2k-th, …); the others fall
    /// through to later stubs. With `times`, counts only the calls it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<std::num::NonZeroU32>,
    /// Answer a matching request with this probability (0 to 1), drawn from the run's
    /// seed; the others fall through to later stubs.
    #[serde(
        default,
        deserialize_with = "probability",
        skip_serializing_if = "Option::is_none"
    )]
    pub probability: Option<f64>,
    /// Answer only while the dependency's state is this one (every double starts in
    /// `started`); the others fall through to later stubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Located<String>>,
    /// After answering, move the dependency's state to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_state: Option<Located<String>>,
    /// On a `double: proxy` dependency: a network fault for this scenario (an entry
    /// holds only `toxic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toxic: Option<ToxicSpec>,
}

/// A toxic on a proxied dependency, in Toxiproxy's terms.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToxicSpec {
    /// What the toxic does.
    #[serde(rename = "type")]
    pub kind: ToxicType,
    /// Which direction it acts on; `downstream` (towards the service) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<ToxicStream>,
    /// The probability (0 to 1) that it applies to a connection; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toxicity: Option<f32>,
    /// A name; `<type>_<stream>` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The toxic's attributes (whole numbers), e.g. `{ latency: 500, jitter: 50 }`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, u64>,
}

/// The kinds of toxic: Toxiproxy's, plus `down`, `hang` and `refuse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToxicType {
    /// Delay data by `latency` ms ± `jitter` ms.
    Latency,
    /// Limit the rate to `rate` KB/s.
    Bandwidth,
    /// Delay the close by `delay` ms.
    SlowClose,
    /// Drop data, close after `timeout` ms (0: never).
    Timeout,
    /// Reset the connection after `timeout` ms.
    ResetPeer,
    /// Cut data into `average_size` ± `size_variation` byte pieces, `delay` µs apart.
    Slicer,
    /// Close after `bytes` bytes.
    LimitData,
    /// The proxy is down: connections are refused.
    Down,
    /// Accept connections and never answer (close after `timeout` ms; 0: never).
    Hang,
    /// Accept connections and reset them at once.
    Refuse,
}

impl ToxicType {
    /// The name in Toxiproxy's API, e.g. `slow_close`.
    pub fn as_str(self) -> &'static str {
        match self {
            ToxicType::Latency => "latency",
            ToxicType::Bandwidth => "bandwidth",
            ToxicType::SlowClose => "slow_close",
            ToxicType::Timeout => "timeout",
            ToxicType::ResetPeer => "reset_peer",
            ToxicType::Slicer => "slicer",
            ToxicType::LimitData => "limit_data",
            ToxicType::Down => "down",
            ToxicType::Hang => "hang",
            ToxicType::Refuse => "refuse",
        }
    }
}

/// The direction a toxic acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToxicStream {
    /// From the service to the dependency.
    Upstream,
    /// From the dependency back to the service.
    Downstream,
}

impl Stub {
    /// Whether the entry is a toxic alone (no matching, reply, fault or count).
    pub fn is_toxic_only(&self) -> bool {
        self.toxic.is_some()
            && self.every.is_none()
            && self.reply.is_none()
            && self.fault.is_none()
            && self.times.is_none()
            && self.probability.is_none()
            && self.state.is_none()
            && self.next_state.is_none()
            && self.on.method.is_none()
            && self.on.path.is_none()
            && self.on.query.is_empty()
            && self.on.headers.is_empty()
            && self.on.json.is_empty()
    }
}

/// Which requests a stub answers.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPattern {
    /// The method; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path, exact or a template such as `/users/{id}`; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, Matcher>,
    /// Headers.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, Matcher>,
    /// The JSON body, by JSONPath.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub json: IndexMap<Path, Matcher>,
}

/// A stubbed answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Status code, 100 to 599; 200 when absent.
    #[serde(default = "default_status", deserialize_with = "status_code")]
    pub status: u16,
    /// Response headers.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// A JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// A raw body, sent as is (use it for malformed JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Wait this long before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Span>,
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            status: default_status(),
            headers: IndexMap::new(),
            json: None,
            body: None,
            delay: None,
        }
    }
}

fn default_status() -> u16 {
    200
}

fn status_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let n = u16::deserialize(d)?;
    if (100..=599).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "{n} is not an HTTP status code; use a number from 100 to 599"
        )))
    }
}

/// A way for a double to misbehave.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// Wait (a fixed time, or a seeded draw from a distribution), then answer with the
    /// reply: the client sees nothing until the headers arrive.
    Delay(Wait),
    /// Accept the request and never answer (until the scenario ends).
    Timeout,
    /// Reset the connection (TCP RST) instead of answering.
    Reset,
    /// Close the connection without sending anything.
    Empty,
    /// Send bytes that are not HTTP.
    Malformed,
    /// Send the headers and part of the body, then close.
    Truncate,
    /// Send the headers and the start of the body, pause, then send the rest.
    Pause(Pause),
    /// Declare a `Content-Length` longer than the body sent, then close.
    #[serde(rename = "wrong_length")]
    WrongLength,
    /// Answer with `Transfer-Encoding: chunked` and a chunk-size line that is not
    /// hexadecimal after the first chunk, then close.
    #[serde(rename = "broken_chunked")]
    BrokenChunked,
    /// Send the body at this many bytes per second (a slow link).
    Bandwidth(#[serde(deserialize_with = "bytes_per_second")] u64),
    /// Refuse every connection for the whole scenario: the double keeps its port but
    /// stops listening, so the service's connect fails at once with "connection refused".
    /// The dependency's only entry, with nothing beside it (`crosscheck validate` says so).
    Refuse,
}

/// A pause in the middle of a body: `{ for: 2s, after: 16 }`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// How long to pause (a duration or a distribution, like `delay`).
    #[serde(rename = "for")]
    pub wait: Wait,
    /// How many body bytes go out before the pause; half the body when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
}

fn bytes_per_second<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom(
            "a bandwidth of 0 bytes per second never sends the body; use `fault: timeout` \
             for that, or a rate of at least 1 byte per second",
        ));
    }
    Ok(n)
}

fn probability<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let p = f64::deserialize(d)?;
    if (0.0..=1.0).contains(&p) {
        Ok(Some(p))
    } else {
        Err(serde::de::Error::custom(format!(
            "probability {p} is not between 0 and 1; write 0.3 for three calls in ten"
        )))
    }
}
