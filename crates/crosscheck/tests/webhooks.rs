//! Webhooks: a scenario hands the service the address of a mocked receiver
//! (`${deps.hooks.url}`), and `calls` with `within` waits for a call the service makes
//! after it answered. A small Python service answers `POST /subscribe` with 202 at once
//! and calls the callback 300 ms later; its bugs never call, call too late, call twice,
//! send the wrong event, or call back where nothing may be called. A request naming a
//! double the system map does not have is bad input, found by `validate` at its place.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};

/// `HOOK_BUG=never|late|twice|wrong-event|noisy`.
const SERVER: &str = r#"
import http.server, json, os, sys, threading, time, urllib.request
BUG = os.environ.get("HOOK_BUG", "")
def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try: urllib.request.urlopen(req, timeout=5).read()
    except Exception as e: print("callback failed:", e, flush=True)
def notify(url, sub):
    time.sleep(2.5 if BUG == "late" else 0.3)
    if BUG == "never": return
    post(url, {"event": "created" if BUG == "wrong-event" else "subscribed", "id": sub})
    if BUG == "twice": post(url, {"event": "subscribed", "id": sub})
from jsonhandler import JsonHandler
class H(JsonHandler):
    def do_GET(self):
        self.reply(200, {"status": "ok"})
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.path == "/subscribe":
            threading.Thread(target=notify, args=(body["callback"], "s1"), daemon=True).start()
            return self.reply(202, {"id": "s1"})
        if self.path == "/ping":
            if BUG == "noisy":
                threading.Thread(target=post, args=(body["callback"], {"event": "pinged"}), daemon=True).start()
            return self.reply(200, {"pong": True})
        self.reply(404, {"error": "NOT_FOUND"})
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const MAP: &str = r#"version: 1
sut:
  name: subscriptions
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  env: { HOOK_BUG: "${env.HOOK_BUG:-}" }
dependencies:
  hooks: { double: mock }
requirements: requirements.md
scenarios: scenarios/
"#;

const REQUIREMENTS: &str = "- **REQ-H-1**: When a client subscribes with a callback URL, the service shall answer 202 and post one `subscribed` event to the callback within 1 second.\n- **REQ-H-2**: A ping shall never call the callback.\n";

const SCENARIOS: &str = r#"id: subscribe-posts-one-event-to-the-callback
covers: [REQ-H-1]
kind: consistency
given:
  hooks:
    - { on: { method: POST, path: /events }, reply: { status: 204 } }
when: { method: POST, path: /subscribe, json: { callback: "${deps.hooks.url}/events" } }
then:
  status: 202
  calls:
    hooks:
      - { method: POST, path: /events, times: 1, within: 1s, json: { $.event: subscribed, $.id: s1 } }
---
id: ping-calls-nobody
covers: [REQ-H-2]
kind: consistency
given:
  hooks:
    - { on: { method: POST }, reply: { status: 204 } }
when: { method: POST, path: /ping, json: { callback: "${deps.hooks.url}/events" } }
then:
  status: 200
  calls:
    hooks:
      - { times: 0, within: 500ms }
"#;

fn run(dir: &Path, bug: &str) -> common::Output {
    crosscheck(
        dir,
        &["run", ".", "--color", "never"],
        &[("HOOK_BUG", bug)],
        Duration::from_secs(120),
    )
}

#[test]
fn calls_within_a_window_catch_webhooks_that_never_come_come_late_or_twice() {
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", REQUIREMENTS),
        ("scenarios/hooks.yaml", SCENARIOS),
    ]);
    let ok = run(dir.path(), "");
    assert_eq!(ok.code, 0, "{}", ok.all());

    let none = "✗ calls hooks: expected exactly 1 call to POST /events on `hooks` within 1s of the request, saw 0; it received no calls";
    let cases = [
        ("never", none),
        ("late", none),
        (
            "twice",
            "✗ calls hooks: expected exactly 1 call to POST /events on `hooks` within 1s of the request, saw 2; it received: POST /events, POST /events",
        ),
        (
            "wrong-event",
            "✗ calls hooks: call 1 of 1 to POST /events on `hooks`: json $.event: expected \"subscribed\", got \"created\"",
        ),
        (
            "noisy",
            "✗ calls hooks: expected no call to any method (any path) on `hooks` within 500ms of the request, saw 1; it received: POST /events",
        ),
    ];
    for (bug, want) in cases {
        let out = run(dir.path(), bug);
        assert_eq!(out.code, 1, "{bug}: {}", out.all());
        assert_eq!(common::failure_lines(&out), [want], "{bug}: {}", out.all());
    }
}

