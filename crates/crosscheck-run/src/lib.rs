//! The runner: reads a suite, starts the service under test and a double for each of
//! its dependencies, carries out every scenario in isolation, evaluates what it expects
//! and emits [`Event`]s that reporters turn into output.
//!
//! ```no_run
//! # async fn demo() -> Result<(), crosscheck_run::RunError> {
//! use crosscheck_run::{Event, Listener, RunOptions, Suite};
//! struct Quiet;
//! impl Listener for Quiet {
//!     fn event(&mut self, _: &Event<'_>) {}
//! }
//! let suite = Suite::load(std::path::Path::new("examples/auth-resource"))?;
//! let summary = crosscheck_run::run(&suite, &RunOptions::default(), &mut Quiet).await?;
//! assert!(summary.ok());
//! # Ok(()) }
//! ```

mod capture_target;
mod effects;
mod effects_logs;
mod error;
mod evaluate;
pub mod http;
mod outcome;
mod proxies;
mod receiver;
pub mod redact;
mod refusing;
mod runner;
mod schedule;
mod sequence;
pub mod shard;
mod stub_states;
mod suite;
mod sut;
mod validate;
mod validate_captures;
mod validate_deps;
mod vars;

pub use error::RunError;
pub use outcome::{
    CallRecord, Event, Evidence, Failure, Listener, ScenarioResult, Status, Summary,
};
pub use runner::{RunOptions, run};
pub use suite::{LoadedScenario, SYSTEM_MAP, Suite, display};
pub use validate::validate;
