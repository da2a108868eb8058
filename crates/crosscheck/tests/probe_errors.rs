//! A probe that cannot read — an unreachable database or broker, bad SQL, a metrics page
//! that is HTML, a log file that never appears — makes that one scenario Errored with a
//! message naming the probe and what it tried (URL with the password masked, the query,
//! the path), and the run goes on to the next scenario. Messages are pinned as snapshots.

mod common;

use std::time::Duration;

use common::{crosscheck, stable, suite};

const REQS: &str = "- **REQ-1**: The service shall answer its health check.\n";

/// A small service: creates its SQLite file at start, serves `/healthz`, an HTML page at
/// `/metrics`, and on `/late-log` answers at once and creates its log file 200 ms later.
const SERVICE: &str = r#"
import http.server, json, sqlite3, sys, threading, time
port, db, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)
con.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER)")
con.commit()
con.close()

def write_log_later():
    time.sleep(0.2)
    with open(log, "a") as f:
        f.write(json.dumps({"event": "late"}) + "\n")

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        if self.path == "/metrics":
            body, ctype = b"<html><body><h1>Metrics</h1></body></html>", "text/html"
        else:
            body, ctype = b"ok", "text/plain"
            if self.path == "/late-log":
                threading.Thread(target=write_log_later).start()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
"#;

/// The system map; `database` and `broker` are the URLs the probes are given.
fn map(database: &str, broker: &str, extra_database: &str) -> String {
    format!(
        r#"sut:
  name: tiny
  start: ["python3", "svc.py", "${{port}}", "${{dir}}/app.db", "${{dir}}/app.log"]
  ready: {{ get: /healthz, timeout: 10s }}
  logs: {{ file: "${{dir}}/app.log", format: json }}
  database: {{ url: "{database}"{extra_database} }}
  metrics: {{ get: /metrics }}
  broker: {{ url: "{broker}" }}
"#
    )
}

fn scenario(id: &str, path: &str, then: &str) -> String {
    format!(
        "id: {id}\ncovers: [REQ-1]\nkind: positive\nwhen: {{ path: {path} }}\nthen:\n  status: 200\n{then}"
    )
}

const HEALTHY: &str = "id: z-healthy\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /healthz }\nthen: { status: 200 }\n";

/// A TCP port on loopback where nothing listens (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run(dir: &tempfile::TempDir) -> common::Output {
    crosscheck(
        dir.path(),
        &["run", ".", "--results", "results.json"],
        &[],
        Duration::from_secs(120),
    )
}

fn snapshot_of(out: &common::Output, dir: &tempfile::TempDir) -> String {
    let text = stable(&out.all(), &[dir.path()]);
    // Run folders are named by their start time.
    let text = regex::Regex::new(r"\[DIR\]/\.crosscheck/runs/[^/ \n]+")
        .expect("regex")
        .replace_all(&text, "[RUN]")
        .into_owned();
    format!("exit code: {}\n{}", out.code, text.trim())
}

#[test]
fn each_unreadable_side_effect_errors_its_own_scenario_and_the_run_goes_on() {
    let broker = format!("redis://:hunter2@127.0.0.1:{}/", closed_port());
    let files = [
        ("svc.py", SERVICE.to_owned()),
        (
            "crosscheck.yaml",
            map("sqlite:${dir}/app.db", &broker, ""),
        ),
        ("requirements.md", REQS.to_owned()),
        (
            "scenarios/a.yaml",
            [
                scenario(
                    "a-bad-sql",
                    "/healthz",
                    "  sql:\n    - query: SELEC id FRM t WHERE id = ?\n      params: [1]\n      rows: 0\n",
                ),
                scenario(
                    "b-broker-unreachable",
                    "/healthz",
                    "  messages:\n    - { to: events, match: { kind: ping } }\n",
                ),
                scenario(
                    "c-metrics-are-html",
                    "/healthz",
                    "  metrics:\n    - { name: requests_total, delta: 1 }\n",
                ),
                scenario(
                    "d-log-file-never-appears",
                    "/healthz",
                    "  logs:\n    - match: { event: late }\n      within: 300ms\n",
                ),
                scenario(
                    "e-log-file-appears-within-the-window",
                    "/late-log",
                    "  logs:\n    - match: { event: late }\n      within: 3s\n",
                ),
                HEALTHY.to_owned(),
            ]
            .join("---\n"),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = suite(&files);
    let out = run(&dir);
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    assert!(
        !all.contains("hunter2"),
        "the broker password leaked: {all}"
    );
    for (id, said) in [
        ("a-bad-sql", "could not run `SELEC id FRM t WHERE id = ?`"),
        ("b-broker-unreachable", "messages probe on redis://:***@"),
        ("c-metrics-are-html", "it answered HTML (text/html)"),
        ("d-log-file-never-appears", "app.log does not exist"),
    ] {
        assert!(all.contains(id), "{id} missing: {all}");
        assert!(all.contains(said), "{id}: expected `{said}` in {all}");
    }
    let results = std::fs::read_to_string(dir.path().join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&results).expect("json");
    let status = |id: &str| {
        results["scenarios"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["id"] == id))
            .map(|s| s["status"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    for id in [
        "a-bad-sql",
        "b-broker-unreachable",
        "c-metrics-are-html",
        "d-log-file-never-appears",
    ] {
        assert_eq!(status(id), "errored", "{id}: {all}");
    }
    assert_eq!(
        status("e-log-file-appears-within-the-window"),
        "passed",
        "{all}"
    );
    assert_eq!(status("z-healthy"), "passed", "{all}");
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

/// Runs a suite with the system map `map_text`, one scenario `id` asserting a row, and
/// the healthy scenario.
fn run_one_sql_scenario(map_text: &str, id: &str) -> (tempfile::TempDir, common::Output) {
    let scenarios = [
        scenario(
            id,
            "/healthz",
            "  sql:\n    - { query: SELECT 1 AS one, rows: 1 }\n",
        ),
        HEALTHY.to_owned(),
    ]
    .join("---\n");
    let dir = suite(&[
        ("svc.py", SERVICE),
        ("crosscheck.yaml", map_text),
        ("requirements.md", REQS),
        ("scenarios/a.yaml", &scenarios),
    ]);
    let out = run(&dir);
    (dir, out)
}

#[test]
fn an_unreachable_postgres_errors_its_scenario_at_once() {
    let db = format!("postgres://app:s3cret@127.0.0.1:{}/app", closed_port());
    let (dir, out) = run_one_sql_scenario(&map(&db, "", ""), "a-database-unreachable");
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    assert!(!all.contains("s3cret"), "the password leaked: {all}");
    assert!(
        all.contains("sql probe on postgres://app:***@127.0.0.1:"),
        "{all}"
    );
    assert!(all.contains("could not connect"), "{all}");
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}

#[test]
fn a_postgres_that_never_answers_errors_after_the_connect_timeout() {
    // A listener nobody accepts from: the kernel completes the handshake, then silence.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let db = format!("postgres://app@127.0.0.1:{port}/app");
    let (dir, out) = run_one_sql_scenario(
        &map(&db, "", ", connect_timeout: 300ms"),
        "a-database-silent",
    );
    drop(silent);
    let all = out.all();
    assert_eq!(out.code, 1, "{all}");
    assert!(
        all.contains("could not connect: no answer within 300ms"),
        "{all}"
    );
    insta::assert_snapshot!(snapshot_of(&out, &dir));
}
