//! The proxy value: a listener on loopback (or a given address) that forwards each
//! connection to its upstream through the toxics, and stops when dropped.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::error::ProxyError;
use super::link::{self, AbortOnDrop};
use super::state::Shared;
use super::toxic::Toxic;
use crate::port;

/// Builds a [`TcpProxy`].
#[derive(Clone, Debug)]
pub struct ProxyBuilder {
    name: String,
    upstream: String,
    listen: String,
    seed: u64,
    enabled: bool,
}

impl ProxyBuilder {
    /// Where to listen, e.g. `127.0.0.1:8666`; `127.0.0.1:0` (a free port) by default.
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// The seed for toxicity decisions, jitter and slice sizes; `0` by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Start disabled (refusing connections) when `false`.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Binds the listener and starts forwarding.
    pub async fn start(self) -> Result<TcpProxy, ProxyError> {
        let shared = Arc::new(Shared::new(self.name, self.upstream, self.seed));
        let proxy = TcpProxy {
            shared,
            listen: Mutex::new(self.listen.clone()),
            task: Mutex::new(None),
            reserved: Mutex::new(None),
        };
        // Take the port now (resolving `:0`), so the address stays ours and stable across
        // enable/disable.
        proxy.reserve(&self.listen).await?;
        if self.enabled {
            proxy.set_enabled(true).await?;
        }
        Ok(proxy)
    }
}

/// A TCP proxy in front of one upstream, with toxics per direction.
///
/// ```no_run
/// use crosscheck_double::proxy::{Stream, Toxic, ToxicKind, TcpProxy};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let proxy = TcpProxy::builder("db", "127.0.0.1:5432").seed(7).start().await?;
/// proxy.add_toxic(Toxic::new(ToxicKind::Latency { latency: 200, jitter: 20 }, Stream::Downstream))?;
/// // … point the service at `proxy.port()` …
/// # Ok(())
/// # }
/// ```
pub struct TcpProxy {
    shared: Arc<Shared>,
    /// The listen address: the bound one (with its real port) once started.
    listen: Mutex<String>,
    task: Mutex<Option<AbortOnDrop<()>>>,
    /// While disabled: the port, bound but not listening (see `crate::port`).
    reserved: Mutex<Option<socket2::Socket>>,
}

impl fmt::Debug for TcpProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpProxy")
            .field("name", &self.shared.name)
            .field("listen", &self.listen())
            .field("upstream", &self.upstream())
            .finish()
    }
}

impl TcpProxy {
    /// A builder for a proxy named `name` forwarding to `upstream` (`host:port`).
    pub fn builder(name: impl Into<String>, upstream: impl Into<String>) -> ProxyBuilder {
        ProxyBuilder {
            name: name.into(),
            upstream: upstream.into(),
            listen: "127.0.0.1:0".into(),
            seed: 0,
            enabled: true,
        }
    }

