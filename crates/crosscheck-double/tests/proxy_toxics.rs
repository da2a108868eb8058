//! Every toxic observed at the socket level, through a real proxy in front of a real
//! upstream on loopback. Timing checks are lower bounds only (a sleep never ends early).

use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crosscheck_double::proxy::{Stream, TcpProxy, Toxic, ToxicKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(5);

/// An upstream on loopback: echoes, or sends a fixed payload and closes.
struct Upstream {
    addr: String,
    accepted: Arc<AtomicUsize>,
    received: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
enum Behaviour {
    Echo,
    SendAndClose(Vec<u8>),
    /// Send this much, slowly, forever (until the peer goes).
    Stream,
}

impl Upstream {
    async fn start(b: Behaviour) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let accepted = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(AtomicUsize::new(0));
        let (acc, rec) = (accepted.clone(), received.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                acc.fetch_add(1, Ordering::SeqCst);
                let (b, rec) = (b.clone(), rec.clone());
                tokio::spawn(async move {
                    match b {
                        Behaviour::Echo => {
                            let mut buf = vec![0; 65536];
                            loop {
                                match s.read(&mut buf).await {
                                    Ok(0) | Err(_) => return,
                                    Ok(n) => {
                                        rec.fetch_add(n, Ordering::SeqCst);
                                        if s.write_all(&buf[..n]).await.is_err() {
                                            return;
                                        }
                                    }
                                }
                            }
                        }
                        Behaviour::SendAndClose(data) => {
                            let _ = s.write_all(&data).await;
                        }
                        Behaviour::Stream => {
                            let chunk = vec![b'x'; 16384];
                            for _ in 0..100_000 {
                                if s.write_all(&chunk).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        Upstream {
            addr,
            accepted,
            received,
            _task: task,
        }
    }
}

async fn proxy(up: &Upstream) -> TcpProxy {
    TcpProxy::builder("test", &up.addr).start().await.unwrap()
}

/// An echoing upstream, a proxy in front of it and a connection through the proxy.
async fn echo_through_proxy() -> (Upstream, TcpProxy, TcpStream) {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    let c = connect(&p).await;
    (up, p, c)
}

/// A latency toxic of `ms` milliseconds without jitter.
fn latency(ms: u64) -> ToxicKind {
    ToxicKind::Latency {
        latency: ms,
        jitter: 0,
    }
}

/// Adds a toxic of `kind` on `stream` to `p`.
fn add(p: &TcpProxy, kind: ToxicKind, stream: Stream) {
    p.add_toxic(Toxic::new(kind, stream)).unwrap();
}

async fn connect(p: &TcpProxy) -> TcpStream {
    TcpStream::connect(("127.0.0.1", p.port())).await.unwrap()
}

async fn read_to_end(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut v = Vec::new();
    timeout(LIMIT, s.read_to_end(&mut v))
        .await
        .expect("the read ends within 5 s")?;
    Ok(v)
}

async fn echo_round_trip(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    s.write_all(msg).await.unwrap();
    let mut buf = vec![0; msg.len()];
    timeout(LIMIT, s.read_exact(&mut buf))
        .await
        .expect("the echo comes back within 5 s")
        .unwrap();
    buf
}

#[tokio::test]
async fn bytes_flow_both_ways_intact() {
    let (_up, p, mut c) = echo_through_proxy().await;
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let (mut r, mut w) = c.split();
    let writer = async {
        w.write_all(&big).await.unwrap();
    };
    let reader = async {
        let mut got = vec![0; big.len()];
        r.read_exact(&mut got).await.unwrap();
        got
    };
    let (_, got) = timeout(LIMIT, async { tokio::join!(writer, reader) })
        .await
        .unwrap();
    assert!(got == big, "1 MB came back unchanged");
    assert_eq!(
        p.port(),
        p.listen()
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap()
    );
    assert_eq!(p.url(), format!("http://127.0.0.1:{}", p.port()));
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let (_up, p, mut c) = echo_through_proxy().await;
    assert_eq!(echo_round_trip(&mut c, b"warm").await, b"warm");
    add(&p, latency(300), Stream::Downstream);
    let t = Instant::now();
    assert_eq!(echo_round_trip(&mut c, b"ping").await, b"ping");
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn bandwidth_paces_the_bytes() {
    let payload = vec![7u8; 50_000];
    let up = Upstream::start(Behaviour::SendAndClose(payload.clone())).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::Bandwidth { rate: 100 }, Stream::Downstream);
    let t = Instant::now();
    let mut c = connect(&p).await;
    let got = read_to_end(&mut c).await.unwrap();
    assert_eq!(got, payload);
    // 50 KB at 100 KB/s takes at least 0.4 s (the first slice goes out at once).
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn slow_close_holds_the_fin_back() {
    let up = Upstream::start(Behaviour::SendAndClose(b"bye".to_vec())).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::SlowClose { delay: 300 }, Stream::Downstream);
    let mut c = connect(&p).await;
    let mut first = [0u8; 3];
    timeout(LIMIT, c.read_exact(&mut first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&first, b"bye");
    let t = Instant::now();
    assert_eq!(
        read_to_end(&mut c).await.unwrap(),
        b"",
        "then a clean close"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn timeout_swallows_data_then_closes() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::Timeout { timeout: 200 }, Stream::Upstream);
    let mut c = connect(&p).await;
    c.write_all(b"lost").await.unwrap();
    let t = Instant::now();
    let got = read_to_end(&mut c).await;
    assert!(
        matches!(&got, Ok(v) if v.is_empty()) || got.is_err(),
        "closed without data: {got:?}"
    );
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        up.received.load(Ordering::SeqCst),
        0,
        "nothing reached upstream"
    );
}

#[tokio::test]
async fn timeout_zero_holds_until_removed() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::Timeout { timeout: 0 }, Stream::Downstream);
    let mut c = connect(&p).await;
    c.write_all(b"dropped").await.unwrap();
    let mut buf = [0u8; 16];
    let waited = timeout(Duration::from_millis(300), c.read(&mut buf)).await;
    assert!(
        waited.is_err(),
        "no data and no close while the toxic is on"
    );
    p.remove_toxic("timeout_downstream").unwrap();
    assert_eq!(echo_round_trip(&mut c, b"back").await, b"back");
}

#[tokio::test]
async fn reset_peer_is_seen_as_a_reset() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    add(
        &p,
        ToxicKind::ResetPeer { timeout: 100 },
        Stream::Downstream,
    );
    let mut c = connect(&p).await;
    let err = read_to_end(&mut c)
        .await
        .expect_err("a reset, not a clean close");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
}

#[tokio::test]
async fn slicer_cuts_data_into_pieces() {
    let payload: Vec<u8> = (0..200u8).collect();
    let up = Upstream::start(Behaviour::SendAndClose(payload.clone())).await;
    let p = proxy(&up).await;
    add(
        &p,
        ToxicKind::Slicer {
            average_size: 20,
            size_variation: 5,
            delay: 20_000,
        },
        Stream::Downstream,
    );
    let mut c = connect(&p).await;
    let mut reads = 0;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = timeout(LIMIT, c.read(&mut buf)).await.unwrap().unwrap();
        if n == 0 {
            break;
        }
        reads += 1;
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, payload);
    assert!(
        reads >= 2,
        "200 bytes in 20-byte slices 20 ms apart arrive in pieces: {reads} read(s)"
    );
}

#[tokio::test]
async fn limit_data_cuts_at_the_limit() {
    let up = Upstream::start(Behaviour::SendAndClose(vec![1u8; 1000])).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::LimitData { bytes: 100 }, Stream::Downstream);
    let mut c = connect(&p).await;
    let got = read_to_end(&mut c).await.unwrap_or_default();
    assert_eq!(got.len(), 100);
}

#[tokio::test]
async fn limit_data_upstream_limits_what_the_upstream_gets() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::LimitData { bytes: 10 }, Stream::Upstream);
    let mut c = connect(&p).await;
    c.write_all(&[9u8; 50]).await.unwrap();
    let got = read_to_end(&mut c).await.unwrap_or_default();
    assert!(got.len() <= 10, "{}", got.len());
    assert!(up.received.load(Ordering::SeqCst) <= 10);
}