#[test]
fn without_a_window_a_call_made_after_the_answer_is_not_waited_for() {
    // The same correct service: its callback comes 300 ms after the answer, and a check
    // without `within` only counts calls made while the service answers.
    // (Only the first scenario: the late call would land in the next one's window.)
    let first = SCENARIOS.split("---").next().unwrap();
    let no_window = first.replace(", within: 1s", "");
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", REQUIREMENTS),
        ("scenarios/hooks.yaml", &no_window),
    ]);
    let out = run(dir.path(), "");
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        common::failure_lines(&out),
        [
            "✗ calls hooks: expected exactly 1 call to POST /events on `hooks`, saw 0; it received no calls"
        ],
        "{}",
        out.all()
    );
}

#[test]
fn an_unknown_double_or_field_in_a_request_is_bad_input_at_its_place() {
    let typo = SCENARIOS
        .replacen("${deps.hooks.url}/events", "${deps.hook.url}/events", 1)
        .replacen("${deps.hooks.url}/events", "${deps.hooks.uri}/events", 1);
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", REQUIREMENTS),
        ("scenarios/hooks.yaml", &typo),
    ]);
    for command in ["validate", "run"] {
        let out = crosscheck(dir.path(), &[command, "."], &[], Duration::from_secs(60));
        assert_eq!(out.code, 2, "{command}: {}", out.all());
        for want in [
            "error: scenarios/hooks.yaml:7:60: `${deps.hook.url}` names no dependency of the system map\n",
            "  help: did you mean `${deps.hooks.url}`?\n",
            "error: scenarios/hooks.yaml:20:55: `${deps.hooks.uri}`: a double has a `url` and a `port`\n",
            "  help: write `${deps.hooks.url}` or `${deps.hooks.port}`\n",
            "2 problem(s) found; nothing was run.",
        ] {
            assert!(
                out.stderr.contains(want),
                "{command}: {want}\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn the_audit_counts_a_callback_check_as_the_side_effect_a_webhook_requirement_asks_for() {
    let files = |scenarios: &str| {
        suite(&[
            ("crosscheck.yaml", MAP),
            ("server.py", SERVER),
            common::PY_HANDLER,
            ("requirements.md", REQUIREMENTS),
            ("scenarios/hooks.yaml", scenarios),
        ])
    };
    let dir = files(SCENARIOS);
    let out = crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    for want in [
        "REQ-H-1 (notifying): asserted by subscribe-posts-one-event-to-the-callback",
        "REQ-H-2 (notifying): asserted by ping-calls-nobody",
    ] {
        assert!(out.stdout.contains(want), "{want}\n{}", out.stdout);
    }
    // The "event" is posted to a callback, not a broker: no `then.messages` is asked for.
    assert!(!out.stdout.contains("then.messages"), "{}", out.stdout);

    // Without the calls check, the requirement's callback is unchecked.
    let unchecked = SCENARIOS.replacen(
        "  calls:\n    hooks:\n      - { method: POST, path: /events, times: 1, within: 1s, json: { $.event: subscribed, $.id: s1 } }\n",
        "",
        1,
    );
    assert_ne!(unchecked, SCENARIOS);
    let dir = files(&unchecked);
    let out = crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    assert!(
        out.stdout.contains("REQ-H-1 speaks of notifying, and no scenario that covers it asserts on it with `then.calls`"),
        "{}",
        out.stdout
    );
}
