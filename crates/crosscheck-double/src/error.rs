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
    /// The folder of WireMock mapping files could not be read.
    #[error("read the mappings folder {}", dir.display())]
    MappingsDir {
        /// The folder.
        dir: std::path::PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// A WireMock mapping file could not be read or understood.
    #[error("load the mapping file {}: {reason}", file.display())]
    Mapping {
        /// The file.
        file: std::path::PathBuf,
        /// What is wrong, naming the key.
        reason: String,
    },
}
