//! The probes' benchmark (run by `bench/probes.sh`, release build, loopback only).
//!
//! 1. Overhead per assertion, per probe kind: what one expectation that already holds
//!    costs the runner — the snapshot before the request plus one read after it, and the
//!    match — timed over many iterations (p50, p99).
//! 2. Detection latency: a writer appends a log line, commits a row or publishes a
//!    message at a random moment; a waiter polls with the runner's `within` schedule
//!    ([`crosscheck_probe::Backoff`]) and the time from the write returning to the waiter
//!    seeing it is recorded (p50, p99 over a bounded number of trials). The same waiter
//!    with a fixed 100 ms pause (Awaitility's default poll interval) is the reference.
//!
//! Usage: probe_bench [--postgres URL] [--redis URL] [--iterations N] [--trials N]
//! Prints a Markdown table. Without a URL that probe is left out (and the table says so).

use std::future::Future;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crosscheck_probe::metrics::MetricsProbe;
use crosscheck_probe::{Backoff, Broker, LogProbe, LogSource, SqlProbe};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    postgres: Option<String>,
    redis: Option<String>,
    iterations: usize,
    trials: usize,
}

fn args() -> Result<Args, Error> {
    let mut a = Args {
        postgres: None,
        redis: None,
        iterations: 500,
        trials: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--postgres" => a.postgres = Some(value),
            "--redis" => a.redis = Some(value),
            "--iterations" => a.iterations = value.parse()?,
            "--trials" => a.trials = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(a)
}

/// p50 and p99, in microseconds.
type Spread = (f64, f64);

/// p50 and p99 of durations, in microseconds.
fn percentiles(mut v: Vec<Duration>) -> Spread {
    v.sort();
    let at = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v[i].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99))
}

/// A small deterministic source for the writers' random moments.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A Prometheus endpoint on loopback answering the same ~60 samples on every scrape
/// (about the size of the example service's), with one counter that grows per scrape.
async fn metrics_server() -> Result<String, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/metrics", listener.local_addr()?);
    let hits = Arc::new(std::sync::atomic::AtomicU64::new(0));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.set_nodelay(true);
            let hits = hits.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    let Ok(n) = s.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    let n_hits = hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut body = String::from(
                        "# HELP requests_total Requests.\n# TYPE requests_total counter\n",
                    );
                    body.push_str(&format!("requests_total {n_hits}\n"));
                    body.push_str("# TYPE latency_seconds histogram\n");
                    for (i, le) in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "+Inf"]
                        .iter()
                        .enumerate()
                    {
                        for route in ["/a", "/b", "/c", "/d", "/e", "/f", "/g"] {
                            body.push_str(&format!(
                                "latency_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}\n",
                                i * 3
                            ));
                        }
                    }
                    // One write: head and body split over two would meet Nagle's
                    // algorithm and the client's delayed ACK (40 ms per scrape).
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

fn append(path: &Path, line: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(line.as_bytes())
}

/// Times `one` (an assertion that holds: snapshot, read, match) `n` times.
async fn overhead<F, Fut>(n: usize, mut one: F) -> Result<(f64, f64), Error>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Duration, Error>>,
{
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        times.push(one(i).await?);
    }
    Ok(percentiles(times))
}

/// How the waiter pauses between reads.
#[derive(Clone, Copy)]
enum Schedule {
    /// The runner's `within` schedule.
    Runner,
    /// A fixed pause (Awaitility's default poll interval is 100 ms).
    Fixed(Duration),
}

/// What the waiter reads: `mark` before the trial's write can happen, `seen` until the
/// trial's item is there.
trait Waiter {
    async fn mark(&mut self, trial: usize) -> Result<(), Error>;
    async fn seen(&mut self, trial: usize) -> Result<bool, Error>;
}

struct LogWaiter(LogProbe);

impl Waiter for LogWaiter {
    async fn mark(&mut self, _: usize) -> Result<(), Error> {
        Ok(self.0.mark()?)
    }
    async fn seen(&mut self, trial: usize) -> Result<bool, Error> {
        let want = format!("{{\"trial\":{trial}}}");
        Ok(self.0.read()?.contains(&want))
    }
}

struct SqlWaiter {
    db: SqlProbe,
    select: String,
}

impl Waiter for SqlWaiter {
    async fn mark(&mut self, _: usize) -> Result<(), Error> {
        Ok(())
    }
    async fn seen(&mut self, trial: usize) -> Result<bool, Error> {
        Ok(!self
            .db
            .query(&self.select, &[json!(trial)])
            .await?
            .is_empty())
    }
}

struct StreamWaiter {
    broker: Broker,
    topic: String,
    from: Option<crosscheck_probe::Position>,
}

impl Waiter for StreamWaiter {
    async fn mark(&mut self, _: usize) -> Result<(), Error> {
        self.from = Some(self.broker.position(&self.topic).await?);
        Ok(())
    }
    async fn seen(&mut self, trial: usize) -> Result<bool, Error> {
        let from = self.from.clone().ok_or("not marked")?;
        let got = self.broker.read_since(&self.topic, &from).await?;
        Ok(got.iter().any(|m| m.json() == json!({ "trial": trial })))
    }
}