#[tokio::test]
async fn a_toxic_added_to_a_live_connection_takes_effect_and_removing_it_restores_the_bytes() {
    let (_up, p, mut c) = echo_through_proxy().await;
    // No toxics: the connection starts on the fast path.
    assert_eq!(echo_round_trip(&mut c, b"fast").await, b"fast");
    // A latency toxic reaches the open connection (Toxiproxy does the same).
    add(&p, latency(300), Stream::Downstream);
    let started = Instant::now();
    assert_eq!(echo_round_trip(&mut c, b"slow").await, b"slow");
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "the latency added to the live connection was not applied: {:?}",
        started.elapsed()
    );
    assert_eq!(
        p.toxic_directions(),
        1,
        "the downstream direction is on the toxic path"
    );
    // Removed again: the direction goes back to the direct copy, and the bytes flow
    // unchanged on the same connection.
    p.clear_toxics();
    back_on_the_fast_path(&p).await;
    for i in 0..20u8 {
        let msg = [i; 3000];
        assert_eq!(echo_round_trip(&mut c, &msg).await, msg);
    }
    assert_eq!(p.toxic_directions(), 0);
    // A data limit added to the live connection cuts it at the limit, byte-exact.
    add(&p, ToxicKind::LimitData { bytes: 3 }, Stream::Downstream);
    c.write_all(b"hello").await.unwrap();
    let got = read_to_end(&mut c).await.unwrap_or_default();
    assert_eq!(got, b"hel");
}

