//! A suite whose dependency is a real HTTP service behind `double: proxy`, with
//! per-scenario toxics: a scenario fails because of its toxic, the service's fail-closed
//! behaviour is shown under reset, down and a data limit, and toxics do not leak into
//! the next scenario.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::{crosscheck, suite};

/// The service under test: `/greeting` asks the dependency (`DEP_URL`) and answers 503
/// when that fails in any way, within its 1 s budget.
const SERVER: &str = r#"
import http.server, json, os, sys, urllib.request
DEP = os.environ["DEP_URL"]
from jsonhandler import JsonHandler
class H(JsonHandler):
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        if self.path == "/greeting":
            try:
                body = urllib.request.urlopen(DEP + "/hello", timeout=1).read()
                return self.reply(200, {"greeting": json.loads(body)})
            except Exception as e:
                return self.reply(503, {"error": "SERVICE_UNAVAILABLE"})
        self.reply(404, {"error": "not found"})
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// A real upstream: a minimal HTTP server answering `{"hello":"world"}`.
fn upstream() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"hello":"world"}"#;
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}

fn map(upstream: &str) -> String {
    format!(
        r#"sut:
  name: greeter
  start: ["python3", "server.py", "${{port}}"]
  ready: {{ get: /health }}
  env: {{ DEP_URL: "${{deps.hello.url}}" }}
dependencies:
  hello: {{ double: proxy, upstream: "{upstream}" }}
"#
    )
}

const SCENARIOS: &str = r#"id: clean-before
covers: [REQ-1]
kind: positive
when: { path: /greeting }
then: { status: 200, json: { $.greeting.hello: world } }
---
id: slow-dependency-still-greets
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: latency, attributes: { latency: 2000 } }
when: { path: /greeting }
then: { status: 200 }
---
id: reset-fails-closed
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: reset_peer, attributes: { timeout: 0 } }
when: { path: /greeting }
then: { status: 503, json: { $.error: SERVICE_UNAVAILABLE } }
---
id: down-fails-closed
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: down }
when: { path: /greeting }
then: { status: 503 }
---
id: truncated-fails-closed
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: limit_data, attributes: { bytes: 40 } }
when: { path: /greeting }
then: { status: 503 }
---
id: hang-fails-closed-in-time
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: hang }
when: { path: /greeting }
then: { status: 503, within: 3s }
---
id: clean-after
covers: [REQ-1]
kind: positive
when: { path: /greeting }
then: { status: 200, json: { $.greeting.hello: world } }
"#;

#[test]
fn a_toxic_makes_a_scenario_fail_and_is_removed_after_it() {
    let port = upstream();
    let dir = suite(&[
        ("crosscheck.yaml", &map(&format!("127.0.0.1:{port}"))),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", "- **REQ-1**: The greeter greets.\n"),
        ("scenarios/s.yaml", SCENARIOS),
    ]);
    let out = crosscheck(dir.path(), &["run", "."], &[], Duration::from_secs(120));
    let all = out.all();
    assert_eq!(out.code, 1, "one scenario fails:\n{all}");
    assert!(all.contains("6 passed"), "{all}");
    assert!(all.contains("1 failed"), "{all}");
    let failed_line = all
        .lines()
        .find(|l| l.contains("slow-dependency-still-greets"))
        .unwrap_or_default();
    assert!(
        failed_line.contains("FAIL") || failed_line.contains("✗"),
        "{all}"
    );
    assert!(
        all.contains("503"),
        "the failure shows the status seen: {all}"
    );
}

#[test]
fn toxic_mistakes_are_bad_input_with_a_fix() {
    let dir = suite(&[
        (
            "crosscheck.yaml",
            "sut:\n  name: greeter\n  start: [\"python3\", \"server.py\"]\ndependencies:\n  hello: { double: proxy }\n  auth: { double: mock }\n",
        ),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", "- **REQ-1**: The greeter greets.\n"),
        (
            "scenarios/s.yaml",
            r#"id: bad
covers: [REQ-1]
kind: fault
given:
  hello:
    - toxic: { type: latency, attributes: { latncy: 100 } }
    - on: { path: /hello }
      reply: { status: 500 }
  auth:
    - toxic: { type: reset_peer }
when: { path: /greeting }
then:
  calls: { hello: [ { path: /hello } ] }
"#,
        ),
    ]);
    let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(30));
    let err = &out.stderr;
    assert_eq!(out.code, 2, "{}", out.all());
    for needle in [
        "the proxy for `hello` has no `upstream`",
        "unknown attribute `latncy` for a latency toxic; its attributes: latency, jitter",
        "`hello` is a proxy in front of a real instance: its entries are toxics only",
        "`auth` is a mock; toxics apply to `double: proxy` dependencies",
        "`hello` is a proxy: it forwards bytes and records no calls",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
}
