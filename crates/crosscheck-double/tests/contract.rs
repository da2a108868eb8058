//! Serving a contract over real HTTP: examples, generated bodies, chosen statuses,
//! refused requests and what the journal says about them.

mod common;

use common::{bounded, client, stubs};
use crosscheck_double::{MockOptions, MockServer, Outcome};
use serde_json::{Value, json};

const PETS: &str = r##"
openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - { name: limit, in: query, required: true, schema: { type: integer, minimum: 1, maximum: 100 } }
        - { name: X-Tenant, in: header, required: true, schema: { type: string } }
      responses:
        "200":
          description: the pets
          content:
            application/json:
              schema: { type: array, items: { $ref: "#/components/schemas/Pet" } }
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              additionalProperties: false
              properties: { name: { type: string, minLength: 1 }, age: { type: integer } }
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Pet" }
              examples:
                rex: { value: { id: 7, name: rex, status: available } }
                tom: { value: { id: 8, name: tom, status: sold } }
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer } }
      responses:
        "200":
          description: one pet
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Pet" }
        "404":
          description: no such pet
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties: { error: { type: string, enum: [NOT_FOUND] } }
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: { type: integer, format: int64 }
        name: { type: string }
        status: { type: string, enum: [available, sold] }
        born: { type: string, format: date-time }
"##;

async fn pets() -> MockServer {
    let contract = crosscheck_contract::parse("pets.yaml", PETS).unwrap();
    let mut options = MockOptions::default();
    options.contracts = vec![contract];
    let mock = MockServer::start_with("pets", options).await.unwrap();
    assert!(mock.warnings().is_empty(), "{:?}", mock.warnings());
    mock
}

#[tokio::test]
async fn answers_with_examples_and_generated_bodies_that_fit() {
    let mock = pets().await;
    let url = mock.url();
    let c = client();
    let contract = crosscheck_contract::parse("pets.yaml", PETS).unwrap();
    bounded(async {
        let r = c.post(format!("{url}/pets")).json(&json!({"name": "rex"})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"id": 7, "name": "rex", "status": "available"}));

        let r = c.post(format!("{url}/pets")).header("Prefer", "example=tom")
            .json(&json!({"name": "tom"})).send().await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["name"], "tom");

        let r = c.get(format!("{url}/pets/3")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        let body = r.bytes().await.unwrap();
        let op = contract.find_operation("GET", "/pets/3").unwrap();
        assert_eq!(contract.check_response(op, 200, Some("application/json"), &body), vec![]);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v, json!({"id": 1, "name": "string", "status": "available", "born": "2024-01-01T00:00:00Z"}));

        let r = c.get(format!("{url}/pets?limit=2")).header("x-tenant", "t").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        let op = contract.find_operation("GET", "/pets").unwrap();
        assert_eq!(contract.check_response(op, 200, Some("application/json"), &body), vec![]);
    })
    .await;
    mock.shutdown().await;
}

#[tokio::test]
async fn a_header_picks_another_documented_status() {
    let mock = pets().await;
    let url = mock.url();
    let c = client();
    bounded(async {
        let r = c
            .get(format!("{url}/pets/3"))
            .header("Prefer", "code=404")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"error": "NOT_FOUND"})
        );
        let r = c
            .get(format!("{url}/pets/3"))
            .header("X-Crosscheck-Status", "404")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        let r = c
            .get(format!("{url}/pets/3"))
            .header("Prefer", "code=418")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "status 418 is not documented for GET /pets/{id} (documented: 200, 404)"
        );
    })
    .await;
    mock.shutdown().await;
}

#[tokio::test]
async fn requests_that_break_the_contract_are_refused_and_recorded() {
    let mock = pets().await;
    let url = mock.url();
    let c = client();
    bounded(async {
        let r = c.get(format!("{url}/pets/abc")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["error"],
            "the request does not conform to the contract's GET /pets/{id}"
        );
        assert_eq!(
            v["violations"],
            json!([{"in": "path", "name": "id", "message": "\"abc\" is not of type \"integer\""}])
        );

        let r = c.get(format!("{url}/pets?limit=0")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["violations"],
            json!([
                {"in": "query", "name": "limit", "message": "0 is less than the minimum of 1"},
                {"in": "header", "name": "X-Tenant", "message": "is required but missing"}
            ])
        );

        let r = c
            .post(format!("{url}/pets"))
            .json(&json!({"age": "old"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        let violations = v["violations"].as_array().unwrap();
        assert_eq!(violations.len(), 2, "{v}");
        assert!(violations.iter().any(|p| p["name"] == "/age"), "{v}");

        let r = c
            .post(format!("{url}/pets"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = c.post(format!("{url}/pets")).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let r = c
            .post(format!("{url}/pets"))
            .header("content-type", "text/plain")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415);

        let r = c.delete(format!("{url}/pets/1")).send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()["allow"], "GET");
        let r = c.get(format!("{url}/owners")).send().await.unwrap();
        assert_eq!(r.status(), 404);
    })
    .await;
    let journal = mock.journal();
    assert_eq!(journal.len(), 8);
    assert_eq!(journal[0].outcome, Outcome::Replied { status: 400 });
    assert_eq!(
        journal[0].note.as_deref(),
        Some("path parameter `id`: \"abc\" is not of type \"integer\"")
    );
    assert!(
        journal[2].note.as_deref().unwrap().starts_with("body at "),
        "{:?}",
        journal[2].note
    );
    assert_eq!(
        journal[4].note.as_deref(),
        Some("body: a request body is required but none was sent")
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn explicit_stubs_override_the_contract() {
    let mock = pets().await;
    mock.install(stubs("- on: { method: GET, path: '/pets/{id}' }\n  reply: { status: 200, json: { id: '{{request.path.id}}', name: stubbed } }\n"));
    let url = mock.url();
    bounded(async {
        let v: Value = client()
            .get(format!("{url}/pets/9"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v, json!({"id": "9", "name": "stubbed"}));
        // Other operations still come from the contract.
        let r = client()
            .get(format!("{url}/pets?limit=1"))
            .header("x-tenant", "t")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    })
    .await;
    mock.shutdown().await;
}
