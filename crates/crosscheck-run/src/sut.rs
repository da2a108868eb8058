//! The service under test as a child process: its own process group, its output
//! captured, readiness polled with a deadline, and no orphans when crosscheck exits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crosscheck_probe::SharedLines;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::error::RunError;

/// How many lines of the service's output are kept (the newest).
const KEPT_LINES: usize = 2_000;

/// What it takes to start the service.
#[derive(Clone, Debug)]
pub struct SutSpec {
    /// Name for messages.
    pub name: String,
    /// Program and arguments, variables expanded.
    pub argv: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// The base URL, variables expanded.
    pub url: String,
    /// Readiness path.
    pub ready_path: String,
    /// Readiness deadline.
    pub ready_timeout: Duration,
    /// `deps.NAME.url` and `deps.NAME.port` of every double, for `${…}` in scenario
    /// requests (a callback URL handed to the service).
    pub deps: BTreeMap<String, String>,
}

/// A running service.
#[derive(Debug)]
pub struct SutProcess {
    child: Child,
    pid: Option<u32>,
    /// Interleaved stdout and stderr, newest last.
    pub output: SharedLines,
    /// Stdout alone, for `logs: { file: stdout }`.
    pub stdout: SharedLines,
    /// Stderr alone, for `logs: { file: stderr }`.
    pub stderr: SharedLines,
}

impl SutProcess {
    /// Starts the service and waits until its readiness path answers 2xx.
    pub async fn start(spec: &SutSpec, client: &reqwest::Client) -> Result<SutProcess, RunError> {
        let Some((program, args)) = spec.argv.split_first() else {
            return Err(RunError::Config(format!(
                "`sut.start` for {} is empty; give the command that starts the service",
                spec.name
            )));
        };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&spec.cwd)
            .envs(&spec.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| RunError::SutSpawn {
            name: spec.name.clone(),
            command: spec.argv.join(" "),
            reason: e.to_string(),
        })?;
        let output: SharedLines = Arc::new(Mutex::new(Vec::new()));
        let stdout: SharedLines = Arc::new(Mutex::new(Vec::new()));
        let stderr: SharedLines = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            tokio::spawn(capture(out, output.clone(), stdout.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(capture(err, output.clone(), stderr.clone()));
        }
        let pid = child.id();
        let mut sut = SutProcess {
            child,
            pid,
            output,
            stdout,
            stderr,
        };
        sut.wait_ready(spec, client).await?;
        Ok(sut)
    }

    async fn wait_ready(
        &mut self,
        spec: &SutSpec,
        client: &reqwest::Client,
    ) -> Result<(), RunError> {
        let url = format!("{}{}", spec.url.trim_end_matches('/'), spec.ready_path);
        let started = Instant::now();
        let deadline = started + spec.ready_timeout;
        let mut pause = Duration::from_millis(5);
        let mut last = String::from("no answer yet");
        loop {
            if let Some(status) = self.exited() {
                // Let the capture tasks drain what the process printed last.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Err(RunError::SutExited {
                    name: spec.name.clone(),
                    status: describe_status(status),
                    output: self.last_output(20),
                });
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                let output = self.last_output(20);
                self.stop().await;
                return Err(RunError::SutNotReady {
                    name: spec.name.clone(),
                    url,
                    waited: spec.ready_timeout,
                    last,
                    output,
                });
            }
            let attempt = client
                .get(&url)
                .timeout(remaining.min(Duration::from_secs(2)))
                .send()
                .await;
            match attempt {
                Ok(resp) if resp.status().is_success() => return Ok(()),
                Ok(resp) => last = format!("it answered {}", resp.status()),
                Err(e) if e.is_connect() => last = "connection refused".to_owned(),
                Err(e) => last = crate::http::describe_error(&e),
            }
            tokio::time::sleep(pause.min(remaining)).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The newest `n` lines the service printed.
    pub fn last_output(&self, n: usize) -> Vec<String> {
        let lines = self.output.lock().map(|l| l.clone()).unwrap_or_default();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }

    /// Stops the process group: SIGTERM, then SIGKILL after a grace period.
    pub async fn stop(&mut self) {
        if self.exited().is_some() {
            self.kill_group(nix::sys::signal::Signal::SIGKILL);
            return;
        }
        self.kill_group(nix::sys::signal::Signal::SIGTERM);
        if tokio::time::timeout(Duration::from_secs(3), self.child.wait())
            .await
            .is_err()
        {
            self.kill_group(nix::sys::signal::Signal::SIGKILL);
            let _ = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        }
        // Children of the service that outlived it.
        self.kill_group(nix::sys::signal::Signal::SIGKILL);
    }

    fn kill_group(&self, signal: nix::sys::signal::Signal) {
        if let Some(pid) = self.pid.and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), signal);
        }
    }
}

impl Drop for SutProcess {
    fn drop(&mut self) {
        // Whatever happened (an error, a panic, Ctrl-C), the service and its children go.
        self.kill_group(nix::sys::signal::Signal::SIGKILL);
    }
}

async fn capture<R: AsyncRead + Unpin>(stream: R, all: SharedLines, own: SharedLines) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        for sink in [&all, &own] {
            if let Ok(mut v) = sink.lock() {
                if v.len() >= KEPT_LINES {
                    v.drain(..KEPT_LINES / 2);
                }
                v.push(line.clone());
            }
        }
    }
}

/// "exit code 2" or "signal 9".
pub fn describe_status(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => status.to_string(),
    }
}