/// Runs `trials` trials: the waiter marks, a writer does `write(i)` after a random
/// 0–50 ms, the waiter polls on `schedule`; returns the write-returned → seen times.
async fn detection<W, WF>(
    trials: usize,
    schedule: Schedule,
    write: W,
    waiter: &mut impl Waiter,
) -> Result<(f64, f64), Error>
where
    W: Fn(usize) -> WF + Send + Sync + Clone + 'static,
    WF: Future<Output = Result<(), Error>> + Send,
{
    let mut rng = Lcg(42);
    let mut times = Vec::with_capacity(trials);
    for i in 0..trials {
        let delay = Duration::from_micros(rng.below(50_000));
        waiter.mark(i).await?;
        let w = write.clone();
        let writer = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            w(i).await?;
            Ok::<Instant, Error>(Instant::now())
        });
        let mut backoff = Backoff::default();
        let deadline = Instant::now() + Duration::from_secs(5);
        let found = loop {
            if waiter.seen(i).await? {
                break Instant::now();
            }
            if Instant::now() > deadline {
                return Err(format!("trial {i}: the write was not seen within 5 s").into());
            }
            let pause = match schedule {
                Schedule::Runner => backoff.next_pause(),
                Schedule::Fixed(d) => d,
            };
            tokio::time::sleep(pause).await;
        };
        let written = writer.await??;
        times.push(found.saturating_duration_since(written));
    }
    Ok(percentiles(times))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let mut overhead_rows: Vec<(String, (f64, f64))> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();

    // --- Overhead per assertion ---------------------------------------------------------
    let log = dir.path().join("app.jsonl");
    for i in 0..1000 {
        append(&log, &format!("{{\"n\":{i},\"decision\":\"grant\"}}\n"))?;
    }
    let mut probe = LogProbe::new(LogSource::File(log.clone()));
    let r = overhead(a.iterations, |i| {
        // The log probe is synchronous: time it here, hand the result to `overhead`.
        let t = Instant::now();
        let d = (|| -> Result<Duration, Error> {
            probe.mark()?;
            append(&log, &format!("{{\"n\":{i},\"decision\":\"grant\"}}\n"))?;
            let hit = probe.read()?.iter().any(|l| l.contains("\"grant\""));
            assert!(hit);
            Ok(t.elapsed())
        })();
        async move { d }
    })
    .await?;
    overhead_rows.push(("log line in a file (JSON match)".into(), r));

    let captured: crosscheck_probe::SharedLines = Arc::new(Mutex::new(Vec::new()));
    let mut probe = LogProbe::new(LogSource::Captured(captured.clone()));
    let r = overhead(a.iterations, |i| {
        let t = Instant::now();
        let d = (|| -> Result<Duration, Error> {
            probe.mark()?;
            if let Ok(mut l) = captured.lock() {
                l.push(format!("served request {i}"));
            }
            let hit = probe.read()?.iter().any(|l| l.contains("served"));
            assert!(hit);
            Ok(t.elapsed())
        })();
        async move { d }
    })
    .await?;
    overhead_rows.push(("log line on stdout (captured)".into(), r));

    let sqlite_file = dir.path().join("bench.db");
    std::fs::File::create(&sqlite_file)?;
    let sqlite = SqlProbe::connect(&format!("sqlite:{}", sqlite_file.display())).await?;
    let mut dbs: Vec<(&str, SqlProbe, &str)> = vec![("SQLite", sqlite, "?")];
    match &a.postgres {
        Some(url) => dbs.push(("PostgreSQL", SqlProbe::connect(url).await?, "$1")),
        None => missing.push("PostgreSQL (no --postgres)"),
    }
    for (name, db, p) in &dbs {
        db.execute("DROP TABLE IF EXISTS bench_rows", &[]).await?;
        db.execute(
            "CREATE TABLE bench_rows (id INTEGER, resource TEXT, decision TEXT)",
            &[],
        )
        .await?;
        for i in 0..1000 {
            db.execute(
                &format!("INSERT INTO bench_rows VALUES ({i}, 'r{i}', 'grant')"),
                &[],
            )
            .await?;
        }
        let query = format!("SELECT decision FROM bench_rows WHERE resource = {p}");
        let r = overhead(a.iterations, |i| {
            let query = query.clone();
            async move {
                let key = json!(format!("r{}", i % 1000));
                let t = Instant::now();
                let before = db.query(&query, std::slice::from_ref(&key)).await?;
                let after = db.query(&query, std::slice::from_ref(&key)).await?;
                assert_eq!(before, after);
                Ok(t.elapsed())
            }
        })
        .await?;
        overhead_rows.push((
            format!("SQL row on {name} (query before + after, indexed by nothing, 1,000 rows)"),
            r,
        ));
    }

    let metrics = MetricsProbe::new(metrics_server().await?)?;
    let r = overhead(a.iterations, |_| {
        let metrics = &metrics;
        async move {
            let t = Instant::now();
            let before = metrics.scrape().await?;
            let after = metrics.scrape().await?;
            let delta = after.value("requests_total", &[]).unwrap_or(0.0)
                - before.value("requests_total", &[]).unwrap_or(0.0);
            assert_eq!(delta, 1.0);
            Ok(t.elapsed())
        }
    })
    .await?;
    overhead_rows.push(("metric delta (scrape before + after, 51 samples)".into(), r));

    let broker = match &a.redis {
        Some(url) => Some(Broker::connect(url).await?),
        None => {
            missing.push("Redis Streams (no --redis)");
            None
        }
    };
    if let Some(b) = &broker {
        let r = overhead(a.iterations, |i| async move {
            b.publish("bench-overhead", &format!("{{\"n\":{i}}}"))
                .await?;
            let t = Instant::now();
            let pos = b.position("bench-overhead").await?;
            // The service publishes between the two reads; not timed.
            let t_pub = Instant::now();
            b.publish("bench-overhead", &format!("{{\"n\":{i}}}"))
                .await?;
            let pub_time = t_pub.elapsed();
            let got = b.read_since("bench-overhead", &pos).await?;
            assert_eq!(got.len(), 1);
            Ok(t.elapsed() - pub_time)
        })
        .await?;
        overhead_rows.push((
            "message on a Redis stream (position before + read after)".into(),
            r,
        ));
    }

    // --- Detection latency ----------------------------------------------------------------
    let mut detect_rows: Vec<(String, Spread, Spread)> = Vec::new();
    for schedule in [
        Schedule::Runner,
        Schedule::Fixed(Duration::from_millis(100)),
    ] {
        let mut results: Vec<(String, (f64, f64))> = Vec::new();

        let trials = a.trials;
        let dlog = dir.path().join("detect.jsonl");
        let mut waiter = LogWaiter(LogProbe::new(LogSource::File(dlog.clone())));
        let r = detection(
            trials,
            schedule,
            move |i| {
                let dlog = dlog.clone();
                async move {
                    append(&dlog, &format!("{{\"trial\":{i}}}\n"))?;
                    Ok(())
                }
            },
            &mut waiter,
        )
        .await?;
        results.push(("log line appended to a file".into(), r));

        for (name, db, p) in &dbs {
            db.execute("DROP TABLE IF EXISTS bench_detect", &[]).await?;
            db.execute("CREATE TABLE bench_detect (trial INTEGER)", &[])
                .await?;
            let writer = db.clone();
            let insert = format!("INSERT INTO bench_detect VALUES ({p})");
            let mut waiter = SqlWaiter {
                db: db.clone(),
                select: format!("SELECT trial FROM bench_detect WHERE trial = {p}"),
            };
            let r = detection(
                trials,
                schedule,
                move |i| {
                    let writer = writer.clone();
                    let insert = insert.clone();
                    async move {
                        writer.execute(&insert, &[json!(i)]).await?;
                        Ok(())
                    }
                },
                &mut waiter,
            )
            .await?;
            results.push((format!("row committed ({name})"), r));
        }

        if let Some(b) = &broker {
            let topic = format!("bench-detect-{}", std::process::id());
            let writer = b.clone();
            let t2 = topic.clone();
            let mut waiter = StreamWaiter {
                broker: b.clone(),
                topic,
                from: None,
            };
            let r = detection(
                trials,
                schedule,
                move |i| {
                    let writer = writer.clone();
                    let topic = t2.clone();
                    async move {
                        writer
                            .publish(&topic, &format!("{{\"trial\":{i}}}"))
                            .await?;
                        Ok(())
                    }
                },
                &mut waiter,
            )
            .await?;
            results.push(("message published (Redis Streams)".into(), r));
        }
        for (name, r) in results {
            match detect_rows.iter_mut().find(|(n, ..)| *n == name) {
                Some(row) => row.2 = r,
                None => detect_rows.push((name, r, (0.0, 0.0))),
            }
        }
    }

    println!("| probe (one assertion that holds) | p50 | p99 |");
    println!("|---|---|---|");
    for (name, (p50, p99)) in &overhead_rows {
        println!("| {name} | {p50:.0} µs | {p99:.0} µs |");
    }
    println!();
    println!(
        "| time from the write to its detection ({} trials) | `within` (5 ms doubling to 50 ms) p50 | p99 | fixed 100 ms poll p50 | p99 |",
        a.trials
    );
    println!("|---|---|---|---|---|");
    for (name, (r50, r99), (f50, f99)) in &detect_rows {
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            r50 / 1000.0,
            r99 / 1000.0,
            f50 / 1000.0,
            f99 / 1000.0
        );
    }
    if !missing.is_empty() {
        println!();
        println!("Not measured: {}.", missing.join(", "));
    }
    Ok(())
}
