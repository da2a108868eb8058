//! A TCP fault proxy that speaks Toxiproxy's HTTP API.
//!
//! A [`TcpProxy`] listens on loopback (or a given address) and forwards every
//! connection to its upstream, passing the bytes of each direction through the
//! proxy's [`Toxic`]s: latency with jitter, bandwidth, slow close, timeout, reset,
//! slicing and a data limit, plus two set-up faults Toxiproxy lacks (`hang`: accept
//! and never connect upstream; `refuse`: accept and reset at once). Disabling a proxy
//! stops its listener, so connections are refused, and keeps its port bound so no one
//! else takes it meanwhile. Toxicity decisions, jitter and slice
//! sizes come from a seeded source: the same seed replays them.
//!
//! A [`ToxiproxyServer`] manages named proxies behind Toxiproxy's admin API, so the
//! Toxiproxy clients teams already use drive it unchanged.
//!
//! ```no_run
//! use crosscheck_double::proxy::{Stream, TcpProxy, Toxic, ToxicKind};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let db = TcpProxy::builder("db", "127.0.0.1:5432").start().await?;
//! db.add_toxic(Toxic::new(ToxicKind::ResetPeer { timeout: 0 }, Stream::Downstream))?;
//! // every new connection to `db.port()` is now reset
//! db.clear_toxics();
//! # Ok(())
//! # }
//! ```

mod api;
mod error;
mod io;
mod link;
mod pump;
mod rng;
mod state;
mod tcp;
mod toxic;

pub use api::{ToxiproxyServer, version};
pub use error::ProxyError;
pub use tcp::{ProxyBuilder, TcpProxy};
pub use toxic::{Stream, Toxic, ToxicError, ToxicKind};
