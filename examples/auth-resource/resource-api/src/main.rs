//! The seed system's Resource API: a small HTTP service that grants access to resources when the
//! Authorization Service vouches for the caller's bearer token, and audits every decision.
//!
//! ```text
//! AUTH_URL=http://127.0.0.1:9000 PORT=0 AUDIT_LOG=audit.jsonl cargo run -q -p resource-api
//! ```
//!
//! See `examples/auth-resource/README.md` for the configuration, the audit line format and the
//! seeded bugs (`RESOURCE_API_BUG`).

mod audit;
mod auth_client;
mod bugs;
mod config;
mod credentials;
mod events;
mod handler;
mod metrics;
mod outcome;
mod response;
mod server;
mod store;
mod verdict;

use std::process::ExitCode;

use config::Config;

/// Exit code for bad configuration.
const EXIT_CONFIG: u8 = 2;
/// Exit code for any other failure.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => return fail(&err, EXIT_CONFIG),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err, EXIT_FAILURE),
    };
    match runtime.block_on(server::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err, err.exit_code()),
    }
}

fn fail(err: &dyn std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("resource-api: {err}");
    ExitCode::from(code)
}
