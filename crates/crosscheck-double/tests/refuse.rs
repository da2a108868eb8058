//! `fault: refuse` at the socket level: while a mock double refuses, every connect gets
//! ECONNREFUSED at once, open connections are closed, the port stays the double's, and
//! afterwards it answers again on the same port.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::{bounded, client, stubs};
use crosscheck_double::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One blocking connect attempt (off the runtime's threads), as a service's client does.
async fn connect(addr: std::net::SocketAddr) -> io::Result<std::net::TcpStream> {
    tokio::task::spawn_blocking(move || {
        std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))
    })
    .await
    .expect("the connect task ran")
}

#[tokio::test]
async fn refusing_refuses_every_connect_keeps_the_port_and_listens_again_after() {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(
        "- { on: { path: /validate }, reply: { status: 200, json: { valid: true } } }\n",
    ));
    let http = client();
    let url = format!("{}/validate", mock.url());
    assert_eq!(bounded(http.get(&url).send()).await.unwrap().status(), 200);

    // A connection opened before, kept alive, as a client's pool would keep it.
    let mut pooled = bounded(TcpStream::connect(mock.addr())).await.unwrap();
    let request = format!("GET /validate HTTP/1.1\r\nHost: {}\r\n\r\n", mock.addr());
    bounded(pooled.write_all(request.as_bytes())).await.unwrap();
    let mut buf = [0u8; 512];
    let n = bounded(pooled.read(&mut buf)).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);

    mock.install(stubs("- fault: refuse\n"));
    bounded(mock.refuse_connections()).await.unwrap();
    assert!(mock.is_refusing());

    // The open connection is closed, not left to answer.
    let n = bounded(pooled.read(&mut buf)).await.unwrap_or(0);
    assert_eq!(
        n, 0,
        "a kept-alive connection still answered while refusing"
    );

    // Every connect is refused, fast: the kernel answers the SYN with RST.
    for _ in 0..20 {
        let started = Instant::now();
        let err = connect(mock.addr()).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "a refused connect took {:?}",
            started.elapsed()
        );
    }
    // An HTTP client sees a connect error, not a reset or a timeout.
    let err = bounded(http.get(&url).send()).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // Nobody else can take the port meanwhile: it stays bound to the double.
    let taken = TcpListener::bind(mock.addr()).await.unwrap_err();
    assert_eq!(taken.kind(), io::ErrorKind::AddrInUse);
    let std_taken = std::net::TcpListener::bind(mock.addr()).unwrap_err();
    assert_eq!(std_taken.kind(), io::ErrorKind::AddrInUse);
    // Nothing reached the double, so nothing is journaled.
    assert!(mock.journal().is_empty(), "{:?}", mock.journal());
    // Refusing twice is harmless.
    bounded(mock.refuse_connections()).await.unwrap();

    // Afterwards: the same port answers again, with the next scenario's stubs.
    bounded(mock.accept_connections()).await.unwrap();
    assert!(!mock.is_refusing());
    mock.install(stubs(
        "- { on: { path: /validate }, reply: { status: 201, json: { valid: true } } }\n",
    ));
    assert_eq!(bounded(http.get(&url).send()).await.unwrap().status(), 201);
    assert_eq!(mock.journal().len(), 1);
    bounded(mock.accept_connections()).await.unwrap();

    // And it can refuse again, and shut down while refusing.
    bounded(mock.refuse_connections()).await.unwrap();
    let err = connect(mock.addr()).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    bounded(mock.shutdown()).await;
    // Shut down, the port is free again.
    drop(mock);
}

#[tokio::test]
async fn a_refuse_stub_on_a_listening_double_resets_instead() {
    // Installed without `refuse_connections` (a library user's mistake): the double
    // cannot refuse one connection while listening, so it resets and says so.
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs("- fault: refuse\n"));
    let err = bounded(client().get(format!("{}/validate", mock.url())).send())
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    let journal = mock.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(
        journal[0].outcome,
        crosscheck_double::Outcome::Fault {
            fault: "refuse (the double was listening: reset instead)".to_owned(),
            status: None,
        }
    );
    mock.shutdown().await;
}
