//! Every kind of check, shown failing on a deliberately broken service (a small Python
//! server), with the message a person reads. The seeded bugs of the example cover the
//! same kinds on a Rust service; this suite proves nothing assumes Rust on the other side.

mod common;

use std::time::Duration;

use common::{crosscheck, suite};

/// Answers wrongly on purpose: see each path.
const SERVER: &str = r#"
import http.server, json, os, sys, urllib.request
AUTH = os.environ["AUTH_URL"]
LOG = os.environ["APP_LOG"]
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers: self.send_header(k, v)
        self.end_headers(); self.wfile.write(data)
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        if self.path == "/item": return self.reply(200, {"id": "7", "state": "maybe"}, [("X-Request-Id", "not-a-uuid")])
        if self.path == "/teapot": return self.reply(418, {"error": "teapot"})
        if self.path == "/notify":
            req = urllib.request.Request(AUTH + "/events?source=api", data=json.dumps({"event": "read"}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(req, timeout=2).read()
            with open(LOG, "a") as f: f.write("user=bob action=read\n")
            return self.reply(200, {"status": "ok"})
        self.reply(404, {"error": "not found"})
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const CONTRACT: &str = r#"openapi: 3.1.0
info: { title: broken, version: "1" }
paths:
  /health:
    get:
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
  /item:
    get:
      responses:
        "200":
          description: an item
          content:
            application/json:
              schema:
                type: object
                required: [id, state]
                properties:
                  id: { type: string }
                  state: { enum: [open, closed] }
  /teapot:
    get:
      responses:
        "200": { description: ok }
  /notify:
    get:
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
"#;

const MAP: &str = r#"sut:
  name: broken
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  env: { AUTH_URL: "${deps.events.url}", APP_LOG: "${dir}/app.log" }
  contract: api.yaml
  logs: { file: "${dir}/app.log", format: text }
dependencies:
  events: { double: mock }
"#;

const SCENARIOS: &str = r#"id: header-check
covers: [REQ-1]
kind: positive
when: { path: /item }
then:
  headers: { x-request-id: { format: uuid } }
---
id: conforms-schema
covers: [REQ-1]
kind: positive
when: { path: /item }
then: { conforms: true }
---
id: conforms-status
covers: [REQ-1]
kind: positive
when: { path: /teapot }
then: { conforms: true }
---
id: calls-body-and-query
covers: [REQ-1]
kind: positive
given:
  events:
    - on: { method: POST, path: /events }
      reply: { status: 202 }
when: { path: /notify }
then:
  status: 200
  calls:
    events:
      - method: POST
        path: /events
        times: 1
        query: { source: worker }
        json: { $.event: write }
---
id: log-regex
covers: [REQ-1]
kind: positive
given:
  events:
    - reply: { status: 202 }
when: { path: /notify }
then:
  logs:
    - regex: "action=write"
      within: 300ms
"#;

fn run_broken() -> common::Output {
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        ("api.yaml", CONTRACT),
        ("requirements.md", "- **REQ-1**: The service behaves.\n"),
        ("scenarios/s.yaml", SCENARIOS),
    ]);
    let out = crosscheck(dir.path(), &["run", "."], &[], Duration::from_secs(120));
    assert_eq!(out.code, 1, "every scenario should fail:\n{}", out.all());
    out
}

fn failure_of<'a>(out: &'a common::Output, id: &str) -> &'a str {
    out.stdout
        .split("\nFAIL ")
        .find(|s| s.starts_with(id))
        .unwrap_or_else(|| panic!("no failure details for `{id}`:\n{}", out.stdout))
}

#[test]
fn each_check_fails_with_a_readable_message() {
    let out = run_broken();
    assert!(out.stdout.contains("0 passed, 5 failed"), "{}", out.stdout);

    let header = failure_of(&out, "header-check");
    assert!(
        header.contains(r#"header x-request-id: expected a uuid string, got "not-a-uuid""#),
        "{header}"
    );

    let schema = failure_of(&out, "conforms-schema");
    assert!(
        schema.contains("✗ conforms: the response breaks the contract of GET /item at /state"),
        "{schema}"
    );
    assert!(schema.contains("maybe"), "{schema}");

    let status = failure_of(&out, "conforms-status");
    assert!(status.contains("✗ conforms:"), "{status}");
    assert!(status.contains("418"), "{status}");

    let calls = failure_of(&out, "calls-body-and-query");
    assert!(
        calls.contains(r#"query source: expected "worker", got "api""#),
        "{calls}"
    );
    assert!(
        calls.contains(r#"json $.event: expected "write", got "read""#),
        "{calls}"
    );
    assert!(
        calls.contains("events saw  1 call(s)"),
        "the double's journal is in the evidence:\n{calls}"
    );

    let log = failure_of(&out, "log-regex");
    assert!(
        log.contains("no log line matching /action=write/ within 300ms; the closest of 1 line(s) was user=bob action=read: does not match /action=write/"),
        "{log}"
    );
}
