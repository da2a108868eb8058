//! Dependency doubles for crosscheck: an HTTP mock server that stands in for a service the
//! system under test calls, answers with a scenario's stubs, misbehaves on purpose
//! (delays, timeouts, resets, empty, malformed and truncated replies), and records
//! every request it receives so the runner can check the calls the system made.
//!
//! Each [`MockServer`] is a value: it binds `127.0.0.1` on a free port, exposes
//! [`url`](MockServer::url), and stops when dropped.
//!
//! ```no_run
//! use crosscheck_double::{MockServer, Outcome, request_matches};
//! use crosscheck_model::scenario::{RequestPattern, Stub};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = MockServer::start("auth").await?;
//! let stubs: Vec<Stub> = serde_saphyr::from_str(
//!     "- on: { method: GET, path: /validate }\n  reply: { status: 200, json: { valid: true } }\n",
//! )?;
//! auth.install(stubs);
//! // … point the system under test at `auth.url()` and send it a request …
//! let calls = auth.journal();
//! let expected = RequestPattern { path: Some("/validate".into()), ..Default::default() };
//! assert_eq!(calls.iter().filter(|c| request_matches(&expected, c).is_ok()).count(), 1);
//! assert_eq!(calls[0].outcome, Outcome::Replied { status: 200 });
//! auth.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod engine;
mod error;
mod fault;
mod framing;
mod journal;
mod matching;
mod openapi;
mod port;
pub mod proxy;
mod query;
mod record;
mod reply;
mod rng;
mod server;
mod service;
mod state;
mod template;
mod wiremock;

pub use error::DoubleError;
pub use matching::{call_matches, request_matches};
pub use openapi::STATUS_HEADER;
pub use record::{Outcome, RecordedRequest};
pub use server::{MockOptions, MockServer};
