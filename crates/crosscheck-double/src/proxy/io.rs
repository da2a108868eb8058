//! Reading and writing a proxied socket. Each pump owns the read half of one socket and
//! the write half of the other; the connection's supervisor holds a second descriptor of
//! each socket ([`Control`]), so it can reset or close them whatever the pumps are doing.

use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Reads what is available; `Ok(0)` at end of stream. Cancel-safe (readiness-based).
/// Through tokio's `AsyncRead`, which after a short read forgets the socket's readiness
/// instead of asking the kernel again: one `recvfrom` per chunk, not two.
pub(crate) async fn read_some(s: &mut OwnedReadHalf, buf: &mut [u8]) -> io::Result<usize> {
    s.read(buf).await
}

/// Sends FIN on the socket (half-close); errors mean the peer is already gone.
pub(crate) fn shutdown(s: &impl AsFd, how: Shutdown) {
    let _ = socket2::SockRef::from(s).shutdown(how);
}

/// Makes the socket's close send RST instead of FIN.
pub(crate) fn arm_reset(s: &impl AsFd) {
    if let Err(e) = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO)) {
        tracing::debug!("cannot set zero linger: {e}");
    }
}

/// A second descriptor of a socket, for the supervisor: shutting down or arming a reset
/// acts on the socket itself, and the socket closes when the last descriptor does.
pub(crate) struct Control(OwnedFd);

impl Control {
    pub(crate) fn of(s: &TcpStream) -> io::Result<Control> {
        s.as_fd().try_clone_to_owned().map(Control)
    }

    pub(crate) fn shutdown(&self, how: Shutdown) {
        shutdown(&self.0, how);
    }

    pub(crate) fn arm_reset(&self) {
        arm_reset(&self.0);
    }
}

/// The write half of a socket that, dropped, leaves the socket as it is: tokio's own
/// write half sends FIN when dropped, which would turn a reset the supervisor armed into
/// a clean close. The socket closes with its last descriptor.
pub(crate) struct Writer(Option<OwnedWriteHalf>);

impl Writer {
    pub(crate) fn new(half: OwnedWriteHalf) -> Writer {
        Writer(Some(half))
    }

    /// Writes all of `data`.
    pub(crate) async fn write_all(&self, mut data: &[u8]) -> io::Result<()> {
        let Some(s) = self.0.as_ref().map(AsRef::<TcpStream>::as_ref) else {
            return Err(io::ErrorKind::NotConnected.into());
        };
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

    /// Passes the end of stream on (FIN).
    pub(crate) fn finish(&self) {
        if let Some(half) = &self.0 {
            shutdown(AsRef::<TcpStream>::as_ref(half), Shutdown::Write);
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(half) = self.0.take() {
            half.forget();
        }
    }
}
