//! Binding, the accept loop, and shutdown.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::audit::{AuditLog, TimestampStyle};
use crate::auth_client::AuthClient;
use crate::bugs::Bug;
use crate::config::Config;
use crate::handler::{App, handle};

/// Why the server could not start or keep running.
#[derive(Debug)]
pub(crate) enum ServeError {
    /// `AUDIT_LOG` cannot be opened for appending: a configuration problem.
    OpenAudit(io::Error),
    /// The port cannot be bound.
    Bind { port: u16, source: io::Error },
    /// The accept loop or signal handling failed.
    Io(io::Error),
    /// `DATABASE_URL` or `BROKER_URL` cannot be used.
    Effects(String),
}

impl ServeError {
    /// 2 for bad configuration, 1 for anything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            ServeError::OpenAudit(_) | ServeError::Effects(_) => 2,
            ServeError::Bind { .. } | ServeError::Io(_) => 1,
        }
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::OpenAudit(err) => write!(f, "cannot open AUDIT_LOG for appending: {err}"),
            ServeError::Bind { port, source } => {
                write!(f, "cannot listen on 127.0.0.1:{port}: {source}")
            }
            ServeError::Io(err) => write!(f, "server failed: {err}"),
            ServeError::Effects(err) => f.write_str(err),
        }
    }
}

/// Starts the server and runs it until SIGINT or SIGTERM.
///
/// Readiness contract: the `listening on` line is printed to stderr after the socket is bound,
/// so a client may connect as soon as it has read that line.
pub(crate) async fn run(config: Config) -> Result<(), ServeError> {
    let style = if config.has_bug(Bug::TimestampNotRfc3339) {
        TimestampStyle::EpochSeconds
    } else {
        TimestampStyle::Rfc3339
    };
    let audit =
        AuditLog::open(config.audit_log.as_deref(), style).map_err(ServeError::OpenAudit)?;
    let timeout = (!config.has_bug(Bug::NoTimeout)).then_some(config.auth_timeout);
    let auth = AuthClient::new(config.validate_url.clone(), timeout);

    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
        .await
        .map_err(|source| ServeError::Bind {
            port: config.port,
            source,
        })?;
    let port = listener.local_addr().map_err(ServeError::Io)?.port();
    if let Some(bug) = config.bug {
        eprintln!("resource-api: seeded bug {bug} active");
    }
    eprintln!("resource-api listening on http://127.0.0.1:{port}");

    let store = match &config.database_url {
        Some(url) => Some(
            crate::store::Store::open(url)
                .await
                .map_err(|e| ServeError::Effects(format!("cannot open DATABASE_URL: {e}")))?,
        ),
        None => None,
    };
    let events = match &config.broker_url {
        Some(url) => Some(
            crate::events::Events::connect(url)
                .await
                .map_err(|e| ServeError::Effects(format!("cannot connect to BROKER_URL: {e}")))?,
        ),
        None => None,
    };
    let app = Arc::new(App {
        config,
        auth,
        audit,
        store,
        events,
        metrics: crate::metrics::Metrics::default(),
    });
    tokio::select! {
        result = accept_loop(listener, app) => result.map_err(ServeError::Io),
        result = shutdown_signal() => result.map_err(ServeError::Io),
    }
}

async fn accept_loop(listener: TcpListener, app: Arc<App>) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Per-connection failures (the peer went away, too many open files) must not stop
            // the server; back off briefly so a persistent one does not spin.
            Err(err) => {
                eprintln!("resource-api: accept failed: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&app), request));
            // Errors here are per-connection (client hung up mid-request); nothing to report.
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() -> io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
