//! OpenAPI links on a fixture spec shaped after the OpenAPI examples (link-object,
//! tic-tac-toe): targets by `operationRef` and `operationId`, values from the response
//! body and headers, the request's path and body, expressions embedded in strings, and a
//! `requestBody`; an `operationRef` that names nothing is a contract warning and a gap,
//! not a crash.

mod common;

use indexmap::IndexMap;

const SPEC: &str = r##"openapi: 3.1.0
info: { title: links, version: "1" }
paths:
  /users/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string, example: u7 } }
    get:
      operationId: getUser
      responses:
        "200":
          description: the user
          headers: { ETag: { schema: { type: string } } }
          content:
            application/json:
              schema:
                type: object
                properties:
                  uuid: { type: string, example: 3f2a }
                  username: { type: string, example: ada }
          links:
            address:
              operationId: getUserAddress
              parameters: { userid: $request.path.id }
            byRef:
              operationRef: "#/paths/~1repositories~1%7Busername%7D/get"
              parameters: { username: "$response.body#/username", If-None-Match: $response.header.ETag }
            withBody:
              operationRef: "#/paths/~1users~1{id}~1notes/post"
              parameters: { id: $request.path.id }
              requestBody: { about: "$response.body#/uuid", status: $statusCode, fixed: 3 }
            tagged:
              operationRef: "#/paths/~1users~1{id}~1notes/post"
              parameters: { id: "user-{$response.body#/uuid}" }
              requestBody: { note: "for {$request.path.id} as {$response.body#/username}" }
            gone:
              operationRef: "#/paths/~12.0~1repositories~1%7Busername%7D/get"
            elsewhere:
              operationRef: "https://na2.gigantic-server.com/#/paths/~1users~1{id}/get"
  /users/{userid}/address:
    parameters:
      - { name: userid, in: path, required: true, schema: { type: string } }
    get:
      operationId: getUserAddress
      responses:
        "200": { description: the address }
  /repositories/{username}:
    get:
      parameters:
        - { name: username, in: path, required: true, schema: { type: string } }
        - { name: If-None-Match, in: header, schema: { type: string } }
      responses:
        "200": { description: repositories }
  /users/{id}/notes:
    post:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      requestBody:
        content: { application/json: { schema: { type: object } } }
      responses:
        "201": { description: noted }
"##;

const MAP: &str = "version: 1\nsut:\n  name: users\n  start: [\"true\"]\n  contract: api.yaml\nrequirements: requirements.md\nscenarios: scenarios/\n";

const REQUIREMENTS: &str = "- **REQ-L-1**: Every call of `GET /users/{id}`, `GET /users/{userid}/address`, `GET /repositories/{username}` and `POST /users/{id}/notes` shall be answered as the contract documents.\n";

#[test]
fn links_by_operation_ref_carry_response_and_request_values() {
    let contract = crosscheck_contract::parse("api.yaml", SPEC).unwrap();
    assert_eq!(
        contract.warnings,
        [
            "#/paths/~1users~1{id}/get/responses/200/links/gone/operationRef: `#/paths/~12.0~1repositories~1%7Busername%7D/get` names no operation of this contract (no GET /2.0/repositories/{username}); the link is not followed",
            "#/paths/~1users~1{id}/get/responses/200/links/elsewhere/operationRef: `https://na2.gigantic-server.com/#/paths/~1users~1{id}/get` points into another document (`https://na2.gigantic-server.com/`); only operations of this contract are followed; the link is not followed",
        ]
    );
    let deps = IndexMap::new();
    let out = common::generate_for(&contract, MAP, REQUIREMENTS, &deps);
    let file = out
        .files
        .iter()
        .find(|f| f.path == "getUser.sequence.yaml")
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                out.files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        });
    let text = &file.text;
    // By operationId, the value the first request sent in its path.
    assert!(text.contains("id: gen-getUser-link-address"), "{text}");
    assert!(text.contains("path: /users/u7/address"), "{text}");
    assert!(text.contains("path: /users/u7/notes"), "{text}");
    // By operationRef, from the body and a header.
    assert!(text.contains("id: gen-getUser-link-byRef"), "{text}");
    assert!(
        text.contains(
            r#"capture: { username: "$.username", If_None_Match: "$response.header.ETag" }"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"path: "/repositories/${captured.username}""#),
        "{text}"
    );
    assert!(
        text.contains(r#"If-None-Match: "${captured.If_None_Match}""#),
        "{text}"
    );
    // A request body built from the link's `requestBody`.
    assert!(text.contains("id: gen-getUser-link-withBody"), "{text}");
    assert!(
        text.contains(r#"capture: { body_about: "$.uuid", body_status: "$statusCode" }"#),
        "{text}"
    );
    assert!(
        text.contains(
            "about: \"${captured.body_about}\"\n        status: \"${captured.body_status}\"\n        fixed: 3\n"
        ),
        "{text}"
    );
    // Expressions embedded in strings: request values filled in, response values
    // captured one by one.
    assert!(text.contains("id: gen-getUser-link-tagged"), "{text}");
    assert!(
        text.contains(r#"capture: { id_1: "$.uuid", body_note_1: "$.username" }"#),
        "{text}"
    );
    assert!(
        text.contains(r#"path: "/users/user-${captured.id_1}/notes""#),
        "{text}"
    );
    assert!(
        text.contains(r#"json: { note: "for u7 as ${captured.body_note_1}" }"#),
        "{text}"
    );
    // The two that name nothing: gaps with the link's place, and no scenario.
    assert!(
        !text.contains("link-gone") && !text.contains("link-elsewhere"),
        "{text}"
    );
    let gaps: Vec<&str> = out.gaps.iter().map(|g| g.message.as_str()).collect();
    assert!(
        gaps.iter()
            .any(|g| g
                .starts_with("link `gone` (#/paths/~1users~1{id}/get/responses/200/links/gone)")),
        "{gaps:#?}"
    );
    assert!(
        gaps.iter()
            .any(|g| g.starts_with("link `elsewhere` (") && g.contains("another document")),
        "{gaps:#?}"
    );
}
