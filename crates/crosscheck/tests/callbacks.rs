//! OpenAPI callbacks, end to end: `crosscheck generate` writes a webhook scenario for a
//! contract's callback (the request points the callback URL at the double marked
//! `callbacks: true`), and `crosscheck run` passes it on a service that calls back and
//! fails it, with the message a person sees, on services that never call back, call
//! back too late, at the wrong place, or without a field the callback requires.
//! `crosscheck validate` refuses a receiver that is not a mock, or two receivers.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};

/// `HOOK_BUG=never|late|no-query|no-event`.
const SERVER: &str = r#"
import http.server, json, os, sys, threading, time, urllib.request
BUG = os.environ.get("HOOK_BUG", "")
def notify(url, sub):
    time.sleep(3.5 if BUG == "late" else 0.3)
    if BUG == "never": return
    body = {"id": sub} if BUG == "no-event" else {"event": "ready", "id": sub}
    target = url + "/events" + ("" if BUG == "no-query" else "?id=%d" % sub)
    req = urllib.request.Request(target, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try: urllib.request.urlopen(req, timeout=5).read()
    except Exception as e: print("callback failed:", e, flush=True)
from jsonhandler import JsonHandler
class H(JsonHandler):
    def do_GET(self):
        self.reply(200, {"status": "ok"})
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        try: body = json.loads(self.rfile.read(n) or b"{}")
        except ValueError: body = None
        if self.path != "/subscriptions":
            return self.reply(404, {"error": "NOT_FOUND"})
        if not isinstance(body, dict):
            return self.reply(400, {"error": "BAD_REQUEST"})
        url, sub = body.get("callbackUrl"), body.get("id")
        if not isinstance(url, str) or not url.startswith("http://127.0.0.1:") or not isinstance(sub, int) or not 1 <= sub <= 9:
            return self.reply(400, {"error": "BAD_REQUEST"})
        threading.Thread(target=notify, args=(url, sub), daemon=True).start()
        self.reply(202, {"id": sub})
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const CONTRACT: &str = r##"openapi: 3.0.3
info: { title: subscriptions, version: "1" }
paths:
  /subscriptions:
    post:
      operationId: subscribe
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [callbackUrl, id]
              properties:
                callbackUrl: { type: string }
                id: { type: integer, minimum: 1, maximum: 9 }
      responses:
        "202":
          description: subscribed
          content:
            application/json:
              schema: { type: object, required: [id], properties: { id: { type: integer } } }
        "400":
          description: bad request
          content:
            application/json:
              schema: { type: object, required: [error], properties: { error: { type: string } } }
      callbacks:
        onEvent:
          "{$request.body#/callbackUrl}/events?id={$request.body#/id}":
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      required: [event, id]
                      properties: { event: { type: string }, id: { type: integer } }
              responses: { "204": { description: received } }
"##;

const MAP: &str = r#"version: 1
sut:
  name: subscriptions
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  contract: api.yaml
  env: { HOOK_BUG: "${env.HOOK_BUG:-}" }
dependencies:
  hooks: { double: mock, callbacks: true }
requirements: requirements.md
scenarios: scenarios/
"#;

const REQUIREMENTS: &str = "- **REQ-CB-1**: When a client calls `subscribe` with a callback URL, the service shall answer 202 and post the event to the callback within 2 seconds.\n- **REQ-CB-2**: Every call of `POST /subscriptions` shall be answered as the contract documents.\n";

fn cc(dir: &Path, args: &[&str], bug: &str) -> common::Output {
    crosscheck(dir, args, &[("HOOK_BUG", bug)], Duration::from_secs(120))
}

#[test]
fn a_generated_callback_scenario_catches_services_that_do_not_call_back_as_documented() {
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("api.yaml", CONTRACT),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", REQUIREMENTS),
        ("scenarios/.keep", ""),
    ]);
    let generated = cc(dir.path(), &["generate", "."], "");
    assert_eq!(generated.code, 0, "{}", generated.all());
    let text = std::fs::read_to_string(
        dir.path()
            .join("scenarios/generated/subscribe.callback.yaml"),
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", generated.all()));
    assert!(
        text.contains(r#"callbackUrl: "${deps.hooks.url}/onEvent""#),
        "{text}"
    );
    // The other scenarios point the callback at the receiver too, where no callback
    // scenario looks: the service calls no made-up host.
    let positive = std::fs::read_to_string(
        dir.path()
            .join("scenarios/generated/subscribe.positive.yaml"),
    )
    .unwrap();
    assert!(
        positive.contains(r#"callbackUrl: "${deps.hooks.url}/elsewhere/onEvent""#),
        "{positive}"
    );

    let run = |bug: &str| cc(dir.path(), &["run", ".", "--color", "never"], bug);
    let ok = run("");
    assert_eq!(ok.code, 0, "{}", ok.all());
    assert!(
        ok.stdout.contains("8 scenario(s): 8 passed, 0 failed"),
        "{}",
        ok.all()
    );
    assert!(
        ok.stdout.contains("gen-subscribe-callback-onEvent"),
        "{}",
        ok.all()
    );

    let none = "✗ calls hooks: expected exactly 1 call to POST /onEvent/events on `hooks` within 2s of the request, saw 0; it received no calls";
    let cases = [
        ("never", none.to_owned()),
        ("late", none.to_owned()),
        (
            "no-query",
            "✗ calls hooks: call 1 of 1 to POST /onEvent/events on `hooks`: query id: expected \"1\", but it is absent".to_owned(),
        ),
        (
            "no-event",
            "✗ calls hooks: call 1 of 1 to POST /onEvent/events on `hooks`: json $.event: expected a value, but it is absent".to_owned(),
        ),
    ];
    for (bug, want) in cases {
        let out = run(bug);
        assert_eq!(out.code, 1, "{bug}: {}", out.all());
        assert_eq!(common::failure_lines(&out), [want], "{bug}: {}", out.all());
    }
}

#[test]
fn only_one_mock_receives_callbacks() {
    let map = MAP.replace(
        "  hooks: { double: mock, callbacks: true }\n",
        "  hooks: { double: mock, callbacks: true }\n  more: { double: mock, callbacks: true }\n  db: { double: proxy, upstream: \"127.0.0.1:5432\", callbacks: true }\n",
    );
    let dir = suite(&[
        ("crosscheck.yaml", &map),
        ("api.yaml", CONTRACT),
        ("requirements.md", REQUIREMENTS),
        ("scenarios/.keep", ""),
    ]);
    let out = cc(dir.path(), &["validate", "."], "");
    assert_eq!(out.code, 2, "{}", out.all());
    for needle in [
        "crosscheck.yaml:10:36: ",
        "`more` and `hooks` both say `callbacks: true`; one dependency receives the service's callbacks",
        "remove `callbacks: true` from `more` or from `hooks`",
        "crosscheck.yaml:11:63: ",
        "`callbacks: true` is for `double: mock`, but `db` is a proxy",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}` in:\n{}",
            out.all()
        );
    }
}
