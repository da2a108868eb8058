//! Probes read the side effects a service leaves where other systems can see them: log
//! lines, rows in a SQL database, Prometheus metrics and messages on a broker.
//!
//! The log probe follows a log: a file the service appends to, or the service's own
//! output captured by the runner. A scenario marks where the log stands before its
//! request and then reads only what was written after the mark, so scenarios do not see
//! each other's lines. The other probes work the same way: a snapshot (rows, a scrape, a
//! broker position) before the request, and reads after it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), crosscheck_probe::ProbeError> {
//! use std::time::Duration;
//! use crosscheck_probe::{LogProbe, LogSource};
//! let mut probe = LogProbe::new(LogSource::File("/tmp/audit.jsonl".into()));
//! probe.mark()?;
//! // ... the service handles a request ...
//! let line = probe
//!     .wait_for(Duration::from_secs(1), |line| line.contains("\"decision\":\"grant\""))
//!     .await?;
//! # Ok(()) }
//! ```

pub mod backoff;
pub mod clock;
mod error;
mod log;
pub mod messages;
pub mod metrics;
pub mod sql;

pub use backoff::Backoff;
pub use error::{ProbeError, redact_url};
pub use log::{LogProbe, LogSource, SharedLines};
pub use messages::{Broker, Message, Position};
pub use metrics::{MetricsProbe, Scrape};
pub use sql::{Row, SqlProbe};
