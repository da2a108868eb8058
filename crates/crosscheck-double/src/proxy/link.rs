//! One accepted connection: set-up faults, the connection upstream, the two pumps, and a
//! supervisor that closes or resets both sockets when a toxic, the proxy or a peer says so.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::io;
use super::pump::{End, Pump};
use super::rng::{Rng, hash_str};
use super::state::Shared;
use super::toxic::{Stream, Toxic, ToxicKind};

/// How long connecting upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Aborts a task when dropped, so no pump outlives its connection.
pub(crate) struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    /// Aborts the task and waits until it is gone (its resources dropped).
    pub(crate) async fn stop(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Which toxics apply to one connection: a pure function of the seed, the connection's
/// number and the toxic's name (see [`super::rng::applies`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decisions {
    pub seed: u64,
    pub conn: u64,
}

impl Decisions {
    pub(crate) fn applies(&self, t: &Toxic) -> bool {
        super::rng::applies(self.seed, self.conn, &t.name, t.toxicity)
    }
}

/// How the supervisor ends a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Finish {
    /// Both sides closed cleanly.
    Done,
    /// Close both sockets (FIN).
    Close,
    /// Reset both sockets (RST).
    Reset,
}

/// Serves one accepted client connection until it ends.
pub(crate) async fn serve(shared: Arc<Shared>, client: TcpStream, conn: u64) {
    let mut kill = shared.kill.subscribe();
    let mut toxics = shared.toxics.subscribe();
    let decisions = Decisions {
        seed: shared.seed,
        conn,
    };
    let _ = client.set_nodelay(true);

    // Set-up faults, before anything goes upstream.
    let mut hang_since: Option<Instant> = None;
    let mut watch_client = true;
    let mut probe = [0u8; 1];
    loop {
        let setup = toxics
            .borrow()
            .iter()
            .find(|t| t.kind.is_setup() && decisions.applies(t))
            .map(|t| t.kind.clone());
        let deadline = match setup {
            None => break,
            Some(ToxicKind::Refuse) => {
                tracing::debug!(proxy = %shared.name, conn, "refuse: reset at accept");
                io::arm_reset(&client);
                return;
            }
            Some(ToxicKind::Hang { timeout }) => {
                let since = *hang_since.get_or_insert_with(Instant::now);
                (timeout > 0).then(|| since + Duration::from_millis(timeout))
            }
            Some(_) => break,
        };
        tokio::select! {
            _ = kill.changed() => return,
            r = toxics.changed() => if r.is_err() { return },
            _ = sleep_until(deadline), if deadline.is_some() => {
                io::shutdown(&client, std::net::Shutdown::Both);
                return;
            }
            r = client.peek(&mut probe), if watch_client => match r {
                // The client gave up while we hang.
                Ok(0) | Err(_) => return,
                // It sent data; keep it queued and stop watching (peek would not block).
                Ok(_) => watch_client = false,
            },
        }
    }

    let upstream_addr = shared.upstream();
    let upstream = tokio::select! {
        _ = kill.changed() => return,
        r = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&upstream_addr)) => match r {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!(proxy = %shared.name, conn, "upstream {upstream_addr}: {e}");
                return;
            }
            Err(_) => {
                tracing::debug!(proxy = %shared.name, conn, "upstream {upstream_addr}: connect timed out");
                return;
            }
        }
    };
    let _ = upstream.set_nodelay(true);
    let (Ok(client_ctl), Ok(upstream_ctl)) = (io::Control::of(&client), io::Control::of(&upstream))
    else {
        tracing::debug!(proxy = %shared.name, conn, "cannot duplicate a socket descriptor");
        io::arm_reset(&client);
        return;
    };
    let (client_r, client_w) = client.into_split();
    let (upstream_r, upstream_w) = upstream.into_split();

    let pump = |src: OwnedReadHalf, dst: OwnedWriteHalf, stream: Stream| Pump {
        src: Some(src),
        dst: io::Writer::new(dst),
        stream,
        toxics: toxics.clone(),
        decisions,
        rng: Rng::new(shared.seed ^ hash_str(stream.as_str()) ^ conn.wrapping_mul(0x9E37)),
        on_toxic_path: shared.on_toxic_path.clone(),
    };
    let mut up = AbortOnDrop(tokio::spawn(
        pump(client_r, upstream_w, Stream::Upstream).run(),
    ));
    let mut down = AbortOnDrop(tokio::spawn(
        pump(upstream_r, client_w, Stream::Downstream).run(),
    ));
    let mut up_end: Option<End> = None;
    let mut down_end: Option<End> = None;
    let mut activated: HashMap<String, Instant> = HashMap::new();

    let finish = loop {
        let deadline = timer(&toxics.borrow(), decisions, &mut activated);
        tokio::select! {
            r = &mut up.0, if up_end.is_none() => up_end = Some(r.unwrap_or(End::Failed)),
            r = &mut down.0, if down_end.is_none() => down_end = Some(r.unwrap_or(End::Failed)),
            _ = kill.changed() => break Finish::Close,
            r = toxics.changed() => if r.is_err() { break Finish::Close },
            _ = sleep_until(deadline.map(|d| d.0)), if deadline.is_some() => {
                break deadline.map_or(Finish::Close, |d| d.1);
            }
        }
        match (up_end, down_end) {
            (Some(End::Eof), Some(End::Eof)) => break Finish::Done,
            (Some(End::Limit | End::Failed), _) | (_, Some(End::Limit | End::Failed)) => {
                break Finish::Close;
            }
            _ => {}
        }
    };
    tracing::debug!(proxy = %shared.name, conn, ?finish, "connection ends");
    match finish {
        Finish::Reset => {
            client_ctl.arm_reset();
            upstream_ctl.arm_reset();
        }
        Finish::Close => {
            client_ctl.shutdown(std::net::Shutdown::Both);
            upstream_ctl.shutdown(std::net::Shutdown::Both);
        }
        Finish::Done => {}
    }
    // Wait for the pumps to let go of the sockets, so ours are the last references
    // and dropping them closes (or resets) now.
    up.0.abort();
    down.0.abort();
    if up_end.is_none() {
        let _ = (&mut up.0).await;
    }
    if down_end.is_none() {
        let _ = (&mut down.0).await;
    }
}

/// The earliest connection-level timer among the active toxics: `timeout` closes,
/// `reset_peer` resets. A toxic's clock starts when this connection first sees it.
fn timer(
    toxics: &[Toxic],
    decisions: Decisions,
    activated: &mut HashMap<String, Instant>,
) -> Option<(Instant, Finish)> {
    activated.retain(|name, _| toxics.iter().any(|t| &t.name == name));
    let mut best: Option<(Instant, Finish)> = None;
    for t in toxics.iter().filter(|t| decisions.applies(t)) {
        let (ms, finish) = match t.kind {
            ToxicKind::Timeout { timeout } if timeout > 0 => (timeout, Finish::Close),
            ToxicKind::ResetPeer { timeout } => (timeout, Finish::Reset),
            _ => continue,
        };
        let since = *activated.entry(t.name.clone()).or_insert_with(Instant::now);
        let at = since + Duration::from_millis(ms);
        if best.is_none_or(|(b, _)| at < b) {
            best = Some((at, finish));
        }
    }
    best
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
