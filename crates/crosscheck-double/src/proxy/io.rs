//! Reading and writing a shared socket: the two pumps of a connection and its supervisor
//! each hold the same `Arc<TcpStream>`, so the supervisor can reset or close it whatever
//! the pumps are doing.

use std::io;
use std::net::Shutdown;

use tokio::net::TcpStream;

/// Reads what is available; `Ok(0)` at end of stream.
pub(crate) async fn read_some(s: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        s.readable().await?;
        match s.try_read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

/// Writes all of `data`.
pub(crate) async fn write_all(s: &TcpStream, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        s.writable().await?;
        match s.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Sends FIN on the socket (half-close); errors mean the peer is already gone.
pub(crate) fn shutdown(s: &TcpStream, how: Shutdown) {
    let _ = socket2::SockRef::from(s).shutdown(how);
}

/// Makes the socket's close send RST instead of FIN.
pub(crate) fn arm_reset(s: &TcpStream) {
    if let Err(e) = s.set_zero_linger() {
        tracing::debug!("cannot set zero linger: {e}");
    }
}
