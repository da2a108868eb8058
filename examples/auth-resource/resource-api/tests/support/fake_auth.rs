//! A tiny fake Authorization Service on 127.0.0.1:0: answers `/validate` as told, records every
//! call, and can misbehave at the connection level (hang, reset, close, raw bytes).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How the fake answers the next calls.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status with this JSON body.
    Json(u16, Value),
    /// This status with this body, sent as `text/plain`.
    Text(u16, &'static str),
    /// Wait, then answer as the inner reply.
    Delay(Duration, Box<Reply>),
    /// Read the request, never answer, keep the connection open.
    Hang,
    /// Read the request, then reset the connection (RST).
    Reset,
    /// Read the request, then close the connection without a byte (FIN).
    Close,
    /// Read the request, write these bytes verbatim, then close.
    Raw(&'static str),
}

/// One call the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Call {
    /// Every value of a header (name case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[derive(Debug)]
struct Shared {
    reply: Mutex<Reply>,
    calls: Mutex<Vec<Call>>,
}

/// The fake server; stops (and drops every open connection) when dropped.
#[derive(Debug)]
pub struct FakeAuth {
    url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FakeAuth {
    pub async fn start(reply: Reply) -> FakeAuth {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake auth");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let shared = Arc::new(Shared {
            reply: Mutex::new(reply),
            calls: Mutex::new(Vec::new()),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        FakeAuth { url, shared, task }
    }

    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn set_reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    pub fn clear_calls(&self) {
        self.shared.calls.lock().unwrap().clear();
    }
}

impl Drop for FakeAuth {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Dropping the set (when this task is aborted) aborts every connection task.
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let reply = shared.reply.lock().unwrap().clone();
        connections.spawn(serve(stream, reply, Arc::clone(&shared)));
        while connections.try_join_next().is_some() {}
    }
}

async fn serve(stream: TcpStream, reply: Reply, shared: Arc<Shared>) {
    match reply {
        Reply::Hang | Reply::Reset | Reply::Close | Reply::Raw(_) => {
            serve_raw(stream, reply, &shared).await
        }
        Reply::Json(..) | Reply::Text(..) | Reply::Delay(..) => {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                let reply = reply.clone();
                async move { Ok::<_, Infallible>(answer(request, reply, &shared).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        }
    }
}

async fn answer(
    request: Request<Incoming>,
    reply: Reply,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    shared.calls.lock().unwrap().push(Call {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into(),
                )
            })
            .collect(),
    });
    let mut reply = reply;
    while let Reply::Delay(delay, inner) = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    let (status, content_type, body) = match reply {
        Reply::Json(status, body) => (status, "application/json", body.to_string()),
        Reply::Text(status, body) => (status, "text/plain", body.to_owned()),
        other => panic!("not an HTTP reply: {other:?}"),
    };
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// Reads the request head by hand, records it, then misbehaves.
async fn serve_raw(mut stream: TcpStream, reply: Reply, shared: &Shared) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    shared.calls.lock().unwrap().push(parse_head(&head));
    match reply {
        Reply::Hang => std::future::pending::<()>().await,
        Reply::Reset => {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Reply::Close => {
            let _ = stream.shutdown().await;
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(bytes.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
        _ => unreachable!("HTTP replies are served by hyper"),
    }
}

fn parse_head(head: &[u8]) -> Call {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Call {
        method,
        path,
        headers,
    }
}
