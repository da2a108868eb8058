//! One direction of a proxied connection. While no toxic touches the direction, bytes are
//! copied straight from one socket to the other in one task (the fast path). From the
//! first toxic on, a reader stamps each chunk with its arrival time and queues it (a
//! bounded queue, so a slow side holds back a fast one), and a writer applies the
//! direction's toxics before passing the bytes on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::io;
use super::link::{AbortOnDrop, Decisions};
use super::rng::Rng;
use super::toxic::{Stream, Toxic, ToxicKind};

/// Largest chunk read at once.
const CHUNK: usize = 64 * 1024;
/// Largest chunk read at once on the fast path (one buffer per direction, reused).
const FAST_CHUNK: usize = 128 * 1024;
/// Chunks queued per direction: at most `QUEUE * CHUNK` bytes are buffered.
const QUEUE: usize = 16;
/// Longest single pause of the bandwidth toxic, so a change of rate applies soon.
const PACE_SLICE: Duration = Duration::from_millis(100);

/// How a direction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The sender closed; the close was passed on.
    Eof,
    /// `limit_data` was reached: the whole connection must close.
    Limit,
    /// A socket failed (the peer vanished).
    Failed,
}

enum Chunk {
    Data(Instant, Vec<u8>),
    Eof,
    Failed,
}

/// What the toxic path's writer does next.
enum Next {
    Chunk(Chunk),
    /// The toxics changed.
    Changed,
    /// The reader or the toxics are gone.
    Gone,
}

/// The toxic path's reader: queues what `src` sends, stamped with its arrival, until the
/// stream ends (`None`) or `stop` comes (the socket is handed back; a read in progress
/// loses nothing, reads are readiness-based).
async fn read_chunks(
    mut src: OwnedReadHalf,
    tx: mpsc::Sender<Chunk>,
    mut stop: oneshot::Receiver<()>,
) -> Option<OwnedReadHalf> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let chunk = tokio::select! {
            biased;
            _ = &mut stop => return Some(src),
            r = io::read_some(&mut src, &mut buf) => match r {
                Ok(0) => Chunk::Eof,
                Ok(n) => Chunk::Data(Instant::now(), buf[..n].to_vec()),
                Err(_) => Chunk::Failed,
            },
        };
        let last = !matches!(chunk, Chunk::Data(..));
        if tx.send(chunk).await.is_err() || last {
            return None;
        }
    }
}

/// Everything one direction needs.
pub(crate) struct Pump {
    /// Read by the fast path, then moved to the toxic path's reader task.
    pub src: Option<OwnedReadHalf>,
    pub dst: io::Writer,
    pub stream: Stream,
    pub toxics: watch::Receiver<Arc<Vec<Toxic>>>,
    pub decisions: Decisions,
    pub rng: Rng,
    /// Counts the directions on the toxic path, for [`super::TcpProxy::toxic_directions`].
    pub on_toxic_path: Arc<Gauge>,
}

/// A count of things in progress; [`Gauge::enter`] adds one until its guard drops.
#[derive(Debug, Default)]
pub(crate) struct Gauge(std::sync::atomic::AtomicUsize);

impl Gauge {
    pub(crate) fn enter(self: &Arc<Self>) -> GaugeGuard {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        GaugeGuard(self.clone())
    }

