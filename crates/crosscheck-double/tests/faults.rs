//! Faults as a real client sees them at the socket level.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::{LIMIT, bounded, client, stubs};
use crosscheck_double::{MockServer, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a connection and sends `GET path`.
async fn send_get(mock: &MockServer, path: &str) -> TcpStream {
    let mut s = bounded(TcpStream::connect(mock.addr())).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", mock.addr());
    bounded(s.write_all(request.as_bytes())).await.unwrap();
    s
}

/// Reads until EOF or an error, within [`LIMIT`].
async fn read_all(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    bounded(s.read_to_end(&mut out)).await.map(|_| out)
}

async fn mock_with(yaml: &str) -> MockServer {
    let mock = MockServer::start("auth").await.unwrap();
    mock.install(stubs(yaml));
    mock
}

fn fault(name: &str, status: Option<u16>) -> Outcome {
    Outcome::Fault {
        fault: name.to_owned(),
        status,
    }
}

#[tokio::test]
async fn timeout_holds_until_install_releases_it() {
    let mock = mock_with("- { on: { path: /validate }, fault: timeout }\n").await;
    let mut s = send_get(&mock, "/validate").await;
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await;
    assert!(early.is_err(), "a timeout fault answered: {early:?}");
    assert_eq!(mock.journal()[0].outcome, fault("timeout", None));

    let released = Instant::now();
    mock.install(Vec::new());
    let n = bounded(s.read(&mut buf)).await.unwrap();
    assert_eq!(n, 0, "the held connection must be closed without a reply");
    assert!(released.elapsed() < Duration::from_secs(2));
    mock.shutdown().await;
}

#[tokio::test]
async fn timeout_seen_by_an_http_client_as_a_timeout() {
    let mock = mock_with("- { fault: timeout }\n").await;
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = bounded(c.get(mock.url()).send()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn shutdown_releases_held_connections() {
    let mock = mock_with("- { fault: timeout }\n").await;
    let mut s = send_get(&mock, "/").await;
    bounded(async {
        while mock.journal().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    bounded(mock.shutdown()).await;
    assert_eq!(read_all(&mut s).await.unwrap(), b"");
}

#[tokio::test]
async fn install_closes_a_pending_delay() {
    let mock = mock_with("- { fault: { delay: 1m } }\n").await;
    let mut s = send_get(&mock, "/").await;
    bounded(async {
        while mock.journal().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    mock.install(Vec::new());
    assert_eq!(read_all(&mut s).await.unwrap(), b"");
}

#[tokio::test]
async fn reset_is_a_connection_reset() {
    let mock = mock_with("- { on: { path: /validate }, fault: reset }\n").await;
    let mut s = send_get(&mock, "/validate").await;
    let err = read_all(&mut s).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err:?}");
    assert_eq!(mock.journal()[0].outcome, fault("reset", None));
    assert!(
        bounded(client().get(format!("{}/validate", mock.url())).send())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn empty_closes_without_a_byte() {
    let mock = mock_with("- { fault: empty }\n").await;
    let mut s = send_get(&mock, "/x").await;
    assert_eq!(read_all(&mut s).await.unwrap(), b"");
    assert_eq!(mock.journal()[0].outcome, fault("empty", None));
    assert!(bounded(client().get(mock.url()).send()).await.is_err());
}

#[tokio::test]
async fn malformed_sends_bytes_that_are_not_http() {
    let mock = mock_with("- { fault: malformed }\n").await;
    let mut s = send_get(&mock, "/x").await;
    let bytes = read_all(&mut s).await.unwrap();
    assert!(!bytes.is_empty());
    assert!(!bytes.starts_with(b"HTTP/"), "{bytes:?}");
    assert_eq!(mock.journal()[0].outcome, fault("malformed", None));

    let err = bounded(client().get(mock.url()).send()).await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn truncate_cuts_the_body_short() {
    let mock = mock_with(
        "- { fault: truncate, reply: { status: 200, json: { access: granted, user_id: user-123 } } }\n",
    )
    .await;
    let mut s = send_get(&mock, "/x").await;
    let text = String::from_utf8(read_all(&mut s).await.unwrap()).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length")
        .parse()
        .unwrap();
    assert!(body.len() < length, "{body:?} is not shorter than {length}");
    assert_eq!(mock.journal()[0].outcome, fault("truncate", Some(200)));

    let r = bounded(client().get(mock.url()).send()).await.unwrap();
    assert_eq!(r.status(), 200);
    let err = bounded(r.bytes()).await.unwrap_err();
    assert!(err.is_body() || err.is_decode(), "{err:?}");
}

#[tokio::test]
async fn a_fault_leaves_other_connections_alone() {
    let mock = mock_with(
        "- { on: { path: /hang }, fault: timeout }\n- { on: { path: /ok }, reply: { status: 200 } }\n",
    )
    .await;
    let _held = send_get(&mock, "/hang").await;
    let r = tokio::time::timeout(LIMIT, client().get(format!("{}/ok", mock.url())).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status(), 200);
}
