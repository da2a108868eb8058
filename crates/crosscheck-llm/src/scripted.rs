//! A scripted chat completions server on 127.0.0.1 for tests: it speaks the real
//! protocol over HTTP/1.1 (`POST /v1/chat/completions`, JSON in and out, OpenAI-style
//! errors, `Retry-After`), and answers each request as the script says. It runs on its
//! own thread, so synchronous tests that drive the binary can use it too; dropping it
//! stops it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Step {
    /// A chat completion whose message is `content`, with `usage` counting `tokens`.
    Answer { content: String, tokens: u64 },
    /// A completion cut off by the token limit (`finish_reason: length`).
    CutOff { content: String },
    /// Any status, headers and raw body.
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Never answer (until the client gives up or the server stops).
    Hang,
}

impl Step {
    /// An answer with a fixed token count (100).
    pub fn answer(content: impl Into<String>) -> Step {
        Step::Answer {
            content: content.into(),
            tokens: 100,
        }
    }

    /// An OpenAI-style error: `{"error": {"message", "type"}}`.
    pub fn error(status: u16, message: &str) -> Step {
        Step::Raw {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({"error": {"message": message, "type": "invalid_request_error", "code": null}})
                .to_string(),
        }
    }

    /// A 429 with `Retry-After`.
    pub fn rate_limited(retry_after: &str) -> Step {
        Step::Raw {
            status: 429,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("retry-after".into(), retry_after.into()),
            ],
            body:
                json!({"error": {"message": "Rate limit reached, retry later", "type": "requests"}})
                    .to_string(),
        }
    }
}

/// The script: request body and the 0-based number of the request → what to do.
pub type Script = Arc<dyn Fn(&Value, usize) -> Step + Send + Sync>;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path and query.
    pub uri: String,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// The JSON body (null when it was not JSON).
    pub body: Value,
}

/// The running server.
#[derive(Debug)]
pub struct ScriptedServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ScriptedServer {
    /// Starts a server following `script`.
    pub fn start(script: Script) -> ScriptedServer {
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let rec = received.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(serve(script, rec, stop_rx, addr_tx));
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the scripted server did not start");
        ScriptedServer {
            addr,
            received,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// A server that answers requests in order from `steps` (the last one repeats).
    pub fn steps(steps: Vec<Step>) -> ScriptedServer {
        ScriptedServer::start(Arc::new(move |_, n| {
            steps
                .get(n)
                .or_else(|| steps.last())
                .cloned()
                .unwrap_or(Step::Hang)
        }))
    }

    /// The base URL to put in `llm.base_url`: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    script: Script,
    received: Arc<Mutex<Vec<Received>>>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    addr_tx: std::sync::mpsc::Sender<SocketAddr>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let _ = addr_tx.send(listener.local_addr().expect("local addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (script, received, count) = (script.clone(), received.clone(), count.clone());
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (script, received, count) = (script.clone(), received.clone(), count.clone());
                        async move { Ok::<_, Infallible>(handle(req, &script, &received, &count).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        }
    }
    conns.abort_all();
}

async fn handle(
    req: Request<Incoming>,
    script: &Script,
    received: &Mutex<Vec<Received>>,
    count: &AtomicUsize,
) -> Response<Full<Bytes>> {
    let uri = req.uri().to_string();
    let method = req.method().clone();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let bytes = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Received {
            uri: uri.clone(),
            headers,
            body: body.clone(),
        });
    if method != hyper::Method::POST
        || !uri
            .split('?')
            .next()
            .unwrap_or("")
            .ends_with("/chat/completions")
    {
        return respond(&Step::error(
            404,
            &format!("Unknown request URL: {method} {uri}"),
        ));
    }
    let n = count.fetch_add(1, Ordering::SeqCst);
    let step = script(&body, n);
    if let Step::Hang = step {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    respond_for(&step, &body)
}

fn respond_for(step: &Step, request: &Value) -> Response<Full<Bytes>> {
    let model = request
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("scripted");
    let completion = |content: &str, finish: &str, tokens: u64| {
        json!({
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 1_764_000_000,
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish
            }],
            "usage": {"prompt_tokens": tokens * 3 / 4, "completion_tokens": tokens - tokens * 3 / 4, "total_tokens": tokens}
        })
    };
    match step {
        Step::Answer { content, tokens } => {
            json_response(200, &completion(content, "stop", *tokens))
        }
        Step::CutOff { content } => json_response(200, &completion(content, "length", 100)),
        other => respond(other),
    }
}

fn respond(step: &Step) -> Response<Full<Bytes>> {
    match step {
        Step::Raw {
            status,
            headers,
            body,
        } => {
            let mut b = Response::builder().status(*status);
            for (k, v) in headers {
                b = b.header(k.as_str(), v.as_str());
            }
            b.body(Full::new(Bytes::from(body.clone())))
                .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
        }
        _ => Response::new(Full::new(Bytes::new())),
    }
}

fn json_response(status: u16, v: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(v.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
