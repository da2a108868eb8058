//! Probes read the side effects a service leaves where other systems can see them.
//!
//! This first probe follows a log: a file the service appends to, or the service's own
//! output captured by the runner. A scenario marks where the log stands before its
//! request and then reads only what was written after the mark, so scenarios do not see
//! each other's lines.
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

mod error;
mod log;

pub use error::ProbeError;
pub use log::{LogProbe, LogSource, SharedLines};
