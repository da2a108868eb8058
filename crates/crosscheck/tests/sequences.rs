//! Multi-step scenarios with value capture, on a small CRUD service in Python: a
//! hand-written chain passes on the correct service and stops at the failing step on a
//! broken one; a capture that finds nothing says so; `validate` points at a name no
//! earlier step captured; and `crosscheck generate` writes create → read → update →
//! delete chains (and follows OpenAPI links) that catch a bug no single request shows.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};

/// Things in memory. `THINGS_BUG=lost-create` answers 201 but keeps nothing;
/// `THINGS_BUG=undead` answers 204 to a delete but keeps the thing.
const SERVER: &str = r#"
import http.server, json, os, sys
BUG = os.environ.get("THINGS_BUG", "")
THINGS = {}
NEXT = [1]
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None: self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers(); self.wfile.write(data)
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        try: return json.loads(self.rfile.read(n) or b"null")
        except ValueError: return None
    def valid(self, b):
        return isinstance(b, dict) and set(b) == {"name"} and isinstance(b["name"], str) and 1 <= len(b["name"]) <= 40
    def item(self):
        parts = self.path.split("?")[0].split("/")
        if len(parts) == 3 and parts[1] == "things" and parts[2].isdigit(): return int(parts[2])
        return None
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        i = self.item()
        if i is not None and i in THINGS: return self.reply(200, THINGS[i])
        if i is not None: return self.reply(404, {"error": "NOT_FOUND"})
        self.reply(404, {"error": "NOT_FOUND"})
    def do_POST(self):
        b = self.body()
        if self.path != "/things": return self.reply(404, {"error": "NOT_FOUND"})
        if not self.valid(b): return self.reply(400, {"error": "BAD_REQUEST"})
        i = NEXT[0]; NEXT[0] += 1
        thing = {"id": i, "name": b["name"]}
        if BUG != "lost-create": THINGS[i] = thing
        self.reply(201, thing)
    def do_PUT(self):
        i = self.item(); b = self.body()
        if i is None or i not in THINGS: return self.reply(404, {"error": "NOT_FOUND"})
        if not self.valid(b): return self.reply(400, {"error": "BAD_REQUEST"})
        THINGS[i] = {"id": i, "name": b["name"]}
        self.reply(200, THINGS[i])
    def do_DELETE(self):
        i = self.item()
        if i is None or i not in THINGS: return self.reply(404, {"error": "NOT_FOUND"})
        if BUG != "undead": del THINGS[i]
        self.reply(204)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const CONTRACT: &str = r##"openapi: 3.1.0
info: { title: things, version: "1" }
paths:
  /health:
    get:
      operationId: health
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewThing" }
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
          links:
            ReadIt:
              operationId: getThing
              parameters: { id: "$response.body#/id" }
        "400": { description: bad input, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
  /things/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
    get:
      operationId: getThing
      responses:
        "200": { description: the thing, content: { application/json: { schema: { $ref: "#/components/schemas/Thing" } } } }
        "404": { description: no such thing, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
    put:
      operationId: updateThing
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewThing" }
      responses:
        "200": { description: updated, content: { application/json: { schema: { $ref: "#/components/schemas/Thing" } } } }
        "404": { description: no such thing, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
    delete:
      operationId: deleteThing
      responses:
        "204": { description: deleted }
        "404": { description: no such thing, content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } } }
components:
  schemas:
    NewThing:
      type: object
      required: [name]
      additionalProperties: false
      properties:
        name: { type: string, minLength: 1, maxLength: 40, example: blue box }
    Thing:
      type: object
      required: [id, name]
      properties:
        id: { type: integer }
        name: { type: string }
    Error:
      type: object
      required: [error]
      properties:
        error: { type: string }
"##;

const MAP: &str = r#"version: 1
sut:
  name: things
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  contract: api.yaml
  env: { THINGS_BUG: "${env.THINGS_BUG:-}" }
requirements: requirements.md
scenarios: scenarios/
"#;

const REQUIREMENTS: &str = "# Things\n\n\
- **REQ-T-1**: Every call of `POST /things`, `GET /things/{id}`, `PUT /things/{id}` and `DELETE /things/{id}` shall be answered as the contract documents.\n\
- **REQ-T-2**: A thing that was created shall be readable until it is deleted, and not after.\n";

const HAND: &str = r#"id: create-then-read
covers: [REQ-T-2]
kind: consistency
steps:
  - when: { method: POST, path: /things, json: { name: red box } }
    then: { status: 201 }
    capture: { id: $.id, name: $.name }
  - when: { path: "/things/${captured.id}" }
    then:
      status: 200
      json: { $.name: red box }
  - when: { method: PUT, path: "/things/${captured.id}", json: { name: "${captured.name} (2)", copy_of: "${captured.id}" } }
    then: { status: { one_of: [200, 400] } }
"#;

const WRONG_CAPTURE: &str = r#"id: capture-finds-nothing
covers: [REQ-T-2]
kind: consistency
steps:
  - when: { method: POST, path: /things, json: { name: red box } }
    then: { status: 201 }
    capture: { id: $.thing_id }
  - when: { path: "/things/${captured.id}" }
    then: { status: 200 }
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

fn run(dir: &Path, bug: &str) -> common::Output {
    crosscheck(
        dir,
        &["run", "."],
        &[("THINGS_BUG", bug)],
        Duration::from_secs(120),
    )
}

#[test]
fn a_hand_written_chain_passes_and_stops_at_the_failing_step() {
    let dir = suite(&files(HAND));
    let ok = run(dir.path(), "");
    assert_eq!(ok.code, 0, "{}", ok.all());

    let broken = crosscheck(
        dir.path(),
        &[
            "run",
            ".",
            "--results",
            "r.json",
            "--junit",
            "j.xml",
            "--html",
            "r.html",
        ],
        &[("THINGS_BUG", "lost-create")],
        Duration::from_secs(120),
    );
    assert_eq!(broken.code, 1, "{}", broken.all());
    let out = &broken.stdout;
    assert!(
        out.contains("✗ step 2: status: expected 200, got 404"),
        "{out}"
    );
    assert!(
        out.contains("✗ step 2: sequence: step 2 of 3 (GET /things/1) failed, so the chain stopped there; step 3 was not run"),
        "{out}"
    );
    assert!(out.contains("captured id = 1, name = \"red box\""), "{out}");
    assert!(
        !out.contains("request 3"),
        "step 3 must not be sent:\n{out}"
    );

    // Evidence per step in results.json: the captured values and the sent path.
    let results = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&results).unwrap();
    let exchanges = &json["scenarios"][0]["evidence"]["exchanges"];
    assert_eq!(exchanges.as_array().map(Vec::len), Some(2), "{exchanges}");
    assert_eq!(exchanges[0]["captured"]["id"], 1);
    assert!(
        exchanges[1]["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/things/1"),
        "{exchanges}"
    );
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert!(junit.contains("step 2: sequence: step 2 of 3"), "{junit}");
    assert!(junit.contains("captured id = 1"), "{junit}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(
        html.contains("captured id = 1"),
        "the HTML evidence shows the capture"
    );
}

