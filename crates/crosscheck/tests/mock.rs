//! `crosscheck mock` end to end: the real binary serving a contract and WireMock mapping
//! files, driven over plain HTTP, stopped by SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{crosscheck, example};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(20);

/// Starts `crosscheck mock args…` and returns it with the URL it printed.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .arg("mock")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn crosscheck mock");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(LIMIT)
        .expect("the mock printed its address in time");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, url)
}

/// One HTTP/1.1 exchange: status and body.
fn call(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn stop(mut child: Child) -> i32 {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(
            Instant::now() < deadline,
            "the mock did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serves_a_contract_and_mapping_files_with_the_admin_api() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("mappings")).unwrap();
    std::fs::write(
        dir.path().join("mappings/health.json"),
        r#"{"request": {"method": "GET", "url": "/healthz"}, "response": {"status": 200, "jsonBody": {"ok": true}}}"#,
    )
    .unwrap();
    let contract = example().join("contracts/auth.openapi.yaml");
    let (child, url) = start(&[
        contract.to_str().unwrap(),
        "--port",
        "0",
        "--mappings",
        dir.path().to_str().unwrap(),
    ]);

    let (status, body) = call(
        &url,
        "GET",
        "/validate",
        &[("Authorization", "Bearer valid-token-abc")],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["user_id"], "user-123");

    let (status, body) = call(&url, "GET", "/validate", &[], "");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("needs credentials (bearerAuth)"), "{body}");
    let (status, body) = call(
        &url,
        "GET",
        "/validate",
        &[("Authorization", "Bearer t"), ("X-Request-Id", "")],
        "",
    );
    assert_eq!(status, 200, "{body}");

    let (status, body) = call(&url, "GET", "/healthz", &[], "");
    assert_eq!((status, body.as_str()), (200, "{\"ok\":true}"));

    let (status, _) = call(
        &url,
        "POST",
        "/__admin/mappings",
        &[("Content-Type", "application/json")],
        r#"{"request": {"method": "GET", "urlPath": "/validate"}, "response": {"status": 503}}"#,
    );
    assert_eq!(status, 201);
    let (status, _) = call(
        &url,
        "GET",
        "/validate",
        &[("Authorization", "Bearer x")],
        "",
    );
    assert_eq!(status, 503);

    let (_, count) = call(
        &url,
        "POST",
        "/__admin/requests/count",
        &[],
        r#"{"urlPath": "/validate"}"#,
    );
    assert_eq!(count, "{\"count\":4}");

    // A reset goes back to the files' mappings: the contract answers again.
    call(&url, "POST", "/__admin/reset", &[], "");
    let (status, _) = call(
        &url,
        "GET",
        "/validate",
        &[("Authorization", "Bearer x")],
        "",
    );
    assert_eq!(status, 200);
    let (status, _) = call(&url, "GET", "/healthz", &[], "");
    assert_eq!(status, 200);

    assert_eq!(stop(child), 0);
}

#[test]
fn bad_input_is_named_with_a_fix() {
    let cwd = example();
    let out = crosscheck(&cwd, &["mock"], &[], LIMIT);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("error: nothing to serve"),
        "{}",
        out.stderr
    );

    let out = crosscheck(
        &cwd,
        &["mock", "contracts/nope.yaml", "--port", "0"],
        &[],
        LIMIT,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("contracts/nope.yaml"), "{}", out.stderr);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"request": {"urlPath": "/x"}, "response": {"fault": "SOMETIMES"}}"#,
    )
    .unwrap();
    let out = crosscheck(
        &cwd,
        &[
            "mock",
            "--port",
            "0",
            "--mappings",
            dir.path().to_str().unwrap(),
        ],
        &[],
        LIMIT,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("bad.json: response.fault: unknown fault \"SOMETIMES\""),
        "{}",
        out.stderr
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = crosscheck(
        &cwd,
        &["mock", "contracts/auth.openapi.yaml", "--port", &port],
        &[],
        LIMIT,
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains("help: pick another port"),
        "{}",
        out.stderr
    );
}

/// crosscheck's own stubs, as a scenario's `given` writes them: a template, a fault that
/// answers once then lets the next stub answer, and a stub in front of the contract.
const STUBS: &str = r#"# stubs for crosscheck mock
- on: { method: GET, path: "/users/{id}" }
  reply: { status: 200, json: { id: "{{request.path.id}}" } }
- on: { method: POST, path: /orders }
  fault: empty
  times: 1
- on: { method: POST, path: /orders }
  reply: { status: 201, json: { ok: true } }
- on: { method: GET, path: /validate }
  reply: { status: 503, json: { error: down } }
"#;

#[test]
fn serves_crosscheck_stubs_before_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("stubs.yaml");
    std::fs::write(&stubs, STUBS).unwrap();
    let contract = example().join("contracts/auth.openapi.yaml");
    let (child, url) = start(&[
        contract.to_str().unwrap(),
        "--port",
        "0",
        "--stubs",
        stubs.to_str().unwrap(),
    ]);
    let (status, body) = call(&url, "GET", "/users/7", &[], "");
    assert_eq!((status, body.as_str()), (200, "{\"id\":\"7\"}"));
    // The first POST gets the fault (the connection closes with no answer), the second
    // the next stub.
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    let (status, body) = call(&url, "POST", "/orders", &[], "");
    assert_eq!((status, body.as_str()), (201, "{\"ok\":true}"));
    // The stub answers before the contract would.
    let (status, _) = call(
        &url,
        "GET",
        "/validate",
        &[("Authorization", "Bearer valid-token-abc")],
        "",
    );
    assert_eq!(status, 503);
    // WireMock's reset leaves the mock's starting stubs in place.
    call(&url, "POST", "/__admin/reset", &[], "");
    let (status, body) = call(&url, "GET", "/users/8", &[], "");
    assert_eq!((status, body.as_str()), (200, "{\"id\":\"8\"}"));
    assert_eq!(stop(child), 0);
}

#[test]
fn a_bad_stubs_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "- on: { method: GET }\n  reply: { status: 200 }\n- on: { path: /x }\n  replay: { status: 200 }\n",
            "stubs.yaml:4:3",
        ),
        ("- on: { path: /x\n", "stubs.yaml:"),
        (
            "- on: { path: /x }\n  reply: { status: 200 }\n- fault: refuse\n",
            "error: stubs.yaml:3: stub 2: `fault: refuse` refuses every connection for a scenario",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(dir.path().join("stubs.yaml"), text).unwrap();
        let out = crosscheck(
            dir.path(),
            &["mock", "--port", "0", "--stubs", "stubs.yaml"],
            &[],
            LIMIT,
        );
        assert_eq!(out.code, 2, "{text}: {}", out.all());
        assert!(out.stderr.contains(want), "{text}: {}", out.stderr);
    }
    let out = crosscheck(
        dir.path(),
        &["mock", "--port", "0", "--stubs", "missing.yaml"],
        &[],
        LIMIT,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("error: cannot read the stubs file missing.yaml"),
        "{}",
        out.stderr
    );
}
