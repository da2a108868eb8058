//! The mock server: a value that listens on loopback, answers with stubs and stops on drop.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crosscheck_contract::Contract;
use crosscheck_model::scenario::Stub;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

use crate::error::DoubleError;
use crate::fault;
use crate::openapi::ContractSet;
use crate::port;
use crate::record::RecordedRequest;
use crate::service;
use crate::state::{Setup, Shared};
use crate::wiremock;

/// How to start a [`MockServer`] beyond a bare stub server.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct MockOptions {
    /// Where to listen; `127.0.0.1` and a free port when `None`.
    pub addr: Option<SocketAddr>,
    /// Contracts whose operations answer every request no stub answers, after checking
    /// the request against the operation.
    pub contracts: Vec<Contract>,
    /// A folder of WireMock mapping files (`*.json`, or its `mappings/` subfolder), loaded
    /// at start and restored by an admin reset.
    pub mappings_dir: Option<std::path::PathBuf>,
    /// Serve WireMock's `/__admin` API.
    pub admin: bool,
    /// The most requests the journal keeps (10,000 when `None`).
    pub journal_capacity: Option<usize>,
    /// Seeds the random delays and bytes of faults; the same seed replays them.
    pub seed: u64,
}

/// How long connections get to finish in-flight replies when the server stops.
const GRACE: Duration = Duration::from_secs(2);

/// An HTTP mock server standing in for one dependency.
///
/// It listens until [`shutdown`](MockServer::shutdown) or drop. Stubs are replaced as
/// a whole by [`install`](MockServer::install), which also clears the journal, so each
/// scenario starts clean.
pub struct MockServer {
    shared: Arc<Shared>,
    warnings: Vec<String>,
    addr: SocketAddr,
    /// The accept loop while listening; `None` while refusing and after shutdown.
    task: Mutex<Option<AcceptLoop>>,
    /// While refusing: the port, bound but not listening (see `crate::port`).
    reserved: Mutex<Option<socket2::Socket>>,
}