/// Waits (at most 5 s) until no direction of `p`'s connections is on the toxic path.
async fn back_on_the_fast_path(p: &TcpProxy) {
    let deadline = Instant::now() + LIMIT;
    while p.toxic_directions() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} direction(s) still on the toxic path 5 s after the toxics went",
            p.toxic_directions()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn bytes_queued_when_a_toxic_goes_arrive_whole_and_in_order() {
    let (_up, p, c) = echo_through_proxy().await;
    // 50 KB/s downstream: 1 MB would take 20 s; the toxic goes after 300 ms, with most
    // of the echo read and queued by the proxy but not yet written.
    add(&p, ToxicKind::Bandwidth { rate: 50 }, Stream::Downstream);
    let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let (mut r, mut w) = c.into_split();
    let sent = payload.clone();
    let writer = tokio::spawn(async move { w.write_all(&sent).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(p.toxic_directions(), 1);
    p.clear_toxics();
    let mut got = vec![0; payload.len()];
    timeout(LIMIT, r.read_exact(&mut got))
        .await
        .expect("the rest comes at full speed once the toxic is gone")
        .unwrap();
    assert!(got == payload, "the bytes changed or came out of order");
    writer.await.unwrap().unwrap();
    back_on_the_fast_path(&p).await;
}

#[tokio::test]
async fn a_toxic_on_the_other_direction_leaves_this_one_on_the_fast_path_and_reset_stops_both() {
    let (_up, p, mut c) = echo_through_proxy().await;
    assert_eq!(echo_round_trip(&mut c, b"a").await, b"a");
    add(
        &p,
        ToxicKind::LimitData { bytes: 1_000_000 },
        Stream::Upstream,
    );
    assert_eq!(echo_round_trip(&mut c, b"b").await, b"b");
    // reset_peer on either direction resets the live connection.
    add(&p, ToxicKind::ResetPeer { timeout: 0 }, Stream::Downstream);
    let _ = c.write_all(b"c").await;
    let err = read_to_end(&mut c).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
}

#[tokio::test]
async fn a_disabled_proxy_keeps_its_port_so_connections_are_always_refused() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    let port = p.port();
    for round in 0..3 {
        p.set_enabled(false).await.unwrap();
        // Nobody else can take the port meanwhile (a stranger listening there would
        // accept the client and reset it: the race this guards against).
        let taken = TcpListener::bind(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(taken.kind(), ErrorKind::AddrInUse, "round {round}");
        for _ in 0..50 {
            let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "round {round}");
        }
        p.set_enabled(true).await.unwrap();
        assert_eq!(p.port(), port);
        let mut c = connect(&p).await;
        assert_eq!(echo_round_trip(&mut c, b"x").await, b"x");
    }
    // Started disabled: the port is held from the start.
    let q = TcpProxy::builder("cold", &up.addr)
        .enabled(false)
        .start()
        .await
        .unwrap();
    let err = TcpStream::connect(("127.0.0.1", q.port()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    // Dropped: the port is free again.
    let freed = q.port();
    drop(q);
    TcpListener::bind(("127.0.0.1", freed)).await.unwrap();
}

#[tokio::test]
async fn a_disabled_proxy_refuses_and_closes_connections() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    let mut open = connect(&p).await;
    assert_eq!(echo_round_trip(&mut open, b"a").await, b"a");
    p.set_enabled(false).await.unwrap();
    let got = read_to_end(&mut open).await.unwrap_or_default();
    assert!(got.is_empty(), "the open connection is closed");
    let err = TcpStream::connect(("127.0.0.1", p.port()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    p.set_enabled(true).await.unwrap();
    let mut again = connect(&p).await;
    assert_eq!(echo_round_trip(&mut again, b"b").await, b"b");
}

#[tokio::test]
async fn hang_accepts_and_never_connects_upstream() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::Hang { timeout: 0 }, Stream::Downstream);
    let mut c = connect(&p).await;
    c.write_all(b"hello?").await.unwrap();
    let mut buf = [0u8; 8];
    assert!(
        timeout(Duration::from_millis(300), c.read(&mut buf))
            .await
            .is_err()
    );
    assert_eq!(up.accepted.load(Ordering::SeqCst), 0);
    // Removing the toxic lets the held connection through, data included.
    p.remove_toxic("hang_downstream").unwrap();
    let mut got = [0u8; 6];
    timeout(LIMIT, c.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"hello?");
}

#[tokio::test]
async fn refuse_resets_at_accept() {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&up).await;
    p.add_toxic(Toxic::new(ToxicKind::Refuse, Stream::Downstream))
        .unwrap();
    let mut c = connect(&p).await;
    let err = read_to_end(&mut c).await.expect_err("a reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert_eq!(up.accepted.load(Ordering::SeqCst), 0);
}

/// Which of 24 connections a 50% reset toxic hits.
async fn reset_pattern(seed: u64) -> Vec<bool> {
    let up = Upstream::start(Behaviour::Echo).await;
    let p = TcpProxy::builder("seeded", &up.addr)
        .seed(seed)
        .start()
        .await
        .unwrap();
    p.add_toxic(Toxic::new(ToxicKind::Refuse, Stream::Downstream).with_toxicity(0.5))
        .unwrap();
    let mut pattern = Vec::new();
    for _ in 0..24 {
        let mut c = connect(&p).await;
        c.write_all(b"x").await.ok();
        let mut b = [0u8; 1];
        let r = timeout(LIMIT, c.read(&mut b)).await.unwrap();
        pattern.push(r.is_err());
    }
    pattern
}

#[tokio::test]
async fn the_same_seed_replays_the_same_toxicity_decisions() {
    let a = reset_pattern(42).await;
    let b = reset_pattern(42).await;
    assert_eq!(a, b);
    assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x), "{a:?}");
}

