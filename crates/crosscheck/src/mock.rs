//! `crosscheck mock`: serve contracts and WireMock mappings until interrupted.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use crosscheck_double::{MockOptions, MockServer};

use crate::exit_codes;

/// What `crosscheck mock` was asked to do, checked.
#[derive(Debug)]
pub struct MockArgs {
    pub contracts: Vec<PathBuf>,
    pub port: u16,
    pub mappings: Option<PathBuf>,
    pub stubs: Option<PathBuf>,
    pub seed: u64,
    pub journal: Option<usize>,
}

/// Runs the mock until Ctrl-C or SIGTERM; returns the exit code.
pub async fn mock(args: MockArgs) -> i32 {
    let mut err = std::io::stderr().lock();
    if args.contracts.is_empty() && args.mappings.is_none() && args.stubs.is_none() {
        let _ = writeln!(
            err,
            "error: nothing to serve; name one or more OpenAPI contracts, --mappings DIR with WireMock mapping files, or --stubs FILE"
        );
        return exit_codes::BAD_INPUT;
    }
    let stubs = match args.stubs.as_deref().map(read_stubs).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(text) => {
            let _ = writeln!(err, "{text}");
            return exit_codes::BAD_INPUT;
        }
    };
    let mut contracts = Vec::new();
    for path in &args.contracts {
        match crosscheck_contract::load(path) {
            Ok(c) => contracts.push(c),
            Err(e) => {
                let source = std::fs::read_to_string(path).ok();
                let d = e.to_diagnostic(source.as_deref());
                let _ = writeln!(err, "error: {}: {}", d.location(), d.message);
                if let Some(help) = &d.help {
                    let _ = writeln!(err, "  help: {help}");
                }
                return exit_codes::BAD_INPUT;
            }
        }
    }
    let operations: usize = contracts.iter().map(|c| c.operations.len()).sum();
    let mut options = MockOptions::default();
    options.addr = Some(SocketAddr::from(([127, 0, 0, 1], args.port)));
    options.contracts = contracts;
    options.mappings_dir = args.mappings.clone();
    options.admin = true;
    options.journal_capacity = args.journal;
    options.seed = args.seed;
    let server = match MockServer::start_with("mock", options).await {
        Ok(s) => s,
        Err(e) => {
            let mut text = format!("error: failed to {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            let _ = writeln!(err, "{text}");
            return match e {
                crosscheck_double::DoubleError::Bind { .. } => {
                    let _ = writeln!(
                        err,
                        "  help: pick another port with --port, or 0 for any free one"
                    );
                    exit_codes::COULD_NOT_RUN
                }
                _ => exit_codes::BAD_INPUT,
            };
        }
    };
    for w in server.warnings() {
        let _ = writeln!(err, "warning: {w}");
    }
    let stub_count = stubs.len();
    if stub_count > 0 {
        server.install_seeded(stubs, args.seed);
    }
    println!(
        "crosscheck mock listening on {} ({operations} operation(s) from {} contract(s){}{}; admin API at {}/__admin; Ctrl-C stops)",
        server.url(),
        args.contracts.len(),
        args.mappings
            .as_ref()
            .map(|d| format!(", mappings from {}", d.display()))
            .unwrap_or_default(),
        args.stubs
            .as_ref()
            .map(|f| format!(", {stub_count} stub(s) from {}", f.display()))
            .unwrap_or_default(),
        server.url(),
    );
    wait_for_signal().await;
    server.shutdown().await;
    eprintln!("crosscheck mock stopped");
    exit_codes::OK
}

/// The stubs of a `--stubs` file, or the message that says what is wrong and where.
/// `fault: refuse` and `toxic` belong to scenarios: a standalone mock that refuses every
/// connection is a stopped mock, and toxics are for proxied dependencies.
fn read_stubs(path: &std::path::Path) -> Result<Vec<crosscheck_model::scenario::Stub>, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read the stubs file {file}: {e}"))?;
    let stubs = crosscheck_model::parse::stubs(&file, &text).map_err(|d| {
        let mut msg = format!("error: {}: {}", d.location(), d.message);
        if let Some(help) = &d.help {
            msg.push_str(&format!("\n  help: {help}"));
        }
        msg
    })?;
    for (i, stub) in stubs.iter().enumerate() {
        let what = if matches!(stub.fault, Some(crosscheck_model::scenario::Fault::Refuse)) {
            "`fault: refuse` refuses every connection for a scenario; a standalone mock that refuses is a stopped one"
        } else if stub.toxic.is_some() {
            "a `toxic` is for a proxied dependency (`crosscheck proxy`), not a mock"
        } else {
            continue;
        };
        return Err(format!(
            "error: {file}:{}: stub {}: {what}\n  help: remove the entry, or use it in a scenario's `given`",
            entry_line(&text, i),
            i + 1
        ));
    }
    Ok(stubs)
}

/// The 1-based line of the `index`-th entry of a top-level YAML list (the k-th line that
/// starts with `- `), or 1.
fn entry_line(text: &str, index: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .nth(index)
        .map_or(1, |(n, _)| n + 1)
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
