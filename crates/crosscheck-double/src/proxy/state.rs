//! What a proxy's listener and its connections share.

use std::sync::{Arc, PoisonError, RwLock};

use tokio::sync::watch;

use super::pump::Gauge;
use super::toxic::Toxic;

/// The live settings of one proxy. Connections read the toxics through a `watch`
/// channel, so adding or removing a toxic reaches open connections at once; bumping
/// `kill` closes every open connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub name: String,
    pub seed: u64,
    upstream: RwLock<String>,
    pub toxics: watch::Sender<Arc<Vec<Toxic>>>,
    pub kill: watch::Sender<u64>,
    /// Directions of open connections on the toxic path.
    pub on_toxic_path: Arc<Gauge>,
}

impl Shared {
    pub(crate) fn new(name: String, upstream: String, seed: u64) -> Shared {
        Shared {
            name,
            seed,
            upstream: RwLock::new(upstream),
            toxics: watch::Sender::new(Arc::new(Vec::new())),
            kill: watch::Sender::new(0),
            on_toxic_path: Arc::default(),
        }
    }

    pub(crate) fn upstream(&self) -> String {
        self.upstream
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_upstream(&self, upstream: String) {
        *self
            .upstream
            .write()
            .unwrap_or_else(PoisonError::into_inner) = upstream;
    }

    /// Closes every open connection.
    pub(crate) fn kill_connections(&self) {
        self.kill.send_modify(|g| *g = g.wrapping_add(1));
    }
}
