//! `crosscheck proxy`: the Toxiproxy-compatible API server, until Ctrl-C or SIGTERM.

use std::path::Path;

use crosscheck_double::proxy::ToxiproxyServer;

use crate::exit_codes;

pub async fn run(host: &str, port: u16, config: Option<&Path>, seed: u64) -> i32 {
    // Read the config before binding anything, so bad input never leaves a server behind.
    let proxies = match config.map(read_config).transpose() {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit_codes::BAD_INPUT;
        }
    };
    let addr = format!("{host}:{port}");
    let server = match ToxiproxyServer::start(&addr, seed).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: failed to {e}: {}\n  fix: stop what uses the port, or pick another with --port",
                std::error::Error::source(&e).map_or(String::new(), ToString::to_string)
            );
            return exit_codes::COULD_NOT_RUN;
        }
    };
    if let (Some(path), Some(list)) = (config, proxies) {
        match server.populate(&list).await {
            Ok(created) => {
                for p in created {
                    println!(
                        "proxy {} listens on {} for {}",
                        p["name"].as_str().unwrap_or_default(),
                        p["listen"].as_str().unwrap_or_default(),
                        p["upstream"].as_str().unwrap_or_default()
                    );
                }
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return if e.contains("listen on") {
                    exit_codes::COULD_NOT_RUN
                } else {
                    exit_codes::BAD_INPUT
                };
            }
        }
    }
    println!(
        "crosscheck proxy: Toxiproxy-compatible API on {} (seed {seed}); Ctrl-C stops it",
        server.url()
    );
    wait_for_signal().await;
    exit_codes::OK
}

fn read_config(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the proxy config {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not valid JSON: {e}\n  fix: the file is a JSON array of proxies, e.g. \
             [{{\"name\": \"db\", \"listen\": \"127.0.0.1:26379\", \"upstream\": \"127.0.0.1:6379\"}}]",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if !value.is_array() {
        return Err(format!(
            "{}: expected a JSON array of proxies, found {}",
            path.display(),
            kind(&value)
        ));
    }
    Ok(value)
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Object(_) => "an object",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
        serde_json::Value::Array(_) => "an array",
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
