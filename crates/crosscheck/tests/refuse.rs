//! `fault: refuse` end to end: a scenario makes a mocked dependency refuse every
//! connection; the service under test sees "connection refused" at once and must fail
//! closed and fast; the next scenario finds the double listening on the same port; the
//! schedule in the evidence says what was staged; `validate` points at misuse.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};
use serde_json::Value;

/// `/check` asks the dependency and answers what happened: 200 with its status, or 503
/// with `refused` / `error`. `SUT_MODE=fail_open` grants on a refused connection;
/// `SUT_MODE=retry` keeps reconnecting for 1.5 s before giving up.
const SERVER: &str = r#"
import http.server, json, os, sys, time, urllib.request, urllib.error
DEP = os.environ["DEP_URL"]
MODE = os.environ.get("MODE", "")
from jsonhandler import JsonHandler
class H(JsonHandler):
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        if self.path != "/check": return self.reply(404, {"error": "not found"})
        deadline = time.monotonic() + 1.5
        while True:
            try:
                with urllib.request.urlopen(DEP + "/validate", timeout=2) as r:
                    return self.reply(200, {"seen": r.status})
            except urllib.error.URLError as e:
                refused = isinstance(getattr(e, "reason", None), ConnectionRefusedError)
                if refused and MODE == "fail_open":
                    return self.reply(200, {"seen": "granted anyway"})
                if refused and MODE == "retry" and time.monotonic() < deadline:
                    time.sleep(0.05); continue
                return self.reply(503, {"seen": "refused" if refused else "error"})
            except Exception:
                return self.reply(503, {"seen": "error"})
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const MAP: &str = r#"sut:
  name: checker
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  env: { DEP_URL: "${deps.dep.url}", MODE: "${env.SUT_MODE:-}" }
dependencies:
  dep: { double: mock }
"#;

const SCENARIOS: &str = r#"id: dep-refuses-fails-closed-fast
covers: [REQ-1]
kind: fault
given:
  dep:
    - fault: refuse
when: { path: /check }
then:
  status: 503
  json: { $.seen: refused }
  within: 1s
---
id: dep-listens-again-after
covers: [REQ-1]
kind: positive
given:
  dep:
    - on: { path: /validate }
      reply: { status: 200, json: { ok: true } }
when: { path: /check }
then:
  status: 200
  calls: { dep: [ { path: /validate, times: 1 } ] }
"#;

fn the_suite(scenarios: &str) -> tempfile::TempDir {
    suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        common::PY_HANDLER,
        (
            "requirements.md",
            "REQ-1: When the dependency cannot be reached, the service shall answer 503 at once.\n",
        ),
        ("scenarios/refuse.yaml", scenarios),
    ])
}

fn run(dir: &Path, mode: &str) -> (common::Output, Value) {
    let results = dir.join("results.json");
    let out = crosscheck(
        dir,
        &["run", ".", "--results", results.to_str().unwrap()],
        &[("SUT_MODE", mode)],
        Duration::from_secs(120),
    );
    let doc = std::fs::read_to_string(&results)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out, doc)
}

#[test]
fn a_refusing_double_is_refused_fast_and_listens_again_for_the_next_scenario() {
    let dir = the_suite(SCENARIOS);
    let (out, doc) = run(dir.path(), "");
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("2 passed"), "{}", out.stdout);
    let refused = &doc["scenarios"][0];
    assert_eq!(refused["id"], "dep-refuses-fails-closed-fast");
    let schedule = refused["evidence"]["schedule"][0].as_str().unwrap_or("");
    assert!(
        regex::Regex::new(r"^dep: every connection refused \(port \d+ held, not listening\)$")
            .unwrap()
            .is_match(schedule),
        "{refused:#}"
    );
    // Nothing reached the double while it refused; the next scenario's call did.
    assert_eq!(refused["evidence"]["doubles"]["dep"], serde_json::json!([]));
    let after = &doc["scenarios"][1];
    assert_eq!(after["status"], "passed", "{after:#}");
    assert_eq!(
        after["evidence"]["doubles"]["dep"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(after["evidence"].get("schedule").is_none(), "{after:#}");
}

#[test]
fn a_service_that_grants_on_a_refused_connection_fails_the_scenario() {
    let dir = the_suite(SCENARIOS);
    let html = dir.path().join("report.html");
    let out = crosscheck(
        dir.path(),
        &["run", ".", "--html", html.to_str().unwrap()],
        &[("SUT_MODE", "fail_open")],
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.all());
    // The HTML report's fault schedule shows it too.
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    assert!(
        page.contains("dep: every connection refused (port "),
        "no refuse line in the HTML report"
    );
    assert!(
        out.stdout.contains("FAIL  dep-refuses-fails-closed-fast"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("status: expected 503, got 200"),
        "{}",
        out.stdout
    );
    // The console's evidence shows what was staged.
    assert!(
        out.stdout.contains("dep: every connection refused (port "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("PASS  dep-listens-again-after"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_service_that_keeps_reconnecting_fails_the_bound() {
    let dir = the_suite(SCENARIOS);
    let (out, _) = run(dir.path(), "retry");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("FAIL  dep-refuses-fails-closed-fast"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1s allowed"), "{}", out.stdout);
}

#[test]
fn validate_points_at_a_misused_refuse_with_a_fix() {
    let bad = r#"id: bad-refuse
covers: [REQ-1]
kind: fault
given:
  dep:
    - fault: refuse
      reply: { status: 200 }
      times: 1
    - on: { path: /validate }
      reply: { status: 200 }
when: { path: /check }
then:
  calls: { dep: [ { path: /validate, times: 1 } ] }
"#;
    let dir = the_suite(bad);
    let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 2, "{}", out.all());
    let text = out.all();
    for words in [
        "scenarios/refuse.yaml:6:14",
        "`fault: refuse` makes `dep` refuse every connection for the whole scenario, so its other 1 stub(s) can never answer",
        "`fault: refuse` on `dep` cannot have `reply`",
        "`fault: refuse` on `dep` cannot have `times`",
        "fault: reset, times: 1",
        "scenarios/refuse.yaml:13:12",
        "`dep` refuses every connection in this scenario, so it never receives a call",
    ] {
        assert!(text.contains(words), "expected {words:?} in:\n{text}");
    }
}
