//! Capturing from response headers, on a small Python service whose `POST /widgets`
//! answers 201 with a `Location` and no id in the body, and whose gadgets are keyed by
//! `metadata.name` under a namespace, as in Kubernetes. A hand-written chain follows the
//! `Location`; missing, wrong and foreign `Location`s fail with what a person needs;
//! `validate` points at a malformed capture expression; `crosscheck generate` writes
//! both kinds of chain, and only the chain sees a wrong `Location`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};

/// `WIDGETS_BUG=wrong-location` names another widget in `Location`; `no-location`
/// sends none; `foreign-location` names the right widget on another host;
/// `lost-namespace` stores every gadget in `default`, whatever the path says.
const SERVER: &str = r#"
import http.server, json, os, sys
BUG = os.environ.get("WIDGETS_BUG", "")
WIDGETS = {}
GADGETS = {}
NEXT = [1]
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body=None, headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None: self.send_header("Content-Type", "application/json")
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers(); self.wfile.write(data)
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        try: return json.loads(self.rfile.read(n) or b"null")
        except ValueError: return None
    def route(self):
        p = self.path.split("?")[0].split("/")[1:]
        if len(p) == 2 and p[0] == "widgets": return ("widget", p[1])
        if len(p) == 3 and p[0] == "namespaces" and p[2] == "gadgets": return ("gadgets", p[1])
        if len(p) == 4 and p[0] == "namespaces" and p[2] == "gadgets": return ("gadget", (p[1], p[3]))
        return (None, None)
    def widget_ok(self, b):
        return isinstance(b, dict) and isinstance(b.get("name"), str) and 1 <= len(b["name"]) <= 40
    def gadget_ok(self, b):
        return isinstance(b, dict) and isinstance(b.get("metadata"), dict) and isinstance(b["metadata"].get("name"), str) and b["metadata"]["name"] != ""
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        kind, key = self.route()
        if kind == "widget" and key in WIDGETS: return self.reply(200, WIDGETS[key])
        if kind == "gadget" and key in GADGETS: return self.reply(200, GADGETS[key])
        self.reply(404, {"error": "NOT_FOUND"})
    def do_POST(self):
        b = self.body()
        kind, key = self.route()
        if self.path == "/widgets":
            if not self.widget_ok(b): return self.reply(400, {"error": "BAD_REQUEST"})
            wid = "w%d" % NEXT[0]; NEXT[0] += 1
            WIDGETS[wid] = {"name": b["name"]}
            host = self.headers.get("Host")
            loc = "http://%s/widgets/%s" % (host, wid)
            if BUG == "wrong-location": loc = "/widgets/w%d" % (NEXT[0] + 7)
            if BUG == "foreign-location": loc = "http://widgets.example/widgets/%s" % wid
            headers = [("X-Widget-Id", wid)] + ([] if BUG == "no-location" else [("Location", loc)])
            return self.reply(201, {"name": b["name"]}, headers)
        if kind == "gadgets":
            if not self.gadget_ok(b): return self.reply(400, {"error": "BAD_REQUEST"})
            ns = "default" if BUG == "lost-namespace" else key
            name = b["metadata"]["name"]
            if (ns, name) in GADGETS: return self.reply(409, {"error": "EXISTS"})
            g = {"metadata": {"name": name, "namespace": ns}, "spec": b.get("spec") or {}}
            GADGETS[(ns, name)] = g
            return self.reply(201, g)
        self.reply(404, {"error": "NOT_FOUND"})
    def do_PUT(self):
        b = self.body()
        kind, key = self.route()
        if kind == "widget" and key in WIDGETS:
            if not self.widget_ok(b): return self.reply(400, {"error": "BAD_REQUEST"})
            WIDGETS[key] = {"name": b["name"]}
            return self.reply(200, WIDGETS[key])
        if kind == "gadget" and key in GADGETS:
            if not self.gadget_ok(b) or b["metadata"]["name"] != key[1]: return self.reply(400, {"error": "BAD_REQUEST"})
            GADGETS[key] = {"metadata": {"name": key[1], "namespace": key[0]}, "spec": b.get("spec") or {}}
            return self.reply(200, GADGETS[key])
        self.reply(404, {"error": "NOT_FOUND"})
    def do_DELETE(self):
        kind, key = self.route()
        if kind == "widget" and key in WIDGETS: del WIDGETS[key]; return self.reply(204)
        if kind == "gadget" and key in GADGETS: del GADGETS[key]; return self.reply(204)
        self.reply(404, {"error": "NOT_FOUND"})
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const CONTRACT: &str = r##"openapi: 3.1.0
info: { title: widgets, version: "1" }
paths:
  /health:
    get:
      operationId: health
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
  /widgets:
    post:
      operationId: createWidget
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: "#/components/schemas/Widget" } } }
      responses:
        "201":
          description: created; `Location` names the new widget
          headers:
            Location: { required: true, schema: { type: string, format: uri-reference } }
          content: { application/json: { schema: { $ref: "#/components/schemas/Widget" } } }
          links:
            DeleteIt:
              operationRef: "#/paths/~1widgets~1%7Bwid%7D/delete"
              parameters: { wid: "$response.header.X-Widget-Id" }
            Nowhere:
              operationRef: "#/paths/~1gizmos~1{wid}/get"
        "400": { description: bad input, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
  /widgets/{wid}:
    parameters:
      - { name: wid, in: path, required: true, schema: { type: string, pattern: "^w[0-9]+$", example: w1 } }
    get:
      operationId: getWidget
      responses:
        "200": { description: the widget, content: { application/json: { schema: { $ref: "#/components/schemas/Widget" } } } }
        "404": { description: no such widget, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
    put:
      operationId: replaceWidget
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: "#/components/schemas/Widget" } } }
      responses:
        "200": { description: replaced, content: { application/json: { schema: { $ref: "#/components/schemas/Widget" } } } }
        "404": { description: no such widget, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
    delete:
      operationId: deleteWidget
      responses:
        "204": { description: deleted }
        "404": { description: no such widget, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
  /namespaces/{namespace}/gadgets:
    parameters:
      - { name: namespace, in: path, required: true, schema: { type: string, example: team-a } }
    post:
      operationId: createGadget
      requestBody:
        required: true
        content: { "*/*": { schema: { $ref: "#/components/schemas/Gadget" } } }
      responses:
        "201": { description: created, content: { application/json: { schema: { $ref: "#/components/schemas/Gadget" } } } }
        "400": { description: bad input, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
  /namespaces/{namespace}/gadgets/{name}:
    parameters:
      - { name: namespace, in: path, required: true, schema: { type: string, example: team-b } }
      - { name: name, in: path, required: true, schema: { type: string, example: g1 } }
    get:
      operationId: readGadget
      responses:
        "200": { description: the gadget, content: { application/json: { schema: { $ref: "#/components/schemas/Gadget" } } } }
        "404": { description: no such gadget, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
    delete:
      operationId: deleteGadget
      responses:
        "204": { description: deleted }
        "404": { description: no such gadget, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
components:
  schemas:
    Widget:
      type: object
      required: [name]
      properties:
        name: { type: string, minLength: 1, maxLength: 40, example: blue widget }
    Gadget:
      type: object
      properties:
        metadata:
          type: object
          properties:
            name: { type: string, pattern: "^[a-z0-9-]+$" }
            namespace: { type: string }
        spec:
          type: object
          properties:
            size: { type: integer, minimum: 1, example: 3 }
    Error:
      type: object
      required: [error]
      properties:
        error: { type: string }
"##;

/// A link whose `operationRef` names no operation: a contract warning, no scenario.
const NOWHERE: &str = r##"            Nowhere:
              operationRef: "#/paths/~1gizmos~1{wid}/get"
"##;

const MAP: &str = r#"version: 1
sut:
  name: widgets
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  contract: api.yaml
  env: { WIDGETS_BUG: "${env.WIDGETS_BUG:-}" }
requirements: requirements.md
scenarios: scenarios/
"#;

const REQUIREMENTS: &str = "# Widgets\n\n\
- **REQ-W-1**: Every call of `POST /widgets`, `GET /widgets/{wid}`, `PUT /widgets/{wid}` and `DELETE /widgets/{wid}` shall be answered as the contract documents.\n\
- **REQ-W-2**: Every call of `POST /namespaces/{namespace}/gadgets`, `GET /namespaces/{namespace}/gadgets/{name}` and `DELETE /namespaces/{namespace}/gadgets/{name}` shall be answered as the contract documents.\n";

const HAND: &str = r#"id: create-then-follow-location
covers: [REQ-W-1]
kind: consistency
steps:
  - when: { method: POST, path: /widgets, json: { name: red widget } }
    then: { status: 201 }
    capture: { loc: $response.header.location, status: $statusCode, name: "$response.body#/name" }
  - when: { path: "${captured.loc}" }
    then:
      status: 200
      json: { $.name: red widget }
      conforms: true
  - when: { method: DELETE, path: "${captured.loc}" }
    then: { status: 204 }
"#;

fn files(scenarios: &str) -> Vec<(&str, &str)> {
    vec![
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        ("api.yaml", CONTRACT),
        ("requirements.md", REQUIREMENTS),
        ("scenarios/s.yaml", scenarios),
    ]
}

fn run(dir: &Path, bug: &str, extra: &[&str]) -> common::Output {
    let mut args = vec!["run", "."];
    args.extend_from_slice(extra);
    crosscheck(
        dir,
        &args,
        &[("WIDGETS_BUG", bug)],
        Duration::from_secs(120),
    )
}

/// The failure lines (`✗ …`) of a run, ports and hosts made stable.
fn failures(out: &common::Output) -> String {
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let date = regex::Regex::new(r"date: \w{3}, \d{2} \w{3} \d{4} [\d:]+ GMT").unwrap();
    let server = regex::Regex::new(r"server: BaseHTTP/[\d.]+ Python/[\d.]+").unwrap();
    // Widget numbers depend on how many widgets the run created before (scenario order).
    let widget = regex::Regex::new(r"\bw\d+\b").unwrap();
    out.stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('✗') || l.trim_start().starts_with("captured"))
        .map(|l| {
            let l = port.replace_all(l.trim(), "127.0.0.1:PORT");
            let l = date.replace_all(&l, "date: DATE");
            let l = server.replace_all(&l, "server: SERVER");
            widget.replace_all(&l, "wN").into_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_chain_follows_the_location_header_and_says_what_went_wrong_with_it() {
    let dir = suite(&files(HAND));
    let ok = run(dir.path(), "", &["--results", "r.json"]);
    assert_eq!(ok.code, 0, "{}", ok.all());
    let results = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&results).unwrap();
    let exchanges = &json["scenarios"][0]["evidence"]["exchanges"];
    let captured = &exchanges[0]["captured"];
    assert!(
        captured["loc"]
            .as_str()
            .is_some_and(|l| l.starts_with("http://127.0.0.1:") && l.ends_with("/widgets/w1")),
        "{captured}"
    );
    assert_eq!(captured["status"], 201, "{captured}");
    assert_eq!(captured["name"], "red widget", "{captured}");
    assert!(
        exchanges[1]["request"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/widgets/w1")),
        "{exchanges}"
    );

    let missing = run(dir.path(), "no-location", &[]);
    assert_eq!(missing.code, 1, "{}", missing.all());
    let wrong = run(dir.path(), "wrong-location", &[]);
    assert_eq!(wrong.code, 1, "{}", wrong.all());
    let foreign = run(dir.path(), "foreign-location", &[]);
    assert_eq!(foreign.code, 1, "{}", foreign.all());
    insta::assert_snapshot!(format!(
        "no-location:\n{}\n\nwrong-location:\n{}\n\nforeign-location:\n{}\n",
        failures(&missing),
        failures(&wrong),
        failures(&foreign)
    ));
}

#[test]
fn validate_points_at_a_malformed_capture_expression() {
    let bad = HAND.replace("$response.header.location", "$response.headers.location");
    let contract = CONTRACT.replace(NOWHERE, "");
    let mut files = files(&bad);
    files[2].1 = &contract;
    let dir = suite(&files);
    let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 2, "{}", out.all());
    let text = common::stable(&out.all(), &[dir.path()]);
    insta::assert_snapshot!(text);
}

fn failing(out: &common::Output) -> Vec<&str> {
    out.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

#[test]
fn generated_chains_follow_locations_and_kubernetes_style_names() {
    let dir = suite(&files(""));
    std::fs::remove_file(dir.path().join("scenarios/s.yaml")).unwrap();
    let out = crosscheck(dir.path(), &["generate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    // The link whose operationRef names nothing is reported with its place.
    assert!(
        out.all().contains("link `Nowhere` (#/paths/~1widgets/post/responses/201/links/Nowhere) `#/paths/~1gizmos~1{wid}/get` names no operation of the contract"),
        "{}",
        out.all()
    );
    // `validate` shows it as a contract warning, with what to do, and does not fail.
    let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("warning: ./api.yaml#/paths/~1widgets/post/responses/201/links/Nowhere/operationRef: `#/paths/~1gizmos~1{wid}/get` names no operation of this contract (no GET /gizmos/{wid}); the link is not followed"),
        "{}",
        out.all()
    );
    assert!(
        out.stderr.contains("help: 1 link(s) not followed"),
        "{}",
        out.all()
    );
    let read = |f: &str| {
        let p = dir.path().join("scenarios/generated").join(f);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let widgets = read("createWidget.sequence.yaml");
    assert!(widgets.contains("id: gen-createWidget-crud"), "{widgets}");
    assert!(
        widgets.contains("capture: { location: \"$response.header.Location\" }"),
        "{widgets}"
    );
    assert!(
        widgets.contains("path: \"${captured.location}\""),
        "{widgets}"
    );
    // The link by operationRef, its path parameter taken from a response header.
    assert!(
        widgets.contains("id: gen-createWidget-link-DeleteIt"),
        "{widgets}"
    );
    assert!(
        widgets.contains("capture: { wid: \"$response.header.X-Widget-Id\" }"),
        "{widgets}"
    );
    assert!(
        widgets.contains("path: \"/widgets/${captured.wid}\""),
        "{widgets}"
    );
    let gadgets = read("createGadget.sequence.yaml");
    assert!(
        gadgets.contains("capture: { name: \"$.metadata.name\" }"),
        "{gadgets}"
    );
    assert!(
        gadgets.contains("path: \"/namespaces/team-a/gadgets/${captured.name}\""),
        "the item path keeps the namespace the create used:\n{gadgets}"
    );

    let ok = run(dir.path(), "", &["-k", "crud"]);
    assert_eq!(
        ok.code,
        0,
        "the chains pass on the correct service:\n{}",
        ok.all()
    );

    // A wrong `Location`: every single request of the create still passes; the chain
    // that follows the header does not.
    let out = run(dir.path(), "wrong-location", &["-k", "createWidget"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(failing(&out), ["gen-createWidget-crud"], "{}", out.stdout);
    assert!(
        out.stdout.contains("step 2: status: expected 200, got 404"),
        "{}",
        out.stdout
    );
    // A gadget stored in another namespace than its path says.
    let out = run(dir.path(), "lost-namespace", &["-k", "createGadget"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(failing(&out), ["gen-createGadget-crud"], "{}", out.stdout);
}