    pub(crate) fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Takes its one back from the gauge when dropped (also when the task is aborted).
pub(crate) struct GaugeGuard(Arc<Gauge>);

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Pump {
    pub(crate) async fn run(mut self) -> End {
        loop {
            if let Some(end) = self.forward_plain().await {
                return end;
            }
            if let Some(end) = self.run_toxic().await {
                return end;
            }
        }
    }

    /// The fast path: copies from `src` to `dst` while no toxic touches this direction.
    /// Returns `None` as soon as one does (nothing read is left unwritten), so the caller
    /// goes on with the toxic path on the same sockets; the toxic path hands the socket
    /// back when no toxic touches the direction any more.
    async fn forward_plain(&mut self) -> Option<End> {
        let Some(mut src) = self.src.take() else {
            return Some(End::Failed);
        };
        let mut buf = vec![0u8; FAST_CHUNK];
        loop {
            if !self.plain() {
                self.src = Some(src);
                return None;
            }
            let read = tokio::select! {
                biased;
                r = self.toxics.changed() => {
                    if r.is_err() {
                        return Some(End::Failed);
                    }
                    continue;
                }
                // Readiness-based, so dropping it when a toxic arrives loses no byte.
                r = io::read_some(&mut src, &mut buf) => r,
            };
            match read {
                Ok(0) => {
                    self.dst.finish();
                    return Some(End::Eof);
                }
                Ok(n) => {
                    if self.dst.write_all(&buf[..n]).await.is_err() {
                        return Some(End::Failed);
                    }
                }
                Err(_) => return Some(End::Failed),
            }
        }
    }

    /// Whether no toxic that applies to this connection acts on this direction: none on
    /// this stream (set-up faults aside, they act before the pumps), and no `reset_peer`
    /// (it stops both directions). Marks the current toxics as seen.
    fn plain(&mut self) -> bool {
        let toxics = self.toxics.borrow_and_update().clone();
        !toxics.iter().any(|t| {
            self.decisions.applies(t)
                && !t.kind.is_setup()
                && (t.stream == self.stream || matches!(t.kind, ToxicKind::ResetPeer { .. }))
        })
    }

    /// The toxic path: a reader task queues stamped chunks, this task applies the toxics.
    /// `None` when the toxics that touched this direction are gone: the reader has handed
    /// the socket back and everything it had read is written, so the fast path goes on.
    async fn run_toxic(&mut self) -> Option<End> {
        let Some(src) = self.src.take() else {
            return Some(End::Failed);
        };
        let _counted = self.on_toxic_path.enter();
        let (tx, mut rx) = mpsc::channel(QUEUE);
        let (stop, stopped) = oneshot::channel();
        let mut reader = AbortOnDrop(tokio::spawn(read_chunks(src, tx, stopped)));
        // Bytes passed on while each `limit_data` toxic was on (counted from when this
        // connection first saw it, as Toxiproxy counts per toxic).
        let mut sent: HashMap<String, u64> = HashMap::new();
        let mut seen: HashMap<String, Instant> = HashMap::new();
        loop {
            let next = tokio::select! {
                c = rx.recv() => c.map_or(Next::Gone, Next::Chunk),
                r = self.toxics.changed() => if r.is_err() { Next::Gone } else { Next::Changed },
            };
            let chunk = match next {
                Next::Chunk(c) => c,
                Next::Gone => return Some(End::Failed),
                Next::Changed if self.plain() => {
                    return self.back_to_plain(stop, &mut reader, &mut rx).await;
                }
                Next::Changed => continue,
            };
            if let Some(end) = self.toxic_chunk(chunk, &mut sent, &mut seen).await {
                return Some(end);
            }
        }
    }

    /// Stops the reader, writes what it had queued (no toxic applies any more) and takes
    /// the socket back; `Some` when the stream ended meanwhile.
    async fn back_to_plain(
        &mut self,
        stop: oneshot::Sender<()>,
        reader: &mut AbortOnDrop<Option<OwnedReadHalf>>,
        rx: &mut mpsc::Receiver<Chunk>,
    ) -> Option<End> {
        let _ = stop.send(());
        let src = loop {
            tokio::select! {
                biased;
                r = &mut reader.0 => break r.ok().flatten(),
                Some(chunk) = rx.recv() => {
                    if let Some(end) = self.pass(chunk).await {
                        return Some(end);
                    }
                }
            }
        };
        while let Ok(chunk) = rx.try_recv() {
            if let Some(end) = self.pass(chunk).await {
                return Some(end);
            }
        }
        match src {
            Some(src) => {
                self.src = Some(src);
                None
            }
            None => Some(End::Failed),
        }
    }

    /// Passes a chunk on unchanged.
    async fn pass(&mut self, chunk: Chunk) -> Option<End> {
        match chunk {
            Chunk::Data(_, data) => self.dst.write_all(&data).await.err().map(|_| End::Failed),
            Chunk::Eof => {
                self.dst.finish();
                Some(End::Eof)
            }
            Chunk::Failed => Some(End::Failed),
        }
    }

    /// Applies the toxics to one chunk; `Some` when the direction ends.
    async fn toxic_chunk(
        &mut self,
        chunk: Chunk,
        sent: &mut HashMap<String, u64>,
        seen: &mut HashMap<String, Instant>,
    ) -> Option<End> {
        match chunk {
            Chunk::Data(at, data) => {
                if self.swallows(seen) {
                    return None;
                }
                let active = self.active();
                let limits = self.limits();
                sent.retain(|name, _| limits.iter().any(|(n, _)| n == name));
                let room = limits
                    .iter()
                    .map(|(name, bytes)| bytes.saturating_sub(sent.get(name).copied().unwrap_or(0)))
                    .min();
                let mut data = &data[..];
                let mut cut = false;
                if let Some(room) = room
                    && data.len() as u64 >= room
                {
                    data = &data[..room as usize];
                    cut = true;
                }
                let delay = self.latency(&active);
                if !delay.is_zero() {
                    tokio::time::sleep_until(at + delay).await;
                }
                if self.write_shaped(data, &active).await.is_err() {
                    return Some(End::Failed);
                }
                for (name, _) in &limits {
                    *sent.entry(name.clone()).or_insert(0) += data.len() as u64;
                }
                cut.then_some(End::Limit)
            }
            Chunk::Eof => {
                // Under a timeout or a due reset the close does not pass either;
                // the supervisor ends the connection, or the toxic goes away.
                while self.swallows(seen) {
                    if self.toxics.changed().await.is_err() {
                        return Some(End::Failed);
                    }
                }
                let hold = self
                    .active()
                    .iter()
                    .filter_map(|k| match k {
                        ToxicKind::SlowClose { delay } => Some(*delay),
                        _ => None,
                    })
                    .max();
                if let Some(ms) = hold {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                self.dst.finish();
                Some(End::Eof)
            }
            Chunk::Failed => Some(End::Failed),
        }
    }

    /// Whether data must not pass: a `timeout` toxic is on, or a `reset_peer` toxic's
    /// time has come (the supervisor resets the connection; no byte may slip through
    /// before it does). Toxics act on any direction here, as the reset does.
    fn swallows(&self, seen: &mut HashMap<String, Instant>) -> bool {
        let toxics = self.toxics.borrow().clone();
        let now = Instant::now();
        toxics
            .iter()
            .filter(|t| self.decisions.applies(t))
            .any(|t| match t.kind {
                ToxicKind::Timeout { .. } => t.stream == self.stream,
                ToxicKind::ResetPeer { timeout } => {
                    let since = *seen.entry(t.name.clone()).or_insert(now);
                    now >= since + Duration::from_millis(timeout)
                }
                _ => false,
            })
    }

    /// The toxics on this direction that apply to this connection, now.
    fn active(&self) -> Vec<ToxicKind> {
        let toxics = self.toxics.borrow().clone();
        toxics
            .iter()
            .filter(|t| t.stream == self.stream && self.decisions.applies(t))
            .map(|t| t.kind.clone())
            .collect()
    }

    /// The `limit_data` toxics on this direction that apply to this connection: name and
    /// limit.
    fn limits(&self) -> Vec<(String, u64)> {
        let toxics = self.toxics.borrow().clone();
        toxics
            .iter()
            .filter(|t| t.stream == self.stream && self.decisions.applies(t))
            .filter_map(|t| match t.kind {
                ToxicKind::LimitData { bytes } => Some((t.name.clone(), bytes)),
                _ => None,
            })
            .collect()
    }

    fn latency(&mut self, active: &[ToxicKind]) -> Duration {
        let mut total: i64 = 0;
        for k in active {
            if let ToxicKind::Latency { latency, jitter } = *k {
                let j = jitter.min(i64::MAX as u64) as i64;
                total += (latency.min(i64::MAX as u64) as i64) + self.rng.between(-j, j);
            }
        }
        Duration::from_millis(total.max(0) as u64)
    }

    /// Writes `data` in the pieces and at the pace the slicer and bandwidth toxics ask
    /// for. The toxics are read again before every piece after the first, so a change of
    /// rate, or a toxic removed, applies from the next piece on.
    async fn write_shaped(&mut self, data: &[u8], active: &[ToxicKind]) -> std::io::Result<()> {
        let mut rest = data;
        let mut first = true;
        let mut fresh: Vec<ToxicKind>;
        let mut active = active;
        while !rest.is_empty() {
            if !first {
                fresh = self.active();
                active = &fresh;
            }
            let slicer = active.iter().find_map(|k| match *k {
                ToxicKind::Slicer {
                    average_size,
                    size_variation,
                    delay,
                } => Some((average_size, size_variation, delay)),
                _ => None,
            });
            let rate = active
                .iter()
                .filter_map(|k| match *k {
                    ToxicKind::Bandwidth { rate } if rate > 0 => Some(rate),
                    _ => None,
                })
                .min();
            let mut n = rest.len();
            if let Some((avg, var, delay_us)) = slicer {
                if !first && delay_us > 0 {
                    tokio::time::sleep(Duration::from_micros(delay_us)).await;
                }
                let avg = avg.max(1) as i64;
                let var = (var as i64).min(avg - 1);
                n = n.min(self.rng.between(avg - var, avg + var).max(1) as usize);
            }
            if let Some(rate) = rate {
                // `rate` is KB/s: at most one PACE_SLICE worth per write.
                let per_slice = (rate.saturating_mul(1000) / 10).max(1) as usize;
                n = n.min(per_slice);
            }
            self.dst.write_all(&rest[..n]).await?;
            if let Some(rate) = rate {
                let secs = n as f64 / (rate as f64 * 1000.0);
                tokio::time::sleep(Duration::from_secs_f64(secs).min(PACE_SLICE)).await;
            }
            rest = &rest[n..];
            first = false;
        }
        Ok(())
    }
}
