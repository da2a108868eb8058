//! Holding a proxy's port for its whole life, listening or not.
//!
//! A disabled proxy must refuse connections. Closing its listener does that, but frees
//! the port: under load another server binding a free port, or a client's own ephemeral
//! port, can take it within microseconds, and a client "refused" by the disabled proxy is
//! then accepted by a stranger and reset. So a disabled proxy keeps a socket bound to
//! its address without listening — a SYN to it is answered with RST, which the client
//! sees as ECONNREFUSED, and the port stays ours. Both sockets set `SO_REUSEPORT` (and not
//! `SO_REUSEADDR`), so the reservation can be bound while the listener still exists and
//! the port is never free, while others' sockets cannot share it.

use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;

use super::error::ProxyError;

/// Connections queued by the kernel before the proxy accepts them.
const BACKLOG: i32 = 1024;

/// Resolves `addr` (`host:port`) to one socket address.
pub(crate) async fn resolve(name: &str, addr: &str) -> Result<SocketAddr, ProxyError> {
    let err = |source| ProxyError::Bind {
        name: name.to_owned(),
        addr: addr.to_owned(),
        source,
    };
    tokio::net::lookup_host(addr)
        .await
        .map_err(err)?
        .next()
        .ok_or_else(|| {
            err(std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                "the address resolves to nothing",
            ))
        })
}

/// A socket bound to `addr` (port 0 picks one), not listening.
pub(crate) fn reserve(name: &str, addr: SocketAddr) -> Result<Socket, ProxyError> {
    let err = |source| ProxyError::Bind {
        name: name.to_owned(),
        addr: addr.to_string(),
        source,
    };
    let socket =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(err)?;
    // `SO_REUSEPORT` alone: our own next socket may share the port (same user, both set
    // it), while a server binding the usual way (`SO_REUSEADDR`, as tokio and most
    // runtimes do) gets "address in use" even though nothing listens.
    #[cfg(unix)]
    socket.set_reuse_port(true).map_err(err)?;
    socket.bind(&addr.into()).map_err(err)?;
    Ok(socket)
}

/// Turns a bound socket into a listener.
pub(crate) fn listen(name: &str, socket: Socket) -> Result<TcpListener, ProxyError> {
    let addr = local(&socket).unwrap_or_default();
    let err = |source| ProxyError::Bind {
        name: name.to_owned(),
        addr: addr.clone(),
        source,
    };
    socket.listen(BACKLOG).map_err(err)?;
    socket.set_nonblocking(true).map_err(err)?;
    TcpListener::from_std(socket.into()).map_err(err)
}

/// The address a socket is bound to, e.g. `127.0.0.1:40123`.
pub(crate) fn local(socket: &Socket) -> Option<String> {
    socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map(|a| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reserved_port_refuses_and_cannot_be_taken() {
        let addr = resolve("p", "127.0.0.1:0").await.unwrap();
        let held = reserve("p", addr).unwrap();
        let at: SocketAddr = local(&held).unwrap().parse().unwrap();
        let refused = std::net::TcpStream::connect(at).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        // A server asking for that port (the way tokio and std bind) does not get it.
        let taken = TcpListener::bind(at).await.unwrap_err();
        assert_eq!(taken.kind(), std::io::ErrorKind::AddrInUse);
        // The proxy itself can listen there while the reservation exists.
        let second = reserve("p", at).unwrap();
        let listener = listen("p", second).unwrap();
        drop(held);
        let client = tokio::net::TcpStream::connect(at).await.unwrap();
        let (_server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
    }
}