    /// The proxy's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The listen address, e.g. `127.0.0.1:40123`.
    pub fn listen(&self) -> String {
        self.lock_listen().clone()
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.listen()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// `http://127.0.0.1:<port>`, for upstreams that speak HTTP.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Where connections go.
    pub fn upstream(&self) -> String {
        self.shared.upstream()
    }

    /// Sends new connections elsewhere; open ones keep their upstream.
    pub fn set_upstream(&self, upstream: impl Into<String>) {
        self.shared.set_upstream(upstream.into());
    }

    /// Whether the proxy accepts connections.
    pub fn enabled(&self) -> bool {
        self.lock_task().is_some()
    }

    /// Enables (listens again on the same address) or disables the proxy (stops
    /// listening, so connections are refused, and closes every open connection).
    pub async fn set_enabled(&self, enabled: bool) -> Result<(), ProxyError> {
        if enabled == self.enabled() {
            return Ok(());
        }
        if enabled {
            let held = self.lock_reserved().take();
            let socket = match held {
                Some(s) => s,
                None => {
                    let at = self.resolve().await?;
                    port::reserve(at).map_err(|e| self.bind_error(at.to_string(), e))?
                }
            };
            let at = port::local(&socket).map_or_else(|| self.listen(), |a| a.to_string());
            let listener = port::listen(socket).map_err(|e| self.bind_error(at, e))?;
            self.serve(listener);
            Ok(())
        } else {
            // Hold the port before the listener goes, so it is never free (see `port`).
            let at = self.resolve().await?;
            let held = port::reserve(at).map_err(|e| self.bind_error(at.to_string(), e))?;
            *self.lock_reserved() = Some(held);
            let task = self.lock_task().take();
            if let Some(task) = task {
                // The listener closes when its task is gone; wait for that, so that a client
                // connecting right after the API answered is refused, not accepted and reset.
                task.stop().await;
            }
            self.shared.kill_connections();
            Ok(())
        }
    }

    /// Moves the proxy to another listen address (it restarts if enabled).
    pub async fn set_listen(&self, addr: &str) -> Result<(), ProxyError> {
        let was = self.enabled();
        self.set_enabled(false).await?;
        self.lock_reserved().take();
        self.reserve(addr).await?;
        if was {
            self.set_enabled(true).await?;
        }
        Ok(())
    }

    /// How many directions of open connections go through the toxic path now: 0 when
    /// no toxic touches any connection (each direction takes the direct copy again as
    /// soon as the toxics on it are gone, including on connections kept open).
    pub fn toxic_directions(&self) -> usize {
        self.shared.on_toxic_path.get()
    }

    /// The toxics, upstream ones first, each direction in the order added.
    pub fn toxics(&self) -> Vec<Toxic> {
        let all = self.shared.toxics.borrow().clone();
        let mut v: Vec<Toxic> = all
            .iter()
            .filter(|t| t.stream == super::Stream::Upstream)
            .cloned()
            .collect();
        v.extend(
            all.iter()
                .filter(|t| t.stream == super::Stream::Downstream)
                .cloned(),
        );
        v
    }

    /// One toxic by name.
    pub fn toxic(&self, name: &str) -> Option<Toxic> {
        self.shared
            .toxics
            .borrow()
            .iter()
            .find(|t| t.name == name)
            .cloned()
    }

    /// Adds a toxic; it reaches open connections at once.
    pub fn add_toxic(&self, toxic: Toxic) -> Result<(), ProxyError> {
        let mut result = Ok(());
        self.shared.toxics.send_if_modified(|list| {
            if list.iter().any(|t| t.name == toxic.name) {
                result = Err(ProxyError::ToxicExists(toxic.name.clone()));
                return false;
            }
            Arc::make_mut(list).push(toxic.clone());
            true
        });
        result
    }

    /// Replaces the toxic of the same name.
    pub fn update_toxic(&self, toxic: Toxic) -> Result<(), ProxyError> {
        let mut result = Err(ProxyError::ToxicNotFound(toxic.name.clone()));
        self.shared.toxics.send_if_modified(|list| {
            match list.iter().position(|t| t.name == toxic.name) {
                Some(i) => {
                    Arc::make_mut(list)[i] = toxic.clone();
                    result = Ok(());
                    true
                }
                None => false,
            }
        });
        result
    }

    /// Removes a toxic by name.
    pub fn remove_toxic(&self, name: &str) -> Result<(), ProxyError> {
        let mut result = Err(ProxyError::ToxicNotFound(name.to_owned()));
        self.shared.toxics.send_if_modified(|list| {
            match list.iter().position(|t| t.name == name) {
                Some(i) => {
                    Arc::make_mut(list).remove(i);
                    result = Ok(());
                    true
                }
                None => false,
            }
        });
        result
    }

    /// Removes every toxic.
    pub fn clear_toxics(&self) {
        self.shared.toxics.send_if_modified(|list| {
            let had = !list.is_empty();
            *list = Arc::new(Vec::new());
            had
        });
    }

    /// The proxy in Toxiproxy's JSON shape, with its toxics.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name(),
            "listen": self.listen(),
            "upstream": self.upstream(),
            "enabled": self.enabled(),
            "toxics": self.toxics().iter().map(Toxic::to_json).collect::<Vec<_>>(),
        })
    }

    /// Stops listening, lets the port go and closes every connection (also done on drop).
    pub fn shutdown(&self) {
        self.lock_task().take();
        self.lock_reserved().take();
        self.shared.kill_connections();
    }

    /// Binds `addr` without listening and records the bound address (its real port).
    async fn reserve(&self, addr: &str) -> Result<(), ProxyError> {
        let at = port::resolve(addr)
            .await
            .map_err(|e| self.bind_error(addr.to_owned(), e))?;
        let socket = port::reserve(at).map_err(|e| self.bind_error(at.to_string(), e))?;
        *self.lock_listen() =
            port::local(&socket).map_or_else(|| addr.to_owned(), |a| a.to_string());
        *self.lock_reserved() = Some(socket);
        Ok(())
    }

    /// The listen address as a socket address.
    async fn resolve(&self) -> Result<SocketAddr, ProxyError> {
        let listen = self.listen();
        port::resolve(&listen)
            .await
            .map_err(|e| self.bind_error(listen, e))
    }

    /// The error for a socket that could not be bound (or listen) at `addr`.
    fn bind_error(&self, addr: String, source: std::io::Error) -> ProxyError {
        ProxyError::Bind {
            name: self.shared.name.clone(),
            addr,
            source,
        }
    }

    /// Accepts connections on `listener` until disabled or dropped.
    fn serve(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        let task = tokio::spawn(async move {
            let mut next: u64 = 0;
            loop {
                match listener.accept().await {
                    Ok((client, _)) => {
                        let conn = next;
                        next += 1;
                        tokio::spawn(link::serve(shared.clone(), client, conn));
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(proxy = %shared.name, "accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            }
        });
        *self.lock_task() = Some(AbortOnDrop(task));
    }

    fn lock_listen(&self) -> std::sync::MutexGuard<'_, String> {
        self.listen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_task(&self) -> std::sync::MutexGuard<'_, Option<AbortOnDrop<()>>> {
        self.task.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_reserved(&self) -> std::sync::MutexGuard<'_, Option<socket2::Socket>> {
        self.reserved.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.shutdown();
    }
}
