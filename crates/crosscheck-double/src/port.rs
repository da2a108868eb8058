//! Holding a double's port for its whole life, listening or not.
//!
//! A disabled proxy, and a mock double staging `fault: refuse`, must refuse connections.
//! Closing the listener does that, but frees the port: under load another server binding
//! a free port, or a client's own ephemeral port, can take it within microseconds, and a
//! client "refused" by the double is then accepted by a stranger and reset. So a double
//! that refuses keeps a socket bound to its address without listening — a SYN to it is
//! answered with RST, which the client sees as ECONNREFUSED, and the port stays ours.
//! Both sockets set `SO_REUSEPORT` (and not `SO_REUSEADDR`), so the reservation can be
//! bound while the listener still exists and the port is never free, while others'
//! sockets cannot share it.

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;

/// Connections queued by the kernel before the double accepts them.
const BACKLOG: i32 = 1024;

/// Resolves `addr` (`host:port`) to one socket address.
pub(crate) async fn resolve(addr: &str) -> io::Result<SocketAddr> {
    tokio::net::lookup_host(addr).await?.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            "the address resolves to nothing",
        )
    })
}

/// A socket bound to `addr` (port 0 picks one), not listening.
pub(crate) fn reserve(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // `SO_REUSEPORT` alone: our own next socket may share the port (same user, both set
    // it), while a server binding the usual way (`SO_REUSEADDR`, as tokio and most
    // runtimes do) gets "address in use" even though nothing listens.
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Turns a bound socket into a listener.
pub(crate) fn listen(socket: Socket) -> io::Result<TcpListener> {
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

/// The address a socket is bound to, e.g. `127.0.0.1:40123`.
pub(crate) fn local(socket: &Socket) -> Option<SocketAddr> {
    socket.local_addr().ok().and_then(|a| a.as_socket())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reserved_port_refuses_and_cannot_be_taken() {
        let addr = resolve("127.0.0.1:0").await.unwrap();
        let held = reserve(addr).unwrap();
        let at = local(&held).unwrap();
        let refused = std::net::TcpStream::connect(at).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        // A server asking for that port (the way tokio and std bind) does not get it.
        let taken = TcpListener::bind(at).await.unwrap_err();
        assert_eq!(taken.kind(), io::ErrorKind::AddrInUse);
        // The double itself can listen there while the reservation exists.
        let second = reserve(at).unwrap();
        let listener = listen(second).unwrap();
        drop(held);
        let client = tokio::net::TcpStream::connect(at).await.unwrap();
        let (_server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
    }
}