/// A running accept loop and the way to stop it without stopping the server.
#[derive(Debug)]
struct AcceptLoop {
    task: JoinHandle<()>,
    halt: oneshot::Sender<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("name", &self.shared.name)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a mock server named `name` on `127.0.0.1` and a free port, with no stubs
    /// (every request gets a 404 until [`install`](MockServer::install)).
    /// Must be called within a Tokio runtime.
    pub async fn start(name: impl Into<String>) -> Result<Self, DoubleError> {
        Self::start_on(name, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a mock server on `addr` (port 0 picks a free port).
    pub async fn start_on(name: impl Into<String>, addr: SocketAddr) -> Result<Self, DoubleError> {
        let options = MockOptions {
            addr: Some(addr),
            ..MockOptions::default()
        };
        Self::start_with(name, options).await
    }

    /// Starts a mock server set up by `options`: contracts to serve, WireMock mappings
    /// and admin API, journal size, fault seed.
    pub async fn start_with(
        name: impl Into<String>,
        options: MockOptions,
    ) -> Result<Self, DoubleError> {
        let name = name.into();
        let addr = options
            .addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let mappings = match &options.mappings_dir {
            Some(dir) => load_mappings(dir)?,
            None => Vec::new(),
        };
        let bind_error = |source| DoubleError::Bind {
            name: name.clone(),
            addr,
            source,
        };
        // Bound through `port` (with `SO_REUSEPORT`) so that `refuse_connections` can hold
        // the port while the listener closes.
        let listener = port::reserve(addr)
            .and_then(port::listen)
            .map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let mut warnings = Vec::new();
        let contracts = if options.contracts.is_empty() {
            None
        } else {
            let (set, w) = ContractSet::new(options.contracts);
            warnings = w;
            Some(set)
        };
        let setup = Setup {
            contracts,
            mappings,
            admin: options.admin,
            journal_capacity: options.journal_capacity,
            seed: options.seed,
            base: format!("http://{local}"),
        };
        let shared = Arc::new(Shared::with(name, setup));
        let task = spawn_loop(listener, &shared, local);
        tracing::debug!(double = %shared.name, addr = %local, "mock server listening");
        Ok(MockServer {
            shared,
            warnings,
            addr: local,
            task: Mutex::new(Some(task)),
            reserved: Mutex::new(None),
        })
    }

    /// Stops listening while keeping the port: every connection attempt is refused
    /// (ECONNREFUSED, at once) until [`accept_connections`](MockServer::accept_connections).
    /// Open connections are closed first, so a client's pooled connection cannot reach
    /// the double either. When this returns, the listener is closed. Calling it while
    /// refusing does nothing.
    pub async fn refuse_connections(&self) -> Result<(), DoubleError> {
        if self.is_refusing() || *self.shared.shutdown.borrow() {
            return Ok(());
        }
        // Hold the port before the listener goes, so it is never free (see `port`).
        let held = port::reserve(self.addr).map_err(|e| self.bind_error(e))?;
        *self.lock_reserved() = Some(held);
        let running = self.lock_task().take();
        if let Some(running) = running {
            // The loop closes its listener and every connection, then ends.
            let _ = running.halt.send(());
            let mut task = running.task;
            if tokio::time::timeout(GRACE, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
            }
        }
        tracing::debug!(double = %self.shared.name, addr = %self.addr, "refusing connections");
        Ok(())
    }

    /// Listens again on the same port after
    /// [`refuse_connections`](MockServer::refuse_connections). Calling it while listening
    /// does nothing.
    pub async fn accept_connections(&self) -> Result<(), DoubleError> {
        if !self.is_refusing() || *self.shared.shutdown.borrow() {
            return Ok(());
        }
        let held = self.lock_reserved().take();
        let socket = match held {
            Some(s) => s,
            None => port::reserve(self.addr).map_err(|e| self.bind_error(e))?,
        };
        let listener = port::listen(socket).map_err(|e| self.bind_error(e))?;
        *self.lock_task() = Some(spawn_loop(listener, &self.shared, self.addr));
        tracing::debug!(double = %self.shared.name, addr = %self.addr, "listening again");
        Ok(())
    }

    /// Whether the double is refusing connections (see
    /// [`refuse_connections`](MockServer::refuse_connections)).
    pub fn is_refusing(&self) -> bool {
        self.lock_reserved().is_some()
    }

    fn bind_error(&self, source: std::io::Error) -> DoubleError {
        DoubleError::Bind {
            name: self.shared.name.clone(),
            addr: self.addr,
            source,
        }
    }

    fn lock_task(&self) -> std::sync::MutexGuard<'_, Option<AcceptLoop>> {
        self.task.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_reserved(&self) -> std::sync::MutexGuard<'_, Option<socket2::Socket>> {
        self.reserved.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What could not be prepared as asked, e.g. a generated body that does not fit its
    /// schema; the server runs anyway.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The name given at start.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces all stubs, clears the journal, resets each stub's use counter and
    /// closes every connection still held by a `timeout` fault or a pending delay.
    pub fn install(&self, stubs: Vec<Stub>) {
        tracing::debug!(double = %self.shared.name, stubs = stubs.len(), "installing stubs");
        self.shared.install(stubs);
    }

    /// [`install`](MockServer::install), drawing this install's random delays and
    /// `probability` decisions from `seed` (the same seed and the same order of requests
    /// replay the same schedule).
    pub fn install_seeded(&self, stubs: Vec<Stub>, seed: u64) {
        tracing::debug!(double = %self.shared.name, stubs = stubs.len(), seed, "installing stubs");
        self.shared.install_seeded(stubs, seed);
    }

    /// Every request received since the last install, in arrival order (at most the
    /// newest 10,000; see [`journal_dropped`](MockServer::journal_dropped)).
    pub fn journal(&self) -> Vec<RecordedRequest> {
        self.shared.journal()
    }

    /// Completes when the next request enters the journal. To wait for a condition on the
    /// journal without missing a request, `enable` the returned future (pinned) before
    /// reading the journal, then await it.
    pub fn journal_grew(&self) -> tokio::sync::futures::Notified<'_> {
        self.shared.journal_grew.notified()
    }

    /// How many of the oldest journal entries were dropped since the last install to
    /// keep the journal bounded.
    pub fn journal_dropped(&self) -> u64 {
        self.shared.journal_dropped()
    }

    /// Stops accepting, closes held connections, lets in-flight replies finish for up
    /// to two seconds, then closes everything. Calling it again does nothing.
    pub async fn shutdown(&self) {
        self.shared.stop();
        self.lock_reserved().take();
        let task = self.lock_task().take();
        if let Some(AcceptLoop { mut task, .. }) = task {
            let limit = GRACE + Duration::from_secs(1);
            if tokio::time::timeout(limit, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shared.stop();
        let task = self
            .task
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(running) = task {
            // Aborting the accept loop drops its set of connection tasks, aborting them.
            running.task.abort();
        }
    }
}

/// Starts the accept loop on `listener`.
fn spawn_loop(listener: TcpListener, shared: &Arc<Shared>, local: SocketAddr) -> AcceptLoop {
    let (halt, halted) = oneshot::channel();
    let span = tracing::debug_span!("mock", double = %shared.name, addr = %local);
    let task = tokio::spawn(accept_loop(listener, Arc::clone(shared), halted).instrument(span));
    AcceptLoop { task, halt }
}

/// Accepts connections until the server stops, then winds them down; or, when halted
/// (the double starts refusing), closes the listener and every connection at once.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut halt: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    let mut stopping = shared.shutdown.subscribe();
    loop {
        tokio::select! {
            () = stopped(&mut stopping) => break,
            _ = &mut halt => {
                drop(listener);
                connections.shutdown().await;
                return;
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let span = tracing::debug_span!("connection", %peer);
                    connections.spawn(serve(Arc::clone(&shared), stream).instrument(span));
                }
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!(double = %shared.name, error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(GRACE, drained).await.is_err() {
        tracing::debug!(double = %shared.name, "closing connections that did not finish in time");
    }
    connections.shutdown().await;
}

/// Resolves once the server is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which also means stop.
    let _ = stopping.wait_for(|s| *s).await;
}

/// Serves HTTP/1.1 on one connection until it ends or a stub asks for a fault.
async fn serve(shared: Arc<Shared>, stream: TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY");
    }
    // Keep a second handle on the socket: hyper owns one, and a fault acts on the
    // other once hyper has let go, without closing the connection in between.
    let (stream, socket) = match split(stream) {
        Ok(pair) => pair,
        Err(e) => {
            tracing::debug!(error = %e, "could not duplicate a connection's socket");
            return;
        }
    };
    let (faults, mut fault_rx) = mpsc::unbounded_channel();
    let service_shared = Arc::clone(&shared);
    let service = service_fn(move |request| {
        service::handle(Arc::clone(&service_shared), faults.clone(), request)
    });
    // HTTP/1.1, or HTTP/2 with prior knowledge, whichever the client speaks.
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // No header-read timeout: it arms a timer per request, and a test double has no
    // slow-client attack to fend off (held connections are released by install/shutdown).
    builder
        .http1()
        .keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    builder.http2().timer(TokioTimer::new());
    let mut connection = Box::pin(builder.serve_connection(TokioIo::new(stream), service));
    let mut stopping = shared.shutdown.subscribe();
    let mut winding_down = false;
    let action = loop {
        tokio::select! {
            biased;
            Some(action) = fault_rx.recv() => break Some(action),
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break None;
            }
            () = stopped(&mut stopping), if !winding_down => {
                winding_down = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(GRACE), if winding_down => break None,
        }
    };
    // Close hyper's handle first: the socket stays open through the other one.
    drop(connection);
    if let Some(action) = action {
        tracing::debug!(?action, "fault");
        fault::perform(action, socket, shared.generations.subscribe()).await;
    }
}

/// Reads every `*.json` file of `dir` (or of `dir/mappings` when it exists), in name order.
fn load_mappings(dir: &std::path::Path) -> Result<Vec<wiremock::Mapping>, DoubleError> {
    let folder = if dir.join("mappings").is_dir() {
        dir.join("mappings")
    } else {
        dir.to_path_buf()
    };
    let read_dir = |source| DoubleError::MappingsDir {
        dir: folder.clone(),
        source,
    };
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&folder)
        .map_err(read_dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| DoubleError::Mapping {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let mappings = wiremock::parse_file(&text).map_err(|reason| DoubleError::Mapping {
            file: file.clone(),
            reason,
        })?;
        out.extend(mappings);
    }
    Ok(out)
}

/// Two handles on one socket: a Tokio stream for hyper, and a plain one for faults.
fn split(stream: TcpStream) -> std::io::Result<(TcpStream, std::net::TcpStream)> {
    let std_stream = stream.into_std()?;
    let other = std_stream.try_clone()?;
    Ok((TcpStream::from_std(std_stream)?, other))
}
