//! Reporters: consumers of the runner's events.
//!
//! The console reporter prints one line per scenario while the run goes on, then every
//! failure with its evidence: what was sent, what came back, what each double saw and
//! which log lines were read, with secrets already masked by the runner. JUnit, JSON
//! and HTML reporters consume the same events.
//!
//! ```
//! use crosscheck_report::Console;
//! let mut out = Vec::new();
//! let console = Console::new(&mut out, false);
//! # drop(console);
//! ```

mod console;
mod style;

pub use console::Console;
