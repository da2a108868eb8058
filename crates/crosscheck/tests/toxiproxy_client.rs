//! `crosscheck proxy` driven by an existing Toxiproxy client (toxiproxy-python from
//! PyPI, installed by `scripts/test` into `target/toxiproxy-venv`), plus the command's
//! own bad-input paths.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The venv `scripts/test` prepares.
fn python() -> PathBuf {
    common::repo().join("target/toxiproxy-venv/bin/python")
}

/// A free port on loopback (bound and released; the proxy binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An echo server on loopback, on a thread per connection.
fn echo_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// `crosscheck proxy --port PORT`, killed on drop.
struct ProxyProcess(Child);

impl ProxyProcess {
    fn start(port: u16, extra: &[&str]) -> (ProxyProcess, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crosscheck"))
            .args(["proxy", "--port", &port.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = String::new();
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                lines.push_str(&line);
                lines.push('\n');
                if line.starts_with("crosscheck proxy:") {
                    let _ = tx.send(lines.clone());
                }
            }
        });
        let banner = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("crosscheck proxy prints its banner within 10 s");
        (ProxyProcess(child), banner)
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_toxiproxy_python_client_drives_crosscheck_proxy() {
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run `bash scripts/test` once (it installs toxiproxy-python from PyPI)",
        py.display()
    );
    let port = free_port();
    let (_proxy, banner) = ProxyProcess::start(port, &[]);
    assert!(
        banner.contains(&format!("http://127.0.0.1:{port}")),
        "{banner}"
    );
    let upstream = echo_server();
    let script = common::repo().join("crates/crosscheck/tests/toxiproxy/client_compat.py");
    let out = Command::new(&py)
        .arg(&script)
        .args([&port.to_string(), &upstream])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim() == "ok",
        "the client script failed:\n{stdout}\n{stderr}"
    );
}

#[test]
fn a_config_file_creates_proxies_at_start() {
    let upstream = echo_server();
    let listen = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("toxiproxy.json");
    std::fs::write(
        &config,
        format!(
            r#"[{{"name": "echo", "listen": "127.0.0.1:{listen}", "upstream": "{upstream}"}}]"#
        ),
    )
    .unwrap();
    // On the multi-thread runtime (the client test above runs on the default single thread).
    let (_proxy, banner) = ProxyProcess::start(
        free_port(),
        &["--config", config.to_str().unwrap(), "--threads", "2"],
    );
    assert!(
        banner.contains(&format!(
            "proxy echo listens on 127.0.0.1:{listen} for {upstream}"
        )),
        "{banner}"
    );
    let mut s = TcpStream::connect(("127.0.0.1", listen)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"through").unwrap();
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"through");
}

#[test]
fn a_bad_config_file_is_bad_input_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("toxiproxy.json");
    std::fs::write(&config, "[\n  {\"name\": \"db\",, }\n]\n").unwrap();
    let out = common::crosscheck(
        dir.path(),
        &["proxy", "--port", "0", "--config", "toxiproxy.json"],
        &[],
        Duration::from_secs(10),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("toxiproxy.json:2:"), "{}", out.stderr);
    assert!(out.stderr.contains("fix:"), "{}", out.stderr);

    std::fs::write(&config, r#"[{"name": "db"}]"#).unwrap();
    let out = common::crosscheck(
        dir.path(),
        &["proxy", "--port", "0", "--config", "toxiproxy.json"],
        &[],
        Duration::from_secs(10),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("missing required field: upstream"),
        "{}",
        out.stderr
    );

    let out = common::crosscheck(
        dir.path(),
        &["proxy", "--port", "0", "--threads", "0"],
        &[],
        Duration::from_secs(10),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("invalid value '0' for '--threads <THREADS>': 0 is not in 1..=256"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_taken_port_cannot_run() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let started = Instant::now();
    let out = common::crosscheck(
        &common::repo(),
        &["proxy", "--port", &port],
        &[],
        Duration::from_secs(10),
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--port"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
}
