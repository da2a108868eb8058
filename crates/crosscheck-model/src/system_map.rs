//! The system map, `crosscheck.yaml`: the service under test and its dependencies.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::duration::Span;
use crate::located::Located;

/// The root of a suite: what to test and what it depends on.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SystemMap {
    /// Format version; only `1` exists.
    #[serde(default = "default_version")]
    pub version: u32,
    /// The service under test.
    pub sut: Sut,
    /// Dependencies by name.
    #[serde(default)]
    pub dependencies: IndexMap<Located<String>, Dependency>,
    /// The requirements file (Markdown or YAML), relative to the suite root.
    #[serde(default = "default_requirements")]
    pub requirements: String,
    /// The scenarios folder or file, relative to the suite root.
    #[serde(default = "default_scenarios")]
    pub scenarios: String,
    /// Credentials the service accepts, keyed by the name of a security scheme in its
    /// contract, so generated scenarios can pass authentication (and derive missing,
    /// malformed, invalid and expired variants).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub credentials: IndexMap<Located<String>, Credential>,
    /// How `crosscheck audit` judges the suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditConfig>,
    /// The chat completions endpoint `crosscheck generate --llm` asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<crate::llm::LlmConfig>,
}

/// A credential the service under test accepts.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// The request header that carries it, e.g. `Authorization` or `X-Api-Key`.
    pub header: String,
    /// The header's whole value, e.g. `Bearer valid-token-abc`. A test credential: it
    /// is written into generated scenarios as is.
    pub value: String,
}

/// How `crosscheck audit` judges the suite.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The checklist items that must pass (the audit exits 1 when one fails); the
    /// others are reported as warnings. Every item when absent.
    #[serde(default = "AuditItem::all")]
    pub required: Vec<AuditItem>,
    /// Hosts besides loopback that the service may be pointed at (dedicated test
    /// instances), e.g. `auth.test.internal`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_hosts: Vec<String>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            required: AuditItem::all(),
            allow_hosts: Vec::new(),
        }
    }
}

/// An item of the governance checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditItem {
    /// The tests validate the documented interface contract.
    A,
    /// Error scenarios reflect realistic failure modes.
    B,
    /// External dependencies are doubled or use dedicated test instances.
    C,
    /// The tests verify observable side effects.
    D,
    /// Every test traces to a requirement and every requirement is covered.
    E,
    /// Security controls are validated.
    F,
}

impl AuditItem {
    /// Every item, in order.
    pub fn all() -> Vec<AuditItem> {
        vec![
            AuditItem::A,
            AuditItem::B,
            AuditItem::C,
            AuditItem::D,
            AuditItem::E,
            AuditItem::F,
        ]
    }

    /// `a` … `f`.
    pub fn letter(self) -> &'static str {
        match self {
            AuditItem::A => "a",
            AuditItem::B => "b",
            AuditItem::C => "c",
            AuditItem::D => "d",
            AuditItem::E => "e",
            AuditItem::F => "f",
        }
    }
}

fn default_version() -> u32 {
    1
}
fn default_requirements() -> String {
    "requirements.md".to_owned()
}
fn default_scenarios() -> String {
    "scenarios".to_owned()
}

/// The service under test.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sut {
    /// A short name for messages and reports.
    pub name: String,
    /// Run once before the first start, e.g. to compile the service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build: Vec<String>,
    /// The command that starts the service, as an argument list. `${…}` variables apply.
    pub start: Located<Vec<String>>,
    /// The working directory for `build` and `start`, relative to the suite root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// The service's base URL.
    #[serde(default = "default_url")]
    pub url: String,
    /// How to tell the service is ready.
    #[serde(default)]
    pub ready: Ready,
    /// Environment for the service, on top of crosscheck's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub env: IndexMap<String, String>,
    /// The service's interface contract (OpenAPI), relative to the suite root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Located<String>>,
    /// Where the service writes the log lines scenarios assert on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Logs>,
    /// How long a request may take before the runner gives up on it.
    #[serde(default = "default_request_timeout")]
    pub request_timeout: Span,
    /// The database the service writes, read by `then.sql` and seeded by `seed.sql`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<crate::effects::Database>,
    /// The service's Prometheus metrics endpoint, read by `then.metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<crate::effects::MetricsEndpoint>,
    /// The broker the service publishes to, read by `then.messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<crate::effects::BrokerConfig>,
}

fn default_url() -> String {
    "http://127.0.0.1:${port}".to_owned()
}
fn default_request_timeout() -> Span {
    Span(std::time::Duration::from_secs(10))
}

/// The readiness check.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    /// A path that answers 2xx once the service is ready.
    #[serde(default = "default_ready_path")]
    pub get: String,
    /// How long to wait for readiness before giving up.
    #[serde(default = "default_ready_timeout")]
    pub timeout: Span,
}

impl Default for Ready {
    fn default() -> Self {
        Ready {
            get: default_ready_path(),
            timeout: default_ready_timeout(),
        }
    }
}

fn default_ready_path() -> String {
    "/".to_owned()
}
fn default_ready_timeout() -> Span {
    Span(std::time::Duration::from_secs(10))
}

/// A log the service writes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    /// The file, after `${…}` substitution; `stdout` or `stderr` read the process's streams.
    pub file: String,
    /// How lines are written.
    #[serde(default)]
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    #[default]
    Json,
    /// Plain text lines.
    Text,
}

/// A dependency of the service under test.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// Its interface contract (OpenAPI), relative to the suite root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Located<String>>,
    /// How crosscheck stands in for it.
    #[serde(default)]
    pub double: DoubleKind,
    /// For `double: proxy`: the real test instance behind the proxy, `host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<Located<String>>,
    /// For `double: mock`: this double receives the service's OpenAPI callbacks
    /// (webhooks): generated scenarios point the callback URL they send at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<Located<bool>>,
}

impl Dependency {
    /// Whether the map marks this dependency as the receiver of callbacks.
    pub fn receives_callbacks(&self) -> bool {
        self.callbacks.as_ref().is_some_and(|c| c.value)
    }
}

/// How crosscheck stands in for a dependency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DoubleKind {
    /// An HTTP mock server driven by each scenario's stubs.
    #[default]
    Mock,
    /// A TCP fault proxy in front of a real test instance (`upstream`), with each
    /// scenario's toxics.
    Proxy,
}
