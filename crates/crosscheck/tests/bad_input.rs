//! Bad input gets one clear message naming the file and line (or the process and what it
//! printed) and what to do, with exit code 2 (bad input) or 3 (could not run). Never a
//! panic, never a hang. The messages are pinned as snapshots.

mod common;

use std::time::Duration;

use common::{crosscheck, stable, suite};

const REQS: &str = "- **REQ-1**: The service shall answer its health check.\n";

/// A system map around a real service: Python's built-in HTTP server.
fn map(extra: &str) -> String {
    format!(
        r#"sut:
  name: tiny
  start: ["python3", "-m", "http.server", "${{port}}", "--bind", "127.0.0.1"]
  ready: {{ get: /, timeout: 10s }}
{extra}dependencies:
  auth: {{ double: mock }}
"#
    )
}

const GOOD: &str =
    "id: health\ncovers: [REQ-1]\nkind: positive\nwhen: { path: / }\nthen: { status: 200 }\n";

fn run_in(dir: &tempfile::TempDir, cmd: &str) -> common::Output {
    crosscheck(dir.path(), &[cmd, "."], &[], Duration::from_secs(60))
}

fn snapshot_of(out: &common::Output, dir: &tempfile::TempDir) -> String {
    format!(
        "exit code: {}\n{}",
        out.code,
        stable(&out.stderr, &[dir.path()])
    )
}

#[test]
fn a_scratch_suite_against_a_python_server_passes() {
    let dir = suite(&[
        ("crosscheck.yaml", &map("")),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let bad = "id: health\ncovers: [REQ-1\nkind: positive\n";
    let dir = suite(&[
        ("crosscheck.yaml", &map("")),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", bad),
    ]);
    let out = run_in(&dir, "validate");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("scenarios/s.yaml:"), "{}", out.stderr);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn an_unknown_key_suggests_the_right_one() {
    let bad = GOOD.replace("then: { status: 200 }", "then:\n  stauts: 200\n");
    let dir = suite(&[
        ("crosscheck.yaml", &map("")),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", &bad),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn an_unknown_key_in_the_system_map() {
    let dir = suite(&[
        ("crosscheck.yaml", &map("  contarct: x.yaml\n")),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "validate");
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn unknown_dependency_requirement_and_method_are_all_reported() {
    let bad = "id: health\ncovers: [REQ-2]\nkind: positive\ngiven:\n  auht:\n    - reply: { status: 200 }\nwhen: { method: FETCH, path: / }\nthen:\n  status: 200\n  calls: { billing: [ { times: 0 } ] }\n";
    let dir = suite(&[
        ("crosscheck.yaml", &map("")),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", bad),
    ]);
    let out = run_in(&dir, "validate");
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_request_to_an_operation_the_contract_lacks() {
    let contract = "openapi: 3.1.0\ninfo: { title: t, version: '1' }\npaths:\n  /health:\n    get:\n      responses:\n        '200': { description: ok }\n";
    let scenario = GOOD.replace("path: /", "path: /helth");
    let dir = suite(&[
        ("crosscheck.yaml", &map("  contract: api.yaml\n")),
        ("api.yaml", contract),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", &scenario),
    ]);
    let out = run_in(&dir, "validate");
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_missing_system_map() {
    let dir = suite(&[("README.md", "nothing here\n")]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn an_unknown_variable() {
    let m = map("").replace("${port}\", \"--bind", "${prot}\", \"--bind");
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 2, "{}", out.all());
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_service_that_exits_at_once_shows_what_it_printed() {
    let m = map("").replace(
        r#"["python3", "-m", "http.server", "${port}", "--bind", "127.0.0.1"]"#,
        r#"["sh", "-c", "echo 'config error: DATABASE_URL is not set' >&2; exit 4"]"#,
    );
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 3, "{}", out.all());
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_service_that_never_becomes_ready() {
    let m = map("")
        .replace(
            r#"["python3", "-m", "http.server", "${port}", "--bind", "127.0.0.1"]"#,
            r#"["sh", "-c", "echo starting; sleep 30"]"#,
        )
        .replace("timeout: 10s", "timeout: 1s");
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let started = std::time::Instant::now();
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the run must give up near the deadline"
    );
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_start_command_that_does_not_exist() {
    let m = map("").replace(
        r#"["python3", "-m", "http.server", "${port}", "--bind", "127.0.0.1"]"#,
        r#"["./no-such-service"]"#,
    );
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 3, "{}", out.all());
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_fixed_port_already_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let m = map(&format!("  url: http://127.0.0.1:{port}\n")).replace("${port}", &port.to_string());
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", GOOD),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 3, "{}", out.all());
    let text = snapshot_of(&out, &dir).replace(&port.to_string(), "[PORT]");
    insta::assert_snapshot!(text);
}

#[test]
fn a_service_that_crashes_mid_run_fails_the_scenario_and_is_restarted() {
    // A tiny service that dies when asked for /crash, and serves / otherwise.
    let server = r#"
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/crash":
            print("panic: index out of range", file=sys.stderr, flush=True)
            os._exit(101)
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;
    let m = map("").replace(
        r#"["python3", "-m", "http.server", "${port}", "--bind", "127.0.0.1"]"#,
        r#"["python3", "server.py", "${port}"]"#,
    );
    let crash = "id: crash\ncovers: [REQ-1]\nkind: negative\nwhen: { path: /crash }\nthen: { status: 500 }\n";
    let after = GOOD.replace("id: health", "id: zz-after-crash");
    let dir = suite(&[
        ("crosscheck.yaml", &m),
        ("server.py", server),
        ("requirements.md", REQS),
        ("scenarios/a.yaml", crash),
        ("scenarios/b.yaml", &after),
    ]);
    let out = run_in(&dir, "run");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("FAIL  crash"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("exited with exit code 101 during the scenario"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("panic: index out of range"),
        "the service's last output is shown:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("started it again"), "{}", out.stdout);
    assert!(
        out.stdout.contains("PASS  zz-after-crash"),
        "the next scenario runs on a fresh service:\n{}",
        out.stdout
    );
}
