//! Driving the real `crosscheck` binary, with a bound on every run and output made
//! stable for snapshots (ports, durations and paths replaced).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout then stderr, for assertions that do not care which.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The bundled example suite.
pub fn example() -> PathBuf {
    repo().join("examples/auth-resource")
}

/// A copy of the example's contracts, requirements and system map (with `cwd` pointing
/// back at the example, so its start command works) and no scenarios: what a team
/// starting from contracts has. `edit_map` may change the system map's text.
pub fn bare_example(edit_map: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let example = example();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("contracts")).unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    for f in ["auth.openapi.yaml", "resource-api.openapi.yaml"] {
        std::fs::copy(
            example.join("contracts").join(f),
            dir.path().join("contracts").join(f),
        )
        .unwrap();
    }
    std::fs::copy(
        example.join("requirements.md"),
        dir.path().join("requirements.md"),
    )
    .unwrap();
    let map = std::fs::read_to_string(example.join("crosscheck.yaml")).unwrap();
    let map = map.replacen(
        "sut:\n",
        &format!("sut:\n  cwd: {}\n", example.display()),
        1,
    );
    std::fs::write(dir.path().join("crosscheck.yaml"), edit_map(map)).unwrap();
    dir
}

/// Runs `crosscheck args…` in `cwd` with extra environment, killing it after `limit`.
pub fn crosscheck(cwd: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crosscheck"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("RESOURCE_API_BUG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn crosscheck");
    let out_pipe = child.stdout.take().expect("stdout");
    let err_pipe = child.stderr.take().expect("stderr");
    let out_reader =
        std::thread::spawn(move || std::io::read_to_string(out_pipe).unwrap_or_default());
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(err_pipe).unwrap_or_default());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("crosscheck {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Runs the bundled example, optionally with a seeded bug switched on.
pub fn run_example(bug: Option<&str>, extra: &[&str]) -> Output {
    let mut args = vec!["run", "examples/auth-resource"];
    args.extend_from_slice(extra);
    let env: Vec<(&str, &str)> = bug
        .map(|b| vec![("RESOURCE_API_BUG", b)])
        .unwrap_or_default();
    crosscheck(&repo(), &args, &env, Duration::from_secs(600))
}

/// Runs the example against the real PostgreSQL and Redis that `bash scripts/test`
/// starts; `None` (after saying how to get them) when they are not there and not in CI.
pub fn run_example_on_servers(bug: Option<&str>) -> Option<Output> {
    let mut urls = Vec::new();
    for var in ["CROSSCHECK_TEST_POSTGRES_URL", "CROSSCHECK_TEST_BROKER_URL"] {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => urls.push(v),
            _ => {
                let msg = format!(
                    "{var} is not set: this test needs a real server; run `bash scripts/test`"
                );
                assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
                eprintln!("note: not run: {msg}");
                return None;
            }
        }
    }
    let mut env = vec![
        ("CROSSCHECK_DATABASE_URL", urls[0].as_str()),
        ("CROSSCHECK_BROKER_URL", urls[1].as_str()),
    ];
    if let Some(b) = bug {
        env.push(("RESOURCE_API_BUG", b));
    }
    Some(crosscheck(
        &repo(),
        &["run", "examples/auth-resource", "--filter", "stor"],
        &env,
        Duration::from_secs(600),
    ))
}

/// Output with ports, durations, temporary paths and the repository path replaced.
pub fn stable(text: &str, extra_paths: &[&Path]) -> String {
    let mut s = text.to_owned();
    for p in extra_paths {
        s = s.replace(&p.display().to_string(), "[DIR]");
    }
    s = s.replace(&repo().display().to_string(), "[REPO]");
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\b\d+(\.\d+)? (ms|s)\b", "[TIME]"),
        (r"\d+ms", "[TIME]"),
        // The console pads names to a column before the duration, so the padding's width
        // depends on how many digits the duration had.
        (r"(?m) +\[TIME\]$", " [TIME]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[DIR]"),
    ];
    for (re, with) in rules {
        s = regex::Regex::new(re)
            .expect("regex")
            .replace_all(&s, with)
            .into_owned();
    }
    s
}

/// A Python module for the small services tests start: `from jsonhandler import
/// JsonHandler`, a request handler with `reply(status, body)` that answers JSON and keeps
/// quiet. Add it to a [`suite`]'s files beside the service's script.
pub const PY_HANDLER: (&str, &str) = (
    "jsonhandler.py",
    r#"import http.server, json
class JsonHandler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
"#,
);

/// The failure lines (`✗ …`) of a run's console output, trimmed, loopback ports made
/// stable (`127.0.0.1:PORT`).
pub fn failure_lines(out: &Output) -> Vec<String> {
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").expect("a valid pattern");
    out.stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('✗'))
        .map(|l| port.replace_all(l.trim(), "127.0.0.1:PORT").into_owned())
        .collect()
}

/// A scratch suite: writes `files` (path, text) into a fresh folder.
pub fn suite(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// Sends Ctrl-C (SIGINT) to a running crosscheck and waits at most 10 s for it to exit.
pub fn interrupt(child: &mut std::process::Child) -> std::process::ExitStatus {
    let pid = i32::try_from(child.id()).expect("pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("send SIGINT");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "crosscheck did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
