//! OpenAPI callbacks become webhook scenarios: the request points the callback URL at
//! the double that receives callbacks, and `calls` waits for the callback there. Keys
//! crosscheck cannot steer, and a map without a receiver, are gaps.

mod common;

use crosscheck_gen::Generated;
use indexmap::IndexMap;

const SPEC: &str = r##"openapi: 3.0.3
info: { title: hooks, version: "1" }
components:
  callbacks:
    Ready:
      "{$request.query.callbackUrl}":
        put:
          responses: { "200": { description: taken } }
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
                callbackUrl: { type: string, format: uri }
                id: { type: integer, minimum: 1, maximum: 9, example: 4 }
      responses:
        "202": { description: subscribed }
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
        audit:
          "http://notificationServer.com?transactionId={$request.body#/id}":
            post:
              responses: { "200": { description: ok } }
        fromAnswer:
          "{$response.body#/hook}":
            post:
              responses: { "200": { description: ok } }
  /exports:
    get:
      operationId: startExport
      parameters:
        - { name: callbackUrl, in: query, required: true, schema: { type: string } }
      responses:
        "202": { description: started }
      callbacks:
        ready: { $ref: "#/components/callbacks/Ready" }
"##;

const REQUIREMENTS: &str = "- **REQ-C-1**: When a client calls `subscribe`, the service shall answer 202 and post the event to its callback within 2 seconds.\n- **REQ-C-2**: When an export started by `startExport` is ready, the service shall notify the client.\n- **REQ-C-3**: Each `onEvent` callback shall carry the event's name.\n";

fn run(map: &str) -> Generated {
    let contract = crosscheck_contract::parse("api.yaml", SPEC).unwrap();
    assert!(contract.warnings.is_empty(), "{:?}", contract.warnings);
    let deps = IndexMap::new();
    common::generate_for(&contract, map, REQUIREMENTS, &deps)
}

fn file<'g>(out: &'g Generated, path: &str) -> &'g str {
    &out.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {path} in {:?}",
                out.files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
        .text
}

const BASE: &str = "version: 1\nsut:\n  name: hooks\n  start: [\"true\"]\n  contract: api.yaml\nrequirements: requirements.md\nscenarios: scenarios/\n";

#[test]
fn steerable_callbacks_become_webhook_scenarios() {
    let map = format!("{BASE}dependencies:\n  hooks: {{ double: mock, callbacks: true }}\n");
    let out = run(&map);
    let text = file(&out, "subscribe.callback.yaml");
    assert!(
        text.contains("id: gen-subscribe-callback-onEvent"),
        "{text}"
    );
    // Linked to the operation and speaking of its callback, or naming the callback.
    assert!(text.contains("covers: [REQ-C-1, REQ-C-3]"), "{text}");
    assert!(text.contains("kind: consistency"), "{text}");
    // The request points the callback at the receiver, under the callback's name.
    assert!(
        text.contains(r#"callbackUrl: "${deps.hooks.url}/onEvent""#),
        "{text}"
    );
    assert!(
        text.contains(r#"given: { hooks: [{ "on": { method: POST }, reply: { status: 204 } }] }"#),
        "{text}"
    );
    assert!(text.contains("status: 202"), "{text}");
    // The rest of the key is appended by the service; the id is what the request sent.
    assert!(
        text.contains(r#"json: { callbackUrl: "${deps.hooks.url}/onEvent", id: 1 }"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"      - method: POST
        path: /onEvent/events
        times: 1
        within: "2s"
        query: { id: "1" }
        json: { "$.event": { exists: true }, "$.id": { exists: true } }
"#
        ),
        "{text}"
    );
    assert!(text.contains("# Bound: the callback must arrive within 2s of the request"));
    assert!(!text.contains("callback-audit") && !text.contains("callback-fromAnswer"));

    // A `$ref`'d callback on a query parameter, with no bound: 5 s and a gap.
    let text = file(&out, "startExport.callback.yaml");
    assert!(
        text.contains("id: gen-startExport-callback-ready"),
        "{text}"
    );
    assert!(text.contains("covers: [REQ-C-2]"), "{text}");
    assert!(
        text.contains(r#"callbackUrl: "${deps.hooks.url}/ready""#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"calls: { hooks: [{ method: PUT, path: /ready, times: 1, within: "5s" }] }"#
        ),
        "{text}"
    );
    let gaps: Vec<String> = out
        .gaps
        .iter()
        .map(|g| format!("{}: {}", g.scope, g.message))
        .collect();
    for want in [
        "gen-startExport-callback-ready: no requirement bounds when callback `ready` comes; 5s assumed",
        "gen-subscribe-callback-audit: callback `audit` of POST /subscriptions goes to `http://notificationServer.com?transactionId={$request.body#/id}`, whose address is not a value the request sends",
        "gen-subscribe-callback-fromAnswer: callback `fromAnswer` of POST /subscriptions goes to `{$response.body#/hook}`",
    ] {
        assert!(
            gaps.iter().any(|g| g.starts_with(want)),
            "{want}\n{gaps:#?}"
        );
    }
    // The receiver is not a dependency the operations use while answering.
    assert!(
        !out.files.iter().any(|f| f.text.contains("hooks-timeout")),
        "no fault scenarios on the receiver"
    );
}

#[test]
fn without_a_receiver_each_callback_is_a_gap_saying_how_to_add_one() {
    let out = run(&format!("{BASE}dependencies: {{}}\n"));
    assert!(!out.files.iter().any(|f| f.path.ends_with(".callback.yaml")));
    let gaps: Vec<String> = out
        .gaps
        .iter()
        .filter(|g| g.message.contains("receives callbacks"))
        .map(|g| format!("{}: {}", g.scope, g.message))
        .collect();
    assert_eq!(gaps.len(), 4, "{gaps:#?}");
    assert_eq!(
        gaps[0],
        "POST /subscriptions: callback `onEvent` (`{$request.body#/callbackUrl}/events?id={$request.body#/id}`) is not tested: no dependency of crosscheck.yaml receives callbacks; add `dependencies: { hooks: { double: mock, callbacks: true } }`"
    );
}
