//! Faults in the body, distributions, probabilities and named states, as a raw TCP
//! client sees them: a mid-body pause by timestamps, a lying `Content-Length` as an
//! early EOF, broken chunked framing as a chunk-parse error, a slow body by its pieces.

mod common;

use std::time::{Duration, Instant};

use common::{bounded, client, stubs};
use crosscheck_double::{MockServer, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes as they arrived, each read with the time it completed.
struct Arrivals {
    reads: Vec<(Duration, Vec<u8>)>,
}

impl Arrivals {
    fn bytes(&self) -> Vec<u8> {
        self.reads.iter().flat_map(|(_, b)| b.clone()).collect()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
    /// When the byte at `offset` arrived.
    fn time_of(&self, offset: usize) -> Duration {
        let mut seen = 0;
        for (at, b) in &self.reads {
            seen += b.len();
            if seen > offset {
                return *at;
            }
        }
        panic!("byte {offset} never arrived ({seen} did)");
    }
}

/// Sends `GET path` on a fresh connection and reads until EOF, timing each read.
async fn get_raw(mock: &MockServer, path: &str) -> Arrivals {
    let mut s = bounded(TcpStream::connect(mock.addr())).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        mock.addr()
    );
    bounded(s.write_all(request.as_bytes())).await.unwrap();
    let started = Instant::now();
    let mut reads = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = bounded(s.read(&mut buf))
            .await
            .expect("a clean end, not an error");
        if n == 0 {
            break;
        }
        reads.push((started.elapsed(), buf[..n].to_vec()));
    }
    Arrivals { reads }
}

async fn mock_with(yaml: &str) -> MockServer {
    let mock = MockServer::start("dep").await.unwrap();
    mock.install(stubs(yaml));
    mock
}

/// Splits a response into its head and body at the blank line.
fn split(text: &str) -> (&str, &str) {
    text.split_once("\r\n\r\n")
        .expect("a head ends with a blank line")
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length header")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_pause_mid_body_is_seen_between_the_halves() {
    let mock = mock_with(
        "- { fault: { pause: { for: 400ms, after: 5 } }, reply: { body: 'hello world' } }\n",
    )
    .await;
    let got = get_raw(&mock, "/x").await;
    let text = got.text();
    let (head, body) = split(&text);
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(
        body, "hello world",
        "the answer is complete after the pause"
    );
    assert_eq!(content_length(head), 11);
    let head_len = head.len() + 4;
    let before = got.time_of(head_len + 4); // the fifth body byte
    let after = got.time_of(head_len + 5); // the sixth
    assert!(
        after - before >= Duration::from_millis(400),
        "the pause must fall between body byte 5 and 6: {before:?} then {after:?}"
    );
    assert!(
        before < Duration::from_millis(400),
        "the head came at once: {before:?}"
    );
    assert_eq!(
        mock.journal()[0].outcome,
        Outcome::Fault {
            fault: "pause 400ms mid-body".to_owned(),
            status: Some(200)
        }
    );
}

#[tokio::test]
async fn a_delay_before_headers_withholds_everything() {
    let mock = mock_with("- { fault: { delay: 300ms }, reply: { body: abc } }\n").await;
    let got = get_raw(&mock, "/x").await;
    assert!(
        got.time_of(0) >= Duration::from_millis(300),
        "{:?}",
        got.time_of(0)
    );
    assert!(got.text().ends_with("\r\n\r\nabc"), "{}", got.text());
}

