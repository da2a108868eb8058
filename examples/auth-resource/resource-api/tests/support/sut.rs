//! The Resource API under test: the built binary, started with `PORT=0`, ready once it prints
//! its `listening on` line, killed when dropped.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The configuration variables the binary reads; cleared so the test runner's environment
/// cannot leak into a test.
const CONFIG_VARS: &[&str] = &[
    "PORT",
    "AUTH_URL",
    "AUDIT_LOG",
    "AUTH_TIMEOUT_MS",
    "RESOURCE_API_BUG",
];
/// Bound on start-up.
const READY_WITHIN: Duration = Duration::from_secs(10);
/// Bound on one request to the Resource API.
const REQUEST_WITHIN: Duration = Duration::from_secs(10);

pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_resource-api"));
    for var in CONFIG_VARS {
        command.env_remove(var);
    }
    command.kill_on_drop(true);
    command
}

/// Text read from one of the child's output streams, line by line.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<String>>);

impl Captured {
    pub fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    /// Polls until `needle` appears or `within` passes; returns whether it appeared.
    pub async fn wait_for(&self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if self.text().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn capture(
    stream: impl AsyncRead + Unpin + Send + 'static,
    captured: Captured,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            on_line(&line);
            let mut text = captured.0.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    })
}

/// One answer of the Resource API.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub elapsed: Duration,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn request_id(&self) -> &str {
        self.header("x-request-id").expect("X-Request-Id header")
    }
}

/// A running Resource API.
#[derive(Debug)]
pub struct Sut {
    child: Child,
    pub url: String,
    pub stderr: Captured,
    pub stdout: Captured,
    readers: Vec<JoinHandle<()>>,
    audit: Option<PathBuf>,
    requester: Requester,
    _dir: TempDir,
}

/// Sends requests to a running Resource API; cheap to clone into spawned tasks.
#[derive(Debug, Clone)]
pub struct Requester {
    client: reqwest::Client,
    url: String,
}

impl Requester {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: Option<&str>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let started = Instant::now();
        let response = request.send().await.expect("request to resource-api");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        Answer {
            status,
            headers,
            text,
            elapsed: started.elapsed(),
        }
    }
}

/// Output after the process stopped: complete, so absence checks are meaningful.
#[derive(Debug)]
pub struct Finished {
    pub stderr: String,
    pub stdout: String,
    pub audit: String,
}

impl Sut {
    /// Starts the binary against `auth_url`, auditing to a fresh file, with extra variables.
    pub async fn start(auth_url: &str, env: &[(&str, &str)]) -> Sut {
        Sut::start_with(auth_url, true, env).await
    }

    /// Like `start`; without `audit_file` the audit lines go to stdout.
    pub async fn start_with(auth_url: &str, audit_file: bool, env: &[(&str, &str)]) -> Sut {
        let dir = tempfile::tempdir().expect("temp dir");
        let audit = audit_file.then(|| dir.path().join("audit.jsonl"));
        let mut command = binary();
        command
            .env("PORT", "0")
            .env("AUTH_URL", auth_url)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(audit) = &audit {
            command.env("AUDIT_LOG", audit);
        }
        let mut child = command.spawn().expect("spawn resource-api");

        let stderr = Captured::default();
        let stdout = Captured::default();
        let (ready_tx, ready_rx) = oneshot::channel();
        let mut ready_tx = Some(ready_tx);
        let readers = vec![
            capture(
                child.stderr.take().expect("stderr"),
                stderr.clone(),
                move |line| {
                    if let Some(url) = line.strip_prefix("resource-api listening on ")
                        && let Some(tx) = ready_tx.take()
                    {
                        let _ = tx.send(url.trim().to_owned());
                    }
                },
            ),
            capture(child.stdout.take().expect("stdout"), stdout.clone(), |_| {}),
        ];
        let url = match tokio::time::timeout(READY_WITHIN, ready_rx).await {
            Ok(Ok(url)) => url,
            _ => panic!(
                "resource-api did not print its listening line within {READY_WITHIN:?}; \
                 stderr:\n{}",
                stderr.text()
            ),
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_WITHIN)
            .build()
            .expect("client");
        Sut {
            child,
            requester: Requester {
                client,
                url: url.clone(),
            },
            url,
            stderr,
            stdout,
            readers,
            audit,
            _dir: dir,
        }
    }

    /// `GET path`, with `Authorization: <authorization>` when given.
    pub async fn get(&self, path: &str, authorization: Option<&str>) -> Answer {
        self.send(reqwest::Method::GET, path, authorization).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: Option<&str>,
    ) -> Answer {
        self.requester.send(method, path, authorization).await
    }

    pub fn requester(&self) -> Requester {
        self.requester.clone()
    }

    /// The audit file's lines, parsed. The Resource API writes a line before it answers, so
    /// this is complete as soon as the answer has arrived.
    pub fn audit_lines(&self) -> Vec<Value> {
        let path = self.audit.as_ref().expect("started with an audit file");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|err| panic!("audit line is not JSON ({err}): {line}"))
            })
            .collect()
    }

    /// Kills the process and waits (bounded) until its output is fully read.
    pub async fn finish(mut self) -> Finished {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        for reader in std::mem::take(&mut self.readers) {
            let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
        }
        let audit = self
            .audit
            .as_ref()
            .map(|path| std::fs::read_to_string(path).unwrap_or_default())
            .unwrap_or_default();
        Finished {
            stderr: self.stderr.text(),
            stdout: self.stdout.text(),
            audit,
        }
    }
}

impl Drop for Sut {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        for reader in &self.readers {
            reader.abort();
        }
    }
}

impl Finished {
    /// Panics if `secret` appears in any output.
    pub fn assert_never_shows(&self, secret: &str) {
        for (name, text) in [
            ("stderr", &self.stderr),
            ("stdout", &self.stdout),
            ("audit log", &self.audit),
        ] {
            assert!(
                !text.contains(secret),
                "the token leaked into {name}:\n{text}"
            );
        }
    }
}
