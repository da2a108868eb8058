//! What can go wrong when driving a proxy.

/// An error from a proxy. Messages are lowercase fragments that read after "failed to …".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The listening socket could not be opened.
    #[error("listen on {addr} for the proxy `{name}`")]
    Bind {
        /// The proxy's name.
        name: String,
        /// The address it tried.
        addr: String,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
    /// The admin API's socket could not be opened.
    #[error("listen on {addr} for the proxy API")]
    ApiBind {
        /// The address it tried.
        addr: String,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
    /// A toxic of that name is already on the proxy.
    #[error("add the toxic `{0}`: toxic already exists")]
    ToxicExists(String),
    /// No toxic of that name is on the proxy.
    #[error("find the toxic `{0}`: toxic not found")]
    ToxicNotFound(String),
}