#[test]
fn a_capture_that_finds_nothing_names_the_path_and_the_body() {
    let dir = suite(&files(WRONG_CAPTURE));
    let out = run(dir.path(), "");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains(
            r#"✗ step 1: capture id: $.thing_id selects nothing in the response body {"id": 1, "name": "red box"}"#
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "step 1 of 2 (POST /things) failed, so the chain stopped there; step 2 was not run"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn validate_points_at_a_name_no_earlier_step_captured() {
    let bad = HAND
        .replace(
            "${captured.id}\" }\n    then:\n      status: 200",
            "${captured.idd}\" }\n    then:\n      status: 200",
        )
        .replace(
            "json: { name: \"${captured.name} (2)\"",
            "json: { name: \"${captured.later} (2)\"",
        );
    let bad = format!(
        "{bad}---\nid: one-step\ncovers: [REQ-T-2]\nkind: positive\nwhen: {{ path: \"/things/${{captured.id}}\" }}\n"
    );
    let dir = suite(&files(&bad));
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

fn generate(dir: &Path) -> String {
    let out = crosscheck(dir, &["generate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    let path = dir.join("scenarios/generated/createThing.sequence.yaml");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), out.all()))
}

#[test]
fn generated_crud_chains_catch_what_no_single_request_shows() {
    let dir = suite(&files(""));
    std::fs::remove_file(dir.path().join("scenarios/s.yaml")).unwrap();
    let text = generate(dir.path());
    // The chain and its captures, as a person reviews them.
    assert!(text.contains("id: gen-createThing-crud"), "{text}");
    assert!(text.contains("capture: { id: \"$.id\" }"), "{text}");
    assert!(text.contains("path: \"/things/${captured.id}\""), "{text}");
    assert!(text.contains("method: DELETE"), "{text}");
    assert!(text.contains("status: 404"), "{text}");
    assert!(
        text.contains("as the contract's link to GET /things/{id} says"),
        "{text}"
    );

    let ok = run(dir.path(), "");
    assert_eq!(
        ok.code,
        0,
        "the generated suite passes on the correct service:\n{}",
        ok.all()
    );

    // A created thing that cannot be read back: the chain fails at its second step.
    let out = run(dir.path(), "lost-create");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        failing(&out).contains(&"gen-createThing-crud"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("step 2: status: expected 200, got 404"),
        "{}",
        out.stdout
    );
    // A delete that answers 204 and keeps the thing: only the chain sees it.
    let out = run(dir.path(), "undead");
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        failing(&out),
        ["gen-createThing-crud"],
        "only the sequence catches it, no single request does:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("step 6: status: expected 404, got 200"),
        "{}",
        out.stdout
    );
}

#[test]
fn generated_link_sequences_follow_the_contract_links() {
    // Without the item's PUT/DELETE/GET chain being a CRUD group (no GET on the item),
    // the link alone gives the sequence.
    let contract = CONTRACT.replace("/things/{id}:", "/stock/{id}:");
    let dir = suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        ("api.yaml", &contract),
        (
            "requirements.md",
            "- **REQ-T-1**: Every call of `POST /things` and `GET /stock/{id}` shall be answered as the contract documents.\n",
        ),
        ("scenarios/.keep", ""),
    ]);
    let text = generate(dir.path());
    assert!(text.contains("id: gen-createThing-link-ReadIt"), "{text}");
    assert!(text.contains("path: \"/stock/${captured.id}\""), "{text}");
}
