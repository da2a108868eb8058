//! What can go wrong when running a double.

use std::net::SocketAddr;

/// An error from a double. Messages are lowercase fragments that read after
/// "failed to …"; the underlying I/O error is the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DoubleError {
    /// The listening socket could not be opened.
    #[error("bind the mock server `{name}` to {addr}")]
    Bind {
        /// The double's name (the dependency it stands in for).
        name: String,
        /// The address it tried.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
}