#[tokio::test]
async fn the_proxy_survives_clients_and_upstreams_that_vanish() {
    // A client that goes away while the upstream is streaming at it.
    let streaming = Upstream::start(Behaviour::Stream).await;
    let p = proxy(&streaming).await;
    for _ in 0..5 {
        let mut c = connect(&p).await;
        let mut buf = [0u8; 4096];
        timeout(LIMIT, c.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        drop(c);
    }
    let mut c = connect(&p).await;
    let mut buf = [0u8; 4096];
    timeout(LIMIT, c.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();

    // An upstream that goes away mid-conversation, then comes back elsewhere.
    let echo = Upstream::start(Behaviour::Echo).await;
    let p = proxy(&echo).await;
    let mut c = connect(&p).await;
    assert_eq!(echo_round_trip(&mut c, b"1").await, b"1");
    drop(echo);
    let replacement = Upstream::start(Behaviour::Echo).await;
    p.set_upstream(&replacement.addr);
    let mut c2 = connect(&p).await;
    assert_eq!(echo_round_trip(&mut c2, b"2").await, b"2");

    // An upstream that is not there at all: the client's connection is closed.
    let gone = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone_addr = gone.local_addr().unwrap().to_string();
    drop(gone);
    p.set_upstream(gone_addr);
    let mut c3 = connect(&p).await;
    let got = read_to_end(&mut c3).await.unwrap_or_default();
    assert!(got.is_empty());
}

#[tokio::test]
async fn reset_peer_at_zero_lets_no_byte_through() {
    // The upstream speaks first and at once: the reset must still win.
    let up = Upstream::start(Behaviour::SendAndClose(b"hello".to_vec())).await;
    let p = proxy(&up).await;
    add(&p, ToxicKind::ResetPeer { timeout: 0 }, Stream::Downstream);
    for _ in 0..10 {
        let mut c = connect(&p).await;
        let got = read_to_end(&mut c).await;
        assert!(
            matches!(&got, Err(e) if e.kind() == ErrorKind::ConnectionReset),
            "a reset and no data: {got:?}"
        );
    }
}
