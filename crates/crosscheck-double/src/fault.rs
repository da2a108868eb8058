//! Faults at the socket level: what a connection does instead of answering.
//!
//! The HTTP server hands the raw socket over once a stub asks for a fault; these
//! actions then write (or withhold) bytes and close it the way the fault says.

use std::time::Duration;

use crosscheck_model::scenario::Fault;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// Bytes that are not HTTP, sent by the `malformed` fault.
pub(crate) const MALFORMED: &[u8] = b"\x00\xffgarbage\r\n\r\n";

/// The longest a `timeout` fault holds a connection when nothing releases it.
pub(crate) const HOLD_LIMIT: Duration = Duration::from_secs(5 * 60);

/// The longest writing a fault's bytes may take (a client that does not read).
const WRITE_LIMIT: Duration = Duration::from_secs(5);

/// What to do with a connection instead of answering on it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Close cleanly (FIN) without sending anything.
    Close,
    /// Keep the connection open, answering nothing, until the install generation moves
    /// on from `generation`, the client hangs up, or [`HOLD_LIMIT`] passes; then close.
    Hold { generation: u64 },
    /// Abort the connection: the client sees a TCP RST.
    Reset,
    /// Send these bytes, then close.
    Send(Vec<u8>),
    /// Write and pause in turn, then close. Pauses end early (and the connection
    /// closes) when the install generation moves on from `generation`.
    Script { steps: Vec<Step>, generation: u64 },
}

/// One step of a scripted answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Write these bytes.
    Write(bytes::Bytes),
    /// Send nothing for this long.
    Pause(Duration),
}

/// The fault in words, as the journal records it: `timeout`, `delay 2s`.
pub(crate) fn describe(fault: &Fault) -> String {
    match fault {
        Fault::Delay(d) => format!("delay {d}"),
        Fault::Timeout => "timeout".to_owned(),
        Fault::Reset => "reset".to_owned(),
        Fault::Empty => "empty".to_owned(),
        Fault::Malformed => "malformed".to_owned(),
        Fault::Truncate => "truncate".to_owned(),
        Fault::Pause(p) => match p.after {
            Some(n) => format!("pause {} after {n} body bytes", p.wait),
            None => format!("pause {} mid-body", p.wait),
        },
        Fault::WrongLength => "wrong_length".to_owned(),
        Fault::BrokenChunked => "broken_chunked".to_owned(),
        Fault::Bandwidth(rate) => format!("bandwidth {rate} bytes/s"),
        Fault::Refuse => "refuse".to_owned(),
    }
}

/// Resolves once the install generation differs from `generation` (or the server is gone).
pub(crate) async fn released(mut generations: watch::Receiver<u64>, generation: u64) {
    // An error means the server dropped its sender: that releases everything too.
    let _ = generations.wait_for(|g| *g != generation).await;
}

/// Carries out `action` on `socket`, the connection's own socket that the HTTP server
/// has let go of.
pub(crate) async fn perform(
    action: Action,
    socket: std::net::TcpStream,
    generations: watch::Receiver<u64>,
) {
    let mut stream = match TcpStream::from_std(socket) {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(error = %e, "could not take over a connection for a fault");
            return;
        }
    };
    match action {
        Action::Close => {}
        Action::Reset => {
            if let Err(e) = stream.set_zero_linger() {
                tracing::debug!(error = %e, "could not set SO_LINGER 0 for a reset fault");
            }
            // Dropping a socket whose linger is zero sends RST instead of FIN.
            return;
        }
        Action::Send(bytes) => {
            let write = async {
                stream.write_all(&bytes).await?;
                stream.flush().await
            };
            match tokio::time::timeout(WRITE_LIMIT, write).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::debug!(error = %e, "could not send a fault's bytes"),
                Err(_) => tracing::debug!(
                    "gave up sending a fault's bytes to a client that does not read"
                ),
            }
        }
        Action::Script { steps, generation } => {
            let mut generations = generations;
            for step in steps {
                match step {
                    Step::Write(bytes) => {
                        let write = async {
                            stream.write_all(&bytes).await?;
                            stream.flush().await
                        };
                        match tokio::time::timeout(WRITE_LIMIT, write).await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => {
                                tracing::debug!(error = %e, "could not send a fault's bytes");
                                return;
                            }
                            Err(_) => {
                                tracing::debug!("gave up writing to a client that does not read");
                                return;
                            }
                        }
                    }
                    Step::Pause(wait) => {
                        let released = generations.wait_for(|g| *g != generation);
                        tokio::select! {
                            () = tokio::time::sleep(wait.min(HOLD_LIMIT)) => {}
                            _ = released => break,
                        }
                    }
                }
            }
        }
        Action::Hold { generation } => {
            tokio::select! {
                () = released(generations, generation) => {}
                () = tokio::time::sleep(HOLD_LIMIT) => {
                    tracing::debug!("a timeout fault held a connection for its limit");
                }
                () = drain(&mut stream) => {}
            }
        }
    }
    // A clean close: FIN after whatever was sent.
    let _ = stream.shutdown().await;
}

/// Reads and discards until the client hangs up, so that unread bytes do not turn
/// the eventual close into a reset.
async fn drain(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_in_words() {
        assert_eq!(
            describe(&Fault::Delay(Duration::from_secs(2).into())),
            "delay 2s"
        );
        assert_eq!(
            describe(&Fault::Delay(Duration::from_millis(300).into())),
            "delay 300ms"
        );
        assert_eq!(describe(&Fault::Timeout), "timeout");
        assert_eq!(describe(&Fault::Truncate), "truncate");
    }

    #[test]
    fn malformed_bytes_are_not_http() {
        assert!(!MALFORMED.starts_with(b"HTTP/"));
        assert!(MALFORMED.iter().any(|b| !b.is_ascii()));
    }
}