#[tokio::test]
async fn a_wrong_content_length_is_an_early_eof() {
    let mock = mock_with("- { fault: wrong_length, reply: { json: { ok: true } } }\n").await;
    let got = get_raw(&mock, "/x").await;
    let text = got.text();
    let (head, body) = split(&text);
    assert_eq!(body, r#"{"ok":true}"#);
    assert!(
        content_length(head) > body.len(),
        "declared {} but the connection ended after {} bytes",
        content_length(head),
        body.len()
    );
    // An HTTP client sees the body end early, not a complete answer.
    let r = bounded(client().get(mock.url()).send()).await.unwrap();
    let err = bounded(r.bytes()).await.unwrap_err();
    assert!(err.is_body() || err.is_decode(), "{err:?}");
}

/// Reads chunked framing; the error names the line that is not a chunk size.
fn parse_chunked(mut body: &str) -> Result<String, String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body
            .split_once("\r\n")
            .ok_or_else(|| format!("no chunk-size line in {body:?}"))?;
        let n = usize::from_str_radix(size.trim(), 16)
            .map_err(|e| format!("chunk size {size:?} is not hexadecimal: {e}"))?;
        if n == 0 {
            return Ok(out);
        }
        if rest.len() < n + 2 {
            return Err(format!("chunk of {n} bytes cut short"));
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
}

#[tokio::test]
async fn broken_chunked_is_a_chunk_parse_error() {
    let mock = mock_with("- { fault: broken_chunked, reply: { body: abcdefgh } }\n").await;
    let got = get_raw(&mock, "/x").await;
    let text = got.text();
    let (head, body) = split(&text);
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    let err = parse_chunked(body).unwrap_err();
    assert!(err.contains("\"not-hex\" is not hexadecimal"), "{err}");
    let r = bounded(client().get(mock.url()).send()).await.unwrap();
    let err = bounded(r.bytes()).await.unwrap_err();
    assert!(err.is_body() || err.is_decode(), "{err:?}");
}

#[tokio::test]
async fn a_slow_body_arrives_in_pieces_at_the_rate() {
    // 40 bytes at 100 bytes/s: five-byte pieces 50 ms apart, about 0.4 s in all.
    let body = "0123456789012345678901234567890123456789";
    let mock = mock_with(&format!(
        "- {{ fault: {{ bandwidth: 100 }}, reply: {{ body: '{body}' }} }}\n"
    ))
    .await;
    let got = get_raw(&mock, "/x").await;
    let text = got.text();
    let (head, received) = split(&text);
    assert_eq!(received, body);
    let head_len = head.len() + 4;
    let first = got.time_of(head_len);
    let last = got.time_of(head_len + body.len() - 1);
    assert!(
        last - first >= Duration::from_millis(300),
        "40 bytes at 100 bytes/s took {:?}",
        last - first
    );
    assert!(
        got.reads.len() >= 5,
        "the body came in {} reads",
        got.reads.len()
    );
}

#[tokio::test]
async fn distributions_and_probability_replay_with_the_seed() {
    let yaml = "- { on: { path: /p }, fault: reset, probability: 0.3 }\n- { on: { path: /p }, fault: { delay: { uniform: [1ms, 30ms] } } }\n";
    let schedule = |seed| async move {
        let mock = MockServer::start("dep").await.unwrap();
        mock.install_seeded(stubs(yaml), seed);
        let c = client();
        for _ in 0..30 {
            // A reset is an error for the client; both outcomes are what we expect.
            let _ = bounded(c.get(format!("{}/p", mock.url())).send()).await;
        }
        let journal = mock.journal();
        mock.shutdown().await;
        journal
            .into_iter()
            .map(|r| match r.outcome {
                Outcome::Fault { fault, .. } => fault,
                other => format!("{other:?}"),
            })
            .collect::<Vec<_>>()
    };
    let a = schedule(7).await;
    let resets = a.iter().filter(|f| f.starts_with("reset")).count();
    assert!(
        (3..=18).contains(&resets),
        "{resets} resets in 30 at p=0.3: {a:?}"
    );
    assert!(a.iter().any(|f| f.contains("(uniform 1ms–30ms)")), "{a:?}");
    assert_eq!(
        a,
        schedule(7).await,
        "the same seed replays the same schedule"
    );
    assert_ne!(a, schedule(8).await, "another seed draws another schedule");
}

#[tokio::test]
async fn named_states_move_on_each_answer() {
    let mock = mock_with(
        "- { on: { path: /pay }, state: started, next_state: charged, reply: { status: 201 } }\n- { on: { path: /pay }, state: charged, reply: { status: 409 } }\n- { on: { path: /refund }, state: charged, next_state: started, reply: { status: 200 } }\n",
    )
    .await;
    let c = client();
    let mut statuses = Vec::new();
    for path in ["/refund", "/pay", "/pay", "/refund", "/pay"] {
        let r = bounded(c.get(format!("{}{path}", mock.url())).send())
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [404, 201, 409, 200, 201]);
    let first = &mock.journal()[0];
    assert!(
        first.note.as_deref().is_some_and(
            |n| n.contains("answers only in state `charged` and the state is `started`")
        ),
        "{first:?}"
    );
}
