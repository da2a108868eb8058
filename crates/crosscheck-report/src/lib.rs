//! Reporters: consumers of the runner's events, and the reports rendered from results.
//!
//! While a run goes on, [`Console`] prints one line per scenario and then every failure
//! with its evidence, and [`ResultsWriter`] keeps `results.json` up to date (a
//! [`Results`] document with a published schema, `schemas/results.schema.json`). Every
//! other report is rendered from results, so a run can be re-reported later or merged
//! with other shards: [`junit::render`] (JUnit XML for CI dashboards) and [`html::render`] (one
//! self-contained page). Secrets are
//! already masked by the runner.
//!
//! ```
//! use crosscheck_report::Console;
//! let mut out = Vec::new();
//! let console = Console::new(&mut out, false);
//! # drop(console);
//! ```

pub mod audit;
mod console;
pub mod coverage;
mod error;
pub mod evidence_text;
pub mod html;
pub mod junit;
pub mod modes;
pub mod results;
mod style;
mod writer;

pub use console::Console;
pub use error::ReportError;
pub use results::{Results, RunState, ScenarioRecord};
pub use writer::{ResultsWriter, Tee};
